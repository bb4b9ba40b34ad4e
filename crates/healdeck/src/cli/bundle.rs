//! `healdeck bundle`: scan the logs, then write the encrypted support bundle (age) for a
//! remote expert — to their public key(s) or to a passphrase asked on the terminal (or taken
//! from `HEALDECK_BUNDLE_PASSPHRASE` where there is none, as in CI).

use super::{RuleArgs, fail, scan_logs};
use clap::Args;
use healdeck_config::Dirs;
use healdeck_engine::bundle::{self, BundleOptions, Lock, SecretString};
use healdeck_engine::report::format_bytes;
use std::io::{BufRead, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct BundleArgs {
    /// Log files, folders, test reports or other sources, as for `diagnose`.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Where to write it [default: healdeck-bundle-<date>-<time>.tar.gz.age here].
    #[arg(long, short, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Encrypt to this age public key (`age1…`; repeat for more).
    #[arg(long, value_name = "AGE_PUBLIC_KEY", required_unless_present_any = ["recipients_file", "passphrase"])]
    recipient: Vec<String>,
    /// Encrypt to the age public keys in this file (one per line, `#` comments).
    #[arg(long, value_name = "FILE", conflicts_with = "passphrase")]
    recipients_file: Option<PathBuf>,
    /// Encrypt to a passphrase instead (asked twice on the terminal, or read from
    /// HEALDECK_BUNDLE_PASSPHRASE).
    #[arg(long, conflicts_with = "recipient")]
    passphrase: bool,
    /// Also include the last N lines of each log file, redacted [N: 200].
    #[arg(long, value_name = "N", num_args = 0..=1, default_missing_value = "200")]
    logs: Option<usize>,
    #[command(flatten)]
    sources: RuleArgs,
}

pub(crate) fn bundle_command(args: &BundleArgs, dirs: Option<&Dirs>) -> ExitCode {
    let lock = match lock(args) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    if let Err(e) = bundle::check_lock(&lock) {
        return fail(e);
    }
    let (_, rules_errors, report) = scan_logs(&args.sources, dirs, &args.paths);
    if super::nothing_usable(&report) {
        return ExitCode::from(2);
    }
    let out = args.out.clone().unwrap_or_else(default_name);
    let opts = BundleOptions {
        data_dir: dirs.map(|d| d.data().to_path_buf()),
        log_tail_lines: args.logs.unwrap_or(0),
    };
    match bundle::write(&report, &rules_errors, &opts, &lock, &out) {
        Ok(w) => {
            let secrets: usize = w.manifest.redacted.values().sum();
            eprintln!(
                "healdeck: wrote {} ({}, {} files, {} issue(s), {secrets} secret(s) redacted), {}",
                w.path.display(),
                format_bytes(w.bytes, false),
                w.manifest.files.len() + 1,
                report.issues.len(),
                w.manifest.encryption
            );
            let how = match lock {
                Lock::Recipients(_) => "age -d -i YOUR_KEY_FILE",
                Lock::Passphrase(_) => "age -d",
            };
            eprintln!(
                "healdeck: the receiver opens it with: {how} {} | tar xz",
                w.path.display()
            );
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn default_name() -> PathBuf {
    let iso = healdeck_config::clock::iso_of_unix(healdeck_config::clock::now_unix() as i64);
    let stamp: String = iso
        .chars()
        .filter(|c| c.is_ascii_digit() || *c == 'T')
        .take(15)
        .collect::<String>()
        .replace('T', "-");
    PathBuf::from(format!("healdeck-bundle-{stamp}.tar.gz.age"))
}

fn lock(args: &BundleArgs) -> Result<Lock, String> {
    if args.passphrase {
        return passphrase().map(Lock::Passphrase);
    }
    let mut keys = args.recipient.clone();
    if let Some(file) = &args.recipients_file {
        let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if !line.starts_with("age1") {
                return Err(format!(
                    "{}:{}: not an age public key (age1…)",
                    file.display(),
                    n + 1
                ));
            }
            keys.push(line.to_string());
        }
    }
    Ok(Lock::Recipients(keys))
}

/// The passphrase: from the environment, else asked twice on the terminal without echo.
fn passphrase() -> Result<SecretString, String> {
    if let Ok(p) = std::env::var("HEALDECK_BUNDLE_PASSPHRASE")
        && !p.is_empty()
    {
        return Ok(SecretString::from(p));
    }
    let first = ask("Passphrase for the bundle: ")?;
    if first.chars().count() < 8 {
        return Err("the passphrase is shorter than 8 characters".into());
    }
    let again = ask("The same again: ")?;
    if first != again {
        return Err("the two passphrases differ".into());
    }
    Ok(SecretString::from(first))
}

/// One line from the terminal, typed without echo.
fn ask(prompt: &str) -> Result<String, String> {
    let no_tty =
        "no terminal to ask a passphrase on: set HEALDECK_BUNDLE_PASSPHRASE, or use --recipient";
    let tty = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/tty")
        .map_err(|_| no_tty.to_string())?;
    let saved = rustix::termios::tcgetattr(&tty).map_err(|_| no_tty.to_string())?;
    let mut quiet = saved.clone();
    quiet.local_modes.remove(rustix::termios::LocalModes::ECHO);
    let set = |t: &rustix::termios::Termios| {
        rustix::termios::tcsetattr(&tty, rustix::termios::OptionalActions::Now, t)
    };
    set(&quiet).map_err(|e| format!("terminal: {e}"))?;
    let mut writer = &tty;
    let _ = writer
        .write_all(prompt.as_bytes())
        .and_then(|_| writer.flush());
    let mut line = String::new();
    let read = std::io::BufReader::new(&tty).read_line(&mut line);
    let _ = set(&saved);
    let _ = writer.write_all(b"\n");
    read.map_err(|e| format!("terminal: {e}"))?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}

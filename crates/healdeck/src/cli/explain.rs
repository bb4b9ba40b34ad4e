//! `healdeck explain`: ask the configured model (ai.json) about an issue in the logs; the
//! answer streams to stdout. `--show` prints exactly what would be sent and sends nothing; a
//! provider off this machine is only called once the person agreed (`--yes`, asked once per
//! endpoint, after seeing the text).

use super::{RuleArgs, fail, nothing_usable, pick_issue, scan_logs};
use clap::Args;
use healdeck::dirs::NoDirs;
use healdeck_config::Dirs;
use healdeck_engine::ai::consent::Purpose;
use healdeck_engine::ai::{self, Provider, SYSTEM_PROMPT, consent};
use healdeck_engine::prompt::Prompt;
use healdeck_gpu::nvidia_present;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

#[derive(Args, Debug)]
pub(crate) struct ExplainArgs {
    /// Log files or folders, or sources such as journal:, ssh://host/path, docker://name.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// The issue to explain (default: the worst one in the logs).
    #[arg(long, value_name = "FINGERPRINT")]
    fingerprint: Option<String>,
    /// Print exactly what would be sent, and what was redacted from it; send nothing.
    #[arg(long)]
    show: bool,
    /// Agree to send to a provider off this machine (asked once per endpoint).
    #[arg(long)]
    yes: bool,
    /// Python interpreter whose packages the prompt reports (default: fixer.json, python3).
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    #[command(flatten)]
    sources: RuleArgs,
}

pub(crate) fn explain(args: &ExplainArgs, dirs: Result<Dirs, NoDirs>) -> ExitCode {
    let dirs = match dirs {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let (_, _, report) = scan_logs(&args.sources, Some(&dirs), &args.paths);
    if nothing_usable(&report) {
        return ExitCode::from(2);
    }
    let issue = match pick_issue(&report, args.fingerprint.as_deref(), "explain") {
        Ok(i) => i,
        Err(code) => return code,
    };
    let sent = match ai::preview(issue, &dirs, args.python.as_deref()) {
        Ok(p) => p,
        Err(e) => return fail(e),
    };
    let chosen = ai::provider(&dirs, nvidia_present());
    if args.show {
        show(&sent, chosen.as_ref().ok().map(|(_, p)| p.label()));
        return ExitCode::SUCCESS;
    }
    let (config, provider) = match chosen {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    if let Err(code) = consented(&dirs, (&provider, Purpose::Explain), &sent, args.yes) {
        return code;
    }
    eprintln!(
        "healdeck: asking {} about {} ({}; {} secret(s) redacted)",
        provider.label(),
        issue.fingerprint,
        issue.title,
        sent.redactions.values().sum::<usize>()
    );
    let cancel = AtomicBool::new(false);
    let mut out = std::io::stdout();
    let done = ai::explain(
        issue,
        &dirs,
        (&config, &provider),
        args.python.as_deref(),
        &cancel,
        |text| {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        },
    );
    println!();
    match done {
        Ok(e) => match e.answer.error {
            None if e.answer.cut => {
                eprintln!("healdeck: the answer was cut at the configured size");
                ExitCode::SUCCESS
            }
            None => ExitCode::SUCCESS,
            Some(err) => {
                eprintln!("healdeck: no complete answer: {err} (what came is kept with the issue)");
                ExitCode::from(1)
            }
        },
        Err(e) => fail(e),
    }
}

/// Whether `provider` may be sent `sent`: on this machine, agreed before, or agreed now with
/// `yes`; otherwise the text is shown and the command stops.
pub(crate) fn consented(
    dirs: &Dirs,
    (provider, purpose): (&Provider, Purpose),
    sent: &Prompt,
    yes: bool,
) -> Result<(), ExitCode> {
    if consent::given(dirs.data(), provider, purpose) {
        return Ok(());
    }
    if !yes {
        show(sent, Some(provider.label()));
        return Err(fail(format!(
            "this would send the text above to {} (off this machine); run again with --yes \
             to agree (asked once for this endpoint)",
            provider.endpoint()
        )));
    }
    consent::give(dirs.data(), provider, purpose)
        .map_err(|e| fail(format!("cannot record the consent: {e}")))
}

/// The exact text a provider would get, and what was redacted from it.
fn show(sent: &Prompt, provider: Option<String>) {
    println!(
        "--- system ---\n{SYSTEM_PROMPT}\n--- user ---\n{}\n---",
        sent.text
    );
    let kinds: Vec<String> = sent
        .redactions
        .iter()
        .map(|(k, n)| format!("{k}×{n}"))
        .collect();
    println!(
        "{} secret(s) redacted{}; {} characters; to: {}",
        sent.redactions.values().sum::<usize>(),
        if kinds.is_empty() {
            String::new()
        } else {
            format!(" ({})", kinds.join(", "))
        },
        sent.text.chars().count(),
        provider.unwrap_or_else(|| "no provider configured (ai.json)".into())
    );
}

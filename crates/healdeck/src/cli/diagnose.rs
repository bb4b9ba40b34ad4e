//! `healdeck diagnose`: scan logs once and print a report, or follow them (`--watch`) and
//! print each new or updated issue as it completes.

use super::{RuleArgs, load_engine, nothing_usable};
use clap::{Args, ValueEnum};
use healdeck_config::Dirs;
use healdeck_engine::bus::AlertBus;
use healdeck_engine::remote::{JournalFilter, StreamSpec};
use healdeck_engine::report::{self, Format, Secrets};
use healdeck_engine::watch::{LiveWatcher, WatchOptions};
use healdeck_engine::{Engine, ScanControl, ScanOptions, Severity, scan};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum FormatArg {
    Text,
    Markdown,
    Json,
    Jsonl,
    /// GitHub Actions: annotations on stdout, the summary into $GITHUB_STEP_SUMMARY.
    Github,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug)]
pub(crate) struct DiagnoseArgs {
    /// Log files or folders (searched recursively for *.log, *.txt, *.out, *.err, *.jsonl,
    /// *.ndjson, rotated and .gz), test reports (JUnit XML, Playwright JSON; told by their
    /// content, found in folders too), or sources read through a program: `journal:` (the system
    /// journal), `journal:/path/to/journal-dir?unit=x.service&priority=warning`,
    /// `ssh://user@host[:port]/var/log/app.log`, `ssh://user@host/journal`, `docker://NAME`,
    /// `podman://NAME`.
    #[arg(
        required_unless_present_any = ["journal", "journal_dir", "listen"],
        value_name = "PATH"
    )]
    paths: Vec<PathBuf>,
    /// Read the system journal (through journalctl).
    #[arg(long)]
    journal: bool,
    /// Read the journal files in this folder (or this .journal file).
    #[arg(long, value_name = "DIR")]
    journal_dir: Vec<PathBuf>,
    /// Receive logs that other machines send here, while following (implies --watch):
    /// `syslog://127.0.0.1:5514` (RFC 5424 and 3164, UDP and TCP),
    /// `syslog+tls://0.0.0.0:6514?cert=FILE&key=FILE` (TLS, PEM files) or `otlp://127.0.0.1:4318`
    /// (OpenTelemetry logs over HTTP, protobuf or JSON). Each sending host is a source of its
    /// own. Listens on loopback unless the address says otherwise.
    #[arg(long, value_name = "ADDRESS")]
    listen: Vec<String>,
    /// Only these units' entries, for --journal and --journal-dir (repeat for more).
    #[arg(long, value_name = "UNIT")]
    unit: Vec<String>,
    /// Only entries at this priority or more severe (emerg, alert, crit, err, warning,
    /// notice, info, debug, or 0–7), for --journal and --journal-dir.
    #[arg(long, value_name = "PRIORITY", value_parser = parse_priority)]
    priority: Option<u8>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = FormatArg::Text)]
    format: FormatArg,
    #[command(flatten)]
    sources: RuleArgs,
    /// Exit with status 1 when an issue at or above this severity is found.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    fail_on: Option<Severity>,
    /// Keep following the files and print each new or updated issue as it completes.
    #[arg(long)]
    watch: bool,
    /// While following, list remote folders (`ssh://host/var/log/app`) again every this many
    /// seconds; files that appeared in them are followed from their start.
    #[arg(long, value_name = "SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    rescan: u64,
    /// Color in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,
    /// Worker threads (default: one per core).
    #[arg(long)]
    threads: Option<usize>,
    /// Show secrets as found instead of `[REDACTED:kind]` — only for reading on your own
    /// terminal: never paste this output anywhere.
    #[arg(long)]
    no_redact: bool,
    /// Add the health checks' issues (health.toml, as the monitor last saw them), each next
    /// to the issues of the log it watches.
    #[arg(long, conflicts_with_all = ["watch", "listen"])]
    health: bool,
    /// Add the logs' anomalies as issues: new patterns, rate spikes and open sequences
    /// (`anomaly`), handlers slower than their baseline (`performance`) — measured against the
    /// logs' own earlier part, or the saved baseline given by --baseline.
    #[arg(long, conflicts_with_all = ["watch", "listen"])]
    anomalies: bool,
    /// Compare with this saved baseline (`healdeck patterns --save-baseline NAME`); implies
    /// --anomalies.
    #[arg(long, value_name = "NAME", conflicts_with_all = ["watch", "listen"])]
    baseline: Option<String>,
    /// Send the issues found to a chat or webhook: `slack=URL`, `discord=URL`, `json=URL`, a
    /// URL (the kind told by its host), or a channel named in notify.toml (repeat for more).
    /// Redacted; each issue at most once per window per channel; past --notify-max
    /// messages the rest go as one digest. While following (--watch, --listen), issues that
    /// happen live are sent as they come, a few seconds' worth at a time.
    #[arg(long, value_name = "CHANNEL")]
    notify: Vec<String>,
    /// Only issues at or above this severity go to the URLs given by --notify (a channel in
    /// notify.toml has its own min_severity).
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity, default_value = "high")]
    notify_min: Severity,
    /// Minutes before the same issue is sent to the same channel again [default: 60, or
    /// notify.toml's window_minutes].
    #[arg(long, value_name = "MINUTES")]
    notify_window: Option<u64>,
    /// Messages per channel per run; the rest go as one digest [default: 5].
    #[arg(long, value_name = "N")]
    notify_max: Option<usize>,
    /// One digest message per channel instead of one message per issue.
    #[arg(long)]
    notify_digest: bool,
}

/// The anomalies of the files among `paths` (stream sources have no history to mine), as
/// issues.
fn anomaly_issues(
    paths: &[PathBuf],
    baseline: Option<&str>,
    dirs: Option<&Dirs>,
) -> Result<Vec<healdeck_engine::Issue>, String> {
    use healdeck_engine::patterns::{Baseline, PatternOptions, baseline_path, mine};
    let mut opts = PatternOptions::default();
    if let Some(name) = baseline {
        let dirs = dirs.ok_or("--baseline needs the data folder (set HEALDECK_DATA_DIR)")?;
        let path = baseline_path(&dirs.baselines(), name).map_err(|e| e.to_string())?;
        opts.compare = Some(Baseline::load(&path).map_err(|e| e.to_string())?);
    }
    let files: Vec<PathBuf> = paths.iter().filter(|p| p.exists()).cloned().collect();
    if files.is_empty() {
        return Ok(Vec::new());
    }
    Ok(mine(&files, &opts).anomaly_issues())
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

fn parse_priority(s: &str) -> Result<u8, String> {
    healdeck_engine::remote::parse_priority(s)
}

fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
                && std::env::var("TERM").map_or(true, |t| t != "dumb")
        }
    }
}

impl DiagnoseArgs {
    /// The paths and sources to read: those named, then the journals asked for by flag, each
    /// checked (a source with a bad host, path or filter is refused before anything runs).
    fn inputs(&self) -> Result<Vec<PathBuf>, String> {
        let mut all = self.paths.clone();
        let filter = |path: Option<&PathBuf>| JournalFilter {
            path: path.cloned(),
            units: self.unit.clone(),
            max_priority: self.priority,
        };
        let journals = self
            .journal
            .then(|| filter(None))
            .into_iter()
            .chain(self.journal_dir.iter().map(|d| filter(Some(d))));
        for j in journals {
            all.push(PathBuf::from(StreamSpec::Journal(j).to_string()));
        }
        for l in &self.listen {
            if !healdeck_engine::receive::is_listen_text(l) {
                return Err(format!(
                    "--listen {l}: use syslog://ADDRESS:PORT, syslog+tls://… or otlp://ADDRESS:PORT"
                ));
            }
            all.push(PathBuf::from(l));
        }
        if (!self.unit.is_empty() || self.priority.is_some())
            && !self.journal
            && self.journal_dir.is_empty()
        {
            return Err("--unit and --priority go with --journal or --journal-dir".into());
        }
        let errors = healdeck_engine::remote::split_paths(&all).errors;
        match errors.first() {
            Some(e) => Err(e.to_string()),
            None => Ok(all),
        }
    }

    /// Secrets are hidden unless `--no-redact`, which says so on stderr.
    fn secrets(&self) -> Secrets {
        if self.no_redact {
            eprintln!(
                "healdeck: --no-redact: secrets are printed as found; keep this output on your own terminal"
            );
            Secrets::Show
        } else {
            Secrets::Redact
        }
    }

    fn format(&self) -> Format {
        match self.format {
            FormatArg::Text => Format::Text {
                color: use_color(self.color),
            },
            FormatArg::Markdown => Format::Markdown,
            FormatArg::Json => Format::Json,
            FormatArg::Jsonl => Format::Jsonl,
            FormatArg::Github => Format::Github,
        }
    }
}

pub(crate) fn diagnose(args: &DiagnoseArgs, dirs: Option<&Dirs>) -> ExitCode {
    let paths = match args.inputs() {
        Ok(p) => p,
        Err(e) => return super::fail(e),
    };
    let notifier = match super::notify::Notifier::from_args(
        &args.notify,
        args.notify_min,
        args.notify_window,
        args.notify_max,
        args.notify_digest,
        dirs,
    ) {
        Ok(n) => n,
        Err(e) => return super::fail(e),
    };
    let (engine, rules_errors) = load_engine(&args.sources, dirs);
    if args.watch || !args.listen.is_empty() {
        return watch(&engine, args, &paths, dirs, notifier);
    }
    let mut opts = ScanOptions::default();
    if let Some(t) = args.threads {
        opts.threads = t.max(1);
    }
    let mut report = scan(&engine, &paths, &opts, &ScanControl::default());
    if args.health {
        let Some(dirs) = dirs else {
            return super::fail("--health needs the config and data folders");
        };
        match healdeck_engine::health::config::load(&healdeck_engine::health::default_file(dirs)) {
            Ok(config) => {
                let data = dirs.data();
                report
                    .issues
                    .extend(healdeck_engine::health::related::current_issues(
                        data, &config,
                    ));
                healdeck_engine::health::related::sort_with_health(&mut report.issues);
            }
            Err(e) => return super::fail(e),
        }
    }
    if args.anomalies || args.baseline.is_some() {
        match anomaly_issues(&paths, args.baseline.as_deref(), dirs) {
            Ok(issues) => {
                report.issues.extend(issues);
                healdeck_engine::group::sort_issues(&mut report.issues);
            }
            Err(e) => return super::fail(e),
        }
    }
    for e in &report.errors {
        eprintln!("healdeck: {e}");
    }
    let secrets = args.secrets();
    let out = report::render(&report, &rules_errors, args.format(), secrets).text;
    if args.format == FormatArg::Github
        && let Err(e) = write_step_summary(&report, &rules_errors, secrets)
    {
        return super::fail(e);
    }
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return ExitCode::from(2);
    }
    if nothing_usable(&report) {
        return ExitCode::from(2);
    }
    if let Some(notifier) = notifier {
        notifier.send(&report.issues);
    }
    match args.fail_on {
        Some(t) if report.issues.iter().any(|i| i.severity.at_least(t)) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// Appends the Markdown summary to `$GITHUB_STEP_SUMMARY` (GitHub Actions shows it on the
/// run's page); outside Actions says on stderr that there is nowhere to write it.
fn write_step_summary(
    report: &healdeck_engine::ScanReport,
    rules_errors: &[healdeck_engine::rules::RulesError],
    secrets: Secrets,
) -> Result<(), String> {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        eprintln!(
            "healdeck: GITHUB_STEP_SUMMARY is not set (not in GitHub Actions): no job summary written"
        );
        return Ok(());
    };
    let summary = match secrets {
        Secrets::Redact => report::github::summary(&report::redacted(report).0, rules_errors),
        Secrets::Show => report::github::summary(report, rules_errors),
    };
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| f.write_all(summary.as_bytes()))
        .map_err(|e| {
            format!(
                "{}: cannot write the job summary: {e}",
                path.to_string_lossy()
            )
        })
}

/// Follows the files until interrupted, or until the reader goes away (`| head -3`); a
/// printer thread writes each alert as it comes. Stream sources' states go to stderr; where
/// they were read up to is saved in the data folder, so a restart reports only what is new.
fn watch(
    engine: &Engine,
    args: &DiagnoseArgs,
    paths: &[PathBuf],
    dirs: Option<&Dirs>,
    notifier: Option<super::notify::Notifier>,
) -> ExitCode {
    let bus = AlertBus::new();
    let rx = bus.subscribe_latest();
    if let Some(notifier) = notifier {
        let live = bus.subscribe_lossless();
        let started = std::thread::Builder::new()
            .name("healdeck-notify".into())
            .spawn(move || notifier.follow(&live));
        if started.is_err() {
            return super::fail("cannot start the notify thread");
        }
    }
    let stop = std::sync::Arc::new(AtomicBool::new(false));
    super::stop_on_signal(stop.clone());
    let reader_gone = stop.clone();
    let json = matches!(args.format, FormatArg::Json | FormatArg::Jsonl);
    let color = use_color(args.color);
    let secrets = args.secrets();
    let printer = std::thread::Builder::new()
        .name("healdeck-print".into())
        .spawn(move || {
            let mut stdout = std::io::stdout();
            for alert in rx {
                let line = report::alert_line(&alert, json, color, secrets);
                if writeln!(stdout, "{line}")
                    .and_then(|_| stdout.flush())
                    .is_err()
                {
                    reader_gone.store(true, std::sync::atomic::Ordering::SeqCst);
                    break;
                }
            }
        });
    if printer.is_err() {
        eprintln!("healdeck: cannot start the output thread");
        return ExitCode::from(2);
    }
    let options = WatchOptions {
        rescan: std::time::Duration::from_secs(args.rescan),
        ..WatchOptions::default()
    };
    let mut watcher =
        LiveWatcher::new(engine, paths, options).on_source_state(Box::new(|spec, state| {
            eprintln!("healdeck: {spec}: {state}");
        }));
    if let Some(dirs) = dirs {
        watcher = watcher.with_positions(&dirs.data().join("sources").join("watch-positions.json"));
    }
    let ready = |n: usize| {
        eprintln!("healdeck: watching {n} source(s) for new failures; press Ctrl-C to stop");
    };
    match watcher.run(&stop, |alert| bus.publish(alert), ready) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => super::fail(e),
    }
}

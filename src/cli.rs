//! The command line: typed arguments (clap) → a call into the library → a sink.
//!
//! Exit status follows ripgrep's convention: 0 when the work ran, 1 when `--fail-on` found an
//! issue at or above the given severity (or a rules check failed), 2 on unusable input. An
//! error is printed once, with the file and place it concerns.

mod fix;
mod gpu;
mod render;

use crate::troubleshoot::bus::{AlertBus, TroubleAlert};
use crate::troubleshoot::rules::RulesError;
use crate::troubleshoot::watch::{LiveWatcher, WatchOptions};
use crate::troubleshoot::{Engine, ScanControl, ScanOptions, Severity, report, samples, scan};
use clap::{Args, Parser, Subcommand, ValueEnum};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::AtomicBool;

#[derive(Parser, Debug)]
#[command(
    name = "healdeck",
    version,
    about = "healdeck — a desktop control panel: log troubleshooter and garment renderer",
    long_about = "healdeck finds, classifies and groups failures in application logs and renders\n\
                  garments on avatars. Without a subcommand it opens the desktop window;\n\
                  `healdeck diagnose --help` is a good start on the command line."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Find, classify and group every failure in log files and folders.
    Diagnose(DiagnoseArgs),
    /// Plan and run the safe fixes for the issues in log files (class A unattended).
    Fix(fix::FixArgs),
    /// Print the repair prompt (secrets redacted) for pasting into an AI coding assistant.
    Prompt(fix::PromptArgs),
    /// GPU readings: utilization, memory, temperature, power, clocks, processes.
    Gpu(gpu::GpuArgs),
    /// Render a garment on an avatar (or an imported CLO3D/Marvelous Designer mesh) to PNG.
    Render(render::RenderArgs),
    /// List the rules in effect, or check every rule against its own samples.
    Rules(RulesArgs),
    /// Full System Test: rules, detection, a dry-run fix plan, redaction, renders, GPU probe.
    Selftest(SelftestArgs),
}

#[derive(Args, Debug)]
pub struct SelftestArgs {
    /// Print the results as JSON.
    #[arg(long)]
    pub json: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Text,
    Markdown,
    Json,
    Jsonl,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Args, Debug)]
pub struct RuleSources {
    /// Extra rules: a JSON file or a folder of them; overrides built-in rules with the same id.
    #[arg(long = "rules", value_name = "FILE_OR_DIR")]
    pub rules: Vec<PathBuf>,
    /// Ignore the rules in the user's config folder.
    #[arg(long)]
    pub no_user_rules: bool,
}

#[derive(Args, Debug)]
pub struct DiagnoseArgs {
    /// Log files or folders (searched recursively for *.log, *.txt, *.out, *.err, rotated and .gz).
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    #[command(flatten)]
    pub sources: RuleSources,
    /// Exit with status 1 when an issue at or above this severity is found.
    #[arg(long, value_name = "SEVERITY", value_parser = parse_severity)]
    pub fail_on: Option<Severity>,
    /// Keep following the files and print each new or updated issue as it completes.
    #[arg(long)]
    pub watch: bool,
    /// Color in text output.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// Worker threads (default: one per core).
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    #[command(flatten)]
    pub sources: RuleSources,
    /// Run every rule's samples and not_samples through the engine; exit 1 on any failure.
    #[arg(long)]
    pub check: bool,
}

fn parse_severity(s: &str) -> Result<Severity, String> {
    s.parse()
}

/// Entry point used by `main`.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Some(Command::Diagnose(args)) => diagnose(args),
        Some(Command::Rules(args)) => rules(args),
        Some(Command::Fix(args)) => fix::fix(args),
        Some(Command::Prompt(args)) => fix::prompt(args),
        Some(Command::Render(args)) => render::render(args),
        Some(Command::Gpu(args)) => gpu::gpu(args),
        Some(Command::Selftest(args)) => selftest(args),
        None => match crate::ui::run() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("healdeck: cannot open the window: {e:#}");
                eprintln!(
                    "healdeck: the command line works without a display; try `healdeck --help`"
                );
                ExitCode::from(2)
            }
        },
    }
}

fn selftest(args: SelftestArgs) -> ExitCode {
    let checks = crate::selftest::run(None, |c| {
        if !args.json {
            println!(
                "{} {:<24} {:>7.0} ms  {}",
                if c.ok { "✅" } else { "❌" },
                c.name,
                c.millis,
                c.detail
            );
        }
    });
    let summary = crate::selftest::summary(&checks);
    if args.json {
        let v = serde_json::json!({
            "version": crate::VERSION,
            "ok": checks.iter().all(|c| c.ok),
            "summary": summary,
            "checks": checks,
        });
        println!("{}", serde_json::to_string_pretty(&v).unwrap_or_default());
    } else {
        println!("{summary}");
    }
    if checks.iter().all(|c| c.ok) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}

pub(crate) fn load_engine(sources: &RuleSources) -> (Engine, Vec<RulesError>) {
    let (engine, errors) = Engine::load(&sources.rules, !sources.no_user_rules);
    for e in &errors {
        eprintln!("healdeck: rules file refused (built-in rules still apply): {e}");
    }
    (engine, errors)
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

fn diagnose(args: DiagnoseArgs) -> ExitCode {
    let (engine, rules_errors) = load_engine(&args.sources);
    if args.watch {
        return watch(&engine, &args);
    }
    let mut opts = ScanOptions::default();
    if let Some(t) = args.threads {
        opts.threads = t.max(1);
    }
    let report = scan(&engine, &args.paths, &opts, &ScanControl::default());
    for e in &report.errors {
        eprintln!("healdeck: {e}");
    }
    let out = match args.format {
        Format::Text => report::text(&report, &[], use_color(args.color)),
        Format::Markdown => report::markdown(&report, &rules_errors),
        Format::Json => report::json(&report, &rules_errors),
        Format::Jsonl => {
            let mut s = String::new();
            for issue in &report.issues {
                s.push_str(&report::jsonl(&TroubleAlert {
                    kind: crate::troubleshoot::bus::AlertKind::New,
                    issue: std::sync::Arc::new(issue.clone()),
                }));
                s.push('\n');
            }
            s
        }
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|_| stdout.flush())
        .is_err()
    {
        return ExitCode::from(2);
    }
    if report.stats.files == 0 && !report.errors.is_empty() {
        return ExitCode::from(2);
    }
    match args.fail_on {
        Some(t) if report.issues.iter().any(|i| i.severity.at_least(t)) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

fn watch(engine: &Engine, args: &DiagnoseArgs) -> ExitCode {
    let bus = AlertBus::new();
    let rx = bus.subscribe();
    let format = args.format;
    let color = use_color(args.color);
    let printer = std::thread::Builder::new()
        .name("healdeck-print".into())
        .spawn(move || {
            let mut stdout = std::io::stdout();
            for alert in rx {
                let line = match format {
                    Format::Json | Format::Jsonl => report::jsonl(&alert),
                    Format::Text | Format::Markdown => {
                        let i = &alert.issue;
                        let label = format!("{} {}", i.severity.badge(), i.severity);
                        let label = if color {
                            format!("\x1b[1m{label}\x1b[0m")
                        } else {
                            label
                        };
                        format!(
                            "{label}  {}  ×{}  [{}]  {}:{}",
                            i.title, i.count, i.category, i.latest.source, i.latest.line
                        )
                    }
                };
                if writeln!(stdout, "{line}")
                    .and_then(|_| stdout.flush())
                    .is_err()
                {
                    break;
                }
            }
        });
    if printer.is_err() {
        eprintln!("healdeck: cannot start the output thread");
        return ExitCode::from(2);
    }
    let stop = AtomicBool::new(false);
    let mut watcher = LiveWatcher::new(engine, &args.paths, WatchOptions::default());
    let ready = |n: usize| {
        eprintln!("healdeck: watching {n} file(s) for new failures; press Ctrl-C to stop");
    };
    match watcher.run(&stop, |alert| bus.publish(alert), ready) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("healdeck: {e}");
            ExitCode::from(2)
        }
    }
}

fn rules(args: RulesArgs) -> ExitCode {
    let (engine, errors) = load_engine(&args.sources);
    if args.check {
        let failures = samples::check_samples(&engine);
        let n: usize = engine
            .rules
            .rules
            .iter()
            .map(|r| r.spec.samples.len() + r.spec.not_samples.len())
            .sum();
        for f in &failures {
            println!("FAIL {f}");
        }
        println!(
            "{} rules, {} samples checked: {} passed, {} failed",
            engine.rules.rules.len(),
            n,
            n.saturating_sub(failures.len()),
            failures.len()
        );
        if !engine.prefilter.unfiltered_ids.is_empty() {
            println!(
                "note: no literal keyword for {} (slower scans): {}",
                engine.prefilter.unfiltered_ids.len(),
                engine.prefilter.unfiltered_ids.join(", ")
            );
        }
        return if failures.is_empty() && errors.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        };
    }
    for r in &engine.rules.rules {
        println!(
            "{:<40} {:<16} {:<9} {}",
            r.spec.id, r.spec.category, r.spec.severity, r.spec.title
        );
    }
    println!("{} rules", engine.rules.rules.len());
    if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    }
}

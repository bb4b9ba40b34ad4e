//! The command line: typed arguments (clap) → one library call → a sink (stdout, stderr).
//! One file per subcommand; what they share — rules sources, loading the engine, scanning,
//! failing with a message — is here.
//!
//! Exit status follows ripgrep's convention: 0 when the work ran, 1 when `--fail-on` found an
//! issue at or above the given severity (or a rules check or fix failed), 2 on unusable input.
//! An error is printed once, with the file and place it concerns.

mod avatar;
mod bundle;
mod diagnose;
mod drape;
mod eval;
mod explain;
mod fix;
mod gpu;
mod health;
mod mcp;
mod notify;
mod patterns;
mod prompt;
mod propose;
mod render;
mod rules;
mod selftest;

use clap::{Args, Parser, Subcommand};
use healdeck::dirs::NoDirs;
use healdeck_config::Dirs;
use healdeck_engine::rules::RulesError;
use healdeck_engine::{Engine, RuleSources, ScanControl, ScanOptions, ScanReport, scan};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "healdeck",
    version,
    about = "healdeck — a desktop control panel: log troubleshooter and garment renderer",
    long_about = "healdeck finds, classifies and groups failures in application logs and renders\n\
                  garments on avatars. Without a subcommand it opens the desktop window;\n\
                  `healdeck diagnose --help` is a good start on the command line."
)]
pub(crate) struct Cli {
    #[command(subcommand)]
    pub(crate) command: Option<Command>,
}

#[derive(Subcommand, Debug)]
pub(crate) enum Command {
    /// Find, classify and group every failure in log files and folders.
    Diagnose(diagnose::DiagnoseArgs),
    /// Plan and run the safe fixes for the issues in log files (class A unattended).
    Fix(fix::FixArgs),
    /// Write an encrypted support bundle (age) for a remote expert: report, redacted
    /// excerpts, environment, fix history, optionally log tails.
    Bundle(bundle::BundleArgs),
    /// Every line's template: the patterns of log files with counts, times and level mix.
    Patterns(patterns::PatternsArgs),
    /// Print the repair prompt (secrets redacted) for pasting into an AI coding assistant.
    Prompt(prompt::PromptArgs),
    /// Ask the configured AI model (ai.json) to explain an issue; only redacted text is sent.
    Explain(explain::ExplainArgs),
    /// Ask the AI model for a patch, verified by the project's check in a git worktree.
    Propose(propose::ProposeArgs),
    /// Run the health checks of health.toml once (cron) or continuously, acting within limits.
    Health(health::HealthArgs),
    /// Serve the Model Context Protocol on stdio for coding assistants (Claude Code, Cursor).
    Mcp(mcp::McpArgs),
    /// GPU readings: utilization, memory, temperature, power, clocks, processes.
    Gpu(gpu::GpuArgs),
    /// A body from measurements: requested and measured values, optionally as OBJ.
    Avatar(avatar::AvatarArgs),
    /// Sew a garment from its pattern and drape it on an avatar with the cloth solver.
    Drape(drape::DrapeArgs),
    /// Render a garment on an avatar (or an imported CLO3D/Marvelous Designer mesh) to PNG.
    Render(render::RenderArgs),
    /// List the rules in effect, or check every rule against its own samples.
    Rules(rules::RulesArgs),
    /// Score the engine on a corpus of logs with the issues each must give.
    Eval(eval::EvalArgs),
    /// Full System Test: rules, detection, a dry-run fix plan, redaction, renders, GPU probe.
    Selftest(selftest::SelftestArgs),
}

/// Runs one subcommand with the folders `main` resolved.
pub(crate) fn run(command: Command, dirs: Result<Dirs, NoDirs>) -> ExitCode {
    match command {
        Command::Diagnose(args) => diagnose::diagnose(&args, dirs.ok().as_ref()),
        Command::Rules(args) => rules::rules(&args, dirs.ok().as_ref()),
        Command::Eval(args) => eval::eval(&args, dirs.ok().as_ref()),
        Command::Fix(args) => fix::fix(&args, dirs),
        Command::Prompt(args) => prompt::prompt(&args, dirs.ok().as_ref()),
        Command::Patterns(args) => patterns::patterns(&args, dirs.ok().as_ref()),
        Command::Bundle(args) => bundle::bundle_command(&args, dirs.ok().as_ref()),
        Command::Mcp(args) => mcp::mcp(&args, dirs),
        Command::Health(args) => health::health_command(&args, dirs),
        Command::Explain(args) => explain::explain(&args, dirs),
        Command::Propose(args) => propose::propose_command(&args, dirs),
        Command::Render(args) => render::render(&args, dirs),
        Command::Avatar(args) => avatar::avatar(&args),
        Command::Drape(args) => drape::drape_command(&args, dirs),
        Command::Gpu(args) => gpu::gpu(&args),
        Command::Selftest(args) => selftest::selftest(&args, dirs.ok().as_ref()),
    }
}

/// Where rules come from, for every subcommand that loads them.
#[derive(Args, Debug)]
pub(crate) struct RuleArgs {
    /// Extra rules: a JSON file or a folder of them; overrides built-in rules with the same id.
    #[arg(long = "rules", value_name = "FILE_OR_DIR")]
    pub(crate) rules: Vec<PathBuf>,
    /// Ignore the rules in the user's config folder.
    #[arg(long)]
    pub(crate) no_user_rules: bool,
}

impl RuleArgs {
    fn sources(&self, dirs: Option<&Dirs>) -> RuleSources {
        RuleSources {
            user_folder: dirs.filter(|_| !self.no_user_rules).map(Dirs::user_rules),
            extra: self.rules.clone(),
        }
    }
}

/// Loads the rules, reporting each refused file on stderr (the others still apply).
pub(crate) fn load_engine(args: &RuleArgs, dirs: Option<&Dirs>) -> (Engine, Vec<RulesError>) {
    let (engine, errors) = Engine::load(&args.sources(dirs));
    for e in &errors {
        eprintln!("healdeck: rules file refused (built-in rules still apply): {e}");
    }
    (engine, errors)
}

/// Loads the rules and scans `paths`, reporting unreadable files on stderr.
pub(crate) fn scan_logs(
    args: &RuleArgs,
    dirs: Option<&Dirs>,
    paths: &[PathBuf],
) -> (Engine, Vec<RulesError>, ScanReport) {
    let (engine, rules_errors) = load_engine(args, dirs);
    let report = scan(
        &engine,
        paths,
        &ScanOptions::default(),
        &ScanControl::default(),
    );
    for e in &report.errors {
        eprintln!("healdeck: {e}");
    }
    (engine, rules_errors, report)
}

/// The issue a one-issue command works on: the one with `fingerprint`, else the worst. `Err`
/// is the exit: 2 for an unknown fingerprint, 0 when the logs hold no issue (`what` says
/// what there is then nothing to do, e.g. "explain").
pub(crate) fn pick_issue<'r>(
    report: &'r ScanReport,
    fingerprint: Option<&str>,
    what: &str,
) -> Result<&'r healdeck_engine::Issue, ExitCode> {
    let found = match fingerprint {
        Some(fp) => report.issues.iter().find(|i| i.fingerprint == fp),
        None => report.issues.first(),
    };
    found.ok_or_else(|| match fingerprint {
        Some(fp) => fail(format!("no issue with fingerprint {fp} in these logs")),
        None => {
            println!("No issues found: nothing to {what}.");
            ExitCode::SUCCESS
        }
    })
}

/// Nothing could be read: every path was missing or unreadable.
pub(crate) fn nothing_usable(report: &ScanReport) -> bool {
    report.stats.files == 0 && !report.errors.is_empty()
}

/// Prints `message` once and exits 2.
pub(crate) fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("healdeck: {message}");
    ExitCode::from(2)
}

/// Ctrl-C, SIGTERM or SIGHUP (a closed terminal).
pub(crate) async fn stop_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        if let (Ok(mut term), Ok(mut hangup)) = (
            signal(SignalKind::terminate()),
            signal(SignalKind::hangup()),
        ) {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => {}
                _ = term.recv() => {}
                _ = hangup.recv() => {}
            }
            return;
        }
    }
    let _ = tokio::signal::ctrl_c().await;
}

/// Sets `stop` on Ctrl-C, SIGTERM or SIGHUP, from a thread of its own, so a follower ends
/// the way it ends when asked: its reading programs (journalctl, ssh, podman) stopped with
/// it, its positions saved. Without a handler they would outlive a `timeout` or a `kill`.
pub(crate) fn stop_on_signal(stop: std::sync::Arc<std::sync::atomic::AtomicBool>) {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build();
    let Ok(runtime) = runtime else {
        return;
    };
    let started = std::thread::Builder::new()
        .name("healdeck-signals".into())
        .spawn(move || {
            runtime.block_on(stop_signal());
            stop.store(true, std::sync::atomic::Ordering::SeqCst);
            // Readers look at `stop` within a fraction of a second; one that does not
            // must not keep the process alive after the person asked it to end.
            std::thread::sleep(std::time::Duration::from_secs(5));
            std::process::exit(130);
        });
    if let Err(e) = started {
        tracing::warn!("cannot listen for Ctrl-C: {e}");
    }
}

//! `healdeck fix` and `healdeck prompt`: thin faces over `troubleshoot::fix` and
//! `troubleshoot::prompt`.

use super::{RuleSources, load_engine};
use crate::troubleshoot::fix::audit::{AuditLog, stats};
use crate::troubleshoot::fix::lock::FixLock;
use crate::troubleshoot::fix::packages::ProjectManifests;
use crate::troubleshoot::fix::{
    Decision, FixerConfig, Outcome, PlanContext, Runner, Step, backup, plan,
};
use crate::troubleshoot::{ScanControl, ScanOptions, prompt, scan};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

#[derive(Args, Debug)]
pub struct FixArgs {
    /// Log files or folders to diagnose and fix.
    #[arg(value_name = "PATH", required_unless_present_any = ["history", "stats", "restore"])]
    pub paths: Vec<PathBuf>,
    /// Print the plan and change nothing at all.
    #[arg(long)]
    pub dry_run: bool,
    /// Python interpreter for pip installs (default: fixer.json, then python3).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Allow the class B fixes of the issue with this fingerprint (repeatable).
    #[arg(long = "approve", value_name = "FINGERPRINT")]
    pub approve: Vec<String>,
    /// Show every fix attempt recorded in the audit log.
    #[arg(long, conflicts_with_all = ["stats", "restore", "dry_run"])]
    pub history: bool,
    /// Show success rate, attempts per issue and the most common fixes.
    #[arg(long, conflicts_with_all = ["restore", "dry_run"])]
    pub stats: bool,
    /// Put back what a fix moved or changed, by backup id.
    #[arg(long, value_name = "ID", conflicts_with = "dry_run")]
    pub restore: Option<String>,
    #[command(flatten)]
    pub sources: RuleSources,
}

#[derive(Args, Debug)]
pub struct PromptArgs {
    /// Log files or folders.
    #[arg(required = true, value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Only the issue with this fingerprint.
    #[arg(long, value_name = "FINGERPRINT")]
    pub fingerprint: Option<String>,
    /// Python interpreter whose packages are reported (default: fixer.json, then python3).
    #[arg(long, value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Size bound in characters (default: fixer.json's prompt_max_chars, 12000).
    #[arg(long, value_name = "N")]
    pub max_chars: Option<usize>,
    #[command(flatten)]
    pub sources: RuleSources,
}

fn data_dir() -> Result<PathBuf, String> {
    crate::paths::data_dir().ok_or_else(|| "no data folder (set HEALDECK_DATA_DIR)".to_string())
}

fn config(create: bool) -> Result<FixerConfig, String> {
    let loaded = if create {
        FixerConfig::load_or_create()
    } else {
        match FixerConfig::path() {
            Some(p) if p.exists() => FixerConfig::load(&p),
            _ => Ok(FixerConfig::default()),
        }
    };
    loaded.map_err(|e| e.to_string())
}

/// Loads the rules and scans `paths`, reporting unreadable files on stderr.
fn scan_logs(
    sources: &RuleSources,
    paths: &[PathBuf],
) -> (crate::troubleshoot::Engine, crate::troubleshoot::ScanReport) {
    let (engine, _) = load_engine(sources);
    let report = scan(
        &engine,
        paths,
        &ScanOptions::default(),
        &ScanControl::default(),
    );
    for e in &report.errors {
        eprintln!("healdeck: {e}");
    }
    (engine, report)
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("healdeck: {message}");
    ExitCode::from(2)
}

pub fn fix(args: FixArgs) -> ExitCode {
    let data = match data_dir() {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let audit = AuditLog::in_dir(&data);
    if args.history {
        return history(&audit);
    }
    if args.stats {
        let s = stats(&audit.read().0);
        println!(
            "issues worked on: {}  fixed: {}  unfixable: {}  success rate: {:.0}%  attempts: {} ({:.1} per issue)",
            s.issues,
            s.fixed,
            s.unfixable,
            s.success_rate * 100.0,
            s.attempts,
            s.average_attempts
        );
        let mut by: Vec<_> = s.by_action.iter().collect();
        by.sort_by_key(|(_, (n, _))| std::cmp::Reverse(*n));
        for (action, (n, ok)) in by {
            println!("  {action:<16} {n} attempt(s), {ok} fixed");
        }
        return ExitCode::SUCCESS;
    }
    if let Some(id) = &args.restore {
        return match backup::restore(&data, id) {
            Ok((n, conflicts)) => {
                println!("restored {n} item(s) from backup {id}");
                for c in &conflicts {
                    println!("  kept in the backup, something already exists at {c}");
                }
                ExitCode::SUCCESS
            }
            Err(e) => fail(e),
        };
    }
    let cfg = match config(!args.dry_run) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let (engine, report) = scan_logs(&args.sources, &args.paths);
    if report.stats.files == 0 && !report.errors.is_empty() {
        return ExitCode::from(2);
    }
    let manifests = ProjectManifests::near(&args.paths);
    let ctx = PlanContext {
        config: &cfg,
        python: args.python.as_deref(),
        approved: &args.approve,
        manifests: &manifests,
    };
    let plans = plan(&report.issues, &ctx);
    print_plan(&plans, args.dry_run);
    if args.dry_run {
        return ExitCode::SUCCESS;
    }
    if !plans
        .iter()
        .any(|p| p.fixes.iter().any(|f| f.decision == Decision::Run))
    {
        println!("\nNothing to run unattended.");
        return ExitCode::SUCCESS;
    }
    let _lock = match FixLock::acquire(&data) {
        Ok(l) => l,
        Err(e) => return fail(e),
    };
    println!();
    let runner = Runner {
        config: &cfg,
        engine: &engine,
        data_dir: data.clone(),
        audit,
    };
    let outcomes = runner.run(&plans, print_step);
    let bad = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Unfixable { .. }))
        .count();
    let fixed = outcomes
        .iter()
        .filter(|(_, o)| matches!(o, Outcome::Fixed { .. }))
        .count();
    println!("\n{fixed} fixed, {bad} unfixable. History: healdeck fix --history");
    if bad > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_plan(plans: &[crate::troubleshoot::fix::IssuePlan], dry_run: bool) {
    println!(
        "Fix plan{}:",
        if dry_run {
            " (dry run: nothing will change)"
        } else {
            ""
        }
    );
    if plans.is_empty() {
        println!("  no issues with recommended fixes");
    }
    for p in plans {
        let i = &p.issue;
        println!(
            "\n{} {}  [{}]  id {}",
            i.severity.badge(),
            i.title,
            i.category,
            i.fingerprint
        );
        for f in &p.fixes {
            let what = match &f.decision {
                Decision::Run => format!("will run: {}", f.action.describe()),
                Decision::NeedsApproval => format!(
                    "needs approval (--approve {}): {}",
                    i.fingerprint,
                    f.action.describe()
                ),
                Decision::AdviceOnly => "advice only".to_string(),
                Decision::Refused(why) => format!("not possible: {why}"),
            };
            println!("  [{}] {} — {what}", f.class, f.fix.description);
            for w in &f.warnings {
                println!("      ! {w}");
            }
        }
    }
}

fn print_step(step: &Step) {
    match step {
        Step::Start {
            fingerprint,
            attempt,
            action,
            command,
        } => {
            println!("→ {fingerprint} attempt {attempt}: {action}: {command}");
        }
        Step::Output { line, .. } => println!("    | {line}"),
        Step::Finished { output, backup, .. } => {
            // The action's lines were printed as they came; an action that could not start
            // says why here.
            if output.exit.is_none() && !output.timed_out {
                for l in output.output_tail.lines().take(8) {
                    println!("    | {l}");
                }
            }
            let status = match (output.timed_out, output.exit) {
                (true, _) => "timed out".to_string(),
                (_, Some(c)) => format!("exit {c}"),
                (_, None) => "did not run".to_string(),
            };
            println!(
                "    {status}{}",
                backup
                    .as_ref()
                    .map(|b| format!(", backup {b}"))
                    .unwrap_or_default()
            );
        }
        Step::Verified { ok, detail, .. } => println!(
            "    {} {detail}",
            if *ok {
                "✔ verified:"
            } else {
                "✘ not fixed:"
            }
        ),
        Step::Unfixable {
            fingerprint,
            attempts,
        } => {
            println!("✘ {fingerprint} marked unfixable after {attempts} attempt(s)");
        }
        Step::LimitReached { fingerprint, limit } => {
            println!("· {fingerprint} skipped: the limit of {limit} action(s) per run is reached");
        }
    }
}

fn history(audit: &AuditLog) -> ExitCode {
    let (entries, bad) = audit.read();
    if entries.is_empty() {
        println!("No fix attempts recorded yet ({}).", audit.path.display());
    }
    let mut last_fp = String::new();
    for e in entries.iter().filter(|e| e.phase != "start") {
        if e.fingerprint != last_fp {
            println!("\n{}  {}", e.fingerprint, e.issue);
            last_fp.clone_from(&e.fingerprint);
        }
        let when = crate::troubleshoot::timestamp::iso_of_unix(e.time as i64);
        if e.phase == "unfixable" {
            println!("  {when}  marked unfixable after {} attempt(s)", e.attempt);
            continue;
        }
        println!(
            "  {when}  attempt {}  {}  `{}`  → {}{}",
            e.attempt,
            e.action,
            e.argv.join(" "),
            e.result,
            e.exit_status
                .map(|c| format!(" (exit {c})"))
                .unwrap_or_default()
        );
    }
    if bad > 0 {
        eprintln!(
            "healdeck: {bad} unreadable line(s) in {}",
            audit.path.display()
        );
    }
    ExitCode::SUCCESS
}

pub fn prompt(args: PromptArgs) -> ExitCode {
    let cfg = match config(false) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let (_, report) = scan_logs(&args.sources, &args.paths);
    let issues: Vec<_> = report
        .issues
        .iter()
        .filter(|i| {
            args.fingerprint
                .as_ref()
                .is_none_or(|f| &i.fingerprint == f)
        })
        .collect();
    if issues.is_empty() {
        return match &args.fingerprint {
            Some(f) => fail(format!("no issue with fingerprint {f} in these logs")),
            None => {
                println!("No issues found.");
                ExitCode::SUCCESS
            }
        };
    }
    let audit = data_dir().ok().map(|d| AuditLog::in_dir(&d));
    let python = cfg.python(args.python.as_deref());
    let max = args.max_chars.unwrap_or(cfg.prompt_max_chars).max(1000);
    let mut texts = Vec::new();
    for issue in issues {
        let env = prompt::environment(issue, &python, Duration::from_secs(10));
        let attempts = audit
            .as_ref()
            .map(|a| a.attempts(&issue.fingerprint))
            .unwrap_or_default();
        let p = prompt::build(issue, &env, &attempts, max);
        let kinds: Vec<String> = p
            .redactions
            .iter()
            .map(|(k, n)| format!("{k}×{n}"))
            .collect();
        eprintln!(
            "healdeck: prompt for {}: {} characters{}, {} secret(s) redacted{}",
            issue.fingerprint,
            p.text.chars().count(),
            if p.trimmed { " (trimmed to fit)" } else { "" },
            p.redactions.values().sum::<usize>(),
            if kinds.is_empty() {
                String::new()
            } else {
                format!(" ({})", kinds.join(", "))
            }
        );
        texts.push(p.text);
    }
    println!("{}", texts.join("\n\n---\n\n"));
    ExitCode::SUCCESS
}

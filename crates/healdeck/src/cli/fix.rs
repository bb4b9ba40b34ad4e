//! `healdeck fix`: plan and run the safe fixes for the issues in logs (a fix session), or
//! show the audit log's history and statistics, or restore a backup.

use super::{RuleArgs, fail, nothing_usable, scan_logs};
use clap::Args;
use healdeck::dirs::NoDirs;
use healdeck_config::Dirs;
use healdeck_engine::fix::audit::{AuditLog, stats};
use healdeck_engine::fix::learn::Outcomes;
use healdeck_engine::fix::{Decision, FixRequest, IssuePlan, SessionEvent, Step, restore, session};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct FixArgs {
    /// Log files or folders to diagnose and fix, or sources such as journal:, ssh://host/path.
    #[arg(value_name = "PATH", required_unless_present_any = ["history", "stats", "restore"])]
    paths: Vec<PathBuf>,
    /// Print the plan and change nothing at all.
    #[arg(long)]
    dry_run: bool,
    /// Python interpreter for pip installs (default: fixer.json, then python3).
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    /// Allow the class B fixes of the issue with this fingerprint (repeatable).
    #[arg(long = "approve", value_name = "FINGERPRINT")]
    approve: Vec<String>,
    /// Show every fix attempt recorded in the audit log.
    #[arg(long, conflicts_with_all = ["stats", "restore", "dry_run"])]
    history: bool,
    /// Show success rate, attempts per issue and the most common fixes.
    #[arg(long, conflicts_with_all = ["restore", "dry_run"])]
    stats: bool,
    /// Put back what a fix moved or changed, by backup id.
    #[arg(long, value_name = "ID", conflicts_with = "dry_run")]
    restore: Option<String>,
    #[command(flatten)]
    sources: RuleArgs,
}

pub(crate) fn fix(args: &FixArgs, dirs: Result<Dirs, NoDirs>) -> ExitCode {
    let dirs = match dirs {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let audit = AuditLog::in_dir(dirs.data());
    if args.history {
        return history(&audit);
    }
    if args.stats {
        return print_stats(&audit);
    }
    if let Some(id) = &args.restore {
        return restore_backup(&dirs, id);
    }
    let (engine, _, report) = scan_logs(&args.sources, Some(&dirs), &args.paths);
    if nothing_usable(&report) {
        return ExitCode::from(2);
    }
    let request = FixRequest {
        issues: report.issues,
        log_paths: args.paths.clone(),
        python: args.python.clone(),
        approved: args.approve.clone(),
        only_approved: false,
        dry_run: args.dry_run,
    };
    let mut started = false;
    let result = session(&engine, &dirs, &request, |event| match event {
        SessionEvent::Planned(plans) => print_plan(plans, args.dry_run),
        SessionEvent::Step(step) => {
            if !started {
                started = true;
                println!();
            }
            print_step(step);
        }
    });
    let done = match result {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    if args.dry_run {
        return ExitCode::SUCCESS;
    }
    if done.outcomes.is_empty() {
        println!("\nNothing to run unattended.");
        return ExitCode::SUCCESS;
    }
    let (fixed, bad) = (done.fixed(), done.unfixable());
    println!("\n{fixed} fixed, {bad} unfixable. History: healdeck fix --history");
    if bad > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn restore_backup(dirs: &Dirs, id: &str) -> ExitCode {
    match restore(dirs.data(), id) {
        Ok((n, conflicts)) => {
            println!("restored {n} item(s) from backup {id}");
            for c in &conflicts {
                println!("  kept in the backup, something already exists at {c}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(e),
    }
}

fn print_stats(audit: &AuditLog) -> ExitCode {
    let entries = audit.read().0;
    let s = stats(&entries);
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
    let learned = Outcomes::from_audit(&entries);
    if learned.iter().next().is_some() {
        println!("by rule (moves each fix's confidence and the order fixes are tried):");
        for (rule, kind, n, ok) in learned.iter() {
            println!(
                "  {rule:<32} {kind:<16} {ok}/{n} fixed ({:.0}%)",
                f64::from(ok) * 100.0 / f64::from(n.max(1))
            );
        }
    }
    ExitCode::SUCCESS
}

fn print_plan(plans: &[IssuePlan], dry_run: bool) {
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
            println!(
                "  [{} {:.0}%] {} — {what}",
                f.class,
                f.fix.confidence * 100.0,
                f.fix.description
            );
            if let Some(l) = f.fix.learned {
                println!(
                    "      fixed it {} of {} time(s) for this rule (the rule says {:.0}%)",
                    l.fixed,
                    l.attempts,
                    l.rule_confidence * 100.0
                );
            }
            if let Some(t) = &f.target {
                println!("      → in {t}");
            }
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
        let when = healdeck_config::clock::iso_of_unix(e.time as i64);
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

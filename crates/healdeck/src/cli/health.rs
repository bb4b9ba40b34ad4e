//! `healdeck health`: run the checks of `health.toml` once (cron) or continuously (`--watch`),
//! printing each result (text, or JSON lines with `--json`), each action's steps and each
//! notice; exit 1 when a check at or above `--fail-on` is failing. `--reset NAME` closes a
//! check's circuit breaker.

use super::fail;
use clap::Args;
use healdeck::dirs::NoDirs;
use healdeck_config::Dirs;
use healdeck_engine::Severity;
use healdeck_engine::fix::Step;
use healdeck_engine::health::{self, CheckState, Control, HealthEvent, Options};
use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex};

#[derive(Args, Debug)]
pub(crate) struct HealthArgs {
    /// The checks (default: health.toml in the config folder).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Run every check once and exit (the default without --watch).
    #[arg(long, conflicts_with = "watch")]
    once: bool,
    /// Keep running every check on its interval until interrupted.
    #[arg(long)]
    watch: bool,
    /// One JSON object per result: {"check", "kind", "ok", "latency_ms", "detail", "time"}.
    #[arg(long)]
    json: bool,
    /// Exit 1 when a check of this severity or worse is failing (critical, high, medium, low).
    #[arg(long, value_name = "SEVERITY")]
    fail_on: Option<Severity>,
    /// Let the class B action of this check run (repeatable).
    #[arg(long = "approve", value_name = "CHECK")]
    approve: Vec<String>,
    /// Close this check's circuit breaker and start counting its actions again, then exit.
    #[arg(long, value_name = "CHECK", conflicts_with_all = ["watch", "once"])]
    reset: Option<String>,
}

pub(crate) fn health_command(args: &HealthArgs, dirs: Result<Dirs, NoDirs>) -> ExitCode {
    let dirs = match dirs {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let file = args
        .config
        .clone()
        .unwrap_or_else(|| health::default_file(&dirs));
    let config = match health::config::load(&file) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    if let Some(name) = &args.reset {
        return reset(&dirs, &config, name);
    }
    if config.checks.is_empty() {
        return fail(format!(
            "{} holds no checks; add a [[check]] table (see the README's Health section)",
            file.display()
        ));
    }
    if let Some(unknown) = args
        .approve
        .iter()
        .find(|a| !config.checks.iter().any(|c| &c.name == *a))
    {
        return fail(format!(
            "--approve {unknown}: {} has no such check",
            file.display()
        ));
    }
    let severities: HashMap<String, Severity> = config
        .checks
        .iter()
        .map(|c| (c.name.clone(), c.severity))
        .collect();
    let failing = Arc::new(Mutex::new(HashMap::<String, bool>::new()));
    let sink = printer(args.json, failing.clone());
    let options = Options {
        dirs,
        approved: args.approve.clone(),
        once: !args.watch,
    };
    // One thread runs the monitor's tasks (they only wait and decide); probes that block run
    // on the runtime's blocking pool. Fewer threads to wake, less CPU per check.
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => return fail(format!("cannot start the monitor: {e}")),
    };
    let control = Control::new();
    let stopper = control.clone();
    rt.block_on(async move {
        tokio::spawn(async move {
            super::stop_signal().await;
            stopper.stop();
            // A second Ctrl-C does not wait for a probe or an action to end.
            super::stop_signal().await;
            std::process::exit(130);
        });
        health::monitor::run(config, options, control, sink).await;
    });
    // A probe stuck on a hung mount or resolver is not waited for.
    rt.shutdown_timeout(std::time::Duration::from_secs(2));
    let failing = failing.lock().map(|m| m.clone()).unwrap_or_default();
    let worst = failing
        .iter()
        .filter(|(_, f)| **f)
        .filter_map(|(name, _)| severities.get(name))
        .min();
    if !args.json {
        let down = failing.values().filter(|f| **f).count();
        println!(
            "{} check(s): {} failing",
            failing.len(),
            if down == 0 {
                "none".to_string()
            } else {
                down.to_string()
            }
        );
    }
    match (args.fail_on, worst) {
        (Some(threshold), Some(w)) if w.at_least(threshold) => ExitCode::from(1),
        _ => ExitCode::SUCCESS,
    }
}

/// Prints each event as it comes; remembers which checks are failing for the exit status.
fn printer(json: bool, failing: Arc<Mutex<HashMap<String, bool>>>) -> health::monitor::Sink {
    Arc::new(move |event| match event {
        HealthEvent::Result(result, status) => {
            if let Ok(mut m) = failing.lock() {
                m.insert(result.check.clone(), status.failing);
            }
            if json {
                if let Ok(line) = serde_json::to_string(&result) {
                    println!("{line}");
                }
                return;
            }
            let mark = match (result.unavailable, result.ok) {
                (true, _) => "–",
                (_, true) => "✔",
                _ => "✘",
            };
            let mut state = String::new();
            if status.failing {
                state.push_str("  [failing]");
            }
            if status.breaker_open {
                state.push_str("  [breaker open]");
            }
            println!(
                "{} {mark} {:<20} {:<8} {}{state}",
                result.time, result.check, result.kind, result.detail
            );
        }
        HealthEvent::Issue(issue) => {
            if !json {
                println!(
                    "  issue {} {} ({}, {} failing cycle(s)): {}",
                    issue.fingerprint,
                    issue.state.as_str(),
                    issue.severity,
                    issue.count,
                    issue.title
                );
            }
        }
        HealthEvent::Action(check, step) => print_step(&check, &step, json),
        HealthEvent::Notice(check, message) => {
            eprintln!("healdeck: health check '{check}': {message}")
        }
    })
}

fn print_step(check: &str, step: &Step, json: bool) {
    // JSON lines stay results only; action steps go to stderr there.
    let line = match step {
        Step::Start {
            attempt, command, ..
        } => format!("  → {check}: action (attempt {attempt}): {command}"),
        Step::Output { line, .. } => format!("    {line}"),
        Step::Finished { output, .. } => format!(
            "  → {check}: action ended ({})",
            match (output.timed_out, output.exit) {
                (true, _) => "stopped at the time limit".to_string(),
                (_, Some(c)) => format!("exit {c}"),
                _ => "did not start".to_string(),
            }
        ),
        Step::Verified { ok, detail, .. } => format!(
            "  → {check}: {} — {detail}",
            if *ok { "verified" } else { "not verified" }
        ),
        Step::Unfixable { attempts, .. } => format!("  → {check}: unfixable after {attempts}"),
        Step::LimitReached { limit, .. } => format!("  → {check}: limit of {limit} reached"),
    };
    if json {
        eprintln!("{line}");
    } else {
        println!("{line}");
    }
}

fn reset(dirs: &Dirs, config: &health::HealthConfig, name: &str) -> ExitCode {
    if !config.checks.iter().any(|c| c.name == name) {
        return fail(format!("{} has no check '{name}'", config.file.display()));
    }
    let (mut state, _) = CheckState::load(dirs.data(), name);
    let was_open = state.breaker_open;
    state.reset();
    if let Err(e) = state.save(dirs.data(), name) {
        return fail(format!("cannot save the state of '{name}': {e}"));
    }
    // A monitor running this check (--watch, the window) would save its own state over this
    // one: it takes the reset from this file at its next cycle.
    let asked = health::state::reset_request_of(dirs.data(), name);
    if let Err(e) = std::fs::write(&asked, b"reset\n") {
        return fail(format!("cannot write {}: {e}", asked.display()));
    }
    println!(
        "{name}: {}; its actions count from zero again",
        if was_open {
            "circuit breaker closed"
        } else {
            "the breaker was not open"
        }
    );
    ExitCode::SUCCESS
}

//! `healdeck rules`: list the rules in effect, or (`--check`) run every rule's samples and
//! look-alikes through the whole engine.

use super::{RuleArgs, load_engine};
use clap::Args;
use healdeck_config::Dirs;
use healdeck_engine::samples;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct RulesArgs {
    #[command(flatten)]
    sources: RuleArgs,
    /// Run every rule's samples and not_samples through the engine; exit 1 on any failure.
    #[arg(long)]
    check: bool,
}

pub(crate) fn rules(args: &RulesArgs, dirs: Option<&Dirs>) -> ExitCode {
    let (engine, errors) = load_engine(&args.sources, dirs);
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

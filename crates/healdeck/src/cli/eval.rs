//! `healdeck eval CORPUS`: the scored evaluation — every file a corpus's `expected.json` lists
//! is diagnosed and scored against it (recall, category and severity accuracy, false issues).

use super::{RuleArgs, load_engine};
use clap::Args;
use healdeck_config::Dirs;
use healdeck_engine::eval::{Scores, evaluate};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct EvalArgs {
    /// A corpus folder: log files and an `expected.json` naming, for each, the issues it must
    /// give (`crates/healdeck-engine/tests/corpus` in the source tree).
    #[arg(value_name = "CORPUS")]
    corpus: PathBuf,
    #[command(flatten)]
    sources: RuleArgs,
    /// Print the scores as one JSON object.
    #[arg(long)]
    json: bool,
    /// Exit 1 when any expected issue is missed or misjudged, or any false issue is reported.
    #[arg(long)]
    strict: bool,
}

pub(crate) fn eval(args: &EvalArgs, dirs: Option<&Dirs>) -> ExitCode {
    let (engine, _) = load_engine(&args.sources, dirs);
    let scores = match evaluate(&engine, &args.corpus) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("healdeck: {e}");
            return ExitCode::from(2);
        }
    };
    if args.json {
        match serde_json::to_string_pretty(&scores) {
            Ok(j) => println!("{j}"),
            Err(e) => {
                eprintln!("healdeck: {e}");
                return ExitCode::from(2);
            }
        }
    } else {
        print_scores(&scores);
    }
    if args.strict && !scores.misses.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn print_scores(s: &Scores) {
    let pct = |x: f64| x * 100.0;
    println!(
        "{} files, {} expected issues: recall {:.1} % ({} found), category {:.1} %, severity {:.1} %, rule {}/{}; {} false issues",
        s.files,
        s.expected,
        pct(s.recall),
        s.found,
        pct(s.category_accuracy),
        pct(s.severity_accuracy),
        s.rule_right,
        s.expected,
        s.false_issues
    );
    for m in &s.misses {
        println!("  {}:{}  want {}  got {}", m.file, m.line, m.want, m.got);
    }
}

//! `healdeck prompt`: the repair prompt of each issue in the logs (or of one fingerprint),
//! secrets redacted, for pasting into an AI coding assistant; what was redacted goes to stderr.

use super::{RuleArgs, fail, scan_logs};
use clap::Args;
use healdeck_config::Dirs;
use healdeck_engine::prompt;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct PromptArgs {
    /// Log files or folders, or sources such as journal:, ssh://host/path, docker://name.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Only the issue with this fingerprint.
    #[arg(long, value_name = "FINGERPRINT")]
    fingerprint: Option<String>,
    /// Python interpreter whose packages are reported (default: fixer.json, then python3).
    #[arg(long, value_name = "PATH")]
    python: Option<PathBuf>,
    /// Size bound in characters (default: fixer.json's prompt_max_chars, 12000).
    #[arg(long, value_name = "N")]
    max_chars: Option<usize>,
    #[command(flatten)]
    sources: RuleArgs,
}

pub(crate) fn prompt(args: &PromptArgs, dirs: Option<&Dirs>) -> ExitCode {
    let (_, _, report) = scan_logs(&args.sources, dirs, &args.paths);
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
    let mut texts = Vec::new();
    for issue in issues {
        let p = match prompt::for_issue(issue, dirs, args.python.as_deref(), args.max_chars) {
            Ok(p) => p,
            Err(e) => return fail(e),
        };
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

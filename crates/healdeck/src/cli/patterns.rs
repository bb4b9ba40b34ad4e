//! `healdeck patterns`: every line's template — the templates of log files with counts, first
//! and last time, level mix and a redacted example; `--lines` adds each line's template id.

use super::fail;
use clap::{Args, ValueEnum};
use healdeck_engine::patterns::{PatternOptions, PatternReport, mine};
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PatternFormat {
    Text,
    Json,
}

#[derive(Args, Debug)]
pub(crate) struct PatternsArgs {
    /// Log files or folders (as for `diagnose`: *.log, *.txt, rotated, .gz).
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = PatternFormat::Text)]
    format: PatternFormat,
    /// Also give every line's template id (JSON: "lines": [{"source", "line", "template_id"}]).
    #[arg(long)]
    lines: bool,
    /// Show only the N most frequent templates in text output.
    #[arg(long, value_name = "N", default_value_t = 50)]
    top: usize,
}

pub(crate) fn patterns(args: &PatternsArgs) -> ExitCode {
    let report = mine(
        &args.paths,
        &PatternOptions {
            keep_lines: args.lines,
            ..PatternOptions::default()
        },
    );
    for e in &report.errors {
        eprintln!("healdeck: {e}");
    }
    if report.stats.files == 0 && !report.errors.is_empty() {
        return ExitCode::from(2);
    }
    let out = match args.format {
        PatternFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(j) => j + "\n",
            Err(e) => return fail(e),
        },
        PatternFormat::Text => text(&report, args.top, args.lines),
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return ExitCode::from(2);
    }
    ExitCode::SUCCESS
}

fn text(r: &PatternReport, top: usize, lines: bool) -> String {
    let s = &r.stats;
    let mut out = format!(
        "healdeck {} — {} templates in {} file(s), {} lines in {:.2} s{}\n\n",
        healdeck_engine::VERSION,
        r.templates.len(),
        s.files,
        s.lines,
        s.seconds,
        if s.retired > 0 {
            format!(" ({} retired at the cap)", s.retired)
        } else {
            String::new()
        }
    );
    out.push_str(&format!(
        "{:>9}  {:<13}  {:<41}  template\n",
        "count", "errors/warns", "first seen → last seen"
    ));
    for t in r.templates.iter().take(top) {
        let span = match (&t.first_seen, &t.last_seen) {
            (Some(f), Some(l)) if f != l => format!("{f} → {l}"),
            (Some(f), _) => f.clone(),
            _ => "—".into(),
        };
        out.push_str(&format!(
            "{:>9}  {:<13}  {:<41}  #{} {}\n{:>9}  e.g. {}\n",
            t.count,
            format!("{}/{}", t.levels.error, t.levels.warn),
            span,
            t.id,
            t.template,
            "",
            t.example
        ));
    }
    if r.templates.len() > top {
        out.push_str(&format!(
            "… {} more templates (--top N, or --format json for all)\n",
            r.templates.len() - top
        ));
    }
    if lines {
        for l in &r.lines {
            out.push_str(&format!("{}:{}\t#{}\n", l.source, l.line, l.template_id));
        }
    }
    out
}

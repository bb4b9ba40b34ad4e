//! `healdeck patterns`: every line's template — the templates of log files with counts, first
//! and last time, level mix and a redacted example; `--lines` adds each line's template id —
//! and the anomalies among them (new patterns, rate spikes, slow handlers, open sequences),
//! against the log's earlier part or a saved baseline (`--save-baseline`, `--baseline`).

use super::fail;
use clap::{Args, ValueEnum};
use healdeck_config::Dirs;
use healdeck_engine::patterns::{
    AnomalyOptions, Baseline, PatternOptions, PatternReport, baseline_path, mine,
};
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
    /// Save these logs as a healthy period named NAME, to compare later logs with.
    #[arg(long, value_name = "NAME", conflicts_with = "baseline")]
    save_baseline: Option<String>,
    /// Compare with the saved baseline NAME instead of the logs' own earlier part.
    #[arg(long, value_name = "NAME")]
    baseline: Option<String>,
    /// A handler whose p95 is over this many milliseconds is slow, whatever its baseline.
    #[arg(long, value_name = "MS")]
    slow_ms: Option<f64>,
    /// p95 now ÷ p95 in the baseline that makes a handler slow.
    #[arg(long, value_name = "FACTOR", default_value_t = 3.0)]
    slow_factor: f64,
    /// Seconds a begun sequence (`started`, `acquired` … with an id) may stay open.
    #[arg(long, value_name = "SECONDS", default_value_t = 60.0)]
    sequence_timeout: f64,
}

pub(crate) fn patterns(args: &PatternsArgs, dirs: Option<&Dirs>) -> ExitCode {
    let mut opts = PatternOptions {
        keep_lines: args.lines,
        anomalies: AnomalyOptions {
            slow_ms: args.slow_ms,
            slow_factor: args.slow_factor,
            sequence_timeout_s: args.sequence_timeout,
        },
        save_as: args.save_baseline.clone(),
        ..PatternOptions::default()
    };
    for (what, v) in [
        ("--slow-ms", args.slow_ms.unwrap_or(1.0)),
        ("--slow-factor", args.slow_factor),
        ("--sequence-timeout", args.sequence_timeout),
    ] {
        if !v.is_finite() || v <= 0.0 {
            eprintln!("healdeck: {what} must be a positive number, not {v}");
            return ExitCode::from(2);
        }
    }
    let named = args.baseline.as_ref().or(args.save_baseline.as_ref());
    let path = match named.map(|name| baseline_file(dirs, name)).transpose() {
        Ok(p) => p,
        Err(e) => {
            eprintln!("healdeck: {e}");
            return ExitCode::from(2);
        }
    };
    if args.baseline.is_some()
        && let Some(p) = &path
    {
        match Baseline::load(p) {
            Ok(b) => opts.compare = Some(b),
            Err(e) => {
                eprintln!("healdeck: {e}");
                return ExitCode::from(2);
            }
        }
    }
    let report = mine(&args.paths, &opts);
    for e in &report.errors {
        eprintln!("healdeck: {e}");
    }
    if report.stats.files == 0 && !report.errors.is_empty() {
        return ExitCode::from(2);
    }
    if let (Some(b), Some(p)) = (&report.baseline, &path) {
        if let Err(e) = b.save(p) {
            eprintln!("healdeck: {e}");
            return ExitCode::from(2);
        }
        eprintln!(
            "healdeck: saved baseline \"{}\" ({} templates, {} lines) to {}",
            b.name,
            b.templates.len(),
            b.lines,
            p.display()
        );
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

fn baseline_file(dirs: Option<&Dirs>, name: &str) -> Result<PathBuf, String> {
    let dirs = dirs.ok_or("no data folder to keep baselines in (set HEALDECK_DATA_DIR)")?;
    baseline_path(&dirs.baselines(), name).map_err(|e| e.to_string())
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
    if !r.anomalies.is_empty() {
        out.push_str(&format!("{} anomalies\n", r.anomalies.len()));
        for a in &r.anomalies {
            out.push_str(&format!(
                "  {:<8}  {}\n            {}\n",
                a.severity.as_str(),
                a.title,
                a.explanation
            ));
            if !a.source.is_empty() {
                out.push_str(&format!("            at {}:{}\n", a.source, a.line));
            }
        }
        out.push('\n');
    }
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
    if !r.handlers.is_empty() {
        out.push_str(&format!(
            "\n{:>9}  {:>9}  {:>9}  {:>9}  handler (durations in its lines)\n",
            "calls", "p50", "p95", "max"
        ));
        for h in r.handlers.iter().take(top) {
            out.push_str(&format!(
                "{:>9}  {:>9}  {:>9}  {:>9}  {}\n",
                h.calls,
                ms(h.p50_ms),
                ms(h.p95_ms),
                ms(h.max_ms),
                h.name
            ));
        }
    }
    if lines {
        for l in &r.lines {
            out.push_str(&format!("{}:{}\t#{}\n", l.source, l.line, l.template_id));
        }
    }
    out
}

fn ms(v: f64) -> String {
    if v >= 1000.0 {
        format!("{:.2} s", v / 1000.0)
    } else {
        format!("{v:.0} ms")
    }
}

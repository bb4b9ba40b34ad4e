//! What goes into a support bundle, every file redacted before it is packed: the report (JSON
//! and Markdown), one file per issue with its excerpt and context, the environment, the fix
//! audit history, and — when asked — the last lines of each log file.

use super::BundleOptions;
use crate::fix::audit::{AuditEntry, AuditLog};
use crate::group::Issue;
use crate::redact::{Redacted, redact, redact_issue};
use crate::report::{self, Format, Secrets};
use crate::rules::RulesError;
use crate::scan::ScanReport;
use serde::Serialize;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};

/// One file of the bundle.
#[derive(Debug, Clone)]
pub struct Entry {
    pub path: String,
    /// What it is, for the manifest.
    pub what: String,
    pub data: Vec<u8>,
}

/// Redactions made while building, by kind (counts only: a value never enters the bundle).
#[derive(Debug, Default)]
pub(super) struct Tally(pub BTreeMap<&'static str, usize>);

impl Tally {
    fn add(&mut self, r: &Redacted) {
        for (k, n) in &r.counts {
            *self.0.entry(k).or_default() += n;
        }
    }

    fn clean(&mut self, text: &str) -> String {
        let r = redact(text);
        self.add(&r);
        r.text
    }
}

/// Every entry but the manifest.
pub(super) fn entries(
    scan: &ScanReport,
    rules_errors: &[RulesError],
    opts: &BundleOptions,
) -> (Vec<Entry>, Tally) {
    let mut tally = Tally::default();
    let mut out = Vec::new();
    // The report's own redaction, counted by kind.
    let (clean, _) = report::redacted(scan);
    for issue in &scan.issues {
        let (_, found) = redact_issue(issue);
        for f in found {
            *tally.0.entry(f.kind).or_default() += 1;
        }
    }
    for (path, what, format) in [
        (
            "report.json",
            "the report, as `healdeck diagnose --format json`",
            Format::Json,
        ),
        (
            "report.md",
            "the report, as `healdeck diagnose --format markdown`",
            Format::Markdown,
        ),
    ] {
        let text = report::render(&clean, rules_errors, format, Secrets::Redact).text;
        out.push(Entry {
            path: path.into(),
            what: what.into(),
            data: text.into_bytes(),
        });
    }
    for (n, issue) in clean.issues.iter().enumerate() {
        out.push(Entry {
            path: format!("issues/{:02}-{}.txt", n + 1, issue.fingerprint),
            what: format!("issue {}: {}", issue.fingerprint, issue.title),
            data: issue_text(issue).into_bytes(),
        });
    }
    out.push(Entry {
        path: "environment.json".into(),
        what: "the machine: OS, CPU, memory, healdeck and its rules".into(),
        data: environment(scan, &mut tally).into_bytes(),
    });
    if let Some(data_dir) = &opts.data_dir {
        let (audit, bad) = AuditLog::in_dir(data_dir).read();
        let lines: Vec<String> = audit
            .iter()
            .map(|e| serde_json::to_string(&redact_entry(e, &mut tally)).unwrap_or_default())
            .collect();
        let skipped = if bad > 0 {
            format!(" ({bad} unreadable line(s) left out)")
        } else {
            String::new()
        };
        out.push(Entry {
            path: "fix-audit.jsonl".into(),
            what: format!("the fix audit history: {} entries{skipped}", audit.len()),
            data: (lines.join("\n") + if lines.is_empty() { "" } else { "\n" }).into_bytes(),
        });
    }
    if opts.log_tail_lines > 0 {
        for file in &scan.files {
            if let Some(tail) = log_tail(&file.path, opts.log_tail_lines, &mut tally) {
                let name = safe_name(&file.path);
                out.push(Entry {
                    path: format!("logs/{name}.tail.txt"),
                    what: format!(
                        "the last {} lines of {}",
                        opts.log_tail_lines,
                        tally.clean(&file.path)
                    ),
                    data: tail.into_bytes(),
                });
            }
        }
    }
    (out, tally)
}

/// One issue as a person reads it.
fn issue_text(issue: &Issue) -> String {
    let mut t = String::new();
    push_line!(
        t,
        "{} {} [{}] ×{}",
        issue.severity.badge(),
        issue.title,
        issue.category,
        issue.count
    );
    push_line!(t, "fingerprint: {}", issue.fingerprint);
    if let Some(rule) = &issue.rule {
        push_line!(t, "rule: {rule}");
    }
    push_line!(t, "group key: {}", issue.group_key);
    for o in &issue.occurrences {
        push_line!(
            t,
            "seen: {}:{}{}",
            o.source,
            o.line,
            o.timestamp
                .as_deref()
                .map(|ts| format!(" at {ts}"))
                .unwrap_or_default()
        );
    }
    for test in &issue.tests {
        push_line!(t, "test: {} ({})", test.id, test.outcome.as_str());
    }
    push_line!(t, "\nroot cause: {}", issue.root_cause);
    for f in &issue.fixes {
        push_line!(
            t,
            "fix [{} {:.0}%]: {}",
            f.class,
            f.confidence * 100.0,
            f.description
        );
    }
    if !issue.context_before.is_empty() {
        push_line!(
            t,
            "\n--- lines before ---\n{}",
            issue.context_before.join("\n")
        );
    }
    push_line!(t, "\n--- excerpt ---\n{}", issue.excerpt);
    if !issue.consequences.is_empty() {
        push_line!(
            t,
            "\n--- what followed ---\n{}",
            issue.consequences.join("\n")
        );
    }
    t
}

#[derive(Serialize)]
struct Environment {
    healdeck: &'static str,
    os: String,
    cpus: usize,
    memory_total: Option<String>,
    created: String,
    scanned: crate::scan::ScanStats,
    sources: Vec<String>,
    test_runs: Vec<crate::testreport::RunSummary>,
}

fn environment(scan: &ScanReport, tally: &mut Tally) -> String {
    let memory_total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        m.lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .map(|v| v.trim().to_string())
    });
    let env = Environment {
        healdeck: crate::VERSION,
        os: crate::prompt::os_description(),
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        memory_total,
        created: healdeck_config::clock::iso_of_unix(healdeck_config::clock::now_unix() as i64),
        scanned: scan.stats.clone(),
        sources: scan.files.iter().map(|f| tally.clean(&f.path)).collect(),
        test_runs: scan.test_runs.clone(),
    };
    serde_json::to_string_pretty(&env).unwrap_or_default()
}

/// An audit record with every free-text field redacted.
fn redact_entry(e: &AuditEntry, tally: &mut Tally) -> AuditEntry {
    AuditEntry {
        issue: tally.clean(&e.issue),
        argv: e.argv.iter().map(|a| tally.clean(a)).collect(),
        output_tail: tally.clean(&e.output_tail),
        backup: e.backup.as_deref().map(|b| tally.clean(b)),
        source: e.source.as_deref().map(|s| tally.clean(s)),
        verified: e.verified.as_deref().map(|v| tally.clean(v)),
        ..e.clone()
    }
}

/// The last `lines` lines of a local log file, redacted together (a key split over two lines
/// is still found); `None` for sources that are not files here.
fn log_tail(path: &str, lines: usize, tally: &mut Tally) -> Option<String> {
    let meta = std::fs::metadata(path).ok()?;
    if !meta.is_file() {
        return None;
    }
    let mut file = std::fs::File::open(path).ok()?;
    // Read at most the last 4 MiB: enough for any tail of a few hundred lines.
    let start = meta.len().saturating_sub(4 << 20);
    std::io::Seek::seek(&mut file, std::io::SeekFrom::Start(start)).ok()?;
    let mut kept = std::collections::VecDeque::with_capacity(lines + 1);
    for line in BufReader::new(file).split(b'\n') {
        let line = line.ok()?;
        let text: String = String::from_utf8_lossy(&line).chars().take(2000).collect();
        kept.push_back(text);
        if kept.len() > lines {
            kept.pop_front();
        }
    }
    let joined = kept.into_iter().collect::<Vec<_>>().join("\n");
    Some(tally.clean(&joined) + "\n")
}

/// A file name for a source path: its last two parts, other characters made `_`.
fn safe_name(path: &str) -> String {
    let parts: Vec<&str> = path.rsplit('/').take(2).collect();
    let name: String = parts
        .into_iter()
        .rev()
        .collect::<Vec<_>>()
        .join("_")
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .collect();
    let name = name.trim_start_matches('.');
    if name.is_empty() {
        "log".into()
    } else {
        name.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tails_are_redacted_and_names_safe() {
        let dir = tempfile::tempdir().expect("tmp");
        let log = dir.path().join("app.log");
        let body: String = (0..300).map(|n| format!("line {n}\n")).collect::<String>()
            + "ERROR login failed password=hunter2-secret-value\n";
        std::fs::write(&log, body).expect("write");
        let mut tally = Tally::default();
        let tail = log_tail(&log.display().to_string(), 5, &mut tally).expect("tail");
        assert_eq!(tail.lines().count(), 5);
        assert!(tail.starts_with("line 296"));
        assert!(!tail.contains("hunter2"), "{tail}");
        assert!(tally.0.values().sum::<usize>() >= 1);
        assert_eq!(safe_name("/var/log/nginx/error.log"), "nginx_error.log");
        assert_eq!(safe_name("../../.ssh"), "._.ssh".trim_start_matches('.'));
        assert_eq!(safe_name("ssh://web/var/log/a b.log"), "log_a_b.log");
    }
}

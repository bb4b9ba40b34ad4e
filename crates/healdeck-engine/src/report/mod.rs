//! Sinks for scan results: a readable terminal summary, a Markdown report for tickets, JSON for
//! programs, JSON lines for live alerts, and GitHub Actions' annotations and step summary
//! (`github`). All take the same `ScanReport`/`Issue`s.
//!
//! Every sink redacts by default: each issue's text fields go through `redact::redact_issue`
//! (and read errors through `redact`) before they are written, whatever the format. Showing
//! secrets is a choice made for a person's own terminal (`Secrets::Show`, `--no-redact`).

pub mod github;

use super::bus::{AlertKind, TroubleAlert};
use super::group::Issue;
use super::model::Severity;
use super::redact::{Finding, RedactMemo, redact, redact_issue, redact_issue_with};
use super::rules::RulesError;
use super::scan::{ScanReport, ScanStats};
use super::sources::SourceError;
use serde::Serialize;
use std::sync::Arc;

/// The report formats: one sink each, all over the same `ScanReport`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The terminal summary, with ANSI colors when `color`.
    Text {
        color: bool,
    },
    Markdown,
    Json,
    /// One JSON object per issue, as live alerts are printed.
    Jsonl,
    /// GitHub Actions workflow commands (`::error file=…,line=…::…`), one per issue; the
    /// Markdown summary for `$GITHUB_STEP_SUMMARY` is [`github::summary`].
    Github,
}

/// Whether an output hides secrets (the default, for everything that may leave this terminal)
/// or shows them as found (`--no-redact`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Secrets {
    #[default]
    Redact,
    Show,
}

/// A report as text, and what was redacted from it.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub text: String,
    pub findings: Vec<Finding>,
}

/// Each issue redacted, in order, shared out over the cores once there are enough of them to
/// be worth it (a report of hundreds of issues was a tenth of a scan's time on one core).
fn redact_issues(issues: &[Issue]) -> Vec<(Issue, Vec<Finding>)> {
    const PER_THREAD: usize = 32;
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let redact_all = |part: &[Issue]| {
        let mut memo = RedactMemo::default();
        part.iter()
            .map(|issue| redact_issue_with(issue, &mut memo))
            .collect::<Vec<_>>()
    };
    if issues.len() < 2 * PER_THREAD || threads < 2 {
        return redact_all(issues);
    }
    let share = issues.len().div_ceil(threads).max(PER_THREAD);
    std::thread::scope(|s| {
        let parts: Vec<_> = issues
            .chunks(share)
            .map(|part| {
                let handle = s.spawn(move || redact_all(part));
                (part, handle)
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|(part, handle)| {
                // A thread that could not finish leaves its share to be redacted here: an
                // issue is never dropped, nor let out unredacted.
                handle.join().unwrap_or_else(|_| redact_all(part))
            })
            .collect()
    })
}

/// The report with every issue and read error redacted, and what was removed.
pub fn redacted(report: &ScanReport) -> (ScanReport, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut issues = Vec::with_capacity(report.issues.len());
    for (clean, found) in redact_issues(&report.issues) {
        findings.extend(found);
        issues.push(clean);
    }
    let errors = report
        .errors
        .iter()
        .map(|e| {
            let r = redact(&e.message);
            findings.extend(r.findings);
            SourceError {
                path: e.path.clone(),
                message: r.text,
            }
        })
        .collect();
    let clean = ScanReport {
        stats: report.stats.clone(),
        issues,
        errors,
        files: report.files.clone(),
        test_runs: report.test_runs.clone(),
        cancelled: report.cancelled,
    };
    (clean, crate::redact::distinct(findings))
}

/// The whole report in `format`, secrets hidden unless `secrets` says show.
pub fn render(
    report: &ScanReport,
    rules_errors: &[RulesError],
    format: Format,
    secrets: Secrets,
) -> Rendered {
    let (clean, findings) = match secrets {
        Secrets::Redact => redacted(report),
        Secrets::Show => (
            ScanReport {
                stats: report.stats.clone(),
                issues: report.issues.clone(),
                errors: report.errors.clone(),
                files: report.files.clone(),
                test_runs: report.test_runs.clone(),
                cancelled: report.cancelled,
            },
            Vec::new(),
        ),
    };
    let text = match format {
        Format::Text { color } => text(&clean, rules_errors, color),
        Format::Markdown => markdown(&clean, rules_errors),
        Format::Json => json(&clean, rules_errors),
        Format::Github => github::commands(&clean, rules_errors),
        Format::Jsonl => clean
            .issues
            .iter()
            .map(|issue| {
                jsonl(&TroubleAlert {
                    kind: AlertKind::New,
                    issue: Arc::new(issue.clone()),
                    live: false,
                }) + "\n"
            })
            .collect(),
    };
    Rendered { text, findings }
}

/// One live alert as `diagnose --watch` prints it: a JSON line (`json`), or a one-line
/// summary with the severity in bold when `color`; secrets hidden unless `secrets` says show.
pub fn alert_line(alert: &TroubleAlert, json: bool, color: bool, secrets: Secrets) -> String {
    let shown;
    let alert = match secrets {
        Secrets::Show => alert,
        Secrets::Redact => {
            shown = TroubleAlert {
                kind: alert.kind,
                issue: Arc::new(redact_issue(&alert.issue).0),
                live: alert.live,
            };
            &shown
        }
    };
    if json {
        return jsonl(alert);
    }
    let i = &alert.issue;
    let label = format!("{} {}", i.severity.badge(), i.severity);
    let label = if color {
        format!("\x1b[1m{label}\x1b[0m")
    } else {
        label
    };
    format!(
        "{label}  {}  ×{}  [{}]  {}:{}",
        i.title, i.count, i.category, i.latest.source, i.latest.line
    )
}

#[derive(Serialize)]
struct JsonReport<'a> {
    healdeck: &'static str,
    scanned: &'a ScanStats,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    test_runs: &'a [crate::testreport::RunSummary],
    issues: &'a [Issue],
    errors: &'a [SourceError],
    rules_errors: Vec<String>,
}

/// The `--format json` document.
pub(crate) fn json(report: &ScanReport, rules_errors: &[RulesError]) -> String {
    let doc = JsonReport {
        healdeck: crate::VERSION,
        scanned: &report.stats,
        test_runs: &report.test_runs,
        issues: &report.issues,
        errors: &report.errors,
        rules_errors: rules_errors.iter().map(|e| e.to_string()).collect(),
    };
    serde_json::to_string_pretty(&doc).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

/// One `--format jsonl` line for a live alert.
pub(crate) fn jsonl(alert: &TroubleAlert) -> String {
    serde_json::to_string(alert).unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

fn human_bytes(n: u64) -> String {
    format_bytes(n, false)
}

/// 1536 → "1.5 KB" (decimal) or "1.5 KiB" (`binary`).
pub fn format_bytes(n: u64, binary: bool) -> String {
    let (step, units) = if binary {
        (1024.0, ["B", "KiB", "MiB", "GiB", "TiB"])
    } else {
        (1000.0, ["B", "KB", "MB", "GB", "TB"])
    };
    let mut v = n as f64;
    let mut u = 0;
    while v >= step && u < units.len() - 1 {
        v /= step;
        u += 1;
    }
    if u == 0 {
        format!("{n} B")
    } else {
        format!("{v:.1} {}", units[u])
    }
}

fn counts_line(issues: &[Issue]) -> String {
    let parts: Vec<String> = Severity::ALL
        .iter()
        .map(|s| (s, issues.iter().filter(|i| i.severity == *s).count()))
        .filter(|(_, n)| *n > 0)
        .map(|(s, n)| format!("{n} {s}"))
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(": {}", parts.join(", "))
    }
}

fn where_of(issue: &Issue) -> String {
    let o = &issue.occurrences[0];
    if let Some(check) = issue.captures.get("check").filter(|_| o.line == 0) {
        // A health check's issue: no log line, the check and what it watches.
        return format!("health check '{check}' ({})", o.source);
    }
    let span = if o.end_line > o.line {
        format!("{}:{}-{}", o.source, o.line, o.end_line)
    } else {
        format!("{}:{}", o.source, o.line)
    };
    if issue.count > 1 {
        format!("{span} (+{} more)", issue.count - 1)
    } else {
        span
    }
}

/// The failed tests of an issue from a test report, the first `shown` with their places.
pub(crate) fn tests_of(issue: &Issue, shown: usize) -> String {
    let mut parts: Vec<String> = issue
        .tests
        .iter()
        .take(shown)
        .map(|t| match (&t.file, t.line) {
            (Some(f), Some(l)) => format!("{} ({f}:{l})", t.id),
            (Some(f), None) => format!("{} ({f})", t.id),
            _ => t.id.clone(),
        })
        .collect();
    // Past the kept list only the count knows how many there were.
    let total = if issue.tests.len() >= crate::group::KEPT_TESTS {
        (issue.count as usize).max(issue.tests.len())
    } else {
        issue.tests.len()
    };
    let more = total.saturating_sub(shown);
    if more > 0 {
        parts.push(format!("+{more} more"));
    }
    parts.join(", ")
}

fn seen_of(issue: &Issue) -> Option<String> {
    match (&issue.first_seen, &issue.last_seen) {
        (Some(f), Some(l)) if f != l => Some(format!("first {f}, last {l}")),
        (Some(f), _) => Some(format!("at {f}")),
        _ => None,
    }
}

fn paint(text: &str, severity: Severity, color: bool) -> String {
    if !color {
        return text.to_string();
    }
    let code = match severity {
        Severity::Critical => "1;31",
        Severity::High => "1;38;5;208",
        Severity::Medium => "1;33",
        Severity::Low => "1;32",
    };
    format!("\x1b[{code}m{text}\x1b[0m")
}

/// The default terminal summary, worst first.
pub(crate) fn text(report: &ScanReport, rules_errors: &[RulesError], color: bool) -> String {
    let mut out = String::new();
    let s = &report.stats;
    push_line!(
        out,
        "healdeck {} — scanned {} file{}, {}, {} lines in {:.2} s{}",
        crate::VERSION,
        s.files,
        if s.files == 1 { "" } else { "s" },
        human_bytes(s.bytes),
        s.lines,
        s.seconds,
        if report.cancelled { " (cancelled)" } else { "" }
    );
    for e in rules_errors {
        push_line!(out, "warning: rules file refused: {e}");
    }
    for e in &report.errors {
        push_line!(out, "warning: could not read {e}");
    }
    for run in &report.test_runs {
        push_line!(out, "tests: {} — {}", run.path, run.line());
    }
    if report.issues.is_empty() {
        push_line!(out, "\nNo issues found.");
        return out;
    }
    push_line!(
        out,
        "{} issue{}{}\n",
        report.issues.len(),
        if report.issues.len() == 1 { "" } else { "s" },
        counts_line(&report.issues)
    );
    for issue in &report.issues {
        let label = format!(
            "{} {:<8}",
            issue.severity.badge(),
            issue.severity.as_str().to_uppercase()
        );
        let state = match issue.state {
            crate::group::IssueState::Open => String::new(),
            other => format!("  ({})", other.as_str()),
        };
        push_line!(
            out,
            "{}  {}  ×{}  [{}]{state}",
            paint(&label, issue.severity, color),
            issue.title,
            issue.count,
            issue.category
        );
        push_line!(out, "   where: {}", where_of(issue));
        if !issue.tests.is_empty() {
            push_line!(out, "   tests: {}", tests_of(issue, 5));
        }
        if let Some(seen) = seen_of(issue) {
            push_line!(out, "   seen:  {seen}");
        }
        push_line!(out, "   why:   {}", issue.root_cause);
        for f in &issue.fixes {
            push_line!(
                out,
                "   fix:   [{} {:>3.0}%] {}",
                f.class,
                f.confidence * 100.0,
                f.description
            );
        }
        push_line!(out, "   id:    {}", issue.fingerprint);
        out.push('\n');
    }
    out
}

/// A fence longer than any backtick run in `text`, so log text can't close it.
pub(crate) fn fence_for(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

fn md_cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// The Markdown report a person pastes into a ticket.
pub(crate) fn markdown(report: &ScanReport, rules_errors: &[RulesError]) -> String {
    let mut out = String::new();
    let s = &report.stats;
    push_line!(out, "# healdeck report\n");
    push_line!(
        out,
        "Scanned {} file(s), {}, {} lines in {:.2} s with healdeck {}. Found **{} issue(s)**{}.\n",
        s.files,
        human_bytes(s.bytes),
        s.lines,
        s.seconds,
        crate::VERSION,
        report.issues.len(),
        counts_line(&report.issues)
    );
    for e in rules_errors {
        push_line!(
            out,
            "> ⚠️ Rules file refused: {}\n",
            md_cell(&e.to_string())
        );
    }
    for e in &report.errors {
        push_line!(out, "> ⚠️ Could not read {}\n", md_cell(&e.to_string()));
    }
    for run in &report.test_runs {
        push_line!(out, "- Tests in `{}`: {}", md_cell(&run.path), run.line());
    }
    if !report.test_runs.is_empty() {
        out.push('\n');
    }
    if report.issues.is_empty() {
        return out;
    }
    push_line!(
        out,
        "| Severity | Issue | Category | Count | Last seen | Where |"
    );
    push_line!(out, "|---|---|---|---:|---|---|");
    for i in &report.issues {
        push_line!(
            out,
            "| {} {} | {} | {} | {} | {} | `{}` |",
            i.severity.badge(),
            i.severity,
            md_cell(&i.title),
            i.category,
            i.count,
            i.last_seen.as_deref().unwrap_or("—"),
            md_cell(&where_of(i))
        );
    }
    for i in &report.issues {
        push_line!(out, "\n## {} {}\n", i.severity.badge(), md_cell(&i.title));
        push_line!(out, "- **Severity:** {}  ", i.severity);
        push_line!(out, "- **Category:** {}  ", i.category);
        push_line!(out, "- **Count:** {}  ", i.count);
        if let Some(seen) = seen_of(i) {
            push_line!(out, "- **Seen:** {seen}  ");
        }
        push_line!(out, "- **Where:** `{}`  ", where_of(i));
        if !i.tests.is_empty() {
            push_line!(out, "- **Tests:** {}  ", md_cell(&tests_of(i, 20)));
        }
        push_line!(out, "- **Fingerprint:** `{}`\n", i.fingerprint);
        push_line!(out, "**Root cause.** {}\n", i.root_cause);
        if !i.fixes.is_empty() {
            push_line!(out, "**Recommended fixes**\n");
            for f in &i.fixes {
                push_line!(
                    out,
                    "- class {} · {:.0}% · {}",
                    f.class,
                    f.confidence * 100.0,
                    f.description
                );
            }
            out.push('\n');
        }
        let fence = fence_for(&i.excerpt);
        push_line!(
            out,
            "Log excerpt (quoted log data):\n\n{fence}text\n{}\n{fence}",
            i.excerpt
        );
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fences_outgrow_backticks() {
        assert_eq!(fence_for("plain"), "```");
        assert_eq!(fence_for("a ```` b"), "`````");
    }

    #[test]
    fn bytes_are_human() {
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(1_500_000), "1.5 MB");
    }
}

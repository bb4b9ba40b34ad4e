//! GitHub Actions: workflow commands that annotate the diff (`::error file=…,line=…,title=…::…`)
//! and the Markdown job summary for `$GITHUB_STEP_SUMMARY`.
//!
//! Values are escaped as GitHub's own toolkit does (`@actions/core`'s `command.ts`): in the
//! message `%`, CR and LF become `%25`, `%0D`, `%0A`; in properties `:` and `,` also become
//! `%3A` and `%2C`. GitHub shows at most 10 error and 10 warning annotations of a step (and 10
//! notices), so the worst [`PER_LEVEL`] of each level are written and the summary says how
//! many more there were.

use super::{markdown, tests_of, where_of};
use crate::group::Issue;
use crate::model::Severity;
use crate::rules::RulesError;
use crate::scan::ScanReport;

/// Annotations GitHub shows per level in one step.
pub const PER_LEVEL: usize = 10;
/// Bytes GitHub accepts in one step's summary (1 MiB); a longer one is cut with a note.
pub const SUMMARY_LIMIT: usize = 1 << 20;

/// `%`, CR and LF escaped, for a command's message.
pub fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A property value (`file`, `title`): the message's escapes plus `:` and `,`.
pub fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The annotation level of a severity.
fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low => "notice",
    }
}

/// Where an issue points in the repository: its first failed test's file and line, else its
/// first occurrence when that is a file (a journal or a remote host has no place in the diff).
fn place(issue: &Issue) -> Option<(String, Option<u64>)> {
    if let Some(t) = issue.tests.iter().find(|t| t.file.is_some()) {
        return t.file.clone().map(|f| (f, t.line));
    }
    let o = issue.occurrences.first()?;
    let is_stream = crate::remote::is_stream_text(&o.source)
        || crate::receive::is_listen_text(&o.source)
        || o.source.contains("://")
        || o.source.starts_with("syslog:")
        || o.source.starts_with("otlp:")
        || o.line == 0;
    (!is_stream).then(|| (crate::testreport::relative_file(&o.source), Some(o.line)))
}

/// One workflow command for an issue.
pub fn command(issue: &Issue) -> String {
    let mut props = Vec::new();
    if let Some((file, line)) = place(issue) {
        props.push(format!("file={}", escape_property(&file)));
        if let Some(line) = line {
            props.push(format!("line={line}"));
        }
    }
    let title = format!("{} [{}]: {}", issue.severity, issue.category, issue.title);
    props.push(format!("title={}", escape_property(&title)));
    let mut message = issue.root_cause.clone();
    if !issue.tests.is_empty() {
        message.push_str(&format!("\nTests: {}", tests_of(issue, 5)));
    } else {
        message.push_str(&format!("\nWhere: {}", where_of(issue)));
    }
    if let Some(fix) = issue.fixes.first() {
        message.push_str(&format!("\nFix: {}", fix.description));
    }
    format!(
        "::{} {}::{}",
        level(issue.severity),
        props.join(","),
        escape_data(&message)
    )
}

/// The issues that get an annotation (the worst [`PER_LEVEL`] of each level), and how many
/// were left out.
fn annotated(issues: &[Issue]) -> (Vec<&Issue>, usize) {
    let mut shown = Vec::new();
    let mut per: std::collections::HashMap<&str, usize> = Default::default();
    for issue in issues {
        let n = per.entry(level(issue.severity)).or_default();
        if *n < PER_LEVEL {
            *n += 1;
            shown.push(issue);
        }
    }
    let left = issues.len() - shown.len();
    (shown, left)
}

/// The commands for a whole report (issues already sorted worst first, and redacted).
pub(crate) fn commands(report: &ScanReport, rules_errors: &[RulesError]) -> String {
    let mut out = String::new();
    for e in rules_errors {
        push_line!(
            out,
            "::warning title=healdeck rules file refused::{}",
            escape_data(&e.to_string())
        );
    }
    for e in &report.errors {
        push_line!(
            out,
            "::warning title=healdeck could not read a source::{}",
            escape_data(&e.to_string())
        );
    }
    let (shown, _) = annotated(&report.issues);
    for issue in shown {
        push_line!(out, "{}", command(issue));
    }
    out
}

/// The job summary: the Markdown report, with a note on annotations left out, cut to GitHub's
/// limit (issues are redacted by the caller).
pub fn summary(report: &ScanReport, rules_errors: &[RulesError]) -> String {
    let (_, left) = annotated(&report.issues);
    let mut out = markdown(report, rules_errors);
    if left > 0 {
        out.push_str(&format!(
            "\n> {left} more issue(s) are in this summary but not annotated: GitHub shows {PER_LEVEL} annotations per level in a step.\n"
        ));
    }
    if out.len() > SUMMARY_LIMIT {
        let note = "\n\n> Summary cut at GitHub's 1 MiB limit: run `healdeck diagnose --format markdown` for all of it.\n";
        let mut end = SUMMARY_LIMIT - note.len();
        while !out.is_char_boundary(end) {
            end -= 1;
        }
        out.truncate(end);
        out.push_str(note);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::FailedTest;
    use crate::testreport::Outcome;

    #[test]
    fn escaping_follows_the_toolkit() {
        assert_eq!(
            escape_data("50% done\r\nnext: a,b"),
            "50%25 done%0D%0Anext: a,b"
        );
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn a_test_issue_points_at_its_test_and_a_log_issue_at_its_line() {
        let mut issue = Issue::example("f1", "junit.xml", 3);
        issue.severity = Severity::High;
        issue.title = "Connection refused: db:5432".into();
        issue.root_cause = "Nothing listens.\nStart it.".into();
        issue.tests = vec![FailedTest {
            id: "tests.test_app::test_db".into(),
            outcome: Outcome::Errored,
            file: Some("tests/test_app.py".into()),
            line: Some(8),
        }];
        assert_eq!(
            command(&issue),
            "::error file=tests/test_app.py,line=8,title=high [unknown]%3A Connection refused%3A db%3A5432::Nothing listens.%0AStart it.%0ATests: tests.test_app::test_db (tests/test_app.py:8)"
        );
        let mut log = Issue::example("f2", "logs/app.log", 41);
        log.severity = Severity::Medium;
        assert!(command(&log).starts_with("::warning file=logs/app.log,line=41,title="));
        let journal = Issue::example("f3", "journal:", 7);
        assert!(command(&journal).starts_with("::notice title="));
    }

    #[test]
    fn ten_annotations_per_level() {
        let issues: Vec<Issue> = (0..14)
            .map(|n| {
                let mut i = Issue::example(&format!("f{n}"), "a.log", n);
                i.severity = if n < 12 {
                    Severity::High
                } else {
                    Severity::Low
                };
                i
            })
            .collect();
        let (shown, left) = annotated(&issues);
        assert_eq!((shown.len(), left), (12, 2));
    }
}

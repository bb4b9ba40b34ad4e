//! Test reports as a source: JUnit XML (pytest `--junitxml`, Maven Surefire/Gradle,
//! cargo-nextest, Node's `--test-reporter=junit`, Playwright's junit reporter) and
//! Playwright's JSON report.
//!
//! A report is recognized by its content (the root element `<testsuites>`/`<testsuite>`, or a
//! JSON object with Playwright's `config` and `suites`), not by its name, parsed into
//! [`TestCase`]s, and each failed, errored or flaky case becomes an event for the same
//! classifier that reads logs (`triage`). XML is read without a DTD: a report that declares
//! one is refused, so no entity is ever expanded (billion laughs, external entities), and a
//! report over [`MAX_REPORT_BYTES`] is refused before it is read.

mod junit;
mod location;
mod playwright;
mod triage;

pub use location::relative_file;
pub(crate) use triage::add_run;

use serde::Serialize;
use std::io::Read;
use std::path::Path;

/// Reports larger than this are refused (a real report of 100 000 tests is ~50 MiB).
pub const MAX_REPORT_BYTES: u64 = 256 << 20;
/// Characters kept of one message, trace or captured output (the rest is marked as cut).
pub const MAX_TEXT_CHARS: usize = 32 << 10;
/// Bytes looked at to recognize a report.
const SNIFF_BYTES: usize = 8 << 10;

/// Which kind of report a file is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ReportKind {
    Junit,
    Playwright,
}

impl ReportKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ReportKind::Junit => "JUnit XML",
            ReportKind::Playwright => "Playwright JSON",
        }
    }
}

/// How one test ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Passed,
    /// Its check failed (`<failure>`, Playwright's `unexpected`).
    Failed,
    /// It could not run to its check (`<error>`: a fixture, a setup, an exception).
    Errored,
    Skipped,
    /// Failed, then passed on a retry.
    Flaky,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Passed => "passed",
            Outcome::Failed => "failed",
            Outcome::Errored => "errored",
            Outcome::Skipped => "skipped",
            Outcome::Flaky => "flaky",
        }
    }

    /// Failed, errored or flaky: something to triage.
    pub fn is_problem(self) -> bool {
        matches!(self, Outcome::Failed | Outcome::Errored | Outcome::Flaky)
    }
}

/// One test case as the report tells it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TestCase {
    /// `classname::name` (JUnit) or `file › suite › title` (Playwright).
    pub id: String,
    /// The test's source file and line, from the report or the failure's stack.
    pub file: Option<String>,
    pub line: Option<u64>,
    pub outcome: Option<Outcome>,
    /// The exception or failure type (`AssertionError`, `expect.toBe`).
    pub kind: Option<String>,
    pub message: String,
    pub trace: String,
    pub stdout: String,
    pub stderr: String,
    /// The line in the report where the case is.
    pub report_line: u64,
}

impl TestCase {
    pub fn outcome(&self) -> Outcome {
        self.outcome.unwrap_or(Outcome::Passed)
    }
}

/// A report, read.
#[derive(Debug, Clone, PartialEq)]
pub struct TestRun {
    pub kind: ReportKind,
    pub cases: Vec<TestCase>,
    /// Lines in the report.
    pub lines: u64,
    /// When the run started (the report's `timestamp` or `startTime`, else the file's
    /// modification time), as the engine writes times.
    pub started: Option<String>,
}

/// How a report's tests ended, for the report's header.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunSummary {
    pub path: String,
    pub kind: ReportKind,
    pub tests: usize,
    pub passed: usize,
    pub failed: usize,
    pub errored: usize,
    pub skipped: usize,
    pub flaky: usize,
}

impl RunSummary {
    pub fn of(path: &str, run: &TestRun) -> RunSummary {
        let [passed, failed, errored, skipped, flaky] = run.counts().map(|(_, n)| n);
        RunSummary {
            path: path.to_string(),
            kind: run.kind,
            tests: run.cases.len(),
            passed,
            failed,
            errored,
            skipped,
            flaky,
        }
    }

    /// `12 tests: 9 passed, 2 failed, 1 skipped` (outcomes with none left out).
    pub fn line(&self) -> String {
        let parts: Vec<String> = [
            (self.passed, "passed"),
            (self.failed, "failed"),
            (self.errored, "errored"),
            (self.flaky, "flaky"),
            (self.skipped, "skipped"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, w)| format!("{n} {w}"))
        .collect();
        format!("{} tests: {}", self.tests, parts.join(", "))
    }
}

impl TestRun {
    /// How many cases ended each way, in [`Outcome`] order.
    pub fn counts(&self) -> [(Outcome, usize); 5] {
        [
            Outcome::Passed,
            Outcome::Failed,
            Outcome::Errored,
            Outcome::Skipped,
            Outcome::Flaky,
        ]
        .map(|o| (o, self.cases.iter().filter(|c| c.outcome() == o).count()))
    }
}

/// The kind of report these first bytes begin, if any.
pub fn sniff(head: &[u8]) -> Option<ReportKind> {
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with('{') {
        let playwright = text.contains("\"config\"")
            && (text.contains("\"rootDir\"") || text.contains("\"configFile\""));
        return playwright.then_some(ReportKind::Playwright);
    }
    let mut rest = text;
    // Past the declaration, comments and a DOCTYPE (which parsing then refuses) to the root.
    loop {
        rest = rest.trim_start();
        if let Some(r) = rest.strip_prefix("<?") {
            rest = r.split_once("?>")?.1;
        } else if let Some(r) = rest.strip_prefix("<!--") {
            rest = r.split_once("-->")?.1;
        } else if rest.starts_with("<!DOCTYPE") || rest.starts_with("<!doctype") {
            rest = skip_doctype(rest)?;
        } else {
            break;
        }
    }
    let name: String = rest
        .strip_prefix('<')?
        .chars()
        .take_while(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | ':' | '.'))
        .collect();
    matches!(name.as_str(), "testsuites" | "testsuite").then_some(ReportKind::Junit)
}

/// The text after a `<!DOCTYPE …>`, internal subset included.
fn skip_doctype(text: &str) -> Option<&str> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' => depth = depth.saturating_sub(1),
            '>' if depth == 0 => return Some(&text[i + 1..]),
            _ => {}
        }
    }
    None
}

/// The kind of report the file at `path` is, if it is one (a regular file only: a pipe's
/// bytes would be taken from its reader).
pub fn sniff_file(path: &Path) -> Option<ReportKind> {
    if !std::fs::metadata(path).is_ok_and(|m| m.is_file()) {
        return None;
    }
    let mut head = Vec::with_capacity(SNIFF_BYTES);
    std::fs::File::open(path)
        .ok()?
        .take(SNIFF_BYTES as u64)
        .read_to_end(&mut head)
        .ok()?;
    sniff(&head)
}

/// True for names a folder walk looks into for reports (`*.xml`, `*.json`).
pub(crate) fn may_be_report(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    lower.ends_with(".xml") || lower.ends_with(".json")
}

/// Reads and parses the report at `path`; the error names the line where reading stopped.
pub fn read(path: &Path, kind: ReportKind) -> Result<TestRun, String> {
    let len = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if len > MAX_REPORT_BYTES {
        return Err(format!(
            "test report of {} MiB refused: the limit is {} MiB",
            len >> 20,
            MAX_REPORT_BYTES >> 20
        ));
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_REPORT_BYTES).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    let text = String::from_utf8_lossy(&bytes);
    let mut run = parse(&text, kind)?;
    if run.started.is_none() {
        run.started = std::fs::metadata(path)
            .and_then(|m| m.modified())
            .ok()
            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
            .map(|d| healdeck_config::clock::iso_of_unix(d.as_secs() as i64));
    }
    Ok(run)
}

/// Parses a report's text.
pub fn parse(text: &str, kind: ReportKind) -> Result<TestRun, String> {
    let (cases, started) = match kind {
        ReportKind::Junit => junit::parse(text)?,
        ReportKind::Playwright => playwright::parse(text)?,
    };
    // As log times are written (`2026-12-02T18:15:37`), whatever shape the runner used.
    let started = started
        .map(|s| crate::timestamp::parse(&s, crate::timestamp::FileDate::today()).unwrap_or(s));
    let lines = bytecount::count(text.as_bytes(), b'\n') as u64
        + u64::from(!text.is_empty() && !text.ends_with('\n'));
    Ok(TestRun {
        kind,
        cases,
        lines,
        started,
    })
}

/// Appends `text` to `out` up to [`MAX_TEXT_CHARS`] in all, marking a cut once.
pub(crate) fn push_capped(out: &mut String, text: &str) {
    const CUT: &str = "\n… (cut)";
    if out.ends_with(CUT) {
        return;
    }
    let room = MAX_TEXT_CHARS.saturating_sub(out.len());
    if text.len() <= room {
        out.push_str(text);
    } else {
        let mut end = room;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        out.push_str(&text[..end]);
        out.push_str(CUT);
    }
}

/// Text without terminal colour codes (Playwright's messages carry them).
pub(crate) fn strip_ansi(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\u{1b}' && chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if d.is_ascii_alphabetic() {
                    break;
                }
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_are_recognized_by_content() {
        let pytest =
            br#"<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">"#;
        assert_eq!(sniff(pytest), Some(ReportKind::Junit));
        let surefire = b"\xef\xbb\xbf<?xml version=\"1.0\"?>\n<!-- made by surefire -->\n<testsuite name=\"x\">";
        assert_eq!(sniff(surefire), Some(ReportKind::Junit));
        let playwright = br#"{
  "config": {
    "configFile": "/p/playwright.config.ts",
    "rootDir": "/p","#;
        assert_eq!(sniff(playwright), Some(ReportKind::Playwright));
        assert_eq!(sniff(b"<html><body>"), None);
        assert_eq!(sniff(br#"{"level":"error","msg":"x"}"#), None);
        assert_eq!(sniff(b"2026-01-01 ERROR <testsuite>"), None);
        let hostile = b"<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">]><testsuites>";
        assert_eq!(
            sniff(hostile),
            Some(ReportKind::Junit),
            "recognized, then refused"
        );
    }

    #[test]
    fn long_text_is_cut_once_on_a_char_boundary() {
        let mut s = String::new();
        push_capped(&mut s, &"é".repeat(MAX_TEXT_CHARS));
        assert!(s.len() <= MAX_TEXT_CHARS + 16);
        assert!(s.ends_with("… (cut)"));
        let before = s.len();
        push_capped(&mut s, "more");
        assert_eq!(s.len(), before);
        assert_eq!(strip_ansi("\u{1b}[31mred\u{1b}[39m text"), "red text");
    }
}

//! JUnit XML, as pytest, Surefire/Gradle, cargo-nextest, Node's test runner and Playwright
//! write it: `<testsuites>` → `<testsuite>` → `<testcase>` with `<failure>`, `<error>`,
//! `<skipped>`, Surefire's `<flakyFailure>`/`<rerunFailure>`, `<system-out>`/`<system-err>`.
//!
//! Read with quick-xml, which never expands entities; a DTD is refused outright, an entity
//! other than XML's five and character references is an error, and so is nesting deeper than
//! [`MAX_DEPTH`]. Every error names the report's line.

use super::location::{relative_file, trace_location};
use super::{Outcome, TestCase, push_capped};
use quick_xml::Reader;
use quick_xml::escape::resolve_predefined_entity;
use quick_xml::events::{BytesStart, Event};

/// Elements deeper than this are refused (real reports nest 3–5 deep).
const MAX_DEPTH: usize = 64;

/// Where text inside a test case goes.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Sink {
    None,
    Trace,
    /// A retry's failure (Surefire's flaky/rerun elements).
    Retry,
    Stdout,
    Stderr,
}

/// The parser's state over one document.
struct State {
    cases: Vec<TestCase>,
    current: Option<TestCase>,
    sink: Sink,
    /// A retry failed before the case passed (Surefire's `<flakyFailure>`).
    retried: bool,
    depth: usize,
    suite_file: Option<String>,
    /// The first suite's `timestamp`: when the run started.
    started: Option<String>,
}

/// Every test case in the report, repeats of one test (a rerun) merged, and when the run
/// started.
pub(super) fn parse(text: &str) -> Result<(Vec<TestCase>, Option<String>), String> {
    let mut reader = Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    let mut state = State {
        cases: Vec::new(),
        current: None,
        sink: Sink::None,
        retried: false,
        depth: 0,
        suite_file: None,
        started: None,
    };
    let mut lines = LineCounter::new(text);
    let mut root_seen = false;
    loop {
        let at = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| format!("line {}: {e}", lines.at(reader.error_position())))?;
        let line = lines.at(at);
        match event {
            Event::DocType(_) => {
                return Err(format!(
                    "line {line}: a DTD (<!DOCTYPE …>) is not allowed in a test report; its \
                     entities are refused, never expanded"
                ));
            }
            Event::Start(e) => {
                state.depth += 1;
                if state.depth > MAX_DEPTH {
                    return Err(format!(
                        "line {line}: elements nested deeper than {MAX_DEPTH}"
                    ));
                }
                if !root_seen {
                    root_seen = true;
                    check_root(&e, line)?;
                }
                state.start(&e, line, false)?;
            }
            Event::Empty(e) => {
                if !root_seen {
                    root_seen = true;
                    check_root(&e, line)?;
                }
                state.start(&e, line, true)?;
            }
            Event::End(e) => {
                state.depth = state.depth.saturating_sub(1);
                state.end(e.local_name().as_ref());
            }
            Event::Text(t) => {
                let t = t.decode().map_err(|e| format!("line {line}: {e}"))?;
                state.text(&t);
            }
            Event::CData(t) => {
                let t = t.decode().map_err(|e| format!("line {line}: {e}"))?;
                state.text(&t);
            }
            Event::GeneralRef(r) => {
                let resolved = match r.resolve_char_ref() {
                    Ok(Some(c)) => c.to_string(),
                    Ok(None) => {
                        let name = r.decode().map_err(|e| format!("line {line}: {e}"))?;
                        match resolve_predefined_entity(&name) {
                            Some(v) => v.to_string(),
                            None => {
                                return Err(format!(
                                    "line {line}: unknown entity &{name}; (a test report may \
                                     use only XML's predefined entities)"
                                ));
                            }
                        }
                    }
                    Err(e) => return Err(format!("line {line}: {e}")),
                };
                state.text(&resolved);
            }
            Event::Eof => break,
            Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
        }
    }
    if !root_seen {
        return Err("no <testsuites> or <testsuite> element".into());
    }
    Ok((merge_reruns(state.cases), state.started))
}

fn check_root(e: &BytesStart<'_>, line: u64) -> Result<(), String> {
    match e.local_name().as_ref() {
        b"testsuites" | b"testsuite" => Ok(()),
        other => Err(format!(
            "line {line}: the root element is <{}>, not <testsuites> or <testsuite>",
            String::from_utf8_lossy(other)
        )),
    }
}

/// An attribute's value, entities resolved (unknown ones are an error).
fn attr(e: &BytesStart<'_>, name: &[u8], line: u64) -> Result<Option<String>, String> {
    for a in e.attributes() {
        let a = a.map_err(|err| format!("line {line}: {err}"))?;
        if a.key.local_name().as_ref() == name {
            let v = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map_err(|err| format!("line {line}: attribute {}: {err}", show(name)))?;
            let mut capped = String::new();
            push_capped(&mut capped, &v);
            return Ok(Some(capped));
        }
    }
    Ok(None)
}

fn show(name: &[u8]) -> String {
    String::from_utf8_lossy(name).into_owned()
}

impl State {
    fn start(&mut self, e: &BytesStart<'_>, line: u64, empty: bool) -> Result<(), String> {
        let name = e.local_name();
        match name.as_ref() {
            b"testsuite" | b"testsuites" => {
                if name.as_ref() == b"testsuite" {
                    self.suite_file = attr(e, b"file", line)?;
                }
                if self.started.is_none() {
                    self.started = attr(e, b"timestamp", line)?.filter(|t| !t.is_empty());
                }
            }
            b"testcase" => {
                let name = attr(e, b"name", line)?.unwrap_or_default();
                let class = attr(e, b"classname", line)?.unwrap_or_default();
                let id = match (class.is_empty(), name.is_empty()) {
                    (false, false) => format!("{class}::{name}"),
                    (true, _) => name,
                    (false, true) => class,
                };
                let case = TestCase {
                    id,
                    file: attr(e, b"file", line)?.or_else(|| self.suite_file.clone()),
                    line: attr(e, b"line", line)?.and_then(|l| l.trim().parse().ok()),
                    report_line: line,
                    ..TestCase::default()
                };
                self.retried = false;
                if empty {
                    self.cases.push(case);
                } else {
                    self.current = Some(case);
                }
            }
            tag => {
                let Some(case) = self.current.as_mut() else {
                    return Ok(());
                };
                let (outcome, sink) = match tag {
                    b"failure" => (Some(Outcome::Failed), Sink::Trace),
                    b"error" => (Some(Outcome::Errored), Sink::Trace),
                    b"skipped" => (Some(Outcome::Skipped), Sink::None),
                    b"flakyFailure" | b"flakyError" | b"rerunFailure" | b"rerunError" => {
                        (None, Sink::Retry)
                    }
                    b"system-out" => (None, Sink::Stdout),
                    b"system-err" => (None, Sink::Stderr),
                    _ => (None, Sink::None),
                };
                if let Some(o) = outcome
                    && case.outcome.is_none()
                {
                    case.outcome = Some(o);
                }
                let failing = matches!(sink, Sink::Trace | Sink::Retry);
                if failing && case.message.is_empty() {
                    case.message = attr(e, b"message", line)?.unwrap_or_default();
                    case.kind = attr(e, b"type", line)?;
                }
                if sink == Sink::Retry {
                    self.retried = true;
                }
                if !empty {
                    self.sink = sink;
                }
            }
        }
        Ok(())
    }

    fn text(&mut self, text: &str) {
        let Some(case) = self.current.as_mut() else {
            return;
        };
        let target = match self.sink {
            Sink::None => return,
            // A retry's text matters only while no final failure has its own.
            Sink::Trace | Sink::Retry => &mut case.trace,
            Sink::Stdout => &mut case.stdout,
            Sink::Stderr => &mut case.stderr,
        };
        push_capped(target, text);
    }

    fn end(&mut self, name: &[u8]) {
        match name {
            b"testcase" => {
                if let Some(mut case) = self.current.take() {
                    if case.outcome.is_none() && self.retried {
                        case.outcome = Some(Outcome::Flaky);
                    }
                    finish(&mut case);
                    self.cases.push(case);
                }
                self.sink = Sink::None;
            }
            b"testsuite" => self.suite_file = None,
            b"failure" | b"error" | b"flakyFailure" | b"flakyError" | b"rerunFailure"
            | b"rerunError" | b"system-out" | b"system-err" => self.sink = Sink::None,
            _ => {}
        }
    }
}

/// Trims texts and finds the test's file and line in its stack when the report has none.
fn finish(case: &mut TestCase) {
    for t in [
        &mut case.message,
        &mut case.trace,
        &mut case.stdout,
        &mut case.stderr,
    ] {
        let trimmed = t.trim();
        if trimmed.len() != t.len() {
            *t = trimmed.to_string();
        }
    }
    if case.file.is_none()
        && let Some((file, line)) = trace_location(&case.trace)
    {
        case.file = Some(file);
        case.line = case.line.or(Some(line));
    }
    case.file = case.file.as_deref().map(relative_file);
}

/// One case per test: a test that appears more than once (a rerun written as another
/// `<testcase>`) is flaky when any run passed, else its last failure.
fn merge_reruns(cases: Vec<TestCase>) -> Vec<TestCase> {
    let mut out: Vec<TestCase> = Vec::with_capacity(cases.len());
    let mut index = std::collections::HashMap::new();
    for case in cases {
        match index.get(&case.id) {
            None => {
                index.insert(case.id.clone(), out.len());
                out.push(case);
            }
            Some(&i) => {
                let seen: &mut TestCase = &mut out[i];
                let (a, b) = (seen.outcome(), case.outcome());
                let passed_once = matches!(a, Outcome::Passed | Outcome::Flaky)
                    || matches!(b, Outcome::Passed | Outcome::Flaky);
                let failed_once = a.is_problem() || b.is_problem();
                if passed_once && failed_once {
                    if !a.is_problem() {
                        let line = seen.report_line;
                        *seen = case;
                        seen.report_line = line;
                    }
                    seen.outcome = Some(Outcome::Flaky);
                } else if b.is_problem() {
                    *seen = case;
                }
            }
        }
    }
    out
}

/// Line numbers of byte offsets, counted forward (offsets only grow while parsing).
struct LineCounter<'a> {
    text: &'a [u8],
    pos: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        LineCounter {
            text: text.as_bytes(),
            pos: 0,
            line: 1,
        }
    }

    fn at(&mut self, offset: u64) -> u64 {
        let to = usize::try_from(offset)
            .unwrap_or(usize::MAX)
            .min(self.text.len());
        if to > self.pos {
            self.line += bytecount::count(&self.text[self.pos..to], b'\n') as u64;
            self.pos = to;
        }
        self.line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PYTEST: &str = r#"<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="1" failures="1" skipped="1" tests="4" timestamp="2026-12-02T18:15:37.552361">
<testcase classname="tests.test_app" name="test_ok" time="0.001" />
<testcase classname="tests.test_app" name="test_status" time="0.001"><failure message="AssertionError: login returned 401&#10;assert 401 == 200">def test_status():
&gt;       assert status == 200, "login returned 401"
E       AssertionError: login returned 401

tests/test_app.py:5: AssertionError</failure></testcase>
<testcase classname="tests.test_app" name="test_db" time="0.006"><error message="failed on setup with &quot;ConnectionRefusedError: [Errno 111] Connection refused&quot;">E   ConnectionRefusedError: [Errno 111] Connection refused

/usr/lib/python3.11/socket.py:836: ConnectionRefusedError</error><system-out>connecting to db</system-out></testcase>
<testcase classname="tests.test_app" name="test_later"><skipped message="not yet" /></testcase>
</testsuite></testsuites>"#;

    #[test]
    fn pytest_cases_keep_outcome_message_trace_and_place() {
        let (cases, started) = parse(PYTEST).expect("parse");
        assert_eq!(started.as_deref(), Some("2026-12-02T18:15:37.552361"));
        let got: Vec<(&str, Outcome)> =
            cases.iter().map(|c| (c.id.as_str(), c.outcome())).collect();
        assert_eq!(
            got,
            [
                ("tests.test_app::test_ok", Outcome::Passed),
                ("tests.test_app::test_status", Outcome::Failed),
                ("tests.test_app::test_db", Outcome::Errored),
                ("tests.test_app::test_later", Outcome::Skipped),
            ]
        );
        let status = &cases[1];
        assert_eq!(
            status.message,
            "AssertionError: login returned 401\nassert 401 == 200"
        );
        assert!(
            status.trace.contains(">       assert status == 200"),
            "{}",
            status.trace
        );
        assert_eq!(status.file.as_deref(), Some("tests/test_app.py"));
        assert_eq!(status.line, Some(5));
        assert_eq!(status.report_line, 3);
        assert_eq!(cases[2].stdout, "connecting to db");
        assert_eq!(
            cases[2].file, None,
            "a frame outside the project is not the test's place"
        );
    }

    #[test]
    fn surefire_flaky_and_rerun_elements() {
        let xml = r#"<testsuite name="com.x.ApiTest" tests="2">
  <testcase name="retries" classname="com.x.ApiTest">
    <flakyFailure message="timeout" type="java.net.SocketTimeoutException">java.net.SocketTimeoutException: Read timed out</flakyFailure>
  </testcase>
  <testcase name="breaks" classname="com.x.ApiTest">
    <failure message="expected: &lt;200&gt; but was: &lt;500&gt;" type="org.opentest4j.AssertionFailedError">org.opentest4j.AssertionFailedError: expected: &lt;200&gt; but was: &lt;500&gt;</failure>
    <rerunFailure message="expected: &lt;200&gt; but was: &lt;500&gt;" type="org.opentest4j.AssertionFailedError"/>
  </testcase>
</testsuite>"#;
        let (cases, _) = parse(xml).expect("parse");
        assert_eq!(cases[0].outcome(), Outcome::Flaky);
        assert_eq!(
            cases[0].kind.as_deref(),
            Some("java.net.SocketTimeoutException")
        );
        assert!(cases[0].trace.contains("Read timed out"));
        assert_eq!(cases[1].outcome(), Outcome::Failed);
        assert_eq!(cases[1].message, "expected: <200> but was: <500>");
    }

    #[test]
    fn a_test_written_twice_failing_then_passing_is_flaky() {
        let xml = r#"<testsuites><testsuite name="s">
<testcase classname="c" name="t"><failure message="boom">boom</failure></testcase>
<testcase classname="c" name="t"/>
<testcase classname="c" name="u"><failure message="one">one</failure></testcase>
<testcase classname="c" name="u"><failure message="two">two</failure></testcase>
</testsuite></testsuites>"#;
        let (cases, _) = parse(xml).expect("parse");
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].outcome(), Outcome::Flaky);
        assert_eq!(cases[0].message, "boom");
        assert_eq!(cases[0].report_line, 2);
        assert_eq!(cases[1].outcome(), Outcome::Failed);
        assert_eq!(cases[1].message, "two");
    }

    #[test]
    fn hostile_xml_is_refused_with_its_line() {
        let laughs = "<?xml version=\"1.0\"?>\n<!DOCTYPE lolz [\n <!ENTITY lol \"lol\">\n <!ENTITY lol2 \"&lol;&lol;&lol;&lol;\">\n]>\n<testsuites><testcase name=\"&lol2;\"/></testsuites>";
        let err = parse(laughs).expect_err("DTD");
        assert!(err.starts_with("line 2: a DTD"), "{err}");
        let external =
            "<testsuites>\n<testcase name=\"x\"><failure>&xxe;</failure></testcase></testsuites>";
        let err = parse(external).expect_err("entity");
        assert!(err.contains("line 2: unknown entity &xxe;"), "{err}");
        let in_attr = "<testsuites><testcase name=\"&xxe;\"/></testsuites>";
        assert!(parse(in_attr).expect_err("attr").contains("line 1"));
        let deep = format!("<testsuites>{}", "<a>".repeat(100));
        assert!(parse(&deep).expect_err("deep").contains("nested deeper"));
        let broken = "<testsuites>\n<testcase name=\"x\">\n</testsuite>";
        assert!(parse(broken).expect_err("mismatch").starts_with("line 3"));
        assert!(parse("<html/>").expect_err("root").contains("<html>"));
        let huge = format!(
            "<testsuites><testcase name=\"{}\"/></testsuites>",
            "x".repeat(1 << 20)
        );
        let (cases, _) = parse(&huge).expect("a long name is cut, not refused");
        assert!(cases[0].id.len() < super::super::MAX_TEXT_CHARS + 16);
    }
}

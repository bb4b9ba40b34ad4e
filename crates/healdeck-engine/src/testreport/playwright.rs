//! Playwright's JSON report (`--reporter=json`): suites nest suites and specs; a spec has one
//! test per project, each with its results (one per attempt). A test's `status` says how it
//! ended — `expected`, `unexpected`, `flaky` (failed, then passed on a retry) or `skipped` —
//! and the first failed attempt's error is its message. Errors outside any test (a config
//! that does not load) become cases of their own.

use super::location::relative_file;
use super::{Outcome, TestCase, push_capped, strip_ansi};
use serde_json::Value;

/// Every test in the report, in report order, and when the run started.
pub(super) fn parse(text: &str) -> Result<(Vec<TestCase>, Option<String>), String> {
    let root: Value = serde_json::from_str(text)
        .map_err(|e| format!("line {}, column {}: {e}", e.line(), e.column()))?;
    let Some(suites) = root.get("suites").and_then(Value::as_array) else {
        return Err("not a Playwright report: no \"suites\" list".into());
    };
    let mut cases = Vec::new();
    for suite in suites {
        walk_suite(suite, &[], &mut cases, 0)?;
    }
    place_in_report(text, &mut cases);
    for (n, error) in root
        .get("errors")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
    {
        let mut case = TestCase {
            id: format!("(run error {})", n + 1),
            outcome: Some(Outcome::Errored),
            ..TestCase::default()
        };
        fill_error(&mut case, error);
        cases.push(case);
    }
    let started = root
        .pointer("/stats/startTime")
        .and_then(Value::as_str)
        .map(str::to_string);
    Ok((cases, started))
}

/// Each case's line in the report: where its spec's `"title": …` is written, searched in
/// report order (a JSON value has no line of its own once parsed).
fn place_in_report(text: &str, cases: &mut [TestCase]) {
    let mut from = 0;
    for case in cases.iter_mut() {
        let title = case.id.rsplit(" › ").next().unwrap_or("");
        let Ok(quoted) = serde_json::to_string(title) else {
            continue;
        };
        let needle = format!("\"title\": {quoted}");
        let found = text[from..]
            .find(&needle)
            .map(|i| from + i)
            .or_else(|| text.find(&needle));
        if let Some(at) = found {
            case.report_line = bytecount::count(&text.as_bytes()[..at], b'\n') as u64 + 1;
            from = at + needle.len();
        } else {
            case.report_line = 1;
        }
    }
}

fn text(v: &Value, key: &str) -> String {
    v.get(key).and_then(Value::as_str).unwrap_or("").to_string()
}

fn walk_suite(
    suite: &Value,
    titles: &[String],
    cases: &mut Vec<TestCase>,
    depth: usize,
) -> Result<(), String> {
    if depth > 64 {
        return Err("suites nested deeper than 64".into());
    }
    let mut titles = titles.to_vec();
    let title = text(suite, "title");
    if !title.is_empty() {
        titles.push(title);
    }
    for spec in suite
        .get("specs")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        for test in spec
            .get("tests")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            cases.push(case_of(spec, test, &titles));
        }
    }
    for inner in suite
        .get("suites")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
    {
        walk_suite(inner, &titles, cases, depth + 1)?;
    }
    Ok(())
}

fn case_of(spec: &Value, test: &Value, titles: &[String]) -> TestCase {
    let mut path: Vec<String> = titles.to_vec();
    let project = text(test, "projectName");
    if !project.is_empty() {
        path.insert(1.min(path.len()), project);
    }
    path.push(text(spec, "title"));
    let outcome = match test.get("status").and_then(Value::as_str) {
        Some("unexpected") => Outcome::Failed,
        Some("flaky") => Outcome::Flaky,
        Some("skipped") => Outcome::Skipped,
        _ => Outcome::Passed,
    };
    let file = spec.get("file").and_then(Value::as_str).map(relative_file);
    let mut case = TestCase {
        id: path.join(" › "),
        file,
        line: spec.get("line").and_then(Value::as_u64),
        outcome: Some(outcome),
        ..TestCase::default()
    };
    let results = test.get("results").and_then(Value::as_array);
    let failed = results.into_iter().flatten().find(|r| {
        r.get("status")
            .and_then(Value::as_str)
            .is_some_and(|s| s != "passed" && s != "skipped")
    });
    if let Some(result) = failed {
        if result.get("status").and_then(Value::as_str) == Some("timedOut")
            && outcome == Outcome::Failed
        {
            case.kind = Some("timeout".into());
        }
        if let Some(error) = result
            .get("error")
            .or_else(|| result.get("errors").and_then(|e| e.get(0)))
        {
            fill_error(&mut case, error);
        }
        for (key, out) in [("stdout", &mut case.stdout), ("stderr", &mut case.stderr)] {
            for chunk in result
                .get(key)
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                push_capped(out, &strip_ansi(&text(chunk, "text")));
            }
        }
    }
    case
}

fn fill_error(case: &mut TestCase, error: &Value) {
    let message = strip_ansi(&text(error, "message"));
    let stack = strip_ansi(&text(error, "stack"));
    push_capped(&mut case.message, message.trim());
    // The stack repeats the message first; keep what it adds.
    let rest = stack.strip_prefix(message.as_str()).unwrap_or(&stack);
    push_capped(&mut case.trace, rest.trim_matches('\n'));
    // The error's own place is absolute (made relative to the repository); the spec's file
    // is relative to the test folder, which need not be the repository's root.
    if let Some(loc) = error.get("location") {
        if let Some(file) = loc.get("file").and_then(Value::as_str) {
            case.file = Some(relative_file(file));
        }
        if let Some(line) = loc.get("line").and_then(Value::as_u64) {
            case.line = Some(line);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const REPORT: &str = r#"{"config": {"rootDir": "/p"}, "suites": [{"title": "tests/app.spec.ts", "file": "tests/app.spec.ts", "specs": [
      {"title": "adds", "file": "tests/app.spec.ts", "line": 2, "tests": [{"projectName": "", "status": "expected", "results": [{"status": "passed"}]}]},
      {"title": "flaky", "file": "tests/app.spec.ts", "line": 4, "tests": [{"projectName": "chromium", "status": "flaky", "results": [
        {"status": "failed", "error": {"message": "Error: \u001b[2mexpect(\u001b[22mreceived).toBe(expected)\n\nExpected: 1\nReceived: 0", "stack": "Error: \u001b[2mexpect(\u001b[22mreceived).toBe(expected)\n\nExpected: 1\nReceived: 0\n    at /p/tests/app.spec.ts:4:64", "location": {"file": "/p/tests/app.spec.ts", "line": 4, "column": 64}}, "stdout": [{"text": "hello\n"}]},
        {"status": "passed"}]}]}
    ], "suites": [{"title": "login", "specs": [
      {"title": "db", "file": "tests/app.spec.ts", "line": 9, "tests": [{"projectName": "", "status": "unexpected", "results": [
        {"status": "timedOut", "error": {"message": "Test timeout of 30000ms exceeded."}}]}]}
    ]}]}], "errors": [{"message": "Error: Cannot find module 'left-pad'", "stack": "Error: Cannot find module 'left-pad'\n    at x (/p/playwright.config.ts:1:1)"}]}"#;

    #[test]
    fn tests_results_retries_and_run_errors() {
        let (cases, _) = parse(REPORT).expect("parse");
        let got: Vec<(&str, Outcome)> =
            cases.iter().map(|c| (c.id.as_str(), c.outcome())).collect();
        assert_eq!(
            got,
            [
                ("tests/app.spec.ts › adds", Outcome::Passed),
                ("tests/app.spec.ts › chromium › flaky", Outcome::Flaky),
                ("tests/app.spec.ts › login › db", Outcome::Failed),
                ("(run error 1)", Outcome::Errored),
            ]
        );
        let flaky = &cases[1];
        assert_eq!(
            flaky.message,
            "Error: expect(received).toBe(expected)\n\nExpected: 1\nReceived: 0"
        );
        assert_eq!(flaky.trace, "    at /p/tests/app.spec.ts:4:64");
        assert_eq!(
            (flaky.file.as_deref(), flaky.line),
            (Some("/p/tests/app.spec.ts"), Some(4))
        );
        assert_eq!(flaky.stdout, "hello\n");
        assert_eq!(cases[2].kind.as_deref(), Some("timeout"));
        assert_eq!(cases[3].message, "Error: Cannot find module 'left-pad'");
        assert!(
            parse("{\"config\": {}}")
                .expect_err("no suites")
                .contains("suites")
        );
        assert!(
            parse("{\"config\": ")
                .expect_err("cut")
                .starts_with("line 1")
        );
    }
}

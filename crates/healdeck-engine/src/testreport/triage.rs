//! A report's failed, errored and flaky tests as issues.
//!
//! Each case's message, stack and captured stderr are read by the same engine as a log (the
//! rules, then the generic detector). A rule that names a cause (a refused connection, a
//! missing module) groups the tests that failed for it into one issue listing them; a failed
//! check that no rule explains is an `assertion`, keyed on its message and where it failed
//! (so one helper's assertion failing in many tests is one issue, and two different
//! assertions are two); a test that passed on a retry is `flaky`, whatever broke it first.

use super::{Outcome, TestCase, TestRun, push_capped};
use crate::classify::{Classified, Verdict};
use crate::engine::Engine;
use crate::fingerprint::{fingerprint_of_key, parameterize};
use crate::group::{Added, FailedTest, Fix, Found, IssueStore, Occurrence};
use crate::model::{Category, FixClass, Severity};
use crate::timestamp::FileDate;
use std::collections::BTreeMap;

/// Lines of a failure kept as its issue's excerpt.
const EXCERPT_LINES: usize = 60;

/// Adds every problem in `run` (read from `source`) to `store`; `on_added` hears of each
/// issue made or counted.
pub(crate) fn add_run(
    engine: &Engine,
    store: &mut IssueStore,
    source: &str,
    run: &TestRun,
    mut on_added: impl FnMut(Added),
) {
    for case in run.cases.iter().filter(|c| c.outcome().is_problem()) {
        let text = failure_text(case);
        let (classified, cause) = classify_case(engine, case, &text);
        let first = !store.knows(&classified.fingerprint);
        let category = classified.category;
        let ruled = classified.rule.is_some();
        let at = Occurrence {
            source: source.to_string(),
            line: case.report_line,
            end_line: case.report_line,
            timestamp: run.started.clone(),
        };
        let added = store.add(
            &engine.rules,
            Found {
                classified: classified.into(),
                occurrence: at,
                excerpt: if first {
                    excerpt(case, &text)
                } else {
                    String::new()
                },
                context_before: Vec::new(),
            },
        );
        on_added(added);
        let (Added::New(i) | Added::Updated(i)) = added;
        if first {
            store.edit(i, |issue| explain(issue, category, ruled, cause));
        }
        store.add_test(
            i,
            FailedTest {
                id: case.id.clone(),
                outcome: case.outcome(),
                file: case.file.clone(),
                line: case.line,
            },
        );
    }
}

/// What the engine reads of a failure: its message (unless the stack repeats it), the stack,
/// then what the test printed to stderr.
fn failure_text(case: &TestCase) -> String {
    let mut text = String::new();
    let head = case.message.lines().next().unwrap_or("");
    if let Some(kind) = &case.kind
        && (kind.contains("Error") || kind.contains("Exception"))
        && !case.message.contains(kind.as_str())
        && !case.trace.contains(kind.as_str())
    {
        text.push_str(kind);
        text.push_str(": ");
    }
    if !head.is_empty() && !case.trace.contains(head) {
        push_capped(&mut text, &case.message);
        text.push('\n');
    }
    push_capped(&mut text, &case.trace);
    if !case.stderr.is_empty() {
        text.push_str("\n--- stderr ---\n");
        push_capped(&mut text, &case.stderr);
    }
    text.push('\n');
    text
}

/// A line of a code frame, as Playwright, Jest and Babel print the source around a failure
/// (`  > 3 | test('x', …)`, `    |      ^`): the test's own code, not what happened — a
/// neighbouring line that mentions a port must not decide the cause.
fn is_code_frame(line: &str) -> bool {
    let t = line.trim_start();
    let t = t.strip_prefix('>').unwrap_or(t).trim_start();
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        return t[digits..].trim_start().starts_with('|');
    }
    t.strip_prefix('|')
        .is_some_and(|rest| !rest.trim().is_empty() && rest.trim().bytes().all(|b| b == b'^'))
}

/// What the rules read: the failure without its code frames.
fn without_code_frames(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines().filter(|l| !is_code_frame(l)) {
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// The excerpt: which test, how it ended, and the first lines of its failure.
fn excerpt(case: &TestCase, text: &str) -> String {
    let mut out = format!("{} ({})", case.id, case.outcome().as_str());
    if let (Some(file), Some(line)) = (&case.file, case.line) {
        out.push_str(&format!(" at {file}:{line}"));
    }
    out.push('\n');
    let lines: Vec<&str> = text.trim_end().lines().collect();
    out.push_str(&lines[..lines.len().min(EXCERPT_LINES)].join("\n"));
    if lines.len() > EXCERPT_LINES {
        out.push_str(&format!("\n… ({} more lines)", lines.len() - EXCERPT_LINES));
    }
    if !case.stdout.is_empty() {
        out.push_str("\n--- stdout ---\n");
        let lines: Vec<&str> = case.stdout.lines().collect();
        out.push_str(&lines[lines.len().saturating_sub(20)..].join("\n"));
    }
    out
}

/// The rule's or the generic detector's verdict, or the test's own category; and the
/// category of what broke the test (for a flaky test, what its failed attempt was).
fn classify_case(engine: &Engine, case: &TestCase, text: &str) -> (Classified, Category) {
    let head = case.message.lines().next().unwrap_or("").trim();
    let text = &without_code_frames(text);
    let result = engine.process_chunk(text.as_bytes(), text.len(), false, FileDate::today());
    let candidates: Vec<(Classified, bool)> = result
        .events
        .into_iter()
        .filter_map(|e| match e.verdict {
            Verdict::Issue(c) => {
                let about_message =
                    !head.is_empty() && text.get(e.start..e.end).is_some_and(|t| t.contains(head));
                Some((std::sync::Arc::unwrap_or_clone(c), about_message))
            }
            Verdict::Consequence(_) => None,
        })
        .collect();
    // A rule over the generic detector; the event that carries the message over others.
    let best = candidates
        .into_iter()
        .min_by_key(|(c, about)| (c.rule.is_none(), !about, c.category.tier()))
        .map(|(c, _)| c)
        .filter(|c| c.rule.is_some());
    let place = match (&case.file, case.line) {
        (Some(f), Some(l)) => format!("{f}:{l}"),
        (Some(f), None) => f.clone(),
        _ => String::new(),
    };
    let mut c = match best {
        Some(mut c) if c.category == Category::Assertion => {
            // The same assertion in the same place: an unexplained check is keyed on both.
            c.group_key = format!("{}\u{1f}{place}", c.group_key);
            c.fingerprint = fingerprint_of_key("test.assertion", &c.group_key);
            if !head.is_empty() {
                c.title = format!("Assertion failed: {}", shown(head));
            }
            c
        }
        Some(c) => c,
        None => unexplained(case, head, &place),
    };
    let cause = c.category;
    if case.outcome() == Outcome::Flaky {
        c.category = Category::Flaky;
        c.severity = Severity::Medium;
        c.title = format!("Flaky test: {}", c.title);
        c.fingerprint = fingerprint_of_key("test.flaky", &c.group_key);
    }
    (c, cause)
}

/// A message's first line for a title: without the `Error: ` every JavaScript error starts
/// with, at most 120 characters.
fn shown(head: &str) -> String {
    let head = head
        .strip_prefix("AssertionError: ")
        .or_else(|| head.strip_prefix("Error: "))
        .unwrap_or(head);
    head.chars().take(120).collect()
}

/// Whether a failure is a check that did not hold (rather than an exception in the test).
fn is_check(case: &TestCase) -> bool {
    let kind = case.kind.as_deref().unwrap_or("");
    kind.contains("Assert")
        || kind.starts_with("expect")
        || [
            "AssertionError",
            "assert ",
            "expect(",
            "Expected",
            "expected:",
        ]
        .iter()
        .any(|w| case.message.contains(w))
}

/// A failure no rule names: its own check (`assertion`) or an error in the test (`unknown`).
fn unexplained(case: &TestCase, head: &str, place: &str) -> Classified {
    let said = if head.is_empty() {
        case.kind.as_deref().unwrap_or("no message")
    } else {
        head
    };
    let (category, title) = match case.outcome() {
        Outcome::Errored => (Category::Unknown, format!("Test errored: {}", shown(said))),
        _ if is_check(case) => (
            Category::Assertion,
            format!("Assertion failed: {}", shown(said)),
        ),
        _ => (Category::Unknown, format!("Test failed: {}", shown(said))),
    };
    let group_key = format!("{}\u{1f}{place}", parameterize(said));
    Classified {
        rule: None,
        category,
        severity: Severity::High,
        title,
        captures: BTreeMap::new(),
        fingerprint: fingerprint_of_key(&format!("test.{category}"), &group_key),
        group_key,
    }
}

/// Rewords a new issue for tests: what `flaky` and an unexplained failure mean, and what to
/// do about them.
fn explain(issue: &mut crate::group::Issue, category: Category, ruled: bool, cause: Category) {
    let manual = |confidence: f32, description: &str| Fix {
        kind: "manual".into(),
        class: FixClass::C,
        confidence,
        description: description.into(),
        params: BTreeMap::new(),
        learned: None,
    };
    if category == Category::Flaky {
        let first = issue.title.trim_start_matches("Flaky test: ");
        issue.root_cause = format!(
            "The test failed, then passed when it ran again: its result depends on timing, test \
             order or something outside the test (a shared resource, the network, the clock). \
             The retry hid it; it will fail again. The failed attempt: {first}."
        );
        // A failed check's advice (compare expected and actual) does not fit a flaky test;
        // a named cause's (start the database) still does.
        if cause == Category::Assertion || !ruled {
            issue.fixes.clear();
        }
        issue.fixes.insert(
            0,
            manual(
                0.5,
                "Run the test alone many times to reproduce it (pytest --count=50 with \
                 pytest-repeat, npx playwright test --repeat-each=50, cargo nextest run \
                 --retries 0 in a loop), then remove its dependence on timing or order: wait \
                 for a condition instead of sleeping, isolate shared state.",
            ),
        );
    } else if !ruled {
        issue.root_cause = match category {
            Category::Assertion => "The test's own check failed and neither its message nor \
                its stack names a cause healdeck knows: compare the expected and actual values \
                in the excerpt, then run the test alone."
                .into(),
            _ => "The test stopped with an error, and no rule recognizes the error yet: read \
                the stack in the excerpt; if it recurs, add a rule for it to your rules folder."
                .into(),
        };
        issue.fixes.push(manual(
            0.4,
            "Run this one test locally with full output (pytest -x -k NAME -vv, node --test \
             --test-name-pattern NAME, npx playwright test -g NAME) to see the failure as it \
             happens.",
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_frames_are_not_read_as_what_happened() {
        for frame in [
            "      4 | test('db', async () => { throw new Error('ECONNREFUSED'); });",
            "    > 3 | expect(401).toBe(200);",
            "        |                      ^",
            " 12|  x",
        ] {
            assert!(is_code_frame(frame), "{frame}");
        }
        for line in [
            "    Error: login returned 401",
            "E       assert 401 == 200",
            "| Severity | Issue |",
            "    |",
            "2026-01-01 12:00:00 | ERROR | db down",
        ] {
            assert!(!is_code_frame(line), "{line}");
        }
    }
}

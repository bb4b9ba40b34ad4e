//! Classification: which rule explains an event, or whether it is a failure at all.
//!
//! The words each rule needs name the candidate rules for an event's message (one
//! Aho-Corasick pass, see `rules::CandidateIndex`); of the candidates whose regex matches, the
//! one whose category comes first in TRIAGE.md's precedence wins, ties going to the rule listed
//! first. An event no rule knows is still a failure — category `unknown` — when it is a
//! traceback, panic or stack, a record whose log level is ERROR/FATAL, or a line that names a
//! Java-style exception class (`java.lang.ClassCastException: …`) at no level or WARN; lines
//! that merely mention errors (`errors=0`, `ErrorBoundary mounted`) are not. Such a failure is
//! grouped by its key line parameterized (see [`parameterize`]). Consequence lines
//! (`Worker failed to boot`) are marked so the caller can fold them into the incident above.

use super::events::EventKind;
use super::fingerprint::{fingerprint_of_key, normalize, parameterize};
use super::level::{Level, strip_record_prefix};
use super::model::{Category, Severity};
use super::rules::RuleSet;
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::{Arc, LazyLock};

static STARTS_LIKE_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[A-Z][\w.]*)?(?:Error|Exception)(?:\s*\[[\w-]+\])?:|^error(?:\[\w+\])?:")
        .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// A syslog record's program (`sshd[123]: `), kept in a rule-less failure's group key so the
/// same words from two programs stay two issues.
static PROGRAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b([A-Za-z_][\w./-]*)\[\d+\]:\s").unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// The group key of a failure no rule knows, from its key line: the message after the
/// record's timestamp and level (node names, hosts and dates before it do not split one
/// problem), parameterized, after the syslog program that wrote it if the level came later.
/// Secrets are redacted first: masking a token's digits would leave the rest of it where
/// redaction no longer recognizes it.
fn group_key_of(line: &str) -> String {
    let redacted = crate::redact::redact(line).text;
    keyed_by_program(&redacted, strip_record_prefix(&redacted))
}

/// `message` (redacted) parameterized, after the syslog program `line` (redacted) names if the
/// message does not name it itself.
fn keyed_by_program(line: &str, message: &str) -> String {
    let key = parameterize(message);
    match PROGRAM.captures(line).and_then(|c| c.get(1)) {
        Some(p) if p.start() < 80 && !message.contains(p.as_str()) => {
            format!("{}: {key}", p.as_str())
        }
        _ => key,
    }
}

/// Words that say something failed, outside a line's quoted titles.
static SAYS_FAILURE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)fail|error|exception|panic|fatal|denied|refused|unable|cannot|can't|could not|timed out|timeout|abort|crash|killed|invalid|not found|no such")
        .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// Whether `text` says something failed: a failure word not counted as none (`0 failed to
/// activate`, `no errors`).
fn says_failure(text: &str) -> bool {
    SAYS_FAILURE.find_iter(text).any(|m| {
        let before = &text[..m.start()];
        !(before.ends_with(" 0 ") || before == "0 " || before.ends_with(" no "))
    })
}

/// A fully qualified exception class named in a message: `java.io.IOException:`,
/// `org.apache.hadoop.ipc.RemoteException` at the end of a line.
static NAMED_EXCEPTION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\b(?:[a-z_][\w$]*\.)+[A-Z][\w$]*(?:Exception|Error)\b(?::|\s*$)")
        .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// A line that reports a recovery — a link back up, an alert cleared, an operation that
/// succeeded after retrying — which names the failure it recovered from but is none.
static RECOVERY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i)\b(?:recovered|restored|reconnected|back (?:up|online|to normal)|resumed",
        r"|link (?:is )?(?:ok|up)|(?:alerts?|alarms?|errors?|conditions?) (?:cleared|resolved)",
        r"|no (?:\w+ )?(?:alerts?|alarms?|errors?) (?:are |is )?(?:active|present|found|detected)",
        r"|succeeded after|ok after|(?:completed|finished|passed) without (?:any )?(?:errors?|failures?)|this is not an error|nothing to do)\b",
    ))
    .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// Words that make a would-be recovery a failure still (`recovery failed`, `not restored`).
static STILL_FAILING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:fail(?:ed|s|ure)?|unable|cannot|can't|could not|not (?:recovered|restored)|unrecoverable|gave up|giving up)\b")
        .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// One frame of a Ruby backtrace (`app/models/user.rb:18:in 'find'`), which Rails logs as a
/// record of its own under the exception's — and nothing after it: Ruby's report of an
/// uncaught exception starts with the frame it was raised in, then says what it was
/// (``db.rb:55:in `exec': PG::UnableToSend: server closed the connection (…)``).
static RUBY_FRAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:from )?\S+\.(?:rb|erb|rake|haml|slim):\d+:in\b(?: ?[`'][^\n]*')?\s*$")
        .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// One entry of a dumped dictionary that counts things, the name of an error class in its key
/// (Scrapy's stats: `'downloader/exception_type_count/twisted.internet.error.TCPTimedOutError':
/// 6,`): a tally of failures reported above, none itself.
static COUNTER_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"^\s*[{\[]?\s*['"][^'"]{1,200}['"]\s*:\s*\d+(?:\.\d+)?\s*[,}\]]?\s*$"#)
        .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// A record with nothing of its own to say: an empty message once its prefix and request tags
/// are taken off (Rails prints one around every exception), or a lone backtrace frame.
fn says_nothing_itself(first: &str) -> bool {
    let mut rest = strip_record_prefix(first).trim();
    while let Some(after) = rest
        .strip_prefix('[')
        .and_then(|r| r.split_once(']'))
        .map(|(_, after)| after.trim_start())
    {
        rest = after;
    }
    rest.is_empty()
        || crate::events::behind_carrier(first.as_bytes())
            .trim_ascii()
            .is_empty()
        || RUBY_FRAME.is_match(rest)
        || rest.starts_with("stack trace is suppressed; run last ")
}

/// Whether `line` reports a recovery and nothing still failing.
fn is_recovery(line: &str) -> bool {
    RECOVERY.is_match(line) && !STILL_FAILING.is_match(line)
}

/// A test runner's line for a test that passed: Jest's and Mocha's `✓ name (5 ms)`, Go's
/// `--- PASS: TestX`, pytest's `test_x PASSED`, ExUnit's `--trace` `* test name (8.9ms)
/// [L#31]`.
static PASSING_TEST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\s*(?:[✓✔√]\s|--- PASS: |\* test .*\(\d+(?:\.\d+)?m?s\) \[L#\d+\]\s*$)",
        r"|\sPASSED(?:\s+\[\s*\d+%\])?\s*$",
    ))
    .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

fn is_passing_test(first: &str) -> bool {
    PASSING_TEST.is_match(first)
        || PASSING_TEST.is_match(crate::level::strip_record_prefix(first))
        || PASSING_TEST.is_match(behind_carrier(first))
        || behind_task_prefix(first).is_some_and(|rest| PASSING_TEST.is_match(rest))
        || is_spec_example(first)
}

/// A line behind a monorepo runner's task prefix: Turborepo's and Nx's `@acme/api:test: `,
/// one word (no space) and a colon.
fn behind_task_prefix(line: &str) -> Option<&str> {
    let (prefix, rest) = line.split_once(": ")?;
    (!prefix.is_empty() && prefix.contains(':') && !prefix.contains(char::is_whitespace))
        .then_some(rest)
}

/// A test suite's heading in a spec reporter's output, indented under its file: `  Error
/// pages` over the tests of the error pages. A few plain words that open with an error word
/// and say nothing failed.
fn is_suite_heading(first: &str) -> bool {
    let line = behind_carrier(first);
    let text = line.trim();
    let mut words = text.split(' ');
    let opener = words.next().unwrap_or("");
    let rest: Vec<&str> = words.collect();
    line.starts_with("  ")
        && [
            "Error", "Errors", "Failure", "Failures", "Timeout", "Timeouts",
        ]
        .contains(&opener)
        && (1..=2).contains(&rest.len())
        && rest
            .iter()
            .all(|w| !w.is_empty() && w.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'))
        && rest[0].starts_with(|c: char| c.is_ascii_lowercase())
}

/// Vitest's header over what a test printed: `stdout | src/lib/logger.test.ts > logger >
/// serialises an Error with its stack`. The test's name is no failure; what it printed is
/// read on its own lines.
fn is_test_output_header(first: &str) -> bool {
    let line = behind_carrier(first).trim_start();
    let Some(rest) = line
        .strip_prefix("stdout | ")
        .or_else(|| line.strip_prefix("stderr | "))
    else {
        return false;
    };
    let file = rest.split(' ').next().unwrap_or("");
    [".test.", ".spec."].iter().any(|t| file.contains(t)) && rest.contains(" > ")
}

/// A line behind its carrier (the GitHub Actions runner's `2026-12-05T10:12:22.5761575Z `,
/// a journal's `host prog[pid]: `; see `events::carrier`), or the line as it is.
fn behind_carrier(line: &str) -> &str {
    let rest = crate::events::behind_carrier(line.as_bytes());
    line.get(line.len() - rest.len()..).unwrap_or(line)
}

/// An example's name in RSpec's (or a spec reporter's) documentation format, nested under
/// its `describe` lines: `    returns 403 with permission denied for a guest user`. It says
/// what the example checks; a failed one is marked (`(FAILED - 1)`) and its report follows
/// the run. Read as: indented, no `key: value`, and opening with a verb in the third person.
fn is_spec_example(first: &str) -> bool {
    const VERBS: [&str; 6] = ["should", "does", "is", "has", "can", "will"];
    let indent = first.len() - first.trim_start_matches(' ').len();
    let text = first.trim();
    let verb = text.split(' ').next().unwrap_or("");
    let third_person = verb.len() >= 4
        && verb.ends_with('s')
        && !verb.ends_with("ss")
        && verb.bytes().all(|b| b.is_ascii_lowercase());
    (2..=16).contains(&indent)
        && text.len() <= 160
        && (third_person || VERBS.contains(&verb))
        && text.contains(' ')
        && !text.contains(": ")
        && !text.ends_with(':')
        && !text.contains("(FAILED")
}

/// What the classifier decided about an event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    /// Shared: a verdict remembered for a repeated failure is handed out without a copy.
    Issue(Arc<Classified>),
    /// A consequence line (by the consequence pattern with this id).
    Consequence(String),
}

/// An event explained: by a rule (`rule` is its index in the set) or as `unknown`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Classified {
    pub rule: Option<usize>,
    pub category: Category,
    pub severity: Severity,
    pub title: String,
    pub captures: BTreeMap<String, String>,
    /// What was hashed with the rule id into the fingerprint: the normalized signature, or
    /// for a failure no rule knows its parameterized key line — why events grouped.
    pub group_key: String,
    pub fingerprint: String,
}

/// Fills `{name}` placeholders from captures.
pub(crate) fn fill(template: &str, captures: &BTreeMap<String, String>) -> String {
    let mut out = template.to_string();
    for (k, v) in captures {
        out = out.replace(&format!("{{{k}}}"), v);
    }
    out
}

/// A `group_by` entry's value: the first of its `|` alternatives that matched.
fn group_value<'a>(entry: &str, captures: &'a BTreeMap<String, String>) -> &'a str {
    entry
        .split('|')
        .find_map(|n| captures.get(n).filter(|v| !v.is_empty()))
        .map_or("", String::as_str)
}

/// Classifies one event. `first` is its first line (`level` its log level), `message` its
/// message lines; with `rules_may_match` false (no rule's word is in the message) only the
/// detector for unknown failures runs.
pub(crate) fn classify(
    rules: &RuleSet,
    kind: EventKind,
    level: Option<Level>,
    first: &str,
    message: &str,
    rules_may_match: bool,
) -> Option<Verdict> {
    // `✓ surfaces a timeout as TimeoutError (5 ms)`: a test that passed names what it tested.
    if is_passing_test(first) {
        return None;
    }
    if !rules_may_match {
        return unknown(kind, level, first, message).map(|c| Verdict::Issue(Arc::new(c)));
    }
    // An ordinary structured record (`level=info msg="Imported track" path="…/Connection
    // Refused.flac"`) is read by what it says, not by the things it names.
    // Plain lines with no level read the same way when they quote a title of two words or
    // more and say nothing failed outside it (n8n's `Start Active Workflows:` list of
    // `"Connection Refused Alert"`, …); a failure that quotes its reason stays one (`search
    // failed: LDAP Result Code 32 "No Such Object"`), a JSON record's values are its own
    // (`"Deadline Exceeded"`), a quoted type a type (`'GameObject'`).
    let single = !message.trim_end().contains('\n');
    let said = match (kind, level) {
        (EventKind::Line, Some(Level::Quiet)) if single => {
            let unquoted = crate::fields::spoken(first)
                .or_else(|| crate::fields::without_quoted_names(first, 1));
            let text = unquoted.as_deref().unwrap_or(first);
            crate::fields::without_title_case_names(text).or(unquoted)
        }
        (EventKind::Line, None) if !first.trim_start().starts_with('{') => {
            crate::fields::without_quoted_names(message, 2).filter(|rest| !says_failure(rest))
        }
        _ => None,
    };
    let message = said.as_deref().unwrap_or(message);
    // The word index names candidates; the first (by tier, then order) whose own regex
    // matches, and whose veto does not, wins.
    let mut candidates = rules.set.matches(message);
    candidates.sort_by_key(|&i| (rules.rules[i].spec.category.tier(), i));
    let confirmed = candidates.into_iter().find_map(|i| {
        let rule = &rules.rules[i];
        let caps = rule.regex.captures(message)?;
        let vetoed = rule.unless.as_ref().is_some_and(|u| u.is_match(message));
        (!vetoed).then_some((rule, i, caps))
    });
    if let Some((rule, i, caps)) = confirmed {
        let captures: BTreeMap<String, String> = rule
            .regex
            .capture_names()
            .flatten()
            .filter_map(|n| {
                caps.name(n)
                    .map(|m| (n.to_string(), m.as_str().to_string()))
            })
            .collect();
        let group_key = if rule.spec.group_by.is_empty() {
            normalize(caps.get(0).map_or("", |m| m.as_str()))
        } else if rule.spec.group_by.iter().any(|g| g.starts_with('=')) {
            // Each capture normalized on its own, but the verbatim ones.
            rule.spec
                .group_by
                .iter()
                .map(|g| match g.strip_prefix('=') {
                    Some(exact) => group_value(exact, &captures).to_string(),
                    None => normalize(group_value(g, &captures)),
                })
                .collect::<Vec<_>>()
                .join("\u{1f}")
        } else {
            normalize(
                &rule
                    .spec
                    .group_by
                    .iter()
                    .map(|g| group_value(g, &captures))
                    .collect::<Vec<_>>()
                    .join("\u{1f}"),
            )
        };
        // A capture the match did not reach fills its placeholder with nothing.
        let mut filling = captures.clone();
        for name in rule.regex.capture_names().flatten() {
            filling.entry(name.to_string()).or_default();
        }
        return Some(Verdict::Issue(Arc::new(Classified {
            rule: Some(i),
            category: rule.spec.category,
            severity: rule.spec.severity,
            title: fill(&rule.spec.title, &filling),
            fingerprint: fingerprint_of_key(&rule.spec.id, &group_key),
            group_key,
            captures,
        })));
    }
    // A traceback is a consequence by the exception it ends in (certbot's `certbot.errors.
    // Error: 1 renew failure(s)` after the renewal that failed).
    let told = match kind {
        EventKind::PythonTraceback => key_line(kind, first, message),
        _ => first,
    };
    if let Some(i) = rules
        .consequence_set
        .matches(told)
        .into_iter()
        .find(|&i| rules.consequences[i].regex.is_match(told))
    {
        return Some(Verdict::Consequence(rules.consequences[i].spec.id.clone()));
    }
    // A line whose failure words were all inside the names it quotes is judged without them
    // (Mopidy's `Triggering event: …Track(name='Fatal Error (Live)')`).
    let judged = match &said {
        Some(rest) if single && level.is_none() => rest.as_str(),
        _ => first,
    };
    unknown(kind, level, judged, message).map(|c| Verdict::Issue(Arc::new(c)))
}

/// The generic failure detector for events no rule knows.
fn unknown(kind: EventKind, lvl: Option<Level>, first: &str, message: &str) -> Option<Classified> {
    // `link ok after error recovery`, `ALERT cleared: no ALERTs are active`: no failure.
    if kind == EventKind::Line
        && (is_recovery(first)
            || says_nothing_itself(first)
            || COUNTER_ENTRY.is_match(first)
            || is_suite_heading(first)
            || is_test_output_header(first)
            || crate::events::is_announcement(first.as_bytes()))
    {
        return None;
    }
    let severity = match (kind, lvl) {
        (_, Some(Level::Fatal)) => Severity::Critical,
        (_, Some(Level::Error)) if stops_the_process(first) => Severity::Critical,
        (EventKind::RustPanic | EventKind::GoPanic, _) => Severity::Critical,
        (k, Some(Level::Warn | Level::Quiet)) if k.is_structural() => Severity::Low,
        (k, _) if k.is_structural() => Severity::High,
        (_, Some(Level::Error)) => Severity::Medium,
        (_, None) if STARTS_LIKE_ERROR.is_match(first) => Severity::Medium,
        (_, None) if NAMED_EXCEPTION.is_match(first) => Severity::Medium,
        (_, Some(Level::Warn)) if NAMED_EXCEPTION.is_match(first) => Severity::Low,
        _ => return None,
    };
    // A JSON or logfmt record is named by what it says (its message, error and status), not
    // by its whole line of ids and times.
    let spoken = (kind == EventKind::Line)
        .then(|| {
            let own = crate::events::behind_carrier(first.as_bytes());
            crate::fields::spoken(std::str::from_utf8(own).unwrap_or(first))
        })
        .flatten();
    let key = spoken
        .as_deref()
        .unwrap_or_else(|| key_line(kind, first, message));
    let what = match kind {
        EventKind::PythonTraceback => "Python exception",
        EventKind::RustPanic => "Rust panic",
        EventKind::GoPanic => "Go panic",
        EventKind::Stack => "exception",
        EventKind::ToolBlock | EventKind::Line => "error",
    };
    // What a structured record says has no prefix to take off (`Notification error` is
    // its message, no level).
    let (shown, group_key) = match &spoken {
        Some(said) => (
            said.chars().take(120).collect::<String>(),
            keyed_by_program(
                &crate::redact::redact(first).text,
                &crate::redact::redact(said).text,
            ),
        ),
        None => (
            strip_record_prefix(key).chars().take(120).collect(),
            group_key_of(key),
        ),
    };
    Some(Classified {
        rule: None,
        category: Category::Unknown,
        severity,
        title: format!("Unrecognized {what}: {shown}"),
        captures: BTreeMap::new(),
        // A fatal record is another problem than an error logged with the same words (glog's
        // `E… Too big clock skew` repeated by one server, `F…` the same words as another aborts).
        fingerprint: fingerprint_of_key(
            if severity == Severity::Critical {
                "unknown.fatal"
            } else {
                "unknown"
            },
            &group_key,
        ),
        group_key,
    })
}

/// A record that says an exception stops the process: Kestra's `Caught an exception in
/// Thread[kakfa-queue_1,5,main]. Shutting down.`.
fn stops_the_process(first: &str) -> bool {
    let t = first.trim_end();
    t.ends_with(". Shutting down.") && t.to_ascii_lowercase().contains("exception")
}

/// The line that names an unknown failure: a traceback's last exception line, else the first.
fn key_line<'a>(kind: EventKind, first: &'a str, message: &'a str) -> &'a str {
    match kind {
        EventKind::PythonTraceback => message
            .lines()
            .rev()
            .map(|l| std::str::from_utf8(crate::events::behind_carrier(l.as_bytes())).unwrap_or(l))
            .find(|l| !l.trim().is_empty() && !l.starts_with("Traceback"))
            .unwrap_or(first),
        EventKind::Stack => message
            .lines()
            .find(|l| l.contains("Exception") || l.contains("Error"))
            .unwrap_or(first),
        _ => first,
    }
}

/// A consequence line with no incident above it: kept as an `unknown` issue, never dropped.
pub(crate) fn orphan_consequence(first: &str) -> Classified {
    let shown: String = strip_record_prefix(first).chars().take(120).collect();
    let group_key = group_key_of(first);
    Classified {
        rule: None,
        category: Category::Unknown,
        severity: Severity::Medium,
        title: format!("Process failed (cause not in this log): {shown}"),
        captures: BTreeMap::new(),
        fingerprint: fingerprint_of_key("unknown.consequence", &group_key),
        group_key,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::level::level;

    #[test]
    fn recoveries_are_not_failures_but_failed_recoveries_are() {
        for line in [
            "Nov 09 12:01:03 node-12 healthd[88]: link ok after error recovery",
            "Nov 09 12:01:02 node-12 healthd[88]: ERROR cleared: no ALERTs are active",
            "2024-05-01 10:00:00 ERROR db: connection restored after 3 attempts",
        ] {
            assert_eq!(
                unknown(EventKind::Line, level(line), line, line),
                None,
                "{line}"
            );
        }
        for line in [
            "2024-05-01 10:00:00 ERROR db: connection not restored, giving up",
            "  Error connecting to db",
            "Nov 09 12:01:03 node-12 kernel: ERROR: link recovery failed on eth0",
        ] {
            assert!(
                unknown(EventKind::Line, level(line), line, line).is_some(),
                "{line}"
            );
        }
    }

    #[test]
    fn mentions_are_not_failures() {
        for line in [
            "errors=0",
            "Found 0 errors",
            "ErrorBoundary mounted",
            "logging.level.x=ERROR",
            "test_error_handling PASSED",
            "    ✓ surfaces a timeout as TimeoutError without retrying POST (5 ms)",
            "  * test retries once on :econnrefused and then succeeds (8.9ms) [L#31]",
            "--- PASS: TestDialTimeout (0.01s)",
            "panic hook installed",
            "error_count: 0",
            "12 passed, 0 failed",
            "2026-12-05T10:12:44.5967144Z   Error pages",
            "  Timeout handling",
            "INFO retrying after error: timeout",
            " 'downloader/exception_type_count/twisted.internet.error.TCPTimedOutError': 6,",
            r#"{"net.ConnectException": 3}"#,
        ] {
            assert_eq!(
                unknown(EventKind::Line, level(line), line, line),
                None,
                "{line}"
            );
        }
    }

    #[test]
    fn a_test_runners_output_header_names_a_test_not_a_failure() {
        let line = "stdout | src/lib/logger.test.ts > logger > serialises an Error with its stack";
        assert_eq!(unknown(EventKind::Line, level(line), line, line), None);
        assert!(is_test_output_header(line));
        for other in [
            "stdout | Error: connection refused",
            "stderr | build.log > Error: out of memory",
            "ERROR stdout | src/a.test.ts failed",
        ] {
            assert!(!is_test_output_header(other), "{other}");
        }
    }

    #[test]
    fn spec_examples_name_what_they_check_and_failed_ones_are_marked() {
        for name in [
            "    returns 403 with permission denied for a guest user",
            "    retries once on Net::ReadTimeout and then succeeds",
            "    logs \"connection refused\" and schedules a retry",
            "      should raise when the upstream times out",
            "2026-12-05T10:12:23.1781060Z     ✓ does not double-charge after a network error on submit (1604ms)",
            "@acme/errors:test:   ✔ keeps the original \"Connection refused\" cause on ECONNREFUSED (0.611ms)",
        ] {
            assert!(is_passing_test(name), "{name}");
        }
        for line in [
            "    returns 403 with permission denied for a guest user (FAILED - 1)",
            "  make_connection_snum: canonicalize_connect_path failed for service x",
            "returns 403 with permission denied",
            "    Failures: connection refused",
            "    ss: connection refused",
            "@acme/api:test:   ✖ returns 401 for an expired token (3.905ms)",
            "api: connection refused: ✔ x",
        ] {
            assert!(!is_passing_test(line), "{line}");
        }
    }

    #[test]
    fn a_traceback_is_a_consequence_by_the_exception_it_ends_in() {
        let (rules, _) = crate::rules::RuleSet::builtin();
        let tb = "Traceback (most recent call last):\n  File \"/usr/bin/certbot\", line 33, in <module>\n    sys.exit(main())\ncertbot.errors.Error: 1 renew failure(s), 0 parse failure(s)";
        let first = "Traceback (most recent call last):";
        let v = classify(&rules, EventKind::PythonTraceback, None, first, tb, true);
        assert_eq!(
            v,
            Some(Verdict::Consequence("certbot.renewal_failed_after".into()))
        );
        // The same words on a line of their own are one too; another exception is not.
        let other = tb.replace(
            "certbot.errors.Error: 1 renew failure(s), 0 parse failure(s)",
            "certbot.errors.Error: boom",
        );
        let v = classify(
            &rules,
            EventKind::PythonTraceback,
            None,
            first,
            &other,
            true,
        );
        assert!(matches!(v, Some(Verdict::Issue(_))), "{v:?}");
    }

    #[test]
    fn unknown_failures_group_by_their_parameterized_line() {
        let on = |node: &str| {
            let line = format!(
                "2005-06-03-15.42.50.363779 {node} RAS KERNEL FATAL data storage interrupt"
            );
            unknown(EventKind::Line, level(&line), &line, &line).expect("fatal record")
        };
        let (a, b) = (on("R02-M1-N0-C:J12-U11"), on("R17-M0-N4-C:J05-U01"));
        assert_eq!(a.fingerprint, b.fingerprint);
        assert_eq!(a.group_key, "data storage interrupt");
        assert_eq!(a.title, "Unrecognized error: data storage interrupt");
        // The same words from two programs stay apart.
        let from = |program: &str| {
            let line = format!("Jun 12 03:14:07 host1 {program}[812]: error: cannot open /etc/x");
            unknown(EventKind::Line, level(&line), &line, &line).expect("error record")
        };
        assert_eq!(from("cron").group_key, "cron: cannot open /etc/x");
        assert_ne!(from("cron").fingerprint, from("anacron").fingerprint);
    }

    #[test]
    fn unknown_failures_are_kept() {
        let c = unknown(
            EventKind::Line,
            level("2024-01-01 FATAL disk controller gone"),
            "2024-01-01 FATAL disk controller gone",
            "",
        )
        .expect("fatal record");
        assert_eq!(c.severity, Severity::Critical);
        assert_eq!(c.title, "Unrecognized error: disk controller gone");
        let t = "Traceback (most recent call last):\nFrobError: wobbled";
        let c = unknown(
            EventKind::PythonTraceback,
            None,
            "Traceback (most recent call last):",
            t,
        )
        .expect("traceback");
        assert_eq!(c.severity, Severity::High);
        assert!(c.title.ends_with("FrobError: wobbled"), "{}", c.title);
        assert!(
            unknown(
                EventKind::Line,
                level("TypeError: x is not a function"),
                "TypeError: x is not a function",
                ""
            )
            .is_some()
        );
        // A Java exception named mid-line, at no level or WARN; not at INFO (handled).
        let named = "Lost task 0.0 in stage 1.0 (TID 1): java.io.IOException: Broken pipe";
        assert_eq!(
            unknown(EventKind::Line, level(named), named, named).map(|c| c.severity),
            Some(Severity::Medium)
        );
        let warned =
            "2015-07-29 WARN  [Thread-9] - Unexpected java.nio.channels.ClosedChannelException";
        assert_eq!(
            unknown(EventKind::Line, level(warned), warned, warned).map(|c| c.severity),
            Some(Severity::Low)
        );
        let handled =
            "2015-07-29 INFO retrying after java.net.SocketTimeoutException: Read timed out";
        assert_eq!(
            unknown(EventKind::Line, level(handled), handled, handled),
            None
        );
    }
}

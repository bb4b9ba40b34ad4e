//! Classification: which rule explains an event, or whether it is a failure at all.
//!
//! Every rule pattern sits in one `RegexSet`; of the rules that match an event's message, the
//! one whose category comes first in TRIAGE.md's precedence wins, ties going to the rule listed
//! first. An event no rule knows is still a failure — category `unknown` — when it is a
//! traceback, panic or stack, or a record whose log level is ERROR/FATAL; lines that merely
//! mention errors (`errors=0`, `ErrorBoundary mounted`) are not. Consequence lines
//! (`Worker failed to boot`) are marked so the caller can fold them into the incident above.

use super::events::EventKind;
use super::fingerprint::fingerprint;
use super::level::{Level, level, strip_record_prefix};
use super::model::{Category, Severity};
use super::rules::RuleSet;
use regex::Regex;
use std::collections::BTreeMap;
use std::sync::LazyLock;

static STARTS_LIKE_ERROR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^\s*(?:[A-Z][\w.]*)?(?:Error|Exception)(?:\s*\[[\w-]+\])?:|^error(?:\[\w+\])?:")
        .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// What the classifier decided about an event.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Verdict {
    Issue(Classified),
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

/// Classifies one event. `first` is its first line, `message` its message lines.
pub(crate) fn classify(
    rules: &RuleSet,
    kind: EventKind,
    first: &str,
    message: &str,
) -> Option<Verdict> {
    // The set names candidates; the first (by tier, then order) whose own regex matches wins.
    let mut candidates: Vec<usize> = rules.set.matches(message).into_iter().collect();
    candidates.sort_by_key(|&i| (rules.rules[i].spec.category.tier(), i));
    let confirmed = candidates.into_iter().find_map(|i| {
        let rule = &rules.rules[i];
        rule.regex.captures(message).map(|caps| (rule, i, caps))
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
        let signature = if rule.spec.group_by.is_empty() {
            caps.get(0).map_or("", |m| m.as_str()).to_string()
        } else {
            rule.spec
                .group_by
                .iter()
                .map(|g| captures.get(g).map_or("", String::as_str))
                .collect::<Vec<_>>()
                .join("\u{1f}")
        };
        return Some(Verdict::Issue(Classified {
            rule: Some(i),
            category: rule.spec.category,
            severity: rule.spec.severity,
            title: fill(&rule.spec.title, &captures),
            fingerprint: fingerprint(&rule.spec.id, &signature),
            captures,
        }));
    }
    if let Some(i) = rules
        .consequence_set
        .matches(first)
        .into_iter()
        .find(|&i| rules.consequences[i].regex.is_match(first))
    {
        return Some(Verdict::Consequence(rules.consequences[i].spec.id.clone()));
    }
    unknown(kind, first, message).map(Verdict::Issue)
}

/// The generic failure detector for events no rule knows.
fn unknown(kind: EventKind, first: &str, message: &str) -> Option<Classified> {
    let lvl = level(first);
    let severity = match (kind, lvl) {
        (_, Some(Level::Fatal)) => Severity::Critical,
        (EventKind::RustPanic | EventKind::GoPanic, _) => Severity::Critical,
        (k, Some(Level::Warn | Level::Quiet)) if k.is_structural() => Severity::Low,
        (k, _) if k.is_structural() => Severity::High,
        (_, Some(Level::Error)) => Severity::Medium,
        (_, None) if STARTS_LIKE_ERROR.is_match(first) => Severity::Medium,
        _ => return None,
    };
    let key = key_line(kind, first, message);
    let what = match kind {
        EventKind::PythonTraceback => "Python exception",
        EventKind::RustPanic => "Rust panic",
        EventKind::GoPanic => "Go panic",
        EventKind::Stack => "exception",
        EventKind::ToolBlock | EventKind::Line => "error",
    };
    let shown: String = strip_record_prefix(key).chars().take(120).collect();
    Some(Classified {
        rule: None,
        category: Category::Unknown,
        severity,
        title: format!("Unrecognized {what}: {shown}"),
        captures: BTreeMap::new(),
        fingerprint: fingerprint("unknown", key),
    })
}

/// The line that names an unknown failure: a traceback's last exception line, else the first.
fn key_line<'a>(kind: EventKind, first: &'a str, message: &'a str) -> &'a str {
    match kind {
        EventKind::PythonTraceback => message
            .lines()
            .rev()
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
    Classified {
        rule: None,
        category: Category::Unknown,
        severity: Severity::Medium,
        title: format!("Process failed (cause not in this log): {shown}"),
        captures: BTreeMap::new(),
        fingerprint: fingerprint("unknown.consequence", first),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mentions_are_not_failures() {
        for line in [
            "errors=0",
            "Found 0 errors",
            "ErrorBoundary mounted",
            "logging.level.x=ERROR",
            "test_error_handling PASSED",
            "panic hook installed",
            "error_count: 0",
            "12 passed, 0 failed",
            "INFO retrying after error: timeout",
        ] {
            assert_eq!(unknown(EventKind::Line, line, line), None, "{line}");
        }
    }

    #[test]
    fn unknown_failures_are_kept() {
        let c = unknown(EventKind::Line, "2024-01-01 FATAL disk controller gone", "")
            .expect("fatal record");
        assert_eq!(c.severity, Severity::Critical);
        assert_eq!(c.title, "Unrecognized error: disk controller gone");
        let t = "Traceback (most recent call last):\nFrobError: wobbled";
        let c = unknown(
            EventKind::PythonTraceback,
            "Traceback (most recent call last):",
            t,
        )
        .expect("traceback");
        assert_eq!(c.severity, Severity::High);
        assert!(c.title.ends_with("FrobError: wobbled"), "{}", c.title);
        assert!(unknown(EventKind::Line, "TypeError: x is not a function", "").is_some());
    }
}

//! An issue as it may leave the process: every text field redacted — title, root cause, the
//! lines before the event and the event itself (together, so a key split between them is
//! still found), what followed, captures, fix descriptions and parameters, and the sources'
//! paths — with the list of what was removed.

use super::{Finding, distinct, redact, redact_parts};
use crate::group::{Issue, Occurrence};

/// The issue with every secret replaced, and each secret found once (in field order).
pub fn redact_issue(issue: &Issue) -> (Issue, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut clean = |s: &str| {
        let r = redact(s);
        findings.extend(r.findings);
        r.text
    };
    let mut out = issue.clone();
    out.title = clean(&issue.title);
    out.root_cause = clean(&issue.root_cause);
    out.group_key = clean(&issue.group_key);
    out.consequences = issue.consequences.iter().map(|c| clean(c)).collect();
    for (k, v) in &mut out.captures {
        *v = clean(&format!("{k}={v}"))
            .split_once('=')
            .map_or_else(String::new, |(_, v)| v.to_string());
    }
    for f in &mut out.fixes {
        f.description = clean(&f.description);
        for v in f.params.values_mut() {
            *v = clean(v);
        }
    }
    for t in &mut out.tests {
        t.id = clean(&t.id);
        t.file = t.file.as_deref().map(&mut clean);
    }
    let occurrence = |o: &Occurrence, clean: &mut dyn FnMut(&str) -> String| Occurrence {
        source: clean(&o.source),
        ..o.clone()
    };
    out.latest = occurrence(&issue.latest, &mut clean);
    out.occurrences = issue
        .occurrences
        .iter()
        .map(|o| occurrence(o, &mut clean))
        .collect();
    let mut parts: Vec<&str> = issue.context_before.iter().map(String::as_str).collect();
    parts.push(&issue.excerpt);
    let (mut redacted, r) = redact_parts(&parts);
    findings.extend(r.findings);
    out.excerpt = redacted.pop().unwrap_or_default();
    out.context_before = redacted;
    (out, distinct(findings))
}

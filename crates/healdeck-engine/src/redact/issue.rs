//! An issue as it may leave the process: every text field redacted — title, root cause, the
//! lines before the event and the event itself (together, so a key split between them is
//! still found), what followed, captures, fix descriptions and parameters, and the sources'
//! paths — with the list of what was removed.

use super::{Finding, Redacted, distinct, redact, redact_parts};
use crate::group::{Issue, Occurrence};
use std::collections::HashMap;

/// The issue with every secret replaced, and each secret found once (in field order).
pub fn redact_issue(issue: &Issue) -> (Issue, Vec<Finding>) {
    redact_issue_with(issue, &mut RedactMemo::default())
}

/// Short texts already redacted, for a batch of issues: many of their fields repeat from one
/// issue to the next (the source's path in every occurrence, a rule's root cause and fix
/// descriptions, capture values), and redacting is a pure function of the text. The excerpt
/// and the lines before it are redacted together, never from here.
#[derive(Debug, Default)]
pub struct RedactMemo {
    seen: HashMap<String, Redacted>,
}

impl RedactMemo {
    /// Texts longer than this are redacted each time (they rarely repeat).
    const LONGEST: usize = 1024;
    /// At most this many texts are kept; later ones are redacted each time.
    const MOST: usize = 4096;

    fn redact(&mut self, text: &str) -> Redacted {
        if let Some(done) = self.seen.get(text) {
            return done.clone();
        }
        let done = redact(text);
        if text.len() <= Self::LONGEST && self.seen.len() < Self::MOST {
            self.seen.insert(text.to_string(), done.clone());
        }
        done
    }
}

/// [`redact_issue`] for one of many issues, reusing what `memo` has already redacted.
pub fn redact_issue_with(issue: &Issue, memo: &mut RedactMemo) -> (Issue, Vec<Finding>) {
    let mut findings = Vec::new();
    let mut clean = |s: &str| {
        let r = memo.redact(s);
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

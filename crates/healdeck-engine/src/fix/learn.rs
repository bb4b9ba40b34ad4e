//! Learning from outcomes: each fix kind's record per rule, read from the audit log, moves the
//! confidence shown from the rule's own figure toward how often that fix really worked, and
//! the fixes are tried most-likely-first. The rule's confidence counts as a few earlier
//! attempts (a prior), so one lucky or unlucky run does not swing it.

use super::audit::AuditEntry;
use crate::group::Issue;
use serde::Serialize;
use std::collections::BTreeMap;

/// How many attempts the rule's own confidence is worth.
const PRIOR_ATTEMPTS: f32 = 4.0;

/// A fix's record for its rule, and the confidence the rule gave it.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Learned {
    pub attempts: u32,
    pub fixed: u32,
    pub rule_confidence: f32,
}

/// Attempts and successes per (rule, fix kind).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcomes {
    by: BTreeMap<(String, String), (u32, u32)>,
}

impl Outcomes {
    /// Counts the finished attempts in `entries` (those that name their rule).
    pub fn from_audit(entries: &[AuditEntry]) -> Outcomes {
        let mut by: BTreeMap<(String, String), (u32, u32)> = BTreeMap::new();
        for e in entries.iter().filter(|e| e.phase == "end") {
            let Some(rule) = &e.rule else { continue };
            let slot = by.entry((rule.clone(), e.action.clone())).or_default();
            slot.0 += 1;
            if e.result == "fixed" {
                slot.1 += 1;
            }
        }
        Outcomes { by }
    }

    /// The record of `kind` for `rule`, if it was ever tried.
    pub fn record(&self, rule: &str, kind: &str) -> Option<(u32, u32)> {
        self.by.get(&(rule.to_string(), kind.to_string())).copied()
    }

    /// Every (rule, kind) with its attempts and successes.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str, u32, u32)> {
        self.by
            .iter()
            .map(|((r, k), (n, ok))| (r.as_str(), k.as_str(), *n, *ok))
    }

    /// `issue`'s fixes with their confidence moved by their record, most likely first (the
    /// rule's order among equals).
    pub fn adjust(&self, issue: &mut Issue) {
        let Some(rule) = issue.rule.clone() else {
            return;
        };
        for fix in &mut issue.fixes {
            let Some((attempts, fixed)) = self.record(&rule, &fix.kind) else {
                continue;
            };
            let prior = fix.confidence;
            fix.confidence = blended(prior, attempts, fixed);
            fix.learned = Some(Learned {
                attempts,
                fixed,
                rule_confidence: prior,
            });
        }
        if issue.fixes.iter().any(|f| f.learned.is_some()) {
            issue
                .fixes
                .sort_by(|a, b| b.confidence.total_cmp(&a.confidence));
        }
    }
}

/// The rule's confidence as `PRIOR_ATTEMPTS` attempts, plus the real ones.
fn blended(prior: f32, attempts: u32, fixed: u32) -> f32 {
    (prior * PRIOR_ATTEMPTS + fixed as f32) / (PRIOR_ATTEMPTS + attempts as f32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::{Fix, Occurrence};
    use crate::model::{Category, FixClass, Severity};

    fn end(rule: &str, action: &str, result: &str) -> AuditEntry {
        AuditEntry {
            time: 0,
            fingerprint: "fp".into(),
            issue: String::new(),
            phase: "end".into(),
            action: action.into(),
            argv: Vec::new(),
            attempt: 1,
            exit_status: None,
            output_tail: String::new(),
            backup: None,
            result: result.into(),
            verified: None,
            seen_line: None,
            source: None,
            rule: Some(rule.into()),
        }
    }

    fn fix(kind: &str, confidence: f32) -> Fix {
        Fix {
            kind: kind.into(),
            class: FixClass::A,
            confidence,
            description: kind.into(),
            params: Default::default(),
            learned: None,
        }
    }

    fn issue(fixes: Vec<Fix>) -> Issue {
        let at = Occurrence {
            source: "a.log".into(),
            line: 1,
            end_line: 1,
            timestamp: None,
        };
        Issue {
            fingerprint: "fp".into(),
            title: "t".into(),
            category: Category::Dependency,
            severity: Severity::High,
            rule: Some("disk.full".into()),
            group_key: String::new(),
            count: 1,
            first_seen: None,
            last_seen: None,
            occurrences: vec![at.clone()],
            latest: at,
            excerpt: String::new(),
            context_before: Vec::new(),
            root_cause: String::new(),
            fixes,
            captures: Default::default(),
            consequences: Vec::new(),
            state: crate::group::IssueState::Open,
            tests: Vec::new(),
            seq: 0,
        }
    }

    #[test]
    fn a_fix_that_keeps_failing_sinks_below_one_that_works() {
        let entries = vec![
            end("disk.full", "clear_cache", "verify_failed"),
            end("disk.full", "clear_cache", "failed"),
            end("disk.full", "clear_cache", "verify_failed"),
            end("disk.full", "restart_service", "fixed"),
            end("disk.full", "restart_service", "fixed"),
            end("other.rule", "clear_cache", "fixed"),
        ];
        let outcomes = Outcomes::from_audit(&entries);
        assert_eq!(outcomes.record("disk.full", "clear_cache"), Some((3, 0)));
        let mut i = issue(vec![fix("clear_cache", 0.6), fix("restart_service", 0.4)]);
        outcomes.adjust(&mut i);
        assert_eq!(i.fixes[0].kind, "restart_service");
        assert!((i.fixes[0].confidence - (0.4 * 4.0 + 2.0) / 6.0).abs() < 1e-6);
        assert!((i.fixes[1].confidence - 2.4 / 7.0).abs() < 1e-6);
        assert_eq!(
            i.fixes[1].learned,
            Some(Learned {
                attempts: 3,
                fixed: 0,
                rule_confidence: 0.6
            })
        );
    }

    #[test]
    fn nothing_tried_changes_nothing() {
        let mut i = issue(vec![fix("clear_cache", 0.6), fix("restart_service", 0.4)]);
        let before = i.clone();
        Outcomes::default().adjust(&mut i);
        assert_eq!(i, before);
    }
}

//! Anomalies as issues in the same feed as rule-found failures: `performance` for slow
//! handlers, `anomaly` for new patterns, rate spikes and open sequences (TRIAGE.md), each with
//! its numbers in the title, the baseline in the root cause, and its first line in the window
//! as the occurrence.

use super::{Anomaly, AnomalyKind, PatternReport};
use crate::group::{Issue, IssueState, Occurrence};
use crate::model::Category;
use std::collections::BTreeMap;

/// The rule id an anomaly's issue carries (not a rules-file rule: it names the detector).
pub fn anomaly_rule(kind: AnomalyKind) -> &'static str {
    match kind {
        AnomalyKind::NewPattern => "pattern.new",
        AnomalyKind::RateSpike => "pattern.rate_spike",
        AnomalyKind::SlowHandler => "pattern.slow_handler",
        AnomalyKind::OpenSequence => "pattern.open_sequence",
    }
}

fn advice(kind: AnomalyKind) -> &'static str {
    match kind {
        AnomalyKind::NewPattern => {
            "Something started that did not happen before: look at what changed then — a \
             deploy, a configuration change, a dependency or disk going bad."
        }
        AnomalyKind::RateSpike => {
            "The same event is happening far more often than it used to: look at what it \
             depends on, and at what else started at that time."
        }
        AnomalyKind::SlowHandler => {
            "Its calls are waiting on something — a database, an upstream service, a lock, a \
             full disk or CPU: compare what it calls before and since."
        }
        AnomalyKind::OpenSequence => {
            "The ids left open may be stuck — a hung worker, a deadlock, a lost reply or a \
             crash between the begin and the end: look for their lines and the worker's state."
        }
    }
}

impl Anomaly {
    /// This anomaly as a feed issue; `example` is a line of its template (the excerpt).
    pub fn to_issue(&self, example: Option<&str>) -> Issue {
        let rule = anomaly_rule(self.kind);
        let at = Occurrence {
            source: self.source.clone(),
            line: self.line,
            end_line: self.line,
            timestamp: (!self.since.starts_with("line ")).then(|| self.since.clone()),
        };
        let mut captures = BTreeMap::new();
        captures.insert("since".to_string(), self.since.clone());
        captures.insert("baseline".to_string(), format!("{:.1}", self.baseline));
        captures.insert("now".to_string(), format!("{:.1}", self.now));
        if !self.ids.is_empty() {
            captures.insert("open_ids".to_string(), self.ids.join(", "));
        }
        Issue {
            fingerprint: crate::fingerprint::fingerprint_of_key(rule, &self.subject),
            title: self.title.clone(),
            category: match self.kind {
                AnomalyKind::SlowHandler => Category::Performance,
                _ => Category::Anomaly,
            },
            severity: self.severity,
            rule: Some(rule.to_string()),
            group_key: self.subject.clone(),
            count: self.count,
            first_seen: at.timestamp.clone(),
            last_seen: self.last_seen.clone(),
            occurrences: vec![at.clone()],
            latest: at,
            excerpt: if self.example.is_empty() {
                example.map_or_else(|| self.subject.clone(), str::to_string)
            } else {
                self.example.clone()
            },
            context_before: Vec::new(),
            root_cause: format!("{} {}", self.explanation, advice(self.kind)),
            fixes: Vec::new(),
            captures,
            consequences: Vec::new(),
            state: IssueState::Open,
            tests: Vec::new(),
            seq: u64::MAX / 2 + self.line,
        }
    }
}

impl PatternReport {
    /// Its anomalies as feed issues, worst first.
    pub fn anomaly_issues(&self) -> Vec<Issue> {
        self.anomalies
            .iter()
            .map(|a| {
                let example = a
                    .template_id
                    .and_then(|id| self.templates.iter().find(|t| t.id == id))
                    .map(|t| t.example.as_str());
                a.to_issue(example)
            })
            .collect()
    }
}

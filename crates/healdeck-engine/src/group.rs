//! Grouping: repeats of one problem become one issue with a count.
//!
//! An event's fingerprint is a stable hash (FNV-1a, the same in every run and build) of the
//! rule id and the event's signature after normalization: timestamps, UUIDs, hex, temp paths
//! and free-standing numbers (line numbers, ports, ids) are replaced by placeholders, while
//! words — module names, hosts, file names — are kept, so two missing modules stay two issues.

use super::classify::{Classified, fill};
use super::model::{Category, FixClass, Severity};
use super::rules::RuleSet;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

/// How many occurrence locations an issue keeps (the first ones).
pub(crate) const KEPT_OCCURRENCES: usize = 10;

/// Where one occurrence was seen; lines are 1-based and inclusive.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Occurrence {
    pub source: String,
    pub line: u64,
    pub end_line: u64,
    pub timestamp: Option<String>,
}

/// A recommended fix with its templates filled in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Fix {
    pub kind: String,
    pub class: FixClass,
    pub confidence: f32,
    pub description: String,
    #[serde(flatten)]
    pub params: BTreeMap<String, String>,
    /// Its record for this rule in the audit log, when it was tried before (the confidence
    /// above is then moved by it; see `fix::learn`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learned: Option<crate::fix::learn::Learned>,
}

/// How many failed tests an issue lists (the first ones; `count` counts them all).
pub(crate) const KEPT_TESTS: usize = 50;

/// A test that failed with an issue (issues read from test reports).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FailedTest {
    pub id: String,
    pub outcome: crate::testreport::Outcome,
    /// The test's source file (relative to the repository when it is under it) and line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u64>,
}

/// One distinct problem and everything known about it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Issue {
    pub fingerprint: String,
    pub title: String,
    pub category: Category,
    pub severity: Severity,
    pub rule: Option<String>,
    /// What the fingerprint hashes with the rule id — the normalized grouping text, its
    /// parts joined by ` · ` — so a person can see why events grouped.
    pub group_key: String,
    pub count: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// The first occurrences (up to `KEPT_OCCURRENCES`).
    pub occurrences: Vec<Occurrence>,
    /// The most recent occurrence.
    pub latest: Occurrence,
    /// The first occurrence's full text.
    pub excerpt: String,
    /// Log lines just before the first occurrence.
    pub context_before: Vec<String>,
    pub root_cause: String,
    pub fixes: Vec<Fix>,
    pub captures: BTreeMap<String, String>,
    /// Consequence lines folded into this issue (`Worker failed to boot`), first few.
    pub consequences: Vec<String>,
    /// Open, or `resolved` (a health check passed again) or `unfixable` (a check's circuit
    /// breaker opened); issues from logs are open.
    pub state: IssueState,
    /// The tests that failed this way, when the issue comes from test reports (first
    /// [`KEPT_TESTS`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<FailedTest>,
    /// Order of first appearance, for stable sorting.
    #[serde(skip)]
    pub seq: u64,
}

/// Where an issue stands (TRIAGE.md's issue states that the engine decides; `fixed` and
/// `recurred` come from the audit log, see `fix::audit::FixRecord`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IssueState {
    #[default]
    Open,
    Resolved,
    Unfixable,
}

impl IssueState {
    pub fn as_str(self) -> &'static str {
        match self {
            IssueState::Open => "open",
            IssueState::Resolved => "resolved",
            IssueState::Unfixable => "unfixable",
        }
    }
}

/// One failure found in a log, ready to be grouped.
#[derive(Debug, Clone)]
pub(crate) struct Found {
    pub classified: Arc<Classified>,
    pub occurrence: Occurrence,
    pub excerpt: String,
    pub context_before: Vec<String>,
}

/// What adding an event did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Added {
    New(usize),
    Updated(usize),
}

/// All issues, keyed by fingerprint, in order of first appearance. Issues are shared
/// (`Arc`) with whoever was sent them (the GUI's feed): an update copies an issue only while
/// someone still holds the previous version, so a live feed does not double the memory.
#[derive(Debug, Default)]
pub(crate) struct IssueStore {
    index: HashMap<String, usize>,
    issues: Vec<Arc<Issue>>,
    /// Failures no rule knows, grouped by their template.
    unknown: crate::patterns::UnknownTemplates,
}

impl IssueStore {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// Whether an issue with this fingerprint exists.
    pub(crate) fn knows(&self, fingerprint: &str) -> bool {
        self.index.contains_key(fingerprint)
    }

    /// Issue `i`, shared.
    pub(crate) fn get_shared(&self, i: usize) -> Option<Arc<Issue>> {
        self.issues.get(i).cloned()
    }

    /// Adds one occurrence, creating the issue or counting a repeat.
    pub(crate) fn add(&mut self, rules: &RuleSet, mut found: Found) -> Added {
        let mut template = None;
        if found.classified.category == Category::Unknown
            && found.classified.rule.is_none()
            && !self.index.contains_key(&found.classified.fingerprint)
        {
            // Fatal records are mined apart from errors with the same words.
            let fatal = found.classified.severity == Severity::Critical;
            let key = &found.classified.group_key;
            let joined = if fatal {
                let key = format!("fatal\u{1f} {key}");
                self.unknown.join(&key, &found.classified.fingerprint)
            } else {
                self.unknown.join(key, &found.classified.fingerprint)
            };
            Arc::make_mut(&mut found.classified).fingerprint = joined.fingerprint;
            template = joined.template;
        }
        if let Some(&i) = self.index.get(&found.classified.fingerprint) {
            let issue = Arc::make_mut(&mut self.issues[i]);
            issue.count += 1;
            if let Some(t) = template {
                issue.group_key = t;
            }
            let burst = found
                .classified
                .rule
                .and_then(|r| rules.rules.get(r))
                .and_then(|r| r.spec.burst);
            if let Some(b) = burst
                && issue.count >= b.count
                && b.severity < issue.severity
            {
                issue.severity = b.severity;
            }
            if found.occurrence.timestamp.is_some() {
                issue.last_seen.clone_from(&found.occurrence.timestamp);
                if issue.first_seen.is_none() {
                    issue.first_seen.clone_from(&found.occurrence.timestamp);
                }
            }
            if issue.occurrences.len() < KEPT_OCCURRENCES {
                issue.occurrences.push(found.occurrence.clone());
            }
            issue.latest = found.occurrence;
            return Added::Updated(i);
        }
        let c = Arc::unwrap_or_clone(found.classified);
        let rule = c.rule.and_then(|i| rules.rules.get(i));
        let (root_cause, fixes) = match rule {
            Some(r) => (
                fill(&r.spec.root_cause, &c.captures),
                r.spec
                    .fixes
                    .iter()
                    .map(|f| Fix {
                        kind: f.kind.clone(),
                        class: f.class,
                        confidence: f.confidence,
                        description: fill(&f.description, &c.captures),
                        params: f
                            .params
                            .iter()
                            .map(|(k, v)| (k.clone(), fill(v, &c.captures)))
                            .collect(),
                        learned: None,
                    })
                    .collect(),
            ),
            None => (
                "No rule recognizes this failure yet. Read the excerpt; if it recurs, add a rule \
                 for it to your rules folder so healdeck can explain it next time."
                    .to_string(),
                Vec::new(),
            ),
        };
        let i = self.issues.len();
        self.index.insert(c.fingerprint.clone(), i);
        self.issues.push(Arc::new(Issue {
            fingerprint: c.fingerprint,
            title: c.title,
            category: c.category,
            severity: c.severity,
            rule: rule.map(|r| r.spec.id.clone()),
            group_key: c.group_key.replace('\u{1f}', " · "),
            count: 1,
            first_seen: found.occurrence.timestamp.clone(),
            last_seen: found.occurrence.timestamp.clone(),
            occurrences: vec![found.occurrence.clone()],
            latest: found.occurrence,
            excerpt: found.excerpt,
            context_before: found.context_before,
            root_cause,
            fixes,
            captures: c.captures,
            consequences: Vec::new(),
            state: IssueState::Open,
            tests: Vec::new(),
            seq: i as u64,
        }));
        Added::New(i)
    }

    /// Folds a consequence line into issue `i`.
    pub(crate) fn add_consequence(&mut self, i: usize, line: String) {
        if let Some(issue) = self.issues.get_mut(i)
            && issue.consequences.len() < 5
            && !issue.consequences.contains(&line)
        {
            Arc::make_mut(issue).consequences.push(line);
        }
    }

    /// Makes issue `i` at least as bad as `severity` (an incident is as bad as its worst
    /// moment).
    pub(crate) fn worsen(&mut self, i: usize, severity: Severity) {
        if let Some(issue) = self.issues.get_mut(i)
            && severity < issue.severity
        {
            Arc::make_mut(issue).severity = severity;
        }
    }

    /// Lists a failed test under issue `i` (once per test id).
    pub(crate) fn add_test(&mut self, i: usize, test: FailedTest) {
        if let Some(issue) = self.issues.get_mut(i)
            && issue.tests.len() < KEPT_TESTS
            && !issue.tests.iter().any(|t| t.id == test.id)
        {
            Arc::make_mut(issue).tests.push(test);
        }
    }

    /// Changes issue `i` in place (a test report's issue rewords what the rule said).
    pub(crate) fn edit(&mut self, i: usize, change: impl FnOnce(&mut Issue)) {
        if let Some(issue) = self.issues.get_mut(i) {
            change(Arc::make_mut(issue));
        }
    }

    /// Issues, worst first: severity, then count (descending), then first appearance.
    pub(crate) fn into_sorted(self) -> Vec<Issue> {
        let mut v: Vec<Issue> = self
            .issues
            .into_iter()
            .map(|a| Arc::try_unwrap(a).unwrap_or_else(|a| (*a).clone()))
            .collect();
        sort_issues(&mut v);
        v
    }
}

pub fn sort_issues(v: &mut [Issue]) {
    v.sort_by(|a, b| {
        (a.severity, std::cmp::Reverse(a.count), a.seq).cmp(&(
            b.severity,
            std::cmp::Reverse(b.count),
            b.seq,
        ))
    });
}

impl Issue {
    /// A minimal issue: one occurrence at `source:line`, low severity, no rule (the tests of
    /// every front-end build their fixtures from it).
    pub fn example(fingerprint: &str, source: &str, line: u64) -> Issue {
        let at = Occurrence {
            source: source.into(),
            line,
            end_line: line,
            timestamp: None,
        };
        Issue {
            fingerprint: fingerprint.into(),
            title: format!("issue {fingerprint}"),
            category: Category::Unknown,
            severity: Severity::Low,
            rule: None,
            group_key: String::new(),
            count: 1,
            first_seen: None,
            last_seen: None,
            occurrences: vec![at.clone()],
            latest: at,
            excerpt: String::new(),
            context_before: Vec::new(),
            root_cause: String::new(),
            fixes: Vec::new(),
            captures: BTreeMap::new(),
            consequences: Vec::new(),
            state: IssueState::Open,
            tests: Vec::new(),
            seq: line,
        }
    }
}

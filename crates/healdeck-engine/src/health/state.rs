//! One check's state from cycle to cycle: failing once N of its last M results failed,
//! recovered on the first pass after that; its issue (a fingerprint per check, first/last
//! seen, a count of failing cycles, `resolved` on recovery); and the circuit breaker — at most
//! `max_actions` actions within `within_cycles` failing cycles, then no more actions and the
//! issue `unfixable` until a person resets it. The action count starts again only after the
//! check stayed healthy for `reset_after_s`, so a service that comes up for one check and
//! dies again still trips the breaker. Kept in `health/<check>.state.json` across restarts.

use super::probe::Probe;
use super::spec::Check;
use crate::group::{Issue, IssueState, Occurrence};
use crate::model::Category;
use healdeck_config::clock::iso_of_unix;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, VecDeque};
use std::path::{Path, PathBuf};

/// One check's result, as printed by `healdeck health --json` and shown in the window.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct CheckResult {
    pub check: String,
    pub kind: String,
    pub ok: bool,
    pub latency_ms: Option<u64>,
    pub detail: String,
    /// When the probe ran (ISO 8601, UTC).
    pub time: String,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub unavailable: bool,
}

/// What persists between cycles and restarts.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CheckState {
    /// The last M results, newest last: true where the probe failed.
    pub recent: VecDeque<bool>,
    pub failing: bool,
    /// Failing cycles so far, ever (the breaker's clock).
    pub failing_cycles: u64,
    /// The failing-cycle number of each action since the count last started again.
    pub actions: Vec<u64>,
    /// Tripped: no more actions until a person resets it.
    pub breaker_open: bool,
    /// Since when the check has passed without a failure (seconds since the epoch).
    pub healthy_since: Option<u64>,
    /// The issue: first and last failing time, failing cycles, and the latest failure.
    pub first_seen: Option<u64>,
    pub last_seen: Option<u64>,
    pub count: u64,
    pub last_failure: String,
    pub category: Option<Category>,
    /// Whether the issue exists and is resolved (the check recovered since).
    pub resolved: bool,
    /// Whether the person approved one run of the check's class B action (this run only:
    /// never saved, so an old approval cannot act days later).
    #[serde(skip)]
    pub approved_once: bool,
}

/// What a cycle changed, for the monitor to act on and report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// The failure threshold was crossed.
    Failing,
    /// Still failing; the issue counted another cycle.
    StillFailing,
    Recovered,
    /// Healthy long enough: the action count starts again.
    CountersReset,
    /// The configured action should run now.
    ActionDue,
    /// A class B action waits for a person's approval.
    NeedsApproval,
    /// Too many actions: the breaker opened.
    BreakerTripped,
}

/// A person's reset of `check` waiting for the monitor that runs it (`healdeck health
/// --reset` while a `--watch` or the window is running): taken at its next cycle.
pub fn reset_request_of(data: &Path, check: &str) -> PathBuf {
    data.join("health").join(format!("{check}.reset"))
}

/// Where `check`'s state is kept.
pub fn file_of(data: &Path, check: &str) -> PathBuf {
    data.join("health").join(format!("{check}.state.json"))
}

impl CheckState {
    /// The saved state of `check`, or a fresh one (a damaged file is set aside and named).
    pub fn load(data: &Path, check: &str) -> (CheckState, Option<String>) {
        let path = file_of(data, check);
        let Ok(text) = std::fs::read_to_string(&path) else {
            return (CheckState::default(), None);
        };
        match serde_json::from_str(&text) {
            Ok(s) => (s, None),
            Err(e) => {
                let aside = path.with_extension("json.broken");
                let _ = std::fs::rename(&path, &aside);
                (
                    CheckState::default(),
                    Some(format!(
                        "{}: {e}; set aside as {}",
                        path.display(),
                        aside.display()
                    )),
                )
            }
        }
    }

    /// The saved state of `check` as it is, changing nothing (a read-only reader such as the
    /// MCP server's `health` tool); `None` when there is none or it cannot be read.
    pub fn read(data: &Path, check: &str) -> Option<CheckState> {
        let text = std::fs::read_to_string(file_of(data, check)).ok()?;
        serde_json::from_str(&text).ok()
    }

    pub fn save(&self, data: &Path, check: &str) -> std::io::Result<()> {
        let path = file_of(data, check);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension(format!("json.{}.tmp", std::process::id()));
        std::fs::write(&tmp, serde_json::to_vec_pretty(self)?)?;
        std::fs::rename(tmp, path)
    }

    /// Actions within the breaker's window of failing cycles.
    pub fn actions_in_window(&self, check: &Check) -> u32 {
        let Some(a) = &check.action else { return 0 };
        let from = self
            .failing_cycles
            .saturating_sub(u64::from(a.within_cycles));
        self.actions.iter().filter(|&&c| c > from).count() as u32
    }

    /// Takes one probe's result into the state; says what changed.
    pub fn apply(&mut self, check: &Check, probe: &Probe, now: u64) -> Vec<Change> {
        let mut changes = Vec::new();
        if probe.unavailable {
            return changes;
        }
        self.recent.push_back(!probe.ok);
        while self.recent.len() > check.cycles as usize {
            self.recent.pop_front();
        }
        if probe.ok {
            let since = *self.healthy_since.get_or_insert(now);
            if self.failing {
                self.failing = false;
                self.resolved = true;
                changes.push(Change::Recovered);
            }
            let reset_after = check.action.as_ref().map_or(0, |a| a.reset_after_s);
            if !self.actions.is_empty() && now.saturating_sub(since) >= reset_after {
                self.actions.clear();
                changes.push(Change::CountersReset);
            }
            return changes;
        }
        self.healthy_since = None;
        self.failing_cycles += 1;
        // What a server or a command said may hold a secret: kept redacted.
        self.last_failure = crate::redact::redact(&probe.detail).text;
        self.category = Some(check.category.unwrap_or(probe.category));
        let failures = self.recent.iter().filter(|&&f| f).count() as u32;
        if !self.failing && failures >= check.failures {
            self.failing = true;
            if self.resolved || self.first_seen.is_none() {
                // A new incident: the issue opens again, counting from here.
                self.count = 0;
                self.first_seen = Some(now);
            }
            self.resolved = false;
            changes.push(Change::Failing);
        } else if self.failing {
            changes.push(Change::StillFailing);
        }
        if !self.failing {
            return changes;
        }
        self.count += 1;
        self.last_seen = Some(now);
        if let Some(a) = &check.action
            && !self.breaker_open
        {
            if self.actions_in_window(check) >= a.max_actions {
                self.breaker_open = true;
                changes.push(Change::BreakerTripped);
            } else if a.unattended || self.approved_once {
                changes.push(Change::ActionDue);
            } else {
                changes.push(Change::NeedsApproval);
            }
        }
        changes
    }

    /// Records that the action ran in this failing cycle.
    pub fn record_action(&mut self) {
        self.actions.push(self.failing_cycles);
        self.approved_once = false;
    }

    /// A person's reset: the breaker closes and the action count starts again.
    pub fn reset(&mut self) {
        self.breaker_open = false;
        self.actions.clear();
        self.approved_once = false;
    }

    /// The check's issue, once it has failed (open, resolved or unfixable).
    pub fn issue(&self, check: &Check) -> Option<Issue> {
        let first = self.first_seen?;
        let kind = check.kind.name();
        let rule = format!("health.{kind}");
        let target = check.kind.target();
        let source = check
            .source
            .clone()
            .unwrap_or_else(|| format!("health:{}", check.name));
        let at = |t: u64| Occurrence {
            source: source.clone(),
            line: 0,
            end_line: 0,
            timestamp: Some(iso_of_unix(t as i64)),
        };
        let last = self.last_seen.unwrap_or(first);
        let state = if self.breaker_open {
            IssueState::Unfixable
        } else if self.resolved {
            IssueState::Resolved
        } else {
            IssueState::Open
        };
        let mut root_cause = format!(
            "The {kind} check '{}' of {target} failed {} of its last {} cycle(s) (every {} s): {}.",
            check.name, check.failures, check.cycles, check.interval_s, self.last_failure
        );
        match (&check.action, state) {
            (Some(a), IssueState::Unfixable) => root_cause.push_str(&format!(
                " Its action ({}) ran {} time(s) within {} failing cycles without the check \
                 passing again: the circuit breaker stopped it. Reset the check once the cause \
                 is dealt with.",
                a.action.describe(),
                self.actions.len(),
                a.within_cycles
            )),
            (Some(a), _) => root_cause.push_str(&format!(
                " Configured action: {} ({}).",
                a.action.describe(),
                if a.unattended {
                    "runs unattended"
                } else {
                    "needs a person's approval"
                }
            )),
            (None, _) => {}
        }
        if self.resolved {
            root_cause.push_str(" The check has passed again since: resolved.");
        }
        let mut captures = BTreeMap::new();
        captures.insert("check".to_string(), check.name.clone());
        captures.insert("kind".to_string(), kind.to_string());
        captures.insert("target".to_string(), target.clone());
        Some(Issue {
            fingerprint: crate::fingerprint::fingerprint_of_key(&rule, &check.name),
            title: if self.resolved {
                format!(
                    "Health check '{}' recovered (was failing: {})",
                    check.name, self.last_failure
                )
            } else {
                format!(
                    "Health check '{}' failing: {}",
                    check.name, self.last_failure
                )
            },
            category: self.category.unwrap_or(Category::Unknown),
            severity: check.severity,
            rule: Some(rule),
            group_key: check.name.clone(),
            count: self.count,
            first_seen: Some(iso_of_unix(first as i64)),
            last_seen: Some(iso_of_unix(last as i64)),
            occurrences: vec![at(first)],
            latest: at(last),
            excerpt: format!(
                "{} {kind} {target}: {}",
                iso_of_unix(last as i64),
                self.last_failure
            ),
            context_before: Vec::new(),
            root_cause,
            fixes: Vec::new(),
            captures,
            consequences: Vec::new(),
            state,
            tests: Vec::new(),
            seq: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::health::config::parse;

    fn check(extra: &str) -> Check {
        let text = format!(
            "[[check]]\nname = \"api\"\nkind = \"tcp\"\ninterval_s = 10\naddress = \"h:1\"\n{extra}"
        );
        let mut c = parse(Path::new("health.toml"), &text)
            .expect("valid")
            .checks;
        c.remove(0)
    }

    fn down() -> Probe {
        Probe::fail(Category::Network, "connection refused")
    }

    fn up() -> Probe {
        Probe::pass("connected", Some(1))
    }

    #[test]
    fn failing_after_n_of_m_and_recovered_on_the_next_pass() {
        let c = check("failures = 2\ncycles = 3\n");
        let mut s = CheckState::default();
        assert!(s.apply(&c, &down(), 10).is_empty());
        assert!(s.apply(&c, &up(), 20).is_empty());
        assert_eq!(s.apply(&c, &down(), 30), [Change::Failing]);
        assert_eq!(s.issue(&c).map(|i| i.state), Some(IssueState::Open));
        assert_eq!(s.apply(&c, &down(), 40), [Change::StillFailing]);
        assert_eq!(s.apply(&c, &up(), 50), [Change::Recovered]);
        let issue = s.issue(&c).expect("issue");
        assert_eq!((issue.state, issue.count), (IssueState::Resolved, 2));
        // Unavailable results neither pass nor fail.
        assert!(
            s.apply(&c, &Probe::unavailable("no systemd"), 60)
                .is_empty()
        );
        assert_eq!(s.recent.len(), 3);
    }

    #[test]
    fn a_service_that_comes_up_for_one_check_still_trips_the_breaker() {
        let c = check(
            "[check.action]\ncommand = [\"restart\"]\nunattended = true\nreset_after_s = 300\n",
        );
        let mut s = CheckState::default();
        let mut actions = 0;
        let mut t = 0;
        // Each restart brings it back for one cycle, then it dies again (Monit's open request:
        // the counter must not start again after such a restart).
        for _ in 0..6 {
            t += 10;
            let changes = s.apply(&c, &down(), t);
            if changes.contains(&Change::ActionDue) {
                s.record_action();
                actions += 1;
            }
            if changes.contains(&Change::BreakerTripped) {
                break;
            }
            t += 10;
            s.apply(&c, &up(), t);
        }
        assert_eq!(actions, 3);
        assert!(s.breaker_open);
        assert_eq!(s.issue(&c).map(|i| i.state), Some(IssueState::Unfixable));
        // Healthy for long enough does not close an open breaker: a person does.
        s.apply(&c, &up(), t + 1000);
        assert!(s.breaker_open);
        s.reset();
        assert!(!s.breaker_open && s.actions.is_empty());
    }

    #[test]
    fn what_a_failure_quotes_is_kept_redacted_and_urls_lose_their_password() {
        let c = check("");
        let mut s = CheckState::default();
        let leak = Probe::fail(
            Category::Unknown,
            "exit 1: login failed password=hunter2-very-secret",
        );
        s.apply(&c, &leak, 10);
        assert!(!s.last_failure.contains("hunter2"), "{}", s.last_failure);
        let issue = s.issue(&c).expect("issue");
        assert!(!issue.title.contains("hunter2") && !issue.root_cause.contains("hunter2"));
        assert_eq!(
            crate::health::spec::without_userinfo("https://ops:s3cret@example.org/health?x=1"),
            "https://***@example.org/health?x=1"
        );
        assert_eq!(
            crate::health::spec::without_userinfo("http://127.0.0.1:8080/a@b"),
            "http://127.0.0.1:8080/a@b"
        );
    }

    #[test]
    fn an_approval_is_not_saved() {
        let mut s = CheckState {
            approved_once: true,
            ..CheckState::default()
        };
        s.failing = true;
        let json = serde_json::to_string(&s).expect("json");
        let back: CheckState = serde_json::from_str(&json).expect("back");
        assert!(!back.approved_once && back.failing);
    }

    #[test]
    fn the_action_count_starts_again_after_a_healthy_stretch() {
        let c = check(
            "[check.action]\ncommand = [\"restart\"]\nunattended = true\nreset_after_s = 60\n",
        );
        let mut s = CheckState::default();
        assert!(s.apply(&c, &down(), 0).contains(&Change::ActionDue));
        s.record_action();
        s.apply(&c, &up(), 10);
        assert_eq!(s.actions.len(), 1, "one healthy cycle is not enough");
        assert_eq!(s.apply(&c, &up(), 80), [Change::CountersReset]);
        assert!(s.actions.is_empty());
    }
}

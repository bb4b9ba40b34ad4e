//! Whether an issue is still fixed: the audit log's last successful fix of it, whether the
//! failure was written again since (further down the same log than when the fix ran), and —
//! when `fixer.json` names a project — whether the project's own check command passes.
//!
//! One use-case behind the MCP server's `verify_issue` (and, later, the window's "Verify").

use super::audit::{AuditLog, FixRecord};
use super::config::{FixerConfig, ProjectCheck};
use super::exec::{RunOutput, run};
use crate::group::Issue;
use serde::Serialize;
use std::time::Duration;

/// What verifying an issue found.
#[derive(Debug, Clone, Serialize)]
pub struct Verification {
    pub fingerprint: String,
    /// The last successful fix of this issue in the audit log, if any.
    pub last_fix: Option<LastFix>,
    /// Occurrences in the logs now (0 when the logs no longer hold it).
    pub count_now: u64,
    /// The failure was written again after the fix (`None` when it was never fixed).
    pub recurred_since_fix: Option<bool>,
    /// The project's check command and what it did, when one is configured.
    pub check: Option<CheckRun>,
    /// One sentence: fixed and holding, back again, never fixed, or failing its check.
    pub verdict: String,
}

/// The last successful fix, as the audit log recorded it.
#[derive(Debug, Clone, Serialize)]
pub struct LastFix {
    pub fixed_at: u64,
    pub source: Option<String>,
    /// The log line the failure had reached when the fix ran.
    pub seen_line: u64,
    pub verified: String,
}

/// The project's check, run now.
#[derive(Debug, Clone, Serialize)]
pub struct CheckRun {
    pub argv: Vec<String>,
    pub dir: String,
    pub passed: bool,
    #[serde(flatten)]
    pub output: RunOutput,
}

/// Verifies the issue `fingerprint`, given what a scan of its logs found now (`current`,
/// `None` when the logs no longer hold it).
pub fn verify(
    fingerprint: &str,
    current: Option<&Issue>,
    audit: &AuditLog,
    config: &FixerConfig,
) -> Verification {
    let fixed = audit.fixed();
    let records = fixed.get(fingerprint);
    let record: Option<&FixRecord> = match (records, current) {
        (Some(rs), Some(issue)) => FixRecord::for_source(rs, &issue.latest).or(rs.first()),
        (Some(rs), None) => rs.first(),
        (None, _) => None,
    };
    let recurred = record.map(|r| current.is_some_and(|issue| r.recurred(&issue.latest)));
    let check = config.project.as_ref().map(run_check);
    let verdict = verdict_of(record.is_some(), recurred, current, check.as_ref());
    Verification {
        fingerprint: fingerprint.to_string(),
        last_fix: record.map(|r| LastFix {
            fixed_at: r.fixed_at,
            source: r.source.clone(),
            seen_line: r.seen_line,
            verified: r.verified.clone(),
        }),
        count_now: current.map_or(0, |i| i.count),
        recurred_since_fix: recurred,
        check,
        verdict,
    }
}

/// Runs the project's check command in its folder, with its time limit.
pub fn run_check(project: &ProjectCheck) -> CheckRun {
    let output = run(
        &project.check,
        Some(&project.dir),
        Duration::from_secs(project.check_timeout_secs),
    );
    CheckRun {
        argv: project.check.clone(),
        dir: project.dir.display().to_string(),
        passed: output.success(),
        output,
    }
}

fn verdict_of(
    was_fixed: bool,
    recurred: Option<bool>,
    current: Option<&Issue>,
    check: Option<&CheckRun>,
) -> String {
    let logs = match (was_fixed, recurred, current) {
        (true, Some(true), _) => "the failure was written again after the fix: not fixed",
        (true, _, _) => "fixed, and the failure has not been written since",
        (false, _, Some(_)) => "never fixed by healdeck, and the failure is in the logs",
        (false, _, None) => "never fixed by healdeck, and the logs no longer hold the failure",
    };
    match check {
        Some(c) if c.passed => format!("{logs}; the project's check passes"),
        Some(c) if c.output.timed_out => format!("{logs}; the project's check timed out"),
        Some(_) => format!("{logs}; the project's check FAILS"),
        None => format!("{logs}; no project check is configured (fixer.json: project)"),
    }
}

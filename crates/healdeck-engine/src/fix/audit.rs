//! The audit log: append-only JSON lines in the data folder, written before and after every
//! action (time, fingerprint, action, argv, exit status, output tail, backup, result). Fix
//! history and statistics are read back from it, so they can never disagree with it.

use super::exec::RunOutput;
use healdeck_config::clock::now_unix;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};

/// One audit record.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AuditEntry {
    /// Seconds since the Unix epoch.
    pub time: u64,
    pub fingerprint: String,
    pub issue: String,
    /// `start`, `end` or `unfixable`.
    pub phase: String,
    pub action: String,
    pub argv: Vec<String>,
    #[serde(default)]
    pub attempt: u32,
    #[serde(default)]
    pub exit_status: Option<i32>,
    #[serde(default)]
    pub output_tail: String,
    #[serde(default)]
    pub backup: Option<String>,
    /// `running`, `fixed`, `failed`, `verify_failed`, `timed_out`, `unfixable`.
    pub result: String,
    /// How a fix was verified (`import yaml` works), on `end` entries that verified.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verified: Option<String>,
    /// The line of the failure's latest occurrence in `source` when the fix ran: one further
    /// down later means it recurred.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seen_line: Option<u64>,
    /// The log the fixed failure was seen in (one issue can come from several applications).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The rule that recognized the failure: outcomes are learned per rule and fix kind.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
}

/// The latest fix of an issue that verified: when, how, and the occurrences it had then.
#[derive(Debug, Clone, PartialEq)]
pub struct FixRecord {
    /// The log the failure was seen in when it was fixed.
    pub source: Option<String>,
    pub fixed_at: u64,
    pub verified: String,
    pub seen_line: u64,
}

impl FixRecord {
    /// Whether the failure came back after the fix: its latest occurrence in the same log is
    /// further down than when the fix ran.
    pub fn recurred(&self, latest: &crate::group::Occurrence) -> bool {
        self.source.as_deref() == Some(latest.source.as_str()) && latest.line > self.seen_line
    }

    /// The record of `records` for the log `latest` is in.
    pub fn for_source<'r>(
        records: &'r [FixRecord],
        latest: &crate::group::Occurrence,
    ) -> Option<&'r FixRecord> {
        records
            .iter()
            .find(|r| r.source.as_deref() == Some(latest.source.as_str()))
    }
}

/// The audit log file.
#[derive(Debug, Clone)]
pub struct AuditLog {
    pub path: PathBuf,
}

impl AuditLog {
    pub fn in_dir(data_dir: &Path) -> AuditLog {
        AuditLog {
            path: data_dir.join("fix-audit.jsonl"),
        }
    }

    /// Appends one entry (flushed before returning, so a crash mid-action leaves the `start`).
    pub fn append(&self, entry: &AuditEntry) -> std::io::Result<()> {
        append_json_line(&self.path, entry)
    }

    /// Every entry, oldest first; lines that do not parse are skipped (and counted).
    pub fn read(&self) -> (Vec<AuditEntry>, usize) {
        let Ok(text) = std::fs::read_to_string(&self.path) else {
            return (Vec::new(), 0);
        };
        let mut bad = 0;
        let entries = text
            .lines()
            .filter(|l| !l.trim().is_empty())
            .filter_map(|l| match serde_json::from_str(l) {
                Ok(e) => Some(e),
                Err(_) => {
                    bad += 1;
                    None
                }
            })
            .collect();
        (entries, bad)
    }

    /// Each fingerprint's fixes that verified: the latest for each log, newest first.
    pub fn fixed(&self) -> std::collections::HashMap<String, Vec<FixRecord>> {
        let mut out: std::collections::HashMap<String, Vec<FixRecord>> = Default::default();
        for e in self.read().0 {
            if e.phase == "end" && e.result == "fixed" {
                let records = out.entry(e.fingerprint.clone()).or_default();
                records.retain(|r| r.source != e.source);
                records.insert(
                    0,
                    FixRecord {
                        source: e.source,
                        fixed_at: e.time,
                        verified: e.verified.unwrap_or_else(|| "verified".into()),
                        seen_line: e.seen_line.unwrap_or(u64::MAX),
                    },
                );
            }
        }
        out
    }

    /// Finished attempts (`end` entries) for one fingerprint, oldest first.
    pub fn attempts(&self, fingerprint: &str) -> Vec<AuditEntry> {
        self.read()
            .0
            .into_iter()
            .filter(|e| e.fingerprint == fingerprint && e.phase != "start")
            .collect()
    }
}

/// Appends `value` as one JSON line to `path` (its folder made first), flushed to disk before
/// returning: the audit log and the kept AI answers are written this way.
pub(crate) fn append_json_line<T: Serialize>(path: &Path, value: &T) -> std::io::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    let line = serde_json::to_string(value).map_err(std::io::Error::other)?;
    writeln!(f, "{line}")?;
    f.sync_data()
}

/// A finished action's audit record.
pub(crate) fn end_entry(start: &AuditEntry, out: &RunOutput, result: &str) -> AuditEntry {
    AuditEntry {
        time: now_unix(),
        phase: "end".into(),
        exit_status: out.exit,
        output_tail: out.output_tail.clone(),
        result: result.into(),
        ..start.clone()
    }
}

/// Success rate, attempts per issue, most common fixes.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Stats {
    pub issues: usize,
    pub fixed: usize,
    pub unfixable: usize,
    pub attempts: usize,
    pub success_rate: f64,
    pub average_attempts: f64,
    pub by_action: BTreeMap<String, (usize, usize)>,
}

pub fn stats(entries: &[AuditEntry]) -> Stats {
    let mut per_issue: BTreeMap<&str, (usize, bool, bool)> = BTreeMap::new();
    let mut by_action: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut attempts = 0;
    for e in entries {
        let slot = per_issue.entry(&e.fingerprint).or_default();
        match e.phase.as_str() {
            "end" => {
                attempts += 1;
                slot.0 += 1;
                let a = by_action.entry(e.action.clone()).or_default();
                a.0 += 1;
                if e.result == "fixed" {
                    slot.1 = true;
                    a.1 += 1;
                }
            }
            "unfixable" => slot.2 = true,
            _ => {}
        }
    }
    let issues = per_issue.values().filter(|s| s.0 > 0 || s.2).count();
    let fixed = per_issue.values().filter(|s| s.1).count();
    Stats {
        issues,
        fixed,
        unfixable: per_issue.values().filter(|s| s.2 && !s.1).count(),
        attempts,
        success_rate: if issues == 0 {
            0.0
        } else {
            fixed as f64 / issues as f64
        },
        average_attempts: if issues == 0 {
            0.0
        } else {
            attempts as f64 / issues as f64
        },
        by_action,
    }
}

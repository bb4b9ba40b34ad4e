//! The rules file's schema, as a person writes it: a rule's pattern, category, severity,
//! title and root cause templates, fixes, repeat escalation, and the samples (and look-alike
//! `not_samples`) that prove it; consequence patterns for lines that only follow an incident.

use crate::model::{Category, FixClass, Severity};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One rule as written in the rules file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub id: String,
    /// A regex (Rust `regex` syntax) matched against an event's message lines; `^`/`$` match
    /// at line boundaries. Named captures feed the title, fixes and fingerprint.
    pub pattern: String,
    /// Literal words (matched ASCII case-insensitively) of which at least one appears on the
    /// line that starts a matching event. Extracted from `pattern` when absent.
    #[serde(default)]
    pub keywords: Vec<String>,
    pub category: Category,
    pub severity: Severity,
    /// Title template: `{name}` is replaced by the named capture.
    pub title: String,
    pub root_cause: String,
    #[serde(default)]
    pub fixes: Vec<FixSpec>,
    /// Captures that identify one problem; by default the whole matched text (normalized).
    /// `["@rule"]` makes every match of the rule one issue; `"a|b"` takes the first of the
    /// captures `a`, `b` that matched (one value from a pattern's alternatives); a leading
    /// `=` takes the capture as it is, not normalized (an IP address that must not become `#`).
    #[serde(default)]
    pub group_by: Vec<String>,
    /// Example log text this rule must classify (run by the test suite and `healdeck rules`).
    #[serde(default)]
    pub samples: Vec<Sample>,
    /// Look-alike text this rule must not match.
    #[serde(default)]
    pub not_samples: Vec<String>,
    /// A pattern that vetoes the rule where it also matches the event: a generic rule leaves
    /// alone what a more specific one reports (PAM's sshd failures, which sshd reports itself).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unless: Option<String>,
    /// Categories of issue this rule's failures are the aftermath of: within the consequence
    /// window (200 lines) after an issue of one of them, an event of this rule folds into that
    /// issue as a consequence line instead of becoming an issue of its own — a connection
    /// pool that times out because the database went away is that database outage.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub follows: Vec<Category>,
    /// A narrower window for `follows`, in lines after the last line: an access
    /// record's 500 right after the exception that caused it is that exception, one a
    /// hundred lines on may be another request's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub follows_within: Option<u64>,
    /// Raise the severity once it has been seen this many times (bursts of 5xx).
    #[serde(default)]
    pub burst: Option<Burst>,
    /// Set in an override file to switch a built-in rule off.
    #[serde(default)]
    pub disabled: bool,
}

/// A recommended fix. `params` values are templates filled from captures.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct FixSpec {
    pub kind: String,
    pub class: FixClass,
    pub confidence: f32,
    pub description: String,
    #[serde(default)]
    pub params: BTreeMap<String, String>,
}

/// Severity escalation for repeats: at `count` occurrences the issue becomes `severity`.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Burst {
    pub count: u64,
    pub severity: Severity,
}

/// A sample: log text (lines joined by `\n`) and the captures the rule must extract from it.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Sample {
    pub text: String,
    #[serde(default)]
    pub captures: BTreeMap<String, String>,
}

/// A line that is only a consequence of the incident above it (`Worker failed to boot`).
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct ConsequenceSpec {
    pub id: String,
    pub pattern: String,
    #[serde(default)]
    pub keywords: Vec<String>,
    #[serde(default)]
    pub samples: Vec<String>,
    /// The incident it folds into is at least this bad: HAProxy's `backend … has no server
    /// available!` after its servers went down one by one is the whole backend down.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub worsens_to: Option<Severity>,
}

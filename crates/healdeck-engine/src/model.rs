//! The Troubleshooter's vocabulary: categories, severities and fix safety classes.
//!
//! These enums are the contract with users (see the README's triage section, which follows
//! TRIAGE.md): their serialized names appear in the rules file and in JSON output. The order of
//! `Category` variants *is* the precedence order — when several rules match one event, the
//! category that comes first wins.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What kind of failure an issue is. Declaration order is precedence order (first wins).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    RuntimePanic,
    ResourceMemory,
    ResourceDisk,
    Gpu,
    Timeout,
    Auth,
    Database,
    Import,
    Dependency,
    Network,
    Http,
    Permission,
    FileNotFound,
    Config,
    Syntax,
    Type,
    /// A test's own check failed (from a test report, when no rule names a cause).
    Assertion,
    /// A test failed, then passed on retry (from a test report).
    Flaky,
    /// A handler slower than its baseline or limit (from a log's patterns).
    Performance,
    /// A pattern new to the log, a rate far above its baseline, a sequence left open (from a
    /// log's patterns).
    Anomaly,
    Unknown,
}

impl Category {
    pub const ALL: [Category; 21] = [
        Category::RuntimePanic,
        Category::ResourceMemory,
        Category::ResourceDisk,
        Category::Gpu,
        Category::Timeout,
        Category::Auth,
        Category::Database,
        Category::Import,
        Category::Dependency,
        Category::Network,
        Category::Http,
        Category::Permission,
        Category::FileNotFound,
        Category::Config,
        Category::Syntax,
        Category::Type,
        Category::Assertion,
        Category::Flaky,
        Category::Performance,
        Category::Anomaly,
        Category::Unknown,
    ];

    /// Precedence tier from TRIAGE.md: a lower tier wins. Categories in one tier are equals and
    /// the more specific rule (declared earlier in the rules file) decides.
    pub fn tier(self) -> u8 {
        match self {
            Category::RuntimePanic => 1,
            Category::ResourceMemory | Category::ResourceDisk | Category::Gpu => 2,
            Category::Timeout => 3,
            Category::Auth => 4,
            Category::Database => 5,
            Category::Import => 6,
            Category::Dependency => 7,
            Category::Network
            | Category::Http
            | Category::Permission
            | Category::FileNotFound
            | Category::Config
            | Category::Syntax
            | Category::Type
            | Category::Assertion
            | Category::Flaky
            | Category::Performance
            | Category::Anomaly => 8,
            Category::Unknown => 9,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Category::RuntimePanic => "runtime_panic",
            Category::ResourceMemory => "resource_memory",
            Category::ResourceDisk => "resource_disk",
            Category::Gpu => "gpu",
            Category::Timeout => "timeout",
            Category::Auth => "auth",
            Category::Database => "database",
            Category::Import => "import",
            Category::Dependency => "dependency",
            Category::Network => "network",
            Category::Http => "http",
            Category::Permission => "permission",
            Category::FileNotFound => "file_not_found",
            Category::Config => "config",
            Category::Syntax => "syntax",
            Category::Type => "type",
            Category::Assertion => "assertion",
            Category::Flaky => "flaky",
            Category::Performance => "performance",
            Category::Anomaly => "anomaly",
            Category::Unknown => "unknown",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How bad an issue is, judged from what happened (TRIAGE.md). `Critical` sorts first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
}

impl Severity {
    pub const ALL: [Severity; 4] = [
        Severity::Critical,
        Severity::High,
        Severity::Medium,
        Severity::Low,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Critical => "critical",
            Severity::High => "high",
            Severity::Medium => "medium",
            Severity::Low => "low",
        }
    }

    /// The colored badge used in text output and the GUI.
    pub fn badge(self) -> &'static str {
        match self {
            Severity::Critical => "🔴",
            Severity::High => "🟠",
            Severity::Medium => "🟡",
            Severity::Low => "🟢",
        }
    }

    /// True when `self` is as bad as `threshold` or worse.
    pub fn at_least(self, threshold: Severity) -> bool {
        self <= threshold
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Severity {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Severity::ALL
            .into_iter()
            .find(|v| v.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!("unknown severity '{s}' (expected critical, high, medium or low)")
            })
    }
}

/// Safety class of a fix: A may run unattended, B needs a person's yes, C is advice only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum FixClass {
    A,
    B,
    C,
}

impl fmt::Display for FixClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            FixClass::A => "A",
            FixClass::B => "B",
            FixClass::C => "C",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_follows_triage_order() {
        assert!(Category::RuntimePanic.tier() < Category::ResourceDisk.tier());
        assert!(Category::Timeout.tier() < Category::Auth.tier());
        assert!(Category::Auth.tier() < Category::Database.tier());
        assert!(Category::Database.tier() < Category::Import.tier());
        assert!(Category::Import.tier() < Category::Dependency.tier());
        assert!(Category::Dependency.tier() < Category::Network.tier());
        assert_eq!(Category::Unknown.tier(), 9);
        for c in Category::ALL {
            let json = serde_json::to_string(&c).expect("serialize");
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
    }

    #[test]
    fn severity_order_and_parse() {
        assert!(Severity::Critical.at_least(Severity::High));
        assert!(!Severity::Low.at_least(Severity::Medium));
        assert_eq!("HIGH".parse::<Severity>(), Ok(Severity::High));
        assert!("urgent".parse::<Severity>().is_err());
    }
}

//! Answers kept with their issue: `<data>/ai-answers.jsonl`, one JSON line per answer (time,
//! fingerprint, provider, model, the answer, whether it was complete, why not). The next
//! prompt for the issue includes them as previous attempts.

use crate::fix::audit::AuditEntry;
use healdeck_config::clock::now_unix;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// One stored answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredAnswer {
    pub time: u64,
    pub fingerprint: String,
    pub provider: String,
    pub model: String,
    pub answer: String,
    pub complete: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Secrets redacted from what was sent, by kind.
    #[serde(default)]
    pub redactions: std::collections::BTreeMap<String, usize>,
}

/// The answers file.
#[derive(Debug, Clone)]
pub struct AnswerLog {
    pub path: PathBuf,
}

impl AnswerLog {
    pub fn in_dir(data: &Path) -> AnswerLog {
        AnswerLog {
            path: data.join("ai-answers.jsonl"),
        }
    }

    /// Appends one answer (its time set now).
    pub fn append(&self, mut answer: StoredAnswer) -> std::io::Result<()> {
        answer.time = now_unix();
        crate::fix::audit::append_json_line(&self.path, &answer)
    }

    /// The answers for one issue, oldest first; unreadable lines are skipped.
    pub fn for_issue(&self, fingerprint: &str) -> Vec<StoredAnswer> {
        std::fs::read_to_string(&self.path)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| serde_json::from_str::<StoredAnswer>(l).ok())
            .filter(|a| a.fingerprint == fingerprint)
            .collect()
    }
}

impl StoredAnswer {
    /// As a previous attempt in a repair prompt.
    pub fn as_attempt(&self, n: u32) -> AuditEntry {
        AuditEntry {
            time: self.time,
            fingerprint: self.fingerprint.clone(),
            issue: String::new(),
            phase: "end".into(),
            action: "ai_analysis".into(),
            argv: vec![format!("AI analysis by {} {}", self.provider, self.model)],
            attempt: n,
            exit_status: None,
            output_tail: crate::fix::exec::tail(&self.answer, 1500),
            backup: None,
            result: if self.complete {
                "answered".into()
            } else {
                format!(
                    "incomplete answer ({})",
                    self.error.as_deref().unwrap_or("cut")
                )
            },
            verified: None,
            seen_line: None,
            source: None,
            rule: None,
        }
    }
}

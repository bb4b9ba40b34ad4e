//! Which issue went to which channel when: `<data>/notify/sent.json`, keyed by a hash of the
//! channel's URL and the issue's fingerprint, so an issue that recurs in every cron run is
//! sent once per window. Entries older than a week are dropped when it is saved; it is
//! written to a temporary file and renamed, so a crash never leaves half a file.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Entries older than this are forgotten.
const KEEP_SECS: u64 = 7 * 24 * 3600;

/// Seconds since the Unix epoch.
pub(super) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The sent log, read.
#[derive(Debug, Default)]
pub(super) struct SentLog {
    path: Option<PathBuf>,
    sent: BTreeMap<String, u64>,
    changed: bool,
    /// Why it could not be read (it then starts empty).
    pub error: Option<String>,
}

impl SentLog {
    pub(super) fn load(path: Option<&Path>) -> SentLog {
        let mut log = SentLog {
            path: path.map(Path::to_path_buf),
            ..SentLog::default()
        };
        let Some(path) = path else {
            return log;
        };
        match std::fs::read_to_string(path) {
            Ok(text) => match serde_json::from_str(&text) {
                Ok(sent) => log.sent = sent,
                Err(e) => {
                    log.error = Some(format!(
                        "{}:{}:{}: {e} (throttling starts afresh)",
                        path.display(),
                        e.line(),
                        e.column()
                    ));
                }
            },
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => log.error = Some(format!("{}: {e}", path.display())),
        }
        log
    }

    fn key(channel: &str, fingerprint: &str) -> String {
        format!("{channel}/{fingerprint}")
    }

    /// Whether this issue went to this channel less than `window` ago.
    pub(super) fn recent(
        &self,
        channel: &str,
        fingerprint: &str,
        now: u64,
        window: Duration,
    ) -> bool {
        self.sent
            .get(&Self::key(channel, fingerprint))
            .is_some_and(|&at| now.saturating_sub(at) < window.as_secs())
    }

    pub(super) fn mark(&mut self, channel: &str, fingerprint: &str, now: u64) {
        self.sent.insert(Self::key(channel, fingerprint), now);
        self.changed = true;
    }

    /// Writes the log back (when something was sent), old entries dropped.
    pub(super) fn save(&mut self, now: u64) -> Result<(), String> {
        let Some(path) = &self.path else {
            return Ok(());
        };
        if !self.changed {
            return Ok(());
        }
        self.sent
            .retain(|_, at| now.saturating_sub(*at) < KEEP_SECS);
        let text = serde_json::to_string_pretty(&self.sent).map_err(|e| e.to_string())?;
        let dir = path.parent().unwrap_or(Path::new("."));
        std::fs::create_dir_all(dir)
            .and_then(|()| {
                let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
                std::io::Write::write_all(&mut tmp, text.as_bytes())?;
                tmp.persist(path).map_err(|e| e.error)?;
                Ok(())
            })
            .map_err(|e| format!("{}: {e}", path.display()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_issue_is_recent_within_its_window_and_survives_a_reload() {
        let dir = tempfile::tempdir().expect("tmp");
        let path = dir.path().join("notify").join("sent.json");
        let mut log = SentLog::load(Some(&path));
        assert!(log.error.is_none());
        log.mark("c1", "f1", 1_000_000);
        log.mark("c1", "old", 1);
        log.save(1_000_000).expect("save");
        let log = SentLog::load(Some(&path));
        let hour = Duration::from_secs(3600);
        assert!(log.recent("c1", "f1", 1_000_100, hour));
        assert!(!log.recent("c1", "f1", 1_003_700, hour));
        assert!(!log.recent("c2", "f1", 1_000_100, hour));
        assert!(!log.recent("c1", "old", 1_000_000, Duration::from_secs(u64::MAX)));
        std::fs::write(&path, "{broken").expect("write");
        let broken = SentLog::load(Some(&path));
        assert!(
            broken
                .error
                .as_deref()
                .is_some_and(|e| e.contains("sent.json:1:"))
        );
    }
}

//! `notify.toml` in the config folder: named channels and how often to send.
//!
//! ```toml
//! window_minutes = 60     # an issue goes to a channel once per window
//! max_per_run = 5         # messages per channel per run; the rest as one digest
//! digest = false          # one digest per run instead
//!
//! [[channel]]
//! name = "team"
//! url_env = "SLACK_WEBHOOK_URL"   # or url = "https://hooks.slack.com/services/…"
//! kind = "slack"                  # slack, discord or json; told by the host if left out
//! min_severity = "high"
//! ```
//!
//! A bad file is an error naming the file, line and column; nothing is sent from it.

use super::{Channel, ChannelKind, NotifyOptions};
use crate::model::Severity;
use serde::Deserialize;
use std::path::Path;
use std::time::Duration;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawChannel {
    name: String,
    url: Option<String>,
    url_env: Option<String>,
    kind: Option<ChannelKind>,
    min_severity: Option<Severity>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    window_minutes: Option<u64>,
    max_per_run: Option<usize>,
    digest: Option<bool>,
    #[serde(default)]
    channel: Vec<RawChannel>,
}

/// The channels and options of a `notify.toml`.
#[derive(Debug, Clone)]
pub struct NotifyConfig {
    pub channels: Vec<Channel>,
    pub options: NotifyOptions,
}

impl NotifyConfig {
    /// The channel called `name`.
    pub fn channel(&self, name: &str) -> Option<&Channel> {
        self.channels.iter().find(|c| c.name == name)
    }
}

/// `file:line:column` of a byte offset.
fn place(file: &Path, text: &str, offset: usize) -> String {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    format!("{}:{line}:{column}", file.display())
}

/// Reads the config; `Ok(None)` when there is no file.
pub fn load_config(file: &Path) -> Result<Option<NotifyConfig>, String> {
    let text = match std::fs::read_to_string(file) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("{}: {e}", file.display())),
    };
    let raw: RawConfig = toml::from_str(&text).map_err(|e| {
        let at = e.span().map_or(0, |s| s.start);
        format!("{}: {}", place(file, &text, at), e.message().trim())
    })?;
    let at_channel = |name: &str| {
        let offset = text.find(&format!("\"{name}\"")).unwrap_or(0);
        place(file, &text, offset)
    };
    let mut channels: Vec<Channel> = Vec::new();
    for c in raw.channel {
        let url = match (&c.url, &c.url_env) {
            (Some(u), None) => u.clone(),
            (None, Some(var)) => std::env::var(var).map_err(|_| {
                format!(
                    "{}: channel '{}': the environment variable {var} is not set",
                    at_channel(&c.name),
                    c.name
                )
            })?,
            _ => {
                return Err(format!(
                    "{}: channel '{}': give exactly one of url and url_env",
                    at_channel(&c.name),
                    c.name
                ));
            }
        };
        if channels.iter().any(|o| o.name == c.name) {
            return Err(format!(
                "{}: two channels are named '{}'",
                at_channel(&c.name),
                c.name
            ));
        }
        let channel = Channel::new(
            c.name.clone(),
            c.kind,
            &url,
            c.min_severity.unwrap_or(Severity::High),
        )
        .map_err(|e| format!("{}: channel '{}': {e}", at_channel(&c.name), c.name))?;
        channels.push(channel);
    }
    let defaults = NotifyOptions::default();
    Ok(Some(NotifyConfig {
        channels,
        options: NotifyOptions {
            window: raw.window_minutes.map_or(defaults.window, |m| {
                Duration::from_secs(m.saturating_mul(60))
            }),
            max_per_run: raw.max_per_run.unwrap_or(defaults.max_per_run),
            digest: raw.digest.unwrap_or(defaults.digest),
        },
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_config_is_read_and_its_mistakes_are_placed() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("notify.toml");
        assert!(load_config(&file).expect("missing is fine").is_none());
        std::fs::write(
            &file,
            "window_minutes = 30\n\n[[channel]]\nname = \"team\"\nurl = \"https://hooks.slack.com/services/T/B/X\"\nmin_severity = \"medium\"\n",
        )
        .expect("write");
        let config = load_config(&file).expect("read").expect("some");
        assert_eq!(config.options.window, Duration::from_secs(1800));
        let team = config.channel("team").expect("team");
        assert_eq!(
            (team.kind, team.min_severity),
            (ChannelKind::Slack, Severity::Medium)
        );
        std::fs::write(
            &file,
            "[[channel]]\nname = \"x\"\nurl = \"https://a.example/h\"\ncolour = 1\n",
        )
        .expect("write");
        let err = load_config(&file).expect_err("unknown field");
        assert!(
            err.contains("notify.toml:4:1: unknown field `colour`"),
            "{err}"
        );
        std::fs::write(
            &file,
            "[[channel]]\nname = \"x\"\nurl = \"http://a.example/h\"\n",
        )
        .expect("write");
        let err = load_config(&file).expect_err("http");
        assert!(
            err.contains("notify.toml:2:8: channel 'x': plain http"),
            "{err}"
        );
    }
}

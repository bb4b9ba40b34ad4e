//! Telling a team: issues sent to Slack incoming webhooks, Discord webhooks or any URL that
//! takes JSON — one message per new issue or a digest, throttled and redacted.
//!
//! A channel is `[slack=|discord=|json=]URL` or a channel named in `notify.toml`; the kind is
//! told by the host when not given. Webhook URLs carry their token, so they are never printed
//! (a channel shows as `slack (hooks.slack.com)`), must be `https` (plain `http` only to this
//! machine), and may come from an environment variable in the config. Every issue is redacted
//! before a payload is built from it, whatever the caller passed. Throttling: an issue goes to
//! a channel once per window (the state is kept in the data folder), at most `max_per_run`
//! messages each run, and whatever is left past the cap goes as one digest.

mod config;
mod payload;
mod send;
mod throttle;

pub use config::{NotifyConfig, load_config};
pub use payload::{digest_message, issue_message};
pub use send::{RetryPolicy, Sent, post_json};

use crate::group::Issue;
use crate::model::Severity;
use crate::redact::{RedactMemo, redact_issue, redact_issue_with};
use std::path::Path;
use std::time::Duration;

/// Issues a digest lists by name (the rest are counted).
pub const DIGEST_SHOWN: usize = 20;

/// Which payload a channel takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ChannelKind {
    Slack,
    Discord,
    Json,
}

impl ChannelKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ChannelKind::Slack => "slack",
            ChannelKind::Discord => "discord",
            ChannelKind::Json => "json",
        }
    }
}

/// Where messages go. The URL is private: it is the webhook's secret.
#[derive(Clone, PartialEq, Eq)]
pub struct Channel {
    pub name: String,
    pub kind: ChannelKind,
    url: String,
    host: String,
    /// Issues below this severity are not sent here.
    pub min_severity: Severity,
}

impl std::fmt::Debug for Channel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.label())
    }
}

impl Channel {
    /// `[kind=]URL`, checked: an http(s) URL with a host, https unless the host is this
    /// machine.
    pub fn parse(spec: &str, min_severity: Severity) -> Result<Channel, String> {
        let (kind, url) = match spec.split_once('=') {
            Some((k, rest)) if !k.contains(':') && !k.contains('/') => {
                let kind = match k.to_ascii_lowercase().as_str() {
                    "slack" => ChannelKind::Slack,
                    "discord" => ChannelKind::Discord,
                    "json" => ChannelKind::Json,
                    other => {
                        return Err(format!(
                            "unknown channel kind '{other}' (slack, discord or json)"
                        ));
                    }
                };
                (Some(kind), rest)
            }
            _ => (None, spec),
        };
        Channel::new(String::new(), kind, url.trim(), min_severity)
    }

    /// A channel from its parts; `kind` is guessed from the host when `None`.
    pub fn new(
        name: String,
        kind: Option<ChannelKind>,
        url: &str,
        min_severity: Severity,
    ) -> Result<Channel, String> {
        let uri: ureq::http::Uri = url
            .parse()
            .map_err(|_| "the webhook address is not a URL".to_string())?;
        let host = uri
            .host()
            .ok_or("the webhook address has no host")?
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        let loopback = host == "localhost"
            || host
                .parse::<std::net::IpAddr>()
                .is_ok_and(|ip| ip.is_loopback());
        match uri.scheme_str() {
            Some("https") => {}
            Some("http") if loopback => {}
            Some("http") => {
                return Err(format!(
                    "plain http to {host} would send the messages unencrypted: use https"
                ));
            }
            _ => return Err("the webhook address must be an http(s) URL".into()),
        }
        let kind = kind.unwrap_or_else(|| {
            if host == "hooks.slack.com" {
                ChannelKind::Slack
            } else if (host == "discord.com"
                || host.ends_with(".discord.com")
                || host == "discordapp.com")
                && uri.path().starts_with("/api/webhooks/")
            {
                ChannelKind::Discord
            } else {
                ChannelKind::Json
            }
        });
        Ok(Channel {
            name,
            kind,
            url: url.to_string(),
            host,
            min_severity,
        })
    }

    /// How the channel is shown: its name, kind and host — never the URL.
    pub fn label(&self) -> String {
        if self.name.is_empty() {
            format!("{} ({})", self.kind.as_str(), self.host)
        } else {
            format!("{} ({} at {})", self.name, self.kind.as_str(), self.host)
        }
    }

    /// A stable id for throttling that does not store the URL: a hash of it.
    fn id(&self) -> String {
        crate::fingerprint::fingerprint_of_key("notify", &self.url)
    }
}

/// How messages are spread over runs.
#[derive(Debug, Clone, Copy)]
pub struct NotifyOptions {
    /// An issue goes to a channel at most once per this long.
    pub window: Duration,
    /// Messages per channel per run; what is left goes as one digest.
    pub max_per_run: usize,
    /// One digest instead of a message per issue.
    pub digest: bool,
}

impl Default for NotifyOptions {
    fn default() -> Self {
        NotifyOptions {
            window: Duration::from_secs(3600),
            max_per_run: 5,
            digest: false,
        }
    }
}

/// One message sent (or tried).
#[derive(Debug, Clone)]
pub struct Delivery {
    pub channel: String,
    /// The fingerprints it carried.
    pub issues: Vec<String>,
    pub digest: bool,
    pub sent: Sent,
}

/// What a run of [`notify`] did.
#[derive(Debug, Clone, Default)]
pub struct NotifyOutcome {
    pub deliveries: Vec<Delivery>,
    /// Issues not sent because they went to that channel within the window.
    pub throttled: usize,
    /// The state file could not be read or written (throttling then forgets this run).
    pub state_error: Option<String>,
}

/// Sends `issues` (worst first) to every channel, throttled by the state file at `state`.
pub fn notify(
    channels: &[Channel],
    issues: &[Issue],
    opts: &NotifyOptions,
    state: Option<&Path>,
    policy: &RetryPolicy,
) -> NotifyOutcome {
    let mut memo = RedactMemo::default();
    let clean: Vec<Issue> = issues
        .iter()
        .map(|i| redact_issue_with(i, &mut memo).0)
        .collect();
    let mut sent = throttle::SentLog::load(state);
    let mut outcome = NotifyOutcome {
        state_error: sent.error.take(),
        ..NotifyOutcome::default()
    };
    let now = throttle::now();
    for channel in channels {
        let id = channel.id();
        let eligible: Vec<&Issue> = clean
            .iter()
            .filter(|i| i.severity.at_least(channel.min_severity))
            .collect();
        let fresh: Vec<&Issue> = eligible
            .iter()
            .copied()
            .filter(|i| !sent.recent(&id, &i.fingerprint, now, opts.window))
            .collect();
        outcome.throttled += eligible.len() - fresh.len();
        let (single, rest) = if opts.digest {
            (&[][..], &fresh[..])
        } else {
            fresh.split_at(fresh.len().min(opts.max_per_run))
        };
        let mut deliver = |body: serde_json::Value, carried: Vec<&Issue>, digest: bool| {
            let result = post_json(channel.url.as_str(), &body.to_string(), policy);
            if result.ok() {
                for i in &carried {
                    sent.mark(&id, &i.fingerprint, now);
                }
            }
            outcome.deliveries.push(Delivery {
                channel: channel.label(),
                issues: carried.iter().map(|i| i.fingerprint.clone()).collect(),
                digest,
                sent: result,
            });
        };
        for issue in single {
            deliver(issue_message(channel.kind, issue), vec![issue], false);
        }
        if !rest.is_empty() {
            deliver(
                digest_message(channel.kind, rest, DIGEST_SHOWN),
                rest.to_vec(),
                true,
            );
        }
    }
    if let Err(e) = sent.save(now) {
        outcome.state_error = Some(e);
    }
    outcome
}

/// Sends one issue now (a person chose to, in the window): redacted, not throttled.
pub fn send_issue(channel: &Channel, issue: &Issue, policy: &RetryPolicy) -> Sent {
    let clean = redact_issue(issue).0;
    post_json(
        &channel.url,
        &issue_message(channel.kind, &clean).to_string(),
        policy,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn channels_are_checked_and_never_show_their_url() {
        let slack = Channel::parse(
            "https://hooks.slack.com/services/T0/B0/XYZSECRET",
            Severity::High,
        )
        .expect("slack");
        assert_eq!(slack.kind, ChannelKind::Slack);
        assert_eq!(slack.label(), "slack (hooks.slack.com)");
        assert!(!format!("{slack:?}").contains("XYZSECRET"));
        let discord = Channel::parse("https://discord.com/api/webhooks/1/abc", Severity::High)
            .expect("discord");
        assert_eq!(discord.kind, ChannelKind::Discord);
        let local =
            Channel::parse("slack=http://127.0.0.1:8080/hook", Severity::High).expect("local");
        assert_eq!(local.kind, ChannelKind::Slack);
        assert_eq!(
            Channel::parse("http://example.com/hook", Severity::High).expect_err("http"),
            "plain http to example.com would send the messages unencrypted: use https"
        );
        assert!(Channel::parse("teams=https://x.example/h", Severity::High).is_err());
        assert!(Channel::parse("ftp://x/h", Severity::High).is_err());
        assert_eq!(
            Channel::parse("https://ci.example/hook?a=b", Severity::High).map(|c| c.kind),
            Ok(ChannelKind::Json)
        );
    }
}

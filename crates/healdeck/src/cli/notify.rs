//! `--notify` for `diagnose`: the channels named on the command line or in notify.toml, sent
//! to after the report is printed, with what happened said on stderr (never the URL).

use healdeck_config::Dirs;
use healdeck_engine::Issue;
use healdeck_engine::Severity;
use healdeck_engine::bus::TroubleAlert;
use healdeck_engine::notify::{self, Channel, NotifyOptions, RetryPolicy};
use std::path::PathBuf;
use std::time::Duration;

/// How long live alerts are gathered into one round of messages.
const BATCH: Duration = Duration::from_secs(3);

/// Channels, options and where the sent log lives.
pub(crate) struct Notifier {
    channels: Vec<Channel>,
    options: NotifyOptions,
    state: Option<PathBuf>,
}

impl Notifier {
    /// `None` when no channel was asked for; an error names the bad channel or config line.
    pub(crate) fn from_args(
        specs: &[String],
        min: Severity,
        window_minutes: Option<u64>,
        max: Option<usize>,
        digest: bool,
        dirs: Option<&Dirs>,
    ) -> Result<Option<Notifier>, String> {
        if specs.is_empty() {
            return Ok(None);
        }
        let config_file = dirs.map(|d| d.settings_file("notify.toml"));
        let config = match &config_file {
            Some(f) => notify::load_config(f)?,
            None => None,
        };
        let mut channels = Vec::new();
        for spec in specs {
            let channel = if spec.contains("://") {
                Channel::parse(spec, min).map_err(|e| format!("--notify: {e}"))?
            } else {
                let named = config.as_ref().and_then(|c| c.channel(spec));
                named.cloned().ok_or_else(|| match &config_file {
                    Some(f) => format!(
                        "--notify {spec}: not a URL, and {} has no channel named '{spec}'",
                        f.display()
                    ),
                    None => format!("--notify {spec}: not a URL (and there is no config folder)"),
                })?
            };
            channels.push(channel);
        }
        let mut options = config.map_or_else(NotifyOptions::default, |c| c.options);
        if let Some(m) = window_minutes {
            options.window = Duration::from_secs(m.saturating_mul(60));
        }
        if let Some(n) = max {
            options.max_per_run = n;
        }
        options.digest |= digest;
        Ok(Some(Notifier {
            channels,
            options,
            state: dirs.map(|d| d.data().join("notify").join("sent.json")),
        }))
    }

    /// While following: issues that happen live (not the history read first) are sent in
    /// batches — the first alert, then whatever else comes within [`BATCH`] — until the bus
    /// closes.
    pub(crate) fn follow(&self, alerts: &crossbeam_channel::Receiver<TroubleAlert>) {
        while let Ok(first) = alerts.recv() {
            let mut batch: Vec<TroubleAlert> = vec![first];
            let until = std::time::Instant::now() + BATCH;
            while let Some(left) = until.checked_duration_since(std::time::Instant::now()) {
                match alerts.recv_timeout(left) {
                    Ok(a) => batch.push(a),
                    Err(crossbeam_channel::RecvTimeoutError::Timeout) => break,
                    Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
                }
            }
            // The latest state of each issue, worst first.
            let mut issues: Vec<Issue> = Vec::new();
            for a in batch.into_iter().filter(|a| a.live) {
                issues.retain(|i| i.fingerprint != a.issue.fingerprint);
                issues.push((*a.issue).clone());
            }
            healdeck_engine::group::sort_issues(&mut issues);
            if !issues.is_empty() {
                self.send(&issues);
            }
        }
    }

    /// Sends, and says on stderr what went where.
    pub(crate) fn send(&self, issues: &[Issue]) {
        let outcome = notify::notify(
            &self.channels,
            issues,
            &self.options,
            self.state.as_deref(),
            &RetryPolicy::default(),
        );
        if let Some(e) = &outcome.state_error {
            eprintln!("healdeck: notify: {e}");
        }
        for d in &outcome.deliveries {
            let what = if d.digest {
                format!("a digest of {} issue(s)", d.issues.len())
            } else {
                format!("issue {}", d.issues.join(", "))
            };
            let tries = if d.sent.attempts == 1 {
                "1 attempt".to_string()
            } else {
                format!("{} attempts", d.sent.attempts)
            };
            match &d.sent.error {
                None => eprintln!("healdeck: notified {}: {what} ({tries})", d.channel),
                Some(e) => eprintln!(
                    "healdeck: could not notify {}: {what}: {e} ({tries})",
                    d.channel
                ),
            }
        }
        if outcome.throttled > 0 {
            eprintln!(
                "healdeck: notify: {} issue(s) already sent within the window, not sent again",
                outcome.throttled
            );
        }
    }
}

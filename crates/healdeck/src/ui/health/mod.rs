//! The Health tab: every check of `health.toml` with its state, last result, latency, a
//! sparkline of the last hours and its remediation history; checks are added, edited and
//! removed here with the same validation as the file; a class B action waits for a click,
//! a tripped breaker for a reset.
//!
//! This file holds the tab's state and turns the monitor's events into it; `panel` draws the
//! list and the selected check, `editor` the add/edit form (and writes `health.toml`). The
//! monitor is the engine's, on the background runtime: its results wait in a `mailbox` the
//! tab empties each frame (the window is woken when a check starts or stops failing, and
//! every two seconds while this tab is on screen); issues, actions and notices arrive as
//! events; the tab reaches the monitor only through its `Control` (approve, reset, stop).

mod editor;
mod mailbox;
mod panel;

use super::events::HealthMsg;
use super::shared::Shared;
use super::widgets::ToastKind;
use editor::Editor;
use healdeck_engine::Issue;
use healdeck_engine::fix::audit::{AuditEntry, AuditLog};
use healdeck_engine::health::history::{History, KEPT_SECS, Record};
use healdeck_engine::health::{
    self, Check, CheckResult, CheckStatus, Control, HealthConfig, HealthEvent, Options,
};
use mailbox::Mailbox;
use std::collections::{HashMap, VecDeque};
use std::path::PathBuf;
use std::sync::Arc;

/// One check as the tab shows it.
pub struct CheckRow {
    pub check: Check,
    pub last: Option<CheckResult>,
    pub status: Option<CheckStatus>,
    /// The last day of results (loaded from disk, then as they come).
    pub history: VecDeque<Record>,
    /// The fingerprint of the check's issue (for its remediation history in the audit log).
    pub fingerprint: Option<String>,
}

pub struct HealthTab {
    file: PathBuf,
    config: Option<HealthConfig>,
    /// Why `health.toml` could not be used (file:line: field: message).
    error: Option<String>,
    control: Option<Arc<Control>>,
    generation: u64,
    rows: Vec<CheckRow>,
    selected: Option<String>,
    /// The person chose `selected` (until then the first failing check is shown).
    picked: bool,
    /// Remediation history per issue fingerprint.
    remedies: HashMap<String, Vec<AuditEntry>>,
    /// The latest notices (a breaker opened, an action waits), newest last.
    notices: VecDeque<(String, String)>,
    editor: Option<Editor>,
    /// The running monitor's results, taken each frame.
    mailbox: Arc<Mailbox>,
    /// A change to health.toml is being written: no other edit until it is.
    saving: bool,
    histories_loaded: bool,
}

const KEPT_NOTICES: usize = 20;

impl HealthTab {
    pub fn new(sh: &Shared) -> HealthTab {
        let mut tab = HealthTab {
            file: health::default_file(&sh.dirs.dirs),
            config: None,
            error: None,
            control: None,
            generation: 0,
            rows: Vec::new(),
            selected: None,
            picked: false,
            remedies: HashMap::new(),
            notices: VecDeque::new(),
            editor: None,
            mailbox: Mailbox::new(),
            saving: false,
            histories_loaded: false,
        };
        tab.start(sh);
        tab
    }

    /// (Re)reads `health.toml` and starts its monitor (stopping the previous one).
    pub fn start(&mut self, sh: &Shared) {
        if let Some(c) = self.control.take() {
            c.stop();
        }
        self.generation += 1;
        self.histories_loaded = false;
        let config = match health::config::load(&self.file) {
            Ok(c) => c,
            Err(e) => {
                self.error = Some(e.to_string());
                self.config = None;
                self.rows.clear();
                return;
            }
        };
        self.error = None;
        self.rows = config
            .checks
            .iter()
            .map(|c| CheckRow {
                check: c.clone(),
                last: None,
                status: None,
                history: VecDeque::new(),
                fingerprint: None,
            })
            .collect();
        self.config = Some(config.clone());
        if config.checks.is_empty() {
            self.histories_loaded = true;
            return;
        }
        let generation = self.generation;
        let data = sh.dirs.dirs.data().to_path_buf();
        let checks: Vec<(String, u64)> = config
            .checks
            .iter()
            .map(|c| (c.name.clone(), c.interval_s))
            .collect();
        sh.bg.blocking(move |r| {
            let histories = checks
                .into_iter()
                .map(|(name, interval)| {
                    let h = History::load(&data, &name, interval);
                    let records = h.records().iter().copied().collect();
                    (name, records)
                })
                .collect();
            r.send(HealthMsg::Histories(generation, histories));
        });
        let control = Control::new();
        self.control = Some(control.clone());
        let reply = sh.bg.reply();
        let mailbox = Mailbox::new();
        self.mailbox = mailbox.clone();
        let keep: HashMap<String, usize> = config
            .checks
            .iter()
            .map(|c| {
                (
                    c.name.clone(),
                    (KEPT_SECS / c.interval_s.max(1)) as usize + 16,
                )
            })
            .collect();
        let sink: health::monitor::Sink = Arc::new(move |event: HealthEvent| match event {
            // Results go to the mailbox; the window is woken only when it matters.
            HealthEvent::Result(result, status) => {
                let k = keep.get(&result.check).copied().unwrap_or(64);
                if mailbox.put(result, status, k) {
                    reply.send(HealthMsg::Wake);
                }
            }
            other => reply.send(HealthMsg::Monitor(generation, other)),
        });
        let options = Options {
            dirs: sh.dirs.dirs.clone(),
            approved: Vec::new(),
            once: false,
        };
        sh.bg
            .spawn(health::monitor::run(config, options, control, sink));
    }

    /// Takes a message in; returns a check's issue for the Troubleshooter's feed.
    pub fn on_event(&mut self, sh: &mut Shared, msg: HealthMsg) -> Option<Arc<Issue>> {
        match msg {
            HealthMsg::Monitor(g, _) | HealthMsg::Histories(g, _) if g != self.generation => None,
            HealthMsg::Monitor(_, event) => self.on_monitor(sh, event),
            HealthMsg::Histories(_, histories) => {
                for (name, records) in histories {
                    if let Some(row) = self.rows.iter_mut().find(|r| r.check.name == name) {
                        // What arrived live while the file was read stays after it.
                        let live = std::mem::take(&mut row.history);
                        row.history = records.into();
                        row.history.extend(live);
                    }
                }
                self.histories_loaded = true;
                None
            }
            HealthMsg::Wake => None,
            HealthMsg::Remedies(fp, entries) => {
                self.remedies.insert(fp, entries);
                None
            }
            HealthMsg::Saved(Ok(path)) => {
                self.saving = false;
                sh.toasts
                    .add(ToastKind::Success, format!("Saved {}", path.display()));
                self.start(sh);
                None
            }
            HealthMsg::Saved(Err(e)) => {
                self.saving = false;
                sh.toasts.add(ToastKind::Error, e);
                None
            }
        }
    }

    fn on_monitor(&mut self, sh: &mut Shared, event: HealthEvent) -> Option<Arc<Issue>> {
        match event {
            // Results come through the mailbox (`absorb`).
            HealthEvent::Result(..) => None,
            HealthEvent::Issue(issue) => {
                let name = issue.captures.get("check").cloned().unwrap_or_default();
                let fp = issue.fingerprint.clone();
                if let Some(row) = self.row_mut(&name) {
                    row.fingerprint = Some(fp.clone());
                }
                if self.selected.as_deref() == Some(name.as_str())
                    && !self.remedies.contains_key(&fp)
                {
                    self.load_remedies(sh, &fp);
                }
                Some(issue)
            }
            HealthEvent::Action(check, step) => {
                if let healdeck_engine::fix::Step::Verified { ok, detail, .. } = &step {
                    // A failed attempt is in the check's history; a success is news.
                    if *ok {
                        sh.toasts
                            .add(ToastKind::Success, format!("{check}: {detail}"));
                    }
                    if let Some(fp) = self.row_mut(&check).and_then(|r| r.fingerprint.clone()) {
                        self.load_remedies(sh, &fp);
                    }
                }
                None
            }
            HealthEvent::Notice(check, message) => {
                sh.toasts.add(
                    ToastKind::Error,
                    format!("Health check '{check}': {message}"),
                );
                self.notices.push_back((check, message));
                while self.notices.len() > KEPT_NOTICES {
                    self.notices.pop_front();
                }
                None
            }
        }
    }

    /// Takes in the results the monitor left since the last frame; `visible` says whether
    /// the Health tab is on screen (it is refreshed while it is).
    pub fn absorb(&mut self, visible: bool) {
        self.mailbox
            .visible
            .store(visible, std::sync::atomic::Ordering::Relaxed);
        let news = self.mailbox.take();
        for (name, records) in news.records {
            if let Some(row) = self.row_mut(&name) {
                let keep = (KEPT_SECS / row.check.interval_s.max(1)) as usize + 16;
                row.history.extend(records);
                while row.history.len() > keep {
                    row.history.pop_front();
                }
            }
        }
        for (name, (result, status)) in news.latest {
            if let Some(row) = self.row_mut(&name) {
                row.last = Some(result);
                row.status = Some(status);
            }
        }
    }

    fn row_mut(&mut self, name: &str) -> Option<&mut CheckRow> {
        self.rows.iter_mut().find(|r| r.check.name == name)
    }

    /// Reads the audit log's entries for `fingerprint` off the UI thread.
    fn load_remedies(&self, sh: &Shared, fingerprint: &str) {
        let audit = AuditLog::in_dir(sh.dirs.dirs.data());
        let fp = fingerprint.to_string();
        sh.bg.blocking(move |r| {
            let entries = audit
                .read()
                .0
                .into_iter()
                .filter(|e| e.fingerprint == fp)
                .collect();
            r.send(HealthMsg::Remedies(fp, entries));
        });
    }

    /// Checks failing now.
    pub fn failing(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.status.as_ref().is_some_and(|s| s.failing))
            .count()
    }

    /// Checks configured.
    pub fn len(&self) -> usize {
        self.rows.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rows.is_empty()
    }

    /// Every check has a result (or there are none): a screenshot shows the real state.
    pub fn ready(&self) -> bool {
        self.histories_loaded && self.rows.iter().all(|r| r.last.is_some())
    }

    /// The rows (tests).
    pub fn rows(&self) -> &[CheckRow] {
        &self.rows
    }

    /// The config error shown, if any (tests).
    pub fn error(&self) -> Option<&str> {
        self.error.as_deref()
    }
}

impl Drop for HealthTab {
    fn drop(&mut self) {
        if let Some(c) = &self.control {
            c.stop();
        }
    }
}

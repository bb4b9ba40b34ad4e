//! The Troubleshooter tab: log sources, the live error feed (a virtualized table over the
//! feed model), the selected issue's details, and the three actions — Run Diagnostics, Auto-Fix
//! (Safe Only), Copy Prompt — plus report export.
//!
//! This file holds the tab's state and turns `TroubleEvent`s into it; `work` starts the
//! background work (watching, scans, fix sessions, prompts, exports); the panels draw in
//! `sources`, `toolbar`, `table`, `details` and `fix_window`; `feed` is the row model.

mod ai_panel;
mod details;
mod feed;
mod fix_scope;
mod fix_window;
mod folder_env;
mod patterns;
mod patterns_plot;
mod propose_panel;
mod secrets;
mod sources;
mod table;
mod team;
mod toolbar;
mod work;

pub use feed::{Feed, Filter};
use patterns::TroubleView;

use super::events::{TroubleEvent, TroublePick};
use super::shared::Shared;
use super::widgets::{ToastKind, bytes, thousands};
use fix_scope::FixScope;
use fix_window::FixPanel;
use folder_env::{EditorAnswer, FolderEnvEditor, folder_envs};
use healdeck_engine::fix::FolderEnv;
use healdeck_engine::fix::audit::AuditEntry;
use healdeck_engine::prompt::Prompt;
use healdeck_engine::scan::{ScanControl, ScanReport};
use healdeck_engine::{Engine, RuleSources};
use secrets::{Masks, Outgoing, Review, deliver, review_ui};
use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The running watcher; dropping it stops it.
struct Watch {
    stop: Arc<AtomicBool>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// A configured log path as the sources list shows it.
struct PathRow {
    path: PathBuf,
    is_dir: bool,
    exists: bool,
    /// A source read through a program (`journal:`, `ssh://…`, `docker://…`).
    stream: bool,
}

pub struct TroubleTab {
    pub engine: Option<Arc<Engine>>,
    rules_note: String,
    pub feed: Feed,
    pub filter: Filter,
    pub selected: Option<String>,
    /// More rows selected with Ctrl/⌘-click (Auto-Fix acts on all of them).
    pub marked: std::collections::BTreeSet<String>,
    watch: Option<Watch>,
    /// What `restart_watch` found: the paths followed, and each configured path's state for
    /// the sources list (checked when the paths change, not every frame).
    watched: Vec<PathBuf>,
    path_rows: Vec<PathRow>,
    generation: u64,
    pub watched_files: usize,
    /// Each stream source's state as its reader last said, by its name.
    source_states: HashMap<String, healdeck_engine::remote::StreamState>,
    watch_error: Option<String>,
    scan: Option<(Arc<ScanControl>, Instant)>,
    pub dry_run: bool,
    fix: FixPanel,
    history: HashMap<String, Vec<AuditEntry>>,
    prompt_busy: bool,
    focus_search: bool,
    path_entry: String,
    /// Live alerts are applied in batches; the rows are rebuilt at most this often.
    last_refresh: Instant,
    /// What the tab shows with secrets masked, and which issues are revealed.
    masks: Masks,
    /// A prompt or report waiting for the person to see what was removed.
    review: Option<Review>,
    /// "Python for this folder…": the dialog, when open.
    env_editor: Option<FolderEnvEditor>,
    /// fixer.json's environments per followed path (read when the paths change).
    folder_envs: Vec<(PathBuf, FolderEnv)>,
    /// Plans shown in the details pane, fix records, and "Fix all safe issues…".
    scope: FixScope,
    /// Rows that changed live (not the logs' existing content), and when: they glow briefly.
    pub flashes: HashMap<String, Instant>,
    /// "Explain with AI": the question in flight, the consent dialog, stored answers.
    ai: ai_panel::AiPanel,
    /// "Propose fix": the run in flight or finished, and its consent dialog.
    propose: propose_panel::ProposePanel,
    /// "Send to…" channels and the support bundle dialog.
    team: team::TeamPanel,
    /// The issue feed, or the logs' patterns.
    pub view: TroubleView,
    patterns: patterns::PatternsPanel,
}

impl TroubleTab {
    pub fn new(sh: &Shared) -> TroubleTab {
        let filter = Filter {
            show_severity: sh.settings.show_severity,
            ..Filter::default()
        };
        // Rules compile off the UI thread; the watcher starts when they are ready.
        let sources = RuleSources {
            user_folder: sh.dirs.user_rules.then(|| sh.dirs.dirs.user_rules()),
            extra: Vec::new(),
        };
        sh.bg.blocking(move |r| {
            let (engine, errors) = Engine::load(&sources);
            r.send(TroubleEvent::EngineReady {
                engine: Arc::new(engine),
                errors: errors.iter().map(|e| e.to_string()).collect(),
            });
        });
        TroubleTab {
            engine: None,
            rules_note: "loading rules…".into(),
            feed: Feed::new(),
            filter,
            selected: None,
            marked: std::collections::BTreeSet::new(),
            watch: None,
            watched: Vec::new(),
            path_rows: Vec::new(),
            generation: 0,
            watched_files: 0,
            source_states: HashMap::new(),
            watch_error: None,
            scan: None,
            dry_run: false,
            fix: FixPanel::default(),
            history: HashMap::new(),
            prompt_busy: false,
            focus_search: false,
            path_entry: String::new(),
            last_refresh: Instant::now(),
            masks: Masks::default(),
            review: None,
            env_editor: None,
            folder_envs: Vec::new(),
            scope: FixScope::default(),
            flashes: HashMap::new(),
            ai: ai_panel::AiPanel::default(),
            propose: propose_panel::ProposePanel::default(),
            team: team::TeamPanel::default(),
            view: TroubleView::default(),
            patterns: patterns::PatternsPanel::default(),
        }
    }

    /// What the live watcher says: alerts, its start, its sources' states, its failure.
    fn on_watch_event(&mut self, sh: &mut Shared, event: TroubleEvent) {
        // Events of a watcher that was replaced since are old news.
        let generation = match &event {
            TroubleEvent::Alert(generation, _)
            | TroubleEvent::WatchReady { generation, .. }
            | TroubleEvent::SourceState { generation, .. }
            | TroubleEvent::WatchFailed { generation, .. } => *generation,
            _ => return,
        };
        if generation != self.generation {
            return;
        }
        match event {
            TroubleEvent::Alert(_, alert) => {
                if alert.live {
                    self.flashes
                        .insert(alert.issue.fingerprint.clone(), Instant::now());
                }
                self.feed.upsert(alert.issue);
            }
            TroubleEvent::WatchReady { files, .. } => {
                self.watched_files = files;
                self.start_mining(sh);
            }
            TroubleEvent::SourceState { source, state, .. } => {
                self.source_states.insert(source, state);
            }
            TroubleEvent::WatchFailed { error, .. } => {
                sh.toasts.add(ToastKind::Error, error.clone());
                self.watch_error = Some(error);
            }
            _ => {}
        }
    }

    /// Takes in one event from a worker.
    pub(crate) fn on_event(&mut self, sh: &mut Shared, event: TroubleEvent) {
        match event {
            TroubleEvent::EngineReady { engine, errors } => {
                self.rules_note = format!("{} rules", engine.rules.rules.len());
                self.engine = Some(engine);
                for e in errors {
                    sh.toasts.add(ToastKind::Error, format!("rules: {e}"));
                }
                self.restart_watch(sh);
            }
            event @ (TroubleEvent::Alert(..)
            | TroubleEvent::WatchReady { .. }
            | TroubleEvent::SourceState { .. }
            | TroubleEvent::WatchFailed { .. }) => self.on_watch_event(sh, event),
            TroubleEvent::ScanDone(report) => self.on_scan_done(sh, *report),
            TroubleEvent::FixPlanned {
                plans,
                dry_run,
                ask,
            } => self.fix.on_plan(plans, dry_run, ask),
            TroubleEvent::Preview {
                fingerprint,
                count,
                plans,
            } => self.scope.on_preview(fingerprint, count, plans),
            TroubleEvent::AllPlanned(Ok(plans)) => self.scope.on_all_planned(plans),
            TroubleEvent::AllPlanned(Err(e)) => {
                self.scope.planning_all = false;
                sh.toasts.add(ToastKind::Error, format!("No fix plan: {e}"));
            }
            TroubleEvent::Fixed(fixed) => {
                self.scope.fixed = fixed;
                self.feed.mark_dirty();
            }
            TroubleEvent::FixStep(step) => self.fix.on_step(step),
            TroubleEvent::FixDone { outcomes, error } => {
                self.fix.on_done(sh, &outcomes, error);
                self.history.clear();
                self.scope.invalidate();
                self.load_fixed(sh);
            }
            TroubleEvent::Prompt {
                fingerprint,
                result,
            } => self.on_prompt(sh, &fingerprint, result),
            TroubleEvent::History {
                fingerprint,
                entries,
            } => {
                self.history.insert(fingerprint, entries);
            }
            TroubleEvent::Picked(TroublePick::LogFolder | TroublePick::LogFile, path) => {
                self.add_path(sh, path);
            }
            TroubleEvent::Picked(TroublePick::ExportMarkdown, path) => {
                self.export(sh, path, false);
            }
            TroubleEvent::Picked(TroublePick::ExportJson, path) => self.export(sh, path, true),
            TroubleEvent::Picked(TroublePick::Bundle, path) => self.write_bundle(sh, path),
            TroubleEvent::Channels(channels) => self.team.on_channels(channels),
            TroubleEvent::Sent(channel, result) => self.team.on_sent(sh, &channel, result),
            TroubleEvent::Bundled(result) => self.team.on_bundled(sh, result),
            TroubleEvent::Patterns { generation, result } => {
                self.on_patterns(sh, generation, result);
            }
            TroubleEvent::BaselineSaved(result) => self.on_baseline_saved(sh, result),
            TroubleEvent::Picked(
                what @ (TroublePick::FolderPython | TroublePick::FolderNodeProject),
                path,
            ) => {
                if let Some(editor) = &mut self.env_editor {
                    editor.picked(what, &path);
                }
            }
            TroubleEvent::ExportReady {
                path,
                text,
                findings,
            } => self.outgoing(sh, Outgoing::Export { path, text }, findings),
            TroubleEvent::Ai(serial, update) => self.ai.on_update(sh, serial, update),
            TroubleEvent::Propose(serial, update) => {
                // Attempts and an applied patch are in the audit log: the history reloads.
                let audited = matches!(
                    update,
                    super::events::ProposeUpdate::Done(_)
                        | super::events::ProposeUpdate::Applied(_)
                );
                self.propose.on_update(sh, serial, update);
                if audited {
                    self.history.clear();
                }
            }
        }
    }

    fn on_scan_done(&mut self, sh: &mut Shared, report: ScanReport) {
        let elapsed = self.scan.take().map(|(_, t)| t.elapsed());
        if report.cancelled {
            sh.toasts.add(
                ToastKind::Info,
                "Diagnostics cancelled; the feed is unchanged",
            );
            return;
        }
        for e in &report.errors {
            sh.toasts.add(ToastKind::Error, e.to_string());
        }
        let s = &report.stats;
        let msg = format!(
            "Diagnostics: {} issue(s) in {} file(s), {} lines, {} in {:.2} s",
            thousands(report.issues.len() as u64),
            s.files,
            thousands(s.lines),
            bytes(s.bytes),
            elapsed.map_or(s.seconds, |d| d.as_secs_f64())
        );
        tracing::info!("[TROUBLE] {msg}");
        sh.toasts.add(ToastKind::Success, msg);
        self.feed.replace_all(report.issues);
        // The anomalies are issues too: mined again beside the new scan.
        self.start_mining(sh);
        if self
            .selected
            .as_deref()
            .is_some_and(|f| self.feed.get(f).is_none())
        {
            self.selected = None;
        }
    }

    fn on_prompt(&mut self, sh: &mut Shared, fingerprint: &str, result: Result<Prompt, String>) {
        self.prompt_busy = false;
        match result {
            Ok(p) => {
                let what = Outgoing::Prompt {
                    fingerprint: fingerprint.to_string(),
                    text: p.text,
                    trimmed: p.trimmed,
                };
                self.outgoing(sh, what, p.findings);
            }
            Err(e) => sh.toasts.add(ToastKind::Error, e),
        }
    }

    /// A prompt or report is ready: with nothing removed it goes at once; otherwise the person
    /// sees what was removed first.
    fn outgoing(
        &mut self,
        sh: &mut Shared,
        what: Outgoing,
        findings: Vec<healdeck_engine::redact::Finding>,
    ) {
        if findings.is_empty() {
            if matches!(what, Outgoing::Notify { .. }) {
                self.team.sending();
            }
            deliver(sh, what, &findings);
        } else {
            self.review = Some(Review { what, findings });
        }
    }

    /// Called once a frame before drawing: rebuilds the rows when due.
    pub fn prepare(&mut self, sh: &Shared) {
        self.filter.show_severity = sh.settings.show_severity;
        let (sort, desc) = (sh.settings.sort, sh.settings.sort_descending);
        // Filter or sort changes apply at once; a stream of live updates at most 4× a second.
        let filters_changed = self.feed.filters_changed(&self.filter, sort, desc);
        if self.feed.needs_refresh(&self.filter, sort, desc)
            && (filters_changed
                || self.feed.rows().is_empty()
                || self.last_refresh.elapsed() >= Duration::from_millis(250))
        {
            let scope = &self.scope;
            self.feed
                .refresh_with(&self.filter, sort, desc, |i| scope.is_resolved(i));
            self.last_refresh = Instant::now();
        } else if self.feed.needs_refresh(&self.filter, sort, desc) {
            sh.egui_ctx
                .request_repaint_after(Duration::from_millis(250));
        }
    }

    /// The Auto-Fix window's lines, and whether a fix run is in progress (tests).
    pub fn fix_log(&self) -> (Vec<String>, bool) {
        self.fix.log()
    }

    pub fn focus_search(&mut self) {
        self.focus_search = true;
    }

    /// What the review dialog says was removed, while it is open (tests).
    pub fn review_summary(&self) -> Option<String> {
        self.review.as_ref().map(|r| secrets::summary(&r.findings))
    }

    pub fn scanning(&self) -> bool {
        self.scan.is_some()
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        self.prepare(sh);
        // In a narrow window the side panels give way, so the table keeps its key columns.
        let width = ui.available_width();
        egui::Panel::left("trouble_sources")
            .resizable(true)
            .default_size(210.0_f32.min(width * 0.2).max(170.0))
            .min_size(170.0)
            .max_size((width * 0.3).max(170.0))
            .show(ui, |ui| self.sources_ui(ui, sh));
        egui::Panel::top("trouble_toolbar").show(ui, |ui| {
            ui.add_space(4.0);
            self.toolbar_ui(ui, sh);
            ui.add_space(2.0);
            self.filters_ui(ui, sh);
            ui.add_space(4.0);
        });
        if self.feed.is_empty() && sh.settings.log_paths.is_empty() && !sh.settings.watch_own_log {
            egui::CentralPanel::default().show(ui, |ui| self.empty_state(ui, sh));
        } else {
            egui::Panel::right("trouble_details")
                .resizable(true)
                .default_size(400.0_f32.min(width * 0.32).max(260.0))
                .min_size(260.0)
                .max_size((width * 0.5).max(260.0))
                .show(ui, |ui| self.details_ui(ui, sh));
            egui::CentralPanel::default().show(ui, |ui| match self.view {
                TroubleView::Issues => self.table_ui(ui, sh),
                TroubleView::Patterns => self.patterns_ui(ui, sh),
            });
        }
        if let Some(editor) = &mut self.env_editor
            && let Some(answer) = editor.ui(ui.ctx(), sh)
        {
            self.env_editor = None;
            if matches!(answer, EditorAnswer::Saved) {
                self.folder_envs = folder_envs(&sh.dirs.dirs);
                self.scope.invalidate();
            }
        }
        self.confirm_all_ui(ui.ctx(), sh);
        self.ai.confirm_ui(ui.ctx(), sh);
        self.propose.confirm_ui(ui.ctx(), sh);
        self.bundle_dialog_ui(ui.ctx(), sh);
        if let Some(approved) = self.fix.window(ui.ctx()) {
            self.run_approved(sh, approved);
        }
        if let Some(answer) = self.review.as_ref().and_then(|r| review_ui(ui.ctx(), r))
            && let Some(r) = self.review.take()
        {
            if answer {
                if matches!(r.what, Outgoing::Notify { .. }) {
                    self.team.sending();
                }
                deliver(sh, r.what, &r.findings);
            } else {
                sh.toasts
                    .add(ToastKind::Info, "Nothing was copied, exported or sent");
            }
        }
    }
}

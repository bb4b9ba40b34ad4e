//! The Troubleshooter tab: log sources, the live error feed (a virtualized table over the
//! feed model), the selected issue's details, and the three actions — Run Diagnostics, Auto-Fix
//! (Safe Only), Copy Prompt — plus report export. Work runs on the background runtime; this
//! file only turns clicks into commands and `UiEvent`s into state.

use super::app::Shared;
use super::bg::{Picked, UiEvent};
use super::feed::{Feed, Filter, source_name};
use super::settings::SortKey;
use super::widgets::{ToastKind, bytes, severity_badge, severity_color, thousands};
use crate::troubleshoot::bus::AlertBus;
use crate::troubleshoot::fix::audit::{AuditEntry, AuditLog};
use crate::troubleshoot::fix::lock::FixLock;
use crate::troubleshoot::fix::packages::ProjectManifests;
use crate::troubleshoot::fix::{Decision, FixerConfig, IssuePlan, PlanContext, Runner, Step, plan};
use crate::troubleshoot::model::Category;
use crate::troubleshoot::prompt;
use crate::troubleshoot::scan::{ScanControl, ScanOptions, scan};
use crate::troubleshoot::watch::{LiveWatcher, WatchOptions};
use crate::troubleshoot::{Engine, Issue, Severity, report};
use egui::{Color32, RichText};
use egui_extras::{Column, TableBuilder};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The sample logs shipped with the app, written to `<data>/sample-logs` on request.
const SAMPLE_LOGS: [(&str, &str); 8] = [
    ("access.log", include_str!("../../assets/logs/access.log")),
    (
        "go_service.log",
        include_str!("../../assets/logs/go_service.log"),
    ),
    (
        "gunicorn_django.log",
        include_str!("../../assets/logs/gunicorn_django.log"),
    ),
    (
        "nginx_error.log",
        include_str!("../../assets/logs/nginx_error.log"),
    ),
    (
        "node_app.log",
        include_str!("../../assets/logs/node_app.log"),
    ),
    (
        "spring_boot.log",
        include_str!("../../assets/logs/spring_boot.log"),
    ),
    ("syslog.log", include_str!("../../assets/logs/syslog.log")),
    (
        "training.log",
        include_str!("../../assets/logs/training.log"),
    ),
];

struct Watch {
    stop: Arc<AtomicBool>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// One line of the Auto-Fix window.
struct FixLine {
    text: String,
    color: Option<Color32>,
    mono: bool,
    strong: bool,
}

/// A configured log path as the sources list shows it.
struct PathRow {
    path: PathBuf,
    is_dir: bool,
    exists: bool,
}

/// A class B fix waiting for a yes or no in the dialog.
struct Approval {
    issue: Issue,
    what: String,
    /// Vetting warnings (typosquatting, unvetted names).
    warnings: Vec<String>,
    approved: bool,
}

#[derive(Default)]
struct FixPanel {
    open: bool,
    running: bool,
    lines: Vec<FixLine>,
    approvals: Vec<Approval>,
}

pub struct TroubleTab {
    pub engine: Option<Arc<Engine>>,
    rules_note: String,
    pub feed: Feed,
    pub filter: Filter,
    pub selected: Option<String>,
    watch: Option<Watch>,
    /// What `restart_watch` found: the paths followed, and each configured path's state for
    /// the sources list (checked when the paths change, not every frame).
    watched: Vec<PathBuf>,
    path_rows: Vec<PathRow>,
    generation: u64,
    pub watched_files: usize,
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
}

impl TroubleTab {
    pub fn new(sh: &Shared) -> TroubleTab {
        let filter = Filter {
            show_severity: sh.settings.show_severity,
            ..Filter::default()
        };
        // Rules compile off the UI thread; the watcher starts when they are ready.
        let include_user = sh.dirs.user_rules;
        let config = sh.dirs.config.clone();
        sh.bg.blocking(move |r| {
            let user = config.join("rules");
            let extra: Vec<PathBuf> = if include_user && user.is_dir() {
                vec![user]
            } else {
                Vec::new()
            };
            let (engine, errors) = Engine::load(&extra, false);
            r.send(UiEvent::EngineReady {
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
            watch: None,
            watched: Vec::new(),
            path_rows: Vec::new(),
            generation: 0,
            watched_files: 0,
            watch_error: None,
            scan: None,
            dry_run: false,
            fix: FixPanel::default(),
            history: HashMap::new(),
            prompt_busy: false,
            focus_search: false,
            path_entry: String::new(),
            last_refresh: Instant::now(),
        }
    }

    fn watched_paths(sh: &Shared) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = sh
            .settings
            .log_paths
            .iter()
            .filter(|p| p.exists())
            .cloned()
            .collect();
        if sh.settings.watch_own_log
            && let Some(p) = &sh.dirs.own_log
        {
            paths.push(p.clone());
        }
        paths
    }

    /// (Re)starts following the configured logs; the feed is rebuilt from what they hold.
    pub fn restart_watch(&mut self, sh: &Shared) {
        self.watch = None;
        self.generation += 1;
        self.watched_files = 0;
        self.watch_error = None;
        self.feed.replace_all(Vec::new());
        self.selected = None;
        self.path_rows = sh
            .settings
            .log_paths
            .iter()
            .map(|p| PathRow {
                path: p.clone(),
                is_dir: p.is_dir(),
                exists: p.exists(),
            })
            .collect();
        self.watched = Self::watched_paths(sh);
        let Some(engine) = self.engine.clone() else {
            return;
        };
        let paths = self.watched.clone();
        if paths.is_empty() {
            return;
        }
        tracing::info!(
            "[TROUBLE] following {} log path(s): {}",
            paths.len(),
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        let stop = Arc::new(AtomicBool::new(false));
        self.watch = Some(Watch { stop: stop.clone() });
        let bus = Arc::new(AlertBus::new());
        let generation = self.generation;
        sh.bg.forward(bus.subscribe_lossless(), move |a| {
            UiEvent::Alert(generation, Box::new(a))
        });
        sh.bg.blocking(move |r| {
            let mut w = LiveWatcher::new(&engine, &paths, WatchOptions::default());
            let ready = r.clone();
            let result = w.run(
                &stop,
                |alert| bus.publish(alert),
                |files| ready.send(UiEvent::WatchReady { generation, files }),
            );
            if let Err(e) = result {
                r.send(UiEvent::WatchFailed {
                    generation,
                    error: e.to_string(),
                });
            }
        });
    }

    /// Run Diagnostics: a full rescan with progress; its result replaces the feed.
    pub fn run_diagnostics(&mut self, sh: &Shared) {
        if self.scan.is_some() {
            return;
        }
        // A path that appeared or vanished since: follow what is there now, then rescan it.
        if Self::watched_paths(sh) != self.watched {
            self.restart_watch(sh);
        }
        let Some(engine) = self.engine.clone() else {
            return;
        };
        let paths = self.watched.clone();
        if paths.is_empty() {
            return;
        }
        let control = Arc::new(ScanControl::default());
        self.scan = Some((control.clone(), Instant::now()));
        tracing::info!("[TROUBLE] diagnostics started");
        sh.bg.blocking(move |r| {
            let report = scan(&engine, &paths, &ScanOptions::default(), &control);
            r.send(UiEvent::ScanDone(Box::new(report)));
        });
    }

    pub fn cancel_diagnostics(&mut self) {
        if let Some((c, _)) = &self.scan {
            c.cancel.store(true, Ordering::Relaxed);
        }
    }

    fn issues_with_fixes(&self) -> Vec<Arc<Issue>> {
        self.feed
            .all()
            .iter()
            .filter(|i| !i.fixes.is_empty())
            .cloned()
            .collect()
    }

    fn fixer_config(config_dir: &Path) -> Result<FixerConfig, String> {
        let path = config_dir.join("fixer.json");
        if path.exists() {
            FixerConfig::load(&path).map_err(|e| e.to_string())
        } else {
            Ok(FixerConfig::default())
        }
    }

    /// Auto-Fix (Safe Only): plans every issue; class A runs at once, class B waits for the
    /// dialog, class C is explained. With "Dry run" nothing runs.
    pub fn auto_fix(&mut self, sh: &Shared) {
        if self.fix.running || self.engine.is_none() {
            return;
        }
        self.fix.open = true;
        self.fix.lines.clear();
        self.fix.approvals.clear();
        self.fix.running = true;
        self.start_fix(sh, Vec::new(), self.issues_with_fixes(), self.dry_run);
    }

    fn start_fix(
        &mut self,
        sh: &Shared,
        approved: Vec<String>,
        issues: Vec<Arc<Issue>>,
        dry: bool,
    ) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        let config_dir = sh.dirs.config.clone();
        let data_dir = sh.dirs.data.clone();
        let log_paths = sh.settings.log_paths.clone();
        let python = sh.settings.python.clone();
        let only_approved = !approved.is_empty();
        tracing::info!(
            "[TROUBLE] auto-fix {} over {} issue(s)",
            if dry { "dry run" } else { "run" },
            issues.len()
        );
        sh.bg.blocking(move |r| {
            let cfg = match Self::fixer_config(&config_dir) {
                Ok(c) => c,
                Err(e) => {
                    r.send(UiEvent::FixPlanned {
                        plans: Vec::new(),
                        dry_run: dry,
                        error: Some(e),
                    });
                    return;
                }
            };
            let issues: Vec<Issue> = issues.iter().map(|i| (**i).clone()).collect();
            let manifests = ProjectManifests::near(&log_paths);
            let ctx = PlanContext {
                config: &cfg,
                python: python.as_deref(),
                approved: &approved,
                manifests: &manifests,
            };
            let mut plans = plan(&issues, &ctx);
            if only_approved {
                plans.retain(|p| approved.contains(&p.issue.fingerprint));
            }
            r.send(UiEvent::FixPlanned {
                plans: plans.clone(),
                dry_run: dry,
                error: None,
            });
            let runnable = plans
                .iter()
                .any(|p| p.fixes.iter().any(|f| f.decision == Decision::Run));
            if dry || !runnable {
                r.send(UiEvent::FixDone {
                    outcomes: Vec::new(),
                    error: None,
                });
                return;
            }
            let _lock = match FixLock::acquire(&data_dir) {
                Ok(l) => l,
                Err(e) => {
                    r.send(UiEvent::FixDone {
                        outcomes: Vec::new(),
                        error: Some(e.to_string()),
                    });
                    return;
                }
            };
            let runner = Runner {
                config: &cfg,
                engine: &engine,
                data_dir: data_dir.clone(),
                audit: AuditLog::in_dir(&data_dir),
            };
            let outcomes = runner.run(&plans, |s| r.send(UiEvent::FixStep(s.clone())));
            r.send(UiEvent::FixDone {
                outcomes,
                error: None,
            });
        });
    }

    /// Copy Prompt: the selected issue's repair prompt (or the top row's), secrets redacted.
    pub fn copy_prompt(&mut self, sh: &Shared) {
        if self.prompt_busy {
            return;
        }
        let issue = self
            .selected
            .as_deref()
            .and_then(|f| self.feed.get(f))
            .or_else(|| self.feed.row(0))
            .cloned();
        let Some(issue) = issue else {
            return;
        };
        self.prompt_busy = true;
        let config_dir = sh.dirs.config.clone();
        let data_dir = sh.dirs.data.clone();
        let python = sh.settings.python.clone();
        sh.bg.blocking(move |r| {
            let result = Self::fixer_config(&config_dir).map(|cfg| {
                let py = cfg.python(python.as_deref());
                let env = prompt::environment(&issue, &py, Duration::from_secs(10));
                let attempts = AuditLog::in_dir(&data_dir).attempts(&issue.fingerprint);
                prompt::build(&issue, &env, &attempts, cfg.prompt_max_chars)
            });
            r.send(UiEvent::Prompt {
                fingerprint: issue.fingerprint.clone(),
                result,
            });
        });
    }

    fn load_history(&mut self, sh: &Shared, fingerprint: &str) {
        let data_dir = sh.dirs.data.clone();
        let fp = fingerprint.to_string();
        sh.bg.blocking(move |r| {
            let entries = AuditLog::in_dir(&data_dir).attempts(&fp);
            r.send(UiEvent::History {
                fingerprint: fp,
                entries,
            });
        });
    }

    /// Export: the followed logs scanned as `healdeck diagnose` scans them, so the report's
    /// totals (files, bytes, lines) are true whether or not Run Diagnostics ran.
    pub fn export(&mut self, sh: &Shared, path: PathBuf, json: bool) {
        let (Some(engine), false) = (self.engine.clone(), self.watched.is_empty()) else {
            sh.bg.reply().send(UiEvent::Wrote(Err(
                "nothing to export: add a log folder first".into(),
            )));
            return;
        };
        let paths = self.watched.clone();
        sh.bg.blocking(move |r| {
            let rep = scan(
                &engine,
                &paths,
                &ScanOptions::default(),
                &ScanControl::default(),
            );
            let text = if json {
                report::json(&rep, &[])
            } else {
                report::markdown(&rep, &[])
            };
            r.send(UiEvent::Wrote(
                std::fs::write(&path, text)
                    .map(|()| path.clone())
                    .map_err(|e| format!("{}: {e}", path.display())),
            ));
        });
    }

    fn use_sample_logs(&mut self, sh: &mut Shared) {
        let dir = sh.dirs.data.join("sample-logs");
        let written = std::fs::create_dir_all(&dir).and_then(|()| {
            SAMPLE_LOGS
                .iter()
                .try_for_each(|(name, text)| std::fs::write(dir.join(name), text))
        });
        match written {
            Ok(()) => {
                if !sh.settings.log_paths.contains(&dir) {
                    sh.settings.log_paths.push(dir);
                }
                self.restart_watch(sh);
            }
            Err(e) => sh.toasts.add(
                ToastKind::Error,
                format!("could not write the sample logs to {}: {e}", dir.display()),
            ),
        }
    }

    pub fn add_path(&mut self, sh: &mut Shared, path: PathBuf) {
        if !sh.settings.log_paths.contains(&path) {
            sh.settings.log_paths.push(path);
            self.restart_watch(sh);
        }
    }

    /// Takes in one event from a worker; returns true when it was this tab's.
    pub fn on_event(&mut self, sh: &mut Shared, event: UiEvent) -> Option<UiEvent> {
        match event {
            UiEvent::EngineReady { engine, errors } => {
                self.rules_note = format!("{} rules", engine.rules.rules.len());
                self.engine = Some(engine);
                for e in errors {
                    sh.toasts.add(ToastKind::Error, format!("rules: {e}"));
                }
                self.restart_watch(sh);
            }
            UiEvent::Alert(generation, alert) => {
                if generation == self.generation {
                    self.feed.upsert(alert.issue);
                }
            }
            UiEvent::WatchReady { generation, files } => {
                if generation == self.generation {
                    self.watched_files = files;
                }
            }
            UiEvent::WatchFailed { generation, error } => {
                if generation == self.generation {
                    sh.toasts.add(ToastKind::Error, error.clone());
                    self.watch_error = Some(error);
                }
            }
            UiEvent::ScanDone(report) => {
                let elapsed = self.scan.take().map(|(_, t)| t.elapsed());
                if report.cancelled {
                    sh.toasts.add(
                        ToastKind::Info,
                        "Diagnostics cancelled; the feed is unchanged",
                    );
                    return None;
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
                if self
                    .selected
                    .as_deref()
                    .is_some_and(|f| self.feed.get(f).is_none())
                {
                    self.selected = None;
                }
            }
            UiEvent::FixPlanned {
                plans,
                dry_run,
                error,
            } => self.on_plan(plans, dry_run, error),
            UiEvent::FixStep(step) => self.on_step(step),
            UiEvent::FixDone { outcomes, error } => {
                self.fix.running = false;
                if let Some(e) = error {
                    self.fix_line(
                        format!("⚠ {e}"),
                        Some(Color32::from_rgb(224, 62, 62)),
                        false,
                    );
                }
                if !outcomes.is_empty() {
                    let fixed = outcomes
                        .iter()
                        .filter(|(_, o)| {
                            matches!(o, crate::troubleshoot::fix::Outcome::Fixed { .. })
                        })
                        .count();
                    let msg = format!("Auto-Fix finished: {fixed} of {} fixed", outcomes.len());
                    self.fix_line(msg.clone(), None, false);
                    sh.toasts.add(ToastKind::Success, msg);
                }
                self.history.clear();
            }
            UiEvent::Prompt {
                fingerprint,
                result,
            } => {
                self.prompt_busy = false;
                match result {
                    Ok(p) => {
                        let chars = p.text.chars().count();
                        let secrets: usize = p.redactions.values().sum();
                        match sh.clipboard.copy(&sh.egui_ctx, &p.text) {
                            Ok(()) => {
                                tracing::info!(
                                    "[TROUBLE] prompt for {fingerprint} copied: {chars} characters, {secrets} secret(s) redacted"
                                );
                                sh.toasts.add(
                                    ToastKind::Success,
                                    format!(
                                        "Repair prompt copied — {} characters, {secrets} secret(s) redacted{}",
                                        thousands(chars as u64),
                                        if p.trimmed { ", trimmed to fit" } else { "" }
                                    ),
                                );
                            }
                            Err(e) => sh.toasts.add(ToastKind::Error, format!("clipboard: {e}")),
                        }
                    }
                    Err(e) => sh.toasts.add(ToastKind::Error, e),
                }
            }
            UiEvent::History {
                fingerprint,
                entries,
            } => {
                self.history.insert(fingerprint, entries);
            }
            other => return Some(other),
        }
        None
    }

    fn fix_line(&mut self, text: String, color: Option<Color32>, mono: bool) {
        self.fix.lines.push(FixLine {
            text,
            color,
            mono,
            strong: false,
        });
    }

    fn on_plan(&mut self, plans: Vec<IssuePlan>, dry_run: bool, error: Option<String>) {
        if let Some(e) = error {
            self.fix.running = false;
            self.fix_line(
                format!("⚠ {e}"),
                Some(Color32::from_rgb(224, 62, 62)),
                false,
            );
            return;
        }
        let (mut a, mut b, mut c) = (0, 0, 0);
        if plans.is_empty() {
            self.fix_line(
                "No issue in the feed has a recommended fix.".into(),
                None,
                false,
            );
        }
        for p in &plans {
            self.fix.lines.push(FixLine {
                text: p.issue.title.clone(),
                color: None,
                mono: false,
                strong: true,
            });
            for f in &p.fixes {
                let (tag, color) = match &f.decision {
                    Decision::Run => {
                        a += 1;
                        (
                            if dry_run { "would run" } else { "will run" }.to_string(),
                            Color32::from_rgb(84, 178, 90),
                        )
                    }
                    Decision::NeedsApproval => {
                        b += 1;
                        ("needs approval".into(), Color32::from_rgb(236, 132, 40))
                    }
                    Decision::AdviceOnly => {
                        c += 1;
                        ("advice only".into(), Color32::GRAY)
                    }
                    Decision::Refused(why) => (format!("not possible: {why}"), Color32::GRAY),
                };
                self.fix_line(
                    if matches!(f.decision, Decision::AdviceOnly) {
                        format!("   class {} · advice: {}", f.class, f.fix.description)
                    } else {
                        format!(
                            "   class {} · {} — {}: {}",
                            f.class,
                            f.action.name(),
                            tag,
                            f.action.describe()
                        )
                    },
                    Some(color),
                    false,
                );
                for w in &f.warnings {
                    self.fix_line(
                        format!("      ⚠ {w}"),
                        Some(Color32::from_rgb(236, 132, 40)),
                        false,
                    );
                }
            }
        }
        self.fix_line(
            format!("{a} safe fix(es), {b} waiting for approval, {c} advice only"),
            None,
            false,
        );
        if !dry_run {
            for p in plans {
                for f in &p.fixes {
                    if f.decision == Decision::NeedsApproval {
                        self.fix.approvals.push(Approval {
                            issue: p.issue.clone(),
                            what: f.action.describe(),
                            warnings: f.warnings.clone(),
                            approved: false,
                        });
                    }
                }
            }
        }
    }

    fn on_step(&mut self, step: Step) {
        let green = Some(Color32::from_rgb(84, 178, 90));
        let red = Some(Color32::from_rgb(224, 62, 62));
        match step {
            Step::Start {
                attempt,
                action,
                command,
                ..
            } => self.fix_line(
                format!("▶ attempt {attempt}: {action} — {command}"),
                None,
                false,
            ),
            Step::Output { line, .. } => self.fix_line(line, None, true),
            Step::Finished { output, backup, .. } => {
                if let Some(b) = backup {
                    self.fix_line(
                        format!("   backup {b} (restore: healdeck fix --restore {b})"),
                        None,
                        false,
                    );
                }
                // The action's own lines arrived live; one that could not start says why here.
                let tail = output.output_tail.trim();
                if output.exit.is_none() && !output.timed_out && !tail.is_empty() {
                    self.fix_line(tail.to_string(), None, true);
                }
                let status = if output.timed_out {
                    "timed out".to_string()
                } else {
                    output
                        .exit
                        .map_or("did not start".into(), |c| format!("exit {c}"))
                };
                self.fix_line(
                    format!("   {status}"),
                    if output.success() { green } else { red },
                    false,
                );
            }
            Step::Verified { ok, detail, .. } => self.fix_line(
                format!("   {} verify: {detail}", if ok { "✔" } else { "❌" }),
                if ok { green } else { red },
                false,
            ),
            Step::Unfixable { attempts, .. } => self.fix_line(
                format!("❌ unfixable after {attempts} attempt(s)"),
                red,
                false,
            ),
            Step::LimitReached { limit, .. } => self.fix_line(
                format!("… the limit of {limit} action(s) per run is reached; run again later"),
                None,
                false,
            ),
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
            self.feed.refresh(&self.filter, sort, desc);
            self.last_refresh = Instant::now();
        } else if self.feed.needs_refresh(&self.filter, sort, desc) {
            sh.egui_ctx
                .request_repaint_after(Duration::from_millis(250));
        }
    }

    /// The Auto-Fix window's lines, and whether a fix run is in progress (tests).
    pub fn fix_log(&self) -> (Vec<String>, bool) {
        (
            self.fix.lines.iter().map(|l| l.text.clone()).collect(),
            self.fix.running,
        )
    }

    pub fn focus_search(&mut self) {
        self.focus_search = true;
    }

    pub fn scanning(&self) -> bool {
        self.scan.is_some()
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        self.prepare(sh);
        egui::Panel::left("trouble_sources")
            .resizable(true)
            .default_size(250.0)
            .min_size(190.0)
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
                .default_size(400.0)
                .min_size(280.0)
                .show(ui, |ui| self.details_ui(ui, sh));
            egui::CentralPanel::default().show(ui, |ui| self.table_ui(ui, sh));
        }
        self.fix_window(ui.ctx(), sh);
    }

    fn sources_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        ui.add_space(6.0);
        ui.heading("Log sources");
        ui.add_space(4.0);
        let mut remove = None;
        egui::ScrollArea::vertical()
            .max_height(ui.available_height() - 150.0)
            .show(ui, |ui| {
                for (i, row) in self.path_rows.iter().enumerate() {
                    let p = &row.path;
                    ui.horizontal(|ui| {
                        if ui
                            .small_button("🗙")
                            .on_hover_text("Stop following this path")
                            .clicked()
                        {
                            remove = Some(i);
                        }
                        let icon = if row.is_dir { "📁" } else { "📄" };
                        let name = p
                            .file_name()
                            .map(|n| n.to_string_lossy().to_string())
                            .unwrap_or_else(|| p.display().to_string());
                        let text = if row.exists {
                            RichText::new(format!("{icon} {name}"))
                        } else {
                            RichText::new(format!("{icon} {name} (missing)"))
                                .color(Color32::from_rgb(224, 62, 62))
                        };
                        ui.label(text).on_hover_text(p.display().to_string());
                    });
                }
            });
        if let Some(i) = remove {
            sh.settings.log_paths.remove(i);
            self.restart_watch(sh);
        }
        ui.add_space(6.0);
        if ui.button("📁 Add log folder…").clicked() {
            sh.bg
                .pick(Picked::LogFolder, sh.settings.log_paths.last().cloned());
        }
        if ui.button("📄 Add log file…").clicked() {
            sh.bg.pick(Picked::LogFile, None);
        }
        let entry = ui.add(
            egui::TextEdit::singleline(&mut self.path_entry)
                .hint_text("…or paste a path, Enter")
                .desired_width(f32::INFINITY),
        );
        if entry.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            let p = PathBuf::from(self.path_entry.trim());
            if p.exists() {
                self.path_entry.clear();
                self.add_path(sh, p);
            } else if !self.path_entry.trim().is_empty() {
                sh.toasts.add(
                    ToastKind::Error,
                    format!("{}: no such file or folder", p.display()),
                );
            }
        }
        if ui.button("🔬 Try with sample logs").clicked() {
            self.use_sample_logs(sh);
        }
        let mut own = sh.settings.watch_own_log;
        if ui
            .checkbox(&mut own, "Watch healdeck's own log")
            .on_hover_text(
                sh.dirs
                    .own_log
                    .as_ref()
                    .map_or("no log file".into(), |p| p.display().to_string()),
            )
            .changed()
        {
            sh.settings.watch_own_log = own;
            self.restart_watch(sh);
        }
        ui.add_space(4.0);
        let status = if let Some(e) = &self.watch_error {
            RichText::new(format!("⚠ {e}")).color(Color32::from_rgb(224, 62, 62))
        } else if self.watch.is_some() {
            RichText::new(format!("👁 following {} file(s) live", self.watched_files)).weak()
        } else {
            RichText::new(format!("not following anything · {}", self.rules_note)).weak()
        };
        ui.label(status);
    }

    fn toolbar_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        ui.horizontal(|ui| {
            let has_sources = !self.watched.is_empty() && self.engine.is_some();
            let scanning = self.scan.is_some();
            if ui
                .add_enabled(
                    has_sources && !scanning,
                    egui::Button::new(RichText::new("▶ Run Diagnostics").strong()),
                )
                .on_hover_text("Rescan every log from the start (F5)")
                .clicked()
            {
                self.run_diagnostics(sh);
            }
            if ui
                .add_enabled(
                    !self.feed.is_empty() && !self.fix.running,
                    egui::Button::new("🛠 Auto-Fix (Safe Only)"),
                )
                .on_hover_text(
                    "Run class A fixes; class B asks first; class C is advice (Ctrl+Shift+F)",
                )
                .clicked()
            {
                self.auto_fix(sh);
            }
            ui.checkbox(&mut self.dry_run, "Dry run")
                .on_hover_text("Only show the plan; change nothing");
            if ui
                .add_enabled(
                    !self.feed.is_empty() && !self.prompt_busy,
                    egui::Button::new("📋 Copy Prompt"),
                )
                .on_hover_text(
                    "Copy the selected issue's repair prompt, secrets redacted (Ctrl+Shift+C)",
                )
                .clicked()
            {
                self.copy_prompt(sh);
            }
            ui.menu_button("⬇ Export", |ui| {
                if ui.button("Markdown report…").clicked() {
                    sh.bg
                        .save_dialog(Picked::ExportMarkdown, report_path(&sh.dirs.data, "md"));
                    ui.close();
                }
                if ui.button("JSON report…").clicked() {
                    sh.bg
                        .save_dialog(Picked::ExportJson, report_path(&sh.dirs.data, "json"));
                    ui.close();
                }
            });
            if let Some((control, started)) = &self.scan {
                let total = control.bytes_total.load(Ordering::Relaxed);
                let done = control.bytes_done.load(Ordering::Relaxed);
                let frac = if total > 0 {
                    done as f32 / total as f32
                } else {
                    0.0
                };
                ui.add(
                    egui::ProgressBar::new(frac)
                        .desired_width(220.0)
                        .text(format!(
                            "{} / {} · {:.1} s",
                            bytes(done),
                            bytes(total),
                            started.elapsed().as_secs_f32()
                        ))
                        .animate(true),
                );
                if ui.button("Cancel").clicked() {
                    self.cancel_diagnostics();
                }
                ui.ctx().request_repaint_after(Duration::from_millis(100));
            }
        });
    }

    fn filters_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        ui.horizontal(|ui| {
            let counts = self.feed.counts();
            let dark = ui.visuals().dark_mode;
            for (i, s) in Severity::ALL.into_iter().enumerate() {
                let on = &mut sh.settings.show_severity[i];
                let text = RichText::new(format!("{} {} {}", s.badge(), s.as_str(), counts[i]))
                    .color(if *on {
                        severity_color(dark, s)
                    } else {
                        Color32::GRAY
                    });
                ui.toggle_value(on, text)
                    .on_hover_text(format!("Show {} issues", s.as_str()));
            }
            ui.separator();
            let cat_text = self
                .filter
                .category
                .map_or("All categories".to_string(), |c| c.as_str().to_string());
            let lbl = ui.label("Category");
            egui::ComboBox::from_id_salt("category_filter")
                .selected_text(cat_text)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.category, None, "All categories");
                    for c in Category::ALL {
                        ui.selectable_value(&mut self.filter.category, Some(c), c.as_str());
                    }
                })
                .response
                .labelled_by(lbl.id);
            let src_text = self
                .filter
                .source
                .clone()
                .unwrap_or_else(|| "All sources".into());
            let sources: Vec<String> = self.feed.sources().iter().cloned().collect();
            let lbl = ui.label("Source");
            egui::ComboBox::from_id_salt("source_filter")
                .selected_text(src_text)
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut self.filter.source, None, "All sources");
                    for s in sources {
                        ui.selectable_value(&mut self.filter.source, Some(s.clone()), s);
                    }
                })
                .response
                .labelled_by(lbl.id);
            let search = ui.add(
                egui::TextEdit::singleline(&mut self.filter.search)
                    .hint_text("🔍 Search issues (Ctrl+F)")
                    .desired_width(190.0),
            );
            if self.focus_search {
                search.request_focus();
                self.focus_search = false;
            }
            if !self.filter.search.is_empty() && ui.small_button("🗙").clicked() {
                self.filter.search.clear();
            }
            ui.label(
                RichText::new(format!(
                    "{} of {} issues",
                    thousands(self.feed.rows().len() as u64),
                    thousands(self.feed.len() as u64)
                ))
                .weak(),
            );
        });
    }

    fn empty_state(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        ui.vertical_centered(|ui| {
            ui.add_space((ui.available_height() * 0.25).max(20.0));
            ui.label(RichText::new("🔎").size(56.0));
            ui.add_space(8.0);
            ui.heading("No logs yet");
            ui.add_space(4.0);
            ui.label(
                "Point healdeck at your application's log folder: it follows the files live,\n\
                 groups every failure into one issue, explains the cause and the fix.",
            );
            ui.add_space(16.0);
            ui.horizontal(|ui| {
                let w = 380.0;
                ui.add_space(((ui.available_width() - w) / 2.0).max(0.0));
                if ui
                    .add(egui::Button::new(
                        RichText::new("📁 Add log folder…").size(16.0),
                    ))
                    .clicked()
                {
                    sh.bg.pick(Picked::LogFolder, None);
                }
                ui.add_space(12.0);
                if ui
                    .add(egui::Button::new(
                        RichText::new("🔬 Try with sample logs").size(16.0),
                    ))
                    .clicked()
                {
                    self.use_sample_logs(sh);
                }
            });
        });
    }

    fn sort_header(ui: &mut egui::Ui, sh: &mut Shared, label: &str, key: SortKey) {
        let active = sh.settings.sort == key;
        let arrow = match (active, sh.settings.sort_descending) {
            (false, _) => "",
            (true, false) => " ⏷",
            (true, true) => " ⏶",
        };
        let text = RichText::new(format!("{label}{arrow}")).strong();
        if ui
            .add(egui::Button::new(text).frame(false))
            .on_hover_text(format!("Sort by {}", label.to_lowercase()))
            .clicked()
        {
            if active {
                sh.settings.sort_descending = !sh.settings.sort_descending;
            } else {
                sh.settings.sort = key;
                sh.settings.sort_descending = false;
            }
        }
    }

    fn table_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        if self.feed.rows().is_empty() {
            ui.vertical_centered(|ui| {
                ui.add_space(40.0);
                let text = if self.feed.is_empty() {
                    if self.watch.is_some() {
                        "✔ No failures found — new ones appear here as they are written."
                    } else {
                        "Waiting for the rules to load…"
                    }
                } else {
                    "No issue matches the filters."
                };
                ui.label(RichText::new(text).size(15.0));
            });
            return;
        }
        let row_height = 24.0;
        let mut clicked = None;
        let mut want_prompt = false;
        let selected = self.selected.clone();
        let mut scroll_to = None;
        // Up/Down move the selection when no text field has the keyboard.
        if !ui.ctx().egui_wants_keyboard_input() {
            let (up, down) = ui.input(|i| {
                (
                    i.key_pressed(egui::Key::ArrowUp),
                    i.key_pressed(egui::Key::ArrowDown),
                )
            });
            if up || down {
                let cur = selected.as_deref().and_then(|f| {
                    (0..self.feed.rows().len())
                        .find(|&r| self.feed.row(r).is_some_and(|i| i.fingerprint == f))
                });
                let next = match (cur, down) {
                    (None, _) => 0,
                    (Some(c), true) => (c + 1).min(self.feed.rows().len() - 1),
                    (Some(c), false) => c.saturating_sub(1),
                };
                clicked = self.feed.row(next).map(|i| i.fingerprint.clone());
                scroll_to = Some(next);
            }
        }
        // Rows are clicked, not text-selected.
        ui.style_mut().interaction.selectable_labels = false;
        let feed = &self.feed;
        let mut table = TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .column(Column::exact(104.0))
            .column(Column::remainder().at_least(160.0).clip(true))
            .column(Column::initial(112.0).clip(true))
            .column(Column::initial(56.0))
            .column(Column::initial(146.0).clip(true))
            .column(Column::initial(118.0).clip(true))
            .min_scrolled_height(0.0);
        if let Some(r) = scroll_to {
            table = table.scroll_to_row(r, None);
        }
        table
            .header(26.0, |mut h| {
                h.col(|ui| Self::sort_header(ui, sh, "Severity", SortKey::Severity));
                h.col(|ui| Self::sort_header(ui, sh, "Title", SortKey::Title));
                h.col(|ui| Self::sort_header(ui, sh, "Category", SortKey::Category));
                h.col(|ui| Self::sort_header(ui, sh, "Count", SortKey::Count));
                h.col(|ui| Self::sort_header(ui, sh, "Last seen", SortKey::LastSeen));
                h.col(|ui| Self::sort_header(ui, sh, "Source", SortKey::Source));
            })
            .body(|body| {
                body.rows(row_height, feed.rows().len(), |mut row| {
                    let Some(issue) = feed.row(row.index()) else {
                        return;
                    };
                    row.set_selected(selected.as_deref() == Some(issue.fingerprint.as_str()));
                    row.col(|ui| {
                        severity_badge(ui, issue.severity);
                    });
                    row.col(|ui| {
                        ui.add(egui::Label::new(&issue.title).truncate());
                    });
                    row.col(|ui| {
                        ui.label(issue.category.as_str());
                    });
                    row.col(|ui| {
                        ui.label(thousands(issue.count));
                    });
                    row.col(|ui| {
                        ui.label(issue.last_seen.as_deref().unwrap_or("—"));
                    });
                    row.col(|ui| {
                        ui.label(source_name(issue))
                            .on_hover_text(&issue.latest.source);
                    });
                    let resp = row.response();
                    if resp.clicked() {
                        clicked = Some(issue.fingerprint.clone());
                    }
                    resp.context_menu(|ui| {
                        if ui.button("📋 Copy Prompt").clicked() {
                            clicked = Some(issue.fingerprint.clone());
                            want_prompt = true;
                            ui.close();
                        }
                        if ui.button("Copy title").clicked() {
                            ui.ctx().copy_text(issue.title.clone());
                            ui.close();
                        }
                        if ui.button("Copy fingerprint").clicked() {
                            ui.ctx().copy_text(issue.fingerprint.clone());
                            ui.close();
                        }
                        if ui.button("Copy location").clicked() {
                            ui.ctx().copy_text(format!(
                                "{}:{}",
                                issue.latest.source, issue.latest.line
                            ));
                            ui.close();
                        }
                    });
                });
            });
        if let Some(fp) = clicked {
            if !self.history.contains_key(&fp) {
                self.load_history(sh, &fp);
            }
            self.selected = Some(fp);
        }
        if want_prompt {
            self.copy_prompt(sh);
        }
    }

    fn details_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        let Some(issue) = self.selected.as_deref().and_then(|f| self.feed.get(f)) else {
            ui.add_space(30.0);
            ui.vertical_centered(|ui| {
                ui.label(RichText::new("Select an issue to see its cause and fix.").weak());
            });
            return;
        };
        let issue = issue.clone();
        if !self.history.contains_key(&issue.fingerprint) {
            self.history.insert(issue.fingerprint.clone(), Vec::new());
            self.load_history(sh, &issue.fingerprint);
        }
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.add_space(6.0);
                ui.add(egui::Label::new(RichText::new(&issue.title).heading()).wrap());
                ui.horizontal_wrapped(|ui| {
                    severity_badge(ui, issue.severity);
                    ui.label(format!("· {} ·", issue.category));
                    ui.label(format!("seen {}×", thousands(issue.count)));
                    if let Some(r) = &issue.rule {
                        ui.label(RichText::new(format!("rule {r}")).weak());
                    }
                });
                ui.label(
                    RichText::new(format!(
                        "first {} · last {} · {}",
                        issue.first_seen.as_deref().unwrap_or("—"),
                        issue.last_seen.as_deref().unwrap_or("—"),
                        issue.fingerprint
                    ))
                    .weak()
                    .small(),
                );
                ui.add_space(8.0);
                ui.label(RichText::new("Root cause").strong());
                ui.add(egui::Label::new(&issue.root_cause).wrap());
                ui.add_space(8.0);
                ui.label(RichText::new("Recommended fixes").strong());
                if issue.fixes.is_empty() {
                    ui.label(RichText::new("none known").weak());
                }
                for f in &issue.fixes {
                    ui.horizontal_wrapped(|ui| {
                        let (color, what) = match f.class {
                            crate::troubleshoot::FixClass::A => {
                                (Color32::from_rgb(84, 178, 90), "safe, runs unattended")
                            }
                            crate::troubleshoot::FixClass::B => {
                                (Color32::from_rgb(236, 132, 40), "asks first")
                            }
                            crate::troubleshoot::FixClass::C => (Color32::GRAY, "advice"),
                        };
                        ui.label(
                            RichText::new(format!("class {}", f.class))
                                .color(color)
                                .strong(),
                        )
                        .on_hover_text(what);
                        ui.label(format!("{:.0}%", f.confidence * 100.0))
                            .on_hover_text("confidence");
                        ui.add(egui::Label::new(&f.description).wrap());
                    });
                }
                ui.add_space(8.0);
                ui.label(RichText::new("Excerpt").strong());
                excerpt_ui(ui, &issue, self.engine.as_deref());
                ui.label(
                    RichText::new(format!(
                        "{}:{}",
                        issue.occurrences.first().map_or("", |o| o.source.as_str()),
                        issue.occurrences.first().map_or(0, |o| o.line)
                    ))
                    .weak()
                    .small(),
                );
                if !issue.consequences.is_empty() {
                    ui.add_space(6.0);
                    ui.label(RichText::new("What followed").strong());
                    for c in &issue.consequences {
                        ui.label(RichText::new(c).monospace().small());
                    }
                }
                if issue.occurrences.len() > 1 {
                    ui.add_space(6.0);
                    ui.collapsing(
                        format!("Occurrences ({} kept)", issue.occurrences.len()),
                        |ui| {
                            for o in &issue.occurrences {
                                ui.label(
                                    RichText::new(format!(
                                        "{}:{} {}",
                                        o.source,
                                        o.line,
                                        o.timestamp.as_deref().unwrap_or("")
                                    ))
                                    .small(),
                                );
                            }
                        },
                    );
                }
                ui.add_space(8.0);
                ui.label(RichText::new("Fix history").strong());
                match self.history.get(&issue.fingerprint) {
                    Some(h) if !h.is_empty() => {
                        for e in h {
                            ui.label(
                                RichText::new(format!(
                                    "{} · attempt {} · {} → {}{}",
                                    crate::troubleshoot::timestamp::iso_of_unix(e.time as i64),
                                    e.attempt,
                                    e.action,
                                    e.result,
                                    e.exit_status
                                        .map(|c| format!(" (exit {c})"))
                                        .unwrap_or_default()
                                ))
                                .small(),
                            );
                        }
                    }
                    _ => {
                        ui.label(RichText::new("no fix attempted yet").weak());
                    }
                }
            });
    }

    fn fix_window(&mut self, ctx: &egui::Context, sh: &mut Shared) {
        if !self.fix.approvals.is_empty() && !self.fix.running {
            let modal = egui::Modal::new(egui::Id::unique("approve_fixes")).show(ctx, |ui| {
                ui.set_max_width(560.0);
                ui.heading("Approve these fixes?");
                ui.label(
                    "They change more than a package or a cache (class B). Each runs only \
                     if you tick it; everything is audited and backed up first.",
                );
                ui.add_space(6.0);
                for a in &mut self.fix.approvals {
                    ui.checkbox(
                        &mut a.approved,
                        format!("{}\n    {}", a.issue.title, a.what),
                    );
                    for w in &a.warnings {
                        ui.label(
                            RichText::new(format!("      ⚠ {w}"))
                                .color(Color32::from_rgb(236, 132, 40)),
                        );
                    }
                }
                ui.add_space(8.0);
                let mut close = None;
                ui.horizontal(|ui| {
                    if ui.button("Run approved").clicked() {
                        close = Some(true);
                    }
                    if ui.button("Not now").clicked() {
                        close = Some(false);
                    }
                });
                close
            });
            match modal.inner {
                Some(true) => {
                    let mut approved: Vec<String> = Vec::new();
                    let mut issues: Vec<Arc<Issue>> = Vec::new();
                    for a in std::mem::take(&mut self.fix.approvals) {
                        if a.approved && !approved.contains(&a.issue.fingerprint) {
                            approved.push(a.issue.fingerprint.clone());
                            issues.push(Arc::new(a.issue));
                        }
                    }
                    if !approved.is_empty() {
                        self.fix.running = true;
                        self.fix_line("Running the approved fixes…".into(), None, false);
                        self.start_fix(sh, approved, issues, false);
                    }
                }
                Some(false) => {
                    self.fix.approvals.clear();
                    self.fix_line("Class B fixes skipped.".into(), None, false);
                }
                None => {}
            }
        }
        if !self.fix.open {
            return;
        }
        let mut open = self.fix.open;
        egui::Window::new("Auto-Fix (Safe Only)")
            .open(&mut open)
            .pivot(egui::Align2::CENTER_CENTER)
            .default_pos(ctx.content_rect().center())
            .default_size([640.0, 380.0])
            .resizable(true)
            .show(ctx, |ui| {
                if self.fix.running {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("working…");
                    });
                }
                egui::ScrollArea::vertical()
                    .stick_to_bottom(true)
                    .auto_shrink(false)
                    .show(ui, |ui| {
                        for l in &self.fix.lines {
                            let mut t = RichText::new(&l.text);
                            if l.mono {
                                t = t.monospace().small();
                            }
                            if let Some(c) = l.color {
                                t = t.color(c);
                            }
                            if l.strong {
                                t = t.strong();
                                ui.add_space(4.0);
                            }
                            ui.add(egui::Label::new(t).wrap());
                        }
                    });
            });
        self.fix.open = open;
    }
}

/// Where a report goes when there is no save dialog: `<data>/reports/healdeck-report-<time>.<ext>`.
fn report_path(data: &Path, ext: &str) -> PathBuf {
    let stamp =
        crate::troubleshoot::timestamp::iso_of_unix(crate::troubleshoot::fix::audit::now() as i64)
            .replace([':', '-'], "");
    data.join("reports")
        .join(format!("healdeck-report-{stamp}.{ext}"))
}

/// The first occurrence's text with the line that matched highlighted; the log lines before it
/// dimmed.
fn excerpt_ui(ui: &mut egui::Ui, issue: &Issue, engine: Option<&Engine>) {
    let lines: Vec<&str> = issue.excerpt.lines().collect();
    let rule = engine.and_then(|e| {
        e.rules
            .rules
            .iter()
            .find(|r| Some(r.spec.id.as_str()) == issue.rule.as_deref())
            .map(|r| &r.regex)
    });
    let hit = error_line(&lines, rule);
    egui::Frame::group(ui.style())
        .fill(ui.visuals().extreme_bg_color)
        .show(ui, |ui| {
            ui.set_min_width(ui.available_width());
            for l in issue.context_before.iter().rev().take(3).rev() {
                ui.add(egui::Label::new(RichText::new(l).monospace().small().weak()).wrap());
            }
            for (i, l) in lines.iter().enumerate().take(60) {
                let mut t = RichText::new(*l).monospace().small();
                if i == hit {
                    t = t
                        .color(Color32::WHITE)
                        .background_color(Color32::from_rgb(150, 40, 40));
                }
                ui.add(egui::Label::new(t).wrap());
            }
            if lines.len() > 60 {
                ui.label(RichText::new(format!("… {} more lines", lines.len() - 60)).weak());
            }
        });
}

/// Which excerpt line is "the error": the line the issue's rule matches, else the exception
/// line of a traceback, else the first.
pub fn error_line(lines: &[&str], rule: Option<&regex::Regex>) -> usize {
    if let Some(re) = rule
        && let Some(i) = lines.iter().rposition(|l| re.is_match(l))
    {
        return i;
    }
    if let Some(tb) = lines
        .iter()
        .position(|l| l.starts_with("Traceback (most recent call last)"))
        && let Some(i) = lines
            .iter()
            .skip(tb + 1)
            .position(|l| !l.trim().is_empty() && !l.starts_with(' '))
    {
        return tb + 1 + i;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::error_line;

    #[test]
    fn the_highlighted_line_is_the_one_the_rule_matched() {
        let lines = [
            "[ERROR] Exception in worker process",
            "Traceback (most recent call last):",
            "  File \"x.py\", line 1, in <module>",
            "ModuleNotFoundError: No module named 'vikreya'",
            "[INFO] Worker exiting",
        ];
        let re = regex::Regex::new("No module named").ok();
        assert_eq!(error_line(&lines, re.as_ref()), 3);
        assert_eq!(error_line(&lines, None), 3);
        assert_eq!(error_line(&lines[..1], None), 0);
    }
}

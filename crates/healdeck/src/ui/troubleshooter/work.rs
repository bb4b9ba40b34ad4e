//! What the tab starts in the background, each a library call on the runtime's blocking pool
//! that reports back with `TroubleEvent`s: following the logs live (a new "generation" each
//! time the paths change, so late alerts of the old watcher are ignored), Run Diagnostics
//! (a cancellable scan), Auto-Fix (a fix session), Copy Prompt, the fix history, and Export.

use super::super::events::{AppEvent, TroubleEvent, UiEvent};
use super::super::shared::Shared;
use super::{TroubleTab, Watch};
use healdeck_engine::bus::AlertBus;
use healdeck_engine::fix::audit::AuditLog;
use healdeck_engine::fix::{FixRequest, SessionEvent, session};
use healdeck_engine::report::{self, Format, Secrets};
use healdeck_engine::scan::{ScanControl, ScanOptions, scan};
use healdeck_engine::watch::{LiveWatcher, WatchOptions};
use healdeck_engine::{Issue, prompt};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

/// Where a report goes when there is no save dialog: `<data>/reports/healdeck-report-<time>.<ext>`.
pub(super) fn report_path(reports: &Path, ext: &str) -> PathBuf {
    let stamp = healdeck_config::clock::file_stamp();
    reports.join(format!("healdeck-report-{stamp}.{ext}"))
}

impl TroubleTab {
    fn watched_paths(sh: &Shared) -> Vec<PathBuf> {
        let mut paths: Vec<PathBuf> = sh
            .settings
            .log_paths
            .iter()
            .filter(|p| is_stream(p) || p.exists())
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
        self.flashes.clear();
        self.watched_files = 0;
        self.source_states.clear();
        self.watch_error = None;
        self.feed.replace_all(Vec::new());
        self.patterns.forget();
        self.masks.clear();
        self.selected = None;
        self.marked.clear();
        self.path_rows = sh
            .settings
            .log_paths
            .iter()
            .map(|p| {
                let stream = is_stream(p);
                super::PathRow {
                    path: p.clone(),
                    is_dir: p.is_dir(),
                    exists: stream || p.exists(),
                    stream,
                }
            })
            .collect();
        self.watched = Self::watched_paths(sh);
        self.folder_envs = super::folder_env::folder_envs(&sh.dirs.dirs);
        self.scope.invalidate();
        self.load_fixed(sh);
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
            UiEvent::Trouble(TroubleEvent::Alert(generation, Box::new(a)))
        });
        let positions = sh
            .dirs
            .dirs
            .data
            .join("sources")
            .join("window-positions.json");
        sh.bg.blocking(move |r| {
            let states = r.clone();
            let mut w = LiveWatcher::new(&engine, &paths, WatchOptions::default())
                .with_positions(&positions)
                .on_source_state(Box::new(move |spec, state| {
                    states.send(TroubleEvent::SourceState {
                        generation,
                        source: spec.to_string(),
                        state: state.clone(),
                    });
                }));
            let ready = r.clone();
            let result = w.run(
                &stop,
                |alert| bus.publish(alert),
                |files| ready.send(TroubleEvent::WatchReady { generation, files }),
            );
            if let Err(e) = result {
                r.send(TroubleEvent::WatchFailed {
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
            r.send(TroubleEvent::ScanDone(Box::new(report)));
        });
    }

    pub fn cancel_diagnostics(&mut self) {
        if let Some((c, _)) = &self.scan {
            c.cancel.store(true, Ordering::Relaxed);
        }
    }

    /// Auto-Fix (Safe Only): plans the selected issue(s); class A runs at once, class B waits
    /// for the dialog, class C is explained. With "Dry run" nothing runs.
    pub fn auto_fix(&mut self, sh: &Shared) {
        if self.fix.running() || self.engine.is_none() {
            return;
        }
        let chosen: Vec<&str> = self
            .selected
            .iter()
            .map(String::as_str)
            .chain(
                self.marked
                    .iter()
                    .map(String::as_str)
                    .filter(|f| Some(*f) != self.selected.as_deref()),
            )
            .collect();
        let issues: Vec<Issue> = chosen
            .iter()
            .filter_map(|f| self.feed.get(f))
            .cloned()
            .collect();
        if issues.is_empty() {
            return;
        }
        self.fix.begin();
        self.start_fix(sh, Vec::new(), issues, self.dry_run, true);
    }

    /// The class B fixes the person ticked in the approval dialog.
    pub(super) fn run_approved(&mut self, sh: &Shared, approved: Vec<Issue>) {
        let fingerprints = approved.iter().map(|i| i.fingerprint.clone()).collect();
        self.start_fix(sh, fingerprints, approved, false, true);
    }

    /// A fix session on the background runtime: its plan and every step come back as events;
    /// `ask`: class B fixes in the plan wait for the approval dialog.
    pub(super) fn start_fix(
        &mut self,
        sh: &Shared,
        approved: Vec<String>,
        issues: Vec<Issue>,
        dry: bool,
        ask: bool,
    ) {
        let Some(engine) = self.engine.clone() else {
            return;
        };
        tracing::info!(
            "[TROUBLE] auto-fix {} over {} issue(s)",
            if dry { "dry run" } else { "run" },
            issues.len()
        );
        let request = FixRequest {
            issues,
            log_paths: sh.settings.log_paths.clone(),
            python: None,
            only_approved: !approved.is_empty(),
            approved,
            dry_run: dry,
        };
        let dirs = sh.dirs.dirs.clone();
        sh.bg.blocking(move |r| {
            let result = session(&engine, &dirs, &request, |event| match event {
                SessionEvent::Planned(plans) => r.send(TroubleEvent::FixPlanned {
                    plans: plans.to_vec(),
                    dry_run: dry,
                    ask,
                }),
                SessionEvent::Step(step) => r.send(TroubleEvent::FixStep(step.clone())),
            });
            r.send(match result {
                Ok(done) => TroubleEvent::FixDone {
                    outcomes: done.outcomes,
                    error: None,
                },
                Err(e) => TroubleEvent::FixDone {
                    outcomes: Vec::new(),
                    error: Some(e.to_string()),
                },
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
        let dirs = sh.dirs.dirs.clone();
        sh.bg.blocking(move |r| {
            let result =
                prompt::for_issue(&issue, Some(&dirs), None, None).map_err(|e| e.to_string());
            r.send(TroubleEvent::Prompt {
                fingerprint: issue.fingerprint.clone(),
                result,
            });
        });
    }

    /// Reads the selected issue's fix attempts from the audit log, off the UI thread.
    pub(super) fn load_history(&mut self, sh: &Shared, fingerprint: &str) {
        let data_dir = sh.dirs.dirs.data.clone();
        let fp = fingerprint.to_string();
        sh.bg.blocking(move |r| {
            let entries = AuditLog::in_dir(&data_dir).attempts(&fp);
            r.send(TroubleEvent::History {
                fingerprint: fp,
                entries,
            });
        });
    }

    /// Export: the followed logs scanned as `healdeck diagnose` scans them, so the report's
    /// totals (files, bytes, lines) are true whether or not Run Diagnostics ran.
    pub fn export(&mut self, sh: &Shared, path: PathBuf, json: bool) {
        let (Some(engine), false) = (self.engine.clone(), self.watched.is_empty()) else {
            sh.bg.reply().send(AppEvent::Wrote(Err(
                "nothing to export: add a log folder first".into(),
            )));
            return;
        };
        let paths = self.watched.clone();
        let format = if json { Format::Json } else { Format::Markdown };
        sh.bg.blocking(move |r| {
            let rep = scan(
                &engine,
                &paths,
                &ScanOptions::default(),
                &ScanControl::default(),
            );
            let rendered = report::render(&rep, &[], format, Secrets::Redact);
            r.send(TroubleEvent::ExportReady {
                path,
                text: rendered.text,
                findings: rendered.findings,
            });
        });
    }
}

/// A source read through a program (`journal:`, `ssh://…`, `docker://…`), not a path.
pub(super) fn is_stream(p: &std::path::Path) -> bool {
    p.to_str()
        .is_some_and(healdeck_engine::remote::is_source_text)
}

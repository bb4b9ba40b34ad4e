//! The window: a tab bar (Troubleshooter, CLO Companion), the Full System Test, a status bar,
//! keyboard shortcuts, toasts, and settings saved as they change. Worker events are drained at
//! the start of each frame and routed to the part of the window they concern.

use super::bg::Bg;
use super::clo::CloTab;
use super::dev_hooks::{Screenshot, Timing};
use super::events::{AppEvent, UiEvent};
use super::health::HealthTab;
use super::selftest_window::SelftestPanel;
use super::settings::{Tab, UiSettings};
use super::shared::{AppDirs, Shared};
use super::troubleshooter::TroubleTab;
use super::widgets::{Clipboard, ToastKind, Toasts};
use healdeck_config::Dirs;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// How the app is started: the real window or a test harness.
pub struct AppOptions {
    pub dirs: AppDirs,
    pub clipboard: Clipboard,
    /// The settings as `open_window` read them (with the error of a broken file, which was
    /// moved aside); `None` reads `<config>/ui.json` here.
    pub settings: Option<(UiSettings, Option<String>)>,
    /// When the process started, for the time-to-first-frame figure.
    pub started: Instant,
    /// Print timing figures (first frame, frame times) to stderr: `HEALDECK_TIMING=1`.
    pub timing: bool,
    /// GPU meter sources instead of the detected ones (tests script a busy GPU with these).
    pub gpu_sources: Option<Vec<Box<dyn healdeck_gpu::GpuSource>>>,
    /// Save a screenshot of the window here once the first render is on screen, then close
    /// (`HEALDECK_SCREENSHOT=path`: the Xvfb smoke test and the README's pictures).
    pub screenshot: Option<PathBuf>,
}

impl AppOptions {
    /// Options for the given folders and clipboard: settings from `ui.json`, no timing
    /// output, detected GPU sources, no screenshot.
    pub fn new(dirs: AppDirs, clipboard: Clipboard) -> AppOptions {
        AppOptions {
            dirs,
            clipboard,
            settings: None,
            started: Instant::now(),
            timing: false,
            gpu_sources: None,
            screenshot: None,
        }
    }

    /// Options for a test or a benchmark: folders of its own, the clipboard stand-in, no
    /// user rules.
    pub fn isolated(config: PathBuf, data: PathBuf, clipboard: Clipboard) -> AppOptions {
        AppOptions::new(
            AppDirs {
                dirs: Dirs::new(config, data),
                own_log: None,
                user_rules: false,
            },
            clipboard,
        )
    }
}

pub struct HealdeckApp {
    pub sh: Shared,
    pub trouble: TroubleTab,
    pub clo: CloTab,
    pub health: HealthTab,
    selftest: SelftestPanel,
    settings_path: PathBuf,
    saved: UiSettings,
    changed_at: Option<Instant>,
    timing: Timing,
    screenshot: Option<Screenshot>,
}

impl HealdeckApp {
    pub fn new(cc: &eframe::CreationContext<'_>, opts: AppOptions) -> anyhow::Result<Self> {
        let ctx = cc.egui_ctx.clone();
        super::widgets::install_fonts(&ctx);
        let settings_path = opts.dirs.dirs.settings_file("ui.json");
        let (settings, settings_error) = opts
            .settings
            .unwrap_or_else(|| UiSettings::load_or_set_aside(&settings_path));
        ctx.set_theme(if settings.dark_mode {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        let mut sh = Shared {
            bg: Bg::new(ctx.clone())?,
            settings: settings.clone(),
            dirs: opts.dirs,
            toasts: Toasts::default(),
            clipboard: opts.clipboard,
            egui_ctx: ctx,
            parked: Vec::new(),
        };
        if let Some(e) = settings_error {
            tracing::warn!("settings: {e}");
            sh.toasts.add(ToastKind::Error, e);
        }
        let trouble = TroubleTab::new(&sh);
        let clo = CloTab::new(&sh, cc.wgpu_render_state.clone(), opts.gpu_sources);
        let health = HealthTab::new(&sh);
        tracing::info!("healdeck {} started", crate::VERSION);
        Ok(HealdeckApp {
            sh,
            trouble,
            clo,
            health,
            selftest: SelftestPanel::default(),
            settings_path,
            saved: settings,
            changed_at: None,
            screenshot: opts.screenshot.map(Screenshot::new),
            timing: Timing::new(opts.timing, opts.started),
        })
    }

    /// Drains worker events and routes them.
    pub fn pump(&mut self) {
        // Bounded per frame, so a flood of live alerts cannot stall the window; the rest
        // waits for the next frame.
        const MAX_EVENTS_PER_FRAME: usize = 20_000;
        // What a tab set aside while it waited for its own event comes first, in order.
        for ev in std::mem::take(&mut self.sh.parked) {
            self.route(ev);
        }
        for _ in 0..MAX_EVENTS_PER_FRAME {
            let Ok(ev) = self.sh.bg.rx.try_recv() else {
                return;
            };
            self.route(ev);
        }
        self.sh.egui_ctx.request_repaint();
    }

    fn route(&mut self, ev: UiEvent) {
        match ev {
            UiEvent::Trouble(e) => self.trouble.on_event(&mut self.sh, e),
            UiEvent::Clo(e) => self.clo.on_event(&mut self.sh, e),
            UiEvent::Health(e) => {
                // A check's issue joins the Troubleshooter's feed, next to the log issues.
                if let Some(issue) = self.health.on_event(&mut self.sh, e) {
                    self.trouble.feed.upsert(issue);
                }
            }
            UiEvent::App(e) => self.on_event(e),
        }
    }

    fn on_event(&mut self, ev: AppEvent) {
        match ev {
            AppEvent::SelftestCheck(c) => self.selftest.results.push(c),
            AppEvent::SelftestDone(summary) => self.selftest.finish(summary),
            AppEvent::Wrote(Ok(p)) => self
                .sh
                .toasts
                .add(ToastKind::Success, format!("Saved {}", p.display())),
            AppEvent::Wrote(Err(e)) => self.sh.toasts.add(ToastKind::Error, e),
        }
    }

    /// Starts the Full System Test on the background runtime.
    pub fn run_selftest(&mut self) {
        self.selftest.start(&self.sh);
    }

    fn persist(&mut self, ctx: &egui::Context) {
        if let Some(r) = ctx.input(|i| i.viewport().inner_rect) {
            let size = [r.width().round(), r.height().round()];
            if size[0] >= 200.0 && size[1] >= 150.0 {
                self.sh.settings.window = size;
            }
        }
        if self.sh.settings == self.saved {
            self.changed_at = None;
            return;
        }
        let t = *self.changed_at.get_or_insert_with(Instant::now);
        // Save half a second after the last change (slider drags write once).
        if t.elapsed() >= Duration::from_millis(500) {
            self.save_now();
        } else {
            ctx.request_repaint_after(Duration::from_millis(500));
        }
    }

    fn save_now(&mut self) {
        let s = self.sh.settings.clone();
        let path = self.settings_path.clone();
        self.saved = s.clone();
        self.changed_at = None;
        self.sh.bg.blocking(move |r| {
            if let Err(e) = s.save(&path) {
                r.send(AppEvent::Wrote(Err(e.to_string())));
            }
        });
    }

    pub(crate) fn selftest_running(&self) -> bool {
        self.selftest.running()
    }

    /// The Full System Test's closing line, once it has finished.
    pub fn selftest_summary(&self) -> Option<&str> {
        self.selftest.summary.as_deref()
    }

    /// The settings as they are now (tests).
    pub fn settings(&self) -> &UiSettings {
        &self.sh.settings
    }
}

impl eframe::App for HealdeckApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let t0 = Instant::now();
        let ctx = ui.ctx().clone();
        self.timing.frame_start();
        self.pump();
        self.health
            .absorb(self.sh.settings.tab == super::settings::Tab::Health);
        self.shortcuts(&ctx);
        self.top_bar(ui);
        self.status_bar(ui);
        self.clo.set_visible(self.sh.settings.tab == Tab::Clo);
        match self.sh.settings.tab {
            Tab::Troubleshooter => self.trouble.ui(ui, &mut self.sh),
            Tab::Clo => self.clo.ui(ui, &mut self.sh),
            Tab::Health => self.health.ui(ui, &mut self.sh),
        }
        self.selftest.window(&ctx);
        self.sh.toasts.show(&ctx);
        self.persist(&ctx);
        if let Some(shot) = &mut self.screenshot {
            let ready = self.timing.elapsed() > Duration::from_millis(1500)
                && self.trouble.engine.is_some()
                && match self.sh.settings.tab {
                    Tab::Troubleshooter => {
                        self.sh.settings.log_paths.is_empty() || !self.trouble.feed.is_empty()
                    }
                    Tab::Clo => self.clo.rendered > 0 && !self.clo.busy(),
                    Tab::Health => self.health.ready(),
                };
            shot.frame(&ctx, ready);
        }
        self.timing
            .frame(t0.elapsed().as_secs_f32() * 1000.0, self.trouble.feed.len());
        self.timing.rows(self.trouble.feed.rows().len());
        self.timing.frame_end(&ctx);
        if !self.sh.parked.is_empty() {
            ctx.request_repaint();
        }
    }

    fn on_exit(&mut self) {
        if self.sh.settings != self.saved
            && let Err(e) = self.sh.settings.save(&self.settings_path)
        {
            tracing::error!("settings not saved on exit: {e}");
        }
        tracing::info!("healdeck closed");
    }
}

//! The window: a tab bar (Troubleshooter, CLO Companion), the Full System Test, a status bar,
//! keyboard shortcuts, toasts, and settings saved as they change. Worker events are drained at
//! the start of each frame and routed to the tab they concern.

use super::bg::{Bg, Picked, UiEvent};
use super::clo::CloTab;
use super::settings::{Tab, UiSettings};
use super::troubleshooter::TroubleTab;
use super::widgets::{Clipboard, ToastKind, Toasts, severity_color};
use crate::render::renderer::Mode;
use crate::selftest::{CHECKS, Check};
use crate::troubleshoot::Severity;
use egui::{Color32, Key, KeyboardShortcut, Modifiers, RichText};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Where the app keeps things.
#[derive(Debug, Clone)]
pub struct Dirs {
    pub config: PathBuf,
    pub data: PathBuf,
    /// healdeck's own log file (the Troubleshooter can follow it).
    pub own_log: Option<PathBuf>,
    /// Read `<config>/rules/*.json` on top of the built-in rules.
    pub user_rules: bool,
}

/// How the app is started: the real window or a test harness.
pub struct AppOptions {
    pub dirs: Dirs,
    pub clipboard: Clipboard,
    /// When the process started, for the time-to-first-frame figure.
    pub started: Instant,
    /// Print timing figures (first frame, frame times) to stderr: `HEALDECK_TIMING=1`.
    pub timing: bool,
    /// GPU meter sources instead of the detected ones (tests script a busy GPU with these).
    pub gpu_sources: Option<Vec<Box<dyn crate::gpu::GpuSource>>>,
    /// Save a screenshot of the window here once the first render is on screen, then close
    /// (`HEALDECK_SCREENSHOT=path`: the Xvfb smoke test and the README's pictures).
    pub screenshot: Option<PathBuf>,
}

impl AppOptions {
    /// Options for the given folders and clipboard: no timing output, detected GPU sources,
    /// no screenshot.
    pub fn new(dirs: Dirs, clipboard: Clipboard) -> AppOptions {
        AppOptions {
            dirs,
            clipboard,
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
            Dirs {
                config,
                data,
                own_log: None,
                user_rules: false,
            },
            clipboard,
        )
    }
}

/// What both tabs need: the background runtime, settings, folders, toasts, clipboard.
pub struct Shared {
    pub bg: Bg,
    pub settings: UiSettings,
    pub dirs: Dirs,
    pub toasts: Toasts,
    pub clipboard: Clipboard,
    pub egui_ctx: egui::Context,
}

#[derive(Default)]
struct SelftestPanel {
    open: bool,
    running: bool,
    results: Vec<Check>,
    summary: Option<String>,
}

struct Timing {
    enabled: bool,
    started: Instant,
    first_frame: Option<Duration>,
    frames: Vec<f32>,
    last_report: Instant,
}

pub struct HealdeckApp {
    pub sh: Shared,
    pub trouble: TroubleTab,
    pub clo: CloTab,
    selftest: SelftestPanel,
    settings_path: PathBuf,
    saved: UiSettings,
    changed_at: Option<Instant>,
    timing: Timing,
    screenshot: Option<(PathBuf, bool)>,
    /// Set by the screenshot callback; the next frame closes the window.
    shot_done: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

const SC_DIAGNOSE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::NONE, Key::F5);
const SC_FIX: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::F);
const SC_PROMPT: KeyboardShortcut =
    KeyboardShortcut::new(Modifiers::COMMAND.plus(Modifiers::SHIFT), Key::C);
const SC_SEARCH: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::F);
const SC_TAB1: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Num1);
const SC_TAB2: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::Num2);
const SC_PREVIEW: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::P);
const SC_REALISTIC: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::R);
const SC_SAVE: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::S);
const SC_SELFTEST: KeyboardShortcut = KeyboardShortcut::new(Modifiers::COMMAND, Key::T);

impl HealdeckApp {
    pub fn new(cc: &eframe::CreationContext<'_>, opts: AppOptions) -> anyhow::Result<Self> {
        let ctx = cc.egui_ctx.clone();
        super::widgets::install_fonts(&ctx);
        let settings_path = opts.dirs.config.join("ui.json");
        let (settings, settings_error) = UiSettings::load(&settings_path);
        ctx.set_theme(if settings.dark_mode {
            egui::Theme::Dark
        } else {
            egui::Theme::Light
        });
        let bg = Bg::new(ctx.clone())?;
        let mut sh = Shared {
            bg,
            settings: settings.clone(),
            dirs: opts.dirs,
            toasts: Toasts::default(),
            clipboard: opts.clipboard,
            egui_ctx: ctx,
        };
        if let Some(e) = settings_error {
            sh.toasts.add(ToastKind::Error, e);
        }
        let trouble = TroubleTab::new(&sh);
        let clo = CloTab::new(&sh, cc.wgpu_render_state.clone(), opts.gpu_sources);
        tracing::info!("healdeck {} started", crate::VERSION);
        Ok(HealdeckApp {
            sh,
            trouble,
            clo,
            selftest: SelftestPanel::default(),
            settings_path,
            saved: settings,
            changed_at: None,
            screenshot: opts.screenshot.map(|p| (p, false)),
            shot_done: Default::default(),
            timing: Timing {
                enabled: opts.timing,
                started: opts.started,
                first_frame: None,
                frames: Vec::new(),
                last_report: Instant::now(),
            },
        })
    }

    /// Drains worker events and routes them.
    pub fn pump(&mut self) {
        // Bounded per frame, so a flood of live alerts cannot stall the window; the rest
        // waits for the next frame.
        const MAX_EVENTS_PER_FRAME: usize = 20_000;
        for _ in 0..MAX_EVENTS_PER_FRAME {
            let Ok(ev) = self.sh.bg.rx.try_recv() else {
                return;
            };
            let Some(ev) = self.trouble.on_event(&mut self.sh, ev) else {
                continue;
            };
            let Some(ev) = self.clo.on_event(&mut self.sh, ev) else {
                continue;
            };
            self.on_event(ev);
        }
        self.sh.egui_ctx.request_repaint();
    }

    fn on_event(&mut self, ev: UiEvent) {
        match ev {
            UiEvent::SelftestCheck(c) => self.selftest.results.push(c),
            UiEvent::SelftestDone(summary) => {
                self.selftest.running = false;
                tracing::info!("selftest: {summary}");
                self.selftest.summary = Some(summary);
            }
            UiEvent::Picked(Picked::LogFolder | Picked::LogFile, Some(p)) => {
                self.trouble.add_path(&mut self.sh, p);
            }
            UiEvent::Picked(Picked::ExportMarkdown, Some(p)) => {
                self.trouble.export(&self.sh, p, false)
            }
            UiEvent::Picked(Picked::ExportJson, Some(p)) => self.trouble.export(&self.sh, p, true),
            UiEvent::Picked(_, None) => {}
            UiEvent::Wrote(Ok(p)) => self
                .sh
                .toasts
                .add(ToastKind::Success, format!("Saved {}", p.display())),
            UiEvent::Wrote(Err(e)) => self.sh.toasts.add(ToastKind::Error, e),
            _ => {}
        }
    }

    pub fn run_selftest(&mut self) {
        if self.selftest.running {
            return;
        }
        self.selftest = SelftestPanel {
            open: true,
            running: true,
            ..SelftestPanel::default()
        };
        tracing::info!("selftest started");
        self.sh.bg.blocking(|r| {
            let checks = crate::selftest::run(None, |c| r.send(UiEvent::SelftestCheck(c.clone())));
            r.send(UiEvent::SelftestDone(crate::selftest::summary(&checks)));
        });
    }

    fn shortcuts(&mut self, ctx: &egui::Context) {
        let pressed = |s: &KeyboardShortcut| ctx.input_mut(|i| i.consume_shortcut(s));
        if pressed(&SC_TAB1) {
            self.sh.settings.tab = Tab::Troubleshooter;
        }
        if pressed(&SC_TAB2) {
            self.sh.settings.tab = Tab::Clo;
        }
        if pressed(&SC_SELFTEST) {
            self.run_selftest();
        }
        let sh = &mut self.sh;
        match sh.settings.tab {
            Tab::Troubleshooter => {
                if pressed(&SC_DIAGNOSE) {
                    self.trouble.run_diagnostics(sh);
                }
                if pressed(&SC_FIX) {
                    self.trouble.auto_fix(sh);
                }
                if pressed(&SC_PROMPT) {
                    self.trouble.copy_prompt(sh);
                }
                if pressed(&SC_SEARCH) {
                    self.trouble.focus_search();
                }
            }
            Tab::Clo => {
                if pressed(&SC_PREVIEW) {
                    self.clo.set_mode(sh, Mode::Preview);
                }
                if pressed(&SC_REALISTIC) {
                    self.clo.set_mode(sh, Mode::Realistic);
                }
                if pressed(&SC_SAVE) {
                    self.clo.save_as(sh);
                }
            }
        }
    }

    fn top_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::top("tabs").show(ui, |ui| {
            ui.add_space(4.0);
            ui.horizontal(|ui| {
                ui.label(RichText::new("healdeck").strong().size(17.0));
                ui.add_space(12.0);
                let tab = &mut self.sh.settings.tab;
                ui.selectable_value(
                    tab,
                    Tab::Troubleshooter,
                    RichText::new("🔎 Troubleshooter").size(15.0),
                )
                .on_hover_text("Ctrl+1");
                ui.selectable_value(tab, Tab::Clo, RichText::new("👗 CLO Companion").size(15.0))
                    .on_hover_text("Ctrl+2");
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    let dark = self.sh.settings.dark_mode;
                    if ui
                        .button(if dark { "☀" } else { "🌙" })
                        .on_hover_text("Light or dark theme")
                        .clicked()
                    {
                        self.sh.settings.dark_mode = !dark;
                        ui.ctx().set_theme(if dark {
                            egui::Theme::Light
                        } else {
                            egui::Theme::Dark
                        });
                    }
                    if ui
                        .add_enabled(
                            !self.selftest.running,
                            egui::Button::new("⛭ Full System Test"),
                        )
                        .on_hover_text("Run the built-in checks (Ctrl+T)")
                        .clicked()
                    {
                        self.run_selftest();
                    }
                });
            });
            ui.add_space(4.0);
        });
    }

    fn status_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(format!("👁 {} file(s) watched", self.trouble.watched_files));
                ui.separator();
                let counts = self.trouble.feed.counts();
                let dark = ui.visuals().dark_mode;
                for (i, s) in Severity::ALL.into_iter().enumerate() {
                    ui.label(RichText::new(s.badge()).color(severity_color(dark, s)))
                        .on_hover_text(s.as_str());
                    ui.label(super::widgets::thousands(counts[i] as u64));
                }
                ui.separator();
                ui.label(format!("GPU: {}", self.clo.meter.short()));
                if self.trouble.scanning() {
                    ui.separator();
                    ui.spinner();
                    ui.label("diagnosing…");
                }
                if self.clo.busy() {
                    ui.separator();
                    ui.label("rendering…");
                }
                ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                    ui.label(RichText::new(format!("healdeck v{}", crate::VERSION)).weak());
                });
            });
        });
    }

    fn selftest_window(&mut self, ctx: &egui::Context) {
        if !self.selftest.open {
            return;
        }
        let mut open = true;
        egui::Window::new("Full System Test")
            .open(&mut open)
            .collapsible(false)
            .default_width(560.0)
            .anchor(egui::Align2::CENTER_CENTER, egui::vec2(0.0, 0.0))
            .show(ctx, |ui| {
                egui::Grid::new("selftest")
                    .num_columns(3)
                    .spacing([10.0, 6.0])
                    .show(ui, |ui| {
                        for name in CHECKS {
                            match self.selftest.results.iter().find(|c| c.name == name) {
                                Some(c) => {
                                    ui.label(if c.ok { "✅" } else { "❌" });
                                    ui.label(RichText::new(name).strong());
                                    ui.add(
                                        egui::Label::new(format!(
                                            "{} ({:.0} ms)",
                                            c.detail, c.millis
                                        ))
                                        .wrap(),
                                    );
                                }
                                None => {
                                    if self.selftest.running {
                                        ui.spinner();
                                    } else {
                                        ui.label("–");
                                    }
                                    ui.label(RichText::new(name).strong());
                                    ui.label(RichText::new("waiting").weak());
                                }
                            }
                            ui.end_row();
                        }
                    });
                ui.add_space(8.0);
                if let Some(s) = &self.selftest.summary {
                    let ok = s.starts_with('✅');
                    ui.label(RichText::new(s).size(18.0).strong().color(if ok {
                        Color32::from_rgb(84, 178, 90)
                    } else {
                        Color32::from_rgb(224, 62, 62)
                    }));
                }
            });
        if !open {
            self.selftest.open = false;
        }
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
                r.send(UiEvent::Wrote(Err(e)));
            }
        });
    }

    /// `HEALDECK_SCREENSHOT`: once the open tab shows its content, asks for a screenshot;
    /// when it arrives, writes it and closes the window.
    fn screenshot(&mut self, ctx: &egui::Context) {
        let Some((path, asked)) = &mut self.screenshot else {
            return;
        };
        if self.shot_done.load(std::sync::atomic::Ordering::SeqCst) {
            ctx.send_viewport_cmd(egui::ViewportCommand::Close);
            return;
        }
        let ready = self.timing.started.elapsed() > Duration::from_millis(1500)
            && self.trouble.engine.is_some()
            && match self.sh.settings.tab {
                Tab::Troubleshooter => {
                    self.sh.settings.log_paths.is_empty() || !self.trouble.feed.is_empty()
                }
                Tab::Clo => self.clo.rendered > 0 && !self.clo.busy(),
            };
        if ready && !*asked {
            *asked = true;
            let path = path.clone();
            let closer = ctx.clone();
            let done = self.shot_done.clone();
            let callback = egui::ScreenshotCallback::new(move |img| {
                let [w, h] = img.size;
                let rgba: Vec<u8> = img.pixels.iter().flat_map(|c| c.to_array()).collect();
                let result = image::RgbaImage::from_raw(w as u32, h as u32, rgba)
                    .ok_or_else(|| "bad screenshot size".to_string())
                    .and_then(|i| i.save(&path).map_err(|e| e.to_string()));
                match result {
                    Ok(()) => eprintln!("healdeck: screenshot written to {}", path.display()),
                    Err(e) => eprintln!("healdeck: screenshot {}: {e}", path.display()),
                }
                done.store(true, std::sync::atomic::Ordering::SeqCst);
                closer.request_repaint();
            });
            ctx.send_viewport_cmd(egui::ViewportCommand::Screenshot(callback));
        }
        ctx.request_repaint_after(Duration::from_millis(100));
    }

    /// The Full System Test's closing line, once it has finished.
    pub fn selftest_summary(&self) -> Option<&str> {
        self.selftest.summary.as_deref()
    }

    /// The settings as they are now (tests).
    pub fn settings(&self) -> &UiSettings {
        &self.sh.settings
    }

    fn timing(&mut self, frame_ms: f32) {
        if !self.timing.enabled {
            return;
        }
        if self.timing.first_frame.is_none() {
            let d = self.timing.started.elapsed();
            self.timing.first_frame = Some(d);
            eprintln!(
                "healdeck timing: first frame built {:.0} ms after start",
                d.as_secs_f64() * 1000.0
            );
        }
        self.timing.frames.push(frame_ms);
        if self.timing.last_report.elapsed() >= Duration::from_secs(5)
            && !self.timing.frames.is_empty()
        {
            let mut f = std::mem::take(&mut self.timing.frames);
            f.sort_by(f32::total_cmp);
            let q = |p: f32| f[((f.len() - 1) as f32 * p) as usize];
            eprintln!(
                "healdeck timing: {} frames, ui() p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms, feed {} issues",
                f.len(),
                q(0.5),
                q(0.99),
                q(1.0),
                self.trouble.feed.len()
            );
            self.timing.last_report = Instant::now();
        }
    }
}

impl eframe::App for HealdeckApp {
    fn ui(&mut self, ui: &mut egui::Ui, _frame: &mut eframe::Frame) {
        let t0 = Instant::now();
        let ctx = ui.ctx().clone();
        self.pump();
        self.shortcuts(&ctx);
        self.top_bar(ui);
        self.status_bar(ui);
        match self.sh.settings.tab {
            Tab::Troubleshooter => self.trouble.ui(ui, &mut self.sh),
            Tab::Clo => self.clo.ui(ui, &mut self.sh),
        }
        self.selftest_window(&ctx);
        self.sh.toasts.show(&ctx);
        self.persist(&ctx);
        self.screenshot(&ctx);
        self.timing(t0.elapsed().as_secs_f32() * 1000.0);
    }

    fn on_exit(&mut self) {
        if self.sh.settings != self.saved {
            let _ = self.sh.settings.save(&self.settings_path);
        }
        tracing::info!("healdeck closed");
    }
}

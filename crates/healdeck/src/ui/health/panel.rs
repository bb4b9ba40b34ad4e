//! Drawing the Health tab: a toolbar (add, reload, the file), the list of checks (state badge,
//! name, kind, target, last result, latency, a strip of the last three hours), and the
//! selected check's details — its latency chart over the last hours (egui_plot), its
//! remediation history from the audit log, its notices, and the buttons a person needs:
//! run a waiting action, reset a breaker, edit, remove.

use super::editor::Editor;
use super::{CheckRow, HealthTab};
use crate::ui::shared::Shared;
use egui::{Color32, RichText, Sense, Ui, vec2};
use egui_plot::{Line, Plot, PlotPoints, Points};
use healdeck_config::clock::{iso_of_unix, now_unix};
use healdeck_engine::health::history::Record;

const OK: Color32 = Color32::from_rgb(60, 170, 90);
const FAIL: Color32 = Color32::from_rgb(214, 64, 64);
const IDLE: Color32 = Color32::from_gray(120);
/// The list's strip: three hours in 60 slices.
const STRIP_SECS: u64 = 3 * 3600;
const STRIP_SLICES: usize = 60;

/// A check's state as a badge: text and colour.
fn badge(row: &CheckRow) -> (&'static str, Color32) {
    match (&row.status, &row.last) {
        (Some(s), _) if s.breaker_open => ("⛔ BREAKER OPEN", FAIL),
        (Some(s), _) if s.failing => ("● FAILING", FAIL),
        (_, Some(r)) if r.unavailable => ("○ N/A", IDLE),
        (_, Some(r)) if !r.ok => ("● FAILED ONCE", Color32::from_rgb(226, 160, 40)),
        (_, Some(_)) => ("● OK", OK),
        _ => ("… waiting", IDLE),
    }
}

impl HealthTab {
    pub fn ui(&mut self, ui: &mut Ui, sh: &mut Shared) {
        egui::CentralPanel::default().show(ui, |ui| {
            self.toolbar(ui, sh);
            if let Some(e) = &self.error {
                ui.add_space(6.0);
                egui::Frame::group(ui.style())
                    .fill(ui.visuals().error_fg_color.gamma_multiply(0.12))
                    .show(ui, |ui| {
                        ui.label(RichText::new("health.toml is not valid; no checks run").strong());
                        ui.label(RichText::new(e).monospace());
                        ui.label("Fix the file (Open health.toml) and press Reload.");
                    });
            }
            if self.rows.is_empty() && self.error.is_none() {
                empty_state(ui);
            } else {
                self.list(ui, sh);
                ui.separator();
                self.details(ui);
            }
        });
        if let Some(editor) = &mut self.editor {
            match editor.window(ui.ctx(), sh, &self.file) {
                super::editor::Answer::Open => {}
                super::editor::Answer::Closed => self.editor = None,
                super::editor::Answer::Saving => {
                    self.editor = None;
                    self.saving = true;
                }
            }
        }
    }

    fn toolbar(&mut self, ui: &mut Ui, sh: &mut Shared) {
        ui.horizontal(|ui| {
            ui.heading("Health checks");
            ui.label(RichText::new(self.file.display().to_string()).weak())
                .on_hover_text("The checks, one [[check]] table each (see the README)");
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                if ui.button("📂 Open health.toml").clicked() {
                    if !self.file.exists() {
                        // Open an empty file the person can write into.
                        let _ = std::fs::create_dir_all(self.file.parent().unwrap_or(&self.file));
                        let _ = std::fs::write(&self.file, "# healdeck health checks\n");
                    }
                    if let Err(e) = open::that_detached(&self.file) {
                        sh.toasts.add(
                            crate::ui::widgets::ToastKind::Error,
                            format!("cannot open {}: {e}", self.file.display()),
                        );
                    }
                }
                if ui
                    .button("⟳ Reload")
                    .on_hover_text("Read health.toml again and restart the checks")
                    .clicked()
                {
                    self.start(sh);
                }
                if ui
                    .add_enabled(!self.saving, egui::Button::new("➕ Add check"))
                    .clicked()
                {
                    self.editor = Some(Editor::new_check());
                }
            });
        });
    }

    fn list(&mut self, ui: &mut Ui, sh: &mut Shared) {
        let now = now_unix();
        egui::ScrollArea::vertical()
            .id_salt("health-list")
            .max_height(ui.available_height() * 0.5)
            .auto_shrink([false, true])
            .show(ui, |ui| {
                egui::Grid::new("health-grid")
                    .striped(true)
                    .num_columns(7)
                    .spacing(vec2(14.0, 6.0))
                    .show(ui, |ui| {
                        for h in [
                            "State",
                            "Check",
                            "Kind",
                            "Target",
                            "Last result",
                            "Latency",
                            "Last 3 h",
                        ] {
                            ui.label(RichText::new(h).strong());
                        }
                        ui.end_row();
                        let mut clicked = None;
                        for row in &self.rows {
                            let (text, color) = badge(row);
                            // Fixed widths: a badge or result changing must not shift the rows.
                            fixed(ui, 120.0, |ui| {
                                ui.label(RichText::new(text).color(color).strong());
                            });
                            let selected = self.selected.as_deref() == Some(&row.check.name);
                            let name = RichText::new(&row.check.name).strong();
                            if ui
                                .selectable_label(selected, name)
                                .on_hover_text(format!("severity {}", row.check.severity))
                                .clicked()
                            {
                                clicked = Some(row.check.name.clone());
                            }
                            ui.label(row.check.kind.name());
                            ui.label(clip(&row.check.kind.target(), 40))
                                .on_hover_text(row.check.kind.target());
                            let last = row.last.as_ref();
                            fixed(ui, 380.0, |ui| {
                                ui.label(clip(last.map_or("", |r| r.detail.as_str()), 56))
                                    .on_hover_text(last.map_or(String::new(), |r| {
                                        format!("{} at {}", r.detail, r.time)
                                    }));
                            });
                            ui.label(
                                last.and_then(|r| r.latency_ms)
                                    .map_or("–".to_string(), |ms| format!("{ms} ms")),
                            );
                            strip(ui, &row.history, now);
                            ui.end_row();
                        }
                        if let Some(name) = clicked {
                            self.select(sh, name);
                        }
                    });
            });
    }

    fn select(&mut self, sh: &Shared, name: String) {
        if let Some(fp) = self
            .rows
            .iter()
            .find(|r| r.check.name == name)
            .and_then(|r| r.fingerprint.clone())
        {
            self.load_remedies(sh, &fp);
        }
        self.selected = Some(name);
        self.picked = true;
    }

    fn details(&mut self, ui: &mut Ui) {
        if !self.picked {
            // Until the person picks one: the first failing check, else the first.
            self.selected = self
                .rows
                .iter()
                .find(|r| r.status.as_ref().is_some_and(|s| s.failing))
                .or(self.rows.first())
                .map(|r| r.check.name.clone());
        }
        let Some(i) = self
            .selected
            .as_ref()
            .and_then(|n| self.rows.iter().position(|r| &r.check.name == n))
        else {
            ui.label(RichText::new("Select a check to see its history and actions.").weak());
            return;
        };
        let row = &self.rows[i];
        let c = &row.check;
        ui.horizontal(|ui| {
            let (text, color) = badge(row);
            ui.label(RichText::new(&c.name).heading());
            ui.label(RichText::new(text).color(color).strong());
            ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                let idle = !self.saving && self.editor.is_none();
                if ui
                    .add_enabled(idle, egui::Button::new("🗑 Remove"))
                    .clicked()
                {
                    self.editor = Some(Editor::remove(c));
                }
                if ui.add_enabled(idle, egui::Button::new("✏ Edit")).clicked() {
                    self.editor = Some(Editor::edit(c));
                }
                let status = row
                    .status
                    .clone()
                    .unwrap_or(healdeck_engine::health::CheckStatus {
                        failing: false,
                        breaker_open: false,
                        actions_in_window: 0,
                        awaiting_approval: false,
                    });
                if status.breaker_open
                    && ui
                        .button("↺ Reset breaker")
                        .on_hover_text("Allow its action again and count from zero")
                        .clicked()
                    && let Some(ctl) = &self.control
                {
                    ctl.reset(&c.name);
                }
                if status.awaiting_approval
                    && ui
                        .button("▶ Run action now")
                        .on_hover_text("Approve one run of this check's class B action")
                        .clicked()
                    && let Some(ctl) = &self.control
                {
                    ctl.approve(&c.name);
                }
            });
        });
        ui.label(describe(c));
        ui.add_space(4.0);
        latency_chart(ui, &row.history, &c.name, c.interval_s);
        let fp = row.fingerprint.clone();
        let name = c.name.clone();
        self.history_and_notices(ui, fp.as_deref(), &name);
    }
}

impl HealthTab {
    /// The check's remediation history (from the audit log) and its notices, side by side.
    fn history_and_notices(&self, ui: &mut Ui, fp: Option<&str>, name: &str) {
        ui.columns(2, |cols| {
            cols[0].label(RichText::new("Remediation history").strong());
            let entries = fp.and_then(|f| self.remedies.get(f));
            match entries {
                Some(e) if !e.is_empty() => {
                    egui::ScrollArea::vertical()
                        .id_salt("remedies")
                        .max_height(160.0)
                        .show(&mut cols[0], |ui| {
                            for entry in e.iter().rev().take(50) {
                                let tail = entry.output_tail.trim();
                                ui.label(format!(
                                    "{}  {} {} (attempt {}): {}{}",
                                    iso_of_unix(entry.time as i64),
                                    entry.phase,
                                    entry.action,
                                    entry.attempt,
                                    entry.result,
                                    entry
                                        .verified
                                        .as_ref()
                                        .map_or(String::new(), |v| format!(" — {v}"))
                                ))
                                .on_hover_text(if tail.is_empty() { "no output" } else { tail });
                            }
                        });
                }
                _ => {
                    cols[0].label(RichText::new("No action has run for this check.").weak());
                }
            }
            cols[1].label(RichText::new("Notices").strong());
            let mut any = false;
            for (check, message) in self.notices.iter().rev() {
                if check == name {
                    cols[1].label(message);
                    any = true;
                }
            }
            if !any {
                cols[1].label(RichText::new("None.").weak());
            }
        });
    }
}

/// One line about what a check does and when it acts.
fn describe(c: &healdeck_engine::health::Check) -> String {
    let mut s = format!(
        "{} check of {} every {} s; failing after {} of {} cycle(s); severity {}",
        c.kind.name(),
        c.kind.target(),
        c.interval_s,
        c.failures,
        c.cycles,
        c.severity
    );
    if let Some(a) = &c.action {
        s.push_str(&format!(
            ". Action: {} (class {}), at most {} in {} failing cycles",
            a.action.describe(),
            if a.unattended {
                "A, unattended"
            } else {
                "B, asks first"
            },
            a.max_actions,
            a.within_cycles
        ));
    }
    if let Some(src) = &c.source {
        s.push_str(&format!(". Watches: {src}"));
    }
    s
}

/// A cell of a fixed width, whatever it holds.
fn fixed(ui: &mut Ui, width: f32, add: impl FnOnce(&mut Ui)) {
    ui.allocate_ui_with_layout(
        vec2(width, 18.0),
        egui::Layout::left_to_right(egui::Align::Center),
        |ui| {
            ui.set_min_width(width);
            add(ui);
        },
    );
}

fn clip(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let mut s: String = text.chars().take(chars - 1).collect();
    s.push('…');
    s
}

/// The last three hours as 60 slices: height by the slowest latency, red where a probe failed.
fn strip(ui: &mut Ui, history: &std::collections::VecDeque<Record>, now: u64) {
    let (rect, response) = ui.allocate_exact_size(vec2(180.0, 22.0), Sense::hover());
    let painter = ui.painter_at(rect);
    painter.rect_filled(rect, 2.0, ui.visuals().extreme_bg_color);
    let start = now.saturating_sub(STRIP_SECS);
    let mut slices = [(0u16, false, false); STRIP_SLICES];
    for r in history.iter().rev() {
        let t = u64::from(r.time);
        if t < start {
            break;
        }
        let i = (((t - start) * STRIP_SLICES as u64) / STRIP_SECS).min(STRIP_SLICES as u64 - 1);
        let s = &mut slices[i as usize];
        s.0 = s.0.max(r.latency_ms.unwrap_or(0));
        s.1 |= !r.ok && !r.unavailable;
        s.2 = true;
    }
    let slowest = slices.iter().map(|s| s.0).max().unwrap_or(0).max(1);
    let w = rect.width() / STRIP_SLICES as f32;
    let mut failures = 0;
    for (i, (lat, failed, seen)) in slices.iter().enumerate() {
        if !seen {
            continue;
        }
        failures += usize::from(*failed);
        let frac = if *failed {
            1.0
        } else {
            0.25 + 0.75 * f32::from(*lat) / f32::from(slowest)
        };
        let h = rect.height() * frac;
        let x = rect.left() + i as f32 * w;
        let bar = egui::Rect::from_min_max(
            egui::pos2(x + 0.5, rect.bottom() - h),
            egui::pos2(x + w - 0.5, rect.bottom()),
        );
        painter.rect_filled(bar, 0.0, if *failed { FAIL } else { OK });
    }
    response.on_hover_text(format!(
        "last 3 hours: {failures} of {} slices with a failure; slowest {slowest} ms",
        slices.iter().filter(|s| s.2).count()
    ));
}

/// Latency over the kept history, failures marked on the axis; the line breaks where the
/// monitor was not running (a gap over three intervals) or a probe failed.
fn latency_chart(
    ui: &mut Ui,
    history: &std::collections::VecDeque<Record>,
    name: &str,
    interval_s: u64,
) {
    let now = now_unix() as f64;
    let hours = |t: u32| (f64::from(t) - now) / 3600.0;
    let gap = (3 * interval_s.max(1)) as u32;
    let mut segments: Vec<Vec<[f64; 2]>> = vec![Vec::new()];
    let mut last_time: Option<u32> = None;
    for r in history {
        let broken = last_time.is_some_and(|t| r.time.saturating_sub(t) > gap);
        last_time = Some(r.time);
        match r.latency_ms.filter(|_| r.ok) {
            Some(l) if !broken => {
                if let Some(s) = segments.last_mut() {
                    s.push([hours(r.time), f64::from(l)]);
                }
            }
            Some(l) => segments.push(vec![[hours(r.time), f64::from(l)]]),
            None => segments.push(Vec::new()),
        }
    }
    let failures: PlotPoints<'static> = history
        .iter()
        .filter(|r| !r.ok && !r.unavailable)
        .map(|r| [hours(r.time), 0.0])
        .collect();
    Plot::new(("health-latency", name.to_string()))
        .height(140.0)
        .include_y(0.0)
        .include_x(-1.0)
        .include_x(0.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .x_axis_label("hours ago")
        .y_axis_label("ms")
        .legend(egui_plot::Legend::default())
        .show(ui, |p| {
            for seg in segments.into_iter().filter(|s| !s.is_empty()) {
                p.line(Line::new("latency (ms)", PlotPoints::from(seg)).color(OK));
            }
            p.points(Points::new("failed", failures).color(FAIL).radius(3.0));
        });
}

fn empty_state(ui: &mut Ui) {
    ui.add_space(20.0);
    ui.vertical_centered(|ui| {
        ui.label(RichText::new("No health checks yet").heading());
        ui.label(
            "A check watches something that must work now: a URL, a port, a process, free disk \
             or memory, a log that must keep growing, a systemd unit, a command.",
        );
        ui.label("Press ➕ Add check, or write health.toml, for example:");
    });
    ui.add_space(6.0);
    ui.code(
        "[[check]]\nname = \"api\"\nkind = \"http\"\ninterval_s = 30\n\
         url = \"http://127.0.0.1:8080/health\"\nfailures = 2\ncycles = 3\n\
         [check.action]\nrestart_service = \"api\"   # a service named in fixer.json",
    );
}

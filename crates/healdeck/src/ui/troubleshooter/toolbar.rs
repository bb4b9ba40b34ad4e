//! The toolbar (Run Diagnostics with its progress and Cancel, Auto-Fix, Dry run, Copy Prompt,
//! Export) and the filter row (severity toggles with counts, category, source, search).

use super::super::events::{Picked, TroublePick};
use super::super::shared::Shared;
use super::super::widgets::{bytes, severity_color, thousands};
use super::TroubleTab;
use super::work::report_path;
use egui::{Color32, RichText};
use healdeck_engine::{Category, Severity};
use std::sync::atomic::Ordering;
use std::time::Duration;

impl TroubleTab {
    pub(super) fn toolbar_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        ui.horizontal_wrapped(|ui| {
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
            let selected = self.selected.is_some();
            if ui
                .add_enabled(
                    selected && !self.fix.running(),
                    egui::Button::new("🛠 Auto-Fix (Safe Only)"),
                )
                .on_hover_text(
                    "Fix the selected issue(s) (Ctrl+click selects more): class A runs, class B \
                     asks first, class C is advice (Ctrl+Shift+F)",
                )
                .on_disabled_hover_text("Select an issue to fix")
                .clicked()
            {
                self.auto_fix(sh);
            }
            if ui
                .add_enabled(
                    !self.feed.is_empty() && !self.fix.running() && !self.scope.planning_all,
                    egui::Button::new("Fix all safe issues…"),
                )
                .on_hover_text("List every fix that may run unattended, where, and ask once")
                .clicked()
            {
                self.fix_all(sh);
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
            self.export_menu_ui(ui, sh);
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

    /// Export: the Markdown and JSON reports, and the encrypted support bundle.
    fn export_menu_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        ui.menu_button("⬇ Export", |ui| {
            if ui.button("Markdown report…").clicked() {
                sh.bg.save_dialog(
                    Picked::Trouble(TroublePick::ExportMarkdown),
                    report_path(&sh.dirs.dirs.reports(), "md"),
                );
                ui.close();
            }
            if ui.button("JSON report…").clicked() {
                sh.bg.save_dialog(
                    Picked::Trouble(TroublePick::ExportJson),
                    report_path(&sh.dirs.dirs.reports(), "json"),
                );
                ui.close();
            }
            ui.separator();
            if ui
                .button("🔐 Support bundle (encrypted)…")
                .on_hover_text(
                    "Report, redacted excerpts, environment and fix history for a remote \
                     expert, encrypted with age",
                )
                .clicked()
            {
                self.open_bundle_dialog();
                ui.close();
            }
        });
    }

    pub(super) fn filters_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        ui.horizontal_wrapped(|ui| {
            ui.selectable_value(&mut self.view, super::TroubleView::Issues, "☰ Issues")
                .on_hover_text("The issue feed");
            ui.selectable_value(&mut self.view, super::TroubleView::Patterns, "📈 Patterns")
                .on_hover_text("Every line's pattern, the timeline and the anomalies");
            ui.separator();
            if let Some((from, to)) = self.filter.time.clone() {
                let short = |t: &str| t.get(5..16).unwrap_or(t).replace('T', " ");
                let chip = format!("⏱ {} – {}  🗙", short(&from), short(&to));
                if ui
                    .button(RichText::new(chip).strong())
                    .on_hover_text(format!(
                        "Issues seen from {from} to {to}; click to show all times"
                    ))
                    .clicked()
                {
                    self.filter.time = None;
                }
            }
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
            search.widget_info(|| {
                egui::WidgetInfo::labeled(egui::accesskit::Role::TextInput, true, "Search issues")
            });
            if self.focus_search {
                search.request_focus();
                self.focus_search = false;
            }
            if !self.filter.search.is_empty() && ui.small_button("🗙").clicked() {
                self.filter.search.clear();
            }
            ui.checkbox(&mut self.filter.hide_resolved, "Hide resolved")
                .on_hover_text("Leave out issues that were fixed and have not come back");
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
}

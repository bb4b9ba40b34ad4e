//! The window's frame around the tabs: the top bar (tabs, theme, Full System Test) and the
//! status bar (files watched, issues by severity, GPU, activity, version).

use super::app::HealdeckApp;
use super::settings::Tab;
use super::widgets::{severity_color, thousands};
use egui::RichText;
use healdeck_engine::Severity;

impl HealdeckApp {
    pub(crate) fn top_bar(&mut self, ui: &mut egui::Ui) {
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
                let failing = self.health.failing();
                let label = if failing > 0 {
                    format!("♥ Health ({failing} failing)")
                } else {
                    "♥ Health".to_string()
                };
                ui.selectable_value(tab, Tab::Health, RichText::new(label).size(15.0))
                    .on_hover_text("Ctrl+3");
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
                            !self.selftest_running(),
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

    pub(crate) fn status_bar(&mut self, ui: &mut egui::Ui) {
        egui::Panel::bottom("status").show(ui, |ui| {
            ui.horizontal(|ui| {
                ui.label(format!(
                    "👁 {} source(s) watched",
                    self.trouble.watched_files
                ));
                ui.separator();
                let counts = self.trouble.feed.counts();
                let dark = ui.visuals().dark_mode;
                for (i, s) in Severity::ALL.into_iter().enumerate() {
                    ui.label(RichText::new(s.badge()).color(severity_color(dark, s)))
                        .on_hover_text(s.as_str());
                    ui.label(thousands(counts[i] as u64));
                }
                ui.separator();
                let (failing, checks) = (self.health.failing(), self.health.len());
                if checks > 0 {
                    let text = format!("♥ {failing} of {checks} check(s) failing");
                    if failing > 0 {
                        ui.label(RichText::new(text).color(severity_color(dark, Severity::High)));
                    } else {
                        ui.label(format!("♥ {checks} check(s) passing"));
                    }
                    ui.separator();
                }
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
}

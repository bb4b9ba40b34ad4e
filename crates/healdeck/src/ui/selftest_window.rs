//! The Full System Test's window: every check listed before it runs, each filled in with its
//! result and time as it ends, and the closing line ("✅ System Operational v…").

use super::events::AppEvent;
use super::shared::Shared;
use super::widgets::{BAD, GOOD};
use crate::selftest::{CHECKS, Check};
use egui::RichText;

#[derive(Default)]
pub(crate) struct SelftestPanel {
    open: bool,
    running: bool,
    pub(crate) results: Vec<Check>,
    pub(crate) summary: Option<String>,
}

impl SelftestPanel {
    /// Opens the window and runs the checks on the background runtime.
    pub(crate) fn start(&mut self, sh: &Shared) {
        if self.running {
            return;
        }
        *self = SelftestPanel {
            open: true,
            running: true,
            ..SelftestPanel::default()
        };
        tracing::info!("selftest started");
        let dirs = sh.dirs.user_rules.then(|| sh.dirs.dirs.clone());
        sh.bg.blocking(move |r| {
            let checks = crate::selftest::run(None, dirs.as_ref(), |c| {
                r.send(AppEvent::SelftestCheck(c.clone()));
            });
            r.send(AppEvent::SelftestDone(crate::selftest::summary(&checks)));
        });
    }

    pub(crate) fn finish(&mut self, summary: String) {
        self.running = false;
        tracing::info!("selftest: {summary}");
        self.summary = Some(summary);
    }

    pub(crate) fn running(&self) -> bool {
        self.running
    }

    pub(crate) fn window(&mut self, ctx: &egui::Context) {
        if !self.open {
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
                            self.check_row(ui, name);
                            ui.end_row();
                        }
                    });
                ui.add_space(8.0);
                if let Some(s) = &self.summary {
                    let ok = s.starts_with('✅');
                    ui.label(RichText::new(s).size(18.0).strong().color(if ok {
                        GOOD
                    } else {
                        BAD
                    }));
                }
            });
        if !open {
            self.open = false;
        }
    }

    fn check_row(&self, ui: &mut egui::Ui, name: &str) {
        match self.results.iter().find(|c| c.name == name) {
            Some(c) => {
                ui.label(if c.ok { "✅" } else { "❌" });
                ui.label(RichText::new(name).strong());
                ui.add(egui::Label::new(format!("{} ({:.0} ms)", c.detail, c.millis)).wrap());
            }
            None => {
                if self.running {
                    ui.spinner();
                } else {
                    ui.label("–");
                }
                ui.label(RichText::new(name).strong());
                ui.label(RichText::new("waiting").weak());
            }
        }
    }
}

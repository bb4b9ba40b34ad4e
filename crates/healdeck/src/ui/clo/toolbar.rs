//! The render toolbar: the Fast Preview / Realistic toggle, View Full Render, Save As…, the
//! render in progress or the last render's time, the fallback's reason, a settings error.

use super::super::shared::Shared;
use super::super::widgets::{BAD, GOOD, WARN, dot_text};
use super::CloTab;
use egui::{Color32, RichText};
use healdeck_render::renderer::Mode;
use std::time::Duration;

fn mode_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Realistic => "Realistic",
        Mode::Preview => "Fast Preview",
    }
}

/// How long a render may take before the toolbar says it is rendering.
const QUIET_WAIT: Duration = Duration::from_millis(300);

impl CloTab {
    pub(super) fn toolbar_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        ui.horizontal(|ui| {
            let mut mode = sh.settings.clo.mode;
            let fast = dot_text(ui, "🟢", GOOD, " Fast Preview");
            let real = dot_text(
                ui,
                "🔵",
                Color32::from_rgb(70, 140, 220),
                " Realistic Render",
            );
            ui.selectable_value(&mut mode, Mode::Preview, fast)
                .on_hover_text("512 px, instant (Ctrl+P)");
            ui.selectable_value(&mut mode, Mode::Realistic, real)
                .on_hover_text("2048 px: cloth shading, shadows, anti-aliasing (Ctrl+R)");
            self.set_mode(sh, mode);
            ui.separator();
            if ui
                .button("📷 View Full Render")
                .on_hover_text(format!("Open {}", self.renders_dir(sh).display()))
                .clicked()
            {
                self.open_renders_folder(sh);
            }
            if ui
                .add_enabled(self.scene.is_some(), egui::Button::new("💾 Save As…"))
                .on_hover_text("Save the current render as PNG (Ctrl+S)")
                .clicked()
            {
                self.save_as(sh);
            }
            ui.separator();
            let waited = self.pending.as_ref().map(|(_, _, t)| t.elapsed());
            if let Some(w) = waited.filter(|w| *w < QUIET_WAIT) {
                // Most previews are back before this: no spinner (it repaints every frame,
                // and on a software GPU the window's own painting slows the render it waits
                // for); look again when the wait is long enough to show.
                ui.ctx().request_repaint_after(QUIET_WAIT - w);
                if let Some((mode, ms)) = self.last {
                    ui.label(format!(
                        "{} · {} px · {ms:.0} ms",
                        mode_name(mode),
                        mode.size()
                    ));
                }
            } else if let Some((_, mode, t)) = &self.pending {
                ui.spinner();
                ui.label(format!(
                    "rendering {} ({} px) · {:.1} s",
                    mode_name(*mode),
                    mode.size(),
                    t.elapsed().as_secs_f32()
                ));
                ui.ctx().request_repaint_after(Duration::from_millis(100));
            } else if let Some((mode, ms)) = self.last {
                ui.label(format!(
                    "{} · {} px · {ms:.0} ms",
                    mode_name(mode),
                    mode.size()
                ));
            }
        });
        if let Some(reason) = &self.fallback_reason
            && sh.settings.clo.mode == Mode::Realistic
        {
            ui.label(RichText::new(format!("⚠ Showing Fast Preview: {reason}")).color(WARN));
        }
        if let Some(e) = &self.config_error {
            ui.label(RichText::new(format!("⚠ {e} (using defaults)")).color(BAD));
        }
    }
}

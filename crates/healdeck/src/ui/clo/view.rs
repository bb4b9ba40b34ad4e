//! The render view: the latest render on a neutral backdrop (a native wgpu texture sampled
//! trilinearly, or an uploaded image where egui cannot sample it), drag to orbit, scroll to
//! zoom, double-click to reset; a scene error is written over it.

use super::super::shared::Shared;
use super::super::widgets::WARN;
use super::{CloTab, Shown};
use egui::Color32;
use healdeck_render::drape::fitmap::FitMap;
use healdeck_render::manager::Rendered;
use healdeck_render::renderer::View;

impl CloTab {
    pub(super) fn view_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        let avail = ui.available_size();
        let side = avail.x.min(avail.y).max(64.0);
        let (rect, resp) = ui.allocate_exact_size(avail, egui::Sense::click_and_drag());
        let square = egui::Rect::from_center_size(rect.center(), egui::vec2(side, side));
        ui.painter()
            .rect_filled(square, 6.0, Color32::from_rgb(77, 79, 84));
        let uv = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
        match &self.shown {
            Some(Shown::Native(id)) => {
                ui.painter().image(*id, square, uv, Color32::WHITE);
            }
            Some(Shown::Image(h)) => {
                ui.painter().image(h.id(), square, uv, Color32::WHITE);
            }
            None => {
                ui.painter().text(
                    square.center(),
                    egui::Align2::CENTER_CENTER,
                    if self.service.is_some() {
                        "rendering…"
                    } else {
                        "no GPU device"
                    },
                    egui::FontId::proportional(18.0),
                    Color32::LIGHT_GRAY,
                );
            }
        }
        if let Some(map) = self.drape.fit_map_shown(&sh.settings.clo) {
            fit_map_legend(ui, square, map);
        }
        if let Some(e) = &self.scene_error {
            // Wrapped to the view, on a dark band so it reads over any render.
            let galley = ui.painter().layout(
                e.clone(),
                egui::FontId::proportional(15.0),
                WARN,
                (square.width() - 40.0).max(100.0),
            );
            let at = square.center_top() + egui::vec2(-galley.size().x / 2.0, 16.0);
            let band = egui::Rect::from_min_size(at, galley.size()).expand(8.0);
            ui.painter()
                .rect_filled(band, 6.0, Color32::from_black_alpha(170));
            ui.painter().galley(at, galley, WARN);
        }
        let v = &mut sh.settings.clo.view;
        if resp.dragged() {
            let d = resp.drag_delta();
            v.azimuth_deg = (v.azimuth_deg - d.x * 0.5).rem_euclid(360.0);
            v.elevation_deg = (v.elevation_deg + d.y * 0.3).clamp(-15.0, 70.0);
        }
        if resp.hovered() {
            let scroll = ui.input(|i| i.smooth_scroll_delta.y);
            if scroll != 0.0 {
                v.zoom = (v.zoom * (scroll * 0.002).exp()).clamp(0.5, 4.0);
            }
        }
        if resp.double_clicked() {
            *v = View::default();
        }
        resp.on_hover_text("Drag to orbit · scroll to zoom · double-click to reset");
    }

    /// Puts a finished render on screen: the texture itself when egui can sample it, the
    /// pixels otherwise (`submit` asks for them there).
    pub(super) fn show(&mut self, sh: &Shared, rendered: &Rendered) {
        if let (Some(tex), Some(rs), true) =
            (&rendered.texture, &self.render_state, self.unorm_view)
        {
            let view = tex.create_view(&eframe::wgpu::TextureViewDescriptor {
                format: Some(eframe::wgpu::TextureFormat::Rgba8Unorm),
                ..Default::default()
            });
            // Trilinear: the 2048 px Realistic render is shown smaller than it is.
            let sampler = eframe::wgpu::SamplerDescriptor {
                label: Some("render view"),
                mag_filter: eframe::wgpu::FilterMode::Linear,
                min_filter: eframe::wgpu::FilterMode::Linear,
                mipmap_filter: eframe::wgpu::MipmapFilterMode::Linear,
                ..Default::default()
            };
            let mut r = rs.renderer.write();
            match &self.shown {
                Some(Shown::Native(id)) => r
                    .update_egui_texture_from_wgpu_texture_with_sampler_options(
                        &rs.device, &view, sampler, *id,
                    ),
                _ => {
                    let id =
                        r.register_native_texture_with_sampler_options(&rs.device, &view, sampler);
                    self.shown = Some(Shown::Native(id));
                }
            }
            return;
        }
        if let Some(img) = &rendered.image {
            let ci = egui::ColorImage::from_rgba_unmultiplied(
                [img.width() as usize, img.height() as usize],
                img.as_raw(),
            );
            let handle = sh
                .egui_ctx
                .load_texture("render", ci, egui::TextureOptions::LINEAR);
            self.shown = Some(Shown::Image(handle));
        }
    }
}

/// A fit map's bands, bottom left over the view: a swatch and the value it starts at.
fn fit_map_legend(ui: &egui::Ui, square: egui::Rect, map: FitMap) {
    let bands = map.bands();
    let row = 20.0;
    let size = egui::vec2(118.0, row * (bands.len() as f32 + 1.0) + 12.0);
    let panel = egui::Rect::from_min_size(
        square.left_bottom() + egui::vec2(12.0, -size.y - 12.0),
        size,
    );
    let p = ui.painter();
    p.rect_filled(panel, 6.0, Color32::from_black_alpha(170));
    let font = egui::FontId::proportional(13.0);
    p.text(
        panel.left_top() + egui::vec2(10.0, 8.0),
        egui::Align2::LEFT_TOP,
        map.title(),
        font.clone(),
        Color32::WHITE,
    );
    for (k, (from, [r, g, b])) in bands.iter().rev().enumerate() {
        let top = panel.top() + 8.0 + row * (k as f32 + 1.0);
        let swatch = egui::Rect::from_min_size(
            egui::pos2(panel.left() + 10.0, top + 2.0),
            egui::vec2(22.0, 14.0),
        );
        p.rect_filled(swatch, 2.0, Color32::from_rgb(*r, *g, *b));
        let label = if k == 0 {
            format!("≥ {}", map.label(*from))
        } else {
            map.label(*from)
        };
        p.text(
            egui::pos2(swatch.right() + 8.0, top),
            egui::Align2::LEFT_TOP,
            label,
            font.clone(),
            Color32::LIGHT_GRAY,
        );
    }
}

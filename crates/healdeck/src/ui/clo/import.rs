//! An imported CLO3D / Marvelous Designer mesh in the left panel: the ways to import one (a
//! file dialog, a pasted path), whether the avatar wears it, and its look — the export's own
//! colors and fabrics, or a color and a fabric of the designer's over every material.

use super::super::events::{CloEvent, CloPick, Picked, UiEvent};
use super::super::shared::Shared;
use super::super::widgets::ToastKind;
use super::CloTab;
use super::editor::{color_row, label_of};
use egui::RichText;
use healdeck_render::drape::garmentcode::is_garmentcode;
use healdeck_render::garment::Fabric;
use healdeck_render::onbody::ImportLook;
use std::path::PathBuf;

/// The import's color and fabric: each "as exported" or the designer's. Recoloring starts
/// from `exported`, the export's own first color.
fn look_grid(ui: &mut egui::Ui, look: &mut ImportLook, exported: Option<[f32; 3]>) {
    egui::Grid::new("import_look")
        .num_columns(2)
        .show(ui, |ui| {
            let label = ui.label("Fabric");
            egui::ComboBox::from_id_salt("import_fabric")
                .selected_text(look.fabric.map_or("As exported".into(), label_of))
                .show_ui(ui, |ui| {
                    ui.selectable_value(&mut look.fabric, None, "As exported");
                    for f in Fabric::ALL {
                        ui.selectable_value(&mut look.fabric, Some(f), label_of(f));
                    }
                })
                .response
                .labelled_by(label.id);
            ui.end_row();
            let mut recolour = look.color.is_some();
            if ui.checkbox(&mut recolour, "Recolor").changed() {
                look.color = recolour.then(|| exported.map_or("#3b6ea5".into(), srgb_hex));
            }
            ui.end_row();
            if let Some(color) = &mut look.color {
                color_row(ui, "Color", color);
            }
        });
}

/// A linear color as `#rrggbb` (sRGB).
fn srgb_hex(linear: [f32; 3]) -> String {
    let c = linear.map(|x| {
        let x = x.clamp(0.0, 1.0);
        let s = if x <= 0.003_130_8 {
            x * 12.92
        } else {
            1.055 * x.powf(1.0 / 2.4) - 0.055
        };
        (s * 255.0).round() as u8
    });
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

impl CloTab {
    /// The imported mesh's name and options, and the ways to import one.
    pub(super) fn import_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        let c = &mut sh.settings.clo;
        if let Some(p) = &c.imported {
            let name = p
                .file_name()
                .map(|n| n.to_string_lossy().to_string())
                .unwrap_or_default();
            ui.label(RichText::new(format!("Showing import: {name}")).strong())
                .on_hover_text(p.display().to_string());
            ui.checkbox(&mut c.import_with_avatar, "Show with the avatar")
                .on_hover_text(
                    "Worn by the avatar: where the export sinks into this body, it is laid over it",
                );
            let exported = self
                .imported
                .as_ref()
                .and_then(|i| i.mesh.materials.first().map(|m| m.color));
            look_grid(ui, &mut c.import_look, exported);
            if ui.button("🗙 Back to the parametric garment").clicked() {
                c.imported = None;
                self.imported = None;
            }
        }
        if let Some(p) = c.garment.pattern.clone() {
            ui.label(RichText::new(format!("Sewn from pattern: {}", file_name(&p))).strong())
                .on_hover_text(format!(
                    "{}\nThe pattern's own sizes: fit, lengths and neckline do not apply",
                    p.display()
                ));
            if ui.button("🗙 Back to the drafted pattern").clicked() {
                c.garment.pattern = None;
            }
        }
        if ui
            .button("📐 Sew a GarmentCode pattern…")
            .on_hover_text(
                "A sewing pattern (*_specification.json) from GarmentCode: its panels sewn \
                 around the avatar and draped by the cloth solver",
            )
            .clicked()
        {
            sh.bg.pick(Picked::Clo(CloPick::Pattern), None);
        }
        if ui
            .button("🎨 Fabric from a U3M file…")
            .on_hover_text(
                "A U3M material (.u3m or .u3ma, as Browzwear and Vizoo export them): its colour, \
                 texture, weight and thickness, and the closest fabric preset for the rest",
            )
            .clicked()
        {
            sh.bg.pick(Picked::Clo(CloPick::Material), None);
        }
        if ui
            .button("📂 Import OBJ / glTF…")
            .on_hover_text("A CLO3D or Marvelous Designer export (millimetres or metres)")
            .clicked()
        {
            sh.bg.pick(Picked::Clo(CloPick::Import), None);
        }
        let entry = ui.add(
            egui::TextEdit::singleline(&mut self.import_entry)
                .hint_text("…or paste a .obj/.glb, pattern .json or .u3m path, Enter")
                .desired_width(f32::INFINITY),
        );
        entry.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::accesskit::Role::TextInput,
                true,
                "Import: paste a mesh (.obj, .gltf, .glb), a U3M material or a GarmentCode pattern .json path",
            )
        });
        if entry.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            let p = PathBuf::from(self.import_entry.trim());
            if !self.import_entry.trim().is_empty() {
                self.import_entry.clear();
                if p.extension()
                    .is_some_and(|e| e.eq_ignore_ascii_case("json"))
                {
                    self.sew_pattern(sh, p);
                } else if p.extension().is_some_and(|e| {
                    e.eq_ignore_ascii_case("u3m") || e.eq_ignore_ascii_case("u3ma")
                }) {
                    Self::read_material(sh, p);
                } else {
                    Self::import(sh, p);
                }
            }
        }
    }

    /// Reads the U3M material at `path` off the UI thread (its texture may be large); the
    /// answer comes back as [`CloEvent::Material`].
    pub(super) fn read_material(sh: &mut Shared, path: PathBuf) {
        sh.bg.blocking(move |reply| {
            let read = healdeck_render::garment::u3m::read(&path)
                .map(Box::new)
                .map_err(|e| e.to_string());
            reply.send(UiEvent::Clo(CloEvent::Material(path, read)));
        });
    }

    /// Makes the garment of the U3M material read from `path`, saying which preset its
    /// physics is closest to and why — or why the file cannot be used.
    pub(super) fn use_material(
        sh: &mut Shared,
        path: PathBuf,
        read: Result<Box<healdeck_render::garment::u3m::U3mMaterial>, String>,
    ) {
        match read {
            Ok(m) => {
                let fabric = format!("{:?}", m.fabric).to_lowercase();
                let measured = [
                    m.weight_gsm
                        .filter(|_| !m.fabric_reason.contains("g/m²"))
                        .map(|w| format!("{w:.0} g/m²")),
                    m.thickness_mm.map(|t| format!("{t} mm thick")),
                ]
                .into_iter()
                .flatten()
                .collect::<Vec<_>>()
                .join(", ");
                let measured = if measured.is_empty() {
                    measured
                } else {
                    format!("; {measured}")
                };
                sh.toasts.add(
                    ToastKind::Info,
                    format!(
                        "Material '{}': {fabric} physics ({}){measured}",
                        m.name, m.fabric_reason
                    ),
                );
                let g = &mut sh.settings.clo.garment;
                g.fabric = m.fabric;
                g.color = m.color;
                g.material = Some(path);
            }
            Err(e) => sh.toasts.add(ToastKind::Error, e),
        }
    }

    /// Dresses the avatar in a garment sewn from the GarmentCode pattern at `path` (draped
    /// by the cloth solver, which this turns on), or says why it cannot.
    pub(super) fn sew_pattern(&mut self, sh: &mut Shared, path: PathBuf) {
        let checked = std::fs::read_to_string(&path)
            .map_err(|e| e.to_string())
            .and_then(|text| {
                is_garmentcode(&text)
                    .then_some(())
                    .ok_or_else(|| "not a GarmentCode pattern (no pattern.panels)".to_string())
            });
        if let Err(e) = checked {
            sh.toasts
                .add(ToastKind::Error, format!("{}: {e}", path.display()));
            return;
        }
        let c = &mut sh.settings.clo;
        c.garment.pattern = Some(path);
        c.simulate = true;
        c.imported = None;
        self.imported = None;
    }
}

fn file_name(p: &std::path::Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default()
}

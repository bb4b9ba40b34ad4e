//! The avatar section of the left panel: the template, a size preset, and the seven
//! measurements a tailor takes, each slider with where its tape goes and what the tape reads
//! on the body shown. Values outside the adult range are not kept; while a measurement is out
//! of the template's reach the closest body is shown and the field is named under the sliders
//! with how far it reaches.

use super::super::settings::CloSettings;
use super::super::widgets::{GOOD, WARN};
use super::editor::label_of;
use egui::RichText;
use healdeck_render::avatar::{Measurements, RANGES, Template};
use healdeck_render::fit::{Field, TOLERANCE};
use healdeck_render::sizes::{preset_of, presets};

/// Each slider: its label, its field, and where the tape goes.
const SLIDERS: [(&str, Field, &str); 7] = [
    ("Height", Field::Height, "Floor to the top of the head"),
    (
        "Chest / bust",
        Field::Bust,
        "The fullest girth of the chest, below the armpits",
    ),
    ("Waist", Field::Waist, "The narrowest girth of the torso"),
    ("Hips", Field::Hips, "The fullest girth below the waist"),
    ("Inseam", Field::Inseam, "Crotch to floor"),
    (
        "Arm length",
        Field::Arm,
        "Shoulder point over the elbow to the wrist",
    ),
    (
        "Shoulders",
        Field::Shoulders,
        "Straight between the shoulder points",
    ),
];

fn range_of(field: Field) -> (f32, f32) {
    RANGES
        .iter()
        .find(|r| r.0 == field.name())
        .map_or((0.0, 300.0), |r| (r.1, r.2))
}

/// The avatar editor. `measured` is what the tape read on the body shown (and the solve's
/// milliseconds); `unreached` names the measurement out of reach.
pub(super) fn avatar_ui(
    ui: &mut egui::Ui,
    c: &mut CloSettings,
    measured: Option<&(Measurements, f64)>,
    unreached: Option<&str>,
) {
    ui.heading("Avatar");
    ui.horizontal(|ui| {
        for t in Template::ALL {
            let mut sel = c.template;
            if ui.selectable_value(&mut sel, t, label_of(t)).changed() {
                c.template = t;
                c.measurements = t.defaults();
            }
        }
    });
    let current = preset_of(c.template, &c.measurements).map_or("Custom", |p| p.label);
    ui.horizontal(|ui| {
        let label = ui.label("Size");
        egui::ComboBox::from_id_salt("avatar_size")
            .selected_text(current)
            .show_ui(ui, |ui| {
                for p in presets(c.template) {
                    if ui.selectable_label(current == p.label, p.label).clicked() {
                        c.measurements = p.measurements;
                    }
                }
            })
            .response
            .labelled_by(label.id);
    });
    let mut trial: Measurements = c.measurements;
    egui::Grid::new("measurements")
        .num_columns(3)
        .show(ui, |ui| {
            for (name, field, tape) in SLIDERS {
                let label = ui.label(name).on_hover_text(tape);
                let (lo, hi) = range_of(field);
                let mut v = field.of(&trial) * 100.0;
                let slider = egui::Slider::new(&mut v, lo..=hi)
                    .suffix(" cm")
                    .step_by(0.5)
                    .fixed_decimals(1);
                if ui
                    .add(slider)
                    .labelled_by(label.id)
                    .on_hover_text(tape)
                    .changed()
                {
                    field.set_cm(&mut trial, v);
                }
                measured_cell(ui, field, &c.measurements, measured);
                ui.end_row();
            }
        });
    match (unreached, measured) {
        (Some(e), _) => {
            ui.label(RichText::new(format!("⚠ {e}")).color(WARN));
        }
        (None, Some((_, ms))) => {
            ui.label(RichText::new(format!("Measured on the body · solved in {ms:.0} ms")).weak());
        }
        (None, None) => {}
    }
    // Only values inside the adult range are kept (the solver names what the body reaches).
    match trial.validate() {
        Ok(()) => c.measurements = trial,
        Err(e) if trial != c.measurements => {
            ui.label(RichText::new(e.to_string()).color(WARN));
        }
        Err(_) => {}
    }
}

/// What the tape reads on the body shown, green within ±0.5 cm of the request.
fn measured_cell(
    ui: &mut egui::Ui,
    field: Field,
    asked: &Measurements,
    measured: Option<&(Measurements, f64)>,
) {
    let Some((m, _)) = measured else {
        ui.label("");
        return;
    };
    let (got, want) = (field.of(m), field.of(asked));
    let color = if (got - want).abs() <= TOLERANCE {
        GOOD
    } else {
        WARN
    };
    ui.label(
        RichText::new(format!("{:.1}", got * 100.0))
            .color(color)
            .small(),
    )
    .on_hover_text("What a tape reads on the body shown (cm)");
}

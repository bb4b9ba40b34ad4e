//! The left panel: the avatar (`avatar_editor`), an imported mesh (`import`), the parametric
//! garment (type, fit, sleeves, length, flare,
//! neckline, fabric, color, print) and the one it is worn with (an outfit), with the cloth
//! simulation's switch (`drape`).

use super::super::events::{CloPick, Picked};
use super::super::shared::Shared;
use super::CloTab;
use healdeck_render::garment::{
    Fabric, Fit, GarmentSpec, GarmentType, Neckline, Print, PrintPlacement, SleeveLength,
};

fn srgb_hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

fn hex_srgb(s: &str) -> [u8; 3] {
    let h = s.trim_start_matches('#');
    let p = |i: usize| h.get(i..i + 2).and_then(|x| u8::from_str_radix(x, 16).ok());
    [p(0).unwrap_or(0), p(2).unwrap_or(0), p(4).unwrap_or(0)]
}

/// `ThreeQuarter` → "Three quarter"; `Tshirt` → "T-shirt".
pub(super) fn label_of<T: std::fmt::Debug>(v: T) -> String {
    let s = format!("{v:?}");
    if s == "Tshirt" {
        return "T-shirt".into();
    }
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// A labelled combo box over `options`.
fn choice<T: Copy + PartialEq + std::fmt::Debug>(
    ui: &mut egui::Ui,
    label: &str,
    id: &str,
    value: &mut T,
    options: &[T],
) -> bool {
    let lbl = ui.label(label);
    let mut changed = false;
    egui::ComboBox::from_id_salt(id)
        .selected_text(label_of(*value))
        .show_ui(ui, |ui| {
            for &o in options {
                changed |= ui.selectable_value(value, o, label_of(o)).changed();
            }
        })
        .response
        .labelled_by(lbl.id);
    ui.end_row();
    changed
}

pub(super) fn color_row(ui: &mut egui::Ui, label: &str, color: &mut String) {
    ui.label(label);
    let mut rgb = hex_srgb(color);
    if ui.color_edit_button_srgb(&mut rgb).changed() {
        *color = srgb_hex(rgb);
    }
    ui.end_row();
}

/// The garment's grid; returns true when an image print should be picked.
fn garment_grid(ui: &mut egui::Ui, g: &mut GarmentSpec) -> bool {
    let mut pick_image = false;
    egui::Grid::new("garment").num_columns(2).show(ui, |ui| {
        if choice(ui, "Type", "garment_type", &mut g.kind, &GarmentType::ALL) {
            g.sleeve_length = None;
        }
        cut_rows(ui, "", g);
        pick_image = print_rows(ui, g);
    });
    pick_image
}

/// The second garment of an outfit: its type (or none), then its cut, fabric and color.
fn worn_with_grid(ui: &mut egui::Ui, worn_with: &mut Option<GarmentSpec>, first: GarmentType) {
    egui::Grid::new("worn_with").num_columns(2).show(ui, |ui| {
        let lbl = ui.label("Worn with");
        let current = worn_with.as_ref().map(|g| g.kind);
        egui::ComboBox::from_id_salt("worn_with_type")
            .selected_text(current.map_or("Nothing".into(), label_of))
            .show_ui(ui, |ui| {
                if ui.selectable_label(current.is_none(), "Nothing").clicked() {
                    *worn_with = None;
                }
                for kind in GarmentType::ALL {
                    if ui
                        .selectable_label(current == Some(kind), label_of(kind))
                        .clicked()
                    {
                        *worn_with = Some(second_garment(kind, worn_with.take()));
                    }
                }
            })
            .response
            .on_hover_text(format!(
                "A second garment: worn under or over the {} (bottoms under tops, jackets \
                 over everything), draped over it when the cloth is simulated",
                label_of(first).to_lowercase()
            ))
            .labelled_by(lbl.id);
        ui.end_row();
        if let Some(g) = worn_with {
            cut_rows(ui, "worn_with_", g);
        }
    });
}

/// A second garment of `kind`, keeping what can be kept of the one it replaces.
fn second_garment(kind: GarmentType, old: Option<GarmentSpec>) -> GarmentSpec {
    let mut g = old.unwrap_or_else(|| GarmentSpec {
        kind,
        fit: Fit::Regular,
        sleeve_length: None,
        length: if kind == GarmentType::Pants { 0.9 } else { 0.5 },
        neckline: Neckline::Crew,
        fabric: Fabric::Denim,
        color: "#2b3a55".into(),
        print: None,
        flare: 0.2,
        print_placement: Default::default(),
        pattern: None,
        material: None,
    });
    if g.kind != kind {
        g.kind = kind;
        g.sleeve_length = None;
    }
    g
}

/// Fit, sleeves, length, neckline (unless a sewing pattern gives the cut), fabric and color
/// (ids prefixed with `id`).
fn cut_rows(ui: &mut egui::Ui, id: &str, g: &mut GarmentSpec) {
    if g.pattern.is_none() {
        shape_rows(ui, id, g);
    }
    if let Some(path) = g.material.clone() {
        let name = path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        ui.label("Material");
        ui.horizontal(|ui| {
            ui.label(name).on_hover_text(format!(
                "{}\nColour, texture, weight and thickness from this U3M file; {} physics for \
                 the rest",
                path.display(),
                label_of(g.fabric).to_lowercase()
            ));
            if ui
                .small_button("🗙")
                .on_hover_text("Back to a fabric preset and a colour")
                .clicked()
            {
                g.material = None;
            }
        });
        ui.end_row();
        return;
    }
    choice(
        ui,
        "Fabric",
        &format!("{id}fabric"),
        &mut g.fabric,
        &Fabric::ALL,
    );
    color_row(ui, "Color", &mut g.color);
}

/// The cut our pattern programs draft: fit, sleeves, length, flare and neckline.
fn shape_rows(ui: &mut egui::Ui, id: &str, g: &mut GarmentSpec) {
    ui.label("Fit");
    ui.horizontal(|ui| {
        for f in [Fit::Tight, Fit::Regular, Fit::Loose] {
            ui.selectable_value(&mut g.fit, f, label_of(f));
        }
    });
    ui.end_row();
    let top = !matches!(
        g.kind,
        GarmentType::Skirt | GarmentType::Pants | GarmentType::Shorts
    );
    let mut sl = g.sleeves();
    let sleeves = [
        SleeveLength::None,
        SleeveLength::Short,
        SleeveLength::Elbow,
        SleeveLength::ThreeQuarter,
        SleeveLength::Long,
    ];
    if top && choice(ui, "Sleeves", &format!("{id}sleeves"), &mut sl, &sleeves) && sl != g.sleeves()
    {
        g.sleeve_length = Some(sl);
    }
    let label = ui.label("Length");
    ui.add(egui::Slider::new(&mut g.length, 0.0..=1.0).step_by(0.01))
        .labelled_by(label.id);
    ui.end_row();
    if matches!(g.kind, GarmentType::Skirt | GarmentType::Dress) {
        let label = ui.label("Flare");
        ui.add(egui::Slider::new(&mut g.flare, 0.0..=1.0).step_by(0.01))
            .on_hover_text("How far the hem flares out: 0 clears the hips, 1 is most of a circle")
            .labelled_by(label.id);
        ui.end_row();
    }
    let necklines = [
        Neckline::Crew,
        Neckline::V,
        Neckline::Scoop,
        Neckline::Collar,
    ];
    if top {
        choice(
            ui,
            "Neckline",
            &format!("{id}neckline"),
            &mut g.neckline,
            &necklines,
        );
    }
}

/// The print's kind, its color or repeat; returns true when "Image…" was chosen.
fn print_rows(ui: &mut egui::Ui, g: &mut GarmentSpec) -> bool {
    let kind = match &g.print {
        None => "None",
        Some(Print::Stripes { .. }) => "Stripes",
        Some(Print::Checks { .. }) => "Checks",
        Some(Print::Dots { .. }) => "Dots",
        Some(Print::Image { .. }) => "Image",
    };
    let mut pick_image = false;
    let lbl = ui.label("Print");
    egui::ComboBox::from_id_salt("print")
        .selected_text(kind)
        .show_ui(ui, |ui| {
            let pc = match &g.print {
                Some(
                    Print::Stripes { color } | Print::Checks { color } | Print::Dots { color },
                ) => color.clone(),
                _ => "#f2f2f2".into(),
            };
            if ui.selectable_label(kind == "None", "None").clicked() {
                g.print = None;
            }
            if ui.selectable_label(kind == "Stripes", "Stripes").clicked() {
                g.print = Some(Print::Stripes { color: pc.clone() });
            }
            if ui.selectable_label(kind == "Checks", "Checks").clicked() {
                g.print = Some(Print::Checks { color: pc.clone() });
            }
            if ui.selectable_label(kind == "Dots", "Dots").clicked() {
                g.print = Some(Print::Dots { color: pc });
            }
            if ui.selectable_label(kind == "Image", "Image…").clicked() {
                pick_image = true;
            }
        })
        .response
        .labelled_by(lbl.id);
    ui.end_row();
    match &mut g.print {
        Some(Print::Stripes { color } | Print::Checks { color } | Print::Dots { color }) => {
            color_row(ui, "Print color", color);
        }
        Some(Print::Image { repeat, .. }) => {
            let label = ui.label("Repeat");
            ui.add(egui::Slider::new(repeat, 1.0..=12.0))
                .labelled_by(label.id);
            ui.end_row();
        }
        None => {}
    }
    if g.print.is_some() {
        placement_rows(ui, &mut g.print_placement);
    }
    pick_image
}

/// Where the print lies: its size, angle and offset.
fn placement_rows(ui: &mut egui::Ui, p: &mut PrintPlacement) {
    let label = ui.label("Print size");
    ui.add(
        egui::Slider::new(&mut p.scale, 0.25..=4.0)
            .logarithmic(true)
            .suffix(" ×"),
    )
    .labelled_by(label.id)
    .on_hover_text("The print's size against its own: 2 × is twice as large");
    ui.end_row();
    let label = ui.label("Print angle");
    ui.add(egui::Slider::new(&mut p.angle_deg, -90.0..=90.0).suffix("°"))
        .labelled_by(label.id);
    ui.end_row();
    let label = ui.label("Print offset");
    ui.horizontal(|ui| {
        for (k, axis) in ["across ", "along "].into_iter().enumerate() {
            ui.add(
                egui::DragValue::new(&mut p.offset[k])
                    .range(0.0..=1.0)
                    .speed(0.01)
                    .prefix(axis),
            )
            .on_hover_text("How far the print is moved, in repeats of it");
        }
        if !p.is_default() && ui.small_button("Reset").clicked() {
            *p = PrintPlacement::default();
        }
    })
    .response
    .labelled_by(label.id);
    ui.end_row();
}

impl CloTab {
    pub(super) fn editor_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        ui.add_space(6.0);
        super::avatar_editor::avatar_ui(
            ui,
            &mut sh.settings.clo,
            self.measured.as_ref(),
            self.avatar_warning.as_deref(),
        );
        ui.add_space(10.0);
        ui.heading("Garment");
        self.import_ui(ui, sh);
        let c = &mut sh.settings.clo;
        let parametric = c.imported.is_none();
        let pick_image = ui
            .add_enabled_ui(parametric, |ui| garment_grid(ui, &mut c.garment))
            .inner;
        if pick_image {
            sh.bg.pick(Picked::Clo(CloPick::PrintImage), None);
        }
        ui.add_space(4.0);
        let first = c.garment.kind;
        ui.add_enabled_ui(parametric, |ui| {
            worn_with_grid(ui, &mut c.worn_with, first);
        });
        ui.add_space(6.0);
        self.drape_ui(ui, sh);
    }
}

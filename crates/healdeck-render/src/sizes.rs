//! Size presets: common European sizes as body measurements, a starting point a designer then
//! adjusts. Girths follow the usual German/EU size charts for women's sizes 36–46 and men's
//! 46–56 (bust or chest, waist, hips rising 4, 4 and 3 cm a size); heights, inseams, arm
//! lengths and shoulder widths are typical of each size. The neutral body takes S–XL.

use crate::avatar::{Measurements, Template};

/// One size of a template.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Preset {
    /// What the size is called ("EU 38", "M").
    pub label: &'static str,
    pub measurements: Measurements,
}

#[allow(clippy::too_many_arguments)]
const fn size(
    label: &'static str,
    height_cm: f32,
    chest_cm: f32,
    waist_cm: f32,
    hips_cm: f32,
    inseam_cm: f32,
    arm_length_cm: f32,
    shoulder_width_cm: f32,
) -> Preset {
    Preset {
        label,
        measurements: Measurements {
            height_cm,
            chest_cm,
            waist_cm,
            hips_cm,
            inseam_cm,
            arm_length_cm,
            shoulder_width_cm,
        },
    }
}

const WOMEN: [Preset; 6] = [
    size("EU 36", 166.0, 84.0, 68.0, 94.0, 77.0, 57.5, 35.0),
    size("EU 38", 168.0, 88.0, 72.0, 97.0, 78.0, 58.0, 36.0),
    size("EU 40", 168.0, 92.0, 76.0, 100.0, 78.0, 58.5, 37.0),
    size("EU 42", 170.0, 96.0, 80.0, 103.0, 79.0, 59.0, 37.5),
    size("EU 44", 170.0, 100.0, 84.0, 106.0, 79.0, 59.5, 38.0),
    size("EU 46", 170.0, 104.0, 88.0, 109.0, 79.0, 60.0, 38.5),
];

const MEN: [Preset; 6] = [
    size("EU 46", 174.0, 92.0, 80.0, 96.0, 80.0, 61.0, 39.0),
    size("EU 48", 176.0, 96.0, 84.0, 99.0, 81.0, 62.0, 40.0),
    size("EU 50", 178.0, 100.0, 88.0, 102.0, 82.0, 63.0, 41.0),
    size("EU 52", 180.0, 104.0, 92.0, 105.0, 83.0, 63.5, 41.5),
    size("EU 54", 182.0, 108.0, 96.0, 108.0, 84.0, 64.0, 42.0),
    size("EU 56", 184.0, 112.0, 100.0, 111.0, 85.0, 64.5, 42.5),
];

const NEUTRAL: [Preset; 4] = [
    size("S", 168.0, 88.0, 74.0, 94.0, 78.0, 58.0, 36.5),
    size("M", 172.0, 94.0, 80.0, 98.0, 80.0, 60.0, 38.5),
    size("L", 176.0, 100.0, 86.0, 103.0, 81.0, 61.5, 40.0),
    size("XL", 178.0, 106.0, 92.0, 108.0, 82.0, 62.5, 41.0),
];

/// The template's sizes, smallest first.
pub fn presets(template: Template) -> &'static [Preset] {
    match template {
        Template::Female => &WOMEN,
        Template::Male => &MEN,
        Template::Neutral => &NEUTRAL,
    }
}

/// The preset whose measurements are exactly `m`, if any.
pub fn preset_of(template: Template, m: &Measurements) -> Option<&'static Preset> {
    presets(template).iter().find(|p| p.measurements == *m)
}

/// The size a template starts at: EU 38, EU 50, M.
pub fn default_size(template: Template) -> &'static Preset {
    let sizes = presets(template);
    &sizes[match template {
        Template::Female => 1,
        Template::Male => 2,
        Template::Neutral => 1,
    }]
}

/// A size name that is not one of the template's presets.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{name:?} is not a {template} size (sizes: {known})")]
pub struct UnknownSize {
    pub name: String,
    pub template: &'static str,
    pub known: String,
}

/// The template's preset called `name` (case and surrounding spaces ignored).
pub fn named(template: Template, name: &str) -> Result<&'static Preset, UnknownSize> {
    let sizes = presets(template);
    sizes
        .iter()
        .find(|p| p.label.eq_ignore_ascii_case(name.trim()))
        .ok_or_else(|| UnknownSize {
            name: name.to_string(),
            template: template.name(),
            known: sizes.iter().map(|p| p.label).collect::<Vec<_>>().join(", "),
        })
}

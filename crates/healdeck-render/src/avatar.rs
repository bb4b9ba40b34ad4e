//! The avatar: a realistic human body — MakeHuman's CC0 hm08 mesh and targets
//! ([`crate::body_asset`]) — of a `female`, `male` or `neutral` template, shaped to a
//! designer's measurements in centimetres ([`crate::fit`]), standing in the mesh's A-pose.
//! Units: metres, Y up, +Z facing the camera, feet on y = 0, centred on x = 0.

use crate::body_asset::BodyAsset;
use crate::fit;
use crate::mesh::{MaterialRange, Mesh};
pub use crate::skeleton::Skeleton;
use glam::{Vec2, Vec3};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    Male,
    Female,
    /// Half female, half male; settings from before it was renamed say `unisex`.
    #[serde(alias = "unisex")]
    Neutral,
}

impl Template {
    pub const ALL: [Template; 3] = [Template::Male, Template::Female, Template::Neutral];

    pub fn name(self) -> &'static str {
        match self {
            Template::Male => "male",
            Template::Female => "female",
            Template::Neutral => "neutral",
        }
    }

    /// A mid-range size of the template: EU 38 for women, EU 50 for men, M for the neutral
    /// body (see [`crate::sizes`]).
    pub fn defaults(self) -> Measurements {
        crate::sizes::default_size(self).measurements
    }

    /// Skin tone used for the body (linear RGB).
    pub fn skin(self) -> [f32; 3] {
        match self {
            Template::Male => [0.50, 0.33, 0.24],
            Template::Female => [0.60, 0.42, 0.33],
            Template::Neutral => [0.55, 0.38, 0.29],
        }
    }
}

/// An avatar name that is not one of the templates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown avatar '{0}' (expected female, male or neutral)")]
pub struct UnknownTemplate(pub String);

impl std::str::FromStr for Template {
    type Err = UnknownTemplate;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Template::ALL
            .into_iter()
            .find(|t| t.name() == s || (s == "unisex" && *t == Template::Neutral))
            .ok_or_else(|| UnknownTemplate(s.to_string()))
    }
}

/// Body measurements in centimetres (chest is the bust for the female template).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Measurements {
    pub height_cm: f32,
    pub chest_cm: f32,
    pub waist_cm: f32,
    pub hips_cm: f32,
    pub inseam_cm: f32,
    pub arm_length_cm: f32,
    pub shoulder_width_cm: f32,
}

/// A measurement outside what the avatar can take; the message names the field and range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct MeasurementError {
    pub field: &'static str,
    pub message: String,
}

/// Each field with the range of adult bodies healdeck takes (cm); within it, the solver says
/// what the chosen template reaches.
pub const RANGES: [(&str, f32, f32); 7] = [
    ("height_cm", 140.0, 210.0),
    ("chest_cm", 70.0, 140.0),
    ("waist_cm", 50.0, 130.0),
    ("hips_cm", 70.0, 140.0),
    ("inseam_cm", 55.0, 100.0),
    ("arm_length_cm", 40.0, 75.0),
    ("shoulder_width_cm", 28.0, 50.0),
];

impl Measurements {
    /// The values in the order of [`RANGES`]: height, chest, waist, hips, inseam, arm length,
    /// shoulder width.
    pub fn values(&self) -> [f32; 7] {
        [
            self.height_cm,
            self.chest_cm,
            self.waist_cm,
            self.hips_cm,
            self.inseam_cm,
            self.arm_length_cm,
            self.shoulder_width_cm,
        ]
    }

    /// One line naming each value: "height 168 cm · chest 88 cm · …".
    pub fn summary(&self) -> String {
        const SHORT: [&str; 7] = [
            "height",
            "chest",
            "waist",
            "hips",
            "inseam",
            "arm",
            "shoulders",
        ];
        SHORT
            .iter()
            .zip(self.values())
            .map(|(name, v)| format!("{name} {v} cm"))
            .collect::<Vec<_>>()
            .join(" · ")
    }

    /// Checks each value against the adult range and the fields against each other; the
    /// error names the field.
    pub fn validate(&self) -> Result<(), MeasurementError> {
        let refuse =
            |field: &'static str, message: String| Err(MeasurementError { field, message });
        for ((name, lo, hi), v) in RANGES.into_iter().zip(self.values()) {
            if !v.is_finite() {
                return refuse(name, format!("{name} is not a number ({v})"));
            }
            if !(lo..=hi).contains(&v) {
                return refuse(name, format!("{name} = {v} is outside {lo}..{hi} cm"));
            }
        }
        let (h, i) = (self.height_cm, self.inseam_cm);
        if !(0.38 * h..=0.56 * h).contains(&i) {
            return refuse(
                "inseam_cm",
                format!(
                    "inseam_cm = {i} does not fit height_cm = {h}: an inseam is 38–56 % of the \
                     height ({:.0}..{:.0} cm)",
                    0.38 * h,
                    0.56 * h
                ),
            );
        }
        for (other, v) in [("hips_cm", self.hips_cm), ("chest_cm", self.chest_cm)] {
            if self.waist_cm > v + 25.0 {
                return refuse(
                    "waist_cm",
                    format!(
                        "waist_cm = {} is {:.0} cm more than {other} = {v}: at most 25 cm more",
                        self.waist_cm,
                        self.waist_cm - v
                    ),
                );
            }
        }
        if self.hips_cm > self.waist_cm + 55.0 {
            return refuse(
                "hips_cm",
                format!(
                    "hips_cm = {} is {:.0} cm more than waist_cm = {}: at most 55 cm more",
                    self.hips_cm,
                    self.hips_cm - self.waist_cm,
                    self.waist_cm
                ),
            );
        }
        Ok(())
    }
}

/// A body shaped to measurements, ready to render and dress.
pub struct Body {
    pub template: Template,
    /// What was asked for.
    pub measurements: Measurements,
    /// What a tape reads on the body (each within ±0.5 cm of the request).
    pub measured: Measurements,
    pub mesh: Mesh,
    pub skeleton: Skeleton,
    /// How long finding the body took.
    pub solve_ms: f64,
    /// The measurement furthest out of reach, if any (see [`Body::nearest`]).
    pub unreached: Option<MeasurementError>,
}

impl Body {
    /// The `template` body with `m`: the weights solved, the mesh stood on the floor.
    /// Every measurement within ±0.5 cm, or an error naming the one out of reach. The last
    /// few solves are remembered, so a garment edit does not solve the body again.
    pub fn new(template: Template, m: Measurements) -> Result<Body, MeasurementError> {
        let body = Body::nearest(template, m)?;
        match body.unreached.clone() {
            Some(e) => Err(e),
            None => Ok(body),
        }
    }

    /// The closest body the template comes to `m` (inside the adult ranges): what the editor
    /// shows while a measurement is out of reach, named in `unreached`.
    pub fn nearest(template: Template, m: Measurements) -> Result<Body, MeasurementError> {
        let asset = shipped_asset()?;
        let fit = solve_remembered(asset, template, &m)?;
        Ok(Body::from_fit(asset, template, m, fit))
    }

    /// The template's body with no measurement changed (what a tape reads on it is
    /// `measured`).
    pub fn template(template: Template) -> Result<Body, MeasurementError> {
        let asset = shipped_asset()?;
        let fit = fit::template_body(asset, template)?;
        Ok(Body::from_fit(asset, template, fit.measured, fit))
    }

    fn from_fit(asset: &BodyAsset, template: Template, m: Measurements, fit: fit::Fit) -> Body {
        // Feet on the floor, the waist's cross-section centred on x = 0 and z = 0.
        let floor = fit.levels.floor;
        let waist_z = crate::tape::cross_section(&fit.positions, &asset.quads, fit.levels.waist)
            .into_iter()
            .filter(|piece| piece.iter().any(|p| p[0] < 0.0) && piece.iter().any(|p| p[0] > 0.0))
            .flatten()
            .fold((f32::MAX, f32::MIN), |(lo, hi), p| {
                (lo.min(p[1]), hi.max(p[1]))
            });
        let shift = Vec3::new(0.0, -floor, -0.5 * (waist_z.0 + waist_z.1));
        let positions: Vec<Vec3> = fit
            .positions
            .iter()
            .map(|p| Vec3::from_array(*p) + shift)
            .collect();
        let placed: Vec<[f32; 3]> = positions.iter().map(|p| p.to_array()).collect();
        let skeleton = Skeleton::of(&placed, &asset.quads, &fit.levels.shifted(-floor));
        Body {
            template,
            measurements: m,
            measured: fit.measured,
            mesh: body_mesh(positions, &asset.quads, template),
            skeleton,
            solve_ms: fit.solve_ms,
            unreached: fit.unreached,
        }
    }
}

/// How many solved bodies are remembered.
const REMEMBERED: usize = 4;

/// [`fit::solve`], answered from the last few solves when the same body is asked again, and
/// otherwise started from the latest solve of the same template (a slider moved a little
/// settles in a sweep or two; the result is within the same tolerance either way).
fn solve_remembered(
    asset: &BodyAsset,
    template: Template,
    m: &Measurements,
) -> Result<fit::Fit, MeasurementError> {
    use std::sync::Mutex;
    type Solved = (Template, [u32; 7], fit::Fit);
    static LAST: Mutex<Vec<Solved>> = Mutex::new(Vec::new());
    let key = m.values().map(f32::to_bits);
    let hit = LAST.lock().ok().and_then(|l| {
        l.iter()
            .find(|s| s.0 == template && s.1 == key)
            .map(|s| s.2.clone())
    });
    if let Some(fit) = hit {
        return Ok(fit);
    }
    let start = LAST.lock().ok().and_then(|l| {
        l.iter()
            .rev()
            .find(|s| s.0 == template)
            .map(|s| s.2.knobs.clone())
    });
    let fit = fit::solve_from(asset, template, m, start.as_ref())?;
    if let Ok(mut l) = LAST.lock() {
        if l.len() == REMEMBERED {
            l.remove(0);
        }
        l.push((template, key, fit.clone()));
    }
    Ok(fit)
}

fn shipped_asset() -> Result<&'static BodyAsset, MeasurementError> {
    BodyAsset::shipped().map_err(|e| MeasurementError {
        field: "body",
        message: e.to_string(),
    })
}

/// The body's quads as triangles with smooth normals, in one skin material.
fn body_mesh(positions: Vec<Vec3>, quads: &[[u16; 4]], template: Template) -> Mesh {
    let indices: Vec<u32> = quads
        .iter()
        .flat_map(|q| {
            let [a, b, c, d] = q.map(u32::from);
            [a, b, c, a, c, d]
        })
        .collect();
    let n = positions.len();
    let mut mesh = Mesh {
        positions,
        normals: Vec::new(),
        uvs: vec![Vec2::ZERO; n],
        seams: vec![0.0; n],
        indices,
        materials: Vec::new(),
    };
    mesh.compute_normals();
    let count = mesh.indices.len() as u32;
    mesh.materials = vec![MaterialRange {
        name: "skin".into(),
        color: template.skin(),
        start: 0,
        count,
        fabric: 0,
        print: 0,
        print_color: [0.0; 3],
        texture: None,
        texture_repeat: 1.0,
        print_place: crate::mesh::UNPLACED,
    }];
    mesh
}

impl Body {
    /// The body as Wavefront OBJ: positions and normals in metres, one quad per face of the
    /// hm08 mesh (its data is CC0, see `assets/avatar/LICENSE.CC0.md`).
    pub fn to_obj(&self) -> String {
        use std::fmt::Write;
        let mut out = String::with_capacity(self.mesh.positions.len() * 80);
        let _ = writeln!(
            out,
            "# healdeck {} avatar: {}\n# body: MakeHuman hm08 base mesh and targets, CC0 1.0",
            self.template.name(),
            self.measurements.summary()
        );
        let _ = writeln!(out, "o {}_avatar", self.template.name());
        for p in &self.mesh.positions {
            let _ = writeln!(out, "v {:.5} {:.5} {:.5}", p.x, p.y, p.z);
        }
        for n in &self.mesh.normals {
            let _ = writeln!(out, "vn {:.4} {:.4} {:.4}", n.x, n.y, n.z);
        }
        // The mesh's triangles come in pairs, one pair per quad: a b c, a c d.
        for q in self.mesh.indices.chunks_exact(6) {
            let [a, b, c, d] = [q[0], q[1], q[2], q[5]].map(|i| i + 1);
            let _ = writeln!(out, "f {a}//{a} {b}//{b} {c}//{c} {d}//{d}");
        }
        out
    }
}

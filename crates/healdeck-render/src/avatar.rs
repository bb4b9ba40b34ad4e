//! Procedural avatars: `male`, `female`, `unisex` templates adjusted by measurements in
//! centimetres, in a neutral A-pose. No downloaded body models — the body is lofted from
//! superellipse cross-sections whose circumferences come from the measurements (MakeHuman's
//! base proportions as a sanity reference), so the garment builder can follow the same sections.
//! Units: metres, Y up, +Z facing the camera, feet on y = 0.

use super::mesh::{MaterialRange, Mesh, Ring};
use glam::Vec3;
use serde::{Deserialize, Serialize};
use std::f32::consts::PI;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Template {
    Male,
    Female,
    Unisex,
}

impl Template {
    pub const ALL: [Template; 3] = [Template::Male, Template::Female, Template::Unisex];

    pub fn name(self) -> &'static str {
        match self {
            Template::Male => "male",
            Template::Female => "female",
            Template::Unisex => "unisex",
        }
    }

    pub fn defaults(self) -> Measurements {
        match self {
            Template::Male => Measurements {
                height_cm: 178.0,
                chest_cm: 100.0,
                waist_cm: 84.0,
                hips_cm: 98.0,
                inseam_cm: 82.0,
                arm_length_cm: 60.0,
                shoulder_width_cm: 46.0,
            },
            Template::Female => Measurements {
                height_cm: 166.0,
                chest_cm: 92.0,
                waist_cm: 72.0,
                hips_cm: 100.0,
                inseam_cm: 77.0,
                arm_length_cm: 56.0,
                shoulder_width_cm: 39.0,
            },
            Template::Unisex => Measurements {
                height_cm: 172.0,
                chest_cm: 96.0,
                waist_cm: 80.0,
                hips_cm: 98.0,
                inseam_cm: 80.0,
                arm_length_cm: 58.0,
                shoulder_width_cm: 43.0,
            },
        }
    }

    /// Skin tone used for the body (linear RGB).
    pub fn skin(self) -> [f32; 3] {
        match self {
            Template::Male => [0.50, 0.33, 0.24],
            Template::Female => [0.60, 0.42, 0.33],
            Template::Unisex => [0.55, 0.38, 0.29],
        }
    }
}

/// An avatar name that is not one of the templates.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown avatar '{0}' (expected male, female or unisex)")]
pub struct UnknownTemplate(pub String);

impl std::str::FromStr for Template {
    type Err = UnknownTemplate;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Template::ALL
            .into_iter()
            .find(|t| t.name() == s)
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

impl Measurements {
    /// Checks each value against a plausible adult range; the error names the field.
    pub fn validate(&self) -> Result<(), MeasurementError> {
        let checks = [
            ("height_cm", self.height_cm, 120.0, 230.0),
            ("chest_cm", self.chest_cm, 60.0, 160.0),
            ("waist_cm", self.waist_cm, 50.0, 160.0),
            ("hips_cm", self.hips_cm, 60.0, 170.0),
            ("inseam_cm", self.inseam_cm, 50.0, 110.0),
            ("arm_length_cm", self.arm_length_cm, 40.0, 85.0),
            ("shoulder_width_cm", self.shoulder_width_cm, 28.0, 65.0),
        ];
        for (name, v, lo, hi) in checks {
            if !(lo..=hi).contains(&v) {
                return Err(MeasurementError {
                    field: name,
                    message: format!("{name} = {v} is outside {lo}..{hi} cm"),
                });
            }
        }
        if self.inseam_cm > self.height_cm * 0.56 {
            return Err(MeasurementError {
                field: "inseam_cm",
                message: format!(
                    "inseam_cm = {} is too long for height_cm = {}",
                    self.inseam_cm, self.height_cm
                ),
            });
        }
        Ok(())
    }
}

/// The body's cross-sections, shared with the garment builder.
#[derive(Debug, Clone)]
pub struct Skeleton {
    /// Torso rings from below the crotch to the neck base.
    pub torso: Vec<Ring>,
    /// Heights (m) of the torso rings' named levels.
    pub crotch_y: f32,
    pub hip_y: f32,
    pub waist_y: f32,
    pub chest_y: f32,
    pub shoulder_y: f32,
    pub neck_y: f32,
    /// Arm rings from shoulder to wrist, [left (+X), right (-X)].
    pub arms: [Vec<Ring>; 2],
    /// Leg rings from hip to ankle, [left, right].
    pub legs: [Vec<Ring>; 2],
    pub head_center: Vec3,
    pub head_radii: Vec3,
}

pub struct Body {
    pub template: Template,
    pub measurements: Measurements,
    pub mesh: Mesh,
    pub skeleton: Skeleton,
}

/// Semi-axis `a` of an ellipse with circumference `c` and aspect `k = b / a` (Ramanujan).
pub(crate) fn semi_axis(c: f32, k: f32) -> f32 {
    c / (PI * (3.0 * (1.0 + k) - ((3.0 + k) * (1.0 + 3.0 * k)).sqrt()))
}

fn ring_h(y: f32, z: f32, circ_m: f32, k: f32, n: f32) -> Ring {
    let a = semi_axis(circ_m, k);
    Ring {
        center: Vec3::new(0.0, y, z),
        u: Vec3::X,
        v: Vec3::Z,
        a,
        b: a * k,
        n,
    }
}

/// A ring frame perpendicular to direction `d`, with `u` as close to +X as possible.
pub fn frame(d: Vec3) -> (Vec3, Vec3) {
    let d = d.normalize_or(Vec3::NEG_Y);
    let reference = if d.dot(Vec3::Z).abs() > 0.9 {
        Vec3::Y
    } else {
        Vec3::Z
    };
    let v = (reference - d * reference.dot(d)).normalize_or(Vec3::Z);
    let u = v.cross(d).normalize_or(Vec3::X);
    (u, v)
}

fn limb(points: &[(Vec3, f32, f32)], k: f32, n: f32) -> Vec<Ring> {
    let last = points.len() - 1;
    points
        .iter()
        .enumerate()
        .map(|(i, &(c, circ, _))| {
            let d = if i < last {
                points[i + 1].0 - c
            } else {
                c - points[i - 1].0
            };
            let (u, v) = frame(d);
            let a = semi_axis(circ, k);
            Ring {
                center: c,
                u,
                v,
                a,
                b: a * k,
                n,
            }
        })
        .collect()
}

/// Heights and widths derived from the measurements (metres), shared by the torso, legs and
/// arms.
struct Proportions {
    height: f32,
    female: bool,
    crotch_y: f32,
    hip_y: f32,
    waist_y: f32,
    chest_y: f32,
    armpit_y: f32,
    shoulder_y: f32,
    neck_y: f32,
    /// Half the shoulder width, where the arms hang from.
    shoulder_half: f32,
}

fn cm(v: f32) -> f32 {
    v / 100.0
}

impl Proportions {
    fn of(template: Template, m: &Measurements) -> Proportions {
        let h = m.height_cm / 100.0;
        let female = template == Template::Female;
        let crotch_y = cm(m.inseam_cm);
        Proportions {
            height: h,
            female,
            crotch_y,
            hip_y: (0.52 * h).max(crotch_y + 0.07),
            waist_y: if female { 0.62 * h } else { 0.60 * h },
            chest_y: 0.72 * h,
            armpit_y: 0.765 * h,
            shoulder_y: 0.815 * h,
            neck_y: 0.838 * h,
            shoulder_half: cm(m.shoulder_width_cm) * 0.5 * 0.90,
        }
    }

    /// Cross-sections from below the crotch up to the neck.
    fn torso_rings(&self, m: &Measurements) -> Vec<Ring> {
        let female = self.female;
        let (crotch_y, hip_y, waist_y) = (self.crotch_y, self.hip_y, self.waist_y);
        let neck_c = cm(m.chest_cm) * if female { 0.36 } else { 0.39 };
        let bust_z = if female { 0.018 } else { 0.0 };
        let chest_k = if female { 0.78 } else { 0.66 };
        vec![
            ring_h(crotch_y - 0.03, 0.0, cm(m.hips_cm) * 0.55, 0.75, 2.2),
            ring_h(crotch_y, 0.0, cm(m.hips_cm) * 0.86, 0.74, 2.3),
            ring_h(hip_y, 0.0, cm(m.hips_cm), 0.72, 2.3),
            ring_h(
                (hip_y + waist_y) / 2.0,
                0.0,
                (cm(m.hips_cm) + cm(m.waist_cm)) / 2.0,
                0.74,
                2.2,
            ),
            ring_h(
                waist_y,
                0.0,
                cm(m.waist_cm),
                if female { 0.74 } else { 0.78 },
                2.2,
            ),
            ring_h(self.chest_y, bust_z, cm(m.chest_cm), chest_k, 2.4),
            ring_h(
                self.armpit_y,
                bust_z * 0.4,
                cm(m.chest_cm) * 0.97,
                chest_k * 0.95,
                2.6,
            ),
            Ring {
                center: Vec3::new(0.0, self.shoulder_y, 0.0),
                u: Vec3::X,
                v: Vec3::Z,
                a: self.shoulder_half,
                b: semi_axis(cm(m.chest_cm), chest_k) * chest_k * 0.78,
                n: 3.2,
            },
            ring_h(self.neck_y, -0.01, neck_c * 1.35, 0.85, 2.2),
            ring_h(self.neck_y + 0.012, -0.01, neck_c * 1.05, 0.92, 2.0),
        ]
    }

    /// One leg (`side` = 1 left, -1 right): from inside the pelvis to the ankle, feet slightly
    /// apart.
    fn leg_rings(&self, m: &Measurements, side: f32) -> Vec<Ring> {
        let (h, crotch_y) = (self.height, self.crotch_y);
        let hips = cm(m.hips_cm);
        let hip_half = semi_axis(hips, 0.72);
        let x0 = side * hip_half * 0.48;
        let x1 = side * (hip_half * 0.48 + 0.035);
        let at = |y: f32| {
            x0 + (x1 - x0) * ((crotch_y + 0.06 - y) / (crotch_y + 0.06 - 0.07)).clamp(0.0, 1.0)
        };
        let knee_y = 0.285 * h;
        let mid_thigh = (crotch_y + knee_y) / 2.0;
        let pts = [
            (
                Vec3::new(at(crotch_y + 0.06), crotch_y + 0.06, 0.0),
                hips * 0.60,
                0.0,
            ),
            (
                Vec3::new(at(crotch_y - 0.02), crotch_y - 0.02, 0.0),
                hips * 0.58,
                0.0,
            ),
            (Vec3::new(at(mid_thigh), mid_thigh, 0.005), hips * 0.48, 0.0),
            (Vec3::new(at(knee_y), knee_y, 0.01), hips * 0.38, 0.0),
            (Vec3::new(at(0.2 * h), 0.2 * h, -0.005), hips * 0.37, 0.0),
            (Vec3::new(at(0.085), 0.085, 0.0), hips * 0.23, 0.0),
            (Vec3::new(x1, 0.06, 0.0), hips * 0.24, 0.0),
        ];
        limb(&pts, 0.9, 2.0)
    }

    /// One arm in a neutral A-pose, ~28 degrees from the body.
    fn arm_rings(&self, m: &Measurements, side: f32) -> Vec<Ring> {
        let ch = cm(m.chest_cm);
        let upper = cm(m.arm_length_cm) * 0.54;
        let fore = cm(m.arm_length_cm) * 0.46;
        let root = Vec3::new(
            side * (self.shoulder_half - 0.035),
            self.shoulder_y - 0.035,
            -0.005,
        );
        let angle = 28f32.to_radians();
        let dir = Vec3::new(side * angle.sin(), -angle.cos(), 0.0);
        let elbow = root + dir * upper;
        let fdir = (dir + Vec3::new(0.0, 0.0, 0.08)).normalize();
        let wrist = elbow + fdir * fore;
        let pts = [
            (root, ch * 0.36, 0.0),
            (root + dir * (upper * 0.25), ch * 0.32, 0.0),
            (root + dir * (upper * 0.6), ch * 0.29, 0.0),
            (elbow, ch * 0.255, 0.0),
            (elbow + fdir * (fore * 0.3), ch * 0.265, 0.0),
            (wrist, ch * 0.165, 0.0),
        ];
        limb(&pts, 0.88, 2.0)
    }
}

impl Body {
    pub fn new(template: Template, m: Measurements) -> Result<Body, MeasurementError> {
        m.validate()?;
        let p = Proportions::of(template, &m);
        let h = p.height;
        let torso = p.torso_rings(&m);
        let mut legs: [Vec<Ring>; 2] = [Vec::new(), Vec::new()];
        let mut arms: [Vec<Ring>; 2] = [Vec::new(), Vec::new()];
        for (i, side) in [1.0f32, -1.0].into_iter().enumerate() {
            legs[i] = p.leg_rings(&m, side);
            arms[i] = p.arm_rings(&m, side);
        }
        let (crotch_y, hip_y, waist_y, chest_y, shoulder_y, neck_y) = (
            p.crotch_y,
            p.hip_y,
            p.waist_y,
            p.chest_y,
            p.shoulder_y,
            p.neck_y,
        );
        let head_radii = Vec3::new(0.078, 0.115, 0.098) * (h / 1.75);
        let head_center = Vec3::new(0.0, h - head_radii.y, 0.01);
        let skeleton = Skeleton {
            torso,
            crotch_y,
            hip_y,
            waist_y,
            chest_y,
            shoulder_y,
            neck_y,
            arms,
            legs,
            head_center,
            head_radii,
        };
        let mesh = body_mesh(&skeleton, template, h);
        Ok(Body {
            template,
            measurements: m,
            mesh,
            skeleton,
        })
    }
}

fn body_mesh(s: &Skeleton, template: Template, h: f32) -> Mesh {
    let none = |_: usize, _: f32| 0.0;
    let mut body = Mesh::default();
    body.append(&Mesh::loft(&s.torso, 48, true, none, none));
    // Neck into the head.
    let neck_c = s.torso[s.torso.len() - 1];
    let neck = vec![
        Ring {
            center: neck_c.center - Vec3::Y * 0.02,
            ..neck_c
        },
        Ring {
            center: s.head_center - Vec3::Y * s.head_radii.y * 0.55 + Vec3::Z * -0.015,
            ..neck_c
        },
    ];
    body.append(&Mesh::loft(&neck, 24, true, none, none));
    // Head: an ellipsoid lofted pole to pole.
    let rings: Vec<Ring> = (1..24)
        .map(|i| {
            let phi = PI * i as f32 / 24.0;
            let r = phi.sin();
            Ring {
                center: s.head_center + Vec3::Y * (s.head_radii.y * phi.cos()) * -1.0,
                u: Vec3::X,
                v: Vec3::Z,
                a: (s.head_radii.x * r).max(1e-3),
                b: (s.head_radii.z * r).max(1e-3),
                n: 2.0,
            }
        })
        .collect();
    body.append(&Mesh::loft(&rings, 32, true, none, none));
    for i in 0..2 {
        body.append(&Mesh::loft(&s.legs[i], 24, true, none, none));
        body.append(&Mesh::loft(&s.arms[i], 20, true, none, none));
        // Foot: from the heel forward.
        let ankle = s.legs[i][s.legs[i].len() - 1].center;
        let scale = h / 1.75;
        let foot: Vec<Ring> = [
            (-0.035, 0.040, 0.035),
            (0.03, 0.046, 0.030),
            (0.11, 0.048, 0.022),
            (0.19, 0.040, 0.014),
        ]
        .iter()
        .map(|&(z, a, b)| Ring {
            center: Vec3::new(ankle.x, 0.03 * scale + b * 0.3, z * scale),
            u: Vec3::X,
            v: Vec3::Y,
            a: a * scale * 0.9,
            b: b * scale,
            n: 2.4,
        })
        .collect();
        body.append(&Mesh::loft(&foot, 16, true, none, none));
        // Hand: a flattened paddle continuing the forearm.
        let arm = &s.arms[i];
        let wrist = arm[arm.len() - 1];
        let d = (wrist.center - arm[arm.len() - 2].center).normalize();
        let hand: Vec<Ring> = [
            (0.0, 0.032, 0.016),
            (0.07, 0.043, 0.018),
            (0.13, 0.040, 0.014),
            (0.18, 0.028, 0.010),
        ]
        .iter()
        .map(|&(t, a, b)| Ring {
            center: wrist.center + d * t * (h / 1.75),
            a: a * (h / 1.75),
            b: b * (h / 1.75),
            n: 2.2,
            ..wrist
        })
        .collect();
        body.append(&Mesh::loft(&hand, 16, true, none, none));
    }
    let count = body.indices.len() as u32;
    body.materials = vec![MaterialRange {
        name: "skin".into(),
        color: template.skin(),
        start: 0,
        count,
        fabric: 0,
        print: 0,
        print_color: [0.0; 3],
        texture: None,
        texture_repeat: 1.0,
    }];
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_are_watertight_finite_and_plausible() {
        for t in Template::ALL {
            let b = Body::new(t, t.defaults()).expect("valid defaults");
            assert!(b.mesh.is_finite(), "{t:?}");
            let (lo, hi) = b.mesh.bounds().expect("bounds");
            let height = hi.y - lo.y;
            assert!(
                (height - t.defaults().height_cm / 100.0).abs() < 0.03,
                "{t:?} height {height}"
            );
            let width = hi.x - lo.x;
            assert!((0.8..1.4).contains(&width), "{t:?} A-pose span {width}");
            assert!(lo.y.abs() < 0.02, "feet on the ground: {}", lo.y);
            // Every part is closed: the whole union is watertight part by part.
            assert!(b.mesh.is_watertight(), "{t:?} not watertight");
            assert_eq!(b.mesh.normals.len(), b.mesh.positions.len());
            assert_eq!(b.mesh.uvs.len(), b.mesh.positions.len());
        }
    }

    #[test]
    fn measurements_change_the_body_and_bad_ones_are_named() {
        let base = Body::new(Template::Male, Template::Male.defaults()).expect("ok");
        let mut wide = Template::Male.defaults();
        wide.waist_cm = 110.0;
        let w = Body::new(Template::Male, wide).expect("ok");
        let waist = |b: &Body| b.skeleton.torso[4].a;
        assert!(waist(&w) > waist(&base) * 1.2);
        let mut bad = Template::Female.defaults();
        bad.height_cm = 300.0;
        let e = Body::new(Template::Female, bad).err().expect("refused");
        assert!(e.to_string().contains("height_cm = 300"), "{e}");
        assert_eq!("unisex".parse::<Template>(), Ok(Template::Unisex));
        assert!("robot".parse::<Template>().is_err());
    }

    #[test]
    fn circumference_round_trips() {
        let a = semi_axis(1.0, 0.7);
        let b = a * 0.7;
        let c = PI * (3.0 * (a + b) - ((3.0 * a + b) * (a + 3.0 * b)).sqrt());
        assert!((c - 1.0).abs() < 1e-4);
    }
}

//! Parametric garments: a JSON spec (type, fit, lengths, neckline, fabric, color, print) turned
//! into meshes built around the chosen avatar's own cross-sections. Every garment ring is the
//! body ring at the same place grown by the fit's ease plus a clearance, so at default fits the
//! body cannot poke through; folds are outward-only procedural displacement; hems and side
//! seams carry a seam mask the shader draws as stitching.

use super::avatar::{Body, Skeleton};
use super::mesh::{MaterialRange, Mesh, Ring};
use glam::Vec3;
use serde::{Deserialize, Serialize};
use std::f32::consts::PI;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GarmentType {
    Tshirt,
    Shirt,
    Dress,
    Skirt,
    Pants,
    Shorts,
    Jacket,
    Hoodie,
}

impl GarmentType {
    pub const ALL: [GarmentType; 8] = [
        GarmentType::Tshirt,
        GarmentType::Shirt,
        GarmentType::Dress,
        GarmentType::Skirt,
        GarmentType::Pants,
        GarmentType::Shorts,
        GarmentType::Jacket,
        GarmentType::Hoodie,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fit {
    Tight,
    Regular,
    Loose,
}

impl Fit {
    /// Ease as a fraction of the body circumference, and the fold depth it allows (m).
    fn ease(self) -> (f32, f32) {
        match self {
            Fit::Tight => (0.03, 0.002),
            Fit::Regular => (0.09, 0.006),
            Fit::Loose => (0.20, 0.014),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fabric {
    Cotton,
    Denim,
    Silk,
    Leather,
    Knit,
    Linen,
}

impl Fabric {
    pub const ALL: [Fabric; 6] = [
        Fabric::Cotton,
        Fabric::Denim,
        Fabric::Silk,
        Fabric::Leather,
        Fabric::Knit,
        Fabric::Linen,
    ];

    /// The shader's fabric model id.
    pub fn id(self) -> u32 {
        match self {
            Fabric::Cotton => 1,
            Fabric::Denim => 2,
            Fabric::Silk => 3,
            Fabric::Leather => 4,
            Fabric::Knit => 5,
            Fabric::Linen => 6,
        }
    }

    /// Cloth thickness (m): leather and denim stand further off the body.
    fn thickness(self) -> f32 {
        match self {
            Fabric::Leather | Fabric::Denim => 0.006,
            Fabric::Knit => 0.005,
            _ => 0.003,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Neckline {
    Crew,
    V,
    Scoop,
    Collar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SleeveLength {
    None,
    Short,
    Elbow,
    ThreeQuarter,
    Long,
}

impl SleeveLength {
    fn fraction(self) -> f32 {
        match self {
            SleeveLength::None => 0.0,
            SleeveLength::Short => 0.3,
            SleeveLength::Elbow => 0.55,
            SleeveLength::ThreeQuarter => 0.75,
            SleeveLength::Long => 1.0,
        }
    }
}

/// A print over the base color.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Print {
    Stripes {
        color: String,
    },
    Checks {
        color: String,
    },
    Dots {
        color: String,
    },
    /// An image file (PNG, JPEG…) repeated `repeat` times around the garment.
    Image {
        path: String,
        #[serde(default = "default_repeat")]
        repeat: f32,
    },
}

/// A garment as a designer describes it (JSON, see `assets/garments/*.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GarmentSpec {
    #[serde(rename = "type")]
    pub kind: GarmentType,
    #[serde(default = "default_fit")]
    pub fit: Fit,
    /// Defaults by type (short for t-shirts, long for shirts, jackets, hoodies; none for dresses).
    #[serde(default)]
    pub sleeve_length: Option<SleeveLength>,
    /// Hem position: 0 = at the waist (tops) / hip (bottoms), 1 = longest for the type.
    #[serde(default = "default_length")]
    pub length: f32,
    #[serde(default = "default_neckline")]
    pub neckline: Neckline,
    #[serde(default = "default_fabric")]
    pub fabric: Fabric,
    /// Base color as `#rrggbb`.
    #[serde(default = "default_color")]
    pub color: String,
    #[serde(default)]
    pub print: Option<Print>,
}

fn default_repeat() -> f32 {
    4.0
}
fn default_fit() -> Fit {
    Fit::Regular
}
fn default_length() -> f32 {
    0.5
}
fn default_neckline() -> Neckline {
    Neckline::Crew
}
fn default_fabric() -> Fabric {
    Fabric::Cotton
}
fn default_color() -> String {
    "#3b6ea5".into()
}

/// `#rrggbb` → linear RGB.
pub fn parse_color(s: &str) -> Result<[f32; 3], String> {
    let hex = s.strip_prefix('#').unwrap_or(s);
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(format!("color '{s}' is not #rrggbb"));
    }
    let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|e| e.to_string());
    let srgb = [c(0)?, c(2)?, c(4)?];
    Ok(srgb.map(|v| {
        let x = f32::from(v) / 255.0;
        if x <= 0.04045 {
            x / 12.92
        } else {
            ((x + 0.055) / 1.055).powf(2.4)
        }
    }))
}

impl GarmentSpec {
    /// Parses a spec; errors name the line and column (serde) or the field.
    pub fn from_json(text: &str) -> Result<GarmentSpec, String> {
        let spec: GarmentSpec = serde_json::from_str(text).map_err(|e| e.to_string())?;
        spec.validate()?;
        Ok(spec)
    }

    pub fn validate(&self) -> Result<(), String> {
        if !(0.0..=1.0).contains(&self.length) || !self.length.is_finite() {
            return Err(format!("length = {} must be between 0 and 1", self.length));
        }
        parse_color(&self.color).map_err(|e| format!("color: {e}"))?;
        match &self.print {
            Some(Print::Stripes { color } | Print::Checks { color } | Print::Dots { color }) => {
                parse_color(color).map_err(|e| format!("print.color: {e}"))?;
            }
            Some(Print::Image { path, .. }) if path.trim().is_empty() => {
                return Err("print.path is empty".into());
            }
            Some(Print::Image { .. }) | None => {}
        }
        Ok(())
    }

    pub fn sleeves(&self) -> SleeveLength {
        self.sleeve_length.unwrap_or(match self.kind {
            GarmentType::Tshirt => SleeveLength::Short,
            GarmentType::Dress | GarmentType::Skirt | GarmentType::Pants | GarmentType::Shorts => {
                SleeveLength::None
            }
            _ => SleeveLength::Long,
        })
    }

    /// The print id, print color and texture for the shader.
    #[allow(clippy::type_complexity)]
    fn print_params(
        &self,
        base_dir: Option<&std::path::Path>,
    ) -> Result<(u32, [f32; 3], Option<std::sync::Arc<image::RgbaImage>>, f32), String> {
        Ok(match &self.print {
            None => (0, [0.0; 3], None, 1.0),
            Some(Print::Stripes { color }) => (1, parse_color(color)?, None, 1.0),
            Some(Print::Checks { color }) => (2, parse_color(color)?, None, 1.0),
            Some(Print::Dots { color }) => (3, parse_color(color)?, None, 1.0),
            Some(Print::Image { path, repeat }) => {
                let p = base_dir.map_or_else(|| std::path::PathBuf::from(path), |d| d.join(path));
                let tex = super::mesh::load_texture(&p).map_err(|e| format!("print image {e}"))?;
                (4, [1.0; 3], Some(tex), repeat.clamp(0.1, 100.0))
            }
        })
    }

    /// Builds the garment mesh around `body`.
    pub fn build(&self, body: &Body, base_dir: Option<&std::path::Path>) -> Result<Mesh, String> {
        self.validate()?;
        let s = &body.skeleton;
        let (ease, fold) = self.fit.ease();
        let clearance = 0.008 + self.fabric.thickness();
        let mut parts = Mesh::default();
        let kind = self.kind;
        let top = matches!(
            kind,
            GarmentType::Tshirt
                | GarmentType::Shirt
                | GarmentType::Jacket
                | GarmentType::Hoodie
                | GarmentType::Dress
        );
        let fold_amp = fold
            * if matches!(self.fabric, Fabric::Leather | Fabric::Denim) {
                0.6
            } else {
                1.0
            };
        if top {
            let hem_y = match kind {
                GarmentType::Dress => s.hip_y,
                GarmentType::Jacket | GarmentType::Hoodie => {
                    s.crotch_y + 0.02 + (s.hip_y - s.crotch_y) * (1.0 - self.length)
                }
                _ => s.waist_y - (s.waist_y - s.crotch_y) * (0.45 + 0.55 * self.length),
            };
            let neck_drop = match self.neckline {
                Neckline::Crew | Neckline::Collar => 0.0,
                Neckline::Scoop => 0.05,
                Neckline::V => 0.03,
            };
            parts.append(&torso(
                s,
                hem_y,
                ease,
                clearance,
                fold_amp,
                neck_drop,
                self.neckline,
            ));
            let sleeve = self.sleeves().fraction();
            if sleeve > 0.0 {
                for arm in &s.arms {
                    parts.append(&limb_tube(
                        arm,
                        sleeve,
                        ease * 1.2 + 0.04,
                        clearance,
                        fold_amp,
                    ));
                }
            }
            if self.neckline == Neckline::Collar || kind == GarmentType::Jacket {
                parts.append(&collar(s, clearance));
            }
            if kind == GarmentType::Hoodie {
                parts.append(&hood(s, clearance));
            }
        }
        if kind == GarmentType::Dress || kind == GarmentType::Skirt {
            // Hem from mid-thigh (length 0) down to just above the ankle (length 1).
            let knee = s.legs[0][3].center.y;
            let mid_thigh = s.hip_y - (s.hip_y - knee) * 0.45;
            let ankle = s.legs[0][s.legs[0].len() - 1].center.y + 0.04;
            let hem_y = mid_thigh - (mid_thigh - ankle) * self.length;
            let top_y = if kind == GarmentType::Dress {
                s.hip_y
            } else {
                s.waist_y
            };
            parts.append(&skirt(s, top_y, hem_y, ease, clearance, fold_amp.max(0.01)));
        }
        if kind == GarmentType::Pants || kind == GarmentType::Shorts {
            let frac = if kind == GarmentType::Pants {
                0.78 + 0.22 * self.length
            } else {
                0.2 + 0.3 * self.length
            };
            parts.append(&waistband(s, ease, clearance));
            for leg in &s.legs {
                parts.append(&limb_tube(
                    leg,
                    frac,
                    ease + 0.05,
                    clearance + 0.002,
                    fold_amp,
                ));
            }
        }
        let (print, print_color, texture, texture_repeat) = self.print_params(base_dir)?;
        let count = parts.indices.len() as u32;
        parts.materials = vec![MaterialRange {
            name: format!("{kind:?}").to_lowercase(),
            color: parse_color(&self.color)?,
            start: 0,
            count,
            fabric: self.fabric.id(),
            print,
            print_color,
            texture,
            texture_repeat,
        }];
        Ok(parts)
    }
}

/// Interpolates the body's torso ring at height `y`.
pub fn torso_ring_at(s: &Skeleton, y: f32) -> Ring {
    let t = &s.torso;
    if y <= t[0].center.y {
        return t[0];
    }
    for w in t.windows(2) {
        if y <= w[1].center.y {
            let f = (y - w[0].center.y) / (w[1].center.y - w[0].center.y).max(1e-6);
            return Ring {
                center: w[0].center.lerp(w[1].center, f),
                u: w[0].u,
                v: w[0].v,
                a: w[0].a + (w[1].a - w[0].a) * f,
                b: w[0].b + (w[1].b - w[0].b) * f,
                n: w[0].n + (w[1].n - w[0].n) * f,
            };
        }
    }
    t[t.len() - 1]
}

fn grow(r: Ring, ease: f32, clearance: f32) -> Ring {
    Ring {
        a: r.a * (1.0 + ease) + clearance,
        b: r.b * (1.0 + ease) + clearance,
        ..r
    }
}

/// Outward-only folds: long soft waves that deepen towards the hem.
fn folds(amp: f32, along: f32, t: f32, phase: f32) -> f32 {
    let w = (t * 7.0 + phase).sin() * 0.6 + (t * 13.0 + phase * 1.7).sin() * 0.4;
    amp * along * (0.5 + 0.5 * w)
}

/// A seam (stitched hem) on one ring only: the open edge of a sleeve, collar or hood.
fn seam_at(ring: usize) -> impl Fn(usize, f32) -> f32 {
    move |ri, _| f32::from(u8::from(ri == ring))
}

fn seam_mask(rings: usize) -> impl Fn(usize, f32) -> f32 {
    move |ri: usize, t: f32| {
        let side = ((t - PI * 0.5).abs() < 0.04 || (t - PI * 1.5).abs() < 0.04) as u8 as f32;
        let hem = (ri == 0 || ri + 1 == rings) as u8 as f32;
        side.max(hem)
    }
}

fn torso(
    s: &Skeleton,
    hem_y: f32,
    ease: f32,
    clearance: f32,
    fold: f32,
    neck_drop: f32,
    neckline: Neckline,
) -> Mesh {
    let top_y = s.neck_y - 0.005;
    let n = 14;
    let mut rings: Vec<Ring> = (0..=n)
        .map(|i| {
            let y = hem_y + (top_y - hem_y) * i as f32 / n as f32;
            grow(torso_ring_at(s, y), ease, clearance)
        })
        .collect();
    // The neckline: the top ring narrows to the neck and drops at the front for V and scoop.
    if let Some(last) = rings.last_mut() {
        last.center.z += 0.005;
        last.center.y -= neck_drop * 0.5;
        if neckline == Neckline::V || neckline == Neckline::Scoop {
            last.b *= 0.95;
        }
    }
    let count = rings.len();
    let hem_roll = 0.004;
    Mesh::loft(&rings, 56, false, seam_mask(count), move |ri, t| {
        let along = 1.0 - ri as f32 / (count - 1) as f32;
        folds(fold, along * along, t, 0.3) + if ri == 0 { hem_roll } else { 0.0 }
    })
}

fn limb_tube(rings: &[Ring], fraction: f32, ease: f32, clearance: f32, fold: f32) -> Mesh {
    // Rings along the limb up to `fraction` of its length, interpolated.
    let total: f32 = rings
        .windows(2)
        .map(|w| (w[1].center - w[0].center).length())
        .sum();
    let end = total * fraction.clamp(0.05, 1.0);
    let mut out = Vec::new();
    let mut walked = 0.0;
    out.push(rings[0]);
    for w in rings.windows(2) {
        let len = (w[1].center - w[0].center).length();
        if walked + len >= end {
            let f = (end - walked) / len.max(1e-6);
            out.push(Ring {
                center: w[0].center.lerp(w[1].center, f),
                a: w[0].a + (w[1].a - w[0].a) * f,
                b: w[0].b + (w[1].b - w[0].b) * f,
                ..w[1]
            });
            break;
        }
        out.push(w[1]);
        walked += len;
    }
    // Subdivide for smooth folds.
    let mut fine = Vec::new();
    for w in out.windows(2) {
        for k in 0..4 {
            let f = k as f32 / 4.0;
            fine.push(Ring {
                center: w[0].center.lerp(w[1].center, f),
                a: w[0].a + (w[1].a - w[0].a) * f,
                b: w[0].b + (w[1].b - w[0].b) * f,
                ..w[0]
            });
        }
    }
    if let Some(last) = out.last() {
        fine.push(*last);
    }
    let grown: Vec<Ring> = fine.iter().map(|r| grow(*r, ease, clearance)).collect();
    let count = grown.len();
    Mesh::loft(&grown, 28, false, seam_at(count - 1), move |ri, t| {
        let along = ri as f32 / (count - 1) as f32;
        folds(fold * 0.8, along, t, 1.1) + if ri + 1 == count { 0.003 } else { 0.0 }
    })
}

fn skirt(s: &Skeleton, top_y: f32, hem_y: f32, ease: f32, clearance: f32, fold: f32) -> Mesh {
    // From the top ring, a cone that clears both legs and flares towards the hem.
    let top = grow(torso_ring_at(s, top_y), ease, clearance);
    let legs_span = s
        .legs
        .iter()
        .flat_map(|l| l.iter())
        .filter(|r| r.center.y >= hem_y)
        .map(|r| r.center.x.abs() + r.a)
        .fold(0.0f32, f32::max);
    let n = 12;
    let rings: Vec<Ring> = (0..=n)
        .map(|i| {
            let f = i as f32 / n as f32; // 0 at the hem
            let y = hem_y + (top_y - hem_y) * f;
            let body = grow(torso_ring_at(s, y.max(s.crotch_y + 0.01)), ease, clearance);
            let flare = 1.0 + 0.35 * (1.0 - f);
            let a = body.a.max(legs_span + clearance + 0.02).max(top.a) * flare;
            let b = body.b.max(top.b) * flare + if y < s.crotch_y { 0.03 } else { 0.0 };
            Ring {
                center: Vec3::new(0.0, y, body.center.z),
                a,
                b,
                ..body
            }
        })
        .collect();
    let count = rings.len();
    Mesh::loft(&rings, 64, false, seam_mask(count), move |ri, t| {
        let along = 1.0 - ri as f32 / (count - 1) as f32;
        folds(fold * 2.5, along, t, 0.0) + if ri == 0 { 0.004 } else { 0.0 }
    })
}

fn waistband(s: &Skeleton, ease: f32, clearance: f32) -> Mesh {
    let n = 8;
    let rings: Vec<Ring> = (0..=n)
        .map(|i| {
            let y = s.crotch_y - 0.035 + (s.waist_y - (s.crotch_y - 0.035)) * i as f32 / n as f32;
            grow(torso_ring_at(s, y), ease * 0.5, clearance + 0.002)
        })
        .collect();
    let count = rings.len();
    Mesh::loft(
        &rings,
        56,
        true,
        move |ri, _| (ri + 1 == count || ri + 2 == count) as u8 as f32,
        |_, _| 0.0,
    )
}

fn collar(s: &Skeleton, clearance: f32) -> Mesh {
    let base = torso_ring_at(s, s.neck_y);
    let rings: Vec<Ring> = [(0.0, 1.25), (0.02, 1.12), (0.035, 1.05)]
        .iter()
        .map(|&(dy, k)| Ring {
            center: base.center + Vec3::Y * dy + Vec3::Z * 0.004,
            a: base.a * k * 0.62 + clearance,
            b: base.b * k * 0.75 + clearance,
            n: 2.0,
            ..base
        })
        .collect();
    Mesh::loft(&rings, 40, false, seam_at(2), |_, _| 0.0)
}

fn hood(s: &Skeleton, clearance: f32) -> Mesh {
    // A shell around the back of the head, set back so the face comes through its front.
    let c = s.head_center;
    let r = s.head_radii + Vec3::splat(clearance + 0.02);
    let rings: Vec<Ring> = (1..=12)
        .map(|i| {
            let phi = PI * 0.82 * i as f32 / 12.0;
            let y = c.y + r.y * 1.1 * phi.cos();
            Ring {
                center: Vec3::new(c.x, y, c.z - r.z * 0.45),
                u: Vec3::X,
                v: Vec3::Z,
                a: (r.x * 1.08 * phi.sin()).max(0.015),
                b: (r.z * 0.95 * phi.sin()).max(0.015),
                n: 2.0,
            }
        })
        .collect();
    let count = rings.len();
    Mesh::loft(&rings, 36, false, seam_at(count - 1), |_, _| 0.0)
}

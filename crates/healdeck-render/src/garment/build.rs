//! Building a garment's mesh around a body: the torso and sleeves of a top, the skirt of a
//! dress or skirt, the waistband and legs of trousers, collar and hood, each a ring of the
//! body's own cross-sections grown by the fit's ease and a clearance, with outward folds and
//! a seam mask; then one material range for the whole garment.

use super::{Fabric, GarmentError, GarmentSpec, GarmentType, Neckline, invalid, parse_color};
use crate::avatar::{Body, Skeleton};
use crate::mesh::{MaterialRange, Mesh, Ring};
use glam::Vec3;
use std::f32::consts::PI;
use std::path::Path;

/// What every part of one garment shares: how far it stands off the body and folds.
struct Shape {
    ease: f32,
    clearance: f32,
    fold: f32,
}

impl GarmentSpec {
    /// Builds the garment mesh around `body`; `base_dir` resolves an image print's path.
    pub fn build(&self, body: &Body, base_dir: Option<&Path>) -> Result<Mesh, GarmentError> {
        self.validate()?;
        let s = &body.skeleton;
        let (ease, fold) = self.fit.ease();
        let fold_scale = if matches!(self.fabric, Fabric::Leather | Fabric::Denim) {
            0.6
        } else {
            1.0
        };
        let shape = Shape {
            ease,
            clearance: 0.008 + self.fabric.thickness(),
            fold: fold * fold_scale,
        };
        let mut parts = Mesh::default();
        let kind = self.kind;
        if matches!(
            kind,
            GarmentType::Tshirt
                | GarmentType::Shirt
                | GarmentType::Jacket
                | GarmentType::Hoodie
                | GarmentType::Dress
        ) {
            self.top(s, &shape, &mut parts);
        }
        if kind == GarmentType::Dress || kind == GarmentType::Skirt {
            self.skirt(s, &shape, &mut parts);
        }
        if kind == GarmentType::Pants || kind == GarmentType::Shorts {
            self.trousers(s, &shape, &mut parts);
        }
        parts.materials = vec![self.material(base_dir, parts.indices.len() as u32)?];
        Ok(parts)
    }

    /// The garment's material (color, fabric, print) over its first `count` indices; an
    /// image print resolves beside `base_dir`.
    pub fn material(
        &self,
        base_dir: Option<&Path>,
        count: u32,
    ) -> Result<MaterialRange, GarmentError> {
        let u3m = self.u3m(base_dir)?;
        let print = self.print_params(base_dir, u3m.as_ref())?;
        let color = u3m
            .as_ref()
            .map_or(self.color.as_str(), |m| m.color.as_str());
        Ok(MaterialRange {
            name: format!("{:?}", self.kind).to_lowercase(),
            color: parse_color(color).map_err(|e| invalid("color", format!("color: {e}")))?,
            start: 0,
            count,
            fabric: self.fabric_of(u3m.as_ref()).id(),
            print: print.id,
            print_color: print.color,
            texture: print.texture,
            texture_repeat: print.repeat,
            print_place: self.print_placement.transform(),
        })
    }

    /// The torso down to the hem, sleeves, and a collar or hood.
    fn top(&self, s: &Skeleton, shape: &Shape, parts: &mut Mesh) {
        let kind = self.kind;
        let Shape {
            ease,
            clearance,
            fold,
        } = *shape;
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
            fold,
            neck_drop,
            self.neckline,
        ));
        let sleeve = self.sleeves().fraction();
        if sleeve > 0.0 {
            for arm in &s.arms {
                parts.append(&limb_tube(arm, sleeve, ease * 1.2 + 0.04, clearance, fold));
            }
        }
        if self.neckline == Neckline::Collar || kind == GarmentType::Jacket {
            parts.append(&collar(s, clearance));
        }
        if kind == GarmentType::Hoodie {
            parts.append(&hood(s, clearance));
        }
    }

    /// A dress's or skirt's skirt: hem from mid-thigh (length 0) to just above the ankle (1).
    fn skirt(&self, s: &Skeleton, shape: &Shape, parts: &mut Mesh) {
        let knee = s.legs[0][3].center.y;
        let mid_thigh = s.hip_y - (s.hip_y - knee) * 0.45;
        let ankle = s.legs[0][s.legs[0].len() - 1].center.y + 0.04;
        let hem_y = mid_thigh - (mid_thigh - ankle) * self.length;
        let top_y = if self.kind == GarmentType::Dress {
            s.hip_y
        } else {
            s.waist_y
        };
        parts.append(&skirt(
            s,
            top_y,
            hem_y,
            shape.ease,
            shape.clearance,
            shape.fold.max(0.01),
        ));
    }

    /// Pants or shorts: a waistband and two leg tubes.
    fn trousers(&self, s: &Skeleton, shape: &Shape, parts: &mut Mesh) {
        let frac = if self.kind == GarmentType::Pants {
            0.78 + 0.22 * self.length
        } else {
            0.2 + 0.3 * self.length
        };
        parts.append(&waistband(s, shape.ease, shape.clearance));
        for leg in &s.legs {
            parts.append(&limb_tube(
                leg,
                frac,
                shape.ease + 0.05,
                shape.clearance + 0.002,
                shape.fold,
            ));
        }
    }
}

/// Interpolates the body's torso ring at height `y`.
pub(crate) fn torso_ring_at(s: &Skeleton, y: f32) -> Ring {
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
            // Below the crotch the skirt clears both legs; above it, the body.
            let legs = if y < s.crotch_y {
                legs_span + clearance + 0.02
            } else {
                0.0
            };
            let a = body.a.max(legs).max(top.a) * flare;
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

//! Pattern programs: a garment spec and the avatar's measurements in, a sewing pattern out,
//! as a pattern maker drafts one — girths from the body's tape measurements plus the fit's
//! ease, lengths from the body's own levels (waist, hips, bust, shoulders, floor), placed
//! around the avatar's skeleton.
//!
//! - A skirt: front and back panels, flared so the skirt clears the hips with ease, sewn at
//!   the sides.
//! - A dress: front and back panels from the bust line to the hem, flared to clear the hips,
//!   and two straps over the shoulders, each sewn to a stretch of the front and the back.

use crate::avatar::Body;
use crate::garment::{Fit, GarmentSpec, GarmentType};
use crate::mesh::Ring;
use glam::{Vec2, Vec3};
use healdeck_cloth::pattern::{Edge, Panel, Pattern, Placement, Seam, Side, skirt};
use std::f32::consts::{FRAC_PI_2, PI, TAU};

/// Mesh spacing (m).
pub const SPACING: f32 = 0.015;

/// A garment type that has no pattern program yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error(
    "a {0:?} has no sewing pattern yet: patterns are drafted for skirts and dresses (the \
     other types still render as shells)"
)]
pub struct NoPattern(pub GarmentType);

/// Ease over the body's girth (m) at the waist (a waistband) and elsewhere.
fn ease(fit: Fit) -> (f32, f32) {
    match fit {
        Fit::Tight => (0.01, 0.03),
        Fit::Regular => (0.03, 0.07),
        Fit::Loose => (0.06, 0.14),
    }
}

/// The torso ring nearest the height `y`.
fn ring_at(body: &Body, y: f32) -> &Ring {
    body.skeleton
        .torso
        .iter()
        .min_by(|a, b| (a.center.y - y).abs().total_cmp(&(b.center.y - y).abs()))
        .expect("a body has torso rings")
}

/// The pattern for `spec` on `body`.
pub fn pattern(spec: &GarmentSpec, body: &Body) -> Result<Pattern, NoPattern> {
    match spec.kind {
        GarmentType::Skirt => Ok(skirt_on(spec, body)),
        GarmentType::Dress => Ok(dress_on(spec, body)),
        other => Err(NoPattern(other)),
    }
}

/// The hem girth of a cone from `top` girth at `top_y` that passes `girth` at depth `depth`
/// below the top, `length` long.
fn flare(top: f32, girth: f32, depth: f32, length: f32) -> f32 {
    top + (girth - top).max(0.0) * length / depth.max(0.05)
}

fn skirt_on(spec: &GarmentSpec, body: &Body) -> Pattern {
    let s = &body.skeleton;
    let m = &body.measured;
    let (waist_ease, hip_ease) = ease(spec.fit);
    let waist = m.waist_cm / 100.0 + waist_ease;
    let hips = m.hips_cm / 100.0 + hip_ease;
    // 0: a mini (just below the seat), 1: to 8 cm above the floor.
    let shortest = (s.waist_y - s.crotch_y) + 0.08;
    let longest = s.waist_y - 0.08;
    let length = shortest + (longest - shortest) * spec.length;
    let hem = flare(waist, hips, s.waist_y - s.hip_y, length);
    let (w, h) = (
        ring_at(body, s.waist_y).center,
        ring_at(body, s.hip_y).center,
    );
    let centre = Vec3::new((w.x + h.x) / 2.0, s.waist_y, (w.z + h.z) / 2.0);
    let mut p = skirt(waist, hem, length, centre);
    p.spacing = SPACING;
    p
}

fn dress_on(spec: &GarmentSpec, body: &Body) -> Pattern {
    let s = &body.skeleton;
    let m = &body.measured;
    let (_, ease) = ease(spec.fit);
    // At the bust line: higher, the arms of an A-pose meet the torso.
    let top_y = s.chest_y;
    let bust = m.chest_cm / 100.0 + ease;
    let hips = m.hips_cm / 100.0 + ease;
    // 0: just below the seat, 1: to 8 cm above the floor.
    let shortest = (top_y - s.crotch_y) + 0.1;
    let longest = top_y - 0.08;
    let length = shortest + (longest - shortest) * spec.length;
    let hem = flare(bust, hips, top_y - s.hip_y, length);
    let (c, h) = (
        ring_at(body, s.chest_y).center,
        ring_at(body, s.hip_y).center,
    );
    let centre = Vec3::new((c.x + h.x) / 2.0, top_y, (c.z + h.z) / 2.0);
    let mut pattern = skirt(bust, hem, length, centre);
    pattern.spacing = SPACING;
    // A dress hangs from its straps: its top is not a waistband.
    pattern.bands.clear();
    // Straps: 2.5 cm wide, from the front's top over the shoulder to the back's,
    // over the middle of each shoulder (further out they slide off the sloping shoulder).
    let strap_w = 0.025;
    let shoulder = ring_at(body, s.shoulder_y);
    let strap_x = m.shoulder_width_cm / 100.0 / 2.0 * 0.55;
    let depth = 2.0 * shoulder.b.min(shoulder.a).max(0.05);
    let strap_len = 2.0 * (s.shoulder_y - top_y) + depth;
    let r_top = bust / TAU;
    let theta = (strap_x / r_top).clamp(-1.0, 1.0).asin();
    let dt = strap_w / (PI * r_top);
    for (k, sign) in [1.0f32, -1.0].into_iter().enumerate() {
        let x = centre.x + sign * strap_x;
        // Fractions along the front's and the back's top edges (counter-clockwise: the front's
        // runs from +x to −x, the back's from −x to +x).
        let front_t = (FRAC_PI_2 - sign * theta) / PI;
        let back_t = (FRAC_PI_2 + sign * theta) / PI;
        let radius = strap_len / PI;
        pattern.panels.push(Panel {
            name: format!("strap {}", if sign > 0.0 { "left" } else { "right" }),
            corners: [
                Vec2::ZERO,
                Vec2::new(strap_len, 0.0),
                Vec2::new(strap_len, strap_w),
                Vec2::new(0.0, strap_w),
            ],
            placement: Placement {
                centre: Vec3::new(x - strap_w / 2.0, s.shoulder_y + 0.03 - radius, centre.z),
                radius,
                from: -FRAC_PI_2,
                axis: Vec3::X,
                front: Vec3::Y,
            },
        });
        let strap = 2 + k;
        pattern.tapes.push((strap, Edge::Bottom));
        pattern.tapes.push((strap, Edge::Top));
        let part = |t: f32| (t - dt / 2.0, t + dt / 2.0);
        let (f0, f1) = part(front_t);
        let (b0, b1) = part(back_t);
        pattern.seams.push(Seam {
            a: Side::whole(strap, Edge::Right),
            b: Side::part(0, Edge::Top, f0, f1),
            reversed: false,
        });
        pattern.seams.push(Seam {
            a: Side::whole(strap, Edge::Left),
            b: Side::part(1, Edge::Top, b0, b1),
            reversed: false,
        });
    }
    pattern
}

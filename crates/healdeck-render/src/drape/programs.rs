//! Pattern programs: a garment spec and the avatar's measurements in, a sewing pattern out,
//! as a pattern maker drafts one — girths from the body's tape measurements plus the fit's
//! ease, lengths from the body's own levels (waist, hips, bust, shoulders, floor), placed
//! around the avatar's skeleton.
//!
//! - A skirt: front and back gores (waist and hem cut as arcs, so both hang level), sewn
//!   at the sides, flared from just clearing the hips to most of a circle.
//! - A dress: a bodice (front and back, from the bust line taken in to the waist) and a
//!   skirt of gores sewn to it at the waist, flared like a skirt, and two straps over the
//!   shoulders, each sewn to a stretch of the front and the back.
//! - Trousers and shorts: four panels from the waist to the hem, see [`super::trousers`].
//! - Tops (t-shirts, shirts, hoodies, jackets): see [`super::tops`].

use crate::avatar::Body;
use crate::garment::{Fit, GarmentSpec, GarmentType};
use crate::mesh::Ring;
use glam::{Vec2, Vec3};
use healdeck_cloth::freeform::FreePattern;
use healdeck_cloth::pattern::{Edge, Panel, Pattern, Placement, Seam, Side, skirt, straight_skirt};
use std::f32::consts::{FRAC_PI_2, PI, TAU};

/// Mesh spacing (m).
pub const SPACING: f32 = 0.015;

/// Ease over the body's girth (m) at the waist (a waistband) and elsewhere.
pub(super) fn ease(fit: Fit) -> (f32, f32) {
    match fit {
        Fit::Tight => (0.01, 0.03),
        Fit::Regular => (0.03, 0.07),
        Fit::Loose => (0.06, 0.14),
    }
}

/// The point at height `y` on the torso's axis: midway between the centres of its
/// cross-sections at `upper_y` and at the hips.
pub(super) fn torso_axis(body: &Body, upper_y: f32, y: f32) -> Vec3 {
    let (u, h) = (
        ring_at(body, upper_y).center,
        ring_at(body, body.skeleton.hip_y).center,
    );
    Vec3::new((u.x + h.x) / 2.0, y, (u.z + h.z) / 2.0)
}

/// A cone of two panels (front and back, sewn at the sides) at our mesh spacing: `top` and
/// `hem` girths, `length` long, its top centred on `centre`.
pub(super) fn cone(top: f32, hem: f32, length: f32, centre: Vec3) -> Pattern {
    Pattern {
        spacing: SPACING,
        ..skirt(top, hem, length, centre)
    }
}

/// The torso ring nearest the height `y`.
pub(super) fn ring_at(body: &Body, y: f32) -> &Ring {
    body.skeleton
        .torso
        .iter()
        .min_by(|a, b| (a.center.y - y).abs().total_cmp(&(b.center.y - y).abs()))
        .expect("a body has torso rings")
}

/// A garment's pattern as its program drafts it.
#[derive(Debug, Clone, PartialEq)]
pub enum Drafted {
    /// Panels wrapped round the body on cylinders and cones (skirts, dresses, tops).
    Wrapped(Pattern),
    /// Panels laid flat in front of and behind the body (trousers and shorts).
    Flat(FreePattern),
}

impl Drafted {
    /// The wrapped pattern, if it is one.
    pub fn wrapped(self) -> Option<Pattern> {
        match self {
            Drafted::Wrapped(p) => Some(p),
            Drafted::Flat(_) => None,
        }
    }

    /// Meshed at `spacing` (m) from now on.
    pub fn with_spacing(mut self, spacing: f32) -> Drafted {
        match &mut self {
            Drafted::Wrapped(p) => p.spacing = spacing,
            Drafted::Flat(p) => p.spacing = spacing,
        }
        self
    }

    /// Where a drape of this pattern that ended at `positions` puts the particles of `to`,
    /// the same garment graded for another body; none when they are not the same garment.
    pub fn carry_over(&self, positions: &[Vec3], to: &Drafted) -> Option<Vec<Vec3>> {
        match (self, to) {
            (Drafted::Wrapped(a), Drafted::Wrapped(b)) => a.carry_over(positions, b),
            (Drafted::Flat(a), Drafted::Flat(b)) => a.carry_over(positions, b),
            _ => None,
        }
    }
}

/// The pattern for `spec` on `body`.
pub fn draft(spec: &GarmentSpec, body: &Body) -> Drafted {
    match spec.kind {
        GarmentType::Skirt => Drafted::Wrapped(skirt_on(spec, body)),
        GarmentType::Dress => Drafted::Wrapped(dress_on(spec, body)),
        GarmentType::Pants | GarmentType::Shorts => {
            Drafted::Flat(super::trousers::trousers(spec, body))
        }
        GarmentType::Tshirt | GarmentType::Shirt | GarmentType::Hoodie | GarmentType::Jacket => {
            Drafted::Wrapped(super::tops::top_on(spec, body))
        }
    }
}

/// The hem girth of a cone from `top` girth at `top_y` that passes `girth` at depth `depth`
/// below the top, `length` long.
fn flare(top: f32, girth: f32, depth: f32, length: f32) -> f32 {
    top + (girth - top).max(0.0) * length / depth.max(0.05)
}

/// A skirt's hem girth: from `clearing` (just clearing the hips) at `amount` 0 to most of a
/// circle at 1 — each of the two gores four fifths of a half ring (a whole half ring would
/// make its corners meet in a line).
fn flared_hem(clearing: f32, top: f32, length: f32, amount: f32) -> f32 {
    let widest = top + 2.0 * length * 0.8 * PI;
    clearing + (widest - clearing).max(0.0) * amount.clamp(0.0, 1.0)
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
    let clearing = flare(waist, hips, s.waist_y - s.hip_y, length);
    let hem = flared_hem(clearing, waist, length, spec.flare);
    cone(waist, hem, length, torso_axis(body, s.waist_y, s.waist_y))
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
    // A bodice from the bust line in to the waist, and a skirt from the waist out over the
    // hips to the hem, sewn at the waist.
    // Taken in from the bust by at most a tenth: more, and the corners where the side seams
    // meet the waist seam are pulled out of shape.
    let waist = (m.waist_cm / 100.0 + ease).clamp(0.9 * bust, bust);
    let bodice = (top_y - s.waist_y).max(0.05);
    let skirt_length = (length - bodice).max(0.15);
    let clearing = flare(waist, hips, s.waist_y - s.hip_y, skirt_length);
    let hem = flared_hem(clearing, waist, skirt_length, spec.flare);
    let centre = torso_axis(body, s.chest_y, top_y);
    // The bodice is cut straight (its taper is slight): its top edge carries the straps'
    // seams, which pull harder on an arc's corners.
    let mut pattern = Pattern {
        spacing: SPACING,
        ..straight_skirt(bust, waist, bodice, centre)
    };
    let skirt = cone(
        waist,
        hem,
        skirt_length,
        torso_axis(body, s.chest_y, s.waist_y),
    );
    let first = append(&mut pattern, skirt);
    pattern
        .seams
        .push(Seam::edges(0, Edge::Bottom, first, Edge::Top));
    pattern
        .seams
        .push(Seam::edges(1, Edge::Bottom, first + 1, Edge::Top));
    // A dress hangs from its straps: neither its top nor its waist is a waistband.
    pattern.bands.clear();
    // Straps: 2.5 cm wide over the shoulder, widening to 5 cm where they are sewn to the
    // front's and the back's tops (the dress hangs from those seams: narrower, two particles
    // carry it all and the cloth round them stretches by a third), over the middle of each
    // shoulder (further out they slide off the sloping shoulder).
    let (strap_w, strap_end) = (0.025, 0.05);
    let shoulder = ring_at(body, s.shoulder_y);
    let strap_x = m.shoulder_width_cm / 100.0 / 2.0 * 0.55;
    let depth = 2.0 * shoulder.b.min(shoulder.a).max(0.05);
    let strap_len = 2.0 * (s.shoulder_y - top_y) + depth;
    let r_top = bust / TAU;
    let theta = (strap_x / r_top).clamp(-1.0, 1.0).asin();
    let dt = strap_end / (PI * r_top);
    for (k, sign) in [1.0f32, -1.0].into_iter().enumerate() {
        let x = centre.x + sign * strap_x;
        // Fractions along the front's and the back's top edges (counter-clockwise: the front's
        // runs from +x to −x, the back's from −x to +x).
        let front_t = (FRAC_PI_2 - sign * theta) / PI;
        let back_t = (FRAC_PI_2 + sign * theta) / PI;
        let radius = strap_len / PI;
        let corners = [
            Vec2::ZERO,
            Vec2::new(strap_len, 0.0),
            Vec2::new(strap_len, strap_end),
            Vec2::new(0.0, strap_end),
        ];
        let placement = Placement {
            centre: Vec3::new(x - strap_end / 2.0, s.shoulder_y + 0.03 - radius, centre.z),
            radius,
            from: -FRAC_PI_2,
            axis: Vec3::X,
            front: Vec3::Y,
        };
        let name = format!("strap {}", if sign > 0.0 { "left" } else { "right" });
        // The top edge (running back, +x → −x) narrows to the strap's width over the
        // shoulder, a fifth of the way from each end.
        let narrow = vec![
            Vec2::new(0.8 * strap_len, strap_w),
            Vec2::new(0.2 * strap_len, strap_w),
        ];
        pattern
            .panels
            .push(Panel::new(name, corners, placement).with_edge(Edge::Top, narrow));
        let strap = 4 + k;
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

/// A ring's girth (m): the perimeter of its own outline, 64 points round.
pub(super) fn girth(r: &Ring) -> f32 {
    let at = |k: usize| r.point(TAU * k as f32 / 64.0, 0.0);
    (0..64).map(|k| at(k).distance(at(k + 1))).sum()
}

/// Appends `other`'s panels, seams, bands and tapes to `pattern`; the index its panels start at.
pub(super) fn append(pattern: &mut Pattern, other: Pattern) -> usize {
    let first = pattern.panels.len();
    pattern.panels.extend(other.panels);
    for mut seam in other.seams {
        seam.a.panel += first;
        seam.b.panel += first;
        pattern.seams.push(seam);
    }
    for band in other.bands {
        pattern
            .bands
            .push(band.into_iter().map(|(p, e)| (p + first, e)).collect());
    }
    pattern
        .tapes
        .extend(other.tapes.into_iter().map(|(p, e)| (p + first, e)));
    first
}

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
//! - Trousers and shorts: a seat (front and back, from the waistband to the crotch, sewn at
//!   the sides, its bottom dropping to crotch curves at the centre front and back) and a
//!   tube for each leg (front and back, sewn at the inseam and the outseam, along the leg),
//!   each leg's top sewn to half of the seat's bottom: where the four meet, the seat's front
//!   and back are drawn together between the legs — the crotch seam.
//! - Tops (t-shirts, shirts, hoodies, jackets): see [`super::tops`].

use crate::avatar::Body;
use crate::garment::{Fit, GarmentSpec, GarmentType};
use crate::mesh::Ring;
use glam::{Vec2, Vec3};
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

/// The pattern for `spec` on `body`.
pub fn pattern(spec: &GarmentSpec, body: &Body) -> Pattern {
    match spec.kind {
        GarmentType::Skirt => skirt_on(spec, body),
        GarmentType::Dress => dress_on(spec, body),
        GarmentType::Pants | GarmentType::Shorts => trousers_on(spec, body),
        GarmentType::Tshirt | GarmentType::Shirt | GarmentType::Hoodie | GarmentType::Jacket => {
            super::tops::top_on(spec, body)
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

fn trousers_on(spec: &GarmentSpec, body: &Body) -> Pattern {
    let s = &body.skeleton;
    let m = &body.measured;
    let (waist_ease, ease) = ease(spec.fit);
    let waist = m.waist_cm / 100.0 + waist_ease;
    let hips = m.hips_cm / 100.0 + ease;
    // The seat: from the waist to 7 cm below the crotch (its middle goes up between the legs).
    let seat_bottom_y = s.crotch_y - 0.07;
    let rise = s.waist_y - seat_bottom_y;
    let thigh = s
        .legs
        .iter()
        .filter_map(|l| l.get(1))
        .map(girth)
        .fold(0.0, f32::max)
        + ease;
    // The seat is fitted to the hips; each leg's top, round the thigh with ease, is eased
    // into half of the seat's bottom (up to a fifth longer: what a crotch extension adds).
    let mut seat = flare(waist, hips, s.waist_y - s.hip_y, rise);
    let top = thigh.max(seat / 2.0);
    seat = seat.max(top / 0.6);
    // Shorts: 8 to 30 cm of leg; trousers: from the knee to the ankle, 9 cm above the floor
    // (lower, the tube would start inside the foot).
    let (shortest, longest) = if spec.kind == GarmentType::Shorts {
        (0.08, 0.30)
    } else {
        let knee_y = s.legs[0].get(3).map_or(s.crotch_y - 0.35, |r| r.center.y);
        (seat_bottom_y - knee_y + 0.05, seat_bottom_y - 0.09)
    };
    let length = shortest + (longest - shortest) * spec.length;
    let mut pattern = Pattern {
        spacing: SPACING,
        ..straight_skirt(waist, seat, rise, torso_axis(body, s.waist_y, s.waist_y))
    };
    // The crotch curves: the seat's bottom drops towards its centre front and centre back,
    // by a twelfth of the hips in front and an eighth behind (the pattern maker's crotch
    // extensions, the back's longer round the seat), so the crotch seam reaches under the
    // body instead of being drawn up into it (a straight bottom: 56 % strain at the crotch).
    for (panel, drop) in pattern.panels.iter_mut().zip([hips / 12.0, hips / 8.0]) {
        let bottom = crotch_curve(panel.corners[1].x, drop);
        *panel = panel.clone().with_edge(Edge::Bottom, bottom);
    }
    for (k, leg) in s.legs.iter().enumerate() {
        let (Some(upper), Some(lower)) = (leg.get(1), leg.last()) else {
            continue;
        };
        // Along the leg (an A-pose spreads them): from the hem up to the seat.
        let axis = (upper.center - lower.center).normalize_or(Vec3::Y);
        let hem_point = upper.center - axis * (upper.center.y - (seat_bottom_y - length)) / axis.y;
        let knee = leg.get(3).map_or(thigh, |r| girth(r) + ease);
        let hem = if spec.kind == GarmentType::Shorts {
            top
        } else {
            knee.max(0.7 * top)
        };
        let mut tube = cone(top, hem, length, hem_point + axis * length);
        tube.bands.clear();
        for p in &mut tube.panels {
            p.placement.axis = axis;
            p.placement.centre = hem_point;
            p.name = format!("{} leg {}", if k == 0 { "left" } else { "right" }, p.name);
        }
        let first = append(&mut pattern, tube);
        // The seat's front bottom runs −x → +x, its back +x → −x; the left leg (k = 0) is
        // on +x.
        let (front_half, back_half) = if k == 0 {
            ((0.5, 1.0), (0.0, 0.5))
        } else {
            ((0.0, 0.5), (0.5, 1.0))
        };
        pattern.seams.push(Seam {
            a: Side::part(0, Edge::Bottom, front_half.0, front_half.1),
            b: Side::whole(first, Edge::Top),
            reversed: false,
        });
        pattern.seams.push(Seam {
            a: Side::part(1, Edge::Bottom, back_half.0, back_half.1),
            b: Side::whole(first + 1, Edge::Top),
            reversed: false,
        });
    }
    pattern
}

/// The points between the ends of a seat panel's bottom edge (`width` long, along x) that
/// drop it by `drop` at its centre: half a cosine wave, level at the side seams.
fn crotch_curve(width: f32, drop: f32) -> Vec<Vec2> {
    const STEPS: usize = 24;
    (1..STEPS)
        .map(|k| {
            let s = k as f32 / STEPS as f32;
            Vec2::new(width * s, -drop * (1.0 - (TAU * s).cos()) / 2.0)
        })
        .collect()
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

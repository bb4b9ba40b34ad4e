//! Tape measurements a pattern program takes from the avatar's mesh where its fitted rings
//! are not enough: the crotch length (along the body's outline in its middle plane) and
//! the torso's girth at any height (between the rings either side of it).

use super::programs::{girth, ring_at};
use crate::avatar::Body;
use glam::Vec2;

/// The body's crotch length (m): the tape from the centre front at the waist, down between
/// the legs, up to the centre back at the waist — along the body's outline in its middle
/// plane (x = 0), followed ray by ray from a point inside the pelvis. None when the body is
/// not cut there (no outline all the way round).
pub(super) fn crotch_length(body: &Body) -> Option<f32> {
    let s = &body.skeleton;
    let mesh = &body.mesh;
    // The outline's pieces: each triangle that crosses x = 0 cut there, in (z, y).
    let segments: Vec<(Vec2, Vec2)> = mesh
        .indices
        .chunks_exact(3)
        .filter_map(|t| {
            let p = [0, 1, 2].map(|k| mesh.positions[t[k] as usize]);
            if p.iter()
                .all(|q| q.y > s.waist_y + 0.05 || q.y < s.crotch_y - 0.1)
            {
                return None;
            }
            let cuts: Vec<Vec2> = (0..3)
                .filter_map(|k| {
                    let (a, b) = (p[k], p[(k + 1) % 3]);
                    ((a.x < 0.0) != (b.x < 0.0)).then(|| {
                        let q = a + (b - a) * (a.x / (a.x - b.x));
                        Vec2::new(q.z, q.y)
                    })
                })
                .collect();
            (cuts.len() == 2).then(|| (cuts[0], cuts[1]))
        })
        .collect();
    let centre_y = s.crotch_y + 0.1;
    let centre = Vec2::new(ring_at(body, centre_y).center.z, centre_y);
    // The nearest crossing of the outline along a ray from the centre.
    let hit = |angle: f32| -> Option<Vec2> {
        let d = Vec2::new(angle.cos(), angle.sin());
        segments
            .iter()
            .filter_map(|(a, b)| {
                let e = *b - *a;
                let denom = d.perp_dot(e);
                if denom.abs() < 1e-9 {
                    return None;
                }
                let w = *a - centre;
                let t = w.perp_dot(e) / denom;
                let u = w.perp_dot(d) / denom;
                (t > 0.0 && (0.0..=1.0).contains(&u)).then_some(t)
            })
            .min_by(f32::total_cmp)
            .map(|t| centre + d * t)
    };
    // From straight down, round the front (towards +z) and round the back, half a degree
    // at a time, until the outline reaches the waist.
    let mut total = 0.0;
    for way in [1.0f32, -1.0] {
        let mut last = hit(-std::f32::consts::FRAC_PI_2)?;
        for k in 1..=360 {
            let angle = -std::f32::consts::FRAC_PI_2 + way * (k as f32).to_radians() * 0.5;
            let p = hit(angle)?;
            let reached = p.y >= s.waist_y;
            let p = if reached {
                // The last piece, cut at the waist.
                last + (p - last) * ((s.waist_y - last.y) / (p.y - last.y).max(1e-6))
            } else {
                p
            };
            total += last.distance(p);
            last = p;
            if reached {
                break;
            }
        }
    }
    Some(total)
}

/// The torso's girth (m) at height `y`: between the two rings either side of it, in
/// proportion (the nearest ring alone makes a side seam of steps a ring's spacing tall).
pub(super) fn girth_at(body: &Body, y: f32) -> f32 {
    let rings = &body.skeleton.torso;
    let above = rings.iter().position(|r| r.center.y >= y);
    match above {
        Some(0) | None => girth(ring_at(body, y)),
        Some(k) => {
            let (lo, hi) = (&rings[k - 1], &rings[k]);
            let t = (y - lo.center.y) / (hi.center.y - lo.center.y).max(1e-4);
            girth(lo) + (girth(hi) - girth(lo)) * t.clamp(0.0, 1.0)
        }
    }
}

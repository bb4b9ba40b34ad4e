//! The body as the parametric garment builder sees it: superellipse rings around the torso,
//! each leg and each arm, and the head's ellipsoid, fitted to the realistic body's own
//! cross-sections so that every ring contains its cross-section (a garment grown from a ring
//! clears the skin). Horizontal cuts give the torso and legs; the arms, held out in the
//! A-pose, are cut horizontally too and each cut is projected onto the plane across the arm.

use crate::landmarks::ARMS;
use crate::mesh::{Ring, frame};
use crate::tape::{Cutter, Levels};
use glam::{Vec2, Vec3};

/// The body's cross-sections, shared with the garment builder.
#[derive(Debug, Clone)]
pub struct Skeleton {
    /// Torso rings from below the crotch to the neck, by height.
    pub torso: Vec<Ring>,
    /// Heights (m) of the torso's named levels.
    pub crotch_y: f32,
    pub hip_y: f32,
    pub waist_y: f32,
    pub chest_y: f32,
    pub shoulder_y: f32,
    pub neck_y: f32,
    /// Arm rings from the shoulder to the wrist, [left (+X), right (-X)].
    pub arms: [Vec<Ring>; 2],
    /// Leg rings from the crotch to the ankle, [left, right]; ring 3 is the knee.
    pub legs: [Vec<Ring>; 2],
    pub head_center: Vec3,
    pub head_radii: Vec3,
}

/// Torso rings between the crotch and the neck.
const TORSO_RINGS: usize = 18;
/// Arm rings between the armpit and the wrist.
const ARM_RINGS: usize = 8;

impl Skeleton {
    /// Fits the rings to a body standing on y = 0 whose tape `levels` are known.
    pub fn of(positions: &[[f32; 3]], quads: &[[u16; 4]], levels: &Levels) -> Skeleton {
        let cutter = Cutter::new(positions, quads);
        let h = levels.height;
        let point = |i: u16| Vec3::from_array(positions[usize::from(i)]);
        let shoulder_y = 0.5 * (point(ARMS[0].shoulder).y + point(ARMS[1].shoulder).y);
        // Above the armpits the cross-section runs out along the arms: the torso stops at the
        // shoulder points, where the sleeves take over.
        let shoulder_x = 0.5 * (point(ARMS[0].shoulder).x - point(ARMS[1].shoulder).x) + 0.01;
        let torso_at = |y: f32| -> Option<(Ring, f32)> {
            let pts: Vec<Vec2> = cutter
                .at(y)
                .into_iter()
                .filter(|p| p.iter().any(|q| q[0] < 0.0) && p.iter().any(|q| q[0] > 0.0))
                .flatten()
                .map(Vec2::from_array)
                .filter(|p| p.x.abs() <= shoulder_x)
                .collect();
            let ring = fit_ring(&pts, Vec2::new(0.0, mid_z(&pts)?), y)?;
            Some((ring, crate::tape::hull_perimeter(&to_arrays(&pts))))
        };
        // The neck: the narrowest girth in the hand's breadth above the shoulder points.
        let neck_y = (1..=20)
            .map(|i| shoulder_y + 0.005 * i as f32)
            .filter_map(|y| torso_at(y).map(|(_, g)| (y, g)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map_or(shoulder_y + 0.05, |(y, _)| y);
        let crotch = levels.crotch;
        let mut torso = Vec::with_capacity(TORSO_RINGS + 1);
        // Just below the crotch the ring goes round both thighs.
        let thighs: Vec<Vec2> = cutter
            .at(crotch - 0.03)
            .into_iter()
            .flatten()
            .map(Vec2::from_array)
            .filter(|p| p.x.abs() < 0.3)
            .collect();
        if let Some(r) =
            mid_z(&thighs).and_then(|z| fit_ring(&thighs, Vec2::new(0.0, z), crotch - 0.03))
        {
            torso.push(r);
        }
        for i in 0..TORSO_RINGS {
            let y =
                crotch + 0.002 + (neck_y - crotch - 0.002) * i as f32 / (TORSO_RINGS - 1) as f32;
            if let Some((r, _)) = torso_at(y) {
                torso.push(r);
            }
        }
        let head: Vec<Vec3> = positions
            .iter()
            .map(|p| Vec3::from_array(*p))
            .filter(|p| p.y > neck_y + 0.03)
            .collect();
        let (lo, hi) = head.iter().fold(
            (Vec3::splat(f32::MAX), Vec3::splat(f32::MIN)),
            |(lo, hi), p| (lo.min(*p), hi.max(*p)),
        );
        Skeleton {
            torso,
            crotch_y: crotch,
            hip_y: levels.hips,
            waist_y: levels.waist,
            chest_y: levels.bust,
            shoulder_y,
            neck_y,
            arms: [0, 1].map(|side| arm_rings(&cutter, positions, side, levels.armpit)),
            legs: [1.0, -1.0].map(|side| leg_rings(&cutter, side, crotch, h)),
            head_center: 0.5 * (lo + hi),
            head_radii: 0.5 * (hi - lo),
        }
    }
}

fn to_arrays(pts: &[Vec2]) -> Vec<[f32; 2]> {
    pts.iter().map(|p| p.to_array()).collect()
}

fn mid_z(pts: &[Vec2]) -> Option<f32> {
    let (lo, hi) = pts.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| {
        (lo.min(p.y), hi.max(p.y))
    });
    (lo <= hi).then_some(0.5 * (lo + hi))
}

/// A horizontal ring at height `y` around `centre` (x, z) containing every point.
fn fit_ring(pts: &[Vec2], centre: Vec2, y: f32) -> Option<Ring> {
    let local: Vec<Vec2> = pts.iter().map(|p| *p - centre).collect();
    let (a, b, n) = containing_superellipse(&local)?;
    Some(Ring {
        center: Vec3::new(centre.x, y, centre.y),
        u: Vec3::X,
        v: Vec3::Z,
        a,
        b,
        n,
    })
}

/// Half-widths along both axes and the smallest exponent (2..=8) whose superellipse holds
/// every point.
fn containing_superellipse(local: &[Vec2]) -> Option<(f32, f32, f32)> {
    let a = local.iter().map(|p| p.x.abs()).fold(0.0f32, f32::max) * 1.02 + 0.002;
    let b = local.iter().map(|p| p.y.abs()).fold(0.0f32, f32::max) * 1.02 + 0.002;
    if local.len() < 3 || !(a.is_finite() && b.is_finite()) {
        return None;
    }
    let inside = |n: f32| {
        local
            .iter()
            .all(|p| (p.x / a).abs().powf(n) + (p.y / b).abs().powf(n) <= 1.0)
    };
    let n = [2.0, 2.3, 2.6, 3.0, 3.5, 4.0, 5.0, 6.0, 8.0]
        .into_iter()
        .find(|n| inside(*n))
        .unwrap_or(8.0);
    Some((a, b, n))
}

/// One leg's rings (`side` 1 = left, −1 = right): below the crotch, mid-thigh, the knee at
/// ring 3, mid-calf, above the ankle and at it.
fn leg_rings(cutter: &Cutter, side: f32, crotch: f32, h: f32) -> Vec<Ring> {
    let knee = 0.285 * h;
    let levels = [
        crotch - 0.01,
        crotch - 0.05,
        0.5 * (crotch + knee),
        knee,
        0.2 * h,
        0.1 * h,
        0.06 * h,
    ];
    levels
        .into_iter()
        .filter_map(|y| {
            let piece: Vec<Vec2> = cutter
                .at(y)
                .into_iter()
                .filter(|p| p.iter().all(|q| q[0] * side > 0.0))
                .map(|p| p.into_iter().map(Vec2::from_array).collect::<Vec<_>>())
                .min_by(|a, b| centroid(a).x.abs().total_cmp(&centroid(b).x.abs()))?;
            let (lo, hi) = piece.iter().fold(
                (Vec2::splat(f32::MAX), Vec2::splat(f32::MIN)),
                |(lo, hi), p| (lo.min(*p), hi.max(*p)),
            );
            fit_ring(&piece, 0.5 * (lo + hi), y)
        })
        .collect()
}

fn centroid(pts: &[Vec2]) -> Vec2 {
    pts.iter().copied().sum::<Vec2>() / pts.len().max(1) as f32
}

/// One arm's rings (`side` 0 = left, 1 = right) from the shoulder to the wrist: horizontal
/// cuts of the arm between the armpit and the wrist, each projected onto the plane across
/// the arm, after a ring at the shoulder joint.
fn arm_rings(cutter: &Cutter, positions: &[[f32; 3]], side: usize, armpit: f32) -> Vec<Ring> {
    let sign = if side == 0 { 1.0 } else { -1.0 };
    let point = |i: u16| Vec3::from_array(positions[usize::from(i)]);
    let (shoulder, wrist) = (point(ARMS[side].shoulder), point(ARMS[side].wrist));
    let top = armpit - 0.015;
    let cuts: Vec<(Vec3, Vec<Vec3>)> = (0..ARM_RINGS)
        .filter_map(|i| {
            let y = top + (wrist.y - top) * i as f32 / (ARM_RINGS - 1) as f32;
            let piece = cutter
                .at(y)
                .into_iter()
                .filter(|p| p.iter().all(|q| q[0] * sign > 0.0))
                .max_by(|a, b| (a.len()).cmp(&b.len()))?;
            let pts: Vec<Vec3> = piece.iter().map(|q| Vec3::new(q[0], y, q[1])).collect();
            let c = pts.iter().copied().sum::<Vec3>() / pts.len() as f32;
            Some((c, pts))
        })
        .collect();
    if cuts.len() < 2 {
        return Vec::new();
    }
    let mut rings = Vec::with_capacity(cuts.len() + 1);
    for (i, (c, pts)) in cuts.iter().enumerate() {
        let d = if i + 1 < cuts.len() {
            cuts[i + 1].0 - *c
        } else {
            *c - cuts[i - 1].0
        };
        let (u, v) = frame(d);
        let local: Vec<Vec2> = pts
            .iter()
            .map(|p| Vec2::new((*p - *c).dot(u), (*p - *c).dot(v)))
            .collect();
        if let Some((a, b, n)) = containing_superellipse(&local) {
            rings.push(Ring {
                center: *c,
                u,
                v,
                a,
                b,
                n,
            });
        }
    }
    // The shoulder joint: under the shoulder point, as wide as the arm's first ring.
    if let Some(first) = rings.first().copied() {
        let joint = shoulder - Vec3::Y * 0.06 - Vec3::X * sign * 0.02;
        let (u, v) = frame(first.center - joint);
        rings.insert(
            0,
            Ring {
                center: joint,
                u,
                v,
                a: first.a * 0.9,
                b: first.b * 0.9,
                n: first.n,
            },
        );
    }
    rings
}

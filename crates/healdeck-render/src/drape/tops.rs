//! Pattern programs for tops — t-shirts, shirts, hoodies and jackets — drafted as a pattern
//! maker drafts a boxy top:
//!
//! - a front and a back, from the hem to just above the shoulders, sewn at the sides up to
//!   the armpit; above it each side is left open as half an armhole;
//! - shoulder seams: the outer stretches of the front's and back's top edges, sewn together
//!   over the shoulders; the stretch between them is the neckline, longer in front for a
//!   scoop and longer still for a V (an unsupported edge that long falls into the shape);
//! - a sleeve round each arm (front and back, sewn underneath and on top), its top sewn round
//!   the armhole; a sleeve past the elbow is two tubes, sewn at the elbow, following the arm;
//!   its top is cut as a cap, higher over the arm than under it, so that it hangs down the
//!   arm of the A-pose rather than straight out from the armhole;
//! - a collar (shirts, jackets, and any top with a collar neckline): a stand sewn round the
//!   neckline, open at the centre front;
//! - a hood (hoodies): two halves widening over the head, sewn down the back and over the
//!   crown, their bottoms sewn round the neckline.
//!
//! The front and back are placed as flatter arcs than the body (in front of and behind the
//! arms of the A-pose, not through them): the side and shoulder seams draw them in.

use super::programs::{SPACING, append, cone, ease, girth, ring_at, torso_axis};
use crate::avatar::Body;
use crate::garment::{GarmentSpec, GarmentType, Neckline};
use crate::mesh::Ring;
use glam::{Vec2, Vec3};
use healdeck_cloth::pattern::{Edge, Panel, Pattern, Placement, Seam, Side};
use std::f32::consts::{PI, TAU};

const FRONT: usize = 0;
const BACK: usize = 1;

/// How far round the body the front (and the back) is first laid (radians): less than a
/// half turn, so its sides start in front of (behind) the arms.
const TORSO_SPAN: f32 = 2.0;

/// The neckline's width across the top edges (m) over the neck's girth, and the front's
/// share of it.
fn neck_opening(neckline: Neckline) -> (f32, f32) {
    match neckline {
        Neckline::Crew => (0.10, 0.55),
        Neckline::Collar => (0.08, 0.55),
        Neckline::V | Neckline::Scoop => (0.16, 0.58),
    }
}

/// How the front's neckline is cut into its top edge, below the shoulder seams' line: a V
/// to a point, a scoop rounded (depths in metres). Crew necks, and the necklines
/// a collar or a hood is sewn to, are left straight.
fn neck_cut(spec: &GarmentSpec) -> Option<(Neckline, f32)> {
    match (spec.kind, spec.neckline) {
        (GarmentType::Tshirt, Neckline::V) => Some((Neckline::V, 0.18)),
        (GarmentType::Tshirt, Neckline::Scoop) => Some((Neckline::Scoop, 0.13)),
        _ => None,
    }
}

/// The points the front's top edge (running from its top right corner at `right` to its top
/// left at `left`, `shoulder` of each sewn to the back) passes through to cut `cut`.
fn neckline_points(
    right: Vec2,
    left: Vec2,
    shoulder: f32,
    rise: f32,
    cut: Option<(Neckline, f32)>,
) -> Vec<Vec2> {
    let (start, end) = (
        Vec2::new(right.x - shoulder, right.y + rise),
        Vec2::new(left.x + shoulder, left.y + rise),
    );
    let Some(cut) = cut else {
        return vec![start, end];
    };
    let (mid, half) = ((start + end) / 2.0, (start.x - end.x) / 2.0);
    let (kind, depth) = cut;
    let mut points = vec![start];
    if kind == Neckline::V {
        points.push(mid - Vec2::Y * depth);
    } else {
        // A sine's half wave from the start to the end, in 18 steps: round at the bottom and
        // meeting the shoulder line at an angle (an ellipse's ends would drop straight down,
        // and the mesh between such an edge and the row below it folds).
        points.extend((1..18).map(|k| {
            let s = k as f32 / 18.0;
            mid + Vec2::new(half * (1.0 - 2.0 * s), -depth * (PI * s).sin())
        }));
    }
    points.push(end);
    points
}

/// How far the shoulder seams rise from the shoulder points to the neck (m): a block
/// pattern's shoulder drop, read the other way.
const SHOULDER_DROP: f32 = 0.06;

/// Extra ease (m) a garment worn over others needs.
fn layer_ease(kind: GarmentType) -> f32 {
    match kind {
        GarmentType::Jacket => 0.08,
        GarmentType::Hoodie => 0.04,
        _ => 0.0,
    }
}

/// The top's body: what the sleeves, collar and hood are sewn to.
struct Torso {
    /// Fraction of the side edges (from the hem) sewn at the sides; above, the armholes.
    armpit: f32,
    /// Top-edge lengths of the front and the back: their widths, or longer round a cut
    /// neckline.
    top_length: [f32; 2],
    /// Shoulder seam length.
    shoulder: f32,
    /// Length of each side's open armhole stretch.
    slit: f32,
    /// The neckline's centre and height.
    neck: Vec3,
}

/// The pattern for a top (`spec.kind` a t-shirt, shirt, hoodie or jacket) on `body`.
pub fn top_on(spec: &GarmentSpec, body: &Body) -> Pattern {
    let (mut pattern, torso) = torso_on(spec, body);
    for k in 0..2 {
        sleeve_on(spec, body, &mut pattern, &torso, k);
    }
    let (front_neck, back_neck) = neck_stretches(&torso);
    if spec.kind == GarmentType::Hoodie {
        hood_on(body, &mut pattern, &torso, front_neck, back_neck);
    } else if spec.kind == GarmentType::Jacket
        || spec.kind == GarmentType::Shirt
        || spec.neckline == Neckline::Collar
    {
        let height = if spec.kind == GarmentType::Jacket {
            0.06
        } else {
            0.04
        };
        collar_on(&mut pattern, &torso, front_neck, back_neck, height);
    }
    pattern
}

fn torso_on(spec: &GarmentSpec, body: &Body) -> (Pattern, Torso) {
    let s = &body.skeleton;
    let m = &body.measured;
    let (_, fit_ease) = ease(spec.fit);
    let ease = fit_ease + layer_ease(spec.kind);
    let bust = m.chest_cm / 100.0 + ease;
    // As the shell has it: a t-shirt or shirt from 45 % of the way from the waist to the
    // crotch (0) to the crotch (1); a jacket or hoodie from the hips to 2 cm above the crotch.
    let hem_y = match spec.kind {
        GarmentType::Jacket | GarmentType::Hoodie => {
            s.crotch_y + 0.02 + (s.hip_y - s.crotch_y) * (1.0 - spec.length)
        }
        _ => s.waist_y - (s.waist_y - s.crotch_y) * (0.45 + 0.55 * spec.length),
    };
    let hips_below = hem_y < s.hip_y + 0.08;
    let at_hem = girth(ring_at(body, hem_y)) + ease;
    let hem = bust.max(at_hem).max(if hips_below {
        m.hips_cm / 100.0 + ease
    } else {
        0.0
    });
    // The panels' top corners are the shoulder points, 4 cm over the shoulder joints.
    let top_y = s.shoulder_y + 0.04;
    let length = top_y - hem_y;
    let neck_ring = s.torso.last().expect("a body has torso rings");
    let (neck_ease, front_share) = neck_opening(spec.neckline);
    let neckline = girth(neck_ring) + neck_ease;
    let shoulder =
        ((m.shoulder_width_cm / 100.0 - 2.0 * neck_ring.a) / 2.0 + 0.03 + ease / 4.0).max(0.08);
    let necks = [neckline * front_share, neckline * (1.0 - front_share)];
    let top_width = necks.map(|n| n + 2.0 * shoulder);
    let armpit_y = s.chest_y - 0.03 - ease / 4.0;
    let armpit = ((armpit_y - hem_y) / length).clamp(0.2, 0.9);
    let centre = torso_axis(body, s.chest_y, hem_y);
    let bottom = hem / 2.0;
    let radius = bottom / TORSO_SPAN;
    let panel = |name: &str, top: f32, from: f32| {
        let inset = (bottom - top) / 2.0;
        let corners = [
            Vec2::ZERO,
            Vec2::new(bottom, 0.0),
            Vec2::new(bottom - inset, length),
            Vec2::new(inset, length),
        ];
        Panel::new(name, corners, Placement::around_y(centre, radius, from))
    };
    // The shoulder seams slope up from the shoulder points to the neck, as the shoulders do
    // (sewn level, the body lifted the seams' neck ends and drew the cloth there 20–33 %
    // over its length; sloped, 9–12 % on a t-shirt).
    let rise = SHOULDER_DROP;
    let shoulder_seam = shoulder.hypot(rise);
    let mut front = panel("front", top_width[0], -TORSO_SPAN / 2.0);
    let [.., right, left] = front.corners;
    front = front.with_edge(
        Edge::Top,
        neckline_points(right, left, shoulder, rise, neck_cut(spec)),
    );
    let mut back = panel("back", top_width[1], PI - TORSO_SPAN / 2.0);
    let [.., right, left] = back.corners;
    back = back.with_edge(
        Edge::Top,
        neckline_points(right, left, shoulder, rise, None),
    );
    let shoulder = shoulder_seam;
    let top_length = [&front, &back].map(|p| p.edge_length(Edge::Top));
    let pattern = Pattern {
        panels: vec![front, back],
        seams: vec![
            // The sides, up to the armpits: +x (the front's right edge, the back's left) and −x.
            Seam {
                a: Side::part(FRONT, Edge::Right, 0.0, armpit),
                b: Side::part(BACK, Edge::Left, 1.0 - armpit, 1.0),
                reversed: false,
            },
            Seam {
                a: Side::part(BACK, Edge::Right, 0.0, armpit),
                b: Side::part(FRONT, Edge::Left, 1.0 - armpit, 1.0),
                reversed: false,
            },
            // The shoulders: the outer stretches of the top edges (the front's runs +x → −x,
            // the back's −x → +x).
            Seam {
                a: Side::part(FRONT, Edge::Top, 0.0, shoulder / top_length[0]),
                b: Side::part(BACK, Edge::Top, 1.0 - shoulder / top_length[1], 1.0),
                reversed: false,
            },
            Seam {
                a: Side::part(FRONT, Edge::Top, 1.0 - shoulder / top_length[0], 1.0),
                b: Side::part(BACK, Edge::Top, 0.0, shoulder / top_length[1]),
                reversed: false,
            },
        ],
        bands: Vec::new(),
        tapes: Vec::new(),
        spacing: SPACING,
    };
    let side =
        Vec2::new(bottom, 0.0).distance(Vec2::new(bottom - (bottom - top_width[0]) / 2.0, length));
    let neck = Vec3::new(neck_ring.center.x, top_y + rise, neck_ring.center.z);
    (
        pattern,
        Torso {
            armpit,
            top_length,
            shoulder,
            slit: side * (1.0 - armpit),
            neck,
        },
    )
}

/// The neckline stretches of the front's and the back's top edges (fractions).
fn neck_stretches(t: &Torso) -> ((f32, f32), (f32, f32)) {
    let f = t.shoulder / t.top_length[0];
    let b = t.shoulder / t.top_length[1];
    ((f, 1.0 - f), (b, 1.0 - b))
}

/// The point `distance` along the arm's rings from ring `from`, and the arm's girth there.
fn along_arm(arm: &[Ring], from: usize, distance: f32) -> (Vec3, f32) {
    let mut left = distance;
    for w in arm[from..].windows(2) {
        let step = w[0].center.distance(w[1].center);
        if left <= step {
            let t = left / step.max(1e-6);
            return (
                w[0].center.lerp(w[1].center, t),
                girth(&w[0]) * (1.0 - t) + girth(&w[1]) * t,
            );
        }
        left -= step;
    }
    let last = arm.last().expect("an arm has rings");
    (last.center, girth(last))
}

/// A tube (front and back panels, sewn underneath and on top) from `top` to `hem` along the
/// arm, with those girths, appended to `pattern`; the index of its front panel.
fn sleeve_tube(pattern: &mut Pattern, name: &str, ends: [Vec3; 2], girths: [f32; 2]) -> usize {
    let [top, hem] = ends;
    let length = top.distance(hem);
    let axis = (top - hem).normalize_or(Vec3::Y);
    let mut tube = cone(girths[0], girths[1], length, top);
    tube.bands.clear();
    for p in &mut tube.panels {
        p.placement.axis = axis;
        p.placement.centre = hem;
        p.name = format!("{name} {}", p.name);
    }
    append(pattern, tube)
}

/// The sleeve on arm `k` (0: the left, on +x), sewn into its armhole.
fn sleeve_on(spec: &GarmentSpec, body: &Body, pattern: &mut Pattern, t: &Torso, k: usize) {
    let arm = &body.skeleton.arms[k];
    if arm.len() < 3 {
        return;
    }
    let total: f32 = arm[1..]
        .windows(2)
        .map(|w| w[0].center.distance(w[1].center))
        .sum();
    let length = (0.05 + spec.sleeves().fraction() * total).clamp(0.1, total - 0.01);
    let elbow_at: f32 = arm[1..arm.len().min(5)]
        .windows(2)
        .map(|w| w[0].center.distance(w[1].center))
        .sum();
    let (_, fit_ease) = ease(spec.fit);
    let ease = 0.5 * fit_ease + 0.04 + layer_ease(spec.kind);
    let top = arm[1].center;
    let (hem, hem_girth) = along_arm(arm, 1, length);
    // The cap: as high as the arm's slant asks, as the upper arm's girth allows; the tube
    // is as wide as leaves its capped top the armhole's length.
    let (_, bicep) = along_arm(arm, 1, 0.05);
    let down = (hem - top).normalize_or(Vec3::NEG_Y);
    let (amplitude, half_width) = sleeve_cap(t.slit, 0.5 * (bicep + ease), down);
    let armhole = 2.0 * half_width;
    let name = if k == 0 {
        "left sleeve"
    } else {
        "right sleeve"
    };
    let first = if length > elbow_at + 0.04 {
        let (elbow, elbow_girth) = along_arm(arm, 1, elbow_at);
        let elbow_girth = (elbow_girth + ease).max(0.55 * armhole);
        let upper = sleeve_tube(pattern, name, [top, elbow], [armhole, elbow_girth]);
        let lower = sleeve_tube(
            pattern,
            &format!("{name} lower"),
            [elbow, hem],
            [elbow_girth, (hem_girth + ease).min(elbow_girth)],
        );
        for side in 0..2 {
            pattern.seams.push(Seam::edges(
                upper + side,
                Edge::Bottom,
                lower + side,
                Edge::Top,
            ));
        }
        upper
    } else {
        sleeve_tube(
            pattern,
            name,
            [top, hem],
            [armhole, (hem_girth + ease).max(0.6 * armhole)],
        )
    };
    // On the left arm (+x) the front half's right edge runs over the arm and the back
    // half's left edge; on the right arm the reverse (see `sleeve_tube`'s placement).
    cap(pattern, first, amplitude, k == 0);
    cap(pattern, first + 1, amplitude, k != 0);
    // The armhole: above the side seam, the front's and the back's side edges. On +x the
    // front's right edge runs up and the back's left edge down; on −x the reverse.
    let a = t.armpit;
    let (front, back) = if k == 0 {
        (
            Side::part(FRONT, Edge::Right, a, 1.0),
            Side::part(BACK, Edge::Left, 0.0, 1.0 - a),
        )
    } else {
        (
            Side::part(FRONT, Edge::Left, 0.0, 1.0 - a),
            Side::part(BACK, Edge::Right, a, 1.0),
        )
    };
    pattern.seams.push(Seam {
        a: front,
        b: Side::whole(first, Edge::Top),
        reversed: false,
    });
    pattern.seams.push(Seam {
        a: back,
        b: Side::whole(first + 1, Edge::Top),
        reversed: false,
    });
}

/// The length of a sleeve cap's edge across one half of the sleeve: a half cosine wave
/// `half_width` across, falling `2 × amplitude` from over the arm to under it (m).
fn cap_edge(half_width: f32, amplitude: f32) -> f32 {
    const STEPS: usize = 32;
    (0..STEPS)
        .map(|k| {
            let u = (k as f32 + 0.5) / STEPS as f32;
            let slope = PI * amplitude / half_width.max(1e-6) * (PI * u).sin();
            (half_width / STEPS as f32) * (1.0 + slope * slope).sqrt()
        })
        .sum()
}

/// How much of the arm's slant a sleeve cap takes up. A tube cut square hangs straight out
/// from the armhole's (vertical) plane; cut along that plane it would hang along the arm — a
/// cylinder of radius r cut at φ to its cross-section has an edge r·tan φ above and below
/// its middle. Taking all of it, the sleeves came out too narrow across the upper arm and
/// pulled at the underarm (a shirt's worst edge 45 %); taking none, the cloth over the
/// shoulder point stretched to reach down the arm (32 % on the male avatar). A share of 0.4
/// left 14 %, 0.2 and 0.6 about 20 % (shirts, 1.5 cm mesh, after relaxing).
const CAP_SHARE: f32 = 0.4;

/// A set-in sleeve's cap for an arm hanging along `down` from an armhole whose halves are
/// `half_armhole` long: its amplitude (half the cap's height, [`CAP_SHARE`] of the slant's)
/// and the half width of the sleeve across the cap — as wide as leaves the capped edge the
/// armhole's length, and the cap lowered until the sleeve is `min_half_width` across.
fn sleeve_cap(half_armhole: f32, min_half_width: f32, down: Vec3) -> (f32, f32) {
    if half_armhole <= min_half_width {
        return (0.0, half_armhole);
    }
    let slant = down.x.abs().clamp(0.0, 0.95);
    let tan_phi = CAP_SHARE * slant / (1.0 - slant * slant).sqrt();
    let width_for = |amplitude: f32| {
        let (mut lo, mut hi) = (0.0f32, half_armhole);
        for _ in 0..40 {
            let mid = 0.5 * (lo + hi);
            if cap_edge(mid, amplitude) > half_armhole {
                hi = mid;
            } else {
                lo = mid;
            }
        }
        lo
    };
    let mut amplitude = width_for(0.0) / PI * tan_phi;
    for _ in 0..8 {
        let width = width_for(amplitude);
        let wanted = (2.0 * width / TAU * tan_phi).min(amplitude);
        if width >= min_half_width && (wanted - amplitude).abs() < 1e-4 {
            break;
        }
        amplitude = if width < min_half_width {
            amplitude * 0.8
        } else {
            wanted
        };
    }
    (amplitude, width_for(amplitude))
}

/// Cuts a cap into the top edge of sleeve panel `panel` (one half of a tube): lowered by
/// nothing where it runs over the arm (its right edge when `over_on_right`) to `2 ×
/// amplitude` under it, along a half cosine, each point moved down the panel's sides.
fn cap(pattern: &mut Pattern, panel: usize, amplitude: f32, over_on_right: bool) {
    if amplitude <= 0.0 {
        return;
    }
    let p = &mut pattern.panels[panel];
    let c = p.corners;
    let (right_down, left_down) = (
        (c[1] - c[2]).normalize_or(Vec2::NEG_Y),
        (c[0] - c[3]).normalize_or(Vec2::NEG_Y),
    );
    let top = p.edge_points(Edge::Top);
    let lengths: Vec<f32> = std::iter::once(0.0)
        .chain(top.windows(2).scan(0.0, |run, w| {
            *run += w[0].distance(w[1]);
            Some(*run)
        }))
        .collect();
    let total = lengths.last().copied().unwrap_or(0.0).max(1e-6);
    // Resampled finely: the cap's curve needs more points than the arc had.
    let samples = 24;
    let at = |u: f32| {
        let target = u * total;
        let k = lengths
            .partition_point(|&l| l < target)
            .clamp(1, top.len() - 1);
        let t = (target - lengths[k - 1]) / (lengths[k] - lengths[k - 1]).max(1e-9);
        top[k - 1].lerp(top[k], t.clamp(0.0, 1.0))
    };
    // The top edge runs from the right corner (u = 0) to the left (u = 1).
    let lowered = |u: f32| {
        let drop = if over_on_right {
            amplitude * (1.0 - (PI * u).cos())
        } else {
            amplitude * (1.0 + (PI * u).cos())
        };
        at(u) + right_down.lerp(left_down, u).normalize_or(Vec2::NEG_Y) * drop
    };
    p.corners[2] = lowered(0.0);
    p.corners[3] = lowered(1.0);
    p.via[Edge::Top as usize] = (1..samples)
        .map(|k| lowered(k as f32 / samples as f32))
        .collect();
}

/// A stand collar `height` high round the neckline, open at the centre front.
fn collar_on(pattern: &mut Pattern, t: &Torso, front: (f32, f32), back: (f32, f32), height: f32) {
    let (fl, bl) = (
        t.top_length[0] * (front.1 - front.0),
        t.top_length[1] * (back.1 - back.0),
    );
    let total = fl + bl;
    let collar = pattern.panels.len();
    pattern.panels.push(Panel {
        via: Default::default(),
        name: "collar".into(),
        corners: [
            Vec2::ZERO,
            Vec2::new(total, 0.0),
            Vec2::new(total, height),
            Vec2::new(0.0, height),
        ],
        placement: Placement::around_y(t.neck - Vec3::Y * 0.01, total / TAU, 0.0),
    });
    // Round from the centre front towards +x: the front's left half of the neckline (its top
    // edge runs +x → −x, so from the neck's +x end to the centre), the back's (−x → +x), the
    // front's right half.
    let (q, b) = (fl / 2.0 / total, bl / total);
    let mid = (front.0 + front.1) / 2.0;
    for (collar_span, side) in [
        ((0.0, q), Side::part(FRONT, Edge::Top, front.0, mid)),
        ((q, q + b), Side::part(BACK, Edge::Top, back.0, back.1)),
        ((q + b, 1.0), Side::part(FRONT, Edge::Top, mid, front.1)),
    ] {
        pattern.seams.push(Seam {
            a: Side::part(collar, Edge::Bottom, collar_span.0, collar_span.1),
            b: side,
            reversed: false,
        });
    }
    pattern.tapes.push((collar, Edge::Top));
}

/// A hood: two halves round the head, from either side of the face to the centre back,
/// sewn down the back and over the crown; their bottoms eased (15 % longer) round the
/// neckline but for a gap at the centre front, where the face opening starts.
fn hood_on(body: &Body, pattern: &mut Pattern, t: &Torso, front: (f32, f32), back: (f32, f32)) {
    let s = &body.skeleton;
    // Each half runs from FACE radians off the centre front round to the centre back.
    const FACE: f32 = 1.1;
    let span = PI - FACE;
    let (fm, bm) = ((front.0 + front.1) / 2.0, (back.0 + back.1) / 2.0);
    // The neckline's front gap, as a fraction of its top edge, matching the face's angle.
    let gap = (front.1 - front.0) / 2.0 * FACE / PI;
    let fl = t.top_length[0] * (fm - gap - front.0);
    let bl = t.top_length[1] * (back.1 - bm);
    let bottom = 1.15 * (fl + bl);
    let r0 = bottom / span;
    // From where the neckline settles (on the sloping shoulders, below the panels' tops).
    let base = Vec3::new(s.head_center.x, s.shoulder_y + 0.03, s.head_center.z);
    // Wide enough round the head where it is widest, 3 cm clear.
    let head = s.head_radii.x.max(s.head_radii.z) + 0.03;
    let rise = (s.head_center.y - base.y).max(0.05);
    let slope = ((head - r0) / rise).max(0.0);
    let height = s.head_center.y + s.head_radii.y + 0.01 - base.y;
    // The crown closes by drawing the top edges together: a little more height for it.
    let height = height + 0.15 * (r0 + slope * height);
    let top = span * (r0 + slope * height);
    let inset = (bottom - top) / 2.0;
    let first = pattern.panels.len();
    for (name, from) in [("hood left", FACE), ("hood right", PI)] {
        pattern.panels.push(Panel {
            via: Default::default(),
            name: name.into(),
            corners: [
                Vec2::ZERO,
                Vec2::new(bottom, 0.0),
                Vec2::new(bottom - inset, height),
                Vec2::new(inset, height),
            ],
            placement: Placement::around_y(base, r0, from),
        });
    }
    let (left, right) = (first, first + 1);
    pattern
        .seams
        .push(Seam::edges(left, Edge::Right, right, Edge::Left));
    pattern
        .seams
        .push(Seam::edges(left, Edge::Top, right, Edge::Top));
    // The left half runs from beside the face over +x to the centre back; the right half on
    // round over −x. The front's top edge runs +x → −x, the back's −x → +x.
    let q = fl / (fl + bl);
    for (hood, span, side) in [
        (
            left,
            (0.0, q),
            Side::part(FRONT, Edge::Top, front.0, fm - gap),
        ),
        (left, (q, 1.0), Side::part(BACK, Edge::Top, bm, back.1)),
        (
            right,
            (0.0, 1.0 - q),
            Side::part(BACK, Edge::Top, back.0, bm),
        ),
        (
            right,
            (1.0 - q, 1.0),
            Side::part(FRONT, Edge::Top, fm + gap, front.1),
        ),
    ] {
        pattern.seams.push(Seam {
            a: Side::part(hood, Edge::Bottom, span.0, span.1),
            b: side,
            reversed: false,
        });
    }
}

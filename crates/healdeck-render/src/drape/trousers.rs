//! Trousers and shorts as a pattern maker drafts them: four panels, a front and a back for
//! each leg, each from the waist to the hem. A front panel is a quarter of the hips wide at
//! the hip line, less a centimetre, and its crotch curve runs down the centre front and out
//! under the body to a crotch extension a sixteenth of the hips long; a back panel is a
//! quarter and a centimetre wide, its centre back slanted and raised, its extension a tenth
//! of the hips. Below the crotch line each panel is half the leg's girth (with the fit's
//! ease) either side of its crease line. Fronts are sewn to backs at the side seams and the
//! inseams, the two fronts at the centre front and the two backs at the centre back — where
//! the four meet, under the body, their corners add up to about a full turn, so the cloth
//! lies flat there (a seat sewn to two leg tubes meets at two full turns, and stretches).
//!
//! Panels are laid flat in front of and behind the body, each leg's tilted along the leg
//! and moved out by its extension so that its inseam starts clear of the other leg; sewing
//! draws them round.

use super::measure::{crotch_length, girth_at};
use super::programs::{SPACING, ease, girth};
use crate::avatar::Body;
use crate::garment::{Fit, GarmentSpec, GarmentType};
use glam::{Mat3, Vec2, Vec3};
use healdeck_cloth::freeform::{FreePanel, FreePattern, FreeSeam};
use healdeck_cloth::outline;

/// The panel's edges, in the order they are drawn (left leg, seen from the front).
const INSEAM: usize = 0;
const SIDE: usize = 2;
const RISE: usize = 4;

/// One half of a leg (its front or its back), in the body's x and y (metres) for the left
/// leg, the centre line at x = 0.
struct Half {
    /// The centre line's top (at the waist) and its point at the hip line.
    centre_top: Vec2,
    centre_hip: Vec2,
    /// The side seam from the hip line up to the waist.
    hip_to_waist: Vec<Vec2>,
    /// The crotch point: where the crotch curve meets the inseam, `extension` past the
    /// centre line.
    crotch: Vec2,
    extension: f32,
    /// The crease line's x; the leg's width at each level below the crotch, from the
    /// crotch line down to the hem.
    crease: f32,
    widths: Vec<(f32, f32)>,
}

impl Half {
    /// The outline's edges, counter-clockwise seen from the front: the inseam (crotch point
    /// to hem), the hem, the side seam (up to the waist), the waist, the rise (down the
    /// centre line and out along the crotch curve to the crotch point).
    fn edges(&self) -> Vec<Vec<Vec2>> {
        let at = |(y, w): (f32, f32), side: f32| Vec2::new(self.crease + side * w / 2.0, y);
        let (first, rest) = self.widths.split_first().expect("a leg has levels");
        let hem = *rest.last().unwrap_or(first);
        let inner: Vec<Vec2> = rest.iter().map(|l| at(*l, -1.0)).collect();
        let below = inner.get(1).copied().unwrap_or(inner[0] + Vec2::NEG_Y);
        let mut inseam = vec![self.crotch];
        inseam.extend(inseam_top(self.crotch, inner[0], below));
        inseam.extend(&inner[1..]);
        let mut side: Vec<Vec2> = self.widths.iter().rev().map(|l| at(*l, 1.0)).collect();
        side.extend(&self.hip_to_waist);
        let side_top = *self.hip_to_waist.last().expect("a side seam");
        let mut rise = vec![self.centre_top, self.centre_hip];
        rise.extend(crotch_curve(self.centre_hip, self.crotch));
        vec![
            inseam,
            vec![at(hem, -1.0), at(hem, 1.0)],
            side,
            vec![side_top, self.centre_top],
            rise,
        ]
    }
}

/// The inseam's top, from the crotch point to `to` (the next level down): leaving the
/// crotch point straight down (square to the crotch line, so the four panels' corners there
/// make a full turn) and easing into the line towards `to`.
fn inseam_top(crotch: Vec2, to: Vec2, below: Vec2) -> Vec<Vec2> {
    const STEPS: usize = 8;
    let (start, end) = (
        Vec2::NEG_Y * crotch.distance(to),
        (below - to).normalize_or(Vec2::NEG_Y) * crotch.distance(to),
    );
    (1..=STEPS)
        .map(|k| {
            let t = k as f32 / STEPS as f32;
            let (t2, t3) = (t * t, t * t * t);
            crotch * (2.0 * t3 - 3.0 * t2 + 1.0)
                + start * (t3 - 2.0 * t2 + t)
                + to * (-2.0 * t3 + 3.0 * t2)
                + end * (t3 - t2)
        })
        .collect()
}

/// The crotch curve from the centre line at the hip line down to the crotch point: a
/// quarter ellipse, leaving the centre line downwards and meeting the crotch point level.
fn crotch_curve(hip: Vec2, crotch: Vec2) -> Vec<Vec2> {
    const STEPS: usize = 10;
    let radii = Vec2::new(hip.x - crotch.x, hip.y - crotch.y);
    (1..=STEPS)
        .map(|k| {
            let a = k as f32 / STEPS as f32 * std::f32::consts::FRAC_PI_2;
            Vec2::new(crotch.x + radii.x * a.cos(), hip.y - radii.y * a.sin())
        })
        .collect()
}

/// How much longer (m) the crotch seam is than the body's crotch length, by fit.
fn crotch_ease(fit: Fit) -> f32 {
    match fit {
        Fit::Tight => 0.02,
        Fit::Regular => 0.05,
        Fit::Loose => 0.09,
    }
}

/// The two halves of a leg (front, back) drafted for `spec` on `body` with the crotch line
/// at `crotch_y`, and their extensions.
fn draft(spec: &GarmentSpec, body: &Body, crotch_y: f32) -> (Half, Half) {
    let s = &body.skeleton;
    let m = &body.measured;
    let (waist_ease, ease) = ease(spec.fit);
    let waist = m.waist_cm / 100.0 + waist_ease;
    let hips = (m.hips_cm / 100.0 + ease).max(waist);
    let leg = &s.legs[0];
    let thigh = leg.get(1).map_or(hips * 0.6, girth) + ease;
    let knee = leg.get(3).map_or(thigh * 0.7, girth) + ease;
    let knee_y = leg.get(3).map_or(crotch_y - 0.35, |r| r.center.y);
    // Extensions: a sixteenth of the hips in front, a tenth behind — more when the thigh
    // (with ease) needs more than the panels' width at the crotch line.
    let opening = hips / 2.0 + hips / 16.0 + hips / 10.0;
    let grow = (thigh / opening).max(1.0);
    let (front_ext, back_ext) = (hips / 16.0 * grow, hips / 10.0 * grow);
    // Shorts: 8 to 30 cm of leg; trousers: from 5 cm below the knee to 9 cm above the floor.
    let (shortest, longest) = if spec.kind == GarmentType::Shorts {
        (0.08, 0.30)
    } else {
        (crotch_y - knee_y + 0.05, crotch_y - 0.09)
    };
    let hem_y = crotch_y - (shortest + (longest - shortest) * spec.length.clamp(0.0, 1.0));
    // Each half's width at each level below the crotch line: from its width there to half
    // the knee's girth at the knee, then a little narrower down to the hem.
    let levels = |at_crotch: f32, shift: f32| {
        let at = |y: f32| {
            let t = ((crotch_y - y) / (crotch_y - knee_y).max(0.05)).clamp(0.0, 1.0);
            // Below the knee a straight leg narrows by 4 cm round to the ankle, no narrower
            // than a foot goes through (34 cm round).
            let below = ((knee_y - y) / (knee_y - 0.09).max(0.05)).clamp(0.0, 1.0);
            let ankle = (knee / 2.0 - 0.02).max(0.17);
            at_crotch + (knee / 2.0 - at_crotch) * t + (ankle - knee / 2.0) * below + shift * t
        };
        let mut l = vec![(crotch_y, at_crotch)];
        if knee_y > hem_y + 0.02 {
            l.push((knee_y, at(knee_y)));
        }
        l.push((hem_y, at(hem_y)));
        l
    };
    // The side seam above the hip line follows the body's girth (the ease going from the
    // hips' to the waistband's), a quarter each side of the centre line, the front a
    // centimetre less and the back a centimetre more. A ring is a superellipse fitted to
    // the body's cut, boxier than a tape round it: its girths are scaled to the tape's at
    // the waist.
    let to_tape = m.waist_cm / 100.0 / girth_at(body, s.waist_y).max(0.3);
    let side_line = |centre_top: f32, share: f32| -> Vec<Vec2> {
        const LEVELS: usize = 8;
        (0..=LEVELS)
            .map(|k| {
                let t = k as f32 / LEVELS as f32;
                let y = s.hip_y + (s.waist_y - s.hip_y) * t;
                let g = if k == 0 {
                    hips
                } else {
                    let g = girth_at(body, y) * to_tape + ease + (waist_ease - ease) * t;
                    g.clamp(waist, hips)
                };
                Vec2::new(centre_top * t + g / 4.0 + share, y)
            })
            .collect()
    };
    let rise = s.waist_y - crotch_y;
    let (front_hip, back_hip) = (hips / 4.0 - 0.01, hips / 4.0 + 0.01);
    let front = Half {
        centre_top: Vec2::new(0.01, s.waist_y),
        centre_hip: Vec2::new(0.0, crotch_y + rise / 3.0),
        hip_to_waist: side_line(0.01, -0.01),
        crotch: Vec2::new(-front_ext, crotch_y),
        extension: front_ext,
        crease: (front_hip - front_ext) / 2.0,
        widths: levels(front_hip + front_ext, -0.01),
    };
    // The back's centre slants out 3 cm and rises 2 cm above the waist (the seat's length),
    // its crotch point a centimetre lower.
    let back = Half {
        centre_top: Vec2::new(0.03, s.waist_y + 0.02),
        centre_hip: Vec2::new(0.0, crotch_y + rise * 0.4),
        hip_to_waist: side_line(0.03, 0.01),
        crotch: Vec2::new(-back_ext, crotch_y - 0.01),
        extension: back_ext,
        crease: (back_hip - back_ext) / 2.0,
        widths: levels(back_hip + back_ext, 0.01),
    };
    (front, back)
}

/// Trousers or shorts for `spec` on `body`: left front, left back, right front, right back.
/// The crotch line is lowered (from the body's, half a centimetre at a time, at most 12 cm)
/// until the crotch seam is the body's crotch length and the fit's ease.
pub fn trousers(spec: &GarmentSpec, body: &Body) -> FreePattern {
    let s = &body.skeleton;
    let want = crotch_length(body).map(|l| l + crotch_ease(spec.fit));
    let seam = |(front, back): &(Half, Half)| {
        outline::length(&front.edges()[RISE]) + outline::length(&back.edges()[RISE])
    };
    let mut drop = 0.0;
    let mut halves = draft(spec, body, s.crotch_y);
    while want.is_some_and(|w| seam(&halves) < w) && drop < 0.12 {
        drop += 0.005;
        halves = draft(spec, body, s.crotch_y - drop);
    }
    let (front, back) = halves;
    let leg = &s.legs[0];
    // Each leg's panels tilt along the leg (an A-pose spreads them) about the crotch point.
    let tilt = leg.get(1).zip(leg.last()).map_or(0.0, |(upper, lower)| {
        let axis = upper.center - lower.center;
        (-axis.x).atan2(axis.y)
    });
    let mut panels = Vec::new();
    let mut reversed = Vec::new();
    for (side, name) in [(1.0f32, "left"), (-1.0, "right")] {
        for (half, part, ext, faces_front) in [
            (&front, "front", front.extension, true),
            (&back, "back", back.extension, false),
        ] {
            let edges = half.edges();
            let pivot = half.crotch;
            let turn = Mat3::from_rotation_z(tilt * side);
            // Moved out by the extension: the crotch point at the centre line.
            let shift = Vec3::new(ext * side, 0.0, 0.0);
            let mirror = |p: Vec2| Vec2::new(p.x * side, p.y);
            let mut edges: Vec<Vec<Vec2>> = edges
                .into_iter()
                .map(|e| e.into_iter().map(mirror).collect())
                .collect();
            // Cloth faces the way its outline turns counter-clockwise: a front's outline must
            // turn so seen from the front, a back's seen from behind.
            let mirrored = side < 0.0;
            let reverse = mirrored == faces_front;
            if reverse {
                edges.reverse();
                for e in &mut edges {
                    e.reverse();
                }
            }
            let pivot = mirror(pivot).extend(0.0);
            panels.push(FreePanel {
                name: format!("{name} {part}"),
                edges,
                rotation: turn,
                translation: pivot - turn * pivot + shift,
            });
            reversed.push(reverse);
        }
    }
    // The edges' indices once a panel's outline is reversed.
    let edge = |panel: usize, e: usize| (panel, if reversed[panel] { RISE - e } else { e });
    let seam = |a: (usize, usize), b: (usize, usize)| FreeSeam {
        a: edge(a.0, a.1),
        b: edge(b.0, b.1),
        // Every seam is drawn start to start; a reversed outline runs it the other way.
        same_direction: reversed[a.0] == reversed[b.0],
    };
    let seams = vec![
        seam((0, INSEAM), (1, INSEAM)),
        seam((0, SIDE), (1, SIDE)),
        seam((2, INSEAM), (3, INSEAM)),
        seam((2, SIDE), (3, SIDE)),
        seam((0, RISE), (2, RISE)),
        seam((1, RISE), (3, RISE)),
    ];
    FreePattern {
        panels,
        seams,
        spacing: SPACING,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::avatar::Template;
    use healdeck_cloth::solver::Mechanics;

    fn spec(json: &str) -> GarmentSpec {
        GarmentSpec::from_json(json).expect("spec")
    }

    fn body(template: Template) -> Body {
        Body::new(template, template.defaults()).expect("body")
    }

    /// A panel's corner (degrees) at the point where its edges `before` and `after` meet.
    fn corner(panel: &FreePanel, before: usize, after: usize) -> f32 {
        let (a, b) = (&panel.edges[before], &panel.edges[after]);
        let at = b[0];
        let (into, out) = (a[a.len() - 2] - at, b[1] - at);
        into.angle_to(out).abs().to_degrees()
    }

    #[test]
    fn the_four_panels_meet_under_the_body_in_about_a_full_turn() {
        for template in [Template::Female, Template::Male, Template::Neutral] {
            let pattern = trousers(&spec(r#"{"type": "pants"}"#), &body(template));
            assert_eq!(pattern.panels.len(), 4);
            // Each panel's corner between its rise and its inseam: edges 4 and 0 whichever
            // way its outline runs (a reversed panel's rise starts at the crotch point).
            let total: f32 = pattern.panels.iter().map(|p| corner(p, RISE, INSEAM)).sum();
            assert!((340.0..=380.0).contains(&total), "{template:?}: {total}°");
        }
    }

    #[test]
    fn the_crotch_seam_is_the_bodys_crotch_length_and_the_fits_ease() {
        for template in [Template::Female, Template::Male, Template::Neutral] {
            let body = body(template);
            let length = crotch_length(&body).expect("the body is cut in its middle");
            assert!((0.55..0.9).contains(&length), "{template:?}: {length}");
            let mut seams = Vec::new();
            for fit in ["tight", "regular", "loose"] {
                let json = format!(r#"{{"type": "shorts", "fit": "{fit}"}}"#);
                let (front, back) = {
                    let p = trousers(&spec(&json), &body);
                    (p.panels[0].clone(), p.panels[1].clone())
                };
                // The left front's rise is its edge 4; the left back is reversed (edge 0).
                let seam = outline::length(&front.edges[RISE]) + outline::length(&back.edges[0]);
                let want = length + crotch_ease(spec(&json).fit);
                assert!(
                    seam >= want && seam < want + 0.02,
                    "{template:?} {fit}: {seam} for {want}"
                );
                seams.push(seam);
            }
            assert!(seams[0] < seams[1] && seams[1] < seams[2], "{seams:?}");
        }
    }

    #[test]
    fn panels_face_outwards_and_every_seam_closes_edges_of_one_length() {
        let body = body(Template::Female);
        let cotton = Mechanics {
            density: 0.15,
            stretch_compliance: 1e-6,
            compress_compliance: 0.01,
            bend_compliance: 1e5,
            friction: 0.3,
            strain_limit: f32::INFINITY,
        };
        for json in [
            r#"{"type": "pants", "length": 1.0}"#,
            r#"{"type": "shorts", "length": 0.0, "fit": "loose"}"#,
        ] {
            let pattern = trousers(&spec(json), &body);
            let cloth = pattern.cloth(cotton).expect("sews");
            for (k, seam) in pattern.seams.iter().enumerate() {
                let len = |(p, e): (usize, usize)| outline::length(&pattern.panels[p].edges[e]);
                let (a, b) = (len(seam.a), len(seam.b));
                assert!((a - b).abs() < 0.02, "{json}: seam {k}: {a} and {b}");
            }
            // Fronts face +z, backs −z: the mean normal of each half of the cloth.
            let facing: f32 = cloth
                .triangles
                .iter()
                .map(|t| {
                    let [a, b, c] = t.map(|i| cloth.positions[i as usize]);
                    let n = (b - a).cross(c - a);
                    if (a.z + b.z + c.z) > 0.0 { n.z } else { -n.z }
                })
                .sum();
            assert!(facing > 0.0, "{json}");
        }
        let hem = |json: &str| {
            let p = trousers(&spec(json), &body);
            p.panels[0].edges[1][0].y
        };
        let (shorts, short_trousers, long) = (
            hem(r#"{"type": "shorts", "length": 0.5}"#),
            hem(r#"{"type": "pants", "length": 0.0}"#),
            hem(r#"{"type": "pants", "length": 1.0}"#),
        );
        assert!(shorts > short_trousers && short_trousers > long + 0.2);
        assert!((long - 0.09).abs() < 0.01, "{long}");
    }
}

//! Gores: panels cut as a sector of a ring, the way a pattern maker drafts a flared skirt —
//! the waist and the hem are arcs around the point where the side seams would meet, so when
//! the panel is rolled into a cone both lie level round the body (a trapezoid's straight
//! waist would dip at the sides and ride up in the middle) — and a two-panel skirt of them.

use crate::outline::arc;
use crate::pattern::{Edge, Panel, Pattern, Placement, Seam};
use glam::{Vec2, Vec3};
use std::f32::consts::{PI, TAU};

/// A gore `length` long down its sides, `top` wide at the top and `bottom` at the bottom
/// (along its arcs), placed by `placement`. Equal widths give a rectangle.
pub fn gore(name: &str, top: f32, bottom: f32, length: f32, placement: Placement) -> Panel {
    let spread = (bottom - top).abs();
    if spread < 1e-4 {
        let corners = [
            Vec2::ZERO,
            Vec2::new(bottom, 0.0),
            Vec2::new(bottom, length),
            Vec2::new(0.0, length),
        ];
        return Panel::new(name, corners, placement);
    }
    // The sides are radii of the ring: the panel spans `angle` at the apex, and its arcs are
    // `bottom` and `top` long.
    let angle = spread / length;
    let (r_bottom, r_top) = (bottom / angle, top / angle);
    // The apex is above a panel widening downwards, below one narrowing.
    let up = if bottom > top { -1.0 } else { 1.0 };
    let at = |r: f32, phi: f32| Vec2::new(phi.sin(), up * phi.cos()) * r;
    let half = angle / 2.0;
    let corners = [
        at(r_bottom, -half),
        at(r_bottom, half),
        at(r_top, half),
        at(r_top, -half),
    ];
    let apex = Vec2::ZERO;
    Panel::new(name, corners, placement)
        .with_edge(Edge::Bottom, arc(corners[0], corners[1], apex))
        .with_edge(Edge::Top, arc(corners[2], corners[3], apex))
}

/// A two-panel skirt of trapezoids (straight edges): rolled up, its top dips at the sides and
/// rises in the middle, and its bottom the other way. Trousers' seat is cut so: its bottom,
/// rising at the centre front and back, is the crotch curve between the legs.
pub fn straight_skirt(waist: f32, hem: f32, length: f32, centre: Vec3) -> Pattern {
    let mut pattern = skirt(waist, hem, length, centre);
    let (w, h) = (waist / 2.0, hem / 2.0);
    let flare = (h - w) / 2.0;
    for p in &mut pattern.panels {
        p.corners = [
            Vec2::new(0.0, 0.0),
            Vec2::new(h, 0.0),
            Vec2::new(h - flare, length),
            Vec2::new(flare, length),
        ];
        p.via = Default::default();
        p.placement.centre = centre - Vec3::Y * length;
    }
    pattern
}

/// A two-panel skirt (front and back, gores) sewn at the sides: waist and hem girths and
/// length (down the side seams) in metres, its waistband at `centre`. Its hem may flare
/// out to most of a circle (each panel less than half a ring).
pub fn skirt(waist: f32, hem: f32, length: f32, centre: Vec3) -> Pattern {
    let (w, h) = (waist / 2.0, hem / 2.0);
    // A panel spans a half turn round the body: a cone's slope follows from how much of a
    // ring the panel is (sin β = its angle at the apex over π), and the waist's height above
    // the hem from the slope.
    let angle = (h - w).abs() / length;
    let slope = (angle / PI).min(1.0);
    let drop = length * (1.0 - slope * slope).sqrt();
    let panel = |name: &str, from: f32| {
        gore(
            name,
            w,
            h,
            length,
            Placement::around_y(centre - Vec3::Y * drop, hem / TAU, from),
        )
    };
    Pattern {
        panels: vec![panel("front", -PI / 2.0), panel("back", PI / 2.0)],
        seams: vec![
            Seam::edges(0, Edge::Right, 1, Edge::Left),
            Seam::edges(1, Edge::Right, 0, Edge::Left),
        ],
        bands: vec![vec![(0, Edge::Top), (1, Edge::Top)]],
        tapes: Vec::new(),
        spacing: 0.015,
    }
}

//! Meshing one panel: its flat points in rows, from the bottom edge up to the top, and the
//! triangles between consecutive rows. A straight-edged panel is a regular grid. A curved
//! one is filled in between its edges (a Coons patch) and each row gets as many particles as
//! its own length needs at the pattern's spacing — a gore's waist is a third of its hem, and
//! a grid would crowd its top row with three times the particles, in sliver triangles.

use crate::outline::{self, Edges};
use crate::pattern::{Edge, Panel};
use glam::Vec2;

/// A meshed panel's flat points, row by row from the bottom, each row from left to right.
pub(crate) type Rows = Vec<Vec<Vec2>>;

/// Where seams start and end along each of a panel's edges (bottom, right, top, left; each
/// a list of fractions of the edge's length in its own, counter-clockwise direction): the
/// mesh puts a particle exactly at each, so every seam ends on a particle of both panels
/// and three seams meeting at a point (a shoulder seam, a neckline and a collar) meet at
/// one.
pub(crate) type Breaks = [Vec<f32>; 4];

/// The panel's rows at about `spacing` apart, with particles at `breaks`.
pub(crate) fn rows(p: &Panel, spacing: f32, breaks: &Breaks) -> Rows {
    let length = |e: Edge| outline::length(&p.edge_points(e));
    let width = length(Edge::Bottom).max(length(Edge::Top));
    let height = length(Edge::Left).max(length(Edge::Right));
    let count = |l: f32| ((l / spacing).round() as usize).max(1) + 1;
    let (nx, ny) = (count(width), count(height));
    let fraction = |k: usize, n: usize| k as f32 / (n - 1) as f32;
    // The rows' heights (fractions of the side edges, both walked upwards): evenly spaced
    // but for a row at each break of the right edge (upwards) and of the left (downwards).
    let [bottom_breaks, right_breaks, top_breaks, left_breaks] = breaks;
    let side_breaks: Vec<f32> = right_breaks
        .iter()
        .copied()
        .chain(left_breaks.iter().map(|f| 1.0 - f))
        .collect();
    let heights = outline::stations(&[Vec2::ZERO, Vec2::Y], ny, &side_breaks);
    let c = p.corners;
    if p.is_straight() && bottom_breaks.is_empty() && top_breaks.is_empty() {
        return heights
            .iter()
            .map(|&v| {
                (0..nx)
                    .map(|i| {
                        let u = fraction(i, nx);
                        c[0].lerp(c[1], u).lerp(c[3].lerp(c[2], u), v)
                    })
                    .collect()
            })
            .collect();
    }
    let edges =
        Edges::new([Edge::Bottom, Edge::Right, Edge::Top, Edge::Left].map(|e| p.edge_points(e)));
    let samples = (4 * nx).max(16);
    let top_upwards: Vec<f32> = top_breaks.iter().map(|f| 1.0 - f).collect();
    heights
        .iter()
        .enumerate()
        .map(|(j, &v)| {
            // The row's line: the bottom and top edges themselves, or the patch between.
            let (line, row_breaks): (Vec<Vec2>, &[f32]) = if j == 0 {
                (p.edge_points(Edge::Bottom), bottom_breaks)
            } else if j == ny - 1 {
                (
                    p.edge_points(Edge::Top).into_iter().rev().collect(),
                    &top_upwards,
                )
            } else {
                let line = (0..samples)
                    .map(|k| edges.point(fraction(k, samples), v))
                    .collect();
                (line, &[])
            };
            let n = count(outline::length(&line));
            outline::stations(&line, n, row_breaks)
                .into_iter()
                .map(|t| outline::along(&line, t))
                .collect()
        })
        .collect()
}

/// Where each row starts when rows of `counts` particles are numbered one after another from
/// `first`.
pub(crate) fn starts(counts: &[usize], first: usize) -> Vec<usize> {
    counts
        .iter()
        .scan(first, |at, &n| {
            let start = *at;
            *at += n;
            Some(start)
        })
        .collect()
}

/// The triangles over rows of `counts` particles numbered row by row from `first`, each
/// counter-clockwise in the flat (`flat`, the same numbering less `first`). Rows of equal
/// length are a grid with its diagonals alternating (no direction favoured); between rows of
/// different lengths, a strip that advances along whichever row keeps the new edge shorter.
pub(crate) fn triangles(counts: &[usize], flat: &[Vec2], first: u32) -> Vec<[u32; 3]> {
    let starts = starts(counts, 0);
    let id = |i: usize, j: usize| first + (starts[j] + i) as u32;
    let xy = |i: usize, j: usize| flat[starts[j] + i];
    let mut out = Vec::new();
    for j in 0..counts.len().saturating_sub(1) {
        let (n1, n2) = (counts[j], counts[j + 1]);
        if n1 == n2 {
            for i in 0..n1 - 1 {
                let (a, b, d, e) = (id(i, j), id(i + 1, j), id(i, j + 1), id(i + 1, j + 1));
                if (i + j) % 2 == 0 {
                    out.extend([[a, b, e], [a, e, d]]);
                } else {
                    out.extend([[a, b, d], [b, e, d]]);
                }
            }
            continue;
        }
        let (mut i, mut k) = (0, 0);
        while i + 1 < n1 || k + 1 < n2 {
            let lower = if i + 1 == n1 {
                false
            } else if k + 1 == n2 {
                true
            } else {
                xy(i + 1, j).distance(xy(k, j + 1)) <= xy(i, j).distance(xy(k + 1, j + 1))
            };
            if lower {
                out.push([id(i, j), id(i + 1, j), id(k, j + 1)]);
                i += 1;
            } else {
                out.push([id(i, j), id(k + 1, j + 1), id(k, j + 1)]);
                k += 1;
            }
        }
    }
    out
}

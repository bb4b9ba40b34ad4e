//! A panel's outline in the flat: four corners and, between them, edges that may curve —
//! each a polyline through the points it passes, measured and walked by arc length — and
//! the interior filled between the four edges (a Coons patch), which is how a panel with a
//! curved hem, a scooped neckline or a sleeve cap is meshed as a grid.

use glam::Vec2;

/// The length of a polyline.
pub fn length(points: &[Vec2]) -> f32 {
    points.windows(2).map(|w| w[0].distance(w[1])).sum()
}

/// The point a fraction `t` of the way along a polyline, by arc length.
pub(crate) fn along(points: &[Vec2], t: f32) -> Vec2 {
    let total = length(points);
    let (first, last) = (points[0], points[points.len() - 1]);
    if total <= 0.0 || t <= 0.0 {
        return first;
    }
    let mut left = t.min(1.0) * total;
    for w in points.windows(2) {
        let step = w[0].distance(w[1]);
        if left <= step && step > 0.0 {
            return w[0].lerp(w[1], left / step);
        }
        left -= step;
    }
    last
}

/// The points of a circular arc around `centre` strictly between `from` and `to` (the shorter
/// way round), about every 2°, the radius changing evenly from one end to the other: what a
/// panel's edge passes through to be that arc (a flared skirt's waist and hem, a scoop).
pub fn arc(from: Vec2, to: Vec2, centre: Vec2) -> Vec<Vec2> {
    let (a, b) = (from - centre, to - centre);
    let turn = a.angle_to(b);
    let steps = ((turn.abs() / 2f32.to_radians()).ceil() as usize).max(1);
    let (ra, rb) = (a.length(), b.length());
    (1..steps)
        .map(|k| {
            let s = k as f32 / steps as f32;
            centre + Vec2::from_angle(turn * s).rotate(a.normalize_or_zero()) * (ra + (rb - ra) * s)
        })
        .collect()
}

/// Whether the closed polygon `points` crosses itself: two of its sides that are not
/// neighbours meet.
pub(crate) fn crosses_itself(points: &[Vec2]) -> bool {
    let n = points.len();
    let side = |i: usize| (points[i], points[(i + 1) % n]);
    for i in 0..n {
        for j in i + 2..n {
            if i == 0 && j == n - 1 {
                continue;
            }
            let ((a, b), (c, d)) = (side(i), side(j));
            if segments_meet(a, b, c, d) {
                return true;
            }
        }
    }
    false
}

fn segments_meet(a: Vec2, b: Vec2, c: Vec2, d: Vec2) -> bool {
    let orient = |p: Vec2, q: Vec2, r: Vec2| (q - p).perp_dot(r - p);
    let (d1, d2) = (orient(c, d, a), orient(c, d, b));
    let (d3, d4) = (orient(a, b, c), orient(a, b, d));
    (d1 > 0.0) != (d2 > 0.0) && (d3 > 0.0) != (d4 > 0.0) && d1 != d2 && d3 != d4
}

/// Twice the signed area of a closed polygon (positive counter-clockwise).
pub(crate) fn area2(points: &[Vec2]) -> f32 {
    let n = points.len();
    (0..n)
        .map(|i| points[i].perp_dot(points[(i + 1) % n]))
        .sum()
}

/// Where `n` particles go along a polyline (fractions of its length): evenly spaced, but for
/// the one nearest each sharp corner of it (a V neckline's point, turning by more than 20°)
/// and each of `breaks` (fractions where a seam starts or ends), which goes exactly there so
/// the mesh keeps it; the particles between two such points (or one and an end) are spread
/// evenly again, so none ends up a sliver's width from a corner (a V neckline's start: an
/// edge of 8 mm among 15 mm ones, the worst strain). Of two such points nearest the same
/// particle, the first wins.
pub(crate) fn stations(points: &[Vec2], n: usize, breaks: &[f32]) -> Vec<f32> {
    let last = (n - 1).max(1) as f32;
    let mut at: Vec<f32> = (0..n).map(|i| i as f32 / last).collect();
    if n <= 2 {
        return at;
    }
    let total = length(points);
    let mut wanted: Vec<f32> = breaks
        .iter()
        .copied()
        .filter(|f| (1e-3..1.0 - 1e-3).contains(f))
        .collect();
    let mut walked = 0.0;
    for w in points.windows(3) {
        walked += w[0].distance(w[1]);
        let turn = (w[1] - w[0]).angle_to(w[2] - w[1]).abs();
        if turn > 20f32.to_radians() && total > 0.0 {
            wanted.push(walked / total);
        }
    }
    wanted.sort_by(f32::total_cmp);
    // (index, fraction) of the particles that stay put: the ends, the corners, the breaks.
    let mut fixed = vec![(0, 0.0)];
    for f in wanted {
        let i = ((f * last).round() as usize).clamp(1, n - 2);
        if fixed.last().is_some_and(|&(j, _)| j < i) {
            fixed.push((i, f));
        }
    }
    fixed.push((n - 1, 1.0));
    for pair in fixed.windows(2) {
        let ((i0, f0), (i1, f1)) = (pair[0], pair[1]);
        for (i, slot) in at.iter_mut().enumerate().take(i1 + 1).skip(i0) {
            *slot = f0 + (f1 - f0) * (i - i0) as f32 / (i1 - i0) as f32;
        }
    }
    at
}

/// The four edges of a panel as polylines, each in its own (counter-clockwise) direction:
/// bottom (corner 0 → 1), right (1 → 2), top (2 → 3), left (3 → 0).
pub(crate) struct Edges {
    edges: [Vec<Vec2>; 4],
}

impl Edges {
    pub(crate) fn new(edges: [Vec<Vec2>; 4]) -> Edges {
        Edges { edges }
    }

    /// The point at `(u, v)` of the unit square filled in between the four edges (a Coons
    /// patch: u across from the left edge, v up from the bottom, each edge walked by arc
    /// length). With straight edges this is the bilinear blend of the corners.
    pub(crate) fn point(&self, u: f32, v: f32) -> Vec2 {
        let [b, r, t, l] = &self.edges;
        let (c0, c1, c2, c3) = (b[0], r[0], t[0], l[0]);
        let bottom = along(b, u);
        let top = along(t, 1.0 - u);
        let right = along(r, v);
        let left = along(l, 1.0 - v);
        let corners = c0 * ((1.0 - u) * (1.0 - v))
            + c1 * (u * (1.0 - v))
            + c2 * (u * v)
            + c3 * ((1.0 - u) * v);
        bottom * (1.0 - v) + top * v + left * (1.0 - u) + right * u - corners
    }
}

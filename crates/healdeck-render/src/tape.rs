//! A tailor's tape on a body mesh standing upright (y up). A girth is what a tape drawn
//! snug around the body reads: the perimeter of the convex hull of the body's horizontal
//! cross-section at that height — of the part that surrounds the body's centre line, so arms
//! and legs cut by the same plane are left out. Bust is the fullest girth between the waist and
//! the armpits (where the arms' cross-sections join the torso's), waist the narrowest of the
//! torso, hips the fullest below the waist; the crotch is where the
//! cross-section stops surrounding the centre line, and the inseam runs from it to the floor.

/// Girths and lengths, in metres.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Tape {
    pub height: f32,
    pub bust: f32,
    pub waist: f32,
    pub hips: f32,
    pub inseam: f32,
}

/// Where each girth is looked for, as fractions of the height above the floor (the bust
/// below the armpits, at most this high).
const BUST_BAND: (f32, f32) = (0.66, 0.78);
/// How far below the armpits the tape stays.
const ARMPIT_CLEARANCE: f32 = 0.01;
const WAIST_BAND: (f32, f32) = (0.56, 0.66);
/// Spacing of the cross-sections a band is searched with.
const STEP: f32 = 0.002;

/// Why a body could not be measured.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TapeError {
    #[error("the body has no height")]
    Flat,
    #[error("no cross-section surrounds the body's centre line at the {0}")]
    NoTorso(&'static str),
}

/// Measures a body standing on its lowest point, centred on x = 0.
pub fn measure(positions: &[[f32; 3]], quads: &[[u16; 4]]) -> Result<Tape, TapeError> {
    let (floor, top) = positions.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| {
        (lo.min(p[1]), hi.max(p[1]))
    });
    let height = top - floor;
    if height.is_nan() || height <= 0.0 {
        return Err(TapeError::Flat);
    }
    let at = |f: f32| floor + f * height;
    let mesh = Sliceable::new(positions, quads);
    let girth = |y: f32| girth_of(&mesh.at(y));
    let band = |(lo, hi): (f32, f32)| {
        let n = ((at(hi) - at(lo)) / STEP).ceil() as usize;
        (0..=n).map(move |i| at(lo) + i as f32 * STEP)
    };
    let fullest = |ys: &mut dyn Iterator<Item = f32>| {
        ys.filter_map(|y| girth(y).map(|g| (y, g)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
    };
    let narrowest = |ys: &mut dyn Iterator<Item = f32>| {
        ys.filter_map(|y| girth(y).map(|g| (y, g)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    };
    let (waist_y, waist) = narrowest(&mut band(WAIST_BAND)).ok_or(TapeError::NoTorso("waist"))?;
    // Up from the waist the arms are pieces of their own until the armpits, where they join
    // the torso's cross-section; the bust is the fullest girth below that.
    let pieces = |y: f32| mesh.at(y).len();
    let apart = pieces(waist_y);
    let mut armpit = waist_y;
    while armpit < at(BUST_BAND.1) && pieces(armpit + STEP) >= apart {
        armpit += STEP;
    }
    let below_armpits = (armpit - ARMPIT_CLEARANCE).max(waist_y);
    let n = ((below_armpits - waist_y) / STEP).ceil() as usize;
    let (_, bust) = fullest(&mut (0..=n).map(|i| waist_y + i as f32 * STEP))
        .ok_or(TapeError::NoTorso("bust"))?;
    // Down from the waist, the torso's cross-section surrounds the centre line until the legs
    // part: that height is the crotch; the hips are the fullest girth above it.
    let mut y = waist_y;
    let mut hips = (waist_y, waist);
    while let Some(g) = girth(y - STEP) {
        y -= STEP;
        if g > hips.1 {
            hips = (y, g);
        }
        if y <= floor {
            return Err(TapeError::NoTorso("crotch"));
        }
    }
    Ok(Tape {
        height,
        bust,
        waist,
        hips: hips.1,
        inseam: y - floor,
    })
}

/// The girth at height `y` of the part of the cross-section around the centre line.
pub fn torso_girth(positions: &[[f32; 3]], quads: &[[u16; 4]], y: f32) -> Option<f32> {
    girth_of(&cross_section(positions, quads, y))
}

/// The points where the plane at height `y` cuts the mesh's edges, grouped into the
/// connected pieces of the cross-section (edges of one quad belong together).
pub fn cross_section(positions: &[[f32; 3]], quads: &[[u16; 4]], y: f32) -> Vec<Vec<[f32; 2]>> {
    Sliceable::new(positions, quads).at(y)
}

/// The largest girth among the pieces that surround the centre line (x = 0).
fn girth_of(parts: &[Vec<[f32; 2]>]) -> Option<f32> {
    parts
        .iter()
        .filter(|pts| {
            let (lo, hi) = pts.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| {
                (lo.min(p[0]), hi.max(p[0]))
            });
            lo < 0.0 && hi > 0.0
        })
        .map(|pts| hull_perimeter(pts))
        .max_by(f32::total_cmp)
}

/// A mesh ready to be cut many times: its quads sorted by their lowest point, so a cut
/// visits only the quads whose height range holds it.
struct Sliceable<'m> {
    positions: &'m [[f32; 3]],
    quads: &'m [[u16; 4]],
    /// (lowest y, highest y, quad), by lowest y.
    order: Vec<(f32, f32, usize)>,
    /// The tallest quad's height.
    tallest: f32,
}

impl<'m> Sliceable<'m> {
    fn new(positions: &'m [[f32; 3]], quads: &'m [[u16; 4]]) -> Sliceable<'m> {
        let mut order: Vec<(f32, f32, usize)> = quads
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let ys = q.map(|v| positions[usize::from(v)][1]);
                let lo = ys.iter().copied().fold(f32::MAX, f32::min);
                let hi = ys.iter().copied().fold(f32::MIN, f32::max);
                (lo, hi, i)
            })
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0));
        let tallest = order.iter().map(|o| o.1 - o.0).fold(0.0, f32::max);
        Sliceable {
            positions,
            quads,
            order,
            tallest,
        }
    }

    fn at(&self, y: f32) -> Vec<Vec<[f32; 2]>> {
        use std::collections::HashMap;
        let from = self.order.partition_point(|o| o.0 < y - self.tallest);
        let to = self.order.partition_point(|o| o.0 <= y);
        let mut slot: HashMap<(u16, u16), usize> = HashMap::new();
        let mut points: Vec<[f32; 2]> = Vec::new();
        let mut parent: Vec<usize> = Vec::new();
        fn root(parent: &mut [usize], mut i: usize) -> usize {
            while parent[i] != i {
                parent[i] = parent[parent[i]];
                i = parent[i];
            }
            i
        }
        for &(_, hi, qi) in &self.order[from..to] {
            if hi < y {
                continue;
            }
            let q = self.quads[qi];
            let mut first: Option<usize> = None;
            for k in 0..4 {
                let (a, b) = (q[k], q[(k + 1) % 4]);
                let (pa, pb) = (
                    self.positions[usize::from(a)],
                    self.positions[usize::from(b)],
                );
                if (pa[1] < y) == (pb[1] < y) {
                    continue;
                }
                let key = (a.min(b), a.max(b));
                let id = *slot.entry(key).or_insert_with(|| {
                    let t = (y - pa[1]) / (pb[1] - pa[1]);
                    points.push([pa[0] + t * (pb[0] - pa[0]), pa[2] + t * (pb[2] - pa[2])]);
                    parent.push(points.len() - 1);
                    points.len() - 1
                });
                match first {
                    None => first = Some(id),
                    Some(f) => {
                        let (ra, rb) = (root(&mut parent, f), root(&mut parent, id));
                        parent[ra] = rb;
                    }
                }
            }
        }
        let mut groups: HashMap<usize, Vec<[f32; 2]>> = HashMap::new();
        for (i, p) in points.iter().enumerate() {
            let r = root(&mut parent, i);
            groups.entry(r).or_default().push(*p);
        }
        groups.into_values().collect()
    }
}

/// The perimeter of the convex hull of `points` (monotone chain).
pub fn hull_perimeter(points: &[[f32; 2]]) -> f32 {
    let mut p: Vec<[f32; 2]> = points.to_vec();
    p.sort_by(|a, b| a[0].total_cmp(&b[0]).then(a[1].total_cmp(&b[1])));
    p.dedup();
    if p.len() < 2 {
        return 0.0;
    }
    let cross = |o: [f32; 2], a: [f32; 2], b: [f32; 2]| {
        (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])
    };
    let mut hull: Vec<[f32; 2]> = Vec::with_capacity(p.len() * 2);
    for pass in [p.clone(), p.iter().rev().copied().collect()] {
        let start = hull.len();
        for q in pass {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], q) <= 0.0
            {
                hull.pop();
            }
            hull.push(q);
        }
        hull.pop();
    }
    let n = hull.len();
    (0..n)
        .map(|i| {
            let (a, b) = (hull[i], hull[(i + 1) % n]);
            ((a[0] - b[0]).powi(2) + (a[1] - b[1]).powi(2)).sqrt()
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A closed tube of `n` sides around the y axis, centred at x = `cx`.
    fn tube(radius: f32, cx: f32, y0: f32, y1: f32, n: usize) -> (Vec<[f32; 3]>, Vec<[u16; 4]>) {
        let mut p = Vec::new();
        for y in [y0, y1] {
            for i in 0..n {
                let a = i as f32 / n as f32 * std::f32::consts::TAU;
                p.push([cx + radius * a.cos(), y, radius * a.sin()]);
            }
        }
        let quads = (0..n)
            .map(|i| {
                let j = (i + 1) % n;
                [i as u16, j as u16, (n + j) as u16, (n + i) as u16]
            })
            .collect();
        (p, quads)
    }

    #[test]
    fn a_tube_measures_its_circumference_and_side_pieces_are_left_out() {
        let (mut p, mut q) = tube(0.15, 0.0, 0.0, 1.0, 64);
        let circle = std::f32::consts::TAU * 0.15;
        let g = torso_girth(&p, &q, 0.5).expect("girth");
        assert!((g - circle).abs() < 0.002, "{g} vs {circle}");
        // An "arm" beside it, cut by the same plane, is another piece and does not count.
        let (arm, arm_q) = tube(0.04, 0.4, 0.2, 0.8, 16);
        let base = p.len() as u16;
        p.extend(arm);
        q.extend(arm_q.iter().map(|f| f.map(|i| i + base)));
        assert_eq!(cross_section(&p, &q, 0.5).len(), 2);
        let g = torso_girth(&p, &q, 0.5).expect("girth");
        assert!((g - circle).abs() < 0.002, "{g}");
        assert_eq!(torso_girth(&p, &q, 1.5), None);
    }

    #[test]
    fn hull_of_a_square_with_a_dent() {
        let pts = [[0.0, 0.0], [1.0, 0.0], [1.0, 1.0], [0.0, 1.0], [0.5, 0.9]];
        assert!((hull_perimeter(&pts) - 4.0).abs() < 1e-5);
    }
}

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

/// The heights (y, metres) the tape found its landmarks at: where the next measure of the same
/// body, slightly changed, looks again.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Levels {
    pub floor: f32,
    pub height: f32,
    pub waist: f32,
    pub armpit: f32,
    pub bust: f32,
    pub hips: f32,
    pub crotch: f32,
}

impl Levels {
    /// The same levels with every height moved by `dy`.
    pub fn shifted(self, dy: f32) -> Levels {
        Levels {
            floor: self.floor + dy,
            height: self.height,
            waist: self.waist + dy,
            armpit: self.armpit + dy,
            bust: self.bust + dy,
            hips: self.hips + dy,
            crotch: self.crotch + dy,
        }
    }
}

/// Where each girth is looked for, as fractions of the height above the floor (the bust
/// below the armpits, at most this high).
const BUST_BAND: (f32, f32) = (0.66, 0.78);
/// How far below the armpits the tape stays.
const ARMPIT_CLEARANCE: f32 = 0.01;
const WAIST_BAND: (f32, f32) = (0.56, 0.66);
/// Spacing of the coarse cross-sections a band is searched with, then of the fine ones
/// around the best coarse one.
const COARSE: f32 = 0.01;
const FINE: f32 = 0.0005;

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
    measure_levels(positions, quads).map(|(tape, _)| tape)
}

/// [`measure`], with the heights each measurement was taken at.
pub fn measure_levels(
    positions: &[[f32; 3]],
    quads: &[[u16; 4]],
) -> Result<(Tape, Levels), TapeError> {
    let (floor, height) = floor_and_height(positions)?;
    let at = |f: f32| floor + f * height;
    let cutter = Cutter::new(positions, quads);
    let (waist_y, waist) = extreme(
        &cutter,
        at(WAIST_BAND.0),
        at(WAIST_BAND.1),
        Extreme::Narrowest,
    )
    .ok_or(TapeError::NoTorso("waist"))?;
    let armpit = armpit_level(&cutter, waist_y, at(BUST_BAND.1));
    let (bust_y, bust) = bust_at(&cutter, waist_y, armpit)?;
    let crotch = crotch_level(&cutter, floor, waist_y)?;
    let (hips_y, hips) = hips_at(&cutter, crotch, waist_y, waist);
    let tape = Tape {
        height,
        bust,
        waist,
        hips,
        inseam: crotch - floor,
    };
    let levels = Levels {
        floor,
        height,
        waist: waist_y,
        armpit,
        bust: bust_y,
        hips: hips_y,
        crotch,
    };
    Ok((tape, levels))
}

/// The lowest point and the height above it.
pub fn floor_and_height(positions: &[[f32; 3]]) -> Result<(f32, f32), TapeError> {
    let (floor, top) = positions.iter().fold((f32::MAX, f32::MIN), |(lo, hi), p| {
        (lo.min(p[1]), hi.max(p[1]))
    });
    let height = top - floor;
    if height.is_nan() || height <= 0.0 {
        return Err(TapeError::Flat);
    }
    Ok((floor, height))
}

/// The narrowest torso girth in the waist band.
pub fn waist_at(cutter: &Cutter, floor: f32, height: f32) -> Result<(f32, f32), TapeError> {
    let at = |f: f32| floor + f * height;
    extreme(
        cutter,
        at(WAIST_BAND.0),
        at(WAIST_BAND.1),
        Extreme::Narrowest,
    )
    .ok_or(TapeError::NoTorso("waist"))
}

/// The fullest girth between the waist and just below the armpits.
pub fn bust_at(cutter: &Cutter, waist_y: f32, armpit: f32) -> Result<(f32, f32), TapeError> {
    let below_armpits = (armpit - ARMPIT_CLEARANCE).max(waist_y);
    extreme(cutter, waist_y, below_armpits, Extreme::Fullest).ok_or(TapeError::NoTorso("bust"))
}

/// The fullest girth between the crotch and the waist (the waist's own if none is fuller).
pub fn hips_at(cutter: &Cutter, crotch: f32, waist_y: f32, waist: f32) -> (f32, f32) {
    extreme(cutter, crotch + FINE, waist_y, Extreme::Fullest)
        .filter(|h| h.1 > waist)
        .unwrap_or((waist_y, waist))
}

/// Up from the waist the arms are pieces of their own until the armpits, where they join the
/// torso's cross-section: the first height (at most `limit`) with fewer pieces than at the waist.
pub fn armpit_level(cutter: &Cutter, waist_y: f32, limit: f32) -> f32 {
    let apart = cutter.at(waist_y).len();
    let joined = |y: f32| cutter.at(y).len() < apart;
    let mut y = waist_y;
    while y < limit && !joined(y + COARSE) {
        y += COARSE;
    }
    let mut hi = (y + COARSE).min(limit);
    let mut lo = y;
    while hi - lo > FINE {
        let mid = 0.5 * (lo + hi);
        if joined(mid) { hi = mid } else { lo = mid }
    }
    lo
}

/// Down from the waist, the torso's cross-section surrounds the centre line until the legs
/// part: the crotch, found by bisection to a tenth of a millimetre.
pub fn crotch_level(cutter: &Cutter, floor: f32, waist_y: f32) -> Result<f32, TapeError> {
    let surrounds = |y: f32| girth_of(&cutter.at(y)).is_some();
    if surrounds(floor + FINE) {
        return Err(TapeError::NoTorso("crotch"));
    }
    let (mut lo, mut hi) = (floor, waist_y);
    while hi - lo > 0.0001 {
        let mid = 0.5 * (lo + hi);
        if surrounds(mid) { hi = mid } else { lo = mid }
    }
    Ok(hi)
}

#[derive(Clone, Copy, PartialEq)]
enum Extreme {
    Fullest,
    Narrowest,
}

/// The fullest or narrowest torso girth between `lo` and `hi`: every centimetre, then a
/// golden-section search to a tenth of a millimetre around the best centimetre (a girth is
/// smooth there).
fn extreme(cutter: &Cutter, lo: f32, hi: f32, which: Extreme) -> Option<(f32, f32)> {
    // Scored so that larger is better; heights with no torso score worst.
    let score = |y: f32| match (girth_of(&cutter.at(y)), which) {
        (Some(g), Extreme::Fullest) => (g, Some(g)),
        (Some(g), Extreme::Narrowest) => (-g, Some(g)),
        (None, _) => (f32::MIN, None),
    };
    let n = ((hi - lo) / COARSE).ceil().max(0.0) as usize;
    let (y, (_, g)) = (0..=n)
        .map(|i| (lo + i as f32 * COARSE).min(hi))
        .map(|y| (y, score(y)))
        .filter(|(_, (_, g))| g.is_some())
        .max_by(|a, b| a.1.0.total_cmp(&b.1.0))?;
    let (mut a, mut b) = ((y - COARSE).max(lo), (y + COARSE).min(hi));
    const INV_PHI: f32 = 0.618_034;
    let mut c = b - (b - a) * INV_PHI;
    let mut d = a + (b - a) * INV_PHI;
    let (mut sc, mut sd) = (score(c), score(d));
    while b - a > FINE {
        if sc.0 >= sd.0 {
            (b, d, sd) = (d, c, sc);
            c = b - (b - a) * INV_PHI;
            sc = score(c);
        } else {
            (a, c, sc) = (c, d, sd);
            d = a + (b - a) * INV_PHI;
            sd = score(d);
        }
    }
    // The best height seen: the bracket's better end, or the coarse one.
    [(y, (0.0, g)), (c, sc), (d, sd)]
        .into_iter()
        .filter_map(|(y, (_, g))| g.map(|g| (y, g)))
        .max_by(|p, q| score_of(p.1, which).total_cmp(&score_of(q.1, which)))
}

fn score_of(g: f32, which: Extreme) -> f32 {
    match which {
        Extreme::Fullest => g,
        Extreme::Narrowest => -g,
    }
}

/// The girth at height `y` of the part of the cross-section around the centre line.
pub fn torso_girth(positions: &[[f32; 3]], quads: &[[u16; 4]], y: f32) -> Option<f32> {
    Cutter::new(positions, quads).girth(y)
}

/// The points where the plane at height `y` cuts the mesh's edges, grouped into the
/// connected pieces of the cross-section (edges of one quad belong together).
pub fn cross_section(positions: &[[f32; 3]], quads: &[[u16; 4]], y: f32) -> Vec<Vec<[f32; 2]>> {
    Cutter::new(positions, quads).at(y)
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
pub struct Cutter<'m> {
    positions: &'m [[f32; 3]],
    quads: &'m [[u16; 4]],
    /// (lowest y, highest y, quad), by lowest y.
    order: Vec<(f32, f32, usize)>,
    /// The tallest quad's height.
    tallest: f32,
}

impl<'m> Cutter<'m> {
    /// Ready to cut anywhere.
    pub fn new(positions: &'m [[f32; 3]], quads: &'m [[u16; 4]]) -> Cutter<'m> {
        Cutter::between(positions, quads, f32::MIN, f32::MAX)
    }

    /// Ready to cut between heights `lo` and `hi` only (cuts elsewhere miss quads).
    pub fn between(
        positions: &'m [[f32; 3]],
        quads: &'m [[u16; 4]],
        lo: f32,
        hi: f32,
    ) -> Cutter<'m> {
        let mut order: Vec<(f32, f32, usize)> = quads
            .iter()
            .enumerate()
            .filter_map(|(i, q)| {
                let ys = q.map(|v| positions[usize::from(v)][1]);
                let q_lo = ys.iter().copied().fold(f32::MAX, f32::min);
                let q_hi = ys.iter().copied().fold(f32::MIN, f32::max);
                (q_lo <= hi && q_hi >= lo).then_some((q_lo, q_hi, i))
            })
            .collect();
        order.sort_unstable_by(|a, b| a.0.total_cmp(&b.0));
        let tallest = order.iter().map(|o| o.1 - o.0).fold(0.0, f32::max);
        Cutter {
            positions,
            quads,
            order,
            tallest,
        }
    }

    /// The torso's girth at height `y`, if a piece surrounds the centre line there.
    pub fn girth(&self, y: f32) -> Option<f32> {
        girth_of(&self.at(y))
    }

    /// The cross-section at height `y`: (x, z) points, one group per connected piece.
    pub fn at(&self, y: f32) -> Vec<Vec<[f32; 2]>> {
        let from = self.order.partition_point(|o| o.0 < y - self.tallest);
        let to = self.order.partition_point(|o| o.0 <= y);
        // Each edge the plane crosses, with the cut quad it belongs to; an edge shared by two
        // cut quads joins them into one piece.
        let mut crossings: Vec<(u32, u32)> = Vec::new();
        let mut cut_quads = 0u32;
        for &(_, hi, qi) in &self.order[from..to] {
            if hi < y {
                continue;
            }
            let q = self.quads[qi];
            let before = crossings.len();
            for k in 0..4 {
                let (a, b) = (q[k], q[(k + 1) % 4]);
                let (ya, yb) = (
                    self.positions[usize::from(a)][1],
                    self.positions[usize::from(b)][1],
                );
                if (ya < y) != (yb < y) {
                    let key = (u32::from(a.min(b)) << 16) | u32::from(a.max(b));
                    crossings.push((key, cut_quads));
                }
            }
            if crossings.len() > before {
                cut_quads += 1;
            }
        }
        crossings.sort_unstable();
        let mut parent: Vec<u32> = (0..cut_quads).collect();
        fn root(parent: &mut [u32], mut i: u32) -> u32 {
            while parent[i as usize] != i {
                parent[i as usize] = parent[parent[i as usize] as usize];
                i = parent[i as usize];
            }
            i
        }
        let mut points: Vec<([f32; 2], u32)> = Vec::new();
        let mut i = 0;
        while i < crossings.len() {
            let (key, quad) = crossings[i];
            let mut j = i + 1;
            while j < crossings.len() && crossings[j].0 == key {
                let (ra, rb) = (root(&mut parent, quad), root(&mut parent, crossings[j].1));
                parent[ra as usize] = rb;
                j += 1;
            }
            let (pa, pb) = (
                self.positions[(key >> 16) as usize],
                self.positions[(key & 0xffff) as usize],
            );
            let t = (y - pa[1]) / (pb[1] - pa[1]);
            points.push((
                [pa[0] + t * (pb[0] - pa[0]), pa[2] + t * (pb[2] - pa[2])],
                quad,
            ));
            i = j;
        }
        let mut group_of = vec![u32::MAX; cut_quads as usize];
        let mut groups: Vec<Vec<[f32; 2]>> = Vec::new();
        for (p, quad) in points {
            let r = root(&mut parent, quad) as usize;
            if group_of[r] == u32::MAX {
                group_of[r] = groups.len() as u32;
                groups.push(Vec::new());
            }
            groups[group_of[r] as usize].push(p);
        }
        groups
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

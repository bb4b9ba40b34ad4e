//! Sewing two stretches of panel edges together with zero-length stitches, matched by
//! length along each edge (as a sewing machine feeds them), not by particle count: a
//! stretch's ends rarely fall on particles — the top of a side seam, where the armhole
//! starts, lies between two rows — and counting particles sewed a 24.3 cm armhole to a
//! 23.2 cm sleeve cap, stretching the cap 5 % where it met the shoulder.

use crate::solver::Cloth;
use glam::Vec2;

/// A stitch: particle `a` to the point `t` of the way from particle `b` to `c` (`b == c`:
/// to that particle).
pub(crate) type Stitch = (u32, u32, u32, f32);

/// A stretch of an edge: the edge's particles in the direction the seam runs, and where
/// along the edge the stretch starts and ends (fractions of its length, the same way).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Stretch<'a> {
    pub ids: &'a [u32],
    pub from: f32,
    pub to: f32,
}

impl Stretch<'_> {
    /// The whole of an edge.
    pub(crate) fn whole(ids: &[u32]) -> Stretch<'_> {
        Stretch {
            ids,
            from: 0.0,
            to: 1.0,
        }
    }
}

/// How far along its edge each of `ids` is (fractions of the edge's length in the flat).
fn fractions(ids: &[u32], flat: &[Vec2]) -> Vec<f32> {
    let mut run = 0.0;
    let mut at = vec![0.0];
    for w in ids.windows(2) {
        run += flat[w[0] as usize].distance(flat[w[1] as usize]);
        at.push(run);
    }
    let total = run.max(1e-9);
    at.iter().map(|d| d / total).collect()
}

/// Sews both ways: each particle of stretch `a` to its place along `b` and each of `b` to
/// its place along `a` (both stretches run the same way), so the seam is closed from end to
/// end whichever side has the finer particles.
pub(crate) fn sew_stretches(a: Stretch, b: Stretch, flat: &[Vec2], stitches: &mut Vec<Stitch>) {
    if a.ids.is_empty() || b.ids.is_empty() {
        return;
    }
    let (fa, fb) = (fractions(a.ids, flat), fractions(b.ids, flat));
    sew_onto((a, &fa), (b, &fb), stitches);
    sew_onto((b, &fb), (a, &fa), stitches);
}

/// Sews each particle of stretch `a` to the point as far along stretch `b` (by length): to
/// the particle there, or between the two it falls between. Particles of `a`'s edge outside
/// the stretch are left alone; a particle sewn to a particle is sewn once.
/// Each stretch comes with how far along its edge each of its particles is ([`fractions`]).
fn sew_onto(a: (Stretch, &[f32]), b: (Stretch, &[f32]), stitches: &mut Vec<Stitch>) {
    let ((a, fa), (b, fb)) = (a, b);
    // A particle a twentieth of a spacing past an end still counts as on the stretch.
    let slack = 0.05 / (a.ids.len().max(2) - 1) as f32;
    let span = (a.to - a.from).max(1e-9);
    for (&p, &f) in a.ids.iter().zip(fa) {
        if f < a.from - slack || f > a.to + slack {
            continue;
        }
        let t = ((f - a.from) / span).clamp(0.0, 1.0);
        let target = b.from + t * (b.to - b.from);
        if b.ids.len() == 1 {
            push_particle(p, b.ids[0], stitches);
            continue;
        }
        let j = fb
            .partition_point(|&g| g <= target)
            .clamp(1, b.ids.len() - 1)
            - 1;
        let u = ((target - fb[j]) / (fb[j + 1] - fb[j]).max(1e-9)).clamp(0.0, 1.0);
        if u < 0.05 {
            push_particle(p, b.ids[j], stitches);
        } else if u > 0.95 {
            push_particle(p, b.ids[j + 1], stitches);
        } else {
            stitches.push((p, b.ids[j], b.ids[j + 1], u));
        }
    }
}

fn push_particle(p: u32, q: u32, stitches: &mut Vec<Stitch>) {
    if p != q {
        let (lo, hi) = (p.min(q), p.max(q));
        stitches.push((lo, hi, hi, 0.0));
    }
}

/// Adds `stitches` to `cloth`, each once.
pub(crate) fn add_stitches(cloth: &mut Cloth, mut stitches: Vec<Stitch>) {
    stitches.sort_unstable_by(|x, y| {
        (x.0, x.1, x.2)
            .cmp(&(y.0, y.1, y.2))
            .then(x.3.total_cmp(&y.3))
    });
    stitches.dedup();
    for (a, b, c, t) in stitches {
        if b == c {
            cloth.stitch(a, b);
        } else {
            cloth.stitch_between(a, b, c, t);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Particles `first..first + n` evenly along a line `length` long.
    fn line(first: u32, n: u32, length: f32, y: f32, flat: &mut Vec<Vec2>) -> Vec<u32> {
        (0..n)
            .map(|i| {
                flat.push(Vec2::new(length * i as f32 / (n - 1) as f32, y));
                first + i
            })
            .collect()
    }

    #[test]
    fn a_stretch_ending_between_particles_is_sewn_by_length() {
        // Edge a: 0..30 cm, 7 particles every 5 cm; its stretch 0..0.6 ends at 18 cm,
        // between particles 3 (15 cm) and 4 (20 cm). Edge b: 18 cm, 4 particles every 6 cm.
        let mut flat = Vec::new();
        let a = line(0, 7, 0.30, 0.0, &mut flat);
        let b = line(7, 4, 0.18, 1.0, &mut flat);
        let mut stitches = Vec::new();
        sew_stretches(
            Stretch {
                ids: &a,
                from: 0.0,
                to: 0.6,
            },
            Stretch::whole(&b),
            &flat,
            &mut stitches,
        );
        // b's last particle (18 cm along b) goes to 18 cm along a: 3/5 of the way from
        // particle 3 to 4 — where counting particles put it at particle 4 (20 cm).
        let end = stitches
            .iter()
            .find(|s| s.0 == 10)
            .expect("b's end is sewn");
        assert_eq!((end.1, end.2), (3, 4));
        assert!((end.3 - 0.6).abs() < 1e-4, "{end:?}");
        // Particles of a past the stretch (4, 5, 6) are not sewn.
        assert!(stitches.iter().all(|s| s.0 < 4 || s.0 >= 7));
        // a's particle 2 (10 cm) goes 10/18 of the way along b: between 1 (6) and 2 (12).
        let mid = stitches.iter().find(|s| s.0 == 2).expect("sewn");
        assert_eq!((mid.1, mid.2), (8, 9));
        assert!((mid.3 - 4.0 / 6.0).abs() < 1e-3, "{mid:?}");
    }

    #[test]
    fn equal_stretches_are_sewn_particle_to_particle_once() {
        let mut flat = Vec::new();
        let a = line(0, 5, 0.2, 0.0, &mut flat);
        let b = line(5, 5, 0.2, 1.0, &mut flat);
        let mut stitches = Vec::new();
        sew_stretches(Stretch::whole(&a), Stretch::whole(&b), &flat, &mut stitches);
        stitches.sort_unstable_by_key(|s| (s.0, s.1));
        stitches.dedup();
        let pairs: Vec<(u32, u32)> = stitches.iter().map(|s| (s.0, s.1)).collect();
        assert_eq!(pairs, vec![(0, 5), (1, 6), (2, 7), (3, 8), (4, 9)]);
        assert!(stitches.iter().all(|s| s.1 == s.2));
    }
}

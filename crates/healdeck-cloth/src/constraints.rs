//! The constraints the solver projects, one at a time: a distance (an edge's stretch, or a
//! zero-length stitch) and isometric bending across an inner edge. Each projection is
//! XPBD's, with the compliance scaled by the substep's length squared, for one iteration per
//! substep.

use glam::Vec3;

#[derive(Debug, Clone, Copy)]
pub(crate) struct Distance {
    pub(crate) a: u32,
    pub(crate) b: u32,
    pub(crate) rest: f32,
    pub(crate) compliance: f32,
    /// When shorter than at rest.
    pub(crate) compress: f32,
}

/// A zero-length stitch: `a` sewn to the point `t` of the way from `b` to `c` (`c` is `b`
/// and `t` 0 for a particle sewn to a particle). Where a seam's sides are meshed with
/// different numbers of particles, each is sewn to its place along the other's.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Stitch {
    pub(crate) a: u32,
    pub(crate) b: u32,
    pub(crate) c: u32,
    pub(crate) t: f32,
    /// Closed: held shut at once, no longer drawn in at the sewing speed.
    pub(crate) sewn: bool,
}

impl Stitch {
    /// Where `a` is sewn to.
    pub(crate) fn target(&self, x: &[Vec3]) -> Vec3 {
        x[self.b as usize].lerp(x[self.c as usize], self.t)
    }

    /// Whether it sews a particle to a particle (it can be welded).
    pub(crate) fn particle_to_particle(&self) -> bool {
        self.b == self.c || self.t == 0.0
    }
}

/// The two ends of a pair constraint: their inverse masses' sum, the unit vector from `b` to
/// `a`, and the distance — or nothing when neither can move or they coincide.
#[inline(always)]
fn pair(x: &[Vec3], w: &[f32], a: usize, b: usize) -> Option<(f32, Vec3, f32)> {
    let wsum = w[a] + w[b];
    let delta = x[a] - x[b];
    let len = delta.length();
    (wsum > 0.0 && len >= 1e-9).then(|| (wsum, delta / len, len))
}

/// Pulls an edge longer than `rest × (1 + limit)` back to that length at once (a strain
/// limit: no compliance), each end moved by its share of the inverse masses.
#[inline]
pub(crate) fn limit_edge(x: &mut [Vec3], w: &[f32], d: &Distance, limit: f32) {
    let (a, b) = (d.a as usize, d.b as usize);
    // Most edges are within the limit: told by their squared length, with no square root.
    let longest = d.rest * (1.0 + limit);
    if (x[a] - x[b]).length_squared() <= longest * longest {
        return;
    }
    let Some((wsum, n, len)) = pair(x, w, a, b) else {
        return;
    };
    let over = len - longest;
    if over > 0.0 {
        x[a] -= n * (over * w[a] / wsum);
        x[b] += n * (over * w[b] / wsum);
    }
}

/// A stitch pulls its two particles together by at most `limit` metres per projection (the
/// sewing speed): a seam whose sides start far apart (a crotch seam: 18 cm) closes over many
/// substeps instead of jumping shut and tearing the cloth around it.
pub(crate) fn project_stitch(x: &mut [Vec3], w: &[f32], s: &Stitch, limit: f32) {
    let (a, b, c) = (s.a as usize, s.b as usize, s.c as usize);
    let limit = if s.sewn { f32::INFINITY } else { limit };
    if b == c || s.t == 0.0 {
        let Some((wsum, n, len)) = pair(x, w, a, b) else {
            return;
        };
        let step = len.min(limit);
        x[a] -= n * (step * w[a] / wsum);
        x[b] += n * (step * w[b] / wsum);
        return;
    }
    let (u, t) = (1.0 - s.t, s.t);
    let wsum = w[a] + u * u * w[b] + t * t * w[c];
    let delta = x[a] - s.target(x);
    let len = delta.length();
    if wsum <= 0.0 || len < 1e-9 {
        return;
    }
    let n = delta / len;
    let step = len.min(limit) / wsum;
    x[a] -= n * (step * w[a]);
    x[b] += n * (step * u * w[b]);
    x[c] += n * (step * t * w[c]);
}

/// A line of particles that cannot get longer than its rest length: a waistband (closed), a
/// strap (open). One constraint over the whole line, so it holds at once, where a chain of
/// edges solved once per substep gives way under a steady pull (a skirt's waist stretched
/// 15 % over the hips, a dress's straps 18 % under its weight).
#[derive(Debug, Clone)]
pub(crate) struct Band {
    pub(crate) loop_: Vec<u32>,
    pub(crate) rest: f32,
    pub(crate) closed: bool,
}

/// The most a band moves one particle in one projection (m): where the loop has a kink the
/// gradient is large and the full step overshoots, back and forth every substep.
const BAND_STEP: f32 = 1e-3;

/// The share of an open band's correction taken in one projection. Its two ends take most
/// of it (their gradients are whole unit vectors, an inner particle's only the bend of the
/// line there), and the bodice they are sewn to pulls them back every substep: taken whole,
/// the correction overshot and a strap's end rang at about 30 Hz for good (a 10k-particle
/// dress never settled, one particle flipping 1 mm every frame; with half steps a linen
/// shirt's collar still did). A quarter of a step each substep still holds the strap within
/// a frame (60 substeps leave 0.75⁶⁰ of a stretch). A closed band (a waistband) has no ends
/// and takes its whole step.
const OPEN_BAND_RELAXATION: f32 = 0.25;

/// The segments of a band: between consecutive particles, and back to the first if closed.
fn segments(b: &Band) -> usize {
    if b.closed {
        b.loop_.len()
    } else {
        b.loop_.len() - 1
    }
}

fn band_length(x: &[Vec3], b: &Band) -> f32 {
    let l = &b.loop_;
    (0..segments(b))
        .map(|k| x[l[k] as usize].distance(x[l[(k + 1) % l.len()] as usize]))
        .sum()
}

/// C = length − rest ≥ 0 only: each particle's gradient is the difference of the unit
/// vectors of its two segments.
pub(crate) fn project_band(x: &mut [Vec3], w: &[f32], b: &Band) {
    let c = band_length(x, b) - b.rest;
    if c <= 0.0 {
        return;
    }
    let n = b.loop_.len();
    let last = segments(b);
    // Segment k's direction; an open band has none before its first or after its last.
    let unit = |k: usize| {
        if k >= last {
            return Vec3::ZERO;
        }
        let (p, q) = (x[b.loop_[k] as usize], x[b.loop_[(k + 1) % n] as usize]);
        (q - p).normalize_or_zero()
    };
    let before = |k: usize| if k == 0 { n - 1 } else { k - 1 };
    let grads: Vec<Vec3> = (0..n).map(|k| unit(before(k)) - unit(k)).collect();
    let denom: f32 = (0..n)
        .map(|k| w[b.loop_[k] as usize] * grads[k].length_squared())
        .sum();
    if denom < 1e-12 {
        return;
    }
    let share = if b.closed { 1.0 } else { OPEN_BAND_RELAXATION };
    let lambda = -c / denom * share;
    for (&i, g) in b.loop_.iter().zip(&grads) {
        x[i as usize] += (*g * (lambda * w[i as usize])).clamp_length_max(BAND_STEP);
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Bend {
    pub(crate) v: [u32; 4],
    /// Bergou's cotangent weights K and scale s (the energy's Hessian is Q = s K Kᵀ).
    pub(crate) k: [f32; 4],
    pub(crate) s: f32,
}

/// XPBD's constraint damping (Macklin et al. 2016, eq. 26) with γ = `damping`: the relative
/// velocity along the edge this substep is damped as the constraint is projected. A stiff
/// fabric's edges ring far above the substep rate; undamped, that ringing is left as a buzz
/// of the whole cloth.
#[inline]
pub(crate) fn project_distance(
    x: &mut [Vec3],
    previous: &[Vec3],
    w: &[f32],
    d: &Distance,
    inv_h2: f32,
    damping: f32,
) {
    let (a, b) = (d.a as usize, d.b as usize);
    let Some((wsum, n, len)) = pair(x, w, a, b) else {
        return;
    };
    let c = len - d.rest;
    let alpha = if c < 0.0 { d.compress } else { d.compliance } * inv_h2;
    let moved = (x[a] - previous[a]) - (x[b] - previous[b]);
    let lambda = (-c - damping * n.dot(moved)) / ((1.0 + damping) * wsum + alpha);
    x[a] += n * (lambda * w[a]);
    x[b] -= n * (lambda * w[b]);
}

/// The parts of [`project_distance`]'s step that stay the same through a step: 1 / ((1 + γ)
/// (w_a + w_b) + α / h²) when stretched and when compressed (0 when neither end can move).
pub(crate) fn distance_scales(w: &[f32], d: &Distance, inv_h2: f32, damping: f32) -> [f32; 2] {
    let wsum = w[d.a as usize] + w[d.b as usize];
    let scale = |compliance: f32| {
        let denom = (1.0 + damping) * wsum + compliance * inv_h2;
        if wsum > 0.0 && denom > 0.0 {
            1.0 / denom
        } else {
            0.0
        }
    };
    [scale(d.compliance), scale(d.compress)]
}

/// [`project_distance`] with its denominators worked out beforehand ([`distance_scales`]):
/// the same step, a multiplication where it divided.
#[inline]
pub(crate) fn project_distance_scaled(
    x: &mut [Vec3],
    previous: &[Vec3],
    w: &[f32],
    d: &Distance,
    scales: [f32; 2],
    damping: f32,
) {
    let (a, b) = (d.a as usize, d.b as usize);
    let Some((_, n, len)) = pair(x, w, a, b) else {
        return;
    };
    let c = len - d.rest;
    let scale = if c < 0.0 { scales[1] } else { scales[0] };
    let moved = (x[a] - previous[a]) - (x[b] - previous[b]);
    let lambda = (-c - damping * n.dot(moved)) * scale;
    x[a] += n * (lambda * w[a]);
    x[b] -= n * (lambda * w[b]);
}

/// Bergou's weights for the inner edge (v0, v1) with opposite vertices v2, v3, at rest in `flat`.
pub(crate) fn isometric_bend(v: [u32; 4], flat: &[Vec3]) -> Bend {
    let [x0, x1, x2, x3] = v.map(|i| flat[i as usize]);
    let cot = |a: Vec3, b: Vec3| a.dot(b) / a.cross(b).length().max(1e-12);
    let (e0, e1, e2, e3, e4) = (x1 - x0, x2 - x0, x3 - x0, x2 - x1, x3 - x1);
    let (c01, c02, c03, c04) = (cot(e0, e1), cot(e0, e2), cot(-e0, e3), cot(-e0, e4));
    let k = [c03 + c04, c01 + c02, -c01 - c03, -c02 - c04];
    let area = 0.5 * (e0.cross(e1).length() + e0.cross(e2).length());
    let s = 3.0 / area.max(1e-12);
    Bend { v, k, s }
}

/// Bending as the vector constraint C = √s · Σ Kᵢ xᵢ, whose squared length is twice Bergou's
/// energy (E = ½ Σ Qᵢⱼ xᵢ·xⱼ, Q = s K Kᵀ). Each component is linear in the positions, so its
/// gradient never vanishes or flips near rest and one projection is exact.
pub(crate) fn project_bend(x: &mut [Vec3], w: &[f32], b: &Bend, alpha: f32) {
    let sum: Vec3 = (0..4).map(|i| x[b.v[i] as usize] * b.k[i]).sum();
    let denom: f32 = (0..4)
        .map(|i| w[b.v[i] as usize] * b.s * b.k[i] * b.k[i])
        .sum::<f32>()
        + alpha;
    if denom < 1e-12 {
        return;
    }
    let step = sum * (b.s / denom);
    for i in 0..4 {
        x[b.v[i] as usize] -= step * (b.k[i] * w[b.v[i] as usize]);
    }
}

/// The part of [`project_bend`]'s step that stays the same through a step: s / (Σ wᵢ s Kᵢ² +
/// α), or 0 when nothing can move.
pub(crate) fn bend_scale(w: &[f32], b: &Bend, alpha: f32) -> f32 {
    let denom: f32 = (0..4)
        .map(|i| w[b.v[i] as usize] * b.s * b.k[i] * b.k[i])
        .sum::<f32>()
        + alpha;
    if denom < 1e-12 { 0.0 } else { b.s / denom }
}

/// [`project_bend`] with its scale worked out beforehand ([`bend_scale`]).
#[inline]
pub(crate) fn project_bend_scaled(x: &mut [Vec3], w: &[f32], b: &Bend, scale: f32) {
    let [i0, i1, i2, i3] = b.v.map(|i| i as usize);
    let sum = x[i0] * b.k[0] + x[i1] * b.k[1] + x[i2] * b.k[2] + x[i3] * b.k[3];
    let step = sum * scale;
    x[i0] -= step * (b.k[0] * w[i0]);
    x[i1] -= step * (b.k[1] * w[i1]);
    x[i2] -= step * (b.k[2] * w[i2]);
    x[i3] -= step * (b.k[3] * w[i3]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_flat_hinge_has_no_bending_and_a_folded_one_has_some() {
        let flat = [
            Vec3::ZERO,
            Vec3::X,
            Vec3::new(0.3, 1.0, 0.0),
            Vec3::new(0.6, -1.0, 0.0),
        ];
        let b = isometric_bend([0, 1, 2, 3], &flat);
        let sum: Vec3 = (0..4).map(|i| flat[i] * b.k[i]).sum();
        assert!(sum.length() < 1e-5, "{sum} {:?}", b.k);
        let mut folded = flat;
        folded[3].z = 0.5;
        let sum: Vec3 = (0..4).map(|i| folded[i] * b.k[i]).sum();
        assert!(sum.length() > 0.1, "{sum}");
    }
}

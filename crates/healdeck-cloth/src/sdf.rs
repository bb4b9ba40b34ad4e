//! A signed distance field baked from a closed triangle mesh: negative inside, positive
//! outside. Distances are exact within a narrow band of the surface (from the triangles near
//! each grid point) and carried beyond it by a chamfer sweep (two passes over the grid, each
//! point taking its neighbours' distance plus the step), so even a point deep inside has a
//! way out. The sign comes from the parity of a ray along +z through each grid column (a
//! closed mesh crosses it an even number of times).
//! Sampling is trilinear, and the way out is the trilinear field's own gradient.

use glam::{IVec3, Vec3};

/// Why a field cannot be baked.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SdfError {
    #[error("the mesh has no triangles")]
    Empty,
    #[error("the mesh has a vertex that is not a finite number (vertex {0})")]
    NotFinite(usize),
    #[error("triangle {0} names vertex {1}, but the mesh has {2}")]
    BadIndex(usize, u32, usize),
    #[error("a grid of {0} cells is too large (at most {1}): use larger cells")]
    TooLarge(usize, usize),
}

/// The largest grid baked (cells).
const MAX_CELLS: usize = 16 << 20;

/// A signed distance field on a regular grid.
#[derive(Debug, Clone)]
pub struct Sdf {
    origin: Vec3,
    cell: f32,
    dims: IVec3,
    /// Distances at grid points, x fastest.
    values: Vec<f32>,
    /// How far from the surface distances are exact (beyond: ± this).
    band: f32,
}

impl Sdf {
    /// Bakes the field of the closed mesh `positions`/`triangles` on a grid of `cell` metres,
    /// exact to `band_cells` cells from the surface, reaching `margin` metres beyond it.
    pub fn bake(
        positions: &[Vec3],
        triangles: &[[u32; 3]],
        cell: f32,
        band_cells: usize,
        margin: f32,
    ) -> Result<Sdf, SdfError> {
        let mut sdf = Sdf::bake_unsigned(positions, triangles, cell, band_cells, margin)?;
        sdf.sign(positions, triangles);
        Ok(sdf)
    }

    /// The unsigned distance field of any mesh, open or closed (a draped garment: the layer
    /// a garment over it collides with), baked as [`Sdf::bake`] bakes but never negative.
    pub fn bake_unsigned(
        positions: &[Vec3],
        triangles: &[[u32; 3]],
        cell: f32,
        band_cells: usize,
        margin: f32,
    ) -> Result<Sdf, SdfError> {
        if triangles.is_empty() {
            return Err(SdfError::Empty);
        }
        if let Some(i) = positions.iter().position(|p| !p.is_finite()) {
            return Err(SdfError::NotFinite(i));
        }
        for (t, tri) in triangles.iter().enumerate() {
            if let Some(&v) = tri.iter().find(|&&v| v as usize >= positions.len()) {
                return Err(SdfError::BadIndex(t, v, positions.len()));
            }
        }
        let (lo, hi) = positions.iter().fold(
            (Vec3::splat(f32::MAX), Vec3::splat(f32::MIN)),
            |(lo, hi), p| (lo.min(*p), hi.max(*p)),
        );
        let origin = lo - Vec3::splat(margin);
        let dims = (((hi + Vec3::splat(margin)) - origin) / cell)
            .ceil()
            .as_ivec3()
            + IVec3::ONE;
        let count = (dims.x as usize) * (dims.y as usize) * (dims.z as usize);
        if count > MAX_CELLS {
            return Err(SdfError::TooLarge(count, MAX_CELLS));
        }
        let band = band_cells as f32 * cell;
        let mut sdf = Sdf {
            origin,
            cell,
            dims,
            values: vec![f32::MAX; count],
            band,
        };
        let tri = |t: &[u32; 3]| t.map(|i| positions[i as usize]);
        // Unsigned distances near each triangle.
        for t in triangles {
            let [a, b, c] = tri(t);
            let lo = sdf
                .cell_of(a.min(b).min(c) - Vec3::splat(band))
                .max(IVec3::ZERO);
            let hi = sdf.cell_of(a.max(b).max(c) + Vec3::splat(band)) + IVec3::ONE;
            let hi = hi.min(dims - IVec3::ONE);
            for z in lo.z..=hi.z {
                for y in lo.y..=hi.y {
                    for x in lo.x..=hi.x {
                        let g = IVec3::new(x, y, z);
                        let d = point_triangle_distance(sdf.point(g), a, b, c);
                        let i = sdf.index(g);
                        if d < sdf.values[i] {
                            sdf.values[i] = d;
                        }
                    }
                }
            }
        }
        sdf.chamfer();
        Ok(sdf)
    }

    /// Negates the distances inside the closed mesh: where a column's ray along +z has
    /// crossed the surface an odd number of times.
    fn sign(&mut self, positions: &[Vec3], triangles: &[[u32; 3]]) {
        let (dims, cell) = (self.dims, self.cell);
        let sdf = self;
        let tri = |t: &[u32; 3]| t.map(|i| positions[i as usize]);
        let columns = (dims.x * dims.y) as usize;
        let mut crossings: Vec<Vec<f32>> = vec![Vec::new(); columns];
        for t in triangles {
            let [a, b, c] = tri(t);
            let lo = sdf.cell_of(a.min(b).min(c)).max(IVec3::ZERO);
            let hi = (sdf.cell_of(a.max(b).max(c)) + IVec3::ONE).min(dims - IVec3::ONE);
            for y in lo.y..=hi.y {
                for x in lo.x..=hi.x {
                    // A hair off the grid point, so rays do not run exactly through edges.
                    let p = sdf.point(IVec3::new(x, y, 0)) + Vec3::new(1.3e-6, 0.7e-6, 0.0);
                    if let Some(z) = ray_z_hit(p.x, p.y, a, b, c) {
                        crossings[(y * dims.x + x) as usize].push(z);
                    }
                }
            }
        }
        for y in 0..dims.y {
            for x in 0..dims.x {
                let col = &mut crossings[(y * dims.x + x) as usize];
                col.sort_by(f32::total_cmp);
                let mut next = 0;
                for z in 0..dims.z {
                    let pz = sdf.origin.z + z as f32 * cell;
                    while next < col.len() && col[next] < pz {
                        next += 1;
                    }
                    if next % 2 == 1 {
                        let i = sdf.index(IVec3::new(x, y, z));
                        sdf.values[i] = -sdf.values[i];
                    }
                }
            }
        }
    }

    /// Carries distances from the band to every grid point: a forward and a backward pass,
    /// each point taking the least of its already-visited neighbours' distance plus the step.
    fn chamfer(&mut self) {
        let d = self.dims;
        let mut forward = Vec::new();
        for dz in -1..=1 {
            for dy in -1..=1 {
                for dx in -1..=1 {
                    let o = IVec3::new(dx, dy, dz);
                    // Neighbours that come before in x-fastest order.
                    if (dz, dy, dx) < (0, 0, 0) {
                        forward.push((o, o.as_vec3().length() * self.cell));
                    }
                }
            }
        }
        let backward: Vec<(IVec3, f32)> = forward.iter().map(|(o, w)| (-*o, *w)).collect();
        let mut pass = |offsets: &[(IVec3, f32)], order: &mut dyn Iterator<Item = IVec3>| {
            for g in order {
                let i = self.index(g);
                let mut best = self.values[i];
                for (o, w) in offsets {
                    let n = g + *o;
                    if n.cmpge(IVec3::ZERO).all() && n.cmplt(d).all() {
                        best = best.min(self.values[self.index(n)] + w);
                    }
                }
                self.values[i] = best;
            }
        };
        let cells = move || {
            (0..d.z).flat_map(move |z| {
                (0..d.y).flat_map(move |y| (0..d.x).map(move |x| IVec3::new(x, y, z)))
            })
        };
        pass(&forward, &mut cells());
        let all: Vec<IVec3> = cells().collect();
        pass(&backward, &mut all.into_iter().rev());
    }

    fn cell_of(&self, p: Vec3) -> IVec3 {
        ((p - self.origin) / self.cell).floor().as_ivec3()
    }

    fn point(&self, g: IVec3) -> Vec3 {
        self.origin + g.as_vec3() * self.cell
    }

    fn index(&self, g: IVec3) -> usize {
        ((g.z * self.dims.y + g.y) * self.dims.x + g.x) as usize
    }

    /// The grid as it is stored: its origin, cell size, grid points along x, y and z, and
    /// the distances (x fastest) — for a GPU to sample the same field.
    pub fn grid(&self) -> (Vec3, f32, [u32; 3], &[f32]) {
        let d = self.dims.max(IVec3::ZERO).as_uvec3();
        (self.origin, self.cell, [d.x, d.y, d.z], &self.values)
    }

    /// How far from the surface distances are exact (beyond, a chamfer estimate).
    pub fn band(&self) -> f32 {
        self.band
    }

    /// The signed distance at `p` (trilinear; outside the grid, at least the band).
    pub fn distance(&self, p: Vec3) -> f32 {
        self.sample(p).0
    }

    /// The distance at `p` and the direction away from the surface (unit length): the
    /// trilinear value and its own gradient, from the eight grid points around `p`.
    pub fn sample(&self, p: Vec3) -> (f32, Vec3) {
        let f = (p - self.origin) / self.cell;
        let last = (self.dims - IVec3::ONE).as_vec3();
        // Not `floor`: inside the grid `f` is never negative, so truncation is the floor.
        if f.cmplt(Vec3::ZERO).any() || f.cmpge(last).any() || !f.is_finite() {
            return (self.band, Vec3::Y);
        }
        let g = f.as_ivec3();
        let t = f - g.as_vec3();
        let i = self.index(g);
        let (sy, sz) = (self.dims.x as usize, (self.dims.x * self.dims.y) as usize);
        let v = &self.values;
        let (v000, v100, v010, v110) = (v[i], v[i + 1], v[i + sy], v[i + sy + 1]);
        let (v001, v101, v011, v111) =
            (v[i + sz], v[i + sz + 1], v[i + sz + sy], v[i + sz + sy + 1]);
        let lerp = |a: f32, b: f32, t: f32| a + (b - a) * t;
        let (x00, x10) = (lerp(v000, v100, t.x), lerp(v010, v110, t.x));
        let (x01, x11) = (lerp(v001, v101, t.x), lerp(v011, v111, t.x));
        let (y0, y1) = (lerp(x00, x10, t.y), lerp(x01, x11, t.y));
        let value = lerp(y0, y1, t.z);
        let dx = lerp(
            lerp(v100 - v000, v110 - v010, t.y),
            lerp(v101 - v001, v111 - v011, t.y),
            t.z,
        );
        let dy = lerp(x10 - x00, x11 - x01, t.z);
        let dz = y1 - y0;
        (value, Vec3::new(dx, dy, dz).normalize_or(Vec3::Y))
    }
}

/// Where the ray from (x, y, −∞) along +z meets triangle abc, if it does.
fn ray_z_hit(x: f32, y: f32, a: Vec3, b: Vec3, c: Vec3) -> Option<f32> {
    let d = (b.x - a.x) * (c.y - a.y) - (c.x - a.x) * (b.y - a.y);
    if d.abs() < 1e-12 {
        return None;
    }
    let u = ((b.x - x) * (c.y - y) - (c.x - x) * (b.y - y)) / d;
    let v = ((c.x - x) * (a.y - y) - (a.x - x) * (c.y - y)) / d;
    let w = 1.0 - u - v;
    (u >= 0.0 && v >= 0.0 && w >= 0.0).then_some(u * a.z + v * b.z + w * c.z)
}

/// The distance from `p` to triangle abc (Ericson, Real-Time Collision Detection 5.1.5).
pub fn point_triangle_distance(p: Vec3, a: Vec3, b: Vec3, c: Vec3) -> f32 {
    (p - closest_on_triangle(p, a, b, c)).length()
}

fn closest_on_triangle(p: Vec3, a: Vec3, b: Vec3, c: Vec3) -> Vec3 {
    let (ab, ac, ap) = (b - a, c - a, p - a);
    let (d1, d2) = (ab.dot(ap), ac.dot(ap));
    if d1 <= 0.0 && d2 <= 0.0 {
        return a;
    }
    let bp = p - b;
    let (d3, d4) = (ab.dot(bp), ac.dot(bp));
    if d3 >= 0.0 && d4 <= d3 {
        return b;
    }
    let vc = d1 * d4 - d3 * d2;
    if vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0 {
        return a + ab * (d1 / (d1 - d3));
    }
    let cp = p - c;
    let (d5, d6) = (ab.dot(cp), ac.dot(cp));
    if d6 >= 0.0 && d5 <= d6 {
        return c;
    }
    let vb = d5 * d2 - d1 * d6;
    if vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0 {
        return a + ac * (d2 / (d2 - d6));
    }
    let va = d3 * d6 - d5 * d4;
    if va <= 0.0 && (d4 - d3) >= 0.0 && (d5 - d6) >= 0.0 {
        return b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)));
    }
    let denom = 1.0 / (va + vb + vc);
    a + ab * (vb * denom) + ac * (vc * denom)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A closed axis-aligned box as 12 triangles, facing outwards.
    pub(crate) fn cube(half: f32) -> (Vec<Vec3>, Vec<[u32; 3]>) {
        let p: Vec<Vec3> = (0..8)
            .map(|i| {
                Vec3::new(
                    if i & 1 == 0 { -half } else { half },
                    if i & 2 == 0 { -half } else { half },
                    if i & 4 == 0 { -half } else { half },
                )
            })
            .collect();
        let quads = [
            [0, 2, 3, 1],
            [4, 5, 7, 6],
            [0, 1, 5, 4],
            [2, 6, 7, 3],
            [0, 4, 6, 2],
            [1, 3, 7, 5],
        ];
        let t = quads
            .iter()
            .flat_map(|q: &[u32; 4]| [[q[0], q[1], q[2]], [q[0], q[2], q[3]]])
            .collect();
        (p, t)
    }

    #[test]
    fn a_cube_is_negative_inside_positive_outside_and_exact_near_its_faces() {
        let (p, t) = cube(0.2);
        let sdf = Sdf::bake(&p, &t, 0.01, 4, 0.05).expect("bakes");
        // Deep inside, beyond the exact band, the chamfer estimate is close to the truth.
        assert!(
            (sdf.distance(Vec3::ZERO) + 0.2).abs() < 0.02,
            "{}",
            sdf.distance(Vec3::ZERO)
        );
        let (_, n) = sdf.sample(Vec3::new(0.0, -0.12, 0.0));
        assert!(
            n.y < -0.9,
            "deep inside, the way out is the nearest face: {n}"
        );
        assert!((sdf.distance(Vec3::new(0.0, 0.17, 0.0)) + 0.03).abs() < 0.002);
        assert!((sdf.distance(Vec3::new(0.0, 0.0, 0.225)) - 0.025).abs() < 0.002);
        assert!(
            sdf.distance(Vec3::new(1.0, 0.0, 0.0)) > 0.0,
            "outside the grid"
        );
        let (d, n) = sdf.sample(Vec3::new(0.0, 0.21, 0.0));
        assert!((d - 0.01).abs() < 0.002 && n.y > 0.99, "{d} {n}");
    }

    #[test]
    fn bad_meshes_are_refused() {
        let (mut p, t) = cube(0.1);
        assert_eq!(
            Sdf::bake(&p, &[], 0.01, 2, 0.0).err(),
            Some(SdfError::Empty)
        );
        assert!(matches!(
            Sdf::bake(&p, &[[0, 1, 99]], 0.01, 2, 0.0),
            Err(SdfError::BadIndex(0, 99, 8))
        ));
        p[3].x = f32::NAN;
        assert_eq!(
            Sdf::bake(&p, &t, 0.01, 2, 0.0).err(),
            Some(SdfError::NotFinite(3))
        );
        let (p, t) = cube(100.0);
        assert!(matches!(
            Sdf::bake(&p, &t, 0.01, 2, 0.0),
            Err(SdfError::TooLarge(..))
        ));
    }
}

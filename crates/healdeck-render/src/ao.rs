//! Ambient occlusion baked per vertex for Realistic Render: the scene is voxelized once and a
//! few rays per vertex are marched through the grid (and against the floor). It works the same
//! for procedural and imported meshes and costs one pass on the CPU, no extra GPU pass.

use super::mesh::Mesh;
use glam::Vec3;

const RES: usize = 96;
const RAYS: [[f32; 3]; 10] = [
    [0.0, 0.0, 1.0],
    [0.62, 0.0, 0.78],
    [-0.62, 0.0, 0.78],
    [0.0, 0.62, 0.78],
    [0.0, -0.62, 0.78],
    [0.5, 0.5, 0.7],
    [-0.5, 0.5, 0.7],
    [0.5, -0.5, 0.7],
    [-0.5, -0.5, 0.7],
    [0.9, 0.3, 0.3],
];

struct Grid {
    lo: Vec3,
    cell: f32,
    dims: [usize; 3],
    bits: Vec<bool>,
}

impl Grid {
    fn index(&self, p: Vec3) -> Option<usize> {
        let q = (p - self.lo) / self.cell;
        if q.x < 0.0 || q.y < 0.0 || q.z < 0.0 {
            return None;
        }
        let (x, y, z) = (q.x as usize, q.y as usize, q.z as usize);
        (x < self.dims[0] && y < self.dims[1] && z < self.dims[2])
            .then(|| (z * self.dims[1] + y) * self.dims[0] + x)
    }
}

/// Occlusion factors (1 = open, lower = occluded), one list per mesh, index-aligned.
pub(crate) fn bake(meshes: &[&Mesh], ground_y: f32) -> Vec<Vec<f32>> {
    let bounds = meshes
        .iter()
        .filter_map(|m| m.bounds())
        .reduce(|a, b| (a.0.min(b.0), a.1.max(b.1)));
    let Some((lo, hi)) = bounds else {
        return meshes
            .iter()
            .map(|m| vec![1.0; m.positions.len()])
            .collect();
    };
    let lo = lo - Vec3::splat(0.05);
    let ext = (hi + Vec3::splat(0.05)) - lo;
    let cell = ext.max_element() / RES as f32;
    let dims = [
        (ext.x / cell).ceil() as usize + 1,
        (ext.y / cell).ceil() as usize + 1,
        (ext.z / cell).ceil() as usize + 1,
    ];
    let mut g = Grid {
        lo,
        cell,
        dims,
        bits: vec![false; dims[0] * dims[1] * dims[2]],
    };
    for m in meshes {
        for t in m.indices.chunks_exact(3) {
            let (Some(a), Some(b), Some(c)) = (
                m.positions.get(t[0] as usize),
                m.positions.get(t[1] as usize),
                m.positions.get(t[2] as usize),
            ) else {
                continue;
            };
            let longest = (*b - *a)
                .length()
                .max((*c - *a).length())
                .max((*c - *b).length());
            let n = ((longest / (cell * 0.7)).ceil() as usize).clamp(1, 64);
            for i in 0..=n {
                for j in 0..=(n - i) {
                    let (u, v) = (i as f32 / n as f32, j as f32 / n as f32);
                    let p = *a + (*b - *a) * u + (*c - *a) * v;
                    if let Some(k) = g.index(p) {
                        g.bits[k] = true;
                    }
                }
            }
        }
    }
    let max_dist = 0.30f32;
    let step = cell * 0.9;
    meshes
        .iter()
        .map(|m| {
            m.positions
                .iter()
                .zip(&m.normals)
                .map(|(p, n)| {
                    let (u, v) = super::mesh::frame(*n);
                    let mut occluded = 0.0;
                    for r in RAYS {
                        let d = (u * r[0] + v * r[1] + *n * r[2]).normalize_or(*n);
                        let mut t = cell * 1.8;
                        while t < max_dist {
                            let q = *p + d * t;
                            if q.y < ground_y || g.index(q).is_some_and(|k| g.bits[k]) {
                                occluded += 1.0 - t / max_dist;
                                break;
                            }
                            t += step;
                        }
                    }
                    1.0 - 0.9 * occluded / RAYS.len() as f32
                })
                .collect()
        })
        .collect()
}

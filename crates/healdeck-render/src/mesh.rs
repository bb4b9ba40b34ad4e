//! Triangle meshes: positions, normals, UVs, indices and material ranges, plus the geometry
//! helpers every producer shares — lofting rings into closed tubes, welding by position for
//! smooth normals, bounds, and the checks tests use (watertightness, NaN-free data).

use glam::{Vec2, Vec3};

/// Largest texture side kept (bigger images are scaled down on load).
pub(crate) const MAX_TEXTURE_SIDE: u32 = 2048;

/// An image that cannot be used as a texture, with its path.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct TextureError {
    pub path: std::path::PathBuf,
    pub message: String,
}

/// Loads an image for use as a texture, refusing decompression bombs and scaling big ones down.
pub fn load_texture(
    path: &std::path::Path,
) -> Result<std::sync::Arc<image::RgbaImage>, TextureError> {
    let err = |e: &dyn std::fmt::Display| TextureError {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    // A device or FIFO would be read forever or block: only regular files are images.
    if !std::fs::metadata(path).map_err(|e| err(&e))?.is_file() {
        return Err(err(&"not a regular file"));
    }
    let reader = image::ImageReader::open(path).map_err(|e| err(&e))?;
    decode_texture(reader, path)
}

/// [`load_texture`] for an image already in memory (one inside an archive), named `path` in
/// messages.
pub fn texture_from_bytes(
    bytes: &[u8],
    path: &std::path::Path,
) -> Result<std::sync::Arc<image::RgbaImage>, TextureError> {
    decode_texture(image::ImageReader::new(std::io::Cursor::new(bytes)), path)
}

fn decode_texture<R: std::io::BufRead + std::io::Seek>(
    mut reader: image::ImageReader<R>,
    path: &std::path::Path,
) -> Result<std::sync::Arc<image::RgbaImage>, TextureError> {
    let err = |e: &dyn std::fmt::Display| TextureError {
        path: path.to_path_buf(),
        message: e.to_string(),
    };
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(16_384);
    limits.max_image_height = Some(16_384);
    limits.max_alloc = Some(512 << 20);
    reader.limits(limits);
    let img = reader
        .with_guessed_format()
        .map_err(|e| err(&e))?
        .decode()
        .map_err(|e| err(&e))?;
    let img = if img.width().max(img.height()) > MAX_TEXTURE_SIDE {
        img.resize(
            MAX_TEXTURE_SIDE,
            MAX_TEXTURE_SIDE,
            image::imageops::FilterType::Triangle,
        )
    } else {
        img
    };
    Ok(std::sync::Arc::new(img.to_rgba8()))
}
use std::collections::HashMap;

/// A material slot: which triangles it covers and how they look.
#[derive(Debug, Clone, PartialEq)]
pub struct MaterialRange {
    pub name: String,
    /// Linear RGB base color.
    pub color: [f32; 3],
    /// Index range (in indices, a multiple of 3).
    pub start: u32,
    pub count: u32,
    /// Fabric model index (see `garment::Fabric::id`); 0 for skin / plain.
    pub fabric: u32,
    /// Print pattern (see `garment::Print::id`), 0 for none.
    pub print: u32,
    pub print_color: [f32; 3],
    /// Base color texture (sRGB pixels): an image print, or an imported `map_Kd` / glTF
    /// base color texture. Multiplies the color; an image print replaces it.
    pub texture: Option<std::sync::Arc<image::RgbaImage>>,
    /// How many times the texture repeats across the UV range.
    pub texture_repeat: f32,
    /// Where the print or texture lies (see `garment::PrintPlacement::transform`):
    /// [`UNPLACED`] leaves it as the texture coordinates have it.
    pub print_place: [f32; 4],
}

/// A print laid as the texture coordinates have it: not turned, scaled or moved.
pub const UNPLACED: [f32; 4] = [1.0, 0.0, 0.0, 0.0];

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Mesh {
    pub positions: Vec<Vec3>,
    pub normals: Vec<Vec3>,
    pub uvs: Vec<Vec2>,
    /// Per-vertex detail mask: 1 on seams and hems (drawn as stitched lines), else 0.
    pub seams: Vec<f32>,
    pub indices: Vec<u32>,
    pub materials: Vec<MaterialRange>,
}

/// One cross-section of a tube: a superellipse around `center` in the plane of `u` and `v`.
#[derive(Debug, Clone, Copy)]
pub struct Ring {
    pub center: Vec3,
    /// Unit direction of the ring's first semi-axis (radius `a`).
    pub u: Vec3,
    /// Unit direction of the second semi-axis (radius `b`).
    pub v: Vec3,
    pub a: f32,
    pub b: f32,
    /// Superellipse exponent: 2 is an ellipse, larger is boxier.
    pub n: f32,
}

impl Ring {
    /// The point at angle `t` (radians), with an optional outward offset.
    pub fn point(&self, t: f32, extra: f32) -> Vec3 {
        let (s, c) = t.sin_cos();
        let e = 2.0 / self.n;
        let x = c.signum() * c.abs().powf(e);
        let y = s.signum() * s.abs().powf(e);
        self.center + self.u * x * (self.a + extra) + self.v * y * (self.b + extra)
    }
}

impl Mesh {
    pub fn triangle_count(&self) -> usize {
        self.indices.len() / 3
    }

    /// Appends another mesh (indices shifted, materials kept).
    pub fn append(&mut self, other: &Mesh) {
        let base = self.positions.len() as u32;
        let ibase = self.indices.len() as u32;
        self.positions.extend_from_slice(&other.positions);
        self.normals.extend_from_slice(&other.normals);
        self.uvs.extend_from_slice(&other.uvs);
        self.seams.extend_from_slice(&other.seams);
        self.indices.extend(other.indices.iter().map(|i| i + base));
        for m in &other.materials {
            let mut m = m.clone();
            m.start += ibase;
            self.materials.push(m);
        }
    }

    /// Lofts rings into a tube with `segments` around; `caps` closes both ends with domes so
    /// the result is watertight. `offset(ring, t)` pushes points outward (folds, hems).
    pub fn loft(
        rings: &[Ring],
        segments: usize,
        caps: bool,
        seam: impl Fn(usize, f32) -> f32,
        offset: impl Fn(usize, f32) -> f32,
    ) -> Mesh {
        let mut m = Mesh::default();
        if rings.len() < 2 || segments < 3 {
            return m;
        }
        let tau = std::f32::consts::TAU;
        // Shared first/last column would break UV continuity; duplicate the seam column.
        for (ri, r) in rings.iter().enumerate() {
            let v = ri as f32 / (rings.len() - 1) as f32;
            for s in 0..=segments {
                let t = tau * s as f32 / segments as f32;
                m.positions.push(r.point(t, offset(ri, t)));
                m.uvs.push(Vec2::new(s as f32 / segments as f32, v));
                m.seams.push(seam(ri, t));
            }
        }
        let cols = segments as u32 + 1;
        // Winding so that normals point outward whatever the rings' handedness.
        let dir = rings[rings.len() - 1].center - rings[0].center;
        let flip = rings[0].u.cross(rings[0].v).dot(dir) > 0.0;
        for ri in 0..rings.len() as u32 - 1 {
            for s in 0..segments as u32 {
                let a = ri * cols + s;
                let b = a + 1;
                let c = a + cols;
                let d = c + 1;
                if flip {
                    m.indices.extend_from_slice(&[a, b, c, b, d, c]);
                } else {
                    m.indices.extend_from_slice(&[a, c, b, b, c, d]);
                }
            }
        }
        if caps {
            for (end, ri) in [(false, 0usize), (true, rings.len() - 1)] {
                let r = rings[ri];
                // The dome bulges away from the tube: backwards at the start, forwards at the end.
                let neighbour = if end {
                    rings[ri - 1].center
                } else {
                    rings[1].center
                };
                let out = (r.center - neighbour).normalize_or(r.u.cross(r.v));
                let depth = 0.35 * r.a.min(r.b);
                let apex = m.positions.len() as u32;
                m.positions.push(r.center + out * depth);
                m.uvs.push(Vec2::new(0.5, if end { 1.0 } else { 0.0 }));
                m.seams.push(0.0);
                let row = ri as u32 * cols;
                for s in 0..segments as u32 {
                    let (p, q) = (row + s, row + s + 1);
                    let (pp, pq, pa) = (
                        m.positions[p as usize],
                        m.positions[q as usize],
                        m.positions[apex as usize],
                    );
                    if (pq - pp).cross(pa - pp).dot(out) >= 0.0 {
                        m.indices.extend_from_slice(&[p, q, apex]);
                    } else {
                        m.indices.extend_from_slice(&[p, apex, q]);
                    }
                }
            }
        }
        m.compute_normals();
        m
    }

    /// Smooth normals, welding vertices that share a position (seams of UV columns, imported
    /// meshes with split vertices), so shading has no cracks.
    pub fn compute_normals(&mut self) {
        let mut acc = vec![Vec3::ZERO; self.positions.len()];
        for t in self.indices.chunks_exact(3) {
            let (a, b, c) = (t[0] as usize, t[1] as usize, t[2] as usize);
            let (Some(pa), Some(pb), Some(pc)) = (
                self.positions.get(a),
                self.positions.get(b),
                self.positions.get(c),
            ) else {
                continue;
            };
            let n = (*pb - *pa).cross(*pc - *pa);
            for i in [a, b, c] {
                acc[i] += n;
            }
        }
        let mut welded: HashMap<[i32; 3], Vec3> = HashMap::new();
        for (p, n) in self.positions.iter().zip(&acc) {
            *welded.entry(weld_key(*p)).or_insert(Vec3::ZERO) += *n;
        }
        self.normals = self
            .positions
            .iter()
            .map(|p| {
                welded
                    .get(&weld_key(*p))
                    .copied()
                    .unwrap_or(Vec3::Y)
                    .normalize_or(Vec3::Y)
            })
            .collect();
    }

    pub fn bounds(&self) -> Option<(Vec3, Vec3)> {
        let first = *self.positions.first()?;
        Some(
            self.positions
                .iter()
                .fold((first, first), |(lo, hi), p| (lo.min(*p), hi.max(*p))),
        )
    }

    /// True when every edge (after welding by position) is shared by exactly two triangles.
    pub fn is_watertight(&self) -> bool {
        let key = |p: Vec3| {
            [
                (p.x * 1e4).round() as i64,
                (p.y * 1e4).round() as i64,
                (p.z * 1e4).round() as i64,
            ]
        };
        let mut ids: HashMap<[i64; 3], u32> = HashMap::new();
        let vid: Vec<u32> = self
            .positions
            .iter()
            .map(|p| {
                let n = ids.len() as u32;
                *ids.entry(key(*p)).or_insert(n)
            })
            .collect();
        let mut edges: HashMap<(u32, u32), i32> = HashMap::new();
        for t in self.indices.chunks_exact(3) {
            let v = [vid[t[0] as usize], vid[t[1] as usize], vid[t[2] as usize]];
            if v[0] == v[1] || v[1] == v[2] || v[0] == v[2] {
                continue;
            }
            for (a, b) in [(v[0], v[1]), (v[1], v[2]), (v[2], v[0])] {
                *edges.entry((a.min(b), a.max(b))).or_insert(0) += 1;
            }
        }
        !edges.is_empty() && edges.values().all(|&c| c == 2)
    }

    /// No NaN or infinite values anywhere.
    pub fn is_finite(&self) -> bool {
        self.positions
            .iter()
            .chain(&self.normals)
            .all(|v| v.is_finite())
            && self.uvs.iter().all(|v| v.is_finite())
    }
}

/// Where vertices count as one (split at texture seams, say): their position to 0.1 mm.
pub(crate) fn weld_key(p: Vec3) -> [i32; 3] {
    [(p.x * 1e4) as i32, (p.y * 1e4) as i32, (p.z * 1e4) as i32]
}

/// A ring frame perpendicular to direction `d`, with `u` as close to +X as possible.
pub fn frame(d: Vec3) -> (Vec3, Vec3) {
    let d = d.normalize_or(Vec3::NEG_Y);
    let reference = if d.dot(Vec3::Z).abs() > 0.9 {
        Vec3::Y
    } else {
        Vec3::Z
    };
    let v = (reference - d * reference.dot(d)).normalize_or(Vec3::Z);
    let u = v.cross(d).normalize_or(Vec3::X);
    (u, v)
}

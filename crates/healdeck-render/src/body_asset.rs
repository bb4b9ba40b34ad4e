//! The realistic body's data: MakeHuman's CC0 base mesh (its `body` group) and an adult subset
//! of its shape targets, in one compact file (`assets/avatar/body.hdav`, see the LICENSE and
//! PROVENANCE beside it). `build-avatar-assets` writes it; the app decodes the copy built into
//! it once and blends targets on the CPU.
//!
//! Layout, little-endian, gzip-compressed: `HDAV`, u32 version; u32 vertex count, f32×3 per
//! vertex (metres, y up, feet near y = -0.82); u32 quad count, u16×4 per quad; u32 target
//! count, then per target: u16 name length, the name (UTF-8), f32 scale (metres per step),
//! u32 entry count, u16 vertex index per entry (strictly ascending), i16×3 per entry (the
//! vertex's offset at full weight, in steps of `scale`).

use std::io::{Read, Write};
use std::sync::LazyLock;

const MAGIC: &[u8; 4] = b"HDAV";
const VERSION: u32 = 1;
/// A decoded asset larger than this is not ours (the shipped one is about 12 MB).
const MAX_DECODED_BYTES: u64 = 256 << 20;

/// The body asset built into healdeck.
static SHIPPED: &[u8] = include_bytes!("../../../assets/avatar/body.hdav");

/// A sparse shape target: the offsets of the vertices it moves, at weight 1.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub name: String,
    /// Metres per quantization step.
    pub scale: f32,
    pub indices: Vec<u16>,
    pub deltas: Vec<[i16; 3]>,
}

/// The base body and its targets.
#[derive(Debug, Clone, PartialEq)]
pub struct BodyAsset {
    pub positions: Vec<[f32; 3]>,
    pub quads: Vec<[u16; 4]>,
    pub targets: Vec<Target>,
}

/// Why a body asset cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum BodyAssetError {
    #[error("the body asset is not a gzip stream: {0}")]
    Compression(#[from] std::io::Error),
    #[error("the body asset is damaged at byte {at}: {what}")]
    Damaged { at: usize, what: String },
}

impl Target {
    /// Quantizes full-weight offsets (metres) of the vertices `indices` (ascending).
    pub fn quantize(name: &str, entries: &[(u16, [f32; 3])]) -> Target {
        let largest = entries
            .iter()
            .flat_map(|(_, d)| d.iter().map(|c| c.abs()))
            .fold(0.0f32, f32::max);
        let scale = if largest > 0.0 {
            largest / f32::from(i16::MAX)
        } else {
            1.0
        };
        let q = |c: f32| (c / scale).round().clamp(-32767.0, 32767.0) as i16;
        Target {
            name: name.to_string(),
            scale,
            indices: entries.iter().map(|(i, _)| *i).collect(),
            deltas: entries
                .iter()
                .map(|(_, d)| [q(d[0]), q(d[1]), q(d[2])])
                .collect(),
        }
    }
}

impl BodyAsset {
    /// The asset built into healdeck, decoded on first use.
    pub fn shipped() -> Result<&'static BodyAsset, &'static BodyAssetError> {
        static DECODED: LazyLock<Result<BodyAsset, BodyAssetError>> =
            LazyLock::new(|| BodyAsset::decode(SHIPPED));
        DECODED.as_ref()
    }

    /// The index of the target called `name`.
    pub fn target(&self, name: &str) -> Option<usize> {
        self.targets.iter().position(|t| t.name == name)
    }

    /// The base positions with each `(target, weight)` added.
    pub fn blend(&self, weights: &[(usize, f32)]) -> Vec<[f32; 3]> {
        let mut out = self.positions.clone();
        for &(t, w) in weights {
            self.add(&mut out, t, w);
        }
        out
    }

    /// Adds target `t` at weight `w` to `positions` (a blend of this asset).
    pub fn add(&self, positions: &mut [[f32; 3]], t: usize, w: f32) {
        let Some(t) = self.targets.get(t).filter(|_| w != 0.0) else {
            return;
        };
        let k = t.scale * w;
        for (&i, d) in t.indices.iter().zip(&t.deltas) {
            if let Some(p) = positions.get_mut(usize::from(i)) {
                p[0] += f32::from(d[0]) * k;
                p[1] += f32::from(d[1]) * k;
                p[2] += f32::from(d[2]) * k;
            }
        }
    }

    /// The gzip-compressed file.
    pub fn encode(&self) -> std::io::Result<Vec<u8>> {
        let mut raw = Vec::new();
        raw.extend_from_slice(MAGIC);
        raw.extend_from_slice(&VERSION.to_le_bytes());
        put_u32(&mut raw, self.positions.len());
        for p in &self.positions {
            p.iter()
                .for_each(|c| raw.extend_from_slice(&c.to_le_bytes()));
        }
        put_u32(&mut raw, self.quads.len());
        for q in &self.quads {
            q.iter()
                .for_each(|i| raw.extend_from_slice(&i.to_le_bytes()));
        }
        put_u32(&mut raw, self.targets.len());
        for t in &self.targets {
            let name = t.name.as_bytes();
            raw.extend_from_slice(&(name.len().min(usize::from(u16::MAX)) as u16).to_le_bytes());
            raw.extend_from_slice(name);
            raw.extend_from_slice(&t.scale.to_le_bytes());
            put_u32(&mut raw, t.indices.len());
            t.indices
                .iter()
                .for_each(|i| raw.extend_from_slice(&i.to_le_bytes()));
            for d in &t.deltas {
                d.iter()
                    .for_each(|c| raw.extend_from_slice(&c.to_le_bytes()));
            }
        }
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        gz.write_all(&raw)?;
        gz.finish()
    }

    /// Reads a file `encode` wrote; anything else is an error naming the byte.
    pub fn decode(bytes: &[u8]) -> Result<BodyAsset, BodyAssetError> {
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(bytes)
            .take(MAX_DECODED_BYTES)
            .read_to_end(&mut raw)?;
        let mut r = Reader { buf: &raw, at: 0 };
        if r.bytes(4)? != MAGIC {
            return Err(r.damaged("not a healdeck body asset"));
        }
        let version = r.u32()?;
        if version != VERSION {
            return Err(r.damaged(&format!("version {version}, expected {VERSION}")));
        }
        let nv = r.count(12)?;
        if nv > usize::from(u16::MAX) + 1 {
            return Err(r.damaged(&format!("{nv} vertices, at most 65536")));
        }
        let positions = (0..nv)
            .map(|_| Ok([r.f32()?, r.f32()?, r.f32()?]))
            .collect::<Result<Vec<_>, BodyAssetError>>()?;
        let nq = r.count(8)?;
        let mut quads = Vec::with_capacity(nq);
        for _ in 0..nq {
            let q = [r.u16()?, r.u16()?, r.u16()?, r.u16()?];
            if q.iter().any(|&i| usize::from(i) >= nv) {
                return Err(r.damaged("a quad names a vertex that does not exist"));
            }
            quads.push(q);
        }
        let nt = r.count(10)?;
        let targets = (0..nt)
            .map(|_| r.target(nv))
            .collect::<Result<Vec<_>, _>>()?;
        if r.at != raw.len() {
            return Err(r.damaged("bytes after the last target"));
        }
        Ok(BodyAsset {
            positions,
            quads,
            targets,
        })
    }
}

fn put_u32(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(&(n.min(u32::MAX as usize) as u32).to_le_bytes());
}

struct Reader<'b> {
    buf: &'b [u8],
    at: usize,
}

impl<'b> Reader<'b> {
    fn damaged(&self, what: &str) -> BodyAssetError {
        BodyAssetError::Damaged {
            at: self.at,
            what: what.to_string(),
        }
    }

    fn bytes(&mut self, n: usize) -> Result<&'b [u8], BodyAssetError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.buf.len())
            .ok_or_else(|| self.damaged("it ends too early"))?;
        let b = &self.buf[self.at..end];
        self.at = end;
        Ok(b)
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N], BodyAssetError> {
        let mut a = [0u8; N];
        a.copy_from_slice(self.bytes(N)?);
        Ok(a)
    }

    fn u16(&mut self) -> Result<u16, BodyAssetError> {
        Ok(u16::from_le_bytes(self.array()?))
    }

    fn u32(&mut self) -> Result<u32, BodyAssetError> {
        Ok(u32::from_le_bytes(self.array()?))
    }

    fn f32(&mut self) -> Result<f32, BodyAssetError> {
        let v = f32::from_le_bytes(self.array()?);
        if v.is_finite() {
            Ok(v)
        } else {
            Err(self.damaged("a number that is not finite"))
        }
    }

    /// A count of items of at least `min_bytes` each, checked against what is left.
    fn count(&mut self, min_bytes: usize) -> Result<usize, BodyAssetError> {
        let n = self.u32()? as usize;
        if n.saturating_mul(min_bytes) > self.buf.len() - self.at {
            return Err(self.damaged(&format!("a count of {n} that the file cannot hold")));
        }
        Ok(n)
    }

    fn target(&mut self, nv: usize) -> Result<Target, BodyAssetError> {
        let len = usize::from(self.u16()?);
        let name = std::str::from_utf8(self.bytes(len)?)
            .map_err(|_| self.damaged("a target name that is not UTF-8"))?
            .to_string();
        let scale = self.f32()?;
        let n = self.count(8)?;
        let indices = (0..n).map(|_| self.u16()).collect::<Result<Vec<_>, _>>()?;
        let ascending = indices.windows(2).all(|w| w[0] < w[1]);
        if !ascending || indices.last().is_some_and(|&i| usize::from(i) >= nv) {
            return Err(self.damaged(&format!("target '{name}' has bad vertex indices")));
        }
        let deltas = (0..n)
            .map(|_| Ok([self.u16()? as i16, self.u16()? as i16, self.u16()? as i16]))
            .collect::<Result<Vec<_>, BodyAssetError>>()?;
        Ok(Target {
            name,
            scale,
            indices,
            deltas,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> BodyAsset {
        BodyAsset {
            positions: vec![
                [0.0, 0.0, 0.0],
                [1.0, 0.0, 0.0],
                [1.0, 1.0, 0.0],
                [0.0, 1.0, 0.0],
            ],
            quads: vec![[0, 1, 2, 3]],
            targets: vec![Target::quantize(
                "tall",
                &[(2, [0.0, 0.5, 0.0]), (3, [0.0, 0.5, -0.01])],
            )],
        }
    }

    #[test]
    fn round_trips_and_blends() {
        let a = tiny();
        let back = BodyAsset::decode(&a.encode().expect("encode")).expect("decode");
        assert_eq!(back, a);
        let t = back.target("tall").expect("target");
        let p = back.blend(&[(t, 0.5)]);
        assert!((p[2][1] - 1.25).abs() < 1e-4, "{p:?}");
        assert!((p[3][2] + 0.005).abs() < 1e-4, "{p:?}");
        assert_eq!(p[0], [0.0, 0.0, 0.0]);
    }

    #[test]
    fn damaged_files_name_the_byte() {
        let good = tiny().encode().expect("encode");
        assert!(BodyAsset::decode(b"not gzip").is_err());
        let mut raw = Vec::new();
        flate2::read::GzDecoder::new(&good[..])
            .read_to_end(&mut raw)
            .expect("gunzip");
        let regzip = |raw: &[u8]| {
            let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
            gz.write_all(raw).expect("gzip");
            gz.finish().expect("gzip")
        };
        for cut in [3, 10, 30, raw.len() - 1] {
            let e = BodyAsset::decode(&regzip(&raw[..cut])).expect_err("cut");
            assert!(e.to_string().contains("damaged at byte"), "{e}");
        }
        // A quad naming vertex 9 of 4.
        let mut bad = raw.clone();
        let quad_at = 4 + 4 + 4 + 4 * 12 + 4;
        bad[quad_at..quad_at + 2].copy_from_slice(&9u16.to_le_bytes());
        let e = BodyAsset::decode(&regzip(&bad)).expect_err("bad quad");
        assert!(e.to_string().contains("vertex that does not exist"), "{e}");
    }
}

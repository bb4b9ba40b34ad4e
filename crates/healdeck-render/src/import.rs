//! Importing garments exported from CLO3D / Marvelous Designer (and any OBJ or glTF): several
//! materials per garment, any units (millimetres to metres — scaled by the bounding box so the
//! model stands on the floor at real size), normals computed when missing (welded by position),
//! UVs filled by a cylindrical projection when missing. A broken or hostile file — truncated,
//! absurd indices, claimed sizes far beyond the data — is an error naming the file, never a
//! panic or a huge allocation.

use super::mesh::{MaterialRange, Mesh};
use glam::{Vec2, Vec3};
use std::path::{Path, PathBuf};

/// Largest file accepted.
pub(crate) const MAX_FILE_BYTES: u64 = 512 << 20;
/// Most triangles / vertices accepted.
pub(crate) const MAX_TRIANGLES: usize = 20_000_000;

#[derive(Debug, thiserror::Error)]
#[error("{path}: {message}")]
pub struct ImportError {
    pub path: String,
    pub message: String,
}

fn err(path: &Path, message: impl Into<String>) -> ImportError {
    ImportError {
        path: path.display().to_string(),
        message: message.into(),
    }
}

/// Loads an OBJ (+MTL) or glTF/GLB file by its extension, stood on the floor at the origin.
pub fn load(path: &Path) -> Result<Mesh, ImportError> {
    load_placed(path).map(|(mesh, _)| mesh)
}

/// [`load`], and where the file had the model: the move (metres) that stood it on the floor
/// at the origin, undone to put it back (a garment exported without its avatar, where that
/// avatar stood).
pub fn load_placed(path: &Path) -> Result<(Mesh, Vec3), ImportError> {
    let meta = std::fs::metadata(path).map_err(|e| err(path, e.to_string()))?;
    if !meta.is_file() {
        return Err(err(path, "not a regular file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(err(
            path,
            format!(
                "{} MB is larger than the {} MB limit",
                meta.len() >> 20,
                MAX_FILE_BYTES >> 20
            ),
        ));
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    // Third-party parsers are guarded: a panic inside them becomes an error for this file.
    let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| match ext.as_str() {
        "obj" => load_obj(path),
        "gltf" | "glb" => load_gltf(path),
        _ => Err(err(
            path,
            "unsupported mesh format (expected .obj, .gltf or .glb)",
        )),
    }))
    .unwrap_or_else(|_| Err(err(path, "the file is malformed (the parser gave up)")))?;
    finish(loaded, path)
}

/// A file that a model names beside it (an MTL, a texture, a glTF buffer or image): a path
/// relative to the model's folder that leads to a regular file within the size limit. An
/// absolute path (often a Windows path from the exporting machine) is looked for by its file
/// name beside the model. Devices, FIFOs and folders are refused: a hostile model naming
/// `/dev/zero` would otherwise be read forever.
fn linked_file(base: &Path, name: &str) -> Result<PathBuf, String> {
    let name = name.trim();
    let looks_absolute = name.starts_with(['/', '\\'])
        || name.as_bytes().get(1) == Some(&b':')
        || Path::new(name).is_absolute();
    let candidate = if looks_absolute {
        let file_name = name.rsplit(['/', '\\']).next().unwrap_or_default();
        base.join(file_name)
    } else {
        base.join(name)
    };
    let meta = std::fs::metadata(&candidate).map_err(|e| format!("'{name}': {e}"))?;
    if !meta.is_file() {
        return Err(format!("'{name}' is not a regular file"));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(format!(
            "'{name}' is larger than {} MB",
            MAX_FILE_BYTES >> 20
        ));
    }
    Ok(candidate)
}

/// `%2F` → `/`: glTF URIs are percent-encoded.
fn percent_decoded(uri: &str) -> String {
    let b = uri.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%'
            && let (Some(h), Some(l)) = (
                b.get(i + 1).and_then(|&c| hex(c)),
                b.get(i + 2).and_then(|&c| hex(c)),
            )
        {
            out.push((h * 16 + l) as u8);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// A glTF buffer or image URI is embedded data or a file beside the model; anything else
/// (`file:`, `http:`, an absolute path, a device) is refused before the glTF reader sees it.
fn check_gltf_uri(base: &Path, uri: &str) -> Result<(), String> {
    if uri.starts_with("data:") {
        return Ok(());
    }
    let decoded = percent_decoded(uri);
    if decoded.contains("://") || decoded.starts_with("file:") || Path::new(&decoded).is_absolute()
    {
        return Err(format!(
            "'{uri}' is not embedded data or a file beside the model"
        ));
    }
    linked_file(base, &decoded).map(|_| ())
}

fn material_fabric(name: &str) -> u32 {
    let n = name.to_ascii_lowercase();
    if n.contains("denim") || n.contains("jean") {
        2
    } else if n.contains("silk") || n.contains("satin") {
        3
    } else if n.contains("leather") {
        4
    } else if n.contains("knit") || n.contains("wool") {
        5
    } else if n.contains("linen") {
        6
    } else if n.contains("skin") || n.contains("body") || n.contains("avatar") {
        0
    } else {
        1
    }
}

/// An imported material slot: the fabric model is guessed from the material's name.
fn imported_material(
    name: String,
    color: [f32; 3],
    start: u32,
    end: u32,
    texture: Option<std::sync::Arc<image::RgbaImage>>,
) -> MaterialRange {
    MaterialRange {
        fabric: material_fabric(&name),
        name,
        color,
        start,
        count: end - start,
        print: 0,
        print_color: [0.0; 3],
        texture,
        texture_repeat: 1.0,
        print_place: crate::mesh::UNPLACED,
    }
}

fn srgb_to_linear(c: f32) -> f32 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

fn load_obj(path: &Path) -> Result<Mesh, ImportError> {
    let opts = tobj::LoadOptions {
        triangulate: true,
        single_index: true,
        ignore_points: true,
        ignore_lines: true,
    };
    let base = path.parent().unwrap_or(Path::new("."));
    let file = std::fs::File::open(path).map_err(|e| err(path, e.to_string()))?;
    let (models, materials) =
        tobj::load_obj_buf(&mut std::io::BufReader::new(file), &opts, |mtl| {
            let mtl = linked_file(base, &mtl.to_string_lossy()).map_err(|e| {
                tracing::warn!("{}: material library {e}", path.display());
                tobj::LoadError::OpenFileFailed
            })?;
            tobj::load_mtl(mtl)
        })
        .map_err(|e| err(path, format!("not a valid OBJ: {e}")))?;
    let materials = materials.unwrap_or_default();
    let mut mesh = Mesh::default();
    for model in models {
        let m = &model.mesh;
        let nverts = m.positions.len() / 3;
        if m.indices.len() / 3 + mesh.indices.len() / 3 > MAX_TRIANGLES {
            return Err(err(path, format!("more than {MAX_TRIANGLES} triangles")));
        }
        if let Some(bad) = m.indices.iter().find(|&&i| i as usize >= nverts) {
            return Err(err(
                path,
                format!(
                    "object '{}' refers to vertex {} but has {nverts}",
                    model.name,
                    bad + 1
                ),
            ));
        }
        let base_index = mesh.positions.len() as u32;
        let start = mesh.indices.len() as u32;
        mesh.positions.extend(
            m.positions
                .chunks_exact(3)
                .map(|p| Vec3::new(p[0], p[1], p[2])),
        );
        let has_uv = m.texcoords.len() / 2 == nverts;
        if has_uv {
            mesh.uvs.extend(
                m.texcoords
                    .chunks_exact(2)
                    .map(|t| Vec2::new(t[0], 1.0 - t[1])),
            );
        } else {
            mesh.uvs
                .extend(std::iter::repeat_n(Vec2::new(f32::NAN, f32::NAN), nverts));
        }
        mesh.seams.extend(std::iter::repeat_n(0.0, nverts));
        mesh.indices
            .extend(m.indices.iter().map(|i| i + base_index));
        let mat = m.material_id.and_then(|i| materials.get(i));
        let (name, color) = match mat {
            Some(mt) => (
                mt.name.clone(),
                mt.diffuse
                    .map(|d| d.map(srgb_to_linear))
                    .unwrap_or([0.6, 0.6, 0.6]),
            ),
            None => (model.name.clone(), [0.55, 0.55, 0.58]),
        };
        // A missing or unreadable texture is not fatal: the material keeps its color.
        let texture = mat
            .and_then(|mt| mt.diffuse_texture.as_ref())
            .and_then(|t| linked_file(base, t).ok())
            .and_then(|t| super::mesh::load_texture(&t).ok());
        mesh.materials.push(imported_material(
            name,
            color,
            start,
            mesh.indices.len() as u32,
            texture,
        ));
    }
    Ok(mesh)
}

/// glTF images as RGBA textures (8-bit formats; others are skipped).
fn gltf_textures(
    doc: &gltf::Document,
    base: Option<&Path>,
    buffers: &[gltf::buffer::Data],
) -> Vec<Option<std::sync::Arc<image::RgbaImage>>> {
    let folder = base.unwrap_or(Path::new("."));
    let uris_ok = doc.images().all(|img| match img.source() {
        gltf::image::Source::Uri { uri, .. } => check_gltf_uri(folder, uri).is_ok(),
        gltf::image::Source::View { .. } => true,
    });
    if !uris_ok {
        return Vec::new();
    }
    let Ok(images) = gltf::import_images(doc, base, buffers) else {
        return Vec::new();
    };
    images
        .into_iter()
        .map(|img| {
            let px = match img.format {
                gltf::image::Format::R8G8B8A8 => img.pixels,
                gltf::image::Format::R8G8B8 => img
                    .pixels
                    .chunks_exact(3)
                    .flat_map(|c| [c[0], c[1], c[2], 255])
                    .collect(),
                _ => return None,
            };
            image::RgbaImage::from_raw(img.width, img.height, px).map(std::sync::Arc::new)
        })
        .collect()
}

fn load_gltf(path: &Path) -> Result<Mesh, ImportError> {
    let bytes = std::fs::read(path).map_err(|e| err(path, e.to_string()))?;
    let gltf =
        gltf::Gltf::from_slice(&bytes).map_err(|e| err(path, format!("not a valid glTF: {e}")))?;
    let folder = path.parent().unwrap_or(Path::new("."));
    for b in gltf.document.buffers() {
        if let gltf::buffer::Source::Uri(uri) = b.source() {
            check_gltf_uri(folder, uri)
                .map_err(|e| err(path, format!("buffer {}: {e}", b.index())))?;
        }
    }
    let buffers = gltf::import_buffers(&gltf.document, path.parent(), gltf.blob.clone())
        .map_err(|e| err(path, format!("cannot load its buffers: {e}")))?;
    let textures = gltf_textures(&gltf.document, path.parent(), &buffers);
    let mut mesh = Mesh::default();
    for node in gltf.document.nodes() {
        let Some(m) = node.mesh() else { continue };
        let transform = glam::Mat4::from_cols_array_2d(&node.transform().matrix());
        for prim in m.primitives() {
            if prim.mode() != gltf::mesh::Mode::Triangles {
                continue;
            }
            // Check every accessor against its buffer before reading: no trusting claimed sizes.
            for (_, acc) in prim.attributes() {
                check_accessor(&acc, &buffers).map_err(|m| err(path, m))?;
            }
            if let Some(acc) = prim.indices() {
                check_accessor(&acc, &buffers).map_err(|m| err(path, m))?;
            }
            let reader = prim.reader(|b| buffers.get(b.index()).map(|d| &d.0[..]));
            let Some(pos) = reader.read_positions() else {
                continue;
            };
            let base_index = mesh.positions.len() as u32;
            let before = mesh.positions.len();
            mesh.positions
                .extend(pos.map(|p| transform.transform_point3(Vec3::from(p))));
            let n = mesh.positions.len() - before;
            match reader.read_tex_coords(0) {
                Some(t) => mesh.uvs.extend(t.into_f32().map(Vec2::from)),
                None => mesh
                    .uvs
                    .extend(std::iter::repeat_n(Vec2::new(f32::NAN, f32::NAN), n)),
            }
            mesh.uvs
                .resize(mesh.positions.len(), Vec2::new(f32::NAN, f32::NAN));
            mesh.seams.resize(mesh.positions.len(), 0.0);
            let start = mesh.indices.len() as u32;
            let indices: Vec<u32> = match reader.read_indices() {
                Some(i) => i.into_u32().collect(),
                None => (0..n as u32).collect(),
            };
            if !indices.len().is_multiple_of(3) {
                return Err(err(
                    path,
                    format!(
                        "mesh '{}' has {} indices, not whole triangles",
                        m.name().unwrap_or("?"),
                        indices.len()
                    ),
                ));
            }
            if let Some(bad) = indices.iter().find(|&&i| i as usize >= n) {
                return Err(err(
                    path,
                    format!(
                        "mesh '{}' refers to vertex {bad} but has {n}",
                        m.name().unwrap_or("?")
                    ),
                ));
            }
            if (mesh.indices.len() + indices.len()) / 3 > MAX_TRIANGLES {
                return Err(err(path, format!("more than {MAX_TRIANGLES} triangles")));
            }
            mesh.indices.extend(indices.iter().map(|i| i + base_index));
            let mat = prim.material();
            let f = mat.pbr_metallic_roughness().base_color_factor();
            let name = mat
                .name()
                .unwrap_or(m.name().unwrap_or("material"))
                .to_string();
            let texture = mat
                .pbr_metallic_roughness()
                .base_color_texture()
                .and_then(|t| {
                    textures
                        .get(t.texture().source().index())
                        .cloned()
                        .flatten()
                });
            mesh.materials.push(imported_material(
                name,
                [f[0], f[1], f[2]],
                start,
                mesh.indices.len() as u32,
                texture,
            ));
        }
    }
    Ok(mesh)
}

fn check_accessor(acc: &gltf::Accessor, buffers: &[gltf::buffer::Data]) -> Result<(), String> {
    let count = acc.count();
    if count > MAX_TRIANGLES * 3 {
        return Err(format!("accessor {} claims {count} elements", acc.index()));
    }
    let Some(view) = acc.view() else {
        return Err(format!(
            "accessor {} has no buffer view (sparse accessors are not supported)",
            acc.index()
        ));
    };
    let data = buffers.get(view.buffer().index()).map_or(0, |d| d.0.len());
    if view.offset().saturating_add(view.length()) > data {
        return Err(format!(
            "buffer view {} claims {} bytes but its buffer has {data}",
            view.index(),
            view.length()
        ));
    }
    let stride = view.stride().unwrap_or(acc.size());
    let need = acc
        .offset()
        .saturating_add(stride.saturating_mul(count.saturating_sub(1)))
        .saturating_add(acc.size());
    if count > 0 && need > view.length() {
        return Err(format!(
            "accessor {} needs {need} bytes but its view has {}",
            acc.index(),
            view.length()
        ));
    }
    Ok(())
}

/// Units, placement, normals and missing UVs; and the move that placed it.
fn finish(mut mesh: Mesh, path: &Path) -> Result<(Mesh, Vec3), ImportError> {
    if mesh.indices.is_empty() || mesh.positions.is_empty() {
        return Err(err(path, "the file contains no triangles"));
    }
    if !mesh.positions.iter().all(|p| p.is_finite()) {
        return Err(err(path, "vertex positions contain NaN or infinity"));
    }
    let Some((lo, hi)) = mesh.bounds() else {
        return Err(err(path, "no vertices"));
    };
    let extent = (hi - lo).max_element();
    if extent <= 0.0 {
        return Err(err(path, "all vertices are at one point"));
    }
    // Metres, decimetres (MakeHuman), centimetres, millimetres (CLO3D's default).
    let scale = [1.0f32, 0.1, 0.01, 0.001]
        .into_iter()
        .find(|s| extent * s <= 3.0)
        .unwrap_or(1.0 / extent);
    let center = (lo + hi) * 0.5;
    let moved = Vec3::new(center.x, lo.y, center.z) * scale;
    for p in &mut mesh.positions {
        *p = Vec3::new(
            (p.x - center.x) * scale,
            (p.y - lo.y) * scale,
            (p.z - center.z) * scale,
        );
    }
    mesh.compute_normals();
    // Cylindrical UVs (around Y) where the file had none, so fabric detail still has a scale.
    let height = (hi.y - lo.y) * scale;
    for (uv, p) in mesh.uvs.iter_mut().zip(&mesh.positions) {
        if !uv.is_finite() {
            *uv = Vec2::new(
                (p.x.atan2(p.z) / std::f32::consts::TAU) + 0.5,
                p.y / height.max(1e-3),
            );
        }
    }
    Ok((mesh, moved))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, name: &str, bytes: &[u8]) -> std::path::PathBuf {
        let p = dir.join(name);
        std::fs::write(&p, bytes).expect("write");
        p
    }

    const CUBE_CM: &str = "mtllib cube.mtl\no shirt\nv -20 0 -10\nv 20 0 -10\nv 20 70 -10\nv -20 70 -10\nv -20 0 10\nv 20 0 10\nv 20 70 10\nv -20 70 10\nusemtl front_denim\nf 1 2 3 4\nf 5 8 7 6\nusemtl back_silk\nf 1 5 6 2\nf 2 6 7 3\nf 3 7 8 4\nf 5 1 4 8\n";
    const MTL: &str = "newmtl front_denim\nKd 0.2 0.3 0.6\nnewmtl back_silk\nKd 0.8 0.1 0.1\n";

    #[test]
    fn obj_in_centimetres_with_two_materials_and_no_normals() {
        let d = tempfile::tempdir().expect("tmp");
        write(d.path(), "cube.mtl", MTL.as_bytes());
        let p = write(d.path(), "cube.obj", CUBE_CM.as_bytes());
        let m = load(&p).expect("loads");
        assert_eq!(m.materials.len(), 2);
        assert_eq!(m.materials[0].fabric, 2);
        assert_eq!(m.materials[1].fabric, 3);
        let (lo, hi) = m.bounds().expect("b");
        assert!((hi.y - lo.y - 0.70).abs() < 1e-4, "cm → m: {}", hi.y - lo.y);
        assert!(lo.y.abs() < 1e-6);
        assert!(m.is_finite() && m.normals.len() == m.positions.len());
    }

    #[test]
    fn obj_diffuse_textures_are_loaded() {
        let d = tempfile::tempdir().expect("tmp");
        image::RgbaImage::from_pixel(8, 4, image::Rgba([10, 200, 30, 255]))
            .save(d.path().join("green.png"))
            .expect("png");
        write(
            d.path(),
            "cube.mtl",
            format!("{MTL}map_Kd green.png\n").as_bytes(),
        );
        let p = write(d.path(), "cube.obj", CUBE_CM.as_bytes());
        let m = load(&p).expect("loads");
        let tex = m.materials[1]
            .texture
            .as_ref()
            .expect("back_silk has map_Kd");
        assert_eq!(tex.dimensions(), (8, 4));
        assert!(m.materials[0].texture.is_none());
    }

    #[test]
    fn broken_and_hostile_files_are_errors_naming_the_file() {
        let d = tempfile::tempdir().expect("tmp");
        let cases: Vec<(&str, Vec<u8>)> = vec![
            ("absurd.obj", b"v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 999999999\n".to_vec()),
            ("empty.obj", b"# nothing\n".to_vec()),
            ("truncated.glb", b"glTF\x02\x00\x00\x00\xff\xff\xff\x7f".to_vec()),
            ("garbage.gltf", b"{\"asset\": {\"version\": \"2.0\"}, \"buffers\": [{\"byteLength\": 2147483647, \"uri\": \"data:application/octet-stream;base64,AAAA\"}], \"bufferViews\": [{\"buffer\": 0, \"byteLength\": 2147483647}], \"accessors\": [{\"bufferView\": 0, \"componentType\": 5126, \"count\": 178956970, \"type\": \"VEC3\"}], \"meshes\": [{\"primitives\": [{\"attributes\": {\"POSITION\": 0}}]}], \"nodes\": [{\"mesh\": 0}]}".to_vec()),
            ("nan.obj", b"v nan 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n".to_vec()),
            ("notes.txt", b"hello".to_vec()),
        ];
        for (name, bytes) in cases {
            let p = write(d.path(), name, &bytes);
            let e = load(&p).expect_err(name).to_string();
            assert!(e.contains(name), "{name}: {e}");
        }
    }

    /// A model may name other files; devices and absolute paths must not be read (a hostile
    /// `/dev/zero` would be read forever), and a Windows path from the exporting machine is
    /// found by its file name beside the model.
    #[test]
    fn linked_files_are_regular_files_beside_the_model() {
        let d = tempfile::tempdir().expect("tmp");
        let obj = format!(
            "mtllib /dev/zero\n{}",
            CUBE_CM.replace("mtllib cube.mtl\n", "")
        );
        let p = write(d.path(), "zero_mtl.obj", obj.as_bytes());
        let m = load(&p).expect("a missing material library is not fatal");
        assert!(m.materials.iter().all(|m| m.texture.is_none()));

        image::RgbaImage::from_pixel(2, 2, image::Rgba([1, 2, 3, 255]))
            .save(d.path().join("weave.png"))
            .expect("png");
        write(
            d.path(),
            "cube.mtl",
            b"newmtl front_denim\nKd 0.2 0.3 0.6\nmap_Kd /dev/urandom\nnewmtl back_silk\nKd 0.8 0.1 0.1\nmap_Kd C:\\Users\\ana\\CLO\\weave.png\n",
        );
        let p = write(d.path(), "cube.obj", CUBE_CM.as_bytes());
        let m = load(&p).expect("loads");
        assert!(m.materials[0].texture.is_none(), "a device is no texture");
        assert_eq!(
            m.materials[1].texture.as_ref().map(|t| t.dimensions()),
            Some((2, 2)),
            "the Windows path is found beside the model"
        );

        for uri in [
            "/dev/zero",
            "%2Fdev%2Fzero",
            "file:///etc/passwd",
            "https://example.com/b.bin",
            ".",
        ] {
            let json = format!(
                "{{\"asset\":{{\"version\":\"2.0\"}},\"buffers\":[{{\"byteLength\":36,\"uri\":\"{uri}\"}}],\"meshes\":[],\"nodes\":[]}}"
            );
            let p = write(d.path(), "linked.gltf", json.as_bytes());
            let e = load(&p).expect_err(uri).to_string();
            assert!(
                e.contains("linked.gltf") && e.contains("buffer 0"),
                "{uri}: {e}"
            );
        }
        let e = load(Path::new("/dev/zero"))
            .expect_err("a device")
            .to_string();
        assert!(e.contains("not a regular file"), "{e}");
    }

    #[test]
    fn minimal_gltf_with_colors_and_no_uvs() {
        // One triangle, positions only, embedded as base64.
        let mut data = Vec::new();
        for f in [0.0f32, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.5, 0.0] {
            data.extend_from_slice(&f.to_le_bytes());
        }
        let b64 = base64_encode(&data);
        let json = format!(
            "{{\"asset\":{{\"version\":\"2.0\"}},\"buffers\":[{{\"byteLength\":36,\"uri\":\"data:application/octet-stream;base64,{b64}\"}}],\"bufferViews\":[{{\"buffer\":0,\"byteLength\":36}}],\"accessors\":[{{\"bufferView\":0,\"componentType\":5126,\"count\":3,\"type\":\"VEC3\",\"min\":[0,0,0],\"max\":[1,1.5,0]}}],\"materials\":[{{\"name\":\"Knit_Sweater\",\"pbrMetallicRoughness\":{{\"baseColorFactor\":[0.1,0.5,0.2,1]}}}}],\"meshes\":[{{\"primitives\":[{{\"attributes\":{{\"POSITION\":0}},\"material\":0}}]}}],\"nodes\":[{{\"mesh\":0}}]}}"
        );
        let d = tempfile::tempdir().expect("tmp");
        let p = write(d.path(), "tri.gltf", json.as_bytes());
        let m = load(&p).expect("loads");
        assert_eq!(m.triangle_count(), 1);
        assert_eq!(m.materials[0].fabric, 5);
        assert!((m.materials[0].color[1] - 0.5).abs() < 1e-6);
        assert!(m.uvs.iter().all(|u| u.is_finite()));
    }

    /// Found by the fuzzer: an index list that is not whole triangles was passed on.
    #[test]
    fn indices_must_make_whole_triangles() {
        let mut data = Vec::new();
        for f in [0.0f32, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 1.5, 0.0] {
            data.extend_from_slice(&f.to_le_bytes());
        }
        data.extend_from_slice(&[0, 0, 1, 0]);
        let b64 = base64_encode(&data);
        let json = format!(
            "{{\"asset\":{{\"version\":\"2.0\"}},\"buffers\":[{{\"byteLength\":40,\"uri\":\"data:application/octet-stream;base64,{b64}\"}}],\"bufferViews\":[{{\"buffer\":0,\"byteLength\":36}},{{\"buffer\":0,\"byteOffset\":36,\"byteLength\":4}}],\"accessors\":[{{\"bufferView\":0,\"componentType\":5126,\"count\":3,\"type\":\"VEC3\",\"min\":[0,0,0],\"max\":[1,1.5,0]}},{{\"bufferView\":1,\"componentType\":5123,\"count\":2,\"type\":\"SCALAR\"}}],\"meshes\":[{{\"name\":\"hem\",\"primitives\":[{{\"attributes\":{{\"POSITION\":0}},\"indices\":1}}]}}],\"nodes\":[{{\"mesh\":0}}]}}"
        );
        let d = tempfile::tempdir().expect("tmp");
        let p = write(d.path(), "two_indices.gltf", json.as_bytes());
        let e = load(&p).expect_err("two indices").to_string();
        assert!(
            e.contains("two_indices.gltf") && e.contains("'hem' has 2 indices"),
            "{e}"
        );
    }

    fn base64_encode(data: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for c in data.chunks(3) {
            let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
            let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
            for i in 0..4 {
                if i <= c.len() {
                    out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
                } else {
                    out.push('=');
                }
            }
        }
        out
    }
}

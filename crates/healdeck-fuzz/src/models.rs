//! Garment specs and imported meshes: every mesh that loads is one the renderer can draw.

use crate::scratch;
use healdeck_render::avatar::Template;
use healdeck_render::garment::GarmentSpec;
use healdeck_render::import;
use healdeck_render::mesh::Mesh;
use healdeck_render::scene::{Garment, SceneSpec};

/// Whole triangles, every index in range, every attribute per vertex and finite, every
/// material's range inside the index list.
fn check_mesh(m: &Mesh) {
    let n = m.positions.len();
    assert_eq!(m.indices.len() % 3, 0, "whole triangles");
    assert!(
        m.indices.iter().all(|&i| (i as usize) < n),
        "indices in range"
    );
    assert_eq!(m.normals.len(), n, "a normal per vertex");
    assert_eq!(m.uvs.len(), n, "a UV per vertex");
    assert!(m.is_finite(), "finite positions, normals and UVs");
    for r in &m.materials {
        assert!(
            r.start as usize + r.count as usize <= m.indices.len(),
            "material {} covers {}+{} of {} indices",
            r.name,
            r.start,
            r.count,
            m.indices.len()
        );
    }
}

/// Arbitrary bytes as a garment spec (JSON): it is refused with a message, or it dresses an
/// avatar (the input's length picks which) in meshes the renderer can draw.
pub fn garment_spec(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match GarmentSpec::from_json(&text) {
        Ok(spec) => {
            let template = Template::ALL[data.len() % Template::ALL.len()];
            let scene = SceneSpec {
                garments: vec![Garment::from_spec(spec)],
                ..SceneSpec::avatar(template)
            };
            if let Ok(meshes) = scene.build() {
                meshes.iter().for_each(check_mesh);
            }
        }
        Err(e) => assert!(!e.to_string().is_empty(), "an empty error"),
    }
}

fn import_checked(name: &str, data: &[u8]) {
    let path = scratch::file(name, data);
    match import::load(&path) {
        Ok(mesh) => check_mesh(&mesh),
        Err(e) => {
            let message = e.to_string();
            assert!(
                message.contains(name),
                "the error names the file: {message}"
            );
        }
    }
}

/// Arbitrary bytes as an OBJ file (its MTL library, when it names `fuzz.mtl`, is the same
/// bytes): an error naming the file, or a mesh the renderer can draw.
pub fn obj_import(data: &[u8]) {
    scratch::write(&scratch::folder().join("fuzz.mtl"), data);
    import_checked("fuzz_model.obj", data);
}

/// Arbitrary bytes as glTF — binary `.glb` when they start with its magic, else JSON
/// `.gltf` — with `fuzz.bin` beside it (the same bytes): an error naming the file, or a mesh
/// the renderer can draw.
pub fn gltf_import(data: &[u8]) {
    scratch::write(&scratch::folder().join("fuzz.bin"), data);
    let name = if data.starts_with(b"glTF") {
        "fuzz_model.glb"
    } else {
        "fuzz_model.gltf"
    };
    import_checked(name, data);
}

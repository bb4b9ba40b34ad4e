//! An imported garment worn by the avatar: a dress exported for a slimmer body (its top
//! drawn in by a tenth), written as OBJ and imported, sinks into ours; shown with the avatar
//! it is laid over the body — no vertex inside it, the hem it never touched where it was —
//! and it can be re-coloured and re-fabricked.

use healdeck_render::avatar::{Body, Template};
use healdeck_render::drape::body_collider;
use healdeck_render::garment::{Fabric, GarmentSpec};
use healdeck_render::mesh::Mesh;
use healdeck_render::onbody::{CLEARANCE, ImportLook};
use healdeck_render::scene::{Imported, SceneSpec};
use std::fmt::Write as _;

/// `mesh` as OBJ text (positions and faces).
fn obj(mesh: &Mesh) -> String {
    let mut out = String::new();
    for p in &mesh.positions {
        let _ = writeln!(out, "v {} {} {}", p.x, p.y, p.z);
    }
    for t in mesh.indices.chunks_exact(3) {
        let _ = writeln!(out, "f {} {} {}", t[0] + 1, t[1] + 1, t[2] + 1);
    }
    out
}

#[test]
fn a_dress_exported_for_a_slimmer_body_is_worn_over_ours_and_recoloured() {
    let template = Template::Female;
    let body = Body::new(template, template.defaults()).expect("body");
    let dress = GarmentSpec::from_json(r#"{"type": "dress", "length": 0.8, "fit": "tight"}"#)
        .expect("spec")
        .build(&body, None)
        .expect("dress");
    // Drawn in by a tenth towards the body's axis above the hips.
    let (lo, hi) = body.mesh.bounds().expect("bounds");
    let axis = (lo + hi) / 2.0;
    let hips = body.skeleton.waist_y - 0.15;
    let mut slim = dress.clone();
    for p in &mut slim.positions {
        if p.y > hips {
            p.x = axis.x + (p.x - axis.x) * 0.9;
            p.z = axis.z + (p.z - axis.z) * 0.9;
        }
    }
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("slim_dress.obj");
    std::fs::write(&path, obj(&slim)).expect("write");

    let field = body_collider(&body).expect("field").body;
    let depth = |m: &Mesh| {
        m.positions
            .iter()
            .map(|p| field.sample(*p).0)
            .fold(f32::MAX, f32::min)
    };
    let imported = Imported::load(&path, true).expect("import");
    // The file's own placement, where the dress was worn, is known.
    let mut restored = (*imported.mesh).clone();
    for p in &mut restored.positions {
        *p += imported.exported_at;
    }
    let (a, b) = (
        restored.bounds().expect("bounds"),
        slim.bounds().expect("bounds"),
    );
    let back = a.0.distance(b.0).max(a.1.distance(b.1));
    assert!(back < 1e-4, "{back} m from where the file had it");
    let sunk = depth(&slim);
    assert!(sunk < -0.01, "the slim dress sinks {sunk} m into the body");

    let mut scene = SceneSpec::avatar(template);
    scene.import = Some(Imported {
        look: ImportLook {
            color: Some("#7a1f3d".into()),
            fabric: Some(Fabric::Denim),
        },
        ..imported.clone()
    });
    let meshes = scene.build().expect("scene");
    assert_eq!(meshes.len(), 2, "the avatar and the dress");
    let worn = &meshes[1];
    let clear = depth(worn);
    println!("imported dress: deepest {sunk:.3} m into the body, worn {clear:.4} m clear of it");
    assert!(clear >= CLEARANCE - 0.001, "worn {clear} m from the skin");
    // It is worn where the file had it; the hem hung clear of the legs and stays there.
    let (dlo, _) = slim.bounds().expect("bounds");
    let hem = restored
        .positions
        .iter()
        .zip(&worn.positions)
        .filter(|(p, _)| p.y < dlo.y + 0.05);
    let hem_moved = hem.map(|(p, q)| p.distance(*q)).fold(0.0, f32::max);
    assert!(hem_moved < 0.002, "the hem moved {hem_moved} m");
    // Recoloured and re-fabricked, every material.
    let want: palette::LinSrgb<f32> = palette::Srgb::new(0x7au8, 0x1f, 0x3d)
        .into_format::<f32>()
        .into_linear();
    let want = [want.red, want.green, want.blue];
    let red = worn.materials.iter().all(|m| {
        m.fabric == Fabric::Denim.id()
            && m.color.iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-3)
    });
    assert!(
        red,
        "{:?}",
        worn.materials
            .iter()
            .map(|m| (m.color, m.fabric))
            .collect::<Vec<_>>()
    );

    // Shown without the avatar, it is as exported.
    scene.import = Some(Imported {
        with_avatar: false,
        ..imported.clone()
    });
    let alone = scene.build().expect("scene");
    assert_eq!(alone.len(), 1);
    assert_eq!(alone[0].positions, imported.mesh.positions);

    // A color that is not one is refused, naming the file.
    scene.import = Some(Imported {
        look: ImportLook {
            color: Some("red".into()),
            fabric: None,
        },
        ..imported
    });
    let e = scene.build().expect_err("a bad color").to_string();
    assert!(e.contains("slim_dress.obj") && e.contains("red"), "{e}");
}

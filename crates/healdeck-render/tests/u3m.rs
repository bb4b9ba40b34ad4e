//! U3M materials: the samples in `assets/materials` (a document with its texture beside it,
//! and an archive) give the colour, texture, weight, thickness and closest preset; a garment
//! made of one renders in its colour with its texture at its physical size and drapes with
//! its weight; hostile or broken files are refused, naming the file and the place.

use healdeck_render::drape::fabric::FabricPhysics;
use healdeck_render::garment::u3m::{U3mError, read};
use healdeck_render::garment::{Fabric, GarmentSpec};
use palette::{IntoColor, LinSrgb, Srgb};
use std::io::Write;
use std::path::{Path, PathBuf};

fn asset(relative: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/materials")
        .join(relative)
}

#[test]
fn a_u3m_document_gives_its_texture_colour_weight_and_the_denim_preset() {
    let m = read(&asset("indigo-twill/indigo-twill.u3m")).expect("reads");
    assert_eq!(m.name, "Indigo twill");
    assert_eq!(m.fabric, Fabric::Denim, "{}", m.fabric_reason);
    assert!(m.fabric_reason.contains("twill"), "{}", m.fabric_reason);
    assert_eq!((m.weight_gsm, m.thickness_mm), (Some(380.0), Some(0.75)));
    let t = m.texture.as_ref().expect("a base-colour texture");
    // 192 px at 300 dpi.
    assert!((t.width_mm - 16.256).abs() < 0.01, "{}", t.width_mm);
    assert!((t.height_mm - 16.256).abs() < 0.01, "{}", t.height_mm);
    // The colour is the texture's average in linear light (factor 1, multiply), computed
    // here with another library.
    let png = image::open(asset("indigo-twill/textures/indigo-twill_BASE.png"))
        .expect("png")
        .to_rgb8();
    let mut sum = [0.0f64; 3];
    for p in png.pixels() {
        let lin: LinSrgb = Srgb::new(p[0], p[1], p[2])
            .into_format::<f32>()
            .into_color();
        sum[0] += f64::from(lin.red);
        sum[1] += f64::from(lin.green);
        sum[2] += f64::from(lin.blue);
    }
    let n = f64::from(png.width() * png.height());
    let avg = LinSrgb::new(sum[0] / n, sum[1] / n, sum[2] / n);
    let srgb: Srgb<f32> = Srgb::from_linear(avg.into_format::<f32>());
    let srgb: Srgb<u8> = srgb.into_format();
    let expected = format!("#{:02x}{:02x}{:02x}", srgb.red, srgb.green, srgb.blue);
    let close = |a: &str, b: &str| {
        (0..3).all(|k| {
            let x = u8::from_str_radix(&a[1 + 2 * k..3 + 2 * k], 16).unwrap_or(0);
            let y = u8::from_str_radix(&b[1 + 2 * k..3 + 2 * k], 16).unwrap_or(255);
            x.abs_diff(y) <= 1
        })
    };
    assert!(close(&m.color, &expected), "{} vs {expected}", m.color);
    // Indigo: blue over red.
    let blue = u8::from_str_radix(&m.color[5..7], 16).expect("hex");
    let red = u8::from_str_radix(&m.color[1..3], 16).expect("hex");
    assert!(blue > red + 20, "{}", m.color);
}

#[test]
fn a_u3m_archive_gives_its_constant_colour_and_the_silk_preset() {
    let m = read(&asset("ivory-silk-satin.u3ma")).expect("reads");
    assert_eq!(m.name, "Ivory silk satin");
    assert_eq!(m.fabric, Fabric::Silk, "{}", m.fabric_reason);
    assert_eq!(m.color, "#ede3cc");
    assert!(m.texture.is_none());
    assert_eq!(m.weight_gsm, Some(85.0));
}

#[test]
fn a_garment_of_a_u3m_material_renders_its_colour_and_texture_and_drapes_with_its_weight() {
    let spec = GarmentSpec::from_json(
        r##"{"type": "skirt", "fabric": "silk", "color": "#ff0000",
             "material": "indigo-twill/indigo-twill.u3m"}"##,
    )
    .expect("spec");
    let dir = asset("");
    let range = spec.material(Some(&dir), 3).expect("material");
    let m = read(&asset("indigo-twill/indigo-twill.u3m")).expect("reads");
    assert_eq!(
        range.fabric,
        Fabric::Denim.id(),
        "the material's preset, not silk"
    );
    assert_eq!(range.print, 4, "its texture is the print");
    assert!(range.texture.is_some());
    // One repeat per 16.3 mm: texture coordinates on draped cloth are metres.
    assert!((range.texture_repeat - 1000.0 / 16.256).abs() < 0.1);
    let red = healdeck_render::garment::parse_color("#ff0000").expect("hex");
    let own = healdeck_render::garment::parse_color(&m.color).expect("hex");
    assert_eq!(range.color, own);
    assert_ne!(range.color, red);
    // Physics: the material's weight; thickness 0.75 mm against denim's 0.8 stiffens less.
    let physics = FabricPhysics::of_material(Fabric::Silk, Some(&m));
    let denim = FabricPhysics::of(Fabric::Denim);
    assert_eq!(physics.weight_gsm, 380.0);
    let ratio = physics.bending_gf_cm / denim.bending_gf_cm;
    assert!((ratio - (0.75f32 / 0.8).powi(3)).abs() < 1e-4, "{ratio}");
    assert!((physics.mechanics().density - 0.38).abs() < 1e-6);
    // Without a material, the spec's own fabric.
    assert_eq!(
        FabricPhysics::of_material(Fabric::Silk, None),
        FabricPhysics::of(Fabric::Silk)
    );
}

/// A U3M 1.1 document whose base colour is a texture at `path`.
fn document_with_texture(path: &str) -> String {
    serde_json::json!({
        "schema": "1.1",
        "material": {
            "name": "hostile",
            "front": {"basecolor": {"constant": {"r": 1, "g": 1, "b": 1}, "texture": {
                "mode": "multiply", "factor": {"r": 1, "g": 1, "b": 1},
                "image": {"path": path, "width": 10, "height": 10,
                          "dpi": {"x": 300, "y": 300}, "repeat": {"rotation": 0, "mode": "normal"}}
            }}},
            "back": null, "side": null, "physics": null
        },
        "custom": null
    })
    .to_string()
}

fn archive(dir: &Path, name: &str, entries: &[(&str, &[u8])]) -> PathBuf {
    let path = dir.join(name);
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).expect("create"));
    for (entry, bytes) in entries {
        zip.start_file(*entry, zip::write::SimpleFileOptions::default())
            .expect("entry");
        zip.write_all(bytes).expect("write");
    }
    zip.finish().expect("finish");
    path
}

fn message(e: U3mError) -> String {
    e.to_string()
}

#[test]
fn hostile_and_broken_files_are_refused_naming_the_file_and_the_place() {
    let dir = tempfile::tempdir().expect("tmp");
    std::fs::write(dir.path().join("secret.png"), b"not yours").expect("write");
    // A texture path out of the archive's folder, in an archive and in a folder.
    let inner = dir.path().join("inner");
    std::fs::create_dir(&inner).expect("mkdir");
    for path in [
        "../secret.png",
        "/etc/passwd",
        "textures/../../secret.png",
        "$HOME/x.png",
    ] {
        let doc = document_with_texture(path);
        let zipped = archive(dir.path(), "out.u3ma", &[("m.u3m", doc.as_bytes())]);
        let plain = inner.join("m.u3m");
        std::fs::write(&plain, &doc).expect("write");
        for file in [zipped, plain] {
            let e = message(read(&file).expect_err(path));
            assert!(e.contains(&file.display().to_string()), "{e}");
            assert!(
                e.contains("material.front.basecolor.texture.image.path"),
                "{e}"
            );
        }
    }
    // A texture that is not there.
    let doc = document_with_texture("textures/missing.png");
    let zipped = archive(dir.path(), "missing.u3ma", &[("m.u3m", doc.as_bytes())]);
    let e = message(read(&zipped).expect_err("missing"));
    assert!(e.contains("textures/missing.png"), "{e}");
    // A texture that is not an image.
    let doc = document_with_texture("t.png");
    let zipped = archive(
        dir.path(),
        "garbage.u3ma",
        &[("m.u3m", doc.as_bytes()), ("t.png", b"\x89PNG garbage")],
    );
    let e = message(read(&zipped).expect_err("garbage image"));
    assert!(e.contains("t.png"), "{e}");
    // Broken JSON names the line and column.
    let broken = dir.path().join("broken.u3m");
    std::fs::write(&broken, "{\n  \"schema\": \"1.1\",\n  \"material\": {\n").expect("write");
    let e = message(read(&broken).expect_err("broken"));
    assert!(e.contains("broken.u3m") && e.contains("line 4"), "{e}");
    // Another format, a version we do not know, a material with nothing in it, a colour out
    // of range, a weight that is not one.
    let cases = [
        (r#"{"type": "tshirt"}"#, "schema"),
        (r#"{"schema": "2.0", "material": {}}"#, "version '2.0'"),
        (
            r#"{"schema": "1.1", "material": {"name": "x", "front": null, "physics": null}}"#,
            "neither visuals",
        ),
        (
            r#"{"schema": "1.1", "material": {"front": {"basecolor": {"constant": {"r": 2, "g": 0, "b": 0}, "texture": null}}}}"#,
            "material.front.basecolor.constant",
        ),
        (
            r#"{"schema": "1.1", "material": {"physics": {"weight": -3, "thickness": null}}}"#,
            "material.physics.weight",
        ),
    ];
    for (i, (text, says)) in cases.iter().enumerate() {
        let file = dir.path().join(format!("case{i}.u3m"));
        std::fs::write(&file, text).expect("write");
        let e = message(read(&file).expect_err(text));
        assert!(
            e.contains(&format!("case{i}.u3m")) && e.contains(says),
            "{e}"
        );
    }
    // A zip with no document in it, and a file that is neither.
    let empty = archive(dir.path(), "empty.u3ma", &[("readme.txt", b"hi")]);
    assert!(message(read(&empty).expect_err("empty")).contains("no .u3m"));
    let binary = dir.path().join("binary.u3m");
    std::fs::write(&binary, [0u8, 159, 146, 150]).expect("write");
    assert!(message(read(&binary).expect_err("binary")).contains("binary.u3m"));
    // A folder is not a material.
    assert!(message(read(dir.path()).expect_err("folder")).contains("not a regular file"));
}

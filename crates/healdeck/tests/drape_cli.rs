//! `healdeck drape` as a designer runs it: a skirt spec in, one JSON object with what the
//! drape came to, and the draped mesh as OBJ; an outfit (a t-shirt over a skirt), a line and
//! an OBJ object each, rendered together; the automatic solver choice is the CPU on a CPU
//! adapter; a broken spec (first or second), a missing file and an unknown size are refused
//! with a message naming the file or the flag.

use std::path::Path;
use std::process::{Command, Output};

fn healdeck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_healdeck"))
        .arg("drape")
        .args(args)
        .env("XDG_RUNTIME_DIR", std::env::temp_dir())
        .output()
        .expect("runs")
}

fn write(dir: &Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).expect("writes");
    p.display().to_string()
}

#[test]
fn a_skirt_drapes_and_reports_as_json_with_its_mesh() {
    let dir = tempfile::tempdir().expect("dir");
    let spec = write(
        dir.path(),
        "skirt.json",
        r##"{"type": "skirt", "length": 0.3, "fabric": "cotton", "color": "#7a1f3d"}"##,
    );
    let obj = dir.path().join("skirt.obj");
    let o = healdeck(&[
        "--garment",
        &spec,
        "--avatar",
        "neutral",
        "--json",
        "--obj",
        obj.to_str().expect("utf-8"),
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    for field in [
        "particles",
        "triangles",
        "solver",
        "settle_ms",
        "steps",
        "mean_strain_pct",
        "max_strain_pct",
        "max_penetration_mm",
    ] {
        assert!(doc.get(field).is_some(), "{field} missing in {doc}");
    }
    assert_eq!(doc["solver"], "cpu");
    assert_eq!(doc["settled"], true, "{doc}");
    assert!(
        doc["mean_strain_pct"].as_f64().expect("number") <= 1.0,
        "{doc}"
    );
    assert!(
        doc["max_penetration_mm"].as_f64().expect("number") <= 1.0,
        "{doc}"
    );
    let mesh = std::fs::read_to_string(&obj).expect("obj written");
    let vertices = mesh.lines().filter(|l| l.starts_with("v ")).count();
    let faces = mesh.lines().filter(|l| l.starts_with("f ")).count();
    assert_eq!(faces as u64, doc["triangles"].as_u64().expect("count"));
    assert!(vertices > 1000 && mesh.contains("# stretch"), "{vertices}");
}

#[test]
fn what_cannot_be_draped_is_refused_naming_the_file_or_flag() {
    let dir = tempfile::tempdir().expect("dir");
    let broken = write(dir.path(), "broken.json", r#"{"type": "skirt", "length": "#);
    let skirt = write(dir.path(), "skirt.json", r#"{"type": "skirt"}"#);
    for (args, wanted) in [
        (vec!["--garment", broken.as_str()], "broken.json"),
        (
            vec!["--garment", skirt.as_str(), "--garment", broken.as_str()],
            "broken.json",
        ),
        (
            vec!["--garment", "/nonexistent/x.json"],
            "/nonexistent/x.json",
        ),
        (
            vec!["--garment", skirt.as_str(), "--size", "EU 99"],
            "--size",
        ),
    ] {
        let o = healdeck(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(wanted), "{args:?}: {err}");
    }
}

#[test]
fn an_outfit_drapes_a_top_over_a_skirt_a_line_and_an_object_each() {
    let dir = tempfile::tempdir().expect("dir");
    let top = write(
        dir.path(),
        "top.json",
        r#"{"type": "tshirt", "fabric": "knit"}"#,
    );
    let skirt = write(
        dir.path(),
        "skirt.json",
        r#"{"type": "skirt", "length": 0.4, "fabric": "denim"}"#,
    );
    let obj = dir.path().join("outfit.obj");
    let png = dir.path().join("outfit.png");
    // Given top first: still draped over the skirt, reported in the order given.
    let o = healdeck(&[
        "--garment",
        &top,
        "--garment",
        &skirt,
        "--json",
        "--obj",
        obj.to_str().expect("utf-8"),
        "--out",
        png.to_str().expect("utf-8"),
        "--mode",
        "preview",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = String::from_utf8_lossy(&o.stdout);
    let docs: Vec<serde_json::Value> = out
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).expect("a JSON object per line"))
        .collect();
    assert_eq!(docs.len(), 2, "{out}");
    assert_eq!(docs[0]["garment"], "knit tshirt");
    assert_eq!(docs[1]["garment"], "denim skirt");
    for d in &docs {
        assert_eq!(d["settled"], true, "{d}");
        assert!(
            d["max_penetration_mm"].as_f64().expect("number") <= 1.0,
            "{d}"
        );
    }
    let mesh = std::fs::read_to_string(&obj).expect("obj written");
    let objects: Vec<&str> = mesh.lines().filter(|l| l.starts_with("o ")).collect();
    assert_eq!(objects, ["o knit_tshirt", "o denim_skirt"]);
    let faces = mesh.lines().filter(|l| l.starts_with("f ")).count() as u64;
    let triangles: u64 = docs
        .iter()
        .map(|d| d["triangles"].as_u64().expect("count"))
        .sum();
    assert_eq!(faces, triangles);
    let image = image::open(&png).expect("rendered");
    assert_eq!(image.width(), 512);
}

fn garmentcode(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../assets/patterns/garmentcode")
        .join(format!("{name}_specification.json"))
        .display()
        .to_string()
}

#[test]
fn a_garmentcode_pattern_drapes_in_the_fabric_asked_and_a_missing_one_is_named() {
    let dir = tempfile::tempdir().expect("dir");
    let obj = dir.path().join("top.obj");
    let top = garmentcode("standing_lapel_fix");
    // Named by a path relative to where it is run, as a designer types it.
    let o = Command::new(env!("CARGO_BIN_EXE_healdeck"))
        .current_dir(Path::new(&top).parent().expect("folder"))
        .args([
            "drape",
            "--garment",
            "standing_lapel_fix_specification.json",
        ])
        .args(["--fabric", "linen", "--solver", "cpu", "--json"])
        .arg("--obj")
        .arg(&obj)
        .output()
        .expect("runs");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(report["garment"], "linen standing_lapel_fix");
    assert_eq!(report["settled"], true, "{report}");
    assert!(report["particles"].as_u64().unwrap_or(0) > 2500, "{report}");
    let mesh = std::fs::read_to_string(&obj).expect("obj");
    assert!(mesh.lines().filter(|l| l.starts_with("f ")).count() > 5000);

    // A spec sewn from a pattern beside it (a relative path), and a pattern that is missing.
    std::fs::copy(&top, dir.path().join("top.json")).expect("copy");
    let spec = write(
        dir.path(),
        "spec.json",
        r##"{"type": "shirt", "pattern": "nowhere.json", "fabric": "silk"}"##,
    );
    let o = healdeck(&["--garment", &spec]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("silk nowhere: ") && err.contains("nowhere.json"),
        "{err}"
    );
    let o = healdeck(&["--garment", &top, "--fabric", "tweed"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("'tweed' is not one of"), "{err}");
}

#[test]
fn a_u3m_material_names_the_garment_and_a_hostile_one_is_refused() {
    let dir = tempfile::tempdir().expect("dir");
    let materials = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/materials");
    // A spec naming its material beside it, relative.
    std::fs::copy(
        materials.join("ivory-silk-satin.u3ma"),
        dir.path().join("satin.u3ma"),
    )
    .expect("copy");
    let spec = write(
        dir.path(),
        "skirt.json",
        r#"{"type": "skirt", "length": 0.3, "fabric": "denim", "material": "satin.u3ma"}"#,
    );
    let o = healdeck(&["--garment", &spec, "--avatar", "neutral", "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value = serde_json::from_slice(&o.stdout).expect("one JSON object");
    assert_eq!(doc["garment"], "satin skirt", "{doc}");
    assert_eq!(doc["settled"], true, "{doc}");
    // --material for every garment: a texture path out of its folder is refused by name.
    let evil = write(
        dir.path(),
        "evil.u3m",
        r#"{"schema": "1.1", "material": {"front": {"basecolor": {"constant": {"r": 1, "g": 1, "b": 1},
            "texture": {"mode": "multiply", "factor": {"r": 1, "g": 1, "b": 1},
            "image": {"path": "../../../etc/shadow", "width": 10, "height": 10}}}}}}"#,
    );
    let o = healdeck(&["--garment", &spec, "--material", &evil]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("evil.u3m: material.front.basecolor.texture.image.path")
            && err.contains("leaves the material's folder"),
        "{err}"
    );
}

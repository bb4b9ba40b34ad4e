//! `healdeck render` as a person runs it: the real binary writes PNGs whose text chunks carry
//! the scene's provenance, an imported mesh is worn by the avatar and recoloured, and bad
//! specs, values and meshes exit 2 naming the file and place.

use std::path::Path;
use std::process::{Command, Output};

/// `healdeck ARGS` run in `dir`, its config and data folders inside it.
fn healdeck_in(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_healdeck"))
        .env("HEALDECK_CONFIG_DIR", dir.join("config"))
        .env("HEALDECK_DATA_DIR", dir.join("data"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run")
}

#[test]
fn render_command_writes_png_with_provenance() {
    let dir = tempfile::tempdir().expect("tmp");
    let spec_path = dir.path().join("tee.json");
    std::fs::write(&spec_path, r##"{"type": "tshirt", "fabric": "knit", "color": "#aa3311", "print": {"kind": "dots", "color": "#ffffff"}}"##).expect("write");
    let out = dir.path().join("out/tee.png");
    let o = Command::new(env!("CARGO_BIN_EXE_healdeck"))
        .env("HEALDECK_CONFIG_DIR", dir.path().join("config"))
        .env("HEALDECK_DATA_DIR", dir.path().join("data"))
        .args([
            "render",
            "--avatar",
            "male",
            "--turntable",
            "3",
            "--garment",
        ])
        .arg(&spec_path)
        .arg("--out")
        .arg(&out)
        .output()
        .expect("run");
    let text = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{text}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        text.contains("adapter: ") && text.contains("512×512"),
        "{text}"
    );
    for f in 0..3 {
        let p = dir.path().join(format!("out/tee-{f:03}.png"));
        let img = image::open(&p).expect("png").to_rgba8();
        assert_eq!(img.dimensions(), (512, 512));
        let meta = healdeck_render::output::read_meta(&p).expect("meta");
        let get = |k: &str| {
            meta.iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        };
        assert_eq!(get("mode"), "preview");
        assert_eq!(get("requested_mode"), "preview");
        assert!(get("garment").contains("\"tshirt\""), "{meta:?}");
        assert!(get("avatar").contains("\"male\""));
        assert!(get("renderer").starts_with("healdeck "));
        assert!(get("render_ms").parse::<f64>().is_ok());
    }
}

#[test]
fn bad_specs_values_and_meshes_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().expect("tmp");
    let bad = dir.path().join("bad.json");
    std::fs::write(&bad, "{\"type\": \"tshirt\",\n \"fit\": \"baggy\"}").expect("write");
    let broken = dir.path().join("broken.obj");
    std::fs::write(&broken, "v 0 0 0\nf 1 2 3\n").expect("write");
    let run = |args: &[&str]| healdeck_in(dir.path(), args);
    let o = run(&["render", "--garment", "bad.json"]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        e.contains("bad.json") && e.contains("baggy") && e.contains("line 2"),
        "{e}"
    );
    let o = run(&["render", "--avatar", "robot"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("robot"));
    let o = run(&["render", "--mode", "ultra"]);
    assert_eq!(o.status.code(), Some(2));
    let o = run(&["render", "--mesh", "broken.obj"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("broken.obj"));
    // The first render created render_config.json with defaults; a bad value is refused by name.
    let cfg = dir.path().join("config/render_config.json");
    let o = run(&["render"]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        std::fs::read_to_string(&cfg)
            .expect("created")
            .contains("\"fallback_percent\": 85.0")
    );
    std::fs::write(&cfg, r#"{"fallback_percent": 40, "resume_percent": 70}"#).expect("write");
    let o = run(&["render"]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        e.contains("render_config.json") && e.contains("resume_percent"),
        "{e}"
    );
}

#[test]
fn an_imported_mesh_is_worn_recoloured_and_refabricked_from_the_command_line() {
    let dir = tempfile::tempdir().expect("tmp");
    // A box round the hips, 30 cm across: narrower than them, so the body is laid under it.
    let mut obj = String::new();
    for (x, y, z) in [
        (-0.15, 0.85, -0.1),
        (0.15, 0.85, -0.1),
        (0.15, 0.85, 0.1),
        (-0.15, 0.85, 0.1),
        (-0.15, 1.05, -0.1),
        (0.15, 1.05, -0.1),
        (0.15, 1.05, 0.1),
        (-0.15, 1.05, 0.1),
    ] {
        obj += &format!("v {x} {y} {z}\n");
    }
    obj += "f 1 2 6\nf 1 6 5\nf 2 3 7\nf 2 7 6\nf 3 4 8\nf 3 8 7\nf 4 1 5\nf 4 5 8\n";
    std::fs::write(dir.path().join("band.obj"), obj).expect("write");
    let run = |args: &[&str]| healdeck_in(dir.path(), args);
    let o = run(&[
        "render",
        "--mesh",
        "band.obj",
        "--with-avatar",
        "--recolor",
        "#aa0000",
        "--fabric",
        "denim",
        "--out",
        "worn.png",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let img = image::open(dir.path().join("worn.png"))
        .expect("png")
        .to_rgb8();
    let red = img
        .pixels()
        .filter(|p| p[0] > 90 && p[1] < 40 && p[2] < 40)
        .count();
    assert!(red > 500, "{red} red pixels");
    // A bad color or fabric is refused by name.
    let o = run(&[
        "render",
        "--mesh",
        "band.obj",
        "--with-avatar",
        "--recolor",
        "red",
    ]);
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(e.contains("band.obj") && e.contains("red"), "{e}");
    let o = run(&["render", "--mesh", "band.obj", "--fabric", "wool"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("wool"));
}

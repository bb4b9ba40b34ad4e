//! `healdeck drape` as a designer runs it: a skirt spec in, one JSON object with what the
//! drape came to, and the draped mesh as OBJ; a garment without a pattern, a broken spec and
//! the GPU solver that is not built are refused with a message naming the file or the flag.

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
    let hoodie = write(dir.path(), "hoodie.json", r#"{"type": "hoodie"}"#);
    let broken = write(dir.path(), "broken.json", r#"{"type": "skirt", "length": "#);
    let skirt = write(dir.path(), "skirt.json", r#"{"type": "skirt"}"#);
    for (args, wanted) in [
        (
            vec!["--garment", hoodie.as_str()],
            "hoodie.json: cotton hoodie",
        ),
        (vec!["--garment", broken.as_str()], "broken.json"),
        (
            vec!["--garment", "/nonexistent/x.json"],
            "/nonexistent/x.json",
        ),
        (
            vec!["--garment", skirt.as_str(), "--solver", "gpu"],
            "--solver gpu",
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

//! `healdeck avatar` as a designer runs it: the example prints what was asked and what
//! the tape reads (within ±0.5 cm), as text or JSON, and exports the body as OBJ; bad input
//! exits 2 naming the field.

use std::process::{Command, Output};

fn healdeck(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_healdeck"))
        .arg("avatar")
        .args(args)
        .output()
        .expect("run healdeck")
}

const EXAMPLE: [&str; 16] = [
    "--template",
    "female",
    "--height",
    "168",
    "--bust",
    "90",
    "--waist",
    "72",
    "--hips",
    "98",
    "--inseam",
    "78",
    "--arm",
    "58",
    "--shoulders",
    "38",
];

#[test]
fn the_example_prints_requested_and_measured_values_and_exports_obj() {
    let dir = tempfile::tempdir().expect("tmp");
    let obj = dir.path().join("body.obj");
    let mut args = EXAMPLE.to_vec();
    args.extend(["--json", "--obj", obj.to_str().expect("utf-8 path")]);
    let o = healdeck(&args);
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{stdout}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let doc: serde_json::Value = serde_json::from_str(stdout.trim()).expect("one JSON object");
    assert_eq!(doc["template"], "female");
    let wanted = [
        ("height_cm", 168.0),
        ("chest_cm", 90.0),
        ("waist_cm", 72.0),
        ("hips_cm", 98.0),
        ("inseam_cm", 78.0),
        ("arm_length_cm", 58.0),
        ("shoulder_width_cm", 38.0),
    ];
    for (field, cm) in wanted {
        assert_eq!(doc["requested"][field].as_f64(), Some(cm), "{field}");
        let got = doc["measured"][field].as_f64().expect(field);
        assert!((got - cm).abs() <= 0.5, "{field}: {got} for {cm}");
    }
    assert!(doc["solve_ms"].as_f64().is_some_and(|ms| ms > 0.0), "{doc}");
    // The OBJ holds the whole body: hm08's 13,380 vertices and 13,378 quads, 1.68 m tall.
    let text = std::fs::read_to_string(&obj).expect("obj written");
    let ys: Vec<f64> = text
        .lines()
        .filter_map(|l| l.strip_prefix("v "))
        .map(|l| l.split(' ').nth(1).and_then(|y| y.parse().ok()).expect("y"))
        .collect();
    assert_eq!(ys.len(), 13_380);
    assert_eq!(text.lines().filter(|l| l.starts_with("f ")).count(), 13_378);
    let top = ys.iter().copied().fold(f64::MIN, f64::max);
    assert!((top - 1.68).abs() < 0.006, "{top}");

    // The text form lists each field with both values.
    let o = healdeck(&EXAMPLE);
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        text.contains("female body") && text.contains("waist_cm"),
        "{text}"
    );
}

#[test]
fn bad_input_exits_2_naming_the_field() {
    for (args, needle) in [
        (vec!["--height", "40"], "height_cm = 40 is outside 140..210"),
        (vec!["--waist", "NaN"], "waist_cm is not a number"),
        (
            vec![
                "--template",
                "neutral",
                "--waist",
                "130",
                "--hips",
                "70",
                "--bust",
                "130",
            ],
            "waist_cm = 130 is 60 cm more than hips_cm",
        ),
        (
            vec!["--shoulders", "48"],
            "shoulder_width_cm = 48 cannot be reached",
        ),
        (vec!["--size", "EU 60"], "not a female size"),
        (vec!["--template", "robot"], "unknown avatar 'robot'"),
    ] {
        let o = healdeck(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn render_takes_a_size_preset_and_names_a_wrong_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let o = Command::new(env!("CARGO_BIN_EXE_healdeck"))
        .env("HEALDECK_CONFIG_DIR", dir.path().join("config"))
        .env("HEALDECK_DATA_DIR", dir.path().join("data"))
        .args(["render", "--avatar", "male", "--size", "XL"])
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("\"XL\" is not a male size") && err.contains("EU 56"),
        "{err}"
    );
    let list = healdeck(&["--template", "neutral", "--size", "list"]);
    let text = String::from_utf8_lossy(&list.stdout);
    assert!(
        text.lines().count() == 4 && text.starts_with("S "),
        "{text}"
    );
}

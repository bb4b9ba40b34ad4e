//! `healdeck avatar`: a body from measurements — what was asked, what a tape reads on the
//! solved body, how long solving took — as text or one JSON object, optionally exported as OBJ.

use clap::Args;
use healdeck_render::avatar::{Body, Measurements, Template};
use healdeck_render::fit::Field;
use healdeck_render::sizes::{default_size, named, presets};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub(crate) struct AvatarArgs {
    /// Body template: female, male or neutral.
    #[arg(long, default_value = "female", value_parser = |s: &str| s.parse::<Template>())]
    template: Template,
    /// Start from a size preset of the template (e.g. "EU 40", "M"); `--size list` lists them.
    /// Default: EU 38 (female), EU 50 (male), M (neutral).
    #[arg(long, value_name = "SIZE")]
    size: Option<String>,
    /// Height, floor to the top of the head (cm).
    #[arg(long, value_name = "CM")]
    height: Option<f32>,
    /// Bust or chest girth, the fullest below the armpits (cm).
    #[arg(long, visible_alias = "chest", value_name = "CM")]
    bust: Option<f32>,
    /// Waist girth, the narrowest of the torso (cm).
    #[arg(long, value_name = "CM")]
    waist: Option<f32>,
    /// Hips girth, the fullest below the waist (cm).
    #[arg(long, value_name = "CM")]
    hips: Option<f32>,
    /// Inseam, crotch to floor (cm).
    #[arg(long, value_name = "CM")]
    inseam: Option<f32>,
    /// Arm length, shoulder point over the elbow to the wrist (cm).
    #[arg(long, value_name = "CM")]
    arm: Option<f32>,
    /// Shoulder width, straight between the shoulder points (cm).
    #[arg(long, value_name = "CM")]
    shoulders: Option<f32>,
    /// One JSON object: {"template", "size", "requested", "measured", "solve_ms"}.
    #[arg(long)]
    json: bool,
    /// Also write the body as a Wavefront OBJ file.
    #[arg(long, value_name = "OUT.obj")]
    obj: Option<PathBuf>,
}

/// The preset to start from, or why the name is not one.
fn starting_size(args: &AvatarArgs) -> Result<(&'static str, Measurements), String> {
    let p = match &args.size {
        None => default_size(args.template),
        Some(name) => named(args.template, name).map_err(|e| format!("--size {e}"))?,
    };
    Ok((p.label, p.measurements))
}

/// The fields in the order a tailor's sheet lists them.
const SHOWN: [Field; 7] = [
    Field::Height,
    Field::Bust,
    Field::Waist,
    Field::Hips,
    Field::Inseam,
    Field::Arm,
    Field::Shoulders,
];

/// Each field by name, in centimetres to the millimetre.
fn centimetres(m: &Measurements) -> serde_json::Value {
    SHOWN
        .iter()
        .map(|f| {
            let cm = (f64::from(f.of(m)) * 1000.0).round() / 10.0;
            (f.name().to_string(), serde_json::json!(cm))
        })
        .collect::<serde_json::Map<_, _>>()
        .into()
}

pub(crate) fn avatar(args: &AvatarArgs) -> ExitCode {
    if args.size.as_deref() == Some("list") {
        for p in presets(args.template) {
            println!("{:6} {}", p.label, p.measurements.summary());
        }
        return ExitCode::SUCCESS;
    }
    let (size, mut want) = match starting_size(args) {
        Ok(s) => s,
        Err(e) => return super::fail(e),
    };
    for (field, value) in [
        (Field::Height, args.height),
        (Field::Bust, args.bust),
        (Field::Waist, args.waist),
        (Field::Hips, args.hips),
        (Field::Inseam, args.inseam),
        (Field::Arm, args.arm),
        (Field::Shoulders, args.shoulders),
    ] {
        if let Some(cm) = value {
            field.set_cm(&mut want, cm);
        }
    }
    let body = match Body::new(args.template, want) {
        Ok(b) => b,
        Err(e) => return super::fail(e),
    };
    if let Some(path) = &args.obj
        && let Err(e) = std::fs::write(path, body.to_obj())
    {
        return super::fail(format!("{}: {e}", path.display()));
    }
    if args.json {
        let doc = serde_json::json!({
            "template": args.template,
            "size": size,
            "requested": centimetres(&want),
            "measured": centimetres(&body.measured),
            "solve_ms": (body.solve_ms * 10.0).round() / 10.0,
        });
        println!("{doc}");
    } else {
        println!(
            "{} body from {size}, solved in {:.0} ms",
            args.template.name(),
            body.solve_ms
        );
        println!("{:20} {:>9} {:>9}", "", "requested", "measured");
        for f in SHOWN {
            println!(
                "{:20} {:>9.1} {:>9.1}",
                f.name(),
                f.of(&want) * 100.0,
                f.of(&body.measured) * 100.0
            );
        }
        if let Some(path) = &args.obj {
            println!("wrote {}", path.display());
        }
    }
    ExitCode::SUCCESS
}

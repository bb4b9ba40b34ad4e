//! `healdeck drape`: a garment spec sewn from its pattern and draped on an avatar by the cloth
//! solver — or an outfit, several garments draped from the inside out, each over the ones
//! under it — what each came to (particles, time, strain, penetration) as text or one JSON
//! object per garment, optionally the draped meshes as OBJ with their strain and rendered.

use super::render::{RenderOptions, render_scene};
use clap::{Args, ValueEnum};
use healdeck::dirs::NoDirs;
use healdeck_config::Dirs;
use healdeck_render::avatar::{Body, Template};
use healdeck_render::drape::fitmap::FitMap;
use healdeck_render::drape::garmentcode::is_garmentcode;
use healdeck_render::drape::outfit::drape_outfit;
use healdeck_render::drape::programs::SPACING;
use healdeck_render::drape::{DrapeReport, Solver, body_collider, outfit_obj};
use healdeck_render::garment::{Fabric, GarmentSpec};
use healdeck_render::mesh::Mesh;
use healdeck_render::renderer::Gpu;
use healdeck_render::renderer::Mode;
use healdeck_render::scene::{Imported, SceneSpec};
use healdeck_render::sizes::{default_size, named};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// Which cloth solver runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum SolverArg {
    /// The CPU solver.
    Cpu,
    /// The GPU solver (WGSL compute) on the best adapter; a garment worn over another still
    /// drapes on the CPU.
    Gpu,
    /// The GPU solver on a real GPU, the CPU solver where the adapter is a CPU (lavapipe).
    Auto,
}

#[derive(Args, Debug)]
pub(crate) struct DrapeArgs {
    /// The garment: a spec file as `healdeck render --garment` takes it (any of the eight
    /// types; `"pattern": "FILE"` sews it from a GarmentCode pattern), or a GarmentCode
    /// sewing pattern itself (`*_specification.json`, e.g. those in
    /// assets/patterns/garmentcode/; worn as a top). Give it more than once for an outfit:
    /// the garments are draped from the inside out (trousers, shorts, skirts; shirts,
    /// t-shirts, dresses; hoodies; jackets), each over the ones under it.
    #[arg(long, value_name = "SPEC.json", required = true)]
    garment: Vec<PathBuf>,
    /// The fabric of a GarmentCode pattern (a spec names its own): cotton, denim, silk,
    /// leather, knit or linen.
    #[arg(long, default_value = "cotton", value_parser = parse_fabric)]
    fabric: Fabric,
    /// The colour of a GarmentCode pattern, as #rrggbb.
    #[arg(long, default_value = "#3d6fa8")]
    color: String,
    /// Make every garment of this U3M material (`.u3m` or `.u3ma`, as Browzwear and Vizoo
    /// export them): its colour and texture, weight and thickness, and the closest fabric
    /// preset, in place of the fabric and colour.
    #[arg(long, value_name = "FILE.u3m")]
    material: Option<PathBuf>,
    /// Avatar template: female, male or neutral.
    #[arg(long, default_value = "female", value_parser = |s: &str| s.parse::<Template>())]
    avatar: Template,
    /// The avatar's size preset (e.g. "EU 42", "L"; `healdeck avatar --size list`).
    #[arg(long, value_name = "SIZE")]
    size: Option<String>,
    /// Which cloth solver runs.
    #[arg(long, value_enum, default_value = "auto")]
    solver: SolverArg,
    /// One JSON object per garment, one per line: {"garment", "particles", "triangles",
    /// "solver", "settled", "settle_ms", "steps", "mean_strain_pct", "max_strain_pct",
    /// "max_penetration_mm"}.
    #[arg(long)]
    json: bool,
    /// Also write the draped garments as a Wavefront OBJ file (an object each, with each
    /// vertex's stretch).
    #[arg(long, value_name = "OUT.obj")]
    obj: Option<PathBuf>,
    /// Also render the draped garments on the avatar to this PNG.
    #[arg(long, value_name = "FILE.png")]
    out: Option<PathBuf>,
    /// preview (512 px) or realistic (2048 px) for --out; default from render_config.json.
    #[arg(long, value_parser = |s: &str| s.parse::<Mode>(), requires = "out")]
    mode: Option<Mode>,
    /// Camera angle around the model for --out, in degrees.
    #[arg(long, default_value_t = 20.0, allow_negative_numbers = true)]
    azimuth: f32,
    /// Render --out as the strain map (5 % bands from 100 % to 120 % and beyond) instead
    /// of the fabric.
    #[arg(long, requires = "out")]
    strain_map: bool,
    /// Render --out as the pressure map (how hard the cloth presses on the body: 0, 0.05,
    /// 0.2, 0.5 and 1 kPa bands) instead of the fabric.
    #[arg(long, requires = "out", conflicts_with = "strain_map")]
    pressure_map: bool,
}

fn parse_fabric(s: &str) -> Result<Fabric, String> {
    serde_json::from_value(serde_json::Value::String(s.to_ascii_lowercase()))
        .map_err(|_| format!("'{s}' is not one of cotton, denim, silk, leather, knit, linen"))
}

fn load(args: &DrapeArgs) -> Result<(Vec<GarmentSpec>, Body), String> {
    let mut specs = Vec::new();
    for path in &args.garment {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let spec = if is_garmentcode(&text) {
            // A sewing pattern on its own: a garment sewn from it, in --fabric and --color.
            let fabric = serde_json::to_value(args.fabric).map_err(|e| e.to_string())?;
            let look = serde_json::json!({"type": "tshirt", "fabric": fabric, "color": args.color});
            let mut spec = GarmentSpec::from_json(&look.to_string())
                .map_err(|e| format!("--color {}: {e}", args.color))?;
            spec.pattern = Some(path.clone());
            spec
        } else {
            let mut spec =
                GarmentSpec::from_json(&text).map_err(|e| format!("{}: {e}", path.display()))?;
            // A pattern or a material the spec names is beside it.
            if let Some(dir) = path.parent() {
                spec.pattern = spec.pattern.map(|p| dir.join(p));
                // Absolute: the render reads it again from the spec's folder.
                spec.material = spec
                    .material
                    .map(|m| std::path::absolute(dir.join(&m)).unwrap_or(m));
            }
            spec
        };
        let mut spec = spec;
        if let Some(material) = &args.material {
            spec.material = Some(std::path::absolute(material).unwrap_or(material.clone()));
        }
        specs.push(spec);
    }
    let size = match &args.size {
        None => default_size(args.avatar),
        Some(name) => named(args.avatar, name).map_err(|e| format!("--size {e}"))?,
    };
    let body = Body::new(args.avatar, size.measurements).map_err(|e| e.to_string())?;
    Ok((specs, body))
}

fn print(report: &DrapeReport, json: bool) {
    if json {
        match serde_json::to_string(report) {
            Ok(s) => println!("{s}"),
            Err(e) => eprintln!("healdeck: {e}"),
        }
        return;
    }
    println!(
        "{}: {} particles, {} triangles, {} solver; {} after {} steps in {:.1} s",
        report.garment,
        report.particles,
        report.triangles,
        report.solver,
        if report.settled {
            "settled"
        } else {
            "NOT settled"
        },
        report.steps,
        report.settle_ms / 1000.0
    );
    println!(
        "strain mean {:.2} %, max {:.2} %; deepest in the body {:.2} mm",
        report.mean_strain_pct, report.max_strain_pct, report.max_penetration_mm
    );
}

pub(crate) fn drape_command(args: &DrapeArgs, dirs: Result<Dirs, NoDirs>) -> ExitCode {
    let (specs, body) = match load(args) {
        Ok(x) => x,
        Err(e) => return super::fail(e),
    };
    let collider = match body_collider(&body) {
        Ok(c) => c,
        Err(e) => return super::fail(e),
    };
    let solver = match args.solver {
        SolverArg::Cpu => Solver::Cpu,
        SolverArg::Gpu => match Gpu::headless() {
            Ok(gpu) => Solver::Gpu(Arc::new(gpu)),
            Err(e) => return super::fail(format!("--solver gpu: {e}")),
        },
        SolverArg::Auto => Solver::auto(Gpu::headless().ok().map(Arc::new)),
    };
    let drapes = match drape_outfit(
        &specs,
        &body,
        &collider,
        SPACING,
        &solver,
        &[],
        &mut |_, _, _| true,
    ) {
        Ok(d) => d,
        Err((i, e)) => return super::fail(format!("{}: {e}", args.garment[i].display())),
    };
    if let Some(path) = &args.obj
        && let Err(e) = std::fs::write(path, outfit_obj(&drapes))
    {
        return super::fail(format!("{}: {e}", path.display()));
    }
    for d in &drapes {
        print(&d.report, args.json);
    }
    if !args.json
        && let Some(path) = &args.obj
    {
        println!("wrote {}", path.display());
    }
    let Some(out) = &args.out else {
        return ExitCode::SUCCESS;
    };
    let mut mesh = Mesh::default();
    for ((d, spec), path) in drapes.iter().zip(&specs).zip(&args.garment) {
        let map = if args.strain_map {
            Some(FitMap::Strain)
        } else {
            args.pressure_map.then_some(FitMap::Pressure)
        };
        let garment = if let Some(map) = map {
            d.fit_mesh(map)
        } else {
            match d.to_mesh(spec, path.parent()) {
                Ok(m) => m,
                Err(e) => return super::fail(format!("{}: {e}", path.display())),
            }
        };
        mesh.append(&garment);
    }
    let scene = SceneSpec {
        template: body.template,
        measurements: body.measurements,
        garments: Vec::new(),
        import: Some(Imported {
            path: args.garment[0].clone(),
            mesh: Arc::new(mesh),
            with_avatar: true,
            lay_on_body: false,
            look: Default::default(),
            exported_at: glam::Vec3::ZERO,
        }),
    };
    let options = RenderOptions {
        mode: args.mode,
        out: Some(out.clone()),
        turntable: 1,
        force: false,
        azimuth: args.azimuth,
    };
    render_scene(&scene, &options, dirs)
}

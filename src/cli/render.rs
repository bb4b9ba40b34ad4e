//! `healdeck render`: a thin face over `render` — build the scene, render headless, write PNGs.

use crate::render::avatar::{Body, Template};
use crate::render::garment::GarmentSpec;
use crate::render::import;
use crate::render::mesh::Mesh;
use crate::render::output::{renders_dir, write_png};
use crate::render::renderer::{Gpu, Mode, Renderer, View};
use clap::Args;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

#[derive(Args, Debug)]
pub struct RenderArgs {
    /// Garment spec (JSON); repeat to layer garments (a top and pants).
    #[arg(long, value_name = "SPEC.json", conflicts_with = "mesh")]
    pub garment: Vec<PathBuf>,
    /// An OBJ or glTF/GLB exported from CLO3D or Marvelous Designer, rendered as it is.
    #[arg(long, value_name = "FILE")]
    pub mesh: Option<PathBuf>,
    /// Avatar template.
    #[arg(long, default_value = "female", value_parser = |s: &str| s.parse::<Template>())]
    pub avatar: Template,
    /// preview (512 px, instant) or realistic (2048 px, shadows, AO, cloth shading).
    #[arg(long, default_value = "preview", value_parser = |s: &str| s.parse::<Mode>())]
    pub mode: Mode,
    /// Output PNG (default: a new file in the renders folder).
    #[arg(long, value_name = "FILE.png")]
    pub out: Option<PathBuf>,
    /// Write N frames around the model (FILE-000.png …).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=360))]
    pub turntable: Option<u32>,
    /// Camera angle around the model, in degrees.
    #[arg(long, default_value_t = 20.0, allow_negative_numbers = true)]
    pub azimuth: f32,
}

fn fail(message: impl std::fmt::Display) -> ExitCode {
    eprintln!("healdeck: {message}");
    ExitCode::from(2)
}

pub fn render(args: RenderArgs) -> ExitCode {
    let started = Instant::now();
    // The scene first: bad input is reported before any GPU work.
    let mut meshes: Vec<Mesh> = Vec::new();
    let mut specs = Vec::new();
    let what: String;
    if let Some(path) = &args.mesh {
        match import::load(path) {
            Ok(m) => meshes.push(m),
            Err(e) => return fail(e),
        }
        what = path
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_default();
    } else {
        let body = match Body::new(args.avatar, args.avatar.defaults()) {
            Ok(b) => b,
            Err(e) => return fail(e),
        };
        for p in &args.garment {
            let text = match std::fs::read_to_string(p) {
                Ok(t) => t,
                Err(e) => return fail(format!("{}: {e}", p.display())),
            };
            let spec = match GarmentSpec::from_json(&text) {
                Ok(s) => s,
                Err(e) => return fail(format!("{}: {e}", p.display())),
            };
            match spec.build(&body, p.parent()) {
                Ok(m) => meshes.push(m),
                Err(e) => return fail(format!("{}: {e}", p.display())),
            }
            specs.push(spec);
        }
        meshes.insert(0, body.mesh);
        what = if specs.is_empty() {
            "avatar".into()
        } else {
            specs
                .iter()
                .map(|s| format!("{:?}", s.kind).to_lowercase())
                .collect::<Vec<_>>()
                .join("+")
        };
    }
    let gpu = match Gpu::headless() {
        Ok(g) => g,
        Err(e) => return fail(e),
    };
    println!("adapter: {}", gpu.describe());
    let renderer = Renderer::new(&gpu);
    let refs: Vec<&Mesh> = meshes.iter().collect();
    let base = args.out.clone().unwrap_or_else(|| {
        let stamp = crate::troubleshoot::timestamp::iso_of_unix(
            crate::troubleshoot::fix::audit::now() as i64,
        )
        .replace([':', '-'], "");
        renders_dir().join(format!(
            "{stamp}-{}-{what}-{}.png",
            args.avatar.name(),
            args.mode.name()
        ))
    });
    let frames = args.turntable.unwrap_or(1);
    let size = args.mode.size();
    for f in 0..frames {
        let view = View {
            azimuth_deg: args.azimuth + 360.0 * f as f32 / frames as f32,
            ..View::default()
        };
        let t0 = Instant::now();
        let image = match renderer.render(&gpu, &refs, args.mode, &view, size) {
            Ok(i) => i,
            Err(e) => return fail(e),
        };
        let ms = t0.elapsed().as_secs_f64() * 1000.0;
        let path = if frames > 1 {
            let stem = base
                .file_stem()
                .map(|s| s.to_string_lossy().to_string())
                .unwrap_or_else(|| "frame".into());
            base.with_file_name(format!("{stem}-{f:03}.png"))
        } else {
            base.clone()
        };
        let meta = vec![
            ("garment", serde_json::to_string(&specs).unwrap_or_default()),
            ("mesh", args.mesh.as_ref().map(|p| p.display().to_string()).unwrap_or_default()),
            ("avatar", serde_json::json!({"template": args.avatar, "measurements": args.avatar.defaults()}).to_string()),
            ("mode", args.mode.name().to_string()),
            ("renderer", format!("healdeck {} on {}", crate::VERSION, gpu.describe())),
            ("render_ms", format!("{ms:.1}")),
            ("azimuth_deg", format!("{}", view.azimuth_deg)),
        ];
        if let Err(e) = write_png(&path, &image, &meta) {
            return fail(e);
        }
        println!(
            "wrote {} ({size}×{size}, rendered in {ms:.0} ms)",
            path.display()
        );
    }
    println!("total {:.2} s", started.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}

//! `healdeck render`: a thin face over `render` — build the scene, render headless, write PNGs.

use crate::gpu::{BusyMeter, GpuMonitor, detect};
use crate::render::avatar::{Body, Template};
use crate::render::config::RenderConfig;
use crate::render::garment::GarmentSpec;
use crate::render::import;
use crate::render::manager::{Output, RenderEvent, RenderManager, RenderRequest, WgpuBackend};
use crate::render::mesh::Mesh;
use crate::render::output::write_png;
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
    /// preview (512 px, instant) or realistic (2048 px, shadows, AO, cloth shading);
    /// default from render_config.json.
    #[arg(long, value_parser = |s: &str| s.parse::<Mode>())]
    pub mode: Option<Mode>,
    /// Output PNG (default: a new file in the renders folder).
    #[arg(long, value_name = "FILE.png")]
    pub out: Option<PathBuf>,
    /// Write N frames around the model (FILE-000.png …).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=360))]
    pub turntable: Option<u32>,
    /// Render Realistic even when the GPU is busy with other work.
    #[arg(long)]
    pub force: bool,
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
    let config = match RenderConfig::load_or_create() {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let mode = args.mode.unwrap_or(config.default_mode);
    let gpu = match Gpu::headless() {
        Ok(g) => g,
        Err(e) => return fail(e),
    };
    println!("adapter: {}", gpu.describe());
    // Every render goes through the render manager, which watches the GPU meter.
    let busy = BusyMeter::new();
    let info = gpu.info.clone();
    let monitor = GpuMonitor::start(
        detect(Some((&info, busy.clone()))),
        std::time::Duration::from_millis(config.sample_period_ms),
    );
    let pci = (!info.device_pci_bus_id.is_empty()).then(|| info.device_pci_bus_id.clone());
    let renderer = Renderer::new(&gpu);
    let (manager, events) = RenderManager::start(
        WgpuBackend {
            gpu,
            renderer,
            busy,
        },
        &config,
        Some(monitor.subscribe()),
        pci,
    );
    let scene = std::sync::Arc::new(meshes);
    let base = args.out.clone().unwrap_or_else(|| {
        let stamp = crate::troubleshoot::timestamp::iso_of_unix(
            crate::troubleshoot::fix::audit::now() as i64,
        )
        .replace([':', '-'], "");
        config.renders_folder().join(format!(
            "{stamp}-{}-{what}-{}.png",
            args.avatar.name(),
            mode.name()
        ))
    });
    let frames = args.turntable.unwrap_or(1);
    for f in 0..frames {
        let view = View {
            azimuth_deg: args.azimuth + 360.0 * f as f32 / frames as f32,
            ..View::default()
        };
        let id = manager.submit(RenderRequest {
            view_key: u64::from(f),
            scene: scene.clone(),
            mode,
            force: args.force,
            view,
            output: Output::Image,
        });
        let (image, used, ms, reason) = loop {
            let Ok(event) = events.recv() else {
                return fail("the render worker stopped");
            };
            match event {
                RenderEvent::Started {
                    id: i,
                    reason: Some(r),
                    ..
                } if i == id => println!("{r}"),
                RenderEvent::Done {
                    id: i,
                    mode: used,
                    millis,
                    rendered,
                } if i == id => {
                    let Some(image) = rendered.image else {
                        return fail("the renderer returned no image");
                    };
                    break (
                        image,
                        used,
                        millis,
                        (used != mode).then(|| "GPU busy".to_string()),
                    );
                }
                RenderEvent::Failed { id: i, reason } if i == id => return fail(reason),
                RenderEvent::ModeSwitched { reason, .. } => println!("[CLO] {reason}"),
                _ => {}
            }
        };
        let size = used.size();
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
            ("mode", used.name().to_string()),
            ("requested_mode", mode.name().to_string()),
            ("fallback_reason", reason.unwrap_or_default()),
            ("renderer", format!("healdeck {} on {}", crate::VERSION, info.name)),
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

//! `healdeck render`: build the scene, render it through the render manager (so the GPU
//! meter's fallback applies), and write PNGs with their provenance.

use super::fail;
use clap::Args;
use healdeck::dirs::NoDirs;
use healdeck_config::Dirs;
use healdeck_config::SettingsFile;
use healdeck_render::avatar::Template;
use healdeck_render::config::RenderConfig;
use healdeck_render::garment::Fabric;
use healdeck_render::manager::{Output, RenderEvent, RenderRequest};
use healdeck_render::onbody::ImportLook;
use healdeck_render::output::{Provenance, render_file_name, write_png};
use healdeck_render::renderer::{Gpu, Mode, View};
use healdeck_render::scene::{Garment, Imported, SceneSpec};
use healdeck_render::service::RenderService;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Instant;

#[derive(Args, Debug)]
pub(crate) struct RenderArgs {
    /// Garment spec (JSON); repeat to layer garments (a top and pants).
    #[arg(long, value_name = "SPEC.json", conflicts_with = "mesh")]
    garment: Vec<PathBuf>,
    /// An OBJ or glTF/GLB exported from CLO3D or Marvelous Designer, rendered as it is.
    #[arg(long, value_name = "FILE")]
    mesh: Option<PathBuf>,
    /// Show --mesh worn by the avatar: where it sinks into the body, it is laid over it.
    #[arg(long, requires = "mesh")]
    with_avatar: bool,
    /// Recolor every material of --mesh (#rrggbb).
    #[arg(long, value_name = "#RRGGBB", requires = "mesh")]
    recolor: Option<String>,
    /// Give every material of --mesh this fabric (cotton, denim, silk, leather, knit, linen).
    #[arg(long, value_name = "FABRIC", requires = "mesh", value_parser = parse_fabric)]
    fabric: Option<Fabric>,
    /// Avatar template.
    #[arg(long, default_value = "female", value_parser = |s: &str| s.parse::<Template>())]
    avatar: Template,
    /// The avatar's size preset (e.g. "EU 42", "L"; `healdeck avatar --size list`); default
    /// EU 38 (female), EU 50 (male), M (neutral).
    #[arg(long, value_name = "SIZE")]
    size: Option<String>,
    /// preview (512 px, instant) or realistic (2048 px, shadows, AO, cloth shading);
    /// default from render_config.json.
    #[arg(long, value_parser = |s: &str| s.parse::<Mode>())]
    mode: Option<Mode>,
    /// Output PNG (default: a new file in the renders folder).
    #[arg(long, value_name = "FILE.png")]
    out: Option<PathBuf>,
    /// Write N frames around the model (FILE-000.png …).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=360))]
    turntable: Option<u32>,
    /// Render Realistic even when the GPU is busy with other work.
    #[arg(long)]
    force: bool,
    /// Camera angle around the model, in degrees.
    #[arg(long, default_value_t = 20.0, allow_negative_numbers = true)]
    azimuth: f32,
}

fn parse_fabric(s: &str) -> Result<Fabric, String> {
    serde_json::from_value(serde_json::Value::String(s.to_string()))
        .map_err(|_| format!("{s} is not a fabric (cotton, denim, silk, leather, knit, linen)"))
}

impl RenderArgs {
    /// The scene the arguments describe; bad files are reported before any GPU work.
    fn scene(&self) -> Result<SceneSpec, String> {
        let mut spec = SceneSpec::avatar(self.avatar);
        if let Some(name) = &self.size {
            spec.measurements = healdeck_render::sizes::named(self.avatar, name)
                .map_err(|e| format!("--size {e}"))?
                .measurements;
        }
        self.add_meshes(&mut spec).map_err(|e| e.to_string())?;
        Ok(spec)
    }

    fn add_meshes(&self, spec: &mut SceneSpec) -> Result<(), healdeck_render::scene::SceneError> {
        if let Some(path) = &self.mesh {
            let mut import = Imported::load(path, self.with_avatar)?;
            import.look = ImportLook {
                color: self.recolor.clone(),
                fabric: self.fabric,
            };
            spec.import = Some(import);
        }
        for p in &self.garment {
            spec.garments.push(Garment::load(p)?);
        }
        Ok(())
    }
}

/// One finished frame.
struct Frame {
    image: Arc<image::RgbaImage>,
    mode: Mode,
    millis: f64,
    reason: Option<String>,
}

/// How to render a scene: the mode (default from render_config.json), where to (default: a
/// new file in the renders folder), how many frames around it, from which angle.
pub(crate) struct RenderOptions {
    pub(crate) mode: Option<Mode>,
    pub(crate) out: Option<PathBuf>,
    pub(crate) turntable: u32,
    pub(crate) force: bool,
    pub(crate) azimuth: f32,
}

pub(crate) fn render(args: &RenderArgs, dirs: Result<Dirs, NoDirs>) -> ExitCode {
    let spec = match args.scene() {
        Ok(s) => s,
        Err(e) => return fail(e),
    };
    let options = RenderOptions {
        mode: args.mode,
        out: args.out.clone(),
        turntable: args.turntable.unwrap_or(1),
        force: args.force,
        azimuth: args.azimuth,
    };
    render_scene(&spec, &options, dirs)
}

/// Renders `spec` to PNG files through the render manager.
pub(crate) fn render_scene(
    spec: &SceneSpec,
    options: &RenderOptions,
    dirs: Result<Dirs, NoDirs>,
) -> ExitCode {
    let started = Instant::now();
    let dirs = match dirs {
        Ok(d) => d,
        Err(e) => return fail(e),
    };
    let scene = match spec.build() {
        Ok(m) => Arc::new(m),
        Err(e) => return fail(e),
    };
    let config = match RenderConfig::load_or_create(&dirs) {
        Ok(c) => c,
        Err(e) => return fail(e),
    };
    let mode = options.mode.unwrap_or(config.default_mode);
    let gpu = match Gpu::headless() {
        Ok(g) => g,
        Err(e) => return fail(e),
    };
    println!("adapter: {}", gpu.describe());
    // Every render goes through the render manager, which watches the GPU meter.
    let service = RenderService::start(gpu, &config, None);
    let base = options.out.clone().unwrap_or_else(|| {
        config
            .renders_folder(&dirs)
            .join(render_file_name(spec, mode))
    });
    let frames = options.turntable.max(1);
    for f in 0..frames {
        let view = View {
            azimuth_deg: options.azimuth + 360.0 * f as f32 / frames as f32,
            ..View::default()
        };
        let request = RenderRequest {
            view_key: u64::from(f),
            scene: scene.clone(),
            mode,
            force: options.force,
            view,
            output: Output::Image,
        };
        let frame = match render_one(&service, request) {
            Ok(frame) => frame,
            Err(e) => return fail(e),
        };
        let path = frame_path(&base, f, frames);
        let provenance = Provenance {
            scene: spec,
            requested: mode,
            rendered: frame.mode,
            fallback_reason: frame.reason.as_deref(),
            adapter: &service.adapter.name,
            render_ms: frame.millis,
            view,
        };
        if let Err(e) = write_png(&path, &frame.image, &provenance.entries()) {
            return fail(e);
        }
        let size = frame.mode.size();
        println!(
            "wrote {} ({size}×{size}, rendered in {:.0} ms)",
            path.display(),
            frame.millis
        );
    }
    println!("total {:.2} s", started.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}

/// Submits one request and waits for its image, printing the fallback's news on the way.
fn render_one(service: &RenderService, request: RenderRequest) -> Result<Frame, String> {
    let mode = request.mode;
    let id = service.manager.submit(request);
    loop {
        let event = service
            .events
            .recv()
            .map_err(|_| "the render worker stopped".to_string())?;
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
                let image = rendered.image.ok_or("the renderer returned no image")?;
                return Ok(Frame {
                    image,
                    mode: used,
                    millis,
                    reason: (used != mode).then(|| "GPU busy".to_string()),
                });
            }
            RenderEvent::Failed { id: i, reason } if i == id => return Err(reason),
            RenderEvent::ModeSwitched { reason, .. } => println!("[CLO] {reason}"),
            _ => {}
        }
    }
}

/// `base` for a single frame; `<stem>-NNN.png` beside it for a turntable.
fn frame_path(base: &Path, frame: u32, frames: u32) -> PathBuf {
    if frames == 1 {
        return base.to_path_buf();
    }
    let stem = base
        .file_stem()
        .map_or_else(|| "frame".into(), |s| s.to_string_lossy().into_owned());
    base.with_file_name(format!("{stem}-{frame:03}.png"))
}

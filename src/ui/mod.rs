//! The desktop window (eframe/egui 0.37, wgpu). This is the only module that knows egui: it
//! drives the same libraries as the command line — the Troubleshooter engine, the fixer, the
//! renderer and render manager, the GPU monitor — through commands, and hears back through
//! events and `request_repaint`.

pub mod app;
pub mod bg;
pub mod clo;
pub mod feed;
pub mod gpu_meter;
pub mod settings;
pub mod troubleshooter;
pub mod widgets;

pub use app::{AppOptions, Dirs, HealdeckApp};

use anyhow::Context as _;
use std::time::Instant;

/// Folders from the environment (`HEALDECK_CONFIG_DIR`, `HEALDECK_DATA_DIR`) or the platform's.
pub fn default_dirs() -> anyhow::Result<Dirs> {
    let config =
        crate::paths::config_dir().context("no config folder (set HEALDECK_CONFIG_DIR)")?;
    let data = crate::paths::data_dir().context("no data folder (set HEALDECK_DATA_DIR)")?;
    Ok(Dirs {
        config,
        data,
        own_log: crate::logging::log_path(),
        user_rules: true,
    })
}

/// Opens the window and runs until it is closed.
pub fn run() -> anyhow::Result<()> {
    let started = Instant::now();
    let log = crate::logging::init_file();
    let dirs = default_dirs()?;
    let (settings, _) = settings::UiSettings::load(&dirs.config.join("ui.json"));
    let icon =
        eframe::icon_data::from_png_bytes(include_bytes!("../../assets/icons/healdeck.png")).ok();
    let mut viewport = egui::ViewportBuilder::default()
        .with_title("healdeck")
        .with_app_id("healdeck")
        .with_inner_size(settings.window)
        .with_min_inner_size([900.0, 560.0]);
    if let Some(icon) = icon {
        viewport = viewport.with_icon(icon);
    }
    let options = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Wgpu,
        ..Default::default()
    };
    if let Err(e) = &log {
        eprintln!("healdeck: no log file: {e}");
    }
    let timing = std::env::var_os("HEALDECK_TIMING").is_some_and(|v| v != "0");
    eframe::run_native(
        "healdeck",
        options,
        Box::new(move |cc| {
            let app = HealdeckApp::new(
                cc,
                AppOptions {
                    started,
                    timing,
                    screenshot: std::env::var_os("HEALDECK_SCREENSHOT").map(Into::into),
                    ..AppOptions::new(dirs, widgets::Clipboard::system())
                },
            )?;
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
}

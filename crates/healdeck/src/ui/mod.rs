//! The desktop window (eframe/egui 0.37, wgpu). This is the only module that knows egui: it
//! drives the same library calls as the command line — scans, fix sessions, prompts, scenes,
//! the render service — through commands, and hears back through events (`events`) and
//! `request_repaint`.
//!
//! Layout: `app` (the window and its event pump), `chrome` (top and status bars),
//! `shortcuts`, `selftest_window`, `dev_hooks` (screenshot and timing), `shared` (what the
//! tabs share), `bg` (the background runtime), `settings` (`ui.json`), `widgets`, and one
//! folder per tab: `troubleshooter/`, `clo/` and `health/`.

mod app;
mod bg;
mod chrome;
mod clo;
mod dev_hooks;
mod events;
mod health;
mod selftest_window;
pub mod settings;
mod shared;
mod shortcuts;
mod troubleshooter;
pub mod widgets;

pub use app::{AppOptions, HealdeckApp};
pub use clo::{CloTab, GpuMeter};
pub use health::HealthTab;
pub use shared::{AppDirs, Shared};
pub use troubleshooter::{Feed, Filter, TroubleTab};

use anyhow::Context as _;
use healdeck_config::Dirs;
use std::path::PathBuf;
use std::time::Instant;

/// Opens the window and runs until it is closed. `dirs` is what `main` resolved; `own_log`
/// is healdeck's log file when `main` could open it (the Troubleshooter can follow it).
pub fn open_window(dirs: Dirs, own_log: Option<PathBuf>) -> anyhow::Result<()> {
    let started = Instant::now();
    // Read once: a broken file is moved aside here, so its error must travel to the window
    // (reading it again there would find no file and report nothing).
    let loaded = settings::UiSettings::load_or_set_aside(&dirs.settings_file("ui.json"));
    let icon =
        eframe::icon_data::from_png_bytes(include_bytes!("../../../../assets/icons/healdeck.png"))
            .context("the app icon")?;
    let viewport = egui::ViewportBuilder::default()
        .with_title("healdeck")
        .with_app_id("healdeck")
        .with_inner_size(loaded.0.window)
        .with_min_inner_size([900.0, 560.0])
        .with_icon(icon);
    let options = eframe::NativeOptions {
        viewport,
        renderer: eframe::Renderer::Wgpu,
        ..Default::default()
    };
    let timing = std::env::var_os("HEALDECK_TIMING").is_some_and(|v| v != "0");
    let screenshot = std::env::var_os("HEALDECK_SCREENSHOT").map(Into::into);
    eframe::run_native(
        "healdeck",
        options,
        Box::new(move |cc| {
            let app_dirs = AppDirs {
                dirs,
                own_log,
                user_rules: true,
            };
            let app = HealdeckApp::new(
                cc,
                AppOptions {
                    settings: Some(loaded),
                    started,
                    timing,
                    screenshot,
                    ..AppOptions::new(app_dirs, widgets::Clipboard::system())
                },
            )?;
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("{e}"))
}

//! What both tabs and the window share, passed to each as `&mut Shared`: the background
//! runtime, the settings being edited, the folders, the toasts, the clipboard and egui's
//! context (for repaint requests). Owned by the app; nothing in it is shared with a worker.

use super::bg::Bg;
use super::settings::UiSettings;
use super::widgets::{Clipboard, Toasts};
use healdeck_config::Dirs;
use std::path::PathBuf;

/// Where the app keeps things, and which of the user's files it reads.
#[derive(Debug, Clone)]
pub struct AppDirs {
    pub dirs: Dirs,
    /// healdeck's own log file (the Troubleshooter can follow it).
    pub own_log: Option<PathBuf>,
    /// Read `<config>/rules/*.json` on top of the built-in rules.
    pub user_rules: bool,
}

pub struct Shared {
    pub bg: Bg,
    pub settings: UiSettings,
    pub dirs: AppDirs,
    pub toasts: Toasts,
    pub clipboard: Clipboard,
    pub egui_ctx: egui::Context,
    /// Events taken off the channel while a tab waited for one of its own (a Fast Preview);
    /// the next frame routes them first, in order.
    pub parked: Vec<super::events::UiEvent>,
}

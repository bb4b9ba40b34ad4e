//! healdeck's own log file: structured `tracing` entries from the app (`[TROUBLE]` from the
//! Troubleshooter, `[CLO]` from the CLO Companion) appended to `<data>/healdeck.log`, one line
//! each, in a format the Troubleshooter itself reads (so it can watch its own log). Rotated to
//! `healdeck.log.1` when it passes 10 MB at start-up.

use std::fs::{File, OpenOptions};
use std::path::PathBuf;
use std::sync::Mutex;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

const ROTATE_BYTES: u64 = 10 << 20;

/// The app's log file, when there is a data folder.
pub fn log_path() -> Option<PathBuf> {
    crate::paths::data_dir().map(|d| d.join("healdeck.log"))
}

fn open(path: &PathBuf) -> std::io::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if std::fs::metadata(path).is_ok_and(|m| m.len() > ROTATE_BYTES) {
        let _ = std::fs::rename(path, path.with_extension("log.1"));
    }
    OpenOptions::new().create(true).append(true).open(path)
}

/// Sends healdeck's `tracing` entries (info and up; warnings and up from libraries) to the log
/// file. Returns the path, or why not; the app runs either way.
pub fn init_file() -> Result<PathBuf, String> {
    let path = log_path().ok_or("no data folder (set HEALDECK_DATA_DIR)")?;
    let file = open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let filter = Targets::new()
        .with_default(LevelFilter::WARN)
        .with_target("healdeck", LevelFilter::INFO);
    let layer = tracing_subscriber::fmt::layer()
        .with_ansi(false)
        .with_target(false)
        .with_writer(Mutex::new(file));
    tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .try_init()
        .map_err(|e| e.to_string())?;
    Ok(path)
}

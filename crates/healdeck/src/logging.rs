//! healdeck's own log file: structured `tracing` entries from the app (`[TROUBLE]` from the
//! Troubleshooter, `[CLO]` from the CLO Companion) appended to `<data>/healdeck.log`, one line
//! each, in a format the Troubleshooter itself reads (so it can watch its own log). Rotated to
//! `healdeck.log.1` when it passes 10 MB at start-up.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::prelude::*;

const ROTATE_BYTES: u64 = 10 << 20;

/// Why the log file could not be set up (the app runs on without it).
#[derive(Debug, thiserror::Error)]
pub enum LogError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("a logger is already installed: {0}")]
    AlreadySet(String),
}

fn open(path: &Path) -> std::io::Result<File> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    if std::fs::metadata(path).is_ok_and(|m| m.len() > ROTATE_BYTES) {
        std::fs::rename(path, path.with_extension("log.1"))?;
    }
    OpenOptions::new().create(true).append(true).open(path)
}

/// Sends healdeck's `tracing` entries (info and up from healdeck's crates, warnings and up
/// from libraries) to `path`.
pub fn init_file(path: &Path) -> Result<(), LogError> {
    let file = open(path).map_err(|source| LogError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    // Targets match by prefix: "healdeck" covers healdeck_engine, healdeck_render, ….
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
        .map_err(|e| LogError::AlreadySet(e.to_string()))
}

//! The one place that decides where healdeck keeps its files: `HEALDECK_CONFIG_DIR` and
//! `HEALDECK_DATA_DIR` override the platform's conventions (via `directories`), so tests and
//! portable installs never touch the real home folder. `main` calls this once and hands the
//! result to the command line or the window; no library looks folders up itself.

use healdeck_config::Dirs;
use std::path::PathBuf;

/// No home folder to derive a config or data folder from, and no override set.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no {which} folder (set {var})")]
pub struct NoDirs {
    pub which: &'static str,
    pub var: &'static str,
}

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("dev", "healdeck", "healdeck")
}

fn folder(
    var: &str,
    platform: impl FnOnce(&directories::ProjectDirs) -> PathBuf,
) -> Option<PathBuf> {
    std::env::var_os(var)
        .map(PathBuf::from)
        .or_else(|| project_dirs().map(|d| platform(&d)))
}

/// The config and data folders from the environment or the platform.
pub fn resolve() -> Result<Dirs, NoDirs> {
    let config = folder("HEALDECK_CONFIG_DIR", |d| d.config_dir().to_path_buf()).ok_or(NoDirs {
        which: "config",
        var: "HEALDECK_CONFIG_DIR",
    })?;
    let data = folder("HEALDECK_DATA_DIR", |d| d.data_dir().to_path_buf()).ok_or(NoDirs {
        which: "data",
        var: "HEALDECK_DATA_DIR",
    })?;
    Ok(Dirs::new(config, data))
}

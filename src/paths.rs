//! Where healdeck keeps its files: the user's config folder (extra rules, settings) and data
//! folder (audit logs, backups), from the platform's conventions via `directories`.
//!
//! `HEALDECK_CONFIG_DIR` / `HEALDECK_DATA_DIR` override both, so tests and portable installs
//! never touch the real home folder.

use std::path::PathBuf;

fn project_dirs() -> Option<directories::ProjectDirs> {
    directories::ProjectDirs::from("dev", "healdeck", "healdeck")
}

/// The folder for user configuration; `None` when no home folder can be found.
pub fn config_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("HEALDECK_CONFIG_DIR") {
        return Some(PathBuf::from(dir));
    }
    project_dirs().map(|d| d.config_dir().to_path_buf())
}

/// The folder for data healdeck writes (audit log, backups, renders).
pub fn data_dir() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("HEALDECK_DATA_DIR") {
        return Some(PathBuf::from(dir));
    }
    project_dirs().map(|d| d.data_dir().to_path_buf())
}

/// Rules files the user added: every `*.json` in `<config>/rules/`.
pub fn user_rules_dir() -> Option<PathBuf> {
    config_dir().map(|d| d.join("rules"))
}

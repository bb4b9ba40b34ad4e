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

/// Reads a JSON settings file and validates it; errors name the file and the place (serde's
/// line and column, or the validator's field).
pub fn read_json_settings<T: serde::de::DeserializeOwned>(
    path: &std::path::Path,
    validate: impl Fn(&T) -> Result<(), String>,
) -> Result<T, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let value: T = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
    validate(&value).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(value)
}

/// `<config>/<name>`, written with `T::default()` on first use (when `create`), then read and
/// validated. Without a config folder the defaults are used.
pub fn load_json_settings<T>(
    name: &str,
    create: bool,
    validate: impl Fn(&T) -> Result<(), String>,
) -> Result<T, String>
where
    T: serde::Serialize + serde::de::DeserializeOwned + Default,
{
    let Some(path) = config_dir().map(|d| d.join(name)) else {
        return Ok(T::default());
    };
    if !path.exists() {
        let defaults = T::default();
        if create {
            if let Some(dir) = path.parent() {
                let _ = std::fs::create_dir_all(dir);
            }
            let text = serde_json::to_string_pretty(&defaults).unwrap_or_default();
            let _ = std::fs::write(&path, text + "\n");
        }
        return Ok(defaults);
    }
    read_json_settings(&path, validate)
}

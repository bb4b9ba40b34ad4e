//! JSON settings files (`fixer.json`, `render_config.json`, `ui.json`): read, then validated,
//! with errors that name the file and the place — serde's line and column for syntax and
//! types, the field for a value out of range. A missing file is not an error: the defaults
//! apply, and `load_or_create` writes them there so the person finds a file to edit.

use serde::Serialize;
use serde::de::DeserializeOwned;
use std::path::{Path, PathBuf};

/// A value that parsed but cannot be used; `message` names the field and the allowed range.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

impl Invalid {
    pub fn new(field: &'static str, message: impl Into<String>) -> Invalid {
        Invalid {
            field,
            message: message.into(),
        }
    }
}

/// Why a settings file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum SettingsError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Bad JSON or a wrong type or unknown field: serde's message ends with the line and column.
    #[error("{}: {source}", path.display())]
    Parse {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("{}: {source}", path.display())]
    Invalid { path: PathBuf, source: Invalid },
}

impl SettingsError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            SettingsError::Io { path, .. }
            | SettingsError::Parse { path, .. }
            | SettingsError::Invalid { path, .. } => path,
        }
    }

    /// Line and column (1-based) of a syntax or type error.
    pub fn line_column(&self) -> Option<(usize, usize)> {
        match self {
            SettingsError::Parse { source, .. } => Some((source.line(), source.column())),
            _ => None,
        }
    }
}

/// A JSON settings file in the config folder (`fixer.json`, `render_config.json`, `ui.json`):
/// where it lives and how it is checked; reading, defaults and creation come with it.
pub trait SettingsFile: Serialize + DeserializeOwned + Default {
    /// The file's name in the config folder.
    const FILE_NAME: &'static str;

    /// What serde cannot check: ranges, and fields that must agree with each other.
    fn validate(&self) -> Result<(), Invalid>;

    /// `<config>/FILE_NAME`.
    fn path(dirs: &crate::Dirs) -> PathBuf {
        dirs.settings_file(Self::FILE_NAME)
    }

    /// Reads and checks the file at `path`.
    fn load(path: &Path) -> Result<Self, SettingsError> {
        read(path, Self::validate)
    }

    /// The file, or the defaults when there is none (writes nothing).
    fn load_or_default(dirs: &crate::Dirs) -> Result<Self, SettingsError> {
        load_or_default(&Self::path(dirs), Self::validate)
    }

    /// The file; when there is none, the defaults, written there first for the person to edit.
    fn load_or_create(dirs: &crate::Dirs) -> Result<Self, SettingsError> {
        load_or_create(&Self::path(dirs), Self::validate)
    }
}

/// Reads `path` and checks it with `validate`.
pub fn read<T: DeserializeOwned>(
    path: &Path,
    validate: impl Fn(&T) -> Result<(), Invalid>,
) -> Result<T, SettingsError> {
    let text = std::fs::read_to_string(path).map_err(|source| SettingsError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let value: T = serde_json::from_str(&text).map_err(|source| SettingsError::Parse {
        path: path.to_path_buf(),
        source,
    })?;
    validate(&value).map_err(|source| SettingsError::Invalid {
        path: path.to_path_buf(),
        source,
    })?;
    Ok(value)
}

/// `path` when it exists, else `T::default()`.
pub fn load_or_default<T: DeserializeOwned + Default>(
    path: &Path,
    validate: impl Fn(&T) -> Result<(), Invalid>,
) -> Result<T, SettingsError> {
    if path.exists() {
        read(path, validate)
    } else {
        Ok(T::default())
    }
}

/// `path` when it exists; else the defaults, written there first so the person has a file
/// to edit. Failing to write them is no reason to stop: the defaults are used all the same.
pub fn load_or_create<T: Serialize + DeserializeOwned + Default>(
    path: &Path,
    validate: impl Fn(&T) -> Result<(), Invalid>,
) -> Result<T, SettingsError> {
    if path.exists() {
        return read(path, validate);
    }
    let defaults = T::default();
    if let Err(e) = write_json(path, &defaults) {
        tracing::warn!("could not write the default settings: {e}");
    }
    Ok(defaults)
}

/// Writes `value` as pretty JSON with a final newline, creating the folder first. The file is
/// written beside its final name and renamed into place, so a crash never leaves half a file.
pub fn write_json<T: Serialize>(path: &Path, value: &T) -> Result<(), SettingsError> {
    let io = |source| SettingsError::Io {
        path: path.to_path_buf(),
        source,
    };
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io)?;
    }
    let text = serde_json::to_string_pretty(value).map_err(|source| SettingsError::Parse {
        path: path.to_path_buf(),
        source,
    })? + "\n";
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, text).map_err(io)?;
    std::fs::rename(&tmp, path).map_err(io)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Default, PartialEq, serde::Serialize, serde::Deserialize)]
    #[serde(deny_unknown_fields, default)]
    struct Example {
        limit: u32,
    }

    fn at_most_ten(e: &Example) -> Result<(), Invalid> {
        if e.limit > 10 {
            return Err(Invalid::new(
                "limit",
                format!("limit = {} must be at most 10", e.limit),
            ));
        }
        Ok(())
    }

    #[test]
    fn errors_name_the_file_and_the_place() {
        let d = tempfile::tempdir().expect("tmp");
        let p = d.path().join("example.json");
        std::fs::write(&p, "{\n  \"limit\": 3,\n  \"limt\": 4\n}").expect("write");
        let e = read(&p, at_most_ten).expect_err("unknown field");
        assert_eq!(e.line_column().map(|(l, _)| l), Some(3), "{e}");
        assert!(e.to_string().contains("example.json") && e.to_string().contains("limt"));
        std::fs::write(&p, r#"{"limit": 30}"#).expect("write");
        let e = read(&p, at_most_ten).expect_err("out of range");
        assert!(matches!(&e, SettingsError::Invalid { source, .. } if source.field == "limit"));
        assert!(e.to_string().contains("example.json: limit = 30"), "{e}");
    }

    #[test]
    fn a_missing_file_gets_the_defaults_written() {
        let d = tempfile::tempdir().expect("tmp");
        let p = d.path().join("sub/example.json");
        assert_eq!(
            load_or_default(&p, at_most_ten).expect("defaults"),
            Example::default()
        );
        assert!(!p.exists());
        assert_eq!(
            load_or_create(&p, at_most_ten).expect("defaults"),
            Example::default()
        );
        assert_eq!(read(&p, at_most_ten).expect("written"), Example::default());
    }
}

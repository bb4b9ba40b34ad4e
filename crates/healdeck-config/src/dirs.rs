//! The folders healdeck works in. The binary decides them once (environment overrides, then
//! the platform's conventions) and passes a `Dirs` to every library call that reads or writes
//! a file of its own; libraries never look them up themselves.

use std::path::{Path, PathBuf};

/// The user's configuration folder (settings, extra rules) and data folder (audit log,
/// backups, renders, reports, healdeck's own log).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dirs {
    pub config: PathBuf,
    pub data: PathBuf,
}

impl Dirs {
    pub fn new(config: impl Into<PathBuf>, data: impl Into<PathBuf>) -> Dirs {
        Dirs {
            config: config.into(),
            data: data.into(),
        }
    }

    /// `<config>/<name>`: a settings file such as `fixer.json`.
    pub fn settings_file(&self, name: &str) -> PathBuf {
        self.config.join(name)
    }

    /// `<config>/rules`: rules files the user added (`*.json`).
    pub fn user_rules(&self) -> PathBuf {
        self.config.join("rules")
    }

    /// `<data>/renders`: where renders go unless `render_config.json` says otherwise.
    pub fn renders(&self) -> PathBuf {
        self.data.join("renders")
    }

    /// `<data>/reports`: where exported reports go when there is no save dialog.
    pub fn reports(&self) -> PathBuf {
        self.data.join("reports")
    }

    /// `<data>/baselines`: saved healthy periods of logs' patterns (`NAME.json`).
    pub fn baselines(&self) -> PathBuf {
        self.data.join("baselines")
    }

    /// `<data>/healdeck.log`: healdeck's own log file.
    pub fn log_file(&self) -> PathBuf {
        self.data.join("healdeck.log")
    }

    /// The data folder as a path (audit log, backups and the fix lock live there).
    pub fn data(&self) -> &Path {
        &self.data
    }
}

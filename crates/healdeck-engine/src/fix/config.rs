//! Fixer settings: `<config>/fixer.json`, created with defaults on first use, validated on
//! load with the file and field named. Everything the fixer may act on is named here by the
//! user — interpreters, cache folders, service commands — never taken from a log.

use healdeck_config::{Invalid, SettingsFile};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Hard ceiling on actions per run; the setting can lower it, not remove it.
pub(crate) const MAX_FIXES_CEILING: u32 = 3;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FixerConfig {
    /// Python interpreter for `pip_install` (default: the first `python3` on PATH).
    pub python: Option<PathBuf>,
    /// Extra `pip install` arguments, e.g. `["--index-url", "https://mirror/simple"]`.
    pub pip_args: Vec<String>,
    /// npm executable (default `npm`).
    pub npm: PathBuf,
    /// Extra `npm install` arguments.
    pub npm_args: Vec<String>,
    /// Folders `clear_cache` may empty (their contents move to a restorable backup).
    pub cache_folders: Vec<PathBuf>,
    /// Services `restart_service` may restart: name → command (argv, no shell).
    pub services: BTreeMap<String, Vec<String>>,
    /// Actions per run, 0..=3.
    pub max_fixes_per_run: u32,
    /// Seconds one action may take before it is stopped.
    pub timeout_secs: u64,
    /// Size bound of a repair prompt, in characters.
    pub prompt_max_chars: usize,
    /// Per followed log file or folder: the Python and Node project its applications use,
    /// when their logs do not say (the window's "Python for this folder…").
    pub folders: BTreeMap<PathBuf, FolderEnv>,
    /// The project whose own tests say whether a fix worked (`healdeck mcp`'s
    /// `verify_issue`, and proposed patches): none until the person names one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub project: Option<ProjectCheck>,
}

/// A project folder and the command that checks it, e.g. `["pytest", "-x", "tests/"]`.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct ProjectCheck {
    /// The project's folder (a git repository for proposed patches); absolute.
    pub dir: PathBuf,
    /// The check command: argv, run in `dir`, never through a shell.
    pub check: Vec<String>,
    /// Seconds the check may take before it is stopped (1..=3600).
    #[serde(default = "default_check_timeout")]
    pub check_timeout_secs: u64,
}

fn default_check_timeout() -> u64 {
    600
}

/// What runs the applications whose logs are in one folder.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FolderEnv {
    /// The interpreter, e.g. `/srv/app/venv/bin/python`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub python: Option<PathBuf>,
    /// The folder holding the project's `package.json`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_project: Option<PathBuf>,
}

impl Default for FixerConfig {
    fn default() -> Self {
        let mut cache_folders = Vec::new();
        if let Some(home) = directories::BaseDirs::new() {
            cache_folders.push(home.cache_dir().join("pip"));
        }
        if let Some(p) = directories::ProjectDirs::from("dev", "healdeck", "healdeck") {
            cache_folders.push(p.cache_dir().to_path_buf());
        }
        FixerConfig {
            python: None,
            pip_args: Vec::new(),
            npm: PathBuf::from("npm"),
            npm_args: Vec::new(),
            cache_folders,
            services: BTreeMap::new(),
            max_fixes_per_run: MAX_FIXES_CEILING,
            timeout_secs: 300,
            prompt_max_chars: 12_000,
            folders: BTreeMap::new(),
            project: None,
        }
    }
}

impl SettingsFile for FixerConfig {
    const FILE_NAME: &'static str = "fixer.json";

    fn validate(&self) -> Result<(), Invalid> {
        if self.max_fixes_per_run > MAX_FIXES_CEILING {
            return Err(Invalid::new(
                "max_fixes_per_run",
                format!(
                    "max_fixes_per_run is {}, but it can only be lowered (0..={MAX_FIXES_CEILING})",
                    self.max_fixes_per_run
                ),
            ));
        }
        if self.timeout_secs == 0 || self.timeout_secs > 3600 {
            return Err(Invalid::new(
                "timeout_secs",
                format!("timeout_secs is {}, expected 1..=3600", self.timeout_secs),
            ));
        }
        if self.prompt_max_chars < 2000 {
            return Err(Invalid::new(
                "prompt_max_chars",
                format!(
                    "prompt_max_chars is {}, expected at least 2000",
                    self.prompt_max_chars
                ),
            ));
        }
        for (name, argv) in &self.services {
            if argv.is_empty() {
                return Err(Invalid::new(
                    "services",
                    format!("services.{name}: the command is empty"),
                ));
            }
        }
        for f in &self.cache_folders {
            if !f.is_absolute() {
                return Err(Invalid::new(
                    "cache_folders",
                    format!("cache_folders: '{}' is not an absolute path", f.display()),
                ));
            }
            if f.parent().is_none() || f == Path::new("/") {
                return Err(Invalid::new(
                    "cache_folders",
                    "cache_folders: refusing to use the root folder",
                ));
            }
        }
        if let Some(p) = &self.project {
            if !p.dir.is_absolute() {
                return Err(Invalid::new(
                    "project",
                    format!("project.dir: '{}' is not an absolute path", p.dir.display()),
                ));
            }
            if p.check.first().is_none_or(|c| c.trim().is_empty()) {
                return Err(Invalid::new(
                    "project",
                    "project.check: the command is empty",
                ));
            }
            if p.check_timeout_secs == 0 || p.check_timeout_secs > 3600 {
                return Err(Invalid::new(
                    "project",
                    format!(
                        "project.check_timeout_secs is {}, expected 1..=3600",
                        p.check_timeout_secs
                    ),
                ));
            }
        }
        for (folder, env) in &self.folders {
            let paths = [Some(folder), env.python.as_ref(), env.node_project.as_ref()];
            if let Some(p) = paths.into_iter().flatten().find(|p| !p.is_absolute()) {
                return Err(Invalid::new(
                    "folders",
                    format!("folders: '{}' is not an absolute path", p.display()),
                ));
            }
        }
        Ok(())
    }
}

impl FixerConfig {
    /// The setting of the nearest configured folder holding `source` (or `source` itself).
    pub fn folder_for(&self, source: &Path) -> Option<(&Path, &FolderEnv)> {
        self.folders
            .iter()
            .filter(|(folder, _)| {
                source.starts_with(folder)
                    || folder.canonicalize().is_ok_and(|f| source.starts_with(f))
            })
            .max_by_key(|(folder, _)| folder.components().count())
            .map(|(f, e)| (f.as_path(), e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_are_named() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("fixer.json");
        std::fs::write(&p, r#"{"max_fixes_per_run": 10}"#).expect("write");
        let e = FixerConfig::load(&p).expect_err("too many").to_string();
        assert!(
            e.contains("fixer.json") && e.contains("max_fixes_per_run is 10"),
            "{e}"
        );
        std::fs::write(&p, r#"{"max_fixes": 1}"#).expect("write");
        let e = FixerConfig::load(&p)
            .expect_err("unknown field")
            .to_string();
        assert!(
            e.contains("line 1 column") && e.contains("max_fixes"),
            "{e}"
        );
        std::fs::write(&p, r#"{"cache_folders": ["relative/dir"]}"#).expect("write");
        assert!(FixerConfig::load(&p).is_err());
        std::fs::write(&p, r#"{"max_fixes_per_run": 1, "timeout_secs": 5}"#).expect("write");
        assert_eq!(FixerConfig::load(&p).expect("ok").max_fixes_per_run, 1);
    }

    #[test]
    fn folder_settings_are_absolute_and_the_nearest_one_applies() {
        let dir = tempfile::tempdir().expect("tmp");
        let p = dir.path().join("fixer.json");
        std::fs::write(
            &p,
            r#"{"folders": {"/srv": {"python": "venv/bin/python"}}}"#,
        )
        .expect("write");
        let e = FixerConfig::load(&p).expect_err("relative").to_string();
        assert!(
            e.contains("'venv/bin/python' is not an absolute path"),
            "{e}"
        );
        std::fs::write(
            &p,
            r#"{"folders": {"/srv": {"python": "/srv/venv/bin/python"},
                            "/srv/shop/logs": {"node_project": "/srv/shop"}}}"#,
        )
        .expect("write");
        let c = FixerConfig::load(&p).expect("ok");
        let (folder, env) = c
            .folder_for(Path::new("/srv/shop/logs/app.log"))
            .expect("a setting");
        assert_eq!(folder, Path::new("/srv/shop/logs"));
        assert_eq!(env.node_project.as_deref(), Some(Path::new("/srv/shop")));
        let (folder, _) = c
            .folder_for(Path::new("/srv/api/x.log"))
            .expect("a setting");
        assert_eq!(folder, Path::new("/srv"));
        assert!(c.folder_for(Path::new("/var/log/syslog")).is_none());
    }
}

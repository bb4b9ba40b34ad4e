//! What the window remembers between runs (`<config>/ui.json`): window size, the open tab, log
//! folders, feed sorting and filters, the avatar and garment being edited, the render mode.
//! A broken file is reported (file and place), set aside as `ui.json.broken` so nothing is
//! lost, and the defaults are used.

use healdeck_config::{Invalid, SettingsError, SettingsFile, settings};
use healdeck_render::avatar::{Measurements, Template};
use healdeck_render::garment::{Fabric, Fit, GarmentSpec, GarmentType, Neckline};
use healdeck_render::renderer::{Mode, View};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    #[default]
    Troubleshooter,
    Clo,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    Severity,
    Title,
    Category,
    Count,
    LastSeen,
    Source,
}

/// The CLO Companion's editor state.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct CloSettings {
    pub template: Template,
    pub measurements: Measurements,
    pub garment: GarmentSpec,
    pub mode: Mode,
    pub view: View,
    /// The last imported OBJ/glTF, shown instead of the parametric garment while set.
    pub imported: Option<PathBuf>,
    pub import_with_avatar: bool,
}

impl Default for CloSettings {
    fn default() -> Self {
        CloSettings {
            template: Template::Female,
            measurements: Template::Female.defaults(),
            garment: GarmentSpec {
                kind: GarmentType::Dress,
                fit: Fit::Regular,
                sleeve_length: None,
                length: 0.8,
                neckline: Neckline::V,
                fabric: Fabric::Silk,
                color: "#7a1f3d".into(),
                print: None,
            },
            mode: Mode::Preview,
            view: View::default(),
            imported: None,
            import_with_avatar: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct UiSettings {
    /// Inner window size in points.
    pub window: [f32; 2],
    pub tab: Tab,
    pub dark_mode: bool,
    /// Log files and folders the Troubleshooter follows.
    pub log_paths: Vec<PathBuf>,
    /// Also follow healdeck's own log file.
    pub watch_own_log: bool,
    pub sort: SortKey,
    pub sort_descending: bool,
    /// Which severities the feed shows (critical, high, medium, low).
    pub show_severity: [bool; 4],
    pub clo: CloSettings,
}

impl Default for UiSettings {
    fn default() -> Self {
        UiSettings {
            window: [1360.0, 860.0],
            tab: Tab::Troubleshooter,
            dark_mode: true,
            log_paths: Vec::new(),
            watch_own_log: false,
            sort: SortKey::Severity,
            sort_descending: false,
            show_severity: [true; 4],
            clo: CloSettings::default(),
        }
    }
}

impl SettingsFile for UiSettings {
    const FILE_NAME: &'static str = "ui.json";

    fn validate(&self) -> Result<(), Invalid> {
        let [w, h] = self.window;
        if !(w.is_finite() && h.is_finite()) || w < 200.0 || h < 150.0 || w > 16384.0 || h > 16384.0
        {
            return Err(Invalid::new(
                "window",
                format!("window = [{w}, {h}] is not a usable window size"),
            ));
        }
        self.clo
            .measurements
            .validate()
            .map_err(|e| Invalid::new("clo.measurements", format!("clo.measurements: {e}")))?;
        self.clo
            .garment
            .validate()
            .map_err(|e| Invalid::new("clo.garment", format!("clo.garment: {e}")))?;
        Ok(())
    }
}

impl UiSettings {
    /// Reads `path`; a missing file gives the defaults, a broken one gives the defaults and
    /// the error (the file is moved aside to `ui.json.broken`, never overwritten).
    pub fn load_or_set_aside(path: &Path) -> (UiSettings, Option<String>) {
        if !path.exists() {
            return (UiSettings::default(), None);
        }
        match <UiSettings as SettingsFile>::load(path) {
            Ok(s) => (s, None),
            Err(e) => {
                let aside = path.with_extension("json.broken");
                let kept = std::fs::rename(path, &aside).is_ok();
                let note = if kept {
                    format!("{e} (kept as {}; using defaults)", aside.display())
                } else {
                    format!("{e} (using defaults)")
                };
                (UiSettings::default(), Some(note))
            }
        }
    }

    /// Writes the settings (atomically: a temporary file renamed over the old one).
    pub fn save(&self, path: &Path) -> Result<(), SettingsError> {
        settings::write_json(path, self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_older_file_with_a_global_python_still_loads() {
        // `python` moved to fixer.json's per-folder settings; an older ui.json keeps working.
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ui.json");
        std::fs::write(
            &path,
            r#"{"python": "/usr/bin/python3", "log_paths": ["/var/log/app"]}"#,
        )
        .expect("write");
        let (s, err) = UiSettings::load_or_set_aside(&path);
        assert!(err.is_none(), "{err:?}");
        assert_eq!(s.log_paths, [PathBuf::from("/var/log/app")]);
        assert!(!path.with_extension("json.broken").exists());
    }

    #[test]
    fn round_trip_and_broken_file_kept_aside() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ui.json");
        let mut s = UiSettings::default();
        s.log_paths.push(PathBuf::from("/var/log/app"));
        s.tab = Tab::Clo;
        s.save(&path).expect("save");
        let (back, err) = UiSettings::load_or_set_aside(&path);
        assert_eq!(err, None);
        assert_eq!(back, s);

        std::fs::write(&path, "{\n  \"window\": [10, 10]\n}\n").expect("write");
        let (back, err) = UiSettings::load_or_set_aside(&path);
        assert_eq!(back, UiSettings::default());
        let err = err.expect("an error");
        assert!(err.contains("ui.json") && err.contains("window"), "{err}");
        assert!(dir.path().join("ui.json.broken").exists());

        std::fs::write(&path, "{ \"tab\": \"nope\" }").expect("write");
        let (_, err) = UiSettings::load_or_set_aside(&path);
        assert!(err.expect("an error").contains("line 1 column"));
    }
}

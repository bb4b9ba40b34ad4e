//! What the window remembers between runs (`<config>/ui.json`): window size, the open tab, log
//! folders, feed sorting and filters, the avatar and garment being edited, the render mode.
//! A broken file is reported (file and place), set aside as `ui.json.broken` so nothing is
//! lost, and the defaults are used.

use healdeck_config::{Invalid, SettingsError, SettingsFile, settings};
use healdeck_render::avatar::{Measurements, Template};
use healdeck_render::drape::fitmap::FitMap;
use healdeck_render::garment::{Fabric, Fit, GarmentSpec, GarmentType, Neckline};
use healdeck_render::onbody::ImportLook;
use healdeck_render::renderer::{Mode, View};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Tab {
    #[default]
    Troubleshooter,
    Clo,
    Health,
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
    /// A second garment worn with the first (a top with a bottom): an outfit.
    pub worn_with: Option<GarmentSpec>,
    pub mode: Mode,
    pub view: View,
    /// The last imported OBJ/glTF, shown instead of the parametric garment while set.
    pub imported: Option<PathBuf>,
    pub import_with_avatar: bool,
    /// The import's color and fabric, when the designer changed them.
    pub import_look: ImportLook,
    /// Drape the garment with the cloth solver (where it has a pattern) instead of the shell.
    pub simulate: bool,
    /// Show a fit map of the draped garment (strain or pressure) instead of its fabric.
    pub fit_map: Option<FitMap>,
    /// An older file's "Strain map" switch: read, never written; on, it becomes `fit_map`.
    #[serde(rename = "strain_map", skip_serializing)]
    pub old_strain_map: bool,
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
                flare: 0.2,
                print_placement: Default::default(),
                pattern: None,
                material: None,
            },
            worn_with: None,
            mode: Mode::Preview,
            view: View::default(),
            imported: None,
            import_with_avatar: false,
            import_look: ImportLook::default(),
            simulate: false,
            fit_map: None,
            old_strain_map: false,
        }
    }
}

/// The mannequin's default measurements before the realistic avatar (height, chest, waist,
/// hips, inseam, arm length, shoulder width): a file still holding them gets today's
/// defaults, since nobody chose them.
const MANNEQUIN_DEFAULTS: [(Template, [f32; 7]); 3] = [
    (Template::Male, [178.0, 100.0, 84.0, 98.0, 82.0, 60.0, 46.0]),
    (
        Template::Female,
        [166.0, 92.0, 72.0, 100.0, 77.0, 56.0, 39.0],
    ),
    (
        Template::Neutral,
        [172.0, 96.0, 80.0, 98.0, 80.0, 58.0, 43.0],
    ),
];

impl CloSettings {
    /// Brings an older file's avatar to the realistic body: the mannequin's defaults become
    /// the template's default size, and measurements outside today's ranges are replaced by
    /// it — with a note naming the field (nothing else in the file is touched).
    pub fn migrate_avatar(&mut self) -> Option<String> {
        let m = self.measurements;
        let values = m.values();
        let defaults = self.template.defaults();
        if MANNEQUIN_DEFAULTS.contains(&(self.template, values)) {
            self.measurements = defaults;
            return None;
        }
        let e = m.validate().err()?;
        self.measurements = defaults;
        let size = healdeck_render::sizes::default_size(self.template).label;
        Some(format!(
            "clo.measurements: {e}; the {} avatar starts from size {size} instead",
            self.template.name()
        ))
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
            Ok(mut s) => {
                if std::mem::take(&mut s.clo.old_strain_map) && s.clo.fit_map.is_none() {
                    s.clo.fit_map = Some(FitMap::Strain);
                }
                let note = s
                    .clo
                    .migrate_avatar()
                    .map(|n| format!("{}: {n}", path.display()));
                (s, note)
            }
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
    fn an_older_files_strain_map_switch_becomes_the_fit_map() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ui.json");
        std::fs::write(&path, r#"{"clo": {"simulate": true, "strain_map": true}}"#).expect("write");
        let (s, note) = UiSettings::load_or_set_aside(&path);
        assert_eq!(note, None);
        assert_eq!(s.clo.fit_map, Some(FitMap::Strain));
        s.save(&path).expect("save");
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.contains(r#""fit_map": "strain""#) && !text.contains("strain_map"),
            "{text}"
        );
        let (again, _) = UiSettings::load_or_set_aside(&path);
        assert_eq!(again, s);
    }

    #[test]
    fn an_older_avatar_migrates_and_keeps_the_rest_of_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("ui.json");
        // The mannequin's "unisex" template at its old defaults: today's neutral body.
        std::fs::write(
            &path,
            r#"{"log_paths": ["/var/log/app"], "clo": {"template": "unisex", "measurements":
              {"height_cm": 172, "chest_cm": 96, "waist_cm": 80, "hips_cm": 98,
               "inseam_cm": 80, "arm_length_cm": 58, "shoulder_width_cm": 43}}}"#,
        )
        .expect("write");
        let (s, note) = UiSettings::load_or_set_aside(&path);
        assert_eq!(note, None);
        assert_eq!(s.clo.template, Template::Neutral);
        assert_eq!(s.clo.measurements, Template::Neutral.defaults());
        // A value the old sliders allowed but today's body does not: replaced, named, and the
        // rest of the file kept.
        std::fs::write(
            &path,
            r#"{"log_paths": ["/var/log/app"], "clo": {"template": "male", "measurements":
              {"height_cm": 180, "chest_cm": 155, "waist_cm": 90, "hips_cm": 100,
               "inseam_cm": 82, "arm_length_cm": 62, "shoulder_width_cm": 44}}}"#,
        )
        .expect("write");
        let (s, note) = UiSettings::load_or_set_aside(&path);
        let note = note.expect("a note");
        assert!(
            note.contains("ui.json") && note.contains("chest_cm = 155"),
            "{note}"
        );
        assert!(note.contains("EU 50"), "{note}");
        assert_eq!(s.clo.measurements, Template::Male.defaults());
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

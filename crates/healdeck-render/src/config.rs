//! Render preferences: `render_config.json` in the config folder, created with defaults on
//! first run and validated on load (the error names the file and the field).

use super::renderer::Mode;
use healdeck_config::{Dirs, Invalid, SettingsFile};
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RenderConfig {
    pub default_mode: Mode,
    /// Fall back to Fast Preview when others' GPU load is at least this (percent)…
    pub fallback_percent: f32,
    /// …for this many consecutive samples.
    pub fallback_samples: u32,
    /// Return to Realistic when it is at most this (percent)…
    pub resume_percent: f32,
    /// …for this many consecutive samples.
    pub resume_samples: u32,
    /// Keep a mode at least this long after a switch (seconds).
    pub hold_secs: f64,
    /// Smoothing of utilization (exponential moving average weight of the newest sample).
    pub smoothing: f32,
    /// GPU sampling period in milliseconds (500–2000).
    pub sample_period_ms: u64,
    /// Where renders are written (default: the data folder's `renders/`).
    pub renders_folder: Option<PathBuf>,
    /// Output image format; only `png` for now.
    pub output_format: String,
}

impl Default for RenderConfig {
    fn default() -> Self {
        RenderConfig {
            default_mode: Mode::Preview,
            fallback_percent: 85.0,
            fallback_samples: 2,
            resume_percent: 70.0,
            resume_samples: 5,
            hold_secs: 10.0,
            smoothing: 0.35,
            sample_period_ms: 1000,
            renders_folder: None,
            output_format: "png".into(),
        }
    }
}

impl SettingsFile for RenderConfig {
    const FILE_NAME: &'static str = "render_config.json";

    fn validate(&self) -> Result<(), Invalid> {
        if !(1.0..=100.0).contains(&self.fallback_percent) {
            return Err(Invalid::new(
                "fallback_percent",
                format!(
                    "fallback_percent = {} must be within 1..100",
                    self.fallback_percent
                ),
            ));
        }
        if !(0.0..self.fallback_percent).contains(&self.resume_percent) {
            return Err(Invalid::new(
                "resume_percent",
                format!(
                    "resume_percent = {} must be below fallback_percent ({})",
                    self.resume_percent, self.fallback_percent
                ),
            ));
        }
        if self.fallback_samples == 0 || self.resume_samples == 0 {
            return Err(Invalid::new(
                "fallback_samples",
                "fallback_samples and resume_samples must be at least 1",
            ));
        }
        if !(0.0..=600.0).contains(&self.hold_secs) {
            return Err(Invalid::new(
                "hold_secs",
                format!("hold_secs = {} must be within 0..600", self.hold_secs),
            ));
        }
        if !(0.01..=1.0).contains(&self.smoothing) {
            return Err(Invalid::new(
                "smoothing",
                format!("smoothing = {} must be within 0.01..1", self.smoothing),
            ));
        }
        if !(500..=2000).contains(&self.sample_period_ms) {
            return Err(Invalid::new(
                "sample_period_ms",
                format!(
                    "sample_period_ms = {} must be within 500..2000",
                    self.sample_period_ms
                ),
            ));
        }
        if self.output_format != "png" {
            return Err(Invalid::new(
                "output_format",
                format!(
                    "output_format = '{}' is not supported (png)",
                    self.output_format
                ),
            ));
        }
        Ok(())
    }
}

impl RenderConfig {
    /// Where renders are written: the setting, else `<data>/renders`.
    pub fn renders_folder(&self, dirs: &Dirs) -> PathBuf {
        self.renders_folder
            .clone()
            .unwrap_or_else(|| dirs.renders())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bad_values_are_refused_with_file_and_field() {
        let d = tempfile::tempdir().expect("tmp");
        let p = d.path().join("render_config.json");
        for (text, field) in [
            (r#"{"fallback_percent": 150}"#, "fallback_percent"),
            (r#"{"resume_percent": 90}"#, "resume_percent"),
            (r#"{"sample_period_ms": 100}"#, "sample_period_ms"),
            (r#"{"output_format": "gif"}"#, "output_format"),
            (r#"{"default_mode": "ultra"}"#, "ultra"),
            (r#"{"threshold": 80}"#, "threshold"),
        ] {
            std::fs::write(&p, text).expect("write");
            let e = RenderConfig::load(&p).expect_err(text).to_string();
            assert!(e.contains("render_config.json") && e.contains(field), "{e}");
        }
        std::fs::write(&p, r#"{"fallback_percent": 90, "resume_percent": 60}"#).expect("write");
        assert_eq!(RenderConfig::load(&p).expect("ok").fallback_percent, 90.0);
    }
}

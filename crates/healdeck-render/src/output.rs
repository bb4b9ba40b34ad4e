//! PNG files with their provenance: the garment specs, imported mesh, avatar, mode (asked for
//! and rendered), renderer version and adapter, render time and camera travel inside the PNG
//! as text chunks, so any render can be reproduced. Also the renders folder's file names.

use crate::renderer::{Mode, View};
use crate::scene::SceneSpec;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// A PNG that could not be written or read, with its path.
#[derive(Debug, thiserror::Error)]
#[error("{}: {message}", path.display())]
pub struct PngError {
    pub path: PathBuf,
    pub message: String,
}

fn png_error(path: &Path) -> impl Fn(&dyn std::fmt::Display) -> PngError + '_ {
    move |e| PngError {
        path: path.to_path_buf(),
        message: e.to_string(),
    }
}

/// How one render came about, for its PNG's text chunks.
pub struct Provenance<'a> {
    pub scene: &'a SceneSpec,
    pub requested: Mode,
    pub rendered: Mode,
    /// Why Realistic was served as Fast Preview, when it was.
    pub fallback_reason: Option<&'a str>,
    /// The adapter's name, e.g. "llvmpipe (LLVM 19.1.7, 256 bits)".
    pub adapter: &'a str,
    pub render_ms: f64,
    pub view: View,
}

impl Provenance<'_> {
    /// The `healdeck:`-prefixed keys and their values.
    pub fn entries(&self) -> Vec<(&'static str, String)> {
        let s = self.scene;
        vec![
            (
                "garment",
                serde_json::to_string(&s.garment_specs()).unwrap_or_default(),
            ),
            (
                "mesh",
                s.import
                    .as_ref()
                    .map(|i| i.path.display().to_string())
                    .unwrap_or_default(),
            ),
            (
                "avatar",
                serde_json::json!({"template": s.template, "measurements": s.measurements})
                    .to_string(),
            ),
            ("mode", self.rendered.name().to_string()),
            ("requested_mode", self.requested.name().to_string()),
            (
                "fallback_reason",
                self.fallback_reason.unwrap_or_default().to_string(),
            ),
            (
                "renderer",
                format!("healdeck {} on {}", crate::VERSION, self.adapter),
            ),
            ("render_ms", format!("{:.1}", self.render_ms)),
            ("azimuth_deg", format!("{}", self.view.azimuth_deg)),
        ]
    }
}

/// A new render's file name: `<time>-<avatar>-<what>-<mode>.png` (e.g.
/// `20240501T101500Z-female-dress-realistic.png`).
pub fn render_file_name(scene: &SceneSpec, mode: Mode) -> String {
    format!(
        "{}-{}-{}-{}.png",
        healdeck_config::clock::file_stamp(),
        scene.template.name(),
        scene.label(),
        mode.name()
    )
}

/// Writes `image` to `path` with `meta` as iTXt chunks (keys prefixed `healdeck:`).
pub fn write_png(
    path: &Path,
    image: &image::RgbaImage,
    meta: &[(&str, String)],
) -> Result<(), PngError> {
    let err = png_error(path);
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| png_error(dir)(&e))?;
    }
    let file = std::fs::File::create(path).map_err(|e| err(&e))?;
    let mut enc = png::Encoder::new(BufWriter::new(file), image.width(), image.height());
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_source_srgb(png::SrgbRenderingIntent::Perceptual);
    for (k, v) in meta {
        enc.add_itxt_chunk(format!("healdeck:{k}"), v.clone())
            .map_err(|e| err(&e))?;
    }
    let mut w = enc.write_header().map_err(|e| err(&e))?;
    w.write_image_data(image.as_raw()).map_err(|e| err(&e))?;
    w.finish().map_err(|e| err(&e))
}

/// Reads back the `healdeck:` text chunks of a PNG.
pub fn read_meta(path: &Path) -> Result<Vec<(String, String)>, PngError> {
    let err = png_error(path);
    let file = std::fs::File::open(path).map_err(|e| err(&e))?;
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let reader = decoder.read_info().map_err(|e| err(&e))?;
    let info = reader.info();
    let mut out = Vec::new();
    for c in &info.utf8_text {
        if let Ok(text) = c.get_text() {
            out.push((c.keyword.trim_start_matches("healdeck:").to_string(), text));
        }
    }
    Ok(out)
}

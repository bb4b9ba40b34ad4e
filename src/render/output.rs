//! PNG files with their provenance: the garment spec, avatar, mode, renderer version, adapter
//! and render time travel inside the PNG as text chunks, so any render can be reproduced.

use std::io::BufWriter;
use std::path::{Path, PathBuf};

/// Writes `image` to `path` with `meta` as iTXt chunks (keys prefixed `healdeck:`).
pub fn write_png(
    path: &Path,
    image: &image::RgbaImage,
    meta: &[(&str, String)],
) -> Result<(), String> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let file = std::fs::File::create(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut enc = png::Encoder::new(BufWriter::new(file), image.width(), image.height());
    enc.set_color(png::ColorType::Rgba);
    enc.set_depth(png::BitDepth::Eight);
    enc.set_source_srgb(png::SrgbRenderingIntent::Perceptual);
    for (k, v) in meta {
        enc.add_itxt_chunk(format!("healdeck:{k}"), v.clone())
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    let mut w = enc
        .write_header()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    w.write_image_data(image.as_raw())
        .map_err(|e| format!("{}: {e}", path.display()))?;
    w.finish().map_err(|e| format!("{}: {e}", path.display()))
}

/// Reads back the `healdeck:` text chunks of a PNG.
pub fn read_meta(path: &Path) -> Result<Vec<(String, String)>, String> {
    let file = std::fs::File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let decoder = png::Decoder::new(std::io::BufReader::new(file));
    let reader = decoder
        .read_info()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    let info = reader.info();
    let mut out = Vec::new();
    for c in &info.utf8_text {
        if let Ok(text) = c.get_text() {
            out.push((c.keyword.trim_start_matches("healdeck:").to_string(), text));
        }
    }
    Ok(out)
}

/// The app's renders folder (the GUI's "View Full Render" opens it).
pub fn renders_dir() -> PathBuf {
    crate::paths::data_dir().map_or_else(|| PathBuf::from("renders"), |d| d.join("renders"))
}

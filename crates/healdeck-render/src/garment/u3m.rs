//! Fabrics from U3M, the open exchange format for digital materials that Vizoo and Browzwear
//! publish (BSD-3-Clause; github.com/vizoogmbh/u3m): a `.u3m` file (JSON, its textures in
//! folders beside it) or a `.u3ma` archive (the same, zipped). What a garment takes from it:
//!
//! - the base colour: the constant, or the average of the base-colour texture with the
//!   texture's factor and blend mode applied — in linear RGB, as the spec asks;
//! - that texture, factor and mode applied, as the garment's print at its physical size (from
//!   the image's pixels and dpi, or its width);
//! - the weight (g/m²) and thickness (mm) of U3M 1.1's physics;
//! - the closest of our six fabric presets, from the material type (knit, leather, woven),
//!   the construction (jersey, satin, twill…) and the main fibre, for what U3M does not carry
//!   (stretch, bending, friction) — with the reason, so a designer can see why.
//!
//! Files are untrusted: a path in a U3M must be relative and stay in its folder or archive
//! (the spec forbids `..`, `.`, `~`, `$` and `%`), an archive's entries are read only up to a
//! size limit, and every error names the file and the place in it.

use super::Fabric;
use image::RgbaImage;
use serde_json::Value;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The largest U3M document read (bytes).
const MAX_DOCUMENT: u64 = 16 << 20;
/// The largest texture read from an archive or a folder (bytes).
const MAX_TEXTURE: u64 = 256 << 20;

/// Why a U3M file cannot be used: the file, and where in it.
#[derive(Debug, thiserror::Error)]
pub enum U3mError {
    #[error("{}: {reason}", file.display())]
    Read { file: PathBuf, reason: String },
    #[error("{}: {place}: {reason}", file.display())]
    Invalid {
        file: PathBuf,
        place: String,
        reason: String,
    },
}

/// The base-colour texture, factor and blend mode applied (sRGB), and the size of one repeat.
#[derive(Debug, Clone, PartialEq)]
pub struct U3mTexture {
    pub image: Arc<RgbaImage>,
    pub width_mm: f32,
    pub height_mm: f32,
}

/// What a garment takes from a U3M material.
#[derive(Debug, Clone, PartialEq)]
pub struct U3mMaterial {
    pub name: String,
    /// The closest preset, and why it was chosen.
    pub fabric: Fabric,
    pub fabric_reason: String,
    /// The average base colour as `#rrggbb`.
    pub color: String,
    pub texture: Option<U3mTexture>,
    pub weight_gsm: Option<f32>,
    pub thickness_mm: Option<f32>,
}

/// Reads the U3M material at `path`: a `.u3ma` archive (or any zip) or a `.u3m` document.
pub fn read(path: &Path) -> Result<U3mMaterial, U3mError> {
    let fail = |reason: String| U3mError::Read {
        file: path.to_path_buf(),
        reason,
    };
    let meta = std::fs::metadata(path).map_err(|e| fail(e.to_string()))?;
    if !meta.is_file() {
        return Err(fail("not a regular file".into()));
    }
    let mut file = std::fs::File::open(path).map_err(|e| fail(e.to_string()))?;
    let mut magic = [0u8; 4];
    let zipped = file.read_exact(&mut magic).is_ok() && magic == *b"PK\x03\x04";
    let mut source = if zipped {
        let archive = zip::ZipArchive::new(file).map_err(|e| fail(format!("not a U3MA: {e}")))?;
        Source::archive(archive).map_err(fail)?
    } else {
        let dir = path.parent().unwrap_or(Path::new(".")).to_path_buf();
        Source::Folder(dir, path.to_path_buf())
    };
    let document = source.document().map_err(fail)?;
    let json: Value = serde_json::from_slice(&document).map_err(|e| U3mError::Invalid {
        file: path.to_path_buf(),
        place: format!("line {}, column {}", e.line(), e.column()),
        reason: e.to_string(),
    })?;
    Reader {
        file: path,
        source: &mut source,
    }
    .material(&json)
}

/// Where a U3M's files are: a folder (and the document's own path), or an archive with the
/// document's folder inside it.
enum Source {
    Folder(PathBuf, PathBuf),
    Archive(zip::ZipArchive<std::fs::File>, String, String),
}

impl Source {
    /// The archive's document: its one `.u3m` nearest the top.
    fn archive(archive: zip::ZipArchive<std::fs::File>) -> Result<Source, String> {
        let document = archive
            .file_names()
            .filter(|n| n.to_ascii_lowercase().ends_with(".u3m"))
            .min_by_key(|n| (n.matches('/').count(), n.len()))
            .map(str::to_string)
            .ok_or("the archive holds no .u3m document")?;
        let folder = match document.rfind('/') {
            Some(i) => document[..=i].to_string(),
            None => String::new(),
        };
        Ok(Source::Archive(archive, document, folder))
    }

    fn document(&mut self) -> Result<Vec<u8>, String> {
        match self {
            Source::Folder(_, path) => read_limited(std::fs::File::open(&*path), MAX_DOCUMENT),
            Source::Archive(archive, name, _) => {
                let name = name.clone();
                entry(archive, &name, MAX_DOCUMENT)
            }
        }
    }

    /// The file at `relative` (checked: see [`check_relative`]) from the document's folder.
    fn file(&mut self, relative: &str) -> Result<Vec<u8>, String> {
        match self {
            Source::Folder(dir, _) => {
                let path = dir.join(relative);
                match std::fs::metadata(&path) {
                    Ok(m) if !m.is_file() => return Err("not a regular file".into()),
                    Err(e) => return Err(e.to_string()),
                    Ok(_) => {}
                }
                read_limited(std::fs::File::open(&path), MAX_TEXTURE)
            }
            Source::Archive(archive, _, folder) => {
                let name = format!("{folder}{relative}");
                entry(archive, &name, MAX_TEXTURE)
            }
        }
    }
}

fn read_limited(file: std::io::Result<std::fs::File>, limit: u64) -> Result<Vec<u8>, String> {
    let file = file.map_err(|e| e.to_string())?;
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > limit {
        return Err(format!("larger than {} MiB", limit >> 20));
    }
    Ok(bytes)
}

/// An archive entry, read only up to `limit` bytes whatever its header claims.
fn entry(
    archive: &mut zip::ZipArchive<std::fs::File>,
    name: &str,
    limit: u64,
) -> Result<Vec<u8>, String> {
    let file = archive
        .by_name(name)
        .map_err(|e| format!("{name} in the archive: {e}"))?;
    if file.size() > limit {
        return Err(format!("{name} is larger than {} MiB", limit >> 20));
    }
    let mut bytes = Vec::new();
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("{name} in the archive: {e}"))?;
    if bytes.len() as u64 > limit {
        return Err(format!("{name} is larger than {} MiB", limit >> 20));
    }
    Ok(bytes)
}

/// A path as the spec allows it: relative, `/`-separated, no `.`, `..` or `~` component,
/// no `$`, `%`, `\` or `:` (which could name another drive or a variable).
fn check_relative(path: &str) -> Result<(), String> {
    if path.is_empty() || path.starts_with('/') {
        return Err(format!("'{path}' is not a relative path"));
    }
    if path.contains(['\\', ':', '$', '%', '\0']) {
        return Err(format!("'{path}' has a character U3M paths may not have"));
    }
    if path.split('/').any(|c| matches!(c, "" | "." | ".." | "~")) {
        return Err(format!("'{path}' leaves the material's folder"));
    }
    Ok(())
}

struct Reader<'a> {
    file: &'a Path,
    source: &'a mut Source,
}

impl Reader<'_> {
    fn invalid(&self, place: &str, reason: impl Into<String>) -> U3mError {
        U3mError::Invalid {
            file: self.file.to_path_buf(),
            place: place.to_string(),
            reason: reason.into(),
        }
    }

    fn material(&mut self, json: &Value) -> Result<U3mMaterial, U3mError> {
        match json.get("schema").and_then(Value::as_str) {
            Some("0.9" | "1.0" | "1.1") => {}
            Some(other) => {
                return Err(self.invalid("schema", format!("version '{other}' is not 1.0 or 1.1")));
            }
            None => return Err(self.invalid("schema", "missing: not a U3M document")),
        }
        let material = json
            .get("material")
            .filter(|m| m.is_object())
            .ok_or_else(|| self.invalid("material", "missing"))?;
        let name = match material.get("name").and_then(Value::as_str) {
            Some(n) if !n.trim().is_empty() => n.trim().to_string(),
            _ => self
                .file
                .file_stem()
                .map_or_else(String::new, |s| s.to_string_lossy().into_owned()),
        };
        let visual = ["front", "back", "side"]
            .into_iter()
            .find_map(|k| material.get(k).filter(|v| v.is_object()).map(|v| (k, v)));
        let physics = material.get("physics").filter(|p| p.is_object());
        if visual.is_none() && physics.is_none() {
            return Err(self.invalid(
                "material",
                "has neither visuals (front, back, side) nor physics",
            ));
        }
        let (linear, texture) = match visual {
            Some((side, v)) => self.base_color(v, &format!("material.{side}.basecolor"))?,
            None => ([0.8; 3], None),
        };
        let (weight_gsm, thickness_mm, hints) = match physics {
            Some(p) => self.physics(p)?,
            None => (None, None, Hints::default()),
        };
        let (fabric, fabric_reason) = closest_fabric(&hints, weight_gsm);
        Ok(U3mMaterial {
            name,
            fabric,
            fabric_reason,
            color: hex(linear.map(to_srgb)),
            texture,
            weight_gsm,
            thickness_mm,
        })
    }

    /// The average linear base colour and the texture, from `basecolor` at `place`.
    fn base_color(
        &mut self,
        visual: &Value,
        place: &str,
    ) -> Result<([f32; 3], Option<U3mTexture>), U3mError> {
        let Some(base) = visual.get("basecolor").filter(|b| b.is_object()) else {
            return Ok(([0.8; 3], None));
        };
        let constant = match base.get("constant") {
            Some(c) if !c.is_null() => self.rgb(c, &format!("{place}.constant"))?,
            _ => [1.0; 3],
        };
        let Some(texture) = base.get("texture").filter(|t| t.is_object()) else {
            return Ok((constant.map(to_linear), None));
        };
        let place = format!("{place}.texture");
        let mode = match texture.get("mode").and_then(Value::as_str) {
            None => Blend::Multiply,
            Some(m) => Blend::parse(m).ok_or_else(|| {
                self.invalid(
                    &format!("{place}.mode"),
                    format!("'{m}' is not add, subtract, multiply, divide, max, min or overlay"),
                )
            })?,
        };
        let factor = match texture.get("factor") {
            Some(f) if !f.is_null() => self.rgb(f, &format!("{place}.factor"))?,
            _ => [1.0; 3],
        };
        let image = texture
            .get("image")
            .filter(|i| i.is_object())
            .ok_or_else(|| self.invalid(&format!("{place}.image"), "missing"))?;
        let (pixels, width_mm, height_mm) = self.image(image, &format!("{place}.image"))?;
        let (image, average) = blended(pixels, mode, factor.map(to_linear));
        Ok((
            average,
            Some(U3mTexture {
                image: Arc::new(image),
                width_mm,
                height_mm,
            }),
        ))
    }

    /// An image's pixels and the size of one repeat (mm): from its pixels and dpi where the
    /// file gives a dpi (U3M 1.1's `{x, y}` or 1.0's one number), else from its width and
    /// height (mm in 1.1).
    fn image(&mut self, image: &Value, place: &str) -> Result<(RgbaImage, f32, f32), U3mError> {
        let path = image
            .get("path")
            .and_then(Value::as_str)
            .ok_or_else(|| self.invalid(&format!("{place}.path"), "missing"))?;
        check_relative(path).map_err(|e| self.invalid(&format!("{place}.path"), e))?;
        let bytes = self
            .source
            .file(path)
            .map_err(|e| self.invalid(&format!("{place}.path"), format!("{path}: {e}")))?;
        let pixels = crate::mesh::texture_from_bytes(&bytes, Path::new(path))
            .map_err(|e| self.invalid(&format!("{place}.path"), e.to_string()))?;
        let number = |v: Option<&Value>| v.and_then(Value::as_f64).map(|x| x as f32);
        let (dpi_x, dpi_y) = match image.get("dpi") {
            Some(Value::Object(d)) => (number(d.get("x")), number(d.get("y"))),
            Some(v) => (number(Some(v)), number(Some(v))),
            None => (None, None),
        };
        let sized =
            |dpi: Option<f32>, pixels: u32, given: Option<f32>, what: &str| match (dpi, given) {
                (Some(d), _) if d.is_finite() && d > 0.0 => Ok(pixels as f32 / d * 25.4),
                (_, Some(mm)) if mm.is_finite() && mm > 0.0 => Ok(mm),
                _ => Err(self.invalid(
                    &format!("{place}.{what}"),
                    "neither a dpi nor a size above 0: the texture's size on the cloth is unknown",
                )),
            };
        // The image's own size, before a large one was scaled down on load.
        let (w, h) = original_size(&bytes).unwrap_or((pixels.width(), pixels.height()));
        let width_mm = sized(dpi_x, w, number(image.get("width")), "width")?;
        let height_mm = sized(dpi_y, h, number(image.get("height")), "height")?;
        Ok((Arc::unwrap_or_clone(pixels), width_mm, height_mm))
    }

    fn rgb(&self, v: &Value, place: &str) -> Result<[f32; 3], U3mError> {
        let mut out = [0.0; 3];
        for (k, c) in ["r", "g", "b"].into_iter().enumerate() {
            let x = v
                .get(c)
                .and_then(Value::as_f64)
                .ok_or_else(|| self.invalid(place, format!("'{c}' is missing or not a number")))?;
            if !(0.0..=1.0).contains(&x) {
                return Err(self.invalid(place, format!("'{c}' = {x} is not between 0 and 1")));
            }
            out[k] = x as f32;
        }
        Ok(out)
    }

    /// Weight, thickness and what the physics says about the kind of fabric.
    fn physics(&self, p: &Value) -> Result<(Option<f32>, Option<f32>, Hints), U3mError> {
        let measure = |key: &str, max: f64, unit: &str| -> Result<Option<f32>, U3mError> {
            match p.get(key) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => match v.as_f64() {
                    Some(x) if x > 0.0 && x <= max => Ok(Some(x as f32)),
                    _ => Err(self.invalid(
                        &format!("material.physics.{key}"),
                        format!("{v} is not a {unit} between 0 and {max}"),
                    )),
                },
            }
        };
        let weight = measure("weight", 5000.0, "weight in g/m²")?;
        let thickness = measure("thickness", 50.0, "thickness in mm")?;
        let kind_of = |key: &str| {
            p.get(key)
                .and_then(|t| t.get("type"))
                .and_then(Value::as_str)
                .map(str::to_ascii_lowercase)
        };
        let fibre = p
            .get("composition")
            .and_then(|c| c.get("parts"))
            .and_then(Value::as_array)
            .and_then(|parts| {
                parts
                    .iter()
                    .filter_map(|part| {
                        let ratio = part.get("ratio").and_then(Value::as_f64)?;
                        let kind = part.get("type").and_then(Value::as_str)?;
                        Some((ratio, kind.to_ascii_lowercase()))
                    })
                    .max_by(|a, b| a.0.total_cmp(&b.0))
            })
            .map(|(_, kind)| kind);
        Ok((
            weight,
            thickness,
            Hints {
                material_type: kind_of("material_type"),
                construction: kind_of("construction"),
                fibre,
            },
        ))
    }
}

/// The pixel size an encoded image declares (PNG or JPEG), before any scaling on load.
fn original_size(bytes: &[u8]) -> Option<(u32, u32)> {
    image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()?
        .into_dimensions()
        .ok()
}

/// What a U3M's physics says about the kind of fabric (lower case).
#[derive(Debug, Default)]
struct Hints {
    material_type: Option<String>,
    construction: Option<String>,
    fibre: Option<String>,
}

/// The preset nearest what the physics says, and why.
fn closest_fabric(h: &Hints, weight: Option<f32>) -> (Fabric, String) {
    let said =
        |what: &str, value: &Option<String>| format!("{what} '{}'", value.as_deref().unwrap_or(""));
    match h.material_type.as_deref() {
        Some("leather") => return (Fabric::Leather, said("material type", &h.material_type)),
        Some("knit" | "elastics") => {
            return (Fabric::Knit, said("material type", &h.material_type));
        }
        _ => {}
    }
    if let Some(c) = h.construction.as_deref() {
        const KNITS: [&str; 12] = [
            "jersey",
            "rib",
            "interlock",
            "fleece",
            "terry",
            "tricot",
            "raschel",
            "velour",
            "flatknit",
            "doubleknit",
            "spacer",
            "pique",
        ];
        if KNITS.iter().any(|k| c.contains(k)) {
            return (Fabric::Knit, said("construction", &h.construction));
        }
        if c.contains("satin") || c.contains("taffeta") {
            return (Fabric::Silk, said("construction", &h.construction));
        }
        if (c.contains("twill") || c.contains("canvas")) && weight.is_some_and(|w| w >= 250.0) {
            return (
                Fabric::Denim,
                format!(
                    "{} at {} g/m²",
                    said("construction", &h.construction),
                    weight.unwrap_or(0.0)
                ),
            );
        }
    }
    if let Some(f) = h.fibre.as_deref() {
        let fabric = match f {
            "silk" | "wild silk" => Some(Fabric::Silk),
            "linen" | "hemp" | "ramie" | "jute" | "abaca" | "wool" | "virgin wool" | "cashmere"
            | "mohair" | "alpaca" | "camelhair" => Some(Fabric::Linen),
            "elastane" | "spandex" | "lycra" => Some(Fabric::Knit),
            "cotton" | "organic cotton" | "recycled cotton"
                if weight.is_some_and(|w| w >= 300.0) =>
            {
                Some(Fabric::Denim)
            }
            "cotton" | "organic cotton" | "recycled cotton" => Some(Fabric::Cotton),
            _ => None,
        };
        if let Some(fabric) = fabric {
            return (fabric, format!("main fibre '{f}'"));
        }
    }
    match weight {
        Some(w) if w < 100.0 => (Fabric::Silk, format!("a light fabric ({w} g/m²)")),
        Some(w) if w >= 300.0 => (Fabric::Denim, format!("a heavy fabric ({w} g/m²)")),
        Some(w) => (Fabric::Cotton, format!("a medium fabric ({w} g/m²)")),
        None => (Fabric::Cotton, "no physics to go by".into()),
    }
}

/// How a texture (a) is blended with its factor (b), as the U3M spec defines it.
#[derive(Debug, Clone, Copy)]
enum Blend {
    Add,
    Subtract,
    Multiply,
    Divide,
    Max,
    Min,
    Overlay,
}

impl Blend {
    fn parse(s: &str) -> Option<Blend> {
        Some(match s {
            "add" => Blend::Add,
            "subtract" => Blend::Subtract,
            "multiply" => Blend::Multiply,
            "divide" => Blend::Divide,
            "max" => Blend::Max,
            "min" => Blend::Min,
            "overlay" => Blend::Overlay,
            _ => return None,
        })
    }

    fn apply(self, a: f32, b: f32) -> f32 {
        match self {
            Blend::Add => a + b,
            Blend::Subtract => a - b,
            Blend::Multiply => a * b,
            Blend::Divide if b == 0.0 => 1.0,
            Blend::Divide => a / b,
            Blend::Max => a.max(b),
            Blend::Min => a.min(b),
            Blend::Overlay if a < 0.5 => 2.0 * a * b,
            Blend::Overlay => 1.0 - 2.0 * (1.0 - a) * (1.0 - b),
        }
        .clamp(0.0, 1.0)
    }
}

/// The texture blended with `factor` (both linear), back in sRGB, and its average (linear).
fn blended(mut out: RgbaImage, mode: Blend, factor: [f32; 3]) -> (RgbaImage, [f32; 3]) {
    let linear: Vec<f32> = (0..=255u8).map(|v| to_linear(v as f32 / 255.0)).collect();
    let mut sum = [0.0f64; 3];
    for p in out.pixels_mut() {
        for c in 0..3 {
            let v = mode.apply(linear[p.0[c] as usize], factor[c]);
            sum[c] += f64::from(v);
            p.0[c] = (to_srgb(v) * 255.0).round() as u8;
        }
    }
    let n = f64::from((out.width() * out.height()).max(1));
    (out, sum.map(|s| (s / n) as f32))
}

/// sRGB to linear (IEC 61966-2-1).
fn to_linear(c: f32) -> f32 {
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Linear to sRGB.
fn to_srgb(c: f32) -> f32 {
    let c = c.clamp(0.0, 1.0);
    if c <= 0.003_130_8 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

fn hex(srgb: [f32; 3]) -> String {
    let [r, g, b] = srgb.map(|c| (c.clamp(0.0, 1.0) * 255.0).round() as u8);
    format!("#{r:02x}{g:02x}{b:02x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_that_leave_the_folder_are_refused() {
        for bad in [
            "../x.png",
            "a/../../x",
            "/etc/passwd",
            "~/x",
            "a/./b",
            "C:/x",
            "$HOME/x",
            "a\\b",
            "",
        ] {
            assert!(check_relative(bad).is_err(), "{bad}");
        }
        for good in ["textures/base.png", "x.jpg", "a b/c-d_e.png"] {
            assert!(check_relative(good).is_ok(), "{good}");
        }
    }

    #[test]
    fn the_preset_follows_type_construction_fibre_then_weight() {
        let hints = |t: Option<&str>, c: Option<&str>, f: Option<&str>| Hints {
            material_type: t.map(str::to_string),
            construction: c.map(str::to_string),
            fibre: f.map(str::to_string),
        };
        let pick = |h: Hints, w: Option<f32>| closest_fabric(&h, w).0;
        assert_eq!(
            pick(hints(Some("leather"), None, Some("cotton")), None),
            Fabric::Leather
        );
        assert_eq!(
            pick(hints(Some("woven"), Some("single jersey"), None), None),
            Fabric::Knit
        );
        assert_eq!(
            pick(hints(None, Some("satin"), Some("polyester")), Some(90.0)),
            Fabric::Silk
        );
        assert_eq!(
            pick(hints(None, Some("twill"), Some("cotton")), Some(380.0)),
            Fabric::Denim
        );
        assert_eq!(
            pick(hints(None, Some("twill"), Some("cotton")), Some(180.0)),
            Fabric::Cotton
        );
        assert_eq!(
            pick(hints(None, None, Some("linen")), Some(180.0)),
            Fabric::Linen
        );
        assert_eq!(pick(hints(None, None, Some("silk")), None), Fabric::Silk);
        assert_eq!(
            pick(hints(None, None, Some("polyester")), Some(60.0)),
            Fabric::Silk
        );
        assert_eq!(pick(hints(None, None, None), None), Fabric::Cotton);
    }

    #[test]
    fn blend_modes_follow_the_spec() {
        assert_eq!(Blend::Divide.apply(0.5, 0.0), 1.0);
        assert!((Blend::Overlay.apply(0.25, 0.5) - 0.25).abs() < 1e-6);
        assert!((Blend::Overlay.apply(0.75, 0.5) - 0.75).abs() < 1e-6);
        assert_eq!(Blend::Add.apply(0.75, 0.5), 1.0);
        assert_eq!(Blend::Subtract.apply(0.25, 0.5), 0.0);
        assert_eq!(hex([to_srgb(to_linear(0.5)); 3]), "#808080");
    }
}

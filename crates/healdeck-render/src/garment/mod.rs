//! Parametric garments: a JSON spec (type, fit, lengths, neckline, fabric, color, print) turned
//! into meshes built around the chosen avatar's own cross-sections. Every garment ring is the
//! body ring at the same place grown by the fit's ease plus a clearance, so at default fits the
//! body cannot poke through; folds are outward-only procedural displacement; hems and side
//! seams carry a seam mask the shader draws as stitching.

mod build;
pub mod u3m;

use crate::mesh::TextureError;
use serde::{Deserialize, Serialize};
use std::path::Path;
use std::sync::Arc;

/// Why a garment spec cannot be used. Messages name the line and column (syntax, types,
/// unknown fields) or the field (values), and the image file for an image print.
#[derive(Debug, thiserror::Error)]
pub enum GarmentError {
    #[error("{0}")]
    Syntax(#[from] serde_json::Error),
    #[error("{message}")]
    Invalid {
        field: &'static str,
        message: String,
    },
    #[error("print image {0}")]
    PrintImage(#[from] TextureError),
    #[error("material {0}")]
    Material(#[from] u3m::U3mError),
}

fn invalid(field: &'static str, message: impl Into<String>) -> GarmentError {
    GarmentError::Invalid {
        field,
        message: message.into(),
    }
}

/// A color that is not `#rrggbb`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("color '{0}' is not #rrggbb")]
pub struct BadColor(pub String);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GarmentType {
    Tshirt,
    Shirt,
    Dress,
    Skirt,
    Pants,
    Shorts,
    Jacket,
    Hoodie,
}

impl GarmentType {
    pub const ALL: [GarmentType; 8] = [
        GarmentType::Tshirt,
        GarmentType::Shirt,
        GarmentType::Dress,
        GarmentType::Skirt,
        GarmentType::Pants,
        GarmentType::Shorts,
        GarmentType::Jacket,
        GarmentType::Hoodie,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fit {
    Tight,
    Regular,
    Loose,
}

impl Fit {
    /// Ease as a fraction of the body circumference, and the fold depth it allows (m).
    pub(crate) fn ease(self) -> (f32, f32) {
        match self {
            Fit::Tight => (0.03, 0.002),
            Fit::Regular => (0.09, 0.006),
            Fit::Loose => (0.20, 0.014),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fabric {
    Cotton,
    Denim,
    Silk,
    Leather,
    Knit,
    Linen,
}

impl Fabric {
    pub const ALL: [Fabric; 6] = [
        Fabric::Cotton,
        Fabric::Denim,
        Fabric::Silk,
        Fabric::Leather,
        Fabric::Knit,
        Fabric::Linen,
    ];

    /// The shader's fabric model id.
    pub fn id(self) -> u32 {
        match self {
            Fabric::Cotton => 1,
            Fabric::Denim => 2,
            Fabric::Silk => 3,
            Fabric::Leather => 4,
            Fabric::Knit => 5,
            Fabric::Linen => 6,
        }
    }

    /// Cloth thickness (m): leather and denim stand further off the body.
    pub(crate) fn thickness(self) -> f32 {
        match self {
            Fabric::Leather | Fabric::Denim => 0.006,
            Fabric::Knit => 0.005,
            _ => 0.003,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Neckline {
    Crew,
    V,
    Scoop,
    Collar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SleeveLength {
    None,
    Short,
    Elbow,
    ThreeQuarter,
    Long,
}

impl SleeveLength {
    pub(crate) fn fraction(self) -> f32 {
        match self {
            SleeveLength::None => 0.0,
            SleeveLength::Short => 0.3,
            SleeveLength::Elbow => 0.55,
            SleeveLength::ThreeQuarter => 0.75,
            SleeveLength::Long => 1.0,
        }
    }
}

/// The print as the shader takes it: kind id, color, image and repeat count.
struct PrintParams {
    id: u32,
    color: [f32; 3],
    texture: Option<Arc<image::RgbaImage>>,
    repeat: f32,
}

/// A print over the base color.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Print {
    Stripes {
        color: String,
    },
    Checks {
        color: String,
    },
    Dots {
        color: String,
    },
    /// An image file (PNG, JPEG…) repeated `repeat` times around the garment.
    Image {
        path: String,
        #[serde(default = "default_repeat")]
        repeat: f32,
    },
}

/// A garment as a designer describes it (JSON, see `assets/garments/*.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GarmentSpec {
    #[serde(rename = "type")]
    pub kind: GarmentType,
    #[serde(default = "default_fit")]
    pub fit: Fit,
    /// Defaults by type (short for t-shirts, long for shirts, jackets, hoodies; none for dresses).
    #[serde(default)]
    pub sleeve_length: Option<SleeveLength>,
    /// Hem position: 0 = at the waist (tops) / hip (bottoms), 1 = longest for the type.
    #[serde(default = "default_length")]
    pub length: f32,
    /// How far a skirt's (or a dress's skirt's) hem flares out: 0 = just clearing the hips (a
    /// pencil or A-line skirt), 1 = most of a circle. Other garments ignore it.
    #[serde(default = "default_flare")]
    pub flare: f32,
    #[serde(default = "default_neckline")]
    pub neckline: Neckline,
    #[serde(default = "default_fabric")]
    pub fabric: Fabric,
    /// Base color as `#rrggbb`.
    #[serde(default = "default_color")]
    pub color: String,
    #[serde(default)]
    pub print: Option<Print>,
    /// Where the print lies: its size, offset and angle.
    #[serde(default, skip_serializing_if = "PrintPlacement::is_default")]
    pub print_placement: PrintPlacement,
    /// Sewn from this GarmentCode sewing pattern (`*_specification.json`) instead of the
    /// type's own pattern program: the pattern's sizes are its own, so fit, lengths, flare and
    /// neckline do not apply; the type still says where it is worn in an outfit. A relative
    /// path is from the spec file's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<std::path::PathBuf>,
    /// Made of this U3M material (a `.u3m` file or `.u3ma` archive, see [`u3m`]): its
    /// colour, its base-colour texture (the print, at its physical size, unless the spec
    /// names a print), its weight and thickness, and the closest fabric preset for the rest —
    /// in place of `fabric` and `color`. A relative path is from the spec file's folder.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub material: Option<std::path::PathBuf>,
}

/// Where a print lies on the garment: its size against the print's own (2 = twice as large),
/// how far it is moved (in repeats of the print, across and along) and turned (degrees).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PrintPlacement {
    pub scale: f32,
    pub offset: [f32; 2],
    pub angle_deg: f32,
}

impl Default for PrintPlacement {
    fn default() -> Self {
        PrintPlacement {
            scale: 1.0,
            offset: [0.0; 2],
            angle_deg: 0.0,
        }
    }
}

impl PrintPlacement {
    /// The sizes a print can be scaled to.
    pub const SCALES: std::ops::RangeInclusive<f32> = 0.1..=10.0;

    pub fn is_default(&self) -> bool {
        *self == PrintPlacement::default()
    }

    /// The map from a garment's texture coordinates to its print's, as the shader takes it:
    /// turned and scaled `[cos/scale, sin/scale]`, then moved by `offset`.
    pub fn transform(&self) -> [f32; 4] {
        let (sin, cos) = self.angle_deg.to_radians().sin_cos();
        let s = self.scale.max(0.01);
        [cos / s, sin / s, self.offset[0], self.offset[1]]
    }

    fn validate(&self) -> Result<(), GarmentError> {
        let field = |name: &'static str, why: String| invalid(name, format!("{name} = {why}"));
        if !(self.scale.is_finite() && Self::SCALES.contains(&self.scale)) {
            return Err(field(
                "print_placement.scale",
                format!("{} must be between 0.1 and 10", self.scale),
            ));
        }
        if !self.offset.iter().all(|o| o.is_finite()) {
            return Err(field(
                "print_placement.offset",
                format!("{:?} must be two numbers", self.offset),
            ));
        }
        if !(self.angle_deg.is_finite() && (-360.0..=360.0).contains(&self.angle_deg)) {
            return Err(field(
                "print_placement.angle_deg",
                format!("{} must be between -360 and 360", self.angle_deg),
            ));
        }
        Ok(())
    }
}

fn default_repeat() -> f32 {
    4.0
}
fn default_fit() -> Fit {
    Fit::Regular
}
fn default_length() -> f32 {
    0.5
}
fn default_flare() -> f32 {
    0.2
}
fn default_neckline() -> Neckline {
    Neckline::Crew
}
fn default_fabric() -> Fabric {
    Fabric::Cotton
}
fn default_color() -> String {
    "#3b6ea5".into()
}

/// `#rrggbb` → linear RGB.
pub fn parse_color(s: &str) -> Result<[f32; 3], BadColor> {
    let hex = s.strip_prefix('#').unwrap_or(s);
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return Err(BadColor(s.to_string()));
    }
    let c = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).map_err(|_| BadColor(s.to_string()));
    let srgb = [c(0)?, c(2)?, c(4)?];
    Ok(srgb.map(|v| {
        let x = f32::from(v) / 255.0;
        if x <= 0.04045 {
            x / 12.92
        } else {
            ((x + 0.055) / 1.055).powf(2.4)
        }
    }))
}

impl GarmentSpec {
    /// Parses a spec; errors name the line and column (serde) or the field.
    pub fn from_json(text: &str) -> Result<GarmentSpec, GarmentError> {
        let spec: GarmentSpec = serde_json::from_str(text)?;
        spec.validate()?;
        Ok(spec)
    }

    pub fn validate(&self) -> Result<(), GarmentError> {
        if !(0.0..=1.0).contains(&self.length) || !self.length.is_finite() {
            return Err(invalid(
                "length",
                format!("length = {} must be between 0 and 1", self.length),
            ));
        }
        if !(0.0..=1.0).contains(&self.flare) || !self.flare.is_finite() {
            return Err(invalid(
                "flare",
                format!("flare = {} must be between 0 and 1", self.flare),
            ));
        }
        parse_color(&self.color).map_err(|e| invalid("color", format!("color: {e}")))?;
        match &self.print {
            Some(Print::Stripes { color } | Print::Checks { color } | Print::Dots { color }) => {
                parse_color(color)
                    .map_err(|e| invalid("print.color", format!("print.color: {e}")))?;
            }
            Some(Print::Image { path, .. }) if path.trim().is_empty() => {
                return Err(invalid("print.path", "print.path is empty"));
            }
            Some(Print::Image { .. }) | None => {}
        }
        self.print_placement.validate()
    }

    /// The U3M material the garment is made of, read from its file (a relative path from
    /// `base_dir`), when it names one.
    pub fn u3m(&self, base_dir: Option<&Path>) -> Result<Option<u3m::U3mMaterial>, GarmentError> {
        let Some(path) = &self.material else {
            return Ok(None);
        };
        let path = base_dir.map_or_else(|| path.clone(), |d| d.join(path));
        Ok(Some(u3m::read(&path)?))
    }

    /// The fabric preset: the U3M material's closest when it names one.
    pub fn fabric_of(&self, u3m: Option<&u3m::U3mMaterial>) -> Fabric {
        u3m.map_or(self.fabric, |m| m.fabric)
    }

    pub fn sleeves(&self) -> SleeveLength {
        self.sleeve_length.unwrap_or(match self.kind {
            GarmentType::Tshirt => SleeveLength::Short,
            GarmentType::Dress | GarmentType::Skirt | GarmentType::Pants | GarmentType::Shorts => {
                SleeveLength::None
            }
            _ => SleeveLength::Long,
        })
    }

    /// The print id, print color and texture for the shader.
    fn print_params(
        &self,
        base_dir: Option<&Path>,
        u3m: Option<&u3m::U3mMaterial>,
    ) -> Result<PrintParams, GarmentError> {
        let color = |c: &str| {
            parse_color(c).map_err(|e| invalid("print.color", format!("print.color: {e}")))
        };
        let pattern = |id: u32, c: &str| -> Result<PrintParams, GarmentError> {
            Ok(PrintParams {
                id,
                color: color(c)?,
                texture: None,
                repeat: 1.0,
            })
        };
        if let (None, Some(texture)) = (&self.print, u3m.and_then(|m| m.texture.as_ref())) {
            // One repeat per its width on the cloth: texture coordinates are metres.
            return Ok(PrintParams {
                id: 4,
                color: [1.0; 3],
                texture: Some(texture.image.clone()),
                repeat: (1000.0 / texture.width_mm).clamp(0.1, 100.0),
            });
        }
        match &self.print {
            None => Ok(PrintParams {
                id: 0,
                color: [0.0; 3],
                texture: None,
                repeat: 1.0,
            }),
            Some(Print::Stripes { color }) => pattern(1, color),
            Some(Print::Checks { color }) => pattern(2, color),
            Some(Print::Dots { color }) => pattern(3, color),
            Some(Print::Image { path, repeat }) => {
                let p = base_dir.map_or_else(|| std::path::PathBuf::from(path), |d| d.join(path));
                Ok(PrintParams {
                    id: 4,
                    color: [1.0; 3],
                    texture: Some(crate::mesh::load_texture(&p)?),
                    repeat: repeat.clamp(0.1, 100.0),
                })
            }
        }
    }
}

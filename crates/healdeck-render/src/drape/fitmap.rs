//! Fit maps, as designers know them from CLO: the **strain map** (how far each part of the
//! draped garment is stretched beyond its flat pattern, in colour bands from 100 % at rest to
//! 120 % and beyond) and the **pressure map** (how hard the garment presses on the body, in
//! kPa: a loose dress rests on the shoulders, a tight waistband grips; a medical compression
//! stocking presses 2–3 kPa, beyond the top band). The renderer
//! draws a map as the garment's texture: each vertex's texture coordinate carries its value
//! into a ramp of the map's bands, so a map needs no shader of its own. The window's legend
//! draws the same bands.

use super::Draped;
use crate::mesh::{MaterialRange, Mesh};
use glam::Vec2;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, OnceLock};

/// The bands' colours, lowest first (sRGB): blue, green, yellow, orange, red.
const COLORS: [[u8; 3]; 5] = [
    [46, 94, 196],
    [42, 168, 98],
    [226, 206, 48],
    [238, 132, 34],
    [206, 40, 40],
];

/// Which fit map.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FitMap {
    Strain,
    Pressure,
}

impl FitMap {
    /// Where each band starts, lowest first (a stretch, 1 = at rest; or pascals), and where
    /// the ramp's last band ends.
    fn starts(self) -> ([f32; 5], f32) {
        match self {
            FitMap::Strain => ([1.00, 1.05, 1.10, 1.15, 1.20], 1.25),
            FitMap::Pressure => ([0.0, 50.0, 200.0, 500.0, 1000.0], 1500.0),
        }
    }

    /// The bands: from each value upwards, its colour.
    pub fn bands(self) -> [(f32, [u8; 3]); 5] {
        let (starts, _) = self.starts();
        std::array::from_fn(|k| (starts[k], COLORS[k]))
    }

    /// What the map is called: "strain map".
    pub fn name(self) -> &'static str {
        match self {
            FitMap::Strain => "strain map",
            FitMap::Pressure => "pressure map",
        }
    }

    /// The legend's title.
    pub fn title(self) -> &'static str {
        match self {
            FitMap::Strain => "Stretch",
            FitMap::Pressure => "Pressure",
        }
    }

    /// A band's start as the legend writes it: "105 %", "0.5 kPa".
    pub fn label(self, from: f32) -> String {
        match self {
            FitMap::Strain => format!("{:.0} %", from * 100.0),
            FitMap::Pressure if from == 0.0 => "0 kPa".into(),
            FitMap::Pressure => format!("{} kPa", from / 1000.0),
        }
    }

    /// The band colour of a value.
    pub fn band_color(self, value: f32) -> [u8; 3] {
        let bands = self.bands();
        bands
            .iter()
            .rev()
            .find(|(from, _)| value >= *from)
            .map_or(bands[0].1, |b| b.1)
    }

    /// Where a value falls on the ramp (0–1): each band an equal stretch of it, the value
    /// in proportion inside its band.
    fn ramp_at(self, value: f32) -> f32 {
        let (starts, end) = self.starts();
        let n = starts.len();
        let k = starts.iter().rposition(|s| value >= *s).unwrap_or(0);
        let top = starts.get(k + 1).copied().unwrap_or(end);
        let inside = ((value - starts[k]) / (top - starts[k])).clamp(0.0, 1.0);
        ((k as f32 + inside) / n as f32).clamp(0.004, 0.996)
    }
}

/// The ramp texture: the five colours left to right, in equal stretches.
fn ramp() -> Arc<image::RgbaImage> {
    static RAMP: OnceLock<Arc<image::RgbaImage>> = OnceLock::new();
    RAMP.get_or_init(|| {
        let width = 250u32;
        Arc::new(image::RgbaImage::from_fn(width, 4, |x, _| {
            let [r, g, b] = COLORS[(x as usize * COLORS.len()) / width as usize];
            image::Rgba([r, g, b, 255])
        }))
    })
    .clone()
}

impl Draped {
    /// The draped garment coloured by its strain map: each vertex the largest stretch of its
    /// triangles.
    pub fn strain_mesh(&self) -> Mesh {
        self.fit_mesh(FitMap::Strain)
    }

    /// The draped garment coloured by `map`: strain, each vertex the largest stretch of its
    /// triangles; pressure, each vertex the mean of its own and its neighbours' (a particle
    /// touches the body on some substeps and not others; its neighbourhood's mean is the
    /// pressure there).
    pub fn fit_mesh(&self, map: FitMap) -> Mesh {
        let pressure = match map {
            FitMap::Pressure => self.smoothed_pressure(),
            FitMap::Strain => Vec::new(),
        };
        let (mut mesh, _) = self.compact(super::RENDER_LIFT, |i, stretch| {
            let value = match map {
                FitMap::Strain => stretch,
                FitMap::Pressure => pressure[i],
            };
            Vec2::new(map.ramp_at(value), 0.5)
        });
        mesh.materials = vec![MaterialRange {
            name: map.name().into(),
            color: [1.0; 3],
            start: 0,
            count: mesh.indices.len() as u32,
            fabric: crate::garment::Fabric::Cotton.id(),
            print: 4,
            print_color: [1.0; 3],
            texture: Some(ramp()),
            texture_repeat: 1.0,
            print_place: crate::mesh::UNPLACED,
        }];
        mesh
    }

    /// Each particle's pressure (Pa), averaged with the particles it shares a triangle with.
    pub fn smoothed_pressure(&self) -> Vec<f32> {
        let n = self.positions.len();
        let mut sum = self.pressure.clone();
        sum.resize(n, 0.0);
        let mut count = vec![1u32; n];
        for t in &self.triangles {
            for k in 0..3 {
                let (a, b) = (t[k] as usize, t[(k + 1) % 3] as usize);
                // An edge is seen from each of its triangles: two inside the cloth, one on
                // its border.
                sum[a] += self.pressure.get(b).copied().unwrap_or(0.0);
                sum[b] += self.pressure.get(a).copied().unwrap_or(0.0);
                count[a] += 1;
                count[b] += 1;
            }
        }
        sum.iter().zip(&count).map(|(s, c)| s / *c as f32).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_fall_in_their_bands_and_on_the_ramp_in_order() {
        let strain = FitMap::Strain;
        assert_eq!(strain.band_color(0.97), COLORS[0]);
        assert_eq!(strain.band_color(1.0), COLORS[0]);
        assert_eq!(strain.band_color(1.07), COLORS[1]);
        assert_eq!(strain.band_color(1.12), COLORS[2]);
        assert_eq!(strain.band_color(1.19), COLORS[3]);
        assert_eq!(strain.band_color(1.6), COLORS[4]);
        let pressure = FitMap::Pressure;
        assert_eq!(pressure.band_color(0.0), COLORS[0]);
        assert_eq!(pressure.band_color(300.0), COLORS[2]);
        assert_eq!(pressure.band_color(2500.0), COLORS[4]);
        assert_eq!(pressure.label(200.0), "0.2 kPa");
        let r = ramp();
        for map in [strain, pressure] {
            let (starts, end) = map.starts();
            for (k, (from, color)) in map.bands().into_iter().enumerate() {
                // Halfway through each band, the ramp shows the band's colour.
                let top = starts.get(k + 1).copied().unwrap_or(end);
                let x = (map.ramp_at((from + top) / 2.0) * r.width() as f32) as u32;
                assert_eq!(&r.get_pixel(x, 0).0[..3], &color, "{map:?} from {from}");
            }
        }
        assert_eq!(&r.get_pixel(0, 0).0[..3], &COLORS[0]);
        assert_eq!(&r.get_pixel(249, 0).0[..3], &COLORS[4]);
    }
}

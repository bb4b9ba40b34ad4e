//! The strain map, as designers know it from CLO: how far each part of the draped garment is
//! stretched beyond its flat pattern, in colour bands from 100 % (at rest) to 120 % and
//! beyond. The renderer draws it as the garment's texture: each vertex's texture coordinate
//! carries its stretch into a ramp of the bands, so the map needs no shader of its own. The
//! window's legend draws the same bands.

use super::Draped;
use crate::mesh::{MaterialRange, Mesh};
use std::sync::{Arc, OnceLock};

/// The bands: from each stretch upwards, its colour (sRGB).
pub const BANDS: [(f32, [u8; 3]); 5] = [
    (1.00, [46, 94, 196]),
    (1.05, [42, 168, 98]),
    (1.10, [226, 206, 48]),
    (1.15, [238, 132, 34]),
    (1.20, [206, 40, 40]),
];

/// The stretch the ramp's right end stands for (beyond the last band's start).
const RAMP_END: f32 = 1.25;

/// The band colour of a stretch (1 = at rest).
pub fn band_color(stretch: f32) -> [u8; 3] {
    BANDS
        .iter()
        .rev()
        .find(|(from, _)| stretch >= *from)
        .map_or(BANDS[0].1, |b| b.1)
}

/// The ramp texture: the bands left to right, from 100 % to 125 %.
fn ramp() -> Arc<image::RgbaImage> {
    static RAMP: OnceLock<Arc<image::RgbaImage>> = OnceLock::new();
    RAMP.get_or_init(|| {
        let width = 256u32;
        Arc::new(image::RgbaImage::from_fn(width, 4, |x, _| {
            let s = 1.0 + (x as f32 + 0.5) / width as f32 * (RAMP_END - 1.0);
            let [r, g, b] = band_color(s);
            image::Rgba([r, g, b, 255])
        }))
    })
    .clone()
}

impl Draped {
    /// The draped garment coloured by its strain map: each vertex the largest stretch of its
    /// triangles.
    pub fn strain_mesh(&self) -> Mesh {
        let (mut mesh, _) = self.compact(super::RENDER_LIFT, |_, stretch| {
            let u = ((stretch - 1.0) / (RAMP_END - 1.0)).clamp(0.004, 0.996);
            glam::Vec2::new(u, 0.5)
        });
        mesh.materials = vec![MaterialRange {
            name: "strain map".into(),
            color: [1.0; 3],
            start: 0,
            count: mesh.indices.len() as u32,
            fabric: crate::garment::Fabric::Cotton.id(),
            print: 4,
            print_color: [1.0; 3],
            texture: Some(ramp()),
            texture_repeat: 1.0,
        }];
        mesh
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stretches_fall_in_their_bands() {
        assert_eq!(band_color(0.97), BANDS[0].1);
        assert_eq!(band_color(1.0), BANDS[0].1);
        assert_eq!(band_color(1.07), BANDS[1].1);
        assert_eq!(band_color(1.12), BANDS[2].1);
        assert_eq!(band_color(1.19), BANDS[3].1);
        assert_eq!(band_color(1.6), BANDS[4].1);
        let r = ramp();
        assert_eq!(&r.get_pixel(0, 0).0[..3], &BANDS[0].1);
        assert_eq!(&r.get_pixel(255, 0).0[..3], &BANDS[4].1);
    }
}

//! Outfits: several garments draped one over another. Garments are draped from the inside
//! out (trousers, shorts and skirts; then shirts, t-shirts and dresses; hoodies; jackets),
//! each colliding with the body and with every garment draped before it — baked into an
//! unsigned distance field and thickened by the cloth's own thickness, so a t-shirt hangs
//! over the trousers' waistband instead of through it. Garments under others do not feel
//! their weight (the coupling is one way).

use super::{DrapeError, Draped, Solver, Studio, drape_on};
use crate::avatar::Body;
use crate::garment::{GarmentSpec, GarmentType};
use glam::Vec3;
use healdeck_cloth::sdf::{Sdf, SdfError};
use healdeck_cloth::solver::Cloth;

/// A layer's distance field: fine enough (5 mm cells) that the cloth's few millimetres of
/// thickness are resolved.
const LAYER_CELL: f32 = 0.005;

/// A draped garment as the garments over it see it: the distance to its cloth, less the
/// cloth's thickness.
#[derive(Clone)]
pub struct Layer {
    shell: Sdf,
    thickness: f32,
}

impl Layer {
    /// `draped`, `thickness` metres thick.
    pub fn of(draped: &Draped, thickness: f32) -> Result<Layer, SdfError> {
        Ok(Layer {
            shell: Sdf::bake_unsigned(&draped.positions, &draped.triangles, LAYER_CELL, 3, 0.03)?,
            thickness,
        })
    }

    /// The distance from `p` to the layer's outer face (negative within the cloth), and the
    /// way out.
    pub fn sample(&self, p: Vec3) -> (f32, Vec3) {
        let (d, away) = self.shell.sample(p);
        (d - self.thickness, away)
    }
}

/// Which layer a garment is worn in, from the skin out.
pub fn layer_of(kind: GarmentType) -> u8 {
    match kind {
        GarmentType::Pants | GarmentType::Shorts | GarmentType::Skirt => 0,
        GarmentType::Tshirt | GarmentType::Shirt | GarmentType::Dress => 1,
        GarmentType::Hoodie => 2,
        GarmentType::Jacket => 3,
    }
}

/// Drapes `specs` on `body` from the inside out (see [`layer_of`]; garments of one layer in
/// the order given), each over the ones before; `watch` sees each garment's cloth as it
/// settles (the garment's index in `specs`, the cloth, the steps taken) and stops the drape
/// by answering false. `warm` may give a garment (by index) the positions an earlier drape of
/// the same pattern ended at, to start from (see [`super::drape_on`]). The drapes come back
/// in `specs`' order; an error comes with the index of the garment it stopped at.
pub fn drape_outfit(
    specs: &[GarmentSpec],
    body: &Body,
    studio: &Studio,
    spacing: f32,
    solver: &Solver,
    warm: &[Option<&[Vec3]>],
    watch: &mut dyn FnMut(usize, &Cloth, u32) -> bool,
) -> Result<Vec<Draped>, (usize, DrapeError)> {
    let mut order: Vec<usize> = (0..specs.len()).collect();
    order.sort_by_key(|&i| layer_of(specs[i].kind));
    let mut dressed = studio.clone();
    let mut drapes: Vec<Option<Draped>> = vec![None; specs.len()];
    for (n, &i) in order.iter().enumerate() {
        let spec = &specs[i];
        let start = warm.get(i).copied().flatten();
        let draped = drape_on(
            spec,
            body,
            &dressed,
            spacing,
            solver,
            start,
            &mut |cloth, steps| watch(i, cloth, steps),
        )
        .map_err(|e| (i, e))?;
        if n + 1 < order.len() {
            let layer = Layer::of(&draped, spec.fabric.thickness());
            dressed.layers.push(layer.map_err(|source| {
                let garment = draped.report.garment.clone();
                (i, DrapeError::Layer { garment, source })
            })?);
        }
        drapes[i] = Some(draped);
    }
    Ok(drapes.into_iter().flatten().collect())
}

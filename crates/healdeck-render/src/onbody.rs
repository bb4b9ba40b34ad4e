//! An imported garment worn by our avatar: a CLO3D or Marvelous Designer export was draped on
//! another body, so on ours parts of it sink in (a narrower waist, fuller hips). Every vertex
//! inside the body, or closer to its skin than the cloth's clearance, is pushed out along
//! the body's distance field, as is every triangle whose middle or edges' middles are; the
//! push is then spread over the surrounding cloth (averaged over each vertex's neighbours,
//! then topped up where the average left the cloth too close), so the garment bulges
//! smoothly over the body instead of creasing along it. Cloth well clear of the body stays
//! where it is. Re-colouring and re-fabricking the import
//! ([`ImportLook`]) replaces its materials' color and fabric.

use crate::avatar::{Body, Measurements, Template};
use crate::garment::{Fabric, GarmentError, parse_color};
use crate::mesh::{Mesh, weld_key};
use glam::Vec3;
use healdeck_cloth::sdf::{Sdf, SdfError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// How far outside the skin the imported cloth lies (m): the drape's skin offset plus its
/// rendered thickness.
pub const CLEARANCE: f32 = 0.006;

/// Rounds of spreading the push and topping it up.
const ROUNDS: usize = 4;
/// Neighbour averages per round.
const SMOOTHING: usize = 6;

/// What an import is re-coloured and re-fabricked to; `None` keeps the export's own.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ImportLook {
    /// `#rrggbb`, over every material (a texture is tinted by it).
    pub color: Option<String>,
    pub fabric: Option<Fabric>,
}

impl ImportLook {
    /// Applies the look to every material of `mesh`.
    pub fn apply(&self, mesh: &mut Mesh) -> Result<(), GarmentError> {
        let color = match &self.color {
            Some(c) => Some(parse_color(c).map_err(|e| GarmentError::Invalid {
                field: "import color",
                message: format!("import color: {e}"),
            })?),
            None => None,
        };
        for m in &mut mesh.materials {
            if let Some(c) = color {
                m.color = c;
            }
            if let Some(f) = self.fabric {
                m.fabric = f.id();
            }
        }
        Ok(())
    }
}

/// The body's distance field, baked once per body (a colour change rebuilds the scene; the
/// bake takes half a second).
fn body_field(body: &Body) -> Result<Arc<Sdf>, SdfError> {
    type Cached = Option<(Template, Measurements, Arc<Sdf>)>;
    static LAST: Mutex<Cached> = Mutex::new(None);
    let key = (body.template, body.measurements);
    if let Ok(last) = LAST.lock()
        && let Some((t, m, sdf)) = last.as_ref()
        && (*t, *m) == key
    {
        return Ok(sdf.clone());
    }
    let sdf = Arc::new(crate::drape::body_collider(body)?.body);
    if let Ok(mut last) = LAST.lock() {
        *last = Some((key.0, key.1, sdf.clone()));
    }
    Ok(sdf)
}

/// Pushes `mesh` out of `body` to [`CLEARANCE`] (see the module's account); how many of its
/// vertices moved.
pub fn lay_on(mesh: &mut Mesh, body: &Body) -> Result<usize, SdfError> {
    let sdf = body_field(body)?;
    Ok(lay_on_field(mesh, &sdf, CLEARANCE))
}

/// [`lay_on`] against any distance field.
pub fn lay_on_field(mesh: &mut Mesh, field: &Sdf, clearance: f32) -> usize {
    // Vertices split at texture seams share a position: they move as one.
    let mut ids: HashMap<[i32; 3], usize> = HashMap::new();
    let welded: Vec<usize> = mesh
        .positions
        .iter()
        .map(|p| {
            let n = ids.len();
            *ids.entry(weld_key(*p)).or_insert(n)
        })
        .collect();
    let mut points = vec![Vec3::ZERO; ids.len()];
    for (p, &w) in mesh.positions.iter().zip(&welded) {
        points[w] = *p;
    }
    let triangles: Vec<[usize; 3]> = mesh
        .indices
        .chunks_exact(3)
        .filter_map(|t| {
            let [a, b, c] = [0, 1, 2].map(|k| welded.get(t[k] as usize).copied());
            Some([a?, b?, c?])
        })
        .collect();
    let mut neighbours: Vec<Vec<usize>> = vec![Vec::new(); points.len()];
    for &[a, b, c] in &triangles {
        for (u, v) in [(a, b), (b, c), (c, a)] {
            neighbours[u].push(v);
            neighbours[v].push(u);
        }
    }
    for n in &mut neighbours {
        n.sort_unstable();
        n.dedup();
    }
    let mut push = vec![Vec3::ZERO; points.len()];
    let top_up = |push: &mut [Vec3]| {
        for (p, d) in points.iter().zip(push.iter_mut()) {
            let (dist, out) = field.sample(*p + *d);
            if dist < clearance {
                *d += out * (clearance - dist);
            }
        }
        // Between the vertices too (a triangle's middle and its edges' middles): a small bump
        // of the body (a nipple, a knuckle) can poke through a triangle whose corners are
        // all clear of it.
        const BETWEEN: [[f32; 3]; 4] = [
            [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0],
            [0.5, 0.5, 0.0],
            [0.0, 0.5, 0.5],
            [0.5, 0.0, 0.5],
        ];
        for t in &triangles {
            for w in BETWEEN {
                let at: Vec3 = (0..3).map(|k| (points[t[k]] + push[t[k]]) * w[k]).sum();
                let (dist, out) = field.sample(at);
                if dist < clearance {
                    for k in (0..3).filter(|&k| w[k] > 0.0) {
                        push[t[k]] += out * (clearance - dist);
                    }
                }
            }
        }
    };
    top_up(&mut push);
    if push.iter().all(|d| *d == Vec3::ZERO) {
        return 0;
    }
    for _ in 0..ROUNDS {
        for _ in 0..SMOOTHING {
            push = (0..points.len())
                .map(|i| {
                    let around = &neighbours[i];
                    let sum: Vec3 = around.iter().map(|&j| push[j]).sum::<Vec3>() + push[i];
                    // Never less than the vertex's own push: spreading only adds.
                    let mean = sum / (around.len() + 1) as f32;
                    if mean.length_squared() > push[i].length_squared() {
                        mean
                    } else {
                        push[i]
                    }
                })
                .collect();
        }
        top_up(&mut push);
    }
    let mut moved = 0;
    for (p, &w) in mesh.positions.iter_mut().zip(&welded) {
        if push[w] != Vec3::ZERO {
            *p += push[w];
            moved += 1;
        }
    }
    mesh.compute_normals();
    moved
}

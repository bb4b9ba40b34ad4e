//! Draping a garment on the avatar: its sewing pattern (drafted from the spec and the body's
//! measurements), the fabric's mechanics, the body baked into a distance field, then the
//! cloth solver sews the panels around the body and lets them settle under gravity. What it
//! came to — particles, time, strain, how deep any cloth is in the body — is a report both
//! front-ends print, and the draped mesh can be written out as OBJ with its strain map.

pub mod carry;
pub mod fabric;
pub mod fitmap;
pub mod garmentcode;
pub mod gpu;
mod measure;
pub mod outfit;
pub mod programs;
pub mod tops;
pub mod trousers;

use crate::avatar::Body;
use crate::garment::GarmentSpec;
use crate::mesh::Mesh;
use fabric::FabricPhysics;
use glam::Vec3;
use healdeck_cloth::drape::{resettle_with, sew_and_settle_with};
use healdeck_cloth::pattern::PatternError;
use healdeck_cloth::sdf::{Sdf, SdfError};
use healdeck_cloth::solver::{ClothError, Collider, Params, Stepper};
use serde::Serialize;
use std::fmt::Write as _;

/// The body's distance field: 1 cm cells, exact to 3 cells, 5 cm beyond the skin.
const SDF_CELL: f32 = 0.01;

/// Why a garment could not be draped, naming the garment.
#[derive(Debug, thiserror::Error)]
pub enum DrapeError {
    #[error("{garment}: the pattern cannot be sewn: {source}")]
    Pattern {
        garment: String,
        source: PatternError,
    },
    #[error("{garment}: {source}")]
    Import {
        garment: String,
        source: garmentcode::GarmentCodeError,
    },
    #[error("{garment}: the simulation stopped: {source}")]
    Solver { garment: String, source: ClothError },
    #[error("{garment}: {source}")]
    Material {
        garment: String,
        source: crate::garment::GarmentError,
    },
    #[error("cancelled")]
    Cancelled,
    #[error("the avatar cannot be baked into a collider: {0}")]
    Body(#[from] SdfError),
    #[error("{garment}: the draped cloth cannot be baked for the garments over it: {source}")]
    Layer { garment: String, source: SdfError },
    #[error(
        "{garment}: the cloth is pulled {strain_pct:.0} % beyond its pattern after draping: the \
         garment is far too small for the body (or the simulation blew up)"
    )]
    Overstretched { garment: String, strain_pct: f32 },
}

/// What a drape came to, as `healdeck drape --json` prints it.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct DrapeReport {
    pub garment: String,
    pub particles: usize,
    pub triangles: usize,
    pub solver: &'static str,
    pub settled: bool,
    pub settle_ms: f64,
    pub steps: u32,
    pub mean_strain_pct: f32,
    pub max_strain_pct: f32,
    pub max_penetration_mm: f32,
    /// It started from an earlier drape (see [`drape_on`]'s `warm`), not from the pattern.
    #[serde(skip)]
    pub warm: bool,
}

/// A draped garment: its mesh, each triangle's stretch against the pattern (1 = at rest),
/// and the report.
#[derive(Debug, Clone)]
pub struct Draped {
    pub positions: Vec<Vec3>,
    /// Each particle's point on the flat pattern (metres).
    pub pattern_points: Vec<glam::Vec2>,
    pub triangles: Vec<[u32; 3]>,
    pub stretch: Vec<f32>,
    /// How hard each particle presses on the body (Pa), over the last step.
    pub pressure: Vec<f32>,
    /// Particles sewn between two others (see `Cloth::stitched_between`): drawn on the
    /// line between them, so a seam shows no slit.
    pub stitched: Vec<(u32, u32, u32, f32)>,
    pub report: DrapeReport,
}

pub use healdeck_cloth::solver::Cloth;

/// How long a drape may run (simulated seconds) before it stops unsettled.
pub const MAX_SECONDS: f32 = 8.0;

/// How far out of the simulated cloth its rendered face is drawn (m): the cloth's own
/// thickness over the skin offset, so a body's small bumps (under 3 mm) between particles
/// 1.5 cm apart do not show through a flat triangle.
pub(crate) const RENDER_LIFT: f32 = 0.003;

/// Beyond this stretch the garment does not fit at all.
const OVERSTRETCHED: f32 = 0.5;

/// A short name for the garment in messages: "silk dress".
pub fn garment_name(spec: &GarmentSpec) -> String {
    let kind = serde_json::to_value(spec.kind)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let fabric = serde_json::to_value(spec.fabric)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default();
    let kind = match &spec.pattern {
        Some(path) => path
            .file_name()
            .map_or(kind, |n| n.to_string_lossy().into_owned())
            .trim_end_matches(".json")
            .trim_end_matches("_specification")
            .to_string(),
        None => kind,
    };
    let fabric = match &spec.material {
        Some(path) => path
            .file_stem()
            .map_or(fabric, |n| n.to_string_lossy().into_owned()),
        None => fabric,
    };
    format!("{fabric} {kind}")
}

/// What the cloth collides with: the body's distance field, the floor it stands on (a long
/// hem rests on it; cloth that slides off the body stops there), and the garments already
/// draped under this one (see [`outfit`]).
#[derive(Clone)]
pub struct Studio {
    pub body: Sdf,
    pub floor_y: f32,
    pub layers: Vec<outfit::Layer>,
}

impl Collider for Studio {
    fn sample(&self, p: Vec3) -> (f32, Vec3) {
        let mut nearest = self.body.sample(p);
        let floor = p.y - self.floor_y;
        if floor < nearest.0 {
            nearest = (floor, Vec3::Y);
        }
        for layer in &self.layers {
            let (d, away) = layer.sample(p);
            if d < nearest.0 {
                nearest = (d, away);
            }
        }
        nearest
    }
}

/// The body (and the floor under its feet) as the cloth's collider.
pub fn body_collider(body: &Body) -> Result<Studio, SdfError> {
    let tris: Vec<[u32; 3]> = body
        .mesh
        .indices
        .chunks_exact(3)
        .map(|t| [t[0], t[1], t[2]])
        .collect();
    let floor_y = body
        .mesh
        .positions
        .iter()
        .map(|p| p.y)
        .fold(f32::MAX, f32::min);
    Ok(Studio {
        body: Sdf::bake(&body.mesh.positions, &tris, SDF_CELL, 3, 0.05)?,
        floor_y,
        layers: Vec::new(),
    })
}

/// Drapes `spec` on `body` (colliding with `collider`, the body's field).
pub fn drape(spec: &GarmentSpec, body: &Body, collider: &Studio) -> Result<Draped, DrapeError> {
    drape_meshed(spec, body, collider, programs::SPACING)
}

/// [`drape`] with the cloth meshed at `spacing` metres.
pub fn drape_meshed(
    spec: &GarmentSpec,
    body: &Body,
    collider: &Studio,
    spacing: f32,
) -> Result<Draped, DrapeError> {
    drape_watched(spec, body, collider, spacing, &mut |_, _| true)
}

/// [`drape_meshed`], showing `watch` the cloth as it settles (after every step, with the
/// steps taken); when it answers false the drape stops with [`DrapeError::Cancelled`].
pub fn drape_watched(
    spec: &GarmentSpec,
    body: &Body,
    collider: &Studio,
    spacing: f32,
    watch: &mut dyn FnMut(&Cloth, u32) -> bool,
) -> Result<Draped, DrapeError> {
    drape_on(spec, body, collider, spacing, &Solver::Cpu, None, watch)
}

/// Which cloth solver drapes.
#[derive(Clone)]
pub enum Solver {
    Cpu,
    /// The GPU solver on this device (a garment over another still drapes on the CPU: its
    /// collision with the layers under it is not on the GPU).
    Gpu(std::sync::Arc<crate::renderer::Gpu>),
}

impl Solver {
    /// The GPU solver where the device is a real GPU, the CPU solver where it is a CPU
    /// (lavapipe runs the solver's kernels far slower than plain Rust).
    pub fn auto(gpu: Option<std::sync::Arc<crate::renderer::Gpu>>) -> Solver {
        match gpu {
            Some(g) if g.info.device_type != wgpu::DeviceType::Cpu => Solver::Gpu(g),
            _ => Solver::Cpu,
        }
    }
}

/// [`drape_watched`] with the cloth stepped by `solver`; with `warm`, the positions an
/// earlier drape of the same pattern ended at (the same garment in another fabric, or
/// carried over from another body by [`carry::carried_over`]), the cloth starts there,
/// already sewn, and only settles (no sewing, no lowering).
pub fn drape_on(
    spec: &GarmentSpec,
    body: &Body,
    collider: &Studio,
    spacing: f32,
    solver: &Solver,
    warm: Option<&[Vec3]>,
    watch: &mut dyn FnMut(&Cloth, u32) -> bool,
) -> Result<Draped, DrapeError> {
    let garment = garment_name(spec);
    let u3m = spec.u3m(None).map_err(|source| DrapeError::Material {
        garment: garment.clone(),
        source,
    })?;
    let physics = FabricPhysics::of_material(spec.fabric, u3m.as_ref());
    if let Some(path) = &spec.pattern {
        let text = std::fs::read_to_string(path).map_err(|e| DrapeError::Import {
            garment: garment.clone(),
            source: garmentcode::GarmentCodeError::Read(format!("{}: {e}", path.display())),
        })?;
        let mut cloth = garmentcode::cloth(&garment, &text, physics, body, collider)?;
        let warm = warm.is_some_and(|at| cloth.place(at));
        return drape_cloth(garment, cloth, warm, collider, solver, watch);
    }
    let mechanics = physics.mechanics();
    let params = Params::default();
    let pattern_error = |source| DrapeError::Pattern {
        garment: garment.clone(),
        source,
    };
    let pattern = match programs::draft(spec, body).with_spacing(spacing) {
        programs::Drafted::Wrapped(pattern) => pattern,
        programs::Drafted::Flat(mut pattern) => {
            pattern
                .clear_of(collider, params.skin)
                .map_err(pattern_error)?;
            let mut cloth = pattern.cloth(mechanics).map_err(pattern_error)?;
            let warm = warm.is_some_and(|at| cloth.place(at));
            return drape_cloth(garment, cloth, warm, collider, solver, watch);
        }
    };
    let warmed = match warm {
        Some(at) => {
            let mut cloth = pattern.cloth(mechanics).map_err(pattern_error)?;
            cloth.place(at).then_some(cloth)
        }
        None => None,
    };
    let is_warm = warmed.is_some();
    let cloth = match warmed {
        Some(c) => c,
        None => {
            clear_of_the_body(pattern, mechanics, collider, params.skin).map_err(pattern_error)?
        }
    };
    drape_cloth(garment, cloth, is_warm, collider, solver, watch)
}

/// Sews and settles `cloth` (or, when `warm`, only settles it: it starts where an earlier
/// drape of the same pattern ended) with `solver`, colliding with `collider`; what it came
/// to, named `garment`.
pub fn drape_cloth(
    garment: String,
    mut cloth: Cloth,
    warm: bool,
    collider: &Studio,
    solver: &Solver,
    watch: &mut dyn FnMut(&Cloth, u32) -> bool,
) -> Result<Draped, DrapeError> {
    let solver_error = |source| DrapeError::Solver {
        garment: garment.clone(),
        source,
    };
    let mut stepper: Box<dyn Stepper> = match solver {
        Solver::Gpu(gpu) if collider.layers.is_empty() => {
            Box::new(gpu::GpuSolver::new(gpu.clone(), collider).map_err(solver_error)?)
        }
        _ => Box::new(healdeck_cloth::solver::Cpu),
    };
    let params = Params::default();
    let is_warm = warm;
    let particles = cloth.positions.len();
    let run = if is_warm {
        resettle_with
    } else {
        sew_and_settle_with
    };
    let result = run(
        stepper.as_mut(),
        &mut cloth,
        &params,
        collider,
        MAX_SECONDS,
        watch,
    )
    .map_err(|source| match source {
        ClothError::Cancelled => DrapeError::Cancelled,
        source => DrapeError::Solver {
            garment: garment.clone(),
            source,
        },
    })?;
    if result.max_strain_pct > OVERSTRETCHED * 100.0 && result.mean_strain_pct > 5.0 {
        return Err(DrapeError::Overstretched {
            garment,
            strain_pct: result.max_strain_pct,
        });
    }
    let mut draped = Draped::of(
        &cloth,
        DrapeReport {
            garment,
            particles,
            triangles: cloth.triangles.len(),
            solver: stepper.name(),
            settled: result.settled,
            settle_ms: result.settle_ms,
            steps: result.steps,
            mean_strain_pct: result.mean_strain_pct,
            max_strain_pct: result.max_strain_pct,
            max_penetration_mm: result.max_penetration_mm,
            warm: is_warm,
        },
    );
    if stepper.name() != "cpu" {
        // The GPU solver keeps no count of the body's pushes: one more step on the CPU reads
        // them off the settled cloth (a frame's work), for the pressure map.
        let mut probe = cloth.clone();
        if probe
            .step(healdeck_cloth::drape::FRAME, &params, collider)
            .is_ok()
        {
            draped.pressure = probe.contact_pressure();
        }
    }
    Ok(draped)
}

/// The pattern as cloth placed clear of the body (and of the garments under it): panels
/// wrapped on their cylinders and cones, widened 6 % at a time (up to half again) while any
/// cloth starts inside — cloth that starts inside is pushed out by the nearest way, which
/// can be the wrong side of a leg or an arm.
fn clear_of_the_body(
    mut pattern: healdeck_cloth::pattern::Pattern,
    mechanics: healdeck_cloth::solver::Mechanics,
    collider: &Studio,
    skin: f32,
) -> Result<healdeck_cloth::solver::Cloth, PatternError> {
    let mut cloth = pattern.cloth(mechanics)?;
    for _ in 0..8 {
        let inside = cloth.positions.iter().any(|p| collider.sample(*p).0 < skin);
        if !inside {
            break;
        }
        for panel in &mut pattern.panels {
            panel.placement.radius *= 1.06;
        }
        cloth = pattern.cloth(mechanics)?;
    }
    Ok(cloth)
}

impl Draped {
    /// The cloth as it is now, with `report`.
    pub fn of(cloth: &Cloth, report: DrapeReport) -> Draped {
        Draped {
            pattern_points: cloth.pattern_points().map_or_else(
                || vec![glam::Vec2::ZERO; cloth.positions.len()],
                <[glam::Vec2]>::to_vec,
            ),
            positions: cloth.positions.clone(),
            triangles: cloth.triangles.clone(),
            stretch: cloth.triangle_stretch(),
            pressure: cloth.contact_pressure(),
            stitched: cloth.stitched_between(),
            report,
        }
    }

    /// The draped garment as a mesh to render: smooth normals, texture coordinates from the
    /// flat pattern (one unit a metre, so a print keeps its scale across panels), the
    /// garment's color, fabric and print.
    pub fn to_mesh(
        &self,
        spec: &GarmentSpec,
        base_dir: Option<&std::path::Path>,
    ) -> Result<Mesh, crate::garment::GarmentError> {
        let (mut mesh, _) = self.compact(RENDER_LIFT, |i, _| self.pattern_points[i]);
        mesh.materials = vec![spec.material(base_dir, mesh.indices.len() as u32)?];
        Ok(mesh)
    }

    /// The cloth's triangles as a mesh of the particles they use (cloth welded away at the
    /// seams is left out), each vertex `lift` metres out along its smooth normal (a particle
    /// sewn between two others on the line between theirs, its normal shared with them),
    /// with texture coordinates `uv(particle, its stretch)`; and each vertex's stretch (the
    /// largest of its triangles').
    fn compact(&self, lift: f32, uv: impl Fn(usize, f32) -> glam::Vec2) -> (Mesh, Vec<f32>) {
        let mut normals = vec![Vec3::ZERO; self.positions.len()];
        let mut stretch = vec![1.0f32; self.positions.len()];
        for (t, s) in self.triangles.iter().zip(&self.stretch) {
            let [a, b, c] = t.map(|i| self.positions[i as usize]);
            let n = (b - a).cross(c - a);
            for &i in t {
                normals[i as usize] += n;
                stretch[i as usize] = stretch[i as usize].max(*s);
            }
        }
        let mut normals: Vec<Vec3> = normals.iter().map(|n| n.normalize_or(Vec3::Y)).collect();
        let mut shown: Vec<Vec3> = (self.positions.iter().zip(&normals))
            .map(|(p, n)| *p + *n * lift)
            .collect();
        for &(a, b, c, t) in &self.stitched {
            let (a, b, c) = (a as usize, b as usize, c as usize);
            let side = normals[b].lerp(normals[c], t);
            normals[a] = (normals[a] + side).normalize_or(normals[a]);
            shown[a] = shown[b].lerp(shown[c], t);
        }
        let mut index = vec![u32::MAX; self.positions.len()];
        let mut mesh = Mesh::default();
        let mut kept = Vec::new();
        for &i in self.triangles.iter().flatten() {
            let i = i as usize;
            if index[i] == u32::MAX {
                index[i] = mesh.positions.len() as u32;
                mesh.positions.push(shown[i]);
                mesh.normals.push(normals[i]);
                mesh.uvs.push(uv(i, stretch[i]));
                mesh.seams.push(0.0);
                kept.push(stretch[i]);
            }
            mesh.indices.push(index[i]);
        }
        (mesh, kept)
    }

    /// The draped mesh as OBJ: vertices, smooth normals, faces; each vertex's stretch (the
    /// largest of its triangles', as a percentage) in a comment line after it.
    pub fn to_obj(&self) -> String {
        outfit_obj(std::slice::from_ref(self))
    }

    /// Appends the mesh to `out` as an OBJ object named after the garment, its vertices
    /// numbered from `first` (1-based); how many it wrote.
    fn write_obj(&self, out: &mut String, first: u32) -> u32 {
        let (mesh, stretch) = self.compact(0.0, |_, _| glam::Vec2::ZERO);
        let _ = writeln!(out, "o {}", self.report.garment.replace(' ', "_"));
        for ((p, n), s) in mesh.positions.iter().zip(&mesh.normals).zip(&stretch) {
            let _ = writeln!(out, "v {:.5} {:.5} {:.5}", p.x, p.y, p.z);
            let _ = writeln!(out, "vn {:.4} {:.4} {:.4}", n.x, n.y, n.z);
            let _ = writeln!(out, "# stretch {:.1}%", s * 100.0);
        }
        for t in mesh.indices.chunks_exact(3) {
            let [a, b, c] = [t[0] + first, t[1] + first, t[2] + first];
            let _ = writeln!(out, "f {a}//{a} {b}//{b} {c}//{c}");
        }
        mesh.positions.len() as u32
    }
}

/// Draped garments as one OBJ file, each garment its own object (see [`Draped::to_obj`]).
pub fn outfit_obj(drapes: &[Draped]) -> String {
    let names: Vec<&str> = drapes.iter().map(|d| d.report.garment.as_str()).collect();
    let mut out = format!("# healdeck drape: {}\n", names.join(", "));
    let mut first = 1;
    for d in drapes {
        first += d.write_obj(&mut out, first);
    }
    out
}

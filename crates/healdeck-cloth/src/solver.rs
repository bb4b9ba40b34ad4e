//! XPBD cloth in small steps (Macklin et al., "Small Steps in Physics Simulation", 2019):
//! each frame is split into many substeps, and each substep predicts positions under gravity,
//! projects every constraint once — stretch along each edge (rest lengths from the flat
//! pattern), isometric bending across each inner edge (Bergou et al., "A Quadratic Bending
//! Model for Inextensible Surfaces", 2006), zero-length stitches — then pushes particles out
//! of the collider to a skin offset with Coulomb friction, and derives velocities from the
//! positions. Compliances are per metre of strain (stretch) and per unit of bending energy,
//! scaled by the substep's length squared, as XPBD has it.

use crate::blocks::{Blocks, Knobs, PARALLEL_FROM};
use crate::colour::{Colours, Groups, colour};
use crate::constraints::{
    Band, Bend, Distance, Stitch, isometric_bend, limit_edge, project_band, project_bend,
    project_distance, project_stitch,
};
use glam::{Mat2, Vec2, Vec3};
use rayon::prelude::*;
use std::collections::HashMap;

/// What the cloth collides with: a signed distance (negative inside) and the way out.
pub trait Collider: Sync {
    fn sample(&self, p: Vec3) -> (f32, Vec3);
}

impl Collider for crate::sdf::Sdf {
    fn sample(&self, p: Vec3) -> (f32, Vec3) {
        crate::sdf::Sdf::sample(self, p)
    }
}

/// Nothing to collide with.
pub struct NoCollider;

impl Collider for NoCollider {
    fn sample(&self, _: Vec3) -> (f32, Vec3) {
        (f32::MAX, Vec3::Y)
    }
}

/// A fabric's mechanics, in SI units.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mechanics {
    /// Areal density (kg/m²): 0.15 for a cotton jersey, 0.4 for denim.
    pub density: f32,
    /// Stretch compliance (m/N): 0 is inextensible.
    pub stretch_compliance: f32,
    /// Compliance against compression (m/N): cloth buckles rather than resisting being
    /// squeezed along its threads, so this is larger than the stretch compliance; but not
    /// so large that it shrinks where it should fold (at 0.1 m/N every fabric's hem took up
    /// its excess by shrinking, and silk hung as smooth as denim). At least
    /// [`MIN_COMPRESS_COMPLIANCE`]: rigid, a free sheet with a ripple in it flutters.
    pub compress_compliance: f32,
    /// Bending compliance: the inverse of the bending rigidity (N·m) that scales Bergou's
    /// energy; fabrics lie around 1e-6 (silk) to 1e-4 N·m (denim), so 1e4–1e6.
    pub bend_compliance: f32,
    /// Coulomb friction against the body.
    pub friction: f32,
    /// The most an edge may stretch, as a fraction (0.025: 2.5 %): woven cloth is soft at
    /// first and then its yarns straighten and it barely gives (the biphasic curve Kawabata's
    /// tensile tests show), which the stretch constraints alone, one pass per substep, do not
    /// hold where a weight hangs from a seam. `f32::INFINITY`: no limit (knits).
    pub strain_limit: f32,
}

/// The air's drag on cloth, linearised (kg/m² per second): a plate's drag ½ ρ C_d v² at the
/// 0.2 m/s a settling hem moves, over v. Without it a silk dress's hem swung at 5–8 cm/s for
/// seconds after the rest had come to rest (an 8k-particle dress took 379 steps to settle,
/// 233 with it; 244 with the straps' quarter steps) and its sewing took the phase's full 90 steps to come still; denim, five
/// times heavier, is barely touched and still stands out in wide folds.
pub const AIR_DRAG: f32 = 0.16;

/// The least compliance against compression the solver uses (m/N).
pub const MIN_COMPRESS_COMPLIANCE: f32 = 0.002;

/// How the simulation runs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Params {
    pub gravity: Vec3,
    /// Substeps per step: 60 per 1/60 s frame. With one pass each, a skirt resting on the
    /// hips holds its hoop tension with 60 (mean strain 0.5 %, max 5.6 %); with 20 it
    /// stretched over them and slid to the floor.
    pub substeps: u32,
    /// How far the cloth keeps off the collider's surface (m).
    pub skin: f32,
    /// Velocity damping per second (0 none), before the air's drag on the fabric (see
    /// [`Cloth::damping_rate`]).
    pub damping: f32,
    /// No particle moves faster than this (m/s): a large correction (a seam pulled shut, a
    /// panel pushed out of the body) moves the cloth without flinging it.
    pub max_speed: f32,
    /// Passes over the constraints and the collision per substep (small steps use one; a
    /// closed garment pressed against the body holds its place better with a few).
    pub iterations: u32,
    /// XPBD damping of each edge's stretching (γ): 0 none, 1 about critical.
    pub edge_damping: f32,
    /// Project the constraints colour group by colour group, as the GPU solver does (see
    /// [`crate::colour`]), instead of in the order they were made.
    pub gpu_order: bool,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            gravity: Vec3::new(0.0, -9.81, 0.0),
            substeps: 60,
            skin: 0.003,
            damping: 2.0,
            max_speed: 10.0,
            iterations: 1,
            edge_damping: 1.0,
            gpu_order: false,
        }
    }
}

/// Why a simulation stopped.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ClothError {
    #[error("particle {0} left the world (position {1}): the simulation diverged")]
    Diverged(usize, Vec3),
    #[error("the cloth has no triangles")]
    Empty,
    #[error("triangle {0} names particle {1}, but the cloth has {2}")]
    BadIndex(usize, u32, usize),
    #[error("particle {0} is not a finite number")]
    NotFinite(usize),
    #[error("cancelled")]
    Cancelled,
    #[error("the GPU solver failed: {0}")]
    Device(String),
}

/// What steps the cloth: [`Cloth::step`] on the CPU, or a GPU solver doing the same.
pub trait Stepper {
    /// Advances `cloth` by `dt` seconds in `params.substeps` substeps.
    fn step(
        &mut self,
        cloth: &mut Cloth,
        dt: f32,
        params: &Params,
        collider: &dyn Collider,
    ) -> Result<(), ClothError>;

    /// "cpu" or "gpu", as reports name it.
    fn name(&self) -> &'static str;
}

/// The CPU solver.
pub struct Cpu;

impl Stepper for Cpu {
    fn step(
        &mut self,
        cloth: &mut Cloth,
        dt: f32,
        params: &Params,
        collider: &dyn Collider,
    ) -> Result<(), ClothError> {
        cloth.step(dt, params, collider)
    }

    fn name(&self) -> &'static str {
        "cpu"
    }
}

/// A piece of cloth being simulated.
#[derive(Debug, Clone)]
pub struct Cloth {
    pub positions: Vec<Vec3>,
    pub(crate) velocities: Vec<Vec3>,
    pub(crate) previous: Vec<Vec3>,
    /// Where each particle was when the last step began.
    pub(crate) frame_start: Vec<Vec3>,
    /// That step's length (s).
    pub(crate) frame_dt: f32,
    /// The collider's outward normal where a particle touched it this substep.
    pub(crate) contact: Vec<Option<Vec3>>,
    /// How far each particle can still move before it could touch the collider (m): the
    /// field is not sampled again until it has moved that far.
    pub(crate) room: Vec<f32>,
    pub(crate) inv_mass: Vec<f32>,
    /// How far the collider pushed each particle out over the last step, all its substeps
    /// together (m): what [`Cloth::contact_pressure`] is read from.
    pressing: Vec<f32>,
    /// The last step's substeps.
    frame_substeps: u32,
    /// Areal density (kg/m²): a particle's share of the cloth's area is its mass over it.
    density: f32,
    pub triangles: Vec<[u32; 3]>,
    /// Each particle's point on the flat pattern (metres), when the cloth has one.
    pattern: Option<Vec<Vec2>>,
    /// Each triangle's rest shape in the flat, inverted: the map from the flat to its edges.
    rest_inverse: Vec<Mat2>,
    pub(crate) stretch: Vec<Distance>,
    pub(crate) bends: Vec<Bend>,
    pub(crate) bend_compliance: f32,
    pub(crate) stitches: Vec<Stitch>,
    pub(crate) bands: Vec<Band>,
    pub(crate) friction: f32,
    pub(crate) strain_limit: f32,
    /// Particles welded into another (a closed seam): they follow it.
    pub(crate) welded: Vec<(u32, u32)>,
    /// The constraints grouped so that no two of a group share a particle (see
    /// [`crate::colour`]): each group can be projected all at once.
    pub(crate) colours: Colours,
    /// The constraints in blocks the CPU projects at once (see [`crate::blocks`]).
    pub(crate) blocks: Blocks,
    /// Counts changes to the constraints and masses (a GPU copy is stale when it differs).
    pub(crate) version: u64,
}

/// Calls `f` on each of `items` colour group by colour group.
fn in_colour_order<T>(items: &[T], groups: &Groups, mut f: impl FnMut(&T)) {
    for &i in &groups.order {
        f(&items[i as usize]);
    }
}

/// Particles in a run the solver shares out (see [`Cloth::each_run`]): more runs than cores,
/// so that a core whose particles touch the body (and cost more) is not waited for.
const RUN: usize = 1024;

/// A substep's constants for moving the particles.
struct Motion {
    gravity: Vec3,
    h: f32,
    skin: f32,
    friction: f32,
    /// The share of its velocity a particle keeps over the substep.
    keep: f32,
    max_speed: f32,
}

/// What a block's particles do in [`Cloth::in_blocks`] before its constraints are projected.
#[derive(Debug, Clone, Copy)]
enum Lead {
    Nothing,
    /// Move on under gravity (the step's first substep).
    Predict,
    /// End the substep before (the collider, the velocities), then move on under gravity.
    Finish,
}

/// The first `n` items of `rest`, which keeps the others.
fn cut<'a, T>(rest: &mut &'a mut [T], n: usize) -> &'a mut [T] {
    let (head, tail) = std::mem::take(rest).split_at_mut(n);
    *rest = tail;
    head
}

/// A run of consecutive particles' state, from particle `first` on.
struct Run<'a> {
    first: usize,
    x: &'a mut [Vec3],
    v: &'a mut [Vec3],
    previous: &'a mut [Vec3],
    contact: &'a mut [Option<Vec3>],
    room: &'a mut [f32],
    pressing: &'a mut [f32],
    w: &'a [f32],
}

impl Run<'_> {
    /// Remembers where each particle is and moves it on under gravity for `h` seconds.
    fn predict(&mut self, gravity: Vec3, h: f32) {
        for i in 0..self.x.len() {
            self.previous[i] = self.x[i];
            if self.w[i] > 0.0 {
                self.v[i] += gravity * h;
                self.x[i] += self.v[i] * h;
            }
        }
    }

    /// Pushes the particles out to `skin` above the collider's surface; friction holds back
    /// their sliding along it in proportion to how far they were pushed.
    fn collide(&mut self, collider: &dyn Collider, skin: f32, friction: f32) {
        for i in 0..self.x.len() {
            self.contact[i] = None;
            if self.w[i] == 0.0 {
                continue;
            }
            // A distance field changes no faster than the point moves: a particle that was
            // 3 cm clear and has moved 1 mm since is still clear. (Counted from the substep's
            // start on every pass, so with several passes it is only more careful.)
            self.room[i] -= self.x[i].distance(self.previous[i]);
            if self.room[i] > 0.0 {
                continue;
            }
            let (d, n) = collider.sample(self.x[i]);
            if d >= skin {
                self.room[i] = d - skin;
                continue;
            }
            self.room[i] = 0.0;
            let push = skin - d;
            self.pressing[i] += push;
            self.contact[i] = Some(n);
            self.x[i] += n * push;
            let moved = self.x[i] - self.previous[i];
            let slide = moved - n * moved.dot(n);
            let len = slide.length();
            if len > 0.0 {
                let hold = (friction * push / len).min(1.0);
                self.x[i] -= slide * hold;
            }
        }
    }

    /// Each particle's velocity from how far it moved in the substep of `h` seconds, kept
    /// `keep` of and no faster than `max_speed`; the first particle that left the world.
    fn velocities(&mut self, h: f32, keep: f32, max_speed: f32) -> Option<(usize, Vec3)> {
        for i in 0..self.x.len() {
            let p = self.x[i];
            if !p.is_finite() || p.length() > 1e4 {
                return Some((self.first + i, p));
            }
            let mut v = (p - self.previous[i]) / h * keep;
            // Contact is inelastic: the push out of the body is not a velocity away from it
            // (it would throw the cloth off, and its constraints would pull it back).
            if let Some(n) = self.contact[i] {
                v -= n * v.dot(n).max(0.0);
            }
            self.v[i] = v.clamp_length_max(max_speed);
        }
        None
    }
}

/// Rest geometry of a flat pattern point (its 2D position in metres) or the placed 3D one.
fn rest_length(pattern: Option<&[Vec2]>, placed: &[Vec3], a: u32, b: u32) -> f32 {
    match pattern {
        Some(p) => p[a as usize].distance(p[b as usize]),
        None => placed[a as usize].distance(placed[b as usize]),
    }
}

impl Cloth {
    /// Cloth over `triangles` placed at `positions`, at rest in the flat `pattern` (2D, metres,
    /// one point per particle) or, without one, in the placed shape.
    pub fn new(
        positions: Vec<Vec3>,
        pattern: Option<&[Vec2]>,
        triangles: Vec<[u32; 3]>,
        mechanics: Mechanics,
    ) -> Result<Cloth, ClothError> {
        if triangles.is_empty() {
            return Err(ClothError::Empty);
        }
        let n = positions.len();
        if let Some(i) = positions.iter().position(|p| !p.is_finite()) {
            return Err(ClothError::NotFinite(i));
        }
        for (t, tri) in triangles.iter().enumerate() {
            if let Some(&v) = tri.iter().find(|&&v| v as usize >= n) {
                return Err(ClothError::BadIndex(t, v, n));
            }
        }
        let flat: Vec<Vec3> = match pattern {
            Some(p) => p.iter().map(|q| Vec3::new(q.x, q.y, 0.0)).collect(),
            None => positions.clone(),
        };
        // Mass from each triangle's rest area, a third to each corner.
        let mut mass = vec![0.0f32; n];
        let mut edges: HashMap<(u32, u32), Vec<u32>> = HashMap::new();
        for t in &triangles {
            let [a, b, c] = t.map(|i| flat[i as usize]);
            let area = 0.5 * (b - a).cross(c - a).length();
            for (k, &i) in t.iter().enumerate() {
                mass[i as usize] += mechanics.density * area / 3.0;
                let j = t[(k + 1) % 3];
                let opposite = t[(k + 2) % 3];
                edges
                    .entry((i.min(j), i.max(j)))
                    .or_default()
                    .push(opposite);
            }
        }
        let rest_inverse = triangles
            .iter()
            .map(|t| {
                let [a, b, c] = t.map(|i| flat[i as usize].truncate());
                let m = Mat2::from_cols(b - a, c - a);
                if m.determinant().abs() > 1e-12 {
                    m.inverse()
                } else {
                    Mat2::ZERO
                }
            })
            .collect();
        let inv_mass = mass
            .iter()
            .map(|m| if *m > 0.0 { 1.0 / m } else { 0.0 })
            .collect();
        let mut keys: Vec<_> = edges.keys().copied().collect();
        keys.sort_unstable();
        let stretch: Vec<Distance> = keys
            .iter()
            .map(|&(a, b)| Distance {
                a,
                b,
                rest: rest_length(pattern, &positions, a, b),
                compliance: mechanics.stretch_compliance,
                compress: mechanics.compress_compliance.max(MIN_COMPRESS_COMPLIANCE),
            })
            .collect();
        let bends = keys
            .iter()
            .filter_map(|k| match edges[k][..] {
                [c, d] => Some(isometric_bend([k.0, k.1, c, d], &flat)),
                _ => None,
            })
            .collect();
        let mut cloth = Cloth {
            velocities: vec![Vec3::ZERO; n],
            previous: positions.clone(),
            frame_start: positions.clone(),
            frame_dt: 0.0,
            contact: vec![None; n],
            room: vec![0.0; n],
            pressing: vec![0.0; n],
            frame_substeps: 0,
            density: mechanics.density,
            positions,
            inv_mass,
            triangles,
            pattern: pattern.map(<[Vec2]>::to_vec),
            rest_inverse,
            stretch,
            bends,
            bend_compliance: mechanics.bend_compliance,
            stitches: Vec::new(),
            bands: Vec::new(),
            friction: mechanics.friction,
            strain_limit: mechanics.strain_limit,
            welded: Vec::new(),
            colours: Colours::default(),
            blocks: Blocks::default(),
            version: 0,
        };
        cloth.recolour();
        Ok(cloth)
    }

    /// Sorts the constraints into groups that share no particle (see [`crate::colour`]).
    pub(crate) fn recolour(&mut self) {
        let n = self.positions.len();
        self.colours = Colours {
            stretch: colour(&self.stretch, |d| [d.a, d.b], n),
            bends: colour(&self.bends, |b| b.v, n),
            stitches: colour(&self.stitches, |s| [s.a, s.b, s.c], n),
            stale: false,
        };
        self.blocks = Blocks::new(n, &self.stretch, &self.bends, &self.stitches);
        self.version += 1;
    }

    /// The bending compliance (see [`Mechanics::bend_compliance`]).
    pub fn bend_compliance(&self) -> f32 {
        self.bend_compliance
    }

    /// The strain limit (a fraction; infinite: none).
    pub fn strain_limit(&self) -> f32 {
        self.strain_limit
    }

    /// The friction against the collider.
    pub fn friction(&self) -> f32 {
        self.friction
    }

    /// Puts the cloth at rest at `positions` (one per particle; false, and nothing moved,
    /// when the count differs): a drape started where an earlier one of the same pattern
    /// ended.
    pub fn place(&mut self, positions: &[Vec3]) -> bool {
        if positions.len() != self.positions.len() || positions.iter().any(|p| !p.is_finite()) {
            return false;
        }
        self.positions.copy_from_slice(positions);
        self.previous.copy_from_slice(positions);
        self.frame_start.copy_from_slice(positions);
        self.velocities.fill(Vec3::ZERO);
        self.room.fill(0.0);
        self.version += 1;
        true
    }

    /// Holds particle `i` where it is.
    pub fn pin(&mut self, i: usize) {
        if let Some(w) = self.inv_mass.get_mut(i) {
            *w = 0.0;
            self.version += 1;
        }
    }

    /// Sews particles `a` and `b` together: a zero-length stitch, pulled shut at the sewing
    /// speed (see [`Params::max_speed`]).
    pub fn stitch(&mut self, a: u32, b: u32) {
        self.colours.stale = true;
        self.stitches.push(Stitch {
            a,
            b,
            c: b,
            t: 0.0,
            sewn: false,
        });
    }

    /// Sews particle `a` to the point `t` (0..1) of the way from particle `b` to `c`: where
    /// the sides of a seam have different numbers of particles.
    pub fn stitch_between(&mut self, a: u32, b: u32, c: u32, t: f32) {
        self.colours.stale = true;
        self.stitches.push(Stitch {
            a,
            b,
            c,
            t: t.clamp(0.0, 1.0),
            sewn: false,
        });
    }

    /// Makes the line of particles `line` (closed: a loop) a band no longer than `rest`
    /// metres: a waistband, a strap.
    pub fn band(&mut self, line: Vec<u32>, rest: f32, closed: bool) {
        if line.len() >= 2 + usize::from(closed) && rest > 0.0 {
            self.version += 1;
            self.bands.push(Band {
                loop_: line,
                rest,
                closed,
            });
        }
    }

    /// Welds every stitch closed to `within` metres: the second particle becomes the first
    /// (its triangles, edges and bending now use the first, their masses add up) and then
    /// follows it. A seam sewn shut is one line of cloth, not two held together every
    /// substep. A particle sewn between two others cannot be welded: closed, it is held
    /// there at once from now on. Returns how many were welded.
    pub fn weld_closed_stitches(&mut self, within: f32) -> usize {
        let x = &self.positions;
        let closed_to = |d: &Stitch| x[d.a as usize].distance(d.target(x)) <= within;
        let (closed, mut open): (Vec<Stitch>, Vec<Stitch>) = self
            .stitches
            .iter()
            .partition(|d| d.particle_to_particle() && closed_to(d));
        for d in &mut open {
            d.sewn |= closed_to(d);
        }
        self.stitches = open;
        self.colours.stale = true;
        self.version += 1;
        let mut into: Vec<u32> = (0..self.positions.len() as u32).collect();
        fn root(into: &mut [u32], mut i: u32) -> u32 {
            while into[i as usize] != i {
                i = into[i as usize];
            }
            i
        }
        for d in &closed {
            let (ra, rb) = (root(&mut into, d.a), root(&mut into, d.b));
            if ra != rb {
                into[rb as usize] = ra;
            }
        }
        let mut count = 0;
        for i in 0..into.len() as u32 {
            let r = root(&mut into, i);
            if r != i {
                // Masses add: inverse masses combine as 1 / (1/wa + 1/wb).
                let (wa, wb) = (self.inv_mass[r as usize], self.inv_mass[i as usize]);
                self.inv_mass[r as usize] = if wa > 0.0 && wb > 0.0 {
                    1.0 / (1.0 / wa + 1.0 / wb)
                } else {
                    0.0
                };
                self.inv_mass[i as usize] = 0.0;
                self.welded.push((i, r));
                count += 1;
            }
        }
        let into: Vec<u32> = (0..into.len() as u32).map(|i| root(&mut into, i)).collect();
        for t in &mut self.triangles {
            for v in t.iter_mut() {
                *v = into[*v as usize];
            }
        }
        for d in &mut self.stretch {
            d.a = into[d.a as usize];
            d.b = into[d.b as usize];
        }
        for b in &mut self.bends {
            for v in b.v.iter_mut() {
                *v = into[*v as usize];
            }
        }
        for d in &mut self.stitches {
            d.a = into[d.a as usize];
            d.b = into[d.b as usize];
            d.c = into[d.c as usize];
        }
        for b in &mut self.bands {
            for v in b.loop_.iter_mut() {
                *v = into[*v as usize];
            }
            b.loop_.dedup();
        }
        count
    }

    /// Advances the cloth by `dt` seconds in `params.substeps` substeps.
    pub fn step(
        &mut self,
        dt: f32,
        params: &Params,
        collider: &dyn Collider,
    ) -> Result<(), ClothError> {
        // On one of the pool's threads, so that sharing out each substep's work is a push on
        // its own queue, not a hand-over from outside the pool and back (tens of µs each).
        rayon::scope(|_| self.step_here(dt, params, collider))
    }

    fn step_here(
        &mut self,
        dt: f32,
        params: &Params,
        collider: &dyn Collider,
    ) -> Result<(), ClothError> {
        if self.colours.stale {
            self.recolour();
        }
        let substeps = params.substeps.max(1);
        let h = dt / substeps as f32;
        self.frame_start.copy_from_slice(&self.positions);
        self.frame_dt = dt;
        self.frame_substeps = substeps;
        self.pressing.fill(0.0);
        let (gravity, skin, friction) = (params.gravity, params.skin, self.friction);
        let keep = (1.0 - self.damping_rate(params) * h).clamp(0.0, 1.0);
        let iterations = params.iterations.max(1);
        let limited = self.strain_limit.is_finite();
        let motion = Motion {
            gravity,
            h,
            skin,
            friction,
            keep,
            max_speed: params.max_speed,
        };
        let knobs = Knobs {
            inv_h2: 1.0 / (h * h),
            damping: params.edge_damping,
            bend_alpha: self.bend_compliance / (h * h),
            stitch_step: params.max_speed * h,
        };
        if params.gpu_order {
            self.each_run(|mut r| {
                r.predict(gravity, h);
                None::<()>
            });
        } else {
            self.blocks.prepare(&self.inv_mass, knobs);
        }
        // On the CPU, what each block's particles do before its constraints are projected,
        // in the same hand-out of work to the cores: the step's first prediction, then each
        // substep's end (collider, velocities) and the next one's prediction.
        let mut lead = Lead::Predict;
        // Each substep: the constraints, then in one pass over the particles the collider,
        // the velocities and the next substep's prediction.
        for substep in 1..=substeps {
            for iteration in 1..=iterations {
                if params.gpu_order {
                    self.project_in_colour_order(knobs);
                    for b in &self.bands {
                        project_band(&mut self.positions, &self.inv_mass, b);
                    }
                    if limited {
                        self.limit_strain(true);
                        self.limit_strain(true);
                    }
                } else {
                    let lead = if iteration == 1 { lead } else { Lead::Nothing };
                    self.project_in_blocks(lead, &motion, collider, knobs)?;
                }
                if iteration < iterations {
                    self.each_run(|mut r| {
                        r.collide(collider, skin, friction);
                        None::<()>
                    });
                }
            }
            // With a strain limit, the collider's push is followed by one more pass of it (a
            // seam pushed out over a shoulder stretches) and the collider again, so that the
            // last word is the body's and its friction: a limit that pulled the cloth along
            // the body last would let it slide where friction holds it.
            if limited {
                self.collide_then_limit(params.gpu_order, collider, skin, friction);
            }
            if params.gpu_order || substep == substeps {
                let diverged = self.each_run(|mut r| {
                    r.collide(collider, skin, friction);
                    let diverged = r.velocities(h, keep, params.max_speed);
                    if diverged.is_none() && substep < substeps {
                        r.predict(gravity, h);
                    }
                    diverged
                });
                if let Some((i, p)) = diverged {
                    return Err(ClothError::Diverged(i, p));
                }
            } else {
                lead = Lead::Finish;
            }
        }
        // Welded particles are in no constraint and carry no mass: they follow their
        // particle once a step.
        for &(w, into) in &self.welded {
            self.positions[w as usize] = self.positions[into as usize];
            self.velocities[w as usize] = self.velocities[into as usize];
        }
        Ok(())
    }

    /// One pass over the constraints on the CPU: each block, at once, does `lead` to its
    /// particles and projects its constraints (limiting its edges' strain twice after them);
    /// then the constraints across blocks, the bands and the strain limit across blocks.
    fn project_in_blocks(
        &mut self,
        lead: Lead,
        m: &Motion,
        collider: &dyn Collider,
        knobs: Knobs,
    ) -> Result<(), ClothError> {
        let limited = self.strain_limit.is_finite();
        let limit = limited.then_some((self.strain_limit, 2));
        let diverged = self.in_blocks(|blocks, k, mut r| {
            match lead {
                Lead::Nothing => {}
                Lead::Predict => r.predict(m.gravity, m.h),
                Lead::Finish => {
                    r.collide(collider, m.skin, m.friction);
                    if let Some(far) = r.velocities(m.h, m.keep, m.max_speed) {
                        return Some(far);
                    }
                    r.predict(m.gravity, m.h);
                }
            }
            blocks.project_block(k, r.x, r.previous, r.w, knobs, limit);
            None
        });
        if let Some((i, p)) = diverged {
            return Err(ClothError::Diverged(i, p));
        }
        let (x, w) = (&mut self.positions, &self.inv_mass);
        self.blocks.project_across(x, &self.previous, w, knobs);
        for b in &self.bands {
            project_band(x, w, b);
        }
        if limited {
            self.blocks.limit_across(x, w, self.strain_limit);
            self.blocks.limit_across(x, w, self.strain_limit);
        }
        Ok(())
    }

    /// The collider's push, then one more pass of the strain limit (in the GPU solver's
    /// order, or in blocks with the collider in the same pass).
    fn collide_then_limit(
        &mut self,
        gpu_order: bool,
        collider: &dyn Collider,
        skin: f32,
        friction: f32,
    ) {
        if gpu_order {
            self.each_run(|mut r| {
                r.collide(collider, skin, friction);
                None::<()>
            });
            self.limit_strain(true);
            return;
        }
        let limit = self.strain_limit;
        self.in_blocks(|blocks, k, mut r| {
            r.collide(collider, skin, friction);
            blocks.limit_block(k, r.x, r.w, limit);
            None::<()>
        });
        let (x, w) = (&mut self.positions, &self.inv_mass);
        self.blocks.limit_across(x, w, limit);
    }

    /// Settles the last of the stretch left at rest where the strain limit and the body
    /// disagree (a strap pushed out over a shoulder after the limit's last pass in a substep):
    /// `rounds` of the limit followed by the body's push, with no time passing, so the cloth
    /// ends at its limit wherever the body leaves room and never inside it. Cloth without a
    /// limit is left as it is.
    pub fn relax(&mut self, collider: &dyn Collider, skin: f32, rounds: u32) {
        if !self.strain_limit.is_finite() {
            return;
        }
        for _ in 0..rounds {
            self.limit_strain(false);
            self.previous.copy_from_slice(&self.positions);
            self.room.fill(0.0);
            self.each_run(|mut r| {
                r.collide(collider, skin, 0.0);
                None::<()>
            });
        }
        for &(w, into) in &self.welded {
            self.positions[w as usize] = self.positions[into as usize];
        }
    }

    /// Pulls every edge stretched past the strain limit back to it, the ends moved by their
    /// inverse masses: in the solver's blocks, one edge after another in the order they were
    /// made inside each (which carries a correction down a chain of edges in one sweep), or
    /// colour group by colour group as the GPU solver does ([`Params::gpu_order`]).
    fn limit_strain(&mut self, gpu_order: bool) {
        let (x, w, limit) = (&mut self.positions, &self.inv_mass, self.strain_limit);
        if gpu_order {
            in_colour_order(&self.stretch, &self.colours.stretch, |d| {
                limit_edge(x, w, d, limit);
            });
        } else {
            self.blocks.limit_strain(x, w, limit);
        }
    }

    /// Projects every constraint once, colour group by colour group: the GPU solver's
    /// arithmetic in its order ([`Params::gpu_order`]).
    fn project_in_colour_order(&mut self, k: Knobs) {
        let (x, prev, w, c) = (
            &mut self.positions,
            &self.previous,
            &self.inv_mass,
            &self.colours,
        );
        in_colour_order(&self.stretch, &c.stretch, |d| {
            project_distance(x, prev, w, d, k.inv_h2, k.damping);
        });
        in_colour_order(&self.bends, &c.bends, |b| {
            project_bend(x, w, b, k.bend_alpha);
        });
        in_colour_order(&self.stitches, &c.stitches, |d| {
            project_stitch(x, w, d, k.stitch_step);
        });
    }

    /// Calls `f` on each block of the solver's [`Blocks`] with its number and its particles
    /// (see [`crate::blocks`]), the blocks at once on a cloth large enough to be worth sharing
    /// out; the first `Some` any of them returns.
    fn in_blocks<R: Send>(
        &mut self,
        f: impl Fn(&Blocks, usize, Run<'_>) -> Option<R> + Sync,
    ) -> Option<R> {
        let parallel = self.positions.len() >= PARALLEL_FROM;
        let (mut x, mut v, mut previous) = (
            &mut self.positions[..],
            &mut self.velocities[..],
            &mut self.previous[..],
        );
        let (mut contact, mut room, mut pressing, mut w) = (
            &mut self.contact[..],
            &mut self.room[..],
            &mut self.pressing[..],
            &self.inv_mass[..],
        );
        let mut runs = Vec::with_capacity(crate::blocks::BLOCKS);
        for (start, end) in self.blocks.bounds() {
            let n = end - start;
            let (w_here, w_rest) = w.split_at(n);
            w = w_rest;
            runs.push(Run {
                first: start,
                x: cut(&mut x, n),
                v: cut(&mut v, n),
                previous: cut(&mut previous, n),
                contact: cut(&mut contact, n),
                room: cut(&mut room, n),
                pressing: cut(&mut pressing, n),
                w: w_here,
            });
        }
        let blocks = &self.blocks;
        let solve = |(k, r): (usize, Run<'_>)| f(blocks, k, r);
        if parallel {
            runs.into_par_iter().enumerate().find_map_first(solve)
        } else {
            runs.into_iter().enumerate().find_map(solve)
        }
    }

    /// Calls `f` on the particles in runs, the runs at once on a cloth large enough to be
    /// worth sharing out; the first `Some` any of them returns.
    fn each_run<R: Send>(&mut self, f: impl Fn(Run<'_>) -> Option<R> + Sync) -> Option<R> {
        let run = RUN;
        if self.positions.len() < PARALLEL_FROM {
            return f(Run {
                first: 0,
                x: &mut self.positions,
                v: &mut self.velocities,
                previous: &mut self.previous,
                contact: &mut self.contact,
                room: &mut self.room,
                pressing: &mut self.pressing,
                w: &self.inv_mass,
            });
        }
        self.positions
            .par_chunks_mut(run)
            .zip(self.velocities.par_chunks_mut(run))
            .zip(self.previous.par_chunks_mut(run))
            .zip(self.contact.par_chunks_mut(run))
            .zip(self.room.par_chunks_mut(run))
            .zip(self.pressing.par_chunks_mut(run))
            .zip(self.inv_mass.par_chunks(run))
            .enumerate()
            .find_map_first(
                |(k, ((((((x, v), previous), contact), room), pressing), w))| {
                    f(Run {
                        first: k * run,
                        x,
                        v,
                        previous,
                        contact,
                        room,
                        pressing,
                        w,
                    })
                },
            )
    }

    /// The velocity damping per second the cloth moves with: `params.damping` and the air's
    /// drag, which slows a light fabric more than a heavy one ([`AIR_DRAG`] over the areal
    /// density: silk +2 /s, cotton +1.2, denim +0.4, leather +0.2).
    pub fn damping_rate(&self, params: &Params) -> f32 {
        if self.density > 0.0 {
            params.damping + AIR_DRAG / self.density
        } else {
            params.damping
        }
    }

    /// The pressure of each particle against the collider over the last step (Pa). Pushing a
    /// particle of mass m out by Δx in a substep of h seconds is a force m Δx / h² (at rest on
    /// a floor, its weight); over its share of the cloth's area, m / density, that is
    /// density · Δx / h², averaged over the step's substeps. Particles that carry no mass
    /// (pinned, or welded into another) press with nothing.
    pub fn contact_pressure(&self) -> Vec<f32> {
        let substeps = self.frame_substeps.max(1) as f32;
        let h = self.frame_dt / substeps;
        if h <= 0.0 {
            return vec![0.0; self.positions.len()];
        }
        let scale = self.density / (substeps * h * h);
        self.pressing
            .iter()
            .zip(&self.inv_mass)
            .map(|(push, w)| if *w > 0.0 { push * scale } else { 0.0 })
            .collect()
    }

    /// The fastest particle's speed (m/s): below a few cm/s the cloth has settled.
    pub fn max_speed(&self) -> f32 {
        self.velocities
            .iter()
            .map(|v| v.length())
            .fold(0.0, f32::max)
    }

    /// The fastest particle's speed over the last step (m/s): how far it moved in that step,
    /// over the step's length. Substep velocities carry the solver's ringing too (a tenth of
    /// a millimetre each substep, back and forth); over a whole step it cancels out.
    pub fn frame_speed(&self) -> f32 {
        if self.frame_dt <= 0.0 {
            return 0.0;
        }
        self.positions
            .iter()
            .zip(&self.frame_start)
            .map(|(p, q)| p.distance(*q))
            .fold(0.0, f32::max)
            / self.frame_dt
    }

    /// Each particle's point on the flat pattern (metres): where a print's texture is read.
    pub fn pattern_points(&self) -> Option<&[Vec2]> {
        self.pattern.as_deref()
    }

    /// Kinetic energy (J).
    pub fn kinetic_energy(&self) -> f32 {
        self.velocities
            .iter()
            .zip(&self.inv_mass)
            .filter(|(_, w)| **w > 0.0)
            .map(|(v, w)| 0.5 * v.length_squared() / w)
            .sum()
    }

    /// Each edge with its strain (length / rest − 1, signed: negative when compressed).
    pub fn edge_strains(&self) -> Vec<(u32, u32, f32)> {
        self.stretch
            .iter()
            .filter(|d| d.rest > 0.0)
            .map(|d| {
                let len = self.positions[d.a as usize].distance(self.positions[d.b as usize]);
                (d.a, d.b, len / d.rest - 1.0)
            })
            .collect()
    }

    /// Mean and largest stretch (length / rest − 1, counting a compressed edge as 0), as
    /// fractions: how far the cloth is pulled beyond its pattern, as a strain map shows it.
    /// Compression is not strain here: cloth squeezed along its threads buckles into folds
    /// finer than the mesh, which the mesh shows as shorter edges.
    pub fn strain(&self) -> (f32, f32) {
        let strains: Vec<f32> = self.edge_strains().iter().map(|e| e.2.max(0.0)).collect();
        let mean = strains.iter().sum::<f32>() / strains.len().max(1) as f32;
        (mean, strains.iter().copied().fold(0.0, f32::max))
    }

    /// Each triangle's largest stretch against its flat pattern shape (1 at rest, 1.2 when
    /// pulled 20 % longer along some direction): the larger singular value of the map from
    /// the flat triangle to the draped one, as a strain map shows it.
    pub fn triangle_stretch(&self) -> Vec<f32> {
        self.triangles
            .iter()
            .zip(&self.rest_inverse)
            .map(|(t, inv)| {
                let [a, b, c] = t.map(|i| self.positions[i as usize]);
                let (e1, e2) = (b - a, c - a);
                // F = [e1 e2] · inv (3×2); FᵀF is 2×2 symmetric.
                let f1 = e1 * inv.x_axis.x + e2 * inv.x_axis.y;
                let f2 = e1 * inv.y_axis.x + e2 * inv.y_axis.y;
                let (p, q, r) = (f1.dot(f1), f1.dot(f2), f2.dot(f2));
                let mean = 0.5 * (p + r);
                let spread = (0.25 * (p - r) * (p - r) + q * q).sqrt();
                (mean + spread).max(0.0).sqrt()
            })
            .collect()
    }

    /// The deepest any particle is inside the collider (m; 0 when none is).
    pub fn deepest(&self, collider: &dyn Collider) -> f32 {
        self.positions
            .iter()
            .map(|p| (-collider.sample(*p).0).max(0.0))
            .fold(0.0, f32::max)
    }

    /// The particles sewn between two others (the seams' sides meshed differently): each
    /// particle, the two it is between, and how far along from the first.
    pub fn stitched_between(&self) -> Vec<(u32, u32, u32, f32)> {
        self.stitches
            .iter()
            .filter(|d| !d.particle_to_particle())
            .map(|d| (d.a, d.b, d.c, d.t))
            .collect()
    }

    /// The longest stitch still open (m).
    pub fn widest_stitch(&self) -> f32 {
        self.stitches
            .iter()
            .map(|d| self.positions[d.a as usize].distance(d.target(&self.positions)))
            .fold(0.0, f32::max)
    }
}

/// A flat rectangular sheet of `nx` × `ny` particles, `width` × `height` metres, in the x-y
/// plane at `origin` (its pattern is itself), for tests and benchmarks.
pub fn sheet(width: f32, height: f32, nx: usize, ny: usize) -> (Vec<Vec2>, Vec<[u32; 3]>) {
    let mut p = Vec::with_capacity(nx * ny);
    for j in 0..ny {
        for i in 0..nx {
            p.push(Vec2::new(
                width * i as f32 / (nx - 1) as f32,
                height * j as f32 / (ny - 1) as f32,
            ));
        }
    }
    let mut t = Vec::new();
    for j in 0..ny - 1 {
        for i in 0..nx - 1 {
            let a = (j * nx + i) as u32;
            let (b, c, d) = (a + 1, a + nx as u32, a + nx as u32 + 1);
            // Alternate the diagonal so the sheet has no preferred shear direction.
            if (i + j) % 2 == 0 {
                t.push([a, b, d]);
                t.push([a, d, c]);
            } else {
                t.push([a, b, c]);
                t.push([b, d, c]);
            }
        }
    }
    (p, t)
}

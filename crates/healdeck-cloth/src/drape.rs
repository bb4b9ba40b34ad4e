//! Draping: stepping cloth until it settles (its fastest particle slower than 5 cm/s for a
//! tenth of a second) or a time limit passes, and what it came to.

use crate::solver::{Cloth, ClothError, Collider, Cpu, Params, Stepper};
use std::time::Instant;

/// Settled: every particle slower than this (m/s).
pub const SETTLED_SPEED: f32 = 0.05;
/// How fast seams pull panels together (m/s).
const SEWING_SPEED: f32 = 0.5;
/// Substeps per step while sewing: with no gravity there is no load for the cloth to hold,
/// and a stitch closes at the sewing speed however the step is cut, so fewer substeps sew
/// the garment (an 8k-particle dress: 3.5 → 1.2 s). Not much fewer: with 15 or 20 the male
/// shirt's collar ends up twisted and never settles, and with 30 the knit hoody's hood seam
/// stretches 10 %.
const SEWING_SUBSTEPS: u32 = 40;
/// Gravity comes on over this many steps once the garment is sewn: dropped at once, a skirt
/// gathers speed and wedges itself over the hips, its waist stretched 12 %; lowered over 1.5 s,
/// 8 %.
const GRAVITY_RAMP: u32 = 90;
/// Simulated time per step (s).
pub const FRAME: f32 = 1.0 / 60.0;

/// What a drape came to.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Drape {
    /// Whether it settled before the time limit.
    pub settled: bool,
    /// Steps of [`FRAME`] taken.
    pub steps: u32,
    /// Wall-clock time (ms).
    pub settle_ms: f64,
    pub mean_strain_pct: f32,
    pub max_strain_pct: f32,
    /// The deepest any particle is inside the collider (mm).
    pub max_penetration_mm: f32,
}

/// Sews, then drapes, as garment tools do: first without gravity, slowly, until every seam
/// is closed (to 2 mm) and the cloth is still — the panels close around the body where they
/// were placed, and any cloth placed inside the body is pushed out — for at least a sixth of
/// a second and at most one and a half; then welds the closed seams and drapes with gravity
/// (coming on gradually) until the cloth settles or `max_seconds` pass.
pub fn sew_and_settle(
    cloth: &mut Cloth,
    params: &Params,
    collider: &dyn Collider,
    max_seconds: f32,
) -> Result<Drape, ClothError> {
    sew_and_settle_watched(cloth, params, collider, max_seconds, &mut |_, _| true)
}

/// [`sew_and_settle`], showing `watch` the cloth after every step with the steps taken so
/// far; when it answers false the drape stops with [`ClothError::Cancelled`].
pub fn sew_and_settle_watched(
    cloth: &mut Cloth,
    params: &Params,
    collider: &dyn Collider,
    max_seconds: f32,
    watch: &mut dyn FnMut(&Cloth, u32) -> bool,
) -> Result<Drape, ClothError> {
    sew_and_settle_with(&mut Cpu, cloth, params, collider, max_seconds, watch)
}

/// [`sew_and_settle_watched`] with each step taken by `stepper` (the CPU or a GPU solver).
pub fn sew_and_settle_with(
    stepper: &mut dyn Stepper,
    cloth: &mut Cloth,
    params: &Params,
    collider: &dyn Collider,
    max_seconds: f32,
    watch: &mut dyn FnMut(&Cloth, u32) -> bool,
) -> Result<Drape, ClothError> {
    let started = Instant::now();
    let mut step = watched(stepper, collider, watch);
    let sewing = Params {
        gravity: glam::Vec3::ZERO,
        max_speed: SEWING_SPEED,
        substeps: SEWING_SUBSTEPS.min(params.substeps),
        ..*params
    };
    let mut sewn = 0;
    while sewn < 90
        && (sewn < 10 || cloth.widest_stitch() > 0.002 || cloth.frame_speed() > 2.0 * SETTLED_SPEED)
    {
        step(cloth, &sewing)?;
        sewn += 1;
    }
    cloth.weld_closed_stitches(0.002);
    for k in 1..=GRAVITY_RAMP {
        let lowering = Params {
            gravity: params.gravity * (k as f32 / GRAVITY_RAMP as f32),
            ..*params
        };
        step(cloth, &lowering)?;
    }
    let ramp_seconds = GRAVITY_RAMP as f32 * FRAME;
    let mut drape = settle_watched(cloth, (max_seconds - ramp_seconds).max(1.0), &mut |c| {
        step(c, params)
    })?;
    drape.steps += sewn + GRAVITY_RAMP;
    finish(cloth, params, collider, &mut drape);
    drape.settle_ms = started.elapsed().as_secs_f64() * 1e3;
    Ok(drape)
}

/// Drapes cloth that starts where an earlier drape of the same pattern left it (a warm
/// start: the same garment in another fabric, or carried over to the body in another size):
/// its seams are already closed, so they are welded at once and it settles under full
/// gravity, with no sewing and no lowering.
pub fn resettle_with(
    stepper: &mut dyn Stepper,
    cloth: &mut Cloth,
    params: &Params,
    collider: &dyn Collider,
    max_seconds: f32,
    watch: &mut dyn FnMut(&Cloth, u32) -> bool,
) -> Result<Drape, ClothError> {
    let started = Instant::now();
    cloth.weld_closed_stitches(0.002);
    let mut step = watched(stepper, collider, watch);
    let mut drape = settle_watched(cloth, max_seconds, &mut |c| step(c, params))?;
    finish(cloth, params, collider, &mut drape);
    drape.settle_ms = started.elapsed().as_secs_f64() * 1e3;
    Ok(drape)
}

/// Rounds of [`Cloth::relax`] on settled cloth: a strap over the shoulder passes the
/// dress's weight down a long chain of edges, which one round moves by one edge; 1000 rounds
/// (0.2 s for 8k particles) bring it to its limit where 200 left it 1 % beyond.
const RELAX_ROUNDS: u32 = 1000;

/// The drape's last word once the cloth has come to rest: its stretch relaxed to the strain
/// limit against the body ([`Cloth::relax`]), then its strain and depth in the body measured.
fn finish(cloth: &mut Cloth, params: &Params, collider: &dyn Collider, drape: &mut Drape) {
    if drape.settled {
        cloth.relax(collider, params.skin, RELAX_ROUNDS);
        let (mean, max) = cloth.strain();
        drape.mean_strain_pct = mean * 100.0;
        drape.max_strain_pct = max * 100.0;
    }
    drape.max_penetration_mm = cloth.deepest(collider) * 1000.0;
}

/// One step of [`FRAME`] by `stepper`, shown to `watch` with the steps taken so far; its
/// answer false stops the drape with [`ClothError::Cancelled`].
fn watched<'a>(
    stepper: &'a mut dyn Stepper,
    collider: &'a dyn Collider,
    watch: &'a mut dyn FnMut(&Cloth, u32) -> bool,
) -> impl FnMut(&mut Cloth, &Params) -> Result<(), ClothError> + 'a {
    let mut taken = 0u32;
    move |cloth, p| {
        stepper.step(cloth, FRAME, p, collider)?;
        taken += 1;
        if watch(cloth, taken) {
            Ok(())
        } else {
            Err(ClothError::Cancelled)
        }
    }
}

/// Steps `cloth` until it settles or `max_seconds` of simulated time pass.
pub fn settle(
    cloth: &mut Cloth,
    params: &Params,
    collider: &dyn Collider,
    max_seconds: f32,
) -> Result<Drape, ClothError> {
    let mut drape = settle_watched(cloth, max_seconds, &mut |c| c.step(FRAME, params, collider))?;
    drape.max_penetration_mm = cloth.deepest(collider) * 1000.0;
    Ok(drape)
}

/// [`settle`] with each step taken by `step`; the penetration is left for the caller.
fn settle_watched(
    cloth: &mut Cloth,
    max_seconds: f32,
    step: &mut dyn FnMut(&mut Cloth) -> Result<(), ClothError>,
) -> Result<Drape, ClothError> {
    let started = Instant::now();
    let limit = (max_seconds / FRAME).ceil() as u32;
    let mut calm = 0;
    let mut steps = 0;
    while steps < limit {
        step(cloth)?;
        steps += 1;
        calm = if cloth.frame_speed() < SETTLED_SPEED {
            calm + 1
        } else {
            0
        };
        // A tenth of a second calm, after at least a second (a drape starts at rest too).
        if calm >= 6 && steps >= 60 {
            break;
        }
    }
    let (mean, max) = cloth.strain();
    Ok(Drape {
        settled: calm >= 6,
        steps,
        settle_ms: started.elapsed().as_secs_f64() * 1e3,
        mean_strain_pct: mean * 100.0,
        max_strain_pct: max * 100.0,
        max_penetration_mm: 0.0,
    })
}

//! The GPU cloth solver against the CPU one, on lavapipe: a skirt sewn round the avatar (its
//! seams closing, then welded), then falling under gravity onto the hips, its waistband
//! holding — stepped by both, every particle ends within a hundredth of a millimetre of the
//! other's: the same arithmetic in the same order, the constraints in the same colour
//! groups. And the automatic choice takes the CPU solver on a CPU adapter.

use healdeck_cloth::solver::{Cloth, Cpu, Params, Stepper};
use healdeck_render::avatar::{Body, Template};
use healdeck_render::drape::fabric::FabricPhysics;
use healdeck_render::drape::gpu::GpuSolver;
use healdeck_render::drape::{Solver, Studio, body_collider, programs};
use healdeck_render::garment::GarmentSpec;
use healdeck_render::renderer::Gpu;
use std::sync::Arc;

/// Sews for 15 steps (no gravity, half the substeps, as a drape does), welds the closed
/// seams, then drapes for 15 steps with gravity.
fn sew_and_drop(stepper: &mut dyn Stepper, cloth: &mut Cloth, studio: &Studio) -> usize {
    let full = Params::default();
    let sewing = Params {
        gravity: glam::Vec3::ZERO,
        max_speed: 0.5,
        substeps: full.substeps / 2,
        ..full
    };
    for _ in 0..15 {
        stepper
            .step(cloth, 1.0 / 60.0, &sewing, studio)
            .expect("sews");
    }
    let welded = cloth.weld_closed_stitches(0.002);
    for _ in 0..15 {
        stepper
            .step(cloth, 1.0 / 60.0, &full, studio)
            .expect("drapes");
    }
    welded
}

#[test]
fn the_gpu_solver_steps_a_skirt_as_the_cpu_solver_does() {
    let body = Body::new(Template::Neutral, Template::Neutral.defaults()).expect("body");
    let studio = body_collider(&body).expect("collider");
    let spec = GarmentSpec::from_json(r#"{"type": "skirt", "length": 0.3, "fabric": "cotton"}"#)
        .expect("spec");
    let mut pattern = programs::pattern(&spec, &body);
    pattern.spacing = 0.03;
    let start = pattern
        .cloth(FabricPhysics::of(spec.fabric).mechanics())
        .expect("cloth");
    let gpu = Arc::new(Gpu::headless().expect("a GPU adapter (lavapipe)"));
    let mut on_gpu = GpuSolver::new(gpu.clone(), &studio).expect("GPU solver");
    assert_eq!(on_gpu.name(), "gpu");
    let (mut a, mut b) = (start.clone(), start.clone());
    let welded_cpu = sew_and_drop(&mut Cpu, &mut a, &studio);
    let welded_gpu = sew_and_drop(&mut on_gpu, &mut b, &studio);
    assert_eq!(welded_cpu, welded_gpu);
    assert!(welded_cpu > 10, "the side seams closed: {welded_cpu}");
    let apart = a
        .positions
        .iter()
        .zip(&b.positions)
        .map(|(p, q)| p.distance(*q))
        .fold(0.0, f32::max);
    let fell = a
        .positions
        .iter()
        .zip(&start.positions)
        .map(|(p, q)| p.distance(*q))
        .fold(0.0, f32::max);
    println!(
        "largest difference {:.6} mm; the cloth moved up to {fell:.3} m",
        apart * 1e3
    );
    assert!(fell > 0.02, "the skirt moved: {fell}");
    assert!(apart < 1e-5, "{apart}");
    assert_eq!(a.strain(), b.strain());
    // lavapipe is a CPU: the automatic choice drapes on the CPU there.
    assert!(matches!(Solver::auto(Some(gpu)), Solver::Cpu));
}

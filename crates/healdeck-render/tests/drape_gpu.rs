//! The GPU cloth solver against the CPU one, on lavapipe: a skirt sewn round the avatar (its
//! seams closing, then welded), then falling under gravity onto the hips, its waistband
//! holding — stepped by both, the CPU projecting its constraints in the GPU's colour order,
//! every particle ends within a hundredth of a millimetre of the other's: the same
//! arithmetic in the same order. In its own order (the one a drape uses) the CPU ends within
//! 5 mm of the GPU on average and its mean strain within 0.1 %. And the automatic choice
//! takes the CPU solver on a CPU adapter.

use healdeck_cloth::solver::{Cloth, Cpu, Params, Stepper};
use healdeck_render::avatar::{Body, Template};
use healdeck_render::drape::fabric::FabricPhysics;
use healdeck_render::drape::gpu::GpuSolver;
use healdeck_render::drape::{Solver, Studio, body_collider, programs};
use healdeck_render::garment::GarmentSpec;
use healdeck_render::renderer::Gpu;
use std::sync::Arc;

/// Sews for 15 steps (no gravity, as a drape does), welds the closed
/// seams, then drapes for 15 steps with gravity.
fn sew_and_drop(stepper: &mut dyn Stepper, cloth: &mut Cloth, studio: &Studio) -> usize {
    // The CPU in the GPU's order: colour group by colour group.
    let full = Params {
        gpu_order: true,
        ..Params::default()
    };
    let sewing = Params {
        gravity: glam::Vec3::ZERO,
        max_speed: 0.5,
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

/// [`sew_and_drop`] on the CPU in the order it drapes with.
fn sew_and_drop_in_own_order(cloth: &mut Cloth, studio: &Studio) {
    let full = Params::default();
    let sewing = Params {
        gravity: glam::Vec3::ZERO,
        max_speed: 0.5,
        ..full
    };
    for _ in 0..15 {
        cloth.step(1.0 / 60.0, &sewing, studio).expect("sews");
    }
    cloth.weld_closed_stitches(0.002);
    for _ in 0..15 {
        cloth.step(1.0 / 60.0, &full, studio).expect("drapes");
    }
}

#[test]
fn the_gpu_solver_steps_a_skirt_as_the_cpu_solver_does() {
    let body = Body::new(Template::Neutral, Template::Neutral.defaults()).expect("body");
    let studio = body_collider(&body).expect("collider");
    let spec = GarmentSpec::from_json(r#"{"type": "skirt", "length": 0.3, "fabric": "cotton"}"#)
        .expect("spec");
    let mut pattern = programs::draft(&spec, &body)
        .wrapped()
        .expect("a skirt is wrapped");
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
    // The CPU solver in its own order: the same skirt, a few millimetres apart.
    let mut c = start.clone();
    sew_and_drop_in_own_order(&mut c, &studio);
    let gaps: Vec<f32> = c
        .positions
        .iter()
        .zip(&b.positions)
        .map(|(p, q)| p.distance(*q))
        .collect();
    let mean = gaps.iter().sum::<f32>() / gaps.len() as f32;
    let worst = gaps.iter().copied().fold(0.0, f32::max);
    let (own, on_gpu_strain) = (c.strain(), b.strain());
    println!(
        "the CPU's own order: {:.2} mm from the GPU's on average, {:.1} mm at most; strain \
         mean {:.3} / {:.3} %, max {:.2} / {:.2} %",
        mean * 1e3,
        worst * 1e3,
        own.0 * 100.0,
        on_gpu_strain.0 * 100.0,
        own.1 * 100.0,
        on_gpu_strain.1 * 100.0
    );
    assert!(mean < 0.005, "{mean}");
    assert!(
        (own.0 - on_gpu_strain.0).abs() < 0.001,
        "{own:?} {on_gpu_strain:?}"
    );
    // lavapipe is a CPU: the automatic choice drapes on the CPU there.
    assert!(matches!(Solver::auto(Some(gpu)), Solver::Cpu));
}

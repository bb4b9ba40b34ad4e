//! How fast the CPU cloth solver runs here: a sheet of ~4k and of ~8k particles dropped on
//! a ball resting on the floor (20 substeps per 1/60 s frame, on every core): simulation frames
//! per second while it falls, and the wall time until it settles (every particle slower than
//! 5 cm/s). No peer runs in the same process: the goals (4k at ≥ 15 frames/s, 8k
//! settled in ≤ 10 s on this machine) are the yardstick.
//!
//!     cargo bench -p healdeck-cloth --bench solver

use glam::Vec3;
use healdeck_cloth::drape::{FRAME, settle};
use healdeck_cloth::solver::{Cloth, Collider, Mechanics, Params, sheet};
use std::time::Instant;

struct BallOnFloor;

impl Collider for BallOnFloor {
    fn sample(&self, p: Vec3) -> (f32, Vec3) {
        let floor = p.y + 0.25;
        let ball = p.length() - 0.25;
        if floor < ball {
            (floor, Vec3::Y)
        } else {
            (ball, p.normalize_or(Vec3::Y))
        }
    }
}

fn main() {
    let cotton = Mechanics {
        density: 0.15,
        stretch_compliance: 0.0,
        compress_compliance: 0.1,
        // A cotton jersey's bending rigidity, about 1 µN·m.
        bend_compliance: 1e6,
        friction: 0.4,
        strain_limit: f32::INFINITY,
    };
    for n in [64usize, 90] {
        let (pattern, tris) = sheet(1.0, 1.0, n, n);
        let placed = pattern
            .iter()
            .map(|p| Vec3::new(p.x - 0.5, 0.35, p.y - 0.5))
            .collect();
        let mut cloth = Cloth::new(placed, Some(&pattern), tris, cotton).expect("cloth");
        let params = Params::default();
        let t0 = Instant::now();
        for _ in 0..30 {
            cloth.step(FRAME, &params, &BallOnFloor).expect("steps");
        }
        let fps = 30.0 / t0.elapsed().as_secs_f64();
        let drape = settle(&mut cloth, &params, &BallOnFloor, 20.0).expect("settles");
        println!(
            "{} particles: {fps:.1} frames/s falling; settled {} after {} more frames in {:.1} s \
             (strain mean {:.2} %, max {:.2} %, deepest {:.2} mm)",
            n * n,
            drape.settled,
            drape.steps,
            drape.settle_ms / 1000.0 + 30.0 / fps,
            drape.mean_strain_pct,
            drape.max_strain_pct,
            drape.max_penetration_mm
        );
    }
}

//! Garments sit on the body without the body poking through at default fits: rays coming
//! from outside towards a region the garment covers must meet the garment before any skin.

use glam::Vec3;
use healdeck_render::avatar::{Body, Template};
use healdeck_render::garment::{Fabric, Fit, GarmentSpec, GarmentType, Neckline};
use healdeck_render::mesh::Mesh;

/// Distance along the ray to the first triangle hit (Möller–Trumbore).
fn first_hit(m: &Mesh, o: Vec3, d: Vec3) -> Option<f32> {
    let mut best: Option<f32> = None;
    for t in m.indices.chunks_exact(3) {
        let (a, b, c) = (
            m.positions[t[0] as usize],
            m.positions[t[1] as usize],
            m.positions[t[2] as usize],
        );
        let (e1, e2) = (b - a, c - a);
        let p = d.cross(e2);
        let det = e1.dot(p);
        if det.abs() < 1e-9 {
            continue;
        }
        let s = o - a;
        let u = s.dot(p) / det;
        if !(0.0..=1.0).contains(&u) {
            continue;
        }
        let q = s.cross(e1);
        let v = d.dot(q) / det;
        if v < 0.0 || u + v > 1.0 {
            continue;
        }
        let dist = e2.dot(q) / det;
        if dist > 1e-4 && best.is_none_or(|b| dist < b) {
            best = Some(dist);
        }
    }
    best
}

#[test]
fn body_never_pokes_through_at_default_and_tight_fits() {
    let mut failures = Vec::new();
    for t in Template::ALL {
        let body = Body::new(t, t.defaults()).expect("body");
        let s = &body.skeleton;
        for kind in GarmentType::ALL {
            for fit in [Fit::Regular, Fit::Tight] {
                let spec = GarmentSpec {
                    kind,
                    fit,
                    sleeve_length: None,
                    length: 0.5,
                    neckline: Neckline::Crew,
                    fabric: Fabric::Cotton,
                    color: "#808080".into(),
                    print: None,
                    flare: 0.2,
                    print_placement: Default::default(),
                    pattern: None,
                    material: None,
                };
                let g = spec.build(&body, None).expect("garment");
                // Heights the garment certainly covers, for the torso or for the legs.
                let (heights, legs): (Vec<f32>, bool) = match kind {
                    GarmentType::Pants | GarmentType::Shorts => {
                        ((1..4).map(|i| s.crotch_y - 0.05 * i as f32).collect(), true)
                    }
                    GarmentType::Skirt => (
                        vec![s.waist_y - 0.01, (s.waist_y + s.hip_y) / 2.0, s.hip_y],
                        false,
                    ),
                    _ => (
                        vec![s.waist_y, (s.waist_y + s.chest_y) / 2.0, s.chest_y],
                        false,
                    ),
                };
                // Targets on the body's axes; rays arrive from the front and back half (arms hang
                // at the sides in the A-pose) and, for legs, from the outer side too.
                let mut rays: Vec<(Vec3, Vec3)> = Vec::new();
                for &y in &heights {
                    let targets: Vec<(Vec3, f32)> = if legs {
                        s.legs
                            .iter()
                            .map(|l| {
                                (
                                    Vec3::new(l[1].center.x, y, l[1].center.z),
                                    l[1].center.x.signum(),
                                )
                            })
                            .collect()
                    } else {
                        vec![(Vec3::new(0.0, y, 0.0), 0.0)]
                    };
                    for (target, side) in targets {
                        for deg in (-50..=50).step_by(10) {
                            for base in [0.0f32, 180.0] {
                                let a = (base + deg as f32).to_radians();
                                rays.push((target, Vec3::new(a.sin(), 0.0, a.cos())));
                            }
                        }
                        if side != 0.0 {
                            rays.push((target, Vec3::new(side, 0.0, 0.0)));
                        }
                    }
                }
                for (target, dir) in rays {
                    let origin = target + dir * 1.0;
                    let d = -dir;
                    let (b, c) = (first_hit(&body.mesh, origin, d), first_hit(&g, origin, d));
                    if let (Some(b), Some(c)) = (b, c) {
                        if b < c {
                            failures.push(format!("{t:?} {kind:?} {fit:?}: skin at {:?} is {:.1} mm outside the garment", origin + d * b, (c - b) * 1000.0));
                        }
                    } else if b.is_some() {
                        failures.push(format!(
                            "{t:?} {kind:?} {fit:?}: skin at {:?} with no garment in front",
                            origin + d * b.unwrap_or(0.0)
                        ));
                    }
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "{} poke-throughs:\n{}",
        failures.len(),
        failures
            .iter()
            .take(20)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}

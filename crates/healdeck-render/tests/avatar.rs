//! The realistic avatar: measurements round-trip within ±0.5 cm for every size preset and a
//! grid around them on all three templates; bad input is refused naming the field; the body
//! is closed and faces outwards (it is its own collision proxy); in the A-pose the arms clear
//! the torso.

use healdeck_render::avatar::{Body, Measurements, Template};
use healdeck_render::fit::{Field, TOLERANCE};
use healdeck_render::sizes::presets;
use healdeck_render::tape::Cutter;

fn assert_round_trip(t: Template, want: &Measurements) -> Body {
    let body = Body::new(t, *want).unwrap_or_else(|e| panic!("{t:?} {want:?}: {e}"));
    for f in Field::ALL {
        let (asked, got) = (f.of(want), f.of(&body.measured));
        assert!(
            (asked - got).abs() <= TOLERANCE,
            "{t:?} {}: asked {:.1} cm, measured {:.1} cm",
            f.name(),
            asked * 100.0,
            got * 100.0
        );
    }
    body
}

#[test]
fn every_size_preset_round_trips_on_its_template() {
    for t in Template::ALL {
        for p in presets(t) {
            let body = assert_round_trip(t, &p.measurements);
            println!("{t:?} {}: solved in {:.1} ms", p.label, body.solve_ms);
        }
    }
}

#[test]
fn a_grid_of_sizes_round_trips_on_all_templates() {
    // Around the middle size: each measurement moved on its own and all together.
    let steps: [(Field, f32); 7] = [
        (Field::Height, 8.0),
        (Field::Bust, 5.0),
        (Field::Waist, 5.0),
        (Field::Hips, 5.0),
        (Field::Inseam, 3.0),
        (Field::Arm, 2.0),
        (Field::Shoulders, 1.5),
    ];
    for t in Template::ALL {
        let base = t.defaults();
        for (f, step) in steps {
            for sign in [-1.0, 1.0] {
                let mut m = base;
                f.set_cm(&mut m, f.of(&base) * 100.0 + sign * step);
                if f == Field::Height {
                    // A taller body keeps its proportions: the inseam follows.
                    m.inseam_cm += sign * step * 0.47;
                }
                assert_round_trip(t, &m);
            }
        }
        for sign in [-1.0f32, 1.0] {
            let mut m = base;
            for (f, step) in steps {
                f.set_cm(&mut m, f.of(&base) * 100.0 + sign * step * 0.6);
            }
            assert_round_trip(t, &m);
        }
    }
}

#[test]
fn the_issue_example_round_trips() {
    let m = Measurements {
        height_cm: 168.0,
        chest_cm: 90.0,
        waist_cm: 72.0,
        hips_cm: 98.0,
        inseam_cm: 78.0,
        arm_length_cm: 58.0,
        shoulder_width_cm: 38.0,
    };
    assert_round_trip(Template::Female, &m);
}

fn refused(t: Template, m: Measurements) -> (String, String) {
    match Body::new(t, m) {
        Ok(_) => panic!("{m:?} was accepted"),
        Err(e) => (e.field.to_string(), e.to_string()),
    }
}

#[test]
fn bad_measurements_are_refused_naming_the_field_and_range() {
    let base = Template::Female.defaults();
    let (field, msg) = refused(
        Template::Female,
        Measurements {
            height_cm: 40.0,
            ..base
        },
    );
    assert_eq!(field, "height_cm");
    assert!(
        msg.contains("height_cm = 40") && msg.contains("140..210"),
        "{msg}"
    );

    let (field, msg) = refused(
        Template::Male,
        Measurements {
            waist_cm: f32::NAN,
            ..base
        },
    );
    assert_eq!(field, "waist_cm");
    assert!(msg.contains("not a number"), "{msg}");

    // A waist 60 cm larger than the hips, each inside its own range.
    let (field, msg) = refused(
        Template::Neutral,
        Measurements {
            waist_cm: 130.0,
            hips_cm: 70.0,
            chest_cm: 130.0,
            ..base
        },
    );
    assert_eq!(field, "waist_cm");
    assert!(msg.contains("60 cm more than hips_cm"), "{msg}");

    // Inside the adult range but beyond what this body reaches: the field and its reach.
    let (field, msg) = refused(
        Template::Female,
        Measurements {
            shoulder_width_cm: 48.0,
            ..base
        },
    );
    assert_eq!(field, "shoulder_width_cm");
    assert!(msg.contains("reaches") && msg.contains("female"), "{msg}");
}

/// Signed volume by the divergence theorem: positive when the triangles face outwards.
fn volume(b: &Body) -> f32 {
    b.mesh
        .indices
        .chunks_exact(3)
        .map(|t| {
            let [a, b2, c] = [0, 1, 2].map(|k| b.mesh.positions[t[k] as usize]);
            a.dot(b2.cross(c)) / 6.0
        })
        .sum()
}

#[test]
fn the_body_is_closed_faces_outwards_and_stands_on_the_floor() {
    for t in Template::ALL {
        let b = Body::new(t, t.defaults()).expect("body");
        assert!(b.mesh.is_watertight(), "{t:?} is not closed");
        assert!(b.mesh.is_finite(), "{t:?}");
        // A closed surface facing outwards encloses a positive volume: an adult's, in m³.
        let v = volume(&b);
        assert!((0.045..0.11).contains(&v), "{t:?} volume {v} m³");
        let (lo, hi) = b.mesh.bounds().expect("bounds");
        assert!(lo.y.abs() < 1e-4, "{t:?} floor at {}", lo.y);
        assert!((hi.y - t.defaults().height_cm / 100.0).abs() <= TOLERANCE);
        assert!((lo.x + hi.x).abs() < 0.01, "{t:?} not centred: {lo} {hi}");
        // The top of the head's normal points up.
        let top = (0..b.mesh.positions.len())
            .max_by(|&i, &j| b.mesh.positions[i].y.total_cmp(&b.mesh.positions[j].y))
            .expect("vertices");
        assert!(b.mesh.normals[top].y > 0.9, "{t:?} {}", b.mesh.normals[top]);
    }
}

#[test]
fn the_body_bakes_into_a_distance_field_the_cloth_can_collide_with() {
    use glam::Vec3;
    let b = Body::new(Template::Female, Template::Female.defaults()).expect("body");
    let started = std::time::Instant::now();
    let studio = healdeck_render::drape::body_collider(&b).expect("bakes");
    println!("baked in {:.0} ms", started.elapsed().as_secs_f64() * 1e3);
    let sdf = &studio.body;
    let s = &b.skeleton;
    // Inside: the middle of the waist, the hips, the chest, the head.
    for (what, p) in [
        (
            "waist",
            s.torso
                .iter()
                .find(|r| r.center.y >= s.waist_y)
                .map(|r| r.center),
        ),
        (
            "hips",
            s.torso
                .iter()
                .find(|r| r.center.y >= s.hip_y)
                .map(|r| r.center),
        ),
        (
            "chest",
            s.torso
                .iter()
                .find(|r| r.center.y >= s.chest_y)
                .map(|r| r.center),
        ),
        ("head", Some(s.head_center)),
    ] {
        let p = p.expect(what);
        assert!(
            sdf.distance(p) < -0.02,
            "{what} at {p}: {}",
            sdf.distance(p)
        );
    }
    // Outside: in front of the belly, between the legs below the crotch, beside the hips.
    for p in [
        Vec3::new(0.0, s.waist_y, 0.3),
        Vec3::new(0.0, s.crotch_y - 0.1, 0.0),
        Vec3::new(0.35, s.hip_y, 0.0),
    ] {
        assert!(sdf.distance(p) > 0.0, "{p}: {}", sdf.distance(p));
    }
    // On the surface the field is about zero everywhere.
    let worst = b
        .mesh
        .positions
        .iter()
        .step_by(7)
        .map(|p| sdf.distance(*p).abs())
        .fold(0.0, f32::max);
    assert!(
        worst < 0.01,
        "a surface point is {worst} m from the field's zero"
    );
}

#[test]
fn in_the_a_pose_the_arms_clear_the_torso() {
    // The slimmest and the heaviest sizes of each template.
    for t in Template::ALL {
        let sizes = presets(t);
        for p in [&sizes[0], &sizes[sizes.len() - 1]] {
            let b = Body::new(t, p.measurements).expect("body");
            let positions: Vec<[f32; 3]> = b.mesh.positions.iter().map(|p| p.to_array()).collect();
            let quads: Vec<[u16; 4]> = b
                .mesh
                .indices
                .chunks_exact(6)
                .map(|q| [q[0], q[1], q[2], q[5]].map(|i| i as u16))
                .collect();
            let cutter = Cutter::new(&positions, &quads);
            let s = &b.skeleton;
            let wrist_y = s.arms[0].last().expect("arm rings").center.y;
            // From the wrists up to just under the armpits, every cut has the torso and, apart
            // from it on each side, an arm.
            let top = s.torso.iter().map(|r| r.center.y).fold(0.0, f32::max);
            let mut y = wrist_y + 0.01;
            let armpit = b.skeleton.arms[0][1].center.y;
            while y < armpit {
                let pieces = cutter.at(y);
                let span = |p: &Vec<[f32; 2]>| {
                    p.iter().fold((f32::MAX, f32::MIN), |(lo, hi), q| {
                        (lo.min(q[0]), hi.max(q[0]))
                    })
                };
                let torso = pieces
                    .iter()
                    .map(span)
                    .find(|(lo, hi)| *lo < 0.0 && *hi > 0.0)
                    .unwrap_or_else(|| panic!("{t:?} {}: no torso at {y}", p.label));
                for side in [1.0f32, -1.0] {
                    let gap = pieces
                        .iter()
                        .map(span)
                        .filter(|(lo, hi)| lo * side > 0.0 && hi * side > 0.0)
                        .map(|(lo, hi)| {
                            if side > 0.0 {
                                lo - torso.1
                            } else {
                                torso.0 - hi
                            }
                        })
                        .fold(f32::MIN, f32::max);
                    assert!(
                        gap > 0.003,
                        "{t:?} {}: at y = {y:.3} the arm on side {side} is {gap:.3} m from the torso",
                        p.label
                    );
                }
                y += 0.01;
            }
            assert!(top > armpit);
        }
    }
}

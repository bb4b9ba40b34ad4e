//! The cloth solver on scenes whose answer is known: a sheet hanging from its top edge
//! barely stretches and comes to rest; a sheet dropped on a ball drapes over it without
//! sinking in, its energy dying away; a tube sewn shut around a cylinder closes its seam;
//! a free sheet with a ripple stays at rest; bad input and a blow-up stop with an error; a
//! drape shared out between threads comes out as on one.

use glam::{Vec2, Vec3};
use healdeck_cloth::sdf::Sdf;
use healdeck_cloth::solver::{Cloth, ClothError, Collider, Mechanics, NoCollider, Params, sheet};

/// A cotton jersey's weight; bending as stiff as a heavy cotton (rigidity 1 mN·m).
const COTTON: Mechanics = Mechanics {
    density: 0.15,
    stretch_compliance: 0.0,
    compress_compliance: 0.1,
    bend_compliance: 1e3,
    friction: 0.4,
    strain_limit: f32::INFINITY,
};

struct Ball {
    centre: Vec3,
    radius: f32,
}

/// A ball resting on the floor (y = its lowest point).
struct BallOnFloor(Ball);

impl Collider for BallOnFloor {
    fn sample(&self, p: Vec3) -> (f32, Vec3) {
        let floor = p.y - (self.0.centre.y - self.0.radius);
        let ball = self.0.sample(p);
        if floor < ball.0 {
            (floor, Vec3::Y)
        } else {
            ball
        }
    }
}

impl Collider for Ball {
    fn sample(&self, p: Vec3) -> (f32, Vec3) {
        let d = p - self.centre;
        (d.length() - self.radius, d.normalize_or(Vec3::Y))
    }
}

struct Cylinder {
    radius: f32,
}

impl Collider for Cylinder {
    fn sample(&self, p: Vec3) -> (f32, Vec3) {
        let r = Vec3::new(p.x, 0.0, p.z);
        (r.length() - self.radius, r.normalize_or(Vec3::X))
    }
}

fn run(cloth: &mut Cloth, seconds: f32, params: &Params, collider: &dyn Collider) -> Vec<f32> {
    let dt = 1.0 / 60.0;
    let frames = (seconds / dt) as usize;
    (0..frames)
        .map(|_| {
            cloth.step(dt, params, collider).expect("steps");
            cloth.kinetic_energy()
        })
        .collect()
}

#[test]
fn a_hanging_sheet_barely_stretches_and_comes_to_rest() {
    let (pattern, tris) = sheet(0.8, 0.8, 25, 25);
    let placed = pattern.iter().map(|p| Vec3::new(p.x, p.y, 0.0)).collect();
    let mut cloth = Cloth::new(placed, Some(&pattern), tris, COTTON).expect("cloth");
    for i in 0..25 {
        cloth.pin(24 * 25 + i); // the top row
    }
    let energy = run(&mut cloth, 4.0, &Params::default(), &NoCollider);
    let (mean, max) = cloth.strain();
    assert!(mean <= 0.01 && max <= 0.05, "strain mean {mean} max {max}");
    assert!(
        cloth.max_speed() < 0.05,
        "still moving at {} m/s",
        cloth.max_speed()
    );
    assert!(
        energy[energy.len() - 1] < 1e-3,
        "energy {:?}",
        &energy[energy.len() - 3..]
    );
}

#[test]
fn a_sheet_dropped_on_a_ball_drapes_over_it_without_sinking_in() {
    let (pattern, tris) = sheet(0.8, 0.8, 33, 33);
    // Horizontal, 10 cm above a 20 cm ball.
    let placed = pattern
        .iter()
        .map(|p| Vec3::new(p.x - 0.4, 0.3, p.y - 0.4))
        .collect();
    let mut cloth = Cloth::new(placed, Some(&pattern), tris, COTTON).expect("cloth");
    let ball = BallOnFloor(Ball {
        centre: Vec3::ZERO,
        radius: 0.2,
    });
    let params = Params::default();
    let energy = run(&mut cloth, 4.0, &params, &ball);
    assert!(
        cloth.deepest(&ball) <= 0.001,
        "{} m inside",
        cloth.deepest(&ball)
    );
    // The energy dies away: the last second holds less than a tenth of the first.
    let first: f32 = energy[..60].iter().sum();
    let last: f32 = energy[energy.len() - 60..].iter().sum();
    assert!(
        last < first * 0.1,
        "first second {first} J·frames, last {last}"
    );
    // It drapes: the corners hang well below the top of the ball, and the middle stays on it.
    let lowest = cloth.positions.iter().map(|p| p.y).fold(f32::MAX, f32::min);
    assert!(lowest < 0.0, "lowest point {lowest}");
    assert!(
        cloth.positions[16 * 33 + 16].y > 0.15,
        "{}",
        cloth.positions[16 * 33 + 16]
    );
    assert!(
        cloth.max_speed() < 0.05,
        "still moving at {} m/s",
        cloth.max_speed()
    );
    let (mean, max) = cloth.strain();
    assert!(mean <= 0.01 && max <= 0.05, "strain mean {mean} max {max}");
}

#[test]
fn a_tube_sewn_around_a_cylinder_closes_its_seam() {
    // A panel 5 % short of going round, placed on a circle of its own length with the gap
    // at the back, then its side edges stitched together.
    let (nx, ny) = (40, 12);
    let (width, height) = (0.70, 0.30);
    let (pattern, tris) = sheet(width, height, nx, ny);
    let place_r = width / (std::f32::consts::TAU * 0.95);
    let placed = pattern
        .iter()
        .map(|p| {
            let a = p.x / place_r;
            Vec3::new(place_r * a.sin(), p.y, place_r * a.cos())
        })
        .collect();
    let mut cloth = Cloth::new(placed, Some(&pattern), tris, COTTON).expect("cloth");
    for j in 0..ny {
        cloth.stitch((j * nx) as u32, (j * nx + nx - 1) as u32);
    }
    let cylinder = Cylinder { radius: 0.09 };
    let params = Params {
        gravity: Vec3::ZERO,
        ..Params::default()
    };
    run(&mut cloth, 2.0, &params, &cylinder);
    assert!(
        cloth.widest_stitch() < 0.001,
        "seam open by {}",
        cloth.widest_stitch()
    );
    assert!(cloth.deepest(&cylinder) <= 0.001);
    let (mean, max) = cloth.strain();
    assert!(mean <= 0.01 && max <= 0.05, "strain mean {mean} max {max}");
}

#[test]
fn bad_cloth_and_a_blow_up_are_errors() {
    let (pattern, tris) = sheet(0.2, 0.2, 4, 4);
    let mut placed: Vec<Vec3> = pattern.iter().map(|p| p.extend(0.0)).collect();
    assert!(matches!(
        Cloth::new(placed.clone(), None, vec![[0, 1, 99]], COTTON),
        Err(ClothError::BadIndex(0, 99, 16))
    ));
    assert_eq!(
        Cloth::new(placed.clone(), None, Vec::new(), COTTON).err(),
        Some(ClothError::Empty)
    );
    placed[5].y = f32::NAN;
    assert_eq!(
        Cloth::new(placed, Some(&pattern), tris.clone(), COTTON).err(),
        Some(ClothError::NotFinite(5))
    );
    let placed: Vec<Vec3> = pattern.iter().map(|p: &Vec2| p.extend(0.0)).collect();
    let mut cloth = Cloth::new(placed, Some(&pattern), tris, COTTON).expect("cloth");
    let wild = Params {
        gravity: Vec3::new(0.0, -1e9, 0.0),
        ..Params::default()
    };
    let mut result = Ok(());
    for _ in 0..10 {
        result = cloth.step(1.0 / 60.0, &wild, &NoCollider);
        if result.is_err() {
            break;
        }
    }
    assert!(
        matches!(result, Err(ClothError::Diverged(..))),
        "{result:?}"
    );
}

#[test]
fn cloth_collides_with_a_baked_field_as_with_the_shape() {
    // An octahedron-ish closed ball: the field of a UV sphere mesh.
    let (mut p, mut t) = (Vec::new(), Vec::new());
    let (rings, segs) = (16u32, 24u32);
    p.push(Vec3::new(0.0, 0.2, 0.0));
    for r in 1..rings {
        let phi = std::f32::consts::PI * r as f32 / rings as f32;
        for s in 0..segs {
            let th = std::f32::consts::TAU * s as f32 / segs as f32;
            p.push(0.2 * Vec3::new(phi.sin() * th.cos(), phi.cos(), phi.sin() * th.sin()));
        }
    }
    p.push(Vec3::new(0.0, -0.2, 0.0));
    let last = p.len() as u32 - 1;
    let at = |r: u32, s: u32| 1 + (r - 1) * segs + s % segs;
    for s in 0..segs {
        t.push([0, at(1, s + 1), at(1, s)]);
        t.push([last, at(rings - 1, s), at(rings - 1, s + 1)]);
        for r in 1..rings - 1 {
            t.push([at(r, s), at(r, s + 1), at(r + 1, s + 1)]);
            t.push([at(r, s), at(r + 1, s + 1), at(r + 1, s)]);
        }
    }
    let sdf = Sdf::bake(&p, &t, 0.01, 4, 0.05).expect("bakes");
    assert!(sdf.distance(Vec3::ZERO) < 0.0 && sdf.distance(Vec3::new(0.0, 0.25, 0.0)) > 0.0);
    let (pattern, tris) = sheet(0.6, 0.6, 25, 25);
    let placed = pattern
        .iter()
        .map(|q| Vec3::new(q.x - 0.3, 0.3, q.y - 0.3))
        .collect();
    let mut cloth = Cloth::new(placed, Some(&pattern), tris, COTTON).expect("cloth");
    run(&mut cloth, 3.0, &Params::default(), &sdf);
    let ball = Ball {
        centre: Vec3::ZERO,
        radius: 0.2,
    };
    // Within the mesh's own faceting (about 2 mm for this sphere) of the true ball.
    assert!(cloth.deepest(&ball) <= 0.003, "{}", cloth.deepest(&ball));
}

#[test]
fn a_free_sheet_with_a_ripple_in_it_comes_to_rest_even_if_told_it_cannot_compress() {
    // No gravity, nothing to touch, no bending to speak of, a 0.1 mm ripple: the cloth has
    // nowhere to go. Rigid against compression it used to flutter up to the speed limit.
    let (pattern, tris) = sheet(0.5, 0.5, 34, 34);
    let placed = pattern
        .iter()
        .map(|p| Vec3::new(p.x, p.y, 1e-4 * ((p.x * 91.0).sin() + (p.y * 57.0).cos())))
        .collect();
    let rigid = Mechanics {
        compress_compliance: 0.0,
        bend_compliance: 1e8,
        ..COTTON
    };
    let mut cloth = Cloth::new(placed, Some(&pattern), tris, rigid).expect("cloth");
    let params = Params {
        gravity: Vec3::ZERO,
        max_speed: 0.5,
        ..Params::default()
    };
    run(&mut cloth, 2.0, &params, &NoCollider);
    assert!(cloth.max_speed() < 0.01, "{} m/s", cloth.max_speed());
    let (mean, max) = cloth.strain();
    assert!(mean < 0.001 && max < 0.01, "strain mean {mean} max {max}");
}

#[test]
fn a_triangle_pulled_along_one_thread_shows_that_stretch() {
    let (pattern, tris) = sheet(0.1, 0.1, 3, 3);
    // Placed 20 % wider along x, as it is along y: every triangle is stretched by 1.2.
    let placed: Vec<Vec3> = pattern
        .iter()
        .map(|p| Vec3::new(p.x * 1.2, 0.0, p.y))
        .collect();
    let cloth = Cloth::new(placed.clone(), Some(&pattern), tris.clone(), COTTON).expect("cloth");
    for s in cloth.triangle_stretch() {
        assert!((s - 1.2).abs() < 1e-4, "{s}");
    }
    // At rest (rolled into a tube, an isometry), 1.
    let rolled: Vec<Vec3> = pattern
        .iter()
        .map(|p| Vec3::new((p.x / 0.1).sin() * 0.1, p.y, (p.x / 0.1).cos() * 0.1))
        .collect();
    let cloth = Cloth::new(rolled, Some(&pattern), tris, COTTON).expect("cloth");
    for s in cloth.triangle_stretch() {
        assert!((s - 1.0).abs() < 0.01, "{s}");
    }
}

#[test]
fn a_finely_meshed_silk_sheet_hangs_still() {
    // 1.5 cm spacing, silk's weight and bending: its edges ring far above the substep rate,
    // and without damping along them the whole sheet buzzed and wandered.
    let (pattern, tris) = sheet(0.6, 0.6, 41, 41);
    let placed = pattern.iter().map(|p| Vec3::new(p.x, p.y, 0.0)).collect();
    let silk = Mechanics {
        density: 0.08,
        stretch_compliance: 1.25e-4,
        compress_compliance: 0.1,
        bend_compliance: 5e5,
        friction: 0.3,
        strain_limit: f32::INFINITY,
    };
    let mut cloth = Cloth::new(placed, Some(&pattern), tris, silk).expect("cloth");
    for i in 0..41 {
        cloth.pin(40 * 41 + i);
    }
    run(&mut cloth, 3.0, &Params::default(), &NoCollider);
    assert!(cloth.frame_speed() < 0.005, "{} m/s", cloth.frame_speed());
    let (mean, max) = cloth.strain();
    assert!(mean <= 0.01 && max <= 0.05, "strain mean {mean} max {max}");
}

#[test]
fn a_drape_comes_out_the_same_on_one_core_as_on_several() {
    // 2,304 particles: large enough for the solver to share each substep out.
    let (pattern, tris) = sheet(0.8, 0.8, 48, 48);
    let placed: Vec<Vec3> = pattern
        .iter()
        .map(|p| Vec3::new(p.x - 0.4, 0.3, p.y - 0.4))
        .collect();
    let ball = BallOnFloor(Ball {
        centre: Vec3::ZERO,
        radius: 0.2,
    });
    let drape_on = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .expect("pool");
        let mut cloth =
            Cloth::new(placed.clone(), Some(&pattern), tris.clone(), COTTON).expect("cloth");
        pool.install(|| run(&mut cloth, 1.0, &Params::default(), &ball));
        cloth.positions
    };
    let one = drape_on(1);
    let moved = one
        .iter()
        .zip(&placed)
        .map(|(a, b)| a.distance(*b))
        .fold(0.0, f32::max);
    assert!(moved > 0.1, "the sheet fell only {moved} m");
    for threads in [2, 4] {
        let several = drape_on(threads);
        let worst = one
            .iter()
            .zip(&several)
            .map(|(a, b)| a.distance(*b))
            .fold(0.0, f32::max);
        assert_eq!(worst, 0.0, "{threads} threads: {worst} m from one thread's");
    }
}

/// The floor, y = 0.
struct Floor;

impl Collider for Floor {
    fn sample(&self, p: Vec3) -> (f32, Vec3) {
        (p.y, Vec3::Y)
    }
}

#[test]
fn cloth_lying_on_the_floor_presses_on_it_with_its_weight() {
    let (pattern, tris) = sheet(0.5, 0.5, 21, 21);
    let params = Params::default();
    let placed = pattern
        .iter()
        .map(|p| Vec3::new(p.x, params.skin + 0.01, p.y))
        .collect();
    let mut cloth = Cloth::new(placed, Some(&pattern), tris, COTTON).expect("cloth");
    run(&mut cloth, 1.0, &params, &Floor);
    let pressure = cloth.contact_pressure();
    let weight = COTTON.density * 9.81;
    for (i, p) in pressure.iter().enumerate() {
        assert!(
            (p - weight).abs() < 0.05 * weight,
            "particle {i} presses {p} Pa, its weight is {weight} Pa"
        );
    }
    // Lifted off the floor, it presses on nothing.
    run(&mut cloth, 0.1, &params, &NoCollider);
    assert!(cloth.contact_pressure().iter().all(|p| *p == 0.0));
}

#[test]
fn relaxing_pulls_stretched_cloth_back_to_its_limit_without_pushing_it_into_the_body() {
    // A strain-limited sheet lying on a ball, placed 8 % larger than its pattern: as the
    // collider leaves it after a substep's last push where limit and body disagree.
    let (pattern, tris) = sheet(0.4, 0.4, 17, 17);
    let ball = Ball {
        centre: Vec3::ZERO,
        radius: 0.3,
    };
    let placed: Vec<Vec3> = pattern
        .iter()
        .map(|p| {
            let flat = Vec3::new(p.x - 0.2, 0.0, p.y - 0.2) * 1.08;
            (flat + Vec3::Y * 0.3).normalize() * 0.303
        })
        .collect();
    let limited = Mechanics {
        strain_limit: 0.025,
        ..COTTON
    };
    let mut cloth =
        Cloth::new(placed.clone(), Some(&pattern), tris.clone(), limited).expect("cloth");
    let (_, before) = cloth.strain();
    assert!(before > 0.06, "stretched to start with: {before}");
    cloth.relax(&ball, 0.003, 200);
    let (_, after) = cloth.strain();
    assert!(after <= 0.0255, "relaxed to the 2.5 % limit: {after}");
    assert!(
        cloth.deepest(&ball) <= 0.0,
        "{} m inside",
        cloth.deepest(&ball)
    );
    // Cloth with no limit is left where it is.
    let mut free = Cloth::new(placed.clone(), Some(&pattern), tris, COTTON).expect("cloth");
    free.relax(&ball, 0.003, 200);
    assert_eq!(free.positions, placed);
}

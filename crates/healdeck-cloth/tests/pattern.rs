//! Sewing patterns: a two-panel skirt is sewn shut around a body-sized cylinder (seams closed,
//! waistband at its length, the cloth unstretched), and a pattern sewn wrong is refused,
//! naming the seam or the panel.

use glam::Vec3;
use healdeck_cloth::drape::FRAME;
use healdeck_cloth::pattern::{PatternError, skirt};
use healdeck_cloth::solver::{Collider, Mechanics, Params};

const COTTON: Mechanics = Mechanics {
    density: 0.15,
    stretch_compliance: 0.0,
    compress_compliance: 0.1,
    bend_compliance: 1e4,
    friction: 0.5,
    strain_limit: f32::INFINITY,
};

struct Cylinder(f32);

impl Collider for Cylinder {
    fn sample(&self, p: Vec3) -> (f32, Vec3) {
        let r = Vec3::new(p.x, 0.0, p.z);
        (r.length() - self.0, r.normalize_or(Vec3::X))
    }
}

#[test]
fn a_skirt_is_sewn_shut_around_a_cylinder() {
    // Waist 76 cm, hem 1.4 m, 55 cm long, around a 70 cm cylinder, without gravity (sewing).
    let pattern = skirt(0.76, 1.4, 0.55, Vec3::new(0.0, 1.0, 0.0));
    let mut cloth = pattern.cloth(COTTON).expect("cloth");
    // The waistband's particles: the top edges', level where the skirt is placed.
    let highest = cloth.positions.iter().map(|p| p.y).fold(f32::MIN, f32::max);
    let waist: Vec<usize> = (0..cloth.positions.len())
        .filter(|&i| cloth.positions[i].y > highest - 0.003)
        .collect();
    let body = Cylinder(0.70 / std::f32::consts::TAU);
    let sewing = Params {
        gravity: Vec3::ZERO,
        max_speed: 0.5,
        ..Params::default()
    };
    for _ in 0..90 {
        cloth.step(FRAME, &sewing, &body).expect("steps");
    }
    assert!(
        cloth.widest_stitch() < 0.002,
        "seam open by {}",
        cloth.widest_stitch()
    );
    assert!(cloth.deepest(&body) <= 0.001);
    let (mean, max) = cloth.strain();
    assert!(mean <= 0.01 && max <= 0.05, "strain mean {mean} max {max}");
    // The top is the waistband: a ring about 76 cm round.
    let top: Vec<Vec3> = waist.iter().map(|&i| cloth.positions[i]).collect();
    let girth = std::f32::consts::TAU
        * top
            .iter()
            .map(|p| Vec3::new(p.x, 0.0, p.z).length())
            .sum::<f32>()
        / top.len() as f32;
    assert!((girth - 0.76).abs() < 0.03, "waist girth {girth}");
    // The closed seams weld into single lines of particles (one per stitched pair, two
    // seams down the skirt's sides) and the cloth goes on as one piece.
    let welded = cloth.weld_closed_stitches(0.002);
    assert!(welded >= 2 * 30, "{welded} welded");
    assert_eq!(cloth.widest_stitch(), 0.0);
    for _ in 0..10 {
        cloth.step(FRAME, &sewing, &body).expect("steps");
    }
    let (mean, max) = cloth.strain();
    assert!(
        mean <= 0.01 && max <= 0.05,
        "after welding: strain mean {mean} max {max}"
    );
}

#[test]
fn a_pattern_sewn_wrong_is_refused_naming_the_seam() {
    let mut p = skirt(0.74, 1.4, 0.55, Vec3::ZERO);
    p.panels[1].corners[2].y += 0.3; // the back's right side 30 cm longer than the front's left
    match p.cloth(COTTON) {
        Err(PatternError::SeamLengths(1, ..)) => {}
        other => panic!("{:?}", other.map(|c| c.positions.len())),
    }
    let mut p = skirt(0.74, 1.4, 0.55, Vec3::ZERO);
    p.panels[0].corners[2].x = f32::NAN;
    assert!(matches!(p.cloth(COTTON), Err(PatternError::NotFinite(n)) if n == "front"));
    let mut p = skirt(0.74, 1.4, 0.55, Vec3::ZERO);
    p.panels[0].corners.swap(1, 3); // turned the wrong way
    assert!(matches!(p.cloth(COTTON), Err(PatternError::BadPanel(n)) if n == "front"));
}

#[test]
fn a_panel_narrowing_downwards_is_placed_upright_and_unstretched() {
    // A trouser leg: 60 cm round at the top, 40 cm at the hem, 70 cm long, hem at y = 0.1.
    let p = skirt(0.6, 0.4, 0.7, Vec3::new(0.0, 0.8, 0.0));
    let cloth = p.cloth(COTTON).expect("cloth");
    let (lo, hi) = cloth
        .positions
        .iter()
        .fold((f32::MAX, f32::MIN), |(lo, hi), q| {
            (lo.min(q.y), hi.max(q.y))
        });
    assert!(
        (lo - 0.1).abs() < 0.02 && (hi - 0.8).abs() < 0.02,
        "{lo}..{hi}"
    );
    let (mean, max) = cloth.strain();
    assert!(mean < 0.002 && max < 0.01, "strain mean {mean} max {max}");
    assert!(cloth.widest_stitch() < 0.005, "{}", cloth.widest_stitch());
}

#[test]
fn a_drape_is_watched_through_every_phase_and_stops_when_asked() {
    use healdeck_cloth::drape::sew_and_settle_watched;
    use healdeck_cloth::solver::ClothError;
    let pattern = skirt(0.76, 1.4, 0.4, Vec3::new(0.0, 1.0, 0.0));
    let mut cloth = pattern.cloth(COTTON).expect("cloth");
    let body = Cylinder(0.70 / std::f32::consts::TAU);
    let mut seen = 0;
    // Past sewing (at most 90 steps) and lowering (90): into settling.
    let result = sew_and_settle_watched(
        &mut cloth,
        &Params::default(),
        &body,
        8.0,
        &mut |_, steps| {
            seen = steps;
            steps < 200
        },
    );
    assert_eq!(result.err(), Some(ClothError::Cancelled));
    assert_eq!(seen, 200);
}

#[test]
fn a_drape_is_carried_over_to_the_pattern_graded_for_another_body() {
    let centre = Vec3::new(0.0, 1.0, 0.0);
    let small = skirt(0.70, 1.3, 0.55, centre);
    let cloth = small.cloth(COTTON).expect("cloth");
    // Onto itself: every particle where it was.
    let same = small
        .carry_over(&cloth.positions, &small)
        .expect("the same pattern");
    let apart = |a: &[Vec3], b: &[Vec3]| {
        assert_eq!(a.len(), b.len());
        a.iter()
            .zip(b)
            .map(|(p, q)| p.distance(*q))
            .fold(0.0, f32::max)
    };
    assert!(apart(&same, &cloth.positions) < 1e-5);
    // Onto a larger grading: meshed with more particles, each where the same point of its
    // panel was — the corners exactly, the middle between its neighbours.
    let large = skirt(0.84, 1.5, 0.60, centre);
    let carried = small
        .carry_over(&cloth.positions, &large)
        .expect("the same panels");
    let larger = large.cloth(COTTON).expect("cloth");
    assert_eq!(carried.len(), larger.positions.len());
    assert!(carried.len() > cloth.positions.len());
    let last = |v: &[Vec3]| v[v.len() - 1];
    assert!(carried[0].distance(cloth.positions[0]) < 1e-5);
    assert!(last(&carried).distance(last(&cloth.positions)) < 1e-5);
    let (lo, hi) = cloth
        .positions
        .iter()
        .fold((Vec3::MAX, Vec3::MIN), |(l, h), p| (l.min(*p), h.max(*p)));
    assert!(
        carried
            .iter()
            .all(|p| p.cmpge(lo - 1e-5).all() && p.cmple(hi + 1e-5).all())
    );
    // Other panels, or positions of another cloth: nothing to carry.
    let mut three = large.clone();
    three.panels.push(three.panels[0].clone());
    assert!(small.carry_over(&cloth.positions, &three).is_none());
    assert!(small.carry_over(&cloth.positions[1..], &large).is_none());
}

//! Panels with curved edges: a flared skirt's gores are meshed between their arcs and rolled
//! into a cone with the waist and the hem level and the cloth unstretched; a V cut into an
//! edge is followed by the mesh; a panel whose outline crosses itself, or curves so far that
//! its mesh would fold over, is refused by name.

use glam::{Vec2, Vec3};
use healdeck_cloth::outline::arc;
use healdeck_cloth::pattern::{Edge, Panel, Pattern, PatternError, Placement, skirt};
use healdeck_cloth::solver::Mechanics;

const COTTON: Mechanics = Mechanics {
    density: 0.15,
    stretch_compliance: 0.0,
    compress_compliance: 0.1,
    bend_compliance: 1e4,
    friction: 0.5,
    strain_limit: f32::INFINITY,
};

/// The heights of the particles within `band` of the highest and of the lowest.
fn ends(positions: &[Vec3], band: f32) -> (Vec<Vec3>, Vec<Vec3>) {
    let hi = positions.iter().map(|p| p.y).fold(f32::MIN, f32::max);
    let lo = positions.iter().map(|p| p.y).fold(f32::MAX, f32::min);
    (
        positions
            .iter()
            .copied()
            .filter(|p| p.y > hi - band)
            .collect(),
        positions
            .iter()
            .copied()
            .filter(|p| p.y < lo + band)
            .collect(),
    )
}

#[test]
fn a_flared_skirt_is_placed_with_its_waist_and_hem_level_and_unstretched() {
    // Waist 72 cm, hem 2.6 m (more than half a circle), 60 cm long, the waist at y = 1.
    let pattern = skirt(0.72, 2.6, 0.6, Vec3::new(0.0, 1.0, 0.0));
    assert!(!pattern.panels[0].via[Edge::Bottom as usize].is_empty());
    let cloth = pattern.cloth(COTTON).expect("cloth");
    let (mean, max) = cloth.strain();
    assert!(mean < 0.002 && max < 0.01, "strain mean {mean} max {max}");
    assert!(cloth.widest_stitch() < 0.005, "{}", cloth.widest_stitch());
    // The waist: every particle of the top edges at y = 1 (within 2 mm), on a ring 72 cm
    // round; the hem level too, 2.6 m round.
    let (top, bottom) = ends(&cloth.positions, 0.01);
    for (ring, girth) in [(&top, 0.72), (&bottom, 2.6)] {
        let ys: Vec<f32> = ring.iter().map(|p| p.y).collect();
        let spread =
            ys.iter().fold(f32::MIN, |a, &b| a.max(b)) - ys.iter().fold(f32::MAX, |a, &b| a.min(b));
        assert!(
            spread < 0.002,
            "a ring {girth} m round is {spread} m out of level"
        );
        let radius = ring
            .iter()
            .map(|p| Vec3::new(p.x, 0.0, p.z).length())
            .sum::<f32>()
            / ring.len() as f32;
        let round = radius * std::f32::consts::TAU;
        assert!(
            (round - girth).abs() < 0.02 * girth,
            "{round} m round, cut for {girth}"
        );
    }
    assert!((top[0].y - 1.0).abs() < 0.005, "waist at {}", top[0].y);
    // Each row has the particles its own length needs: the waist's short rows are not
    // crowded into slivers (a grid would give the waist the hem's 87 columns, 4 mm apart).
    let flat = cloth.pattern_points().expect("flat");
    let (mut shortest, mut longest) = (f32::MAX, 0f32);
    for t in &cloth.triangles {
        let [a, b, c] = t.map(|k| flat[k as usize]);
        for (p, q) in [(a, b), (b, c), (c, a)] {
            shortest = shortest.min(p.distance(q));
            longest = longest.max(p.distance(q));
        }
    }
    let spacing = pattern.spacing;
    assert!(
        shortest > 0.6 * spacing && longest < 2.0 * spacing,
        "edges {shortest}..{longest} m at {spacing} m spacing"
    );
}

fn square(name: &str) -> Panel {
    Panel::new(
        name,
        [
            Vec2::new(0.0, 0.0),
            Vec2::new(0.4, 0.0),
            Vec2::new(0.4, 0.5),
            Vec2::new(0.0, 0.5),
        ],
        Placement::around_y(Vec3::ZERO, 0.3, 0.0),
    )
}

fn one_panel(panel: Panel) -> Pattern {
    Pattern {
        panels: vec![panel],
        seams: Vec::new(),
        bands: Vec::new(),
        tapes: Vec::new(),
        spacing: 0.02,
    }
}

#[test]
fn a_v_cut_into_the_top_edge_is_followed_by_the_mesh() {
    // A front with a V neckline 15 cm deep in the middle of its top edge.
    let panel = square("front").with_edge(Edge::Top, vec![Vec2::new(0.2, 0.35)]);
    let cloth = one_panel(panel).cloth(COTTON).expect("cloth");
    let rest = cloth
        .pattern_points()
        .expect("a pattern's cloth has its flat shape");
    // The V's point is a particle, and nothing of the panel is above the V's sides.
    assert!(rest.iter().any(|q| q.distance(Vec2::new(0.2, 0.35)) < 1e-4));
    let above_v = |q: &Vec2| q.y > 0.35 + (q.x - 0.2).abs() * 0.75 + 1e-3;
    assert!(!rest.iter().any(above_v), "the mesh fills the V");
    // The panel is still 40 × 50 cm less the V's triangle: the mesh's area.
    let area: f32 = cloth
        .triangles
        .iter()
        .map(|t| {
            let [a, b, c] = t.map(|k| rest[k as usize]);
            (b - a).perp_dot(c - a) / 2.0
        })
        .sum();
    assert!(
        (area - (0.2 - 0.4 * 0.15 / 2.0)).abs() < 1e-3,
        "area {area}"
    );
}

#[test]
fn a_panel_that_crosses_itself_or_folds_over_is_refused_by_name() {
    // The top edge dips below the bottom edge.
    let crossing = square("front").with_edge(Edge::Top, vec![Vec2::new(0.2, -0.1)]);
    match one_panel(crossing).cloth(COTTON) {
        Err(e @ PatternError::CrossesItself(_)) => {
            assert!(e.to_string().contains("'front'"), "{e}")
        }
        other => panic!("{:?}", other.map(|c| c.positions.len())),
    }
    //     // A top edge that runs back on itself (an S): the columns between it and the bottom cross.
    let folding = square("back").with_edge(
        Edge::Top,
        vec![
            Vec2::new(0.1, 0.52),
            Vec2::new(0.3, 0.7),
            Vec2::new(0.0, 0.72),
        ],
    );
    match one_panel(folding).cloth(COTTON) {
        Err(e @ PatternError::FoldsOver(_)) => assert!(e.to_string().contains("'back'"), "{e}"),
        other => panic!("{:?}", other.map(|c| c.positions.len())),
    }
    // NaN in a curve.
    let nan = square("sleeve").with_edge(Edge::Bottom, vec![Vec2::new(f32::NAN, 0.0)]);
    assert!(
        matches!(one_panel(nan).cloth(COTTON), Err(PatternError::NotFinite(n)) if n == "sleeve")
    );
}

#[test]
fn an_arc_runs_round_its_centre_every_two_degrees() {
    let centre = Vec2::new(1.0, 2.0);
    let (from, to) = (centre + Vec2::new(0.0, -1.0), centre + Vec2::new(1.0, 0.0));
    let points = arc(from, to, centre);
    assert_eq!(points.len(), 44, "90° in 45 steps");
    for p in &points {
        assert!((p.distance(centre) - 1.0).abs() < 1e-5);
    }
    assert!(points[0].distance(from) < 0.04 && points[43].distance(to) < 0.04);
}

//! Draping garments from their patterns on the avatar: a skirt and a dress on each template
//! settle with the cloth barely stretched and nothing inside the body; denim stands off the
//! body where silk falls close; a skirt drafted for a smaller body shows its tightness on the
//! strain map in a knit and on the pressure map in a woven (held at its strain limit); another fabric drapes from where the last drape of the same pattern ended.

use glam::Vec3;
use healdeck_cloth::drape::sew_and_settle;
use healdeck_cloth::solver::Params;
use healdeck_render::avatar::{Body, Template};
use healdeck_render::drape::{Draped, Studio, body_collider, drape, fabric::FabricPhysics};
use healdeck_render::garment::GarmentSpec;
use healdeck_render::sizes::named;

fn spec(json: &str) -> GarmentSpec {
    GarmentSpec::from_json(json).expect("spec")
}

fn check(d: &Draped, what: &str) {
    let r = &d.report;
    println!("{what}: {r:?}");
    assert!(r.settled, "{what} did not settle: {r:?}");
    assert!(r.mean_strain_pct <= 1.0, "{what}: {r:?}");
    // Woven cloth stays within its 2.5 % strain limit once relaxed against the body at rest
    // but where the body holds it out: worst edges 2.5 % (skirts) to 2.8 % (a cotton dress at
    // a strap; 3.3 % for a silk one), 19–24 % before the limit.
    assert!(r.max_strain_pct <= 5.0, "{what}: {r:?}");
    assert!(r.max_penetration_mm <= 1.0, "{what}: {r:?}");
    assert!(r.particles > 3000 && r.triangles > 5000, "{what}: {r:?}");
}

fn skirt_and_dress_on(template: Template) {
    let body = Body::new(template, template.defaults()).expect("body");
    let collider = body_collider(&body).expect("collider");
    let skirt = drape(
        &spec(r#"{"type": "skirt", "length": 0.5, "fabric": "linen"}"#),
        &body,
        &collider,
    )
    .expect("skirt drapes");
    check(&skirt, &format!("{template:?} skirt"));
    // The skirt hangs from the waist region: its top is within 12 cm below the waist.
    let top = skirt.positions.iter().map(|p| p.y).fold(f32::MIN, f32::max);
    let waist = body.skeleton.waist_y;
    assert!(top > waist - 0.12, "skirt top {top}, waist {waist}");
    let dress = drape(
        &spec(r#"{"type": "dress", "length": 0.7, "fabric": "cotton"}"#),
        &body,
        &collider,
    )
    .expect("dress drapes");
    check(&dress, &format!("{template:?} dress"));
    // The dress hangs from the shoulders: its straps are above the bust.
    let top = dress.positions.iter().map(|p| p.y).fold(f32::MIN, f32::max);
    assert!(top > body.skeleton.chest_y + 0.1, "dress top {top}");
}

#[test]
fn a_skirt_and_a_dress_drape_on_the_female_avatar() {
    skirt_and_dress_on(Template::Female);
}

#[test]
fn a_skirt_and_a_dress_drape_on_the_male_avatar() {
    skirt_and_dress_on(Template::Male);
}

#[test]
fn a_skirt_and_a_dress_drape_on_the_neutral_avatar() {
    skirt_and_dress_on(Template::Neutral);
}

/// The garment's area seen from the front (m²): its triangles rasterised on a 5 mm grid.
fn front_silhouette(d: &Draped) -> f32 {
    const CELL: f32 = 0.005;
    let mut cells = std::collections::HashSet::new();
    for t in &d.triangles {
        let [a, b, c] = t.map(|i| d.positions[i as usize]);
        let (lo, hi) = (a.min(b).min(c), a.max(b).max(c));
        let (x0, x1) = ((lo.x / CELL).floor() as i32, (hi.x / CELL).ceil() as i32);
        let (y0, y1) = ((lo.y / CELL).floor() as i32, (hi.y / CELL).ceil() as i32);
        for gx in x0..=x1 {
            for gy in y0..=y1 {
                let p = Vec3::new((gx as f32 + 0.5) * CELL, (gy as f32 + 0.5) * CELL, 0.0);
                let side = |u: Vec3, v: Vec3| (v.x - u.x) * (p.y - u.y) - (v.y - u.y) * (p.x - u.x);
                let (s0, s1, s2) = (side(a, b), side(b, c), side(c, a));
                let inside =
                    (s0 >= 0.0 && s1 >= 0.0 && s2 >= 0.0) || (s0 <= 0.0 && s1 <= 0.0 && s2 <= 0.0);
                if inside {
                    cells.insert((gx, gy));
                }
            }
        }
    }
    cells.len() as f32 * CELL * CELL
}

/// The girth of the cloth's footprint (m): the convex hull of all of it seen from below,
/// which on a flared skirt is its hem's outer reach; a stiffer fabric stands out in fewer,
/// wider folds and spans a larger hull. (All of the cloth, not its lowest few centimetres:
/// a hem that hangs a little lower on one side than the other would leave the rest out.)
fn footprint_girth(d: &Draped) -> f32 {
    let mut pts: Vec<(f32, f32)> = d.positions.iter().map(|p| (p.x, p.z)).collect();
    pts.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.total_cmp(&b.1)));
    let cross = |o: (f32, f32), a: (f32, f32), b: (f32, f32)| {
        (a.0 - o.0) * (b.1 - o.1) - (a.1 - o.1) * (b.0 - o.0)
    };
    let mut hull: Vec<(f32, f32)> = Vec::new();
    for pass in 0..2 {
        let start = hull.len();
        let iter: Box<dyn Iterator<Item = &(f32, f32)>> = if pass == 0 {
            Box::new(pts.iter())
        } else {
            Box::new(pts.iter().rev())
        };
        for &p in iter {
            while hull.len() >= start + 2
                && cross(hull[hull.len() - 2], hull[hull.len() - 1], p) <= 0.0
            {
                hull.pop();
            }
            hull.push(p);
        }
        hull.pop();
    }
    (0..hull.len())
        .map(|i| {
            let (a, b) = (hull[i], hull[(i + 1) % hull.len()]);
            ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt()
        })
        .sum()
}

#[test]
fn denim_stands_off_the_body_where_silk_falls_close() {
    let body = Body::new(Template::Female, Template::Female.defaults()).expect("body");
    let collider = body_collider(&body).expect("collider");
    let of = |fabric: &str| {
        drape(
            &spec(&format!(
                r#"{{"type": "skirt", "length": 0.6, "flare": 0.5, "fabric": "{fabric}"}}"#
            )),
            &body,
            &collider,
        )
        .expect("drapes")
    };
    let (silk, denim) = (of("silk"), of("denim"));
    let (a_silk, a_denim) = (front_silhouette(&silk), front_silhouette(&denim));
    println!("front silhouette: silk {a_silk:.4} m², denim {a_denim:.4} m²");
    let (h_silk, h_denim) = (footprint_girth(&silk), footprint_girth(&denim));
    println!("footprint girth: silk {h_silk:.3} m, denim {h_denim:.3} m");
    // A flared skirt: denim stands out in wide folds, silk falls in narrow ones (measured:
    // front silhouette 0.409-0.414 m² against 0.354-0.361 m², footprint girth 2.00 m against
    // 1.58 m — the folds land a little differently on bodies a fraction of a millimetre
    // apart, which is what the avatar's solve gives from another starting point).
    assert!(
        a_denim > a_silk * 1.08,
        "silk {a_silk} m², denim {a_denim} m²"
    );
    assert!(
        h_denim > h_silk * 1.1,
        "footprint: silk {h_silk} m, denim {h_denim} m"
    );
}

/// The smaller body's pattern of `skirt`, sewn and settled on the larger body's collider.
fn drafted_for(
    skirt: &GarmentSpec,
    small: &Body,
    collider: &Studio,
) -> healdeck_cloth::solver::Cloth {
    let pattern = healdeck_render::drape::programs::draft(skirt, small)
        .wrapped()
        .expect("a skirt is wrapped");
    let mut tight = pattern
        .cloth(FabricPhysics::of(skirt.fabric).mechanics())
        .expect("cloth");
    sew_and_settle(&mut tight, &Params::default(), collider, 8.0).expect("drapes");
    tight
}

#[test]
fn a_skirt_drafted_for_a_smaller_body_is_tight_on_the_strain_and_pressure_maps() {
    let size = |name: &str| {
        let m = named(Template::Female, name).expect("size").measurements;
        Body::new(Template::Female, m).expect("body")
    };
    let (small, large) = (size("EU 36"), size("EU 44"));
    let collider = body_collider(&large).expect("collider");
    let cotton = spec(r#"{"type": "skirt", "length": 0.4, "fit": "tight", "fabric": "cotton"}"#);
    let knit = spec(r#"{"type": "skirt", "length": 0.4, "fit": "tight", "fabric": "knit"}"#);
    let fitted = drape(&cotton, &large, &collider).expect("drapes");
    let share =
        |s: &[f32], over: f32| s.iter().filter(|&&x| x > over).count() as f32 / s.len() as f32;
    // A knit gives: the strain map's bands show the smaller skirt stretched over 10 %.
    let knit_stretch = drafted_for(&knit, &small, &collider).triangle_stretch();
    println!(
        "triangles stretched over 10 %: fitted cotton {:.1} %, tight knit {:.1} %",
        share(&fitted.stretch, 1.1) * 100.0,
        share(&knit_stretch, 1.1) * 100.0
    );
    assert!(
        share(&knit_stretch, 1.1) > 0.05,
        "{}",
        share(&knit_stretch, 1.1)
    );
    assert!(share(&knit_stretch, 1.1) > 4.0 * share(&fitted.stretch, 1.1).max(0.001));
    // A woven's yarns jam at a few percent: the smaller cotton skirt is held at its strain
    // limit over much more of it than the fitted one, no further, and presses on the body.
    let tight = drafted_for(&cotton, &small, &collider);
    let stretch = tight.triangle_stretch();
    let (near_limit, fitted_near) = (share(&stretch, 1.02), share(&fitted.stretch, 1.02));
    println!(
        "triangles stretched over 2 %: fitted cotton {:.1} %, tight cotton {:.1} %",
        fitted_near * 100.0,
        near_limit * 100.0
    );
    assert!(
        near_limit > 3.0 * fitted_near.max(0.001),
        "{near_limit} vs {fitted_near}"
    );
    assert!(
        share(&stretch, 1.1) < 0.05,
        "a woven stretched past 10 %: {}",
        share(&stretch, 1.1)
    );
    // It presses harder on the body, over more of it: the pressure map's mean over the
    // cloth that touches the body, and how much of the cloth does.
    let touching = |p: &[f32]| {
        let on: Vec<f32> = p.iter().copied().filter(|&x| x > 0.0).collect();
        let mean = on.iter().sum::<f32>() / on.len().max(1) as f32;
        (mean, on.len() as f32 / p.len() as f32)
    };
    let ((loose, loose_share), (hard, hard_share)) = (
        touching(&fitted.pressure),
        touching(&tight.contact_pressure()),
    );
    println!(
        "pressure on the body: fitted {loose:.0} Pa over {:.1} % of the cloth, tight {hard:.0} \
         Pa over {:.1} %",
        loose_share * 100.0,
        hard_share * 100.0
    );
    assert!(
        loose > 1.0,
        "the fitted skirt rests on the hips: {loose} Pa"
    );
    assert!(hard > 2.0 * loose, "tight {hard} Pa, fitted {loose} Pa");
    assert!(
        hard_share > 2.0 * loose_share,
        "tight {hard_share}, fitted {loose_share} of the cloth on the body"
    );
}

#[test]
fn trousers_and_shorts_drape_with_a_tube_round_each_leg_on_every_avatar() {
    for template in [Template::Female, Template::Male, Template::Neutral] {
        let body = Body::new(template, template.defaults()).expect("body");
        let collider = body_collider(&body).expect("collider");
        for (kind, ring) in [("pants", 3), ("shorts", 2)] {
            let what = format!("{template:?} {kind}");
            let d = drape(
                &spec(&format!(
                    r#"{{"type": "{kind}", "length": 0.8, "fabric": "denim"}}"#
                )),
                &body,
                &collider,
            )
            .unwrap_or_else(|e| panic!("{what}: {e}"));
            let r = &d.report;
            println!("{what}: {r:?}");
            assert!(r.settled && r.mean_strain_pct <= 1.0, "{what}: {r:?}");
            // The worst edge is a seam's, where the four panels meet under the body:
            // 2.5–4.0 % with denim's strain limit (9–21 % before it).
            assert!(r.max_strain_pct <= 5.0, "{what}: {r:?}");
            assert!(r.max_penetration_mm <= 1.0, "{what}: {r:?}");
            let top = d.positions.iter().map(|p| p.y).fold(f32::MIN, f32::max);
            assert!(top > body.skeleton.waist_y - 0.12, "{what}: top {top}");
            // Round each leg (at the knee for trousers, mid-thigh for shorts): cloth on its
            // outer and inner side, in front and behind, within 15 cm.
            for leg in &body.skeleton.legs {
                let c = leg[ring].center;
                let near: Vec<Vec3> = d
                    .positions
                    .iter()
                    .copied()
                    .filter(|p| (p.y - c.y).abs() < 0.02 && (*p - c).length() < 0.15)
                    .collect();
                let sides = [
                    near.iter().any(|p| p.x > c.x + 0.03),
                    near.iter().any(|p| p.x < c.x - 0.03),
                    near.iter().any(|p| p.z > c.z + 0.03),
                    near.iter().any(|p| p.z < c.z - 0.03),
                ];
                assert!(sides.iter().all(|s| *s), "{what}: leg at {c}: {sides:?}");
            }
        }
    }
}

#[test]
fn another_fabric_drapes_from_where_the_last_drape_ended() {
    use healdeck_render::drape::{Solver, drape_on, programs::SPACING};
    let body = Body::new(Template::Neutral, Template::Neutral.defaults()).expect("body");
    let collider = body_collider(&body).expect("collider");
    let cotton = spec(r#"{"type": "skirt", "length": 0.5, "fabric": "cotton"}"#);
    let denim = spec(r#"{"type": "skirt", "length": 0.5, "fabric": "denim"}"#);
    let first = drape(&cotton, &body, &collider).expect("cotton drapes");
    let cold = drape(&denim, &body, &collider).expect("denim drapes");
    let mut nothing = |_: &healdeck_render::drape::Cloth, _: u32| true;
    let warm = drape_on(
        &denim,
        &body,
        &collider,
        SPACING,
        &Solver::Cpu,
        Some(&first.positions),
        &mut nothing,
    )
    .expect("denim drapes from the cotton's drape");
    println!("cold: {:?}\nwarm: {:?}", cold.report, warm.report);
    check(&warm, "warm denim skirt");
    // No sewing and no lowering: only the settling into the new fabric's shape (a quarter
    // fewer steps at least; 155 against 240 here).
    assert!(
        4 * warm.report.steps < 3 * cold.report.steps,
        "{} vs {}",
        warm.report.steps,
        cold.report.steps
    );
    // The same skirt as a cold drape: its hem reaching as far to the side, within 2 cm.
    let hem = |d: &Draped| d.positions.iter().map(|p| p.x).fold(f32::MIN, f32::max);
    assert!(
        (hem(&warm) - hem(&cold)).abs() < 0.02,
        "{} vs {}",
        hem(&warm),
        hem(&cold)
    );
    // A different pattern (another length) cannot start from it: it drapes from scratch.
    let longer = spec(r#"{"type": "skirt", "length": 0.7, "fabric": "denim"}"#);
    let fresh = drape_on(
        &longer,
        &body,
        &collider,
        SPACING,
        &Solver::Cpu,
        Some(&first.positions),
        &mut nothing,
    )
    .expect("drapes");
    assert!(fresh.report.steps >= 160, "{:?}", fresh.report);
}

#[test]
fn a_drape_is_carried_over_to_the_body_in_another_size() {
    use healdeck_render::drape::carry::carried_over;
    use healdeck_render::drape::{Solver, drape_on, programs::SPACING};
    let size = |name: &str| {
        let m = named(Template::Female, name).expect("size").measurements;
        Body::new(Template::Female, m).expect("body")
    };
    let (small, large) = (size("EU 38"), size("EU 42"));
    let collider = body_collider(&large).expect("collider");
    let mut nothing = |_: &healdeck_render::drape::Cloth, _: u32| true;
    // No sewing and no lowering: a quarter fewer steps than from scratch at least (a silk
    // dress 178 against 404 here).
    for json in [
        r#"{"type": "skirt", "length": 0.5, "fabric": "cotton"}"#,
        r#"{"type": "dress", "length": 0.8, "fabric": "silk"}"#,
        r#"{"type": "pants", "length": 0.8, "fabric": "denim"}"#,
    ] {
        let garment = spec(json);
        let before = drape(&garment, &small, &body_collider(&small).expect("collider"))
            .expect("drapes on EU 38");
        let cold = drape(&garment, &large, &collider).expect("drapes on EU 42");
        let start = carried_over(&garment, SPACING, &small, &before.positions, &large)
            .expect("the same garment, graded again");
        let warm = drape_on(
            &garment,
            &large,
            &collider,
            SPACING,
            &Solver::Cpu,
            Some(&start),
            &mut nothing,
        )
        .expect("drapes from the EU 38 drape");
        let what = format!("{} carried to EU 42", warm.report.garment);
        println!("cold: {:?}", cold.report);
        check(&warm, &what);
        assert_eq!(warm.report.particles, cold.report.particles, "{what}");
        assert!(
            4 * warm.report.steps < 3 * cold.report.steps,
            "{what}: {} vs {} steps",
            warm.report.steps,
            cold.report.steps
        );
        // And the larger body's garment, not the smaller one's: as wide at the hips.
        // (The hem is left out: a silk hem swings to where its own history left it.)
        let hips = large.skeleton.hip_y;
        let widest = |d: &Draped| {
            d.positions
                .iter()
                .filter(|p| (p.y - hips).abs() < 0.05)
                .map(|p| p.x.abs())
                .fold(0.0, f32::max)
        };
        assert!(
            (widest(&warm) - widest(&cold)).abs() < 0.02,
            "{what}: {} vs {}",
            widest(&warm),
            widest(&cold)
        );
    }
    // Another template's body: nothing to carry.
    let male = Body::new(Template::Male, Template::Male.defaults()).expect("body");
    let skirt = spec(r#"{"type": "skirt", "length": 0.5, "fabric": "cotton"}"#);
    let d = drape(&skirt, &small, &body_collider(&small).expect("collider")).expect("drapes");
    assert!(carried_over(&skirt, SPACING, &small, &d.positions, &male).is_none());
}

#[test]
fn the_flare_widens_the_hem_as_a_pattern_change_and_a_bad_flare_is_refused() {
    let body = Body::new(Template::Female, Template::Female.defaults()).expect("body");
    let hem = |json: &str, panel: usize| {
        let pattern = healdeck_render::drape::programs::draft(&spec(json), &body)
            .wrapped()
            .expect("wrapped");
        pattern.panels[panel].edge_length(healdeck_cloth::pattern::Edge::Bottom) * 2.0
    };
    // The skirt's front gore: a skirt's first panel, a dress's third (after its bodice).
    for (kind, front) in [("skirt", 0), ("dress", 2)] {
        let of = |flare: f32| hem(&format!(r#"{{"type": "{kind}", "flare": {flare}}}"#), front);
        let (straight, flared, full) = (of(0.0), of(0.5), of(1.0));
        println!("{kind} hem: {straight:.2} m, {flared:.2} m, {full:.2} m");
        assert!(straight < flared && flared < full, "{kind}");
        assert!(full > 2.0 * straight, "{kind}: {full} against {straight}");
    }
    for bad in [
        r#"{"type": "skirt", "flare": 1.5}"#,
        r#"{"type": "skirt", "flare": -0.1}"#,
    ] {
        let err = GarmentSpec::from_json(bad).expect_err("refused");
        assert!(err.to_string().contains("flare"), "{err}");
    }
}

//! An outfit: a t-shirt draped over jeans hangs over the jeans' waistband, none of it inside
//! the denim — where the same t-shirt draped on the bare body would be partly inside it —
//! and the jeans are draped first whatever order the outfit is given in.

use healdeck_render::avatar::{Body, Template};
use healdeck_render::drape::outfit::{Layer, drape_outfit, layer_of};
use healdeck_render::drape::programs::SPACING;
use healdeck_render::drape::{Draped, Solver, body_collider, drape};
use healdeck_render::garment::{GarmentSpec, GarmentType};

/// How many of `d`'s particles are inside `layer` (deeper than half a millimetre).
fn inside(d: &Draped, layer: &Layer) -> usize {
    d.positions
        .iter()
        .filter(|p| layer.sample(**p).0 < -0.0005)
        .count()
}

#[test]
fn a_tshirt_hangs_over_the_jeans_waistband_not_through_it() {
    let body = Body::new(Template::Male, Template::Male.defaults()).expect("body");
    let studio = body_collider(&body).expect("collider");
    let tee = GarmentSpec::from_json(r#"{"type": "tshirt", "fabric": "knit"}"#).expect("spec");
    let jeans = GarmentSpec::from_json(r#"{"type": "pants", "fabric": "denim"}"#).expect("spec");
    let mut order = Vec::new();
    let drapes = drape_outfit(
        &[tee.clone(), jeans.clone()],
        &body,
        &studio,
        SPACING,
        &Solver::Cpu,
        &[],
        &mut |i, _, _| {
            if order.last() != Some(&i) {
                order.push(i);
            }
            true
        },
    )
    .unwrap_or_else(|(i, e)| panic!("garment {i}: {e}"));
    assert_eq!(order, [1, 0], "the jeans first, then the t-shirt over them");
    let (over, under) = (&drapes[0], &drapes[1]);
    for d in &drapes {
        let r = &d.report;
        println!("{r:?}");
        assert!(r.settled && r.max_penetration_mm <= 1.0, "{r:?}");
    }
    assert_eq!(over.report.garment, "knit tshirt");
    // The t-shirt's hem is below the jeans' waistband: the two overlap.
    let waistband = under.positions.iter().map(|p| p.y).fold(f32::MIN, f32::max);
    let hem = over.positions.iter().map(|p| p.y).fold(f32::MAX, f32::min);
    assert!(hem < waistband - 0.05, "hem {hem}, waistband {waistband}");
    let denim = Layer::of(under, 0.003).expect("layer");
    assert_eq!(inside(over, &denim), 0, "t-shirt cloth inside the jeans");
    // Draped alone, the same t-shirt goes through them.
    let alone = drape(&tee, &body, &studio).expect("drapes");
    assert!(inside(&alone, &denim) > 20, "{}", inside(&alone, &denim));
}

#[test]
fn garments_are_worn_from_the_inside_out() {
    use GarmentType::*;
    assert!(layer_of(Pants) < layer_of(Tshirt));
    assert!(layer_of(Skirt) < layer_of(Shirt));
    assert!(layer_of(Shirt) < layer_of(Hoodie));
    assert!(layer_of(Hoodie) < layer_of(Jacket));
}

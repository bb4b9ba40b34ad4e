//! Tops sewn from their patterns on every avatar: a t-shirt, a shirt, a hoodie and a jacket
//! settle hanging from the shoulders, each sleeve a tube round its arm (the long ones down
//! the forearm), the shirt's and jacket's collars standing round the neck, the hoodie's hood
//! over the head with the face left open — the cloth barely stretched and out of the body;
//! a t-shirt's V and scoop necklines cut into its front.

use glam::Vec3;
use healdeck_render::avatar::{Body, Template};
use healdeck_render::drape::{Draped, body_collider, drape};
use healdeck_render::garment::GarmentSpec;
use healdeck_render::mesh::Ring;

/// Cloth on all four sides of `ring` (within `reach` of its centre, 2 cm along its axis).
fn wrapped_round(d: &Draped, ring: &Ring, reach: f32) -> [bool; 4] {
    let axis = ring.u.cross(ring.v).normalize();
    let near: Vec<Vec3> = d
        .positions
        .iter()
        .map(|p| *p - ring.center)
        .filter(|p| p.dot(axis).abs() < 0.02 && p.length() < reach)
        .collect();
    let side = |dir: Vec3| near.iter().any(|p| p.dot(dir) > 0.03);
    [side(ring.u), side(-ring.u), side(ring.v), side(-ring.v)]
}

fn tops_on(template: Template) {
    let body = Body::new(template, template.defaults()).expect("body");
    let s = &body.skeleton;
    let collider = body_collider(&body).expect("collider");
    for kind in ["tshirt", "shirt", "hoodie", "jacket"] {
        let what = format!("{template:?} {kind}");
        let spec = GarmentSpec::from_json(&format!(r#"{{"type": "{kind}"}}"#)).expect("spec");
        let d = drape(&spec, &body, &collider).unwrap_or_else(|e| panic!("{what}: {e}"));
        let r = &d.report;
        println!("{what}: {r:?}");
        assert!(r.settled && r.mean_strain_pct <= 1.0, "{what}: {r:?}");
        // Cotton's strain limit, relaxed against the body at rest, holds the worst edges to
        // 2.5–3.0 % (the male hoodie's hood seam, where it stands against the back of the
        // head: up to 32 % before the limit).
        assert!(r.max_strain_pct <= 5.0, "{what}: {r:?}");
        assert!(r.max_penetration_mm <= 1.0, "{what}: {r:?}");
        // It hangs from the shoulders, its hem below the waist.
        let top = d.positions.iter().map(|p| p.y).fold(f32::MIN, f32::max);
        let hem = d.positions.iter().map(|p| p.y).fold(f32::MAX, f32::min);
        assert!(top > s.shoulder_y, "{what}: top {top}");
        assert!(hem < s.waist_y - 0.05, "{what}: hem {hem}");
        for arm in &s.arms {
            let upper = wrapped_round(&d, &arm[2], 0.15);
            assert!(upper.iter().all(|x| *x), "{what}: upper arm {upper:?}");
            let forearm = wrapped_round(&d, &arm[6], 0.15);
            let long = kind != "tshirt";
            assert_eq!(
                forearm.iter().all(|x| *x),
                long,
                "{what}: forearm {forearm:?}"
            );
        }
        let head = s.head_center;
        let radii = s.head_radii;
        let over_head = d
            .positions
            .iter()
            .any(|p| p.y > head.y + radii.y - 0.02 && (*p - head).truncate().length() < 0.1);
        assert_eq!(over_head, kind == "hoodie", "{what}: cloth over the head");
        if kind == "hoodie" {
            // The face is open: nothing in front of the eyes, nose or mouth (from 5 cm below
            // the head's centre to 2 cm above it). The hood's brim may come down to the brow,
            // as a cotton hood's does (the neutral avatar's: 2.7 cm above the centre).
            let on_face = d.positions.iter().any(|p| {
                (-0.05..0.02).contains(&(p.y - head.y))
                    && p.x.abs() < 0.03
                    && p.z > head.z + radii.z - 0.03
            });
            assert!(!on_face, "{what}: the hood covers the face");
        }
        if kind == "shirt" || kind == "jacket" {
            // A collar stands round the neck, behind it too.
            let neck = s.torso.last().expect("neck ring").center;
            let collar_back = d
                .positions
                .iter()
                .any(|p| p.y > s.neck_y - 0.02 && p.z < neck.z - 0.03 && p.x.abs() < 0.04);
            assert!(collar_back, "{what}: no collar behind the neck");
        }
    }
}

#[test]
fn tops_drape_on_the_female_avatar() {
    tops_on(Template::Female);
}

#[test]
fn tops_drape_on_the_male_avatar() {
    tops_on(Template::Male);
}

#[test]
fn tops_drape_on_the_neutral_avatar() {
    tops_on(Template::Neutral);
}

/// The height of the cloth's top in front of the body within a centimetre of `x`, below the
/// shoulders' line and above the chest's (where a neckline is).
fn front_top_at(d: &Draped, body: &Body, x: f32) -> f32 {
    let s = &body.skeleton;
    d.positions
        .iter()
        .filter(|p| (p.x - x).abs() < 0.01 && p.z > 0.0 && p.y > s.chest_y - 0.1)
        .map(|p| p.y)
        .fold(f32::MIN, f32::max)
}

#[test]
fn v_and_scoop_necklines_are_cut_into_the_front() {
    let body = Body::new(Template::Female, Template::Female.defaults()).expect("body");
    let collider = body_collider(&body).expect("collider");
    let tee = |neckline: &str| {
        let json = format!(r#"{{"type": "tshirt", "neckline": "{neckline}"}}"#);
        let spec = GarmentSpec::from_json(&json).expect("spec");
        let d = drape(&spec, &body, &collider).expect("drapes");
        let r = &d.report;
        println!("{neckline}: {r:?}");
        assert!(r.settled && r.mean_strain_pct <= 1.0, "{neckline}: {r:?}");
        // Within cotton's strain limit (2.9–3.4 %; 9–16 % at the armpits before it): the
        // neckline's own corners are no slivers.
        assert!(r.max_strain_pct <= 5.0, "{neckline}: {r:?}");
        assert!(r.max_penetration_mm <= 1.0, "{neckline}: {r:?}");
        let centre = front_top_at(&d, &body, 0.0);
        // How much higher the neckline is 4 cm either side of the centre front.
        let rise = (front_top_at(&d, &body, -0.04) + front_top_at(&d, &body, 0.04)) / 2.0 - centre;
        println!("{neckline}: centre front at {centre:.3} m, {rise:.3} m higher 4 cm out");
        (centre, rise)
    };
    let (crew, _) = tee("crew");
    let (v, v_rise) = tee("v");
    let (scoop, scoop_rise) = tee("scoop");
    // Measured: the centre front at 1.454 m (crew), 1.30-1.32 m (V), 1.342 m (scoop); 4.5-6
    // cm higher 4 cm out for the V, 2.3 cm for the scoop.
    assert!(v < crew - 0.08 && scoop < crew - 0.08, "{crew} {v} {scoop}");
    assert!(
        scoop_rise > 0.005,
        "the scoop rises from its centre: {scoop_rise}"
    );
    assert!(
        v_rise > 1.5 * scoop_rise,
        "the V is pointed: {v_rise} against {scoop_rise}"
    );
}

//! How long the body asset takes to load (decompress and decode), to blend a body, to
//! measure it with the tape, and to solve a body for measurements (every size preset of the
//! three templates), as the app does once at start and on every measurement change. Peer:
//! reading the same data as MakeHuman's text targets is what the asset replaces.
//!
//!     cargo bench -p healdeck-render --bench body_asset

use healdeck_render::avatar::Template;
use healdeck_render::body_asset::BodyAsset;
use healdeck_render::fit;
use healdeck_render::sizes::presets;
use std::time::Instant;

fn main() {
    let bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/avatar/body.hdav"
    ))
    .expect("the asset");
    let mut loads = Vec::new();
    let mut asset = None;
    for _ in 0..10 {
        let t0 = Instant::now();
        asset = Some(BodyAsset::decode(&bytes).expect("decodes"));
        loads.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    let asset = asset.expect("loaded");
    let weights: Vec<(usize, f32)> = (0..asset.targets.len()).map(|i| (i, 0.1)).collect();
    let mut blends = Vec::new();
    for _ in 0..20 {
        let t0 = Instant::now();
        std::hint::black_box(asset.blend(&weights));
        blends.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    let body = asset.blend(&weights);
    let mut tapes = Vec::new();
    for _ in 0..10 {
        let t0 = Instant::now();
        std::hint::black_box(healdeck_render::tape::measure(&body, &asset.quads).ok());
        tapes.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    loads.sort_by(f64::total_cmp);
    blends.sort_by(f64::total_cmp);
    tapes.sort_by(f64::total_cmp);
    println!(
        "body asset {:.1} MB: load p50 {:.1} ms (min {:.1}), blend of all {} targets p50 {:.2} ms, tape (height, bust, waist, hips, inseam) p50 {:.1} ms",
        bytes.len() as f64 / 1e6,
        loads[loads.len() / 2],
        loads[0],
        asset.targets.len(),
        blends[blends.len() / 2],
        tapes[tapes.len() / 2]
    );
    // Solving: each preset from a cold start (no remembered solve), three rounds.
    let mut solves = Vec::new();
    let mut worst_miss = 0.0f32;
    for _ in 0..3 {
        for t in Template::ALL {
            for p in presets(t) {
                let t0 = Instant::now();
                let f = fit::solve(&asset, t, &p.measurements).expect("solves");
                solves.push(t0.elapsed().as_secs_f64() * 1000.0);
                assert!(f.unreached.is_none(), "{t:?} {}", p.label);
                for field in fit::Field::ALL {
                    let miss = (field.of(&f.measured) - field.of(&p.measurements)).abs();
                    worst_miss = worst_miss.max(miss);
                }
            }
        }
    }
    solves.sort_by(f64::total_cmp);
    println!(
        "solve ({} presets × 3): p50 {:.1} ms, p95 {:.1} ms, max {:.1} ms; worst miss {:.2} cm",
        solves.len() / 3,
        solves[solves.len() / 2],
        solves[solves.len() * 95 / 100],
        solves[solves.len() - 1],
        worst_miss * 100.0
    );
}

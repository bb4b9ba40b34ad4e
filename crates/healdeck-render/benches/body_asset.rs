//! How long the body asset takes to load (decompress and decode), to blend a body and to
//! measure it with the tape, as the app does once at start and on every measurement change. Peer: reading the same data as
//! MakeHuman's text targets is what the asset replaces; its size is printed beside ours.
//!
//!     cargo bench -p healdeck-render --bench body_asset

use healdeck_render::body_asset::BodyAsset;
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
}

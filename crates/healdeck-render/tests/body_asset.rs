//! The body asset built into healdeck: MakeHuman's hm08 body and its adult targets decode,
//! and blending them gives human proportions.

use healdeck_render::body_asset::BodyAsset;

fn height(p: &[[f32; 3]]) -> f32 {
    let (lo, hi) = p.iter().fold((f32::MAX, f32::MIN), |(lo, hi), v| {
        (lo.min(v[1]), hi.max(v[1]))
    });
    hi - lo
}

#[test]
fn the_shipped_body_decodes_whole() {
    let a = BodyAsset::shipped().expect("the shipped asset decodes");
    assert_eq!(a.positions.len(), 13_380);
    assert_eq!(a.quads.len(), 13_378);
    assert_eq!(a.targets.len(), 136);
    for name in [
        "macrodetails/universal-female-young-maxmuscle-maxweight",
        "macrodetails/universal-male-young-maxmuscle-minweight",
        "macrodetails/height/female-young-averagemuscle-averageweight-maxheight",
        "macrodetails/proportions/male-young-minmuscle-maxweight-idealproportions",
        "macrodetails/asian-female-young",
        "measure/measure-bust-circ-incr",
        "measure/measure-waist-circ-decr",
        "measure/measure-upperleg-height-incr",
        "measure/measure-shoulder-dist-decr",
    ] {
        let t = &a.targets[a.target(name).unwrap_or_else(|| panic!("no {name}"))];
        assert!(!t.indices.is_empty(), "{name} moves nothing");
    }
    // The base mesh stands about 1.67 m tall.
    let h = height(&a.positions);
    assert!((1.6..1.75).contains(&h), "{h}");
}

#[test]
fn macro_targets_make_adults_of_human_height() {
    let a = BodyAsset::shipped().expect("decodes");
    let t = |n: &str| a.target(n).unwrap_or_else(|| panic!("no {n}"));
    // Gender and age come from the ethnic targets (MakeHuman mixes the three equally by
    // default); the universal ones add muscle and weight.
    let adult = |g: &str| -> Vec<(usize, f32)> {
        ["african", "asian", "caucasian"]
            .iter()
            .map(|r| (t(&format!("macrodetails/{r}-{g}-young")), 1.0 / 3.0))
            .collect()
    };
    let female = a.blend(&adult("female"));
    let male = a.blend(&adult("male"));
    let (hf, hm) = (height(&female), height(&male));
    assert!((1.5..1.8).contains(&hf), "female {hf}");
    assert!((1.6..1.95).contains(&hm), "male {hm}");
    assert!(hm > hf + 0.05, "male {hm} vs female {hf}");
    // A height target makes her taller.
    let mut tall_weights = adult("female");
    tall_weights.push((
        t("macrodetails/height/female-young-averagemuscle-averageweight-maxheight"),
        1.0,
    ));
    let tall = a.blend(&tall_weights);
    assert!(height(&tall) > hf + 0.1, "{} vs {hf}", height(&tall));
}

#[test]
fn a_tape_on_the_body_reads_human_measurements() {
    use healdeck_render::tape::measure;
    let a = BodyAsset::shipped().expect("decodes");
    let t = |n: &str| a.target(n).unwrap_or_else(|| panic!("no {n}"));
    for g in ["female", "male"] {
        let w: Vec<(usize, f32)> = ["african", "asian", "caucasian"]
            .iter()
            .map(|r| (t(&format!("macrodetails/{r}-{g}-young")), 1.0 / 3.0))
            .collect();
        let body = a.blend(&w);
        let m = measure(&body, &a.quads).expect("measured");
        println!("{g}: {m:?}");
        assert!((0.75..1.15).contains(&m.bust), "{g} {m:?}");
        assert!((0.6..1.0).contains(&m.waist), "{g} {m:?}");
        assert!((0.8..1.15).contains(&m.hips), "{g} {m:?}");
        assert!(m.waist < m.bust && m.waist < m.hips, "{g} {m:?}");
        assert!((0.65..0.9).contains(&m.inseam), "{g} {m:?}");
        // The waist target moves the waist girth, and the bust target the bust.
        let mut wider = w.clone();
        wider.push((t("measure/measure-waist-circ-incr"), 1.0));
        let m2 = measure(&a.blend(&wider), &a.quads).expect("measured");
        assert!(m2.waist > m.waist + 0.02, "{g} {m:?} {m2:?}");
    }
}

//! The renderer on whatever adapter wgpu finds (Mesa's lavapipe in CI): every template and
//! garment type renders non-trivially, every fabric renders in Realistic, fixed scenes match
//! committed golden images within a tolerance (the CLI's PNGs: `healdeck/tests/render_cli.rs`).
//! Refresh goldens with `UPDATE_GOLDEN=1 cargo test --test render` and look at them.

use healdeck_render::avatar::{Body, Template};
use healdeck_render::garment::{Fabric, Fit, GarmentSpec, GarmentType, Neckline, Print};
use healdeck_render::mesh::Mesh;
use healdeck_render::renderer::{Gpu, Mode, Renderer, View};
use std::path::PathBuf;
use std::sync::OnceLock;

fn gpu() -> &'static (Gpu, Renderer) {
    static GPU: OnceLock<(Gpu, Renderer)> = OnceLock::new();
    GPU.get_or_init(|| {
        let gpu = Gpu::headless().unwrap_or_else(|e| panic!("{e}"));
        let r = Renderer::new(&gpu);
        (gpu, r)
    })
}

fn spec(kind: GarmentType, fabric: Fabric, color: &str) -> GarmentSpec {
    GarmentSpec {
        kind,
        fit: Fit::Regular,
        sleeve_length: None,
        length: 0.5,
        neckline: Neckline::Crew,
        fabric,
        color: color.into(),
        print: None,
        flare: 0.2,
        print_placement: Default::default(),
        pattern: None,
        material: None,
    }
}

fn render(meshes: &[&Mesh], mode: Mode, size: u32) -> image::RgbaImage {
    let (gpu, r) = gpu();
    r.render(gpu, meshes, mode, &View::default(), size)
        .unwrap_or_else(|e| panic!("{e}"))
}

struct Census {
    covered: f32,
    garment: f32,
    skin: f32,
    black: usize,
}

fn census(img: &image::RgbaImage) -> Census {
    let bg = *img.get_pixel(2, 2);
    let n = (img.width() * img.height()) as f32;
    let (mut covered, mut garment, mut skin, mut black) = (0, 0, 0, 0);
    for p in img.pixels() {
        let [r, g, b, _] = p.0.map(i32::from);
        let d = (r - i32::from(bg[0])).abs()
            + (g - i32::from(bg[1])).abs()
            + (b - i32::from(bg[2])).abs();
        if d > 30 {
            covered += 1;
        }
        if g > r + 40 && g > b + 40 {
            garment += 1;
        }
        if r > g + 8 && g > b + 8 && r > 120 {
            skin += 1;
        }
        if r + g + b < 6 {
            black += 1;
        }
    }
    Census {
        covered: covered as f32 / n,
        garment: garment as f32 / n,
        skin: skin as f32 / n,
        black,
    }
}

#[test]
fn every_template_and_garment_type_renders() {
    for t in Template::ALL {
        let body = Body::new(t, t.defaults()).expect("body");
        for kind in GarmentType::ALL {
            let g = spec(kind, Fabric::Cotton, "#10b020")
                .build(&body, None)
                .expect("garment");
            assert!(g.is_finite(), "{t:?} {kind:?}");
            let img = render(&[&body.mesh, &g], Mode::Preview, 160);
            let c = census(&img);
            assert!(
                c.covered > 0.05,
                "{t:?} {kind:?}: only {:.3} of the frame covered",
                c.covered
            );
            assert!(
                c.garment > 0.01,
                "{t:?} {kind:?}: garment pixels {:.4}",
                c.garment
            );
            assert!(c.skin > 0.005, "{t:?} {kind:?}: skin pixels {:.4}", c.skin);
            assert_eq!(c.black, 0, "{t:?} {kind:?}: black (NaN) pixels");
        }
    }
}

#[test]
fn every_fabric_renders_in_realistic_mode_and_looks_different() {
    let body = Body::new(Template::Neutral, Template::Neutral.defaults()).expect("body");
    let mut means = Vec::new();
    for fabric in Fabric::ALL {
        let g = spec(GarmentType::Shirt, fabric, "#10b020")
            .build(&body, None)
            .expect("garment");
        let img = render(&[&body.mesh, &g], Mode::Realistic, 192);
        let c = census(&img);
        assert!(
            c.garment > 0.01 && c.black == 0,
            "{fabric:?}: garment {:.4}, black {}",
            c.garment,
            c.black
        );
        let green: Vec<f32> = img
            .pixels()
            .filter(|p| i32::from(p[1]) > i32::from(p[0]) + 40)
            .map(|p| f32::from(p[1]))
            .collect();
        means.push(green.iter().sum::<f32>() / green.len().max(1) as f32);
    }
    // Sheen, anisotropy and roughness change the look: not all fabrics shade alike.
    let spread = means.iter().cloned().fold(f32::MIN, f32::max)
        - means.iter().cloned().fold(f32::MAX, f32::min);
    assert!(spread > 3.0, "fabric means {means:?}");
}

fn golden(name: &str, img: &image::RgbaImage) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name);
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        img.save(&path).expect("save golden");
        return;
    }
    let want = image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()))
        .to_rgba8();
    assert_eq!(want.dimensions(), img.dimensions(), "{name}");
    let n = (img.width() * img.height() * 3) as f64;
    let sq: f64 = img
        .pixels()
        .zip(want.pixels())
        .map(|(a, b)| {
            (0..3)
                .map(|i| (f64::from(a[i]) - f64::from(b[i])).powi(2))
                .sum::<f64>()
        })
        .sum();
    let rmse = (sq / n).sqrt();
    if rmse > 4.0 {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("actual-{name}"));
        let _ = img.save(&out);
        panic!(
            "{name}: RMSE {rmse:.2} > 4.0 against the golden image; actual written to {}",
            out.display()
        );
    }
}

#[test]
fn fixed_scenes_match_their_golden_images() {
    let female = Body::new(Template::Female, Template::Female.defaults()).expect("body");
    let mut dress = spec(GarmentType::Dress, Fabric::Silk, "#7a1f3d");
    dress.length = 0.8;
    let d = dress.build(&female, None).expect("dress");
    golden(
        "female-silk-dress-realistic.png",
        &render(&[&female.mesh, &d], Mode::Realistic, 256),
    );

    let male = Body::new(Template::Male, Template::Male.defaults()).expect("body");
    let mut tee = spec(GarmentType::Tshirt, Fabric::Cotton, "#2e6fb7");
    tee.print = Some(Print::Stripes {
        color: "#f2f2f2".into(),
    });
    let t = tee.build(&male, None).expect("tee");
    let pants = spec(GarmentType::Pants, Fabric::Denim, "#27405f")
        .build(&male, None)
        .expect("pants");
    golden(
        "male-tee-jeans-preview.png",
        &render(&[&male.mesh, &t, &pants], Mode::Preview, 256),
    );

    let neutral = Body::new(Template::Neutral, Template::Neutral.defaults()).expect("body");
    let h = spec(GarmentType::Hoodie, Fabric::Knit, "#5b6b3a")
        .build(&neutral, None)
        .expect("hoodie");
    golden(
        "neutral-knit-hoodie-realistic.png",
        &render(&[&neutral.mesh, &h], Mode::Realistic, 256),
    );
}

#[test]
fn each_template_body_matches_its_golden_image_in_realistic() {
    for t in Template::ALL {
        let body = Body::new(t, t.defaults()).expect("body");
        golden(
            &format!("{}-body-realistic.png", t.name()),
            &render(&[&body.mesh], Mode::Realistic, 384),
        );
    }
}

#[test]
fn image_prints_and_textures_are_sampled_not_averaged() {
    // Vertical bands of pure red and pure yellow: an average would be orange only.
    let dir = tempfile::tempdir().expect("tmp");
    let tex = image::RgbaImage::from_fn(64, 64, |x, _| {
        if x < 32 {
            image::Rgba([230, 20, 20, 255])
        } else {
            image::Rgba([240, 220, 20, 255])
        }
    });
    tex.save(dir.path().join("bands.png")).expect("save");
    let body = Body::new(Template::Female, Template::Female.defaults()).expect("body");
    let mut s = spec(GarmentType::Dress, Fabric::Cotton, "#ffffff");
    s.print = Some(Print::Image {
        path: "bands.png".into(),
        repeat: 3.0,
    });
    let g = s
        .build(&body, Some(dir.path()))
        .expect("garment with image print");
    assert!(g.materials[0].texture.is_some());
    let img = render(&[&body.mesh, &g], Mode::Preview, 256);
    let red = img
        .pixels()
        .filter(|p| p[0] > 150 && p[1] < 60 && p[2] < 60)
        .count();
    let yellow = img
        .pixels()
        .filter(|p| p[0] > 150 && p[1] > 130 && p[2] < 60)
        .count();
    assert!(red > 300 && yellow > 300, "red {red}, yellow {yellow}");
    // A missing image is a clear error naming it.
    s.print = Some(Print::Image {
        path: "nope.png".into(),
        repeat: 1.0,
    });
    let e = s
        .build(&body, Some(dir.path()))
        .expect_err("missing image")
        .to_string();
    assert!(e.contains("nope.png"), "{e}");
}

#[test]
fn cached_ambient_occlusion_never_goes_stale() {
    let body = Body::new(Template::Male, Template::Male.defaults()).expect("body");
    let a = spec(GarmentType::Tshirt, Fabric::Cotton, "#10b020")
        .build(&body, None)
        .expect("a");
    let b = spec(GarmentType::Dress, Fabric::Cotton, "#10b020")
        .build(&body, None)
        .expect("b");
    let first = render(&[&body.mesh, &a], Mode::Realistic, 128);
    let other = render(&[&body.mesh, &b], Mode::Realistic, 128);
    let again = render(&[&body.mesh, &a], Mode::Realistic, 128);
    assert!(first.as_raw() != other.as_raw(), "different scenes differ");
    assert!(
        first.as_raw() == again.as_raw(),
        "the same scene renders the same after another one"
    );
}

/// A 1 m square facing the camera, in `color` and `fabric`.
fn patch(color: &str, fabric: Fabric) -> Mesh {
    let spec = spec(GarmentType::Dress, fabric, color);
    let (a, b) = (-0.5f32, 0.5f32);
    Mesh {
        positions: vec![
            glam::Vec3::new(a, a + 1.0, 0.0),
            glam::Vec3::new(b, a + 1.0, 0.0),
            glam::Vec3::new(b, b + 1.0, 0.0),
            glam::Vec3::new(a, b + 1.0, 0.0),
        ],
        normals: vec![glam::Vec3::Z; 4],
        uvs: vec![
            glam::Vec2::new(0.0, 0.0),
            glam::Vec2::new(1.0, 0.0),
            glam::Vec2::new(1.0, 1.0),
            glam::Vec2::new(0.0, 1.0),
        ],
        seams: vec![0.0; 4],
        indices: vec![0, 1, 2, 0, 2, 3],
        materials: vec![spec.material(None, 6).expect("material")],
    }
}

/// The mean color of the image's middle 32 × 32 pixels (averaged in linear light).
fn middle_color(img: &image::RgbaImage) -> palette::Srgb<f32> {
    use palette::{IntoColor, LinSrgb, Srgb};
    let (cx, cy) = (img.width() / 2, img.height() / 2);
    let mut sum = LinSrgb::new(0.0f32, 0.0, 0.0);
    for y in cy - 16..cy + 16 {
        for x in cx - 16..cx + 16 {
            let p = img.get_pixel(x, y).0;
            let lin: LinSrgb<f32> = Srgb::new(p[0], p[1], p[2])
                .into_format::<f32>()
                .into_linear();
            sum += lin;
        }
    }
    let mean = sum / (32.0 * 32.0);
    let out: Srgb<f32> = Srgb::from_linear(mean);
    out.into_color()
}

#[test]
fn a_front_lit_patch_renders_in_the_color_that_was_chosen() {
    use palette::color_difference::Ciede2000;
    use palette::{IntoColor, Lab, Srgb};
    let front = View {
        azimuth_deg: 0.0,
        elevation_deg: 0.0,
        zoom: 1.0,
    };
    let (gpu, r) = gpu();
    let mut worst = 0.0f32;
    for color in [
        "#7a1f3d", "#3b6ea5", "#d9c7a3", "#2e6fb7", "#5b6b3a", "#808080",
    ] {
        let hex = u32::from_str_radix(&color[1..], 16).expect("hex");
        let chosen = Srgb::new((hex >> 16) as u8, (hex >> 8) as u8, hex as u8).into_format::<f32>();
        let chosen_lab: Lab = chosen.into_linear::<f32>().into_color();
        for fabric in [
            Fabric::Cotton,
            Fabric::Linen,
            Fabric::Denim,
            Fabric::Knit,
            Fabric::Silk,
        ] {
            for mode in [Mode::Preview, Mode::Realistic] {
                let mesh = patch(color, fabric);
                let img = r
                    .render(gpu, &[&mesh], mode, &front, 256)
                    .unwrap_or_else(|e| panic!("{e}"));
                let got = middle_color(&img);
                let got_lab: Lab = got.into_linear::<f32>().into_color();
                let de = chosen_lab.difference(got_lab);
                let rgb: Srgb<u8> = got.into_format();
                println!(
                    "{color} {fabric:?} {mode:?}: rendered #{:02x}{:02x}{:02x}, ΔE2000 {de:.2}",
                    rgb.red, rgb.green, rgb.blue
                );
                worst = worst.max(de);
            }
        }
    }
    assert!(worst < 3.0, "worst ΔE2000 {worst:.2}");
}

#[test]
fn a_print_is_scaled_turned_and_moved_as_placed() {
    use healdeck_render::garment::PrintPlacement;
    let front = View {
        azimuth_deg: 0.0,
        elevation_deg: 0.0,
        zoom: 1.0,
    };
    let (gpu, r) = gpu();
    let striped = |placement: PrintPlacement| {
        let mut mesh = patch("#202060", Fabric::Cotton);
        let mut s = spec(GarmentType::Dress, Fabric::Cotton, "#202060");
        s.print = Some(Print::Stripes {
            color: "#f0f0f0".into(),
        });
        s.print_placement = placement;
        s.validate().expect("valid placement");
        mesh.materials = vec![s.material(None, 6).expect("material")];
        r.render(gpu, &[&mesh], Mode::Preview, &front, 256)
            .unwrap_or_else(|e| panic!("{e}"))
    };
    // How many times the stripes change along the middle column and the middle row.
    let changes = |img: &image::RgbaImage| {
        let light = |x: u32, y: u32| img.get_pixel(x, y)[0] > 128;
        let run = |points: Vec<(u32, u32)>| {
            points
                .windows(2)
                .filter(|w| light(w[0].0, w[0].1) != light(w[1].0, w[1].1))
                .count()
        };
        let mid = img.width() / 2;
        let span = img.width() / 4..img.width() * 3 / 4;
        (
            run(span.clone().map(|y| (mid, y)).collect()),
            run(span.map(|x| (x, mid)).collect()),
        )
    };
    let plain = striped(PrintPlacement::default());
    let (down, across) = changes(&plain);
    println!("as drawn: {down} changes down the middle, {across} across");
    assert!(down >= 6 && across == 0, "{down} down, {across} across");
    // Twice as large: half as many stripes.
    let large = striped(PrintPlacement {
        scale: 2.0,
        ..Default::default()
    });
    let (large_down, _) = changes(&large);
    assert!(
        large_down * 2 <= down + 2 && large_down * 2 + 2 >= down,
        "{large_down} changes at twice the size, {down} at its own"
    );
    // Turned a quarter: the stripes run the other way.
    let turned = striped(PrintPlacement {
        angle_deg: 90.0,
        ..Default::default()
    });
    let (turned_down, turned_across) = changes(&turned);
    assert!(
        turned_down == 0 && turned_across >= 6,
        "{turned_down} {turned_across}"
    );
    // Moved a quarter of a repeat (a repeat of the stripes is two light and two dark bands):
    // light where it was dark; a whole repeat: as it was.
    let differ = |a: &image::RgbaImage, b: &image::RgbaImage| {
        a.pixels()
            .zip(b.pixels())
            .filter(|(p, q)| p[0].abs_diff(q[0]) > 60)
            .count() as f32
            / (a.width() * a.height()) as f32
    };
    let quarter = striped(PrintPlacement {
        offset: [0.0, 0.25],
        ..Default::default()
    });
    let whole = striped(PrintPlacement {
        offset: [0.0, 1.0],
        ..Default::default()
    });
    assert!(
        differ(&plain, &quarter) > 0.5,
        "{}",
        differ(&plain, &quarter)
    );
    assert!(differ(&plain, &whole) < 0.02, "{}", differ(&plain, &whole));
    // A placement out of range is refused by name.
    let mut s = spec(GarmentType::Dress, Fabric::Cotton, "#202060");
    s.print_placement.scale = 0.0;
    let e = s.validate().expect_err("scale 0").to_string();
    assert!(e.contains("print_placement.scale"), "{e}");
}

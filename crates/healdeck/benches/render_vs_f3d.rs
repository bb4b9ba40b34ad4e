//! Renderer benchmark: `healdeck render` against f3d on the same ~80k-triangle OBJ, whole
//! process each, in one run — plus healdeck's warm in-process frame time for Fast Preview.
//!
//! Run with `cargo bench --bench render_vs_f3d` (needs `f3d` and `xvfb-run`: apt-get install
//! f3d xvfb). Prints best-of-3 wall times, peak memory (/usr/bin/time) and ratios:
//! healdeck preview vs `f3d --resolution 512,512`, healdeck realistic vs
//! `f3d --resolution 2048,2048 --ssao --fxaa --tone-mapping`. Figures are reported, not asserted.

use healdeck_render::import;
use healdeck_render::renderer::{Gpu, Mode, Renderer, View};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

/// A draped skirt-like cloth: a 200 × 200 grid wrapped into a flared cylinder with folds.
fn write_mesh(path: &Path) -> usize {
    let (nu, nv) = (200usize, 200usize);
    let mut f = std::io::BufWriter::new(std::fs::File::create(path).expect("create"));
    for j in 0..=nv {
        let v = j as f32 / nv as f32;
        for i in 0..=nu {
            let u = i as f32 / nu as f32;
            let a = u * std::f32::consts::TAU;
            let r = 0.18 + 0.22 * (1.0 - v) + 0.02 * (1.0 - v) * (a * 11.0).sin();
            writeln!(
                f,
                "v {} {} {}",
                r * a.cos() * 100.0,
                (0.4 + 0.6 * v) * 100.0,
                r * a.sin() * 100.0
            )
            .ok();
            writeln!(f, "vt {u} {v}").ok();
        }
    }
    let mut tris = 0;
    for j in 0..nv {
        for i in 0..nu {
            let a = j * (nu + 1) + i + 1;
            let (b, c, d) = (a + 1, a + nu + 1, a + nu + 2);
            writeln!(f, "f {a}/{a} {c}/{c} {b}/{b}\nf {b}/{b} {c}/{c} {d}/{d}").ok();
            tris += 2;
        }
    }
    tris
}

fn timed(cmd: &mut Command) -> (f64, Option<u64>, bool) {
    let start = Instant::now();
    let out = cmd.stdout(Stdio::null()).stderr(Stdio::piped()).output();
    let secs = start.elapsed().as_secs_f64();
    match out {
        Ok(o) => {
            let err = String::from_utf8_lossy(&o.stderr);
            let rss = err
                .lines()
                .find_map(|l| l.strip_prefix("RSS_KB="))
                .and_then(|v| v.trim().parse().ok());
            (secs, rss, o.status.success())
        }
        Err(_) => (f64::NAN, None, false),
    }
}

fn best(mut make: impl FnMut() -> Command) -> (f64, Option<u64>, bool) {
    (0..3)
        .map(|_| timed(&mut make()))
        .fold((f64::INFINITY, None, true), |acc, r| {
            if r.0 < acc.0 {
                (r.0, r.1, r.2 && acc.2)
            } else {
                (acc.0, acc.1, acc.2 && r.2)
            }
        })
}

fn with_time(program: &str) -> Command {
    let mut c = Command::new("/usr/bin/time");
    c.args(["-f", "RSS_KB=%M", program]);
    c
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("bench-render");
    std::fs::create_dir_all(&dir).ok();
    let mesh = dir.join("cloth-80k.obj");
    let tris = write_mesh(&mesh);
    println!("mesh: {} ({tris} triangles)", mesh.display());
    let bin = env!("CARGO_BIN_EXE_healdeck");
    let mb = |r: Option<u64>| r.map_or("n/a".into(), |k| format!("{:.0} MB", k as f64 / 1024.0));

    // Warm frames in one process, as the GUI orbits.
    let gpu = Gpu::headless().expect("adapter");
    println!("adapter: {}", gpu.describe());
    let renderer = Renderer::new(&gpu);
    let m = import::load(&mesh).expect("mesh");
    for mode in [Mode::Preview, Mode::Realistic] {
        let _ = renderer.render(&gpu, &[&m], mode, &View::default(), mode.size());
        let n = if mode == Mode::Preview { 20 } else { 5 };
        let t = Instant::now();
        for i in 0..n {
            let view = View {
                azimuth_deg: i as f32 * 18.0,
                ..View::default()
            };
            let _ = renderer.render(&gpu, &[&m], mode, &view, mode.size());
        }
        let ms = t.elapsed().as_secs_f64() * 1000.0 / n as f64;
        println!(
            "healdeck {} warm frame (render + readback): {ms:.1} ms ({:.1} fps)",
            mode.name(),
            1000.0 / ms
        );
    }

    let out = |name: &str| dir.join(name).to_string_lossy().to_string();
    let (hp, hp_rss, hp_ok) = best(|| {
        let mut c = with_time(bin);
        c.args(["render", "--mesh"]).arg(&mesh).args([
            "--mode",
            "preview",
            "--out",
            &out("hd-preview.png"),
        ]);
        c
    });
    let (hr, hr_rss, hr_ok) = best(|| {
        let mut c = with_time(bin);
        c.args(["render", "--mesh"]).arg(&mesh).args([
            "--mode",
            "realistic",
            "--out",
            &out("hd-realistic.png"),
        ]);
        c
    });
    let f3d = |res: &str, extra: &[&str], png: String| {
        let mut c = with_time("xvfb-run");
        c.args(["-a", "-s", "-screen 0 2100x2100x24", "f3d"])
            .arg(&mesh);
        c.arg(format!("--output={png}"))
            .arg(format!("--resolution={res}"))
            .arg("--up=+Y")
            .args(extra);
        c
    };
    let (fp, fp_rss, fp_ok) = best(|| f3d("512,512", &[], out("f3d-preview.png")));
    let (fr, fr_rss, fr_ok) = best(|| {
        f3d(
            "2048,2048",
            &["--ssao", "--fxaa", "--tone-mapping"],
            out("f3d-realistic.png"),
        )
    });
    println!(
        "healdeck render --mode preview   : {hp:.3} s, peak {} {}",
        mb(hp_rss),
        if hp_ok { "" } else { "(FAILED)" }
    );
    println!(
        "f3d --resolution 512,512         : {fp:.3} s, peak {} {}",
        mb(fp_rss),
        if fp_ok {
            ""
        } else {
            "(FAILED: is f3d/xvfb installed?)"
        }
    );
    println!(
        "healdeck render --mode realistic : {hr:.3} s, peak {} {}",
        mb(hr_rss),
        if hr_ok { "" } else { "(FAILED)" }
    );
    println!(
        "f3d 2048 --ssao --fxaa --tone-mapping: {fr:.3} s, peak {} {}",
        mb(fr_rss),
        if fr_ok { "" } else { "(FAILED)" }
    );
    println!("ratio preview:   f3d / healdeck = {:.2}x", fp / hp);
    println!("ratio realistic: f3d / healdeck = {:.2}x", fr / hr);
}

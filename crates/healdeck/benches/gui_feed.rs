//! The live error feed with 100,000 issues: frame time and memory of the real app (egui_kittest
//! harness on the wgpu renderer), compared in the same run with the same app holding 100 issues
//! — the table is virtualized, so a frame should cost the visible rows, not the feed's size.
//! The issues come from a generated log scanned by the real engine.
//!
//! Run: `cargo bench --bench gui_feed`.

use egui_kittest::Harness;
use healdeck::ui::settings::SortKey;
use healdeck::ui::widgets::Clipboard;
use healdeck::ui::{AppOptions, HealdeckApp};
use healdeck_engine::{Engine, RuleSources, ScanControl, ScanOptions, scan};
use std::io::Write;
use std::time::{Duration, Instant};

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

fn quantiles(mut v: Vec<f64>) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let q = |p: f64| v[((v.len() - 1) as f64 * p) as usize];
    (q(0.5), q(0.99), q(1.0))
}

fn frames(h: &mut Harness<'static, HealdeckApp>, n: usize, paint: bool) -> Vec<f64> {
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        // Scroll the table a little every frame, down then up, so different rows show.
        let dy = if (i / 100) % 2 == 0 { -120.0 } else { 120.0 };
        h.hover_at(egui::pos2(560.0, 420.0));
        h.event(egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, dy),
            modifiers: egui::Modifiers::NONE,
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
        });
        let t0 = Instant::now();
        h.step();
        if paint {
            let _ = h.render();
        }
        out.push(t0.elapsed().as_secs_f64() * 1000.0);
    }
    out
}

fn main() {
    let dir = tempfile::tempdir().expect("tempdir");
    let logs = dir.path().join("logs");
    std::fs::create_dir_all(&logs).expect("logs");
    {
        let mut f =
            std::io::BufWriter::new(std::fs::File::create(logs.join("big.log")).expect("create"));
        for i in 0..100_000u32 {
            writeln!(
                f,
                "2024-03-01 12:{:02}:{:02},000 ERROR worker-{}: ModuleNotFoundError: No module named 'pkg_{i:06x}'",
                (i / 60) % 60,
                i % 60,
                i % 7
            )
            .expect("write");
        }
    }
    let engine = Engine::load(&RuleSources::default()).0;
    let t0 = Instant::now();
    let report = scan(
        &engine,
        &[logs],
        &ScanOptions::default(),
        &ScanControl::default(),
    );
    let issues = report.issues;
    println!(
        "generated log: {} issues from 100,000 lines, scanned in {:.2} s",
        issues.len(),
        t0.elapsed().as_secs_f64()
    );
    let config = dir.path().join("config");
    let data = dir.path().join("data");
    let mut h = Harness::builder()
        .with_size([1360.0, 860.0])
        .wgpu()
        .build_eframe(move |cc| {
            let opts = AppOptions {
                gpu_sources: Some(Vec::new()),
                ..AppOptions::isolated(config, data, Clipboard::Memory(Default::default()))
            };
            HealdeckApp::new(cc, opts).expect("app")
        });
    // The empty state has no table; put something in first so both runs draw the same UI.
    let settle = |h: &mut Harness<'static, HealdeckApp>| {
        let t = Instant::now();
        while t.elapsed() < Duration::from_millis(300) {
            h.step();
        }
    };
    settle(&mut h);
    println!(
        "\n{:>8} issues | ui frame p50 / p99 / max (ms) | + wgpu paint p50 / p99 (ms) | RSS",
        ""
    );
    let base_rss = rss_kib();
    for n in [100usize, 100_000] {
        {
            let app = h.state_mut();
            app.trouble
                .feed
                .replace_all(issues[..n.min(issues.len())].to_vec());
        }
        settle(&mut h);
        let _ = frames(&mut h, 30, false);
        let (p50, p99, max) = quantiles(frames(&mut h, 600, false));
        let (g50, g99, _) = quantiles(frames(&mut h, 40, true));
        println!(
            "{n:>15} | {p50:>6.2} / {p99:>6.2} / {max:>6.2}            | {g50:>6.1} / {g99:>6.1}              | {:.0} MiB (+{:.0} MiB over the empty app)",
            rss_kib() as f64 / 1024.0,
            rss_kib().saturating_sub(base_rss) as f64 / 1024.0
        );
    }
    // Re-filtering and re-sorting the 100,000 rows (what a click on a header or a key in the
    // search box costs).
    let app = h.state_mut();
    let feed = &mut app.trouble.feed;
    let mut f = app.trouble.filter.clone();
    for (what, key, search) in [
        ("sort by count", SortKey::Count, ""),
        ("sort by title", SortKey::Title, ""),
        ("search 'pkg_01'", SortKey::Severity, "pkg_01"),
    ] {
        f.search = search.into();
        let t = Instant::now();
        feed.refresh(&f, key, false);
        println!(
            "{what:>16}: {:.1} ms → {} rows",
            t.elapsed().as_secs_f64() * 1000.0,
            feed.rows().len()
        );
    }
}

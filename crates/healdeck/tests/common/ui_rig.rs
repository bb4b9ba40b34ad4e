//! The window in a test harness, shared by the window's test files: the app on the real wgpu
//! renderer with folders of its own, a scripted GPU, and waiting for what workers answer.

#![allow(dead_code)]

use egui_kittest::kittest::Queryable;
use egui_kittest::{Harness, SnapshotOptions};
use healdeck::ui::widgets::Clipboard;
use healdeck::ui::{AppOptions, HealdeckApp};
use healdeck_gpu::{GpuReading, GpuSource, SourceKind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub(crate) type Clip = Arc<Mutex<Option<String>>>;

pub(crate) struct Rig {
    pub(crate) harness: Harness<'static, HealdeckApp>,
    pub(crate) clip: Clip,
    pub(crate) dir: tempfile::TempDir,
}

/// A GPU that reports what the test says.
pub(crate) struct ScriptedGpu(pub(crate) Arc<AtomicU32>);

impl GpuSource for ScriptedGpu {
    fn kind(&self) -> SourceKind {
        SourceKind::Scripted
    }
    fn sample(&mut self) -> Vec<GpuReading> {
        vec![GpuReading {
            name: "Scripted GPU".into(),
            source: "test script".into(),
            util_percent: Some(self.0.load(Ordering::Relaxed) as f32),
            own_percent: Some(0.0),
            memory_used_bytes: Some(3 << 30),
            memory_total_bytes: Some(8 << 30),
            temperature_c: Some(61.0),
            power_w: Some(120.0),
            power_limit_w: Some(250.0),
            ..GpuReading::default()
        }]
    }
}

pub(crate) fn rig_with(setup: impl FnOnce(&Path), gpu: Option<Arc<AtomicU32>>) -> Rig {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config");
    let data = dir.path().join("data");
    std::fs::create_dir_all(&config).expect("config dir");
    std::fs::create_dir_all(&data).expect("data dir");
    setup(dir.path());
    let clip: Clip = Arc::default();
    let sources = gpu.map(|u| vec![Box::new(ScriptedGpu(u)) as Box<dyn GpuSource>]);
    let harness = harness(config, data, Clipboard::Memory(clip.clone()), sources);
    Rig { harness, clip, dir }
}

/// The app in a harness of the window's default size, on the wgpu renderer.
pub(crate) fn harness(
    config: PathBuf,
    data: PathBuf,
    clipboard: Clipboard,
    gpu_sources: Option<Vec<Box<dyn GpuSource>>>,
) -> Harness<'static, HealdeckApp> {
    Harness::builder()
        .with_size([1360.0, 860.0])
        .wgpu()
        .build_eframe(move |cc| {
            let opts = AppOptions {
                gpu_sources,
                ..AppOptions::isolated(config, data, clipboard)
            };
            HealdeckApp::new(cc, opts).expect("the app starts")
        })
}

/// The app following `logs/<name>` holding `text`, once the rules are loaded.
pub(crate) fn rig_with_log(name: &str, text: &str) -> Rig {
    rig_with_log_and(name, text, |_| {})
}

/// The same, with more set up in the folder first (`config/ai.json` …).
pub(crate) fn rig_with_log_and(name: &str, text: &str, more: impl FnOnce(&Path)) -> Rig {
    let mut r = rig_with(
        |root| {
            std::fs::create_dir_all(root.join("logs")).expect("logs");
            std::fs::write(root.join("logs").join(name), text).expect("write the log");
            more(root);
        },
        None,
    );
    let logs = r.dir.path().join("logs");
    let h = &mut r.harness;
    wait(h, "the rules", |a| a.trouble.engine.is_some());
    let app = h.state_mut();
    app.trouble.add_path(&mut app.sh, logs);
    r
}

pub(crate) fn rig() -> Rig {
    rig_with(|_| {}, None)
}

/// Steps frames until `cond` holds (workers answer in the background), up to 120 s (a drape
/// takes 15-25 s alone on 2 cores, and the window's tests share them).
pub(crate) fn wait(
    h: &mut Harness<'static, HealdeckApp>,
    what: &str,
    cond: impl Fn(&HealdeckApp) -> bool,
) {
    let t0 = Instant::now();
    while !cond(h.state()) {
        assert!(
            t0.elapsed() < Duration::from_secs(120),
            "timed out waiting for {what}"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(15));
    }
    h.step();
}

/// Steps frames until the feed holds `n` issues and the table shows a row for each
/// (live updates rebuild the rows at most 4×/s, so they may trail the feed by a frame).
pub(crate) fn wait_for_rows(h: &mut Harness<'static, HealdeckApp>, what: &str, n: usize) {
    wait(h, what, |a| {
        a.trouble.feed.len() == n && a.trouble.feed.rows().len() == n
    });
}

pub(crate) fn snapshot(h: &mut Harness<'static, HealdeckApp>, name: &str) {
    // Render times, GPU history and temp paths differ between runs; layout and content don't.
    let opts = SnapshotOptions::new()
        .threshold(2.0)
        .max_failed_pixels(12_000);
    h.snapshot_options(name, &opts);
}

/// Steps frames until a widget with `label` is on screen.
pub(crate) fn wait_for_label(h: &mut Harness<'static, HealdeckApp>, label: &str) {
    let t0 = Instant::now();
    while h.query_all_by_label_contains(label).next().is_none() {
        assert!(
            t0.elapsed() < Duration::from_secs(60),
            "timed out waiting for {label}"
        );
        h.step();
        std::thread::sleep(Duration::from_millis(15));
    }
}

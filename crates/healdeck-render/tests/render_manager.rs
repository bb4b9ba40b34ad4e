//! The render manager driven by a scripted GPU utilization source (a test implementation of
//! the monitor's source trait, sampled by the real `GpuMonitor`) and a stand-in backend that
//! records what it was asked to render: threshold crossing, hysteresis, forced mode,
//! coalescing, cancellation, and a 1,000-request burst.

use crossbeam_channel::Receiver;
use healdeck_gpu::{GpuMonitor, GpuReading, GpuSource, SourceKind};
use healdeck_render::config::RenderConfig;
use healdeck_render::manager::{
    Output, QUEUE_CAPACITY, RenderBackend, RenderEvent, RenderJob, RenderManager, RenderRequest,
    Rendered,
};
use healdeck_render::renderer::{Mode, RenderError, View};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Utilization set by the test, reported as another process's load.
struct ScriptedSource(Arc<AtomicU32>);

impl GpuSource for ScriptedSource {
    fn kind(&self) -> SourceKind {
        SourceKind::Scripted
    }
    fn sample(&mut self) -> Vec<GpuReading> {
        vec![GpuReading {
            name: "scripted".into(),
            source: "scripted".into(),
            util_percent: Some(self.0.load(Ordering::Relaxed) as f32),
            own_percent: Some(0.0),
            ..GpuReading::default()
        }]
    }
}

/// Records (id, mode) and takes `millis` per render.
struct Recorder {
    done: Arc<Mutex<Vec<(u64, Mode)>>>,
    millis: u64,
}

impl RenderBackend for Recorder {
    fn render(&mut self, job: &RenderJob) -> Result<Rendered, RenderError> {
        std::thread::sleep(Duration::from_millis(self.millis));
        self.done
            .lock()
            .map_err(|e| RenderError::Gpu(e.to_string()))?
            .push((job.id, job.mode));
        Ok(Rendered::image(image::RgbaImage::new(4, 4)))
    }
}

struct Rig {
    manager: RenderManager,
    events: Receiver<RenderEvent>,
    util: Arc<AtomicU32>,
    done: Arc<Mutex<Vec<(u64, Mode)>>>,
    _monitor: GpuMonitor,
}

fn rig(millis: u64) -> Rig {
    let util = Arc::new(AtomicU32::new(10));
    let monitor = GpuMonitor::start(
        vec![Box::new(ScriptedSource(util.clone()))],
        Duration::from_millis(10),
    );
    let cfg = RenderConfig {
        hold_secs: 0.2,
        smoothing: 1.0,
        ..RenderConfig::default()
    };
    let done = Arc::new(Mutex::new(Vec::new()));
    let (manager, events) = RenderManager::start(
        Recorder {
            done: done.clone(),
            millis,
        },
        &cfg,
        Some(monitor.subscribe()),
        None,
    );
    Rig {
        manager,
        events,
        util,
        done,
        _monitor: monitor,
    }
}

fn request(key: u64, mode: Mode, force: bool) -> RenderRequest {
    RenderRequest {
        view_key: key,
        scene: Arc::new(Vec::new()),
        mode,
        force,
        view: View::default(),
        output: Output::Image,
    }
}

/// Waits for an event matching `f`, up to 10 s.
fn wait_for(events: &Receiver<RenderEvent>, f: impl Fn(&RenderEvent) -> bool) -> RenderEvent {
    let deadline = Instant::now() + Duration::from_secs(10);
    while let Ok(e) = events.recv_timeout(deadline.saturating_duration_since(Instant::now())) {
        if f(&e) {
            return e;
        }
    }
    panic!("the expected render event did not come");
}

#[test]
fn busy_gpu_serves_realistic_as_preview_with_a_reason_then_resumes() {
    let r = rig(5);
    let id = r.manager.submit(request(1, Mode::Realistic, false));
    let e = wait_for(
        &r.events,
        |e| matches!(e, RenderEvent::Started { id: i, .. } if *i == id),
    );
    assert!(
        matches!(
            e,
            RenderEvent::Started {
                mode: Mode::Realistic,
                reason: None,
                ..
            }
        ),
        "{e:?}"
    );

    r.util.store(93, Ordering::Relaxed);
    let sw = wait_for(&r.events, |e| matches!(e, RenderEvent::ModeSwitched { .. }));
    assert!(
        matches!(&sw, RenderEvent::ModeSwitched { to_fallback: true, reason } if reason == "GPU at 93% — showing Fast Preview"),
        "{sw:?}"
    );
    assert!(r.manager.fallback_active());
    let id = r.manager.submit(request(1, Mode::Realistic, false));
    let e = wait_for(
        &r.events,
        |e| matches!(e, RenderEvent::Started { id: i, .. } if *i == id),
    );
    match e {
        RenderEvent::Started {
            mode,
            requested,
            reason,
            ..
        } => {
            assert_eq!((mode, requested), (Mode::Preview, Mode::Realistic));
            assert_eq!(reason.as_deref(), Some("GPU at 93% — showing Fast Preview"));
        }
        other => panic!("{other:?}"),
    }
    // The user can force Realistic anyway.
    let id = r.manager.submit(request(1, Mode::Realistic, true));
    let e = wait_for(
        &r.events,
        |e| matches!(e, RenderEvent::Started { id: i, .. } if *i == id),
    );
    assert!(
        matches!(
            e,
            RenderEvent::Started {
                mode: Mode::Realistic,
                ..
            }
        ),
        "{e:?}"
    );
    // 80% is between the thresholds: still in fallback; 20% for 5 samples resumes.
    r.util.store(80, Ordering::Relaxed);
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        r.manager.fallback_active(),
        "hysteresis: 80% does not resume"
    );
    r.util.store(20, Ordering::Relaxed);
    let sw = wait_for(&r.events, |e| matches!(e, RenderEvent::ModeSwitched { .. }));
    assert!(
        matches!(
            sw,
            RenderEvent::ModeSwitched {
                to_fallback: false,
                ..
            }
        ),
        "{sw:?}"
    );
    let id = r.manager.submit(request(1, Mode::Realistic, false));
    let e = wait_for(
        &r.events,
        |e| matches!(e, RenderEvent::Started { id: i, .. } if *i == id),
    );
    assert!(
        matches!(
            e,
            RenderEvent::Started {
                mode: Mode::Realistic,
                reason: None,
                ..
            }
        ),
        "{e:?}"
    );
}

#[test]
fn coalescing_and_cancellation() {
    let r = rig(150);
    let first = r.manager.submit(request(7, Mode::Preview, false));
    wait_for(
        &r.events,
        |e| matches!(e, RenderEvent::Started { id, .. } if *id == first),
    );
    // While the first renders: five more for the same view, and one for another view.
    let same: Vec<u64> = (0..5)
        .map(|_| r.manager.submit(request(7, Mode::Preview, false)))
        .collect();
    let other = r.manager.submit(request(8, Mode::Preview, false));
    assert!(r.manager.cancel(other));
    assert!(
        !r.manager.cancel(first),
        "a running job cannot be cancelled"
    );
    let last = *same.last().expect("ids");
    wait_for(
        &r.events,
        |e| matches!(e, RenderEvent::Done { id, .. } if *id == last),
    );
    std::thread::sleep(Duration::from_millis(200));
    let done: Vec<u64> = r.done.lock().expect("lock").iter().map(|d| d.0).collect();
    assert_eq!(
        done,
        vec![first, last],
        "stale requests for a view are replaced, the cancelled one never runs"
    );
}

#[test]
fn a_burst_of_a_thousand_requests_stays_small_and_renders_the_last() {
    let r = rig(20);
    let mut last = 0;
    for i in 0..1000u64 {
        // A slider drag on one view, with a few other views interleaved.
        last = r.manager.submit(request(
            if i % 100 == 0 { 1000 + i } else { 1 },
            Mode::Preview,
            false,
        ));
    }
    wait_for(
        &r.events,
        |e| matches!(e, RenderEvent::Done { id, .. } if *id == last),
    );
    assert!(r.manager.stats.max_queue.load(Ordering::Relaxed) <= QUEUE_CAPACITY);
    let rendered = r.manager.stats.rendered.load(Ordering::Relaxed);
    assert!(rendered < 30, "{rendered} renders for 1000 requests");
    assert_eq!(r.done.lock().expect("lock").last().map(|d| d.0), Some(last));
}

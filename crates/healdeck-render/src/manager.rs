//! The render manager: every render request goes through here. One worker thread owns the
//! renderer; requests wait in a small queue where a new request for the same view replaces the
//! stale one (coalescing — dragging a slider never builds a backlog); one job renders at a time
//! (so at most one Realistic is ever in flight); queued jobs can be cancelled; the GUI hears
//! `RenderEvent`s. Realistic requests are served as Fast Preview while the GPU is busy with
//! others' work (see `fallback`), with the reason attached; a forced request renders as asked.

use super::config::RenderConfig;
use super::fallback::FallbackPolicy;
use super::mesh::Mesh;
use super::renderer::{Gpu, Mode, RenderError, Renderer, View, read_texture};
use crossbeam_channel::{Receiver, Sender, unbounded};
use healdeck_gpu::GpuSample;
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Jobs waiting at most; older distinct views are dropped beyond this.
pub const QUEUE_CAPACITY: usize = 4;

/// What renders a job: the wgpu renderer in the app, a stand-in in tests.
pub trait RenderBackend: Send + 'static {
    /// One-time work before the first render (shader compilation), kept out of render times.
    fn prepare(&mut self) {}
    fn render(&mut self, job: &RenderJob) -> Result<Rendered, RenderError>;
}

/// What a request wants back.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Output {
    /// Pixels on the CPU (PNG files, the command line).
    #[default]
    Image,
    /// A texture left on the GPU (the GUI's live view).
    Texture,
    /// Both: the live view of a Realistic render that is also saved to the renders folder.
    TextureAndImage,
}

/// A finished render: pixels, a GPU texture, or both, as the request asked.
#[derive(Debug, Clone, Default)]
pub struct Rendered {
    pub image: Option<Arc<image::RgbaImage>>,
    pub texture: Option<wgpu::Texture>,
}

impl Rendered {
    pub fn image(image: image::RgbaImage) -> Rendered {
        Rendered {
            image: Some(Arc::new(image)),
            texture: None,
        }
    }
}

/// A request from the UI or the command line.
#[derive(Clone)]
pub struct RenderRequest {
    /// Requests with the same key replace each other while queued (one view, one slider).
    pub view_key: u64,
    pub scene: Arc<Vec<Mesh>>,
    pub mode: Mode,
    /// Render Realistic even when the GPU is busy.
    pub force: bool,
    pub view: View,
    pub output: Output,
}

/// A job as the backend sees it: the mode actually rendered.
#[derive(Clone)]
pub struct RenderJob {
    pub id: u64,
    pub request: RenderRequest,
    pub mode: Mode,
}

#[derive(Debug, Clone)]
pub enum RenderEvent {
    Queued {
        id: u64,
    },
    /// A newer request for the same view replaced a queued one.
    Replaced {
        id: u64,
        by: u64,
    },
    Cancelled {
        id: u64,
        reason: String,
    },
    Started {
        id: u64,
        mode: Mode,
        requested: Mode,
        reason: Option<String>,
    },
    Done {
        id: u64,
        mode: Mode,
        millis: f64,
        rendered: Rendered,
    },
    Failed {
        id: u64,
        reason: String,
    },
    /// The fallback switched (also logged as a `[CLO]` entry).
    ModeSwitched {
        to_fallback: bool,
        reason: String,
    },
}

#[derive(Default)]
struct Queue {
    jobs: VecDeque<RenderJob>,
    shutdown: bool,
}

/// Counters for tests and the status bar.
#[derive(Debug, Default)]
pub struct ManagerStats {
    pub rendered: AtomicU64,
    pub max_queue: AtomicUsize,
}

pub struct RenderManager {
    queue: Arc<(Mutex<Queue>, Condvar)>,
    events: Sender<RenderEvent>,
    next_id: AtomicU64,
    pub stats: Arc<ManagerStats>,
    fallback_active: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl RenderManager {
    /// Starts the worker. `gpu` delivers meter samples; `pci_bus_id` picks the GPU that matters.
    pub fn start(
        backend: impl RenderBackend,
        config: &RenderConfig,
        gpu: Option<Receiver<GpuSample>>,
        pci_bus_id: Option<String>,
    ) -> (RenderManager, Receiver<RenderEvent>) {
        let (tx, rx) = unbounded();
        let queue: Arc<(Mutex<Queue>, Condvar)> = Arc::default();
        let stats: Arc<ManagerStats> = Arc::default();
        let fallback_active = Arc::new(AtomicBool::new(false));
        let worker = Worker {
            queue: queue.clone(),
            events: tx.clone(),
            stats: stats.clone(),
            fallback_active: fallback_active.clone(),
            policy: FallbackPolicy::new(config),
            gpu,
            pci_bus_id,
            epoch: Instant::now(),
        };
        let thread = std::thread::Builder::new()
            .name("healdeck-render".into())
            .spawn(move || worker.run(backend))
            .map_err(|e| tracing::error!("cannot start the render thread: {e}"))
            .ok();
        (
            RenderManager {
                queue,
                events: tx,
                next_id: AtomicU64::new(1),
                stats,
                fallback_active,
                thread,
            },
            rx,
        )
    }

    /// Queues a request; returns its id. Never blocks on rendering.
    pub fn submit(&self, request: RenderRequest) -> u64 {
        let id = self.next_id.fetch_add(1, Ordering::Relaxed);
        let mode = request.mode;
        let job = RenderJob { id, request, mode };
        let (lock, cv) = &*self.queue;
        let Ok(mut q) = lock.lock() else { return id };
        if let Some(slot) = q
            .jobs
            .iter_mut()
            .find(|j| j.request.view_key == job.request.view_key)
        {
            let old = slot.id;
            *slot = job;
            emit(&self.events, RenderEvent::Replaced { id: old, by: id });
        } else {
            if q.jobs.len() >= QUEUE_CAPACITY
                && let Some(dropped) = q.jobs.pop_front()
            {
                emit(
                    &self.events,
                    RenderEvent::Cancelled {
                        id: dropped.id,
                        reason: "queue full; a newer request won".into(),
                    },
                );
            }
            q.jobs.push_back(job);
        }
        let len = q.jobs.len();
        self.stats.max_queue.fetch_max(len, Ordering::Relaxed);
        emit(&self.events, RenderEvent::Queued { id });
        cv.notify_one();
        id
    }

    /// Cancels a queued job (a job already rendering finishes).
    pub fn cancel(&self, id: u64) -> bool {
        let (lock, _) = &*self.queue;
        let Ok(mut q) = lock.lock() else { return false };
        let before = q.jobs.len();
        q.jobs.retain(|j| j.id != id);
        let removed = q.jobs.len() < before;
        if removed {
            emit(
                &self.events,
                RenderEvent::Cancelled {
                    id,
                    reason: "cancelled".into(),
                },
            );
        }
        removed
    }

    /// Whether Realistic requests are currently served as Fast Preview.
    pub fn fallback_active(&self) -> bool {
        self.fallback_active.load(Ordering::Relaxed)
    }
}

/// Sends an event to whoever listens; with nobody listening (the window closed, the command
/// finished) there is no one to tell, so a failed send is not an error.
fn emit(events: &Sender<RenderEvent>, event: RenderEvent) {
    let _ = events.send(event);
}

/// The render thread's state: the queue it serves, the fallback policy it keeps up to date
/// from the GPU meter, and where it reports.
struct Worker {
    queue: Arc<(Mutex<Queue>, Condvar)>,
    events: Sender<RenderEvent>,
    stats: Arc<ManagerStats>,
    fallback_active: Arc<AtomicBool>,
    policy: FallbackPolicy,
    gpu: Option<Receiver<GpuSample>>,
    pci_bus_id: Option<String>,
    epoch: Instant,
}

impl Worker {
    fn run(mut self, mut backend: impl RenderBackend) {
        loop {
            // Take in the GPU meter's news first: the mode is decided when a job starts.
            self.observe_gpu();
            let Some(job) = self.next_job() else { return };
            if let Some(job) = job {
                self.render(&mut backend, job);
            }
        }
    }

    fn observe_gpu(&mut self) {
        let Some(rx) = &self.gpu else { return };
        while let Ok(sample) = rx.try_recv() {
            let pct = sample
                .primary(self.pci_bus_id.as_deref())
                .and_then(|r| r.others_percent());
            let now = self.epoch.elapsed().as_secs_f64();
            if let Some(sw) = self.policy.observe(pct, now) {
                tracing::info!(target: "healdeck::clo", "[CLO] {}", sw.reason);
                self.fallback_active
                    .store(sw.to_fallback, Ordering::Relaxed);
                emit(
                    &self.events,
                    RenderEvent::ModeSwitched {
                        to_fallback: sw.to_fallback,
                        reason: sw.reason,
                    },
                );
            }
        }
    }

    /// The next job, `Some(None)` after a quiet 25 ms (to look at the meter again), `None`
    /// when the manager shuts down.
    fn next_job(&self) -> Option<Option<RenderJob>> {
        let (lock, cv) = &*self.queue;
        let mut guard = lock.lock().ok()?;
        if guard.jobs.is_empty() && !guard.shutdown {
            guard = cv.wait_timeout(guard, Duration::from_millis(25)).ok()?.0;
        }
        if guard.shutdown {
            return None;
        }
        Some(guard.jobs.pop_front())
    }

    fn render(&mut self, backend: &mut impl RenderBackend, mut job: RenderJob) {
        let requested = job.request.mode;
        let (mode, reason) =
            if requested == Mode::Realistic && self.policy.active() && !job.request.force {
                (Mode::Preview, self.policy.reason())
            } else {
                (requested, None)
            };
        job.mode = mode;
        emit(
            &self.events,
            RenderEvent::Started {
                id: job.id,
                mode,
                requested,
                reason,
            },
        );
        backend.prepare();
        let t0 = Instant::now();
        let result = backend.render(&job);
        let millis = t0.elapsed().as_secs_f64() * 1000.0;
        self.stats.rendered.fetch_add(1, Ordering::Relaxed);
        emit(
            &self.events,
            match result {
                Ok(rendered) => RenderEvent::Done {
                    id: job.id,
                    mode,
                    millis,
                    rendered,
                },
                Err(e) => RenderEvent::Failed {
                    id: job.id,
                    reason: e.to_string(),
                },
            },
        );
    }
}

impl Drop for RenderManager {
    fn drop(&mut self) {
        let (lock, cv) = &*self.queue;
        if let Ok(mut q) = lock.lock() {
            q.shutdown = true;
        }
        cv.notify_all();
        // A render thread that panicked has nothing left to clean up; shutting down goes on.
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            tracing::error!("the render thread had panicked");
        }
    }
}

/// The real backend: the wgpu renderer on a headless (or shared) device, built on the render
/// thread at the first job (so a window opens without waiting for shader compilation). It adds
/// each render's time to the busy meter, which the adapter source turns into "healdeck's own"
/// utilization.
pub(crate) struct WgpuBackend {
    gpu: Gpu,
    renderer: Option<Renderer>,
    busy: Arc<healdeck_gpu::BusyMeter>,
}

impl WgpuBackend {
    pub(crate) fn new(gpu: Gpu, busy: Arc<healdeck_gpu::BusyMeter>) -> WgpuBackend {
        WgpuBackend {
            gpu,
            renderer: None,
            busy,
        }
    }
}

impl RenderBackend for WgpuBackend {
    fn prepare(&mut self) {
        let gpu = &self.gpu;
        self.renderer.get_or_insert_with(|| Renderer::new(gpu));
    }

    fn render(&mut self, job: &RenderJob) -> Result<Rendered, RenderError> {
        let gpu = &self.gpu;
        let r = self.renderer.get_or_insert_with(|| Renderer::new(gpu));
        let t0 = Instant::now();
        let meshes: Vec<&Mesh> = job.request.scene.iter().collect();
        let (view, size) = (&job.request.view, job.mode.size());
        let out = match job.request.output {
            Output::Image => r
                .render(gpu, &meshes, job.mode, view, size)
                .map(Rendered::image),
            Output::Texture | Output::TextureAndImage => r
                .render_texture(gpu, &meshes, job.mode, view, size)
                .and_then(|texture| {
                    let image = if job.request.output == Output::TextureAndImage {
                        Some(Arc::new(read_texture(gpu, &texture)?))
                    } else {
                        // Wait for the GPU so the time measured is the render's, not the
                        // submit's, and the busy meter counts it.
                        gpu.device
                            .poll(wgpu::PollType::wait_indefinitely())
                            .map_err(|e| RenderError::Gpu(e.to_string()))?;
                        None
                    };
                    Ok(Rendered {
                        image,
                        texture: Some(texture),
                    })
                }),
        };
        self.busy.add(t0.elapsed());
        out
    }
}

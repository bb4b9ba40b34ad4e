//! The render manager: every render request goes through here. One worker thread owns the
//! renderer; requests wait in a small queue where a new request for the same view replaces the
//! stale one (coalescing — dragging a slider never builds a backlog); one job renders at a time
//! (so at most one Realistic is ever in flight); queued jobs can be cancelled; the GUI hears
//! `RenderEvent`s. Realistic requests are served as Fast Preview while the GPU is busy with
//! others' work (see `fallback`), with the reason attached; a forced request renders as asked.

use super::config::RenderConfig;
use super::fallback::FallbackPolicy;
use super::mesh::Mesh;
use super::renderer::{Mode, View};
use crate::gpu::GpuSample;
use crossbeam_channel::{Receiver, Sender, unbounded};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

/// Jobs waiting at most; older distinct views are dropped beyond this.
pub const QUEUE_CAPACITY: usize = 4;

/// What renders a job: the wgpu renderer in the app, a stand-in in tests.
pub trait RenderBackend: Send + 'static {
    fn render(&mut self, job: &RenderJob) -> Result<Rendered, String>;
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
        mut backend: impl RenderBackend,
        config: &RenderConfig,
        gpu: Option<Receiver<GpuSample>>,
        pci_bus_id: Option<String>,
    ) -> (RenderManager, Receiver<RenderEvent>) {
        let (tx, rx) = unbounded();
        let queue: Arc<(Mutex<Queue>, Condvar)> = Arc::default();
        let stats: Arc<ManagerStats> = Arc::default();
        let fallback_active = Arc::new(AtomicBool::new(false));
        let mut policy = FallbackPolicy::new(config);
        let (q, events, st, active) = (
            queue.clone(),
            tx.clone(),
            stats.clone(),
            fallback_active.clone(),
        );
        let epoch = Instant::now();
        let thread = std::thread::Builder::new()
            .name("healdeck-render".into())
            .spawn(move || {
                loop {
                    // Take in the GPU meter's news first: the mode is decided when a job starts.
                    if let Some(rx) = &gpu {
                        while let Ok(sample) = rx.try_recv() {
                            let pct = sample
                                .primary(pci_bus_id.as_deref())
                                .and_then(|r| r.others_percent());
                            if let Some(sw) = policy.observe(pct, epoch.elapsed().as_secs_f64()) {
                                tracing::info!(target: "healdeck::clo", "[CLO] {}", sw.reason);
                                active.store(sw.to_fallback, Ordering::Relaxed);
                                let _ = events.send(RenderEvent::ModeSwitched {
                                    to_fallback: sw.to_fallback,
                                    reason: sw.reason,
                                });
                            }
                        }
                    }
                    let job = {
                        let (lock, cv) = &*q;
                        let Ok(mut guard) = lock.lock() else { return };
                        if guard.jobs.is_empty() && !guard.shutdown {
                            guard = match cv.wait_timeout(guard, Duration::from_millis(25)) {
                                Ok((g, _)) => g,
                                Err(_) => return,
                            };
                        }
                        if guard.shutdown {
                            return;
                        }
                        guard.jobs.pop_front()
                    };
                    let Some(mut job) = job else { continue };
                    let requested = job.request.mode;
                    let (mode, reason) =
                        if requested == Mode::Realistic && policy.active() && !job.request.force {
                            (Mode::Preview, policy.reason())
                        } else {
                            (requested, None)
                        };
                    job.mode = mode;
                    let _ = events.send(RenderEvent::Started {
                        id: job.id,
                        mode,
                        requested,
                        reason,
                    });
                    let t0 = Instant::now();
                    let result = backend.render(&job);
                    let millis = t0.elapsed().as_secs_f64() * 1000.0;
                    st.rendered.fetch_add(1, Ordering::Relaxed);
                    let _ = events.send(match result {
                        Ok(rendered) => RenderEvent::Done {
                            id: job.id,
                            mode,
                            millis,
                            rendered,
                        },
                        Err(reason) => RenderEvent::Failed { id: job.id, reason },
                    });
                }
            })
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
            let _ = self.events.send(RenderEvent::Replaced { id: old, by: id });
        } else {
            if q.jobs.len() >= QUEUE_CAPACITY
                && let Some(dropped) = q.jobs.pop_front()
            {
                let _ = self.events.send(RenderEvent::Cancelled {
                    id: dropped.id,
                    reason: "queue full; a newer request won".into(),
                });
            }
            q.jobs.push_back(job);
        }
        let len = q.jobs.len();
        self.stats.max_queue.fetch_max(len, Ordering::Relaxed);
        let _ = self.events.send(RenderEvent::Queued { id });
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
            let _ = self.events.send(RenderEvent::Cancelled {
                id,
                reason: "cancelled".into(),
            });
        }
        removed
    }

    /// Whether Realistic requests are currently served as Fast Preview.
    pub fn fallback_active(&self) -> bool {
        self.fallback_active.load(Ordering::Relaxed)
    }
}

impl Drop for RenderManager {
    fn drop(&mut self) {
        let (lock, cv) = &*self.queue;
        if let Ok(mut q) = lock.lock() {
            q.shutdown = true;
        }
        cv.notify_all();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// The real backend: the wgpu renderer on a headless (or shared) device. It adds each render's
/// time to the busy meter, which the adapter source turns into "healdeck's own" utilization.
pub struct WgpuBackend {
    pub gpu: super::renderer::Gpu,
    pub renderer: super::renderer::Renderer,
    pub busy: Arc<crate::gpu::BusyMeter>,
}

impl RenderBackend for WgpuBackend {
    fn render(&mut self, job: &RenderJob) -> Result<Rendered, String> {
        let t0 = Instant::now();
        let meshes: Vec<&Mesh> = job.request.scene.iter().collect();
        let (gpu, r, view) = (&self.gpu, &self.renderer, &job.request.view);
        let size = job.mode.size();
        let out = match job.request.output {
            Output::Image => r
                .render(gpu, &meshes, job.mode, view, size)
                .map(Rendered::image),
            Output::Texture | Output::TextureAndImage => r
                .render_texture(gpu, &meshes, job.mode, view, size)
                .and_then(|texture| {
                    let image = if job.request.output == Output::TextureAndImage {
                        Some(Arc::new(super::renderer::read_texture(gpu, &texture)?))
                    } else {
                        // Wait for the GPU so the time measured is the render's, not the
                        // submit's, and the busy meter counts it.
                        let _ = gpu.device.poll(wgpu::PollType::wait_indefinitely());
                        None
                    };
                    Ok(Rendered {
                        image,
                        texture: Some(texture),
                    })
                }),
        }
        .map_err(|e| e.to_string());
        self.busy.add(t0.elapsed());
        out
    }
}

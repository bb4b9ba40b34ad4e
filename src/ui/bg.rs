//! Background work for the window: a tokio runtime runs everything slow (scans, fixes, prompts,
//! imports, file dialogs, PNG writes, the Full System Test) and the long-lived followers (log
//! watcher, GPU meter, render events). Results come back to the UI thread as `UiEvent`s on one
//! channel, each followed by `request_repaint`; the UI never waits on a lock held by a worker.

use crate::gpu::GpuSample;
use crate::render::manager::RenderEvent;
use crate::render::mesh::Mesh;
use crate::selftest::Check;
use crate::troubleshoot::bus::TroubleAlert;
use crate::troubleshoot::fix::audit::AuditEntry;
use crate::troubleshoot::fix::{IssuePlan, Outcome, Step};
use crate::troubleshoot::prompt::Prompt;
use crate::troubleshoot::scan::ScanReport;
use crossbeam_channel::{Receiver, Sender, unbounded};
use std::path::PathBuf;

/// Which dialog a picked path answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Picked {
    LogFolder,
    LogFile,
    Import,
    PrintImage,
    SaveRender,
    ExportMarkdown,
    ExportJson,
}

impl Picked {
    /// The dialog's title, filter name and extensions, and the suggested name of a save.
    fn dialog(
        self,
    ) -> (
        &'static str,
        &'static str,
        &'static [&'static str],
        Option<&'static str>,
    ) {
        match self {
            Picked::LogFolder => ("Add a log folder", "", &[], None),
            Picked::LogFile => (
                "Add a log file",
                "Logs",
                &["log", "txt", "out", "err", "gz"],
                None,
            ),
            Picked::Import => (
                "Import a CLO3D / Marvelous Designer export",
                "Meshes",
                &["obj", "gltf", "glb"],
                None,
            ),
            Picked::PrintImage => ("Print image", "Images", &["png", "jpg", "jpeg"], None),
            Picked::SaveRender => ("Save render as", "PNG", &["png"], Some("render.png")),
            Picked::ExportMarkdown => (
                "Export report",
                "Markdown",
                &["md"],
                Some("healdeck-report.md"),
            ),
            Picked::ExportJson => (
                "Export report",
                "JSON",
                &["json"],
                Some("healdeck-report.json"),
            ),
        }
    }
}

/// Everything a worker tells the UI.
pub enum UiEvent {
    EngineReady {
        engine: std::sync::Arc<crate::troubleshoot::Engine>,
        errors: Vec<String>,
    },
    /// A live alert from the watcher of the given generation (older ones are ignored).
    Alert(u64, Box<TroubleAlert>),
    WatchReady {
        generation: u64,
        files: usize,
    },
    WatchFailed {
        generation: u64,
        error: String,
    },
    ScanDone(Box<ScanReport>),
    FixPlanned {
        plans: Vec<IssuePlan>,
        dry_run: bool,
        error: Option<String>,
    },
    FixStep(Step),
    FixDone {
        outcomes: Vec<(String, Outcome)>,
        error: Option<String>,
    },
    Prompt {
        fingerprint: String,
        result: Result<Prompt, String>,
    },
    History {
        fingerprint: String,
        entries: Vec<AuditEntry>,
    },
    SelftestCheck(Check),
    SelftestDone(String),
    Gpu(Box<GpuSample>),
    Render(RenderEvent),
    Imported(Result<(PathBuf, Mesh), String>),
    Picked(Picked, Option<PathBuf>),
    /// A file was written (a render, a report); `Err` says why not.
    Wrote(Result<PathBuf, String>),
}

/// The runtime and the way back to the UI.
pub struct Bg {
    rt: Option<tokio::runtime::Runtime>,
    tx: Sender<UiEvent>,
    pub rx: Receiver<UiEvent>,
    ctx: egui::Context,
}

/// A handle workers keep to report back.
#[derive(Clone)]
pub struct Reply {
    tx: Sender<UiEvent>,
    ctx: egui::Context,
}

impl Reply {
    pub fn send(&self, event: UiEvent) {
        let _ = self.tx.send(event);
        self.ctx.request_repaint();
    }
}

impl Bg {
    pub fn new(ctx: egui::Context) -> std::io::Result<Bg> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("healdeck-bg")
            .enable_time()
            .build()?;
        let (tx, rx) = unbounded();
        Ok(Bg {
            rt: Some(rt),
            tx,
            rx,
            ctx,
        })
    }

    fn handle(&self) -> Option<&tokio::runtime::Runtime> {
        self.rt.as_ref()
    }

    pub fn reply(&self) -> Reply {
        Reply {
            tx: self.tx.clone(),
            ctx: self.ctx.clone(),
        }
    }

    /// Runs blocking work on the runtime's blocking pool; `f` reports through the `Reply`.
    pub fn blocking(&self, f: impl FnOnce(Reply) + Send + 'static) {
        let r = self.reply();
        if let Some(rt) = self.handle() {
            rt.spawn_blocking(move || f(r));
        }
    }

    /// Forwards every message of `rx` to the UI as `wrap(msg)`, until either side hangs up.
    pub fn forward<T: Send + 'static>(
        &self,
        rx: Receiver<T>,
        wrap: impl Fn(T) -> UiEvent + Send + 'static,
    ) {
        let r = self.reply();
        let Some(rt) = self.handle() else { return };
        rt.spawn_blocking(move || {
            while let Ok(m) = rx.recv() {
                if r.tx.send(wrap(m)).is_err() {
                    return;
                }
                // Pass a burst on before waking the UI once.
                while let Ok(m) = rx.try_recv() {
                    if r.tx.send(wrap(m)).is_err() {
                        return;
                    }
                }
                r.ctx.request_repaint();
            }
        });
    }

    /// A native file dialog, off the UI thread; the answer comes back as `UiEvent::Picked`.
    pub fn pick(&self, what: Picked, start: Option<PathBuf>) {
        self.dialog(what, start, None);
    }

    /// A save dialog; where no dialog service exists the file goes to `fallback` instead
    /// (and a toast says where).
    pub fn save_dialog(&self, what: Picked, fallback: PathBuf) {
        self.dialog(what, None, Some(fallback));
    }

    fn dialog(&self, what: Picked, start: Option<PathBuf>, fallback: Option<PathBuf>) {
        let r = self.reply();
        let Some(rt) = self.handle() else { return };
        rt.spawn(async move {
            let asked = std::time::Instant::now();
            let mut d = rfd::AsyncFileDialog::new();
            if let Some(dir) = start.filter(|p| p.is_dir()) {
                d = d.set_directory(dir);
            }
            let (title, filter, extensions, save_as) = what.dialog();
            d = d.set_title(title);
            if !extensions.is_empty() {
                d = d.add_filter(filter, extensions);
            }
            let picked = match (what, save_as) {
                (Picked::LogFolder, _) => d.pick_folder().await,
                (_, Some(name)) => d.set_file_name(name).save_file().await,
                (_, None) => d.pick_file().await,
            };
            let mut path = picked.map(|h| h.path().to_path_buf());
            if path.is_none() && asked.elapsed() < std::time::Duration::from_millis(250) {
                // No person cancels that fast: there is no dialog service (xdg portal/zenity).
                if let Some(f) = fallback {
                    if let Some(dir) = f.parent() {
                        let _ = std::fs::create_dir_all(dir);
                    }
                    path = Some(f);
                } else {
                    r.send(UiEvent::Wrote(Err(
                        "no file dialog is available here (install xdg-desktop-portal or \
                         zenity); paste the path into the field instead"
                            .into(),
                    )));
                }
            }
            r.send(UiEvent::Picked(what, path));
        });
    }
}

impl Drop for Bg {
    /// Followers (log watcher, meter forwarders) run until the app ends: the runtime is shut
    /// down without waiting for them, so closing the window is immediate.
    fn drop(&mut self) {
        if let Some(rt) = self.rt.take() {
            rt.shutdown_background();
        }
    }
}

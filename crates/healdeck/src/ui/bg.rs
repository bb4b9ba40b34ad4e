//! Background work for the window: a tokio runtime runs everything slow (scans, fixes, prompts,
//! imports, file dialogs, PNG writes, the Full System Test) and the long-lived followers (log
//! watcher, GPU meter, render events). Results come back to the UI thread as `UiEvent`s on one
//! channel, each followed by `request_repaint`; the UI never waits on a lock held by a worker.

use super::events::{AppEvent, Picked, UiEvent};
use crossbeam_channel::{Receiver, Sender, unbounded};
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// A dialog answered faster than this was not shown: no person cancels that fast.
const NO_DIALOG_SERVICE: Duration = Duration::from_millis(250);

/// The runtime and the way back to the UI.
pub struct Bg {
    rt: Option<tokio::runtime::Runtime>,
    tx: Sender<UiEvent>,
    pub(crate) rx: Receiver<UiEvent>,
    ctx: egui::Context,
}

/// A handle workers keep to report back.
#[derive(Clone)]
pub struct Reply {
    tx: Sender<UiEvent>,
    ctx: egui::Context,
}

impl Reply {
    pub fn send(&self, event: impl Into<UiEvent>) {
        // The receiver lives as long as the window; after it closes nobody needs the news.
        let _ = self.tx.send(event.into());
        self.ctx.request_repaint();
    }
}

impl From<AppEvent> for UiEvent {
    fn from(e: AppEvent) -> UiEvent {
        UiEvent::App(e)
    }
}

impl From<super::events::TroubleEvent> for UiEvent {
    fn from(e: super::events::TroubleEvent) -> UiEvent {
        UiEvent::Trouble(e)
    }
}

impl From<super::events::HealthMsg> for UiEvent {
    fn from(e: super::events::HealthMsg) -> UiEvent {
        UiEvent::Health(e)
    }
}

impl From<super::events::CloEvent> for UiEvent {
    fn from(e: super::events::CloEvent) -> UiEvent {
        UiEvent::Clo(e)
    }
}

impl Bg {
    pub fn new(ctx: egui::Context) -> std::io::Result<Bg> {
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("healdeck-bg")
            .enable_time()
            // The health monitor's tcp probes connect on the runtime.
            .enable_io()
            .build()?;
        let (tx, rx) = unbounded();
        Ok(Bg {
            rt: Some(rt),
            tx,
            rx,
            ctx,
        })
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
        if let Some(rt) = &self.rt {
            rt.spawn_blocking(move || f(r));
        }
    }

    /// Runs a long-lived async task (the health monitor) on the runtime.
    pub fn spawn(&self, f: impl std::future::Future<Output = ()> + Send + 'static) {
        if let Some(rt) = &self.rt {
            rt.spawn(f);
        }
    }

    /// Forwards every message of `rx` like `forward`, but wakes the UI only for those `wake`
    /// says change what is on screen; the others wait in the channel for the next frame (the
    /// GPU meter's 1 Hz samples, while no meter or an unchanged figure is shown).
    pub fn forward_quiet<T: Send + 'static>(
        &self,
        rx: Receiver<T>,
        wrap: impl Fn(T) -> UiEvent + Send + 'static,
        mut wake: impl FnMut(&T) -> bool + Send + 'static,
    ) {
        let r = self.reply();
        let Some(rt) = &self.rt else { return };
        rt.spawn_blocking(move || {
            while let Ok(m) = rx.recv() {
                let repaint = wake(&m);
                if r.tx.send(wrap(m)).is_err() {
                    return;
                }
                if repaint {
                    r.ctx.request_repaint();
                }
            }
        });
    }

    /// Forwards every message of `rx` to the UI as `wrap(msg)`, until either side hangs up.
    pub fn forward<T: Send + 'static>(
        &self,
        rx: Receiver<T>,
        wrap: impl Fn(T) -> UiEvent + Send + 'static,
    ) {
        let r = self.reply();
        let Some(rt) = &self.rt else { return };
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

    /// A native file dialog, off the UI thread; the answer comes back as the tab's `Picked`
    /// event (nothing when the person cancels).
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
        let Some(rt) = &self.rt else { return };
        rt.spawn(async move {
            let asked = Instant::now();
            let spec = what.dialog();
            let mut d = rfd::AsyncFileDialog::new().set_title(spec.title);
            if let Some(dir) = start.filter(|p| p.is_dir()) {
                d = d.set_directory(dir);
            }
            if !spec.extensions.is_empty() {
                d = d.add_filter(spec.filter, spec.extensions);
            }
            let picked = match (spec.folder, spec.save_as) {
                (true, _) => d.pick_folder().await,
                (false, Some(name)) => d.set_file_name(name).save_file().await,
                (false, None) => d.pick_file().await,
            };
            let mut path = picked.map(|h| h.path().to_path_buf());
            if path.is_none() && asked.elapsed() < NO_DIALOG_SERVICE {
                // There is no dialog service (xdg portal, zenity).
                match fallback {
                    Some(f) => path = Some(f),
                    None => r.send(AppEvent::Wrote(Err(
                        "no file dialog is available here (install xdg-desktop-portal or \
                         zenity); paste the path into the field instead"
                            .into(),
                    ))),
                }
            }
            if let Some(p) = path {
                r.send(what.event(p));
            }
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

//! The CLO Companion tab: avatar and garment editors, an imported CLO3D/Marvelous Designer mesh,
//! the live render (drawn by the renderer on eframe's own wgpu device and shown as a native
//! texture — no trip through the CPU), orbit and zoom, the Fast Preview / Realistic toggle with
//! the render manager's fallback reason, and the GPU meter. Realistic renders are also written
//! to the renders folder ("📷 View Full Render" opens it).
//!
//! This file holds the tab's state, what it asks the render service for, and how it takes in
//! `CloEvent`s; the panels draw in `editor`, `toolbar`, `view` and `gpu_meter`; `output`
//! writes PNGs and opens the renders folder.

mod avatar_editor;
mod drape;
mod editor;
mod gpu_meter;
mod import;
mod output;
mod toolbar;
mod view;

pub use gpu_meter::GpuMeter;

use super::dev_hooks::mark;
use super::events::{CloEvent, CloPick, UiEvent};
use super::settings::CloSettings;
use super::shared::Shared;
use super::widgets::ToastKind;
use healdeck_config::SettingsFile;
use healdeck_gpu::{AdapterKind, GpuMonitor, GpuSource, detect};
use healdeck_render::avatar::Measurements;
use healdeck_render::config::RenderConfig;
use healdeck_render::drape::Solver;
use healdeck_render::garment::Print;
use healdeck_render::manager::{Output, RenderEvent, RenderRequest};
use healdeck_render::mesh::Mesh;
use healdeck_render::renderer::{Gpu, Mode, View, describe_adapter, supports_msaa4};
use healdeck_render::scene::{Built, Garment, Imported, SceneSpec};
use healdeck_render::service::RenderService;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// How long Realistic waits after the last edit (the pointer released) before it renders.
const REALISTIC_DELAY: Duration = Duration::from_millis(450);

/// What the render view shows.
enum Shown {
    Native(egui::TextureId),
    Image(egui::TextureHandle),
}

pub struct CloTab {
    render_state: Option<eframe::egui_wgpu::RenderState>,
    unorm_view: bool,
    service: Option<RenderService>,
    /// The meter's own monitor when there is no device to render on.
    _monitor: Option<GpuMonitor>,
    /// Whether the tab (and its live GPU meter) is on screen: only then does every GPU sample
    /// repaint the window.
    meter_visible: Arc<AtomicBool>,
    pub meter: GpuMeter,
    pub config: RenderConfig,
    config_error: Option<String>,
    /// The scene rendered: the built one, or with the draped cloth in the garment's place.
    scene: Option<Arc<Vec<Mesh>>>,
    /// The scene as built from the editors (the avatar and the garment's shell).
    base: Option<Arc<Vec<Mesh>>>,
    drape: drape::DrapeRun,
    scene_error: Option<String>,
    /// What the current scene was built from (rebuilt when it changes).
    scene_key: Option<SceneKey>,
    /// A scene is being built off the UI thread; edits meanwhile wait for it.
    building: bool,
    /// A built scene arrived and has not been asked to render yet.
    scene_fresh: bool,
    /// What a tape reads on the avatar shown, and how long solving it took (ms).
    pub measured: Option<(Measurements, f64)>,
    /// The avatar measurement out of reach (the closest body is shown), if one is.
    avatar_warning: Option<String>,
    imported: Option<Imported>,
    shown: Option<Shown>,
    /// The latest job and when it was asked for.
    pending: Option<(u64, Mode, Instant)>,
    pub last: Option<(Mode, f64)>,
    pub fallback_reason: Option<String>,
    realistic_due: Option<Instant>,
    /// Realistic jobs whose image also goes to the renders folder.
    autosave: HashSet<u64>,
    save_as: HashMap<u64, PathBuf>,
    pub adapter_name: String,
    pub rendered: u64,
    /// The view of the last request (a change, by drag or otherwise, asks for a new render).
    requested_view: Option<View>,
    import_entry: String,
}

/// The editor values a scene is built from.
#[derive(Clone, PartialEq)]
struct SceneKey {
    settings: CloSettings,
    imported_loaded: bool,
}

impl SceneKey {
    fn of(c: &CloSettings, imported_loaded: bool) -> SceneKey {
        // Mode and view do not change the scene.
        let settings = CloSettings {
            mode: Mode::Preview,
            view: View::default(),
            ..c.clone()
        };
        SceneKey {
            settings,
            imported_loaded,
        }
    }
}

/// The longest a frame waits for the Fast Preview it asked for.
const PREVIEW_WAIT: Duration = Duration::from_millis(40);

impl CloTab {
    pub fn new(
        sh: &Shared,
        render_state: Option<eframe::egui_wgpu::RenderState>,
        gpu_sources: Option<Vec<Box<dyn GpuSource>>>,
    ) -> CloTab {
        let (config, config_error) = match RenderConfig::load_or_default(&sh.dirs.dirs) {
            Ok(c) => (c, None),
            Err(e) => (RenderConfig::default(), Some(e.to_string())),
        };
        let mut tab = CloTab {
            render_state: render_state.clone(),
            unorm_view: false,
            service: None,
            _monitor: None,
            meter_visible: Arc::new(AtomicBool::new(false)),
            meter: GpuMeter::new(None),
            config,
            config_error,
            scene: None,
            base: None,
            drape: drape::DrapeRun::default(),
            scene_error: None,
            scene_key: None,
            building: false,
            scene_fresh: false,
            measured: None,
            avatar_warning: None,
            imported: None,
            shown: None,
            pending: None,
            last: None,
            fallback_reason: None,
            realistic_due: None,
            autosave: HashSet::new(),
            save_as: HashMap::new(),
            adapter_name: "no GPU device".into(),
            rendered: 0,
            requested_view: None,
            import_entry: String::new(),
        };
        let Some(rs) = render_state else {
            // No wgpu device (should not happen with eframe's wgpu backend): meter only.
            let period = Duration::from_millis(tab.config.sample_period_ms);
            let monitor = GpuMonitor::start(gpu_sources.unwrap_or_else(|| detect(None)), period);
            sh.bg.forward(monitor.subscribe(), |s| {
                UiEvent::Clo(CloEvent::Gpu(Box::new(s)))
            });
            tab._monitor = Some(monitor);
            return tab;
        };
        let info = rs.adapter.get_info();
        tab.adapter_name = format!("{} ({:?})", info.name, info.backend);
        let msaa4 = supports_msaa4(&rs.adapter);
        let gpu = Gpu::from_parts(rs.device.clone(), rs.queue.clone(), info.clone(), msaa4);
        // Cloth drapes on the same device as the renders, when it is a real GPU.
        tab.drape.solver = Some(Solver::auto(Some(Arc::new(gpu.clone()))));
        tab.unorm_view = gpu.unorm_view;
        let adapter = describe_adapter(&info);
        tab.meter = GpuMeter::new(adapter.pci_bus_id.clone());
        let service = RenderService::start(gpu, &tab.config, gpu_sources);
        let visible = tab.meter_visible.clone();
        let bus = adapter.pci_bus_id;
        let mut shown = None;
        let mut meter = tab.meter.changes();
        if adapter.kind == AdapterKind::Software {
            meter = meter.for_software_adapter();
        }
        sh.bg.forward_quiet(
            service.samples(),
            |s| UiEvent::Clo(CloEvent::Gpu(Box::new(s))),
            move |s| {
                // The status bar shows the utilization in whole percent; the CLO tab's meter,
                // while on screen, whatever changes what it shows.
                let util = s
                    .primary(bus.as_deref())
                    .and_then(|r| r.util_percent)
                    .map(|u| u.round() as i32);
                let changed = shown != Some(util);
                shown = Some(util);
                let meter_changed = meter.shows_change(s);
                changed || (visible.load(Ordering::Relaxed) && meter_changed)
            },
        );
        // Queued, Replaced and Started change nothing on screen at once: only results wake
        // the window.
        sh.bg.forward_quiet(
            service.events.clone(),
            |e| UiEvent::Clo(CloEvent::Render(e)),
            |e| {
                !matches!(
                    e,
                    RenderEvent::Queued { .. }
                        | RenderEvent::Replaced { .. }
                        | RenderEvent::Started { .. }
                )
            },
        );
        tab.service = Some(service);
        if let Some(p) = sh.settings.clo.imported.clone() {
            Self::import(sh, p);
        }
        tab
    }

    /// Loads an OBJ/glTF off the UI thread.
    fn import(sh: &Shared, path: PathBuf) {
        let with_avatar = sh.settings.clo.import_with_avatar;
        sh.bg.blocking(move |r| {
            let result = Imported::load(&path, with_avatar).map_err(|e| e.to_string());
            r.send(CloEvent::Imported(result));
        });
    }

    /// What the editors describe, as a scene.
    fn scene_spec(&self, c: &CloSettings) -> SceneSpec {
        let import = self.imported.clone().map(|i| Imported {
            with_avatar: c.import_with_avatar,
            look: c.import_look.clone(),
            ..i
        });
        SceneSpec {
            template: c.template,
            measurements: c.measurements,
            garments: drape::outfit(c)
                .into_iter()
                .map(Garment::from_spec)
                .collect(),
            import: import.filter(|_| c.imported.is_some()),
        }
    }

    /// Starts building the scene off the UI thread when the editors changed it (one build at
    /// a time: edits made meanwhile are built when it is done).
    fn rebuild_scene(&mut self, sh: &Shared) {
        let c = &sh.settings.clo;
        let key = SceneKey::of(c, self.imported.is_some());
        if self.building || self.scene_key.as_ref() == Some(&key) {
            return;
        }
        self.scene_key = Some(key);
        if c.imported.is_some() && self.imported.is_none() {
            self.scene_error = Some("loading the imported mesh…".into());
            return;
        }
        self.building = true;
        let spec = self.scene_spec(c);
        sh.bg.blocking(move |r| {
            let t0 = Instant::now();
            let built = spec.build_scene().map(Box::new).map_err(|e| e.to_string());
            tracing::debug!(
                "[CLO] scene built in {:.0} ms",
                t0.elapsed().as_secs_f64() * 1e3
            );
            r.send(CloEvent::Scene(built));
        });
    }

    /// Takes in a built scene (or why it could not be built).
    fn on_scene(&mut self, c: &CloSettings, built: Result<Box<Built>, String>) {
        self.building = false;
        match built {
            Ok(b) => {
                self.measured = b.measured;
                self.avatar_warning = b.unreached.map(|e| e.to_string());
                self.base = Some(Arc::new(b.meshes));
                self.scene_error = None;
                self.compose(c);
            }
            Err(e) => self.scene_error = Some(e),
        }
    }

    /// Why the editors' scene could not be built, if it could not.
    pub fn scene_error(&self) -> Option<&str> {
        self.scene_error.as_deref()
    }

    /// Which avatar measurement is out of reach, if one is (the closest body is shown).
    pub fn avatar_warning(&self) -> Option<&str> {
        self.avatar_warning.as_deref()
    }

    fn submit(&mut self, sh: &Shared, mode: Mode, output: Output) -> Option<u64> {
        let (Some(s), Some(scene)) = (&self.service, &self.scene) else {
            return None;
        };
        // Where egui cannot sample the texture (OpenGL), the render thread reads it back.
        let output = match output {
            Output::Texture | Output::TextureAndImage if !self.unorm_view => Output::Image,
            o => o,
        };
        let id = s.manager.submit(RenderRequest {
            view_key: 1,
            scene: scene.clone(),
            mode,
            force: false,
            view: sh.settings.clo.view,
            output,
        });
        mark(&format!("render {} requested", mode.name()));
        self.pending = Some((id, mode, Instant::now()));
        self.requested_view = Some(sh.settings.clo.view);
        Some(id)
    }

    /// Asks for what the current settings show: Fast Preview now, and in Realistic mode the
    /// full render once the user stops dragging — and, while cloth is settling, once it has
    /// settled (the settling cloth is shown in Fast Preview).
    fn request(&mut self, sh: &Shared, immediate_realistic: bool) {
        if self.drape.running() {
            self.realistic_due = None;
            self.submit(sh, Mode::Preview, Output::Texture);
            return;
        }
        if sh.settings.clo.mode == Mode::Realistic && immediate_realistic {
            self.realistic_due = None;
            if let Some(id) = self.submit(sh, Mode::Realistic, Output::TextureAndImage) {
                self.autosave.insert(id);
            }
            return;
        }
        self.submit(sh, Mode::Preview, Output::Texture);
        if sh.settings.clo.mode == Mode::Realistic {
            self.realistic_due = Some(Instant::now() + REALISTIC_DELAY);
        }
    }

    pub fn set_mode(&mut self, sh: &mut Shared, mode: Mode) {
        if sh.settings.clo.mode != mode {
            sh.settings.clo.mode = mode;
            tracing::info!("[CLO] mode: {}", mode.name());
            self.request(sh, true);
        }
    }

    /// Takes in a worker event.
    pub(crate) fn on_event(&mut self, sh: &mut Shared, event: CloEvent) {
        match event {
            CloEvent::Gpu(s) => self.meter.push(*s),
            CloEvent::Render(e) => self.on_render(sh, e),
            CloEvent::Scene(built) => self.on_scene(&sh.settings.clo, built),
            CloEvent::Drape(job, update) => self.on_drape(&sh.settings.clo, job, update),
            CloEvent::Imported(Ok(imported)) => {
                tracing::info!("[CLO] imported {}", imported.path.display());
                sh.settings.clo.imported = Some(imported.path.clone());
                self.imported = Some(imported);
                self.scene_key = None;
            }
            CloEvent::Imported(Err(e)) => {
                sh.settings.clo.imported = None;
                self.scene_key = None;
                sh.toasts.add(ToastKind::Error, format!("import: {e}"));
            }
            CloEvent::Picked(CloPick::Import, p) => Self::import(sh, p),
            CloEvent::Picked(CloPick::Pattern, p) => self.sew_pattern(sh, p),
            CloEvent::Picked(CloPick::Material, p) => Self::read_material(sh, p),
            CloEvent::Material(p, read) => Self::use_material(sh, p, read),
            CloEvent::Picked(CloPick::PrintImage, p) => {
                sh.settings.clo.garment.print = Some(Print::Image {
                    path: p.display().to_string(),
                    repeat: 4.0,
                });
            }
            CloEvent::Picked(CloPick::SaveRender, p) => {
                let p = if p.extension().is_none() {
                    p.with_extension("png")
                } else {
                    p
                };
                let mode = self.last.map_or(sh.settings.clo.mode, |(m, _)| m);
                if let Some(id) = self.submit(sh, mode, Output::TextureAndImage) {
                    self.save_as.insert(id, p);
                }
            }
        }
    }

    fn on_render(&mut self, sh: &mut Shared, e: RenderEvent) {
        match e {
            RenderEvent::Started {
                id,
                mode,
                requested,
                reason,
            } => {
                if mode != requested {
                    self.fallback_reason = reason;
                } else if requested == Mode::Realistic {
                    self.fallback_reason = None;
                }
                if let Some((pid, _, t)) = self.pending
                    && pid == id
                {
                    self.pending = Some((id, mode, t));
                }
            }
            RenderEvent::ModeSwitched {
                to_fallback,
                reason,
            } => {
                let kind = if to_fallback {
                    ToastKind::Error
                } else {
                    ToastKind::Info
                };
                sh.toasts.add(kind, reason.clone());
                if to_fallback {
                    self.fallback_reason = Some(reason);
                } else {
                    self.fallback_reason = None;
                    if sh.settings.clo.mode == Mode::Realistic {
                        self.request(sh, true);
                    }
                }
            }
            RenderEvent::Done {
                id,
                mode,
                millis,
                rendered,
            } => {
                mark(&format!(
                    "render {} shown ({millis:.0} ms on the renderer)",
                    mode.name()
                ));
                self.on_done(sh, id, mode, millis, &rendered);
            }
            RenderEvent::Failed { id, reason } => {
                self.clear_pending(id);
                tracing::warn!("[CLO] render failed: {reason}");
                sh.toasts
                    .add(ToastKind::Error, format!("render failed: {reason}"));
            }
            RenderEvent::Cancelled { id, .. } => self.clear_pending(id),
            RenderEvent::Queued { .. } | RenderEvent::Replaced { .. } => {}
        }
    }

    fn clear_pending(&mut self, id: u64) {
        if self.pending.as_ref().is_some_and(|p| p.0 == id) {
            self.pending = None;
        }
    }

    /// A render finished: show it, and write it where it was asked to go.
    fn on_done(
        &mut self,
        sh: &Shared,
        id: u64,
        mode: Mode,
        millis: f64,
        rendered: &healdeck_render::manager::Rendered,
    ) {
        self.rendered += 1;
        self.clear_pending(id);
        self.last = Some((mode, millis));
        self.show(sh, rendered);
        let target = match self.save_as.remove(&id) {
            Some(path) => Some(path),
            None if self.autosave.remove(&id) && mode == Mode::Realistic => {
                Some(self.autosave_path(sh))
            }
            None => None,
        };
        if let (Some(path), Some(img)) = (target, rendered.image.clone()) {
            self.write_png(sh, path, img, mode, millis);
        }
        tracing::debug!("[CLO] rendered {} in {millis:.0} ms", mode.name());
    }

    pub fn busy(&self) -> bool {
        self.pending.is_some()
    }

    /// Says whether the tab is on screen (the app calls this every frame).
    pub fn set_visible(&self, visible: bool) {
        self.meter_visible.store(visible, Ordering::Relaxed);
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        egui::Panel::left("clo_editor")
            .resizable(true)
            .default_size(300.0)
            .min_size(250.0)
            .show(ui, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| self.editor_ui(ui, sh));
            });
        egui::Panel::right("clo_gpu")
            .resizable(true)
            .default_size(300.0)
            .min_size(240.0)
            .show(ui, |ui| {
                ui.add_space(6.0);
                self.meter.ui(ui, self.config.fallback_percent);
            });
        egui::Panel::top("clo_toolbar").show(ui, |ui| {
            ui.add_space(4.0);
            self.toolbar_ui(ui, sh);
            ui.add_space(4.0);
        });
        // The editors may have changed the scene: ask now, and give a Fast Preview a moment
        // to arrive so this frame shows it (painting the old image first costs a whole frame
        // more, which on a software GPU is the larger part of the wait).
        self.request_when_due(ui, sh);
        self.await_preview(sh);
        egui::CentralPanel::default().show(ui, |ui| self.view_ui(ui, sh));
        // Orbit and zoom change the view while it is drawn.
        self.request_when_due(ui, sh);
    }

    /// Waits up to `PREVIEW_WAIT` for the Fast Preview asked for this frame, taking in this
    /// tab's events as they come and parking the others for the next frame.
    fn await_preview(&mut self, sh: &mut Shared) {
        let Some((_, Mode::Preview, asked)) = self.pending else {
            return;
        };
        if asked.elapsed() > PREVIEW_WAIT {
            return;
        }
        let deadline = asked + PREVIEW_WAIT;
        while matches!(self.pending, Some((_, Mode::Preview, _))) {
            let left = deadline.saturating_duration_since(Instant::now());
            match sh.bg.rx.recv_timeout(left) {
                Ok(UiEvent::Clo(e)) => self.on_event(sh, e),
                Ok(other) => sh.parked.push(other),
                Err(_) => return,
            }
        }
    }

    /// Asks for a new render when the scene or the view changed, for the first render, and
    /// for the delayed Realistic once the pointer is released.
    fn request_when_due(&mut self, ui: &egui::Ui, sh: &Shared) {
        self.rebuild_scene(sh);
        self.drape_when_due(sh);
        let changed = std::mem::take(&mut self.scene_fresh);
        let view_changed = self
            .requested_view
            .is_some_and(|v| v != sh.settings.clo.view);
        let first = self.shown.is_none()
            && self.pending.is_none()
            && self.scene.is_some()
            && self.rendered == 0;
        if changed || view_changed || first {
            self.request(sh, false);
        }
        if let Some(due) = self.realistic_due {
            let dragging = ui.input(|i| i.pointer.any_down());
            if Instant::now() >= due && !dragging {
                self.request(sh, true);
            } else {
                ui.ctx().request_repaint_after(Duration::from_millis(100));
            }
        }
    }
}

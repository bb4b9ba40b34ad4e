//! The CLO Companion tab: avatar and garment editors, an imported CLO3D/Marvelous Designer mesh,
//! the live render (drawn by the renderer on eframe's own wgpu device and shown as a native
//! texture — no trip through the CPU), orbit and zoom, the Fast Preview / Realistic toggle with
//! the render manager's fallback reason, and the GPU meter. Realistic renders are also written
//! to the renders folder ("📷 View Full Render" opens it).

use super::app::Shared;
use super::bg::{Picked, UiEvent};
use super::gpu_meter::GpuMeter;
use super::widgets::ToastKind;
use crate::gpu::{BusyMeter, GpuMonitor, detect};
use crate::render::avatar::{Body, Measurements, Template};
use crate::render::config::RenderConfig;
use crate::render::garment::{Fabric, Fit, GarmentType, Neckline, Print, SleeveLength};
use crate::render::manager::{
    Output, RenderBackend, RenderEvent, RenderJob, RenderManager, RenderRequest, Rendered,
    WgpuBackend,
};
use crate::render::mesh::Mesh;
use crate::render::renderer::{Gpu, Mode, Renderer, TARGET};
use egui::{Color32, RichText};
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Builds the renderer on the render thread at the first job, so opening the window does not
/// wait for shader compilation.
struct LazyBackend {
    gpu: Option<Gpu>,
    busy: Arc<BusyMeter>,
    inner: Option<WgpuBackend>,
}

impl RenderBackend for LazyBackend {
    fn render(&mut self, job: &RenderJob) -> Result<Rendered, String> {
        if self.inner.is_none() {
            let gpu = self.gpu.take().ok_or("the GPU device is gone")?;
            let renderer = Renderer::new(&gpu);
            self.inner = Some(WgpuBackend {
                gpu,
                renderer,
                busy: self.busy.clone(),
            });
        }
        self.inner
            .as_mut()
            .ok_or_else(|| "no renderer".to_string())?
            .render(job)
    }
}

/// What the render view shows.
enum Shown {
    Native(egui::TextureId),
    Image(egui::TextureHandle),
}

pub struct CloTab {
    render_state: Option<eframe::egui_wgpu::RenderState>,
    unorm_view: bool,
    manager: Option<RenderManager>,
    _monitor: Option<GpuMonitor>,
    pub meter: GpuMeter,
    pub config: RenderConfig,
    config_error: Option<String>,
    scene: Option<Arc<Vec<Mesh>>>,
    scene_error: Option<String>,
    /// What the current scene was built from (rebuilt when it changes).
    scene_key: Option<SceneKey>,
    imported: Option<Arc<Mesh>>,
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
    requested_view: Option<crate::render::renderer::View>,
    import_entry: String,
}

/// The editor values a scene is built from.
#[derive(Clone, PartialEq)]
struct SceneKey {
    template: Template,
    measurements: Measurements,
    garment: crate::render::garment::GarmentSpec,
    imported: Option<PathBuf>,
    with_avatar: bool,
}

impl SceneKey {
    fn of(c: &super::settings::CloSettings) -> SceneKey {
        SceneKey {
            template: c.template,
            measurements: c.measurements,
            garment: c.garment.clone(),
            imported: c.imported.clone(),
            with_avatar: c.import_with_avatar,
        }
    }
}

fn srgb_hex(c: [u8; 3]) -> String {
    format!("#{:02x}{:02x}{:02x}", c[0], c[1], c[2])
}

fn hex_srgb(s: &str) -> [u8; 3] {
    let h = s.trim_start_matches('#');
    let p = |i: usize| h.get(i..i + 2).and_then(|x| u8::from_str_radix(x, 16).ok());
    [p(0).unwrap_or(0), p(2).unwrap_or(0), p(4).unwrap_or(0)]
}

fn label_of<T: std::fmt::Debug>(v: T) -> String {
    let s = format!("{v:?}");
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else {
            out.push(c);
        }
    }
    out
}

impl CloTab {
    pub fn new(
        sh: &Shared,
        render_state: Option<eframe::egui_wgpu::RenderState>,
        gpu_sources: Option<Vec<Box<dyn crate::gpu::GpuSource>>>,
    ) -> CloTab {
        let cfg_path = sh.dirs.config.join("render_config.json");
        let (config, config_error) = if cfg_path.exists() {
            match RenderConfig::load(&cfg_path) {
                Ok(c) => (c, None),
                Err(e) => (RenderConfig::default(), Some(e)),
            }
        } else {
            (RenderConfig::default(), None)
        };
        let mut tab = CloTab {
            render_state: render_state.clone(),
            unorm_view: false,
            manager: None,
            _monitor: None,
            meter: GpuMeter::new(None),
            config,
            config_error,
            scene: None,
            scene_error: None,
            scene_key: None,
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
        let period = Duration::from_millis(tab.config.sample_period_ms);
        let busy = BusyMeter::new();
        let Some(rs) = render_state else {
            // No wgpu device (should not happen with eframe's wgpu backend): meter only.
            let monitor = GpuMonitor::start(gpu_sources.unwrap_or_else(|| detect(None)), period);
            sh.bg
                .forward(monitor.subscribe(), |s| UiEvent::Gpu(Box::new(s)));
            tab._monitor = Some(monitor);
            return tab;
        };
        let info = rs.adapter.get_info();
        tab.adapter_name = format!("{} ({:?})", info.name, info.backend);
        let msaa4 = rs
            .adapter
            .get_texture_format_features(TARGET)
            .flags
            .sample_count_supported(4);
        let gpu = Gpu::from_parts(rs.device.clone(), rs.queue.clone(), info.clone(), msaa4);
        tab.unorm_view = gpu.unorm_view;
        let pci = (!info.device_pci_bus_id.is_empty()).then(|| info.device_pci_bus_id.clone());
        tab.meter = GpuMeter::new(pci.clone());
        let sources = gpu_sources.unwrap_or_else(|| detect(Some((&info, busy.clone()))));
        let monitor = GpuMonitor::start(sources, period);
        sh.bg
            .forward(monitor.subscribe(), |s| UiEvent::Gpu(Box::new(s)));
        let (manager, events) = RenderManager::start(
            LazyBackend {
                gpu: Some(gpu),
                busy,
                inner: None,
            },
            &tab.config,
            Some(monitor.subscribe()),
            pci,
        );
        sh.bg.forward(events, UiEvent::Render);
        tab.manager = Some(manager);
        tab._monitor = Some(monitor);
        if let Some(p) = sh.settings.clo.imported.clone() {
            Self::import(sh, p);
        }
        tab
    }

    fn import(sh: &Shared, path: PathBuf) {
        sh.bg.blocking(move |r| {
            let result = crate::render::import::load(&path)
                .map(|m| (path.clone(), m))
                .map_err(|e| e.to_string());
            r.send(UiEvent::Imported(result));
        });
    }

    /// Rebuilds the scene when the editors changed it; true when it changed.
    fn rebuild_scene(&mut self, sh: &Shared) -> bool {
        let key = SceneKey::of(&sh.settings.clo);
        if self.scene_key.as_ref() == Some(&key) {
            return false;
        }
        self.scene_key = Some(key);
        let c = &sh.settings.clo;
        let built = (|| -> Result<Vec<Mesh>, String> {
            if c.imported.is_some() {
                let Some(m) = &self.imported else {
                    return Err("loading the imported mesh…".into());
                };
                let mut v = Vec::new();
                if c.import_with_avatar {
                    v.push(Body::new(c.template, c.measurements)?.mesh);
                }
                v.push((**m).clone());
                return Ok(v);
            }
            let body = Body::new(c.template, c.measurements)?;
            let garment = c.garment.build(&body, None)?;
            Ok(vec![body.mesh, garment])
        })();
        match built {
            Ok(v) => {
                self.scene = Some(Arc::new(v));
                self.scene_error = None;
            }
            Err(e) => self.scene_error = Some(e),
        }
        true
    }

    fn submit(&mut self, sh: &Shared, mode: Mode, output: Output) -> Option<u64> {
        let (Some(m), Some(scene)) = (&self.manager, &self.scene) else {
            return None;
        };
        // Where egui cannot sample the texture (OpenGL), the render thread reads it back.
        let output = match output {
            Output::Texture if !self.unorm_view => Output::Image,
            Output::TextureAndImage if !self.unorm_view => Output::Image,
            o => o,
        };
        let id = m.submit(RenderRequest {
            view_key: 1,
            scene: scene.clone(),
            mode,
            force: false,
            view: sh.settings.clo.view,
            output,
        });
        self.pending = Some((id, mode, Instant::now()));
        self.requested_view = Some(sh.settings.clo.view);
        Some(id)
    }

    /// Asks for what the current settings show: Fast Preview now, and in Realistic mode the
    /// full render once the user stops dragging.
    fn request(&mut self, sh: &Shared, immediate_realistic: bool) {
        if sh.settings.clo.mode == Mode::Realistic && immediate_realistic {
            self.realistic_due = None;
            if let Some(id) = self.submit(sh, Mode::Realistic, Output::TextureAndImage) {
                self.autosave.insert(id);
            }
            return;
        }
        self.submit(sh, Mode::Preview, Output::Texture);
        if sh.settings.clo.mode == Mode::Realistic {
            self.realistic_due = Some(Instant::now() + Duration::from_millis(450));
        }
    }

    pub fn set_mode(&mut self, sh: &mut Shared, mode: Mode) {
        if sh.settings.clo.mode != mode {
            sh.settings.clo.mode = mode;
            tracing::info!("[CLO] mode: {}", mode.name());
            self.request(sh, true);
        }
    }

    pub fn save_as(&mut self, sh: &Shared) {
        let stamp = crate::troubleshoot::timestamp::iso_of_unix(
            crate::troubleshoot::fix::audit::now() as i64,
        )
        .replace([':', '-'], "");
        let fallback = self.renders_dir(sh).join(format!("{stamp}-saved.png"));
        sh.bg.save_dialog(Picked::SaveRender, fallback);
    }

    pub fn open_renders_folder(&self, sh: &Shared) {
        let dir = self
            .config
            .renders_folder
            .clone()
            .unwrap_or_else(|| sh.dirs.data.join("renders"));
        sh.bg.blocking(move |r| {
            let result = std::fs::create_dir_all(&dir)
                .map_err(|e| format!("{}: {e}", dir.display()))
                .and_then(|()| {
                    open::that_detached(&dir).map_err(|e| {
                        format!("could not open {} in the file manager: {e}", dir.display())
                    })
                });
            if let Err(e) = result {
                r.send(UiEvent::Wrote(Err(e)));
            }
        });
    }

    fn renders_dir(&self, sh: &Shared) -> PathBuf {
        self.config
            .renders_folder
            .clone()
            .unwrap_or_else(|| sh.dirs.data.join("renders"))
    }

    fn write_png(
        &self,
        sh: &Shared,
        path: PathBuf,
        image: Arc<image::RgbaImage>,
        mode: Mode,
        ms: f64,
    ) {
        let c = &sh.settings.clo;
        let meta: Vec<(&'static str, String)> = vec![
            (
                "garment",
                serde_json::to_string(&c.garment).unwrap_or_default(),
            ),
            (
                "mesh",
                c.imported
                    .as_ref()
                    .map(|p| p.display().to_string())
                    .unwrap_or_default(),
            ),
            (
                "avatar",
                serde_json::json!({"template": c.template, "measurements": c.measurements})
                    .to_string(),
            ),
            ("mode", mode.name().to_string()),
            (
                "renderer",
                format!("healdeck {} on {}", crate::VERSION, self.adapter_name),
            ),
            ("render_ms", format!("{ms:.1}")),
            ("azimuth_deg", format!("{}", c.view.azimuth_deg)),
        ];
        sh.bg.blocking(move |r| {
            let result = crate::render::output::write_png(&path, &image, &meta)
                .map(|()| path.clone())
                .map_err(|e| e.to_string());
            r.send(UiEvent::Wrote(result));
        });
    }

    /// Takes in a worker event; returns it when it is not this tab's.
    pub fn on_event(&mut self, sh: &mut Shared, event: UiEvent) -> Option<UiEvent> {
        match event {
            UiEvent::Gpu(s) => self.meter.push(*s),
            UiEvent::Render(e) => self.on_render(sh, e),
            UiEvent::Imported(Ok((path, mesh))) => {
                tracing::info!("[CLO] imported {}", path.display());
                self.imported = Some(Arc::new(mesh));
                sh.settings.clo.imported = Some(path);
                self.scene_key = None;
            }
            UiEvent::Imported(Err(e)) => {
                sh.settings.clo.imported = None;
                self.scene_key = None;
                sh.toasts.add(ToastKind::Error, format!("import: {e}"));
            }
            UiEvent::Picked(Picked::Import, Some(p)) => Self::import(sh, p),
            UiEvent::Picked(Picked::PrintImage, Some(p)) => {
                sh.settings.clo.garment.print = Some(Print::Image {
                    path: p.display().to_string(),
                    repeat: 4.0,
                });
            }
            UiEvent::Picked(Picked::SaveRender, Some(p)) => {
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
            other => return Some(other),
        }
        None
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
                sh.toasts.add(
                    if to_fallback {
                        ToastKind::Error
                    } else {
                        ToastKind::Info
                    },
                    reason.clone(),
                );
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
                self.rendered += 1;
                if self.pending.as_ref().is_some_and(|p| p.0 == id) {
                    self.pending = None;
                }
                self.last = Some((mode, millis));
                self.show(sh, &rendered);
                if let Some(path) = self.save_as.remove(&id) {
                    if let Some(img) = rendered.image.clone() {
                        self.write_png(sh, path, img, mode, millis);
                    }
                } else if self.autosave.remove(&id)
                    && mode == Mode::Realistic
                    && let Some(img) = rendered.image.clone()
                {
                    let stamp = crate::troubleshoot::timestamp::iso_of_unix(
                        crate::troubleshoot::fix::audit::now() as i64,
                    )
                    .replace([':', '-'], "");
                    let name = if sh.settings.clo.imported.is_some() {
                        "import".to_string()
                    } else {
                        format!("{:?}", sh.settings.clo.garment.kind).to_lowercase()
                    };
                    let path = self.renders_dir(sh).join(format!(
                        "{stamp}-{}-{name}-realistic.png",
                        sh.settings.clo.template.name()
                    ));
                    self.write_png(sh, path, img, mode, millis);
                }
                tracing::debug!("[CLO] rendered {} in {millis:.0} ms", mode.name());
            }
            RenderEvent::Failed { id, reason } => {
                if self.pending.as_ref().is_some_and(|p| p.0 == id) {
                    self.pending = None;
                }
                tracing::warn!("[CLO] render failed: {reason}");
                sh.toasts
                    .add(ToastKind::Error, format!("render failed: {reason}"));
            }
            RenderEvent::Cancelled { id, .. } => {
                if self.pending.as_ref().is_some_and(|p| p.0 == id) {
                    self.pending = None;
                }
            }
            RenderEvent::Queued { .. } | RenderEvent::Replaced { .. } => {}
        }
    }

    /// Puts a finished render on screen: the texture itself when egui can sample it, the
    /// pixels otherwise (`submit` asks for them there).
    fn show(&mut self, sh: &Shared, rendered: &Rendered) {
        if let (Some(tex), Some(rs), true) =
            (&rendered.texture, &self.render_state, self.unorm_view)
        {
            let view = tex.create_view(&eframe::wgpu::TextureViewDescriptor {
                format: Some(eframe::wgpu::TextureFormat::Rgba8Unorm),
                ..Default::default()
            });
            // Trilinear: the 2048 px Realistic render is shown smaller than it is.
            let sampler = eframe::wgpu::SamplerDescriptor {
                label: Some("render view"),
                mag_filter: eframe::wgpu::FilterMode::Linear,
                min_filter: eframe::wgpu::FilterMode::Linear,
                mipmap_filter: eframe::wgpu::MipmapFilterMode::Linear,
                ..Default::default()
            };
            let mut r = rs.renderer.write();
            match &self.shown {
                Some(Shown::Native(id)) => r
                    .update_egui_texture_from_wgpu_texture_with_sampler_options(
                        &rs.device, &view, sampler, *id,
                    ),
                _ => {
                    let id =
                        r.register_native_texture_with_sampler_options(&rs.device, &view, sampler);
                    self.shown = Some(Shown::Native(id));
                }
            }
            return;
        }
        if let Some(img) = &rendered.image {
            let ci = egui::ColorImage::from_rgba_unmultiplied(
                [img.width() as usize, img.height() as usize],
                img.as_raw(),
            );
            let handle = sh
                .egui_ctx
                .load_texture("render", ci, egui::TextureOptions::LINEAR);
            self.shown = Some(Shown::Image(handle));
        }
    }

    pub fn busy(&self) -> bool {
        self.pending.is_some()
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
        egui::CentralPanel::default().show(ui, |ui| self.view_ui(ui, sh));

        let changed = self.rebuild_scene(sh);
        let view_changed = self
            .requested_view
            .is_some_and(|v| v != sh.settings.clo.view);
        if changed
            || view_changed
            || (self.shown.is_none()
                && self.pending.is_none()
                && self.scene.is_some()
                && self.rendered == 0)
        {
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

    fn toolbar_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        ui.horizontal(|ui| {
            let mut mode = sh.settings.clo.mode;
            let fast =
                super::widgets::dot_text(ui, "🟢", Color32::from_rgb(84, 178, 90), " Fast Preview");
            let real = super::widgets::dot_text(
                ui,
                "🔵",
                Color32::from_rgb(70, 140, 220),
                " Realistic Render",
            );
            ui.selectable_value(&mut mode, Mode::Preview, fast)
                .on_hover_text("512 px, instant (Ctrl+P)");
            ui.selectable_value(&mut mode, Mode::Realistic, real)
                .on_hover_text("2048 px: cloth shading, shadows, anti-aliasing (Ctrl+R)");
            self.set_mode(sh, mode);
            ui.separator();
            if ui
                .button("📷 View Full Render")
                .on_hover_text(format!("Open {}", self.renders_dir(sh).display()))
                .clicked()
            {
                self.open_renders_folder(sh);
            }
            if ui
                .add_enabled(self.scene.is_some(), egui::Button::new("💾 Save As…"))
                .on_hover_text("Save the current render as PNG (Ctrl+S)")
                .clicked()
            {
                self.save_as(sh);
            }
            ui.separator();
            if let Some((_, mode, t)) = &self.pending {
                ui.spinner();
                ui.label(format!(
                    "rendering {} · {:.1} s",
                    if *mode == Mode::Realistic {
                        "Realistic (2048 px)"
                    } else {
                        "Fast Preview (512 px)"
                    },
                    t.elapsed().as_secs_f32()
                ));
                ui.ctx().request_repaint_after(Duration::from_millis(100));
            } else if let Some((mode, ms)) = self.last {
                ui.label(format!(
                    "{} · {} px · {ms:.0} ms",
                    if mode == Mode::Realistic {
                        "Realistic"
                    } else {
                        "Fast Preview"
                    },
                    mode.size()
                ));
            }
        });
        if let Some(reason) = &self.fallback_reason
            && sh.settings.clo.mode == Mode::Realistic
        {
            ui.label(
                RichText::new(format!("⚠ Showing Fast Preview: {reason}"))
                    .color(Color32::from_rgb(236, 132, 40)),
            );
        }
        if let Some(e) = &self.config_error {
            ui.label(
                RichText::new(format!("⚠ {e} (using defaults)"))
                    .color(Color32::from_rgb(224, 62, 62)),
            );
        }
    }

    fn view_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        let avail = ui.available_size();
        let side = avail.x.min(avail.y).max(64.0);
        let (rect, resp) = ui.allocate_exact_size(avail, egui::Sense::click_and_drag());
        let square = egui::Rect::from_center_size(rect.center(), egui::vec2(side, side));
        ui.painter()
            .rect_filled(square, 6.0, Color32::from_rgb(77, 79, 84));
        let uv = egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0));
        match &self.shown {
            Some(Shown::Native(id)) => {
                ui.painter().image(*id, square, uv, Color32::WHITE);
            }
            Some(Shown::Image(h)) => {
                ui.painter().image(h.id(), square, uv, Color32::WHITE);
            }
            None => {
                ui.painter().text(
                    square.center(),
                    egui::Align2::CENTER_CENTER,
                    if self.manager.is_some() {
                        "rendering…"
                    } else {
                        "no GPU device"
                    },
                    egui::FontId::proportional(18.0),
                    Color32::LIGHT_GRAY,
                );
            }
        }
        if let Some(e) = &self.scene_error {
            ui.painter().text(
                square.center_top() + egui::vec2(0.0, 20.0),
                egui::Align2::CENTER_TOP,
                e,
                egui::FontId::proportional(15.0),
                Color32::from_rgb(236, 132, 40),
            );
        }
        let v = &mut sh.settings.clo.view;
        if resp.dragged() {
            let d = resp.drag_delta();
            v.azimuth_deg = (v.azimuth_deg - d.x * 0.5).rem_euclid(360.0);
            v.elevation_deg = (v.elevation_deg + d.y * 0.3).clamp(-15.0, 70.0);
        }
        if resp.hovered() {
            let scroll = ui.input(|i| i.smooth_scroll_delta.y);
            if scroll != 0.0 {
                v.zoom = (v.zoom * (scroll * 0.002).exp()).clamp(0.5, 4.0);
            }
        }
        if resp.double_clicked() {
            *v = crate::render::renderer::View::default();
        }
        resp.on_hover_text("Drag to orbit · scroll to zoom · double-click to reset");
    }

    fn editor_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        let c = &mut sh.settings.clo;
        ui.add_space(6.0);
        ui.heading("Avatar");
        ui.horizontal(|ui| {
            for t in Template::ALL {
                let mut sel = c.template;
                if ui.selectable_value(&mut sel, t, label_of(t)).changed() {
                    c.template = t;
                    c.measurements = t.defaults();
                }
            }
        });
        let mut trial: Measurements = c.measurements;
        {
            let t = &mut trial;
            let fields: [(&str, &mut f32, f32, f32); 7] = [
                ("Height", &mut t.height_cm, 140.0, 210.0),
                ("Chest / bust", &mut t.chest_cm, 70.0, 150.0),
                ("Waist", &mut t.waist_cm, 55.0, 150.0),
                ("Hips", &mut t.hips_cm, 70.0, 160.0),
                ("Inseam", &mut t.inseam_cm, 60.0, 100.0),
                ("Arm length", &mut t.arm_length_cm, 45.0, 80.0),
                ("Shoulders", &mut t.shoulder_width_cm, 30.0, 60.0),
            ];
            egui::Grid::new("measurements")
                .num_columns(2)
                .show(ui, |ui| {
                    for (name, v, lo, hi) in fields {
                        ui.label(name);
                        ui.add(egui::Slider::new(v, lo..=hi).suffix(" cm").step_by(0.5));
                        ui.end_row();
                    }
                });
        }
        // Only body shapes the avatar can take (e.g. an inseam longer than the legs) are kept.
        if trial.validate().is_ok() {
            c.measurements = trial;
        }
        ui.add_space(10.0);
        ui.heading("Garment");
        if let Some(p) = &c.imported {
            ui.label(
                RichText::new(format!(
                    "Showing import: {}",
                    p.file_name()
                        .map(|n| n.to_string_lossy().to_string())
                        .unwrap_or_default()
                ))
                .strong(),
            )
            .on_hover_text(p.display().to_string());
            ui.checkbox(&mut c.import_with_avatar, "Show with the avatar");
            if ui.button("🗙 Back to the parametric garment").clicked() {
                c.imported = None;
                self.imported = None;
            }
        }
        if ui
            .button("📂 Import OBJ / glTF…")
            .on_hover_text("A CLO3D or Marvelous Designer export (millimetres or metres)")
            .clicked()
        {
            sh.bg.pick(Picked::Import, None);
        }
        let entry = ui.add(
            egui::TextEdit::singleline(&mut self.import_entry)
                .hint_text("…or paste a .obj/.gltf/.glb path, Enter")
                .desired_width(f32::INFINITY),
        );
        if entry.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            let p = PathBuf::from(self.import_entry.trim());
            if !self.import_entry.trim().is_empty() {
                self.import_entry.clear();
                Self::import(sh, p);
            }
        }
        let c = &mut sh.settings.clo;
        let g = &mut c.garment;
        ui.add_enabled_ui(c.imported.is_none(), |ui| {
            egui::Grid::new("garment").num_columns(2).show(ui, |ui| {
                let lbl = ui.label("Type");
                egui::ComboBox::from_id_salt("garment_type")
                    .selected_text(label_of(g.kind))
                    .show_ui(ui, |ui| {
                        for t in GarmentType::ALL {
                            if ui.selectable_value(&mut g.kind, t, label_of(t)).changed() {
                                g.sleeve_length = None;
                            }
                        }
                    })
                    .response
                    .labelled_by(lbl.id);
                ui.end_row();
                ui.label("Fit");
                ui.horizontal(|ui| {
                    for f in [Fit::Tight, Fit::Regular, Fit::Loose] {
                        ui.selectable_value(&mut g.fit, f, label_of(f));
                    }
                });
                ui.end_row();
                let lbl = ui.label("Sleeves");
                let mut sl = g.sleeves();
                egui::ComboBox::from_id_salt("sleeves")
                    .selected_text(label_of(sl))
                    .show_ui(ui, |ui| {
                        for s in [
                            SleeveLength::None,
                            SleeveLength::Short,
                            SleeveLength::Elbow,
                            SleeveLength::ThreeQuarter,
                            SleeveLength::Long,
                        ] {
                            ui.selectable_value(&mut sl, s, label_of(s));
                        }
                    })
                    .response
                    .labelled_by(lbl.id);
                if sl != g.sleeves() {
                    g.sleeve_length = Some(sl);
                }
                ui.end_row();
                ui.label("Length");
                ui.add(egui::Slider::new(&mut g.length, 0.0..=1.0).step_by(0.01));
                ui.end_row();
                let lbl = ui.label("Neckline");
                egui::ComboBox::from_id_salt("neckline")
                    .selected_text(label_of(g.neckline))
                    .show_ui(ui, |ui| {
                        for n in [
                            Neckline::Crew,
                            Neckline::V,
                            Neckline::Scoop,
                            Neckline::Collar,
                        ] {
                            ui.selectable_value(&mut g.neckline, n, label_of(n));
                        }
                    })
                    .response
                    .labelled_by(lbl.id);
                ui.end_row();
                let lbl = ui.label("Fabric");
                egui::ComboBox::from_id_salt("fabric")
                    .selected_text(label_of(g.fabric))
                    .show_ui(ui, |ui| {
                        for f in Fabric::ALL {
                            ui.selectable_value(&mut g.fabric, f, label_of(f));
                        }
                    })
                    .response
                    .labelled_by(lbl.id);
                ui.end_row();
                ui.label("Color");
                let mut rgb = hex_srgb(&g.color);
                if ui.color_edit_button_srgb(&mut rgb).changed() {
                    g.color = srgb_hex(rgb);
                }
                ui.end_row();
                let kind = match &g.print {
                    None => "None",
                    Some(Print::Stripes { .. }) => "Stripes",
                    Some(Print::Checks { .. }) => "Checks",
                    Some(Print::Dots { .. }) => "Dots",
                    Some(Print::Image { .. }) => "Image",
                };
                let mut pick_image = false;
                let lbl = ui.label("Print");
                egui::ComboBox::from_id_salt("print")
                    .selected_text(kind)
                    .show_ui(ui, |ui| {
                        let pc = match &g.print {
                            Some(
                                Print::Stripes { color }
                                | Print::Checks { color }
                                | Print::Dots { color },
                            ) => color.clone(),
                            _ => "#f2f2f2".into(),
                        };
                        if ui.selectable_label(kind == "None", "None").clicked() {
                            g.print = None;
                        }
                        if ui.selectable_label(kind == "Stripes", "Stripes").clicked() {
                            g.print = Some(Print::Stripes { color: pc.clone() });
                        }
                        if ui.selectable_label(kind == "Checks", "Checks").clicked() {
                            g.print = Some(Print::Checks { color: pc.clone() });
                        }
                        if ui.selectable_label(kind == "Dots", "Dots").clicked() {
                            g.print = Some(Print::Dots { color: pc });
                        }
                        if ui.selectable_label(kind == "Image", "Image…").clicked() {
                            pick_image = true;
                        }
                    })
                    .response
                    .labelled_by(lbl.id);
                ui.end_row();
                if let Some(
                    Print::Stripes { color } | Print::Checks { color } | Print::Dots { color },
                ) = &mut g.print
                {
                    ui.label("Print color");
                    let mut rgb = hex_srgb(color);
                    if ui.color_edit_button_srgb(&mut rgb).changed() {
                        *color = srgb_hex(rgb);
                    }
                    ui.end_row();
                }
                if let Some(Print::Image { repeat, .. }) = &mut g.print {
                    ui.label("Repeat");
                    ui.add(egui::Slider::new(repeat, 1.0..=12.0));
                    ui.end_row();
                }
                if pick_image {
                    sh.bg.pick(Picked::PrintImage, None);
                }
            });
        });
    }
}

//! Draping in the window: when "Simulate cloth" is on for a garment with a pattern, the garment is
//! sewn from its pattern and draped by the cloth solver on a worker thread, never on the UI
//! thread. The cloth is shown as it settles (a snapshot every quarter second of simulated
//! time, drawn in Fast Preview), then the settled result; an edit that changes the drape
//! cancels the one running and starts another, and Cancel stops it. The strain map shows the
//! settled cloth in the bands of `fitmap`, with a legend over the view.

use super::super::events::{CloEvent, DrapeUpdate};
use super::super::settings::CloSettings;
use super::super::shared::Shared;
use super::CloTab;
use egui::RichText;
use healdeck_render::avatar::{Body, Measurements, Template};
use healdeck_render::drape::{
    Cloth, DrapeError, DrapeReport, Draped, Studio, body_collider, drape_watched, programs,
};
use healdeck_render::garment::{Fabric, Fit, GarmentType};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Steps between the snapshots the window is sent (a quarter second of simulated time).
const SNAPSHOT_EVERY: u32 = 15;

/// What a drape depends on: the body and the garment's cut and cloth (not its color or print,
/// which only repaint it).
#[derive(Clone, PartialEq)]
pub(super) struct DrapeKey {
    template: Template,
    measurements: Measurements,
    kind: GarmentType,
    fit: Fit,
    length: f32,
    fabric: Fabric,
}

impl DrapeKey {
    /// The drape the editors ask for, if any: simulation on, a garment with a pattern, no
    /// import shown.
    pub(super) fn of(c: &CloSettings) -> Option<DrapeKey> {
        let wanted = c.simulate && c.imported.is_none();
        wanted.then_some(DrapeKey {
            template: c.template,
            measurements: c.measurements,
            kind: c.garment.kind,
            fit: c.garment.fit,
            length: c.garment.length,
            fabric: c.garment.fabric,
        })
    }
}

/// The body a drape collides with, solved and baked once per body (a new fabric or cut drapes
/// on the same one). Only the drape worker locks it.
type BodyCache = Arc<Mutex<Option<((Template, Measurements), Arc<(Body, Studio)>)>>>;

/// The body for `template` and `measurements`, from the cache or solved and baked now.
fn body_for(
    cache: &BodyCache,
    template: Template,
    measurements: Measurements,
) -> Result<Arc<(Body, Studio)>, String> {
    let key = (template, measurements);
    let cached = cache.lock().ok().and_then(|c| {
        c.as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, b)| b.clone())
    });
    if let Some(b) = cached {
        return Ok(b);
    }
    let body = Body::nearest(template, measurements).map_err(|e| e.to_string())?;
    let studio = body_collider(&body).map_err(|e| e.to_string())?;
    let built = Arc::new((body, studio));
    if let Ok(mut c) = cache.lock() {
        *c = Some((key, built.clone()));
    }
    Ok(built)
}

/// The drape in the window: the job running, and the cloth to show.
#[derive(Default)]
pub(super) struct DrapeRun {
    bodies: BodyCache,
    key: Option<DrapeKey>,
    job: u64,
    cancel: Option<Arc<AtomicBool>>,
    /// The cloth to show: the latest snapshot, then the settled drape.
    cloth: Option<Arc<Draped>>,
    settled: bool,
    error: Option<String>,
}

impl DrapeRun {
    fn stop(&mut self) {
        if let Some(c) = self.cancel.take() {
            c.store(true, Ordering::Relaxed);
        }
    }

    pub(super) fn running(&self) -> bool {
        self.cancel.is_some()
    }

    /// The cloth to show for the editors' settings, if any.
    pub(super) fn shown(&self, c: &CloSettings) -> Option<&Draped> {
        (DrapeKey::of(c).is_some() && DrapeKey::of(c) == self.key)
            .then_some(self.cloth.as_deref())
            .flatten()
    }

    /// Whether the strain map is on screen (a settled drape, asked for).
    pub(super) fn strain_shown(&self, c: &CloSettings) -> bool {
        c.strain_map && self.settled && self.shown(c).is_some()
    }
}

impl CloTab {
    /// Whether a drape is running.
    pub fn draping(&self) -> bool {
        self.drape.running()
    }

    /// What the settled drape came to, if one has settled.
    pub fn drape_report(&self) -> Option<&DrapeReport> {
        self.drape
            .cloth
            .as_deref()
            .filter(|_| self.drape.settled)
            .map(|d| &d.report)
    }

    /// The meshes being rendered: the avatar, then the garment (shell, cloth or strain map).
    pub fn scene_meshes(&self) -> Option<Arc<Vec<healdeck_render::mesh::Mesh>>> {
        self.scene.clone()
    }

    /// Starts a drape when the editors ask for a different one (cancelling the one running),
    /// or stops it when they no longer ask for one.
    pub(super) fn drape_when_due(&mut self, sh: &Shared) {
        let c = &sh.settings.clo;
        let key = DrapeKey::of(c);
        if key == self.drape.key {
            return;
        }
        self.drape.stop();
        self.drape.key = key.clone();
        self.drape.cloth = None;
        self.drape.settled = false;
        self.drape.error = None;
        self.compose(c);
        let Some(_) = key else { return };
        self.drape.job += 1;
        let job = self.drape.job;
        let cancel = Arc::new(AtomicBool::new(false));
        self.drape.cancel = Some(cancel.clone());
        let (template, measurements, spec) = (c.template, c.measurements, c.garment.clone());
        tracing::info!("[CLO] draping a {:?} (job {job})", spec.kind);
        let bodies = self.drape.bodies.clone();
        sh.bg.blocking(move |r| {
            let result = body_for(&bodies, template, measurements).and_then(|built| {
                let (body, studio) = &*built;
                let mut watch = |cloth: &Cloth, steps: u32| {
                    if steps.is_multiple_of(SNAPSHOT_EVERY) {
                        let snap = Draped::of(cloth, Default::default());
                        r.send(CloEvent::Drape(job, DrapeUpdate::Progress(Box::new(snap))));
                    }
                    !cancel.load(Ordering::Relaxed)
                };
                drape_watched(&spec, body, studio, programs::SPACING, &mut watch).map_err(|e| {
                    match e {
                        DrapeError::Cancelled => "cancelled".to_string(),
                        e => e.to_string(),
                    }
                })
            });
            r.send(CloEvent::Drape(
                job,
                DrapeUpdate::Done(result.map(Box::new)),
            ));
        });
    }

    /// Takes in news from the drape worker (only the current job's).
    pub(super) fn on_drape(&mut self, c: &CloSettings, job: u64, update: DrapeUpdate) {
        if job != self.drape.job {
            return;
        }
        match update {
            DrapeUpdate::Progress(d) if !self.drape.settled => {
                self.drape.cloth = Some(Arc::from(d));
            }
            DrapeUpdate::Progress(_) => {}
            DrapeUpdate::Done(Ok(d)) => {
                let r = &d.report;
                tracing::info!(
                    "[CLO] draped in {:.1} s: strain mean {:.2} %, max {:.1} %",
                    r.settle_ms / 1000.0,
                    r.mean_strain_pct,
                    r.max_strain_pct
                );
                self.drape.cancel = None;
                self.drape.settled = true;
                self.drape.cloth = Some(Arc::from(d));
            }
            DrapeUpdate::Done(Err(e)) => {
                self.drape.cancel = None;
                if e != "cancelled" {
                    tracing::warn!("[CLO] drape failed: {e}");
                    self.drape.error = Some(e);
                }
            }
        }
        self.compose(c);
    }

    /// The scene to render: the built one, with the garment replaced by the draped cloth (or
    /// its strain map) when there is one.
    pub(super) fn compose(&mut self, c: &CloSettings) {
        let Some(base) = &self.base else { return };
        self.scene_fresh = true;
        let (Some(cloth), Some(body)) = (self.drape.shown(c), base.first()) else {
            self.scene = Some(base.clone());
            return;
        };
        let garment = if self.drape.strain_shown(c) {
            Ok(cloth.strain_mesh())
        } else {
            cloth.to_mesh(&c.garment, None)
        };
        match garment {
            Ok(m) => self.scene = Some(Arc::new(vec![body.clone(), m])),
            Err(e) => {
                self.drape.error = Some(e.to_string());
                self.scene = Some(base.clone());
            }
        }
    }

    /// The editors' rows for draping: the switch, the strain map, progress or the result.
    pub(super) fn drape_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        let c = &mut sh.settings.clo;
        let possible = c.imported.is_none();
        ui.add_enabled(
            possible,
            egui::Checkbox::new(&mut c.simulate, "Simulate cloth"),
        )
        .on_hover_text("Sew the garment from its pattern and drape it with the cloth solver")
        .on_disabled_hover_text("An imported mesh has no sewing pattern to sew");
        if !(possible && c.simulate) {
            return;
        }
        ui.add_enabled(
            self.drape.settled,
            egui::Checkbox::new(&mut c.strain_map, "Strain map"),
        )
        .on_hover_text("How far the cloth is stretched beyond its pattern (100–120 %)")
        .on_disabled_hover_text("Once the drape has settled");
        if self.drape.running() {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("Draping…");
                if ui.button("Cancel").clicked() {
                    self.drape.stop();
                    self.drape.key = None;
                    c.simulate = false;
                }
            });
        } else if let Some(e) = &self.drape.error {
            ui.label(RichText::new(e).color(super::super::widgets::WARN));
        } else if let Some(d) = self.drape.cloth.as_deref().filter(|_| self.drape.settled) {
            let r = &d.report;
            ui.label(format!(
                "Draped in {:.1} s · strain mean {:.1} %, max {:.0} %",
                r.settle_ms / 1000.0,
                r.mean_strain_pct,
                r.max_strain_pct
            ))
            .on_hover_text(format!(
                "{} particles, {} steps{}",
                r.particles,
                r.steps,
                if r.settled {
                    ""
                } else {
                    " (stopped before it settled)"
                }
            ));
        }
    }
}

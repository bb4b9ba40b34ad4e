//! Draping in the window: when "Simulate cloth" is on, the garment — and the one it is worn
//! with, from the inside out, the outer over the inner — is sewn from its pattern and draped
//! by the cloth solver on a worker thread, never on the UI thread. The cloth is shown as it
//! settles (a snapshot every quarter second of simulated time, drawn in Fast Preview; a
//! garment not draped yet shows as its shell), then the settled result; an edit that changes
//! the drape cancels the one running and starts another (another fabric for the same
//! pattern starts from where the last drape ended; a new measurement, from the last drape
//! carried over to the new body), and Cancel stops it. A fit map
//! (strain or pressure) shows the settled cloth in the bands of `fitmap`, with a legend over
//! the view.

use super::super::events::{CloEvent, DrapeUpdate};
use super::super::settings::CloSettings;
use super::super::shared::Shared;
use super::CloTab;
use egui::RichText;
use healdeck_render::avatar::{Body, Measurements, Template};
use healdeck_render::drape::carry::carried_over;
use healdeck_render::drape::fitmap::FitMap;
use healdeck_render::drape::outfit::drape_outfit;
use healdeck_render::drape::{
    Cloth, DrapeError, DrapeReport, Draped, Solver, Studio, body_collider, garment_name, programs,
};
use healdeck_render::garment::{Fabric, Fit, GarmentSpec, GarmentType, Neckline, SleeveLength};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

/// Steps between the snapshots the window is sent (a quarter second of simulated time).
const SNAPSHOT_EVERY: u32 = 15;

/// What a garment's drape depends on: its cut and cloth (not its color or print, which only
/// repaint it).
#[derive(Clone, PartialEq)]
struct Cut {
    kind: GarmentType,
    fit: Fit,
    sleeves: SleeveLength,
    length: f32,
    flare: f32,
    neckline: Neckline,
    fabric: Fabric,
    pattern: Option<std::path::PathBuf>,
}

impl Cut {
    /// The same pattern: everything but the fabric alike.
    fn same_pattern(&self, other: &Cut) -> bool {
        Cut {
            fabric: other.fabric,
            ..self.clone()
        } == *other
    }

    fn of(g: &GarmentSpec) -> Cut {
        Cut {
            kind: g.kind,
            fit: g.fit,
            sleeves: g.sleeves(),
            length: g.length,
            flare: g.flare,
            neckline: g.neckline,
            fabric: g.fabric,
            pattern: g.pattern.clone(),
        }
    }
}

/// What a drape depends on: the body and the garments' cuts.
#[derive(Clone, PartialEq)]
pub(super) struct DrapeKey {
    template: Template,
    measurements: Measurements,
    cuts: Vec<Cut>,
}

/// The garments the editors dress the avatar in: the garment, then the one it is worn with.
pub(super) fn outfit(c: &CloSettings) -> Vec<GarmentSpec> {
    std::iter::once(c.garment.clone())
        .chain(c.worn_with.clone())
        .collect()
}

impl DrapeKey {
    /// The drape the editors ask for, if any: simulation on, no import shown.
    pub(super) fn of(c: &CloSettings) -> Option<DrapeKey> {
        let wanted = c.simulate && c.imported.is_none();
        wanted.then(|| DrapeKey {
            template: c.template,
            measurements: c.measurements,
            cuts: std::iter::once(&c.garment)
                .chain(c.worn_with.as_ref())
                .map(Cut::of)
                .collect(),
        })
    }
}

/// Where a garment's drape starts: where the last drape of its pattern ended, on this body,
/// or on the body it was draped on (carried over to this one).
#[derive(Clone)]
enum WarmStart {
    Here(Vec<glam::Vec3>),
    Carried(Arc<(Body, Studio)>, Vec<glam::Vec3>),
}

impl WarmStart {
    /// The positions to start `spec` from on `body`, if it can start warm.
    fn on(self, spec: &GarmentSpec, body: &Body) -> Option<Vec<glam::Vec3>> {
        match self {
            WarmStart::Here(at) => Some(at),
            WarmStart::Carried(was, at) => carried_over(spec, programs::SPACING, &was.0, &at, body),
        }
    }
}

/// The body a drape collides with, solved and baked once per body (a new fabric or cut drapes
/// on the same one). Locked only to read or replace the entry, never while solving.
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
    /// The cloth to show for each garment of the outfit: the latest snapshot, then the
    /// settled drape (none yet: its shell is shown).
    cloth: Vec<Option<Arc<Draped>>>,
    /// The last settled drapes and what they were of: a drape of the same patterns (another
    /// fabric, or the same garments on the body in other measurements) starts from where
    /// they ended.
    last: Option<(DrapeKey, Vec<Arc<Draped>>)>,
    settled: bool,
    error: Option<String>,
    /// The solver drapes run on: the GPU solver on the window's own device when it is a real
    /// GPU, the CPU solver otherwise (see [`Solver::auto`]).
    pub(super) solver: Option<Solver>,
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

    /// The cloth to show for the editors' settings, garment by garment, if any.
    pub(super) fn shown(&self, c: &CloSettings) -> Option<&[Option<Arc<Draped>>]> {
        let wanted = DrapeKey::of(c);
        (wanted.is_some() && wanted == self.key)
            .then_some(self.cloth.as_slice())
            .filter(|cloth| cloth.iter().any(Option::is_some))
    }

    /// The fit map on screen, if one is (a settled drape, a map asked for).
    pub(super) fn fit_map_shown(&self, c: &CloSettings) -> Option<FitMap> {
        c.fit_map
            .filter(|_| self.settled && self.shown(c).is_some())
    }

    /// Where each garment of `key` can start from: the last settled drape of the same pattern
    /// on the same body, or on the same template in other measurements (carried over to the
    /// new body by the worker), if there is one.
    fn warm_starts(&self, key: &DrapeKey) -> Vec<Option<WarmStart>> {
        let Some((old, drapes)) = &self.last else {
            return vec![None; key.cuts.len()];
        };
        let same_body = old.template == key.template && old.measurements == key.measurements;
        // The very body the last drape was on (the cache still holds it unless another drape
        // has started since): the pattern is graded again from it, particle for particle.
        let old_body = self.bodies.lock().ok().and_then(|c| {
            c.as_ref()
                .filter(|(k, _)| *k == (old.template, old.measurements))
                .map(|(_, b)| b.clone())
        });
        key.cuts
            .iter()
            .enumerate()
            .map(|(i, cut)| {
                let (c, d) = old.cuts.get(i).zip(drapes.get(i))?;
                let positions = d.positions.clone();
                if !c.same_pattern(cut) || old.template != key.template {
                    None
                } else if same_body {
                    Some(WarmStart::Here(positions))
                } else {
                    Some(WarmStart::Carried(old_body.clone()?, positions))
                }
            })
            .collect()
    }

    /// The settled drapes' reports, garment by garment.
    fn reports(&self) -> Vec<&DrapeReport> {
        if !self.settled {
            return Vec::new();
        }
        self.cloth.iter().flatten().map(|d| &d.report).collect()
    }
}

impl CloTab {
    /// Whether a drape is running.
    pub fn draping(&self) -> bool {
        self.drape.running()
    }

    /// What the settled drape of the garment came to, if one has settled.
    pub fn drape_report(&self) -> Option<&DrapeReport> {
        self.drape.reports().first().copied()
    }

    /// What the settled drape of each garment of the outfit came to (none while draping).
    pub fn drape_reports(&self) -> Vec<&DrapeReport> {
        self.drape.reports()
    }

    /// The meshes being rendered: the avatar, then each garment (shell, cloth or fit map).
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
        self.drape.cloth = vec![None; outfit(c).len()];
        self.drape.settled = false;
        self.drape.error = None;
        self.compose(c);
        let Some(key) = key else { return };
        let warm = self.drape.warm_starts(&key);
        self.drape.job += 1;
        let job = self.drape.job;
        let cancel = Arc::new(AtomicBool::new(false));
        self.drape.cancel = Some(cancel.clone());
        let (template, measurements, specs) = (c.template, c.measurements, outfit(c));
        let names: Vec<String> = specs.iter().map(garment_name).collect();
        tracing::info!("[CLO] draping {} (job {job})", names.join(" and "));
        let bodies = self.drape.bodies.clone();
        let solver = self.drape.solver.clone().unwrap_or(Solver::Cpu);
        sh.bg.blocking(move |r| {
            let result = body_for(&bodies, template, measurements).and_then(|built| {
                let (body, studio) = &*built;
                let mut watch = |i: usize, cloth: &Cloth, steps: u32| {
                    if steps.is_multiple_of(SNAPSHOT_EVERY) {
                        let snap = Box::new(Draped::of(cloth, Default::default()));
                        r.send(CloEvent::Drape(job, DrapeUpdate::Progress(i, snap)));
                    }
                    !cancel.load(Ordering::Relaxed)
                };
                let warm: Vec<Option<Vec<glam::Vec3>>> = (warm.into_iter().zip(&specs))
                    .map(|(w, spec)| w.and_then(|w| w.on(spec, body)))
                    .collect();
                let warm: Vec<Option<&[glam::Vec3]>> = warm.iter().map(Option::as_deref).collect();
                drape_outfit(
                    &specs,
                    body,
                    studio,
                    programs::SPACING,
                    &solver,
                    &warm,
                    &mut watch,
                )
                .map_err(|(_, e)| match e {
                    DrapeError::Cancelled => "cancelled".to_string(),
                    e => e.to_string(),
                })
            });
            r.send(CloEvent::Drape(job, DrapeUpdate::Done(result)));
        });
    }

    /// Takes in news from the drape worker (only the current job's).
    pub(super) fn on_drape(&mut self, c: &CloSettings, job: u64, update: DrapeUpdate) {
        if job != self.drape.job {
            return;
        }
        match update {
            DrapeUpdate::Progress(i, d) if !self.drape.settled => {
                if let Some(slot) = self.drape.cloth.get_mut(i) {
                    *slot = Some(Arc::from(d));
                }
            }
            DrapeUpdate::Progress(..) => {}
            DrapeUpdate::Done(Ok(drapes)) => {
                for r in drapes.iter().map(|d| &d.report) {
                    tracing::info!(
                        "[CLO] {} draped in {:.1} s: strain mean {:.2} %, max {:.1} %",
                        r.garment,
                        r.settle_ms / 1000.0,
                        r.mean_strain_pct,
                        r.max_strain_pct
                    );
                }
                self.drape.cancel = None;
                self.drape.settled = true;
                let drapes: Vec<Arc<Draped>> = drapes.into_iter().map(Arc::new).collect();
                self.drape.cloth = drapes.iter().cloned().map(Some).collect();
                self.drape.last = self.drape.key.clone().map(|k| (k, drapes));
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

    /// The scene to render: the built one, each garment replaced by its draped cloth (or its
    /// fit map) when there is one.
    pub(super) fn compose(&mut self, c: &CloSettings) {
        let Some(base) = &self.base else { return };
        self.scene_fresh = true;
        let Some(cloth) = self.drape.shown(c) else {
            self.scene = Some(base.clone());
            return;
        };
        let map = self.drape.fit_map_shown(c);
        let mut meshes = vec![base[0].clone()];
        for (i, spec) in outfit(c).iter().enumerate() {
            let shell = base.get(i + 1).cloned();
            let mesh = match (cloth.get(i).cloned().flatten(), map) {
                (Some(d), Some(map)) => Ok(d.fit_mesh(map)),
                (Some(d), None) => d.to_mesh(spec, None),
                (None, _) => Ok(shell.unwrap_or_default()),
            };
            match mesh {
                Ok(m) => meshes.push(m),
                Err(e) => {
                    self.drape.error = Some(e.to_string());
                    self.scene = Some(base.clone());
                    return;
                }
            }
        }
        self.scene = Some(Arc::new(meshes));
    }

    /// The editors' rows for draping: the switch, the fabric or a fit map, progress or the result.
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
        ui.add_enabled_ui(self.drape.settled, |ui| {
            ui.horizontal(|ui| {
                ui.selectable_value(&mut c.fit_map, None, "Cloth")
                    .on_hover_text("The garment in its fabric, color and print");
                ui.selectable_value(&mut c.fit_map, Some(FitMap::Strain), "Strain map")
                    .on_hover_text(
                        "How far the cloth is stretched beyond its pattern (100–120 %). \
                         Woven fabrics give 2.5 % at most: a woven garment that is too \
                         small shows on the pressure map",
                    );
                ui.selectable_value(&mut c.fit_map, Some(FitMap::Pressure), "Pressure map")
                    .on_hover_text("How hard the cloth presses on the body (0–1 kPa and more)");
            })
        })
        .response
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
        } else {
            let reports = self.drape.reports();
            let several = reports.len() > 1;
            for r in reports {
                let line = if several {
                    format!(
                        "{}: {:.1} s · strain {:.1} % mean, {:.0} % max",
                        r.garment,
                        r.settle_ms / 1000.0,
                        r.mean_strain_pct,
                        r.max_strain_pct
                    )
                } else {
                    format!(
                        "Draped in {:.1} s · strain mean {:.1} %, max {:.0} %",
                        r.settle_ms / 1000.0,
                        r.mean_strain_pct,
                        r.max_strain_pct
                    )
                };
                ui.label(line).on_hover_text(format!(
                    "{} particles, {} steps on the {} solver{}{}",
                    r.particles,
                    r.steps,
                    r.solver.to_uppercase(),
                    if r.warm {
                        ", from where the last drape ended"
                    } else {
                        ""
                    },
                    if r.settled {
                        ""
                    } else {
                        " (stopped before it settled)"
                    }
                ));
            }
        }
    }
}

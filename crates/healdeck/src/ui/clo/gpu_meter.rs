//! The GPU meter widget: utilization and memory bars, temperature, power, healdeck's own share
//! versus everyone else's, and a history graph (egui_plot) with the fallback threshold drawn in.
//! It only draws samples the monitor sends; it never reads the GPU itself.

use super::super::widgets::{BAD, WARN, bytes};
use egui::{Color32, RichText};
use egui_plot::{HLine, Legend, Line, Plot, PlotPoints};
use healdeck_gpu::{GpuReading, GpuSample};
use std::collections::VecDeque;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Samples kept for the graph (ten minutes at the default 1 s period).
pub(crate) const HISTORY: usize = 600;
/// Samples the short graph shows (two minutes).
const SHORT_SPAN: usize = 120;

#[derive(Default)]
pub struct GpuMeter {
    pub history: VecDeque<GpuSample>,
    pci_bus_id: Option<String>,
    /// The graph shows the last 2 or 10 minutes.
    long_view: bool,
    /// How many samples the graph shows, for [`MeterChanges`].
    span: Arc<AtomicUsize>,
}

/// What the meter shows of a sample, in the units it shows them: whole percent, MB, °C, W.
fn figures(r: Option<&GpuReading>) -> Vec<Option<i64>> {
    let Some(r) = r else { return Vec::new() };
    let round = |v: Option<f32>| v.map(|v| v.round() as i64);
    vec![
        round(r.util_percent),
        round(r.own_percent),
        round(r.memory_util_percent),
        r.memory_used_bytes.map(|b| (b / 1_000_000) as i64),
        round(r.temperature_c),
        round(r.power_w),
    ]
}

/// Decides, in the thread that forwards samples to the window, whether one changes what the
/// meter shows: a new figure at once; a graph with a change still in view scrolls every
/// `scroll_every` samples. A graph that has only ever been flat is not repainted as it grows:
/// on a software renderer each frame of the window costs a third of a second of CPU or more,
/// so there the graph scrolls every ten samples (`for_software_adapter`).
pub struct MeterChanges {
    bus: Option<String>,
    last: Option<Vec<Option<i64>>>,
    /// Samples since a figure changed; `None` while every sample so far showed the same.
    since_change: Option<usize>,
    scroll_every: usize,
    span: Arc<AtomicUsize>,
}

/// How often a software-rendered window scrolls a graph whose figures stand still.
const SOFTWARE_SCROLL_EVERY: usize = 10;

impl MeterChanges {
    /// Scrolls the graph only every ten samples: the window is painted by the CPU.
    pub fn for_software_adapter(mut self) -> MeterChanges {
        self.scroll_every = SOFTWARE_SCROLL_EVERY;
        self
    }

    pub fn shows_change(&mut self, s: &GpuSample) -> bool {
        let now = figures(s.primary(self.bus.as_deref()));
        let first = self.last.is_none();
        if self.last.as_ref() != Some(&now) {
            self.last = Some(now);
            if !first {
                self.since_change = Some(0);
            }
            return true;
        }
        let Some(since) = self.since_change.as_mut() else {
            return false;
        };
        *since += 1;
        let in_view = *since < self.span.load(Ordering::Relaxed);
        in_view && since.is_multiple_of(self.scroll_every)
    }
}

fn pct_bar(ui: &mut egui::Ui, label: &str, pct: Option<f32>, text: String, warn_at: f32) {
    ui.horizontal(|ui| {
        ui.add_sized([54.0, 18.0], egui::Label::new(label));
        let v = pct.unwrap_or(0.0).clamp(0.0, 100.0);
        let color = if v >= warn_at {
            BAD
        } else if v >= warn_at * 0.8 {
            WARN
        } else {
            Color32::from_rgb(70, 140, 220)
        };
        ui.add(
            egui::ProgressBar::new(v / 100.0)
                .fill(color)
                .text(if pct.is_some() { text } else { "n/a".into() }),
        );
    });
}

impl GpuMeter {
    pub fn new(pci_bus_id: Option<String>) -> GpuMeter {
        GpuMeter {
            history: VecDeque::with_capacity(HISTORY),
            pci_bus_id,
            long_view: false,
            span: Arc::new(AtomicUsize::new(SHORT_SPAN)),
        }
    }

    /// What decides whether a sample changes what this meter shows.
    pub fn changes(&self) -> MeterChanges {
        MeterChanges {
            bus: self.pci_bus_id.clone(),
            last: None,
            since_change: None,
            scroll_every: 1,
            span: self.span.clone(),
        }
    }

    pub fn push(&mut self, s: GpuSample) {
        if self.history.len() == HISTORY {
            self.history.pop_front();
        }
        self.history.push_back(s);
    }

    /// The reading for the GPU the renderer uses.
    pub fn latest(&self) -> Option<&GpuReading> {
        self.history
            .back()
            .and_then(|s| s.primary(self.pci_bus_id.as_deref()))
    }

    /// "NVIDIA RTX 4090 · 37%" for the status bar.
    pub fn short(&self) -> String {
        match self.latest() {
            Some(r) => match r.util_percent {
                Some(u) => format!("{} · {u:.0}%", r.name),
                None => r.name.clone(),
            },
            None => "GPU: probing…".into(),
        }
    }

    pub fn ui(&mut self, ui: &mut egui::Ui, fallback_percent: f32) {
        ui.heading("GPU");
        let Some(r) = self.latest() else {
            ui.horizontal(|ui| {
                ui.spinner();
                ui.label("waiting for the first reading…");
            });
            return;
        };
        ui.label(RichText::new(&r.name).strong());
        ui.label(
            RichText::new(format!("source: {}", r.source))
                .weak()
                .small(),
        );
        ui.add_space(4.0);
        pct_bar(
            ui,
            "Load",
            r.util_percent,
            format!("{:.0}%", r.util_percent.unwrap_or(0.0)),
            fallback_percent,
        );
        let memory = match (r.memory_used_bytes, r.memory_total_bytes) {
            (Some(u), Some(t)) => format!("{} / {}", bytes(u), bytes(t)),
            _ => String::new(),
        };
        pct_bar(ui, "Memory", memory_percent(r), memory, 95.0);
        facts_ui(ui, r);
        ui.add_space(4.0);
        ui.horizontal(|ui| {
            ui.label("History");
            ui.selectable_value(&mut self.long_view, false, "2 min");
            ui.selectable_value(&mut self.long_view, true, "10 min");
        });
        self.history_ui(ui, fallback_percent);
    }

    /// Load, others' load and memory over the last 2 or 10 minutes, with the fallback line.
    fn history_ui(&self, ui: &mut egui::Ui, fallback_percent: f32) {
        let span = if self.long_view { HISTORY } else { SHORT_SPAN };
        self.span.store(span, Ordering::Relaxed);
        let n = self.history.len();
        let skip = n.saturating_sub(span);
        let series = |f: &dyn Fn(&GpuReading) -> Option<f32>| -> PlotPoints<'static> {
            self.history
                .iter()
                .enumerate()
                .skip(skip)
                .filter_map(|(i, s)| {
                    let r = s.primary(self.pci_bus_id.as_deref())?;
                    Some([(i as f64) - (n as f64) + 1.0, f64::from(f(r)?)])
                })
                .collect()
        };
        let util = series(&|r| r.util_percent);
        let others = series(&|r| r.others_percent());
        let mem = series(&memory_percent);
        Plot::new(("gpu_history", span))
            .height(150.0)
            .include_y(0.0)
            .include_y(100.0)
            .include_x(-(span as f64) + 1.0)
            .include_x(0.0)
            .allow_drag(false)
            .allow_zoom(false)
            .allow_scroll(false)
            .show_axes([false, true])
            .legend(Legend::default())
            .show(ui, |p| {
                p.line(
                    Line::new("load %", util)
                        .color(Color32::from_rgb(70, 140, 220))
                        .fill(0.0),
                );
                p.line(Line::new("others %", others).color(WARN));
                p.line(Line::new("memory %", mem).color(Color32::from_rgb(150, 110, 220)));
                p.hline(
                    HLine::new("fallback", f64::from(fallback_percent))
                        .color(BAD)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            });
    }
}

fn memory_percent(r: &GpuReading) -> Option<f32> {
    match (r.memory_used_bytes, r.memory_total_bytes) {
        (Some(u), Some(t)) if t > 0 => Some(u as f32 / t as f32 * 100.0),
        _ => None,
    }
}

/// Temperature, power, healdeck's own share and everyone else's, clock.
fn facts_ui(ui: &mut egui::Ui, r: &GpuReading) {
    egui::Grid::new("gpu_facts")
        .num_columns(2)
        .spacing([12.0, 2.0])
        .show(ui, |ui| {
            let na = || "n/a".to_string();
            ui.label("Temperature");
            ui.label(r.temperature_c.map_or_else(na, |t| format!("{t:.0} °C")));
            ui.end_row();
            ui.label("Power");
            ui.label(match (r.power_w, r.power_limit_w) {
                (Some(p), Some(l)) => format!("{p:.0} W of {l:.0} W"),
                (Some(p), None) => format!("{p:.0} W"),
                _ => na(),
            });
            ui.end_row();
            ui.label("healdeck");
            ui.label(r.own_percent.map_or_else(na, |p| format!("{p:.0}%")));
            ui.end_row();
            ui.label("Others");
            ui.label(r.others_percent().map_or_else(na, |p| format!("{p:.0}%")));
            ui.end_row();
            if let Some(c) = r.graphics_clock_mhz {
                ui.label("Clock");
                ui.label(format!("{c} MHz"));
                ui.end_row();
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(util: f32) -> GpuSample {
        GpuSample {
            time: 0.0,
            kind: None,
            gpus: vec![GpuReading {
                util_percent: Some(util),
                ..GpuReading::default()
            }],
        }
    }

    #[test]
    fn a_flat_meter_asks_for_no_frame_and_a_change_scrolls_for_its_span() {
        let meter = GpuMeter::new(None);
        let mut changes = meter.changes();
        // The first sample shows; a graph that stays flat is not repainted as it grows.
        assert!(changes.shows_change(&sample(0.0)));
        assert!((0..SHORT_SPAN * 2).all(|_| !changes.shows_change(&sample(0.0))));
        assert!(!changes.shows_change(&sample(0.2)), "still 0 % on screen");
        // A new figure shows, and scrolls across the graph for its span, then rests.
        assert!(changes.shows_change(&sample(40.0)));
        let later: Vec<bool> = (0..SHORT_SPAN)
            .map(|_| changes.shows_change(&sample(40.0)))
            .collect();
        assert!(later[..SHORT_SPAN - 1].iter().all(|c| *c));
        assert!(!later[SHORT_SPAN - 1]);
        assert!(!changes.shows_change(&sample(40.0)));
        // The ten-minute graph keeps a change in view five times as long.
        assert!(changes.shows_change(&sample(0.0)));
        meter.span.store(HISTORY, Ordering::Relaxed);
        let long = (0..HISTORY)
            .filter(|_| changes.shows_change(&sample(0.0)))
            .count();
        assert_eq!(long, HISTORY - 1);
    }

    #[test]
    fn a_software_rendered_meter_scrolls_every_ten_samples_but_shows_a_change_at_once() {
        let meter = GpuMeter::new(None);
        let mut changes = meter.changes().for_software_adapter();
        assert!(changes.shows_change(&sample(0.0)));
        assert!(changes.shows_change(&sample(55.0)));
        let frames = (0..SHORT_SPAN)
            .filter(|_| changes.shows_change(&sample(55.0)))
            .count();
        assert_eq!(frames, (SHORT_SPAN - 1) / SOFTWARE_SCROLL_EVERY);
        assert!(changes.shows_change(&sample(7.0)), "a new figure at once");
    }
}

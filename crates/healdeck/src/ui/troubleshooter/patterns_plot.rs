//! An anomaly's baseline against now, as a small plot in the details pane: its lines (or p95
//! per step) over the log, the baseline's level as a dashed line, the current window shaded
//! from where it starts.

use egui::{Color32, RichText, Ui};
use egui_plot::{Bar, BarChart, HLine, Line, Plot, PlotPoints, VLine};
use healdeck_engine::patterns::{Anomaly, AnomalyKind};

const BEFORE: Color32 = Color32::from_rgb(110, 130, 160);
const NOW: Color32 = Color32::from_rgb(236, 132, 40);
const BASELINE: Color32 = Color32::from_rgb(84, 178, 90);

/// The plot, when the anomaly has a series over time.
pub(super) fn anomaly_plot_ui(ui: &mut Ui, a: &Anomaly) {
    if a.series.is_empty() {
        return;
    }
    ui.add_space(8.0);
    let slow = a.kind == AnomalyKind::SlowHandler;
    ui.label(
        RichText::new(if slow {
            "p95 over time — baseline vs now"
        } else {
            "Lines over time — baseline vs now"
        })
        .strong(),
    );
    ui.horizontal_wrapped(|ui| {
        ui.spacing_mut().item_spacing.x = 8.0;
        ui.label(RichText::new("■ before").color(BEFORE));
        ui.label(RichText::new("■ since the window starts").color(NOW));
        ui.label(RichText::new("- - baseline").color(BASELINE));
    });
    // x: steps from the current window's start (minutes, or blocks of 100 lines).
    let x = |step: i64| (step - a.cut) as f64;
    let last = a.series.last().map_or(a.cut, |(s, _)| *s);
    let baseline_level = match a.kind {
        AnomalyKind::SlowHandler => Some(a.baseline),
        AnomalyKind::RateSpike => Some(a.baseline / ((last - a.cut + 1).max(1)) as f64),
        _ => None,
    };
    let unit = if a.since.starts_with("line ") {
        "×100 lines"
    } else {
        "minutes"
    };
    Plot::new(("anomaly_plot", a.subject.clone()))
        .height(130.0)
        .include_y(0.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .x_axis_label(format!("{unit} from {}", a.since.replace('T', " ")))
        .y_axis_label(if slow { "p95 ms" } else { "lines" })
        .show(ui, |p| {
            if slow {
                let (before, now): (Vec<_>, Vec<_>) =
                    a.series.iter().partition(|(s, _)| *s < a.cut);
                let points = |v: Vec<&(i64, f64)>| -> PlotPoints<'static> {
                    v.into_iter().map(|(s, y)| [x(*s), *y]).collect()
                };
                p.line(Line::new("before", points(before)).color(BEFORE));
                p.line(Line::new("now", points(now)).color(NOW));
            } else {
                let bars = |now: bool| -> Vec<Bar> {
                    a.series
                        .iter()
                        .filter(|(s, _)| (*s >= a.cut) == now)
                        .map(|(s, y)| Bar::new(x(*s), *y).width(0.9))
                        .collect()
                };
                p.bar_chart(BarChart::new("before", bars(false)).color(BEFORE));
                p.bar_chart(BarChart::new("now", bars(true)).color(NOW));
            }
            if let Some(level) = baseline_level {
                p.hline(
                    HLine::new("baseline", level)
                        .color(BASELINE)
                        .style(egui_plot::LineStyle::dashed_loose()),
                );
            }
            p.vline(VLine::new("window starts", 0.0).color(Color32::GRAY));
        });
}

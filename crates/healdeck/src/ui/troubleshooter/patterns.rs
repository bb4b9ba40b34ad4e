//! The Patterns view: the followed logs' templates (count, a sparkline over the log's span,
//! level mix, first seen), a histogram of error, warning and other lines over the whole log —
//! a click on a bar filters the issue feed to that time — and the anomalies, which also join
//! the feed as `performance`/`anomaly` issues. Mining runs off the UI thread when the watcher
//! has read the logs and after each Run Diagnostics; a saved baseline can be chosen or saved.

use super::super::events::TroubleEvent;
use super::super::shared::Shared;
use super::super::widgets::{ToastKind, severity_color, thousands};
use super::TroubleTab;
use egui::{Color32, RichText, Ui};
use egui_extras::{Column, TableBuilder};
use egui_plot::{Bar, BarChart, Plot};
use healdeck_engine::patterns::{Baseline, PatternOptions, PatternReport, baseline_path, mine};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

/// Which view the Troubleshooter's centre shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TroubleView {
    #[default]
    Issues,
    Patterns,
}

/// The view's state.
#[derive(Default)]
pub(super) struct PatternsPanel {
    pub(super) report: Option<Arc<PatternReport>>,
    /// When the mining in flight started.
    mining: Option<Instant>,
    /// The feed fingerprints of the report's anomalies, in its order.
    anomaly_fps: Vec<String>,
    search: String,
    /// The filter last applied to the templates, and the rows it kept.
    rows: Option<(String, Vec<usize>)>,
    /// The saved baseline compared with (none: the logs' own earlier part).
    pub(super) baseline: Option<String>,
    saved_names: Vec<String>,
    save_name: String,
    error: Option<String>,
}

const ERROR_BAR: Color32 = Color32::from_rgb(224, 62, 62);
const WARN_BAR: Color32 = Color32::from_rgb(236, 162, 40);
const OTHER_BAR: Color32 = Color32::from_rgb(110, 130, 160);

impl PatternsPanel {
    /// The followed logs changed: what was mined is of other logs.
    pub(super) fn forget(&mut self) {
        self.report = None;
        self.rows = None;
        self.anomaly_fps.clear();
        self.mining = None;
        self.error = None;
    }

    /// The anomaly an issue was made from, for the details pane's plot.
    pub(super) fn anomaly_of(
        &self,
        fingerprint: &str,
    ) -> Option<&healdeck_engine::patterns::Anomaly> {
        let i = self.anomaly_fps.iter().position(|f| f == fingerprint)?;
        self.report.as_ref()?.anomalies.get(i)
    }
}

/// The saved baselines' names.
fn saved_baselines(sh: &Shared) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(sh.dirs.dirs.baselines())
        .map(|d| {
            d.flatten()
                .filter_map(|e| {
                    let name = e.file_name().to_string_lossy().into_owned();
                    name.strip_suffix(".json").map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    names
}

impl TroubleTab {
    /// The followed files (stream sources have no history to mine).
    fn mined_paths(&self) -> Vec<PathBuf> {
        self.watched
            .iter()
            .filter(|p| p.exists())
            .cloned()
            .collect()
    }

    /// Mines the followed logs in the background; the result comes as `TroubleEvent::Patterns`.
    pub(super) fn start_mining(&mut self, sh: &Shared) {
        let paths = self.mined_paths();
        if paths.is_empty() {
            return;
        }
        self.patterns.mining = Some(Instant::now());
        let generation = self.generation;
        let baseline = self
            .patterns
            .baseline
            .clone()
            .map(|name| baseline_path(&sh.dirs.dirs.baselines(), &name));
        sh.bg.blocking(move |r| {
            let mut opts = PatternOptions::default();
            let result = match baseline {
                Some(Err(e)) => Err(e.to_string()),
                Some(Ok(path)) => Baseline::load(&path).map_err(|e| e.to_string()),
                None => Ok(Baseline::default()),
            }
            .map(|b| {
                opts.compare = (b.version != 0).then_some(b);
                Box::new(mine(&paths, &opts))
            });
            r.send(TroubleEvent::Patterns { generation, result });
        });
    }

    /// A mined report arrived: keep it, and put its anomalies in the feed.
    pub(super) fn on_patterns(
        &mut self,
        sh: &mut Shared,
        generation: u64,
        result: Result<Box<PatternReport>, String>,
    ) {
        if generation != self.generation {
            return;
        }
        self.patterns.mining = None;
        match result {
            Ok(report) => {
                let issues = report.anomaly_issues();
                self.patterns.anomaly_fps = issues.iter().map(|i| i.fingerprint.clone()).collect();
                for issue in issues {
                    self.feed.upsert(Arc::new(issue));
                }
                for e in &report.errors {
                    sh.toasts.add(ToastKind::Error, e.to_string());
                }
                self.patterns.error = None;
                self.patterns.rows = None;
                self.patterns.report = Some(Arc::from(report));
            }
            Err(e) => {
                sh.toasts.add(ToastKind::Error, format!("Patterns: {e}"));
                self.patterns.error = Some(e);
            }
        }
    }

    /// Saves the followed logs as a healthy period under `name`.
    fn save_baseline(&mut self, sh: &mut Shared, name: String) {
        let paths = self.mined_paths();
        let path = match baseline_path(&sh.dirs.dirs.baselines(), &name) {
            Ok(p) => p,
            Err(e) => {
                sh.toasts.add(ToastKind::Error, format!("Baseline: {e}"));
                return;
            }
        };
        sh.bg.blocking(move |r| {
            let opts = PatternOptions {
                save_as: Some(name.clone()),
                ..PatternOptions::default()
            };
            let report = mine(&paths, &opts);
            let result = match report.baseline {
                Some(b) => b
                    .save(&path)
                    .map(|()| (name, b.templates.len()))
                    .map_err(|e| e.to_string()),
                None => Err("nothing to save".to_string()),
            };
            r.send(TroubleEvent::BaselineSaved(result));
        });
    }

    pub(super) fn on_baseline_saved(
        &mut self,
        sh: &mut Shared,
        result: Result<(String, usize), String>,
    ) {
        match result {
            Ok((name, n)) => {
                sh.toasts.add(
                    ToastKind::Success,
                    format!("Baseline \"{name}\" saved ({n} templates)"),
                );
                self.patterns.saved_names = saved_baselines(sh);
                self.patterns.save_name.clear();
            }
            Err(e) => sh.toasts.add(ToastKind::Error, format!("Baseline: {e}")),
        }
    }

    /// The view, in the centre.
    pub(super) fn patterns_ui(&mut self, ui: &mut Ui, sh: &mut Shared) {
        ui.add_space(4.0);
        self.patterns_header_ui(ui, sh);
        let Some(report) = self.patterns.report.clone() else {
            ui.add_space(30.0);
            ui.vertical_centered(|ui| {
                let text = match (&self.patterns.mining, &self.patterns.error) {
                    (Some(_), _) => "Reading every line's pattern…".to_string(),
                    (None, Some(e)) => e.clone(),
                    (None, None) => "No log files followed to read patterns from.".to_string(),
                };
                ui.label(RichText::new(text).weak());
            });
            return;
        };
        ui.add_space(4.0);
        if let Some((from, to)) = histogram_ui(ui, &report) {
            self.filter.time = Some((from, to));
            self.view = TroubleView::Issues;
        }
        self.anomalies_ui(ui, &report);
        ui.add_space(4.0);
        templates_ui(
            ui,
            &report,
            &mut self.patterns.search,
            &mut self.patterns.rows,
        );
    }

    fn patterns_header_ui(&mut self, ui: &mut Ui, sh: &mut Shared) {
        ui.horizontal_wrapped(|ui| {
            match (&self.patterns.report, &self.patterns.mining) {
                (_, Some(t)) => {
                    ui.spinner();
                    ui.label(format!(
                        "Mining patterns… {:.0} s",
                        t.elapsed().as_secs_f32()
                    ));
                    ui.ctx()
                        .request_repaint_after(std::time::Duration::from_millis(250));
                }
                (Some(r), None) => {
                    ui.label(
                        RichText::new(format!(
                            "{} templates · {} lines in {} file(s) · {:.2} s",
                            thousands(r.templates.len() as u64),
                            thousands(r.stats.lines),
                            r.stats.files,
                            r.stats.seconds
                        ))
                        .strong(),
                    );
                }
                (None, None) => {}
            }
            if ui
                .add_enabled(
                    self.patterns.mining.is_none(),
                    egui::Button::new("↻ Mine again"),
                )
                .on_hover_text("Read the followed logs' patterns again")
                .clicked()
            {
                self.start_mining(sh);
            }
            ui.separator();
            let lbl = ui.label("Baseline");
            let shown = self
                .patterns
                .baseline
                .clone()
                .unwrap_or_else(|| "the logs' earlier part".into());
            let before = self.patterns.baseline.clone();
            let combo = egui::ComboBox::from_id_salt("pattern_baseline")
                .selected_text(shown)
                .show_ui(ui, |ui| {
                    ui.selectable_value(
                        &mut self.patterns.baseline,
                        None,
                        "the logs' earlier part",
                    );
                    for name in self.patterns.saved_names.clone() {
                        ui.selectable_value(&mut self.patterns.baseline, Some(name.clone()), name);
                    }
                })
                .response
                .labelled_by(lbl.id);
            if combo.clicked() {
                self.patterns.saved_names = saved_baselines(sh);
            }
            if before != self.patterns.baseline {
                self.start_mining(sh);
            }
            let name = ui.add(
                egui::TextEdit::singleline(&mut self.patterns.save_name)
                    .hint_text("name")
                    .desired_width(90.0),
            );
            name.widget_info(|| {
                egui::WidgetInfo::labeled(egui::accesskit::Role::TextInput, true, "Baseline name")
            });
            let can_save =
                !self.patterns.save_name.trim().is_empty() && self.patterns.mining.is_none();
            if ui
                .add_enabled(can_save, egui::Button::new("💾 Save as baseline"))
                .on_hover_text("Keep these logs as a healthy period to compare later logs with")
                .clicked()
            {
                let name = self.patterns.save_name.trim().to_string();
                self.save_baseline(sh, name);
            }
        });
    }

    fn anomalies_ui(&mut self, ui: &mut Ui, report: &PatternReport) {
        let dark = ui.visuals().dark_mode;
        let n = report.anomalies.len();
        egui::CollapsingHeader::new(RichText::new(format!("Anomalies ({n})")).strong())
            .id_salt("pattern_anomalies")
            .default_open(true)
            .show(ui, |ui| {
                if n == 0 {
                    ui.label(
                        RichText::new(match &self.patterns.baseline {
                            Some(b) => format!("Nothing out of the ordinary against \"{b}\"."),
                            None => "Nothing out of the ordinary against the logs' earlier part."
                                .to_string(),
                        })
                        .weak(),
                    );
                    return;
                }
                egui::ScrollArea::vertical()
                    .id_salt("anomaly_list")
                    .max_height(150.0)
                    .show(ui, |ui| {
                        for (a, fp) in report.anomalies.iter().zip(&self.patterns.anomaly_fps) {
                            let selected = self.selected.as_deref() == Some(fp.as_str());
                            let text = RichText::new(format!("{} {}", a.severity.badge(), a.title))
                                .color(severity_color(dark, a.severity));
                            let r = ui
                                .selectable_label(selected, text)
                                .on_hover_text(&a.explanation);
                            if r.clicked() {
                                self.selected = Some(fp.clone());
                            }
                        }
                    });
            });
    }
}

/// The histogram; a click on a bar of a timed log answers its time range.
fn histogram_ui(ui: &mut Ui, report: &PatternReport) -> Option<(String, String)> {
    let h = &report.histogram;
    if h.bins.is_empty() {
        return None;
    }
    let width = if h.bins.len() > 60 { 1.0 } else { 0.85 };
    let bars = |value: fn(&healdeck_engine::patterns::HistogramBin) -> u64, color| -> Vec<Bar> {
        h.bins
            .iter()
            .enumerate()
            .map(|(i, b)| Bar::new(i as f64, value(b) as f64).width(width).fill(color))
            .collect()
    };
    let errors = bars(|b| b.errors, ERROR_BAR);
    let warns = bars(|b| b.warnings, WARN_BAR);
    let others = bars(|b| b.lines.saturating_sub(b.errors + b.warnings), OTHER_BAR);
    let bins = &h.bins;
    // Times of day when the log is of one day; with the date when it spans more.
    let one_day = h.bins.first().and_then(|b| b.start.get(..10))
        == h.bins.last().and_then(|b| b.start.get(..10));
    let from = if one_day { 11 } else { 5 };
    let label_of = |x: f64| -> String {
        let i = x.round();
        if i < 0.0 {
            return String::new();
        }
        bins.get(i as usize).map_or(String::new(), |b| {
            b.start.get(from..16).unwrap_or(&b.start).replace('T', " ")
        })
    };
    ui.horizontal(|ui| {
        let per = if h.timed {
            match h.bin_steps {
                1 => "minute".to_string(),
                1440 => "day".to_string(),
                60 => "hour".to_string(),
                n if n % 1440 == 0 => format!("{} days", n / 1440),
                n if n % 60 == 0 => format!("{} hours", n / 60),
                n => format!("{n} minutes"),
            }
        } else {
            format!("{} lines", h.bin_steps * 100)
        };
        ui.label(RichText::new(format!("Lines per {per}:")).weak());
        for (name, color) in [
            ("errors", ERROR_BAR),
            ("warnings", WARN_BAR),
            ("other", OTHER_BAR),
        ] {
            ui.label(RichText::new(format!("■ {name}")).color(color));
        }
    });
    let resp = Plot::new("pattern_histogram")
        .height(120.0)
        .include_y(0.0)
        .allow_drag(false)
        .allow_zoom(false)
        .allow_scroll(false)
        .show_y(false)
        .x_axis_formatter(move |mark, _range| label_of(mark.value))
        .include_x(-0.5)
        .include_x(h.bins.len() as f64 - 0.5)
        .set_margin_fraction(egui::vec2(0.0, 0.05))
        .show(ui, |p| {
            let e = BarChart::new("errors", errors).color(ERROR_BAR);
            let w = BarChart::new("warnings", warns)
                .color(WARN_BAR)
                .stack_on(&[&e]);
            let o = BarChart::new("other", others)
                .color(OTHER_BAR)
                .stack_on(&[&e, &w]);
            p.bar_chart(e);
            p.bar_chart(w);
            p.bar_chart(o);
            p.pointer_coordinate()
        });
    let hover = if h.timed {
        "Errors, warnings and other lines over the logs' span — click a bar to see the issues \
         of that time"
    } else {
        "Errors, warnings and other lines, by position in the log (its lines have no times)"
    };
    let clicked = resp.response.on_hover_text(hover).clicked();
    let at = resp.inner?;
    if !clicked || !h.timed {
        return None;
    }
    let i = at.x.round();
    let bin = (i >= 0.0).then(|| h.bins.get(i as usize)).flatten()?;
    Some((bin.start.clone(), bin.end.clone()))
}

/// The templates, most frequent first, with a sparkline each.
fn templates_ui(
    ui: &mut Ui,
    report: &PatternReport,
    search: &mut String,
    filtered: &mut Option<(String, Vec<usize>)>,
) {
    ui.horizontal(|ui| {
        ui.label(RichText::new("Templates").strong());
        let s = ui.add(
            egui::TextEdit::singleline(search)
                .hint_text("🔍 Filter templates")
                .desired_width(200.0),
        );
        s.widget_info(|| {
            egui::WidgetInfo::labeled(egui::accesskit::Role::TextInput, true, "Filter templates")
        });
    });
    // The rows are filtered again only when the filter or the report changed, not per frame.
    let needle = search.trim().to_lowercase();
    if filtered
        .as_ref()
        .is_none_or(|(applied, _)| *applied != needle)
    {
        let rows = report
            .templates
            .iter()
            .enumerate()
            .filter(|(_, t)| needle.is_empty() || t.template.to_lowercase().contains(&needle))
            .map(|(i, _)| i)
            .collect();
        *filtered = Some((needle, rows));
    }
    let rows: &[usize] = filtered.as_ref().map_or(&[], |(_, r)| r);
    let flagged = |id| report.anomalies.iter().any(|a| a.template_id == Some(id));
    TableBuilder::new(ui)
        .striped(true)
        .resizable(true)
        .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
        .column(Column::exact(70.0))
        .column(Column::exact(110.0))
        .column(Column::exact(80.0))
        .column(Column::exact(150.0))
        .column(Column::remainder().clip(true))
        .min_scrolled_height(0.0)
        .header(22.0, |mut h| {
            for title in ["Count", "Over time", "Err / warn", "First seen", "Template"] {
                h.col(|ui| {
                    ui.label(RichText::new(title).strong());
                });
            }
        })
        .body(|body| {
            body.rows(22.0, rows.len(), |mut row| {
                let Some(t) = rows.get(row.index()).and_then(|&i| report.templates.get(i)) else {
                    return;
                };
                row.col(|ui| {
                    ui.with_layout(egui::Layout::right_to_left(egui::Align::Center), |ui| {
                        ui.label(thousands(t.count));
                    });
                });
                row.col(|ui| sparkline_ui(ui, &t.spark, t.levels.error > 0));
                row.col(|ui| {
                    let text = format!("{} / {}", t.levels.error, t.levels.warn);
                    let color = if t.levels.error > 0 {
                        ERROR_BAR
                    } else if t.levels.warn > 0 {
                        WARN_BAR
                    } else {
                        ui.visuals().weak_text_color()
                    };
                    ui.label(RichText::new(text).color(color));
                });
                row.col(|ui| {
                    let first = t.first_seen.as_deref().unwrap_or("—");
                    ui.label(RichText::new(first.replace('T', " ")).weak());
                });
                row.col(|ui| {
                    let mut text = RichText::new(&t.template).monospace();
                    if flagged(t.id) {
                        text = text.color(WARN_BAR);
                    }
                    ui.add(egui::Label::new(text).truncate())
                        .on_hover_text(format!("#{} — e.g. {}", t.id, t.example));
                });
            });
        });
}

/// A template's lines over time as small bars.
fn sparkline_ui(ui: &mut Ui, spark: &[u32], errors: bool) {
    let (rect, _) = ui.allocate_exact_size(egui::vec2(100.0, 16.0), egui::Sense::hover());
    let max = spark.iter().copied().max().unwrap_or(0).max(1) as f32;
    let w = rect.width() / spark.len().max(1) as f32;
    let color = if errors { ERROR_BAR } else { OTHER_BAR };
    let painter = ui.painter_at(rect);
    for (i, &v) in spark.iter().enumerate() {
        if v == 0 {
            continue;
        }
        let h = (v as f32 / max * rect.height()).max(1.5);
        let x = rect.left() + i as f32 * w;
        painter.rect_filled(
            egui::Rect::from_min_max(
                egui::pos2(x, rect.bottom() - h),
                egui::pos2(x + (w - 1.0).max(1.0), rect.bottom()),
            ),
            0.0,
            color,
        );
    }
}

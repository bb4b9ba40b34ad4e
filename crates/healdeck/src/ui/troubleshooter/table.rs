//! The feed as a table: severity, title, category, count, last seen and source columns,
//! sortable by header clicks (a second click reverses), virtualized (only visible rows are
//! drawn), selected by click or ↑/↓, with a context menu per row (Copy Prompt, title,
//! fingerprint, location).

use super::super::settings::SortKey;
use super::super::shared::Shared;
use super::super::widgets::{GOOD, WARN, severity_badge, short_time, thousands};
use super::TroubleTab;
use super::feed::{Feed, source_name};
use super::fix_scope::{FixScope, Resolution};
use super::secrets::Masks;
use egui::RichText;
use egui_extras::{Column, TableBuilder};
use healdeck_engine::Issue;
use std::time::{Duration, Instant};

const ROW_HEIGHT: f32 = 24.0;

/// What the person did to the table this frame.
#[derive(Default)]
struct TableInput {
    /// A row clicked, or moved to with the arrow keys.
    select: Option<String>,
    /// The click held Ctrl (⌘): the row joins or leaves the selection.
    add: bool,
    /// Copy that row's prompt (its context menu).
    prompt: bool,
    /// Scroll this row into view.
    scroll_to: Option<usize>,
}

fn sort_header(ui: &mut egui::Ui, sh: &mut Shared, label: &str, key: SortKey) {
    let active = sh.settings.sort == key;
    let arrow = match (active, sh.settings.sort_descending) {
        (false, _) => "",
        (true, false) => " ⏷",
        (true, true) => " ⏶",
    };
    let text = RichText::new(format!("{label}{arrow}")).strong();
    if ui
        .add(egui::Button::new(text).frame(false))
        .on_hover_text(format!("Sort by {}", label.to_lowercase()))
        .clicked()
    {
        if active {
            sh.settings.sort_descending = !sh.settings.sort_descending;
        } else {
            sh.settings.sort = key;
            sh.settings.sort_descending = false;
        }
    }
}

/// The row's context menu.
fn row_menu(ui: &mut egui::Ui, issue: &Issue, input: &mut TableInput) {
    if ui.button("📋 Copy Prompt").clicked() {
        input.select = Some(issue.fingerprint.clone());
        input.prompt = true;
        ui.close();
    }
    if ui.button("Copy title").clicked() {
        ui.ctx().copy_text(issue.title.clone());
        ui.close();
    }
    if ui.button("Copy fingerprint").clicked() {
        ui.ctx().copy_text(issue.fingerprint.clone());
        ui.close();
    }
    if ui.button("Copy location").clicked() {
        ui.ctx()
            .copy_text(format!("{}:{}", issue.latest.source, issue.latest.line));
        ui.close();
    }
}

/// ↑/↓ move the selection when no text field has the keyboard.
fn arrow_keys(ui: &egui::Ui, feed: &Feed, selected: Option<&str>, input: &mut TableInput) {
    if ui.ctx().egui_wants_keyboard_input() {
        return;
    }
    let (up, down) = ui.input(|i| {
        (
            i.key_pressed(egui::Key::ArrowUp),
            i.key_pressed(egui::Key::ArrowDown),
        )
    });
    if !(up || down) {
        return;
    }
    let cur = selected.and_then(|f| {
        (0..feed.rows().len()).find(|&r| feed.row(r).is_some_and(|i| i.fingerprint == f))
    });
    let next = match (cur, down) {
        (None, _) => 0,
        (Some(c), true) => (c + 1).min(feed.rows().len() - 1),
        (Some(c), false) => c.saturating_sub(1),
    };
    input.select = feed.row(next).map(|i| i.fingerprint.clone());
    input.scroll_to = Some(next);
}

/// The title, masked, after a "✔ fixed" or "⚠ recurred" mark when the issue has one.
fn title_cell(ui: &mut egui::Ui, issue: &Issue, masks: &Masks, scope: &FixScope) {
    match scope.resolution(issue) {
        Some(Resolution::Fixed(_)) => {
            ui.label(RichText::new("✔ fixed").color(GOOD))
                .on_hover_text("Fixed and verified; not seen since");
        }
        Some(Resolution::Recurred(_)) => {
            ui.label(RichText::new("⚠ recurred").color(WARN))
                .on_hover_text("It came back after a fix");
        }
        None => {}
    }
    ui.add(egui::Label::new(&*masks.title(issue)).truncate());
}

/// How long a row that changed live glows.
const FLASH: Duration = Duration::from_millis(2500);

/// The glow of a row that changed at `at`: strong at first, fading out over `FLASH`.
fn glow_color(at: Instant) -> egui::Color32 {
    let left = 1.0 - (at.elapsed().as_secs_f32() / FLASH.as_secs_f32()).clamp(0.0, 1.0);
    egui::Color32::from_rgba_unmultiplied(255, 196, 0, (left * 70.0) as u8)
}

/// Below this width the table shows only its key columns.
const COMPACT_BELOW: f32 = 640.0;

/// The table's columns, each sorting by its own key.
const WIDE: [SortKey; 6] = [
    SortKey::Severity,
    SortKey::Title,
    SortKey::Category,
    SortKey::Count,
    SortKey::LastSeen,
    SortKey::Source,
];
/// The columns people scan by, kept in a narrow table.
const NARROW: [SortKey; 4] = [
    SortKey::Severity,
    SortKey::Title,
    SortKey::Count,
    SortKey::Source,
];

fn column(key: SortKey) -> Column {
    match key {
        SortKey::Severity => Column::exact(92.0),
        SortKey::Title => Column::remainder().at_least(160.0).clip(true),
        SortKey::Category => Column::initial(112.0).clip(true),
        SortKey::Count => Column::initial(52.0),
        SortKey::LastSeen => Column::initial(112.0).clip(true),
        SortKey::Source => Column::initial(108.0).clip(true),
    }
}

fn heading(key: SortKey) -> &'static str {
    match key {
        SortKey::Severity => "Severity",
        SortKey::Title => "Title",
        SortKey::Category => "Category",
        SortKey::Count => "Count",
        SortKey::LastSeen => "Last seen",
        SortKey::Source => "Source",
    }
}

impl TroubleTab {
    /// Selects a row; with `add` (Ctrl/⌘-click) it joins the selection, or leaves it when it
    /// was in it. The last row clicked is the one the details pane shows.
    fn select(&mut self, fp: String, add: bool) {
        if !add {
            self.marked.clear();
        } else if self.marked.contains(&fp) && self.selected.as_ref() != Some(&fp) {
            self.marked.remove(&fp);
            return;
        } else {
            self.marked.extend(self.selected.clone());
            self.marked.insert(fp.clone());
        }
        self.selected = Some(fp);
    }

    pub(super) fn table_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        if self.feed.rows().is_empty() {
            self.no_rows_ui(ui);
            return;
        }
        let mut input = TableInput::default();
        let selected = self.selected.clone();
        arrow_keys(ui, &self.feed, selected.as_deref(), &mut input);
        // Rows are clicked, not text-selected.
        ui.style_mut().interaction.selectable_labels = false;
        let feed = &self.feed;
        let masks = &self.masks;
        let scope = &self.scope;
        self.flashes.retain(|_, at| at.elapsed() < FLASH);
        if !self.flashes.is_empty() {
            ui.ctx().request_repaint_after(Duration::from_millis(50));
        }
        let flashes = &self.flashes;
        let this_year = healdeck_config::clock::year_of_unix(
            i64::try_from(healdeck_config::clock::now_unix()).unwrap_or(0),
        );
        let marked = &self.marked;
        let cols: &[SortKey] = if ui.available_width() < COMPACT_BELOW {
            &NARROW
        } else {
            &WIDE
        };
        let mut table = TableBuilder::new(ui)
            .striped(true)
            .resizable(true)
            .sense(egui::Sense::click())
            .cell_layout(egui::Layout::left_to_right(egui::Align::Center))
            .min_scrolled_height(0.0);
        for &c in cols {
            table = table.column(column(c));
        }
        if let Some(r) = input.scroll_to {
            table = table.scroll_to_row(r, None);
        }
        table
            .header(26.0, |mut h| {
                for &c in cols {
                    h.col(|ui| sort_header(ui, sh, heading(c), c));
                }
            })
            .body(|body| {
                body.rows(ROW_HEIGHT, feed.rows().len(), |mut row| {
                    let Some(issue) = feed.row(row.index()) else {
                        return;
                    };
                    let fp = issue.fingerprint.as_str();
                    row.set_selected(selected.as_deref() == Some(fp) || marked.contains(fp));
                    let glow = flashes.get(&issue.fingerprint).map(|at| glow_color(*at));
                    for c in cols {
                        row.col(|ui| {
                            if let Some(color) = glow {
                                let r = ui.max_rect().expand2(egui::vec2(4.0, 2.0));
                                ui.painter().rect_filled(r, 0.0, color);
                            }
                            match c {
                                SortKey::Severity => {
                                    severity_badge(ui, issue.severity);
                                }
                                SortKey::Title => title_cell(ui, issue, masks, scope),
                                SortKey::Category => {
                                    ui.label(issue.category.as_str());
                                }
                                SortKey::Count => {
                                    ui.label(thousands(issue.count));
                                }
                                SortKey::LastSeen => match issue.last_seen.as_deref() {
                                    Some(t) => {
                                        ui.label(short_time(t, this_year)).on_hover_text(t);
                                    }
                                    None => {
                                        ui.label("—").on_hover_text("The log gave no time");
                                    }
                                },
                                SortKey::Source => {
                                    ui.label(source_name(issue))
                                        .on_hover_text(&issue.latest.source);
                                }
                            }
                        });
                    }
                    let resp = row.response();
                    if resp.clicked() {
                        input.select = Some(issue.fingerprint.clone());
                        input.add = resp.ctx.input(|i| i.modifiers.command);
                    }
                    resp.context_menu(|ui| row_menu(ui, issue, &mut input));
                });
            });
        if let Some(fp) = input.select {
            if !self.history.contains_key(&fp) {
                self.load_history(sh, &fp);
            }
            self.select(fp, input.add);
        }
        if input.prompt {
            self.copy_prompt(sh);
        }
    }

    /// What the table says when it has no rows: waiting, all clear, or nothing matches.
    fn no_rows_ui(&self, ui: &mut egui::Ui) {
        ui.vertical_centered(|ui| {
            ui.add_space(40.0);
            let text = if self.feed.is_empty() {
                if self.watch.is_some() {
                    "✔ No failures found — new ones appear here as they are written."
                } else {
                    "Waiting for the rules to load…"
                }
            } else {
                "No issue matches the filters."
            };
            ui.label(RichText::new(text).size(15.0));
        });
    }
}

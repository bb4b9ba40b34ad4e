//! The selected issue's details: title, severity, category, counts and times; root cause;
//! the recommended fixes with their class and confidence; the excerpt with the matched line
//! highlighted and the log lines before it dimmed; what followed; the kept occurrences; and
//! the fix history from the audit log.

use super::super::shared::Shared;
use super::super::widgets::{WARN, severity_badge, thousands};
use super::TroubleTab;
use super::fix_scope::{planned_fixes_ui, resolution_ui};
use super::secrets::summary;
use egui::{Color32, RichText};
use healdeck_engine::fix::audit::AuditEntry;
use healdeck_engine::redact::Finding;
use healdeck_engine::{Engine, Issue};

/// The excerpt's text size: log lines are read closely, so never below 12 px.
const EXCERPT_PX: f32 = 12.5;

/// Excerpt lines shown before "… N more lines".
const EXCERPT_LINES: usize = 60;

impl TroubleTab {
    pub(super) fn details_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        let Some(issue) = self.selected.as_deref().and_then(|f| self.feed.get(f)) else {
            ui.add_space(30.0);
            ui.vertical_centered(|ui| {
                ui.label(RichText::new("Select an issue to see its cause and fix.").weak());
            });
            return;
        };
        let original = issue.clone();
        let masked = self.masks.issue(&original);
        let issue = &masked.0;
        if !self.history.contains_key(&issue.fingerprint) {
            self.history.insert(issue.fingerprint.clone(), Vec::new());
            self.load_history(sh, &issue.fingerprint);
        }
        self.ai.load_answers(sh, &issue.fingerprint);
        let plans = self
            .preview(sh, &original)
            .map(|r| r.map(<[_]>::to_vec).map_err(str::to_string));
        let resolution = self.scope.resolution(&original);
        let engine = self.engine.as_deref();
        let history = self.history.get(&issue.fingerprint).map(Vec::as_slice);
        let mut reveal = false;
        let mut send = None;
        egui::ScrollArea::vertical()
            .auto_shrink(false)
            .show(ui, |ui| {
                ui.add_space(6.0);
                heading_ui(ui, issue);
                send = self.team.send_menu_ui(ui, sh, &original);
                resolution_ui(ui, resolution);
                reveal = reveal_ui(ui, &masked.1, self.masks.is_revealed(&issue.fingerprint));
                ui.add_space(8.0);
                ui.label(RichText::new("Root cause").strong());
                ui.add(egui::Label::new(&issue.root_cause).wrap());
                if let Some(a) = self.patterns.anomaly_of(&issue.fingerprint) {
                    super::patterns_plot::anomaly_plot_ui(ui, a);
                }
                super::team::tests_ui(ui, issue);
                ui.add_space(8.0);
                let plans = plans
                    .as_ref()
                    .map(|r| r.as_ref().map(Vec::as_slice).map_err(String::as_str));
                planned_fixes_ui(ui, issue, plans);
                ui.add_space(8.0);
                ui.label(RichText::new("Excerpt").strong());
                excerpt_ui(ui, issue, engine);
                aftermath_ui(ui, issue);
                ui.add_space(8.0);
                self.ai.ui(ui, sh, &original);
                ui.add_space(8.0);
                self.propose.ui(ui, sh, &original);
                ui.add_space(8.0);
                history_ui(ui, history.unwrap_or_default());
            });
        if reveal {
            self.masks.toggle(&original.fingerprint);
        }
        if let Some((what, findings)) = send {
            self.outgoing(sh, what, findings);
        }
    }
}

/// "🔒 2 secrets hidden · Reveal" (or "Hide"), when the issue holds any.
/// Returns true when the person asked to switch.
fn reveal_ui(ui: &mut egui::Ui, findings: &[Finding], revealed: bool) -> bool {
    if findings.is_empty() {
        return false;
    }
    let mut clicked = false;
    ui.horizontal_wrapped(|ui| {
        let n = findings.len();
        let plural = if n == 1 { "" } else { "s" };
        if revealed {
            ui.label(RichText::new(format!("⚠ {n} secret{plural} shown on screen")).color(WARN));
            clicked = ui
                .button("🔒 Hide secrets")
                .on_hover_text("Mask them again")
                .clicked();
        } else {
            ui.label(RichText::new(format!("🔒 {n} secret{plural} hidden")).weak())
                .on_hover_text(summary(findings));
            clicked = ui
                .button("👁 Reveal secrets")
                .on_hover_text(
                    "Show this issue unmasked on screen; prompts and reports stay redacted",
                )
                .clicked();
        }
    });
    clicked
}

fn heading_ui(ui: &mut egui::Ui, issue: &Issue) {
    ui.add(egui::Label::new(RichText::new(&issue.title).heading()).wrap());
    ui.horizontal_wrapped(|ui| {
        severity_badge(ui, issue.severity);
        ui.label(format!("· {} ·", issue.category));
        ui.label(format!("seen {}×", thousands(issue.count)));
        if let Some(r) = &issue.rule {
            ui.label(RichText::new(format!("rule {r}")).weak());
        }
        match issue.state {
            healdeck_engine::group::IssueState::Open => {}
            healdeck_engine::group::IssueState::Resolved => {
                ui.label(RichText::new("✔ resolved").color(egui::Color32::from_rgb(60, 170, 90)))
                    .on_hover_text("The health check passes again");
            }
            healdeck_engine::group::IssueState::Unfixable => {
                ui.label(RichText::new("⛔ unfixable").color(ui.visuals().error_fg_color))
                    .on_hover_text(
                        "The check's circuit breaker opened: reset it in the Health tab once                          the cause is dealt with",
                    );
            }
        }
    });
    ui.label(
        RichText::new(format!(
            "first {} · last {} · {}",
            issue.first_seen.as_deref().unwrap_or("—"),
            issue.last_seen.as_deref().unwrap_or("—"),
            issue.fingerprint
        ))
        .weak()
        .small(),
    );
    if !issue.group_key.is_empty() {
        ui.label(
            RichText::new(format!("grouped by: {}", issue.group_key))
                .weak()
                .small(),
        )
        .on_hover_text(
            "Events whose text reads the same once numbers, ids, addresses, hosts and dates \
             are masked (# and <…>) are one issue",
        );
    }
}

/// Where the excerpt is from, what followed the failure, and the occurrences kept.
fn aftermath_ui(ui: &mut egui::Ui, issue: &Issue) {
    let first = issue.occurrences.first();
    let place = match (first, issue.captures.get("check")) {
        // A health check's issue has no log line: the check and what it watches.
        (Some(o), Some(check)) if o.line == 0 => {
            format!("health check '{check}' · watches {}", o.source)
        }
        (Some(o), _) => format!("{}:{}", o.source, o.line),
        (None, _) => String::new(),
    };
    ui.label(RichText::new(place).weak().small());
    if !issue.consequences.is_empty() {
        ui.add_space(6.0);
        ui.label(RichText::new("What followed").strong());
        for c in &issue.consequences {
            ui.label(RichText::new(c).monospace().size(EXCERPT_PX));
        }
    }
    if issue.occurrences.len() > 1 {
        ui.add_space(6.0);
        ui.collapsing(
            format!("Occurrences ({} kept)", issue.occurrences.len()),
            |ui| {
                for o in &issue.occurrences {
                    ui.label(
                        RichText::new(format!(
                            "{}:{} {}",
                            o.source,
                            o.line,
                            o.timestamp.as_deref().unwrap_or("")
                        ))
                        .small(),
                    );
                }
            },
        );
    }
}

fn history_ui(ui: &mut egui::Ui, history: &[AuditEntry]) {
    ui.label(RichText::new("Fix history").strong());
    if history.is_empty() {
        ui.label(RichText::new("no fix attempted yet").weak());
    }
    for e in history {
        ui.label(
            RichText::new(format!(
                "{} · attempt {} · {} → {}{}",
                healdeck_config::clock::iso_of_unix(e.time as i64),
                e.attempt,
                e.action,
                e.result,
                e.exit_status
                    .map(|c| format!(" (exit {c})"))
                    .unwrap_or_default()
            ))
            .small(),
        );
    }
}

/// The first occurrence's text with the line that matched highlighted; the log lines before it
/// dimmed.
fn excerpt_ui(ui: &mut egui::Ui, issue: &Issue, engine: Option<&Engine>) {
    let lines: Vec<&str> = issue.excerpt.lines().collect();
    let rule = engine.and_then(|e| {
        e.rules
            .rules
            .iter()
            .find(|r| Some(r.spec.id.as_str()) == issue.rule.as_deref())
            .map(|r| &*r.regex)
    });
    let hit = error_line(&lines, rule);
    egui::Frame::group(ui.style())
        .fill(ui.visuals().extreme_bg_color)
        .show(ui, |ui| {
            ui.set_min_width(ui.available_width());
            for l in issue.context_before.iter().rev().take(3).rev() {
                ui.add(
                    egui::Label::new(RichText::new(l).monospace().size(EXCERPT_PX).weak()).wrap(),
                );
            }
            for (i, l) in lines.iter().enumerate().take(EXCERPT_LINES) {
                let mut t = RichText::new(*l).monospace().size(EXCERPT_PX);
                if i == hit {
                    t = t
                        .color(Color32::WHITE)
                        .background_color(Color32::from_rgb(150, 40, 40));
                }
                ui.add(egui::Label::new(t).wrap());
            }
            if lines.len() > EXCERPT_LINES {
                ui.label(
                    RichText::new(format!("… {} more lines", lines.len() - EXCERPT_LINES)).weak(),
                );
            }
        });
}

/// Which excerpt line is "the error": the line the issue's rule matches, else the exception
/// line of a traceback or of a pytest failure, else the first.
fn error_line(lines: &[&str], rule: Option<&regex::Regex>) -> usize {
    if let Some(re) = rule
        && let Some(i) = lines.iter().rposition(|l| re.is_match(l))
    {
        return i;
    }
    if let Some(tb) = lines
        .iter()
        .position(|l| l.starts_with("Traceback (most recent call last)"))
        && let Some(i) = lines
            .iter()
            .skip(tb + 1)
            .position(|l| !l.trim().is_empty() && !l.starts_with(' '))
    {
        return tb + 1 + i;
    }
    // pytest marks the exception's lines with `E` in a failed test's report.
    if let Some(i) = lines.iter().position(|l| l.starts_with("E   ")) {
        return i;
    }
    0
}

#[cfg(test)]
mod tests {
    use super::error_line;

    #[test]
    fn the_highlighted_line_is_the_one_the_rule_matched() {
        let lines = [
            "[ERROR] Exception in worker process",
            "Traceback (most recent call last):",
            "  File \"x.py\", line 1, in <module>",
            "ModuleNotFoundError: No module named 'vikreya'",
            "[INFO] Worker exiting",
        ];
        let re = regex::Regex::new("No module named").ok();
        assert_eq!(error_line(&lines, re.as_ref()), 3);
        assert_eq!(error_line(&lines, None), 3);
        assert_eq!(error_line(&lines[..1], None), 0);
        let pytest = [
            "t::x (failed)",
            ">       raise KeyError('k')",
            "E       KeyError: 'k'",
        ];
        assert_eq!(error_line(&pytest, None), 2);
    }
}

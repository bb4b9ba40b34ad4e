//! Secrets in the window. What the tab shows is masked like every other output — titles in
//! the table, and the details pane's excerpt, context, causes and fixes — since screenshots
//! and screen-shares leave the machine too; the person at the keyboard can reveal one issue.
//! Before a repair prompt is copied or a report exported, the window lists what was removed
//! (kind and a masked preview) and asks once.

use super::super::dev_hooks::mark;
use super::super::events::AppEvent;
use super::super::shared::Shared;
use super::super::widgets::{ToastKind, WARN, thousands};
use egui::RichText;
use healdeck_engine::Issue;
use healdeck_engine::redact::{Finding, redact, redact_issue};
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::Arc;

/// An issue as it was when masked, and what masking made of it.
struct MaskedIssue {
    original: Issue,
    masked: Arc<(Issue, Vec<Finding>)>,
}

/// Masked versions of the issues on screen, made when first shown (a redaction costs tens
/// of microseconds; the feed can hold 100,000 issues) and kept by fingerprint.
#[derive(Default)]
pub(super) struct Masks {
    titles: RefCell<HashMap<String, Arc<str>>>,
    /// By fingerprint: the issue as it was masked (to see when it changed), and the result.
    issues: HashMap<String, MaskedIssue>,
    revealed: HashSet<String>,
}

impl Masks {
    /// Forgets everything (the feed was rebuilt).
    pub(super) fn clear(&mut self) {
        self.titles.get_mut().clear();
        self.issues.clear();
        self.revealed.clear();
    }

    /// The issue's title as the table shows it.
    pub(super) fn title(&self, issue: &Issue) -> Arc<str> {
        if self.revealed.contains(&issue.fingerprint) {
            return issue.title.as_str().into();
        }
        self.titles
            .borrow_mut()
            .entry(issue.fingerprint.clone())
            .or_insert_with(|| redact(&issue.title).text.into())
            .clone()
    }

    /// The issue as the details pane shows it (masked unless revealed), and what is hidden.
    pub(super) fn issue(&mut self, issue: &Issue) -> Arc<(Issue, Vec<Finding>)> {
        // An issue changes as it recurs (count, last seen, what followed) or is rescanned.
        let stale = self
            .issues
            .get(&issue.fingerprint)
            .is_none_or(|seen| seen.original != *issue);
        if stale {
            let masked = Arc::new(redact_issue(issue));
            let entry = MaskedIssue {
                original: issue.clone(),
                masked,
            };
            self.issues.insert(issue.fingerprint.clone(), entry);
        }
        let masked = self
            .issues
            .get(&issue.fingerprint)
            .map_or_else(|| Arc::new(redact_issue(issue)), |m| m.masked.clone());
        if self.revealed.contains(&issue.fingerprint) {
            Arc::new((issue.clone(), masked.1.clone()))
        } else {
            masked
        }
    }

    pub(super) fn is_revealed(&self, fingerprint: &str) -> bool {
        self.revealed.contains(fingerprint)
    }

    /// Shows or hides one issue's secrets on screen.
    pub(super) fn toggle(&mut self, fingerprint: &str) {
        if !self.revealed.remove(fingerprint) {
            self.revealed.insert(fingerprint.to_string());
        }
    }
}

/// Something about to leave the window, waiting for the person to look at what was removed.
pub(super) enum Outgoing {
    Prompt {
        fingerprint: String,
        text: String,
        trimmed: bool,
    },
    Export {
        path: PathBuf,
        text: String,
    },
    /// The selected issue to a team channel (redacted again where it is sent).
    Notify {
        channel: healdeck_engine::notify::Channel,
        issue: Box<healdeck_engine::Issue>,
    },
}

pub(super) struct Review {
    pub(super) what: Outgoing,
    pub(super) findings: Vec<Finding>,
}

/// "3 secrets removed: aws_secret_access_key, url_password, private_key".
pub(super) fn summary(findings: &[Finding]) -> String {
    let mut kinds: Vec<&str> = findings.iter().map(|f| f.kind).collect();
    kinds.dedup();
    let mut seen = HashSet::new();
    kinds.retain(|k| seen.insert(*k));
    format!(
        "{} secret{} removed: {}",
        findings.len(),
        if findings.len() == 1 { "" } else { "s" },
        kinds.join(", ")
    )
}

/// Sends `what` on its way: the prompt to the clipboard, the report to its file.
pub(super) fn deliver(sh: &mut Shared, what: Outgoing, findings: &[Finding]) {
    match what {
        Outgoing::Prompt {
            fingerprint,
            text,
            trimmed,
        } => {
            let chars = text.chars().count();
            match sh.clipboard.copy(&sh.egui_ctx, &text) {
                Ok(()) => {
                    mark("prompt copied");
                    tracing::info!(
                        "[TROUBLE] prompt for {fingerprint} copied: {chars} characters, {} secret(s) redacted",
                        findings.len()
                    );
                    sh.toasts.add(
                        ToastKind::Success,
                        format!(
                            "Repair prompt copied — {} characters, {} secret(s) redacted{}",
                            thousands(chars as u64),
                            findings.len(),
                            if trimmed { ", trimmed to fit" } else { "" }
                        ),
                    );
                }
                Err(e) => sh.toasts.add(ToastKind::Error, format!("clipboard: {e}")),
            }
        }
        Outgoing::Notify { channel, issue } => {
            tracing::info!(
                "[TROUBLE] issue {} sent to {}, {} secret(s) redacted",
                issue.fingerprint,
                channel.label(),
                findings.len()
            );
            super::TroubleTab::send_issue(sh, channel, *issue);
        }
        Outgoing::Export { path, text } => {
            sh.bg.blocking(move |r| {
                let written = path
                    .parent()
                    .filter(|d| !d.as_os_str().is_empty())
                    .map_or(Ok(()), std::fs::create_dir_all)
                    .and_then(|()| std::fs::write(&path, text));
                r.send(AppEvent::Wrote(
                    written
                        .map(|()| path.clone())
                        .map_err(|e| format!("{}: {e}", path.display())),
                ));
            });
        }
    }
}

/// The review dialog: what was removed, then "Copy prompt"/"Export report" or "Cancel".
/// Returns `Some(true)` to go on, `Some(false)` to drop it, `None` while it waits.
pub(super) fn review_ui(ctx: &egui::Context, review: &Review) -> Option<bool> {
    let (title, go) = match review.what {
        Outgoing::Prompt { .. } => ("Copy the repair prompt?", "📋 Copy prompt"),
        Outgoing::Export { .. } => ("Export the report?", "⬇ Export report"),
        Outgoing::Notify { .. } => ("Send the issue to the channel?", "📣 Send"),
    };
    let modal = egui::Modal::new(egui::Id::unique("review_redactions")).show(ctx, |ui| {
        ui.set_max_width(560.0);
        ui.heading(title);
        ui.label(RichText::new(summary(&review.findings)).strong());
        ui.label(
            RichText::new("Each is replaced by [REDACTED:kind] in what leaves the window; the list shows only their shape.")
                .weak(),
        );
        ui.add_space(6.0);
        egui::ScrollArea::vertical()
            .max_height(260.0)
            .show(ui, |ui| {
                egui::Grid::new("redactions")
                    .num_columns(2)
                    .striped(true)
                    .show(ui, |ui| {
                        for f in &review.findings {
                            ui.label(RichText::new(f.kind).color(WARN));
                            ui.label(RichText::new(&f.preview).monospace());
                            ui.end_row();
                        }
                    });
            });
        ui.add_space(8.0);
        let mut answer = None;
        ui.horizontal(|ui| {
            if ui.button(go).clicked() {
                answer = Some(true);
            }
            if ui.button("Cancel").clicked() {
                answer = Some(false);
            }
        });
        answer
    });
    modal.inner
}

//! The Auto-Fix window and its approval dialog. `FixPanel` turns a fix session's events into
//! lines — the plan (what would or will run, what waits for approval, what is advice), each
//! step as it happens (command, backup, the action's own output, exit status, verification)
//! and the result — and asks once for the class B fixes before any of them runs.

use super::super::dev_hooks::mark;
use super::super::shared::Shared;
use super::super::widgets::{BAD, GOOD, ToastKind, WARN};
use egui::{Color32, RichText};
use healdeck_engine::Issue;
use healdeck_engine::fix::{Decision, IssuePlan, Outcome, Step};

/// One line of the Auto-Fix window.
struct FixLine {
    text: String,
    color: Option<Color32>,
    mono: bool,
    strong: bool,
}

/// A class B fix waiting for a yes or no in the dialog.
struct Approval {
    issue: Issue,
    what: String,
    /// Where it acts and why there (the interpreter or project, and what named it).
    target: Option<String>,
    /// Vetting warnings (typosquatting, unvetted names).
    warnings: Vec<String>,
    approved: bool,
}

#[derive(Default)]
pub(super) struct FixPanel {
    open: bool,
    running: bool,
    lines: Vec<FixLine>,
    approvals: Vec<Approval>,
}

impl FixPanel {
    /// A new run: the window opens with an empty log.
    pub(super) fn begin(&mut self) {
        self.open = true;
        self.running = true;
        self.lines.clear();
        self.approvals.clear();
    }

    pub(super) fn running(&self) -> bool {
        self.running
    }

    /// The window's lines and whether a run is in progress (tests read these).
    pub(super) fn log(&self) -> (Vec<String>, bool) {
        (
            self.lines.iter().map(|l| l.text.clone()).collect(),
            self.running,
        )
    }

    fn line(&mut self, text: String, color: Option<Color32>, mono: bool) {
        self.lines.push(FixLine {
            text,
            color,
            mono,
            strong: false,
        });
    }

    /// The plan: one heading per issue, one line per fix with what will happen to it.
    pub(super) fn on_plan(&mut self, plans: Vec<IssuePlan>, dry_run: bool, ask: bool) {
        mark("fix plan shown");
        let (mut a, mut b, mut c) = (0, 0, 0);
        if plans.is_empty() {
            self.line("This issue has no recommended fix.".into(), None, false);
        }
        for p in &plans {
            self.lines.push(FixLine {
                text: p.issue.title.clone(),
                color: None,
                mono: false,
                strong: true,
            });
            for f in &p.fixes {
                let (tag, color) = match &f.decision {
                    Decision::Run => {
                        a += 1;
                        let tag = if dry_run { "would run" } else { "will run" };
                        (tag.to_string(), GOOD)
                    }
                    Decision::NeedsApproval => {
                        b += 1;
                        ("needs approval".into(), WARN)
                    }
                    Decision::AdviceOnly => {
                        c += 1;
                        ("advice only".into(), Color32::GRAY)
                    }
                    Decision::Refused(why) => (format!("not possible: {why}"), Color32::GRAY),
                };
                let text = if matches!(f.decision, Decision::AdviceOnly) {
                    format!("   class {} · advice: {}", f.class, f.fix.description)
                } else {
                    let action = f.action.describe();
                    format!(
                        "   class {} · {} — {tag}: {action}",
                        f.class,
                        f.action.name()
                    )
                };
                self.line(text, Some(color), false);
                if let Some(t) = &f.target {
                    self.line(format!("      where: {t}"), None, false);
                }
                for w in &f.warnings {
                    self.line(format!("      ⚠ {w}"), Some(WARN), false);
                }
            }
        }
        self.line(
            format!("{a} safe fix(es), {b} waiting for approval, {c} advice only"),
            None,
            false,
        );
        if dry_run || !ask {
            return;
        }
        for p in plans {
            for f in p
                .fixes
                .iter()
                .filter(|f| f.decision == Decision::NeedsApproval)
            {
                self.approvals.push(Approval {
                    issue: p.issue.clone(),
                    what: f.action.describe(),
                    target: f.target.clone(),
                    warnings: f.warnings.clone(),
                    approved: false,
                });
            }
        }
    }

    pub(super) fn on_step(&mut self, step: Step) {
        match step {
            Step::Start {
                attempt,
                action,
                command,
                ..
            } => self.line(
                format!("▶ attempt {attempt}: {action} — {command}"),
                None,
                false,
            ),
            Step::Output { line, .. } => self.line(line, None, true),
            Step::Finished { output, backup, .. } => {
                if let Some(b) = backup {
                    self.line(
                        format!("   backup {b} (restore: healdeck fix --restore {b})"),
                        None,
                        false,
                    );
                }
                // The action's own lines arrived live; one that could not start says why here.
                let tail = output.output_tail.trim();
                if output.exit.is_none() && !output.timed_out && !tail.is_empty() {
                    self.line(tail.to_string(), None, true);
                }
                let status = if output.timed_out {
                    "timed out".to_string()
                } else {
                    output
                        .exit
                        .map_or("did not start".into(), |c| format!("exit {c}"))
                };
                let color = if output.success() { GOOD } else { BAD };
                self.line(format!("   {status}"), Some(color), false);
            }
            Step::Verified { ok, detail, .. } => self.line(
                format!("   {} verify: {detail}", if ok { "✔" } else { "❌" }),
                Some(if ok { GOOD } else { BAD }),
                false,
            ),
            Step::Unfixable { attempts, .. } => self.line(
                format!("❌ unfixable after {attempts} attempt(s)"),
                Some(BAD),
                false,
            ),
            Step::LimitReached { limit, .. } => self.line(
                format!("… the limit of {limit} action(s) per run is reached; run again later"),
                None,
                false,
            ),
        }
    }

    /// The session ended: its error, or how many issues it fixed.
    pub(super) fn on_done(
        &mut self,
        sh: &mut Shared,
        outcomes: &[(String, Outcome)],
        error: Option<String>,
    ) {
        self.running = false;
        if let Some(e) = error {
            self.line(format!("⚠ {e}"), Some(BAD), false);
        }
        if !outcomes.is_empty() {
            let fixed = outcomes
                .iter()
                .filter(|(_, o)| matches!(o, Outcome::Fixed { .. }))
                .count();
            let msg = format!("Auto-Fix finished: {fixed} of {} fixed", outcomes.len());
            self.line(msg.clone(), None, false);
            sh.toasts.add(ToastKind::Success, msg);
        }
    }

    /// Draws the approval dialog (when class B fixes wait) and the log window. Returns the
    /// issues whose fixes the person approved, to run now.
    pub(super) fn window(&mut self, ctx: &egui::Context) -> Option<Vec<Issue>> {
        let approved = self.approval_dialog(ctx);
        if self.open {
            self.log_window(ctx);
        }
        approved
    }

    fn approval_dialog(&mut self, ctx: &egui::Context) -> Option<Vec<Issue>> {
        if self.approvals.is_empty() || self.running {
            return None;
        }
        let modal = egui::Modal::new(egui::Id::unique("approve_fixes")).show(ctx, |ui| {
            ui.set_max_width(560.0);
            ui.heading("Approve these fixes?");
            ui.label(
                "They change more than a package or a cache (class B). Each runs only \
                 if you tick it; everything is audited and backed up first.",
            );
            ui.add_space(6.0);
            for a in &mut self.approvals {
                ui.checkbox(
                    &mut a.approved,
                    format!("{}\n    {}", a.issue.title, a.what),
                );
                if let Some(t) = &a.target {
                    ui.label(RichText::new(format!("      where: {t}")).weak());
                }
                for w in &a.warnings {
                    ui.label(RichText::new(format!("      ⚠ {w}")).color(WARN));
                }
            }
            ui.add_space(8.0);
            let mut close = None;
            ui.horizontal(|ui| {
                if ui.button("Run approved").clicked() {
                    close = Some(true);
                }
                if ui.button("Not now").clicked() {
                    close = Some(false);
                }
            });
            close
        });
        match modal.inner? {
            true => {
                let mut issues: Vec<Issue> = Vec::new();
                for a in std::mem::take(&mut self.approvals) {
                    if a.approved && !issues.iter().any(|i| i.fingerprint == a.issue.fingerprint) {
                        issues.push(a.issue);
                    }
                }
                if issues.is_empty() {
                    return None;
                }
                self.running = true;
                self.line("Running the approved fixes…".into(), None, false);
                Some(issues)
            }
            false => {
                self.approvals.clear();
                self.line("Class B fixes skipped.".into(), None, false);
                None
            }
        }
    }

    fn log_window(&mut self, ctx: &egui::Context) {
        let mut open = self.open;
        egui::Window::new("Auto-Fix (Safe Only)")
            .open(&mut open)
            .pivot(egui::Align2::CENTER_CENTER)
            .default_pos(ctx.content_rect().center())
            .default_size([640.0, 380.0])
            .resizable(true)
            .show(ctx, |ui| {
                if self.running {
                    ui.horizontal(|ui| {
                        ui.spinner();
                        ui.label("working…");
                    });
                }
                egui::ScrollArea::vertical()
                    .stick_to_bottom(true)
                    .auto_shrink(false)
                    .show(ui, |ui| {
                        for l in &self.lines {
                            let mut t = RichText::new(&l.text);
                            if l.mono {
                                t = t.monospace().size(12.0);
                            }
                            if let Some(c) = l.color {
                                t = t.color(c);
                            }
                            if l.strong {
                                t = t.strong();
                                ui.add_space(4.0);
                            }
                            ui.add(egui::Label::new(t).wrap());
                        }
                    });
            });
        self.open = open;
    }
}

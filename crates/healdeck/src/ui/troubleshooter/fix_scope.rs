//! What a fix acts on, and what the window says about it. Auto-Fix acts on the selected issue
//! only; "Fix all safe issues…" first lists exactly what would run unattended, where, and
//! asks once. The details pane shows each fix as the fixer will treat it — the plan is the one
//! source of truth for class, decision and target — and issues fixed before carry their
//! record: when, verified how, and "recurred" when the failure came back.

use super::super::events::TroubleEvent;
use super::super::shared::Shared;
use super::super::widgets::{GOOD, WARN};
use super::TroubleTab;
use egui::{Color32, RichText};
use healdeck_config::clock::iso_of_unix;
use healdeck_engine::Issue;
use healdeck_engine::fix::audit::{AuditLog, FixRecord};
use healdeck_engine::fix::{Decision, FixRequest, IssuePlan, session};
use healdeck_engine::group::Fix;
use healdeck_engine::prompt;
use healdeck_engine::redact::redact;
use std::collections::HashMap;

/// The plans and fix records the window shows.
#[derive(Default)]
pub(super) struct FixScope {
    /// By fingerprint: the plan of the issue as it was (count), or `None` while it is made.
    previews: HashMap<String, Preview>,
    /// By fingerprint: fixes that verified, from the audit log.
    pub(super) fixed: HashMap<String, Vec<FixRecord>>,
    /// "Fix all safe issues…": the plan waiting for a yes.
    confirm_all: Option<Vec<IssuePlan>>,
    pub(super) planning_all: bool,
}

/// The plan of an issue as it was (its count then), `None` while it is made, and when it
/// was asked for.
struct Preview {
    count: u64,
    plans: Option<Result<Vec<IssuePlan>, String>>,
    asked: std::time::Instant,
}

/// A plan is made again for an issue that keeps recurring at most this often.
const REPLAN_EVERY: std::time::Duration = std::time::Duration::from_secs(2);

/// An issue's state after fixes: fixed (and how), or fixed but back.
pub(super) enum Resolution<'r> {
    Fixed(&'r FixRecord),
    Recurred(&'r FixRecord),
}

impl FixScope {
    /// Forgets plans (settings, fixes or the feed changed); they are made again when shown.
    pub(super) fn invalidate(&mut self) {
        self.previews.clear();
    }

    pub(super) fn resolution<'r>(&'r self, issue: &Issue) -> Option<Resolution<'r>> {
        let record = FixRecord::for_source(self.fixed.get(&issue.fingerprint)?, &issue.latest)?;
        Some(if record.recurred(&issue.latest) {
            Resolution::Recurred(record)
        } else {
            Resolution::Fixed(record)
        })
    }

    /// Whether an issue is fixed and has not come back ("Hide resolved").
    pub(super) fn is_resolved(&self, issue: &Issue) -> bool {
        matches!(self.resolution(issue), Some(Resolution::Fixed(_)))
    }

    pub(super) fn on_preview(
        &mut self,
        fingerprint: String,
        count: u64,
        plans: Result<Vec<IssuePlan>, String>,
    ) {
        if let Some(p) = self.previews.get_mut(&fingerprint)
            && p.count == count
        {
            p.plans = Some(plans);
        }
    }

    pub(super) fn on_all_planned(&mut self, plans: Vec<IssuePlan>) {
        self.planning_all = false;
        self.confirm_all = Some(plans);
    }
}

impl TroubleTab {
    /// The selected issue's plan, made off the UI thread when first asked for (`None` until
    /// it is ready).
    pub(super) fn preview(
        &mut self,
        sh: &Shared,
        issue: &Issue,
    ) -> Option<Result<&[IssuePlan], &str>> {
        let fp = &issue.fingerprint;
        let stale = self
            .scope
            .previews
            .get(fp)
            .is_none_or(|p| p.count != issue.count && p.asked.elapsed() >= REPLAN_EVERY);
        if stale {
            // The plan shown so far stays until the new one is ready.
            let old = self.scope.previews.remove(fp).and_then(|p| p.plans);
            let preview = Preview {
                count: issue.count,
                plans: old,
                asked: std::time::Instant::now(),
            };
            self.scope.previews.insert(fp.clone(), preview);
            if let Some(engine) = self.engine.clone() {
                let request = FixRequest {
                    issues: vec![issue.clone()],
                    log_paths: sh.settings.log_paths.clone(),
                    dry_run: true,
                    ..FixRequest::default()
                };
                let dirs = sh.dirs.dirs.clone();
                let (fingerprint, count) = (fp.clone(), issue.count);
                sh.bg.blocking(move |r| {
                    let has_fixes = request.issues.iter().any(|i| !i.fixes.is_empty());
                    let plans = if has_fixes {
                        session(&engine, &dirs, &request, |_| {})
                            .map(|s| s.plans)
                            .map_err(|e| e.to_string())
                    } else {
                        Ok(Vec::new())
                    };
                    // Warm the environment probes Copy Prompt will ask for.
                    if let Some(issue) = request.issues.first() {
                        let _warmed = prompt::for_issue(issue, Some(&dirs), None, None);
                    }
                    r.send(TroubleEvent::Preview {
                        fingerprint,
                        count,
                        plans,
                    });
                });
            }
        }
        let shown = self.scope.previews.get(fp)?;
        if shown.count != issue.count {
            // Recurred since its plan was made: look again once the throttle allows.
            sh.egui_ctx.request_repaint_after(REPLAN_EVERY);
        }
        shown
            .plans
            .as_ref()
            .map(|r| r.as_ref().map(Vec::as_slice).map_err(String::as_str))
    }

    /// Reads which issues were fixed, off the UI thread.
    pub(super) fn load_fixed(&self, sh: &Shared) {
        let data = sh.dirs.dirs.data.clone();
        sh.bg.blocking(move |r| {
            r.send(TroubleEvent::Fixed(AuditLog::in_dir(&data).fixed()));
        });
    }

    /// "Fix all safe issues…": plans every issue with fixes as a dry run; the person then sees
    /// the list and says yes once.
    pub fn fix_all(&mut self, sh: &Shared) {
        if self.fix.running() || self.scope.planning_all {
            return;
        }
        let Some(engine) = self.engine.clone() else {
            return;
        };
        self.scope.planning_all = true;
        let request = FixRequest {
            issues: self.issues_with_fixes(),
            log_paths: sh.settings.log_paths.clone(),
            dry_run: true,
            ..FixRequest::default()
        };
        let dirs = sh.dirs.dirs.clone();
        sh.bg.blocking(move |r| {
            let plans = session(&engine, &dirs, &request, |_| {})
                .map(|s| s.plans)
                .map_err(|e| e.to_string());
            r.send(TroubleEvent::AllPlanned(plans));
        });
    }

    pub(super) fn issues_with_fixes(&self) -> Vec<Issue> {
        self.feed
            .all()
            .iter()
            .filter(|i| !i.fixes.is_empty())
            .map(|i| (**i).clone())
            .collect()
    }

    /// The "Fix all safe issues" confirmation; runs the listed fixes on a yes.
    pub(super) fn confirm_all_ui(&mut self, ctx: &egui::Context, sh: &Shared) {
        let Some(plans) = &self.scope.confirm_all else {
            return;
        };
        let runnable: Vec<&IssuePlan> = plans
            .iter()
            .filter(|p| p.fixes.iter().any(|f| f.decision == Decision::Run))
            .collect();
        let modal = egui::Modal::new(egui::Id::unique("fix_all")).show(ctx, |ui| {
            ui.set_max_width(640.0);
            ui.heading("Fix all safe issues?");
            if runnable.is_empty() {
                ui.label("No issue has a fix that may run unattended.");
            } else {
                let n = runnable.len();
                ui.label(if n == 1 {
                    "This fix will run, backed up, audited and verified:".to_string()
                } else {
                    format!("These {n} fixes will run, each backed up, audited and verified:")
                });
            }
            egui::ScrollArea::vertical()
                .max_height(320.0)
                .show(ui, |ui| {
                    for p in &runnable {
                        for f in p.fixes.iter().filter(|f| f.decision == Decision::Run) {
                            ui.label(RichText::new(&p.issue.title).strong());
                            ui.label(RichText::new(f.action.describe()).monospace());
                            if let Some(t) = &f.target {
                                ui.label(RichText::new(format!("where: {t}")).weak());
                            }
                            ui.add_space(4.0);
                        }
                    }
                });
            let mut answer = None;
            ui.horizontal(|ui| {
                if !runnable.is_empty()
                    && ui
                        .button(match runnable.len() {
                            1 => "Run 1 fix".to_string(),
                            n => format!("Run {n} fixes"),
                        })
                        .clicked()
                {
                    answer = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(false);
                }
            });
            answer
        });
        let Some(yes) = modal.inner else {
            return;
        };
        let issues: Vec<Issue> = runnable.iter().map(|p| p.issue.clone()).collect();
        self.scope.confirm_all = None;
        if yes {
            self.fix.begin();
            self.start_fix(sh, Vec::new(), issues, false, false);
        }
    }
}

/// The details pane's fix list: each rule fix as the plan treats it.
pub(super) fn planned_fixes_ui(
    ui: &mut egui::Ui,
    issue: &Issue,
    plans: Option<Result<&[IssuePlan], &str>>,
) {
    ui.label(RichText::new("Recommended fixes").strong());
    if issue.fixes.is_empty() {
        ui.label(RichText::new("none known").weak());
        return;
    }
    let plans = match plans {
        Some(Ok(plans)) => plans,
        waiting_or_failed => {
            for f in &issue.fixes {
                ui.horizontal_wrapped(|ui| {
                    if waiting_or_failed.is_none() {
                        ui.spinner();
                    }
                    ui.add(egui::Label::new(&f.description).wrap());
                });
            }
            if let Some(Err(e)) = waiting_or_failed {
                ui.label(RichText::new(format!("⚠ no plan: {e}")).color(WARN));
            }
            return;
        }
    };
    // The plan's order: fixes that worked here before come first (`fix::learn`).
    let order: Vec<&Fix> = match plans.first() {
        Some(p) => p.fixes.iter().map(|pf| &pf.fix).collect(),
        None => issue.fixes.iter().collect(),
    };
    for (i, f) in order.into_iter().enumerate() {
        let planned: Vec<_> = plans.iter().filter_map(|p| p.fixes.get(i)).collect();
        ui.horizontal_wrapped(|ui| {
            if let Some(pf) = planned.first() {
                let (color, what) = match &pf.decision {
                    Decision::Run => (GOOD, "runs unattended".to_string()),
                    Decision::NeedsApproval => (WARN, "asks first".to_string()),
                    Decision::AdviceOnly => (Color32::GRAY, "advice".to_string()),
                    Decision::Refused(why) => (Color32::GRAY, format!("not possible: {why}")),
                };
                ui.label(
                    RichText::new(format!("class {}", pf.class))
                        .color(color)
                        .strong(),
                )
                .on_hover_text(&what);
                ui.label(format!("{:.0}%", f.confidence * 100.0))
                    .on_hover_text("confidence");
                ui.add(egui::Label::new(&f.description).wrap());
            }
        });
        if let Some(l) = f.learned {
            ui.label(
                RichText::new(format!(
                    "    fixed it {} of {} time(s) for this rule (the rule says {:.0}%)",
                    l.fixed,
                    l.attempts,
                    l.rule_confidence * 100.0
                ))
                .weak(),
            );
        }
        for pf in &planned {
            if let Some(t) = &pf.target {
                ui.label(RichText::new(format!("    where: {}", redact(t).text)).weak());
            }
            if let Decision::Refused(why) = &pf.decision {
                ui.label(RichText::new(format!("    {why}")).weak());
            }
            for w in &pf.warnings {
                ui.label(RichText::new(format!("    ⚠ {w}")).color(WARN));
            }
        }
    }
}

/// "✔ fixed at … · verified: …" or "⚠ recurred after the fix at …".
pub(super) fn resolution_ui(ui: &mut egui::Ui, resolution: Option<Resolution<'_>>) {
    match resolution {
        Some(Resolution::Fixed(r)) => {
            ui.label(
                RichText::new(format!(
                    "✔ fixed at {} · verified: {}",
                    iso_of_unix(r.fixed_at as i64),
                    r.verified
                ))
                .color(GOOD),
            );
        }
        Some(Resolution::Recurred(r)) => {
            ui.label(
                RichText::new(format!(
                    "⚠ recurred after the fix at {}",
                    iso_of_unix(r.fixed_at as i64)
                ))
                .color(WARN),
            );
        }
        None => {}
    }
}

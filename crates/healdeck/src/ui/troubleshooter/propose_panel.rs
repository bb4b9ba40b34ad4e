//! "📝 Propose fix" in the details pane: the model is asked for a patch, each patch is tried in
//! a throwaway git worktree against the project's own check (fixer.json: project), up to 3
//! attempts, each shown as it ends; a passing patch is shown as a diff with "Apply patch" —
//! the person's decision (class C): a backup ref first, then `git apply`, audited.

use super::super::events::{ProposeJob, ProposeUpdate, TroubleEvent};
use super::super::shared::Shared;
use super::super::widgets::{GOOD, ToastKind, WARN};
use super::ai_panel::consent_ui;
use egui::RichText;
use healdeck_config::SettingsFile;
use healdeck_engine::Issue;
use healdeck_engine::ai::consent::Purpose;
use healdeck_engine::ai::patch::{
    PatchAttempt, PatchOutcome, ProposeEvent, apply_patch, first_prompt, propose,
};
use healdeck_engine::ai::{self, consent};
use healdeck_engine::fix::{FixerConfig, ProjectCheck};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[derive(Default)]
pub(super) struct ProposePanel {
    run: Option<Run>,
    /// A job waiting for the person's yes (a provider off this machine).
    confirm: Option<(u64, Box<ProposeJob>)>,
    serial: u64,
}

struct Run {
    serial: u64,
    issue: Issue,
    project: Option<ProjectCheck>,
    provider: String,
    asking: Option<u32>,
    streaming: String,
    attempts: Vec<PatchAttempt>,
    finished: bool,
    passing: Option<String>,
    cancel: Arc<AtomicBool>,
    /// The backup ref once applied; `Some(Err)` when applying failed.
    applied: Option<Result<String, String>>,
}

impl ProposePanel {
    fn start(&mut self, sh: &Shared, issue: &Issue) {
        self.serial += 1;
        let serial = self.serial;
        self.run = Some(Run {
            serial,
            issue: issue.clone(),
            project: None,
            provider: String::new(),
            asking: None,
            streaming: String::new(),
            attempts: Vec::new(),
            finished: false,
            passing: None,
            cancel: Arc::new(AtomicBool::new(false)),
            applied: None,
        });
        let dirs = sh.dirs.dirs.clone();
        let issue = issue.clone();
        sh.bg.blocking(move |r| {
            let prepared = || -> Result<(bool, ProposeJob), String> {
                let project = FixerConfig::load_or_default(&dirs)
                    .map_err(|e| e.to_string())?
                    .project
                    .ok_or_else(|| {
                        format!(
                            "no project to verify patches with: set \"project\" (dir, check) in {}",
                            FixerConfig::path(&dirs).display()
                        )
                    })?;
                let nvidia = healdeck_gpu::nvidia_present();
                let (config, provider) = ai::provider(&dirs, nvidia).map_err(|e| e.to_string())?;
                // Exactly what the first request sends: the prompt and the project's files.
                let prompt = first_prompt(&issue, &dirs, &project)?;
                let needs = !consent::given(dirs.data(), &provider, Purpose::Patch);
                Ok((
                    needs,
                    ProposeJob {
                        issue,
                        config,
                        provider,
                        project,
                        prompt,
                    },
                ))
            };
            r.send(TroubleEvent::Propose(
                serial,
                match prepared() {
                    Ok((needs_consent, job)) => ProposeUpdate::Ready(needs_consent, Box::new(job)),
                    Err(e) => ProposeUpdate::Failed(e),
                },
            ));
        });
    }

    fn launch(&mut self, sh: &Shared, serial: u64, job: ProposeJob) {
        let Some(run) = self.run.as_mut().filter(|r| r.serial == serial) else {
            return;
        };
        run.provider = job.provider.label();
        run.project = Some(job.project.clone());
        let cancel = Arc::clone(&run.cancel);
        let dirs = sh.dirs.dirs.clone();
        sh.bg.blocking(move |r| {
            let send = |u| r.send(TroubleEvent::Propose(serial, u));
            let done = propose(
                &job.issue,
                &dirs,
                (&job.config, &job.provider),
                &job.project,
                &cancel,
                |event| {
                    send(match event {
                        ProposeEvent::Asking(n) => ProposeUpdate::Asking(n),
                        ProposeEvent::Text(t) => ProposeUpdate::Text(t),
                        ProposeEvent::Tried(a) => ProposeUpdate::Tried(a),
                    });
                },
            );
            send(ProposeUpdate::Done(done.map(|p| p.passing)));
        });
    }

    fn apply(&mut self, sh: &Shared) {
        let Some(run) = &self.run else { return };
        let (Some(project), Some(diff)) = (run.project.clone(), run.passing.clone()) else {
            return;
        };
        let (serial, issue, dirs) = (run.serial, run.issue.clone(), sh.dirs.dirs.clone());
        sh.bg.blocking(move |r| {
            let applied = apply_patch(&dirs, &project, &issue, &diff);
            r.send(TroubleEvent::Propose(
                serial,
                ProposeUpdate::Applied(applied),
            ));
        });
    }

    pub(super) fn on_update(&mut self, sh: &mut Shared, serial: u64, update: ProposeUpdate) {
        let Some(run) = self.run.as_mut().filter(|r| r.serial == serial) else {
            return;
        };
        match update {
            ProposeUpdate::Ready(true, job) => self.confirm = Some((serial, job)),
            ProposeUpdate::Ready(false, job) => self.launch(sh, serial, *job),
            ProposeUpdate::Failed(e) => {
                self.run = None;
                sh.toasts.add(ToastKind::Error, format!("Propose fix: {e}"));
            }
            ProposeUpdate::Asking(n) => {
                run.asking = Some(n);
                run.streaming.clear();
            }
            ProposeUpdate::Text(t) => run.streaming.push_str(&t),
            ProposeUpdate::Tried(a) => run.attempts.push(a),
            ProposeUpdate::Done(result) => {
                run.finished = true;
                run.asking = None;
                match result {
                    Ok(passing) => run.passing = passing,
                    Err(e) => sh.toasts.add(ToastKind::Error, format!("Propose fix: {e}")),
                }
            }
            ProposeUpdate::Applied(result) => {
                match &result {
                    Ok(backup) => sh.toasts.add(
                        ToastKind::Success,
                        format!("Patch applied; the tree before it is kept as {backup}"),
                    ),
                    Err(e) => sh.toasts.add(ToastKind::Error, format!("Not applied: {e}")),
                }
                run.applied = Some(result);
            }
        }
    }

    /// The section in the details pane.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, sh: &Shared, issue: &Issue) {
        let busy = self.run.as_ref().is_some_and(|r| !r.finished);
        ui.horizontal(|ui| {
            ui.label(RichText::new("Patch").strong());
            let ask = ui
                .add_enabled(!busy, egui::Button::new("📝 Propose fix"))
                .on_hover_text(
                    "Ask the model for a patch and verify it with the project's own check in a \
                     throwaway git worktree (fixer.json: project); up to 3 attempts",
                );
            if ask.clicked() {
                self.start(sh, issue);
            }
        });
        let mut apply = false;
        if let Some(run) = self
            .run
            .as_ref()
            .filter(|r| r.issue.fingerprint == issue.fingerprint)
        {
            apply = run_ui(ui, run);
        }
        if apply {
            self.apply(sh);
        }
    }

    pub(super) fn confirm_ui(&mut self, ctx: &egui::Context, sh: &mut Shared) {
        let Some((_, job)) = &self.confirm else {
            return;
        };
        match consent_ui(ctx, &job.provider, &job.prompt) {
            Some(true) => {
                if let Some((serial, job)) = self.confirm.take() {
                    if let Err(e) =
                        consent::give(sh.dirs.dirs.data(), &job.provider, Purpose::Patch)
                    {
                        sh.toasts
                            .add(ToastKind::Error, format!("consent not kept: {e}"));
                    }
                    self.launch(sh, serial, *job);
                }
            }
            Some(false) => {
                self.confirm = None;
                self.run = None;
                sh.toasts.add(ToastKind::Info, "Nothing was sent");
            }
            None => {}
        }
    }
}

/// The attempts so far, the one under way, and the passing diff; true when "Apply" was
/// clicked.
fn run_ui(ui: &mut egui::Ui, run: &Run) -> bool {
    for a in &run.attempts {
        let (ok, what) = match &a.outcome {
            PatchOutcome::NoDiff(why) => (false, format!("no patch in the answer ({why})")),
            PatchOutcome::Refused(why) => (false, format!("refused: {why}")),
            PatchOutcome::DoesNotApply(why) => (false, format!("does not apply: {why}")),
            PatchOutcome::CheckFailed(_) => (false, "the check failed".into()),
            PatchOutcome::CheckPassed(_) => (true, "the check passes".into()),
        };
        let text = format!(
            "{} attempt {}: {what}",
            if ok { "✔" } else { "✘" },
            a.attempt
        );
        let color = if ok { GOOD } else { WARN };
        ui.collapsing(RichText::new(text).color(color), |ui| {
            if let Some(d) = &a.diff {
                code_ui(ui, d);
            }
            if let PatchOutcome::CheckFailed(out) | PatchOutcome::CheckPassed(out) = &a.outcome {
                ui.label(RichText::new("check output").weak());
                code_ui(ui, out);
            }
        });
    }
    if let Some(n) = run.asking {
        ui.horizontal(|ui| {
            ui.spinner();
            if ui.button("Cancel").clicked() {
                run.cancel.store(true, Ordering::Relaxed);
            }
            ui.add(
                egui::Label::new(
                    RichText::new(format!("attempt {n}: {} is writing a patch…", run.provider))
                        .weak(),
                )
                .truncate(),
            );
        });
        // What the model has written so far, its last lines (the diff is tried when it ends).
        if !run.streaming.is_empty() {
            let shown: Vec<&str> = run.streaming.lines().rev().take(8).collect();
            let tail: Vec<&str> = shown.into_iter().rev().collect();
            ui.add(
                egui::Label::new(RichText::new(tail.join("\n")).monospace().size(11.0).weak())
                    .wrap(),
            );
        }
        ui.ctx()
            .request_repaint_after(std::time::Duration::from_millis(250));
    } else if !run.finished {
        ui.horizontal(|ui| {
            ui.spinner();
            ui.label(RichText::new("preparing…").weak());
        });
    }
    if !run.finished {
        return false;
    }
    let Some(diff) = &run.passing else {
        if !run.attempts.is_empty() {
            ui.label(
                RichText::new("No patch passed the check: the issue is marked unfixable.")
                    .color(WARN),
            );
        }
        return false;
    };
    ui.label(RichText::new("A patch passes the project's check:").color(GOOD));
    code_ui(ui, diff);
    match &run.applied {
        Some(Ok(backup)) => {
            ui.label(RichText::new(format!("✔ applied; backup {backup}")).color(GOOD));
            false
        }
        _ => ui
            .button("Apply patch (class C: backup first)")
            .on_hover_text("Keep the working tree as a git ref, then git apply this diff")
            .clicked(),
    }
}

fn code_ui(ui: &mut egui::Ui, text: &str) {
    egui::Frame::group(ui.style())
        .fill(ui.visuals().extreme_bg_color)
        .show(ui, |ui| {
            ui.set_min_width(ui.available_width());
            ui.add(
                egui::Label::new(RichText::new(text.trim_end()).monospace().size(12.0))
                    .wrap()
                    .selectable(true),
            );
        });
}

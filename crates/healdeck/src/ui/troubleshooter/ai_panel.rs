//! "💬 Explain with AI" in the details pane: the provider `ai.json` names is asked about the
//! selected issue off the UI thread, the answer streams in and can be cancelled; before the
//! first call to a provider off this machine a dialog shows exactly what would be sent and
//! what was redacted. Earlier answers for the issue are listed under it. An answer is advice
//! to read: nothing in it is run.

use super::super::events::{AiUpdate, TroubleEvent};
use super::super::shared::Shared;
use super::super::widgets::{ToastKind, WARN};
use egui::RichText;
use healdeck_engine::Issue;
use healdeck_engine::ai::consent::Purpose;
use healdeck_engine::ai::{self, AiConfig, AnswerLog, Provider, StoredAnswer, consent};
use healdeck_engine::prompt::Prompt;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// The panel's state: at most one question at a time.
#[derive(Default)]
pub(super) struct AiPanel {
    /// The question being asked, if any.
    asking: Option<Asking>,
    /// Waiting for the person's yes before the first call to a provider off this machine.
    confirm: Option<Confirm>,
    /// Stored answers per issue, oldest first.
    stored: HashMap<String, Vec<StoredAnswer>>,
    /// Each question gets a number; news about an older one is dropped.
    serial: u64,
}

struct Asking {
    serial: u64,
    fingerprint: String,
    provider: String,
    text: String,
    cancel: Arc<AtomicBool>,
    /// Still preparing (choosing the provider, building the prompt).
    preparing: bool,
}

struct Confirm {
    serial: u64,
    issue: Box<Issue>,
    config: Box<AiConfig>,
    provider: Box<Provider>,
    prompt: Prompt,
}

impl AiPanel {
    /// Starts a question about `issue`: the provider and prompt are worked out off the UI
    /// thread; the stream starts at once, or after the consent dialog.
    fn ask(&mut self, sh: &Shared, issue: &Issue) {
        if self.asking.is_some() {
            return;
        }
        self.serial += 1;
        let serial = self.serial;
        self.asking = Some(Asking {
            serial,
            fingerprint: issue.fingerprint.clone(),
            provider: String::new(),
            text: String::new(),
            cancel: Arc::new(AtomicBool::new(false)),
            preparing: true,
        });
        let dirs = sh.dirs.dirs.clone();
        let issue = issue.clone();
        sh.bg.blocking(move |r| {
            let nvidia = healdeck_gpu::nvidia_present();
            let update = match ai::provider(&dirs, nvidia) {
                Err(e) => AiUpdate::Failed(e.to_string()),
                Ok((config, provider)) => match ai::preview(&issue, &dirs, None) {
                    Err(e) => AiUpdate::Failed(e.to_string()),
                    Ok(prompt) => AiUpdate::Ready {
                        needs_consent: !consent::given(dirs.data(), &provider, Purpose::Explain),
                        issue: Box::new(issue),
                        config: Box::new(config),
                        provider: Box::new(provider),
                        prompt,
                    },
                },
            };
            r.send(TroubleEvent::Ai(serial, update));
        });
    }

    /// Streams the answer (consent given or not needed).
    fn stream(&mut self, sh: &Shared, serial: u64, c: Confirm) {
        let Some(asking) = self.asking.as_mut().filter(|a| a.serial == serial) else {
            return;
        };
        asking.preparing = false;
        asking.provider = c.provider.label();
        let cancel = Arc::clone(&asking.cancel);
        let dirs = sh.dirs.dirs.clone();
        sh.bg.blocking(move |r| {
            let done = ai::explain(
                &c.issue,
                &dirs,
                (&c.config, &c.provider),
                None,
                &cancel,
                |text| r.send(TroubleEvent::Ai(serial, AiUpdate::Text(text.to_string()))),
            );
            let update = match done {
                Ok(e) => AiUpdate::Done(e.answer.error.map(|e| e.to_string())),
                Err(e) => AiUpdate::Done(Some(e.to_string())),
            };
            r.send(TroubleEvent::Ai(serial, update));
            let stored = AnswerLog::in_dir(dirs.data()).for_issue(&c.issue.fingerprint);
            r.send(TroubleEvent::Ai(
                serial,
                AiUpdate::Stored(c.issue.fingerprint.clone(), stored),
            ));
        });
    }

    /// News from the AI workers.
    pub(super) fn on_update(&mut self, sh: &mut Shared, serial: u64, update: AiUpdate) {
        if let AiUpdate::Stored(fp, answers) = update {
            self.stored.insert(fp, answers);
            return;
        }
        if self.asking.as_ref().is_none_or(|a| a.serial != serial) {
            return;
        }
        match update {
            AiUpdate::Ready {
                needs_consent,
                issue,
                config,
                provider,
                prompt,
            } => {
                let c = Confirm {
                    serial,
                    issue,
                    config,
                    provider,
                    prompt,
                };
                if needs_consent {
                    self.confirm = Some(c);
                } else {
                    self.stream(sh, serial, c);
                }
            }
            AiUpdate::Failed(e) => {
                self.asking = None;
                sh.toasts
                    .add(ToastKind::Error, format!("Explain with AI: {e}"));
            }
            AiUpdate::Text(t) => {
                if let Some(a) = &mut self.asking {
                    a.text.push_str(&t);
                }
            }
            AiUpdate::Done(error) => {
                if let Some(a) = self.asking.take()
                    && let Some(e) = error
                {
                    let kept = if a.text.is_empty() {
                        ""
                    } else {
                        " (what came is kept)"
                    };
                    sh.toasts
                        .add(ToastKind::Error, format!("AI answer incomplete: {e}{kept}"));
                }
            }
            AiUpdate::Stored(..) => {}
        }
    }

    /// Loads the stored answers of `fingerprint` once.
    pub(super) fn load_answers(&mut self, sh: &Shared, fingerprint: &str) {
        if self.stored.contains_key(fingerprint) {
            return;
        }
        self.stored.insert(fingerprint.to_string(), Vec::new());
        let data = sh.dirs.dirs.data.clone();
        let fp = fingerprint.to_string();
        sh.bg.blocking(move |r| {
            let answers = AnswerLog::in_dir(&data).for_issue(&fp);
            r.send(TroubleEvent::Ai(0, AiUpdate::Stored(fp, answers)));
        });
    }

    /// The section in the details pane: the button, the answer streaming, earlier answers.
    pub(super) fn ui(&mut self, ui: &mut egui::Ui, sh: &Shared, issue: &Issue) {
        ui.horizontal(|ui| {
            ui.label(RichText::new("AI analysis").strong());
            let busy = self.asking.is_some();
            let ask = ui
                .add_enabled(!busy, egui::Button::new("💬 Explain with AI"))
                .on_hover_text(
                    "Send this issue's repair prompt (secrets redacted) to the model ai.json \
                     names, and show its answer here",
                );
            if ask.clicked() {
                self.ask(sh, issue);
            }
        });
        let live = self
            .asking
            .as_ref()
            .filter(|a| a.fingerprint == issue.fingerprint);
        if let Some(a) = live {
            ui.horizontal(|ui| {
                ui.spinner();
                let what = if a.preparing {
                    "preparing the prompt…".to_string()
                } else {
                    format!("{} is answering…", a.provider)
                };
                if ui.button("Cancel").clicked() {
                    a.cancel.store(true, Ordering::Relaxed);
                }
                ui.add(egui::Label::new(RichText::new(what).weak()).truncate());
            });
            if !a.text.is_empty() {
                answer_ui(ui, &a.text);
            }
            ui.ctx()
                .request_repaint_after(std::time::Duration::from_millis(250));
        } else if let Some(last) = self.stored.get(&issue.fingerprint).and_then(|v| v.last()) {
            let when = healdeck_config::clock::iso_of_unix(last.time as i64);
            let status = match (&last.error, last.complete) {
                (Some(e), _) => format!(" · incomplete: {e}"),
                (None, false) => " · cut at the size limit".into(),
                (None, true) => String::new(),
            };
            ui.label(
                RichText::new(format!("{} {} · {when}{status}", last.provider, last.model))
                    .weak()
                    .small(),
            );
            answer_ui(ui, &last.answer);
        } else {
            ui.label(RichText::new("not asked yet").weak());
        }
    }

    /// The consent dialog, when one is waiting.
    pub(super) fn confirm_ui(&mut self, ctx: &egui::Context, sh: &mut Shared) {
        let Some(c) = &self.confirm else {
            return;
        };
        let answer = consent_ui(ctx, &c.provider, &c.prompt);
        match answer {
            Some(true) => {
                if let Some(c) = self.confirm.take() {
                    if let Err(e) =
                        consent::give(sh.dirs.dirs.data(), &c.provider, Purpose::Explain)
                    {
                        sh.toasts
                            .add(ToastKind::Error, format!("consent not kept: {e}"));
                    }
                    self.stream(sh, c.serial, c);
                }
            }
            Some(false) => {
                self.confirm = None;
                self.asking = None;
                sh.toasts.add(ToastKind::Info, "Nothing was sent");
            }
            None => {}
        }
    }
}

/// An answer: selectable text in a frame, marked as advice.
fn answer_ui(ui: &mut egui::Ui, text: &str) {
    egui::Frame::group(ui.style()).show(ui, |ui| {
        ui.set_min_width(ui.available_width());
        ui.add(egui::Label::new(text).wrap().selectable(true));
    });
    ui.label(
        RichText::new("Advice from a model: read it; healdeck never runs what it says.")
            .weak()
            .small(),
    );
}

/// "Send this to a provider off this machine?" with the exact text; `Some(true)`: send.
pub(super) fn consent_ui(
    ctx: &egui::Context,
    provider: &Provider,
    prompt: &Prompt,
) -> Option<bool> {
    let modal = egui::Modal::new(egui::Id::unique("ai_consent")).show(ctx, |ui| {
        ui.set_max_width(640.0);
        ui.heading("Send this to a provider off this machine?");
        ui.label(RichText::new(provider.label()).strong());
        ui.label(RichText::new(format!("endpoint {}", provider.endpoint())).weak());
        let n: usize = prompt.redactions.values().sum();
        ui.label(
            RichText::new(format!(
                "{n} secret(s) replaced by [REDACTED:kind]; {} characters. This is exactly \
                 what will be sent; you are asked once for this provider.",
                prompt.text.chars().count()
            ))
            .color(if n > 0 {
                WARN
            } else {
                ui.visuals().text_color()
            }),
        );
        ui.add_space(6.0);
        egui::ScrollArea::vertical()
            .max_height(360.0)
            .show(ui, |ui| {
                ui.add(egui::Label::new(RichText::new(&prompt.text).monospace().size(12.0)).wrap());
            });
        ui.add_space(8.0);
        let mut answer = None;
        ui.horizontal(|ui| {
            if ui.button("📤 Send").clicked() {
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

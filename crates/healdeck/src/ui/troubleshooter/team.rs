//! Telling the team from the window: the selected issue's failed tests, "📣 Send to…" (the
//! channels of notify.toml; the issue is redacted and the person sees what was removed
//! first), and the encrypted support bundle dialog (age to public keys or to a passphrase).

use super::super::events::{BundleDone, Picked, TroubleEvent, TroublePick};
use super::super::shared::Shared;
use super::super::widgets::{ToastKind, WARN};
use super::TroubleTab;
use super::secrets::Outgoing;
use egui::RichText;
use healdeck_engine::bundle::{self, BundleOptions, Lock, SecretString};
use healdeck_engine::notify::{self, Channel, RetryPolicy};
use healdeck_engine::{Issue, ScanControl, ScanOptions, scan};

/// What the support bundle dialog holds while it is open.
#[derive(Default)]
struct BundleForm {
    recipients: String,
    use_passphrase: bool,
    passphrase: String,
    again: String,
    logs: bool,
    error: Option<String>,
    busy: bool,
    done: Option<BundleDone>,
}

impl BundleForm {
    /// The lock the form describes, or what is wrong with it.
    fn lock(&self) -> Result<Lock, String> {
        if self.use_passphrase {
            if self.passphrase.chars().count() < 8 {
                return Err("The passphrase needs at least 8 characters.".into());
            }
            if self.passphrase != self.again {
                return Err("The two passphrases differ.".into());
            }
            return Ok(Lock::Passphrase(SecretString::from(
                self.passphrase.clone(),
            )));
        }
        let keys: Vec<String> = self
            .recipients
            .split_whitespace()
            .filter(|k| !k.starts_with('#'))
            .map(str::to_string)
            .collect();
        let lock = Lock::Recipients(keys);
        bundle::check_lock(&lock).map(|()| lock)
    }
}

/// The tab's team state: notify.toml's channels, and the bundle dialog.
#[derive(Default)]
pub(super) struct TeamPanel {
    channels: Option<Result<Vec<Channel>, String>>,
    sending: bool,
    /// The Send menu was open last frame (opening it reads notify.toml again).
    menu_was_open: bool,
    form: Option<BundleForm>,
}

impl TeamPanel {
    /// A message is on its way: the Send menu waits for it.
    pub(super) fn sending(&mut self) {
        self.sending = true;
    }

    pub(super) fn on_channels(&mut self, channels: Result<Vec<Channel>, String>) {
        self.channels = Some(channels);
    }

    pub(super) fn on_sent(&mut self, sh: &mut Shared, channel: &str, result: Result<(), String>) {
        self.sending = false;
        match result {
            Ok(()) => sh
                .toasts
                .add(ToastKind::Success, format!("Sent to {channel}")),
            Err(e) => sh.toasts.add(
                ToastKind::Error,
                format!("Could not send to {channel}: {e}"),
            ),
        }
    }

    pub(super) fn on_bundled(&mut self, sh: &mut Shared, result: Result<BundleDone, String>) {
        let Some(form) = self.form.as_mut() else {
            return;
        };
        form.busy = false;
        match result {
            Ok(done) => {
                sh.toasts.add(
                    ToastKind::Success,
                    format!(
                        "Support bundle written: {} ({} secret(s) redacted)",
                        done.path.display(),
                        done.secrets
                    ),
                );
                form.passphrase.clear();
                form.again.clear();
                form.done = Some(done);
                form.error = None;
            }
            Err(e) => form.error = Some(e),
        }
    }
}

/// Reads notify.toml off the UI thread.
pub(super) fn load_channels(sh: &Shared) {
    let file = sh.dirs.dirs.settings_file("notify.toml");
    sh.bg.blocking(move |r| {
        let channels =
            notify::load_config(&file).map(|c| c.map(|c| c.channels).unwrap_or_default());
        r.send(TroubleEvent::Channels(channels));
    });
}

/// The failed tests of an issue read from test reports.
pub(super) fn tests_ui(ui: &mut egui::Ui, issue: &Issue) {
    if issue.tests.is_empty() {
        return;
    }
    ui.add_space(8.0);
    ui.label(RichText::new(format!("Failed tests ({})", issue.tests.len())).strong());
    for t in issue.tests.iter().take(20) {
        let place = match (&t.file, t.line) {
            (Some(f), Some(l)) => format!("  {f}:{l}"),
            (Some(f), None) => format!("  {f}"),
            _ => String::new(),
        };
        ui.horizontal_wrapped(|ui| {
            ui.label(RichText::new(t.outcome.as_str()).color(WARN).small());
            ui.label(RichText::new(&t.id).monospace());
            ui.label(RichText::new(place).weak().small());
        });
    }
    if issue.tests.len() > 20 {
        ui.label(RichText::new(format!("… and {} more", issue.tests.len() - 20)).weak());
    }
}

impl TeamPanel {
    /// "📣 Send to…": the configured channels. What the person picked is returned, to go
    /// through the redaction review.
    pub(super) fn send_menu_ui(
        &mut self,
        ui: &mut egui::Ui,
        sh: &mut Shared,
        issue: &Issue,
    ) -> Option<(Outgoing, Vec<healdeck_engine::redact::Finding>)> {
        let busy = self.sending;
        let mut picked = None;
        let menu = ui.add_enabled_ui(!busy, |ui| {
            let menu = ui.menu_button("📣 Send to…", |ui| {
                ui.set_min_width(240.0);
                match &self.channels {
                    None => {
                        ui.label("reading notify.toml…");
                    }
                    Some(Err(e)) => {
                        ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
                    }
                    Some(Ok(list)) if list.is_empty() => {
                        ui.label(
                            "No channels yet: add Slack, Discord or webhook channels to notify.toml.",
                        );
                    }
                    Some(Ok(list)) => {
                        for channel in list.clone() {
                            if ui.button(channel.label()).clicked() {
                                let (_, findings) = healdeck_engine::redact::redact_issue(issue);
                                picked = Some((
                                    Outgoing::Notify {
                                        channel,
                                        issue: Box::new(issue.clone()),
                                    },
                                    findings,
                                ));
                                ui.close();
                            }
                        }
                    }
                }
                ui.separator();
                if ui.button("Open notify.toml").clicked() {
                    open_notify_file(sh);
                    ui.close();
                }
            });
            menu.response
                .on_hover_text("Send this issue, redacted, to a team channel from notify.toml");
            menu.inner.is_some()
        });
        let open = menu.inner;
        if open && !self.menu_was_open {
            load_channels(sh);
        }
        self.menu_was_open = open;
        picked
    }
}

impl TroubleTab {
    /// Starts sending (after the review): one POST with retries, off the UI thread.
    pub(super) fn send_issue(sh: &Shared, channel: Channel, issue: Issue) {
        sh.bg.blocking(move |r| {
            let sent = notify::send_issue(&channel, &issue, &RetryPolicy::default());
            r.send(TroubleEvent::Sent(
                channel.label(),
                sent.error.map_or(Ok(()), Err),
            ));
        });
    }

    pub fn open_bundle_dialog(&mut self) {
        self.team.form.get_or_insert_with(BundleForm::default).done = None;
    }

    /// The support bundle dialog, when open.
    pub(super) fn bundle_dialog_ui(&mut self, ctx: &egui::Context, sh: &mut Shared) {
        let Some(form) = self.team.form.as_mut() else {
            return;
        };
        let mut open = true;
        let mut save = false;
        egui::Window::new("Support bundle")
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .default_width(460.0)
            .pivot(egui::Align2::CENTER_TOP)
            .default_pos(ctx.content_rect().center_top() + egui::vec2(0.0, 90.0))
            .show(ctx, |ui| {
                ui.label("Packs the report, each issue's redacted excerpt and context, the environment and the fix history, then encrypts it with age so only the expert can open it.");
                ui.add_space(6.0);
                ui.radio_value(&mut form.use_passphrase, false, "To the expert's age public key(s)");
                ui.add_enabled_ui(!form.use_passphrase, |ui| {
                    let keys = ui.add(
                        egui::TextEdit::multiline(&mut form.recipients)
                            .hint_text("age1… (one per line)")
                            .desired_rows(2)
                            .desired_width(f32::INFINITY),
                    );
                    keys.widget_info(|| {
                        egui::WidgetInfo::labeled(
                            egui::accesskit::Role::MultilineTextInput,
                            true,
                            "The expert's age public keys",
                        )
                    });
                });
                ui.radio_value(&mut form.use_passphrase, true, "To a passphrase (tell it to them another way)");
                ui.add_enabled_ui(form.use_passphrase, |ui| {
                    egui::Grid::new("bundle_pass").num_columns(2).show(ui, |ui| {
                        ui.label("Passphrase");
                        ui.add(egui::TextEdit::singleline(&mut form.passphrase).password(true));
                        ui.end_row();
                        ui.label("Again");
                        ui.add(egui::TextEdit::singleline(&mut form.again).password(true));
                        ui.end_row();
                    });
                });
                ui.checkbox(&mut form.logs, "Include the last 200 lines of each log (redacted)");
                if let Some(e) = &form.error {
                    ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
                }
                done_ui(ui, form);
                ui.add_space(6.0);
                ui.horizontal(|ui| {
                    let label = if form.busy { "Writing…" } else { "💾 Save bundle as…" };
                    if ui.add_enabled(!form.busy, egui::Button::new(label)).clicked() {
                        save = true;
                    }
                });
            });
        if save {
            match form.lock() {
                Ok(_) => {
                    form.error = None;
                    let stamp = healdeck_config::clock::file_stamp();
                    sh.bg.save_dialog(
                        Picked::Trouble(TroublePick::Bundle),
                        sh.dirs
                            .dirs
                            .reports()
                            .join(format!("healdeck-bundle-{stamp}.tar.gz.age")),
                    );
                }
                Err(e) => form.error = Some(e),
            }
        }
        if !open {
            self.team.form = None;
        }
    }

    /// The person chose where: scan the followed sources and write the bundle there.
    pub fn write_bundle(&mut self, sh: &Shared, path: std::path::PathBuf) {
        let Some(form) = self.team.form.as_mut() else {
            return;
        };
        let lock = match form.lock() {
            Ok(l) => l,
            Err(e) => {
                form.error = Some(e);
                return;
            }
        };
        let Some(engine) = self.engine.clone() else {
            form.error = Some("The rules are still loading.".into());
            return;
        };
        if self.watched.is_empty() {
            form.error = Some("Nothing to pack: add a log folder first.".into());
            return;
        }
        form.busy = true;
        let paths = self.watched.clone();
        let opts = BundleOptions {
            data_dir: Some(sh.dirs.dirs.data().to_path_buf()),
            log_tail_lines: if form.logs { 200 } else { 0 },
        };
        sh.bg.blocking(move |r| {
            let report = scan(
                &engine,
                &paths,
                &ScanOptions::default(),
                &ScanControl::default(),
            );
            let result = bundle::write(&report, &[], &opts, &lock, &path).map(|w| BundleDone {
                path: w.path,
                bytes: w.bytes,
                files: w.manifest.files.iter().map(|f| f.path.clone()).collect(),
                secrets: w.manifest.redacted.values().sum(),
                encryption: w.manifest.encryption,
            });
            r.send(TroubleEvent::Bundled(result));
        });
    }
}

/// Where the bundle went, what is in it, and how the expert opens it.
fn done_ui(ui: &mut egui::Ui, form: &mut BundleForm) {
    let Some(done) = &form.done else {
        return;
    };
    ui.separator();
    ui.label(RichText::new(format!("✔ {}", done.path.display())).strong());
    ui.label(format!(
        "{} files · {} · {} secret(s) redacted · {}",
        done.files.len(),
        super::super::widgets::bytes(done.bytes),
        done.secrets,
        done.encryption
    ));
    egui::CollapsingHeader::new("What is inside").show(ui, |ui| {
        for f in &done.files {
            ui.label(RichText::new(f).monospace().small());
        }
    });
    let how = if form.use_passphrase {
        "age -d"
    } else {
        "age -d -i KEY_FILE"
    };
    ui.label(
        RichText::new(format!("They open it with: {how} bundle.age | tar xz"))
            .weak()
            .small(),
    );
    if ui.button("📂 Show in folder").clicked()
        && let Some(dir) = done.path.parent()
        && let Err(e) = open::that_detached(dir)
    {
        form.error = Some(format!("{}: {e}", dir.display()));
    }
}

/// Opens notify.toml in the person's editor, writing a commented example first if missing.
fn open_notify_file(sh: &mut Shared) {
    let file = sh.dirs.dirs.settings_file("notify.toml");
    if !file.exists() {
        let example = "# Team channels for healdeck (`diagnose --notify NAME`, and Send to… in the window).\n\
                       # window_minutes = 60\n# max_per_run = 5\n\n\
                       # [[channel]]\n# name = \"team\"\n# url_env = \"SLACK_WEBHOOK_URL\"   # or url = \"https://hooks.slack.com/services/…\"\n\
                       # kind = \"slack\"                  # slack, discord or json\n# min_severity = \"high\"\n";
        let written = file
            .parent()
            .map_or(Ok(()), std::fs::create_dir_all)
            .and_then(|()| std::fs::write(&file, example));
        if let Err(e) = written {
            sh.toasts
                .add(ToastKind::Error, format!("{}: {e}", file.display()));
            return;
        }
    }
    if let Err(e) = open::that_detached(&file) {
        sh.toasts
            .add(ToastKind::Error, format!("{}: {e}", file.display()));
    }
}

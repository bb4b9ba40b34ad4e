//! The sources panel (configured log paths with add/remove, a paste-a-path field, the sample
//! logs, following healdeck's own log, the watcher's state) and the first-run empty state.

use super::super::events::{Picked, TroublePick};
use super::super::shared::Shared;
use super::super::widgets::{BAD, GOOD, ToastKind, WARN, thousands};
use super::TroubleTab;
use super::folder_env::{FolderEnvEditor, summary};
use egui::RichText;
use healdeck_engine::receive::{ListenSpec, is_listen_text};
use healdeck_engine::remote::{StreamSpec, StreamState, is_stream_text};
use std::path::PathBuf;

/// The sample logs shipped with the app, written to `<data>/sample-logs` on request.
const SAMPLE_LOGS: [(&str, &str); 8] = [
    (
        "access.log",
        include_str!("../../../../../assets/logs/access.log"),
    ),
    (
        "go_service.log",
        include_str!("../../../../../assets/logs/go_service.log"),
    ),
    (
        "gunicorn_django.log",
        include_str!("../../../../../assets/logs/gunicorn_django.log"),
    ),
    (
        "nginx_error.log",
        include_str!("../../../../../assets/logs/nginx_error.log"),
    ),
    (
        "node_app.log",
        include_str!("../../../../../assets/logs/node_app.log"),
    ),
    (
        "spring_boot.log",
        include_str!("../../../../../assets/logs/spring_boot.log"),
    ),
    (
        "syslog.log",
        include_str!("../../../../../assets/logs/syslog.log"),
    ),
    (
        "training.log",
        include_str!("../../../../../assets/logs/training.log"),
    ),
];

impl TroubleTab {
    pub(super) fn use_sample_logs(&mut self, sh: &mut Shared) {
        let dir = sh.dirs.dirs.data.join("sample-logs");
        let written = std::fs::create_dir_all(&dir).and_then(|()| {
            SAMPLE_LOGS
                .iter()
                .try_for_each(|(name, text)| std::fs::write(dir.join(name), text))
        });
        match written {
            Ok(()) => {
                if !sh.settings.log_paths.contains(&dir) {
                    sh.settings.log_paths.push(dir);
                }
                self.restart_watch(sh);
            }
            Err(e) => sh.toasts.add(
                ToastKind::Error,
                format!("could not write the sample logs to {}: {e}", dir.display()),
            ),
        }
    }

    pub fn add_path(&mut self, sh: &mut Shared, path: PathBuf) {
        if !sh.settings.log_paths.contains(&path) {
            sh.settings.log_paths.push(path);
            self.restart_watch(sh);
        }
    }

    /// The followed paths, each with its remove and environment buttons.
    fn path_list_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        let mut remove = None;
        let mut edit_env = None;
        egui::ScrollArea::vertical()
            .max_height(ui.available_height() - 150.0)
            .show(ui, |ui| {
                for (i, row) in self.path_rows.iter().enumerate() {
                    let p = &row.path;
                    ui.horizontal(|ui| {
                        if ui
                            .small_button("🗙")
                            .on_hover_text("Stop following this path")
                            .clicked()
                        {
                            remove = Some(i);
                        }
                        if row.stream {
                            self.stream_row_ui(ui, p);
                            return;
                        }
                        if ui
                            .small_button("⚙")
                            .on_hover_text("Python and Node project for this folder…")
                            .clicked()
                        {
                            edit_env = Some(p.clone());
                        }
                        let icon = if row.is_dir { "📁" } else { "📄" };
                        let name = p
                            .file_name()
                            .map(|n| n.to_string_lossy().to_string())
                            .unwrap_or_else(|| p.display().to_string());
                        let text = if row.exists {
                            RichText::new(format!("{icon} {name}"))
                        } else {
                            RichText::new(format!("{icon} {name} (missing)")).color(BAD)
                        };
                        ui.label(text)
                            .on_hover_text(p.display().to_string())
                            .context_menu(|ui| {
                                if ui.button("🐍 Python for this folder…").clicked()
                                    || ui.button("Node project for this folder…").clicked()
                                {
                                    edit_env = Some(p.clone());
                                }
                            });
                    });
                    if row.stream
                        && let Some(text) = p.to_str()
                        && is_listen_text(text)
                    {
                        self.heard_hosts_ui(ui, text);
                    }
                    if let Some((_, env)) = self.folder_envs.iter().find(|(f, _)| f == p) {
                        ui.label(
                            RichText::new(format!("    {}", summary(env)))
                                .small()
                                .weak(),
                        )
                        .on_hover_text("Fixes for this folder's failures use these");
                    }
                }
            });
        if let Some(folder) = edit_env {
            match FolderEnvEditor::open(&sh.dirs.dirs, &folder) {
                Ok(editor) => self.env_editor = Some(editor),
                Err(e) => sh.toasts.add(ToastKind::Error, e),
            }
        }
        if let Some(i) = remove {
            sh.settings.log_paths.remove(i);
            self.restart_watch(sh);
        }
    }

    /// A stream source's row: its kind, its name, and its state as its reader last said.
    fn stream_row_ui(&self, ui: &mut egui::Ui, path: &std::path::Path) {
        let name = path.to_string_lossy();
        let icon = if name.starts_with("ssh://") {
            "🖧"
        } else if name.starts_with("journal:") {
            "📓"
        } else if is_listen_text(&name) {
            "📡"
        } else {
            "📦"
        };
        ui.label(format!("{icon} {name}"));
        let (text, color, why) = match self.source_states.get(name.as_ref()) {
            Some(StreamState::Connected) => ("● connected".into(), GOOD, String::new()),
            Some(StreamState::Reconnecting { after_secs, reason }) => (
                "● reconnecting".into(),
                WARN,
                format!("again in {after_secs} s: {reason}"),
            ),
            Some(StreamState::Listening) => ("● listening".into(), GOOD, String::new()),
            Some(
                state @ StreamState::Receiving {
                    messages,
                    cut,
                    refused,
                    malformed,
                },
            ) => {
                let lost = cut + refused + malformed;
                let text = if lost > 0 {
                    format!(
                        "● listening · {} messages · {} cut or refused",
                        thousands(*messages),
                        thousands(lost)
                    )
                } else {
                    format!("● listening · {} messages", thousands(*messages))
                };
                (text, if lost > 0 { WARN } else { GOOD }, state.to_string())
            }
            Some(StreamState::Failed { reason }) => ("● failed".into(), BAD, reason.clone()),
            Some(StreamState::Connecting) | None => (
                "○ connecting".into(),
                ui.visuals().weak_text_color(),
                String::new(),
            ),
        };
        let label = ui.label(RichText::new(text).small().color(color));
        if !why.is_empty() {
            label.on_hover_text(why);
        }
    }

    /// The hosts a receiver has heard from, under its row.
    fn heard_hosts_ui(&self, ui: &mut egui::Ui, receiver: &str) {
        let Some((scheme, _)) = receiver.split_once("://") else {
            return;
        };
        let prefix = format!("{scheme}:");
        let mut hosts: Vec<&str> = self
            .source_states
            .keys()
            .filter(|k| k.starts_with(&prefix) && !k.contains("://"))
            .map(String::as_str)
            .collect();
        hosts.sort_unstable();
        for host in hosts {
            ui.label(RichText::new(format!("      ↳ {host}")).small())
                .on_hover_text("A host that sent logs here: its failures carry this source");
        }
    }

    pub(super) fn sources_ui(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        ui.add_space(6.0);
        ui.heading("Log sources");
        ui.add_space(4.0);
        self.path_list_ui(ui, sh);
        ui.add_space(6.0);
        if ui.button("📁 Add log folder…").clicked() {
            sh.bg.pick(
                Picked::Trouble(TroublePick::LogFolder),
                sh.settings.log_paths.last().cloned(),
            );
        }
        if ui.button("📄 Add log file…").clicked() {
            sh.bg.pick(Picked::Trouble(TroublePick::LogFile), None);
        }
        let entry = ui.add(
            egui::TextEdit::singleline(&mut self.path_entry)
                .hint_text("…or paste a path, journal:, ssh://host/path, docker://name, syslog://, otlp://")
                .desired_width(f32::INFINITY),
        );
        entry.widget_info(|| {
            egui::WidgetInfo::labeled(
                egui::accesskit::Role::TextInput,
                true,
                "Add a source: paste a path or journal:, ssh://, docker://, syslog://, otlp://",
            )
        });
        if entry.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter)) {
            let text = self.path_entry.trim().to_string();
            let p = PathBuf::from(&text);
            let source = if is_stream_text(&text) {
                Some(text.parse::<StreamSpec>().map(|s| s.to_string()))
            } else if is_listen_text(&text) {
                Some(text.parse::<ListenSpec>().map(|s| s.to_string()))
            } else {
                None
            };
            if let Some(source) = source {
                match source {
                    Ok(name) => {
                        self.path_entry.clear();
                        self.add_path(sh, PathBuf::from(name));
                    }
                    Err(e) => sh.toasts.add(ToastKind::Error, e.to_string()),
                }
            } else if p.exists() {
                self.path_entry.clear();
                self.add_path(sh, p);
            } else if !self.path_entry.trim().is_empty() {
                sh.toasts.add(
                    ToastKind::Error,
                    format!("{}: no such file or folder", p.display()),
                );
            }
        }
        if ui.button("🔬 Try with sample logs").clicked() {
            self.use_sample_logs(sh);
        }
        let mut own = sh.settings.watch_own_log;
        if ui
            .checkbox(&mut own, "Watch healdeck's own log")
            .on_hover_text(
                sh.dirs
                    .own_log
                    .as_ref()
                    .map_or("no log file".into(), |p| p.display().to_string()),
            )
            .changed()
        {
            sh.settings.watch_own_log = own;
            self.restart_watch(sh);
        }
        ui.add_space(4.0);
        let status = if let Some(e) = &self.watch_error {
            RichText::new(format!("⚠ {e}")).color(BAD)
        } else if self.watch.is_some() {
            RichText::new(format!("👁 following {} source(s) live", self.watched_files)).weak()
        } else {
            RichText::new(format!("not following anything · {}", self.rules_note)).weak()
        };
        ui.label(status);
    }

    pub(super) fn empty_state(&mut self, ui: &mut egui::Ui, sh: &mut Shared) {
        ui.vertical_centered(|ui| {
            ui.add_space((ui.available_height() * 0.25).max(20.0));
            ui.label(RichText::new("🔎").size(56.0));
            ui.add_space(8.0);
            ui.heading("No logs yet");
            ui.add_space(4.0);
            ui.label(
                "Point healdeck at your application's log folder: it follows the files live,\n\
                 groups every failure into one issue, explains the cause and the fix.",
            );
            ui.add_space(16.0);
            ui.horizontal(|ui| {
                let w = 380.0;
                ui.add_space(((ui.available_width() - w) / 2.0).max(0.0));
                if ui
                    .add(egui::Button::new(
                        RichText::new("📁 Add log folder…").size(16.0),
                    ))
                    .clicked()
                {
                    sh.bg.pick(Picked::Trouble(TroublePick::LogFolder), None);
                }
                ui.add_space(12.0);
                if ui
                    .add(egui::Button::new(
                        RichText::new("🔬 Try with sample logs").size(16.0),
                    ))
                    .clicked()
                {
                    self.use_sample_logs(sh);
                }
            });
        });
    }
}

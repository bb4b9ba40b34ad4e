//! Adding, editing and removing a check from the window. The form edits `health.toml` in place
//! (toml_edit: the person's comments, order and other fields stay as they were), the whole
//! new file is validated exactly as the monitor will read it, and only a valid file is
//! written — an error names the line and field, as it would on the command line.

use crate::ui::events::HealthMsg;
use crate::ui::shared::Shared;
use egui::{RichText, Ui};
use healdeck_engine::Severity;
use healdeck_engine::health::{self, Action, Check, Kind};
use std::path::{Path, PathBuf};
use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, TableLike, value};

/// What the form window says after a frame.
pub(super) enum Answer {
    Open,
    Closed,
    /// Closed with a save under way (the tab waits for it before another edit).
    Saving,
}

#[derive(Debug, Clone, PartialEq)]
enum Mode {
    Add,
    Edit(String),
    Remove(String),
}

const KINDS: [&str; 8] = [
    "http", "tcp", "process", "disk", "memory", "file", "systemd", "command",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ActionChoice {
    None,
    RestartService,
    Command,
    ClearCache,
}

pub(super) struct Editor {
    mode: Mode,
    name: String,
    kind: &'static str,
    interval_s: String,
    severity: Severity,
    failures: String,
    cycles: String,
    target: String,
    limit: String,
    source: String,
    action: ActionChoice,
    action_arg: String,
    unattended: bool,
    error: Option<String>,
}

/// A form field: the key it sets in `health.toml` and its label.
type Field = Option<(&'static str, &'static str)>;

/// The target field's key and label for a kind, and the limit field's.
fn fields(kind: &str) -> (Field, Field) {
    match kind {
        "http" => (
            Some(("url", "URL")),
            Some(("max_latency_ms", "Slower than (ms)")),
        ),
        "tcp" => (
            Some(("address", "host:port")),
            Some(("max_latency_ms", "Slower than (ms)")),
        ),
        "process" => (
            Some(("process", "Process name")),
            Some(("max_rss_mb", "RSS above (MiB)")),
        ),
        "disk" => (
            Some(("path", "Mount path")),
            Some(("min_free_percent", "Free below (%)")),
        ),
        "memory" => (None, Some(("min_available_percent", "Available below (%)"))),
        "file" => (
            Some(("path", "File path")),
            Some(("max_age_s", "Not written for (s)")),
        ),
        "systemd" => (Some(("unit", "Unit")), None),
        _ => (Some(("argv", "Command (argv; \"quote\" spaces)")), None),
    }
}

impl Editor {
    pub(super) fn new_check() -> Editor {
        Editor {
            mode: Mode::Add,
            name: String::new(),
            kind: "http",
            interval_s: "30".into(),
            severity: Severity::High,
            failures: "1".into(),
            cycles: "1".into(),
            target: String::new(),
            limit: String::new(),
            source: String::new(),
            action: ActionChoice::None,
            action_arg: String::new(),
            unattended: false,
            error: None,
        }
    }

    pub(super) fn edit(c: &Check) -> Editor {
        let (target, limit) = match &c.kind {
            Kind::Http(h) => (h.url.clone(), h.max_latency_ms.map(|v| v.to_string())),
            Kind::Tcp {
                host,
                port,
                max_latency_ms,
            } => (
                if host.contains(':') {
                    format!("[{host}]:{port}")
                } else {
                    format!("{host}:{port}")
                },
                max_latency_ms.map(|v| v.to_string()),
            ),
            Kind::Process {
                name, max_rss_mb, ..
            } => (
                name.clone().unwrap_or_default(),
                max_rss_mb.map(|v| v.to_string()),
            ),
            Kind::Disk {
                path,
                min_free_percent,
                ..
            } => (
                path.display().to_string(),
                min_free_percent.map(|v| v.to_string()),
            ),
            Kind::Memory {
                min_available_percent,
            } => (String::new(), Some(min_available_percent.to_string())),
            Kind::File {
                path, max_age_s, ..
            } => (path.display().to_string(), max_age_s.map(|v| v.to_string())),
            Kind::Systemd { unit } => (unit.clone(), None),
            Kind::Command { argv, .. } => (join_argv(argv), None),
        };
        let (action, action_arg, unattended) = match &c.action {
            None => (ActionChoice::None, String::new(), false),
            Some(a) => match &a.action {
                Action::RestartService(s) => {
                    (ActionChoice::RestartService, s.clone(), a.unattended)
                }
                Action::Command(argv) => (ActionChoice::Command, join_argv(argv), a.unattended),
                Action::ClearCache => (ActionChoice::ClearCache, String::new(), a.unattended),
            },
        };
        Editor {
            mode: Mode::Edit(c.name.clone()),
            name: c.name.clone(),
            kind: KINDS
                .into_iter()
                .find(|k| *k == c.kind.name())
                .unwrap_or("http"),
            interval_s: c.interval_s.to_string(),
            severity: c.severity,
            failures: c.failures.to_string(),
            cycles: c.cycles.to_string(),
            target,
            limit: limit.unwrap_or_default(),
            source: c.source.clone().unwrap_or_default(),
            action,
            action_arg,
            unattended,
            error: None,
        }
    }

    pub(super) fn remove(c: &Check) -> Editor {
        Editor {
            mode: Mode::Remove(c.name.clone()),
            ..Editor::edit(c)
        }
    }

    /// The form's window for this frame.
    pub(super) fn window(&mut self, ctx: &egui::Context, sh: &Shared, file: &Path) -> Answer {
        let mut open = true;
        let mut answer = Answer::Open;
        let title = match &self.mode {
            Mode::Add => "Add a health check".to_string(),
            Mode::Edit(n) => format!("Edit check '{n}'"),
            Mode::Remove(n) => format!("Remove check '{n}'?"),
        };
        egui::Window::new(title)
            .open(&mut open)
            .collapsible(false)
            .resizable(false)
            .default_width(460.0)
            .anchor(egui::Align2::CENTER_TOP, [0.0, 70.0])
            .show(ctx, |ui| {
                if matches!(self.mode, Mode::Remove(_)) {
                    ui.label("Its history and state stay in the data folder; the check stops.");
                } else {
                    self.form(ui);
                }
                if let Some(e) = &self.error {
                    ui.add_space(4.0);
                    ui.label(RichText::new(e).color(ui.visuals().error_fg_color));
                }
                ui.separator();
                ui.horizontal(|ui| {
                    let verb = if matches!(self.mode, Mode::Remove(_)) {
                        "🗑 Remove"
                    } else {
                        "💾 Save"
                    };
                    if ui.button(verb).clicked() {
                        match self.apply(file) {
                            Ok(text) => {
                                save(sh, file.to_path_buf(), text);
                                answer = Answer::Saving;
                            }
                            Err(e) => self.error = Some(e),
                        }
                    }
                    if ui.button("Cancel").clicked() {
                        answer = Answer::Closed;
                    }
                });
            });
        if !open && !matches!(answer, Answer::Saving) {
            answer = Answer::Closed;
        }
        answer
    }

    fn form(&mut self, ui: &mut Ui) {
        egui::Grid::new("health-form")
            .num_columns(2)
            .spacing([10.0, 6.0])
            .show(ui, |ui| {
                let l = ui.label("Name");
                ui.text_edit_singleline(&mut self.name)
                    .labelled_by(l.id)
                    .on_hover_text("Letters, digits, '-', '_' and '.'");
                ui.end_row();
                ui.label("Kind");
                egui::ComboBox::from_id_salt("health-kind")
                    .selected_text(self.kind)
                    .show_ui(ui, |ui| {
                        for k in KINDS {
                            ui.selectable_value(&mut self.kind, k, k);
                        }
                    });
                ui.end_row();
                let (target, limit) = fields(self.kind);
                if let Some((_, label)) = target {
                    let l = ui.label(label);
                    ui.text_edit_singleline(&mut self.target).labelled_by(l.id);
                    ui.end_row();
                }
                if let Some((_, label)) = limit {
                    let l = ui.label(label);
                    ui.text_edit_singleline(&mut self.limit)
                        .labelled_by(l.id)
                        .on_hover_text("Leave empty for no limit (required for memory)");
                    ui.end_row();
                }
                let l = ui.label("Every (s)");
                ui.text_edit_singleline(&mut self.interval_s)
                    .labelled_by(l.id);
                ui.end_row();
                ui.label("Failing after");
                ui.horizontal(|ui| {
                    ui.add(egui::TextEdit::singleline(&mut self.failures).desired_width(40.0));
                    ui.label("failures within");
                    ui.add(egui::TextEdit::singleline(&mut self.cycles).desired_width(40.0));
                    ui.label("cycles");
                });
                ui.end_row();
                ui.label("Severity");
                egui::ComboBox::from_id_salt("health-severity")
                    .selected_text(self.severity.as_str())
                    .show_ui(ui, |ui| {
                        for s in Severity::ALL {
                            ui.selectable_value(&mut self.severity, s, s.as_str());
                        }
                    });
                ui.end_row();
                let l = ui.label("Log or service");
                ui.text_edit_singleline(&mut self.source)
                    .labelled_by(l.id)
                    .on_hover_text(
                        "The log (path or file name) or service this check watches: its failures \
                     sit next to that log's issues",
                    );
                ui.end_row();
                self.action_rows(ui);
            });
    }

    /// The action's rows of the form grid.
    fn action_rows(&mut self, ui: &mut Ui) {
        ui.label("Action");
        egui::ComboBox::from_id_salt("health-action")
            .selected_text(match self.action {
                ActionChoice::None => "none",
                ActionChoice::RestartService => "restart a service (fixer.json)",
                ActionChoice::Command => "run a command",
                ActionChoice::ClearCache => "clear the cache folders (fixer.json)",
            })
            .show_ui(ui, |ui| {
                ui.selectable_value(&mut self.action, ActionChoice::None, "none");
                ui.selectable_value(
                    &mut self.action,
                    ActionChoice::RestartService,
                    "restart a service (fixer.json)",
                );
                ui.selectable_value(&mut self.action, ActionChoice::Command, "run a command");
                ui.selectable_value(
                    &mut self.action,
                    ActionChoice::ClearCache,
                    "clear the cache folders (fixer.json)",
                );
            });
        ui.end_row();
        match self.action {
            ActionChoice::RestartService => {
                let l = ui.label("Service");
                ui.text_edit_singleline(&mut self.action_arg)
                    .labelled_by(l.id);
                ui.end_row();
            }
            ActionChoice::Command => {
                let l = ui.label("Command");
                ui.text_edit_singleline(&mut self.action_arg)
                    .labelled_by(l.id);
                ui.end_row();
            }
            _ => {}
        }
        if self.action != ActionChoice::None {
            ui.label("");
            ui.checkbox(
                &mut self.unattended,
                "Run without asking (class A); otherwise it waits for ▶ Run action now",
            );
            ui.end_row();
        }
    }

    /// The new file's text, validated as the monitor will read it.
    fn apply(&self, file: &Path) -> Result<String, String> {
        let text = match std::fs::read_to_string(file) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
            Err(e) => return Err(format!("cannot read {}: {e}", file.display())),
        };
        let mut doc: DocumentMut = text.parse().map_err(|e| {
            format!(
                "{} is not valid TOML; fix it by hand first: {e}",
                file.display()
            )
        })?;
        if !doc.contains_key("check") {
            doc.insert("check", Item::ArrayOfTables(Default::default()));
        }
        let checks = doc["check"].as_array_of_tables_mut().ok_or_else(|| {
            format!(
                "{}: 'check' is not a list of [[check]] tables",
                file.display()
            )
        })?;
        let index_of = |checks: &toml_edit::ArrayOfTables, name: &str| {
            checks
                .iter()
                .position(|t| t.get("name").and_then(|v| v.as_str()) == Some(name))
        };
        match &self.mode {
            Mode::Remove(name) => {
                let i = index_of(checks, name).ok_or("the check is no longer in the file")?;
                checks.remove(i);
            }
            Mode::Edit(name) => {
                let i = index_of(checks, name).ok_or("the check is no longer in the file")?;
                let t = checks
                    .get_mut(i)
                    .ok_or("the check is no longer in the file")?;
                self.fill(t)?;
            }
            Mode::Add => {
                let mut t = Table::new();
                self.fill(&mut t)?;
                checks.push(t);
            }
        }
        let new_text = doc.to_string();
        health::config::parse(file, &new_text).map_err(|e| e.to_string())?;
        Ok(new_text)
    }

    /// Sets the form's fields in `t`, keeping every other field of the check.
    fn fill(&self, t: &mut Table) -> Result<(), String> {
        let old_kind = t.get("kind").and_then(|v| v.as_str()).map(str::to_string);
        if old_kind.as_deref() != Some(self.kind) {
            // The old kind's own fields would be refused under the new one.
            for k in old_kind
                .as_deref()
                .and_then(health::kind_fields)
                .unwrap_or(&[])
            {
                t.remove(k);
            }
        }
        set(t, "name", self.name.trim().into());
        set(t, "kind", self.kind.into());
        set(
            t,
            "interval_s",
            whole("Every (s)", &self.interval_s)?.into(),
        );
        set(
            t,
            "failures",
            whole("Failing after", &self.failures)?.into(),
        );
        set(t, "cycles", whole("cycles", &self.cycles)?.into());
        set(t, "severity", self.severity.as_str().into());
        set_or_remove(t, "source", self.source.trim());
        let (target, limit) = fields(self.kind);
        if let Some((key, label)) = target {
            let v = self.target.trim();
            if v.is_empty() {
                // Left empty: whatever else names the target (a pidfile) stays.
                t.remove(key);
            } else if key == "argv" {
                set(t, key, argv_array(label, v)?.into());
            } else {
                set(t, key, v.into());
            }
        }
        if let Some((key, label)) = limit {
            let v = self.limit.trim();
            if v.is_empty() {
                t.remove(key);
            } else if key.contains("percent") {
                let f: f64 = v
                    .parse()
                    .map_err(|_| format!("{label}: '{v}' is not a number"))?;
                set(t, key, f.into());
            } else {
                set(t, key, whole(label, v)?.into());
            }
        }
        self.fill_action(t)
    }

    fn fill_action(&self, t: &mut Table) -> Result<(), String> {
        if self.action == ActionChoice::None {
            t.remove("action");
            return Ok(());
        }
        if !t.get("action").is_some_and(|a| a.is_table_like()) {
            t["action"] = value(InlineTable::new());
        }
        let a: &mut dyn TableLike = t["action"]
            .as_table_like_mut()
            .ok_or("the action is not a table")?;
        for k in ["restart_service", "command", "clear_cache"] {
            a.remove(k);
        }
        match self.action {
            ActionChoice::RestartService => {
                a.insert("restart_service", value(self.action_arg.trim()));
            }
            ActionChoice::Command => {
                a.insert("command", value(argv_array("Command", &self.action_arg)?));
            }
            _ => {
                a.insert("clear_cache", value(true));
            }
        }
        a.insert("unattended", value(self.unattended));
        Ok(())
    }
}

/// Sets `key` to `v`, keeping the comment and spacing the person had around the old value.
fn set(t: &mut Table, key: &str, v: toml_edit::Value) {
    match t.get_mut(key).and_then(|i| i.as_value_mut()) {
        Some(old) => {
            let decor = old.decor().clone();
            *old = v;
            *old.decor_mut() = decor;
        }
        None => t[key] = Item::Value(v),
    }
}

fn set_or_remove(t: &mut Table, key: &str, v: &str) {
    if v.is_empty() {
        t.remove(key);
    } else {
        set(t, key, v.into());
    }
}

fn whole(label: &str, v: &str) -> Result<i64, String> {
    v.trim()
        .parse()
        .map_err(|_| format!("{label}: '{}' is not a whole number", v.trim()))
}

/// Splits a command line into argv: words, with "double quotes" around spaces. No shell.
fn split_argv(line: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quoted = false;
    let mut started = false;
    for c in line.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                started = true;
            }
            c if c.is_whitespace() && !quoted => {
                if started {
                    out.push(std::mem::take(&mut word));
                    started = false;
                }
            }
            c => {
                word.push(c);
                started = true;
            }
        }
    }
    if quoted {
        return Err("a \" is not closed".into());
    }
    if started {
        out.push(word);
    }
    Ok(out)
}

fn argv_array(label: &str, line: &str) -> Result<Array, String> {
    let argv = split_argv(line).map_err(|e| format!("{label}: {e}"))?;
    Ok(argv.iter().map(String::as_str).collect())
}

fn join_argv(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            if a.is_empty() || a.contains(char::is_whitespace) {
                format!("\"{a}\"")
            } else {
                a.clone()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Writes the file off the UI thread (through a temporary file, so a crash cannot leave half
/// a file); the tab restarts the monitor when it hears it was saved.
fn save(sh: &Shared, file: PathBuf, text: String) {
    sh.bg.blocking(move |r| {
        let result = (|| {
            // A link is followed: the file it points to is the one rewritten, and it keeps
            // its permissions (a 0600 file with tokens in URLs stays 0600).
            let target = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
            if let Some(dir) = target.parent() {
                std::fs::create_dir_all(dir)?;
            }
            let tmp = target.with_extension(format!("toml.{}.tmp", std::process::id()));
            std::fs::write(&tmp, text)?;
            if let Ok(meta) = std::fs::metadata(&target) {
                std::fs::set_permissions(&tmp, meta.permissions())?;
            }
            std::fs::rename(&tmp, &target)
        })();
        r.send(HealthMsg::Saved(
            result
                .map(|()| file.clone())
                .map_err(|e| format!("cannot write {}: {e}", file.display())),
        ));
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argv_splits_on_spaces_outside_quotes() {
        assert_eq!(
            split_argv(r#"systemctl restart "my app" x"#).expect("ok"),
            ["systemctl", "restart", "my app", "x"]
        );
        assert_eq!(split_argv(r#"a "" b"#).expect("ok"), ["a", "", "b"]);
        assert!(split_argv(r#"a "b"#).is_err());
        assert_eq!(
            join_argv(&split_argv(r#"a "b c""#).expect("ok")),
            r#"a "b c""#
        );
    }

    #[test]
    fn editing_keeps_comments_and_other_fields_and_refuses_what_the_monitor_would() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("health.toml");
        let text = "# my checks\n[[check]]\nname = \"api\" # the API\nkind = \"http\"\n\
                    interval_s = 10\nurl = \"http://127.0.0.1:1/\"\nbody_regex = \"ok\"\n";
        std::fs::write(&file, text).expect("write");
        let config = health::config::load(&file).expect("valid");
        let mut e = Editor::edit(&config.checks[0]);
        e.interval_s = "5".into();
        let new = e.apply(&file).expect("valid edit");
        assert!(new.starts_with("# my checks\n"), "{new}");
        assert!(new.contains("body_regex = \"ok\""), "{new}");
        assert!(new.contains("interval_s = 5"), "{new}");
        e.interval_s = "0".into();
        let err = e.apply(&file).expect_err("interval 0");
        assert!(err.contains("health.toml:5: interval_s:"), "{err}");
        let mut add = Editor::new_check();
        add.name = "db".into();
        add.kind = "tcp";
        add.target = "127.0.0.1:5432".into();
        add.action = ActionChoice::Command;
        add.action_arg = "systemctl restart postgresql".into();
        let new = add.apply(&file).expect("valid add");
        let parsed = health::config::parse(&file, &new).expect("valid");
        assert_eq!(parsed.checks.len(), 2);
        let a = parsed.checks[1].action.as_ref().expect("action");
        assert_eq!(
            a.action,
            Action::Command(vec![
                "systemctl".into(),
                "restart".into(),
                "postgresql".into()
            ])
        );
        assert!(!a.unattended);
        add.target = "no port".into();
        let err = add.apply(&file).expect_err("bad address");
        assert!(err.contains("address:"), "{err}");
    }

    #[test]
    fn a_pidfile_check_edits_and_a_kind_change_drops_the_old_fields_and_comments_stay() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("health.toml");
        let text = "[[check]]\nname = \"w\"\nkind = \"process\"\n\
                    interval_s = 10 # every ten seconds\npidfile = \"/run/w.pid\"\n\
                    max_cpu_percent = 90.0\n";
        std::fs::write(&file, text).expect("write");
        let config = health::config::load(&file).expect("valid");
        let mut e = Editor::edit(&config.checks[0]);
        e.interval_s = "20".into();
        let new = e.apply(&file).expect("a pidfile check saves");
        assert!(new.contains("pidfile = \"/run/w.pid\""), "{new}");
        assert!(!new.contains("process ="), "{new}");
        assert!(new.contains("interval_s = 20 # every ten seconds"), "{new}");
        e.kind = "tcp";
        e.target = "127.0.0.1:9".into();
        let new = e.apply(&file).expect("a kind change saves");
        assert!(
            !new.contains("pidfile") && !new.contains("max_cpu_percent"),
            "{new}"
        );
    }
}

//! "Python for this folder…" and "Node project for this folder…": which interpreter and
//! which Node project run the applications whose logs are in one followed path, for fixes
//! whose logs do not say. Saved in `fixer.json: folders`, where `healdeck fix` finds it too;
//! a value is checked before it is saved (an executable interpreter, a folder holding a
//! `package.json`).

use super::super::events::{Picked, TroublePick};
use super::super::shared::Shared;
use super::super::widgets::{BAD, ToastKind};
use egui::RichText;
use healdeck_config::settings::write_json;
use healdeck_config::{Dirs, SettingsFile};
use healdeck_engine::fix::{FixerConfig, FolderEnv};
use std::path::{Path, PathBuf};

/// The dialog editing one followed path's environment.
pub(super) struct FolderEnvEditor {
    folder: PathBuf,
    python: String,
    node: String,
    error: Option<String>,
}

/// What the person did in the dialog this frame.
pub(super) enum EditorAnswer {
    Saved,
    Cancelled,
}

/// The environments set for followed paths (what the sources list shows under each).
pub(super) fn folder_envs(dirs: &Dirs) -> Vec<(PathBuf, FolderEnv)> {
    FixerConfig::load_or_default(dirs)
        .map(|c| c.folders.into_iter().collect())
        .unwrap_or_default()
}

/// One line for the sources list: "🐍 /srv/app/venv/bin/python · ⬢ /srv/web".
pub(super) fn summary(env: &FolderEnv) -> String {
    let python = env.python.as_ref().map(|p| format!("🐍 {}", p.display()));
    let node = env
        .node_project
        .as_ref()
        .map(|p| format!("⬢ {}", p.display()));
    [python, node]
        .into_iter()
        .flatten()
        .collect::<Vec<_>>()
        .join(" · ")
}

impl FolderEnvEditor {
    /// Opens the dialog for `folder` with what fixer.json holds for it.
    pub(super) fn open(dirs: &Dirs, folder: &Path) -> Result<FolderEnvEditor, String> {
        let config = FixerConfig::load_or_default(dirs).map_err(|e| e.to_string())?;
        let current = config.folders.get(folder).cloned().unwrap_or_default();
        let text = |p: Option<PathBuf>| p.map(|p| p.display().to_string()).unwrap_or_default();
        Ok(FolderEnvEditor {
            folder: folder.to_path_buf(),
            python: text(current.python),
            node: text(current.node_project),
            error: None,
        })
    }

    /// A path chosen in a file dialog for one of the fields.
    pub(super) fn picked(&mut self, what: TroublePick, path: &Path) {
        let text = path.display().to_string();
        match what {
            TroublePick::FolderPython => self.python = text,
            TroublePick::FolderNodeProject => self.node = text,
            _ => {}
        }
    }

    /// What the fields say, checked.
    fn checked(&self) -> Result<FolderEnv, String> {
        let field = |s: &str| Some(PathBuf::from(s.trim())).filter(|p| !p.as_os_str().is_empty());
        let env = FolderEnv {
            python: field(&self.python),
            node_project: field(&self.node),
        };
        if let Some(p) = &env.python {
            check_python(p)?;
        }
        if let Some(d) = &env.node_project
            && !(d.is_absolute() && d.join("package.json").is_file())
        {
            return Err(format!(
                "{}: not a folder holding a package.json",
                d.display()
            ));
        }
        Ok(env)
    }

    fn save(&self, dirs: &Dirs) -> Result<PathBuf, String> {
        let env = self.checked()?;
        let mut config = FixerConfig::load_or_default(dirs).map_err(|e| e.to_string())?;
        if env == FolderEnv::default() {
            config.folders.remove(&self.folder);
        } else {
            config.folders.insert(self.folder.clone(), env);
        }
        let path = FixerConfig::path(dirs);
        write_json(&path, &config).map_err(|e| e.to_string())?;
        Ok(path)
    }

    /// Draws the dialog; `Some` when it closes.
    pub(super) fn ui(&mut self, ctx: &egui::Context, sh: &mut Shared) -> Option<EditorAnswer> {
        let modal = egui::Modal::new(egui::Id::unique("folder_env")).show(ctx, |ui| {
            ui.set_max_width(560.0);
            ui.heading("Environment for this folder");
            ui.label(RichText::new(self.folder.display().to_string()).monospace());
            ui.label(
                "Fixes for failures logged here install into this Python and this Node \
                 project when the logs themselves do not name one.",
            );
            ui.add_space(6.0);
            let mut browse = None;
            let fields = [
                (
                    "Python interpreter",
                    &mut self.python,
                    "/srv/app/venv/bin/python",
                    TroublePick::FolderPython,
                ),
                (
                    "Node project folder",
                    &mut self.node,
                    "/srv/web (holds package.json)",
                    TroublePick::FolderNodeProject,
                ),
            ];
            for (name, value, hint, pick) in fields {
                let label = ui.label(name);
                ui.horizontal(|ui| {
                    ui.add(
                        egui::TextEdit::singleline(value)
                            .hint_text(hint)
                            .desired_width(420.0),
                    )
                    .labelled_by(label.id);
                    if ui.button("Browse…").clicked() {
                        browse = Some(pick);
                    }
                });
                ui.add_space(4.0);
            }
            if let Some(what) = browse {
                sh.bg.pick(Picked::Trouble(what), Some(self.folder.clone()));
            }
            if let Some(e) = &self.error {
                ui.label(RichText::new(format!("⚠ {e}")).color(BAD));
            }
            ui.add_space(8.0);
            let mut answer = None;
            ui.horizontal(|ui| {
                if ui.button("Save").clicked() {
                    answer = Some(true);
                }
                if ui.button("Cancel").clicked() {
                    answer = Some(false);
                }
            });
            answer
        });
        match modal.inner? {
            false => Some(EditorAnswer::Cancelled),
            true => match self.save(&sh.dirs.dirs) {
                Ok(path) => {
                    sh.toasts
                        .add(ToastKind::Success, format!("Saved in {}", path.display()));
                    Some(EditorAnswer::Saved)
                }
                Err(e) => {
                    self.error = Some(e);
                    None
                }
            },
        }
    }
}

/// An interpreter a person names must exist and be executable.
fn check_python(p: &Path) -> Result<(), String> {
    if !p.is_absolute() {
        return Err(format!("{}: give the full path", p.display()));
    }
    let meta = std::fs::metadata(p).map_err(|e| format!("{}: {e}", p.display()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if !meta.is_file() || meta.permissions().mode() & 0o111 == 0 {
            return Err(format!("{}: not an executable file", p.display()));
        }
    }
    #[cfg(not(unix))]
    if !meta.is_file() {
        return Err(format!("{}: not a file", p.display()));
    }
    Ok(())
}

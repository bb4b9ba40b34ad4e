//! Where the tab's renders go: Realistic renders saved to the renders folder automatically,
//! "Save As…" (a save dialog, or the renders folder where there is none), PNGs written with
//! their provenance off the UI thread, and "View Full Render" opening the folder.

use super::super::events::{AppEvent, CloPick, Picked};
use super::super::shared::Shared;
use super::CloTab;
use healdeck_render::output::{Provenance, render_file_name, write_png};
use healdeck_render::renderer::Mode;
use std::path::PathBuf;
use std::sync::Arc;

impl CloTab {
    /// `render_config.json`'s renders folder, else `<data>/renders`.
    pub(super) fn renders_dir(&self, sh: &Shared) -> PathBuf {
        self.config.renders_folder(&sh.dirs.dirs)
    }

    /// Save As…: the save dialog; its answer re-renders the current view at full size.
    pub fn save_as(&mut self, sh: &Shared) {
        let stamp = healdeck_config::clock::file_stamp();
        let fallback = self.renders_dir(sh).join(format!("{stamp}-saved.png"));
        sh.bg
            .save_dialog(Picked::Clo(CloPick::SaveRender), fallback);
    }

    /// A Realistic render's automatic file in the renders folder.
    pub(super) fn autosave_path(&self, sh: &Shared) -> PathBuf {
        let spec = self.scene_spec(&sh.settings.clo);
        self.renders_dir(sh)
            .join(render_file_name(&spec, Mode::Realistic))
    }

    /// "📷 View Full Render": opens the renders folder in the file manager. Where none can
    /// (no desktop, no `xdg-open` handler), a toast says so plainly and names the folder.
    pub fn open_renders_folder(&self, sh: &Shared) {
        let dir = self.renders_dir(sh);
        sh.bg.blocking(move |r| {
            let result = std::fs::create_dir_all(&dir)
                .map_err(|e| format!("{}: {e}", dir.display()))
                .and_then(|()| {
                    if show_in_file_manager(&dir) {
                        Ok(())
                    } else {
                        Err(format!(
                            "No file manager is available to show the renders; they are in {}",
                            dir.display()
                        ))
                    }
                });
            if let Err(e) = result {
                r.send(AppEvent::Wrote(Err(e)));
            }
        });
    }

    /// Writes `image` with the current scene's provenance, off the UI thread.
    pub(super) fn write_png(
        &self,
        sh: &Shared,
        path: PathBuf,
        image: Arc<image::RgbaImage>,
        mode: Mode,
        ms: f64,
    ) {
        let spec = self.scene_spec(&sh.settings.clo);
        let meta = Provenance {
            scene: &spec,
            requested: sh.settings.clo.mode,
            rendered: mode,
            fallback_reason: self
                .fallback_reason
                .as_deref()
                .filter(|_| mode != sh.settings.clo.mode),
            adapter: &self.adapter_name,
            render_ms: ms,
            view: sh.settings.clo.view,
        }
        .entries();
        sh.bg.blocking(move |r| {
            let result = write_png(&path, &image, &meta)
                .map(|()| path.clone())
                .map_err(|e| e.to_string());
            r.send(AppEvent::Wrote(result));
        });
    }
}

/// Tries the platform's openers (`xdg-open`, `gio open`, …) in turn; true when one started a
/// file manager. An opener that exits with an error (no handler for folders) counts as none;
/// one still running after a few seconds is the file manager itself.
fn show_in_file_manager(dir: &std::path::Path) -> bool {
    use std::process::Stdio;
    open::commands(dir).into_iter().any(|mut cmd| {
        let Ok(mut child) = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
        else {
            return false;
        };
        let started = std::time::Instant::now();
        while started.elapsed() < std::time::Duration::from_secs(5) {
            match child.try_wait() {
                Ok(Some(status)) => return status.success(),
                Ok(None) => std::thread::sleep(std::time::Duration::from_millis(50)),
                Err(_) => return false,
            }
        }
        true
    })
}

//! Backups: nothing the fixer changes is lost. `clear_cache` moves a folder's contents into
//! `<data>/backups/<id>/` (symlinks are moved as links, never followed out of the folder);
//! files an installer will rewrite (package.json, the pip freeze) are copied there first.
//! `healdeck fix --restore <id>` puts everything back.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub(crate) struct ManifestEntry {
    /// Where the item lived.
    pub original: PathBuf,
    /// Where it is kept, relative to the backup folder.
    pub stored: PathBuf,
    /// `moved` (a cache entry) or `copied` (a snapshot of a file).
    pub how: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub(crate) struct Manifest {
    pub id: String,
    pub created: String,
    pub reason: String,
    pub entries: Vec<ManifestEntry>,
}

/// A backup being written.
#[derive(Debug)]
pub(crate) struct Backup {
    pub id: String,
    pub dir: PathBuf,
    manifest: Manifest,
}

/// Why a backup could not be made or restored; each names the file or id concerned.
#[derive(Debug, thiserror::Error)]
pub enum BackupError {
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{}: {source}", path.display())]
    Manifest {
        path: PathBuf,
        source: serde_json::Error,
    },
    #[error("cannot create a backup folder under {}", .0.display())]
    NoFolder(PathBuf),
    #[error("'{0}' is not a backup id")]
    BadId(String),
    #[error("no backup '{id}' ({}: {source})", path.display())]
    Missing {
        id: String,
        path: PathBuf,
        source: std::io::Error,
    },
}

fn io_err(path: &Path, source: std::io::Error) -> BackupError {
    BackupError::Io {
        path: path.to_path_buf(),
        source,
    }
}

fn manifest_err(path: &Path, source: serde_json::Error) -> BackupError {
    BackupError::Manifest {
        path: path.to_path_buf(),
        source,
    }
}

/// Copies a file, folder or symlink without following symlinks.
fn copy_tree(from: &Path, to: &Path) -> std::io::Result<()> {
    let meta = std::fs::symlink_metadata(from)?;
    if meta.file_type().is_symlink() {
        let target = std::fs::read_link(from)?;
        std::os::unix::fs::symlink(target, to)
    } else if meta.is_dir() {
        std::fs::create_dir_all(to)?;
        for e in std::fs::read_dir(from)? {
            let e = e?;
            copy_tree(&e.path(), &to.join(e.file_name()))?;
        }
        Ok(())
    } else {
        std::fs::copy(from, to).map(|_| ())
    }
}

/// Moves without following symlinks: rename, or copy + remove across filesystems.
fn move_item(from: &Path, to: &Path) -> std::io::Result<()> {
    match std::fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(_) => {
            copy_tree(from, to)?;
            let meta = std::fs::symlink_metadata(from)?;
            if meta.is_dir() {
                std::fs::remove_dir_all(from)
            } else {
                std::fs::remove_file(from)
            }
        }
    }
}

impl Backup {
    /// Starts a backup under `<data>/backups/` with a fresh, sortable id.
    pub(crate) fn create(
        data_dir: &Path,
        label: &str,
        reason: &str,
    ) -> Result<Backup, BackupError> {
        let now = healdeck_config::clock::now_unix();
        let stamp = healdeck_config::clock::iso_of_unix(now as i64)
            .replace([':', '-'], "")
            .replace('T', "-")
            .trim_end_matches('Z')
            .to_string();
        let base = data_dir.join("backups");
        for n in 0..1000 {
            let id = format!("{stamp}-{label}-{n}");
            let dir = base.join(&id);
            if std::fs::create_dir_all(&base).is_ok() && std::fs::create_dir(&dir).is_ok() {
                return Ok(Backup {
                    manifest: Manifest {
                        id: id.clone(),
                        created: healdeck_config::clock::iso_of_unix(now as i64),
                        reason: reason.into(),
                        entries: Vec::new(),
                    },
                    id,
                    dir,
                });
            }
        }
        Err(BackupError::NoFolder(base))
    }

    /// Continues a backup created earlier in this run.
    pub(crate) fn reopen(dir: &Path, id: &str) -> Result<Backup, BackupError> {
        let path = dir.join("manifest.json");
        let text = std::fs::read_to_string(&path).map_err(|e| io_err(&path, e))?;
        let manifest: Manifest = serde_json::from_str(&text).map_err(|e| manifest_err(&path, e))?;
        Ok(Backup {
            id: id.to_string(),
            dir: dir.to_path_buf(),
            manifest,
        })
    }

    /// Moves everything inside `folder` into the backup; returns how many entries moved.
    pub(crate) fn take_contents(&mut self, folder: &Path) -> Result<usize, BackupError> {
        let slot = PathBuf::from(format!("{}", self.manifest.entries.len()));
        let Ok(entries) = std::fs::read_dir(folder) else {
            return Ok(0);
        };
        let mut moved = 0;
        for e in entries.flatten() {
            let rel = slot.join(e.file_name());
            let dest = self.dir.join(&rel);
            if let Some(p) = dest.parent() {
                std::fs::create_dir_all(p).map_err(|err| io_err(p, err))?;
            }
            move_item(&e.path(), &dest).map_err(|err| io_err(&e.path(), err))?;
            self.manifest.entries.push(ManifestEntry {
                original: e.path(),
                stored: rel,
                how: "moved".into(),
            });
            moved += 1;
            self.save()?;
        }
        Ok(moved)
    }

    /// Copies a file into the backup before something rewrites it.
    pub(crate) fn snapshot(&mut self, file: &Path) -> Result<(), BackupError> {
        if !file.exists() {
            return Ok(());
        }
        let rel = PathBuf::from(format!("{}", self.manifest.entries.len()))
            .join(file.file_name().unwrap_or_default());
        let dest = self.dir.join(&rel);
        if let Some(p) = dest.parent() {
            std::fs::create_dir_all(p).map_err(|err| io_err(p, err))?;
        }
        copy_tree(file, &dest).map_err(|err| io_err(file, err))?;
        self.manifest.entries.push(ManifestEntry {
            original: file.to_path_buf(),
            stored: rel,
            how: "copied".into(),
        });
        self.save()
    }

    /// Keeps a text (e.g. `pip freeze` output) in the backup.
    pub(crate) fn keep_text(&mut self, name: &str, text: &str) -> Result<(), BackupError> {
        let path = self.dir.join(name);
        std::fs::write(&path, text).map_err(|e| io_err(&path, e))
    }

    fn save(&self) -> Result<(), BackupError> {
        let path = self.dir.join("manifest.json");
        let text =
            serde_json::to_string_pretty(&self.manifest).map_err(|e| manifest_err(&path, e))?;
        std::fs::write(&path, text).map_err(|e| io_err(&path, e))
    }

    pub(crate) fn finish(self) -> Result<String, BackupError> {
        self.save()?;
        Ok(self.id)
    }
}

/// Puts a backup's entries back. Existing files at the original places are not overwritten;
/// they are listed as conflicts and left in the backup.
pub fn restore(data_dir: &Path, id: &str) -> Result<(usize, Vec<String>), BackupError> {
    if id.contains('/') || id.contains("..") || id.is_empty() {
        return Err(BackupError::BadId(id.to_string()));
    }
    let dir = data_dir.join("backups").join(id);
    let path = dir.join("manifest.json");
    let text = std::fs::read_to_string(&path).map_err(|source| BackupError::Missing {
        id: id.to_string(),
        path: path.clone(),
        source,
    })?;
    let manifest: Manifest = serde_json::from_str(&text).map_err(|e| manifest_err(&path, e))?;
    let mut restored = 0;
    let mut conflicts = Vec::new();
    for entry in &manifest.entries {
        let from = dir.join(&entry.stored);
        let exists = std::fs::symlink_metadata(&entry.original).is_ok();
        if exists && entry.how == "moved" {
            conflicts.push(entry.original.display().to_string());
            continue;
        }
        if let Some(p) = entry.original.parent() {
            std::fs::create_dir_all(p).map_err(|e| io_err(p, e))?;
        }
        let result = if entry.how == "moved" {
            move_item(&from, &entry.original)
        } else {
            copy_tree(
                &from,
                &entry.original.with_extension("healdeck-restore-tmp"),
            )
            .and_then(|_| {
                std::fs::rename(
                    entry.original.with_extension("healdeck-restore-tmp"),
                    &entry.original,
                )
            })
        };
        result.map_err(|e| io_err(&entry.original, e))?;
        restored += 1;
    }
    Ok((restored, conflicts))
}

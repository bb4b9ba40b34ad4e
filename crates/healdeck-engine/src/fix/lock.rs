//! One fixer at a time across processes: a lock file created exclusively in the data folder,
//! holding the owner's pid. A lock left by a process that no longer exists is taken over.

use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug)]
pub(crate) struct FixLock {
    path: PathBuf,
}

/// Why the lock could not be taken.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("another healdeck fix is running (pid {pid}, lock {path}); try again when it ends")]
    Held { pid: u32, path: String },
    #[error("cannot create lock {path}: {message}")]
    Io { path: String, message: String },
}

fn alive(pid: u32) -> bool {
    Path::new(&format!("/proc/{pid}")).exists()
}

impl FixLock {
    pub(crate) fn acquire(data_dir: &Path) -> Result<FixLock, LockError> {
        let path = data_dir.join("fix.lock");
        let io = |e: std::io::Error| LockError::Io {
            path: path.display().to_string(),
            message: e.to_string(),
        };
        std::fs::create_dir_all(data_dir).map_err(io)?;
        for _ in 0..2 {
            match std::fs::OpenOptions::new()
                .write(true)
                .create_new(true)
                .open(&path)
            {
                Ok(mut f) => {
                    // A lock without its owner's pid would look stale to the next fixer.
                    if let Err(e) = write!(f, "{}", std::process::id()) {
                        drop(f);
                        // The write error is what the caller needs to hear; the file is
                        // removed on a best-effort basis (a leftover reads as stale).
                        let _ = std::fs::remove_file(&path);
                        return Err(io(e));
                    }
                    return Ok(FixLock { path });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => {
                    let pid = std::fs::read_to_string(&path)
                        .ok()
                        .and_then(|s| s.trim().parse::<u32>().ok());
                    match pid {
                        Some(pid) if alive(pid) => {
                            return Err(LockError::Held {
                                pid,
                                path: path.display().to_string(),
                            });
                        }
                        _ => {
                            // A stale lock: taken over. If it cannot be removed, the next
                            // round fails to create it and says the lock keeps reappearing.
                            let _ = std::fs::remove_file(&path);
                        }
                    }
                }
                Err(e) => return Err(io(e)),
            }
        }
        Err(LockError::Io {
            path: path.display().to_string(),
            message: "the lock keeps reappearing".into(),
        })
    }
}

impl Drop for FixLock {
    fn drop(&mut self) {
        if let Err(e) = std::fs::remove_file(&self.path) {
            tracing::warn!("could not remove the fix lock {}: {e}", self.path.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn second_holder_is_refused_and_stale_locks_are_taken_over() {
        let d = tempfile::tempdir().expect("tmp");
        let first = FixLock::acquire(d.path()).expect("first");
        assert!(matches!(
            FixLock::acquire(d.path()),
            Err(LockError::Held { .. })
        ));
        drop(first);
        std::fs::write(d.path().join("fix.lock"), "4000000000").expect("stale");
        assert!(FixLock::acquire(d.path()).is_ok());
    }
}

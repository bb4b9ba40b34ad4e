//! The log sources an outside client may read (the MCP server's): a fixed set of roots, and
//! every path it asks for checked against them after `..` and symlinks are resolved.
//!
//! A requested path is canonicalized and must lie inside a root; a folder is expanded the way
//! a scan expands it (links count only when they lead to regular files), and each file found
//! is canonicalized again, so a symlink inside a root that points out of it is left out (and
//! named) rather than followed. The scanner gets the canonical paths. What this does not
//! catch: a folder on the way swapped for a link between this check and the read — a client
//! cannot do that; someone who can write inside the roots could.
//!
//! A path outside the roots and a path that is not there get the same answer, so a client
//! learns nothing about what exists beyond them. A folder inside that cannot be read is
//! skipped and named; the rest is still scanned.

use crate::sources::discover;
use std::path::{Path, PathBuf};

/// The roots a client may read below; canonical paths.
#[derive(Debug, Clone, Default)]
pub struct SourceScope {
    roots: Vec<PathBuf>,
}

/// Why a request for sources was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScopeError {
    #[error(
        "no log sources are configured: add log folders in the window's Troubleshooter, or \
         pass --source PATH"
    )]
    NoSources,
    #[error("{path}: not a file or folder inside the log sources this server may read ({roots})")]
    Outside { path: String, roots: String },
    #[error("{path}: {message}")]
    Unreadable { path: String, message: String },
}

/// The files a request resolved to, and those left out because they lead out of the scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ScopedFiles {
    pub files: Vec<PathBuf>,
    pub refused: Vec<String>,
    /// Folders or files inside the roots that could not be read, with why.
    pub skipped: Vec<String>,
}

impl SourceScope {
    /// A scope over `roots`; a root that does not exist (or cannot be resolved) is returned
    /// with the reason, and left out.
    pub fn new(roots: &[PathBuf]) -> (SourceScope, Vec<ScopeError>) {
        let mut kept = Vec::new();
        let mut problems = Vec::new();
        // Stream sources (journal:, ssh://…) are not files a client can be given.
        let roots = roots
            .iter()
            .filter(|r| !r.to_str().is_some_and(crate::remote::is_source_text));
        for root in roots {
            match root.canonicalize() {
                Ok(c) if !kept.contains(&c) => kept.push(c),
                Ok(_) => {}
                Err(e) => problems.push(ScopeError::Unreadable {
                    path: root.display().to_string(),
                    message: e.to_string(),
                }),
            }
        }
        (SourceScope { roots: kept }, problems)
    }

    /// The roots, canonical.
    pub fn roots(&self) -> &[PathBuf] {
        &self.roots
    }

    /// Whether the canonical path `path` is a root or lies below one.
    fn contains(&self, path: &Path) -> bool {
        self.roots.iter().any(|r| path.starts_with(r))
    }

    /// The log files for `requested` (every root when it is empty). A relative path is taken
    /// relative to the roots (the first where it exists). Any requested path outside the roots
    /// refuses the whole request; files found in folders that lead outside are left out.
    pub fn files(&self, requested: &[PathBuf]) -> Result<ScopedFiles, ScopeError> {
        if self.roots.is_empty() {
            return Err(ScopeError::NoSources);
        }
        let wanted = if requested.is_empty() {
            self.roots.clone()
        } else {
            requested
                .iter()
                .map(|p| self.resolve(p))
                .collect::<Result<Vec<_>, _>>()?
        };
        let (found, errors) = discover(&wanted);
        let mut out = ScopedFiles {
            skipped: errors
                .iter()
                .map(|e| format!("{}: {}", e.path, e.message))
                .collect(),
            ..ScopedFiles::default()
        };
        for f in found {
            match f.path.canonicalize() {
                Ok(c) if self.contains(&c) => {
                    if !out.files.contains(&c) {
                        out.files.push(c);
                    }
                }
                _ => out.refused.push(f.path.display().to_string()),
            }
        }
        Ok(out)
    }

    /// `path` canonical and inside the roots, a regular file or a folder; anything else —
    /// outside, not there, a FIFO or device — gets the same refusal.
    fn resolve(&self, path: &Path) -> Result<PathBuf, ScopeError> {
        let candidates: Vec<PathBuf> = if path.is_absolute() {
            vec![path.to_path_buf()]
        } else {
            self.roots.iter().map(|r| r.join(path)).collect()
        };
        candidates
            .iter()
            .filter_map(|c| c.canonicalize().ok())
            .find(|c| self.contains(c) && (c.is_file() || c.is_dir()))
            .ok_or_else(|| self.outside(path))
    }

    fn outside(&self, path: &Path) -> ScopeError {
        ScopeError::Outside {
            path: path.display().to_string(),
            roots: self
                .roots
                .iter()
                .map(|r| r.display().to_string())
                .collect::<Vec<_>>()
                .join(", "),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (tempfile::TempDir, SourceScope) {
        let dir = tempfile::tempdir().expect("tempdir");
        let logs = dir.path().join("logs");
        std::fs::create_dir_all(logs.join("nested")).expect("mkdir");
        std::fs::write(logs.join("app.log"), "ERROR boom\n").expect("write");
        std::fs::write(logs.join("nested/worker.log"), "ERROR bang\n").expect("write");
        std::fs::write(dir.path().join("secret.log"), "password=hunter2\n").expect("write");
        let (scope, problems) = SourceScope::new(&[logs]);
        assert!(problems.is_empty(), "{problems:?}");
        (dir, scope)
    }

    #[test]
    fn every_log_below_the_roots_when_nothing_is_named() {
        let (dir, scope) = setup();
        let got = scope.files(&[]).expect("files");
        let names: Vec<_> = got
            .files
            .iter()
            .map(|p| {
                p.strip_prefix(dir.path().canonicalize().expect("c"))
                    .expect("inside")
            })
            .collect();
        assert_eq!(
            names,
            [
                Path::new("logs/app.log"),
                Path::new("logs/nested/worker.log")
            ]
        );
    }

    #[test]
    fn relative_and_absolute_paths_inside_are_taken() {
        let (dir, scope) = setup();
        let rel = scope.files(&[PathBuf::from("nested")]).expect("relative");
        assert_eq!(rel.files.len(), 1);
        let abs = scope
            .files(&[dir.path().join("logs/app.log")])
            .expect("absolute");
        assert_eq!(abs.files.len(), 1);
    }

    #[test]
    fn dot_dot_absolute_and_missing_paths_outside_are_refused() {
        let (dir, scope) = setup();
        for p in [
            PathBuf::from("../secret.log"),
            dir.path().join("logs/../secret.log"),
            dir.path().join("secret.log"),
            PathBuf::from("/etc/passwd"),
            PathBuf::from("/nonexistent/elsewhere.log"),
        ] {
            let e = scope.files(std::slice::from_ref(&p)).expect_err("refused");
            assert!(matches!(e, ScopeError::Outside { .. }), "{p:?}: {e}");
            // The same words whether or not the thing exists.
            assert!(e.to_string().contains("not a file or folder inside"), "{e}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_leading_out_are_refused_or_left_out() {
        let (dir, scope) = setup();
        let logs = dir.path().join("logs");
        std::os::unix::fs::symlink(dir.path().join("secret.log"), logs.join("link.log"))
            .expect("symlink");
        std::os::unix::fs::symlink(dir.path(), logs.join("up")).expect("symlink");
        let e = scope
            .files(&[PathBuf::from("link.log")])
            .expect_err("named link out");
        assert!(matches!(e, ScopeError::Outside { .. }), "{e}");
        assert!(matches!(
            scope.files(&[PathBuf::from("up/secret.log")]),
            Err(ScopeError::Outside { .. })
        ));
        let all = scope.files(&[]).expect("files");
        assert!(
            all.files.iter().all(|f| !f.ends_with("secret.log")),
            "{all:?}"
        );
        assert_eq!(all.refused.len(), 1, "{all:?}");
        assert!(all.refused[0].ends_with("link.log"));
    }

    #[cfg(unix)]
    #[test]
    fn a_fifo_is_never_opened_named_or_found() {
        let (dir, scope) = setup();
        let fifo = dir.path().join("logs/pipe.log");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        // Opening it would block this test forever.
        assert!(matches!(
            scope.files(&[PathBuf::from("pipe.log")]),
            Err(ScopeError::Outside { .. })
        ));
        let all = scope.files(&[]).expect("files");
        assert!(
            all.files.iter().all(|f| !f.ends_with("pipe.log")),
            "{all:?}"
        );
    }

    #[test]
    fn no_roots_is_its_own_error() {
        let (scope, problems) = SourceScope::new(&[PathBuf::from("/definitely/not/here")]);
        assert_eq!(problems.len(), 1);
        assert_eq!(scope.files(&[]), Err(ScopeError::NoSources));
    }
}

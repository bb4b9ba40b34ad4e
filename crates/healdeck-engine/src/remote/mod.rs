//! Logs that are not local files: the systemd journal (`journal:`), files and journals on
//! other machines over the system's `ssh` client (`ssh://user@host/var/log/app.log`,
//! `ssh://host/journal`), and container logs (`docker://name`, `podman://name`). Each is read
//! through the program people already use for it — run as argv, never through a local shell —
//! so their keys, agent, `~/.ssh/config`, known hosts and container permissions apply, and the
//! remote side needs nothing but a POSIX shell and `tail` or `journalctl`.
//!
//! Sources are named in the same lists as paths (the command line, the window's source list):
//! [`split_paths`] tells them apart. `spec` parses and validates them; `command` builds the
//! reading commands; `folders` turns a remote folder into its log files; `journal` turns journal entries into log lines; `decode` tracks where to
//! resume; `stream` runs, reads and reconnects; [`Positions`] remembers, across restarts, what
//! was already reported.

mod command;
mod decode;
mod folders;
mod journal;
pub(crate) mod record;
mod spec;
mod stream;

pub use command::{Position, SshSettings};
pub use folders::expand;
pub use spec::{
    ContainerEngine, JournalFilter, RemoteTarget, SpecError, StreamSpec, is_stream_text,
    parse_priority,
};
pub use stream::StreamState;
pub(crate) use stream::{StreamMsg, follow, read_once};

use crate::SourceError;
use crate::receive::{ListenSpec, is_listen_text};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// What a list of paths names: local paths, stream sources, receivers, and the texts that
/// were wrong (each naming why).
#[derive(Debug, Default)]
pub struct Sources {
    pub local: Vec<PathBuf>,
    pub streams: Vec<StreamSpec>,
    pub receivers: Vec<ListenSpec>,
    pub errors: Vec<SourceError>,
}

/// Sorts what a person listed into local paths, stream sources and receivers.
pub fn split_paths(paths: &[PathBuf]) -> Sources {
    let mut out = Sources::default();
    let refuse = |e: SpecError| SourceError {
        path: e.text,
        message: e.reason,
    };
    for p in paths {
        let text = p.to_str().unwrap_or("");
        if is_stream_text(text) {
            match text.parse::<StreamSpec>() {
                Ok(spec) if !out.streams.contains(&spec) => out.streams.push(spec),
                Ok(_) => {}
                Err(e) => out.errors.push(refuse(e)),
            }
        } else if is_listen_text(text) {
            match text.parse::<ListenSpec>() {
                Ok(spec) if !out.receivers.contains(&spec) => out.receivers.push(spec),
                Ok(_) => {}
                Err(e) => out.errors.push(refuse(e)),
            }
        } else {
            out.local.push(p.clone());
        }
    }
    out
}

/// Whether `text` is a source read through a program or a receiver, not a path.
pub fn is_source_text(text: &str) -> bool {
    is_stream_text(text) || is_listen_text(text)
}

/// Where each followed source was last read up to (reported), saved as JSON after every
/// change so a restarted watcher neither misses what was written meanwhile nor reports twice
/// what it had reported.
#[derive(Debug)]
pub struct Positions {
    file: PathBuf,
    map: BTreeMap<String, Position>,
}

impl Positions {
    /// Loads `file`; a missing file is empty, an unreadable one is reported and set aside
    /// (renamed `.bad`), never lost.
    pub fn load(file: &Path) -> Positions {
        let map = match std::fs::read_to_string(file) {
            Ok(text) => serde_json::from_str(&text).unwrap_or_else(|e| {
                tracing::warn!(
                    "[SOURCE] {}: not a positions file ({e}); starting without it",
                    file.display()
                );
                let _ = std::fs::rename(file, file.with_extension("json.bad"));
                BTreeMap::new()
            }),
            Err(_) => BTreeMap::new(),
        };
        Positions {
            file: file.to_path_buf(),
            map,
        }
    }

    pub fn get(&self, spec: &StreamSpec) -> Option<Position> {
        self.map.get(&spec.to_string()).cloned()
    }

    /// Records and saves (write to a temporary file, then rename).
    pub fn set(&mut self, spec: &StreamSpec, position: Position) {
        let key = spec.to_string();
        if self.map.get(&key) == Some(&position) {
            return;
        }
        self.map.insert(key, position);
        let saved = serde_json::to_vec_pretty(&self.map)
            .map_err(std::io::Error::other)
            .and_then(|json| {
                if let Some(dir) = self.file.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                let tmp = self.file.with_extension("json.tmp");
                std::fs::write(&tmp, json)?;
                std::fs::rename(&tmp, &self.file)
            });
        if let Err(e) = saved {
            tracing::warn!("[SOURCE] cannot save {}: {e}", self.file.display());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_and_sources_are_told_apart() {
        let s = split_paths(&[
            PathBuf::from("/var/log/app.log"),
            PathBuf::from("journal:?unit=a.service"),
            PathBuf::from("ssh://h/var/log/x;y"),
            PathBuf::from("docker://web"),
            PathBuf::from("docker://web"),
            PathBuf::from("syslog://127.0.0.1:5514"),
        ]);
        assert_eq!(s.local, [PathBuf::from("/var/log/app.log")]);
        assert_eq!((s.streams.len(), s.receivers.len()), (2, 1));
        assert_eq!(s.errors.len(), 1);
        assert!(s.errors[0].message.contains("`;`"), "{}", s.errors[0]);
    }

    #[test]
    fn positions_survive_a_reload_and_a_broken_file_is_kept_aside() {
        let dir = tempfile::tempdir().expect("tmp");
        let file = dir.path().join("positions.json");
        let spec: StreamSpec = "ssh://h/var/log/a.log".parse().expect("spec");
        let mut p = Positions::load(&file);
        p.set(&spec, Position::Offset(42));
        assert_eq!(
            Positions::load(&file).get(&spec),
            Some(Position::Offset(42))
        );
        std::fs::write(&file, "{broken").expect("write");
        assert_eq!(Positions::load(&file).get(&spec), None);
        assert!(dir.path().join("positions.json.bad").exists());
    }
}

//! The command lines that read a stream source: `journalctl`, `ssh` and `docker`/`podman`,
//! as argv — never through a local shell. Over SSH the remote side runs a command string in
//! the remote user's shell (that is how SSH works); every value in it was validated by
//! `spec` (no quotes, spaces or shell metacharacters) and is single-quoted besides.
//!
//! Each source is read in two phases: `History` reads what is there from a position to its
//! end and exits; `Follow` starts at a position and keeps reading as the source grows.

use super::spec::{JournalFilter, RemoteTarget, StreamSpec};
use std::path::PathBuf;

/// Where to start reading a source again: what was read last.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Position {
    /// Nothing read yet.
    Start,
    /// Bytes of a file read so far.
    Offset(u64),
    /// The journal cursor of the last entry read.
    Cursor(String),
    /// The timestamp (RFC 3339, as the container engine printed it) of the last line read,
    /// every line stamped with it handled (as positions saved before line counts were kept).
    Since(String),
    /// The timestamp of the last line read and how many lines carrying it were read: an
    /// engine stamps each chunk it reads, so a traceback's lines often share one stamp.
    SinceLine(String, u32),
}

impl Position {
    /// A container position: the last timestamp and how many of its lines were read.
    pub(crate) fn since(&self) -> Option<(&str, u32)> {
        match self {
            Position::Since(ts) => Some((ts, u32::MAX)),
            Position::SinceLine(ts, n) => Some((ts, *n)),
            _ => None,
        }
    }
}

/// The two ways a source is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Phase {
    History,
    Follow,
}

/// A program and its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Argv {
    pub program: String,
    pub args: Vec<String>,
}

/// Settings that apply to every SSH source.
#[derive(Debug, Clone, Default)]
pub struct SshSettings {
    /// An `ssh_config` file used instead of `~/.ssh/config` (`-F`); keys, agent and
    /// known_hosts otherwise come from the person's own set-up.
    pub config: Option<PathBuf>,
}

impl SshSettings {
    /// From `HEALDECK_SSH_CONFIG`, when set.
    pub fn from_env() -> Self {
        SshSettings {
            config: std::env::var_os("HEALDECK_SSH_CONFIG").map(PathBuf::from),
        }
    }
}

fn journalctl_args(filter: &JournalFilter, phase: Phase, from: &Position) -> Vec<String> {
    let mut args: Vec<String> = vec!["--output=json".into(), "--no-pager".into()];
    if let Some(path) = &filter.path {
        let flag = if path.is_file() {
            "--file"
        } else {
            "--directory"
        };
        args.push(format!("{flag}={}", path.display()));
    }
    for unit in &filter.units {
        args.push(format!("--unit={unit}"));
    }
    if let Some(p) = filter.max_priority {
        args.push(format!("--priority={p}"));
    }
    match from {
        Position::Cursor(c) => args.push(format!("--after-cursor={c}")),
        // From the start: in follow mode journalctl would otherwise begin with the last ten.
        _ if phase == Phase::Follow => args.push("--lines=all".into()),
        _ => {}
    }
    if phase == Phase::Follow {
        args.push("--follow".into());
    }
    args
}

/// `'text'` for a POSIX shell. `spec` has already refused quotes; this is a second wall.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

fn remote_command(target: &RemoteTarget, phase: Phase, from: &Position) -> String {
    match target {
        RemoteTarget::File(path) => {
            let offset = match from {
                Position::Offset(n) => *n,
                _ => 0,
            };
            let follow = if phase == Phase::Follow { " -F" } else { "" };
            format!("exec tail -c +{}{follow} -- {}", offset + 1, quote(path))
        }
        RemoteTarget::Journal(filter) => {
            let args: Vec<String> = journalctl_args(filter, phase, from)
                .iter()
                .map(|a| quote(a))
                .collect();
            format!("exec journalctl {}", args.join(" "))
        }
    }
}

/// The command that reads `spec` in `phase`, starting after `from`.
pub(crate) fn argv(spec: &StreamSpec, phase: Phase, from: &Position, ssh: &SshSettings) -> Argv {
    match spec {
        StreamSpec::Journal(filter) => Argv {
            program: "journalctl".into(),
            args: journalctl_args(filter, phase, from),
        },
        StreamSpec::Ssh {
            user,
            host,
            port,
            target,
        } => {
            let mut args: Vec<String> = Vec::new();
            if let Some(config) = &ssh.config {
                args.extend(["-F".into(), config.display().to_string()]);
            }
            // No password prompt nobody can answer; a dead link is noticed within ~15 s.
            // Host keys are checked as the person's configuration says (never turned off).
            for option in [
                "BatchMode=yes",
                "ServerAliveInterval=5",
                "ServerAliveCountMax=3",
                "ConnectTimeout=10",
            ] {
                args.extend(["-o".into(), option.into()]);
            }
            args.push("-T".into());
            if let Some(p) = port {
                args.extend(["-p".into(), p.to_string()]);
            }
            if let Some(u) = user {
                args.extend(["-l".into(), u.clone()]);
            }
            args.push("--".into());
            args.push(host.clone());
            args.push(remote_command(target, phase, from));
            Argv {
                program: "ssh".into(),
                args,
            }
        }
        StreamSpec::Container { engine, name } => {
            let mut args = vec!["logs".to_string(), "--timestamps".into()];
            if phase == Phase::Follow {
                args.push("--follow".into());
            }
            if let Some((ts, _)) = from.since() {
                args.push(format!("--since={ts}"));
            }
            args.push("--".into());
            args.push(name.clone());
            Argv {
                program: engine.program().into(),
                args,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(text: &str) -> StreamSpec {
        text.parse().expect("spec")
    }

    #[test]
    fn ssh_file_commands_resume_at_the_next_byte() {
        let a = argv(
            &spec("ssh://deploy@web:2222/var/log/app.log"),
            Phase::Follow,
            &Position::Offset(41),
            &SshSettings::default(),
        );
        assert_eq!(a.program, "ssh");
        let tail = &a.args[a.args.len() - 3..];
        assert_eq!(
            tail,
            ["--", "web", "exec tail -c +42 -F -- '/var/log/app.log'"]
        );
        assert!(a.args.windows(2).any(|w| w == ["-p", "2222"]));
        assert!(a.args.windows(2).any(|w| w == ["-l", "deploy"]));
        assert!(!a.args.iter().any(|x| x.contains("StrictHostKeyChecking")));
    }

    #[test]
    fn journal_commands() {
        let s = spec("journal:?unit=nginx.service&priority=warning");
        let h = argv(
            &s,
            Phase::History,
            &Position::Start,
            &SshSettings::default(),
        );
        assert_eq!(
            h.args,
            [
                "--output=json",
                "--no-pager",
                "--unit=nginx.service",
                "--priority=4"
            ]
        );
        let f = argv(
            &s,
            Phase::Follow,
            &Position::Cursor("s=1;i=2".into()),
            &SshSettings::default(),
        );
        assert!(
            f.args
                .ends_with(&["--after-cursor=s=1;i=2".into(), "--follow".into()])
        );
        let remote = argv(
            &spec("ssh://h/journal?priority=err"),
            Phase::Follow,
            &Position::Cursor("s=1;i=2".into()),
            &SshSettings::default(),
        );
        assert_eq!(
            remote.args.last().map(String::as_str),
            Some(
                "exec journalctl '--output=json' '--no-pager' '--priority=3' \
                 '--after-cursor=s=1;i=2' '--follow'"
            )
        );
    }

    #[test]
    fn container_commands() {
        let a = argv(
            &spec("podman://db"),
            Phase::Follow,
            &Position::Since("2026-12-02T10:00:00.5Z".into()),
            &SshSettings::default(),
        );
        assert_eq!(a.program, "podman");
        assert_eq!(
            a.args,
            [
                "logs",
                "--timestamps",
                "--follow",
                "--since=2026-12-02T10:00:00.5Z",
                "--",
                "db"
            ]
        );
    }

    #[test]
    fn quoting_survives_a_quote_anyway() {
        assert_eq!(quote("a'b"), r"'a'\''b'");
    }
}

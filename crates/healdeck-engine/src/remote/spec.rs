//! Where a stream source lives, parsed once from the text a person gives — `journal:`,
//! `journal:/var/log/journal?unit=nginx.service&priority=warning`, `ssh://user@host:22/var/log/app.log`,
//! `ssh://host/journal`, `docker://web`, `podman://db` — and validated so that every part
//! that reaches another program's argv (or, over SSH, the remote shell) is plain text: a
//! host, user, path, unit or container name with shell metacharacters is refused here, with
//! the reason, before anything runs.

use std::fmt;
use std::path::PathBuf;

/// Journal priorities, by their journalctl names (0 = emerg … 7 = debug).
pub(crate) const PRIORITY_NAMES: [&str; 8] = [
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];

/// What a journal source reads, and which entries.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct JournalFilter {
    /// `--directory` (a journal folder) or `--file` (one `.journal` file); `None`: the system
    /// journal.
    pub path: Option<PathBuf>,
    /// `--unit` filters (any of them).
    pub units: Vec<String>,
    /// Entries at this priority or more severe (0..=7).
    pub max_priority: Option<u8>,
}

/// What an SSH source reads on the remote machine.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RemoteTarget {
    /// A file, followed by name with `tail -F`.
    File(String),
    /// The remote system journal, through the remote `journalctl`.
    Journal(JournalFilter),
}

/// A container engine's command-line client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ContainerEngine {
    Docker,
    Podman,
}

impl ContainerEngine {
    pub fn program(self) -> &'static str {
        match self {
            ContainerEngine::Docker => "docker",
            ContainerEngine::Podman => "podman",
        }
    }
}

/// A log source that is not a local file: read through another program's output.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum StreamSpec {
    Journal(JournalFilter),
    Ssh {
        user: Option<String>,
        host: String,
        port: Option<u16>,
        target: RemoteTarget,
    },
    Container {
        engine: ContainerEngine,
        name: String,
    },
}

/// Why a source's text was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{text}: {reason}")]
pub struct SpecError {
    pub text: String,
    pub reason: String,
}

/// Whether `text` names a stream source rather than a local path (`journal:`, `ssh://`,
/// `docker://`, `podman://`). A local file with such a name is reached as `./journal:x`.
pub fn is_stream_text(text: &str) -> bool {
    ["journal:", "ssh://", "docker://", "podman://"]
        .iter()
        .any(|p| text.starts_with(p))
}

impl std::str::FromStr for StreamSpec {
    type Err = SpecError;

    fn from_str(text: &str) -> Result<Self, SpecError> {
        let fail = |reason: String| SpecError {
            text: text.to_string(),
            reason,
        };
        if let Some(rest) = text.strip_prefix("journal:") {
            let (path, query) = split_query(rest);
            let filter = journal_filter(path, query).map_err(fail)?;
            return Ok(StreamSpec::Journal(filter));
        }
        if let Some(rest) = text.strip_prefix("ssh://") {
            return parse_ssh(rest).map_err(fail);
        }
        for engine in [ContainerEngine::Docker, ContainerEngine::Podman] {
            if let Some(name) = text
                .strip_prefix(engine.program())
                .and_then(|r| r.strip_prefix("://"))
            {
                check_container_name(name).map_err(fail)?;
                return Ok(StreamSpec::Container {
                    engine,
                    name: name.to_string(),
                });
            }
        }
        Err(fail(
            "not a source: use a path, journal:, ssh://, docker:// or podman://".into(),
        ))
    }
}

fn split_query(text: &str) -> (&str, &str) {
    text.split_once('?').unwrap_or((text, ""))
}

fn journal_filter(path: &str, query: &str) -> Result<JournalFilter, String> {
    let mut filter = JournalFilter {
        path: (!path.is_empty()).then(|| PathBuf::from(path)),
        units: Vec::new(),
        max_priority: None,
    };
    if let Some(p) = &filter.path {
        check_remote_path(&p.to_string_lossy())?;
    }
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (key, value) = pair
            .split_once('=')
            .ok_or_else(|| format!("`{pair}`: filters are key=value (unit=…, priority=…)"))?;
        match key {
            "unit" => {
                check_unit(value)?;
                filter.units.push(value.to_string());
            }
            "priority" => filter.max_priority = Some(parse_priority(value)?),
            other => return Err(format!("unknown filter `{other}` (use unit= or priority=)")),
        }
    }
    Ok(filter)
}

/// A priority by name (`err`, `warning`, …) or number (0–7).
pub fn parse_priority(text: &str) -> Result<u8, String> {
    if let Ok(n) = text.parse::<u8>()
        && n <= 7
    {
        return Ok(n);
    }
    let lower = text.to_ascii_lowercase();
    let alias = match lower.as_str() {
        "error" => "err",
        "warn" => "warning",
        "critical" => "crit",
        "emergency" | "panic" => "emerg",
        other => other,
    };
    PRIORITY_NAMES
        .iter()
        .position(|n| *n == alias)
        .map(|p| p as u8)
        .ok_or_else(|| {
            format!(
                "priority `{text}` is not one of {}",
                PRIORITY_NAMES.join(", ")
            )
        })
}

fn parse_ssh(rest: &str) -> Result<StreamSpec, String> {
    let (authority, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => return Err("no path after the host (ssh://user@host/var/log/app.log)".into()),
    };
    let (user, hostport) = match authority.rsplit_once('@') {
        Some((u, h)) => (Some(u), h),
        None => (None, authority),
    };
    if let Some(u) = user {
        check_user(u)?;
    }
    let (host, port) = split_port(hostport)?;
    check_host(host)?;
    let (path, query) = split_query(path);
    let target = if path == "/journal" {
        RemoteTarget::Journal(journal_filter("", query)?)
    } else {
        if !query.is_empty() {
            return Err("filters (?…) apply only to /journal".into());
        }
        check_remote_path(path)?;
        RemoteTarget::File(path.to_string())
    };
    Ok(StreamSpec::Ssh {
        user: user.map(str::to_string),
        host: host.to_string(),
        port,
        target,
    })
}

fn split_port(hostport: &str) -> Result<(&str, Option<u16>), String> {
    // `[::1]:2222` or `host:2222`; a bare IPv6 address needs brackets.
    if let Some(inner) = hostport.strip_prefix('[') {
        let (host, after) = inner
            .split_once(']')
            .ok_or("an IPv6 host needs its closing `]`")?;
        let port = match after.strip_prefix(':') {
            Some(p) => Some(parse_port(p)?),
            None if after.is_empty() => None,
            None => return Err(format!("unexpected `{after}` after the host")),
        };
        return Ok((host, port));
    }
    match hostport.split_once(':') {
        Some((host, p)) => Ok((host, Some(parse_port(p)?))),
        None => Ok((hostport, None)),
    }
}

fn parse_port(text: &str) -> Result<u16, String> {
    text.parse::<u16>()
        .ok()
        .filter(|p| *p > 0)
        .ok_or_else(|| format!("port `{text}` is not a number from 1 to 65535"))
}

fn plain(text: &str, what: &str, extra: &[char]) -> Result<(), String> {
    if text.is_empty() {
        return Err(format!("the {what} is empty"));
    }
    if text.starts_with('-') {
        return Err(format!("the {what} `{text}` starts with `-`"));
    }
    match text
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || extra.contains(c)))
    {
        Some(c) => Err(format!(
            "the {what} `{text}` holds `{c}`, which is not allowed"
        )),
        None => Ok(()),
    }
}

fn check_user(u: &str) -> Result<(), String> {
    plain(u, "user", &['.', '_', '-'])
}

fn check_host(h: &str) -> Result<(), String> {
    plain(h, "host", &['.', '-', '_', ':'])
}

fn check_unit(u: &str) -> Result<(), String> {
    plain(u, "unit", &['.', '-', '_', '@', ':', '\\'])
}

fn check_container_name(n: &str) -> Result<(), String> {
    plain(n, "container name", &['.', '-', '_'])
}

/// A path that is safe to put, single-quoted, on a remote command line: absolute, no `..`,
/// and only letters, digits and `/ . _ - + , @ %` (no quotes, spaces, `$`, `;`, `|`, `` ` ``,
/// newlines…).
pub(crate) fn check_remote_path(p: &str) -> Result<(), String> {
    if !p.starts_with('/') {
        return Err(format!("the path `{p}` is not absolute"));
    }
    if p.split('/').any(|part| part == "..") {
        return Err(format!("the path `{p}` holds `..`"));
    }
    plain(p, "path", &['/', '.', '_', '-', '+', ',', '@', '%'])
}

impl fmt::Display for JournalFilter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if let Some(p) = &self.path {
            write!(f, "{}", p.display())?;
        }
        let mut sep = '?';
        for u in &self.units {
            write!(f, "{sep}unit={u}")?;
            sep = '&';
        }
        if let Some(p) = self.max_priority {
            write!(f, "{sep}priority={}", PRIORITY_NAMES[p as usize])?;
        }
        Ok(())
    }
}

/// The canonical text of a source: the name shown in lists and reports, and the key its
/// resume position is saved under.
impl fmt::Display for StreamSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StreamSpec::Journal(filter) => write!(f, "journal:{filter}"),
            StreamSpec::Ssh {
                user,
                host,
                port,
                target,
            } => {
                write!(f, "ssh://")?;
                if let Some(u) = user {
                    write!(f, "{u}@")?;
                }
                if host.contains(':') {
                    write!(f, "[{host}]")?;
                } else {
                    write!(f, "{host}")?;
                }
                if let Some(p) = port {
                    write!(f, ":{p}")?;
                }
                match target {
                    RemoteTarget::File(path) => write!(f, "{path}"),
                    RemoteTarget::Journal(filter) => write!(f, "/journal{filter}"),
                }
            }
            StreamSpec::Container { engine, name } => write!(f, "{}://{name}", engine.program()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(t: &str) -> Result<StreamSpec, SpecError> {
        t.parse()
    }

    #[test]
    fn sources_parse_and_print_back() {
        for text in [
            "journal:",
            "journal:/var/log/journal?unit=nginx.service&unit=a@1.service&priority=warning",
            "ssh://deploy@web-1.example.com:2222/var/log/app.log",
            "ssh://web/var/log/syslog",
            "ssh://root@[::1]:22/journal?priority=err",
            "docker://api_1",
            "podman://db",
        ] {
            let spec = parse(text).unwrap_or_else(|e| panic!("{text}: {e}"));
            assert_eq!(spec.to_string(), text);
        }
        assert_eq!(
            parse("journal:?priority=3").map(|s| s.to_string()),
            Ok("journal:?priority=err".into())
        );
    }

    #[test]
    fn shell_metacharacters_are_refused_with_the_reason() {
        for (text, says) in [
            ("ssh://h/var/log/a;rm -rf ~", "`;`"),
            ("ssh://h/var/log/$(reboot).log", "`$`"),
            ("ssh://h/var/log/a'b", "`'`"),
            ("ssh://h/var/log/a`id`", "not allowed"),
            ("ssh://h/var/log/a\nb", "not allowed"),
            ("ssh://-oProxyCommand=x/var/log/a", "starts with `-`"),
            ("ssh://h/../etc/shadow", "`..`"),
            ("ssh://h/var/log/a b.log", "not allowed"),
            ("ssh://us;er@h/var/log/a", "user"),
            ("ssh://h:99999/var/log/a", "port"),
            ("ssh://h", "no path"),
            ("ssh://h/var/log/a?unit=x", "only to /journal"),
            ("docker://a b", "container name"),
            ("docker://-v", "starts with `-`"),
            ("journal:?unit=a;b", "unit"),
            ("journal:?priority=loud", "priority"),
            ("journal:?since=1", "unknown filter"),
        ] {
            let err = parse(text).expect_err(text);
            assert!(err.to_string().contains(says), "{text}: {err}");
        }
    }

    #[test]
    fn stream_text_is_told_from_paths() {
        assert!(is_stream_text("journal:"));
        assert!(is_stream_text("ssh://h/x"));
        assert!(!is_stream_text("./journal:x"));
        assert!(!is_stream_text("/var/log/ssh://"));
    }
}

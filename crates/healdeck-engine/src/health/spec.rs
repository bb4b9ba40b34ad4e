//! What a validated check is: its kind with the kind's own settings, its interval and time
//! limit, the failure threshold (N failures within M cycles), its severity, the log source or
//! service it belongs with, and the remediation it may run.

use crate::model::{Category, Severity};
use std::path::PathBuf;

/// One check from `health.toml`, validated.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub kind: Kind,
    pub interval_s: u64,
    /// How long one probe may take before it counts as failed (timed out).
    pub timeout_s: u64,
    /// The check is failing once `failures` of its last `cycles` results failed.
    pub failures: u32,
    pub cycles: u32,
    pub severity: Severity,
    /// The category its failures get instead of the kind's own.
    pub category: Option<Category>,
    /// The log (path or file name) or service the check watches: its issue sits next to
    /// that log's issues in the feed.
    pub source: Option<String>,
    pub action: Option<ActionSpec>,
    /// Where the check's table starts in the file.
    pub line: usize,
}

/// The kinds of check and what each looks at.
#[derive(Debug, Clone)]
pub enum Kind {
    Http(Box<HttpSpec>),
    Tcp {
        host: String,
        port: u16,
        max_latency_ms: Option<u64>,
    },
    Process {
        name: Option<String>,
        pidfile: Option<PathBuf>,
        max_cpu_percent: Option<f64>,
        max_rss_mb: Option<u64>,
    },
    Disk {
        path: PathBuf,
        min_free_percent: Option<f64>,
        min_free_mb: Option<u64>,
    },
    Memory {
        min_available_percent: f64,
    },
    File {
        path: PathBuf,
        /// Failing when not modified within this many seconds.
        max_age_s: Option<u64>,
        /// Failing when it did not grow since the previous cycle.
        must_grow: bool,
    },
    Systemd {
        unit: String,
    },
    Command {
        argv: Vec<String>,
        expect_exit: i32,
    },
}

impl Kind {
    pub fn name(&self) -> &'static str {
        match self {
            Kind::Http(_) => "http",
            Kind::Tcp { .. } => "tcp",
            Kind::Process { .. } => "process",
            Kind::Disk { .. } => "disk",
            Kind::Memory { .. } => "memory",
            Kind::File { .. } => "file",
            Kind::Systemd { .. } => "systemd",
            Kind::Command { .. } => "command",
        }
    }

    /// What the check looks at, in a few words (`http://127.0.0.1:8080/health`).
    pub fn target(&self) -> String {
        match self {
            Kind::Http(h) => without_userinfo(&h.url),
            Kind::Tcp { host, port, .. } => format!("{host}:{port}"),
            Kind::Process { name: Some(n), .. } => format!("process {n}"),
            Kind::Process { pidfile, .. } => format!(
                "pidfile {}",
                pidfile
                    .as_ref()
                    .map_or(String::new(), |p| p.display().to_string())
            ),
            Kind::Disk { path, .. } | Kind::File { path, .. } => path.display().to_string(),
            Kind::Memory { .. } => "host memory".into(),
            Kind::Systemd { unit } => unit.clone(),
            Kind::Command { argv, .. } => crate::redact::redact(&argv.join(" ")).text,
        }
    }
}

/// `https://user:secret@host/…` → `https://***@host/…`: what the window, issues and reports
/// show of a check's URL.
pub fn without_userinfo(url: &str) -> String {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return url.to_string();
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{}***{}", &url[..scheme_end], &rest[at..]),
        None => url.to_string(),
    }
}

/// An `http` check's settings.
#[derive(Debug, Clone)]
pub struct HttpSpec {
    pub url: String,
    pub target: HttpTarget,
    /// The status expected; any 2xx or 3xx when unset.
    pub expect_status: Option<u16>,
    pub body_regex: Option<regex::Regex>,
    pub max_latency_ms: Option<u64>,
    /// Warn (fail) when the server's certificate expires within this many days.
    pub cert_warn_days: Option<u32>,
    /// The CA certificates (PEM) to trust instead of the public web's, for a private CA.
    pub ca_file: Option<PathBuf>,
}

/// The parts of an http(s) URL a check needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HttpTarget {
    pub https: bool,
    pub host: String,
    pub port: u16,
}

impl HttpTarget {
    /// Refuses anything but an absolute http:// or https:// URL with a host.
    pub fn parse(url: &str) -> Result<HttpTarget, String> {
        let uri: ureq::http::Uri = url
            .parse()
            .map_err(|e| format!("'{url}' is not a URL: {e}"))?;
        let https = match uri.scheme_str() {
            Some("http") => false,
            Some("https") => true,
            Some(other) => return Err(format!("'{url}': scheme {other} is not http or https")),
            None => return Err(format!("'{url}' is not an absolute http(s) URL")),
        };
        let host = uri
            .host()
            .filter(|h| !h.is_empty())
            .ok_or_else(|| format!("'{url}' has no host"))?;
        Ok(HttpTarget {
            https,
            host: host.trim_matches(['[', ']']).to_string(),
            port: uri.port_u16().unwrap_or(if https { 443 } else { 80 }),
        })
    }
}

/// A remediation action and the limits on it.
#[derive(Debug, Clone, PartialEq)]
pub struct ActionSpec {
    pub action: Action,
    /// Class A (runs without asking) only when the person marked it so; class B otherwise.
    pub unattended: bool,
    /// Circuit breaker: at most this many actions within `within_cycles` failing cycles…
    pub max_actions: u32,
    pub within_cycles: u32,
    /// …and the count starts again only after the check stayed healthy this long.
    pub reset_after_s: u64,
    /// How long the check is given to pass again after an action.
    pub verify_s: u64,
}

/// What a check may do about its failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// A service named in `fixer.json`'s `services`.
    RestartService(String),
    /// A command of the check's own (argv, no shell).
    Command(Vec<String>),
    /// `fixer.json`'s cache folders, moved into a restorable backup.
    ClearCache,
}

impl Action {
    pub fn name(&self) -> &'static str {
        match self {
            Action::RestartService(_) => "restart_service",
            Action::Command(_) => "command",
            Action::ClearCache => "clear_cache",
        }
    }

    pub fn describe(&self) -> String {
        match self {
            Action::RestartService(s) => format!("restart service '{s}'"),
            Action::Command(argv) => format!("run `{}`", argv.join(" ")),
            Action::ClearCache => "clear the configured cache folders".into(),
        }
    }
}

//! Logs a fleet forwards to healdeck: a syslog receiver (`syslog://127.0.0.1:5514`: RFC 5424
//! and 3164 over UDP and TCP, octet-counted or newline framing; `syslog+tls://…?cert=&key=`
//! for RFC 5425 over TLS with rustls) for rsyslog, syslog-ng and
//! journald's forwarding, and an OpenTelemetry logs receiver (`otlp://127.0.0.1:4318`: OTLP/HTTP
//! `/v1/logs`, protobuf or JSON) for collectors, Fluent Bit, Vector and the OpenTelemetry SDKs,
//! so the pipeline a team already runs can send here. Each sending host becomes a source of its
//! own (`syslog:web-1`, `otlp:checkout`). Receivers listen on loopback unless an
//! address says otherwise, hold bounded queues, cap message sizes and connections, and count
//! what they cut or refused.
//!
//! `syslog` parses messages into records; `framing` splits a TCP stream into messages;
//! `syslog_server` runs the sockets; `otlp` reads OTLP requests into records; `otlp_server`
//! serves HTTP.

mod framing;
mod otlp;
mod otlp_server;
mod syslog;
mod syslog_server;

use crate::remote::StreamState;
use crate::remote::record::Record;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64};
use std::time::Duration;

/// What a receiver speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Protocol {
    Syslog,
    /// Syslog over TLS (RFC 5425): TCP only, a certificate and key of the receiver's own.
    SyslogTls,
    Otlp,
}

impl Protocol {
    pub fn scheme(self) -> &'static str {
        match self {
            Protocol::Syslog => "syslog",
            Protocol::SyslogTls => "syslog+tls",
            Protocol::Otlp => "otlp",
        }
    }

    fn default_port(self) -> u16 {
        match self {
            Protocol::Syslog => 5514,
            Protocol::SyslogTls => 6514,
            Protocol::Otlp => 4318,
        }
    }
}

/// A receiver: its protocol and the address it listens on.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ListenSpec {
    pub protocol: Protocol,
    pub addr: SocketAddr,
    /// For `syslog+tls`: the certificate chain and private key (PEM files).
    pub tls: Option<(PathBuf, PathBuf)>,
}

/// Whether `text` names a receiver (`syslog://…`, `syslog+tls://…`, `otlp://…`).
pub fn is_listen_text(text: &str) -> bool {
    ["syslog://", "syslog+tls://", "otlp://"]
        .iter()
        .any(|p| text.starts_with(p))
}

/// `cert=…&key=…` of a TLS receiver.
fn tls_files(query: &str) -> Result<(PathBuf, PathBuf), String> {
    let (mut cert, mut key) = (None, None);
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("cert", v)) if !v.is_empty() => cert = Some(PathBuf::from(v)),
            Some(("key", v)) if !v.is_empty() => key = Some(PathBuf::from(v)),
            _ => return Err(format!("`{pair}`: a TLS receiver takes cert=FILE&key=FILE")),
        }
    }
    match (cert, key) {
        (Some(c), Some(k)) => Ok((c, k)),
        _ => Err("a TLS receiver needs ?cert=FILE&key=FILE (PEM)".into()),
    }
}

impl std::str::FromStr for ListenSpec {
    type Err = crate::remote::SpecError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let fail = |reason: String| crate::remote::SpecError {
            text: text.to_string(),
            reason,
        };
        let (protocol, rest) = match text.split_once("://") {
            Some(("syslog", rest)) => (Protocol::Syslog, rest),
            Some(("syslog+tls", rest)) => (Protocol::SyslogTls, rest),
            Some(("otlp", rest)) => (Protocol::Otlp, rest),
            _ => {
                return Err(fail(
                    "not a receiver: use syslog://ADDRESS:PORT or otlp://ADDRESS:PORT".into(),
                ));
            }
        };
        let (rest, query) = rest.split_once('?').unwrap_or((rest, ""));
        let tls = match protocol {
            Protocol::SyslogTls => Some(tls_files(query).map_err(fail)?),
            _ if !query.is_empty() => {
                return Err(fail("only syslog+tls:// takes settings after `?`".into()));
            }
            _ => None,
        };
        let rest = rest.strip_suffix('/').unwrap_or(rest);
        let loopback = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let addr = if rest.is_empty() {
            SocketAddr::new(loopback, protocol.default_port())
        } else if let Ok(a) = rest.parse::<SocketAddr>() {
            a
        } else if let Ok(ip) = rest.trim_matches(['[', ']']).parse::<IpAddr>() {
            SocketAddr::new(ip, protocol.default_port())
        } else if let Some(port) = rest.strip_prefix("localhost:").or(rest.strip_prefix(':')) {
            let port = port
                .parse()
                .map_err(|_| fail(format!("port `{port}` is not a number from 0 to 65535")))?;
            SocketAddr::new(loopback, port)
        } else if rest == "localhost" {
            SocketAddr::new(loopback, protocol.default_port())
        } else {
            return Err(fail(format!(
                "`{rest}` is not an address to listen on (an IP address and port, such as \
                 127.0.0.1:5514 or 0.0.0.0:514)"
            )));
        };
        Ok(ListenSpec {
            protocol,
            addr,
            tls,
        })
    }
}

impl std::fmt::Display for ListenSpec {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}://{}", self.protocol.scheme(), self.addr)?;
        match &self.tls {
            Some((cert, key)) => write!(f, "?cert={}&key={}", cert.display(), key.display()),
            None => Ok(()),
        }
    }
}

/// The bounds every receiver keeps.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Bytes kept of one message (the rest is cut and marked).
    pub max_message: usize,
    /// TCP connections served at once; more are closed as they arrive.
    pub max_connections: usize,
    /// A TCP connection with nothing to say for this long is closed.
    pub idle_timeout: Duration,
    /// Sending hosts kept apart; messages from hosts beyond this share one source.
    pub max_hosts: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_message: 64 << 10,
            max_connections: 256,
            idle_timeout: Duration::from_secs(600),
            max_hosts: 1000,
        }
    }
}

/// What a receiver counted.
#[derive(Debug, Default)]
pub struct ReceiverStats {
    pub messages: AtomicU64,
    /// Messages cut to `max_message`.
    pub cut: AtomicU64,
    /// Connections closed at once because `max_connections` were open.
    pub refused: AtomicU64,
    /// Connections closed for framing that made no sense.
    pub malformed: AtomicU64,
}

/// A record and the host it came from.
#[derive(Debug)]
pub(crate) struct Received {
    pub host: String,
    pub record: Record,
}

/// What a receiver tells the watcher.
#[derive(Debug)]
pub(crate) enum ReceiverMsg {
    Records(Vec<Received>),
    State(StreamState),
}

/// Runs the receiver for `spec` until `quit`.
pub(crate) fn serve(
    spec: &ListenSpec,
    limits: &Limits,
    stats: &std::sync::Arc<ReceiverStats>,
    quit: &AtomicBool,
    send: &(impl Fn(ReceiverMsg) -> bool + Sync),
) {
    match spec.protocol {
        Protocol::Syslog => syslog_server::serve(spec.addr, limits, stats, quit, send, None),
        Protocol::SyslogTls => {
            let config = spec
                .tls
                .as_ref()
                .ok_or_else(|| "no certificate and key".to_string())
                .and_then(|(cert, key)| syslog_server::tls_config(cert, key));
            match config {
                Ok(c) => syslog_server::serve(spec.addr, limits, stats, quit, send, Some(c)),
                Err(reason) => {
                    send(ReceiverMsg::State(StreamState::Failed { reason }));
                }
            }
        }
        Protocol::Otlp => otlp_server::serve(spec.addr, limits, stats, quit, send),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn receivers_listen_on_loopback_unless_told() {
        let s: ListenSpec = "syslog://".parse().expect("spec");
        assert_eq!(s.to_string(), "syslog://127.0.0.1:5514");
        let s: ListenSpec = "syslog://0.0.0.0:514".parse().expect("spec");
        assert_eq!(s.addr.port(), 514);
        let s: ListenSpec = "syslog://[::1]:6514".parse().expect("spec");
        assert_eq!(s.to_string(), "syslog://[::1]:6514");
        let s: ListenSpec = "syslog://localhost:7000".parse().expect("spec");
        assert_eq!(s.to_string(), "syslog://127.0.0.1:7000");
        let s: ListenSpec = "syslog+tls://0.0.0.0:6514?cert=/etc/c.pem&key=/etc/k.pem"
            .parse()
            .expect("spec");
        assert_eq!(
            s.to_string(),
            "syslog+tls://0.0.0.0:6514?cert=/etc/c.pem&key=/etc/k.pem"
        );
        assert!("syslog+tls://127.0.0.1:6514".parse::<ListenSpec>().is_err());
        assert!(
            "syslog://127.0.0.1:5514?cert=x"
                .parse::<ListenSpec>()
                .is_err()
        );
        let s: ListenSpec = "otlp://".parse().expect("spec");
        assert_eq!(s.to_string(), "otlp://127.0.0.1:4318");
        for bad in [
            "syslog://example.com:514",
            "syslog://1.2.3.4:99999",
            "udp://x",
        ] {
            assert!(bad.parse::<ListenSpec>().is_err(), "{bad}");
        }
    }
}

//! One probe of one check: does the thing it watches work right now? Blocking code (HTTP,
//! connects, commands, `/proc`), run by the monitor on its blocking pool under the check's
//! time limit. A probe that cannot run here at all (no systemd on this machine) says so as
//! `unavailable` rather than failing.

use super::host;
use super::spec::{Check, HttpSpec, Kind};
use crate::fix::exec;
use crate::model::Category;
use std::io::Read;
use std::net::{TcpStream, ToSocketAddrs};
use std::time::{Duration, Instant};

/// What one probe found.
#[derive(Debug, Clone, PartialEq)]
pub struct Probe {
    pub ok: bool,
    /// The check cannot run on this machine; neither a pass nor a failure.
    pub unavailable: bool,
    pub latency_ms: Option<u64>,
    /// One line: `HTTP 200 in 12 ms`, `connection refused`, `12.5 % free (< 20 %)`.
    pub detail: String,
    /// The category a failure gets (the check's own setting overrides it).
    pub category: Category,
}

impl Probe {
    pub(crate) fn pass(detail: impl Into<String>, latency_ms: Option<u64>) -> Probe {
        Probe {
            ok: true,
            unavailable: false,
            latency_ms,
            detail: detail.into(),
            category: Category::Unknown,
        }
    }

    pub(crate) fn fail(category: Category, detail: impl Into<String>) -> Probe {
        Probe {
            ok: false,
            unavailable: false,
            latency_ms: None,
            detail: detail.into(),
            category,
        }
    }

    pub(crate) fn unavailable(detail: impl Into<String>) -> Probe {
        Probe {
            unavailable: true,
            ..Probe::fail(Category::Unknown, detail)
        }
    }

    fn with_latency(mut self, ms: u64) -> Probe {
        self.latency_ms = Some(ms);
        self
    }

    /// A probe stopped at the check's time limit.
    pub fn timed_out(timeout: Duration) -> Probe {
        Probe::fail(
            Category::Timeout,
            format!("no answer within {} s", timeout.as_secs()),
        )
        .with_latency(timeout.as_millis() as u64)
    }
}

/// What a probe remembers between cycles (CPU time for a CPU %, a file's size for growth).
#[derive(Debug, Default, Clone)]
pub struct Memory {
    pub(crate) cpu: Option<(Instant, u64)>,
    pub(crate) size: Option<u64>,
    /// A named process's instances, and when `/proc` was last scanned for them.
    pub(crate) pids: Vec<u32>,
    pub(crate) scanned: Option<Instant>,
    /// The HTTP client, built once per check (it pools no connection: each probe connects).
    pub(crate) agent: Option<ureq::Agent>,
}

/// Runs one probe of `check`, blocking for at most about its time limit.
pub fn run(check: &Check, memory: &mut Memory) -> Probe {
    let timeout = Duration::from_secs(check.timeout_s);
    match &check.kind {
        Kind::Http(spec) => {
            let agent = match &memory.agent {
                Some(a) => a.clone(),
                None => match agent_for(spec, timeout) {
                    Ok(a) => memory.agent.insert(a).clone(),
                    Err(p) => return p,
                },
            };
            http(&agent, spec, timeout)
        }
        Kind::Tcp {
            host,
            port,
            max_latency_ms,
        } => tcp(host, *port, *max_latency_ms, timeout),
        Kind::Process {
            name,
            pidfile,
            max_cpu_percent,
            max_rss_mb,
        } => host::process(
            name.as_deref(),
            pidfile.as_deref(),
            *max_cpu_percent,
            *max_rss_mb,
            memory,
        ),
        Kind::Disk {
            path,
            min_free_percent,
            min_free_mb,
        } => host::disk(path, *min_free_percent, *min_free_mb),
        Kind::Memory {
            min_available_percent,
        } => host::memory(*min_available_percent),
        Kind::File {
            path,
            max_age_s,
            must_grow,
        } => host::file(path, *max_age_s, *must_grow, memory),
        Kind::Systemd { unit } => systemd(unit, timeout),
        Kind::Command { argv, expect_exit } => command(argv, *expect_exit, timeout),
    }
}

fn ms_since(t: Instant) -> u64 {
    t.elapsed().as_millis() as u64
}

/// The HTTP client of a check: a fresh connection each time (a pooled one would hide a
/// listener that went away), no redirects followed, no proxy from the environment for
/// loopback targets, the check's own CA when it names one.
fn agent_for(spec: &HttpSpec, timeout: Duration) -> Result<ureq::Agent, Probe> {
    // Each phase has the check's time limit, but name resolution has none of ureq's own: it
    // would start a thread for every request. A resolver that hangs is cut off by the
    // monitor's limit on the whole probe.
    let limit = Some(timeout);
    let mut config = ureq::Agent::config_builder()
        .timeout_connect(limit)
        .timeout_send_request(limit)
        .timeout_recv_response(limit)
        .timeout_recv_body(limit)
        .http_status_as_error(false)
        // A health answer is small: 128 KiB buffers zeroed for every probe cost more than
        // the request itself.
        .input_buffer_size(32 * 1024)
        .output_buffer_size(4 * 1024)
        .max_idle_connections(0)
        .max_redirects(0);
    if is_loopback(&spec.target.host) {
        config = config.proxy(None);
    }
    if let Some(ca) = &spec.ca_file {
        match private_roots(ca) {
            Ok(tls) => config = config.tls_config(tls),
            Err(e) => return Err(Probe::fail(Category::Config, e)),
        }
    }
    Ok(config.build().into())
}

fn http(agent: &ureq::Agent, spec: &HttpSpec, timeout: Duration) -> Probe {
    let started = Instant::now();
    let response = match agent.get(&spec.url).call() {
        Ok(r) => r,
        Err(e) => return http_error(e, timeout, started),
    };
    let status = response.status().as_u16();
    let mut body = String::new();
    if spec.body_regex.is_some() {
        // The first 64 KiB is what a health endpoint's answer is judged by.
        let _ = response
            .into_body()
            .into_reader()
            .take(64 * 1024)
            .read_to_string(&mut body);
    }
    let ms = ms_since(started);
    let status_ok = match spec.expect_status {
        Some(want) => status == want,
        None => (200..400).contains(&status),
    };
    if !status_ok {
        let want = spec
            .expect_status
            .map_or("2xx/3xx".to_string(), |s| s.to_string());
        return Probe::fail(
            Category::Http,
            format!("HTTP {status} in {ms} ms (expected {want})"),
        )
        .with_latency(ms);
    }
    if let Some(re) = &spec.body_regex
        && !re.is_match(&body)
    {
        return Probe::fail(
            Category::Http,
            format!(
                "HTTP {status}, but the body does not match /{}/",
                re.as_str()
            ),
        )
        .with_latency(ms);
    }
    if let Some(max) = spec.max_latency_ms
        && ms > max
    {
        return Probe::fail(
            Category::Timeout,
            format!("HTTP {status} in {ms} ms, slower than {max} ms"),
        )
        .with_latency(ms);
    }
    if let Some(days) = spec.cert_warn_days {
        match super::tls::expiry(&spec.target, spec.ca_file.as_deref(), timeout) {
            Ok(left) if left.days_left < i64::from(days) => {
                return Probe::fail(
                    Category::Network,
                    format!(
                        "TLS certificate expires in {} day(s), on {} (warning at {days})",
                        left.days_left, left.not_after
                    ),
                )
                .with_latency(ms);
            }
            Ok(_) => {}
            Err(e) => return Probe::fail(Category::Network, e).with_latency(ms),
        }
    }
    Probe::pass(format!("HTTP {status} in {ms} ms"), Some(ms))
}

/// A TLS configuration trusting only the certificates of `ca_file` (PEM).
fn private_roots(ca_file: &std::path::Path) -> Result<ureq::tls::TlsConfig, String> {
    let pem = std::fs::read(ca_file).map_err(|e| format!("ca_file {}: {e}", ca_file.display()))?;
    let certs: Vec<_> = ureq::tls::parse_pem(&pem)
        .filter_map(|item| match item {
            Ok(ureq::tls::PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .collect();
    if certs.is_empty() {
        return Err(format!(
            "ca_file {} holds no certificate",
            ca_file.display()
        ));
    }
    Ok(ureq::tls::TlsConfig::builder()
        .root_certs(ureq::tls::RootCerts::new_with_certs(&certs))
        .build())
}

fn http_error(e: ureq::Error, timeout: Duration, started: Instant) -> Probe {
    let ms = ms_since(started);
    match e {
        ureq::Error::Timeout(_) => Probe::timed_out(timeout),
        ureq::Error::Io(io) => io_failure(&io).with_latency(ms),
        ureq::Error::Tls(t) => {
            Probe::fail(Category::Network, format!("TLS failed: {t}")).with_latency(ms)
        }
        other => Probe::fail(Category::Network, other.to_string()).with_latency(ms),
    }
}

fn io_failure(e: &std::io::Error) -> Probe {
    use std::io::ErrorKind as K;
    match e.kind() {
        K::ConnectionRefused => Probe::fail(Category::Network, "connection refused"),
        K::TimedOut | K::WouldBlock => Probe::fail(Category::Timeout, "connect timed out"),
        K::HostUnreachable | K::NetworkUnreachable => {
            Probe::fail(Category::Network, format!("unreachable: {e}"))
        }
        _ => Probe::fail(Category::Network, e.to_string()),
    }
}

fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

fn tcp(host: &str, port: u16, max_latency_ms: Option<u64>, timeout: Duration) -> Probe {
    let started = Instant::now();
    let addrs: Vec<_> = match (host, port).to_socket_addrs() {
        Ok(a) => a.collect(),
        Err(e) => return Probe::fail(Category::Network, format!("cannot resolve {host}: {e}")),
    };
    let mut last = None;
    for addr in addrs {
        let left = timeout.saturating_sub(started.elapsed());
        if left.is_zero() {
            return Probe::timed_out(timeout);
        }
        match TcpStream::connect_timeout(&addr, left) {
            Ok(_) => {
                let ms = ms_since(started);
                if let Some(max) = max_latency_ms
                    && ms > max
                {
                    return Probe::fail(
                        Category::Timeout,
                        format!("connected in {ms} ms, slower than {max} ms"),
                    )
                    .with_latency(ms);
                }
                return Probe::pass(format!("connected in {ms} ms"), Some(ms));
            }
            Err(e) => last = Some(e),
        }
    }
    let ms = ms_since(started);
    match last {
        Some(e) => {
            let mut p = io_failure(&e).with_latency(ms);
            p.detail = format!("{host}:{port}: {}", p.detail);
            p
        }
        None => Probe::fail(Category::Network, format!("{host} has no address")),
    }
}

/// The tcp probe on the async runtime (no thread per connect): the same results as [`run`].
pub async fn tcp_async(
    host: &str,
    port: u16,
    max_latency_ms: Option<u64>,
    timeout: Duration,
) -> Probe {
    let started = Instant::now();
    let connect = tokio::net::TcpStream::connect((host, port));
    let result = match tokio::time::timeout(timeout, connect).await {
        Err(_) => return Probe::timed_out(timeout),
        Ok(r) => r,
    };
    let ms = ms_since(started);
    match result {
        Ok(_) => match max_latency_ms {
            Some(max) if ms > max => Probe::fail(
                Category::Timeout,
                format!("connected in {ms} ms, slower than {max} ms"),
            )
            .with_latency(ms),
            _ => Probe::pass(format!("connected in {ms} ms"), Some(ms)),
        },
        Err(e) => {
            let mut p = io_failure(&e).with_latency(ms);
            p.detail = format!("{host}:{port}: {}", p.detail);
            p
        }
    }
}

fn systemd(unit: &str, timeout: Duration) -> Probe {
    if !std::path::Path::new("/run/systemd/system").is_dir() {
        return Probe::unavailable("systemd is not running on this machine");
    }
    let out = exec::run(
        &[
            "systemctl".into(),
            "is-active".into(),
            "--".into(),
            unit.into(),
        ],
        None,
        timeout,
    );
    let state = out.output_tail.trim().to_string();
    if out.success() {
        Probe::pass(format!("{unit} is {state}"), None)
    } else if out.timed_out {
        Probe::timed_out(timeout)
    } else {
        Probe::fail(
            Category::Unknown,
            format!(
                "{unit} is {}",
                if state.is_empty() {
                    "not active"
                } else {
                    &state
                }
            ),
        )
    }
}

fn command(argv: &[String], expect_exit: i32, timeout: Duration) -> Probe {
    let started = Instant::now();
    let out = exec::run(argv, None, timeout);
    let ms = ms_since(started);
    if out.timed_out {
        return Probe::timed_out(timeout);
    }
    let last_line = crate::redact::redact(out.output_tail.lines().last().unwrap_or("").trim())
        .text
        .chars()
        .take(200)
        .collect::<String>();
    match out.exit {
        Some(code) if code == expect_exit => {
            Probe::pass(format!("exit {code} in {ms} ms"), Some(ms))
        }
        Some(code) => Probe::fail(
            Category::Unknown,
            format!("exit {code} (expected {expect_exit}): {last_line}"),
        )
        .with_latency(ms),
        None => Probe::fail(Category::Unknown, last_line).with_latency(ms),
    }
}

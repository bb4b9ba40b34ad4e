//! The syslog receiver, fed by real senders: the `logger` command (RFC 5424 over TCP with
//! octet counting, RFC 3164 over UDP) and a real `rsyslogd` forwarding what it is given with
//! its omfwd action; and by hostile ones: garbage frames, a 100 MB message and 10,000
//! connections, after which it still hears a well-formed message, within bounded memory.

#[path = "common/process.rs"]
mod process;
#[path = "common/watch.rs"]
mod watch;

use process::free_port;
use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use watch::Watch;

fn listen(home: &Path, port: u16) -> Watch {
    let w = Watch::start(home, &["--listen", &format!("syslog://127.0.0.1:{port}")]);
    w.wait_stderr("listening", 20);
    w
}

fn logger(args: &[&str]) {
    let ok = Command::new("logger")
        .args(args)
        .status()
        .expect("logger (bsdutils)");
    assert!(ok.success(), "logger {args:?}");
}

fn title(v: &serde_json::Value) -> &str {
    v["issue"]["title"].as_str().unwrap_or("")
}

fn source(v: &serde_json::Value) -> &str {
    v["issue"]["latest"]["source"].as_str().unwrap_or("")
}

/// Alerts until one whose title holds `words`, within 20 s.
fn until_titled(w: &Watch, words: &str) -> serde_json::Value {
    let until = Instant::now() + Duration::from_secs(20);
    loop {
        let v = w.next(20);
        if title(&v).contains(words) {
            return v;
        }
        assert!(Instant::now() < until, "no alert titled `{words}`");
    }
}

#[test]
fn logger_over_tcp_and_udp_each_host_a_source() {
    let home = tempfile::tempdir().expect("tmp");
    let port = free_port().to_string();
    let w = listen(home.path(), port.parse().expect("port"));
    logger(&[
        "-n",
        "127.0.0.1",
        "-P",
        &port,
        "-T",
        "--octet-count",
        "--rfc5424",
        "-t",
        "api",
        "--",
        "ERROR could not connect to database: Connection refused",
    ]);
    let v = until_titled(&w, "Connection refused");
    assert!(source(&v).starts_with("syslog:"), "{v}");
    assert_eq!(v["live"], true);
    logger(&[
        "-n",
        "127.0.0.1",
        "-P",
        &port,
        "-d",
        "--rfc3164",
        "-t",
        "kernel",
        "--",
        "Out of memory: Killed process 4711 (python3)",
    ]);
    let v = until_titled(&w, "OOM");
    assert_eq!(v["issue"]["severity"], "critical");

    // Two hosts printing tracebacks line by line at once: each stays whole, under its host.
    let mut tcp =
        TcpStream::connect(("127.0.0.1", port.parse::<u16>().expect("port"))).expect("connect");
    let line = |host: &str, text: &str| {
        let m = format!("<11>1 2026-12-02T10:00:00Z {host} worker 7 - - {text}");
        format!("{} {m}", m.len())
    };
    let mut stream = String::new();
    for (a, b) in [
        (
            "Traceback (most recent call last):",
            "Traceback (most recent call last):",
        ),
        (
            "  File \"/srv/a.py\", line 3, in <module>",
            "  File \"/srv/b.py\", line 9, in run",
        ),
        ("KeyError: 'alpha'", "ValueError: beta"),
    ] {
        stream.push_str(&line("web-1", a));
        stream.push_str(&line("web-2", b));
    }
    tcp.write_all(stream.as_bytes()).expect("send");
    drop(tcp);
    let mut seen = Vec::new();
    while seen.len() < 2 {
        let v = w.next(20);
        if title(&v).contains("alpha") || title(&v).contains("beta") {
            let first = &v["issue"]["occurrences"][0];
            assert_eq!(
                (first["line"].as_u64(), first["end_line"].as_u64()),
                (Some(1), Some(3)),
                "{v}"
            );
            seen.push(source(&v).to_string());
        }
    }
    seen.sort();
    assert_eq!(seen, ["syslog:web-1", "syslog:web-2"]);
}

struct Rsyslog(Child);

impl Drop for Rsyslog {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn rsyslog_forwards_to_healdeck() {
    let home = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let w = listen(home.path(), port);
    let dir = home.path().join("rsyslog");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let socket = dir.join("log.sock");
    let conf = dir.join("rsyslog.conf");
    std::fs::write(
        &conf,
        format!(
            "global(workDirectory=\"{d}\")\n\
             module(load=\"imuxsock\" SysSock.Use=\"off\")\n\
             input(type=\"imuxsock\" Socket=\"{s}\" CreatePath=\"on\")\n\
             action(type=\"omfwd\" target=\"127.0.0.1\" port=\"{port}\" protocol=\"tcp\" \
             TCP_Framing=\"octet-counted\" template=\"RSYSLOG_SyslogProtocol23Format\")\n",
            d = dir.display(),
            s = socket.display()
        ),
    )
    .expect("rsyslog.conf");
    let rsyslogd = Command::new("rsyslogd")
        .args(["-n", "-f"])
        .arg(&conf)
        .arg("-i")
        .arg(dir.join("rsyslogd.pid"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map(Rsyslog)
        .expect("rsyslogd (Debian package rsyslog; .ci/run installs it)");
    let until = Instant::now() + Duration::from_secs(20);
    while !socket.exists() {
        assert!(Instant::now() < until, "rsyslogd made no socket");
        std::thread::sleep(Duration::from_millis(50));
    }
    logger(&[
        "-u",
        socket.to_str().expect("utf-8"),
        "-t",
        "payments",
        "--",
        "FATAL: password authentication failed for user \"shop\"",
    ]);
    let v = until_titled(&w, "rejected the password");
    assert!(source(&v).starts_with("syslog:"), "{v}");
    assert!(
        v["issue"]["excerpt"]
            .as_str()
            .unwrap_or("")
            .contains("payments"),
        "the tag rsyslog forwarded: {v}"
    );
    drop(rsyslogd);
}

/// Resident memory of a process, in MiB.
fn rss_mib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        .map_or(0, |kb| kb / 1024)
}

/// Threads of a process serving a syslog connection (named `healdeck-syslog-conn`, which
/// the kernel keeps to its first 15 bytes).
fn connection_threads(pid: u32) -> usize {
    std::fs::read_dir(format!("/proc/{pid}/task"))
        .map(|tasks| {
            tasks
                .filter_map(Result::ok)
                .filter(|t| {
                    std::fs::read_to_string(t.path().join("comm"))
                        .is_ok_and(|c| c.trim() == "healdeck-syslog")
                })
                .count()
        })
        .unwrap_or(0)
}

#[test]
fn hostile_senders_get_cut_off_and_the_receiver_keeps_hearing() {
    let home = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let w = listen(home.path(), port);
    let addr = ("127.0.0.1", port);

    // Garbage and a broken octet count: the connection is closed, nothing else happens.
    let mut tcp = TcpStream::connect(addr).expect("connect");
    let _ = tcp.write_all(b"\x00\xff\xfe<<<>>>\n12x <1>oops\n");
    drop(tcp);
    let udp = std::net::UdpSocket::bind("127.0.0.1:0").expect("udp");
    for junk in [&b""[..], b"<", b"<999>1 - - - - -", &[0xffu8; 2000][..]] {
        udp.send_to(junk, addr).expect("send");
    }

    // A 100 MB message: kept to its first 64 KiB, streamed past, memory bounded.
    let mut tcp = TcpStream::connect(addr).expect("connect");
    let body = 100_000_000usize;
    let head = "<11>1 2026-12-02T10:00:00Z flood app 1 - - ERROR giant payload ";
    tcp.write_all(format!("{} {head}", head.len() + body).as_bytes())
        .expect("send");
    let block = vec![b'x'; 1 << 20];
    let mut sent = 0;
    while sent < body {
        let n = block.len().min(body - sent);
        tcp.write_all(&block[..n]).expect("stream the flood");
        sent += n;
    }
    drop(tcp);
    let rss = rss_mib(w.child.id());
    assert!(rss < 300, "healdeck holds {rss} MiB after a 100 MB message");

    // 10,000 connection attempts, up to 1,000 held open at once.
    let mut open = Vec::new();
    for _ in 0..10_000 {
        if let Ok(c) = TcpStream::connect(addr) {
            open.push(c);
        }
        if open.len() == 1000 {
            open.clear();
        }
    }
    let threads = std::fs::read_to_string(format!("/proc/{}/status", w.child.id()))
        .unwrap_or_default()
        .lines()
        .find_map(|l| {
            l.strip_prefix("Threads:")
                .map(|t| t.trim().parse::<u64>().unwrap_or(0))
        })
        .unwrap_or(0);
    assert!(threads < 300, "{threads} threads");
    drop(open);
    // Once the flood stops, its connections are closed and their threads gone (on a loaded
    // machine this takes a moment: until then new connections are over the limit and closed).
    let drained = Instant::now() + Duration::from_secs(30);
    while connection_threads(w.child.id()) > 0 {
        assert!(
            Instant::now() < drained,
            "the flood's connections never closed"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    // Still listening, still right.
    logger(&[
        "-n",
        "127.0.0.1",
        "-P",
        &port.to_string(),
        "-T",
        "--octet-count",
        "-t",
        "api",
        "--",
        "ERROR No space left on device",
    ]);
    let v = until_titled(&w, "no space left");
    assert_eq!(v["live"], true);
    let rss = rss_mib(w.child.id());
    assert!(rss < 300, "healdeck holds {rss} MiB after the flood");
    // And it says what it did to them, counted (told every few seconds while counts change).
    let receiver = format!("syslog://127.0.0.1:{port}: listening: ");
    for counted in [
        "1 cut to the size limit",
        "connections refused (too many open)",
        "closed for bad framing",
    ] {
        w.wait_stderr(counted, 20);
    }
    let told = w.stderr();
    let last = told
        .lines()
        .rfind(|l| l.contains(&receiver))
        .unwrap_or_else(|| panic!("no counts for {receiver}:\n{told}"));
    assert!(last.contains(" messages"), "{last}");
}

#[path = "common/venv.rs"]
mod venv;

/// Logs through the official OpenTelemetry Python SDK: its logging handler, a batch
/// processor and the OTLP/HTTP (protobuf) exporter.
const OTEL_APP: &str = r#"
import logging, sys
from opentelemetry.sdk._logs import LoggerProvider, LoggingHandler
from opentelemetry.sdk._logs.export import BatchLogRecordProcessor
from opentelemetry.exporter.otlp.proto.http._log_exporter import OTLPLogExporter
from opentelemetry.sdk.resources import Resource
provider = LoggerProvider(resource=Resource.create({"service.name": "checkout", "host.name": "shop-7"}))
provider.add_log_record_processor(BatchLogRecordProcessor(OTLPLogExporter(endpoint=sys.argv[1])))
log = logging.getLogger("checkout")
log.addHandler(LoggingHandler(logger_provider=provider))
log.setLevel(logging.INFO)
log.info("started")
try:
    {}["card"]
except KeyError:
    log.exception("payment failed")
log.error("could not connect to database: Connection refused")
provider.shutdown()
"#;

/// Sends one HTTP/1.1 request and returns the status code.
fn http(port: u16, method: &str, path: &str, content_type: &str, body: &[u8]) -> u16 {
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    );
    tcp.write_all(head.as_bytes()).expect("send head");
    // A refused body may be cut off by the server before it is all sent.
    let _ = tcp.write_all(body);
    let mut answer = String::new();
    let _ = std::io::Read::read_to_string(&mut tcp, &mut answer);
    answer
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or_else(|| panic!("no HTTP status in {answer:?}"))
}

#[test]
fn the_opentelemetry_python_sdk_sends_to_the_otlp_receiver() {
    let python = venv::python_with(
        "otel-venv",
        &[
            "opentelemetry-sdk",
            "opentelemetry-exporter-otlp-proto-http",
        ],
        "import opentelemetry.sdk._logs, opentelemetry.exporter.otlp.proto.http",
    );
    let home = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let w = Watch::start(
        home.path(),
        &["--listen", &format!("otlp://127.0.0.1:{port}")],
    );
    w.wait_stderr("listening", 20);
    let out = Command::new(&python)
        .args(["-c", OTEL_APP, &format!("http://127.0.0.1:{port}/v1/logs")])
        .output()
        .expect("python");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // The exception the SDK recorded is one event: the message and its whole traceback.
    let v = until_titled(&w, "KeyError");
    assert_eq!(source(&v), "otlp:shop-7");
    let first = &v["issue"]["occurrences"][0];
    let lines = first["end_line"].as_u64().unwrap_or(0) - first["line"].as_u64().unwrap_or(0);
    assert!(lines >= 3, "the traceback's lines: {v}");
    let excerpt = v["issue"]["excerpt"].as_str().unwrap_or("");
    assert!(
        excerpt.contains("checkout: <err> payment failed"),
        "{excerpt}"
    );
    let v = until_titled(&w, "Connection refused");
    assert_eq!(source(&v), "otlp:shop-7");

    // OTLP's JSON encoding, as collectors may send it.
    let json = r#"{"resourceLogs":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"billing"}}]},
        "scopeLogs":[{"logRecords":[{"timeUnixNano":"1764680000000000000","severityNumber":17,
        "body":{"stringValue":"No space left on device"}}]}]}]}"#;
    assert_eq!(
        http(
            port,
            "POST",
            "/v1/logs",
            "application/json",
            json.as_bytes()
        ),
        200
    );
    let v = until_titled(&w, "no space left");
    assert_eq!(source(&v), "otlp:billing");

    // What is not a logs request is answered, never taken in.
    assert_eq!(
        http(
            port,
            "POST",
            "/v1/logs",
            "application/x-protobuf",
            b"\xff\xff\xff\xff"
        ),
        400
    );
    assert_eq!(
        http(
            port,
            "POST",
            "/v1/logs",
            "application/json",
            b"{\"resourceLogs\":7}"
        ),
        400
    );
    assert_eq!(
        http(port, "POST", "/v1/traces", "application/json", b"{}"),
        404
    );
    assert_eq!(http(port, "GET", "/v1/logs", "application/json", b""), 405);
    assert_eq!(http(port, "POST", "/v1/logs", "text/plain", b"hello"), 415);
    assert_eq!(
        http(
            port,
            "POST",
            "/v1/logs",
            "application/json",
            &vec![b' '; 20 << 20]
        ),
        413
    );
    w.quiet(500);
    assert!(rss_mib(w.child.id()) < 300);
}

/// Sends one octet-counted syslog message over TLS, trusting `ca` (Python's ssl module).
const TLS_SENDER: &str = r#"
import socket, ssl, sys
ctx = ssl.create_default_context(cafile=sys.argv[2])
raw = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
tls = ctx.wrap_socket(raw, server_hostname="127.0.0.1")
m = sys.argv[3].encode()
tls.sendall(str(len(m)).encode() + b" " + m)
tls.close()
"#;

#[test]
fn syslog_over_tls_with_a_certificate_of_its_own() {
    let home = tempfile::tempdir().expect("tmp");
    let (cert, key) = (home.path().join("cert.pem"), home.path().join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj",
        ])
        .args([
            "/CN=healdeck-test",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .expect("openssl");
    assert!(
        made.status.success(),
        "{}",
        String::from_utf8_lossy(&made.stderr)
    );

    // A key that is not there: the receiver says so, naming the file.
    let missing = home.path().join("missing.pem");
    let w = Watch::start(
        home.path(),
        &[
            "--listen",
            &format!(
                "syslog+tls://127.0.0.1:{}?cert={}&key={}",
                free_port(),
                cert.display(),
                missing.display()
            ),
        ],
    );
    w.wait_stderr("failed", 20);
    assert!(w.stderr().contains("missing.pem"), "{}", w.stderr());
    drop(w);

    let port = free_port();
    let w = Watch::start(
        home.path(),
        &[
            "--listen",
            &format!(
                "syslog+tls://127.0.0.1:{port}?cert={}&key={}",
                cert.display(),
                key.display()
            ),
        ],
    );
    w.wait_stderr("listening", 20);
    // Plain text to the TLS port is no TLS handshake: nothing of it is taken in.
    let mut plain = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    let _ = plain.write_all(b"48 <11>1 - web-6 app - - - ERROR plaintext_zz9 broke");
    drop(plain);
    let message = "<11>1 2026-12-02T10:00:00Z web-5 app 7 - - ERROR No space left on device";
    let sent = Command::new("python3")
        .args(["-c", TLS_SENDER, &port.to_string()])
        .arg(&cert)
        .arg(message)
        .output()
        .expect("python3");
    assert!(
        sent.status.success(),
        "{}",
        String::from_utf8_lossy(&sent.stderr)
    );
    // The first alert is the TLS sender's: the plain text made none.
    let v = w.next(20);
    assert!(title(&v).contains("no space left"), "{v}");
    assert_eq!(source(&v), "syslog+tls:web-5");
    w.quiet(500);
}

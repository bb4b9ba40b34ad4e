//! How fast the receivers take logs in, and what memory they hold under a flood:
//! `healdeck diagnose --listen syslog://…` fed one million RFC 5424 messages over one TCP
//! connection (octet-counted, 1 % of them failures), beside rsyslogd — the trusted peer —
//! receiving the same stream with imtcp and writing it to a file, in the same run (when
//! `rsyslogd` is installed: `apt-get install rsyslog`); then `--listen otlp://…` fed the same
//! number of log records as OTLP JSON, 1,000 per request over one keep-alive connection (no
//! OTLP peer runs here: the OpenTelemetry Collector is not packaged for Debian).
//!
//! Run with `cargo bench --bench receive_throughput` (`HEALDECK_BENCH_MESSAGES`, default
//! 1,000,000). A run ends when the receiver has handled a last, unique failure sent after the
//! flood; messages/s are counted from the first byte sent to then. Peak memory is VmHWM from
//! `/proc/<pid>/status`. Figures are printed, not asserted.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .expect("free port")
        .port()
}

fn peak_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The text of message `i`: mostly ordinary records, one in a hundred a failure.
fn text(i: usize) -> String {
    if i.is_multiple_of(100) {
        format!("ERROR payment provider rejected order {i}: card declined")
    } else {
        format!(
            "INFO request {i} served in {} ms path=/api/items/{}",
            i % 97,
            i % 1013
        )
    }
}

const MARKER: &str = "ModuleNotFoundError: No module named 'bench_done'";

/// The whole syslog stream, octet-counted, ending with the marker.
fn syslog_stream(n: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(n * 110);
    for i in 0..=n {
        let body = if i == n { MARKER.to_string() } else { text(i) };
        let m = format!(
            "<14>1 2026-12-02T10:00:00.000Z web-{} api {} - - {body}",
            i % 4,
            1000 + i % 7
        );
        out.extend_from_slice(format!("{} {m}", m.len()).as_bytes());
    }
    out
}

/// Starts healdeck listening on `spec`, once it says so.
fn healdeck(home: &Path, spec: &str) -> (Killed, BufReader<std::process::ChildStdout>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_healdeck"))
        .args([
            "diagnose",
            "--listen",
            spec,
            "--format",
            "jsonl",
            "--no-user-rules",
        ])
        .env("HEALDECK_CONFIG_DIR", home.join("config"))
        .env("HEALDECK_DATA_DIR", home.join("data"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("healdeck");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap_or(0) > 0 && !line.contains("listening") {
        line.clear();
    }
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    (Killed(child), stdout)
}

/// Waits for the marker's alert on healdeck's stdout.
fn until_marker(stdout: &mut BufReader<std::process::ChildStdout>) {
    let mut line = String::new();
    loop {
        line.clear();
        if stdout.read_line(&mut line).unwrap_or(0) == 0 {
            panic!("healdeck ended before the marker");
        }
        if line.contains("bench_done") {
            return;
        }
    }
}

fn report(name: &str, n: usize, elapsed: Duration, peak: f64) {
    println!(
        "{name:<34} {n:>9} messages in {:>6.2} s = {:>9.0} messages/s, peak memory {peak:>6.1} MiB",
        elapsed.as_secs_f64(),
        n as f64 / elapsed.as_secs_f64()
    );
}

fn bench_healdeck_syslog(n: usize, stream: &[u8]) {
    let home = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let (child, mut stdout) = healdeck(home.path(), &format!("syslog://127.0.0.1:{port}"));
    let started = Instant::now();
    let mut tcp = TcpStream::connect(("127.0.0.1", port)).expect("connect");
    tcp.write_all(stream).expect("send");
    until_marker(&mut stdout);
    let elapsed = started.elapsed();
    report("healdeck syslog (TCP)", n, elapsed, peak_mib(child.0.id()));
}

fn bench_rsyslog(n: usize, stream: &[u8]) {
    if Command::new("rsyslogd").arg("-v").output().is_err() {
        println!("rsyslogd: not installed (apt-get install rsyslog); peer skipped");
        return;
    }
    let dir = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let out = dir.path().join("received.log");
    let conf = dir.path().join("rsyslog.conf");
    std::fs::write(
        &conf,
        format!(
            "global(workDirectory=\"{d}\")\nmodule(load=\"imtcp\")\n\
             input(type=\"imtcp\" port=\"{port}\" address=\"127.0.0.1\")\n\
             action(type=\"omfile\" file=\"{o}\")\n",
            d = dir.path().display(),
            o = out.display()
        ),
    )
    .expect("conf");
    let child = Killed(
        Command::new("rsyslogd")
            .args(["-n", "-f"])
            .arg(&conf)
            .arg("-i")
            .arg(dir.path().join("pid"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("rsyslogd"),
    );
    let until = Instant::now() + Duration::from_secs(10);
    let mut tcp = loop {
        if let Ok(t) = TcpStream::connect(("127.0.0.1", port)) {
            break t;
        }
        assert!(Instant::now() < until, "rsyslogd did not listen");
        std::thread::sleep(Duration::from_millis(20));
    };
    let started = Instant::now();
    tcp.write_all(stream).expect("send");
    let marker = b"bench_done";
    loop {
        let tail = std::fs::File::open(&out).ok().and_then(|mut f| {
            use std::io::Seek;
            let len = f.metadata().ok()?.len();
            f.seek(std::io::SeekFrom::Start(len.saturating_sub(256)))
                .ok()?;
            let mut t = Vec::new();
            f.read_to_end(&mut t).ok()?;
            Some(t)
        });
        if tail.is_some_and(|t| t.windows(marker.len()).any(|w| w == marker)) {
            break;
        }
        if started.elapsed() > Duration::from_secs(60) {
            println!("rsyslogd: the last message was not in its file within 60 s; peer skipped");
            return;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    report(
        "rsyslogd imtcp → omfile (peer)",
        n,
        started.elapsed(),
        peak_mib(child.0.id()),
    );
}

/// One OTLP JSON request with records `from..to` (the marker after the last).
fn otlp_body(from: usize, to: usize, marker: bool) -> String {
    let mut records: Vec<String> = (from..to)
        .map(|i| {
            let severity = if i.is_multiple_of(100) { 17 } else { 9 };
            format!(
                r#"{{"timeUnixNano":"1764680000000000000","severityNumber":{severity},"body":{{"stringValue":"{}"}}}}"#,
                text(i)
            )
        })
        .collect();
    if marker {
        records.push(format!(
            r#"{{"severityNumber":17,"body":{{"stringValue":"{MARKER}"}}}}"#
        ));
    }
    format!(
        r#"{{"resourceLogs":[{{"resource":{{"attributes":[{{"key":"service.name","value":{{"stringValue":"api"}}}}]}},"scopeLogs":[{{"logRecords":[{}]}}]}}]}}"#,
        records.join(",")
    )
}

/// Posts `body` on a keep-alive connection and reads the answer's status.
fn post(tcp: &mut BufReader<TcpStream>, body: &str) -> u16 {
    let head = format!(
        "POST /v1/logs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        body.len()
    );
    let stream = tcp.get_mut();
    stream.write_all(head.as_bytes()).expect("head");
    stream.write_all(body.as_bytes()).expect("body");
    let mut status = String::new();
    tcp.read_line(&mut status).expect("status");
    let mut length = 0usize;
    loop {
        let mut h = String::new();
        tcp.read_line(&mut h).expect("header");
        if h == "\r\n" || h.is_empty() {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut rest = vec![0u8; length];
    tcp.read_exact(&mut rest).expect("body");
    status
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

fn bench_healdeck_otlp(n: usize) {
    let home = tempfile::tempdir().expect("tmp");
    let port = free_port();
    let (child, mut stdout) = healdeck(home.path(), &format!("otlp://127.0.0.1:{port}"));
    let bodies: Vec<String> = (0..n)
        .step_by(1000)
        .map(|from| otlp_body(from, (from + 1000).min(n), from + 1000 >= n))
        .collect();
    let started = Instant::now();
    let mut tcp = BufReader::new(TcpStream::connect(("127.0.0.1", port)).expect("connect"));
    for body in &bodies {
        let status = post(&mut tcp, body);
        assert_eq!(status, 200, "OTLP answer");
    }
    until_marker(&mut stdout);
    report(
        "healdeck OTLP/HTTP JSON",
        n,
        started.elapsed(),
        peak_mib(child.0.id()),
    );
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let n: usize = std::env::var("HEALDECK_BENCH_MESSAGES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let stream = syslog_stream(n);
    println!(
        "{n} messages, {:.1} MiB as syslog over TCP",
        stream.len() as f64 / 1048576.0
    );
    bench_healdeck_syslog(n, &stream);
    bench_rsyslog(n, &stream);
    bench_healdeck_otlp(n);
}

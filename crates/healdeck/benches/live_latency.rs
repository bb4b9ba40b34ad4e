//! Live latency benchmark: from a line appended to a watched file to its JSON line on
//! `healdeck diagnose --watch --format jsonl`'s stdout.
//!
//! Run with `cargo bench --bench live_latency`. It starts the real binary on a temp folder,
//! waits for it to report that it is watching, then appends 300 failure lines (each a new
//! issue) 10 ms apart, timestamps each write and each JSON line read back, and prints p50, p90,
//! p99 and max. Nothing here asserts a time: figures are reported, not tested.

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::sync::mpsc::channel;
use std::time::{Duration, Instant};

/// (lines, milliseconds between appends): a busy log, then a quiet one where only the idle
/// flush can complete each event.
const PHASES: [(usize, u64); 2] = [(200, 10), (50, 100)];
const LINES: usize = PHASES[0].0 + PHASES[1].0;

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let log = dir.path().join("live.log");
    std::fs::write(&log, "INFO starting\n").expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_healdeck"))
        .args([
            "diagnose",
            "--watch",
            "--format",
            "jsonl",
            "--no-user-rules",
        ])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start healdeck");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap_or(0) > 0 && !line.contains("watching") {
        line.clear();
    }
    let stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (tx, rx) = channel::<(usize, Instant)>();
    std::thread::spawn(move || {
        for l in stdout.lines().map_while(Result::ok) {
            let at = Instant::now();
            let v: serde_json::Value = serde_json::from_str(&l).unwrap_or_default();
            if let Some(n) = v["issue"]["captures"]["module"]
                .as_str()
                .and_then(|m| m.strip_prefix("mod_"))
                .and_then(|n| n.parse().ok())
                && tx.send((n, at)).is_err()
            {
                break;
            }
        }
    });
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .expect("open");
    let mut written = Vec::with_capacity(LINES);
    for (count, gap_ms) in PHASES {
        for _ in 0..count {
            let i = written.len();
            let at = Instant::now();
            writeln!(file, "2024-05-01T12:00:00Z ERROR worker: import failed\nModuleNotFoundError: No module named 'mod_{i}'").expect("append");
            written.push(at);
            std::thread::sleep(Duration::from_millis(gap_ms));
        }
    }
    let mut latencies = vec![f64::NAN; LINES];
    let mut got = 0;
    while got < LINES {
        match rx.recv_timeout(Duration::from_secs(5)) {
            Ok((n, at)) if n < LINES => {
                latencies[n] = at.duration_since(written[n]).as_secs_f64() * 1000.0;
                got += 1;
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let mut start = 0;
    for (count, gap_ms) in PHASES {
        let mut l: Vec<f64> = latencies[start..start + count]
            .iter()
            .copied()
            .filter(|v| v.is_finite())
            .collect();
        start += count;
        l.sort_by(f64::total_cmp);
        if l.is_empty() {
            println!("appends {gap_ms} ms apart: no JSON line came back");
            continue;
        }
        let pct = |p: f64| l[((l.len() as f64 - 1.0) * p).round() as usize];
        println!(
            "appends {gap_ms:>3} ms apart: {} of {count} reported; latency p50 {:.1} ms, p90 {:.1} ms, p99 {:.1} ms, max {:.1} ms",
            l.len(),
            pct(0.5),
            pct(0.9),
            pct(0.99),
            l[l.len() - 1]
        );
    }
}

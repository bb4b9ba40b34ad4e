//! `healdeck diagnose --watch`: the real binary follows files through appends, partial writes,
//! rotation by rename and truncation, printing one JSON line per new or updated issue — and
//! never loses or repeats a line.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Child, ChildStderr, ChildStdout, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

struct Watch {
    child: Child,
    lines: Receiver<serde_json::Value>,
}

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `healdeck diagnose --watch` on `target`, once it says it follows the files (so no write
/// races its start): the process, its stdout and the rest of its stderr.
fn spawn_watch(dir: &Path, target: &str) -> (Child, ChildStdout, BufReader<ChildStderr>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_healdeck"))
        .args([
            "diagnose",
            "--watch",
            "--format",
            "jsonl",
            "--no-user-rules",
            target,
        ])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start healdeck --watch");
    let stdout = child.stdout.take().expect("stdout");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap_or(0) > 0 && !line.contains("watching") {
        line.clear();
    }
    assert!(line.contains("watching"), "watcher did not start: {line}");
    (child, stdout, stderr)
}

fn start(dir: &Path, target: &str) -> Watch {
    let (child, stdout, mut stderr) = spawn_watch(dir, target);
    std::thread::spawn(move || std::io::copy(&mut stderr, &mut std::io::sink()));
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let v: serde_json::Value = serde_json::from_str(&line).expect("each line is JSON");
            if tx.send(v).is_err() {
                break;
            }
        }
    });
    Watch { child, lines: rx }
}

impl Watch {
    /// The next alert, waiting up to 10 s (generous for loaded CI machines; latency is measured
    /// in benches/live_latency.rs, not here).
    fn next(&self) -> serde_json::Value {
        self.lines
            .recv_timeout(Duration::from_secs(10))
            .expect("an alert within 10 s")
    }
    fn quiet(&self, ms: u64) {
        if let Ok(v) = self.lines.recv_timeout(Duration::from_millis(ms)) {
            panic!("unexpected alert: {v}");
        }
    }
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open for append");
    f.write_all(text.as_bytes()).expect("append");
}

fn module(v: &serde_json::Value) -> String {
    v["issue"]["captures"]["module"]
        .as_str()
        .unwrap_or("")
        .to_string()
}

#[test]
fn existing_then_appended_issues_stream_as_json_lines() {
    let t = tempfile::tempdir().expect("tmp");
    let log = t.path().join("app.log");
    append(
        &log,
        "INFO boot\nModuleNotFoundError: No module named 'alpha'\n",
    );
    let w = start(t.path(), ".");
    let first = w.next();
    assert_eq!(first["kind"], "new");
    assert_eq!(module(&first), "alpha");
    assert_eq!(first["issue"]["occurrences"][0]["line"], 2);

    append(
        &log,
        "INFO more\nModuleNotFoundError: No module named 'beta'\n",
    );
    let v = w.next();
    assert_eq!(
        (v["kind"].as_str(), module(&v).as_str()),
        (Some("new"), "beta")
    );
    assert_eq!(v["issue"]["occurrences"][0]["line"], 4);

    append(&log, "ModuleNotFoundError: No module named 'beta'\n");
    let v = w.next();
    assert_eq!(v["kind"], "updated");
    assert_eq!(v["issue"]["count"], 2);
    assert_eq!(v["issue"]["latest"]["line"], 5);

    // A traceback written in two pieces, split mid-line, is one event.
    append(
        &log,
        "Traceback (most recent call last):\n  File \"a.py\", line 1, in <mod",
    );
    append(
        &log,
        "ule>\n    import gamma\nModuleNotFoundError: No module named 'gamma'\n",
    );
    let v = w.next();
    assert_eq!(module(&v), "gamma");
    assert_eq!(v["issue"]["occurrences"][0]["line"], 6);
    assert_eq!(v["issue"]["occurrences"][0]["end_line"], 9);
    w.quiet(300);
}

#[test]
fn a_burst_of_repeats_is_reported_with_each_line_counting_what_it_says() {
    let t = tempfile::tempdir().expect("tmp");
    let log = t.path().join("app.log");
    append(&log, "INFO boot\n");
    let w = start(t.path(), ".");
    w.quiet(300);
    // Five repeats in one write: read together, they must not print five lines that all
    // claim the final count.
    append(
        &log,
        &"ModuleNotFoundError: No module named 'delta'\n".repeat(5),
    );
    let mut counts = vec![w.next()["issue"]["count"].as_u64().expect("count")];
    while let Ok(v) = w.lines.recv_timeout(Duration::from_millis(1500)) {
        counts.push(v["issue"]["count"].as_u64().expect("count"));
    }
    assert_eq!(counts.last(), Some(&5), "{counts:?}");
    assert!(counts.windows(2).all(|w| w[0] < w[1]), "{counts:?}");
    // The last line of a burst waits to see whether its event goes on: at most two lines.
    assert!(counts.len() <= 2, "{counts:?}");
}

#[test]
fn rotation_and_truncation_lose_and_repeat_nothing() {
    let t = tempfile::tempdir().expect("tmp");
    let log = t.path().join("svc.log");
    append(&log, "INFO start\n");
    let w = start(t.path(), "svc.log");

    // Rotation by rename: the last line of the old file and the first of the new both arrive.
    append(
        &log,
        "ModuleNotFoundError: No module named 'before_rotate'\n",
    );
    std::fs::rename(&log, t.path().join("svc.log.1")).expect("rotate");
    append(
        &log,
        "ModuleNotFoundError: No module named 'after_rotate'\n",
    );
    let mut seen = vec![module(&w.next()), module(&w.next())];
    seen.sort();
    assert_eq!(seen, vec!["after_rotate", "before_rotate"]);

    // Copy-truncate: the file shrinks; what is written after it is read from the top.
    append(
        &log,
        "INFO filler line that makes the file longer than what follows\n",
    );
    w.quiet(200);
    std::fs::write(&log, "").expect("truncate");
    append(
        &log,
        "ModuleNotFoundError: No module named 'after_truncate'\n",
    );
    let v = w.next();
    assert_eq!(module(&v), "after_truncate");
    assert_eq!(v["issue"]["occurrences"][0]["line"], 1);
    w.quiet(300);
}

#[test]
fn a_reader_that_stops_early_ends_the_watch_quietly() {
    let dir = tempfile::tempdir().expect("dir");
    let log = dir.path().join("app.log");
    std::fs::write(&log, "").expect("log");
    let (mut child, stdout, mut stderr) = spawn_watch(dir.path(), "app.log");
    let mut f = std::fs::OpenOptions::new()
        .append(true)
        .open(&log)
        .expect("open");
    writeln!(
        f,
        "2026-11-30T10:00:00Z ERROR db: connection refused to db-0:5432"
    )
    .expect("write");
    // The reader takes the first alert and goes away (`| head -1`).
    let mut out = BufReader::new(stdout);
    let mut first = String::new();
    out.read_line(&mut first).expect("the first alert");
    assert!(first.starts_with('{'), "{first}");
    drop(out);
    // More is written: the next line printed has nowhere to go, and the watch ends, quietly.
    for i in 1..200 {
        writeln!(
            f,
            "2026-11-30T10:00:{:02}Z ERROR svc-{i}: disk full on /var/{i}",
            i % 60
        )
        .expect("write");
        f.flush().expect("flush");
        if let Ok(Some(status)) = child.try_wait() {
            let mut err = String::new();
            let _ = std::io::Read::read_to_string(&mut stderr, &mut err);
            assert!(status.success(), "{status:?}: {err}");
            assert!(!err.contains("panicked"), "{err}");
            return;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("the watch kept running with no reader");
}

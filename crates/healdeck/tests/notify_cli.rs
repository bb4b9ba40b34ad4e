//! `diagnose --notify` against a local HTTP server that records every request and answers
//! from a script: Slack's payload shape, a 429 with Retry-After honoured, the per-run cap with
//! the rest as a digest, throttling across runs, Discord's payload without mentions, a 404
//! not retried, a config-named channel, the planted secret and the webhook's token never
//! leaving unredacted or printed; and a follower (`--watch`) telling the channel what happens
//! live, not what was in the log before.

#[path = "common/testproject.rs"]
mod testproject;
#[path = "common/watch.rs"]
mod watch;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use testproject::SECRET;
use watch::{Watch, healdeck};

/// One request the server heard.
#[derive(Debug, Clone)]
struct Heard {
    path: String,
    body: serde_json::Value,
    at: Instant,
}

/// A webhook server on loopback: answers each request with the next status of `script`
/// (then 200), `Retry-After: 1` with a 429.
struct Hook {
    port: u16,
    heard: Arc<Mutex<Vec<Heard>>>,
}

impl Hook {
    fn start(script: &[u16]) -> Hook {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let port = listener.local_addr().expect("addr").port();
        let heard = Arc::new(Mutex::new(Vec::new()));
        let log = heard.clone();
        let mut script: std::collections::VecDeque<u16> = script.iter().copied().collect();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { continue };
                let mut reader = BufReader::new(stream.try_clone().expect("clone"));
                let mut request_line = String::new();
                if reader.read_line(&mut request_line).is_err() {
                    continue;
                }
                let mut length = 0usize;
                loop {
                    let mut h = String::new();
                    if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                        break;
                    }
                    if let Some((k, v)) = h.split_once(':')
                        && k.eq_ignore_ascii_case("content-length")
                    {
                        length = v.trim().parse().unwrap_or(0);
                    }
                }
                let mut body = vec![0; length];
                let _ = reader.read_exact(&mut body);
                let path = request_line.split(' ').nth(1).unwrap_or("").to_string();
                log.lock().expect("lock").push(Heard {
                    path,
                    body: serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null),
                    at: Instant::now(),
                });
                let status = script.pop_front().unwrap_or(200);
                let extra = if status == 429 {
                    "Retry-After: 1\r\n"
                } else {
                    ""
                };
                let _ = write!(
                    stream,
                    "HTTP/1.1 {status} X\r\n{extra}Content-Length: 2\r\nConnection: close\r\n\r\nok"
                );
            }
        });
        Hook { port, heard }
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    fn heard(&self) -> Vec<Heard> {
        self.heard.lock().expect("lock").clone()
    }
}

fn run(home: &std::path::Path, args: &[&str]) -> (std::process::Output, String) {
    let out = healdeck(home)
        .arg("diagnose")
        .args(args)
        .output()
        .expect("run healdeck");
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, err)
}

#[test]
fn slack_messages_are_retried_capped_throttled_and_redacted() {
    let home = tempfile::tempdir().expect("tmp");
    let project = tempfile::tempdir().expect("project");
    let report = testproject::pytest_report(project.path())
        .display()
        .to_string();
    let hook = Hook::start(&[429]);
    let url = hook.url("/services/T000/B000/TOKEN-SECRET-123");
    let channel = format!("slack={url}");
    let args = [report.as_str(), "--notify", &channel, "--notify-max", "2"];
    let (out, err) = run(home.path(), &args);
    assert!(out.status.success(), "{err}");
    let heard = hook.heard();
    // The 429, its retry, the second issue, and the third as a digest.
    assert_eq!(heard.len(), 4, "{heard:#?}\n{err}");
    assert!(
        heard[1].at.duration_since(heard[0].at) >= Duration::from_millis(900),
        "Retry-After: 1 was not waited for"
    );
    assert_eq!(
        heard[0].body, heard[1].body,
        "the retry is the same message"
    );
    for h in &heard {
        assert_eq!(h.path, "/services/T000/B000/TOKEN-SECRET-123");
        assert!(
            !h.body.to_string().contains(SECRET),
            "secret sent: {}",
            h.body
        );
    }
    let first = &heard[1].body;
    assert_eq!(first["blocks"][0]["type"], "header");
    assert!(
        first["blocks"][0]["text"]["text"]
            .as_str()
            .unwrap_or("")
            .contains("HIGH")
    );
    assert!(
        first["blocks"][1]["text"]["text"]
            .as_str()
            .unwrap_or("")
            .contains("*Why:*")
    );
    let digest = &heard[3].body;
    assert_eq!(digest["text"], "healdeck: 1 issue(s)", "{digest:#}");
    assert!(
        !err.contains("TOKEN-SECRET-123"),
        "the webhook URL was printed: {err}"
    );
    assert!(err.contains("notified slack (127.0.0.1): issue "), "{err}");
    assert!(err.contains("(2 attempts)"), "{err}");
    assert!(err.contains("a digest of 1 issue(s)"), "{err}");

    // The same issues again within the window: nothing is sent.
    let (out, err) = run(home.path(), &args);
    assert!(out.status.success());
    assert_eq!(hook.heard().len(), 4, "throttled: {err}");
    assert!(
        err.contains("3 issue(s) already sent within the window"),
        "{err}"
    );
    // A window of zero sends again.
    let mut again = args.to_vec();
    again.extend(["--notify-window", "0", "--notify-digest"]);
    let (_, err) = run(home.path(), &again);
    assert_eq!(hook.heard().len(), 5, "{err}");
    assert_eq!(hook.heard()[4].body["text"], "healdeck: 3 issue(s)");
}

#[test]
fn discord_json_and_named_channels() {
    let home = tempfile::tempdir().expect("tmp");
    let project = tempfile::tempdir().expect("project");
    let report = testproject::pytest_report(project.path())
        .display()
        .to_string();
    let hook = Hook::start(&[200, 200, 404]);
    let config = home.path().join("config");
    std::fs::create_dir_all(&config).expect("mkdir");
    std::fs::write(
        config.join("notify.toml"),
        "[[channel]]\nname = \"ops\"\nurl_env = \"OPS_HOOK\"\nkind = \"json\"\nmin_severity = \"high\"\n",
    )
    .expect("config");
    let discord = format!("discord={}", hook.url("/api/webhooks/1/abc"));
    let out = healdeck(home.path())
        .args([
            "diagnose",
            &report,
            "--notify",
            &discord,
            "--notify",
            "ops",
            "--notify-digest",
        ])
        .env("OPS_HOOK", hook.url("/gone"))
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let heard = hook.heard();
    assert_eq!(heard.len(), 2, "{heard:#?}");
    let d = &heard[0].body;
    assert_eq!(d["allowed_mentions"]["parse"], serde_json::json!([]));
    assert_eq!(d["embeds"][0]["title"], "healdeck: 3 issue(s)");
    assert_eq!(heard[1].path, "/gone");
    assert_eq!(heard[1].body["event"], "digest");
    assert_eq!(heard[1].body["total"], 3);
    assert!(err.contains("notified discord (127.0.0.1)"), "{err}");
    // A JSON channel answering 200 gets the issues themselves, redacted.
    assert!(!heard[1].body.to_string().contains(SECRET));

    // A 404 is not retried, and says so; an unknown channel name and plain http to another
    // host are refused before anything is scanned or sent.
    let out = healdeck(home.path())
        .args([
            "diagnose",
            &report,
            "--notify",
            "ops",
            "--notify-digest",
            "--notify-window",
            "0",
        ])
        .env("OPS_HOOK", hook.url("/gone"))
        .output()
        .expect("run");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("could not notify ops (json at 127.0.0.1)"),
        "{err}"
    );
    assert!(
        err.contains("HTTP 404") && err.contains("(1 attempt)"),
        "{err}"
    );
    for (bad, says) in [
        ("nosuch", "has no channel named 'nosuch'"),
        (
            "http://example.com/hook",
            "would send the messages unencrypted",
        ),
    ] {
        let out = healdeck(home.path())
            .args(["diagnose", &report, "--notify", bad])
            .env("OPS_HOOK", hook.url("/gone"))
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains(says));
    }
    assert_eq!(hook.heard().len(), 3);
}

#[test]
fn a_follower_sends_what_happens_live() {
    let home = tempfile::tempdir().expect("tmp");
    let logs = home.path().join("logs");
    std::fs::create_dir_all(&logs).expect("mkdir");
    let log = logs.join("api.log");
    std::fs::write(
        &log,
        "2026-12-02 10:00:00 ERROR ModuleNotFoundError: No module named 'old_history_mod'\n",
    )
    .expect("log");
    let hook = Hook::start(&[]);
    let channel = format!("json={}", hook.url("/live"));
    let w = Watch::start(
        home.path(),
        &[&log.display().to_string(), "--notify", &channel],
    );
    w.wait_stderr("watching", 20);
    w.next(20); // the history's issue, printed but not sent
    {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .expect("open");
        writeln!(
            f,
            "2026-12-02 10:05:00 ERROR ModuleNotFoundError: No module named 'fresh_live_mod'"
        )
        .expect("append");
    }
    w.next(20);
    let until = Instant::now() + Duration::from_secs(20);
    while hook.heard().is_empty() {
        assert!(Instant::now() < until, "nothing sent: {}", w.stderr());
        std::thread::sleep(Duration::from_millis(100));
    }
    let heard = hook.heard();
    assert_eq!(heard.len(), 1, "{heard:#?}");
    assert_eq!(heard[0].body["event"], "issue");
    let title = heard[0].body["issue"]["title"].as_str().unwrap_or("");
    assert!(title.contains("fresh_live_mod"), "{title}");
    w.wait_stderr("notified json (127.0.0.1)", 10);
}

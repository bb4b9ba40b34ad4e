//! A `healdeck diagnose --watch --format jsonl` run for tests: its alerts as they come (one
//! JSON value each) and its stderr, with waits that name what did not come.

#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The binary with its config, data and ssh configuration under `home`.
pub(crate) fn healdeck(home: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_healdeck"));
    c.env("HEALDECK_CONFIG_DIR", home.join("config"))
        .env("HEALDECK_DATA_DIR", home.join("data"))
        .env("HEALDECK_SSH_CONFIG", home.join("ssh_config"));
    // A test's own container engine settings (tests/containers_cli.rs), where it made them.
    let (engine, storage) = (home.join("containers.conf"), home.join("storage.conf"));
    if engine.exists() && storage.exists() {
        c.env("CONTAINERS_CONF", engine)
            .env("CONTAINERS_STORAGE_CONF", storage);
    }
    c
}

/// `healdeck diagnose --watch --format jsonl` on `source`: alerts as they come, and stderr.
pub(crate) struct Watch {
    pub(crate) child: Child,
    alerts: Receiver<serde_json::Value>,
    stderr: Arc<Mutex<String>>,
}

impl Drop for Watch {
    /// Ends it as `kill` or `timeout` would (SIGTERM), so it stops its reading programs;
    /// killed outright only if it has not ended within 5 s.
    fn drop(&mut self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let until = Instant::now() + Duration::from_secs(5);
        while Instant::now() < until {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Watch {
    /// Starts following `args` (sources and flags).
    pub(crate) fn start(home: &Path, args: &[&str]) -> Watch {
        let mut child = healdeck(home)
            .args([
                "diagnose",
                "--watch",
                "--format",
                "jsonl",
                "--no-user-rules",
            ])
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start healdeck --watch");
        let stdout = child.stdout.take().expect("stdout");
        let stderr = child.stderr.take().expect("stderr");
        let text = Arc::new(Mutex::new(String::new()));
        let sink = text.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Ok(mut t) = sink.lock() {
                    t.push_str(&line);
                    t.push('\n');
                }
            }
        });
        let (tx, alerts) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                let v: serde_json::Value = serde_json::from_str(&line).expect("JSON line");
                if tx.send(v).is_err() {
                    break;
                }
            }
        });
        Watch {
            child,
            alerts,
            stderr: text,
        }
    }

    /// The next alert, within `secs`.
    pub(crate) fn next(&self, secs: u64) -> serde_json::Value {
        self.alerts
            .recv_timeout(Duration::from_secs(secs))
            .unwrap_or_else(|_| panic!("an alert within {secs} s; stderr:\n{}", self.stderr()))
    }

    pub(crate) fn quiet(&self, ms: u64) {
        if let Ok(v) = self.alerts.recv_timeout(Duration::from_millis(ms)) {
            panic!("unexpected alert: {v}");
        }
    }

    pub(crate) fn stderr(&self) -> String {
        self.stderr.lock().map(|t| t.clone()).unwrap_or_default()
    }

    pub(crate) fn wait_stderr(&self, text: &str, secs: u64) {
        let until = Instant::now() + Duration::from_secs(secs);
        while !self.stderr().contains(text) {
            assert!(
                Instant::now() < until,
                "no `{text}` on stderr:\n{}",
                self.stderr()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

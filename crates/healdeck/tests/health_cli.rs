//! `healdeck health` against real things: a real HTTP server (`python3 -m http.server`, and a
//! Python server with a slow endpoint) on free loopback ports, a real dead port, a real log
//! file that stops growing, the real disk and memory of this machine compared with `df` and
//! `/proc/meminfo`, and broken `health.toml` files. The remediation loop and the circuit
//! breaker are proven end to end: the audit log, the saved state and the issue JSON.

#[path = "common/process.rs"]
mod process;
use process::free_port;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            dir: tempfile::tempdir().expect("tmp"),
        }
    }
    fn p(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }
    fn write(&self, rel: &str, text: &str) {
        let p = self.p(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, text).expect("write");
    }
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_healdeck"));
        c.args(args)
            .current_dir(self.dir.path())
            .env("HEALDECK_CONFIG_DIR", self.p("config"))
            .env("HEALDECK_DATA_DIR", self.p("data"))
            .env("NO_COLOR", "1");
        c
    }
    fn healdeck(&self, args: &[&str]) -> Output {
        self.command(args).output().expect("run healdeck")
    }
    /// `healdeck health --watch --json`, its stdout lines collected as they come.
    fn watch(&self) -> Watching {
        let mut child = self
            .command(&["health", "--watch", "--json"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start healdeck health --watch");
        let lines = Arc::new(Mutex::new(Vec::new()));
        for pipe in [
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn std::io::Read + Send>),
        ]
        .into_iter()
        .flatten()
        {
            let sink = lines.clone();
            std::thread::spawn(move || {
                for l in BufReader::new(pipe).lines().map_while(Result::ok) {
                    sink.lock().expect("lines").push(l);
                }
            });
        }
        Watching { child, lines }
    }
    fn audit(&self) -> Vec<serde_json::Value> {
        std::fs::read_to_string(self.p("data/fix-audit.jsonl"))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).expect("audit line is JSON"))
            .collect()
    }
    fn state(&self, check: &str) -> serde_json::Value {
        let text = std::fs::read_to_string(self.p(&format!("data/health/{check}.state.json")))
            .unwrap_or_else(|_| "{}".into());
        serde_json::from_str(&text).expect("state JSON")
    }
    /// The issues `diagnose --health` reports next to an (empty) log.
    fn issues(&self) -> Vec<serde_json::Value> {
        self.write("logs/empty.log", "");
        let out = self.healdeck(&["diagnose", "--health", "--format", "json", "logs/empty.log"]);
        let doc: serde_json::Value =
            serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", text(&out)));
        doc["issues"].as_array().cloned().unwrap_or_default()
    }
}

struct Watching {
    child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Watching {
    fn results(&self) -> Vec<serde_json::Value> {
        self.lines
            .lock()
            .expect("lines")
            .iter()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .collect()
    }
    fn text(&self) -> String {
        self.lines.lock().expect("lines").join("\n")
    }
    /// Waits until `done` holds, failing with everything printed after `secs`.
    fn until(&self, secs: u64, what: &str, done: impl Fn(&Watching) -> bool) {
        let deadline = Instant::now() + Duration::from_secs(secs);
        while !done(self) {
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}; output:\n{}",
                self.text()
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
    /// Stops it the way a person or systemd does (SIGTERM), so it saves its history.
    fn stop(mut self) {
        let _ = Command::new("kill")
            .args(["-TERM", &self.child.id().to_string()])
            .status();
        let deadline = Instant::now() + Duration::from_secs(10);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = self.child.kill();
        panic!("healdeck health --watch did not stop on SIGTERM");
    }
}

fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Kills the process whose pid is in `pidfile` (the servers the tests and actions start).
fn kill_pidfile(pidfile: &Path) {
    if let Ok(pid) = std::fs::read_to_string(pidfile) {
        let _ = Command::new("kill").args(["-9", pid.trim()]).status();
    }
}

/// A script that starts `python3 -m http.server PORT` detached (as a service manager would)
/// and writes its pid; the restart action and the test both use it.
const START_SERVER: &str = r#"
import subprocess, sys
port, pidfile, root = sys.argv[1], sys.argv[2], sys.argv[3]
p = subprocess.Popen([sys.executable, "-m", "http.server", port, "--bind", "127.0.0.1",
                      "--directory", root],
                     stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                     stderr=subprocess.DEVNULL, start_new_session=True)
open(pidfile, "w").write(str(p.pid))
"#;

fn wait_for_port(port: u16) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "server on {port} never came up");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn ok_of(r: &serde_json::Value) -> bool {
    r["ok"].as_bool().expect("ok is a bool")
}

#[test]
fn a_stopped_server_is_restarted_once_verified_and_its_issue_resolved() {
    let env = Env::new();
    let port = free_port();
    env.write("start_server.py", START_SERVER);
    env.write("www/index.html", "ok\n");
    let pidfile = env.p("server.pid");
    let start = [
        "python3".to_string(),
        env.p("start_server.py").display().to_string(),
        port.to_string(),
        pidfile.display().to_string(),
        env.p("www").display().to_string(),
    ];
    assert!(
        Command::new(&start[0])
            .args(&start[1..])
            .status()
            .expect("start")
            .success()
    );
    wait_for_port(port);
    env.write(
        "config/health.toml",
        &format!(
            "[[check]]\nname = \"web\"\nkind = \"http\"\ninterval_s = 1\n\
             url = \"http://127.0.0.1:{port}/\"\nbody_regex = \"ok\"\nfailures = 2\ncycles = 3\n\
             source = \"web\"\n\
             [check.action]\ncommand = {start:?}\nunattended = true\nverify_s = 15\n"
        ),
    );
    let w = env.watch();
    w.until(15, "a healthy result", |w| w.results().iter().any(ok_of));
    kill_pidfile(&pidfile);
    // Failing after the threshold (2 of 3), then the action runs once and the check passes.
    w.until(30, "a verified restart", |_| {
        env.audit()
            .iter()
            .any(|e| e["phase"] == "end" && e["result"] == "fixed")
    });
    w.until(10, "a healthy result after the restart", |w| {
        let r = w.results();
        let last_fail = r.iter().rposition(|x| !ok_of(x));
        last_fail.is_some_and(|i| r[i + 1..].iter().any(ok_of))
    });
    let results = w.results();
    let fails = results.iter().filter(|r| !ok_of(r)).count();
    assert!(fails >= 2, "the threshold is 2 failures:\n{}", w.text());
    let down = results.iter().find(|r| !ok_of(r)).expect("a failure");
    for key in ["check", "kind", "ok", "latency_ms", "detail", "time"] {
        assert!(down.get(key).is_some(), "{key} missing in {down}");
    }
    assert_eq!(down["kind"], "http");
    assert!(
        down["detail"].as_str().unwrap_or("").contains("refused"),
        "{down}"
    );
    w.stop();
    kill_pidfile(&pidfile);

    let audit = env.audit();
    let starts: Vec<_> = audit.iter().filter(|e| e["phase"] == "start").collect();
    assert_eq!(starts.len(), 1, "the action runs once: {audit:#?}");
    assert_eq!(starts[0]["action"], "command");
    assert_eq!(starts[0]["argv"], serde_json::json!(start));
    let end = audit
        .iter()
        .find(|e| e["phase"] == "end")
        .expect("end entry");
    assert!(
        end["verified"]
            .as_str()
            .is_some_and(|v| v.starts_with("the check passes again")),
        "{end}"
    );
    let state = env.state("web");
    assert_eq!(state["resolved"], true, "{state}");
    assert_eq!(state["failing"], false, "{state}");
    // The history survived the stop: at least one record per second it ran.
    let hist = std::fs::metadata(env.p("data/health/web.hist")).expect("history file");
    assert!(
        hist.len() >= 8 * 4 && hist.len().is_multiple_of(8),
        "{} bytes",
        hist.len()
    );

    let issues = env.issues();
    let issue = issues
        .iter()
        .find(|i| i["rule"] == "health.http")
        .expect("the check's issue in diagnose --health");
    assert_eq!(issue["state"], "resolved", "{issue}");
    assert_eq!(issue["category"], "network", "{issue}");
    assert_eq!(issue["latest"]["source"], "web");
    assert!(issue["count"].as_u64().is_some_and(|c| c >= 1), "{issue}");
}

/// Actions started, from the audit log.
fn started(env: &Env) -> usize {
    env.audit().iter().filter(|e| e["phase"] == "start").count()
}

#[test]
fn a_server_that_will_not_come_back_trips_the_breaker_after_three_actions() {
    let env = Env::new();
    let port = free_port();
    env.write(
        "config/health.toml",
        &format!(
            "[[check]]\nname = \"api\"\nkind = \"tcp\"\ninterval_s = 1\n\
             address = \"127.0.0.1:{port}\"\nseverity = \"critical\"\n\
             [check.action]\ncommand = [\"python3\", \"-c\", \"print('restarting api')\"]\n\
             unattended = true\nverify_s = 1\n"
        ),
    );
    let w = env.watch();
    w.until(40, "the breaker to open", |_| {
        env.state("api")["breaker_open"] == true
    });
    // A few more failing cycles: no action runs any more.
    let failing_then = env.state("api")["failing_cycles"].as_u64().unwrap_or(0);
    w.until(10, "two more failing cycles", |_| {
        env.state("api")["failing_cycles"].as_u64().unwrap_or(0) >= failing_then + 2
    });
    assert_eq!(started(&env), 3, "no action while the breaker is open");
    // A reset from another process while the monitor runs is taken by the monitor, not
    // overwritten by its next save: three more actions, then the breaker again.
    let out = env.healdeck(&["health", "--reset", "api"]);
    assert!(out.status.success(), "{}", text(&out));
    w.until(40, "three more actions and the breaker again", |_| {
        started(&env) == 6 && env.state("api")["breaker_open"] == true
    });
    w.stop();
    let audit = env.audit();
    assert_eq!(
        started(&env),
        6,
        "3 actions, the breaker, a reset, 3 more: {audit:#?}"
    );
    assert!(
        audit
            .iter()
            .all(|e| e["phase"] != "end" || e["result"] == "verify_failed"),
        "{audit:#?}"
    );
    assert!(
        audit.iter().any(|e| e["phase"] == "unfixable"),
        "{audit:#?}"
    );
    let issues = env.issues();
    let issue = issues
        .iter()
        .find(|i| i["rule"] == "health.tcp")
        .expect("issue");
    assert_eq!(issue["state"], "unfixable", "{issue}");
    assert_eq!(issue["severity"], "critical");
    assert!(
        issue["root_cause"]
            .as_str()
            .is_some_and(|r| r.contains("circuit breaker")),
        "{issue}"
    );
    // A person resets it; the count starts again from zero.
    let out = env.healdeck(&["health", "--reset", "api"]);
    assert!(out.status.success(), "{}", text(&out));
    assert!(
        text(&out).contains("circuit breaker closed"),
        "{}",
        text(&out)
    );
    let state = env.state("api");
    assert_eq!(state["breaker_open"], false);
    assert_eq!(state["actions"], serde_json::json!([]));
    // With the breaker closed, one cycle may act again.
    let out = env.healdeck(&["health", "--once"]);
    assert!(text(&out).contains("action (attempt 1)"), "{}", text(&out));
}

#[test]
fn a_class_b_action_waits_for_approval() {
    let env = Env::new();
    let port = free_port();
    let marker = env.p("restarted");
    env.write(
        "config/health.toml",
        &format!(
            "[[check]]\nname = \"api\"\nkind = \"tcp\"\ninterval_s = 5\n\
             address = \"127.0.0.1:{port}\"\n\
             [check.action]\ncommand = [\"touch\", {:?}]\nverify_s = 1\n",
            marker.display().to_string()
        ),
    );
    let out = env.healdeck(&["health", "--once", "--fail-on", "high"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    assert!(
        text(&out).contains("waits for a person's approval"),
        "{}",
        text(&out)
    );
    assert!(!marker.exists(), "a class B action ran without approval");
    assert!(env.audit().is_empty());
    let out = env.healdeck(&["health", "--once", "--approve", "api"]);
    assert!(marker.exists(), "approved, it runs: {}", text(&out));
    assert_eq!(
        env.audit().iter().filter(|e| e["phase"] == "start").count(),
        1
    );
}

/// A server with a fast and a slow endpoint (Python's http.server, a handler that sleeps).
const SLOW_SERVER: &str = r#"
import http.server, sys, time
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/slow":
            time.sleep(0.8)
        body = b"healthy"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def log_message(self, *a):
        pass
http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
"#;

#[test]
fn a_slow_endpoint_crosses_the_latency_threshold() {
    let env = Env::new();
    let port = free_port();
    env.write("slow.py", SLOW_SERVER);
    let mut server = Command::new("python3")
        .arg(env.p("slow.py"))
        .arg(port.to_string())
        .spawn()
        .expect("python3");
    wait_for_port(port);
    env.write(
        "config/health.toml",
        &format!(
            "[[check]]\nname = \"fast\"\nkind = \"http\"\ninterval_s = 10\n\
             url = \"http://127.0.0.1:{port}/fast\"\nmax_latency_ms = 500\nbody_regex = \"^healthy$\"\n\
             [[check]]\nname = \"slow\"\nkind = \"http\"\ninterval_s = 10\n\
             url = \"http://127.0.0.1:{port}/slow\"\nmax_latency_ms = 300\n\
             [[check]]\nname = \"status\"\nkind = \"http\"\ninterval_s = 10\n\
             url = \"http://127.0.0.1:{port}/\"\nexpect_status = 204\nseverity = \"low\"\n"
        ),
    );
    let out = env.healdeck(&["health", "--once", "--json", "--fail-on", "medium"]);
    let _ = server.kill();
    let _ = server.wait();
    let results: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let of = |name: &str| {
        results
            .iter()
            .find(|r| r["check"] == name)
            .unwrap_or_else(|| panic!("{name} missing: {}", text(&out)))
    };
    assert!(ok_of(of("fast")), "{}", of("fast"));
    let slow = of("slow");
    assert!(!ok_of(slow));
    assert!(
        slow["latency_ms"].as_u64().is_some_and(|l| l >= 700),
        "{slow}"
    );
    assert!(
        slow["detail"]
            .as_str()
            .is_some_and(|d| d.contains("slower than 300 ms")),
        "{slow}"
    );
    assert!(
        of("status")["detail"]
            .as_str()
            .is_some_and(|d| d.contains("HTTP 200") && d.contains("expected 204")),
        "{}",
        of("status")
    );
    assert_eq!(out.status.code(), Some(1), "slow is high: {}", text(&out));
    let issues = env.issues();
    let slow_issue = issues
        .iter()
        .find(|i| i["captures"]["check"] == "slow")
        .expect("slow's issue");
    assert_eq!(slow_issue["category"], "timeout");
    assert_eq!(slow_issue["state"], "open");
}

#[test]
fn a_log_that_stops_growing_fails_and_a_stale_one_too() {
    let env = Env::new();
    let log = env.p("app.log");
    std::fs::write(&log, "start\n").expect("log");
    env.write(
        "config/health.toml",
        &format!(
            "[[check]]\nname = \"log\"\nkind = \"file\"\ninterval_s = 1\npath = {:?}\n\
             must_grow = true\n",
            log.display().to_string()
        ),
    );
    let w = env.watch();
    let writer_log = log.clone();
    let writer = std::thread::spawn(move || {
        for i in 0..30 {
            let mut f = std::fs::OpenOptions::new()
                .append(true)
                .open(&writer_log)
                .expect("append");
            std::io::Write::write_all(&mut f, format!("line {i}\n").as_bytes()).expect("write");
            std::thread::sleep(Duration::from_millis(100));
        }
    });
    w.until(15, "two passing results while it grows", |w| {
        w.results().iter().filter(|r| ok_of(r)).count() >= 2
    });
    writer.join().expect("writer");
    w.until(15, "a failure once it stopped", |w| {
        w.results().iter().any(|r| {
            !ok_of(r)
                && r["detail"]
                    .as_str()
                    .is_some_and(|d| d.contains("did not grow"))
        })
    });
    w.stop();

    // Not written for 10 minutes, with a 5-minute limit.
    let stale = env.p("stale.log");
    std::fs::write(&stale, "old\n").expect("stale");
    let ten_min_ago = std::time::SystemTime::now() - Duration::from_secs(600);
    std::fs::File::options()
        .write(true)
        .open(&stale)
        .and_then(|f| f.set_modified(ten_min_ago))
        .expect("set mtime");
    env.write(
        "config/health.toml",
        &format!(
            "[[check]]\nname = \"stale\"\nkind = \"file\"\ninterval_s = 60\npath = {:?}\n\
             max_age_s = 300\n[[check]]\nname = \"missing\"\nkind = \"file\"\ninterval_s = 60\n\
             path = {:?}\n",
            stale.display().to_string(),
            env.p("nope.log").display().to_string()
        ),
    );
    let out = env.healdeck(&["health", "--json"]);
    let t = text(&out);
    assert!(t.contains("not written for longer than 300 s"), "{t}");
    assert!(t.contains("No such file"), "{t}");
}

/// An HTTPS server (Python's ssl) with a certificate from a private CA, valid `days` days.
const TLS_SERVER: &str = r#"
import http.server, ssl, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *a):
        pass
srv = http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), H)
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
ctx.load_cert_chain(sys.argv[2], sys.argv[3])
srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
srv.serve_forever()
"#;

fn openssl(env: &Env, args: &[&str]) {
    let out = Command::new("openssl")
        .args(args)
        .current_dir(env.p(""))
        .output()
        .expect("openssl");
    assert!(out.status.success(), "openssl {args:?}: {}", text(&out));
}

/// A private CA (`ca.pem`) and a server certificate for localhost from it, valid 5 days.
fn short_lived_certificate(env: &Env) {
    openssl(
        env,
        &[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "ca.key",
            "-out",
            "ca.pem",
            "-days",
            "365",
            "-subj",
            "/CN=healdeck test CA",
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign",
        ],
    );
    openssl(
        env,
        &[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            "srv.key",
            "-out",
            "srv.csr",
            "-subj",
            "/CN=localhost",
        ],
    );
    env.write(
        "ext.cnf",
        "subjectAltName=DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    );
    openssl(
        env,
        &[
            "x509",
            "-req",
            "-in",
            "srv.csr",
            "-CA",
            "ca.pem",
            "-CAkey",
            "ca.key",
            "-CAcreateserial",
            "-out",
            "srv.pem",
            "-days",
            "5",
            "-extfile",
            "ext.cnf",
        ],
    );
}

#[test]
fn a_certificate_that_expires_soon_fails_its_check() {
    let env = Env::new();
    short_lived_certificate(&env);
    let port = free_port();
    env.write("tls.py", TLS_SERVER);
    let mut server = Command::new("python3")
        .args(["tls.py", &port.to_string(), "srv.pem", "srv.key"])
        .current_dir(env.p(""))
        .spawn()
        .expect("python3");
    wait_for_port(port);
    let ca = env.p("ca.pem").display().to_string();
    env.write(
        "config/health.toml",
        &format!(
            "[[check]]\nname = \"soon\"\nkind = \"http\"\ninterval_s = 60\n\
             url = \"https://localhost:{port}/\"\nca_file = {ca:?}\ncert_warn_days = 30\n\
             [[check]]\nname = \"fine\"\nkind = \"http\"\ninterval_s = 60\n\
             url = \"https://localhost:{port}/\"\nca_file = {ca:?}\ncert_warn_days = 2\n\
             [[check]]\nname = \"untrusted\"\nkind = \"http\"\ninterval_s = 60\n\
             url = \"https://localhost:{port}/\"\n"
        ),
    );
    let out = env.healdeck(&["health", "--json"]);
    let _ = server.kill();
    let _ = server.wait();
    let results: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let of = |name: &str| {
        results
            .iter()
            .find(|r| r["check"] == name)
            .expect(name)
            .clone()
    };
    let soon = of("soon");
    assert!(!ok_of(&soon));
    let detail = soon["detail"].as_str().unwrap_or("");
    assert!(
        detail.contains("TLS certificate expires in 4 day(s)")
            || detail.contains("TLS certificate expires in 5 day(s)"),
        "{soon}"
    );
    assert!(ok_of(&of("fine")), "{}", of("fine"));
    let untrusted = of("untrusted");
    assert!(!ok_of(&untrusted));
    assert!(
        untrusted["detail"]
            .as_str()
            .is_some_and(|d| d.contains("UnknownIssuer")),
        "not trusted without its CA: {untrusted}"
    );
}

fn df_available_percent(path: &str) -> f64 {
    let out = Command::new("df")
        .args(["-B1", "--output=avail,size", path])
        .output()
        .expect("df");
    let text = String::from_utf8_lossy(&out.stdout);
    let nums: Vec<f64> = text
        .lines()
        .nth(1)
        .expect("df line")
        .split_whitespace()
        .map(|n| n.parse().expect("number"))
        .collect();
    nums[0] / nums[1] * 100.0
}

fn meminfo_available_percent() -> f64 {
    let text = std::fs::read_to_string("/proc/meminfo").expect("meminfo");
    let field = |name: &str| -> f64 {
        text.lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .expect("field")
    };
    field("MemAvailable:") / field("MemTotal:") * 100.0
}

/// The first number before " %" in a detail.
fn percent_in(detail: &str) -> f64 {
    let end = detail.find(" %").expect("a percentage");
    let start = detail[..end]
        .rfind(|c: char| !(c.is_ascii_digit() || c == '.'))
        .map_or(0, |i| i + 1);
    detail[start..end].parse().expect("number")
}

#[test]
fn disk_and_memory_checks_read_the_real_values() {
    let env = Env::new();
    let here = env.p("");
    let mount = here.display().to_string();
    env.write(
        "config/health.toml",
        &format!(
            "[[check]]\nname = \"disk-ok\"\nkind = \"disk\"\ninterval_s = 60\npath = {mount:?}\nmin_free_percent = 0.0\n\
             [[check]]\nname = \"disk-full\"\nkind = \"disk\"\ninterval_s = 60\npath = {mount:?}\nmin_free_percent = 100.0\n\
             [[check]]\nname = \"mem-ok\"\nkind = \"memory\"\ninterval_s = 60\nmin_available_percent = 0.0\n\
             [[check]]\nname = \"mem-low\"\nkind = \"memory\"\ninterval_s = 60\nmin_available_percent = 100.0\nseverity = \"critical\"\n"
        ),
    );
    let out = env.healdeck(&["health", "--json", "--fail-on", "critical"]);
    assert_eq!(out.status.code(), Some(1), "{}", text(&out));
    let results: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let of = |name: &str| {
        results
            .iter()
            .find(|r| r["check"] == name)
            .expect(name)
            .clone()
    };
    assert!(ok_of(&of("disk-ok")) && !ok_of(&of("disk-full")));
    assert!(ok_of(&of("mem-ok")) && !ok_of(&of("mem-low")));
    let disk = percent_in(of("disk-ok")["detail"].as_str().expect("detail"));
    let df = df_available_percent(&mount);
    assert!((disk - df).abs() < 0.5, "healdeck {disk} % vs df {df} %");
    let mem = percent_in(of("mem-ok")["detail"].as_str().expect("detail"));
    let real = meminfo_available_percent();
    assert!(
        (mem - real).abs() < 3.0,
        "healdeck {mem} % vs /proc/meminfo {real} %"
    );
    let issues = env.issues();
    let cat = |check: &str| {
        issues
            .iter()
            .find(|i| i["captures"]["check"] == check)
            .map(|i| i["category"].clone())
    };
    assert_eq!(cat("disk-full"), Some("resource_disk".into()));
    assert_eq!(cat("mem-low"), Some("resource_memory".into()));
    assert_eq!(cat("disk-ok"), None, "a passing check has no issue");
}

#[test]
fn a_broken_health_toml_names_the_file_the_line_and_the_field() {
    let env = Env::new();
    let tcp =
        "[[check]]\nname = \"a\"\nkind = \"tcp\"\ninterval_s = 5\naddress = \"127.0.0.1:80\"\n";
    let http =
        "[[check]]\nname = \"b\"\nkind = \"http\"\ninterval_s = 5\nurl = \"http://127.0.0.1/\"\n";
    let cases = [
        (tcp.replace("\"tcp\"", "\"tcpp\""), 3, "kind"),
        (
            tcp.replace("interval_s = 5", "interval_s = 0"),
            4,
            "interval_s",
        ),
        (http.replace("http://127.0.0.1/", "gopher://x"), 5, "url"),
        (http.replace("http://127.0.0.1/", "http://"), 5, "url"),
    ];
    for (file, line, field) in cases {
        env.write("config/health.toml", &file);
        let out = env.healdeck(&["health", "--once"]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out));
        let want = format!("health.toml:{line}: {field}: ");
        assert!(text(&out).contains(&want), "want {want}: {}", text(&out));
        assert!(!text(&out).contains("panicked"));
    }
    let good = tcp;
    // The same file, given with --config, is named as given.
    env.write(
        "elsewhere.toml",
        &good.replace("interval_s = 5", "interval_s = -1"),
    );
    let out = env.healdeck(&["health", "--config", "elsewhere.toml"]);
    assert!(
        text(&out).contains("elsewhere.toml:4: interval_s: -1 is out of range"),
        "{}",
        text(&out)
    );
}

#[test]
fn a_process_is_found_by_name_or_pidfile_and_its_memory_limit_applies() {
    let env = Env::new();
    let mut worker = Command::new("sleep").arg("30").spawn().expect("sleep");
    let pidfile = env.p("worker.pid");
    std::fs::write(&pidfile, worker.id().to_string()).expect("pidfile");
    let gone = env.p("gone.pid");
    std::fs::write(&gone, "999999999").expect("stale pidfile");
    env.write(
        "config/health.toml",
        &format!(
            "[[check]]\nname = \"by-name\"\nkind = \"process\"\ninterval_s = 60\nprocess = \"sleep\"\n\
             [[check]]\nname = \"by-pidfile\"\nkind = \"process\"\ninterval_s = 60\npidfile = {:?}\n\
             [[check]]\nname = \"tiny-limit\"\nkind = \"process\"\ninterval_s = 60\npidfile = {:?}\nmax_rss_mb = 1\n\
             [[check]]\nname = \"stale\"\nkind = \"process\"\ninterval_s = 60\npidfile = {:?}\n\
             [[check]]\nname = \"absent\"\nkind = \"process\"\ninterval_s = 60\nprocess = \"hd-no-such-process\"\n",
            pidfile.display().to_string(),
            pidfile.display().to_string(),
            gone.display().to_string()
        ),
    );
    let out = env.healdeck(&["health", "--json"]);
    let _ = worker.kill();
    let _ = worker.wait();
    let results: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    let of = |name: &str| {
        results
            .iter()
            .find(|r| r["check"] == name)
            .unwrap_or_else(|| panic!("{name}: {}", text(&out)))
            .clone()
    };
    assert!(ok_of(&of("by-name")), "{}", of("by-name"));
    assert!(ok_of(&of("by-pidfile")), "{}", of("by-pidfile"));
    let tiny = of("tiny-limit");
    assert!(!ok_of(&tiny));
    assert!(
        tiny["detail"]
            .as_str()
            .is_some_and(|d| d.contains("over 1 MiB")),
        "{tiny}"
    );
    assert!(
        of("stale")["detail"]
            .as_str()
            .is_some_and(|d| d.contains("is not running"))
    );
    assert!(
        of("absent")["detail"]
            .as_str()
            .is_some_and(|d| d.contains("is not running"))
    );
    let issues = env.issues();
    let cat = |check: &str| {
        issues
            .iter()
            .find(|i| i["captures"]["check"] == check)
            .map(|i| i["category"].clone())
    };
    assert_eq!(cat("tiny-limit"), Some("resource_memory".into()));
}

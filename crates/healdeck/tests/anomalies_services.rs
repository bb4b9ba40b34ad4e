//! Slow handlers and open sequences in real programs' logs, against their healthy baselines:
//! - a real **nginx** (Debian's, started by the test on a loopback port, its access log with
//!   `$request_time`) serves an API and an export; then the export is rate-limited (a config
//!   change, as in a real incident) and slows ~0.5 s per call — the export endpoint must be the
//!   slow handler, named by its method and path, the API not;
//! - a real **Celery** worker (Debian's python3-celery, a filesystem broker, thread pool) runs
//!   quick and short tasks; then the report task slows and three of them hang — the report task
//!   must be the slow handler and the hung tasks an open sequence listing their ids.
//!
//! The healthy period against itself gives neither.

#[path = "common/patterns_json.rs"]
mod patterns_json;
#[path = "common/process.rs"]
mod process;
#[path = "common/watch.rs"]
mod watch;

use patterns_json::{kinds, patterns_json};
use process::{Killed, free_port};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Polls `done` every 100 ms for up to `secs`; whether it came true.
fn wait_for(secs: u64, mut done: impl FnMut() -> bool) -> bool {
    let until = Instant::now() + Duration::from_secs(secs);
    while Instant::now() < until {
        if done() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    done()
}

/// The lines of `path` containing `needle`.
fn count_lines(path: &Path, needle: &str) -> usize {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter(|l| l.contains(needle))
        .count()
}

/// Saves `log` as `healthy.log` in `home` and empties it (the program appends, so the next
/// period starts in the same file); the healthy log's path.
fn cut_healthy_period(home: &Path, log: &Path) -> PathBuf {
    let healthy = home.join("healthy.log");
    std::fs::copy(log, &healthy).expect("copy the healthy period");
    std::fs::File::create(log).expect("empty the log");
    healthy
}

/// Saves `healthy` as baseline `name`, checks it is quiet in itself and against itself, then
/// reads `log` against it; the report.
fn against_baseline(
    home: &Path,
    name: &str,
    healthy: &Path,
    log: &Path,
    extra: &[&str],
) -> serde_json::Value {
    let healthy = healthy.to_str().expect("utf-8");
    let saved = patterns_json(home, &[&["--save-baseline", name, healthy], extra].concat());
    assert!(
        kinds(&saved).is_empty(),
        "healthy in itself: {:#?}",
        kinds(&saved)
    );
    let itself = patterns_json(home, &[&["--baseline", name, healthy], extra].concat());
    assert!(
        kinds(&itself).is_empty(),
        "healthy against itself: {:#?}",
        kinds(&itself)
    );
    let log = log.to_str().expect("utf-8");
    patterns_json(home, &[&["--baseline", name, log], extra].concat())
}

/// A real nginx serving `home/www` on a free loopback port, logging requests with their time to
/// `access`; `limit` rate-limits the export folder. A port is only free until something takes
/// it (another test's outgoing connection may be given it as its own), so a bind that fails is
/// tried again on a fresh port.
fn nginx(home: &Path, access: &Path, limit: Option<&str>) -> (Killed, u16) {
    let mut errors = String::new();
    for _ in 0..5 {
        let port = free_port();
        match nginx_on(home, port, access, limit) {
            Ok(server) => return (server, port),
            Err(error) => errors.push_str(&error),
        }
    }
    panic!("nginx did not listen on any of five free ports:\n{errors}");
}

/// One try of [`nginx`] on `port`: the server, or why it did not answer there.
fn nginx_on(home: &Path, port: u16, access: &Path, limit: Option<&str>) -> Result<Killed, String> {
    let conf = home.join("nginx.conf");
    let temp = home.join("nginx-temp");
    std::fs::create_dir_all(&temp).expect("mkdir");
    let limit = limit.map_or(String::new(), |rate| format!("limit_rate {rate};"));
    std::fs::write(
        &conf,
        format!(
            "daemon off;\nmaster_process off;\nworker_processes 1;\npid {h}/nginx.pid;\n\
             error_log {h}/nginx-error.log warn;\nevents {{ worker_connections 64; }}\n\
             http {{\n  log_format timed '$remote_addr - $remote_user [$time_local] \
             \"$request\" $status $body_bytes_sent rt=$request_time';\n  \
             access_log {access} timed;\n  client_body_temp_path {t}/body;\n  \
             proxy_temp_path {t}/proxy;\n  fastcgi_temp_path {t}/fastcgi;\n  \
             uwsgi_temp_path {t}/uwsgi;\n  scgi_temp_path {t}/scgi;\n  \
             server {{\n    listen 127.0.0.1:{port};\n    root {h}/www;\n    \
             location /export/ {{ {limit} }}\n  }}\n}}\n",
            h = home.display(),
            t = temp.display(),
            access = access.display(),
        ),
    )
    .expect("nginx.conf");
    let child = Command::new("/usr/sbin/nginx")
        .arg("-p")
        .arg(home)
        .arg("-c")
        .arg(&conf)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("/usr/sbin/nginx (Debian's nginx; .ci/run installs it)");
    let mut server = Killed(child);
    // Listening, and it is this nginx that answers (a port is only free until it is taken).
    let listening = wait_for(10, || {
        matches!(server.0.try_wait(), Ok(None)) && TcpStream::connect(("127.0.0.1", port)).is_ok()
    }) && head(port).contains("Server: nginx");
    if !listening {
        let _ = server.0.kill();
        let mut err = String::new();
        if let Some(mut e) = server.0.stderr.take() {
            let _ = e.read_to_string(&mut err);
        }
        // nginx writes a failed bind to its error log, not to stderr.
        let log = std::fs::read_to_string(home.join("nginx-error.log")).unwrap_or_default();
        let _ = std::fs::remove_file(home.join("nginx-error.log"));
        return Err(format!("port {port}: {err}{log}"));
    }
    Ok(server)
}

/// One HTTP/1.0 request; the whole response (empty when the connection failed).
fn request(port: u16, method: &str, path: &str) -> String {
    let mut body = Vec::new();
    let _ = TcpStream::connect(("127.0.0.1", port)).and_then(|mut s| {
        s.set_read_timeout(Some(Duration::from_secs(30)))?;
        write!(s, "{method} {path} HTTP/1.0\r\nHost: localhost\r\n\r\n")?;
        s.read_to_end(&mut body)
    });
    String::from_utf8_lossy(&body).into_owned()
}

/// The response headers of `HEAD /`.
fn head(port: u16) -> String {
    request(port, "HEAD", "/")
}

/// One GET of `path`; the status line.
fn get(port: u16, path: &str) -> String {
    request(port, "GET", path)
        .lines()
        .next()
        .unwrap_or("")
        .to_string()
}

/// 120 API calls and 30 exports, four at a time.
fn traffic(port: u16) {
    let paths: Vec<&str> = (0..150)
        .map(|i| {
            if i % 5 == 0 {
                "/export/2026/report.csv"
            } else {
                "/api/items"
            }
        })
        .collect();
    for group in paths.chunks(4) {
        std::thread::scope(|scope| {
            for path in group {
                scope.spawn(move || assert!(get(port, path).contains(" 200 "), "GET {path}"));
            }
        });
    }
}

#[test]
fn a_rate_limited_export_on_a_real_nginx_is_the_slow_handler_by_its_path() {
    let home = tempfile::tempdir().expect("tmp");
    let home = home.path();
    std::fs::create_dir_all(home.join("www/api")).expect("mkdir");
    std::fs::create_dir_all(home.join("www/export/2026")).expect("mkdir");
    std::fs::write(home.join("www/api/items"), "[{\"id\": 1}]\n").expect("api");
    std::fs::write(
        home.join("www/export/2026/report.csv"),
        "a,b\n".repeat(32 * 1024),
    )
    .expect("export: 128 KiB");
    let access = home.join("access.log");

    let (server, port) = nginx(home, &access, None);
    traffic(port);
    drop(server);
    let logged = count_lines(&access, "GET /api/items") + count_lines(&access, "GET /export/");
    assert_eq!(
        logged,
        150,
        "nginx logged every request:\n{}",
        std::fs::read_to_string(&access).unwrap_or_default()
    );
    let healthy = cut_healthy_period(home, &access);

    // The incident: someone rate-limits the export folder; 128 KiB at 256 KiB/s is ~0.5 s.
    let (server, port) = nginx(home, &access, Some("256k"));
    traffic(port);
    drop(server);
    let report = against_baseline(home, "web-healthy", &healthy, &access, &[]);
    let found = kinds(&report);
    eprintln!("{found:#?}\n{:#}", report["handlers"]);
    let slow: Vec<&String> = found
        .iter()
        .filter(|(k, _)| k == "slow_handler")
        .map(|(_, t)| t)
        .collect();
    assert_eq!(
        slow.len(),
        1,
        "one slow handler: {found:#?}\n{:#}",
        report["handlers"]
    );
    assert!(
        slow[0].contains("`GET /export/<*>/report.csv` p95")
            && slow[0].contains("— baseline ")
            && slow[0].contains("over 30 calls"),
        "named by method and path, the year masked: {}",
        slow[0]
    );
    let export = report["handlers"]
        .as_array()
        .expect("handlers")
        .iter()
        .find(|h| h["name"] == "GET /export/<*>/report.csv")
        .expect("the export's durations");
    assert!(
        export["p50_ms"].as_f64().is_some_and(|p| p >= 300.0),
        "{export}"
    );
}

/// A real Celery worker in `home` (tasks in `tasks.py`, messages through a filesystem
/// broker), logging to `log`.
fn celery_worker(home: &Path, log: &Path) -> Killed {
    for q in ["queue", "processed"] {
        std::fs::create_dir_all(home.join(q)).expect("mkdir");
    }
    std::fs::write(
        home.join("tasks.py"),
        "import time\nfrom celery import Celery\n\n\
         app = Celery('tasks', broker='filesystem://')\n\
         app.conf.broker_transport_options = {'data_folder_in': 'queue', \
         'data_folder_out': 'queue', 'data_folder_processed': 'processed'}\n\
         app.conf.broker_connection_retry_on_startup = True\n\n\
         @app.task\ndef add(x, y):\n    return x + y\n\n\
         @app.task\ndef report(seconds):\n    time.sleep(seconds)\n    return seconds\n",
    )
    .expect("tasks.py");
    let child = Command::new("/usr/bin/python3")
        .args([
            "-m", "celery", "-A", "tasks", "worker", "-P", "threads", "-c", "8",
        ])
        .args([
            "-l",
            "INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
            "-f",
        ])
        .arg(log)
        .current_dir(home)
        .env("C_FORCE_ROOT", "1")
        .env("PYTHONPATH", home)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("/usr/bin/python3 (Debian's, with python3-celery; .ci/run installs it)");
    let worker = Killed(child);
    assert!(
        wait_for(60, || count_lines(log, " ready.") > 0),
        "the worker started: {}",
        std::fs::read_to_string(log).unwrap_or_default()
    );
    worker
}

/// Sends `adds` additions and one report task per entry of `reports` (its seconds); the ids
/// the hung reports (over 60 s) were given.
fn send(home: &Path, adds: usize, reports: &[f64]) -> Vec<String> {
    let script = format!(
        "from tasks import add, report\n\
         for s in {reports:?}:\n    r = report.delay(s)\n    if s > 60: print(r.id)\n\
         for i in range({adds}):\n    add.delay(i, i)\n"
    );
    let out = Command::new("/usr/bin/python3")
        .args(["-c", &script])
        .current_dir(home)
        .env("PYTHONPATH", home)
        .output()
        .expect("python3");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

#[test]
fn a_slow_and_hanging_task_on_a_real_celery_worker_is_slow_and_left_open() {
    let home = tempfile::tempdir().expect("tmp");
    let home = home.path();
    let log = home.join("worker.log");
    let _worker = celery_worker(home, &log);

    // A healthy period: 100 additions and 25 reports of 20 ms.
    send(home, 100, &[0.02; 25]);
    assert!(
        wait_for(60, || count_lines(&log, " succeeded in ") == 125),
        "every task ran:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let healthy = cut_healthy_period(home, &log);

    // The incident: three reports hang, the others take 0.4 s; the additions stay quick.
    let mut reports = vec![600.0; 3];
    reports.extend([0.4; 25]);
    let hung = send(home, 100, &reports);
    assert_eq!(hung.len(), 3);
    assert!(
        wait_for(60, || count_lines(&log, " succeeded in ") == 125),
        "the other tasks ran:\n{}",
        std::fs::read_to_string(&log).unwrap_or_default()
    );
    let report = against_baseline(
        home,
        "jobs-healthy",
        &healthy,
        &log,
        &["--sequence-timeout", "1"],
    );
    let found = kinds(&report);
    eprintln!("{found:#?}\n{:#}", report["anomalies"]);
    let of = |kind: &str| -> Vec<&String> {
        found
            .iter()
            .filter(|(k, _)| k == kind)
            .map(|(_, t)| t)
            .collect()
    };
    let slow = of("slow_handler");
    assert_eq!(
        slow.len(),
        1,
        "one slow handler: {found:#?}\n{:#}",
        report["handlers"]
    );
    assert!(
        slow[0].contains("`task tasks.report` p95") && slow[0].contains("over 25 calls"),
        "the report task by its name: {}",
        slow[0]
    );
    let open = of("open_sequence");
    assert_eq!(open.len(), 1, "the hung tasks: {found:#?}");
    assert!(open[0].contains("Task tasks.report"), "{}", open[0]);
    let anomaly = report["anomalies"]
        .as_array()
        .expect("anomalies")
        .iter()
        .find(|a| a["kind"] == "open_sequence")
        .expect("open");
    let text = anomaly.to_string();
    for id in &hung {
        assert!(
            text.contains(id.as_str()),
            "hung task {id} listed: {anomaly:#}"
        );
    }
    assert!(!text.contains("tasks.add"), "{anomaly:#}");
}

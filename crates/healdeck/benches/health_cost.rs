//! What 100 health checks every second cost: `healdeck health --watch` against a real HTTP
//! server (`python3 -m http.server`), a real TCP listener, this machine's disk, memory,
//! files and processes — and Monit, the trusted peer, on the same targets in the same run
//! (when `monit` is installed: `apt-get install monit`).
//!
//! Run with `cargo bench --bench health_cost` (`HEALDECK_BENCH_SECS`, default 60). CPU is
//! read from `/proc/<pid>/stat` (user + system time) over the measured window, after a
//! warm-up, and given as % of one core; RSS from `/proc/<pid>/status`. Figures are printed,
//! not asserted.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

const HTTP: usize = 30;
const TCP: usize = 30;
const DISK: usize = 10;
const MEMORY: usize = 10;
const FILE: usize = 10;
const PROCESS: usize = 10;
const WARM_UP: Duration = Duration::from_secs(5);

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let secs: u64 = std::env::var("HEALDECK_BENCH_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(60);
    let dir = tempfile::tempdir().expect("temp dir");
    let www = dir.path().join("www");
    std::fs::create_dir_all(&www).expect("www");
    std::fs::write(www.join("index.html"), "ok\n").expect("index");
    let http_port = free_port();
    let mut server = Command::new("python3")
        .args([
            "-m",
            "http.server",
            &http_port.to_string(),
            "--bind",
            "127.0.0.1",
        ])
        .arg("--directory")
        .arg(&www)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 -m http.server");
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    let tcp_port = listener.local_addr().expect("addr").port();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            drop(conn);
        }
    });
    wait_for_port(http_port);
    let log = dir.path().join("app.log");
    std::fs::write(&log, "started\n").expect("log");

    println!(
        "{} checks, each every 1 s: {HTTP} http, {TCP} tcp, {DISK} disk, {MEMORY} memory, \
         {FILE} file, {PROCESS} process; measured over {secs} s after a {} s warm-up",
        total(),
        WARM_UP.as_secs()
    );
    println!(
        "{:<10} {:>12} {:>16} {:>10}",
        "tool", "results/s", "CPU % of a core", "RSS MiB"
    );
    let toml = healdeck_config(http_port, tcp_port, &log);
    std::fs::write(dir.path().join("health.toml"), toml).expect("health.toml");
    let mut healdeck = Command::new(env!("CARGO_BIN_EXE_healdeck"))
        .args(["health", "--watch", "--json", "--config"])
        .arg(dir.path().join("health.toml"))
        .env("HEALDECK_CONFIG_DIR", dir.path().join("config"))
        .env("HEALDECK_DATA_DIR", dir.path().join("data"))
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("healdeck health --watch");
    let results = Arc::new(AtomicU64::new(0));
    let counter = results.clone();
    let stdout = healdeck.stdout.take().expect("stdout");
    std::thread::spawn(move || {
        for _ in BufReader::new(stdout).lines().map_while(Result::ok) {
            counter.fetch_add(1, Ordering::Relaxed);
        }
    });
    let m = measure(&mut healdeck, secs, || results.load(Ordering::Relaxed));
    report("healdeck", m);

    match monit(dir.path(), http_port, tcp_port, &log, secs) {
        Some(m) => report("monit", m),
        None => println!(
            "{:<10} not installed (apt-get install monit) — not compared",
            "monit"
        ),
    }
    let _ = server.kill();
    let _ = server.wait();
}

fn total() -> usize {
    HTTP + TCP + DISK + MEMORY + FILE + PROCESS
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("free port")
}

fn wait_for_port(port: u16) {
    let t0 = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            t0.elapsed() < Duration::from_secs(10),
            "server never came up"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn healdeck_config(http_port: u16, tcp_port: u16, log: &Path) -> String {
    let mut s = String::new();
    let mut add = |name: String, body: String| {
        s.push_str(&format!(
            "[[check]]\nname = \"{name}\"\ninterval_s = 1\n{body}\n"
        ));
    };
    for i in 0..HTTP {
        add(
            format!("http-{i}"),
            format!(
                "kind = \"http\"\nurl = \"http://127.0.0.1:{http_port}/\"\nmax_latency_ms = 500"
            ),
        );
    }
    for i in 0..TCP {
        add(
            format!("tcp-{i}"),
            format!("kind = \"tcp\"\naddress = \"127.0.0.1:{tcp_port}\""),
        );
    }
    for i in 0..DISK {
        add(
            format!("disk-{i}"),
            "kind = \"disk\"\npath = \"/\"\nmin_free_percent = 1.0".into(),
        );
    }
    for i in 0..MEMORY {
        add(
            format!("memory-{i}"),
            "kind = \"memory\"\nmin_available_percent = 1.0".into(),
        );
    }
    for i in 0..FILE {
        add(
            format!("file-{i}"),
            format!(
                "kind = \"file\"\npath = {:?}\nmax_age_s = 3600",
                log.display().to_string()
            ),
        );
    }
    for i in 0..PROCESS {
        add(
            format!("process-{i}"),
            "kind = \"process\"\nprocess = \"python3\"\nmax_rss_mb = 4096".into(),
        );
    }
    s
}

/// The same checks for Monit (one `check system` is all Monit allows: it stands for the
/// memory checks).
fn monit_config(dir: &Path, http_port: u16, tcp_port: u16, log: &Path) -> String {
    let d = dir.display();
    let mut s = format!(
        "set daemon 1\nset logfile {d}/monit.log\nset pidfile {d}/monit.pid\n\
         set idfile {d}/monit.id\nset statefile {d}/monit.state\n"
    );
    for i in 0..HTTP {
        s.push_str(&format!(
            "check host http{i} with address 127.0.0.1\n  if failed port {http_port} protocol http request \"/\" with timeout 1 seconds then alert\n"
        ));
    }
    for i in 0..TCP {
        s.push_str(&format!(
            "check host tcp{i} with address 127.0.0.1\n  if failed port {tcp_port} then alert\n"
        ));
    }
    for i in 0..DISK {
        s.push_str(&format!(
            "check filesystem disk{i} with path /\n  if space usage > 99% then alert\n"
        ));
    }
    s.push_str("check system localhost\n  if memory usage > 99% then alert\n");
    for i in 0..FILE {
        s.push_str(&format!(
            "check file file{i} with path {}\n  if timestamp > 60 minutes then alert\n",
            log.display()
        ));
    }
    for i in 0..PROCESS {
        s.push_str(&format!(
            "check process process{i} matching \"python3\"\n  if totalmem > 4096 MB then alert\n"
        ));
    }
    s
}

fn monit(dir: &Path, http_port: u16, tcp_port: u16, log: &Path, secs: u64) -> Option<Measured> {
    let monit = ["/usr/bin/monit", "/usr/sbin/monit", "/usr/local/bin/monit"]
        .into_iter()
        .find(|p| Path::new(p).exists())?;
    let rc = dir.join("monitrc");
    std::fs::write(&rc, monit_config(dir, http_port, tcp_port, log)).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&rc, std::fs::Permissions::from_mode(0o600)).ok()?;
    }
    let mut child = Command::new(monit)
        .arg("-I")
        .arg("-c")
        .arg(&rc)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    // Monit prints no per-check line; its cycle count is checks × cycles.
    let started = Instant::now();
    let m = measure(&mut child, secs, || {
        started.elapsed().as_secs() * (HTTP + TCP + DISK + 1 + FILE + PROCESS) as u64
    });
    Some(m)
}

struct Measured {
    results_per_s: f64,
    cpu_percent: f64,
    rss_mib: f64,
}

/// utime + stime of `pid` in seconds.
fn cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 2..]) else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split(' ').collect();
    let ticks: f64 = [11, 12]
        .iter()
        .filter_map(|&i| f.get(i)?.parse::<f64>().ok())
        .sum();
    ticks / 100.0
}

fn rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1)?.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

fn measure(child: &mut Child, secs: u64, results: impl Fn() -> u64) -> Measured {
    std::thread::sleep(WARM_UP);
    let pid = child.id();
    let (cpu0, n0, t0) = (cpu_secs(pid), results(), Instant::now());
    std::thread::sleep(Duration::from_secs(secs));
    let (cpu1, n1, wall) = (cpu_secs(pid), results(), t0.elapsed().as_secs_f64());
    let rss = rss_mib(pid);
    let _ = Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status();
    let _ = child.wait();
    Measured {
        results_per_s: (n1 - n0) as f64 / wall,
        cpu_percent: (cpu1 - cpu0) / wall * 100.0,
        rss_mib: rss,
    }
}

fn report(tool: &str, m: Measured) {
    println!(
        "{tool:<10} {:>12.1} {:>16.2} {:>10.1}",
        m.results_per_s, m.cpu_percent, m.rss_mib
    );
}

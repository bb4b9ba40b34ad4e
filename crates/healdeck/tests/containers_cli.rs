//! Container logs read through a real container engine: Podman (Debian's package, runc as its
//! runtime) runs a container made here from busybox-static's one binary — no registry, no
//! daemon — with its own settings and storage under the test's folder. `podman://NAME` is
//! read once as a scan, then followed live: the container stopped and started again (its
//! log stream ends and healdeck reconnects) and healdeck itself restarted lose and repeat
//! nothing.

#[path = "common/watch.rs"]
mod watch;

use std::path::{Path, PathBuf};
use std::process::Command;
use watch::{Watch, healdeck};

/// Podman with settings and storage of its own under `home` (the same files healdeck's
/// commands in these tests are given), and a busybox image made from the host's busybox.
struct Podman {
    home: PathBuf,
    feed: PathBuf,
}

const IMAGE: &str = "localhost/healdeck-busybox:test";

/// The container's name: this run's own, so the reading programs left running can be told.
fn name() -> String {
    format!("api-{}", std::process::id())
}

/// The `podman logs` processes reading this run's container.
fn readers() -> Vec<String> {
    let out = Command::new("pgrep")
        .args(["-a", "-f", &format!("podman logs .*-- {}$", name())])
        .output()
        .expect("pgrep (Debian package procps)");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect()
}

impl Podman {
    fn new(home: &Path) -> Podman {
        let state = home.join("podman");
        let feed = home.join("feed");
        for dir in [&state, &feed] {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        // runc (crun refuses this machine's hybrid cgroups), no network, limits the
        // sandbox allows, and everything kept under the test's folder.
        std::fs::write(
            home.join("containers.conf"),
            format!(
                "[containers]\ndefault_ulimits = [\"nofile=1024:1024\", \"nproc=1024:1024\"]\n\
                 netns = \"none\"\nlog_driver = \"k8s-file\"\n\
                 [engine]\nruntime = \"runc\"\ncgroup_manager = \"cgroupfs\"\n\
                 events_logger = \"file\"\ntmp_dir = \"{}/tmp\"\n",
                state.display()
            ),
        )
        .expect("containers.conf");
        std::fs::write(
            home.join("storage.conf"),
            format!(
                "[storage]\ndriver = \"vfs\"\ngraphroot = \"{0}/graph\"\nrunroot = \"{0}/run\"\n",
                state.display()
            ),
        )
        .expect("storage.conf");
        let podman = Podman {
            home: home.to_path_buf(),
            feed,
        };
        podman.make_image();
        podman
    }

    fn command(&self) -> Command {
        let mut c = Command::new("podman");
        c.env("CONTAINERS_CONF", self.home.join("containers.conf"))
            .env("CONTAINERS_STORAGE_CONF", self.home.join("storage.conf"));
        c
    }

    fn ok(&self, args: &[&str]) -> String {
        let out = self
            .command()
            .args(args)
            .output()
            .expect("podman (Debian package podman; .ci/run installs it)");
        assert!(
            out.status.success(),
            "podman {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// An image of one folder, /bin: busybox and a link per applet.
    fn make_image(&self) {
        let busybox = Path::new("/bin/busybox");
        assert!(
            busybox.exists(),
            "/bin/busybox (Debian package busybox-static; .ci/run installs it)"
        );
        let root = self.home.join("rootfs");
        let bin = root.join("bin");
        std::fs::create_dir_all(&bin).expect("mkdir rootfs");
        std::fs::copy(busybox, bin.join("busybox")).expect("copy busybox");
        let list = Command::new(busybox).arg("--list").output().expect("list");
        for applet in String::from_utf8_lossy(&list.stdout).split_whitespace() {
            if applet != "busybox" {
                std::os::unix::fs::symlink("busybox", bin.join(applet)).expect("applet link");
            }
        }
        let tar = self.home.join("rootfs.tar");
        let status = Command::new("tar")
            .arg("-C")
            .arg(&root)
            .arg("-cf")
            .arg(&tar)
            .arg(".")
            .status()
            .expect("tar");
        assert!(status.success());
        self.ok(&[
            "import",
            "-q",
            "--change",
            "ENV PATH=/bin",
            &tar.display().to_string(),
            IMAGE,
        ]);
    }

    /// Starts the service: it prints a line at boot, then each file dropped in the feed
    /// folder once (so a restart prints nothing twice).
    fn run_service(&self) {
        let volume = format!("{}:/feed", self.feed.display());
        self.ok(&[
            "run",
            "-d",
            "--name",
            &name(),
            "-v",
            &volume,
            IMAGE,
            "sh",
            "-c",
            "echo 'INFO api listening on :8080'; \
             while true; do for f in /feed/*.log; do \
             [ -f \"$f\" ] && cat \"$f\" && rm \"$f\"; done; sleep 0.1; done",
        ]);
    }

    /// `text` printed by the service, in order with what was fed before.
    fn feed(&self, n: u32, text: &str) {
        let tmp = self.feed.join(format!("{n:04}.tmp"));
        std::fs::write(&tmp, text).expect("feed");
        std::fs::rename(&tmp, self.feed.join(format!("{n:04}.log"))).expect("feed");
    }

    /// Waits until the service has printed everything fed.
    fn drained(&self) {
        let until = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::fs::read_dir(&self.feed)
            .expect("feed")
            .next()
            .is_some()
        {
            assert!(
                std::time::Instant::now() < until,
                "the container ate its feed"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }
}

impl Drop for Podman {
    fn drop(&mut self) {
        let _ = self
            .command()
            .args(["rm", "-f", "-t", "0", &name()])
            .output();
        let _ = self.command().args(["rmi", "-f", IMAGE]).output();
    }
}

const CHARGE: &str = "ERROR payment provider rejected charge";

fn is_charge(issue: &serde_json::Value) -> bool {
    issue["excerpt"]
        .as_str()
        .is_some_and(|e| e.contains("payment provider"))
}

fn charge_of(issues: &serde_json::Value) -> &serde_json::Value {
    issues
        .as_array()
        .and_then(|all| all.iter().find(|i| is_charge(i)))
        .unwrap_or_else(|| panic!("the charge's issue: {issues}"))
}

#[test]
fn a_podman_container_is_read_and_followed_across_its_restart_and_ours() {
    let home = tempfile::tempdir().expect("tmp");
    let podman = Podman::new(home.path());
    podman.run_service();
    // A traceback written at once: the engine stamps its lines alike, and all are kept.
    podman.feed(
        1,
        &format!(
            "Traceback (most recent call last):\n  File \"/app/worker.py\", line 3, in <module>\n    \
             import celery_x\nModuleNotFoundError: No module named 'celery_x'\n\
             {CHARGE} 1001: card declined\n"
        ),
    );
    podman.drained();
    let source = format!("podman://{}", name());

    // Once, as a scan: the container's own lines, stamped by the engine.
    let out = healdeck(home.path())
        .args(["diagnose", "--format", "json", "--no-user-rules", &source])
        .output()
        .expect("run healdeck");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let once: serde_json::Value = serde_json::from_slice(&out.stdout).expect("JSON");
    let issues = once["issues"].as_array().expect("issues");
    assert_eq!(issues.len(), 2, "{once}");
    let module = issues
        .iter()
        .find(|i| i["title"].as_str().unwrap_or("").contains("celery_x"))
        .unwrap_or_else(|| panic!("the traceback's issue: {once}"));
    let excerpt = module["excerpt"].as_str().unwrap_or("");
    assert!(
        excerpt.contains("Traceback") && excerpt.contains("import celery_x"),
        "the whole traceback, one event: {excerpt}"
    );
    let charge = charge_of(&once["issues"]);
    assert_eq!(charge["count"], 1, "{once}");
    assert_eq!(charge["occurrences"][0]["source"], source.as_str());

    // Live: history, then news.
    let w = Watch::start(home.path(), &[&source]);
    let mut v = w.next(20);
    if !is_charge(&v["issue"]) {
        v = w.next(20);
    }
    assert_eq!(
        (v["live"].as_bool(), v["issue"]["count"].as_u64()),
        (Some(false), Some(1))
    );
    w.wait_stderr("connected", 20);
    podman.feed(2, &format!("{CHARGE} 1002: card declined\n"));
    let v = w.next(20);
    assert_eq!(
        (v["live"].as_bool(), v["issue"]["count"].as_u64()),
        (Some(true), Some(2))
    );

    // The container stops: its log stream ends and healdeck waits for it. What it prints
    // when it is back arrives once, and what it printed before is not told again.
    podman.ok(&["stop", "-t", "0", &name()]);
    w.wait_stderr("reconnecting", 30);
    podman.feed(3, &format!("{CHARGE} 1003: card declined\n"));
    podman.feed(4, &format!("{CHARGE} 1004: card declined\n"));
    podman.ok(&["start", &name()]);
    let mut count = 0;
    while count < 4 {
        let v = w.next(60);
        assert_eq!(v["live"], true, "{v}");
        count = v["issue"]["count"].as_u64().unwrap_or(0);
    }
    assert_eq!(count, 4);
    w.quiet(1500);
    assert!(!readers().is_empty(), "podman logs runs while followed");
    drop(w);
    // Ended by SIGTERM (as `timeout` or `kill` would), healdeck stops its reader too.
    assert_eq!(readers(), Vec::<String>::new());

    // healdeck restarts: what the container printed meanwhile is news, the rest history.
    podman.feed(5, &format!("{CHARGE} 1005: card declined\n"));
    podman.drained();
    let w = Watch::start(home.path(), &[&source]);
    let next_charge = || {
        loop {
            let v = w.next(20);
            if is_charge(&v["issue"]) {
                return v;
            }
        }
    };
    let mut history = next_charge();
    let mut news = next_charge();
    while news["live"] == false {
        history = news;
        news = next_charge();
    }
    assert_eq!(
        (
            history["live"].as_bool(),
            history["issue"]["count"].as_u64()
        ),
        (Some(false), Some(4)),
        "{history}"
    );
    assert_eq!(news["issue"]["count"], 5, "{news}");
    w.quiet(1500);
}

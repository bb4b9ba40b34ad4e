//! The real binary in a real window: `healdeck` (no subcommand) is started under Xvfb on Mesa,
//! follows the sample logs, and writes a screenshot of its own window once the feed is on
//! screen (`HEALDECK_SCREENSHOT`), then closes. `.ci/run` installs Xvfb; without it this test
//! says so and passes only outside CI.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn on_path(tool: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|p| std::env::split_paths(&p).any(|d| d.join(tool).is_file()))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read_dir").flatten() {
        std::fs::copy(e.path(), to.join(e.file_name())).expect("copy");
    }
}

/// Starts the real binary under Xvfb with `config/` and `data/` below `dir`; it writes a
/// screenshot of its window to `dir/window.png` once ready and closes. Returns its stderr, or
/// `None` where Xvfb is missing outside CI.
fn run_window(dir: &Path) -> Option<String> {
    if !on_path("xvfb-run") {
        assert!(
            std::env::var_os("CI").is_none(),
            "xvfb-run is missing in CI (apt-get install xvfb xauth)"
        );
        eprintln!("skipped: xvfb-run is not installed (apt-get install xvfb xauth)");
        return None;
    }
    let t0 = Instant::now();
    let mut child = Command::new("xvfb-run")
        .args(["-a", "-s", "-screen 0 1600x1000x24"])
        .arg(env!("CARGO_BIN_EXE_healdeck"))
        .env("HEALDECK_CONFIG_DIR", dir.join("config"))
        .env("HEALDECK_DATA_DIR", dir.join("data"))
        .env("HEALDECK_SCREENSHOT", dir.join("window.png"))
        .env("HEALDECK_TIMING", "1")
        .env_remove("WAYLAND_DISPLAY")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("xvfb-run starts");
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait") {
            break s;
        }
        if t0.elapsed() > Duration::from_secs(180) {
            // Killing a child that just exited fails harmlessly; the panic says what matters.
            let _ = child.kill();
            panic!("the window did not take its screenshot and close within 180 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let out = child.wait_with_output().expect("output");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(status.success(), "healdeck exited with {status}:\n{stderr}");
    assert!(stderr.contains("screenshot written"), "{stderr}");
    eprintln!("window up and screenshot in {:?}\n{stderr}", t0.elapsed());
    Some(stderr)
}

#[test]
fn the_window_opens_under_xvfb_and_shows_the_feed() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config");
    let logs = dir.path().join("logs");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/logs"),
        &logs,
    );
    std::fs::create_dir_all(&config).expect("config");
    std::fs::write(
        config.join("ui.json"),
        serde_json::json!({ "log_paths": [logs], "window": [1280.0, 800.0] }).to_string(),
    )
    .expect("ui.json");
    if run_window(dir.path()).is_none() {
        return;
    }
    let img = image::open(dir.path().join("window.png"))
        .expect("the screenshot is a PNG")
        .to_rgba8();
    assert!(
        img.width() >= 900 && img.height() >= 560,
        "{}×{}",
        img.width(),
        img.height()
    );
    // Not a blank window: the feed's badges put red, orange and green pixels on screen.
    let has = |f: &dyn Fn(&image::Rgba<u8>) -> bool| img.pixels().filter(|p| f(p)).count() > 20;
    assert!(
        has(&|p| p[0] > 200 && p[1] < 90 && p[2] < 90),
        "no red (critical) badge"
    );
    assert!(
        has(&|p| p[0] > 200 && (110..160).contains(&p[1]) && p[2] < 70),
        "no orange badge"
    );
    assert!(
        has(&|p| p[0] < 110 && p[1] > 160 && p[2] < 110),
        "no green badge"
    );
}

/// The real start-up path with a broken `ui.json`: the file is kept aside, not lost, and the
/// window says why it started with the defaults (in the app's log, which the toast repeats).
#[test]
fn a_broken_settings_file_is_reported_at_start_up_and_kept() {
    let dir = tempfile::tempdir().expect("tempdir");
    let config = dir.path().join("config");
    std::fs::create_dir_all(&config).expect("config");
    let broken = "{\n  \"log_paths\": [\"/srv/app/logs\"],\n  \"window\": [10, 10]\n}\n";
    std::fs::write(config.join("ui.json"), broken).expect("ui.json");
    if run_window(dir.path()).is_none() {
        return;
    }
    let aside = config.join("ui.json.broken");
    assert_eq!(
        std::fs::read_to_string(&aside).expect("the broken file is kept"),
        broken
    );
    let log = std::fs::read_to_string(dir.path().join("data/healdeck.log")).expect("app log");
    assert!(
        log.contains("ui.json") && log.contains("window = [10, 10]") && log.contains("kept as"),
        "{log}"
    );
}

//! Logs that are not local files, read through the real programs: journal files written by
//! `systemd-journal-remote` and read through `journalctl` (a traceback printed one entry per
//! line assembled again; units and priorities as filters; a restart resuming at the saved
//! cursor), files on another machine through the system `ssh` client against a real `sshd`
//! started here on a loopback port with keys made for the test (a dropped connection and a
//! restart lose and repeat nothing), and source names that try to reach a shell.

#[path = "common/sshd.rs"]
mod sshd;
#[path = "common/watch.rs"]
mod watch;

use sshd::Sshd;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use watch::{Watch, healdeck};

fn journal_remote() -> PathBuf {
    [
        "/lib/systemd/systemd-journal-remote",
        "/usr/lib/systemd/systemd-journal-remote",
    ]
    .iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
    .expect("systemd-journal-remote (Debian package systemd-journal-remote; .ci/run installs it)")
}

/// One journal entry: (seconds after a fixed time, unit, pid, priority, message).
type Entry<'a> = (u64, &'a str, u32, u8, &'a str);

/// Writes `entries` as a new journal file `name` in `dir`, through the real
/// `systemd-journal-remote` reading the journal export format.
fn write_journal(dir: &Path, name: &str, entries: &[Entry]) {
    let mut export = String::new();
    for (secs, unit, pid, priority, message) in entries {
        let t = 1_764_680_000_000_000u64 + secs * 1_000_000;
        export.push_str(&format!(
            "__REALTIME_TIMESTAMP={t}\n__MONOTONIC_TIMESTAMP={}\n\
             _BOOT_ID=0123456789abcdef0123456789abcdef\n_HOSTNAME=web-1\n\
             _SYSTEMD_UNIT={unit}\n_PID={pid}\nPRIORITY={priority}\nMESSAGE={message}\n\n",
            secs * 1_000_000 + 1
        ));
    }
    let file = dir.join(format!("{name}.export"));
    std::fs::write(&file, export).expect("write export");
    let out = Command::new(journal_remote())
        .arg(format!(
            "--output={}",
            dir.join(format!("{name}.journal")).display()
        ))
        .arg(&file)
        .output()
        .expect("run systemd-journal-remote");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    std::fs::remove_file(file).expect("remove export");
}

const TRACEBACK: [Entry; 5] = [
    (1, "api.service", 7, 6, "Traceback (most recent call last):"),
    (
        1,
        "api.service",
        7,
        6,
        "  File \"/srv/api/app.py\", line 12, in <module>",
    ),
    (1, "api.service", 7, 6, "    user = session[\"user\"]"),
    (1, "api.service", 7, 6, "KeyError: 'user'"),
    (2, "api.service", 7, 6, "listening on :8080"),
];

fn diagnose_json(home: &Path, args: &[&str]) -> serde_json::Value {
    let out = healdeck(home)
        .args(["diagnose", "--format", "json", "--no-user-rules"])
        .args(args)
        .output()
        .expect("run healdeck");
    assert!(
        out.status.code() == Some(0),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

fn titles(report: &serde_json::Value) -> Vec<String> {
    report["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| i["title"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn journal_files_read_through_journalctl_with_tracebacks_assembled_and_filters() {
    let home = tempfile::tempdir().expect("tmp");
    let journal = home.path().join("journal");
    std::fs::create_dir_all(&journal).expect("mkdir");
    let mut entries = TRACEBACK.to_vec();
    entries.push((
        3,
        "db.service",
        9,
        3,
        "could not write block 7 of base/16384: No space left on device",
    ));
    entries.push((4, "db.service", 9, 6, "checkpoint complete"));
    write_journal(&journal, "a", &entries);
    let dir = journal.to_str().expect("utf-8");

    let all = diagnose_json(home.path(), &["--journal-dir", dir]);
    let issues = all["issues"].as_array().expect("issues");
    assert_eq!(issues.len(), 2, "{:?}", titles(&all));
    let key_error = issues
        .iter()
        .find(|i| i["title"].as_str().is_some_and(|t| t.contains("KeyError")))
        .unwrap_or_else(|| panic!("KeyError issue in {:?}", titles(&all)));
    // The four entries are one event: the traceback from its first line to the exception.
    let first = &key_error["occurrences"][0];
    assert_eq!(
        (first["line"].as_u64(), first["end_line"].as_u64()),
        (Some(1), Some(4))
    );
    assert_eq!(first["source"], format!("journal:{dir}"));
    let disk = issues
        .iter()
        .find(|i| {
            i["title"]
                .as_str()
                .is_some_and(|t| t.contains("no space left"))
        })
        .unwrap_or_else(|| panic!("disk issue in {:?}", titles(&all)));
    assert_eq!(disk["category"], "resource_disk");

    // The same journal named as a source, with the filters in its name or as flags.
    let db = diagnose_json(home.path(), &["--journal-dir", dir, "--unit", "db.service"]);
    assert_eq!(
        db["issues"].as_array().map(Vec::len),
        Some(1),
        "{:?}",
        titles(&db)
    );
    let err = diagnose_json(home.path(), &[&format!("journal:{dir}?priority=err")]);
    assert_eq!(titles(&err), titles(&db));
}

#[test]
fn a_bad_source_is_refused_before_anything_runs() {
    let home = tempfile::tempdir().expect("tmp");
    let marker = home.path().join("pwned");
    for source in [
        format!("ssh://healdeck-test/tmp/x;touch {}", marker.display()),
        format!("ssh://healdeck-test/tmp/$(touch {})", marker.display()),
        "ssh://-oProxyCommand=touch/tmp/x".into(),
        "docker://web;reboot".into(),
        "journal:?unit=a|b".into(),
    ] {
        let out = healdeck(home.path())
            .args(["diagnose", "--no-user-rules", &source])
            .output()
            .expect("run");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{source}: {stderr}");
        assert!(
            stderr.contains("not allowed") || stderr.contains("starts with `-`"),
            "{source}: {stderr}"
        );
    }
    assert!(!marker.exists());
    let out = healdeck(home.path())
        .args(["diagnose", "--unit", "x.service", "/tmp"])
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
}

fn title(v: &serde_json::Value) -> &str {
    v["issue"]["title"].as_str().unwrap_or("")
}

#[test]
fn the_journal_followed_live_resumes_at_its_cursor_after_a_restart() {
    let home = tempfile::tempdir().expect("tmp");
    let journal = home.path().join("journal");
    std::fs::create_dir_all(&journal).expect("mkdir");
    write_journal(&journal, "a", &TRACEBACK);
    let source = format!("journal:{}", journal.display());

    let w = Watch::start(home.path(), &[&source]);
    let v = w.next(20);
    assert!(title(&v).contains("KeyError"), "{v}");
    assert_eq!(v["live"], false);
    w.wait_stderr("connected", 20);
    write_journal(
        &journal,
        "b",
        &[(
            10,
            "db.service",
            9,
            3,
            "could not extend file base/16384: No space left on device",
        )],
    );
    let v = w.next(20);
    assert!(title(&v).contains("no space left"), "{v}");
    assert_eq!(
        (v["live"].as_bool(), v["issue"]["count"].as_u64()),
        (Some(true), Some(1))
    );
    w.quiet(500);
    drop(w);

    // Written while nobody watched: news at the next start, and only that.
    write_journal(
        &journal,
        "c",
        &[
            (
                20,
                "db.service",
                9,
                3,
                "could not extend file base/16384: No space left on device",
            ),
            (
                21,
                "api.service",
                7,
                2,
                "Out of memory: Killed process 4711 (python3)",
            ),
        ],
    );
    let w = Watch::start(home.path(), &[&source]);
    let mut live = Vec::new();
    let mut history = Vec::new();
    let until = Instant::now() + Duration::from_secs(30);
    while live.len() < 2 && Instant::now() < until {
        let v = w.next(30);
        if v["live"] == true {
            live.push(v);
        } else {
            history.push(title(&v).to_string());
        }
    }
    assert!(
        history.iter().any(|t| t.contains("KeyError")),
        "{history:?}"
    );
    let space = live
        .iter()
        .find(|v| title(v).contains("no space left"))
        .unwrap_or_else(|| panic!("live disk alert in {live:?}"));
    assert_eq!(space["issue"]["count"], 2);
    assert!(live.iter().any(|v| title(v).contains("OOM")), "{live:?}");
    w.quiet(800);
}

fn append(path: &Path, text: &str) {
    let mut f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .expect("open for append");
    f.write_all(text.as_bytes()).expect("append");
}

const PAYMENT: &str = "ERROR payment provider rejected order";

#[test]
fn a_remote_file_over_real_ssh_survives_a_dropped_link_and_a_restart() {
    let home = tempfile::tempdir().expect("tmp");
    let mut sshd = Sshd::new(home.path());
    let log = home.path().join("remote").join("app.log");
    std::fs::create_dir_all(log.parent().expect("parent")).expect("mkdir");
    append(&log, &format!("INFO boot\n{PAYMENT} 1001: card declined\n"));
    let source = format!("ssh://healdeck-test{}", log.display());

    // Once, as a scan.
    let once = diagnose_json(home.path(), &[&source]);
    assert_eq!(once["issues"][0]["count"], 1, "{once}");
    assert_eq!(
        once["issues"][0]["occurrences"][0]["source"],
        source.as_str()
    );

    // Live: history, then news.
    let w = Watch::start(home.path(), &[&source]);
    let v = w.next(20);
    assert_eq!(
        (v["live"].as_bool(), v["issue"]["count"].as_u64()),
        (Some(false), Some(1))
    );
    w.wait_stderr("connected", 20);
    append(&log, &format!("{PAYMENT} 1002: card declined\n"));
    let v = w.next(20);
    assert_eq!(
        (v["live"].as_bool(), v["issue"]["count"].as_u64()),
        (Some(true), Some(2))
    );

    // The link drops; lines written meanwhile arrive once it is back, each once.
    sshd.stop();
    w.wait_stderr("reconnecting", 30);
    append(
        &log,
        &format!("{PAYMENT} 1003: card declined\n{PAYMENT} 1004: card declined\n"),
    );
    sshd.start();
    let mut count = 0;
    while count < 4 {
        let v = w.next(40);
        assert_eq!(v["live"], true, "{v}");
        count = v["issue"]["count"].as_u64().unwrap_or(0);
    }
    assert_eq!(count, 4);
    w.quiet(1000);
    drop(w);

    // A restart: what was written while stopped is news, what was reported is not.
    append(&log, &format!("{PAYMENT} 1005: card declined\n"));
    let w = Watch::start(home.path(), &[&source]);
    let mut history = w.next(20);
    let mut news = w.next(20);
    while news["live"] == false {
        history = news;
        news = w.next(20);
    }
    assert_eq!(
        (
            history["live"].as_bool(),
            history["issue"]["count"].as_u64()
        ),
        (Some(false), Some(4))
    );
    assert_eq!(news["issue"]["count"], 5, "{news}");
    w.quiet(1000);
}

#[test]
fn an_unknown_host_key_is_an_error_never_accepted() {
    let home = tempfile::tempdir().expect("tmp");
    let sshd = Sshd::new(home.path());
    std::fs::write(sshd.dir.join("known_hosts"), "").expect("empty known_hosts");
    let out = healdeck(home.path())
        .args([
            "diagnose",
            "--no-user-rules",
            "ssh://healdeck-test/etc/hostname",
        ])
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Host key verification failed"), "{stderr}");
}

#[test]
fn a_container_engine_that_cannot_answer_is_an_error_naming_the_source() {
    // No container engine runs here: the docker client (or its absence) is asked and its
    // own words come back, naming the source.
    let home = tempfile::tempdir().expect("tmp");
    let out = healdeck(home.path())
        .args(["diagnose", "--no-user-rules", "docker://web"])
        .env(
            "DOCKER_HOST",
            format!("unix://{}/no-docker.sock", home.path().display()),
        )
        .output()
        .expect("run");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("healdeck: docker://web: "), "{stderr}");
    assert!(
        stderr.contains("no-docker.sock") || stderr.contains("cannot run docker"),
        "the client's own words: {stderr}"
    );
}

#[test]
fn a_remote_folder_is_read_and_followed_file_by_file() {
    let home = tempfile::tempdir().expect("tmp");
    let _sshd = Sshd::new(home.path());
    let dir = home.path().join("remote-logs");
    std::fs::create_dir_all(dir.join("worker")).expect("mkdir");
    append(
        &dir.join("api.log"),
        "ERROR could not connect to database: Connection refused\n",
    );
    append(
        &dir.join("worker/jobs.log"),
        "ModuleNotFoundError: No module named 'celery_x'\n",
    );
    append(&dir.join("core.dump"), "ERROR not a log file\n");
    let folder = format!("ssh://healdeck-test{}", dir.display());

    let report = diagnose_json(home.path(), &[&folder]);
    let mut sources: Vec<String> = report["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .map(|i| i["latest"]["source"].as_str().unwrap_or("").to_string())
        .collect();
    sources.sort();
    assert_eq!(
        sources,
        [
            format!("{folder}/api.log"),
            format!("{folder}/worker/jobs.log")
        ],
        "{report}"
    );

    let w = Watch::start(home.path(), &[&folder]);
    w.wait_stderr(&format!("{folder}: connected"), 20);
    let mut history = 0;
    while history < 2 {
        assert_eq!(w.next(20)["live"], false);
        history += 1;
    }
    w.wait_stderr(&format!("{folder}/worker/jobs.log: connected"), 20);
    append(
        &dir.join("worker/jobs.log"),
        "ModuleNotFoundError: No module named 'celery_x'\n",
    );
    let v = w.next(20);
    assert_eq!(
        (v["live"].as_bool(), v["issue"]["count"].as_u64()),
        (Some(true), Some(2)),
        "{v}"
    );
    assert_eq!(
        v["issue"]["latest"]["source"],
        format!("{folder}/worker/jobs.log")
    );
}

#[test]
fn a_file_that_appears_in_a_followed_remote_folder_is_followed_from_its_start() {
    let home = tempfile::tempdir().expect("tmp");
    let _sshd = Sshd::new(home.path());
    let dir = home.path().join("remote-logs");
    std::fs::create_dir_all(&dir).expect("mkdir");
    append(&dir.join("api.log"), "INFO started\n");
    let folder = format!("ssh://healdeck-test{}", dir.display());
    let w = Watch::start(home.path(), &["--rescan", "1", &folder]);
    w.wait_stderr(&format!("{folder}/api.log: connected"), 20);

    // Log rotation, or a new service: a file the folder did not have when following began.
    append(
        &dir.join("billing.log"),
        "ERROR could not connect to database: Connection refused\n",
    );
    w.wait_stderr(&format!("{folder}/billing.log: connected"), 20);
    let v = w.next(20);
    assert_eq!(v["live"], true, "all a new file holds is news: {v}");
    assert_eq!(
        v["issue"]["latest"]["source"],
        format!("{folder}/billing.log")
    );
    append(
        &dir.join("billing.log"),
        "ERROR could not connect to database: Connection refused\n",
    );
    let v = w.next(20);
    assert_eq!(
        (v["issue"]["count"].as_u64(), v["live"].as_bool()),
        (Some(2), Some(true)),
        "and followed: {v}"
    );
}

//! `healdeck bundle`, opened by the real `age` tool (Debian package `age`): keys made by
//! `age-keygen`, the bundle decrypted with the right key and unpacked by `tar`, its manifest
//! and files read — no planted secret anywhere, the fix history redacted — and a wrong key
//! failing cleanly with nothing written; a bad recipient refused before anything is built; a
//! passphrase bundle locked with scrypt.

#[path = "common/testproject.rs"]
mod testproject;
#[path = "common/watch.rs"]
mod watch;

use std::path::{Path, PathBuf};
use std::process::Command;
use testproject::SECRET;
use watch::healdeck;

/// A new age key pair: (identity file, public key).
fn keygen(dir: &Path, name: &str) -> (PathBuf, String) {
    let file = dir.join(name);
    let out = Command::new("age-keygen")
        .arg("-o")
        .arg(&file)
        .output()
        .expect("age-keygen (Debian package age; .ci/run installs it)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = std::fs::read_to_string(&file).expect("key file");
    let public = text
        .lines()
        .find_map(|l| l.strip_prefix("# public key: "))
        .expect("public key line")
        .to_string();
    (file, public)
}

fn files_under(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).expect("read_dir").flatten() {
        let p = e.path();
        if p.is_dir() {
            files_under(&p, out);
        } else {
            out.push(p);
        }
    }
}

/// A log, a test report and a fix history, each holding the secret; returns the logs folder.
fn plant(work: &Path) -> PathBuf {
    let logs = work.join("logs");
    std::fs::create_dir_all(&logs).expect("mkdir");
    std::fs::write(
        logs.join("app.log"),
        format!(
            "2026-12-01 10:00:00 INFO start\n\
             2026-12-01 10:00:01 ERROR psycopg2.OperationalError: connection to server at \"db\" (10.0.0.5), port 5432 failed: Connection refused\n\
             2026-12-01 10:00:02 INFO retry with token {SECRET}\n"
        ),
    )
    .expect("log");
    std::fs::create_dir_all(work.join("project")).expect("mkdir");
    testproject::pytest_report(&work.join("project"));
    // A fix history whose output holds the secret too.
    let data = work.join("data");
    std::fs::create_dir_all(&data).expect("mkdir");
    std::fs::write(
        data.join("fix-audit.jsonl"),
        format!(
            "{{\"time\":1764680000,\"fingerprint\":\"abc\",\"issue\":\"x\",\"phase\":\"end\",\"action\":\"restart\",\"argv\":[\"systemctl\",\"restart\",\"api\"],\"attempt\":1,\"exit_status\":0,\"output_tail\":\"export GITHUB_TOKEN={SECRET}\",\"backup\":null,\"result\":\"fixed\"}}\n"
        ),
    )
    .expect("audit");
    logs
}

/// The unpacked bundle: every file in the manifest, no secret anywhere, the history
/// redacted, the report and environment readable.
fn check_unpacked(root: &Path) {
    let manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("manifest.json")).expect("m"))
            .expect("manifest JSON");
    let listed: Vec<&str> = manifest["files"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["path"].as_str())
        .collect();
    for must in [
        "report.json",
        "report.md",
        "environment.json",
        "fix-audit.jsonl",
        "logs/logs_app.log.tail.txt",
        "logs/reports_junit.xml.tail.txt",
    ] {
        assert!(listed.contains(&must), "{must} not in {listed:?}");
    }
    assert!(listed.iter().any(|p| p.starts_with("issues/01-")));
    let mut found = Vec::new();
    files_under(root, &mut found);
    assert_eq!(
        found.len(),
        listed.len() + 1,
        "every file is in the manifest"
    );
    for f in &found {
        let text = std::fs::read_to_string(f).expect("text");
        assert!(!text.contains(SECRET), "{} holds the secret", f.display());
    }
    assert!(
        manifest["redacted"]["github_token"].as_u64().unwrap_or(0) >= 3,
        "{manifest:#}"
    );
    let audit = std::fs::read_to_string(root.join("fix-audit.jsonl")).expect("audit");
    assert!(audit.contains("GITHUB_TOKEN=[REDACTED:"), "{audit}");
    let report: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("report.json")).expect("r"))
            .expect("report JSON");
    assert!(report["issues"].as_array().is_some_and(|i| i.len() >= 4));
    let env: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(root.join("environment.json")).expect("e"))
            .expect("env JSON");
    assert_eq!(env["test_runs"][0]["tests"], 6);
}

#[test]
fn a_bundle_opens_with_age_and_holds_no_secret() {
    let home = tempfile::tempdir().expect("tmp");
    let work = home.path();
    let logs = plant(work);
    let (key, public) = keygen(work, "expert.key");
    let (other_key, _) = keygen(work, "other.key");
    let bundle = work.join("out").join("support.tar.gz.age");
    let out = healdeck(work)
        .args(["bundle", "--recipient", &public, "--logs", "50", "-o"])
        .arg(&bundle)
        .arg(&logs)
        .arg(work.join("project").join("reports"))
        .output()
        .expect("run healdeck bundle");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(err.contains("age, to 1 X25519 recipient(s)"), "{err}");
    let sealed = std::fs::read(&bundle).expect("bundle");
    assert!(
        sealed.starts_with(b"age-encryption.org/v1\n"),
        "an age file"
    );
    assert!(!sealed.windows(SECRET.len()).any(|w| w == SECRET.as_bytes()));

    // The wrong key: age fails, and says why.
    let wrong = Command::new("age")
        .args(["-d", "-i"])
        .arg(&other_key)
        .arg(&bundle)
        .output()
        .expect("age");
    assert!(!wrong.status.success());
    assert!(
        wrong.stdout.is_empty(),
        "nothing decrypted with the wrong key"
    );
    assert!(String::from_utf8_lossy(&wrong.stderr).contains("no identity matched"));

    // The right key: a tar.gz with the manifest first.
    let plain = work.join("bundle.tar.gz");
    let opened = Command::new("age")
        .args(["-d", "-i"])
        .arg(&key)
        .arg("-o")
        .arg(&plain)
        .arg(&bundle)
        .output()
        .expect("age");
    assert!(
        opened.status.success(),
        "{}",
        String::from_utf8_lossy(&opened.stderr)
    );
    let unpacked = work.join("unpacked");
    std::fs::create_dir_all(&unpacked).expect("mkdir");
    let tar = Command::new("tar")
        .arg("-xzf")
        .arg(&plain)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .expect("tar");
    assert!(tar.success());
    check_unpacked(&unpacked.join("healdeck-bundle"));
}

#[test]
fn a_bad_recipient_is_refused_before_anything_is_written() {
    let home = tempfile::tempdir().expect("tmp");
    let log = home.path().join("a.log");
    std::fs::write(&log, "ERROR boom\n").expect("log");
    let out_file = home.path().join("b.age");
    let out = healdeck(home.path())
        .args(["bundle", "--recipient", "ssh-ed25519 AAAAC3Nza", "-o"])
        .arg(&out_file)
        .arg(&log)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("is not an age public key"));
    assert!(!out_file.exists());
    // A passphrase from the environment (CI has no terminal to ask on): an age file to an
    // scrypt recipient, as `age -d` asks for a passphrase to open.
    let out = healdeck(home.path())
        .args(["bundle", "--passphrase", "-o"])
        .arg(&out_file)
        .arg(&log)
        .env("HEALDECK_BUNDLE_PASSPHRASE", "correct horse battery")
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let sealed = std::fs::read(&out_file).expect("bundle");
    let header = String::from_utf8_lossy(&sealed[..sealed.len().min(200)]).into_owned();
    assert!(
        header.starts_with("age-encryption.org/v1\n-> scrypt "),
        "{header}"
    );
}

//! The window's team tools, driven as a person does: a JUnit report in a followed folder
//! becomes issues with their failed tests listed; "📣 Send to…" sends the selected issue to
//! a notify.toml channel (a local server records it) and one holding a secret only after the
//! redaction review; the support bundle dialog takes an age key typed into it and writes a
//! bundle the real `age` tool opens, with no secret inside.

#[path = "common/ui_rig.rs"]
mod ui_rig;

use egui::accesskit::Role;
use egui_kittest::kittest::{By, Queryable};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::Command;
use std::sync::{Arc, Mutex};
use ui_rig::*;

const SECRET: &str = "ghp_abcdefghijklmnopqrstuvwxyz0123456789AB";

fn junit() -> String {
    format!(
        r#"<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest" errors="2" failures="1" tests="4" timestamp="2026-12-02T09:30:00">
<testcase classname="tests.test_api" name="test_ok" time="0.01"/>
<testcase classname="tests.test_api" name="test_orders"><error message="failed on setup with &quot;ConnectionRefusedError: [Errno 111] Connection refused&quot;">E   ConnectionRefusedError: [Errno 111] Connection refused

tests/conftest.py:14: ConnectionRefusedError</error></testcase>
<testcase classname="tests.test_api" name="test_users"><error message="failed on setup with &quot;ConnectionRefusedError: [Errno 111] Connection refused&quot;">E   ConnectionRefusedError: [Errno 111] Connection refused

tests/conftest.py:14: ConnectionRefusedError</error></testcase>
<testcase classname="tests.test_api" name="test_login"><failure message="AssertionError: login returned 401">E       AssertionError: login returned 401

tests/test_api.py:31: AssertionError</failure><system-out>using token {SECRET}</system-out></testcase>
</testsuite></testsuites>
"#
    )
}

/// A webhook that records each body and answers 200.
fn recorder() -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    let bodies = Arc::new(Mutex::new(Vec::new()));
    let log = bodies.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut length = 0usize;
            loop {
                let mut h = String::new();
                if reader.read_line(&mut h).is_err() || h.trim().is_empty() {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            log.lock()
                .expect("lock")
                .push(String::from_utf8_lossy(&body).into_owned());
            let _ = stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }
    });
    (port, bodies)
}

/// Steps until a widget labelled exactly `label` is on screen (a toast may say it too).
fn wait_exact(h: &mut egui_kittest::Harness<'static, healdeck::ui::HealdeckApp>, label: &str) {
    let t0 = std::time::Instant::now();
    while h.query_by_label(label).is_none() {
        assert!(t0.elapsed().as_secs() < 60, "timed out waiting for {label}");
        h.step();
        std::thread::sleep(std::time::Duration::from_millis(15));
    }
}

fn select(h: &mut egui_kittest::Harness<'static, healdeck::ui::HealdeckApp>, words: &str) {
    let fp = h
        .state()
        .trouble
        .feed
        .all()
        .iter()
        .find(|i| i.title.contains(words))
        .map(|i| i.fingerprint.clone())
        .unwrap_or_else(|| panic!("no issue titled {words}"));
    h.state_mut().trouble.selected = Some(fp);
    h.run_steps(3);
}

#[test]
fn failed_tests_are_listed_sent_to_a_channel_and_bundled() {
    let (port, bodies) = recorder();
    let mut r = rig_with_log_and("junit.xml", &junit(), |root| {
        std::fs::write(
            root.join("config").join("notify.toml"),
            format!("[[channel]]\nname = \"team\"\nurl = \"http://127.0.0.1:{port}/hook\"\nkind = \"json\"\n"),
        )
        .expect("notify.toml");
    });
    let h = &mut r.harness;
    wait_for_rows(h, "the report's issues", 2);
    select(h, "refused");
    wait_for_label(h, "Failed tests (2)");
    h.get_by_label("tests.test_api::test_orders");
    h.get_by_label("tests.test_api::test_users");
    let refused = h
        .state()
        .trouble
        .feed
        .all()
        .iter()
        .find(|i| i.title.contains("refused"))
        .cloned();
    assert_eq!(
        refused.and_then(|i| i.last_seen.clone()),
        Some("2026-12-02T09:30:00".to_string()),
        "a test issue carries its run's time"
    );

    // Send to… the channel: no secret in this one, so it goes at once.
    h.get_by_label("📣 Send to…").click();
    wait_exact(h, "team (json at 127.0.0.1)");
    h.get_by_label("team (json at 127.0.0.1)").click();
    wait(h, "the send", |a| {
        a.sh.toasts
            .texts()
            .iter()
            .any(|t| t.starts_with("Sent to team"))
    });
    let sent = bodies.lock().expect("lock").clone();
    assert_eq!(sent.len(), 1);
    let v: serde_json::Value = serde_json::from_str(&sent[0]).expect("json body");
    assert_eq!(v["event"], "issue");
    assert_eq!(v["issue"]["tests"].as_array().map(Vec::len), Some(2));

    // The one holding a token: the review first, and the token never leaves.
    select(h, "login returned 401");
    h.get_by_label("📣 Send to…").click();
    wait_exact(h, "team (json at 127.0.0.1)");
    h.get_by_label("team (json at 127.0.0.1)").click();
    wait_for_label(h, "Send the issue to the channel?");
    h.get_by_label("📣 Send").click();
    wait(h, "the second send", |_| {
        bodies.lock().map_or(0, |b| b.len()) == 2
    });
    let second = bodies.lock().expect("lock")[1].clone();
    assert!(!second.contains(SECRET), "the token was sent: {second}");
    assert!(second.contains("[REDACTED:github_token]"), "{second}");

    bundle_from_the_dialog(&mut r);
}

/// The support bundle: a key typed into the dialog, the save answered with a path, the
/// bundle opened by `age` and read back without the token.
fn bundle_from_the_dialog(r: &mut Rig) {
    // The support bundle: a key typed into the dialog, the save answered with a path.
    let key_file = r.dir.path().join("expert.key");
    let keygen = Command::new("age-keygen")
        .arg("-o")
        .arg(&key_file)
        .output()
        .expect("age-keygen");
    assert!(keygen.status.success());
    let public = std::fs::read_to_string(&key_file)
        .expect("key")
        .lines()
        .find_map(|l| l.strip_prefix("# public key: ").map(str::to_string))
        .expect("public key");
    let h = &mut r.harness;
    h.state_mut().trouble.open_bundle_dialog();
    h.run_steps(3);
    let keys = || {
        By::new()
            .role(Role::MultilineTextInput)
            .label("The expert's age public keys")
    };
    h.get(keys()).focus();
    h.run_steps(2);
    h.get(keys()).type_text(&public);
    h.run_steps(2);
    h.get_by_label("💾 Save bundle as…");
    let out = r.dir.path().join("out").join("support.tar.gz.age");
    let app = h.state_mut();
    app.trouble.write_bundle(&app.sh, out.clone());
    wait(h, "the bundle", |a| {
        a.sh.toasts
            .texts()
            .iter()
            .any(|t| t.starts_with("Support bundle written"))
    });
    wait_for_label(h, "What is inside");
    let plain = Command::new("age")
        .args(["-d", "-i"])
        .arg(&key_file)
        .arg(&out)
        .output()
        .expect("age");
    assert!(
        plain.status.success(),
        "{}",
        String::from_utf8_lossy(&plain.stderr)
    );
    let listing = Command::new("tar")
        .arg("-tz")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut tar| {
            tar.stdin.take().expect("stdin").write_all(&plain.stdout)?;
            tar.wait_with_output()
        })
        .expect("tar");
    let names = String::from_utf8_lossy(&listing.stdout);
    assert!(names.contains("healdeck-bundle/manifest.json"), "{names}");
    assert!(names.contains("healdeck-bundle/report.md"), "{names}");
    let gz = flate2::read::GzDecoder::new(&plain.stdout[..]);
    let mut all = Vec::new();
    std::io::BufReader::new(gz)
        .read_to_end(&mut all)
        .expect("gunzip");
    assert!(
        !String::from_utf8_lossy(&all).contains(SECRET),
        "the token is in the bundle"
    );
}

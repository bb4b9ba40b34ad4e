//! Planted secrets, end to end: logs that carry credentials of several kinds in failing lines,
//! their context and their tracebacks go through every way text leaves healdeck on the
//! command line — `diagnose` in each format, `diagnose --watch`, and `prompt` — and none of
//! the secrets comes out, unless `--no-redact` asks for them (and says so on stderr).
//! The same output with `--no-redact` shows each secret, so each is known to be in a report.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Output, Stdio};

const AWS_KEY_ID: &str = "AKIAZ4QX7RW2LMNB3VHT";
const GITHUB_TOKEN: &str = "ghp_R8aVq2mZt6Lp0XyW4cNs9KdJ3fHb7UeQ1oGi";
const DB_PASSWORD: &str = "Tr0ub4dor-x9q";
const JWT: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJzdmMtYmlsbGluZyJ9.Qm9yZWQtc2lnbmF0dXJlLXRlc3Q";
const JSON_PASSWORD: &str = "hunter2-Qw9!zz";
const SLACK_PATH: &str = "T0C4LQ2MN/B0C4LQ2PQ/x9Kd3LmPq7RsTu2VwXyZ1AbC";
const STRIPE_KEY: &str = "sk_live_51Hx9QpLmN3oRsTuVwXyZaBcD";
const PEM_BODY: &str = "MIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy0AHB7MhgHcTz6sE2I2yPB";

fn secrets() -> [&'static str; 8] {
    [
        AWS_KEY_ID,
        GITHUB_TOKEN,
        DB_PASSWORD,
        JWT,
        JSON_PASSWORD,
        SLACK_PATH,
        STRIPE_KEY,
        PEM_BODY,
    ]
}

/// Three logs: a Python service, a JSON-lines API and a deploy job.
fn plant(dir: &Path) {
    let logs = dir.join("logs");
    std::fs::create_dir_all(&logs).expect("logs");
    let python = format!(
        "2024-05-01 10:00:00,001 INFO boto3 session with key {AWS_KEY_ID}\n\
         2024-05-01 10:00:01,002 ERROR connect failed\n\
         Traceback (most recent call last):\n  \
           File \"/srv/app/db.py\", line 12, in connect\n    \
             conn = psycopg2.connect(\"postgresql://billing:{DB_PASSWORD}@db:5432/billing\")\n\
         psycopg2.OperationalError: could not connect to server: Connection refused\n\
         2024-05-01 10:00:02,000 ERROR request failed with Authorization: Bearer {JWT}\n\
         2024-05-01 10:00:03,000 ERROR stripe.error.AuthenticationError: Invalid API Key provided: {STRIPE_KEY}\n"
    );
    std::fs::write(logs.join("billing.log"), python).expect("write");
    let jsonl = format!(
        "{{\"time\":\"2024-05-01T10:01:00Z\",\"level\":\"error\",\"msg\":\"login failed\",\"user\":\"ops\",\"password\":\"{JSON_PASSWORD}\"}}\n\
         {{\"time\":\"2024-05-01T10:01:01Z\",\"level\":\"error\",\"msg\":\"webhook https://hooks.slack.com/services/{SLACK_PATH} returned 500\"}}\n"
    );
    std::fs::write(logs.join("api.jsonl"), jsonl).expect("write");
    let deploy = format!(
        "+ git clone https://x-access-token:{GITHUB_TOKEN}@github.com/acme/billing.git\n\
         -----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----\n\
         fatal: Authentication failed for 'https://github.com/acme/billing.git/'\n\
         ERROR: deploy failed: Permission denied (publickey)\n"
    );
    std::fs::write(logs.join("deploy.log"), deploy).expect("write");
}

fn healdeck(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_healdeck"))
        .args(args)
        .current_dir(dir)
        .env("HEALDECK_CONFIG_DIR", dir.join("config"))
        .env("HEALDECK_DATA_DIR", dir.join("data"))
        .env("NO_COLOR", "1")
        .output()
        .expect("run healdeck")
}

fn leaked(text: &str) -> Vec<&'static str> {
    secrets().into_iter().filter(|s| text.contains(s)).collect()
}

#[test]
fn every_diagnose_format_hides_every_secret_and_no_redact_shows_them() {
    let t = tempfile::tempdir().expect("tmp");
    plant(t.path());
    // The text report shows titles (a JSON record's is its message: `login failed`, not the
    // password beside it; the webhook URL its message names), Markdown excerpts too, JSON
    // also the lines before them.
    let all = secrets().to_vec();
    for (format, shown_with_no_redact) in [
        ("text", vec![JWT, SLACK_PATH]),
        (
            "markdown",
            vec![DB_PASSWORD, JWT, JSON_PASSWORD, SLACK_PATH, STRIPE_KEY],
        ),
        ("json", all.clone()),
        ("jsonl", all.clone()),
    ] {
        let out = healdeck(t.path(), &["diagnose", "--format", format, "logs"]);
        let stdout = String::from_utf8_lossy(&out.stdout);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(out.status.success(), "{format}: {stderr}");
        assert_eq!(leaked(&stdout), Vec::<&str>::new(), "{format}:\n{stdout}");
        assert_eq!(leaked(&stderr), Vec::<&str>::new(), "{format}:\n{stderr}");
        assert!(stdout.contains("[REDACTED:"), "{format}:\n{stdout}");

        let shown = healdeck(
            t.path(),
            &["diagnose", "--format", format, "--no-redact", "logs"],
        );
        let stdout = String::from_utf8_lossy(&shown.stdout);
        assert_eq!(
            leaked(&stdout),
            shown_with_no_redact,
            "{format}: --no-redact shows the planted secrets:\n{stdout}"
        );
        assert!(
            String::from_utf8_lossy(&shown.stderr).contains("--no-redact: secrets are printed"),
            "{format}: the warning"
        );
    }
}

#[test]
fn the_json_report_lists_what_it_removed_without_the_values() {
    let t = tempfile::tempdir().expect("tmp");
    plant(t.path());
    let out = healdeck(t.path(), &["diagnose", "--format", "json", "logs"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let text = v.to_string();
    for kind in [
        "aws_access_key_id",
        "url_password",
        "private_key",
        "jwt",
        "stripe_key",
        "password",
        "slack_webhook",
    ] {
        assert!(
            text.contains(&format!("[REDACTED:{kind}]")),
            "{kind} missing:\n{text}"
        );
    }
}

#[test]
fn repair_prompts_hide_every_secret_and_say_how_many() {
    let t = tempfile::tempdir().expect("tmp");
    plant(t.path());
    let out = healdeck(
        t.path(),
        &["prompt", "--python", "/nonexistent-python", "logs"],
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stdout.contains("[REDACTED:"), "{stdout}");
    assert_eq!(leaked(&stdout), Vec::<&str>::new(), "{stdout}");
    assert_eq!(leaked(&stderr), Vec::<&str>::new(), "{stderr}");
    // "healdeck: prompt for <id>: 1824 characters, 2 secret(s) redacted (jwt×1, …)"
    let redacted: usize = stderr
        .lines()
        .filter_map(|l| {
            l.split_once(" secret(s) redacted")?
                .0
                .rsplit(' ')
                .next()?
                .parse::<usize>()
                .ok()
        })
        .sum();
    assert!(
        redacted >= 5,
        "stderr counts {redacted} removals:\n{stderr}"
    );
}

#[test]
fn live_alerts_hide_secrets_written_after_the_start() {
    let t = tempfile::tempdir().expect("tmp");
    let log = t.path().join("live.log");
    std::fs::write(&log, "2024-05-01 10:00:00 INFO up\n").expect("write");
    let mut child = Command::new(env!("CARGO_BIN_EXE_healdeck"))
        .args(["diagnose", "--watch", "--format", "jsonl", "live.log"])
        .current_dir(t.path())
        .env("HEALDECK_CONFIG_DIR", t.path().join("config"))
        .env("HEALDECK_DATA_DIR", t.path().join("data"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start the watcher");
    let mut stderr = BufReader::new(child.stderr.take().expect("stderr"));
    let mut line = String::new();
    while stderr.read_line(&mut line).unwrap_or(0) > 0 && !line.contains("watching") {
        line.clear();
    }
    assert!(line.contains("watching"), "watcher did not start: {line}");
    {
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(&log)
            .expect("open");
        writeln!(
            f,
            "panic: cannot reach postgresql://billing:{DB_PASSWORD}@db:5432/billing with token {GITHUB_TOKEN}"
        )
        .expect("append");
    }
    let mut stdout = BufReader::new(child.stdout.take().expect("stdout"));
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let mut alert = String::new();
        let _ = stdout.read_line(&mut alert);
        let _ = tx.send(alert);
    });
    let alert = rx.recv_timeout(std::time::Duration::from_secs(20));
    let _ = child.kill();
    let _ = child.wait();
    let alert = alert.expect("an alert within 20 s");
    let v: serde_json::Value = serde_json::from_str(&alert).expect("JSON alert");
    assert_eq!(leaked(&alert), Vec::<&str>::new(), "{alert}");
    assert!(v.to_string().contains("[REDACTED:url_password]"), "{alert}");
}

//! `healdeck patterns` on the real binary: a generated service log (requests, a slow query,
//! a secret in a failure) gives its templates with counts, times and level mix, redacted
//! examples, every line's template with `--lines`, gzip read like plain text, and a missing
//! path named with exit 2.

#[path = "common/watch.rs"]
mod watch;

use std::io::Write;
use watch::healdeck;

fn service_log() -> String {
    let mut text = String::new();
    for n in 0..200 {
        let user = ["alice", "bob", "carol", "dave"][n % 4];
        text.push_str(&format!(
            "2026-12-02 09:{:02}:{:02} INFO GET /api/orders/{} 200 in {}ms user={user}\n",
            n / 60,
            n % 60,
            1000 + n,
            5 + n % 40
        ));
        if n % 50 == 7 {
            text.push_str(&format!(
                "2026-12-02 09:{:02}:{:02} WARN slow query on orders took {}ms\n",
                n / 60,
                n % 60,
                900 + n
            ));
        }
    }
    text.push_str("2026-12-02 09:04:00 ERROR payment gateway refused: api_key=sk_live_abcdefghijklmnopqrstuvwx\n");
    text.push_str("Dec  2 09:04:01 web-1 cron[812]: (root) CMD (run-parts /etc/cron.hourly)\n");
    text
}

#[test]
fn templates_counts_times_levels_and_lines() {
    let home = tempfile::tempdir().expect("tmp");
    let log = home.path().join("service.log");
    std::fs::write(&log, service_log()).expect("write");
    // The same log gzipped is read like the plain one.
    let gz = home.path().join("rotated.log.1.gz");
    let mut enc = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).expect("gz"),
        flate2::Compression::default(),
    );
    enc.write_all(service_log().as_bytes()).expect("gz write");
    enc.finish().expect("gz finish");
    let out = healdeck(home.path())
        .args(["patterns", "--format", "json", "--lines"])
        .arg(&log)
        .arg(&gz)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let templates = v["templates"].as_array().expect("templates");
    assert_eq!(templates.len(), 4, "{v:#}");
    let get = templates[0].clone();
    assert_eq!(get["count"], 400);
    assert_eq!(get["template"], "GET <*> # in #ms user=<*>");
    assert_eq!(get["first_seen"], "2026-12-02T09:00:00");
    assert_eq!(get["last_seen"], "2026-12-02T09:03:19");
    assert_eq!(get["levels"]["other"], 400);
    let slow = &templates[1];
    assert_eq!(
        (slow["count"].as_u64(), slow["levels"]["warn"].as_u64()),
        (Some(8), Some(8))
    );
    assert_eq!(slow["template"], "slow query on orders took #ms");
    let failure = templates
        .iter()
        .find(|t| t["levels"]["error"] == 2)
        .expect("the failure's template");
    let example = failure["example"].as_str().unwrap_or("");
    assert!(example.contains("[REDACTED:"), "{example}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("sk_live_abcdefghij"));
    let cron = templates
        .iter()
        .find(|t| {
            t["template"]
                .as_str()
                .is_some_and(|s| s.starts_with("(root) CMD"))
        })
        .expect("the syslog line's message, without its header");
    assert_eq!(cron["count"], 2);
    let lines = v["lines"].as_array().expect("lines");
    assert_eq!(lines.len(), 2 * 206);
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["template_id"], get["id"]);

    let text = healdeck(home.path())
        .args(["patterns", "--top", "2"])
        .arg(&log)
        .output()
        .expect("run");
    let t = String::from_utf8_lossy(&text.stdout);
    assert!(t.contains("4 templates in 1 file(s), 206 lines"), "{t}");
    assert!(t.contains("… 2 more templates"), "{t}");
    let missing = healdeck(home.path())
        .args(["patterns", "/nonexistent/x.log"])
        .output()
        .expect("run");
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("/nonexistent/x.log"));
}

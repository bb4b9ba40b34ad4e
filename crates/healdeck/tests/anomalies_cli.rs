//! Anomalies on the real binary: a generated two-hour service log whose last half hour goes
//! wrong — a payment handler slows from ~60 ms to ~1.5 s, a lock timeout appears, cache misses
//! spike, three heartbeats never complete — gives one anomaly of each kind with its numbers;
//! the same service on a quiet day gives none; a saved baseline of a healthy day makes the
//! incident's patterns new against it; `diagnose --anomalies` puts them in the issue feed as
//! `performance` and `anomaly`; bad baseline names and corrupt baselines are refused by name.

#[path = "common/patterns_json.rs"]
mod patterns_json;
#[path = "common/service_log.rs"]
mod service_log;
#[path = "common/watch.rs"]
mod watch;

use patterns_json::{kinds, patterns_json};
use service_log::service;
use watch::healdeck;

#[test]
fn each_kind_is_found_explained_and_quiet_logs_give_none() {
    let home = tempfile::tempdir().expect("tmp");
    let bad = home.path().join("incident.log");
    std::fs::write(&bad, service(true, 1)).expect("write");
    let v = patterns_json(home.path(), &[bad.to_str().expect("utf-8")]);
    let found = kinds(&v);
    let has = |kind: &str, words: &[&str]| {
        found
            .iter()
            .any(|(k, t)| k == kind && words.iter().all(|w| t.contains(w)))
    };
    assert!(
        has(
            "slow_handler",
            &["`payment.charge` p95", "— baseline", "over 360 calls"]
        ),
        "{found:#?}"
    );
    assert!(
        has(
            "new_pattern",
            &[
                "New error pattern since 11:30",
                "Lock wait timeout exceeded on table orders_#",
                "×120"
            ]
        ),
        "{found:#?}"
    );
    assert!(
        has("rate_spike", &["`cache miss for key user:#` ×1,440"]),
        "{found:#?}"
    );
    assert!(has("rate_spike", &["Error lines ×126"]), "{found:#?}");
    assert!(
        has(
            "open_sequence",
            &["`beat` began 3× without ending within 60 s: 1200, 1236, 1260"]
        ),
        "{found:#?}"
    );
    assert_eq!(found.len(), 5, "nothing else is anomalous: {found:#?}");
    let slow = &v["anomalies"][0];
    assert_eq!(slow["severity"], "high", "26× its baseline");
    assert!(
        slow["baseline"]
            .as_f64()
            .is_some_and(|b| (60.0..100.0).contains(&b)),
        "{slow}"
    );
    assert!(slow["now"].as_f64().is_some_and(|n| n > 1500.0), "{slow}");
    assert!(
        slow["line"].as_u64().is_some_and(|l| l > 2000),
        "its first slow line"
    );
    let handler = v["handlers"]
        .as_array()
        .expect("handlers")
        .iter()
        .find(|h| h["name"] == "payment.charge")
        .expect("the handler's durations")
        .clone();
    assert_eq!(handler["calls"], 1440);
    assert!(
        handler["max_ms"].as_f64().is_some_and(|m| m >= 2000.0),
        "{handler}"
    );
    let bins = v["histogram"]["bins"].as_array().expect("histogram");
    assert_eq!(bins.len(), 120, "one bar a minute");
    assert_eq!(
        bins.iter()
            .map(|b| b["errors"].as_u64().unwrap_or(0))
            .sum::<u64>(),
        144
    );

    // The same service without the incident: steady rates, no anomaly.
    let quiet = home.path().join("quiet.log");
    std::fs::write(&quiet, service(false, 2)).expect("write");
    let v = patterns_json(home.path(), &[quiet.to_str().expect("utf-8")]);
    assert_eq!(kinds(&v), Vec::<(String, String)>::new());
    // A limit finds a handler slow without a baseline.
    let v = patterns_json(
        home.path(),
        &[quiet.to_str().expect("utf-8"), "--slow-ms", "50"],
    );
    assert!(
        kinds(&v).iter().any(|(k, t)| k == "slow_handler"
            && t.contains("`payment.charge`")
            && t.contains("over the 50 ms limit")),
        "{:#?}",
        kinds(&v)
    );
}

#[test]
fn a_saved_baseline_is_what_the_incident_is_compared_with() {
    let home = tempfile::tempdir().expect("tmp");
    let healthy = home.path().join("monday.log");
    std::fs::write(&healthy, service(false, 3)).expect("write");
    let saved = healdeck(home.path())
        .args(["patterns", "--save-baseline", "monday"])
        .arg(&healthy)
        .output()
        .expect("run");
    assert!(
        saved.status.success(),
        "{}",
        String::from_utf8_lossy(&saved.stderr)
    );
    let note = String::from_utf8_lossy(&saved.stderr);
    assert!(note.contains("saved baseline \"monday\""), "{note}");
    let file = home.path().join("data/baselines/monday.json");
    assert!(file.is_file(), "{note}");

    // Against Monday, the incident's lock timeouts are new from its first line, and the whole
    // log's payment p95 is compared with Monday's.
    let bad = home.path().join("tuesday.log");
    std::fs::write(&bad, service(true, 4)).expect("write");
    let v = patterns_json(
        home.path(),
        &["--baseline", "monday", bad.to_str().expect("utf-8")],
    );
    let found = kinds(&v);
    assert!(
        found.iter().any(|(k, t)| k == "new_pattern"
            && t.contains("since 10:00")
            && t.contains("Lock wait timeout")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|(k, t)| k == "slow_handler" && t.contains("`payment.charge`")),
        "{found:#?}"
    );
    let explained = v["anomalies"]
        .as_array()
        .expect("anomalies")
        .iter()
        .any(|a| {
            a["explanation"]
                .as_str()
                .is_some_and(|e| e.contains("the baseline \"monday\""))
        });
    assert!(explained, "{v:#}");

    // In the issue feed: performance and anomaly issues beside the rules' own.
    let out = healdeck(home.path())
        .args(["diagnose", "--format", "json", "--baseline", "monday"])
        .arg(&bad)
        .output()
        .expect("run");
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let issues = v["issues"].as_array().expect("issues");
    let categories: Vec<&str> = issues
        .iter()
        .filter_map(|i| i["category"].as_str())
        .collect();
    assert!(categories.contains(&"performance"), "{categories:?}");
    assert!(categories.contains(&"anomaly"), "{categories:?}");
    assert!(
        categories.contains(&"timeout"),
        "the rules still run: {categories:?}"
    );
    let perf = issues
        .iter()
        .find(|i| i["category"] == "performance")
        .expect("perf");
    assert_eq!(perf["rule"], "pattern.slow_handler");
    assert!(
        perf["root_cause"]
            .as_str()
            .is_some_and(|r| r.contains("monday")),
        "{perf}"
    );

    // Bad names and broken files are refused, named.
    for (name, says) in [
        ("../etc/passwd", "baseline name"),
        ("nosuch", "no baseline of that name"),
    ] {
        let out = healdeck(home.path())
            .args(["patterns", "--baseline", name])
            .arg(&bad)
            .output()
            .expect("run");
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(says), "{err}");
    }
    std::fs::write(&file, "{\"version\": 1, \"templates\": ").expect("corrupt");
    let out = healdeck(home.path())
        .args(["diagnose", "--baseline", "monday"])
        .arg(&bad)
        .output()
        .expect("run");
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("monday.json") && err.contains("not a healdeck baseline"),
        "{err}"
    );
}

//! `healdeck patterns --format json` for tests: the report as JSON, and its anomalies as
//! (kind, title) pairs.

#![allow(dead_code)]

use crate::watch::healdeck;

/// `healdeck patterns --format json ARGS…` run with `home` as its home; the report.
pub(crate) fn patterns_json(home: &std::path::Path, args: &[&str]) -> serde_json::Value {
    let out = healdeck(home)
        .args(["patterns", "--format", "json"])
        .args(args)
        .output()
        .expect("run");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

/// Each anomaly's kind and title.
pub(crate) fn kinds(v: &serde_json::Value) -> Vec<(String, String)> {
    v["anomalies"]
        .as_array()
        .expect("anomalies")
        .iter()
        .map(|a| {
            (
                a["kind"].as_str().unwrap_or("").to_string(),
                a["title"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

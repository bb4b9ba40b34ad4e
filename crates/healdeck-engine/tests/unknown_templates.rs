//! Failures no rule knows group by their template: one unrecognized problem whose lines
//! differ in a word (the user) is one issue, grouped by the template with the word as a
//! wildcard; two short failures differing in their verb stay two issues.

use healdeck_engine::{Engine, RuleSources, ScanControl, ScanOptions, scan};

#[test]
fn one_unknown_problem_is_one_issue() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("app.log");
    let mut text = String::new();
    for user in ["alice", "bob", "carol", "dave"] {
        text.push_str(&format!(
            "2026-12-02 10:00:01 ERROR quota exceeded for user {user} on volume home, writes refused\n"
        ));
    }
    text.push_str("2026-12-02 10:00:02 ERROR frobnicator stalled\n");
    text.push_str("2026-12-02 10:00:03 ERROR frobnicator jammed\n");
    std::fs::write(&log, text).expect("write");
    let (engine, errors) = Engine::load(&RuleSources::default());
    assert!(errors.is_empty(), "{errors:?}");
    let r = scan(
        &engine,
        &[log],
        &ScanOptions::default(),
        &ScanControl::default(),
    );
    let quota: Vec<_> = r
        .issues
        .iter()
        .filter(|i| i.title.contains("quota"))
        .collect();
    assert_eq!(
        quota.len(),
        1,
        "{:#?}",
        r.issues.iter().map(|i| &i.title).collect::<Vec<_>>()
    );
    assert_eq!(quota[0].count, 4);
    assert!(
        quota[0].group_key.contains("user <*> on volume"),
        "{}",
        quota[0].group_key
    );
    let frob = r
        .issues
        .iter()
        .filter(|i| i.title.contains("frobnicator"))
        .count();
    assert_eq!(
        frob, 2,
        "short lines differing in a word are different failures"
    );
}

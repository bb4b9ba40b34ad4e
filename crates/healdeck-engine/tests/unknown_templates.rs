//! Failures no rule knows group by their template: one unrecognized problem whose lines
//! differ in a word (the user) is one issue, grouped by the template with the word as a
//! wildcard; two short failures differing in their verb stay two issues.

use healdeck_engine::{Engine, RuleSources, ScanControl, ScanOptions, scan};

mod common;

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

/// A fatal record is another problem than errors logged with the same words: YugabyteDB's
/// master logs `E… Too big clock skew is detected` and keeps running, the tablet server logs
/// the same at `F…` and aborts — two issues, the abort critical.
#[test]
fn a_fatal_record_is_not_counted_with_errors_of_the_same_words() {
    let mut text = String::new();
    for s in 0..3 {
        text.push_str(&format!(
            "E1222 11:06:0{s}.050439    16 hybrid_clock.cc:181] Too big clock skew is detected: 3039{s}.525s, while max allowed is: 0.500s\n"
        ));
    }
    text.push_str("F1222 11:06:04.611902    40 hybrid_clock.cc:181] Too big clock skew is detected: 30392.519s, while max allowed is: 0.500s\n");
    let issues = common::issues_in("yb.log", &text);
    let mut found: Vec<_> = issues
        .iter()
        .map(|i| {
            (
                i.count,
                i.severity,
                i.title
                    .starts_with("Unrecognized error: Too big clock skew"),
            )
        })
        .collect();
    found.sort();
    assert_eq!(
        found,
        vec![
            (1, healdeck_engine::Severity::Critical, true),
            (3, healdeck_engine::Severity::Medium, true)
        ]
    );
}

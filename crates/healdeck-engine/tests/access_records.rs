//! An access record's 5xx belongs to the failure it answered, whichever of the two a server
//! writes first: written just before the exception (uvicorn) or just after (nginx in front of
//! an app), it folds into that failure's issue; a 5xx with no failure near it is an issue of
//! its own.

mod common;

use healdeck_engine::{Engine, Issue, RuleSources, ScanControl, ScanOptions, scan};

fn issues(text: &str) -> Vec<Issue> {
    common::issues_in("app.log", text)
}

const ACCESS: &str =
    "INFO:     172.18.0.1:49836 - \"POST /report HTTP/1.1\" 500 Internal Server Error\n";
const EXCEPTION: &str = "ERROR:    Exception in ASGI application\nTraceback (most recent call last):\n  File \"/app/main.py\", line 12, in report\n    raise TimeoutError\nTimeoutError\n";

#[test]
fn a_5xx_written_just_before_its_exception_folds_into_it() {
    let found = issues(&format!(
        "INFO:     Application startup complete.\n{ACCESS}{EXCEPTION}"
    ));
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].title.contains("timed out"), "{}", found[0].title);
    assert!(
        found[0]
            .consequences
            .iter()
            .any(|c| c.contains("POST /report")),
        "{:?}",
        found[0].consequences
    );
}

#[test]
fn a_5xx_after_its_exception_folds_too_and_one_far_from_any_failure_does_not() {
    let found = issues(&format!("{EXCEPTION}{ACCESS}"));
    assert_eq!(found.len(), 1, "{found:#?}");
    let quiet = "INFO:     172.18.0.1:49812 - \"GET /health HTTP/1.1\" 200 OK\n".repeat(20);
    let found = issues(&format!("{ACCESS}{quiet}{EXCEPTION}"));
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found
            .iter()
            .any(|i| i.rule.as_deref() == Some("http.access_5xx"))
    );
    // Alone: its own issue.
    let found = issues(ACCESS);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].rule.as_deref(), Some("http.access_5xx"));
}

#[test]
fn the_fold_does_not_depend_on_where_the_file_is_cut() {
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join("app.log");
    std::fs::write(&log, format!("INFO:     started\n{ACCESS}{EXCEPTION}")).expect("write");
    let (engine, _) = Engine::load(&RuleSources::default());
    // The access record and the exception in different chunks; each chunk sees ahead.
    for chunk_bytes in [16, 64, 100, 4096] {
        let opts = ScanOptions {
            threads: 1,
            chunk_bytes,
            lookahead_bytes: 64 << 10,
        };
        let found = scan(
            &engine,
            std::slice::from_ref(&log),
            &opts,
            &ScanControl::default(),
        )
        .issues;
        assert_eq!(found.len(), 1, "{chunk_bytes}-byte chunks: {found:#?}");
        assert!(
            found[0]
                .consequences
                .iter()
                .any(|c| c.contains("POST /report"))
        );
    }
}

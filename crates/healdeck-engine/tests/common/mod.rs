//! What the tests in this folder share: a log written to a temporary file and scanned whole
//! with the built-in rules, as `healdeck diagnose` scans it.

use healdeck_engine::{Engine, Issue, RuleSources, ScanControl, ScanOptions, scan};

/// The issues found in `text`, written to a file named `name`.
pub(crate) fn issues_in(name: &str, text: &str) -> Vec<Issue> {
    let dir = tempfile::tempdir().expect("tmp");
    let log = dir.path().join(name);
    std::fs::write(&log, text).expect("write");
    let (engine, errors) = Engine::load(&RuleSources::default());
    assert!(errors.is_empty(), "{errors:?}");
    scan(
        &engine,
        &[log],
        &ScanOptions::default(),
        &ScanControl::default(),
    )
    .issues
}

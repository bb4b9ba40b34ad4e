//! The corpus: real error messages among ordinary lines (see tests/corpus/SOURCES.md), and
//! trap files that only mention errors. Every planted failure must be found with the right
//! category, severity and rule, and nothing else may be reported.

use healdeck::troubleshoot::{Engine, ScanControl, ScanOptions, scan};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::PathBuf;

#[derive(Deserialize, Debug)]
struct Expected {
    line: u64,
    end_line: Option<u64>,
    category: String,
    severity: String,
    rule: String,
    count: u64,
    consequences: Option<usize>,
}

#[derive(Deserialize)]
struct Manifest {
    files: BTreeMap<String, Vec<Expected>>,
}

fn corpus_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/corpus")
}

#[test]
fn every_planted_failure_is_found_and_nothing_else() {
    let manifest: Manifest = serde_json::from_str(
        &std::fs::read_to_string(corpus_dir().join("expected.json")).expect("manifest"),
    )
    .expect("manifest parses");
    let (engine, errors) = Engine::load(&[], false);
    assert!(errors.is_empty(), "{errors:?}");
    let mut failures = Vec::new();
    for (file, expected) in &manifest.files {
        let path = corpus_dir().join(file);
        assert!(path.exists(), "missing corpus file {file}");
        let report = scan(
            &engine,
            &[path],
            &ScanOptions::default(),
            &ScanControl::default(),
        );
        let mut found: Vec<String> = report
            .issues
            .iter()
            .map(|i| {
                format!(
                    "L{}-{} {} {} {} x{} cons={}",
                    i.occurrences[0].line,
                    i.occurrences[0].end_line,
                    i.category,
                    i.severity,
                    i.rule.as_deref().unwrap_or("-"),
                    i.count,
                    i.consequences.len()
                )
            })
            .collect();
        found.sort();
        let mut want: Vec<String> = expected
            .iter()
            .map(|e| {
                let issue = report.issues.iter().find(|i| {
                    i.occurrences[0].line == e.line && i.rule.as_deref() == Some(&e.rule)
                });
                format!(
                    "L{}-{} {} {} {} x{} cons={}",
                    e.line,
                    e.end_line
                        .unwrap_or_else(|| issue.map_or(e.line, |i| i.occurrences[0].end_line)),
                    e.category,
                    e.severity,
                    e.rule,
                    e.count,
                    e.consequences
                        .unwrap_or_else(|| issue.map_or(0, |i| i.consequences.len()))
                )
            })
            .collect();
        want.sort();
        if found != want {
            failures.push(format!("{file}:\n  want {want:#?}\n  got  {found:#?}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn every_rule_sample_is_classified_by_its_rule() {
    let (engine, _) = Engine::load(&[], false);
    let failures = healdeck::troubleshoot::samples::check_samples(&engine);
    let n: usize = engine
        .rules
        .rules
        .iter()
        .map(|r| r.spec.samples.len())
        .sum();
    assert!(
        engine.rules.rules.len() >= 80,
        "{} rules",
        engine.rules.rules.len()
    );
    assert!(n >= engine.rules.rules.len(), "every rule carries samples");
    assert!(
        engine
            .rules
            .rules
            .iter()
            .all(|r| !r.spec.samples.is_empty()),
        "a rule without samples"
    );
    assert!(
        failures.is_empty(),
        "{}",
        failures
            .iter()
            .map(|f| f.to_string())
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[test]
fn rules_cover_the_contract_categories() {
    use healdeck::troubleshoot::Category;
    let (engine, _) = Engine::load(&[], false);
    for c in Category::ALL {
        if c == Category::Unknown {
            continue;
        }
        assert!(
            engine.rules.rules.iter().any(|r| r.spec.category == c),
            "no rule for category {c}"
        );
    }
}

//! The corpus: real error messages among ordinary lines (see tests/corpus/SOURCES.md), and
//! trap files that only mention errors. Every planted failure must be found with the right
//! category, severity and rule, and nothing else may be reported.

use healdeck_engine::{Engine, RuleSources, ScanControl, ScanOptions, scan};
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
    let (engine, errors) = Engine::load(&RuleSources::default());
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
    let (engine, _) = Engine::load(&RuleSources::default());
    let failures = healdeck_engine::samples::check_samples(&engine);
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
    use healdeck_engine::Category;
    let (engine, _) = Engine::load(&RuleSources::default());
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

/// Every rule sample, embedded between ordinary lines of five everyday log formats, is found
/// exactly once with its own rule: no event swallows its neighbours, none is split or lost.
#[test]
fn samples_embedded_in_ordinary_logs_are_each_found_once() {
    let normals = [
        "2024-05-01T12:00:00.123Z INFO  [worker-3] app.service: processed order 123 in 23 ms",
        "10.0.1.2 - - [01/May/2024:12:00:00 +0000] \"GET /api/items/12 HTTP/1.1\" 200 512 \"-\" \"Mozilla/5.0\"",
        "May  1 12:00:00 web-1 systemd[1]: Started Session 42 of user deploy.",
        "2024-05-01 12:00:00,123 - app.jobs - DEBUG - job 9 synced with 3 rows",
        "{\"ts\":\"2024-05-01T12:00:00Z\",\"level\":\"info\",\"msg\":\"request done\",\"status\":200}",
    ];
    let (engine, _) = Engine::load(&RuleSources::default());
    let dir = tempfile::tempdir().expect("tmp");
    let mut problems = Vec::new();
    for (n, normal) in normals.iter().enumerate() {
        let mut text = String::new();
        let mut want: BTreeMap<String, u64> = BTreeMap::new();
        for rule in &engine.rules.rules {
            for s in &rule.spec.samples {
                text.push_str(&format!("{normal}\n{normal}\n{}\n{normal}\n", s.text));
                *want.entry(rule.spec.id.clone()).or_default() += 1;
            }
        }
        let path = dir.path().join(format!("embedded-{n}.log"));
        std::fs::write(&path, text).expect("write");
        let report = scan(
            &engine,
            &[path],
            &ScanOptions::default(),
            &ScanControl::default(),
        );
        let mut got: BTreeMap<String, u64> = BTreeMap::new();
        for i in &report.issues {
            *got.entry(
                i.rule
                    .clone()
                    .unwrap_or_else(|| format!("unknown: {}", i.title)),
            )
            .or_default() += i.count;
        }
        if got != want {
            for k in want.keys().chain(got.keys()) {
                if want.get(k) != got.get(k) {
                    problems.push(format!(
                        "format {n}: {k}: want {:?} got {:?}",
                        want.get(k),
                        got.get(k)
                    ));
                }
            }
        }
    }
    problems.dedup();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

//! The scored evaluation: a corpus of log files and, in its `expected.json`, the issues each
//! must give (first line, category, severity, rule); `evaluate` scans every file and scores
//! what was found against them — recall, category and severity accuracy, false issues.
//!
//! An expected issue counts as found when a reported issue's first occurrence covers its
//! line; its category and severity are then right or wrong; a reported issue that covers no
//! expected line is a false one. Trap files (healthy logs that only mention errors) expect
//! nothing, so whatever they report is false.

use crate::{Engine, Issue, ScanControl, ScanOptions, scan};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// One issue a corpus file must give, as `expected.json` writes it.
#[derive(Debug, Clone, Deserialize)]
pub struct Expectation {
    /// 1-based line where the issue's first occurrence starts.
    pub line: u64,
    pub category: String,
    pub severity: String,
    pub rule: String,
}

#[derive(Debug, Deserialize)]
struct Manifest {
    files: BTreeMap<String, Vec<Expectation>>,
}

/// Why a corpus could not be evaluated.
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("{path}: {message}")]
    Manifest { path: PathBuf, message: String },
    #[error("{path}: listed in expected.json but missing")]
    MissingFile { path: PathBuf },
}

/// What went wrong with one expected issue, or one reported issue nobody expected.
#[derive(Debug, Clone, Serialize)]
pub struct Miss {
    pub file: String,
    pub line: u64,
    /// What was wanted (`category severity rule`) or `-` for a false issue.
    pub want: String,
    /// What was found there, or `-` when nothing was.
    pub got: String,
}

/// The scores over a whole corpus.
#[derive(Debug, Clone, Serialize)]
pub struct Scores {
    pub files: usize,
    pub expected: usize,
    pub found: usize,
    pub category_right: usize,
    pub severity_right: usize,
    pub rule_right: usize,
    pub false_issues: usize,
    /// Found / expected.
    pub recall: f64,
    /// Right category / expected (a missed issue has no right category).
    pub category_accuracy: f64,
    pub severity_accuracy: f64,
    pub misses: Vec<Miss>,
}

/// Scans every file `dir/expected.json` lists and scores the result.
pub fn evaluate(engine: &Engine, dir: &Path) -> Result<Scores, EvalError> {
    let manifest_path = dir.join("expected.json");
    let manifest: Manifest = std::fs::read_to_string(&manifest_path)
        .map_err(|e| e.to_string())
        .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        .map_err(|message| EvalError::Manifest {
            path: manifest_path.clone(),
            message,
        })?;
    let mut tally = Tally::default();
    for (file, expected) in &manifest.files {
        let path = dir.join(file);
        if !path.is_file() {
            return Err(EvalError::MissingFile { path });
        }
        let report = scan(
            engine,
            &[path],
            &ScanOptions::default(),
            &ScanControl::default(),
        );
        tally.file(file, expected, &report.issues);
    }
    Ok(tally.scores(manifest.files.len()))
}

#[derive(Default)]
struct Tally {
    expected: usize,
    found: usize,
    category_right: usize,
    severity_right: usize,
    rule_right: usize,
    false_issues: usize,
    misses: Vec<Miss>,
}

impl Tally {
    fn file(&mut self, file: &str, expected: &[Expectation], issues: &[Issue]) {
        let covers = |i: &Issue, line: u64| {
            i.occurrences
                .first()
                .is_some_and(|o| o.line <= line && line <= o.end_line.max(o.line))
        };
        let describe = |i: &Issue| {
            format!(
                "{} {} {}",
                i.category,
                i.severity,
                i.rule.as_deref().unwrap_or("-")
            )
        };
        for e in expected {
            self.expected += 1;
            let want = format!("{} {} {}", e.category, e.severity, e.rule);
            let Some(i) = issues.iter().find(|i| covers(i, e.line)) else {
                self.misses.push(Miss {
                    file: file.to_string(),
                    line: e.line,
                    want,
                    got: "-".into(),
                });
                continue;
            };
            self.found += 1;
            let category = i.category.as_str() == e.category;
            let severity = i.severity.as_str() == e.severity;
            let rule = i.rule.as_deref().unwrap_or("-") == e.rule;
            self.category_right += usize::from(category);
            self.severity_right += usize::from(severity);
            self.rule_right += usize::from(rule);
            if !(category && severity && rule) {
                self.misses.push(Miss {
                    file: file.to_string(),
                    line: e.line,
                    want,
                    got: describe(i),
                });
            }
        }
        for i in issues {
            if !expected.iter().any(|e| covers(i, e.line)) {
                self.false_issues += 1;
                self.misses.push(Miss {
                    file: file.to_string(),
                    line: i.occurrences.first().map_or(0, |o| o.line),
                    want: "-".into(),
                    got: describe(i),
                });
            }
        }
    }

    fn scores(self, files: usize) -> Scores {
        let share = |n: usize| {
            if self.expected == 0 {
                1.0
            } else {
                n as f64 / self.expected as f64
            }
        };
        Scores {
            files,
            expected: self.expected,
            found: self.found,
            category_right: self.category_right,
            severity_right: self.severity_right,
            rule_right: self.rule_right,
            false_issues: self.false_issues,
            recall: share(self.found),
            category_accuracy: share(self.category_right),
            severity_accuracy: share(self.severity_right),
            misses: self.misses,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::RuleSources;

    #[test]
    fn scores_count_misses_wrong_verdicts_and_false_issues() {
        let dir = tempfile::tempdir().expect("tmp");
        let log = "INFO start\nModuleNotFoundError: No module named 'yaml'\nINFO ok\nERROR: disk quota exceeded on /srv\n";
        std::fs::write(dir.path().join("app.log"), log).expect("write");
        std::fs::write(dir.path().join("trap.log"), "INFO errors=0\n").expect("write");
        // Line 2 is found but wanted as `config`; line 3 is wanted and not there; line 4's
        // issue is not wanted at all.
        let manifest = r#"{"files": {
            "app.log": [
                {"line": 2, "category": "config", "severity": "high", "rule": "python.module_not_found"},
                {"line": 3, "category": "network", "severity": "high", "rule": "x"}
            ],
            "trap.log": []
        }}"#;
        std::fs::write(dir.path().join("expected.json"), manifest).expect("write");
        let (engine, _) = Engine::load(&RuleSources::default());
        let s = evaluate(&engine, dir.path()).expect("scores");
        assert_eq!((s.files, s.expected, s.found), (2, 2, 1));
        assert_eq!(
            (s.category_right, s.severity_right, s.rule_right),
            (0, 1, 1)
        );
        assert_eq!(s.false_issues, 1, "{:#?}", s.misses);
        assert!((s.recall - 0.5).abs() < 1e-9);
        assert_eq!(s.misses.len(), 3, "{:#?}", s.misses);
    }

    #[test]
    fn a_broken_manifest_or_a_missing_file_is_named() {
        let dir = tempfile::tempdir().expect("tmp");
        let (engine, _) = Engine::load(&RuleSources::default());
        std::fs::write(dir.path().join("expected.json"), "{\"files\": {").expect("write");
        let e = evaluate(&engine, dir.path()).expect_err("broken");
        assert!(e.to_string().contains("expected.json"), "{e}");
        std::fs::write(
            dir.path().join("expected.json"),
            r#"{"files": {"gone.log": []}}"#,
        )
        .expect("write");
        let e = evaluate(&engine, dir.path()).expect_err("missing");
        assert!(e.to_string().contains("gone.log"), "{e}");
    }
}

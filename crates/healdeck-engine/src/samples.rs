//! Rules carry their own examples: every rule's `samples` must be classified by that rule (with
//! the captures they list) when run through the whole engine — assembly, prefilter, precedence —
//! and its `not_samples` must not be. The test suite and `healdeck rules --check` run this.

use super::classify::Verdict;
use super::engine::Engine;

/// A sample that did not come out as its rule says.
#[derive(Debug, Clone, PartialEq)]
pub struct SampleFailure {
    pub rule: String,
    pub sample: String,
    pub problem: String,
}

impl std::fmt::Display for SampleFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "rule '{}': {}\n  sample: {:?}",
            self.rule, self.problem, self.sample
        )
    }
}

fn verdicts(engine: &Engine, text: &str) -> Vec<Verdict> {
    let mut buf = text.as_bytes().to_vec();
    buf.push(b'\n');
    engine
        .process_chunk(
            &buf,
            buf.len(),
            false,
            crate::timestamp::FileDate::year(2024),
        )
        .events
        .into_iter()
        .map(|e| e.verdict)
        .collect()
}

/// Checks every sample of every rule and consequence pattern in the engine.
pub fn check_samples(engine: &Engine) -> Vec<SampleFailure> {
    let mut failures = Vec::new();
    let rules = &engine.rules.rules;
    for (index, rule) in rules.iter().enumerate() {
        let id = &rule.spec.id;
        let fail = |sample: &str, problem: String| SampleFailure {
            rule: id.clone(),
            sample: sample.to_string(),
            problem,
        };
        for sample in &rule.spec.samples {
            let found = verdicts(engine, &sample.text);
            let issues: Vec<_> = found
                .iter()
                .filter_map(|v| match v {
                    Verdict::Issue(c) => Some(c),
                    Verdict::Consequence(_) => None,
                })
                .collect();
            match issues.as_slice() {
                [c] if c.rule == Some(index) => {
                    for (k, want) in &sample.captures {
                        let got = c.captures.get(k).map(String::as_str).unwrap_or("<none>");
                        if got != want {
                            failures.push(fail(
                                &sample.text,
                                format!("capture '{k}' is '{got}', expected '{want}'"),
                            ));
                        }
                    }
                }
                [c] => {
                    let by = c
                        .rule
                        .and_then(|i| rules.get(i))
                        .map_or("no rule (unknown)".to_string(), |r| {
                            format!("rule '{}'", r.spec.id)
                        });
                    failures.push(fail(&sample.text, format!("classified by {by} instead")));
                }
                [] => failures.push(fail(&sample.text, "not detected as a failure".into())),
                many => failures.push(fail(
                    &sample.text,
                    format!("split into {} issues; a sample is one incident", many.len()),
                )),
            }
        }
        for text in &rule.spec.not_samples {
            let hit = verdicts(engine, text)
                .iter()
                .any(|v| matches!(v, Verdict::Issue(c) if c.rule == Some(index)));
            if hit {
                failures.push(fail(text, "a not_sample matched this rule".into()));
            }
        }
    }
    for c in &engine.rules.consequences {
        for text in &c.spec.samples {
            let found = verdicts(engine, text);
            if !matches!(found.as_slice(), [Verdict::Consequence(id)] if *id == c.spec.id) {
                failures.push(SampleFailure {
                    rule: c.spec.id.clone(),
                    sample: text.clone(),
                    problem: format!("expected to be this consequence, got {found:?}"),
                });
            }
        }
    }
    failures
}

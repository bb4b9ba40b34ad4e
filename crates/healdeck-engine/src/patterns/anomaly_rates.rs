//! New patterns and rate spikes: per template, and for all error lines together (see
//! `anomaly` for the tests and thresholds).

use super::LevelMix;
use super::anomaly::{Anomaly, AnomalyKind, Describe, SPIKE_LN_P, Window, ln_tail, thousands};
use super::baseline::Baseline;
use super::timeline::{Steps, Timeline};
use crate::model::Severity;
use std::collections::BTreeMap;

/// Words that make a new non-error pattern worth a person's look.
static FAILURE_WORDS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)\b(?:fail(?:s|ed|ure)?|errors?|exceptions?|denied|refused|invalid|timed? ?out|unable|cannot|can't|unreachable|lost|corrupt\w*|panic\w*|abort\w*|crash\w*|fatal)\b",
    )
    .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// Lines before and in the window.
fn split(counts: &BTreeMap<i64, u32>, cut: i64) -> (u64, u64) {
    let base = counts.range(..cut).map(|(_, n)| u64::from(*n)).sum();
    let now = counts.range(cut..).map(|(_, n)| u64::from(*n)).sum();
    (base, now)
}

fn plot(counts: &BTreeMap<i64, u32>) -> Vec<(i64, f64)> {
    counts.iter().map(|(t, n)| (*t, f64::from(*n))).collect()
}

/// The rate test: lines now against the baseline's count over its length.
fn spike(base: u64, base_len: f64, now: u64, now_len: f64) -> Option<f64> {
    let expected = base as f64 * now_len / base_len.max(1.0);
    (now >= 10 && now as f64 >= 3.0 * expected && ln_tail(expected, now as f64) < SPIKE_LN_P)
        .then_some(expected)
}

fn mostly(part: u64, levels: &LevelMix) -> bool {
    part * 2 >= levels.error + levels.warn + levels.other
}

pub(crate) fn rates(
    timeline: &Timeline,
    describe: &Describe<'_>,
    saved: Option<&Baseline>,
    w: &Window,
) -> Vec<Anomaly> {
    let from = if saved.is_some() { i64::MIN } else { w.cut };
    let placed = |a: Anomaly, steps: &Steps| Anomaly {
        series: plot(steps.series(w.timed)),
        at: steps.first_from(w.timed, from),
        ..a
    };
    let mut out = Vec::new();
    for (&id, steps) in &timeline.templates {
        let Some((template, levels)) = (describe.template)(id) else {
            continue;
        };
        if !says_something(&template) {
            continue;
        }
        let (mut base, now) = split(steps.series(w.timed), w.cut);
        if let Some(b) = saved {
            base = b.lines_like(&template);
        }
        if now == 0 {
            continue;
        }
        let errors = mostly(levels.error, &levels);
        // A pattern first seen in a file that itself starts after the cut (another machine's
        // log, a day's file following a year-old one) is new to nothing the baseline saw.
        let unseen_source = saved.is_none()
            && steps
                .first_from(w.timed, w.cut)
                .is_some_and(|(file, _)| timeline.file_starts_from(file, w.timed, w.cut));
        let found = if base == 0 && unseen_source {
            None
        } else if base == 0 {
            new_pattern(template, &levels, now, w, saved)
        } else {
            let label = format!("`{template}`");
            rate_spike(template, &label, base, now, w, errors)
        };
        if let Some(a) = found {
            out.push(Anomaly {
                template_id: Some(id),
                ..placed(a, steps)
            });
        }
    }
    let (mut base, now) = split(timeline.errors.series(w.timed), w.cut);
    if let Some(b) = saved {
        base = b.error_lines;
    }
    if base > 0
        && let Some(a) = rate_spike("error lines".into(), "Error lines", base, now, w, true)
    {
        out.push(placed(a, &timeline.errors));
    }
    out
}

/// Whether a template has words or numbers to show: the empty line a CI runner stamps with
/// its time (GitHub Actions' `2026-12-05T10:12:06.0248949Z ` alone) or a row of dashes is no
/// pattern a person could act on, however often it comes.
fn says_something(template: &str) -> bool {
    template.chars().any(char::is_alphanumeric)
}

/// A template with no line in the baseline, when its lines are worth a look.
fn new_pattern(
    template: String,
    levels: &LevelMix,
    now: u64,
    w: &Window,
    saved: Option<&Baseline>,
) -> Option<Anomaly> {
    let (what, severity) = if mostly(levels.error, levels) {
        let severity = if now >= 3 {
            Severity::High
        } else {
            Severity::Medium
        };
        ("error pattern", severity)
    } else if mostly(levels.warn, levels) {
        ("warning pattern", Severity::Medium)
    } else if FAILURE_WORDS.is_match(&template) {
        ("pattern", Severity::Medium)
    } else if now >= 20 {
        ("pattern", Severity::Low)
    } else {
        return None;
    };
    let before = match saved {
        Some(b) => format!("the baseline \"{}\"", b.name),
        None => "the log's earlier part".to_string(),
    };
    let since = w.since_words();
    Some(Anomaly {
        title: format!("New {what} since {since}: `{template}` ×{}", thousands(now)),
        explanation: format!(
            "Not once in {before} ({}); {} since {since}.",
            w_len(w, w.base_len),
            times(now)
        ),
        severity,
        now: now as f64,
        count: now,
        ..Anomaly::about(AnomalyKind::NewPattern, template, w)
    })
}

/// Lines far above the baseline's rate.
fn rate_spike(
    subject: String,
    label: &str,
    base: u64,
    now: u64,
    w: &Window,
    errors: bool,
) -> Option<Anomaly> {
    let expected = spike(base, w.base_len, now, w.now_len)?;
    let factor = now as f64 / expected.max(0.1);
    Some(Anomaly {
        title: format!(
            "{label} ×{} since {} — baseline {expected:.1} in as long ({factor:.0}×)",
            thousands(now),
            w.since_words()
        ),
        explanation: explanation(base, w, now, expected),
        severity: if errors {
            Severity::High
        } else {
            Severity::Medium
        },
        baseline: expected,
        now: now as f64,
        count: now,
        ..Anomaly::about(AnomalyKind::RateSpike, subject, w)
    })
}

/// `once`, `twice`, `12 times`.
fn times(n: u64) -> String {
    match n {
        1 => "once".into(),
        2 => "twice".into(),
        n => format!("{} times", thousands(n)),
    }
}

fn w_len(w: &Window, steps: f64) -> String {
    if w.timed {
        if steps >= 120.0 {
            format!("{:.1} h", steps / 60.0)
        } else {
            format!("{steps:.0} min")
        }
    } else {
        format!("{} lines", thousands((steps * 100.0) as u64))
    }
}

fn explanation(base: u64, w: &Window, now: u64, expected: f64) -> String {
    format!(
        "{} lines in the baseline's {}, so {expected:.1} expected in the {} since {}; {} came. \
         At the baseline's rate (Poisson), that many by chance is less likely than one in a \
         million.",
        thousands(base),
        w_len(w, w.base_len),
        w_len(w, w.now_len),
        w.since_words(),
        thousands(now)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_and_punctuation_templates_are_no_anomaly() {
        assert!(!says_something(""));
        assert!(!says_something("  "));
        assert!(!says_something("- - - - -"));
        assert!(says_something("wave #/# started"));
        assert!(says_something("東京"));
    }
}

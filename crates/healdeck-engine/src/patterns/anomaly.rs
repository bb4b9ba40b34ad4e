//! Anomalies in a log's patterns, each explained in words with its baseline.
//!
//! The **baseline** is a saved healthy period (`Baseline`), or else the log's own earlier
//! part: its span of steps (minutes, or blocks of 100 lines without times) is cut at three
//! quarters, and the last quarter is the **current window**. Then:
//! - **new pattern**: a template with no line in the baseline and lines now — reported when
//!   its lines are errors (high; medium when few), warnings or failure words (medium), or 20 or
//!   more lines of anything (low);
//! - **rate spike**: a template — and all error lines together — far above the baseline's
//!   rate. The test is Poisson: with the baseline's rate λ scaled to the window's length, the
//!   chance of k or more lines is bounded by Chernoff's e^(−λ)(eλ/k)^k; a spike needs that
//!   bound under 10⁻⁶, at least 10 lines and 3× the expected count, so rare noise does not fire;
//! - **slow handler**: a template's durations (`took 123ms`, `duration=1.2s`, `rt=0.25`), or a
//!   sequence's begin-to-end times, with p95 now at least `slow_factor`× the baseline's and
//!   100 ms or more over 20+ calls on each side — or the whole log's p95 over `slow_ms`;
//! - **open sequence**: begun (`started`, `acquired`, …) with an id and not ended within
//!   `sequence_timeout_s` (or 1,000 lines without times), for names that do end elsewhere or
//!   with three or more left open.

use super::baseline::Baseline;
use super::sketch::Durations;
use super::timeline::{Handler, LINES_PER_STEP, Timeline};
use super::{LevelMix, TemplateId};
use crate::model::Severity;
use serde::Serialize;
use std::collections::BTreeMap;

/// Thresholds of detection.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AnomalyOptions {
    /// A handler whose p95 over the log is above this is slow whatever its baseline.
    pub slow_ms: Option<f64>,
    /// p95 now ÷ p95 before that makes a handler slow.
    pub slow_factor: f64,
    /// Seconds a begun sequence may stay open.
    pub sequence_timeout_s: f64,
}

impl Default for AnomalyOptions {
    fn default() -> Self {
        AnomalyOptions {
            slow_ms: None,
            slow_factor: 3.0,
            sequence_timeout_s: 60.0,
        }
    }
}

/// What kind of anomaly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    NewPattern,
    RateSpike,
    SlowHandler,
    OpenSequence,
}

/// One anomaly, with the numbers that make it one.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Anomaly {
    pub kind: AnomalyKind,
    /// The template it is about (none for all error lines or a sequence).
    pub template_id: Option<TemplateId>,
    /// The template's text, a sequence's name, or `error lines`.
    pub subject: String,
    /// In words, with the numbers.
    pub title: String,
    /// What the numbers mean, in a sentence or two.
    pub explanation: String,
    pub severity: Severity,
    /// Where the current window starts (an engine time, or `line N`).
    pub since: String,
    /// The baseline's value and the current one (lines per window, or p95 in ms).
    pub baseline: f64,
    pub now: f64,
    /// Lines, calls or open sequences in the current window.
    pub count: u64,
    /// The ids left open (an open sequence; first 20).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ids: Vec<String>,
    /// Per step (minute, or block of 100 lines): lines, or p95 ms — for a small plot; steps
    /// at or after `cut` are the current window.
    pub series: Vec<(i64, f64)>,
    pub cut: i64,
    /// Its first line in the current window: file, line number and text (redacted).
    pub source: String,
    pub line: u64,
    pub example: String,
    /// The time of its last step with lines (timed logs).
    pub last_seen: Option<String>,
    #[serde(skip)]
    pub(crate) at: Option<super::timeline::LineAt>,
}

/// p50, p95 and max of durations.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Quantiles {
    pub p50: f64,
    pub p95: f64,
    pub max: f64,
}

pub(crate) fn format_ms(ms: f64) -> String {
    if ms >= 1000.0 && ms % 1000.0 == 0.0 {
        format!("{:.0} s", ms / 1000.0)
    } else if ms >= 1000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!("{ms:.0} ms")
    }
}

/// Chernoff's bound on ln P(X ≥ k) for X ~ Poisson(λ), k > λ.
pub(crate) fn ln_tail(lambda: f64, k: f64) -> f64 {
    if k <= lambda {
        return 0.0;
    }
    let lambda = lambda.max(1e-9);
    -lambda + k * (1.0 + lambda.ln() - k.ln())
}

/// ln(10⁻⁶).
const LN_ONE_IN_A_MILLION: f64 = -13.8155;

/// Where the current window starts, and the lengths each side.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Window {
    pub timed: bool,
    /// The log's first and last step.
    pub first: i64,
    pub last: i64,
    pub cut: i64,
    pub base_len: f64,
    pub now_len: f64,
}

impl Window {
    pub(crate) fn of(timeline: &Timeline, saved: Option<&Baseline>) -> Option<Window> {
        let timed = timeline.is_timed();
        let all = timeline.all.series(timed);
        let (first, last) = (*all.keys().next()?, *all.keys().next_back()?);
        let span = last - first + 1;
        if let Some(b) = saved {
            // All of the log is "now"; a baseline in another clock is compared per line.
            return Some(Window {
                timed,
                first,
                last,
                cut: first,
                base_len: if b.timed == timed {
                    b.steps
                } else {
                    b.lines as f64 / LINES_PER_STEP as f64
                },
                now_len: if b.timed == timed {
                    span as f64
                } else {
                    timeline.lines as f64 / LINES_PER_STEP as f64
                },
            });
        }
        if span < 4 {
            return None;
        }
        let cut = last + 1 - (span / 4).max(1);
        Some(Window {
            timed,
            first,
            last,
            cut,
            base_len: (cut - first) as f64,
            now_len: (last + 1 - cut) as f64,
        })
    }

    /// Where the window starts, as a title says it: `11:30` when the log is of one day,
    /// `12-02 11:30` when it spans days, `line 2,000` without times (lines counted from 1;
    /// block k holds lines 100k to 100k + 99, the first block from line 1).
    pub(crate) fn since_words(&self) -> String {
        if !self.timed {
            return format!(
                "line {}",
                thousands((self.cut.max(0) as u64 * LINES_PER_STEP).max(1))
            );
        }
        let full = self.since();
        let same_day = self.first.div_euclid(1440) == self.last.div_euclid(1440);
        let from = if same_day { 11 } else { 5 };
        full.get(from..16).unwrap_or(&full).replace('T', " ")
    }

    pub(crate) fn since(&self) -> String {
        if self.timed {
            super::timeline::time_of_minute(self.cut)
        } else {
            format!("line {}", (self.cut.max(0) as u64 * LINES_PER_STEP).max(1))
        }
    }
}

/// What detection is told about templates and handlers.
pub(crate) struct Describe<'a> {
    /// A template's text and level mix.
    pub(crate) template: &'a dyn Fn(TemplateId) -> Option<(String, LevelMix)>,
}

/// A handler named in its lines: `handler=payment.charge`, `endpoint: /api/items`.
static HANDLER_NAME: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)\b(?:handler|endpoint|route|operation|op|action|task|job|query)\s*[=:]\s*(?P<name>[\w./:-]{2,80})",
    )
    .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

impl Describe<'_> {
    pub(crate) fn handler(&self, h: &Handler) -> Option<String> {
        match h {
            Handler::Template(id) => (self.template)(*id).map(|(t, _)| {
                // The name it gives itself, when the template keeps it (not a wildcard).
                HANDLER_NAME
                    .captures(&t)
                    .and_then(|c| c.name("name"))
                    .map(|n| n.as_str().to_string())
                    .filter(|n| !n.contains('#') && !n.contains("<*>"))
                    .unwrap_or(t)
            }),
            // Read from the raw lines (templates are redacted already): redacted here.
            Handler::Named(name) => Some(crate::redact::redact(name).text),
            Handler::Sequence(name) => {
                Some(format!("sequence {}", crate::redact::redact(name).text))
            }
        }
    }
}

/// Finds the anomalies of a mined log.
pub(crate) fn detect(
    timeline: &Timeline,
    describe: &Describe<'_>,
    saved: Option<&Baseline>,
    opts: &AnomalyOptions,
) -> Vec<Anomaly> {
    let Some(w) = Window::of(timeline, saved) else {
        return Vec::new();
    };
    let mut out = super::anomaly_rates::rates(timeline, describe, saved, &w);
    out.extend(slow_handlers(timeline, describe, saved, &w, opts));
    out.extend(open_sequences(timeline, &w, opts));
    if w.timed {
        for a in &mut out {
            a.last_seen = a
                .series
                .last()
                .map(|(s, _)| super::timeline::time_of_minute(*s));
        }
    }
    out.sort_by(|a, b| a.severity.cmp(&b.severity).then(b.count.cmp(&a.count)));
    out
}

impl Anomaly {
    /// One of `kind` about `subject` in window `w`, its numbers still to be set.
    pub(crate) fn about(kind: AnomalyKind, subject: String, w: &Window) -> Anomaly {
        Anomaly {
            kind,
            template_id: None,
            subject,
            title: String::new(),
            explanation: String::new(),
            severity: Severity::Medium,
            since: w.since(),
            baseline: 0.0,
            now: 0.0,
            count: 0,
            ids: Vec::new(),
            series: Vec::new(),
            cut: w.cut,
            source: String::new(),
            line: 0,
            example: String::new(),
            last_seen: None,
            at: None,
        }
    }
}

fn slow_handlers(
    timeline: &Timeline,
    describe: &Describe<'_>,
    saved: Option<&Baseline>,
    w: &Window,
    opts: &AnomalyOptions,
) -> Vec<Anomaly> {
    let mut out = Vec::new();
    for (handler, samples) in &timeline.durations {
        let Some(name) = describe.handler(handler) else {
            continue;
        };
        let Some(mut a) = slow_handler(&name, samples, saved, w, opts) else {
            continue;
        };
        a.series = samples.p95_series(w.timed);
        let template = match handler {
            Handler::Template(id) => Some(*id),
            Handler::Named(name) => timeline.named_templates.get(name).copied(),
            Handler::Sequence(_) => None,
        };
        if let Some(id) = template {
            a.template_id = Some(id);
            let from = if saved.is_some() { i64::MIN } else { w.cut };
            a.at = timeline
                .templates
                .get(&id)
                .and_then(|s| s.first_from(w.timed, from));
        }
        out.push(a);
    }
    out
}

/// Whether one handler is slow: against its baseline, or over the configured limit.
fn slow_handler(
    name: &str,
    samples: &Durations,
    saved: Option<&Baseline>,
    w: &Window,
    opts: &AnomalyOptions,
) -> Option<Anomaly> {
    let (calls, now_q) = if saved.is_some() {
        samples.all()
    } else {
        samples.quantiles(w.timed, w.cut..)
    };
    let (base_calls, base_p95) = match saved {
        Some(b) => b
            .handlers
            .get(name)
            .map_or((0, 0.0), |h| (h.calls, h.p95_ms)),
        None => {
            let (n, q) = samples.quantiles(w.timed, ..w.cut);
            (n, q.p95)
        }
    };
    let (total, overall) = samples.all();
    let a = Anomaly::about(AnomalyKind::SlowHandler, name.to_string(), w);
    if base_calls >= 20
        && calls >= 20
        && now_q.p95 >= 100.0
        && now_q.p95 >= opts.slow_factor * base_p95.max(1.0)
    {
        let factor = now_q.p95 / base_p95.max(1.0);
        let before = saved.map_or("before".to_string(), |b| {
            format!("in the baseline \"{}\"", b.name)
        });
        // Under a millisecond (nginx's `rt=0.000`) the ratio is against 1 ms: a lower bound.
        let (base_words, times) = if base_p95 < 1.0 {
            ("under 1 ms".to_string(), format!("≥ {factor:.0}×"))
        } else {
            (format_ms(base_p95), format!("{factor:.1}×"))
        };
        return Some(Anomaly {
            title: format!(
                "`{name}` p95 {} — baseline {base_words} ({times}) over {} calls",
                format_ms(now_q.p95),
                thousands(calls)
            ),
            explanation: format!(
                "Since {}, 95 % of its {} calls took up to {} (median {}, slowest {}); {before}, \
                 95 % of {} calls took up to {}.",
                w.since_words(),
                thousands(calls),
                format_ms(now_q.p95),
                format_ms(now_q.p50),
                format_ms(now_q.max),
                thousands(base_calls),
                format_ms(base_p95)
            ),
            severity: if factor >= 10.0 {
                Severity::High
            } else {
                Severity::Medium
            },
            baseline: base_p95,
            now: now_q.p95,
            count: calls,
            ..a
        });
    }
    let limit = opts.slow_ms?;
    (total >= 5 && overall.p95 > limit).then(|| Anomaly {
        title: format!(
            "`{name}` p95 {} — over the {} limit across {} calls",
            format_ms(overall.p95),
            format_ms(limit),
            thousands(total)
        ),
        explanation: format!(
            "95 % of its {} calls took up to {} (median {}, slowest {}); the configured limit \
             is {}.",
            thousands(total),
            format_ms(overall.p95),
            format_ms(overall.p50),
            format_ms(overall.max),
            format_ms(limit)
        ),
        severity: Severity::High,
        baseline: limit,
        now: overall.p95,
        count: total,
        ..a
    })
}

fn open_sequences(timeline: &Timeline, w: &Window, opts: &AnomalyOptions) -> Vec<Anomaly> {
    let timeout_ms = (opts.sequence_timeout_s * 1000.0) as i64;
    let mut by_name: BTreeMap<&str, Vec<&super::timeline::Open>> = BTreeMap::new();
    for open in timeline.open.values() {
        let overdue = match (open.at_ms, timeline.last_ms) {
            (Some(at), Some(last)) => last - at >= timeout_ms,
            _ => timeline.lines - open.line >= 1000,
        };
        if overdue {
            by_name.entry(open.name.as_str()).or_default().push(open);
        }
    }
    let mut out = Vec::new();
    for (name, mut opens) in by_name {
        let closed = timeline.closed.get(name).copied().unwrap_or(0);
        if closed == 0 && opens.len() < 3 {
            continue;
        }
        opens.sort_by_key(|o| o.line);
        // Names and ids come from raw lines (a session id can be a credential): redacted.
        let ids: Vec<String> = opens
            .iter()
            .take(20)
            .map(|o| crate::redact::redact(&o.id).text)
            .collect();
        let name = crate::redact::redact(name).text;
        let name = name.as_str();
        let n = opens.len() as u64;
        let within = if timeline.last_ms.is_some() {
            format!("within {}", format_ms(opts.sequence_timeout_s * 1000.0))
        } else {
            "within 1,000 lines".to_string()
        };
        out.push(Anomaly {
            title: format!(
                "`{name}` began {}× without ending {within}: {}{}",
                thousands(n),
                ids.join(", "),
                if opens.len() > ids.len() { ", …" } else { "" }
            ),
            explanation: format!(
                "{} began and did not end {within} (the first at line {}); {} of its kind \
                 ended in this log.",
                if n == 1 {
                    "One".to_string()
                } else {
                    thousands(n)
                },
                opens[0].at.1,
                thousands(closed)
            ),
            severity: if n >= 10 {
                Severity::High
            } else {
                Severity::Medium
            },
            now: n as f64,
            count: n,
            ids,
            at: Some(opens[0].at),
            ..Anomaly::about(AnomalyKind::OpenSequence, name.to_string(), w)
        });
    }
    out
}

pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

pub(crate) const SPIKE_LN_P: f64 = LN_ONE_IN_A_MILLION;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_poisson_bound_and_numbers_in_words() {
        assert!(ln_tail(2.0, 40.0) < LN_ONE_IN_A_MILLION);
        assert!(ln_tail(20.0, 30.0) > LN_ONE_IN_A_MILLION);
        assert_eq!(thousands(18_204), "18,204");
        assert_eq!(format_ms(2300.0), "2.3 s");
    }
}

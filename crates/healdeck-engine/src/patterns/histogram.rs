//! The timeline histogram of a log — error, warning and all lines per bin over its whole span,
//! in round bins (1, 2, 5, 10, 15, 30 minutes, hours, days; or blocks of lines) so there are at
//! most [`MAX_BINS`] — and each template's sparkline over the same span.

use super::timeline::{LINES_PER_STEP, Steps, Timeline};
use serde::Serialize;
use std::collections::BTreeMap;

/// Bins of the histogram, at most.
pub(crate) const MAX_BINS: usize = 120;
/// Bins of a template's sparkline, at most.
pub(crate) const SPARK_BINS: usize = 32;

/// One bar of the histogram.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HistogramBin {
    /// Where it starts: an engine time, or `line N`.
    pub start: String,
    /// Where the next one starts.
    pub end: String,
    /// Its first step (minute since the epoch, or block of 100 lines).
    pub step: i64,
    pub lines: u64,
    pub errors: u64,
    pub warnings: u64,
}

/// Lines over a log's span.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct Histogram {
    /// Steps are minutes (else blocks of 100 lines).
    pub timed: bool,
    /// Steps per bin.
    pub bin_steps: i64,
    pub bins: Vec<HistogramBin>,
}

fn bin_width(span: i64, timed: bool) -> i64 {
    let needed = (span + MAX_BINS as i64 - 1) / MAX_BINS as i64;
    if !timed {
        return needed.max(1);
    }
    const ROUND: [i64; 12] = [1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440];
    ROUND
        .iter()
        .copied()
        .find(|&w| w >= needed)
        .unwrap_or_else(|| (needed + 1439) / 1440 * 1440)
}

fn label(step: i64, timed: bool) -> String {
    if timed {
        super::timeline::time_of_minute(step)
    } else {
        format!("line {}", step.max(0) as u64 * LINES_PER_STEP)
    }
}

impl Histogram {
    pub(crate) fn of(timeline: &Timeline) -> Histogram {
        let timed = timeline.is_timed();
        let all = timeline.all.series(timed);
        let (Some(&first), Some(&last)) = (all.keys().next(), all.keys().next_back()) else {
            return Histogram::default();
        };
        let width = bin_width(last - first + 1, timed);
        // Bins start on round times (a 15-minute bin at :00, :15, …).
        let origin = first.div_euclid(width) * width;
        let n = usize::try_from((last - origin) / width + 1).unwrap_or(1);
        let mut bins: Vec<HistogramBin> = (0..n)
            .map(|i| {
                let step = origin + i as i64 * width;
                HistogramBin {
                    start: label(step, timed),
                    end: label(step + width, timed),
                    step,
                    lines: 0,
                    errors: 0,
                    warnings: 0,
                }
            })
            .collect();
        let mut add = |series: &BTreeMap<i64, u32>, pick: fn(&mut HistogramBin) -> &mut u64| {
            for (&step, &count) in series {
                let i = usize::try_from((step - origin) / width).unwrap_or(0);
                if let Some(bin) = bins.get_mut(i) {
                    *pick(bin) += u64::from(count);
                }
            }
        };
        add(all, |b| &mut b.lines);
        add(timeline.errors.series(timed), |b| &mut b.errors);
        add(timeline.warnings.series(timed), |b| &mut b.warnings);
        Histogram {
            timed,
            bin_steps: width,
            bins,
        }
    }

    /// The steps it covers: first, and one past the last.
    pub fn span(&self) -> Option<(i64, i64)> {
        let first = self.bins.first()?.step;
        let last = self.bins.last()?.step + self.bin_steps;
        Some((first, last))
    }
}

/// A template's lines over the histogram's span in at most [`SPARK_BINS`] bins.
pub(crate) fn sparkline(h: &Histogram, steps: Option<&Steps>) -> Vec<u32> {
    let (Some((first, end)), Some(steps)) = (h.span(), steps) else {
        return Vec::new();
    };
    let span = (end - first).max(1);
    let n = SPARK_BINS.min(usize::try_from(span).unwrap_or(1)).max(1);
    let mut out = vec![0u32; n];
    for (&step, &count) in steps.series(h.timed) {
        let i = usize::try_from((step - first) * n as i64 / span).unwrap_or(0);
        if let Some(slot) = out.get_mut(i.min(n - 1)) {
            *slot = slot.saturating_add(count);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins_are_round_and_few() {
        assert_eq!(bin_width(60, true), 1);
        assert_eq!(bin_width(600, true), 5);
        assert_eq!(bin_width(3 * 1440, true), 60);
        assert_eq!(bin_width(400 * 1440, true), 4 * 1440);
        assert_eq!(bin_width(1000, false), 9);
        let mut t = Timeline::default();
        for m in 0..300 {
            let time = format!("2026-12-02T{:02}:{:02}:00", 10 + m / 60, m % 60);
            let level = (m % 10 == 0).then_some(crate::level::Level::Error);
            t.note((0, m + 1), 1, Some(&time), level, "tick");
        }
        let h = Histogram::of(&t);
        assert!(h.timed && h.bin_steps == 5, "{h:?}");
        assert_eq!(h.bins.len(), 60);
        assert_eq!(h.bins[0].start, "2026-12-02T10:00:00");
        assert_eq!(h.bins.iter().map(|b| b.lines).sum::<u64>(), 300);
        assert_eq!(h.bins.iter().map(|b| b.errors).sum::<u64>(), 30);
        let spark = sparkline(&h, t.templates.get(&1));
        assert_eq!(spark.len(), SPARK_BINS);
        assert_eq!(spark.iter().sum::<u32>(), 300);
    }
}

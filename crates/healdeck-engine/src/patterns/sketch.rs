//! Durations kept in bounded memory and still split by time: per step (minute, or block of
//! 100 lines) a log-bucketed histogram — buckets 4 % apart from 1 µs, so a quantile read from
//! it is within 2 % of the true value — with the exact count and maximum. Quantiles of any range
//! of steps merge the buckets; nothing is sampled away, so the last quarter of a long log is
//! measured as well as its start.

use super::anomaly::Quantiles;
use std::collections::BTreeMap;
use std::ops::RangeBounds;

/// The ratio between neighbouring buckets.
const RATIO: f64 = 1.04;
/// The smallest duration told apart (1 µs).
const FLOOR_MS: f64 = 0.001;

fn bucket(ms: f64) -> u16 {
    if ms <= FLOOR_MS {
        return 0;
    }
    ((ms / FLOOR_MS).ln() / RATIO.ln()).min(f64::from(u16::MAX)) as u16
}

fn value(bucket: u16) -> f64 {
    FLOOR_MS * RATIO.powf(f64::from(bucket) + 0.5)
}

/// One step's durations.
#[derive(Debug, Clone, Default)]
pub(crate) struct Sketch {
    /// (bucket, count), by bucket.
    buckets: Vec<(u16, u32)>,
    count: u64,
    max: f64,
}

impl Sketch {
    fn add(&mut self, ms: f64) {
        let b = bucket(ms);
        match self.buckets.binary_search_by_key(&b, |&(k, _)| k) {
            Ok(i) => self.buckets[i].1 = self.buckets[i].1.saturating_add(1),
            Err(i) => self.buckets.insert(i, (b, 1)),
        }
        self.count += 1;
        self.max = self.max.max(ms);
    }
}

/// A handler's durations per step, in both clocks.
#[derive(Debug, Clone, Default)]
pub(crate) struct Durations {
    by_minute: BTreeMap<i64, Sketch>,
    by_block: BTreeMap<i64, Sketch>,
}

impl Durations {
    pub(crate) fn add(&mut self, minute: Option<i64>, block: i64, ms: f64) {
        if let Some(m) = minute {
            self.by_minute.entry(m).or_default().add(ms);
        }
        self.by_block.entry(block).or_default().add(ms);
    }

    fn steps(&self, timed: bool) -> &BTreeMap<i64, Sketch> {
        if timed {
            &self.by_minute
        } else {
            &self.by_block
        }
    }

    /// Calls and quantiles over a range of steps.
    pub(crate) fn quantiles(&self, timed: bool, range: impl RangeBounds<i64>) -> (u64, Quantiles) {
        merged(self.steps(timed).range(range).map(|(_, s)| s))
    }

    /// Calls and quantiles over everything (every duration has a block).
    pub(crate) fn all(&self) -> (u64, Quantiles) {
        merged(self.by_block.values())
    }

    /// Per step, the p95.
    pub(crate) fn p95_series(&self, timed: bool) -> Vec<(i64, f64)> {
        self.steps(timed)
            .iter()
            .map(|(&t, s)| (t, merged(std::iter::once(s)).1.p95))
            .collect()
    }
}

fn merged<'a>(sketches: impl Iterator<Item = &'a Sketch>) -> (u64, Quantiles) {
    let mut counts: BTreeMap<u16, u64> = BTreeMap::new();
    let (mut n, mut max) = (0u64, 0.0f64);
    for s in sketches {
        for &(b, c) in &s.buckets {
            *counts.entry(b).or_default() += u64::from(c);
        }
        n += s.count;
        max = max.max(s.max);
    }
    if n == 0 {
        return (0, Quantiles::default());
    }
    let at = |q: f64| {
        let rank = ((n as f64 * q).ceil() as u64).clamp(1, n);
        let mut seen = 0;
        for (&b, &c) in &counts {
            seen += c;
            if seen >= rank {
                return value(b).min(max);
            }
        }
        max
    };
    (
        n,
        Quantiles {
            p50: at(0.5),
            p95: at(0.95),
            max,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantiles_are_within_two_percent_and_split_by_step() {
        let mut d = Durations::default();
        let (mut early, mut late) = (Vec::new(), Vec::new());
        for i in 1..=1000u32 {
            // The first 900 calls fast, the last 100 slow, in a later minute.
            let (minute, ms) = if i <= 900 {
                (i64::from(i / 100), f64::from(i % 100 + 1))
            } else {
                (20, 2000.0 + f64::from(i))
            };
            if minute < 20 {
                early.push(ms)
            } else {
                late.push(ms)
            }
            d.add(Some(minute), i64::from(i / 100), ms);
        }
        let truth = |v: &mut Vec<f64>, q: f64| {
            v.sort_by(f64::total_cmp);
            v[((v.len() as f64 * q).ceil() as usize).clamp(1, v.len()) - 1]
        };
        let close = |a: f64, b: f64| (a - b).abs() / b < 0.025;
        let mut all: Vec<f64> = early.iter().chain(&late).copied().collect();
        let (n, q) = d.all();
        assert_eq!(n, 1000);
        assert!(close(q.p50, truth(&mut all, 0.5)), "{q:?}");
        assert!(close(q.p95, truth(&mut all, 0.95)), "{q:?}");
        assert_eq!(q.max, 3000.0);
        let (n, lq) = d.quantiles(true, 20..);
        assert_eq!(n, 100);
        assert!(close(lq.p95, truth(&mut late, 0.95)), "{lq:?}");
        let (n, eq) = d.quantiles(true, ..20);
        assert_eq!(n, 900);
        assert!(close(eq.p95, truth(&mut early, 0.95)), "{eq:?}");
        assert_eq!(d.p95_series(true).len(), 11);
    }
}

//! Auto-fallback with hysteresis, as dynamic-resolution systems in game engines do: smooth the
//! utilization (moving average), fall back to Fast Preview at ≥ 85% for 2 consecutive samples,
//! return at ≤ 70% for 5, hold any switch at least 10 s, and with no data keep the current mode.
//! It is fed *others'* load (our own render is subtracted where known) and consulted when a
//! job starts, never mid-job. Pure and clock-injected, so tests drive it sample by sample.

use super::config::RenderConfig;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Switch {
    pub to_fallback: bool,
    pub percent: f32,
    pub reason: String,
}

#[derive(Debug, Clone)]
pub(crate) struct FallbackPolicy {
    cfg: RenderConfig,
    smoothed: Option<f32>,
    high: u32,
    low: u32,
    active: bool,
    last_switch: Option<f64>,
}

impl FallbackPolicy {
    pub(crate) fn new(cfg: &RenderConfig) -> Self {
        FallbackPolicy {
            cfg: cfg.clone(),
            smoothed: None,
            high: 0,
            low: 0,
            active: false,
            last_switch: None,
        }
    }

    /// In fallback (Realistic requests are served as Fast Preview).
    pub(crate) fn active(&self) -> bool {
        self.active
    }

    /// Why Realistic is not being rendered, for the UI.
    pub(crate) fn reason(&self) -> Option<String> {
        self.active.then(|| {
            format!(
                "GPU at {:.0}% — showing Fast Preview",
                self.smoothed.unwrap_or(0.0)
            )
        })
    }

    /// Feeds one sample (`None`: no data) at time `now` (seconds); returns a switch if one happens.
    pub(crate) fn observe(&mut self, percent: Option<f32>, now: f64) -> Option<Switch> {
        let p = percent?;
        let a = self.cfg.smoothing;
        let s = match self.smoothed {
            Some(prev) => prev + a * (p - prev),
            None => p,
        };
        self.smoothed = Some(s);
        if s >= self.cfg.fallback_percent {
            self.high += 1;
            self.low = 0;
        } else if s <= self.cfg.resume_percent {
            self.low += 1;
            self.high = 0;
        } else {
            self.high = 0;
            self.low = 0;
        }
        let held = self
            .last_switch
            .is_none_or(|t| now - t >= self.cfg.hold_secs);
        if !self.active && self.high >= self.cfg.fallback_samples && held {
            self.active = true;
            self.last_switch = Some(now);
            return Some(Switch {
                to_fallback: true,
                percent: s,
                reason: format!("GPU at {s:.0}% — showing Fast Preview"),
            });
        }
        if self.active && self.low >= self.cfg.resume_samples && held {
            self.active = false;
            self.last_switch = Some(now);
            return Some(Switch {
                to_fallback: false,
                percent: s,
                reason: format!("GPU at {s:.0}% — Realistic Render resumes"),
            });
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> FallbackPolicy {
        FallbackPolicy::new(&RenderConfig {
            smoothing: 1.0,
            ..RenderConfig::default()
        })
    }

    #[test]
    fn falls_back_after_two_high_samples_and_not_on_one_spike() {
        let mut p = policy();
        assert_eq!(p.observe(Some(95.0), 0.0), None);
        assert_eq!(
            p.observe(Some(40.0), 1.0),
            None,
            "a single spike does not switch"
        );
        assert_eq!(p.observe(Some(95.0), 2.0), None);
        let s = p
            .observe(Some(93.0), 3.0)
            .expect("second consecutive high sample");
        assert!(s.to_fallback && s.reason == "GPU at 93% — showing Fast Preview");
        assert!(p.active());
    }

    #[test]
    fn hysteresis_and_hold_prevent_flapping() {
        let mut p = policy();
        p.observe(Some(90.0), 0.0);
        assert!(p.observe(Some(90.0), 1.0).is_some());
        // 80% is between the thresholds: stays in fallback however long it lasts.
        for t in 2..30 {
            assert_eq!(p.observe(Some(80.0), t as f64), None);
        }
        // Five low samples resume, but only once the 10 s hold has passed since the switch.
        let mut p = policy();
        p.observe(Some(90.0), 0.0);
        p.observe(Some(90.0), 1.0);
        for t in 2..7 {
            assert_eq!(p.observe(Some(10.0), t as f64), None, "held at t={t}");
        }
        assert!(p.observe(Some(10.0), 11.0).is_some_and(|s| !s.to_fallback));
    }

    #[test]
    fn no_data_keeps_the_mode_and_smoothing_damps_noise() {
        let mut p = policy();
        p.observe(Some(90.0), 0.0);
        p.observe(Some(90.0), 1.0);
        for t in 2..20 {
            assert_eq!(p.observe(None, t as f64), None);
        }
        assert!(p.active());
        let mut s = FallbackPolicy::new(&RenderConfig::default());
        for (t, v) in [20.0, 95.0, 95.0, 20.0].into_iter().enumerate() {
            s.observe(Some(v), t as f64);
        }
        assert!(
            !s.active(),
            "smoothed, two 95% samples after 20% stay below 85%"
        );
    }
}

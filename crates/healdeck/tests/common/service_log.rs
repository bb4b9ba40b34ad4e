//! A generated two-hour service log for the anomaly tests: payments, item requests, cache
//! misses, heartbeats with ids; with `incident`, its last 30 minutes go wrong.

/// A small deterministic generator (the log must be the same on every run).
struct Lcg(u64);

impl Lcg {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

/// Two hours of a service, one line group every 5 s; `incident` spoils the last 30 minutes.
pub(crate) fn service(incident: bool, seed: u64) -> String {
    let mut r = Lcg(seed);
    let mut out = String::new();
    for sec in (0..120 * 60).step_by(5) {
        let t = 10 * 3600 + sec;
        let ts = format!(
            "2026-12-02 {:02}:{:02}:{:02}",
            t / 3600,
            (t / 60) % 60,
            t % 60
        );
        let late = incident && sec >= 90 * 60;
        let ms = if late {
            600 + r.below(1800)
        } else {
            30 + r.below(60)
        };
        out.push_str(&format!(
            "{ts} INFO handler=payment.charge took {ms}ms status=200\n"
        ));
        out.push_str(&format!(
            "{ts} INFO GET /api/items/{} served in {}ms\n",
            r.below(999),
            5 + r.below(15)
        ));
        let misses = if late { 4 } else { u64::from(sec % 60 == 0) };
        for _ in 0..misses {
            out.push_str(&format!(
                "{ts} WARN cache miss for key user:{}\n",
                r.below(99_999)
            ));
        }
        if late && sec % 15 == 0 {
            out.push_str(&format!(
                "{ts} ERROR Lock wait timeout exceeded on table orders_{}\n",
                r.below(9)
            ));
        }
        if sec % 300 == 0 {
            out.push_str(&format!(
                "{ts} ERROR upstream reset by peer 10.0.0.{}\n",
                r.below(9)
            ));
        }
        if sec % 30 == 0 {
            let id = sec / 5;
            out.push_str(&format!("{ts} INFO beat-started id={id}\n"));
            if !(incident && [1200, 1236, 1260].contains(&id)) {
                out.push_str(&format!("{ts} INFO beat-completed id={id}\n"));
            }
        }
    }
    out
}

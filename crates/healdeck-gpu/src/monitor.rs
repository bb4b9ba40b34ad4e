//! The sampling thread: every period (default 1 s) it polls the sources and sends a
//! `GpuSample` to each subscriber, keeping a rolling history of at least 10 minutes. Nothing
//! here runs on a UI thread; the UI receives samples on a channel and repaints.

use super::reading::GpuSample;
use super::sources::GpuSource;
use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Samples kept in the history: 10 minutes at the default 1 s period.
pub(crate) const HISTORY_SAMPLES: usize = 600;

pub struct GpuMonitor {
    stop: Arc<AtomicBool>,
    subscribers: Arc<Mutex<Vec<Sender<GpuSample>>>>,
    history: Arc<Mutex<VecDeque<GpuSample>>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl GpuMonitor {
    /// Starts sampling `sources` every `period` on a named background thread.
    pub fn start(mut sources: Vec<Box<dyn GpuSource>>, period: Duration) -> GpuMonitor {
        let stop = Arc::new(AtomicBool::new(false));
        let subscribers: Arc<Mutex<Vec<Sender<GpuSample>>>> = Arc::default();
        let history: Arc<Mutex<VecDeque<GpuSample>>> = Arc::default();
        let (s, subs, hist) = (stop.clone(), subscribers.clone(), history.clone());
        let thread = std::thread::Builder::new()
            .name("healdeck-gpu-monitor".into())
            .spawn(move || {
                while !s.load(Ordering::Relaxed) {
                    let started = std::time::Instant::now();
                    let mut kind = None;
                    let mut gpus = Vec::new();
                    for src in &mut sources {
                        let readings = src.sample();
                        if !readings.is_empty() && kind.is_none() {
                            kind = Some(src.kind());
                            gpus = readings;
                        }
                    }
                    let sample = GpuSample {
                        time: std::time::SystemTime::now()
                            .duration_since(std::time::UNIX_EPOCH)
                            .map_or(0.0, |d| d.as_secs_f64()),
                        kind,
                        gpus,
                    };
                    // The subscriber list is held while the sample enters the history and is
                    // sent, so a new subscriber gets it exactly once: from the history or sent.
                    if let Ok(mut list) = subs.lock() {
                        if let Ok(mut h) = hist.lock() {
                            if h.len() == HISTORY_SAMPLES {
                                h.pop_front();
                            }
                            h.push_back(sample.clone());
                        }
                        list.retain(|tx| {
                            !matches!(
                                tx.try_send(sample.clone()),
                                Err(TrySendError::Disconnected(_))
                            )
                        });
                    }
                    // Sleep in short steps so stopping is prompt.
                    while started.elapsed() < period && !s.load(Ordering::Relaxed) {
                        std::thread::sleep(period.min(Duration::from_millis(20)));
                    }
                }
            })
            .map_err(|e| tracing::error!("cannot start the GPU monitor thread: {e}"))
            .ok();
        GpuMonitor {
            stop,
            subscribers,
            history,
            thread,
        }
    }

    /// A channel of samples: the latest one at once (a meter opened late shows a reading
    /// without waiting a period), then each new one. A slow reader misses samples; it never
    /// blocks the sampler.
    pub fn subscribe(&self) -> Receiver<GpuSample> {
        let (tx, rx) = bounded(64);
        if let Ok(mut s) = self.subscribers.lock() {
            let latest = self.history.lock().ok().and_then(|h| h.back().cloned());
            if let Some(sample) = latest {
                // The channel is new and empty: this send cannot fail.
                let _ = tx.try_send(sample);
            }
            s.push(tx);
        }
        rx
    }

    /// A copy of the history, oldest first (for a graph opened later).
    pub fn history(&self) -> Vec<GpuSample> {
        self.history
            .lock()
            .map(|h| h.iter().cloned().collect())
            .unwrap_or_default()
    }
}

impl Drop for GpuMonitor {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        // A sampler that panicked has nothing left to clean up; stopping goes on.
        if let Some(t) = self.thread.take()
            && t.join().is_err()
        {
            tracing::error!("the GPU monitor thread had panicked");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reading::{GpuReading, SourceKind};

    /// Counts its samples: reading n says n percent.
    struct Counter(u32);

    impl GpuSource for Counter {
        fn kind(&self) -> SourceKind {
            SourceKind::Scripted
        }
        fn sample(&mut self) -> Vec<GpuReading> {
            self.0 += 1;
            vec![GpuReading {
                name: "counter".into(),
                util_percent: Some(self.0 as f32),
                ..GpuReading::default()
            }]
        }
    }

    #[test]
    fn a_late_subscriber_gets_the_latest_sample_at_once_and_then_each_new_one_once() {
        let m = GpuMonitor::start(vec![Box::new(Counter(0))], Duration::from_secs(3600));
        let t0 = std::time::Instant::now();
        while m.history().is_empty() {
            assert!(t0.elapsed() < Duration::from_secs(10), "no first sample");
            std::thread::sleep(Duration::from_millis(5));
        }
        // The next sample is an hour away: the first one must come from the history.
        let rx = m.subscribe();
        let first = rx
            .recv_timeout(Duration::from_secs(1))
            .expect("the latest sample, at once");
        assert_eq!(first.gpus[0].util_percent, Some(1.0));
        assert!(rx.try_recv().is_err(), "sent once, not twice");
    }
}

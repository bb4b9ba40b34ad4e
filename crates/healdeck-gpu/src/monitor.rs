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
pub const HISTORY_SAMPLES: usize = 600;

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
                    if let Ok(mut h) = hist.lock() {
                        if h.len() == HISTORY_SAMPLES {
                            h.pop_front();
                        }
                        h.push_back(sample.clone());
                    }
                    if let Ok(mut list) = subs.lock() {
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
            .ok();
        GpuMonitor {
            stop,
            subscribers,
            history,
            thread,
        }
    }

    /// A channel of new samples (a slow reader misses samples, never blocks the sampler).
    pub fn subscribe(&self) -> Receiver<GpuSample> {
        let (tx, rx) = bounded(64);
        if let Ok(mut s) = self.subscribers.lock() {
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
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

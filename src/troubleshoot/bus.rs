//! The in-process event bus: the engine publishes a `TroubleAlert` whenever an issue appears or
//! changes; the GUI (and the CLI's JSON-lines sink) subscribe. Each subscriber has its own
//! bounded channel; a subscriber that stops reading misses alerts (counted) instead of
//! stalling the watcher — every alert carries the whole issue, so the next one catches it up.

use super::group::Issue;
use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use serde::Serialize;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Whether an alert brings a new issue or a change (count, last seen) to a known one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AlertKind {
    New,
    Updated,
}

/// One message on the bus.
#[derive(Debug, Clone, Serialize)]
pub struct TroubleAlert {
    pub kind: AlertKind,
    pub issue: Issue,
}

/// Capacity of each subscriber's queue.
pub const SUBSCRIBER_CAPACITY: usize = 4096;

/// Fan-out of alerts to subscribers.
#[derive(Debug, Default)]
pub struct AlertBus {
    subscribers: Mutex<Vec<Sender<TroubleAlert>>>,
    dropped: AtomicU64,
}

impl AlertBus {
    pub fn new() -> Self {
        Self::default()
    }

    /// A new subscriber's receiving end.
    pub fn subscribe(&self) -> Receiver<TroubleAlert> {
        let (tx, rx) = bounded(SUBSCRIBER_CAPACITY);
        if let Ok(mut subs) = self.subscribers.lock() {
            subs.push(tx);
        }
        rx
    }

    /// Sends an alert to every live subscriber; forgets subscribers that hung up.
    pub fn publish(&self, alert: TroubleAlert) {
        let Ok(mut subs) = self.subscribers.lock() else {
            return;
        };
        subs.retain(|tx| match tx.try_send(alert.clone()) {
            Ok(()) => true,
            Err(TrySendError::Full(_)) => {
                self.dropped.fetch_add(1, Ordering::Relaxed);
                true
            }
            Err(TrySendError::Disconnected(_)) => false,
        });
    }

    /// Alerts that subscribers were too slow to take.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }
}

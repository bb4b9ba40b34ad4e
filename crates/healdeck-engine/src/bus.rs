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
    /// The issue as it is now, shared with the engine's store.
    pub issue: std::sync::Arc<Issue>,
    /// Written to a log after following began (not found in what the logs already held, nor
    /// reported by an earlier run that saved its stream positions).
    pub live: bool,
}

/// Capacity of each subscriber's queue.
pub(crate) const SUBSCRIBER_CAPACITY: usize = 4096;

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

    /// A subscriber that never misses an alert (unbounded queue), for a consumer that drains
    /// it at once — the GUI's forwarder, which must not lose a new issue.
    pub fn subscribe_lossless(&self) -> Receiver<TroubleAlert> {
        let (tx, rx) = crossbeam_channel::unbounded();
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::group::Issue;

    fn alert(n: u64) -> TroubleAlert {
        TroubleAlert {
            kind: AlertKind::New,
            issue: std::sync::Arc::new(Issue::example(&format!("{n:016x}"), "a.log", n)),
            live: true,
        }
    }

    #[test]
    fn a_lossless_subscriber_gets_every_alert_even_unread() {
        let bus = AlertBus::new();
        let all = bus.subscribe_lossless();
        let some = bus.subscribe();
        let n = SUBSCRIBER_CAPACITY as u64 + 500;
        for i in 0..n {
            bus.publish(alert(i));
        }
        assert_eq!(all.try_iter().count() as u64, n);
        assert_eq!(some.try_iter().count(), SUBSCRIBER_CAPACITY);
        assert_eq!(bus.dropped(), 500);
    }

    #[test]
    fn fans_out_counts_slow_subscribers_and_forgets_gone_ones() {
        let bus = AlertBus::new();
        let a = bus.subscribe();
        let b = bus.subscribe();
        bus.publish(alert(1));
        assert_eq!(
            a.try_recv().map(|x| x.issue.occurrences[0].line).ok(),
            Some(1)
        );
        assert_eq!(
            b.try_recv().map(|x| x.issue.occurrences[0].line).ok(),
            Some(1)
        );
        drop(b);
        for n in 0..SUBSCRIBER_CAPACITY as u64 + 5 {
            bus.publish(alert(n));
        }
        assert_eq!(
            bus.dropped(),
            5,
            "a full queue drops, never blocks the watcher"
        );
        assert_eq!(a.len(), SUBSCRIBER_CAPACITY);
        assert_eq!(bus.subscribers.lock().map(|s| s.len()).unwrap_or(0), 1);
    }
}

//! The in-process event bus: the engine publishes a `TroubleAlert` whenever an issue appears or
//! changes; the GUI (and the CLI's JSON-lines sink) subscribe. Each subscriber has its own
//! bounded channel; a subscriber that stops reading misses alerts (counted) instead of
//! stalling the watcher — every alert carries the whole issue, so the next one catches it up.
//! A [`Latest`] subscriber (the CLI's printer) keeps only each issue's newest alert while it
//! is behind: nothing is lost, and a burst of updates to one issue holds one snapshot, not
//! thousands (a reader stalled under a flood had held 4096 of them: 170 MB).

use super::group::Issue;
use crossbeam_channel::{Receiver, Sender, TrySendError, bounded};
use serde::Serialize;
use std::collections::{HashMap, VecDeque};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex};

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
    latest: Mutex<Vec<Arc<LatestQueue>>>,
    dropped: AtomicU64,
}

/// Alerts waiting for a [`Latest`] subscriber: the newest per issue (history and live
/// apart), in the order the issues first waited.
#[derive(Debug, Default)]
struct LatestQueue {
    state: Mutex<LatestState>,
    ready: Condvar,
}

#[derive(Debug, Default)]
struct LatestState {
    order: VecDeque<(String, bool)>,
    alerts: HashMap<(String, bool), TroubleAlert>,
    closed: bool,
}

impl LatestQueue {
    fn put(&self, alert: TroubleAlert) {
        let Ok(mut st) = self.state.lock() else {
            return;
        };
        // History and news stay apart: a reader learns which of an issue's counts were
        // already in the logs and which came while following.
        let key = (alert.issue.fingerprint.clone(), alert.live);
        match st.alerts.get_mut(&key) {
            Some(waiting) => {
                // Still unread: the reader hears the issue as it is now, and that it is new
                // if the first of these said so.
                let kind = if waiting.kind == AlertKind::New {
                    AlertKind::New
                } else {
                    alert.kind
                };
                *waiting = TroubleAlert { kind, ..alert };
            }
            None => {
                st.order.push_back(key.clone());
                st.alerts.insert(key, alert);
            }
        }
        self.ready.notify_one();
    }

    fn close(&self) {
        if let Ok(mut st) = self.state.lock() {
            st.closed = true;
        }
        self.ready.notify_all();
    }
}

/// A subscriber that gets every issue's newest state, never blocking the watcher and never
/// missing an issue: updates it has not read yet are merged into one (a history update and a
/// live one are not merged). Iterating blocks until
/// an alert comes, and ends when the bus is gone.
#[derive(Debug)]
pub struct Latest(Arc<LatestQueue>);

impl Latest {
    /// The next alert, waiting for one; `None` once the bus is gone and all are read.
    pub fn recv(&self) -> Option<TroubleAlert> {
        let mut st = self.0.state.lock().ok()?;
        loop {
            if let Some(key) = st.order.pop_front() {
                return st.alerts.remove(&key);
            }
            if st.closed {
                return None;
            }
            st = self.0.ready.wait(st).ok()?;
        }
    }

    /// Alerts waiting now (one per issue).
    pub fn len(&self) -> usize {
        self.0.state.lock().map(|s| s.order.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl Iterator for Latest {
    type Item = TroubleAlert;
    fn next(&mut self) -> Option<TroubleAlert> {
        self.recv()
    }
}

impl Drop for AlertBus {
    fn drop(&mut self) {
        if let Ok(latest) = self.latest.lock() {
            for q in latest.iter() {
                q.close();
            }
        }
    }
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

    /// A subscriber that keeps each issue's newest alert while it is behind (see [`Latest`]).
    pub fn subscribe_latest(&self) -> Latest {
        let queue = Arc::new(LatestQueue::default());
        if let Ok(mut latest) = self.latest.lock() {
            latest.push(queue.clone());
        }
        Latest(queue)
    }

    /// Sends an alert to every live subscriber; forgets subscribers that hung up.
    pub fn publish(&self, alert: TroubleAlert) {
        if let Ok(mut latest) = self.latest.lock() {
            // Held only here (count 1): its reader is gone.
            latest.retain(|q| Arc::strong_count(q) > 1);
            for q in latest.iter() {
                q.put(alert.clone());
            }
        }
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

    fn update(fingerprint: &str, count: u64, live: bool) -> TroubleAlert {
        let mut issue = Issue::example(fingerprint, "a.log", 1);
        issue.count = count;
        TroubleAlert {
            kind: if count == 1 {
                AlertKind::New
            } else {
                AlertKind::Updated
            },
            issue: std::sync::Arc::new(issue),
            live,
        }
    }

    #[test]
    fn a_latest_subscriber_behind_a_burst_holds_each_issue_once_as_it_is_now() {
        let bus = AlertBus::new();
        let latest = bus.subscribe_latest();
        for n in 1..=10_000 {
            bus.publish(update("aaaa", n, n > 5));
            if n == 3 {
                bus.publish(update("bbbb", 1, false));
            }
        }
        assert_eq!(
            latest.len(),
            3,
            "one waiting alert per issue, history and news apart"
        );
        let seen = |a: TroubleAlert| (a.issue.fingerprint.clone(), a.issue.count, a.kind, a.live);
        assert_eq!(
            latest.recv().map(seen),
            Some(("aaaa".into(), 5, AlertKind::New, false)),
            "its history as it ended, still new to this reader"
        );
        assert_eq!(latest.recv().map(|a| a.issue.count), Some(1));
        assert_eq!(
            latest.recv().map(seen),
            Some(("aaaa".into(), 10_000, AlertKind::Updated, true)),
            "the issue as it is now"
        );
        bus.publish(update("aaaa", 10_001, true));
        let next = latest.recv().expect("next");
        assert_eq!((next.issue.count, next.kind), (10_001, AlertKind::Updated));
        assert!(latest.is_empty());
    }

    #[test]
    fn a_latest_subscriber_ends_with_the_bus_and_is_forgotten_when_dropped() {
        let bus = AlertBus::new();
        let latest = bus.subscribe_latest();
        let reader = std::thread::spawn(move || latest.map(|a| a.issue.count).collect::<Vec<_>>());
        bus.publish(update("aaaa", 1, true));
        std::thread::sleep(std::time::Duration::from_millis(50));
        drop(bus);
        let read = reader.join().expect("reader");
        assert_eq!(read, vec![1]);

        let bus = AlertBus::new();
        drop(bus.subscribe_latest());
        bus.publish(update("aaaa", 1, true));
        assert_eq!(bus.latest.lock().map(|l| l.len()).unwrap_or(9), 0);
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

//! Where the monitor leaves its results for the window. A hundred checks a second must not
//! mean a hundred events — or frames — a second: each result only replaces its check's latest
//! one here (and adds its 8-byte record), and the window takes what is new once a frame. The
//! window is woken at once when a check starts or stops failing, every two seconds while the
//! Health tab is on screen, and not at all for results nobody can see.

use healdeck_config::clock::now_unix;
use healdeck_engine::health::history::Record;
use healdeck_engine::health::{CheckResult, CheckStatus};
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// How often a visible Health tab is refreshed by results that change no state.
const VISIBLE_REFRESH: Duration = Duration::from_secs(2);

/// What the monitor said since the window last looked.
#[derive(Default)]
pub(super) struct News {
    pub latest: HashMap<String, (CheckResult, CheckStatus)>,
    pub records: HashMap<String, Vec<Record>>,
}

/// Shared between the monitor's sink (writer) and the tab (reader); each holds the lock only
/// to put in or take out.
#[derive(Default)]
pub(super) struct Mailbox {
    news: Mutex<News>,
    failing: Mutex<HashMap<String, bool>>,
    last_wake: Mutex<Option<Instant>>,
    /// Set by the window each frame: whether the Health tab is on screen.
    pub visible: AtomicBool,
}

impl Mailbox {
    pub(super) fn new() -> Arc<Mailbox> {
        Arc::new(Mailbox::default())
    }

    /// Keeps a result; says whether the window should be woken for it.
    pub(super) fn put(&self, result: CheckResult, status: CheckStatus, keep: usize) -> bool {
        let name = result.check.clone();
        let changed = self
            .failing
            .lock()
            .map(|mut f| f.insert(name.clone(), status.failing) != Some(status.failing))
            .unwrap_or(true);
        if let Ok(mut news) = self.news.lock() {
            let records = news.records.entry(name.clone()).or_default();
            records.push(Record::of(
                now_unix(),
                result.ok,
                result.unavailable,
                result.latency_ms,
            ));
            if records.len() > keep {
                let extra = records.len() - keep;
                records.drain(..extra);
            }
            news.latest.insert(name, (result, status));
        }
        changed || (self.visible.load(Ordering::Relaxed) && self.due())
    }

    fn due(&self) -> bool {
        self.last_wake.lock().is_ok_and(|mut t| {
            let due = t.is_none_or(|t| t.elapsed() >= VISIBLE_REFRESH);
            if due {
                *t = Some(Instant::now());
            }
            due
        })
    }

    /// Everything since the last look.
    pub(super) fn take(&self) -> News {
        self.news
            .lock()
            .map(|mut n| std::mem::take(&mut *n))
            .unwrap_or_default()
    }
}

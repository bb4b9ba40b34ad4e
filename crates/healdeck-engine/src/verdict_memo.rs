//! Verdicts remembered per scan worker, from one chunk to the next: a failure that repeats
//! word for word (a traceback with no timestamps, the same `npm ERR!` block in every CI run,
//! a crash loop's identical lines) is classified once, not once per repeat.
//!
//! Classification is a pure function of the event's kind, level, first line and message, so
//! an entry is only reused for exactly the same inputs; the table is bounded and starts over
//! when full, keeping memory flat on logs where nothing repeats.

use super::classify::Verdict;
use super::events::EventKind;
use super::level::Level;
use foldhash::fast::FixedState;
use std::collections::HashMap;
use std::hash::BuildHasher;

/// Entries kept before the table starts over.
const CAPACITY: usize = 4096;

/// Messages longer than this are classified each time (keeping them would cost more memory
/// than the regexes cost time).
const LONGEST_KEPT: usize = 4096;

/// What a verdict was worked out from, kept to tell a repeat from another event whose inputs
/// hash alike.
#[derive(Debug)]
struct Entry {
    kind: EventKind,
    level: Option<Level>,
    first: String,
    message: String,
    verdict: Option<Verdict>,
}

/// One worker's remembered verdicts (`None`: the event was no failure), by a hash of their
/// inputs: a repeat is found without copying its lines (most events on a failure-dense log
/// are repeats).
#[derive(Debug, Default)]
pub(crate) struct VerdictMemo {
    known: HashMap<u64, Entry, FixedState>,
}

impl VerdictMemo {
    /// The verdict for these inputs: remembered, or worked out by `classify` and remembered.
    pub(crate) fn get_or_classify(
        &mut self,
        kind: EventKind,
        level: Option<Level>,
        first: &str,
        message: &str,
        classify: impl FnOnce() -> Option<Verdict>,
    ) -> Option<Verdict> {
        if first.len() + message.len() > LONGEST_KEPT {
            return classify();
        }
        let key = FixedState::default().hash_one((kind, level, first, message));
        if let Some(known) = self.known.get(&key)
            && known.kind == kind
            && known.level == level
            && known.first == first
            && known.message == message
        {
            return known.verdict.clone();
        }
        let verdict = classify();
        if self.known.len() >= CAPACITY {
            self.known.clear();
        }
        // Another event hashing alike is replaced: it is classified again if it comes back.
        self.known.insert(
            key,
            Entry {
                kind,
                level,
                first: first.to_owned(),
                message: message.to_owned(),
                verdict: verdict.clone(),
            },
        );
        verdict
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Verdict;

    #[test]
    fn the_same_inputs_are_classified_once_and_different_ones_each_time() {
        let mut memo = VerdictMemo::default();
        let mut calls = 0;
        let mut ask = |memo: &mut VerdictMemo, message: &str, level| {
            memo.get_or_classify(EventKind::Line, level, "x", message, || {
                calls += 1;
                Some(Verdict::Consequence(message.to_string()))
            })
        };
        let first = ask(&mut memo, "boom\n", Some(Level::Error));
        let again = ask(&mut memo, "boom\n", Some(Level::Error));
        assert_eq!(first, again);
        ask(&mut memo, "boom\n", Some(Level::Warn));
        ask(&mut memo, "bang\n", Some(Level::Error));
        assert_eq!(calls, 3);
    }

    #[test]
    fn stays_bounded_when_nothing_repeats() {
        let mut memo = VerdictMemo::default();
        for i in 0..CAPACITY * 3 {
            memo.get_or_classify(EventKind::Line, None, "x", &i.to_string(), || None);
        }
        assert!(memo.known.len() <= CAPACITY);
    }
}

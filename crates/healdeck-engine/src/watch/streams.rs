//! Stream sources in the live watcher (the journal, SSH, containers): each has a reader
//! thread (`remote::follow`) whose text lands in a `Feed` like a file's appended bytes. After
//! each pass the position after the last handled line is saved, once the history a previous
//! run reported has been read again, so a restart reports exactly what is new.

use super::super::bus::TroubleAlert;
use super::super::engine::Engine;
use super::super::group::IssueStore;
use super::feed::Feed;
use crate::remote::{Position, Positions, StreamMsg, StreamSpec, StreamState};
use crate::timestamp::FileDate;
use std::collections::VecDeque;

/// A followed stream source.
pub(super) struct StreamFeed {
    pub spec: StreamSpec,
    pub feed: Feed,
    /// Where to resume after each received line (feed offset of the line's end).
    marks: VecDeque<(u64, Position)>,
}

/// Hears each source's state as it changes, by the source's name.
pub type StateSink<'e> = Box<dyn FnMut(&str, &StreamState) + 'e>;

impl StreamFeed {
    pub(super) fn new(spec: StreamSpec) -> Self {
        StreamFeed {
            feed: Feed::new(spec.to_string(), FileDate::today(), u64::MAX),
            spec,
            marks: VecDeque::new(),
        }
    }

    /// A source that appeared while following (a new file in a remote folder): all it holds
    /// is news.
    pub(super) fn appeared(spec: StreamSpec) -> Self {
        StreamFeed {
            feed: Feed::new(spec.to_string(), FileDate::today(), 0),
            spec,
            marks: VecDeque::new(),
        }
    }

    /// Handles one message from the reader.
    pub(super) fn take(
        &mut self,
        msg: StreamMsg,
        engine: &Engine,
        store: &mut IssueStore,
        positions: Option<&mut Positions>,
        on_state: &mut Option<StateSink<'_>>,
        sink: &mut impl FnMut(TroubleAlert),
    ) {
        match msg {
            StreamMsg::Text { bytes, marks } => {
                let base = self.feed.offset;
                self.marks
                    .extend(marks.into_iter().map(|(end, p)| (base + end as u64, p)));
                self.feed.push(&bytes);
                self.feed.process(engine, store, true, sink);
                self.save(positions);
            }
            StreamMsg::HistoryEnd => {
                // Held-back lines still wait; everything received so far was history.
                self.feed.process(engine, store, false, sink);
                self.feed.history_end = self.feed.offset;
                self.save(positions);
            }
            StreamMsg::State(state) => {
                if let Some(f) = on_state.as_mut() {
                    f(&self.spec.to_string(), &state);
                }
            }
        }
    }

    /// Reports what waited for the idle flush.
    pub(super) fn flush(
        &mut self,
        engine: &Engine,
        store: &mut IssueStore,
        positions: Option<&mut Positions>,
        sink: &mut impl FnMut(TroubleAlert),
    ) {
        self.feed.process(engine, store, false, sink);
        self.save(positions);
    }

    /// Saves the position after the last handled line — only once the history is known to
    /// be read again, so a crash mid-way never moves the saved position back.
    fn save(&mut self, positions: Option<&mut Positions>) {
        let consumed = self.feed.consumed();
        let mut last = None;
        while self.marks.front().is_some_and(|(end, _)| *end <= consumed) {
            last = self.marks.pop_front();
        }
        if self.feed.history_end == u64::MAX {
            return;
        }
        if let (Some(positions), Some((_, position))) = (positions, last) {
            positions.set(&self.spec, position);
        }
    }
}

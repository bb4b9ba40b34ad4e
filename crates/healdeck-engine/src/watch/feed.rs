//! One followed source's unprocessed text and what the engine needs to read it like a scan
//! would: the line count so far, the lines just before, the date for years, and whether the
//! bytes are history or news. A file's tail and a stream source both feed one of these.

use super::super::bus::{AlertKind, TroubleAlert};
use super::super::engine::{CONTEXT_LINES, EXCERPT_LINE_CHARS, Engine, text_of};
use super::super::events::MAX_LINE_BYTES;
use super::super::group::{Added, IssueStore};
use super::super::scan::{ChunkText, FileCursor};
use crate::timestamp::FileDate;
use std::collections::VecDeque;
use std::time::Instant;

/// Text waiting to become events.
pub(super) struct Feed {
    /// Bytes received so far.
    pub offset: u64,
    /// Unprocessed bytes, starting at `offset - buf.len()`.
    pub buf: Vec<u8>,
    pub cursor: FileCursor,
    pub year: FileDate,
    pub last_data: Instant,
    /// Complete lines in `buf` wait for the idle flush.
    pub waiting: bool,
    /// The last lines already processed (up to `CONTEXT_LINES`): an event at the start of new
    /// data gets the lines before it from here, as a scan of the whole file would.
    recent: VecDeque<String>,
    /// Where the content that was already there ends: alerts from bytes before it are not
    /// news (`u64::MAX` while that is not known yet).
    pub history_end: u64,
}

impl Feed {
    pub(super) fn new(source: String, year: FileDate, history_end: u64) -> Self {
        Feed {
            offset: 0,
            buf: Vec::new(),
            cursor: FileCursor::new(source),
            year,
            last_data: Instant::now(),
            waiting: false,
            recent: VecDeque::new(),
            history_end,
        }
    }

    /// Where the bytes not processed yet begin.
    pub(super) fn consumed(&self) -> u64 {
        self.offset - self.buf.len() as u64
    }

    /// Takes bytes that arrived.
    pub(super) fn push(&mut self, bytes: &[u8]) {
        self.buf.extend_from_slice(bytes);
        self.offset += bytes.len() as u64;
        self.last_data = Instant::now();
    }

    /// Reports the complete events in `buf`. With `hold_open`, an event that reaches the end
    /// of the data waits (it may continue); without, everything complete is reported.
    pub(super) fn process(
        &mut self,
        engine: &Engine,
        store: &mut IssueStore,
        hold_open: bool,
        sink: &mut impl FnMut(TroubleAlert),
    ) {
        let complete = memchr::memrchr(b'\n', &self.buf).map_or(0, |p| p + 1);
        if complete == 0 {
            self.waiting = false;
            return;
        }
        let base = self.consumed();
        let mut result = engine.process_chunk(&self.buf[..complete], complete, false, self.year);
        let mut consumed = complete;
        if hold_open
            && let Some(last) = result.events.last()
            && last.end >= complete
        {
            consumed = last.start;
            result.events.pop();
            result.newlines = bytecount::count(&self.buf[..consumed], b'\n') as u64;
            result.ends_with_newline = true;
        }
        let mut added = Vec::new();
        let text = ChunkText {
            buf: &self.buf[..complete],
            main_len: consumed,
            year: self.year,
            earlier: Some(&self.recent),
        };
        self.cursor
            .absorb(engine, store, (base, consumed as u64), result, text, |a| {
                added.push(a)
            });
        for (i, kind) in coalesce(added) {
            if let Some(issue) = store.get_shared(i) {
                sink(TroubleAlert {
                    kind,
                    issue,
                    live: base >= self.history_end,
                });
            }
        }
        remember_recent(&mut self.recent, &self.buf[..consumed]);
        self.buf.drain(..consumed);
        self.waiting = consumed < complete;
    }
}

/// One alert per issue a chunk added to, in the order they were first touched, as `New` if
/// the chunk created it: each alert carries the issue as it stands after the chunk, so a
/// burst of N repeats read at once is one line counting N — not N lines that all claim N.
pub(super) fn coalesce(added: Vec<Added>) -> Vec<(usize, AlertKind)> {
    let mut seen = std::collections::HashSet::new();
    added
        .into_iter()
        .map(|a| match a {
            Added::New(i) => (i, AlertKind::New),
            Added::Updated(i) => (i, AlertKind::Updated),
        })
        // An issue's `New` comes before its updates, so the first one seen is the one kept.
        .filter(|&(i, _)| seen.insert(i))
        .collect()
}

/// Keeps the last `CONTEXT_LINES` lines of `consumed` (after those kept before).
fn remember_recent(recent: &mut VecDeque<String>, consumed: &[u8]) {
    let body = consumed.strip_suffix(b"\n").unwrap_or(consumed);
    if consumed.is_empty() {
        return;
    }
    let mut last: Vec<String> = body
        .rsplit(|&b| b == b'\n')
        .take(CONTEXT_LINES)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .map(|l| {
            text_of(&l[..l.len().min(MAX_LINE_BYTES)])
                .chars()
                .take(EXCERPT_LINE_CHARS)
                .collect()
        })
        .collect();
    last.reverse();
    recent.extend(last);
    while recent.len() > CONTEXT_LINES {
        recent.pop_front();
    }
}

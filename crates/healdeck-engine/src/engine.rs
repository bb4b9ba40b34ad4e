//! The engine: compiled rules plus prefilter, and the work one worker does on one chunk.
//!
//! `process_chunk` finds candidate lines with the literal prefilter, assembles each into an
//! event, classifies it, and returns the events with chunk-relative byte offsets and line
//! indexes. It holds no state between chunks, so chunks run on any thread in any order; the
//! scanner (and the live watcher) put the results back in file order.

use super::classify::{Classified, Verdict, classify};
use super::events::{self, line_at, line_end, line_start};
use super::prefilter::Prefilter;
use super::rules::{RuleSet, RuleSources, RulesError};
use super::timestamp::{self, FileDate};
use super::verdict_memo::VerdictMemo;
use crate::model::{Category, Severity};
use std::sync::Mutex;

/// Characters kept per excerpt line (the rest is marked as cut).
pub(crate) const EXCERPT_LINE_CHARS: usize = 2000;
/// Lines of context kept before an event.
pub(crate) const CONTEXT_LINES: usize = 5;
/// Bytes of message text given to the rules.
const MESSAGE_BYTES: usize = 16 << 10;

/// Compiled rules and prefilter, shared read-only by all workers.
#[derive(Debug)]
pub struct Engine {
    pub rules: RuleSet,
    pub prefilter: Prefilter,
    /// Verdicts remembered between chunks: a chunk takes a memo and gives it back, so a
    /// failure repeated through a large file is classified once per worker rather than once
    /// per 4 MiB chunk. The lock is held only to take or give one back.
    memos: Mutex<Vec<VerdictMemo>>,
}

/// One event found in a chunk.
#[derive(Debug, Clone)]
pub(crate) struct ChunkEvent {
    /// Byte offsets in the chunk's buffer.
    pub start: usize,
    pub end: usize,
    /// 0-based line index of the first and last line, counted from the chunk start.
    pub first_line: u64,
    pub last_line: u64,
    pub verdict: Verdict,
    pub first: String,
    pub timestamp: Option<String>,
    /// A record of the failure that starts within its rule's `follows_within` lines after
    /// it (an access record written before the exception it answered): it folds into that
    /// failure's issue. Decided on the chunk's bytes and lookahead, so not on where a file
    /// was cut.
    pub precedes: bool,
    /// A multi-line runtime failure (a traceback, a stack, a panic): a record after it is
    /// another event, never a line of its burst.
    pub structural: bool,
}

/// What a worker returns for one chunk.
#[derive(Debug, Default)]
pub(crate) struct ChunkResult {
    /// Newlines in the chunk's own bytes (not the lookahead).
    pub newlines: u64,
    /// The chunk's own bytes end with a newline (false for an empty chunk).
    pub ends_with_newline: bool,
    pub events: Vec<ChunkEvent>,
}

/// Counts newlines up to a position, incrementally.
struct LineCounter<'a> {
    buf: &'a [u8],
    pos: usize,
    line: u64,
}

impl LineCounter<'_> {
    fn line_at(&mut self, p: usize) -> u64 {
        if p >= self.pos {
            self.line += bytecount::count(&self.buf[self.pos..p], b'\n') as u64;
        } else {
            self.line -= bytecount::count(&self.buf[p..self.pos], b'\n') as u64;
        }
        self.pos = p;
        self.line
    }
}

/// Text of a line for people: lossy UTF-8, NUL shown as U+FFFD.
pub(crate) fn text_of(line: &[u8]) -> String {
    let mut text = String::with_capacity(line.len());
    push_text(&mut text, line);
    text
}

/// Appends [`text_of`]`(line)` to `out` without a string of its own.
fn push_text(out: &mut String, line: &[u8]) {
    let text = match std::str::from_utf8(line) {
        Ok(valid) => std::borrow::Cow::Borrowed(valid),
        Err(_) => String::from_utf8_lossy(line),
    };
    if memchr::memchr(0, line).is_some() {
        out.push_str(&text.replace('\0', "\u{fffd}"));
    } else {
        out.push_str(&text);
    }
}

impl Engine {
    pub fn new(rules: RuleSet) -> Engine {
        let prefilter = Prefilter::new(&rules);
        Engine {
            rules,
            prefilter,
            memos: Mutex::new(Vec::new()),
        }
    }

    /// Built-in rules, the user's rules folder, and extra rules paths; refused files are
    /// returned beside the engine, which runs with every rule that loaded.
    pub fn load(sources: &RuleSources) -> (Engine, Vec<RulesError>) {
        let (rules, errors) = RuleSet::load(sources);
        (Engine::new(rules), errors)
    }

    /// Finds and classifies the events that start in `buf[..main_len]`.
    /// `starts_mid_line`: the first partial line belongs to the previous chunk.
    pub(crate) fn process_chunk(
        &self,
        buf: &[u8],
        main_len: usize,
        starts_mid_line: bool,
        year: FileDate,
    ) -> ChunkResult {
        let from = if starts_mid_line {
            (line_end(buf, 0) + 1).min(main_len.min(buf.len()))
        } else {
            0
        };
        self.process_chunk_from(buf, main_len, from, year)
    }

    /// The same, looking for events from the line starting at `from` on (where the previous
    /// event ended); line numbers still count from the start of `buf`.
    pub(crate) fn process_chunk_from(
        &self,
        buf: &[u8],
        main_len: usize,
        from: usize,
        year: FileDate,
    ) -> ChunkResult {
        let main_len = main_len.min(buf.len());
        let mut result = ChunkResult {
            newlines: bytecount::count(&buf[..main_len], b'\n') as u64,
            ends_with_newline: main_len > 0 && buf[main_len - 1] == b'\n',
            events: Vec::new(),
        };
        let mut counter = LineCounter {
            buf,
            pos: 0,
            line: 0,
        };
        let mut memo = self.take_memo();
        let mut cursor = from.min(main_len);
        // Where the last event ended: an event's lead-in may start before `cursor` (past lines
        // that were looked at and were no failure) but never inside the previous event.
        let mut floor = cursor;
        // A line longer than a chunk starts here and ends in the lookahead: it is this chunk's
        // (the next one skips its rest), so its words are looked for to its end.
        let search_end = if main_len > 0 && main_len < buf.len() && buf[main_len - 1] != b'\n' {
            line_end(buf, main_len - 1)
        } else {
            main_len
        };
        let mut extra: Vec<usize> = match &self.prefilter.unfiltered {
            Some(re) => re
                .find_iter(&buf[..search_end])
                .map(|m| m.start())
                .collect(),
            None => Vec::new(),
        };
        // Android's and glog's E and F lines are failures by their level letter alone, error
        // word or not.
        for format in [&crate::prefilter::LOGCAT, &crate::prefilter::GLOG] {
            if format.is_format_of(buf) {
                extra.extend(format.failures(&buf[..search_end]));
                extra.sort_unstable();
            }
        }
        let mut extra = extra.into_iter().peekable();
        while cursor < main_len {
            let ac_hit = self
                .prefilter
                .first_word(buf, cursor, search_end)
                .map(|(at, _)| at);
            while extra.next_if(|&p| p < cursor).is_some() {}
            // The line filter's "error" needs a character after it: a last line that ends
            // in the word, with no newline, is looked at here.
            let ac_hit = ac_hit.or_else(|| {
                let tail = &buf[cursor..search_end];
                crate::prefilter::ends_in_error_word(tail).then(|| search_end - 5)
            });
            let hit = match (ac_hit, extra.peek().copied()) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => match a.or(b) {
                    Some(h) => h,
                    None => break,
                },
            };
            let ls = line_start(buf, hit).max(cursor);
            match self.event_at(buf, ls, floor, year, &mut counter, &mut memo) {
                Some(ev) => {
                    cursor = ev.end.max(ls + 1);
                    floor = cursor;
                    result.events.push(ev);
                }
                None => cursor = line_end(buf, ls) + 1,
            }
        }
        self.give_back(memo);
        result
    }

    /// A memo of earlier chunks' verdicts, or a new one.
    fn take_memo(&self) -> VerdictMemo {
        self.memos
            .lock()
            .ok()
            .and_then(|mut memos| memos.pop())
            .unwrap_or_default()
    }

    /// Keeps `memo` for the next chunk (one per worker that ever ran at once, at most 16).
    fn give_back(&self, memo: VerdictMemo) {
        if let Ok(mut memos) = self.memos.lock()
            && memos.len() < 16
        {
            memos.push(memo);
        }
    }

    fn event_at(
        &self,
        buf: &[u8],
        ls: usize,
        floor: usize,
        year: FileDate,
        counter: &mut LineCounter,
        memo: &mut VerdictMemo,
    ) -> Option<ChunkEvent> {
        let mut span = events::assemble(buf, ls);
        let (first, message) = message_of(buf, &span);
        // Most candidate lines are no failure (a benign `errors=0`): they are dropped here,
        // before their excerpt and lead-in are worked out.
        let mut verdict = self.verdict(&span, &first, &message, memo)?;
        // A headline with no reason (`ERROR: Can't connect to the database.`) over a known
        // failure is that failure's first line: it is left to the failure's lead-in.
        if let Verdict::Issue(c) = &verdict
            && c.rule.is_none()
            && (events::is_headline(first.as_bytes())
                || events::is_backtrace_heading(first.as_bytes()))
            && let Some(next) = past_blank_lines(buf, span.end, 2)
            && self.known_failure_at(buf, next, memo)
            && events::lead_start(buf, next, floor) <= ls
        {
            return None;
        }
        // A warning followed by the error that says the same: one incident, to the error.
        if matches!(verdict, Verdict::Issue(_))
            && span.end < buf.len()
            && events::warned_the_same(first.as_bytes(), line_at(buf, span.end))
        {
            span.end = (line_end(buf, span.end) + 1).min(buf.len());
        }
        if let Verdict::Issue(c) = &mut verdict
            && recovered_by_itself(c, buf, span.end, &first)
        {
            std::sync::Arc::make_mut(c).severity = Severity::Medium;
        }
        // The incident starts at its lead-in, if the runtime printed one; rules matched from
        // the failure's own line on.
        span.start = events::lead_start(buf, ls, floor);
        let first_line = counter.line_at(span.start);
        // `end - 1` is the last line's newline or its last byte; either way inside it.
        let last_start = line_start(buf, span.end.max(span.start + 1) - 1);
        let last_line = counter.line_at(last_start.max(span.start));
        let precedes = self.precedes_a_failure(buf, span.end, &verdict, memo);
        Some(ChunkEvent {
            start: span.start,
            end: span.end,
            first_line,
            last_line,
            verdict,
            timestamp: timestamp::parse(&first, year)
                .or_else(|| lead_time(buf, span.start, ls, year))
                .or_else(|| time_written_above(buf, span.start)),
            first,
            precedes,
            structural: span.kind.is_structural(),
        })
    }

    /// The verdict on an event (`first` its first line, `message` its message lines),
    /// remembered for the chunk.
    fn verdict(
        &self,
        span: &events::Span,
        first: &str,
        message: &str,
        memo: &mut VerdictMemo,
    ) -> Option<Verdict> {
        memo.get_or_classify(span.kind, span.level, first, message, || {
            let rules_may_match = self.prefilter.rules_may_match(message);
            classify(
                &self.rules,
                span.kind,
                span.level,
                first,
                message,
                rules_may_match,
            )
        })
    }

    /// Whether the line at `at` starts a failure a rule knows.
    fn known_failure_at(&self, buf: &[u8], at: usize, memo: &mut VerdictMemo) -> bool {
        let span = events::assemble(buf, at);
        let (first, message) = message_of(buf, &span);
        matches!(
            self.verdict(&span, &first, &message, memo),
            Some(Verdict::Issue(c)) if c.rule.is_some()
        )
    }

    /// Whether an event of `verdict` ending at `end` is followed, within its rule's
    /// `follows_within` lines, by a failure of a category the rule follows (another rule's).
    fn precedes_a_failure(
        &self,
        buf: &[u8],
        end: usize,
        verdict: &Verdict,
        memo: &mut VerdictMemo,
    ) -> bool {
        let Verdict::Issue(c) = verdict else {
            return false;
        };
        let Some(rule) = c.rule.and_then(|r| self.rules.rules.get(r)) else {
            return false;
        };
        let Some(window) = rule.spec.follows_within else {
            return false;
        };
        // The end of the window: `window` lines after the event's last.
        let mut limit = end.min(buf.len());
        for _ in 0..window {
            if limit >= buf.len() {
                break;
            }
            limit = (line_end(buf, limit) + 1).min(buf.len());
        }
        let mut cursor = end.min(buf.len());
        while cursor < limit {
            let Some(hit) = self
                .prefilter
                .first_word(buf, cursor, limit)
                .map(|(at, _)| at)
            else {
                return false;
            };
            let ls = line_start(buf, hit).max(cursor);
            let span = events::assemble(buf, ls);
            let (first, message) = message_of(buf, &span);
            match self.verdict(&span, &first, &message, memo) {
                Some(Verdict::Issue(after)) => {
                    // Unless the failure after it is this one's aftermath (a filesystem error
                    // after a disk's I/O errors): then that one folds into this.
                    let folds_back = after
                        .rule
                        .and_then(|r| self.rules.rules.get(r))
                        .is_some_and(|a| a.spec.follows.contains(&c.category));
                    return rule.spec.follows.contains(&after.category)
                        && after.rule != c.rule
                        && !folds_back;
                }
                _ => cursor = line_end(buf, ls) + 1,
            }
        }
        false
    }
}

/// The start of the first line at or after `at` that is not blank, past `most` blank lines at
/// most; `None` at the end of `buf`.
fn past_blank_lines(buf: &[u8], mut at: usize, most: usize) -> Option<usize> {
    for _ in 0..=most {
        if at >= buf.len() {
            return None;
        }
        if !line_at(buf, at).trim_ascii().is_empty() {
            return Some(at);
        }
        at = line_end(buf, at) + 1;
    }
    None
}

/// Whether the failure `c` (first line `first`, ending at `end`) recovered by itself later in
/// `buf`: its job finished on a retry (a high failure), or the connection it lost was made
/// again (a high or critical network, database or time-out failure).
fn recovered_by_itself(c: &Classified, buf: &[u8], end: usize, first: &str) -> bool {
    let retried = || {
        c.severity == Severity::High && crate::retried::finished_later(buf, end, first).is_some()
    };
    let reconnected = || {
        matches!(c.severity, Severity::High | Severity::Critical)
            && matches!(
                c.category,
                Category::Network | Category::Database | Category::Timeout
            )
            && crate::reconnected::connected_later(buf, end, first).is_some()
    };
    retried() || reconnected()
}

/// The time of the lead-in line an incident starts at (`start`), when the failure's own line
/// (at `failure`) has none: Flink's `… reached terminal state FAILED.` record over the
/// exception it logged.
fn lead_time(buf: &[u8], start: usize, failure: usize, year: FileDate) -> Option<String> {
    (start < failure)
        .then(|| timestamp::parse(&String::from_utf8_lossy(line_at(buf, start)), year))
        .flatten()
}

/// The time on a line of its own above a record without one (Oracle's alert log writes
/// `2026-11-23T14:22:07.551203+00:00`, then the record), past blank lines and rules of `*`.
fn time_written_above(buf: &[u8], start: usize) -> Option<String> {
    let mut at = start;
    for _ in 0..4 {
        if at == 0 {
            return None;
        }
        at = line_start(buf, at - 1);
        let line = line_at(buf, at).trim_ascii();
        if line.iter().all(|&b| b == b'*') {
            continue;
        }
        return timestamp::standalone(std::str::from_utf8(line).ok()?);
    }
    None
}

/// An event's first line and its message lines (those rules match against).
fn message_of(buf: &[u8], span: &events::Span) -> (String, String) {
    let mut message = String::with_capacity((span.end - span.start).min(MESSAGE_BYTES) + 1);
    let mut first = String::new();
    let mut pos = span.start;
    let mut index = 0;
    while pos < span.end {
        // A container's lines are read as it wrote them, without `docker compose`'s name.
        let raw = events::behind_compose_prefix(line_at(buf, pos));
        if index == 0 {
            first = text_of(raw);
        }
        if events::is_message_line(span.kind, raw, index) && message.len() < MESSAGE_BYTES {
            if index == 0 {
                message.push_str(&first);
            } else {
                push_text(&mut message, raw);
            }
            message.push('\n');
        }
        pos = line_end(buf, pos) + 1;
        index += 1;
    }
    // Twisted indents a traceback's exception line with its frames
    // (`        twisted.cred.error.UnauthorizedLogin: `): a traceback's last line is its
    // exception, indented or not.
    if span.kind == events::EventKind::PythonTraceback && index > 1 {
        let last = events::behind_compose_prefix(line_at(buf, line_start(buf, span.end - 1)));
        if !events::is_message_line(span.kind, last, index - 1) && message.len() < MESSAGE_BYTES {
            push_text(&mut message, last.trim_ascii());
            message.push('\n');
        }
    }
    (first, message)
}

/// The lines from `start` to `end` as shown, each cut at `EXCERPT_LINE_CHARS`.
pub(crate) fn excerpt_of(buf: &[u8], start: usize, end: usize) -> String {
    let mut excerpt = String::new();
    let mut pos = start;
    while pos < end {
        let text = text_of(line_at(buf, pos));
        if text.len() > EXCERPT_LINE_CHARS && text.chars().count() > EXCERPT_LINE_CHARS {
            let cut: String = text.chars().take(EXCERPT_LINE_CHARS).collect();
            excerpt.push_str(&cut);
            excerpt.push_str(" …[line cut]");
        } else {
            excerpt.push_str(&text);
        }
        excerpt.push('\n');
        pos = line_end(buf, pos) + 1;
    }
    excerpt.truncate(excerpt.trim_end_matches('\n').len());
    excerpt
}

/// Up to `CONTEXT_LINES` lines before `start`, oldest first.
pub(crate) fn context_before(buf: &[u8], start: usize) -> Vec<String> {
    let mut out = Vec::new();
    let mut end = start;
    while out.len() < CONTEXT_LINES && end > 0 {
        let s = line_start(buf, end - 1);
        let l = line_at(buf, s);
        let t: String = text_of(l).chars().take(EXCERPT_LINE_CHARS).collect();
        out.push(t);
        end = s;
    }
    out.reverse();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn engine() -> Engine {
        Engine::load(&RuleSources::default()).0
    }

    #[test]
    fn finds_events_with_lines_and_skips_mentions() {
        let e = engine();
        let text = "INFO boot errors=0\nINFO ok\nTraceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n    import yaml\nModuleNotFoundError: No module named 'yaml'\nINFO ErrorBoundary mounted\n";
        let r = e.process_chunk(text.as_bytes(), text.len(), false, FileDate::year(2024));
        assert_eq!(r.newlines, 7);
        assert_eq!(r.events.len(), 1, "{:#?}", r.events);
        let ev = &r.events[0];
        assert_eq!((ev.first_line, ev.last_line), (2, 5));
        assert_eq!(
            context_before(text.as_bytes(), ev.start),
            vec!["INFO boot errors=0", "INFO ok"]
        );
        match &ev.verdict {
            Verdict::Issue(c) => {
                assert_eq!(c.captures.get("module").map(String::as_str), Some("yaml"));
            }
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn exception_lines_one_after_another_are_each_their_own_event_to_the_last() {
        let e = engine();
        let text: String = (0..4)
            .map(|i| format!("ModuleNotFoundError: No module named 'pkg_{i}'\n"))
            .collect();
        let r = e.process_chunk(text.as_bytes(), text.len(), false, FileDate::year(2024));
        let lines: Vec<u64> = r.events.iter().map(|e| e.first_line).collect();
        assert_eq!(lines, vec![0, 1, 2, 3]);
        // A record over a bare exception line, the next record after it: one event.
        let text = "2024-01-01 10:00:00,001 ERROR [main] fatal error in thread [w-1], exiting\njava.lang.OutOfMemoryError: Java heap space\n2024-01-01 10:00:01,002 INFO [main] starting\n";
        let r = e.process_chunk(text.as_bytes(), text.len(), false, FileDate::year(2024));
        assert_eq!(r.events.len(), 1, "{:#?}", r.events);
        assert_eq!((r.events[0].first_line, r.events[0].last_line), (0, 1));
    }

    #[test]
    fn a_servlet_error_with_root_cause_is_one_event_with_its_stack() {
        let e = engine();
        let text = "2024-03-04 11:02:17.416 ERROR 1 --- [nio-8080-exec-3] o.a.c.c.C.[.[.[/].[dispatcherServlet]    : Servlet.service() for servlet [dispatcherServlet] threw exception [Request processing failed; nested exception is java.lang.NullPointerException] with root cause\n\njava.lang.NullPointerException: null\n\tat com.acme.Foo.bar(Foo.java:52) ~[classes!/:na]\n2024-03-04 11:02:18.000  INFO 1 --- [main] next\n";
        let r = e.process_chunk(text.as_bytes(), text.len(), false, FileDate::year(2024));
        assert_eq!(r.events.len(), 1, "{:#?}", r.events);
        assert_eq!((r.events[0].first_line, r.events[0].last_line), (0, 3));
    }

    #[test]
    fn a_tool_block_inside_a_buildkit_step_is_one_event() {
        let e = engine();
        let text = "#6 [deps 4/4] RUN npm ci\n#6 0.742 npm error code EUSAGE\n#6 0.742 npm error\n#6 0.745 npm error `npm ci` can only install packages when your package.json and package-lock.json or npm-shrinkwrap.json are in sync.\n#6 0.745 npm error\n#7 0.100 npm error other step\n";
        let r = e.process_chunk(text.as_bytes(), text.len(), false, FileDate::year(2024));
        let first = &r.events[0];
        assert_eq!((first.first_line, first.last_line), (1, 4));
        match &first.verdict {
            Verdict::Issue(c) => assert_eq!(
                c.rule.map(|i| e.rules.rules[i].spec.id.as_str()),
                Some("lockfile.out_of_sync")
            ),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn a_mention_inside_a_name_makes_no_candidate_but_what_follows_it_still_can() {
        let e = engine();
        let events = |text: &str| {
            e.process_chunk(text.as_bytes(), text.len(), false, FileDate::year(2024))
                .events
                .iter()
                .map(|ev| (ev.first_line, ev.last_line))
                .collect::<Vec<_>>()
        };
        // The exception under the line starts the event, its frame with it.
        assert_eq!(
            events(
                "job 7 stopped errors=1\njava.lang.IllegalStateException: boom\n\tat com.acme.Job.run(Job.java:42)\nnext\n"
            ),
            vec![(1, 2)]
        );
        // A rule's words on the indented line after it.
        assert_eq!(
            events("job 7 stopped errors=1\n    connect ECONNREFUSED 127.0.0.1:5432\n"),
            vec![(1, 1)]
        );
        // Alone, or with a JSON key, the line is passed by; a last line ending in the word
        // without a newline is still looked at.
        assert!(events("job 7 stopped errors=1\njob 8 started\n").is_empty());
        assert!(events("done {\"error\" : null}\nnext\n").is_empty());
        assert_eq!(
            events("ok\n2024-05-01 12:00:00 disk full, giving up with error"),
            vec![(1, 1)]
        );
    }

    #[test]
    fn a_syntax_error_starts_at_its_file_line_and_is_still_classified_by_its_message() {
        let e = engine();
        let text = "$ python3 app.py\n  File \"/srv/app.py\", line 3\n    print \"hi\"\n    ^^^^^^^^^^\nSyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?\n$ echo done\n";
        let r = e.process_chunk(text.as_bytes(), text.len(), false, FileDate::year(2024));
        assert_eq!(r.events.len(), 1, "{:#?}", r.events);
        let ev = &r.events[0];
        assert_eq!((ev.first_line, ev.last_line), (1, 4));
        assert!(
            excerpt_of(text.as_bytes(), ev.start, ev.end)
                .starts_with("  File \"/srv/app.py\", line 3\n")
        );
        assert_eq!(
            context_before(text.as_bytes(), ev.start),
            vec!["$ python3 app.py"]
        );
        match &ev.verdict {
            Verdict::Issue(c) => {
                assert_eq!(c.category, crate::model::Category::Syntax);
                assert_eq!(
                    c.captures.get("kind").map(String::as_str),
                    Some("SyntaxError")
                );
            }
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn logcat_error_lines_are_failures_without_an_error_word() {
        let e = engine();
        let text = "03-17 16:13:38.811  1702  2395 I ActivityManager: Start proc 4512:com.example.app/u0a123\n\
                    03-17 16:13:41.300  1702  1890 E BluetoothAdapter: Bluetooth binder is null\n\
                    03-17 16:13:41.400  1702  1890 W BluetoothAdapter: binder is late\n\
                    E/SurfaceFlinger(  245): Permission Denial: can't access SurfaceFlinger pid=3012, uid=10093\n";
        let r = e.process_chunk(text.as_bytes(), text.len(), false, FileDate::year(2024));
        let lines: Vec<u64> = r.events.iter().map(|ev| ev.first_line).collect();
        assert_eq!(lines, vec![1, 3], "{:#?}", r.events);
        // The same words in a log that is not logcat are no failure.
        let text = "2024-05-01 10:00:00 INFO 1702 1890 E BluetoothAdapter: binder is null\n";
        let r = e.process_chunk(text.as_bytes(), text.len(), false, FileDate::year(2024));
        assert!(r.events.is_empty(), "{:#?}", r.events);
    }

    #[test]
    fn nul_bytes_invalid_utf8_and_long_lines_do_not_panic() {
        let e = engine();
        let mut buf = b"ERROR \xff\xfe bad bytes \0 here\n".to_vec();
        buf.extend(std::iter::repeat_n(b'a', 1 << 20));
        buf.extend_from_slice(b" ERROR deep in a huge line\nERROR last line no newline");
        let r = e.process_chunk(&buf, buf.len(), false, FileDate::year(2024));
        assert_eq!(
            r.events.len(),
            2,
            "{:?}",
            r.events.iter().map(|e| &e.first).collect::<Vec<_>>()
        );
        assert!(excerpt_of(&buf, r.events[0].start, r.events[0].end).contains('\u{fffd}'));
        assert_eq!(r.events[1].first_line, 2);
    }
}

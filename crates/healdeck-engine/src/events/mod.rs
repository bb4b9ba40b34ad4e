//! Events, not lines: assembling the lines of one failure into one event.
//!
//! Given the first line of a candidate failure inside a buffer, `assemble` walks forward over
//! the lines that belong to it — Python tracebacks (chained ones too), Rust panics with
//! backtraces, Java/Kotlin stacks with `Caused by:`, Node errors with `at` frames and require
//! stacks, Go panics with goroutine dumps, compiler/package-manager error blocks — and returns
//! the byte range. It works on raw bytes and never needs UTF-8.
//!
//! `carrier` reads the lines a transport prefixed (the journal's `host prog[pid]: `, the
//! GitHub Actions runner's time) as the program wrote them.
//!
//! `lead` walks *back* from that first line over what a runtime prints ahead of it (Node's
//! crash header, Python's compile-error block, V8's out-of-memory report): the incident
//! starts there.
//!
//! `lines` holds the tests on single lines (frames, exception lines, record starts); `shapes`
//! walks each kind of event to its last line; this file decides the kind from the first line
//! (and the next) and says which lines are the message.

mod carrier;
mod lead;
mod lines;
mod shapes;
#[cfg(test)]
mod tests;

use lines::{contains, is_frame, is_indented, is_tool_block_start, is_traceback_start};
use lines::{looks_like_exception_line, run_prefix, trim_start};
use shapes::record_body_past_failures;
use shapes::{
    announces_body, body_after_blank, go, line_trailer, python, record_body, rust, stack,
};
use shapes::{tagged_report, tool_block};

pub(crate) use carrier::{behind_carrier, behind_compose_prefix};
pub(crate) use lead::{
    is_announcement, is_backtrace_heading, is_headline, lead_start, warned_the_same,
};
pub(crate) use lines::{is_clock, is_zabbix_record, starts_record};

/// Most lines one event may span; beyond this the event is cut (the excerpt says so).
pub(crate) const MAX_EVENT_LINES: usize = 2000;
/// Bytes of one line kept for matching and excerpts.
pub(crate) const MAX_LINE_BYTES: usize = 64 << 10;

/// The shape of an event, which decides what continues it and which lines are its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum EventKind {
    Line,
    PythonTraceback,
    RustPanic,
    GoPanic,
    Stack,
    ToolBlock,
}

impl EventKind {
    /// Multi-line runtime failures are failures even when no rule knows them.
    pub(crate) fn is_structural(self) -> bool {
        !matches!(self, EventKind::Line | EventKind::ToolBlock)
    }
}

/// The byte range and shape of an assembled event within a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Span {
    pub start: usize,
    /// Just past the last line's newline (or the buffer end).
    pub end: usize,
    pub kind: EventKind,
    pub lines: usize,
    /// The first line's log level.
    pub level: Option<crate::level::Level>,
}

/// The end of the line starting at `s` (index of its `\n`, or `buf.len()`).
#[inline]
pub(crate) fn line_end(buf: &[u8], s: usize) -> usize {
    memchr::memchr(b'\n', &buf[s..]).map_or(buf.len(), |p| s + p)
}

/// The line starting at `s`, without `\n`/`\r\n`, capped at `MAX_LINE_BYTES`.
#[inline]
pub(crate) fn line_at(buf: &[u8], s: usize) -> &[u8] {
    let e = line_end(buf, s);
    let mut l = &buf[s..e];
    if l.last() == Some(&b'\r') {
        l = &l[..l.len() - 1];
    }
    &l[..l.len().min(MAX_LINE_BYTES)]
}

/// Start of the line containing byte `pos`.
#[inline]
pub(crate) fn line_start(buf: &[u8], pos: usize) -> usize {
    memchr::memrchr(b'\n', &buf[..pos]).map_or(0, |p| p + 1)
}

/// Iterates line starts after `s`.
pub(super) struct Lines<'a> {
    pub(super) buf: &'a [u8],
    pub(super) next: usize,
}

impl<'a> Lines<'a> {
    pub(super) fn after(buf: &'a [u8], s: usize) -> Self {
        let e = line_end(buf, s);
        Lines {
            buf,
            next: (e + 1).min(buf.len()),
        }
    }
    /// The next line's start and text without consuming it.
    pub(super) fn peek(&self) -> Option<(usize, &'a [u8])> {
        (self.next < self.buf.len()).then(|| (self.next, line_at(self.buf, self.next)))
    }
    /// The line after the next one.
    pub(super) fn peek2(&self) -> Option<&'a [u8]> {
        let e = line_end(self.buf, self.next);
        (e + 1 < self.buf.len()).then(|| line_at(self.buf, e + 1))
    }
    /// The first line after the next one that is not blank, looking at `most` lines.
    pub(super) fn peek_past_blanks(&self, most: usize) -> Option<&'a [u8]> {
        let mut at = line_end(self.buf, self.next) + 1;
        for _ in 0..most {
            if at >= self.buf.len() {
                return None;
            }
            let l = line_at(self.buf, at);
            if !lines::is_blank(l) {
                return Some(l);
            }
            at = line_end(self.buf, at) + 1;
        }
        None
    }
    pub(super) fn advance(&mut self) {
        let e = line_end(self.buf, self.next);
        self.next = (e + 1).min(self.buf.len());
    }
}

/// Assembles the event whose first line starts at `start`: behind its carrier when the lines
/// after it carry the same (see [`carrier`]), as it is otherwise.
pub(crate) fn assemble(buf: &[u8], start: usize) -> Span {
    logcat_record(buf, start)
        .or_else(|| assemble_carried(buf, start))
        .unwrap_or_else(|| assemble_plain(buf, start))
}

/// An Android logcat record written over several lines, each with the same time, process,
/// thread, level and tag (`2026-01-09 18:22:31.402  4411  4411 E AndroidRuntime: `): a
/// `FATAL EXCEPTION` with its stack, an `ANR in` report. A stack when its lines carry frames.
fn logcat_record(buf: &[u8], start: usize) -> Option<Span> {
    let first = line_at(buf, start);
    let prefix = &first[..crate::prefilter::logcat_prefix_len(first)?];
    let mut it = Lines::after(buf, start);
    let (mut lines, mut frames) = (1usize, false);
    while lines < MAX_EVENT_LINES {
        match it.peek() {
            Some((_, l)) if l.starts_with(prefix) => {
                frames |= is_frame(&l[prefix.len()..]);
                it.advance();
                lines += 1;
            }
            _ => break,
        }
    }
    (lines > 1).then(|| Span {
        start,
        end: it.next,
        kind: if frames {
            EventKind::Stack
        } else {
            EventKind::ToolBlock
        },
        lines,
        level: level_of(first),
    })
}

/// The event read from a copy of its lines with their carrier taken off, mapped back: first
/// over the next 16 lines, more when the event fills them.
fn assemble_carried(buf: &[u8], start: usize) -> Option<Span> {
    let mut most = 16;
    loop {
        let carried = carrier::forward(buf, start, most)?;
        let inner = assemble_plain(&carried.text, 0);
        if inner.lines < carried.lines() || carried.lines() < most || most >= MAX_EVENT_LINES {
            return Some(Span {
                start,
                end: carried.origin(inner.lines),
                kind: inner.kind,
                lines: inner.lines,
                // A carrier may hold the record's level (vLLM's `ERROR 04-09 05:39:54 [x.py:1] `).
                level: inner.level.or_else(|| level_of(line_at(buf, start))),
            });
        }
        most *= 8;
    }
}

/// Assembles the event whose first line starts at `start`, its lines as they are.
fn assemble_plain(buf: &[u8], start: usize) -> Span {
    let first = line_at(buf, start);
    let mut it = Lines::after(buf, start);
    let mut lines = 1usize;
    // Read once: the level decides the shape here and the severity in the classifier.
    let level = level_of(first);
    let kind = initial_kind(first, &it, level);
    let take = |it: &mut Lines, lines: &mut usize| {
        it.advance();
        *lines += 1;
    };
    let kind = match kind {
        Initial::Kind(k) => k,
        Initial::HeaderThen(k) => {
            take(&mut it, &mut lines);
            k
        }
        Initial::HeaderGapThen(k) => {
            take(&mut it, &mut lines);
            take(&mut it, &mut lines);
            k
        }
        Initial::BodyThen(body, k) => {
            for _ in 0..=body {
                take(&mut it, &mut lines);
            }
            k
        }
        Initial::Block(walk) => {
            walk(&mut it, &mut lines);
            return Span {
                start,
                end: it.next,
                kind: EventKind::ToolBlock,
                lines,
                level,
            };
        }
    };
    match kind {
        EventKind::PythonTraceback => python(&mut it, &mut lines, first),
        EventKind::RustPanic => rust(&mut it, &mut lines, first),
        EventKind::GoPanic => go(&mut it, &mut lines),
        EventKind::Stack => stack(&mut it, &mut lines, first),
        EventKind::ToolBlock => tool_block(&mut it, &mut lines, first),
        EventKind::Line
            if starts_record(first) && may_head(level) && announces_body(first, &it) =>
        {
            record_body(&mut it, &mut lines)
        }
        EventKind::Line if starts_record(first) && may_head(level) && body_after_blank(&it) => {
            record_body_past_failures(&mut it, &mut lines)
        }
        EventKind::Line if level.is_some() && may_head(level) => {
            match lines::tagged_record_key(first) {
                Some(key) => tagged_report(&mut it, &mut lines, key),
                None => line_trailer(&mut it, &mut lines),
            }
        }
        EventKind::Line => line_trailer(&mut it, &mut lines),
    }
    Span {
        start,
        end: it.next,
        kind,
        lines,
        level,
    }
}

/// What may follow an exception line printed under `first`: its frames, or — when `first` is
/// a log record and the logger printed only the exception (`java.lang.OutOfMemoryError: Java
/// heap space`) — the next record or a blank line.
fn ends_exception(first: &[u8], l: &[u8]) -> bool {
    is_frame(l) || (starts_record(first) && (starts_record(l) || lines::is_blank(l)))
}

/// A record's level, read off its first line.
fn level_of(first: &[u8]) -> Option<crate::level::Level> {
    crate::level::level(&String::from_utf8_lossy(first))
}

/// An INFO/DEBUG/WARN record is never the header of a failure printed after it — but for a
/// WARN record's own caught exception (see `initial_kind`).
fn may_head(level: Option<crate::level::Level>) -> bool {
    use crate::level::Level;
    !matches!(level, Some(Level::Quiet | Level::Warn))
}

/// A line ending in "Traceback (most recent call last):" after some text of its own.
fn ends_with_traceback_start(l: &[u8]) -> bool {
    let t = l.trim_ascii_end();
    t.ends_with(b"Traceback (most recent call last):")
}

enum Initial {
    /// A record, `.0` lines of its message, then the traceback logged with it (whose first
    /// line is taken too).
    BodyThen(usize, EventKind),
    Kind(EventKind),
    /// The first line is a log header; the next line starts a structure of this kind.
    HeaderThen(EventKind),
    /// A log header, a blank line, then the first line of a structure of this kind.
    HeaderGapThen(EventKind),
    /// A tool's report walked to its end by its own walker (Terraform's `Error: …` over its
    /// paragraphs, a pytest `____ ERROR collecting … ____` section).
    Block(fn(&mut Lines, &mut usize)),
}

fn initial_kind(first: &[u8], it: &Lines, level: Option<crate::level::Level>) -> Initial {
    let t = trim_start(first);
    if is_traceback_start(first) {
        return Initial::Kind(EventKind::PythonTraceback);
    }
    if contains(first, b"panicked at")
        || contains(first, b"panicked while")
        || contains(first, b"has overflowed its stack")
    {
        return Initial::Kind(EventKind::RustPanic);
    }
    if t.starts_with(b"panic: ") || t.starts_with(b"fatal error: ") {
        return Initial::Kind(EventKind::GoPanic);
    }
    // Crystal's `Unhandled exception: … (DB::ConnectionRefused)` over its `  from …` frames
    // and `Caused by: … (PQ::ConnectionError)` sections.
    if t.starts_with(b"Unhandled exception: ") && it.peek().is_some_and(|(_, n)| is_indented(n)) {
        return Initial::Kind(EventKind::Stack);
    }
    let heads = may_head(level);
    let next = it.peek().map(|(_, l)| l);
    // `logger.error(traceback.format_exc())`, uvicorn's `ERROR:    Traceback (most recent
    // call last):`: the header and the traceback's first line share the line, frames follow.
    // A warning's own traceback too (ComfyUI's `WARNING - Traceback (most recent call last):`
    // over a custom node's failed import): the record is the traceback.
    let warns = matches!(level, Some(crate::level::Level::Warn));
    if (heads || warns)
        && ends_with_traceback_start(first)
        && next.is_some_and(|n| is_indented(n) || is_traceback_start(n))
    {
        return Initial::Kind(EventKind::PythonTraceback);
    }
    // `ERROR:    Exception in ASGI application` over the traceback it announces.
    if heads && next.is_some_and(is_traceback_start) {
        return Initial::HeaderThen(EventKind::PythonTraceback);
    }
    // `ERROR: Error cloning remote repo 'origin'` over the exception that says why, its
    // message on a few lines, then its frames (Jenkins).
    if heads
        && next.is_some_and(looks_like_exception_line)
        && shapes::frames_follow(it, 1).is_some()
    {
        return Initial::HeaderThen(EventKind::Stack);
    }
    if let Some(prefix) = run_prefix(first)
        && (prefix != lines::SBT_ERROR || next.is_some_and(lines::continues_sbt_report))
    {
        return Initial::Kind(EventKind::ToolBlock);
    }
    if shapes::is_windows_export_record(first) {
        return Initial::Block(shapes::windows_export_record);
    }
    if shapes::is_pytest_section(first) {
        return Initial::Block(shapes::pytest_section);
    }
    if let Some(shape) = record_over_stack(first, it, level, next) {
        return shape;
    }
    if let Some(next) = next.filter(|_| heads) {
        if is_traceback_start(next) {
            return Initial::HeaderThen(EventKind::PythonTraceback);
        }
        if is_frame(next)
            || (next.starts_with(b"Require stack:") && looks_like_exception_line(first))
        {
            return Initial::Kind(EventKind::Stack);
        }
        if looks_like_exception_line(next) && it.peek2().is_some_and(|l| ends_exception(first, l)) {
            return Initial::HeaderThen(EventKind::Stack);
        }
        // Spring's `… threw exception [… NullPointerException] with root cause`, or any
        // ERROR or FATAL record (Hikari's `Exception during pool initialization.`), a blank
        // line, then the exception's stack: the record that logged it.
        let logs_it = first.trim_ascii_end().ends_with(b"with root cause")
            || (starts_record(first)
                && matches!(
                    level,
                    Some(crate::level::Level::Error | crate::level::Level::Fatal)
                ));
        if logs_it
            && next.trim_ascii().is_empty()
            && it.peek2().is_some_and(|l| {
                looks_like_exception_line(l) && !trim_start(l).starts_with(b"Caused by:")
            })
        {
            return Initial::HeaderGapThen(EventKind::Stack);
        }
        if (next.starts_with(b"panic: ") || next.starts_with(b"fatal error: "))
            && !first.starts_with(b"panic: ")
        {
            return Initial::HeaderThen(EventKind::GoPanic);
        }
    }
    // An ERROR record whose message runs on over unstamped lines (Celery's "Received
    // unregistered task …" and its advice) and ends in the traceback logged with it.
    if heads
        && level.is_some()
        && starts_record(first)
        && !announces_body(first, it)
        && let Some(body) = shapes::traceback_below(it)
    {
        return Initial::BodyThen(body, EventKind::PythonTraceback);
    }
    // An error record quoting what it got (a response's body and headers) over the stack
    // of the error it logged.
    if heads
        && level.is_some()
        && starts_record(first)
        && let Some(body) = shapes::frames_below(it)
    {
        return Initial::BodyThen(body - 1, EventKind::Stack);
    }
    // An exception whose message runs on over a blank line before its frames (Prisma's
    // `PrismaClientInitializationError: Authentication failed …`, a blank line, `Please make
    // sure to provide valid database credentials …`, then `    at …`).
    if looks_like_exception_line(first) && shapes::frames_follow(it, 0).is_some_and(|n| n <= 3) {
        return Initial::Kind(EventKind::Stack);
    }
    report_block(first, it).unwrap_or(Initial::Kind(EventKind::Line))
}

/// A record of any level over the stack of what it caught, with no structure of its own to
/// tell it: Dagster's `… due to error: …` over a blank line and `Stack Trace:`, a WARN
/// record over the exception it caught (at once or after a blank line).
fn record_over_stack(
    first: &[u8],
    it: &Lines,
    level: Option<crate::level::Level>,
    next: Option<&[u8]>,
) -> Option<Initial> {
    // Dagster's `Failure loading location … due to error: …`, a blank line, `Stack Trace:`
    // over the frames of the serialized error.
    if level.is_some()
        && next.is_some_and(lines::is_blank)
        && it
            .peek2()
            .is_some_and(|l| l.trim_ascii_end() == b"Stack Trace:")
    {
        return Some(Initial::HeaderGapThen(EventKind::Stack));
    }
    // A WARN record with the exception it caught printed under it (a Java logger's
    // `LOG.warn("…", e)`): one event, the warning heading its stack — after a blank line
    // too (Sonarr's `Couldn't import episode …`, then `[v4.0.11] System.Unauthorized…`).
    if level == Some(crate::level::Level::Warn) {
        if next.is_some_and(looks_like_exception_line)
            && it.peek2().is_some_and(|l| ends_exception(first, l))
        {
            return Some(Initial::HeaderThen(EventKind::Stack));
        }
        if next.is_some_and(lines::is_blank)
            && it.peek2().is_some_and(looks_like_exception_line)
            && shapes::frames_follow(it, 2).is_some()
        {
            return Some(Initial::HeaderGapThen(EventKind::Stack));
        }
    }
    None
}

/// A tool's report that its first line (and the next) tell: a compiler's `error: …`, a
/// summary over paragraphs, Oracle's NI block, PowerShell's error record, a ruled report.
fn report_block(first: &[u8], it: &Lines) -> Option<Initial> {
    if is_tool_block_start(first) {
        return Some(Initial::Kind(EventKind::ToolBlock));
    }
    let walk: fn(&mut Lines, &mut usize) = if shapes::is_opam_failure(first) {
        shapes::opam_report
    } else if trim_start(first).starts_with("✘ [ERROR] ".as_bytes()) {
        shapes::indented_paragraphs
    } else if first.starts_with(b"ERROR ~ ") {
        shapes::nextflow_report
    } else if shapes::is_report_summary(first, it) {
        shapes::report_paragraphs
    } else if first.starts_with(b"Fatal NI connect error ") {
        shapes::until_next_record
    } else if it
        .peek()
        .is_some_and(|(_, l)| shapes::is_powershell_position(l))
    {
        shapes::powershell_record
    } else if shapes::is_ruled_headline(first, it) {
        shapes::ruled_report
    } else if shapes::is_headline_exception(first, it) {
        shapes::headline_body
    } else {
        return None;
    };
    Some(Initial::Block(walk))
}

/// The lines of an event that rules match against: frames and source-code lines are left out
/// (so `raise TimeoutError` in a frame cannot make a timeout), messages and causes are kept.
pub(crate) fn is_message_line(kind: EventKind, line: &[u8], index: usize) -> bool {
    if index == 0 {
        return true;
    }
    let line = carrier::behind_carrier(line);
    match kind {
        EventKind::Line | EventKind::ToolBlock => true,
        EventKind::PythonTraceback | EventKind::RustPanic => !is_indented(line),
        EventKind::GoPanic => !is_indented(line) && !line.starts_with(b"goroutine "),
        EventKind::Stack => !is_frame(line),
    }
}

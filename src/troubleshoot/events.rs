//! Events, not lines: assembling the lines of one failure into one event.
//!
//! Given the first line of a candidate failure inside a buffer, `assemble` walks forward over
//! the lines that belong to it — Python tracebacks (chained ones too), Rust panics with
//! backtraces, Java/Kotlin stacks with `Caused by:`, Node errors with `at` frames and require
//! stacks, Go panics with goroutine dumps, compiler/package-manager error blocks — and returns
//! the byte range. It works on raw bytes and never needs UTF-8.

/// Most lines one event may span; beyond this the event is cut (the excerpt says so).
pub const MAX_EVENT_LINES: usize = 2000;
/// Bytes of one line kept for matching and excerpts.
pub const MAX_LINE_BYTES: usize = 64 << 10;

/// The shape of an event, which decides what continues it and which lines are its message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EventKind {
    Line,
    PythonTraceback,
    RustPanic,
    GoPanic,
    Stack,
    ToolBlock,
}

impl EventKind {
    /// Multi-line runtime failures are failures even when no rule knows them.
    pub fn is_structural(self) -> bool {
        !matches!(self, EventKind::Line | EventKind::ToolBlock)
    }
}

/// The byte range and shape of an assembled event within a buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    /// Just past the last line's newline (or the buffer end).
    pub end: usize,
    pub kind: EventKind,
    pub lines: usize,
}

/// The end of the line starting at `s` (index of its `\n`, or `buf.len()`).
#[inline]
pub fn line_end(buf: &[u8], s: usize) -> usize {
    memchr::memchr(b'\n', &buf[s..]).map_or(buf.len(), |p| s + p)
}

/// The line starting at `s`, without `\n`/`\r\n`, capped at `MAX_LINE_BYTES`.
#[inline]
pub fn line_at(buf: &[u8], s: usize) -> &[u8] {
    let e = line_end(buf, s);
    let mut l = &buf[s..e];
    if l.last() == Some(&b'\r') {
        l = &l[..l.len() - 1];
    }
    &l[..l.len().min(MAX_LINE_BYTES)]
}

/// Start of the line containing byte `pos`.
#[inline]
pub fn line_start(buf: &[u8], pos: usize) -> usize {
    memchr::memrchr(b'\n', &buf[..pos]).map_or(0, |p| p + 1)
}

fn trim_start(l: &[u8]) -> &[u8] {
    let n = l.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &l[n..]
}

fn is_blank(l: &[u8]) -> bool {
    l.iter().all(|b| b.is_ascii_whitespace())
}

fn is_indented(l: &[u8]) -> bool {
    matches!(l.first(), Some(b' ' | b'\t')) && !is_blank(l)
}

fn contains(l: &[u8], needle: &[u8]) -> bool {
    memchr::memmem::find(l, needle).is_some()
}

/// A stack frame line of Java, Kotlin, Node, C# (`at …`) or an elision (`... 12 more`).
pub fn is_frame(l: &[u8]) -> bool {
    if !is_indented(l) {
        return false;
    }
    let t = trim_start(l);
    t.starts_with(b"at ") || t.starts_with(b"... ") || t.starts_with(b"File \"")
}

const CHAIN_MARKERS: [&[u8]; 2] = [
    b"During handling of the above exception, another exception occurred:",
    b"The above exception was the direct cause of the following exception:",
];

fn is_chain_marker(l: &[u8]) -> bool {
    let t = trim_start(l);
    CHAIN_MARKERS.iter().any(|m| t.starts_with(m))
}

fn is_traceback_start(l: &[u8]) -> bool {
    let t = trim_start(l);
    t.starts_with(b"Traceback (most recent call last)")
        || t.starts_with(b"+ Exception Group Traceback (most recent call last)")
}

/// `java.lang.IllegalStateException: …`, `Caused by: …`, `Exception in thread "main" …`.
fn looks_like_exception_line(l: &[u8]) -> bool {
    let t = trim_start(l);
    if t.starts_with(b"Exception in thread") || t.starts_with(b"Caused by:") {
        return true;
    }
    let head = &t[..t.len().min(200)];
    let name_end = head
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'$' | b'_')))
        .unwrap_or(head.len());
    let name = &head[..name_end];
    (name.ends_with(b"Exception") || name.ends_with(b"Error") || name.ends_with(b"Throwable"))
        && (name_end == head.len() || head[name_end] == b':' || head[name_end] == b' ')
}

/// Line prefixes of tools that print one incident as a run of lines with the same prefix.
const RUN_PREFIXES: [&[u8]; 7] = [
    b"npm ERR! ",
    b"npm error ",
    b"ERROR: ",
    b"E: ",
    b"gyp ERR! ",
    b"gyp error ",
    b"nginx: ",
];

/// Starts of compiler / package-manager error blocks whose body is indented.
fn is_tool_block_start(l: &[u8]) -> bool {
    l.starts_with(b"error: ")
        || l.starts_with(b"error[E")
        || l.starts_with(b"  \xc3\x97 ")
        || l.starts_with(b"\xc3\x97 ")
}

/// Iterates line starts after `s`.
struct Lines<'a> {
    buf: &'a [u8],
    next: usize,
}

impl<'a> Lines<'a> {
    fn after(buf: &'a [u8], s: usize) -> Self {
        let e = line_end(buf, s);
        Lines {
            buf,
            next: (e + 1).min(buf.len()),
        }
    }
    /// The next line's start and text without consuming it.
    fn peek(&self) -> Option<(usize, &'a [u8])> {
        (self.next < self.buf.len()).then(|| (self.next, line_at(self.buf, self.next)))
    }
    /// The line after the next one.
    fn peek2(&self) -> Option<&'a [u8]> {
        let e = line_end(self.buf, self.next);
        (e + 1 < self.buf.len()).then(|| line_at(self.buf, e + 1))
    }
    fn advance(&mut self) {
        let e = line_end(self.buf, self.next);
        self.next = (e + 1).min(self.buf.len());
    }
}

/// Assembles the event whose first line starts at `start`; `limit` is the last byte usable.
pub fn assemble(buf: &[u8], start: usize) -> Span {
    let first = line_at(buf, start);
    let mut it = Lines::after(buf, start);
    let mut lines = 1usize;
    let kind = initial_kind(first, &it);
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
    };
    match kind {
        EventKind::PythonTraceback => python(&mut it, &mut lines, first),
        EventKind::RustPanic => rust(&mut it, &mut lines, first),
        EventKind::GoPanic => go(&mut it, &mut lines),
        EventKind::Stack => stack(&mut it, &mut lines),
        EventKind::ToolBlock => tool_block(&mut it, &mut lines, first),
        EventKind::Line
            if starts_record(first) && may_head(first) && announces_body(first, &it) =>
        {
            record_body(&mut it, &mut lines)
        }
        EventKind::Line => line_trailer(&mut it, &mut lines),
    }
    Span {
        start,
        end: it.next,
        kind,
        lines,
    }
}

/// An INFO/DEBUG/WARN record is never the header of a failure printed after it.
fn may_head(first: &[u8]) -> bool {
    use crate::troubleshoot::classify::{Level, level};
    !matches!(
        level(&String::from_utf8_lossy(first)),
        Some(Level::Quiet | Level::Warn)
    )
}

enum Initial {
    Kind(EventKind),
    /// The first line is a log header; the next line starts a structure of this kind.
    HeaderThen(EventKind),
}

fn initial_kind(first: &[u8], it: &Lines) -> Initial {
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
    if RUN_PREFIXES.iter().any(|p| first.starts_with(p)) {
        return Initial::Kind(EventKind::ToolBlock);
    }
    let next = it.peek().map(|(_, l)| l);
    if let Some(next) = next.filter(|_| may_head(first)) {
        if is_traceback_start(next) {
            return Initial::HeaderThen(EventKind::PythonTraceback);
        }
        if is_frame(next)
            || (next.starts_with(b"Require stack:") && looks_like_exception_line(first))
        {
            return Initial::Kind(EventKind::Stack);
        }
        if looks_like_exception_line(next) && it.peek2().is_some_and(is_frame) {
            return Initial::HeaderThen(EventKind::Stack);
        }
        if (next.starts_with(b"panic: ") || next.starts_with(b"fatal error: "))
            && !first.starts_with(b"panic: ")
        {
            return Initial::HeaderThen(EventKind::GoPanic);
        }
    }
    if is_tool_block_start(first) {
        return Initial::Kind(EventKind::ToolBlock);
    }
    Initial::Kind(EventKind::Line)
}

fn python(it: &mut Lines, lines: &mut usize, _first: &[u8]) {
    #[derive(PartialEq)]
    enum St {
        Frames,
        AfterException,
        ExpectTraceback,
    }
    let mut st = St::Frames;
    while *lines < MAX_EVENT_LINES {
        let Some((_, l)) = it.peek() else { break };
        match st {
            St::Frames => {
                if is_indented(l) || is_traceback_start(l) {
                } else if is_blank(l) {
                    break;
                } else {
                    st = St::AfterException;
                }
            }
            St::AfterException => {
                if is_chain_marker(l) {
                    st = St::ExpectTraceback;
                } else if is_blank(l) {
                    // A blank line continues the event only when a chain marker follows it.
                    if !it.peek2().is_some_and(is_chain_marker) {
                        break;
                    }
                } else if !is_indented(l) {
                    break;
                }
            }
            St::ExpectTraceback => {
                if is_traceback_start(l) {
                    st = St::Frames;
                } else if !is_blank(l) {
                    break;
                }
            }
        }
        it.advance();
        *lines += 1;
    }
}

fn rust(it: &mut Lines, lines: &mut usize, first: &[u8]) {
    // Since Rust 1.73 the message is on the line after "panicked at file:line:col:".
    if first.ends_with(b":")
        && let Some((_, l)) = it.peek()
        && !is_blank(l)
    {
        it.advance();
        *lines += 1;
    }
    while *lines < MAX_EVENT_LINES {
        let Some((_, l)) = it.peek() else { break };
        let ok = l.starts_with(b"note: ")
            || l.starts_with(b"stack backtrace:")
            || l.starts_with(b"fatal runtime error:")
            || is_indented(l)
            || (l.starts_with(b"thread '") && contains(l, b"panicked"));
        if !ok {
            break;
        }
        it.advance();
        *lines += 1;
    }
}

fn go(it: &mut Lines, lines: &mut usize) {
    let mut in_dump = false;
    while *lines < MAX_EVENT_LINES {
        let Some((_, l)) = it.peek() else { break };
        let ok = if is_blank(l) {
            it.peek2()
                .is_some_and(|n| n.starts_with(b"goroutine ") || n.starts_with(b"runtime stack:"))
        } else if l.starts_with(b"goroutine ") || l.starts_with(b"runtime stack:") {
            in_dump = true;
            true
        } else {
            (in_dump && is_go_frame(l))
                || l.starts_with(b"[signal ")
                || is_indented(l)
                || l.starts_with(b"exit status ")
        };
        if !ok {
            break;
        }
        it.advance();
        *lines += 1;
    }
}

/// A function line of a goroutine dump: `main.main()`, `net/http.(*conn).serve(0xc0)`,
/// `created by main.main in goroutine 1`, `...additional frames elided...`.
fn is_go_frame(l: &[u8]) -> bool {
    if l.starts_with(b"created by ") || l.starts_with(b"...") {
        return true;
    }
    let Some(open) = l.iter().position(|&b| b == b'(') else {
        return false;
    };
    open > 0
        && !l[..open].iter().any(|b| b.is_ascii_whitespace())
        && (l.ends_with(b")") || l.ends_with(b"...)") || l.ends_with(b"..."))
}

fn stack(it: &mut Lines, lines: &mut usize) {
    let mut in_require_stack = false;
    while *lines < MAX_EVENT_LINES {
        let Some((_, l)) = it.peek() else { break };
        let t = trim_start(l);
        let ok = if l.starts_with(b"Require stack:") {
            in_require_stack = true;
            true
        } else {
            is_indented(l)
                || t.starts_with(b"Caused by:")
                || t.starts_with(b"Suppressed:")
                || t.starts_with(b"Wrapped by:")
                || (in_require_stack && l.starts_with(b"- "))
                || l.starts_with(b"}")
                || l.starts_with(b"Node.js v")
        };
        if !ok {
            break;
        }
        it.advance();
        *lines += 1;
    }
}

fn tool_block(it: &mut Lines, lines: &mut usize, first: &[u8]) {
    if let Some(prefix) = RUN_PREFIXES.iter().find(|p| first.starts_with(p)) {
        while *lines < MAX_EVENT_LINES {
            let Some((_, l)) = it.peek() else { break };
            if !l.starts_with(prefix) {
                break;
            }
            it.advance();
            *lines += 1;
        }
        return;
    }
    while *lines < MAX_EVENT_LINES {
        let Some((_, l)) = it.peek() else { break };
        let ok = if is_blank(l) {
            it.peek2()
                .is_some_and(|n| is_indented(n) || n.starts_with(b"Caused by:"))
        } else {
            is_indented(l)
                || l.starts_with(b"Caused by:")
                || l.starts_with(b"  |")
                || l.first().is_some_and(|b| b.is_ascii_digit()) && contains(l, b" |")
        };
        if !ok {
            break;
        }
        it.advance();
        *lines += 1;
    }
}

/// Lines that begin a new log record: a leading timestamp (ISO, `2024/01/02 `, syslog,
/// bracketed) or a bracketed level. Used to find where a multi-line record ends.
pub fn starts_record(l: &[u8]) -> bool {
    let l = l.strip_prefix(b"[").unwrap_or(l);
    let digits = |s: &[u8], n: usize| s.len() >= n && s[..n].iter().all(u8::is_ascii_digit);
    let iso = digits(l, 4)
        && l.len() >= 13
        && matches!(l[4], b'-' | b'/')
        && digits(&l[5..], 2)
        && l[7] == l[4]
        && digits(&l[8..], 2)
        && matches!(l[10], b'T' | b' ')
        && digits(&l[11..], 2);
    let clock = l.len() >= 8 && digits(l, 2) && l[2] == b':' && digits(&l[3..], 2) && l[5] == b':';
    const MONTHS: [&[u8]; 12] = [
        b"Jan ", b"Feb ", b"Mar ", b"Apr ", b"May ", b"Jun ", b"Jul ", b"Aug ", b"Sep ", b"Oct ",
        b"Nov ", b"Dec ",
    ];
    const LEVELS: [&[u8]; 7] = [
        b"ERROR]",
        b"WARN]",
        b"WARNING]",
        b"INFO]",
        b"DEBUG]",
        b"FATAL]",
        b"TRACE]",
    ];
    iso || clock
        || MONTHS.iter().any(|m| l.starts_with(m))
        || LEVELS.iter().any(|v| l.starts_with(v))
}

/// A record announces a body on the lines after it when it ends with `:` (Spring's failure
/// analysis, "Exception in worker process:") or a goroutine dump follows (`http: panic serving`).
fn announces_body(first: &[u8], it: &Lines) -> bool {
    let t = first.trim_ascii_end();
    t.ends_with(b":") || it.peek().is_some_and(|(_, l)| l.starts_with(b"goroutine "))
}

/// A non-indented line that begins a failure of its own (`KeyError: …`, `Traceback …`).
fn starts_failure(l: &[u8]) -> bool {
    if l.starts_with(b"Traceback ")
        || l.starts_with(b"panic: ")
        || l.starts_with(b"fatal error: ")
        || l.starts_with(b"thread '")
    {
        return true;
    }
    let name_end = l
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'$' | b'_')))
        .unwrap_or(l.len());
    let name = &l[..name_end];
    (name.ends_with(b"Error") || name.ends_with(b"Exception")) && l.get(name_end) == Some(&b':')
}

/// The body of a timestamped record: following lines up to the next record start (Spring's
/// failure reports, Go's `http: panic serving` dumps, messages with blank lines inside).
/// Trailing blank lines are left out.
fn record_body(it: &mut Lines, lines: &mut usize) {
    const MAX_BODY_LINES: usize = 300;
    let start_lines = *lines;
    let mut end_next = it.next;
    let mut end_lines = *lines;
    while *lines < MAX_EVENT_LINES && *lines - start_lines < MAX_BODY_LINES {
        let Some((_, l)) = it.peek() else { break };
        let first_body_line = *lines == start_lines;
        if starts_record(l) || (!first_body_line && starts_failure(l)) {
            break;
        }
        it.advance();
        *lines += 1;
        if !is_blank(l) {
            end_next = it.next;
            end_lines = *lines;
        }
    }
    it.next = end_next;
    *lines = end_lines;
}

/// A one-line record keeps its indented continuation lines (multi-line messages, psql's
/// hints) and a tool's closing `fatal:` line (git).
fn line_trailer(it: &mut Lines, lines: &mut usize) {
    while *lines < MAX_EVENT_LINES {
        let Some((_, l)) = it.peek() else { break };
        if !(is_indented(l) || l.starts_with(b"fatal: ")) {
            break;
        }
        it.advance();
        *lines += 1;
    }
}

/// The lines of an event that rules match against: frames and source-code lines are left out
/// (so `raise TimeoutError` in a frame cannot make a timeout), messages and causes are kept.
pub fn is_message_line(kind: EventKind, line: &[u8], index: usize) -> bool {
    if index == 0 {
        return true;
    }
    match kind {
        EventKind::Line | EventKind::ToolBlock => true,
        EventKind::PythonTraceback | EventKind::RustPanic => !is_indented(line),
        EventKind::GoPanic => !is_indented(line) && !line.starts_with(b"goroutine "),
        EventKind::Stack => !is_frame(line),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn span_of(text: &str, first_line: usize) -> (EventKind, usize, String) {
        let buf = text.as_bytes();
        let mut start = 0;
        for _ in 0..first_line {
            start = line_end(buf, start) + 1;
        }
        let s = assemble(buf, start);
        (s.kind, s.lines, text[s.start..s.end].to_string())
    }

    #[test]
    fn python_chained_traceback_is_one_event() {
        let text = "INFO start\nTraceback (most recent call last):\n  File \"a.py\", line 1, in <module>\n    import foo\nModuleNotFoundError: No module named 'foo'\n\nDuring handling of the above exception, another exception occurred:\n\nTraceback (most recent call last):\n  File \"a.py\", line 3, in <module>\n    raise RuntimeError('x')\nRuntimeError: x\nINFO next\n";
        let (kind, lines, body) = span_of(text, 1);
        assert_eq!(kind, EventKind::PythonTraceback);
        assert_eq!(lines, 11, "{body}");
        assert!(body.ends_with("RuntimeError: x\n"));
    }

    #[test]
    fn header_line_joins_its_traceback() {
        let text = "2024-01-01 ERROR app: boom\nTraceback (most recent call last):\n  File \"x\", line 1\nValueError: bad\nnext\n";
        let (kind, lines, _) = span_of(text, 0);
        assert_eq!((kind, lines), (EventKind::PythonTraceback, 4));
    }

    #[test]
    fn info_line_is_not_a_header() {
        let text = "INFO evaluating, errors=0\nTraceback (most recent call last):\n  File \"x\"\nValueError: bad\n";
        let (kind, lines, _) = span_of(text, 0);
        assert_eq!((kind, lines), (EventKind::Line, 1));
    }

    #[test]
    fn java_stack_with_cause_and_header() {
        let text = "2024-01-01 12:00:00 ERROR [main] App - Startup failed\norg.springframework.beans.factory.BeanCreationException: Error creating bean\n\tat org.A.b(A.java:1)\n\tat org.A.c(A.java:2)\nCaused by: java.net.ConnectException: Connection refused\n\tat x.y(Z.java:3)\n\t... 12 more\n2024-01-01 12:00:01 INFO next\n";
        let (kind, lines, _) = span_of(text, 0);
        assert_eq!((kind, lines), (EventKind::Stack, 7));
    }

    #[test]
    fn node_error_with_require_stack() {
        let text = "node:internal/modules/cjs/loader:1080\n  throw err;\n  ^\n\nError: Cannot find module 'express'\nRequire stack:\n- /app/server.js\n    at Module._resolveFilename (node:internal/modules/cjs/loader:1077:15)\n    at Module._load (node:internal/modules/cjs/loader:922:27) {\n  code: 'MODULE_NOT_FOUND',\n  requireStack: [ '/app/server.js' ]\n}\n\nNode.js v18.17.0\n";
        let (kind, lines, _) = span_of(text, 4);
        assert_eq!(kind, EventKind::Stack);
        assert_eq!(lines, 8);
    }

    #[test]
    fn rust_panic_new_format_with_backtrace() {
        let text = "thread 'main' panicked at src/main.rs:4:5:\nindex out of bounds: the len is 3 but the index is 99\nstack backtrace:\n   0: rust_begin_unwind\n             at /rustc/x/library/std/src/panicking.rs:645:5\nnote: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.\nnormal line\n";
        let (kind, lines, _) = span_of(text, 0);
        assert_eq!((kind, lines), (EventKind::RustPanic, 6));
    }

    #[test]
    fn go_panic_with_goroutines() {
        let text = "panic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x47c1e5]\n\ngoroutine 1 [running]:\nmain.main()\n\t/tmp/x.go:8 +0x15\n\ngoroutine 6 [chan receive]:\nmain.worker()\n\t/tmp/x.go:20 +0x2a\nexit status 2\n\nnext thing\n";
        let (kind, lines, _) = span_of(text, 0);
        assert_eq!((kind, lines), (EventKind::GoPanic, 11));
    }

    #[test]
    fn go_dump_stops_at_the_next_log_line_without_a_blank() {
        let text = "panic: boom\n\ngoroutine 1 [running]:\nmain.main()\n\t/x/main.go:5 +0x1d\nnet/http.(*conn).serve(0xc0001ad040)\n\t/usr/local/go/src/net/http/server.go:1769 +0x139\ncreated by main.main in goroutine 1\n\t/x/main.go:3 +0x20\n2024-05-01T12:00:00Z INFO next request\nModuleNotFoundError: No module named 'x'\n";
        let (kind, lines, _) = span_of(text, 0);
        assert_eq!((kind, lines), (EventKind::GoPanic, 9));
    }

    #[test]
    fn cargo_build_script_block_includes_indented_panic() {
        let text = "error: failed to run custom build command for `openssl-sys v0.9.102`\n\nCaused by:\n  process didn't exit successfully: `/t/build-script-build` (exit status: 101)\n  --- stderr\n  thread 'main' panicked at build.rs:1:1:\n  Could not find directory of OpenSSL installation\nwarning: build failed, waiting for other jobs to finish...\n";
        let (kind, lines, _) = span_of(text, 0);
        assert_eq!((kind, lines), (EventKind::ToolBlock, 7));
    }

    #[test]
    fn timestamped_record_keeps_its_body() {
        let text = "[ERROR] 2023-10-26 19:57:30.940 [main] o.s.b.d.LoggingFailureAnalysisReporter: \n\n***\nAPPLICATION FAILED TO START\n***\n\nDescription:\n\nWeb server failed to start. Port 5081 was already in use.\n\n[INFO] 2023-10-26 19:57:31.000 next\n";
        let (kind, lines, body) = span_of(text, 0);
        assert_eq!((kind, lines), (EventKind::Line, 9), "{body}");
        assert!(body.trim_end().ends_with("already in use."));
        assert!(starts_record(b"2024/01/15 10:23:45 [error] x"));
        assert!(starts_record(b"May  1 02:03:04 host kernel: x"));
        assert!(!starts_record(
            b"10.0.0.1 - - [10/Oct/2023:13:55:36 +0000] x"
        ));
    }

    #[test]
    fn npm_err_run_is_one_event() {
        let text = "npm ERR! code ERESOLVE\nnpm ERR! ERESOLVE unable to resolve dependency tree\nnpm ERR! Found: react@18.2.0\nadded 3 packages\n";
        let (kind, lines, _) = span_of(text, 0);
        assert_eq!((kind, lines), (EventKind::ToolBlock, 3));
    }

    #[test]
    fn single_line_and_crlf() {
        let text = "a 500 thing\r\nnext\r\n";
        let (kind, lines, body) = span_of(text, 0);
        assert_eq!((kind, lines), (EventKind::Line, 1));
        assert_eq!(body, "a 500 thing\r\n");
        assert_eq!(line_at(text.as_bytes(), 0), b"a 500 thing");
    }

    #[test]
    fn event_at_buffer_end_without_newline() {
        let text = "Traceback (most recent call last):\n  File \"x\"\nKeyError: 'a'";
        let (kind, lines, body) = span_of(text, 0);
        assert_eq!((kind, lines), (EventKind::PythonTraceback, 3));
        assert!(body.ends_with("'a'"));
    }
}

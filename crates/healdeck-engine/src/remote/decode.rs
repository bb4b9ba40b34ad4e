//! From a reading program's output to log text and a resume position, line by line: a
//! file's bytes pass as they are (the position is the byte count), journal entries become
//! syslog-shaped lines (the position is the entry's cursor), container lines keep their
//! timestamp (the position), and lines at or before the timestamp a reconnect resumed from
//! are dropped, so nothing is read twice. The decoder also says where the history a previous
//! run already reported ends (`saved`).

use super::command::Position;
use super::journal::JournalText;
use super::spec::{RemoteTarget, StreamSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Bytes,
    Journal,
    Container,
}

/// Turns lines into text, tracking the position after the last one.
#[derive(Debug)]
pub(crate) struct Decoder {
    kind: Kind,
    pub position: Position,
    journal: JournalText,
    /// Where the previous run stopped: lines up to it are history.
    saved: Option<Position>,
    pub reached_saved: bool,
    /// The watcher was told where history ends.
    pub history_told: bool,
    /// A container run's start: the stamp it resumed at and how many lines with that stamp
    /// were read before, and how many of those this run has passed over so far.
    resume: Option<(String, u32)>,
    passed: u32,
    /// The last container line's stamp, and whether a line after it may continue its block.
    block: Option<(String, bool)>,
}

/// A container timestamp as (date and time, nanoseconds), for comparing `…:05.5Z` with
/// `…:05.45Z` correctly.
fn ts_key(ts: &str) -> Option<(&str, u32)> {
    let body = ts.strip_suffix('Z')?;
    let (whole, frac) = body.split_once('.').unwrap_or((body, ""));
    if frac.len() > 9 || !frac.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let nanos = format!("{frac:0<9}").parse().ok()?;
    Some((whole, nanos))
}

fn not_after(ts: &str, limit: &str) -> bool {
    match (ts_key(ts), ts_key(limit)) {
        (Some(a), Some(b)) => a <= b,
        _ => false,
    }
}

impl Decoder {
    pub(crate) fn new(spec: &StreamSpec, saved: Option<Position>) -> Self {
        let kind = match spec {
            StreamSpec::Journal(_)
            | StreamSpec::Ssh {
                target: RemoteTarget::Journal(_),
                ..
            } => Kind::Journal,
            StreamSpec::Ssh { .. } => Kind::Bytes,
            StreamSpec::Container { .. } => Kind::Container,
        };
        let saved = saved.filter(|p| *p != Position::Start);
        Decoder {
            kind,
            position: if kind == Kind::Bytes {
                Position::Offset(0)
            } else {
                Position::Start
            },
            journal: JournalText::default(),
            reached_saved: saved.is_none(),
            history_told: false,
            saved,
            resume: None,
            passed: 0,
            block: None,
        }
    }

    /// A reading program starts again from `position`: what it repeats is dropped.
    pub(crate) fn begin_run(&mut self) {
        self.resume = self.position.since().map(|(ts, n)| (ts.to_string(), n));
        self.passed = 0;
    }

    /// Whether a container line stamped `ts` was read before this run (and is repeated).
    fn repeated(&mut self, ts: &str) -> bool {
        let Some((resumed, read)) = &self.resume else {
            return false;
        };
        match (ts_key(ts), ts_key(resumed)) {
            (Some(a), Some(b)) if a < b => true,
            (Some(a), Some(b)) if a == b && self.passed < *read => {
                self.passed += 1;
                true
            }
            _ => {
                self.resume = None;
                false
            }
        }
    }

    /// Lines in `block` (each ending in `\n`, the last perhaps not) appended to `out`, with
    /// a mark after each line: the length of `out` there and the position to resume from once
    /// everything before it is handled. Returns the length `out` had where the saved
    /// position was reached, when this block reached it.
    pub(crate) fn lines(
        &mut self,
        block: &[u8],
        out: &mut Vec<u8>,
        marks: &mut Vec<(usize, Position)>,
    ) -> Option<usize> {
        let mut boundary = None;
        for line in block.split_inclusive(|&b| b == b'\n') {
            if !self.reached_saved && self.passes_saved(line) {
                self.reached_saved = true;
                boundary = Some(out.len());
            }
            self.line(line, out);
            marks.push((out.len(), self.position.clone()));
            if !self.reached_saved && self.at_saved() {
                self.reached_saved = true;
                boundary = Some(out.len());
            }
        }
        boundary
    }

    fn at_saved(&self) -> bool {
        match (&self.position, &self.saved) {
            (Position::Offset(n), Some(Position::Offset(s))) => n >= s,
            (Position::Cursor(c), Some(Position::Cursor(s))) => c == s,
            (p, Some(s)) => match (p.since(), s.since()) {
                (Some((t, n)), Some((st, sn))) => t == st && (n >= sn || sn == u32::MAX),
                _ => false,
            },
            _ => false,
        }
    }

    /// A container line stamped after the saved time: history ended before it (the saved
    /// line itself may be gone).
    fn passes_saved(&self, line: &[u8]) -> bool {
        let Some((saved, _)) = self.saved.as_ref().and_then(Position::since) else {
            return false;
        };
        let text = String::from_utf8_lossy(line);
        let ts = text.split(' ').next().unwrap_or("");
        ts_key(ts).is_some() && !not_after(ts, saved)
    }

    fn line(&mut self, line: &[u8], out: &mut Vec<u8>) {
        match self.kind {
            Kind::Bytes => {
                out.extend_from_slice(line);
                if let Position::Offset(n) = &mut self.position {
                    *n += line.len() as u64;
                }
            }
            Kind::Journal => {
                if let Some(entry) = self.journal.entry(line, out)
                    && let Some(cursor) = entry.cursor
                {
                    self.position = Position::Cursor(cursor);
                }
            }
            Kind::Container => {
                let text = String::from_utf8_lossy(line);
                let ts = text.split(' ').next().unwrap_or("");
                if ts_key(ts).is_none() {
                    // Not a timestamped line (the client's own message): kept as it is.
                    out.extend_from_slice(line);
                    return;
                }
                if self.repeated(ts) {
                    return;
                }
                self.container_line(ts, &text, out);
                self.position = match self.position.since() {
                    Some((last, n)) if last == ts && n != u32::MAX => {
                        Position::SinceLine(ts.to_string(), n + 1)
                    }
                    _ => Position::SinceLine(ts.to_string(), 1),
                };
            }
        }
    }

    /// Writes a container line. The engine stamps every line; a line that continues a block
    /// printed at once (indented or blank, or after a line ending in `:` or indented, within
    /// the same second) is written without the stamp, as the program printed it, so a
    /// traceback is one event as it is in a file.
    fn container_line(&mut self, ts: &str, text: &str, out: &mut Vec<u8>) {
        let line = text.trim_end_matches(['\n', '\r']);
        let body = line.get(ts.len() + 1..).unwrap_or("");
        let indented_or_blank = body.trim().is_empty() || body.starts_with([' ', '\t']);
        let second = |t: &str| ts_key(t).map(|(whole, _)| whole.to_string());
        let continues = self
            .block
            .as_ref()
            .is_some_and(|(last, open)| second(last) == second(ts) && (*open || indented_or_blank));
        out.extend_from_slice(if continues { body } else { line }.as_bytes());
        out.push(b'\n');
        let open = body.trim_end().ends_with(':') || indented_or_blank;
        self.block = Some((ts.to_string(), open));
    }

    /// Lines that were not journal entries.
    pub(crate) fn skipped(&self) -> u64 {
        self.journal.skipped
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(t: &str) -> StreamSpec {
        t.parse().expect("spec")
    }

    #[test]
    fn file_bytes_count_and_the_saved_offset_splits_history() {
        let mut d = Decoder::new(&spec("ssh://h/var/log/a.log"), Some(Position::Offset(4)));
        let mut out = Vec::new();
        assert_eq!(d.lines(b"one\ntwo\n", &mut out, &mut Vec::new()), Some(4));
        assert_eq!(d.position, Position::Offset(8));
        assert_eq!(d.lines(b"three\n", &mut out, &mut Vec::new()), None);
        assert_eq!(out, b"one\ntwo\nthree\n");
    }

    #[test]
    fn container_lines_a_reconnect_repeats_are_dropped_and_shared_stamps_kept() {
        let mut d = Decoder::new(&spec("docker://web"), None);
        let mut out = Vec::new();
        d.begin_run();
        // A traceback written at once: the engine stamps its lines alike.
        d.lines(
            b"2026-12-02T10:00:05.45Z a\n2026-12-02T10:00:05.5Z Traceback\n\
              2026-12-02T10:00:05.5Z   File x\n",
            &mut out,
            &mut Vec::new(),
        );
        assert_eq!(
            d.position,
            Position::SinceLine("2026-12-02T10:00:05.5Z".into(), 2)
        );
        // A reconnect with --since repeats the lines with the last stamp (and may repeat
        // earlier ones); a line with that stamp beyond those read is new.
        d.begin_run();
        d.lines(
            b"2026-12-02T10:00:05.45Z a\n2026-12-02T10:00:05.5Z Traceback\n\
              2026-12-02T10:00:05.5Z   File x\n2026-12-02T10:00:05.5Z Error: y\n\
              2026-12-02T10:00:06Z c\n2026-12-02T10:00:06Z d\n",
            &mut out,
            &mut Vec::new(),
        );
        assert_eq!(
            String::from_utf8_lossy(&out),
            "2026-12-02T10:00:05.45Z a\n2026-12-02T10:00:05.5Z Traceback\n  File x\nError: y\n\
             2026-12-02T10:00:06Z c\n2026-12-02T10:00:06Z d\n",
            "the block's lines written bare, as printed; the rest stamped"
        );
        // A position saved before line counts were kept: every line of its stamp was read.
        let mut d = Decoder::new(&spec("docker://web"), None);
        d.position = Position::Since("2026-12-02T10:00:05.5Z".into());
        d.begin_run();
        let mut out = Vec::new();
        d.lines(
            b"2026-12-02T10:00:05.5Z b\n2026-12-02T10:00:05.5Z b2\n2026-12-02T10:00:06Z c\n",
            &mut out,
            &mut Vec::new(),
        );
        assert_eq!(String::from_utf8_lossy(&out), "2026-12-02T10:00:06Z c\n");
        assert!(ts_key("2026-12-02T10:00:06.1234567891Z").is_none());
    }

    #[test]
    fn a_saved_container_position_ends_history_after_its_counted_lines() {
        let saved = Position::SinceLine("2026-12-02T10:00:05Z".into(), 2);
        let mut d = Decoder::new(&spec("docker://web"), Some(saved));
        d.begin_run();
        let mut out = Vec::new();
        let at = d
            .lines(
                b"2026-12-02T10:00:05Z a\n2026-12-02T10:00:05Z b\n2026-12-02T10:00:05Z c\n",
                &mut out,
                &mut Vec::new(),
            )
            .expect("boundary");
        assert_eq!(
            String::from_utf8_lossy(&out[at..]),
            "2026-12-02T10:00:05Z c\n"
        );
    }

    #[test]
    fn journal_cursor_marks_the_saved_entry() {
        let mut d = Decoder::new(&spec("journal:"), Some(Position::Cursor("s=1;i=2".into())));
        let mut out = Vec::new();
        let block = concat!(
            r#"{"__CURSOR":"s=1;i=1","__REALTIME_TIMESTAMP":"0","MESSAGE":"a"}"#,
            "\n",
            r#"{"__CURSOR":"s=1;i=2","__REALTIME_TIMESTAMP":"0","MESSAGE":"b"}"#,
            "\n",
            r#"{"__CURSOR":"s=1;i=3","__REALTIME_TIMESTAMP":"0","MESSAGE":"c"}"#,
            "\n",
        );
        let at = d
            .lines(block.as_bytes(), &mut out, &mut Vec::new())
            .expect("boundary");
        assert!(String::from_utf8_lossy(&out[..at]).ends_with(": b\n"));
        assert_eq!(d.position, Position::Cursor("s=1;i=3".into()));
    }
}

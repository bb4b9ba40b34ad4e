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
            (Position::Since(t), Some(Position::Since(s))) => t == s,
            _ => false,
        }
    }

    /// A container line stamped after the saved time: history ended before it (the saved
    /// line itself may be gone).
    fn passes_saved(&self, line: &[u8]) -> bool {
        let Some(Position::Since(saved)) = &self.saved else {
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
                if let Position::Since(last) = &self.position
                    && not_after(ts, last)
                {
                    return;
                }
                out.extend_from_slice(line);
                if !line.ends_with(b"\n") {
                    out.push(b'\n');
                }
                self.position = Position::Since(ts.to_string());
            }
        }
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
    fn container_lines_at_or_before_the_resume_time_are_dropped() {
        let mut d = Decoder::new(&spec("docker://web"), None);
        let mut out = Vec::new();
        d.lines(
            b"2026-12-02T10:00:05.45Z a\n2026-12-02T10:00:05.5Z b\n",
            &mut out,
            &mut Vec::new(),
        );
        assert_eq!(d.position, Position::Since("2026-12-02T10:00:05.5Z".into()));
        // A reconnect with --since repeats the last line (and may repeat earlier ones).
        d.lines(
            b"2026-12-02T10:00:05.45Z a\n2026-12-02T10:00:05.5Z b\n2026-12-02T10:00:06Z c\n",
            &mut out,
            &mut Vec::new(),
        );
        assert_eq!(
            String::from_utf8_lossy(&out),
            "2026-12-02T10:00:05.45Z a\n2026-12-02T10:00:05.5Z b\n2026-12-02T10:00:06Z c\n"
        );
        assert!(ts_key("2026-12-02T10:00:06.1234567891Z").is_none());
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

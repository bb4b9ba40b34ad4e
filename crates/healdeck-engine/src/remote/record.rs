//! Log records from structured sources (journal entries, syslog messages, OpenTelemetry log
//! records) written as the lines a syslog file would hold — `stamp host name[pid]: message` —
//! so the engine reads them as it reads files. A severity of warning or worse that the message
//! does not state itself is written as `<err>` after the name, where the engine looks for a
//! level. A program that prints a traceback sends one line per record: a record from the same
//! host and process within a second that continues the one before (indented, blank, after a
//! line ending in `:` or after an indented line) is written bare, as it was printed, so the
//! traceback is one event as it is in a file.

use super::spec::PRIORITY_NAMES;

/// Records from one process this close together may be one printed block.
const SAME_BLOCK_MICROS: u64 = 1_000_000;

/// One record, whatever it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Record {
    /// When it was written (or received), for telling a printed block from separate records.
    pub at_micros: u64,
    /// The timestamp as written at the start of the line.
    pub stamp: String,
    pub host: String,
    /// The program, unit or service.
    pub name: String,
    /// Process id, or empty.
    pub pid: String,
    /// Syslog severity (0 emerg … 7 debug), when the source gives one.
    pub severity: Option<u8>,
    pub text: String,
}

/// Writes records as lines, remembering the last one to join printed blocks.
#[derive(Debug, Default)]
pub(crate) struct RecordWriter {
    previous: Option<Previous>,
}

#[derive(Debug)]
struct Previous {
    identity: (String, String, String),
    micros: u64,
    /// The last line written ends a block header (`:`) or is indented or blank.
    continues: bool,
}

fn is_indented_or_blank(line: &str) -> bool {
    line.trim().is_empty() || line.starts_with([' ', '\t'])
}

impl RecordWriter {
    /// Appends `r`'s lines to `out`.
    pub(crate) fn write(&mut self, r: &Record, out: &mut Vec<u8>) {
        let identity = (r.host.clone(), r.name.clone(), r.pid.clone());
        let text = r.text.strip_suffix('\n').unwrap_or(&r.text);
        let continues = self.previous.as_ref().is_some_and(|p| {
            p.identity == identity
                && r.at_micros.saturating_sub(p.micros) <= SAME_BLOCK_MICROS
                && (p.continues || is_indented_or_blank(text))
        });
        let mut lines = text.split('\n');
        let first = lines.next().unwrap_or("");
        if !continues {
            out.extend_from_slice(r.stamp.as_bytes());
            out.push(b' ');
            out.extend_from_slice(r.host.as_bytes());
            out.push(b' ');
            out.extend_from_slice(r.name.as_bytes());
            if !r.pid.is_empty() {
                out.extend_from_slice(format!("[{}]", r.pid).as_bytes());
            }
            out.extend_from_slice(b": ");
            if let Some(p) = r.severity.filter(|p| *p <= 4)
                && crate::level::level(first).is_none()
            {
                out.extend_from_slice(format!("<{}> ", PRIORITY_NAMES[p as usize]).as_bytes());
            }
        }
        out.extend_from_slice(first.strip_suffix('\r').unwrap_or(first).as_bytes());
        out.push(b'\n');
        let mut last = first;
        for more in lines {
            out.extend_from_slice(more.strip_suffix('\r').unwrap_or(more).as_bytes());
            out.push(b'\n');
            last = more;
        }
        self.previous = Some(Previous {
            identity,
            micros: r.at_micros,
            continues: last.trim_end().ends_with(':') || is_indented_or_blank(last),
        });
    }
}

/// `1733152839123456` µs → `2024-12-02T15:20:39.123456Z`.
pub(crate) fn iso_micros(micros: u64) -> String {
    let secs = (micros / 1_000_000) as i64;
    let (y, m, d) = healdeck_config::clock::date_of_unix(secs);
    let day_secs = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:06}Z",
        day_secs / 3600,
        day_secs / 60 % 60,
        day_secs % 60,
        micros % 1_000_000
    )
}

/// Microseconds since 1970, now.
pub(crate) fn now_micros() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros() as u64)
}

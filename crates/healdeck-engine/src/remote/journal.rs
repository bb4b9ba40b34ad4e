//! Journal entries as log lines: `journalctl -o json` gives one JSON object per entry; each
//! becomes a `record` (time, host, unit, PID, priority, message) written as
//! `2026-12-02T15:20:39.123456Z host unit[pid]: message`.

use super::record::{Record, RecordWriter, iso_micros};
use serde_json::Value;

/// Turns `journalctl -o json` lines into log lines.
#[derive(Debug, Default)]
pub(crate) struct JournalText {
    writer: RecordWriter,
    /// Lines that were not a journal entry (counted, skipped).
    pub skipped: u64,
}

/// One converted entry.
pub(crate) struct Entry {
    pub cursor: Option<String>,
}

fn field<'a>(obj: &'a serde_json::Map<String, Value>, key: &str) -> Option<&'a str> {
    match obj.get(key)? {
        Value::String(s) => Some(s),
        // A field logged more than once: journalctl gives all values; the first names it.
        Value::Array(values) => values.first().and_then(Value::as_str),
        _ => None,
    }
}

/// The message: text, or bytes (journalctl writes a message that is not UTF-8 as an array of
/// numbers), decoded lossily.
fn message(obj: &serde_json::Map<String, Value>) -> String {
    match obj.get("MESSAGE") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(items)) if items.iter().all(Value::is_u64) => {
            let bytes: Vec<u8> = items
                .iter()
                .filter_map(Value::as_u64)
                .map(|b| b as u8)
                .collect();
            String::from_utf8_lossy(&bytes).into_owned()
        }
        Some(Value::Array(items)) => items
            .first()
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string(),
        _ => String::new(),
    }
}

impl JournalText {
    /// Converts one `journalctl -o json` line, appending its text lines to `out`. `None` for a
    /// line that is not a journal entry.
    pub(crate) fn entry(&mut self, json: &[u8], out: &mut Vec<u8>) -> Option<Entry> {
        let Ok(Value::Object(obj)) = serde_json::from_slice::<Value>(json) else {
            if !json.trim_ascii().is_empty() {
                self.skipped += 1;
            }
            return None;
        };
        let micros = field(&obj, "__REALTIME_TIMESTAMP")
            .and_then(|t| t.parse::<u64>().ok())
            .unwrap_or(0);
        let record = Record {
            at_micros: micros,
            stamp: iso_micros(micros),
            host: field(&obj, "_HOSTNAME").unwrap_or("localhost").to_string(),
            name: field(&obj, "_SYSTEMD_UNIT")
                .or_else(|| field(&obj, "SYSLOG_IDENTIFIER"))
                .or_else(|| field(&obj, "_COMM"))
                .unwrap_or("journal")
                .to_string(),
            pid: field(&obj, "_PID")
                .or_else(|| field(&obj, "SYSLOG_PID"))
                .unwrap_or("")
                .to_string(),
            severity: field(&obj, "PRIORITY").and_then(|p| p.parse::<u8>().ok()),
            text: message(&obj),
        };
        self.writer.write(&record, out);
        Some(Entry {
            cursor: field(&obj, "__CURSOR").map(str::to_string),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(micros: u64, pid: &str, priority: u8, message: &str) -> String {
        serde_json::json!({
            "__CURSOR": format!("s=1;i={micros}"),
            "__REALTIME_TIMESTAMP": micros.to_string(),
            "_HOSTNAME": "web-1",
            "_SYSTEMD_UNIT": "api.service",
            "_PID": pid,
            "PRIORITY": priority.to_string(),
            "MESSAGE": message,
        })
        .to_string()
    }

    fn convert(entries: &[String]) -> String {
        let mut text = JournalText::default();
        let mut out = Vec::new();
        for e in entries {
            text.entry(e.as_bytes(), &mut out);
        }
        String::from_utf8(out).expect("utf-8")
    }

    #[test]
    fn entries_read_as_syslog_lines_with_their_priority() {
        let out = convert(&[
            entry(1_733_152_839_123_456, "7", 6, "started"),
            entry(1_733_152_900_000_000, "7", 3, "disk quota exceeded"),
            entry(1_733_152_901_000_000, "7", 3, "ERROR: says so itself"),
        ]);
        assert_eq!(
            out,
            "2024-12-02T15:20:39.123456Z web-1 api.service[7]: started\n\
             2024-12-02T15:21:40.000000Z web-1 api.service[7]: <err> disk quota exceeded\n\
             2024-12-02T15:21:41.000000Z web-1 api.service[7]: ERROR: says so itself\n"
        );
    }

    #[test]
    fn a_traceback_written_one_entry_per_line_is_one_block_again() {
        let t = 1_733_152_839_000_000;
        let out = convert(&[
            entry(t, "7", 6, "Traceback (most recent call last):"),
            entry(
                t + 10,
                "7",
                6,
                "  File \"/srv/app.py\", line 3, in <module>",
            ),
            entry(t + 20, "7", 6, "    main()"),
            entry(t + 30, "7", 6, "KeyError: 'user'"),
            entry(t + 40, "8", 6, "  other process"),
            entry(t + 50, "7", 6, "next record"),
        ]);
        let lines: Vec<&str> = out.lines().collect();
        assert!(lines[0].ends_with("api.service[7]: Traceback (most recent call last):"));
        assert_eq!(lines[1], "  File \"/srv/app.py\", line 3, in <module>");
        assert_eq!(lines[2], "    main()");
        assert_eq!(lines[3], "KeyError: 'user'");
        assert!(lines[4].contains("api.service[8]:"), "{}", lines[4]);
        assert!(
            lines[5].contains("api.service[7]: next record"),
            "{}",
            lines[5]
        );
    }

    #[test]
    fn binary_messages_and_garbage_lines() {
        let mut text = JournalText::default();
        let mut out = Vec::new();
        let bin = r#"{"__REALTIME_TIMESTAMP":"0","MESSAGE":[104,105,255],"SYSLOG_IDENTIFIER":"x"}"#;
        assert!(text.entry(bin.as_bytes(), &mut out).is_some());
        assert!(text.entry(b"not json", &mut out).is_none());
        assert!(text.entry(b"[1,2]", &mut out).is_none());
        assert_eq!(text.skipped, 2);
        assert_eq!(
            String::from_utf8_lossy(&out),
            "1970-01-01T00:00:00.000000Z localhost x: hi\u{fffd}\n"
        );
    }
}

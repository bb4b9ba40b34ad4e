//! Each check's results over the last day, compact: 8 bytes a result (time, latency, pass/fail)
//! in a ring in memory and in an append-only file per check in the data folder
//! (`health/<check>.hist`), read back on start, rewritten to the last day when it has grown
//! to twice that. A torn last record (a crash mid-write) is ignored, not fatal.

use std::collections::VecDeque;
use std::io::Write;
use std::path::{Path, PathBuf};

/// How far back the history reaches, at least.
pub const KEPT_SECS: u64 = 24 * 3600;

const RECORD: usize = 8;
const NO_LATENCY: u16 = u16::MAX;

/// One result, as kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Record {
    /// Seconds since the Unix epoch.
    pub time: u32,
    /// Milliseconds (saturating at 65 s); `None` when the probe measured none.
    pub latency_ms: Option<u16>,
    pub ok: bool,
    pub unavailable: bool,
}

impl Record {
    fn encode(self) -> [u8; RECORD] {
        let mut b = [0u8; RECORD];
        b[..4].copy_from_slice(&self.time.to_le_bytes());
        b[4..6].copy_from_slice(&self.latency_ms.unwrap_or(NO_LATENCY).to_le_bytes());
        let flags = u16::from(self.ok) | (u16::from(self.unavailable) << 1);
        b[6..].copy_from_slice(&flags.to_le_bytes());
        b
    }

    fn decode(b: &[u8]) -> Record {
        let latency = u16::from_le_bytes([b[4], b[5]]);
        let flags = u16::from_le_bytes([b[6], b[7]]);
        Record {
            time: u32::from_le_bytes([b[0], b[1], b[2], b[3]]),
            latency_ms: (latency != NO_LATENCY).then_some(latency),
            ok: flags & 1 != 0,
            unavailable: flags & 2 != 0,
        }
    }

    /// A record of a probe's result at `time`.
    pub fn of(time: u64, ok: bool, unavailable: bool, latency_ms: Option<u64>) -> Record {
        Record {
            time: time.min(u64::from(u32::MAX)) as u32,
            latency_ms: latency_ms.map(|l| l.min(u64::from(NO_LATENCY - 1)) as u16),
            ok,
            unavailable,
        }
    }
}

/// One check's history.
#[derive(Debug)]
pub struct History {
    path: PathBuf,
    capacity: usize,
    records: VecDeque<Record>,
    /// Records in memory not yet appended to the file.
    unsaved: usize,
    /// Records in the file (to know when to compact it).
    in_file: usize,
}

/// The history file of `check` in `data`.
pub fn file_of(data: &Path, check: &str) -> PathBuf {
    data.join("health").join(format!("{check}.hist"))
}

impl History {
    /// Loads `check`'s history (interval `interval_s`) from the data folder.
    pub fn load(data: &Path, check: &str, interval_s: u64) -> History {
        let capacity = (KEPT_SECS / interval_s.max(1)) as usize + 16;
        let path = file_of(data, check);
        let bytes = std::fs::read(&path).unwrap_or_default();
        let whole = bytes.len() / RECORD;
        let skip = whole.saturating_sub(capacity);
        let records = bytes[skip * RECORD..whole * RECORD]
            .chunks_exact(RECORD)
            .map(Record::decode)
            .collect();
        History {
            path,
            capacity,
            records,
            unsaved: 0,
            in_file: whole,
        }
    }

    pub fn push(&mut self, r: Record) {
        if self.records.len() == self.capacity {
            self.records.pop_front();
        }
        self.records.push_back(r);
        self.unsaved = (self.unsaved + 1).min(self.capacity);
    }

    pub fn records(&self) -> &VecDeque<Record> {
        &self.records
    }

    /// Appends what is new to the file, or rewrites it with the kept day once it has grown
    /// to twice that.
    pub fn save(&mut self) -> std::io::Result<()> {
        if self.unsaved == 0 {
            return Ok(());
        }
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if self.in_file + self.unsaved > 2 * self.capacity {
            let tmp = self
                .path
                .with_extension(format!("hist.{}.tmp", std::process::id()));
            let mut bytes = Vec::with_capacity(self.records.len() * RECORD);
            for r in &self.records {
                bytes.extend_from_slice(&r.encode());
            }
            std::fs::write(&tmp, &bytes)?;
            std::fs::rename(&tmp, &self.path)?;
            self.in_file = self.records.len();
        } else {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&self.path)?;
            // A torn record left by a crash would shift every later one: cut it off first.
            let len = f.metadata()?.len();
            if len % RECORD as u64 != 0 {
                f.set_len(len - len % RECORD as u64)?;
            }
            let start = self.records.len() - self.unsaved;
            let mut bytes = Vec::with_capacity(self.unsaved * RECORD);
            for r in self.records.range(start..) {
                bytes.extend_from_slice(&r.encode());
            }
            f.write_all(&bytes)?;
            self.in_file += self.unsaved;
        }
        self.unsaved = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_round_trip_through_the_file_and_a_torn_tail_is_dropped() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut h = History::load(dir.path(), "api", 3600);
        for i in 0..30u64 {
            h.push(Record::of(1_000 + i, i % 3 != 0, false, Some(i * 10)));
        }
        h.save().expect("save");
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(file_of(dir.path(), "api"))
            .expect("open");
        f.write_all(&[1, 2, 3]).expect("torn write");
        let mut again = History::load(dir.path(), "api", 3600);
        // 24 records of a day at one an hour, plus slack.
        assert_eq!(
            again.records().len(),
            30,
            "all of them fit in a day at one an hour"
        );
        assert_eq!(again.records().back(), h.records().back());
        assert_eq!(again.records()[0].latency_ms, h.records()[0].latency_ms);
        again.push(Record::of(2_000, true, false, None));
        again.save().expect("append after a torn tail");
        let third = History::load(dir.path(), "api", 3600);
        assert_eq!(third.records().back().map(|r| r.time), Some(2_000));
        assert_eq!(third.records().back().map(|r| r.latency_ms), Some(None));
    }

    #[test]
    fn the_file_is_compacted_to_the_kept_day() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut h = History::load(dir.path(), "disk", 3600);
        for i in 0..200u64 {
            h.push(Record::of(i, true, false, None));
            h.save().expect("save");
        }
        let len = std::fs::metadata(file_of(dir.path(), "disk"))
            .expect("file")
            .len() as usize;
        assert!(len <= 2 * 40 * RECORD, "file not compacted: {len} bytes");
        let back = History::load(dir.path(), "disk", 3600);
        assert_eq!(back.records().len(), 40);
        assert_eq!(back.records().back().map(|r| r.time), Some(199));
    }
}

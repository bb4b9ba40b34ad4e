//! What anomaly detection needs from a log, gathered line by line while mining: per template
//! the lines per time step and the durations its lines carry, the error and warning lines per
//! step (the timeline histogram), and the begin/end pairs of sequences with their ids.
//!
//! A **step** is a minute when most lines have a time, or a block of 100 lines when they do
//! not (the log's order is then its clock). Memory is bounded: one counter per template per
//! step with lines, a small histogram of durations per handler per step, and [`MAX_OPEN`] open
//! sequences (the oldest are dropped first, and counted).

use super::TemplateId;
use crate::level::Level;
use regex::Regex;
use std::collections::{BTreeMap, HashMap, VecDeque};
use std::sync::LazyLock;

/// Sequences begun and not yet ended that are remembered.
pub(crate) const MAX_OPEN: usize = 100_000;
/// Lines per step when a log has no times.
pub(crate) const LINES_PER_STEP: u64 = 100;

static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i-u)\b(?:took|duration|elapsed|latency|in|time|rt|request_time|response_time)\b",
        r"\s*[=:]?\s*(\d+(?:\.\d+)?)\s*",
        r"(ms|milliseconds?|µs|us|s|sec|secs|seconds?)?\b",
    ))
    .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// Begin and end words; a mark is one of them joined to the name before it by `-`, `_`, `.`
/// or a space (found with Aho-Corasick, ASCII case ignored: far cheaper per line than a regex
/// with a leading `.*?`).
const BEGIN_WORDS: [&str; 9] = [
    "started",
    "starting",
    "start",
    "begin",
    "began",
    "acquired",
    "acquiring",
    "opened",
    "entered",
];
const END_WORDS: [&str; 10] = [
    "completed",
    "complete",
    "finished",
    "ended",
    "end",
    "released",
    "closed",
    "done",
    "exited",
    "stopped",
];

static SEQUENCE_WORDS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(BEGIN_WORDS.iter().chain(END_WORDS.iter()))
        .unwrap_or_else(|e| panic!("constant automaton: {e}"))
});

/// A sequence's id: `id=42`, `request_id: ab12`, `txn 7f3a`, `#1234`, a UUID — or, failing
/// those, the first number of the line.
static SEQUENCE_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i-u)(?:\b(?:[a-z]+[_-])?(?:id|txn|trace|span|job|task|request|req|session)\b\s*[=:#]?\s*",
        r"([\w-]{1,64}))|#(\w{1,64})",
        r"|\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
        r"|\b(\d{1,20})\b",
    ))
    .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// A duration in a line, in milliseconds. `rt=`/`request_time=` without a unit are seconds
/// (nginx's `$request_time`); other numbers need a unit. (The match is found by the regex's
/// DFA; its groups are read from the match alone, which keeps per-line work small.)
pub(crate) fn duration_ms(line: &str) -> Option<f64> {
    for m in DURATION.find_iter(line) {
        let Some(c) = DURATION.captures(m.as_str()) else {
            continue;
        };
        let Some(v) = c.get(1).and_then(|v| v.as_str().parse::<f64>().ok()) else {
            continue;
        };
        let unit = match c.get(2) {
            Some(u) => u.as_str().to_ascii_lowercase(),
            None => {
                let word = m.as_str().to_ascii_lowercase();
                if word.starts_with("rt") || word.contains("_time") {
                    "s".to_string()
                } else {
                    continue;
                }
            }
        };
        return Some(match unit.as_str() {
            "µs" | "us" => v / 1000.0,
            u if u.starts_with("ms") || u.starts_with("milli") => v,
            _ => v * 1000.0,
        });
    }
    None
}

/// Milliseconds since the epoch of an engine time (`2026-12-02T18:15:37.250…`).
pub(crate) fn unix_ms_of(iso: &str) -> Option<i64> {
    let num = |r: std::ops::Range<usize>| iso.get(r)?.parse::<i64>().ok();
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (hh, mm, ss) = (num(11..13)?, num(14..16)?, num(17..19)?);
    let frac = iso
        .get(19..)
        .and_then(|r| r.strip_prefix(['.', ',']))
        .map_or(0, |r| {
            let digits: String = r.chars().take_while(char::is_ascii_digit).take(3).collect();
            format!("{digits:0<3}").parse::<i64>().unwrap_or(0)
        });
    // Howard Hinnant's days-from-civil.
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + hh * 3600 + mm * 60 + ss) * 1000 + frac)
}

/// The engine time (`2026-12-02T10:15:00`, as log times are given) of a minute since the epoch.
pub(crate) fn time_of_minute(minute: i64) -> String {
    let iso = healdeck_config::clock::iso_of_unix(minute.saturating_mul(60));
    iso.trim_end_matches('Z').to_string()
}

/// A begin or end of a sequence found in a line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SequenceMark {
    /// The name: what comes before the begin/end word, numbers masked (`beat`, `Job #`).
    pub name: String,
    pub id: String,
    pub begin: bool,
}

pub(crate) fn sequence_mark(message: &str) -> Option<SequenceMark> {
    let bytes = message.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let found = SEQUENCE_WORDS.find_iter(message).find(|m| {
        let (start, end) = (m.start(), m.end());
        start >= 2
            && matches!(bytes[start - 1], b'-' | b'_' | b'.' | b' ')
            && (word(bytes[start - 2]) || bytes[start - 2] == b']')
            && bytes.get(end).is_none_or(|&b| !word(b))
    })?;
    // The name is the word or two before the begin/end word, not a record header before it
    // (`crond(pam_unix)[2915]: session` is `session`).
    let whole = &message[..found.start() - 1];
    let mut from = whole.len();
    for (i, word) in whole.split_whitespace().rev().take(2).enumerate() {
        if i > 0 && word.ends_with([':', ']', ')']) {
            break;
        }
        from = word.as_ptr() as usize - whole.as_ptr() as usize;
    }
    let prefix = &message[from..found.start() - 1];
    let mut name = String::with_capacity(prefix.len());
    let mut last_digit = false;
    for ch in prefix.trim().chars() {
        if ch.is_ascii_digit() {
            if !last_digit {
                name.push('#');
            }
            last_digit = true;
        } else {
            name.push(ch);
            last_digit = false;
        }
    }
    if name.trim_matches(['#', ' ']).is_empty() {
        return None;
    }
    // An id has a digit (`session opened` is not a session called "opened"); a named one
    // (`id=9`, `#9`, a UUID) before a bare number (`worker-3` is no id).
    let rest = &message[from..];
    let id_in = |groups: std::ops::RangeInclusive<usize>| {
        SEQUENCE_ID.find_iter(rest).find_map(|m| {
            let c = SEQUENCE_ID.captures(m.as_str())?;
            groups
                .clone()
                .find_map(|g| c.get(g))
                .map(|v| v.as_str())
                .filter(|v| v.bytes().any(|b| b.is_ascii_digit()))
                .map(str::to_string)
        })
    };
    let id = id_in(1..=3).or_else(|| id_in(4..=4))?;
    Some(SequenceMark {
        name,
        id,
        begin: found.pattern().as_usize() < BEGIN_WORDS.len(),
    })
}

/// Where a line is: the file's index among those read, and its line number.
pub(crate) type LineAt = (u32, u64);

/// What a message says beyond its template: a duration, a sequence's begin or end.
#[derive(Debug, Default)]
pub(crate) struct Extras {
    pub duration_ms: Option<f64>,
    pub mark: Option<SequenceMark>,
}

impl Extras {
    pub(crate) fn of(message: &str) -> Extras {
        Extras {
            duration_ms: duration_ms(message),
            mark: sequence_mark(message),
        }
    }
}

/// Lines per step, for one template or for all lines of a level, with each step's first line.
#[derive(Debug, Default, Clone)]
pub(crate) struct Steps {
    pub minutes: BTreeMap<i64, u32>,
    pub blocks: BTreeMap<i64, u32>,
    first_in_minute: BTreeMap<i64, LineAt>,
    first_in_block: BTreeMap<i64, LineAt>,
}

impl Steps {
    fn add(&mut self, minute: Option<i64>, block: i64, at: LineAt) {
        if let Some(m) = minute {
            *self.minutes.entry(m).or_default() += 1;
            self.first_in_minute.entry(m).or_insert(at);
        }
        *self.blocks.entry(block).or_default() += 1;
        self.first_in_block.entry(block).or_insert(at);
    }

    /// The series in the log's clock.
    pub(crate) fn series(&self, timed: bool) -> &BTreeMap<i64, u32> {
        if timed { &self.minutes } else { &self.blocks }
    }

    /// The first line at or after step `from`.
    pub(crate) fn first_from(&self, timed: bool, from: i64) -> Option<LineAt> {
        let firsts = if timed {
            &self.first_in_minute
        } else {
            &self.first_in_block
        };
        firsts.range(from..).next().map(|(_, at)| *at)
    }
}

/// What slow-handler detection measures: a template's own durations, or a sequence's (the
/// time from its begin to its end).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Handler {
    Template(TemplateId),
    Sequence(String),
}

/// A sequence begun and not ended (yet).
#[derive(Debug, Clone)]
pub(crate) struct Open {
    pub name: String,
    pub id: String,
    pub at_ms: Option<i64>,
    /// Its place among all lines, and in its file.
    pub line: u64,
    pub at: LineAt,
}

/// Counts over time, gathered while mining.
#[derive(Debug, Default)]
pub struct Timeline {
    pub(crate) templates: HashMap<TemplateId, Steps>,
    pub(crate) errors: Steps,
    pub(crate) warnings: Steps,
    pub(crate) all: Steps,
    pub(crate) durations: HashMap<Handler, super::sketch::Durations>,
    pub(crate) open: HashMap<(String, String), Open>,
    /// Begin order, for dropping the oldest open sequence at the cap.
    open_order: VecDeque<(String, String)>,
    /// Sequences that ended, per name.
    pub(crate) closed: HashMap<String, u64>,
    pub(crate) dropped_open: u64,
    pub(crate) timed: u64,
    pub(crate) lines: u64,
    pub(crate) last_ms: Option<i64>,
}

impl Timeline {
    /// Counts one line of `template`: where it is, its time (an engine time), level, and the
    /// message (for durations and sequences).
    #[cfg(test)]
    pub(crate) fn note(
        &mut self,
        at: LineAt,
        template: TemplateId,
        time: Option<&str>,
        level: Option<Level>,
        message: &str,
    ) {
        let extras = Extras::of(message);
        self.note_read(at, template, time, level, extras);
    }

    /// [`Timeline::note`] with the message's duration and sequence mark read already (they
    /// are read in parallel, the counting is in order).
    pub(crate) fn note_read(
        &mut self,
        at: LineAt,
        template: TemplateId,
        time: Option<&str>,
        level: Option<Level>,
        extras: Extras,
    ) {
        self.lines += 1;
        let block = (self.lines / LINES_PER_STEP) as i64;
        let at_ms = time.and_then(unix_ms_of);
        let minute = at_ms.map(|ms| ms.div_euclid(60_000));
        if let Some(ms) = at_ms {
            self.timed += 1;
            self.last_ms = Some(self.last_ms.map_or(ms, |l| l.max(ms)));
        }
        self.templates
            .entry(template)
            .or_default()
            .add(minute, block, at);
        self.all.add(minute, block, at);
        match level {
            Some(Level::Error | Level::Fatal) => self.errors.add(minute, block, at),
            Some(Level::Warn) => self.warnings.add(minute, block, at),
            _ => {}
        }
        if let Some(ms) = extras.duration_ms {
            self.sample(Handler::Template(template), minute, block, ms);
        }
        if let Some(mark) = extras.mark {
            self.sequence(mark, at, at_ms, minute, block);
        }
    }

    fn sample(&mut self, handler: Handler, minute: Option<i64>, block: i64, ms: f64) {
        self.durations
            .entry(handler)
            .or_default()
            .add(minute, block, ms);
    }

    fn sequence(
        &mut self,
        mark: SequenceMark,
        at: LineAt,
        at_ms: Option<i64>,
        minute: Option<i64>,
        block: i64,
    ) {
        let key = (mark.name, mark.id);
        if mark.begin {
            if self.open.len() >= MAX_OPEN {
                while let Some(old) = self.open_order.pop_front() {
                    if self.open.remove(&old).is_some() {
                        self.dropped_open += 1;
                        break;
                    }
                }
            }
            self.open_order.push_back(key.clone());
            self.open.insert(
                key.clone(),
                Open {
                    name: key.0,
                    id: key.1,
                    at_ms,
                    line: self.lines,
                    at,
                },
            );
        } else if let Some(begun) = self.open.remove(&key) {
            *self.closed.entry(key.0.clone()).or_default() += 1;
            if let (Some(a), Some(b)) = (begun.at_ms, at_ms) {
                self.sample(
                    Handler::Sequence(key.0),
                    minute,
                    block,
                    (b - a).max(0) as f64,
                );
            }
        }
        if self.open_order.len() > 2 * MAX_OPEN {
            let open = &self.open;
            self.open_order.retain(|k| open.contains_key(k));
        }
    }

    /// Whether the log's clock is its times (most lines have one).
    pub(crate) fn is_timed(&self) -> bool {
        self.timed > 0 && self.timed * 2 >= self.lines
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_times_and_sequences_are_read() {
        assert_eq!(duration_ms("GET /a took 123ms"), Some(123.0));
        assert_eq!(duration_ms("job done duration=1.5s"), Some(1500.0));
        assert_eq!(duration_ms("elapsed: 3s"), Some(3000.0));
        assert_eq!(duration_ms("served in 250 us"), Some(0.25));
        assert_eq!(
            duration_ms("\"GET / HTTP/1.1\" 200 512 rt=0.250"),
            Some(250.0)
        );
        assert_eq!(duration_ms("retrying in 5 attempts"), None);
        assert_eq!(unix_ms_of("1970-01-01T00:01:00"), Some(60_000));
        assert_eq!(
            unix_ms_of("2026-12-02T18:15:37.55"),
            Some(1_796_235_337_550)
        );
        let begin = sequence_mark("beat-started id=42 worker=3").expect("begin");
        assert_eq!(
            (begin.name.as_str(), begin.id.as_str(), begin.begin),
            ("beat", "42", true)
        );
        let end = sequence_mark("beat-completed id=42 in 35ms").expect("end");
        assert_eq!(
            (end.name.as_str(), end.id.as_str(), end.begin),
            ("beat", "42", false)
        );
        let job = sequence_mark("Job 17 started").expect("job");
        assert_eq!((job.name.as_str(), job.id.as_str()), ("Job #", "17"));
        assert!(
            sequence_mark("Server started").is_none(),
            "no id, no sequence"
        );
        assert!(sequence_mark("failed to open file").is_none());
        let header = "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(pam_unix)[2915]: session opened for user root by (uid=0)";
        let m = sequence_mark(header).expect("uid");
        assert_eq!(
            (m.name.as_str(), m.id.as_str()),
            ("session", "0"),
            "not the header's"
        );
        let w = sequence_mark("worker-3 beat-started id=9").expect("two words");
        assert_eq!((w.name.as_str(), w.id.as_str()), ("worker-# beat", "9"));
        let session = sequence_mark("session opened for user root by uid=0").expect("uid");
        assert_eq!(session.id, "0");
    }

    #[test]
    fn pairs_give_durations_and_unpaired_begins_stay_open() {
        let mut t = Timeline::default();
        t.note(
            (0, 1),
            1,
            Some("2026-12-02T10:00:00"),
            None,
            "beat-started id=1",
        );
        t.note(
            (0, 2),
            1,
            Some("2026-12-02T10:00:02"),
            None,
            "beat-started id=2",
        );
        t.note(
            (0, 3),
            2,
            Some("2026-12-02T10:00:03.5"),
            None,
            "beat-completed id=1",
        );
        assert_eq!(t.open.len(), 1);
        assert_eq!(t.closed.get("beat"), Some(&1));
        let d = &t.durations[&Handler::Sequence("beat".into())];
        assert_eq!(d.all().1.max, 3500.0);
        assert!(t.is_timed());
    }
}

//! What anomaly detection needs from a log, gathered line by line while mining: per template
//! the lines per time step and the durations its lines carry, the error and warning lines per
//! step (the timeline histogram), and the begin/end pairs of sequences with their ids.
//!
//! A **step** is a minute when most lines have a time, or a block of 100 lines when they do
//! not (the log's order is then its clock). Memory is bounded: one counter per template per
//! step with lines, a small histogram of durations per handler per step, and [`MAX_OPEN`] open
//! sequences (the oldest are dropped first, and counted).

use super::TemplateId;
pub(crate) use super::extras::Extras;
use super::extras::SequenceMark;
use crate::level::Level;
use std::collections::{BTreeMap, HashMap, VecDeque};

/// Sequences begun and not yet ended that are remembered.
pub(crate) const MAX_OPEN: usize = 100_000;
/// Handlers named by their lines (`GET /api/<*>`, `task tasks.report`) that are timed apart;
/// past this many, a line's durations count for its template.
pub(crate) const MAX_NAMED_HANDLERS: usize = 4096;
/// Ends without a begin that are remembered (see [`Timeline::early_ends`]).
const MAX_EARLY_ENDS: usize = 10_000;
/// Lines per step when a log has no times.
pub(crate) const LINES_PER_STEP: u64 = 100;

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

/// Where a line is: the file's index among those read, and its line number.
pub(crate) type LineAt = (u32, u64);

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

/// What slow-handler detection measures: the durations of the lines that name one handler,
/// a template's own durations when they name none, or a sequence's (the time from its begin
/// to its end, when its end line does not give its own duration).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Handler {
    Named(String),
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
    /// The template of each named handler's first timed line (where its anomaly points).
    pub(crate) named_templates: HashMap<String, TemplateId>,
    pub(crate) open: HashMap<(String, String), Open>,
    /// Begin order, for dropping the oldest open sequence at the cap.
    open_order: VecDeque<(String, String)>,
    /// Ends seen before any begin (the second they were logged in), each until a begin of
    /// the same name and id comes; forgotten all at once at [`MAX_EARLY_ENDS`].
    early_ends: HashMap<(String, String), Option<i64>>,
    /// Sequences that ended, per name.
    pub(crate) closed: HashMap<String, u64>,
    pub(crate) dropped_open: u64,
    pub(crate) timed: u64,
    pub(crate) lines: u64,
    pub(crate) last_ms: Option<i64>,
    /// Each file's first minute (of its first line with a time) and first block: where that
    /// source starts on the log's clock.
    file_starts: HashMap<u32, (Option<i64>, i64)>,
}

impl Timeline {
    /// Whether file `file` started at or after step `cut` of the log's clock: a source the
    /// baseline (the log's earlier part) never saw.
    pub(crate) fn file_starts_from(&self, file: u32, timed: bool, cut: i64) -> bool {
        self.file_starts.get(&file).is_some_and(|&(minute, block)| {
            if timed {
                minute.is_some_and(|m| m >= cut)
            } else {
                block >= cut
            }
        })
    }

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
        let extras = Extras::after("", message);
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
        let start = self.file_starts.entry(at.0).or_insert((minute, block));
        if start.0.is_none() {
            start.0 = minute;
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
            let handler = match extras.handler {
                Some(name)
                    if self.named_templates.contains_key(&name)
                        || self.named_templates.len() < MAX_NAMED_HANDLERS =>
                {
                    self.named_templates.entry(name.clone()).or_insert(template);
                    Handler::Named(name)
                }
                _ => Handler::Template(template),
            };
            self.sample(handler, minute, block, ms);
        }
        if let Some(mark) = extras.mark {
            let timed_by_itself = extras.duration_ms.is_some();
            self.sequence(mark, at, at_ms, minute, block, timed_by_itself);
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
        timed_by_itself: bool,
    ) {
        let key = (mark.name, mark.id);
        if mark.begin {
            // Its end was logged first, in the same second (syslog orders a second's lines
            // loosely: cron's `session closed` can precede its `session opened`).
            if let Some(ended) = self.early_ends.remove(&key)
                && (ended.is_none() || ended == at_ms.map(|ms| ms / 1000))
            {
                *self.closed.entry(key.0).or_default() += 1;
                return;
            }
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
            if let (Some(a), Some(b), false) = (begun.at_ms, at_ms, timed_by_itself) {
                self.sample(
                    Handler::Sequence(key.0),
                    minute,
                    block,
                    (b - a).max(0) as f64,
                );
            }
        } else {
            // An end with no begin: remembered for its second, in case the begin follows.
            if self.early_ends.len() >= MAX_EARLY_ENDS {
                self.early_ends.clear();
            }
            self.early_ends.insert(key, at_ms.map(|ms| ms / 1000));
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
        assert_eq!(unix_ms_of("1970-01-01T00:01:00"), Some(60_000));
        assert_eq!(
            unix_ms_of("2026-12-02T18:15:37.55"),
            Some(1_796_235_337_550)
        );
    }

    #[test]
    fn named_handlers_are_timed_apart_and_a_timed_end_is_not_timed_twice() {
        let mut t = Timeline::default();
        let lines = [
            "\"GET /fast HTTP/1.1\" 200 rt=0.002",
            "\"GET /export/9 HTTP/1.1\" 200 rt=0.900",
            "Task tasks.add[a1] received",
            "Task tasks.add[a1] succeeded in 0.5s: 2",
        ];
        for (i, line) in lines.iter().enumerate() {
            let time = format!("2026-12-02T10:00:0{i}");
            t.note((0, i as u64 + 1), 1, Some(&time), None, line);
        }
        let max = |h: Handler| t.durations[&h].all().1.max;
        assert_eq!(max(Handler::Named("GET /fast".into())), 2.0);
        assert_eq!(max(Handler::Named("GET /export/<*>".into())), 900.0);
        assert_eq!(max(Handler::Named("task tasks.add".into())), 500.0);
        assert!(t.open.is_empty(), "the task ended");
        assert!(
            !t.durations
                .contains_key(&Handler::Sequence("Task tasks.add".into())),
            "its own duration, not the gap between its lines"
        );
    }

    #[test]
    fn an_end_logged_just_before_its_begin_pairs_with_it() {
        let mut t = Timeline::default();
        let lines = [
            (
                "12:01:01",
                "crond(pam_unix)[2915]: session closed for user root",
            ),
            (
                "12:01:01",
                "crond(pam_unix)[2915]: session opened for user root by (uid=0)",
            ),
            (
                "12:01:02",
                "crond(pam_unix)[77]: session closed for user root",
            ),
            (
                "12:05:00",
                "crond(pam_unix)[77]: session opened for user root by (uid=0)",
            ),
        ];
        for (i, (clock, line)) in lines.iter().enumerate() {
            let time = format!("2026-12-02T{clock}");
            t.note((0, i as u64 + 1), 1, Some(&time), None, line);
        }
        assert_eq!(t.closed.get("session"), Some(&1), "2915 ended");
        let open: Vec<&str> = t.open.values().map(|o| o.id.as_str()).collect();
        assert_eq!(open, ["77"], "an end minutes before is another session's");
    }
}

//! The patterns of whole files: every line's message (after its timestamp and level) through
//! the miner, with each template's count, first and last time, level mix and a redacted
//! example — what `healdeck patterns` prints.

use super::anomaly::{Anomaly, AnomalyOptions, Describe, detect};
use super::baseline::Baseline;
use super::histogram::{Histogram, sparkline};
use super::timeline::{Extras, Handler, Timeline};
use super::{Miner, MinerOptions, Shape, Shaper, TemplateId};
use crate::level::{Level, level, strip_record_prefix};
use crate::sources::{self, SourceError};
use crate::timestamp;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
use std::time::Instant;

/// Bytes of a line given to the miner (a longer line's tail is left out).
const LINE_BYTES: usize = 4096;

/// A record's header: its time (ISO, syslog's `Dec 10 06:55:46`, a bare clock), bracketed or
/// not, and after a syslog time the host and `program[pid]:`.
static HEADER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(concat!(
        r"(?-u)^\s*\[?(?:",
        r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}[.,\d]*(?:Z|[+-]\d{2}:?\d{2})?\]?",
        r"|(?:[A-Z][a-z]{2}\s+)?[A-Z][a-z]{2}\s+\d{1,2}\s+\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:\s+\d{4})?\]?(?:\s+[\w.-]+\s+[\w./-]+(?:\[\d+\])?:)?",
        r"|\d{2}:\d{2}:\d{2}[.,\d]*\]?",
        r")\s+",
    ))
    .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// What the miner reads of a line: the message, without the time, host, program and level.
pub(crate) fn message_of(line: &str) -> &str {
    let rest = HEADER.find(line).map_or(line, |m| &line[m.end()..]);
    strip_record_prefix(rest)
}

/// How lines are read and mined, and what anomalies are measured against.
#[derive(Debug, Clone, Default)]
pub struct PatternOptions {
    pub miner: MinerOptions,
    /// Keep every line's template id (`--lines`).
    pub keep_lines: bool,
    pub anomalies: AnomalyOptions,
    /// Compare with this saved baseline instead of the log's earlier part.
    pub compare: Option<Baseline>,
    /// Make a baseline of the whole log under this name (`--save-baseline`).
    pub save_as: Option<String>,
}

/// Lines of each level among a template's.
#[derive(Debug, Clone, Copy, Default, Serialize, serde::Deserialize, PartialEq, Eq)]
pub struct LevelMix {
    pub error: u64,
    pub warn: u64,
    pub other: u64,
}

/// One template and what its lines say.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct TemplateSummary {
    pub id: TemplateId,
    pub template: String,
    pub count: u64,
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// The first line of it, redacted (as the template is).
    pub example: String,
    pub levels: LevelMix,
    /// Its lines over the log's span, in the histogram's bins (at most 32).
    pub spark: Vec<u32>,
}

/// A handler's durations over the whole log.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HandlerStats {
    /// A template's text, or `sequence NAME` (begin to end).
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub template_id: Option<TemplateId>,
    pub calls: u64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

/// Which template a line got.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct LineTemplate {
    pub source: String,
    pub line: u64,
    pub template_id: TemplateId,
}

/// Totals of a run.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct PatternStats {
    pub files: u64,
    pub lines: u64,
    pub seconds: f64,
    /// Templates retired at the miner's cap (their lines are counted, their text is gone).
    pub retired: u64,
}

/// Everything `mine` found.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PatternReport {
    pub stats: PatternStats,
    /// Most frequent first.
    pub templates: Vec<TemplateSummary>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub lines: Vec<LineTemplate>,
    /// Worst first.
    pub anomalies: Vec<Anomaly>,
    /// Slowest p95 first.
    pub handlers: Vec<HandlerStats>,
    /// Error, warning and all lines over the log's span.
    pub histogram: Histogram,
    pub errors: Vec<SourceError>,
    /// The whole log as a baseline, when asked for (`PatternOptions::save_as`).
    #[serde(skip)]
    pub baseline: Option<Baseline>,
}

#[derive(Default)]
struct Seen {
    count: u64,
    first: Option<String>,
    last: Option<String>,
    example: Option<String>,
    levels: LevelMix,
}

/// Mines every line of the files under `paths`.
pub fn mine(paths: &[PathBuf], opts: &PatternOptions) -> PatternReport {
    let started = Instant::now();
    let (files, errors) = sources::discover(paths);
    let mut report = PatternReport {
        errors,
        ..PatternReport::default()
    };
    let mut miner = Miner::new(opts.miner);
    let mut seen: HashMap<TemplateId, Seen> = HashMap::new();
    let mut timeline = Timeline::default();
    for (file_index, file) in files.iter().enumerate() {
        let source = file.path.display().to_string();
        let reader = match sources::open(file) {
            Ok(r) => r,
            Err(e) => {
                report.errors.push(SourceError {
                    path: source,
                    message: e.to_string(),
                });
                continue;
            }
        };
        let year = crate::scan::file_year(file);
        report.stats.files += 1;
        let mut n = 0u64;
        let mut lines = BufReader::new(reader).split(b'\n');
        let file_at = u32::try_from(file_index).unwrap_or(u32::MAX);
        loop {
            let mut batch: Vec<(u64, String)> = Vec::with_capacity(BATCH);
            while batch.len() < BATCH {
                let Some(line) = lines.next() else { break };
                let Ok(bytes) = line else {
                    report.errors.push(SourceError {
                        path: source.clone(),
                        message: format!("stopped reading after line {n}"),
                    });
                    break;
                };
                n += 1;
                let bytes = bytes.strip_suffix(b"\r").unwrap_or(&bytes);
                let text = String::from_utf8_lossy(&bytes[..bytes.len().min(LINE_BYTES)]);
                if !text.trim().is_empty() {
                    batch.push((n, text.into_owned()));
                }
            }
            if batch.is_empty() {
                break;
            }
            for ((line_no, text), read) in batch.iter().zip(read_batch(&batch, year)) {
                let message = &text[read.message.clone()];
                let id = miner.add_shaped(message, read.shape);
                let at = (file_at, *line_no);
                timeline.note_read(at, id, read.time.as_deref(), read.level, read.extras);
                note(seen.entry(id).or_default(), text, read.level, read.time);
                if opts.keep_lines {
                    report.lines.push(LineTemplate {
                        source: source.clone(),
                        line: *line_no,
                        template_id: id,
                    });
                }
            }
        }
        report.stats.lines += n;
    }
    finish(&mut report, &miner, seen, &timeline, &files, opts);
    report.stats.seconds = started.elapsed().as_secs_f64();
    report
}

/// Lines read at a time: parsed in parallel, then mined and counted in order.
const BATCH: usize = 8192;

/// What is read from a line apart from its template.
struct ReadLine {
    /// Where its message is (after time, host, program and level).
    message: std::ops::Range<usize>,
    level: Option<Level>,
    time: Option<String>,
    extras: Extras,
    /// The message's shape, for the miner.
    shape: Shape,
}

fn read_line(text: &str, year: timestamp::FileDate, shaper: &mut Shaper) -> ReadLine {
    let message = message_of(text);
    let start = message.as_ptr() as usize - text.as_ptr() as usize;
    ReadLine {
        message: start..start + message.len(),
        level: level(text),
        time: timestamp::parse(text, year),
        extras: Extras::after(&text[..start], message),
        shape: shaper.shape(message),
    }
}

/// Reads a batch's lines — time, level, message, durations, shape — on every core (each line on
/// its own: the order is kept).
fn read_batch(batch: &[(u64, String)], year: timestamp::FileDate) -> Vec<ReadLine> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(8);
    if threads < 2 || batch.len() < 256 {
        let mut shaper = Shaper::default();
        return batch
            .iter()
            .map(|(_, t)| read_line(t, year, &mut shaper))
            .collect();
    }
    let per = batch.len().div_ceil(threads);
    std::thread::scope(|scope| {
        let parts: Vec<_> = batch
            .chunks(per)
            .map(|part| {
                scope.spawn(move || {
                    let mut shaper = Shaper::default();
                    part.iter()
                        .map(|(_, t)| read_line(t, year, &mut shaper))
                        .collect::<Vec<_>>()
                })
            })
            .collect();
        parts
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// Templates, anomalies, handlers, histogram (and a baseline, when asked) from what was mined.
fn finish(
    report: &mut PatternReport,
    miner: &Miner,
    mut seen: HashMap<TemplateId, Seen>,
    timeline: &Timeline,
    files: &[sources::SourceFile],
    opts: &PatternOptions,
) {
    // Each live template's text, redacted once: a secret written as a plain word stays in its
    // template. Detection, handlers, the baseline and the summaries all read these.
    let mut texts: HashMap<TemplateId, String> = miner
        .templates()
        .into_iter()
        .filter_map(|t| Some((t.id, crate::redact::redact(&miner.text(t.id)?).text)))
        .collect();
    let describe_template = |id: TemplateId| Some((texts.get(&id)?.clone(), seen.get(&id)?.levels));
    let describe = Describe {
        template: &describe_template,
    };
    report.anomalies = detect(timeline, &describe, opts.compare.as_ref(), &opts.anomalies);
    place_anomalies(&mut report.anomalies, files);
    report.handlers = handlers(timeline, &describe);
    if let Some(name) = &opts.save_as {
        let sources = files.iter().map(|f| f.path.display().to_string()).collect();
        report.baseline = Some(Baseline::from_timeline(
            name,
            sources,
            timeline,
            &describe_template,
            &|h| describe.handler(h),
        ));
    }
    report.histogram = Histogram::of(timeline);
    report.templates = miner
        .templates()
        .into_iter()
        .filter_map(|t| {
            let s = seen.remove(&t.id)?;
            Some(TemplateSummary {
                id: t.id,
                template: texts.remove(&t.id)?,
                count: s.count,
                first_seen: s.first,
                last_seen: s.last,
                example: crate::redact::redact(s.example.as_deref().unwrap_or("")).text,
                levels: s.levels,
                spark: sparkline(&report.histogram, timeline.templates.get(&t.id)),
            })
        })
        .collect();
    report
        .templates
        .sort_by(|a, b| b.count.cmp(&a.count).then(a.id.cmp(&b.id)));
    report.stats.retired = miner.retired();
}

/// Each anomaly's first line in its window: the file, the line number and its text (read
/// again, once per file, up to the last line wanted).
fn place_anomalies(anomalies: &mut [Anomaly], files: &[sources::SourceFile]) {
    let mut wanted: BTreeMap<u32, BTreeMap<u64, Vec<usize>>> = BTreeMap::new();
    for (i, a) in anomalies.iter_mut().enumerate() {
        let Some((file, line)) = a.at else {
            continue;
        };
        a.source = files
            .get(file as usize)
            .map(|f| f.path.display().to_string())
            .unwrap_or_default();
        a.line = line;
        wanted
            .entry(file)
            .or_default()
            .entry(line)
            .or_default()
            .push(i);
    }
    for (file, lines) in wanted {
        let (Some(f), Some(&last)) = (files.get(file as usize), lines.keys().next_back()) else {
            continue;
        };
        let Ok(reader) = sources::open(f) else {
            continue;
        };
        for (n, bytes) in BufReader::new(reader).split(b'\n').enumerate() {
            let n = n as u64 + 1;
            let Ok(bytes) = bytes else { break };
            if let Some(idx) = lines.get(&n) {
                let text = String::from_utf8_lossy(&bytes[..bytes.len().min(400)]);
                let text = crate::redact::redact(text.trim_end()).text;
                for &i in idx {
                    anomalies[i].example.clone_from(&text);
                }
            }
            if n >= last {
                break;
            }
        }
    }
}

/// Each handler's durations, slowest p95 first.
fn handlers(timeline: &Timeline, describe: &Describe<'_>) -> Vec<HandlerStats> {
    let mut out: Vec<HandlerStats> = timeline
        .durations
        .iter()
        .filter_map(|(h, samples)| {
            let (calls, q) = samples.all();
            Some(HandlerStats {
                name: describe.handler(h)?,
                template_id: match h {
                    Handler::Template(id) => Some(*id),
                    Handler::Named(name) => timeline.named_templates.get(name).copied(),
                    Handler::Sequence(_) => None,
                },
                calls,
                p50_ms: q.p50,
                p95_ms: q.p95,
                max_ms: q.max,
            })
        })
        .collect();
    out.sort_by(|a, b| b.p95_ms.total_cmp(&a.p95_ms).then(a.name.cmp(&b.name)));
    out
}

/// Counts a line into its template's record.
fn note(s: &mut Seen, text: &str, line_level: Option<Level>, time: Option<String>) {
    s.count += 1;
    match line_level {
        Some(Level::Error | Level::Fatal) => s.levels.error += 1,
        Some(Level::Warn) => s.levels.warn += 1,
        _ => s.levels.other += 1,
    }
    if let Some(ts) = time {
        if s.first.is_none() {
            s.first = Some(ts.clone());
        }
        s.last = Some(ts);
    }
    if s.example.is_none() {
        s.example = Some(text.chars().take(400).collect());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_that_starts_after_the_cut_brings_no_new_patterns() {
        let dir = tempfile::tempdir().expect("temp dir");
        // A day of one service's log, and another's that begins in its last hour.
        let mut old = String::new();
        for m in 0..24 * 60 {
            let (h, m) = (m / 60, m % 60);
            old += &format!("2026-03-01 {h:02}:{m:02}:00 INFO request served in 12ms\n");
        }
        old += "2026-03-01 23:59:30 ERROR cache flush failed: disk quota exceeded\n";
        let mut new = String::new();
        for m in 0..30 {
            new += &format!(
                "2026-03-01 23:{:02}:00 ERROR worker lost its lease on shard 7\n",
                30 + m
            );
        }
        std::fs::write(dir.path().join("a.log"), old).expect("write");
        std::fs::write(dir.path().join("b.log"), new).expect("write");
        let report = mine(&[dir.path().to_path_buf()], &PatternOptions::default());
        let titles: Vec<&str> = report.anomalies.iter().map(|a| a.title.as_str()).collect();
        // The first file's new error is one; the second file's lines are new to nothing.
        assert!(
            titles.iter().any(|t| t.contains("cache flush failed")),
            "{titles:?}"
        );
        assert!(
            !titles.iter().any(|t| t.contains("lost its lease")),
            "{titles:?}"
        );
    }

    #[test]
    fn headers_are_not_part_of_the_message() {
        for (line, message) in [
            (
                "Dec 10 07:07:45 LabSZ sshd[24206]: Received disconnect",
                "Received disconnect",
            ),
            (
                "2026-12-02 10:00:01 ERROR db connection lost",
                "db connection lost",
            ),
            (
                "2026-12-02T10:00:01.123Z [worker] started",
                "[worker] started",
            ),
            (
                "[10.30 16:49:06] chrome.exe - open",
                "[10.30 16:49:06] chrome.exe - open",
            ),
            ("12:01:02.5 boot done", "boot done"),
            ("plain message", "plain message"),
        ] {
            assert_eq!(message_of(line), message, "{line}");
        }
    }

    #[test]
    fn a_file_becomes_templates_with_counts_times_levels_and_lines() {
        let dir = tempfile::tempdir().expect("tmp");
        let log = dir.path().join("app.log");
        let mut text = String::new();
        for n in 0..30 {
            text.push_str(&format!(
                "2026-12-02 10:00:{n:02} INFO request {n} served in {}ms\n",
                n * 7
            ));
        }
        text.push_str("2026-12-02 10:01:00 ERROR db connection lost to 10.0.0.5:5432 password=hunter2-secret\n");
        text.push_str("2026-12-02 10:01:05 ERROR db connection lost to 10.0.0.6:5432 password=hunter2-secret\n");
        std::fs::write(&log, text).expect("write");
        let r = mine(
            &[log],
            &PatternOptions {
                keep_lines: true,
                ..PatternOptions::default()
            },
        );
        assert_eq!(r.stats.lines, 32);
        assert_eq!(r.templates.len(), 2, "{:#?}", r.templates);
        let served = &r.templates[0];
        assert_eq!(served.count, 30);
        assert_eq!(served.template, "request # served in #ms");
        assert_eq!(served.first_seen.as_deref(), Some("2026-12-02T10:00:00"));
        assert_eq!(served.last_seen.as_deref(), Some("2026-12-02T10:00:29"));
        assert_eq!(served.levels.other, 30);
        let lost = &r.templates[1];
        assert_eq!((lost.count, lost.levels.error), (2, 2));
        assert!(!lost.example.contains("hunter2"), "{}", lost.example);
        assert_eq!(r.lines.len(), 32);
        assert_eq!(r.lines[31].template_id, lost.id);
    }
}

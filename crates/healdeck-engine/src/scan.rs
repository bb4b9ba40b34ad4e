//! The scanner: all files under the given paths, read once, scanned on every core.
//!
//! One reader thread turns files into chunks (`sources`); worker threads run
//! `Engine::process_chunk` on them; this thread puts results back in file order (`FileCursor`)
//! and groups them into issues. Channels are bounded, so memory stays at a few chunks whatever
//! the input size. A `ScanControl` lets a caller watch progress and cancel.

use super::classify::{Classified, Verdict, orphan_consequence};
use super::engine::{CONTEXT_LINES, ChunkEvent, ChunkResult, Engine, context_before, excerpt_of};
use super::group::{Added, Found, Issue, IssueStore, Occurrence};
use super::sources::{self, ChunkReader, SourceError, SourceFile};
use crate::testreport;
use crate::timestamp::FileDate;
use crossbeam_channel::{Receiver, Sender, bounded, unbounded};
use serde::Serialize;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Instant;

/// A consequence line folds into the issue above it when at most this many lines apart.
pub(crate) const CONSEQUENCE_WINDOW_LINES: u64 = 200;

/// Scanner settings.
#[derive(Debug, Clone)]
pub struct ScanOptions {
    pub threads: usize,
    pub chunk_bytes: usize,
    pub lookahead_bytes: usize,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            threads: std::thread::available_parallelism().map_or(2, |n| n.get()),
            chunk_bytes: sources::CHUNK_BYTES,
            lookahead_bytes: sources::LOOKAHEAD_BYTES,
        }
    }
}

/// Progress and cancellation shared with a caller (a GUI progress bar, Ctrl-C).
#[derive(Debug, Default)]
pub struct ScanControl {
    pub cancel: AtomicBool,
    pub bytes_done: AtomicU64,
    pub bytes_total: AtomicU64,
}

/// Totals of a scan.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct ScanStats {
    pub files: u64,
    pub bytes: u64,
    pub lines: u64,
    pub seconds: f64,
}

/// Per-file totals (the watcher starts following each file where the scan stopped).
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FileSummary {
    pub path: String,
    pub bytes: u64,
    pub lines: u64,
    pub gzip: bool,
}

/// Everything a scan found.
#[derive(Debug, Default)]
pub struct ScanReport {
    pub stats: ScanStats,
    pub issues: Vec<Issue>,
    pub errors: Vec<SourceError>,
    pub files: Vec<FileSummary>,
    /// The test reports among the sources, with how their tests ended.
    pub test_runs: Vec<crate::testreport::RunSummary>,
    pub cancelled: bool,
}

/// Puts one file's chunk results back in order: line numbers, cross-chunk de-duplication,
/// consequence folding.
#[derive(Debug)]
pub(crate) struct FileCursor {
    pub source: String,
    /// Lines before the next chunk.
    pub line_base: u64,
    /// Byte offset where the last event ended; later chunks' events inside it are dropped.
    pub last_end: u64,
    last_issue: Option<(usize, u64)>,
    /// When the last event of `last_issue` was written, if its line said.
    last_moment: Option<String>,
    /// Whether that event was a multi-line runtime failure (see `same_burst`).
    last_structural: bool,
    /// The first line of `last_issue`'s last event that was no aftermath (see `same_burst`).
    last_first: String,
    /// An access record held for the failure just after it (see `ChunkEvent::precedes`).
    preceding: Option<String>,
    pub ends_with_newline: bool,
    pub bytes: u64,
}

impl FileCursor {
    pub(crate) fn new(source: String) -> Self {
        FileCursor {
            source,
            line_base: 0,
            last_end: 0,
            last_issue: None,
            last_moment: None,
            last_structural: false,
            last_first: String::new(),
            preceding: None,
            ends_with_newline: true,
            bytes: 0,
        }
    }

    /// Lines seen so far (a last line without newline counts).
    pub(crate) fn lines(&self) -> u64 {
        self.line_base + u64::from(!self.ends_with_newline && self.bytes > 0)
    }

    /// Adds a chunk's results; `offset` is the chunk's byte offset in the file and `len` its
    /// own length; `text` is what the chunk's worker read. `on_added` hears of every new or
    /// updated issue.
    pub(crate) fn absorb(
        &mut self,
        engine: &Engine,
        store: &mut IssueStore,
        (offset, len): (u64, u64),
        result: ChunkResult,
        text: ChunkText<'_>,
        mut on_added: impl FnMut(Added),
    ) {
        let last_end = self.last_end;
        let overlaps = |ev: &ChunkEvent| {
            offset + (ev.start as u64) < last_end && offset + (ev.end as u64) > last_end
        };
        let events = if result.events.iter().any(overlaps) {
            // An event began inside the previous one (whose end this chunk's worker could not
            // know) and runs past it: look again from that end, as one unbroken scan does.
            let from = usize::try_from(last_end - offset).unwrap_or(usize::MAX);
            engine
                .process_chunk_from(text.buf, text.main_len, from, text.year)
                .events
        } else {
            result.events
        };
        let mut preceding = self.preceding.take();
        for ev in events {
            if offset + (ev.start as u64) < self.last_end {
                // Inside the previous event (a chunk boundary cut it): found already.
                continue;
            }
            self.last_end = offset + ev.end as u64;
            let occurrence = Occurrence {
                source: self.source.clone(),
                line: self.line_base + ev.first_line + 1,
                end_line: self.line_base + ev.last_line + 1,
                timestamp: ev.timestamp,
            };
            let classified = match ev.verdict {
                Verdict::Issue(c) => c,
                Verdict::Consequence(id) => match self.last_issue {
                    Some((i, last)) if occurrence.line - last <= CONSEQUENCE_WINDOW_LINES => {
                        fold_preceding(store, i, &mut preceding);
                        store.add_consequence(i, ev.first);
                        if let Some(worse) = engine.rules.worsens_to(&id) {
                            store.worsen(i, worse);
                        }
                        self.last_issue = Some((i, occurrence.end_line));
                        on_added(Added::Updated(i));
                        continue;
                    }
                    // One its writer logged as ordinary (gunicorn's `[INFO] Shutting down:
                    // Master` after a stop that was asked for) is no failure on its own.
                    _ if crate::level::level(&ev.first) == Some(crate::level::Level::Quiet) => {
                        continue;
                    }
                    _ => orphan_consequence(&ev.first).into(),
                },
            };
            // The aftermath of the issue just before it (a pool timing out after the database
            // went away) folds into that issue, which is as bad as its worst moment; so do
            // the unrecognised lines of the same burst (see `same_burst`).
            if let Some((i, last)) = self.last_issue
                && let Some(before) = store.get_shared(i)
                && (follows(engine, &classified, Some(&before), occurrence.line - last)
                    || !self.last_structural
                        && same_burst(
                            engine,
                            &classified,
                            (&before, &self.last_first),
                            (last, &self.last_moment),
                            (&occurrence, &ev.first),
                        ))
            {
                fold_preceding(store, i, &mut preceding);
                store.add_consequence(i, ev.first);
                store.worsen(i, classified.severity);
                self.last_issue = Some((i, occurrence.end_line));
                self.last_moment = occurrence.timestamp.or(self.last_moment.take());
                on_added(Added::Updated(i));
                continue;
            }
            // An access record written just before the failure it answered (uvicorn logs
            // the request's 500, then the exception): held, folded into that failure's issue
            // (in this chunk or the next).
            if ev.precedes && preceding.is_none() {
                preceding = Some(ev.first);
                continue;
            }
            let end_line = occurrence.end_line;
            self.last_moment = occurrence.timestamp.clone();
            self.last_structural = ev.structural;
            self.last_first = ev.first;
            // Only an issue's first occurrence keeps its lines.
            let (excerpt, context_before) = if store.knows(&classified.fingerprint) {
                (String::new(), Vec::new())
            } else {
                (
                    excerpt_of(text.buf, ev.start, ev.end),
                    text.context_before(ev.start),
                )
            };
            let added = store.add(
                &engine.rules,
                Found {
                    classified,
                    occurrence,
                    excerpt,
                    context_before,
                },
            );
            let (Added::New(i) | Added::Updated(i)) = added;
            fold_preceding(store, i, &mut preceding);
            self.last_issue = Some((i, end_line));
            on_added(added);
        }
        self.preceding = preceding;
        self.line_base += result.newlines;
        self.bytes = offset + len;
        if len > 0 {
            self.ends_with_newline = result.ends_with_newline;
        }
    }
}

/// The bytes a chunk's worker read, for looking again from another line and for the lines
/// of an issue's first occurrence.
pub(crate) struct ChunkText<'a> {
    pub buf: &'a [u8],
    pub main_len: usize,
    pub year: FileDate,
    /// The last lines before `buf` (the live watcher's earlier reads), oldest first.
    pub earlier: Option<&'a std::collections::VecDeque<String>>,
}

impl ChunkText<'_> {
    /// Up to `CONTEXT_LINES` lines before the event: from the buffer, then from the lines
    /// read before it.
    fn context_before(&self, start: usize) -> Vec<String> {
        let mut context = context_before(self.buf, start);
        let missing = CONTEXT_LINES.saturating_sub(context.len());
        if let Some(earlier) = self.earlier
            && missing > 0
        {
            let from = earlier.len().saturating_sub(missing);
            let mut lines: Vec<String> = earlier.iter().skip(from).cloned().collect();
            lines.append(&mut context);
            context = lines;
        }
        context
    }
}

enum Msg {
    Chunk {
        file: usize,
        year: FileDate,
        chunk: sources::Chunk,
        result: ChunkResult,
    },
    FileEnd(usize),
    FileError(usize, String),
}

struct Job {
    seq: u64,
    file: usize,
    year: FileDate,
    chunk: sources::Chunk,
}

/// Scans every log file under `paths`.
pub fn scan(
    engine: &Engine,
    paths: &[PathBuf],
    opts: &ScanOptions,
    control: &ScanControl,
) -> ScanReport {
    let started = Instant::now();
    let (files, mut errors) = sources_to_read(paths);
    let mut store = IssueStore::new();
    let (reports, files): (Vec<_>, Vec<_>) = files
        .into_iter()
        .partition(|f| f.stream.is_none() && !f.gzip && testreport::sniff_file(&f.path).is_some());
    let (mut summaries, test_runs) = read_reports(engine, &mut store, &reports, &mut errors);
    let total: u64 = files
        .iter()
        .filter_map(|f| std::fs::metadata(&f.path).ok())
        .map(|m| m.len())
        .sum();
    control.bytes_total.store(total, Ordering::Relaxed);
    if total > 0 {
        crate::redact::warm_up();
    }
    let threads = opts.threads.max(1);
    let mut cursors: Vec<FileCursor> = files
        .iter()
        .map(|f| FileCursor::new(f.path.display().to_string()))
        .collect();
    std::thread::scope(|s| {
        let (job_tx, job_rx) = bounded::<Job>(threads);
        let (res_tx, res_rx) = unbounded::<(u64, Msg)>();
        // Chunk buffers travel reader → worker → back to the reader.
        let (pool_tx, pool_rx) = bounded::<Vec<u8>>(threads * 2 + 2);
        let reader_tx = res_tx.clone();
        let files_ref = &files;
        std::thread::Builder::new()
            .name("healdeck-reader".into())
            .spawn_scoped(s, move || {
                read_all(files_ref, opts, control, job_tx, reader_tx, pool_rx)
            })
            .map_err(|e| tracing::error!("cannot start the reader thread: {e}"))
            .ok();
        for n in 0..threads {
            let rx = job_rx.clone();
            let tx = res_tx.clone();
            std::thread::Builder::new()
                .name(format!("healdeck-scan-{n}"))
                .spawn_scoped(s, move || work(engine, control, &rx, &tx))
                .map_err(|e| tracing::error!("cannot start scan worker {n}: {e}"))
                .ok();
        }
        drop(job_rx);
        drop(res_tx);
        let pool_back = pool_tx;
        let mut pending: BTreeMap<u64, Msg> = BTreeMap::new();
        let mut next = 0u64;
        for (seq, msg) in res_rx {
            pending.insert(seq, msg);
            while let Some(msg) = pending.remove(&next) {
                next += 1;
                match msg {
                    Msg::Chunk {
                        file,
                        year,
                        chunk,
                        result,
                    } => {
                        let text = ChunkText {
                            buf: &chunk.data,
                            main_len: chunk.main_len,
                            year,
                            earlier: None,
                        };
                        let span = (chunk.offset, chunk.main_len as u64);
                        cursors[file].absorb(engine, &mut store, span, result, text, |_| {});
                        // The buffer goes back for reuse; a full pool just lets it be freed.
                        let _ = pool_back.try_send(chunk.data);
                    }
                    Msg::FileEnd(file) => summaries.push(FileSummary {
                        path: cursors[file].source.clone(),
                        bytes: cursors[file].bytes,
                        lines: cursors[file].lines(),
                        gzip: files[file].gzip,
                    }),
                    Msg::FileError(file, message) => errors.push(SourceError {
                        path: files[file].path.display().to_string(),
                        message,
                    }),
                }
            }
        }
    });
    let stats = ScanStats {
        files: summaries.len() as u64,
        bytes: summaries.iter().map(|f| f.bytes).sum(),
        lines: summaries.iter().map(|f| f.lines).sum(),
        seconds: started.elapsed().as_secs_f64(),
    };
    ScanReport {
        stats,
        issues: store.into_sorted(),
        errors,
        files: summaries,
        test_runs,
        cancelled: control.cancel.load(Ordering::Relaxed),
    }
}

/// Reads each test report and adds its failures to `store` (a report is small and parsed
/// whole, so this runs before the threaded log scan).
fn read_reports(
    engine: &Engine,
    store: &mut IssueStore,
    reports: &[SourceFile],
    errors: &mut Vec<SourceError>,
) -> (Vec<FileSummary>, Vec<testreport::RunSummary>) {
    let mut files = Vec::new();
    let mut runs = Vec::new();
    for report in reports {
        let path = report.path.display().to_string();
        let Some(kind) = testreport::sniff_file(&report.path) else {
            continue;
        };
        match testreport::read(&report.path, kind) {
            Ok(run) => {
                testreport::add_run(engine, store, &path, &run, |_| {});
                files.push(FileSummary {
                    path: path.clone(),
                    bytes: std::fs::metadata(&report.path).map_or(0, |m| m.len()),
                    lines: run.lines,
                    gzip: false,
                });
                runs.push(testreport::RunSummary::of(&path, &run));
            }
            Err(message) => errors.push(SourceError {
                path,
                message: format!("{} test report: {message}", kind.as_str()),
            }),
        }
    }
    (files, runs)
}

/// The files under `paths` and the stream sources among them, in order; receivers are an
/// error here (they hear only while following).
fn sources_to_read(paths: &[PathBuf]) -> (Vec<SourceFile>, Vec<SourceError>) {
    let crate::remote::Sources {
        local,
        streams,
        receivers,
        mut errors,
    } = crate::remote::split_paths(paths);
    let (mut files, found_errors) = sources::discover(&local);
    errors.extend(found_errors);
    errors.extend(receivers.iter().map(|r| SourceError {
        path: r.to_string(),
        message: "a receiver only hears what is sent while healdeck follows (--watch)".into(),
    }));
    let streams = crate::remote::expand(streams, &crate::remote::SshSettings::from_env());
    files.extend(streams.into_iter().map(|spec| SourceFile {
        path: PathBuf::from(spec.to_string()),
        gzip: false,
        stream: Some(spec),
    }));
    (files, errors)
}

/// A scan worker: chunks in, classified events out (tagged with the chunk's sequence number
/// so the collector puts them back in file order, then hands the buffer back to the pool).
fn work(
    engine: &Engine,
    control: &ScanControl,
    jobs: &Receiver<Job>,
    results: &Sender<(u64, Msg)>,
) {
    for job in jobs {
        let len = job.chunk.main_len as u64;
        let result = engine.process_chunk(
            &job.chunk.data,
            job.chunk.main_len,
            job.chunk.starts_mid_line,
            job.year,
        );
        control.bytes_done.fetch_add(len, Ordering::Relaxed);
        // The buffer travels with the result: the collector may need to look at it again.
        let msg = Msg::Chunk {
            file: job.file,
            year: job.year,
            chunk: job.chunk,
            result,
        };
        if results.send((job.seq, msg)).is_err() {
            break;
        }
    }
}

fn read_all(
    files: &[SourceFile],
    opts: &ScanOptions,
    control: &ScanControl,
    job_tx: crossbeam_channel::Sender<Job>,
    res_tx: crossbeam_channel::Sender<(u64, Msg)>,
    pool: crossbeam_channel::Receiver<Vec<u8>>,
) {
    let mut seq = 0u64;
    let send = |msg: Msg, seq: &mut u64| {
        let ok = res_tx.send((*seq, msg)).is_ok();
        *seq += 1;
        ok
    };
    for (i, file) in files.iter().enumerate() {
        if control.cancel.load(Ordering::Relaxed) {
            return;
        }
        let reader = match sources::open(file) {
            Ok(r) => r,
            Err(e) => {
                send(Msg::FileError(i, e.to_string()), &mut seq);
                continue;
            }
        };
        let year = file_year(file);
        let mut failed = None;
        let chunks = ChunkReader::with_sizes(reader, opts.chunk_bytes, opts.lookahead_bytes)
            .with_pool(pool.clone());
        for chunk in chunks {
            if control.cancel.load(Ordering::Relaxed) {
                return;
            }
            match chunk {
                Ok(chunk) => {
                    let job = Job {
                        seq,
                        file: i,
                        year,
                        chunk,
                    };
                    seq += 1;
                    if job_tx.send(job).is_err() {
                        return;
                    }
                }
                Err(e) => {
                    failed = Some(e.to_string());
                    break;
                }
            }
        }
        let stream_failed = failed.is_some() && file.stream.is_some();
        if let Some(message) = failed {
            send(Msg::FileError(i, message), &mut seq);
        }
        // A source whose program failed (ssh could not connect, journalctl refused) was
        // not read, whatever it printed before failing.
        if !stream_failed {
            send(Msg::FileEnd(i), &mut seq);
        }
    }
}

/// Whether `classified`'s rule names `before`'s category among those it follows — `before`
/// being another rule's issue: a repeat of the same failure counts, it does not fold.
fn follows(
    engine: &Engine,
    classified: &Classified,
    before: Option<&Issue>,
    distance: u64,
) -> bool {
    let (Some(rule), Some(before)) = (
        classified.rule.and_then(|r| engine.rules.rules.get(r)),
        before,
    ) else {
        return false;
    };
    distance <= rule.spec.follows_within.unwrap_or(CONSEQUENCE_WINDOW_LINES)
        && rule.spec.follows.contains(&before.category)
        && before.rule.as_deref() != Some(rule.spec.id.as_str())
}

/// How far (in lines) one rule's events of one burst may lie apart.
const SAME_RULE_BURST_LINES: u64 = 12;

/// How far (in lines) after a rule's failure a line no rule knows may be one of its burst.
const UNKNOWN_BURST_LINES: u64 = 8;

/// Whether an event no rule knows, or another of the same rule's, is one more line of the
/// burst that `before` (a rule's issue, its last event ending on line `last`, written at
/// `moment`) started: it begins within [`UNKNOWN_BURST_LINES`] (the same rule's: within
/// [`SAME_RULE_BURST_LINES`]) and was written within a second of it — InnoDB's `Error number
/// 28 means 'No space left on device'`, `Could not set the file size …` and MySQL's
/// `Aborting` under `Operating system error number 28`.
fn same_burst(
    engine: &Engine,
    classified: &Classified,
    (before, before_first): (&Issue, &str),
    (last, moment): (u64, &Option<String>),
    (occurrence, first): (&Occurrence, &str),
) -> bool {
    // The same rule's next line may come a few lines on (pip's `ResolutionImpossible` under
    // its conflict report), a line no rule knows after a few lines that are no failure (the
    // kernel's `res 50/00:…/a0 Emask 0x10 (ATA bus error)` under an ATA exception). A
    // repeat is counted, not folded; nor does a burst join what the rule keeps apart on
    // purpose (its `group_by`: two addresses' failed logins), nor another writer's failure of
    // the same kind (Netdata's go.d and python.d collectors both refused a connection).
    let other_writer = || {
        let writer = |line| crate::reconnected::writer(line).map(|(w, _)| w);
        matches!((writer(before_first), writer(first)), (Some(a), Some(b)) if a != b)
    };
    let reach = match classified.rule.and_then(|r| engine.rules.rules.get(r)) {
        None => UNKNOWN_BURST_LINES,
        Some(rule)
            if before.rule.as_deref() == Some(rule.spec.id.as_str())
                && rule.spec.group_by.is_empty()
                && classified.fingerprint != before.fingerprint
                && !other_writer() =>
        {
            SAME_RULE_BURST_LINES
        }
        Some(_) => 0,
    };
    before.rule.is_some()
        && occurrence.line > last
        && occurrence.line <= last + reach
        && match (moment, &occurrence.timestamp) {
            (Some(a), Some(b)) => crate::timestamp::within_a_second(a, b),
            // A log without times (a CI console): only an unknown line, the very next one.
            (None, None) => classified.rule.is_none() && occurrence.line == last + 1,
            _ => false,
        }
}

/// Folds the held record (see `FileCursor::absorb`) into issue `i`.
fn fold_preceding(store: &mut IssueStore, i: usize, preceding: &mut Option<String>) {
    if let Some(line) = preceding.take() {
        store.add_consequence(i, line);
    }
}

/// The date of a file's modification time, for syslog timestamps without a year (today, for
/// a stream source, whose lines are being written now).
pub(crate) fn file_year(file: &SourceFile) -> FileDate {
    if file.stream.is_some() {
        return FileDate::today();
    }
    std::fs::metadata(&file.path)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(FileDate::year(1970), |d| {
            FileDate::of_unix(d.as_secs() as i64)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stream_source_dates_its_year_less_lines_today_not_by_any_file() {
        let spec: crate::remote::StreamSpec = "journal:".parse().expect("spec");
        let stream = SourceFile {
            path: PathBuf::from(spec.to_string()),
            gzip: false,
            stream: Some(spec),
        };
        assert_eq!(file_year(&stream), FileDate::today());
    }
}

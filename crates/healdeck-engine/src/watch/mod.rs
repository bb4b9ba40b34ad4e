//! Live mode: follow log files as they grow and report each new or changed issue the moment
//! its event is complete.
//!
//! Changes arrive through `notify` (inotify on Linux; no polling). Each file is a `Tail` that
//! reads only what was appended, keeps a partial last line until its newline arrives, and holds
//! back an event that touches the end of the data until either a line that is not part of it
//! arrives or the file has been quiet for `flush_idle` (so a traceback written in pieces is one
//! event, and a single line is reported within ~25 ms). Rotation by rename (new inode at the
//! path: the old file is read to its end first; the renamed file is not re-read) and truncation
//! (copytruncate: size below our offset) neither lose nor repeat lines.
//!
//! Stream sources (the journal, SSH, containers; `streams`) are read by their own threads and
//! arrive on the same queue as file changes; both land in a `Feed` (`feed`), which turns text
//! into events the way a scan does.

mod feed;
mod received;
mod streams;

use super::bus::TroubleAlert;
use super::engine::Engine;
use super::group::IssueStore;
use super::scan::FileCursor;
use super::sources::{self, SourceError, SourceFile};
use crate::receive::{Limits, ListenSpec, ReceiverMsg, ReceiverStats};
use crate::remote::{Positions, SshSettings, StreamMsg, StreamSpec};
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded};
use feed::Feed;
use notify::{RecursiveMode, Watcher as _};
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
pub use streams::StateSink;
use streams::StreamFeed;

/// Messages queued for the watcher: file changes and stream text (bounded: a flood from a
/// stream source waits in its pipe, not in memory).
enum Input {
    Fs(notify::Result<notify::Event>),
    Stream(usize, StreamMsg),
    Received(usize, ReceiverMsg),
    /// A file that appeared in a remote folder: the next stream source, followed from its start.
    Appeared(StreamSpec),
}

/// How often the receivers' counters are told (when they changed).
const STATS_EVERY: Duration = Duration::from_secs(5);

/// Messages the queue holds before readers wait.
const QUEUE: usize = 256;

/// Bytes read from a file per pass.
const READ_BYTES: usize = 8 << 20;

/// Live-mode settings.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Quiet time after which an event at the end of a file is taken as complete.
    pub flush_idle: Duration,
    /// How often remote folders (`ssh://host/var/log/app/`) are listed again for files that
    /// appeared in them since.
    pub rescan: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            flush_idle: Duration::from_millis(25),
            rescan: Duration::from_secs(30),
        }
    }
}

/// Why watching could not start.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch {path}: {message}")]
    Watch { path: String, message: String },
    #[error("{0}")]
    Source(SourceError),
}

type FileId = (u64, u64);

struct Tail {
    file: File,
    id: FileId,
    feed: Feed,
}

/// Follows files and reports issues through a sink.
pub struct LiveWatcher<'e> {
    engine: &'e Engine,
    opts: WatchOptions,
    store: IssueStore,
    roots: Vec<PathBuf>,
    explicit: Vec<PathBuf>,
    tails: HashMap<PathBuf, Tail>,
    /// Test reports followed: each is read whole again when its size or time changes (a CI
    /// job writes a new one per run).
    reports: HashMap<PathBuf, (u64, std::time::SystemTime)>,
    /// Files we stopped following at a rotation: where we were, so a renamed file is not re-read.
    retired: HashMap<FileId, (u64, u64)>,
    /// The files' existing content has been read; files that appear from now on are news.
    following: bool,
    streams: Vec<StreamFeed>,
    receivers: Vec<ListenSpec>,
    hosts: received::Hosts,
    limits: Limits,
    source_errors: Vec<SourceError>,
    positions: Option<Positions>,
    ssh: SshSettings,
    on_state: Option<StateSink<'e>>,
    /// Each receiver's counters, what was last told of them, and when they are told next.
    receiver_stats: Vec<std::sync::Arc<ReceiverStats>>,
    stats_told: Vec<[u64; 4]>,
    stats_due: Instant,
}

/// Sleeps `total` in short naps; false as soon as `quit` is set.
fn sleep_unless(quit: &AtomicBool, total: Duration) -> bool {
    let until = Instant::now() + total;
    while Instant::now() < until {
        if quit.load(Ordering::Relaxed) {
            return false;
        }
        std::thread::sleep(Duration::from_millis(100).min(until - Instant::now()));
    }
    !quit.load(Ordering::Relaxed)
}

/// Lists `folders` again every `every` until `quit`, and follows each file that appeared in
/// them on a thread of its own in `scope`, announcing it first (`Input::Appeared`: the event
/// loop has its feed before any of its text). `known` are the sources followed already; a new
/// one takes the next index after them.
fn rescan_folders<'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    folders: &[StreamSpec],
    known: Vec<StreamSpec>,
    ssh: &'scope SshSettings,
    every: Duration,
    quit: &'scope AtomicBool,
    tx: &Sender<Input>,
) {
    let mut next = known.len();
    let mut known: std::collections::HashSet<StreamSpec> = known.into_iter().collect();
    while sleep_unless(quit, every) {
        for spec in crate::remote::expand(folders.to_vec(), ssh) {
            if folders.contains(&spec) || !known.insert(spec.clone()) {
                continue;
            }
            if tx.send(Input::Appeared(spec.clone())).is_err() {
                return;
            }
            let (i, tx) = (next, tx.clone());
            next += 1;
            let follower = move || {
                crate::remote::follow(&spec, None, ssh, quit, |msg| {
                    tx.send(Input::Stream(i, msg)).is_ok()
                });
            };
            if let Err(e) = std::thread::Builder::new()
                .name(format!("healdeck-source-{i}"))
                .spawn_scoped(scope, follower)
            {
                tracing::error!("cannot start a reader: {e}");
            }
        }
    }
}

fn file_id(meta: &std::fs::Metadata) -> FileId {
    (meta.dev(), meta.ino())
}

impl<'e> LiveWatcher<'e> {
    /// Prepares to follow `paths` (files, folders, and stream sources such as `journal:` or
    /// `ssh://host/var/log/app.log`); existing content is reported first.
    pub fn new(engine: &'e Engine, paths: &[PathBuf], opts: WatchOptions) -> Self {
        let crate::remote::Sources {
            local,
            streams: specs,
            receivers,
            errors: source_errors,
        } = crate::remote::split_paths(paths);
        let limits = Limits::default();
        let mut roots = Vec::new();
        let mut explicit = Vec::new();
        for p in &local {
            let canon = p.canonicalize().unwrap_or_else(|_| p.clone());
            if canon.is_dir() {
                roots.push(canon);
            } else {
                explicit.push(canon);
            }
        }
        LiveWatcher {
            engine,
            opts,
            store: IssueStore::new(),
            roots,
            explicit,
            tails: HashMap::new(),
            reports: HashMap::new(),
            retired: HashMap::new(),
            following: false,
            streams: specs.into_iter().map(StreamFeed::new).collect(),
            receivers,
            hosts: received::Hosts::new(limits.max_hosts),
            limits,
            source_errors,
            positions: None,
            ssh: SshSettings::from_env(),
            on_state: None,
            receiver_stats: Vec::new(),
            stats_told: Vec::new(),
            stats_due: Instant::now(),
        }
    }

    /// Saves where each stream source was read up to in `file`, and starts from there: what
    /// was written while healdeck was not running is news, what it reported before is not.
    pub fn with_positions(mut self, file: &Path) -> Self {
        self.positions = Some(Positions::load(file));
        self
    }

    /// Tells `f` each stream source's state as it changes (connecting, connected,
    /// reconnecting and why).
    pub fn on_source_state(mut self, f: StateSink<'e>) -> Self {
        self.on_state = Some(f);
        self
    }

    /// Remote folders become one source per log file in them; the folder is told connected
    /// once its files are known. Returns the folders (to be listed again while following).
    fn expand_folders(&mut self) -> Vec<StreamSpec> {
        let given = self.stream_sources();
        let expanded = crate::remote::expand(given.clone(), &self.ssh);
        if expanded == given {
            return Vec::new();
        }
        let folders: Vec<StreamSpec> = given
            .into_iter()
            .filter(|spec| !expanded.contains(spec))
            .collect();
        for spec in &folders {
            if let Some(f) = self.on_state.as_mut() {
                f(&spec.to_string(), &crate::remote::StreamState::Connected);
            }
        }
        self.streams = expanded.into_iter().map(StreamFeed::new).collect();
        folders
    }

    /// The stream sources followed, by their canonical names.
    pub fn stream_sources(&self) -> Vec<StreamSpec> {
        self.streams.iter().map(|s| s.spec.clone()).collect()
    }

    fn accepts(&self, path: &Path) -> bool {
        if self.explicit.iter().any(|e| e == path) {
            return true;
        }
        self.roots.iter().any(|r| path.starts_with(r))
            && path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                (sources::is_log_name(n) && !n.ends_with(".gz"))
                    || (crate::testreport::may_be_report(n)
                        && crate::testreport::sniff_file(path).is_some())
            })
    }

    /// A test report, read whole when it changed; its failures are alerts like a log's.
    fn poll_report(&mut self, path: &Path, sink: &mut impl FnMut(TroubleAlert)) {
        let Ok(meta) = std::fs::metadata(path) else {
            return;
        };
        let stamp = (meta.len(), meta.modified().unwrap_or(std::time::UNIX_EPOCH));
        if self.reports.get(path) == Some(&stamp) {
            return;
        }
        let Some(kind) = crate::testreport::sniff_file(path) else {
            return;
        };
        match crate::testreport::read(path, kind) {
            Ok(run) => {
                self.reports.insert(path.to_path_buf(), stamp);
                let mut added = Vec::new();
                let source = path.display().to_string();
                crate::testreport::add_run(self.engine, &mut self.store, &source, &run, |a| {
                    added.push(a)
                });
                for (i, kind) in feed::coalesce(added) {
                    if let Some(issue) = self.store.get_shared(i) {
                        sink(TroubleAlert {
                            kind,
                            issue,
                            live: self.following,
                        });
                    }
                }
            }
            // Being written: read again at its next change.
            Err(e) => tracing::debug!("{}: {e}", path.display()),
        }
    }

    /// Runs until `stop` is set. Every new or updated issue goes to `sink`; `on_ready` hears
    /// how many sources are followed once the watches are in place and the files' existing
    /// content is read (stream sources read their history on their own threads).
    pub fn run(
        &mut self,
        stop: &AtomicBool,
        mut sink: impl FnMut(TroubleAlert),
        on_ready: impl FnOnce(usize),
    ) -> Result<(), WatchError> {
        if let Some(e) = self.source_errors.first() {
            return Err(WatchError::Source(e.clone()));
        }
        let (tx, rx) = bounded::<Input>(QUEUE);
        let fs_tx = tx.clone();
        let mut watcher = notify::recommended_watcher(move |e| {
            let _ = fs_tx.send(Input::Fs(e));
        })
        .map_err(|e| WatchError::Watch {
            path: String::new(),
            message: e.to_string(),
        })?;
        self.watch_paths(&mut watcher)?;
        let quit = AtomicBool::new(false);
        let folders = self.expand_folders();
        let specs = self.stream_sources();
        let ssh = self.ssh.clone();
        let (receivers, limits) = (self.receivers.clone(), self.limits.clone());
        let stats: Vec<std::sync::Arc<ReceiverStats>> = receivers
            .iter()
            .map(|_| std::sync::Arc::default())
            .collect();
        self.receiver_stats = stats.clone();
        self.stats_told = vec![[0; 4]; stats.len()];
        std::thread::scope(|s| {
            for (i, spec) in receivers.iter().enumerate() {
                let (tx, quit, limits, stats) = (tx.clone(), &quit, &limits, &stats[i]);
                std::thread::Builder::new()
                    .name(format!("healdeck-receiver-{i}"))
                    .spawn_scoped(s, move || {
                        let send = |msg| tx.send(Input::Received(i, msg)).is_ok();
                        crate::receive::serve(spec, limits, stats, quit, &send);
                    })
                    .map_err(|e| tracing::error!("cannot start the receiver {spec}: {e}"))
                    .ok();
            }
            for (i, spec) in specs.iter().enumerate() {
                let saved = self.positions.as_ref().and_then(|p| p.get(spec));
                let (tx, quit, ssh) = (tx.clone(), &quit, &ssh);
                std::thread::Builder::new()
                    .name(format!("healdeck-source-{i}"))
                    .spawn_scoped(s, move || {
                        crate::remote::follow(spec, saved, ssh, quit, |msg| {
                            tx.send(Input::Stream(i, msg)).is_ok()
                        });
                    })
                    .map_err(|e| tracing::error!("cannot start a reader for {spec}: {e}"))
                    .ok();
            }
            if !folders.is_empty() {
                let (tx, quit, ssh, every) = (tx.clone(), &quit, &ssh, self.opts.rescan);
                let known = specs.clone();
                std::thread::Builder::new()
                    .name("healdeck-rescan".into())
                    .spawn_scoped(s, move || {
                        rescan_folders(s, &folders, known, ssh, every, quit, &tx);
                    })
                    .map_err(|e| tracing::error!("cannot start listing remote folders: {e}"))
                    .ok();
            }
            drop(tx);
            self.read_existing(&mut sink);
            on_ready(
                self.tails.len() + self.reports.len() + self.streams.len() + self.receivers.len(),
            );
            self.event_loop(stop, &rx, &mut sink);
            self.tell_receiver_counts(true);
            // Readers stop at their next look at `quit`, or when their send fails.
            quit.store(true, Ordering::SeqCst);
            drop(rx);
        });
        drop(watcher);
        Ok(())
    }

    fn watch_paths(&self, watcher: &mut notify::RecommendedWatcher) -> Result<(), WatchError> {
        let mut watched: Vec<(PathBuf, RecursiveMode)> = self
            .roots
            .iter()
            .map(|r| (r.clone(), RecursiveMode::Recursive))
            .collect();
        for f in &self.explicit {
            let parent = f
                .parent()
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
            if !watched.iter().any(|(p, _)| *p == parent) {
                watched.push((parent, RecursiveMode::NonRecursive));
            }
        }
        for (path, mode) in &watched {
            watcher.watch(path, *mode).map_err(|e| WatchError::Watch {
                path: path.display().to_string(),
                message: e.to_string(),
            })?;
        }
        Ok(())
    }

    /// The files' existing content, read after the watch is in place so nothing written
    /// meanwhile is lost; what is written from here on is news.
    fn read_existing(&mut self, sink: &mut impl FnMut(TroubleAlert)) {
        let (files, _) = sources::discover(
            &self
                .roots
                .iter()
                .chain(self.explicit.iter().filter(|p| p.exists()))
                .cloned()
                .collect::<Vec<_>>(),
        );
        for f in files.into_iter().filter(|f| !f.gzip) {
            let path = f.path.canonicalize().unwrap_or(f.path);
            self.poll(&path, sink);
        }
        for t in self.tails.values_mut() {
            t.feed.history_end = t.feed.offset;
        }
        self.following = true;
    }

    fn event_loop(
        &mut self,
        stop: &AtomicBool,
        rx: &Receiver<Input>,
        sink: &mut impl FnMut(TroubleAlert),
    ) {
        while !stop.load(Ordering::Relaxed) {
            let timeout = self.next_deadline();
            match rx.recv_timeout(timeout) {
                Ok(input) => {
                    self.take(input, sink);
                    // Take whatever else is queued before flushing.
                    while let Ok(input) = rx.try_recv() {
                        self.take(input, sink);
                    }
                }
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => break,
            }
            self.flush_idle(sink);
            self.tell_receiver_counts(false);
        }
    }

    /// Tells each receiver's counters when they changed: every [`STATS_EVERY`], and `now`.
    fn tell_receiver_counts(&mut self, now: bool) {
        if !now && Instant::now() < self.stats_due {
            return;
        }
        self.stats_due = Instant::now() + STATS_EVERY;
        let Some(f) = self.on_state.as_mut() else {
            return;
        };
        for ((spec, stats), told) in self
            .receivers
            .iter()
            .zip(&self.receiver_stats)
            .zip(&mut self.stats_told)
        {
            let read = |c: &std::sync::atomic::AtomicU64| c.load(Ordering::Relaxed);
            let counts = [
                read(&stats.messages),
                read(&stats.cut),
                read(&stats.refused),
                read(&stats.malformed),
            ];
            if counts != *told {
                *told = counts;
                let [messages, cut, refused, malformed] = counts;
                let state = crate::remote::StreamState::Receiving {
                    messages,
                    cut,
                    refused,
                    malformed,
                };
                f(&spec.to_string(), &state);
            }
        }
    }

    fn take(&mut self, input: Input, sink: &mut impl FnMut(TroubleAlert)) {
        match input {
            Input::Fs(Ok(event)) if may_change_content(&event.kind) => {
                for path in event.paths {
                    self.poll(&path, sink);
                }
            }
            Input::Fs(_) => {}
            Input::Received(i, ReceiverMsg::Records(records)) => {
                if let Some(spec) = self.receivers.get(i) {
                    self.hosts.take(
                        spec.protocol,
                        records,
                        (self.engine, &mut self.store),
                        &mut self.on_state,
                        sink,
                    );
                }
            }
            Input::Received(i, ReceiverMsg::State(state)) => {
                if let (Some(spec), Some(f)) = (self.receivers.get(i), self.on_state.as_mut()) {
                    f(&spec.to_string(), &state);
                }
            }
            Input::Appeared(spec) => self.streams.push(StreamFeed::appeared(spec)),
            Input::Stream(i, msg) => {
                if let Some(stream) = self.streams.get_mut(i) {
                    stream.take(
                        msg,
                        self.engine,
                        &mut self.store,
                        self.positions.as_mut(),
                        &mut self.on_state,
                        sink,
                    );
                }
            }
        }
    }

    fn next_deadline(&self) -> Duration {
        let now = Instant::now();
        self.tails
            .values()
            .map(|t| &t.feed)
            .chain(self.streams.iter().map(|s| &s.feed))
            .chain(self.hosts.map.values().map(|h| &h.feed))
            .filter(|f| f.waiting)
            .map(|f| (f.last_data + self.opts.flush_idle).saturating_duration_since(now))
            .min()
            .unwrap_or(Duration::from_millis(250))
            .max(Duration::from_millis(1))
    }

    fn flush_idle(&mut self, sink: &mut impl FnMut(TroubleAlert)) {
        let now = Instant::now();
        let idle = self.opts.flush_idle;
        let due = |f: &Feed| f.waiting && now.duration_since(f.last_data) >= idle;
        for tail in self.tails.values_mut().filter(|t| due(&t.feed)) {
            tail.feed
                .process(self.engine, &mut self.store, false, &mut *sink);
        }
        for host in self.hosts.map.values_mut().filter(|h| due(&h.feed)) {
            host.feed
                .process(self.engine, &mut self.store, false, &mut *sink);
        }
        for stream in self.streams.iter_mut().filter(|s| due(&s.feed)) {
            stream.flush(
                self.engine,
                &mut self.store,
                self.positions.as_mut(),
                &mut *sink,
            );
        }
    }

    /// Reacts to a change at `path`: new file, growth, rotation or truncation.
    fn poll(&mut self, path: &Path, sink: &mut impl FnMut(TroubleAlert)) {
        if self.reports.contains_key(path)
            || (!self.tails.contains_key(path)
                && self.accepts(path)
                && crate::testreport::sniff_file(path).is_some())
        {
            self.poll_report(path, sink);
            return;
        }
        let Some(mut tail) = self.tails.remove(path) else {
            if self.accepts(path)
                && let Some(tail) = self.open_tail(path)
            {
                self.tails.insert(path.to_path_buf(), tail);
                self.poll(path, sink);
            }
            return;
        };
        match std::fs::metadata(path) {
            Ok(meta) if file_id(&meta) != tail.id => {
                // Rotated: finish the old file, then follow the new one.
                self.read_new(&mut tail, sink);
                tail.feed.process(self.engine, &mut self.store, false, sink);
                self.retired
                    .insert(tail.id, (tail.feed.offset, tail.feed.cursor.line_base));
                if let Some(new_tail) = self.open_tail(path) {
                    tail = new_tail;
                }
            }
            Ok(meta) if meta.len() < tail.feed.offset => {
                // Truncated in place: start again from the top.
                tail.feed.process(self.engine, &mut self.store, false, sink);
                tail.feed.offset = 0;
                tail.feed.buf.clear();
                tail.feed.cursor = FileCursor::new(tail.feed.cursor.source.clone());
                if tail.file.seek(SeekFrom::Start(0)).is_err() {
                    return;
                }
            }
            _ => {}
        }
        self.read_new(&mut tail, sink);
        self.tails.insert(path.to_path_buf(), tail);
    }

    fn open_tail(&self, path: &Path) -> Option<Tail> {
        let mut file = File::open(path).ok()?;
        let meta = file.metadata().ok()?;
        if !meta.is_file() {
            return None;
        }
        let id = file_id(&meta);
        // Another name for a file we already follow (the rename half of a rotation).
        if self.tails.values().any(|t| t.id == id) {
            return None;
        }
        let (offset, lines) = self.retired.get(&id).copied().unwrap_or((0, 0));
        file.seek(SeekFrom::Start(offset)).ok()?;
        let year = super::scan::file_year(&SourceFile {
            path: path.to_path_buf(),
            gzip: false,
            stream: None,
        });
        // While the existing content is read, all of it is history (the end is set once it
        // is read); a file that appears later is news from its first byte.
        let history_end = if self.following { 0 } else { u64::MAX };
        let mut feed = Feed::new(path.display().to_string(), year, history_end);
        feed.offset = offset;
        feed.cursor.line_base = lines;
        feed.cursor.last_end = offset;
        feed.cursor.bytes = offset;
        Some(Tail { file, id, feed })
    }

    fn read_new(&mut self, tail: &mut Tail, sink: &mut impl FnMut(TroubleAlert)) {
        loop {
            let got = (&mut tail.file)
                .take(READ_BYTES as u64)
                .read_to_end(&mut tail.feed.buf)
                .unwrap_or(0);
            if got == 0 {
                break;
            }
            tail.feed.offset += got as u64;
            tail.feed.last_data = Instant::now();
            tail.feed.process(self.engine, &mut self.store, true, sink);
        }
    }
}

/// Whether a file-system event may have changed what a file holds. Opening or reading one
/// does not — and reading a file in a followed folder (a report it might be) raised another
/// open event for it, so answering those kept the watcher busy forever while nothing
/// changed. Closing a file written to still counts (some writers are only seen then).
fn may_change_content(kind: &notify::EventKind) -> bool {
    use notify::event::{AccessKind, AccessMode};
    match kind {
        notify::EventKind::Access(AccessKind::Close(AccessMode::Write)) => true,
        notify::EventKind::Access(_) => false,
        _ => true,
    }
}

#[cfg(test)]
mod event_tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};

    #[test]
    fn opening_or_reading_a_file_is_no_change_but_writing_it_is() {
        use notify::EventKind as K;
        assert!(!may_change_content(&K::Access(AccessKind::Open(
            AccessMode::Any
        ))));
        assert!(!may_change_content(&K::Access(AccessKind::Read)));
        assert!(!may_change_content(&K::Access(AccessKind::Close(
            AccessMode::Read
        ))));
        assert!(may_change_content(&K::Access(AccessKind::Close(
            AccessMode::Write
        ))));
        assert!(may_change_content(&K::Modify(ModifyKind::Any)));
        assert!(may_change_content(&K::Create(CreateKind::File)));
        assert!(may_change_content(&K::Any));
    }
}

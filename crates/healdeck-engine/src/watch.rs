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

use super::bus::{AlertKind, TroubleAlert};
use super::engine::{CONTEXT_LINES, EXCERPT_LINE_CHARS, Engine, text_of};
use super::events::MAX_LINE_BYTES;
use super::group::{Added, IssueStore};
use super::scan::{ChunkText, FileCursor};
use super::sources::{self, SourceFile};
use notify::{RecursiveMode, Watcher as _};
use std::collections::HashMap;
use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// Bytes read from a file per pass.
const READ_BYTES: usize = 8 << 20;

/// Live-mode settings.
#[derive(Debug, Clone)]
pub struct WatchOptions {
    /// Quiet time after which an event at the end of a file is taken as complete.
    pub flush_idle: Duration,
}

impl Default for WatchOptions {
    fn default() -> Self {
        WatchOptions {
            flush_idle: Duration::from_millis(25),
        }
    }
}

/// Why watching could not start.
#[derive(Debug, thiserror::Error)]
pub enum WatchError {
    #[error("cannot watch {path}: {message}")]
    Watch { path: String, message: String },
}

type FileId = (u64, u64);

struct Tail {
    file: File,
    id: FileId,
    /// Bytes read from the file so far.
    offset: u64,
    /// Unprocessed bytes, starting at file offset `offset - buf.len()`.
    buf: Vec<u8>,
    cursor: FileCursor,
    year: crate::timestamp::FileDate,
    last_data: Instant,
    /// Complete lines in `buf` wait for the idle flush.
    waiting: bool,
    /// The last lines already processed (up to `CONTEXT_LINES`): an event at the start of new
    /// data gets the lines before it from here, as a scan of the whole file would.
    recent: std::collections::VecDeque<String>,
    /// Where the file's content stood when following began (0 for a file that appeared
    /// later): alerts from bytes before it are not news.
    history_end: u64,
}

/// Follows files and reports issues through a sink.
pub struct LiveWatcher<'e> {
    engine: &'e Engine,
    opts: WatchOptions,
    store: IssueStore,
    roots: Vec<PathBuf>,
    explicit: Vec<PathBuf>,
    tails: HashMap<PathBuf, Tail>,
    /// Files we stopped following at a rotation: where we were, so a renamed file is not re-read.
    retired: HashMap<FileId, (u64, u64)>,
    /// The files' existing content has been read; files that appear from now on are news.
    following: bool,
}

fn file_id(meta: &std::fs::Metadata) -> FileId {
    (meta.dev(), meta.ino())
}

impl<'e> LiveWatcher<'e> {
    /// Prepares to follow `paths` (files or folders); existing content is reported first.
    pub fn new(engine: &'e Engine, paths: &[PathBuf], opts: WatchOptions) -> Self {
        let mut roots = Vec::new();
        let mut explicit = Vec::new();
        for p in paths {
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
            retired: HashMap::new(),
            following: false,
        }
    }

    fn accepts(&self, path: &Path) -> bool {
        if self.explicit.iter().any(|e| e == path) {
            return true;
        }
        self.roots.iter().any(|r| path.starts_with(r))
            && path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| sources::is_log_name(n) && !n.ends_with(".gz"))
    }

    /// Runs until `stop` is set. Every new or updated issue goes to `sink`; `on_ready` hears
    /// how many files are followed once the watches are in place and existing content is read.
    pub fn run(
        &mut self,
        stop: &AtomicBool,
        mut sink: impl FnMut(TroubleAlert),
        on_ready: impl FnOnce(usize),
    ) -> Result<(), WatchError> {
        let (tx, rx) = mpsc::channel::<notify::Result<notify::Event>>();
        let mut watcher = notify::recommended_watcher(tx).map_err(|e| WatchError::Watch {
            path: String::new(),
            message: e.to_string(),
        })?;
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
        // Existing content, after the watch is in place so nothing written meanwhile is lost.
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
            self.poll(&path, &mut sink);
        }
        // What the files held so far is their history; what is written from here on is news.
        for t in self.tails.values_mut() {
            t.history_end = t.offset;
        }
        self.following = true;
        on_ready(self.tails.len());
        while !stop.load(Ordering::Relaxed) {
            let timeout = self.next_deadline();
            match rx.recv_timeout(timeout) {
                Ok(Ok(event)) => {
                    for path in event.paths {
                        self.poll(&path, &mut sink);
                    }
                    // Take whatever else is queued before flushing.
                    while let Ok(Ok(event)) = rx.try_recv() {
                        for path in event.paths {
                            self.poll(&path, &mut sink);
                        }
                    }
                }
                Ok(Err(_)) | Err(mpsc::RecvTimeoutError::Timeout) => {}
                Err(mpsc::RecvTimeoutError::Disconnected) => break,
            }
            self.flush_idle(&mut sink);
        }
        Ok(())
    }

    fn next_deadline(&self) -> Duration {
        let now = Instant::now();
        self.tails
            .values()
            .filter(|t| t.waiting)
            .map(|t| (t.last_data + self.opts.flush_idle).saturating_duration_since(now))
            .min()
            .unwrap_or(Duration::from_millis(250))
            .max(Duration::from_millis(1))
    }

    fn flush_idle(&mut self, sink: &mut impl FnMut(TroubleAlert)) {
        let now = Instant::now();
        let due: Vec<PathBuf> = self
            .tails
            .iter()
            .filter(|(_, t)| t.waiting && now.duration_since(t.last_data) >= self.opts.flush_idle)
            .map(|(p, _)| p.clone())
            .collect();
        for p in due {
            if let Some(mut tail) = self.tails.remove(&p) {
                self.process(&mut tail, false, sink);
                self.tails.insert(p, tail);
            }
        }
    }

    /// Reacts to a change at `path`: new file, growth, rotation or truncation.
    fn poll(&mut self, path: &Path, sink: &mut impl FnMut(TroubleAlert)) {
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
                self.process(&mut tail, false, sink);
                self.retired
                    .insert(tail.id, (tail.offset, tail.cursor.line_base));
                if let Some(new_tail) = self.open_tail(path) {
                    tail = new_tail;
                }
            }
            Ok(meta) if meta.len() < tail.offset => {
                // Truncated in place: start again from the top.
                self.process(&mut tail, false, sink);
                tail.offset = 0;
                tail.buf.clear();
                tail.cursor = FileCursor::new(tail.cursor.source.clone());
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
        let mut cursor = FileCursor::new(path.display().to_string());
        cursor.line_base = lines;
        cursor.last_end = offset;
        cursor.bytes = offset;
        Some(Tail {
            file,
            id,
            offset,
            buf: Vec::new(),
            cursor,
            year: super::scan::file_year(&SourceFile {
                path: path.to_path_buf(),
                gzip: false,
            }),
            last_data: Instant::now(),
            waiting: false,
            recent: std::collections::VecDeque::new(),
            // While the existing content is read, all of it is history (the end is set once
            // it is read); a file that appears later is news from its first byte.
            history_end: if self.following { 0 } else { u64::MAX },
        })
    }

    fn read_new(&mut self, tail: &mut Tail, sink: &mut impl FnMut(TroubleAlert)) {
        loop {
            let got = (&mut tail.file)
                .take(READ_BYTES as u64)
                .read_to_end(&mut tail.buf)
                .unwrap_or(0);
            if got == 0 {
                break;
            }
            tail.offset += got as u64;
            tail.last_data = Instant::now();
            self.process(tail, true, sink);
        }
    }

    /// Reports the complete events in `tail.buf`. With `hold_open`, an event that reaches the
    /// end of the data waits (it may continue); without, everything complete is reported.
    fn process(&mut self, tail: &mut Tail, hold_open: bool, sink: &mut impl FnMut(TroubleAlert)) {
        let complete = memchr::memrchr(b'\n', &tail.buf).map_or(0, |p| p + 1);
        if complete == 0 {
            tail.waiting = false;
            return;
        }
        let base = tail.offset - tail.buf.len() as u64;
        let mut result =
            self.engine
                .process_chunk(&tail.buf[..complete], complete, false, tail.year);
        let mut consumed = complete;
        if hold_open
            && let Some(last) = result.events.last()
            && last.end >= complete
        {
            consumed = last.start;
            result.events.pop();
            result.newlines = bytecount::count(&tail.buf[..consumed], b'\n') as u64;
            result.ends_with_newline = true;
        }
        let store = &mut self.store;
        let mut added = Vec::new();
        let text = ChunkText {
            buf: &tail.buf[..complete],
            main_len: consumed,
            year: tail.year,
            earlier: Some(&tail.recent),
        };
        tail.cursor.absorb(
            self.engine,
            store,
            (base, consumed as u64),
            result,
            text,
            |a| added.push(a),
        );
        for (i, kind) in coalesce(added) {
            if let Some(issue) = self.store.get_shared(i) {
                sink(TroubleAlert {
                    kind,
                    issue,
                    live: base >= tail.history_end,
                });
            }
        }
        remember_recent(&mut tail.recent, &tail.buf[..consumed]);
        tail.buf.drain(..consumed);
        tail.waiting = consumed < complete;
    }
}

/// One alert per issue a chunk added to, in the order they were first touched, as `New` if
/// the chunk created it: each alert carries the issue as it stands after the chunk, so a
/// burst of N repeats read at once is one line counting N — not N lines that all claim N.
fn coalesce(added: Vec<Added>) -> Vec<(usize, AlertKind)> {
    let mut seen = std::collections::HashSet::new();
    added
        .into_iter()
        .map(|a| match a {
            Added::New(i) => (i, AlertKind::New),
            Added::Updated(i) => (i, AlertKind::Updated),
        })
        // An issue's `New` comes before its updates, so the first one seen is the one kept.
        .filter(|&(i, _)| seen.insert(i))
        .collect()
}

/// Keeps the last `CONTEXT_LINES` lines of `consumed` (after those kept before).
fn remember_recent(recent: &mut std::collections::VecDeque<String>, consumed: &[u8]) {
    let body = consumed.strip_suffix(b"\n").unwrap_or(consumed);
    if consumed.is_empty() {
        return;
    }
    let mut last: Vec<String> = body
        .rsplit(|&b| b == b'\n')
        .take(CONTEXT_LINES)
        .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
        .map(|l| {
            text_of(&l[..l.len().min(MAX_LINE_BYTES)])
                .chars()
                .take(EXCERPT_LINE_CHARS)
                .collect()
        })
        .collect();
    last.reverse();
    recent.extend(last);
    while recent.len() > CONTEXT_LINES {
        recent.pop_front();
    }
}

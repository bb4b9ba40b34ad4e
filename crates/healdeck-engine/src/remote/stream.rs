//! Reading a stream source: run its command, turn the output into log text, and — when
//! following — start it again after it ends or the link drops, with back-off (1 s doubling
//! to 30 s), from the position after the last line read, so nothing is lost or read twice.
//!
//! A reader runs on its own thread and talks to the watcher through messages: text with the
//! position after it, the end of the history a previous run already reported, and state
//! changes (connecting, connected, reconnecting with why) for the source list.

use super::command::{Phase, Position, SshSettings, argv};
use super::decode::Decoder;
use super::spec::StreamSpec;
use crossbeam_channel::{Receiver, RecvTimeoutError, Sender, bounded};
use std::io::Read;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// Bytes read from a program per block.
const BLOCK_BYTES: usize = 64 << 10;
/// Blocks in flight between a program's pipe and its reader (back-pressure beyond that).
const BLOCKS_IN_FLIGHT: usize = 16;
/// The last bytes of a program's error output kept to say why it stopped.
const STDERR_TAIL: usize = 600;
const FIRST_BACKOFF: Duration = Duration::from_secs(1);
const MAX_BACKOFF: Duration = Duration::from_secs(30);

/// How a followed source is doing, for the source list.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case", tag = "state")]
pub enum StreamState {
    Connecting,
    Connected,
    /// The reading program stopped (why); it starts again after `after_secs`.
    Reconnecting {
        after_secs: u64,
        reason: String,
    },
    /// A receiver is waiting for senders.
    Listening,
    /// A receiver could not start (why).
    Failed {
        reason: String,
    },
    /// A receiver's counts so far, told every few seconds while they change: messages taken,
    /// cut to the size limit, connections refused at the connection limit, connections
    /// closed for framing that made no sense.
    Receiving {
        messages: u64,
        cut: u64,
        refused: u64,
        malformed: u64,
    },
}

impl std::fmt::Display for StreamState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StreamState::Connecting => write!(f, "connecting"),
            StreamState::Connected => write!(f, "connected"),
            StreamState::Reconnecting { after_secs, reason } => {
                write!(f, "reconnecting in {after_secs} s ({reason})")
            }
            StreamState::Listening => write!(f, "listening"),
            StreamState::Failed { reason } => write!(f, "failed: {reason}"),
            StreamState::Receiving {
                messages,
                cut,
                refused,
                malformed,
            } => {
                write!(
                    f,
                    "listening: {} messages",
                    crate::patterns::thousands(*messages)
                )?;
                for (n, what) in [
                    (cut, "cut to the size limit"),
                    (refused, "connections refused (too many open)"),
                    (malformed, "connections closed for bad framing"),
                ] {
                    if *n > 0 {
                        write!(f, ", {} {what}", crate::patterns::thousands(*n))?;
                    }
                }
                Ok(())
            }
        }
    }
}

/// What a reader tells the watcher.
#[derive(Debug)]
pub(crate) enum StreamMsg {
    /// Log text, with the position to resume from after each of its lines (offset of the
    /// line's end in `bytes`).
    Text {
        bytes: Vec<u8>,
        marks: Vec<(usize, Position)>,
    },
    /// Everything sent so far was already there (or reported by an earlier run).
    HistoryEnd,
    State(StreamState),
}

/// What a program's pipes deliver.
enum Block {
    Lines(Vec<u8>),
    /// The bytes after the last newline, at the end of the output.
    Partial(Vec<u8>),
}

/// How one run of a program ended.
enum RunEnd {
    Exited { ok: bool, reason: String },
    Stopped,
    CannotStart(String),
}

/// Reads a pipe in blocks that end at a newline.
fn pump(mut pipe: impl Read, tx: Sender<Block>) {
    let mut carry: Vec<u8> = Vec::new();
    let mut buf = vec![0u8; BLOCK_BYTES];
    loop {
        let n = match pipe.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        carry.extend_from_slice(&buf[..n]);
        if let Some(p) = memchr::memrchr(b'\n', &carry) {
            let rest = carry.split_off(p + 1);
            if tx
                .send(Block::Lines(std::mem::replace(&mut carry, rest)))
                .is_err()
            {
                return;
            }
        }
    }
    if !carry.is_empty() {
        let _ = tx.send(Block::Partial(carry));
    }
}

/// Adds `bytes` to the kept tail of a program's error output.
fn remember(tail: &Mutex<String>, bytes: &[u8]) {
    if let Ok(mut t) = tail.lock() {
        t.push_str(&String::from_utf8_lossy(bytes));
        if t.len() > STDERR_TAIL {
            let cut = t.len() - STDERR_TAIL;
            let cut = (cut..t.len()).find(|i| t.is_char_boundary(*i)).unwrap_or(0);
            t.drain(..cut);
        }
    }
}

/// Keeps the tail of a program's error output.
fn keep_tail(mut pipe: impl Read, tail: Arc<Mutex<String>>) {
    let mut buf = [0u8; 4096];
    while let Ok(n) = pipe.read(&mut buf) {
        if n == 0 {
            break;
        }
        remember(&tail, &buf[..n]);
    }
}

/// A reader that keeps the tail of what passes through it.
struct TeeTail<R> {
    inner: R,
    tail: Arc<Mutex<String>>,
}

impl<R: Read> Read for TeeTail<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        remember(&self.tail, &buf[..n]);
        Ok(n)
    }
}

/// Why a program stopped, in a line: the last line of its error output, or its status.
fn reason_of(status: std::process::ExitStatus, stderr: &str) -> String {
    stderr
        .lines()
        .rev()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| match status.code() {
            Some(c) => format!("exited with status {c}"),
            None => "stopped by a signal".into(),
        })
}

/// One run of a reading program.
struct Run<'a> {
    spec: &'a StreamSpec,
    ssh: &'a SshSettings,
    stop: &'a AtomicBool,
    send: &'a mut dyn FnMut(StreamMsg) -> bool,
}

impl Run<'_> {
    /// Runs the command for `phase` from the decoder's position until it ends or `stop`.
    fn once(&mut self, phase: Phase, decoder: &mut Decoder) -> RunEnd {
        let command = argv(self.spec, phase, &decoder.position, self.ssh);
        decoder.begin_run();
        let merge_stderr = matches!(self.spec, StreamSpec::Container { .. });
        let mut child = match Command::new(&command.program)
            .args(&command.args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
        {
            Ok(c) => c,
            Err(e) => return RunEnd::CannotStart(format!("cannot run {}: {e}", command.program)),
        };
        let (tx, rx) = bounded::<Block>(BLOCKS_IN_FLIGHT);
        let stderr_tail = Arc::new(Mutex::new(String::new()));
        if let Some(out) = child.stdout.take() {
            let tx = tx.clone();
            std::thread::spawn(move || pump(out, tx));
        }
        if let Some(err) = child.stderr.take() {
            if merge_stderr {
                // A container's own error output is part of its log — and, when the client
                // itself fails, says why.
                let tx = tx.clone();
                let tail = stderr_tail.clone();
                std::thread::spawn(move || pump(TeeTail { inner: err, tail }, tx));
            } else {
                let tail = stderr_tail.clone();
                std::thread::spawn(move || keep_tail(err, tail));
            }
        }
        drop(tx);
        let outcome = self.read(&rx, phase, decoder);
        let Some(partial) = outcome else {
            let _ = child.kill();
            let _ = child.wait();
            return RunEnd::Stopped;
        };
        let status = match child.wait() {
            Ok(s) => s,
            Err(e) => {
                return RunEnd::Exited {
                    ok: false,
                    reason: e.to_string(),
                };
            }
        };
        // A last line without a newline counts only when the whole history was read; after
        // a drop it is read again, whole, from the position before it.
        if status.success()
            && phase == Phase::History
            && let Some(bytes) = partial
        {
            self.deliver(decoder, &bytes);
        }
        let stderr = stderr_tail.lock().map(|t| t.clone()).unwrap_or_default();
        RunEnd::Exited {
            ok: status.success(),
            reason: reason_of(status, &stderr),
        }
    }

    /// Reads blocks until the output ends (`Some(partial last line)`) or `stop` (`None`).
    fn read(
        &mut self,
        rx: &Receiver<Block>,
        phase: Phase,
        decoder: &mut Decoder,
    ) -> Option<Option<Vec<u8>>> {
        let started = Instant::now();
        let mut told_connected = false;
        loop {
            if self.stop.load(Ordering::Relaxed) {
                return None;
            }
            let block = rx.recv_timeout(Duration::from_millis(200));
            // Running a while without failing, or talking: the link is up.
            if !told_connected
                && (block.is_ok() || started.elapsed() > Duration::from_secs(1))
                && (phase == Phase::Follow || block.is_ok())
            {
                told_connected = true;
                if !(self.send)(StreamMsg::State(StreamState::Connected)) {
                    return None;
                }
            }
            match block {
                Ok(Block::Lines(bytes)) => {
                    if !self.deliver(decoder, &bytes) {
                        return None;
                    }
                }
                Ok(Block::Partial(bytes)) => return Some(Some(bytes)),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return Some(None),
            }
        }
    }

    /// Decodes and sends one block (split where the saved history ends).
    fn deliver(&mut self, decoder: &mut Decoder, bytes: &[u8]) -> bool {
        let mut text = Vec::with_capacity(bytes.len() + bytes.len() / 4);
        let mut marks = Vec::new();
        let boundary = decoder.lines(bytes, &mut text, &mut marks);
        let Some(at) = boundary else {
            return text.is_empty() || (self.send)(StreamMsg::Text { bytes: text, marks });
        };
        decoder.history_told = true;
        let rest = text.split_off(at);
        let split = marks.partition_point(|(end, _)| *end <= at);
        let rest_marks: Vec<(usize, Position)> =
            marks.drain(split..).map(|(end, p)| (end - at, p)).collect();
        (text.is_empty() || (self.send)(StreamMsg::Text { bytes: text, marks }))
            && (self.send)(StreamMsg::HistoryEnd)
            && (rest.is_empty()
                || (self.send)(StreamMsg::Text {
                    bytes: rest,
                    marks: rest_marks,
                }))
    }
}

/// Follows `spec` until `stop`: its history first (up to `saved`, or all of what is there
/// now, is history), then what it writes from then on, reconnecting as needed.
pub(crate) fn follow(
    spec: &StreamSpec,
    saved: Option<Position>,
    ssh: &SshSettings,
    stop: &AtomicBool,
    mut send: impl FnMut(StreamMsg) -> bool,
) {
    let mut decoder = Decoder::new(spec, saved);
    let mut run = Run {
        spec,
        ssh,
        stop,
        send: &mut send,
    };
    let mut phase = Phase::History;
    let mut backoff = FIRST_BACKOFF;
    if !(run.send)(StreamMsg::State(StreamState::Connecting)) {
        return;
    }
    loop {
        let started = Instant::now();
        let position_before = decoder.position.clone();
        let reason = match run.once(phase, &mut decoder) {
            RunEnd::Stopped => return,
            RunEnd::Exited { ok: true, .. } if phase == Phase::History => {
                if !decoder.history_told {
                    decoder.history_told = true;
                    if !(run.send)(StreamMsg::HistoryEnd) {
                        return;
                    }
                }
                phase = Phase::Follow;
                backoff = FIRST_BACKOFF;
                continue;
            }
            RunEnd::Exited { reason, .. } | RunEnd::CannotStart(reason) => reason,
        };
        // A run that lasted or made progress was a working link: start over from 1 s.
        if started.elapsed() > Duration::from_secs(10) || decoder.position != position_before {
            backoff = FIRST_BACKOFF;
        }
        tracing::info!(
            "[SOURCE] {spec}: {reason}; again in {} s",
            backoff.as_secs()
        );
        let state = StreamState::Reconnecting {
            after_secs: backoff.as_secs(),
            reason,
        };
        if !(run.send)(StreamMsg::State(state)) {
            return;
        }
        let until = Instant::now() + backoff;
        while Instant::now() < until {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
        if !(run.send)(StreamMsg::State(StreamState::Connecting)) {
            return;
        }
    }
}

/// Reads a source's history once, as one stream of log text (for a scan). A program that
/// fails is an error naming the source and the program's own words.
pub(crate) fn read_once(spec: StreamSpec, ssh: SshSettings) -> Box<dyn Read + Send> {
    let (tx, rx) = bounded::<Result<Vec<u8>, String>>(BLOCKS_IN_FLIGHT);
    std::thread::spawn(move || {
        let stop = AtomicBool::new(false);
        let mut decoder = Decoder::new(&spec, None);
        let mut send = |msg: StreamMsg| match msg {
            StreamMsg::Text { bytes, .. } => tx.send(Ok(bytes)).is_ok(),
            _ => true,
        };
        let mut run = Run {
            spec: &spec,
            ssh: &ssh,
            stop: &stop,
            send: &mut send,
        };
        let failure = match run.once(Phase::History, &mut decoder) {
            RunEnd::Exited { ok: true, .. } | RunEnd::Stopped => None,
            RunEnd::Exited { reason, .. } | RunEnd::CannotStart(reason) => Some(reason),
        };
        if decoder.skipped() > 0 {
            tracing::warn!(
                "[SOURCE] {spec}: {} line(s) were not journal entries",
                decoder.skipped()
            );
        }
        if let Some(reason) = failure {
            let _ = tx.send(Err(reason));
        }
    });
    Box::new(OnceReader {
        rx,
        buf: Vec::new(),
        at: 0,
    })
}

struct OnceReader {
    rx: Receiver<Result<Vec<u8>, String>>,
    buf: Vec<u8>,
    at: usize,
}

impl Read for OnceReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.buf.len() {
            match self.rx.recv() {
                Ok(Ok(bytes)) => {
                    self.buf = bytes;
                    self.at = 0;
                }
                Ok(Err(reason)) => return Err(std::io::Error::other(reason)),
                Err(_) => return Ok(0),
            }
        }
        let n = out.len().min(self.buf.len() - self.at);
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

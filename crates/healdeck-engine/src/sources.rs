//! Log sources: finding log files under the paths a user gives, and reading them as chunks.
//!
//! Files are read in large blocks straight into the buffer a worker will scan, split at the last
//! newline, with a lookahead tail so a multi-line failure that crosses the split can still be
//! assembled by the worker that saw its first line. Bytes are never required to be UTF-8; lines
//! longer than a chunk are split and their continuation skipped, so memory stays bounded.

use flate2::read::MultiGzDecoder;
use std::fs::File;
use std::io::{self, Read};
use std::path::{Path, PathBuf};

/// Bytes a worker owns per chunk.
pub(crate) const CHUNK_BYTES: usize = 4 << 20;
/// Bytes after a chunk a worker may read to finish an event that started in it.
pub(crate) const LOOKAHEAD_BYTES: usize = 256 << 10;

/// A file to scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SourceFile {
    pub path: PathBuf,
    pub gzip: bool,
    /// Not a file: a source read through a program (the path is its name).
    pub stream: Option<crate::remote::StreamSpec>,
}

/// A path that could not be used, with why.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct SourceError {
    pub path: String,
    pub message: String,
}

impl std::fmt::Display for SourceError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.path, self.message)
    }
}

/// True for names healdeck treats as logs inside folders: `*.log`, `*.txt`, `*.out`, `*.err`,
/// JSON lines (`*.jsonl`, `*.ndjson`),
/// rotated `x.log.1` / `x.log-20240101`, and any of those gzipped. (`*.xml` and `*.json` files
/// are taken too when their content is a test report.)
pub(crate) fn is_log_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let base = lower.strip_suffix(".gz").unwrap_or(&lower);
    if [".log", ".txt", ".out", ".err", ".jsonl", ".ndjson"]
        .iter()
        .any(|ext| base.ends_with(ext))
    {
        return true;
    }
    // Rotated: ".log.<digits>" or ".log-<digits>".
    if let Some(pos) = base.rfind(".log") {
        let rest = &base[pos + 4..];
        if let Some(num) = rest.strip_prefix('.').or_else(|| rest.strip_prefix('-')) {
            return !num.is_empty() && num.bytes().all(|b| b.is_ascii_digit());
        }
    }
    false
}

/// Expands paths into log files, sorted within each folder. Files named explicitly are taken
/// whatever their name; folders are walked recursively (symlinked folders are not followed).
pub(crate) fn discover(paths: &[PathBuf]) -> (Vec<SourceFile>, Vec<SourceError>) {
    let mut files = Vec::new();
    let mut errors = Vec::new();
    for path in paths {
        match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => walk(path, &mut files, &mut errors),
            // A pipe named on the command line (`<(zcat …)`) is read once, as text: peeking at
            // its first bytes would take them from the stream.
            Ok(meta) => files.push(SourceFile {
                gzip: meta.is_file() && looks_gzip(path),
                path: path.clone(),
                stream: None,
            }),
            Err(e) => errors.push(SourceError {
                path: path.display().to_string(),
                message: e.to_string(),
            }),
        }
    }
    (files, errors)
}

fn walk(dir: &Path, files: &mut Vec<SourceFile>, errors: &mut Vec<SourceError>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) => {
            errors.push(SourceError {
                path: dir.display().to_string(),
                message: e.to_string(),
            });
            return;
        }
    };
    let mut paths: Vec<(PathBuf, std::fs::FileType)> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_type().ok().map(|t| (e.path(), t)))
        .collect();
    paths.sort_by(|a, b| a.0.cmp(&b.0));
    for (path, ty) in paths {
        if ty.is_dir() {
            walk(&path, files, errors);
        } else if (ty.is_file()
            // A link counts when it leads to a regular file (never a FIFO or a device, which
            // would block or mean something else).
            || (ty.is_symlink() && std::fs::metadata(&path).is_ok_and(|m| m.is_file())))
            && path.file_name().and_then(|n| n.to_str()).is_some_and(|n| {
                is_log_name(n)
                    // A test report in the folder (`reports/junit.xml`), told by its content.
                    || (crate::testreport::may_be_report(n)
                        && crate::testreport::sniff_file(&path).is_some())
            })
        {
            files.push(SourceFile {
                gzip: looks_gzip(&path),
                path,
                stream: None,
            });
        }
    }
}

fn looks_gzip(path: &Path) -> bool {
    let mut magic = [0u8; 2];
    File::open(path)
        .and_then(|mut f| f.read_exact(&mut magic))
        .map(|_| magic == [0x1f, 0x8b])
        .unwrap_or(false)
}

/// Opens a source for reading, decompressing gzip; a stream source runs its reading program.
pub(crate) fn open(source: &SourceFile) -> io::Result<Box<dyn Read + Send>> {
    if let Some(spec) = &source.stream {
        return Ok(crate::remote::read_once(
            spec.clone(),
            crate::remote::SshSettings::from_env(),
        ));
    }
    let file = File::open(&source.path)?;
    if source.gzip {
        Ok(Box::new(MultiGzDecoder::new(file)))
    } else {
        Ok(Box::new(file))
    }
}

/// A piece of a file for one worker: `data[..main_len]` is its own, the rest is lookahead.
#[derive(Debug)]
pub(crate) struct Chunk {
    pub data: Vec<u8>,
    pub main_len: usize,
    /// Byte offset of `data[0]` in the (decompressed) file.
    pub offset: u64,
    /// The chunk begins inside a line longer than a chunk: its first partial line is skipped.
    pub starts_mid_line: bool,
}

/// Splits a reader into line-aligned chunks with lookahead.
pub(crate) struct ChunkReader<R: Read> {
    reader: R,
    carry: Vec<u8>,
    offset: u64,
    eof: bool,
    chunk_bytes: usize,
    lookahead_bytes: usize,
    next_starts_mid_line: bool,
    /// Buffers handed back by workers, reused so the kernel need not zero fresh pages.
    pool: Option<crossbeam_channel::Receiver<Vec<u8>>>,
}

impl<R: Read> ChunkReader<R> {
    /// Takes buffers from `pool` (as workers return them) instead of allocating new ones.
    pub(crate) fn with_pool(mut self, pool: crossbeam_channel::Receiver<Vec<u8>>) -> Self {
        self.pool = Some(pool);
        self
    }

    pub(crate) fn with_sizes(reader: R, chunk_bytes: usize, lookahead_bytes: usize) -> Self {
        ChunkReader {
            reader,
            carry: Vec::new(),
            offset: 0,
            eof: false,
            chunk_bytes: chunk_bytes.max(1),
            lookahead_bytes,
            next_starts_mid_line: false,
            pool: None,
        }
    }

    fn fill(&mut self, data: &mut Vec<u8>, target: usize) -> io::Result<()> {
        while !self.eof && data.len() < target {
            let want = (target - data.len()) as u64;
            let got = (&mut self.reader).take(want).read_to_end(data)?;
            if (got as u64) < want {
                self.eof = true;
            }
        }
        Ok(())
    }
}

impl<R: Read> Iterator for ChunkReader<R> {
    type Item = io::Result<Chunk>;

    fn next(&mut self) -> Option<Self::Item> {
        let target = self.chunk_bytes + self.lookahead_bytes;
        let mut data = match self.pool.as_ref().and_then(|p| p.try_recv().ok()) {
            Some(mut buf) => {
                buf.clear();
                buf.reserve(target.max(self.carry.len()));
                buf
            }
            None => Vec::with_capacity(target.max(self.carry.len())),
        };
        data.extend_from_slice(&self.carry);
        self.carry.clear();
        if let Err(e) = self.fill(&mut data, target) {
            self.eof = true;
            return Some(Err(e));
        }
        if data.is_empty() {
            return None;
        }
        let starts_mid_line = std::mem::take(&mut self.next_starts_mid_line);
        let offset = self.offset;
        let main_len = if self.eof && data.len() <= self.chunk_bytes {
            data.len()
        } else {
            let head = &data[..self.chunk_bytes.min(data.len())];
            match memchr::memrchr(b'\n', head) {
                Some(p) => p + 1,
                None => {
                    self.next_starts_mid_line = true;
                    head.len()
                }
            }
        };
        self.carry.extend_from_slice(&data[main_len..]);
        self.offset += main_len as u64;
        Some(Ok(Chunk {
            data,
            main_len,
            offset,
            starts_mid_line,
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_names() {
        for ok in [
            "app.log",
            "x.TXT",
            "run.out",
            "run.err",
            "api.jsonl",
            "events.ndjson.gz",
            "app.log.1",
            "app.log.12.gz",
            "app.log.gz",
            "app.log-20240101",
        ] {
            assert!(is_log_name(ok), "{ok}");
        }
        for no in ["app.json", "log", "app.log.bak", "image.png", "app.logx"] {
            assert!(!is_log_name(no), "{no}");
        }
    }

    #[test]
    fn chunks_cover_every_byte_once_and_split_at_newlines() {
        let text: Vec<u8> = (0..1000)
            .flat_map(|i| format!("line number {i}\n").into_bytes())
            .collect();
        let chunks: Vec<Chunk> = ChunkReader::with_sizes(&text[..], 100, 30)
            .collect::<io::Result<_>>()
            .expect("read");
        let mut joined = Vec::new();
        for c in &chunks {
            assert_eq!(c.offset as usize, joined.len());
            joined.extend_from_slice(&c.data[..c.main_len]);
            if c.offset as usize + c.main_len < text.len() {
                assert_eq!(c.data[c.main_len - 1], b'\n');
            }
        }
        assert_eq!(joined, text);
    }

    #[test]
    fn giant_line_is_split_and_flagged() {
        let mut text = vec![b'x'; 1000];
        text.extend_from_slice(b"\nshort\n");
        let chunks: Vec<Chunk> = ChunkReader::with_sizes(&text[..], 100, 10)
            .collect::<io::Result<_>>()
            .expect("read");
        assert!(chunks.len() > 5);
        assert!(!chunks[0].starts_mid_line);
        assert!(chunks[1].starts_mid_line);
        let total: usize = chunks.iter().map(|c| c.main_len).sum();
        assert_eq!(total, text.len());
    }
}

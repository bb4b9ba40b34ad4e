//! Mining a whole text on every core: the text is cut into blocks of whole lines, the
//! lines' shapes are worked out on every core, and the calling thread places the blocks in
//! order as they come — templates depend on the order lines arrive in, so placing stays on
//! one thread, but it is the cheap part: a shape seen before is one lookup.

use super::shape::{Shape, Shaper};
use super::{Miner, TemplateId};
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// Bytes of text in a block (cut at the next line end).
const BLOCK_BYTES: usize = 256 * 1024;

/// A block's lines once shaped: each line's shape and where it is in the text.
type Shaped = Vec<(Shape, Range<usize>)>;

impl Miner {
    /// The template of each line of `text`, in order (lines end at `\n`; a `\r` before it is
    /// dropped, as `str::lines` does). The same templates as [`Miner::add`] line by line;
    /// the shapes are worked out on every core while this thread places the blocks already
    /// shaped, and shapes a block itself when the next one is not ready.
    pub fn add_lines(&mut self, text: &str) -> Vec<TemplateId> {
        let threads = std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(8);
        let blocks = blocks_of(text, BLOCK_BYTES);
        if threads < 2 || blocks.len() < 4 {
            return text.lines().map(|l| self.add(l)).collect();
        }
        let shaped: Vec<Mutex<Option<Shaped>>> = blocks.iter().map(|_| Mutex::new(None)).collect();
        let taken = AtomicUsize::new(0);
        let shape_next = |shaper: &mut Shaper| -> bool {
            let k = taken.fetch_add(1, Ordering::Relaxed);
            let Some(block) = blocks.get(k) else {
                return false;
            };
            let lines = shape_block(text, block.clone(), shaper);
            *shaped[k].lock().unwrap_or_else(|e| e.into_inner()) = Some(lines);
            true
        };
        let mut ids = Vec::new();
        std::thread::scope(|scope| {
            for _ in 1..threads {
                scope.spawn(|| {
                    let mut shaper = Shaper::default();
                    while shape_next(&mut shaper) {}
                });
            }
            let mut shaper = Shaper::default();
            for slot in &shaped {
                let lines = loop {
                    if let Some(lines) = slot.lock().unwrap_or_else(|e| e.into_inner()).take() {
                        break lines;
                    }
                    if !shape_next(&mut shaper) {
                        // Every block is taken: the one wanted is being shaped elsewhere.
                        std::thread::yield_now();
                    }
                };
                ids.reserve(lines.len());
                for (shape, at) in lines {
                    ids.push(self.add_shaped(&text[at], shape));
                }
            }
        });
        ids
    }
}

/// `text` cut into ranges of whole lines of about `size` bytes.
fn blocks_of(text: &str, size: usize) -> Vec<Range<usize>> {
    let bytes = text.as_bytes();
    let mut blocks = Vec::new();
    let mut start = 0;
    while start < bytes.len() {
        let end = match memchr::memchr(b'\n', &bytes[(start + size).min(bytes.len())..]) {
            Some(i) => (start + size).min(bytes.len()) + i + 1,
            None => bytes.len(),
        };
        blocks.push(start..end);
        start = end;
    }
    blocks
}

/// The shape and place of each line of `text[block]`.
fn shape_block(text: &str, block: Range<usize>, shaper: &mut Shaper) -> Shaped {
    let mut lines = Vec::with_capacity(block.len() / 48);
    let mut at = block.start;
    for line in text[block].split_inclusive('\n') {
        let start = at;
        at += line.len();
        let line = line
            .strip_suffix('\n')
            .map_or(line, |l| l.strip_suffix('\r').unwrap_or(l));
        lines.push((shaper.shape(line), start..start + line.len()));
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::patterns::MinerOptions;

    #[test]
    fn blocks_are_whole_lines_covering_the_text() {
        let text = "ab\ncdef\n\ng\r\nlast";
        for size in 1..text.len() + 2 {
            let blocks = blocks_of(text, size);
            assert_eq!(blocks.first().map(|b| b.start), Some(0));
            assert_eq!(blocks.last().map(|b| b.end), Some(text.len()));
            for pair in blocks.windows(2) {
                assert_eq!(pair[0].end, pair[1].start);
                assert_eq!(text.as_bytes()[pair[0].end - 1], b'\n', "size {size}");
            }
        }
        assert!(blocks_of("", 8).is_empty());
    }

    #[test]
    fn every_core_gives_the_templates_of_line_by_line() {
        // Enough lines for several blocks, of shapes that widen templates as they come.
        let mut text = String::new();
        for i in 0..60_000u32 {
            let line = match i % 5 {
                0 => format!("PacketResponder {i} for block blk_{} terminating", i * 7),
                1 => format!("session opened for user u{} by (uid=0)\r", i % 13),
                2 => format!(
                    "Received block blk_{i} of size {} from /10.0.{}.1",
                    i * 3,
                    i % 250
                ),
                3 => format!(
                    "worker {} {} picked job",
                    ["alpha", "beta", "gamma"][i as usize % 3],
                    i
                ),
                _ => format!(
                    "connection closed by remote host{}",
                    "!".repeat(i as usize % 3)
                ),
            };
            text.push_str(&line);
            text.push('\n');
        }
        text.push_str("no line end at the end");
        let mut one = Miner::new(MinerOptions::default());
        let expected: Vec<TemplateId> = text.lines().map(|l| one.add(l)).collect();
        let mut every = Miner::new(MinerOptions::default());
        assert!(blocks_of(&text, BLOCK_BYTES).len() >= 4, "several blocks");
        assert_eq!(every.add_lines(&text), expected);
        assert_eq!(every.len(), one.len());
    }
}

//! A message's shape: its tokens after masking (`token`), hashed into one number. Two
//! messages of one shape are the same message to the miner, so a repeat is placed by its
//! shape alone ([`super::Miner::add_shaped`]); the shape is worked out from the message only,
//! so on any thread ([`super::Miner::add_lines`] and `healdeck patterns` do it on every core).
//!
//! Most of a log's lines are repeats of a few thousand shapes, so this is the miner's hot
//! path: one pass over the message's bytes finds the tokens and, for each, whether it holds a
//! digit, dots or slashes. A token with no digit and fewer than two dots and two slashes —
//! most of them, a word that can be neither a number, a host nor a path — is hashed where it
//! lies; only the others are masked into a buffer first.

use super::token::mask_counted;

/// The shape of a message: its masked tokens, hashed (a wildcard is an empty token; each
/// token is taken in with its length, so the sequence is what counts).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shape(u64);

impl Shape {
    /// The key the miner keeps it under.
    pub(super) fn key(self) -> u64 {
        self.0
    }
}

/// Works out shapes, keeping its buffer between messages (one per thread).
#[derive(Debug, Default)]
pub struct Shaper {
    masked: String,
}

impl Shaper {
    /// The shape of `message`.
    pub fn shape(&mut self, message: &str) -> Shape {
        let bytes = message.as_bytes();
        let mut hash = SHAPE_SEED;
        let mut i = 0;
        while i < bytes.len() {
            if CLASS[usize::from(bytes[i])] & SPACE != 0 {
                i += 1;
                continue;
            }
            let start = i;
            let mut marks = 0u8;
            while i < bytes.len() {
                let class = CLASS[usize::from(bytes[i])];
                if class & SPACE != 0 {
                    break;
                }
                marks |= class;
                i += 1;
            }
            let digits = marks & DIGIT != 0;
            // Counted only for the few tokens that have a dot or a slash at all.
            let dotted = marks & (SLASH | DOT) != 0 && {
                let token = &bytes[start..i];
                let count = |mark: u8| {
                    token
                        .iter()
                        .filter(|&&c| CLASS[usize::from(c)] & mark != 0)
                        .count()
                };
                count(SLASH) >= 2 || count(DOT) >= 2
            };
            // Token ends are at ASCII whitespace, so at character boundaries.
            let raw = &message[start..i];
            let masked = if !digits && !dotted {
                raw.as_bytes()
            } else {
                self.masked.clear();
                mask_counted(raw, &mut self.masked, digits, dotted);
                self.masked.as_bytes()
            };
            hash = absorb(hash, masked);
        }
        Shape(hash)
    }
}

const SPACE: u8 = 1;
const DIGIT: u8 = 2;
const SLASH: u8 = 4;
const DOT: u8 = 8;

/// What each byte is to [`Shaper::shape`]: the whitespace `split_ascii_whitespace` splits at
/// (' ', '\t', '\n', '\x0c', '\r' — not '\x0b'), a digit, a slash or backslash, a dot.
static CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b' ' as usize] = SPACE;
    t[b'\t' as usize] = SPACE;
    t[b'\n' as usize] = SPACE;
    t[0x0c] = SPACE;
    t[b'\r' as usize] = SPACE;
    let mut d = b'0';
    while d <= b'9' {
        t[d as usize] = DIGIT;
        d += 1;
    }
    t[b'/' as usize] = SLASH;
    t[b'\\' as usize] = SLASH;
    t[b'.' as usize] = DOT;
    t
};

const SHAPE_SEED: u64 = 0x6865_616c_6465_636b;
const MIX: u64 = 0x9e37_79b9_7f4a_7c15;
const LAST: u64 = 0xc2b2_ae3d_27d4_eb4f;

/// The high and low halves of a full product, folded (foldhash's and wyhash's mixer).
fn folded_multiply(x: u64, y: u64) -> u64 {
    let full = u128::from(x) * u128::from(y);
    (full as u64) ^ ((full >> 64) as u64)
}

/// `hash` with one token's bytes taken in, eight at a time, the last word with its length.
fn absorb(mut hash: u64, token: &[u8]) -> u64 {
    let mut words = token.chunks_exact(8);
    for word in &mut words {
        let mut w = [0u8; 8];
        w.copy_from_slice(word);
        hash = folded_multiply(hash ^ u64::from_le_bytes(w), MIX);
    }
    folded_multiply(
        hash ^ tail_word(words.remainder()),
        LAST ^ token.len() as u64,
    )
}

/// The last 0–7 bytes of a token as one word, read as wyhash does: two overlapping 4-byte
/// reads, or the first, middle and last byte (together with the length, which the caller
/// mixes in, they are every byte). A copy into a zeroed buffer instead stalls the load after
/// it.
fn tail_word(rest: &[u8]) -> u64 {
    let n = rest.len();
    if n >= 4 {
        let lo = u32::from_le_bytes([rest[0], rest[1], rest[2], rest[3]]);
        let hi = u32::from_le_bytes([rest[n - 4], rest[n - 3], rest[n - 2], rest[n - 1]]);
        u64::from(lo) | u64::from(hi) << 32
    } else if n > 0 {
        u64::from(rest[0]) | u64::from(rest[n / 2]) << 8 | u64::from(rest[n - 1]) << 16
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shape_is_the_masked_tokens() {
        let mut shaper = Shaper::default();
        let mut shape = |m: &str| shaper.shape(m);
        let a = shape("PacketResponder 1 for block blk_388 terminating");
        assert_eq!(
            a,
            shape("PacketResponder  22\tfor block blk_-69  terminating")
        );
        assert_ne!(a, shape("PacketResponder 1 for block blk_388 terminated"));
        assert_ne!(a, shape("PacketResponder 1 for block terminating"));
        // A wildcard is a token of its own, not nothing.
        let wild = shape("read 0x7f3a from /var/log/x");
        assert_eq!(wild, shape("read deadbeef01 from /tmp/y/z"));
        assert_ne!(wild, shape("read from"));
        assert_ne!(wild, shape("read # from /var/log/x"));
        // '\x0b' is not whitespace to the tokenizer, so not to the shape either.
        assert_ne!(shape("a b"), shape("a\x0bb"));
        assert_eq!(shape("  a b \r\n"), shape("a\x0cb"));
    }

    #[test]
    fn tokens_across_64_byte_stretches_are_read_whole() {
        let mut shaper = Shaper::default();
        // Tokens that start before and end after a stretch's edge, and a message that
        // ends exactly on one, shape as the same message written with one space less.
        for pad in 0..70 {
            let lead = "x".repeat(pad);
            let long = format!(
                "{lead} alpha.beta.example.org 123456789 word{}",
                "y".repeat(64)
            );
            let a = shaper.shape(&long);
            let b = shaper.shape(&format!(
                "{lead}  host.b.example.com  9 word{}",
                "y".repeat(64)
            ));
            assert_eq!(a, b, "pad {pad}");
            let c = shaper.shape(&format!(
                "{lead} alpha.beta.example.org 123456789 word{}",
                "z".repeat(64)
            ));
            assert_ne!(a, c, "pad {pad}");
        }
        let exact = "w".repeat(128);
        assert_eq!(shaper.shape(&exact), shaper.shape(&format!(" {exact} ")));
        assert_eq!(shaper.shape(""), shaper.shape(" \t "));
    }
}

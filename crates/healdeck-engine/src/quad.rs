//! Where a line-filter word may start, four bytes at a time.
//!
//! The line filter's automaton (~430 words, ASCII case-insensitive) has no literal
//! prefilter to skip text with — too many words, too many first bytes — so a plain search
//! walks its DFA byte by byte, each step waiting on the last: that walk was half of a scan's
//! time on a large clean log. This table holds a hash of every word's first four bytes with
//! ASCII case folded (a three-byte word: followed by each possible byte), so a position whose
//! four bytes are not in it cannot start a word. The positions are tested independently of
//! each other (no chain of states), and only the ~2 % that pass are confirmed by an anchored
//! search of the automaton there. Folding sets bit 5 of each byte, which maps both cases of a
//! letter to one value and any byte to exactly one: two bytes equal under the automaton's
//! ASCII case-insensitivity fold alike, so no word is ever missed — a non-letter that folds
//! onto another only lets an extra position through to the check.

use aho_corasick::{AhoCorasick, Anchored, Input};

/// Bit 5 of every byte: ASCII letters of either case come out lower-case.
const FOLD: u64 = 0x2020_2020_2020_2020;

/// Bits in the table: 128 Ki bits (16 KiB, within a core's L1 cache).
const TABLE_BITS: u32 = 17;

/// The hashes of the words' first four bytes.
#[derive(Debug, Clone)]
pub(crate) struct QuadTable {
    bits: Vec<u64>,
}

impl QuadTable {
    /// The table for `words`, or `None` when one is shorter than three bytes (its starts
    /// would fill the table).
    pub(crate) fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> Option<QuadTable> {
        let mut table = QuadTable {
            bits: vec![0; 1 << (TABLE_BITS - 6)],
        };
        for word in words {
            match *word.as_bytes() {
                [a, b, c, d, ..] => table.insert([a, b, c, d]),
                [a, b, c] => (0..=255u8).for_each(|d| table.insert([a, b, c, d])),
                _ => return None,
            }
        }
        Some(table)
    }

    /// The table slot of four bytes already folded (little-endian).
    #[inline(always)]
    fn slot(folded: u32) -> usize {
        (folded.wrapping_mul(0x9E37_79B1) >> (32 - TABLE_BITS)) as usize
    }

    fn insert(&mut self, quad: [u8; 4]) {
        let slot = Self::slot(u32::from_le_bytes(quad) | FOLD as u32);
        self.bits[slot >> 6] |= 1 << (slot & 63);
    }

    #[inline(always)]
    fn may_start(&self, folded: u32) -> u32 {
        let slot = Self::slot(folded);
        ((self.bits[slot >> 6] >> (slot & 63)) & 1) as u32
    }

    /// Where the first match of `words` (an automaton that answers anchored searches) starts
    /// in `hay[from..end]`, with the index of the word matched there.
    pub(crate) fn first_start(
        &self,
        words: &AhoCorasick,
        hay: &[u8],
        from: usize,
        end: usize,
    ) -> Option<(usize, usize)> {
        let end = end.min(hay.len());
        let hay = &hay[..end];
        let matched_at = |at: usize| {
            words
                .find(Input::new(hay).range(at..end).anchored(Anchored::Yes))
                .map(|m| (at, m.pattern().as_usize()))
        };
        let mut at = from;
        while at + 4 <= end {
            let passed = hay[at..].windows(4).position(|w| {
                let quad: [u8; 4] = w.try_into().unwrap_or_default();
                self.may_start(u32::from_le_bytes(quad) | FOLD as u32) == 1
            });
            let Some(offset) = passed else {
                // No window from `at` on passed: only the last three starts are left.
                at = end - 3;
                break;
            };
            if let Some(found) = matched_at(at + offset) {
                return Some(found);
            }
            at += offset + 1;
        }
        // The last three bytes: only a three-byte word fits there.
        (at..end).find_map(matched_at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasickBuilder, AhoCorasickKind, MatchKind, StartKind};

    fn automaton(words: &[&str]) -> AhoCorasick {
        AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::DFA))
            .match_kind(MatchKind::Standard)
            .start_kind(StartKind::Anchored)
            .build(words)
            .expect("words build")
    }

    /// Every start the plain automaton finds, against what the table finds one at a time.
    fn both(words: &[&str], text: &str) -> (Vec<usize>, Vec<usize>) {
        let plain = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(words)
            .expect("words build");
        let mut expected: Vec<usize> = plain
            .find_overlapping_iter(text)
            .map(|m| m.start())
            .collect();
        expected.sort_unstable();
        expected.dedup();
        let table = QuadTable::new(words.iter().copied()).expect("no short word");
        let ac = automaton(words);
        let mut found = Vec::new();
        let mut from = 0;
        while let Some((at, _)) = table.first_start(&ac, text.as_bytes(), from, text.len()) {
            found.push(at);
            from = at + 1;
        }
        (expected, found)
    }

    #[test]
    fn finds_every_start_the_automaton_finds_in_any_case() {
        let words = ["error:", "fail", "oom", "Exception", "timed out"];
        let text = "ok ERROR: x\nFAILED; OOM\tjava.lang.IllegalStateEXCEPTION Timed Out oom";
        let (expected, found) = both(&words, text);
        assert_eq!(found, expected);
        assert_eq!(found.len(), 6, "{found:?}");
    }

    #[test]
    fn a_three_byte_word_is_found_at_the_very_end_and_before_any_byte() {
        let words = ["oom", "panic"];
        for text in ["oom", "x oom", "xoom\u{e9}", "oom\n", "OOM", "pani", "no"] {
            let (expected, found) = both(&words, text);
            assert_eq!(found, expected, "{text:?}");
        }
    }

    #[test]
    fn bytes_that_fold_alike_only_pass_to_the_check() {
        // '[' folds onto '{' and '@' onto '`': those positions pass the table, and the
        // anchored check turns them down.
        let words = ["{err", "`oops"];
        let (expected, found) = both(&words, "[err @oops {ERR `OOPS");
        assert_eq!(found, expected);
        assert_eq!(found, vec![11, 16]);
    }

    #[test]
    fn a_word_shorter_than_three_bytes_turns_the_table_off() {
        assert!(QuadTable::new(["ok", "error"]).is_none());
        assert!(QuadTable::new(["oom", "error"]).is_some());
    }

    #[test]
    fn the_search_keeps_to_its_range() {
        let words = ["fail"];
        let table = QuadTable::new(words).expect("table");
        let ac = automaton(&words);
        let text = b"fail ok fail";
        assert_eq!(table.first_start(&ac, text, 1, text.len()), Some((8, 0)));
        assert_eq!(table.first_start(&ac, text, 1, 11), None);
    }
}

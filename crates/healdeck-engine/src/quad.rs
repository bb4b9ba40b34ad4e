//! Where a line-filter word starts, four bytes at a time, and which word it is.
//!
//! The line filter looks for ~550 words, ASCII case-insensitive. No literal prefilter can
//! skip text for that many words and first bytes, and a DFA walks each byte in a chain of
//! states, each step waiting on the last: that walk was half of a scan's time on a large
//! clean log. This table holds a hash of every word's first four bytes with ASCII case folded
//! (a three-byte word: followed by each possible byte), so a position whose four bytes are not
//! in it cannot start a word. The positions are tested independently of each other, and only
//! the ~2 % that pass are confirmed by comparing the few words that share the position's
//! first three bytes. Folding sets bit 5 of each byte, which maps both cases of a letter to
//! one value and any byte to exactly one: two bytes equal under ASCII case-insensitivity fold
//! alike, so no word is ever missed — a non-letter that folds onto another only lets an extra
//! position through to the comparison.
//!
//! The table and its word buckets build in well under a millisecond. The anchored DFA over
//! the same words that confirmed positions before took a quarter of the start-up to build.

/// Bit 5 of every byte: ASCII letters of either case come out lower-case.
const FOLD: u64 = 0x2020_2020_2020_2020;

/// Bits in the table: 128 Ki bits (16 KiB, within a core's L1 cache).
const TABLE_BITS: u32 = 17;

/// Buckets the words are sorted into by their first three bytes, folded: 4 Ki (an eighth of
/// them hold a word).
const BUCKET_BITS: u32 = 12;

/// The hashes of the words' first four bytes, and the words by their first three.
#[derive(Debug, Clone)]
pub(crate) struct QuadTable {
    bits: Vec<u64>,
    /// The words, lower-case, none holding another, by bucket and within one in byte order.
    words: Vec<Box<[u8]>>,
    /// Bucket `b`'s words are `words[starts[b]..starts[b + 1]]`.
    starts: Vec<u32>,
}

impl QuadTable {
    /// The table for `words`, ASCII case-insensitive. A word shorter than three bytes would
    /// let every position through and is left out; so is a word that holds another (`failed
    /// to` holds `fail`): it can never add a start the shorter one does not find.
    pub(crate) fn new<'a>(words: impl IntoIterator<Item = &'a str>) -> QuadTable {
        let mut all: Vec<Box<[u8]>> = words
            .into_iter()
            .filter(|w| w.len() >= 3)
            .map(|w| w.to_ascii_lowercase().into_bytes().into_boxed_slice())
            .collect();
        all.sort_unstable();
        all.dedup();
        let every = QuadTable::of(all);
        let kept = (0..every.words.len())
            .filter(|&i| !every.holds_another(i))
            .map(|i| every.words[i].clone())
            .collect();
        QuadTable::of(kept)
    }

    /// The table of `words` (lower-case, three bytes or more) as they are.
    fn of(mut words: Vec<Box<[u8]>>) -> QuadTable {
        words.sort_unstable_by(|a, b| Self::bucket(a).cmp(&Self::bucket(b)).then(a.cmp(b)));
        let mut starts = vec![0u32; (1 << BUCKET_BITS) + 1];
        for word in &words {
            starts[Self::bucket(word) + 1] += 1;
        }
        for b in 0..1 << BUCKET_BITS {
            starts[b + 1] += starts[b];
        }
        let mut table = QuadTable {
            bits: vec![0; 1 << (TABLE_BITS - 6)],
            words: Vec::new(),
            starts,
        };
        for word in &words {
            match **word {
                [a, b, c, d, ..] => table.insert([a, b, c, d]),
                [a, b, c] => (0..=255u8).for_each(|d| table.insert([a, b, c, d])),
                _ => {}
            }
        }
        table.words = words;
        table
    }

    /// The words looked for, lower-case; [`QuadTable::first_start`] tells a word by its index
    /// here.
    pub(crate) fn words(&self) -> impl Iterator<Item = &[u8]> {
        self.words.iter().map(|w| &w[..])
    }

    /// The words of the bucket `text`'s first three bytes fall in, and where they begin.
    #[inline(always)]
    fn bucket_of(&self, text: &[u8]) -> (usize, &[Box<[u8]>]) {
        let b = Self::bucket(text);
        let (lo, hi) = (self.starts[b] as usize, self.starts[b + 1] as usize);
        (lo, &self.words[lo..hi])
    }

    /// The word that starts at `text`'s first byte, as its index in [`QuadTable::words`].
    /// No word starts another, so the only one that can is the last in byte order that is
    /// not after `text` (any word between it and `text` would start with it).
    #[inline]
    fn word_at(&self, text: &[u8]) -> Option<usize> {
        if text.len() < 3 {
            return None;
        }
        let (lo, bucket) = self.bucket_of(text);
        let after = bucket.partition_point(|w| not_after(w, text));
        let i = after.checked_sub(1)?;
        starts_with_word(text, &bucket[i]).then_some(lo + i)
    }

    /// Whether word `i` holds another of the words, anywhere in it.
    fn holds_another(&self, i: usize) -> bool {
        let word = &self.words[i];
        (0..word.len().saturating_sub(2)).any(|at| {
            let (lo, bucket) = self.bucket_of(&word[at..]);
            bucket
                .iter()
                .enumerate()
                .any(|(j, w)| lo + j != i && starts_with_word(&word[at..], w))
        })
    }

    /// The table slot of four bytes already folded (little-endian).
    #[inline(always)]
    fn slot(folded: u32) -> usize {
        (folded.wrapping_mul(0x9E37_79B1) >> (32 - TABLE_BITS)) as usize
    }

    /// The bucket of the words starting with `text`'s first three bytes (at least three).
    #[inline(always)]
    fn bucket(text: &[u8]) -> usize {
        let folded = u32::from_le_bytes([text[0], text[1], text[2], 0]) | 0x0020_2020;
        (folded.wrapping_mul(0x9E37_79B1) >> (32 - BUCKET_BITS)) as usize
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

    /// Where the first word starts in `hay[from..end]`, with the index of the word there.
    pub(crate) fn first_start(
        &self,
        hay: &[u8],
        from: usize,
        end: usize,
    ) -> Option<(usize, usize)> {
        let end = end.min(hay.len());
        let hay = &hay[..end];
        let matched_at = |at: usize| self.word_at(&hay[at..]).map(|w| (at, w));
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

/// Whether `word` (lower-case) comes before `text` in byte order with `text` lower-cased, or
/// starts it.
#[inline]
fn not_after(word: &[u8], text: &[u8]) -> bool {
    for (&w, &t) in word.iter().zip(text) {
        let t = t.to_ascii_lowercase();
        if w != t {
            return w < t;
        }
    }
    word.len() <= text.len()
}

/// Whether `text` starts with `word` (lower-case), ASCII case-insensitive.
#[inline]
fn starts_with_word(text: &[u8], word: &[u8]) -> bool {
    text.len() >= word.len() && text[..word.len()].eq_ignore_ascii_case(word)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasickBuilder;

    /// Every start a plain automaton finds, against what the table finds one at a time.
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
        let table = QuadTable::new(words.iter().copied());
        let mut found = Vec::new();
        let mut from = 0;
        while let Some((at, w)) = table.first_start(text.as_bytes(), from, text.len()) {
            let word = table.words().nth(w).expect("the index of a word");
            assert!(
                starts_with_word(&text.as_bytes()[at..], word),
                "{text:?} at {at}"
            );
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

    /// The word the table found at a start.
    fn word_found(table: &QuadTable, text: &[u8], from: usize) -> Option<(usize, String)> {
        let (at, w) = table.first_start(text, from, text.len())?;
        let word = table.words().nth(w)?;
        Some((at, String::from_utf8_lossy(word).into_owned()))
    }

    #[test]
    fn says_which_word_starts_there_and_leaves_out_words_holding_another() {
        let table = QuadTable::new(["error:", "fail", "failed to", "oom", "Fail", "x-oom-y"]);
        let words: Vec<&[u8]> = table.words().collect();
        assert_eq!(
            words.len(),
            3,
            "'failed to' holds 'fail', 'x-oom-y' holds 'oom'"
        );
        let text = b"x FAILED to start: OOM";
        assert_eq!(word_found(&table, text, 0), Some((2, "fail".into())));
        assert_eq!(word_found(&table, text, 3), Some((19, "oom".into())));
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
    fn bytes_that_fold_alike_only_pass_to_the_comparison() {
        // '[' folds onto '{' and '@' onto '`': those positions pass the table and share the
        // words' bucket, and the comparison turns them down.
        let words = ["{err", "`oops"];
        let (expected, found) = both(&words, "[err @oops {ERR `OOPS");
        assert_eq!(found, expected);
        assert_eq!(found, vec![11, 16]);
    }

    #[test]
    fn a_word_shorter_than_three_bytes_is_left_out() {
        let table = QuadTable::new(["ok", "error"]);
        let text = b"ok then error";
        assert_eq!(word_found(&table, text, 0), Some((8, "error".into())));
    }

    #[test]
    fn the_search_keeps_to_its_range() {
        let table = QuadTable::new(["fail"]);
        let text = b"fail ok fail";
        assert_eq!(table.first_start(text, 1, text.len()), Some((8, 0)));
        assert_eq!(table.first_start(text, 1, 11), None);
    }

    #[test]
    fn many_words_sharing_their_first_bytes_are_each_found() {
        let words: Vec<String> = (0..300).map(|i| format!("err{i:03}x")).collect();
        let table = QuadTable::new(words.iter().map(String::as_str));
        for w in &words {
            let text = format!("-- {} --", w.to_ascii_uppercase());
            assert_eq!(word_found(&table, text.as_bytes(), 0), Some((3, w.clone())));
            let near = format!("-- {}y --", &w[..6]);
            assert_eq!(word_found(&table, near.as_bytes(), 0), None, "{near}");
        }
    }

    #[test]
    fn finds_what_an_automaton_over_its_words_finds_in_random_text() {
        // A small alphabet (letters of both cases, bytes that fold onto others) makes words
        // share their first bytes and hold one another.
        let alphabet = b"abAB[{@`e r:E";
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        for _ in 0..200 {
            let words: Vec<String> = (0..1 + next(40))
                .map(|_| {
                    let len = 2 + next(6);
                    (0..len)
                        .map(|_| alphabet[next(alphabet.len())] as char)
                        .collect()
                })
                .collect();
            let text: String = (0..200)
                .map(|_| alphabet[next(alphabet.len())] as char)
                .collect();
            let table = QuadTable::new(words.iter().map(String::as_str));
            let kept: Vec<String> = table
                .words()
                .map(|w| String::from_utf8_lossy(w).into_owned())
                .collect();
            // Every word left out is short or holds a word kept.
            for w in &words {
                let lower = w.to_ascii_lowercase();
                assert!(
                    w.len() < 3 || kept.iter().any(|k| lower.contains(k.as_str())),
                    "{w:?} left out of {kept:?}"
                );
            }
            if kept.is_empty() {
                continue;
            }
            let kept: Vec<&str> = kept.iter().map(String::as_str).collect();
            let (expected, found) = both(&kept, &text);
            assert_eq!(found, expected, "{kept:?} in {text:?}");
        }
    }
}

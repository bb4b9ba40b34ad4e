//! Regexes compiled the first time they are used.
//!
//! Loading the rules compiles nothing: a rule's regex, its veto and the candidate indexes are
//! built when an event first needs them, so `healdeck diagnose` on a clean or empty file —
//! the common case in cron and CI, and the window's first scan — does not pay for ~100
//! patterns it never runs (that compilation was 0.1–0.2 s of every start). The patterns
//! were checked when their file was read (user files fully; the built-in file by the test
//! suite), so a compile failure here is a bug: it is logged and the regex matches nothing,
//! never a panic.

use super::compile_pattern;
use crate::prefilter::needed_words;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::Regex;
use std::ops::Deref;
use std::sync::OnceLock;

/// A rule pattern, compiled on first use (multi-line, as `compile_pattern` builds it).
#[derive(Debug)]
pub struct LazyRegex {
    pattern: String,
    compiled: OnceLock<Regex>,
}

impl LazyRegex {
    pub(crate) fn new(pattern: &str) -> LazyRegex {
        LazyRegex {
            pattern: pattern.to_string(),
            compiled: OnceLock::new(),
        }
    }
}

impl Deref for LazyRegex {
    type Target = Regex;

    fn deref(&self) -> &Regex {
        self.compiled.get_or_init(|| {
            compile_pattern(&self.pattern).unwrap_or_else(|e| {
                tracing::error!(pattern = %self.pattern, "a checked rule pattern failed to compile: {e}");
                matches_nothing()
            })
        })
    }
}

/// Which patterns may match a text, from the words each one needs: its `keywords`, or the
/// literals its pattern must begin or end with (see `prefilter::extract_keywords`). One
/// Aho-Corasick pass over an event's message names the candidates; a pattern with no such
/// words is always one. Built on first use.
///
/// Why not a `RegexSet` over every pattern: an overlapping search of ~100 patterns keeps
/// building new lazy-DFA states on every fresh line, and was a quarter of a clean scan's time;
/// the words are what the prefilter already trusts to say where a rule cannot match (each
/// rule's samples, run through the whole engine, check that they do).
#[derive(Debug)]
pub struct CandidateIndex {
    /// The words each pattern needs (`None`: none could be found, so it is always a
    /// candidate).
    needs: Vec<Option<Vec<String>>>,
    built: OnceLock<WordIndex>,
}

#[derive(Debug)]
struct WordIndex {
    /// Every word, ASCII case-insensitive, found overlapping.
    words: Option<AhoCorasick>,
    /// For each word, the patterns that need it.
    owners: Vec<Vec<usize>>,
    /// Patterns without words.
    always: Vec<usize>,
}

impl CandidateIndex {
    /// `patterns` as (keywords, pattern) pairs; empty keywords are taken from the pattern.
    pub(crate) fn new<'a>(
        patterns: impl Iterator<Item = (&'a [String], &'a str)>,
    ) -> CandidateIndex {
        let needs = patterns
            .map(|(keywords, pattern)| needed_words(keywords, pattern))
            .collect();
        CandidateIndex {
            needs,
            built: OnceLock::new(),
        }
    }

    /// How many patterns the set covers.
    pub fn len(&self) -> usize {
        self.needs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.needs.is_empty()
    }

    /// The patterns that may match `text`, in ascending order.
    pub fn matches(&self, text: &str) -> Vec<usize> {
        let index = self.built.get_or_init(|| self.build());
        let mut found = index.always.clone();
        if let Some(ac) = &index.words {
            for m in ac.find_overlapping_iter(text) {
                found.extend_from_slice(&index.owners[m.pattern().as_usize()]);
            }
        }
        found.sort_unstable();
        found.dedup();
        found
    }

    fn build(&self) -> WordIndex {
        let mut words: Vec<&str> = Vec::new();
        let mut owners: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (i, need) in self.needs.iter().enumerate() {
            let Some(need) = need else {
                always.push(i);
                continue;
            };
            for word in need {
                match words.iter().position(|w| w == word) {
                    Some(at) => owners[at].push(i),
                    None => {
                        words.push(word);
                        owners.push(vec![i]);
                    }
                }
            }
        }
        // Searched once per event (a few hundred bytes), not per byte of the log: a contiguous
        // NFA, built in a fraction of a DFA's time (a DFA over these ~500 words was most of
        // what the first failure in a log cost).
        let built = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .match_kind(MatchKind::Standard)
            .build(&words);
        match built {
            Ok(ac) => WordIndex {
                words: Some(ac),
                owners,
                always,
            },
            Err(e) => {
                // Cannot happen for a few hundred short words; if it did, every pattern is a
                // candidate — slower, never wrong.
                tracing::error!("the rules' word index did not build: {e}");
                WordIndex {
                    words: None,
                    owners,
                    always: (0..self.needs.len()).collect(),
                }
            }
        }
    }
}

/// A regex no text matches: an empty character class.
fn matches_nothing() -> Regex {
    Regex::new(r"[^\s\S]").expect("an empty character class always compiles")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiles_on_first_use_and_keeps_it() {
        let re = LazyRegex::new(r"^(?P<word>\w+) failed$");
        assert!(re.compiled.get().is_none());
        assert_eq!(&re.captures("disk failed").expect("match")["word"], "disk");
        assert!(re.compiled.get().is_some());
        let set = CandidateIndex::new([(&[][..], "alpha"), (&[][..], "beta")].into_iter());
        assert!(set.built.get().is_none());
        assert_eq!(set.matches("x BETA"), vec![1]);
        assert!(set.built.get().is_some());
    }

    #[test]
    fn candidates_come_from_keywords_or_literals_and_wordless_patterns_always_are() {
        let keywords = ["refused".to_string()];
        let set = CandidateIndex::new(
            [
                (&keywords[..], r"(?i)connection refused"),
                (&[][..], r"disk (?:full|quota)"),
                (&[][..], r"\d+\s+\w+"),
                (&[][..], r"disk full now"),
            ]
            .into_iter(),
        );
        assert_eq!(set.matches("nothing here"), vec![2]);
        assert_eq!(set.matches("Connection REFUSED"), vec![0, 2]);
        assert_eq!(set.matches("the disk full now"), vec![1, 2, 3]);
        assert_eq!(set.len(), 4);
    }

    #[test]
    fn a_pattern_that_does_not_compile_matches_nothing_instead_of_panicking() {
        let re = LazyRegex::new("(unclosed");
        assert!(!re.is_match("(unclosed"));
        assert!(!re.is_match(""));
    }
}

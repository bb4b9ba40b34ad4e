//! Regexes compiled the first time they are used.
//!
//! Loading the rules compiles nothing: a rule's regex, its veto and the candidate sets are
//! built when an event first needs them, so `healdeck diagnose` on a clean or empty file —
//! the common case in cron and CI, and the window's first scan — does not pay for ~100
//! patterns it never runs (that compilation was 0.1–0.2 s of every start). The patterns
//! were checked when their file was read (user files fully; the built-in file by the test
//! suite), so a compile failure here is a bug: it is logged and the regex matches nothing,
//! never a panic.

use super::{build_set, compile_pattern};
use regex::{Regex, RegexSet};
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

/// The candidate set over some patterns (see `candidates`), built on first use.
#[derive(Debug)]
pub struct LazySet {
    patterns: Vec<String>,
    built: OnceLock<RegexSet>,
}

impl LazySet {
    pub(crate) fn new<'a>(patterns: impl Iterator<Item = &'a str>) -> LazySet {
        LazySet {
            patterns: patterns.map(str::to_string).collect(),
            built: OnceLock::new(),
        }
    }
}

impl Deref for LazySet {
    type Target = RegexSet;

    fn deref(&self) -> &RegexSet {
        self.built
            .get_or_init(|| build_set(self.patterns.iter().map(String::as_str)))
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
        let set = LazySet::new(["alpha", "beta"].into_iter());
        assert!(set.built.get().is_none());
        assert_eq!(
            set.matches("x beta").into_iter().collect::<Vec<_>>(),
            vec![1]
        );
    }

    #[test]
    fn a_pattern_that_does_not_compile_matches_nothing_instead_of_panicking() {
        let re = LazyRegex::new("(unclosed");
        assert!(!re.is_match("(unclosed"));
        assert!(!re.is_match(""));
    }
}

//! The literal prefilter: one Aho-Corasick automaton over every word that can start a failure.
//!
//! Why: regexes are only run on lines that contain at least one of these words, so a 500 MB log
//! with 0.1% failures costs one SIMD literal scan plus a few thousand regex calls. Each rule's
//! words come from its `keywords` or are extracted from its pattern's literal prefixes/suffixes;
//! a rule with neither is "unfiltered" and its regex runs over whole chunks (correct, slower).

use super::rules::RuleSet;
use crate::quad::QuadTable;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};
use regex::bytes::Regex as BytesRegex;
use regex_syntax::hir::literal::{ExtractKind, Extractor};
use std::sync::{LazyLock, OnceLock};

/// Words that start a failure whatever the rules say: log levels and the first lines of
/// multi-line failures (tracebacks, panics, stacks). "error" is in `ERROR_FORMS`.
pub(crate) const STRUCTURAL_WORDS: &[&str] = &[
    "exception",
    "traceback",
    "panic",
    "fatal",
    "crit",
    "severe",
    "emerg",
    "fail",
];

/// "error" where it can say something failed: followed by whitespace, the end of the line or
/// the punctuation after a level word (`ERROR]`, `error:`, `Error.`, `"error"}`), or a
/// compiler's `error[`. Inside a name (`errors=0`, `error_count`, `ErrorBoundary`) or as a JSON
/// key (`"error":null`) it is no level, no exception name and no `Error:` start, so the line
/// filter does not stop there: a log whose every line mentions errors that way reads as fast
/// as a clean one. (A rule's own words are looked for as well, so `error_count: 3` still
/// reaches a rule that names it.) A line ending the buffer in "error" without a newline is
/// caught by `ends_in_error_word`.
pub(crate) const ERROR_FORMS: &[&str] = &[
    "error ",
    "error\t",
    "error\n",
    "error\r",
    "error:",
    "error]",
    "error)",
    "error>",
    "error|",
    "error,",
    "error!",
    "error.",
    "error[",
    "error\",",
    "error\"}",
    "error\"]",
    "error\")",
    "error\"\n",
    "error\"\r",
];

/// Whether `text` ends in the word "error" (the file's last line, with no newline after it).
pub(crate) fn ends_in_error_word(text: &[u8]) -> bool {
    text.len() >= 5 && text[text.len() - 5..].eq_ignore_ascii_case(b"error")
}

/// Compiled prefilter.
#[derive(Debug)]
pub struct Prefilter {
    /// Where a word starts, told four bytes at a time and confirmed by comparing the words
    /// that start with the position's first three bytes (case-insensitive).
    quad: QuadTable,
    /// The words looked for, lower-case (none shorter than three bytes, none holding
    /// another), in the table's order.
    pub words: Vec<String>,
    /// Rules the automaton cannot find, as one alternation over raw bytes.
    pub unfiltered: Option<BytesRegex>,
    /// Ids of those rules, for `healdeck rules` to warn about.
    pub unfiltered_ids: Vec<String>,
    /// The rules' and consequences' own words, without the structural ones: a message with
    /// none of them can match no rule (when none is unfiltered), so the classifier skips
    /// straight to the detector for unknown failures — a line that only mentions an error
    /// (`errors=0`) costs no rule regex. Built when the first event asks (a clean log never
    /// does), from `rule_word_list`.
    rule_words: OnceLock<Option<AhoCorasick>>,
    rule_word_list: Vec<String>,
}

impl Prefilter {
    pub fn new(rules: &RuleSet) -> Prefilter {
        let mut words: Vec<String> = Vec::new();
        let mut unfiltered = Vec::new();
        let mut unfiltered_ids = Vec::new();
        let patterns = rules
            .rules
            .iter()
            .map(|r| (&r.spec.id, &r.spec.keywords, &r.spec.pattern))
            .chain(
                rules
                    .consequences
                    .iter()
                    .map(|c| (&c.spec.id, &c.spec.keywords, &c.spec.pattern)),
            );
        for (id, keywords, pattern) in patterns {
            match needed_words(keywords, pattern) {
                Some(k) => words.extend(k),
                None => {
                    unfiltered.push(format!("(?:{})", super::rules::candidate_pattern(pattern)));
                    unfiltered_ids.push(id.clone());
                }
            }
        }
        let rule_word_list = words.clone();
        words.extend(STRUCTURAL_WORDS.iter().map(|s| s.to_string()));
        words.extend(ERROR_FORMS.iter().map(|s| s.to_string()));
        // No automaton: the table confirms the few positions it passes by comparing words,
        // and builds in well under a millisecond (an anchored DFA over these ~550 words was
        // a quarter of the start-up).
        let quad = QuadTable::new(words.iter().map(String::as_str));
        let words = quad
            .words()
            .map(|w| String::from_utf8_lossy(w).into_owned())
            .collect();
        let unfiltered = if unfiltered.is_empty() {
            None
        } else {
            regex::bytes::RegexBuilder::new(&unfiltered.join("|"))
                .multi_line(true)
                .build()
                .ok()
        };
        Prefilter {
            quad,
            words,
            unfiltered,
            unfiltered_ids,
            rule_words: OnceLock::new(),
            rule_word_list,
        }
    }

    /// Where the first of the line filter's words starts in `hay[from..end]`, and which of
    /// [`Prefilter::words`] it is.
    pub fn first_word(&self, hay: &[u8], from: usize, end: usize) -> Option<(usize, usize)> {
        let end = end.min(hay.len());
        if from >= end {
            return None;
        }
        self.quad.first_start(hay, from, end)
    }

    /// The words in `text`, from left to right, each where it first starts.
    #[cfg(test)]
    fn words_in(&self, text: &str) -> Vec<&str> {
        let mut found = Vec::new();
        let mut from = 0;
        while let Some((at, word)) = self.first_word(text.as_bytes(), from, text.len()) {
            found.push(self.words[word].as_str());
            from = at + 1;
        }
        found
    }

    /// Whether some rule or consequence may match `message`: one of their words is in it, or
    /// a rule has no words to look for (or they could not be built into an automaton).
    pub fn rules_may_match(&self, message: &str) -> bool {
        self.unfiltered.is_some()
            || self
                .rule_words
                .get_or_init(|| {
                    // Asked once per event, not per line: a contiguous NFA, built in a
                    // fraction of a DFA's time.
                    AhoCorasickBuilder::new()
                        .ascii_case_insensitive(true)
                        .kind(Some(AhoCorasickKind::ContiguousNFA))
                        .build(shortest_words(self.rule_word_list.clone()))
                        .ok()
                })
                .as_ref()
                .is_none_or(|ac| ac.is_match(message))
    }
}

/// The words that are not superstrings of another (of any length: unlike the line filter's,
/// none is dropped for being short, as this one says where rules cannot match).
fn shortest_words(mut words: Vec<String>) -> Vec<String> {
    words.sort_unstable_by(|a, b| a.len().cmp(&b.len()).then_with(|| a.cmp(b)));
    words.dedup();
    // Each word searched for all the others at once (an automaton over them, built in well
    // under a millisecond): comparing every pair was a quarter of the start-up.
    let Ok(all) = AhoCorasickBuilder::new()
        .kind(Some(AhoCorasickKind::ContiguousNFA))
        .match_kind(MatchKind::Standard)
        .build(&words)
    else {
        return words;
    };
    let kept: Vec<bool> = words
        .iter()
        .enumerate()
        .map(|(i, w)| {
            !all.find_overlapping_iter(w.as_str())
                .any(|m| m.pattern().as_usize() != i)
        })
        .collect();
    words
        .into_iter()
        .zip(kept)
        .filter_map(|(w, keep)| keep.then_some(w))
        .collect()
}

/// A log format whose records carry a one-letter level (logcat's, glog's): its E and F
/// records are failures by the letter alone, error word or not. Only a buffer in the format —
/// one of its first `look` lines is such a record — is searched for them (a cost other logs
/// do not pay).
pub(crate) struct LetterLevels {
    /// A record at any level.
    record: LazyLock<BytesRegex>,
    /// A record at level E (error) or F (fatal).
    failure: LazyLock<BytesRegex>,
    look: usize,
}

impl LetterLevels {
    /// Whether `buf` is in this format.
    pub(crate) fn is_format_of(&self, buf: &[u8]) -> bool {
        buf.split(|&b| b == b'\n')
            .take(self.look)
            .any(|l| self.record.is_match(l))
    }

    /// Where the E and F records of `buf` start.
    pub(crate) fn failures<'a>(&'static self, buf: &'a [u8]) -> impl Iterator<Item = usize> + 'a {
        self.failure.find_iter(buf).map(|m| m.start())
    }
}

/// `pattern` with `{levels}` replaced, as a multi-line regex over bytes.
fn letter_regex(pattern: &str, levels: &str) -> BytesRegex {
    let pattern = format!("(?m){}", pattern.replace("{levels}", levels));
    BytesRegex::new(&pattern).unwrap_or_else(|e| panic!("letter-level regex is a constant: {e}"))
}

/// A logcat record's start (`threadtime`: `03-17 16:13:38.811  1702  2395 E Tag:`, with the year
/// before it under `-v year`; `brief`: `E/Tag(  512):`), from a line's start.
const LOGCAT_START: &str = r"^(?:(?:\d{4}-)?\d{2}-\d{2}\s+\d{2}:\d{2}:\d{2}\.\d{3}\s+\d+\s+\d+\s+[{levels}]\s|[{levels}]/[^(\s]+\(\s*\d+\):)";

/// A glog/klog record's start (`E1222 11:05:59.050439    16 hybrid_clock.cc:181] `, the year
/// written too by some: `E20261207 06:00:08.830131`), behind a `docker compose logs` prefix
/// (`yb-master-n1  | `) or none.
const GLOG_START: &str = r"^(?:[A-Za-z0-9][\w.-]*[ \t]+\| )?[{levels}]\d{4}(?:\d{4})? \d{2}:\d{2}:\d{2}\.\d{6}[ \t]+\d+ [^\s\]]+:\d+\] ";

/// Android's logcat.
pub(crate) static LOGCAT: LetterLevels = LetterLevels {
    record: LazyLock::new(|| letter_regex(LOGCAT_START, "VDIWEF")),
    failure: LazyLock::new(|| letter_regex(LOGCAT_START, "EF")),
    look: 8,
};

/// glog and klog (YugabyteDB, Kudu, Kubernetes' components), whose `E… Too big clock skew is
/// detected` says a record failed whatever its words.
pub(crate) static GLOG: LetterLevels = LetterLevels {
    record: LazyLock::new(|| letter_regex(GLOG_START, "IWEF")),
    failure: LazyLock::new(|| letter_regex(GLOG_START, "EF")),
    look: 32,
};

/// A `threadtime` logcat record's prefix, through its tag's colon and the space after it:
/// what every line of a record written over several lines repeats.
static LOGCAT_PREFIX: LazyLock<BytesRegex> = LazyLock::new(|| {
    BytesRegex::new(
        r"^(?:\d{4}-)?\d{2}-\d{2}\s+\d{2}:\d{2}:\d{2}\.\d{3}\s+\d+\s+\d+\s+[VDIWEF]\s[^:\n]*: ?",
    )
    .unwrap_or_else(|e| panic!("logcat regex is a constant: {e}"))
});

/// The length of `line`'s logcat record prefix (see [`LOGCAT_PREFIX`]), if it has one.
pub(crate) fn logcat_prefix_len(line: &[u8]) -> Option<usize> {
    if line.len() < 20 || !line[0].is_ascii_digit() {
        return None;
    }
    LOGCAT_PREFIX.find(line).map(|m| m.end())
}

/// The words (lowercase) one of which every match of a rule's `pattern` contains: its
/// `keywords`, or the literals extracted from the pattern; `None` when there are none.
pub(crate) fn needed_words(keywords: &[String], pattern: &str) -> Option<Vec<String>> {
    if keywords.is_empty() {
        extract_keywords(pattern)
    } else {
        Some(keywords.iter().map(|k| k.to_ascii_lowercase()).collect())
    }
}

/// Literal words that any match of `pattern` must contain, or `None` when there are none of at
/// least three bytes. A leading `(?i)` is ignored: the automaton is case-insensitive anyway.
pub(crate) fn extract_keywords(pattern: &str) -> Option<Vec<String>> {
    let p = pattern.strip_prefix("(?i)").unwrap_or(pattern);
    let hir = regex_syntax::ParserBuilder::new()
        .multi_line(true)
        .build()
        .parse(p)
        .ok()?;
    for kind in [ExtractKind::Prefix, ExtractKind::Suffix] {
        let mut ex = Extractor::new();
        ex.kind(kind);
        let seq = ex.extract(&hir);
        if let Some(lits) = seq.literals()
            && !lits.is_empty()
            && lits.iter().all(|l| l.as_bytes().len() >= 3)
        {
            let words: Vec<String> = lits
                .iter()
                .filter_map(|l| std::str::from_utf8(l.as_bytes()).ok())
                .map(|s| s.to_ascii_lowercase())
                .collect();
            if words.len() == lits.len() {
                return Some(words);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn glog_error_and_fatal_records_are_found_behind_compose_prefixes_too() {
        let log = b"yb-master-n1  | I1222 11:05:41.602155     1 master_main.cc:179] Starting Master server...\n\
yb-master-n1  | E1222 11:05:59.050439    16 hybrid_clock.cc:181] Too big clock skew is detected\n\
yb-tserver-n1 | W1222 11:06:03.412006     1 main.cc:241] slow\n\
yb-tserver-n1 | F1222 11:06:04.611902    40 hybrid_clock.cc:181] Too big clock skew is detected\n\
E1222 11:06:05.000001     7 x.cc:1] plain\n";
        assert!(GLOG.is_format_of(log));
        let found: Vec<usize> = GLOG.failures(log).collect();
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(!GLOG.is_format_of(b"2026-12-08 INFO E1222 is a part number\n"));
    }

    #[test]
    fn extracts_prefix_or_suffix_literals() {
        assert_eq!(
            extract_keywords("(?i)connection refused"),
            Some(vec!["connection refused".to_string()])
        );
        let k = extract_keywords(r"\d+ (?:EADDRINUSE|address already in use)").expect("suffix");
        assert!(k.iter().any(|w| w.contains("eaddrinuse")), "{k:?}");
        assert_eq!(extract_keywords(r"\d+\s+\w+"), None);
    }

    #[test]
    fn the_line_filter_drops_superstrings_and_short_words() {
        let table = QuadTable::new(["error", "ModuleNotFoundError", "oom", "ab"]);
        let mut w: Vec<&[u8]> = table.words().collect();
        w.sort_unstable();
        assert_eq!(w, vec![&b"error"[..], b"oom"]);
    }

    #[test]
    fn ordinary_lines_of_everyday_formats_are_no_candidates() {
        // A word that hits ordinary lines (a consequence's `Job ` once hit every fifth line
        // of a job runner's log) makes every such line an event to assemble.
        let (rules, _) = RuleSet::builtin();
        let p = Prefilter::new(&rules);
        for line in [
            "2024-05-01T12:00:00.123Z INFO  [worker-3] app.service: processed order 123 in 23 ms",
            r#"10.0.1.2 - - [01/May/2024:12:00:00 +0000] "GET /api/items/12 HTTP/1.1" 200 512 "-" "Mozilla/5.0""#,
            "May  1 12:00:00 web-1 systemd[1]: Started Session 42 of user deploy.",
            "2024-05-01 12:00:00,123 - app.jobs - DEBUG - job 9 synced with 3 rows",
            r#"{"ts":"2024-05-01T12:00:00Z","level":"info","msg":"request done","status":200}"#,
            "2024-05-01 12:00:00 INFO Job 42 started on runner ci-3; next job queued",
            // Numbers holding a status code or a port a rule names (`401`, `6379`).
            "2024-05-01T12:00:00.123Z INFO  [worker-3] app.service: queued order 84401 in 151 ms",
            "May  1 12:00:00 web-1 systemd[1]: Started Session 96379 of user deploy.",
            r#"{"ts":"2024-05-01T12:00:00Z","level":"info","msg":"done","duration_ms":4015}"#,
        ] {
            let hits = p.words_in(line);
            assert!(hits.is_empty(), "{line}: {hits:?}");
        }
    }

    #[test]
    fn only_names_and_keys_holding_error_are_passed_by() {
        let (rules, _) = RuleSet::builtin();
        let p = Prefilter::new(&rules);
        let candidate = |line: &str| !p.words_in(line).is_empty();
        // "error" inside a name or as a JSON key makes no candidate.
        for line in [
            "2024-05-01 00:00:00,008 - app.jobs - DEBUG - job 73252 cached errors=0",
            "May  1 00:00:00 web-1 systemd[1]: Started Session 57450. error_count: 0",
            r#"{"ts":"2024-05-01T00:00:00Z","level":"info","msg":"done"} {"error":null}"#,
            r#"INFO render ok {"error" : null}"#,
            "INFO ErrorBoundary mounted; test_error_handling PASSED",
        ] {
            assert!(!candidate(line), "{line}");
        }
        // Where it can say something failed, or another word is there, it does.
        for line in [
            "2024-05-01 ERROR job failed errors=3",
            r#"{"level":"error","error":null}"#,
            r#"{"severity":"error"}"#,
            "TypeError: x is not a function (errors=0)",
            "error: could not compile `app` (errors=1)",
            "error[E0425]: cannot find value",
            "INFO errors=0 but Traceback follows",
            "INFO errors=0 connection refused by 192.0.2.1",
            "INFO errors=0 FATAL",
            "build finished with error.",
        ] {
            assert!(candidate(line), "{line}");
        }
        assert!(ends_in_error_word(b"giving up with error"));
        assert!(ends_in_error_word(b"raised java.lang.MyError"));
        assert!(!ends_in_error_word(b"ok, 0 errors"));
    }

    #[test]
    fn a_message_without_any_rule_word_can_match_no_rule() {
        let (rules, _) = RuleSet::builtin();
        let p = Prefilter::new(&rules);
        for benign in [
            "INFO done errors=0",
            r#"INFO request done {"error":null}"#,
            "DEBUG metrics error_count: 0",
            "INFO ui: ErrorBoundary mounted",
        ] {
            assert!(!p.rules_may_match(benign), "{benign}");
        }
        // Every rule's samples carry one of its words.
        for r in &rules.rules {
            for s in &r.spec.samples {
                assert!(p.rules_may_match(&s.text), "{}: {}", r.spec.id, s.text);
            }
        }
    }

    #[test]
    fn builtin_rules_are_all_prefiltered() {
        let (rules, _) = RuleSet::builtin();
        let p = Prefilter::new(&rules);
        assert!(p.unfiltered_ids.is_empty(), "{:?}", p.unfiltered_ids);
        // The line filter's size, kept in check as rules grow (words inside another word, and
        // words holding a structural one, cost nothing). More words let more positions
        // through the table to a comparison: the throughput benchmark measures it.
        assert!(p.words.len() < 720, "{} words", p.words.len());
        // A number alone is inside too many other numbers (`401` in `order 84401`).
        let numbers: Vec<&String> = p
            .words
            .iter()
            .filter(|w| w.bytes().all(|b| b.is_ascii_digit()))
            .collect();
        assert!(numbers.is_empty(), "{numbers:?}");
    }
}

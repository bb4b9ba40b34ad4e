//! Patterns for the stage that only picks candidates — the prefilter's regex for rules without
//! keywords — with their Unicode word boundaries (`\b`,
//! `\B`, `\<`, `\>`, `\b{start}` …) taken out. A Unicode `\b` makes the regex engine leave its
//! DFA for the PikeVM on any text with a non-ASCII letter: a log with accented names scanned
//! 40× slower. Without the assertion the pattern matches a superset, so no match is lost;
//! each candidate is then confirmed by the rule's own regex, on one event, with its exact
//! meaning.

use regex_syntax::hir::{Capture, Hir, HirKind, Look, Repetition};

/// `pattern` without Unicode word-boundary assertions (multi-line, as rules are compiled);
/// the pattern itself when it does not parse (the exact regex reports that).
pub(crate) fn candidate_pattern(pattern: &str) -> String {
    match regex_syntax::ParserBuilder::new()
        .multi_line(true)
        .build()
        .parse(pattern)
    {
        Ok(hir) => relaxed(hir).to_string(),
        Err(_) => pattern.to_string(),
    }
}

fn relaxed(h: Hir) -> Hir {
    match h.into_kind() {
        HirKind::Look(look) if is_unicode_word_look(look) => Hir::empty(),
        HirKind::Look(look) => Hir::look(look),
        HirKind::Empty => Hir::empty(),
        HirKind::Literal(l) => Hir::literal(l.0),
        HirKind::Class(c) => Hir::class(c),
        HirKind::Repetition(r) => Hir::repetition(Repetition {
            sub: Box::new(relaxed(*r.sub)),
            ..r
        }),
        HirKind::Capture(c) => Hir::capture(Capture {
            sub: Box::new(relaxed(*c.sub)),
            ..c
        }),
        HirKind::Concat(v) => Hir::concat(v.into_iter().map(relaxed).collect()),
        HirKind::Alternation(v) => Hir::alternation(v.into_iter().map(relaxed).collect()),
    }
}

fn is_unicode_word_look(look: Look) -> bool {
    matches!(
        look,
        Look::WordUnicode
            | Look::WordUnicodeNegate
            | Look::WordStartUnicode
            | Look::WordEndUnicode
            | Look::WordStartHalfUnicode
            | Look::WordEndHalfUnicode
    )
}

#[cfg(test)]
mod tests {
    use super::candidate_pattern;
    use regex::Regex;

    #[test]
    fn boundaries_go_and_everything_else_stays() {
        let p = candidate_pattern(r"(?i)\bfailed\b to open (?P<path>\S+): errno=(\d+)$");
        assert!(!p.contains(r"\b"), "{p}");
        let re = Regex::new(&p).expect("the printed pattern compiles");
        let caps = re
            .captures("x FAILED to open /etc/x: errno=13")
            .expect("matches");
        assert_eq!(&caps["path"], "/etc/x");
        // A superset: it also matches where the exact pattern would not.
        assert!(re.is_match("unfailed to open a: errno=1"));
        // ASCII word boundaries are kept (they cost nothing).
        assert!(candidate_pattern(r"(?-u:\b)ab").contains(r"\b"));
        // What does not parse is left for the exact regex to report.
        assert_eq!(candidate_pattern("(unclosed"), "(unclosed");
    }
}

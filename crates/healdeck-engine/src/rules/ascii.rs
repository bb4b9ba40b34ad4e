//! Rule patterns read with ASCII classes: `\d`, `\w`, `\s` and `\b` as ASCII digits, word
//! characters, spaces and word boundaries.
//!
//! Why: the Unicode versions of these classes compile into large UTF-8 automata — all 273
//! built-in patterns took 60 ms to compile with them and 25 ms without, paid by the first
//! scan that meets each rule — and failure messages name their hosts, ports, codes and
//! modules in ASCII. Text outside ASCII is still matched where a pattern allows any
//! character: `.`, `\S`, `\W`, `[^…]` stay Unicode-wide (a `[^[:space:]]` run takes `Łukasz`
//! whole), so an accented name inside a captured path or message is kept; and a pattern that
//! spells non-ASCII text itself keeps the Unicode classes.

/// `pattern` with its Unicode `\d \w \s \D \W \S \b \B` replaced by their ASCII forms,
/// everything else as written (escapes, classes, groups, flags). A pattern that spells
/// text outside ASCII itself (a user's rule for `\bcafé\b`) keeps the Unicode meanings.
pub(crate) fn ascii_classes(pattern: &str) -> String {
    if !pattern.is_ascii() {
        return pattern.to_string();
    }
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 16);
    // How deep inside `[...]` (classes nest in Rust's regex syntax).
    let mut depth = 0usize;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            let escaped = chars[i + 1];
            match (ascii_class(escaped), depth) {
                (Some((name, false)), 0) => out.push_str(&format!("[[:{name}:]]")),
                (Some((name, false)), _) => out.push_str(&format!("[:{name}:]")),
                (Some((name, true)), _) => out.push_str(&format!("[^[:{name}:]]")),
                (None, 0) if matches!(escaped, 'b' | 'B') => {
                    out.push_str(&format!("(?-u:\\{escaped})"));
                }
                _ => {
                    out.push(c);
                    out.push(escaped);
                }
            }
            i += 2;
            continue;
        }
        if c == '[' {
            // An ASCII class by name inside a class (`[[:alpha:]_]`) is copied whole.
            if depth > 0 && chars.get(i + 1) == Some(&':') {
                let rest: String = chars[i..].iter().collect();
                if let Some(end) = rest.find(":]") {
                    out.push_str(&rest[..end + 2]);
                    i += rest[..end + 2].chars().count();
                    continue;
                }
            }
            depth += 1;
            out.push(c);
            i += 1;
            if chars.get(i) == Some(&'^') {
                out.push('^');
                i += 1;
            }
            // A `]` first in a class is a literal.
            if chars.get(i) == Some(&']') {
                out.push(']');
                i += 1;
            }
            continue;
        }
        if c == ']' && depth > 0 {
            depth -= 1;
        }
        out.push(c);
        i += 1;
    }
    out
}

/// The ASCII class an escape letter stands for, and whether it is negated.
fn ascii_class(letter: char) -> Option<(&'static str, bool)> {
    Some(match letter {
        'd' => ("digit", false),
        'w' => ("word", false),
        's' => ("space", false),
        'D' => ("digit", true),
        'W' => ("word", true),
        'S' => ("space", true),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::ascii_classes;
    use regex::Regex;

    #[test]
    fn classes_become_ascii_inside_and_outside_brackets() {
        assert_eq!(ascii_classes(r"\d+"), "[[:digit:]]+");
        assert_eq!(ascii_classes(r"[\w.-]+"), "[[:word:].-]+");
        assert_eq!(ascii_classes(r"\bfoo\B"), r"(?-u:\b)foo(?-u:\B)");
        assert_eq!(ascii_classes(r"\S+\s"), "[^[:space:]]+[[:space:]]");
        // Other escapes, literal brackets and named classes are left as written.
        assert_eq!(
            ascii_classes(r"\[ERROR\] \x41\.\\d"),
            r"\[ERROR\] \x41\.\\d"
        );
        assert_eq!(ascii_classes(r"[]\d]"), "[][:digit:]]");
        assert_eq!(ascii_classes(r"[[:alpha:]\d]"), "[[:alpha:][:digit:]]");
    }

    #[test]
    fn what_they_match_is_the_same_on_ascii_and_wider_where_the_pattern_allows_anything() {
        let p = r"user '(?P<user>\w+)' from (?P<ip>\d+(?:\.\d+){3}) path (?P<path>\S+)";
        let re = Regex::new(&ascii_classes(p)).expect("compiles");
        let c = re
            .captures("user 'deploy' from 192.0.2.4 path /srv/Łukasz/a.txt")
            .expect("matches");
        assert_eq!(&c["user"], "deploy");
        assert_eq!(&c["ip"], "192.0.2.4");
        assert_eq!(&c["path"], "/srv/Łukasz/a.txt");
        // A pattern with text outside ASCII keeps its Unicode classes.
        assert_eq!(ascii_classes(r"\bcafé\b"), r"\bcafé\b");
        // An ASCII word boundary still bounds words.
        let b = Regex::new(&ascii_classes(r"\bERROR\b")).expect("compiles");
        assert!(b.is_match("x ERROR y") && !b.is_match("xERRORy"));
    }
}

//! Log levels: the level of a record from the first level word on its line (`ERROR`,
//! `[error]`, `level=error`, `"severity": "error"`, …), looked for only near the start so a
//! message that mentions an error is not taken for one; Android's logcat writes its level as
//! one letter (`E`, `F`) after the time and the process and thread ids. The classifier sets severities by it;
//! event assembly uses it to know which records may head a failure printed below them.

use regex::Regex;
use std::sync::LazyLock;

/// A record's log level, from the first level word on its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Level {
    Quiet,
    Warn,
    Error,
    Fatal,
}

static LEVEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r#"(?i-u)(?:^|[\s\[(<|:".])(?P<w>TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|CRIT|SEVERE|EMERG|EMERGENCY|ALERT|(?-i:LOG|INF|WRN|DBG|TRC|FTL|ERRO|DEBU|TRAC|FATA|PANI))(?:[\s\]):>|,!"./]|$)"#,
        r#"|(?i-u)\blevel"?\s*[=:]\s*"?(?P<kv>[a-z]+)"#,
        r#"|(?i-u)"severity"\s*:\s*"(?P<sev>[a-z]+)""#,
    ))
    .unwrap_or_else(|e| panic!("level regex is a constant: {e}"))
});

/// One-letter levels: Android logcat's `threadtime` (`03-17 16:13:38.811  1702  2395 E Tag:`)
/// and `brief` (`E/Tag(  512):`) formats, glog's prefix, and GlusterFS's letter after its time.
static LOGCAT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^(?-u:(?:\d{4}-)?\d{2}-\d{2}\s+\d{2}:\d{2}:\d{2}\.\d{3}\s+\d+\s+\d+\s+)(?P<a>[VDIWEF])\s",
        r"|^(?P<b>[VDIWEF])/[^(\s]+\((?-u:\s*\d+)\):",
        // glog/klog (`E1122 08:41:17.522098 …`) and CockroachDB's (`F261122 08:41:17.522098`).
        r"|^(?P<c>[IWEF])(?-u:\d{4}(?:\d{4}|\d{2})?\s\d{2}:\d{2}:\d{2}\.\d{6})\s",
        // GlusterFS (`[2026-11-21 08:40:12.377902 +0000] E [MSGID: 114058] …`): the letter
        // after the bracketed time, trace to alert, before the next bracket.
        r"|^(?-u:\[\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?: ?[+-]\d{2}:?\d{2}|Z)?\]) (?P<d>[TDINWECA]) \[",
        // frp and beego (`2026-12-07 06:40:02.243 [E] [client/service.go:279] …`): the letter
        // in brackets after the time.
        r"|^(?-u:\d{4}[-/]\d{2}[-/]\d{2} \d{2}:\d{2}:\d{2}(?:\.\d+)?) \[(?P<e>[TDIWEFC])\] ",
    ))
    .unwrap_or_else(|e| panic!("logcat regex is a constant: {e}"))
});

fn level_of_letter(letter: &str) -> Option<Level> {
    Some(match letter {
        "V" | "D" | "I" | "T" | "N" => Level::Quiet,
        "W" => Level::Warn,
        "E" => Level::Error,
        "F" | "C" | "A" => Level::Fatal,
        _ => return None,
    })
}

fn level_of_word(w: &str) -> Option<Level> {
    const WORDS: [(&str, Level); 26] = [
        // `LOG` (upper case only in the pattern): NestJS's and PostgreSQL's records; zerolog's
        // console writer abbreviates to three capitals (`INF`, `WRN`, `ERR`, `FTL`), logrus's
        // text formatter to four (`ERRO`, `DEBU`, `TRAC`, `FATA`, `PANI`; `INFO`, `WARN`).
        ("ERRO", Level::Error),
        ("DEBU", Level::Quiet),
        ("TRAC", Level::Quiet),
        ("FATA", Level::Fatal),
        ("PANI", Level::Fatal),
        ("INF", Level::Quiet),
        ("DBG", Level::Quiet),
        ("TRC", Level::Quiet),
        ("WRN", Level::Warn),
        ("FTL", Level::Fatal),
        ("TRACE", Level::Quiet),
        ("DEBUG", Level::Quiet),
        ("INFO", Level::Quiet),
        ("NOTICE", Level::Quiet),
        ("LOG", Level::Quiet),
        ("WARN", Level::Warn),
        ("WARNING", Level::Warn),
        ("ERROR", Level::Error),
        ("ERR", Level::Error),
        ("SEVERE", Level::Error),
        ("FATAL", Level::Fatal),
        ("CRITICAL", Level::Fatal),
        ("CRIT", Level::Fatal),
        ("EMERG", Level::Fatal),
        ("EMERGENCY", Level::Fatal),
        ("ALERT", Level::Fatal),
    ];
    WORDS
        .iter()
        .find(|(word, _)| word.eq_ignore_ascii_case(w))
        .map(|&(_, level)| level)
}

/// The groups of `re`'s match `m` in `hay`, and the match's offset: the match is found by the
/// regex's DFA and its groups read from the match alone — a capturing search over a whole
/// line clears a visited set as long as the line for every call, which dominates per-line
/// work. (The patterns here have no look-around beyond `^`, `$` and `\b`, which read the same
/// at the match's edges.)
pub(crate) fn groups<'h>(re: &Regex, m: regex::Match<'h>) -> Option<(usize, regex::Captures<'h>)> {
    Some((m.start(), re.captures(m.as_str())?))
}

/// The first match's groups (see [`groups`]), with positions relative to the match.
pub(crate) fn captures_fast<'h>(re: &Regex, hay: &'h str) -> Option<(usize, regex::Captures<'h>)> {
    groups(re, re.find(hay)?)
}

/// What a match of [`LEVEL`] holds, read off its text without a capturing search: the level
/// word standing alone (`w`, with its place in the match) or the value of a `level=` or
/// `"severity":` field.
enum LevelMatch<'h> {
    Word(usize, usize),
    Field(&'h str),
}

fn read_level_match(m: &str) -> LevelMatch<'_> {
    let b = m.as_bytes();
    let starts =
        |prefix: &[u8]| b.len() >= prefix.len() && b[..prefix.len()].eq_ignore_ascii_case(prefix);
    if starts(b"level") || starts(b"\"severity\"") {
        // `level"?\s*[=:]\s*"?(?P<kv>[a-z]+)` or `"severity"\s*:\s*"(?P<sev>[a-z]+)"`: the
        // last run of letters.
        let t = m.trim_end_matches('"');
        let from = t
            .rfind(|c: char| !c.is_ascii_alphabetic())
            .map_or(0, |i| i + 1);
        return LevelMatch::Field(&t[from..]);
    }
    // `(?:^|[\s\[(<|:".])WORD(?:[\s\]):>|,!"./]|$)`: one byte of margin either side, or none.
    let start = usize::from(b.first().is_some_and(|c| !c.is_ascii_alphabetic()));
    let end = b.len() - usize::from(b.len() > start && !b[b.len() - 1].is_ascii_alphabetic());
    LevelMatch::Word(start, end)
}

/// The first `n` characters of `line` (all of it when shorter): counted only when the line
/// has more than `n` bytes.
pub(crate) fn first_chars(line: &str, n: usize) -> &str {
    if line.len() <= n {
        return line;
    }
    match line.char_indices().nth(n) {
        Some((i, _)) => &line[..i],
        None => line,
    }
}

/// The level of a log line: the first level word in its first 160 characters.
pub(crate) fn level(line: &str) -> Option<Level> {
    let head = first_chars(line, 160);
    if head.len() < line.len() && head.trim_start().starts_with('{') {
        // A JSON record's level field may come after long fields (MetalLB's `caller`, `error`
        // and `ip` before its `"level":"error"`).
        return level_in_head(head).or_else(|| json_level_field(line));
    }
    level_in_head(head)
}

/// The `level`/`severity` field of a JSON record, wherever it is in the line.
fn json_level_field(line: &str) -> Option<Level> {
    ["\"level\":\"", "\"severity\":\"", "\"lvl\":\""]
        .iter()
        .find_map(|key| {
            let at = memchr::memmem::find(line.as_bytes(), key.as_bytes())? + key.len();
            level_of_word(line[at..].split('"').next()?)
        })
}

/// [`level`] within the line's first 160 characters.
fn level_in_head(head: &str) -> Option<Level> {
    // The letter formats start the line, or what a container wrote behind `docker compose
    // logs`'s prefix (`yb-master-n1  | E1222 11:05:59.050439 …`).
    let own = &head[head.len() - crate::events::behind_compose_prefix(head.as_bytes()).len()..];
    let letter = captures_fast(&LOGCAT, head).or_else(|| {
        (own.len() < head.len())
            .then(|| captures_fast(&LOGCAT, own))
            .flatten()
    });
    if let Some((_, c)) = letter {
        return c
            .name("a")
            .or(c.name("b"))
            .or(c.name("c"))
            .or(c.name("d"))
            .or(c.name("e"))
            .and_then(|l| level_of_letter(l.as_str()));
    }
    if let Some(level) = erlang_report(head) {
        return Some(level);
    }
    if error_glyph(head) {
        return Some(Level::Error);
    }
    LEVEL.find_iter(head).find_map(|m| {
        let (start, end) = match read_level_match(m.as_str()) {
            LevelMatch::Field(value) => return level_of_word(value),
            LevelMatch::Word(s, e) => (m.start() + s, m.start() + e),
        };
        if is_json_key(&head[end..])
            || head[end..].starts_with("::")
            || is_quoted_value(head, start, end)
            || is_prose(head, start, end)
            || is_part_of_a_name(head, start, end)
            || names_a_thing(head, start, end)
            || is_nagios_event(head, start, end)
            || counts_none(&head[end..])
            || in_quoted_title(head, start, end)
            || is_option_value(head, start)
        {
            // `{"error": null}`: a field named after a level is no level; nor is a quoted
            // setting's value, a word in a sentence or a path (`error::DeprecationWarning`).
            return None;
        }
        level_of_word(&head[start..end])
    })
}

/// A CLI's error glyph opening its line (GoReleaser's and Next.js's `  ⨯ release failed …`,
/// their `•` the ordinary lines), behind a carrier (a CI runner's time) if there is one.
fn error_glyph(head: &str) -> bool {
    crate::events::behind_carrier(head.as_bytes())
        .trim_ascii_start()
        .starts_with("⨯ ".as_bytes())
}

/// Whether the word at `start` is a command-line option's value: `check --fail-level ERROR`,
/// `--log-level error`.
fn is_option_value(head: &str, start: usize) -> bool {
    head[..start]
        .strip_suffix(' ')
        .and_then(|before| before.rsplit(' ').next())
        .is_some_and(|option| option.starts_with("--") && option.ends_with("level"))
}

/// The level of an Erlang/OTP report heading (`=ERROR REPORT==== 6-Dec-2026::23:27:31 ===`,
/// lager's `2026-12-06 23:27:31 =CRASH REPORT====`): error, crash and supervisor reports are
/// errors, warning reports warnings, the others (progress, info) ordinary.
fn erlang_report(head: &str) -> Option<Level> {
    let at = head.find(" REPORT====")?;
    let open = head[..at].rfind('=')?;
    if !(open == 0 || head[..open].ends_with(' ')) {
        return None;
    }
    Some(match &head[open + 1..at] {
        "ERROR" | "CRASH" | "SUPERVISOR" => Level::Error,
        "WARNING" => Level::Warn,
        "INFO" | "PROGRESS" => Level::Quiet,
        _ => return None,
    })
}

/// A quoted value that is no JSON field's: `parameter "log_min_error_statement" changed to
/// "error"` names a setting, it is no level (`{"lvl":"error"}` still is).
fn is_quoted_value(line: &str, start: usize, end: usize) -> bool {
    let before = line[..start].strip_suffix('"');
    before.is_some_and(|b| !b.trim_end().ends_with(':')) && line[end..].starts_with('"')
}

/// A lowercase level word inside a sentence (`retry on error x3`, `completed with error
/// count 0`): after a preposition or article it is a noun, no record's level (which stands
/// after a timestamp, a bracket, a colon or a tool's name: `npm error Missing: …`).
fn is_prose(line: &str, start: usize, end: usize) -> bool {
    const BEFORE: &[&str] = &[
        "on", "with", "after", "of", "no", "any", "an", "the", "for", "without", "per", "if",
        "from", "by", "in", "and", "or",
    ];
    let word = &line[start..end];
    let Some(head) = line[..start].strip_suffix(' ') else {
        return false;
    };
    let previous = head.rsplit(' ').next().unwrap_or("");
    // `"no error"`, `done without error.`: a negated level word is prose wherever it ends.
    let negated = matches!(
        previous.trim_start_matches(['"', '\'', '(']),
        "no" | "without"
    );
    if negated && word.chars().all(|c| c.is_ascii_lowercase()) {
        return true;
    }
    word.chars().all(|c| c.is_ascii_lowercase())
        && BEFORE.contains(&previous)
        && line[end..].starts_with(' ')
        && line[end + 1..].starts_with(|c: char| c.is_ascii_alphanumeric())
}

/// A level word inside a quoted name (n8n's workflow `"Connection Refused Alert"`, a book
/// `"Fatal Error Trio"`, a field's `note="error code E24 cleared"`, a Python repr's
/// `Track(name='Fatal Error (Live)')`): part of the name.
fn in_quoted_title(line: &str, start: usize, end: usize) -> bool {
    ['"', '\''].into_iter().any(|quote| {
        let Some(open) = line[..start].rfind(quote) else {
            return false;
        };
        let Some(close) = line[end..].find(quote).map(|i| end + i) else {
            return false;
        };
        crate::fields::opens_a_quote(&line[..open])
            && crate::fields::is_quoted_name(&line[..open], &line[open + 1..close], 2)
    })
}

/// A level word as a counter's name with nothing counted (`(status: success, error: 0,
/// crashed: 0)`, `errors = 0;`): no record's level. `after` is the text after the word.
fn counts_none(after: &str) -> bool {
    let rest = after.trim_start_matches(['s', 'S']).trim_start();
    let Some(rest) = rest.strip_prefix([':', '=']) else {
        return false;
    };
    let Some(rest) = rest.trim_start().strip_prefix('0') else {
        return false;
    };
    rest.chars()
        .next()
        .is_none_or(|c| c.is_whitespace() || matches!(c, ',' | ')' | ']' | '}' | ';'))
}

/// Nagios's `SERVICE ALERT:` / `HOST ALERT:` names the kind of log entry; the state after it
/// (`OK`, `CRITICAL`) says how things are.
fn is_nagios_event(line: &str, start: usize, end: usize) -> bool {
    &line[start..end] == "ALERT"
        && (line[..start].ends_with("SERVICE ") || line[..start].ends_with("HOST "))
}

/// A lowercase level word that modifies the noun after it (`error reporting: sentry disabled`, `error
/// handler installed`, `warning threshold 80 %`): it names a thing, no record's level.
fn names_a_thing(line: &str, start: usize, end: usize) -> bool {
    const NOUNS: &[&str] = &[
        "report",
        "reports",
        "reporting",
        "reporter",
        "handler",
        "handlers",
        "handling",
        "tracking",
        "tracker",
        "page",
        "pages",
        "budget",
        "threshold",
        "thresholds",
        "rate",
        "callback",
        "hook",
    ];
    let Some(rest) = line[end..].strip_prefix(' ') else {
        return false;
    };
    if !line[start..end].chars().all(|c| c.is_ascii_lowercase()) {
        return false;
    }
    let word_end = rest
        .find(|c: char| !c.is_ascii_alphabetic())
        .unwrap_or(rest.len());
    NOUNS.contains(&&rest[..word_end])
}

/// A title-case level word that begins a capitalised name (`ERST: Error Record
/// Serialization Table (ERST) support is initialized`, smartd's `Critical Warning (0x00):
/// none`): a word of the name, no record's level.
fn is_part_of_a_name(line: &str, start: usize, end: usize) -> bool {
    let word = &line[start..end];
    let mut chars = word.chars();
    let title_case = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_lowercase());
    let mut next = line[end..].chars();
    title_case
        && next.next() == Some(' ')
        && next.next().is_some_and(|c| c.is_ascii_uppercase())
        && next.next().is_some_and(|c| c.is_ascii_lowercase())
        && !ends_in_time(&line[..start])
}

/// Whether `before` ends in a time of day and a space (`2026-11-27 06:10:14.9120 `): a level
/// word right after the time is the record's level (NLog's `… Error Jackett.Common.…`), even
/// before a capitalised word.
fn ends_in_time(before: &str) -> bool {
    let Some(t) = before.strip_suffix(' ') else {
        return false;
    };
    // Without its fraction of a second, if it has one.
    let t = match t.rfind(['.', ',']) {
        Some(i) if i + 1 < t.len() && t[i + 1..].bytes().all(|b| b.is_ascii_digit()) => &t[..i],
        _ => t,
    };
    t.len() >= 8 && crate::events::is_clock(&t.as_bytes()[t.len() - 8..])
}

/// Whether the text after a word closes a JSON key: `"` then `:` (spaces between allowed).
fn is_json_key(after: &str) -> bool {
    after
        .strip_prefix('"')
        .is_some_and(|rest| rest.trim_start().starts_with(':'))
}

/// Drops a record's timestamp/level prefix for display: the text after the level word — or
/// from it, when it reads as the message's own first word (`Error connecting to db`: title
/// case, followed by a space, not bracketed), which is part of what happened.
pub(crate) fn strip_record_prefix(line: &str) -> &str {
    if let Some(m) = LOGCAT.find(line) {
        return without_glog_place(line[m.end()..].trim());
    }
    if error_glyph(first_chars(line, 160))
        && let Some((_, said)) = line.split_once("⨯ ")
    {
        return said.trim();
    }
    if let Some((at, c)) = captures_fast(&LEVEL, line)
        && let Some(w) = c.name("w")
        && at + w.start() < 160
        && level_of_word(w.as_str()).is_some()
    {
        let (start, end) = (at + w.start(), at + w.end());
        if is_message_word(line, start, end) {
            return line[start..].trim_end();
        }
        if let Some(from) = named_by_word_before(line, start, end) {
            return line[from..].trim_end();
        }
        // A level inside a bracketed header (Celery's `[2026-… INFO/MainProcess]`): the
        // message starts after the bracket.
        let inside = line[..start]
            .rfind('[')
            .is_some_and(|o| line[..start].rfind(']').is_none_or(|c| c < o));
        let end = match line[end..].find(']') {
            Some(close) if inside && close <= 64 => end + close,
            _ => end,
        };
        let rest = line[end..].trim_start_matches([']', ')', ':', '>', '|', ' ', '-']);
        if !rest.is_empty() {
            return rest;
        }
    }
    // A logfmt record says what happened in its message field, else its error field
    // (step-ca's `time="…" level=error duration=12.4ms … error="error updating order: …"`).
    if find_word(line, "level=").is_some() {
        for key in ["msg=", "message=", "error=", "err="] {
            if let Some(value) = logfmt_value(line, key).filter(|v| !v.trim().is_empty()) {
                return value;
            }
        }
    }
    line.trim()
}

/// A glog record's text without the thread id and source place its level and time are
/// followed by (`16 hybrid_clock.cc:181] Too big clock skew…` → `Too big clock skew…`).
fn without_glog_place(rest: &str) -> &str {
    let Some(close) = rest.get(..96).unwrap_or(rest).find("] ") else {
        return rest;
    };
    let Some((thread, place)) = rest[..close].split_once(' ') else {
        return rest;
    };
    let is_place = place.rsplit_once(':').is_some_and(|(file, line)| {
        !file.is_empty()
            && !file.contains(' ')
            && !line.is_empty()
            && line.bytes().all(|b| b.is_ascii_digit())
    });
    if !thread.is_empty() && thread.bytes().all(|b| b.is_ascii_digit()) && is_place {
        rest[close + 2..].trim_start()
    } else {
        rest
    }
}

/// Where `key` starts in `line` as a word of its own (at the start or after a space).
fn find_word(line: &str, key: &str) -> Option<usize> {
    line.match_indices(key)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || line.as_bytes()[i - 1] == b' ')
}

/// The value of a logfmt field (`key` with its `=`): the quoted text without its quotes, or the
/// text to the next space.
fn logfmt_value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let at = find_word(line, key)? + key.len();
    let rest = &line[at..];
    match rest.strip_prefix('"') {
        Some(quoted) => {
            let b = quoted.as_bytes();
            let mut i = 0;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            Some(&quoted[..i.min(b.len())])
        }
        None => Some(rest.split(' ').next().unwrap_or("")),
    }
}

/// Where the message starts when the lower-case level word at `start..end` of `line` is
/// prose, the noun of a capitalised word before it that is no level itself (Moodle's `!!!
/// Coding error detected, it must be fixed by a programmer`): at that word.
fn named_by_word_before(line: &str, start: usize, end: usize) -> Option<usize> {
    let word = &line[start..end];
    if !word.chars().all(char::is_lowercase) {
        return None;
    }
    let mut after = line[end..].chars();
    if !(after.next() == Some(' ') && after.next().is_some_and(char::is_lowercase)) {
        return None;
    }
    let before = line[..start].strip_suffix(' ')?;
    let from = before
        .rfind(|c: char| !c.is_alphabetic())
        .map_or(0, |i| i + 1);
    let noun = &before[from..];
    (is_title_case(noun)
        && noun.len() > 1
        && level_of_word(noun).is_none()
        && (from == 0 || before[..from].ends_with(' ')))
    .then_some(from)
}

/// `Error`, `Coding`: a capital, then lower case only.
fn is_title_case(word: &str) -> bool {
    let mut chars = word.chars();
    chars.next().is_some_and(char::is_uppercase) && chars.all(char::is_lowercase)
}

/// Whether the level word at `start..end` of `line` is the message's first word: title case
/// (`Error`, `Warning`), followed by a space and a lower-case word, not inside brackets.
fn is_message_word(line: &str, start: usize, end: usize) -> bool {
    let title_case = is_title_case(&line[start..end]);
    let before = line[..start].chars().next_back();
    let mut after = line[end..].chars();
    title_case
        && !matches!(before, Some('[' | '(' | '<' | '|' | '"'))
        && after.next() == Some(' ')
        && after.next().is_some_and(char::is_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frp_letters_in_brackets_after_the_time_are_levels() {
        let frpc =
            "2026-12-07 06:40:02.243 [E] [client/service.go:279] token in login doesn't match";
        assert_eq!(level(frpc), Some(Level::Error));
        assert_eq!(
            level("2026-12-07 06:40:02.243 [W] [client/service.go:297] connect to server error"),
            Some(Level::Warn)
        );
        assert_eq!(
            level("2026-12-07 06:40:02.243 [I] [proxy/proxy.go:204] [ssh] start proxy success"),
            Some(Level::Quiet)
        );
    }

    #[test]
    fn glog_letters_before_a_date_with_its_year_are_levels() {
        let typesense =
            "E20261207 06:00:08.830131    96 configuration.cpp:43] Fail to parse x:8107:8108";
        assert_eq!(level(typesense), Some(Level::Error));
        assert_eq!(
            level("W1207 06:00:08.830131    96 store.h:329] Checkpoint"),
            Some(Level::Warn)
        );
    }

    #[test]
    fn logrus_four_letter_levels_are_levels() {
        let teleport = "Dec 07 04:00:02 web03 teleport[2214]: 2026-12-07T04:00:02Z ERRO [PROC:1]    Failed to resolve tunnel address";
        assert_eq!(level(teleport), Some(Level::Error));
        assert_eq!(
            level("2026-12-07T04:00:02Z FATA [AUTH] cannot start"),
            Some(Level::Fatal)
        );
        assert_eq!(
            level("2026-12-07T04:00:02Z DEBU [PROC:1] tick"),
            Some(Level::Quiet)
        );
        // Only in capitals: `erro` in a word or in lower case is none.
        assert_eq!(level("Erro ao conectar"), None);
    }

    #[test]
    fn a_level_word_that_is_the_noun_of_a_capitalised_word_keeps_it_in_the_message() {
        assert_eq!(
            strip_record_prefix(
                "lms-web01:21877 !!! Coding error detected, it must be fixed by a programmer"
            ),
            "Coding error detected, it must be fixed by a programmer"
        );
        // A level before its message, and a level word's own capitalised form, are levels.
        assert_eq!(
            strip_record_prefix("2026-12-11 09:00:01 worker error job 7 stopped"),
            "job 7 stopped"
        );
        assert_eq!(
            strip_record_prefix("PHP Fatal error:  Uncaught Exception: boom"),
            "Fatal error:  Uncaught Exception: boom"
        );
    }

    #[test]
    fn glusterfs_letters_after_the_time_are_levels() {
        let at = |letter: &str| {
            level(&format!(
                "[2026-11-21 08:40:12.377902 +0000] {letter} [MSGID: 114058] [client-handshake.c:1201:client_query_portmap_cbk] 0-shared-client-1: failed to get the port number"
            ))
        };
        assert_eq!(at("E"), Some(Level::Error));
        assert_eq!(at("W"), Some(Level::Warn));
        assert_eq!(at("I"), Some(Level::Quiet));
        assert_eq!(at("C"), Some(Level::Fatal));
        // A bracketed time and a word is no letter level.
        assert_eq!(
            level("[2026-11-21 08:40:12 +0000] Error: disk gone"),
            Some(Level::Error)
        );
        assert_eq!(
            level("[2026-11-21 08:40:12 +0000] A new client connected"),
            None
        );
    }

    #[test]
    fn a_level_word_naming_a_thing_is_no_level() {
        let pm2 = "0|billing  | [billing] error reporting: sentry disabled (errors=0 queued)";
        assert_eq!(level(pm2), None);
        assert_eq!(
            level("2024-01-01 12:00:00 INFO error handler installed"),
            Some(Level::Quiet)
        );
        assert_eq!(
            level("2024-01-01 12:00:00 ERROR handler crashed"),
            Some(Level::Error)
        );
    }

    #[test]
    fn nest_and_postgres_log_records_and_paths_are_no_error() {
        let nest = "[Nest] 1  - 07/21/2026, 9:31:08 AM     LOG [ErrorsController] Client error report stored";
        assert_eq!(level(nest), Some(Level::Quiet));
        assert_eq!(
            level("2026-01-01 10:00:00 UTC [71] LOG:  database system is ready"),
            Some(Level::Quiet)
        );
        // Lower case "log" is a word, no level.
        assert_eq!(level("cannot rotate log: error 28"), Some(Level::Error));
        assert_eq!(
            level("2026-05-12T14:20:03Z   PYTHONWARNINGS: error::DeprecationWarning"),
            None
        );
        assert_eq!(
            level("      Exported daily error report: 0 unmatched, file=/exports/a.csv"),
            None
        );
    }

    #[test]
    fn a_capitalised_name_is_no_level() {
        let erst =
            "[    0.611902] ERST: Error Record Serialization Table (ERST) support is initialized.";
        assert_eq!(level(erst), None);
        let smart = "[   11.009342] smartd[902]: Device: /dev/nvme0, Critical Warning (0x00): none, Media and Data Integrity Errors: 0";
        assert_ne!(level(smart), Some(Level::Fatal));
        // A level word before a message still is one.
        assert_eq!(level("Error connecting to db"), Some(Level::Error));
        assert_eq!(
            level("2024-01-01 12:00:00 Error: Disk Full"),
            Some(Level::Error)
        );
        assert_eq!(
            level("2024-01-01 12:00:00 ERROR Disk Full"),
            Some(Level::Error)
        );
        // Erlang/OTP report headings carry their level in their name.
        assert_eq!(
            level("2026-12-06 23:27:31 =ERROR REPORT===="),
            Some(Level::Error)
        );
        assert_eq!(
            level("=INFO REPORT==== 6-Dec-2026::23:27:31 ==="),
            Some(Level::Quiet)
        );
        // A negated level word is none, wherever it ends.
        let ntp = r#"Dec 14 06:00:00 timehost ntp-health-report[2347]: offset=-0.000041s errors=0 "no error""#;
        assert_eq!(level(ntp), None);
        // NLog's title-case level right after the time, before a capitalised class name.
        let nlog = "2026-11-27 06:10:14.9120 Error Jackett.Common.IndexerException: Exception (demonoid): The response ended prematurely.";
        assert_eq!(level(nlog), Some(Level::Error));
        // Without a fraction of a second too.
        let whole = "2026-11-27 06:10:14 Error Jackett.Common.IndexerException: boom";
        assert_eq!(level(whole), Some(Level::Error));
        assert_eq!(
            level("2026-11-27 06:10:11.4402 Info Torznab search in 4 indexers"),
            Some(Level::Quiet)
        );
    }

    #[test]
    fn levels() {
        assert_eq!(level("2024-01-01 12:00:00 ERROR boom"), Some(Level::Error));
        assert_eq!(level("[error] 12#0 connect() failed"), Some(Level::Error));
        assert_eq!(level("ERROR:root:oops"), Some(Level::Error));
        assert_eq!(
            level("[2024-02-27 12:00:00,017: ERROR/MainProcess] Received unregistered task"),
            Some(Level::Error)
        );
        assert_eq!(level(r#"{"level":"fatal","msg":"x"}"#), Some(Level::Fatal));
        assert_eq!(level("time=1 level=error msg=x"), Some(Level::Error));
        // Nagios's entry kind is no level.
        let ok = "[1795229401] SERVICE ALERT: app-07;HTTP;OK;HARD;1;HTTP OK: HTTP/1.1 200 OK";
        assert_eq!(level(ok), None);
        // A field named after a level is no level; the record's own level still counts.
        assert_eq!(
            level(r#"May  1 10:00:00 web-1 app[7]: done {"error":null}"#),
            None
        );
        assert_eq!(
            level(r#"{"ts":1,"error" : null,"level":"info"}"#),
            Some(Level::Quiet)
        );
        assert_eq!(level(r#"{"level":"error","msg":"x"}"#), Some(Level::Error));
        assert_eq!(level(r#"x [ERROR] "bad": it broke"#), Some(Level::Error));
        assert_eq!(
            level("INFO retrying after error: timeout"),
            Some(Level::Quiet)
        );
        assert_eq!(level("logging.level.com.acme=ERROR"), None);
        assert_eq!(level("      Retrying on error x3, backoff 200 ms"), None);
        assert_eq!(
            level(r#"LOG:  parameter "log_min_error_statement" changed to "error""#),
            Some(Level::Quiet)
        );
        assert_eq!(
            level(r#"parameter "log_min_error_statement" changed to "error""#),
            None
        );
        assert_eq!(level(r#"{"lvl":"error","msg":"x"}"#), Some(Level::Error));
        assert_eq!(level("app: error connecting to db"), Some(Level::Error));
        assert_eq!(
            level("npm error Missing: x from lock file"),
            Some(Level::Error)
        );
        assert_eq!(level("Found 0 errors"), None);
        assert_eq!(level("test_error_handling PASSED"), None);
        assert_eq!(level("error_count: 0 errors=0"), None);
        // A level word in a quoted title is part of the name.
        assert_eq!(level("   - \"Connection Refused Alert\" (ID: Qp3x)"), None);
        assert_eq!(
            level("Workflow \"Error Trigger Demo\" execution 2055 started"),
            None
        );
        assert_eq!(
            level("job \"nightly\" ERROR: disk full"),
            Some(Level::Error)
        );
        assert_eq!(level("npm ERR! code E404"), Some(Level::Error));
        // A level word that starts the message stays in it; a label is dropped.
        assert_eq!(
            strip_record_prefix("2024-01-01 12:00:00 host app: Error connecting to db01"),
            "Error connecting to db01"
        );
        assert_eq!(
            strip_record_prefix("2024-01-01 12:00:00 ERROR connecting to db01"),
            "connecting to db01"
        );
        assert_eq!(
            strip_record_prefix("[Sun Dec 04 2005] [error] mod_jk"),
            "mod_jk"
        );
        assert_eq!(
            strip_record_prefix("[2026-12-05 06:26:12,586: INFO/MainProcess] Task t[1] received"),
            "Task t[1] received",
            "Celery's header is one bracket"
        );
        assert_eq!(
            strip_record_prefix("ERROR: Error: Cannot find module 'x'"),
            "Error: Cannot find module 'x'"
        );
        // A logfmt record shows its message field, else its error field.
        let stepca = r#"time="2026-12-07T06:05:18Z" level=error duration=12.4ms error="error updating order: changed since \"last\" read" path=/acme/order/Xk2f status=500"#;
        assert_eq!(
            strip_record_prefix(stepca),
            r#"error updating order: changed since \"last\" read"#
        );
        let with_msg = "ts=1 level=error msg=\"push error\" err=\"rpc error\"";
        assert_eq!(strip_record_prefix(with_msg), "push error");
        let logcat = "03-17 16:13:38.811  1702  2395 E WindowManager: Exception thrown";
        assert_eq!(level(logcat), Some(Level::Error));
        assert_eq!(
            strip_record_prefix(logcat),
            "WindowManager: Exception thrown"
        );
        assert_eq!(
            level("03-17 16:13:38.819  1702  8671 D PowerManagerService: acquire lock"),
            Some(Level::Quiet)
        );
        assert_eq!(
            level("F/libc    ( 2114): Fatal signal 11 (SIGSEGV)"),
            Some(Level::Fatal)
        );
        assert_eq!(
            level("W/ActivityManager(  512): Scheduling restart"),
            Some(Level::Warn)
        );
    }

    #[test]
    fn a_level_letter_behind_compose_and_a_level_word_in_a_single_quoted_name() {
        // glog's letter behind `docker compose logs`'s prefix.
        let glog = "yb-master-n1  | E1222 11:05:59.050439    16 hybrid_clock.cc:181] Too big clock skew is detected: 30397.525s";
        assert_eq!(level(glog), Some(Level::Error));
        // The longest container name is padded with one space only.
        let longest =
            "yb-tserver-n1 | F1222 11:06:04.611902    40 hybrid_clock.cc:181] Too big clock skew";
        assert_eq!(level(longest), Some(Level::Fatal));
        // A Python repr's quoted name is a name (Mopidy's track), not the record's level.
        let repr = "  Triggering event: track_playback_started(tl_track=TlTrack(tlid=3, track=Track(name='Fatal Error (Live)')))";
        assert_eq!(level(repr), None);
        assert_eq!(level("x(name='a') Error: disk full"), Some(Level::Error));
    }

    #[test]
    fn counters_quoted_titles_and_zerolog_levels() {
        // A counter of none is no level; a record that says what failed still is.
        let pruned = "Pruning old executions: deleted 312 executions (status: success, error: 0, crashed: 0)";
        assert_eq!(level(pruned), None);
        assert_eq!(level("job done, errors: 0"), None);
        assert_eq!(level("Error: 0x80070005 access denied"), Some(Level::Error));
        assert_eq!(level("ERROR: 404 Not Found"), Some(Level::Error));
        // zerolog's console levels, before a quoted note that names an error.
        let zerolog = "2026/12/11 08:10AM INF maintenance entry added | item=\"Dishwasher\" note=\"error code E24 cleared\"";
        assert_eq!(level(zerolog), Some(Level::Quiet));
        assert_eq!(
            level("2026/12/11 08:10AM WRN disk 91% full"),
            Some(Level::Warn)
        );
        assert_eq!(level("median=INF samples=0"), None);
    }

    #[test]
    fn glog_prefixes_carry_their_level_letter() {
        let cockroach = "F261122 08:41:17.522098 520 1@server/server.go:246 ⋮ [T1,n2] 25  clock \
                         synchronization error";
        assert_eq!(level(cockroach), Some(Level::Fatal));
        let klog = "E1122 08:41:17.522098       1 reflector.go:138] Failed to watch";
        assert_eq!(level(klog), Some(Level::Error));
        let info = "I1122 08:41:17.522098       1 server.go:12] errors=0 after restart";
        assert_eq!(level(info), Some(Level::Quiet));
        // A word that merely starts with the letter is no level.
        assert_eq!(level("F2 key pressed at 08:41:17.522098 then"), None);
    }

    #[test]
    fn a_json_level_field_after_long_fields_is_read() {
        let metallb = r#"{"caller":"announcer.go:176","error":"assembling \"OperationRequest\" gratuitous packet for \"192.0.2.240\": invalid hardware address","ip":"192.0.2.240","level":"error","msg":"failed to make gratuitous IP announcement","ts":"2026-04-14T06:10:03Z"}"#;
        assert_eq!(level(metallb), Some(Level::Error));
        let info = r#"{"caller":"announcer.go:176","error":null,"padding":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx","level":"info","msg":"ok"}"#;
        assert_eq!(level(info), Some(Level::Quiet));
    }

    #[test]
    fn an_option_value_is_no_level() {
        let dokku = "       Executing release task from Procfile in ephemeral container: python manage.py check --fail-level ERROR";
        assert_eq!(level(dokku), None);
        assert_eq!(level("ERROR --fail-level given twice"), Some(Level::Error));
    }

    #[test]
    fn a_cli_error_glyph_is_an_error_level() {
        let goreleaser = "2025-06-10T14:02:18.7121952Z   ⨯ release failed after 0s    error=git is in a dirty state";
        assert_eq!(level(goreleaser), Some(Level::Error));
        assert!(strip_record_prefix(goreleaser).starts_with("release failed after 0s"));
        assert_eq!(level("  • loading environment variables"), None);
        assert_eq!(level("the ⨯ sign"), None);
    }

    #[test]
    fn a_glog_title_starts_after_the_thread_and_the_source_place() {
        let glog =
            "E1222 11:05:59.050439    16 hybrid_clock.cc:181] Too big clock skew is detected";
        assert_eq!(strip_record_prefix(glog), "Too big clock skew is detected");
        // CockroachDB's place has no closing bracket: its text stays whole.
        let cockroach = "F261122 08:41:17.522098 520 1@server/server.go:246 ⋮ [T1,n2] 25  clock";
        assert_eq!(
            strip_record_prefix(cockroach),
            "520 1@server/server.go:246 ⋮ [T1,n2] 25  clock"
        );
    }
}

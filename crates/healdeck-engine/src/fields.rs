//! What a structured record says. A logfmt record (`time=… level=info msg="Imported track"
//! path="/music/…/03 - Connection Refused.flac"`) or a JSON line says what happened in its
//! message and error fields; its other fields name things — a track called "Connection
//! Refused", an album "Out of Memory", a cron job `purge-failed-jobs`. A failure word in such
//! a value is a name, not a failure, so the rules read an ordinary-level record (info,
//! debug) through [`spoken`]: its message, error, reason and status fields only.
//!
//! A plain ordinary-level record names things in quotes the same way (Calibre-Web's `Book
//! 'Out of Memory' (id 412) shown to user 'lena'`): [`without_quoted_names`] takes out a
//! quoted name written in title case, which no error message is.

use serde_json::Value;

/// The keys of the fields that say what happened (ASCII case-insensitive).
const SPOKEN: &[&str] = &[
    "msg",
    "message",
    "err",
    "error",
    "errors",
    "error_message",
    "errormessage",
    "error.message",
    "error.type",
    "error.stack_trace",
    "errorverbose",
    "reason",
    "cause",
    "exception",
    "exc_info",
    "exc_text",
    "stack",
    "stacktrace",
    "stack_trace",
    "panic",
    "fault",
    "failure",
    "stderr",
    "exit_code",
    "exitcode",
    "exit_status",
    "signal",
    "status",
    "state",
    "result",
    "outcome",
    "event",
    "description",
    "detail",
    "details",
    "summary",
];

/// What a structured record says: the values of its spoken fields, joined by spaces. `None`
/// when the line is no logfmt or JSON record with a message field (it is then read whole).
pub(crate) fn spoken(line: &str) -> Option<String> {
    let t = line.trim();
    let fields = if t.starts_with('{') {
        json_fields(t)?
    } else {
        logfmt_fields(t)?
    };
    if !fields
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("msg") || k.eq_ignore_ascii_case("message"))
    {
        return None;
    }
    // The message as it is; another field with its key, which a rule may name
    // (`status=503`, `exit_code=1`).
    // The message first, wherever the record put it (MetalLB sorts its keys: `error` comes
    // before `msg`).
    let is_message = |k: &str| k.eq_ignore_ascii_case("msg") || k.eq_ignore_ascii_case("message");
    let (mut said_first, rest): (Vec<_>, Vec<_>) =
        fields.into_iter().partition(|(k, _)| is_message(k));
    said_first.extend(rest);
    let said: Vec<String> = said_first
        .into_iter()
        .filter(|(k, _)| is_spoken(k))
        .map(|(k, v)| {
            if k.eq_ignore_ascii_case("msg") || k.eq_ignore_ascii_case("message") {
                v
            } else {
                format!("{k}={v}")
            }
        })
        .collect();
    Some(said.join(" "))
}

fn is_spoken(key: &str) -> bool {
    SPOKEN.iter().any(|s| s.eq_ignore_ascii_case(key))
}

/// A JSON object's top-level fields, each value as text (a string as it is, anything else
/// as JSON; `null` left out).
fn json_fields(t: &str) -> Option<Vec<(String, String)>> {
    let map: serde_json::Map<String, Value> = serde_json::from_str(t).ok()?;
    Some(
        map.into_iter()
            .filter_map(|(k, v)| match v {
                Value::Null => None,
                Value::String(s) => Some((k, s)),
                other => Some((k, other.to_string())),
            })
            .collect(),
    )
}

/// A logfmt line's fields: `key=value` or `key="quoted value"` separated by spaces, each
/// value as written (escapes kept). `None` when any part of the line is not such a pair, or
/// it has fewer than three.
fn logfmt_fields(t: &str) -> Option<Vec<(String, String)>> {
    let b = t.as_bytes();
    let mut fields = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b' ' {
            i += 1;
            continue;
        }
        let key_start = i;
        while i < b.len() && (b[i].is_ascii_alphanumeric() || b"_.-/@".contains(&b[i])) {
            i += 1;
        }
        if i == key_start || b.get(i) != Some(&b'=') {
            return None;
        }
        let key = &t[key_start..i];
        i += 1;
        let value = if b.get(i) == Some(&b'"') {
            let start = i + 1;
            i = start;
            while i < b.len() && b[i] != b'"' {
                i += if b[i] == b'\\' { 2 } else { 1 };
            }
            if i >= b.len() {
                return None;
            }
            i += 1;
            &t[start..i - 1]
        } else {
            let start = i;
            while i < b.len() && b[i] != b' ' {
                i += 1;
            }
            &t[start..i]
        };
        fields.push((key.to_string(), value.to_string()));
    }
    (fields.len() >= 3).then_some(fields)
}

/// Small words a title keeps in lower case (`Out of Memory`, `Fall of the Server`).
const SMALL_WORDS: &[&str] = &[
    "a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to", "with",
];

/// A quoted text that is a title: every word of letters opens with a capital but the small
/// words, it has lower-case letters and no `/` (`'Connection Refused'`,
/// `'Permission Denied: Stories'`) — not a message (`'connection refused'`, `"Connection
/// refused"`).
pub(crate) fn is_title(text: &str, min_words: usize) -> bool {
    // A subtitle in brackets after the title is the title's too (`"Connection Refused
    // Cookies (the ones my kids won't share)"`).
    let text = match text
        .trim_end()
        .strip_suffix(')')
        .and_then(|t| t.rsplit_once(" ("))
    {
        Some((title, _)) => title,
        None => text,
    };
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ':' | '-' | ',' | '!' | '?' | '&'))
        .filter(|w| w.chars().next().is_some_and(char::is_alphabetic))
        .collect();
    // A request line or a command (`"GET /users/7 HTTP/1.1"`) is no title.
    words.len() >= min_words.max(1)
        && !text.contains('/')
        && text.chars().any(char::is_lowercase)
        && text.chars().count() <= 80
        && words.iter().enumerate().all(|(i, w)| {
            w.chars().next().is_some_and(char::is_uppercase)
                || (i > 0 && SMALL_WORDS.contains(w))
                || w.chars().count() <= 2
        })
        && words
            .iter()
            .any(|w| w.chars().next().is_some_and(char::is_uppercase))
}

/// A quoted absolute path (`(folder "/audiobooks/Dana Okafor/Connection Refused")`): a
/// name, whatever its folders are called — not a message that starts with one
/// (`"/srv/x: permission denied"`).
fn is_path(text: &str) -> bool {
    (text.starts_with('/') || text.starts_with("~/")) && !text.contains(": ")
}

/// The kinds of thing whose name a record quotes right after saying what it is (`chapter
/// "Segmentation fault (core dumped)"`, `New episode "Ep. 88 - 502 Bad Gateway"`, `Search
/// "permission denied" returned 1 book`).
const NAMING_NOUNS: &[&str] = &[
    "album",
    "article",
    "book",
    "chapter",
    "collection",
    "document",
    "episode",
    "feed",
    "item",
    "movie",
    "note",
    "page",
    "photo",
    "playlist",
    "podcast",
    "post",
    "recipe",
    "search",
    "series",
    "shelf",
    "show",
    "song",
    "title",
    "track",
    "video",
    "workflow",
];

/// Whether a quote opens the value of a field that names something (`item="Router manual
/// (troubleshooting: 'Connection timed out')"`, `query="permission denied"`): a `key=` whose
/// key is none of the fields that say what happened (see [`SPOKEN`]). Only a value of free
/// text (with a space) is taken out: an identifier (`resourceName="ephemeral-storage"`) stays
/// for the rules that name it.
fn names_a_field(before: &str) -> bool {
    let Some(key) = before.strip_suffix('=') else {
        return false;
    };
    let key = key
        .rsplit(|c: char| c.is_whitespace() || matches!(c, '|' | ',' | '(' | '['))
        .next()
        .unwrap_or("");
    !key.is_empty() && !is_spoken(key)
}

/// Whether the text before a quote ends in a word of [`NAMING_NOUNS`] (or its plural), as a
/// label or not (`new article: "Connection refused? A checklist"`).
fn follows_a_naming_noun(before: &str) -> bool {
    let Some(word) = before.strip_suffix(' ').and_then(|b| b.rsplit(' ').next()) else {
        return false;
    };
    let word = word.strip_suffix(':').unwrap_or(word).to_ascii_lowercase();
    let singular = word.strip_suffix('s').unwrap_or(&word);
    NAMING_NOUNS.contains(&word.as_str()) || NAMING_NOUNS.contains(&singular)
}

/// Whether a quote may open after `before`: at the start, or after a space or `(`/`[`/`=`/`:`
/// (an apostrophe inside a word, `Don't`, opens none).
pub(crate) fn opens_a_quote(before: &str) -> bool {
    before
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '[' | '=' | ':'))
}

/// Whether the quoted `body` (after `before`) names a thing rather than says what happened: a
/// title of `min_words` words or more, a path, a name right after the kind of thing it names,
/// or a field's free text (see [`is_title`], [`is_path`], [`follows_a_naming_noun`],
/// [`names_a_field`]).
pub(crate) fn is_quoted_name(before: &str, body: &str, min_words: usize) -> bool {
    is_title(body, min_words)
        || is_path(body)
        || follows_a_naming_noun(before)
        || (names_a_field(before) && body.contains(' '))
}

/// `line` with the quoted names it holds taken out (see [`is_quoted_name`]), or `None` when it
/// quotes none. A quote opens as [`opens_a_quote`] says and closes before a space,
/// punctuation or the end.
pub(crate) fn without_quoted_names(line: &str, min_words: usize) -> Option<String> {
    if !line.contains(['"', '\'']) {
        return None;
    }
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    let mut removed = false;
    // Whether the text so far ends in a quoted name: the next quote right after it is one more
    // of the same list (MPD's `search "any" "connection refused"`).
    let mut after_name = false;
    while let Some(open) = rest.find(['\'', '"']) {
        let quote = rest[open..].chars().next()?;
        let opens = opens_a_quote(&rest[..open]);
        let listed = after_name && rest[..open].trim().is_empty();
        let body_at = open + quote.len_utf8();
        let close = opens
            .then(|| {
                rest[body_at..].match_indices(quote).find_map(|(i, _)| {
                    let after = rest[body_at + i + 1..].chars().next();
                    after
                        .is_none_or(|c| !c.is_alphanumeric())
                        .then_some(body_at + i)
                })
            })
            .flatten();
        match close {
            Some(close)
                if listed || is_quoted_name(&rest[..open], &rest[body_at..close], min_words) =>
            {
                out.push_str(&rest[..open]);
                out.push_str("''");
                rest = &rest[close + 1..];
                removed = true;
                after_name = true;
            }
            _ => {
                out.push_str(&rest[..body_at]);
                rest = &rest[body_at..];
                after_name = false;
            }
        }
    }
    out.push_str(rest);
    removed.then_some(out)
}

/// Whether `word` (its punctuation, brackets and any path or `|`-separated fields before its
/// name aside) is a capitalised word: `Refused]`, `[/music/Connection`,
/// `…|ArtistScannedHandler|[Connection`, `(Core`; not `CBS` nor `failed`.
fn is_capitalised(word: &str) -> bool {
    let word = word.rsplit(['/', '|']).next().unwrap_or(word);
    let core = word.trim_matches(|c: char| !c.is_alphanumeric());
    if core.contains(char::is_whitespace) {
        // Fields joined by tabs (Windows CBS's `(p)\tCSI Payload Corrupt\t(n)`) are no title.
        return false;
    }
    let mut chars = core.chars();
    chars.next().is_some_and(char::is_uppercase)
        && core.chars().any(char::is_lowercase)
        && chars.all(|c| !c.is_uppercase())
}

/// `line` with its runs of two capitalised words or more taken out (joined by small words:
/// `Updating Info for Out of Memory`, `Adding Artist [Connection Refused] Path:`), or `None`
/// when it has none. An ordinary record names albums, artists, recipes and books this way;
/// a failure says what happened in lower case (`Connection refused`, `Failed to open`).
pub(crate) fn without_title_case_names(line: &str) -> Option<String> {
    let words: Vec<&str> = line.split(' ').collect();
    let mut keep = vec![true; words.len()];
    let mut i = 0;
    while i < words.len() {
        if !is_capitalised(words[i]) {
            i += 1;
            continue;
        }
        let (mut end, mut capitalised) = (i + 1, 1);
        // A label (`Reason:`) or the end of a clause closes a run.
        let closes = |w: &str| w.ends_with([':', ',', '.', ';']);
        loop {
            if closes(words[end - 1]) {
                break;
            }
            match words.get(end) {
                Some(w) if is_capitalised(w) => {
                    capitalised += 1;
                    end += 1;
                }
                Some(w)
                    if SMALL_WORDS.contains(w)
                        && words.get(end + 1).is_some_and(|n| is_capitalised(n)) =>
                {
                    end += 1;
                }
                _ => break,
            }
        }
        if capitalised >= 2 {
            keep[i..end].iter_mut().for_each(|k| *k = false);
        }
        i = end;
    }
    keep.contains(&false).then(|| {
        words
            .iter()
            .zip(&keep)
            .map(|(w, &k)| if k { *w } else { "''" })
            .collect::<Vec<_>>()
            .join(" ")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capitalised_runs_are_names_and_lower_case_failures_stay() {
        let said = |l: &str| without_title_case_names(l).unwrap_or_else(|| l.to_string());
        assert!(
            !said("Info|RefreshAlbumService|Updating Info for Out of Memory").contains("Memory")
        );
        assert!(
            !said("Adding Artist [Connection Refused] Path: [/music/Connection Refused]")
                .contains("Refused")
        );
        assert!(!said("Updating Info for Segmentation Fault (Core Dumped)").contains("Fault"));
        let lidarr = "2026-12-07 20:04:40.6|Info|ArtistScannedHandler|[Connection Refused] was recently added";
        assert!(!said(lidarr).contains("Refused"));
        // A failure in sentence case, and upper-case tags, are kept.
        let cbs = "2016-09-28 04:30:31, Info CBS Failed to internally open package.";
        assert_eq!(said(cbs), cbs);
        assert!(said("Connection refused by Primary Node").contains("Connection refused"));
        let spark =
            "INFO DAGScheduler: Job aborted. Reason: Container killed by YARN for exceeding";
        assert_eq!(said(spark), spark);
        let cbs =
            "2026-10-05 03:21:47, Info   CBS    (p)\tCSI Payload Corrupt\t(n)\tamd64_propsys.dll";
        assert_eq!(said(cbs), cbs);
    }

    #[test]
    fn a_logfmt_record_says_its_message_not_its_names() {
        let line = r#"time="2026-11-30T03:00:02Z" level=info msg="Imported track" path="/music/Fatal Error Trio/03 - Connection Refused.flac" duration=241.6"#;
        assert_eq!(spoken(line).as_deref(), Some("Imported track"));
        let line = r#"time=2026-11-30T03:00:02Z level=info msg="upstream retry" err="dial tcp 192.0.2.1:443: connect: connection refused" attempt=2"#;
        assert_eq!(
            spoken(line).as_deref(),
            Some("upstream retry err=dial tcp 192.0.2.1:443: connect: connection refused")
        );
        // What a command wrote to stderr, and how it exited, are said too.
        let line = r#"level=info msg="command exited" cmd=pg_dump exit_code=1 stderr="pg_dump: error: connection to server failed: Connection refused""#;
        assert_eq!(
            spoken(line).as_deref(),
            Some(
                "command exited exit_code=1 stderr=pg_dump: error: connection to server failed: Connection refused"
            )
        );
        // An escaped quote inside a value does not end it.
        let line = r#"level=debug msg="said \"hi\"" name="Out of \"Memory\"""#;
        assert_eq!(spoken(line).as_deref(), Some(r#"said \"hi\""#));
    }

    #[test]
    fn a_json_record_says_its_message_error_and_status() {
        let line = r#"{"level":"info","ts":"2026-11-30T08:00:08Z","msg":"applied","output":{"cronjob/ops/purge-failed-jobs":"unchanged"},"error":null,"status":200}"#;
        assert_eq!(spoken(line).as_deref(), Some("applied status=200"));
    }

    #[test]
    fn quoted_titles_are_names() {
        let line = "[2026-12-06 07:23:40,266]  INFO {cps.editbooks:1102} Uploaded 'Connection Refused' by 'A. Gateway' (pdf, 3.2 MB) as book id 432";
        let said = without_quoted_names(line, 1).expect("a title");
        assert!(!said.contains("Connection Refused"), "{said}");
        assert!(said.contains("as book id 432"), "{said}");
        for titled in [
            "Book 'Out of Memory' (id 412) shown to user 'lena'",
            "Book 'Segmentation Fault Lines' (id 402) added to shelf 'Disk Full & Other Disasters'",
            "Uploaded 'Permission Denied: Stories' by 'R. Ootuser'",
            "Search returned 'Panic Room', 'Don't Panic: A Guide'",
        ] {
            let said = without_quoted_names(titled, 1).expect(titled);
            assert!(
                !said.contains("Memory") && !said.contains("Fault") && !said.contains("Denied"),
                "{said}"
            );
        }
        // A subtitle in brackets, a path, and a name after the kind of thing it names.
        for named in [
            "INFO     2026-12-09T07:05:31 - Served recipe \"Connection Refused Cookies (the ones my kids won't share)\"",
            "INFO: [LibraryScanner] New library item found \"Access Denied\" by P. Menon (folder \"/audiobooks/P. Menon/Access Denied\")",
            "INFO: [Scanner] Chapters for \"The Timeout\": 22 chapters, chapter \"Connection reset by peer\" at 5:02:19",
            "INFO: [ApiRouter] Search \"permission denied\" returned 1 book",
            "  new article: \"Connection refused? A checklist\"",
            "  Request from [::ffff:192.0.2.55]:51234: search \"any\" \"connection refused\"",
        ] {
            let said = without_quoted_names(named, 1).expect(named);
            assert!(
                !said.to_lowercase().contains("refused")
                    && !said.contains("Denied")
                    && !said.contains("reset")
                    && !said.contains("denied"),
                "{said}"
            );
        }
        // A field's quoted value names a thing unless the field says what happened.
        let homebox = "2026/12/11 08:06AM INF attachment uploaded | item=\"Router manual (troubleshooting: 'Connection timed out')\" type=manual";
        let said = without_quoted_names(homebox, 1).expect(homebox);
        assert!(!said.contains("timed out"), "{said}");
        let told = "2026/12/11 08:06AM INF retry | error=\"connection timed out\" attempt=2";
        assert_eq!(without_quoted_names(told, 1), None);
        // Two words at least, where a one-word type name stays a type.
        let list = "   - \"Connection Refused Alert\" (ID: Qp3xf0a0b)";
        assert_eq!(
            without_quoted_names(list, 2).as_deref(),
            Some("   - '' (ID: Qp3xf0a0b)")
        );
        let unity = "MissingReferenceException: The object of type 'GameObject' has been destroyed";
        assert_eq!(without_quoted_names(unity, 2), None);
        // Messages in quotes stay: not title case, or no quote at all.
        for message in [
            "retrying after 'connection refused' from 192.0.2.1",
            "upstream said \"Connection refused\"",
            "task failed: 'Permission denied'",
            "it's the user's file: permission denied",
            "INFO:     192.0.2.14:51322 - \"GET /users/4471 HTTP/1.1\" 504 Gateway Timeout",
            "INFO: ran \"SELECT\" and \"VACUUM\", timeout",
        ] {
            assert_eq!(without_quoted_names(message, 1), None, "{message}");
        }
    }

    #[test]
    fn other_lines_are_read_whole() {
        for line in [
            "2026-11-30 03:00:02 INFO Imported track Connection Refused.flac",
            "level=info msg=\"unterminated",
            "time=1 level=info path=/x",
            r#"{"level":"info","path":"/music/Out of Memory.mp3"}"#,
            "key=value and then prose",
            "{not json",
        ] {
            assert_eq!(spoken(line), None, "{line}");
        }
    }
}

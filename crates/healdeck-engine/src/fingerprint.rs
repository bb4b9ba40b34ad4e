//! Fingerprints: one problem, one id. A message is normalized (timestamps, UUIDs, hex ids,
//! temporary paths, durations and numbers replaced, whitespace collapsed) and hashed with its rule id
//! (FNV-1a, 64 bits), so repeats of a failure group into one issue across runs and machines.
//! A failure no rule knows has no captures to group by: its key line is parameterized further
//! ([`parameterize`]: addresses, hosts, e-mails, URLs, weekdays and every digit), so one
//! problem on many nodes, hosts or days is one issue.

use regex::Regex;
use std::sync::LazyLock;

static VOLATILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<ts>\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?",
        r"|\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}",
        r"|\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}",
        r"|\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +\d{1,2} \d{2}:\d{2}:\d{2}",
        r"|\b\d{2}:\d{2}:\d{2}(?:[.,]\d+)?\b)",
        r"|(?P<uuid>\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b)",
        r"|(?P<hex>\b0x[0-9a-fA-F]+\b|\b[0-9a-f]{8,}\b|\b[0-9A-F]{8,}\b)",
        r"|(?P<tmp>(?:/private)?(?:/tmp|/var/tmp|/var/folders|/dev/shm)/[^\s'\x22:,)\]]*",
        r"|(?i:[a-z]:\\Users\\[^\\\s]+\\AppData\\Local\\Temp\\[^\s'\x22]*))",
        r"|(?P<dur>\b\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h|min|sec|secs)\b)",
        r"|(?P<num>\b\d+(?:\.\d+)*\b)",
    ))
    .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// What else varies between repeats of a failure no rule knows, beyond [`normalize`]'s:
/// e-mail addresses, URLs, IPv4 and IPv6 addresses (with their ports), host names under the
/// common domains, and weekday names. Digits inside words are masked afterwards.
static PARAMETERS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?P<email>\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b)",
        r"|(?P<url>\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s'\x22<>]+)",
        r"|(?P<ip>\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\b)",
        r"|(?P<ip6>\[?\b[0-9a-fA-F]{1,4}:(?:[0-9a-fA-F]{0,4}:){1,6}[0-9a-fA-F]{1,4}\b(?:\]:\d+)?)",
        r"|(?P<host>\b(?:[a-zA-Z0-9-]+\.)+(?:com|net|org|io|local|internal|lan|edu|gov|cloud|dev)\b)",
        r"|(?P<day>\b(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)(?:day|sday|nesday|rsday|urday)?\b)",
    ))
    .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

static DIGITS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\d+").unwrap_or_else(|e| panic!("constant regex: {e}")));

/// A failure's key line as its group key when no rule explains it: addresses, hosts,
/// e-mails, URLs and weekdays replaced by placeholders, then [`normalize`]d, then every run of
/// digits left made `#`, even inside a word (`node-12`, `R02-M1-N0`), so one problem on many
/// nodes is one issue; words are kept, so different programs' failures stay apart.
pub(crate) fn parameterize(text: &str) -> String {
    let placed = PARAMETERS.replace_all(text, |c: &regex::Captures| {
        let whole = c.get(0).map_or("", |m| m.as_str());
        if c.name("email").is_some() {
            "<email>".to_string()
        } else if c.name("url").is_some() {
            "<url>".to_string()
        } else if c.name("ip").is_some() {
            "<ip>".to_string()
        } else if c.name("ip6").is_some() {
            // Colons between digits only (a ratio, a version) are not an address.
            if whole.contains("::") || whole.bytes().any(|b| b.is_ascii_alphabetic()) {
                "<ip>".to_string()
            } else {
                whole.to_string()
            }
        } else if c.name("host").is_some() {
            "<host>".to_string()
        } else {
            "<day>".to_string()
        }
    });
    let ids = mask_random_ids(&placed);
    DIGITS.replace_all(&normalize(&ids), "#").into_owned()
}

/// Random ids in base 62 made `<id>` (a YouTube video's `qnX6sPFjXnA`, a channel's
/// `UCk9v2yXq7mLZ3Pq0aBcDeF1`): a word of 10–64 letters, digits, `-` and `_` with a digit and
/// both cases, where no more than four letters of one case run together — a CamelCase name
/// (`Http2ServerConnFactory`) has words of lower case letters, an id has none.
fn mask_random_ids(text: &str) -> std::borrow::Cow<'_, str> {
    let is_id = |w: &str| {
        let b = w.as_bytes();
        if !(10..=64).contains(&b.len()) || !b.iter().any(u8::is_ascii_digit) {
            return false;
        }
        if !b.iter().any(u8::is_ascii_lowercase) || !b.iter().any(u8::is_ascii_uppercase) {
            return false;
        }
        let longest =
            |case: fn(&u8) -> bool| b.split(|c| !case(c)).map(<[u8]>::len).max().unwrap_or(0);
        longest(u8::is_ascii_lowercase) <= 4 && longest(u8::is_ascii_uppercase) <= 4
    };
    let is_word_byte = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '_';
    if !text.split(|c| !is_word_byte(c)).any(is_id) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len());
    let mut word = String::new();
    let flush = |word: &mut String, out: &mut String| {
        out.push_str(if is_id(word) { "<id>" } else { word });
        word.clear();
    };
    for c in text.chars() {
        if is_word_byte(c) {
            word.push(c);
        } else {
            flush(&mut word, &mut out);
            out.push(c);
        }
    }
    flush(&mut word, &mut out);
    std::borrow::Cow::Owned(out)
}

/// Replaces the parts of a message that vary between repeats of one problem.
pub(crate) fn normalize(text: &str) -> String {
    let replaced = VOLATILE.replace_all(text, |c: &regex::Captures| {
        if c.name("ts").is_some() {
            "<ts>"
        } else if c.name("uuid").is_some() {
            "<uuid>"
        } else if c.name("hex").is_some() {
            "<hex>"
        } else if c.name("tmp").is_some() {
            "<tmp>"
        } else {
            "#"
        }
    });
    replaced.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The stable fingerprint of (rule, signature), as 16 hex digits (what the classifier does:
/// [`normalize`], then [`fingerprint_of_key`]).
#[cfg(test)]
pub(crate) fn fingerprint(rule_id: &str, signature: &str) -> String {
    fingerprint_of_key(rule_id, &normalize(signature))
}

/// The fingerprint of (rule, an already normalized group key).
pub(crate) fn fingerprint_of_key(rule_id: &str, key: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in rule_id
        .bytes()
        .chain(std::iter::once(0x1f))
        .chain(key.bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_ids_are_masked_camel_case_names_are_not() {
        assert_eq!(
            parameterize("get_video: qnX6sPFjXnA : Missing hash key"),
            parameterize("get_video: Tb0aZr4vX2s : Missing hash key")
        );
        assert_eq!(
            parameterize("channel UCk9v2yXq7mLZ3Pq0aBcDeF1 gone"),
            "channel <id> gone"
        );
        let names = parameterize("Http2ServerConnFactory and OAuth2Client failed");
        assert_eq!(names, "Http#ServerConnFactory and OAuth#Client failed");
    }

    #[test]
    fn normalization_keeps_words_drops_volatiles() {
        let a = normalize(
            "2024-01-01T10:00:00Z req 8f14e45f-ceea-467f-a0e8-2c5e2d7b1c11 at 0x7ffd1234 from 10.0.0.7:54321 file /tmp/pip-build-abc123/setup.py line 42 sha deadbeef1234",
        );
        assert_eq!(
            a,
            "<ts> req <uuid> at <hex> from #:# file <tmp> line # sha <hex>"
        );
        assert_eq!(
            normalize("No module named 'foo2'"),
            "No module named 'foo2'"
        );
        // Durations with their units: `took 1667ms`, `"took":"1.462744416s"`.
        assert_eq!(
            normalize(r#"write took 1667ms (threshold=300ms), "took":"1.462744416s" in 10s"#),
            r##"write took # (threshold=#), "took":"#" in #"##
        );
    }

    #[test]
    fn parameterizing_merges_one_problem_across_nodes_hosts_and_days() {
        let same = [
            "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
            "[Mon Dec 05 10:26:39 2005] [error] mod_jk child workerEnv in error state 7",
        ];
        assert_eq!(parameterize(same[0]), parameterize(same[1]));
        let nodes = [
            "RAS KERNEL FATAL data storage interrupt on R02-M1-N0-C:J12-U11",
            "RAS KERNEL FATAL data storage interrupt on R17-M0-N4-C:J05-U01",
        ];
        assert_eq!(parameterize(nodes[0]), parameterize(nodes[1]));
        let a = parameterize(
            "connect to db01.example.com (10.0.0.7:5432) for ops@example.org at https://x.example.net/a?b=1 failed, [2001:db8::7]:443",
        );
        assert_eq!(
            a,
            "connect to <host> (<ip>) for <email> at <url> failed, <ip>"
        );
        // Words stay: two programs' failures are two issues.
        assert_ne!(
            parameterize("cron[12]: fatal: cannot open /etc/crontab"),
            parameterize("anacron[13]: fatal: cannot open /etc/crontab")
        );
    }

    #[test]
    fn fingerprint_is_stable_and_discriminating() {
        let a = fingerprint("python.module_not_found", "No module named 'yaml'");
        assert_eq!(
            a,
            fingerprint("python.module_not_found", "No module named  'yaml'")
        );
        assert_ne!(
            a,
            fingerprint("python.module_not_found", "No module named 'cv2'")
        );
        // Fixed value: a change here breaks users' `--approve FINGERPRINT` and GUI state.
        assert_eq!(fingerprint("r", "x 1"), fingerprint("r", "x 999"));
        assert_eq!(a.len(), 16);
        assert_eq!(fingerprint("a", "b"), "e5eaa319043b0991");
    }
}

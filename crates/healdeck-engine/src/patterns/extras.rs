//! What a message says beyond its template, read on every core before counting: a duration
//! (`took 123ms`, `rt=0.250`, `succeeded in 3.1e-05s`), the handler that duration times (an HTTP
//! request's method and path, a Celery task, `handler=NAME`), and a sequence's begin or end with
//! its id (`beat-started id=42`, `Task tasks.add[UUID] received`, `session opened` in `cron[2915]`).

use regex::Regex;
use std::sync::LazyLock;

static DURATION: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i-u)\b(?:took|duration|elapsed|latency|in|time|rt|request_time|response_time)\b",
        r"\s*[=:]?\s*(\d+(?:\.\d+)?(?:e-?\d{1,3})?)\s*",
        r"(ms|milliseconds?|µs|us|s|sec|secs|seconds?)?\b",
    ))
    .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// Begin and end words; a mark is one of them joined to the name before it by `-`, `_`, `.`
/// or a space (found with Aho-Corasick, ASCII case ignored: far cheaper per line than a regex
/// with a leading `.*?`).
const BEGIN_WORDS: [&str; 10] = [
    "started",
    "starting",
    "start",
    "begin",
    "began",
    "acquired",
    "acquiring",
    "opened",
    "entered",
    // Only after a bracketed id (`Task tasks.add[ID] received`): "received" alone is too common.
    "received",
];
const END_WORDS: [&str; 13] = [
    "completed",
    "complete",
    "finished",
    "ended",
    "end",
    "released",
    "closed",
    "done",
    "exited",
    "stopped",
    "succeeded",
    "failed",
    "raised",
];

static SEQUENCE_WORDS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
    aho_corasick::AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .match_kind(aho_corasick::MatchKind::LeftmostLongest)
        .build(BEGIN_WORDS.iter().chain(END_WORDS.iter()))
        .unwrap_or_else(|e| panic!("constant automaton: {e}"))
});

/// A sequence's id: `id=42`, `request_id: ab12`, `txn 7f3a`, `#1234`, a UUID — or, failing
/// those, the first number of the line.
static SEQUENCE_ID: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?i-u)(?:\b(?:[a-z]+[_-])?(?:id|txn|trace|span|job|task|request|req|session)\b\s*[=:#]?\s*",
        r"([\w-]{1,64}))|#(\w{1,64})",
        r"|\b([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\b",
        r"|\b(\d{1,20})\b",
    ))
    .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// A duration in a line, in milliseconds. Without a unit, `rt=`/`request_time=` (nginx's
/// `$request_time`) and `time:` with a fraction are seconds; other numbers need a unit. (The
/// match is found by the regex's DFA; its groups are read from the match alone, which keeps
/// per-line work small.)
pub(crate) fn duration_ms(line: &str) -> Option<f64> {
    for m in DURATION.find_iter(line) {
        let Some(c) = DURATION.captures(m.as_str()) else {
            continue;
        };
        let Some(v) = c.get(1).and_then(|v| v.as_str().parse::<f64>().ok()) else {
            continue;
        };
        let unit = match c.get(2) {
            Some(u) => u.as_str().to_ascii_lowercase(),
            None => {
                let word = m.as_str().to_ascii_lowercase();
                // nginx's `rt=0.250`, OpenStack's `time: 0.2477829`: seconds.
                let fraction = c.get(1).is_some_and(|v| v.as_str().contains('.'));
                if word.starts_with("rt")
                    || word.contains("_time")
                    || (word.starts_with("time") && fraction)
                {
                    "s".to_string()
                } else {
                    continue;
                }
            }
        };
        return Some(match unit.as_str() {
            "µs" | "us" => v / 1000.0,
            u if u.starts_with("ms") || u.starts_with("milli") => v,
            _ => v * 1000.0,
        });
    }
    None
}

/// A begin or end of a sequence found in a line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct SequenceMark {
    /// The name: what comes before the begin/end word, numbers masked (`beat`, `Job #`).
    pub name: String,
    pub id: String,
    pub begin: bool,
}

#[cfg(test)]
pub(crate) fn sequence_mark(message: &str) -> Option<SequenceMark> {
    sequence_mark_after("", message)
}

/// [`sequence_mark`] of a message whose record header (`Dec 5 06:00:01 web sshd[812]:`) was
/// cut off before it: the header's process id is the id when the message names none.
pub(crate) fn sequence_mark_after(header: &str, message: &str) -> Option<SequenceMark> {
    let bytes = message.as_bytes();
    let word = |b: u8| b.is_ascii_alphanumeric() || b == b'_';
    let found = SEQUENCE_WORDS.find_iter(message).find(|m| {
        let (start, end) = (m.start(), m.end());
        start >= 2
            && matches!(bytes[start - 1], b'-' | b'_' | b'.' | b' ')
            && (word(bytes[start - 2]) || bytes[start - 2] == b']')
            && bytes.get(end).is_none_or(|&b| !word(b))
    })?;
    let begin = found.pattern().as_usize() < BEGIN_WORDS.len();
    let weak = BEGIN_WORDS.get(found.pattern().as_usize()) == Some(&"received");
    // The name is the word or two before the begin/end word, not a record header before it
    // (`crond(pam_unix)[2915]: session` is `session`).
    let whole = &message[..found.start() - 1];
    let mut from = whole.len();
    for (i, word) in whole.split_whitespace().rev().take(2).enumerate() {
        if i > 0 && word.ends_with([':', ']', ')']) {
            break;
        }
        from = word.as_ptr() as usize - whole.as_ptr() as usize;
    }
    let mut prefix = &message[from..found.start() - 1];
    // `NAME[ID] verb` (Celery's tasks): the id is in the brackets, the name before them.
    let mut bracketed = None;
    if let Some(open) = prefix.strip_suffix(']').and_then(|p| p.rfind('[')) {
        let id = &prefix[open + 1..prefix.len() - 1];
        if !id.is_empty() && id.len() <= 64 && id.bytes().any(|b| b.is_ascii_digit()) {
            bracketed = Some(id.to_string());
            prefix = &prefix[..open];
        }
    }
    if weak && bracketed.is_none() {
        return None;
    }
    let name = masked_name(prefix)?;
    // An id has a digit (`session opened` is not a session called "opened"); a named one
    // (`id=9`, `#9`, a UUID) first, then the process id of the record's header (`cron[2915]:`:
    // PAM's `session opened`/`session closed` pair by it), then a bare number (`worker-3` is
    // no id).
    let rest = &message[from..];
    let id_in = |groups: std::ops::RangeInclusive<usize>| {
        SEQUENCE_ID.find_iter(rest).find_map(|m| {
            let c = SEQUENCE_ID.captures(m.as_str())?;
            groups
                .clone()
                .find_map(|g| c.get(g))
                .map(|v| v.as_str())
                .filter(|v| v.bytes().any(|b| b.is_ascii_digit()))
                .map(str::to_string)
        })
    };
    let id = bracketed
        .or_else(|| id_in(1..=3))
        .or_else(|| header_pid(&message[..from]).or_else(|| header_pid(header)))
        .or_else(|| id_in(4..=4))?;
    Some(SequenceMark { name, id, begin })
}

/// A sequence's name: its words with each run of digits as `#` (`Job 12` is `Job #`); none
/// when nothing but digits is left.
fn masked_name(prefix: &str) -> Option<String> {
    let mut name = String::with_capacity(prefix.len());
    let mut last_digit = false;
    for ch in prefix.trim().chars() {
        if ch.is_ascii_digit() {
            if !last_digit {
                name.push('#');
            }
            last_digit = true;
        } else {
            name.push(ch);
            last_digit = false;
        }
    }
    (!name.trim_matches(['#', ' ']).is_empty()).then_some(name)
}

/// The process id of a record header before the message (`sshd(pam_unix)[2915]:`), the last
/// one when there are several.
fn header_pid(header: &str) -> Option<String> {
    let end = header.rfind("]:")?;
    let open = header[..end].rfind('[')?;
    let pid = &header[open + 1..end];
    (!pid.is_empty() && pid.len() <= 10 && pid.bytes().all(|b| b.is_ascii_digit()))
        .then(|| pid.to_string())
}

/// The handler a timed line names, from the raw message (the template may have merged several):
/// an HTTP request's method and path, a Celery task, or `handler=`, `endpoint:`, `route=`, …
static HANDLER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"\b(?P<method>GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (?P<path>/[^\s?#\x22]{0,300})",
        r"|\bTask (?P<task>[A-Za-z_][\w.:-]{0,100})\[",
        r"|(?i:\b(?:handler|endpoint|route|operation|op|action|task|job)\s*[=:]\s*)",
        r"(?P<name>[A-Za-z_][\w./:-]{1,79})",
    ))
    .unwrap_or_else(|e| panic!("constant regex: {e}"))
});

/// The handler `message` names (see [`HANDLER`]): `GET /v2/items/<*>` (path segments with a
/// digit, other than a version, or over 40 bytes masked; the query left out), `task
/// tasks.report`, `payment.charge`; none for a name with digits (an id, not a handler) or no
/// name at all.
pub(crate) fn handler_name(message: &str) -> Option<String> {
    let c = HANDLER.captures(message)?;
    if let (Some(method), Some(path)) = (c.name("method"), c.name("path")) {
        let mut out = format!("{} ", method.as_str());
        for (i, segment) in path.as_str().split('/').take(16).enumerate() {
            if i > 0 {
                out.push('/');
            }
            let version = segment.len() <= 5
                && segment.starts_with(['v', 'V'])
                && segment[1..]
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b'.');
            if segment.len() > 40 || (!version && segment.bytes().any(|b| b.is_ascii_digit())) {
                out.push_str("<*>");
            } else {
                out.push_str(segment);
            }
        }
        return Some(out);
    }
    if let Some(task) = c.name("task") {
        return Some(format!("task {}", task.as_str()));
    }
    c.name("name")
        .map(|n| n.as_str())
        .filter(|n| !n.bytes().any(|b| b.is_ascii_digit()))
        .map(str::to_string)
}

/// What a message says beyond its template: a duration and the handler it names, a sequence's
/// begin or end.
#[derive(Debug, Default)]
pub(crate) struct Extras {
    pub duration_ms: Option<f64>,
    /// Read only for a line with a duration.
    pub handler: Option<String>,
    pub mark: Option<SequenceMark>,
}

impl Extras {
    #[cfg(test)]
    pub(crate) fn of(message: &str) -> Extras {
        Extras::after("", message)
    }

    /// What `message` says, its record header (time, host, `program[pid]:`) cut off before it.
    pub(crate) fn after(header: &str, message: &str) -> Extras {
        let duration_ms = duration_ms(message);
        Extras {
            handler: duration_ms.and_then(|_| handler_name(message)),
            duration_ms,
            mark: sequence_mark_after(header, message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_times_and_sequences_are_read() {
        assert_eq!(duration_ms("GET /a took 123ms"), Some(123.0));
        assert_eq!(duration_ms("job done duration=1.5s"), Some(1500.0));
        assert_eq!(duration_ms("elapsed: 3s"), Some(3000.0));
        assert_eq!(duration_ms("served in 250 us"), Some(0.25));
        assert_eq!(
            duration_ms("\"GET / HTTP/1.1\" 200 512 rt=0.250"),
            Some(250.0)
        );
        assert_eq!(duration_ms("retrying in 5 attempts"), None);
        assert_eq!(
            duration_ms("\"GET /v2/x HTTP/1.1\" status: 200 len: 1893 time: 0.25"),
            Some(250.0),
            "OpenStack's request time"
        );
        assert_eq!(duration_ms("time: 5"), None, "a bare number is no time");
        // Python prints small floats with an exponent (Celery: `succeeded in 3.1e-05s`).
        let tiny = duration_ms("Task tasks.add[a1] succeeded in 3.5e-05s: 6").expect("tiny");
        assert!((tiny - 0.035).abs() < 1e-9, "{tiny}");
        let begin = sequence_mark("beat-started id=42 worker=3").expect("begin");
        assert_eq!(
            (begin.name.as_str(), begin.id.as_str(), begin.begin),
            ("beat", "42", true)
        );
        let end = sequence_mark("beat-completed id=42 in 35ms").expect("end");
        assert_eq!(
            (end.name.as_str(), end.id.as_str(), end.begin),
            ("beat", "42", false)
        );
        let job = sequence_mark("Job 17 started").expect("job");
        assert_eq!((job.name.as_str(), job.id.as_str()), ("Job #", "17"));
        assert!(
            sequence_mark("Server started").is_none(),
            "no id, no sequence"
        );
        assert!(sequence_mark("failed to open file").is_none());
        // PAM's sessions pair by the process in the record header: the end names no id.
        let header = "crond(pam_unix)[2915]: session opened for user root by (uid=0)";
        let m = sequence_mark(header).expect("pid");
        assert_eq!(
            (m.name.as_str(), m.id.as_str(), m.begin),
            ("session", "2915", true)
        );
        let closed = sequence_mark("crond(pam_unix)[2915]: session closed for user root");
        let closed = closed.expect("closed by pid");
        assert_eq!((closed.id.as_str(), closed.begin), ("2915", false));
        let cut = "Dec  5 06:00:01 web sshd[812]:";
        let sshd = sequence_mark_after(cut, "pam_unix(sshd:session): session closed for user ann");
        assert_eq!(sshd.expect("sshd's pid").id, "812");
        let w = sequence_mark("worker-3 beat-started id=9").expect("two words");
        assert_eq!((w.name.as_str(), w.id.as_str()), ("worker-# beat", "9"));
        let session = sequence_mark("session opened for user root by uid=0").expect("uid");
        assert_eq!(session.id, "0");
    }

    #[test]
    fn celery_tasks_are_sequences_with_their_bracketed_ids() {
        let id = "f6bc8ff9-52bb-4dd8-8fa7-3c34d439c56a";
        let got = sequence_mark(&format!("Task tasks.add[{id}] received")).expect("begin");
        assert_eq!(
            (got.name.as_str(), got.id.as_str(), got.begin),
            ("Task tasks.add", id, true)
        );
        let done = sequence_mark(&format!("Task tasks.add[{id}] succeeded in 0.0018s: 2"));
        assert!(!done.expect("end").begin);
        let failed = sequence_mark(&format!("Task tasks.add[{id}] raised unexpected: KeyError"));
        assert_eq!(failed.expect("end").id, id);
        // "received" begins only a bracketed id's sequence: not a heartbeat or a packet.
        assert!(sequence_mark("Heartbeat received from node 7").is_none());
        assert!(sequence_mark("packet-received seq=4").is_none());
    }

    #[test]
    fn timed_lines_name_their_handler() {
        assert_eq!(
            handler_name("\"GET /export/2026/report.csv?token=abc HTTP/1.1\" 200 rt=0.5")
                .as_deref(),
            Some("GET /export/<*>/report.csv")
        );
        assert_eq!(
            handler_name("Task tasks.report[ab12] succeeded in 0.6s: 1").as_deref(),
            Some("task tasks.report")
        );
        assert_eq!(
            handler_name("done handler=payment.charge took 80ms").as_deref(),
            Some("payment.charge")
        );
        assert_eq!(
            handler_name("job=12345 took 3s"),
            None,
            "an id is no handler"
        );
        assert_eq!(handler_name("compaction took 3s"), None);
        assert_eq!(
            handler_name("\"GET /v2/54fadb412c/servers/detail HTTP/1.1\" time: 0.2").as_deref(),
            Some("GET /v2/<*>/servers/detail"),
            "a version is kept"
        );
        let e = Extras::of("\"POST /api/items HTTP/1.1\" 201 rt=0.012");
        assert_eq!(e.handler.as_deref(), Some("POST /api/items"));
        assert_eq!(
            Extras::of("\"POST /api/items HTTP/1.1\" 201").handler,
            None,
            "no time"
        );
    }
}

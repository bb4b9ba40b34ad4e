//! Tests on single lines of raw bytes: indentation, stack frames, Python chain markers and
//! traceback starts, exception lines, tool error prefixes, log record starts and failure
//! starts. Event assembly asks these to decide where an event begins and ends.

pub(super) fn trim_start(l: &[u8]) -> &[u8] {
    let n = l.iter().take_while(|b| b.is_ascii_whitespace()).count();
    &l[n..]
}

pub(super) fn is_blank(l: &[u8]) -> bool {
    l.iter().all(|b| b.is_ascii_whitespace())
}

pub(super) fn is_indented(l: &[u8]) -> bool {
    matches!(l.first(), Some(b' ' | b'\t')) && !is_blank(l)
}

pub(super) fn contains(l: &[u8], needle: &[u8]) -> bool {
    find(l, needle).is_some()
}

/// Where `needle` first starts in the line `l`. A line is short, so this steps from one
/// occurrence of the needle's first byte to the next: building `memchr::memmem`'s SIMD
/// searcher for every look cost more than the look (7 % of a scan where every fifth line
/// is a failure).
pub(crate) fn find(l: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, _) = needle.split_first()?;
    let mut from = 0;
    while let Some(i) = memchr::memchr(first, &l[from..]) {
        let at = from + i;
        if l[at..].starts_with(needle) {
            return Some(at);
        }
        from = at + 1;
    }
    None
}

/// Where `needle` last starts in the line `l` (see [`find`]).
pub(crate) fn rfind(l: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, _) = needle.split_first()?;
    let mut end = l.len();
    while let Some(at) = memchr::memrchr(first, &l[..end]) {
        if l[at..].starts_with(needle) {
            return Some(at);
        }
        end = at;
    }
    None
}

/// A stack frame line of Java, Kotlin, Node, C# (`at …`) or an elision (`... 12 more`).
pub(super) fn is_frame(l: &[u8]) -> bool {
    if !is_indented(l) {
        return false;
    }
    let t = trim_start(l);
    t.starts_with(b"at ") || t.starts_with(b"... ") || t.starts_with(b"File \"")
}

pub(super) const CHAIN_MARKERS: [&[u8]; 2] = [
    b"During handling of the above exception, another exception occurred:",
    b"The above exception was the direct cause of the following exception:",
];

pub(super) fn is_chain_marker(l: &[u8]) -> bool {
    let t = trim_start(l);
    CHAIN_MARKERS.iter().any(|m| t.starts_with(m))
}

pub(super) fn is_traceback_start(l: &[u8]) -> bool {
    let t = trim_start(l);
    t.starts_with(b"Traceback (most recent call last)")
        || t.starts_with(b"+ Exception Group Traceback (most recent call last)")
}

/// `java.lang.IllegalStateException: …`, `Caused by: …`, `Exception in thread "main" …`,
/// behind the app's version where Sonarr and Radarr print it (`[v4.0.11.2680] System.…`).
pub(super) fn looks_like_exception_line(l: &[u8]) -> bool {
    let t = behind_version_tag(trim_start(l));
    if t.starts_with(b"Exception in thread") || t.starts_with(b"Caused by:") {
        return true;
    }
    let head = &t[..t.len().min(200)];
    let name_end = head
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'$' | b'_')))
        .unwrap_or(head.len());
    let name = &head[..name_end];
    (name.ends_with(b"Exception") || name.ends_with(b"Error") || name.ends_with(b"Throwable"))
        && (name_end == head.len() || head[name_end] == b':' || head[name_end] == b' ')
}

/// A line behind a leading `[v4.0.11.2680] ` (a version in brackets), or the line itself.
fn behind_version_tag(l: &[u8]) -> &[u8] {
    let Some(inner) = l.strip_prefix(b"[v") else {
        return l;
    };
    let digits = inner
        .iter()
        .take_while(|b| b.is_ascii_digit() || **b == b'.')
        .count();
    match inner[digits..].strip_prefix(b"] ") {
        Some(rest) if digits > 0 => rest,
        _ => l,
    }
}

/// The length of a build runner's step prefix on a line: BuildKit's `#6 0.742 ` (step and
/// seconds) or, in its summary box, `0.742 `; 0 when there is none. A tool's block printed
/// inside a step is read behind it.
pub(super) fn step_prefix_len(l: &[u8]) -> usize {
    let step = match l.strip_prefix(b"#") {
        Some(rest) => {
            let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
            if digits == 0 || rest.get(digits) != Some(&b' ') {
                return 0;
            }
            1 + digits + 1
        }
        None => 0,
    };
    let rest = &l[step..];
    let int = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if int == 0 || rest.get(int) != Some(&b'.') {
        return 0;
    }
    let frac = rest[int + 1..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .count();
    if frac == 0 || rest.get(int + 1 + frac) != Some(&b' ') {
        return 0;
    }
    step + int + 1 + frac + 1
}

/// A line behind its step prefix (see `step_prefix_len`).
pub(super) fn behind_step(l: &[u8]) -> &[u8] {
    &l[step_prefix_len(l)..]
}

/// The tool prefix (`RUN_PREFIXES`) a line starts with behind its step prefix, also when the
/// line is only the prefix (npm prints a bare `npm error` between a block's paragraphs).
pub(super) fn run_prefix(l: &[u8]) -> Option<&'static [u8]> {
    let body = behind_step(l);
    RUN_PREFIXES
        .iter()
        .find(|p| body.starts_with(p) || body.trim_ascii_end() == p.trim_ascii_end())
        .copied()
}

/// Line prefixes of tools that print one incident as a run of lines with the same prefix.
pub(super) const RUN_PREFIXES: [&[u8]; 8] = [
    b"npm ERR! ",
    b"npm error ",
    b"ERROR: ",
    b"E: ",
    b"gyp ERR! ",
    b"gyp error ",
    b"nginx: ",
    SBT_ERROR,
];

/// sbt's prefix on every line of an error report (`[error] …/Invoice.scala:57:32: type
/// mismatch;` over `[error]  found   : Option[…]`). Other logs open single records with it
/// (CouchDB's `[error] 2026-…`), so it only starts a run over an indented continuation.
pub(super) const SBT_ERROR: &[u8] = b"[error] ";

/// Whether `next` continues an sbt error report: `[error]` and an indented line.
pub(super) fn continues_sbt_report(next: &[u8]) -> bool {
    next.strip_prefix(b"[error]")
        .is_some_and(|rest| rest.starts_with(b"  ") || rest.starts_with(b" \t"))
}

/// Starts of compiler / package-manager error blocks whose body is indented.
pub(super) fn is_tool_block_start(l: &[u8]) -> bool {
    let l = behind_step(l);
    l.starts_with(b"error: ")
        || l.starts_with(b"error[E")
        || l.starts_with(b"  \xc3\x97 ")
        || l.starts_with(b"\xc3\x97 ")
}

/// A syslog or journal record's tag and message: `Dec 03 11:05:47 gpu-07 python[5521]:
/// Traceback …` is (`python[5521]: `, `Traceback …`). Only a record that starts with its time
/// and names a program with its process id.
pub(crate) fn syslog_body(l: &[u8]) -> Option<(&[u8], &[u8])> {
    if !starts_record(l) {
        return None;
    }
    let head = &l[..l.len().min(160)];
    let tag_end = memchr::memmem::find(head, b"]: ")? + 3;
    let tag_start = head[..tag_end - 1].iter().rposition(|&b| b == b' ')? + 1;
    let tag = &l[tag_start..tag_end];
    let open = memchr::memchr(b'[', tag)?;
    let pid = &tag[open + 1..tag.len() - 3];
    (open > 0 && !pid.is_empty() && pid.iter().all(u8::is_ascii_digit))
        .then(|| (tag, &l[tag_end..]))
}

/// What every record of one request's report at one level shares in a Ruby Logger log
/// tagged with the request id (Rails's `F, [2019-05-18T14:48:53.547875 #1] FATAL -- :
/// [67c3…] ActionView::Template::Error …`, then the template's lines and the backtrace, each a
/// record of its own): the text before the time (a compose prefix, the level's letter), the
/// process id and the tag.
pub(super) fn tagged_record_key(l: &[u8]) -> Option<[&[u8]; 3]> {
    use memchr::memchr;
    let open = find(l, b", [")?;
    let tag_at = open + find(&l[open..], b" -- : [")?;
    let pid_at = open + find(&l[open..tag_at], b" #")?;
    let pid_end = pid_at + memchr(b']', &l[pid_at..tag_at])?;
    let tag_start = tag_at + 6;
    let tag_end = tag_start + memchr(b']', &l[tag_start..])? + 1;
    Some([&l[..open], &l[pid_at..pid_end], &l[tag_start..tag_end]])
}

/// Whether `w` starts with a time of day to the second: `hh:mm:ss`.
pub(crate) fn is_clock(w: &[u8]) -> bool {
    w.len() >= 8
        && w[2] == b':'
        && w[5] == b':'
        && [0, 1, 3, 4, 6, 7].iter().all(|&i| w[i].is_ascii_digit())
}

/// Lines that begin a new log record: a leading timestamp (ISO, `2024/01/02 `, syslog,
/// bracketed, glog's `E1203 10:03:41.551903`, Unreal's `[2026.12.04-20.38.12:331]`) or a bracketed
/// level. Used to find where a multi-line record ends.
pub(crate) fn starts_record(l: &[u8]) -> bool {
    let l = l.strip_prefix(b"[").unwrap_or(l);
    let digits = |s: &[u8], n: usize| s.len() >= n && s[..n].iter().all(u8::is_ascii_digit);
    let iso = digits(l, 4)
        && l.len() >= 13
        && matches!(l[4], b'-' | b'/')
        && digits(&l[5..], 2)
        && l[7] == l[4]
        && digits(&l[8..], 2)
        && matches!(l[10], b'T' | b' ')
        && digits(&l[11..], 2);
    let clock = l.len() >= 8 && digits(l, 2) && l[2] == b':' && digits(&l[3..], 2) && l[5] == b':';
    const MONTHS: [&[u8]; 12] = [
        b"Jan ", b"Feb ", b"Mar ", b"Apr ", b"May ", b"Jun ", b"Jul ", b"Aug ", b"Sep ", b"Oct ",
        b"Nov ", b"Dec ",
    ];
    const LEVELS: [&[u8]; 7] = [
        b"ERROR]",
        b"WARN]",
        b"WARNING]",
        b"INFO]",
        b"DEBUG]",
        b"FATAL]",
        b"TRACE]",
    ];
    // glog/klog: `E1203 10:03:41.551903       1 sync.go:292] …` (level letter, month, day;
    // Typesense's glog writes the year too: `E20261207 06:00:08.830131`).
    let glog = |date: usize| {
        l.len() >= 10 + date
            && matches!(l[0], b'I' | b'W' | b'E' | b'F')
            && digits(&l[1..], date)
            && l[1 + date] == b' '
            && digits(&l[2 + date..], 2)
            && l[4 + date] == b':'
    };
    let glog = glog(4) || glog(8);
    // Unreal Engine: `[2026.12.04-20.38.12:331][9120]LogNet: …`.
    let unreal = digits(l, 4)
        && l.len() >= 19
        && l[4] == b'.'
        && digits(&l[5..], 2)
        && l[7] == b'.'
        && digits(&l[8..], 2)
        && l[10] == b'-'
        && digits(&l[11..], 2)
        && l[13] == b'.';
    iso || clock
        || glog
        || unreal
        || MONTHS.iter().any(|m| l.starts_with(m))
        || LEVELS.iter().any(|v| l.starts_with(v))
        || is_zabbix_record(l)
        || opens_with_bracketed_us_date(l)
}

/// Nginx Proxy Manager's (signale's) `12/4/2026] [6:00:29 AM] [SSL      ] › ✖  error …`, the
/// opening bracket taken off: a month/day/year date closed by `] [`.
fn opens_with_bracketed_us_date(l: &[u8]) -> bool {
    let mut at = 0;
    for (most, end) in [(2, b'/'), (2, b'/'), (4, b']')] {
        let n = l[at..].iter().take_while(|b| b.is_ascii_digit()).count();
        if n == 0 || n > most || l.get(at + n) != Some(&end) {
            return false;
        }
        at += n + 1;
    }
    l[at..].starts_with(b" [")
}

/// An indented line that is a record of its own, not the previous record's continuation: an
/// event-list row, a Zabbix record, a space-tagged ScyllaDB record.
pub(super) fn is_indented_record(l: &[u8]) -> bool {
    is_table_row(l) || is_zabbix_record(l) || is_space_tagged_record(l)
}

/// A row of a numbered table, each its own record though indented: `ipmitool sel elist`'s
/// `   1a | 11/21/2026 | 14:05:20 | Processor #0x40 | … | Asserted`.
fn is_table_row(l: &[u8]) -> bool {
    let t = trim_start(l);
    let id = t.iter().take_while(|b| b.is_ascii_hexdigit()).count();
    (1..=8).contains(&id) && t[id..].starts_with(b" | ")
}

/// A record written with one space before its bracketed tag, as ScyllaDB writes each one
/// behind the journal's prefix (`scylla[2211]:  [shard 0] gossip - …`): indented, and still
/// a record of its own.
fn is_space_tagged_record(l: &[u8]) -> bool {
    let Some(rest) = l.strip_prefix(b" [") else {
        return false;
    };
    let tag = rest.iter().take(24).take_while(|&&b| b != b']').count();
    tag > 0
        && rest.get(tag..tag + 2) == Some(b"] ")
        && rest[..tag]
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'_' | b'-'))
}

/// Zabbix's `  1905:20261127:051744.019 message`: the process id right-aligned in six
/// columns, then the date and time. Indented, and still a record of its own.
pub(crate) fn is_zabbix_record(l: &[u8]) -> bool {
    let t = trim_start(l);
    let pid = t.iter().take_while(|b| b.is_ascii_digit()).count();
    let rest = &t[pid..];
    let digits = |r: std::ops::Range<usize>| {
        rest.get(r)
            .is_some_and(|d| d.iter().all(u8::is_ascii_digit))
    };
    (1..=7).contains(&pid)
        && rest.first() == Some(&b':')
        && digits(1..9)
        && rest.get(9) == Some(&b':')
        && digits(10..16)
        && rest.get(16) == Some(&b'.')
}

/// A non-indented line that begins a failure of its own (`KeyError: …`, `Traceback …`).
pub(super) fn starts_failure(l: &[u8]) -> bool {
    if l.starts_with(b"Traceback ")
        || l.starts_with(b"panic: ")
        || l.starts_with(b"fatal error: ")
        || l.starts_with(b"thread '")
    {
        return true;
    }
    let name_end = l
        .iter()
        .position(|b| !(b.is_ascii_alphanumeric() || matches!(b, b'.' | b'$' | b'_')))
        .unwrap_or(l.len());
    let name = &l[..name_end];
    (name.ends_with(b"Error") || name.ends_with(b"Exception")) && l.get(name_end) == Some(&b':')
}

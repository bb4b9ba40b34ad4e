//! Lead-ins: the lines a runtime prints *before* the line that names its failure, which are
//! where the incident starts.
//!
//! - Node's crash header: `node:internal/modules/cjs/loader:1080` (or `/app/server.js:12`),
//!   the offending source line, a `^` caret under it, a blank line, then `Error: …`.
//! - Python's compile-error block: `  File "app.py", line 3`, the source line, the caret,
//!   then `SyntaxError: …` (or `IndentationError`, `TabError`).
//! - V8's out-of-memory report: `<--- Last few GCs --->`, the collector's lines and
//!   `<--- JS stacktrace --->` ahead of `FATAL ERROR: … JavaScript heap out of memory`.
//! - Rails's exception report: an empty record of the same request (`FATAL -- : [id]`) ahead
//!   of the one naming the exception.
//! - The WARN/ERROR record a bare exception line was logged under.
//! - Announcements: Gradle's `FAILURE: Build failed with an exception.` (and `* What went
//!   wrong:` under it), Spring's `Error starting ApplicationContext.`
//!
//! `lead_start` walks back from the failure's line and returns where the lead-in starts (or
//! the line itself when none is there); it never walks back past `floor`.

use super::lines::{
    contains, find, is_indented, looks_like_exception_line, rfind, starts_record, trim_start,
};
use super::{line_at, line_start, shapes};

/// Most lines a V8 out-of-memory report puts ahead of its `FATAL ERROR:` line.
const MAX_GC_LINES: usize = 40;

/// Where the incident whose failure line starts at `ls` starts: the first line of its lead-in,
/// or `ls`. Only lines at or after `floor` (the end of the previous event) are looked at.
pub(crate) fn lead_start(buf: &[u8], ls: usize, floor: usize) -> usize {
    // Behind a carrier (the journal's `host prog[pid]: ` on every line), on a copy of the
    // lines before that carry the same.
    if let Some(carried) = super::carrier::backward(buf, ls, floor, MAX_GC_LINES) {
        let failure = carried.at(carried.lines() - 1);
        let start = lead_start_plain(&carried.text, failure, 0);
        return carried.origin(carried.line_of(start));
    }
    lead_start_plain(buf, ls, floor)
}

/// [`lead_start`] on lines as they are.
fn lead_start_plain(buf: &[u8], ls: usize, floor: usize) -> usize {
    let line = line_at(buf, ls);
    let back = Back { buf, at: ls, floor };
    if line.starts_with(b"FATAL ERROR: ") {
        return v8_report(back).unwrap_or(ls);
    }
    if let Some(start) = names_a_compile_error(line)
        .then(|| source_block(back, is_python_file_line))
        .flatten()
    {
        return start;
    }
    if names_an_error(line) {
        return source_block(back.skip_blank(2), is_script_location)
            .or_else(|| announcement(back))
            .unwrap_or(ls);
    }
    if let Some(start) = powershell_record(back, line) {
        return start;
    }
    if is_indented(line)
        && let Some(start) = dotnet_record(back)
    {
        return start;
    }
    if let Some(start) = backtrace_ahead(back, line)
        .or_else(|| meson_lookup(back, line))
        .or_else(|| ruby_cause(back, line))
    {
        return start;
    }
    if let Some(start) = ninja_edge(back, line)
        .or_else(|| terminated_state(back, line))
        .or_else(|| yarn_report(back, line))
        .or_else(|| ldap_bind(back, line))
    {
        return start;
    }
    let mut before = back;
    match before.prev() {
        Some((start, prev)) if is_empty_tagged_record(prev, line) => {
            rails_completed(before, prev).unwrap_or(start)
        }
        Some(_) if is_empty_tagged(line) => rails_completed(back, line).unwrap_or(ls),
        Some((start, prev)) if looks_like_exception_line(line) && logged_it(prev) => start,
        Some((start, prev)) if warned_first(prev, line) || warned_the_same(prev, line) => start,
        Some((start, prev))
            if line.starts_with(b"Module not found:") && is_marked_location(prev) =>
        {
            start
        }
        Some((start, prev)) if is_job_context(prev) => start,
        Some((start, prev)) if is_gin_error(line) && is_failed_gin_request(prev) => start,
        Some((start, prev)) if has_empty_message(prev) && !starts_record(line) => start,
        Some((start, prev)) if said_failed_with(prev, line) => start,
        Some((start, prev)) if heads(prev, line) => announcement(before).unwrap_or(start),
        Some((start, prev)) if is_trace_file_announcement(prev) => start,
        Some(_) if is_failed_login(line) => same_login(back).unwrap_or(ls),
        _ => announcement(back).unwrap_or(ls),
    }
}

/// A Ruby exception's report: its cause is printed after the exception's frames, from where
/// it was raised (`db.rb:55:in 'exec': PG::UnableToSend: …`), so the report starts at the
/// exception's own raise site above them — or at the thread's `#<Thread:…> terminated with
/// exception (report_on_exception is true):` over it.
fn ruby_cause(back: Back, line: &[u8]) -> Option<usize> {
    if !super::shapes::is_ruby_raise_site(line) {
        return None;
    }
    let mut before = back;
    let mut start = None;
    for _ in 0..MAX_GC_LINES {
        let Some((s, prev)) = before.prev() else {
            break;
        };
        if super::shapes::is_ruby_frame(prev) {
            continue;
        }
        if prev
            .trim_ascii_end()
            .ends_with(b"terminated with exception (report_on_exception is true):")
        {
            return Some(s);
        }
        if !super::shapes::is_ruby_raise_site(prev) {
            break;
        }
        start = Some(s);
    }
    start
}

/// A line inside PowerShell's error record (`    + CategoryInfo : PermissionDenied: …`, the
/// `At …ps1:131 char:13` position): the record starts at the line above its position
/// (`Remove-Item : Cannot remove item …`).
fn powershell_record(mut back: Back, line: &[u8]) -> Option<usize> {
    if shapes::is_powershell_position(line) {
        return back.prev().map(|(start, _)| start);
    }
    if !shapes::is_powershell_record_line(line) {
        return None;
    }
    for _ in 0..12 {
        let (_, prev) = back.prev()?;
        if shapes::is_powershell_position(prev) {
            return back.prev().map(|(start, _)| start);
        }
        if !shapes::is_powershell_record_line(prev) {
            return None;
        }
    }
    None
}

/// Ninja's `FAILED: src/x.o` over the compiler's command line: a compiler's diagnostic
/// (`tls_client.cpp:9:10: fatal error: openssl/ssl.h: …`) starts at the build edge that failed.
fn ninja_edge(mut back: Back, line: &[u8]) -> Option<usize> {
    if !contains(line, b": fatal error: ") && !contains(line, b": error: ") {
        return None;
    }
    for _ in 0..3 {
        let (start, l) = back.prev()?;
        if trim_start(l).starts_with(b"FAILED: ") {
            return Some(start);
        }
    }
    None
}

/// slapd's `conn=1009 op=0 BIND dn=…` right above the `conn=1009 op=0 RESULT tag=97 err=49`
/// that refused it: the bind is where the failed login starts.
fn ldap_bind(mut back: Back, line: &[u8]) -> Option<usize> {
    let at = memchr::memmem::find(line, b" RESULT tag=97 ")?;
    let op_start = memchr::memmem::find(&line[..at], b"conn=")?;
    let op = &line[op_start..at];
    let (start, prev) = back.prev()?;
    let bind = [op, b" BIND ".as_slice()].concat();
    memchr::memmem::find(prev, &bind).map(|_| start)
}

/// Yarn's report lines of one code over the one that says what failed: the `➤ YN0028: │`
/// lockfile diff above `➤ YN0028: │ The lockfile would have been modified …`.
fn yarn_report(mut back: Back, line: &[u8]) -> Option<usize> {
    let code = yarn_code(line)?;
    let mut start = None;
    for _ in 0..MAX_GC_LINES {
        match back.prev() {
            Some((at, prev)) if yarn_code(prev) == Some(code) => start = Some(at),
            _ => break,
        }
    }
    start
}

/// The `YN0028` of a Yarn (berry) report line `➤ YN0028: │ …`; not the neutral `YN0000`.
fn yarn_code(l: &[u8]) -> Option<&[u8]> {
    let rest = trim_start(l).strip_prefix("➤ YN".as_bytes())?;
    let code = rest.get(..4)?;
    (code.iter().all(u8::is_ascii_digit) && code != b"0000" && rest.get(4) == Some(&b':'))
        .then_some(code)
}

/// `kubectl describe pod`'s `Last State: Terminated` over `Reason: OOMKilled`: the container
/// state the reason belongs to starts the report.
fn terminated_state(mut back: Back, line: &[u8]) -> Option<usize> {
    if !contains(line, b"Reason:") || !contains(line, b"OOMKilled") {
        return None;
    }
    let (start, prev) = back.prev()?;
    (contains(prev, b"State:") && contains(prev, b"Terminated")).then_some(start)
}

/// Loggers that write a record as a header over its indented message lines: .NET's console
/// logger (`info: Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler[1]`), Samba
/// (`[2026/11/24 09:41:07.552190,  0] ../../source3/smbd/smb2_service.c:772(make_connection_
/// snum)`) and `go test` (`    balance_test.go:88: ` over testify's `Error Trace:` block). A
/// failure named on one of those lines starts at the header.
fn dotnet_record(mut back: Back) -> Option<usize> {
    for _ in 0..MAX_RECORD_LINES {
        let (start, l) = back.prev()?;
        if is_dotnet_header(l) || is_location_header(l) || is_go_test_location(l) {
            return Some(start);
        }
        if !is_indented(l) {
            return None;
        }
    }
    None
}

/// Most lines a multi-line record puts between its header and the failure inside it.
const MAX_RECORD_LINES: usize = 30;

/// A bracketed time and debug level over nothing but the source place that wrote the record:
/// Samba's `[2026/11/24 09:41:07.552190,  0] ../../source3/smbd/smb2_service.c:772(make_
/// connection_snum)`.
fn is_location_header(l: &[u8]) -> bool {
    let t = l.trim_ascii_end();
    let Some(close) = t.iter().position(|&b| b == b']') else {
        return false;
    };
    let place = t[close + 1..].trim_ascii();
    let Some(colon) = place.iter().rposition(|&b| b == b':') else {
        return false;
    };
    let (file, rest) = (&place[..colon], &place[colon + 1..]);
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    t.starts_with(b"[")
        && !place.contains(&b' ')
        && file.contains(&b'.')
        && digits > 0
        && rest[digits..].starts_with(b"(")
        && rest.ends_with(b")")
}

/// `go test`'s place of a failed check, alone on its line over the report indented below it:
/// `    balance_test.go:88: `.
fn is_go_test_location(l: &[u8]) -> bool {
    let t = l.trim_ascii();
    let Some(body) = t.strip_suffix(b":") else {
        return false;
    };
    let Some(colon) = body.iter().rposition(|&b| b == b':') else {
        return false;
    };
    is_indented(l)
        && body[..colon].ends_with(b"_test.go")
        && !body[..colon].contains(&b' ')
        && body[colon + 1..].iter().all(u8::is_ascii_digit)
        && colon + 1 < body.len()
}

/// `info: Category.Name[14]`, `fail: …[0]`: a .NET console logger record's first line.
fn is_dotnet_header(l: &[u8]) -> bool {
    let t = l.trim_ascii_end();
    let level_ok = [
        &b"trce: "[..],
        b"dbug: ",
        b"info: ",
        b"warn: ",
        b"fail: ",
        b"crit: ",
    ]
    .iter()
    .any(|p| t.starts_with(p));
    let Some(open) = t.iter().rposition(|&b| b == b'[') else {
        return false;
    };
    level_ok
        && t.ends_with(b"]")
        && open > 6
        && !t[6..open].contains(&b' ')
        && t[open + 1..t.len() - 1].iter().all(u8::is_ascii_digit)
}

/// A line saying what failed and why (Moodle's `Scheduled task failed: Legacy cron processing
/// for plugins (…),Error reading from database`) right above the failure report that starts
/// with that reason (`Default exception handler: Error reading from database Debug: …`): the
/// report's first line.
fn said_failed_with(prev: &[u8], line: &[u8]) -> bool {
    let Some(at) = find(prev, b" failed: ") else {
        return false;
    };
    let said = &prev[at + 9..];
    let reason = said
        .iter()
        .rposition(|&b| b == b',' || b == b':')
        .map_or(said, |i| &said[i + 1..])
        .trim_ascii();
    reason.len() >= 12 && find(line, reason).is_some()
}

/// What could not be done, with no reason after it (Directus's `[06:00:03.137] ERROR: Can't
/// connect to the database.`, Strapi's `debug ⛔️ Server wasn't able to start properly.`): a
/// headline whose reason is the record below it (`ERROR: connect ECONNREFUSED …:5432`).
pub(crate) fn is_headline(l: &[u8]) -> bool {
    const SAID: [&[u8]; 8] = [
        b"can't ",
        b"cannot ",
        b"could not ",
        b"couldn't ",
        b"unable to ",
        b"wasn't able to ",
        b"was not able to ",
        b"failed to ",
    ];
    if l.len() > 400 {
        return false;
    }
    let lower = l.to_ascii_lowercase();
    let Some(after) = SAID.iter().find_map(|s| {
        find(&lower, s)
            .filter(|&i| i == 0 || !lower[i - 1].is_ascii_alphanumeric())
            .map(|i| i + s.len())
    }) else {
        return false;
    };
    let what = l[after..].trim_ascii_end();
    let what = what
        .strip_suffix(b".")
        .or_else(|| what.strip_suffix(b"!"))
        .unwrap_or(what);
    let words = what.split(|&b| b == b' ').filter(|w| !w.is_empty()).count();
    (1..=6).contains(&words)
        && what
            .iter()
            .all(|&b| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'-' | b'_' | b'\''))
}

/// A warning that says what the error below it says (Janus's `[WARN] [2508130578606045] ICE
/// failed for component 1 in stream 1, but let's give it some time...` over `[ERR]
/// [ice.c:janus_ice_check_failed:2065] [2508130578606045] ICE failed for component 1 in
/// stream 1...`): the failure was first logged as the warning. The error's message is its text
/// after its last bracket.
pub(crate) fn warned_the_same(prev: &[u8], line: &[u8]) -> bool {
    use crate::level::{Level, level};
    let head = &line[..line.len().min(300)];
    let Some(at) = rfind(head, b"] ") else {
        return false;
    };
    let said = &line[at + 2..];
    let said = &said[..said.len().min(32)];
    said.len() >= 24
        && contains(prev, said)
        && matches!(level(&String::from_utf8_lossy(prev)), Some(Level::Warn))
        && matches!(
            level(&String::from_utf8_lossy(line)),
            Some(Level::Error | Level::Fatal)
        )
}

/// A panic hook that logs the backtrace before the panic (Qdrant's `ERROR qdrant::startup:
/// Panic backtrace: `, its numbered frames, then `ERROR qdrant::startup: Panic occurred in
/// file src/actix/mod.rs at line 73: …`): the panic starts at the backtrace's heading.
fn backtrace_ahead(back: Back, line: &[u8]) -> Option<usize> {
    if !contains(line, b"Panic") && !contains(line, b"panic") {
        return None;
    }
    let mut back = back.skip_blank(1);
    for _ in 0..super::MAX_EVENT_LINES {
        let (start, l) = back.prev()?;
        if is_backtrace_heading(l) {
            return Some(start);
        }
        if !is_indented(l) {
            return None;
        }
    }
    None
}

/// Meson's lookup that failed (`Run-time dependency libsoup-3.0 found: NO (tried pkgconfig
/// and cmake)`), a blank line, then `meson.build:41:10: ERROR: Dependency "libsoup-3.0" not
/// found, …`: the failure starts at the lookup.
fn meson_lookup(back: Back, line: &[u8]) -> Option<usize> {
    let at = find(line, b"ERROR: Dependency \"")? + 19;
    let name = &line[at..at + memchr::memchr(b'"', &line[at..])?];
    let mut back = back.skip_blank(1);
    let (start, prev) = back.prev()?;
    let said = find(prev, b"ependency ")? + 10;
    (prev[said..].starts_with(name) && prev[said + name.len()..].starts_with(b" found: NO"))
        .then_some(start)
}

/// The heading of a backtrace logged ahead of its panic: `… Panic backtrace: `.
pub(crate) fn is_backtrace_heading(l: &[u8]) -> bool {
    l.trim_ascii_end().ends_with(b"Panic backtrace:")
}

/// Whether `prev` is the headline of the record `line` below it: written the same second.
/// (The cheap tests first: every failure's lead-in asks this of the line above it.)
fn heads(prev: &[u8], line: &[u8]) -> bool {
    same_second(prev, line) && starts_record(prev) && starts_record(line) && is_headline(prev)
}

/// Whether two lines start with the same time to the second: the bytes they share from their
/// start hold a `hh:mm:ss`.
fn same_second(a: &[u8], b: &[u8]) -> bool {
    let shared = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    a[..shared].windows(8).any(super::lines::is_clock)
}

/// A record whose message is empty, its text on the lines below (Moonraker's `2026-12-11
/// 09:02:13,689 [klippy_connection.py:_verify_klippy_requirements()] - ` over `Warning, unable
/// to detect the following printer objects:`): the record is where that text starts.
fn has_empty_message(prev: &[u8]) -> bool {
    starts_record(prev) && {
        let trimmed = prev.trim_ascii_end();
        trimmed.len() < prev.len() && (trimmed.ends_with(b" -") || trimmed.ends_with(b" |"))
    }
}

/// Gin's numbered error of a request (`Error #01: websocket: the client is not using the
/// websocket protocol: …`), written under the request's access record.
fn is_gin_error(line: &[u8]) -> bool {
    let rest = trim_start(line);
    rest.len() > 11
        && rest.starts_with(b"Error #")
        && rest[7..9].iter().all(u8::is_ascii_digit)
        && rest[9..11] == *b": "
}

/// Gin's access record of a request that failed (`2026-12-11T20:28:19Z | 400 |  211.498µs |
/// 192.0.2.15 | GET "/stream?token=…"`, `[GIN] 2026/12/11 - 20:28:19 | 500 | …`): the
/// request is where the failure under it starts.
fn is_failed_gin_request(prev: &[u8]) -> bool {
    let Some(at) = find(prev, b" | ") else {
        return false;
    };
    let status = trim_start(&prev[at + 3..]);
    status.len() > 5
        && matches!(status[0], b'4' | b'5')
        && status[1..3].iter().all(u8::is_ascii_digit)
        && status[3..].starts_with(b" | ")
}

/// Rails's `Completed 500 Internal Server Error in 25ms` record of the same request, right
/// above the empty record that opens its exception report: where that request's failure
/// shows first.
fn rails_completed(mut back: Back, empty: &[u8]) -> Option<usize> {
    let (start, l) = back.prev()?;
    let tag = |r: &'_ [u8]| {
        let at = rfind(r, b" -- : [")?;
        let tail = &r[at + 6..];
        Some(tail[..=memchr::memchr(b']', tail)?].to_vec())
    };
    let completed = find(l, b"] Completed 5").is_some();
    (completed && tag(l).is_some() && tag(l) == tag(empty)).then_some(start)
}

/// A WARN record of the same component right above a failure (Celery's `consumer:
/// Connection to broker lost. Trying to re-establish the connection...` over `consumer:
/// Cannot connect to redis://…`): the warning is where the incident showed first.
fn warned_first(prev: &[u8], line: &[u8]) -> bool {
    use crate::level::{Level, level};
    let component = |l: &[u8]| -> Option<Vec<u8>> {
        // A process that names its level in angle brackets after its tag (JuiceFS's
        // `juicefs[1876] <WARNING>: `): the tag.
        if let Some(at) = find(l, b"] <") {
            let open = l[..at].iter().rposition(|&b| b == b'[')?;
            let name_at = l[..open]
                .iter()
                .rposition(|&b| b == b' ')
                .map_or(0, |i| i + 1);
            return (open > name_at).then(|| l[name_at..=at].to_vec());
        }
        let body = &l[find(l, b"] ")? + 2..];
        let word = &body[..memchr::memchr(b' ', body)?];
        let name = word.strip_suffix(b":")?;
        (name.len() >= 3
            && name
                .iter()
                .all(|b| b.is_ascii_alphanumeric() || b"_-.".contains(b)))
        .then(|| word.to_vec())
    };
    starts_record(prev)
        && starts_record(line)
        && matches!(level(&String::from_utf8_lossy(prev)), Some(Level::Warn))
        && component(prev).is_some_and(|c| component(line) == Some(c))
}

/// Next.js's ` ⨯ ./node_modules/pkg/client.js:1:0` over `Module not found: …`: the file and
/// place the failing import is in, the report's first line.
fn is_marked_location(l: &[u8]) -> bool {
    let t = l.trim_ascii();
    let t = t.strip_prefix("⨯ ".as_bytes()).unwrap_or(t);
    let mut parts = t.rsplitn(3, |&b| b == b':');
    let (Some(col), Some(row), Some(path)) = (parts.next(), parts.next(), parts.next()) else {
        return false;
    };
    let number = |n: &[u8]| !n.is_empty() && n.iter().all(u8::is_ascii_digit);
    number(col) && number(row) && !path.contains(&b' ') && path.contains(&b'/')
}

/// sshd's `Failed password for …`, read behind its carrier (see [`super::carrier`]): the
/// lines before it in that view are the same process's.
fn is_failed_login(line: &[u8]) -> bool {
    line.starts_with(b"Failed password for ") || line.starts_with(b"Failed keyboard-interactive")
}

/// The PAM lines of the same login attempt above sshd's `Failed password`:
/// `pam_unix(sshd:auth): check pass; user unknown`, `…: authentication failure; … rhost=…`.
/// The attempt starts at the first of them.
fn same_login(mut back: Back) -> Option<usize> {
    let mut first = None;
    for _ in 0..3 {
        let Some((start, l)) = back.prev() else { break };
        if !l.starts_with(b"pam_unix(") || !contains(l, b":auth): ") {
            break;
        }
        first = Some(start);
    }
    first
}

/// Sidekiq's record of the job an exception was raised in (`WARN: {"context":"Job raised
/// exception","job":{…}}`), written right above the exception's own record.
fn is_job_context(prev: &[u8]) -> bool {
    const CONTEXT: &[u8] = br#"{"context":"Job raised exception""#;
    prev.windows(CONTEXT.len()).any(|w| w == CONTEXT)
}

/// A WARN/ERROR/FATAL record right above a bare exception line is the record that logged it
/// (`[WARN ][r.suppressed] path: /_bulk` over Elasticsearch's `CircuitBreakingException`);
/// so is a record at any level that reports a `FAILED` state (Flink's INFO `Job … reached
/// terminal state FAILED.` over the `JobInitializationException` that failed it).
fn logged_it(prev: &[u8]) -> bool {
    use crate::level::{Level, level};
    starts_record(prev)
        && (matches!(
            level(&String::from_utf8_lossy(prev)),
            Some(Level::Warn | Level::Error | Level::Fatal)
        ) || reports_failed_state(prev))
}

/// `FAILED` as a word of its own, upper case: a state a job, task or stage reached.
fn reports_failed_state(l: &[u8]) -> bool {
    memchr::memmem::find_iter(l, b"FAILED").any(|i| {
        let before = i.checked_sub(1).map(|j| l[j]);
        let after = l.get(i + 6).copied();
        before.is_none_or(|b| !b.is_ascii_alphanumeric() && b != b'_')
            && after.is_none_or(|b| !b.is_ascii_alphanumeric() && b != b'_')
    })
}

/// Lines a build tool or framework prints to announce the failure report below them (Rake's
/// `rake aborted!` over the exception, llama.cpp's `load_model: loading model '…'` over why it
/// could not, ComfyUI's `!!! Exception during processing !!!` over its traceback, Appwrite's
/// `[Job] (…) failed to run.` over the reason); no failure on their own.
pub(crate) fn is_announcement(l: &[u8]) -> bool {
    let t = trim_start(super::carrier::behind_carrier(l));
    t.starts_with(b"FAILURE: Build failed with an exception")
        || t.starts_with(b"Error starting ApplicationContext.")
        || is_minio_api(t)
        || is_plug_terminated(t)
        || contains(t, b"Error on AMQP connection <") && t.trim_ascii_end().ends_with(b":")
        || contains(t, b"ExecutionExceptionHandler] (main) ERROR: Failed to ")
        || is_pytest_collected_with_errors(t)
        || is_job_threw(t)
        || t.trim_ascii_end() == b"rake aborted!"
        || contains(t, b"load_model: loading model '")
        || contains(t, b"!!! Exception during processing !!!")
        || is_otp_application_exit(t)
        || t.starts_with(b"[Job] (") && t.trim_ascii_end().ends_with(b") failed to run.")
        || t.split(|&b| b == b':')
            .next()
            .is_some_and(|n| !n.is_empty() && n.iter().all(u8::is_ascii_digit))
            && contains(t, b": Task failed with an exception")
}

/// Erlang/OTP's `[notice] Application fz_http exited: FzHttp.Application.start(:normal, [])
/// returned an error: shutdown: failed to start child: …`, over the exception that says why.
fn is_otp_application_exit(t: &[u8]) -> bool {
    find(t, b"Application ").is_some_and(|at| {
        let rest = &t[at..];
        find(rest, b" exited: ").is_some() && find(rest, b" returned an error: ").is_some()
    })
}

/// TimescaleDB's `LOG:  job 1003 threw an error`, over the `ERROR:` record that says which.
fn is_job_threw(t: &[u8]) -> bool {
    let t = t.trim_ascii_end();
    t.ends_with(b" threw an error") && find(t, b"job ").is_some()
}

/// MinIO's `API: PutObject(bucket=…, object=…)`, heading the report of a failed call.
fn is_minio_api(t: &[u8]) -> bool {
    t.starts_with(b"API: ") && t.trim_ascii_end().ends_with(b")")
}

/// Plug/Phoenix's `[error] #PID<0.8812.0> running ShopWeb.Endpoint (…) terminated`, over the
/// request and the exception that ended it.
fn is_plug_terminated(t: &[u8]) -> bool {
    contains(t, b"#PID<")
        && contains(t, b" running ")
        && t.trim_ascii_end().ends_with(b" terminated")
}

/// pytest's `collected 118 items / 1 error` ahead of its ERRORS section.
fn is_pytest_collected_with_errors(t: &[u8]) -> bool {
    t.starts_with(b"collected ")
        && find(t, b" items / ").is_some()
        && (t.trim_ascii_end().ends_with(b" error") || t.trim_ascii_end().ends_with(b" errors"))
}

/// Gradle's `> Task :app:checkReleaseAarMetadata FAILED`: the task that failed, a line or two
/// above the build's failure report.
fn is_failed_task(l: &[u8]) -> bool {
    let t = l.trim_ascii_end();
    t.starts_with(b"> Task :") && t.ends_with(b" FAILED")
}

/// Gradle's report frame between its announcement and the failure: `* What went wrong:`,
/// a rule of dashes, `Execution failed for task …`, `> …` causes, blank lines.
fn is_report_frame(l: &[u8]) -> bool {
    let t = trim_start(l);
    t.is_empty()
        || t.starts_with(b"* What went wrong:")
        || t.starts_with(b"** (EXIT) ")
        || t.starts_with(b"Execution failed for task")
        || is_report_field(t)
        || t.starts_with(b"> ")
        || (t.len() >= 3 && t.iter().all(|&b| b == b'-'))
}

/// A field of a report between its heading and its error: Plug's `Server:` and `Request:`,
/// MinIO's `Time:`, `DeploymentID:`, `RequestID:`, `RemoteHost:`, `Host:`, `UserAgent:`.
fn is_report_field(t: &[u8]) -> bool {
    const FIELDS: [&[u8]; 8] = [
        b"Server: ",
        b"Request: ",
        b"Time: ",
        b"DeploymentID: ",
        b"RequestID: ",
        b"RemoteHost: ",
        b"Host: ",
        b"UserAgent: ",
    ];
    FIELDS.iter().any(|f| t.starts_with(f))
}

/// Gradle's `FAILURE: Build failed with an exception.` (or `2: Task failed with an
/// exception.`) and Spring's `Error starting ApplicationContext.` a few lines above the
/// failure, with only the report's frame between: where the announcement starts.
fn announcement(mut back: Back) -> Option<usize> {
    for _ in 0..8 {
        let (start, l) = back.prev()?;
        if is_announcement(l) {
            // The failed task above Gradle's announcement starts it; so does the first of a
            // chain of announcements (Keycloak's `ERROR: Failed to start server` over `ERROR:
            // Failed to obtain JDBC connection` over the cause).
            let mut start = start;
            let mut above = back;
            while let Some((s, _)) = above.prev().filter(|(_, l)| is_announcement(l)) {
                start = s;
                back = above;
            }
            let mut above = back.skip_blank(2);
            return match above.prev() {
                Some((task, l)) if is_failed_task(l) => Some(task),
                _ => Some(start),
            };
        }
        if !is_report_frame(l) {
            return None;
        }
    }
    None
}

/// Rails's exception report opens with an empty record of the same logger and request
/// (`F, [… #27] FATAL -- : [5f1d…]   `) before the one naming the exception.
fn is_empty_tagged_record(prev: &[u8], line: &[u8]) -> bool {
    let Some(tag_at) = rfind(prev, b" -- : [") else {
        return false;
    };
    let tail = prev[tag_at + 7..].trim_ascii_end();
    tail.ends_with(b"]")
        && !tail[..tail.len() - 1].contains(&b']')
        && line.len() > tag_at + 7
        && line[..2] == prev[..2]
        && line[tag_at..].starts_with(&prev[tag_at..tag_at + 7 + tail.len()])
}

/// A tagged Ruby Logger record with nothing after its tag (`F, [… #1] FATAL -- : [5f1d…]  `).
fn is_empty_tagged(l: &[u8]) -> bool {
    rfind(l, b" -- : [").is_some_and(|at| {
        let tail = l[at + 6..].trim_ascii_end();
        tail.ends_with(b"]") && !tail[..tail.len() - 1].contains(&b']')
    })
}

/// A cursor over the lines before a position, never before `floor`.
#[derive(Clone, Copy)]
struct Back<'a> {
    buf: &'a [u8],
    at: usize,
    floor: usize,
}

impl<'a> Back<'a> {
    /// The line before the cursor and its start, moving the cursor to it.
    fn prev(&mut self) -> Option<(usize, &'a [u8])> {
        if self.at == 0 || self.at <= self.floor {
            return None;
        }
        let s = line_start(self.buf, self.at - 1);
        if s < self.floor {
            return None;
        }
        self.at = s;
        Some((s, line_at(self.buf, s)))
    }

    /// The cursor moved back over up to `most` blank lines.
    fn skip_blank(mut self, most: usize) -> Back<'a> {
        for _ in 0..most {
            let mut peek = self;
            match peek.prev() {
                Some((_, l)) if l.trim_ascii().is_empty() => self = peek,
                _ => break,
            }
        }
        self
    }
}

/// A caret line, a source line, and above them a line `heads` accepts: that line's start.
fn source_block(mut back: Back, heads: fn(&[u8]) -> bool) -> Option<usize> {
    let (_, caret) = back.prev()?;
    if !is_caret_line(caret) {
        return None;
    }
    let (_, code) = back.prev()?;
    if code.trim_ascii().is_empty() {
        return None;
    }
    let (start, head) = back.prev()?;
    heads(head).then_some(start)
}

/// `    ^`, `  ^^^^^`, `     ~~~~^^^` — a pointer under the line above, nothing else.
fn is_caret_line(l: &[u8]) -> bool {
    let t = l.trim_ascii();
    t.contains(&b'^') && t.iter().all(|&b| matches!(b, b'^' | b'~' | b' '))
}

/// `node:internal/modules/cjs/loader:1080`, `/app/server.js:12`, `file:///app/a.mjs:3`,
/// `C:\app\index.js:7`: a script and a line number, alone on the line.
fn is_script_location(l: &[u8]) -> bool {
    let t = l.trim_ascii_end();
    let Some(colon) = t.iter().rposition(|&b| b == b':') else {
        return false;
    };
    let (path, number) = (&t[..colon], &t[colon + 1..]);
    if number.is_empty() || !number.iter().all(u8::is_ascii_digit) || path.contains(&b' ') {
        return false;
    }
    path.starts_with(b"node:")
        || [&b".js"[..], b".mjs", b".cjs", b".ts", b".jsx", b".tsx"]
            .iter()
            .any(|ext| path.ends_with(ext))
}

/// `  File "app.py", line 3` without the `, in function` a traceback frame has.
fn is_python_file_line(l: &[u8]) -> bool {
    let t = trim_start(l);
    t.starts_with(b"File \"") && !contains(t, b", in ")
}

/// `SyntaxError: …`, `IndentationError: …`, `TabError: …` at the line's start.
fn names_a_compile_error(l: &[u8]) -> bool {
    [&b"SyntaxError:"[..], b"IndentationError:", b"TabError:"]
        .iter()
        .any(|p| l.starts_with(p))
}

/// `Error: …`, `TypeError: …`, `Uncaught ReferenceError: …`: a JavaScript error's name
/// starting the line.
fn names_an_error(l: &[u8]) -> bool {
    let l = l.strip_prefix(b"Uncaught ").unwrap_or(l);
    let name_end = l
        .iter()
        .position(|&b| !b.is_ascii_alphanumeric() && b != b'_');
    match name_end {
        Some(n) if n > 0 => l[..n].ends_with(b"Error") && l[n..].starts_with(b":"),
        _ => false,
    }
}

/// V8's report ahead of `FATAL ERROR:`: its `<--- Last few GCs --->` line's start.
fn v8_report(mut back: Back) -> Option<usize> {
    for _ in 0..MAX_GC_LINES {
        let (start, l) = back.prev()?;
        let t = l.trim_ascii();
        if t == b"<--- Last few GCs --->" {
            return Some(start);
        }
        let part_of_it = t.is_empty()
            || t.starts_with(b"<---")
            || t.starts_with(b"[")
            || t.starts_with(b"==== ")
            || is_indented(l);
        if !part_of_it {
            return None;
        }
    }
    None
}

/// Oracle's alert log names the trace file ahead of the `ORA-` errors it holds:
/// `Errors in file /u01/app/oracle/diag/rdbms/orcl/ORCL/trace/ORCL_arc1_30214.trc:`.
fn is_trace_file_announcement(prev: &[u8]) -> bool {
    prev.starts_with(b"Errors in file ") && prev.trim_ascii_end().ends_with(b":")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The 1-based line `lead_start` returns for the failure on line `failure` (1-based).
    fn lead_line(text: &str, failure: usize) -> usize {
        let buf = text.as_bytes();
        let mut ls = 0;
        for _ in 1..failure {
            ls = super::super::line_end(buf, ls) + 1;
        }
        let start = lead_start(buf, ls, 0);
        1 + buf[..start].iter().filter(|&&b| b == b'\n').count()
    }

    #[test]
    fn a_header_naming_only_the_writing_place_starts_its_indented_message() {
        // Samba: the time, the debug level and the source place, then the message indented.
        let samba = "[2026/11/24 09:41:07.552190,  0] ../../source3/smbd/smb2_service.c:772(make_connection_snum)\n  make_connection_snum: canonicalize_connect_path failed for service projects, path /srv/samba/projects\n";
        assert_eq!(lead_line(samba, 2), 1);
        // `go test`: the place of the failed check over testify's report.
        let go = "=== RUN   TestBalance\n    balance_test.go:88: \n        \tError Trace:\t/src/balance_test.go:88\n        \tError:      \tNot equal: \n";
        assert_eq!(lead_line(go, 3), 2);
        // A header with words after the place is a record of its own, not a heading.
        let text = "[2026/11/24 09:41:07.552190,  0] smb2_service.c:772(make_connection_snum) ready\n  connect_path failed for service x\n";
        assert_eq!(lead_line(text, 2), 2);
        // Nor is a test file's place with a message on its line.
        let text = "    balance_test.go:88: expected 4250\n        \tError Trace:\tx\n";
        assert_eq!(lead_line(text, 2), 2);
    }

    #[test]
    fn a_headline_without_its_reason_starts_the_record_of_the_same_second_below() {
        let strapi = "Starting your app...\n[2026-12-07T06:00:14.402Z] debug ⛔️ Server wasn't able to start properly.\n[2026-12-07T06:00:14.404Z] error Error: connect ETIMEDOUT\n";
        assert_eq!(lead_line(strapi, 3), 2);
        let directus = "[06:00:03.137] ERROR: Can't connect to the database.\n[06:00:03.137] ERROR: connect ECONNREFUSED 198.51.100.31:5432\n";
        assert_eq!(lead_line(directus, 2), 1);
        // A failure ten seconds later is another attempt, not what the line above headed.
        let telegraf = "2026-11-21T11:14:50Z E! [agent] Error writing to outputs.influxdb: could not write any address\n2026-11-21T11:15:00Z E! [outputs.influxdb] When writing to [http://192.0.2.40:8086]: failed doing req: connection refused\n";
        assert_eq!(lead_line(telegraf, 2), 2);
        // A line that gives its reason is no headline.
        assert!(!is_headline(
            b"ERROR: Can't connect to the database: connection refused"
        ));
        assert!(!is_headline(
            b"[06:00:03] INFO: unable to find the cached copy of x (it is rebuilt at start)"
        ));
        assert!(is_headline(
            b"[06:00:03] ERROR: Failed to obtain JDBC connection"
        ));
    }

    #[test]
    fn a_meson_dependency_error_starts_at_the_lookup_that_failed() {
        let meson = "Found CMake: /usr/local/bin/cmake (3.31.3)\nRun-time dependency libsoup-3.0 found: NO (tried pkgconfig and cmake)\n\nmeson.build:41:10: ERROR: Dependency \"libsoup-3.0\" not found, tried pkgconfig and cmake\n";
        assert_eq!(lead_line(meson, 4), 2);
        let other = "Run-time dependency glib-2.0 found: NO\n\nmeson.build:41:10: ERROR: Dependency \"libsoup-3.0\" not found\n";
        assert_eq!(lead_line(other, 3), 3);
    }

    #[test]
    fn node_crash_header_starts_the_incident() {
        let text = "[nodemon] starting `node server.js`\nnode:internal/modules/cjs/loader:1080\n  throw err;\n  ^\n\nError: Cannot find module 'express'\nRequire stack:\n";
        assert_eq!(lead_line(text, 6), 2);
        // The app's own file, and a TypeError thrown from it.
        let text = "/app/server.js:12\n    user.name.trim();\n              ^\n\nTypeError: Cannot read properties of undefined (reading 'trim')\n";
        assert_eq!(lead_line(text, 5), 1);
        // No location line above the caret: nothing to add.
        let text = "INFO x\n  throw err;\n  ^\n\nError: boom\n";
        assert_eq!(lead_line(text, 5), 5);
    }

    #[test]
    fn a_report_s_heading_starts_the_incident() {
        // Ninja's failed edge over the compiler's command and its diagnostic.
        let text = "[3/9] Building CXX object a.o\nFAILED: src/tls.o \n/usr/bin/c++ -c src/tls.cpp\nsrc/tls.cpp:9:10: fatal error: openssl/ssl.h: No such file or directory\n";
        assert_eq!(lead_line(text, 4), 2);
        // `kubectl describe`'s container state over its reason.
        let text = "    Last State:     Terminated\n      Reason:       OOMKilled\n";
        assert_eq!(lead_line(text, 2), 1);
        // MinIO's call, its fields, then the error (through the journal).
        let text = "Dec 07 14:22:08 s3 minio[1]: API: PutObject(bucket=a, object=b)\nDec 07 14:22:08 s3 minio[1]: Time: 14:22:08 UTC 12/07/2026\nDec 07 14:22:08 s3 minio[1]: RequestID: 17F0\nDec 07 14:22:08 s3 minio[1]: Error: dstVolume: a - error drive path full (*errors.errorString)\n";
        assert_eq!(lead_line(text, 4), 1);
        // Plug's terminated request over the exception.
        let text = "10:41:12.562 [error] #PID<0.88.0> running Web.Endpoint (connection #PID<0.8.0>, stream id 3) terminated\nServer: shop.example.com:443 (https)\nRequest: GET /api/orders/1\n** (exit) an exception was raised:\n    ** (KeyError) key :id not found in: nil\n";
        assert_eq!(lead_line(text, 4), 1);
        // RabbitMQ's connection error heading the reason, and Keycloak's chain of causes.
        let text = "2026-11-25 09:15:02.318842+00:00 [error] <0.1.0> Error on AMQP connection <0.1.0> (192.0.2.5:4 -> 192.0.2.1:5672, state: starting):\n2026-11-25 09:15:02.318842+00:00 [error] <0.1.0> PLAIN login refused: user 'o' - invalid credentials\n";
        assert_eq!(lead_line(text, 2), 1);
        let text = "2026-11-29 06:01:05,102 ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (main) ERROR: Failed to start server in (production) mode\n2026-11-29 06:01:05,103 ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (main) ERROR: Failed to obtain JDBC connection\n2026-11-29 06:01:05,103 ERROR [org.keycloak.quarkus.runtime.cli.ExecutionExceptionHandler] (main) ERROR: Acquisition timeout while waiting for new connection\n";
        assert_eq!(lead_line(text, 3), 1);
        // A field line with no heading above it leads nowhere.
        let text = "Host: a\nError: boom\n";
        assert_eq!(lead_line(text, 2), 2);
    }

    #[test]
    fn a_sidekiq_job_exception_starts_at_its_job_context() {
        let text = "2026-05-06T06:08:42.409Z pid=7 tid=2m9 class=WebhookDeliveryJob jid=c4f1 elapsed=60.108 INFO: fail\n2026-05-06T06:08:42.410Z pid=7 tid=2m9 WARN: {\"context\":\"Job raised exception\",\"job\":{\"retry\":5,\"queue\":\"webhooks\"}}\n2026-05-06T06:08:42.410Z pid=7 tid=2m9 WARN: Net::ReadTimeout: Net::ReadTimeout with #<TCPSocket:(closed)>\n";
        assert_eq!(lead_line(text, 3), 2);
        // Another record above the exception is not its job.
        let text = "2026-05-06T06:08:42.409Z pid=7 tid=2m9 INFO: start\n2026-05-06T06:08:42.410Z pid=7 tid=2m9 WARN: Net::ReadTimeout: Net::ReadTimeout with #<TCPSocket:(closed)>\n";
        assert_eq!(lead_line(text, 2), 2);
    }

    #[test]
    fn python_syntax_error_block_starts_at_its_file_line() {
        let text = "$ python app.py\n  File \"/srv/app.py\", line 3\n    print \"hi\"\n    ^^^^^^^^^^\nSyntaxError: Missing parentheses in call to 'print'. Did you mean print(...)?\n";
        assert_eq!(lead_line(text, 5), 2);
        let text =
            "  File \"a.py\", line 2\n    return\n    ^\nIndentationError: unexpected indent\n";
        assert_eq!(lead_line(text, 4), 1);
    }

    #[test]
    fn v8_out_of_memory_report_starts_at_its_gc_lines() {
        let text = "[nodemon] starting `node build.js`\n<--- Last few GCs --->\n\n[74824:0000029387BF5000]  6436885 ms: Mark-Compact 4086.1 (4124.5) -> 4086.0 (4139.7) MB\n\n<--- JS stacktrace --->\n\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n";
        assert_eq!(lead_line(text, 8), 2);
        // Without the report's first line, the failure's own line starts it.
        let text = "INFO building\n\nFATAL ERROR: Reached heap limit Allocation failed - JavaScript heap out of memory\n";
        assert_eq!(lead_line(text, 3), 3);
    }

    #[test]
    fn a_record_s_header_or_the_line_it_printed_first_starts_the_incident() {
        // .NET: the console logger's header over the indented message with the exception.
        let text = "info: Microsoft.Hosting.Lifetime[0]\n      Content root path: /app\ninfo: Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler[1]\n      Failed to validate the token eyJ.\n      Microsoft.IdentityModel.Tokens.SecurityTokenExpiredException: IDX10223: Lifetime validation failed.\n";
        assert_eq!(lead_line(text, 4), 3);
        assert_eq!(lead_line(text, 5), 3);
        // Rails: the request's `Completed 500` over the report's empty record.
        let text = "I, [2019-05-18T14:48:53.547801 #1]  INFO -- : [67c3] Completed 500 Internal Server Error in 25ms\nF, [2019-05-18T14:48:53.547843 #1] FATAL -- : [67c3]   \nF, [2019-05-18T14:48:53.547875 #1] FATAL -- : [67c3] ActionView::Template::Error (undefined method `name' for nil:NilClass):\n";
        assert_eq!(lead_line(text, 3), 1);
        assert_eq!(lead_line(text, 2), 1);
        // Another request's `Completed 500` is not this one's.
        let other = text.replacen("[67c3] Completed", "[9a9a] Completed", 1);
        assert_eq!(lead_line(&other, 3), 2);
        // Gradle: the failed task above the announcement.
        let text = "> Task :app:checkReleaseAarMetadata FAILED\n\nFAILURE: Build failed with an exception.\n\n* What went wrong:\nExecution failed for task ':app:checkReleaseAarMetadata'.\n";
        assert_eq!(lead_line(text, 6), 1);
        // Celery: the same component's warning right above.
        let text = "[2024-04-02 06:31:55,212: WARNING/MainProcess] consumer: Connection to broker lost. Trying to re-establish the connection...\n[2024-04-02 06:31:55,230: ERROR/MainProcess] consumer: Cannot connect to redis://redis:6379/0: Error 111 connecting to redis:6379. Connection refused..\n";
        assert_eq!(lead_line(text, 2), 1);
        let text = "[2024-04-02 06:31:55,212: WARNING/MainProcess] beat: Connection to broker lost.\n[2024-04-02 06:31:55,230: ERROR/MainProcess] consumer: Cannot connect to redis://redis:6379/0\n";
        assert_eq!(lead_line(text, 2), 2);
        // Next.js: the marked file and place over `Module not found`.
        let text = " ○ Compiling /catalogue ...\n ⨯ ./node_modules/next-stripe/client.js:1:0\nModule not found: Can't resolve './dist/client'\n";
        assert_eq!(lead_line(text, 3), 2);
        // sshd: the PAM lines of the same attempt, not another process's.
        let text = "Nov 20 02:11:09 web-3 sshd[40131]: pam_unix(sshd:auth): check pass; user unknown\nNov 20 02:11:09 web-3 sshd[40131]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=192.0.2.77\nNov 20 02:11:11 web-3 sshd[40131]: Failed password for invalid user admin from 192.0.2.77 port 41230 ssh2\n";
        assert_eq!(lead_line(text, 3), 1);
        let other = text.replace("sshd[40131]: Failed", "sshd[40999]: Failed");
        assert_eq!(lead_line(&other, 3), 3);
        // Flink: the INFO record of the state the exception put the job in.
        let text = "2026-11-21 09:30:02,402 INFO  org.apache.flink.runtime.dispatcher.StandaloneDispatcher     [] - Job 71b4 reached terminal state FAILED.\norg.apache.flink.runtime.client.JobInitializationException: Could not start the JobMaster.\n";
        assert_eq!(lead_line(text, 2), 1);
        let text = text.replace("state FAILED.", "state FINISHED.");
        assert_eq!(lead_line(&text, 2), 2);
        // slapd: the bind the refusal answers.
        let text = "Nov 18 09:12:44 ldap01 slapd[1123]: conn=1009 fd=14 ACCEPT from IP=192.0.2.44:46050 (IP=0.0.0.0:389)\nNov 18 09:12:44 ldap01 slapd[1123]: conn=1009 op=0 BIND dn=\"cn=readonly,dc=example,dc=org\" method=128\nNov 18 09:12:44 ldap01 slapd[1123]: conn=1009 op=0 RESULT tag=97 err=49 qtime=0.000010 etime=0.000167 text=\n";
        assert_eq!(lead_line(text, 3), 2);
        // Yarn: the lockfile diff of the same code over the refusal.
        let text = "➤ YN0000: ┌ Post-resolution validation\n➤ YN0028: │ -\"left-pad@npm:^1.0.0\":\n➤ YN0028: │ +\"left-pad@npm:^1.1.0\":\n➤ YN0028: │ The lockfile would have been modified by this install, which is explicitly forbidden.\n";
        assert_eq!(lead_line(text, 4), 2);
        // Oracle: the trace file named over the errors it holds.
        let text = "2026-11-23T14:22:07.551402+00:00\nErrors in file /u01/app/oracle/diag/rdbms/orcl/ORCL/trace/ORCL_arc1_30214.trc:\nORA-19809: limit exceeded for recovery files\n";
        assert_eq!(lead_line(text, 3), 2);
    }

    #[test]
    fn never_walks_back_past_the_floor() {
        let text = "node:internal/modules/cjs/loader:1080\n  throw err;\n  ^\n\nError: Cannot find module 'x'\n";
        let buf = text.as_bytes();
        let ls = text.find("Error:").expect("the failure line");
        assert_eq!(lead_start(buf, ls, 10), ls);
        assert_eq!(lead_start(buf, ls, 0), 0);
    }
}

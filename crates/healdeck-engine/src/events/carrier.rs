//! Carriers: a prefix a transport writes on every line of what a program printed — the
//! journal's or syslog's `Feb 11 14:02:24 app03 java[48213]: `, the GitHub Actions runner's
//! `2026-10-07T16:40:16.2203611Z `, BuildKit's step and seconds `#8 96.41 `. A traceback, a Java stack or Spring's failure report
//! written through one is the same event as without it: event assembly and lead-ins read the
//! lines that carry the failure line's carrier with it taken off (a copy of those lines only,
//! so the line numbers stay as they are), and map what they find back to the buffer.

use super::{line_at, line_end, line_start};

/// Most lines copied to look at an event through its carrier (a longer event is cut there).
const MOST_LINES: usize = 2000;

/// The carrier a line starts with: its length, and what must be the same on the next lines
/// (the syslog tag `java[48213]: `; nothing more for the runner's time, which changes).
pub(super) fn carrier(l: &[u8]) -> Option<(usize, &[u8])> {
    if is_runner_time(l) {
        return Some((RUNNER_TIME_LEN, b""));
    }
    if let Some((len, bar)) = compose_prefix(l) {
        return Some((len + utc_time_len(&l[len..]), &l[..bar]));
    }
    if let Some(len) = level_time_place(l) {
        return Some((len, &l[..len]));
    }
    // BuildKit's `#8 96.41 `: the step's number stays, its seconds go on.
    if l.first() == Some(&b'#') {
        let len = super::lines::step_prefix_len(l);
        let step = l.iter().position(|&b| b == b' ').map_or(0, |i| i + 1);
        if len > 0 && step > 0 && step < len {
            return Some((len, &l[..step]));
        }
    }
    let (tag, rest) = super::lines::syslog_body(l)?;
    Some((l.len() - rest.len(), tag))
}

/// `rocketchat-1  | `: the service and replica `docker compose logs` writes before each line
/// of a container's output, padded to the longest name (`name_1  | ` before Compose v2; a
/// container named in the Compose file has no replica: `sonarqube     | `): its
/// length, and where its bar ends. The prefix up to the bar, padding included, is the same on
/// every line of one container (an empty line of its output may end at the bar).
fn compose_prefix(l: &[u8]) -> Option<(usize, usize)> {
    let name = l
        .iter()
        .position(|&b| !(b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.')))?;
    let service = &l[..name];
    let digits = service
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_digit())
        .count();
    // A container named in the Compose file (`container_name: sonarqube`, `yb-master-n1`) has
    // no replica number.
    let replica = digits > 0
        && service
            .len()
            .checked_sub(digits + 1)
            .is_some_and(|sep| sep > 0 && matches!(service[sep], b'-' | b'_'));
    let named = !replica && service.len() >= 5;
    if !replica && !named {
        return None;
    }
    if service.is_empty() || !service[0].is_ascii_alphabetic() {
        return None;
    }
    let spaces = l[name..].iter().take_while(|&&b| b == b' ').count();
    let bar = name + spaces;
    // Compose pads names to the longest and a space: a plain word (vitest's
    // `stdout | src/x.test.ts > …`) is a container's name behind two spaces at least, one
    // written like a container's (`yb-tserver-n1 | `, the longest of its file) behind one.
    let like_a_container = service
        .iter()
        .any(|b| b.is_ascii_digit() || matches!(b, b'-' | b'_'));
    let padded = if named && !like_a_container {
        spaces >= 2
    } else {
        spaces > 0
    };
    (padded && l.get(bar) == Some(&b'|')).then(|| match l.get(bar + 1) {
        Some(b' ') => (bar + 2, bar + 1),
        _ => (bar + 1, bar + 1),
    })
}

/// `ERROR 04-09 05:39:54 [core.py:390] `: a record's level, time and place, which vLLM's
/// logger repeats on every line of a message it logs (a traceback, line by line): its length.
/// Only lines with the very same prefix carry it on (the tag is the whole prefix).
fn level_time_place(l: &[u8]) -> Option<usize> {
    const LEVELS: [&[u8]; 5] = [b"ERROR ", b"WARNING ", b"CRITICAL ", b"INFO ", b"DEBUG "];
    let level = LEVELS.iter().find(|w| l.starts_with(w))?.len();
    let t = &l[level..];
    let digits =
        |r: std::ops::Range<usize>| t.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let timed = digits(0..2)
        && t.get(2) == Some(&b'-')
        && digits(3..5)
        && t.get(5) == Some(&b' ')
        && digits(6..8)
        && t.get(8) == Some(&b':')
        && digits(9..11)
        && t.get(11) == Some(&b':')
        && digits(12..14)
        && t.get(14..16) == Some(b" [");
    if !timed {
        return None;
    }
    let close = t[16..].iter().position(|&b| b == b']')? + 16;
    let place = &t[16..close];
    let colon = place.iter().rposition(|&b| b == b':')?;
    let line_no = &place[colon + 1..];
    (colon > 0
        && !line_no.is_empty()
        && line_no.iter().all(u8::is_ascii_digit)
        && !place.contains(&b' ')
        && t.get(close + 1) == Some(&b' '))
    .then_some(level + close + 2)
}

/// The length of a UTC time in RFC 3339 and the space after it (`2026-12-18T08:22:02.201837519Z
/// `, up to nine decimals), or 0. `docker compose logs -t` writes one after its prefix (trailing
/// zeros dropped): it is the transport's, like the prefix, and a stack's frames come behind it.
/// The GitHub Actions runner's is the one with seven decimals.
fn utc_time_len(rest: &[u8]) -> usize {
    let digits = |r: std::ops::Range<usize>| rest[r].iter().all(u8::is_ascii_digit);
    let stamped = rest.len() > 21
        && digits(0..4)
        && rest[4] == b'-'
        && digits(5..7)
        && rest[7] == b'-'
        && digits(8..10)
        && rest[10] == b'T'
        && super::lines::is_clock(&rest[11..19]);
    if !stamped {
        return 0;
    }
    let decimals = match rest[19] {
        b'.' => rest[20..]
            .iter()
            .take(10)
            .take_while(|b| b.is_ascii_digit())
            .count(),
        _ => 0,
    };
    let end = 19 + if decimals > 0 { decimals + 1 } else { 0 };
    if (decimals > 9) || rest.get(end..end + 2) != Some(b"Z ") {
        return 0;
    }
    end + 2
}

/// `2026-10-07T16:40:16.2203611Z `: the GitHub Actions runner's time (seven decimals, UTC).
const RUNNER_TIME_LEN: usize = 29;

fn is_runner_time(l: &[u8]) -> bool {
    utc_time_len(l) == RUNNER_TIME_LEN
}

/// A line with a `docker compose logs` prefix taken off (the line itself when it has none):
/// what the container wrote, as its rules and levels read it.
pub(crate) fn behind_compose_prefix(l: &[u8]) -> &[u8] {
    compose_prefix(l).map_or(l, |(len, _)| &l[len..])
}

/// A line with the carrier taken off (the line itself when it has none).
pub(crate) fn behind_carrier(l: &[u8]) -> &[u8] {
    carrier(l).map_or(l, |(len, _)| &l[len..])
}

/// Whether `l` carries the carrier `tag` came with (see [`carrier`]). An empty message of the
/// same process (`Nov 28 03:15:31 web03 chef-client[2211]:`, the journal's blank line, with no
/// space after the tag) carries it too, as a blank line.
fn same_carrier(l: &[u8], tag: &[u8]) -> Option<usize> {
    carrier(l)
        .filter(|(_, t)| *t == tag)
        .map(|(len, _)| len)
        .or_else(|| {
            let bare = tag.strip_suffix(b" ")?;
            let t = l.trim_ascii_end();
            (t.ends_with(bare)
                && t[..t.len() - bare.len()].ends_with(b" ")
                && super::lines::starts_record(l))
            .then_some(l.len())
        })
}

/// Lines copied with their carrier taken off, and where each began in the buffer.
pub(super) struct Carried {
    pub(super) text: Vec<u8>,
    /// The buffer offset of each copied line's start, and after them the offset just past
    /// the last one's newline.
    origin: Vec<usize>,
    /// The copy's offset of each copied line's start.
    at: Vec<usize>,
}

impl Carried {
    fn new() -> Carried {
        Carried {
            text: Vec::new(),
            origin: Vec::new(),
            at: Vec::new(),
        }
    }

    fn push(&mut self, buf: &[u8], s: usize, carrier_len: usize) {
        let l = line_at(buf, s);
        self.at.push(self.text.len());
        self.origin.push(s);
        self.text.extend_from_slice(&l[carrier_len.min(l.len())..]);
        self.text.push(b'\n');
    }

    /// How many lines were copied.
    pub(super) fn lines(&self) -> usize {
        self.at.len()
    }

    /// The buffer offset of copied line `i`'s start (`i` = the count: just past the last).
    pub(super) fn origin(&self, i: usize) -> usize {
        self.origin[i]
    }

    /// The copied line an offset in the copy lies on.
    pub(super) fn line_of(&self, offset: usize) -> usize {
        self.at.partition_point(|&a| a <= offset).saturating_sub(1)
    }

    /// The copy's offset of copied line `i`'s start.
    pub(super) fn at(&self, i: usize) -> usize {
        self.at[i]
    }
}

/// The lines from the one at `start` on that carry its carrier, up to `most` of them —
/// `None` when the line has no carrier or the next line does not carry the same (the line
/// then reads as it is: an indented continuation without the prefix stays with it).
pub(super) fn forward(buf: &[u8], start: usize, most: usize) -> Option<Carried> {
    let (len, tag) = carrier(line_at(buf, start))?;
    let next = line_end(buf, start) + 1;
    if next >= buf.len() || same_carrier(line_at(buf, next), tag).is_none() {
        return None;
    }
    let mut carried = Carried::new();
    carried.push(buf, start, len);
    let mut s = next;
    while s < buf.len() && carried.lines() < most.min(MOST_LINES) {
        let Some(len) = same_carrier(line_at(buf, s), tag) else {
            break;
        };
        carried.push(buf, s, len);
        s = line_end(buf, s) + 1;
    }
    carried.origin.push(s.min(buf.len()));
    Some(carried)
}

/// The lines before the one at `ls` (not before `floor`, at most `most`) that carry its
/// carrier, and that line — `None` when it has none or the line before does not carry it.
pub(super) fn backward(buf: &[u8], ls: usize, floor: usize, most: usize) -> Option<Carried> {
    let (len, tag) = carrier(line_at(buf, ls))?;
    let mut starts = vec![(ls, len)];
    let mut s = ls;
    while s > floor && s > 0 && starts.len() <= most {
        let prev = line_start(buf, s - 1);
        if prev < floor {
            break;
        }
        let Some(len) = same_carrier(line_at(buf, prev), tag) else {
            break;
        };
        starts.push((prev, len));
        s = prev;
    }
    if starts.len() == 1 {
        return None;
    }
    let mut carried = Carried::new();
    for &(s, len) in starts.iter().rev() {
        carried.push(buf, s, len);
    }
    carried.origin.push(line_end(buf, ls) + 1);
    Some(carried)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn journal_and_runner_prefixes_are_carriers() {
        let j = b"Feb 11 14:02:24 app03 java[48213]: APPLICATION FAILED TO START";
        assert_eq!(behind_carrier(j), b"APPLICATION FAILED TO START");
        let a = b"2026-10-07T16:40:16.2209130Z E   ModuleNotFoundError: No module named 'yaml'";
        assert_eq!(
            behind_carrier(a),
            b"E   ModuleNotFoundError: No module named 'yaml'"
        );
        // `docker compose logs` names the container before each line.
        let c = b"rocketchat-1  | MongoServerSelectionError: Server selection timed out";
        assert_eq!(
            behind_carrier(c),
            b"MongoServerSelectionError: Server selection timed out"
        );
        assert_eq!(behind_carrier(b"ldap_1 |"), b"");
        // A container named in the Compose file has no replica number, and is padded.
        let named = b"sonarqube     | java.lang.IllegalStateException: Fail to connect to database";
        assert_eq!(
            behind_carrier(named),
            b"java.lang.IllegalStateException: Fail to connect to database"
        );
        // A short name without a replica number, one space only (vitest's `stdout | `), or
        // no space before the bar is no prefix.
        for plain in [
            &b"web  | GET /"[..],
            b"web-1| GET /",
            b"2024-01-01 | x",
            b"stdout | src/lib/logger.test.ts > logger > serialises an Error with its stack",
        ] {
            assert_eq!(behind_carrier(plain), plain);
        }
        // An ISO time of another shape is a record's own, no carrier.
        let own = b"2026-10-07T16:40:16.220Z ERROR boom";
        assert_eq!(behind_carrier(own), own);
    }

    #[test]
    fn lines_of_the_same_process_are_copied_behind_their_carrier() {
        let text = "Feb 11 14:02:24 h java[1]: Description:\nFeb 11 14:02:24 h java[1]: Web server failed to start.\nFeb 11 14:02:24 h systemd[1]: x.service: Failed\n";
        let c = forward(text.as_bytes(), 0, 100).expect("carried");
        assert_eq!(c.text, b"Description:\nWeb server failed to start.\n");
        assert_eq!(
            c.origin(2),
            text.find("Feb 11 14:02:24 h systemd").unwrap_or(0)
        );
        let last = text.find("Feb 11 14:02:24 h java[1]: Web").unwrap_or(0);
        let c = backward(text.as_bytes(), last, 0, 10).expect("carried");
        assert_eq!(c.lines(), 2);
        assert_eq!(c.line_of(c.at(1)), 1);
        // The journal's blank line of the same process is a blank line of the event.
        let blank = "Nov 28 03:15:31 web03 chef-client[2211]: Errno::ENOSPC\nNov 28 03:15:31 web03 chef-client[2211]:\nNov 28 03:15:31 web03 chef-client[2211]: No space left on device\n";
        let c = forward(blank.as_bytes(), 0, 10).expect("carried");
        assert_eq!(c.text, b"Errno::ENOSPC\n\nNo space left on device\n");
        // A line whose next line has no carrier reads as it is.
        assert!(forward(b"Feb 11 14:02:24 h kernel[0]: x\n   more\n", 0, 10).is_none());
    }
}

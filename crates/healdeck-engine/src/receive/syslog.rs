//! Syslog messages as records: RFC 5424 (`<165>1 2003-10-11T22:14:15.003Z host app 42 ID47
//! [sd@1 a="b"] message`) and the older BSD form of RFC 3164 (`<34>Oct 11 22:14:15 host
//! su[42]: message`), as senders really write them — a missing host, a tag without a PID, a
//! byte-order mark, structured data with escaped brackets. What is not syslog at all is kept
//! as the message of a record from the sending address, never dropped.

use crate::remote::record::{Record, iso_micros};

/// The `<PRI>` at the start: (severity 0–7, rest).
fn priority(msg: &str) -> Option<(u8, &str)> {
    let rest = msg.strip_prefix('<')?;
    let end = rest.find('>')?;
    if end == 0 || end > 3 {
        return None;
    }
    let pri: u16 = rest[..end].parse().ok()?;
    (pri <= 191).then_some(((pri % 8) as u8, &rest[end + 1..]))
}

/// Splits off the next space-separated field.
fn field(s: &str) -> Option<(&str, &str)> {
    let (f, rest) = s.split_once(' ').unwrap_or((s, ""));
    (!f.is_empty()).then_some((f, rest))
}

/// Skips RFC 5424 structured data (`-` or `[id k="v"]…`), honouring `\]` and quotes.
fn skip_structured_data(s: &str) -> Option<&str> {
    if let Some(rest) = s.strip_prefix('-') {
        return Some(rest.strip_prefix(' ').unwrap_or(rest));
    }
    let bytes = s.as_bytes();
    let mut i = 0;
    while bytes.get(i) == Some(&b'[') {
        let mut quoted = false;
        i += 1;
        loop {
            match bytes.get(i)? {
                b'\\' => i += 1,
                b'"' => quoted = !quoted,
                b']' if !quoted => break,
                _ => {}
            }
            i += 1;
        }
        i += 1;
    }
    let rest = &s[i..];
    Some(rest.strip_prefix(' ').unwrap_or(rest))
}

fn nil(field: &str) -> &str {
    if field == "-" { "" } else { field }
}

fn rfc5424(severity: u8, rest: &str, peer: &str, now: u64) -> Option<Record> {
    let rest = rest.strip_prefix("1 ")?;
    let (stamp, rest) = field(rest)?;
    let (host, rest) = field(rest)?;
    let (app, rest) = field(rest)?;
    let (pid, rest) = field(rest)?;
    let (_msgid, rest) = field(rest)?;
    let text = skip_structured_data(rest)?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    Some(Record {
        at_micros: now,
        stamp: if stamp == "-" {
            iso_micros(now)
        } else {
            stamp.to_string()
        },
        host: host_name(nil(host), peer),
        name: if nil(app).is_empty() { "syslog" } else { app }.to_string(),
        pid: nil(pid).to_string(),
        severity: Some(severity),
        text: text.to_string(),
    })
}

const MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];

/// `Oct 11 22:14:15` (day padded with a space or not), and the rest.
fn bsd_stamp(s: &str) -> Option<(&str, &str)> {
    let month = s.get(..3)?;
    if !MONTHS.contains(&month) || s.as_bytes().get(3) != Some(&b' ') {
        return None;
    }
    let after = s[4..].trim_start_matches(' ');
    let day_len = after.find(' ')?;
    let time = after.get(day_len + 1..day_len + 9)?;
    let ok = after[..day_len].bytes().all(|b| b.is_ascii_digit())
        && time.len() == 8
        && time.bytes().enumerate().all(|(i, b)| {
            if i == 2 || i == 5 {
                b == b':'
            } else {
                b.is_ascii_digit()
            }
        });
    if !ok {
        return None;
    }
    let end = s.len() - after.len() + day_len + 9;
    Some((&s[..end], s[end..].strip_prefix(' ').unwrap_or(&s[end..])))
}

/// `tag[pid]: ` or `tag: ` at the start of a BSD message: (tag, pid, rest).
fn bsd_tag(s: &str) -> Option<(&str, &str, &str)> {
    let colon = s.find(": ").or_else(|| s.strip_suffix(':').map(str::len))?;
    let tag = &s[..colon];
    if tag.is_empty() || tag.len() > 64 || tag.contains(' ') {
        return None;
    }
    let rest = s.get(colon + 2..).unwrap_or("");
    match tag.split_once('[') {
        Some((name, pid)) => Some((name, pid.strip_suffix(']')?, rest)),
        None => Some((tag, "", rest)),
    }
}

fn rfc3164(severity: u8, rest: &str, peer: &str, now: u64) -> Record {
    let (stamp, after) = bsd_stamp(rest).unwrap_or(("", rest));
    // Whether a host comes before the tag: `host tag: msg` vs `tag: msg`.
    let (host, body) = match field(after) {
        Some((first, more)) if bsd_tag(after).is_none() && bsd_tag(more).is_some() => (first, more),
        _ => ("", after),
    };
    let (name, pid, text) = bsd_tag(body).unwrap_or(("syslog", "", body));
    Record {
        at_micros: now,
        stamp: if stamp.is_empty() {
            iso_micros(now)
        } else {
            stamp.to_string()
        },
        host: host_name(host, peer),
        name: name.to_string(),
        pid: pid.to_string(),
        severity: Some(severity),
        text: text.to_string(),
    }
}

/// The host a message names, made safe to show and to use as a source name (no spaces or
/// control characters, at most 100 characters); the sending address when it names none.
pub(crate) fn host_name(named: &str, peer: &str) -> String {
    let clean: String = named
        .chars()
        .filter(|c| !c.is_whitespace() && !c.is_control())
        .take(100)
        .collect();
    if clean.is_empty() {
        peer.to_string()
    } else {
        clean
    }
}

/// One syslog message (a datagram or a frame) from `peer`, received at `now` (µs).
pub(crate) fn parse(message: &[u8], peer: &str, now: u64) -> Record {
    let text = String::from_utf8_lossy(message);
    let text = text.trim_end_matches(['\n', '\r', '\0']);
    match priority(text) {
        Some((severity, rest)) => {
            rfc5424(severity, rest, peer, now).unwrap_or_else(|| rfc3164(severity, rest, peer, now))
        }
        None => Record {
            at_micros: now,
            stamp: iso_micros(now),
            host: peer.to_string(),
            name: "syslog".into(),
            pid: String::new(),
            severity: None,
            text: text.to_string(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(m: &str) -> Record {
        parse(m.as_bytes(), "10.0.0.9", 0)
    }

    #[test]
    fn rfc5424_with_structured_data_and_a_bom() {
        let r = p(
            "<165>1 2003-10-11T22:14:15.003Z web-1.example.com evntslog 42 ID47 \
                   [exampleSDID@32473 iut=\"3\" eventSource=\"App\\]lication\"] \u{feff}disk full",
        );
        assert_eq!(r.stamp, "2003-10-11T22:14:15.003Z");
        assert_eq!(r.host, "web-1.example.com");
        assert_eq!((r.name.as_str(), r.pid.as_str()), ("evntslog", "42"));
        assert_eq!(r.severity, Some(5));
        assert_eq!(r.text, "disk full");
        let nil = p("<11>1 - - - - - - bare");
        assert_eq!(
            (nil.host.as_str(), nil.name.as_str(), nil.text.as_str()),
            ("10.0.0.9", "syslog", "bare")
        );
        assert_eq!(nil.severity, Some(3));
    }

    #[test]
    fn rfc3164_as_senders_write_it() {
        let r =
            p("<34>Oct 11 22:14:15 mymachine su[231]: 'su root' failed for lonvick on /dev/pts/8");
        assert_eq!(r.stamp, "Oct 11 22:14:15");
        assert_eq!(
            (r.host.as_str(), r.name.as_str(), r.pid.as_str()),
            ("mymachine", "su", "231")
        );
        assert_eq!(r.severity, Some(2));
        assert_eq!(r.text, "'su root' failed for lonvick on /dev/pts/8");
        let no_host = p("<13>Dec  2 09:05:01 CRON[77]: job done");
        assert_eq!(
            (
                no_host.stamp.as_str(),
                no_host.host.as_str(),
                no_host.name.as_str()
            ),
            ("Dec  2 09:05:01", "10.0.0.9", "CRON")
        );
        let no_tag = p("<13>Dec  2 09:05:01 web-2 just text here");
        assert_eq!(no_tag.host, "10.0.0.9");
        assert_eq!(no_tag.text, "web-2 just text here");
    }

    #[test]
    fn what_is_not_syslog_is_kept_from_the_sender() {
        for garbage in [
            "",
            "<>",
            "<999>x",
            "<12",
            "hello world",
            "<1>1 only-a-stamp",
        ] {
            let r = p(garbage);
            assert_eq!(r.host, "10.0.0.9", "{garbage}");
        }
        let r = parse(b"\xff\xfe<12>\x00", "peer", 0);
        assert_eq!(r.host, "peer");
        assert_eq!(host_name("evil\nhost\tname", "p"), "evilhostname");
    }
}

//! Timestamps at the start of log records: ISO 8601 / RFC 3339 (and Python logging's
//! `2024-01-01 12:00:00,123`), nginx error logs (`2024/01/15 10:23:45`), BSD syslog
//! (`May  1 12:00:00`, year taken from the file), Apache/nginx common log format
//! (`[10/Oct/2023:13:55:36 -0700]`), Apache's error log (`[Sun Dec 04 04:47:44 2005]`, and
//! uWSGI's unbracketed `Tue Nov 10 08:04:41 2026 - …`), Blue Gene/L's RAS log
//! (`2005-06-03-15.42.50.363779`), Proxifier's `[10.30 16:49:06]` (year from the file),
//! epoch seconds opening a line (`1117838570.123 …`, UTC), PHP's error log (`[20-Nov-2026
//! 08:12:27 UTC]`), Zabbix's (`  1905:20261127:051744.019`), `ipmitool sel elist` rows
//! (`  12 | 11/09/2026 | 22:41:07 |`), Nginx Proxy Manager's `[12/4/2026] [6:00:29 AM]`,
//! Plex's, WebLogic's and Event Viewer's, a JSON record's `time` field wherever it is, and a
//! time on a line of its own above the record (Oracle's alert log). All come out as
//! `YYYY-MM-DDTHH:MM:SS[.frac][offset]`. Each format is a small anchored regex of its own,
//! tried where the line opens, and all of them together find a time further in.

use regex::Regex;
use std::sync::LazyLock;

/// When the file being read was last written: the year for timestamps that carry none
/// (syslog's `May  1 12:00:00`), which must never land after the file itself — a December
/// line in a file written in January is from the year before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileDate {
    pub year: i32,
    pub month: u32,
    pub day: u32,
}

impl FileDate {
    /// Only a year: year-less timestamps are taken in it, whatever their month.
    pub fn year(year: i32) -> FileDate {
        FileDate {
            year,
            month: 12,
            day: 31,
        }
    }

    /// Today's date (UTC): the year for what a stream or a receiver says now.
    pub fn today() -> FileDate {
        FileDate::of_unix(healdeck_config::clock::now_unix() as i64)
    }

    /// The date of a Unix time (UTC).
    pub fn of_unix(secs: i64) -> FileDate {
        let (year, month, day) = healdeck_config::clock::date_of_unix(secs);
        FileDate { year, month, day }
    }

    /// The year a year-less `month`/`day` is in: this one, or the one before when that date
    /// would come after the file was written (a day's grace for time zones).
    fn year_of(self, month: u32, day: u32) -> i32 {
        if (month, day) > (self.month, self.day + 1) {
            self.year - 1
        } else {
            self.year
        }
    }
}

/// One timestamp format: its pattern (groups named alike in all: `y`, `m` or `mon`, `d`, `H`,
/// `M`, `S`, `f` the fraction, `z` the zone, `ap` a twelve-hour clock's half, `e` epoch
/// seconds), whether it must open the line, and the bytes it can start with.
struct Shape {
    pattern: &'static str,
    opens_line: bool,
    starts_with: fn(u8) -> bool,
}

const MON: &str = "Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec";

/// The formats, in the order they are preferred where two match at one place. `{MON}` stands
/// for the month names.
static SHAPES: [Shape; 16] = [
    // ISO 8601 / RFC 3339, Python logging's comma.
    Shape {
        pattern: r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[T ](?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?\s?(?P<z>Z|[+-]\d{2}:?\d{2})?",
        opens_line: false,
        starts_with: |b| b.is_ascii_digit(),
    },
    // nginx's error log.
    Shape {
        pattern: r"(?P<y>\d{4})/(?P<m>\d{2})/(?P<d>\d{2}) (?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})",
        opens_line: false,
        starts_with: |b| b.is_ascii_digit(),
    },
    // Apache/nginx common log format.
    Shape {
        pattern: r"\[(?P<d>\d{2})/(?P<mon>[A-Z][a-z]{2})/(?P<y>\d{4}):(?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2}) (?P<z>[+-]\d{4})\]",
        opens_line: false,
        starts_with: |b| b == b'[',
    },
    // BSD syslog: the year comes from the file.
    Shape {
        pattern: r"(?P<mon>{MON}) +(?P<d>\d{1,2}) (?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})",
        opens_line: true,
        starts_with: |b| b.is_ascii_uppercase(),
    },
    // Apache's error log.
    Shape {
        pattern: r"\[(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<mon>{MON}) +(?P<d>\d{1,2}) (?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})(?:\.(?P<f>\d{1,9}))? (?P<y>\d{4})\]",
        opens_line: false,
        starts_with: |b| b == b'[',
    },
    // Blue Gene/L's RAS log.
    Shape {
        pattern: r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})-(?P<H>\d{2})\.(?P<M>\d{2})\.(?P<S>\d{2})\.(?P<f>\d{1,9})",
        opens_line: false,
        starts_with: |b| b.is_ascii_digit(),
    },
    // Proxifier: month and day, the year from the file.
    Shape {
        pattern: r"\[(?P<m>\d{2})\.(?P<d>\d{2}) (?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})\]",
        opens_line: true,
        starts_with: |b| b == b'[',
    },
    // Epoch seconds (UTC).
    Shape {
        pattern: r"(?P<e>1\d{9})(?:\.(?P<f>\d{1,9}))?\s",
        opens_line: true,
        starts_with: |b| b == b'1',
    },
    // PHP's error log.
    Shape {
        pattern: r"\[(?P<d>\d{2})-(?P<mon>[A-Z][a-z]{2})-(?P<y>\d{4}) (?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})(?P<z> UTC)?[ \]]",
        opens_line: true,
        starts_with: |b| b == b'[',
    },
    // uWSGI's unbracketed `Tue Nov 10 08:04:41 2026`.
    Shape {
        pattern: r"(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun) (?P<mon>{MON}) +(?P<d>\d{1,2}) (?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2}) (?P<y>\d{4})\b",
        opens_line: true,
        starts_with: |b| b.is_ascii_uppercase(),
    },
    // Zabbix: `  1905:20261127:051744.019`.
    Shape {
        pattern: r"\s*\d{1,7}:(?P<y>\d{4})(?P<m>\d{2})(?P<d>\d{2}):(?P<H>\d{2})(?P<M>\d{2})(?P<S>\d{2})\.(?P<f>\d{3}) ",
        opens_line: true,
        starts_with: |b| b.is_ascii_digit() || b.is_ascii_whitespace(),
    },
    // `ipmitool sel elist` rows.
    Shape {
        pattern: r"\s*[0-9a-f]{1,8} \| (?P<m>\d{2})/(?P<d>\d{2})/(?P<y>\d{4}) \| (?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2}) \|",
        opens_line: true,
        starts_with: |b| b.is_ascii_hexdigit() || b.is_ascii_whitespace(),
    },
    // Plex Media Server's `Nov 29, 2026 20:00:03.450` (always with milliseconds: Java's
    // `Nov 29, 2026 10:00:03 PM` is a twelve-hour clock).
    Shape {
        pattern: r"(?P<mon>{MON}) (?P<d>\d{1,2}), (?P<y>\d{4}) (?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})\.(?P<f>\d{3})",
        opens_line: true,
        starts_with: |b| b.is_ascii_uppercase(),
    },
    // WebLogic's `<Dec 3, 2026, 8:01:47,602 AM Coordinated Universal Time>`: twelve hours.
    Shape {
        pattern: r"<(?P<mon>{MON}) (?P<d>\d{1,2}), (?P<y>\d{4}),? (?P<H>\d{1,2}):(?P<M>\d{2}):(?P<S>\d{2})(?:[,.]\d+)? (?P<ap>AM|PM)\b",
        opens_line: true,
        starts_with: |b| b == b'<',
    },
    // Event Viewer's text export `Error⇥11/22/2026 3:15:23 AM⇥`: twelve hours.
    Shape {
        pattern: r"(?:Error|Warning|Information|Critical|Verbose|Audit Success|Audit Failure)\t(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4}) (?P<H>\d{1,2}):(?P<M>\d{2}):(?P<S>\d{2}) (?P<ap>AM|PM)\t",
        opens_line: true,
        starts_with: |b| b.is_ascii_uppercase(),
    },
    // Nginx Proxy Manager (signale): `[12/4/2026] [6:00:29 AM]`, month first.
    Shape {
        pattern: r"\[(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})\] \[(?P<H>\d{1,2}):(?P<M>\d{2}):(?P<S>\d{2}) (?P<ap>AM|PM)\]",
        opens_line: true,
        starts_with: |b| b == b'[',
    },
];

/// A shape's pattern with the month names filled in.
fn shape_pattern(shape: &Shape) -> String {
    shape.pattern.replace("{MON}", MON)
}

/// Each shape alone, anchored where it is tried.
static SHAPE_RES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    // ASCII classes (`(?-u)`): a Unicode `\d` makes the automaton many times larger.
    SHAPES
        .iter()
        .map(|s| {
            Regex::new(&format!("(?-u)^(?:{})", shape_pattern(s)))
                .unwrap_or_else(|e| panic!("timestamp shape is a constant: {e}"))
        })
        .collect()
});

/// All shapes in one automaton, groups left out: where the leftmost timestamp of a line is.
static TS: LazyLock<Regex> = LazyLock::new(|| {
    let names = Regex::new(r"\(\?P<[A-Za-z]+>").unwrap_or_else(|e| panic!("constant: {e}"));
    let alternatives: Vec<String> = SHAPES
        .iter()
        .map(|s| {
            let anchor = if s.opens_line { "^" } else { "" };
            format!(
                "(?:{anchor}{})",
                names.replace_all(&shape_pattern(s), "(?:")
            )
        })
        .collect();
    Regex::new(&format!("(?-u){}", alternatives.join("|")))
        .unwrap_or_else(|e| panic!("timestamp regex is a constant: {e}"))
});

fn month(name: &str) -> Option<u32> {
    const M: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    M.iter().position(|m| *m == name).map(|i| i as u32 + 1)
}

/// The timestamp in the first 200 bytes of `line`, normalized; `file` dates syslog's. A JSON
/// record's time field is read wherever it is (`{"method":"GET",…,"time":"2026-11-22T10:05:
/// 09.774Z",…}`).
pub(crate) fn parse(line: &str, file: FileDate) -> Option<String> {
    iso_at_start(line.as_bytes())
        .or_else(|| parse_by_regex(line, file))
        .or_else(|| json_time(line))
}

/// Whether [`parse`] finds a time in `line`, without reading it: the shapes' automaton
/// alone (every shape that matches reads).
pub(crate) fn present(line: &str) -> bool {
    TS.is_match(crate::level::first_chars(line, 200)) || json_time(line).is_some()
}

/// The ISO time in a JSON record's `time`, `timestamp`, `@timestamp` or `ts` field.
fn json_time(line: &str) -> Option<String> {
    if !line.trim_start().starts_with('{') {
        return None;
    }
    [
        "\"time\":\"",
        "\"timestamp\":\"",
        "\"@timestamp\":\"",
        "\"ts\":\"",
    ]
    .iter()
    .find_map(|key| {
        let at = memchr::memmem::find(line.as_bytes(), key.as_bytes())? + key.len();
        iso_at_start(&line.as_bytes()[at..])
    })
}

/// A line that is a timestamp and nothing else, as Oracle's alert log writes one above each
/// record (`2026-11-23T14:22:07.551203+00:00`, then `Errors in file …`): its time, normalized.
pub(crate) fn standalone(line: &str) -> Option<String> {
    let t = line.trim();
    (t.len() <= 40
        && t.bytes()
            .all(|b| b.is_ascii_digit() || b"-:.,+TZ ".contains(&b)))
    .then(|| iso_at_start(t.as_bytes()))
    .flatten()
}

/// [`parse`] through the shapes alone (what the ISO fast path must agree with): the leftmost
/// timestamp, read by the first shape that matches there.
fn parse_by_regex(line: &str, file: FileDate) -> Option<String> {
    let head = crate::level::first_chars(line, 200);
    // Most stamped lines open with their time: tried shape by shape, without a search.
    if let Some(c) = shape_at(head, 0) {
        return read(&c, file);
    }
    let at = TS.find(head)?.start();
    read(&shape_at(head, at).filter(|_| at > 0)?, file)
}

/// The groups of the first shape (in preference order) that matches at `at` in `head`.
fn shape_at(head: &str, at: usize) -> Option<regex::Captures<'_>> {
    let rest = &head[at..];
    let first = *rest.as_bytes().first()?;
    SHAPES
        .iter()
        .zip(SHAPE_RES.iter())
        .filter(|(s, _)| (at == 0 || !s.opens_line) && (s.starts_with)(first))
        .find_map(|(_, re)| re.captures(rest))
}

/// A shape's groups as `YYYY-MM-DDTHH:MM:SS[.frac][zone]`; `file` dates a year-less one.
fn read(c: &regex::Captures, file: FileDate) -> Option<String> {
    let text = |n: &str| c.name(n).map(|m| m.as_str());
    let number = |n: &str| text(n)?.parse::<u32>().ok();
    if let Some(e) = text("e") {
        // `iso_of_unix` gives `YYYY-MM-DDTHH:MM:SSZ`; the fraction goes before the zone.
        let iso = healdeck_config::clock::iso_of_unix(e.parse().ok()?);
        return Some(match text("f") {
            Some(f) => format!("{}.{f}Z", iso.trim_end_matches('Z')),
            None => iso,
        });
    }
    let month = match text("mon") {
        Some(name) => month(name)?,
        None => number("m")?,
    };
    let day = number("d")?;
    let year = match text("y") {
        Some(y) => y.parse().ok()?,
        None => file.year_of(month, day),
    };
    let mut hour = number("H")?;
    // A twelve-hour clock: 12 AM is midnight, 12 PM noon.
    if let Some(half) = text("ap") {
        hour = hour % 12 + if half == "PM" { 12 } else { 0 };
    }
    let mut out = format!(
        "{year:04}-{month:02}-{day:02}T{hour:02}:{}:{}",
        text("M")?,
        text("S")?
    );
    if let Some(f) = text("f") {
        out.push('.');
        out.push_str(f);
    }
    match text("z") {
        Some(" UTC") => out.push('Z'),
        Some(z) => out.push_str(&offset(z)),
        None => {}
    }
    Some(out)
}

/// The common case without the regex: a line that starts with an ISO time
/// (`2026-12-02 10:00:00.123`, `…T…Z`, `… +01:00`), read as the first alternative of [`TS`]
/// reads it (the leftmost match is at the start, so it is that one).
fn iso_at_start(b: &[u8]) -> Option<String> {
    let digits =
        |r: std::ops::Range<usize>| b.get(r).is_some_and(|d| d.iter().all(u8::is_ascii_digit));
    let shape = b.len() >= 19
        && digits(0..4)
        && b[4] == b'-'
        && digits(5..7)
        && b[7] == b'-'
        && digits(8..10)
        && matches!(b[10], b'T' | b' ')
        && digits(11..13)
        && b[13] == b':'
        && digits(14..16)
        && b[16] == b':'
        && digits(17..19);
    if !shape {
        return None;
    }
    let text = |r: std::ops::Range<usize>| std::str::from_utf8(&b[r]).ok();
    let mut out = format!(
        "{}-{}-{}T{}:{}:{}",
        text(0..4)?,
        text(5..7)?,
        text(8..10)?,
        text(11..13)?,
        text(14..16)?,
        text(17..19)?
    );
    let mut i = 19;
    if matches!(b.get(i), Some(b'.' | b',')) && b.get(i + 1).is_some_and(u8::is_ascii_digit) {
        let n = b[i + 1..]
            .iter()
            .take(9)
            .take_while(|d| d.is_ascii_digit())
            .count();
        out.push('.');
        out.push_str(text(i + 1..i + 1 + n)?);
        i += 1 + n;
    }
    // `\s?(Z|[+-]\d{2}:?\d{2})?`
    let zone_at = |j: usize| -> Option<usize> {
        match b.get(j)? {
            b'Z' => Some(j + 1),
            b'+' | b'-' if digits(j + 1..j + 3) => {
                let k = if b.get(j + 3) == Some(&b':') {
                    j + 4
                } else {
                    j + 3
                };
                digits(k..k + 2).then_some(k + 2)
            }
            _ => None,
        }
    };
    let zone = zone_at(i).map(|e| (i, e)).or_else(|| {
        b.get(i)
            .is_some_and(u8::is_ascii_whitespace)
            .then(|| zone_at(i + 1).map(|e| (i + 1, e)))
            .flatten()
    });
    if let Some((from, to)) = zone {
        out.push_str(&offset(text(from..to)?));
    }
    Some(out)
}

/// Whether two times as [`parse`] writes them (`2021-11-08T15:47:07.889Z`) lie within a
/// second of each other (their zones, if any, are taken to be the same: both come from one
/// file).
pub(crate) fn within_a_second(a: &str, b: &str) -> bool {
    match (naive_seconds(a), naive_seconds(b)) {
        (Some(a), Some(b)) => (a - b).abs() <= 1.0,
        _ => false,
    }
}

/// Seconds since 1970-01-01T00:00:00 of `YYYY-MM-DDTHH:MM:SS[.fff]`, the zone left out.
fn naive_seconds(t: &str) -> Option<f64> {
    let b = t.as_bytes();
    let num = |r: std::ops::Range<usize>| t.get(r)?.parse::<i64>().ok();
    if b.len() < 19 || b[10] != b'T' {
        return None;
    }
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let clock = num(11..13)? * 3600 + num(14..16)? * 60 + num(17..19)?;
    let fraction = match b.get(19) {
        Some(b'.') => {
            let n = b[20..].iter().take_while(|c| c.is_ascii_digit()).count();
            t.get(19..20 + n)?.parse::<f64>().unwrap_or(0.0)
        }
        _ => 0.0,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some((days * 86_400 + clock) as f64 + fraction)
}

fn offset(z: &str) -> String {
    if z == "Z" {
        return "Z".into();
    }
    let digits: String = z.chars().filter(|c| c.is_ascii_digit()).collect();
    if digits.len() == 4 {
        format!("{}{}:{}", &z[..1], &digits[..2], &digits[2..])
    } else {
        z.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plex_media_servers_dates_are_read() {
        let file = FileDate::year(2026);
        assert_eq!(
            parse(
                "Nov 29, 2026 20:00:03.450 [140594388716176] WARN - Held transaction",
                file
            )
            .as_deref(),
            Some("2026-11-29T20:00:03.450")
        );
        assert_eq!(
            parse("Dec 1, 2026 06:12:08.002 [1] ERROR - x", file).as_deref(),
            Some("2026-12-01T06:12:08.002")
        );
        // Java's logging writes the same date with a twelve-hour clock: not read as Plex's.
        assert_ne!(
            parse(
                "Nov 29, 2026 10:00:03 PM org.apache.catalina.core.StandardService",
                file
            )
            .as_deref(),
            Some("2026-11-29T10:00:03")
        );
    }

    #[test]
    fn twelve_hour_clocks_of_weblogic_and_event_viewer_are_read() {
        let file = FileDate::year(2026);
        assert_eq!(
            parse("<Dec 3, 2026, 8:01:47,602 AM Coordinated Universal Time> <Warning> <JDBC> <BEA-001129> <x>", file).as_deref(),
            Some("2026-12-03T08:01:47")
        );
        assert_eq!(
            parse("<Dec 3, 2026, 12:05:00,001 AM UTC> <Notice> <x>", file).as_deref(),
            Some("2026-12-03T00:05:00")
        );
        assert_eq!(
            parse(
                "Error\t11/22/2026 3:15:23 PM\tService Control Manager\t7009\tNone\tA timeout",
                file
            )
            .as_deref(),
            Some("2026-11-22T15:15:23")
        );
        assert_eq!(
            parse(
                "Information\t12/1/2026 12:02:44 PM\tService Control Manager\t7040\tNone\tx",
                file
            )
            .as_deref(),
            Some("2026-12-01T12:02:44")
        );
        assert_eq!(
            parse(
                "[12/4/2026] [6:00:29 AM] [SSL      ] › ✖  error     Error: x",
                file
            )
            .as_deref(),
            Some("2026-12-04T06:00:29")
        );
    }

    #[test]
    fn times_within_a_second_across_a_day() {
        assert!(within_a_second(
            "2021-11-08T15:47:07.889528Z",
            "2021-11-08T15:47:07.950441Z"
        ));
        assert!(within_a_second(
            "2024-12-31T23:59:59.600",
            "2025-01-01T00:00:00.100"
        ));
        assert!(!within_a_second(
            "2021-11-08T15:47:07.100",
            "2021-11-08T15:47:08.300"
        ));
        assert!(!within_a_second(
            "2021-03-01T00:00:00",
            "2021-02-28T00:00:00"
        ));
        assert!(!within_a_second("not a time at all", "2021-02-28T00:00:00"));
    }

    #[test]
    fn the_iso_fast_path_reads_as_the_regex_does() {
        for line in [
            "2026-12-02 10:00:00 INFO x",
            "2026-12-02T10:00:00.123Z boot",
            "2026-12-02T10:00:00,5 x",
            "2026-12-02 10:00:00.1234567891234 x",
            "2026-12-02 10:00:00 +0100 x",
            "2026-12-02 10:00:00+01:00 x",
            "2026-12-02 10:00:00 -05 x",
            "2026-12-02 10:00:00Zx",
            "2026-12-02 10:00:00. x",
            "2026-12-02 10:00:00",
        ] {
            let fast = iso_at_start(line.as_bytes());
            let slow = parse_by_regex(line, FileDate::year(2026));
            assert_eq!(fast, slow, "{line}");
        }
    }

    #[test]
    fn a_time_inside_the_line_is_read_by_the_shape_that_found_it() {
        let file = FileDate::year(2026);
        for (line, want) in [
            (
                "web-1 | 2026-01-02 03:04:05,678 x",
                "2026-01-02T03:04:05.678",
            ),
            ("[pid 9] 2026/01/02 03:04:05 [error]", "2026-01-02T03:04:05"),
            (
                "10.0.0.1 - - [02/Jan/2026:03:04:05 +0100] \"GET /\"",
                "2026-01-02T03:04:05+01:00",
            ),
            (
                "x [Fri Jan 02 03:04:05.123 2026] y",
                "2026-01-02T03:04:05.123",
            ),
            (
                "RAS 2005-06-03-15.42.50.363779 R02",
                "2005-06-03T15:42:50.363779",
            ),
        ] {
            assert_eq!(parse(line, file).as_deref(), Some(want), "{line}");
        }
        // A shape that must open the line is not read further in (`May 1 …` in a message).
        assert_eq!(parse("note: seen May  1 10:00:00 here", file), None);
        // Wherever the shapes together find a time, the shape alone reads it there.
        for line in [
            "x 2026-01-02 03:04:05 y",
            "x 2026-01-02-03.04.05.1 y",
            "a [02/Jan/2026:03:04:05 +0000] b",
            "ab12026-01-02 03:04:05",
        ] {
            let at = TS.find(line).map(|m| m.start()).expect(line);
            assert!(shape_at(line, at).is_some(), "{line}");
        }
    }

    #[test]
    fn a_time_is_present_where_one_is_read() {
        let file = FileDate::year(2026);
        for line in [
            "2026-12-02 10:00:00 INFO x",
            "May  1 10:00:00 host app[1]: x",
            "x 2026/01/02 03:04:05 y",
            "[12/4/2026] [6:00:29 AM] [SSL      ] x",
            r#"{"msg":"x","time":"2026-01-02T03:04:05Z"}"#,
            "1117838570.123 R02 x",
            "no time here at all",
            "note: seen May  1 10:00:00 here",
            "   at Foo.bar(Foo.java:12)",
        ] {
            assert_eq!(present(line), parse(line, file).is_some(), "{line}");
        }
    }

    #[test]
    fn formats() {
        assert_eq!(
            parse("2024-03-05T10:11:12.345Z ERROR x", FileDate::year(2000)).as_deref(),
            Some("2024-03-05T10:11:12.345Z")
        );
        assert_eq!(
            parse(
                "2024-03-05 10:11:12,345 - app - ERROR - boom",
                FileDate::year(2000)
            )
            .as_deref(),
            Some("2024-03-05T10:11:12.345")
        );
        assert_eq!(
            parse("[2024-03-05 10:11:12 +0100] x", FileDate::year(2000)).as_deref(),
            Some("2024-03-05T10:11:12+01:00")
        );
        assert_eq!(
            parse(
                "2024/01/15 10:23:45 [error] 123#0: *1 connect() failed",
                FileDate::year(2000)
            )
            .as_deref(),
            Some("2024-01-15T10:23:45")
        );
        assert_eq!(
            parse(
                "10.0.0.1 - - [10/Oct/2023:13:55:36 -0700] \"GET / HTTP/1.1\" 500 12",
                FileDate::year(2000)
            )
            .as_deref(),
            Some("2023-10-10T13:55:36-07:00")
        );
        assert_eq!(
            parse(
                "May  1 02:03:04 host kernel: Out of memory",
                FileDate::year(2023)
            )
            .as_deref(),
            Some("2023-05-01T02:03:04")
        );
        assert_eq!(
            parse(
                "[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6",
                FileDate::year(2000)
            )
            .as_deref(),
            Some("2005-12-04T04:47:44")
        );
        assert_eq!(
            parse(
                "[Wed Oct 11 14:32:52.123456 2023] [core:error] [pid 35708] x",
                FileDate::year(2000)
            )
            .as_deref(),
            Some("2023-10-11T14:32:52.123456")
        );
        assert_eq!(
            parse(
                "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.363779 R02-M1-N0-C:J12-U11 RAS KERNEL INFO x",
                FileDate::year(2000)
            )
            .as_deref(),
            Some("2005-06-03T15:42:50.363779")
        );
        assert_eq!(
            parse(
                "[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through proxy",
                FileDate::year(2017)
            )
            .as_deref(),
            Some("2017-10-30T16:49:06")
        );
        assert_eq!(
            parse("1117838570 R02 RAS KERNEL FATAL x", FileDate::year(2000)).as_deref(),
            Some("2005-06-03T22:42:50Z")
        );
        assert_eq!(
            parse("1700000000.25 worker: job failed", FileDate::year(2000)).as_deref(),
            Some("2023-11-14T22:13:20.25Z")
        );
        assert_eq!(parse("12345 items processed", FileDate::year(2000)), None);
        assert_eq!(parse("no time here", FileDate::year(2000)), None);
    }

    #[test]
    fn php_ipmi_json_and_standalone_times() {
        let y = FileDate::year(2000);
        let php = "[20-Nov-2026 08:12:27 UTC] PHP Warning:  mysqli_real_connect(): (HY000/2002)";
        assert_eq!(parse(php, y).as_deref(), Some("2026-11-20T08:12:27Z"));
        let sel = "  12 | 11/09/2026 | 22:41:07 | Power Supply PS2 Status | Power Supply AC lost";
        assert_eq!(parse(sel, y).as_deref(), Some("2026-11-09T22:41:07"));
        let json = format!(
            r#"{{"method":"GET","path":"/{}","status":500,"time":"2026-11-22T10:05:09.774Z"}}"#,
            "p/".repeat(120)
        );
        assert_eq!(parse(&json, y).as_deref(), Some("2026-11-22T10:05:09.774Z"));
        assert_eq!(parse(r#"{"level":"error","msg":"x"}"#, y), None);
        assert_eq!(
            standalone("2026-11-23T14:22:07.551203+00:00").as_deref(),
            Some("2026-11-23T14:22:07.551203+00:00")
        );
        assert_eq!(standalone("2026-11-23T14:22:07 ERROR x"), None);
        let uwsgi = "Tue Nov 10 08:04:41 2026 - *** HARAKIRI ON WORKER 2 (pid: 4127, try: 1) ***";
        assert_eq!(parse(uwsgi, y).as_deref(), Some("2026-11-10T08:04:41"));
        let zabbix = "  1905:20261127:051744.019 database is down: reconnecting in 10 seconds";
        assert_eq!(parse(zabbix, y).as_deref(), Some("2026-11-27T05:17:44.019"));
    }

    #[test]
    fn a_year_less_date_never_lands_after_the_file() {
        // A file last written on 2026-01-05: its December lines are from 2025.
        let file = FileDate::of_unix(1_767_571_200 + 8 * 3600);
        assert_eq!((file.year, file.month, file.day), (2026, 1, 5));
        assert_eq!(
            parse("Dec 31 23:59:01 host cron[1]: x", file).as_deref(),
            Some("2025-12-31T23:59:01")
        );
        assert_eq!(
            parse("Jan  5 08:00:00 host cron[1]: x", file).as_deref(),
            Some("2026-01-05T08:00:00")
        );
        assert_eq!(
            parse("[12.30 16:49:06] chrome.exe - open", file).as_deref(),
            Some("2025-12-30T16:49:06")
        );
    }
}

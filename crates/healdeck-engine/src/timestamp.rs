//! Timestamps at the start of log records: ISO 8601 / RFC 3339 (and Python logging's
//! `2024-01-01 12:00:00,123`), nginx error logs (`2024/01/15 10:23:45`), BSD syslog
//! (`May  1 12:00:00`, year taken from the file), and Apache/nginx common log format
//! (`[10/Oct/2023:13:55:36 -0700]`). All come out as `YYYY-MM-DDTHH:MM:SS[.frac][offset]`.

use regex::Regex;
use std::sync::LazyLock;

static TS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})[T ](?P<H>\d{2}):(?P<M>\d{2}):(?P<S>\d{2})(?:[.,](?P<f>\d{1,9}))?\s?(?P<z>Z|[+-]\d{2}:?\d{2})?)",
        r"|(?:(?P<ny>\d{4})/(?P<nm>\d{2})/(?P<nd>\d{2}) (?P<nH>\d{2}):(?P<nM>\d{2}):(?P<nS>\d{2}))",
        r"|(?:\[(?P<cd>\d{2})/(?P<cmon>[A-Z][a-z]{2})/(?P<cy>\d{4}):(?P<cH>\d{2}):(?P<cM>\d{2}):(?P<cS>\d{2}) (?P<cz>[+-]\d{4})\])",
        r"|(?:^(?P<smon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) +(?P<sd>\d{1,2}) (?P<sH>\d{2}):(?P<sM>\d{2}):(?P<sS>\d{2}))",
    ))
    .unwrap_or_else(|e| panic!("timestamp regex is a constant: {e}"))
});

fn month(name: &str) -> Option<u32> {
    const M: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    M.iter().position(|m| *m == name).map(|i| i as u32 + 1)
}

/// The timestamp in the first 200 bytes of `line`, normalized; `year` fills in syslog's.
pub(crate) fn parse(line: &str, year: i32) -> Option<String> {
    let head = match line.char_indices().nth(200) {
        Some((i, _)) => &line[..i],
        None => line,
    };
    let c = TS.captures(head)?;
    let g = |n: &str| c.name(n).map(|m| m.as_str());
    if let Some(y) = g("y") {
        let mut s = format!(
            "{y}-{}-{}T{}:{}:{}",
            g("m")?,
            g("d")?,
            g("H")?,
            g("M")?,
            g("S")?
        );
        if let Some(f) = g("f") {
            s.push('.');
            s.push_str(f);
        }
        if let Some(z) = g("z") {
            s.push_str(&offset(z));
        }
        return Some(s);
    }
    if let Some(y) = g("ny") {
        return Some(format!(
            "{y}-{}-{}T{}:{}:{}",
            g("nm")?,
            g("nd")?,
            g("nH")?,
            g("nM")?,
            g("nS")?
        ));
    }
    if let Some(y) = g("cy") {
        let m = month(g("cmon")?)?;
        return Some(format!(
            "{y}-{m:02}-{}T{}:{}:{}{}",
            g("cd")?,
            g("cH")?,
            g("cM")?,
            g("cS")?,
            offset(g("cz")?)
        ));
    }
    let m = month(g("smon")?)?;
    let d: u32 = g("sd")?.parse().ok()?;
    Some(format!(
        "{year}-{m:02}-{d:02}T{}:{}:{}",
        g("sH")?,
        g("sM")?,
        g("sS")?
    ))
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
    fn formats() {
        assert_eq!(
            parse("2024-03-05T10:11:12.345Z ERROR x", 2000).as_deref(),
            Some("2024-03-05T10:11:12.345Z")
        );
        assert_eq!(
            parse("2024-03-05 10:11:12,345 - app - ERROR - boom", 2000).as_deref(),
            Some("2024-03-05T10:11:12.345")
        );
        assert_eq!(
            parse("[2024-03-05 10:11:12 +0100] x", 2000).as_deref(),
            Some("2024-03-05T10:11:12+01:00")
        );
        assert_eq!(
            parse(
                "2024/01/15 10:23:45 [error] 123#0: *1 connect() failed",
                2000
            )
            .as_deref(),
            Some("2024-01-15T10:23:45")
        );
        assert_eq!(
            parse(
                "10.0.0.1 - - [10/Oct/2023:13:55:36 -0700] \"GET / HTTP/1.1\" 500 12",
                2000
            )
            .as_deref(),
            Some("2023-10-10T13:55:36-07:00")
        );
        assert_eq!(
            parse("May  1 02:03:04 host kernel: Out of memory", 2023).as_deref(),
            Some("2023-05-01T02:03:04")
        );
        assert_eq!(parse("no time here", 2000), None);
    }
}

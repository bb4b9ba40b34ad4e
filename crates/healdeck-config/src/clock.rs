//! UTC time without a time-zone database: the Unix time now, `YYYY-MM-DDTHH:MM:SSZ` for it,
//! the calendar year (for syslog lines that carry none), and a compact stamp for file names.

/// Seconds since the Unix epoch (0 if the clock is before it).
pub fn now_unix() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// `YYYY-MM-DDTHH:MM:SSZ` for a Unix time (seconds).
pub fn iso_of_unix(secs: i64) -> String {
    let (y, m, d) = civil(secs.div_euclid(86_400));
    let t = secs.rem_euclid(86_400);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        t / 3600,
        t / 60 % 60,
        t % 60
    )
}

/// `YYYYMMDDTHHMMSSZ` for now: sorts by time and is safe in a file name everywhere.
pub fn file_stamp() -> String {
    iso_of_unix(now_unix() as i64).replace([':', '-'], "")
}

/// The calendar date (year, month, day) of a Unix time (seconds), UTC.
pub fn date_of_unix(secs: i64) -> (i32, u32, u32) {
    let (y, m, d) = civil(secs.div_euclid(86_400));
    (y as i32, m as u32, d as u32)
}

/// The calendar year of a Unix time (seconds), for syslog lines that carry no year.
pub fn year_of_unix(secs: i64) -> i32 {
    civil(secs.div_euclid(86_400)).0 as i32
}

/// Howard Hinnant's civil-from-days: (year, month, day) of a day number since 1970-01-01.
fn civil(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_from_unix() {
        assert_eq!(year_of_unix(0), 1970);
        assert_eq!(year_of_unix(1_704_067_200), 2024); // 2024-01-01
        assert_eq!(year_of_unix(1_704_067_199), 2023);
        assert_eq!(iso_of_unix(1_704_067_199), "2023-12-31T23:59:59Z");
        assert_eq!(iso_of_unix(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn file_stamps_have_no_separators() {
        let s = file_stamp();
        assert_eq!(s.len(), "20240101T000000Z".len(), "{s}");
        assert!(!s.contains([':', '-']), "{s}");
    }
}

//! Wall-clock time as the bank stores it (Unix milliseconds, UTC) and shows
//! it (RFC 3339).

use std::time::{SystemTime, UNIX_EPOCH};

/// Milliseconds in a second.
const MS_PER_SECOND: i64 = 1000;
/// Seconds in a day.
const SECONDS_PER_DAY: i64 = 86_400;

/// Now, in Unix milliseconds.
pub fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// `ms` (Unix milliseconds) as RFC 3339 in UTC, to the second:
/// `2025-03-01T12:00:00Z`.
pub fn rfc3339(ms: i64) -> String {
    let seconds = ms.div_euclid(MS_PER_SECOND);
    let days = seconds.div_euclid(SECONDS_PER_DAY);
    let of_day = seconds.rem_euclid(SECONDS_PER_DAY);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day / 60 % 60,
        of_day % 60
    )
}

/// The day of `ms` (Unix milliseconds), `YYYY-MM-DD` in UTC.
pub fn day(ms: i64) -> String {
    rfc3339(ms)[..10].to_string()
}

/// Whether `text` is a real day written `YYYY-MM-DD`.
pub fn is_day(text: &str) -> bool {
    let bytes = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| {
        bytes[range.clone()]
            .iter()
            .all(u8::is_ascii_digit)
            .then(|| text[range].parse::<u32>().ok())?
    };
    if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
        return false;
    }
    let (Some(year), Some(month), Some(day)) = (digits(0..4), digits(5..7), digits(8..10)) else {
        return false;
    };
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

/// Year, month, day of the day `days` after 1970-01-01 (Howard Hinnant's
/// `civil_from_days`, proleptic Gregorian calendar).
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400_000), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_740_830_461_999), "2025-03-01T12:01:01Z");
        assert_eq!(day(1_740_830_461_999), "2025-03-01");
    }

    #[test]
    fn days_are_checked_against_the_calendar() {
        for good in ["2000-02-29", "2024-12-31", "2037-01-01", "1999-01-31"] {
            assert!(is_day(good), "{good}");
        }
        for bad in [
            "1900-02-29",
            "2025-02-29",
            "2025-04-31",
            "2025-13-01",
            "2025-00-10",
            "2025-01-00",
            "2025-1-01",
            "2025/01/01",
            "25-01-01",
            "2025-01-01T",
            "+025-01-01",
            "２０２５-01-01",
            "",
        ] {
            assert!(!is_day(bad), "{bad}");
        }
    }
}

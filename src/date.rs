//! Reading dates the way writers write them.
//!
//! Accepted forms: RFC 3339 (`2009-03-03T14:10:00-05:00`, `...Z`), a date
//! (`2009-03-03`, midnight), a date and time without offset
//! (`2009-03-03 14:10`, `2009-03-03T14:10:05`), and RFC 9557 with a zone
//! name (`2009-03-03T14:10:00-05:00[America/New_York]`). The forms Jekyll
//! and YAML exports write are read too: a space before the offset and an
//! offset without a colon (`2014-09-30 09:45:47 -0400`), fractional seconds
//! (`2006-10-31T03:08:32.0000000-08:00`) and an hour-only offset
//! (`2001-12-14 21:59:43.10 -5`). Dates without an offset are read in the
//! site's time zone. Everything else is an error that says which forms
//! work: guessing a date wrong is worse than asking.

use jiff::civil::{Date, DateTime};
use jiff::tz::TimeZone;
use jiff::{Timestamp, ZonedDateTime};

/// The forms, for hints.
pub const DATE_FORMS: &str =
    "write dates as 2009-03-03, 2009-03-03 14:10 or 2009-03-03T14:10:00-05:00";

/// Parses `text` into a zoned date-time in `tz`.
pub fn parse_date(text: &str, tz: &TimeZone) -> Result<ZonedDateTime, String> {
    let text = text.trim();
    let invalid = |e: &dyn std::fmt::Display| {
        let e = e.to_string();
        // jiff names the bound it hit: a year past its range, or a
        // timestamp past the last one it can hold (late in 9999).
        if e.contains("Unix timestamp") || e.contains("'year'") {
            format!(
                "invalid date `{text}`: the year is out of range (dates run from year 1 to 9998)"
            )
        } else {
            format!("invalid date `{text}`: {e}")
        }
    };
    if text.is_empty() {
        return Err("empty date".to_string());
    }
    if !text.as_bytes()[0].is_ascii_digit() {
        return Err(format!("`{text}` is not a date"));
    }
    let padded = pad_date(text);
    let text = padded.as_deref().unwrap_or(text);
    let normalized = normalize_offset(text);
    let text = normalized.as_deref().unwrap_or(text);
    let zoned = if text.ends_with(']') {
        text.parse::<ZonedDateTime>()
            .map_err(|e| invalid(&e))?
            .with_time_zone(tz.clone())
    } else if text.len() <= 10 {
        if text.len() != 10 {
            return Err(format!("`{text}` is not a full date (YYYY-MM-DD)"));
        }
        let date: Date = text.parse().map_err(|e| invalid(&e))?;
        date.to_zoned_datetime(tz.clone())
            .map_err(|e| invalid(&e))?
    } else if has_offset(text) {
        let ts: Timestamp = text.parse().map_err(|e| invalid(&e))?;
        ts.to_zoned_datetime(tz.clone())
    } else {
        let dt: DateTime = text.parse().map_err(|e| invalid(&e))?;
        dt.to_zoned_datetime(tz.clone()).map_err(|e| invalid(&e))?
    };
    if zoned.year() < 1 {
        return Err(format!(
            "invalid date `{text}`: the year must be 1 or later"
        ));
    }
    Ok(zoned)
}

/// `2019-3-1 17:23` (Ruby's `Time.parse` reads it, and Jekyll posts have
/// it) as `2019-03-01 17:23`; `None` when the date is already padded.
fn pad_date(text: &str) -> Option<String> {
    let end = text.find([' ', 'T', 't']).unwrap_or(text.len());
    let mut parts = text[..end].split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let ok = parts.next().is_none()
        && y.len() == 4
        && (1..=2).contains(&m.len())
        && (1..=2).contains(&d.len())
        && [y, m, d]
            .iter()
            .all(|p| p.bytes().all(|b| b.is_ascii_digit()));
    if !ok {
        return None;
    }
    // A one-digit hour too: `8:01:55`.
    let rest = &text[end..];
    let time_start = rest
        .char_indices()
        .find(|(_, c)| c.is_ascii_digit())
        .map_or(rest.len(), |(i, _)| i);
    let (sep, time) = rest.split_at(time_start);
    let one_digit_hour = time.as_bytes().get(1) == Some(&b':');
    if m.len() == 2 && d.len() == 2 && !one_digit_hour {
        return None;
    }
    let time = if one_digit_hour {
        format!("0{time}")
    } else {
        time.to_string()
    };
    Some(format!("{y}-{m:0>2}-{d:0>2}{sep}{time}"))
}

/// Rewrites `2014-09-30 09:45:47 -0400` (Jekyll), `... -04:00` and
/// `... -5` (YAML 1.1) as RFC 3339 `2014-09-30T09:45:47-04:00`; `None` when
/// the text has no such trailing offset.
fn normalize_offset(text: &str) -> Option<String> {
    if text.len() < 16 || text.ends_with(']') {
        return None;
    }
    let (date, rest) = text.split_at(10);
    let time = rest.strip_prefix([' ', 'T', 't'])?;
    // `2023-03-07 +0800`: a day with an offset but no time, which Jekyll
    // (through Ruby's YAML) reads as the day alone.
    if time.trim_start().starts_with(['+', '-']) {
        return Some(date.to_string());
    }
    // The offset: the last `+` or `-` after the time, with only digits and
    // a colon behind it.
    let sign_at = time.rfind(['+', '-'])?;
    let (clock, offset) = time.split_at(sign_at);
    let clock = clock.trim_end();
    let (sign, digits) = offset.split_at(1);
    if clock.len() < 5 || !digits.chars().all(|c| c.is_ascii_digit() || c == ':') {
        return None;
    }
    let (hours, minutes) = match digits.split_once(':') {
        Some((h, m)) => (h, m),
        None if digits.len() <= 2 => (digits, "00"),
        None if digits.len() == 4 => digits.split_at(2),
        None => return None,
    };
    if hours.is_empty() || hours.len() > 2 || minutes.len() != 2 {
        return None;
    }
    Some(format!("{date}T{clock}{sign}{hours:0>2}:{minutes}"))
}

/// True when the time part ends in `Z` or `±HH:MM`.
fn has_offset(text: &str) -> bool {
    let Some(time_start) = text.find(['T', 't', ' ']) else {
        return false;
    };
    let time = &text[time_start + 1..];
    time.ends_with('Z') || time.ends_with('z') || time.contains('+') || time.contains('-')
}

/// The date at the start of a file name such as `2009-03-03-links.md`, and
/// the rest of the stem (`links`).
pub fn date_from_file_stem(stem: &str) -> Option<(&str, &str)> {
    let (date, rest) = (stem.get(..10)?, stem.get(10..)?);
    let bytes = date.as_bytes();
    let shape = bytes.len() == 10
        && bytes[4] == b'-'
        && bytes[7] == b'-'
        && bytes
            .iter()
            .enumerate()
            .all(|(i, b)| i == 4 || i == 7 || b.is_ascii_digit());
    if !shape {
        return None;
    }
    let rest = rest
        .strip_prefix('-')
        .or(if rest.is_empty() { Some("") } else { None })?;
    Some((date, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ny() -> TimeZone {
        TimeZone::get("America/New_York").unwrap()
    }

    #[test]
    fn accepted_forms() {
        let tz = ny();
        let cases = [
            ("2009-03-03", "2009-03-03T00:00:00-05:00[America/New_York]"),
            (
                "2009-03-03 14:10",
                "2009-03-03T14:10:00-05:00[America/New_York]",
            ),
            (
                "2009-03-03T14:10:05",
                "2009-03-03T14:10:05-05:00[America/New_York]",
            ),
            (
                "2009-03-03T14:10:00-05:00",
                "2009-03-03T14:10:00-05:00[America/New_York]",
            ),
            (
                "2009-03-03T19:10:00Z",
                "2009-03-03T14:10:00-05:00[America/New_York]",
            ),
            (
                "2009-03-03T19:10:00+00:00[UTC]",
                "2009-03-03T14:10:00-05:00[America/New_York]",
            ),
            // Jekyll and YAML exports.
            (
                "2014-09-30 09:45:47 -0400",
                "2014-09-30T09:45:47-04:00[America/New_York]",
            ),
            (
                "2014-09-30 09:45:47 +0000",
                "2014-09-30T05:45:47-04:00[America/New_York]",
            ),
            (
                "2006-10-31T03:08:32.0000000-08:00",
                "2006-10-31T06:08:32-05:00[America/New_York]",
            ),
            (
                "2010-11-17 17:26:19.000000000 -05:00",
                "2010-11-17T17:26:19-05:00[America/New_York]",
            ),
            (
                "2001-12-14 21:59:43.10 -5",
                "2001-12-14T21:59:43.1-05:00[America/New_York]",
            ),
            (
                "2023-03-07 +0800",
                "2023-03-07T00:00:00-05:00[America/New_York]",
            ),
            (
                "2018-11-21 8:01:55 +0800",
                "2018-11-20T19:01:55-05:00[America/New_York]",
            ),
            (
                "2019-3-1 17:23:40 +0800",
                "2019-03-01T04:23:40-05:00[America/New_York]",
            ),
            (
                "2019-05-12T10:00:00+0200",
                "2019-05-12T04:00:00-04:00[America/New_York]",
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(
                parse_date(input, &tz).unwrap().to_string(),
                expected,
                "{input}"
            );
        }
    }

    #[test]
    fn rejected_forms() {
        let tz = ny();
        for (input, needle) in [
            ("2009-02-30", "invalid date `2009-02-30`"),
            ("2009-03-03 24:00", "hour"),
            ("0000-01-01", "year must be 1 or later"),
            ("America/New_York", "not a date"),
            ("yesterday", "not a date"),
            ("2009-3", "not a full date"),
            ("", "empty"),
        ] {
            let err = parse_date(input, &tz).unwrap_err();
            assert!(err.contains(needle), "{input}: {err}");
        }
    }

    #[test]
    fn file_stem_dates() {
        assert_eq!(
            date_from_file_stem("2009-03-03-links-to-linkage"),
            Some(("2009-03-03", "links-to-linkage"))
        );
        assert_eq!(date_from_file_stem("2009-03-03"), Some(("2009-03-03", "")));
        assert_eq!(date_from_file_stem("links"), None);
        assert_eq!(date_from_file_stem("2009-03-0x-links"), None);
        assert_eq!(date_from_file_stem("2009-03-03links"), None);
    }
}

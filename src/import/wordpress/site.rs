//! What a WordPress export says about the site itself, which WXR does not
//! state outright: the permalink structure (read off the posts' own
//! links) and the time zone (the one whose offsets match every post's
//! local and UTC dates).

use std::collections::HashMap;

use jiff::civil::DateTime;
use jiff::tz::TimeZone;

/// A post's old address as a site path, percent-decoded, without the
/// site's own sub-folder: `/2009/03/03/links/`. `None` for plain
/// permalinks (`/?p=12`), which a static site cannot serve.
pub fn old_path(link: &str, base_path: &str) -> Option<String> {
    let url = url::Url::parse(link.trim()).ok()?;
    let plain = url.query_pairs().any(|(k, _)| {
        matches!(
            k.as_ref(),
            "p" | "page_id" | "attachment_id" | "cat" | "tag" | "m" | "post_type"
        )
    });
    if plain {
        return None;
    }
    let mut path = String::new();
    for c in percent_encoding::percent_decode_str(url.path())
        .decode_utf8_lossy()
        .chars()
    {
        // `https://site.example//greek/` links are found in real exports.
        if !(c == '/' && path.ends_with('/')) {
            path.push(c);
        }
    }
    let path = match path.strip_prefix(base_path) {
        Some(rest) if !base_path.is_empty() && (rest.is_empty() || rest.starts_with('/')) => {
            rest.to_string()
        }
        _ => path,
    };
    let path = if path.is_empty() {
        "/".to_string()
    } else {
        path
    };
    Some(path)
}

/// The path part of the site's address (`/blog` for a site at
/// `https://e.example/blog/`), or empty.
pub fn base_path(site_url: &str) -> String {
    url::Url::parse(site_url.trim())
        .map(|u| u.path().trim_end_matches('/').to_string())
        .unwrap_or_default()
}

/// The permalink pattern one post's old path follows, in glossator's
/// tokens: each segment that is the post's year, month, day or slug
/// becomes that token, anything else stays as it is.
pub fn pattern_of(path: &str, date: &DateTime, slug: &str) -> String {
    let year = format!("{:04}", date.year());
    let month = format!("{:02}", date.month());
    let day = format!("{:02}", date.day());
    let mut seen_month = false;
    let mut seen_day = false;
    let mut seen_year = false;
    let segments: Vec<String> = path
        .split('/')
        .map(|seg| {
            if seg.is_empty() {
                return String::new();
            }
            if seg == slug {
                return ":slug".into();
            }
            // `links.html`: the slug with an extension.
            if let Some((stem, ext)) = seg.rsplit_once('.')
                && stem == slug
            {
                return format!(":slug.{ext}");
            }
            if !seen_year && seg == year {
                seen_year = true;
                return ":year".into();
            }
            if seen_year && !seen_month && seg == month {
                seen_month = true;
                return ":month".into();
            }
            if seen_month && !seen_day && seg == day {
                seen_day = true;
                return ":day".into();
            }
            seg.to_string()
        })
        .collect();
    segments.join("/")
}

/// The most common pattern among the posts' (patterns need a `:slug`).
pub fn common_pattern<'a>(patterns: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for p in patterns {
        if p.contains(":slug") {
            *counts.entry(p).or_default() += 1;
        }
    }
    let mut best: Vec<(&str, usize)> = counts.into_iter().collect();
    best.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    best.first().map(|(p, _)| (*p).to_string())
}

/// Zones tried first, so a common name wins among zones that agree.
const PREFERRED_ZONES: [&str; 24] = [
    "UTC",
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
    "America/Toronto",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Dublin",
    "Europe/Lisbon",
    "Europe/Paris",
    "Europe/Berlin",
    "Europe/Athens",
    "Europe/Moscow",
    "Asia/Kolkata",
    "Asia/Shanghai",
    "Asia/Tokyo",
    "Asia/Singapore",
    "Australia/Sydney",
    "Australia/Perth",
    "Pacific/Auckland",
];

/// The IANA zone whose offset matched every (local, UTC) pair, preferring
/// common names; a fixed `Etc/GMT±N` when only one whole-hour offset was
/// seen and no zone matched; `None` without evidence.
pub fn infer_timezone(pairs: &[(DateTime, DateTime)]) -> Option<String> {
    if pairs.is_empty() {
        return None;
    }
    let offsets: Vec<(jiff::Timestamp, i64)> = pairs
        .iter()
        .filter_map(|(local, utc)| {
            let ts = utc.to_zoned_datetime(TimeZone::UTC).ok()?.timestamp();
            let seconds = local.duration_since(*utc).as_secs();
            Some((ts, seconds))
        })
        .collect();
    // How many pairs a zone explains: a few posts with odd dates (moved
    // from another blog, edited by hand) must not hide the site's zone.
    let matches = |name: &str| -> usize {
        let Ok(tz) = TimeZone::get(name) else {
            return 0;
        };
        offsets
            .iter()
            .filter(|(ts, secs)| i64::from(tz.to_offset(*ts).seconds()) == *secs)
            .count()
    };
    let enough = (offsets.len() * 9).div_ceil(10);
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.to_string())
        .filter(|n| n.contains('/') && !n.starts_with("Etc/") && !n.starts_with("posix/"))
        .collect();
    names.sort();
    let candidates = PREFERRED_ZONES
        .iter()
        .map(|z| (*z).to_string())
        .chain(names);
    let mut best: Option<(usize, String)> = None;
    for zone in candidates {
        let n = matches(&zone);
        if n == offsets.len() {
            return Some(zone);
        }
        if n >= enough && best.as_ref().is_none_or(|(b, _)| n > *b) {
            best = Some((n, zone));
        }
    }
    if let Some((_, zone)) = best {
        return Some(zone);
    }
    let first = offsets.first()?.1;
    if offsets.iter().all(|(_, s)| *s == first) && first % 3600 == 0 {
        // POSIX sign: Etc/GMT-2 is two hours ahead of UTC.
        let hours = -first / 3600;
        let name = if hours == 0 {
            "UTC".to_string()
        } else {
            format!("Etc/GMT{hours:+}")
        };
        if TimeZone::get(&name).is_ok() {
            return Some(name);
        }
    }
    None
}

/// `2009-03-03 14:10:00` as WordPress writes dates; `None` for the
/// `0000-00-00 00:00:00` of unpublished posts.
pub fn parse_wp_date(text: &str) -> Option<DateTime> {
    let text = text.trim();
    if text.is_empty() || text.starts_with("0000") {
        return None;
    }
    text.replacen(' ', "T", 1).parse().ok()
}

/// An RSS `<pubDate>` (RFC 2822), for items without WordPress's own dates.
pub fn parse_rss_date(text: &str) -> Option<DateTime> {
    let ts = jiff::fmt::rfc2822::parse(text.trim()).ok()?;
    Some(ts.with_time_zone(TimeZone::UTC).datetime())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dt(s: &str) -> DateTime {
        parse_wp_date(s).unwrap()
    }

    #[test]
    fn old_paths() {
        assert_eq!(
            old_path("https://e.example//greek/x/", "").as_deref(),
            Some("/greek/x/")
        );
        assert_eq!(
            old_path("https://e.example/blog/2009/03/03/caf%C3%A9/", "/blog").as_deref(),
            Some("/2009/03/03/café/")
        );
        assert_eq!(old_path("https://e.example/?p=12", ""), None);
        assert_eq!(
            old_path("https://e.example/about/", "").as_deref(),
            Some("/about/")
        );
        assert_eq!(base_path("https://e.example/blog/"), "/blog");
        assert_eq!(base_path("https://e.example"), "");
    }

    #[test]
    fn patterns_are_read_off_links() {
        let d = dt("2009-03-03 14:10:00");
        assert_eq!(
            pattern_of("/2009/03/03/links/", &d, "links"),
            "/:year/:month/:day/:slug/"
        );
        assert_eq!(
            pattern_of("/2009/03/links.html", &d, "links"),
            "/:year/:month/:slug.html"
        );
        assert_eq!(pattern_of("/blog/links/", &d, "links"), "/blog/:slug/");
        assert_eq!(
            common_pattern(["/:year/:slug/", "/:year/:slug/", "/x/", "/:slug/"]).as_deref(),
            Some("/:year/:slug/")
        );
    }

    #[test]
    fn time_zones_are_inferred_from_offsets() {
        // Winter and summer offsets of New York.
        let pairs = vec![
            (dt("2009-01-10 09:00:00"), dt("2009-01-10 14:00:00")),
            (dt("2009-07-10 09:00:00"), dt("2009-07-10 13:00:00")),
        ];
        assert_eq!(infer_timezone(&pairs).as_deref(), Some("America/New_York"));
        // A fixed offset with no daylight saving that no preferred zone has.
        let pairs = vec![
            (dt("2009-01-10 09:00:00"), dt("2009-01-10 12:00:00")),
            (dt("2009-07-10 09:00:00"), dt("2009-07-10 12:00:00")),
        ];
        let zone = infer_timezone(&pairs).unwrap();
        let tz = TimeZone::get(&zone).unwrap();
        let ts = dt("2009-07-10 12:00:00")
            .to_zoned_datetime(TimeZone::UTC)
            .unwrap()
            .timestamp();
        assert_eq!(tz.to_offset(ts).seconds(), -3 * 3600, "{zone}");
        assert_eq!(infer_timezone(&[]), None);
    }
}

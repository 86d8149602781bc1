//! The Tera filters glossator adds for themes.
//!
//! Tera 2 ships without date handling (it moved to tera-contrib, built on
//! chrono); we already carry jiff and the site's time zone, so `date` is
//! ours: it formats the RFC 3339 strings the views hold, in the site's zone.

use jiff::Timestamp;
use jiff::fmt::strtime::BrokenDownTime;
use jiff::tz::TimeZone;
use tera::{Kwargs, State, Tera, TeraResult};

use crate::config::Config;

/// The filter names, for error hints.
pub const NAMES: [&str; 4] = ["date", "absolute_url", "slugify", "urlencode"];

/// Characters kept as they are in a URL query component.
const QUERY: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// Hashes everything [`register`] hands the filters from the config: a
/// page's key (see `Theme::key`) must change when what they print could.
pub fn key_into(h: &mut xxhash_rust::xxh3::Xxh3, config: &Config) {
    for part in [config.timezone_name.as_str(), config.base_url.as_str()] {
        h.update(part.as_bytes());
        h.update(b"\0");
    }
}

/// Registers our filters. Whatever a filter takes from `config` must also
/// go into [`key_into`].
pub fn register(tera: &mut Tera, config: &Config) {
    let tz = config.timezone.clone();
    tera.register_filter("date", move |value: &str, kwargs: Kwargs, _: &State| {
        format_date(value, &kwargs, &tz)
    });
    let base = config.base_url.clone();
    tera.register_filter("absolute_url", move |value: &str, _: Kwargs, _: &State| {
        if value.starts_with("http://") || value.starts_with("https://") {
            value.to_string()
        } else if value.starts_with('/') {
            format!("{base}{value}")
        } else {
            format!("{base}/{value}")
        }
    });
    tera.register_filter("slugify", |value: &str, _: Kwargs, _: &State| {
        slug::slugify(value)
    });
    tera.register_filter("urlencode", |value: &str, _: Kwargs, _: &State| {
        percent_encoding::utf8_percent_encode(value, QUERY).to_string()
    });
}

/// `{{ post.date | date(format="%B %-d, %Y") }}`; strftime directives as
/// in jiff. The default is `%Y-%m-%d`.
fn format_date(value: &str, kwargs: &Kwargs, tz: &TimeZone) -> TeraResult<String> {
    let format = kwargs.get::<&str>("format")?.unwrap_or("%Y-%m-%d");
    let ts: Timestamp = value.parse().map_err(|e| {
        tera::Error::message(format!("`date` filter: `{value}` is not a date: {e}"))
    })?;
    let zoned = ts.to_zoned_datetime(tz.clone());
    // Written straight into the filter's string: one allocation per date.
    let mut out = String::with_capacity(format.len() + 16);
    BrokenDownTime::from(&zoned)
        .format(format, &mut out)
        .map_err(|e| tera::Error::message(format!("`date` filter: bad format `{format}`: {e}")))?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use tera::Context;

    #[test]
    fn date_formats_in_site_zone() {
        let config = crate::config::parse_config(
            "timezone = \"America/New_York\"\nbase_url = \"https://e.example\"",
        )
        .unwrap();
        let mut tera = Tera::new();
        register(&mut tera, &config);
        let mut ctx = Context::new();
        ctx.insert("d", "2009-03-03T19:10:00Z");
        let out = tera
            .render_str(
                "{{ d | date(format=\"%B %-d, %Y %H:%M\") }}|{{ d | date }}|{{ \"/a/\" | absolute_url }}|{{ \"Foo Bar\" | slugify }}|{{ \"Re: a, b/é\" | urlencode }}",
                &ctx,
                false,
            )
            .unwrap();
        assert_eq!(
            out,
            "March 3, 2009 14:10|2009-03-03|https://e.example/a/|foo-bar|Re%3A%20a%2C%20b%2F%C3%A9"
        );
    }

    #[test]
    fn bad_dates_are_errors() {
        let config = crate::config::parse_config("").unwrap();
        let mut tera = Tera::new();
        register(&mut tera, &config);
        let mut ctx = Context::new();
        ctx.insert("d", "not a date");
        assert!(tera.render_str("{{ d | date }}", &ctx, false).is_err());
    }
}

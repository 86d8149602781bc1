//! What a source page says about the post: whether it links to it, and,
//! from its microformats (h-entry, h-card, read by the `microformats`
//! crate into the standard mf2 JSON), who wrote it, when, what it says,
//! and whether it is a reply, a like, a repost, a bookmark or a mention.
//! Pure functions over a fetched page.

use serde_json::Value;
use url::Url;

/// What the source did, as read from its h-entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// `reply`, `like`, `repost`, `bookmark` or `mention`.
    pub mention: &'static str,
    pub author: String,
    pub author_url: Option<String>,
    /// HTML (sanitized when rendered, as every comment).
    pub content: String,
    /// As written (`2026-03-03T10:00:00+01:00`), if given.
    pub published: Option<String>,
}

/// A URL compared loosely: host (lower case) and path without a trailing
/// slash or `index.html`; scheme, query and fragment disregarded.
fn same_page(a: &Url, b: &Url) -> bool {
    let key = |u: &Url| {
        let path = u
            .path()
            .trim_end_matches("index.html")
            .trim_end_matches('/');
        (
            u.host_str().map(str::to_ascii_lowercase),
            u.port(),
            percent_encoding::percent_decode_str(path)
                .decode_utf8_lossy()
                .into_owned(),
        )
    };
    key(a) == key(b)
}

/// Whether the page links to `target` (in a link, image, or media
/// element's address).
pub fn links_to(html: &str, base: &Url, target: &Url) -> bool {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let found = std::cell::Cell::new(false);
    let settings = RewriteStrSettings::new().append_element_content_handler(element!(
        "a[href], link[href], area[href], img[src], video[src], audio[src], source[src], iframe[src]",
        |el| {
            let attr = if el.has_attribute("href") { "href" } else { "src" };
            if let Some(v) = el.get_attribute(attr)
                && let Ok(u) = base.join(v.trim())
                && same_page(&u, target)
            {
                found.set(true);
            }
            Ok(())
        }
    ));
    let _ = rewrite_str(html, settings);
    found.get()
}

/// All h-entries in the document, depth first.
fn entries(items: &[Value], out: &mut Vec<Value>) {
    for item in items {
        let is_entry = item["type"]
            .as_array()
            .is_some_and(|t| t.iter().any(|c| c == "h-entry"));
        if is_entry {
            out.push(item.clone());
        }
        if let Some(children) = item["children"].as_array() {
            entries(children, out);
        }
    }
}

/// The URLs a property names: plain URLs, or nested items' `url`s.
fn urls(entry: &Value, property: &str) -> Vec<String> {
    let mut out = Vec::new();
    for v in entry["properties"][property]
        .as_array()
        .into_iter()
        .flatten()
    {
        match v {
            Value::String(s) => out.push(s.clone()),
            Value::Object(_) => {
                for u in v["properties"]["url"].as_array().into_iter().flatten() {
                    if let Some(s) = u.as_str() {
                        out.push(s.to_string());
                    }
                }
                if let Some(s) = v["value"].as_str() {
                    out.push(s.to_string());
                }
            }
            _ => {}
        }
    }
    out
}

fn first_text(entry: &Value, property: &str) -> Option<String> {
    let v = entry["properties"][property].as_array()?.first()?;
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(_) => v["value"].as_str().map(str::to_string),
        _ => None,
    }
}

/// Reads the page's h-entry about `target`.
pub fn read_mention(html: &str, source: &Url, target: &Url) -> Found {
    // The parser panics on some valid markup (an `unreachable!` for an
    // item that is also a `dt-` property, found with the microformats
    // test suite): a page that trips it is read as having none.
    let label = std::path::PathBuf::from(format!("webmention source {source}"));
    let document = crate::crash::guard(&label, || {
        microformats::from_html(html, source)
            .ok()
            .and_then(|d| serde_json::to_value(d).ok())
    })
    .ok()
    .flatten()
    .unwrap_or(Value::Null);
    let mut all = Vec::new();
    entries(
        document["items"].as_array().map_or(&[], Vec::as_slice),
        &mut all,
    );
    let kinds = [
        ("in-reply-to", "reply"),
        ("like-of", "like"),
        ("repost-of", "repost"),
        ("bookmark-of", "bookmark"),
    ];
    let points_here = |entry: &Value, property: &str| {
        urls(entry, property)
            .iter()
            .filter_map(|u| source.join(u).ok())
            .any(|u| same_page(&u, target))
    };
    // The entry that answers the target, else the page's first.
    let chosen = all
        .iter()
        .find(|e| kinds.iter().any(|(p, _)| points_here(e, p)))
        .or(all.first())
        .cloned()
        .unwrap_or(Value::Null);
    let mention = kinds
        .iter()
        .find(|(p, _)| points_here(&chosen, p))
        .map_or("mention", |(_, k)| *k);
    let (mut author, mut author_url) = (None, None);
    if let Some(a) = chosen["properties"]["author"]
        .as_array()
        .and_then(|a| a.first())
    {
        match a {
            Value::String(s) if s.starts_with("http") => author_url = Some(s.clone()),
            Value::String(s) => author = Some(s.clone()),
            Value::Object(_) => {
                author = first_text(a, "name").or_else(|| a["value"].as_str().map(str::to_string));
                author_url = first_text(a, "url");
            }
            _ => {}
        }
    }
    let author = author
        .map(|a| a.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|a| !a.is_empty())
        .or_else(|| {
            author_url
                .as_deref()
                .and_then(|u| Url::parse(u).ok()?.host_str().map(str::to_string))
        })
        .or_else(|| source.host_str().map(str::to_string))
        .unwrap_or_else(|| "Someone".to_string());
    let content = chosen["properties"]["content"]
        .as_array()
        .and_then(|c| c.first())
        .and_then(|c| match c {
            Value::Object(_) => c["html"]
                .as_str()
                .or_else(|| c["value"].as_str())
                .map(str::to_string),
            Value::String(s) => Some(crate::markdown::escape_text(s)),
            _ => None,
        })
        .or_else(|| first_text(&chosen, "summary").map(|s| crate::markdown::escape_text(&s)))
        .unwrap_or_default();
    Found {
        mention,
        author: author.chars().take(100).collect(),
        author_url: author_url.filter(|u| crate::content::comment::safe_author_url(u).is_some()),
        content: content.chars().take(20_000).collect(),
        published: first_text(&chosen, "published"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    const TARGET: &str = "https://responses.example/2026/02/10/open-thread/";

    #[test]
    fn links_are_found_relative_or_loose() {
        let base = url("https://other.example/notes/1");
        let target = url(TARGET);
        assert!(links_to(
            &format!("<p><a href=\"{TARGET}\">x</a>"),
            &base,
            &target
        ));
        assert!(links_to(
            "<a href='http://Responses.example/2026/02/10/open-thread#c1'>x</a>",
            &base,
            &target
        ));
        assert!(!links_to(
            "<a href=\"https://responses.example/2026/02/10/other/\">x</a>",
            &base,
            &target
        ));
        assert!(!links_to(
            "<p>https://responses.example/2026/02/10/open-thread/</p>",
            &base,
            &target
        ));
    }

    #[test]
    fn a_reply_is_read_from_its_h_entry() {
        let html = format!(
            r#"<html><body><div class="h-entry">
              <a class="u-in-reply-to" href="{TARGET}">in reply to</a>
              <p class="p-author h-card"><a class="u-url p-name" href="https://ada.example/">Ada  Example</a></p>
              <time class="dt-published" datetime="2026-02-11T08:00:00Z">Feb 11</time>
              <div class="e-content">I <em>disagree</em>.</div>
            </div></body></html>"#
        );
        let found = read_mention(&html, &url("https://ada.example/notes/1"), &url(TARGET));
        assert_eq!(found.mention, "reply");
        assert_eq!(found.author, "Ada Example");
        assert_eq!(found.author_url.as_deref(), Some("https://ada.example/"));
        assert!(
            found.content.contains("<em>disagree</em>"),
            "{}",
            found.content
        );
        assert_eq!(found.published.as_deref(), Some("2026-02-11T08:00:00Z"));
    }

    #[test]
    fn markup_that_panics_the_parser_is_a_plain_mention() {
        let html = format!(
            r#"<div class="h-entry"><span class="dt-published h-card">2026</span><a class="u-in-reply-to" href="{TARGET}">re</a></div>"#
        );
        let found = read_mention(&html, &url("https://odd.example/1"), &url(TARGET));
        assert_eq!(found.author, "odd.example");
    }

    #[test]
    fn likes_reposts_and_plain_mentions() {
        let like = format!(
            r#"<div class="h-entry"><a class="u-like-of" href="{TARGET}">liked</a><span class="p-author">Bo</span></div>"#
        );
        let found = read_mention(&like, &url("https://bo.example/likes/2"), &url(TARGET));
        assert_eq!((found.mention, found.author.as_str()), ("like", "Bo"));
        let nested = format!(
            r#"<div class="h-entry"><div class="u-repost-of h-cite"><a class="u-url" href="{TARGET}">post</a></div></div>"#
        );
        assert_eq!(
            read_mention(&nested, &url("https://c.example/r"), &url(TARGET)).mention,
            "repost"
        );
        // No microformats at all: a mention by the site's host.
        let plain = format!("<p>See <a href=\"{TARGET}\">this</a>.</p>");
        let found = read_mention(&plain, &url("https://plain.example/p"), &url(TARGET));
        assert_eq!(
            (found.mention, found.author.as_str()),
            ("mention", "plain.example")
        );
    }

    /// Reads every HTML file under `$MF2_TESTS` (e.g. a checkout of the
    /// microformats/tests suite) as a mention: never a panic, always an
    /// author. Run: `MF2_TESTS=dir cargo test --lib -- --ignored mf2_suite --nocapture`.
    #[test]
    #[ignore = "needs a checkout of an mf2 test suite in MF2_TESTS"]
    fn mf2_suite() {
        let Ok(dir) = std::env::var("MF2_TESTS") else {
            return;
        };
        let target = url(TARGET);
        let mut read = 0;
        for entry in walkdir::WalkDir::new(dir)
            .into_iter()
            .filter_map(Result::ok)
        {
            if entry.path().extension().is_some_and(|e| e == "html") {
                let html = std::fs::read_to_string(entry.path()).unwrap_or_default();
                let found = read_mention(&html, &url("https://example.com/entry"), &target);
                assert!(!found.author.is_empty());
                read += 1;
                println!(
                    "{}: {} by {:?} ({} bytes of content, published {:?})",
                    entry.path().display(),
                    found.mention,
                    found.author,
                    found.content.len(),
                    found.published
                );
            }
        }
        println!("{read} pages read");
    }
}

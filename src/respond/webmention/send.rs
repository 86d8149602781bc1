//! `glossator webmention send`: tells the pages a post links to that it
//! did.
//!
//! For each published post whose text changed since the last send, every
//! link to another site is a target (in the text, and a link post's
//! story, `via` and sources' addresses): its endpoint is discovered (the
//! first `Link: <…>; rel="webmention"` header, else the first `<link>` or
//! `<a>` with `rel="webmention"` in the page, resolved against the page's
//! final address) and notified with the post as `source`. Links the post
//! no longer has are notified too, so the other site can take its
//! mention down. What was sent is remembered in
//! `.glossator/webmention/sent.json` (per post: a hash of its text and
//! its targets), so a re-run sends only what changed; a post whose sends
//! failed is tried again next time.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use url::Url;

use super::fetch::Fetcher;
use crate::content::source::{read_sources, walk_sources};
use crate::content::{Item, parse_one};

/// What was sent for one post.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    pub hash: String,
    pub targets: BTreeSet<String>,
}

/// The record of sends, by post address.
pub type Record = BTreeMap<String, Sent>;

fn record_path(root: &Path) -> PathBuf {
    root.join(".glossator/webmention/sent.json")
}

pub fn read_record(root: &Path) -> Record {
    std::fs::read(record_path(root))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

fn write_record(root: &Path, record: &Record) -> anyhow::Result<()> {
    use crate::output::atomic::{Place, Sync, write_atomic};
    crate::respond::key::private_dir(root)?;
    write_atomic(
        &record_path(root),
        &serde_json::to_vec_pretty(record)?,
        Place::Replace,
        Sync::Durable,
    )
}

/// Where a page takes webmentions: from its `Link` headers, else its
/// HTML, resolved against `page_url`.
pub fn discover(page_url: &Url, link_headers: &[String], html: Option<&str>) -> Option<Url> {
    for header in link_headers {
        for part in split_links(header) {
            let Some((target, params)) = part
                .trim()
                .strip_prefix('<')
                .and_then(|p| p.split_once('>'))
            else {
                continue;
            };
            let is_webmention = params.split(';').any(|param| {
                let Some((name, value)) = param.split_once('=') else {
                    return false;
                };
                name.trim().eq_ignore_ascii_case("rel")
                    && value
                        .trim()
                        .trim_matches('"')
                        .split_ascii_whitespace()
                        .any(|r| r.eq_ignore_ascii_case("webmention"))
            });
            if is_webmention && let Ok(u) = page_url.join(target.trim()) {
                return Some(u);
            }
        }
    }
    let html = html?;
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let found: std::cell::RefCell<Option<String>> = std::cell::RefCell::new(None);
    let settings = RewriteStrSettings::new().append_element_content_handler(element!(
        "link[rel][href], a[rel][href]",
        |el| {
            let mut slot = found.borrow_mut();
            if slot.is_none()
                && el.get_attribute("rel").is_some_and(|r| {
                    r.split_ascii_whitespace()
                        .any(|t| t.eq_ignore_ascii_case("webmention"))
                })
            {
                *slot = el.get_attribute("href");
            }
            Ok(())
        }
    ));
    rewrite_str(html, settings).ok()?;
    let found = found.into_inner();
    page_url.join(found?.trim()).ok()
}

/// Splits a `Link` header at the commas between links (not inside `<>`
/// or quotes).
fn split_links(header: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut start, mut angle, mut quoted) = (0, false, false);
    for (i, c) in header.char_indices() {
        match c {
            '<' if !quoted => angle = true,
            '>' if !quoted => angle = false,
            '"' if !angle => quoted = !quoted,
            ',' if !angle && !quoted => {
                parts.push(&header[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&header[start..]);
    parts
}

/// The links of a post's HTML to other sites, absolute, without
/// fragments. Read from the rendered HTML rather than the body's
/// `links` (which lists Markdown's links only), so links written as raw
/// HTML, as imported posts have them, count too.
pub fn outside_links(html: &str, post_url: &Url) -> BTreeSet<String> {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let out: std::cell::RefCell<BTreeSet<String>> = std::cell::RefCell::new(BTreeSet::new());
    let settings =
        RewriteStrSettings::new().append_element_content_handler(element!("a[href]", |el| {
            if let Some(href) = el.get_attribute("href")
                && let Ok(mut u) = post_url.join(href.trim())
                && matches!(u.scheme(), "http" | "https")
                && u.host_str() != post_url.host_str()
            {
                u.set_fragment(None);
                out.borrow_mut().insert(u.to_string());
            }
            Ok(())
        }));
    if rewrite_str(html, settings).is_err() {
        return BTreeSet::new();
    }
    out.into_inner()
}

/// One notification: what was done, for the terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub source: String,
    pub target: String,
    pub result: Result<String, String>,
}

/// What `send` was asked to do.
pub struct SendOptions {
    pub root: PathBuf,
    /// Only these posts (file paths or slugs); all when empty.
    pub posts: Vec<String>,
    pub dry_run: bool,
    pub timeout: std::time::Duration,
}

/// Sends what changed; returns each notification's outcome.
pub fn send(options: &SendOptions) -> anyhow::Result<Vec<Outcome>> {
    let root = &options.root;
    let mut config = crate::config::load_config(root)
        .map_err(|d| anyhow::anyhow!("the site's config has errors: {}", d.summary()))?;
    config.highlight_code = false;
    let now = jiff::Timestamp::now();
    let (found, _) = walk_sources(root, &root.join("content/posts"));
    let mut posts = Vec::new();
    for file in read_sources(found).into_iter().flatten() {
        let rel = file.rel.to_string_lossy().replace('\\', "/");
        if let Some(Item::Post(p)) = parse_one(&file, &config).item
            && !p.draft
            && p.date.timestamp() <= now
            && (options.posts.is_empty()
                || options.posts.iter().any(|want| {
                    let want = want.trim_start_matches("./").replace('\\', "/");
                    want == rel || rel.ends_with(&format!("/{want}")) || want == p.slug
                }))
        {
            posts.push(p);
        }
    }
    let fetcher = Fetcher::new(options.timeout, true);
    let mut record = read_record(root);
    let mut outcomes = Vec::new();
    for post in posts {
        let permalink = config.absolute(&post.url);
        let Ok(post_url) = Url::parse(&permalink) else {
            continue;
        };
        let body = post.body.html.get();
        let mut targets = outside_links(&body, &post_url);
        // A link post's story, and its sources, are linked from the page too.
        for url in post
            .link
            .iter()
            .chain(post.sources.values().filter_map(|s| s.url.as_ref()))
            .chain(post.via.as_ref().and_then(|v| v.url.as_ref()))
        {
            if let Ok(mut u) = post_url.join(url)
                && matches!(u.scheme(), "http" | "https")
                && u.host_str() != post_url.host_str()
            {
                u.set_fragment(None);
                targets.insert(u.to_string());
            }
        }
        let hash = format!(
            "{:016x}",
            xxhash_rust::xxh3::xxh3_64(body.as_bytes())
                ^ xxhash_rust::xxh3::xxh3_64(format!("{targets:?}").as_bytes())
        );
        let before = record.get(&permalink).cloned().unwrap_or_default();
        if before.hash == hash && before.targets == targets {
            continue;
        }
        // New and kept links, and the ones the post dropped.
        let notify: BTreeSet<&String> = targets.iter().chain(&before.targets).collect();
        let mut all_ok = true;
        for target in notify {
            let result = if options.dry_run {
                Ok("would be sent".to_string())
            } else {
                notify_one(&fetcher, &permalink, target)
            };
            all_ok &= result.is_ok();
            outcomes.push(Outcome {
                source: permalink.clone(),
                target: target.clone(),
                result,
            });
        }
        if all_ok && !options.dry_run {
            record.insert(permalink, Sent { hash, targets });
        }
    }
    if !options.dry_run {
        write_record(root, &record)?;
    }
    Ok(outcomes)
}

fn notify_one(fetcher: &Fetcher, source: &str, target: &str) -> Result<String, String> {
    let page = fetcher.get(target)?;
    let page_url = Url::parse(&page.url).map_err(|e| e.to_string())?;
    let html = page
        .body
        .as_deref()
        .filter(|_| page.content_type.contains("html") || page.content_type.is_empty());
    let Some(endpoint) = discover(&page_url, &page.links, html) else {
        return Ok("no webmention endpoint".to_string());
    };
    let status = fetcher.post_form(endpoint.as_str(), &[("source", source), ("target", target)])?;
    if (200..300).contains(&status) {
        Ok(format!("sent to {endpoint} ({status})"))
    } else {
        Err(format!("{endpoint} answered {status}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[test]
    fn endpoints_are_found_in_headers_then_html() {
        let page = url("https://other.example/posts/1");
        assert_eq!(
            discover(&page, &["<https://other.example/x>; rel=\"preload\", </wm?a=1,2>; rel=\"webmention other\"".into()], None),
            Some(url("https://other.example/wm?a=1,2"))
        );
        assert_eq!(
            discover(
                &page,
                &["<https://hub.example/>; rel=hub".into()],
                Some(
                    "<a href=\"/a\" rel=\"webmention\">x</a><link rel=\"webmention\" href=\"/b\">"
                )
            ),
            Some(url("https://other.example/a"))
        );
        // An empty href is the page itself.
        assert_eq!(
            discover(&page, &[], Some("<link rel=\"webmention\" href=\"\">")),
            Some(page.clone())
        );
        assert_eq!(
            discover(
                &page,
                &[],
                Some("<link rel=\"stylesheet\" href=\"/s.css\">")
            ),
            None
        );
    }

    /// The discovery cases of webmention.rocks, reproduced offline.
    #[test]
    fn discovery_follows_the_webmention_rocks_cases() {
        let page = url("https://rocks.example/test/1");
        let h = |v: &str| vec![v.to_string()];
        let cases: Vec<(&str, Vec<String>, &str, Option<&str>)> = vec![
            (
                "1 Link header, unquoted rel, relative",
                h("</test/1/webmention>; rel=webmention"),
                "",
                Some("https://rocks.example/test/1/webmention"),
            ),
            (
                "2 Link header, absolute",
                h("<https://rocks.example/wm/2>; rel=webmention"),
                "",
                Some("https://rocks.example/wm/2"),
            ),
            (
                "3 <link>, relative",
                vec![],
                "<link rel=\"webmention\" href=\"3/wm\">",
                Some("https://rocks.example/test/3/wm"),
            ),
            (
                "4 <link>, absolute",
                vec![],
                "<link rel=\"webmention\" href=\"https://rocks.example/wm/4\">",
                Some("https://rocks.example/wm/4"),
            ),
            (
                "5 <a>, relative",
                vec![],
                "<a rel=\"webmention\" href=\"/wm/5\">x</a>",
                Some("https://rocks.example/wm/5"),
            ),
            (
                "7 strange casing",
                h("</wm/7>; REL=\"WebMention\""),
                "",
                Some("https://rocks.example/wm/7"),
            ),
            (
                "8 quoted rel",
                h("</wm/8>; rel=\"webmention\""),
                "",
                Some("https://rocks.example/wm/8"),
            ),
            (
                "9 several rels on <link>",
                vec![],
                "<link rel=\"webmention somethingelse\" href=\"/wm/9\">",
                Some("https://rocks.example/wm/9"),
            ),
            (
                "10 several rels in Link",
                h("</wm/10>; rel=\"webmention somethingelse\""),
                "",
                Some("https://rocks.example/wm/10"),
            ),
            (
                "11 Link wins over HTML",
                h("</wm/11>; rel=webmention"),
                "<link rel=\"webmention\" href=\"/no\"><a rel=\"webmention\" href=\"/no\">x</a>",
                Some("https://rocks.example/wm/11"),
            ),
            (
                "12 exact rel only",
                vec![],
                "<link rel=\"not-webmention\" href=\"/no\"><link rel=\"webmention\" href=\"/wm/12\">",
                Some("https://rocks.example/wm/12"),
            ),
            (
                "13 not in a comment",
                vec![],
                "<!-- <link rel=\"webmention\" href=\"/no\"> --><link rel=\"webmention\" href=\"/wm/13\">",
                Some("https://rocks.example/wm/13"),
            ),
            (
                "14 not in escaped HTML",
                vec![],
                "<code>&lt;a href=\"/no\" rel=\"webmention\"&gt;</code><a rel=\"webmention\" href=\"/wm/14\">x</a>",
                Some("https://rocks.example/wm/14"),
            ),
            (
                "15 empty href is the page",
                vec![],
                "<link rel=\"webmention\" href=\"\">",
                Some("https://rocks.example/test/1"),
            ),
            (
                "16 <a> before <link>",
                vec![],
                "<a rel=\"webmention\" href=\"/wm/16\">x</a><link rel=\"webmention\" href=\"/no\">",
                Some("https://rocks.example/wm/16"),
            ),
            (
                "17 <link> before <a>",
                vec![],
                "<link rel=\"webmention\" href=\"/wm/17\"><a rel=\"webmention\" href=\"/no\">x</a>",
                Some("https://rocks.example/wm/17"),
            ),
            (
                "18 several Link headers",
                vec!["</no>; rel=other".into(), "</wm/18>; rel=webmention".into()],
                "",
                Some("https://rocks.example/wm/18"),
            ),
            (
                "19 one header, several links",
                h("</no>; rel=\"other\", </wm/19>; rel=\"webmention\""),
                "",
                Some("https://rocks.example/wm/19"),
            ),
            (
                "20 <link> without href skipped",
                vec![],
                "<link rel=\"webmention\"><a rel=\"webmention\" href=\"/wm/20\">x</a>",
                Some("https://rocks.example/wm/20"),
            ),
            (
                "21 query string kept",
                vec![],
                "<link rel=\"webmention\" href=\"/wm/21?query=yes\">",
                Some("https://rocks.example/wm/21?query=yes"),
            ),
            ("none", vec![], "<p>nothing</p>", None),
        ];
        for (name, headers, body, want) in cases {
            assert_eq!(
                discover(&page, &headers, Some(body))
                    .map(|u| u.to_string())
                    .as_deref(),
                want,
                "{name}"
            );
        }
        // 23: relative to the page's address after redirects.
        let moved = url("https://rocks.example/test/23/page/final");
        assert_eq!(
            discover(&moved, &h("<webmention>; rel=webmention"), None)
                .map(|u| u.to_string())
                .as_deref(),
            Some("https://rocks.example/test/23/page/webmention")
        );
    }

    #[test]
    fn only_links_to_other_sites_are_targets() {
        let post = url("https://me.example/2026/03/03/post/");
        let links = outside_links(
            "<a href=\"/about/\">me</a> <a href=\"https://news.example/story#p2\">x</a> <a href=\"mailto:a@b\">m</a>",
            &post,
        );
        assert_eq!(
            links.into_iter().collect::<Vec<_>>(),
            ["https://news.example/story"]
        );
    }
}

//! Feeds: Atom, RSS 2.0 and JSON Feed 1.1, with full content.
//!
//! Atom and RSS are Tera templates (`atom.xml`, `rss.xml` in the default
//! theme), so a theme can change them; Tera escapes XML for `.xml`
//! templates. JSON Feed is serialized from typed structs with serde_json,
//! which gets JSON escaping right by construction. All three are filled
//! from one [`FeedView`].
//!
//! Feeds always carry the whole post, whatever `<!-- more -->` says, with
//! every relative link and image made absolute (feed readers have no page
//! to resolve them against; see [`crate::render::feed_links`], which covers
//! raw HTML in posts too). A link post's entry points at the linked page
//! and its content ends with a permalink back to ours.

use std::sync::Arc;

use serde::Serialize;
use url::Url;

use crate::config::Config;
use crate::content::{Kind, Post};
use crate::render::reads::{Reads, Shared};
use crate::site::PostId;

/// Which feed file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FeedFormat {
    Atom,
    Rss,
    Json,
}

impl FeedFormat {
    pub fn mime(self) -> &'static str {
        match self {
            FeedFormat::Atom => "application/atom+xml",
            FeedFormat::Rss => "application/rss+xml",
            FeedFormat::Json => "application/feed+json",
        }
    }

    pub fn template(self) -> &'static str {
        match self {
            FeedFormat::Atom => "atom.xml",
            FeedFormat::Rss => "rss.xml",
            FeedFormat::Json => "",
        }
    }
}

/// One feed: what it is about and its newest posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FeedSpec {
    pub title: String,
    /// Site path of the page the feed belongs to (`/tags/russia/`).
    pub home: String,
    /// Site path of the feed file itself (`/tags/russia/atom.xml`).
    pub path: String,
    /// Newest first, at most `feeds.entries`.
    pub posts: Vec<PostId>,
}

/// `feed`, in `atom.xml` and `rss.xml`.
#[derive(Debug, Serialize)]
pub struct FeedView {
    pub title: String,
    pub subtitle: String,
    /// A permanent id: the absolute URL of the feed's page.
    pub id: String,
    /// Absolute URL of this feed file.
    pub url: String,
    /// Absolute URL of the page the feed belongs to.
    pub home: String,
    /// RFC 3339: the latest entry's `updated`.
    pub updated: String,
    /// RFC 2822, for RSS.
    pub updated_rfc2822: String,
    pub language: String,
    pub author: String,
    pub author_email: Option<String>,
    pub author_url: Option<String>,
    pub entries: Vec<FeedEntryView>,
}

#[derive(Debug, Serialize)]
pub struct FeedEntryView {
    pub title: String,
    /// Our permalink, the entry's permanent id.
    pub id: String,
    /// Where the entry links: the linked page for link posts, else ours.
    pub url: String,
    pub permalink: String,
    /// Link posts: the linked page.
    pub external_url: Option<String>,
    pub published: String,
    pub updated: String,
    pub published_rfc2822: String,
    pub author: String,
    pub categories: Vec<String>,
    /// The whole post as HTML, links absolute.
    pub content: Shared<Arc<str>>,
    /// Plain text.
    pub summary: String,
}

/// Categories an entry lists at most: a post with thousands of tags (a
/// keyword list imported as tags) would otherwise put all of them in every
/// one of its thousands of tag feeds.
const MAX_CATEGORIES: usize = 20;

/// Text without the code points XML 1.0 does not allow even escaped
/// (C0 controls but tab and line breaks, U+FFFE, U+FFFF), by the same rule
/// as the HTML pages ([`crate::markdown::is_forbidden_char`]), which also
/// drops the C1 controls and noncharacters that HTML forbids in the
/// content a feed carries.
fn xml_safe(text: &str) -> String {
    crate::markdown::without_forbidden(text).into_owned()
}

fn rfc2822(ts: jiff::Timestamp) -> String {
    jiff::fmt::rfc2822::to_string(&ts.to_zoned_datetime(jiff::tz::TimeZone::UTC))
        .unwrap_or_default()
}

/// The feed's HTML for a post: the whole post, absolute links, and for
/// link posts a permalink back to ours. Made once per post (see
/// `render::reads`), whatever the number of feeds it is in.
pub fn feed_html(config: &Config, post: &Post) -> String {
    let permalink = config.absolute(&post.url);
    let body = post.body.html.get();
    let mut html = match Url::parse(&permalink) {
        Ok(base) => crate::render::feed_links::absolute_html(&body, &base),
        Err(_) => body.to_string(),
    };
    if post.kind == Kind::Link {
        html.push_str(&format!(
            "<p><a href=\"{}\">★ Permalink</a></p>\n",
            crate::markdown::escape_attr(&permalink)
        ));
    }
    match crate::markdown::without_forbidden(&html) {
        std::borrow::Cow::Borrowed(_) => html,
        std::borrow::Cow::Owned(clean) => clean,
    }
}

fn entry(r: &Reads<'_>, id: PostId) -> FeedEntryView {
    let site = r.site();
    let post: &Post = r.post(id);
    let permalink = site.config.absolute(&post.url);
    let updated = post.last_changed();
    FeedEntryView {
        title: xml_safe(&post.title),
        id: permalink.clone(),
        url: post
            .link
            .clone()
            .filter(|_| post.kind == Kind::Link)
            .unwrap_or_else(|| permalink.clone()),
        external_url: post.link.clone().filter(|_| post.kind == Kind::Link),
        permalink,
        published: post.date.timestamp().to_string(),
        updated: updated.to_string(),
        published_rfc2822: rfc2822(post.date.timestamp()),
        author: post
            .author
            .clone()
            .unwrap_or_else(|| site_author(&site.config)),
        categories: post
            .tags
            .iter()
            .chain(&post.categories)
            .take(MAX_CATEGORIES)
            .map(|c| xml_safe(c))
            .collect(),
        content: r.feed_html(id),
        summary: xml_safe(&post.body.summary_text),
    }
}

fn site_author(c: &Config) -> String {
    if c.author.name.is_empty() {
        c.title.clone()
    } else {
        c.author.name.clone()
    }
}

/// Builds the view a feed template sees.
pub fn feed_view(r: &Reads<'_>, spec: &FeedSpec) -> FeedView {
    let c = &r.site().config;
    let entries: Vec<FeedEntryView> = spec.posts.iter().map(|&id| entry(r, id)).collect();
    let latest = spec
        .posts
        .iter()
        .map(|&id| r.post(id).last_changed())
        .max()
        .unwrap_or(jiff::Timestamp::UNIX_EPOCH);
    FeedView {
        title: xml_safe(&spec.title),
        subtitle: xml_safe(&c.description),
        id: c.absolute(&spec.home),
        url: c.absolute(&spec.path),
        home: c.absolute(&spec.home),
        updated: latest.to_string(),
        updated_rfc2822: rfc2822(latest),
        language: c.language.clone(),
        author: site_author(c),
        author_email: c.author.email.clone(),
        author_url: c.author.url.clone(),
        entries,
    }
}

/// JSON Feed 1.1, <https://www.jsonfeed.org/version/1.1/>.
#[derive(Serialize)]
struct JsonFeed<'a> {
    version: &'static str,
    title: &'a str,
    home_page_url: &'a str,
    feed_url: &'a str,
    #[serde(skip_serializing_if = "str::is_empty")]
    description: &'a str,
    language: &'a str,
    authors: Vec<JsonAuthor<'a>>,
    items: Vec<JsonItem<'a>>,
}

#[derive(Serialize)]
struct JsonAuthor<'a> {
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

#[derive(Serialize)]
struct JsonItem<'a> {
    id: &'a str,
    url: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    external_url: Option<&'a str>,
    title: &'a str,
    content_html: &'a str,
    summary: &'a str,
    date_published: &'a str,
    date_modified: &'a str,
    authors: Vec<JsonAuthor<'a>>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    tags: &'a [String],
}

/// Serializes a feed view as JSON Feed.
pub fn json_feed(view: &FeedView) -> Vec<u8> {
    let feed = JsonFeed {
        version: "https://jsonfeed.org/version/1.1",
        title: &view.title,
        home_page_url: &view.home,
        feed_url: &view.url,
        description: &view.subtitle,
        language: &view.language,
        authors: vec![JsonAuthor {
            name: &view.author,
            url: view.author_url.as_deref(),
        }],
        items: view
            .entries
            .iter()
            .map(|e| JsonItem {
                id: &e.id,
                url: &e.permalink,
                external_url: e.external_url.as_deref(),
                title: &e.title,
                content_html: &e.content,
                summary: &e.summary,
                date_published: &e.published,
                date_modified: &e.updated,
                authors: vec![JsonAuthor {
                    name: &e.author,
                    url: None,
                }],
                tags: &e.categories,
            })
            .collect(),
    };
    serde_json::to_vec_pretty(&feed).unwrap_or_default()
}

/// A feed as advertised in `<link rel="alternate">`.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FeedLink {
    pub title: String,
    /// The format's name (`Atom`, `RSS`, `JSON Feed`), for a link's text.
    pub name: &'static str,
    pub url: String,
    pub mime: &'static str,
}

/// Shared spec for jobs.
pub type SharedFeed = Arc<FeedSpec>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_forbidden_characters_are_dropped() {
        assert_eq!(xml_safe("a\u{8}b\tc\u{FFFF}"), "ab\tc");
    }
}

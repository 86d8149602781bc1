//! What templates see: the documented view types.
//!
//! Templates never see internal structs. Each view here borrows from the
//! frozen [`Site`] and is serialized into a Tera value: a post's list
//! value is shared (Tera values are reference counted) by every list page
//! it appears on; a one-shot build makes its view a second time, with
//! `content`, for its own page, rather than hold every list value while
//! the post pages are made (`render::reads`). The fields are
//! documented for theme authors in `docs/templates.md`; keep the two in
//! step.

use serde::Serialize;
use tera::Value;

use crate::config::{Author, Config, TaxonomyKind};
use crate::content::comment::Thread;
use crate::content::{CommentMode, Page, Post, meta_description};
use crate::markdown::Heading;
use crate::render::reads::Reads;
use crate::render::terms::TermValues;
use crate::site::{PostId, Site};

/// `site`: in every template (Tera's global context).
#[derive(Serialize)]
pub struct SiteView<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub base_url: &'a str,
    /// Prefix for site links when served from a sub-folder (`/blog`), else empty.
    pub base_path: &'a str,
    pub language: &'a str,
    pub timezone: &'a str,
    pub author: &'a Author,
    /// Stand-alone pages, for navigation.
    pub pages: Vec<LinkView<'a>>,
    pub tags_url: Option<String>,
    pub categories_url: Option<String>,
    pub post_count: usize,
    /// The site-wide feeds: `[{ title, name, url, mime }]`.
    pub feeds: Vec<crate::render::feeds::FeedLink>,
    pub generator: &'static str,
    /// `[comments] endpoint`: where the comment form posts, if anywhere.
    pub comments_endpoint: Option<&'a str>,
    /// Where other sites send webmentions: the endpoint's `webmention`.
    pub webmention_endpoint: Option<String>,
    /// `[comments] how` as HTML: how to comment when there is no form.
    pub comments_how: Option<&'a str>,
    pub extra: &'a toml::Table,
}

/// A title and a URL.
#[derive(Serialize)]
pub struct LinkView<'a> {
    pub title: &'a str,
    pub url: String,
}

/// `post`: a post, in its own page and in lists.
#[derive(Serialize)]
pub struct PostView<'a> {
    pub kind: &'static str,
    pub title: &'a str,
    pub title_derived: bool,
    pub slug: &'a str,
    /// Link to the post, e.g. `/2009/03/03/slug/`.
    pub url: String,
    /// Absolute URL.
    pub permalink: String,
    /// RFC 3339; format with the `date` filter.
    pub date: String,
    pub updated: Option<String>,
    pub draft: bool,
    /// Listed first on the home page.
    pub pinned: bool,
    /// `[{ name, slug, url }]`, each made once for all the posts that
    /// carry it (`render::terms`).
    pub tags: Vec<Value>,
    pub categories: Vec<Value>,
    pub series: Option<&'a str>,
    /// HTML: the front matter `summary` (as Markdown), else the body's
    /// summary cut.
    pub summary: &'a str,
    pub has_more: bool,
    /// Plain text for meta descriptions: `description`, else the summary.
    pub description: String,
    pub image: Option<&'a str>,
    /// `image` as an absolute URL, for OpenGraph.
    pub image_url: Option<String>,
    /// Link posts: the page the post is about.
    pub link: Option<&'a str>,
    /// Link posts: the linked page's site (`nytimes.com`), without `www.`.
    pub link_domain: Option<String>,
    /// Link posts: who pointed the way.
    pub via: Option<ViaView<'a>>,
    pub sources: Vec<SourceView<'a>>,
    /// Front matter updates, oldest first.
    pub updates: Vec<UpdateView<'a>>,
    pub words: usize,
    pub reading_minutes: usize,
    pub headings: &'a [Heading],
    pub author: &'a str,
    /// `open`, `closed` or `off`.
    pub comments_mode: &'static str,
    /// 0 when comments are off.
    pub comment_count: usize,
    /// The comment form's signed token, when the form is on (`[comments]
    /// endpoint` set) and comments are open.
    pub comment_token: Option<String>,
    pub source_path: String,
    pub extra: &'a serde_json::Value,
    /// HTML: the whole post, on its own page only (lists have no
    /// `content`). Last, as [`with_content`] adds it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub content: Option<std::sync::Arc<str>>,
}

#[derive(Serialize)]
pub struct ViaView<'a> {
    pub name: &'a str,
    pub url: Option<&'a str>,
}

/// A declared source.
#[derive(Serialize)]
pub struct SourceView<'a> {
    pub id: &'a str,
    pub publication: Option<&'a str>,
    pub author: Option<&'a str>,
    pub title: Option<&'a str>,
    pub url: Option<&'a str>,
    pub date: Option<String>,
    pub retrieved: Option<String>,
    pub archive: Option<&'a str>,
    /// When `check --refresh` found the page changed since the snapshot
    /// was taken: `{ found, what, details }` (`what` is `changed`, `moved`
    /// or `gone`).
    pub changed: Option<&'a crate::sources::ChangeMark>,
    /// The snapshot's address, when `[sources] publish_snapshots` is on.
    pub snapshot_url: Option<String>,
}

#[derive(Serialize)]
pub struct UpdateView<'a> {
    pub at: String,
    /// HTML.
    pub note: &'a str,
}

/// `page`: a stand-alone page.
#[derive(Serialize)]
pub struct PageView<'a> {
    pub title: &'a str,
    pub slug: &'a str,
    pub url: String,
    pub permalink: String,
    pub date: Option<String>,
    pub content: std::sync::Arc<str>,
    pub description: String,
    pub words: usize,
    pub headings: &'a [Heading],
    pub source_path: String,
    pub extra: &'a serde_json::Value,
}

/// `paginator`: one page of a list.
#[derive(Serialize)]
pub struct PaginatorView {
    /// 1-based.
    pub number: usize,
    pub total_pages: usize,
    pub total_items: usize,
    pub per_page: usize,
    /// Post views (as in `post`, without `content`).
    pub items: Vec<ListItem>,
    pub previous: Option<String>,
    pub next: Option<String>,
    pub first: String,
    pub last: String,
    pub pages: Vec<PageLinkView>,
}

/// A post on a list page: its shared list value, or (whole posts on the
/// home page) a value of its own with `content`.
#[derive(Serialize)]
#[serde(untagged)]
pub enum ListItem {
    Shared(crate::render::reads::Shared<Value>),
    Whole(Value),
}

#[derive(Serialize)]
pub struct PageLinkView {
    pub number: usize,
    pub url: String,
}

/// `list`: what a list page lists.
#[derive(Serialize)]
pub struct ListView<'a> {
    /// `home`, `tag`, `category` or a kind (`link`, `quote`, `note`, `entry`).
    pub kind: &'a str,
    pub title: String,
    /// The list's first page.
    pub url: String,
    /// For tag and category lists: the term's name.
    pub name: Option<&'a str>,
    /// The list's Atom feed, when it has one.
    pub feed_url: Option<String>,
    /// Items carry `content`, the whole post (`[home] full_posts`).
    pub full_posts: bool,
}

/// `taxonomy`: the list of all tags or categories.
#[derive(Serialize)]
pub struct TaxonomyView<'a> {
    pub name: &'static str,
    pub title: &'a str,
    pub url: String,
    pub terms: Vec<TermView<'a>>,
}

#[derive(Serialize)]
pub struct TermView<'a> {
    pub name: &'a str,
    pub slug: &'a str,
    pub url: String,
    pub count: usize,
}

/// Builds the global `site` view.
pub fn site_view(site: &Site) -> SiteView<'_> {
    let c = &site.config;
    let taxonomy_url = |k: TaxonomyKind| {
        let t = c.taxonomy(k);
        (t.enabled && !site.terms(k).is_empty()).then(|| c.link(&format!("/{}/", t.path)))
    };
    SiteView {
        title: &c.title,
        description: &c.description,
        base_url: &c.base_url,
        base_path: c.base_path(),
        language: &c.language,
        timezone: &c.timezone_name,
        author: &c.author,
        pages: site
            .pages
            .iter()
            .map(|p| LinkView {
                title: &p.title,
                url: c.link(&p.url),
            })
            .collect(),
        tags_url: taxonomy_url(TaxonomyKind::Tags),
        categories_url: taxonomy_url(TaxonomyKind::Categories),
        post_count: site.posts.len(),
        feeds: [
            ("Atom", "/atom.xml", crate::render::feeds::FeedFormat::Atom),
            ("RSS", "/rss.xml", crate::render::feeds::FeedFormat::Rss),
            (
                "JSON Feed",
                "/feed.json",
                crate::render::feeds::FeedFormat::Json,
            ),
        ]
        .into_iter()
        .map(|(name, path, format)| crate::render::feeds::FeedLink {
            title: format!("{} ({name})", c.title),
            name,
            url: c.link(path),
            mime: format.mime(),
        })
        .collect(),
        generator: concat!("glossator ", env!("CARGO_PKG_VERSION")),
        comments_endpoint: c.comments_endpoint.as_deref(),
        comments_how: c.comments_how.as_deref(),
        webmention_endpoint: c
            .comments_endpoint
            .as_deref()
            .map(|e| format!("{}/webmention", e.trim_end_matches('/'))),
        extra: &c.extra,
    }
}

/// Words per minute for reading time.
const READING_WPM: usize = 230;

pub fn reading_minutes(words: usize) -> usize {
    words.div_ceil(READING_WPM).max(1)
}

/// Builds a post's view. It reads only the post, its comments and the
/// config (and the term values made from the config): the per-post memo
/// (`render::reads`) relies on that. `share` off makes every term value
/// anew.
pub fn post_view<'a>(
    config: &'a Config,
    post: &'a Post,
    comments: &[Thread],
    terms: &TermValues,
    share: bool,
) -> PostView<'a> {
    let summary = post.body.summary_html.as_str();
    let description = post.meta_description.clone();
    PostView {
        kind: post.kind.name(),
        title: &post.title,
        title_derived: post.title_derived,
        slug: &post.slug,
        url: config.link(&post.url),
        permalink: config.absolute(&post.url),
        date: post.date.timestamp().to_string(),
        updated: post.updated.as_ref().map(|u| u.timestamp().to_string()),
        draft: post.draft,
        pinned: post.pinned,
        tags: terms.of(
            config,
            TaxonomyKind::Tags,
            &post.tags,
            &post.tag_slugs,
            share,
        ),
        categories: terms.of(
            config,
            TaxonomyKind::Categories,
            &post.categories,
            &post.category_slugs,
            share,
        ),
        series: post.series.as_deref(),
        summary,
        has_more: post.body.has_more,
        description,
        image: post.image.as_deref(),
        image_url: post_image_url(config, post),
        link: post.link.as_deref(),
        link_domain: post.link.as_deref().and_then(|l| {
            let url = url::Url::parse(l).ok()?;
            let host = url.host_str()?;
            Some(host.strip_prefix("www.").unwrap_or(host).to_string())
        }),
        via: post.via.as_ref().map(|v| ViaView {
            name: &v.name,
            url: v.url.as_deref(),
        }),
        sources: post
            .sources
            .values()
            .map(|s| SourceView {
                id: &s.id,
                publication: s.publication.as_deref(),
                author: s.author.as_deref(),
                title: s.title.as_deref(),
                url: s.url.as_deref(),
                date: s.date.as_ref().map(|d| d.timestamp().to_string()),
                retrieved: s.retrieved.as_ref().map(|d| d.timestamp().to_string()),
                archive: s.archive.as_deref(),
                changed: s
                    .snapshot
                    .as_ref()
                    .and_then(|(path, _)| config.source_changes.get(path)),
                snapshot_url: s
                    .snapshot
                    .as_ref()
                    .filter(|_| config.publish_snapshots)
                    .map(|(path, _)| {
                        let web: Vec<&str> = path.iter().filter_map(|c| c.to_str()).collect();
                        config.link(&format!("/{}", web.join("/")))
                    }),
            })
            .collect(),
        updates: post
            .updates
            .iter()
            .map(|u| UpdateView {
                at: u.at.timestamp().to_string(),
                note: &u.note_html,
            })
            .collect(),
        words: post.body.words,
        reading_minutes: reading_minutes(post.body.words),
        headings: &post.body.headings,
        author: post.author.as_deref().unwrap_or(&config.author.name),
        comments_mode: match post.comments {
            CommentMode::Open => "open",
            CommentMode::Closed => "closed",
            CommentMode::Off => "off",
        },
        comment_count: if post.comments == CommentMode::Off {
            0
        } else {
            comments.iter().map(|t| t.len()).sum()
        },
        comment_token: match (&config.comments_key, post.comments) {
            (Some(key), CommentMode::Open) if config.comments_endpoint.is_some() => {
                Some(key.form_token(&post.slug))
            }
            _ => None,
        },
        source_path: post.source.display().to_string(),
        extra: &post.extra,
        content: None,
    }
}

/// A post's `image_url`: its image as an absolute URL.
fn post_image_url(config: &Config, post: &Post) -> Option<String> {
    let img = post.image.as_deref()?;
    let base = url::Url::parse(&config.absolute(&post.url)).ok()?;
    base.join(img).ok().map(String::from)
}

/// Builds a page's view.
pub fn page_view<'a>(site: &'a Site, page: &'a Page) -> PageView<'a> {
    PageView {
        title: &page.title,
        slug: &page.slug,
        url: site.config.link(&page.url),
        permalink: site.config.absolute(&page.url),
        date: page.date.as_ref().map(|d| d.timestamp().to_string()),
        content: page.body.html.get(),
        description: meta_description(page.description.as_deref(), &page.body.summary_text),
        words: page.body.words,
        headings: &page.body.headings,
        source_path: page.source.display().to_string(),
        extra: &page.extra,
    }
}

/// A map value with one more field at the end: `value`'s own map when
/// nothing else holds it (a list value made only to make this one), else
/// a copy.
pub fn with_field(value: Value, key: &'static str, field: Value) -> Value {
    let mut map = value.into_map().unwrap_or_default();
    map.insert(key.into(), field);
    Value::from(map)
}

/// A post's value for its own page: the list value plus `content`.
pub fn with_content(list_value: Value, html: &str) -> Value {
    with_field(list_value, "content", Value::from(html))
}

/// A post's value on a list of whole posts (`[home] full_posts`): the
/// list value plus `content`, its ids prefixed with the slug so that
/// several posts' footnotes and headings do not collide on one page.
pub fn with_namespaced_content(list_value: &Value, post: &Post, page_url: &str) -> Value {
    let prefix = format!("{}--", post.slug);
    let html = crate::markdown::ids::namespace_ids(&post.body.html.get(), &prefix, page_url);
    with_content(list_value.clone(), &html)
}

/// A post named in another post's page: related posts, series parts.
#[derive(Serialize)]
pub struct PostRef<'a> {
    pub title: &'a str,
    pub url: String,
    pub date: String,
}

fn post_ref<'a>(r: &Reads<'a>, id: PostId) -> PostRef<'a> {
    let p = r.post(id);
    PostRef {
        title: &p.title,
        url: r.site().config.link(&p.url),
        date: p.date.timestamp().to_string(),
    }
}

/// `related`: the posts sharing the most tags with this one.
pub fn related<'a>(r: &Reads<'a>, id: PostId) -> Vec<PostRef<'a>> {
    r.site().related[id]
        .iter()
        .map(|&other| post_ref(r, other))
        .collect()
}

/// `series`, on a post page: where the post sits in its series.
#[derive(Serialize)]
pub struct SeriesPlaceView<'a> {
    pub name: &'a str,
    pub url: String,
    /// 1-based.
    pub part: usize,
    pub total: usize,
    pub previous: Option<PostRef<'a>>,
    pub next: Option<PostRef<'a>>,
}

pub fn series_place<'a>(r: &Reads<'a>, id: PostId) -> Option<SeriesPlaceView<'a>> {
    let site = r.site();
    let place = site.series_of[id]?;
    let s = &site.series[place.series];
    Some(SeriesPlaceView {
        name: &s.name,
        url: site.config.link(&crate::urls::series_path(&s.slug)),
        part: place.index + 1,
        total: s.posts.len(),
        previous: place.index.checked_sub(1).map(|i| post_ref(r, s.posts[i])),
        next: s.posts.get(place.index + 1).map(|&i| post_ref(r, i)),
    })
}

/// `{title, url}` of a neighbouring post.
pub fn neighbour<'a>(r: &Reads<'a>, id: Option<PostId>) -> Option<LinkView<'a>> {
    let id = id.filter(|&i| i < r.site().posts.len())?;
    let p = r.post(id);
    Some(LinkView {
        title: &p.title,
        url: r.site().config.link(&p.url),
    })
}

/// `meta`: what the head's description, OpenGraph and Twitter tags say.
#[derive(Serialize)]
pub struct MetaView {
    pub description: String,
    /// `article` for posts, `website` otherwise.
    pub og_type: &'static str,
    /// Absolute URL of the page's image, if it has one.
    pub image: Option<String>,
}

pub fn meta(r: &Reads<'_>, job: &crate::render::Job) -> MetaView {
    use crate::render::JobKind;
    let site = r.site();
    match &job.kind {
        JobKind::Post(id) => {
            // As the post's value says, made without it: a one-shot build
            // makes list values only when the lists are made (see
            // `Reads::value`).
            let post = r.post(*id);
            MetaView {
                description: post.meta_description.clone(),
                og_type: "article",
                image: post_image_url(&site.config, post),
            }
        }
        JobKind::Page(id) => MetaView {
            description: page_view(site, &site.pages[*id]).description,
            og_type: "website",
            image: None,
        },
        _ => MetaView {
            description: site.config.description.clone(),
            og_type: "website",
            image: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn with_field_adds_the_field_last_and_leaves_a_shared_value_alone() {
        // As a post's view is serialized: 32 fields.
        let fields: Vec<&'static str> = (0..32).map(|i| &*format!("field{i}").leak()).collect();
        let base = || {
            let mut map = tera::Map::with_capacity(fields.len());
            for &field in &fields {
                map.insert(field.into(), Value::from(field));
            }
            Value::from(map)
        };
        let kept = base();
        let content = || Value::from("<p>A</p>");
        for made in [
            with_field(base(), "content", content()),
            with_field(kept.clone(), "content", content()),
        ] {
            let made = made.as_map().unwrap();
            let keys: Vec<&str> = made.keys().filter_map(|k| k.as_str()).collect();
            assert_eq!(keys[..32], fields[..]);
            assert_eq!(keys[32..], ["content"]);
            let last = made.last().and_then(|(_, v)| v.as_str());
            assert_eq!(last, Some("<p>A</p>"));
        }
        // A value held elsewhere (a kept list value) is copied, not changed.
        assert_eq!(kept.as_map().map(|m| m.len()), Some(fields.len()));
    }
}

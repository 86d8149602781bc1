//! Every other way a reader finds a post: date archives, series pages,
//! the sitemap, the search index, and redirects from old URLs.
//!
//! Each builds a view (or, for the search index, JSON bytes) from the
//! frozen site; templates in the default theme (`archive.html`,
//! `series.html`, `sitemap.xml`, `robots.txt`, `alias.html`, `search.html`)
//! turn the views into pages and a theme may replace any of them.

use serde::Serialize;
use tera::Value;

use crate::config::Config;
use crate::content::Post;
use crate::markdown::first_words;
use crate::render::reads::{Reads, Shared};
use crate::site::{PostId, Site};
use crate::urls::series_path;
use crate::urls::{day_path, month_path, year_path};

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub fn month_name(m: i8) -> &'static str {
    MONTHS
        .get((m as usize).wrapping_sub(1))
        .copied()
        .unwrap_or("")
}

/// A post as listed in the archive: title, link, date, kind.
#[derive(Serialize)]
pub struct ArchivePost<'a> {
    /// Only in tests: a field no fingerprint was told about, to show that
    /// what a page shows is what invalidates it.
    #[cfg(test)]
    pub words: usize,
    pub title: &'a str,
    pub url: String,
    pub date: String,
    /// The day of the month in the site's time zone: the archive lists
    /// every post, and a number printed costs a theme far less than a
    /// `date` filter called ten thousand times.
    pub day: i8,
    pub kind: &'static str,
}

#[derive(Serialize)]
pub struct ArchiveMonth {
    pub month: i8,
    pub name: &'static str,
    /// The name's first three letters (`Jan`), as `%b` prints it.
    pub abbr: &'static str,
    pub url: String,
    pub count: usize,
    /// [`ArchivePost`] values, made once per post.
    pub posts: Vec<Shared<Value>>,
}

#[derive(Serialize)]
pub struct ArchiveYear {
    pub year: i16,
    pub url: String,
    pub count: usize,
    pub months: Vec<ArchiveMonth>,
}

/// `archive`, for `/archive/`: every post by year and month.
#[derive(Serialize)]
pub struct ArchiveView {
    pub total: usize,
    pub years: Vec<ArchiveYear>,
}

/// A post as the archive lists it.
pub fn archive_post<'a>(c: &Config, p: &'a Post) -> ArchivePost<'a> {
    ArchivePost {
        #[cfg(test)]
        words: p.body.words,
        title: &p.title,
        url: c.link(&p.url),
        date: p.date.timestamp().to_string(),
        day: p.date.day(),
        kind: p.kind.name(),
    }
}

pub fn archive_view(r: &Reads<'_>) -> ArchiveView {
    let site = r.site();
    let c = &site.config;
    ArchiveView {
        total: site.posts.len(),
        years: site
            .archive
            .years
            .iter()
            .map(|y| ArchiveYear {
                year: y.year,
                url: c.link(&year_path(y.year)),
                count: y.posts.len(),
                months: y
                    .months
                    .iter()
                    .map(|m| {
                        let name = month_name(m.month);
                        ArchiveMonth {
                            month: m.month,
                            name,
                            abbr: name.get(..3).unwrap_or(""),
                            url: c.link(&month_path(y.year, m.month)),
                            count: m.posts.len(),
                            posts: m.posts.iter().map(|&id| r.archive_entry(id)).collect(),
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// Titles of the date archive lists.
pub fn year_title(y: i16) -> String {
    format!("{y}")
}

pub fn month_title(y: i16, m: i8) -> String {
    format!("{} {y}", month_name(m))
}

pub fn day_title(y: i16, m: i8, d: i8) -> String {
    format!("{} {d}, {y}", month_name(m))
}

/// Site paths of every date archive list, with titles and posts (days
/// only with `[archives] days`, the default).
pub fn date_lists(site: &Site) -> Vec<(String, String, &'static str, Vec<PostId>)> {
    let mut out = Vec::new();
    for y in &site.archive.years {
        out.push((
            year_path(y.year),
            year_title(y.year),
            "year",
            y.posts.clone(),
        ));
        for m in &y.months {
            out.push((
                month_path(y.year, m.month),
                month_title(y.year, m.month),
                "month",
                m.posts.clone(),
            ));
            if !site.config.day_archives {
                continue;
            }
            for d in &m.days {
                out.push((
                    day_path(y.year, m.month, d.day),
                    day_title(y.year, m.month, d.day),
                    "day",
                    d.posts.clone(),
                ));
            }
        }
    }
    out
}

/// `series`, for a series page.
#[derive(Serialize)]
pub struct SeriesView {
    pub name: String,
    pub url: String,
    pub feed_url: String,
    /// Post views, part 1 first.
    pub posts: Vec<Shared<Value>>,
}

pub fn series_view(r: &Reads<'_>, index: usize) -> SeriesView {
    let site = r.site();
    let s = &site.series[index];
    let path = series_path(&s.slug);
    SeriesView {
        name: s.name.clone(),
        url: site.config.link(&path),
        feed_url: site.config.link(&format!("{path}atom.xml")),
        posts: s.posts.iter().map(|&id| r.value(id)).collect(),
    }
}

/// A page in the sitemap.
#[derive(Serialize)]
pub struct SitemapEntry {
    /// Absolute URL.
    pub loc: String,
    /// RFC 3339.
    pub lastmod: Option<String>,
}

/// A post's entry in the sitemap.
pub fn sitemap_post(c: &Config, p: &Post) -> SitemapEntry {
    SitemapEntry {
        loc: c.absolute(&p.url),
        lastmod: Some(p.last_changed().to_string()),
    }
}

/// An entry of `entries` in `sitemap.xml`: a post's, made once, or a
/// page's or list's.
#[derive(Serialize)]
#[serde(untagged)]
pub enum SitemapItem {
    Post(Shared<Value>),
    Other(SitemapEntry),
}

/// `entries`, for `sitemap.xml`: posts and pages with their last change,
/// then the lists (home, kinds, tags, categories, series, archive).
pub fn sitemap_entries(r: &Reads<'_>, list_paths: &[(String, Vec<PostId>)]) -> Vec<SitemapItem> {
    let site = r.site();
    let c = &site.config;
    // Each post's last change, read once with its entry: the lists name
    // most posts several times over (home, archive, kind, terms).
    let mut changed = Vec::with_capacity(site.posts.len());
    let mut entries = Vec::with_capacity(site.posts.len() + site.pages.len() + list_paths.len());
    for id in 0..site.posts.len() {
        let (entry, at) = r.sitemap_entry(id);
        changed.push(at);
        entries.push(SitemapItem::Post(entry));
    }
    let last = |ids: &[PostId]| {
        ids.iter()
            .map(|&id| changed[id])
            .max()
            .map(|t| t.to_string())
    };
    entries.extend(site.pages.iter().map(|p| {
        SitemapItem::Other(SitemapEntry {
            loc: c.absolute(&p.url),
            lastmod: p.date.as_ref().map(|d| d.timestamp().to_string()),
        })
    }));
    entries.extend(list_paths.iter().map(|(path, ids)| {
        SitemapItem::Other(SitemapEntry {
            loc: c.absolute(path),
            lastmod: last(ids),
        })
    }));
    entries
}

/// One entry of `search.json`.
#[derive(Serialize)]
struct SearchEntry<'a> {
    title: &'a str,
    url: String,
    date: String,
    kind: &'static str,
    tags: &'a [String],
    excerpt: String,
}

/// A post's entry in the search index, as JSON.
pub fn search_entry(config: &Config, p: &Post) -> String {
    serde_json::to_string(&SearchEntry {
        title: &p.title,
        url: config.link(&p.url),
        date: p.date.strftime("%Y-%m-%d").to_string(),
        kind: p.kind.name(),
        tags: &p.tags,
        excerpt: first_words(&p.body.summary_text, 30),
    })
    .unwrap_or_default()
}

/// Every post's search entry, newest first, each made once per post.
pub fn search_entries(r: &Reads<'_>) -> Vec<Shared<std::sync::Arc<str>>> {
    (0..r.site().posts.len())
        .map(|id| r.search_entry(id))
        .collect()
}

/// The search index: compact JSON, one entry a post, newest first.
pub fn search_index(entries: &[Shared<std::sync::Arc<str>>]) -> Vec<u8> {
    let mut out = Vec::with_capacity(entries.iter().map(|e| e.len() + 1).sum::<usize>() + 2);
    out.push(b'[');
    for (i, entry) in entries.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(entry.as_bytes());
    }
    out.push(b']');
    out
}

/// What an alias page says.
#[derive(Serialize)]
pub struct AliasView<'a> {
    /// Absolute URL of the page it redirects to.
    pub url: String,
    pub title: &'a str,
}

//! The plan: every output file of the site, before any rendering.
//!
//! Each [`Job`] says which file it writes, with which template, from what.
//! Planning is where URL collisions are caught (two posts with one URL, a
//! page named like the tag list, a static file over a post) with both
//! claimants named, and where a post asking for a template that does not
//! exist is told so at its own file.
//!
//! The checks live in `planner`; `patch` patches a kept plan after an
//! edit that only moves posts between lists; `matching` maps the last
//! plan's jobs to a new plan's.

mod matching;
mod patch;
mod planner;

use std::path::PathBuf;
use std::sync::Arc;

use crate::config::TaxonomyKind;
use crate::content::{Kind, Post};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::OutputPath;
use crate::render::discovery::date_lists;
use crate::render::feeds::{FeedFormat, FeedSpec};
use crate::site::{PostId, Site};
use crate::theme::{AssetSource, Theme};
use crate::urls::series_path;
pub(crate) use matching::Matching;
pub(crate) use patch::{Kept, Patched};
use planner::{Planner, output_for, what};

/// What a job renders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobKind {
    Post(PostId),
    /// Page `number` (≥ 2) of a post's comments.
    Comments {
        post: PostId,
        number: usize,
    },
    Page(usize),
    /// One page of a paginated list of posts.
    List {
        list: Arc<ListSpec>,
        /// 1-based page number.
        number: usize,
    },
    /// The list of all tags or categories.
    Terms(TaxonomyKind),
    /// An Atom or RSS feed (templates) or a JSON Feed.
    Feed {
        format: FeedFormat,
        spec: Arc<FeedSpec>,
    },
    /// A series page, by index into `Site::series`.
    Series(usize),
    /// `/archive/`: every post by year and month.
    Archive,
    /// A redirect from an old URL to `target` (a site path).
    Alias {
        target: String,
        title: String,
    },
    /// `sitemap.xml`; the lists it names besides posts and pages.
    Sitemap(Arc<Vec<(String, Vec<PostId>)>>),
    Robots,
    /// `search.json`.
    SearchIndex,
    /// A page that needs only the site and the newest posts (`recent`,
    /// [`RECENT_POSTS`] of them): `404.html`, the search page.
    Standalone {
        title: String,
    },
    /// A file copied as is.
    Copy {
        source: AssetSource,
    },
}

/// How many of the newest posts a standalone page (404, search) sees as
/// `recent`.
pub const RECENT_POSTS: usize = 5;

/// A paginated list of posts, shared by the jobs of its pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSpec {
    /// `home`, `tag`, `category`, or a kind name.
    pub list_kind: String,
    pub title: String,
    /// For tags and categories: the term's name.
    pub name: Option<String>,
    /// URL of the list's first page.
    pub base_url: String,
    /// All the list's posts, newest first.
    pub posts: Vec<PostId>,
    pub per_page: usize,
    /// Site path of the list's Atom feed, when it has one.
    pub feed: Option<String>,
    /// Items carry the whole post (`[home] full_posts`), not a teaser.
    pub full_posts: bool,
}

impl ListSpec {
    pub fn total_pages(&self) -> usize {
        self.posts.len().div_ceil(self.per_page).max(1)
    }

    /// The posts page `number` (1-based) shows.
    pub fn page(&self, number: usize) -> &[PostId] {
        let start = number
            .saturating_sub(1)
            .saturating_mul(self.per_page)
            .min(self.posts.len());
        let end = start.saturating_add(self.per_page).min(self.posts.len());
        &self.posts[start..end]
    }
}

/// One output file to produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub output: OutputPath,
    /// The site URL it is served at.
    pub url: String,
    pub template: String,
    pub kind: JobKind,
    /// The file it comes from, when there is one.
    pub source: Option<PathBuf>,
}

impl Job {
    /// Whether the job shows every post (or every term) of the site: the
    /// few long jobs of a build.
    pub fn lists_whole_site(&self) -> bool {
        matches!(
            self.kind,
            JobKind::Archive | JobKind::Sitemap(_) | JobKind::SearchIndex | JobKind::Terms(_)
        )
    }

    /// Whether the job reads posts' whole HTML: a post's own page, a
    /// feed, a list of whole posts (`[home] full_posts`). A one-shot build
    /// makes these first and then lets the HTML go (see
    /// [`crate::markdown::BodyHtml`]).
    pub fn reads_whole_posts(&self) -> bool {
        match &self.kind {
            JobKind::Post(_) | JobKind::Feed { .. } => true,
            JobKind::List { list, .. } => list.full_posts,
            _ => false,
        }
    }

    /// The posts whose whole HTML the job reads (see
    /// [`Job::reads_whole_posts`]).
    pub fn whole_posts(&self) -> &[PostId] {
        match &self.kind {
            JobKind::Post(id) => std::slice::from_ref(id),
            JobKind::Feed { spec, .. } => &spec.posts,
            JobKind::List { list, number } if list.full_posts => list.page(*number),
            _ => &[],
        }
    }

    /// The posts the job shows as list items (a page of a list of
    /// teasers), newest first; none for any other job.
    pub fn listed_posts(&self) -> &[PostId] {
        match &self.kind {
            JobKind::List { list, number } if !list.full_posts => list.page(*number),
            _ => &[],
        }
    }
}

/// Normalizes an alias as written (`/old/`, `old/url`, `/old.html`) to a
/// site path.
pub fn alias_path(alias: &str) -> Result<String, String> {
    let path = crate::content::alias_url(alias)?;
    output_for(&path)?;
    Ok(path)
}

/// What the plan reads of each post, hashed ([`super::cache::plan_key`]
/// adds the rest): each post's [`Post::plan_hash`](crate::content::Post)
/// (keep it in step with [`plan_site`]) and its comment pages.
pub(crate) fn hash_post_plan_inputs(site: &Site, h: &mut xxhash_rust::xxh3::Xxh3) {
    use std::hash::Hasher as _;
    h.write_usize(site.posts.len());
    for (id, post) in site.posts.iter().enumerate() {
        h.write_u64(post.plan_hash);
        h.write_usize(comment_page_count(site, id));
    }
}

/// Lists every output of the site.
pub fn plan_site<'a>(site: &'a Site, theme: &'a Theme) -> (Vec<Job>, Diagnostics) {
    let (jobs, diagnostics, _) = plan_site_kept(site, theme, false);
    (jobs, diagnostics)
}

/// [`plan_site`], and with `keep` what a session keeps to patch the plan
/// after an edit ([`Kept`]; none when the plan has diagnostics: a patch
/// must give what planning again would, messages included). The plan is
/// made in sections, in this order: posts (with their comment pages),
/// pages, lists (with feeds and the site-wide pages), copied files,
/// aliases and redirects.
pub(crate) fn plan_site_kept<'a>(
    site: &'a Site,
    theme: &'a Theme,
    keep: bool,
) -> (Vec<Job>, Diagnostics, Option<Kept>) {
    // About two outputs a post (its page, its day's archive, lists).
    let mut p = Planner::new(site, theme, site.posts.len() * 2 + 64);
    let mut posts = Vec::with_capacity(if keep { site.posts.len() } else { 0 });
    for (id, post) in site.posts.iter().enumerate() {
        let first = p.jobs.len();
        let comment_pages = plan_post(&mut p, site, id, post);
        if keep {
            posts.push(patch::PostJobs {
                plan_hash: post.plan_hash,
                comment_pages,
                first,
            });
        }
    }
    let posts_end = p.jobs.len();
    plan_pages(&mut p, site);
    let pages_end = p.jobs.len();
    plan_lists(&mut p, site);
    let lists_end = p.jobs.len();
    plan_files(&mut p, site);
    let files_end = p.jobs.len();
    plan_aliases(&mut p, site);
    let kept = (keep && p.diagnostics.is_empty()).then(|| {
        Kept::new(
            site,
            std::mem::take(&mut p.claims),
            [posts_end, pages_end, lists_end, files_end],
            posts,
            p.dates.clone(),
        )
    });
    (p.jobs, p.diagnostics, kept)
}

/// A post's page and its comment pages after the first; returns how
/// many comment pages it has.
fn plan_post<'a>(p: &mut Planner<'a>, site: &'a Site, id: PostId, post: &'a Post) -> usize {
    let kind_template = format!("{}.html", post.kind.name());
    let default = if p.theme.has(&kind_template) {
        kind_template.as_str()
    } else {
        "post.html"
    };
    let at = post.template.as_ref().and(post.template_at);
    let template = p.template_for(post.template.as_deref(), default, &post.source, at);
    p.add(
        post.url.clone(),
        output_for(&post.url),
        &template,
        JobKind::Post(id),
        Some(post.source.clone()),
        what(move || format!("post `{}`", post.title)),
    );
    let pages = comment_page_count(site, id);
    for number in 2..=pages {
        let url = crate::urls::comment_page_path(&post.url, number);
        p.add(
            url.clone(),
            output_for(&url),
            "comments.html",
            JobKind::Comments { post: id, number },
            Some(post.source.clone()),
            what(move || format!("page {number} of the comments on `{}`", post.title)),
        );
    }
    pages
}

fn plan_pages<'a>(p: &mut Planner<'a>, site: &'a Site) {
    for (id, page) in site.pages.iter().enumerate() {
        let template = p.template_for(
            page.template.as_deref(),
            "page.html",
            &page.source,
            page.template_at,
        );
        p.add(
            page.url.clone(),
            output_for(&page.url),
            &template,
            JobKind::Page(id),
            Some(page.source.clone()),
            what(move || format!("page `{}`", page.title)),
        );
    }
}

/// The home page, the site's feeds, the lists of kinds, terms, series and
/// dates with their feeds, and the pages that show the whole site.
fn plan_lists<'a>(p: &mut Planner<'a>, site: &'a Site) {
    let config = &site.config;
    let n = config.feed_entries;
    let newest = |ids: &[PostId]| ids.iter().copied().take(n).collect::<Vec<_>>();
    // Lists for the sitemap: (site path, posts).
    let mut listed: Vec<(String, Vec<PostId>)> = Vec::new();

    // The home page and the site's feeds.
    let all: Vec<PostId> = (0..site.posts.len()).collect();
    // Pinned posts lead the home page, newest first; the rest follow.
    let home: Vec<PostId> = all
        .iter()
        .copied()
        .filter(|&id| site.posts[id].pinned)
        .chain(all.iter().copied().filter(|&id| !site.posts[id].pinned))
        .collect();
    p.list(
        ListSpec {
            list_kind: "home".into(),
            title: config.title.clone(),
            name: None,
            base_url: "/".into(),
            posts: home,
            per_page: config.paginate_by,
            feed: Some("/atom.xml".into()),
            full_posts: config.home_full_posts,
        },
        "index.html",
    );
    listed.push(("/".into(), all.clone()));
    let site_feed = Arc::new(FeedSpec {
        title: config.title.clone(),
        home: "/".into(),
        path: String::new(),
        posts: newest(&all),
    });
    for (format, path) in [
        (FeedFormat::Atom, "/atom.xml"),
        (FeedFormat::Rss, "/rss.xml"),
        (FeedFormat::Json, "/feed.json"),
    ] {
        p.feed(format, path, &site_feed, what(|| "the site feed".into()));
    }
    for alias in &config.feed_aliases {
        p.feed(
            FeedFormat::Atom,
            alias,
            &site_feed,
            what(|| "the site feed at its old address".into()),
        );
    }

    for kind in Kind::ALL.into_iter().filter(|k| k.has_list()) {
        if let Some(ids) = site.by_kind.get(&kind) {
            let title = capitalize(kind.plural());
            let base = format!("/{}/", kind.plural());
            p.list(
                ListSpec {
                    list_kind: kind.name().into(),
                    title: title.clone(),
                    name: None,
                    base_url: base.clone(),
                    posts: ids.clone(),
                    per_page: config.paginate_by,
                    feed: Some(format!("{base}atom.xml")),
                    full_posts: false,
                },
                "list.html",
            );
            let spec = Arc::new(FeedSpec {
                title: format!("{} · {title}", config.title),
                home: base.clone(),
                path: String::new(),
                posts: newest(ids),
            });
            p.feed(
                FeedFormat::Atom,
                &format!("{base}atom.xml"),
                &spec,
                what(move || format!("the {} feed", kind.plural())),
            );
            listed.push((base, ids.clone()));
        }
    }

    for tax in TaxonomyKind::ALL {
        let t = config.taxonomy(tax);
        if !t.enabled || site.terms(tax).is_empty() {
            continue;
        }
        let url = format!("/{}/", t.path);
        p.add(
            url.clone(),
            output_for(&url),
            "terms.html",
            JobKind::Terms(tax),
            None,
            what(move || format!("the list of all {}", tax.name())),
        );
        for term in site.terms(tax) {
            let base = site.term_url(tax, &term.slug);
            p.list(
                ListSpec {
                    list_kind: tax.singular().into(),
                    title: term.name.clone(),
                    name: Some(term.name.clone()),
                    base_url: base.clone(),
                    posts: term.posts.clone(),
                    per_page: t.paginate_by,
                    feed: Some(format!("{base}atom.xml")),
                    full_posts: false,
                },
                "list.html",
            );
            let spec = Arc::new(FeedSpec {
                title: format!("{} · {}", config.title, term.name),
                home: base.clone(),
                path: String::new(),
                posts: newest(&term.posts),
            });
            p.feed(
                FeedFormat::Atom,
                &format!("{base}atom.xml"),
                &spec,
                what(move || format!("the feed of the {} `{}`", tax.singular(), term.name)),
            );
            listed.push((base, term.posts.clone()));
        }
    }

    for (index, series) in site.series.iter().enumerate() {
        let base = series_path(&series.slug);
        p.add(
            base.clone(),
            output_for(&base),
            "series.html",
            JobKind::Series(index),
            None,
            what(move || format!("the series `{}`", series.name)),
        );
        let mut newest_first = series.posts.clone();
        newest_first.reverse();
        let spec = Arc::new(FeedSpec {
            title: format!("{} · {}", config.title, series.name),
            home: base.clone(),
            path: String::new(),
            posts: newest(&newest_first),
        });
        p.feed(
            FeedFormat::Atom,
            &format!("{base}atom.xml"),
            &spec,
            what(move || format!("the feed of the series `{}`", series.name)),
        );
        listed.push((base, series.posts.clone()));
    }

    // Date archives: /2009/, /2009/03/, /2009/03/03/, and /archive/.
    let start = p.placed();
    if !p.take_dates() {
        for (path, title, kind, ids) in date_lists(site) {
            p.list(
                ListSpec {
                    list_kind: kind.into(),
                    title,
                    name: None,
                    base_url: path,
                    posts: ids,
                    per_page: config.paginate_by,
                    feed: None,
                    full_posts: false,
                },
                "list.html",
            );
        }
    }
    p.dates = start..p.placed();
    p.add(
        "/archive/".into(),
        output_for("/archive/"),
        "archive.html",
        JobKind::Archive,
        None,
        what(|| "the archive".into()),
    );
    listed.push(("/archive/".into(), all.clone()));

    p.add(
        "/404.html".into(),
        OutputPath::new("404.html"),
        "404.html",
        JobKind::Standalone {
            title: "Page not found".into(),
        },
        None,
        what(|| "the 404 page".into()),
    );
    p.add(
        "/search/".into(),
        output_for("/search/"),
        "search.html",
        JobKind::Standalone {
            title: "Search".into(),
        },
        None,
        what(|| "the search page".into()),
    );
    p.add(
        "/search.json".into(),
        output_for("/search.json"),
        "",
        JobKind::SearchIndex,
        None,
        what(|| "the search index".into()),
    );
    p.add(
        "/sitemap.xml".into(),
        output_for("/sitemap.xml"),
        "sitemap.xml",
        JobKind::Sitemap(Arc::new(listed)),
        None,
        what(|| "the sitemap".into()),
    );
    // A robots.txt of the writer's own, in static/, replaces ours.
    if !site.static_files.iter().any(|f| f.output == "robots.txt") {
        p.add(
            "/robots.txt".into(),
            output_for("/robots.txt"),
            "robots.txt",
            JobKind::Robots,
            None,
            what(|| "the generated robots.txt".into()),
        );
    }
}

/// Static files, bundle files, snapshots and the theme's files.
fn plan_files<'a>(p: &mut Planner<'a>, site: &'a Site) {
    let config = &site.config;
    let theme = p.theme;
    for file in site.static_files.iter().chain(site.bundle_files.iter()) {
        let url = format!("/{}", file.output);
        p.add(
            url,
            OutputPath::new(&file.output),
            "",
            JobKind::Copy {
                source: AssetSource::File(file.source.clone()),
            },
            Some(file.rel.clone()),
            what(move || format!("the file {}", file.rel.display())),
        );
    }
    // Snapshots, with `[sources] publish_snapshots`, at their own paths.
    for (abs, rel) in &config.snapshot_files {
        p.add(
            format!("/{rel}"),
            OutputPath::new(rel),
            "",
            JobKind::Copy {
                source: AssetSource::File(abs.clone()),
            },
            Some(PathBuf::from(rel)),
            what(move || format!("the snapshot {rel}")),
        );
    }
    // Theme files come after the site's: a static file of the site at the
    // same path wins.
    for file in &theme.static_files {
        let Ok(output) = OutputPath::new(&file.rel) else {
            continue;
        };
        if p.claims.by_output.contains_key(&output) {
            continue;
        }
        p.add(
            format!("/{}", file.rel),
            Ok(output),
            "",
            JobKind::Copy {
                source: file.source.clone(),
            },
            Some(file.origin.clone()),
            what(move || format!("the theme file {}", file.rel)),
        );
    }
}

fn plan_aliases<'a>(p: &mut Planner<'a>, site: &'a Site) {
    // Aliases and redirects come after every real page and file (the
    // theme's too), so a clash names what it would have replaced.
    let with_aliases = site
        .posts
        .iter()
        .map(|x| (&x.aliases, &x.url, &x.title, &x.source, "post"))
        .chain(
            site.pages
                .iter()
                .map(|x| (&x.aliases, &x.url, &x.title, &x.source, "page")),
        );
    for (aliases, url, title, source, kind) in with_aliases {
        for alias in aliases {
            match alias_path(alias) {
                Ok(path) => p.add(
                    path.clone(),
                    output_for(&path),
                    "alias.html",
                    JobKind::Alias {
                        target: url.clone(),
                        title: title.clone(),
                    },
                    Some(source.clone()),
                    {
                        let path = path.clone();
                        what(move || format!("the alias {path} of {kind} `{title}`"))
                    },
                ),
                Err(message) => p
                    .diagnostics
                    .push(Diagnostic::error(source, message).with_hint(crate::content::ALIAS_HINT)),
            }
        }
    }

    for r in site.redirects.iter() {
        p.add(
            r.from.clone(),
            output_for(&r.from),
            "alias.html",
            JobKind::Alias {
                target: r.to.clone(),
                title: r.to.clone(),
            },
            Some(r.source.clone()),
            what(move || format!("the redirect {} (line {})", r.from, r.line)),
        );
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// How many comment pages a post has (0 when comments are off or none).
pub(crate) fn comment_page_count(site: &Site, id: PostId) -> usize {
    if site.posts[id].comments == crate::content::CommentMode::Off {
        return 0;
    }
    crate::content::comment::paginate_threads(&site.comments[id], site.config.comments_per_page)
        .len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alias_paths() {
        assert_eq!(alias_path("/2009/03/old/").unwrap(), "/2009/03/old/");
        assert_eq!(alias_path("old/post").unwrap(), "/old/post/");
        assert_eq!(alias_path("/old.html").unwrap(), "/old.html");
        for bad in [
            "",
            "/../etc/",
            "https://e.example/x/",
            "/?p=12",
            "/a/#b",
            "/a\\b/",
        ] {
            assert!(alias_path(bad).is_err(), "{bad:?}");
        }
    }
}

//! The render stage: from a frozen [`Site`] and a [`Theme`] to output files.
//!
//! Rendering is split in two. [`plan_site`] lists every output the site
//! has, as [`Job`]s (a post page, page 3 of a tag, a copied image), checks
//! that no two claim one path, and that every template named exists; it is
//! cheap and has no template work. [`render_jobs`] then renders the jobs in
//! parallel. Keeping the plan separate lets collisions be reported before
//! any rendering, and lets `serve` re-render only the jobs whose inputs
//! changed.

pub mod cache;
pub mod comments;
pub mod discovery;
pub mod feeds;
mod incremental;
mod plan;
mod portable;
pub mod views;

use std::path::PathBuf;
use std::sync::OnceLock;

use tera::{Context, Value};

use crate::content::CommentMode;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::{Body, OutputFile};
use crate::site::Site;
use crate::theme::Theme;
pub use cache::RenderCache;
pub use incremental::{RenderOutcome, render_site_outputs};
pub use plan::{Job, JobKind, ListSpec, alias_path, plan_site};
use views::{
    ListView, PaginatorView, TaxonomyView, TermView, neighbour, page_view, post_values, site_view,
    with_content,
};

/// Everything a render needs that is shared by all jobs.
pub struct RenderInputs<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme,
    /// List values of posts, by [`crate::site::PostId`].
    pub posts: Vec<Value>,
    pub site_value: Value,
    /// Each post's feed HTML (absolute links), made on first use.
    pub feed_html: Vec<OnceLock<String>>,
}

impl<'a> RenderInputs<'a> {
    pub fn new(site: &'a Site, theme: &'a Theme) -> Self {
        RenderInputs {
            site,
            theme,
            posts: post_values(site),
            site_value: Value::from_serializable(&site_view(site)),
            feed_html: (0..site.posts.len()).map(|_| OnceLock::new()).collect(),
        }
    }
}

/// Template errors, one per distinct template problem (not one per page).
pub(crate) fn gather_failures(failures: Vec<Vec<Diagnostic>>) -> Diagnostics {
    let mut diagnostics = Diagnostics::new();
    let mut seen = std::collections::HashSet::new();
    let mut repeats = 0usize;
    for d in failures.into_iter().flatten() {
        let key = (d.path.clone(), d.line, d.col, strip_page(&d.message));
        if seen.insert(key) {
            diagnostics.push(d);
        } else {
            repeats += 1;
        }
    }
    if repeats > 0 {
        diagnostics.push(Diagnostic::warning(
            PathBuf::from("templates"),
            format!("the template errors above also hit {repeats} other page(s)"),
        ));
    }
    diagnostics
}

/// The page numbers a paginator links to: the first, the last, and up to
/// three either side of the current one. Listing all 1,000 pages of a
/// 10,000-post home page on each of them would make pagination quadratic.
pub fn page_window(current: usize, total: usize) -> impl Iterator<Item = usize> {
    (1..=total).filter(move |&n| n == 1 || n == total || n.abs_diff(current) <= 3)
}

fn strip_page(message: &str) -> String {
    match message.find(" (while rendering ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// Renders one job.
pub fn render_job(inputs: &RenderInputs<'_>, job: &Job) -> Result<OutputFile, Vec<Diagnostic>> {
    let path = job
        .source
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from(job.output.as_str()));
    crate::crash::guard(&path, || render_unguarded(inputs, job)).unwrap_or_else(|d| Err(vec![*d]))
}

fn render_unguarded(inputs: &RenderInputs<'_>, job: &Job) -> Result<OutputFile, Vec<Diagnostic>> {
    let site = inputs.site;
    let mut ctx = Context::new();
    ctx.insert_value("site", inputs.site_value.clone());
    ctx.insert("current_url", &site.config.link(&job.url));
    ctx.insert("current_permalink", &site.config.absolute(&job.url));
    ctx.insert("meta", &views::meta(inputs, job));
    match &job.kind {
        JobKind::Copy { source } => {
            return Ok(OutputFile {
                path: job.output.clone(),
                body: Body::Copy(source.clone()),
            });
        }
        JobKind::Post(id) => {
            let post = &site.posts[*id];
            ctx.insert_value("post", with_content(&inputs.posts[*id], post));
            if post.comments != CommentMode::Off {
                let (list, pages) = comments::comment_page(site, *id, 1);
                ctx.insert("comments", &list);
                ctx.insert("comments_paginator", &pages);
                let (mentions, reactions) = comments::mentions(site, *id);
                ctx.insert("mentions", &mentions);
                ctx.insert("reactions", &reactions);
            }
            // Posts are newest first: the next-newer post is id - 1.
            ctx.insert("newer", &neighbour(site, id.checked_sub(1)));
            ctx.insert("older", &neighbour(site, Some(id + 1)));
            ctx.insert("related", &views::related(site, *id));
            ctx.insert("series", &views::series_place(site, *id));
            ctx.insert("page_title", &post.title);
        }
        JobKind::Comments { post, number } => {
            let (list, pages) = comments::comment_page(site, *post, *number);
            ctx.insert_value("post", inputs.posts[*post].clone());
            ctx.insert("comments", &list);
            ctx.insert("comments_paginator", &pages);
            ctx.insert(
                "page_title",
                &format!("Comments on {} (page {number})", site.posts[*post].title),
            );
        }
        JobKind::Page(id) => {
            let page = &site.pages[*id];
            ctx.insert("page", &page_view(site, page));
            ctx.insert("page_title", &page.title);
        }
        JobKind::List { list, number } => {
            let number = *number;
            let total_pages = list.total_pages();
            let items: Vec<Value> = list
                .posts
                .iter()
                .skip((number - 1) * list.per_page)
                .take(list.per_page)
                .map(|&id| {
                    if list.full_posts {
                        let post = &site.posts[id];
                        let url = site.config.link(&post.url);
                        views::with_namespaced_content(&inputs.posts[id], post, &url)
                    } else {
                        inputs.posts[id].clone()
                    }
                })
                .collect();
            let url_of = |n: usize| site.config.link(&plan::page_url(&list.base_url, n));
            let paginator = PaginatorView {
                number,
                total_pages,
                total_items: list.posts.len(),
                per_page: list.per_page,
                items,
                previous: (number > 1).then(|| url_of(number - 1)),
                next: (number < total_pages).then(|| url_of(number + 1)),
                first: url_of(1),
                last: url_of(total_pages),
                pages: page_window(number, total_pages)
                    .map(|n| views::PageLinkView {
                        number: n,
                        url: url_of(n),
                    })
                    .collect(),
            };
            let view = ListView {
                kind: &list.list_kind,
                title: list.title.clone(),
                url: site.config.link(&list.base_url),
                name: list.name.as_deref(),
                feed_url: list.feed.as_ref().map(|f| site.config.link(f)),
                full_posts: list.full_posts,
            };
            let page_title = if number > 1 {
                format!("{} (page {number})", list.title)
            } else {
                list.title.clone()
            };
            ctx.insert("paginator", &paginator);
            ctx.insert("list", &view);
            ctx.insert("page_title", &page_title);
        }
        JobKind::Terms(kind) => {
            let t = site.config.taxonomy(*kind);
            let view = TaxonomyView {
                name: kind.name(),
                title: &t.title,
                url: site.config.link(&format!("/{}/", t.path)),
                terms: site
                    .terms(*kind)
                    .iter()
                    .map(|term| TermView {
                        name: &term.name,
                        slug: &term.slug,
                        url: site.config.link(&site.term_url(*kind, &term.slug)),
                        count: term.posts.len(),
                    })
                    .collect(),
            };
            ctx.insert("taxonomy", &view);
            ctx.insert("page_title", &t.title);
        }
        JobKind::Standalone { title } => {
            ctx.insert("page_title", title);
            let recent: Vec<&Value> = inputs.posts.iter().take(plan::RECENT_POSTS).collect();
            ctx.insert("recent", &recent);
        }
        JobKind::Feed { format, spec } => {
            let view = feeds::feed_view(inputs, spec);
            if *format == feeds::FeedFormat::Json {
                return Ok(OutputFile {
                    path: job.output.clone(),
                    body: Body::Bytes(feeds::json_feed(&view).into()),
                });
            }
            ctx.insert("feed", &view);
        }
        JobKind::Series(index) => {
            let view = discovery::series_view(inputs, *index);
            ctx.insert("page_title", &view.name);
            ctx.insert("series", &view);
        }
        JobKind::Archive => {
            ctx.insert("archive", &discovery::archive_view(site));
            ctx.insert("page_title", "Archive");
        }
        JobKind::Alias { target, title } => {
            ctx.insert(
                "alias",
                &discovery::AliasView {
                    url: if target.starts_with("http://") || target.starts_with("https://") {
                        target.clone()
                    } else {
                        site.config.absolute(target)
                    },
                    title,
                },
            );
            ctx.insert("page_title", title);
        }
        JobKind::Sitemap(lists) => {
            ctx.insert("entries", &discovery::sitemap_entries(site, lists));
        }
        JobKind::Robots => {}
        JobKind::SearchIndex => {
            return Ok(OutputFile {
                path: job.output.clone(),
                body: Body::Bytes(discovery::search_index(site).into()),
            });
        }
    }
    let mut out = Vec::with_capacity(16 * 1024);
    inputs
        .theme
        .render_to(&job.template, &ctx, &mut out)
        .map_err(|e| {
            let what = match &job.source {
                Some(src) => format!("{} from {}", job.url, src.display()),
                None => job.url.clone(),
            };
            inputs.theme.diagnostics_for(&e, Some(&what))
        })?;
    Ok(OutputFile {
        path: job.output.clone(),
        body: Body::Bytes(out.into()),
    })
}

//! The render stage: from a frozen [`Site`] and a [`Theme`] to output files.
//!
//! Rendering is split in two. [`plan_site`] lists every output the site
//! has, as [`Job`]s (a post page, page 3 of a tag, a copied image), checks
//! that no two claim one path, and that every template named exists; it is
//! cheap and has no template work. [`render_job`] then renders each job, in
//! parallel. Keeping the plan separate lets collisions be reported before
//! any rendering, and lets `serve` re-render only the jobs whose inputs
//! changed.

pub mod cache;
pub mod comments;
pub mod discovery;
pub mod feed_links;
pub mod feeds;
mod hashing;
mod incremental;
mod leases;
mod plan;
mod portable;
pub mod reads;
pub mod terms;
pub mod views;

use std::hash::Hasher as _;
use std::path::PathBuf;
use std::sync::Arc;

use tera::Value;

use crate::content::CommentMode;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::{Body, OutputFile};
use crate::site::Site;
use crate::theme::{AssetSource, Theme};
pub use cache::RenderCache;
pub use incremental::{RenderOutcome, RenderRequest, render_site_outputs};
pub use plan::{Job, JobKind, ListSpec, alias_path, plan_site};
use reads::{JobContext, PostMemo, Reads, Recorded, Shared};
use views::{ListItem, ListView, PaginatorView, TaxonomyView, TermView, neighbour, page_view};

/// Everything a render needs that is shared by all jobs.
pub struct RenderInputs<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme,
    /// Bumped on every theme load: part of every template job's
    /// fingerprint.
    pub theme_generation: u64,
    pub memo: &'a PostMemo,
    /// The `site` value every template sees.
    pub site_value: Shared<Value>,
    /// Whether jobs are fingerprinted (a session that keeps outputs, or a
    /// build whose sink records keys).
    pub hashed: bool,
    /// Whether outputs are held in memory afterwards (a session), so are
    /// made to their exact size rather than handed on with the spare room
    /// they were rendered in.
    pub held: bool,
    /// How much room pages of each kind have needed so far.
    pub sizes: PageSizes,
}

/// The room a page is rendered into, learned as pages are made: a buffer
/// that grows copies what it holds each time, which for 10,000 posts'
/// pages (a third of them past the 16 KiB a page starts with) and their
/// tag and date lists was about 1% of a fresh build's instructions. A
/// post's page needs its body's length plus the most the rest of a post's
/// page has taken; any other page the most a page of its kind has taken.
/// Both are capped, so one huge page does not make every page ask for
/// that much.
#[derive(Default)]
pub struct PageSizes {
    /// A post page's length past its body's; then the largest list,
    /// feed and other page.
    most: [std::sync::atomic::AtomicUsize; 4],
}

impl PageSizes {
    const LEAST: usize = 16 * 1024;
    const MOST: usize = 1024 * 1024;

    fn slot(kind: &JobKind) -> usize {
        match kind {
            JobKind::Post(_) => 0,
            JobKind::List { .. } => 1,
            JobKind::Feed { .. } => 2,
            _ => 3,
        }
    }

    /// The room to render `job` into; `body` is its post's HTML length
    /// for a post page.
    fn room(&self, job: &Job, body: usize) -> usize {
        let most = self.most[Self::slot(&job.kind)].load(std::sync::atomic::Ordering::Relaxed);
        (most + body).clamp(Self::LEAST, Self::MOST + body)
    }

    /// Notes a page of `len` bytes made for `job`.
    fn note(&self, job: &Job, len: usize, body: usize) {
        let len = len.saturating_sub(body);
        self.most[Self::slot(&job.kind)].fetch_max(len, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Rendered bytes as an output's body: taken over as they are when the
/// file is written and let go, trimmed to size when it is held.
fn body_of(bytes: Vec<u8>, held: bool) -> Body {
    if held && bytes.capacity() - bytes.len() > bytes.len() / 8 {
        return Body::Bytes(bytes::Bytes::copy_from_slice(&bytes));
    }
    Body::Bytes(bytes.into())
}

/// One job, rendered.
pub struct JobResult {
    /// The fingerprint of the job's inputs (0 when not hashed).
    pub fingerprint: u128,
    /// What the job read while its context was built.
    pub reads: Recorded,
    /// The output, `None` when the fingerprint matched the one given (the
    /// last output still holds), or the template's errors.
    pub output: Result<Option<OutputFile>, Vec<Diagnostic>>,
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

/// What a job hands to its template, or makes without one.
enum Prepared {
    /// A context to render (absent when only hashed), and its hasher.
    Template(Box<JobContext>),
    /// Bytes made without a template (the search index, the JSON feed),
    /// with the hasher of what they were made from; `None` when only
    /// hashed.
    Bytes(Option<Vec<u8>>, Box<JobContext>),
    Copy(AssetSource),
    /// A value the context needs could not be made (a list item's
    /// template failed).
    Failed(Vec<Diagnostic>),
}

/// The template a theme may give for one post as lists show it; see
/// [`list_item`].
pub const ITEM_TEMPLATE: &str = "item.html";

/// Renders the theme's `item.html` for one post, as every list page shows
/// it: its context is the post's list value as `post` and `site`, nothing
/// page-specific, so one rendering serves every page (see
/// docs/templates.md, "List items").
fn list_item(
    inputs: &RenderInputs<'_>,
    post: &Value,
    source: &std::path::Path,
) -> Result<String, Vec<Diagnostic>> {
    let mut ctx = tera::Context::new();
    ctx.insert("site", &inputs.site_value);
    ctx.insert("post", post);
    inputs.theme.render(ITEM_TEMPLATE, &ctx).map_err(|e| {
        let what = format!("the list item of {}", source.display());
        inputs.theme.diagnostics_for(&e, Some(&what))
    })
}

/// Renders one job, unless its fingerprint equals `previous`.
pub fn render_job(inputs: &RenderInputs<'_>, job: &Job, previous: Option<u128>) -> JobResult {
    let path = job
        .source
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from(job.output.as_str()));
    crate::crash::guard(&path, || render_unguarded(inputs, job, previous)).unwrap_or_else(|d| {
        JobResult {
            fingerprint: 0,
            reads: Recorded::default(),
            output: Err(vec![*d]),
        }
    })
}

/// What a job's first pass gives: its fingerprint, and what to write
/// unless only hashed.
enum Made {
    Context(tera::Context),
    Body(Body),
    Failed(Vec<Diagnostic>),
}

fn render_unguarded(inputs: &RenderInputs<'_>, job: &Job, previous: Option<u128>) -> JobResult {
    let reads = Reads::new(inputs.site, inputs.memo);
    // A job rendered before is first only hashed: most jobs an edit might
    // reach show nothing that changed, and making their template values
    // would be wasted.
    let first = if inputs.hashed && previous.is_some() {
        JobContext::hash_only()
    } else {
        JobContext::new(inputs.hashed)
    };
    let (fingerprint, mut made) = made(inputs, job, prepare(inputs, &reads, job, first));
    if let Some(Made::Failed(ds)) = made {
        return JobResult {
            fingerprint: 0,
            reads: reads.finish(),
            output: Err(ds),
        };
    }
    if inputs.hashed && previous == Some(fingerprint) {
        return JobResult {
            fingerprint,
            reads: reads.finish(),
            output: Ok(None),
        };
    }
    if made.is_none() {
        // Hashed only, and it changed: now make what is written.
        made = self::made(
            inputs,
            job,
            prepare(inputs, &reads, job, JobContext::new(false)),
        )
        .1;
    }
    let output = match made {
        Some(Made::Body(body)) => Ok(body),
        Some(Made::Failed(ds)) => Err(ds),
        Some(Made::Context(ctx)) => {
            let body = match job.kind {
                JobKind::Post(id) => reads.post(id).body.html.byte_len(),
                _ => 0,
            };
            let mut out = Vec::with_capacity(inputs.sizes.room(job, body));
            inputs
                .theme
                .render_to(&job.template, &ctx, &mut out)
                .map(|()| {
                    inputs.sizes.note(job, out.len(), body);
                    body_of(out, inputs.held)
                })
                .map_err(|e| {
                    let what = match &job.source {
                        Some(src) => format!("{} from {}", job.url, src.display()),
                        None => job.url.clone(),
                    };
                    inputs.theme.diagnostics_for(&e, Some(&what))
                })
        }
        None => unreachable!("a job's second pass makes what it writes"),
    };
    JobResult {
        fingerprint,
        reads: reads.finish(),
        output: output.map(|body| {
            Some(OutputFile {
                path: job.output.clone(),
                body,
            })
        }),
    }
}

/// The fingerprint of a prepared job (0 when not hashed), and what it
/// writes unless it was only hashed.
fn made(inputs: &RenderInputs<'_>, job: &Job, prepared: Prepared) -> (u128, Option<Made>) {
    let finish = |hasher: Option<xxhash_rust::xxh3::Xxh3>| {
        hasher.map_or(0, |mut h| {
            h.write_u64(inputs.theme_generation);
            h.write_u128(inputs.theme.key);
            h.write_usize(job.template.len());
            h.update(job.template.as_bytes());
            h.digest128()
        })
    };
    match prepared {
        Prepared::Template(ctx) => {
            let (ctx, hasher) = ctx.finish();
            (finish(hasher), ctx.map(Made::Context))
        }
        Prepared::Bytes(bytes, ctx) => {
            let (_, hasher) = ctx.finish();
            (
                finish(hasher),
                bytes.map(|b| Made::Body(body_of(b, inputs.held))),
            )
        }
        Prepared::Failed(ds) => (0, Some(Made::Failed(ds))),
        Prepared::Copy(source) => {
            let body = Body::Copy(source);
            let fingerprint = if inputs.hashed {
                crate::output::fingerprint(&body)
            } else {
                0
            };
            (fingerprint, Some(Made::Body(body)))
        }
    }
}

/// Builds a job's template context through `r`, so that what it reads is
/// recorded and what it shows is hashed.
fn prepare(inputs: &RenderInputs<'_>, r: &Reads<'_>, job: &Job, mut ctx: JobContext) -> Prepared {
    let site = r.site();
    match &job.kind {
        JobKind::Copy { source } => {
            if let AssetSource::File(path) = source {
                r.file(path);
            }
            return Prepared::Copy(source.clone());
        }
        JobKind::SearchIndex => {
            let entries = discovery::search_entries(r);
            ctx.hash("entries", &entries);
            let bytes = ctx.makes().then(|| discovery::search_index(&entries));
            return Prepared::Bytes(bytes, Box::new(ctx));
        }
        JobKind::Feed { format, spec } if *format == feeds::FeedFormat::Json => {
            let view = feeds::feed_view(r, spec);
            ctx.hash("feed", &view);
            let bytes = ctx.makes().then(|| feeds::json_feed(&view));
            return Prepared::Bytes(bytes, Box::new(ctx));
        }
        _ => {}
    }
    ctx.insert("site", &inputs.site_value);
    ctx.insert("current_url", &site.config.link(&job.url));
    ctx.insert("current_permalink", &site.config.absolute(&job.url));
    ctx.insert("meta", &views::meta(r, job));
    match &job.kind {
        JobKind::Copy { .. } | JobKind::SearchIndex => unreachable!("returned above"),
        JobKind::Post(id) => {
            let post = r.post(*id);
            ctx.insert("post", &r.page_value(*id, !ctx.makes()));
            if post.comments != CommentMode::Off {
                let (list, pages) = comments::comment_page(r, *id, 1);
                ctx.insert("comments", &list);
                ctx.insert("comments_paginator", &pages);
                let (mentions, reactions) = comments::mentions(r, *id);
                ctx.insert("mentions", &mentions);
                ctx.insert("reactions", &reactions);
            }
            // Posts are newest first: the next-newer post is id - 1.
            ctx.insert("newer", &neighbour(r, id.checked_sub(1)));
            ctx.insert("older", &neighbour(r, Some(id + 1)));
            ctx.insert("related", &views::related(r, *id));
            ctx.insert("series", &views::series_place(r, *id));
            ctx.insert("page_title", &post.title);
        }
        JobKind::Comments { post, number } => {
            let (list, pages) = comments::comment_page(r, *post, *number);
            ctx.insert("post", &r.value(*post));
            ctx.insert("comments", &list);
            ctx.insert("comments_paginator", &pages);
            ctx.insert(
                "page_title",
                &format!("Comments on {} (page {number})", r.post(*post).title),
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
            let items = list
                .page(number)
                .iter()
                .map(|&id| {
                    if list.full_posts {
                        let url = site.config.link(&r.post(id).url);
                        Ok(ListItem::Whole(views::with_namespaced_content(
                            &r.value(id),
                            r.post(id),
                            &url,
                        )))
                    } else if inputs.theme.has(ITEM_TEMPLATE) {
                        if !ctx.makes() {
                            return Ok(ListItem::Shared(r.listed_hash(id)));
                        }
                        r.listed(id, |post| list_item(inputs, post, &r.post(id).source))
                            .map(ListItem::Shared)
                    } else {
                        Ok(ListItem::Shared(r.listed_value(id)))
                    }
                })
                .collect::<Result<Vec<ListItem>, Arc<Vec<Diagnostic>>>>();
            let items = match items {
                Ok(items) => items,
                Err(failed) => return Prepared::Failed(failed.as_ref().clone()),
            };
            let url_of = |n: usize| site.config.link(&crate::urls::page_url(&list.base_url, n));
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
            let recent: Vec<Shared<Value>> = (0..site.posts.len().min(plan::RECENT_POSTS))
                .map(|id| r.value(id))
                .collect();
            ctx.insert("recent", &recent);
        }
        JobKind::Feed { spec, .. } => {
            ctx.insert("feed", &feeds::feed_view(r, spec));
        }
        JobKind::Series(index) => {
            let view = discovery::series_view(r, *index);
            ctx.insert("page_title", &view.name);
            ctx.insert("series", &view);
        }
        JobKind::Archive => {
            ctx.insert("archive", &discovery::archive_view(r));
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
            ctx.insert("entries", &discovery::sitemap_entries(r, lists));
        }
        JobKind::Robots => {}
    }
    Prepared::Template(Box::new(ctx))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(body: Body) -> bytes::Bytes {
        match body {
            Body::Bytes(b) => b,
            Body::Copy(_) => panic!("rendered bytes became a copy"),
        }
    }

    #[test]
    fn a_written_output_keeps_its_buffer_and_a_held_one_is_trimmed() {
        let mut page = Vec::with_capacity(4096);
        page.extend_from_slice(b"<p>hello</p>");
        let at = page.as_ptr();
        let written = bytes(body_of(page, false));
        assert_eq!(&written[..], b"<p>hello</p>");
        assert_eq!(written.as_ptr(), at, "a written output is not copied");

        let mut page = Vec::with_capacity(4096);
        page.extend_from_slice(b"<p>hello</p>");
        let at = page.as_ptr();
        let held = bytes(body_of(page, true));
        assert_eq!(&held[..], b"<p>hello</p>");
        assert_ne!(
            held.as_ptr(),
            at,
            "a held output with spare room is trimmed"
        );

        let exact = b"[1,2,3]".to_vec();
        let at = exact.as_ptr();
        let held = bytes(body_of(exact, true));
        assert_eq!(
            held.as_ptr(),
            at,
            "a held output made to size is not copied"
        );
    }
}

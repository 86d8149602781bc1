//! Rendering only what changed: fingerprints of every job's inputs.
//!
//! Each output is a pure function of a few inputs: a post page of the post,
//! its neighbours, related posts, series and comments; a list page of the
//! posts on it and the list's shape; a feed of its posts; and every page of
//! the site-wide values (config, pages, feeds) and the theme. A job's
//! fingerprint hashes exactly those inputs, identifying each post by the
//! hash of its source file and comments. When a fingerprint matches the
//! last build's, the last output is reused without touching a template.
//!
//! The plan itself (which outputs exist) is reused when the site's
//! *structure* (every post's URL, title, date, kind, template, tags,
//! categories, series, aliases and comment count, the pages and the copied
//! files) did not change, which is the case for almost every edit of a
//! post's text. Correctness over speed: anything not in a fingerprint must
//! not reach the output, and a property test checks incremental builds
//! against fresh ones after random edits.

use std::collections::HashMap;
use std::hash::Hasher as _;
use std::sync::Arc;

use tera::Value;
use xxhash_rust::xxh3::Xxh3;

use crate::content::comment::Thread;
use crate::output::Body;
use crate::render::{Job, JobKind};
use crate::site::{PostId, Site};

/// What one build leaves for the next.
#[derive(Default)]
pub struct RenderCache {
    pub(crate) plan: Option<CachedPlan>,
    /// Post list values by post view fingerprint.
    pub(crate) values: HashMap<u64, Value>,
    /// The site-wide fingerprint and post fingerprints of the last build.
    pub(crate) global: u128,
    pub(crate) fps: Option<PostFingerprints>,
}

/// A plan with the last output of each of its jobs.
pub(crate) struct CachedPlan {
    pub structure: u128,
    pub jobs: Arc<Vec<Job>>,
    /// By job index: the job's fingerprint and output.
    pub outputs: Vec<Option<(u128, Body)>>,
    pub deps: Deps,
}

/// Which jobs read which posts, so an edit of one post revisits only the
/// jobs that show it.
#[derive(Default)]
pub(crate) struct Deps {
    pub by_post: Vec<Vec<u32>>,
    /// Jobs that read every post (archive, search index, sitemap).
    pub all_posts: Vec<u32>,
    /// Copy jobs by source file.
    pub copies: HashMap<std::path::PathBuf, u32>,
}

impl RenderCache {
    /// Forgets outputs (after a theme change or a failed render); post
    /// values stay valid.
    pub fn forget_outputs(&mut self) {
        self.plan = None;
        self.fps = None;
    }
}

/// Builds the dependency index of a plan (mirrors [`job_fingerprint`]).
pub(crate) fn dependencies(site: &Site, jobs: &[Job]) -> Deps {
    let mut deps = Deps {
        by_post: vec![Vec::new(); site.posts.len()],
        ..Deps::default()
    };
    for (index, job) in jobs.iter().enumerate() {
        let index = index as u32;
        let mut add = |id: PostId| {
            if let Some(list) = deps.by_post.get_mut(id)
                && list.last() != Some(&index)
            {
                list.push(index);
            }
        };
        match &job.kind {
            JobKind::Post(id) => {
                add(*id);
                for n in [id.checked_sub(1), Some(id + 1)].into_iter().flatten() {
                    add(n);
                }
                for &r in &site.related[*id] {
                    add(r);
                }
                if let Some(place) = site.series_of[*id] {
                    for &p in &site.series[place.series].posts {
                        add(p);
                    }
                }
            }
            JobKind::Comments { post, .. } => add(*post),
            JobKind::List { list, number } => {
                for &id in list
                    .posts
                    .iter()
                    .skip((number - 1) * list.per_page)
                    .take(list.per_page)
                {
                    add(id);
                }
            }
            JobKind::Feed { spec, .. } => {
                for &id in &spec.posts {
                    add(id);
                }
            }
            JobKind::Series(i) => {
                for &id in &site.series[*i].posts {
                    add(id);
                }
            }
            JobKind::Standalone { .. } => {
                for id in 0..site.posts.len().min(super::plan::RECENT_POSTS) {
                    add(id);
                }
            }
            JobKind::Archive | JobKind::SearchIndex | JobKind::Sitemap(_) => {
                deps.all_posts.push(index)
            }
            JobKind::Copy {
                source: crate::theme::AssetSource::File(path),
            } => {
                deps.copies.insert(path.clone(), index);
            }
            _ => {}
        }
    }
    deps
}

fn hash_str(h: &mut Xxh3, s: &str) {
    h.write_usize(s.len());
    h.update(s.as_bytes());
}

fn thread_hash(h: &mut Xxh3, threads: &[Thread]) {
    h.write_usize(threads.len());
    for t in threads {
        h.write_u64(t.comment.source_hash);
        thread_hash(h, &t.replies);
    }
}

/// Each post's identity for rendering, at several depths, by post.
#[derive(Clone)]
pub struct PostFingerprints {
    /// Everything: the source and the comments (post pages, feeds).
    pub full: Vec<u64>,
    /// What lists show: [`crate::content::Post::view_hash`] and the
    /// comment count.
    pub view: Vec<u64>,
    /// [`crate::content::post::PostHashes`], for the whole-site pages.
    pub listing: Vec<u64>,
    pub search: Vec<u64>,
    pub sitemap: Vec<u64>,
}

impl PostFingerprints {
    pub fn new(site: &Site) -> PostFingerprints {
        let n = site.posts.len();
        let mut fps = PostFingerprints {
            full: vec![0; n],
            view: vec![0; n],
            listing: vec![0; n],
            search: vec![0; n],
            sitemap: vec![0; n],
        };
        for id in 0..n {
            fps.set(site, id);
        }
        fps
    }

    /// The last build's fingerprints with `ids` brought up to date: the
    /// rest of the site is known to be unchanged.
    pub fn patched(&self, site: &Site, ids: &[PostId]) -> PostFingerprints {
        let mut fps = self.clone();
        for &id in ids {
            fps.set(site, id);
        }
        fps
    }

    fn set(&mut self, site: &Site, id: PostId) {
        let p = &site.posts[id];
        let mut h = Xxh3::new();
        h.write_u64(p.source_hash);
        thread_hash(&mut h, &site.comments[id]);
        for m in &site.mentions[id] {
            h.write_u64(m.source_hash);
        }
        self.full[id] = h.digest();
        let mut h = Xxh3::new();
        h.write_u64(p.view_hash);
        h.write_usize(site.comments[id].iter().map(Thread::len).sum());
        self.view[id] = h.digest();
        self.listing[id] = p.hashes.listing;
        self.search[id] = p.hashes.search;
        self.sitemap[id] = p.hashes.sitemap;
    }
}

/// What decides the plan: everything that makes or names an output.
pub fn structure_fingerprint(site: &Site, theme_generation: u64) -> u128 {
    let mut h = Xxh3::new();
    h.write_u64(theme_generation);
    h.write_usize(site.posts.len());
    for (id, p) in site.posts.iter().enumerate() {
        for s in [&p.url, &p.title, p.kind.name()] {
            hash_str(&mut h, s);
        }
        hash_str(&mut h, p.template.as_deref().unwrap_or(""));
        hash_str(&mut h, p.series.as_deref().unwrap_or(""));
        h.write_i64(p.date.timestamp().as_second());
        for list in [&p.tags, &p.categories, &p.aliases] {
            h.write_usize(list.len());
            for s in list {
                hash_str(&mut h, s);
            }
        }
        h.write_usize(site.comments[id].iter().map(Thread::len).sum());
        h.write_u8(p.comments as u8);
        h.write_u8(u8::from(p.pinned));
    }
    for p in site.pages.iter() {
        h.write_u64(p.source_hash);
    }
    h.write_usize(site.redirects.len());
    for r in site.redirects.iter() {
        hash_str(&mut h, &r.from);
        hash_str(&mut h, &r.to);
    }
    for f in site.static_files.iter().chain(site.bundle_files.iter()) {
        hash_str(&mut h, &f.output);
        hash_str(&mut h, &f.source.to_string_lossy());
    }
    h.digest128()
}

/// The fingerprint of one job's inputs. `global` covers the site-wide
/// values and the theme.
pub fn job_fingerprint(site: &Site, job: &Job, global: u128, fps: &PostFingerprints) -> u128 {
    let mut h = Xxh3::new();
    h.write_u128(global);
    hash_str(&mut h, &job.template);
    hash_str(&mut h, &job.url);
    let full = |h: &mut Xxh3, id: PostId| h.write_u64(fps.full.get(id).copied().unwrap_or(0));
    let post = |h: &mut Xxh3, id: PostId| h.write_u64(fps.view.get(id).copied().unwrap_or(0));
    match &job.kind {
        JobKind::Post(id) => {
            h.write_u8(1);
            full(&mut h, *id);
            // Neighbours, related posts and series parts show their titles.
            for n in [id.checked_sub(1), Some(id + 1)].into_iter().flatten() {
                post(&mut h, n);
            }
            for &r in &site.related[*id] {
                post(&mut h, r);
            }
            if let Some(place) = site.series_of[*id] {
                for &p in &site.series[place.series].posts {
                    post(&mut h, p);
                }
            }
        }
        JobKind::Comments { post: id, number } => {
            h.write_u8(2);
            full(&mut h, *id);
            h.write_usize(*number);
        }
        JobKind::Page(id) => {
            h.write_u8(3);
            h.write_u64(site.pages[*id].source_hash);
        }
        JobKind::List { list, number } => {
            h.write_u8(4);
            for s in [&list.list_kind, &list.title, &list.base_url] {
                hash_str(&mut h, s);
            }
            hash_str(&mut h, list.name.as_deref().unwrap_or(""));
            hash_str(&mut h, list.feed.as_deref().unwrap_or(""));
            h.write_usize(*number);
            h.write_usize(list.per_page);
            h.write_usize(list.posts.len());
            for &id in list
                .posts
                .iter()
                .skip((number - 1) * list.per_page)
                .take(list.per_page)
            {
                if list.full_posts {
                    full(&mut h, id);
                } else {
                    post(&mut h, id);
                }
            }
        }
        JobKind::Terms(kind) => {
            h.write_u8(5);
            for term in site.terms(*kind) {
                hash_str(&mut h, &term.name);
                hash_str(&mut h, &term.slug);
                h.write_usize(term.posts.len());
            }
        }
        JobKind::Feed { format, spec } => {
            h.write_u8(6);
            h.write_u8(*format as u8);
            for s in [&spec.title, &spec.home, &spec.path] {
                hash_str(&mut h, s);
            }
            for &id in &spec.posts {
                full(&mut h, id);
            }
        }
        JobKind::Series(index) => {
            h.write_u8(7);
            let s = &site.series[*index];
            hash_str(&mut h, &s.name);
            for &id in &s.posts {
                post(&mut h, id);
            }
        }
        // These list every post, but only a few fields of each: hash those,
        // so editing a post's text does not redo a 10,000-entry page.
        JobKind::Archive => {
            h.write_u8(8);
            for &x in &fps.listing {
                h.write_u64(x);
            }
        }
        JobKind::SearchIndex => {
            h.write_u8(14);
            for &x in &fps.search {
                h.write_u64(x);
            }
        }
        JobKind::Sitemap(lists) => {
            h.write_u8(9);
            for &x in &fps.sitemap {
                h.write_u64(x);
            }
            for p in site.pages.iter() {
                h.write_u64(p.source_hash);
            }
            for (path, ids) in lists.iter() {
                hash_str(&mut h, path);
                for &id in ids {
                    h.write_u64(fps.sitemap.get(id).copied().unwrap_or(0));
                }
            }
        }
        JobKind::Alias { target, title } => {
            h.write_u8(10);
            hash_str(&mut h, target);
            hash_str(&mut h, title);
        }
        JobKind::Standalone { title } => {
            h.write_u8(11);
            hash_str(&mut h, title);
            for id in 0..site.posts.len().min(super::plan::RECENT_POSTS) {
                post(&mut h, id);
            }
        }
        JobKind::Robots => h.write_u8(12),
        JobKind::Copy { source } => {
            h.write_u8(13);
            h.write_u128(crate::output::fingerprint(&Body::Copy(source.clone())));
        }
    }
    h.digest128()
}

//! What a page read: the render stage's one dependency model.
//!
//! Every job builds its template context through a [`Reads`], which hands
//! out the site's posts, their comments and their per-post values and
//! records which posts it handed out, and a [`JobContext`], which hashes
//! every value inserted into the context as it goes (`super::hashing`).
//! A page is a pure
//! function of its context, its template and the theme, so:
//!
//! - a job's *fingerprint* is the hash of its context (plus template name
//!   and theme generation): when it equals the last build's, the last
//!   output is still right, whatever field a view gained;
//! - a job's *dependencies* are the posts its [`Reads`] handed out: after
//!   an edit that leaves the index as it was, only the jobs that read an
//!   edited post are looked at again.
//!
//! Values made once per post (its list value, its page value with content,
//! its feed HTML, its search entry) live in the [`PostMemo`], kept between
//! builds by post identity, and are hashed once when made: a page showing
//! 10,000 of them hashes 10,000 numbers, not 10,000 summaries. They are
//! handed out as [`Shared`], which serializes as the value for Tera and as
//! the hash while a context is being fingerprinted. A one-shot build
//! keeps a list value only once a job asks for it, and lets the post pages
//! and list items make their own instead of holding 10,000 maps while the
//! post pages are made ([`Reads::value`], `base_value`); it holds each list
//! item only until the last list page showing it is made
//! ([`PostMemo::lease`]).
//!
//! The memo's rule: a per-post value may read only its post, that post's
//! comments and mentions, and the config (which restarts everything when
//! it changes). [`PostMemo::refresh`] makes a post's values again when the
//! post (a new parse) or its comments change.
//!
//! One memo value also reads the theme and the `site` value: a post's
//! *list item*, its `item.html` rendered once and handed to every list
//! page showing the post as `post.item_html`. Those are kept under an
//! [`ItemKey`] (theme generation and `site` hash) and made again when it
//! changes.
//!
//! With reuse off ([`PostMemo::new`]'s `reuse`), every value is made anew
//! where it is used, as if nothing were kept: slower, and byte for byte
//! the same output, which `tests/reuse.rs` checks.

use std::cell::RefCell;
use std::collections::HashMap;
use std::hash::Hasher as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use serde::Serialize;
use tera::Value;
use xxhash_rust::xxh3::Xxh3;

use super::hashing::item_hash;
pub use super::hashing::{JobContext, Shared};
use super::leases::Leases;
use super::terms::TermValues;

use crate::config::Config;
use crate::content::Post;
use crate::content::comment::{Comment, Thread};
use crate::site::{PostId, Site};

/// One post's values, and what they were made from.
pub struct MemoEntry {
    /// The parse the values were made from: a new parse is a new `Arc`.
    post: Arc<Post>,
    /// The post's comments and mentions, by their source hashes.
    social: u64,
    /// The list value: made for every post when the memo is refreshed in
    /// a session; in a one-shot build, when a job first asks for it.
    list: OnceLock<Shared<Value>>,
    page: OnceLock<Shared<Value>>,
    archive: OnceLock<Shared<Value>>,
    feed: OnceLock<Shared<Arc<str>>>,
    search: OnceLock<Shared<Arc<str>>>,
    /// Its sitemap entry, with when the post last changed: the sitemap
    /// reads both for every post, kept side by side.
    sitemap: OnceLock<(Shared<Value>, jiff::Timestamp)>,
    /// The list value with `item_html`, when the theme has `item.html`.
    listed: OnceLock<Listed>,
}

/// A post's list value with its rendered list item, or why `item.html`
/// failed for it.
pub type Listed = Result<Shared<Value>, Arc<Vec<crate::diagnostic::Diagnostic>>>;

/// What list items are made from besides the post: the theme (by
/// generation) and the hash of the `site` value.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ItemKey {
    pub theme_generation: u64,
    pub site_hash: u64,
}

impl MemoEntry {
    /// The same values without the list item (made again under a new key).
    fn without_item(&self) -> MemoEntry {
        MemoEntry {
            post: self.post.clone(),
            social: self.social,
            list: self.list.clone(),
            page: self.page.clone(),
            archive: self.archive.clone(),
            feed: self.feed.clone(),
            search: self.search.clone(),
            sitemap: self.sitemap.clone(),
            listed: OnceLock::new(),
        }
    }
}

/// Per-post values, kept between builds; see the module docs.
#[derive(Default)]
pub struct PostMemo {
    by_post: Vec<Arc<MemoEntry>>,
    /// Whether values are hashed (a build that fingerprints its jobs:
    /// a session, or a build into a folder that records keys).
    hashed: bool,
    /// Whether values shown once a build are kept and reads recorded (a
    /// session that builds again); a one-shot build makes page values as
    /// it goes.
    kept: bool,
    /// The comment and mention lists the entries were checked against:
    /// when the next site shares them (an edit of posts only), each entry
    /// is kept or not by its post alone.
    social: Option<(SharedThreads, SharedMentions)>,
    /// Whether values are kept and handed out again (off only to show
    /// that keeping them changes no byte).
    reuse: bool,
    /// What the entries' list items were made under.
    item_key: ItemKey,
    /// Tag and category values, shared by the posts' views.
    terms: TermValues,
    /// A one-shot build's list items, each held for the pages showing it.
    leases: Leases,
}

type SharedThreads = Arc<Vec<Vec<Thread>>>;
type SharedMentions = Arc<Vec<Vec<Comment>>>;

fn social_hash(comments: &[Thread], mentions: &[Comment]) -> u64 {
    fn threads(h: &mut Xxh3, list: &[Thread]) {
        h.write_usize(list.len());
        for t in list {
            h.write_u64(t.comment.source_hash);
            threads(h, &t.replies);
        }
    }
    let mut h = Xxh3::new();
    threads(&mut h, comments);
    for m in mentions {
        h.write_u64(m.source_hash);
    }
    h.digest()
}

impl PostMemo {
    /// A memo for a session that builds again when `kept` (its values
    /// hashed), else for one build (hashed only if [`PostMemo::hash`]).
    pub fn new(kept: bool, reuse: bool) -> Self {
        PostMemo {
            by_post: Vec::new(),
            hashed: kept,
            kept,
            social: None,
            reuse,
            item_key: ItemKey::default(),
            terms: TermValues::default(),
            leases: Leases::default(),
        }
    }

    /// Holds list items by these leases from now on (a one-shot build's
    /// list pages), instead of in each post's entry until the memo goes.
    pub fn lease(&mut self, leases: Leases) {
        self.leases = leases;
    }

    pub fn leases(&self) -> &Leases {
        &self.leases
    }

    /// Hashes the values made from now on, so jobs can be fingerprinted
    /// (a one-shot build whose sink records keys).
    pub fn hash(&mut self) {
        if !self.hashed {
            self.hashed = true;
            self.by_post.clear();
        }
    }

    /// Whether `site` lists the same posts (by source file) in the same
    /// order as the memo, so post ids mean what they meant.
    pub fn same_posts_in_order(&self, site: &Site) -> bool {
        self.by_post.len() == site.posts.len()
            && self
                .by_post
                .iter()
                .zip(&site.posts)
                // A post the edit left alone is the same parse.
                .all(|(e, p)| Arc::ptr_eq(&e.post, p) || e.post.source == p.source)
    }

    /// Brings the memo up to `site`: keeps each post's values when the
    /// post and its comments are the ones they were made from, makes the
    /// rest (in parallel). Returns the posts whose values were made anew.
    pub fn refresh(&mut self, site: &Site, item_key: ItemKey) -> Vec<PostId> {
        let same_social =
            self.social.as_ref().is_some_and(|(c, m)| {
                Arc::ptr_eq(c, &site.comments) && Arc::ptr_eq(m, &site.mentions)
            }) && self.by_post.len() == site.posts.len();
        let kept: Vec<Option<Arc<MemoEntry>>> = if same_social {
            // The same comment lists by post: only the posts can differ.
            std::mem::take(&mut self.by_post)
                .into_iter()
                .zip(&site.posts)
                .map(|(e, post)| Arc::ptr_eq(&e.post, post).then_some(e))
                .collect()
        } else {
            let mut old: HashMap<*const Post, Arc<MemoEntry>> = std::mem::take(&mut self.by_post)
                .into_iter()
                .map(|e| (Arc::as_ptr(&e.post), e))
                .collect();
            site.posts
                .iter()
                .enumerate()
                .map(|(id, post)| {
                    old.remove(&Arc::as_ptr(post))
                        .filter(|e| e.social == social_hash(&site.comments[id], &site.mentions[id]))
                })
                .collect()
        };
        if self.kept {
            self.social = Some((site.comments.clone(), site.mentions.clone()));
        }
        let changed: Vec<PostId> = (0..kept.len()).filter(|&id| kept[id].is_none()).collect();
        let new_items = self.item_key != item_key;
        self.item_key = item_key;
        let kept: Vec<Option<Arc<MemoEntry>>> = if new_items {
            kept.into_iter()
                .map(|e| e.map(|e| Arc::new(e.without_item())))
                .collect()
        } else {
            kept
        };
        let eager = self.kept;
        let memo = &*self;
        let by_post = kept
            .into_par_iter()
            .enumerate()
            .map(|(id, kept)| {
                kept.unwrap_or_else(|| {
                    let post = &site.posts[id];
                    let list = OnceLock::new();
                    if eager {
                        let _ = list.set(memo.list_value(site, id));
                    }
                    Arc::new(MemoEntry {
                        post: post.clone(),
                        social: social_hash(&site.comments[id], &site.mentions[id]),
                        list,
                        page: OnceLock::new(),
                        archive: OnceLock::new(),
                        feed: OnceLock::new(),
                        search: OnceLock::new(),
                        sitemap: OnceLock::new(),
                        listed: OnceLock::new(),
                    })
                })
            })
            .collect();
        self.by_post = by_post;
        changed
    }

    /// A post's list value (its view, no `content`), hashed when values
    /// are.
    fn list_value(&self, site: &Site, id: PostId) -> Shared<Value> {
        Shared::new(self.view_value(site, id, None), self.hashed)
    }

    /// A post's view as a value, with `content` if given.
    fn view_value(&self, site: &Site, id: PostId, content: Option<Arc<str>>) -> Value {
        let mut view = super::views::post_view(
            &site.config,
            &site.posts[id],
            &site.comments[id],
            &self.terms,
            self.reuse,
        );
        view.content = content;
        Value::from_serializable(&view)
    }
}

/// What one job read while its context was built.
pub struct Reads<'a> {
    site: &'a Site,
    memo: &'a PostMemo,
    /// Whether reads are recorded (a session that keeps them; a one-shot
    /// build renders every job once and needs no record).
    recording: bool,
    posts: RefCell<Vec<PostId>>,
    files: RefCell<Vec<PathBuf>>,
}

impl<'a> Reads<'a> {
    pub fn new(site: &'a Site, memo: &'a PostMemo) -> Self {
        Reads {
            site,
            memo,
            recording: memo.kept,
            posts: RefCell::new(Vec::new()),
            files: RefCell::new(Vec::new()),
        }
    }

    /// The site's shape: config, pages, terms, series, the archive's
    /// years. Posts, comments and mentions are read through the methods
    /// below, so that the read is recorded.
    pub fn site(&self) -> &'a Site {
        self.site
    }

    fn record(&self, id: PostId) {
        if !self.recording {
            return;
        }
        let mut posts = self.posts.borrow_mut();
        if posts.last() != Some(&id) {
            posts.push(id);
        }
    }

    pub fn post(&self, id: PostId) -> &'a Arc<Post> {
        self.record(id);
        &self.site.posts[id]
    }

    pub fn comments(&self, id: PostId) -> &'a [Thread] {
        self.record(id);
        &self.site.comments[id]
    }

    pub fn mentions(&self, id: PostId) -> &'a [Comment] {
        self.record(id);
        &self.site.mentions[id]
    }

    fn entry(&self, id: PostId) -> &'a MemoEntry {
        self.record(id);
        &self.memo.by_post[id]
    }

    /// The post's view as lists show it (no `content`).
    pub fn value(&self, id: PostId) -> Shared<Value> {
        let entry = self.entry(id);
        if !self.memo.reuse {
            return self.memo.list_value(self.site, id);
        }
        entry
            .list
            .get_or_init(|| self.memo.list_value(self.site, id))
            .clone()
    }

    /// The list value to make a bigger value from (with `content` or
    /// `item_html`): the kept one if made, else, in a one-shot build, one
    /// made for the purpose and not kept, so that the bigger value takes
    /// its map instead of copying it. A one-shot build thus holds no list
    /// values while it makes the post pages, and while it makes the lists
    /// a list item's map only for as long as its post's lease runs
    /// (`super::leases`).
    fn base_value(&self, id: PostId) -> Shared<Value> {
        let entry = self.entry(id);
        match entry.list.get() {
            Some(list) if self.memo.reuse => list.clone(),
            _ if !self.memo.kept => self.memo.list_value(self.site, id),
            _ => self.value(id),
        }
    }

    /// The post's list value with `item_html`, the theme's `item.html`
    /// rendered for it by `render` (from the list value) once and kept
    /// while the theme and `site` value are the same.
    pub fn listed(
        &self,
        id: PostId,
        render: impl FnOnce(&Value) -> Result<String, Vec<crate::diagnostic::Diagnostic>>,
    ) -> Listed {
        let make = || {
            let list = self.base_value(id);
            let html = render(&list).map_err(Arc::new)?;
            let hash = item_hash(&list);
            let value =
                super::views::with_field(list.into_value(), "item_html", Value::safe_string(&html));
            Ok(Shared::with_hash(value, hash))
        };
        if !self.memo.reuse {
            return make();
        }
        self.record(id);
        match self.memo.leases.item(id, make) {
            Ok(listed) => listed,
            Err(make) => self.entry(id).listed.get_or_init(make).clone(),
        }
    }

    /// The post's list value on a list page of a theme without
    /// `item.html`: leased like a list item when a lease is open.
    pub fn listed_value(&self, id: PostId) -> Shared<Value> {
        if self.memo.reuse {
            let make = || Ok(self.memo.list_value(self.site, id));
            if let Ok(Ok(value)) = self.memo.leases.item(id, make) {
                self.record(id);
                return value;
            }
        }
        self.value(id)
    }

    /// What [`Reads::listed`] gives, for a context that only fingerprints:
    /// the item's hash, without rendering it.
    pub fn listed_hash(&self, id: PostId) -> Shared<Value> {
        let entry = self.entry(id);
        match entry.listed.get() {
            Some(Ok(listed)) if self.memo.reuse => listed.clone(),
            _ => Shared::stand_in(item_hash(&self.value(id))),
        }
    }

    /// The post's view with `content`, for its own page. Kept only by a
    /// session: a one-shot build shows it once. For a context that only
    /// fingerprints (`only_hash`), its hash: the list value's and the
    /// HTML's, which are all it is made from.
    pub fn page_value(&self, id: PostId, only_hash: bool) -> Shared<Value> {
        let entry = self.entry(id);
        let post = &self.site.posts[id];
        let hash = |list: &Shared<Value>, html: &str| {
            if !self.memo.hashed {
                return 0;
            }
            let mut h = Xxh3::new();
            h.update(b"page\0");
            h.write_u64(list.hash());
            h.update(html.as_bytes());
            h.digest()
        };
        let kept = self.memo.reuse && self.memo.kept;
        if only_hash {
            return match entry.page.get() {
                Some(page) if kept => page.clone(),
                _ => Shared::stand_in(hash(&self.value(id), &post.body.html.get())),
            };
        }
        let make = || {
            let html = post.body.html.get();
            if !self.memo.hashed && !kept && entry.list.get().is_none() {
                // Nothing hashed, and no list value to start from: the
                // view with `content`, made in one go (a list value
                // extended by a field is a map built twice).
                return Shared::with_hash(self.memo.view_value(self.site, id, Some(html)), 0);
            }
            let list = self.base_value(id);
            let hash = hash(&list, &html);
            Shared::with_hash(super::views::with_content(list.into_value(), &html), hash)
        };
        if !kept {
            return make();
        }
        entry.page.get_or_init(make).clone()
    }

    /// A per-post value from the memo, made by `make` the first time and
    /// hashed.
    fn memoized<T: Serialize + Clone + 'a>(
        &self,
        id: PostId,
        once: bool,
        cell: impl FnOnce(&'a MemoEntry) -> &'a OnceLock<Shared<T>>,
        make: impl FnOnce(&Config, &Post) -> T,
    ) -> Shared<T> {
        self.kept(id, once, cell, |post| {
            Shared::new(make(&self.site.config, post), self.memo.hashed)
        })
    }

    /// What `cell` of the post's memo entry holds, made by `make` the
    /// first time. `once`: one job of a build shows it (the post's page,
    /// the archive, the sitemap, the search index), so only a session that
    /// builds again keeps it.
    fn kept<V: Clone + 'a>(
        &self,
        id: PostId,
        once: bool,
        cell: impl FnOnce(&'a MemoEntry) -> &'a OnceLock<V>,
        make: impl FnOnce(&Post) -> V,
    ) -> V {
        let entry = self.entry(id);
        let post = &self.site.posts[id];
        if !self.memo.reuse || (once && !self.memo.kept) {
            return make(post);
        }
        cell(entry).get_or_init(|| make(post)).clone()
    }

    /// The post as the archive lists it.
    pub fn archive_entry(&self, id: PostId) -> Shared<Value> {
        self.memoized(
            id,
            true,
            |e| &e.archive,
            |c, p| Value::from_serializable(&super::discovery::archive_post(c, p)),
        )
    }

    /// The post's HTML as feeds carry it (absolute links).
    pub fn feed_html(&self, id: PostId) -> Shared<Arc<str>> {
        self.memoized(
            id,
            false,
            |e| &e.feed,
            |c, p| super::feeds::feed_html(c, p).into(),
        )
    }

    /// The post's entry in `search.json`, as JSON.
    pub fn search_entry(&self, id: PostId) -> Shared<Arc<str>> {
        self.memoized(
            id,
            true,
            |e| &e.search,
            |c, p| super::discovery::search_entry(c, p).into(),
        )
    }

    /// The post's entry in `sitemap.xml`, and when the post last changed.
    pub fn sitemap_entry(&self, id: PostId) -> (Shared<Value>, jiff::Timestamp) {
        self.kept(
            id,
            true,
            |e| &e.sitemap,
            |post| {
                let value = super::discovery::sitemap_post(&self.site.config, post);
                let value = Shared::new(Value::from_serializable(&value), self.memo.hashed);
                (value, post.last_changed())
            },
        )
    }

    /// A file the job copies.
    pub fn file(&self, path: &Path) {
        if !self.recording {
            return;
        }
        self.files.borrow_mut().push(path.to_path_buf());
    }

    /// What was read: posts (sorted, once each) and files.
    pub fn finish(self) -> Recorded {
        let posts = sorted_once(self.posts.into_inner());
        Recorded {
            posts,
            files: self.files.into_inner(),
        }
    }
}

/// Reads a job may record before [`sorted_once`] sorts them with a bit
/// per post rather than by comparison.
const SORT_AT_MOST: usize = 512;

/// `posts` sorted, each once. A site-wide page (sitemap, archive, search)
/// reads most posts, some twice: a bit per post sorts and dedups those in
/// one pass where sorting would take n log n.
fn sorted_once(mut posts: Vec<PostId>) -> Vec<PostId> {
    if posts.len() <= SORT_AT_MOST {
        posts.sort_unstable();
        posts.dedup();
        return posts;
    }
    let end = posts.iter().max().map_or(0, |&id| id + 1);
    let mut seen = vec![0u64; end.div_ceil(64)];
    for &id in &posts {
        seen[id / 64] |= 1 << (id % 64);
    }
    posts.clear();
    for (w, &word) in seen.iter().enumerate() {
        let mut bits = word;
        while bits != 0 {
            posts.push(w * 64 + bits.trailing_zeros() as usize);
            bits &= bits - 1;
        }
    }
    posts
}

/// A job's recorded reads.
#[derive(Debug, Default, Clone)]
pub struct Recorded {
    pub posts: Vec<PostId>,
    pub files: Vec<PathBuf>,
}

#[cfg(test)]
mod tests {
    use std::fs;

    use proptest::prelude::*;

    use crate::output::{Body, MemorySink};
    use crate::request::BuildOptions;
    use crate::session::{Changes, Session};

    proptest! {
        /// Both ways of sorting reads (by comparison for a few, by bits
        /// for many) give the sorted reads, each once.
        #[test]
        fn sorted_once_sorts_and_dedups(
            posts in prop::collection::vec(0usize..3000, 0..2000),
        ) {
            let mut want = posts.clone();
            want.sort_unstable();
            want.dedup();
            prop_assert_eq!(super::sorted_once(posts), want);
        }
    }

    fn page(sink: MemorySink, path: &str) -> Option<String> {
        sink.into_files()
            .into_iter()
            .find(|f| f.path.as_str() == path)
            .and_then(|f| match f.body {
                Body::Bytes(b) => Some(String::from_utf8_lossy(&b).into_owned()),
                Body::Copy(_) => None,
            })
    }

    /// `ArchivePost::words` exists only in tests and no cache code names
    /// it: a body edit that keeps the title, date and URL must still
    /// re-render the archive that shows it. (The hand-kept fingerprints
    /// this replaced hashed the archive's title, URL, kind and date only,
    /// and kept the old page.)
    #[test]
    fn a_field_added_to_a_view_invalidates_the_pages_that_show_it() {
        let dir = tempfile::tempdir().unwrap();
        let w = |rel: &str, text: &str| {
            let path = dir.path().join(rel);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, text).unwrap();
        };
        w(
            "glossator.toml",
            "title = \"T\"\nbase_url = \"https://t.example\"\n",
        );
        w(
            "templates/archive.html",
            "{% for y in archive.years %}{% for m in y.months %}{% for p in m.posts %}\
             {{ p.title }}={{ p.words }};{% endfor %}{% endfor %}{% endfor %}",
        );
        let post = |body: &str| format!("+++\ntitle = \"A\"\ndate = 2020-01-01\n+++\n{body}\n");
        w("content/posts/a.md", &post("one two three"));
        w(
            "content/posts/b.md",
            "+++\ntitle = \"B\"\ndate = 2020-01-02\n+++\nfour\n",
        );
        let mut session = Session::new(BuildOptions::new(dir.path()));
        let sink = MemorySink::default();
        session.build(&Changes::default(), &sink).unwrap();
        assert_eq!(page(sink, "archive/index.html").unwrap(), "B=1;A=3;");

        w("content/posts/a.md", &post("one two three four five"));
        let changes = Changes {
            paths: [dir.path().join("content/posts/a.md")].into(),
            ..Changes::default()
        };
        let sink = MemorySink::default();
        let built = session.build(&changes, &sink).unwrap();
        assert!(!built.complete, "an edit, not a first build");
        assert!(
            built
                .rendered
                .iter()
                .any(|p| p.as_str() == "archive/index.html"),
            "{:?}",
            built.rendered
        );
        assert_eq!(page(sink, "archive/index.html").unwrap(), "B=1;A=5;");
    }

    /// Contexts read posts, comments and mentions through `Reads`, or the
    /// read goes unrecorded and an edit would not reach the page.
    #[test]
    fn contexts_read_posts_only_through_reads() {
        let files = [
            ("mod.rs", include_str!("mod.rs")),
            ("views.rs", include_str!("views.rs")),
            ("comments.rs", include_str!("comments.rs")),
            ("feeds.rs", include_str!("feeds.rs")),
            ("discovery.rs", include_str!("discovery.rs")),
        ];
        for (name, text) in files {
            for pattern in [
                "site.posts[",
                "site.posts.iter",
                "site.posts.get",
                "site.comments[",
                "site.mentions[",
            ] {
                assert!(
                    !text.contains(pattern),
                    "src/render/{name} reads `{pattern}`: use `Reads` instead"
                );
            }
        }
    }
}

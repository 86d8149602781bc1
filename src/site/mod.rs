//! The index stage: from parsed posts and pages to one frozen [`Site`].
//!
//! Everything that needs the whole site is worked out here, once: which
//! posts are published (drafts and future posts left out unless asked for),
//! their order, tags and categories with their posts, the posts of each
//! kind, and which files are copied beside bundled posts. The result refers
//! to posts by index ([`PostId`]), never by reference, and is not changed
//! after; templates see it through borrowed views built in `render`.

pub mod archive;
pub mod patch;
pub mod related;
pub mod series;
#[cfg(test)]
pub(crate) mod test_posts;

use std::collections::hash_map::Entry;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use jiff::Timestamp;

use crate::config::{Config, TaxonomyKind};
use crate::content::comment::{Thread, build_threads};
use crate::content::{Kind, Page, Parsed, Post, Role, SourceFile};
use crate::diagnostic::{Diagnostic, Diagnostics};

/// Index into [`Site::posts`].
pub type PostId = usize;

/// What the build was asked to include.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Filters {
    pub drafts: bool,
    pub future: bool,
    /// "Now", for deciding what is a future post.
    pub now: Timestamp,
}

/// One tag or category and its posts (newest first).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Term {
    pub name: String,
    pub slug: String,
    pub posts: Vec<PostId>,
}

/// A file copied from a bundle folder to beside its page.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BundleFile {
    /// Absolute path to read.
    pub source: PathBuf,
    /// Site-relative path, for messages.
    pub rel: PathBuf,
    /// Output path relative to the output root, `/`-separated.
    pub output: String,
}

/// The whole site, indexed and frozen.
///
/// Everything but the posts is shared (`Arc`), so a session can make the
/// next site from this one cheaply when an edit changes no post's place in
/// the index (see [`Site::with_posts_replaced`]).
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    /// Published posts, newest first.
    pub posts: Vec<Arc<Post>>,
    pub pages: Arc<Vec<Arc<Page>>>,
    pub tags: Arc<Vec<Term>>,
    pub categories: Arc<Vec<Term>>,
    pub by_kind: Arc<BTreeMap<Kind, Vec<PostId>>>,
    /// Comment threads, by post: the conversation.
    pub comments: Arc<Vec<Vec<Thread>>>,
    /// Pingbacks, trackbacks and webmentions, by post, oldest first: shown
    /// apart from the conversation.
    pub mentions: Arc<Vec<Vec<crate::content::comment::Comment>>>,
    pub series: Arc<Vec<series::Series>>,
    /// Each post's place in its series, by post.
    pub series_of: Arc<Vec<Option<series::SeriesPlace>>>,
    /// Related posts, by post.
    pub related: Arc<Vec<Vec<PostId>>>,
    pub archive: Arc<archive::Archive>,
    /// Files under `static/`: (absolute, site-relative, output path).
    pub static_files: Arc<Vec<BundleFile>>,
    pub bundle_files: Arc<Vec<BundleFile>>,
    /// The earliest date of a future post left out, if any: the index is
    /// stale from then on.
    pub next_due: Option<jiff::Timestamp>,
    /// Redirects from `content/redirects*.toml`, in file order.
    pub redirects: Arc<Vec<crate::content::redirect::Redirect>>,
}

impl Site {
    /// This site with some posts replaced by new versions whose
    /// [`Post::index_hash`] is unchanged, so every index structure still
    /// holds. The comments, terms, archive and the rest are shared.
    pub fn with_posts_replaced(&self, replacements: &[(PostId, Arc<Post>)]) -> Site {
        let mut site = self.clone();
        for (id, post) in replacements {
            if let Some(slot) = site.posts.get_mut(*id) {
                *slot = post.clone();
            }
        }
        site
    }

    pub fn terms(&self, kind: TaxonomyKind) -> &[Term] {
        match kind {
            TaxonomyKind::Tags => &self.tags,
            TaxonomyKind::Categories => &self.categories,
        }
    }

    /// The URL of a term's page, e.g. `/tags/russia/`.
    pub fn term_url(&self, kind: TaxonomyKind, slug: &str) -> String {
        term_url(&self.config, kind, slug)
    }
}

/// The URL of a term's page, e.g. `/tags/russia/`.
pub fn term_url(config: &Config, kind: TaxonomyKind, slug: &str) -> String {
    format!("/{}/{slug}/", config.taxonomy(kind).path)
}

/// Work the index can keep between builds of a long-lived session.
#[derive(Debug, Default)]
pub struct IndexCache {
    related: Option<RelatedCache>,
}

impl IndexCache {
    /// The related posts of `posts`: the last ranking when nothing it
    /// reads changed; when posts' tags or dates changed but not their
    /// order, only the posts near them in a tag are ranked again.
    fn related(&mut self, posts: &[Arc<Post>], count: usize) -> Arc<Vec<Vec<PostId>>> {
        if let Some(last) = self.related.as_mut().filter(|last| last.count == count)
            && let Some(related) =
                related::updated_related(&last.posts, &last.related, posts, count, &mut last.tags)
        {
            last.posts = posts.to_vec();
            last.related = related.clone();
            return related;
        }
        let tags = related::TagIndex::of(posts);
        let related = Arc::new(related::related_posts_by(posts, count, &tags));
        self.related = Some(RelatedCache {
            count,
            posts: posts.to_vec(),
            related: related.clone(),
            tags,
        });
        related
    }
}

/// The index stage's warnings, in the order a build reports them: those
/// about tag and category names first, then the rest (comments without a
/// post, files outside a bundle). Kept apart so that [`patch::patch_index`]
/// can make the first part again and keep the second.
#[derive(Debug, Clone, Default)]
pub struct IndexDiagnostics {
    pub terms: Diagnostics,
    pub rest: Diagnostics,
}

impl IndexDiagnostics {
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.terms.iter().chain(self.rest.iter())
    }
}

/// The order of posts in the index: newest first, then by slug, then by
/// file (so that the order never depends on how files were found).
pub fn newest_first(a: &Post, b: &Post) -> std::cmp::Ordering {
    b.date
        .timestamp()
        .cmp(&a.date.timestamp())
        .then_with(|| a.slug.cmp(&b.slug))
        .then_with(|| a.source.cmp(&b.source))
}

/// The site's tags and categories, with the warnings about their names.
fn collect_taxonomies(posts: &[Arc<Post>], config: &Config) -> (Vec<Term>, Vec<Term>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let [tags, categories] = TaxonomyKind::ALL.map(|kind| {
        collect_terms(
            posts,
            0..posts.len(),
            |_| true,
            kind,
            &mut diagnostics,
            config.taxonomy(kind),
        )
    });
    (tags, categories, diagnostics)
}

/// A post's names of one taxonomy's terms, and their slugs.
fn term_names(post: &Post, kind: TaxonomyKind) -> (&Vec<String>, &Vec<String>) {
    match kind {
        TaxonomyKind::Tags => (&post.tags, &post.tag_slugs),
        TaxonomyKind::Categories => (&post.categories, &post.category_slugs),
    }
}

/// The posts of each kind, newest first.
fn posts_by_kind(posts: &[Arc<Post>]) -> BTreeMap<Kind, Vec<PostId>> {
    let mut by_kind: BTreeMap<Kind, Vec<PostId>> = BTreeMap::new();
    for (id, post) in posts.iter().enumerate() {
        by_kind.entry(post.kind).or_default().push(id);
    }
    by_kind
}

/// The last related posts, with what they were ranked from.
#[derive(Debug)]
struct RelatedCache {
    count: usize,
    posts: Vec<Arc<Post>>,
    related: Arc<Vec<Vec<PostId>>>,
    /// The tag index of `posts`.
    tags: related::TagIndex,
}

/// Is this post in the build?
pub fn is_published(post: &Post, filters: &Filters) -> bool {
    (filters.drafts || !post.draft) && (filters.future || post.date.timestamp() <= filters.now)
}

/// Builds the index. `files` are the site's source files (only the
/// copied ones, bundle and static files, are looked at here).
pub fn index_site<'a>(
    config: Config,
    parsed: Parsed,
    files: impl IntoIterator<Item = &'a SourceFile>,
    filters: &Filters,
    cache: &mut IndexCache,
) -> (Site, IndexDiagnostics) {
    let mut diagnostics = Diagnostics::new();
    let next_due = parsed
        .posts
        .iter()
        .filter(|p| !filters.future && (filters.drafts || !p.draft))
        .map(|p| p.date.timestamp())
        .filter(|t| *t > filters.now)
        .min();
    let mut posts: Vec<Arc<Post>> = parsed
        .posts
        .into_iter()
        .filter(|p| is_published(p, filters))
        .collect();
    posts.sort_by(|a, b| newest_first(a, b));
    let mut pages: Vec<Arc<Page>> = parsed
        .pages
        .into_iter()
        .filter(|p| filters.drafts || !p.draft)
        .collect();
    pages.sort_by(|a, b| a.url.cmp(&b.url));

    let (tags, categories, term_diagnostics) = collect_taxonomies(&posts, &config);

    let (comments, mentions) = attach_comments(&posts, parsed.comments, &mut diagnostics);
    let mut redirect_files = parsed.redirects;
    redirect_files.sort_by(|a, b| a.source.cmp(&b.source));
    let redirects: Vec<_> = redirect_files
        .iter()
        .flat_map(|f| f.redirects.iter().cloned())
        .collect();
    let (series, series_of) = series::collect_series(&posts);
    let related = cache.related(&posts, config.related_count);
    let archive = archive::build_archive(&posts);
    let by_kind = posts_by_kind(&posts);

    // Bundle folders → the URL their files are copied beside.
    let mut bundle_urls: HashMap<&std::path::Path, &str> = HashMap::new();
    for p in &posts {
        if let Some(b) = &p.bundle {
            bundle_urls.insert(b.as_path(), p.url.as_str());
        }
    }
    for p in &pages {
        if let Some(b) = &p.bundle {
            bundle_urls.insert(b.as_path(), p.url.as_str());
        }
    }
    let files: Vec<&SourceFile> = files.into_iter().collect();
    // Folders holding an index.md (published or not), from the files the
    // load stage found: the index stage reads no disk.
    let bundle_folders: HashSet<&std::path::Path> = files
        .iter()
        .filter(|f| {
            f.rel
                .file_name()
                .is_some_and(|n| n == "index.md" || n == "index.markdown")
        })
        .filter_map(|f| f.rel.parent())
        .collect();
    let mut bundle_files = Vec::new();
    let mut static_files = Vec::new();
    for file in files {
        match &file.role {
            Role::BundleAsset { bundle } => {
                // The file sits somewhere below the bundle folder that holds
                // the index.md; find that folder.
                let owner = file
                    .rel
                    .ancestors()
                    .skip(1)
                    .find_map(|dir| bundle_urls.get(dir).map(|url| (dir, *url)));
                match owner {
                    Some((dir, url)) => {
                        let inner = file.rel.strip_prefix(dir).unwrap_or(&file.rel);
                        bundle_files.push(BundleFile {
                            source: file.abs.clone(),
                            rel: file.rel.clone(),
                            output: format!("{}{}", url.trim_start_matches('/'), slash_path(inner)),
                        });
                    }
                    None => {
                        // Files of drafts left out are expected to have no page.
                        let is_unpublished_bundle = bundle_folders.contains(bundle.as_path());
                        if !is_unpublished_bundle {
                            diagnostics.push(
                                Diagnostic::warning(&file.rel, "not beside an index.md: not copied")
                                    .with_hint("files for a post go in its folder beside index.md, or in static/"),
                            );
                        }
                    }
                }
            }
            Role::Static => {
                let inner = file.rel.strip_prefix("static").unwrap_or(&file.rel);
                static_files.push(BundleFile {
                    source: file.abs.clone(),
                    rel: file.rel.clone(),
                    output: slash_path(inner),
                });
            }
            _ => {}
        }
    }

    (
        Site {
            config,
            posts,
            pages: Arc::new(pages),
            tags: Arc::new(tags),
            categories: Arc::new(categories),
            by_kind: Arc::new(by_kind),
            comments: Arc::new(comments),
            mentions: Arc::new(mentions),
            series: Arc::new(series),
            series_of: Arc::new(series_of),
            related,
            archive: Arc::new(archive),
            static_files: Arc::new(static_files),
            bundle_files: Arc::new(bundle_files),
            next_due,
            redirects: Arc::new(redirects),
        },
        IndexDiagnostics {
            terms: term_diagnostics,
            rest: diagnostics,
        },
    )
}

/// Groups comments by their folder's post slug and threads each post's
/// conversation; mentions (pingbacks, trackbacks, webmentions) are kept
/// apart, oldest first.
fn attach_comments(
    posts: &[Arc<Post>],
    comments: Vec<Arc<crate::content::comment::Comment>>,
    diagnostics: &mut Diagnostics,
) -> (Vec<Vec<Thread>>, Vec<Vec<crate::content::comment::Comment>>) {
    let mut by_slug: HashMap<&str, PostId> = HashMap::new();
    for (id, post) in posts.iter().enumerate().rev() {
        // Newest wins when two posts share a slug.
        by_slug.insert(post.slug.as_str(), id);
    }
    let mut grouped: Vec<Vec<crate::content::comment::Comment>> = vec![Vec::new(); posts.len()];
    let mut mentions: Vec<Vec<crate::content::comment::Comment>> = vec![Vec::new(); posts.len()];
    let mut orphan_folders = std::collections::BTreeSet::new();
    for c in comments {
        match by_slug.get(c.post_slug.as_str()) {
            Some(&id) if !c.in_thread() => mentions[id].push((*c).clone()),
            Some(&id) => grouped[id].push((*c).clone()),
            None => {
                if orphan_folders.insert(c.post_slug.clone()) {
                    let folder = c.source.parent().map(PathBuf::from).unwrap_or_default();
                    diagnostics.push(
                        Diagnostic::warning(
                            folder,
                            format!(
                                "no published post has the slug `{}`: its comments are not shown",
                                c.post_slug
                            ),
                        )
                        .with_hint("comment folders are named after their post's slug"),
                    );
                }
            }
        }
    }
    for list in &mut mentions {
        list.sort_by(|a, b| {
            a.date
                .timestamp()
                .cmp(&b.date.timestamp())
                .then_with(|| a.id.cmp(&b.id))
        });
    }
    let threads = grouped
        .into_iter()
        .map(|list| {
            if list.is_empty() {
                return Vec::new();
            }
            let (threads, warnings) = build_threads(list);
            diagnostics.extend(warnings);
            threads
        })
        .collect();
    (threads, mentions)
}

fn slash_path(path: &std::path::Path) -> String {
    path.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Groups posts by term slug; the name shown is the one the newest post
/// used. Terms come out sorted by slug. Only the posts `ids` (in the
/// site's order) are read, and only the slugs `wanted` keeps: a patched
/// index collects the terms an edit reached from their posts alone, and
/// what is said about them is what collecting every term says.
fn collect_terms(
    posts: &[Arc<Post>],
    ids: impl IntoIterator<Item = PostId>,
    wanted: impl Fn(&str) -> bool,
    kind: TaxonomyKind,
    diagnostics: &mut Diagnostics,
    taxonomy: &crate::config::Taxonomy,
) -> Vec<Term> {
    let what = taxonomy.kind.singular();
    let folder = taxonomy.path.as_str();
    let mut terms: Vec<Term> = Vec::new();
    // Per slug: its term's index, and the first name seen and where (to
    // name both sides of a clash once per pair of names).
    let mut seen: rustc_hash::FxHashMap<&str, (usize, &str, &Path)> = Default::default();
    let mut told: HashSet<(String, String)> = HashSet::new();
    for id in ids {
        let post = &posts[id];
        let (names, slugs) = term_names(post, kind);
        for (name, slug) in names.iter().zip(slugs) {
            if slug.is_empty() || !wanted(slug) {
                continue;
            }
            // A name seen first (or spelled unlike the first) is checked;
            // the same name again says nothing new.
            let (at, first_name, first_file, fresh) = match seen.entry(slug.as_str()) {
                Entry::Vacant(v) => {
                    terms.push(Term {
                        name: name.clone(),
                        slug: slug.clone(),
                        posts: Vec::new(),
                    });
                    let at = terms.len() - 1;
                    v.insert((at, name.as_str(), post.source.as_path()));
                    (at, name.as_str(), post.source.as_path(), true)
                }
                Entry::Occupied(o) => {
                    let (at, n, f) = *o.get();
                    (at, n, f, n != name.as_str())
                }
            };
            let made_up = fresh && crate::urls::term_slug(name).1;
            if made_up && told.insert((slug.clone(), String::new())) {
                diagnostics.push(
                    Diagnostic::warning(
                        &post.source,
                        format!(
                            "{what} `{name}` has no letter or digit for its URL; its page is /{folder}/{slug}/"
                        ),
                    )
                    .with_hint(format!(
                        "give the {what} a name with a letter or digit to choose its URL"
                    )),
                );
            }
            if fresh
                && first_name.to_lowercase() != name.to_lowercase()
                && told.insert((slug.clone(), name.to_lowercase()))
            {
                diagnostics.push(
                    Diagnostic::warning(
                        &post.source,
                        format!(
                            "{what} `{name}` and {what} `{first_name}` ({}) have the same URL, /{folder}/{slug}/: they share one page",
                            first_file.display(),
                        ),
                    )
                    .with_hint(format!(
                        "if they are different {what} names, rename one so its letters and digits differ (`C++` and `C` both become `c`: try `cpp`)"
                    )),
                );
            }
            // Two names of one post on one page list the post once.
            if terms[at].posts.last() != Some(&id) {
                terms[at].posts.push(id);
            }
        }
    }
    terms.sort_by(|a, b| a.slug.cmp(&b.slug));
    terms
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_config;
    use crate::content::source::SourceFile;

    fn post(rel: &str, text: &str, config: &Config) -> Arc<Post> {
        let file = SourceFile {
            rel: PathBuf::from(rel),
            abs: PathBuf::from(rel),
            role: Role::Post,
            text: Some(text.into()),
        };
        Arc::new(crate::content::post::parse_post(&file, config).0.unwrap())
    }

    #[test]
    fn drafts_and_future_posts_are_filtered_and_order_is_newest_first() {
        let config = parse_config("").unwrap();
        let posts = vec![
            post(
                "content/posts/2009-01-01-a.md",
                "+++\ntitle = \"a\"\ntags = [\"X\"]\n+++\n",
                &config,
            ),
            post(
                "content/posts/2009-01-02-b.md",
                "+++\ntitle = \"b\"\ndraft = true\n+++\n",
                &config,
            ),
            post(
                "content/posts/2099-01-01-c.md",
                "+++\ntitle = \"c\"\n+++\n",
                &config,
            ),
            post(
                "content/posts/2009-01-03-d.md",
                "+++\ntitle = \"d\"\ntags = [\"x\", \"Y\"]\n+++\n",
                &config,
            ),
        ];
        let now: Timestamp = "2026-01-01T00:00:00Z".parse().unwrap();
        let parsed = || Parsed {
            posts: posts.clone(),
            ..Parsed::default()
        };
        let filters = Filters {
            drafts: false,
            future: false,
            now,
        };
        let (site, _) = index_site(
            config.clone(),
            parsed(),
            [],
            &filters,
            &mut IndexCache::default(),
        );
        let titles: Vec<&str> = site.posts.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, vec!["d", "a"]);
        assert_eq!(site.tags.len(), 2);
        assert_eq!(site.tags[0].slug, "x");
        assert_eq!(site.tags[0].name, "x", "newest post's spelling wins");
        assert_eq!(site.tags[0].posts, vec![0, 1]);

        let all = Filters {
            drafts: true,
            future: true,
            now,
        };
        let (site, _) = index_site(config, parsed(), [], &all, &mut IndexCache::default());
        let titles: Vec<&str> = site.posts.iter().map(|p| p.title.as_str()).collect();
        assert_eq!(titles, vec!["c", "d", "b", "a"]);
    }
}

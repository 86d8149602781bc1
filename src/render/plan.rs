//! The plan: every output file of the site, before any rendering.
//!
//! Each [`Job`] says which file it writes, with which template, from what.
//! Planning is where URL collisions are caught (two posts with one URL, a
//! page named like the tag list, a static file over a post) with both
//! claimants named, and where a post asking for a template that does not
//! exist is told so at its own file.

use rustc_hash::FxHashMap as HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::TaxonomyKind;
use crate::content::Kind;
use crate::diagnostic::{Diagnostic, Diagnostics, nearest};
use crate::output::OutputPath;
use crate::render::discovery::date_lists;
use crate::render::feeds::{FeedFormat, FeedSpec};
use crate::site::{PostId, Site};
use crate::theme::{AssetSource, Theme};
use crate::urls::series_path;

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
}

/// What a job is, in words (`post "Title"`, `page 2 of the tag list
/// "x"`), for messages. Made only when a message needs it: most plans
/// have none, and formatting it for every one of 20,000 jobs was a good
/// part of planning.
type What<'a> = Box<dyn Fn() -> String + 'a>;

fn what<'a>(describe: impl Fn() -> String + 'a) -> What<'a> {
    Box::new(describe)
}

/// Who claimed an output path, for collision messages.
struct Claim<'a> {
    what: What<'a>,
    source: Option<PathBuf>,
}

impl Claim<'_> {
    /// The claimant, with its file when it has one.
    fn named(&self) -> String {
        match &self.source {
            Some(s) => format!("{} ({})", (self.what)(), s.display()),
            None => (self.what)(),
        }
    }
}

struct Planner<'a> {
    theme: &'a Theme,
    /// The taxonomies, to blame a clash of their pages on their `path`.
    taxonomies: [&'a crate::config::Taxonomy; 2],
    jobs: Vec<Job>,
    claims: HashMap<OutputPath, Claim<'a>>,
    /// Outputs by their name where case and Unicode form do not count,
    /// for the outputs whose name is not that already (see
    /// `check_portable`).
    folded: HashMap<String, OutputPath>,
    /// Every folder some output sits in, with the output that made it
    /// first: a file and a folder of one name cannot both be written.
    folders: HashMap<String, OutputPath>,
    diagnostics: Diagnostics,
}

impl<'a> Planner<'a> {
    fn add(
        &mut self,
        url: String,
        output: Result<OutputPath, String>,
        template: &str,
        kind: JobKind,
        source: Option<PathBuf>,
        what: What<'a>,
    ) {
        let output = match output {
            Ok(o) => o,
            Err(message) => {
                let what = what();
                let path = source.clone().unwrap_or_else(|| PathBuf::from("content"));
                self.diagnostics.push(
                    Diagnostic::error(path, format!("{what}: {message}")).with_hint(
                        "slugs and paths must stay inside the site: no `..`, `/` or `\\`",
                    ),
                );
                return;
            }
        };
        if let Some(first) = self.claims.get(&output) {
            let theirs = first.named();
            let what = what();
            let hint = if what.contains("alias") || (first.what)().contains("alias") {
                "an old URL can redirect to one page only, and never over a real page: remove or change the alias".to_string()
            } else {
                "give one of them a different `slug` (or date), or move the static file".to_string()
            };
            let message = format!("{what} has the URL {url}, which {theirs} already has");
            let diagnostic = self.blame(&url, source.as_ref(), first.source.clone(), message, hint);
            self.diagnostics.push(diagnostic);
            return;
        }
        // A file where another output needs a folder, or the other way
        // round, would fail half-way through writing: refuse it here.
        let clash = if let Some(by) = self.folders.get(output.as_str()) {
            Some(by.clone())
        } else {
            folders_of(output.as_str())
                .find_map(|f| self.claims.get_key_value(f).map(|(o, _)| o.clone()))
        };
        if let Some(other) = clash {
            let theirs = self
                .claims
                .get(&other)
                .map_or_else(|| other.to_string(), Claim::named);
            let what = what();
            let message = format!(
                "{what} needs the output {output}, but {theirs} is written at {other}: one name cannot be both a file and a folder"
            );
            let first = self.claims.get(&other).and_then(|c| c.source.clone());
            let diagnostic = self.blame(
                &url,
                source.as_ref(),
                first,
                message,
                "change the slug, alias or file name of one of them".into(),
            );
            self.diagnostics.push(diagnostic);
            return;
        }
        self.check_portable(&output, &what, source.as_ref());
        for folder in folders_of(output.as_str()) {
            if !self.folders.contains_key(folder) {
                self.folders.insert(folder.to_string(), output.clone());
            }
        }
        self.claims.insert(
            output.clone(),
            Claim {
                what,
                source: source.clone(),
            },
        );
        self.jobs.push(Job {
            output,
            url,
            template: template.to_string(),
            kind,
            source,
        });
    }

    /// The error for a clash at `url`: on the file that asked for it, or
    /// on the other's; on glossator.toml when a taxonomy's `path` put its
    /// pages there.
    fn blame(
        &self,
        url: &str,
        mine: Option<&PathBuf>,
        theirs: Option<PathBuf>,
        message: String,
        hint: String,
    ) -> Diagnostic {
        if let Some(path) = mine {
            return Diagnostic::error(path, message).with_hint(hint);
        }
        let taxonomy = self
            .taxonomies
            .iter()
            .find(|t| url.starts_with(&format!("/{}/", t.path)));
        match (taxonomy, theirs) {
            (Some(t), _) => Diagnostic::error(crate::config::CONFIG_FILE, message)
                .at_opt(t.written_at)
                .with_hint(format!(
                    "the `path` of [taxonomies.{}] in glossator.toml puts its pages under /{}/: choose a folder no other page uses",
                    t.kind.name(),
                    t.path
                )),
            (None, Some(path)) => Diagnostic::error(path, message).with_hint(hint),
            (None, None) => Diagnostic::error("content", message).with_hint(hint),
        }
    }

    /// Warns about an output whose name another file system would merge
    /// with another output's, or refuse.
    fn check_portable(&mut self, output: &OutputPath, what: &What<'a>, source: Option<&PathBuf>) {
        let path = || source.cloned().unwrap_or_else(|| PathBuf::from("content"));
        // Names that fold to themselves are not kept in `folded` (their
        // claims hold them): the first output with a folded name is found
        // in `folded`, or is an output whose name is that folded name.
        let trivial = super::portable::folds_to_itself(output.as_str());
        let key = if trivial {
            None
        } else {
            Some(super::portable::folded(output.as_str()))
        };
        let name = key.as_deref().unwrap_or(output.as_str());
        let first = self.folded.get(name).cloned().or_else(|| {
            key.as_deref()
                .and_then(|k| self.claims.get_key_value(k))
                .map(|(o, _)| o.clone())
        });
        match first {
            Some(other) if other != *output => {
                let theirs = self
                    .claims
                    .get(&other)
                    .map_or_else(|| other.to_string(), Claim::named);
                let what = what();
                self.diagnostics.push(
                    Diagnostic::warning(
                        path(),
                        format!(
                            "{what} is written at {output} and {theirs} at {other}: on macOS and Windows, where file names ignore case and Unicode form, they are one file and one page would replace the other"
                        ),
                    )
                    .with_hint("change one slug so the two differ in more than case or accents"),
                );
            }
            Some(_) => {}
            None => {
                if let Some(key) = key {
                    self.folded.insert(key, output.clone());
                }
            }
        }
        if let Some(why) = super::portable::windows_trouble(output.as_str()) {
            let what = what();
            self.diagnostics.push(
                Diagnostic::warning(
                    path(),
                    format!("{what} is written at {output}, but {why}: the site cannot be copied to a Windows machine or host whole"),
                )
                .with_hint("change the slug or file name if the site may be built or served on Windows"),
            );
        }
    }

    fn list(&mut self, spec: ListSpec, template: &str) {
        let spec = Arc::new(spec);
        for number in 1..=spec.total_pages() {
            let url = crate::urls::page_url(&spec.base_url, number);
            let named = spec.clone();
            let what = what(move || {
                let (kind, title) = (&named.list_kind, &named.title);
                if number == 1 {
                    format!("the {kind} list `{title}`")
                } else {
                    format!("page {number} of the {kind} list `{title}`")
                }
            });
            self.add(
                url.clone(),
                OutputPath::for_url(&url),
                template,
                JobKind::List {
                    list: spec.clone(),
                    number,
                },
                None,
                what,
            );
        }
    }

    fn feed(&mut self, format: FeedFormat, path: &str, spec: &Arc<FeedSpec>, named: What<'a>) {
        let spec = Arc::new(FeedSpec {
            path: path.to_string(),
            ..(**spec).clone()
        });
        self.add(
            path.to_string(),
            output_for(path),
            format.template(),
            JobKind::Feed { format, spec },
            None,
            {
                let path = path.to_string();
                what(move || format!("{} ({path})", named()))
            },
        );
    }

    /// The template a post or page asked for, checked to exist.
    fn template_for(
        &mut self,
        asked: Option<&str>,
        default: &str,
        source: &std::path::Path,
        at: Option<(usize, usize)>,
    ) -> String {
        match asked {
            Some(name) if self.theme.has(name) => name.to_string(),
            Some(name) => {
                let names = self.theme.template_names();
                let hint = match nearest(name, names.iter().copied()) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => format!("templates available: {}", names.join(", ")),
                };
                self.diagnostics.push(
                    Diagnostic::error(source, format!("template `{name}` not found"))
                        .at_opt(at)
                        .with_hint(hint),
                );
                default.to_string()
            }
            None => default.to_string(),
        }
    }
}

/// The folders an output path sits in: `a/b/c.html` → `a`, `a/b`.
fn folders_of(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

/// An output path for a site path, or the reason it cannot be one.
fn output_for(url: &str) -> Result<OutputPath, String> {
    OutputPath::for_url(url)
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
    let mut p = Planner {
        theme,
        taxonomies: [&site.config.tags, &site.config.categories],
        // About two outputs a post (its page, its day's archive, lists).
        jobs: Vec::with_capacity(site.posts.len() * 2 + 64),
        claims: HashMap::default(),
        folded: HashMap::default(),
        folders: HashMap::default(),
        diagnostics: Diagnostics::new(),
    };
    let config = &site.config;
    let n = config.feed_entries;
    let newest = |ids: &[PostId]| ids.iter().copied().take(n).collect::<Vec<_>>();
    // Lists for the sitemap: (site path, posts).
    let mut listed: Vec<(String, Vec<PostId>)> = Vec::new();

    for (id, post) in site.posts.iter().enumerate() {
        let kind_template = format!("{}.html", post.kind.name());
        let default = if theme.has(&kind_template) {
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
        for number in 2..=comment_page_count(site, id) {
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
    }
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
        if p.claims.contains_key(&output) {
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

    (p.jobs, p.diagnostics)
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

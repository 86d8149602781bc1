//! Posts and pages: front matter resolved, body rendered.
//!
//! [`parse_post`] and [`parse_page`] are pure functions of one file's text
//! and the config, so the build runs them in parallel and `serve` can cache
//! them by content hash. They turn what the writer wrote
//! ([`RawFrontMatter`]) into what the build uses ([`Post`], [`Page`]):
//! dates read in the site's time zone, the kind inferred, the slug checked,
//! the URL made from the permalink pattern. Every problem in the file is
//! reported, each at its own line.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::ZonedDateTime;

use crate::config::{Config, PermalinkPart};
use crate::content::date::{DATE_FORMS, date_from_file_stem, parse_date};
use crate::content::front_matter::{self, RawFrontMatter, RawSource, Split};
use crate::content::source::SourceFile;
use crate::diagnostic::{Diagnostic, LineIndex, nearest};
use crate::markdown::{self, CommentaryContext, RenderContext, Rendered};

/// The four kinds of post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Entry,
    Link,
    Quote,
    Note,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Entry, Kind::Link, Kind::Quote, Kind::Note];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Entry => "entry",
            Kind::Link => "link",
            Kind::Quote => "quote",
            Kind::Note => "note",
        }
    }

    /// The URL segment of the kind's list page (`/links/`).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Entry => "entries",
            Kind::Link => "links",
            Kind::Quote => "quotes",
            Kind::Note => "notes",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// `comments = "open" | "closed" | "off"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentMode {
    Open,
    Closed,
    Off,
}

impl CommentMode {
    pub fn parse(name: &str) -> Option<CommentMode> {
        match name {
            "open" => Some(CommentMode::Open),
            "closed" => Some(CommentMode::Closed),
            "off" => Some(CommentMode::Off),
            _ => None,
        }
    }
}

/// A declared source (`[sources.nyt]`), dates resolved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Source {
    pub id: String,
    pub publication: Option<String>,
    pub author: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub date: Option<ZonedDateTime>,
    pub retrieved: Option<ZonedDateTime>,
    pub archive: Option<String>,
}

/// A timestamped update from front matter.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub at: ZonedDateTime,
    /// The note as written (Markdown).
    pub note: String,
    /// The note as inline HTML.
    pub note_html: String,
}

/// Credit for a link post: who pointed the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    pub name: String,
    pub url: Option<String>,
}

/// A post, resolved.
#[derive(Debug, Clone)]
pub struct Post {
    /// Site-relative source path.
    pub source: PathBuf,
    /// Hash of the source path and text ([`SourceFile::content_hash`]).
    pub source_hash: u64,
    /// Hash of what lists show of the post: everything but the body past
    /// its summary. A body edit that leaves the summary alone keeps it.
    pub view_hash: u64,
    /// Hashes of what the index and the whole-site pages read of the post;
    /// see [`PostHashes`].
    pub hashes: PostHashes,
    /// For `slug/index.md` bundles, the bundle folder (site-relative).
    pub bundle: Option<PathBuf>,
    pub kind: Kind,
    pub title: String,
    /// True when the title was made up (quotes and notes without one).
    pub title_derived: bool,
    pub slug: String,
    /// Site path, e.g. `/2009/03/03/links-to-linkage/`.
    pub url: String,
    pub date: ZonedDateTime,
    pub updated: Option<ZonedDateTime>,
    pub draft: bool,
    pub tags: Vec<String>,
    /// Slugs of `tags`, in the same order (worked out once, here).
    pub tag_slugs: Vec<String>,
    pub categories: Vec<String>,
    pub category_slugs: Vec<String>,
    pub series: Option<String>,
    pub summary_override: Option<String>,
    pub description: Option<String>,
    pub image: Option<String>,
    pub aliases: Vec<String>,
    pub link: Option<String>,
    pub via: Option<Via>,
    pub sources: BTreeMap<String, Source>,
    pub updates: Vec<Update>,
    pub comments: CommentMode,
    pub template: Option<String>,
    /// Where `template` is written, for "template not found".
    pub template_at: Option<(usize, usize)>,
    pub author: Option<String>,
    pub extra: serde_json::Value,
    pub body: Rendered,
    /// The file line the body starts on (body line 1).
    pub body_line: usize,
    /// The post's `search.json` entry, made the first time it is needed.
    /// A post is shared between `serve`'s rebuilds until its file changes,
    /// so the index of 10,000 posts is rebuilt from 9,999 kept entries.
    pub search_entry: std::sync::OnceLock<String>,
}

/// Narrow hashes of a post, made once at parse time so caches can compare
/// posts without reading them again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PostHashes {
    /// What decides the post's place in the index: date, slug, URL, title,
    /// kind, draft, tags, categories, series, aliases, template, comments.
    pub index: u64,
    /// What the archive lists: title, URL, kind, date.
    pub listing: u64,
    /// What the search index holds: the listing, tags, summary text.
    pub search: u64,
    /// What the sitemap holds: URL and last change.
    pub sitemap: u64,
}

impl PostHashes {
    fn of(post: &Post) -> PostHashes {
        use std::hash::Hasher as _;
        let text = |h: &mut xxhash_rust::xxh3::Xxh3, s: &str| {
            h.write_usize(s.len());
            h.update(s.as_bytes());
        };
        let date = post.date.timestamp().as_second();
        let mut listing = xxhash_rust::xxh3::Xxh3::new();
        for s in [post.title.as_str(), post.url.as_str(), post.kind.name()] {
            text(&mut listing, s);
        }
        listing.write_i64(date);
        let mut search = listing.clone();
        for t in &post.tags {
            text(&mut search, t);
        }
        text(&mut search, &post.body.summary_text);
        let mut sitemap = xxhash_rust::xxh3::Xxh3::new();
        text(&mut sitemap, &post.url);
        sitemap.write_i64(
            post.updated
                .as_ref()
                .unwrap_or(&post.date)
                .timestamp()
                .as_second(),
        );
        let mut index = listing.clone();
        text(&mut index, &post.slug);
        index.write_u8(u8::from(post.draft));
        index.write_u8(post.comments as u8);
        text(&mut index, post.series.as_deref().unwrap_or(""));
        text(&mut index, post.template.as_deref().unwrap_or(""));
        for list in [&post.tags, &post.categories, &post.aliases] {
            index.write_usize(list.len());
            for s in list {
                text(&mut index, s);
            }
        }
        PostHashes {
            index: index.digest(),
            listing: listing.digest(),
            search: search.digest(),
            sitemap: sitemap.digest(),
        }
    }
}

/// A stand-alone page such as `/about/`.
#[derive(Debug, Clone)]
pub struct Page {
    pub source: PathBuf,
    pub source_hash: u64,
    pub bundle: Option<PathBuf>,
    pub title: String,
    pub slug: String,
    pub url: String,
    pub date: Option<ZonedDateTime>,
    pub draft: bool,
    pub description: Option<String>,
    pub template: Option<String>,
    pub template_at: Option<(usize, usize)>,
    pub aliases: Vec<String>,
    pub extra: serde_json::Value,
    pub body: Rendered,
    pub body_line: usize,
}

/// Checks a slug given in front matter. Slugs become one URL segment and
/// one folder name, so anything that could step out of it is refused.
pub fn check_slug(slug: &str) -> Result<(), String> {
    if slug.is_empty() {
        return Err("the slug is empty".into());
    }
    if slug == "." || slug == ".." || slug.contains("..") {
        return Err(format!("slug `{slug}` contains `..`"));
    }
    if let Some(c) = slug.chars().find(|c| {
        matches!(c, '/' | '\\' | '?' | '#' | '%' | '"' | '<' | '>')
            || c.is_whitespace()
            || c.is_control()
    }) {
        let shown = if c.is_control() {
            format!("{:?}", c)
        } else {
            c.to_string()
        };
        return Err(format!("slug `{}` contains `{shown}`", slug.escape_debug()));
    }
    if slug.starts_with('.') {
        return Err(format!("slug `{slug}` starts with `.`"));
    }
    Ok(())
}

/// More tags than this on one post earns a warning.
const MANY_TAGS: usize = 100;

/// What an alias must look like, for the error hints.
pub const ALIAS_HINT: &str =
    "aliases are old site paths such as /2009/03/old-post/ or /old-post.html";

/// Checks an alias (an old URL of this site) and gives the URL path it
/// redirects from: a leading `/`, and a trailing one unless it names a
/// file. Anything that could step out of the output folder is refused.
pub fn alias_url(alias: &str) -> Result<String, String> {
    let a = alias.trim();
    if a.is_empty() {
        return Err("the alias is empty".into());
    }
    if a.contains("://") || a.starts_with("//") {
        return Err(format!(
            "alias `{a}` is a full URL; write the path only, e.g. /2009/03/old-post/"
        ));
    }
    if a.contains(['?', '#']) {
        return Err(format!(
            "alias `{a}` has a query or fragment, which a static site cannot redirect"
        ));
    }
    if a.contains('\\') {
        return Err(format!("alias `{a}` contains `\\`; URL paths use `/`"));
    }
    if a.chars().any(char::is_control) {
        return Err(format!(
            "alias `{}` contains a control character",
            a.escape_debug()
        ));
    }
    if a.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(format!("alias `{a}` contains a `.` or `..` segment"));
    }
    let mut path = if a.starts_with('/') {
        a.to_string()
    } else {
        format!("/{a}")
    };
    let last = path.rsplit('/').next().unwrap_or("");
    if !path.ends_with('/') && !last.contains('.') {
        path.push('/');
    }
    Ok(path)
}

/// The stem a file contributes to its slug and date: `slug.md` → `slug`,
/// `slug/index.md` → `slug`.
fn file_stem(rel: &Path) -> (String, Option<PathBuf>) {
    let is_index = rel.file_stem().is_some_and(|s| s == "index");
    if is_index && let Some(parent) = rel.parent() {
        let name = parent
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        return (name, Some(parent.to_path_buf()));
    }
    let stem = rel
        .file_stem()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    (stem, None)
}

/// Fills a permalink pattern.
pub fn expand_permalink(config: &Config, date: &ZonedDateTime, slug: &str, kind: Kind) -> String {
    let mut url = String::new();
    for part in &config.permalink.parts {
        match part {
            PermalinkPart::Literal(l) => url.push_str(l),
            PermalinkPart::Year => url.push_str(&format!("{:04}", date.year())),
            PermalinkPart::Month => url.push_str(&format!("{:02}", date.month())),
            PermalinkPart::Day => url.push_str(&format!("{:02}", date.day())),
            PermalinkPart::Slug => url.push_str(slug),
            PermalinkPart::Kind => url.push_str(kind.plural()),
        }
    }
    url
}

/// Collects the diagnostics of one file.
struct FileProblems<'a> {
    path: &'a Path,
    split: &'a Split<'a>,
    list: Vec<Diagnostic>,
}

impl FileProblems<'_> {
    fn at_key(&mut self, key: &str, message: String, hint: Option<&str>) {
        let mut d = Diagnostic::error(self.path, message)
            .at_opt(front_matter::locate(self.split, key).or(Some((1, 1))));
        if let Some(h) = hint {
            d = d.with_hint(h);
        }
        self.list.push(d);
    }

    fn date(
        &mut self,
        key: &str,
        raw: &front_matter::RawDate,
        config: &Config,
    ) -> Option<ZonedDateTime> {
        self.date_in(None, key, raw, config)
    }

    fn date_in(
        &mut self,
        section: Option<&str>,
        key: &str,
        raw: &front_matter::RawDate,
        config: &Config,
    ) -> Option<ZonedDateTime> {
        match parse_date(&raw.0, &config.timezone) {
            Ok(d) => Some(d),
            Err(message) => {
                let at = front_matter::locate_after(self.split, section, key).or(Some((1, 1)));
                self.list.push(
                    Diagnostic::error(self.path, message)
                        .at_opt(at)
                        .with_hint(DATE_FORMS),
                );
                None
            }
        }
    }
}

/// Splits and deserializes a file's front matter, reporting at file lines.
fn read_front_matter<'t>(
    file: &SourceFile,
    text: &'t str,
) -> Result<(Split<'t>, RawFrontMatter), Vec<Diagnostic>> {
    let split = front_matter::split(text).map_err(|e| {
        let mut d = Diagnostic::error(&file.rel, e.message).at(e.line, e.col);
        if let Some(h) = e.hint {
            d = d.with_hint(h);
        }
        vec![d]
    })?;
    let raw = front_matter::parse(&split).map_err(|e| {
        let mut d = Diagnostic::error(&file.rel, e.message).at(e.line, e.col);
        if let Some(h) = e.hint {
            d = d.with_hint(h);
        }
        vec![d]
    })?;
    Ok((split, raw))
}

/// Renders the body and turns its problems into file diagnostics.
fn render_body(
    file: &SourceFile,
    split: &Split<'_>,
    ctx: &RenderContext<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Rendered {
    let (rendered, md_problems) = markdown::render(split.body, ctx);
    let lines = LineIndex::new(if md_problems.is_empty() {
        ""
    } else {
        split.body
    });
    for p in md_problems {
        let (line, col) = lines.line_col(p.offset);
        let mut d = if p.warning {
            Diagnostic::warning(&file.rel, p.message)
        } else {
            Diagnostic::error(&file.rel, p.message)
        }
        .at(line + split.body_line - 1, col);
        if let Some(h) = p.hint {
            d = d.with_hint(h);
        }
        problems.push(d);
    }
    rendered
}

/// Resolves one post file.
/// Returns the post (unless an error stops it) and every diagnostic found.
pub fn parse_post(file: &SourceFile, config: &Config) -> (Option<Post>, Vec<Diagnostic>) {
    let text = file.text.as_deref().unwrap_or("");
    let (split, raw) = match read_front_matter(file, text) {
        Ok(v) => v,
        Err(d) => return (None, d),
    };
    let mut p = FileProblems {
        path: &file.rel,
        split: &split,
        list: Vec::new(),
    };
    let RawFrontMatter {
        title,
        date,
        updated,
        kind,
        slug,
        draft,
        tags,
        categories,
        series,
        summary,
        description,
        image,
        aliases,
        link,
        via,
        sources,
        updates,
        comments,
        template,
        author,
        extra,
        id,
        url,
        parent,
    } = raw;
    for (present, key) in [
        (id.is_some(), "id"),
        (url.is_some(), "url"),
        (parent.is_some(), "parent"),
    ] {
        if present {
            let hint = if key == "url" {
                "link posts use `link = \"...\"`"
            } else {
                "this field belongs in comment files"
            };
            p.at_key(key, format!("`{key}` is not a post field"), Some(hint));
        }
    }

    let (stem, bundle) = file_stem(&file.rel);
    let (file_date, stem_slug) = match date_from_file_stem(&stem) {
        Some((d, rest)) => (Some(d.to_string()), rest.to_string()),
        None => (None, stem.clone()),
    };

    let date = match (&date, &file_date) {
        (Some(raw), _) => p.date("date", raw, config),
        (None, Some(d)) => match parse_date(d, &config.timezone) {
            Ok(z) => Some(z),
            Err(message) => {
                p.list.push(
                    Diagnostic::error(&file.rel, format!("in the file name: {message}"))
                        .with_hint(DATE_FORMS),
                );
                None
            }
        },
        (None, None) => {
            p.list.push(
                Diagnostic::error(&file.rel, "the post has no date")
                    .at(1, 1)
                    .with_hint("add `date = 2026-11-27` to the front matter, or name the file YYYY-MM-DD-slug.md"),
            );
            None
        }
    };
    let updated = updated
        .as_ref()
        .and_then(|raw| p.date("updated", raw, config));

    let slug = match slug {
        Some(front_matter::Text(s)) => {
            if let Err(message) = check_slug(&s) {
                let suggestion = slug::slugify(&s);
                let hint = if suggestion.is_empty() {
                    "a slug is one URL segment: letters, digits and dashes".to_string()
                } else {
                    format!("a slug is one URL segment, e.g. `{suggestion}`")
                };
                p.at_key("slug", message, Some(&hint));
            }
            s
        }
        None => {
            let s = slug::slugify(&stem_slug);
            if s.is_empty() {
                p.list.push(
                    Diagnostic::error(&file.rel, "cannot make a slug from the file name")
                        .with_hint("add `slug = \"my-post\"` to the front matter"),
                );
            }
            s
        }
    };

    let link = link.filter(|l| !l.trim().is_empty());
    let title = title.map(|t| t.0).filter(|t| !t.trim().is_empty());
    let kind = match kind.as_deref() {
        Some(name) => match Kind::parse(name) {
            Some(k) => k,
            None => {
                let hint = match nearest(name, Kind::ALL.map(Kind::name)) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => "the kinds are entry, link, quote and note".to_string(),
                };
                p.at_key("kind", format!("unknown kind `{name}`"), Some(&hint));
                Kind::Entry
            }
        },
        None if link.is_some() => Kind::Link,
        None if title.is_some() => Kind::Entry,
        None if split.body.trim_start().starts_with('>') => Kind::Quote,
        None => Kind::Note,
    };

    let comments = match comments.as_deref() {
        Some(mode) => CommentMode::parse(mode).unwrap_or_else(|| {
            p.at_key(
                "comments",
                format!("comments = `{mode}` is not one of open, closed, off"),
                None,
            );
            CommentMode::Open
        }),
        None => CommentMode::parse(&config.comments_default).unwrap_or(CommentMode::Open),
    };

    let mut resolved_sources = BTreeMap::new();
    for (id, raw) in sources.unwrap_or_default() {
        let RawSource {
            publication,
            author,
            title,
            url,
            date,
            retrieved,
            archive,
        } = raw;
        let date = date.and_then(|d| p.date_in(Some(&id), "date", &d, config));
        let retrieved = retrieved.and_then(|d| p.date_in(Some(&id), "retrieved", &d, config));
        resolved_sources.insert(
            id.clone(),
            Source {
                id,
                publication,
                author,
                title,
                url,
                date,
                retrieved,
                archive,
            },
        );
    }

    let mut resolved_updates = Vec::new();
    for u in updates.unwrap_or_default() {
        if let Some(at) = p.date("at", &u.at, config) {
            let note_html = markdown::render_inline(&u.note);
            resolved_updates.push(Update {
                at,
                note: u.note,
                note_html,
            });
        }
    }
    resolved_updates.sort_by(|a, b| a.at.cmp(&b.at));

    let aliases = aliases.map(|a| a.0).unwrap_or_default();
    for alias in &aliases {
        if let Err(message) = alias_url(alias) {
            p.at_key("aliases", message, Some(ALIAS_HINT));
        }
    }
    let tags = dedup_names(tags.map(|t| t.0).unwrap_or_default());
    if tags.len() > MANY_TAGS {
        let d = Diagnostic::warning(
            p.path,
            format!(
                "{} tags: list pages show 8 and feeds 20 of them, and each gets its own page",
                tags.len()
            ),
        )
        .at_opt(front_matter::locate(p.split, "tags"))
        .with_hint("tags are for finding related posts; was a keyword list imported as tags?");
        p.list.push(d);
    }
    let categories = dedup_names(categories.map(|t| t.0).unwrap_or_default());

    let Some(date) = date else {
        return (None, p.list);
    };
    let url = expand_permalink(config, &date, &slug, kind);

    let mut problems = std::mem::take(&mut p.list);
    let page_link = config.link(&url);
    let ctx = RenderContext {
        page_path: &page_link,
        whole_summary: kind != Kind::Entry,
        commentary: CommentaryContext {
            sources: &resolved_sources,
            timezone: &config.timezone,
        },
    };
    let mut body = render_body(file, &split, &ctx, &mut problems);
    check_commentary(file, &split, &body, &resolved_sources, &mut problems);
    if let Some(text) = &summary {
        let (summary_body, _) = markdown::render(text, &ctx);
        body.summary_html = summary_body.html;
        body.summary_text = summary_body.summary_text;
        body.has_more = true;
    }

    let (title, title_derived) = match title {
        Some(t) => (t, false),
        None => match kind {
            Kind::Entry | Kind::Link => {
                problems.push(
                    Diagnostic::error(
                        &file.rel,
                        format!(
                            "{} post needs a title",
                            if kind == Kind::Entry {
                                "an entry"
                            } else {
                                "a link"
                            }
                        ),
                    )
                    .at(split.front_line.saturating_sub(1).max(1), 1)
                    .with_hint("add `title = \"...\"` to the front matter"),
                );
                (String::new(), true)
            }
            Kind::Quote => (derived_quote_title(&body, &resolved_sources), true),
            Kind::Note => (format!("Note, {}", date.strftime("%B %-d, %Y %H:%M")), true),
        },
    };

    match kind {
        Kind::Link if link.is_none() => problems.push(
            Diagnostic::error(&file.rel, "a link post needs a `link`")
                .at_opt(front_matter::locate(&split, "kind").or(Some((1, 1))))
                .with_hint("add `link = \"https://...\"`, the page the post is about")
                .with_code("link-without-link"),
        ),
        Kind::Quote if body.commentary.quotes.is_empty() => problems.push(
            Diagnostic::error(&file.rel, "a quote post needs a cited quote")
                .at(split.body_line, 1)
                .with_hint("end the block quote with an attribution line: `> — [source]` or `> — Name, [Publication](https://...)`"),
        ),
        _ => {}
    }
    if problems.iter().any(Diagnostic::is_error) {
        return (None, problems);
    }
    // The latest update, from front matter or a timed inline update, moves
    // `updated` unless the writer set it.
    let latest_inline = body
        .commentary
        .inline_updates
        .iter()
        .filter_map(|u| u.at.clone())
        .max();
    let latest_front = resolved_updates.last().map(|u| u.at.clone());
    let updated = updated.or_else(|| latest_front.into_iter().chain(latest_inline).max());
    let tag_slugs = tags.iter().map(slug::slugify).collect();
    let category_slugs = categories.iter().map(slug::slugify).collect();
    let view_hash = {
        use std::hash::Hasher as _;
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        for part in [
            file.rel.as_os_str().as_encoded_bytes(),
            split.front.as_bytes(),
            title.as_bytes(),
            kind.name().as_bytes(),
            body.summary_html.as_bytes(),
            body.summary_text.as_bytes(),
        ] {
            h.write_usize(part.len());
            h.update(part);
        }
        h.write_i64(updated.as_ref().map_or(0, |u| u.timestamp().as_second()));
        h.write_u8(u8::from(body.has_more));
        h.write_usize(body.words);
        for heading in &body.headings {
            h.update(heading.id.as_bytes());
            h.update(heading.text.as_bytes());
        }
        h.digest()
    };
    let mut post = Post {
        source: file.rel.clone(),
        source_hash: file.content_hash(),
        view_hash,
        hashes: PostHashes::default(),
        tag_slugs,
        category_slugs,
        bundle,
        kind,
        title,
        title_derived,
        slug,
        url,
        date,
        updated,
        draft: draft.unwrap_or(false),
        tags,
        categories,
        series: series.map(|s| s.0),
        summary_override: summary,
        description,
        image,
        aliases,
        link,
        via: via.map(|v| Via {
            name: v.name,
            url: v.url,
        }),
        sources: resolved_sources,
        updates: resolved_updates,
        comments,
        template_at: front_matter::locate(&split, "template"),
        template,
        author,
        extra: extra.unwrap_or(serde_json::Value::Null),
        body,
        body_line: split.body_line,
        search_entry: std::sync::OnceLock::new(),
    };
    post.hashes = PostHashes::of(&post);
    (Some(post), problems)
}

/// Warnings about sources: named but undeclared, declared but unused, and
/// a post that is mostly other people's words.
fn check_commentary(
    file: &SourceFile,
    split: &Split<'_>,
    body: &Rendered,
    sources: &BTreeMap<String, Source>,
    problems: &mut Vec<Diagnostic>,
) {
    let lines = std::cell::OnceCell::new();
    let at_body = |offset: usize| {
        let (line, col) = lines
            .get_or_init(|| LineIndex::new(split.body))
            .line_col(offset);
        (line + split.body_line - 1, col)
    };
    for (id, offset) in &body.commentary.unknown_sources {
        let hint = match nearest(id, sources.keys().map(String::as_str)) {
            Some(n) => format!("did you mean `[{n}]`?"),
            None => {
                format!("declare it in front matter: [sources.{id}] with publication, author, url")
            }
        };
        let (line, col) = at_body(*offset);
        problems.push(
            Diagnostic::warning(
                &file.rel,
                format!("the quote is attributed to `[{id}]`, which is not a declared source"),
            )
            .at(line, col)
            .with_hint(hint)
            .with_code("unknown-source"),
        );
    }
    for id in sources.keys() {
        if !body.commentary.sources_used.contains(id) {
            problems.push(
                Diagnostic::warning(
                    &file.rel,
                    format!("source `{id}` is declared but never quoted or cited"),
                )
                .at_opt(
                    front_matter::locate_after(split, Some(id), "url")
                        .or_else(|| front_matter::locate(split, "sources")),
                )
                .with_hint(format!(
                    "attribute a quote with `> — [{id}]`, cite it as `[{id}]`, or remove it"
                ))
                .with_code("unused-source"),
            );
        }
    }
    if body.words >= 40 && body.quoted_words * 10 > body.words * 7 {
        problems.push(
            Diagnostic::warning(
                &file.rel,
                format!(
                    "{} of the post's {} words are quoted ({}%)",
                    body.quoted_words,
                    body.words,
                    body.quoted_words * 100 / body.words
                ),
            )
            .at(split.body_line, 1)
            .with_hint("fair use favours commentary: quote what you discuss, and say more about it")
            .with_code("mostly-quoted"),
        );
    }
}

/// "Quoting Peter Baker": who the first cited quote credits, else the
/// first declared source's author or publication.
fn derived_quote_title(body: &Rendered, sources: &BTreeMap<String, Source>) -> String {
    let who = body
        .commentary
        .quotes
        .iter()
        .find_map(|q| q.author.clone())
        .or_else(|| {
            sources
                .values()
                .find_map(|s| s.author.clone().or_else(|| s.publication.clone()))
        });
    match who {
        Some(name) => format!("Quoting {name}"),
        None => "Quotation".to_string(),
    }
}

fn dedup_names(names: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty() && seen.insert(slug::slugify(n)))
        .collect()
}

/// Resolves one page file: `content/pages/about.md` → `/about/`,
/// `content/pages/docs/intro.md` → `/docs/intro/`.
pub fn parse_page(file: &SourceFile, config: &Config) -> (Option<Page>, Vec<Diagnostic>) {
    let text = file.text.as_deref().unwrap_or("");
    let (split, raw) = match read_front_matter(file, text) {
        Ok(v) => v,
        Err(d) => return (None, d),
    };
    let mut p = FileProblems {
        path: &file.rel,
        split: &split,
        list: Vec::new(),
    };
    let (stem, bundle) = file_stem(&file.rel);
    let slug = match raw.slug {
        Some(front_matter::Text(s)) => {
            if let Err(message) = check_slug(&s) {
                p.at_key("slug", message, Some("a slug is one URL segment"));
            }
            s
        }
        None => slug::slugify(&stem),
    };
    // Folders between content/pages/ and the file become URL segments.
    let rel_dir = file
        .rel
        .strip_prefix("content/pages")
        .ok()
        .and_then(|r| {
            if bundle.is_some() {
                r.parent().and_then(Path::parent)
            } else {
                r.parent()
            }
        })
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut url = String::from("/");
    for part in rel_dir.components() {
        let segment = slug::slugify(part.as_os_str().to_string_lossy());
        url.push_str(&segment);
        url.push('/');
    }
    url.push_str(&slug);
    url.push('/');
    let date = raw.date.as_ref().and_then(|d| p.date("date", d, config));
    let title = match raw.title {
        Some(t) if !t.0.trim().is_empty() => t.0,
        _ => {
            p.list.push(
                Diagnostic::error(&file.rel, "a page needs a title")
                    .at(1, 1)
                    .with_hint("add `title = \"...\"` to the front matter"),
            );
            String::new()
        }
    };
    let mut problems = std::mem::take(&mut p.list);
    let page_link = config.link(&url);
    let no_sources = BTreeMap::new();
    let ctx = RenderContext {
        page_path: &page_link,
        whole_summary: false,
        commentary: CommentaryContext {
            sources: &no_sources,
            timezone: &config.timezone,
        },
    };
    let body = render_body(file, &split, &ctx, &mut problems);
    if problems.iter().any(Diagnostic::is_error) {
        return (None, problems);
    }
    let aliases = raw.aliases.map(|a| a.0).unwrap_or_default();
    for alias in &aliases {
        if let Err(message) = alias_url(alias) {
            p.at_key("aliases", message, Some(ALIAS_HINT));
        }
    }
    let page = Page {
        source: file.rel.clone(),
        source_hash: file.content_hash(),
        bundle,
        title,
        slug,
        url,
        date,
        draft: raw.draft.unwrap_or(false),
        description: raw.description,
        template: raw.template,
        template_at: front_matter::locate(&split, "template"),
        aliases,
        extra: raw.extra.unwrap_or(serde_json::Value::Null),
        body,
        body_line: split.body_line,
    };
    (Some(page), problems)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_config;
    use crate::content::source::Role;

    fn file(rel: &str, text: &str) -> SourceFile {
        SourceFile {
            rel: PathBuf::from(rel),
            abs: PathBuf::from(rel),
            role: Role::Post,
            text: Some(text.to_string()),
        }
    }

    fn ok<T>(r: (Option<T>, Vec<Diagnostic>)) -> T {
        match r {
            (Some(t), _) => t,
            (None, d) => panic!("{d:?}"),
        }
    }

    fn errs<T>(r: (Option<T>, Vec<Diagnostic>)) -> Vec<Diagnostic> {
        assert!(r.0.is_none());
        r.1
    }

    fn config() -> Config {
        parse_config("timezone = \"America/New_York\"").unwrap()
    }

    #[test]
    fn toml_post_resolves() {
        let post = ok(parse_post(
            &file(
                "content/posts/hello.md",
                "+++\ntitle = \"Hello\"\ndate = 2009-03-03\ntags = [\"Russia\", \"russia\", \"Iran\"]\n+++\nBody text.\n",
            ),
            &config(),
        ));
        assert_eq!(post.title, "Hello");
        assert_eq!(post.slug, "hello");
        assert_eq!(post.url, "/2009/03/03/hello/");
        assert_eq!(post.kind, Kind::Entry);
        assert_eq!(post.tags, vec!["Russia", "Iran"]);
        assert_eq!(post.body.html, "<p>Body text.</p>\n");
    }

    #[test]
    fn date_and_slug_from_file_name() {
        let post = ok(parse_post(
            &file(
                "content/posts/2009-03-03-Links To Linkage.md",
                "---\ntitle: L\n---\nx",
            ),
            &config(),
        ));
        assert_eq!(post.slug, "links-to-linkage");
        assert_eq!(
            post.date.to_string(),
            "2009-03-03T00:00:00-05:00[America/New_York]"
        );
    }

    #[test]
    fn bundle_slug_is_its_folder() {
        let post = ok(parse_post(
            &file(
                "content/posts/2009-03-04-trip/index.md",
                "+++\ntitle = \"T\"\n+++\n",
            ),
            &config(),
        ));
        assert_eq!(post.slug, "trip");
        assert_eq!(
            post.bundle,
            Some(PathBuf::from("content/posts/2009-03-04-trip"))
        );
    }

    #[test]
    fn every_problem_in_a_file_is_reported_at_its_line() {
        let errs = errs(parse_post(
            &file(
                "content/posts/bad.md",
                "+++\ntitle = \"x\"\ndate = \"2009-02-30\"\nslug = \"../etc\"\nkind = \"lnk\"\n+++\n",
            ),
            &config(),
        ));
        let lines: Vec<(Option<usize>, &str)> =
            errs.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == Some(3) && m.contains("2009-02-30")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|(l, m)| *l == Some(4) && m.contains("..")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == Some(5) && m.contains("lnk")),
            "{lines:?}"
        );
        let kind_err = errs.iter().find(|d| d.message.contains("lnk")).unwrap();
        assert_eq!(kind_err.hint.as_deref(), Some("did you mean `link`?"));
    }

    #[test]
    fn kinds_are_inferred() {
        let c = config();
        let kind =
            |text: &str| ok(parse_post(&file("content/posts/2009-01-01-k.md", text), &c)).kind;
        assert_eq!(
            kind("+++\ntitle = \"a\"\nlink = \"https://e.example\"\n+++\n"),
            Kind::Link
        );
        assert_eq!(kind("+++\ntitle = \"a\"\n+++\n"), Kind::Entry);
        assert_eq!(kind("+++\n+++\n> quoted\n>\n> — someone\n"), Kind::Quote);
        assert_eq!(kind("A short note.\n"), Kind::Note);
    }

    #[test]
    fn slugs_that_leave_their_folder_are_refused() {
        for bad in [
            "..", "a/b", "a\\b", "../x", "a\0b", "/abs", ".hidden", "a b",
        ] {
            assert!(check_slug(bad).is_err(), "{bad:?}");
        }
        for good in ["a", "links-to-linkage", "2009", "café"] {
            assert!(check_slug(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn latest_update_sets_updated() {
        let post = ok(parse_post(
            &file(
                "content/posts/2009-03-03-u.md",
                "+++\ntitle = \"u\"\nupdates = [{ at = \"2009-03-03 15:00\", note = \"b\" }, { at = \"2009-03-03 11:00\", note = \"a\" }]\n+++\n",
            ),
            &config(),
        ));
        assert_eq!(post.updates[0].note, "a");
        assert_eq!(post.updated.unwrap().strftime("%H:%M").to_string(), "15:00");
    }

    #[test]
    fn pages_take_their_folder_path() {
        let mut f = file(
            "content/pages/docs/intro.md",
            "+++\ntitle = \"Intro\"\n+++\n",
        );
        f.role = Role::Page;
        assert_eq!(ok(parse_page(&f, &config())).url, "/docs/intro/");
        let mut f = file(
            "content/pages/about/index.md",
            "+++\ntitle = \"About\"\n+++\n",
        );
        f.role = Role::Page;
        assert_eq!(ok(parse_page(&f, &config())).url, "/about/");
    }
}

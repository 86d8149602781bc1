//! Resolving one post file, as a list of named steps: read the front
//! matter, then the date, slug, kind, comments, sources, updates, aliases
//! and URL, then render the body and check the commentary.

use std::path::{Path, PathBuf};

use jiff::ZonedDateTime;

use super::{CommentMode, Kind, Post, Source, Sources, Update, Via};
use crate::config::Config;
use crate::content::front_matter::{
    self, At, FrontMatterError, Pos, RawPost, RawSource, RawUpdate, Split,
};
use crate::content::source::SourceFile;
use crate::date::{DATE_FORMS, date_from_file_stem, parse_date};
use crate::diagnostic::{Diagnostic, LineIndex, nearest};
use crate::markdown::{self, CommentaryContext, RenderContext, Rendered};
use crate::urls::{
    ALIAS_HINT, PermalinkInputs, alias_url, check_slug, date_in_url, exact_url, expand_permalink,
    filename_slug,
};

/// More tags than this on one post earns a warning.
const MANY_TAGS: usize = 100;

/// What a file's path says about its post: the stem (`slug.md` → `slug`,
/// `slug/index.md` → `slug`), a date at its start, and where it sits.
pub(super) struct FileNames {
    /// The bundle folder, for `slug/index.md` bundles.
    pub(super) bundle: Option<PathBuf>,
    /// `YYYY-MM-DD` from a `YYYY-MM-DD-slug` stem.
    pub(super) date: Option<String>,
    /// The stem without its date.
    pub(super) stem: String,
    /// The folder under `content/posts/` (or `content/pages/`) the file
    /// sits in, for `:section`.
    section: String,
}

impl FileNames {
    pub(super) fn of(rel: &Path) -> FileNames {
        let is_index = rel.file_stem().is_some_and(|s| s == "index");
        let (stem, bundle) = match rel.parent() {
            Some(parent) if is_index => (
                parent
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                Some(parent.to_path_buf()),
            ),
            _ => (
                rel.file_stem()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                None,
            ),
        };
        let (date, stem) = match date_from_file_stem(&stem) {
            Some((d, rest)) => (Some(d.to_string()), rest.to_string()),
            None => (None, stem),
        };
        // content/posts/<section>/.../file.md: the first folder below the
        // content kind that is not the post's own bundle folder.
        let parts: Vec<String> = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect();
        let end = parts.len().saturating_sub(1 + usize::from(is_index));
        let section = parts
            .get(2..end)
            .and_then(|folders| folders.first())
            .or_else(|| parts.get(1))
            .cloned()
            .unwrap_or_else(|| "posts".into());
        FileNames {
            bundle,
            date,
            stem,
            section,
        }
    }
}

/// Collects the diagnostics of one file.
pub(super) struct FileProblems<'a> {
    pub(super) path: &'a Path,
    pub(super) list: Vec<Diagnostic>,
}

impl FileProblems<'_> {
    pub(super) fn error(&mut self, at: Pos, message: impl Into<String>, hint: Option<&str>) {
        let mut d = Diagnostic::error(self.path, message).at(at.0, at.1);
        if let Some(h) = hint {
            d = d.with_hint(h);
        }
        self.list.push(d);
    }

    pub(super) fn date(&mut self, raw: &At<String>, config: &Config) -> Option<ZonedDateTime> {
        match parse_date(&raw.value, &config.timezone) {
            Ok(d) => Some(d),
            Err(message) => {
                self.error(raw.at, message, Some(DATE_FORMS));
                None
            }
        }
    }
}

/// A front matter problem as a diagnostic of the file.
fn front_matter_diagnostic(path: &Path, e: FrontMatterError) -> Diagnostic {
    let d = if e.warning {
        Diagnostic::warning(path, e.message)
    } else {
        Diagnostic::error(path, e.message)
    }
    .at(e.line, e.col);
    match e.hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}

/// Splits and reads a file's front matter, reporting at file lines. A
/// syntax error stops the file; field problems are all collected.
pub(super) fn read_front_matter<'t>(
    file: &'t SourceFile,
    text: &'t str,
) -> Result<(Split<'t>, RawPost, FileProblems<'t>), Vec<Diagnostic>> {
    let split =
        front_matter::split(text).map_err(|e| vec![front_matter_diagnostic(&file.rel, e)])?;
    let (raw, problems) =
        front_matter::read_post(&split).map_err(|e| vec![front_matter_diagnostic(&file.rel, e)])?;
    let list = problems
        .into_iter()
        .map(|e| front_matter_diagnostic(&file.rel, e))
        .collect();
    Ok((
        split,
        raw,
        FileProblems {
            path: &file.rel,
            list,
        },
    ))
}

/// The body, with a post's own summary separator (Jekyll's
/// `excerpt_separator`) turned into our `<!-- more -->`.
pub(super) fn body_text<'a>(
    split: &Split<'a>,
    separator: Option<&str>,
) -> std::borrow::Cow<'a, str> {
    match separator {
        Some(sep) if !sep.trim().is_empty() && split.body.contains(sep) => {
            std::borrow::Cow::Owned(split.body.replacen(sep, "<!-- more -->", 1))
        }
        _ => std::borrow::Cow::Borrowed(split.body),
    }
}

/// Renders the body and turns its problems into file diagnostics.
pub(super) fn render_body(
    file: &SourceFile,
    body: &str,
    body_line: usize,
    ctx: &RenderContext<'_>,
    problems: &mut Vec<Diagnostic>,
) -> Rendered {
    let (rendered, md_problems) = markdown::memo::render(body, ctx);
    let lines = LineIndex::new(if md_problems.is_empty() { "" } else { body });
    for p in md_problems {
        let (line, col) = lines.line_col(p.offset);
        let mut d = if p.warning {
            Diagnostic::warning(&file.rel, p.message)
        } else {
            Diagnostic::error(&file.rel, p.message)
        }
        .at(line + body_line - 1, col);
        if let Some(h) = p.hint {
            d = d.with_hint(h);
        }
        problems.push(d);
    }
    rendered
}

/// The post's date: from front matter, else the file name, else the
/// date its exact URL starts with.
fn post_date(
    raw: &RawPost,
    names: &FileNames,
    file: &SourceFile,
    config: &Config,
    p: &mut FileProblems<'_>,
) -> Option<ZonedDateTime> {
    if let Some(d) = &raw.date {
        return p.date(d, config);
    }
    let from_url = raw.path.as_ref().and_then(|u| date_in_url(&u.value));
    let (text, origin) = match (&names.date, from_url) {
        (Some(d), _) => (d.clone(), "the file name"),
        (None, Some(d)) => (d, "the post's URL"),
        (None, None) => {
            p.list.push(
                Diagnostic::error(&file.rel, "the post has no date")
                    .at(1, 1)
                    .with_hint(missing_date_hint(file, config)),
            );
            return None;
        }
    };
    match parse_date(&text, &config.timezone) {
        Ok(z) => Some(z),
        Err(message) => {
            let at = if origin == "the post's URL" {
                raw.path.as_ref().map(|u| u.at)
            } else {
                None
            };
            p.list.push(
                Diagnostic::error(&file.rel, format!("in {origin}: {message}"))
                    .at_opt(at)
                    .with_hint(DATE_FORMS),
            );
            None
        }
    }
}

/// "add a date", naming the day the file was last changed rather than
/// today: for an old file that is the nearer guess.
fn missing_date_hint(file: &SourceFile, config: &Config) -> String {
    let modified = std::fs::metadata(&file.abs)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| jiff::Timestamp::try_from(t).ok())
        .map(|t| {
            t.to_zoned_datetime(config.timezone.clone())
                .strftime("%Y-%m-%d")
                .to_string()
        });
    match modified {
        Some(day) => format!(
            "add a `date` to the front matter (the file was last changed on {day}: `date = {day}` in TOML, `date: {day}` in YAML), or name the file {day}-slug.md"
        ),
        None => "add `date = 2026-11-27` to the front matter, or name the file YYYY-MM-DD-slug.md"
            .to_string(),
    }
}

/// The slug (front matter, else the slugified file name) and the file
/// name's slug as written, for `:filename`.
fn post_slug(
    raw: &RawPost,
    names: &FileNames,
    file: &SourceFile,
    p: &mut FileProblems<'_>,
) -> (String, String) {
    match &raw.slug {
        Some(At { value: s, at }) => {
            if let Err(message) = check_slug(s) {
                let mut suggestion = slug::slugify(s);
                if suggestion.len() > 60 {
                    // Shortened at a dash, so the example is one to copy.
                    let cut = suggestion[..60].rfind('-').unwrap_or(60);
                    suggestion.truncate(cut);
                }
                let hint = if suggestion.is_empty() {
                    "a slug is one URL segment: letters, digits and dashes".to_string()
                } else {
                    format!("a slug is one URL segment, e.g. `{suggestion}`")
                };
                p.error(*at, message, Some(&hint));
            }
            (s.clone(), s.clone())
        }
        None => {
            let s = slug::slugify(&names.stem);
            if s.is_empty() {
                p.list.push(
                    Diagnostic::error(&file.rel, "cannot make a slug from the file name")
                        .with_hint("add `slug = \"my-post\"` to the front matter"),
                );
            }
            let filename = filename_slug(&names.stem);
            let filename = if filename.is_empty() {
                s.clone()
            } else {
                filename
            };
            (s, filename)
        }
    }
}

fn post_kind(
    raw: &RawPost,
    link: Option<&str>,
    title: Option<&str>,
    body: &str,
    p: &mut FileProblems<'_>,
) -> Kind {
    match &raw.kind {
        Some(At { value: name, at }) => match Kind::parse(name) {
            Some(k) => k,
            None => {
                let hint = match nearest(name, Kind::ALL.map(Kind::name)) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => "the kinds are entry, link, quote and note".to_string(),
                };
                p.error(*at, format!("unknown kind `{name}`"), Some(&hint));
                Kind::Entry
            }
        },
        None if link.is_some() => Kind::Link,
        None if title.is_some() => Kind::Entry,
        None if body.trim_start().starts_with('>') => Kind::Quote,
        None => Kind::Note,
    }
}

fn comment_mode(raw: &RawPost, config: &Config, p: &mut FileProblems<'_>) -> CommentMode {
    match &raw.comments {
        Some(At { value: mode, at }) => CommentMode::parse(mode).unwrap_or_else(|| {
            p.error(
                *at,
                format!("comments = `{mode}` is not one of open, closed, off"),
                None,
            );
            CommentMode::Open
        }),
        None => CommentMode::parse(&config.comments_default).unwrap_or(CommentMode::Open),
    }
}

fn resolve_sources(raw: &[RawSource], config: &Config, p: &mut FileProblems<'_>) -> Sources {
    raw.iter()
        .map(|s| {
            let source = Source {
                id: s.id.clone(),
                publication: s.publication.clone(),
                author: s.author.clone(),
                title: s.title.clone(),
                url: s.url.as_ref().map(|u| u.value.clone()),
                date: s.date.as_ref().and_then(|d| p.date(d, config)),
                retrieved: s.retrieved.as_ref().and_then(|d| p.date(d, config)),
                archive: s.archive.as_ref().map(|u| u.value.clone()),
                snapshot: s
                    .snapshot
                    .as_ref()
                    .map(|t| (std::path::PathBuf::from(&t.value), t.at)),
            };
            (s.id.clone(), source)
        })
        .collect()
}

fn resolve_updates(raw: &[RawUpdate], config: &Config, p: &mut FileProblems<'_>) -> Vec<Update> {
    let mut updates: Vec<Update> = raw
        .iter()
        .filter_map(|u| {
            let at = p.date(&u.at, config)?;
            Some(Update {
                at,
                note_html: markdown::render_inline(&u.note),
                note: u.note.clone(),
            })
        })
        .collect();
    updates.sort_by(|a, b| a.at.cmp(&b.at));
    updates
}

pub(super) fn check_aliases(raw: &[At<String>], p: &mut FileProblems<'_>) -> Vec<String> {
    for alias in raw {
        if let Err(message) = alias_url(&alias.value) {
            p.error(alias.at, message, Some(ALIAS_HINT));
        }
    }
    raw.iter().map(|a| a.value.clone()).collect()
}

/// The post's URL: its exact URL when front matter gives one, else the
/// site's permalink pattern.
fn post_url(
    raw: &RawPost,
    config: &Config,
    inputs: &PermalinkInputs<'_>,
    p: &mut FileProblems<'_>,
) -> Option<String> {
    match &raw.path {
        Some(At { value, at }) => match exact_url(value, inputs) {
            Ok(url) => Some(url),
            Err(message) => {
                p.error(
                    *at,
                    message,
                    Some("write the path the post is served at, e.g. /2009/03/03/old-post/"),
                );
                None
            }
        },
        None => Some(expand_permalink(&config.permalink.parts, inputs)),
    }
}

/// `updated`, warned about when it is earlier than the post's date.
fn post_updated(
    raw: &RawPost,
    date: Option<&ZonedDateTime>,
    file: &SourceFile,
    config: &Config,
    p: &mut FileProblems<'_>,
) -> Option<ZonedDateTime> {
    let updated = raw.updated.as_ref().and_then(|d| p.date(d, config));
    if let (Some(date), Some(up), Some(written)) = (date, &updated, &raw.updated)
        && up.timestamp() < date.timestamp()
    {
        p.list.push(
            Diagnostic::warning(
                &file.rel,
                format!(
                    "`updated` ({}) is earlier than the post's date ({}): feeds and the page will say it was updated before it was written",
                    up.date(),
                    date.date()
                ),
            )
            .at(written.at.0, written.at.1)
            .with_hint("set `updated` to the day of the last change, or remove it"),
        );
    }
    updated
}

/// Tags and categories, each named once; a warning for a keyword list
/// imported as tags.
fn post_terms(raw: &RawPost, p: &mut FileProblems<'_>) -> (Vec<String>, Vec<String>) {
    let names = |list: &Option<At<Vec<String>>>| {
        dedup_names(list.as_ref().map(|t| t.value.clone()).unwrap_or_default())
    };
    let tags = names(&raw.tags);
    if tags.len() > MANY_TAGS {
        let d = Diagnostic::warning(
            p.path,
            format!(
                "{} tags: list pages show 8 and feeds 20 of them, and each gets its own page",
                tags.len()
            ),
        )
        .at_opt(raw.tags.as_ref().map(|t| t.at))
        .with_hint("tags are for finding related posts; was a keyword list imported as tags?");
        p.list.push(d);
    }
    (tags, names(&raw.categories))
}

/// What a post's kind asks of it, checked once its body is rendered.
struct KindNeeds<'a> {
    file: &'a SourceFile,
    split: &'a Split<'a>,
    raw: &'a RawPost,
    body: &'a Rendered,
    kind: Kind,
}

impl KindNeeds<'_> {
    /// The title as written, or made up for quotes and notes; entries and
    /// links need one.
    fn title(
        &self,
        written: Option<String>,
        sources: &Sources,
        date: &ZonedDateTime,
        problems: &mut Vec<Diagnostic>,
    ) -> (String, bool) {
        if let Some(t) = written {
            return (t, false);
        }
        match self.kind {
            Kind::Entry | Kind::Link => {
                let what = if self.kind == Kind::Entry {
                    "an entry"
                } else {
                    "a link"
                };
                problems.push(
                    Diagnostic::error(&self.file.rel, format!("{what} post needs a title"))
                        .at(self.split.front_line.saturating_sub(1).max(1), 1)
                        .with_hint("add `title = \"...\"` to the front matter"),
                );
                (String::new(), true)
            }
            Kind::Quote => (derived_quote_title(self.body, sources), true),
            Kind::Note => (format!("Note, {}", date.strftime("%B %-d, %Y %H:%M")), true),
        }
    }

    /// A link post needs its `link`, a quote post a cited quote.
    fn check(&self, link: Option<&str>, problems: &mut Vec<Diagnostic>) {
        match self.kind {
            Kind::Link if link.is_none() => problems.push(
                Diagnostic::error(&self.file.rel, "a link post needs a `link`")
                    .at_opt(self.raw.kind.as_ref().map(|k| k.at).or(Some((1, 1))))
                    .with_hint("add `link = \"https://...\"`, the page the post is about")
                    .with_code("link-without-link"),
            ),
            Kind::Quote if self.body.commentary.quotes.is_empty() => problems.push(
                Diagnostic::error(&self.file.rel, "a quote post needs a cited quote")
                    .at(self.split.body_line, 1)
                    .with_hint("end the block quote with an attribution line: `> — [source]` or `> — Name, [Publication](https://...)`"),
            ),
            _ => {}
        }
    }
}

/// The latest of the front matter updates and the timed inline updates.
fn latest_update(updates: &[Update], body: &Rendered) -> Option<ZonedDateTime> {
    let inline = body
        .commentary
        .inline_updates
        .iter()
        .filter_map(|u| u.at.clone())
        .max();
    updates
        .last()
        .map(|u| u.at.clone())
        .into_iter()
        .chain(inline)
        .max()
}

/// Resolves one post file.
/// Returns the post (unless an error stops it) and every diagnostic found.
pub fn parse_post(file: &SourceFile, config: &Config) -> (Option<Post>, Vec<Diagnostic>) {
    let text = file.text.as_deref().unwrap_or("");
    let (split, raw, mut p) = match read_front_matter(file, text) {
        Ok(v) => v,
        Err(d) => return (None, d),
    };
    let names = FileNames::of(&file.rel);
    let date = post_date(&raw, &names, file, config, &mut p);
    let updated = post_updated(&raw, date.as_ref(), file, config, &mut p);
    let (slug, filename) = post_slug(&raw, &names, file, &mut p);
    let link = raw.link.as_ref().map(|l| l.value.clone());
    let title = raw
        .title
        .as_ref()
        .map(|t| t.value.clone())
        .filter(|t| !t.trim().is_empty());
    let kind = post_kind(&raw, link.as_deref(), title.as_deref(), split.body, &mut p);
    let comments = comment_mode(&raw, config, &mut p);
    let resolved_sources = resolve_sources(&raw.sources, config, &mut p);
    let resolved_updates = resolve_updates(&raw.updates, config, &mut p);
    let aliases = check_aliases(&raw.aliases, &mut p);
    let (tags, categories) = post_terms(&raw, &mut p);

    let Some(date) = date else {
        return (None, p.list);
    };
    let inputs = PermalinkInputs {
        date: &date,
        slug: &slug,
        filename: &filename,
        title: title.as_deref(),
        section: &names.section,
        categories: &categories,
        kind: kind.plural(),
    };
    let Some(url) = post_url(&raw, config, &inputs, &mut p) else {
        return (None, p.list);
    };

    let mut problems = std::mem::take(&mut p.list);
    let page_link = config.link(&url);
    let ctx = RenderContext {
        page_path: &page_link,
        base_path: config.base_path(),
        highlight: config.highlight_code,
        whole_summary: kind != Kind::Entry,
        commentary: CommentaryContext {
            sources: &resolved_sources,
            timezone: &config.timezone,
            day: Some(date.with_time_zone(config.timezone.clone()).date()),
        },
    };
    let body_text = body_text(&split, raw.summary_separator.as_deref());
    let mut body = render_body(file, &body_text, split.body_line, &ctx, &mut problems);
    check_commentary(file, &split, &raw, &body, &resolved_sources, &mut problems);
    if !config.quote_text {
        // Read only by `check` and `cite`; the body memo keeps it.
        for quote in &mut body.commentary.quotes {
            quote.text = String::new();
        }
    }
    let summary = raw.summary.clone();
    if let Some(text) = &summary {
        let (summary_body, _) = markdown::memo::render(text, &ctx);
        body.summary_html = summary_body.html.get().to_string();
        body.summary_text = summary_body.summary_text;
        body.has_more = true;
    }

    let needs = KindNeeds {
        file,
        split: &split,
        raw: &raw,
        body: &body,
        kind,
    };
    let (title, title_derived) = needs.title(title, &resolved_sources, &date, &mut problems);
    needs.check(link.as_deref(), &mut problems);
    if problems.iter().any(Diagnostic::is_error) {
        return (None, problems);
    }
    // The latest update, from front matter or a timed inline update, moves
    // `updated` unless the writer set it.
    let updated = updated.or_else(|| latest_update(&resolved_updates, &body));
    let tag_slugs = tags.iter().map(|t| crate::urls::term_slug(t).0).collect();
    let category_slugs = categories
        .iter()
        .map(|c| crate::urls::term_slug(c).0)
        .collect();
    let meta_description = super::meta_description(raw.description.as_deref(), &body.summary_text);
    let mut post = Post {
        source: file.rel.clone(),
        source_hash: file.content_hash(),
        index_hash: 0,
        plan_hash: 0,
        tag_slugs,
        category_slugs,
        bundle: names.bundle,
        kind,
        title,
        title_derived,
        slug,
        url,
        date,
        updated,
        draft: raw.draft.unwrap_or(false),
        pinned: raw.pinned.unwrap_or(false),
        tags,
        categories,
        series: raw.series.as_ref().map(|s| s.value.clone()),
        summary_override: summary,
        description: raw.description.clone(),
        meta_description,
        image: raw.image.clone(),
        aliases,
        link,
        via: raw.via.as_ref().map(|v| Via {
            name: v.name.clone(),
            url: v.url.clone(),
        }),
        sources: resolved_sources,
        updates: resolved_updates,
        comments,
        template_at: raw.template.as_ref().map(|t| t.at),
        template: raw.template.as_ref().map(|t| t.value.clone()),
        author: raw.author.clone(),
        extra: raw.extra.clone().unwrap_or(serde_json::Value::Null),
        body,
        body_line: split.body_line,
    };
    post.index_hash = post.hash_index_place();
    post.plan_hash = post.hash_plan_inputs();
    (Some(post), problems)
}

/// Warnings about sources: named but undeclared, and declared but unused.
/// (Whether a post is mostly quotation is `check`'s to say.)
fn check_commentary(
    file: &SourceFile,
    split: &Split<'_>,
    raw: &RawPost,
    body: &Rendered,
    sources: &Sources,
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
    for declared in &raw.sources {
        let id = &declared.id;
        if !body.commentary.sources_used.contains(id) {
            problems.push(
                Diagnostic::warning(
                    &file.rel,
                    format!("source `{id}` is declared but never quoted or cited"),
                )
                .at_opt(Some(declared.url.as_ref().map_or(declared.at, |u| u.at)))
                .with_hint(format!(
                    "attribute a quote with `> — [{id}]`, cite it as `[{id}]`, or remove it"
                ))
                .with_code("unused-source"),
            );
        }
    }
}

/// "Quoting Peter Baker": who the first cited quote credits, else the
/// first declared source's author or publication.
fn derived_quote_title(body: &Rendered, sources: &Sources) -> String {
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

/// Tags or categories without repeats (`Rust` and `rust` are one). Names
/// that differ but share a URL (`C++` and `C`) are both kept: the site
/// index warns about them.
fn dedup_names(names: Vec<String>) -> Vec<String> {
    let mut seen = std::collections::HashSet::new();
    names
        .into_iter()
        .map(|n| n.trim().to_string())
        .filter(|n| !n.is_empty() && seen.insert(n.to_lowercase()))
        .collect()
}

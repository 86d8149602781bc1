//! The site configuration, `glossator.toml`.
//!
//! Two layers, as in cobalt: [`RawConfig`] is exactly what the writer typed
//! (every field optional, unknown keys refused by serde), and [`Config`] is
//! the resolved model the build uses (defaults filled in, the time zone
//! looked up, the permalink pattern compiled). The conversion destructures
//! the raw struct completely, so a new field cannot be forgotten.
//!
//! Errors name `glossator.toml:line:col` and, for an unknown key, the nearest
//! valid one. The same serde error parsing serves front matter, so it lives
//! here as [`serde_error_hint`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use jiff::tz::TimeZone;
use serde::Deserialize;
use toml::Spanned;

use crate::diagnostic::{Diagnostic, Diagnostics, line_col, nearest};
use crate::urls::{Permalink, PermalinkPart};

/// The config file's name at the site root.
pub const CONFIG_FILE: &str = "glossator.toml";

/// What the writer wrote in `glossator.toml`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawConfig {
    pub title: Option<String>,
    pub base_url: Option<Spanned<String>>,
    pub author: Option<RawAuthor>,
    pub description: Option<String>,
    pub language: Option<String>,
    pub timezone: Option<Spanned<String>>,
    pub theme: Option<Spanned<String>>,
    pub permalink: Option<Spanned<String>>,
    pub paginate_by: Option<Spanned<usize>>,
    pub taxonomies: Option<BTreeMap<Spanned<String>, Spanned<RawTaxonomy>>>,
    pub comments: Option<RawComments>,
    pub feeds: Option<RawFeeds>,
    pub related: Option<RawRelated>,
    pub markdown: Option<RawMarkdown>,
    pub home: Option<RawHome>,
    pub archives: Option<RawArchives>,
    pub sources: Option<RawSources>,
    pub extra: Option<toml::Table>,
}

/// `author = "Name"` or `[author] name = ..., email = ..., url = ...`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAuthorTable {
    pub name: Option<String>,
    pub email: Option<String>,
    pub url: Option<Spanned<String>>,
}

#[derive(Debug)]
pub struct RawAuthor(pub RawAuthorTable);

impl<'de> Deserialize<'de> for RawAuthor {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = RawAuthor;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a name, or a table with name, email and url")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<RawAuthor, E> {
                Ok(RawAuthor(RawAuthorTable {
                    name: Some(v.to_string()),
                    ..Default::default()
                }))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                map: A,
            ) -> Result<RawAuthor, A::Error> {
                RawAuthorTable::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(RawAuthor)
            }
        }
        d.deserialize_any(V)
    }
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawTaxonomy {
    /// URL segment, e.g. `tags` for `/tags/<tag>/`.
    pub path: Option<Spanned<String>>,
    /// Heading for the list of all terms, e.g. "Tags".
    pub title: Option<String>,
    pub paginate_by: Option<Spanned<usize>>,
    pub enabled: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawComments {
    pub per_page: Option<Spanned<usize>>,
    /// The default for posts that do not say: `open`, `closed` or `off`.
    pub default: Option<Spanned<String>>,
    /// Where the comment form posts (`glossator respond` behind the web
    /// server); no form without it.
    pub endpoint: Option<Spanned<String>>,
    /// Publish at once a commenter whose earlier comment was approved.
    pub trust_returning: Option<bool>,
    /// Comments with more links than this are held as spam.
    pub max_links: Option<usize>,
    /// How to comment when there is no form (Markdown: an address, a URL).
    pub how: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFeeds {
    pub entries: Option<Spanned<usize>>,
    /// Old feed addresses (`/feed/`) that keep serving the Atom feed.
    pub atom_aliases: Option<Vec<Spanned<String>>>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRelated {
    pub count: Option<usize>,
}

/// `[archives]`: which date archives the site has.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawArchives {
    /// A list page per day (`/2009/03/03/`), as WordPress has; years and
    /// months are always listed.
    pub days: Option<bool>,
}

/// `[home]`: what the home page lists.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawHome {
    /// Whole posts instead of teasers, as link blogs show them.
    pub full_posts: Option<bool>,
}

/// `[sources]`: the snapshots `glossator cite` keeps.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSources {
    /// Copy `sources/` into the site, so readers can see what was quoted.
    pub publish_snapshots: Option<bool>,
}

/// `[markdown]`, named as Zola names it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMarkdown {
    /// Syntax highlighting of fenced code with a language (on by default).
    pub highlight_code: Option<bool>,
}

/// The author of the site (and of posts that do not say otherwise).
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Author {
    pub name: String,
    pub email: Option<String>,
    pub url: Option<String>,
}

/// The two built-in taxonomies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum TaxonomyKind {
    Tags,
    Categories,
}

impl TaxonomyKind {
    pub const ALL: [TaxonomyKind; 2] = [TaxonomyKind::Tags, TaxonomyKind::Categories];

    pub fn name(self) -> &'static str {
        match self {
            TaxonomyKind::Tags => "tags",
            TaxonomyKind::Categories => "categories",
        }
    }

    /// The singular, for template variables and headings ("tag", "category").
    pub fn singular(self) -> &'static str {
        match self {
            TaxonomyKind::Tags => "tag",
            TaxonomyKind::Categories => "category",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Taxonomy {
    pub kind: TaxonomyKind,
    pub path: String,
    /// Where its table (`[taxonomies.tags]`) is in glossator.toml, if it
    /// has one: what a clash of its pages with another page is blamed on.
    pub written_at: Option<(usize, usize)>,
    pub title: String,
    pub paginate_by: usize,
    pub enabled: bool,
}

/// What the build uses.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    /// Without a trailing slash, e.g. `https://example.com` or `https://example.com/blog`.
    pub base_url: String,
    pub author: Author,
    pub description: String,
    pub language: String,
    pub timezone: TimeZone,
    pub timezone_name: String,
    pub theme: String,
    /// Where `theme` is written in glossator.toml, for errors about it.
    pub theme_at: Option<(usize, usize)>,
    pub permalink: Permalink,
    pub paginate_by: usize,
    pub tags: Taxonomy,
    pub categories: Taxonomy,
    pub comments_per_page: usize,
    pub comments_default: String,
    /// `[comments] endpoint`: where the comment form posts.
    pub comments_endpoint: Option<String>,
    pub comments_trust_returning: bool,
    pub comments_max_links: usize,
    /// `[comments] how`, as HTML: how to comment when there is no form.
    pub comments_how: Option<String>,
    /// Signs the comment form's token; loaded when there is an endpoint.
    pub comments_key: Option<crate::comment_key::Key>,
    pub feed_entries: usize,
    /// Site paths that also serve the main Atom feed (`/feed/`), so
    /// subscribers of an old feed address stay subscribed.
    pub feed_aliases: Vec<String>,
    pub related_count: usize,
    /// `[home] full_posts`: whole posts on the home page.
    pub home_full_posts: bool,
    /// `[archives] days`: a list page per day (on unless turned off).
    pub day_archives: bool,
    /// What `check --refresh` found changed, by snapshot path: read from
    /// `sources/` with the config (both are rare, site-wide edits; `serve`
    /// starts afresh on either).
    pub source_changes: std::collections::BTreeMap<std::path::PathBuf, crate::sources::ChangeMark>,
    /// `[sources] publish_snapshots`: snapshots are copied to the site.
    pub publish_snapshots: bool,
    /// With it, the snapshot files found under `sources/`: (absolute path,
    /// site-relative `/`-separated path).
    pub snapshot_files: Vec<(std::path::PathBuf, String)>,
    /// Highlight fenced code (`[markdown] highlight_code`).
    pub highlight_code: bool,
    /// Whether posts keep each cited quote's plain text, which only
    /// `check` and `cite` compare with their sources: not read from
    /// `glossator.toml`; `build` and `serve` turn it off
    /// (`BuildOptions::quote_text` in `request`).
    pub quote_text: bool,
    pub extra: toml::Table,
}

impl Config {
    pub fn taxonomy(&self, kind: TaxonomyKind) -> &Taxonomy {
        match kind {
            TaxonomyKind::Tags => &self.tags,
            TaxonomyKind::Categories => &self.categories,
        }
    }

    /// The absolute URL of a site path such as `/2009/03/03/x/`.
    pub fn absolute(&self, path: &str) -> String {
        joined(&self.base_url, path)
    }

    /// The path part of `base_url` (`/blog` for `https://e.com/blog`, else
    /// empty): sites served from a sub-folder prefix every link with it.
    /// Read off the bytes: pages ask for it hundreds of thousands of times a
    /// build, and a substring search set up for `://` each time cost 1% of
    /// one.
    pub fn base_path(&self) -> &str {
        let url = self.base_url.as_str();
        let Some(scheme_end) = url.as_bytes().windows(3).position(|w| w == b"://") else {
            return "";
        };
        let after_scheme = &url[scheme_end + 3..];
        let host_end = after_scheme.bytes().position(|b| b == b'/');
        host_end.map_or("", |i| &after_scheme[i..])
    }

    /// The link to a site path, as written in pages: `/x/` or `/blog/x/`.
    pub fn link(&self, path: &str) -> String {
        joined(self.base_path(), path)
    }
}

/// `a` then `b`, in a string made to size.
fn joined(a: &str, b: &str) -> String {
    let mut s = String::with_capacity(a.len() + b.len());
    s.push_str(a);
    s.push_str(b);
    s
}

/// Reads and resolves `glossator.toml` at the site root.
pub fn load_config(root: &Path) -> Result<Config, Diagnostics> {
    let path = root.join(CONFIG_FILE);
    let text = match std::fs::read_to_string(&path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Diagnostics::from_iter([Diagnostic::error(
                PathBuf::from(CONFIG_FILE),
                format!("no {CONFIG_FILE} in {}", root.display()),
            )
            .with_hint(
                "run `glossator init` to make a new site, or pass `--root DIR`",
            )]));
        }
        Err(e) => {
            return Err(Diagnostics::from_iter([Diagnostic::error(
                PathBuf::from(CONFIG_FILE),
                format!("cannot read the config: {e}"),
            )]));
        }
    };
    let mut config = parse_config(&text)?;
    if config.comments_endpoint.is_some() {
        // The form's token is signed: the key comes with the endpoint.
        match crate::comment_key::Key::load_or_create(root) {
            Ok(key) => config.comments_key = Some(key),
            Err(e) => {
                return Err(Diagnostics::from_iter([Diagnostic::error(
                    PathBuf::from(crate::comment_key::DIR),
                    format!("cannot load the comment form's secret: {e:#}"),
                )
                .with_hint(format!(
                    "glossator keeps it in {}/secret (or reads {} from the environment)",
                    crate::comment_key::DIR,
                    crate::comment_key::ENV
                ))]));
            }
        }
    }
    Ok(config)
}

/// Parses and resolves config text (the file's contents).
pub fn parse_config(text: &str) -> Result<Config, Diagnostics> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let raw: RawConfig = toml::from_str(text).map_err(|e| {
        let position = e.span().map(|s| line_col(text, s.start));
        let mut d =
            Diagnostic::error(CONFIG_FILE, short_serde_message(e.message())).at_opt(position);
        if let Some(hint) = serde_error_hint(e.message()) {
            d = d.with_hint(hint);
        }
        Diagnostics::from_iter([d])
    })?;
    resolve(raw, text)
}

/// Shortens serde's "unknown field `x`, expected one of a, b, c, ..." to
/// "unknown field `x`": the hint says what to write instead.
pub fn short_serde_message(message: &str) -> String {
    match message.find("`, expected") {
        Some(i) if message.starts_with("unknown field `") => message[..=i].to_string(),
        _ => message.to_string(),
    }
}

/// For serde's "unknown field `x`, expected one of ..." message (TOML or
/// YAML flavour), a hint naming the closest valid key.
pub fn serde_error_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (unknown, rest) = rest.split_once('`')?;
    let expected = rest
        .split_once("expected one of ")
        .or_else(|| rest.split_once("expected "))
        .map(|(_, list)| list)?;
    let candidates: Vec<String> = expected
        .split(", ")
        .map(|c| c.trim().trim_matches('`').to_string())
        .collect();
    match nearest(unknown, candidates.iter().map(String::as_str)) {
        Some(n) => Some(format!("did you mean `{n}`?")),
        None => Some(format!("valid keys here are: {}", candidates.join(", "))),
    }
}

/// Checks a site address (from `glossator.toml` or `--base-url`) and gives
/// it without its trailing slash. Only http(s) with a host; no query,
/// fragment, space, quote or control character, any of which would break
/// every link made from it.
pub fn check_base_url(url: &str) -> Result<String, String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if !(lower.starts_with("http://") || lower.starts_with("https://")) {
        return Err(format!(
            "base_url `{}` is not an http(s) URL",
            url.escape_debug()
        ));
    }
    if let Some(c) = url.chars().find(|c| {
        c.is_whitespace() || c.is_control() || matches!(c, '"' | '\'' | '<' | '>' | '\\' | '`')
    }) {
        return Err(format!(
            "base_url `{}` contains `{}`",
            url.escape_debug(),
            c.escape_debug()
        ));
    }
    if url.contains(['?', '#']) {
        return Err(format!(
            "base_url `{url}` has a query or fragment; it must be a plain address"
        ));
    }
    let parsed = url::Url::parse(url).map_err(|e| format!("base_url `{url}`: {e}"))?;
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(format!("base_url `{url}` has no host"));
    }
    Ok(url.trim_end_matches('/').to_string())
}

/// Where a value the parser read is, as `(line, column)`: the one place
/// config errors get their position, from the parser's spans.
fn at<T>(text: &str, value: &Spanned<T>) -> Option<(usize, usize)> {
    Some(line_col(text, value.span().start))
}

/// The value of an optional spanned field, and where it is.
fn split<T>(text: &str, value: Option<Spanned<T>>) -> (Option<T>, Option<(usize, usize)>) {
    match value {
        Some(v) => {
            let place = at(text, &v);
            (Some(v.into_inner()), place)
        }
        None => (None, None),
    }
}

fn resolve(raw: RawConfig, text: &str) -> Result<Config, Diagnostics> {
    let RawConfig {
        title,
        base_url,
        author,
        description,
        language,
        timezone,
        theme,
        permalink,
        paginate_by,
        taxonomies,
        comments,
        feeds,
        related,
        markdown,
        home,
        archives,
        sources,
        extra,
    } = raw;
    let mut diagnostics = Diagnostics::new();
    let fail = |diagnostics: &mut Diagnostics,
                place: Option<(usize, usize)>,
                message: String,
                hint: Option<&str>| {
        let mut d = Diagnostic::error(CONFIG_FILE, message).at_opt(place);
        if let Some(h) = hint {
            d = d.with_hint(h);
        }
        diagnostics.push(d);
    };

    let (timezone, timezone_at) = split(text, timezone);
    let (base_url, base_url_at) = split(text, base_url);
    let (permalink, permalink_at) = split(text, permalink);
    let (paginate_by, paginate_by_at) = split(text, paginate_by);
    let (theme, theme_at) = split(text, theme);
    let timezone_name = timezone.unwrap_or_else(|| "UTC".to_string());
    let tz = match TimeZone::get(&timezone_name) {
        Ok(tz) => tz,
        Err(_) => {
            fail(
                &mut diagnostics,
                timezone_at,
                format!("unknown time zone `{timezone_name}`"),
                Some("use an IANA name such as `America/New_York`, `Europe/Paris` or `UTC`"),
            );
            TimeZone::UTC
        }
    };

    let base_url = match check_base_url(base_url.as_deref().unwrap_or("http://localhost:1111")) {
        Ok(u) => u,
        Err(message) => {
            fail(
                &mut diagnostics,
                base_url_at,
                message,
                Some(
                    "write the address the site will be served at, e.g. `https://example.com` or `https://example.com/blog`",
                ),
            );
            "http://localhost:1111".into()
        }
    };

    let permalink = match Permalink::parse(permalink.as_deref().unwrap_or(Permalink::DEFAULT)) {
        Ok(p) => p,
        Err(message) => {
            fail(&mut diagnostics, permalink_at, message, None);
            // A valid stand-in so later checks can go on; the build fails anyway.
            Permalink {
                pattern: Permalink::DEFAULT.to_string(),
                parts: vec![PermalinkPart::Slug],
            }
        }
    };

    let paginate_by = paginate_by.unwrap_or(10);
    if paginate_by == 0 {
        fail(
            &mut diagnostics,
            paginate_by_at,
            "paginate_by must be at least 1".into(),
            None,
        );
    }

    // By name, with where the name is written.
    let mut raw_taxonomies: BTreeMap<String, (Option<(usize, usize)>, RawTaxonomy)> = taxonomies
        .unwrap_or_default()
        .into_iter()
        .map(|(name, table)| {
            let place = at(text, &name);
            (name.into_inner(), (place, table.into_inner()))
        })
        .collect();
    let mut taxonomy = |kind: TaxonomyKind, default_title: &str| {
        let (table_at, raw) = raw_taxonomies.remove(kind.name()).unwrap_or_default();
        let RawTaxonomy {
            path,
            title,
            paginate_by: per_page,
            enabled,
        } = raw;
        let (path, path_at) = split(text, path);
        let (per_page, per_page_at) = split(text, per_page);
        let path = path.unwrap_or_else(|| kind.name().to_string());
        let table = format!("taxonomies.{}", kind.name());
        if per_page == Some(0) {
            diagnostics.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    format!("{table}.paginate_by must be at least 1"),
                )
                .at_opt(per_page_at),
            );
        }
        Taxonomy {
            kind,
            path,
            written_at: path_at.or(table_at),
            title: title.unwrap_or_else(|| default_title.to_string()),
            paginate_by: per_page.unwrap_or(paginate_by).max(1),
            enabled: enabled.unwrap_or(true),
        }
    };
    let tags = taxonomy(TaxonomyKind::Tags, "Tags");
    let categories = taxonomy(TaxonomyKind::Categories, "Categories");
    for (name, (place, _)) in &raw_taxonomies {
        let hint = match nearest(name, ["tags", "categories"]) {
            Some(n) => format!("did you mean `{n}`?"),
            None => "the taxonomies are `tags` and `categories`".to_string(),
        };
        let mut d =
            Diagnostic::error(CONFIG_FILE, format!("unknown taxonomy `{name}`")).with_hint(hint);
        d = d.at_opt(*place);
        diagnostics.push(d);
    }
    let mut tags = tags;
    let mut categories = categories;
    for t in [&mut tags, &mut categories] {
        t.path = t.path.trim_matches('/').to_string();
        let bad_segment = t.path.split('/').any(|seg| {
            seg.is_empty()
                || seg == "."
                || seg == ".."
                || seg.chars().any(|c| {
                    c.is_control() || c.is_whitespace() || matches!(c, '\\' | '?' | '#' | '%')
                })
        });
        if bad_segment {
            diagnostics.push(
                Diagnostic::error(
                    CONFIG_FILE,
                    format!(
                        "taxonomy path `{}` must be URL segments such as `tags` or `blog/categories`",
                        t.path
                    ),
                )
                .with_hint("no empty, `.` or `..` segments, spaces, `\\`, `?`, `#` or `%`")
                .at_opt(t.written_at),
            );
        }
    }

    let (comments_per_page, comments_default, comments_endpoint, trust_returning, max_links, how) = {
        let c = comments.unwrap_or_default();
        let RawComments {
            per_page,
            default,
            endpoint,
            trust_returning,
            max_links,
            how,
        } = c;
        let how = how
            .filter(|h| !h.trim().is_empty())
            .map(|h| crate::sanitize::render_comment_body(&h));
        let (endpoint, endpoint_at) = split(text, endpoint);
        let (default, default_at) = split(text, default);
        let (per_page, per_page_at) = split(text, per_page);
        let endpoint = endpoint.filter(|e| !e.trim().is_empty());
        if let Some(e) = &endpoint {
            let ok = url::Url::parse(e)
                .map(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
                .unwrap_or(false);
            if !ok {
                diagnostics.push(
                    Diagnostic::error(
                        CONFIG_FILE,
                        format!("comments.endpoint `{e}` is not an http(s) address"),
                    )
                    .with_hint("give the address `glossator respond` answers at behind your web server, e.g. https://example.com/respond/")
                    .at_opt(endpoint_at),
                );
            }
        }
        let default = default.unwrap_or_else(|| "open".to_string());
        if !["open", "closed", "off"].contains(&default.as_str()) {
            fail(
                &mut diagnostics,
                default_at,
                format!("comments.default `{default}` is not one of open, closed, off"),
                None,
            );
        }
        if per_page == Some(0) {
            diagnostics.push(
                Diagnostic::error(CONFIG_FILE, "comments.per_page must be at least 1")
                    .at_opt(per_page_at),
            );
        }
        (
            per_page.unwrap_or(50).max(1),
            default,
            endpoint,
            trust_returning.unwrap_or(false),
            max_links.unwrap_or(2),
            how,
        )
    };
    let RawFeeds {
        entries,
        atom_aliases,
    } = feeds.unwrap_or_default();
    let (entries, entries_at) = split(text, entries);
    if entries == Some(0) {
        diagnostics.push(
            Diagnostic::error(CONFIG_FILE, "feeds.entries must be at least 1")
                .with_hint("the number of newest posts each feed lists; 20 is usual")
                .at_opt(entries_at),
        );
    }
    let mut feed_aliases = Vec::new();
    for alias in atom_aliases.unwrap_or_default() {
        match crate::urls::alias_url(alias.get_ref()) {
            Ok(path) => feed_aliases.push(path),
            Err(message) => fail(
                &mut diagnostics,
                at(text, &alias),
                message,
                Some("old feed addresses are site paths such as /feed/ or /index.xml"),
            ),
        }
    }
    let RawRelated { count } = related.unwrap_or_default();

    let RawAuthorTable { name, email, url } = author.map(|a| a.0).unwrap_or_default();
    let (url, url_at) = split(text, url);
    if let Some(u) = &url
        && let Err(message) = crate::urls::check_url(u)
    {
        fail(
            &mut diagnostics,
            url_at,
            format!("author url: {message}"),
            Some("links may be http(s), mailto, or a path of this site"),
        );
    }

    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    Ok(Config {
        title: title.unwrap_or_else(|| "My commentary blog".to_string()),
        base_url,
        author: Author {
            name: name.unwrap_or_default(),
            email,
            url,
        },
        description: description.unwrap_or_default(),
        language: language.unwrap_or_else(|| "en".to_string()),
        timezone: tz,
        timezone_name,
        theme: theme.unwrap_or_else(|| "default".to_string()),
        theme_at,
        permalink,
        paginate_by: paginate_by.max(1),
        tags,
        categories,
        comments_per_page,
        comments_default,
        comments_endpoint,
        comments_trust_returning: trust_returning,
        comments_max_links: max_links,
        comments_how: how,
        comments_key: None,
        feed_entries: entries.unwrap_or(20).max(1),
        feed_aliases,
        related_count: count.unwrap_or(3),
        home_full_posts: home.and_then(|h| h.full_posts).unwrap_or(false),
        day_archives: archives.and_then(|a| a.days).unwrap_or(true),
        source_changes: Default::default(),
        publish_snapshots: sources.and_then(|s| s.publish_snapshots).unwrap_or(false),
        snapshot_files: Vec::new(),
        highlight_code: markdown.and_then(|m| m.highlight_code).unwrap_or(true),
        quote_text: true,
        extra: extra.unwrap_or_default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err(text: &str) -> Diagnostic {
        parse_config(text).unwrap_err().into_vec().remove(0)
    }

    /// Positions come from the parser's spans: a key of the same name in
    /// another table (which a text search finds first) is not blamed.
    #[test]
    fn errors_point_at_the_key_the_parser_read() {
        let text = "[extra]\nurl = \"https://fine.example\"\ndefault = 3\ntheme = 1\n\
                    [author]\nname = \"A\"\nurl = \"javascript:alert(1)\"\n\
                    [comments]\ndefault = \"maybe\"\n[taxonomies.tagz]\npath = \"t\"\n";
        let found: Vec<(Option<usize>, Option<usize>, String)> = parse_config(text)
            .unwrap_err()
            .into_vec()
            .into_iter()
            .map(|d| (d.line, d.col, d.message))
            .collect();
        let line_of = |needle: &str| {
            found
                .iter()
                .find(|(_, _, m)| m.contains(needle))
                .map(|(l, c, _)| (*l, *c))
        };
        assert_eq!(line_of("author url"), Some((Some(7), Some(7))), "{found:?}");
        assert_eq!(
            line_of("comments.default"),
            Some((Some(9), Some(11))),
            "{found:?}"
        );
        assert_eq!(
            line_of("unknown taxonomy"),
            Some((Some(10), Some(13))),
            "{found:?}"
        );
        let theme = parse_config("title = \"t\"\n[extra]\ntheme = 2\n")
            .unwrap()
            .theme_at;
        assert_eq!(
            theme, None,
            "`theme` inside [extra] is not the site's theme"
        );
        let c = parse_config("title = \"t\"\n\ntheme = \"local\"\n").unwrap();
        assert_eq!(c.theme_at, Some((3, 9)));
    }

    #[test]
    fn defaults_fill_an_empty_config() {
        let c = parse_config("").unwrap();
        assert_eq!(c.paginate_by, 10);
        assert_eq!(c.permalink.pattern, "/:year/:month/:day/:slug/");
        assert_eq!(c.tags.path, "tags");
        assert_eq!(c.categories.title, "Categories");
        assert_eq!(c.theme, "default");
        assert_eq!(c.timezone_name, "UTC");
    }

    #[test]
    fn unknown_key_names_line_and_nearest_key() {
        let d = err("title = \"x\"\npaginat_by = 5\n");
        assert_eq!((d.line, d.col), (Some(2), Some(1)));
        assert!(
            d.message.contains("unknown field `paginat_by`"),
            "{}",
            d.message
        );
        assert_eq!(d.hint.as_deref(), Some("did you mean `paginate_by`?"));
    }

    #[test]
    fn the_comment_endpoint_must_be_a_web_address() {
        let d = err("[comments]\nper_page = 5\nendpoint = \"/respond/\"\n");
        assert_eq!((d.line, d.col), (Some(3), Some(12)));
        assert!(
            d.message.contains("not an http(s) address"),
            "{}",
            d.message
        );
        let c = parse_config("[comments]\nendpoint = \"https://e.com/respond/\"\n").unwrap();
        assert_eq!(
            c.comments_endpoint.as_deref(),
            Some("https://e.com/respond/")
        );
        assert!(!c.comments_trust_returning);
        assert_eq!(c.comments_max_links, 2);
        // The key is loaded with the site (load_config), never from text.
        assert!(c.comments_key.is_none());
        let c = parse_config(
            "[comments]\nhow = \"Write to [me](mailto:me@e.com) <script>x</script>\"\n",
        )
        .unwrap();
        let how = c.comments_how.unwrap();
        assert!(
            how.contains("<a href=\"mailto:me@e.com\"") && !how.contains("<script"),
            "{how}"
        );
    }

    #[test]
    fn unknown_nested_key_is_found_too() {
        let d = err("[taxonomies.tags]\npath = \"t\"\ntitel = \"T\"\n");
        assert_eq!(d.line, Some(3));
        assert_eq!(d.hint.as_deref(), Some("did you mean `title`?"));
    }

    #[test]
    fn bad_values_point_at_their_line() {
        let d = err("title = \"x\"\ntimezone = \"Mars/Olympus\"\n");
        assert_eq!((d.line, d.col), (Some(2), Some(12)));
        assert!(d.message.contains("Mars/Olympus"));

        let d = err("permalink = \"/:year/:slg/\"\n");
        assert!(d.message.contains("did you mean `:slug`"), "{}", d.message);
        assert_eq!(d.line, Some(1));

        let d = err("[taxonomies.labels]\n");
        assert_eq!(d.line, Some(1));
        assert!(d.message.contains("labels"));
    }

    #[test]
    fn author_is_a_name_or_a_table() {
        let c = parse_config("author = \"Ann\"").unwrap();
        assert_eq!(c.author.name, "Ann");
        let c = parse_config("[author]\nname = \"Ann\"\nurl = \"https://a.example\"").unwrap();
        assert_eq!(c.author.url.as_deref(), Some("https://a.example"));
    }

    #[test]
    fn the_default_permalink_is_its_pattern() {
        assert_eq!(
            Permalink::default(),
            Permalink::parse(Permalink::DEFAULT).unwrap()
        );
    }

    #[test]
    fn permalink_patterns() {
        let p = Permalink::parse("/blog/:year/:slug/").unwrap();
        assert_eq!(
            p.parts,
            vec![
                PermalinkPart::Literal("/blog/".into()),
                PermalinkPart::Year,
                PermalinkPart::Literal("/".into()),
                PermalinkPart::Slug,
                PermalinkPart::Literal("/".into()),
            ]
        );
        assert!(Permalink::parse("/:year/").is_err());
        assert!(Permalink::parse(":slug/").is_err());
        assert!(Permalink::parse("/../:slug/").is_err());
    }

    #[test]
    fn base_urls_are_checked() {
        for bad in [
            "javascript:alert(1)//",
            "https://example.com/?q=<x>#frag",
            "https://example.com/?q=1",
            "https://example.com/#x",
            "https://exa mple.com",
            "https://example.com/\"x",
            "ftp://example.com",
            "https://",
        ] {
            assert!(check_base_url(bad).is_err(), "{bad}");
        }
        assert_eq!(
            check_base_url("https://e.com/blog/").unwrap(),
            "https://e.com/blog"
        );
    }

    #[test]
    fn base_url_loses_its_trailing_slash() {
        let c = parse_config("base_url = \"https://example.com/blog/\"").unwrap();
        assert_eq!(c.base_url, "https://example.com/blog");
        assert_eq!(c.absolute("/a/"), "https://example.com/blog/a/");
        assert_eq!(c.link("/a/"), "/blog/a/");
        assert_eq!(c.base_path(), "/blog");
        let c = parse_config("base_url = \"http://example.com:8080/a/b\"").unwrap();
        assert_eq!(c.base_path(), "/a/b");
        let c = parse_config("base_url = \"https://example.com\"").unwrap();
        assert_eq!(c.base_path(), "");
        assert_eq!(c.link("/a/"), "/a/");
    }
}

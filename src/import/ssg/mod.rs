//! `glossator import jekyll|hugo|zola`: another static generator's site
//! folder in, glossator files out.
//!
//! The three generators differ in where content lives and how URLs are
//! made, not in what a post is, so each has a small reader (`jekyll`,
//! `hugo`, `zola`) that finds the site's settings and documents and works
//! out every document's old URL by that generator's documented rules; the
//! rest is shared here:
//!
//! - front matter becomes TOML with the fields the build understands
//!   (foreign ones included, see the README's table); a field only a theme
//!   knew goes under `extra`, so nothing is lost and nothing fails;
//! - the template syntax in content is converted (Liquid tags, Hugo and
//!   Zola shortcodes, internal link forms), what cannot be is left visible
//!   and reported;
//! - heading ids the old Markdown engine made are kept where ours would
//!   differ, so old `#anchors` still land;
//! - each document keeps its old URL: the permalink pattern is translated,
//!   and a document whose glossator URL would differ gets its `path`;
//!   tag and category pages whose address changed get redirects.

mod anchors;
mod files;
mod hugo;
mod jekyll;
mod liquid;
mod shortcodes;
mod zola;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use jiff::ZonedDateTime;
use jiff::tz::TimeZone;

use super::html::to_markdown;
use super::{FileBody, ImportPlan, PlannedFile, SiteSettings, checked_text, redirects_file};
use crate::config::Config;
use crate::content::front_matter::post_fields::{FOREIGN_FIELDS, IGNORED_FIELDS, OWN_FIELDS};
use crate::content::{Role, SourceFile};
use crate::diagnostic::Diagnostic;
pub(crate) use files::{
    file_date, fm_date, fm_names, fm_str, node_to_toml, read_doc_text, served_path, under, walk,
};

/// The generator an old site was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Generator {
    Jekyll,
    Hugo,
    Zola,
}

impl Generator {
    pub fn name(self) -> &'static str {
        match self {
            Generator::Jekyll => "jekyll",
            Generator::Hugo => "hugo",
            Generator::Zola => "zola",
        }
    }
}

/// One content file of the old site, read.
#[derive(Debug, Clone)]
pub(crate) struct Doc {
    /// Path inside the old site (`_posts/2009-03-03-x.md`).
    pub rel: PathBuf,
    /// A dated post, or a page.
    pub is_post: bool,
    pub draft: bool,
    /// The front matter as TOML values, as written.
    pub fm: toml::Table,
    /// The body as written.
    pub body: String,
    /// The file line the body starts on.
    pub body_line: usize,
    /// An HTML file rather than Markdown.
    pub is_html: bool,
    pub date: Option<ZonedDateTime>,
    /// Where the old site served it.
    pub old_url: String,
    /// Where the new file goes (`content/posts/...`).
    pub out: String,
    /// Files beside it in its bundle folder: (from, to).
    pub assets: Vec<(PathBuf, String)>,
    /// Categories the old site gave it besides its front matter (Jekyll's
    /// folders above `_posts`).
    pub extra_categories: Vec<String>,
}

/// What a generator reader hands over.
pub(crate) struct OldSite {
    pub settings: SiteSettings,
    /// The zone dates without an offset were read in.
    pub timezone: TimeZone,
    pub docs: Vec<Doc>,
    /// Files copied as they are: (from, to).
    pub statics: Vec<(PathBuf, String)>,
    /// Old taxonomy page paths: (old path, taxonomy, term name).
    pub term_pages: Vec<(String, TermKind, String)>,
    /// Old list pages that no longer exist (sections): redirected home.
    pub gone_lists: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TermKind {
    Tag,
    Category,
}

/// Reads the old site at `old_root` and plans the import. `existing` is
/// the site's config when it has content of its own.
pub fn plan(
    generator: Generator,
    old_root: &Path,
    existing: Option<&Config>,
) -> Result<ImportPlan, Box<Diagnostic>> {
    if !old_root.is_dir() {
        return Err(Box::new(
            Diagnostic::error(old_root, "not a folder")
                .with_hint("give the old site's folder, the one holding its config and content"),
        ));
    }
    let mut plan = ImportPlan {
        source: generator.name().into(),
        ..ImportPlan::default()
    };
    let old = match generator {
        Generator::Jekyll => jekyll::read(old_root, &mut plan)?,
        Generator::Hugo => hugo::read(old_root, &mut plan)?,
        Generator::Zola => zola::read(old_root, &mut plan)?,
    };
    plan.settings = old.settings.clone();
    let config = crate::import::check_config(existing, &old.settings);
    Ok(Planner {
        generator,
        root: old_root,
        plan,
        config,
        repeated: std::collections::BTreeMap::new(),
    }
    .run(old))
}

struct Planner<'a> {
    generator: Generator,
    root: &'a Path,
    plan: ImportPlan,
    config: Config,
    /// Notes that would repeat on every post of a site (a theme's
    /// `{:toc}` in each): counted, and reported once.
    repeated: std::collections::BTreeMap<String, (usize, PathBuf)>,
}

/// Notes reported once with a count rather than once a post.
const SUMMARIZED: [&str; 2] = [
    "kramdown's generated table of contents ({:toc}) dropped",
    "kramdown attribute lists ({: .class}) dropped",
];

/// Where an internal link in one document leads, by the forms each
/// generator writes them in.
pub(crate) struct Links {
    /// Old path inside the site (`_posts/2009-03-03-x.md`) → old URL.
    by_path: HashMap<String, String>,
    /// File name without extension (`2009-03-03-x`) → old URL.
    by_stem: HashMap<String, String>,
}

impl Links {
    fn new(docs: &[Doc]) -> Links {
        let mut by_path = HashMap::new();
        let mut by_stem = HashMap::new();
        for d in docs {
            let path = slash(&d.rel);
            by_path.insert(path.clone(), d.old_url.clone());
            if let Some(no_ext) = path.rsplit_once('.').map(|(p, _)| p.to_string()) {
                by_path.entry(no_ext).or_insert_with(|| d.old_url.clone());
            }
            let stem = d
                .rel
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let stem = if stem == "index" || stem == "_index" {
                d.rel
                    .parent()
                    .and_then(Path::file_name)
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or(stem)
            } else {
                stem
            };
            by_stem.entry(stem).or_insert_with(|| d.old_url.clone());
        }
        Links { by_path, by_stem }
    }

    /// The URL of a document named by path (with or without extension,
    /// with or without a leading `/` or a content folder) or by file name.
    pub fn find(&self, target: &str, content_dirs: &[&str]) -> Option<String> {
        let t = target
            .trim()
            .trim_start_matches("./")
            .trim_start_matches('/');
        let (t, fragment) = match t.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (t, None),
        };
        let t = t.trim_end_matches('/');
        let mut candidates = vec![t.to_string()];
        for dir in content_dirs {
            candidates.push(format!("{dir}/{t}"));
        }
        let url = candidates
            .iter()
            .find_map(|c| self.by_path.get(c.as_str()).cloned())
            .or_else(|| {
                candidates.iter().find_map(|c| {
                    self.by_path
                        .get(&format!("{c}/index.md"))
                        .or_else(|| self.by_path.get(&format!("{c}/_index.md")))
                        .cloned()
                })
            })
            .or_else(|| {
                let name = t.rsplit('/').next().unwrap_or(t);
                let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
                self.by_stem.get(stem).cloned()
            })?;
        Some(match fragment {
            Some(f) => format!("{url}#{f}"),
            None => url,
        })
    }
}

pub(crate) fn slash(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

impl Planner<'_> {
    fn report(&mut self, rel: &Path, line: usize, message: impl Into<String>) {
        self.plan
            .report
            .push(Diagnostic::warning(self.root.join(rel), message).at(line.max(1), 1));
    }

    fn run(mut self, mut old: OldSite) -> ImportPlan {
        flatten_main_folder(&mut old.docs);
        let links = Links::new(&old.docs);
        for doc in &old.docs {
            self.write_doc(doc, &links, &old.timezone);
        }
        for (from, to) in &old.statics {
            self.plan.files.push(PlannedFile {
                path: to.clone(),
                body: FileBody::Copy(from.clone()),
            });
        }
        self.plan.count("static files", old.statics.len());
        let mut redirects = self.term_redirects(&old);
        for list in &old.gone_lists {
            if !reserved(list) {
                redirects.push((list.clone(), "/".into()));
            }
        }
        redirects.sort();
        redirects.dedup();
        for (note, (count, first)) in std::mem::take(&mut self.repeated) {
            self.report(
                &first,
                1,
                format!("{note}: in {count} document(s), this one first"),
            );
        }
        if let Some(file) = redirects_file(self.generator.name(), &redirects) {
            self.plan.count("redirects", redirects.len());
            self.plan.files.push(file);
        }
        self.plan
    }

    /// List pages glossator makes itself, where an old site's page of the
    /// same kind (a theme's tag index) stood.
    fn own_list_page(&self, url: &str) -> bool {
        let own = [
            format!("/{}/", self.config.tags.path),
            format!("/{}/", self.config.categories.path),
            "/archive/".into(),
            "/search/".into(),
            "/links/".into(),
            "/quotes/".into(),
            "/notes/".into(),
            "/series/".into(),
            "/404.html".into(),
        ];
        own.iter().any(|o| o == url)
    }

    fn write_doc(&mut self, doc: &Doc, links: &Links, tz: &TimeZone) {
        let what = format!(
            "{} {}",
            if doc.is_post { "post" } else { "page" },
            doc.old_url
        );
        if !doc.is_post && self.own_list_page(&doc.old_url) {
            self.report(
                &doc.rel,
                1,
                format!(
                    "the old site's page at {}: not carried, glossator makes its own page there",
                    doc.old_url
                ),
            );
            return;
        }
        let mut notes = Vec::new();
        let body = match self.generator {
            Generator::Jekyll => liquid::convert(&doc.body, links, &self.plan.settings, &mut notes),
            Generator::Hugo => shortcodes::convert_hugo(&doc.body, links, &mut notes),
            Generator::Zola => shortcodes::convert_zola(&doc.body, links, &mut notes),
        };
        let body = if self.generator == Generator::Jekyll {
            anchors::strip_kramdown_attributes(&body, &mut notes)
        } else {
            body
        };
        let body = if doc.is_html {
            to_markdown(&body).text().to_string()
        } else if self.generator == Generator::Zola {
            body
        } else {
            anchors::keep_gfm_ids(&body)
        };
        for note in notes {
            if SUMMARIZED.contains(&note.as_str()) {
                let entry = self.repeated.entry(note).or_insert((0, doc.rel.clone()));
                entry.0 += 1;
            } else {
                self.report(&doc.rel, doc.body_line, format!("{note} ({what})"));
            }
        }
        let mut fm = self.front_matter(doc, tz);
        if doc.is_post
            && fm.get("kind").is_none()
            && fm.get("link").is_none()
            && doc
                .fm
                .get("layout")
                .and_then(toml::Value::as_str)
                .is_some_and(|l| {
                    matches!(
                        l.to_ascii_lowercase().as_str(),
                        "link" | "linkpost" | "link-post" | "link_post"
                    )
                })
        {
            match first_link_of_first_paragraph(&body) {
                Some(url) => {
                    fm.insert("link".into(), url.into());
                }
                None => self.report(
                    &doc.rel,
                    1,
                    format!("a link post ({what}) without a link: imported as an entry"),
                ),
            }
        }
        // The old URL, unless glossator gives the same one by itself.
        let natural = self.natural_url(doc, &fm, &body);
        if natural.as_deref() != Some(doc.old_url.as_str()) {
            fm.insert("path".into(), doc.old_url.clone().into());
        }
        let origin = self.root.join(&doc.rel);
        let text = checked_text(
            &mut self.plan,
            &self.config,
            &origin,
            &doc.out,
            &mut fm,
            &body,
            1,
            &what,
        );
        self.plan.files.push(PlannedFile {
            path: doc.out.clone(),
            body: FileBody::Text(text),
        });
        for (from, to) in &doc.assets {
            self.plan.files.push(PlannedFile {
                path: to.clone(),
                body: FileBody::Copy(from.clone()),
            });
        }
        let what = match (doc.is_post, doc.draft) {
            (false, _) => "pages",
            (true, false) => "posts",
            (true, true) => "drafts",
        };
        self.plan.count(what, 1);
    }

    /// The URL the build gives the document without a `path`.
    fn natural_url(&self, doc: &Doc, fm: &toml::Table, body: &str) -> Option<String> {
        let mut stub = fm.clone();
        stub.remove("path");
        let text = format!(
            "+++\n{}+++\n\n{}\n",
            toml::to_string(&stub).unwrap_or_default(),
            body
        );
        let file = SourceFile {
            rel: PathBuf::from(&doc.out),
            abs: PathBuf::from(&doc.out),
            role: if doc.is_post { Role::Post } else { Role::Page },
            text: Some(text),
        };
        if doc.is_post {
            crate::content::post::parse_post(&file, &self.config)
                .0
                .map(|p| p.url)
        } else {
            crate::content::post::parse_page(&file, &self.config)
                .0
                .map(|p| p.url)
        }
    }

    /// The front matter as glossator writes it: the fields the build
    /// knows kept, dates in one form, a theme's own fields under `extra`.
    fn front_matter(&mut self, doc: &Doc, tz: &TimeZone) -> toml::Table {
        let mut out = toml::Table::new();
        let mut extra = toml::Table::new();
        if let Some(toml::Value::Table(t)) = doc.fm.get("extra") {
            extra.extend(t.clone());
        }
        for (key, value) in &doc.fm {
            let lower = key.to_ascii_lowercase();
            match lower.as_str() {
                // Set below from what the reader worked out.
                "date" | "path" | "permalink" | "url" | "draft" | "published" | "extra" => {}
                "layout" => {}
                // The old site's template names mean nothing to this theme.
                "template" => {
                    extra.insert("template".into(), value.clone());
                }
                "params" => {
                    if let toml::Value::Table(t) = value {
                        extra.extend(t.clone());
                    }
                }
                "taxonomies" => {
                    if let toml::Value::Table(t) = value {
                        for (name, terms) in t {
                            match name.as_str() {
                                "tags" | "categories" => {
                                    out.insert(name.clone(), terms.clone());
                                }
                                other => {
                                    extra.insert(other.to_string(), terms.clone());
                                    self.report(
                                        &doc.rel,
                                        1,
                                        format!(
                                            "taxonomy `{other}` is not one of glossator's: its terms are kept under `extra.{other}` ({})",
                                            doc.old_url
                                        ),
                                    );
                                }
                            }
                        }
                    }
                }
                "updated" | "lastmod" | "last_modified_at" => {
                    let v = normalize_date(value, tz).unwrap_or_else(|| value.clone());
                    out.insert("updated".into(), v);
                }
                "categories" | "category" | "tags" if self.generator == Generator::Jekyll => {
                    // Jekyll splits a string on spaces.
                    let list = match value {
                        toml::Value::String(s) => s
                            .split_whitespace()
                            .map(|w| toml::Value::String(w.to_string()))
                            .collect(),
                        toml::Value::Array(a) => a.clone(),
                        other => vec![other.clone()],
                    };
                    let name = if lower == "tags" {
                        "tags"
                    } else {
                        "categories"
                    };
                    match out.get_mut(name) {
                        Some(toml::Value::Array(existing)) => existing.extend(list),
                        _ => {
                            out.insert(name.into(), toml::Value::Array(list));
                        }
                    }
                }
                k if OWN_FIELDS.contains(&k) || FOREIGN_FIELDS.contains(&k) => {
                    out.insert(key.clone(), value.clone());
                }
                k if IGNORED_FIELDS.contains(&k) => {}
                _ => {
                    extra.insert(key.clone(), value.clone());
                }
            }
        }
        if !doc.extra_categories.is_empty() {
            let mut list: Vec<toml::Value> = doc
                .extra_categories
                .iter()
                .map(|c| toml::Value::String(c.clone()))
                .collect();
            if let Some(toml::Value::Array(existing)) = out.get("categories") {
                list.extend(existing.clone());
            }
            out.insert("categories".into(), toml::Value::Array(list));
        }
        let mut ordered = toml::Table::new();
        match out
            .remove("title")
            .filter(|t| t.as_str().is_none_or(|s| !s.trim().is_empty()))
        {
            Some(t) => {
                ordered.insert("title".into(), t);
            }
            // An untitled post is a note; an untitled page takes its name.
            None if doc.is_post => {
                if !out.contains_key("kind") && !out.contains_key("link") {
                    out.insert("kind".into(), "note".into());
                }
            }
            None => {
                let stem = doc
                    .rel
                    .file_stem()
                    .map(|s| s.to_string_lossy().replace(['-', '_'], " "))
                    .unwrap_or_default();
                let mut chars = stem.chars();
                let title: String = chars
                    .next()
                    .map(|c| c.to_uppercase().chain(chars).collect())
                    .unwrap_or_default();
                ordered.insert("title".into(), title.into());
            }
        }
        if let Some(d) = &doc.date
            && let Ok(dt) = d
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string()
                .parse::<toml::value::Datetime>()
        {
            ordered.insert("date".into(), toml::Value::Datetime(dt));
        }
        if doc.draft {
            ordered.insert("draft".into(), true.into());
        }
        ordered.extend(out);
        if !extra.is_empty() {
            ordered.insert("extra".into(), toml::Value::Table(extra));
        }
        ordered
    }

    fn term_redirects(&mut self, old: &OldSite) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for (path, kind, name) in &old.term_pages {
            let tax = match kind {
                TermKind::Tag => &self.config.tags,
                TermKind::Category => &self.config.categories,
            };
            let new = format!("/{}/{}/", tax.path, slug::slugify(name));
            if *path != new {
                out.push((path.clone(), new));
            }
        }
        out
    }
}

/// Posts come in with the folders they had (`content/posts/blog/x.md`);
/// the folder most of them share is dropped (`content/posts/x.md`) when
/// that makes no two files one.
fn flatten_main_folder(docs: &mut [Doc]) {
    let folder_of = |out: &str| -> Option<String> {
        let rest = out.strip_prefix("content/posts/")?;
        let (first, inner) = rest.split_once('/')?;
        (!inner.is_empty()).then(|| first.to_string())
    };
    let mut counts: HashMap<String, usize> = HashMap::new();
    let posts = docs.iter().filter(|d| d.is_post).count();
    for d in docs.iter().filter(|d| d.is_post) {
        if let Some(f) = folder_of(&d.out) {
            *counts.entry(f).or_default() += 1;
        }
    }
    let Some((main, n)) = counts
        .into_iter()
        .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
    else {
        return;
    };
    if n * 2 <= posts {
        return;
    }
    let prefix = format!("content/posts/{main}/");
    let flattened = |out: &str| out.replacen(&prefix, "content/posts/", 1);
    let mut taken: std::collections::HashSet<String> = docs
        .iter()
        .filter(|d| !d.out.starts_with(&prefix))
        .map(|d| d.out.clone())
        .collect();
    let clash = docs
        .iter()
        .filter(|d| d.out.starts_with(&prefix))
        .any(|d| !taken.insert(flattened(&d.out)));
    if clash {
        return;
    }
    for d in docs.iter_mut().filter(|d| d.out.starts_with(&prefix)) {
        let old_dir = d
            .out
            .rsplit_once('/')
            .map(|(dir, _)| dir.to_string())
            .unwrap_or_default();
        d.out = flattened(&d.out);
        let new_dir = d
            .out
            .rsplit_once('/')
            .map(|(dir, _)| dir.to_string())
            .unwrap_or_default();
        for (_, to) in &mut d.assets {
            *to = to.replacen(&old_dir, &new_dir, 1);
        }
    }
}

/// Paths glossator makes itself, never redirected over.
fn reserved(path: &str) -> bool {
    let first = path.trim_matches('/').split('/').next().unwrap_or("");
    path == "/"
        || matches!(
            first,
            "links" | "quotes" | "notes" | "archive" | "search" | "series" | "page"
        )
        || first.chars().all(|c| c.is_ascii_digit())
}

/// A front matter value that is a date, as a TOML date-time in `tz`.
fn normalize_date(value: &toml::Value, tz: &TimeZone) -> Option<toml::Value> {
    let text = match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Datetime(d) => d.to_string(),
        _ => return None,
    };
    let z = crate::date::parse_date(&text, tz).ok()?;
    z.strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
        .parse::<toml::value::Datetime>()
        .ok()
        .map(toml::Value::Datetime)
}

/// The first link of the first paragraph (a Jekyll link post's link).
fn first_link_of_first_paragraph(markdown: &str) -> Option<String> {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut in_first = false;
    for event in Parser::new(markdown) {
        match event {
            Event::Start(Tag::Paragraph) => in_first = true,
            Event::End(TagEnd::Paragraph) => return None,
            Event::Start(Tag::Link { dest_url, .. })
                if in_first && dest_url.starts_with("http") =>
            {
                return Some(dest_url.to_string());
            }
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn served_paths() {
        assert_eq!(served_path("about/index.html"), "/about/");
        assert_eq!(served_path("/a//b"), "/a/b/");
        assert_eq!(served_path("/a.html"), "/a.html");
    }

    #[test]
    fn first_links() {
        assert_eq!(
            first_link_of_first_paragraph("See [this](https://a.example/) and [that](https://b.example/).\n\nLater [x](https://c.example/).")
                .as_deref(),
            Some("https://a.example/")
        );
        assert_eq!(
            first_link_of_first_paragraph("No link.\n\n[x](https://c.example/)"),
            None
        );
    }
}

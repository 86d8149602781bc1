//! The fields of a post's (or page's) front matter, glossator's own and
//! the ones Jekyll, Hugo and Zola write, read in one pass over the tree.
//!
//! Foreign fields meet the writer halfway: a post copied from another
//! generator builds as it is, each field becoming what it meant there
//! (`redirect_from` → aliases, `permalink`/`url`/`path` → the post's exact
//! URL, `published: false` → a draft, `lastmod` → updated, ...). The table
//! in the README lists them all. A field nobody knows is still an error
//! with the nearest name, so a typo like `tagz` is caught; every problem
//! of the file is reported, each at its own line.

use super::reader::{At, Reader, to_json};
use super::tree::{Key, Node, Pos, Value};

/// glossator's own post and page fields.
pub const OWN_FIELDS: &[&str] = &[
    "title",
    "date",
    "updated",
    "kind",
    "slug",
    "path",
    "draft",
    "pinned",
    "tags",
    "categories",
    "series",
    "summary",
    "description",
    "image",
    "aliases",
    "link",
    "via",
    "sources",
    "updates",
    "comments",
    "template",
    "author",
    "authors",
    "extra",
];

/// Fields other generators write that mean something here (matched
/// without regard to case, as Hugo does).
pub const FOREIGN_FIELDS: &[&str] = &[
    // Jekyll, and its common plugins (redirect-from, last-modified-at,
    // seo-tag), and what jekyll-import writes for WordPress posts.
    "layout",
    "permalink",
    "published",
    "category",
    "excerpt",
    "excerpt_separator",
    "excerpt_image",
    "redirect_from",
    "redirect_to",
    "last_modified_at",
    "status",
    "password",
    // Hugo.
    "url",
    "lastmod",
    "publishdate",
    "pubdate",
    "expirydate",
    "unpublishdate",
    "images",
    "params",
    "keywords",
    // Zola.
    "taxonomies",
    // Common to many themes of all three.
    "external_url",
    "external-url",
];

/// Fields that only change how another generator laid the page out: read
/// and dropped without a word.
pub const IGNORED_FIELDS: &[&str] = &[
    // Hugo.
    "weight",
    "type",
    "linktitle",
    "iscjklanguage",
    "markup",
    "outputs",
    "sitemap",
    "build",
    "cascade",
    "headless",
    "menu",
    "menus",
    "translationkey",
    "resources",
    "toc",
    // Zola.
    "in_search_index",
    // Jekyll and jekyll-import.
    "lang",
    "hidden",
    "wordpress_id",
    "wordpress_url",
    "meta",
    "parent_id",
];

/// Comment-file fields: here they mean a file in the wrong place.
const COMMENT_ONLY: &[&str] = &["id", "parent"];

/// Layouts that make a link post (when the post gives a link).
const LINK_LAYOUTS: &[&str] = &["link", "linkpost", "link-post", "link_post", "linklog"];

/// A declared source: `[sources.nyt]`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawSource {
    pub id: String,
    pub at: Pos,
    pub publication: Option<String>,
    pub author: Option<String>,
    pub title: Option<String>,
    pub url: Option<At<String>>,
    pub date: Option<At<String>>,
    pub retrieved: Option<At<String>>,
    pub archive: Option<At<String>>,
    /// A snapshot file under `sources/` (`glossator cite` writes it).
    pub snapshot: Option<At<String>>,
}

/// `{ at = ..., note = "..." }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawUpdate {
    pub at: At<String>,
    pub note: String,
}

/// `via = { name = ..., url = ... }` on link posts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawVia {
    pub name: String,
    pub url: Option<String>,
}

/// A post's or page's front matter, as written, each value with its place.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct RawPost {
    pub title: Option<At<String>>,
    pub date: Option<At<String>>,
    pub updated: Option<At<String>>,
    pub kind: Option<At<String>>,
    pub slug: Option<At<String>>,
    /// The post's exact URL (`path`, Jekyll's `permalink`, Hugo's `url`).
    pub path: Option<At<String>>,
    pub draft: Option<bool>,
    pub pinned: Option<bool>,
    pub tags: Option<At<Vec<String>>>,
    pub categories: Option<At<Vec<String>>>,
    pub series: Option<At<String>>,
    pub summary: Option<String>,
    /// Jekyll's `excerpt_separator`: where this post's summary ends.
    pub summary_separator: Option<String>,
    pub description: Option<String>,
    pub image: Option<String>,
    pub aliases: Vec<At<String>>,
    pub link: Option<At<String>>,
    /// A `layout: link` (or `linkpost`) from Jekyll.
    pub link_layout: bool,
    pub via: Option<RawVia>,
    pub sources: Vec<RawSource>,
    pub updates: Vec<RawUpdate>,
    /// `open`, `closed` or `off` (booleans already turned into these).
    pub comments: Option<At<String>>,
    pub template: Option<At<String>>,
    pub author: Option<String>,
    pub extra: Option<serde_json::Value>,
    /// Where a field is that the kind needs, for "needs a title" errors.
    pub kind_at: Option<Pos>,
}

/// Reads a post's front matter tree, reporting every problem.
pub fn read_post(root: &Node, reader: &mut Reader) -> RawPost {
    let mut raw = RawPost::default();
    let entries = match &root.value {
        Value::Table(entries) => entries.as_slice(),
        Value::Null => &[],
        _ => {
            reader.error(
                root.at,
                format!("front matter is {}, not fields", root.value.describe()),
                Some("front matter is fields, one `name: value` a line".into()),
            );
            &[]
        }
    };
    for (key, node) in entries {
        read_field(&mut raw, key, node, reader);
    }
    raw
}

fn all_known() -> impl Iterator<Item = &'static str> {
    OWN_FIELDS
        .iter()
        .chain(FOREIGN_FIELDS)
        .chain(IGNORED_FIELDS)
        .copied()
}

fn read_field(raw: &mut RawPost, key: &Key, node: &Node, r: &mut Reader) {
    let name = key.name.to_ascii_lowercase();
    match name.as_str() {
        "title" => {
            if r.claim("title", key) {
                raw.title = r.text(key, node);
            }
        }
        "date" => {
            if r.claim("date", key) {
                raw.date = r.date(key, node);
            }
        }
        // Hugo's publication date stands in for a missing `date`.
        "publishdate" | "pubdate" => {
            if !r.is_set("date") {
                r.claim("date", key);
                raw.date = r.date(key, node);
            }
        }
        "updated" | "lastmod" | "last_modified_at" => {
            if r.claim("last change", key) {
                raw.updated = r.date(key, node);
            }
        }
        "expirydate" | "unpublishdate" => r.warning(
            node.at,
            format!(
                "`{}` is ignored: glossator keeps a post until you remove it",
                key.name
            ),
            Some("set `draft = true` to take a post down".into()),
        ),
        // Jekyll's `published: false` is a draft; Hugo's `published` is a date.
        "published" => match &node.value {
            Value::Bool(_) => {
                if r.claim("draft state", key) {
                    raw.draft = r.boolean(key, node).map(|p| !p);
                }
            }
            _ => {
                if !r.is_set("date") {
                    r.claim("date", key);
                    raw.date = r.date(key, node);
                }
            }
        },
        "draft" => {
            if r.claim("draft state", key) {
                raw.draft = r.boolean(key, node);
            }
        }
        // What jekyll-import writes for WordPress posts.
        "status" => {
            if let Some(status) = r.text(key, node) {
                match status.value.to_ascii_lowercase().as_str() {
                    "publish" | "published" | "future" | "inherit" => {}
                    "draft" | "pending" | "auto-draft" => {
                        if r.claim("draft state", key) {
                            raw.draft = Some(true);
                        }
                    }
                    other => {
                        if r.claim("draft state", key) {
                            raw.draft = Some(true);
                        }
                        r.warning(
                            status.at,
                            format!("status `{other}` on the old site: kept as a draft"),
                            Some("remove `status` (or set `draft = false`) to publish it".into()),
                        );
                    }
                }
            }
        }
        "password" => {
            if r.text(key, node)
                .is_some_and(|p| !p.value.trim().is_empty())
            {
                raw.draft = Some(true);
                r.warning(
                    node.at,
                    "the post was password-protected on the old site: kept as a draft",
                    Some(
                        "a static site cannot ask for a password; remove `password` to publish it"
                            .into(),
                    ),
                );
            }
        }
        "pinned" => raw.pinned = r.boolean(key, node),
        "kind" => raw.kind = r.text(key, node),
        "slug" => raw.slug = r.text(key, node),
        "path" | "permalink" | "url" => {
            if r.claim("exact URL", key) {
                raw.path = r.text(key, node).filter(|p| !p.value.trim().is_empty());
            }
        }
        "tags" => {
            if let Some(tags) = r.names(key, node) {
                append(&mut raw.tags, tags);
            }
        }
        "categories" | "category" => {
            if let Some(c) = r.names(key, node) {
                append(&mut raw.categories, c);
            }
        }
        // Zola: `[taxonomies] tags = [...]`.
        "taxonomies" => {
            for (k, v) in r.table(key, node).unwrap_or_default() {
                match k.name.as_str() {
                    "tags" => {
                        if let Some(tags) = r.names(k, v) {
                            append(&mut raw.tags, tags);
                        }
                    }
                    "categories" | "category" => {
                        if let Some(c) = r.names(k, v) {
                            append(&mut raw.categories, c);
                        }
                    }
                    other => r.warning(
                        k.at,
                        format!("taxonomy `{other}` is not one of glossator's: its terms are left out"),
                        Some("glossator has `tags` and `categories`; move the terms into one of them".into()),
                    ),
                }
            }
        }
        "series" => match &node.value {
            Value::List(items) => {
                let names = r.names(key, node).map(|n| n.value).unwrap_or_default();
                if names.len() > 1 {
                    r.warning(
                        node.at,
                        format!(
                            "{} series given: the post joins the first, `{}`",
                            names.len(),
                            names[0]
                        ),
                        Some("a post is part of one series".into()),
                    );
                }
                let at = items.first().map_or(node.at, |i| i.at);
                raw.series = names.into_iter().next().map(|s| At::new(s, at));
            }
            _ => raw.series = r.text(key, node),
        },
        "summary" | "excerpt" => {
            if r.claim("summary", key) {
                raw.summary = r.text(key, node).map(|t| t.value);
            }
        }
        "excerpt_separator" => {
            raw.summary_separator = r.text(key, node).map(|t| t.value).filter(|s| !s.is_empty());
        }
        "description" => raw.description = r.text(key, node).map(|t| t.value),
        "image" | "excerpt_image" | "images" => {
            if let Some(image) = image(key, node, r)
                && r.claim("image", key)
            {
                raw.image = Some(image);
            }
        }
        "aliases" | "redirect_from" => {
            if let Some(names) = r.names(key, node) {
                raw.aliases
                    .extend(names.value.into_iter().map(|a| At::new(a, names.at)));
            }
        }
        "redirect_to" => r.warning(
            node.at,
            "`redirect_to` is ignored: this file is built as a post of its own",
            Some("to send an old URL to another page, list it in that page's `aliases`".into()),
        ),
        "link" | "external_url" | "external-url" => {
            if r.claim("link", key) {
                raw.link = r.url(key, node);
            }
        }
        "layout" => {
            if let Some(layout) = r.text(key, node) {
                raw.link_layout =
                    LINK_LAYOUTS.contains(&layout.value.to_ascii_lowercase().as_str());
            }
        }
        "via" => raw.via = via(key, node, r),
        "sources" => {
            for (id, table) in r.table(key, node).unwrap_or_default() {
                if let Some(source) = source(id, table, r) {
                    raw.sources.push(source);
                }
            }
        }
        "updates" => raw.updates = updates(key, node, r),
        "comments" => {
            raw.comments = match &node.value {
                Value::Bool(b) => Some(At::new(if *b { "open" } else { "off" }.into(), node.at)),
                _ => r.text(key, node),
            }
        }
        "template" => raw.template = r.text(key, node),
        "author" => {
            if r.claim("author", key) {
                raw.author = author(key, node, r);
            }
        }
        "authors" => {
            let names = match &node.value {
                Value::List(items) => items.iter().filter_map(|i| author(key, i, r)).collect(),
                _ => author(key, node, r).into_iter().collect(),
            };
            if r.claim("author", key) {
                raw.author = join_names(names);
            }
        }
        "extra" | "params" => {
            let value = to_json(node);
            match (&mut raw.extra, value) {
                (Some(serde_json::Value::Object(old)), serde_json::Value::Object(new)) => {
                    old.extend(new);
                }
                (slot, value) => *slot = Some(value),
            }
        }
        "keywords" => {}
        n if IGNORED_FIELDS.contains(&n) => {}
        n if COMMENT_ONLY.contains(&n) => r.error(
            key.at,
            format!("`{}` is not a post field", key.name),
            Some("this field belongs in comment files, under content/comments/<post-slug>/".into()),
        ),
        _ => {
            let known: Vec<&str> = all_known().collect();
            r.unknown(
                key,
                &known,
                "put values for your theme under `extra` (TOML [extra], YAML extra:)",
            );
        }
    }
}

fn append(slot: &mut Option<At<Vec<String>>>, more: At<Vec<String>>) {
    match slot {
        Some(list) => list.value.extend(more.value),
        None => *slot = Some(more),
    }
}

/// "A", "A and B", "A, B and C".
fn join_names(mut names: Vec<String>) -> Option<String> {
    let last = names.pop()?;
    if names.is_empty() {
        return Some(last);
    }
    Some(format!("{} and {last}", names.join(", ")))
}

/// An author: a name, or a table with a name in it (jekyll-import writes
/// `author: { display_name: ..., login: ... }`).
fn author(key: &Key, node: &Node, r: &mut Reader) -> Option<String> {
    match &node.value {
        Value::Table(entries) => ["name", "display_name", "login"].iter().find_map(|want| {
            entries
                .iter()
                .find(|(k, _)| k.name == *want)
                .and_then(|(k, v)| r.text(k, v))
                .map(|t| t.value)
        }),
        _ => r.text(key, node).map(|t| t.value),
    }
    .filter(|a| !a.trim().is_empty())
}

/// An image: a path, the first of a list (Hugo's `images`), or a table
/// holding one (themes write `image: { path: ..., feature: ... }`).
fn image(key: &Key, node: &Node, r: &mut Reader) -> Option<String> {
    match &node.value {
        Value::List(items) => items.iter().find_map(|i| image(key, i, r)),
        Value::Table(entries) => ["path", "url", "src", "feature", "image"]
            .iter()
            .find_map(|want| {
                entries
                    .iter()
                    .find(|(k, _)| k.name == *want)
                    .and_then(|(k, v)| r.url(k, v))
            })
            .map(|t| t.value),
        _ => r.url(key, node).map(|t| t.value),
    }
}

fn via(key: &Key, node: &Node, r: &mut Reader) -> Option<RawVia> {
    match &node.value {
        Value::Table(entries) => {
            let mut name = None;
            let mut url = None;
            for (k, v) in entries {
                match k.name.as_str() {
                    "name" => name = r.text(k, v).map(|t| t.value),
                    "url" => url = r.url(k, v).map(|t| t.value),
                    _ => r.unknown(k, &["name", "url"], "via takes `name` and `url`"),
                }
            }
            match name {
                Some(name) => Some(RawVia { name, url }),
                None => {
                    r.error(
                        node.at,
                        "`via` needs a `name`",
                        Some(
                            "write via = { name = \"Kottke\", url = \"https://kottke.org/\" }"
                                .into(),
                        ),
                    );
                    None
                }
            }
        }
        _ => r.text(key, node).map(|t| RawVia {
            name: t.value,
            url: None,
        }),
    }
}

const SOURCE_FIELDS: &[&str] = &[
    "publication",
    "author",
    "title",
    "url",
    "date",
    "retrieved",
    "archive",
    "snapshot",
];

fn source(id: &Key, node: &Node, r: &mut Reader) -> Option<RawSource> {
    let entries = r.table(id, node)?;
    let mut s = RawSource {
        id: id.name.clone(),
        at: id.at,
        ..RawSource::default()
    };
    for (k, v) in entries {
        match k.name.as_str() {
            "publication" => s.publication = r.text(k, v).map(|t| t.value),
            "author" => s.author = r.text(k, v).map(|t| t.value),
            "title" => s.title = r.text(k, v).map(|t| t.value),
            "url" => s.url = r.url(k, v),
            "date" => s.date = r.date(k, v),
            "retrieved" => s.retrieved = r.date(k, v),
            "archive" => s.archive = r.url(k, v),
            "snapshot" => {
                s.snapshot = r.text(k, v).filter(|t| {
                    match crate::sources::checked_path(&t.value) {
                        Ok(_) => true,
                        Err(e) => {
                            r.error(t.at, e, None);
                            false
                        }
                    }
                })
            }
            _ => r.unknown(
                k,
                SOURCE_FIELDS,
                "a source takes publication, author, title, url, date, retrieved, archive and snapshot",
            ),
        }
    }
    Some(s)
}

fn updates(key: &Key, node: &Node, r: &mut Reader) -> Vec<RawUpdate> {
    let Value::List(items) = &node.value else {
        if node.value != Value::Null {
            r.error(
                node.at,
                format!("`updates` should be a list, not {}", node.value.describe()),
                Some("write updates = [{ at = 2009-03-03T17:05:00-05:00, note = \"...\" }]".into()),
            );
        }
        return Vec::new();
    };
    let mut out = Vec::new();
    for item in items {
        let Some(entries) = r.table(key, item) else {
            continue;
        };
        let mut at = None;
        let mut note = None;
        for (k, v) in entries {
            match k.name.as_str() {
                "at" => at = r.date(k, v),
                "note" => note = r.text(k, v).map(|t| t.value),
                _ => r.unknown(k, &["at", "note"], "an update takes `at` and `note`"),
            }
        }
        match (at, note) {
            (Some(at), Some(note)) => out.push(RawUpdate { at, note }),
            (None, _) => r.error(
                item.at,
                "an update needs `at`, the time it was made",
                Some("write { at = 2009-03-03T17:05:00-05:00, note = \"...\" }".into()),
            ),
            (Some(_), None) => r.error(
                item.at,
                "an update needs a `note`",
                Some("write { at = ..., note = \"what changed\" }".into()),
            ),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::Format;
    use super::super::tree::parse_tree;
    use super::*;

    fn read(format: Format, text: &str) -> (RawPost, Vec<super::super::FrontMatterError>) {
        let tree = parse_tree(format, text, 2).unwrap();
        let mut r = Reader::new("test");
        let raw = read_post(&tree, &mut r);
        (raw, r.problems)
    }

    #[test]
    fn jekyll_fields_become_ours() {
        let (raw, problems) = read(
            Format::Yaml,
            "layout: post\ntitle: Intro to MVC\ndate: 2011-12-07 09:45:47 -0400\npermalink: /archive/2011/12/07/intro-to-mvc.aspx/\nredirect_from:\n  - /old/\n  - releases/2.4.0\npublished: false\nexcerpt: Short.\nlast_modified_at: 2012-01-01\ncomments: false\ncategory: dev\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(raw.title.unwrap().value, "Intro to MVC");
        assert_eq!(
            raw.path.unwrap().value,
            "/archive/2011/12/07/intro-to-mvc.aspx/"
        );
        let aliases: Vec<String> = raw.aliases.into_iter().map(|a| a.value).collect();
        assert_eq!(aliases, ["/old/", "releases/2.4.0"]);
        assert_eq!(raw.draft, Some(true));
        assert_eq!(raw.summary.as_deref(), Some("Short."));
        assert_eq!(raw.updated.unwrap().value, "2012-01-01");
        assert_eq!(raw.comments.unwrap().value, "off");
        assert_eq!(raw.categories.unwrap().value, ["dev"]);
    }

    #[test]
    fn hugo_and_zola_fields_become_ours() {
        let (raw, problems) = read(
            Format::Toml,
            "title = \"T\"\nlastMod = 2020-01-02\npublishDate = 2020-01-01\nurl = \"/2020/01/t/\"\nimages = [\"/a.png\", \"/b.png\"]\nauthors = [\"Ann\", \"Bo\", \"Cy\"]\nseries = [\"Go\"]\nweight = 3\n[params]\ncover = \"x\"\n[taxonomies]\ntags = [\"a\"]\ncategories = [\"b\"]\n",
        );
        assert!(problems.is_empty(), "{problems:?}");
        assert_eq!(raw.date.unwrap().value, "2020-01-01");
        assert_eq!(raw.updated.unwrap().value, "2020-01-02");
        assert_eq!(raw.path.unwrap().value, "/2020/01/t/");
        assert_eq!(raw.image.as_deref(), Some("/a.png"));
        assert_eq!(raw.author.as_deref(), Some("Ann, Bo and Cy"));
        assert_eq!(raw.series.unwrap().value, "Go");
        assert_eq!(raw.extra.unwrap()["cover"], "x");
        assert_eq!(raw.tags.unwrap().value, ["a"]);
        assert_eq!(raw.categories.unwrap().value, ["b"]);
    }

    #[test]
    fn link_layouts_and_typos() {
        let (raw, problems) = read(
            Format::Yaml,
            "layout: link\nlink: https://e.example/\ntagz: [a]\n",
        );
        assert!(raw.link_layout);
        assert_eq!(problems.len(), 1);
        assert_eq!((problems[0].line, problems[0].col), (4, 1));
        assert_eq!(problems[0].hint.as_deref(), Some("did you mean `tags`?"));
    }

    #[test]
    fn unsafe_urls_are_errors_at_their_place() {
        let (raw, problems) = read(
            Format::Toml,
            "link = \"javascript:alert(1)\"\n[sources.a]\nurl = \"data:text/html,x\"\n",
        );
        assert!(raw.link.is_none());
        let at: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.col)).collect();
        assert_eq!(at, [(2, 8), (4, 7)], "{problems:?}");
    }
}

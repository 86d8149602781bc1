//! The WordPress eXtended RSS (WXR) export, read into plain structs.
//!
//! WXR 1.1 and 1.2 are RSS 2.0 with WordPress's namespaces; the namespace
//! URIs are matched without their scheme, since exports use both
//! `http://wordpress.org/export/1.2/` and `https://`. Every item and
//! comment keeps the line it starts on, for the report.

use std::path::Path;

use crate::diagnostic::Diagnostic;
use crate::import::xml::Element;

const WP: &str = "wordpress.org/export/1.";
const CONTENT: &str = "purl.org/rss/1.0/modules/content";
const DC: &str = "purl.org/dc/elements/1.1";

#[derive(Debug, Clone, Default)]
pub struct Export {
    pub title: String,
    pub link: String,
    pub description: String,
    pub language: String,
    pub base_blog_url: String,
    pub authors: Vec<Author>,
    pub categories: Vec<Term>,
    pub tags: Vec<Term>,
    pub items: Vec<Item>,
}

#[derive(Debug, Clone, Default)]
pub struct Author {
    pub id: String,
    pub login: String,
    pub display_name: String,
}

/// A category or tag.
#[derive(Debug, Clone, Default)]
pub struct Term {
    pub slug: String,
    /// The parent category's slug.
    pub parent: String,
}

#[derive(Debug, Clone, Default)]
pub struct Item {
    pub line: usize,
    pub title: String,
    pub link: String,
    /// The RSS date (RFC 2822), which every export has.
    pub pub_date: String,
    pub creator: String,
    pub guid: String,
    pub content: String,
    pub excerpt: String,
    pub id: String,
    /// Local time as WordPress shows it: `2009-03-03 14:10:00`.
    pub date: String,
    /// The same in UTC, or `0000-00-00 00:00:00` for unpublished posts.
    pub date_gmt: String,
    pub comment_status: String,
    /// The slug, percent-encoded when it is not ASCII.
    pub name: String,
    pub status: String,
    pub parent: String,
    pub menu_order: i64,
    pub post_type: String,
    pub password: String,
    pub sticky: bool,
    pub attachment_url: String,
    /// (domain, nicename, name): `category`, `post_tag`, `post_format`.
    pub terms: Vec<(String, String, String)>,
    pub meta: Vec<(String, String)>,
    pub comments: Vec<Comment>,
}

impl Item {
    pub fn meta(&self, key: &str) -> impl Iterator<Item = &str> {
        self.meta
            .iter()
            .filter(move |(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    }

    pub fn terms(&self, domain: &str) -> impl Iterator<Item = &(String, String, String)> {
        self.terms.iter().filter(move |(d, _, _)| d == domain)
    }
}

#[derive(Debug, Clone, Default)]
pub struct Comment {
    pub line: usize,
    pub id: String,
    pub author: String,
    pub author_url: String,
    pub date: String,
    pub date_gmt: String,
    pub content: String,
    /// `1`, `0` (pending), `spam`, `trash`.
    pub approved: String,
    /// ``, `comment`, `pingback`, `trackback`, ...
    pub kind: String,
    pub parent: String,
    pub user_id: String,
}

/// Reads the export's root element (`<rss>`).
pub fn read_export(root: &Element, path: &Path) -> Result<Export, Box<Diagnostic>> {
    let not_wxr = |line: usize, why: &str| {
        Box::new(
            Diagnostic::error(path, format!("not a WordPress export: {why}"))
                .at(line, 1)
                .with_hint(
                    "export with Tools → Export → All content in WordPress's dashboard; the file is WXR (XML)",
                ),
        )
    };
    if root.name != "rss" {
        return Err(not_wxr(
            root.line,
            &format!("the file starts with <{}>, not <rss>", root.name),
        ));
    }
    let Some(channel) = root.child("", "channel") else {
        return Err(not_wxr(root.line, "it has no <channel>"));
    };
    let uses_wp = channel.children.iter().any(|c| c.ns.starts_with(WP))
        || channel
            .children_named("", "item")
            .any(|i| i.children.iter().any(|c| c.ns.starts_with(WP)));
    if !uses_wp {
        return Err(not_wxr(
            channel.line,
            "it has no wp: fields (a plain RSS feed?)",
        ));
    }
    let text = |el: &Element, ns: &str, name: &str| el.text_of(ns, name).to_string();
    let mut export = Export {
        title: text(channel, "", "title"),
        link: text(channel, "", "link"),
        description: text(channel, "", "description"),
        language: text(channel, "", "language"),
        base_blog_url: text(channel, WP, "base_blog_url"),
        ..Export::default()
    };
    for a in channel.children_named(WP, "author") {
        export.authors.push(Author {
            id: text(a, WP, "author_id"),
            login: text(a, WP, "author_login"),
            display_name: text(a, WP, "author_display_name"),
        });
    }
    for c in channel.children_named(WP, "category") {
        export.categories.push(Term {
            slug: text(c, WP, "category_nicename"),
            parent: text(c, WP, "category_parent"),
        });
    }
    for t in channel.children_named(WP, "tag") {
        export.tags.push(Term {
            slug: text(t, WP, "tag_slug"),
            parent: String::new(),
        });
    }
    for i in channel.children_named("", "item") {
        let mut item = Item {
            line: i.line,
            title: text(i, "", "title"),
            link: text(i, "", "link"),
            pub_date: text(i, "", "pubDate"),
            creator: text(i, DC, "creator"),
            guid: text(i, "", "guid"),
            content: i
                .child(CONTENT, "encoded")
                .map(|c| c.text.clone())
                .unwrap_or_default(),
            excerpt: i
                .children
                .iter()
                .find(|c| c.name == "encoded" && c.ns.contains("excerpt"))
                .map(|c| c.text.trim().to_string())
                .unwrap_or_default(),
            id: text(i, WP, "post_id"),
            date: text(i, WP, "post_date"),
            date_gmt: text(i, WP, "post_date_gmt"),
            comment_status: text(i, WP, "comment_status"),
            name: text(i, WP, "post_name"),
            status: text(i, WP, "status"),
            parent: text(i, WP, "post_parent"),
            menu_order: text(i, WP, "menu_order").parse().unwrap_or(0),
            post_type: text(i, WP, "post_type"),
            password: text(i, WP, "post_password"),
            sticky: text(i, WP, "is_sticky") == "1",
            attachment_url: text(i, WP, "attachment_url"),
            ..Item::default()
        };
        for c in i.children_named("", "category") {
            item.terms.push((
                c.attr("domain").unwrap_or("").to_string(),
                c.attr("nicename").unwrap_or("").to_string(),
                c.text.trim().to_string(),
            ));
        }
        for m in i.children_named(WP, "postmeta") {
            item.meta.push((
                text(m, WP, "meta_key"),
                m.text_of(WP, "meta_value").to_string(),
            ));
        }
        for c in i.children_named(WP, "comment") {
            item.comments.push(Comment {
                line: c.line,
                id: text(c, WP, "comment_id"),
                author: text(c, WP, "comment_author"),
                author_url: text(c, WP, "comment_author_url"),
                date: text(c, WP, "comment_date"),
                date_gmt: text(c, WP, "comment_date_gmt"),
                content: c
                    .child(WP, "comment_content")
                    .map(|x| x.text.clone())
                    .unwrap_or_default(),
                approved: text(c, WP, "comment_approved"),
                kind: text(c, WP, "comment_type"),
                parent: text(c, WP, "comment_parent"),
                user_id: text(c, WP, "comment_user_id"),
            });
        }
        export.items.push(item);
    }
    Ok(export)
}

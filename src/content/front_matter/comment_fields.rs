//! The fields of a comment file's front matter.
//!
//! A comment takes few fields, and a post field in one most likely means a
//! post saved in the wrong folder, so the hint says so. Every problem of
//! the file is reported, each at its own line.

use super::post_fields::OWN_FIELDS as POST_FIELDS;
use super::reader::{At, Reader};
use super::tree::{Node, Value};

pub const COMMENT_FIELDS: &[&str] = &[
    "id", "author", "url", "date", "parent", "type", "role", "mention", "source",
];

/// What a comment file says, as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RawComment {
    pub id: Option<At<String>>,
    pub author: Option<String>,
    /// The author's site, as written (checked when resolved).
    pub url: Option<At<String>>,
    pub date: Option<At<String>>,
    pub parent: Option<String>,
    /// `comment`, `pingback`, `trackback` or `webmention`.
    pub kind: Option<At<String>>,
    /// `author` for the site author's own replies.
    pub role: Option<At<String>>,
    /// Webmentions: `reply`, `like`, `repost`, `bookmark` or `mention`.
    pub mention: Option<At<String>>,
    /// Webmentions: the page that mentioned the post.
    pub source: Option<At<String>>,
}

pub fn read_comment(root: &Node, r: &mut Reader) -> RawComment {
    let mut raw = RawComment::default();
    let entries = match &root.value {
        Value::Table(entries) => entries.as_slice(),
        Value::Null => &[],
        _ => {
            r.error(
                root.at,
                format!("front matter is {}, not fields", root.value.describe()),
                Some("front matter is fields, one `name: value` a line".into()),
            );
            &[]
        }
    };
    for (key, node) in entries {
        match key.name.as_str() {
            "id" => raw.id = r.text(key, node),
            "author" => raw.author = r.text(key, node).map(|t| t.value),
            // Checked when the comment is resolved: a bad author URL is
            // left out with a warning rather than failing the build.
            "url" => raw.url = r.text(key, node),
            "date" => raw.date = r.date(key, node),
            "parent" => raw.parent = r.text(key, node).map(|t| t.value),
            "type" => raw.kind = r.text(key, node),
            "role" => raw.role = r.text(key, node),
            "mention" => raw.mention = r.text(key, node),
            "source" => raw.source = r.text(key, node),
            name if POST_FIELDS.contains(&name) => r.error(
                key.at,
                format!("`{name}` is not a comment field"),
                Some(format!(
                    "a comment takes {}; is this a post? posts go in content/posts/",
                    COMMENT_FIELDS.join(", ")
                )),
            ),
            _ => r.unknown(
                key,
                COMMENT_FIELDS,
                &format!("a comment takes {}", COMMENT_FIELDS.join(", ")),
            ),
        }
    }
    raw
}

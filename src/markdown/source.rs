//! A source as the Markdown stage sees it: what an attribution such as
//! `> — [nyt]` is rendered from. Declared in front matter and resolved by
//! the content model, which hands the Markdown stage these values.

use jiff::ZonedDateTime;

/// A post's declared sources by id, in id order. A sorted `Vec`
/// ([`litemap`]), not a `BTreeMap`: most posts declare one or two sources,
/// and a `BTreeMap` allocates a node of eleven slots for the first, about
/// 3.5 KB per post (34 MB at 10,000 posts).
pub type Sources = litemap::LiteMap<String, Source>;

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
    /// Its snapshot under `sources/`, and where the post names it (line,
    /// column).
    pub snapshot: Option<(std::path::PathBuf, (usize, usize))>,
}

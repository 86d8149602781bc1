//! A source as the Markdown stage sees it: what an attribution such as
//! `> — [nyt]` is rendered from. Declared in front matter and resolved by
//! the content model, which hands the Markdown stage these values.

use jiff::ZonedDateTime;

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

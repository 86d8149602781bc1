//! Quotes you can trust: snapshots of quoted pages, and proof that each
//! quote is in its snapshot.
//!
//! - [`fetch`] reads a page over HTTP (the only network access: `cite`,
//!   `check --refresh` and `new --fetch`; the build never fetches);
//! - [`extract`] finds the article and the page's metadata;
//! - [`snapshot`] is the file kept under `sources/`;
//! - [`matching`] compares a quote with a text as an editor would;
//! - [`verify`] runs that comparison for every cited quote (`check`), and
//!   [`refresh`] compares each snapshot with the live page;
//! - [`front_matter`] adds a `[sources.ID]` table to a post, touching no
//!   other byte of it.

pub mod extract;
pub mod fetch;
pub mod front_matter;
pub mod matching;
pub mod refresh;
pub mod snapshot;
pub mod verify;

use std::path::PathBuf;

use snapshot::{Meta, Snapshot};

/// A page read and made into a snapshot, not yet written.
#[derive(Debug, Clone)]
pub struct Taken {
    pub snapshot: Snapshot,
    /// Where it goes, relative to the site root.
    pub path: PathBuf,
}

/// Fetches `url` and makes its snapshot, stamped `now`. Refuses what is
/// not an article: an error status, a page that is not HTML, a page with
/// no text.
pub fn take(fetcher: &fetch::Fetcher, url: &str, now: jiff::Timestamp) -> Result<Taken, String> {
    let page = fetcher.get(url).map_err(|e| e.to_string())?;
    if !(200..300).contains(&page.status) {
        return Err(match page.status {
            404 | 410 => format!("{} answers {}: the page is gone", page.url, page.status),
            s => format!("{} answers {s}", page.url),
        });
    }
    let Some(html) = page.html else {
        return Err(format!(
            "{} is not an HTML page (it is `{}`); cite the page that carries the text",
            page.url,
            if page.content_type.is_empty() {
                "of no stated type"
            } else {
                &page.content_type
            }
        ));
    };
    let found = extract::extract(&html, &page.url)?;
    if found.paragraphs.is_empty() {
        return Err(format!("no article text found in {}", page.url));
    }
    let asked = url::Url::parse(url).map_err(|e| e.to_string())?;
    let m = found.meta;
    let final_url = (page.url != asked.as_str()).then(|| page.url.clone());
    let snapshot = Snapshot {
        meta: Meta {
            url: url.to_string(),
            final_url,
            redirects: page.redirects,
            canonical: m.canonical,
            title: m.title,
            author: m.author,
            publication: m.publication,
            published: m.published,
            modified: m.modified,
            retrieved: now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        },
        paragraphs: found.paragraphs,
    };
    Ok(Taken {
        path: snapshot::path_for(&asked, &now),
        snapshot,
    })
}

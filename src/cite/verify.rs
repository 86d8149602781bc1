//! `glossator check`'s quote verification: every cited quote whose source
//! has a snapshot must be in that snapshot.
//!
//! Snapshots are read once each (many posts may quote one), in parallel,
//! and folded once; each quote is then a few substring searches. A quote
//! that is not found is an error at its first line, with the closest
//! passage and the words that differ; the file is read again only then, for
//! the position. Quotes of sources without a snapshot get a note.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::matching::{appears_in, closest_passage};
use super::snapshot::Snapshot;
use crate::diagnostic::{Diagnostic, LineIndex};
use crate::site::Site;

/// A snapshot read for checking: its paragraphs and folded text, or why
/// it could not be read.
type Loaded = Result<Arc<(Snapshot, String)>, Diagnostic>;

/// Reads a snapshot file under `root`; the error names the file, line and
/// column.
#[allow(clippy::result_large_err)] // one per snapshot file, not per quote
pub fn load(root: &Path, rel: &Path) -> Result<Snapshot, Diagnostic> {
    let text = std::fs::read_to_string(root.join(rel)).map_err(|e| {
        Diagnostic::error(rel, format!("cannot read the snapshot: {e}")).with_hint(
            "run `glossator cite URL --post FILE` again to take a new snapshot, or remove the `snapshot` line",
        )
    })?;
    Snapshot::parse(&text).map_err(|(message, line, col)| {
        Diagnostic::error(rel, format!("a damaged snapshot: {message}"))
            .at(line, col)
            .with_hint(
                "snapshots are written by `glossator cite`; take a new one rather than editing it",
            )
    })
}

/// Checks every cited quote of the site against its source's snapshot.
pub fn verify_quotes(site: &Site, root: &Path) -> Vec<Diagnostic> {
    let wanted: Vec<&PathBuf> = {
        let mut seen = std::collections::HashSet::new();
        site.posts
            .iter()
            .flat_map(|p| p.sources.values())
            .filter_map(|s| s.snapshot.as_ref().map(|(path, _)| path))
            .filter(|p| seen.insert(*p))
            .collect()
    };
    let loaded: HashMap<&PathBuf, Loaded> = wanted
        .par_iter()
        .map(|rel| {
            let result = load(root, rel).map(|s| {
                let folded = s.folded();
                Arc::new((s, folded))
            });
            (*rel, result)
        })
        .collect();
    let mut out: Vec<Diagnostic> = site
        .posts
        .par_iter()
        .flat_map_iter(|post| {
            let mut found = Vec::new();
            let mut unsnapshotted = std::collections::BTreeSet::new();
            let mut reported_bad = std::collections::HashSet::new();
            for quote in &post.body.commentary.quotes {
                let Some(source) = quote.source.as_ref().and_then(|id| post.sources.get(id)) else {
                    continue;
                };
                let Some((rel, at)) = &source.snapshot else {
                    unsnapshotted.insert(source.id.clone());
                    continue;
                };
                let snapshot = match &loaded[rel] {
                    Ok(s) => s,
                    Err(_) => {
                        if reported_bad.insert(rel) {
                            found.push(
                                Diagnostic::error(
                                    &post.source,
                                    format!("the snapshot of `[{}]` cannot be read", source.id),
                                )
                                .at(at.0, at.1),
                            );
                        }
                        continue;
                    }
                };
                if appears_in(&quote.text, &snapshot.1) {
                    continue;
                }
                let (line, col) =
                    body_position(&root.join(&post.source), post.body_line, quote.start);
                let mut message = format!(
                    "this quote is not in the snapshot of `[{}]` ({})",
                    source.id,
                    rel.display()
                );
                let mut hint = String::from(
                    "quote the source's words exactly; mark omissions with … and your own words with [brackets]",
                );
                if let Some(c) = closest_passage(&quote.text, &snapshot.0.paragraphs) {
                    message.push_str(&format!(
                        "\n  closest passage (paragraph {}): “{}”",
                        c.paragraph,
                        shorten(&c.passage, 240)
                    ));
                    if !c.quote_only.is_empty() || !c.source_only.is_empty() {
                        message.push_str(&format!(
                            "\n  the quote has: {}\n  the source has: {}",
                            words(&c.quote_only),
                            words(&c.source_only)
                        ));
                    }
                    if c.ratio < 0.5 {
                        hint = "nothing in the snapshot is close: is this the right source, or did the page change before the snapshot was taken?".into();
                    }
                }
                found.push(
                    Diagnostic::error(&post.source, message)
                        .at(line, col)
                        .with_hint(hint)
                        .with_code("misquote"),
                );
            }
            for id in unsnapshotted {
                found.push(
                    Diagnostic::note(
                        &post.source,
                        format!("quotes from `[{id}]` are not verified: it has no snapshot"),
                    )
                    .with_hint(format!(
                        "`glossator cite URL --id {id} --post {}` keeps one",
                        post.source.display()
                    ))
                    .with_code("no-snapshot"),
                );
            }
            found
        })
        .collect();
    // A bad snapshot file is reported once, whatever quotes it.
    out.extend(loaded.into_values().filter_map(Result::err));
    out
}

/// The line and column of a byte offset in a post's body, read again from
/// the file (only for a quote that failed) with the build's own reader, so
/// offsets match what the parser saw.
pub(crate) fn body_position(file: &Path, body_line: usize, offset: usize) -> (usize, usize) {
    let Some(text) = std::fs::read(file)
        .ok()
        .and_then(|b| crate::files::decode_text(b).ok())
    else {
        return (body_line, 1);
    };
    let body_start: usize = text
        .split_inclusive('\n')
        .take(body_line.saturating_sub(1))
        .map(str::len)
        .sum();
    let body = &text[body_start.min(text.len())..];
    let (line, col) = LineIndex::new(body).line_col(offset);
    (line + body_line - 1, col)
}

fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let cut: String = text.chars().take(max).collect();
    format!("{}…", cut.trim_end())
}

fn words(list: &[String]) -> String {
    if list.is_empty() {
        "(nothing more)".into()
    } else {
        list.iter()
            .map(|w| format!("“{w}”"))
            .collect::<Vec<_>>()
            .join(", ")
    }
}

//! `glossator check --refresh`: each snapshotted source read again and
//! compared with its snapshot.
//!
//! Reported as warnings on the post that cites it: a page that is gone
//! (404, 410) or moved (redirected elsewhere than before), paragraphs
//! added, removed or edited (a short diff), and quotes that the live page
//! no longer has. With `--update`, a changed page's new snapshot is written
//! beside the old one (never over it), and the writer is shown the source
//! entry to quote the new version under its own `retrieved` time.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use similar::{DiffTag, TextDiff};

use super::fetch::Fetcher;
use super::front_matter::Entry;
use super::matching::{appears_in, fold};
use super::snapshot::{ChangeMark, change_mark_path};
use super::verify::load;
use crate::diagnostic::Diagnostic;
use crate::output::atomic::{Place, Sync, write_atomic};
use crate::site::Site;

/// Lines of diff shown per changed source.
const DIFF_LINES: usize = 8;

/// One snapshot and who cites it: (post index, source id).
type Citers = Vec<(usize, String)>;

/// Reads every snapshotted source again; writes new snapshots only when
/// `update` is set.
pub fn refresh(
    site: &Site,
    root: &Path,
    fetcher: &Fetcher,
    update: bool,
    now: jiff::Timestamp,
) -> Vec<Diagnostic> {
    let mut by_snapshot: BTreeMap<PathBuf, Citers> = BTreeMap::new();
    for (i, post) in site.posts.iter().enumerate() {
        for s in post.sources.values() {
            if let Some((rel, _)) = &s.snapshot {
                by_snapshot
                    .entry(rel.clone())
                    .or_default()
                    .push((i, s.id.clone()));
            }
        }
    }
    // Each source is its own page: read them side by side.
    by_snapshot
        .into_par_iter()
        .flat_map_iter(|(rel, citers)| refresh_one(site, root, fetcher, update, now, &rel, &citers))
        .collect()
}

/// One snapshot read again and compared; what to tell the writer.
fn refresh_one(
    site: &Site,
    root: &Path,
    fetcher: &Fetcher,
    update: bool,
    now: jiff::Timestamp,
    rel: &Path,
    citers: &Citers,
) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let old = match load(root, rel) {
        Ok(s) => s,
        Err(d) => {
            out.push(d);
            return out;
        }
    };
    let (first_post, first_id) = &citers[0];
    let post = &site.posts[*first_post];
    let at = post.sources[first_id]
        .snapshot
        .as_ref()
        .map_or((1, 1), |(_, at)| *at);
    let here = |message: String| Diagnostic::warning(&post.source, message).at(at.0, at.1);
    let url = old.meta.url.clone();
    let page = match fetcher.get(&url) {
        Ok(p) => p,
        Err(e) => {
            out.push(here(format!("`[{first_id}]` could not be read again: {e}")));
            return out;
        }
    };
    if matches!(page.status, 404 | 410) {
        out.push(
            here(format!(
                "`[{first_id}]` is gone: {url} answers {}",
                page.status
            ))
            .with_hint("the snapshot keeps what you quoted; add an `archive` link if a copy exists elsewhere")
            .with_code("source-gone"),
        );
        mark(
            root,
            rel,
            now,
            "gone",
            vec![format!("{url} answers {}", page.status)],
            &mut out,
        );
        return out;
    }
    let before = old.meta.final_url.as_deref().unwrap_or(&old.meta.url);
    if page.url != before {
        out.push(
            here(format!(
                "`[{first_id}]` has moved: {url} now leads to {}",
                page.url
            ))
            .with_hint("update the source's `url` if the new address is the same story")
            .with_code("source-moved"),
        );
    }
    let Some(html) = page.html.filter(|_| (200..300).contains(&page.status)) else {
        out.push(here(format!(
            "`[{first_id}]` answers {} ({}); nothing to compare",
            page.status, page.content_type
        )));
        return out;
    };
    let live = match super::extract::extract(&html, &page.url) {
        Ok(e) => e,
        Err(e) => {
            out.push(here(format!("`[{first_id}]`: {e}")));
            return out;
        }
    };
    let diff = paragraph_diff(&old.paragraphs, &live.paragraphs);
    if diff.is_empty() {
        if page.url != before {
            let details = vec![format!("now at {}", page.url)];
            mark(root, rel, now, "moved", details, &mut out);
        } else {
            unmark(root, rel, &mut out);
        }
        return out;
    }
    mark(root, rel, now, "changed", diff.clone(), &mut out);
    let mut message = format!(
        "`[{first_id}]` has changed since its snapshot of {}:",
        old.meta.retrieved
    );
    for line in diff.iter().take(DIFF_LINES) {
        message.push_str("\n    ");
        message.push_str(line);
    }
    if diff.len() > DIFF_LINES {
        message.push_str(&format!("\n    … and {} more", diff.len() - DIFF_LINES));
    }
    let mut hint =
        "`glossator check --refresh --update` keeps the new version beside the old, to quote both"
            .to_string();
    if update {
        let new_rel = super::snapshot::free_path(
            root,
            &rel.with_file_name(format!("{}.txt", now.strftime("%Y-%m-%dT%H%M%SZ"))),
        );
        let mut snapshot = old.clone();
        snapshot.meta.retrieved = now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();
        snapshot.meta.final_url = (page.url != url).then(|| page.url.clone());
        snapshot.meta.redirects = page.redirects.clone();
        let m = live.meta.clone();
        snapshot.meta.title = m.title.or(snapshot.meta.title);
        snapshot.meta.author = m.author.or(snapshot.meta.author);
        snapshot.meta.modified = m.modified.or(snapshot.meta.modified);
        snapshot.paragraphs = live.paragraphs.clone();
        match write_atomic(
            &root.join(&new_rel),
            snapshot.to_text().as_bytes(),
            Place::New,
            Sync::Durable,
        ) {
            Ok(()) => {
                let entry = Entry::for_snapshot(
                    &format!("{first_id}-later"),
                    &snapshot,
                    &new_rel.to_string_lossy(),
                );
                hint = format!(
                    "the new version is kept in {}; to quote it, add:\n{}",
                    new_rel.display(),
                    entry.toml().trim_end()
                );
            }
            Err(e) => hint = format!("the new snapshot could not be written: {e:#}"),
        }
    }
    out.push(here(message).with_hint(hint).with_code("source-changed"));
    let live_text = fold(&live.paragraphs.join("\n"));
    for (post_index, id) in citers {
        let post = &site.posts[*post_index];
        for quote in &post.body.commentary.quotes {
            if quote.source.as_deref() != Some(id.as_str()) || appears_in(&quote.text, &live_text) {
                return out;
            }
            let (line, col) =
                super::verify::body_position(&root.join(&post.source), post.body_line, quote.start);
            out.push(
                Diagnostic::warning(
                    &post.source,
                    format!("this quote of `[{id}]` is no longer in the live page"),
                )
                .at(line, col)
                .with_hint(
                    "it is still in the snapshot you quoted from; say so if the change matters",
                )
                .with_code("quote-gone-live"),
            );
        }
    }
    out
}

/// Records beside the snapshot that its page differs now, for the build
/// to show (`<snapshot>.changed.toml`).
fn mark(
    root: &Path,
    rel: &Path,
    now: jiff::Timestamp,
    what: &str,
    details: Vec<String>,
    out: &mut Vec<Diagnostic>,
) {
    let mark = ChangeMark {
        found: now.strftime("%Y-%m-%dT%H:%M:%SZ").to_string(),
        what: what.to_string(),
        details,
    };
    let path = change_mark_path(rel);
    let text = toml::to_string(&mark).unwrap_or_default();
    if let Err(e) = write_atomic(
        &root.join(&path),
        text.as_bytes(),
        Place::Replace,
        Sync::Lazy,
    ) {
        out.push(Diagnostic::warning(
            &path,
            format!("cannot record the change: {e:#}"),
        ));
    }
}

/// The page reads as its snapshot again: no mark.
fn unmark(root: &Path, rel: &Path, out: &mut Vec<Diagnostic>) {
    let path = change_mark_path(rel);
    match std::fs::remove_file(root.join(&path)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => out.push(Diagnostic::warning(&path, format!("cannot remove: {e}"))),
    }
}

/// A short diff of two paragraph lists: `- old`, `+ new`, `~ edited`.
pub fn paragraph_diff(old: &[String], new: &[String]) -> Vec<String> {
    let old_f: Vec<String> = old.iter().map(|p| fold(p)).collect();
    let new_f: Vec<String> = new.iter().map(|p| fold(p)).collect();
    let old_r: Vec<&str> = old_f.iter().map(String::as_str).collect();
    let new_r: Vec<&str> = new_f.iter().map(String::as_str).collect();
    let diff = TextDiff::from_slices(&old_r, &new_r);
    let mut out = Vec::new();
    let short = |p: &str| {
        let t: String = p.chars().take(100).collect();
        if t.len() < p.len() {
            format!("{t}…")
        } else {
            t
        }
    };
    for op in diff.ops() {
        let (tag, o, n) = op.as_tag_tuple();
        match tag {
            DiffTag::Equal => {}
            DiffTag::Delete => out.extend(o.map(|i| format!("- {}", short(&old[i])))),
            DiffTag::Insert => out.extend(n.map(|i| format!("+ {}", short(&new[i])))),
            DiffTag::Replace => {
                let (mut o, mut n) = (o, n);
                loop {
                    match (o.next(), n.next()) {
                        (Some(a), Some(b)) => {
                            out.push(format!("~ paragraph {} edited: {}", a + 1, short(&new[b])))
                        }
                        (Some(a), None) => out.push(format!("- {}", short(&old[a]))),
                        (None, Some(b)) => out.push(format!("+ {}", short(&new[b]))),
                        (None, None) => break,
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::paragraph_diff;

    #[test]
    fn edits_additions_and_removals() {
        let old: Vec<String> = ["One.", "Two.", "Three."].map(String::from).into();
        let new: Vec<String> = ["One.", "Two, revised.", "Three.", "Four."]
            .map(String::from)
            .into();
        let d = paragraph_diff(&old, &new);
        assert_eq!(d, ["~ paragraph 2 edited: Two, revised.", "+ Four."]);
        assert!(paragraph_diff(&old, &old).is_empty());
        // Typography alone is not a change.
        let curly: Vec<String> = ["One.", "Two.", "Three."].map(String::from).into();
        assert!(paragraph_diff(&old, &curly).is_empty());
    }
}

//! Highlighted blocks remembered between builds.
//!
//! Highlighting is by far the costliest step of rendering a post with code
//! (TextMate grammars run dozens of backtracking regexes per line), and a
//! blog's code blocks almost never change once posted. So each block's
//! highlighted markup is remembered by a hash of what decides it (this
//! version of glossator, the class rules, the language as written and the
//! code), in memory for the life of the process (every rebuild of `serve`)
//! and on disk in `.glossator/cache/highlight` at the site root, the way
//! Jekyll keeps `.jekyll-cache/`. The file is only ever a memo: deleting it
//! changes no output, a damaged or foreign one is ignored, and it is
//! replaced atomically (a temporary file renamed over it). Each save keeps
//! only the blocks the build used, so it never grows past the site's code.
//!
//! Format: the cache files' own ([`crate::markdown::cache_file`]) with
//! kind `glossator-highlight 1`; an entry is a block's UTF-8 markup.

use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, RwLock};

use xxhash_rust::xxh3::Xxh3;

const MAGIC: &[u8] = b"glossator-highlight 1\n";

use crate::markdown::cache_file;

/// Where a site keeps the cache, relative to its root.
pub const CACHE_FILE: &str = ".glossator/cache/highlight";

struct Entry {
    html: Arc<str>,
    /// Asked for since the process started or the file was loaded.
    used: AtomicBool,
}

#[derive(Default)]
struct Memo {
    entries: HashMap<u128, Entry>,
    /// Entries added since the last load or save.
    added: usize,
}

static MEMO: LazyLock<RwLock<Memo>> = LazyLock::new(Default::default);

/// The key of a block: everything its highlighted markup depends on.
pub(super) fn key(lang: &str, code: &str, rules: &str) -> u128 {
    let mut h = Xxh3::new();
    h.update(env!("CARGO_PKG_VERSION").as_bytes());
    h.update(b"\0");
    h.update(rules.as_bytes());
    h.update(b"\0");
    h.update(lang.as_bytes());
    h.update(b"\0");
    h.update(code.as_bytes());
    h.digest128()
}

thread_local! {
    /// The keys asked for on this thread while [`recording`] runs.
    static RECORDED: std::cell::RefCell<Option<Vec<u128>>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f` (one body's rendering), returning with its result the key of
/// every block it asked for: the body memo keeps them, so a body taken
/// from it still marks its blocks used ([`mark_used`]).
pub(crate) fn recording<R>(f: impl FnOnce() -> R) -> (R, Vec<u128>) {
    let outer = RECORDED.with(|r| r.borrow_mut().replace(Vec::new()));
    let result = f();
    let keys = RECORDED.with(|r| std::mem::replace(&mut *r.borrow_mut(), outer));
    (result, keys.unwrap_or_default())
}

/// Marks blocks used, as if asked for, so the next save keeps them.
/// Returns whether the cache holds them all (if not, the caller renders
/// the body again, which puts them back).
pub(crate) fn mark_used(keys: &[u128]) -> bool {
    if keys.is_empty() {
        return true;
    }
    let memo = MEMO.read().unwrap_or_else(|e| e.into_inner());
    let mut all = true;
    for key in keys {
        match memo.entries.get(key) {
            Some(entry) => entry.used.store(true, Ordering::Relaxed),
            None => all = false,
        }
    }
    all
}

/// The remembered markup for a key, if any.
pub(super) fn get(key: u128) -> Option<Arc<str>> {
    let memo = MEMO.read().unwrap_or_else(|e| e.into_inner());
    let entry = memo.entries.get(&key)?;
    entry.used.store(true, Ordering::Relaxed);
    record(key);
    Some(entry.html.clone())
}

/// Notes a block found or put while [`recording`] runs (a block no
/// grammar highlights is never remembered, so never noted).
fn record(key: u128) {
    RECORDED.with(|r| {
        if let Some(keys) = r.borrow_mut().as_mut() {
            keys.push(key);
        }
    });
}

/// Remembers a block's markup.
pub(super) fn put(key: u128, html: &str) {
    record(key);
    let mut memo = MEMO.write().unwrap_or_else(|e| e.into_inner());
    let entry = Entry {
        html: html.into(),
        used: AtomicBool::new(true),
    };
    if memo.entries.insert(key, entry).is_none() {
        memo.added += 1;
    }
}

/// Reads the site's cache into memory (entries already there are kept);
/// a missing, damaged or foreign file is quietly ignored. Returns the
/// number of blocks read.
pub fn load(root: &Path) -> usize {
    let Some(bytes) = cache_file::read(root, CACHE_FILE) else {
        return 0;
    };
    let Some(parsed) = parse(&bytes) else {
        return 0;
    };
    let mut memo = MEMO.write().unwrap_or_else(|e| e.into_inner());
    let mut read = 0;
    for (key, html) in parsed {
        memo.entries.entry(key).or_insert_with(|| {
            read += 1;
            Entry {
                html: html.into(),
                used: AtomicBool::new(false),
            }
        });
    }
    read
}

fn parse(bytes: &[u8]) -> Option<Vec<(u128, &str)>> {
    cache_file::entries(bytes, MAGIC)?
        .into_iter()
        .map(|(key, html)| Some((key, std::str::from_utf8(html).ok()?)))
        .collect()
}

/// Writes the blocks used since the load to the site's cache, replacing
/// it, when that changes it (a block was added or one went unused). With
/// no block used, the file is removed. Errors are returned for the caller
/// to report as a warning: the cache never fails a build.
pub fn save(root: &Path) -> std::io::Result<()> {
    let memo = MEMO.read().unwrap_or_else(|e| e.into_inner());
    let mut used: Vec<(u128, &[u8])> = memo
        .entries
        .iter()
        .filter(|(_, e)| e.used.load(Ordering::Relaxed))
        .map(|(k, e)| (*k, e.html.as_bytes()))
        .collect();
    if memo.added == 0 && used.len() == memo.entries.len() {
        return Ok(());
    }
    if used.is_empty() {
        return cache_file::remove(root, CACHE_FILE);
    }
    used.sort_by_key(|(k, _)| *k);
    cache_file::write(root, CACHE_FILE, MAGIC, used)?;
    drop(memo);
    let mut memo = MEMO.write().unwrap_or_else(|e| e.into_inner());
    memo.added = 0;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_damaged_file_is_ignored_and_a_good_one_reads_back() {
        let dir = tempfile::tempdir().unwrap();
        let k = key("rust", "fn cached_block_test() {}", "rules");
        put(k, "<span class=\"hl-keyword\">fn</span>");
        save(dir.path()).unwrap();
        let bytes = std::fs::read(dir.path().join(CACHE_FILE)).unwrap();
        assert!(bytes.starts_with(MAGIC));
        let parsed = parse(&bytes).unwrap();
        assert!(
            parsed
                .iter()
                .any(|(pk, html)| *pk == k && html.contains("hl-keyword"))
        );
        // Cut short or with one byte changed: the whole file is refused.
        assert!(parse(&bytes[..bytes.len() - 3]).is_none());
        let mut flipped = bytes.clone();
        flipped[MAGIC.len() + 20] ^= 1;
        assert!(parse(&flipped).is_none());
        assert!(parse(b"something else\n").is_none());
        std::fs::write(dir.path().join(CACHE_FILE), b"garbage").unwrap();
        assert_eq!(load(dir.path()), 0);
    }

    #[test]
    fn keys_change_with_language_code_and_rules() {
        let base = key("rust", "let x = 1;", "r1");
        assert_ne!(base, key("rs", "let x = 1;", "r1"));
        assert_ne!(base, key("rust", "let x = 2;", "r1"));
        assert_ne!(base, key("rust", "let x = 1;", "r2"));
        assert_eq!(base, key("rust", "let x = 1;", "r1"));
    }
}

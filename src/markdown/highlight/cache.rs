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
//! Format: the line `glossator-highlight 1\n`, then per block a 16-byte key,
//! a little-endian `u32` length and that many bytes of UTF-8 markup, and
//! last the XXH3-128 of everything before it, so a file cut short or
//! scrambled by a crash is refused whole (no `fsync` needed).

use std::collections::HashMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock, RwLock};

use xxhash_rust::xxh3::Xxh3;

const MAGIC: &[u8] = b"glossator-highlight 1\n";

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

/// The remembered markup for a key, if any.
pub(super) fn get(key: u128) -> Option<Arc<str>> {
    let memo = MEMO.read().unwrap_or_else(|e| e.into_inner());
    let entry = memo.entries.get(&key)?;
    entry.used.store(true, Ordering::Relaxed);
    Some(entry.html.clone())
}

/// Remembers a block's markup.
pub(super) fn put(key: u128, html: &str) {
    let mut memo = MEMO.write().unwrap_or_else(|e| e.into_inner());
    let entry = Entry {
        html: html.into(),
        used: AtomicBool::new(true),
    };
    if memo.entries.insert(key, entry).is_none() {
        memo.added += 1;
    }
}

fn file(root: &Path) -> PathBuf {
    root.join(CACHE_FILE)
}

/// Reads the site's cache into memory (entries already there are kept);
/// a missing, damaged or foreign file is quietly ignored. Returns the
/// number of blocks read.
pub fn load(root: &Path) -> usize {
    let Ok(bytes) = std::fs::read(file(root)) else {
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
    let (body, sum) = bytes.split_last_chunk::<16>()?;
    if xxhash_rust::xxh3::xxh3_128(body) != u128::from_le_bytes(*sum) {
        return None;
    }
    let mut rest = body.strip_prefix(MAGIC)?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (key, after) = rest.split_first_chunk::<16>()?;
        let (len, after) = after.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        if after.len() < len {
            return None;
        }
        let (html, after) = after.split_at(len);
        out.push((u128::from_le_bytes(*key), std::str::from_utf8(html).ok()?));
        rest = after;
    }
    Some(out)
}

/// Writes the blocks used since the load to the site's cache, replacing
/// it, when that changes it (a block was added or one went unused). With
/// no block used, the file is removed. Errors are returned for the caller
/// to report as a warning: the cache never fails a build.
pub fn save(root: &Path) -> std::io::Result<()> {
    let path = file(root);
    let memo = MEMO.read().unwrap_or_else(|e| e.into_inner());
    let used: Vec<(&u128, &Entry)> = memo
        .entries
        .iter()
        .filter(|(_, e)| e.used.load(Ordering::Relaxed))
        .collect();
    if memo.added == 0 && used.len() == memo.entries.len() {
        return Ok(());
    }
    if used.is_empty() {
        return match std::fs::remove_file(&path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        };
    }
    let mut sorted = used;
    sorted.sort_by_key(|(k, _)| **k);
    let mut out = Vec::with_capacity(sorted.iter().map(|(_, e)| e.html.len() + 20).sum());
    out.extend_from_slice(MAGIC);
    for (key, entry) in sorted {
        out.extend_from_slice(&key.to_le_bytes());
        let len = u32::try_from(entry.html.len()).map_err(std::io::Error::other)?;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(entry.html.as_bytes());
    }
    drop(memo);
    let sum = xxhash_rust::xxh3::xxh3_128(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    let dir = path.parent().unwrap_or(root);
    if !dir.is_dir() {
        std::fs::create_dir_all(dir)?;
        // As pytest does for its cache: git and backup tools leave it be.
        std::fs::write(
            dir.join(".gitignore"),
            "# glossator's cache: safe to delete, never commit it.\n*\n",
        )?;
        std::fs::write(
            dir.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n# glossator's cache: safe to delete.\n",
        )?;
    }
    // A name of this process's own, so two builds of one site never write
    // the same temporary file; the rename replaces the cache in one step.
    let tmp = dir.join(format!(".highlight.{}.tmp", std::process::id()));
    let written = std::fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(&out))
        .and_then(|()| std::fs::rename(&tmp, &path));
    if let Err(e) = written {
        std::fs::remove_file(&tmp).ok();
        return Err(e);
    }
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

//! Output files and where they go.
//!
//! Every path the build writes is an [`OutputPath`]: relative, `/`
//! separated, and checked so that no slug, alias or file name can step out
//! of the output folder. Rendered files stream into an [`OutputSink`] as
//! they are made: [`MemorySink`] keeps them (for `serve` and tests),
//! [`DiskSink`] writes them for `glossator build` (see `disk` for how a
//! build reaches the disk without ever leaving a broken site, and `target`
//! for which folders it may write).

pub mod atomic;
mod commit;
#[cfg(test)]
mod commit_tests;
mod disk;
#[cfg(test)]
mod disk_tests;
mod fault;
mod manifest;
mod target;

pub use disk::{CommitFailure, Committed, DiskSink, WriteStats};
pub use manifest::{MARKER, Stamp};
pub use target::{BuildLock, check_target};

use std::fs;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Where a static file's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AssetSource {
    /// A file on disk (absolute path).
    File(PathBuf),
    /// Bytes compiled into the binary.
    Embedded(&'static [u8]),
}

/// A path inside the output folder, checked to stay inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OutputPath(String);

/// Maps keyed by output path are looked up by `&str` (hashes agree: the
/// derived `Hash` hashes the one `String` field as a `str`).
impl std::borrow::Borrow<str> for OutputPath {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl OutputPath {
    /// Checks a relative path such as `2009/03/03/x/index.html`.
    pub fn new(path: &str) -> Result<OutputPath, String> {
        check_output_path(path)?;
        Ok(OutputPath(path.to_string()))
    }

    /// The file for a site URL: `/a/b/` → `a/b/index.html`, `/` →
    /// `index.html`, `/feed.xml` → `feed.xml`.
    pub fn for_url(url: &str) -> Result<OutputPath, String> {
        let trimmed = url.trim_start_matches('/');
        if trimmed.is_empty() {
            return OutputPath::new("index.html");
        }
        if url.ends_with('/') {
            // Made in place: this runs for every output of every plan.
            let mut path = String::with_capacity(trimmed.len() + "index.html".len());
            path.push_str(trimmed);
            path.push_str("index.html");
            check_output_path(&path)?;
            Ok(OutputPath(path))
        } else {
            OutputPath::new(trimmed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path under `root`. Safe by construction: no segment escapes.
    pub fn under(&self, root: &Path) -> PathBuf {
        Self::under_str(&self.0, root)
    }

    /// [`OutputPath::under`] for a prefix of an output path (one of its
    /// folders), which is as safe: its segments are the path's.
    pub(in crate::output) fn under_str(path: &str, root: &Path) -> PathBuf {
        let mut p = root.to_path_buf();
        for segment in path.split('/') {
            p.push(segment);
        }
        p
    }
}

/// Why `path` cannot be an output path (see [`OutputPath`]), if it cannot.
fn check_output_path(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty output path".into());
    }
    if path.starts_with('/') || path.contains('\\') || path.contains('\0') {
        return Err(format!(
            "output path `{}` is not a plain relative path",
            path.escape_debug()
        ));
    }
    for segment in path.split('/') {
        if segment.is_empty() || segment == "." || segment == ".." {
            return Err(format!(
                "output path `{}` has an empty, `.` or `..` segment",
                path.escape_debug()
            ));
        }
        if segment.len() >= 2
            && segment.as_bytes()[0].is_ascii_alphabetic()
            && segment.as_bytes()[1] == b':'
        {
            return Err(format!("output path `{path}` looks like a drive path"));
        }
    }
    Ok(())
}

impl std::fmt::Display for OutputPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What goes in an output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Shared, so a cached output can be handed out again without a copy;
    /// `bytes::Bytes` rather than `Arc<[u8]>` because it takes over a
    /// rendered `Vec` without copying it.
    Bytes(bytes::Bytes),
    Copy(AssetSource),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: OutputPath,
    pub body: Body,
}

/// Where rendered files go, as they are made (from many threads).
///
/// A sink may also remember what each file was rendered from (its *key*,
/// the job's fingerprint), so that a later build can find a page
/// unchanged before rendering it: [`OutputSink::last_key`] and
/// [`OutputSink::keep`]. The disk sink does (in its manifest); the others
/// keep every file they are given and remember nothing.
pub trait OutputSink: Sync {
    fn accept(&self, file: OutputFile);

    /// Accepts a file rendered from inputs whose key is `key` (0: none).
    fn accept_keyed(&self, file: OutputFile, key: u128) {
        let _ = key;
        self.accept(file);
    }

    /// Whether the sink records keys (then a build computes them).
    fn records_keys(&self) -> bool {
        false
    }

    /// The key the last build recorded for the file at `path`, if any.
    fn last_key(&self, path: &OutputPath) -> Option<u128> {
        let _ = path;
        None
    }

    /// Keeps the last build's file at `path` as it is, because what it
    /// was rendered from is the same. False when the disk no longer holds
    /// what the last build left there: the file must then be made and
    /// accepted.
    fn keep(&self, path: &OutputPath) -> bool {
        let _ = path;
        false
    }
}

/// Keeps every file in memory.
#[derive(Debug, Default)]
pub struct MemorySink {
    files: Mutex<Vec<OutputFile>>,
}

impl MemorySink {
    /// The files, in the order they were made.
    pub fn into_files(self) -> Vec<OutputFile> {
        self.files.into_inner().unwrap_or_else(|p| p.into_inner())
    }
}

impl OutputSink for MemorySink {
    fn accept(&self, file: OutputFile) {
        match self.files.lock() {
            Ok(mut f) => f.push(file),
            Err(p) => p.into_inner().push(file),
        }
    }
}

/// A file's identity for the manifest: a hash of its bytes, or for a copied
/// file of its source path, size and modification time (so large images
/// are not read to find out they did not change).
pub fn fingerprint(body: &Body) -> u128 {
    match body {
        Body::Bytes(b) => xxhash_rust::xxh3::xxh3_128(b),
        Body::Copy(AssetSource::Embedded(b)) => xxhash_rust::xxh3::xxh3_128(b),
        Body::Copy(AssetSource::File(p)) => {
            let Stamp { size, mtime } = fs::metadata(p).map(|m| Stamp::of(&m)).unwrap_or_default();
            let key = format!("copy\0{}\0{size}\0{mtime}", p.display());
            xxhash_rust::xxh3::xxh3_128(key.as_bytes())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_paths_stay_inside() {
        for bad in [
            "",
            "/etc/passwd",
            "../x",
            "a/../../x",
            "a//b",
            "a/./b",
            "a\\b",
            "a\0b",
            "C:/x",
            "a/..",
        ] {
            assert!(OutputPath::new(bad).is_err(), "{bad:?}");
        }
        assert_eq!(OutputPath::for_url("/").unwrap().as_str(), "index.html");
        assert_eq!(
            OutputPath::for_url("/a/b/").unwrap().as_str(),
            "a/b/index.html"
        );
        assert_eq!(
            OutputPath::for_url("/feed.xml").unwrap().as_str(),
            "feed.xml"
        );
        assert!(OutputPath::for_url("/../x/").is_err());
        assert!(
            OutputPath::new("images/1:1s.jpeg").is_ok(),
            "a ratio, not a drive"
        );
        assert!(
            OutputPath::for_url("/a/%2e%2e/").is_ok(),
            "percent-encoding is just text on disk"
        );
    }
}

//! Output files and where they go.
//!
//! Every path the build writes is an [`OutputPath`]: relative, `/`
//! separated, and checked so that no slug, alias or file name can step out
//! of the output folder. Rendered files stream into an [`OutputSink`] as
//! they are made: [`MemorySink`] keeps them (for `serve` and tests),
//! [`DiskSink`] writes them for `glossator build`.
//!
//! The disk sink never touches the live folder until the whole build has
//! succeeded. A first build is written into a staging folder beside the
//! target and renamed into place. Later builds compare each file's hash
//! with the manifest the last build left (in the marker file), write only
//! the files that changed into a staging folder, and on success move them
//! into place, delete the files that are gone, and write the new manifest
//! last. Unchanged files are never rewritten: creating and deleting tens of
//! thousands of files is what makes other generators slow on real disks.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result, bail};

use crate::theme::AssetSource;

/// A path inside the output folder, checked to stay inside it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct OutputPath(String);

impl OutputPath {
    /// Checks a relative path such as `2009/03/03/x/index.html`.
    pub fn new(path: &str) -> Result<OutputPath, String> {
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
            if segment.len() >= 2 && segment.as_bytes()[1] == b':' {
                return Err(format!("output path `{path}` looks like a drive path"));
            }
        }
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
            OutputPath::new(&format!("{trimmed}index.html"))
        } else {
            OutputPath::new(trimmed)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path under `root`. Safe by construction: no segment escapes.
    pub fn under(&self, root: &Path) -> PathBuf {
        let mut p = root.to_path_buf();
        for segment in self.0.split('/') {
            p.push(segment);
        }
        p
    }
}

impl std::fmt::Display for OutputPath {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// What goes in an output file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Body {
    /// Shared, so a cached output can be handed out again without a copy.
    Bytes(Arc<[u8]>),
    Copy(AssetSource),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: OutputPath,
    pub body: Body,
}

/// Where rendered files go, as they are made (from many threads).
pub trait OutputSink: Sync {
    fn accept(&self, file: OutputFile);
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

/// The name of the marker file glossator leaves in folders it writes, so
/// it never replaces a folder it did not make. It also holds the manifest:
/// each file's hash, so the next build rewrites only what changed.
pub const MARKER: &str = ".glossator-output";
const MANIFEST_HEADER: &str =
    "# glossator output manifest v1: written by `glossator build`; this folder is replaced by it";
const STAGING: &str = ".glossator-staging";

/// What writing did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files in the site.
    pub files: usize,
    /// Files written (new or changed).
    pub written: usize,
    /// Files removed (no longer in the site).
    pub removed: usize,
}

/// Refuses output folders whose replacement would destroy something else.
pub fn check_target(target: &Path, site_root: &Path, force: bool) -> Result<()> {
    let abs = absolute(target)?;
    let root = absolute(site_root)?;
    if abs == root || root.starts_with(&abs) {
        bail!(
            "refusing to write the site into {}: it holds the site's own files; pick a folder such as `public`",
            target.display()
        );
    }
    if abs.parent().is_none() {
        bail!("refusing to write the site into the filesystem root");
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && abs == absolute(&home)?
    {
        bail!("refusing to write the site into the home folder");
    }
    if abs.is_dir() && !force && !abs.join(MARKER).exists() {
        let non_empty = fs::read_dir(&abs)
            .with_context(|| format!("cannot read {}", abs.display()))?
            .next()
            .is_some();
        if non_empty {
            bail!(
                "{} is not empty and was not written by glossator; refusing to replace it (pass --force to replace it anyway)",
                target.display()
            );
        }
    }
    Ok(())
}

fn absolute(path: &Path) -> Result<PathBuf> {
    let abs = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir()?.join(path)
    };
    // Normalise `.` and `..` lexically; the target may not exist yet.
    let mut out = PathBuf::new();
    for c in abs.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    Ok(match out.canonicalize() {
        Ok(c) => c,
        Err(_) => out,
    })
}

/// A file's identity for the manifest: a hash of its bytes, or for a copied
/// file of its source path, size and modification time (so large images
/// are not read to find out they did not change).
pub fn fingerprint(body: &Body) -> u128 {
    match body {
        Body::Bytes(b) => xxhash_rust::xxh3::xxh3_128(b),
        Body::Copy(AssetSource::Embedded(b)) => xxhash_rust::xxh3::xxh3_128(b),
        Body::Copy(AssetSource::File(p)) => {
            let meta = fs::metadata(p).ok();
            let size = meta.as_ref().map_or(0, |m| m.len());
            let mtime = meta
                .and_then(|m| m.modified().ok())
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos());
            let key = format!("copy\0{}\0{size}\0{mtime}", p.display());
            xxhash_rust::xxh3::xxh3_128(key.as_bytes())
        }
    }
}

fn read_manifest(target: &Path) -> HashMap<String, u128> {
    let Ok(text) = fs::read_to_string(target.join(MARKER)) else {
        return HashMap::new();
    };
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (hash, path) = l.split_once(' ')?;
            Some((path.to_string(), u128::from_str_radix(hash, 16).ok()?))
        })
        .collect()
}

/// Writes a build to disk; see the module docs for the steps.
pub struct DiskSink {
    target: PathBuf,
    staging: PathBuf,
    /// No previous site: the staging folder becomes the target.
    fresh: bool,
    old: HashMap<String, u128>,
    new: Mutex<Vec<(String, u128)>>,
    changed: Mutex<Vec<String>>,
    dirs: Mutex<HashSet<PathBuf>>,
    errors: Mutex<Vec<String>>,
}

impl DiskSink {
    /// Prepares to write into `target` (checked with [`check_target`]
    /// first). Nothing in `target` is touched until [`DiskSink::commit`].
    pub fn new(target: &Path) -> Result<DiskSink> {
        let has_site = target.join(MARKER).is_file();
        let fresh = !has_site;
        let staging = if fresh {
            let parent = match target.parent() {
                Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
                _ => PathBuf::from("."),
            };
            fs::create_dir_all(&parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
            let name = target
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| "public".into());
            parent.join(format!(".{name}{STAGING}-{}", std::process::id()))
        } else {
            target.join(format!("{STAGING}-{}", std::process::id()))
        };
        if staging.exists() {
            fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot clear {}", staging.display()))?;
        }
        fs::create_dir_all(&staging)
            .with_context(|| format!("cannot create {}", staging.display()))?;
        Ok(DiskSink {
            target: target.to_path_buf(),
            staging,
            fresh,
            old: if fresh {
                HashMap::new()
            } else {
                read_manifest(target)
            },
            new: Mutex::new(Vec::new()),
            changed: Mutex::new(Vec::new()),
            dirs: Mutex::new(HashSet::new()),
            errors: Mutex::new(Vec::new()),
        })
    }

    fn ensure_dir(&self, dir: &Path) -> std::io::Result<()> {
        let mut dirs = self.dirs.lock().unwrap_or_else(|p| p.into_inner());
        if dirs.contains(dir) {
            return Ok(());
        }
        fs::create_dir_all(dir)?;
        dirs.insert(dir.to_path_buf());
        Ok(())
    }

    fn write_staged(&self, file: &OutputFile) -> Result<()> {
        let path = file.path.under(&self.staging);
        if let Some(parent) = path.parent() {
            self.ensure_dir(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
        }
        match &file.body {
            Body::Bytes(b) => {
                let mut f = fs::File::create(&path)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                f.write_all(b)
                    .with_context(|| format!("cannot write {}", path.display()))?;
            }
            Body::Copy(AssetSource::Embedded(b)) => {
                fs::write(&path, b).with_context(|| format!("cannot write {}", path.display()))?;
            }
            Body::Copy(AssetSource::File(source)) => {
                fs::copy(source, &path).with_context(|| {
                    format!("cannot copy {} to {}", source.display(), path.display())
                })?;
            }
        }
        Ok(())
    }

    /// Drops the staged files; the target stays as it was.
    pub fn abort(self) {
        let _ = fs::remove_dir_all(&self.staging);
    }

    /// Moves the staged files into place, removes files no longer in the
    /// site, and writes the manifest last.
    pub fn commit(self) -> Result<WriteStats> {
        let errors = self.errors.into_inner().unwrap_or_else(|p| p.into_inner());
        if let Some(first) = errors.first() {
            let _ = fs::remove_dir_all(&self.staging);
            bail!("{first}");
        }
        let mut entries = self.new.into_inner().unwrap_or_else(|p| p.into_inner());
        entries.sort();
        let mut manifest = String::with_capacity(entries.len() * 64);
        manifest.push_str(MANIFEST_HEADER);
        manifest.push('\n');
        for (path, hash) in &entries {
            manifest.push_str(&format!("{hash:032x} {path}\n"));
        }
        let changed = self.changed.into_inner().unwrap_or_else(|p| p.into_inner());
        let stats_files = entries.len();

        if self.fresh {
            fs::write(self.staging.join(MARKER), &manifest)
                .context("cannot write the output manifest")?;
            if self.target.exists() {
                // An empty folder (checked by check_target) or one we may replace.
                fs::remove_dir_all(&self.target)
                    .with_context(|| format!("cannot replace {}", self.target.display()))?;
            }
            fs::rename(&self.staging, &self.target).with_context(|| {
                format!("cannot move the new site to {}", self.target.display())
            })?;
            return Ok(WriteStats {
                files: stats_files,
                written: changed.len(),
                removed: 0,
            });
        }

        let mut made: HashSet<PathBuf> = HashSet::new();
        for path in &changed {
            let output = OutputPath(path.clone());
            let from = output.under(&self.staging);
            let to = output.under(&self.target);
            if let Some(parent) = to.parent()
                && !made.contains(parent)
            {
                fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
                made.insert(parent.to_path_buf());
            }
            fs::rename(&from, &to)
                .with_context(|| format!("cannot move {} into place", to.display()))?;
        }
        let current: HashSet<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
        let mut removed = 0;
        let mut emptied: HashSet<PathBuf> = HashSet::new();
        for path in self.old.keys().filter(|p| !current.contains(p.as_str())) {
            let Ok(output) = OutputPath::new(path) else {
                continue;
            };
            let file = output.under(&self.target);
            if fs::remove_file(&file).is_ok() {
                removed += 1;
                if let Some(parent) = file.parent() {
                    emptied.insert(parent.to_path_buf());
                }
            }
        }
        // Remove folders left empty, deepest first.
        let mut emptied: Vec<PathBuf> = emptied.into_iter().collect();
        emptied.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
        for dir in emptied {
            let mut d = dir.as_path();
            while d != self.target && fs::remove_dir(d).is_ok() {
                match d.parent() {
                    Some(p) => d = p,
                    None => break,
                }
            }
        }
        let temp = self.target.join(format!("{MARKER}.tmp"));
        fs::write(&temp, &manifest).context("cannot write the output manifest")?;
        fs::rename(&temp, self.target.join(MARKER)).context("cannot write the output manifest")?;
        let _ = fs::remove_dir_all(&self.staging);
        Ok(WriteStats {
            files: stats_files,
            written: changed.len(),
            removed,
        })
    }
}

impl OutputSink for DiskSink {
    fn accept(&self, file: OutputFile) {
        let hash = fingerprint(&file.body);
        let path = file.path.as_str().to_string();
        let unchanged = !self.fresh && self.old.get(&path) == Some(&hash);
        if !unchanged {
            match self.write_staged(&file) {
                Ok(()) => self
                    .changed
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(path.clone()),
                Err(e) => self
                    .errors
                    .lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(format!("{e:#}")),
            }
        }
        self.new
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((path, hash));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: OutputPath::new(path).unwrap(),
            body: Body::Bytes(text.as_bytes().into()),
        }
    }

    fn write(target: &Path, files: Vec<OutputFile>) -> WriteStats {
        let sink = DiskSink::new(target).unwrap();
        for f in files {
            sink.accept(f);
        }
        sink.commit().unwrap()
    }

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
            OutputPath::for_url("/a/%2e%2e/").is_ok(),
            "percent-encoding is just text on disk"
        );
    }

    #[test]
    fn writes_only_what_changed_and_removes_what_went() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let stats = write(
            &target,
            vec![
                bytes("a/index.html", "one"),
                bytes("b.txt", "bee"),
                bytes("c/d/e.txt", "deep"),
            ],
        );
        assert_eq!((stats.files, stats.written, stats.removed), (3, 3, 0));
        assert_eq!(fs::read(target.join("a/index.html")).unwrap(), b"one");
        assert!(target.join(MARKER).exists());

        let before = fs::metadata(target.join("b.txt"))
            .unwrap()
            .modified()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        let stats = write(
            &target,
            vec![
                bytes("a/index.html", "two"),
                bytes("b.txt", "bee"),
                bytes("new.txt", "n"),
            ],
        );
        assert_eq!((stats.files, stats.written, stats.removed), (3, 2, 1));
        assert_eq!(fs::read(target.join("a/index.html")).unwrap(), b"two");
        assert_eq!(
            fs::metadata(target.join("b.txt"))
                .unwrap()
                .modified()
                .unwrap(),
            before,
            "unchanged file untouched"
        );
        assert!(
            !target.join("c").exists(),
            "removed file and its emptied folders"
        );
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no staging folder left beside");
        assert!(
            !fs::read_dir(&target).unwrap().any(|e| e
                .unwrap()
                .file_name()
                .to_string_lossy()
                .contains("staging"))
        );
    }

    #[test]
    fn an_aborted_build_touches_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        write(&target, vec![bytes("a.txt", "old")]);
        let sink = DiskSink::new(&target).unwrap();
        sink.accept(bytes("a.txt", "new"));
        sink.abort();
        assert_eq!(fs::read(target.join("a.txt")).unwrap(), b"old");
        let names: Vec<String> = fs::read_dir(&target)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 2, "{names:?}");
    }

    #[test]
    fn refuses_dangerous_targets() {
        let dir = tempfile::tempdir().unwrap();
        let site = dir.path().join("site");
        fs::create_dir_all(&site).unwrap();
        assert!(check_target(&site, &site, false).is_err());
        assert!(check_target(dir.path(), &site, false).is_err());
        assert!(check_target(Path::new("/"), &site, false).is_err());
        let foreign = dir.path().join("docs");
        fs::create_dir_all(&foreign).unwrap();
        fs::write(foreign.join("thesis.tex"), "x").unwrap();
        assert!(check_target(&foreign, &site, false).is_err());
        assert!(check_target(&foreign, &site, true).is_ok());
        assert!(check_target(&site.join("public"), &site, false).is_ok());
    }
}

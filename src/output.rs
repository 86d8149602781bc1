//! Output files and where they go.
//!
//! Every path the build writes is an [`OutputPath`]: relative, `/`
//! separated, and checked so that no slug, alias or file name can step out
//! of the output folder. [`write_site`] writes a rendered site to disk the
//! safe way: into a fresh staging folder beside the target, then swapped in
//! with renames, so a build that fails (or is killed) part way leaves the
//! previous site as it was. The same files can instead be kept in memory by
//! `serve`; this module owns only the disk.

use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

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
    Bytes(Vec<u8>),
    Copy(AssetSource),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: OutputPath,
    pub body: Body,
}

/// The name of the marker file glossator leaves in folders it writes, so
/// it never replaces a folder it did not make.
pub const MARKER: &str = ".glossator-output";

/// What writing did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub files: usize,
    pub bytes: u64,
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

/// Writes `files` as the new content of `target`, atomically with respect
/// to failures: staging folder first, then swap.
pub fn write_site(files: &[OutputFile], target: &Path) -> Result<WriteStats> {
    let parent = match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into());
    let staging = tempfile_dir(&parent, &format!(".{name}.staging-"))?;

    let stats = match write_all(files, &staging) {
        Ok(s) => s,
        Err(e) => {
            let _ = fs::remove_dir_all(&staging);
            return Err(e);
        }
    };
    swap_in(&staging, target, &parent, &name)?;
    Ok(stats)
}

fn tempfile_dir(parent: &Path, prefix: &str) -> Result<PathBuf> {
    for attempt in 0..100u32 {
        let candidate = parent.join(format!("{prefix}{}-{attempt}", std::process::id()));
        match fs::create_dir(&candidate) {
            Ok(()) => return Ok(candidate),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("cannot create {}", candidate.display()));
            }
        }
    }
    bail!("cannot create a staging folder in {}", parent.display())
}

/// Writes every file under `dir`, in parallel.
fn write_all(files: &[OutputFile], dir: &Path) -> Result<WriteStats> {
    use rayon::prelude::*;
    // Create folders first, once each, so parallel writers never race on them.
    let mut dirs: Vec<PathBuf> = files
        .iter()
        .filter_map(|f| f.path.under(dir).parent().map(Path::to_path_buf))
        .collect();
    dirs.sort();
    dirs.dedup();
    for d in &dirs {
        fs::create_dir_all(d).with_context(|| format!("cannot create {}", d.display()))?;
    }
    let bytes: Result<Vec<u64>> = files.par_iter().map(|f| write_one(f, dir)).collect();
    let bytes = bytes?;
    fs::write(
        dir.join(MARKER),
        "This folder is written by `glossator build` and replaced on every build.\n",
    )
    .context("cannot write the output marker")?;
    Ok(WriteStats {
        files: files.len(),
        bytes: bytes.iter().sum(),
    })
}

fn write_one(file: &OutputFile, dir: &Path) -> Result<u64> {
    let path = file.path.under(dir);
    match &file.body {
        Body::Bytes(bytes) => {
            let mut f = fs::File::create(&path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            f.write_all(bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            Ok(bytes.len() as u64)
        }
        Body::Copy(AssetSource::Embedded(bytes)) => {
            fs::write(&path, bytes).with_context(|| format!("cannot write {}", path.display()))?;
            Ok(bytes.len() as u64)
        }
        Body::Copy(AssetSource::File(source)) => fs::copy(source, &path)
            .with_context(|| format!("cannot copy {} to {}", source.display(), path.display())),
    }
}

/// Replaces `target` with `staging`: the old folder is renamed aside, the
/// new one renamed in, then the old one removed. If the second rename
/// fails, the old folder is put back.
fn swap_in(staging: &Path, target: &Path, parent: &Path, name: &str) -> Result<()> {
    if !target.exists() {
        fs::rename(staging, target)
            .with_context(|| format!("cannot move the new site to {}", target.display()))?;
        return Ok(());
    }
    let old = tempfile_dir(parent, &format!(".{name}.old-"))?;
    fs::remove_dir(&old).ok();
    fs::rename(target, &old)
        .with_context(|| format!("cannot move the old site aside ({})", target.display()))?;
    if let Err(e) = fs::rename(staging, target) {
        let _ = fs::rename(&old, target);
        let _ = fs::remove_dir_all(staging);
        return Err(e).with_context(|| format!("cannot move the new site to {}", target.display()));
    }
    fs::remove_dir_all(&old)
        .with_context(|| format!("cannot remove the old site at {}", old.display()))?;
    Ok(())
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
            OutputPath::for_url("/a/%2e%2e/").is_ok(),
            "percent-encoding is just text on disk"
        );
    }

    #[test]
    fn write_then_replace() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let files = vec![OutputFile {
            path: OutputPath::new("a/index.html").unwrap(),
            body: Body::Bytes(b"one".to_vec()),
        }];
        write_site(&files, &target).unwrap();
        assert_eq!(fs::read(target.join("a/index.html")).unwrap(), b"one");
        assert!(target.join(MARKER).exists());

        let files = vec![OutputFile {
            path: OutputPath::new("b.txt").unwrap(),
            body: Body::Copy(AssetSource::Embedded(b"two")),
        }];
        write_site(&files, &target).unwrap();
        assert!(!target.join("a").exists(), "stale files go");
        assert_eq!(fs::read(target.join("b.txt")).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no staging or old folders left behind");
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

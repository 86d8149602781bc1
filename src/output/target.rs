//! Which output folders a build may write, and one build at a time in each.
//!
//! [`check_target`] refuses folders whose replacement would destroy
//! something else: the site itself or a folder holding it, the home
//! folder, `/`, or a non-empty folder glossator did not write (unless
//! `--force`). [`BuildLock`] makes a second build of the same output wait
//! for the first, so two builds never interleave their commits. The lock
//! file lives in the system's temporary folder, keyed by the output
//! folder's path, so it leaves nothing in the site.

use std::fs;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use super::commit::STAGING;
use super::manifest::MARKER;

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
    // Inside an input folder, the output would be read back as input.
    for input in ["content", "static", "templates", "themes"] {
        if abs.starts_with(root.join(input)) {
            bail!(
                "refusing to write the site into {}: it is inside the site's {input}/ folder, whose files are the site's input; pick a folder such as `public`",
                target.display()
            );
        }
    }
    if let Ok(meta) = fs::symlink_metadata(&abs)
        && meta.is_symlink()
    {
        let to = fs::read_link(&abs).unwrap_or_default();
        bail!(
            "refusing to write the site into {}: it is a symlink to {}, which does not exist; create that folder or remove the link",
            target.display(),
            to.display()
        );
    }
    if let Ok(meta) = fs::symlink_metadata(&abs)
        && !meta.is_dir()
    {
        bail!(
            "refusing to write the site into {}: it is a file, not a folder; nothing was moved",
            target.display()
        );
    }
    if let Some(home) = std::env::var_os("HOME").map(PathBuf::from)
        && abs == absolute(&home)?
    {
        bail!("refusing to write the site into the home folder");
    }
    if abs.is_dir() && !force && !abs.join(MARKER).exists() {
        let non_empty = fs::read_dir(&abs)
            .with_context(|| format!("cannot read {}", abs.display()))?
            .filter_map(|e| e.ok())
            // An interrupted build's staging folder is cleared by the next.
            .any(|e| !e.file_name().to_string_lossy().starts_with(STAGING));
        if non_empty {
            bail!(
                "{} is not empty and was not written by glossator; refusing to replace it (pass --force to replace it anyway)",
                target.display()
            );
        }
    }
    Ok(())
}

/// `path` made absolute, with `.` and `..` resolved, and symlinks too
/// where it exists.
pub fn absolute(path: &Path) -> Result<PathBuf> {
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

/// Held for a whole build; released when dropped (or when the process
/// ends, however it ends: the operating system drops the lock).
pub struct BuildLock {
    _file: fs::File,
}

impl BuildLock {
    /// Takes the lock for `target`, waiting if another build holds it;
    /// `waiting` is called once before a wait.
    pub fn acquire(target: &Path, waiting: impl FnOnce()) -> Result<BuildLock> {
        let key = absolute(target)?;
        let name = format!(
            "glossator-{:016x}.lock",
            xxhash_rust::xxh3::xxh3_64(key.as_os_str().as_encoded_bytes())
        );
        let path = std::env::temp_dir().join(name);
        let mut file = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .with_context(|| format!("cannot open the build lock {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                waiting();
                file.lock()
                    .with_context(|| format!("cannot take the build lock {}", path.display()))?;
            }
            Err(fs::TryLockError::Error(e)) => {
                return Err(e)
                    .with_context(|| format!("cannot take the build lock {}", path.display()));
            }
        }
        // For whoever looks: which folder this lock guards.
        let _ = file.set_len(0);
        let _ = writeln!(file, "{}", key.display());
        Ok(BuildLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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

    #[test]
    fn a_second_lock_on_one_folder_waits() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let first = BuildLock::acquire(&target, || panic!("nothing to wait for")).unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        let t = target.clone();
        let second = std::thread::spawn(move || {
            let waited = std::cell::Cell::new(false);
            let lock = BuildLock::acquire(&t, || waited.set(true)).unwrap();
            tx.send(waited.get()).unwrap();
            drop(lock);
        });
        // The second cannot finish while the first is held.
        assert!(
            rx.recv_timeout(std::time::Duration::from_millis(200))
                .is_err()
        );
        drop(first);
        assert!(rx.recv().unwrap(), "the second build was told it waits");
        second.join().unwrap();
        // Another folder has its own lock.
        let _other = BuildLock::acquire(&dir.path().join("elsewhere"), || {
            panic!("different folders do not share a lock")
        })
        .unwrap();
    }
}

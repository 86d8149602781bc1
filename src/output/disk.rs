//! Writing a build to disk without ever leaving a broken site.
//!
//! The live folder is not touched until the whole build has succeeded.
//!
//! - A first build (no marker in the target) is written into a staging
//!   folder beside the target, which is renamed into place: one atomic
//!   step.
//! - A later build compares each file's hash with the manifest the last
//!   build left in the marker file and writes only the files that changed,
//!   into a staging folder inside the target. To commit, it writes a
//!   journal into the staging folder (the files to delete), then deletes
//!   those files, moves the staged ones into place and installs the new
//!   manifest last. Unchanged files are never rewritten: creating and
//!   deleting tens of thousands of files is what makes other generators
//!   slow on real disks.
//!
//! A build stopped before its commit leaves only a staging folder, which
//! the next build deletes: the previous site is intact. A build killed
//! during the commit (moving the changed files, milliseconds) leaves a
//! journal, and the next build finishes that commit before it starts, so
//! the folder ends as one whole build. Ctrl-C waits for a commit to end
//! (see [`crate::interrupt`]).
//!
//! Nothing is written or deleted through a symlink inside the output
//! folder: a symlink there (one planted in `public/2009`, say) fails the
//! build before the commit starts.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;

use anyhow::{Context as _, Result, bail};

use super::commit::{finish_commit, recover, swap_into_place, symlink_on_the_way};
use super::{Body, OutputFile, OutputSink, fingerprint};
use crate::theme::AssetSource;

/// The name of the marker file glossator leaves in folders it writes, so
/// it never replaces a folder it did not make. It also holds the manifest:
/// each file's hash, so the next build rewrites only what changed.
pub const MARKER: &str = ".glossator-output";
pub(super) const MANIFEST_HEADER: &str =
    "# glossator output manifest v1: written by `glossator build`; this folder is replaced by it";
pub(super) const STAGING: &str = ".glossator-staging";
/// In a staging folder: the commit has begun. Lists the files to delete.
pub(super) const JOURNAL: &str = ".glossator-commit";
/// Beside the target during a first build's swap: the folder it replaces.
pub(super) const REPLACED: &str = ".glossator-replaced";

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

pub(super) fn read_manifest(target: &Path) -> HashMap<String, u128> {
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
    /// What was done about an earlier build's leftovers.
    pub recovered: Vec<String>,
}

impl DiskSink {
    /// Prepares to write into `target` (checked with
    /// [`super::check_target`] first, and locked). Finishes or clears what
    /// an interrupted build left; otherwise nothing in `target` is touched
    /// until [`DiskSink::commit`].
    pub fn new(target: &Path) -> Result<DiskSink> {
        // An output folder that is a symlink (public -> /srv/www) is used
        // where it points, so a first build does not replace the link.
        let target = match fs::symlink_metadata(target) {
            Ok(m) if m.is_symlink() => fs::canonicalize(target)
                .with_context(|| format!("cannot follow {}", target.display()))?,
            _ => target.to_path_buf(),
        };
        let recovered = recover(&target)?;
        let fresh = !target.join(MARKER).is_file();
        let staging = if fresh {
            let parent = parent_of(&target);
            fs::create_dir_all(&parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
            parent.join(format!(
                ".{}{STAGING}-{}",
                name_of(&target),
                std::process::id()
            ))
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
            old: if fresh {
                HashMap::new()
            } else {
                read_manifest(&target)
            },
            target,
            staging,
            fresh,
            new: Mutex::new(Vec::new()),
            changed: Mutex::new(Vec::new()),
            dirs: Mutex::new(HashSet::new()),
            errors: Mutex::new(Vec::new()),
            recovered,
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
        let files = entries.len();

        if self.fresh {
            // The marker is what says a staged site is complete: it must
            // never exist half written.
            let temp = self.staging.join(format!("{MARKER}.tmp"));
            fs::write(&temp, &manifest).context("cannot write the output manifest")?;
            fs::rename(&temp, self.staging.join(MARKER))
                .context("cannot write the output manifest")?;
            let _commit = crate::interrupt::committing();
            swap_into_place(&self.staging, &self.target)?;
            return Ok(WriteStats {
                files,
                written: changed.len(),
                removed: 0,
            });
        }

        let current: HashSet<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
        let mut gone: Vec<&str> = self
            .old
            .keys()
            .map(String::as_str)
            .filter(|p| !current.contains(p))
            .collect();
        gone.sort_unstable();
        // Refuse before anything moves, so a refusal leaves the old site.
        let mut checked = HashSet::new();
        for path in changed
            .iter()
            .map(String::as_str)
            .chain(gone.iter().copied())
        {
            if let Some(link) = symlink_on_the_way(&self.target, path, &mut checked) {
                let _ = fs::remove_dir_all(&self.staging);
                bail!(
                    "{} is a symlink inside the output folder; glossator never writes through one: remove it and build again",
                    link.display()
                );
            }
        }
        fs::write(self.staging.join(MARKER), &manifest)
            .context("cannot write the output manifest")?;
        let mut journal = String::new();
        for path in &gone {
            journal.push_str(path);
            journal.push('\n');
        }
        let _commit = crate::interrupt::committing();
        let temp = self.staging.join(format!("{JOURNAL}.tmp"));
        fs::write(&temp, journal).context("cannot write the commit journal")?;
        fs::rename(&temp, self.staging.join(JOURNAL)).context("cannot write the commit journal")?;
        let removed = finish_commit(&self.target, &self.staging)?;
        Ok(WriteStats {
            files,
            written: changed.len(),
            removed,
        })
    }
}

impl OutputSink for DiskSink {
    fn accept(&self, file: OutputFile) {
        if crate::interrupt::requested() {
            return;
        }
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

pub(super) fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

pub(super) fn name_of(target: &Path) -> String {
    target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into())
}

#[cfg(test)]
pub(super) mod tests {
    use super::super::OutputPath;
    use super::*;

    /// A file of text, for the output tests here and in `commit`.
    pub(in crate::output) fn bytes(path: &str, text: &str) -> OutputFile {
        OutputFile {
            path: OutputPath::new(path).unwrap(),
            body: Body::Bytes(text.as_bytes().into()),
        }
    }

    /// One whole build of `files` into `target`.
    pub(in crate::output) fn write(target: &Path, files: Vec<OutputFile>) -> WriteStats {
        let sink = DiskSink::new(target).unwrap();
        for f in files {
            sink.accept(f);
        }
        sink.commit().unwrap()
    }

    /// The sorted names in `dir`.
    pub(in crate::output) fn names(dir: &Path) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
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
        assert_eq!(names(dir.path()), ["public"], "nothing left beside");
        assert_eq!(
            names(&target),
            [MARKER, "a", "b.txt", "new.txt"],
            "no staging folder left inside"
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
        assert_eq!(names(&target), [MARKER, "a.txt"]);
    }

    #[test]
    fn never_writes_or_deletes_through_a_symlink_in_the_output() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        let outside = dir.path().join("outside");
        fs::create_dir_all(&outside).unwrap();
        fs::write(outside.join("victim.txt"), "precious").unwrap();
        write(
            &target,
            vec![bytes("a/victim.txt", "ours"), bytes("b.txt", "b")],
        );
        // Someone replaces public/a with a link out of the site.
        fs::remove_dir_all(target.join("a")).unwrap();
        std::os::unix::fs::symlink(&outside, target.join("a")).unwrap();
        let sink = DiskSink::new(&target).unwrap();
        sink.accept(bytes("a/other.txt", "x"));
        sink.accept(bytes("b.txt", "b2"));
        let err = sink.commit().unwrap_err().to_string();
        assert!(
            err.contains("is a symlink inside the output folder"),
            "{err}"
        );
        assert_eq!(fs::read(outside.join("victim.txt")).unwrap(), b"precious");
        assert!(!outside.join("other.txt").exists());
        assert_eq!(
            fs::read(target.join("b.txt")).unwrap(),
            b"b",
            "old site kept"
        );
    }

    #[test]
    fn an_output_folder_that_is_a_symlink_stays_one() {
        let dir = tempfile::tempdir().unwrap();
        let real = dir.path().join("www");
        fs::create_dir_all(&real).unwrap();
        let link = dir.path().join("public");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        write(&link, vec![bytes("index.html", "hi")]);
        assert!(fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(fs::read(real.join("index.html")).unwrap(), b"hi");
    }
}

//! Writing a build to disk without ever leaving a broken site.
//!
//! The live folder is not touched until the whole build has succeeded,
//! and then it becomes the new site as a whole or stays the old one.
//!
//! - When the output folder does not exist, the build is written into a
//!   staging folder beside it, which is renamed into place: one atomic
//!   step.
//! - Otherwise the build stages into a folder inside the output folder
//!   (so it works on a mount point or under a read-only parent, and
//!   needs no second copy of the site) and writes only what changed: each
//!   file is compared with the manifest the last build left (see
//!   `manifest`), and with the disk, so a file edited, deleted or
//!   replaced by hand is written again. A page whose key (what it is
//!   rendered from) is the one the manifest holds, and whose file the
//!   disk still holds as the last build left it, is not even rendered
//!   ([`OutputSink::keep`]). Then `commit` moves the staged
//!   files into place, and undoes everything if any step fails. Unchanged
//!   files are never rewritten: creating and deleting tens of thousands of
//!   files is what makes other generators slow on real disks.
//! - Files in the output folder that no build wrote (a `CNAME` placed by
//!   hand) are kept and named in a warning; `static/` is where they
//!   belong. A folder glossator did not write is replaced only with
//!   `--force`, and then as a whole.
//!
//! A build stopped before its commit leaves only a staging folder, which
//! the next build deletes: the previous site is intact. A build killed
//! during the commit leaves a journal, and the next build finishes that
//! commit before it starts. Ctrl-C waits for a commit to end (see
//! [`crate::interrupt`]).
//!
//! Nothing is written or deleted through a symlink inside the output
//! folder: a symlink there (one planted in `public/2009`, say) fails the
//! build before the commit starts.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::thread::JoinHandle;

use anyhow::{Context as _, Result, anyhow};
use rustc_hash::FxHashSet;

use super::AssetSource;
use super::commit::{
    Commit, JOURNAL, STAGING, is_control, move_into_place, name_of, parent_of, recover,
    symlink_on_the_way,
};
use super::fault::step;
use super::manifest::{self, Entry, MARKER, Stamp};
use super::{Body, OutputFile, OutputPath, OutputSink, fingerprint};

/// What writing did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct WriteStats {
    /// Files in the site.
    pub files: usize,
    /// Files written (new or changed, or restored).
    pub written: usize,
    /// Of those, files the site had not changed but the disk had lost or
    /// altered since the last build.
    pub restored: usize,
    /// Files removed (no longer in the site).
    pub removed: usize,
    /// Of the files left as they were, those not even made (rendered, or
    /// copied): what they are made from was the last build's (see
    /// [`OutputSink::keep`]).
    pub unrendered: usize,
}

/// A commit done: what it did, and what the writer should hear about.
#[derive(Debug, Default)]
pub struct Committed {
    pub stats: WriteStats,
    pub notes: Vec<String>,
}

/// Why a commit failed, and whether the old site is still whole.
#[derive(Debug)]
pub struct CommitFailure {
    pub error: anyhow::Error,
    /// True when the output folder is exactly as it was before the build;
    /// false when it holds an unfinished commit, which the next build
    /// finishes.
    pub intact: bool,
}

impl CommitFailure {
    fn intact(error: anyhow::Error) -> CommitFailure {
        CommitFailure {
            error,
            intact: true,
        }
    }
}

/// Writes a build to disk; see the module docs for the steps.
pub struct DiskSink {
    target: PathBuf,
    staging: PathBuf,
    /// No folder yet: the staging folder becomes the target.
    beside: bool,
    /// What the target held that this build replaces as a whole: every
    /// entry of a folder without a marker (empty, or `--force`).
    replacing: Vec<String>,
    old: HashMap<String, Entry>,
    new: Mutex<Vec<(String, Entry)>>,
    changed: Mutex<Vec<String>>,
    restored: Mutex<usize>,
    unrendered: std::sync::atomic::AtomicUsize,
    /// Staging folders made so far, as output-path prefixes (`2009/03`):
    /// hashing a `Path` walks its components, twice a file, which was 1%
    /// of a build.
    dirs: Mutex<FxHashSet<String>>,
    /// Output folders checked for symlinks (true: one is on the way).
    on_the_way: Mutex<HashMap<PathBuf, bool>>,
    errors: Mutex<Vec<String>>,
    /// Every file in the target, listed while the site renders.
    listing: Mutex<Option<JoinHandle<Vec<String>>>>,
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
        let beside = !target.exists();
        let staging = if beside {
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
        let marked = !beside && target.join(MARKER).is_file();
        let replacing = if beside || marked {
            Vec::new()
        } else {
            let mut names: Vec<String> = fs::read_dir(&target)
                .with_context(|| format!("cannot read {}", target.display()))?
                .filter_map(|e| e.ok())
                .map(|e| e.file_name().to_string_lossy().into_owned())
                .filter(|n| !n.starts_with(STAGING))
                .collect();
            names.sort();
            names
        };
        // Listing the folder runs beside the rendering; the commit uses
        // it to name files no build wrote.
        let listing = marked.then(|| {
            let root = target.clone();
            std::thread::spawn(move || list_files(&root))
        });
        Ok(DiskSink {
            old: if marked {
                manifest::read(&target)
            } else {
                HashMap::new()
            },
            target,
            staging,
            beside,
            replacing,
            new: Mutex::new(Vec::new()),
            changed: Mutex::new(Vec::new()),
            restored: Mutex::new(0),
            unrendered: Default::default(),
            dirs: Mutex::new(FxHashSet::default()),
            on_the_way: Mutex::new(HashMap::new()),
            errors: Mutex::new(Vec::new()),
            listing: Mutex::new(listing),
            recovered,
        })
    }

    /// Makes the folders the output `path` sits in, under the staging
    /// folder, that no write made yet: one `mkdir` a folder, parents first,
    /// and none that fails (`create_dir_all` tries the deepest folder first
    /// and walks up on failure, which cost a third more calls over a whole
    /// site). Folders are named by the output path's own `/`-separated
    /// prefix, so nothing here compares or hashes `Path`s.
    fn ensure_dirs(&self, path: &OutputPath) -> std::io::Result<()> {
        let Some((folder, _)) = path.as_str().rsplit_once('/') else {
            // A file at the top: the staging folder exists.
            return Ok(());
        };
        // The folders to make, deepest first.
        let mut missing = Vec::new();
        {
            let dirs = self.dirs.lock().unwrap_or_else(|p| p.into_inner());
            let mut at = Some(folder);
            while let Some(f) = at.filter(|f| !dirs.contains(*f)) {
                missing.push(f);
                at = f.rsplit_once('/').map(|(parent, _)| parent);
            }
        }
        // Made without the lock held, so the other threads go on writing;
        // two threads making the same folder is harmless.
        for made in missing.into_iter().rev() {
            let dir = OutputPath::under_str(made, &self.staging);
            match fs::create_dir(&dir) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && dir.is_dir() => {}
                Err(e) => return Err(e),
            }
            self.dirs
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(made.to_string());
        }
        Ok(())
    }

    fn write_staged(&self, file: &OutputFile, hash: u128) -> Result<Entry> {
        let path = file.path.under(&self.staging);
        self.ensure_dirs(&file.path).with_context(|| {
            let parent = path.parent().unwrap_or(&self.staging);
            format!("cannot create {}", parent.display())
        })?;
        let written = |bytes: &[u8]| -> Result<fs::Metadata> {
            let mut f = fs::File::create(&path)
                .with_context(|| format!("cannot write {}", path.display()))?;
            f.write_all(bytes)
                .with_context(|| format!("cannot write {}", path.display()))?;
            // Read off the open file: no second walk of the path.
            f.metadata()
                .with_context(|| format!("cannot read {}", path.display()))
        };
        // A rename keeps the time, so this is what the placed file has.
        let meta = match &file.body {
            Body::Bytes(b) => written(b)?,
            Body::Copy(AssetSource::Embedded(b)) => written(b)?,
            Body::Copy(AssetSource::File(source)) => {
                fs::copy(source, &path).with_context(|| {
                    format!("cannot copy {} to {}", source.display(), path.display())
                })?;
                fs::metadata(&path).with_context(|| format!("cannot read {}", path.display()))?
            }
        };
        Ok(Entry {
            hash,
            key: 0,
            stamp: Some(Stamp::of(&meta)),
        })
    }

    /// Whether any folder on the way to `rel` in the target is a symlink.
    fn symlink_on_the_way(&self, rel: &str) -> bool {
        let mut dir = self.target.clone();
        let segments: Vec<&str> = rel.split('/').collect();
        for segment in &segments[..segments.len().saturating_sub(1)] {
            dir.push(segment);
            if let Some(&link) = self
                .on_the_way
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .get(&dir)
            {
                if link {
                    return true;
                }
                continue;
            }
            let link = fs::symlink_metadata(&dir).is_ok_and(|m| m.file_type().is_symlink());
            self.on_the_way
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(dir.clone(), link);
            if link {
                return true;
            }
        }
        false
    }

    /// The size and time of the file at `path` in the target, when it is a
    /// plain file that no symlink leads to.
    fn live_stamp(&self, path: &OutputPath) -> Option<Stamp> {
        if self.symlink_on_the_way(path.as_str()) {
            return None;
        }
        let meta = fs::symlink_metadata(path.under(&self.target)).ok()?;
        meta.is_file().then(|| Stamp::of(&meta))
    }

    /// The manifest entry to keep for a file the site did not change, if
    /// the disk still holds it; `None` when it must be written again.
    fn still_on_disk(&self, file: &OutputFile, old: &Entry) -> Option<Entry> {
        let now = self.live_stamp(&file.path)?;
        if old.stamp == Some(now) {
            return Some(*old);
        }
        if old.stamp.is_some_and(|s| s.size != now.size) {
            return None;
        }
        // Same size, another time (or a first-format manifest): compare
        // the bytes, where the build has them.
        let bytes = match &file.body {
            Body::Bytes(b) => &b[..],
            Body::Copy(AssetSource::Embedded(b)) => &b[..],
            Body::Copy(AssetSource::File(_)) => return None,
        };
        if now.size != bytes.len() as u64 || fs::read(file.path.under(&self.target)).ok()? != bytes
        {
            return None;
        }
        Some(Entry {
            hash: old.hash,
            key: old.key,
            stamp: Some(now),
        })
    }

    /// Drops the staged files; the target stays as it was.
    pub fn abort(self) {
        let _ = fs::remove_dir_all(&self.staging);
    }

    /// Makes the target the new site: moves the staged files into place,
    /// removes files no longer in the site, and writes the manifest last.
    /// On failure the target is the old site again, unless the failure
    /// says otherwise.
    pub fn commit(self) -> Result<Committed, CommitFailure> {
        let errors = self.errors.into_inner().unwrap_or_else(|p| p.into_inner());
        if let Some(first) = errors.first() {
            let _ = fs::remove_dir_all(&self.staging);
            return Err(CommitFailure::intact(anyhow!("{first}")));
        }
        let mut entries = self.new.into_inner().unwrap_or_else(|p| p.into_inner());
        entries.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let text = manifest::render(&entries);
        let changed = self.changed.into_inner().unwrap_or_else(|p| p.into_inner());
        let restored = *self.restored.lock().unwrap_or_else(|p| p.into_inner());
        let mut stats = WriteStats {
            files: entries.len(),
            written: changed.len(),
            restored,
            removed: 0,
            unrendered: self.unrendered.into_inner(),
        };
        let listing = self
            .listing
            .into_inner()
            .unwrap_or_else(|p| p.into_inner())
            .and_then(|h| h.join().ok())
            .unwrap_or_default();

        if self.beside {
            // The marker is what says a staged site is complete: it must
            // never exist half written.
            let temp = self.staging.join(format!("{MARKER}.tmp"));
            let _commit = crate::interrupt::committing();
            let done = step()
                .and_then(|()| fs::write(&temp, &text))
                .and_then(|()| step())
                .and_then(|()| fs::rename(&temp, self.staging.join(MARKER)))
                .context("cannot write the output manifest")
                .and_then(|()| move_into_place(&self.staging, &self.target));
            if let Err(error) = done {
                let _ = fs::remove_dir_all(&self.staging);
                return Err(CommitFailure::intact(error));
            }
            return Ok(Committed {
                stats,
                notes: Vec::new(),
            });
        }

        let current: HashSet<&str> = entries.iter().map(|(p, _)| p.as_str()).collect();
        let mut gone: Vec<&str> = self
            .old
            .keys()
            .map(String::as_str)
            .filter(|p| !current.contains(p))
            .chain(self.replacing.iter().map(String::as_str))
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
                return Err(CommitFailure::intact(anyhow!(
                    "{} is a symlink inside the output folder; glossator never writes through one: remove it and build again",
                    link.display()
                )));
            }
        }
        let mut journal = String::new();
        for path in &gone {
            journal.push_str(path);
            journal.push('\n');
        }
        let _commit = crate::interrupt::committing();
        let temp = self.staging.join(format!("{JOURNAL}.tmp"));
        let started = step()
            .and_then(|()| fs::write(self.staging.join(MARKER), &text))
            .and_then(|()| step())
            .and_then(|()| fs::write(&temp, journal))
            .and_then(|()| step())
            .and_then(|()| fs::rename(&temp, self.staging.join(JOURNAL)))
            .context("cannot write the commit journal");
        if let Err(error) = started {
            let _ = fs::remove_dir_all(&self.staging);
            return Err(CommitFailure::intact(error));
        }
        let mut commit = Commit::new(&self.target, &self.staging);
        if let Err(error) = commit.run() {
            return Err(match commit.undo() {
                Ok(()) => CommitFailure::intact(error),
                Err(undo) => CommitFailure {
                    error: error.context(format!(
                        "and undoing the commit failed too ({undo:#}); the next `glossator build` finishes it"
                    )),
                    intact: false,
                },
            });
        }
        let (removed, mut notes) = commit.finish();
        stats.removed = removed;
        notes.extend(strays(&self.target, &listing, &current, &gone));
        Ok(Committed { stats, notes })
    }
}

impl OutputSink for DiskSink {
    fn accept(&self, file: OutputFile) {
        self.accept_keyed(file, 0);
    }

    /// Into a folder a build wrote before: a first build into a new or
    /// empty folder (a deploy from a clean checkout, most often) would
    /// only pay for keys that nothing reads.
    fn records_keys(&self) -> bool {
        !self.old.is_empty()
    }

    fn last_key(&self, path: &OutputPath) -> Option<u128> {
        self.old
            .get(path.as_str())
            .map(|e| e.key)
            .filter(|&k| k != 0)
    }

    fn keep(&self, path: &OutputPath) -> bool {
        let rel = path.as_str();
        let Some(old) = self.old.get(rel) else {
            return false;
        };
        // Only a file exactly as the last build left it (size and time)
        // is kept unread; anything else is made and compared again.
        if old.stamp.is_none() || self.live_stamp(path) != old.stamp {
            return false;
        }
        self.new
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((rel.to_string(), *old));
        self.unrendered
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        true
    }

    fn accept_keyed(&self, file: OutputFile, key: u128) {
        if crate::interrupt::requested() {
            return;
        }
        let path = file.path.as_str().to_string();
        let first = path.split('/').next().unwrap_or_default();
        if first.starts_with(STAGING) || is_control(first) {
            self.errors
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(format!(
                    "the output file {path} has a name glossator keeps for itself; rename it"
                ));
            return;
        }
        let hash = fingerprint(&file.body);
        let kept = match self.old.get(&path) {
            Some(old) if old.hash == hash => {
                let kept = self.still_on_disk(&file, old);
                if kept.is_none() {
                    *self.restored.lock().unwrap_or_else(|p| p.into_inner()) += 1;
                }
                kept
            }
            _ => None,
        };
        let mut entry = match kept {
            Some(entry) => entry,
            None => match self.write_staged(&file, hash) {
                Ok(entry) => {
                    self.changed
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(path.clone());
                    entry
                }
                Err(e) => {
                    self.errors
                        .lock()
                        .unwrap_or_else(|p| p.into_inner())
                        .push(format!("{e:#}"));
                    return;
                }
            },
        };
        entry.key = key;
        self.new
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push((path, entry));
    }
}

/// Every file (and symlink) in `target`, relative, leaving out the marker
/// and staging folders.
fn list_files(target: &Path) -> Vec<String> {
    walkdir::WalkDir::new(target)
        .min_depth(1)
        .into_iter()
        .filter_entry(|e| {
            let name = e.file_name().to_string_lossy();
            e.depth() != 1 || !(name.starts_with(STAGING) || name.starts_with(MARKER))
        })
        .filter_map(Result::ok)
        .filter(|e| !e.file_type().is_dir())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(target).ok()?;
            Some(rel.to_string_lossy().replace('\\', "/"))
        })
        .collect()
}

/// A warning naming the files in the output that no build wrote and that
/// are still there after the commit.
fn strays(target: &Path, listing: &[String], site: &HashSet<&str>, gone: &[&str]) -> Vec<String> {
    let gone: HashSet<&str> = gone.iter().copied().collect();
    let mut found: Vec<&str> = listing
        .iter()
        .map(String::as_str)
        .filter(|p| !site.contains(p) && !gone.contains(p))
        .filter(|p| fs::symlink_metadata(target.join(p)).is_ok())
        .collect();
    if found.is_empty() {
        return Vec::new();
    }
    found.sort_unstable();
    const SHOWN: usize = 5;
    let mut names = found
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if found.len() > SHOWN {
        names.push_str(&format!(" and {} more", found.len() - SHOWN));
    }
    vec![format!(
        "{} {} in the output folder but not part of the site ({names}); kept, but files placed in the output by hand belong in static/, which copies them on every build",
        found.len(),
        if found.len() == 1 {
            "file is"
        } else {
            "files are"
        },
    )]
}

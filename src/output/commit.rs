//! The commit of a build to disk, its undo, and the recovery of one cut
//! short.
//!
//! A later build stages its changed files in a folder inside the output
//! folder, with the new manifest and a journal (the paths to remove). Then
//! [`Commit::run`]:
//! 1. moves every path the journal lists into the staging folder's backup
//!    folder, and marks the journal done (so a rerun never removes again);
//! 2. moves each staged file into place, keeping what it replaces in the
//!    backup folder (a hard link, so the old file stays served until the
//!    new one is renamed over it);
//! 3. installs the new manifest.
//!
//! Every change it makes is logged. If one fails, [`Commit::undo`] plays
//! the log back and the folder is exactly the previous site; the backups
//! are deleted only once the whole commit has succeeded
//! ([`Commit::finish`]). If the process is killed instead, the journal is
//! still there and [`recover`] runs the commit again before the next
//! build: every step can run twice, so the folder ends as the new site.
//! Either way it never holds half of each. Nothing here writes or deletes
//! through a symlink inside the output folder.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use super::OutputPath;
use super::fault::step;
use super::manifest::MARKER;

/// The staging folder's name (followed by `-` and the process id).
pub(super) const STAGING: &str = ".glossator-staging";
/// In a staging folder: the commit has begun. Lists the paths to remove.
pub(super) const JOURNAL: &str = ".glossator-commit";
/// The journal's first line once its removals are done.
const REMOVED: &str = "# removed\n";
/// In a staging folder: what the commit removed or replaced, until it ends.
const BACKUP: &str = ".glossator-backup";

/// Whether a name at the top of a staging folder is one of its control
/// files rather than a file of the site.
pub(super) fn is_control(name: &str) -> bool {
    name.starts_with(JOURNAL) || name.starts_with(MARKER) || name == BACKUP
}

/// One change the commit made, and so can undo.
#[derive(Debug)]
enum Done {
    /// `live` was moved (or linked) to `saved`.
    Saved { live: PathBuf, saved: PathBuf },
    /// `staged` was renamed to `live`.
    Placed { staged: PathBuf, live: PathBuf },
    /// A folder was created.
    Made(PathBuf),
}

/// One commit of a staging folder into an output folder.
pub(super) struct Commit<'a> {
    target: &'a Path,
    staging: &'a Path,
    backup: PathBuf,
    next_backup: usize,
    done: Vec<Done>,
    /// Output folders known to be real folders.
    ready: HashSet<PathBuf>,
    /// Folders a removal may have left empty.
    emptied: HashSet<PathBuf>,
    /// Paths checked for symlinks on the way.
    checked: HashSet<PathBuf>,
    /// What the commit did that the writer should hear about.
    pub notes: Vec<String>,
    /// Files and folders removed.
    pub removed: usize,
}

impl<'a> Commit<'a> {
    pub fn new(target: &'a Path, staging: &'a Path) -> Commit<'a> {
        let backup = staging.join(BACKUP);
        // A rerun after a kill numbers its backups after the first run's.
        let next_backup = fs::read_dir(&backup).map_or(0, |d| d.count());
        Commit {
            target,
            staging,
            backup,
            next_backup,
            done: Vec::new(),
            ready: HashSet::new(),
            emptied: HashSet::new(),
            checked: HashSet::new(),
            notes: Vec::new(),
            removed: 0,
        }
    }

    /// Removes, places and installs; see the module docs. Can run again
    /// on the same staging folder after a kill.
    pub fn run(&mut self) -> Result<()> {
        let journal_path = self.staging.join(JOURNAL);
        let journal = fs::read_to_string(&journal_path).context("cannot read the journal")?;
        let (done, paths) = match journal.strip_prefix(REMOVED) {
            Some(rest) => (true, rest),
            None => (false, journal.as_str()),
        };
        for rel in paths.lines() {
            let Ok(output) = OutputPath::new(rel) else {
                continue;
            };
            if symlink_on_the_way(self.target, rel, &mut self.checked).is_some() {
                continue;
            }
            let live = output.under(self.target);
            if let Some(parent) = live.parent() {
                self.emptied.insert(parent.to_path_buf());
            }
            if !done && fs::symlink_metadata(&live).is_ok() {
                self.save(&live, false)?;
                self.removed += 1;
            }
        }
        if !done && !paths.is_empty() {
            // Removed: a rerun must not remove again what is placed next,
            // but still needs the list to clear the folders left empty.
            let temp = self.staging.join(format!("{JOURNAL}.tmp"));
            step()
                .and_then(|()| fs::write(&temp, format!("{REMOVED}{paths}")))
                .context("cannot update the commit journal")?;
            step()
                .and_then(|()| fs::rename(&temp, &journal_path))
                .context("cannot update the commit journal")?;
        }
        let walk = walkdir::WalkDir::new(self.staging)
            .min_depth(1)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| e.depth() != 1 || !is_control(&e.file_name().to_string_lossy()));
        for entry in walk {
            let entry = entry.context("cannot read the staging folder")?;
            if entry.file_type().is_dir() {
                continue;
            }
            let rel = entry
                .path()
                .strip_prefix(self.staging)
                .unwrap_or(entry.path());
            let rel = rel.to_string_lossy().replace('\\', "/");
            self.place(entry.path(), &rel)?;
        }
        let staged = self.staging.join(MARKER);
        if staged.exists() {
            let live = self.target.join(MARKER);
            if live.exists() {
                // Copied, not moved: the folder never lacks its marker.
                let saved = self.next_saved()?;
                step()
                    .and_then(|()| fs::copy(&live, &saved).map(drop))
                    .context("cannot back up the output manifest")?;
                self.done.push(Done::Saved {
                    live: live.clone(),
                    saved,
                });
            }
            step()
                .and_then(|()| fs::rename(&staged, &live))
                .context("cannot install the output manifest")?;
            self.done.push(Done::Placed { staged, live });
        }
        Ok(())
    }

    /// Plays the log back after [`Commit::run`] failed, leaving the output
    /// folder exactly as it was. If that fails too, the journal stays and
    /// the next build finishes the commit instead.
    pub fn undo(&mut self) -> Result<()> {
        while let Some(done) = self.done.pop() {
            let result = match &done {
                Done::Placed { staged, live } => step().and_then(|()| fs::rename(live, staged)),
                Done::Saved { live, saved } => step().and_then(|()| fs::rename(saved, live)),
                Done::Made(dir) => step().and_then(|()| fs::remove_dir(dir)),
            };
            if let Err(e) = result {
                let what = match &done {
                    Done::Placed { live, .. } | Done::Saved { live, .. } => live.clone(),
                    Done::Made(dir) => dir.clone(),
                };
                self.done.push(done);
                return Err(e).with_context(|| format!("cannot put back {}", what.display()));
            }
        }
        // Undone: the journal goes first, so no later build redoes it.
        step()
            .and_then(|()| fs::remove_file(self.staging.join(JOURNAL)))
            .context("cannot remove the commit journal")?;
        let _ = fs::remove_dir_all(self.staging);
        Ok(())
    }

    /// After a successful run: removes folders left empty and the staging
    /// folder with its backups. What fails here leaves a whole site, so it
    /// is a note, not an error.
    pub fn finish(mut self) -> (usize, Vec<String>) {
        let mut emptied: Vec<PathBuf> = std::mem::take(&mut self.emptied).into_iter().collect();
        emptied.sort_by_key(|p| std::cmp::Reverse(p.components().count()));
        let mut unfinished = None;
        for dir in emptied {
            let mut d = dir.as_path();
            while d != self.target && d.starts_with(self.target) {
                match step().and_then(|()| fs::remove_dir(d)) {
                    // Already gone (a rerun): its parent may still be empty.
                    Ok(()) => {}
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    // Still used, or now a file of the site.
                    Err(e)
                        if matches!(
                            e.kind(),
                            std::io::ErrorKind::DirectoryNotEmpty
                                | std::io::ErrorKind::NotADirectory
                        ) =>
                    {
                        break;
                    }
                    Err(e) => {
                        unfinished = Some(format!("cannot remove the empty {} ({e})", d.display()));
                        break;
                    }
                }
                match d.parent() {
                    Some(p) => d = p,
                    None => break,
                }
            }
        }
        if let Some(why) = unfinished {
            // The journal stays, so the next build clears up again.
            self.notes.push(format!(
                "the site was written, but {why}; the next build clears it up"
            ));
        } else if let Err(e) = step().and_then(|()| fs::remove_dir_all(self.staging)) {
            self.notes.push(format!(
                "the site was written, but {} could not be removed ({e}); the next build removes it",
                self.staging.display()
            ));
        }
        (self.removed, self.notes)
    }

    /// Moves one staged file into place.
    fn place(&mut self, staged: &Path, rel: &str) -> Result<()> {
        let Ok(output) = OutputPath::new(rel) else {
            return Ok(());
        };
        self.prepare_parents(rel)?;
        let live = output.under(self.target);
        match fs::symlink_metadata(&live) {
            Ok(meta) if meta.is_dir() => {
                let files = walkdir::WalkDir::new(&live)
                    .into_iter()
                    .filter_map(Result::ok)
                    .filter(|e| !e.file_type().is_dir())
                    .count();
                self.save(&live, false)?;
                self.notes.push(format!(
                    "{} was a folder (holding {}) where the site has a file; it was replaced by the site's file",
                    live.display(),
                    crate::diagnostic::count(files, "file")
                ));
            }
            Ok(meta) => self.save(&live, meta.is_file())?,
            Err(_) => {}
        }
        step()
            .and_then(|()| fs::rename(staged, &live))
            .with_context(|| format!("cannot move {} into place", live.display()))?;
        self.done.push(Done::Placed {
            staged: staged.to_path_buf(),
            live,
        });
        Ok(())
    }

    /// Makes sure every folder on the way to `rel` is a real folder:
    /// creates missing ones, moves aside a file standing where a folder
    /// belongs, and refuses a symlink.
    fn prepare_parents(&mut self, rel: &str) -> Result<()> {
        let segments: Vec<&str> = rel.split('/').collect();
        let mut dir = self.target.to_path_buf();
        for segment in &segments[..segments.len().saturating_sub(1)] {
            dir.push(segment);
            if self.ready.contains(&dir) {
                continue;
            }
            match fs::symlink_metadata(&dir) {
                Ok(meta) if meta.file_type().is_symlink() => bail!(
                    "{} is a symlink inside the output folder; glossator never writes through one: remove it and build again",
                    dir.display()
                ),
                Ok(meta) if meta.is_dir() => {}
                Ok(_) => {
                    self.save(&dir, false)?;
                    self.notes.push(format!(
                        "{} was a file where the site has a folder; it was removed",
                        dir.display()
                    ));
                    self.make(&dir)?;
                }
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => self.make(&dir)?,
                Err(e) => {
                    return Err(e).with_context(|| format!("cannot read {}", dir.display()));
                }
            }
            self.ready.insert(dir.clone());
        }
        Ok(())
    }

    fn make(&mut self, dir: &Path) -> Result<()> {
        step()
            .and_then(|()| fs::create_dir(dir))
            .with_context(|| format!("cannot create {}", dir.display()))?;
        self.done.push(Done::Made(dir.to_path_buf()));
        Ok(())
    }

    /// Moves `live` into the backup folder; a file about to be replaced is
    /// hard-linked there instead, where the filesystem allows, so it stays
    /// in place until the new one is renamed over it.
    fn save(&mut self, live: &Path, linked: bool) -> Result<()> {
        let saved = self.next_saved()?;
        let linked = linked && step().is_ok() && fs::hard_link(live, &saved).is_ok();
        if !linked {
            step()
                .and_then(|()| fs::rename(live, &saved))
                .with_context(|| format!("cannot move {} aside", live.display()))?;
        }
        self.done.push(Done::Saved {
            live: live.to_path_buf(),
            saved,
        });
        Ok(())
    }

    fn next_saved(&mut self) -> Result<PathBuf> {
        if self.next_backup == 0 && !self.backup.is_dir() {
            step()
                .and_then(|()| fs::create_dir(&self.backup))
                .with_context(|| format!("cannot create {}", self.backup.display()))?;
        }
        let saved = self.backup.join(self.next_backup.to_string());
        self.next_backup += 1;
        Ok(saved)
    }
}

/// Puts a complete staged site where there was no folder: one rename.
pub(super) fn move_into_place(staging: &Path, target: &Path) -> Result<()> {
    step()
        .and_then(|()| fs::rename(staging, target))
        .with_context(|| format!("cannot move the new site to {}", target.display()))
}

/// The first folder between `target` and the file `rel` that is a symlink,
/// if any. `checked` caches folders found fine.
pub(super) fn symlink_on_the_way(
    target: &Path,
    rel: &str,
    checked: &mut HashSet<PathBuf>,
) -> Option<PathBuf> {
    let mut dir = target.to_path_buf();
    let segments: Vec<&str> = rel.split('/').collect();
    for segment in &segments[..segments.len().saturating_sub(1)] {
        dir.push(segment);
        if checked.contains(&dir) {
            continue;
        }
        match fs::symlink_metadata(&dir) {
            Ok(m) if m.file_type().is_symlink() => return Some(dir),
            _ => {
                checked.insert(dir.clone());
            }
        }
    }
    None
}

/// Deals with what an interrupted build left behind: finishes a commit
/// that had begun, and deletes staging folders that had not.
pub(super) fn recover(target: &Path) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    // Beside the target: a first build's staging folder.
    let beside = format!(".{}{STAGING}-", name_of(target));
    if let Ok(entries) = fs::read_dir(parent_of(target)) {
        let mut entries: Vec<PathBuf> = entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| {
                p.file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with(&beside))
            })
            .collect();
        entries.sort();
        for path in entries {
            if !target.exists() && path.join(MARKER).is_file() {
                move_into_place(&path, target)?;
                notes.push(format!(
                    "finished moving an interrupted build's site into {}",
                    target.display()
                ));
            } else {
                fs::remove_dir_all(&path)
                    .with_context(|| format!("cannot remove {}", path.display()))?;
                notes.push(format!(
                    "removed {}, left by an interrupted build",
                    path.display()
                ));
            }
        }
    }
    // Inside the target: a later build's staging, with or without journal.
    let Ok(entries) = fs::read_dir(target) else {
        return Ok(notes);
    };
    let mut stagings: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with(STAGING))
        })
        .collect();
    stagings.sort();
    for staging in stagings {
        if staging.join(JOURNAL).is_file() {
            let mut commit = Commit::new(target, &staging);
            commit.run().with_context(|| {
                format!(
                    "an interrupted build's commit could not be finished, so {} holds parts of two builds; fix the cause, or delete the folder and build again",
                    target.display()
                )
            })?;
            let (removed, more) = commit.finish();
            notes.push(format!(
                "finished the commit of an interrupted build ({removed} files removed)"
            ));
            notes.extend(more);
        } else {
            fs::remove_dir_all(&staging)
                .with_context(|| format!("cannot remove {}", staging.display()))?;
            notes.push(format!(
                "removed {}, left by an interrupted build",
                staging.display()
            ));
        }
    }
    Ok(notes)
}

/// The folder holding the output folder (`.` for a bare name).
pub(super) fn parent_of(target: &Path) -> PathBuf {
    match target.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The output folder's own name, for staging folders beside it.
pub(super) fn name_of(target: &Path) -> String {
    target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "public".into())
}

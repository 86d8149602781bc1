//! The commit of a build to disk, and the recovery of one cut short.
//!
//! [`finish_commit`] is the part of a commit that runs after its journal
//! is written: delete the files the journal lists, move the staged files
//! into place, install the manifest. Every step can run again after a
//! kill, which is how [`recover`] finishes an interrupted commit before the
//! next build starts. Nothing here writes or deletes through a symlink
//! inside the output folder.

use std::collections::HashSet;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result, bail};

use super::OutputPath;
use super::disk::{JOURNAL, MARKER, REPLACED, STAGING, name_of, parent_of};

/// Puts a complete staged site where `target` is. The old folder (empty,
/// or replaced with `--force`) is renamed aside first and deleted after,
/// so `target` is missing only between two renames.
pub(super) fn swap_into_place(staging: &Path, target: &Path) -> Result<()> {
    let aside = parent_of(target).join(format!(
        ".{}{REPLACED}-{}",
        name_of(target),
        std::process::id()
    ));
    let had_target = target.exists();
    if had_target {
        fs::rename(target, &aside)
            .with_context(|| format!("cannot move {} aside", target.display()))?;
    }
    fs::rename(staging, target)
        .with_context(|| format!("cannot move the new site to {}", target.display()))?;
    if had_target {
        fs::remove_dir_all(&aside)
            .with_context(|| format!("cannot remove the replaced {}", aside.display()))?;
    }
    Ok(())
}

/// The second half of a commit, from the journal on: safe to run again
/// after it was cut short, which is how an interrupted commit is finished.
/// Returns how many files were removed.
pub(super) fn finish_commit(target: &Path, staging: &Path) -> Result<usize> {
    let journal = fs::read_to_string(staging.join(JOURNAL)).context("cannot read the journal")?;
    let mut checked = HashSet::new();
    let mut removed = 0;
    let mut emptied: HashSet<PathBuf> = HashSet::new();
    for path in journal.lines() {
        let Ok(output) = OutputPath::new(path) else {
            continue;
        };
        if symlink_on_the_way(target, path, &mut checked).is_some() {
            continue;
        }
        let file = output.under(target);
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
        while d != target && fs::remove_dir(d).is_ok() {
            match d.parent() {
                Some(p) => d = p,
                None => break,
            }
        }
    }
    // Every staged file but the control files goes into place.
    let mut made: HashSet<PathBuf> = HashSet::new();
    for entry in walkdir::WalkDir::new(staging).min_depth(1) {
        let entry = entry.context("cannot read the staging folder")?;
        if entry.file_type().is_dir() {
            continue;
        }
        let rel = entry.path().strip_prefix(staging).unwrap_or(entry.path());
        let rel = rel.to_string_lossy().replace('\\', "/");
        if rel == JOURNAL
            || rel == MARKER
            || rel.starts_with(&format!("{JOURNAL}."))
            || rel.starts_with(&format!("{MARKER}."))
        {
            continue;
        }
        let Ok(output) = OutputPath::new(&rel) else {
            continue;
        };
        if let Some(link) = symlink_on_the_way(target, &rel, &mut checked) {
            bail!(
                "{} is a symlink inside the output folder; glossator never writes through one",
                link.display()
            );
        }
        let to = output.under(target);
        if let Some(parent) = to.parent()
            && !made.contains(parent)
        {
            fs::create_dir_all(parent)
                .with_context(|| format!("cannot create {}", parent.display()))?;
            made.insert(parent.to_path_buf());
        }
        fs::rename(entry.path(), &to)
            .with_context(|| format!("cannot move {} into place", to.display()))?;
    }
    // Already installed if an earlier attempt got this far.
    match fs::rename(staging.join(MARKER), target.join(MARKER)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(e).context("cannot install the output manifest");
        }
        _ => {}
    }
    fs::remove_dir_all(staging).with_context(|| format!("cannot remove {}", staging.display()))?;
    Ok(removed)
}

/// The first folder between `target` and the file `rel` that is a symlink
/// (or is not a folder at all), if any. `checked` caches folders found fine.
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
/// that had begun, deletes staging folders that had not, and puts back a
/// folder a first build's swap had moved aside.
pub(super) fn recover(target: &Path) -> Result<Vec<String>> {
    let mut notes = Vec::new();
    let parent = parent_of(target);
    let name = name_of(target);
    // Beside the target: a first build's staging and a replaced folder.
    let beside_staging = format!(".{name}{STAGING}-");
    let beside_replaced = format!(".{name}{REPLACED}-");
    if let Ok(entries) = fs::read_dir(&parent) {
        let mut entries: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.sort();
        for path in entries {
            let file_name = path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            if file_name.starts_with(&beside_staging) {
                if !target.exists() && path.join(MARKER).is_file() {
                    fs::rename(&path, target)
                        .with_context(|| format!("cannot move {} into place", path.display()))?;
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
            } else if file_name.starts_with(&beside_replaced) {
                if target.exists() {
                    fs::remove_dir_all(&path)
                        .with_context(|| format!("cannot remove {}", path.display()))?;
                } else {
                    fs::rename(&path, target)
                        .with_context(|| format!("cannot restore {}", path.display()))?;
                    notes.push(format!(
                        "restored {}, which an interrupted build had moved aside",
                        target.display()
                    ));
                }
            }
        }
    }
    // Inside the target: a later build's staging, with or without journal.
    if target.join(MARKER).is_file()
        && let Ok(entries) = fs::read_dir(target)
    {
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
                let removed = finish_commit(target, &staging)?;
                notes.push(format!(
                    "finished the commit of an interrupted build ({removed} files removed)"
                ));
            } else {
                fs::remove_dir_all(&staging)
                    .with_context(|| format!("cannot remove {}", staging.display()))?;
                notes.push(format!(
                    "removed {}, left by an interrupted build",
                    staging.display()
                ));
            }
        }
    }
    Ok(notes)
}

#[cfg(test)]
mod tests {
    use super::super::disk::tests::{bytes, names, write};
    use super::super::disk::{DiskSink, MANIFEST_HEADER, read_manifest};
    use super::*;

    #[test]
    fn a_commit_cut_short_is_finished_by_the_next_build() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        write(
            &target,
            vec![bytes("keep.txt", "k"), bytes("old/gone.txt", "g")],
        );
        // A commit that stopped after its journal: nothing moved yet.
        let staging = target.join(format!("{STAGING}-999999"));
        fs::create_dir_all(staging.join("new")).unwrap();
        fs::write(staging.join("new/index.html"), "fresh").unwrap();
        fs::write(staging.join(JOURNAL), "old/gone.txt\n").unwrap();
        fs::write(
            staging.join(MARKER),
            format!(
                "{MANIFEST_HEADER}\n{:032x} keep.txt\n{:032x} new/index.html\n",
                1, 2
            ),
        )
        .unwrap();
        // And a staging folder from a build stopped before its commit.
        let unfinished = target.join(format!("{STAGING}-999998"));
        fs::create_dir_all(&unfinished).unwrap();
        fs::write(unfinished.join("half.html"), "half").unwrap();

        let sink = DiskSink::new(&target).unwrap();
        assert_eq!(sink.recovered.len(), 2, "{:?}", sink.recovered);
        assert_eq!(fs::read(target.join("new/index.html")).unwrap(), b"fresh");
        assert!(!target.join("old").exists());
        assert!(!target.join("half.html").exists());
        assert!(read_manifest(&target).contains_key("new/index.html"));
        sink.abort();
        assert_eq!(names(&target), [MARKER, "keep.txt", "new"]);
    }

    #[test]
    fn a_commit_cut_short_at_its_very_end_is_finished_too() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        write(&target, vec![bytes("keep.txt", "k")]);
        // Everything moved and the manifest installed; only the journal
        // and the staging folder itself were left.
        let staging = target.join(format!("{STAGING}-999999"));
        fs::create_dir_all(&staging).unwrap();
        fs::write(staging.join(JOURNAL), "").unwrap();
        let sink = DiskSink::new(&target).unwrap();
        assert_eq!(sink.recovered.len(), 1, "{:?}", sink.recovered);
        sink.abort();
        assert_eq!(names(&target), [MARKER, "keep.txt"]);
    }

    #[test]
    fn a_first_build_cut_short_is_cleared_or_finished() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("public");
        // Stopped while rendering: no marker in the staging folder.
        let half = dir.path().join(format!(".public{STAGING}-999999"));
        fs::create_dir_all(&half).unwrap();
        fs::write(half.join("index.html"), "half").unwrap();
        DiskSink::new(&target).unwrap().abort();
        assert_eq!(names(dir.path()), Vec::<String>::new());
        // Stopped between moving the old folder aside and the new in.
        let aside = dir.path().join(format!(".public{REPLACED}-999999"));
        fs::create_dir_all(&aside).unwrap();
        fs::write(aside.join("mine.txt"), "mine").unwrap();
        DiskSink::new(&target).unwrap().abort();
        assert_eq!(fs::read(target.join("mine.txt")).unwrap(), b"mine");
        assert_eq!(names(dir.path()), ["public"]);
    }
}

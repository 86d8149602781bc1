//! Tests of the commit: recovery after a kill, the disk checked against
//! the manifest, and fault injection at every step of a commit.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;

use super::commit::{JOURNAL, STAGING};
use super::disk::{CommitFailure, Committed, DiskSink};
use super::disk_tests::{bytes, names, write};
use super::fault::{self, Fault};
use super::manifest::{self, MARKER};
use super::{OutputFile, OutputSink};

/// Everything in `target`: each file's bytes (folders as `/`), with the
/// manifest reduced to its paths and hashes (its times differ by run).
/// Leftover staging folders are listed by name only.
fn tree(target: &Path) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for entry in walkdir::WalkDir::new(target).min_depth(1) {
        let entry = entry.unwrap();
        let rel = entry
            .path()
            .strip_prefix(target)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        if rel == MARKER {
            let mut listed: Vec<String> = manifest::read(target)
                .into_iter()
                .map(|(p, e)| format!("{:x} {p}", e.hash))
                .collect();
            listed.sort();
            out.insert(rel, listed.join("\n"));
        } else if entry.file_type().is_dir() {
            out.insert(format!("{rel}/"), String::new());
        } else {
            out.insert(rel, fs::read_to_string(entry.path()).unwrap());
        }
    }
    out
}

fn without_staging(mut t: BTreeMap<String, String>) -> BTreeMap<String, String> {
    t.retain(|k, _| !k.starts_with(STAGING));
    t
}

fn old_site() -> Vec<OutputFile> {
    vec![
        bytes("index.html", "home A"),
        bytes("about/index.html", "about"),
        bytes("2009/03/03/fish/index.html", "fish A"),
        bytes("2009/03/04/gone/index.html", "gone"),
        bytes("notes", "a file that becomes a folder"),
        bytes("tags/x/index.html", "a folder that becomes a file"),
        bytes("style.css", "css"),
    ]
}

fn new_site() -> Vec<OutputFile> {
    vec![
        bytes("index.html", "home B"),
        bytes("about/index.html", "about"),
        bytes("2009/03/03/fish/index.html", "fish B"),
        bytes("2010/01/01/new/index.html", "new"),
        bytes("notes/index.html", "notes"),
        bytes("tags/x", "now a file"),
        bytes("style.css", "css"),
    ]
}

/// The old site, built, with a stray file a writer put there by hand.
fn built_old(target: &Path) {
    let _ = fs::remove_dir_all(target);
    write(target, old_site());
    fs::write(target.join("CNAME"), "blog.example").unwrap();
}

fn commit_new(target: &Path) -> Result<Committed, CommitFailure> {
    let sink = DiskSink::new(target).unwrap();
    for f in new_site() {
        sink.accept(f);
    }
    sink.commit()
}

/// Quiets the panics the crash faults raise; other panics still print.
fn quiet_injected_crashes() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let injected = info
                .payload()
                .downcast_ref::<String>()
                .is_some_and(|m| m.starts_with("injected crash"));
            if !injected {
                previous(info);
            }
        }));
    });
}

#[test]
fn every_failed_step_leaves_the_old_site_whole() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("public");
    // What the new site looks like when nothing fails.
    built_old(&target);
    commit_new(&target).unwrap();
    let new = tree(&target);
    assert_eq!(new["CNAME"], "blog.example", "the stray is kept");

    let mut failures = 0;
    for n in 1.. {
        built_old(&target);
        let old = tree(&target);
        fault::inject(n, Fault::Error);
        let result = commit_new(&target);
        let steps = fault::clear();
        match result {
            // A step with a fallback (a hard link, then a rename) or one
            // after the site is whole (clearing up) may fail and still
            // leave the new site.
            Ok(done) => {
                if done.notes.iter().all(|n| n.contains("CNAME")) {
                    assert_eq!(without_staging(tree(&target)), new, "step {n} of {steps}");
                }
                if n > steps {
                    break;
                }
            }
            Err(failure) => {
                failures += 1;
                assert!(failure.intact, "step {n}: {:#}", failure.error);
                assert!(
                    format!("{:#}", failure.error).contains("injected failure"),
                    "step {n}: {:#}",
                    failure.error
                );
                assert_eq!(tree(&target), old, "step {n}: the old site, exactly");
            }
        }
        // And the next build, with nothing failing, gives the new site.
        commit_new(&target).unwrap();
        assert_eq!(tree(&target), new, "after step {n} failed");
    }
    assert!(failures > 15, "only {failures} steps were tried");
}

#[test]
fn a_kill_at_any_step_ends_as_one_whole_site() {
    quiet_injected_crashes();
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("public");
    built_old(&target);
    commit_new(&target).unwrap();
    let new = tree(&target);

    let (mut old_seen, mut new_seen) = (0, 0);
    for n in 1.. {
        built_old(&target);
        let old = tree(&target);
        fault::inject(n, Fault::Crash);
        let crashed =
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| commit_new(&target))).is_err();
        fault::clear();
        if !crashed {
            break;
        }
        // The next build first recovers: the folder is then one site.
        let sink = DiskSink::new(&target).unwrap();
        sink.abort();
        let recovered = tree(&target);
        if recovered == old {
            old_seen += 1;
        } else {
            assert_eq!(recovered, new, "step {n}: neither the old site nor the new");
            new_seen += 1;
        }
        commit_new(&target).unwrap();
        assert_eq!(tree(&target), new, "after a kill at step {n}");
    }
    assert!(old_seen > 0 && new_seen > 10, "{old_seen} {new_seen}");
}

#[test]
fn the_disk_is_checked_against_the_manifest() {
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("public");
    let site = || {
        vec![
            bytes("index.html", "home"),
            bytes("about/index.html", "about"),
            bytes("2009/a/index.html", "a"),
            bytes("2009/b/index.html", "b"),
            bytes("touched.txt", "same bytes"),
            bytes("feed.xml", "feed"),
        ]
    };
    write(&target, site());
    let clean = tree(&target);
    // Five kinds of damage, and a file only touched.
    fs::write(target.join("index.html"), "home, edited by hand").unwrap();
    fs::remove_file(target.join("about/index.html")).unwrap();
    fs::remove_dir_all(target.join("2009")).unwrap();
    fs::write(target.join("google1234.html"), "verification").unwrap();
    fs::remove_file(target.join("feed.xml")).unwrap();
    fs::create_dir(target.join("feed.xml")).unwrap();
    fs::write(target.join("feed.xml/inner"), "x").unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(5);
    fs::File::options()
        .write(true)
        .open(target.join("touched.txt"))
        .unwrap()
        .set_modified(later)
        .unwrap();

    let sink = DiskSink::new(&target).unwrap();
    for f in site() {
        sink.accept(f);
    }
    let done = sink.commit().unwrap();
    assert_eq!(done.stats.restored, 5, "{:?}", done.stats);
    assert_eq!(done.stats.written, 5);
    let mut expected = clean.clone();
    expected.insert("google1234.html".into(), "verification".into());
    assert_eq!(tree(&target), expected);
    let notes = done.notes.join("\n");
    assert!(notes.contains("google1234.html"), "{notes}");
    assert!(notes.contains("static/"), "{notes}");
    assert!(notes.contains("feed.xml was a folder"), "{notes}");
    // Checked once, the touched file is trusted again by its new time.
    let done = {
        let sink = DiskSink::new(&target).unwrap();
        for f in site() {
            sink.accept(f);
        }
        sink.commit().unwrap()
    };
    assert_eq!(done.stats.written, 0);
}

#[test]
fn a_folder_without_a_marker_is_replaced_in_place() {
    // What a mount point needs: the folder itself is never renamed.
    let dir = tempfile::tempdir().unwrap();
    let target = dir.path().join("mnt");
    fs::create_dir_all(target.join("old")).unwrap();
    fs::write(target.join("old/thesis.tex"), "x").unwrap();
    fs::write(target.join("index.html"), "someone else's").unwrap();
    let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&fs::metadata(p).unwrap());
    let before = inode(&target);
    write(&target, vec![bytes("index.html", "ours")]);
    assert_eq!(inode(&target), before, "the same folder");
    assert_eq!(names(&target), [MARKER, "index.html"]);
    assert_eq!(fs::read(target.join("index.html")).unwrap(), b"ours");
}

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
    let mut entries: Vec<_> = manifest::read(&target).into_iter().collect();
    entries.retain(|(p, _)| p == "keep.txt");
    entries.push((
        "new/index.html".into(),
        manifest::Entry {
            hash: 2,
            key: 0,
            stamp: None,
        },
    ));
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    fs::write(staging.join(MARKER), manifest::render(&entries)).unwrap();
    // And a staging folder from a build stopped before its commit.
    let unfinished = target.join(format!("{STAGING}-999998"));
    fs::create_dir_all(&unfinished).unwrap();
    fs::write(unfinished.join("half.html"), "half").unwrap();

    let sink = DiskSink::new(&target).unwrap();
    assert_eq!(sink.recovered.len(), 2, "{:?}", sink.recovered);
    assert_eq!(fs::read(target.join("new/index.html")).unwrap(), b"fresh");
    assert!(!target.join("old").exists());
    assert!(!target.join("half.html").exists());
    assert!(manifest::read(&target).contains_key("new/index.html"));
    sink.abort();
    assert_eq!(names(&target), [MARKER, "keep.txt", "new"]);
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
    // Stopped just before the rename: the marker says it is complete.
    fs::create_dir_all(&half).unwrap();
    fs::write(half.join("index.html"), "whole").unwrap();
    fs::write(half.join(MARKER), manifest::render(&[])).unwrap();
    DiskSink::new(&target).unwrap().abort();
    assert_eq!(names(dir.path()), ["public"]);
    assert_eq!(fs::read(target.join("index.html")).unwrap(), b"whole");
}

//! Tests of the disk sink: what a build writes, keeps and refuses.

use std::fs;
use std::path::Path;

use super::disk::{DiskSink, WriteStats};
use super::manifest::MARKER;
use super::{Body, OutputFile, OutputPath, OutputSink};

/// A file of text, for the output tests here and in `commit`.
pub(super) fn bytes(path: &str, text: &str) -> OutputFile {
    OutputFile {
        path: OutputPath::new(path).unwrap(),
        body: Body::Bytes(bytes::Bytes::copy_from_slice(text.as_bytes())),
    }
}

/// One whole build of `files` into `target`.
pub(super) fn write(target: &Path, files: Vec<OutputFile>) -> WriteStats {
    let sink = DiskSink::new(target).unwrap();
    for f in files {
        sink.accept(f);
    }
    sink.commit().unwrap().stats
}

/// The sorted names in `dir`.
pub(super) fn names(dir: &Path) -> Vec<String> {
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
    let err = sink.commit().unwrap_err().error.to_string();
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

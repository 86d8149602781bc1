//! The output promise, through the real binary: the disk is the truth (a
//! damaged `public/` is restored by the next build), an output folder that
//! cannot be renamed still works, and a new site passes its own `check`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fs;
use std::path::Path;

use support::{build_ok, glossator, site, snapshot_tree, stderr, stdout};

/// The output folder without the manifest, whose times differ by build.
fn site_files(public: &Path) -> Vec<(String, Vec<u8>)> {
    snapshot_tree(public)
        .into_iter()
        .filter(|(p, _)| p != ".glossator-output")
        .collect()
}

#[test]
fn a_damaged_output_is_restored_by_the_next_build() {
    let dir = site("formats");
    build_ok(dir.path(), &[]);
    let public = dir.path().join("public");
    let clean = site_files(&public);
    // Five kinds of damage.
    let index = public.join("index.html");
    let mut edited = fs::read_to_string(&index).unwrap();
    edited.push_str("<p>edited by hand</p>");
    fs::write(&index, edited).unwrap();
    let about = fs::read_dir(public.join("tags"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.is_dir())
        .expect("a tag page")
        .join("index.html");
    fs::remove_file(&about).unwrap();
    let year = fs::read_dir(&public)
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.file_name().unwrap().to_string_lossy().starts_with("20"))
        .expect("a year folder");
    fs::remove_dir_all(&year).unwrap();
    fs::write(public.join("CNAME"), "blog.example\n").unwrap();
    fs::remove_file(public.join("atom.xml")).unwrap();
    fs::create_dir(public.join("atom.xml")).unwrap();
    fs::write(public.join("atom.xml/inside.txt"), "x").unwrap();

    for args in [&[][..], &["--force"][..]] {
        let out = build_ok(dir.path(), args);
        let mut expected = clean.clone();
        expected.push(("CNAME".into(), b"blog.example\n".to_vec()));
        expected.sort();
        assert_eq!(site_files(&public), expected, "{args:?}");
        let err = stderr(&out);
        if args.is_empty() {
            assert!(stdout(&out).contains("restored"), "{}", stdout(&out));
            assert!(err.contains("atom.xml was a folder"), "{err}");
        }
        // The stray is kept and named, every time, with where it belongs.
        assert!(err.contains("CNAME"), "{err}");
        assert!(err.contains("static/"), "{err}");
    }
    let out = build_ok(dir.path(), &[]);
    assert!(
        stdout(&out).contains("(0 written, 0 removed"),
        "{}",
        stdout(&out)
    );
}

#[test]
fn an_output_folder_under_a_read_only_parent_is_written_in_place() {
    use std::os::unix::fs::PermissionsExt;
    let dir = site("formats");
    let parent = dir.path().join("mnt");
    let public = parent.join("www");
    fs::create_dir_all(&public).unwrap();
    fs::write(
        public.join("old.html"),
        "an empty server folder's placeholder",
    )
    .unwrap();
    let lock = |mode| fs::set_permissions(&parent, fs::Permissions::from_mode(mode)).unwrap();
    lock(0o555);
    // Root writes anyway; then the build runs as another user.
    let as_root = fs::write(parent.join("probe"), "").is_ok();
    let run = |args: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_glossator"));
        cmd.args(args).current_dir(dir.path()).env("NO_COLOR", "1");
        if as_root {
            use std::os::unix::process::CommandExt;
            const NOBODY: u32 = 65534;
            for entry in walkdir::WalkDir::new(dir.path()) {
                let path = entry.unwrap().into_path();
                if path != parent && path != dir.path() {
                    std::os::unix::fs::lchown(&path, Some(NOBODY), Some(NOBODY)).unwrap();
                }
            }
            // Only the site and the output are the other user's; the
            // parent of the output stays root's, so it is read-only to it.
            std::os::unix::fs::lchown(dir.path(), Some(NOBODY), Some(NOBODY)).unwrap();
            cmd.uid(NOBODY).gid(NOBODY).env("HOME", dir.path());
        }
        cmd.output().unwrap()
    };
    let _ = fs::remove_file(parent.join("probe"));
    let out = run(&["build", "--force", "-o", "mnt/www"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(public.join("index.html").exists());
    assert!(!public.join("old.html").exists(), "--force replaced it");
    // A second build, with a change, works the same way.
    fs::write(
        dir.path().join("content/posts/toml.md"),
        "+++\ntitle = \"Changed title\"\ndate = 2009-03-03T14:10:00-05:00\n+++\nx\n",
    )
    .unwrap();
    let out = run(&["build", "-o", "mnt/www"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        fs::read_to_string(public.join("index.html"))
            .unwrap()
            .contains("Changed title")
    );
    let beside: Vec<String> = fs::read_dir(&parent)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(beside, ["www"], "nothing left beside the output");
    lock(0o755);
}

#[test]
fn a_new_site_passes_its_own_check() {
    let dir = tempfile::tempdir().unwrap();
    let out = glossator(dir.path(), &["init", "blog"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let out = glossator(&dir.path().join("blog"), &["check"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

/// The site as a build into a new folder (`fresh/`) makes it.
fn built_afresh(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let fresh = dir.join("fresh");
    build_ok(dir, &["-o", fresh.to_str().unwrap()]);
    site_files(&fresh)
}

/// The number in `-v`'s "N files found unchanged before rendering".
fn unrendered(out: &std::process::Output) -> usize {
    let err = stderr(out);
    let line = err
        .lines()
        .find(|l| l.contains("found unchanged before rendering"))
        .unwrap_or_else(|| panic!("no count in:\n{err}"));
    line.split_whitespace().next().unwrap().parse().unwrap()
}

#[test]
fn a_page_is_left_unrendered_only_while_its_inputs_and_its_file_are_the_last_builds() {
    let dir = site("theme_override");
    let public = dir.path().join("public");
    let first = build_ok(dir.path(), &["-v"]);
    assert_eq!(unrendered(&first), 0, "a first build renders everything");
    let clean = site_files(&public);
    // A build into a folder built before records what each page is made
    // from (a first build into a new folder does not).
    let second = build_ok(dir.path(), &["-v"]);
    assert_eq!(unrendered(&second), 0, "no keys recorded yet");

    // Nothing changed: every file is known by its key.
    let again = build_ok(dir.path(), &["-v"]);
    assert_eq!(unrendered(&again), clean.len());
    assert_eq!(site_files(&public), clean);

    // A page altered by hand to the same size is not trusted: it is made
    // and written again.
    let (page, bytes) = clean
        .iter()
        .find(|(p, _)| p.ends_with("index.html") && p.contains('/'))
        .unwrap();
    let mut altered = bytes.clone();
    let at = altered.iter().rposition(|&b| b == b'>').unwrap();
    altered[at] = b'x';
    std::thread::sleep(std::time::Duration::from_millis(20));
    fs::write(public.join(page), &altered).unwrap();
    let restored = build_ok(dir.path(), &["-v"]);
    assert!(
        stdout(&restored).contains("1 written"),
        "{}",
        stdout(&restored)
    );
    assert_eq!(unrendered(&restored), clean.len() - 1);
    assert_eq!(site_files(&public), clean);

    // A template: the pages it makes are rendered again, and the output
    // is what a build into a new folder makes.
    let template = dir.path().join("templates/post.html");
    let text = fs::read_to_string(&template).unwrap();
    fs::write(&template, text.replace("site-post", "site-post changed")).unwrap();
    let changed = build_ok(dir.path(), &["-v"]);
    let now = site_files(&public);
    assert_eq!(now, built_afresh(dir.path()));
    let differing = now.iter().zip(&clean).filter(|(a, b)| a != b).count();
    assert!(differing > 0, "the post pages changed");
    assert!(
        unrendered(&changed) + differing <= clean.len(),
        "{} unrendered, {differing} changed, of {}",
        unrendered(&changed),
        clean.len()
    );
}

#[test]
fn a_word_changed_past_the_summary_reaches_its_page_on_a_repeat_build() {
    let dir = site("formats");
    let post = dir.path().join("content/posts/2020-05-05-keyed.md");
    let text = |animal: &str| {
        format!(
            "+++\ntitle = \"Keyed\"\ndate = 2020-05-05\n+++\nThe first paragraph, which lists show.\n\nA second one about a {animal}.\n"
        )
    };
    fs::write(&post, text("hippo")).unwrap();
    // The second build records keys, the third uses them.
    for _ in 0..3 {
        build_ok(dir.path(), &[]);
    }
    // The same number of words, the same summary: only the page's HTML
    // differs, and the page must be made again.
    fs::write(&post, text("rhino")).unwrap();
    let out = build_ok(dir.path(), &["-v"]);
    assert!(unrendered(&out) > 0, "{}", stderr(&out));
    let public = dir.path().join("public");
    let files = site_files(&public);
    assert_eq!(files, built_afresh(dir.path()));
    let shows = |word: &str| {
        files
            .iter()
            .any(|(_, b)| String::from_utf8_lossy(b).contains(word))
    };
    assert!(shows("rhino") && !shows("hippo"));
}

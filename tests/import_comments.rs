//! `glossator import disqus` and `import staticman` onto a site with posts
//! of its own (`tests/fixtures/import/comments-site`), from a Disqus
//! export and a Staticman data folder written from their formats.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::{Path, PathBuf};

use support::{build_ok, glossator, read, snapshot_tree, stderr, stdout};

fn fixture(name: &str) -> PathBuf {
    support::fixtures().join("import").join(name)
}

fn site() -> tempfile::TempDir {
    support::site("import/comments-site")
}

fn import(site: &Path, args: &[&str]) -> String {
    let mut all = vec!["import"];
    all.extend_from_slice(args);
    let out = glossator(site, &all);
    assert!(out.status.success(), "{}", stderr(&out));
    stdout(&out)
}

fn comment(site: &Path, post: &str, id: &str) -> String {
    read(site.join(format!("content/comments/{post}/{id}.md")))
}

#[test]
fn disqus_threads_find_their_posts() {
    let dir = site();
    let export = fixture("disqus/export.xml");
    let summary = import(dir.path(), &["disqus", export.to_str().unwrap()]);
    for want in [
        "2 threads matched",
        "1 deleted comments left out",
        "1 spam comments left out",
        "1 duplicate comments skipped",
        "1 comments on threads matching no post",
    ] {
        assert!(summary.contains(want), "{want:?} not in {summary}");
    }
    // Matched through an old URL (the post's alias), over http.
    let reply = comment(dir.path(), "tide-tables", "disqus-5003");
    assert!(reply.contains("parent = \"disqus-5002\""), "{reply}");
    // Matched through a www. variant with a query and fragment.
    assert!(comment(dir.path(), "spring-tides", "disqus-5006").contains("Ines Okafor"));
    // A name missing: the username stands in.
    assert!(comment(dir.path(), "tide-tables", "disqus-5002").contains("author = \"treyes\""));
    // The comment WordPress already brought is not written twice.
    assert!(
        !dir.path()
            .join("content/comments/tide-tables/disqus-5001.md")
            .exists()
    );
    let report = read(dir.path().join("import-report.txt"));
    assert!(
        report.contains("thread https://tides.example/a-page-that-was-removed/ matches no post of the site: its 1 comment(s) left out"),
        "{report}"
    );
    assert!(
        report.contains("unsafe link dropped from comment disqus-5003"),
        "{report}"
    );
    build_ok(dir.path(), &[]);
    let page = read(dir.path().join("public/2019/05/12/tide-tables/index.html"));
    assert!(page.contains("id=\"comment-disqus-5003\""));
    assert_private_data_and_scripts_absent(dir.path());
    // Again: the same files.
    let before = snapshot_tree(&dir.path().join("content"));
    let again = import(dir.path(), &["disqus", export.to_str().unwrap()]);
    assert!(again.contains("Files: 0 written"), "{again}");
    assert_eq!(before, snapshot_tree(&dir.path().join("content")));
}

#[test]
fn staticman_folders_find_their_posts() {
    let dir = site();
    let data = fixture("staticman/comments");
    let summary = import(dir.path(), &["staticman", data.to_str().unwrap()]);
    assert!(summary.contains("2 folders matched"), "{summary}");
    assert!(
        summary.contains("1 comments in folders matching no post"),
        "{summary}"
    );
    // `--my-Harbour--Walk-` is the post `My-Harbour-Walk`: a chain of three.
    let walk = |id: &str| comment(dir.path(), "my-harbour-walk", &format!("sm-{id}"));
    let second = walk("9b3d1f70-9b1a-11e9-a1b1-1b2c3d4e5f60");
    assert!(second.contains("parent = \"sm-8a2c0e60-9b1a-11e9-a1b1-1b2c3d4e5f60\""));
    assert!(
        second.contains("**all the way**"),
        "Markdown message: {second}"
    );
    assert!(
        second.contains("[the map](https://maps.example/harbour)"),
        "{second}"
    );
    let first = walk("8a2c0e60-9b1a-11e9-a1b1-1b2c3d4e5f60");
    assert!(first.contains("*lighthouse*"), "HTML message: {first}");
    let third = walk("ac4e2080-9b1a-11e9-a1b1-1b2c3d4e5f60");
    assert!(third.contains("parent = \"sm-9b3d1f70-9b1a-11e9-a1b1-1b2c3d4e5f60\""));
    // A reply given as the place of the comment it answers.
    assert!(comment(dir.path(), "spring-tides", "sm-c2").contains("parent = \"sm-c1\""));
    let report = read(dir.path().join("import-report.txt"));
    assert!(
        report.contains("the folder `no-such-post` matches no post"),
        "{report}"
    );
    build_ok(dir.path(), &[]);
    let page = read(
        dir.path()
            .join("public/2019/07/01/my-harbour-walk/index.html"),
    );
    assert!(page.contains("depth-3"), "threaded three deep");
    assert_private_data_and_scripts_absent(dir.path());
}

#[test]
fn a_post_key_names_the_post_when_folders_do_not() {
    let dir = site();
    let data = tempfile::tempdir().unwrap();
    let folder = data.path().join("a1b2c3");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("c.yml"),
        "_id: k1\nname: Lev\nmessage: Keyed.\ndate: '2019-06-05T10:00:00Z'\npage: /2019/06/01/spring-tides/\n",
    )
    .unwrap();
    let summary = import(dir.path(), &["staticman", data.path().to_str().unwrap()]);
    assert!(!summary.contains("folders matched"), "{summary}");
    assert!(
        read(dir.path().join("import-report.txt")).contains("the folder `a1b2c3` matches no post")
    );
    let summary = import(
        dir.path(),
        &[
            "staticman",
            data.path().to_str().unwrap(),
            "--post-key",
            "page",
        ],
    );
    assert!(summary.contains("1 folders matched"), "{summary}");
    assert!(comment(dir.path(), "spring-tides", "sm-k1").contains("Keyed."));
}

fn assert_private_data_and_scripts_absent(site: &Path) {
    for dir in ["content", "public"] {
        for (path, bytes) in snapshot_tree(&site.join(dir)) {
            // The theme's own search script aside.
            let text = String::from_utf8_lossy(&bytes)
                .to_ascii_lowercase()
                .replace("<script src=\"/search.js\"", "");
            for bad in [
                "javascript:",
                "<script",
                "@example.com",
                "editor@tides",
                "192.0.2.",
            ] {
                assert!(!text.contains(bad), "{bad} in {dir}/{path}");
            }
        }
    }
}

//! Reuse is invisible: the sample blog and the fixture sites, built with
//! every per-post value and list item kept and handed to each page that
//! shows the post (the default), and built again with each made anew
//! where it is used, give the same bytes in every file.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use glossator::build::{BuildOptions, build_site};

/// Every output file under `dir` by relative path, but the output marker
/// (which records write times).
fn files(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .filter(|e| e.file_name() != ".glossator-output")
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (rel, fs::read(e.path()).unwrap())
        })
        .collect()
}

fn build(root: &Path, reuse: bool) -> BTreeMap<PathBuf, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    let options = BuildOptions {
        output: Some(out.path().join("public")),
        // One fixed "now", so that both builds date the same posts.
        now: "2026-06-01T12:00:00Z".parse().unwrap(),
        reuse,
        ..BuildOptions::new(root)
    };
    if let Err(e) = build_site(&options, |_| {}) {
        panic!("{} did not build: {e:?}", root.display());
    }
    files(&out.path().join("public"))
}

fn assert_same(root: &Path) {
    let kept = build(root, true);
    let anew = build(root, false);
    assert!(
        kept.keys().any(|p| p.ends_with("index.html")),
        "{}: no pages",
        root.display()
    );
    assert_eq!(
        kept.keys().collect::<Vec<_>>(),
        anew.keys().collect::<Vec<_>>(),
        "{}: the two builds wrote different files",
        root.display()
    );
    for (path, bytes) in &kept {
        assert!(
            bytes == &anew[path],
            "{}: {} differs with reuse on and off",
            root.display(),
            path.display()
        );
    }
}

#[test]
fn the_sample_blog_is_the_same_with_reuse_off() {
    let dir = tempfile::tempdir().unwrap();
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    for part in ["content", "themes", "sources", "static"] {
        if repo.join(part).is_dir() {
            support::copy_dir(&repo.join(part), &dir.path().join(part));
        }
    }
    fs::copy(
        repo.join("glossator.toml"),
        dir.path().join("glossator.toml"),
    )
    .unwrap();
    assert_same(dir.path());
}

#[test]
fn every_fixture_site_is_the_same_with_reuse_off() {
    let mut sites = 0;
    for entry in fs::read_dir(support::fixtures()).unwrap() {
        let path = entry.unwrap().path();
        // Bad inputs fail on purpose; `import` holds exports, not a site.
        if !path.join("glossator.toml").is_file() {
            continue;
        }
        let dir = support::site(path.file_name().unwrap().to_str().unwrap());
        assert_same(dir.path());
        sites += 1;
    }
    assert!(sites >= 8, "only {sites} fixture sites found");
}

/// The taxonomies fixture with the site's own `templates/item.html`.
fn taxonomies_with_item(template: &str) -> tempfile::TempDir {
    let dir = support::site("taxonomies");
    let templates = dir.path().join("templates");
    fs::create_dir_all(&templates).unwrap();
    fs::write(templates.join("item.html"), template).unwrap();
    dir
}

/// A theme's own `item.html` is what every list shows, and it sees the
/// post, not the page it is shown on: a tag page and the home page show
/// the same item.
#[test]
fn a_themes_item_template_is_shown_on_every_list() {
    let dir = taxonomies_with_item("<p class=\"it\">{{ post.title }}|{{ site.title }}</p>");
    for reuse in [true, false] {
        let built = build(dir.path(), reuse);
        let home = String::from_utf8(built[Path::new("index.html")].clone()).unwrap();
        let tagged = built
            .iter()
            .find(|(p, _)| {
                p.starts_with("topics") && p.ends_with("index.html") && p.components().count() == 3
            })
            .map(|(_, b)| String::from_utf8(b.clone()).unwrap())
            .expect("a tag page");
        for page in [&home, &tagged] {
            assert!(page.contains("<p class=\"it\">"), "{page}");
            assert!(
                !page.contains("class=\"h-entry"),
                "built-in item still shown: {page}"
            );
        }
        let item = tagged.split("<p class=\"it\">").nth(1).unwrap();
        let item = item.split("</p>").next().unwrap();
        assert!(home.contains(item), "{item} not on the home page");
    }
}

/// A list item that reads a page's values is told, at its line, that it
/// has only `post` and `site`: it is never rendered with one page's values
/// and shown on another.
#[test]
fn a_list_item_reading_page_values_is_an_error_at_its_line() {
    let dir = taxonomies_with_item("<p>\n{{ paginator.number }}</p>");
    let out = support::glossator(dir.path(), &["build"]);
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("templates/item.html:2:"), "{err}");
    assert!(err.contains("Available variables: post, site"), "{err}");
}

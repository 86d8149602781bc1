//! `glossator import jekyll|hugo|zola` on sites written from each
//! generator's documentation (`tests/fixtures/import/<generator>/`):
//! imported into a fresh `init` site, built, and checked. The old URLs are
//! worked out here from the fixture's own files by each generator's
//! documented rules, not listed by hand.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use support::{build_ok, glossator, read, snapshot_tree, stderr, stdout};

fn fixture(name: &str) -> PathBuf {
    support::fixtures().join("import").join(name)
}

/// A fresh site with a fixture imported: (temp dir, site, stdout).
fn imported(generator: &str) -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    assert!(glossator(dir.path(), &["init", "site"]).status.success());
    let site = dir.path().join("site");
    let old = fixture(generator);
    let out = glossator(&site, &["import", generator, old.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    (dir, site, stdout(&out))
}

fn front_matter(text: &str) -> BTreeMap<String, toml::Value> {
    let (fence, yaml) = if text.starts_with("+++") {
        ("+++", false)
    } else {
        ("---", true)
    };
    let Some(rest) = text.strip_prefix(fence) else {
        return BTreeMap::new();
    };
    let end = rest.find(&format!("\n{fence}")).unwrap();
    let front = &rest[..end];
    if yaml {
        let value: serde_json::Value = serde_saphyr::from_str(front).unwrap();
        toml::from_str(&toml::to_string(&value).unwrap()).unwrap()
    } else {
        toml::from_str(front).unwrap()
    }
}

fn text(fm: &BTreeMap<String, toml::Value>, key: &str) -> Option<String> {
    match fm.get(key)? {
        toml::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}

fn list(fm: &BTreeMap<String, toml::Value>, key: &str) -> Vec<String> {
    match fm.get(key) {
        Some(toml::Value::Array(a)) => a
            .iter()
            .filter_map(|v| v.as_str().map(String::from))
            .collect(),
        Some(toml::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

fn served(path: &str) -> String {
    let mut p = format!("/{}", path.trim_start_matches('/'));
    if !p.ends_with('/') && !p.ends_with(".html") {
        p.push('/');
    }
    p
}

fn answers(public: &Path, url: &str) -> bool {
    let rel = url.trim_start_matches('/');
    let file = if url.ends_with('/') {
        public.join(rel).join("index.html")
    } else {
        public.join(rel)
    };
    file.is_file()
}

fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.to_lowercase().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

/// Hugo's urlize: lower case, dots kept, spaces dashes, other marks gone.
fn urlize(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.chars() {
        if c.is_alphanumeric() || ".-_".contains(c) {
            if dash {
                out.push('-');
                dash = false;
            }
            out.extend(c.to_lowercase());
        } else if c == ' ' && !out.is_empty() {
            dash = true;
        }
    }
    out
}

/// Every Markdown file under a folder, with its front matter.
fn documents(dir: &Path) -> Vec<(PathBuf, BTreeMap<String, toml::Value>)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| {
            e.file_type().is_file()
                && e.path()
                    .extension()
                    .is_some_and(|x| x == "md" || x == "markdown")
        })
        .map(|e| (e.path().to_path_buf(), front_matter(&read(e.path()))))
        .collect()
}

/// What every import must show: it builds and checks clean, every old URL
/// answers, no converted syntax is left in any page, and what could not
/// be converted is still visible and reported.
fn assert_import(
    generator: &str,
    old_urls: &[String],
    gone: &[&str],
    visible: &[&str],
) -> (tempfile::TempDir, PathBuf) {
    let (dir, site, _) = imported(generator);
    build_ok(&site, &[]);
    let out = glossator(&site, &["check"]);
    assert!(
        out.status.success(),
        "{generator}: check failed:\n{}",
        stderr(&out)
    );
    let public = site.join("public");
    assert!(old_urls.len() >= 5, "{old_urls:?}");
    for url in old_urls {
        assert!(
            answers(&public, url),
            "{generator}: the old URL {url} does not answer"
        );
    }
    let pages: String = snapshot_tree(&public)
        .into_iter()
        .filter(|(p, _)| p.ends_with(".html"))
        .map(|(_, b)| String::from_utf8_lossy(&b).into_owned())
        .collect::<String>()
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&amp;", "&");
    for syntax in gone {
        assert!(
            !pages.contains(syntax),
            "{generator}: `{syntax}` left in a page"
        );
    }
    for construct in visible {
        assert!(
            pages.contains(construct),
            "{generator}: `{construct}` not shown"
        );
    }
    (dir, site)
}

#[test]
fn jekyll_site_comes_in_whole() {
    let root = fixture("jekyll");
    let mut urls = Vec::new();
    // Posts: `permalink`, else the `pretty` style:
    // /:categories/:year/:month/:day/:title/ (categories lower-cased, the
    // folders above _posts first, a string split on spaces).
    for (path, fm) in documents(&root) {
        let rel = path
            .strip_prefix(&root)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let stem = path.file_stem().unwrap().to_string_lossy().into_owned();
        if rel.contains("_drafts/")
            || rel.starts_with('_') && !rel.starts_with("_posts/")
            || rel == "README.md"
        {
            continue;
        }
        for a in list(&fm, "redirect_from") {
            urls.push(served(&a));
        }
        if let Some(p) = text(&fm, "permalink") {
            urls.push(served(&p));
            continue;
        }
        if let Some(i) = rel.find("_posts/") {
            let mut cats: Vec<String> = rel[..i]
                .split('/')
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect();
            match fm.get("categories") {
                Some(toml::Value::String(s)) => cats.extend(s.split_whitespace().map(String::from)),
                _ => cats.extend(list(&fm, "categories")),
            }
            let (date, title) = stem.split_at(10);
            let mut url = String::from("/");
            for c in &cats {
                url.push_str(&c.to_lowercase());
                url.push('/');
            }
            url.push_str(&format!(
                "{}/{}/{}/{}/",
                &date[..4],
                &date[5..7],
                &date[8..10],
                &title[1..]
            ));
            urls.push(url);
            for t in list(&fm, "tags") {
                urls.push(format!("/tag/{}/", slugify(&t)));
            }
            for c in cats {
                urls.push(format!("/category/{}/", slugify(&c)));
            }
        } else {
            let dir = Path::new(&rel)
                .parent()
                .unwrap()
                .to_string_lossy()
                .into_owned();
            urls.push(served(&format!("{dir}/{stem}/")));
        }
    }
    let (_dir, site) = assert_import(
        "jekyll",
        &urls,
        &[
            "site.baseurl",
            "{% raw",
            "{% endraw",
            "{% highlight",
            "{% post_url",
            "{% link",
            "relative_url",
            "{: .lead}",
        ],
        &["{% include note.html", "{{ page.title }}"],
    );
    let public = site.join("public");
    let release = read(public.join("releases/news/2019/05/12/Release-2.4.0/index.html"));
    // kramdown's ids are kept, so old anchors land.
    assert!(
        release.contains("id=\"tldr\"") && release.contains("id=\"q--a\""),
        "anchors"
    );
    // Links found their targets; the sub-folder prefix is added by the build.
    assert!(release.contains("href=\"/notes/first/\""));
    // `linenos` carried into the fence; the block is highlighted.
    assert!(release.contains("<code class=\"language-rust linenos\">"));
    assert!(release.contains("<span class=\"hl-keyword\">fn</span>"));
    let report = read(site.join("import-report.txt"));
    for want in [
        "{% include %}` left as text",
        "the options were dropped",
        "feed.xml",
        "home page",
    ] {
        assert!(report.contains(want), "{want} not in\n{report}");
    }
    // The link layout made a link post from the first paragraph's link.
    let link_post = read(site.join("content/posts/2021-03-03-worth-reading.md"));
    assert!(
        link_post.contains("link = \"https://gazette.example/tides\""),
        "{link_post}"
    );
    // Drafts stay drafts; a theme's own fields are kept under extra.
    assert!(read(site.join("content/posts/an-idea.md")).contains("draft = true"));
    assert!(
        read(site.join("content/posts/2019-05-12-Release-2.4.0.md")).contains("[extra.header]")
    );
}

#[test]
fn hugo_site_comes_in_whole() {
    let root = fixture("hugo");
    let mut urls = Vec::new();
    // Posts: `url`, else [permalinks] posts = "/:year/:month/:title/";
    // top-level pages: /name/; aliases as written; tags /tags/<urlized>/.
    for (path, fm) in documents(&root.join("content")) {
        let rel = path
            .strip_prefix(root.join("content"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.ends_with("_index.md") {
            continue;
        }
        for a in list(&fm, "aliases") {
            urls.push(served(&a));
        }
        if let Some(u) = text(&fm, "url") {
            urls.push(served(&u));
        } else if rel.starts_with("posts/") {
            let date = text(&fm, "date").unwrap();
            urls.push(format!(
                "/{}/{}/{}/",
                &date[..4],
                &date[5..7],
                urlize(&text(&fm, "title").unwrap())
            ));
        } else {
            urls.push(format!("/{}/", path.file_stem().unwrap().to_string_lossy()));
        }
        for t in list(&fm, "tags") {
            urls.push(format!("/tags/{}/", urlize(&t)));
        }
    }
    let (_dir, site) = assert_import(
        "hugo",
        &urls,
        &[
            "{{< ref",
            "{{< relref",
            "{{< figure src=\"/images",
            "{{< youtube",
            "{{< highlight",
        ],
        &["{{< notice warning >}}", "{{< figure src="],
    );
    let public = site.join("public");
    let release = read(public.join("2019/05/release-2.4.0-is-out/index.html"));
    assert!(
        release.contains("href=\"/2019/06/a-trip-along-the-coast/\""),
        "ref resolved"
    );
    assert!(release.contains("<figcaption>The quay at dawn</figcaption>"));
    assert!(release.contains("https://www.youtube.com/watch?v=w7Ft2ymGmfc"));
    assert!(release.contains("id=\"tldr\""));
    // The bundle's resource sits beside its post.
    assert!(
        public
            .join("2019/06/a-trip-along-the-coast/photo.jpg")
            .is_file()
    );
    let report = read(site.join("import-report.txt"));
    assert!(
        report.contains("shortcode `notice` left as text"),
        "{report}"
    );
    assert!(report.contains("the taxonomy `moods`"), "{report}");
}

#[test]
fn zola_site_comes_in_whole() {
    let root = fixture("zola");
    let mut urls = Vec::new();
    // `path`, else /<section>/<slug>/ (the slug field, else the file or
    // bundle folder name without its date, slugified); aliases; tags.
    for (path, fm) in documents(&root.join("content")) {
        let rel = path
            .strip_prefix(root.join("content"))
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        if rel.ends_with("_index.md") {
            continue;
        }
        for a in list(&fm, "aliases") {
            urls.push(served(&a));
        }
        if let Some(p) = text(&fm, "path") {
            urls.push(served(&p));
        } else {
            let is_bundle = rel.ends_with("/index.md");
            let parts: Vec<&str> = rel.split('/').collect();
            let (dirs, name) = if is_bundle {
                (&parts[..parts.len() - 2], parts[parts.len() - 2])
            } else {
                (
                    &parts[..parts.len() - 1],
                    parts[parts.len() - 1].trim_end_matches(".md"),
                )
            };
            let name =
                if name.len() > 11 && name.as_bytes()[4] == b'-' && name.as_bytes()[10] == b'-' {
                    &name[11..]
                } else {
                    name
                };
            let slug = text(&fm, "slug").unwrap_or_else(|| slugify(name));
            let mut url = String::from("/");
            for d in dirs {
                url.push_str(d);
                url.push('/');
            }
            urls.push(format!("{url}{slug}/"));
        }
        if let Some(toml::Value::Table(t)) = fm.get("taxonomies") {
            for term in t
                .get("tags")
                .and_then(toml::Value::as_array)
                .into_iter()
                .flatten()
            {
                urls.push(format!("/tags/{}/", slugify(term.as_str().unwrap())));
            }
        }
    }
    let (_dir, site) = assert_import("zola", &urls, &["](@/", "href=\"@/"], &["{{ youtube(id="]);
    let public = site.join("public");
    let first = read(public.join("blog/first-post/index.html"));
    assert!(
        first.contains("href=\"/blog/custom-slug/\""),
        "@/ link resolved"
    );
    assert!(
        first.contains("href=\"/blog/third/#pictures\""),
        "@/ link with a fragment"
    );
    assert!(
        first.contains("id=\"tl-dr\""),
        "Zola's own ids are slugs, as ours"
    );
    assert!(public.join("blog/third/x.png").is_file());
    let second = read(site.join("content/posts/second.md"));
    assert!(
        second.contains("authors = [\"Ann\"]"),
        "the custom taxonomy's terms are kept: {second}"
    );
    assert!(
        second.contains("template = \"blog-page.html\""),
        "under extra: {second}"
    );
    let report = read(site.join("import-report.txt"));
    assert!(
        report.contains("shortcode `youtube` left as text"),
        "{report}"
    );
    // The section's list page redirects home.
    assert!(answers(&public, "/blog/"));
}

#[test]
fn importing_a_site_again_writes_nothing_new() {
    let (_dir, site, _) = imported("hugo");
    let before = snapshot_tree(&site);
    let old = fixture("hugo");
    let out = glossator(&site, &["import", "hugo", old.to_str().unwrap()]);
    assert!(
        stdout(&out).contains("Files: 0 written"),
        "{}",
        stdout(&out)
    );
    assert_eq!(before, snapshot_tree(&site));
}

#[test]
fn a_folder_that_is_no_such_site_is_refused() {
    let (_dir, site, _) = imported("zola");
    let before = snapshot_tree(&site);
    for generator in ["jekyll", "hugo", "zola"] {
        let not_a_site = fixture("wordpress");
        let out = glossator(&site, &["import", generator, not_a_site.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(1), "{generator}");
        assert!(
            stderr(&out).contains(&format!(
                "not a {}",
                match generator {
                    "jekyll" => "Jekyll",
                    "hugo" => "Hugo",
                    _ => "Zola",
                }
            )),
            "{}",
            stderr(&out)
        );
    }
    assert_eq!(before, snapshot_tree(&site));
}

//! Foreign files welcome: posts written for Jekyll, Hugo and Zola build as
//! they are, at the URLs those generators gave them.
//!
//! Each fixture under `tests/fixtures/foreign/<generator>/` is a site whose
//! posts were written from that generator's documentation. The expected
//! URLs are not listed by hand: the test reads each post's front matter
//! and applies the generator's own documented rule (its permalink, `url`
//! or `path` field, else its URL pattern), then asserts the built site has
//! a page there, and that every old address (`redirect_from`, `aliases`)
//! answers.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeMap;
use std::path::Path;

use support::{build_ok, glossator, read, site, stderr};

/// A post's front matter as a flat map of top-level keys (TOML or YAML).
fn front_matter(text: &str) -> BTreeMap<String, toml::Value> {
    let (fence, format) = if text.starts_with("+++") {
        ("+++", "toml")
    } else {
        ("---", "yaml")
    };
    let rest = &text[fence.len()..];
    let end = rest.find(&format!("\n{fence}")).unwrap();
    let front = &rest[..end];
    if format == "toml" {
        toml::from_str(front).unwrap()
    } else {
        let value: serde_json::Value = serde_saphyr::from_str(front).unwrap();
        let toml_text = toml::to_string(&value).unwrap();
        toml::from_str(&toml_text).unwrap()
    }
}

fn text_of(v: Option<&toml::Value>) -> Option<String> {
    match v? {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Datetime(d) => Some(d.to_string()),
        other => Some(other.to_string()),
    }
}

fn list_of(v: Option<&toml::Value>) -> Vec<String> {
    match v {
        Some(toml::Value::Array(items)) => items.iter().filter_map(|i| text_of(Some(i))).collect(),
        Some(toml::Value::String(s)) => s.split(',').map(|s| s.trim().to_string()).collect(),
        _ => Vec::new(),
    }
}

/// `/x` → `/x/`, `x/y` → `/x/y/`, `/a.html` stays.
fn served(path: &str) -> String {
    let mut p = format!("/{}", path.trim_start_matches('/'));
    let last = p.rsplit('/').next().unwrap_or("");
    if !p.ends_with('/') && !last.ends_with(".html") {
        p.push('/');
    }
    p
}

/// The file a URL is served from.
fn output_file(public: &Path, url: &str) -> std::path::PathBuf {
    let rel = url.trim_start_matches('/');
    if url.ends_with('/') {
        public.join(rel).join("index.html")
    } else {
        public.join(rel)
    }
}

/// Posts of a fixture: (file name stem, front matter).
fn posts(dir: &Path) -> Vec<(std::path::PathBuf, BTreeMap<String, toml::Value>)> {
    walkdir::WalkDir::new(dir.join("content/posts"))
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

fn split_date(stem: &str) -> (Option<&str>, &str) {
    let is_date = stem.len() > 11
        && stem.as_bytes()[4] == b'-'
        && stem.as_bytes()[7] == b'-'
        && stem.as_bytes()[10] == b'-';
    if is_date {
        (Some(&stem[..10]), &stem[11..])
    } else {
        (None, stem)
    }
}

fn is_draft(fm: &BTreeMap<String, toml::Value>) -> bool {
    fm.get("draft").and_then(toml::Value::as_bool) == Some(true)
        || fm.get("published").and_then(toml::Value::as_bool) == Some(false)
}

/// Asserts every post is at its generator's URL (and drafts nowhere), and
/// every old address answers. `rule` gives a post's URL from its path and
/// front matter.
fn assert_urls(
    name: &str,
    rule: impl Fn(&Path, &BTreeMap<String, toml::Value>) -> String,
    alias_keys: &[&str],
) {
    let dir = site(&format!("foreign/{name}"));
    let out = build_ok(dir.path(), &[]);
    assert!(!stderr(&out).contains("error"), "{}", stderr(&out));
    let public = dir.path().join("public");
    let mut checked = 0;
    for (path, fm) in posts(dir.path()) {
        let url = rule(&path, &fm);
        let file = output_file(&public, &url);
        if is_draft(&fm) {
            assert!(!file.exists(), "{name}: draft {} was built", path.display());
            continue;
        }
        let html = std::fs::read_to_string(&file)
            .unwrap_or_else(|_| panic!("{name}: {} should be at {url}", path.display()));
        let title = text_of(fm.get("title")).unwrap();
        assert!(
            html.contains(&title.replace('&', "&amp;")),
            "{name}: {url} is not {title:?}"
        );
        for key in alias_keys {
            for alias in list_of(fm.get(*key)) {
                let old = served(&alias);
                let redirect = std::fs::read_to_string(output_file(&public, &old))
                    .unwrap_or_else(|_| panic!("{name}: old address {old} does not answer"));
                assert!(redirect.contains("http-equiv=\"refresh\""), "{old}");
                assert!(redirect.contains(&url), "{old} does not lead to {url}");
            }
        }
        checked += 1;
    }
    assert!(checked >= 3, "{name}: only {checked} posts checked");
}

#[test]
fn jekyll_posts_keep_their_urls() {
    // Jekyll: `permalink` in front matter, else the site's `pretty` style,
    // `/:categories/:year/:month/:day/:title/`, where :title is the file
    // name's slug as written and categories are lower-cased.
    assert_urls(
        "jekyll",
        |path, fm| {
            if let Some(p) = text_of(fm.get("permalink")) {
                return served(&p);
            }
            let stem = path.file_stem().unwrap().to_str().unwrap();
            let (file_date, title) = split_date(stem);
            let date = text_of(fm.get("date"))
                .map(|d| d[..10].to_string())
                .or(file_date.map(String::from))
                .unwrap();
            let mut categories = list_of(fm.get("categories"));
            categories.extend(list_of(fm.get("category")));
            let mut url = String::from("/");
            for c in categories {
                url.push_str(&c.to_lowercase());
                url.push('/');
            }
            format!(
                "{url}{}/{}/{}/{title}/",
                &date[..4],
                &date[5..7],
                &date[8..10]
            )
        },
        &["redirect_from"],
    );
}

/// Hugo's `urlize` of a title.
fn urlize(title: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in title.chars() {
        if c.is_alphanumeric() || ".-_~+@".contains(c) {
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

#[test]
fn hugo_posts_keep_their_urls() {
    // Hugo: `url` in front matter, else `[permalinks] posts =
    // "/:year/:month/:title/"`, the date from `date`, else `publishDate`.
    assert_urls(
        "hugo",
        |_, fm| {
            if let Some(u) = text_of(fm.get("url")) {
                return served(&u);
            }
            let date = text_of(fm.get("date"))
                .or_else(|| text_of(fm.get("publishDate")))
                .unwrap();
            let title = text_of(fm.get("title")).unwrap();
            format!("/{}/{}/{}/", &date[..4], &date[5..7], urlize(&title))
        },
        &["aliases"],
    );
}

/// Zola's slugify of a file name (ASCII fixtures): lower case, runs of
/// other characters one dash.
fn zola_slug(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_matches('-').to_string()
}

#[test]
fn zola_posts_keep_their_urls() {
    // Zola: `path` in front matter, else `/<section>/<slug>/` with the slug
    // from `slug` or the file (or bundle folder) name without its date.
    assert_urls(
        "zola",
        |path, fm| {
            if let Some(p) = text_of(fm.get("path")) {
                return served(&p);
            }
            let rel: Vec<String> = path
                .components()
                .rev()
                .take(4)
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect();
            let is_bundle = rel[0] == "index.md";
            let (name, section) = if is_bundle {
                (rel[1].clone(), rel[2].clone())
            } else {
                (
                    path.file_stem().unwrap().to_string_lossy().into_owned(),
                    rel[1].clone(),
                )
            };
            let slug = text_of(fm.get("slug")).unwrap_or_else(|| zola_slug(split_date(&name).1));
            format!("/{section}/{slug}/")
        },
        &["aliases"],
    );
}

#[test]
fn a_sub_folder_site_prefixes_root_relative_links() {
    let dir = site("foreign/jekyll");
    build_ok(dir.path(), &[]);
    let page = read(
        dir.path()
            .join("public/releases/2019/05/12/Release-2.4.0/index.html"),
    );
    for want in [
        "href=\"/blog-name/changelog/\"",
        "src=\"/blog-name/assets/logo.png\"",
        "href=\"/blog-name/about/\"",
        "href=\"/blog-name/archive/2011/12/07/intro-to-mvc.aspx/\"",
    ] {
        assert!(page.contains(want), "{want} missing");
    }
    assert!(!page.contains("href=\"/changelog/\""));
    // `check` follows them under the prefix, and flags one that goes
    // nowhere there.
    let out = glossator(dir.path(), &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    std::fs::write(
        dir.path().join("content/posts/2022-01-01-broken.md"),
        "---\ntitle: Broken\n---\nSee [the page](/nowhere/).\n",
    )
    .unwrap();
    let out = glossator(dir.path(), &["check"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains(
            "content/posts/2022-01-01-broken.md:4:5: error: the link to /nowhere/ goes to no page of this site"
        ),
        "{}",
        stderr(&out)
    );
}

#[test]
fn update_markers_with_foreign_dates_stay_text_with_a_warning() {
    let dir = site("foreign/jekyll");
    let out = build_ok(dir.path(), &[]);
    assert!(
        stderr(&out).contains(
            "content/posts/2011-12-07-intro-to-mvc.aspx.md:14:1: warning: the update marker's date `12/30/2012`"
        ),
        "{}",
        stderr(&out)
    );
    let page = read(
        dir.path()
            .join("public/archive/2011/12/07/intro-to-mvc.aspx/index.html"),
    );
    assert!(page.contains("<strong>UPDATE 12/30/2012:</strong> the sample code moved."));
}

#[test]
fn every_front_matter_mistake_of_a_file_is_reported() {
    let dir = site("foreign/zola");
    std::fs::write(
        dir.path().join("content/posts/blog/mistakes.md"),
        "+++\ntitel = \"Typo\"\ndate = \"2020-02-30\"\ntags = { a = 1 }\ndraft = \"maybe\"\n[sources.nyt]\nurl = \"javascript:alert(1)\"\n+++\nBody.\n",
    )
    .unwrap();
    let out = glossator(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    for want in [
        "content/posts/blog/mistakes.md:2:1: error: in TOML front matter: unknown field `titel`",
        "content/posts/blog/mistakes.md:3:8: error: invalid date `2020-02-30`",
        "content/posts/blog/mistakes.md:4:8: error: in TOML front matter: `tags` should be a list of names, not a table",
        "content/posts/blog/mistakes.md:5:9: error: in TOML front matter: `draft` should be true or false, not text",
        "content/posts/blog/mistakes.md:7:7: error: in TOML front matter: `url`: the URL scheme `javascript:` is not allowed",
        "5 errors in 1 file",
    ] {
        assert!(err.contains(want), "missing {want:?} in\n{err}");
    }
}

#[test]
fn taxonomy_paths_may_have_several_segments() {
    let dir = site("foreign/zola");
    build_ok(dir.path(), &[]);
    let public = dir.path().join("public");
    assert!(public.join("blog/categories/index.html").exists());
    let meta = read(public.join("blog/categories/meta/index.html"));
    assert!(meta.contains("First post"));
    let post = read(public.join("blog/first-post/index.html"));
    assert!(
        post.contains("href=\"/blog/categories/meta/\""),
        "post links its category"
    );
    // Zola's `[taxonomies]` table fills tags too.
    assert!(read(public.join("tags/more/index.html")).contains("Second"));
}

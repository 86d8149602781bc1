//! Whole-site builds of the fixtures in `tests/fixtures/<case>/`, through
//! the real binary, checked on the parts that matter.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fs;
use std::process::Command;

use support::{attrs, build_ok, glossator, html, read, site, snapshot_tree, stderr, stdout, texts};

#[test]
fn toml_and_yaml_front_matter_and_every_date_form() {
    let dir = site("formats");
    build_ok(dir.path(), &[]);
    let public = dir.path().join("public");
    // (URL, title, datetime) for each date form; the site is in New York.
    let cases = [
        ("2009/03/03/toml", "TOML post", "2009-03-03T19:10:00Z"),
        ("2009/03/04/yaml", "YAML post", "2009-03-04T19:10:00Z"),
        (
            "2009/03/05/from-the-name",
            "Dated by its name",
            "2009-03-05T05:00:00Z",
        ),
        ("2009/03/06/seconds", "With seconds", "2009-03-06T14:08:07Z"),
        (
            "2009/03/07/plain-date",
            "Plain date",
            "2009-03-07T05:00:00Z",
        ),
        ("2009/03/07/utc", "UTC", "2009-03-08T03:00:00Z"),
    ];
    for (url, title, datetime) in cases {
        let doc = html(public.join(url).join("index.html"));
        assert_eq!(texts(&doc, "h1.p-name"), vec![title], "{url}");
        assert_eq!(
            attrs(&doc, "time.dt-published", "datetime"),
            vec![datetime],
            "{url}"
        );
    }
    let doc = html(public.join("2009/03/04/yaml/index.html"));
    assert_eq!(texts(&doc, ".post-footer a[rel=tag]"), vec!["a", "b"]);
    // Drafts, future posts, hidden files and editor droppings stay out.
    assert!(!public.join("2009/03/09/draft").exists());
    assert!(!public.join("2999").exists());
    let titles = texts(&html(public.join("index.html")), ".summary h2");
    assert_eq!(titles.len(), 6, "{titles:?}");
    for absent in ["A draft", "From the future", "hidden"] {
        assert!(
            !titles.iter().any(|t| t == absent),
            "{absent} on the home page"
        );
    }
}

#[test]
fn drafts_and_future_posts_come_in_when_asked() {
    let dir = site("formats");
    build_ok(dir.path(), &["--drafts", "--future"]);
    let public = dir.path().join("public");
    assert!(public.join("2009/03/09/draft/index.html").exists());
    assert!(public.join("2999/01/01/future/index.html").exists());
}

#[test]
fn home_and_tag_lists_are_paginated() {
    let dir = site("pagination");
    build_ok(dir.path(), &[]);
    let public = dir.path().join("public");
    let titles = |path: &str| texts(&html(public.join(path)), ".summary h2");
    assert_eq!(
        titles("index.html"),
        ["Post 12", "Post 11", "Post 10", "Post 9", "Post 8"]
    );
    assert_eq!(
        titles("page/2/index.html"),
        ["Post 7", "Post 6", "Post 5", "Post 4", "Post 3"]
    );
    assert_eq!(titles("page/3/index.html"), ["Post 2", "Post 1"]);
    assert!(!public.join("page/4").exists());
    assert!(!public.join("page/1").exists(), "page 1 is the list itself");
    // Tags paginate by their own setting (4).
    assert_eq!(titles("tags/all/index.html").len(), 4);
    assert_eq!(
        titles("tags/all/page/3/index.html"),
        ["Post 4", "Post 3", "Post 2", "Post 1"]
    );
    let doc = html(public.join("page/2/index.html"));
    assert_eq!(attrs(&doc, ".pagination a[rel=prev]", "href"), ["/"]);
    assert_eq!(attrs(&doc, ".pagination a[rel=next]", "href"), ["/page/3/"]);
}

#[test]
fn tags_and_categories_get_pages_and_indexes() {
    let dir = site("taxonomies");
    build_ok(dir.path(), &[]);
    let public = dir.path().join("public");
    // Tags live under the configured path and group by slug.
    let doc = html(public.join("topics/foreign-policy/index.html"));
    assert_eq!(texts(&doc, ".summary h2"), ["Two", "One"]);
    let doc = html(public.join("topics/russia/index.html"));
    assert_eq!(texts(&doc, ".summary h2"), ["Three", "One"]);
    assert!(
        public.join("topics/iran/index.html").exists(),
        "comma-separated YAML tags"
    );
    assert!(!public.join("tags").exists());
    let doc = html(public.join("topics/index.html"));
    assert_eq!(texts(&doc, "h1"), ["Topics"]);
    assert_eq!(
        texts(&doc, ".term-list a"),
        ["foreign policy", "iran", "russia"]
    );
    let doc = html(public.join("categories/analysis/index.html"));
    assert_eq!(texts(&doc, ".summary h2"), ["Two", "One"]);
    assert_eq!(
        texts(&html(public.join("categories/index.html")), "h1"),
        ["Sections"]
    );
}

#[test]
fn bundles_carry_their_files_and_static_is_copied() {
    let dir = site("bundle");
    build_ok(dir.path(), &[]);
    let public = dir.path().join("public");
    let post = public.join("2012/05/01/trip");
    assert!(post.join("harbour.svg").exists());
    assert!(post.join("figures/diagram.svg").exists());
    let doc = html(post.join("index.html"));
    assert_eq!(
        attrs(&doc, ".e-content img", "src"),
        [
            "/2012/05/01/trip/harbour.svg",
            "/2012/05/01/trip/figures/diagram.svg"
        ]
    );
    assert!(public.join("about/portrait.svg").exists());
    assert_eq!(read(public.join("robots-extra.txt")), "static file\n");
    assert!(public.join("css/extra.css").exists());
    assert!(public.join("style.css").exists(), "the theme's stylesheet");
}

#[test]
fn site_templates_override_the_theme_which_overrides_the_builtin() {
    let dir = site("theme_override");
    build_ok(dir.path(), &[]);
    let public = dir.path().join("public");
    let doc = html(public.join("2013/01/01/themed/index.html"));
    assert_eq!(
        texts(&doc, "h1.site-post"),
        ["Themed post"],
        "site templates/ wins"
    );
    assert_eq!(
        attrs(&doc, "body", "class"),
        ["plain-theme"],
        "the theme's base.html"
    );
    let doc = html(public.join("2013/01/02/special/index.html"));
    assert_eq!(
        texts(&doc, "p.special"),
        ["Special post"],
        "front matter template"
    );
    let doc = html(public.join("index.html"));
    assert_eq!(
        texts(&doc, "p.theme-index").len(),
        2,
        "the theme's index.html"
    );
    assert!(public.join("plain.css").exists());
    // Templates the theme lacks come from the built-in theme.
    let not_found = read(public.join("404.html"));
    assert!(not_found.contains("Page not found"), "built-in 404.html");
    assert!(
        not_found.contains("plain-theme"),
        "rendered through the theme's base.html"
    );
}

#[test]
fn a_failed_build_leaves_the_previous_site_exactly_as_it_was() {
    let dir = site("formats");
    build_ok(dir.path(), &[]);
    let public = dir.path().join("public");
    let before = snapshot_tree(&public);
    fs::write(
        dir.path().join("content/posts/broken.md"),
        "+++\ntitle = \"Broken\"\ndate = \"2009-02-30\"\n+++\nx\n",
    )
    .unwrap();
    // Touch a good post too: its new text must not reach public/.
    fs::write(
        dir.path().join("content/posts/toml.md"),
        "+++\ntitle = \"Changed title\"\ndate = 2009-03-03T14:10:00-05:00\n+++\nx\n",
    )
    .unwrap();
    let out = glossator(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("content/posts/broken.md:3:8"),
        "{}",
        stderr(&out)
    );
    assert_eq!(snapshot_tree(&public), before);
    let siblings: Vec<String> = fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("public"))
        .collect();
    assert_eq!(siblings, ["public"], "no staging folders left behind");
}

#[test]
fn init_new_build_in_an_empty_folder() {
    let dir = tempfile::tempdir().unwrap();
    let out = glossator(dir.path(), &["init", "blog"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let blog = dir.path().join("blog");
    let out = glossator(&blog, &["new", "Hello"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let created = stdout(&out).trim().to_string();
    assert!(created.ends_with("-hello.md"), "{created}");
    let out = glossator(
        &blog,
        &["new", "link", "A link", "--url", "https://example.com/x"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    let out = glossator(&blog, &["new", "note", "--draft"]);
    assert!(out.status.success(), "{}", stderr(&out));
    build_ok(&blog, &[]);
    let home = html(blog.join("public/index.html"));
    let titles = texts(&home, ".summary h2 a:first-child");
    assert!(titles.contains(&"Hello".to_string()), "{titles:?}");
    assert!(titles.contains(&"A link".to_string()), "{titles:?}");
    assert_eq!(
        titles.len(),
        6,
        "four samples and two new posts; the draft note stays out: {titles:?}"
    );
    // The sample posts are one of each kind, and the about page exists.
    for list in ["links", "quotes", "notes"] {
        assert!(
            blog.join("public").join(list).join("index.html").exists(),
            "{list}"
        );
    }
    assert!(blog.join("public/about/index.html").exists());
    // init refuses a folder that already holds a site.
    let out = glossator(dir.path(), &["init", "blog"]);
    assert_eq!(out.status.code(), Some(1));
    // new never overwrites.
    let out = glossator(&blog, &["new", "Hello"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
}

#[test]
fn exit_statuses_and_help() {
    let dir = tempfile::tempdir().unwrap();
    for args in [
        &["--help"][..],
        &["build", "--help"],
        &["init", "--help"],
        &["new", "--help"],
    ] {
        let out = glossator(dir.path(), args);
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        assert!(stdout(&out).contains("Usage"), "{args:?}");
    }
    let out = glossator(dir.path(), &["build", "--no-such-flag"]);
    assert_eq!(out.status.code(), Some(2), "usage errors exit 2");
    let out = glossator(dir.path(), &["frobnicate"]);
    assert_eq!(out.status.code(), Some(2));
    let out = glossator(dir.path(), &["build"]);
    assert_eq!(out.status.code(), Some(1), "no site here");
    assert!(
        stderr(&out).contains("no glossator.toml"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn output_order_and_bytes_are_deterministic() {
    let a = site("taxonomies");
    let b = site("taxonomies");
    build_ok(a.path(), &[]);
    build_ok(b.path(), &[]);
    // The manifest records each file's time on disk, so it differs.
    let files = |dir: &std::path::Path| {
        let mut tree = snapshot_tree(&dir.join("public"));
        tree.retain(|(p, _)| p != ".glossator-output");
        tree
    };
    assert_eq!(files(a.path()), files(b.path()));
}

#[test]
fn root_flag_and_output_flag() {
    let dir = site("pagination");
    let out_dir = tempfile::tempdir().unwrap();
    let target = out_dir.path().join("site-out");
    let root = dir.path().to_str().unwrap();
    let out = glossator(out_dir.path(), &["--root", root, "build", "-o", "site-out"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(target.join("index.html").exists());
    assert!(!dir.path().join("public").exists());
}

#[test]
fn refuses_to_write_into_the_home_folder_even_with_force() {
    let dir = site("pagination");
    let home = tempfile::tempdir().unwrap();
    fs::create_dir_all(home.path().join("docs")).unwrap();
    fs::write(home.path().join("docs/thesis.txt"), "years of work").unwrap();
    let before = snapshot_tree(home.path());
    for args in [&["build", "-o"][..], &["build", "--force", "-o"][..]] {
        let mut all = args.to_vec();
        let home_arg = home.path().to_str().unwrap();
        all.push(home_arg);
        let out = Command::new(env!("CARGO_BIN_EXE_glossator"))
            .args(&all)
            .current_dir(dir.path())
            .env("NO_COLOR", "1")
            .env("HOME", home.path())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
        assert!(stderr(&out).contains("home folder"), "{}", stderr(&out));
        assert_eq!(snapshot_tree(home.path()), before);
    }
}

#[test]
fn the_highlighting_cache_never_changes_the_output() {
    let dir = site("formats");
    let post = dir.path().join("content/posts/code.md");
    let write_post = |code: &str| {
        fs::write(
            &post,
            format!(
                "+++\ntitle = \"Code\"\ndate = 2009-03-10T10:00:00Z\n+++\n\
                 ```rust\n{code}\n```\n\n```python,linenos\ndef cached(x):\n    return x\n```\n"
            ),
        )
        .unwrap();
    };
    write_post("fn first() -> u32 { 1 }");
    let cache = dir.path().join(".glossator/cache");
    // Every file but the manifest (which records times), by path.
    let built = |out: &str| {
        build_ok(dir.path(), &["-o", out]);
        let mut files = snapshot_tree(&dir.path().join(out));
        files.retain(|(path, _)| path != ".glossator-output");
        files
    };
    let same = |a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)]| {
        let differ: Vec<&str> = a
            .iter()
            .zip(b)
            .filter(|(x, y)| x != y)
            .map(|(x, _)| x.0.as_str())
            .collect();
        a.len() == b.len() && differ.is_empty()
    };
    let fresh = built("a");
    // The first build leaves the cache, which ignores itself in git.
    assert!(cache.join("highlight").is_file());
    assert!(read(cache.join(".gitignore")).lines().any(|l| l == "*"));
    let page = read(dir.path().join("a/2009/03/10/code/index.html"));
    assert!(
        page.contains("<span class=\"hl-keyword\">fn</span>"),
        "{page}"
    );
    assert!(same(&built("b"), &fresh), "a cached build differs");
    // A damaged cache is ignored, and replaced by a good one.
    fs::write(cache.join("highlight"), b"glossator-highlight 1\n\x01\x02").unwrap();
    assert!(
        same(&built("c"), &fresh),
        "a damaged cache changed the output"
    );
    assert!(fs::metadata(cache.join("highlight")).unwrap().len() > 100);
    // Changed code is highlighted anew, exactly as a fresh build would.
    write_post("fn second() -> u64 { 2 }");
    let cached = built("d");
    fs::remove_dir_all(&cache).unwrap();
    assert!(same(&built("e"), &cached));
    let page = read(dir.path().join("e/2009/03/10/code/index.html"));
    assert!(page.contains("second") && !page.contains("first"));
    // With no code left the cache file goes too.
    fs::remove_file(&post).unwrap();
    built("f");
    assert!(!cache.join("highlight").exists());
}

/// The index stage knows a draft bundle's files from what the load stage
/// found, not by asking the disk with a site-relative path (which, with
/// `--root`, resolved against the process's folder and warned wrongly).
#[test]
fn a_draft_bundles_files_are_left_out_quietly_from_another_folder() {
    let dir = tempfile::tempdir().unwrap();
    let w = |rel: &str, text: &str| {
        let path = dir.path().join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    w(
        "glossator.toml",
        "title = \"T\"\nbase_url = \"https://t.example\"\n",
    );
    w(
        "content/posts/wip/index.md",
        "+++\ntitle = \"Not yet\"\ndate = 2020-01-01\ndraft = true\n+++\nSoon.\n",
    );
    w(
        "content/posts/wip/pic.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    w(
        "content/posts/stray/pic.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    let elsewhere = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_glossator"))
        .current_dir(elsewhere.path())
        .arg("--root")
        .arg(dir.path())
        .arg("build")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("wip/pic.svg"), "{err}");
    assert!(
        err.contains("content/posts/stray/pic.svg: warning: not beside an index.md"),
        "{err}"
    );
}

/// The body memo (`.glossator/cache/markdown`): a site's first build
/// leaves it empty, its second fills it, and later builds take every
/// unchanged body from it, with output byte for byte that of a build
/// without it.
#[test]
fn remembered_bodies_give_the_output_a_fresh_render_gives() {
    let dir = site("commentary");
    let root = dir.path();
    let memo = root.join(".glossator/cache/markdown");
    let taken = |out: &str| {
        let err = stderr(&build_ok(root, &["-v", "-o", out]));
        let line = err
            .lines()
            .find(|l| l.contains("of the Markdown bodies taken from the memo"))
            .unwrap_or_else(|| panic!("no memo line in -v:\n{err}"));
        line.split_whitespace()
            .next()
            .unwrap()
            .parse::<usize>()
            .unwrap()
    };
    let files = |out: &str| {
        let mut tree = snapshot_tree(&root.join(out));
        tree.retain(|(p, _)| p != ".glossator-output");
        tree
    };
    assert_eq!(taken("a"), 0);
    assert!(memo.is_file(), "the first build leaves an empty memo");
    let empty = fs::metadata(&memo).unwrap().len();
    assert_eq!(taken("b"), 0);
    assert!(
        fs::metadata(&memo).unwrap().len() > empty,
        "the second fills it"
    );
    let all = taken("c");
    assert!(all >= 3, "every body from the memo: {all}");
    assert_eq!(files("c"), files("a"));

    // One post edited: the others still come from the memo, and the
    // output is that of a build with no memo at all.
    let posts = root.join("content/posts");
    let mut names: Vec<_> = fs::read_dir(&posts)
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let edited = names
        .iter()
        .find(|p| p.extension().is_some_and(|x| x == "md"))
        .unwrap();
    let text = read(edited);
    fs::write(
        edited,
        format!("{text}\nA paragraph added by the memo test.\n"),
    )
    .unwrap();
    assert_eq!(taken("d"), all - 1);
    fs::remove_dir_all(root.join(".glossator")).unwrap();
    assert_eq!(taken("e"), 0);
    assert_eq!(files("d"), files("e"));
    assert!(
        files("d")
            .iter()
            .any(|(_, bytes)| String::from_utf8_lossy(bytes).contains("added by the memo test"))
    );
}

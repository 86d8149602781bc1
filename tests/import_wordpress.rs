//! `glossator import wordpress` on an export written from WXR's format
//! (`tests/fixtures/import/wordpress/export.xml`): imported into a fresh
//! `init` site, built with the real binary, and checked item by item.
//! What the export holds is read from the export itself, not listed here.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use regex::Regex;
use support::{build_ok, glossator, read, snapshot_tree, stderr, stdout};

fn fixture() -> PathBuf {
    support::fixtures().join("import/wordpress")
}

/// A fresh site with the fixture imported (media included).
fn imported() -> (tempfile::TempDir, PathBuf, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = glossator(dir.path(), &["init", "site"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let site = dir.path().join("site");
    let export = fixture().join("export.xml");
    let media = fixture().join("uploads");
    let out = glossator(
        &site,
        &[
            "import",
            "wordpress",
            export.to_str().unwrap(),
            "--media",
            media.to_str().unwrap(),
        ],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    (dir, site, stdout(&out))
}

/// One `<item>` of the export, with the fields the tests read.
struct Item {
    link: String,
    kind: String,
    status: String,
    password: String,
    name: String,
    parent: String,
    id: String,
    content: String,
    old_slugs: Vec<String>,
    terms: Vec<(String, String)>,
}

fn items() -> Vec<Item> {
    let xml = read(fixture().join("export.xml"));
    let field = |block: &str, name: &str| -> String {
        let re = Regex::new(&format!(
            r"(?s)<{name}>(?:<!\[CDATA\[(.*?)\]\]>|([^<]*))</{name}>"
        ))
        .unwrap();
        re.captures(block)
            .map(|c| {
                c.get(1)
                    .or(c.get(2))
                    .map_or(String::new(), |m| m.as_str().to_string())
            })
            .unwrap_or_default()
    };
    let old_slug =
        Regex::new(r"(?s)<wp:meta_key><!\[CDATA\[_wp_old_slug\]\]></wp:meta_key>\s*<wp:meta_value><!\[CDATA\[(.*?)\]\]>")
            .unwrap();
    let term = Regex::new(r#"<category domain="([a-z_]+)" nicename="([^"]+)">"#).unwrap();
    xml.split("<item>")
        .skip(1)
        .map(|block| Item {
            link: field(block, "link"),
            kind: field(block, "wp:post_type"),
            status: field(block, "wp:status"),
            password: field(block, "wp:post_password"),
            name: field(block, "wp:post_name"),
            parent: field(block, "wp:post_parent"),
            id: field(block, "wp:post_id"),
            content: field(block, "content:encoded"),
            old_slugs: old_slug
                .captures_iter(block)
                .map(|c| c[1].to_string())
                .collect(),
            terms: term
                .captures_iter(block)
                .map(|c| (c[1].to_string(), c[2].to_string()))
                .collect(),
        })
        .collect()
}

fn path_of(link: &str) -> String {
    link.trim_start_matches("https://harbour-notes.example")
        .to_string()
}

/// The file a site path is served from.
fn served(public: &Path, path: &str) -> PathBuf {
    let rel = path.trim_start_matches('/');
    if path.ends_with('/') {
        public.join(rel).join("index.html")
    } else {
        public.join(rel)
    }
}

#[test]
fn every_old_url_of_the_export_answers() {
    let (_dir, site, _) = imported();
    build_ok(&site, &[]);
    let public = site.join("public");
    let all = items();
    let published: BTreeSet<&str> = all
        .iter()
        .filter(|i| {
            (i.kind == "post" || i.kind == "page") && i.status == "publish" && i.password.is_empty()
        })
        .map(|i| i.id.as_str())
        .collect();
    let mut urls = BTreeSet::new();
    for i in &all {
        let visible = published.contains(i.id.as_str())
            || (i.kind == "attachment" && published.contains(i.parent.as_str()));
        if !visible || i.link.contains("?") {
            continue;
        }
        let path = path_of(&i.link);
        for old in &i.old_slugs {
            urls.insert(path.replace(&format!("/{}/", i.name), &format!("/{old}/")));
        }
        urls.insert(path);
        if i.kind == "post" {
            for (domain, nicename) in &i.terms {
                match domain.as_str() {
                    "category" if nicename == "local" => {
                        urls.insert("/category/news/local/".to_string());
                    }
                    "category" => {
                        urls.insert(format!("/category/{nicename}/"));
                    }
                    "post_tag" => {
                        urls.insert(format!("/tag/{nicename}/"));
                    }
                    _ => {}
                }
            }
        }
    }
    urls.insert("/feed/".to_string());
    assert!(urls.len() >= 20, "{urls:?}");
    for url in &urls {
        assert!(
            served(&public, url).is_file(),
            "the old URL {url} does not answer"
        );
    }
    // /feed/ serves the Atom feed itself, not a redirect.
    assert!(
        read(served(&public, "/feed/")).contains("<feed xmlns=\"http://www.w3.org/2005/Atom\"")
    );
}

/// Words of a text: what a reader sees, whatever the typography.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(String::from)
        .collect()
}

/// The visible text of WordPress content, with shortcodes as the import
/// converts them: captions and embeds keep their text, media shortcodes
/// show none, unknown ones stay as written; update markers lose the label
/// the theme replaces.
fn expected_words(content: &str) -> Vec<String> {
    let no_comments = Regex::new(r"(?s)<!--.*?-->")
        .unwrap()
        .replace_all(content, " ");
    let converted = Regex::new(r"\[/?(caption|embed)[^\]]*\]|\[(gallery|audio|video)[^\]]*\]")
        .unwrap()
        .replace_all(&no_comments, " ");
    let update_head = Regex::new(r"\[UPDATE[^\]]*?: ")
        .unwrap()
        .replace_all(&converted, "[");
    let doc = scraper::Html::parse_fragment(&update_head);
    words(&doc.root_element().text().collect::<String>())
}

fn built_words(page: &Path) -> Vec<String> {
    let doc = support::html(page);
    let content = scraper::Selector::parse(".e-content, article.page").unwrap();
    let Some(body) = doc.select(&content).next() else {
        panic!("{}: no e-content", page.display())
    };
    let mut text = String::new();
    let title = scraper::Selector::parse("article.page > h1").unwrap();
    let skip: Vec<_> = body.select(&title).map(|h| h.id()).collect();
    for node in body.descendants() {
        if node.ancestors().any(|a| skip.contains(&a.id())) {
            continue;
        }
        if let Some(t) = node.value().as_text() {
            let labelled = node.ancestors().any(|a| {
                a.value()
                    .as_element()
                    .is_some_and(|e| e.classes().any(|c| c == "update-label"))
            });
            if !labelled {
                text.push_str(t);
                text.push(' ');
            }
        }
    }
    words(&text)
}

#[test]
fn every_post_reads_as_it_did_on_wordpress() {
    let (_dir, site, _) = imported();
    build_ok(&site, &[]);
    let public = site.join("public");
    let mut checked = 0;
    for i in items() {
        let shown = (i.kind == "post" || i.kind == "page")
            && i.status == "publish"
            && i.password.is_empty()
            && !i.link.contains('?');
        if !shown {
            continue;
        }
        let page = served(&public, &path_of(&i.link));
        let mut got = built_words(&page);
        let want = expected_words(&i.content);
        // A quote post's attribution adds the dash only.
        got.retain(|w| !w.is_empty());
        assert_eq!(got, want, "{}", i.link);
        checked += 1;
    }
    assert!(checked >= 12, "only {checked} checked");
}

fn file(site: &Path, rel: &str) -> String {
    read(site.join(rel))
}

#[test]
fn statuses_formats_and_threads_come_through() {
    let (_dir, site, summary) = imported();
    for want in [
        "12 posts",
        "3 pages",
        "2 drafts",
        "11 comments",
        "2 pingbacks and trackbacks",
        "1 pending comments left out",
        "1 spam comments left out",
        "2 private or protected items left out",
        "3 media files",
    ] {
        assert!(summary.contains(want), "{want:?} not in {summary}");
    }
    // Statuses.
    assert!(file(&site, "content/posts/2009-03-13-draft-about-tides.md").contains("draft = true"));
    assert!(file(&site, "content/posts/2009-03-14-pending-review.md").contains("draft = true"));
    assert!(
        file(&site, "content/posts/2099-01-01-new-timetable.md")
            .contains("date = 2099-01-01T09:00:00-05:00")
    );
    assert!(
        !site
            .join("content/posts/2009-03-15-private-musings.md")
            .exists()
    );
    assert!(
        !site
            .join("content/posts/2009-03-16-members-only.md")
            .exists()
    );
    // Formats.
    let kind = |rel: &str| {
        let t = file(&site, rel);
        Regex::new(r#"(?m)^kind = "(\w+)""#)
            .unwrap()
            .captures(&t)
            .map_or("entry".to_string(), |c| c[1].to_string())
    };
    assert_eq!(
        kind("content/posts/2009-03-04-gazette-on-the-harbour.md"),
        "link"
    );
    assert_eq!(
        kind("content/posts/2009-03-05-quoting-ada-brandt.md"),
        "quote"
    );
    assert_eq!(kind("content/posts/2009-03-06-fog-aside.md"), "note");
    assert_eq!(kind("content/posts/2009-03-07-status-note.md"), "note");
    for entry in [
        "2009-03-08-masts-and-quays",
        "2009-03-09-the-lighthouse",
        "2009-03-10-ferry-at-night",
        "2009-03-11-foghorn",
        "2009-03-12-overheard",
    ] {
        assert_eq!(
            kind(&format!("content/posts/{entry}.md")),
            "entry",
            "{entry}"
        );
    }
    assert!(
        file(&site, "content/posts/2009-03-04-gazette-on-the-harbour.md")
            .contains("link = \"https://gazette.example/harbour\"")
    );
    assert!(
        file(&site, "content/posts/2009-03-03-ferry-contract-again.md").contains("pinned = true")
    );

    build_ok(&site, &[]);
    let public = site.join("public");
    // The sticky post leads the home page though it is older.
    let home = read(public.join("index.html"));
    let first = home.find("class=\"u-url\"").unwrap();
    assert!(
        home[first..].starts_with("class=\"u-url\" href=\"/2009/03/03/ferry-contract-again/\""),
        "{}",
        &home[first..first + 120]
    );
    // Page hierarchy.
    assert!(public.join("about/team/history/index.html").is_file());
    // The nested category: the leaf's page, the parent's path redirecting.
    assert!(read(public.join("category/local/index.html")).contains("Ferry contract, again"));
    let redirect = read(public.join("category/news/local/index.html"));
    assert!(
        redirect.contains("url=https://harbour-notes.example/category/local/"),
        "{redirect}"
    );
    // Media copied and referenced locally.
    assert!(
        public
            .join("wp-content/uploads/2009/03/harbour.jpg")
            .is_file()
    );
    let post = read(public.join("2009/03/03/ferry-contract-again/index.html"));
    assert!(post.contains("src=\"/wp-content/uploads/2009/03/harbour.jpg\""));
    assert!(post.contains("<figcaption>The harbour at dawn, before the first ferry</figcaption>"));
    let gallery = read(public.join("2009/03/08/masts-and-quays/index.html"));
    assert!(
        gallery.contains("alt=\"A mast against the sky\"")
            && gallery.contains("alt=\"The quay at low tide\"")
    );
    // `?p=11` found its post; the inline update became one.
    assert!(post.contains("href=\"/2009/03/04/gazette-on-the-harbour/\""));
    assert!(post.contains("<ins class=\"update\""));
    // The nine-deep chain: every reply kept, threaded by parent; the ones
    // past the theme's depth say which comment they answer.
    for id in 101..=109 {
        assert!(
            post.contains(&format!("id=\"comment-{id}\"")),
            "comment {id}"
        );
    }
    let parents: Vec<String> = (102..=109)
        .map(|id| {
            file(
                &site,
                &format!("content/comments/ferry-contract-again/{id}.md"),
            )
        })
        .collect();
    for (i, text) in parents.iter().enumerate() {
        assert!(
            text.contains(&format!("parent = \"{}\"", 101 + i)),
            "{text}"
        );
    }
    assert!(post.contains("in reply to Ravi Mehta"));
    // The author's reply is marked; the pingback and trackback are shown
    // apart, not in the thread.
    assert!(
        file(&site, "content/comments/ferry-contract-again/115.md").contains("role = \"author\"")
    );
    assert!(post.contains("by-author"));
    let mentions = &post[post.find("class=\"mentions\"").unwrap()..];
    assert!(mentions.contains("Tidewater Weekly") && mentions.contains("Quayside Digest"));
    assert!(!post[..post.find("class=\"mentions\"").unwrap()].contains("Tidewater Weekly"));
    assert!(
        !site
            .join("content/comments/ferry-contract-again/112.md")
            .exists(),
        "pending left out"
    );
    assert!(
        !site
            .join("content/comments/ferry-contract-again/113.md")
            .exists(),
        "spam left out"
    );
}

#[test]
fn the_report_names_what_could_not_be_carried() {
    let (_dir, site, _) = imported();
    let report = file(&site, "import-report.txt");
    for want in [
        "private post not imported: https://harbour-notes.example/2009/03/15/private-musings/",
        "password-protected post not imported",
        "custom post type `product`",
        "unknown shortcode [pullquote]",
        "joined into one",
        "unsafe link dropped from post https://harbour-notes.example/2008/12/legacy-post.html: javascript:",
        "unsafe author link dropped from comment 114",
        "unsafe link dropped from comment 114",
        "comment(s) on the page https://harbour-notes.example/about/ left out",
        "media file not found",
    ] {
        assert!(report.contains(want), "{want:?} not in\n{report}");
    }
    // Every line names the export and its line.
    let located = Regex::new(r"export\.xml:\d+:\d+: warning: ").unwrap();
    for line in report.lines().filter(|l| l.contains("warning:")) {
        assert!(located.is_match(line), "{line}");
    }
}

#[test]
fn hostile_content_imports_defused_and_private_data_stays_out() {
    let (_dir, site, _) = imported();
    build_ok(&site, &[]);
    for dir in ["content", "public"] {
        for (path, bytes) in snapshot_tree(&site.join(dir)) {
            let text = String::from_utf8_lossy(&bytes).to_ascii_lowercase();
            assert!(!text.contains("javascript:"), "{dir}/{path}");
            // The theme's own search script is the only script there is.
            let scripts = text.matches("<script").count();
            let ours = text.matches("<script src=\"/search.js\"").count();
            assert_eq!(scripts, ours, "{dir}/{path}");
            assert!(!text.contains("onerror"), "{dir}/{path}");
            assert!(
                !text.contains("reader@example.com"),
                "{dir}/{path}: an email"
            );
            assert!(!text.contains("192.0.2.7"), "{dir}/{path}: an IP address");
        }
    }
}

#[test]
fn a_fresh_site_takes_the_exports_settings_and_loses_its_samples() {
    let (_dir, site, summary) = imported();
    let config = file(&site, "glossator.toml");
    for want in [
        "title = \"Harbour Notes\"",
        "base_url = \"https://harbour-notes.example\"",
        "timezone = \"America/New_York\"",
        "permalink = \"/:year/:month/:day/:slug/\"",
    ] {
        assert!(config.contains(want), "{want} not in\n{config}");
    }
    assert!(config.starts_with("# Site settings."), "comments kept");
    assert!(summary.contains("fresh from `glossator init`"));
    assert!(
        !site
            .join("content/pages/about.md")
            .read_to_string_lossy()
            .contains("sample")
    );
    let posts: Vec<String> = std::fs::read_dir(site.join("content/posts"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert!(!posts.iter().any(|p| p.contains("welcome")), "{posts:?}");
}

trait ReadLossy {
    fn read_to_string_lossy(&self) -> String;
}

impl ReadLossy for PathBuf {
    fn read_to_string_lossy(&self) -> String {
        std::fs::read(self)
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default()
    }
}

#[test]
fn importing_again_gives_the_same_files_and_keeps_the_writers_edits() {
    let (_dir, site, _) = imported();
    let export = fixture().join("export.xml");
    let media = fixture().join("uploads");
    let args = [
        "import",
        "wordpress",
        export.to_str().unwrap(),
        "--media",
        media.to_str().unwrap(),
    ];
    let before = snapshot_tree(&site);
    let out = glossator(&site, &args);
    assert!(out.status.success());
    assert!(
        stdout(&out).contains("Files: 0 written"),
        "{}",
        stdout(&out)
    );
    assert_eq!(before, snapshot_tree(&site), "a re-run changed files");

    let post = site.join("content/posts/2009-03-06-fog-aside.md");
    let edited = format!("{}\nMy own afterthought.\n", read(&post));
    std::fs::write(&post, &edited).unwrap();
    let out = glossator(&site, &args);
    assert!(
        stdout(&out).contains("1 kept as you edited them"),
        "{}",
        stdout(&out)
    );
    assert_eq!(read(&post), edited);
    assert!(read(site.join("import-report.txt")).contains("content/posts/2009-03-06-fog-aside.md"));

    let mut forced = args.to_vec();
    forced.push("--force");
    let out = glossator(&site, &forced);
    assert!(out.status.success());
    assert!(!read(&post).contains("afterthought"));
}

#[test]
fn a_dry_run_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    glossator(dir.path(), &["init", "site"]);
    let site = dir.path().join("site");
    let before = snapshot_tree(&site);
    let export = fixture().join("export.xml");
    let out = glossator(
        &site,
        &["import", "wordpress", export.to_str().unwrap(), "--dry-run"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stdout(&out).contains("Would import"), "{}", stdout(&out));
    assert!(
        stdout(&out).contains("media stays on the old host"),
        "without --media the report says so"
    );
    assert_eq!(before, snapshot_tree(&site));
}

#[test]
fn a_broken_export_is_an_error_at_its_line_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    glossator(dir.path(), &["init", "site"]);
    let site = dir.path().join("site");
    let before = snapshot_tree(&site);
    let full = read(fixture().join("export.xml"));
    // Cut off in the middle of an item.
    let cut = &full[..full.find("Fog so thick").unwrap()];
    let truncated = dir.path().join("truncated.xml");
    std::fs::write(&truncated, cut).unwrap();
    let out = glossator(&site, &["import", "wordpress", truncated.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    let err = stderr(&out);
    assert!(
        Regex::new(r"truncated\.xml:\d+:\d+: error: ")
            .unwrap()
            .is_match(&err),
        "{err}"
    );
    assert!(err.contains("Nothing was imported"), "{err}");
    // Malformed: a closing tag that does not match.
    let malformed = dir.path().join("malformed.xml");
    std::fs::write(&malformed, full.replacen("</title>", "</titel>", 3)).unwrap();
    let out = glossator(&site, &["import", "wordpress", malformed.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        Regex::new(r"malformed\.xml:\d+:\d+: error: the export is not well-formed XML")
            .unwrap()
            .is_match(&stderr(&out)),
        "{}",
        stderr(&out)
    );
    assert_eq!(before, snapshot_tree(&site));
}

#[test]
fn a_site_with_content_of_its_own_keeps_its_config() {
    let dir = tempfile::tempdir().unwrap();
    glossator(dir.path(), &["init", "site"]);
    let site = dir.path().join("site");
    std::fs::write(
        site.join("content/posts/2020-01-01-mine.md"),
        "+++\ntitle = \"Mine\"\n+++\nMy own post.\n",
    )
    .unwrap();
    let config = file(&site, "glossator.toml");
    let export = fixture().join("export.xml");
    let out = glossator(&site, &["import", "wordpress", export.to_str().unwrap()]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(file(&site, "glossator.toml"), config);
    assert!(
        stdout(&out).contains("title: glossator.toml has"),
        "{}",
        stdout(&out)
    );
    assert!(site.join("content/posts/2020-01-01-mine.md").exists());
    // The old addresses still answer, through the site's own patterns.
    build_ok(&site, &[]);
    assert!(
        site.join("public/2009/03/03/ferry-contract-again/index.html")
            .is_file()
    );
    let redirect = read(site.join("public/tag/ferries/index.html"));
    assert!(redirect.contains("/tags/ferries/"), "{redirect}");
}

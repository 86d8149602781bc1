//! Every way a reader finds a post, on `tests/fixtures/discovery/`: feeds
//! parsed back with a real feed parser (feed-rs), date archives, aliases,
//! series, related posts, sitemap, search index, and page metadata.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fs;
use std::path::{Path, PathBuf};

use support::{attrs, build_ok, glossator, html, read, site, stderr, texts};

struct Built {
    _dir: tempfile::TempDir,
    public: PathBuf,
}

fn discovery() -> Built {
    let dir = site("discovery");
    build_ok(dir.path(), &[]);
    let public = dir.path().join("public");
    Built { _dir: dir, public }
}

fn feed(path: &Path) -> feed_rs::model::Feed {
    feed_rs::parser::parse(fs::File::open(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn secs(rfc3339: &str) -> i64 {
    rfc3339.parse::<jiff::Timestamp>().unwrap().as_second()
}

fn titles(f: &feed_rs::model::Feed) -> Vec<String> {
    f.entries
        .iter()
        .map(|e| e.title.as_ref().unwrap().content.clone())
        .collect()
}

#[test]
fn site_feeds_carry_the_newest_posts_in_full() {
    let b = discovery();
    for file in ["atom.xml", "rss.xml", "feed.json"] {
        let f = feed(&b.public.join(file));
        // feeds.entries = 3: the three newest.
        assert_eq!(titles(&f), ["Zeta", "Epsilon", "Delta, a link"], "{file}");
        let epsilon = &f.entries[1];
        assert_eq!(
            epsilon.published.unwrap().timestamp(),
            secs("2011-06-01T12:00:00Z"),
            "{file}"
        );
        let body = epsilon
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .or_else(|| epsilon.summary.as_ref().map(|s| s.content.clone()))
            .unwrap();
        assert!(
            body.contains("Epsilon &amp; friends &lt;3."),
            "{file}: escaped text survives: {body}"
        );
        // A link post's entry links to the linked page, and its content
        // ends with a permalink back to ours.
        let delta = &f.entries[2];
        let hrefs: Vec<&str> = delta.links.iter().map(|l| l.href.as_str()).collect();
        if file == "feed.json" {
            // JSON Feed says it in its own words: `url` is ours, `external_url` the linked page.
            assert_eq!(
                hrefs,
                [
                    "https://disc.example/2011/06/01/delta/",
                    "https://elsewhere.example/delta"
                ]
            );
        } else {
            assert_eq!(
                hrefs.first().copied(),
                Some("https://elsewhere.example/delta"),
                "{file}: {hrefs:?}"
            );
        }
        let body = delta
            .content
            .as_ref()
            .and_then(|c| c.body.clone())
            .or_else(|| delta.summary.as_ref().map(|s| s.content.clone()))
            .unwrap();
        assert!(
            body.trim_end().ends_with(
                "<p><a href=\"https://disc.example/2011/06/01/delta/\">★ Permalink</a></p>"
            ),
            "{file}: {body}"
        );
    }
    let atom = feed(&b.public.join("atom.xml"));
    assert_eq!(
        atom.updated.unwrap().timestamp(),
        secs("2012-12-31T00:00:00Z")
    );
    assert_eq!(
        atom.entries[0].authors[0].name.as_deref(),
        Some("Dee Writer")
    );
    assert_eq!(atom.entries[0].id, "https://disc.example/2012/12/31/zeta/");
}

#[test]
fn tag_feeds_have_full_content_absolute_links_and_updated_times() {
    let b = discovery();
    let f = feed(&b.public.join("tags/a/atom.xml"));
    assert_eq!(titles(&f), ["Delta, a link", "Beta", "Alpha"]);
    let alpha = &f.entries[2];
    // `updated` comes from the post's update, `published` from its date.
    assert_eq!(
        alpha.published.unwrap().timestamp(),
        secs("2010-01-05T00:00:00Z")
    );
    assert_eq!(
        alpha.updated.unwrap().timestamp(),
        secs("2010-01-07T09:30:00Z")
    );
    let body = alpha.content.as_ref().unwrap().body.clone().unwrap();
    assert!(
        body.contains("after the cut, which feeds still carry"),
        "full content: {body}"
    );
    assert!(
        body.contains("src=\"https://disc.example/2010/01/05/alpha/pic.svg\""),
        "{body}"
    );
    assert!(
        body.contains("href=\"https://disc.example/2010/01/20/beta/\""),
        "{body}"
    );
    assert!(
        body.contains("href=\"https://disc.example/2010/01/05/alpha/#fn-1\""),
        "{body}"
    );
    let cats: Vec<&str> = alpha.categories.iter().map(|c| c.term.as_str()).collect();
    assert_eq!(cats, ["a", "b"]);
    for path in [
        "tags/b/atom.xml",
        "categories/stories/atom.xml",
        "series/trilogy/atom.xml",
        "links/atom.xml",
    ] {
        assert!(!feed(&b.public.join(path)).entries.is_empty(), "{path}");
    }
}

#[test]
fn pages_advertise_their_feeds_and_metadata() {
    let b = discovery();
    let doc = html(b.public.join("tags/a/index.html"));
    let feeds = attrs(&doc, "link[rel=alternate]", "href");
    assert_eq!(
        feeds,
        ["/atom.xml", "/rss.xml", "/feed.json", "/tags/a/atom.xml"]
    );
    let doc = html(b.public.join("2010/01/05/alpha/index.html"));
    assert_eq!(
        attrs(&doc, "link[rel=canonical]", "href"),
        ["https://disc.example/2010/01/05/alpha/"]
    );
    assert_eq!(
        attrs(&doc, "meta[property='og:type']", "content"),
        ["article"]
    );
    assert_eq!(
        attrs(&doc, "meta[property='og:image']", "content"),
        ["https://disc.example/2010/01/05/alpha/pic.svg"]
    );
    assert_eq!(
        attrs(&doc, "meta[name='twitter:card']", "content"),
        ["summary_large_image"]
    );
    assert_eq!(
        attrs(&doc, "meta[property='og:title']", "content"),
        ["Alpha"]
    );
    assert!(
        attrs(&doc, "meta[name=description]", "content")[0].starts_with("The opening of alpha")
    );
    let doc = html(b.public.join("index.html"));
    // The footer names each feed by its format (`site.feeds[].name`).
    assert_eq!(
        texts(&doc, ".site-footer a[type]"),
        ["Atom", "RSS", "JSON Feed"]
    );
    assert_eq!(
        attrs(&doc, ".site-footer a[type]", "href"),
        ["/atom.xml", "/rss.xml", "/feed.json"]
    );
    assert_eq!(
        attrs(&doc, "meta[name='twitter:card']", "content"),
        ["summary"]
    );
    assert_eq!(
        attrs(&doc, "meta[property='og:description']", "content"),
        ["A site to be found."]
    );
}

#[test]
fn date_archives() {
    let b = discovery();
    let list = |path: &str| {
        texts(
            &html(b.public.join(path).join("index.html")),
            ".summary h2 a:first-child",
        )
    };
    assert_eq!(list("2010"), ["Gamma", "Beta", "Alpha"]);
    assert_eq!(list("2010/01"), ["Beta", "Alpha"]);
    assert_eq!(list("2010/01/05"), ["Alpha"]);
    assert_eq!(list("2011/06/01"), ["Epsilon", "Delta, a link"]);
    assert_eq!(
        texts(&html(b.public.join("2010/01/index.html")), "h1"),
        ["Posts from January 2010"]
    );
    let doc = html(b.public.join("archive/index.html"));
    assert_eq!(
        texts(&doc, ".archive-year h2"),
        ["2012 (1)", "2011 (2)", "2010 (3)"]
    );
    assert_eq!(
        texts(&doc, ".archive-year h3"),
        ["December (1)", "June (2)", "February (1)", "January (2)"]
    );
    assert_eq!(
        texts(&doc, ".archive-list a").len(),
        6,
        "every post is listed"
    );
}

#[test]
fn the_archive_dates_each_post_by_the_site_zone() {
    let dir = site("discovery");
    let config = dir.path().join("glossator.toml");
    let text = read(&config).replace("timezone = \"UTC\"", "timezone = \"America/New_York\"");
    fs::write(&config, text).unwrap();
    // 23:30 in New York on the 1st of June is already the 2nd in UTC.
    let post = dir.path().join("content/posts/2011-06-01-epsilon.md");
    let text = read(&post).replace("date = \"2011-06-01 12:00\"", "date = \"2011-06-01 23:30\"");
    fs::write(&post, text).unwrap();
    build_ok(dir.path(), &[]);
    let doc = html(dir.path().join("public/archive/index.html"));
    let times = texts(&doc, ".archive-list time");
    let stamps = attrs(&doc, ".archive-list time", "datetime");
    let at = stamps
        .iter()
        .position(|d| d == "2011-06-02T03:30:00Z")
        .expect("the late post's instant, in UTC");
    assert_eq!(times[at], "Jun 1", "its day in the site's zone");
    assert_eq!(times.len(), 6);
    assert!(times.iter().all(|t| {
        let (month, day) = t.split_once(' ').unwrap();
        month.len() == 3 && day.parse::<u8>().is_ok_and(|d| (1..=31).contains(&d))
    }));
}

#[test]
fn aliases_redirect_to_their_page() {
    let b = discovery();
    for (alias, target) in [
        (
            "old/alpha/index.html",
            "https://disc.example/2010/01/05/alpha/",
        ),
        ("alpha.html", "https://disc.example/2010/01/05/alpha/"),
        ("about-me/index.html", "https://disc.example/about/"),
    ] {
        let doc = html(b.public.join(alias));
        assert_eq!(
            attrs(&doc, "link[rel=canonical]", "href"),
            [target],
            "{alias}"
        );
        assert_eq!(
            attrs(&doc, "meta[http-equiv=refresh]", "content"),
            [format!("0; url={target}")],
            "{alias}"
        );
        assert_eq!(attrs(&doc, "body a", "href"), [target], "a visible link");
    }
}

#[test]
fn an_alias_that_collides_names_both_files() {
    let dir = site("discovery");
    let posts = dir.path().join("content/posts");
    // An alias onto a real page.
    fs::write(
        posts.join("2013-01-01-eta.md"),
        "+++\ntitle = \"Eta\"\naliases = [\"/2010/01/20/beta/\"]\n+++\nx\n",
    )
    .unwrap();
    // Two aliases for one old URL.
    fs::write(
        posts.join("2013-01-02-theta.md"),
        "+++\ntitle = \"Theta\"\naliases = [\"/old/alpha/\"]\n+++\nx\n",
    )
    .unwrap();
    let out = glossator(dir.path(), &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("content/posts/2013-01-01-eta.md: error: the alias /2010/01/20/beta/ of post `Eta` has the URL /2010/01/20/beta/, which post `Beta` (content/posts/2010-01-20-beta.md) already has"),
        "{err}"
    );
    // Two aliases for one URL: one message names both posts and both files.
    let line = err
        .lines()
        .find(|l| l.contains("has the URL /old/alpha/"))
        .expect(&err);
    for needle in [
        "content/posts/2010-01-05-alpha/index.md",
        "`Alpha`",
        "content/posts/2013-01-02-theta.md",
        "`Theta`",
    ] {
        assert!(line.contains(needle), "{needle} not in {line}");
    }
    assert!(
        err.contains("hint: an old URL can redirect to one page only"),
        "{err}"
    );
    assert!(!dir.path().join("public").exists());
}

#[test]
fn series_pages_and_in_post_navigation() {
    let b = discovery();
    let doc = html(b.public.join("series/trilogy/index.html"));
    assert_eq!(texts(&doc, "h1"), ["Trilogy"]);
    assert_eq!(
        texts(&doc, ".series-list .summary h2"),
        ["Alpha", "Beta", "Gamma"],
        "part 1 first"
    );
    let doc = html(b.public.join("2010/01/20/beta/index.html"));
    let nav = texts(&doc, ".series-nav p")[0]
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    assert!(nav.starts_with("Part 2 of 3 in Trilogy"), "{nav}");
    assert_eq!(
        attrs(&doc, ".series-nav a[rel=prev]", "href"),
        ["/2010/01/05/alpha/"]
    );
    assert_eq!(
        attrs(&doc, ".series-nav a[rel=next]", "href"),
        ["/2010/02/03/gamma/"]
    );
    let doc = html(b.public.join("2010/01/05/alpha/index.html"));
    assert!(attrs(&doc, ".series-nav a[rel=prev]", "href").is_empty());
}

#[test]
fn related_posts_share_the_most_tags_then_are_nearest_in_time() {
    let b = discovery();
    let related = |path: &str| {
        texts(
            &html(b.public.join(path).join("index.html")),
            ".related li a",
        )
    };
    // alpha (a, b): beta shares two; delta and epsilon one each, delta is nearer.
    assert_eq!(related("2010/01/05/alpha"), ["Beta", "Delta, a link"]);
    // gamma (c): only beta shares c.
    assert_eq!(related("2010/02/03/gamma"), ["Beta"]);
    // zeta (d): nobody.
    assert!(related("2012/12/31/zeta").is_empty());
}

#[test]
fn sitemap_robots_and_search_index() {
    let b = discovery();
    let sitemap = read(b.public.join("sitemap.xml"));
    assert!(sitemap.contains("<url><loc>https://disc.example/2010/01/05/alpha/</loc><lastmod>2010-01-07T09:30:00Z</lastmod></url>"), "{sitemap}");
    assert!(sitemap.contains("<loc>https://disc.example/about/</loc>"));
    assert_eq!(
        sitemap.matches("<url>").count(),
        6 + 1 + 1 + 1 + 4 + 1 + 1 + 1,
        "posts, page, home, links, tags, category, series, archive"
    );
    assert_eq!(
        read(b.public.join("robots.txt")),
        "User-agent: *\nAllow: /\n\nSitemap: https://disc.example/sitemap.xml\n"
    );
    let index: serde_json::Value =
        serde_json::from_str(&read(b.public.join("search.json"))).unwrap();
    let entries = index.as_array().unwrap();
    assert_eq!(entries.len(), 6);
    assert_eq!(entries[0]["title"], "Zeta");
    assert_eq!(entries[0]["url"], "/2012/12/31/zeta/");
    assert_eq!(entries[0]["date"], "2012-12-31");
    assert_eq!(entries[2]["kind"], "link");
    assert_eq!(entries[5]["tags"], serde_json::json!(["a", "b"]));
    assert!(
        entries[5]["excerpt"]
            .as_str()
            .unwrap()
            .starts_with("The opening of alpha")
    );
    assert!(b.public.join("search/index.html").exists());
}

#[test]
fn reading_time_and_word_count_are_in_the_post_view() {
    let b = discovery();
    let meta = texts(
        &html(b.public.join("2010/01/20/beta/index.html")),
        ".post-header .meta",
    )[0]
    .clone();
    assert!(meta.contains("6 words, 1 min read"), "{meta}");
}

#[test]
fn day_archives_can_be_left_out() {
    let dir = site("discovery");
    let toml = dir.path().join("glossator.toml");
    let mut config = read(&toml);
    config.push_str("\n[archives]\ndays = false\n");
    fs::write(&toml, config).unwrap();
    build_ok(dir.path(), &[]);
    let public = dir.path().join("public");
    assert!(public.join("2010/01/index.html").is_file(), "months stay");
    assert!(public.join("2010/index.html").is_file(), "years stay");
    assert!(!public.join("2010/01/05/index.html").exists());
    assert!(!public.join("2011/06/01/index.html").exists());
    assert!(
        public.join("2010/01/05/alpha/index.html").is_file(),
        "posts keep their dated URLs"
    );
}

#[test]
fn whole_posts_on_the_home_page_keep_their_ids_apart() {
    let dir = site("discovery");
    let toml = dir.path().join("glossator.toml");
    let mut config = read(&toml);
    config.push_str("\n[home]\nfull_posts = true\n");
    fs::write(&toml, config).unwrap();
    // Two posts with the same heading, the same footnote numbers and an
    // Updates box each: every id would collide on one page.
    for (day, name) in [("2013-01-01", "first"), ("2013-01-02", "second")] {
        fs::write(
            dir.path().join(format!("content/posts/{day}-{name}.md")),
            format!(
                "+++\ntitle = \"{name}\"\n[[updates]]\nat = \"{day}T12:00:00Z\"\nnote = \"Fixed.\"\n+++\n\n\
                 ## Background\n\n{name} says a thing.[^1] See [above](#background).\n\n\
                 <!-- more -->\n\nThe rest of {name}.\n\n[^1]: The {name} note.\n"
            ),
        )
        .unwrap();
    }
    build_ok(dir.path(), &[]);
    let doc = html(dir.path().join("public/index.html"));
    let ids = attrs(&doc, "[id]", "id");
    let mut seen = std::collections::HashSet::new();
    for id in &ids {
        assert!(seen.insert(id), "id {id} appears twice on the home page");
    }
    // Whole posts, not teasers: the text after the cut is there.
    let page = read(dir.path().join("public/index.html"));
    assert!(page.contains("The rest of first.") && page.contains("The rest of second."));
    // Every in-page link lands on an id of the page.
    let fragments: Vec<String> = attrs(&doc, "a[href^='#']", "href");
    assert!(fragments.len() >= 6, "{fragments:?}");
    for href in fragments {
        assert!(
            seen.contains(&href[1..].to_string()),
            "{href} points nowhere"
        );
    }
    // The post's own page keeps its plain ids.
    let own = html(dir.path().join("public/2013/01/02/second/index.html"));
    assert!(attrs(&own, "h2[id]", "id").contains(&"background".to_string()));
}

#[test]
fn the_404_page_offers_search_and_the_newest_posts() {
    let b = discovery();
    let doc = html(b.public.join("404.html"));
    assert_eq!(attrs(&doc, "form[role=search]", "action"), ["/search/"]);
    // The five newest posts, newest first, as the home page orders them.
    let home = html(b.public.join("index.html"));
    let newest: Vec<String> = texts(&home, ".summary h2 a:first-child")
        .into_iter()
        .take(5)
        .collect();
    assert_eq!(texts(&doc, ".recent-list li a"), newest);
}

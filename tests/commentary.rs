//! Commentary posts end to end: kinds, cited quotes, updates and comment
//! threads in `tests/fixtures/commentary/`, and hostile comments in
//! `tests/fixtures/xss/`. Pages are compared on their `<main>` element
//! (insta snapshots in tests/snapshots/), then the parts that matter are
//! asserted one by one so a snapshot update cannot hide a regression.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::path::Path;

use scraper::{Html, Selector};
use support::{attrs, build_ok, glossator, html, site, stderr, texts};

fn main_of(path: &Path) -> String {
    let doc = html(path);
    let sel = Selector::parse("main").unwrap();
    let main = doc.select(&sel).next().expect("a <main>");
    // Blank lines are template whitespace, not content.
    main.inner_html()
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect::<Vec<_>>()
        .join("\n")
}

struct Built {
    _dir: tempfile::TempDir,
    public: std::path::PathBuf,
}

fn commentary() -> Built {
    let dir = site("commentary");
    build_ok(dir.path(), &[]);
    let public = dir.path().join("public");
    Built { _dir: dir, public }
}

#[test]
fn entry_with_sources_quotes_updates_and_paged_comments() {
    let b = commentary();
    let page = b.public.join("2009/03/03/linkage/index.html");
    insta::assert_snapshot!("entry_page", main_of(&page));
    let doc = html(&page);
    // Two quotes from two versions of one story: same cite URL, each with its own reading time.
    assert_eq!(
        attrs(&doc, "figure.quote.h-cite blockquote", "cite"),
        [
            "https://ledger.example/2009/03/letter",
            "https://ledger.example/2009/03/letter",
            "https://daily.example/story"
        ]
    );
    let captions = texts(&doc, "figure.quote figcaption");
    assert!(
        captions[0].contains("A letter about missiles") && captions[0].contains("08:00"),
        "{captions:?}"
    );
    assert!(
        captions[1].contains("Moscow answers the letter") && captions[1].contains("17:30"),
        "{captions:?}"
    );
    assert!(captions[1].contains("archived copy"));
    assert_eq!(
        texts(&doc, "figure.quote figcaption cite .p-author")[2],
        "Sam Reporter"
    );
    // The unattributed quote stays a plain blockquote.
    assert_eq!(
        texts(&doc, ".e-content > blockquote"),
        ["Nobody is credited here."]
    );
    // `[ledger]` in the lead links to the source.
    assert!(
        attrs(&doc, ".e-content > p a", "href")
            .contains(&"https://ledger.example/2009/03/letter".to_string())
    );
    // Inline updates: one untimed, one timed; the block update; the front matter list.
    assert_eq!(
        attrs(&doc, "ins.update", "datetime"),
        ["2009-03-03T21:40:00Z"]
    );
    assert_eq!(texts(&doc, "ins.update").len(), 2);
    assert_eq!(texts(&doc, "p.update-block").len(), 1);
    assert_eq!(
        texts(&doc, ".updates li"),
        ["March 3, 2009, 18:00: Added the second quote."]
    );
    // The latest update (the 19:00 block) sets `updated`.
    assert_eq!(
        attrs(&doc, "time.dt-updated", "datetime"),
        ["2009-03-04T00:00:00Z"]
    );
    // Comments: 7 over 3 pages of at most 3 (c1-c3 | c4, c5-c6 | c7), threads never split, oldest first.
    assert_eq!(texts(&doc, "#comments-title"), ["7 comments (page 1 of 3)"]);
    assert_eq!(
        attrs(&doc, "#comments li.comment", "id"),
        ["comment-c1", "comment-c2", "comment-c3"]
    );
    assert_eq!(
        attrs(&doc, "li#comment-c1 > ol li#comment-c2 > ol li", "id"),
        ["comment-c3"],
        "nested by parent"
    );
    assert_eq!(
        attrs(&doc, ".load-more a", "href"),
        ["/2009/03/03/linkage/comments/page/2/#comments"],
        "a plain link: works without JavaScript"
    );
    assert_eq!(texts(&doc, ".comment-invite a"), ["send yours by email"]);
}

#[test]
fn comment_pages_continue_the_thread() {
    let b = commentary();
    let page2 = b
        .public
        .join("2009/03/03/linkage/comments/page/2/index.html");
    insta::assert_snapshot!("comments_page_2", main_of(&page2));
    let doc = html(&page2);
    assert_eq!(
        attrs(&doc, "li.comment", "id"),
        ["comment-c4", "comment-c5", "comment-c6"]
    );
    assert_eq!(
        attrs(&doc, ".comments-nav a", "href"),
        ["/2009/03/03/linkage/#comments"]
    );
    let doc = html(
        b.public
            .join("2009/03/03/linkage/comments/page/3/index.html"),
    );
    assert_eq!(attrs(&doc, "li.comment", "id"), ["comment-c7"]);
    assert!(attrs(&doc, ".load-more a", "href").is_empty(), "last page");
    assert!(!b.public.join("2009/03/03/linkage/comments/page/4").exists());
}

#[test]
fn link_posts_point_out_and_keep_a_permalink() {
    let b = commentary();
    let page = b.public.join("2009/03/04/a-link/index.html");
    insta::assert_snapshot!("link_page", main_of(&page));
    let doc = html(&page);
    assert_eq!(
        attrs(&doc, "h1 a.u-bookmark-of", "href"),
        ["https://elsewhere.example/essay"]
    );
    assert_eq!(
        attrs(&doc, "h1 a.permalink-star", "href"),
        ["/2009/03/04/a-link/"]
    );
    assert_eq!(texts(&doc, "h1 a.permalink-star"), ["★"]);
    assert_eq!(attrs(&doc, ".via a", "href"), ["https://friend.example/"]);
    // The same in lists, and on the /links/ list.
    let doc = html(b.public.join("links/index.html"));
    assert_eq!(
        attrs(&doc, ".summary h2 a.u-bookmark-of", "href"),
        ["https://elsewhere.example/essay"]
    );
}

#[test]
fn quote_and_note_posts_get_derived_titles_and_their_own_lists() {
    let b = commentary();
    let page = b.public.join("2009/03/05/quoting/index.html");
    insta::assert_snapshot!("quote_page", main_of(&page));
    let doc = html(&page);
    assert_eq!(texts(&doc, "h1.p-name"), ["Quoting Jo Speaker"]);
    assert!(texts(&doc, "#comments").is_empty(), "comments = off");
    let page = b.public.join("2009/03/06/note/index.html");
    insta::assert_snapshot!("note_page", main_of(&page));
    assert_eq!(
        texts(&html(&page), "h1.p-name"),
        ["Note, March 6, 2009 10:00"]
    );
    assert_eq!(
        texts(&html(b.public.join("quotes/index.html")), ".summary h2"),
        ["Quoting Jo Speaker"]
    );
    assert_eq!(
        texts(&html(b.public.join("notes/index.html")), ".summary h2").len(),
        1
    );
}

#[test]
fn closed_and_off_comment_threads() {
    let b = commentary();
    let closed = b.public.join("2009/03/07/closed/index.html");
    insta::assert_snapshot!("closed_comments", main_of(&closed));
    let doc = html(&closed);
    assert_eq!(attrs(&doc, "li.comment", "id"), ["comment-k1"]);
    assert_eq!(texts(&doc, ".comments-closed"), ["Comments are closed."]);
    assert!(texts(&doc, ".comment-invite").is_empty());
    let off = b.public.join("2009/03/08/off/index.html");
    insta::assert_snapshot!("off_comments", main_of(&off));
    let doc = html(&off);
    assert!(texts(&doc, "#comments").is_empty());
    assert!(!support::read(&off).contains("This comment must not show"));
}

#[test]
fn lists_show_comment_counts() {
    let b = commentary();
    let home = b.public.join("index.html");
    insta::assert_snapshot!("home_list", main_of(&home));
    let doc = html(&home);
    assert_eq!(
        texts(&doc, ".summary .comment-count"),
        ["1 comment", "7 comments"]
    );
}

#[test]
fn post_pages_are_h_entries() {
    let b = commentary();
    let doc = html(b.public.join("2009/03/03/linkage/index.html"));
    let entry = Selector::parse("article.h-entry").unwrap();
    let article = doc.select(&entry).next().expect("an h-entry");
    let inner = Html::parse_fragment(&article.html());
    for class in [
        "p-name",
        "u-url",
        "dt-published",
        "dt-updated",
        "e-content",
        "p-category",
        "p-author",
    ] {
        let sel = Selector::parse(&format!(".{class}")).unwrap();
        assert!(inner.select(&sel).next().is_some(), "h-entry lacks {class}");
    }
    assert!(
        attrs(&doc, "article.h-entry .p-author", "class")
            .iter()
            .any(|c| c.contains("h-card"))
    );
}

/// Every comment in the XSS fixture carries an attack; none may be live.
#[test]
fn hostile_comments_are_defused() {
    let dir = site("xss");
    build_ok(dir.path(), &[]);
    let page = dir.path().join("public/2009/01/01/target/index.html");
    let doc = html(&page);
    let all = Selector::parse("*").unwrap();
    let mut live = Vec::new();
    for el in doc.select(&all) {
        let name = el.value().name();
        if matches!(
            name,
            "script" | "iframe" | "svg" | "object" | "embed" | "form" | "math"
        ) {
            live.push(format!("<{name}>"));
        }
        if name == "style"
            && !el
                .ancestors()
                .any(|a| a.value().as_element().is_some_and(|e| e.name() == "head"))
        {
            live.push("<style> in body".into());
        }
        for (attr, value) in el.value().attrs() {
            let lower = value.trim().to_ascii_lowercase();
            if attr.starts_with("on") {
                live.push(format!("{name}[{attr}]"));
            }
            if matches!(
                attr,
                "href" | "src" | "action" | "formaction" | "data" | "xlink:href"
            ) && (lower.starts_with("javascript:") || lower.starts_with("data:"))
            {
                live.push(format!("{name}[{attr}={value}]"));
            }
            if attr == "style" {
                live.push(format!("{name}[style]"));
            }
        }
    }
    assert!(live.is_empty(), "live attack surface: {live:?}");
    // Every attack's comment is there (defused, not dropped), and links are marked.
    assert_eq!(texts(&doc, "li.comment").len(), 12);
    for a in attrs(&doc, ".comment-body a[href]", "rel") {
        assert_eq!(a, "nofollow ugc");
    }
    // A name that is a script shows as text.
    assert!(
        texts(&doc, ".comment-meta .p-name")
            .iter()
            .any(|t| t.contains("<script>alert('author')</script>"))
    );
    assert!(
        attrs(&doc, ".comment-meta a.u-url[rel]", "href").is_empty(),
        "no author URL survived"
    );
}

#[test]
fn check_reports_commentary_problems() {
    let dir = site("commentary");
    let posts = dir.path().join("content/posts");
    std::fs::write(
        posts.join("2009-04-01-bad-quote.md"),
        "+++\ntitle = \"Bad\"\ndate = 2009-04-01\n[sources.real]\npublication = \"Real\"\nurl = \"https://real.example\"\n+++\n\n> Quoted.\n>\n> — [raal]\n\nSee [the missing page](/2009/01/01/nowhere/) and [a heading](#nope).\n",
    )
    .unwrap();
    std::fs::write(
        posts.join("2009-04-02-mostly.md"),
        format!(
            "+++\ntitle = \"Mostly\"\ndate = 2009-04-02\n+++\n\nMine.\n\n> {}\n>\n> — Somebody Else\n",
            "quoted words ".repeat(150)
        ),
    )
    .unwrap();
    // A short post quoting a paragraph is the norm: no nudge.
    std::fs::write(
        posts.join("2009-04-03-short-quote.md"),
        format!(
            "+++\ntitle = \"Short\"\ndate = 2009-04-03\n+++\n\nMine.\n\n> {}\n>\n> — Somebody Else\n",
            "quoted words ".repeat(40)
        ),
    )
    .unwrap();
    let out = glossator(dir.path(), &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for expected in [
        "content/posts/2009-04-01-bad-quote.md:11:3: error: the quote is attributed to `[raal]`, which is not a declared source",
        "hint: did you mean `[real]`?",
        "content/posts/2009-04-01-bad-quote.md:6:7: warning: source `real` is declared but never quoted or cited",
        "content/posts/2009-04-01-bad-quote.md:13:5: error: the link to /2009/01/01/nowhere/ goes to no page of this site",
        "content/posts/2009-04-01-bad-quote.md:13:50: warning: no `#nope` on /2009/04/01/bad-quote/",
        "content/posts/2009-04-02-mostly.md:5:1: warning: 300 of the post's 301 words are quoted (99%)",
        "check: 2 errors",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(!err.contains("short-quote"), "{err}");
    // The build itself only warns about the source, and does build; the
    // fair-use nudge is `check`'s alone.
    let out = glossator(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(stderr(&out).contains("warning: the quote is attributed to `[raal]`"));
    assert!(!stderr(&out).contains("are quoted"), "{}", stderr(&out));
}

#[test]
fn kinds_check_their_required_fields() {
    let dir = site("commentary");
    let posts = dir.path().join("content/posts");
    std::fs::write(
        posts.join("2009-04-03-no-link.md"),
        "+++\ntitle = \"No link\"\nkind = \"link\"\n+++\nx\n",
    )
    .unwrap();
    std::fs::write(
        posts.join("2009-04-04-no-quote.md"),
        "+++\nkind = \"quote\"\n+++\nJust words.\n",
    )
    .unwrap();
    std::fs::write(
        posts.join("2009-04-05-no-title.md"),
        "+++\nkind = \"entry\"\n+++\nx\n",
    )
    .unwrap();
    let out = glossator(dir.path(), &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1));
    for expected in [
        "content/posts/2009-04-03-no-link.md:3:8: error: a link post needs a `link`",
        "content/posts/2009-04-04-no-quote.md:4:1: error: a quote post needs a cited quote",
        "content/posts/2009-04-05-no-title.md:1:1: error: an entry post needs a title",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
}

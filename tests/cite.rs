//! `glossator cite` and quote verification end to end: pages served by the
//! test on 127.0.0.1 (no other network), the real binary, real files.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stderr)]

mod support;

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use support::web::{Page, Web};
use support::{glossator, read, stderr, stdout};

const LEAD: &str = "Kestria offered last month to reopen its northern fishing grounds to Morvanian boats if Morvane would grant Kestrian freighters access to the deep-water port at Sallow Bay, three officials said on Monday.";
const SECOND: &str = "The offer was made in a letter carried to the Morvanian capital by the deputy foreign minister, Teodor Vance, and was not announced by either government.";
const THIRD: &str = "\u{201c}Nobody wrote the word exchange,\u{201d} one of them said. \u{201c}Nobody had to.\u{201d}";
const FOURTH: &str = "Morvane has kept Sallow Bay closed to foreign freight since the customs dispute, and its fishing fleet has shrunk by a third in the years since.";

fn article(paragraphs: &[&str]) -> String {
    let body: String = paragraphs.iter().map(|p| format!("<p>{p}</p>\n")).collect();
    format!(
        r#"<!doctype html><html lang="en"><head><title>Kestria offers fish for ports | The Ledger</title>
<meta property="og:title" content="Kestria offers fish for ports">
<meta property="og:site_name" content="The Ledger">
<meta name="author" content="Hannah Ruiz">
<link rel="canonical" href="https://ledger.example/2026/03/03/fish-for-ports">
<script type="application/ld+json">{{"@context":"https://schema.org","@type":"NewsArticle","headline":"Kestria offers fish for ports","author":{{"@type":"Person","name":"Hannah Ruiz"}},"datePublished":"2026-03-03T11:00:00Z","dateModified":"2026-03-03T11:30:00Z","publisher":{{"@type":"Organization","name":"The Ledger"}}}}</script>
<script>window.track = function() {{}};</script>
</head><body>
<nav class="menu"><a href="/">Home</a> <a href="/world">World</a> <a href="/sport">Sport</a> <a href="/weather">Weather</a></nav>
<div class="cookie-banner gdpr">We use cookies to improve your experience. Accept all cookies?</div>
<article><h1>Kestria offers fish for ports</h1>
{body}<p onmouseover="steal()">Neither ministry would say when an answer is due, and a spokeswoman said only that the cabinet reads every letter it receives.<script>document.write("INJECTED")</script></p>
</article>
<section class="comments" id="comments"><h2>Comments</h2><p>First! A reader's comment that is not part of the article.</p></section>
<footer>Copyright The Ledger</footer>
</body></html>"#
    )
}

/// A one-post site whose post quotes the ledger.
fn blog(quotes: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("glossator.toml"),
        "title = \"Cite test\"\nbase_url = \"https://cite.example\"\ntimezone = \"UTC\"\n",
    )
    .unwrap();
    fs::create_dir_all(dir.path().join("content/posts")).unwrap();
    fs::write(
        dir.path().join("content/posts/2026-03-03-fish.md"),
        format!("+++\ntitle = \"Fish\"\ndate = 2026-03-03T12:00:00Z\n+++\n\nThe ledger has the story.\n\n{quotes}"),
    )
    .unwrap();
    dir
}

const POST: &str = "content/posts/2026-03-03-fish.md";

fn snapshots(dir: &Path) -> Vec<PathBuf> {
    let root = dir.join("sources");
    if !root.exists() {
        return Vec::new();
    }
    // Snapshots only, not the change marks beside them.
    let mut out: Vec<PathBuf> = walk(&root)
        .into_iter()
        .filter(|p| !p.to_string_lossy().ends_with(".changed.toml"))
        .collect();
    out.sort();
    out
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for e in fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn served() -> Web {
    let web = Web::start();
    web.serve(
        "/2026/03/03/fish-for-ports",
        200,
        &article(&[LEAD, SECOND, THIRD, FOURTH]),
    );
    web
}

#[test]
fn cite_keeps_a_snapshot_and_adds_the_source_to_the_post() {
    let web = served();
    let dir = blog("");
    let before = read(dir.path().join(POST));
    let url = web.url("/2026/03/03/fish-for-ports");
    let out = glossator(dir.path(), &["cite", &url, "--post", POST]);
    assert!(out.status.success(), "{}", stderr(&out));

    let files = snapshots(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    let rel = files[0]
        .strip_prefix(dir.path())
        .unwrap()
        .to_string_lossy()
        .into_owned();
    assert!(
        rel.starts_with("sources/127-0-0-1/fish-for-ports/"),
        "{rel}"
    );
    let snapshot = read(&files[0]);
    for want in [
        "title = \"Kestria offers fish for ports\"",
        "author = \"Hannah Ruiz\"",
        "publication = \"The Ledger\"",
        "published = \"2026-03-03T11:00:00Z\"",
        "modified = \"2026-03-03T11:30:00Z\"",
        "canonical = \"https://ledger.example/2026/03/03/fish-for-ports\"",
        "three officials said on Monday.",
        "shrunk by a third",
    ] {
        assert!(snapshot.contains(want), "{want} missing in\n{snapshot}");
    }
    // Navigation, comments, the cookie banner and everything executable
    // stay out.
    for absent in [
        "INJECTED",
        "steal",
        "onmouseover",
        "cookies",
        "First!",
        "Sport",
        "Copyright",
        "track",
    ] {
        assert!(!snapshot.contains(absent), "{absent} in\n{snapshot}");
    }

    // The post gained exactly the new lines, before the closing `+++`.
    let after = read(dir.path().join(POST));
    let close = before.find("+++\n\nThe ledger").unwrap();
    assert!(after.starts_with(&before[..close]));
    assert!(after.ends_with(&before[close..]));
    let added = &after[close..after.len() - (before.len() - close)];
    let mut lines: Vec<&str> = added.lines().collect();
    let retrieved = lines
        .iter()
        .position(|l| l.starts_with("retrieved = "))
        .unwrap();
    assert!(lines[retrieved].ends_with('Z'), "{added}");
    lines.remove(retrieved);
    assert_eq!(
        lines,
        [
            "",
            "[sources.ledger]",
            "publication = \"The Ledger\"",
            "author = \"Hannah Ruiz\"",
            "title = \"Kestria offers fish for ports\"",
            &format!("url = \"{url}\""),
            "date = 2026-03-03T11:00:00Z",
            &format!("snapshot = \"{rel}\""),
        ]
    );
    // The site builds with it, and `check` has nothing to say of it.
    let out = glossator(dir.path(), &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    // Printed, not added, without --post; a second id is made unique.
    let out = glossator(dir.path(), &["cite", &url]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stdout(&out).starts_with("[sources.ledger]\n"),
        "{}",
        stdout(&out)
    );
}

fn with_snapshot(quotes: &str) -> (Web, tempfile::TempDir) {
    let web = served();
    let dir = blog(&format!("{quotes}\nMy own words.\n"));
    let url = web.url("/2026/03/03/fish-for-ports");
    let out = glossator(
        dir.path(),
        &["cite", &url, "--post", POST, "--id", "ledger"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    (web, dir)
}

#[test]
fn check_passes_faithful_quotes_and_fails_a_misquote_with_the_closest_passage() {
    let faithful = format!(
        // Exact; straight quotes and a double hyphen for the source's
        // curly quotes; an omission; a bracketed insertion.
        "> {LEAD}\n>\n> — [ledger]\n\n\
         > \"Nobody wrote the word exchange,\" one of them said.\n>\n> — [ledger]\n\n\
         > Kestria offered last month … three officials said on Monday.\n>\n> — [ledger]\n\n\
         > The offer was made in a letter carried to the Morvanian capital by [Vance], and was not announced by either government.\n>\n> — [ledger]\n"
    );
    let (_web, dir) = with_snapshot(&faithful);
    let out = glossator(dir.path(), &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));

    let misquote = format!(
        "{faithful}\n> Morvane has kept Sallow Bay closed to foreign freight since the customs dispute, and its fishing fleet has shrunk by half in the years since.\n>\n> — [ledger]\n"
    );
    let text = read(dir.path().join(POST)).replace(&faithful, &misquote);
    fs::write(dir.path().join(POST), &text).unwrap();
    let out = glossator(dir.path(), &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let line = text
        .lines()
        .position(|l| l.contains("shrunk by half"))
        .unwrap()
        + 1;
    assert!(
        err.contains(&format!(
            "{POST}:{line}:1: error: this quote is not in the snapshot of `[ledger]`"
        )),
        "{err}"
    );
    assert!(err.contains("closest passage (paragraph 4)"), "{err}");
    assert!(err.contains("the quote has: “half”"), "{err}");
    assert!(
        err.contains("the source has:") && err.contains("“third”"),
        "{err}"
    );
    assert_eq!(err.matches("error:").count(), 1, "{err}");
}

#[test]
fn a_source_without_a_snapshot_gets_a_note_not_an_error() {
    let dir = blog("> Some words.\n>\n> — [paper]\n");
    let text = read(dir.path().join(POST)).replace(
        "+++\n\nThe",
        "[sources.paper]\npublication = \"The Paper\"\n+++\n\nThe",
    );
    fs::write(dir.path().join(POST), text).unwrap();
    let out = glossator(dir.path(), &["check"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("note: quotes from `[paper]` are not verified: it has no snapshot"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn refresh_reports_a_revised_story_and_update_keeps_both_versions() {
    let quote = format!("> {FOURTH}\n>\n> — [ledger]\n");
    let (web, dir) = with_snapshot(&quote);
    let revised_fourth =
        "Morvane has kept Sallow Bay closed to foreign freight since the customs dispute.";
    let added = "A spokeswoman for the Morvanian cabinet said on Tuesday that the government had received a letter, not a deal.";
    web.serve(
        "/2026/03/03/fish-for-ports",
        200,
        &article(&[LEAD, SECOND, THIRD, revised_fourth, added]),
    );
    // Plain check still passes: the snapshot is what was quoted.
    assert!(glossator(dir.path(), &["check"]).status.success());
    let out = glossator(dir.path(), &["check", "--refresh"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("`[ledger]` has changed since its snapshot"),
        "{err}"
    );
    assert!(err.contains("~ paragraph 4 edited: Morvane has kept Sallow Bay closed to foreign freight since the customs dispute."), "{err}");
    assert!(err.contains(&format!("+ {}", &added[..60])), "{err}");
    assert!(
        err.contains("this quote of `[ledger]` is no longer in the live page"),
        "{err}"
    );
    assert_eq!(
        snapshots(dir.path()).len(),
        1,
        "--refresh alone writes no snapshot"
    );
    // It records the change beside the snapshot, and the post's page says so.
    let mark = snapshots(dir.path())[0].with_extension("changed.toml");
    assert!(
        read(&mark).contains("what = \"changed\""),
        "{}",
        read(&mark)
    );
    let out = glossator(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let page = read(dir.path().join("public/2026/03/03/fish/index.html"));
    assert!(
        page.contains("class=\"source-changed\">(changed since; noticed"),
        "{page}"
    );

    std::thread::sleep(Duration::from_millis(1100));
    let out = glossator(dir.path(), &["check", "--refresh", "--update"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let files = snapshots(dir.path());
    assert_eq!(files.len(), 2, "{files:?}");
    assert_eq!(files[0].parent(), files[1].parent());
    assert!(read(&files[1]).contains(added));
    assert!(!read(&files[0]).contains(added));
    assert!(
        stderr(&out).contains("[sources.ledger-later]"),
        "{}",
        stderr(&out)
    );

    // The story back as it was: the mark goes, and so does the notice.
    web.serve(
        "/2026/03/03/fish-for-ports",
        200,
        &article(&[LEAD, SECOND, THIRD, FOURTH]),
    );
    let out = glossator(dir.path(), &["check", "--refresh"]);
    assert!(!mark.exists(), "{}", stderr(&out));
    glossator(dir.path(), &["build"]);
    let page = read(dir.path().join("public/2026/03/03/fish/index.html"));
    assert!(!page.contains("source-changed\">"), "{page}");
}

#[test]
fn refresh_reports_a_page_that_is_gone_or_moved() {
    let (web, dir) = with_snapshot(&format!("> {LEAD}\n>\n> — [ledger]\n"));
    web.serve("/2026/03/03/fish-for-ports", 410, "gone");
    let err = stderr(&glossator(dir.path(), &["check", "--refresh"]));
    assert!(
        err.contains("`[ledger]` is gone:") && err.contains("answers 410"),
        "{err}"
    );
    web.serve_page(
        "/2026/03/03/fish-for-ports",
        Page {
            status: 301,
            headers: vec![("Location".into(), "/moved/fish".into())],
            ..Page::default()
        },
    );
    web.serve("/moved/fish", 200, &article(&[LEAD, SECOND, THIRD, FOURTH]));
    let err = stderr(&glossator(dir.path(), &["check", "--refresh"]));
    assert!(
        err.contains(&format!("now leads to {}", web.url("/moved/fish"))),
        "{err}"
    );
    assert!(!err.contains("has changed"), "{err}");
}

#[test]
fn cite_follows_and_records_redirects() {
    let web = served();
    web.serve_page(
        "/old",
        Page {
            status: 302,
            headers: vec![("Location".into(), "/2026/03/03/fish-for-ports".into())],
            ..Page::default()
        },
    );
    let dir = blog("");
    let out = glossator(dir.path(), &["cite", &web.url("/old")]);
    assert!(out.status.success(), "{}", stderr(&out));
    let snapshot = read(&snapshots(dir.path())[0]);
    let target = web.url("/2026/03/03/fish-for-ports");
    assert!(
        snapshot.contains(&format!("final_url = \"{target}\"")),
        "{snapshot}"
    );
    assert!(
        snapshot.contains(&format!("redirects = [\"{target}\"]")),
        "{snapshot}"
    );
}

/// `cite` refuses, says why, and writes nothing.
fn refused(dir: &Path, url: &str, args: &[&str], says: &str) {
    let before = read(dir.join(POST));
    let mut all = vec!["cite", url, "--post", POST];
    all.extend_from_slice(args);
    let out = glossator(dir, &all);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains(says), "wanted {says:?} in {err}");
    assert!(err.contains("nothing written"), "{err}");
    assert!(snapshots(dir).is_empty());
    assert_eq!(read(dir.join(POST)), before);
}

#[test]
fn bad_pages_and_addresses_are_refused_and_nothing_is_written() {
    let web = Web::start();
    web.serve("/missing", 404, "no");
    web.serve(
        "/huge",
        200,
        &format!(
            "<html><body><p>{}</p></body></html>",
            "x".repeat(20 * 1024 * 1024)
        ),
    );
    web.serve_page(
        "/paper.pdf",
        Page {
            status: 200,
            body: "%PDF-1.7".into(),
            content_type: Some("application/pdf".into()),
            ..Page::default()
        },
    );
    let dir = blog("");
    refused(
        dir.path(),
        &web.url("/missing"),
        &[],
        "answers 404: the page is gone",
    );
    refused(dir.path(), &web.url("/huge"), &[], "larger than 10 MB");
    refused(
        dir.path(),
        &web.url("/paper.pdf"),
        &[],
        "is not an HTML page (it is `application/pdf`)",
    );
    refused(
        dir.path(),
        "file:///etc/passwd",
        &[],
        "is not an http:// or https:// address",
    );
    // A server that accepts and never answers.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap();
    refused(
        dir.path(),
        &format!("http://{addr}/story"),
        &["--timeout", "2"],
        "no answer in time",
    );
    drop(silent);
}

#[test]
fn a_damaged_snapshot_is_an_error_at_its_line() {
    let (_web, dir) = with_snapshot(&format!("> {LEAD}\n>\n> — [ledger]\n"));
    let file = snapshots(dir.path()).remove(0);
    let text = read(&file).replacen("title = ", "title = [", 1);
    fs::write(&file, text).unwrap();
    let out = glossator(dir.path(), &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    let rel = file.strip_prefix(dir.path()).unwrap().display().to_string();
    assert!(
        err.contains(&format!("{rel}:")) && err.contains("a damaged snapshot"),
        "{err}"
    );
}

#[test]
fn the_sample_blogs_seed_post_is_verified_against_both_snapshots() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for part in ["glossator.toml", "content", "sources", "themes"] {
        let from = repo.join(part);
        if from.is_dir() {
            support::copy_dir(&from, &dir.path().join(part));
        } else {
            fs::copy(&from, dir.path().join(part)).unwrap();
        }
    }
    let out = glossator(dir.path(), &["check"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert!(
        !err.contains("[meridian"),
        "both meridian sources have snapshots: {err}"
    );
    // The revised story's snapshot is what proves the second quote.
    let later = dir
        .path()
        .join("sources/meridian-post-example/kestria-fishing-ports/2026-03-03T214500Z.txt");
    fs::write(
        &later,
        read(&later).replace("read it with interest", "read it"),
    )
    .unwrap();
    let out = glossator(dir.path(), &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("fish-for-ports.md:")
            && err.contains("not in the snapshot of `[meridian-later]`"),
        "{err}"
    );
}

#[test]
fn many_sources_without_snapshots_are_counted_not_listed() {
    let dir = blog("");
    for n in 0..8 {
        fs::write(
            dir.path().join(format!("content/posts/2026-02-0{}-old-{n}.md", n + 1)),
            format!("+++\ntitle = \"Old {n}\"\n[sources.paper{n}]\npublication = \"Paper {n}\"\n+++\n\n> Words.\n>\n> — [paper{n}]\n"),
        )
        .unwrap();
    }
    let out = glossator(dir.path(), &["check"]);
    let err = stderr(&out);
    assert!(out.status.success(), "{err}");
    assert_eq!(
        err.matches("are not verified: it has no snapshot").count(),
        5,
        "{err}"
    );
    assert!(
        err.contains("and 3 more sources without a snapshot"),
        "{err}"
    );
    assert!(
        err.contains("check: 0 errors, 0 warnings, 8 notes"),
        "{err}"
    );
    let out = glossator(dir.path(), &["-v", "check"]);
    assert_eq!(
        stderr(&out)
            .matches("are not verified: it has no snapshot")
            .count(),
        8
    );
}

#[test]
fn a_missing_or_outside_snapshot_is_an_error_at_the_post_line() {
    let dir = blog("> Words.\n>\n> — [paper]\n");
    let with = |snapshot: &str| {
        let text = read(dir.path().join(POST)).replacen(
            "+++\n\nThe",
            &format!("[sources.paper]\npublication = \"The Paper\"\nsnapshot = \"{snapshot}\"\n+++\n\nThe"),
            1,
        );
        fs::write(dir.path().join(POST), text).unwrap();
    };
    with("sources/paper/gone.txt");
    let out = glossator(dir.path(), &["check"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("sources/paper/gone.txt: error: cannot read the snapshot"),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "{POST}:6:12: error: the snapshot of `[paper]` cannot be read"
        )),
        "{err}"
    );

    let dir = blog("> Words.\n>\n> — [paper]\n");
    let text = read(dir.path().join(POST)).replacen(
        "+++\n\nThe",
        "[sources.paper]\npublication = \"The Paper\"\nsnapshot = \"../../etc/passwd\"\n+++\n\nThe",
        1,
    );
    fs::write(dir.path().join(POST), text).unwrap();
    let out = glossator(dir.path(), &["build"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains(&format!("{POST}:6:12: error:"))
            && err.contains("a snapshot is a path under `sources/`"),
        "{err}"
    );
}

#[test]
fn new_with_fetch_prefills_from_the_page_and_keeps_its_snapshot() {
    let web = served();
    let url = web.url("/2026/03/03/fish-for-ports");
    let dir = blog("");
    let out = glossator(dir.path(), &["new", "link", "--url", &url, "--fetch"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = read(dir.path().join(stdout(&out).trim()));
    assert!(
        text.contains("title = \"Kestria offers fish for ports\""),
        "{text}"
    );
    assert!(text.contains(&format!("link = \"{url}\"")), "{text}");
    assert!(
        text.contains("[sources.ledger]") && text.contains("author = \"Hannah Ruiz\""),
        "{text}"
    );
    let snapshot = &snapshots(dir.path())[0];
    let rel = snapshot
        .strip_prefix(dir.path())
        .unwrap()
        .display()
        .to_string();
    assert!(text.contains(&format!("snapshot = \"{rel}\"")), "{text}");

    let out = glossator(dir.path(), &["new", "quote", "--url", &url, "--fetch"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = read(dir.path().join(stdout(&out).trim()));
    assert!(
        text.contains("publication = \"The Ledger\"") && text.contains("> — [ledger]"),
        "{text}"
    );
    // The new posts build, and their (placeholder) quotes are checked.
    assert!(glossator(dir.path(), &["build"]).status.success());

    // Without --fetch, nothing is read: a dead address is fine.
    let before = snapshots(dir.path()).len();
    let out = glossator(
        dir.path(),
        &["new", "link", "A title", "--url", "http://127.0.0.1:9/x"],
    );
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(snapshots(dir.path()).len(), before);
}

#[test]
fn snapshots_are_published_only_when_asked() {
    let (_web, dir) = with_snapshot(&format!("> {LEAD}\n>\n> — [ledger]\n"));
    let rel = snapshots(dir.path())[0]
        .strip_prefix(dir.path())
        .unwrap()
        .to_string_lossy()
        .into_owned();
    let out = glossator(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert!(!dir.path().join("public").join(&rel).exists());
    assert!(
        !read(dir.path().join("public/2026/03/03/fish/index.html")).contains("the text as quoted")
    );

    let toml = dir.path().join("glossator.toml");
    fs::write(
        &toml,
        read(&toml) + "\n[sources]\npublish_snapshots = true\n",
    )
    .unwrap();
    let out = glossator(dir.path(), &["build"]);
    assert!(out.status.success(), "{}", stderr(&out));
    assert_eq!(
        read(dir.path().join("public").join(&rel)),
        read(dir.path().join(&rel))
    );
    let page = read(dir.path().join("public/2026/03/03/fish/index.html"));
    assert!(
        page.contains(&format!("<a href=\"/{rel}\">the text as quoted</a>")),
        "{page}"
    );
}

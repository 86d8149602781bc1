//! Webmentions end to end: `glossator respond` receives them from source
//! pages served by the test on 127.0.0.1, and `glossator webmention send`
//! discovers endpoints served the same way. Real binary, real HTTP.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::zombie_processes
)]

mod support;

use std::path::Path;
use std::time::Duration;

use support::web::{Page, Web};
use support::{build_ok, glossator, html, read, site, stderr, stdout};

const TARGET: &str = "https://responses.example/2026/02/10/open-thread/";

fn reply_page(text: &str) -> String {
    format!(
        r#"<!DOCTYPE html><html><body><article class="h-entry">
        <p class="p-author h-card"><a class="u-url p-name" href="https://ada.example/">Ada Lovelace</a></p>
        <p>In reply to <a class="u-in-reply-to" href="{TARGET}">the harbour fee post</a>:</p>
        <div class="e-content">
            <p>{text}</p>
            <p>Second paragraph, <a href="javascript:alert(1)">unsafe link</a>, <script>alert(2)</script>done.</p>
        </div>
        <time class="dt-published" datetime="2026-02-11T08:30:00Z">February 11</time>
        </article></body></html>"#
    )
}

type Service = support::Running;

fn start(dir: &Path, extra: &[&str]) -> Service {
    let mut args = vec![
        "respond",
        "--port",
        "0",
        "--rate",
        "0",
        "--source-timeout",
        "2",
    ];
    args.extend_from_slice(extra);
    Service::start(dir, &args)
}

/// Sends a webmention; gives the status and the answer.
fn mention(service: &Service, source: &str, target: &str) -> (u16, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut r = agent
        .post(format!("{}webmention", service.url))
        .send_form([("source", source), ("target", target)])
        .unwrap();
    (
        r.status().as_u16(),
        r.body_mut().read_to_string().unwrap_or_default(),
    )
}

/// The id in a "Webmention wm… from" line.
fn id_in(line: &str) -> String {
    line.split_whitespace().nth(1).unwrap().to_string()
}

fn built_site() -> tempfile::TempDir {
    let dir = site("respond");
    build_ok(dir.path(), &[]);
    dir
}

fn post_page(dir: &Path) -> String {
    read(dir.join("public/2026/02/10/open-thread/index.html"))
}

#[test]
fn a_reply_is_verified_queued_approved_updated_and_taken_down() {
    let dir = built_site();
    assert!(post_page(dir.path()).contains(
        r#"<link rel="webmention" href="https://responses.example/respond/webmention">"#
    ));
    let web = Web::start();
    web.serve(
        "/notes/1",
        200,
        &reply_page("The fee was announced last year too."),
    );
    let service = start(dir.path(), &["--allow-private-sources"]);
    let source = web.url("/notes/1");

    let (status, _) = mention(&service, &source, TARGET);
    assert_eq!(status, 202);
    let line = service.says(&["Webmention", "a reply by Ada Lovelace, waiting"]);
    let id = id_in(&line);
    assert!(
        !post_page(dir.path()).contains("announced last year"),
        "not before approval"
    );
    let approved = glossator(dir.path(), &["comments", "approve", &id]);
    assert!(approved.status.success(), "{}", stderr(&approved));
    let doc = html(dir.path().join("public/2026/02/10/open-thread/index.html"));
    assert_eq!(
        support::texts(
            &doc,
            &format!("ol.comment-list > li#comment-{id} .comment-body p")
        ),
        [
            "The fee was announced last year too.",
            "Second paragraph, unsafe link, done."
        ]
    );
    let file = read(
        dir.path()
            .join(format!("content/comments/open-thread/{id}.md")),
    );
    assert!(
        !file.contains("script") && !file.contains("javascript"),
        "{file}"
    );
    assert_eq!(
        support::attrs(
            &doc,
            &format!("li#comment-{id} a.comment-elsewhere"),
            "href"
        ),
        std::slice::from_ref(&source)
    );

    // The source is edited and mentions again: the same entry, new text,
    // live at once (it was approved).
    web.serve(
        "/notes/1",
        200,
        &reply_page("Correction: it was announced in 2024."),
    );
    assert_eq!(mention(&service, &source, TARGET).0, 202);
    service.says(&[&id, "updated (published)"]);
    service.says(&["Rebuilt the site"]);
    let page = post_page(dir.path());
    assert!(
        page.contains("Correction: it was announced in 2024.") && !page.contains("last year too")
    );
    let entries = std::fs::read_dir(dir.path().join(".glossator/respond/queue"))
        .unwrap()
        .count();
    assert_eq!(entries, 1);

    // The source is deleted: the mention is taken down.
    web.serve("/notes/1", 410, "Gone");
    assert_eq!(mention(&service, &source, TARGET).0, 202);
    service.says(&[&id, "the source is gone (410): taken down"]);
    service.says(&["Rebuilt the site"]);
    assert!(!post_page(dir.path()).contains("Correction"));
    assert!(
        !dir.path()
            .join(format!("content/comments/open-thread/{id}.md"))
            .exists()
    );
}

#[test]
fn a_like_is_listed_compactly_and_a_source_without_the_link_is_rejected() {
    let dir = built_site();
    let web = Web::start();
    // Liked at the post's old address (an alias): still this post.
    let old = "https://responses.example/old/harbour-fee.html";
    web.serve(
        "/likes/7",
        200,
        &format!(r#"<div class="h-entry"><span class="p-author h-card"><span class="p-name">Bo Reader</span></span> liked <a class="u-like-of" href="{old}">this</a></div>"#),
    );
    web.serve(
        "/unrelated",
        200,
        "<p>Nothing about <a href=\"https://responses.example/\">that site</a>'s posts.</p>",
    );
    let service = start(dir.path(), &["--allow-private-sources"]);
    assert_eq!(mention(&service, &web.url("/unrelated"), TARGET).0, 202);
    service.says(&["rejected: the source does not link to the target"]);
    assert_eq!(mention(&service, &web.url("/likes/7"), old).0, 202);
    let id = id_in(&service.says(&["a like by Bo Reader, waiting"]));
    assert!(
        glossator(dir.path(), &["comments", "approve", &id])
            .status
            .success()
    );
    let doc = html(dir.path().join("public/2026/02/10/open-thread/index.html"));
    let row = support::texts(&doc, ".mention-row.mention-likes");
    assert_eq!(row.len(), 1);
    assert!(
        row[0].starts_with("Liked by") && row[0].contains("Bo Reader"),
        "{row:?}"
    );
    assert!(
        support::texts(&doc, "ol.comment-list .comment-body")
            .iter()
            .all(|t| !t.contains("liked"))
    );
    let queued = std::fs::read_dir(dir.path().join(".glossator/respond/queue"))
        .unwrap()
        .count();
    assert_eq!(queued, 1, "the unlinked source was not queued");
}

#[test]
fn requests_are_checked_and_slow_or_private_sources_do_not_get_through() {
    let dir = built_site();
    let web = Web::start();
    web.serve_page(
        "/slow",
        Page {
            status: 200,
            body: reply_page("Slow."),
            delay: Duration::from_secs(6),
            ..Page::default()
        },
    );
    web.serve("/quick", 200, &reply_page("Quick."));
    {
        let service = start(dir.path(), &["--allow-private-sources"]);
        assert_eq!(
            mention(
                &service,
                &web.url("/quick"),
                "https://elsewhere.example/post/"
            )
            .0,
            400
        );
        assert_eq!(mention(&service, "ftp://example.com/x", TARGET).0, 400);
        assert_eq!(mention(&service, TARGET, TARGET).0, 400);
        assert_eq!(
            mention(
                &service,
                &web.url("/quick"),
                "https://responses.example/2026/02/11/closed-thread/"
            )
            .0,
            400,
            "closed posts take no responses"
        );
        // A slow source is accepted at once and does not hold up the next.
        assert_eq!(mention(&service, &web.url("/slow"), TARGET).0, 202);
        assert_eq!(mention(&service, &web.url("/quick"), TARGET).0, 202);
        let first = service.says(&["Webmention"]);
        assert!(
            first.contains("/quick") && first.contains("waiting"),
            "{first}"
        );
        service.says(&["/slow", "could not be fetched: timed out"]);
    }
    // Without --allow-private-sources, a source on 127.0.0.1 is refused.
    let service = start(dir.path(), &[]);
    web.serve("/private", 200, &reply_page("From inside."));
    assert_eq!(mention(&service, &web.url("/private"), TARGET).0, 202);
    service.says(&["/private", "refused", "private or local addresses"]);
    let queue: Vec<_> = std::fs::read_dir(dir.path().join(".glossator/respond/queue"))
        .unwrap()
        .map(|e| read(e.unwrap().path()))
        .collect();
    assert_eq!(queue.len(), 1);
    assert!(queue[0].contains("Quick."));
}

#[test]
fn send_discovers_endpoints_in_headers_and_html_and_sends_once() {
    let dir = site("respond");
    let web = Web::start();
    web.serve_page(
        "/by-header",
        Page {
            status: 200,
            headers: vec![(
                "Link".into(),
                format!("<{}>; rel=\"webmention\"", web.url("/endpoint-a")),
            )],
            body: "<p>A page.</p>".into(),
            ..Page::default()
        },
    );
    web.serve(
        "/by-html",
        200,
        "<html><head><link rel=\"webmention\" href=\"/endpoint-b\"></head><body>B</body></html>",
    );
    web.serve("/no-endpoint", 200, "<p>No endpoint here.</p>");
    std::fs::write(
        dir.path().join("content/posts/2026-02-14-links-out.md"),
        format!(
            "+++\ntitle = \"Links out\"\nslug = \"links-out\"\ndate = 2026-02-14T09:00:00Z\nlink = \"{}\"\n+++\n\nSee [two]({}), [three]({}) and [our own post]({TARGET}).\n",
            web.url("/by-header"),
            web.url("/by-html"),
            web.url("/no-endpoint")
        ),
    )
    .unwrap();
    let source = "https://responses.example/2026/02/14/links-out/";

    let dry = glossator(
        dir.path(),
        &["webmention", "send", "--dry-run", "links-out"],
    );
    assert!(dry.status.success(), "{}", stderr(&dry));
    assert_eq!(
        stdout(&dry).matches("would be sent").count(),
        3,
        "{}",
        stdout(&dry)
    );
    assert!(web.posts_to("/endpoint-a").is_empty());

    let sent = glossator(dir.path(), &["webmention", "send"]);
    assert!(sent.status.success(), "{}", stderr(&sent));
    let expect = |target: &str| {
        url::form_urlencoded::Serializer::new(String::new())
            .append_pair("source", source)
            .append_pair("target", target)
            .finish()
    };
    assert_eq!(
        web.posts_to("/endpoint-a"),
        [expect(&web.url("/by-header"))]
    );
    assert_eq!(web.posts_to("/endpoint-b"), [expect(&web.url("/by-html"))]);
    assert!(stdout(&sent).contains("no webmention endpoint"));

    let again = glossator(dir.path(), &["webmention", "send"]);
    assert!(again.status.success());
    assert!(
        stderr(&again).contains("Nothing to send"),
        "{}",
        stderr(&again)
    );
    assert_eq!(web.posts_to("/endpoint-a").len(), 1, "sent only once");
    assert_eq!(web.posts_to("/endpoint-b").len(), 1);
}

//! `glossator respond` and `glossator comments` end to end: the real
//! binary on a fixture site, a real HTTP client, the real queue on disk.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::zombie_processes
)]

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use support::{build_ok, glossator, html, read, site, stderr, stdout};

const SITE_ORIGIN: &str = "https://responses.example";
const EMAIL: &str = "reader.one@mail.example";

type Service = support::Running;

fn start(dir: &Path, extra: &[&str]) -> Service {
    let mut args = vec!["respond", "--port", "0"];
    args.extend_from_slice(extra);
    Service::start(dir, &args)
}

/// The fixture site, built (which makes its secret and the forms).
fn built_site() -> tempfile::TempDir {
    let dir = site("respond");
    build_ok(dir.path(), &[]);
    dir
}

fn token(dir: &Path, slug: &str) -> String {
    let page = html(dir.join(format!("public/2026/02/{}/{slug}/index.html", day(slug))));
    support::attrs(&page, "form.comment-form input[name=token]", "value")
        .pop()
        .expect("the post's page has a comment form with a token")
}

fn day(slug: &str) -> &'static str {
    match slug {
        "open-thread" => "10",
        "closed-thread" => "11",
        "second-thread" => "12",
        _ => panic!("no such fixture post"),
    }
}

fn agent() -> ureq::Agent {
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .build()
        .into()
}

struct Answer {
    status: u16,
    location: Option<String>,
    retry_after: Option<String>,
    allow_origin: Option<String>,
    body: String,
}

fn post(url: &str, headers: &[(&str, &str)], fields: &[(&str, &str)]) -> Answer {
    let mut request = agent().post(url);
    for (k, v) in headers {
        request = request.header(*k, *v);
    }
    let mut response = request.send_form(fields.iter().copied()).unwrap();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    let (location, retry_after, allow_origin) = (
        header("location"),
        header("retry-after"),
        header("access-control-allow-origin"),
    );
    Answer {
        status: response.status().as_u16(),
        location,
        retry_after,
        allow_origin,
        body: response.body_mut().read_to_string().unwrap_or_default(),
    }
}

fn queue(dir: &Path) -> Vec<serde_json::Value> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir.join(".glossator/respond/queue")) else {
        return out;
    };
    for e in entries {
        let path = e.unwrap().path();
        if path.extension().is_some_and(|x| x == "json") {
            out.push(serde_json::from_str(&read(&path)).unwrap());
        }
    }
    out
}

/// Every file under `dir` that contains `needle`.
fn files_containing(dir: &Path, needle: &str) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter(|e| {
            std::fs::read(e.path())
                .map(|b| String::from_utf8_lossy(&b).contains(needle))
                .unwrap_or(false)
        })
        .map(|e| e.path().display().to_string())
        .collect()
}

#[test]
fn a_reply_is_queued_then_approved_into_its_thread_without_its_email() {
    let dir = built_site();
    let service = start(dir.path(), &[]);
    let token = token(dir.path(), "open-thread");
    // As a browser without JavaScript posts the form.
    let answer = post(
        &service.url,
        &[("Origin", SITE_ORIGIN)],
        &[
            ("post", "open-thread"),
            ("token", &token),
            ("parent", "c1"),
            ("author", "Second Reader"),
            ("email", EMAIL),
            ("url", "https://second.example/"),
            ("body", "The *trade* ministry, per the second edition."),
            ("homepage", ""),
        ],
    );
    assert_eq!(answer.status, 303, "{}", answer.body);
    assert_eq!(
        answer.location.as_deref(),
        Some("https://responses.example/2026/02/10/open-thread/#comment-pending")
    );
    assert_eq!(answer.allow_origin.as_deref(), Some(SITE_ORIGIN));
    let queued = queue(dir.path());
    assert_eq!(queued.len(), 1);
    let id = queued[0]["id"].as_str().unwrap().to_string();
    assert_eq!(queued[0]["status"], "pending");
    assert_eq!(queued[0]["email"], EMAIL);

    // Not published before it is approved.
    let page = dir.path().join("public/2026/02/10/open-thread/index.html");
    assert!(!read(&page).contains("second edition"));
    let listed = glossator(dir.path(), &["comments", "list"]);
    assert!(stdout(&listed).contains(&id), "{}", stdout(&listed));
    let shown = glossator(dir.path(), &["comments", "show", &id]);
    assert!(stdout(&shown).contains(EMAIL));

    let approved = glossator(dir.path(), &["comments", "approve", &id]);
    assert!(approved.status.success(), "{}", stderr(&approved));
    let doc = html(&page);
    let nested = support::texts(
        &doc,
        &format!("li#comment-c1 li#comment-{id} .comment-body"),
    );
    assert_eq!(nested.len(), 1, "the reply is threaded under c1");
    assert!(nested[0].contains("The trade ministry, per the second edition."));
    assert_eq!(
        support::attrs(&doc, &format!("li#comment-{id} a.u-url.p-name"), "href"),
        ["https://second.example/"]
    );
    assert!(
        files_containing(&dir.path().join("content"), EMAIL).is_empty()
            && files_containing(&dir.path().join("public"), EMAIL).is_empty(),
        "the email must stay in the private queue"
    );
    assert!(
        files_containing(&dir.path().join("content"), "reader.one").is_empty(),
        "not even part of it"
    );
    assert_eq!(queue(dir.path())[0]["status"], "approved");
    drop(service);
}

#[test]
fn bad_comments_are_refused_with_the_right_status() {
    let dir = built_site();
    let service = start(dir.path(), &["--max-kb", "8", "--rate", "0"]);
    let open = token(dir.path(), "open-thread");
    let other = token(dir.path(), "second-thread");
    let json = [("Accept", "application/json")];
    let send = |fields: &[(&str, &str)]| post(&service.url, &json, fields);
    let good = |extra: &[(&'static str, &'static str)]| {
        let mut f: Vec<(&str, String)> = vec![
            ("post", "open-thread".into()),
            ("token", open.clone()),
            ("author", "Tester".into()),
            ("body", "A fair point.".into()),
        ];
        for (k, v) in extra {
            f.retain(|(name, _)| name != k);
            f.push((k, v.to_string()));
        }
        f
    };
    let as_refs = |f: &[(&str, String)]| -> Vec<(String, String)> {
        f.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
    };
    let send_owned = |f: Vec<(String, String)>| {
        let refs: Vec<(&str, &str)> = f.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        send(&refs)
    };

    let missing_parent = send_owned(as_refs(&good(&[("parent", "c99")])));
    assert_eq!(missing_parent.status, 422, "{}", missing_parent.body);
    assert!(missing_parent.body.contains("\"field\":\"parent\""));

    // A closed post shows no form, and a made-up token does not help.
    let closed_page = read(
        dir.path()
            .join("public/2026/02/11/closed-thread/index.html"),
    );
    assert!(!closed_page.contains("comment-form") && closed_page.contains("Comments are closed"));
    let closed_post = send(&[
        ("post", "closed-thread"),
        ("token", &other),
        ("author", "Tester"),
        ("body", "Let me in."),
    ]);
    assert_eq!(closed_post.status, 403);

    let no_token = send_owned(as_refs(&good(&[("token", "")])));
    assert_eq!(no_token.status, 403);
    // Another post's token does not open this one.
    let mut foreign = as_refs(&good(&[]));
    foreign.retain(|(k, _)| k != "token");
    foreign.push(("token".into(), other.clone()));
    assert_eq!(send_owned(foreign).status, 403);

    let honeypot = send_owned(as_refs(&good(&[("homepage", "http://cheap.example")])));
    assert_eq!(honeypot.status, 400);

    let huge = "word ".repeat(4000);
    let mut big = as_refs(&good(&[]));
    big.retain(|(k, _)| k != "body");
    big.push(("body".into(), huge));
    assert_eq!(send_owned(big).status, 413);

    let nobody = send_owned(as_refs(&good(&[("author", "  ")])));
    assert_eq!(nobody.status, 422);
    let bad_site = send_owned(as_refs(&good(&[("url", "javascript:alert(1)")])));
    assert_eq!(bad_site.status, 422);

    let unknown = send_owned(as_refs(&good(&[("post", "no-such-post")])));
    assert_eq!(unknown.status, 404);

    // A page of another site cannot post, even with a good token.
    let elsewhere = post(
        &service.url,
        &[("Origin", "https://elsewhere.example"), json[0]],
        &[
            ("post", "open-thread"),
            ("token", &open),
            ("author", "Tester"),
            ("body", "Hello from elsewhere."),
        ],
    );
    assert_eq!(elsewhere.status, 403);
    assert!(elsewhere.allow_origin.is_none());

    // A refusal without JavaScript is a page that says why.
    let page = post(
        &service.url,
        &[],
        &[
            ("post", "open-thread"),
            ("token", &open),
            ("author", "T"),
            ("body", "  "),
        ],
    );
    assert_eq!(page.status, 422);
    assert!(page.body.contains("role=\"alert\"") && page.body.contains("empty"));
    assert!(
        page.body
            .contains("href=\"https://responses.example/2026/02/10/open-thread/#respond\"")
    );

    assert!(queue(dir.path()).is_empty(), "nothing refused was stored");
    // A comment with many links is held as spam, never pending.
    let spammy = send(&[
        ("post", "open-thread"),
        ("token", &open),
        ("author", "Deals"),
        (
            "body",
            "https://a.example https://b.example https://c.example",
        ),
    ]);
    assert_eq!(spammy.status, 202);
    let q = queue(dir.path());
    assert_eq!(q.len(), 1);
    assert_eq!(q[0]["status"], "spam");
    let id = q[0]["id"].as_str().unwrap();
    assert!(!stdout(&glossator(dir.path(), &["comments", "list"])).contains(id));
    assert!(stdout(&glossator(dir.path(), &["comments", "list", "--spam"])).contains(id));
    assert!(stdout(&glossator(dir.path(), &["comments", "list", "--all"])).contains(id));
    // Ids come from the queue, never a path.
    let bad = glossator(dir.path(), &["comments", "approve", "../../etc/passwd"]);
    assert!(!bad.status.success());
    assert!(
        stderr(&bad).contains("is not a comment id"),
        "{}",
        stderr(&bad)
    );

    // The writer closes the thread while the service runs: the page's
    // token no longer opens it.
    let file = dir.path().join("content/posts/2026-02-10-open-thread.md");
    let text = read(&file).replace(
        "slug = \"open-thread\"",
        "slug = \"open-thread\"\ncomments = \"closed\"",
    );
    std::fs::write(&file, text).unwrap();
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let late = send_owned(as_refs(&good(&[("body", "Just in time?")])));
        if late.status == 403 {
            assert!(late.body.contains("closed"), "{}", late.body);
            break;
        }
        assert_eq!(late.status, 202, "{}", late.body);
        assert!(
            Instant::now() < deadline,
            "the service never saw the thread close"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

fn flood(url: &str, token: &str, forwarded_for: impl Fn(usize) -> String) -> Vec<Answer> {
    (0..6)
        .map(|i| {
            let body = format!("Comment number {i}.");
            post(
                url,
                &[
                    ("Accept", "application/json"),
                    ("X-Forwarded-For", &forwarded_for(i)),
                ],
                &[
                    ("post", "open-thread"),
                    ("token", token),
                    ("author", "Flood"),
                    ("body", &body),
                ],
            )
        })
        .collect()
}

#[test]
fn floods_are_limited_per_client_and_forwarded_addresses_count_only_from_trusted_proxies() {
    let dir = built_site();
    let token = token(dir.path(), "open-thread");
    {
        let trusted = start(
            dir.path(),
            &["--trusted-proxy", "127.0.0.1", "--burst", "3"],
        );
        let one = flood(&trusted.url, &token, |_| "198.51.100.7".into());
        let statuses: Vec<u16> = one.iter().map(|a| a.status).collect();
        assert_eq!(statuses, [202, 202, 202, 429, 429, 429]);
        assert!(
            one[3]
                .retry_after
                .as_deref()
                .is_some_and(|s| s.parse::<u64>().unwrap() > 0)
        );
        // Other visitors behind the same proxy are not held up.
        let many = flood(&trusted.url, &token, |i| format!("198.51.100.{}", 20 + i));
        assert!(many.iter().all(|a| a.status == 202));
    }
    // Three from the first flood, and the three new texts of the second
    // (its first three repeat the first flood's, and are stored once).
    let stored = queue(dir.path()).len();
    assert_eq!(stored, 6);
    // Without --trusted-proxy, made-up forwarded addresses are ignored:
    // the peer is limited as one client.
    let untrusted = start(dir.path(), &["--burst", "3"]);
    let spread = flood(&untrusted.url, &token, |i| format!("203.0.113.{i}"));
    let statuses: Vec<u16> = spread.iter().map(|a| a.status).collect();
    // These texts were all sent before (answered, not stored again); the
    // attempts still count against the limit.
    assert_eq!(statuses, [202, 202, 202, 429, 429, 429]);
    assert_eq!(queue(dir.path()).len(), stored);
}

#[test]
fn concurrent_comments_are_each_stored_exactly_once() {
    let dir = built_site();
    let service = start(dir.path(), &["--rate", "0"]);
    let token = token(dir.path(), "open-thread");
    let url = service.url.clone();
    let threads: Vec<_> = (0..60)
        .map(|i| {
            let (url, token) = (url.clone(), token.clone());
            std::thread::spawn(move || {
                // 50 different comments, and one comment sent 10 times.
                let body = if i < 50 {
                    format!("Distinct comment {i}.")
                } else {
                    "The same comment, sent again and again.".to_string()
                };
                post(
                    &url,
                    &[("Accept", "application/json")],
                    &[
                        ("post", "open-thread"),
                        ("token", &token),
                        ("author", "Crowd"),
                        ("body", &body),
                    ],
                )
                .status
            })
        })
        .collect();
    for t in threads {
        assert_eq!(t.join().unwrap(), 202);
    }
    let q = queue(dir.path());
    assert_eq!(q.len(), 51);
    let mut bodies: Vec<&str> = q.iter().map(|e| e["body"].as_str().unwrap()).collect();
    bodies.sort_unstable();
    bodies.dedup();
    assert_eq!(bodies.len(), 51, "no comment stored twice");
    let leftovers: Vec<_> = std::fs::read_dir(dir.path().join(".glossator/respond/queue"))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|e| e.path().extension().is_none_or(|x| x != "json"))
        .collect();
    assert!(leftovers.is_empty(), "no temporary files left");
}

#[test]
fn a_returning_commenter_is_published_at_once_and_others_wait() {
    let dir = built_site();
    let service = start(dir.path(), &[]);
    let token = token(dir.path(), "open-thread");
    let json = [("Accept", "application/json"), ("Origin", SITE_ORIGIN)];
    let first = post(
        &service.url,
        &json,
        &[
            ("post", "open-thread"),
            ("token", &token),
            ("author", "Regular"),
            ("email", EMAIL),
            ("body", "First visit."),
        ],
    );
    assert_eq!(first.status, 202);
    let id: serde_json::Value = serde_json::from_str(&first.body).unwrap();
    let approved = glossator(
        dir.path(),
        &["comments", "approve", id["id"].as_str().unwrap()],
    );
    assert!(approved.status.success(), "{}", stderr(&approved));

    // Same address, other case: trusted. The answer comes once the page
    // shows the comment.
    let again = post(
        &service.url,
        &json,
        &[
            ("post", "open-thread"),
            ("token", &token),
            ("author", "Regular"),
            ("email", "Reader.One@Mail.Example"),
            ("body", "Back again, and trusted."),
        ],
    );
    assert_eq!(again.status, 201, "{}", again.body);
    assert!(again.body.contains("\"status\":\"published\""));
    let page = read(dir.path().join("public/2026/02/10/open-thread/index.html"));
    assert!(page.contains("Back again, and trusted."));

    // Someone using the same name but no approved email waits.
    let stranger = post(
        &service.url,
        &json,
        &[
            ("post", "open-thread"),
            ("token", &token),
            ("author", "Regular"),
            ("email", "someone.else@mail.example"),
            ("body", "Pretending to be a regular."),
        ],
    );
    assert_eq!(stranger.status, 202);
    assert!(stranger.body.contains("\"status\":\"pending\""));
    let rejected = glossator(
        dir.path(),
        &[
            "comments",
            "reject",
            serde_json::from_str::<serde_json::Value>(&stranger.body).unwrap()["id"]
                .as_str()
                .unwrap(),
        ],
    );
    assert!(rejected.status.success());
    assert!(
        stdout(&glossator(dir.path(), &["comments", "list"]))
            .trim()
            .is_empty()
    );
}

#[test]
fn without_an_endpoint_there_is_no_form_and_no_secret() {
    let dir = site("respond");
    let config = read(dir.path().join("glossator.toml"))
        .replace("endpoint = \"https://responses.example/respond/\"\n", "");
    std::fs::write(dir.path().join("glossator.toml"), config).unwrap();
    build_ok(dir.path(), &[]);
    let page = read(dir.path().join("public/2026/02/10/open-thread/index.html"));
    assert!(!page.contains("comment-form"));
    assert!(!dir.path().join(".glossator/respond/secret").exists());
}

#[test]
fn a_failed_rebuild_is_reported_and_the_service_carries_on() {
    let dir = built_site();
    // An approved commenter, so the next comment is published at once.
    let token = token(dir.path(), "open-thread");
    let json = [("Accept", "application/json")];
    let service = start(dir.path(), &[]);
    let first = post(
        &service.url,
        &json,
        &[
            ("post", "open-thread"),
            ("token", &token),
            ("author", "Regular"),
            ("email", EMAIL),
            ("body", "Hello."),
        ],
    );
    let id: serde_json::Value = serde_json::from_str(&first.body).unwrap();
    let approved = glossator(
        dir.path(),
        &[
            "comments",
            "approve",
            "--no-build",
            id["id"].as_str().unwrap(),
        ],
    );
    assert!(approved.status.success());
    // The writer saves a broken post while the service runs.
    std::fs::write(
        dir.path().join("content/posts/2026-02-13-broken.md"),
        "+++\ntitle = \"Broken\"\ndate = 2026-02-30\n+++\n\nNot a date.\n",
    )
    .unwrap();
    let published = post(
        &service.url,
        &json,
        &[
            ("post", "open-thread"),
            ("token", &token),
            ("author", "Regular"),
            ("email", EMAIL),
            ("body", "Published into a broken build."),
        ],
    );
    assert_eq!(published.status, 201, "{}", published.body);
    service.says(&["The rebuild failed"]);
    // The comment is kept as a file, and shows after the next good build.
    let file = files_containing(
        &dir.path().join("content/comments"),
        "Published into a broken build.",
    );
    assert_eq!(file.len(), 1);
    let next = post(
        &service.url,
        &json,
        &[
            ("post", "open-thread"),
            ("token", &token),
            ("author", "Someone"),
            ("body", "Still listening?"),
        ],
    );
    assert_eq!(next.status, 202, "{}", next.body);
    std::fs::remove_file(dir.path().join("content/posts/2026-02-13-broken.md")).unwrap();
    build_ok(dir.path(), &[]);
    assert!(
        read(dir.path().join("public/2026/02/10/open-thread/index.html"))
            .contains("Published into a broken build.")
    );
}

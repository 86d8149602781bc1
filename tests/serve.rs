//! `glossator serve` end to end: the real binary on a fixture site, a real
//! HTTP client, a real WebSocket client, real file edits.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::print_stderr,
    clippy::zombie_processes
)]

mod support;

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::site;

type Server = support::Running;

fn start(dir: &Path) -> Server {
    start_with(dir, &[])
}

fn start_with(dir: &Path, extra: &[&str]) -> Server {
    let mut args = vec!["serve", "--port", "0", "--debounce", "20"];
    args.extend_from_slice(extra);
    Server::start(dir, &args)
}

fn get(url: &str) -> (u16, String, String) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent.get(url).call().unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = response.body_mut().read_to_string().unwrap();
    (status, content_type, body)
}

/// Sends a request line exactly as written (no client normalizes it).
fn raw_get(port: u16, target: &str) -> (String, String) {
    raw_get_as(port, target, "127.0.0.1")
}

/// The same, with the given `Host` header.
fn raw_get_as(port: u16, target: &str, host: &str) -> (String, String) {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.lines().next().unwrap_or_default().to_string();
    (status, response)
}

type Socket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>;

fn connect(port: u16) -> Socket {
    connect_from(port, None).unwrap()
}

/// A live-reload socket opened as a page of `origin` would.
fn connect_from(port: u16, origin: Option<&str>) -> Result<Socket, tungstenite::Error> {
    use tungstenite::client::IntoClientRequest;
    let mut request = format!("ws://127.0.0.1:{port}/__glossator/livereload")
        .into_client_request()
        .unwrap();
    if let Some(origin) = origin {
        request
            .headers_mut()
            .insert("Origin", origin.parse().unwrap());
    }
    let (mut socket, _) = tungstenite::connect(request)?;
    if let tungstenite::stream::MaybeTlsStream::Plain(s) = socket.get_mut() {
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
    }
    Ok(socket)
}

/// Waits for the next message of `kind` (within 20 s), skipping others.
fn expect_message(socket: &mut Socket, kind: &str) -> serde_json::Value {
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        match socket.read() {
            Ok(tungstenite::Message::Text(text)) => {
                let value: serde_json::Value = serde_json::from_str(&text).unwrap();
                if value["type"] == kind {
                    return value;
                }
            }
            Ok(_) => {}
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("websocket: {e}"),
        }
    }
    panic!("no {kind} message within 20 s");
}

#[test]
fn serve_rebuilds_announces_shows_errors_and_recovers() {
    let dir = site("formats");
    // serve must never touch public/.
    std::fs::create_dir_all(dir.path().join("public")).unwrap();
    std::fs::write(dir.path().join("public/keep.txt"), "mine").unwrap();
    let server = start(dir.path());

    let (status, content_type, body) = get(&format!("{}2009/03/03/toml/", server.url));
    assert_eq!(status, 200);
    assert_eq!(content_type, "text/html; charset=utf-8");
    assert!(body.contains("Written in TOML."));
    assert!(
        body.contains("<script src=\"/__glossator/livereload.js\""),
        "client injected"
    );
    let (status, content_type, body) = get(&format!("{}__glossator/livereload.js", server.url));
    assert_eq!(
        (status, content_type.as_str()),
        (200, "text/javascript; charset=utf-8")
    );
    assert!(body.contains("WebSocket"));
    let (_, content_type, _) = get(&format!("{}style.css", server.url));
    assert_eq!(content_type, "text/css; charset=utf-8");
    let (status, _, body) = get(&format!("{}no/such/page/", server.url));
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"), "the site's own 404 page");

    let mut socket = connect(server.port);
    let hello = expect_message(&mut socket, "hello");
    let first_version = hello["version"].as_u64().unwrap();

    // Edit a post: a reload message, then the new text over HTTP.
    let post = dir.path().join("content/posts/toml.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(
        &post,
        text.replace("Written in TOML.", "Rewritten while serving."),
    )
    .unwrap();
    let reload = expect_message(&mut socket, "reload");
    assert!(reload["version"].as_u64().unwrap() > first_version);
    let (_, _, body) = get(&format!("{}2009/03/03/toml/", server.url));
    assert!(body.contains("Rewritten while serving."), "{body}");

    // A new post appears.
    std::fs::write(
        dir.path().join("content/posts/2009-04-01-fresh.md"),
        "+++\ntitle = \"Fresh\"\n+++\nNew here.\n",
    )
    .unwrap();
    expect_message(&mut socket, "reload");
    let (status, _, body) = get(&format!("{}2009/04/01/fresh/", server.url));
    assert_eq!(status, 200);
    assert!(body.contains("New here."));

    // Break the front matter: an error message; pages show the overlay
    // with path and line, and the last good content stays.
    std::fs::write(
        &post,
        "+++\ntitle = \"Broken\ndate = 2009-03-03\n+++\nBody.\n",
    )
    .unwrap();
    expect_message(&mut socket, "error");
    let (status, _, body) = get(&format!("{}2009/03/03/toml/", server.url));
    assert_eq!(status, 200);
    assert!(body.contains("id=\"glossator-overlay\""), "overlay shown");
    assert!(
        body.contains("content/posts/toml.md:2:"),
        "path and line in the overlay: {body}"
    );
    assert!(
        body.contains("Rewritten while serving."),
        "last good content kept"
    );
    let (_, _, home) = get(&server.url);
    assert!(home.contains("id=\"glossator-overlay\""), "on every page");

    // Fix it: a reload, and the overlay is gone.
    std::fs::write(&post, text.replace("Written in TOML.", "Fixed again.")).unwrap();
    expect_message(&mut socket, "reload");
    let (_, _, body) = get(&format!("{}2009/03/03/toml/", server.url));
    assert!(!body.contains("glossator-overlay"));
    assert!(body.contains("Fixed again."));

    // Delete the new post: it disappears.
    std::fs::remove_file(dir.path().join("content/posts/2009-04-01-fresh.md")).unwrap();
    expect_message(&mut socket, "reload");
    let (status, _, _) = get(&format!("{}2009/04/01/fresh/", server.url));
    assert_eq!(status, 404);

    // A stylesheet edit is announced as CSS, not a reload.
    std::fs::create_dir_all(dir.path().join("static")).unwrap();
    std::fs::write(dir.path().join("static/extra.css"), "p { color: red }").unwrap();
    // Only a stylesheet changed (it is new): announced as CSS.
    expect_message(&mut socket, "css");
    std::fs::write(dir.path().join("static/extra.css"), "p { color: blue }").unwrap();
    let css = expect_message(&mut socket, "css");
    assert_eq!(css["paths"], serde_json::json!(["/extra.css"]));
    let (_, _, body) = get(&format!("{}extra.css", server.url));
    assert_eq!(body, "p { color: blue }");

    assert_eq!(
        std::fs::read_to_string(dir.path().join("public/keep.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        std::fs::read_dir(dir.path().join("public"))
            .unwrap()
            .count(),
        1,
        "public/ untouched"
    );
}

#[test]
fn no_request_leaves_the_site() {
    let outer = tempfile::tempdir().unwrap();
    std::fs::write(outer.path().join("secret.txt"), "TOP SECRET").unwrap();
    let root = outer.path().join("site");
    support::copy_dir(&support::fixtures().join("formats"), &root);
    let server = start(&root);
    for target in [
        "/../secret.txt",
        "/../../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E/%2E%2E/secret.txt",
        "/..%2fsecret.txt",
        "/%2f..%2f..%2fsecret.txt",
        "/.%2e/secret.txt",
        "//secret.txt",
        "/..\\secret.txt",
        "/%5c..%5csecret.txt",
        "/glossator.toml",
        "/../glossator.toml",
        "/content/posts/toml.md",
        "/%00/index.html",
    ] {
        let (status, response) = raw_get(server.port, target);
        assert!(!status.contains(" 200 "), "{target}: {status}");
        assert!(!response.contains("TOP SECRET"), "{target} leaked");
        assert!(
            !response.contains("base_url = "),
            "{target} leaked the config"
        );
    }
    // And the real pages still answer.
    let (status, _) = raw_get(server.port, "/2009/03/03/toml/");
    assert!(status.contains(" 200 "), "{status}");
}

#[test]
fn a_taken_port_moves_to_the_next() {
    let dir = site("formats");
    let blocker = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let taken = blocker.local_addr().unwrap().port();
    let mut child = Command::new(env!("CARGO_BIN_EXE_glossator"))
        .args(["serve", "--port", &taken.to_string()])
        .current_dir(dir.path())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let mut said = Vec::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        let done = line.contains("http://");
        said.push(line);
        if done {
            break;
        }
    }
    let _ = child.kill();
    let _ = child.wait();
    let text = said.join("\n");
    assert!(
        text.contains(&format!("Port {taken} is in use; using")),
        "{text}"
    );
    assert!(
        text.contains("http://127.0.0.1:"),
        "bound to 127.0.0.1 by default: {text}"
    );
    assert!(!text.contains(&format!(":{taken}/")), "{text}");
}

#[test]
fn other_sites_cannot_reach_the_preview() {
    let dir = site("formats");
    let server = start_with(dir.path(), &["--allow-host", "preview.test"]);
    // DNS rebinding: a request that names another host.
    let (status, response) = raw_get_as(server.port, "/", "evil.example");
    assert!(status.contains(" 403 "), "{status}");
    assert!(
        response.contains("glossator serve --allow-host evil.example"),
        "{response}"
    );
    assert!(!response.contains("Written in TOML"));
    server.says(&["Refused a request from host `evil.example`"]);
    // The machine's own names, and a name given with --allow-host.
    for host in [
        "localhost",
        "127.0.0.1",
        &format!("localhost:{}", server.port),
        "preview.test",
    ] {
        let (status, _) = raw_get_as(server.port, "/", host);
        assert!(status.contains(" 200 "), "{host}: {status}");
    }
    // A page of another site opening the live-reload socket.
    match connect_from(server.port, Some("https://evil.example")) {
        Err(tungstenite::Error::Http(response)) => assert_eq!(response.status(), 403),
        Err(e) => panic!("refused, but not with 403: {e}"),
        Ok(_) => panic!("a foreign origin got the live-reload socket"),
    }
    // A page of the preview itself (as a browser sends it).
    let own = format!("http://127.0.0.1:{}", server.port);
    let mut socket = connect_from(server.port, Some(&own)).unwrap();
    expect_message(&mut socket, "hello");
    let mut socket = connect_from(server.port, Some("http://preview.test:1111")).unwrap();
    expect_message(&mut socket, "hello");
}

#[test]
fn slow_and_idle_connections_are_dropped_but_the_reload_socket_lives() {
    let dir = site("formats");
    // Timeouts of 300 ms stand for the real 15 s.
    let server = start_with(dir.path(), &["--timeout", "0.3"]);
    let mut socket = connect(server.port);
    expect_message(&mut socket, "hello");

    // Headers that never finish.
    let mut slow = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(slow, "GET / HTTP/1.1\r\nHost: localhost\r\n").unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let started = Instant::now();
    let mut rest = Vec::new();
    let closed = slow.read_to_end(&mut rest).is_ok();
    assert!(closed, "the server closed the slow connection");
    assert!(started.elapsed() < Duration::from_secs(3));

    // A kept-alive connection that idles after one request.
    let mut idle = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(idle, "GET /style.css HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let mut first = [0u8; 64];
    let n = idle.read(&mut first).unwrap();
    assert!(String::from_utf8_lossy(&first[..n]).starts_with("HTTP/1.1 200"));
    let started = Instant::now();
    let mut rest = Vec::new();
    assert!(
        idle.read_to_end(&mut rest).is_ok(),
        "idle connection closed"
    );
    assert!(started.elapsed() < Duration::from_secs(3));

    // Ten timeouts of silence on the reload socket (the client answers
    // the server's pings, as a browser does), then an edit still arrives.
    let silent = Instant::now();
    let mut pings = 0;
    while silent.elapsed() < Duration::from_secs(3) {
        match socket.read() {
            Ok(tungstenite::Message::Ping(_)) => pings += 1,
            Ok(other) => panic!("unexpected {other:?}"),
            Err(tungstenite::Error::Io(e))
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) => {}
            Err(e) => panic!("the reload socket was closed: {e}"),
        }
    }
    assert!(pings >= 5, "{pings} pings");
    let post = dir.path().join("content/posts/toml.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(
        &post,
        text.replace("Written in TOML.", "After the silence."),
    )
    .unwrap();
    expect_message(&mut socket, "reload");
}

#[test]
fn a_renamed_site_folder_is_noticed_and_rebuilt_when_it_returns() {
    let outer = tempfile::tempdir().unwrap();
    let root = outer.path().join("site");
    support::copy_dir(&support::fixtures().join("formats"), &root);
    let server = start(&root);
    let mut socket = connect(server.port);
    expect_message(&mut socket, "hello");
    let page = format!("{}2009/03/03/toml/", server.url);

    let moved = outer.path().join("site-moved");
    std::fs::rename(&root, &moved).unwrap();
    server.says(&["the site folder"]);
    expect_message(&mut socket, "error");
    let (status, _, body) = get(&page);
    assert_eq!(status, 200, "the last good site is still served");
    assert!(body.contains("Written in TOML."));
    assert!(body.contains("is gone"), "the overlay says why");

    // An edit made while away, then the folder comes back.
    let post = moved.join("content/posts/toml.md");
    let text = std::fs::read_to_string(&post).unwrap();
    std::fs::write(
        &post,
        text.replace("Written in TOML.", "Edited while away."),
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    std::fs::rename(&moved, &root).unwrap();
    server.says(&["is back"]);
    expect_message(&mut socket, "reload");
    let (status, _, body) = get(&page);
    assert_eq!(status, 200);
    assert!(body.contains("Edited while away."), "{body}");
    assert!(!body.contains("glossator-overlay"));

    // And it is watched again.
    let post = root.join("content/posts/toml.md");
    std::fs::write(&post, text.replace("Written in TOML.", "Watched again.")).unwrap();
    expect_message(&mut socket, "reload");
    let (_, _, body) = get(&page);
    assert!(body.contains("Watched again."), "{body}");
}

#[test]
fn deleted_content_is_noticed_not_served_as_an_empty_site() {
    let dir = site("formats");
    let server = start(dir.path());
    let mut socket = connect(server.port);
    expect_message(&mut socket, "hello");
    let page = format!("{}2009/03/03/toml/", server.url);
    let content = dir.path().join("content");
    let away = dir.path().join("content-away");

    std::fs::rename(&content, &away).unwrap();
    server.says(&["content/ is gone"]);
    expect_message(&mut socket, "error");
    let (status, _, body) = get(&page);
    assert_eq!(status, 200, "the last good site stays");
    assert!(body.contains("content/ is gone"), "{body}");

    std::fs::rename(&away, &content).unwrap();
    server.says(&["content/ is back"]);
    expect_message(&mut socket, "reload");
    let (_, _, body) = get(&page);
    assert!(!body.contains("glossator-overlay"), "{body}");

    // Gone again, and the writer confirms by saving the config.
    std::fs::remove_dir_all(&content).unwrap();
    server.says(&["content/ is gone"]);
    let config = dir.path().join("glossator.toml");
    let text = std::fs::read_to_string(&config).unwrap();
    std::fs::write(&config, text).unwrap();
    server.says(&["serving the site without content"]);
    expect_message(&mut socket, "reload");
    let (status, _, _) = get(&page);
    assert_eq!(status, 404);
}

#[test]
fn a_change_mark_under_sources_reaches_the_served_page() {
    // The sample blog, without its sources/ folder: `cite` or
    // `check --refresh` makes it while serve runs.
    let repo = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dir = tempfile::tempdir().unwrap();
    for part in ["content", "themes"] {
        support::copy_dir(&repo.join(part), &dir.path().join(part));
    }
    std::fs::copy(
        repo.join("glossator.toml"),
        dir.path().join("glossator.toml"),
    )
    .unwrap();
    let server = start(dir.path());
    let post = format!("{}2026/03/03/fish-for-ports/", server.url);
    let (_, _, body) = get(&post);
    assert!(!body.contains("source-changed\">"), "no mark yet");

    let mut socket = connect(server.port);
    expect_message(&mut socket, "hello");
    let folder = dir
        .path()
        .join("sources/meridian-post-example/kestria-fishing-ports");
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(
        folder.join("2026-03-03T133000Z.changed.toml"),
        "found = \"2026-03-04T09:00:00Z\"\nwhat = \"changed\"\ndetails = [\"+ A new paragraph.\"]\n",
    )
    .unwrap();
    expect_message(&mut socket, "reload");
    let (_, _, body) = get(&post);
    assert!(
        body.contains("(changed since; noticed March 4, 2026)"),
        "{body}"
    );
}

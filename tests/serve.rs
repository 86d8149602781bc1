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
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

use support::site;

struct Server {
    child: Child,
    url: String,
    port: u16,
    _lines: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(dir: &Path) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_glossator"))
        .args(["serve", "--port", "0", "--debounce", "20"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { return };
            // Echoed so a failing test shows what the server said.
            eprintln!("serve: {line}");
            let _ = tx.send(line);
        }
    });
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("serve printed its URL");
        if let Some(i) = line.find("http://") {
            let url = line[i..].split_whitespace().next().unwrap().to_string();
            let port = url
                .trim_end_matches('/')
                .rsplit(':')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            return Server {
                child,
                url,
                port,
                _lines: rx,
            };
        }
    }
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
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        stream,
        "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response.lines().next().unwrap_or_default().to_string();
    (status, response)
}

type Socket = tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>;

fn connect(port: u16) -> Socket {
    let (mut socket, _) =
        tungstenite::connect(format!("ws://127.0.0.1:{port}/__glossator/livereload")).unwrap();
    if let tungstenite::stream::MaybeTlsStream::Plain(s) = socket.get_mut() {
        s.set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
    }
    socket
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

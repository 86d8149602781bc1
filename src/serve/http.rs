//! The preview's HTTP side: the site from memory, the live-reload socket.
//!
//! The server answers from a [`Snapshot`] of the last good build held in
//! memory (never from `public/`, which `serve` does not touch). Each
//! request takes the current snapshot as one `Arc`, so every response is a
//! whole page of one build, even while a rebuild swaps in the next. Only
//! paths the build produced can be served: a request path is decoded,
//! refused if it tries to climb out (`..`, encoded slashes, backslashes,
//! NUL, `//`), and then looked up in the snapshot's map; nothing else on
//! disk is reachable.
//!
//! HTML responses get the live-reload client injected (and, after a failed
//! rebuild, the error overlay); `glossator build` output never contains
//! either.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use axum::Router;
use axum::body::{Body as HttpBody, Bytes};
use axum::extract::State;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::http::{HeaderValue, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use tokio::sync::broadcast;

use crate::diagnostic::Diagnostics;
use crate::markdown::escape_text;
use crate::output::{Body, OutputFile, OutputPath};
use crate::theme::AssetSource;

/// The client script, served at [`CLIENT_PATH`].
pub const CLIENT_JS: &str = include_str!("livereload.js");
pub const CLIENT_PATH: &str = "/__glossator/livereload.js";
pub const SOCKET_PATH: &str = "/__glossator/livereload";

/// One file of the served site.
#[derive(Debug, Clone)]
pub enum Served {
    Bytes(Bytes),
    /// Read from disk on each request (static and bundle files, theme
    /// files), so editing one needs no rebuild.
    File(PathBuf),
    Embedded(&'static [u8]),
}

/// The files of one build: output path (`2009/03/03/x/index.html`) →
/// content, and which files on disk are served as which path. Keys are
/// shared strings, so patching a copy after an edit costs little.
#[derive(Debug, Default, Clone)]
pub struct SiteFiles {
    pub by_path: HashMap<Arc<str>, Served>,
    pub from_disk: HashMap<PathBuf, Arc<str>>,
}

/// The site as served: one build, plus the error of a later failed one.
#[derive(Debug, Default, Clone)]
pub struct Snapshot {
    pub files: Arc<SiteFiles>,
    /// The overlay HTML while the last rebuild failed.
    pub error: Option<String>,
    /// Bumped on every change the browser should see.
    pub version: u64,
}

fn served(body: Body) -> Served {
    match body {
        Body::Bytes(b) => Served::Bytes(b),
        Body::Copy(AssetSource::File(p)) => Served::File(p),
        Body::Copy(AssetSource::Embedded(b)) => Served::Embedded(b),
    }
}

impl SiteFiles {
    pub fn from_outputs(files: Vec<OutputFile>) -> SiteFiles {
        let mut out = SiteFiles::default();
        out.patch(files, &[]);
        out
    }

    /// Applies a build's changes: new or changed files, and removed paths.
    pub fn patch(&mut self, files: Vec<OutputFile>, removed: &[OutputPath]) {
        for path in removed {
            if let Some(Served::File(p)) = self.by_path.remove(path.as_str()) {
                self.from_disk.remove(&p);
            }
        }
        for f in files {
            let path: Arc<str> = Arc::from(f.path.as_str());
            let served = served(f.body);
            if let Served::File(p) = &served {
                self.from_disk.insert(p.clone(), path.clone());
            }
            self.by_path.insert(path, served);
        }
    }
}

/// What the server and the rebuild loop share.
pub struct Shared {
    pub snapshot: RwLock<Arc<Snapshot>>,
    pub events: broadcast::Sender<String>,
    /// How often the live-reload socket is pinged: it is idle by design,
    /// and the ping keeps it (and any proxy on the way) alive, and finds
    /// browsers that went away.
    pub ping_every: std::time::Duration,
}

impl Shared {
    pub fn new(snapshot: Snapshot, ping_every: std::time::Duration) -> Arc<Shared> {
        let (events, _) = broadcast::channel(64);
        Arc::new(Shared {
            snapshot: RwLock::new(Arc::new(snapshot)),
            events,
            ping_every,
        })
    }

    pub fn current(&self) -> Arc<Snapshot> {
        match self.snapshot.read() {
            Ok(s) => s.clone(),
            Err(poisoned) => poisoned.into_inner().clone(),
        }
    }

    pub fn replace(&self, snapshot: Snapshot) {
        let snapshot = Arc::new(snapshot);
        match self.snapshot.write() {
            Ok(mut s) => *s = snapshot,
            Err(poisoned) => *poisoned.into_inner() = snapshot,
        }
    }

    /// Tells every connected browser.
    pub fn announce(&self, message: &Announcement) {
        let _ = self.events.send(message.to_json());
    }
}

/// Messages to the live-reload client.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Announcement {
    Hello { version: u64 },
    Reload { version: u64 },
    Css { version: u64, paths: Vec<String> },
    Error { version: u64 },
}

impl Announcement {
    pub fn to_json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// The overlay shown on every page while the last rebuild failed.
pub fn overlay_html(diagnostics: &Diagnostics, root: &std::path::Path) -> String {
    let mut out = String::from(
        "<div id=\"glossator-overlay\" role=\"alert\" style=\"position:fixed;top:1rem;right:1rem;left:1rem;max-height:calc(100vh - 2rem);\
         z-index:2147483647;overflow:auto;box-sizing:border-box;border-radius:8px;box-shadow:0 8px 32px rgba(0,0,0,.45);\
         background:#141418;color:#f4f4f5;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;padding:1.5rem 2rem\">\
         <button type=\"button\" aria-label=\"Dismiss (Esc)\" title=\"Dismiss (Esc); it comes back on the next failed rebuild\" \
         onclick=\"this.parentNode.remove()\" style=\"float:right;font:600 1.4rem system-ui,sans-serif;line-height:1;color:#f4f4f5;\
         background:none;border:1px solid #555;border-radius:4px;padding:.2rem .6rem;cursor:pointer\">×</button>\
         <h2 style=\"margin:0 0 1rem;font:600 1.2rem system-ui,sans-serif;color:#ff8a80\">The last rebuild failed; this is the last good version of the site</h2>",
    );
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 1 {
        out.push_str(&format!(
            "<p style=\"margin:0 0 1rem;font:1rem system-ui,sans-serif\">{errors} errors:</p>"
        ));
    }
    for d in diagnostics.iter().filter(|d| d.is_error()) {
        out.push_str("<section style=\"margin:0 0 1.5rem\"><p style=\"margin:0\"><strong>");
        out.push_str(&escape_text(&d.location()));
        out.push_str("</strong>: ");
        out.push_str(&escape_text(&d.message));
        out.push_str("</p>");
        if let Some(hint) = &d.hint {
            out.push_str("<p style=\"margin:.25rem 0;color:#a5d6a7\">hint: ");
            out.push_str(&escape_text(hint));
            out.push_str("</p>");
        }
        if let Ok(text) = std::fs::read_to_string(root.join(&d.path))
            && let Some(frame) = d.code_frame(&text)
        {
            out.push_str(
                "<pre style=\"margin:.5rem 0;padding:.75rem;background:#000;overflow:auto\">",
            );
            out.push_str(&escape_text(&frame));
            out.push_str("</pre>");
        }
        out.push_str("</section>");
    }
    out.push_str("</div>");
    out
}

/// Why a request path was refused.
#[derive(Debug, PartialEq, Eq)]
pub enum Refused {
    BadRequest,
}

/// Turns a request path into the output path to look up, refusing any
/// attempt to leave the site. `/` → `index.html`, `/a/` → `a/index.html`.
pub fn resolve_request_path(raw: &str) -> Result<String, Refused> {
    let lower = raw.to_ascii_lowercase();
    // Encoded separators and NUL never name a file of the site.
    if lower.contains("%2f") || lower.contains("%5c") || lower.contains("%00") {
        return Err(Refused::BadRequest);
    }
    let decoded = percent_encoding::percent_decode_str(raw)
        .decode_utf8()
        .map_err(|_| Refused::BadRequest)?;
    if !decoded.starts_with('/') || decoded.starts_with("//") || decoded.contains(['\\', '\0']) {
        return Err(Refused::BadRequest);
    }
    let rel = &decoded[1..];
    if rel.split('/').any(|seg| seg == ".." || seg == ".") {
        return Err(Refused::BadRequest);
    }
    if rel.contains("//") {
        return Err(Refused::BadRequest);
    }
    if rel.is_empty() || rel.ends_with('/') {
        Ok(format!("{rel}index.html"))
    } else {
        Ok(rel.to_string())
    }
}

/// Puts the client script (and the overlay) before `</body>`.
fn inject(html: &[u8], snapshot: &Snapshot) -> Vec<u8> {
    let mut extra = String::new();
    if let Some(overlay) = &snapshot.error {
        extra.push_str(overlay);
    }
    extra.push_str(&format!(
        "<script src=\"{CLIENT_PATH}\" data-version=\"{}\"></script>",
        snapshot.version
    ));
    let text = String::from_utf8_lossy(html);
    let at = text
        .to_ascii_lowercase()
        .rfind("</body>")
        .unwrap_or(text.len());
    let mut out = String::with_capacity(text.len() + extra.len());
    out.push_str(&text[..at]);
    out.push_str(&extra);
    out.push_str(&text[at..]);
    out.into_bytes()
}

async fn read_served(served: &Served) -> Option<Bytes> {
    match served {
        Served::Bytes(b) => Some(b.clone()),
        Served::Embedded(b) => Some(Bytes::from_static(b)),
        Served::File(path) => tokio::fs::read(path).await.ok().map(Bytes::from),
    }
}

fn respond(status: StatusCode, path: &str, body: Bytes, snapshot: &Snapshot) -> Response {
    let mime = mime_guess::from_path(path).first_or_octet_stream();
    let is_html = mime.essence_str() == "text/html";
    let body = if is_html {
        Bytes::from(inject(&body, snapshot))
    } else {
        body
    };
    let content_type = match mime.type_() {
        mime_guess::mime::TEXT => format!("{}; charset=utf-8", mime.essence_str()),
        _ if mime.essence_str() == "application/javascript"
            || mime.essence_str() == "application/json" =>
        {
            format!("{}; charset=utf-8", mime.essence_str())
        }
        _ => mime.essence_str().to_string(),
    };
    let mut response = (status, HttpBody::from(body)).into_response();
    let headers = response.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&content_type) {
        headers.insert(header::CONTENT_TYPE, v);
    }
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

async fn site_file(State(shared): State<Arc<Shared>>, uri: Uri) -> Response {
    let snapshot = shared.current();
    let path = match resolve_request_path(uri.path()) {
        Ok(p) => p,
        Err(Refused::BadRequest) => {
            return (
                StatusCode::BAD_REQUEST,
                "glossator serve: that path is not part of the site\n",
            )
                .into_response();
        }
    };
    if let Some(served) = snapshot.files.by_path.get(path.as_str())
        && let Some(body) = read_served(served).await
    {
        return respond(StatusCode::OK, &path, body, &snapshot);
    }
    // `/about` → `/about/` when that is a page.
    if !path.ends_with("index.html")
        && snapshot
            .files
            .by_path
            .contains_key(format!("{path}/index.html").as_str())
    {
        let location = format!("{}/", uri.path());
        return (
            StatusCode::PERMANENT_REDIRECT,
            [(header::LOCATION, location)],
        )
            .into_response();
    }
    match snapshot.files.by_path.get("404.html") {
        Some(served) => match read_served(served).await {
            Some(body) => respond(StatusCode::NOT_FOUND, "404.html", body, &snapshot),
            None => StatusCode::NOT_FOUND.into_response(),
        },
        None => {
            let empty = Bytes::from_static(
                b"<!doctype html><title>Not found</title><body><p>Not found.</p></body>",
            );
            respond(StatusCode::NOT_FOUND, "404.html", empty, &snapshot)
        }
    }
}

async fn client_js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-store"),
        ],
        CLIENT_JS,
    )
        .into_response()
}

async fn socket(State(shared): State<Arc<Shared>>, upgrade: WebSocketUpgrade) -> Response {
    upgrade.on_upgrade(move |ws| talk(ws, shared))
}

/// Sends a hello with the current version, then every announcement, and
/// a ping whenever the socket has been quiet; a browser that answers no
/// two pings in a row is gone.
async fn talk(mut ws: WebSocket, shared: Arc<Shared>) {
    let mut events = shared.events.subscribe();
    let mut ping = tokio::time::interval(shared.ping_every);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    ping.tick().await;
    let mut unanswered = 0;
    let hello = Announcement::Hello {
        version: shared.current().version,
    };
    if ws
        .send(Message::Text(hello.to_json().into()))
        .await
        .is_err()
    {
        return;
    }
    loop {
        tokio::select! {
            event = events.recv() => match event {
                Ok(text) => {
                    if ws.send(Message::Text(text.into())).await.is_err() {
                        return;
                    }
                }
                Err(broadcast::error::RecvError::Lagged(_)) => continue,
                Err(broadcast::error::RecvError::Closed) => return,
            },
            incoming = ws.recv() => match incoming {
                Some(Ok(Message::Close(_))) | None | Some(Err(_)) => return,
                Some(Ok(_)) => unanswered = 0,
            },
            _ = ping.tick() => {
                if unanswered >= 2 {
                    return;
                }
                unanswered += 1;
                if ws.send(Message::Ping(Bytes::from_static(b"glossator"))).await.is_err() {
                    return;
                }
            }
        }
    }
}

/// The preview's routes, behind the host and origin check.
pub fn router(shared: Arc<Shared>, allowed: Arc<super::guard::Allowed>) -> Router {
    Router::new()
        .route(CLIENT_PATH, get(client_js))
        .route(SOCKET_PATH, get(socket))
        .fallback(get(site_file))
        .with_state(shared)
        .layer(axum::middleware::from_fn_with_state(
            allowed,
            super::guard::check,
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths() {
        let ok: &[(&str, &str)] = &[
            ("/", "index.html"),
            ("/about/", "about/index.html"),
            ("/style.css", "style.css"),
            ("/tags/caf%C3%A9/", "tags/café/index.html"),
            ("/a%20b.txt", "a b.txt"),
        ];
        for (raw, expected) in ok {
            assert_eq!(resolve_request_path(raw).as_deref(), Ok(*expected), "{raw}");
        }
        for raw in [
            "/../glossator.toml",
            "/%2e%2e/glossator.toml",
            "/%2E%2E/%2E%2E/etc/passwd",
            "/a/../../x",
            "/..%2fglossator.toml",
            "/%2fetc/passwd",
            "//etc/passwd",
            "/a%5c..%5cb",
            "/a\\..\\b",
            "/x%00.html",
            "/./index.html",
            "/%ff",
            "relative",
        ] {
            assert_eq!(resolve_request_path(raw), Err(Refused::BadRequest), "{raw}");
        }
    }

    #[test]
    fn injection_goes_before_the_last_body_end() {
        let snapshot = Snapshot {
            version: 7,
            error: Some("<div id=\"glossator-overlay\"></div>".into()),
            ..Snapshot::default()
        };
        let out =
            String::from_utf8(inject(b"<html><body><p>x</p></body></html>", &snapshot)).unwrap();
        assert_eq!(
            out,
            "<html><body><p>x</p><div id=\"glossator-overlay\"></div><script src=\"/__glossator/livereload.js\" data-version=\"7\"></script></body></html>"
        );
        let out = String::from_utf8(inject(b"no body tag", &Snapshot::default())).unwrap();
        assert!(out.starts_with("no body tag<script"));
    }
}

//! A tiny web server on 127.0.0.1 for tests that fetch pages: pages by
//! path (status, headers, body, delay); every POST body recorded.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A page the test serves: status, extra headers, body, delay.
#[derive(Clone, Default)]
pub struct Page {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub delay: Duration,
    /// `text/html; charset=utf-8` unless given.
    pub content_type: Option<String>,
}

/// A tiny web server for source pages and webmention endpoints: pages
/// by path; every POST body is recorded by path.
#[derive(Clone)]
pub struct Web {
    pub base: String,
    pages: Arc<Mutex<HashMap<String, Page>>>,
    posts: Arc<Mutex<Vec<(String, String)>>>,
}

impl Web {
    pub fn start() -> Web {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let web = Web {
            base: format!("http://{}", listener.local_addr().unwrap()),
            pages: Arc::default(),
            posts: Arc::default(),
        };
        let served = web.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(stream) = stream else { continue };
                let web = served.clone();
                std::thread::spawn(move || web.answer(stream));
            }
        });
        web
    }

    fn answer(&self, mut stream: TcpStream) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut line = String::new();
        if reader.read_line(&mut line).is_err() {
            return;
        }
        let mut parts = line.split_whitespace();
        let (method, path) = (
            parts.next().unwrap_or("").to_string(),
            parts.next().unwrap_or("/").to_string(),
        );
        let mut length = 0;
        loop {
            let mut header = String::new();
            if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
                break;
            }
            if let Some((k, v)) = header.split_once(':')
                && k.eq_ignore_ascii_case("content-length")
            {
                length = v.trim().parse().unwrap_or(0);
            }
        }
        let mut body = vec![0; length];
        reader.read_exact(&mut body).ok();
        if method == "POST" {
            self.posts
                .lock()
                .unwrap()
                .push((path.clone(), String::from_utf8_lossy(&body).into_owned()));
        }
        let page = self
            .pages
            .lock()
            .unwrap()
            .get(&path)
            .cloned()
            .unwrap_or(Page {
                status: if method == "POST" { 202 } else { 404 },
                ..Page::default()
            });
        std::thread::sleep(page.delay);
        let mut head = format!(
            "HTTP/1.1 {} X\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
            page.status,
            page.content_type
                .as_deref()
                .unwrap_or("text/html; charset=utf-8"),
            page.body.len()
        );
        for (k, v) in &page.headers {
            head.push_str(&format!("{k}: {v}\r\n"));
        }
        head.push_str("\r\n");
        let _ = stream.write_all(head.as_bytes());
        let _ = stream.write_all(page.body.as_bytes());
    }

    pub fn serve(&self, path: &str, status: u16, body: &str) {
        self.serve_page(
            path,
            Page {
                status,
                body: body.into(),
                ..Page::default()
            },
        );
    }

    pub fn serve_page(&self, path: &str, page: Page) {
        self.pages.lock().unwrap().insert(path.into(), page);
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn posts_to(&self, path: &str) -> Vec<String> {
        self.posts
            .lock()
            .unwrap()
            .iter()
            .filter(|(p, _)| p == path)
            .map(|(_, b)| b.clone())
            .collect()
    }
}

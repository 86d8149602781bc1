//! Which host names and origins the preview answers to.
//!
//! A page on any web site can make the browser send requests to
//! `127.0.0.1`; with DNS rebinding, it can even read the answers, under a
//! host name of its own that it points at `127.0.0.1`. So the preview
//! answers only requests whose `Host` is a name it is reachable by: the
//! loopback names and addresses, the `--bind` address (or, bound to all
//! interfaces, this machine's addresses), and names the writer gave with
//! `--allow-host`. A request that carries an `Origin` (the WebSocket of
//! the live reload always does, from a browser) must come from one of
//! those too. Everything else gets 403 and a message naming the option.
//! The same rule webpack-dev-server and Vite adopted for the same attack.

use std::collections::HashSet;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The names and addresses the preview answers to.
pub struct Allowed {
    addresses: HashSet<IpAddr>,
    /// Lowercase names; one starting with `.` admits its subdomains too.
    names: Vec<String>,
    /// Told once per refused host, so the terminal says why a page is blank.
    refused: Mutex<HashSet<String>>,
    on_refusal: Box<dyn Fn(&str) + Send + Sync>,
}

impl Allowed {
    /// For a server bound to `bind`, plus the `--allow-host` names.
    pub fn new(
        bind: IpAddr,
        extra: &[String],
        on_refusal: impl Fn(&str) + Send + Sync + 'static,
    ) -> Allowed {
        let mut addresses: HashSet<IpAddr> = HashSet::new();
        if bind.is_unspecified() {
            // Every address of this machine reaches the server.
            if let Ok(interfaces) = if_addrs::get_if_addrs() {
                addresses.extend(interfaces.iter().map(if_addrs::Interface::ip));
            }
        } else {
            addresses.insert(bind);
        }
        let names = extra
            .iter()
            .map(|n| n.trim().trim_end_matches('.').to_ascii_lowercase())
            .filter(|n| !n.is_empty())
            .collect();
        Allowed {
            addresses,
            names,
            refused: Mutex::new(HashSet::new()),
            on_refusal: Box::new(on_refusal),
        }
    }

    /// Whether a `Host` header value (`name`, `name:port`, `[v6]:port`)
    /// names this server.
    pub fn host(&self, value: &str) -> bool {
        let name = host_part(value);
        if name == "localhost" || name.ends_with(".localhost") {
            return true;
        }
        if let Ok(ip) = name
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
        {
            return ip.is_loopback() || self.addresses.contains(&ip);
        }
        self.names
            .iter()
            .any(|allowed| match allowed.strip_prefix('.') {
                Some(domain) => name == domain || name.ends_with(allowed.as_str()),
                None => name == *allowed,
            })
    }

    /// Whether an `Origin` header value (`http://name:port`) is a page of
    /// this server.
    pub fn origin(&self, value: &str) -> bool {
        match url::Url::parse(value) {
            Ok(url) if matches!(url.scheme(), "http" | "https") => {
                url.host_str().is_some_and(|h| self.host(h))
            }
            // `null` (a file, a sandboxed frame) and anything else.
            _ => false,
        }
    }

    fn refuse(&self, what: &str, value: &str) -> Response {
        let name = if what == "host" {
            host_part(value)
        } else {
            url::Url::parse(value)
                .ok()
                .and_then(|u| u.host_str().map(str::to_string))
                .unwrap_or_else(|| value.to_string())
        };
        let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
        let first = self
            .refused
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .insert(format!("{what} {name}"));
        if first {
            (self.on_refusal)(&format!(
                "Refused a request from {what} `{name}`: the preview answers only to this machine's names. If you open it as {name}, restart with `--allow-host {name}`."
            ));
        }
        let message = format!(
            "glossator serve: refused a request from {what} `{name}`.\n\
             The preview answers only to localhost, its own addresses and names given with --allow-host,\n\
             so that other web pages cannot read your drafts. If you open it as {name}, restart it with:\n\n    \
             glossator serve --allow-host {name}\n"
        );
        (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            message,
        )
            .into_response()
    }
}

/// The host name of a `Host` value, lowercase, without port or final dot.
fn host_part(value: &str) -> String {
    let value = value.trim();
    let name = if let Some(rest) = value.strip_prefix('[') {
        match rest.split_once(']') {
            Some((inside, _)) => format!("[{inside}]"),
            None => value.to_string(),
        }
    } else {
        match value.rsplit_once(':') {
            Some((name, port)) if port.chars().all(|c| c.is_ascii_digit()) => name.to_string(),
            _ => value.to_string(),
        }
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

/// The middleware: refuses requests for foreign hosts or from foreign
/// origins before any handler sees them.
pub async fn check(State(allowed): State<Arc<Allowed>>, request: Request, next: Next) -> Response {
    let host = request
        .headers()
        .get(header::HOST)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .or_else(|| request.uri().authority().map(|a| a.as_str().to_string()));
    if let Some(host) = host
        && !allowed.host(&host)
    {
        return allowed.refuse("host", &host);
    }
    if let Some(origin) = request.headers().get(header::ORIGIN) {
        let origin = String::from_utf8_lossy(origin.as_bytes()).into_owned();
        if !allowed.origin(&origin) {
            return allowed.refuse("origin", &origin);
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allowed(bind: &str, extra: &[&str]) -> Allowed {
        let extra: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        Allowed::new(bind.parse().unwrap(), &extra, |_| {})
    }

    #[test]
    fn loopback_names_and_the_bind_address_only() {
        let a = allowed("127.0.0.1", &[]);
        for ok in [
            "localhost",
            "localhost:1111",
            "LOCALHOST.",
            "blog.localhost:8080",
            "127.0.0.1:1111",
            "127.0.0.2",
            "[::1]:1111",
        ] {
            assert!(a.host(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "10.1.2.3",
            "[fe80::1]:1111",
            "",
        ] {
            assert!(!a.host(bad), "{bad}");
        }
        let lan = allowed("192.168.1.20", &[]);
        assert!(lan.host("192.168.1.20:1111"));
        assert!(!lan.host("192.168.1.21:1111"));
    }

    #[test]
    fn allow_host_admits_a_name_and_a_leading_dot_its_subdomains() {
        let a = allowed("127.0.0.1", &["preview.example", ".tunnel.example"]);
        assert!(a.host("Preview.Example:1111"));
        assert!(!a.host("other.example"));
        assert!(a.host("abc.tunnel.example"));
        assert!(a.host("tunnel.example"));
        assert!(!a.host("eviltunnel.example"));
    }

    #[test]
    fn origins_are_pages_of_an_allowed_host() {
        let a = allowed("127.0.0.1", &[]);
        assert!(a.origin("http://127.0.0.1:1111"));
        assert!(a.origin("http://localhost:1111"));
        assert!(!a.origin("https://evil.example"));
        assert!(!a.origin("null"));
        assert!(!a.origin("file://"));
    }
}

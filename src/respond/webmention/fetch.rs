//! Fetching other sites' pages without becoming a proxy into this one.
//!
//! A webmention names a page for the service to fetch, so anyone can make
//! the service fetch anything: a request-forgery risk (the machine's own
//! admin ports, the cloud metadata address, the home network). Every
//! address a host name resolves to is checked before connecting, and only
//! public ones are used: the connection goes to the address that was
//! checked (ureq's resolver is ours), so a name cannot resolve to a
//! public address for the check and a private one for the connection.
//! Redirects (at most three) resolve again, through the same check.
//! Connect and whole-request timeouts bound the time; a size cap bounds
//! the memory.

use std::net::IpAddr;
use std::time::Duration;

use ureq::ResponseExt as _;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{DefaultConnector, NextTimeout};

/// Pages larger than this are not read.
pub const MAX_PAGE: u64 = 2 * 1024 * 1024;
const USER_AGENT: &str = concat!(
    "glossator/",
    env!("CARGO_PKG_VERSION"),
    " (webmention; https://github.com/glossator)"
);

/// Whether an address is on the public internet: not loopback, private,
/// link-local, shared (CGNAT), multicast, unspecified or reserved.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_loopback()
                || v4.is_private()
                || v4.is_link_local()
                || v4.is_unspecified()
                || v4.is_broadcast()
                || v4.is_multicast()
                || v4.is_documentation()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0 && v4.octets()[2] == 0)
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00 // unique local
                || (first & 0xffc0) == 0xfe80 // link-local
                || first == 0x2001 && v6.segments()[1] == 0x0db8 // documentation
                || (first == 0x0064 && v6.segments()[1] == 0xff9b)) // NAT64
        }
    }
}

/// The message of a refusal to connect to a private address.
pub const PRIVATE: &str = "resolves only to private or local addresses";

#[derive(Debug)]
struct Guarded {
    allow_private: bool,
}

impl Resolver for Guarded {
    fn resolve(
        &self,
        uri: &ureq::http::Uri,
        config: &ureq::config::Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let all = DefaultResolver::default().resolve(uri, config, timeout)?;
        if self.allow_private {
            return Ok(all);
        }
        let mut public = self.empty();
        for addr in all.iter().filter(|a| is_public(a.ip())) {
            public.push(*addr);
        }
        if public.is_empty() {
            return Err(ureq::Error::Io(std::io::Error::new(
                std::io::ErrorKind::PermissionDenied,
                format!("{} {PRIVATE}", uri.host().unwrap_or("the host")),
            )));
        }
        Ok(public)
    }
}

/// A fetched page.
#[derive(Debug, Clone)]
pub struct Page {
    pub status: u16,
    /// The address after redirects.
    pub url: String,
    pub content_type: String,
    /// `Link` headers, as sent.
    pub links: Vec<String>,
    /// The body, when it is text (HTML or plain).
    pub body: Option<String>,
}

/// An HTTP client for other people's pages.
pub struct Fetcher {
    agent: ureq::Agent,
}

impl Fetcher {
    pub fn new(timeout: Duration, allow_private: bool) -> Fetcher {
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(timeout.min(Duration::from_secs(5))))
            .timeout_global(Some(timeout))
            .max_redirects(3)
            .http_status_as_error(false)
            .user_agent(USER_AGENT)
            .build();
        Fetcher {
            agent: ureq::Agent::with_parts(
                config,
                DefaultConnector::default(),
                Guarded { allow_private },
            ),
        }
    }

    /// GETs a page; the body only when it is text and under the cap.
    pub fn get(&self, url: &str) -> Result<Page, String> {
        let mut response = self
            .agent
            .get(url)
            .header(
                "Accept",
                "text/html, application/xhtml+xml;q=0.9, */*;q=0.1",
            )
            .call()
            .map_err(describe)?;
        let status = response.status().as_u16();
        let final_url = response.get_uri().to_string();
        let header = |name: &str| -> Vec<String> {
            response
                .headers()
                .get_all(name)
                .iter()
                .filter_map(|v| v.to_str().ok().map(str::to_string))
                .collect()
        };
        let content_type = header("content-type").pop().unwrap_or_default();
        let links = header("link");
        let textual = content_type.is_empty()
            || content_type.starts_with("text/")
            || content_type.contains("html");
        let body = if textual {
            Some(
                response
                    .body_mut()
                    .with_config()
                    .limit(MAX_PAGE)
                    .read_to_string()
                    .map_err(describe)?,
            )
        } else {
            None
        };
        Ok(Page {
            status,
            url: final_url,
            content_type,
            links,
            body,
        })
    }

    /// POSTs a form; gives the status.
    pub fn post_form(&self, url: &str, fields: &[(&str, &str)]) -> Result<u16, String> {
        let mut response = self
            .agent
            .post(url)
            .send_form(fields.iter().copied())
            .map_err(describe)?;
        let _ = response
            .body_mut()
            .with_config()
            .limit(64 * 1024)
            .read_to_vec();
        Ok(response.status().as_u16())
    }
}

fn describe(e: ureq::Error) -> String {
    match e {
        ureq::Error::Timeout(t) => format!("timed out ({t})"),
        ureq::Error::BodyExceedsLimit(n) => format!("the page is larger than {} KB", n / 1024),
        ureq::Error::TooManyRedirects => "more than 3 redirects".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_fetched() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "224.0.0.1",
        ] {
            assert!(
                !is_public(private.parse().unwrap_or_else(|e| panic!("{e}"))),
                "{private}"
            );
        }
        for public in ["93.184.216.34", "1.1.1.1", "2606:4700::1111"] {
            assert!(
                is_public(public.parse().unwrap_or_else(|e| panic!("{e}"))),
                "{public}"
            );
        }
    }
}

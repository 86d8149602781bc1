//! Fetching a page the writer quotes: ureq, with connect and whole-request
//! timeouts, a size cap past which it stops, a user agent that says who
//! asks, and redirects followed one by one so each hop is recorded (a
//! moved story is news to the writer).
//!
//! Unlike the webmention fetcher, this one may reach private addresses:
//! the writer runs it on their own machine, for pages they chose.

use std::time::Duration;

/// Pages larger than this are not read.
pub const MAX_PAGE: u64 = 10 * 1024 * 1024;
/// Redirects followed before giving up.
pub const MAX_REDIRECTS: usize = 8;
const USER_AGENT: &str = concat!(
    "glossator/",
    env!("CARGO_PKG_VERSION"),
    " (cite: keeps a snapshot of a quoted page; https://github.com/glossator)"
);

/// A fetched page.
#[derive(Debug, Clone)]
pub struct Fetched {
    pub status: u16,
    /// Each address a redirect led to, in order.
    pub redirects: Vec<String>,
    /// Where the page was found.
    pub url: String,
    pub content_type: String,
    /// The body, for a successful HTML response.
    pub html: Option<String>,
}

/// Why a page could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// Not an `http(s)://` address.
    NotHttp(String),
    /// Larger than [`MAX_PAGE`].
    TooLarge,
    /// Any other failure, said in words.
    Other(String),
}

impl std::fmt::Display for FetchError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            FetchError::NotHttp(u) => write!(f, "`{u}` is not an http:// or https:// address"),
            FetchError::TooLarge => write!(
                f,
                "the page is larger than {} MB; stopped reading it",
                MAX_PAGE / (1024 * 1024)
            ),
            FetchError::Other(m) => f.write_str(m),
        }
    }
}

/// The HTTP client for quoted pages.
pub struct Fetcher {
    agent: ureq::Agent,
}

impl Fetcher {
    pub fn new(timeout: Duration) -> Fetcher {
        let config = ureq::Agent::config_builder()
            .timeout_connect(Some(timeout.min(Duration::from_secs(10))))
            .timeout_global(Some(timeout))
            .max_redirects(0)
            .http_status_as_error(false)
            .user_agent(USER_AGENT)
            .build();
        Fetcher {
            agent: ureq::Agent::new_with_config(config),
        }
    }

    /// GETs `url`, following redirects; the body only for a 2xx HTML page.
    pub fn get(&self, url: &str) -> Result<Fetched, FetchError> {
        let mut current = checked(url)?;
        let mut redirects = Vec::new();
        loop {
            let mut response = self
                .agent
                .get(current.as_str())
                .header("Accept", "text/html, application/xhtml+xml;q=0.9")
                .call()
                .map_err(describe)?;
            let status = response.status().as_u16();
            let header = |name: &str| {
                response
                    .headers()
                    .get(name)
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string)
            };
            if (300..400).contains(&status)
                && let Some(location) = header("location")
            {
                if redirects.len() >= MAX_REDIRECTS {
                    return Err(FetchError::Other(format!(
                        "more than {MAX_REDIRECTS} redirects"
                    )));
                }
                let next = current
                    .join(&location)
                    .map_err(|e| FetchError::Other(format!("a bad redirect ({location}): {e}")))?;
                current = checked(next.as_str())?;
                redirects.push(current.to_string());
                continue;
            }
            let content_type = header("content-type").unwrap_or_default();
            let html_like = content_type.contains("html");
            let html = if (200..300).contains(&status) && html_like {
                let bytes = response
                    .body_mut()
                    .with_config()
                    .limit(MAX_PAGE)
                    .read_to_vec()
                    .map_err(describe)?;
                Some(String::from_utf8_lossy(&bytes).into_owned())
            } else {
                None
            };
            return Ok(Fetched {
                status,
                redirects,
                url: current.to_string(),
                content_type,
                html,
            });
        }
    }
}

fn checked(url: &str) -> Result<url::Url, FetchError> {
    match url::Url::parse(url) {
        Ok(u) if matches!(u.scheme(), "http" | "https") && u.host().is_some() => Ok(u),
        _ => Err(FetchError::NotHttp(url.to_string())),
    }
}

fn describe(e: ureq::Error) -> FetchError {
    match e {
        ureq::Error::BodyExceedsLimit(_) => FetchError::TooLarge,
        ureq::Error::Timeout(t) => FetchError::Other(format!("no answer in time ({t})")),
        other => FetchError::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_addresses_are_fetched() {
        let f = Fetcher::new(Duration::from_secs(1));
        for bad in [
            "file:///etc/passwd",
            "ftp://e.com/x",
            "not a url",
            "javascript:alert(1)",
        ] {
            assert!(matches!(f.get(bad), Err(FetchError::NotHttp(_))), "{bad}");
        }
    }
}

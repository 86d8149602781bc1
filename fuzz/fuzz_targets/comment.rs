//! The comment sanitizer: whatever a third party wrote, the HTML that comes
//! out has no active element, no event handler or style attribute, no URL
//! that a browser would resolve to a scheme other than http, https or
//! mailto, and every link carries `rel="nofollow ugc"`.
#![no_main]

use glossator::content::comment::render_comment_body;
use libfuzzer_sys::fuzz_target;
use url::Url;

const BANNED: [&str; 9] = [
    "<script", "<style", "<iframe", "<object", "<embed", "<img", "<svg", "<math", "<form",
];

/// One start tag's name and attributes, reading quoted values whole (the
/// sanitizer's serializer always double-quotes them).
fn attributes(tag: &str) -> (String, Vec<(String, String)>) {
    let mut chars = tag.chars().peekable();
    let name: String = chars
        .by_ref()
        .take_while(|c| !c.is_ascii_whitespace())
        .collect();
    let mut attrs = Vec::new();
    loop {
        while chars
            .next_if(|c| c.is_ascii_whitespace() || *c == '/')
            .is_some()
        {}
        let key: String =
            std::iter::from_fn(|| chars.next_if(|c| *c != '=' && !c.is_ascii_whitespace()))
                .collect();
        if key.is_empty() {
            break;
        }
        let mut value = String::new();
        if chars.next_if_eq(&'=').is_some() {
            if chars.next_if_eq(&'"').is_some() {
                value = chars.by_ref().take_while(|c| *c != '"').collect();
            } else {
                value =
                    std::iter::from_fn(|| chars.next_if(|c| !c.is_ascii_whitespace())).collect();
            }
        }
        attrs.push((key, value));
    }
    (name, attrs)
}

/// The attribute value as the browser reads it: entities decoded.
fn decode(value: &str) -> String {
    value
        .replace("&quot;", "\"")
        .replace("&nbsp;", "\u{a0}")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let html = render_comment_body(text);
    let lower = html.to_ascii_lowercase();
    for banned in BANNED {
        assert!(!lower.contains(banned), "{banned} in {html}");
    }
    let base =
        Url::parse("https://blog.example/2009/03/03/post/").unwrap_or_else(|_| unreachable!());
    let mut rest = html.as_str();
    while let Some(start) = rest.find('<') {
        let Some(end) = rest[start..].find('>') else {
            break;
        };
        let tag = &rest[start + 1..start + end];
        rest = &rest[start + end + 1..];
        if tag.starts_with('/') || tag.starts_with('!') {
            continue;
        }
        let (name, attrs) = attributes(tag);
        for (key, value) in &attrs {
            let key = key.to_ascii_lowercase();
            assert!(!key.starts_with("on"), "handler {key} in {html}");
            assert!(key != "style", "style in {html}");
            if matches!(
                key.as_str(),
                "href" | "src" | "cite" | "action" | "formaction"
            ) {
                // Resolve as a browser would (WHATWG URL parsing strips
                // tabs and newlines and ignores case); a value that does
                // not parse is not followed at all.
                if let Ok(url) = base.join(&decode(value)) {
                    assert!(
                        matches!(url.scheme(), "http" | "https" | "mailto"),
                        "{key}={value} resolves to {url} in {html}"
                    );
                }
            }
        }
        if name.eq_ignore_ascii_case("a") && attrs.iter().any(|(k, _)| k == "href") {
            assert!(
                attrs.iter().any(|(k, v)| k == "rel" && v == "nofollow ugc"),
                "link without rel in {html}"
            );
        }
    }
});

//! Keeping a post's element ids its own when several whole posts share a
//! page (`[home] full_posts`): every post has a `fn-1` and a `footnotes-label`,
//! and two posts may both have a `#background` heading.
//!
//! [`namespace_ids`] prefixes each id in a post's HTML and every reference
//! to it (`href="#…"`, `aria-describedby`, `aria-labelledby`, `for`,
//! `headers`, `aria-controls`), using lol_html so raw HTML in the post is
//! read as a browser would. A fragment link to an id the post does not have
//! (`#comments`) is pointed at the post's own page instead.

use std::cell::RefCell;
use std::collections::HashSet;
use std::rc::Rc;

use lol_html::{RewriteStrSettings, element, rewrite_str};

/// Attributes that hold a space-separated list of ids.
const ID_LIST_ATTRIBUTES: [&str; 5] = [
    "aria-describedby",
    "aria-labelledby",
    "aria-controls",
    "for",
    "headers",
];

/// `html` with each id `x` renamed `{prefix}x` and the references to it
/// following; fragment links to ids outside the post go to `page_url#x`.
/// Returns `html` unchanged if it cannot be read as HTML.
pub fn namespace_ids(html: &str, prefix: &str, page_url: &str) -> String {
    let ids = Rc::new(RefCell::new(HashSet::new()));
    let gather = {
        let ids = Rc::clone(&ids);
        RewriteStrSettings::new().append_element_content_handler(element!("[id]", move |el| {
            if let Some(id) = el.get_attribute("id") {
                ids.borrow_mut().insert(id);
            }
            Ok(())
        }))
    };
    if rewrite_str(html, gather).is_err() {
        return html.to_string();
    }
    let ids: HashSet<String> = ids.take();
    if ids.is_empty() && !html.contains("href=\"#") && !html.contains("href='#") {
        return html.to_string();
    }
    let ids = &ids;
    let mut settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("[id]", move |el| {
            if let Some(id) = el.get_attribute("id") {
                el.set_attribute("id", &format!("{prefix}{id}"))?;
            }
            Ok(())
        }))
        .append_element_content_handler(element!("a[href^='#']", move |el| {
            if let Some(href) = el.get_attribute("href") {
                let target = &href[1..];
                let new = if ids.contains(target) {
                    format!("#{prefix}{target}")
                } else {
                    format!("{page_url}{href}")
                };
                el.set_attribute("href", &new)?;
            }
            Ok(())
        }));
    for attr in ID_LIST_ATTRIBUTES {
        let selector = format!("[{attr}]");
        settings = settings.append_element_content_handler(element!(selector, move |el| {
            if let Some(value) = el.get_attribute(attr) {
                let renamed: Vec<String> = value
                    .split_ascii_whitespace()
                    .map(|id| {
                        if ids.contains(id) {
                            format!("{prefix}{id}")
                        } else {
                            id.to_string()
                        }
                    })
                    .collect();
                el.set_attribute(attr, &renamed.join(" "))?;
            }
            Ok(())
        }));
    }
    rewrite_str(html, settings).unwrap_or_else(|_| html.to_string())
}

#[cfg(test)]
mod tests {
    use super::namespace_ids;

    #[test]
    fn ids_and_their_references_are_prefixed() {
        let html = r##"<h2 id="why">Why</h2><p>See<sup class="footnote-ref" id="fnref-1"><a href="#fn-1" aria-describedby="footnotes-label">1</a></sup> and <a href="#why">above</a>.</p><section aria-labelledby="footnotes-label"><h2 id="footnotes-label">Notes</h2><ol><li id="fn-1">Note. <a href="#fnref-1">↩</a></li></ol></section>"##;
        let out = namespace_ids(html, "first-", "/2026/first/");
        for want in [
            r#"id="first-why""#,
            r##"href="#first-fn-1""##,
            r#"aria-describedby="first-footnotes-label""#,
            r#"aria-labelledby="first-footnotes-label""#,
            r#"id="first-footnotes-label""#,
            r#"id="first-fn-1""#,
            r##"href="#first-fnref-1""##,
            r##"href="#first-why""##,
        ] {
            assert!(out.contains(want), "{want} missing in {out}");
        }
        assert!(!out.contains(r#"id="why""#), "{out}");
    }

    #[test]
    fn links_to_ids_outside_the_post_go_to_its_page() {
        let out = namespace_ids(
            r##"<p><a href="#comments">Comments</a> <a href="#">top</a> <a href="https://e.com/#x">e</a></p>"##,
            "p-",
            "/2026/post/",
        );
        assert!(out.contains(r#"href="/2026/post/#comments""#), "{out}");
        assert!(out.contains(r#"href="https://e.com/#x""#), "{out}");
    }

    #[test]
    fn two_posts_with_the_same_ids_no_longer_collide() {
        let body = r##"<h2 id="a">A</h2><p><a href="#a">a</a></p>"##;
        let page = format!(
            "{}{}",
            namespace_ids(body, "one-", "/one/"),
            namespace_ids(body, "two-", "/two/")
        );
        assert_eq!(page.matches(r#"id="one-a""#).count(), 1);
        assert_eq!(page.matches(r#"id="two-a""#).count(), 1);
        assert!(!page.contains(r#"id="a""#));
    }
}

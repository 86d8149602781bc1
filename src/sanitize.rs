//! Text from third parties (comments, webmentions, imported threads, and
//! `[comments] how`) to HTML that is safe to put on a page: Markdown
//! rendered without raw HTML passing through, then ammonia's whitelist
//! (no scripts, styles, images or event attributes; links `nofollow
//! ugc`). A sanitizer crate, not regexes: HTML is not a regular language.

use std::sync::OnceLock;

use pulldown_cmark::{Options, Parser, html};

/// The whitelist every comment goes through; `rel` is what links get.
fn whitelist(rel: Option<&'static str>) -> ammonia::Builder<'static> {
    let mut b = ammonia::Builder::default();
    b.rm_tags(["img"])
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .link_rel(rel);
    b
}

fn sanitizer() -> &'static ammonia::Builder<'static> {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    BUILDER.get_or_init(|| whitelist(Some("nofollow ugc")))
}

/// Untrusted HTML (an imported comment) made safe to store: the same
/// whitelist every comment body is rendered through, without the `rel`
/// the renderer adds to links (so the stored text stays plain Markdown).
pub fn sanitize_html(html: &str) -> String {
    static BUILDER: OnceLock<ammonia::Builder<'static>> = OnceLock::new();
    unlink_defused(
        BUILDER
            .get_or_init(|| whitelist(None))
            .clean(html)
            .to_string(),
    )
}

/// A link whose URL the sanitizer removed (`javascript:...`) is left as
/// an `<a>` with no `href`, which goes nowhere and is invalid with `rel`:
/// it becomes its text.
fn unlink_defused(html: String) -> String {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    if !html.contains("<a") {
        return html;
    }
    let settings = RewriteStrSettings::new().append_element_content_handler(element!("a", |el| {
        if el.get_attribute("href").is_none() {
            el.remove_and_keep_content();
        }
        Ok(())
    }));
    rewrite_str(&html, settings).unwrap_or(html)
}

/// Markdown to sanitized HTML.
pub fn render_comment_body(markdown: &str) -> String {
    let options =
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_SMART_PUNCTUATION | Options::ENABLE_TABLES;
    let markdown = crate::markdown::without_forbidden(markdown);
    let mut raw = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut raw, Parser::new_ext(&markdown, options));
    unlink_defused(sanitizer().clean(&raw).to_string())
}

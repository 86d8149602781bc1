//! HTML from other blog engines: unsafe URLs dropped, URLs rewritten, and
//! the result written as Markdown where the conversion round-trips.
//!
//! URL attributes are rewritten with lol_html (a streaming rewriter, so
//! any markup is covered) and every `javascript:`, `data:` or other
//! non-web URL is dropped and reported, never written. The Markdown comes
//! from htmd in its faithful mode (HTML kept for what Markdown cannot
//! say); the result is rendered back with pulldown-cmark and kept only
//! when its text and its links are those of the HTML. Otherwise the post
//! keeps its HTML, folded into one HTML block so Markdown leaves it alone.

use std::cell::RefCell;

use lol_html::{RewriteStrSettings, element, rewrite_str};

/// Schemes a link in imported content may keep.
const SAFE_SCHEMES: [&str; 5] = ["http", "https", "mailto", "ftp", "tel"];

/// True for a URL a browser would run or that has no place in a link
/// (`javascript:`, `data:`, `vbscript:`, `file:`...). Relative URLs are
/// safe.
pub fn is_unsafe_url(url: &str) -> bool {
    // Browsers ignore control characters and whitespace inside a scheme.
    let squeezed: String = url
        .trim()
        .chars()
        .filter(|c| !c.is_control() && !c.is_whitespace())
        .collect();
    let Some(colon) = squeezed.find(':') else {
        return false;
    };
    let scheme = &squeezed[..colon];
    if scheme.contains(['/', '?', '#']) {
        return false;
    }
    !SAFE_SCHEMES.contains(&scheme.to_ascii_lowercase().as_str())
}

/// HTML with its URLs rewritten, and the unsafe URLs that were dropped.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rewritten {
    pub html: String,
    pub dropped: Vec<String>,
}

const URL_ATTRIBUTES: [&str; 8] = [
    "href",
    "src",
    "poster",
    "cite",
    "action",
    "formaction",
    "data",
    "background",
];

/// Rewrites every URL attribute of `html` through `map` (which returns a
/// replacement, or `None` to keep the URL) and drops unsafe URLs: a link
/// without its `href` keeps its text.
pub fn rewrite_urls(html: &str, map: &mut dyn FnMut(&str) -> Option<String>) -> Rewritten {
    let dropped = RefCell::new(Vec::new());
    let map = RefCell::new(map);
    let mut settings = RewriteStrSettings::new();
    for attr in URL_ATTRIBUTES {
        let selector = format!("[{attr}]");
        let dropped = &dropped;
        let map = &map;
        settings = settings.append_element_content_handler(element!(selector, move |el| {
            let Some(value) = el.get_attribute(attr) else {
                return Ok(());
            };
            let value = decode_attribute(&value);
            if is_unsafe_url(&value) {
                dropped.borrow_mut().push(value);
                el.remove_attribute(attr);
                if el.tag_name() == "a" && attr == "href" {
                    el.remove_and_keep_content();
                }
            } else if let Some(new) = (map.borrow_mut())(&value) {
                el.set_attribute(attr, &new)?;
            }
            Ok(())
        }));
    }
    let dropped_ref = &dropped;
    let map_ref = &map;
    settings = settings.append_element_content_handler(element!("[srcset]", move |el| {
        let Some(set) = el.get_attribute("srcset") else {
            return Ok(());
        };
        let mut kept = Vec::new();
        for candidate in decode_attribute(&set).split(',') {
            let candidate = candidate.trim();
            let (url, size) = candidate.split_once(' ').unwrap_or((candidate, ""));
            if url.is_empty() {
                continue;
            }
            if is_unsafe_url(url) {
                dropped_ref.borrow_mut().push(url.to_string());
                continue;
            }
            let url = (map_ref.borrow_mut())(url).unwrap_or_else(|| url.to_string());
            kept.push(if size.is_empty() {
                url
            } else {
                format!("{url} {}", size.trim())
            });
        }
        el.set_attribute("srcset", &kept.join(", "))?;
        Ok(())
    }));
    let html = rewrite_str(html, settings).unwrap_or_else(|_| html.to_string());
    Rewritten {
        html,
        dropped: dropped.into_inner(),
    }
}

/// lol_html hands attribute values over as written; links in exports use
/// `&amp;` and WordPress's `&#038;` for `&`.
fn decode_attribute(value: &str) -> String {
    value
        .replace("&#038;", "&")
        .replace("&#38;", "&")
        .replace("&amp;", "&")
}

/// A converted body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Converted {
    Markdown(String),
    /// The HTML, folded so that Markdown passes it through untouched.
    Html(String),
}

impl Converted {
    pub fn text(&self) -> &str {
        match self {
            Converted::Markdown(t) | Converted::Html(t) => t,
        }
    }
}

fn converter() -> htmd::HtmlToMarkdown {
    use htmd::options::{BrStyle, BulletListMarker, Options, TranslationMode};
    htmd::HtmlToMarkdown::builder()
        .options(Options {
            translation_mode: TranslationMode::Faithful,
            br_style: BrStyle::Backslash,
            bullet_list_marker: BulletListMarker::Dash,
            ul_bullet_spacing: 1,
            ol_number_spacing: 1,
            ..Options::default()
        })
        .skip_tags(vec!["script", "style"])
        .build()
}

/// HTML to Markdown, kept only when it renders back to the same text and
/// links; else the HTML itself.
pub fn to_markdown(html: &str) -> Converted {
    if html.trim().is_empty() {
        return Converted::Markdown(String::new());
    }
    let markdown = converter()
        .convert(html)
        .unwrap_or_default()
        .trim()
        .to_string();
    let markdown = restore_update_markers(&markdown);
    if !markdown.is_empty() && signature(&render_plain(&markdown)) == signature(html) {
        Converted::Markdown(markdown)
    } else {
        Converted::Html(fold_html(html))
    }
}

/// The converter escapes every `[`; an `[UPDATE ...: text]` marker is
/// glossator's own inline update, so it is given back its brackets.
fn restore_update_markers(markdown: &str) -> String {
    let mut out = String::with_capacity(markdown.len());
    let mut rest = markdown;
    while let Some(i) = rest.find("\\[UPDATE") {
        out.push_str(&rest[..i]);
        let marker = &rest[i + 1..];
        match marker.find("\\]") {
            Some(end) if !marker[..end].contains('\n') => {
                out.push_str(&marker[..end]);
                out.push(']');
                rest = &marker[end + 2..];
            }
            _ => {
                out.push_str("\\[");
                rest = &rest[i + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// CommonMark as the build reads it, without smart punctuation (which
/// changes text on purpose) and without our extensions.
fn render_plain(markdown: &str) -> String {
    use pulldown_cmark::{Options, Parser, html};
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS;
    let mut out = String::new();
    html::push_html(&mut out, Parser::new_ext(markdown, options));
    out
}

/// What must survive a conversion: the text (whitespace aside) and every
/// link and image target.
fn signature(html: &str) -> (String, Vec<String>) {
    let text = visible_text(html)
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let urls = RefCell::new(Vec::new());
    let settings = RewriteStrSettings::new()
        .append_element_content_handler(element!("[href]", |el| {
            if let Some(v) = el.get_attribute("href") {
                urls.borrow_mut().push(normalize_url(&v));
            }
            Ok(())
        }))
        .append_element_content_handler(element!("[src]", |el| {
            if let Some(v) = el.get_attribute("src") {
                urls.borrow_mut().push(normalize_url(&v));
            }
            Ok(())
        }));
    let _ = rewrite_str(html, settings);
    (text, urls.into_inner())
}

fn normalize_url(url: &str) -> String {
    let decoded = decode_attribute(url.trim());
    percent_encoding::percent_decode_str(&decoded)
        .decode_utf8_lossy()
        .into_owned()
}

/// The text a reader sees: tags removed (scripts and styles with their
/// content), entities decoded.
pub fn visible_text(html: &str) -> String {
    let text = ammonia::Builder::empty().clean(html).to_string();
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&nbsp;", "\u{a0}")
        .replace("&amp;", "&")
}

/// Makes HTML one CommonMark HTML block: blank lines (which would end the
/// block and let Markdown reinterpret the rest) are removed, inside
/// `<pre>` kept as `&#10;`, and text that does not open with a block tag
/// is wrapped in a `<div>`.
fn fold_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_pre = 0usize;
    let lower = html.to_ascii_lowercase();
    let mut i = 0;
    let bytes = html.as_bytes();
    while i < bytes.len() {
        if lower[i..].starts_with("<pre") {
            in_pre += 1;
        } else if lower[i..].starts_with("</pre") {
            in_pre = in_pre.saturating_sub(1);
        }
        if bytes[i] == b'\n' {
            // Skip the blank lines after this newline.
            let mut j = i + 1;
            let mut blank = 0;
            loop {
                let rest = &html[j..];
                let line_end = rest.find('\n');
                match line_end {
                    Some(e) if rest[..e].trim().is_empty() => {
                        blank += 1;
                        j += e + 1;
                    }
                    _ => break,
                }
            }
            out.push('\n');
            if in_pre > 0 {
                for _ in 0..blank {
                    out.push_str("&#10;");
                }
            }
            i = j;
            continue;
        }
        let c = html[i..].chars().next().unwrap_or(' ');
        out.push(c);
        i += c.len_utf8();
    }
    let trimmed = out.trim();
    let opens_block = trimmed.starts_with('<')
        && trimmed[1..]
            .split(|c: char| !c.is_ascii_alphanumeric())
            .next()
            .is_some_and(|tag| BLOCK_TAGS.contains(&tag.to_ascii_lowercase().as_str()));
    if opens_block {
        trimmed.to_string()
    } else {
        format!("<div>\n{trimmed}\n</div>")
    }
}

/// Tags that open a CommonMark HTML block (type 6) and can hold the rest.
const BLOCK_TAGS: [&str; 16] = [
    "address",
    "article",
    "aside",
    "blockquote",
    "div",
    "dl",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "header",
    "ol",
    "p",
    "section",
    "ul",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unsafe_urls_are_dropped_and_reported() {
        let r = rewrite_urls(
            "<p><a href=\"javascript:alert(1)\">click</a> <a href=\" JaVa\tScRiPt:x\">b</a> <img src=\"data:image/png;base64,x\" alt=\"i\"> <a href=\"https://ok.example/?a=1&amp;b=2\">ok</a></p>",
            &mut |_| None,
        );
        assert!(
            !r.html.to_ascii_lowercase().contains("script:"),
            "{}",
            r.html
        );
        assert!(!r.html.contains("data:"), "{}", r.html);
        assert!(r.html.contains("<p>click b <img"), "{}", r.html);
        assert_eq!(r.dropped.len(), 3, "{:?}", r.dropped);
        assert!(
            r.html.contains("https://ok.example/?a=1&amp;b=2"),
            "{}",
            r.html
        );
    }

    #[test]
    fn urls_are_mapped() {
        let r = rewrite_urls(
            "<a href=\"https://old.example/2009/x/\">x</a><img src=\"https://old.example/wp-content/uploads/a.jpg\" srcset=\"https://old.example/wp-content/uploads/a-300.jpg 300w, javascript:x 2w\">",
            &mut |u| u.strip_prefix("https://old.example").map(String::from),
        );
        assert!(r.html.contains("href=\"/2009/x/\""), "{}", r.html);
        assert!(
            r.html.contains("src=\"/wp-content/uploads/a.jpg\""),
            "{}",
            r.html
        );
        assert!(
            r.html
                .contains("srcset=\"/wp-content/uploads/a-300.jpg 300w\""),
            "{}",
            r.html
        );
    }

    #[test]
    fn markdown_when_it_round_trips() {
        let c = to_markdown(
            "<p>Some <em>text</em> with a <a href=\"https://e.example/?a=1&amp;b=2\">link</a>.</p><ul><li>one</li><li>two</li></ul><blockquote><p>Quoted.</p></blockquote>",
        );
        let Converted::Markdown(md) = c else {
            panic!("{c:?}")
        };
        assert!(md.contains("*text*") || md.contains("_text_"), "{md}");
        assert!(md.contains("[link](https://e.example/?a=1&b=2)"), "{md}");
        assert!(md.contains("> Quoted."), "{md}");
        // Text that looks like Markdown survives as text.
        let c = to_markdown("<p>2 * 3 * 4 = 24, and_this_is_not_emphasis, # not a heading</p>");
        let out = render_plain(c.text());
        assert_eq!(
            visible_text(&out).trim(),
            "2 * 3 * 4 = 24, and_this_is_not_emphasis, # not a heading"
        );
    }

    #[test]
    fn folded_html_stays_one_block() {
        let folded = fold_html("text\n\n<p>a</p>\n\n\n<pre>x\n\n    y</pre>\n\n    indented");
        assert!(folded.starts_with("<div>\n"), "{folded}");
        assert!(!folded.contains("\n\n"), "{folded}");
        assert!(folded.contains("x\n&#10;    y"), "{folded}");
        let html = render_plain(&folded);
        assert!(
            !html.contains("<code>"),
            "an indented line became code: {html}"
        );
        assert!(html.contains("<pre>x\n&#10;    y</pre>"), "{html}");
    }
}

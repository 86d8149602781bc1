//! A WordPress post's stored content, made into the HTML it showed.
//!
//! What WordPress adds when it shows a post, the import adds here:
//! block-editor comments go, `<!--more-->` marks the summary cut,
//! `<!--nextpage-->` pages are joined (and reported), shortcodes become
//! HTML (`[caption]` a `<figure>`, `[gallery]` its images, `[audio]` and
//! `[video]` media elements, `[embed]` a link), classic-editor text gets
//! its paragraphs (`autop`), a link alone on a line becomes a link, and a
//! quote's `<cite>` becomes the attribution line glossator reads. Unknown
//! shortcodes stay visible, as text, and are reported.

use std::collections::HashMap;

use super::autop::autop;
use crate::markdown::escape_attr;

/// An attachment: what `[gallery]` and `[caption]` refer to by id.
#[derive(Debug, Clone, Default)]
pub struct Attachment {
    pub url: String,
    pub alt: String,
    pub parent: String,
    pub menu_order: i64,
}

/// What content processing needs from the rest of the export.
pub struct ContentContext<'a> {
    /// The post's id, for galleries without `ids`.
    pub post_id: &'a str,
    pub attachments: &'a HashMap<String, Attachment>,
}

/// The post's HTML, split at its summary cut, and what could not be
/// carried.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Processed {
    pub before_more: String,
    pub after_more: Option<String>,
    /// Report lines (`unknown shortcode [foo]`, ...).
    pub notes: Vec<String>,
}

/// Processes stored content into HTML.
pub fn process(raw: &str, ctx: &ContentContext<'_>) -> Processed {
    let mut notes = Vec::new();
    let has_blocks = raw.contains("<!-- wp:");
    let text = strip_block_comments(raw);
    let text = join_pages(&text, &mut notes);
    let (before, after) = split_more(&text);
    // WordPress's own order: paragraphs first, then shortcodes (whose
    // figures must not sit inside the paragraphs autop made).
    let convert = |part: &str, notes: &mut Vec<String>| {
        let part = if has_blocks {
            part.to_string()
        } else {
            autop(part)
        };
        let part = shortcodes(&part, ctx, notes);
        let part = part
            .replace("<p><figure", "<figure")
            .replace("</figure></p>", "</figure>")
            .replace("</figure><br />", "</figure>");
        let part = link_bare_urls(&part);
        let part = cite_to_attribution(&part);
        strip_wordpress_classes(&part)
    };
    let before_more = convert(&before, &mut notes);
    let after_more = after.map(|a| convert(&a, &mut notes));
    notes.dedup();
    Processed {
        before_more,
        after_more,
        notes,
    }
}

/// Removes `<!-- wp:... -->` and `<!-- /wp:... -->` block delimiters.
fn strip_block_comments(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find("<!--") {
        let after = &rest[i + 4..];
        let trimmed = after.trim_start();
        if trimmed.starts_with("wp:") || trimmed.starts_with("/wp:") {
            out.push_str(&rest[..i]);
            match after.find("-->") {
                Some(end) => rest = &after[end + 3..],
                None => {
                    rest = "";
                }
            }
        } else {
            out.push_str(&rest[..i + 4]);
            rest = after;
        }
    }
    out.push_str(rest);
    out
}

fn is_marker(comment_body: &str, word: &str) -> bool {
    comment_body
        .trim()
        .get(..word.len())
        .is_some_and(|w| w.eq_ignore_ascii_case(word))
}

/// `<!--nextpage-->` splits a post into pages; a static post is one page.
fn join_pages(text: &str, notes: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut joined = 0;
    while let Some(i) = rest.find("<!--") {
        let after = &rest[i + 4..];
        match after.find("-->") {
            Some(end) if is_marker(&after[..end], "nextpage") => {
                out.push_str(&rest[..i]);
                out.push_str("\n\n");
                rest = &after[end + 3..];
                joined += 1;
            }
            _ => {
                out.push_str(&rest[..i + 4]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    if joined > 0 {
        notes.push(format!(
            "the post was split into {} pages with <!--nextpage-->: joined into one",
            joined + 1
        ));
    }
    out
}

/// Splits at the first `<!--more-->` (which may carry link text).
fn split_more(text: &str) -> (String, Option<String>) {
    let mut from = 0;
    while let Some(i) = text[from..].find("<!--") {
        let start = from + i;
        let after = &text[start + 4..];
        let Some(end) = after.find("-->") else { break };
        if is_marker(&after[..end], "more") {
            return (
                text[..start].to_string(),
                Some(after[end + 3..].to_string()),
            );
        }
        from = start + 4;
    }
    (text.to_string(), None)
}

/// A shortcode as written.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Shortcode<'a> {
    name: &'a str,
    /// Named attributes, and positional ones under their index.
    attrs: Vec<(String, String)>,
    content: Option<&'a str>,
}

impl Shortcode<'_> {
    fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

fn parse_attrs(text: &str) -> Vec<(String, String)> {
    let mut attrs = Vec::new();
    let mut rest = text.trim();
    let mut position = 0;
    while !rest.is_empty() {
        let name_end = rest
            .find(|c: char| c == '=' || c.is_whitespace())
            .unwrap_or(rest.len());
        let (name, after) = rest.split_at(name_end);
        let after = after.trim_start();
        if let Some(value_part) = after.strip_prefix('=') {
            let value_part = value_part.trim_start();
            let (value, remaining) = match value_part.chars().next() {
                Some(q @ ('"' | '\'' | '\u{201c}' | '\u{201d}' | '\u{2033}')) => {
                    let body = &value_part[q.len_utf8()..];
                    let end = body
                        .find(['"', '\'', '\u{201c}', '\u{201d}', '\u{2033}'])
                        .unwrap_or(body.len());
                    let next = (end + 1).min(body.len());
                    let next = if body.is_char_boundary(next) {
                        next
                    } else {
                        body.len()
                    };
                    (&body[..end], &body[next..])
                }
                _ => {
                    let end = value_part
                        .find(char::is_whitespace)
                        .unwrap_or(value_part.len());
                    value_part.split_at(end)
                }
            };
            attrs.push((name.to_ascii_lowercase(), value.to_string()));
            rest = remaining.trim_start();
        } else {
            let value = name.trim_matches(['"', '\'']);
            attrs.push((position.to_string(), value.to_string()));
            position += 1;
            rest = after;
        }
    }
    attrs
}

/// Finds shortcodes and replaces those `convert` knows; an unknown one
/// stays as written and is reported.
fn shortcodes(text: &str, ctx: &ContentContext<'_>, notes: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find('[') {
        out.push_str(&rest[..open]);
        let at = &rest[open..];
        // `[[caption]]` is an escaped shortcode: shown as `[caption]`.
        if let Some(inner) = at.strip_prefix("[[")
            && let Some(end) = inner.find("]]")
            && inner[..end]
                .chars()
                .next()
                .is_some_and(|c| c.is_ascii_alphabetic())
        {
            out.push('[');
            out.push_str(&inner[..end]);
            out.push(']');
            rest = &inner[end + 2..];
            continue;
        }
        let name_len = at[1..]
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(at.len() - 1);
        let name = &at[1..1 + name_len];
        let after_name = &at[1 + name_len..];
        let plausible = !name.is_empty()
            && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && (after_name.starts_with(']')
                || after_name.starts_with(' ')
                || after_name.starts_with('/'));
        let close = after_name.find(']');
        let (Some(close), true) = (close, plausible) else {
            out.push('[');
            rest = &at[1..];
            continue;
        };
        let attr_text = &after_name[..close];
        let self_closing = attr_text.trim_end().ends_with('/');
        let attr_text = attr_text.trim_end().trim_end_matches('/');
        let after_open = &after_name[close + 1..];
        let closing_tag = format!("[/{name}]");
        let (content, consumed_to) = match (self_closing, after_open.find(&closing_tag)) {
            (false, Some(end)) => (
                Some(&after_open[..end]),
                open + 1 + name_len + close + 1 + end + closing_tag.len(),
            ),
            _ => (None, open + 1 + name_len + close + 1),
        };
        let code = Shortcode {
            name,
            attrs: parse_attrs(attr_text),
            content,
        };
        match convert(&code, ctx, notes) {
            Some(html) => {
                out.push_str(&html);
                rest = &rest[consumed_to..];
            }
            None => {
                let looks_like_one = content.is_some()
                    || code.attrs.iter().any(|(k, _)| k.parse::<usize>().is_err())
                    || KNOWN_PLUGIN_SHORTCODES.contains(&name);
                if looks_like_one {
                    notes.push(format!("unknown shortcode [{name}]: left as text"));
                }
                out.push('[');
                rest = &at[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Shortcodes of popular plugins, reported even without attributes.
const KNOWN_PLUGIN_SHORTCODES: [&str; 8] = [
    "contact-form-7",
    "contact-form",
    "playlist",
    "toc",
    "wpforms",
    "gravityform",
    "sourcecode",
    "code",
];

fn convert(
    code: &Shortcode<'_>,
    ctx: &ContentContext<'_>,
    notes: &mut Vec<String>,
) -> Option<String> {
    match code.name {
        "caption" | "wp_caption" => Some(caption(code)),
        "gallery" => Some(gallery(code, ctx, notes)),
        "audio" => media(code, "audio", &["src", "mp3", "m4a", "ogg", "wav", "wma"]),
        "video" => media(
            code,
            "video",
            &["src", "mp4", "m4v", "webm", "ogv", "wmv", "flv"],
        ),
        "embed" => {
            let url = code.content?.trim();
            Some(link(url))
        }
        "youtube" | "vimeo" => {
            let url = code
                .attr("0")
                .or(code.attr("url"))
                .filter(|u| u.starts_with("http"))?;
            Some(link(url))
        }
        _ => None,
    }
}

fn link(url: &str) -> String {
    format!(
        "<a href=\"{}\">{}</a>",
        escape_attr(url),
        crate::markdown::escape_text(url)
    )
}

/// `[caption]<img ...> Text[/caption]` → a figure with its caption.
fn caption(code: &Shortcode<'_>) -> String {
    let content = code.content.unwrap_or("").trim();
    // The media: a link around an image, or an image.
    let media_end = if content.starts_with("<a") {
        content.find("</a>").map(|i| i + 4)
    } else if content.starts_with("<img") {
        content.find('>').map(|i| i + 1)
    } else {
        None
    };
    let (media, text) = match media_end {
        Some(end) => (&content[..end], content[end..].trim()),
        None => ("", content),
    };
    let text = if text.is_empty() {
        code.attr("caption").unwrap_or("")
    } else {
        text
    };
    let mut out = String::from("<figure class=\"captioned\">");
    out.push_str(media);
    if !text.is_empty() {
        out.push_str("<figcaption>");
        out.push_str(text);
        out.push_str("</figcaption>");
    }
    out.push_str("</figure>");
    out
}

/// `[gallery ids="1,2"]` → the images it names; without ids, the post's
/// own attached images in their order.
fn gallery(code: &Shortcode<'_>, ctx: &ContentContext<'_>, notes: &mut Vec<String>) -> String {
    let ids: Vec<String> = match code.attr("ids").or(code.attr("include")) {
        Some(list) => list
            .split(',')
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty())
            .collect(),
        None => {
            let mut own: Vec<(&String, &Attachment)> = ctx
                .attachments
                .iter()
                .filter(|(_, a)| a.parent == ctx.post_id)
                .collect();
            own.sort_by(|a, b| a.1.menu_order.cmp(&b.1.menu_order).then(a.0.cmp(b.0)));
            own.into_iter().map(|(id, _)| id.clone()).collect()
        }
    };
    let mut out = String::from("<figure class=\"image-gallery\">");
    for id in ids {
        match ctx.attachments.get(&id) {
            Some(a) => out.push_str(&format!(
                "<img src=\"{}\" alt=\"{}\">",
                escape_attr(&a.url),
                escape_attr(&a.alt)
            )),
            None => notes.push(format!(
                "[gallery] names attachment {id}, which is not in the export: left out"
            )),
        }
    }
    out.push_str("</figure>");
    out
}

/// `[audio src=...]`, `[video mp4=...]` → `<audio>`, `<video>`.
fn media(code: &Shortcode<'_>, tag: &str, sources: &[&str]) -> Option<String> {
    let src = sources
        .iter()
        .find_map(|s| code.attr(s))
        .or(code.attr("0"))?;
    let poster = code
        .attr("poster")
        .map(|p| format!(" poster=\"{}\"", escape_attr(p)))
        .unwrap_or_default();
    Some(format!(
        "<{tag} controls src=\"{}\"{poster}></{tag}>",
        escape_attr(src)
    ))
}

/// WordPress's layout classes (`wp-block-quote`, `size-medium`,
/// `alignleft`, `wp-image-32`) style only WordPress themes; they also keep
/// an element from becoming plain Markdown. Other classes are kept.
fn strip_wordpress_classes(html: &str) -> String {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let is_wordpress = |c: &str| {
        [
            "wp-",
            "size-",
            "align",
            "has-",
            "is-",
            "attachment-",
            "gallery",
        ]
        .iter()
        .any(|p| c.starts_with(p))
    };
    let settings =
        RewriteStrSettings::new().append_element_content_handler(element!("[class]", |el| {
            let kept: Vec<String> = el
                .get_attribute("class")
                .unwrap_or_default()
                .split_whitespace()
                .filter(|c| !is_wordpress(c))
                .map(String::from)
                .collect();
            if kept.is_empty() {
                el.remove_attribute("class");
            } else {
                el.set_attribute("class", &kept.join(" "))?;
            }
            Ok(())
        }));
    rewrite_str(html, settings).unwrap_or_else(|_| html.to_string())
}

/// A paragraph holding nothing but a URL (what WordPress embeds) becomes
/// a link to it.
fn link_bare_urls(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<p>") {
        out.push_str(&rest[..i + 3]);
        let after = &rest[i + 3..];
        match after.find("</p>") {
            Some(end) => {
                let inner = after[..end].trim();
                let bare = (inner.starts_with("http://") || inner.starts_with("https://"))
                    && !inner.contains(['<', '>', '"', ' ', '\n']);
                if bare {
                    out.push_str(&link(inner));
                } else {
                    out.push_str(&after[..end]);
                }
                out.push_str("</p>");
                rest = &after[end + 4..];
            }
            None => {
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// `<blockquote>…<cite>Who</cite></blockquote>` → the quote ends with a
/// paragraph `— Who`, glossator's attribution.
fn cite_to_attribution(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("</blockquote>") {
        let (head, tail) = rest.split_at(i);
        // The last <cite> of this quote, if it is its last element.
        let replaced = head.rfind("<cite").and_then(|c| {
            let after = &head[c..];
            let open_end = after.find('>')? + 1;
            let close = after.find("</cite>")?;
            let trailing = after[close + 7..].trim();
            let trailing_ok = trailing.is_empty() || trailing == "</p>";
            let inside_quote =
                !head[..c].contains("</blockquote>") && head[..c].rfind("<blockquote").is_some();
            (trailing_ok && inside_quote && close > open_end).then(|| {
                let who = after[open_end..close].trim();
                let who = who.trim_start_matches(['—', '–', '-']).trim_start();
                let before_cite = &head[..c];
                if trailing == "</p>" {
                    // `<p>text<cite>x</cite></p>`: its own paragraph.
                    format!("{before_cite}</p><p>— {who}</p>")
                } else {
                    format!("{before_cite}<p>— {who}</p>")
                }
            })
        });
        match replaced {
            Some(new_head) => out.push_str(&new_head),
            None => out.push_str(head),
        }
        out.push_str("</blockquote>");
        rest = &tail["</blockquote>".len()..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx(attachments: &HashMap<String, Attachment>) -> ContentContext<'_> {
        ContentContext {
            post_id: "10",
            attachments,
        }
    }

    #[test]
    fn classic_content_gets_paragraphs_and_a_summary_cut() {
        let none = HashMap::new();
        let p = process(
            "First.\n\nSecond line\nwith a break.<!--more Read on-->Rest.\n\n<!--nextpage-->Page two.",
            &ctx(&none),
        );
        assert_eq!(
            p.before_more,
            "<p>First.</p>\n<p>Second line<br />\nwith a break.</p>\n"
        );
        let after = p.after_more.unwrap();
        assert!(
            after.contains("<p>Rest.</p>") && after.contains("<p>Page two.</p>"),
            "{after}"
        );
        assert_eq!(p.notes.len(), 1, "{:?}", p.notes);
    }

    #[test]
    fn block_content_loses_its_delimiters_and_keeps_its_tags() {
        let none = HashMap::new();
        let p = process(
            "<!-- wp:paragraph -->\n<p>One</p>\n<!-- /wp:paragraph -->\n\n<!-- wp:quote -->\n<blockquote class=\"wp-block-quote\"><p>Said.</p><cite>Ada Brandt</cite></blockquote>\n<!-- /wp:quote -->",
            &ctx(&none),
        );
        assert!(!p.before_more.contains("wp:"), "{}", p.before_more);
        assert!(p.before_more.contains("<p>One</p>"));
        assert!(
            p.before_more
                .contains("<p>Said.</p><p>— Ada Brandt</p></blockquote>"),
            "{}",
            p.before_more
        );
    }

    #[test]
    fn shortcodes_become_html() {
        let mut attachments = HashMap::new();
        for (id, url, order) in [
            ("21", "https://o.example/a.jpg", 2),
            ("22", "https://o.example/b.jpg", 1),
        ] {
            attachments.insert(
                id.to_string(),
                Attachment {
                    url: url.into(),
                    alt: format!("alt {id}"),
                    parent: "10".into(),
                    menu_order: order,
                },
            );
        }
        let p = process(
            "[caption id=\"attachment_21\" align=\"alignleft\" width=\"300\"]<a href=\"https://o.example/a.jpg\"><img src=\"https://o.example/a.jpg\" alt=\"\" /></a> The harbour at dawn[/caption]\n\n[gallery]\n\n[gallery ids=\"21\"]\n\n[audio mp3=\"https://o.example/t.mp3\"]\n\n[video src=\"https://o.example/v.mp4\" poster=\"https://o.example/p.jpg\"]\n\n[embed]https://video.example/watch?v=1[/embed]\n\n[contact-form-7 id=\"4\" title=\"Contact\"] and [sic] and [[gallery]]",
            &ctx(&attachments),
        );
        let html = &p.before_more;
        assert!(
            html.contains("<figure class=\"captioned\"><a href=\"https://o.example/a.jpg\"><img"),
            "{html}"
        );
        assert!(
            html.contains("<figcaption>The harbour at dawn</figcaption></figure>"),
            "{html}"
        );
        let b = html.find("b.jpg").unwrap();
        let a = html.find("a.jpg\" alt=\"alt 21").unwrap();
        assert!(b < a, "gallery in menu order: {html}");
        assert!(
            html.contains("<audio controls src=\"https://o.example/t.mp3\"></audio>"),
            "{html}"
        );
        assert!(html.contains("<video controls src=\"https://o.example/v.mp4\" poster=\"https://o.example/p.jpg\"></video>"), "{html}");
        assert!(
            html.contains("<a href=\"https://video.example/watch?v=1\">"),
            "{html}"
        );
        assert!(
            html.contains("[contact-form-7 id=\"4\" title=\"Contact\"]"),
            "{html}"
        );
        assert!(
            html.contains("[sic]") && html.contains("[gallery]"),
            "{html}"
        );
        assert_eq!(
            p.notes,
            ["unknown shortcode [contact-form-7]: left as text"]
        );
    }
}

//! WordPress's `wpautop`: how the classic editor's text becomes HTML.
//!
//! Posts written in the classic editor are stored as text in which a blank
//! line separates paragraphs and a single line break is a `<br>`;
//! WordPress adds the `<p>` and `<br />` tags only when it shows the post.
//! An import must do the same, or paragraphs run together. This follows
//! WordPress's own function (wp-includes/formatting.php) step by step,
//! leaving out what only matters to its own templates; block-editor
//! content already holds its tags and is not passed through here.

use std::sync::OnceLock;

use regex::Regex;

const ALL_BLOCKS: &str = "(?:table|thead|tfoot|caption|col|colgroup|tbody|tr|td|th|div|dl|dd|dt|ul|ol|li|pre|form|map|area|blockquote|address|style|p|h[1-6]|hr|fieldset|legend|section|article|aside|hgroup|header|footer|nav|figure|figcaption|details|menu|summary)";

struct Patterns {
    double_br: Regex,
    block_open: Regex,
    block_close: Regex,
    hr: Regex,
    many_breaks: Regex,
    paragraph_split: Regex,
    empty_p: Regex,
    unclosed_in_div: Regex,
    wrapped_block: Regex,
    wrapped_li: Regex,
    p_blockquote: Regex,
    p_before_block: Regex,
    p_after_block: Regex,
    keep_newlines: Regex,
    br_after_block: Regex,
    br_before_block: Regex,
    pre: Regex,
}

// The patterns are constants; a typo in one fails every autop test.
#[allow(clippy::expect_used)]
fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |p: &str| Regex::new(p).expect("the autop patterns are valid");
        Patterns {
            double_br: re(r"<br\s*/?>\s*<br\s*/?>"),
            block_open: re(&format!(r"(<{ALL_BLOCKS}[\s/>])")),
            block_close: re(&format!(r"(</{ALL_BLOCKS}>)")),
            hr: re(r"(<hr\s*?/?>)"),
            many_breaks: re(r"\n\n+"),
            paragraph_split: re(r"\n\s*\n"),
            empty_p: re(r"<p>\s*</p>"),
            unclosed_in_div: re(r"<p>([^<]+)</(div|address|form)>"),
            wrapped_block: re(&format!(r"<p>\s*(</?{ALL_BLOCKS}[^>]*>)\s*</p>")),
            wrapped_li: re(r"<p>(<li.+?)</p>"),
            p_blockquote: re(r"(?i)<p><blockquote([^>]*)>"),
            p_before_block: re(&format!(r"<p>\s*(</?{ALL_BLOCKS}[^>]*>)")),
            p_after_block: re(&format!(r"(</?{ALL_BLOCKS}[^>]*>)\s*</p>")),
            keep_newlines: re(r"(?s)<(script|style|svg|math)\b.*?</(?:script|style|svg|math)>"),
            br_after_block: re(&format!(r"(</?{ALL_BLOCKS}[^>]*>)\s*<br />")),
            br_before_block: re(r"<br />(\s*</?(?:p|li|div|dl|dd|dt|th|pre|td|ul|ol)[^>]*>)"),
            pre: re(r"(?is)<pre\b.*?</pre>"),
        }
    })
}

/// Newlines inside tags (`<a\nhref>`) must not become `<br />`.
fn protect_newlines_in_tags(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut in_tag = false;
    for c in text.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            '\n' if in_tag => {
                out.push_str(" <!-- wpnl --> ");
                continue;
            }
            _ => {}
        }
        out.push(c);
    }
    out
}

/// Paragraphs and line breaks for classic-editor text.
pub fn autop(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    let p = patterns();
    let mut text = text.replace("\r\n", "\n").replace('\r', "\n");
    text.push('\n');
    // <pre> blocks are left exactly as they are.
    let mut pres = Vec::new();
    let text_with_placeholders = p
        .pre
        .replace_all(&text, |c: &regex::Captures<'_>| {
            pres.push(c[0].to_string());
            format!("<pre wp-pre-tag-{}></pre>", pres.len() - 1)
        })
        .into_owned();
    text = text_with_placeholders;
    text = p.double_br.replace_all(&text, "\n\n").into_owned();
    text = p.block_open.replace_all(&text, "\n\n$1").into_owned();
    text = p.block_close.replace_all(&text, "$1\n\n").into_owned();
    text = p.hr.replace_all(&text, "$1\n\n").into_owned();
    text = protect_newlines_in_tags(&text);
    text = p.many_breaks.replace_all(&text, "\n\n").into_owned();
    let mut rebuilt = String::with_capacity(text.len() + 64);
    for paragraph in p.paragraph_split.split(&text) {
        if paragraph.trim().is_empty() {
            continue;
        }
        rebuilt.push_str("<p>");
        rebuilt.push_str(paragraph.trim_matches('\n'));
        rebuilt.push_str("</p>\n");
    }
    text = rebuilt;
    text = p.empty_p.replace_all(&text, "").into_owned();
    text = p
        .unclosed_in_div
        .replace_all(&text, "<p>$1</p></$2>")
        .into_owned();
    text = p.wrapped_block.replace_all(&text, "$1").into_owned();
    text = p.wrapped_li.replace_all(&text, "$1").into_owned();
    text = p
        .p_blockquote
        .replace_all(&text, "<blockquote$1><p>")
        .into_owned();
    text = text.replace("</blockquote></p>", "</p></blockquote>");
    text = p.p_before_block.replace_all(&text, "$1").into_owned();
    text = p.p_after_block.replace_all(&text, "$1").into_owned();
    // Line breaks: every newline not already after a <br /> becomes one,
    // except inside scripts and styles.
    text = p
        .keep_newlines
        .replace_all(&text, |c: &regex::Captures<'_>| {
            c[0].replace('\n', "<WPPreserveNewline />")
        })
        .into_owned();
    text = text.replace("<br>", "<br />").replace("<br/>", "<br />");
    text = add_line_breaks(&text);
    text = text.replace("<WPPreserveNewline />", "\n");
    text = p.br_after_block.replace_all(&text, "$1").into_owned();
    text = p.br_before_block.replace_all(&text, "$1").into_owned();
    if let Some(stripped) = text.strip_suffix("\n</p>") {
        text = format!("{stripped}</p>");
    }
    for (i, pre) in pres.iter().enumerate() {
        text = text.replace(&format!("<pre wp-pre-tag-{i}></pre>"), pre);
    }
    text.replace(" <!-- wpnl --> ", "\n")
        .replace("<!-- wpnl -->", "\n")
}

/// `(?<!<br />)\s*\n` → `<br />\n`, without look-behind: whitespace before
/// a newline goes, and a `<br />` is added unless one is there.
fn add_line_breaks(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    for (i, line) in text.split('\n').enumerate() {
        if i > 0 {
            let trimmed_len = out.trim_end().len();
            out.truncate(trimmed_len);
            if !out.ends_with("<br />") {
                out.push_str("<br />");
            }
            out.push('\n');
        }
        out.push_str(line);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paragraphs_and_breaks() {
        assert_eq!(
            autop("First line\nsecond line.\n\nNew paragraph."),
            "<p>First line<br />\nsecond line.</p>\n<p>New paragraph.</p>\n"
        );
    }

    #[test]
    fn blocks_are_not_wrapped_and_quotes_get_paragraphs() {
        let out = autop(
            "Intro:\n<blockquote>Quoted text.\n\nMore.</blockquote>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>",
        );
        assert!(out.contains("<p>Intro:</p>"), "{out}");
        assert!(out.contains("<blockquote><p>Quoted text.</p>"), "{out}");
        assert!(out.contains("<p>More.</p></blockquote>"), "{out}");
        assert!(out.contains("<li>one</li>"), "{out}");
        assert!(!out.contains("<p><ul>"), "{out}");
    }

    #[test]
    fn pre_is_left_alone() {
        let out = autop("Code:\n\n<pre>a\n\nb\n</pre>\n\nAfter.");
        assert!(out.contains("<pre>a\n\nb\n</pre>"), "{out}");
        assert!(out.contains("<p>After.</p>"), "{out}");
    }

    #[test]
    fn newlines_inside_tags_stay_newlines() {
        let out = autop("<a\nhref=\"x\">link</a> text");
        assert!(out.contains("<a\nhref=\"x\">"), "{out}");
    }
}

//! Absolute links for feeds: every URL attribute (`href`, `src`, `poster`,
//! `srcset`) in a post's HTML resolved against its permalink, since a feed
//! reader has no page to resolve a relative link against.
//!
//! There are two paths to one result. lol_html, a streaming HTML rewriter,
//! takes any HTML. But most bodies are what our Markdown renderer wrote:
//! text with every `<` escaped, and tags in one form, lower-case attribute
//! names with double-quoted values, one space apart. For those, a small
//! scanner that follows the HTML standard's tag states finds the URL
//! attributes and replaces their values where they stand, at a fraction of
//! lol_html's cost (it was 3.6% of a 10,000-post build). The scanner gives
//! the body to lol_html whenever it meets anything it does not follow:
//! comments, doctypes and processing instructions; an element whose content
//! is not parsed as HTML (`script`, `style`, `textarea`, `title` and the
//! like); a NUL byte; a tag left open; and a tag with a URL attribute that
//! is not in the form lol_html writes back when it changes a value. So raw
//! HTML in a post costs speed, never correctness; a property test holds the
//! two paths to the same bytes.

use url::Url;

/// The attributes that hold a URL, as lol_html is asked to rewrite them.
const URL_ATTRIBUTES: [&[u8]; 4] = [b"href", b"src", b"poster", b"srcset"];

/// Elements whose content the HTML tokenizer reads as text (or, for
/// `noscript`, may), where a `<` starts no tag.
const RAW_TEXT_ELEMENTS: [&[u8]; 10] = [
    b"script",
    b"style",
    b"textarea",
    b"title",
    b"xmp",
    b"iframe",
    b"noembed",
    b"noframes",
    b"noscript",
    b"plaintext",
];

/// Makes every URL attribute in `html` absolute against `base`.
pub fn absolute_html(html: &str, base: &Url) -> String {
    scan(html, base).unwrap_or_else(|| rewrite_with_lol_html(html, base))
}

/// A URL attribute's value made absolute; `None` leaves it as written.
fn absolute(value: &str, base: &Url) -> Option<String> {
    let v = value.trim();
    if v.is_empty() {
        return None;
    }
    base.join(v).ok().map(String::from)
}

/// Each candidate of a `srcset` made absolute, sizes kept.
fn absolute_srcset(set: &str, base: &Url) -> String {
    let rewritten: Vec<String> = set
        .split(',')
        .map(|candidate| {
            let candidate = candidate.trim();
            let (url, size) = candidate.split_once(' ').unwrap_or((candidate, ""));
            let url = absolute(url, base).unwrap_or_else(|| url.to_string());
            if size.is_empty() {
                url
            } else {
                format!("{url} {}", size.trim())
            }
        })
        .collect();
    rewritten.join(", ")
}

/// The general path, for any HTML.
fn rewrite_with_lol_html(html: &str, base: &Url) -> String {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let mut settings = RewriteStrSettings::new();
    for attribute in ["href", "src", "poster"] {
        let selector = format!("[{attribute}]");
        settings = settings.append_element_content_handler(element!(selector, move |el| {
            if let Some(v) = el.get_attribute(attribute).and_then(|v| absolute(&v, base)) {
                el.set_attribute(attribute, &v)?;
            }
            Ok(())
        }));
    }
    settings = settings.append_element_content_handler(element!("[srcset]", |el| {
        if let Some(set) = el.get_attribute("srcset") {
            el.set_attribute("srcset", &absolute_srcset(&set, base))?;
        }
        Ok(())
    }));
    // lol_html only fails on memory limits we do not set; keep the input.
    rewrite_str(html, settings).unwrap_or_else(|_| html.to_string())
}

/// Whitespace as the HTML tokenizer counts it between attributes.
fn is_space(b: u8) -> bool {
    matches!(b, b'\t' | b'\n' | b'\x0C' | b'\r' | b' ')
}

/// One attribute of a tag, as byte offsets into the HTML.
struct Attribute {
    /// Where the whitespace before the name begins.
    gap: usize,
    name: (usize, usize),
    /// The value without its quotes, and whether it was double-quoted.
    value: Option<((usize, usize), bool)>,
    /// Just past the attribute.
    end: usize,
}

/// A value to write over `range` of the input.
type Edit = ((usize, usize), String);

/// The fast path: `None` hands the body to lol_html.
fn scan(html: &str, base: &Url) -> Option<String> {
    let bytes = html.as_bytes();
    if memchr::memchr(0, bytes).is_some() {
        return None;
    }
    let mut edits: Vec<Edit> = Vec::new();
    let mut attributes: Vec<Attribute> = Vec::new();
    let mut at = 0;
    while let Some(found) = memchr::memchr(b'<', &bytes[at..]) {
        let open = at + found;
        at = match bytes.get(open + 1) {
            Some(b) if b.is_ascii_alphabetic() => {
                start_tag(html, open + 1, base, &mut attributes, &mut edits)?
            }
            Some(b'/') if bytes.get(open + 2).is_some_and(u8::is_ascii_alphabetic) => {
                let (_, end) = tag_name(bytes, open + 2)?;
                attributes.clear();
                tag_end(bytes, end, &mut attributes)?
            }
            Some(b'!' | b'?' | b'/') => return None,
            // `<` before anything else, or at the end, is text.
            _ => open + 1,
        };
    }
    let mut out =
        String::with_capacity(html.len() + edits.iter().map(|e| e.1.len()).sum::<usize>());
    let mut copied = 0;
    for ((from, to), value) in edits {
        out.push_str(&html[copied..from]);
        // lol_html writes a changed value back with `"` escaped, and only that.
        if value.contains('"') {
            out.push_str(&value.replace('"', "&quot;"));
        } else {
            out.push_str(&value);
        }
        copied = to;
    }
    out.push_str(&html[copied..]);
    Some(out)
}

/// A tag's name from `from`: up to whitespace, `/` or `>`; its end.
fn tag_name(bytes: &[u8], from: usize) -> Option<(&[u8], usize)> {
    let len = bytes[from..]
        .iter()
        .position(|&b| is_space(b) || b == b'/' || b == b'>')?;
    Some((&bytes[from..from + len], from + len))
}

/// Reads a start tag whose name begins at `from`, queues its URL edits and
/// returns where the tag ends.
fn start_tag(
    html: &str,
    from: usize,
    base: &Url,
    attributes: &mut Vec<Attribute>,
    edits: &mut Vec<Edit>,
) -> Option<usize> {
    let bytes = html.as_bytes();
    let (name, name_end) = tag_name(bytes, from)?;
    if RAW_TEXT_ELEMENTS
        .iter()
        .any(|raw| name.eq_ignore_ascii_case(raw))
    {
        return None;
    }
    attributes.clear();
    let end = tag_end(bytes, name_end, attributes)?;
    let is_url = |a: &Attribute| {
        let name = &bytes[a.name.0..a.name.1];
        URL_ATTRIBUTES.iter().any(|u| name.eq_ignore_ascii_case(u))
    };
    if !attributes.iter().any(is_url) {
        return Some(end);
    }
    if !is_canonical(bytes, name_end, end, attributes) {
        return None;
    }
    for a in attributes.iter().filter(|a| is_url(a)) {
        let name = &bytes[a.name.0..a.name.1];
        let Some((range, _)) = a.value else {
            // `href` with no value reads as empty: left alone.
            continue;
        };
        let value = &html[range.0..range.1];
        let rewritten = if name == b"srcset" {
            Some(absolute_srcset(value, base))
        } else {
            absolute(value, base)
        };
        if let Some(v) = rewritten {
            edits.push((range, v));
        }
    }
    Some(end)
}

/// Whether a tag reads exactly as lol_html writes one back after changing
/// a value: `<name( attr(="value")?)*( /)?>`, names in lower case, no name
/// twice. Anything else (single quotes, bare values, other spacing) is
/// left to lol_html, which would write it back differently.
fn is_canonical(bytes: &[u8], name_end: usize, end: usize, attributes: &[Attribute]) -> bool {
    let mut previous = name_end;
    for (i, a) in attributes.iter().enumerate() {
        let name = &bytes[a.name.0..a.name.1];
        let spaced = a.gap == previous && bytes[a.gap] == b' ' && a.name.0 == a.gap + 1;
        let written = match a.value {
            None => a.end == a.name.1,
            Some(((from, to), quoted)) => {
                quoted && from == a.name.1 + 2 && bytes[a.name.1] == b'=' && a.end == to + 1
            }
        };
        let lower = !name.iter().any(u8::is_ascii_uppercase);
        let once = attributes[..i]
            .iter()
            .all(|b| !bytes[b.name.0..b.name.1].eq_ignore_ascii_case(name));
        if !(spaced && written && lower && once) {
            return false;
        }
        previous = a.end;
    }
    let close = &bytes[previous..end];
    close == b">" || close == b" />"
}

/// Reads attributes from `at` (just past a tag's name) to the tag's `>`,
/// by the HTML standard's tokenizer states; returns just past the `>`, or
/// `None` if the HTML ends first.
fn tag_end(bytes: &[u8], mut at: usize, attributes: &mut Vec<Attribute>) -> Option<usize> {
    loop {
        let gap = at;
        while is_space(*bytes.get(at)?) {
            at += 1;
        }
        match bytes[at] {
            b'>' => return Some(at + 1),
            b'/' => {
                at += 1;
                if *bytes.get(at)? == b'>' {
                    return Some(at + 1);
                }
                continue;
            }
            _ => {}
        }
        // A name takes its first character whatever it is (even `=`).
        let name_start = at;
        at += 1;
        while let Some(&b) = bytes.get(at) {
            if is_space(b) || matches!(b, b'/' | b'>' | b'=') {
                break;
            }
            at += 1;
        }
        let name = (name_start, at);
        let mut after = at;
        while is_space(*bytes.get(after)?) {
            after += 1;
        }
        if bytes[after] != b'=' {
            attributes.push(Attribute {
                gap,
                name,
                value: None,
                end: name.1,
            });
            continue;
        }
        after += 1;
        while is_space(*bytes.get(after)?) {
            after += 1;
        }
        let (value, end) = match bytes[after] {
            quote @ (b'"' | b'\'') => {
                let from = after + 1;
                let len = memchr::memchr(quote, &bytes[from..])?;
                (((from, from + len), quote == b'"'), from + len + 1)
            }
            // `href=>`: an empty value, and the `>` still closes the tag.
            b'>' => (((after, after), false), after),
            _ => {
                let len = bytes[after..]
                    .iter()
                    .position(|&b| is_space(b) || b == b'>')?;
                (((after, after + len), false), after + len)
            }
        };
        attributes.push(Attribute {
            gap,
            name,
            value: Some(value),
            end,
        });
        at = end;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn base() -> Url {
        Url::parse("https://e.example/blog/2009/03/03/post/").unwrap()
    }

    #[test]
    fn relative_urls_become_absolute_on_both_paths() {
        let html = concat!(
            "<p><a href=\"/blog/x/\">a</a> <a href=\"photo.jpg\">b</a> <a href=\"#n\">c</a> ",
            "<a href=\"https://other.example/\">d</a> <a href='../up/'>e</a></p>",
            "<img src=\"/blog/i.png\" srcset=\"a.png 1x, /blog/b.png 2x\"><video poster=\"p.jpg\"></video>"
        );
        let expected = [
            "href=\"https://e.example/blog/x/\"",
            "href=\"https://e.example/blog/2009/03/03/post/photo.jpg\"",
            "href=\"https://e.example/blog/2009/03/03/post/#n\"",
            "href=\"https://other.example/\"",
            "href=\"https://e.example/blog/2009/03/03/up/\"",
            "src=\"https://e.example/blog/i.png\"",
            "srcset=\"https://e.example/blog/2009/03/03/post/a.png 1x, https://e.example/blog/b.png 2x\"",
            "poster=\"https://e.example/blog/2009/03/03/post/p.jpg\"",
        ];
        // With the single-quoted link, only lol_html takes it; without it,
        // the scanner does.
        let canonical = html.replace(" <a href='../up/'>e</a>", "");
        assert!(scan(html, &base()).is_none());
        assert!(scan(&canonical, &base()).is_some());
        let general = absolute_html(html, &base());
        let fast = absolute_html(&canonical, &base());
        for e in expected {
            assert!(general.contains(e), "{e} not in {general}");
            assert!(fast.contains(e) || e.contains("/up/"), "{e} not in {fast}");
        }
    }

    #[test]
    fn rendered_markdown_takes_the_fast_path() {
        let source = "Lead [story](/2024/01/02/story/) and a note.[^1]\n\n\
            > Quoted, with an ![image](pic.png \"a \\\"title\\\"\").\n\n\
            ```rust\nlet x = \"<a href=\\\"y\\\">\";\n```\n\n[^1]: See [there](../there/?a=1&b=2).\n";
        let sources = crate::markdown::Sources::new();
        let ctx = crate::markdown::RenderContext {
            page_path: "/2009/03/03/post/",
            base_path: "",
            highlight: true,
            whole_summary: false,
            commentary: crate::markdown::CommentaryContext {
                sources: &sources,
                timezone: &jiff::tz::TimeZone::UTC,
                day: None,
            },
        };
        let html = crate::markdown::render(source, &ctx).0.html.get();
        let fast = scan(&html, &base()).expect("our own HTML takes the fast path");
        assert_eq!(fast, rewrite_with_lol_html(&html, &base()));
        assert!(
            fast.contains("href=\"https://e.example/2024/01/02/story/\""),
            "{fast}"
        );
        // The renderer already made `pic.png` site-relative (`/2009/...`).
        assert!(
            fast.contains("src=\"https://e.example/2009/03/03/post/pic.png\""),
            "{fast}"
        );
        assert!(
            fast.contains("href=\"https://e.example/blog/2009/03/03/post/#fn-1\""),
            "{fast}"
        );
    }

    #[test]
    fn what_the_scanner_does_not_follow_goes_to_lol_html() {
        for html in [
            "<!-- <a href=\"x\"> -->",
            "<script>var a = '<a href=\"x\">';</script>",
            "<TEXTAREA><a href=\"x\"></TEXTAREA>",
            "<a href=\"x\"",
            "<a href=x>",
            "<a  href=\"x\">",
            "<a href=\"x\" >",
            "<a href=\"x\"/>",
            "<a/ href=\"x\">",
            "<title><a href=\"x\"></title>",
            "<a HREF=\"x\">",
            "<a href=\"x\" href=\"y\">",
            "</>",
            "a\0<a href=\"x\">",
        ] {
            assert!(scan(html, &base()).is_none(), "{html}");
            // and the general path still rewrites where it should
            let _ = absolute_html(html, &base());
        }
        assert_eq!(
            absolute_html("<a href='x'>", &base()),
            "<a href=\"https://e.example/blog/2009/03/03/post/x\">"
        );
    }

    /// Pieces of HTML, canonical and not, that the property test strings
    /// together.
    fn piece() -> impl Strategy<Value = String> {
        let url = prop::sample::select(vec![
            "",
            " ",
            "x",
            "/a/b",
            "../up/",
            "#n",
            "?q=1&amp;r=2",
            "https://o.example/",
            "a\"b",
            "mailto:a@b.example",
            "a b",
            "&quot;",
            "//cdn.example/i.png",
        ]);
        prop_oneof![
            url.clone().prop_map(|u| format!("<a href=\"{u}\">")),
            url.clone()
                .prop_map(|u| format!("<img src=\"{u}\" alt=\"i\" />")),
            url.clone()
                .prop_map(|u| format!("<source srcset=\"{u} 1x, {u}, b.png 2x\">")),
            url.clone()
                .prop_map(|u| format!("<video poster=\"{u}\" controls>")),
            url.clone()
                .prop_map(|u| format!("<a class=\"c\" href=\"{u}\" title='t'>")),
            url.prop_map(|u| format!("<a href='{u}'>")),
            prop::sample::select(vec![
                "</a>",
                "<p>",
                "</p>",
                "text",
                " ",
                "a < b",
                "<",
                "</",
                ">",
                "\"",
                "'",
                "=",
                "/",
                "<br/>",
                "<br />",
                "<hr>",
                "<!-- c -->",
                "<!doctype html>",
                "<?x?>",
                "<script>",
                "</script>",
                "<style>",
                "<title>",
                "<a href>",
                "<a href=>",
                "<a href=x>",
                "<a  href=\"y\">",
                "<a href=\"y\" >",
                "<a href=\"y\"/>",
                "<A HREF=\"y\">",
                "<a href=\"y\" href=\"z\">",
                "<a =\"q\" href=\"y\">",
                "<a data-x=\"1\" hidden href=\"y\">",
                "<img/src=\"y\">",
                "<a/ href=\"y\">",
                "<svg><a href=\"y\"/></svg>",
                "&amp;",
                "é",
                "\n",
                "\t",
                "<a\nhref=\"y\">",
                "</a b=\"c\">",
                "<x-y src=\"q\">",
            ])
            .prop_map(String::from),
        ]
    }

    proptest! {
        // About a fifth of the strings take the fast path, half of those
        // with a value changed.
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Whenever the scanner answers, it answers what lol_html does.
        #[test]
        fn the_scanner_agrees_with_lol_html(pieces in prop::collection::vec(piece(), 0..12)) {
            let html = pieces.concat();
            if let Some(fast) = scan(&html, &base()) {
                prop_assert_eq!(fast, rewrite_with_lol_html(&html, &base()), "{}", html);
            }
        }
    }
}

//! Markdown to HTML, with the extensions a commentary blog needs.
//!
//! pulldown-cmark parses the body into an event list (with byte offsets, so
//! problems can be reported at file lines); small passes then rewrite that
//! list in order: heading ids and anchors, relative URLs made site-absolute,
//! and the commentary extensions (cited quotes, inline updates) in
//! [`commentary`]. The summary is cut from the same events (at
//! `<!-- more -->`, else after the first paragraph), so list pages and feeds
//! never render a post twice.

mod body_html;
mod cache_file;
pub mod commentary;
mod footnotes;
pub mod highlight;
pub mod ids;
pub mod memo;
mod source;
mod text;

use std::collections::HashSet;
use std::ops::Range;

use pulldown_cmark::{CowStr, Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};

pub use body_html::BodyHtml;
pub use commentary::{CitedQuote, CommentaryContext, Findings, InlineUpdate};
pub use source::{Source, Sources};
use text::count_words;
pub(crate) use text::{first_words, plain_text};

/// The Markdown dialect: CommonMark plus GFM tables, footnotes,
/// strikethrough, task lists, smart punctuation and `{#id}` heading
/// attributes.
pub fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_GFM
}

/// Code points the HTML standard forbids in a document (C0 and C1
/// controls but tab and line breaks, and the noncharacters): a paste
/// from a terminal or a PDF brings them, and validators reject the page.
pub fn is_forbidden_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c as u32, 0xFDD0..=0xFDEF)
        || (c as u32 & 0xFFFE) == 0xFFFE
}

/// `text` without forbidden code points (borrowed when it has none). Every
/// file read and every feed value passes here, so the check reads bytes,
/// eight at a time where they are printable ASCII, and never decodes.
pub fn without_forbidden(text: &str) -> std::borrow::Cow<'_, str> {
    if !has_forbidden(text) {
        return std::borrow::Cow::Borrowed(text);
    }
    std::borrow::Cow::Owned(text.chars().filter(|c| !is_forbidden_char(*c)).collect())
}

/// Whether `text` holds a code point [`is_forbidden_char`] names, read off
/// its UTF-8 bytes: a C0 control but tab and line breaks, DEL, a C1
/// control (`C2 80`..`C2 9F`), U+FDD0..U+FDEF (`EF B7 90`..`EF B7 AF`) or a
/// code point ending in FFFE or FFFF (`EF BF BE`, `EF BF BF`, or the last
/// two bytes `BF BE`/`BF BF` of a four-byte one).
fn has_forbidden(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        // Sixteen bytes at a time while they are all printable ASCII;
        // else straight to the first byte that is not.
        if let Some(block) = bytes.get(i..).and_then(|b| b.first_chunk::<16>()) {
            let (a, b) = block.split_at(8);
            let a = unprintable_in(u64::from_le_bytes(a.try_into().unwrap_or([0; 8])));
            let b = unprintable_in(u64::from_le_bytes(b.try_into().unwrap_or([0; 8])));
            if a | b == 0 {
                i += 16;
                continue;
            }
            i += if a != 0 {
                a.trailing_zeros() / 8
            } else {
                8 + b.trailing_zeros() / 8
            } as usize;
        }
        let at = |k: usize| bytes.get(i + k).copied().unwrap_or(0);
        let b = bytes[i];
        let (forbidden, len) = match b {
            b'\t' | b'\n' | b'\r' => (false, 1),
            0x00..=0x1F | 0x7F => (true, 1),
            0x20..=0x7E => (false, 1),
            0xC2 => ((0x80..=0x9F).contains(&at(1)), 2),
            0xC0..=0xDF => (false, 2),
            0xEF => (
                (at(1) == 0xB7 && (0x90..=0xAF).contains(&at(2)))
                    || (at(1) == 0xBF && matches!(at(2), 0xBE | 0xBF)),
                3,
            ),
            0xE0..=0xEF => (false, 3),
            0xF0..=0xF7 => (at(2) == 0xBF && matches!(at(3), 0xBE | 0xBF), 4),
            // A continuation byte: never first in a code point of a &str.
            _ => (false, 1),
        };
        if forbidden {
            return true;
        }
        i += len;
    }
    false
}

/// The bytes of `x` (eight, the first lowest) that are not printable
/// ASCII, as their high bits: those with the high bit, below a space, or
/// DEL (which adding one carries into the high bit). A carry or borrow
/// crosses only from such a byte into the bytes above it, so the lowest
/// bit set is always the first such byte.
#[inline]
fn unprintable_in(x: u64) -> u64 {
    use text::{HIGH, ONES};
    (x | x.wrapping_add(ONES) | (x.wrapping_sub(0x20 * ONES) & !x)) & HIGH
}

/// Drops forbidden code points from the events. When the body has none
/// (every file read has been cleaned already), only text pulldown-cmark
/// made itself (an entity such as `&#1;` decoded) can hold one.
fn remove_forbidden_characters(body: &str, events: &mut [Spanned<'_>]) {
    let body_clean = !has_forbidden(body);
    let clean = |s: &mut CowStr<'_>| {
        if body_clean && matches!(s, CowStr::Borrowed(_)) {
            return;
        }
        if let std::borrow::Cow::Owned(c) = without_forbidden(s) {
            *s = CowStr::from(c);
        }
    };
    for (event, _) in events.iter_mut() {
        match event {
            Event::Text(t) | Event::Code(t) | Event::Html(t) | Event::InlineHtml(t) => clean(t),
            Event::Start(Tag::Link {
                dest_url, title, ..
            })
            | Event::Start(Tag::Image {
                dest_url, title, ..
            }) => {
                clean(dest_url);
                clean(title);
            }
            _ => {}
        }
    }
}

/// An HTML block that never ends (`<!--` without `-->`, `<script>`,
/// `<pre>`, `<style>` or `<textarea>` without its end tag) would swallow
/// the rest of every page the post is shown on, the footer and the older
/// posts of the home page with it: closed at the end of the post, with a
/// warning at its line.
fn close_swallowing_html(events: &mut Vec<Spanned<'_>>, problems: &mut Vec<MarkdownProblem>) {
    let mut i = 0;
    while i < events.len() {
        if !matches!(events[i].0, Event::Html(_)) {
            i += 1;
            continue;
        }
        let start = i;
        let mut block = String::new();
        while i < events.len() {
            match &events[i].0 {
                Event::Html(h) => block.push_str(h),
                _ => break,
            }
            i += 1;
        }
        let head = block.trim_start().to_ascii_lowercase();
        let closer = if head.starts_with("<!--") {
            (!head.contains("-->")).then_some(("-->", "an HTML comment `<!--`"))
        } else {
            ["script", "pre", "style", "textarea"]
                .iter()
                .find_map(|tag| {
                    let opens = head.starts_with(&format!("<{tag}"))
                        && head[1 + tag.len()..].starts_with([' ', '>', '\n', '\t', '/']);
                    (opens && !head.contains(&format!("</{tag}"))).then_some(match *tag {
                        "script" => ("</script>", "a `<script>` block"),
                        "pre" => ("</pre>", "a `<pre>` block"),
                        "style" => ("</style>", "a `<style>` block"),
                        _ => ("</textarea>", "a `<textarea>` block"),
                    })
                })
        };
        let Some((close, what)) = closer else {
            continue;
        };
        // A block that runs to the end of the post is the unclosed one.
        if !events[i..]
            .iter()
            .all(|(e, _)| matches!(e, Event::End(TagEnd::HtmlBlock)))
        {
            continue;
        }
        problems.push(MarkdownProblem {
            offset: events[start].1.start,
            message: format!(
                "{what} is never closed, so it would hide everything after it on every page that shows this post"
            ),
            hint: Some(format!("close it with `{close}`; it is closed at the end of the post for now")),
            warning: true,
        });
        let range = events[i - 1].1.end..events[i - 1].1.end;
        events.insert(i, (Event::Html(CowStr::from(format!("{close}\n"))), range));
        i += 1;
    }
}

/// GitHub's alerts (`> [!NOTE]`, tip, important, warning, caution) as a
/// labelled `aside`, not a quotation that starts with "[!NOTE]".
fn render_alerts(events: &mut [Spanned<'_>]) {
    use pulldown_cmark::BlockQuoteKind;
    let label = |kind: &BlockQuoteKind| match kind {
        BlockQuoteKind::Note => ("note", "Note"),
        BlockQuoteKind::Tip => ("tip", "Tip"),
        BlockQuoteKind::Important => ("important", "Important"),
        BlockQuoteKind::Warning => ("warning", "Warning"),
        BlockQuoteKind::Caution => ("caution", "Caution"),
    };
    for (event, _) in events.iter_mut() {
        match event {
            Event::Start(Tag::BlockQuote(Some(kind))) => {
                let (class, title) = label(kind);
                *event = Event::Html(CowStr::from(format!(
                    "<aside class=\"alert alert-{class}\" aria-label=\"{title}\">\n<p class=\"alert-title\">{title}</p>\n"
                )));
            }
            Event::End(TagEnd::BlockQuote(Some(_))) => {
                *event = Event::Html(CowStr::from("</aside>\n"));
            }
            _ => {}
        }
    }
}

/// A heading of the rendered body, for tables of contents.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Heading {
    pub level: u8,
    pub id: String,
    pub text: String,
    /// Whether the author wrote the id (`{#id}`).
    #[serde(skip)]
    pub explicit: bool,
    /// 1-based line and column of the heading in the body.
    #[serde(skip)]
    pub line: usize,
    #[serde(skip)]
    pub col: usize,
}

/// Ids the default theme's pages use, or their shapes (`fn-3`,
/// `comment-42`): a heading id made from text that equals one gets a
/// suffix. (An id the author wrote is kept, and `check` names any clash
/// with the ids of the theme in use.)
pub fn is_theme_id(id: &str) -> bool {
    const IDS: &[&str] = &[
        "main",
        "comments",
        "comments-title",
        "updates-title",
        "sources-title",
        "related-title",
        "mentions-title",
        "search-status",
        "search-results",
        "search-query",
        "footnotes-label",
    ];
    let numbered = |prefix: &str| {
        id.strip_prefix(prefix)
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
    };
    IDS.contains(&id)
        || numbered("fn-")
        || numbered("fnref-")
        || numbered("year-")
        || numbered("month-")
        || id.starts_with("comment-")
}

/// What rendering a body produces.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rendered {
    /// The body's HTML (see [`BodyHtml`] for when a build lets go of it).
    pub html: BodyHtml,
    /// The part before `<!-- more -->`, else the first paragraph.
    pub summary_html: String,
    /// Plain text of the summary, for descriptions and search excerpts.
    pub summary_text: String,
    /// True when the body holds more than the summary.
    pub has_more: bool,
    pub words: usize,
    /// Words inside block quotes.
    pub quoted_words: usize,
    pub headings: Vec<Heading>,
    /// Cited quotes, updates and source use found by the commentary passes.
    pub commentary: Findings,
    /// Every link and image URL (as resolved), with its 1-based line and
    /// column in the body, for `glossator check`.
    pub links: Vec<LinkRef>,
}

/// A link found in a body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkRef {
    pub url: String,
    pub line: usize,
    pub col: usize,
}

/// A problem in the body, at a byte offset of the body text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkdownProblem {
    pub offset: usize,
    pub message: String,
    pub hint: Option<String>,
    /// Warnings do not fail the build.
    pub warning: bool,
}

/// What the renderer needs to know about the page being rendered.
#[derive(Debug, Clone, Copy)]
pub struct RenderContext<'a> {
    /// The page's site path (`/2009/03/03/slug/`), against which relative
    /// links and images are resolved so they work on list pages too.
    pub page_path: &'a str,
    /// The site's sub-folder (`/blog` for `https://e.com/blog`), or empty:
    /// root-relative links and images in the text get it as a prefix.
    pub base_path: &'a str,
    /// Syntax-highlight fenced code with a language.
    pub highlight: bool,
    /// Without a `<!-- more -->` cut, use the whole body as the summary
    /// (short kinds: links, quotes, notes) instead of the first paragraph.
    pub whole_summary: bool,
    pub commentary: CommentaryContext<'a>,
}

pub(crate) type Spanned<'a> = (Event<'a>, Range<usize>);

/// Renders a Markdown body.
pub fn render(body: &str, ctx: &RenderContext<'_>) -> (Rendered, Vec<MarkdownProblem>) {
    let mut problems = Vec::new();
    let parser = Parser::new_with_broken_link_callback(
        body,
        options(),
        Some(commentary::source_reference_callback(&ctx.commentary)),
    );
    let mut events: Vec<Spanned<'_>> = parser.into_offset_iter().collect();
    let lines = crate::diagnostic::LineIndex::new(body);

    remove_forbidden_characters(body, &mut events);
    close_swallowing_html(&mut events, &mut problems);
    render_alerts(&mut events);

    resolve_relative_urls(&mut events, ctx.page_path);
    prefix_root_relative_urls(&mut events, ctx.base_path);
    let findings = commentary::apply(&mut events, &ctx.commentary, &mut problems);
    highlight_code(&mut events, ctx.highlight, &mut problems);
    let (words, quoted_words) = count_words(&events);
    let links = collect_links(&events, &lines);

    // The summary is cut before heading ids are added: a list page shows
    // many summaries, and their ids (and footnotes) must not collide.
    let (summary_html, summary_text, has_more) = match summary_cut(&events, ctx.whole_summary) {
        Some(cut) => {
            let summary: Vec<Event<'_>> =
                summary_events(&events[cut.start..cut.end], ctx.page_path);
            let mut html_out = String::new();
            html::push_html(&mut html_out, summary.iter().cloned());
            let text = plain_text(summary.iter());
            let rest_has_content = events[cut.end..].iter().any(|(e, _)| {
                !matches!(e, Event::SoftBreak | Event::HardBreak) && !is_more_marker(e)
            }) || cut.start > 0;
            (
                trimmed(html_out),
                trimmed(text),
                cut.explicit || rest_has_content,
            )
        }
        None => (String::new(), String::new(), false),
    };

    footnotes::gather_footnotes(&mut events);
    label_task_markers(&mut events);
    let headings = add_heading_ids(&mut events, &lines, &mut problems);

    let mut out = String::with_capacity(body.len() * 3 / 2);
    html::push_html(
        &mut out,
        events
            .iter()
            .filter(|(e, _)| !is_more_marker(e))
            .map(|(e, _)| e.clone()),
    );
    // `BodyHtml` keeps a copy of its own length.
    (
        Rendered {
            html: BodyHtml::new(out),
            summary_html,
            summary_text,
            has_more,
            words,
            quoted_words,
            headings,
            commentary: findings,
            links,
        },
        problems,
    )
}

/// `s` in an allocation of its own length, for text a post keeps for the
/// whole build (its summary, as HTML and as text). Grown by pushing, it
/// has up to as much room again as text; `shrink_to_fit` cannot return
/// that, as the allocator (mimalloc) keeps a block that shrinks by less
/// than half where it is. A copy of a few kilobytes is cheaper than 10,000
/// posts holding an extra quarter, on average, of every summary.
fn trimmed(s: String) -> String {
    if s.capacity() - s.len() > s.len() / 8 {
        return s.as_str().to_owned();
    }
    s
}

/// Renders a one-line note (an update's text) as inline HTML: Markdown
/// emphasis and links, no paragraph around it.
pub fn render_inline(text: &str) -> String {
    let mut out = String::new();
    html::push_html(
        &mut out,
        Parser::new_ext(text, options()).filter(|e| {
            !matches!(
                e,
                Event::Start(Tag::Paragraph) | Event::End(TagEnd::Paragraph)
            )
        }),
    );
    out.trim_end().to_string()
}

/// Renders each fenced code block as one HTML event, highlighted by
/// [`highlight`]; a language no grammar knows is shown plain, with a
/// warning at the fence.
fn highlight_code(
    events: &mut Vec<Spanned<'_>>,
    enabled: bool,
    problems: &mut Vec<MarkdownProblem>,
) {
    use pulldown_cmark::CodeBlockKind;
    if !events
        .iter()
        .any(|(e, _)| matches!(e, Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(_)))))
    {
        return;
    }
    let mut out = Vec::with_capacity(events.len());
    let mut i = 0;
    while i < events.len() {
        let (Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))), range) = &events[i] else {
            out.push(events[i].clone());
            i += 1;
            continue;
        };
        let mut code = String::new();
        let mut j = i + 1;
        while j < events.len() && !matches!(events[j].0, Event::End(TagEnd::CodeBlock)) {
            if let Event::Text(t) = &events[j].0 {
                code.push_str(t);
            }
            j += 1;
        }
        let fence = highlight::Fence::parse(info);
        let block = highlight::render_block(&code, &fence, enabled);
        if !block.known {
            problems.push(MarkdownProblem {
                offset: range.start,
                message: format!(
                    "no grammar knows the language `{}`; the code is shown as plain text",
                    fence.lang.as_deref().unwrap_or_default()
                ),
                hint: Some(
                    "use a common name (rust, python, js, bash, ...), or `text` for plain text"
                        .into(),
                ),
                warning: true,
            });
        }
        out.push((Event::Html(CowStr::from(block.html)), range.clone()));
        i = j + 1;
    }
    *events = out;
}

fn is_more_marker(event: &Event<'_>) -> bool {
    match event {
        Event::Html(h) | Event::InlineHtml(h) => {
            let mut rest = h.trim();
            let mut expect = |part: &str| match rest.get(..part.len()) {
                Some(head) if head.eq_ignore_ascii_case(part) => {
                    rest = rest[part.len()..].trim_start();
                    true
                }
                _ => false,
            };
            expect("<!--") && expect("more") && expect("-->") && rest.is_empty()
        }
        _ => false,
    }
}

struct Cut {
    /// Index of the summary's first event.
    start: usize,
    /// Index one past the summary's last event.
    end: usize,
    explicit: bool,
}

/// Where the summary ends: at a top-level `<!-- more -->`, else after the
/// first top-level paragraph (and the quotation right after it, if any).
fn summary_cut(events: &[Spanned<'_>], whole: bool) -> Option<Cut> {
    let mut depth = 0usize;
    let mut first_paragraph: Option<(usize, usize)> = None;
    let mut paragraph_start = 0;
    for (i, (event, _)) in events.iter().enumerate() {
        match event {
            Event::Start(tag) => {
                if depth == 0 && *tag == Tag::Paragraph {
                    paragraph_start = i;
                }
                depth += 1;
            }
            Event::End(end) => {
                depth = depth.saturating_sub(1);
                if depth == 0 && first_paragraph.is_none() && *end == TagEnd::Paragraph {
                    first_paragraph = Some((paragraph_start, i + 1));
                }
            }
            e if is_more_marker(e) => {
                // Inside a block, cut after the enclosing top-level block.
                let end = if depth == 0 {
                    i
                } else {
                    let mut d = depth;
                    let mut j = i + 1;
                    while j < events.len() && d > 0 {
                        match &events[j].0 {
                            Event::Start(_) => d += 1,
                            Event::End(_) => d -= 1,
                            _ => {}
                        }
                        j += 1;
                    }
                    j
                };
                return Some(Cut {
                    start: 0,
                    end,
                    explicit: true,
                });
            }
            _ => {}
        }
    }
    if whole {
        return (!events.is_empty()).then_some(Cut {
            start: 0,
            end: events.len(),
            explicit: false,
        });
    }
    first_paragraph.map(|(start, end)| Cut {
        start,
        end: quote_after(events, end).unwrap_or(end),
        explicit: false,
    })
}

/// When the lead paragraph is followed by a quotation (the commentary
/// shape: "…has the story:" then the quote), the teaser keeps the quote:
/// gives the index one past its end.
fn quote_after(events: &[Spanned<'_>], at: usize) -> Option<usize> {
    let mut i = at;
    // Only blank text may sit between the paragraph and the quote.
    while let Some((Event::SoftBreak | Event::HardBreak, _)) = events.get(i) {
        i += 1;
    }
    // An attributed quote is a figure by now (see `commentary`).
    let is_figure_open =
        |e: &Event<'_>| matches!(e, Event::Html(h) if h.starts_with("<figure class=\"quote"));
    if events.get(i).is_some_and(|(e, _)| is_figure_open(e)) {
        let mut depth = 0usize;
        for (j, (event, _)) in events.iter().enumerate().skip(i) {
            if is_figure_open(event) {
                depth += 1;
            } else if matches!(event, Event::Html(h) if h.ends_with("</figure>\n")) {
                depth -= 1;
                if depth == 0 {
                    return Some(j + 1);
                }
            }
        }
        return None;
    }
    if !matches!(events.get(i), Some((Event::Start(Tag::BlockQuote(_)), _))) {
        return None;
    }
    let mut depth = 0usize;
    for (j, (event, _)) in events.iter().enumerate().skip(i) {
        match event {
            Event::Start(_) => depth += 1,
            Event::End(_) => {
                depth -= 1;
                if depth == 0 {
                    return Some(j + 1);
                }
            }
            _ => {}
        }
    }
    None
}

/// The events of a summary as shown on list pages: no heading ids, no
/// footnotes, no cut marker, fragment links pointing at the post.
fn summary_events<'a>(events: &[Spanned<'a>], page_path: &str) -> Vec<Event<'a>> {
    let mut out = Vec::with_capacity(events.len());
    let mut in_footnote = 0usize;
    for (event, _) in events {
        match event {
            Event::Start(Tag::FootnoteDefinition(_)) => in_footnote += 1,
            Event::End(TagEnd::FootnoteDefinition) => in_footnote = in_footnote.saturating_sub(1),
            _ if in_footnote > 0 => {}
            Event::FootnoteReference(_) => {}
            e if is_more_marker(e) => {}
            Event::Start(Tag::Heading { level, .. }) => out.push(Event::Start(Tag::Heading {
                level: *level,
                id: None,
                classes: Vec::new(),
                attrs: Vec::new(),
            })),
            e => out.push(fragment_links_to_page(e.clone(), page_path)),
        }
    }
    out
}

/// Task list checkboxes get an accessible name (a bare disabled checkbox
/// has none, which screen readers announce as an unlabeled control).
fn label_task_markers(events: &mut [Spanned<'_>]) {
    for (event, _) in events.iter_mut() {
        if let Event::TaskListMarker(done) = event {
            let html = if *done {
                "<input type=\"checkbox\" disabled checked aria-label=\"Done\"> "
            } else {
                "<input type=\"checkbox\" disabled aria-label=\"Not done\"> "
            };
            *event = Event::InlineHtml(CowStr::from(html));
        }
    }
}

/// Gives every heading an id (its own `{#id}`, else a slug of its text,
/// made unique) and wraps its text in a self-link, unless it holds a link.
/// Ids the author wrote are kept as written (imported posts keep their old
/// anchors): ids made from text step aside for them and for the theme's.
fn add_heading_ids(
    events: &mut [Spanned<'_>],
    lines: &crate::diagnostic::LineIndex<'_>,
    problems: &mut Vec<MarkdownProblem>,
) -> Vec<Heading> {
    let mut used: HashSet<String> = HashSet::new();
    let mut next_suffix: std::collections::HashMap<String, usize> =
        std::collections::HashMap::new();
    let written: HashSet<String> = events
        .iter()
        .filter_map(|(e, _)| match e {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    let mut headings = Vec::new();
    let mut i = 0;
    while i < events.len() {
        let Event::Start(Tag::Heading {
            level,
            id,
            classes,
            attrs,
        }) = &events[i].0
        else {
            i += 1;
            continue;
        };
        let (level, explicit_id, classes, mut attrs) =
            (*level, id.clone(), classes.clone(), attrs.clone());
        let explicit = explicit_id.is_some();
        // `{#has space}` reads as the id `has` and a bare attribute `space`.
        if let Some(id) = &explicit_id
            && attrs.iter().any(|(_, v)| v.is_none())
        {
            let words: Vec<&str> = attrs
                .iter()
                .filter(|(_, v)| v.is_none())
                .map(|(k, _)| k.as_ref())
                .collect();
            problems.push(MarkdownProblem {
                offset: events[i].1.start,
                message: format!(
                    "the heading id `{id} {}` has a space; ids are one word",
                    words.join(" ")
                ),
                hint: Some(format!("write {{#{id}-{}}}", words.join("-"))),
                warning: false,
            });
            attrs.retain(|(_, v)| v.is_some());
        }
        let end = (i + 1..events.len())
            .find(|&j| matches!(events[j].0, Event::End(TagEnd::Heading(_))))
            .unwrap_or(events.len());
        let inner = &events[i + 1..end];
        let text = plain_text(inner.iter().map(|(e, _)| e));
        let has_link = inner
            .iter()
            .any(|(e, _)| matches!(e, Event::Start(Tag::Link { .. })));
        let base = match explicit_id {
            Some(id) => id.to_string(),
            None => {
                let s = slug::slugify(&text);
                if s.is_empty() {
                    "section".to_string()
                } else {
                    s
                }
            }
        };
        // A generated id in a numbered theme namespace (`comment-...`,
        // `year-2019`, `fn-1`) stays in it whatever suffix it gets, so it
        // moves out of it instead.
        let base = if !explicit && is_theme_id(&base) && is_theme_id(&format!("{base}-1")) {
            format!("section-{base}")
        } else {
            base
        };
        let mut id = base.clone();
        // Suffixes below the last one given for this base are all taken
        // (ids are only ever added), so the search resumes there: a post
        // of 10,000 headings called "Example" stays linear.
        let mut n = next_suffix.get(&base).copied().unwrap_or(1);
        let mut first = true;
        let taken = |id: &str, used: &HashSet<String>| {
            used.contains(id) || (!explicit && (written.contains(id) || is_theme_id(id)))
        };
        while taken(&id, &used) {
            if explicit && first {
                first = false;
                problems.push(MarkdownProblem {
                    offset: events[i].1.start,
                    message: format!("the heading id `{id}` is used twice in this post"),
                    hint: Some(
                        "links to it reach only the first; give each heading its own id".into(),
                    ),
                    warning: true,
                });
            }
            id = format!("{base}-{n}");
            n += 1;
        }
        if id != base {
            next_suffix.insert(base, n);
        }
        used.insert(id.clone());
        let level_n = heading_level(level);
        let mut open = format!("<h{level_n} id=\"{}\"", escape_attr(&id));
        if !classes.is_empty() {
            let classes: Vec<&str> = classes.iter().map(|c| c.as_ref()).collect();
            open.push_str(&format!(" class=\"{}\"", escape_attr(&classes.join(" "))));
        }
        for (name, value) in &attrs {
            open.push_str(&format!(
                " {}=\"{}\"",
                escape_attr(name),
                escape_attr(value.as_deref().unwrap_or(""))
            ));
        }
        open.push('>');
        let close = if has_link {
            format!("</h{level_n}>\n")
        } else {
            open.push_str(&format!(
                "<a class=\"anchor\" href=\"#{}\">",
                escape_attr(&id)
            ));
            format!("</a></h{level_n}>\n")
        };
        let range = events[i].1.clone();
        let (line, col) = lines.line_col(range.start);
        events[i] = (Event::Html(CowStr::from(open)), range.clone());
        if end < events.len() {
            events[end] = (Event::Html(CowStr::from(close)), range);
        }
        headings.push(Heading {
            level: level_n,
            id,
            text,
            explicit,
            line,
            col,
        });
        i = end + 1;
    }
    headings
}

fn heading_level(level: HeadingLevel) -> u8 {
    match level {
        HeadingLevel::H1 => 1,
        HeadingLevel::H2 => 2,
        HeadingLevel::H3 => 3,
        HeadingLevel::H4 => 4,
        HeadingLevel::H5 => 5,
        HeadingLevel::H6 => 6,
    }
}

fn collect_links(events: &[Spanned<'_>], lines: &crate::diagnostic::LineIndex<'_>) -> Vec<LinkRef> {
    events
        .iter()
        .filter_map(|(e, range)| match e {
            Event::Start(
                Tag::Link {
                    link_type,
                    dest_url,
                    ..
                }
                | Tag::Image {
                    link_type,
                    dest_url,
                    ..
                },
            ) => {
                let (line, col) = lines.line_col(range.start);
                let url = if *link_type == pulldown_cmark::LinkType::Email {
                    format!("mailto:{dest_url}")
                } else {
                    dest_url.to_string()
                };
                Some(LinkRef { url, line, col })
            }
            _ => None,
        })
        .collect()
}

/// True for URLs that name their own scheme or host, or are fragments,
/// site-absolute paths, or otherwise not relative to the page.
pub fn is_relative_url(url: &str) -> bool {
    !(url.is_empty()
        || url.starts_with('/')
        || url.starts_with('#')
        || url.starts_with('?')
        || has_scheme(url))
}

fn has_scheme(url: &str) -> bool {
    match url.find(':') {
        Some(i) => {
            let scheme = &url[..i];
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
                && !url[..i].contains('/')
        }
        None => false,
    }
}

/// `photo.jpg` in a post at `/2009/03/03/x/` becomes `/2009/03/03/x/photo.jpg`.
fn resolve_relative_urls(events: &mut [Spanned<'_>], page_path: &str) {
    if page_path.is_empty() {
        return;
    }
    for (event, _) in events.iter_mut() {
        if let Event::Start(
            Tag::Link {
                link_type, dest_url, ..
            }
            | Tag::Image {
                link_type, dest_url, ..
            },
        ) = event
            // `<a@b.example>`: the renderer adds `mailto:` itself.
            && *link_type != pulldown_cmark::LinkType::Email
            && is_relative_url(dest_url)
        {
            let joined = format!("{page_path}{}", dest_url.trim_start_matches("./"));
            *dest_url = CowStr::from(joined);
        }
    }
}

/// A root-relative URL (`/about/`) on a site served from a sub-folder
/// needs the sub-folder in front; one that already has it is left alone.
fn with_base_path(url: &str, base_path: &str) -> Option<String> {
    let is_root_relative = url.starts_with('/') && !url.starts_with("//");
    let has_prefix = url == base_path
        || url
            .strip_prefix(base_path)
            .is_some_and(|rest| rest.starts_with(['/', '?', '#']));
    (is_root_relative && !has_prefix).then(|| format!("{base_path}{url}"))
}

/// Prefixes root-relative links and images with the site's sub-folder, in
/// Markdown and in raw HTML (rewritten with lol_html, only when a raw HTML
/// event holds such an attribute).
fn prefix_root_relative_urls(events: &mut [Spanned<'_>], base_path: &str) {
    if base_path.is_empty() {
        return;
    }
    for (event, _) in events.iter_mut() {
        match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => {
                if let Some(url) = with_base_path(dest_url, base_path) {
                    *dest_url = CowStr::from(url);
                }
            }
            Event::Html(html) | Event::InlineHtml(html)
                if html.contains("=\"/") || html.contains("='/") || html.contains("=/") =>
            {
                if let Some(rewritten) = prefix_raw_html(html, base_path) {
                    *html = CowStr::from(rewritten);
                }
            }
            _ => {}
        }
    }
}

fn prefix_raw_html(html: &str, base_path: &str) -> Option<String> {
    use lol_html::{RewriteStrSettings, element, rewrite_str};
    let mut settings = RewriteStrSettings::new();
    for attr in ["href", "src", "poster"] {
        let selector = format!("[{attr}]");
        settings = settings.append_element_content_handler(element!(selector, move |el| {
            if let Some(value) = el.get_attribute(attr)
                && let Some(url) = with_base_path(value.trim(), base_path)
            {
                el.set_attribute(attr, &url)?;
            }
            Ok(())
        }));
    }
    rewrite_str(html, settings).ok()
}

/// In a summary shown on another page, `#note` must point back at the post.
fn fragment_links_to_page<'a>(event: Event<'a>, page_path: &str) -> Event<'a> {
    match event {
        Event::Start(Tag::Link {
            link_type,
            dest_url,
            title,
            id,
        }) if dest_url.starts_with('#') && !page_path.is_empty() => Event::Start(Tag::Link {
            link_type,
            dest_url: CowStr::from(format!("{page_path}{dest_url}")),
            title,
            id,
        }),
        other => other,
    }
}

/// Escapes text for an HTML attribute value.
pub fn escape_attr(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html(&mut out, text).ok();
    out
}

/// Escapes text for HTML element content.
pub fn escape_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    pulldown_cmark_escape::escape_html_body_text(&mut out, text).ok();
    out
}

#[cfg(test)]
mod tests;

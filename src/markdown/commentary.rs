//! The commentary extensions: sources, cited quotes and inline updates.
//!
//! All three are written in plain Markdown and degrade gracefully in other
//! tools:
//!
//! - `[nyt]` anywhere names a declared source (`[sources.nyt]`) and links to
//!   it. pulldown-cmark hands us such unresolved references through its
//!   broken-link callback; we mark them with a private URL scheme and
//!   resolve them here.
//! - A block quote whose last paragraph starts with an em dash (`—`, or
//!   `--`, which smart punctuation turns into `–`) is attributed: it becomes
//!   `<figure class="quote h-cite">` with the blockquote's `cite` set and a
//!   `<figcaption>` built from the declared source or the inline credit.
//! - `[UPDATE: text]` and `[UPDATE 2009-03-03 14:10: text]` become
//!   `<ins class="update">`, with a `datetime` when the time is given; a
//!   paragraph opening `**UPDATE:**` becomes an update block.
//!
//! The HTML is built here rather than in templates because it sits inside
//! the post body; themes style it through its classes.

use std::collections::BTreeSet;

use jiff::ZonedDateTime;
use jiff::tz::TimeZone;
use pulldown_cmark::{BrokenLink, CowStr, Event, Tag, TagEnd, html};

use super::{MarkdownProblem, Spanned, escape_attr, escape_text, plain_text};
use super::{Source, Sources};
use crate::date::parse_date;

/// The private scheme marking a reference to a declared source.
const SOURCE_SCHEME: &str = "glossator-source:";

/// What the commentary passes need to know.
#[derive(Debug, Clone, Copy)]
pub struct CommentaryContext<'a> {
    pub sources: &'a Sources,
    pub timezone: &'a TimeZone,
    /// The post's day: an update made that day is marked with its time
    /// alone.
    pub day: Option<jiff::civil::Date>,
}

/// A quote with an attribution, as found in the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CitedQuote {
    /// The declared source it names, if any.
    pub source: Option<String>,
    /// Who said it, when known.
    pub author: Option<String>,
    pub url: Option<String>,
    /// Byte offset of the attribution line in the body.
    pub offset: usize,
    /// Byte offset of the quote's first line in the body.
    pub start: usize,
    /// The quoted words, as plain text (the attribution left out).
    pub text: String,
}

/// An inline `[UPDATE ...]`.
#[derive(Debug, Clone, PartialEq)]
pub struct InlineUpdate {
    pub at: Option<ZonedDateTime>,
    pub offset: usize,
}

/// What the passes found, besides the rewritten events.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Findings {
    pub quotes: Vec<CitedQuote>,
    pub inline_updates: Vec<InlineUpdate>,
    /// Every declared source named anywhere in the body.
    pub sources_used: BTreeSet<String>,
    /// `[id]` in an attribution naming no declared source: (id, offset).
    pub unknown_sources: Vec<(String, usize)>,
}

/// The broken-link callback: `[id]` naming a declared source becomes a
/// link to `glossator-source:id`; anything else stays text.
pub fn source_reference_callback<'a>(
    ctx: &CommentaryContext<'a>,
) -> impl FnMut(BrokenLink<'_>) -> Option<(CowStr<'a>, CowStr<'a>)> + 'a {
    let sources = ctx.sources;
    move |link: BrokenLink<'_>| {
        let id = link.reference.trim();
        sources.contains_key(id).then(|| {
            (
                CowStr::from(format!("{SOURCE_SCHEME}{id}")),
                CowStr::from(""),
            )
        })
    }
}

/// Runs the passes, in order.
pub fn apply(
    events: &mut Vec<Spanned<'_>>,
    ctx: &CommentaryContext<'_>,
    problems: &mut Vec<MarkdownProblem>,
) -> Findings {
    let mut findings = Findings::default();
    merge_text(events);
    cite_quotes(events, ctx, &mut findings);
    resolve_source_links(events, ctx, &mut findings);
    mark_inline_updates(events, ctx, &mut findings, problems);
    mark_update_blocks(events, ctx, &mut findings, problems);
    findings
}

/// Joins adjacent text events so patterns split by the parser (`[`,
/// `UPDATE: x`, `]`) can be matched in one piece.
fn merge_text(events: &mut Vec<Spanned<'_>>) {
    let mut out: Vec<Spanned<'_>> = Vec::with_capacity(events.len());
    for (event, range) in events.drain(..) {
        if let (Event::Text(t), Some((Event::Text(prev), prev_range))) = (&event, out.last_mut()) {
            let mut joined = String::with_capacity(prev.len() + t.len());
            joined.push_str(prev);
            joined.push_str(t);
            *prev = CowStr::from(joined);
            prev_range.end = range.end;
            continue;
        }
        out.push((event, range));
    }
    *events = out;
}

/// The dash that starts an attribution, and its length in bytes.
fn attribution_dash(text: &str) -> Option<usize> {
    let t = text.trim_start();
    let lead = text.len() - t.len();
    ["—", "–", "--", "―"]
        .iter()
        .find(|d| t.starts_with(**d))
        .map(|d| lead + d.len())
}

fn source_id(url: &str) -> Option<&str> {
    url.strip_prefix(SOURCE_SCHEME)
}

/// Finds the index of the end matching the block quote started at `start`.
fn matching_quote_end(events: &[Spanned<'_>], start: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (j, (event, _)) in events.iter().enumerate().skip(start) {
        match event {
            Event::Start(Tag::BlockQuote(_)) => depth += 1,
            Event::End(TagEnd::BlockQuote(_)) => {
                depth -= 1;
                if depth == 0 {
                    return Some(j);
                }
            }
            _ => {}
        }
    }
    None
}

/// Turns attributed block quotes into cited figures, innermost first.
fn cite_quotes(
    events: &mut Vec<Spanned<'_>>,
    ctx: &CommentaryContext<'_>,
    findings: &mut Findings,
) {
    let mut i = events.len();
    while i > 0 {
        i -= 1;
        if !matches!(events[i].0, Event::Start(Tag::BlockQuote(_))) {
            continue;
        }
        let Some(end) = matching_quote_end(events, i) else {
            continue;
        };
        // The last block inside must be a paragraph starting with a dash.
        if end < 2 || !matches!(events[end - 1].0, Event::End(TagEnd::Paragraph)) {
            continue;
        }
        let Some(para_start) = (i + 1..end - 1)
            .rev()
            .find(|&k| matches!(events[k].0, Event::Start(Tag::Paragraph)))
        else {
            continue;
        };
        // A paragraph nested deeper (in a list) is not the quote's last block.
        if events[para_start + 1..end - 1]
            .iter()
            .any(|(e, _)| matches!(e, Event::Start(Tag::Paragraph)))
        {
            continue;
        }
        let Some((Event::Text(first), _)) = events.get(para_start + 1) else {
            continue;
        };
        let Some(dash_len) = attribution_dash(first) else {
            continue;
        };
        if para_start == i + 1 {
            // Only an attribution and nothing quoted: leave it alone.
            continue;
        }
        let offset = events[para_start].1.start;
        let mut credit: Vec<Event<'_>> = events[para_start + 1..end - 1]
            .iter()
            .map(|(e, _)| e.clone())
            .collect();
        let rest = first[dash_len..].trim_start().to_string();
        credit[0] = Event::Text(CowStr::from(rest));
        if matches!(credit.first(), Some(Event::Text(t)) if t.is_empty()) {
            credit.remove(0);
        }
        let caption = build_caption(&credit, ctx, offset, findings);
        let cite_attr = caption
            .url
            .as_deref()
            .map(|u| format!(" cite=\"{}\"", escape_attr(u)))
            .unwrap_or_default();
        let open = format!(
            "<figure class=\"quote h-cite\">\n<blockquote class=\"e-content\"{cite_attr}>\n"
        );
        let close = format!(
            "</blockquote>\n<figcaption>— <cite>{}</cite>{}</figcaption>\n</figure>\n",
            caption.cite_html, caption.after_html
        );
        let quoted_text = plain_text(events[i + 1..para_start].iter().map(|(e, _)| e));
        let range_open = events[i].1.clone();
        let quote_start = range_open.start;
        let range_close = events[end].1.clone();
        events.splice(
            para_start..=end,
            [(Event::Html(CowStr::from(close)), range_close)],
        );
        events[i] = (Event::Html(CowStr::from(open)), range_open);
        findings.quotes.push(CitedQuote {
            source: caption.source,
            author: caption.author,
            url: caption.url,
            offset,
            start: quote_start,
            text: quoted_text,
        });
    }
    findings.quotes.reverse();
}

struct Caption {
    cite_html: String,
    after_html: String,
    url: Option<String>,
    author: Option<String>,
    source: Option<String>,
}

fn format_day(d: &ZonedDateTime) -> String {
    d.strftime("%B %-d, %Y").to_string()
}

fn format_minute(d: &ZonedDateTime) -> String {
    d.strftime("%B %-d, %Y, %H:%M").to_string()
}

fn time_html(class: &str, d: &ZonedDateTime, text: &str) -> String {
    let class_attr = if class.is_empty() {
        String::new()
    } else {
        format!(" class=\"{class}\"")
    };
    format!(
        "<time{class_attr} datetime=\"{}\">{}</time>",
        d.timestamp(),
        escape_text(text)
    )
}

/// The figcaption's content: from a declared source when the credit names
/// one, else from the credit as written.
fn build_caption(
    credit: &[Event<'_>],
    ctx: &CommentaryContext<'_>,
    offset: usize,
    findings: &mut Findings,
) -> Caption {
    // `— [id]`: the credit is (mostly) a link to a declared source.
    let named = credit.iter().find_map(|e| match e {
        Event::Start(Tag::Link { dest_url, .. }) => source_id(dest_url).map(String::from),
        _ => None,
    });
    if let Some(id) = named
        && let Some(source) = ctx.sources.get(&id)
    {
        findings.sources_used.insert(id.clone());
        // Text after the source reference (", updated version") is kept.
        let link_end = credit
            .iter()
            .position(|e| matches!(e, Event::End(TagEnd::Link)));
        let trailing = link_end.map(|k| &credit[k + 1..]).unwrap_or(&[]);
        let mut trailing_html = String::new();
        html::push_html(&mut trailing_html, trailing.iter().cloned());
        return source_caption(source, &trailing_html);
    }
    // `— [nty]` naming nothing declared: note it, render the text as is.
    if let [Event::Text(t)] = credit {
        let t = t.trim();
        if let Some(inner) = t.strip_prefix('[').and_then(|r| r.strip_suffix(']'))
            && !inner.is_empty()
            && !inner.contains(char::is_whitespace)
        {
            findings.unknown_sources.push((inner.to_string(), offset));
        }
    }
    inline_caption(credit)
}

fn source_caption(s: &Source, trailing_html: &str) -> Caption {
    let mut parts = Vec::new();
    if let Some(author) = &s.author {
        parts.push(format!(
            "<span class=\"p-author h-card\">{}</span>",
            escape_text(author)
        ));
    }
    let name = s
        .title
        .as_deref()
        .or(s.publication.as_deref())
        .unwrap_or(&s.id);
    // An article's title is set in quotation marks, a publication's name
    // in italics (one citation style: captions and the Sources list).
    let name_class = if s.title.is_some() {
        "source-title"
    } else {
        "source-publication"
    };
    let name_html = match &s.url {
        Some(url) => format!(
            "<a class=\"u-url p-name {name_class}\" href=\"{}\">{}</a>",
            escape_attr(url),
            escape_text(name)
        ),
        None => format!(
            "<span class=\"p-name {name_class}\">{}</span>",
            escape_text(name)
        ),
    };
    parts.push(name_html);
    if s.title.is_some()
        && let Some(publication) = &s.publication
    {
        parts.push(format!(
            "<span class=\"p-publication\">{}</span>",
            escape_text(publication)
        ));
    }
    if let Some(date) = &s.date {
        parts.push(time_html("dt-published", date, &format_day(date)));
    }
    let mut cite_html = parts.join(", ");
    cite_html.push_str(
        trailing_html
            .trim_end()
            .trim_start_matches("<p>")
            .trim_end_matches("</p>"),
    );
    let mut after = String::new();
    if let Some(retrieved) = &s.retrieved {
        after.push_str(&format!(
            " <span class=\"retrieved\">(as read {})</span>",
            time_html(
                "",
                retrieved,
                &retrieved.strftime("%B %-d, %Y, %H:%M %Z").to_string()
            )
        ));
    }
    if let Some(archive) = &s.archive {
        after.push_str(&format!(
            " <a class=\"archive\" href=\"{}\">archived copy</a>",
            escape_attr(archive)
        ));
    }
    Caption {
        cite_html,
        after_html: after,
        url: s.url.clone(),
        author: s.author.clone().or_else(|| s.publication.clone()),
        source: Some(s.id.clone()),
    }
}

/// `— Peter Baker, [The New York Times](https://...)`: the part before the
/// first comma is the author, the rest names the work; the first link's
/// URL is the quote's `cite`.
fn inline_caption(credit: &[Event<'_>]) -> Caption {
    let url = credit.iter().find_map(|e| match e {
        Event::Start(Tag::Link { dest_url, .. }) => Some(dest_url.to_string()),
        _ => None,
    });
    // Find a ", " in top-level text: (event index, byte position, text).
    let mut depth = 0usize;
    let mut split: Option<(usize, usize, String)> = None;
    for (k, e) in credit.iter().enumerate() {
        match e {
            Event::Start(_) => depth += 1,
            Event::End(_) => depth = depth.saturating_sub(1),
            Event::Text(t) if depth == 0 => {
                if let Some(p) = t.find(", ") {
                    split = Some((k, p, t.to_string()));
                    break;
                }
            }
            _ => {}
        }
    }
    let linked = |events: &[Event<'_>]| -> String {
        let mut out = String::new();
        html::push_html(
            &mut out,
            events.iter().map(|e| match e {
                Event::Start(Tag::Link {
                    dest_url, title, ..
                }) => {
                    let title_attr = if title.is_empty() {
                        String::new()
                    } else {
                        format!(" title=\"{}\"", escape_attr(title))
                    };
                    Event::InlineHtml(CowStr::from(format!(
                        "<a class=\"u-url p-name\" href=\"{}\"{title_attr}>",
                        escape_attr(dest_url)
                    )))
                }
                Event::End(TagEnd::Link) => Event::InlineHtml(CowStr::from("</a>")),
                other => other.clone(),
            }),
        );
        out
    };
    if let Some((k, p, t)) = split {
        let mut author: Vec<Event<'_>> = credit[..k].to_vec();
        author.push(Event::Text(CowStr::from(t[..p].to_string())));
        let mut work: Vec<Event<'_>> = vec![Event::Text(CowStr::from(t[p + 2..].to_string()))];
        work.extend(credit[k + 1..].iter().cloned());
        let has_link = work
            .iter()
            .any(|e| matches!(e, Event::Start(Tag::Link { .. })));
        let work_html = linked(&work);
        let work_html = if has_link {
            work_html
        } else {
            format!("<span class=\"p-name\">{work_html}</span>")
        };
        return Caption {
            cite_html: format!(
                "<span class=\"p-author h-card\">{}</span>, {work_html}",
                linked(&author)
            ),
            after_html: String::new(),
            url,
            author: Some(plain_text(author.iter())),
            source: None,
        };
    }
    let has_link = credit
        .iter()
        .any(|e| matches!(e, Event::Start(Tag::Link { .. })));
    let cite_html = if has_link {
        linked(credit)
    } else {
        format!("<span class=\"p-author h-card\">{}</span>", linked(credit))
    };
    Caption {
        cite_html,
        after_html: String::new(),
        url,
        author: (!has_link).then(|| plain_text(credit.iter())),
        source: None,
    }
}

/// `[id]` outside attributions links to the source's URL (or becomes
/// plain text when the source has none).
fn resolve_source_links(
    events: &mut [Spanned<'_>],
    ctx: &CommentaryContext<'_>,
    findings: &mut Findings,
) {
    let mut unwrap_next_end = Vec::new();
    for (event, _) in events.iter_mut() {
        match event {
            Event::Start(Tag::Link { dest_url, .. }) => {
                let Some(id) = source_id(dest_url).map(String::from) else {
                    unwrap_next_end.push(false);
                    continue;
                };
                findings.sources_used.insert(id.clone());
                match ctx.sources.get(&id).and_then(|s| s.url.clone()) {
                    Some(url) => {
                        *dest_url = CowStr::from(url);
                        unwrap_next_end.push(false);
                    }
                    None => {
                        *event = Event::Html(CowStr::from(""));
                        unwrap_next_end.push(true);
                    }
                }
            }
            Event::End(TagEnd::Link) => {
                // Every link end pops, whether or not it is unwrapped.
                let unwrapped = unwrap_next_end.pop() == Some(true);
                if unwrapped {
                    *event = Event::Html(CowStr::from(""));
                }
            }
            _ => {}
        }
    }
}

/// Parses the head of an update: `UPDATE:` or `UPDATE 2009-03-03 14:10:`
/// (case-insensitive), returning the date text and the head's length.
fn parse_update_head(text: &str) -> Option<(Option<&str>, usize)> {
    let word = text.get(..6)?;
    if !word.eq_ignore_ascii_case("update") {
        return None;
    }
    let rest = &text[6..];
    if let Some(after) = rest.strip_prefix(':') {
        return Some((None, 6 + 1 + (after.len() - after.trim_start().len())));
    }
    let dated = rest.strip_prefix(' ')?;
    let colon = dated.find(": ")?;
    let date = dated[..colon].trim();
    if date.is_empty() || !date.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    Some((Some(date), 6 + 1 + colon + 2))
}

fn update_open(at: Option<&ZonedDateTime>, ctx: &CommentaryContext<'_>) -> String {
    match at {
        Some(d) => format!(
            "<ins class=\"update\" datetime=\"{}\"><span class=\"update-label\">Update, {}:</span> ",
            d.timestamp(),
            if ctx.day == Some(d.with_time_zone(ctx.timezone.clone()).date()) {
                time_html("", d, &d.strftime("%H:%M").to_string())
            } else {
                time_html("", d, &format_minute(d))
            }
        ),
        None => "<ins class=\"update\"><span class=\"update-label\">Update:</span> ".to_string(),
    }
}

/// Reads an update's date. A date that does not parse (`UPDATE
/// 12/30/2012:` in an old post) is a warning, and `Err` tells the caller
/// to leave the marker as the text it is.
fn update_date(
    date: Option<&str>,
    ctx: &CommentaryContext<'_>,
    offset: usize,
    problems: &mut Vec<MarkdownProblem>,
) -> Result<Option<ZonedDateTime>, ()> {
    let Some(text) = date else {
        return Ok(None);
    };
    match parse_date(text, ctx.timezone) {
        Ok(d) => Ok(Some(d)),
        Err(_) => {
            problems.push(MarkdownProblem {
                offset,
                message: format!(
                    "the update marker's date `{text}` is not a date glossator reads: left as text"
                ),
                hint: Some(
                    "to mark it as an update, write [UPDATE 2009-03-03 14:10: text] or [UPDATE: text]"
                        .into(),
                ),
                warning: true,
            });
            Err(())
        }
    }
}

/// `[UPDATE ...: text]` → `<ins class="update">`.
fn mark_inline_updates(
    events: &mut Vec<Spanned<'_>>,
    ctx: &CommentaryContext<'_>,
    findings: &mut Findings,
    problems: &mut Vec<MarkdownProblem>,
) {
    let mut i = 0;
    let mut in_code = false;
    while i < events.len() {
        match &events[i].0 {
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            _ => {}
        }
        let Event::Text(text) = &events[i].0 else {
            i += 1;
            continue;
        };
        if in_code {
            i += 1;
            continue;
        }
        // Most text has no update in it: look (with memchr, as this reads
        // every byte of every body's prose) before copying it.
        let Some((open_at, date, head_len)) =
            memchr::memchr_iter(b'[', text.as_bytes()).find_map(|p| {
                parse_update_head(&text[p + 1..]).map(|(d, len)| (p, d.map(String::from), len))
            })
        else {
            i += 1;
            continue;
        };
        let text = text.to_string();
        let range = events[i].1.clone();
        let body_start = open_at + 1 + head_len;
        // The closing bracket: in this text, or later at the same depth.
        let close = if let Some(c) = text[body_start..].find(']') {
            Some((i, body_start + c))
        } else {
            let mut depth = 0i32;
            let mut found = None;
            for (j, (e, _)) in events.iter().enumerate().skip(i + 1) {
                match e {
                    Event::Start(_) => depth += 1,
                    Event::End(_) => {
                        depth -= 1;
                        if depth < 0 {
                            break;
                        }
                    }
                    Event::Text(t) if depth == 0 => {
                        if let Some(c) = t.find(']') {
                            found = Some((j, c));
                            break;
                        }
                    }
                    _ => {}
                }
            }
            found
        };
        let Some((close_event, close_at)) = close else {
            i += 1;
            continue;
        };
        let offset = range.start;
        let Ok(at) = update_date(date.as_deref(), ctx, offset, problems) else {
            i += 1;
            continue;
        };
        findings.inline_updates.push(InlineUpdate {
            at: at.clone(),
            offset,
        });
        let open = (
            Event::InlineHtml(CowStr::from(update_open(at.as_ref(), ctx))),
            range.clone(),
        );
        let before = (
            Event::Text(CowStr::from(text[..open_at].to_string())),
            range.clone(),
        );
        if close_event == i {
            let inner = (
                Event::Text(CowStr::from(text[body_start..close_at].to_string())),
                range.clone(),
            );
            let after = (
                Event::Text(CowStr::from(text[close_at + 1..].to_string())),
                range.clone(),
            );
            let close = (Event::InlineHtml(CowStr::from("</ins>")), range.clone());
            events.splice(i..=i, [before, open, inner, close, after]);
            i += 4;
        } else {
            let Event::Text(closing_text) = &events[close_event].0 else {
                i += 1;
                continue;
            };
            let closing_text = closing_text.to_string();
            let close_range = events[close_event].1.clone();
            let tail = [
                (
                    Event::Text(CowStr::from(closing_text[..close_at].to_string())),
                    close_range.clone(),
                ),
                (
                    Event::InlineHtml(CowStr::from("</ins>")),
                    close_range.clone(),
                ),
                (
                    Event::Text(CowStr::from(closing_text[close_at + 1..].to_string())),
                    close_range,
                ),
            ];
            events.splice(close_event..=close_event, tail);
            let inner = (
                Event::Text(CowStr::from(text[body_start..].to_string())),
                range.clone(),
            );
            events.splice(i..=i, [before, open, inner]);
            i += 3;
        }
    }
}

/// A paragraph opening with `**UPDATE:**` (or `**UPDATE 2009-03-03 14:10:**`)
/// is an update block.
fn mark_update_blocks(
    events: &mut [Spanned<'_>],
    ctx: &CommentaryContext<'_>,
    findings: &mut Findings,
    problems: &mut Vec<MarkdownProblem>,
) {
    for i in 0..events.len().saturating_sub(3) {
        let is_block = matches!(events[i].0, Event::Start(Tag::Paragraph))
            && matches!(events[i + 1].0, Event::Start(Tag::Strong))
            && matches!(&events[i + 2].0, Event::Text(t) if parse_update_head(&format!("{t} ")).is_some())
            && matches!(events[i + 3].0, Event::End(TagEnd::Strong));
        if !is_block {
            continue;
        }
        let Event::Text(head) = &events[i + 2].0 else {
            continue;
        };
        let head = format!("{head} ");
        let date = parse_update_head(&head).and_then(|(d, _)| d.map(String::from));
        let Ok(at) = update_date(date.as_deref(), ctx, events[i].1.start, problems) else {
            continue;
        };
        findings.inline_updates.push(InlineUpdate {
            at: at.clone(),
            offset: events[i].1.start,
        });
        let label = match &at {
            Some(d) => format!("Update, {}:", time_html("", d, &format_minute(d))),
            None => "Update:".to_string(),
        };
        let datetime = at
            .as_ref()
            .map(|d| format!(" data-datetime=\"{}\"", d.timestamp()))
            .unwrap_or_default();
        events[i].0 = Event::Html(CowStr::from(format!(
            "<p class=\"update-block\"{datetime}>"
        )));
        events[i + 1].0 = Event::InlineHtml(CowStr::from("<strong class=\"update-label\">"));
        events[i + 2].0 = Event::InlineHtml(CowStr::from(label));
        events[i + 3].0 = Event::InlineHtml(CowStr::from("</strong>"));
    }
}

//! Old `#anchors` keep landing: heading ids as the old Markdown engine
//! made them, and kramdown's attribute syntax.
//!
//! Jekyll (kramdown's GFM input) and Hugo (Goldmark's `github` ids) make a
//! heading's id GitHub's way: lower case, punctuation removed, each space
//! a dash (`TL;DR` → `tldr`, `A & B` → `a--b`). glossator's own ids are
//! slugs (`tl-dr`, `a-b`). Where the two differ, the heading gets the old
//! id written out (`## TL;DR {#tldr}`), so links into the post from
//! anywhere still land. Zola's ids are slugs already.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

/// GitHub's heading id: letters, digits, `_` and `-` kept, spaces made
/// dashes, everything lower case.
pub fn gfm_id(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, '_' | '-' | ' '))
        .map(|c| if c == ' ' { '-' } else { c })
        .flat_map(char::to_lowercase)
        .collect()
}

/// glossator's id for a heading (as `markdown::add_heading_ids` makes it).
fn our_id(text: &str) -> String {
    let s = slug::slugify(text);
    if s.is_empty() { "section".into() } else { s }
}

/// Makes ids unique the way both engines do: `x`, `x-1`, `x-2`.
fn unique(base: String, used: &mut std::collections::HashSet<String>) -> String {
    let mut id = base.clone();
    let mut n = 1;
    while !used.insert(id.clone()) {
        id = format!("{base}-{n}");
        n += 1;
    }
    id
}

/// Writes out the old id of every heading whose glossator id would differ.
pub fn keep_gfm_ids(markdown: &str) -> String {
    let options = Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH;
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut gfm_used = std::collections::HashSet::new();
    let mut our_used = std::collections::HashSet::new();
    let mut current: Option<(usize, String, bool)> = None;
    for (event, range) in Parser::new_ext(markdown, options).into_offset_iter() {
        match event {
            Event::Start(Tag::Heading { id, .. }) => {
                current = Some((range.start, String::new(), id.is_some()));
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, text, _)) = current.as_mut() {
                    text.push_str(&t);
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                let Some((start, text, explicit)) = current.take() else {
                    continue;
                };
                if explicit {
                    continue;
                }
                let old = unique(gfm_id(&text), &mut gfm_used);
                let ours = unique(our_id(&text), &mut our_used);
                if old != ours && !old.is_empty() {
                    // The end of the heading's text line.
                    let line_end = markdown[start..]
                        .find('\n')
                        .map_or(markdown.len(), |i| start + i);
                    let line = &markdown[start..line_end];
                    // `## Title ##`: an attribute after closing hashes is
                    // not read; such headings keep glossator's id.
                    let atx = line.trim_start().starts_with('#');
                    let closed = atx
                        && line.trim_end().ends_with('#')
                        && line.trim_end().trim_end_matches('#').ends_with([' ', '\t']);
                    if !closed {
                        inserts.push((start + line.trim_end().len(), format!(" {{#{old}}}")));
                    }
                }
            }
            _ => {}
        }
    }
    let mut out = markdown.to_string();
    for (at, text) in inserts.into_iter().rev() {
        out.insert_str(at, &text);
    }
    out
}

/// kramdown's attribute lists and extensions, which show as text anywhere
/// else: `{: .class}` lines and inline lists go (a `{: #id}` under a
/// heading becomes the heading's id), `{::options ... /}` and
/// `{::comment}...{:/comment}` go, a `{:toc}` list goes with a note.
pub fn strip_kramdown_attributes(markdown: &str, notes: &mut Vec<String>) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut in_comment = false;
    let mut dropped_classes = false;
    let mut in_fence = false;
    for line in markdown.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with("```") || trimmed.starts_with("~~~") {
            in_fence = !in_fence;
            out.push(line.to_string());
            continue;
        }
        if in_fence {
            out.push(line.to_string());
            continue;
        }
        if in_comment {
            if trimmed.contains("{:/comment}") || trimmed.contains("{:/}") {
                in_comment = false;
            }
            continue;
        }
        if trimmed.starts_with("{::comment}") {
            in_comment = !trimmed.contains("{:/comment}");
            continue;
        }
        if trimmed.starts_with("{::") && trimmed.ends_with('}') {
            continue;
        }
        if trimmed == "{:toc}" || trimmed == "{: toc}" {
            // The list above it was the placeholder for the table.
            if out.last().is_some_and(|l| {
                let l = l.trim();
                l.ends_with("TOC")
                    && (l.starts_with('*') || l.starts_with('-') || l.starts_with("1."))
            }) {
                out.pop();
            }
            notes.push("kramdown's generated table of contents ({:toc}) dropped".into());
            continue;
        }
        if trimmed.starts_with("{:") && trimmed.ends_with('}') {
            let inner = &trimmed[2..trimmed.len() - 1];
            let id = inner
                .split_whitespace()
                .find_map(|part| part.strip_prefix('#'))
                .filter(|id| !id.is_empty());
            let after_heading = out.last().is_some_and(|l| l.trim_start().starts_with('#'));
            match (id, after_heading) {
                (Some(id), true) => {
                    if let Some(last) = out.last_mut()
                        && !last.contains("{#")
                    {
                        last.push_str(&format!(" {{#{id}}}"));
                    }
                }
                _ => dropped_classes = true,
            }
            continue;
        }
        out.push(strip_inline_attributes(line, &mut dropped_classes));
    }
    if dropped_classes {
        notes.push("kramdown attribute lists ({: .class}) dropped".into());
    }
    let mut text = out.join("\n");
    if markdown.ends_with('\n') {
        text.push('\n');
    }
    text
}

/// `*text*{: .class}` → `*text*`.
fn strip_inline_attributes(line: &str, dropped: &mut bool) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(i) = rest.find("{:") {
        match rest[i..].find('}') {
            Some(end) if !rest[i + 2..i + end].contains('{') => {
                out.push_str(&rest[..i]);
                rest = &rest[i + end + 1..];
                *dropped = true;
            }
            _ => {
                out.push_str(&rest[..i + 2]);
                rest = &rest[i + 2..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_ids() {
        assert_eq!(gfm_id("TL;DR"), "tldr");
        assert_eq!(gfm_id("A & B"), "a--b");
        assert_eq!(gfm_id("Hello, World!"), "hello-world");
        assert_eq!(gfm_id("snake_case and `code`"), "snake_case-and-code");
        assert_eq!(gfm_id("Café 2.0"), "café-20");
    }

    #[test]
    fn differing_ids_are_written_out() {
        let md = "# TL;DR\n\nText.\n\n## Plain words\n\n## TL;DR\n\nSetext & more\n---\n\n## Kept {#mine}\n";
        let out = keep_gfm_ids(md);
        assert!(out.starts_with("# TL;DR {#tldr}\n"), "{out}");
        assert!(out.contains("## Plain words\n"), "{out}");
        assert!(out.contains("## TL;DR {#tldr-1}\n"), "{out}");
        assert!(out.contains("Setext & more {#setext--more}\n---"), "{out}");
        assert!(out.contains("## Kept {#mine}\n"), "{out}");
    }

    #[test]
    fn kramdown_attributes_go() {
        let mut notes = Vec::new();
        let md = "## Setup\n{: #install}\n\nText *here*{: .note} stays.\n{: .lead}\n\n* TOC\n{:toc}\n\n{::options parse_block_html=\"true\" /}\n{::comment}\nhidden\n{:/comment}\n```\n{: .kept-in-code}\n```\n";
        let out = strip_kramdown_attributes(md, &mut notes);
        assert!(out.starts_with("## Setup {#install}\n"), "{out}");
        assert!(out.contains("Text *here* stays."), "{out}");
        assert!(
            !out.contains("{: .lead}") && !out.contains("TOC") && !out.contains("hidden"),
            "{out}"
        );
        assert!(!out.contains("{::options"), "{out}");
        assert!(out.contains("{: .kept-in-code}"), "{out}");
        assert_eq!(notes.len(), 2, "{notes:?}");
    }
}

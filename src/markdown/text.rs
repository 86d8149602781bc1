//! Words and plain text read off a body's events: the word counts a post
//! shows (and how many of its words are quoted), and the plain text of
//! summaries, quotes and headings. The word count reads every character
//! of every post, so it goes by bytes, decides ASCII ones with a table and
//! no branches, and decodes only non-ASCII characters.

use pulldown_cmark::{Event, Tag, TagEnd};

use super::Spanned;

/// The words of a body, and how many of them sit in block quotes. A token
/// running on over adjacent text events (smart punctuation splits
/// "don't") counts once, and only tokens with a letter or digit count
/// (not "—" or ".").
pub(super) fn count_words(events: &[Spanned<'_>]) -> (usize, usize) {
    let mut words = 0;
    let mut quoted = 0;
    let mut quote_depth = 0usize;
    let mut in_code = false;
    // Whether the token being read has been counted: a word split over
    // two text events (around an entity, say) counts once; any other
    // event ends it.
    let mut counted = false;
    for (event, _) in events {
        match event {
            Event::Text(t) | Event::Code(t) if !in_code => {
                let n = count_run(t, &mut counted);
                words += n;
                if quote_depth > 0 {
                    quoted += n;
                }
                continue;
            }
            Event::SoftBreak | Event::HardBreak => {
                counted = false;
                continue;
            }
            _ => {}
        }
        counted = false;
        match event {
            Event::Start(Tag::BlockQuote(_)) => quote_depth += 1,
            Event::End(TagEnd::BlockQuote(_)) => quote_depth = quote_depth.saturating_sub(1),
            // Cited quotes are HTML by now (the attribution is not counted).
            Event::Html(h) if h.contains("<blockquote") => quote_depth += 1,
            Event::Html(h) if h.contains("</blockquote") => {
                quote_depth = quote_depth.saturating_sub(1)
            }
            Event::Start(Tag::CodeBlock(_)) => in_code = true,
            Event::End(TagEnd::CodeBlock) => in_code = false,
            _ => {}
        }
    }
    (words, quoted)
}

/// What an ASCII byte is to [`count_run`]: part of no word, a word
/// boundary, or a letter or digit.
const OTHER: u8 = 0;
const SPACE: u8 = 1;
const WORD: u8 = 2;
const ASCII_CLASS: [u8; 128] = {
    let mut table = [OTHER; 128];
    let mut b = 0;
    while b < 128 {
        let byte = b as u8;
        table[b] = if byte.is_ascii_whitespace() {
            SPACE
        } else if byte.is_ascii_alphanumeric() {
            WORD
        } else {
            OTHER
        };
        b += 1;
    }
    table
};

/// Words in a run of text: whitespace-separated tokens holding a letter or
/// digit, `counted` saying whether the token the run starts in was counted
/// already.
pub(super) fn count_run(text: &str, counted: &mut bool) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut seen = *counted;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let class = if b < 0x80 {
            i += 1;
            ASCII_CLASS[usize::from(b)]
        } else {
            let c = text[i..].chars().next().unwrap_or(' ');
            i += c.len_utf8();
            if c.is_whitespace() {
                SPACE
            } else if c.is_alphanumeric() {
                WORD
            } else {
                OTHER
            }
        };
        let word = class == WORD;
        count += usize::from(word & !seen);
        seen = (seen | word) & (class != SPACE);
    }
    *counted = seen;
    count
}

/// The text of some events, with block boundaries as spaces.
pub(crate) fn plain_text<'e, 'a: 'e>(events: impl Iterator<Item = &'e Event<'a>>) -> String {
    let mut out = String::new();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => out.push_str(t),
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => out.push(' '),
            _ => {}
        }
    }
    let mut collapsed = String::with_capacity(out.len());
    for word in out.split_whitespace() {
        if !collapsed.is_empty() {
            collapsed.push(' ');
        }
        collapsed.push_str(word);
    }
    collapsed
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;

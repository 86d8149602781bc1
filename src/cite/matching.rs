//! Is a quote really in its source? Compared as a careful editor would.
//!
//! Both texts are first brought to one shape ([`fold`]): case, typographic
//! quotes and apostrophes, dashes, ellipses, non-breaking and repeated
//! spaces, soft hyphens and accents written as combining marks stop
//! mattering. Then the quote is cut into pieces ([`pieces`]):
//!
//! - at an omission (`…`, `...`, `[…]`, `[...]`), after which the source
//!   may skip any amount of text, but the next piece must still come later;
//! - at a bracketed insertion (`[the minister]`, `[T]he`), which stands for
//!   a few words of the source (at most [`INSERTION_SPAN`] characters).
//!
//! Punctuation at the edges of a piece is not compared (a quote may end a
//! sentence where the source has a comma). When the quote is not there,
//! [`closest_passage`] finds the paragraphs most like it and the words
//! that differ, with the `similar` crate's word diff.

use similar::{ChangeTag, TextDiff};
use unicode_normalization::UnicodeNormalization as _;

/// How much source text a bracketed insertion may stand for.
pub const INSERTION_SPAN: usize = 80;

/// `text` in the one shape both sides are compared in.
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = true;
    for c in text.nfkd() {
        if unicode_normalization::char::is_combining_mark(c) || c == '\u{ad}' {
            continue;
        }
        let c = match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{201b}' | '\u{2032}' | '`' | '\u{b4}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{201f}' | '\u{2033}' | '\u{ab}'
            | '\u{bb}' => '"',
            '\u{2010}'..='\u{2015}' | '\u{2212}' => '-',
            c if c.is_whitespace() => ' ',
            c => c,
        };
        // Two hyphens are a dash, as Markdown's smart punctuation makes one.
        if c == '-' && out.ends_with('-') {
            continue;
        }
        if c == ' ' {
            if !space {
                out.push(' ');
            }
            space = true;
            continue;
        }
        space = false;
        for l in c.to_lowercase() {
            out.push(l);
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    out
}

/// How a piece follows the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Gap {
    /// The first piece.
    Start,
    /// Right after, or with any text between (an omission).
    Omission,
    /// With a few words between (a bracketed insertion).
    Insertion,
}

/// One run of the quote's own words, folded, with how it follows the last.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Piece {
    pub gap: Gap,
    pub text: String,
}

/// The quote cut at omissions and bracketed insertions.
pub fn pieces(quote: &str) -> Vec<Piece> {
    let folded = fold(quote);
    let mut out = Vec::new();
    let mut gap = Gap::Start;
    let mut current = String::new();
    let mut rest = folded.as_str();
    let mut push = |current: &mut String, gap: &mut Gap, next: Gap| {
        let text = trim_punctuation(current);
        if !text.is_empty() {
            out.push(Piece {
                gap: *gap,
                text: text.to_string(),
            });
            *gap = next;
        } else if next == Gap::Omission || *gap == Gap::Start {
            // An omission before anything quoted, or two gaps in a row:
            // the widest wins.
            if *gap != Gap::Start {
                *gap = Gap::Omission;
            }
        } else if *gap != Gap::Omission {
            *gap = next;
        }
        current.clear();
    };
    while let Some(c) = rest.chars().next() {
        if let Some(after) = ["[…]", "[...]", "…", "...", ". . ."]
            .iter()
            .find_map(|o| rest.strip_prefix(o))
        {
            push(&mut current, &mut gap, Gap::Omission);
            rest = after;
            continue;
        }
        if c == '['
            && let Some(end) = rest.find(']')
        {
            push(&mut current, &mut gap, Gap::Insertion);
            rest = &rest[end + 1..];
            continue;
        }
        current.push(c);
        rest = &rest[c.len_utf8()..];
    }
    push(&mut current, &mut gap, Gap::Omission);
    out
}

fn trim_punctuation(text: &str) -> &str {
    text.trim_matches(|c: char| !c.is_alphanumeric())
}

/// True when every piece of `quote` is in `source` (folded), in order, with
/// each insertion standing for at most [`INSERTION_SPAN`] characters.
pub fn appears_in(quote: &str, folded_source: &str) -> bool {
    let pieces = pieces(quote);
    if pieces.is_empty() {
        return true;
    }
    // Try each place the first piece occurs (a phrase may recur), then
    // take each later piece at its first fitting place.
    let first = &pieces[0].text;
    let mut from = 0;
    while let Some(found) = folded_source[from..].find(first.as_str()) {
        let start = from + found;
        if rest_follows(&pieces[1..], folded_source, start + first.len()) {
            return true;
        }
        from = start + first.chars().next().map_or(1, char::len_utf8);
    }
    false
}

fn rest_follows(pieces: &[Piece], source: &str, mut at: usize) -> bool {
    for piece in pieces {
        let Some(found) = source[at..].find(piece.text.as_str()) else {
            return false;
        };
        if piece.gap == Gap::Insertion && found > INSERTION_SPAN {
            return false;
        }
        at += found + piece.text.len();
    }
    true
}

/// The passage of a source most like a quote that is not in it.
#[derive(Debug, Clone, PartialEq)]
pub struct Closest {
    /// The passage as the source has it.
    pub passage: String,
    /// 1-based number of its first paragraph.
    pub paragraph: usize,
    /// How alike they are, 0 to 1.
    pub ratio: f32,
    /// The quote's words the source does not have, and the source's words
    /// the quote does not have, in order.
    pub quote_only: Vec<String>,
    pub source_only: Vec<String>,
}

/// The one to three consecutive paragraphs most like `quote`, and the
/// words that differ. `None` when the source has no text.
pub fn closest_passage(quote: &str, paragraphs: &[String]) -> Option<Closest> {
    let wanted: String = pieces(quote)
        .iter()
        .map(|p| p.text.as_str())
        .collect::<Vec<_>>()
        .join(" ");
    let folded: Vec<String> = paragraphs.iter().map(|p| fold(p)).collect();
    let mut best: Option<(f32, usize, usize)> = None;
    for width in 1..=3.min(paragraphs.len()) {
        for start in 0..=paragraphs.len() - width {
            let passage = folded[start..start + width].join(" ");
            let ratio = TextDiff::from_words(wanted.as_str(), passage.as_str()).ratio();
            if best.is_none_or(|(r, _, _)| ratio > r) {
                best = Some((ratio, start, width));
            }
        }
    }
    let (ratio, start, width) = best?;
    let passage_folded = folded[start..start + width].join(" ");
    let diff = TextDiff::from_words(wanted.as_str(), passage_folded.as_str());
    let mut quote_only = Vec::new();
    let mut source_only = Vec::new();
    for change in diff.iter_all_changes() {
        let word = change.value().trim();
        if word.is_empty() {
            continue;
        }
        match change.tag() {
            ChangeTag::Delete => quote_only.push(word.to_string()),
            ChangeTag::Insert => source_only.push(word.to_string()),
            ChangeTag::Equal => {}
        }
    }
    Some(Closest {
        passage: paragraphs[start..start + width].join(" "),
        paragraph: start + 1,
        ratio,
        quote_only,
        source_only,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const SOURCE: &str = "Kestria’s government offered last month to reopen its northern fishing grounds — three officials said on Monday. The deputy minister, Teodor Vance, carried the letter.";

    fn is_in(quote: &str) -> bool {
        appears_in(quote, &fold(SOURCE))
    }

    #[test]
    fn an_exact_quote_is_found() {
        assert!(is_in(
            "offered last month to reopen its northern fishing grounds"
        ));
    }

    #[test]
    fn typography_case_and_spacing_do_not_matter() {
        assert!(is_in("KESTRIA'S  government offered\nlast month"));
        assert!(is_in("fishing grounds -- three officials said"));
        assert!(is_in("fishing grounds – three officials said on Monday."));
    }

    #[test]
    fn an_omission_skips_text_but_keeps_the_order() {
        assert!(is_in(
            "Kestria's government offered … three officials said on Monday"
        ));
        assert!(is_in("Kestria's government offered [...] the letter."));
        assert!(!is_in(
            "three officials said on Monday … Kestria's government offered"
        ));
    }

    #[test]
    fn a_bracketed_insertion_stands_for_a_few_words() {
        assert!(is_in("[The minister] carried the letter"));
        assert!(is_in("The deputy minister, [Vance], carried the letter"));
        assert!(is_in("[T]he deputy minister"));
        // An insertion does not stand for a whole sentence.
        assert!(!is_in(
            "Kestria's government offered [something] carried the letter"
        ));
    }

    #[test]
    fn a_misquote_is_not_found_and_the_closest_passage_names_the_words() {
        assert!(!is_in(
            "offered last year to reopen its northern fishing grounds"
        ));
        let paragraphs = vec![
            "Unrelated opening paragraph about the weather.".to_string(),
            SOURCE.to_string(),
        ];
        let c = closest_passage(
            "offered last year to reopen its northern fishing grounds",
            &paragraphs,
        )
        .unwrap();
        assert_eq!(c.paragraph, 2);
        assert_eq!(c.quote_only, ["year"]);
        assert!(c.source_only.contains(&"month".to_string()), "{c:?}");
    }

    #[test]
    fn pieces_and_gaps() {
        let p = pieces("One two … three [four] five");
        let gaps: Vec<Gap> = p.iter().map(|p| p.gap).collect();
        assert_eq!(gaps, [Gap::Start, Gap::Omission, Gap::Insertion]);
        assert_eq!(p[0].text, "one two");
    }
}

//! Words and plain text read off a body's events: the word counts a post
//! shows (and how many of its words are quoted), and the plain text of
//! summaries, quotes and headings. The word count reads every character
//! of every post, so it classes ASCII bytes sixteen at a time in SIMD
//! registers, counts with bit masks and no branches, and decodes only
//! non-ASCII characters.

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
/// already. Prose is mostly ASCII, which is taken 64 bytes at a time (a
/// bit per byte, see [`count_block`]); in a block with any other byte,
/// the ASCII eight-byte chunks before it are still taken that way, and
/// only the chunk holding it goes char by char.
pub(super) fn count_run(text: &str, counted: &mut bool) -> usize {
    let bytes = text.as_bytes();
    let mut count = 0;
    let mut seen = *counted;
    let mut i = 0;
    while i < bytes.len() {
        let rest = &bytes[i..];
        // The last bytes, fewer than a block (most text events are that
        // short: smart punctuation and inline markup split a paragraph
        // into many), padded with punctuation, which counts nothing and
        // leaves the state as the text's last letter, digit or space set it.
        let padded;
        let (block, len) = match rest.first_chunk::<64>() {
            Some(block) => (block, 64),
            None => {
                let mut block = [b'.'; 64];
                block[..rest.len()].copy_from_slice(rest);
                padded = block;
                (&padded, rest.len())
            }
        };
        let (words, spaces, ascii) = ascii_masks(block, len.div_ceil(8));
        let (n, after) = count_block(words, spaces, seen);
        count += n;
        seen = after;
        if ascii >= len {
            i += len;
            continue;
        }
        // Char by char to the end of the chunk that is not all ASCII, and
        // over it by the rest of a character that straddles it.
        i += ascii;
        let end = (i + 8).min(bytes.len());
        while i < end {
            count += count_char(text, &mut i, &mut seen);
        }
    }
    *counted = seen;
    count
}

/// Steps over the character at `*i`: 1 if it starts a word.
fn count_char(text: &str, i: &mut usize, seen: &mut bool) -> usize {
    let b = text.as_bytes()[*i];
    let class = if b < 0x80 {
        *i += 1;
        ASCII_CLASS[usize::from(b)]
    } else {
        let c = text[*i..].chars().next().unwrap_or(' ');
        *i += c.len_utf8();
        if c.is_whitespace() {
            SPACE
        } else if c.is_alphanumeric() {
            WORD
        } else {
            OTHER
        }
    };
    let word = class == WORD;
    let starts = word & !*seen;
    *seen = (*seen | word) & (class != SPACE);
    usize::from(starts)
}

/// A block's letters and digits, and its whitespace, a bit per byte
/// (bit k for byte k), over its leading eight-byte chunks that are all
/// ASCII, at most `chunks` of them, and how many bytes those are (64 when
/// the whole block is, `8 * chunks` when the chunks asked for are). Sixteen
/// bytes at a time in SIMD registers (`wide`: SSE2 on x86-64, NEON on
/// ARM). The bits past those bytes are clear, which [`count_block`] reads
/// as punctuation: a carry into them is masked off, so its count and
/// state are the prefix's.
fn ascii_masks(block: &[u8; 64], chunks: usize) -> (u64, u64, usize) {
    use wide::u8x16;
    // Bytes in `lo..=hi`, all ones: `x - lo` wraps below `lo`, so it is
    // at most `hi - lo` exactly in the range.
    let within = |x: u8x16, lo: u8, hi: u8| {
        let d = x - u8x16::splat(lo);
        d.min(u8x16::splat(hi - lo)).simd_eq(d)
    };
    let bits = |m: u8x16| u64::from(m.to_bitmask());
    let (mut words, mut spaces, mut high) = (0, 0, 0);
    for (k, part) in block.as_chunks::<16>().0.iter().enumerate() {
        let x = u8x16::new(*part);
        let word = within(x | u8x16::splat(0x20), b'a', b'z') | within(x, b'0', b'9');
        // `u8::is_ascii_whitespace`: space, tab, line feed, form feed and
        // carriage return; not the vertical tab.
        let space = x.simd_eq(u8x16::splat(b' '))
            | (within(x, b'\t', b'\r') & !x.simd_eq(u8x16::splat(0x0b)));
        words |= bits(word) << (16 * k);
        spaces |= bits(space) << (16 * k);
        high |= bits(x) << (16 * k);
    }
    // The chunks before the first that holds a byte that is not ASCII.
    let ascii = 8 * (high.trailing_zeros() as usize / 8).min(chunks);
    let kept = u64::MAX.checked_shr(64 - ascii as u32).unwrap_or(0);
    (words & kept, spaces & kept, ascii)
}

pub(super) const ONES: u64 = 0x0101_0101_0101_0101;
pub(super) const HIGH: u64 = ONES * 0x80;

/// The top bit of each byte of `x` (eight ASCII bytes) set where the byte
/// is in `lo..=hi`: adding `0x80 - lo` carries into the top bit from `lo`
/// up, adding `0x7f - hi` from past `hi`; neither carries into the next
/// byte, since every byte is below 0x80.
fn ascii_in(x: u64, lo: u8, hi: u8) -> u64 {
    let from_lo = x + ONES * u64::from(0x80 - lo);
    let past_hi = x + ONES * u64::from(0x7f - hi);
    from_lo & !past_hi & HIGH
}

/// The words that start in a block of ASCII, and whether its end is
/// inside a counted token, from its letters and digits (`words`), its
/// whitespace (`spaces`) and whether its start is inside a counted token.
///
/// A letter starts a word when the last byte before it that is a letter,
/// digit or space is a space (the rest, punctuation, is part of whatever
/// token it is in). So: from each space (and from the block's start when
/// it is not inside a counted token), find the next letter, digit or
/// space. Adding a bit just past each space to the punctuation bits does
/// that: the carry runs over the punctuation and stops at the first bit
/// that is not one, the next letter, digit or space. Landings never meet,
/// since the byte before each added bit is a space, which stops any carry
/// from below. A carry off the block's end means it ends in search of a
/// word: `seen` false, which the last letter, digit or space also says.
fn count_block(words: u64, spaces: u64, seen: bool) -> (usize, bool) {
    let marked = words | spaces;
    let punctuation = !marked;
    let starts = (spaces << 1) | u64::from(!seen);
    let landed = starts.wrapping_add(punctuation) & marked;
    let count = (landed & words).count_ones() as usize;
    let after = if marked == 0 {
        seen
    } else {
        words >> (63 - marked.leading_zeros()) & 1 == 1
    };
    (count, after)
}

/// The text of some events, with block boundaries as spaces: every run
/// of whitespace (Unicode's, as `char::is_whitespace` says) one space,
/// none at either end. Made in one pass, copying runs of text that need no
/// change (words with single spaces between them) whole.
pub(crate) fn plain_text<'e, 'a: 'e>(events: impl Iterator<Item = &'e Event<'a>>) -> String {
    let mut out = Collapsed::default();
    for event in events {
        match event {
            Event::Text(t) | Event::Code(t) => out.push(t),
            Event::SoftBreak
            | Event::HardBreak
            | Event::End(TagEnd::Paragraph | TagEnd::Item | TagEnd::Heading(_)) => out.gap = true,
            _ => {}
        }
    }
    out.text
}

/// Text with its whitespace collapsed, made piece by piece: `gap` says
/// whitespace was passed since the last text kept, so the next text kept
/// starts with a space (unless it is the first).
#[derive(Default)]
struct Collapsed {
    text: String,
    gap: bool,
}

impl Collapsed {
    fn push(&mut self, s: &str) {
        let bytes = s.as_bytes();
        let mut run = 0;
        let mut i = 0;
        while i < bytes.len() {
            if keeps_chunk(bytes, i, run) {
                i += 8;
                continue;
            }
            // Most of any text: in the run.
            if above_space(bytes[i]) {
                i += 1;
                continue;
            }
            let (space, len) = char_at(s, i);
            if !space {
                i += len;
                continue;
            }
            // A lone ASCII space between two other characters stays in
            // the run; any other whitespace ends it.
            let lone = bytes[i] == b' ' && i > run && i + 1 < bytes.len() && !char_at(s, i + 1).0;
            if !lone {
                self.keep(&s[run..i]);
                self.gap = true;
                run = i + len;
            }
            i += len;
        }
        self.keep(&s[run..]);
    }

    fn keep(&mut self, run: &str) {
        if run.is_empty() {
            return;
        }
        if self.gap && !self.text.is_empty() {
            self.text.push(' ');
        }
        self.gap = false;
        self.text.push_str(run);
    }
}

/// Whether the eight bytes of `bytes` from `i` all stay in the
/// [`Collapsed`] run that started at `run`: printable ASCII (as
/// `has_forbidden` reads it, see [`super::unprintable_in`]) whose spaces
/// are each lone (not the run's first byte, and followed by printable
/// ASCII but the space, inside the chunk or just after it). Prose is
/// mostly such chunks; a chunk with anything else goes byte by byte.
#[inline]
fn keeps_chunk(bytes: &[u8], i: usize, run: usize) -> bool {
    let Some(chunk) = bytes.get(i..).and_then(|b| b.first_chunk::<8>()) else {
        return false;
    };
    let x = u64::from_le_bytes(*chunk);
    if super::unprintable_in(x) != 0 {
        return false;
    }
    let spaces = ascii_in(x, b' ', b' ');
    if spaces == 0 {
        return true;
    }
    // Two spaces in a row, or a space the run starts with.
    if spaces & (spaces >> 8) != 0 || (i == run && spaces & 0x80 != 0) {
        return false;
    }
    // A space ending the chunk is lone only before printable ASCII.
    spaces >> 56 == 0 || bytes.get(i + 8).is_some_and(|&b| above_space(b))
}

/// An ASCII byte above the space (printable ASCII but the space, or
/// DEL): never whitespace and never part of a longer character, so the
/// byte loops here take it without [`char_at`].
#[inline]
fn above_space(b: u8) -> bool {
    b > b' ' && b < 0x80
}

/// Whether the character starting at byte `i` of `s` is whitespace, and
/// its length in bytes; ASCII is decided without decoding.
#[inline]
fn char_at(s: &str, i: usize) -> (bool, usize) {
    let b = s.as_bytes()[i];
    if b < 0x80 {
        return (matches!(b, b' ' | b'\t'..=b'\r'), 1);
    }
    let c = s[i..].chars().next().unwrap_or(' ');
    (c.is_whitespace(), c.len_utf8())
}

/// The first `n` words of `text`, one space between them, with an
/// ellipsis when cut: a description made from a summary's plain text.
/// Words are split at whitespace as `str::split_whitespace` splits them,
/// read by bytes: only the first n + 1 words are looked at (the summary
/// text may be a whole long post), and words that a single space already
/// separates (all of them, in plain text) are copied as one run.
pub fn first_words(text: &str, n: usize) -> String {
    let bytes = text.as_bytes();
    let mut out = String::new();
    // The run of words not yet copied.
    let mut run: Option<(usize, usize)> = None;
    let mut words = 0;
    let mut i = 0;
    while i < bytes.len() {
        let (space, len) = char_at(text, i);
        if space {
            i += len;
            continue;
        }
        if words == n {
            break;
        }
        let start = i;
        while i < bytes.len() {
            // Most of any word.
            if above_space(bytes[i]) {
                i += 1;
                continue;
            }
            let (space, len) = char_at(text, i);
            if space {
                break;
            }
            i += len;
        }
        words += 1;
        run = match run {
            Some((from, to)) if start == to + 1 && bytes[to] == b' ' => Some((from, i)),
            _ => {
                push_words(&mut out, text, run);
                Some((start, i))
            }
        };
    }
    push_words(&mut out, text, run);
    if words == n && i < bytes.len() {
        out.push('…');
    }
    out
}

/// Copies a run of words (`from..to` of `text`) to `out`, after a space
/// unless it is the first.
fn push_words(out: &mut String, text: &str, run: Option<(usize, usize)>) {
    if let Some((from, to)) = run {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&text[from..to]);
    }
}

#[cfg(test)]
#[path = "text_tests.rs"]
mod tests;

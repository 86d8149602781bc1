//! Tests of the word count and plain text: examples, and a property test
//! that holds the byte-scanning word count to the plain char-by-char
//! definition it replaced.

use proptest::prelude::*;
use pulldown_cmark::Parser;

use super::*;
use crate::markdown::options;

#[test]
fn word_runs_count_tokens_with_letters_or_digits() {
    assert_eq!(count_run("one two — three. 4 ...", &mut false), 4);
    assert_eq!(count_run("  café  naïve  ", &mut false), 2);
    assert_eq!(count_run("", &mut false), 0);
    // A run that continues a counted token does not count it again.
    assert_eq!(count_run("ing on", &mut true), 1);
    // Whole blocks of punctuation leave the token as it was: inside a
    // counted one, or between words.
    assert_eq!(count_run(&format!("a{}b", ".".repeat(150)), &mut false), 1);
    assert_eq!(count_run(&format!(" {}b", "-".repeat(150)), &mut true), 1);
}

#[test]
fn a_word_split_by_an_entity_or_emphasis_boundary_counts_as_pulldown_splits_it() {
    let events: Vec<Spanned<'_>> = Parser::new_ext(
        "AT&amp;T rocks, *not*much\n\n> quoted words here",
        options(),
    )
    .into_offset_iter()
    .collect();
    // "AT&T" is three text events and one word; "not" and "much" are two
    // words (an emphasis boundary ends a word); the quote holds three.
    assert_eq!(count_words(&events), (7, 3));
}

/// The block scan classifies bytes with comparisons, the char-by-char
/// step with `ASCII_CLASS`: every ASCII byte, at every place in a block,
/// is the same class both ways.
#[test]
fn the_block_masks_class_every_ascii_byte_as_the_table_does() {
    for b in 0..0x80u8 {
        let class = ASCII_CLASS[usize::from(b)];
        for at in 0..64 {
            let mut block = [b'.'; 64];
            block[at] = b;
            let (words, spaces, ascii) = ascii_masks(&block, 8);
            assert_eq!(ascii, 64, "all ASCII");
            let bit = 1u64 << at;
            assert_eq!(
                words,
                if class == WORD { bit } else { 0 },
                "{b:#04x} at {at}"
            );
            assert_eq!(
                spaces,
                if class == SPACE { bit } else { 0 },
                "{b:#04x} at {at}"
            );
        }
    }
    // A byte that is not ASCII ends the masks at the start of its chunk.
    let mut block = [b'a'; 64];
    block[40] = 0x80;
    block[3] = b' ';
    assert_eq!(
        ascii_masks(&block, 8),
        (!0b1000 & 0xff_ffff_ffff, 0b1000, 40)
    );
    // Asked for fewer chunks, it reads no further.
    assert_eq!(ascii_masks(&block, 2), (!0b1000 & 0xffff, 0b1000, 16));
    // Wherever the first byte that is not ASCII sits, and however many
    // chunks are asked for, the masks stop at the chunk boundary before.
    for at in 0..64 {
        for chunks in 1..=8 {
            let mut block = [b'a'; 64];
            block[at] = 0xc3;
            let ascii = 8 * (at / 8).min(chunks);
            let kept = if ascii == 64 { !0 } else { (1u64 << ascii) - 1 };
            assert_eq!(
                ascii_masks(&block, chunks),
                (kept, 0, ascii),
                "{at} {chunks}"
            );
        }
    }
}

/// The definition [`count_run`] must keep: char by char, ASCII
/// whitespace as `u8::is_ascii_whitespace` says (no vertical tab), others
/// as `char::is_whitespace`.
fn count_run_by_chars(text: &str, counted: &mut bool) -> usize {
    let mut count = 0;
    for c in text.chars() {
        let whitespace = if c.is_ascii() {
            (c as u8).is_ascii_whitespace()
        } else {
            c.is_whitespace()
        };
        if whitespace {
            *counted = false;
        } else if c.is_alphanumeric() && !*counted {
            count += 1;
            *counted = true;
        }
    }
    count
}

/// Text made of the characters that matter here: ASCII letters, digits,
/// punctuation and every kind of ASCII whitespace, and non-ASCII letters,
/// punctuation and whitespace (no-break, em and ideographic spaces).
fn text() -> impl Strategy<Value = String> {
    proptest::collection::vec(
        prop::sample::select(vec![
            "a", "Z", "7", ".", "-", " ", "\t", "\n", "\r", "\u{b}", "\u{c}", "é", "ß", "—", "’",
            "\u{a0}", "\u{2003}", "\u{3000}", "\u{85}", "漢", "😀", "٣",
        ]),
        0..40,
    )
    .prop_map(|parts| parts.concat())
}

/// Counts `runs` one after the other, as the text events of one body,
/// both ways: the same counts, and the same token state after each.
fn agrees_with_the_definition(runs: &[String], counted: bool) -> Result<(), TestCaseError> {
    let (mut fast, mut slow) = (counted, counted);
    for run in runs {
        prop_assert_eq!(
            count_run(run, &mut fast),
            count_run_by_chars(run, &mut slow)
        );
        prop_assert_eq!(fast, slow);
    }
    Ok(())
}

/// Long runs, mostly ASCII words, punctuation and spaces, so most of them
/// are read 64 bytes at a time, with now and then a character that is not
/// ASCII (a block read char by char, or one a character straddles).
fn long_text() -> impl Strategy<Value = String> {
    let ascii = prop::sample::select(vec![
        "word", "a", "Z9", ".", "'", "(", "--", " ", "  ", "\t", "\n", "\r\n", "\u{b}", "\u{c}",
    ]);
    let other = prop::sample::select(vec!["é", "—", "\u{a0}", "\u{3000}", "漢", "😀"]);
    proptest::collection::vec(prop_oneof![30 => ascii, 1 => other], 0..400)
        .prop_map(|parts| parts.concat())
}

proptest! {
    #[test]
    fn count_run_counts_long_runs_as_the_char_by_char_definition(
        runs in proptest::collection::vec(long_text(), 1..4),
        counted in any::<bool>(),
    ) {
        agrees_with_the_definition(&runs, counted)?;
    }

    #[test]
    fn count_run_counts_as_the_char_by_char_definition(
        runs in proptest::collection::vec(text(), 1..4),
        counted in any::<bool>(),
    ) {
        agrees_with_the_definition(&runs, counted)?;
    }
}

#[test]
fn plain_text_joins_a_word_split_over_events_and_drops_outer_space() {
    let events =
        Parser::new_ext("  AT&amp;T *said*  so.\n\nNext\u{a0}one ", options()).collect::<Vec<_>>();
    assert_eq!(plain_text(events.iter()), "AT&T said so. Next one");
}

/// The definition `plain_text` had before it collapsed whitespace in one
/// pass: join the texts (block ends and breaks as spaces), then split on
/// whitespace and join with single spaces.
fn plain_text_by_words(runs: &[(bool, String)]) -> String {
    let mut joined = String::new();
    for (is_break, text) in runs {
        joined.push_str(if *is_break { " " } else { text });
    }
    joined.split_whitespace().collect::<Vec<_>>().join(" ")
}

proptest! {
    #[test]
    fn plain_text_collapses_whitespace_as_splitting_on_it_does(
        runs in proptest::collection::vec(
            (any::<bool>(), prop_oneof![text(), long_text()]),
            0..5,
        ),
    ) {
        let events: Vec<Event<'_>> = runs
            .iter()
            .map(|(is_break, text)| {
                if *is_break {
                    Event::SoftBreak
                } else {
                    Event::Text(text.as_str().into())
                }
            })
            .collect();
        prop_assert_eq!(plain_text(events.iter()), plain_text_by_words(&runs));
    }
}

#[test]
fn first_words_cuts_at_any_whitespace_with_an_ellipsis() {
    assert_eq!(
        first_words("  one\ttwo\u{a0}three\u{3000}four ", 3),
        "one two three…"
    );
    assert_eq!(first_words("one two", 2), "one two");
    assert_eq!(first_words("é ü", 0), "…");
    assert_eq!(first_words(" \n ", 3), "");
}

/// What [`first_words`] must give: `str::split_whitespace`'s words.
fn first_words_by_split(text: &str, n: usize) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    let mut out = words[..words.len().min(n)].join(" ");
    if words.len() > n {
        out.push('…');
    }
    out
}

proptest! {
    #[test]
    fn first_words_splits_as_split_whitespace_does(text in text(), n in 0usize..8) {
        prop_assert_eq!(first_words(&text, n), first_words_by_split(&text, n));
    }
}

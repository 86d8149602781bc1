//! Front matter: decoding the file's bytes, splitting the fences, parsing
//! TOML or YAML into typed fields. Nothing may panic, and every error must
//! point inside the text.
#![no_main]

use glossator::content::front_matter;
use glossator::content::source::decode_text;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = decode_text(data.to_vec()) else {
        return;
    };
    let lines = text.lines().count() + 1;
    let check = |line: usize, col: usize| {
        assert!(line >= 1 && line <= lines, "line {line} of {lines}");
        assert!(col >= 1, "column {col}");
    };
    match front_matter::split(&text) {
        Ok(split) => match front_matter::read_post(&split) {
            Ok((_, problems)) => {
                for p in problems {
                    check(p.line, p.col);
                }
            }
            Err(e) => check(e.line, e.col),
        },
        Err(e) => check(e.line, e.col),
    }
});

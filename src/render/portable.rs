//! Output names that survive the trip to another file system.
//!
//! A site built on Linux is often deployed from a Mac or to a Windows
//! host. There, `Post/` and `post/` are one folder, `café` in its two
//! Unicode forms (one `é`, or `e` and a combining accent) is one name, and
//! `con`, `nul`, `com1` or a name ending in a dot cannot exist at all. The
//! planner asks these functions about every output and warns, naming the
//! files, before a deploy silently loses a page.

use unicode_normalization::UnicodeNormalization as _;

/// Whether `path` is its own [`folded`] name (ASCII without capitals):
/// the common case, which needs no second name.
pub fn folds_to_itself(path: &str) -> bool {
    path.bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
}

/// The name two paths share where case and Unicode composition do not
/// count (macOS's APFS and HFS+, Windows' NTFS by default).
pub fn folded(path: &str) -> String {
    // ASCII is its own composed form: the common case skips the Unicode
    // tables (this runs for every output of every plan).
    if path.is_ascii() {
        return path.to_ascii_lowercase();
    }
    path.nfc().collect::<String>().to_lowercase()
}

/// Names Windows reserves for devices, with or without an extension.
const RESERVED: &[&str] = &[
    "con", "prn", "aux", "nul", "com0", "com1", "com2", "com3", "com4", "com5", "com6", "com7",
    "com8", "com9", "lpt0", "lpt1", "lpt2", "lpt3", "lpt4", "lpt5", "lpt6", "lpt7", "lpt8", "lpt9",
];

/// Why a segment of `path` cannot be a name on Windows, if one cannot.
pub fn windows_trouble(path: &str) -> Option<String> {
    if clearly_fine(path.as_bytes()) {
        return None;
    }
    path.split('/').find_map(segment_trouble)
}

/// One pass over the bytes that clears the common name (every output of
/// every plan is asked about): true only when no segment could be in
/// trouble; anything else goes to the exact test, [`segment_trouble`].
fn clearly_fine(path: &[u8]) -> bool {
    let mut start = 0;
    let mut stem_end = None;
    for (i, &b) in path.iter().enumerate() {
        match b {
            b'/' => {
                if !segment_fine(&path[start..i], stem_end) {
                    return false;
                }
                start = i + 1;
                stem_end = None;
            }
            b'.' if stem_end.is_none() => stem_end = Some(i - start),
            b':' | b'*' | b'|' | b'<' | b'>' | b'"' | b'?' => return false,
            _ => {}
        }
    }
    segment_fine(&path[start..], stem_end)
}

fn segment_fine(segment: &[u8], stem_end: Option<usize>) -> bool {
    let stem = &segment[..stem_end.unwrap_or(segment.len())];
    match (segment.last(), stem.last()) {
        (Some(b'.' | b' '), _) => false,
        // A stem that may end in white space (trimmed before the
        // reserved names are compared) is for the exact test.
        (_, Some(&b)) if b.is_ascii_whitespace() || !b.is_ascii() => false,
        _ => !may_be_reserved(stem),
    }
}

/// Whether `stem` could be one of the [`RESERVED`] names: three or four
/// bytes beginning `au`, `co`, `lp`, `nu` or `pr`, as every one does.
/// Dates, `page`, `tags` and most words are ruled out without a look at
/// the list.
fn may_be_reserved(stem: &[u8]) -> bool {
    matches!(stem.len(), 3 | 4)
        && matches!(
            [stem[0].to_ascii_lowercase(), stem[1].to_ascii_lowercase()],
            [b'a', b'u'] | [b'c', b'o'] | [b'l', b'p'] | [b'n', b'u'] | [b'p', b'r']
        )
}

fn segment_trouble(segment: &str) -> Option<String> {
    let bytes = segment.as_bytes();
    let stem = match memchr::memchr(b'.', bytes) {
        Some(dot) => &segment[..dot],
        None => segment,
    }
    .trim_end();
    if may_be_reserved(stem.as_bytes()) && RESERVED.iter().any(|r| r.eq_ignore_ascii_case(stem)) {
        return Some(format!("`{segment}` is a device name on Windows"));
    }
    if matches!(bytes.last(), Some(b'.' | b' ')) {
        return Some(format!(
            "`{segment}` ends with a dot or space, which Windows drops"
        ));
    }
    // The characters Windows refuses are ASCII: a byte search finds them.
    if let Some(&c) = bytes
        .iter()
        .find(|c| matches!(c, b':' | b'*' | b'|' | b'<' | b'>' | b'"' | b'?'))
    {
        let c = char::from(c);
        return Some(format!(
            "`{segment}` contains `{c}`, which Windows does not allow in names"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_and_unicode_forms_fold_together() {
        assert_eq!(folded("Post/index.html"), folded("post/index.html"));
        let composed = "caf\u{e9}/index.html";
        let decomposed = "cafe\u{301}/index.html";
        assert_ne!(composed, decomposed);
        assert_eq!(folded(composed), folded(decomposed));
        assert_ne!(folded("cafe/index.html"), folded(composed));
    }

    #[test]
    fn windows_names() {
        assert!(windows_trouble("con/index.html").is_some());
        assert!(windows_trouble("2009/AUX.html").is_some());
        assert!(windows_trouble("notes/nul.txt").is_some());
        assert!(windows_trouble("v1./index.html").is_some());
        assert!(windows_trouble("a:b/index.html").is_some());
        assert!(windows_trouble("console/index.html").is_none());
        assert!(windows_trouble("2009/03/03/com10/index.html").is_none());
        assert!(windows_trouble("tags/c/index.html").is_none());
        assert!(windows_trouble("a/Lpt3.txt").is_some());
        assert!(windows_trouble("a/PRN /index.html").is_some());
        assert!(windows_trouble("a/b?c.html").is_some());
        assert!(windows_trouble("tags/page/2023/index.html").is_none());
        assert!(windows_trouble("a/nul\u{3000}.txt").is_some());
        assert!(windows_trouble("a/con\t/index.html").is_some());
        assert!(windows_trouble("a/b.c./index.html").is_some());
        assert!(windows_trouble("a/b/").is_none());
    }

    #[test]
    fn every_reserved_name_is_found_past_the_quick_pass() {
        for name in RESERVED {
            for form in [name.to_string(), name.to_ascii_uppercase()] {
                for path in [
                    format!("{form}/index.html"),
                    format!("a/{form}.txt"),
                    format!("a/{form}"),
                ] {
                    assert!(!clearly_fine(path.as_bytes()), "{path}");
                    assert!(windows_trouble(&path).is_some(), "{path}");
                }
            }
        }
    }

    proptest::proptest! {
        /// The quick pass clears only names the exact test clears.
        #[test]
        fn the_quick_pass_never_clears_trouble(path in "[cCoOnNuUlLpPrRtTaAxXgGeE1. /:?\t\u{3000}é-]{0,16}") {
            if clearly_fine(path.as_bytes()) {
                proptest::prop_assert!(path.split('/').all(|s| segment_trouble(s).is_none()), "{path:?}");
            }
        }
    }
}

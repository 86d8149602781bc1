//! The manifest a build leaves in the output folder, and what it says
//! about the disk.
//!
//! The marker file [`MARKER`] says glossator wrote the folder, and lists
//! every file of the site with its fingerprint (see [`super::fingerprint`])
//! and the size and modification time the file had when it was put in
//! place. The next build rewrites a file when its fingerprint changed, and
//! also when the disk no longer holds what the manifest says: a file
//! missing, replaced by a folder, of another size, or with another
//! modification time and other bytes. Size and time cost one `lstat` per
//! file; the bytes are read only when the time changed and the size did
//! not (a `touch`, a copy that kept the size).
//!
//! Each file also carries the *key* of what it was rendered from (the
//! fingerprint of its template context, template and theme; see
//! `render::reads`), so the next build can find a page unchanged before
//! rendering it, and keep the file without making it again. A file with
//! no key (a copied file, or one from an older manifest) is rendered.
//!
//! Format, one file per line after a header: `hash key size mtime path`,
//! the hash and key as 32 hex digits (a key of 0: none), the time in
//! nanoseconds since 1970. Manifests of the second format (`hash size
//! mtime path`) are read with no keys, and of the first (`hash path`) with
//! size and time unknown too, so the first build after an upgrade renders
//! every page and compares bytes once.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

pub use crate::identity::Stamp;

/// The name of the marker file glossator leaves in folders it writes, so
/// it never replaces a folder it did not make. It also holds the manifest.
pub const MARKER: &str = ".glossator-output";

pub(super) const HEADER: &str = "# glossator output manifest v3: written by `glossator build`, which rewrites this folder (hash key size mtime path)";

/// How the header of each format begins.
const V2: &str = "# glossator output manifest v2";
const V3: &str = "# glossator output manifest v3";

/// What the manifest knows about one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Entry {
    pub hash: u128,
    /// What the file was rendered from; 0 when unknown or not rendered.
    pub key: u128,
    /// `None` when read from a first-format manifest.
    pub stamp: Option<Stamp>,
}

/// The manifest in `target`, empty when there is none or it is unreadable
/// (then every file is rewritten, which is always safe).
pub(super) fn read(target: &Path) -> HashMap<String, Entry> {
    let Ok(text) = fs::read_to_string(target.join(MARKER)) else {
        return HashMap::new();
    };
    let version = if text.starts_with(V3) {
        3
    } else if text.starts_with(V2) {
        2
    } else {
        1
    };
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| parse_line(l, version))
        .collect()
}

fn parse_line(line: &str, version: u8) -> Option<(String, Entry)> {
    let (hash, rest) = line.split_once(' ')?;
    let hash = u128::from_str_radix(hash, 16).ok()?;
    if version == 1 {
        return Some((
            rest.to_string(),
            Entry {
                hash,
                key: 0,
                stamp: None,
            },
        ));
    }
    let (key, rest) = if version >= 3 {
        let (key, rest) = rest.split_once(' ')?;
        (u128::from_str_radix(key, 16).ok()?, rest)
    } else {
        (0, rest)
    };
    // `size mtime path`; the path may hold spaces.
    let mut parts = rest.splitn(3, ' ');
    let size = parts.next()?.parse::<u64>().ok()?;
    let mtime = parts.next()?.parse::<u128>().ok()?;
    let path = parts.next()?;
    Some((
        path.to_string(),
        Entry {
            hash,
            key,
            stamp: Some(Stamp { size, mtime }),
        },
    ))
}

/// The manifest's text for `entries` (sorted by path).
pub(super) fn render(entries: &[(String, Entry)]) -> String {
    let mut text = String::with_capacity(entries.len() * 120 + HEADER.len() + 1);
    text.push_str(HEADER);
    text.push('\n');
    // Written field by field, not with `writeln!`: a site's manifest has a
    // line per file, made while every core but one waits, and the
    // formatting machinery took three times as long.
    let mut numbers = itoa::Buffer::new();
    for (path, entry) in entries {
        let stamp = entry.stamp.unwrap_or(Stamp { size: 0, mtime: 0 });
        push_hex(&mut text, entry.hash);
        text.push(' ');
        push_hex(&mut text, entry.key);
        text.push(' ');
        text.push_str(numbers.format(stamp.size));
        text.push(' ');
        text.push_str(numbers.format(stamp.mtime));
        text.push(' ');
        text.push_str(path);
        text.push('\n');
    }
    text
}

/// `n` as 32 lowercase hex digits, as `{:032x}` writes it.
fn push_hex(text: &mut String, n: u128) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut digits = [0u8; 32];
    for (i, d) in digits.iter_mut().enumerate() {
        *d = DIGITS[((n >> (124 - 4 * i)) & 0xf) as usize];
    }
    // Always ASCII: the test below reads every line back.
    if let Ok(hex) = std::str::from_utf8(&digits) {
        text.push_str(hex);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_fixed_width_hex_then_decimal_numbers() {
        let samples = [
            (0u128, 0u128, 0u64, 0u128),
            (u128::MAX, 1, u64::MAX, u128::MAX),
            (
                0x0123_4567_89ab_cdef_fedc_ba98_7654_3210,
                0xf0,
                4096,
                1_764_000_000_123_456_789,
            ),
        ];
        for (hash, key, size, mtime) in samples {
            let entry = Entry {
                hash,
                key,
                stamp: Some(Stamp { size, mtime }),
            };
            let text = render(&[("p/index.html".to_string(), entry)]);
            let line = text.lines().nth(1).unwrap();
            assert_eq!(
                line,
                format!("{hash:032x} {key:032x} {size} {mtime} p/index.html")
            );
            assert_eq!(
                parse_line(line, 3),
                Some(("p/index.html".to_string(), entry))
            );
        }
    }

    #[test]
    fn every_format_reads_and_paths_keep_their_spaces() {
        let dir = tempfile::tempdir().unwrap();
        let entries = vec![
            (
                "a b/index.html".to_string(),
                Entry {
                    hash: 7,
                    key: u128::MAX - 3,
                    stamp: Some(Stamp {
                        size: 12,
                        mtime: 1_700_000_000_123_456_789,
                    }),
                },
            ),
            (
                "12 34 x.txt".to_string(),
                Entry {
                    hash: 8,
                    key: 0,
                    stamp: Some(Stamp { size: 1, mtime: 2 }),
                },
            ),
        ];
        fs::write(dir.path().join(MARKER), render(&entries)).unwrap();
        let read_back = read(dir.path());
        assert_eq!(read_back.len(), 2);
        assert_eq!(read_back["a b/index.html"], entries[0].1);
        assert_eq!(read_back["12 34 x.txt"], entries[1].1);

        // The second format: no keys.
        fs::write(
            dir.path().join(MARKER),
            format!("{V2}: (hash size mtime path)\n{:032x} 12 34 a b.html\n", 9),
        )
        .unwrap();
        assert_eq!(
            read(dir.path())["a b.html"],
            Entry {
                hash: 9,
                key: 0,
                stamp: Some(Stamp {
                    size: 12,
                    mtime: 34
                })
            }
        );

        fs::write(
            dir.path().join(MARKER),
            format!(
                "# glossator output manifest v1\n{:032x} 12 34 old.html\n",
                9
            ),
        )
        .unwrap();
        let old = read(dir.path());
        assert_eq!(
            old["12 34 old.html"],
            Entry {
                hash: 9,
                key: 0,
                stamp: None
            }
        );
    }
}

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
//! Format, one file per line after a header: `hash size mtime path`, the
//! hash as 32 hex digits, the time in nanoseconds since 1970. Manifests of
//! the first format (`hash path`) are read with size and time unknown, so
//! the first build after an upgrade compares bytes once.

use std::collections::HashMap;
use std::fs;
use std::path::Path;

/// The name of the marker file glossator leaves in folders it writes, so
/// it never replaces a folder it did not make. It also holds the manifest.
pub const MARKER: &str = ".glossator-output";

pub(super) const HEADER: &str = "# glossator output manifest v2: written by `glossator build`, which rewrites this folder (hash size mtime path)";

/// What the manifest knows about one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Entry {
    pub hash: u128,
    /// `None` when read from a first-format manifest.
    pub stamp: Option<Stamp>,
}

/// A file's size and modification time, as the disk reports them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    pub size: u64,
    pub mtime: u128,
}

impl Stamp {
    pub fn of(meta: &fs::Metadata) -> Stamp {
        Stamp {
            size: meta.len(),
            mtime: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos()),
        }
    }
}

/// The manifest in `target`, empty when there is none or it is unreadable
/// (then every file is rewritten, which is always safe).
pub(super) fn read(target: &Path) -> HashMap<String, Entry> {
    let Ok(text) = fs::read_to_string(target.join(MARKER)) else {
        return HashMap::new();
    };
    let second = text.starts_with(&HEADER[..HEADER.find(':').unwrap_or(0)]);
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| parse_line(l, second))
        .collect()
}

fn parse_line(line: &str, second: bool) -> Option<(String, Entry)> {
    let (hash, rest) = line.split_once(' ')?;
    let hash = u128::from_str_radix(hash, 16).ok()?;
    if !second {
        return Some((rest.to_string(), Entry { hash, stamp: None }));
    }
    // `size mtime path`; the path may hold spaces.
    let mut parts = rest.splitn(3, ' ');
    let size = parts.next()?.parse::<u64>().ok()?;
    let mtime = parts.next()?.parse::<u128>().ok()?;
    let path = parts.next()?;
    Some((
        path.to_string(),
        Entry {
            hash,
            stamp: Some(Stamp { size, mtime }),
        },
    ))
}

/// The manifest's text for `entries` (sorted by path).
pub(super) fn render(entries: &[(String, Entry)]) -> String {
    use std::fmt::Write as _;
    let mut text = String::with_capacity(entries.len() * 80 + HEADER.len() + 1);
    text.push_str(HEADER);
    text.push('\n');
    for (path, entry) in entries {
        let stamp = entry.stamp.unwrap_or(Stamp { size: 0, mtime: 0 });
        let _ = writeln!(
            text,
            "{:032x} {} {} {path}",
            entry.hash, stamp.size, stamp.mtime
        );
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_formats_read_and_paths_keep_their_spaces() {
        let dir = tempfile::tempdir().unwrap();
        let entries = vec![
            (
                "a b/index.html".to_string(),
                Entry {
                    hash: 7,
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
                    stamp: Some(Stamp { size: 1, mtime: 2 }),
                },
            ),
        ];
        fs::write(dir.path().join(MARKER), render(&entries)).unwrap();
        let read_back = read(dir.path());
        assert_eq!(read_back.len(), 2);
        assert_eq!(read_back["a b/index.html"], entries[0].1);
        assert_eq!(read_back["12 34 x.txt"], entries[1].1);

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
                stamp: None
            }
        );
    }
}

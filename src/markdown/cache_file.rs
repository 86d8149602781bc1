//! The file format the caches under `.glossator/cache/` share, and how
//! they are written.
//!
//! A cache file is the line `MAGIC` (its kind and format version), then per
//! entry a 16-byte key, a little-endian `u32` length and that many bytes,
//! and last the XXH3-128 of everything before it, so a file cut short or
//! scrambled by a crash is refused whole (no `fsync` needed). It is
//! replaced atomically: written under a name of the process's own, then
//! renamed over the old one. The folder gets a `.gitignore` and a
//! `CACHEDIR.TAG`, so git and backup tools leave it be.

use std::io::Write as _;
use std::path::Path;

/// The entries of a cache file's bytes, in file order; `None` when the
/// file is damaged or is not of kind `magic`.
pub(crate) fn entries<'a>(bytes: &'a [u8], magic: &[u8]) -> Option<Vec<(u128, &'a [u8])>> {
    let (body, sum) = bytes.split_last_chunk::<16>()?;
    if xxhash_rust::xxh3::xxh3_128(body) != u128::from_le_bytes(*sum) {
        return None;
    }
    let mut rest = body.strip_prefix(magic)?;
    let mut out = Vec::new();
    while !rest.is_empty() {
        let (key, after) = rest.split_first_chunk::<16>()?;
        let (len, after) = after.split_first_chunk::<4>()?;
        let len = u32::from_le_bytes(*len) as usize;
        if after.len() < len {
            return None;
        }
        let (entry, after) = after.split_at(len);
        out.push((u128::from_le_bytes(*key), entry));
        rest = after;
    }
    Some(out)
}

/// Replaces the cache file `rel` (relative to the site at `root`) with
/// `entries`, in the order given.
pub(crate) fn write<'a>(
    root: &Path,
    rel: &str,
    magic: &[u8],
    entries: impl IntoIterator<Item = (u128, &'a [u8])>,
) -> std::io::Result<()> {
    let path = root.join(rel);
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return Err(std::io::Error::other(format!("{rel} names no file")));
    };
    if !dir.is_dir() {
        std::fs::create_dir_all(dir)?;
        // As pytest does for its cache.
        std::fs::write(
            dir.join(".gitignore"),
            "# glossator's cache: safe to delete, never commit it.\n*\n",
        )?;
        std::fs::write(
            dir.join("CACHEDIR.TAG"),
            "Signature: 8a477f597d28d172789f06886806bc55\n# glossator's cache: safe to delete.\n",
        )?;
    }
    // A name of this write's own (process and count), so two builds of one
    // site never write the same temporary file; the rename replaces the
    // cache in one step.
    static WRITES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = WRITES.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let tmp = dir.join(format!(
        ".{}.{}.{n}.tmp",
        name.to_string_lossy(),
        std::process::id()
    ));
    let written = std::fs::File::create(&tmp)
        .and_then(|f| write_entries(f, magic, entries))
        .and_then(|()| std::fs::rename(&tmp, &path));
    if let Err(e) = written {
        std::fs::remove_file(&tmp).ok();
        return Err(e);
    }
    Ok(())
}

/// Streams the framed entries and the checksum to `file`.
fn write_entries<'a>(
    file: std::fs::File,
    magic: &[u8],
    entries: impl IntoIterator<Item = (u128, &'a [u8])>,
) -> std::io::Result<()> {
    let mut out = std::io::BufWriter::with_capacity(1 << 16, file);
    let mut sum = xxhash_rust::xxh3::Xxh3::new();
    let mut put = |bytes: &[u8]| {
        sum.update(bytes);
        out.write_all(bytes)
    };
    put(magic)?;
    for (key, bytes) in entries {
        let len = u32::try_from(bytes.len()).map_err(std::io::Error::other)?;
        put(&key.to_le_bytes())?;
        put(&len.to_le_bytes())?;
        put(bytes)?;
    }
    out.write_all(&sum.digest128().to_le_bytes())?;
    out.into_inner()
        .map_err(std::io::IntoInnerError::into_error)?;
    Ok(())
}

/// Removes the cache file `rel`, if there is one.
pub(crate) fn remove(root: &Path, rel: &str) -> std::io::Result<()> {
    match std::fs::remove_file(root.join(rel)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Reads the cache file `rel` of the site at `root`, if there is one.
pub(crate) fn read(root: &Path, rel: &str) -> Option<Vec<u8>> {
    std::fs::read(root.join(rel)).ok()
}

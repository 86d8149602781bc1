//! Writing one file so that a reader, or a crash, sees the old file or the
//! new one, never half of either: the bytes go to a temporary file beside
//! it, which is then renamed over the target, or hard-linked to it when
//! the target must not exist yet (so two writers can never overwrite each
//! other). Used for files outside the output folder: imported content,
//! the comment queue and the files it publishes, the webmention record.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;

/// What to do when the target exists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    /// Replace it.
    Replace,
    /// Fail, leaving it as it is.
    New,
}

/// Whether the data must be on disk before the file appears.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sync {
    /// Synced first (a received comment: the sender was told it is kept).
    Durable,
    /// Left to the system (thousands of imported files).
    Lazy,
}

/// Writes `bytes` at `path` whole, making its folder if needed.
pub fn write_atomic(path: &Path, bytes: &[u8], place: Place, sync: Sync) -> anyhow::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).with_context(|| format!("cannot make {}", dir.display()))?;
    let mut suffix = [0u8; 6];
    getrandom::fill(&mut suffix).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let temp = dir.join(format!(
        ".{}.{}.tmp",
        path.file_name().unwrap_or_default().to_string_lossy(),
        suffix
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect::<String>()
    ));
    let result = (|| {
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)?;
        file.write_all(bytes)?;
        if sync == Sync::Durable {
            file.sync_all()?;
        }
        match place {
            Place::Replace => std::fs::rename(&temp, path),
            Place::New => {
                let linked = std::fs::hard_link(&temp, path);
                let _ = std::fs::remove_file(&temp);
                linked
            }
        }
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    result.with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_files_are_never_overwritten_and_no_temporary_file_stays() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let path = dir.path().join("a/b.txt");
        write_atomic(&path, b"one", Place::New, Sync::Durable).unwrap_or_else(|e| panic!("{e}"));
        assert!(write_atomic(&path, b"two", Place::New, Sync::Lazy).is_err());
        assert_eq!(std::fs::read(&path).unwrap_or_default(), b"one");
        write_atomic(&path, b"three", Place::Replace, Sync::Lazy).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(std::fs::read(&path).unwrap_or_default(), b"three");
        let names: Vec<_> = std::fs::read_dir(dir.path().join("a"))
            .unwrap_or_else(|e| panic!("{e}"))
            .filter_map(Result::ok)
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, ["b.txt"]);
    }
}

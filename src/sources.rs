//! The `sources/` folder as the build sees it: where snapshots of quoted
//! pages live, the change marks `check --refresh` leaves beside them, and
//! which front matter `snapshot` paths are allowed. Taking and comparing
//! snapshots is `cite`'s; this is what the config, content and render
//! stages read.

use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

/// The folder of snapshots, at the site root.
pub const SOURCES_DIR: &str = "sources";

/// What `check --refresh` found when it last read a snapshotted page
/// again and it differed: kept beside the snapshot as
/// `<snapshot>.changed.toml`, read by the build so a theme can say "this
/// source has changed since", and removed when the page reads as the
/// snapshot again.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeMark {
    /// When the change was found (RFC 3339, UTC).
    pub found: String,
    /// `changed`, `moved` or `gone`.
    pub what: String,
    /// The short paragraph diff, or where it moved, or the status.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

/// Where the change mark of the snapshot at `rel` is kept.
pub fn change_mark_path(rel: &Path) -> PathBuf {
    rel.with_extension("changed.toml")
}

/// What the build reads of `root/sources/`: every change mark, by its
/// snapshot's path (site-relative), and every snapshot file (absolute and
/// site-relative `/`-separated paths). A mark that cannot be read is
/// skipped: it is only a hint to readers, and the next `--refresh`
/// writes it again.
#[derive(Debug, Clone, Default)]
pub struct SourcesDir {
    pub marks: std::collections::BTreeMap<PathBuf, ChangeMark>,
    pub snapshots: Vec<(PathBuf, String)>,
}

/// Reads `root/sources/` once (nothing when there is none).
pub fn read_sources_dir(root: &Path) -> SourcesDir {
    let dir = root.join(SOURCES_DIR);
    let mut out = SourcesDir::default();
    if !dir.is_dir() {
        return out;
    }
    for entry in walkdir::WalkDir::new(&dir)
        .sort_by_file_name()
        .into_iter()
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
    {
        let (Some(name), Ok(rel)) = (entry.file_name().to_str(), entry.path().strip_prefix(root))
        else {
            continue;
        };
        if crate::files::is_ignored_name(name) {
            continue;
        }
        if let Some(stem) = name.strip_suffix(".changed.toml") {
            let mark = std::fs::read_to_string(entry.path())
                .ok()
                .and_then(|t| toml::from_str::<ChangeMark>(&t).ok());
            if let Some(mark) = mark {
                out.marks
                    .insert(rel.with_file_name(format!("{stem}.txt")), mark);
            }
        } else if name.ends_with(".txt") {
            let web: Vec<&str> = rel.iter().filter_map(|c| c.to_str()).collect();
            out.snapshots
                .push((entry.path().to_path_buf(), web.join("/")));
        }
    }
    out
}

/// A front matter `snapshot` value, checked: a relative path under
/// `sources/` with no `..`.
pub fn checked_path(value: &str) -> Result<PathBuf, String> {
    let path = Path::new(value);
    let safe = path.components().all(|c| matches!(c, Component::Normal(_)));
    if !safe || !path.starts_with(SOURCES_DIR) {
        return Err(format!(
            "a snapshot is a path under `{SOURCES_DIR}/`, as `glossator cite` writes it (not `{value}`)"
        ));
    }
    Ok(path.to_path_buf())
}

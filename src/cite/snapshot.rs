//! A source as it read when the writer quoted it: one file under
//! `sources/`, never published.
//!
//! The file is TOML front matter between `+++` lines (where the page was
//! asked for and found, its metadata, when it was read) and then the
//! article's text, one paragraph per block separated by blank lines: a
//! writer can open it, read it, and diff two of them. Files are named
//! `sources/<host>/<page>/<retrieved>.txt`, so the snapshots of one page
//! sit together, oldest first.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

pub use crate::sources::{
    ChangeMark, SOURCES_DIR, SourcesDir, change_mark_path, checked_path, read_sources_dir,
};

/// What is known of a page besides its text.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Meta {
    /// The address asked for.
    pub url: String,
    /// Where the page was found, after redirects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub final_url: Option<String>,
    /// Each address a redirect went to, in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub redirects: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub canonical: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub publication: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified: Option<String>,
    /// When it was read (RFC 3339, UTC).
    pub retrieved: String,
}

/// A snapshot: metadata and paragraphs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub meta: Meta,
    pub paragraphs: Vec<String>,
}

impl Snapshot {
    /// The file's text.
    pub fn to_text(&self) -> String {
        let meta = toml::to_string(&self.meta).unwrap_or_default();
        let mut out = format!("+++\n{meta}+++\n");
        for p in &self.paragraphs {
            out.push('\n');
            out.push_str(p);
            out.push('\n');
        }
        out
    }

    /// Reads a snapshot's text; the error says what is wrong and where
    /// (1-based line and column).
    pub fn parse(text: &str) -> Result<Snapshot, (String, usize, usize)> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let Some(rest) = text.strip_prefix("+++\n") else {
            return Err((
                "a snapshot starts with a `+++` line, then its metadata".into(),
                1,
                1,
            ));
        };
        let (meta_text, body) = if let Some(i) = rest.find("\n+++\n") {
            (&rest[..=i], &rest[i + 5..])
        } else if let Some(meta) = rest.strip_suffix("\n+++") {
            (meta, "")
        } else if let Some(body) = rest.strip_prefix("+++\n") {
            ("", body)
        } else {
            return Err(("the metadata has no closing `+++` line".into(), 1, 1));
        };
        let meta: Meta = toml::from_str(meta_text).map_err(|e| {
            let (line, col) = e
                .span()
                .map(|s| crate::diagnostic::line_col(meta_text, s.start))
                .unwrap_or((1, 1));
            (e.message().to_string(), line + 1, col)
        })?;
        let paragraphs = body
            .split("\n\n")
            .map(|p| p.split_whitespace().collect::<Vec<_>>().join(" "))
            .filter(|p| !p.is_empty())
            .collect();
        Ok(Snapshot { meta, paragraphs })
    }

    /// The whole text in the matcher's shape.
    pub fn folded(&self) -> String {
        super::matching::fold(&self.paragraphs.join("\n"))
    }
}

/// Where a new snapshot of `url` read at `stamp` goes, relative to the
/// site root: `sources/<host>/<page>/<stamp>.txt`, each part made safe.
pub fn path_for(url: &url::Url, stamp: &jiff::Timestamp) -> PathBuf {
    let host = slug::slugify(url.host_str().unwrap_or("page"));
    let page = url
        .path_segments()
        .and_then(|mut s| s.rfind(|seg| !seg.is_empty()).map(str::to_string))
        .map(|seg| {
            seg.trim_end_matches(".html")
                .trim_end_matches(".htm")
                .to_string()
        })
        .map(slug::slugify)
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "index".to_string());
    let name = stamp.strftime("%Y-%m-%dT%H%M%SZ").to_string();
    Path::new(SOURCES_DIR)
        .join(host)
        .join(page)
        .join(format!("{name}.txt"))
}

/// `rel`, or `rel` with `-2`, `-3`... before its extension when a
/// snapshot of the same page was already taken that second.
pub fn free_path(root: &Path, rel: &Path) -> PathBuf {
    if !root.join(rel).exists() {
        return rel.to_path_buf();
    }
    let stem = rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    (2..)
        .map(|n| rel.with_file_name(format!("{stem}-{n}.txt")))
        .find(|p| !root.join(p).exists())
        .unwrap_or_else(|| rel.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_snapshot_reads_back_as_written() {
        let s = Snapshot {
            meta: Meta {
                url: "https://e.com/a".into(),
                title: Some("A \"title\"".into()),
                retrieved: "2026-03-03T13:30:00Z".into(),
                redirects: vec!["https://e.com/b".into()],
                ..Meta::default()
            },
            paragraphs: vec!["One.".into(), "Two +++ lines.".into()],
        };
        assert_eq!(Snapshot::parse(&s.to_text()).unwrap(), s);
    }

    #[test]
    fn a_damaged_snapshot_says_where() {
        let (msg, line, _) = Snapshot::parse("+++\nurl = 3\n+++\n\nText\n").unwrap_err();
        assert!(msg.contains("string"), "{msg}");
        assert_eq!(line, 2);
        assert!(Snapshot::parse("no front matter").is_err());
        assert!(Snapshot::parse("+++\nurl = \"x\"\n").is_err());
    }

    #[test]
    fn change_marks_are_found_by_their_snapshot() {
        let root = tempfile::tempdir().unwrap();
        let rel = Path::new("sources/e-com/a/2026-03-03T133000Z.txt");
        std::fs::create_dir_all(root.path().join("sources/e-com/a")).unwrap();
        let mark = ChangeMark {
            found: "2026-03-04T10:00:00Z".into(),
            what: "changed".into(),
            details: vec!["+ New.".into()],
        };
        std::fs::write(
            root.path().join(change_mark_path(rel)),
            toml::to_string(&mark).unwrap(),
        )
        .unwrap();
        std::fs::write(root.path().join(rel), "+++\n+++\n").unwrap();
        let found = read_sources_dir(root.path());
        assert_eq!(found.marks.get(rel), Some(&mark));
        assert_eq!(found.snapshots.len(), 1);
        assert_eq!(
            found.snapshots[0].1,
            "sources/e-com/a/2026-03-03T133000Z.txt"
        );
    }

    #[test]
    fn paths_stay_under_sources() {
        let u = url::Url::parse("https://News.Example.com/2026/03/story.html?x=1").unwrap();
        let t: jiff::Timestamp = "2026-03-03T13:30:00Z".parse().unwrap();
        assert_eq!(
            path_for(&u, &t),
            Path::new("sources/news-example-com/story/2026-03-03T133000Z.txt")
        );
        assert!(checked_path("sources/a/b.txt").is_ok());
        for bad in [
            "../x.txt",
            "sources/../../etc/passwd",
            "/etc/passwd",
            "content/x",
        ] {
            assert!(checked_path(bad).is_err(), "{bad}");
        }
    }
}

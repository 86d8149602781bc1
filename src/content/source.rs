//! Finding and reading the site's input files.
//!
//! [`walk_sources`] walks `content/` and `static/` (or any part of them)
//! with walkdir and says what each file is for ([`Role`]): a post, a page,
//! a comment, a file beside a bundled post, or a static file.
//! [`read_sources`] reads the Markdown ones, in parallel,
//! with CRLF folded to LF and a UTF-8 BOM dropped, so later stages see one
//! shape of text and line numbers stay those of the file. Hidden files and
//! editor droppings are skipped by [`is_ignored_name`], which the watcher in
//! `serve` shares so both agree on what is content.

use std::path::{Component, Path, PathBuf};

use rayon::prelude::*;
use walkdir::WalkDir;

use crate::diagnostic::{Diagnostic, Diagnostics};
pub use crate::files::{ReadError, decode_text, is_ignored_name, is_ignored_path, read_text};

/// What an input file is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Role {
    /// `content/posts/slug.md`, `content/posts/YYYY-MM-DD-slug.md` or
    /// `content/posts/slug/index.md`.
    Post,
    /// `content/pages/about.md` or `content/pages/about/index.md`.
    Page,
    /// `content/comments/<post-slug>/<id>.md`.
    Comment { post_slug: String },
    /// A file beside a bundle's `index.md`; `bundle` is the bundle folder
    /// (site-relative) and the file is copied beside the rendered page.
    BundleAsset { bundle: PathBuf },
    /// A file under `static/`, copied to the same path in the output.
    Static,
    /// `content/redirects.toml` or `content/redirects/*.toml`: old paths
    /// and where they now live.
    Redirects,
}

/// One input file.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Relative to the site root, e.g. `content/posts/hello.md`.
    pub rel: PathBuf,
    /// Where to read it.
    pub abs: PathBuf,
    pub role: Role,
    /// The text, for Markdown files; `None` for files that are only copied.
    pub text: Option<String>,
}

/// A file found by a walk, not read yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub rel: PathBuf,
    pub abs: PathBuf,
    pub role: Role,
}

/// Walks `start` (a folder under the site root, or a file) and says what
/// each file is for. Nothing is read.
pub fn walk_sources(root: &Path, start: &Path) -> (Vec<Found>, Diagnostics) {
    let mut diagnostics = Diagnostics::new();
    let mut found = Vec::new();
    if !start.exists() && start.symlink_metadata().is_err() {
        return (found, diagnostics);
    }
    let canonical_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    // `start` itself (or a folder above it) may be a link: walkdir follows
    // the root it is given, so check where it leads first.
    if let Ok(real) = start.canonicalize()
        && !real.starts_with(&canonical_root)
    {
        diagnostics.push(
            Diagnostic::warning(
                relative(root, start),
                format!(
                    "symlink points outside the site ({}): skipped",
                    real.display()
                ),
            )
            .with_hint("copy the files into the site instead of linking them"),
        );
        return (found, diagnostics);
    }
    let walker = WalkDir::new(start)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || e.file_name().to_str().is_some_and(|n| !is_ignored_name(n))
        });
    for entry in walker {
        let entry = match entry {
            Ok(e) => e,
            Err(e) => {
                let path = e
                    .path()
                    .map(|p| relative(root, p))
                    .unwrap_or_else(|| relative(root, start));
                diagnostics.push(Diagnostic::error(path, format!("cannot read: {e}")));
                continue;
            }
        };
        let abs = entry.path().to_path_buf();
        let rel = relative(root, &abs);
        if is_ignored_path(&rel) {
            continue;
        }
        let file_type = entry.file_type();
        let is_file = if file_type.is_symlink() {
            match symlink_target_inside(&abs, &canonical_root) {
                Ok(target) => target.is_file(),
                Err(message) => {
                    diagnostics.push(
                        Diagnostic::warning(&rel, message)
                            .with_hint("copy the file into the site instead of linking it"),
                    );
                    false
                }
            }
        } else {
            file_type.is_file()
        };
        if !is_file {
            continue;
        }
        match classify(&rel) {
            Some(role) => found.push(Found { rel, abs, role }),
            None => diagnostics.push(
                Diagnostic::warning(&rel, "not a post, page, comment or redirect file: ignored")
                    .with_hint(
                        "put posts in content/posts/, pages in content/pages/, \
                         comments in content/comments/<post-slug>/, redirects in content/redirects.toml",
                    ),
            ),
        }
    }
    (found, diagnostics)
}

/// Reads the text of found files, in parallel; files that are only copied
/// are not read. A file that cannot be read yields its diagnostic instead.
pub fn read_sources(found: Vec<Found>) -> Vec<Result<SourceFile, Box<Diagnostic>>> {
    found
        .into_par_iter()
        // Short runs keep both threads busy to the end (files differ in size).
        .with_max_len(4)
        .map(|Found { rel, abs, role }| {
            let needs_text = matches!(
                role,
                Role::Post | Role::Page | Role::Comment { .. } | Role::Redirects
            );
            let text = if needs_text {
                Some(read_text(&abs).map_err(|e| Box::new(e.into_diagnostic(&rel)))?)
            } else {
                None
            };
            Ok(SourceFile {
                rel,
                abs,
                role,
                text,
            })
        })
        .collect()
}

impl SourceFile {
    /// A hash of the file's path and text: what a post, page or comment is
    /// made from, so caches can tell when it changed.
    pub fn content_hash(&self) -> u64 {
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        h.update(self.rel.as_os_str().as_encoded_bytes());
        h.update(&[0]);
        h.update(self.text.as_deref().unwrap_or("").as_bytes());
        h.digest()
    }
}

/// Where a site-relative path belongs.
pub fn classify(rel: &Path) -> Option<Role> {
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => n.to_str(),
            _ => None,
        })
        .collect();
    let is_md = rel
        .extension()
        .is_some_and(|e| e == "md" || e == "markdown");
    match parts.as_slice() {
        ["static", ..] => Some(Role::Static),
        ["content", "posts", rest @ ..] | ["content", "pages", rest @ ..] if !rest.is_empty() => {
            let is_post = parts[1] == "posts";
            if is_md {
                return Some(if is_post { Role::Post } else { Role::Page });
            }
            // A non-Markdown file: an asset when it sits in a bundle folder.
            if rest.len() >= 2 {
                let bundle: PathBuf = parts[..parts.len() - 1].iter().collect();
                return Some(Role::BundleAsset { bundle });
            }
            None
        }
        ["content", "redirects.toml"] => Some(Role::Redirects),
        ["content", "redirects", file] if file.ends_with(".toml") => Some(Role::Redirects),
        ["content", "comments", post_slug, _file] if is_md => Some(Role::Comment {
            post_slug: (*post_slug).to_string(),
        }),
        _ => None,
    }
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// Follows a symlink and accepts it only when it stays inside the site.
fn symlink_target_inside(link: &Path, canonical_root: &Path) -> Result<PathBuf, String> {
    let target = link
        .canonicalize()
        .map_err(|e| format!("broken or looping symlink: {e}"))?;
    if target.starts_with(canonical_root) {
        Ok(target)
    } else {
        Err(format!(
            "symlink points outside the site ({}): skipped",
            target.display()
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ignored_names() {
        for name in [
            ".hidden.md",
            "post.md~",
            "#post.md#",
            ".post.md.swp",
            "post.md.swp",
            "post.md.tmp",
            "post.md___jb_tmp___",
            "post.md___jb_old___",
            "4913",
            ".#post.md",
        ] {
            assert!(is_ignored_name(name), "{name} should be ignored");
        }
        for name in ["post.md", "2009-03-03-x.md", "photo.jpg", "index.md"] {
            assert!(!is_ignored_name(name), "{name} should not be ignored");
        }
    }

    #[test]
    fn classify_paths() {
        let cases: &[(&str, Option<Role>)] = &[
            ("content/posts/a.md", Some(Role::Post)),
            ("content/posts/2009-03-03-a.md", Some(Role::Post)),
            ("content/posts/a/index.md", Some(Role::Post)),
            (
                "content/posts/a/photo.jpg",
                Some(Role::BundleAsset {
                    bundle: PathBuf::from("content/posts/a"),
                }),
            ),
            ("content/posts/stray.jpg", None),
            ("content/pages/about.md", Some(Role::Page)),
            (
                "content/comments/a/1.md",
                Some(Role::Comment {
                    post_slug: "a".into(),
                }),
            ),
            ("content/comments/1.md", None),
            ("content/readme.md", None),
            ("static/style.css", Some(Role::Static)),
            ("content/redirects.toml", Some(Role::Redirects)),
            ("content/redirects/wordpress.toml", Some(Role::Redirects)),
            ("content/redirects/notes.md", None),
        ];
        for (path, role) in cases {
            assert_eq!(&classify(Path::new(path)), role, "{path}");
        }
    }

    #[test]
    fn decode_drops_bom_and_crlf() {
        let text = decode_text(b"\xef\xbb\xbf+++\r\ntitle = 1\r\n+++\r\n".to_vec()).unwrap();
        assert_eq!(text, "+++\ntitle = 1\n+++\n");
    }

    #[test]
    fn decode_reports_where_utf8_breaks() {
        let err = decode_text(b"line one\nab\xff".to_vec()).unwrap_err();
        assert_eq!(err.position, Some((2, 3)));
        assert!(err.message.contains("not UTF-8"));
        let utf16: Vec<u8> = "+++\ntitle"
            .encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect();
        let err = decode_text(utf16).unwrap_err();
        assert!(
            err.message.contains("NUL byte (at offset 1)"),
            "{}",
            err.message
        );
    }
}

//! Which files are inputs, and how their bytes become text.
//!
//! Hidden files and editor droppings are never content ([`is_ignored_name`]:
//! the walkers of `content/`, `static/`, themes and `sources/` and the
//! watcher in `serve` all ask it). A text file is read as UTF-8 with a BOM
//! dropped, CRLF folded to LF and the characters HTML forbids removed
//! ([`decode_text`]), so every later stage sees one shape of text and line
//! numbers stay those of the file.

use std::path::{Component, Path};

use crate::diagnostic::{Diagnostic, line_col};

/// Names that are never content: hidden files, editor swap, backup and
/// temp files (vim, emacs, JetBrains, VS Code and others).
pub fn is_ignored_name(name: &str) -> bool {
    name.starts_with('.')
        || name.ends_with('~')
        || (name.starts_with('#') && name.ends_with('#'))
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || name.ends_with(".bak")
        || name.ends_with(".crdownload")
        || name.ends_with(".kate-swp")
        || name.contains("___jb_")
        || name == "4913"
        || name == "Thumbs.db"
}

/// True when any component of `rel` is an ignored name.
pub fn is_ignored_path(rel: &Path) -> bool {
    rel.components().any(|c| match c {
        Component::Normal(n) => n.to_str().is_none_or(is_ignored_name),
        _ => false,
    })
}

/// Why a text file could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    pub message: String,
    pub position: Option<(usize, usize)>,
    pub hint: &'static str,
}

impl ReadError {
    pub fn into_diagnostic(self, rel: &Path) -> Diagnostic {
        Diagnostic::error(rel, self.message)
            .at_opt(self.position)
            .with_hint(self.hint)
    }
}

/// What a read error says when the process ran out of file descriptors
/// (`serve` looks for it, to try again).
pub const TOO_MANY_FILES: &str = "too many files are open";

/// Reads a text file: UTF-8 required, BOM dropped, CRLF folded to LF.
pub fn read_text(path: &Path) -> Result<String, ReadError> {
    let bytes = std::fs::read(path).map_err(|e| match e.raw_os_error() {
        // EMFILE, ENFILE: nothing wrong with the file.
        Some(23 | 24) => ReadError {
            message: format!("cannot read the file: {TOO_MANY_FILES} ({e})"),
            position: None,
            hint: "close programs that hold many files, or raise the limit (`ulimit -n`); `glossator serve` tries again by itself",
        },
        _ if e.kind() == std::io::ErrorKind::PermissionDenied => ReadError {
            message: format!("cannot read the file: {e}"),
            position: None,
            hint: "check the file's permissions",
        },
        _ => ReadError {
            message: format!("cannot read the file: {e}"),
            position: None,
            hint: "check that the file exists and is readable",
        },
    })?;
    decode_text(bytes)
}

/// The decoding half of [`read_text`], for bytes already in memory.
pub fn decode_text(bytes: Vec<u8>) -> Result<String, ReadError> {
    let mut text = match String::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            let valid_up_to = e.utf8_error().valid_up_to();
            let bytes = e.into_bytes();
            let prefix = String::from_utf8_lossy(&bytes[..valid_up_to]);
            let position = line_col(&prefix, prefix.len());
            return Err(ReadError {
                message: format!("the file is not UTF-8 (invalid byte at offset {valid_up_to})"),
                position: Some(position),
                hint: "save the file as UTF-8 (most editors have an \"encoding\" option)",
            });
        }
    };
    // Valid UTF-8, but text has no NUL: a binary file, or UTF-16. (This
    // search and the one for CR below read every byte of every file:
    // memchr takes many bytes a step, where `str::find(char)` took about
    // one instruction a byte.)
    if let Some(at) = memchr::memchr(0, text.as_bytes()) {
        return Err(ReadError {
            message: format!(
                "the file holds a NUL byte (at offset {at}): it is not text, or it is saved as UTF-16"
            ),
            position: Some(line_col(&text, at)),
            hint: "save the file as UTF-8 text (most editors have an \"encoding\" option)",
        });
    }
    if text.starts_with('\u{feff}') {
        text.drain(..'\u{feff}'.len_utf8());
    }
    if memchr::memchr(b'\r', text.as_bytes()).is_some() {
        text = text.replace("\r\n", "\n");
    }
    // Control characters and noncharacters (a paste from a terminal or a
    // PDF) are forbidden in HTML: they go here, once, from titles and
    // text alike.
    if let std::borrow::Cow::Owned(clean) = crate::markdown::without_forbidden(&text) {
        text = clean;
    }
    Ok(text)
}

//! Redirect files: old addresses that belong to no post or page.
//!
//! `content/redirects.toml` and `content/redirects/*.toml` map an old path
//! to where it now lives: `"/category/news/local/" = "/category/local/"`.
//! Importers write them for tag, category and attachment pages whose
//! address changed; a writer can add their own. Each becomes a redirect
//! page like a post's `aliases`, and takes part in the same collision
//! checks.

use std::path::PathBuf;

use crate::content::source::SourceFile;
use crate::diagnostic::{Diagnostic, LineIndex};
use crate::urls::check_url;
use crate::urls::{ALIAS_HINT, alias_url};

/// One redirect.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Redirect {
    /// The old site path, normalized (`/old/`).
    pub from: String,
    /// A site path (`/new/`) or an http(s) URL.
    pub to: String,
    pub source: PathBuf,
    pub line: usize,
}

/// A redirect file, read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedirectFile {
    pub source: PathBuf,
    pub source_hash: u64,
    pub redirects: Vec<Redirect>,
}

/// Reads one redirect file; each bad entry is reported at its line and
/// left out, the rest kept.
pub fn parse_redirects(file: &SourceFile) -> (Option<RedirectFile>, Vec<Diagnostic>) {
    let text = file.text.as_deref().unwrap_or("");
    let lines = LineIndex::new(text);
    let mut problems = Vec::new();
    let table = match toml::de::DeTable::parse(text) {
        Ok(t) => t.into_inner(),
        Err(e) => {
            let (line, col) = e.span().map_or((1, 1), |s| lines.line_col(s.start));
            return (
                None,
                vec![
                    Diagnostic::error(
                        &file.rel,
                        format!("in a redirect file: {}", e.message().trim()),
                    )
                    .at(line, col)
                    .with_hint("each line is \"/old/path/\" = \"/new/path/\""),
                ],
            );
        }
    };
    let mut redirects = Vec::new();
    for (key, value) in table {
        let (line, col) = lines.line_col(key.span().start);
        let from = match alias_url(key.get_ref()) {
            Ok(p) => p,
            Err(message) => {
                problems.push(
                    Diagnostic::error(&file.rel, message)
                        .at(line, col)
                        .with_hint(ALIAS_HINT),
                );
                continue;
            }
        };
        let (vline, vcol) = lines.line_col(value.span().start);
        let Some(to) = value.get_ref().as_str().map(str::trim) else {
            problems.push(
                Diagnostic::error(
                    &file.rel,
                    format!("the redirect from {from} should name a path or URL"),
                )
                .at(vline, vcol)
                .with_hint("write \"/old/path/\" = \"/new/path/\""),
            );
            continue;
        };
        let is_path = to.starts_with('/') && !to.starts_with("//");
        let is_web = to.starts_with("http://") || to.starts_with("https://");
        if !(is_path || is_web) || check_url(to).is_err() {
            problems.push(
                Diagnostic::error(
                    &file.rel,
                    format!("the redirect from {from} goes to `{}`, which is not a site path or an http(s) URL", to.escape_debug()),
                )
                .at(vline, vcol)
                .with_hint("write a path of this site (/new/path/) or an http(s) address"),
            );
            continue;
        }
        redirects.push(Redirect {
            from,
            to: to.to_string(),
            source: file.rel.clone(),
            line,
        });
    }
    (
        Some(RedirectFile {
            source: file.rel.clone(),
            source_hash: file.content_hash(),
            redirects,
        }),
        problems,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::source::Role;

    #[test]
    fn redirects_are_read_and_bad_ones_reported_at_their_line() {
        let file = SourceFile {
            rel: "content/redirects.toml".into(),
            abs: "content/redirects.toml".into(),
            role: Role::Redirects,
            text: Some(
                "\"/tag/a/\" = \"/tags/a/\"\n\"category/x\" = \"https://e.example/x/\"\n\"/bad/\" = \"javascript:alert(1)\"\n\"/../up/\" = \"/x/\"\n".into(),
            ),
        };
        let (parsed, problems) = parse_redirects(&file);
        let r = parsed.unwrap().redirects;
        assert_eq!(r.len(), 2);
        assert_eq!(
            (r[1].from.as_str(), r[1].to.as_str()),
            ("/category/x/", "https://e.example/x/")
        );
        let at: Vec<Option<usize>> = problems.iter().map(|d| d.line).collect();
        assert_eq!(at, [Some(3), Some(4)]);
    }
}

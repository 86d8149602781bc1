//! User-facing problems found while building a site.
//!
//! A [`Diagnostic`] is a user mistake (or a warning about one) located in a
//! file: `path:line:col: message` plus a hint saying what to do. Stages never
//! stop at the first problem: they collect every diagnostic they find into a
//! [`Diagnostics`] list and the build decides afterwards whether to go on.
//! Keeping the location as structure (not baked into a string) lets the CLI
//! print it, the preview server show it with a code frame in the browser, and
//! tests assert on it.

use std::fmt;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is: errors fail the build, warnings do not, and
/// notes only say what was not checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Note,
    Warning,
    Error,
}

/// One problem in one place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// The file the problem is in, relative to the site root where possible.
    pub path: PathBuf,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column (in characters), when known.
    pub col: Option<usize>,
    pub message: String,
    /// What the writer can do about it.
    pub hint: Option<String>,
    /// A name for lints that `glossator check` treats as errors
    /// (`unknown-source`, `unused-source`, ...).
    pub code: Option<&'static str>,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            line: None,
            col: None,
            message: message.into(),
            hint: None,
            code: None,
        }
    }

    pub fn warning(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, message)
        }
    }

    pub fn note(path: impl Into<PathBuf>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Note,
            ..Diagnostic::error(path, message)
        }
    }

    /// Sets the 1-based line and column.
    pub fn at(mut self, line: usize, col: usize) -> Self {
        self.line = Some(line);
        self.col = Some(col);
        self
    }

    /// Sets the location from an optional position, leaving it unset for `None`.
    pub fn at_opt(mut self, position: Option<(usize, usize)>) -> Self {
        if let Some((line, col)) = position {
            self.line = Some(line);
            self.col = Some(col);
        }
        self
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_code(mut self, code: &'static str) -> Self {
        self.code = Some(code);
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }

    /// `path:line:col` as printed in front of the message.
    pub fn location(&self) -> String {
        let path = self.path.display();
        match (self.line, self.col) {
            (Some(line), Some(col)) => format!("{path}:{line}:{col}"),
            (Some(line), None) => format!("{path}:{line}"),
            _ => format!("{path}"),
        }
    }

    /// The offending lines of `source` with a marker under the column, for
    /// the terminal and the browser overlay. `None` without a line number.
    /// Long lines show a window of [`FRAME_WIDTH`] characters around the
    /// column (a 100 KB line must not print 100 KB per error), and control
    /// characters show as `�`, so a file cannot drive the terminal.
    pub fn code_frame(&self, source: &str) -> Option<String> {
        let line = self.line?;
        if line == 0 {
            return None;
        }
        let first = line.saturating_sub(2).max(1);
        let shown: Vec<(usize, &str)> = source
            .lines()
            .enumerate()
            .skip(first - 1)
            .take(line + 2 - first)
            .map(|(i, l)| (i + 1, l))
            .collect();
        if !shown.iter().any(|(n, _)| *n == line) {
            return None;
        }
        let last = shown.last().map_or(line, |(n, _)| *n);
        let width = last.to_string().len();
        let col = self.col.unwrap_or(1).max(1);
        // The same window on every line, so the marker lines up.
        let start = col.saturating_sub(FRAME_WIDTH / 2 + 1);
        let mut out = String::new();
        for (n, text) in shown {
            let chars = text.chars().count();
            let cut_before = start > 0 && chars > start;
            let window: String = text
                .chars()
                .skip(start)
                .take(FRAME_WIDTH)
                .map(|c| {
                    if c.is_control() && c != '\t' {
                        '\u{fffd}'
                    } else {
                        c
                    }
                })
                .collect();
            let cut_after = chars > start + FRAME_WIDTH;
            out.push_str(&format!(
                "{n:>width$} | {}{window}{}\n",
                if cut_before { "…" } else { "" },
                if cut_after { "…" } else { "" }
            ));
            if n == line {
                let pad: String = text
                    .chars()
                    .skip(start)
                    .take(col - 1 - start.min(col - 1))
                    .map(|c| if c == '\t' { '\t' } else { ' ' })
                    .collect();
                let lead = if cut_before { " " } else { "" };
                out.push_str(&format!("{:>width$} | {lead}{pad}^\n", ""));
            }
        }
        Some(out)
    }
}

/// How many characters of a long line a code frame shows.
pub const FRAME_WIDTH: usize = 120;

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Note => "note",
        };
        write!(f, "{}: {label}: {}", self.location(), self.message)?;
        if let Some(hint) = &self.hint {
            write!(f, "\n  hint: {hint}")?;
        }
        Ok(())
    }
}

/// The diagnostics a stage collected, in the order found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnostics(Vec<Diagnostic>);

impl Diagnostics {
    pub fn new() -> Self {
        Diagnostics(Vec::new())
    }

    pub fn push(&mut self, diagnostic: Diagnostic) {
        self.0.push(diagnostic);
    }

    pub fn extend(&mut self, other: impl IntoIterator<Item = Diagnostic>) {
        self.0.extend(other);
    }

    pub fn has_errors(&self) -> bool {
        self.0.iter().any(Diagnostic::is_error)
    }

    pub fn error_count(&self) -> usize {
        self.0.iter().filter(|d| d.is_error()).count()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Diagnostic> {
        self.0.iter()
    }

    /// Puts the list in a stable order (by file, then position) so parallel
    /// stages report the same way every run.
    pub fn sort(&mut self) {
        self.0.sort_by(|a, b| {
            (&a.path, a.line, a.col, &a.message).cmp(&(&b.path, b.line, b.col, &b.message))
        });
    }

    /// "3 errors in 2 files", for the end of a failed build.
    pub fn summary(&self) -> String {
        let errors: Vec<&Diagnostic> = self.0.iter().filter(|d| d.is_error()).collect();
        let mut files: Vec<&Path> = errors.iter().map(|d| d.path.as_path()).collect();
        files.sort();
        files.dedup();
        format!(
            "{} in {}",
            count(errors.len(), "error"),
            count(files.len(), "file")
        )
    }

    pub fn into_vec(self) -> Vec<Diagnostic> {
        self.0
    }
}

impl IntoIterator for Diagnostics {
    type Item = Diagnostic;
    type IntoIter = std::vec::IntoIter<Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Diagnostics {
    type Item = &'a Diagnostic;
    type IntoIter = std::slice::Iter<'a, Diagnostic>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromIterator<Diagnostic> for Diagnostics {
    fn from_iter<T: IntoIterator<Item = Diagnostic>>(iter: T) -> Self {
        Diagnostics(iter.into_iter().collect())
    }
}

/// `n` and a noun, plural unless `n` is 1: "1 post", "2 posts".
pub fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Converts a byte offset in `text` to a 1-based (line, column) pair,
/// counting columns in characters.
pub fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..floor_char_boundary(text, offset)];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}

/// [`line_col`] for many offsets in one text: the line starts are found
/// once, so each lookup costs a binary search and one line's characters,
/// not a scan from the start (which made a post with 100,000 links take
/// minutes).
pub struct LineIndex<'a> {
    text: &'a str,
    /// Where each line starts, found on the first lookup: most texts
    /// never have a problem to place.
    starts: std::sync::OnceLock<Vec<usize>>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        LineIndex {
            text,
            starts: std::sync::OnceLock::new(),
        }
    }

    /// The 1-based (line, column) of a byte offset, as [`line_col`].
    pub fn line_col(&self, offset: usize) -> (usize, usize) {
        let starts = self.starts.get_or_init(|| {
            let mut starts = vec![0];
            starts.extend(memchr::memchr_iter(b'\n', self.text.as_bytes()).map(|i| i + 1));
            starts
        });
        let offset = floor_char_boundary(self.text, offset.min(self.text.len()));
        let line = starts.partition_point(|&s| s <= offset);
        let start = starts[line - 1];
        (line, self.text[start..offset].chars().count() + 1)
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

/// The valid name closest to `given`, if any is close enough to be a likely
/// typo. Used for unknown config keys, front matter fields and templates.
pub fn nearest<'a>(given: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    nearest_within(given, candidates, 0.8)
}

/// [`nearest`] with a stricter (or looser) similarity floor, for
/// candidates that share long prefixes, such as URLs.
pub fn nearest_within<'a>(
    given: &str,
    candidates: impl IntoIterator<Item = &'a str>,
    min_score: f64,
) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(given, c), c))
        .filter(|(score, _)| *score > min_score)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_col_counts_lines_and_chars() {
        let text = "ab\ncdé\nf";
        assert_eq!(line_col(text, 0), (1, 1));
        assert_eq!(line_col(text, 3), (2, 1));
        assert_eq!(line_col(text, 5), (2, 3));
        // é is two bytes: the offset after it is column 4
        assert_eq!(line_col(text, 7), (2, 4));
        assert_eq!(line_col(text, 8), (3, 1));
        assert_eq!(line_col(text, 999), (3, 2));
        let index = LineIndex::new(text);
        for offset in 0..=text.len() + 2 {
            assert_eq!(
                index.line_col(offset),
                line_col(text, offset),
                "offset {offset}"
            );
        }
    }

    #[test]
    fn display_has_location_message_and_hint() {
        let d = Diagnostic::error("content/posts/a.md", "bad date")
            .at(3, 8)
            .with_hint("use YYYY-MM-DD");
        assert_eq!(
            d.to_string(),
            "content/posts/a.md:3:8: error: bad date\n  hint: use YYYY-MM-DD"
        );
    }

    #[test]
    fn long_lines_show_a_window_around_the_column() {
        let line = format!("{}X{}\x1b[31m", "a".repeat(50_000), "b".repeat(50_000));
        let d = Diagnostic::error("p.md", "m").at(1, 50_001);
        let frame = d.code_frame(&line).unwrap();
        assert!(frame.len() < 2 * FRAME_WIDTH * 4, "{} bytes", frame.len());
        let lines: Vec<&str> = frame.lines().collect();
        let x = lines[0].find('X').unwrap();
        let caret = lines[1].find('^').unwrap();
        assert_eq!(
            lines[0][..x].chars().count(),
            lines[1][..caret].chars().count(),
            "{frame}"
        );
        assert!(!frame.contains('\x1b'));
    }

    #[test]
    fn code_frame_marks_the_column() {
        let d = Diagnostic::error("a.md", "x").at(2, 3);
        let frame = d.code_frame("one\ntwo two\nthree\nfour").unwrap();
        assert_eq!(frame, "1 | one\n2 | two two\n  |   ^\n3 | three\n");
    }

    #[test]
    fn nearest_suggests_typos_only() {
        let keys = ["title", "base_url", "paginate_by"];
        assert_eq!(nearest("titel", keys), Some("title"));
        assert_eq!(nearest("paginate", keys), Some("paginate_by"));
        assert_eq!(nearest("zzz", keys), None);
    }

    #[test]
    fn summary_counts_errors_and_files() {
        let ds: Diagnostics = [
            Diagnostic::error("a", "x"),
            Diagnostic::error("a", "y"),
            Diagnostic::error("b", "z"),
            Diagnostic::warning("c", "w"),
        ]
        .into_iter()
        .collect();
        assert_eq!(ds.summary(), "3 errors in 2 files");
    }
}

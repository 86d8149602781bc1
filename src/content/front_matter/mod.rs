//! Front matter: splitting it from the body and reading its fields.
//!
//! [`split`] borrows the front matter and the body out of the file text and
//! remembers the line each starts on, so every error, from TOML, YAML or our
//! own checks, is reported at the file's own line (as Zola does). The front
//! matter is then read into a [`tree`] whose keys and values know their file
//! positions, and the field tables ([`post_fields`], [`comment_fields`])
//! read it in one pass that reports every unknown or ill-typed field of the
//! file, not only the first.

pub mod comment_fields;
pub mod post_fields;
pub mod reader;
pub mod tree;

pub use comment_fields::RawComment;
pub use post_fields::{RawPost, RawSource, RawUpdate, RawVia};
pub use reader::At;
pub use tree::Pos;

use reader::Reader;

/// The two front matter languages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Between `+++` lines.
    Toml,
    /// Between `---` lines.
    Yaml,
}

impl Format {
    fn fence(self) -> &'static str {
        match self {
            Format::Toml => "+++",
            Format::Yaml => "---",
        }
    }
}

/// A file cut in two. Line numbers are 1-based lines of the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Split<'a> {
    pub format: Option<Format>,
    pub front: &'a str,
    /// Line of the first front matter line (after the opening fence).
    pub front_line: usize,
    pub body: &'a str,
    /// Line the body starts on.
    pub body_line: usize,
}

/// A problem found while splitting or parsing, located in the whole file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FrontMatterError {
    pub line: usize,
    pub col: usize,
    pub message: String,
    pub hint: Option<String>,
    /// Warnings do not stop the file from building.
    pub warning: bool,
}

fn is_fence(line: &str, fence: &str) -> bool {
    line.trim_end() == fence
}

/// Cuts `text` into front matter and body. A file that does not start with
/// a fence has no front matter.
pub fn split(text: &str) -> Result<Split<'_>, FrontMatterError> {
    let first_line = text.lines().next().unwrap_or("");
    let format = if is_fence(first_line, "+++") {
        Format::Toml
    } else if is_fence(first_line, "---") {
        Format::Yaml
    } else {
        return Ok(Split {
            format: None,
            front: "",
            front_line: 1,
            body: text,
            body_line: 1,
        });
    };
    let other = match format {
        Format::Toml => Format::Yaml,
        Format::Yaml => Format::Toml,
    };
    let front_start = first_line.len() + usize::from(text.len() > first_line.len());
    let mut offset = front_start;
    for (line_no, line) in (2..).zip(text[front_start..].split_inclusive('\n')) {
        let bare = line.strip_suffix('\n').unwrap_or(line);
        if is_fence(bare, format.fence()) {
            let body_start = offset + line.len();
            return Ok(Split {
                format: Some(format),
                front: &text[front_start..offset],
                front_line: 2,
                body: &text[body_start..],
                body_line: line_no + 1,
            });
        }
        if is_fence(bare, other.fence()) && format == Format::Toml {
            // `---` inside TOML is never valid, so it is a wrong closing fence.
            return Err(FrontMatterError {
                line: line_no,
                col: 1,
                message: format!(
                    "front matter opened with `{}` on line 1 is closed with `{}`",
                    format.fence(),
                    other.fence()
                ),
                hint: Some(format!(
                    "use the same fence on both sides: `{}` for TOML, `{}` for YAML",
                    Format::Toml.fence(),
                    Format::Yaml.fence()
                )),
                warning: false,
            });
        }
        offset += line.len();
    }
    // YAML opened with `---` and closed by `+++` reads as unterminated too,
    // so say which fence was seen if there is one.
    let hint = match text[front_start..]
        .lines()
        .position(|l| is_fence(l, other.fence()))
    {
        Some(i) => format!(
            "line {} has `{}`, but front matter opened with `{}` must close with `{}`",
            i + 2,
            other.fence(),
            format.fence(),
            format.fence()
        ),
        None => format!(
            "add a line `{}` after the last front matter field",
            format.fence()
        ),
    };
    Err(FrontMatterError {
        line: 1,
        col: 1,
        message: format!(
            "front matter opened with `{}` is never closed",
            format.fence()
        ),
        hint: Some(hint),
        warning: false,
    })
}

impl Format {
    fn language(self) -> &'static str {
        match self {
            Format::Toml => "TOML",
            Format::Yaml => "YAML",
        }
    }
}

/// Reads the front matter tree of a split file; `None` without front
/// matter. A syntax error stops here: there is no tree to read further.
fn read_tree(split: &Split<'_>) -> Result<Option<(tree::Node, Reader)>, FrontMatterError> {
    let Some(format) = split.format else {
        return Ok(None);
    };
    if split.front.trim().is_empty() {
        return Ok(None);
    }
    let tree = tree::parse_tree(format, split.front, split.front_line)?;
    Ok(Some((tree, Reader::new(format.language()))))
}

/// Reads a post's or page's front matter: the fields, and every problem
/// found in them (errors and warnings, each at its place).
pub fn read_post(split: &Split<'_>) -> Result<(RawPost, Vec<FrontMatterError>), FrontMatterError> {
    Ok(match read_tree(split)? {
        Some((tree, mut reader)) => {
            let raw = post_fields::read_post(&tree, &mut reader);
            (raw, reader.problems)
        }
        None => (RawPost::default(), Vec::new()),
    })
}

/// Reads a comment file's front matter, as [`read_post`] does a post's.
pub fn read_comment(
    split: &Split<'_>,
) -> Result<(RawComment, Vec<FrontMatterError>), FrontMatterError> {
    Ok(match read_tree(split)? {
        Some((tree, mut reader)) => {
            let raw = comment_fields::read_comment(&tree, &mut reader);
            (raw, reader.problems)
        }
        None => (RawComment::default(), Vec::new()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuzz_yaml_lone_carriage_returns() {
        // From the front matter fuzz target: the YAML parser counts a lone
        // `\r` as a line break and reported line 36 of a 13-line file.
        let text = "---\ntitle: a\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\r\n'x\n---\nbody\n";
        let s = split(text).unwrap();
        let e = read_post(&s).unwrap_err();
        let lines = text.lines().count();
        assert!(
            e.line >= 2 && e.line <= lines,
            "line {} of {lines}: {}",
            e.line,
            e.message
        );
        assert!(e.col >= 1);
    }

    #[test]
    fn split_toml_and_yaml_with_file_lines() {
        let s = split("+++\ntitle = \"a\"\n+++\nbody\n").unwrap();
        assert_eq!(s.format, Some(Format::Toml));
        assert_eq!(s.front, "title = \"a\"\n");
        assert_eq!((s.front_line, s.body_line), (2, 4));
        assert_eq!(s.body, "body\n");

        let s = split("---\ntitle: a\ndate: 2009-03-03\n---\n\nbody").unwrap();
        assert_eq!(s.format, Some(Format::Yaml));
        assert_eq!(s.body_line, 5);
        assert_eq!(s.body, "\nbody");
    }

    #[test]
    fn no_front_matter_is_all_body() {
        let s = split("Just text\n").unwrap();
        assert_eq!(s.format, None);
        assert_eq!(s.body, "Just text\n");
    }

    #[test]
    fn front_matter_only_has_empty_body() {
        let s = split("+++\ntitle = \"a\"\n+++").unwrap();
        assert_eq!(s.body, "");
    }

    #[test]
    fn unterminated_and_mismatched_fences() {
        let e = split("+++\ntitle = \"a\"\nbody\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.message.contains("never closed"));

        let e = split("+++\ntitle = \"a\"\n---\nbody\n").unwrap_err();
        assert_eq!(e.line, 3);
        assert!(e.message.contains("closed with `---`"));

        let e = split("---\ntitle: a\n+++\nbody\n").unwrap_err();
        assert_eq!(e.line, 1);
        assert!(e.hint.unwrap().contains("line 3 has `+++`"));
    }

    #[test]
    fn toml_errors_are_at_file_lines() {
        let text = "+++\ntitle = \"a\"\ntags = [\"x\"\n+++\n";
        let s = split(text).unwrap();
        let e = read_post(&s).unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        assert!(e.message.starts_with("in TOML front matter"));
    }

    #[test]
    fn yaml_errors_are_at_file_lines() {
        let text = "---\ntitle: a\ntitel: b\n---\n";
        let s = split(text).unwrap();
        let (_, problems) = read_post(&s).unwrap();
        assert_eq!((problems[0].line, problems[0].col), (3, 1));
        assert_eq!(problems[0].hint.as_deref(), Some("did you mean `title`?"));
        assert!(
            !problems[0].message.contains("at line"),
            "{}",
            problems[0].message
        );
    }

    #[test]
    fn toml_dates_and_strings_both_become_dates_as_written() {
        let s = split("+++\ndate = 2009-03-03\nupdated = \"2009-03-04 10:00\"\n+++\n").unwrap();
        let (fm, _) = read_post(&s).unwrap();
        assert_eq!(fm.date.unwrap().value, "2009-03-03");
        assert_eq!(fm.updated.unwrap().value, "2009-03-04 10:00");

        let s = split("+++\ndate = 2009-03-03T14:10:00-05:00\n+++\n").unwrap();
        assert_eq!(
            read_post(&s).unwrap().0.date.unwrap().value,
            "2009-03-03T14:10:00-05:00"
        );
    }

    #[test]
    fn lenient_names_and_text() {
        let s = split("---\ntitle: 1984\ntags: politics, russia\n---\n").unwrap();
        let (fm, _) = read_post(&s).unwrap();
        assert_eq!(fm.title.unwrap().value, "1984");
        assert_eq!(fm.tags.unwrap().value, vec!["politics", "russia"]);
    }

    #[test]
    fn every_mistake_of_a_file_is_reported_at_its_place() {
        // Five different mistakes: a typo, a list for text, a table for a
        // date, text for a boolean, and a bad field inside a source.
        let text = "+++\ntitel = \"Typo\"\nslug = [\"a\"]\ndate = { day = 1 }\ndraft = \"maybe\"\n[sources.nyt]\npublisher = \"x\"\n+++\n";
        let s = split(text).unwrap();
        let (_, problems) = read_post(&s).unwrap();
        let at: Vec<(usize, usize)> = problems.iter().map(|p| (p.line, p.col)).collect();
        assert_eq!(
            at,
            [(2, 1), (3, 8), (4, 8), (5, 9), (7, 1)],
            "{problems:#?}"
        );
        assert!(problems.iter().all(|p| !p.warning));
    }
}

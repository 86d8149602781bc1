//! Front matter: splitting it from the body and deserializing it.
//!
//! [`split`] borrows the front matter and the body out of the file text and
//! remembers the line each starts on, so every error, from TOML, YAML or our
//! own checks, is reported at the file's own line (as Zola does). [`parse`]
//! deserializes into [`RawFrontMatter`], exactly what the writer wrote, with
//! unknown keys refused and the nearest valid key suggested.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, de};

use crate::config::{serde_error_hint, short_serde_message};
use crate::diagnostic::line_col;

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
    })
}

/// A date as written: a string, or a TOML date/datetime literal. Parsed
/// later, in the site's time zone, by [`crate::content::date`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawDate(pub String);

impl<'de> Deserialize<'de> for RawDate {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = RawDate;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a date such as 2009-03-03 or 2009-03-03T14:10:00-05:00")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RawDate, E> {
                Ok(RawDate(v.trim().to_string()))
            }
            // TOML date literals arrive as a one-entry map.
            fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<RawDate, A::Error> {
                let Some((_, value)) = map.next_entry::<String, String>()? else {
                    return Err(de::Error::custom("expected a date"));
                };
                Ok(RawDate(value))
            }
        }
        d.deserialize_any(V)
    }
}

/// A string field that also takes a number or a boolean as its text
/// (`title: 1984` in YAML, `title = 2009` in TOML).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Text(pub String);

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl de::Visitor<'_> for V {
            type Value = Text;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("text")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Text, E> {
                Ok(Text(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A list of names, also written as one string (`tags = "a, b"`), as
/// Jekyll and WordPress exports often do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Names(pub Vec<String>);

impl<'de> Deserialize<'de> for Names {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> de::Visitor<'de> for V {
            type Value = Names;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a list of names")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Names, E> {
                Ok(Names(
                    v.split(',')
                        .map(str::trim)
                        .filter(|s| !s.is_empty())
                        .map(String::from)
                        .collect(),
                ))
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<Names, A::Error> {
                let mut names = Vec::new();
                while let Some(Text(name)) = seq.next_element::<Text>()? {
                    names.push(name);
                }
                Ok(Names(names))
            }
            fn visit_unit<E: de::Error>(self) -> Result<Names, E> {
                Ok(Names(Vec::new()))
            }
        }
        d.deserialize_any(V)
    }
}

/// A declared source: `[sources.nyt]`.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    pub publication: Option<String>,
    pub author: Option<String>,
    pub title: Option<String>,
    pub url: Option<String>,
    pub date: Option<RawDate>,
    pub retrieved: Option<RawDate>,
    pub archive: Option<String>,
}

/// `{ at = ..., note = "..." }`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawUpdate {
    pub at: RawDate,
    pub note: String,
}

/// `via = { name = ..., url = ... }` on link posts.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVia {
    pub name: String,
    pub url: Option<String>,
}

/// Every front matter field, as written. See DESIGN section 3.
#[derive(Debug, Clone, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawFrontMatter {
    pub title: Option<Text>,
    pub date: Option<RawDate>,
    pub updated: Option<RawDate>,
    pub kind: Option<String>,
    pub slug: Option<Text>,
    pub draft: Option<bool>,
    pub tags: Option<Names>,
    pub categories: Option<Names>,
    pub series: Option<Text>,
    pub summary: Option<String>,
    pub description: Option<String>,
    pub image: Option<String>,
    pub aliases: Option<Names>,
    pub link: Option<String>,
    pub via: Option<RawVia>,
    pub sources: Option<BTreeMap<String, RawSource>>,
    pub updates: Option<Vec<RawUpdate>>,
    pub comments: Option<String>,
    pub template: Option<String>,
    pub author: Option<String>,
    /// Free-form values for themes.
    pub extra: Option<serde_json::Value>,
    /// Comment files: the comment's id, author URL and parent comment.
    pub id: Option<Text>,
    pub url: Option<String>,
    pub parent: Option<Text>,
}

/// The front matter field names, for "did you mean" hints elsewhere.
pub const FIELDS: &[&str] = &[
    "title",
    "date",
    "updated",
    "kind",
    "slug",
    "draft",
    "tags",
    "categories",
    "series",
    "summary",
    "description",
    "image",
    "aliases",
    "link",
    "via",
    "sources",
    "updates",
    "comments",
    "template",
    "author",
    "extra",
    "id",
    "url",
    "parent",
];

/// Deserializes the front matter of a split file.
pub fn parse(split: &Split<'_>) -> Result<RawFrontMatter, FrontMatterError> {
    let Some(format) = split.format else {
        return Ok(RawFrontMatter::default());
    };
    if split.front.trim().is_empty() {
        return Ok(RawFrontMatter::default());
    }
    let offset_line = split.front_line - 1;
    match format {
        Format::Toml => toml::from_str(split.front).map_err(|e| {
            let (line, col) = e
                .span()
                .map(|s| line_col(split.front, s.start))
                .unwrap_or((1, 1));
            let message = e.message().trim().to_string();
            FrontMatterError {
                line: line + offset_line,
                col,
                hint: serde_error_hint(&message).or_else(|| toml_hint(&message)),
                message: format!("in TOML front matter: {}", short_serde_message(&message)),
            }
        }),
        Format::Yaml => {
            let options = serde_saphyr::options! { with_snippet: false };
            serde_saphyr::from_str_with_options(split.front, options).map_err(|e| {
                let (line, col) = e
                    .location()
                    .map(|l| yaml_position(split.front, &l))
                    .unwrap_or((1, 1));
                let message = yaml_message(&e.to_string());
                FrontMatterError {
                    line: line.max(1) + offset_line,
                    col: col.max(1),
                    hint: serde_error_hint(&message).or_else(|| yaml_hint(&message)),
                    message: format!("in YAML front matter: {}", short_serde_message(&message)),
                }
            })
        }
    }
}

/// Where a YAML error is, counted as the rest of glossator counts lines.
/// The YAML parser also breaks lines at a lone `\r`, so its own line
/// number can point past the end of a file with old Mac line endings
/// (found by fuzzing, `fuzz_yaml_lone_carriage_returns`); its offset into
/// the text cannot.
fn yaml_position(front: &str, location: &serde_saphyr::Location) -> (usize, usize) {
    let span = location.span();
    let byte = span
        .byte_offset()
        .and_then(|b| usize::try_from(b).ok())
        .or_else(|| {
            let chars = usize::try_from(span.offset()).ok()?;
            front.char_indices().nth(chars).map(|(i, _)| i)
        });
    match byte {
        Some(byte) if byte <= front.len() => line_col(front, byte),
        _ => {
            let lines = front.lines().count().max(1);
            let line = (location.line() as usize).clamp(1, lines);
            (line, (location.column() as usize).max(1))
        }
    }
}

/// serde-saphyr appends " at line L, column C" and policy advice meant for
/// programmers; the writer gets the location separately.
fn yaml_message(raw: &str) -> String {
    let mut message = raw.trim();
    if let Some(i) = message.rfind(" at line ") {
        message = &message[..i];
    }
    message
        .replace(", set DuplicateKeyPolicy in Options if acceptable", "")
        .trim()
        .to_string()
}

fn toml_hint(message: &str) -> Option<String> {
    if message.contains("duplicate key") {
        Some("each field may appear once; remove one of them".into())
    } else if message.contains("invalid string") || message.contains("expected `=`") {
        Some("TOML values need quotes: title = \"My post\"".into())
    } else {
        None
    }
}

fn yaml_hint(message: &str) -> Option<String> {
    if message.contains("tab") {
        Some("YAML indents with spaces, never tabs".into())
    } else if message.contains("duplicate") {
        Some("each field may appear once; remove one of them".into())
    } else if message.contains("expected text") {
        Some("text containing [ ] { } : or # needs quotes: title: \"[Draft] My post\"".into())
    } else if message.contains("expected mapping") {
        Some("front matter is fields, one `name: value` a line".into())
    } else {
        None
    }
}

/// Finds the value of `key` in front matter text (TOML `key = v` or YAML
/// `key: v`, at any indentation), as a 1-based (line, col) of the file.
/// Used to point at a field whose value is wrong after parsing succeeded.
pub fn locate(split: &Split<'_>, key: &str) -> Option<(usize, usize)> {
    locate_after(split, None, key)
}

/// Like [`locate`], but the first `key` after the line naming `section`
/// (`[sources.nyt]` in TOML, `nyt:` in YAML).
pub fn locate_after(split: &Split<'_>, section: Option<&str>, key: &str) -> Option<(usize, usize)> {
    let mut seen_section = section.is_none();
    let mut offset = 0;
    for line in split.front.split_inclusive('\n') {
        let trimmed = line.trim_start();
        if !seen_section {
            if let Some(s) = section
                && (trimmed.starts_with(&format!("[sources.{s}]"))
                    || trimmed.starts_with(&format!("{s}:"))
                    || trimmed.starts_with(&format!("{s} =")))
            {
                seen_section = true;
                // Inline tables: `nyt = { date = ... }` hold the key on this line.
                if let Some(i) = line.find(&format!("{key} ="))
                    && i > line.find('=').unwrap_or(usize::MAX)
                {
                    let (l, c) = line_col(split.front, offset + i);
                    return Some((l + split.front_line - 1, c));
                }
            }
            offset += line.len();
            continue;
        }
        if let Some(after) = trimmed.strip_prefix(key).or_else(|| {
            trimmed
                .strip_prefix("- ")
                .and_then(|t| t.trim_start().strip_prefix(key))
        }) {
            let after_trim = after.trim_start();
            if after_trim.starts_with('=') || after_trim.starts_with(':') {
                let value = after_trim[1..].trim_start();
                let value_at = offset + line.len() - value.len();
                let (l, c) = line_col(split.front, value_at);
                return Some((l + split.front_line - 1, c));
            }
        }
        offset += line.len();
    }
    None
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
        let e = parse(&s).unwrap_err();
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
        let e = parse(&s).unwrap_err();
        assert_eq!((e.line, e.col), (3, 12), "{e:?}");
        assert!(e.message.starts_with("in TOML front matter"));
    }

    #[test]
    fn yaml_errors_are_at_file_lines() {
        let text = "---\ntitle: a\ntitel: b\n---\n";
        let s = split(text).unwrap();
        let e = parse(&s).unwrap_err();
        assert_eq!((e.line, e.col), (3, 1));
        assert_eq!(e.hint.as_deref(), Some("did you mean `title`?"));
        assert!(!e.message.contains("at line"), "{}", e.message);
    }

    #[test]
    fn toml_dates_and_strings_both_become_raw_dates() {
        let s = split("+++\ndate = 2009-03-03\nupdated = \"2009-03-04 10:00\"\n+++\n").unwrap();
        let fm = parse(&s).unwrap();
        assert_eq!(fm.date, Some(RawDate("2009-03-03".into())));
        assert_eq!(fm.updated, Some(RawDate("2009-03-04 10:00".into())));

        let s = split("+++\ndate = 2009-03-03T14:10:00-05:00\n+++\n").unwrap();
        assert_eq!(
            parse(&s).unwrap().date,
            Some(RawDate("2009-03-03T14:10:00-05:00".into()))
        );
    }

    #[test]
    fn lenient_names_and_text() {
        let s = split("---\ntitle: 1984\ntags: politics, russia\n---\n").unwrap();
        let fm = parse(&s).unwrap();
        assert_eq!(fm.title, Some(Text("1984".into())));
        assert_eq!(
            fm.tags,
            Some(Names(vec!["politics".into(), "russia".into()]))
        );
    }

    #[test]
    fn locate_finds_keys_in_both_formats() {
        let s = split("+++\ntitle = \"a\"\ndate = \"2009-02-30\"\n+++\n").unwrap();
        assert_eq!(locate(&s, "date"), Some((3, 8)));
        let s = split("---\ntitle: a\ndate: 2009-02-30\n---\n").unwrap();
        assert_eq!(locate(&s, "date"), Some((3, 7)));
        let s = split("+++\n[sources.a]\ndate = 1\n[sources.b]\ndate = \"x\"\n+++\n").unwrap();
        assert_eq!(locate_after(&s, Some("b"), "date"), Some((5, 8)));
    }
}

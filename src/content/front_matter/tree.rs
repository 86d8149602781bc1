//! Front matter as a tree of values that know where they were written.
//!
//! Both front matter languages are first read into one [`Node`] tree in
//! which every key and value carries its file line and column: TOML through
//! `toml`'s own spanned document parser ([`toml::de::DeTable`]), YAML
//! through serde-saphyr with its [`serde_saphyr::Spanned`] wrapper on every
//! node. The field readers then walk the tree once and report every
//! unknown or ill-typed field of a file, each at its own place, instead of
//! stopping at the first as a derived `deny_unknown_fields` struct does.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{Format, FrontMatterError};
use crate::diagnostic::LineIndex;

/// A 1-based (line, column) of the file.
pub type Pos = (usize, usize);

/// One value of the front matter.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub at: Pos,
    pub value: Value,
}

/// A key of a table, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key {
    pub name: String,
    pub at: Pos,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(String),
    /// A TOML date or date-time literal, as written.
    Datetime(String),
    List(Vec<Node>),
    Table(Vec<(Key, Node)>),
}

impl Value {
    /// What the value is, for "expected text, found a list" messages.
    pub fn describe(&self) -> &'static str {
        match self {
            Value::Null => "nothing",
            Value::Bool(_) => "true or false",
            Value::Integer(_) => "a number",
            Value::Float(_) => "a number",
            Value::String(_) => "text",
            Value::Datetime(_) => "a date",
            Value::List(_) => "a list",
            Value::Table(_) => "a table",
        }
    }
}

/// Maps byte offsets of the front matter text to file positions.
struct Positions<'a> {
    lines: LineIndex<'a>,
    /// File line of the front matter's first line, minus one.
    offset_line: usize,
}

impl Positions<'_> {
    fn at(&self, byte: usize) -> Pos {
        let (line, col) = self.lines.line_col(byte);
        (line + self.offset_line, col)
    }
}

/// Reads front matter text into a tree. `front_line` is the file line the
/// text starts on.
pub fn parse_tree(
    format: Format,
    front: &str,
    front_line: usize,
) -> Result<Node, FrontMatterError> {
    parse_tree_with(format, front, front_line, false)
}

/// [`parse_tree`] for other generators' files, which their YAML readers
/// took with a key repeated (the last one winning, as Ruby's does).
pub fn parse_tree_lenient(
    format: Format,
    front: &str,
    front_line: usize,
) -> Result<Node, FrontMatterError> {
    parse_tree_with(format, front, front_line, true)
}

fn parse_tree_with(
    format: Format,
    front: &str,
    front_line: usize,
    last_key_wins: bool,
) -> Result<Node, FrontMatterError> {
    let positions = Positions {
        lines: LineIndex::new(front),
        offset_line: front_line - 1,
    };
    match format {
        Format::Toml => toml_tree(front, &positions),
        Format::Yaml => yaml_tree(front, &positions, last_key_wins),
    }
}

fn toml_tree(front: &str, positions: &Positions<'_>) -> Result<Node, FrontMatterError> {
    let table = toml::de::DeTable::parse(front).map_err(|e| {
        let at = e
            .span()
            .map(|s| positions.at(s.start))
            .unwrap_or((positions.offset_line + 1, 1));
        let message = e.message().trim().to_string();
        FrontMatterError {
            line: at.0,
            col: at.1,
            hint: toml_hint(&message),
            message: format!("in TOML front matter: {message}"),
            warning: false,
        }
    })?;
    let span = table.span();
    Ok(Node {
        at: positions.at(span.start),
        value: toml_table(table.into_inner(), positions),
    })
}

fn toml_table(table: toml::de::DeTable<'_>, positions: &Positions<'_>) -> Value {
    Value::Table(
        table
            .into_iter()
            .map(|(k, v)| {
                let key = Key {
                    at: positions.at(k.span().start),
                    name: k.into_inner().into_owned(),
                };
                (key, toml_node(v, positions))
            })
            .collect(),
    )
}

fn toml_node(node: toml::Spanned<toml::de::DeValue<'_>>, positions: &Positions<'_>) -> Node {
    use toml::de::DeValue;
    let at = positions.at(node.span().start);
    let value = match node.into_inner() {
        DeValue::String(s) => Value::String(s.into_owned()),
        DeValue::Integer(i) => match i64::from_str_radix(i.as_str(), i.radix()) {
            Ok(n) => Value::Integer(n),
            Err(_) => Value::String(i.to_string()),
        },
        DeValue::Float(f) => match f.as_str().parse::<f64>() {
            Ok(n) => Value::Float(n),
            Err(_) => Value::String(f.as_str().to_string()),
        },
        DeValue::Boolean(b) => Value::Bool(b),
        DeValue::Datetime(d) => Value::Datetime(d.to_string()),
        DeValue::Array(items) => Value::List(
            items
                .iter()
                .cloned()
                .map(|item| toml_node(item, positions))
                .collect(),
        ),
        DeValue::Table(t) => toml_table(t, positions),
    };
    Node { at, value }
}

fn toml_hint(message: &str) -> Option<String> {
    if message.contains("duplicate key") {
        Some("each field may appear once; remove one of them".into())
    } else if message.contains("invalid string")
        || message.contains("expected `=`")
        || message.contains("string values must be quoted")
    {
        Some("TOML values need quotes: title = \"My post\"".into())
    } else {
        None
    }
}

/// Where serde-saphyr says a YAML node starts: a byte offset when it has
/// one (it does for text sources), else a character offset.
#[derive(Clone, Copy)]
struct YamlAt {
    byte: Option<u64>,
    chars: u64,
}

impl YamlAt {
    fn of<T>(s: &serde_saphyr::Spanned<T>) -> YamlAt {
        let span = s.referenced.span();
        YamlAt {
            byte: span.byte_offset(),
            chars: span.offset(),
        }
    }

    fn byte_in(self, front: &str) -> usize {
        self.byte
            .and_then(|b| usize::try_from(b).ok())
            .or_else(|| {
                let chars = usize::try_from(self.chars).ok()?;
                front.char_indices().nth(chars).map(|(i, _)| i)
            })
            .unwrap_or(0)
            .min(front.len())
    }
}

/// A YAML node as serde-saphyr hands it over, before positions are
/// turned into file lines.
enum YamlValue {
    Null,
    Bool(bool),
    Integer(i64),
    Float(f64),
    String(String),
    List(Vec<(YamlAt, YamlValue)>),
    Table(Vec<((YamlAt, String), (YamlAt, YamlValue))>),
}

type YamlSpanned<T> = serde_saphyr::Spanned<T>;

struct YamlNode(YamlValue);

impl<'de> Deserialize<'de> for YamlNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = YamlNode;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<YamlNode, E> {
                Ok(YamlNode(YamlValue::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<YamlNode, E> {
                Ok(YamlNode(YamlValue::Integer(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<YamlNode, E> {
                Ok(YamlNode(match i64::try_from(v) {
                    Ok(n) => YamlValue::Integer(n),
                    Err(_) => YamlValue::String(v.to_string()),
                }))
            }
            fn visit_i128<E: de::Error>(self, v: i128) -> Result<YamlNode, E> {
                Ok(YamlNode(YamlValue::String(v.to_string())))
            }
            fn visit_u128<E: de::Error>(self, v: u128) -> Result<YamlNode, E> {
                Ok(YamlNode(YamlValue::String(v.to_string())))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<YamlNode, E> {
                Ok(YamlNode(YamlValue::Float(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<YamlNode, E> {
                Ok(YamlNode(YamlValue::String(v.to_string())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<YamlNode, E> {
                Ok(YamlNode(YamlValue::String(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<YamlNode, E> {
                Ok(YamlNode(YamlValue::Null))
            }
            fn visit_none<E: de::Error>(self) -> Result<YamlNode, E> {
                Ok(YamlNode(YamlValue::Null))
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<YamlNode, D2::Error> {
                YamlNode::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<YamlNode, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element::<YamlSpanned<YamlNode>>()? {
                    let at = YamlAt::of(&item);
                    items.push((at, item.value.0));
                }
                Ok(YamlNode(YamlValue::List(items)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<YamlNode, A::Error> {
                let mut entries = Vec::new();
                while let Some(key) = map.next_key::<YamlSpanned<YamlKey>>()? {
                    let key_at = YamlAt::of(&key);
                    let value = map.next_value::<YamlSpanned<YamlNode>>()?;
                    let value_at = YamlAt::of(&value);
                    entries.push(((key_at, key.value.0), (value_at, value.value.0)));
                }
                Ok(YamlNode(YamlValue::Table(entries)))
            }
        }
        d.deserialize_any(V)
    }
}

/// A mapping key: YAML allows numbers and booleans as keys too.
struct YamlKey(String);

impl<'de> Deserialize<'de> for YamlKey {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        match YamlNode::deserialize(d)?.0 {
            YamlValue::String(s) => Ok(YamlKey(s)),
            YamlValue::Integer(n) => Ok(YamlKey(n.to_string())),
            YamlValue::Float(n) => Ok(YamlKey(n.to_string())),
            YamlValue::Bool(b) => Ok(YamlKey(b.to_string())),
            YamlValue::Null => Ok(YamlKey(String::new())),
            _ => Err(de::Error::custom("a field name must be plain text")),
        }
    }
}

fn yaml_tree(
    front: &str,
    positions: &Positions<'_>,
    last_key_wins: bool,
) -> Result<Node, FrontMatterError> {
    let options = if last_key_wins {
        serde_saphyr::options! {
            with_snippet: false,
            duplicate_keys: serde_saphyr::DuplicateKeyPolicy::LastWins,
        }
    } else {
        serde_saphyr::options! { with_snippet: false }
    };
    let result: Result<YamlSpanned<YamlNode>, _> =
        serde_saphyr::from_str_with_options(front, options);
    let root = result.map_err(|e| {
        let (line, col) = e
            .location()
            .map(|l| yaml_position(front, &l))
            .unwrap_or((1, 1));
        let message = yaml_message(&e.to_string());
        FrontMatterError {
            line: line.max(1) + positions.offset_line,
            col: col.max(1),
            hint: yaml_hint(&message),
            message: format!("in YAML front matter: {message}"),
            warning: false,
        }
    })?;
    let at = YamlAt::of(&root);
    Ok(yaml_node(at, root.value.0, front, positions))
}

fn yaml_node(at: YamlAt, value: YamlValue, front: &str, positions: &Positions<'_>) -> Node {
    let value = match value {
        YamlValue::Null => Value::Null,
        YamlValue::Bool(b) => Value::Bool(b),
        YamlValue::Integer(n) => Value::Integer(n),
        YamlValue::Float(n) => Value::Float(n),
        YamlValue::String(s) => Value::String(s),
        YamlValue::List(items) => Value::List(
            items
                .into_iter()
                .map(|(at, v)| yaml_node(at, v, front, positions))
                .collect(),
        ),
        YamlValue::Table(entries) => Value::Table(
            entries
                .into_iter()
                .map(|((key_at, name), (value_at, v))| {
                    (
                        Key {
                            name,
                            at: positions.at(key_at.byte_in(front)),
                        },
                        yaml_node(value_at, v, front, positions),
                    )
                })
                .collect(),
        ),
    };
    Node {
        at: positions.at(at.byte_in(front)),
        value,
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
        Some(byte) if byte <= front.len() => crate::diagnostic::line_col(front, byte),
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
    if let Some(i) = message.find('\n') {
        message = &message[..i];
    }
    if let Some(rest) = message.strip_prefix("error: ")
        && let Some(i) = rest.find(": ")
        && rest[..i].starts_with("line ")
    {
        message = &rest[i + 2..];
    }
    if let Some(i) = message.rfind(" at line ") {
        message = &message[..i];
    }
    message
        .replace(", set DuplicateKeyPolicy in Options if acceptable", "")
        .trim()
        .to_string()
}

fn yaml_hint(message: &str) -> Option<String> {
    if message.contains("tab") {
        Some("YAML indents with spaces, never tabs".into())
    } else if message.contains("duplicate") {
        Some("each field may appear once; remove one of them".into())
    } else if message.contains("expected text")
        || message.contains("indicator")
        || message.contains("flow sequence")
        || message.contains("flow mapping")
    {
        Some("text containing [ ] { } : or # needs quotes: title: \"[Draft] My post\"".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(node: &Node) -> &[(Key, Node)] {
        match &node.value {
            Value::Table(t) => t,
            other => panic!("not a table: {other:?}"),
        }
    }

    #[test]
    fn toml_keys_and_values_carry_file_positions() {
        let tree = parse_tree(
            Format::Toml,
            "title = \"a\"\ndate = 2009-03-03\n[sources.nyt]\nurl = \"u\"\n",
            2,
        )
        .unwrap();
        let t = table(&tree);
        assert_eq!(t[0].0.name, "title");
        assert_eq!(t[0].0.at, (2, 1));
        assert_eq!(t[0].1.at, (2, 9));
        assert_eq!(t[1].1.value, Value::Datetime("2009-03-03".into()));
        assert_eq!(t[1].1.at, (3, 8));
        let sources = table(&t[2].1);
        let nyt = table(&sources[0].1);
        assert_eq!(nyt[0].0.at, (5, 1));
        assert_eq!(nyt[0].1.value, Value::String("u".into()));
    }

    #[test]
    fn yaml_keys_and_values_carry_file_positions() {
        let tree = parse_tree(
            Format::Yaml,
            "title: a\ndate: 2014-09-30 09:45:47 -0400\ntags:\n  - x\n  - 12\n",
            2,
        )
        .unwrap();
        let t = table(&tree);
        assert_eq!((t[0].0.name.as_str(), t[0].0.at), ("title", (2, 1)));
        assert_eq!(
            t[1].1.value,
            Value::String("2014-09-30 09:45:47 -0400".into())
        );
        assert_eq!(t[1].1.at, (3, 7));
        let Value::List(tags) = &t[2].1.value else {
            panic!()
        };
        assert_eq!(tags[1].value, Value::Integer(12));
        assert_eq!(tags[1].at, (6, 5));
    }

    #[test]
    fn syntax_errors_are_at_file_lines() {
        let e = parse_tree(Format::Toml, "title = \"a\"\ntags = [\"x\"\n", 2).unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        assert!(e.message.starts_with("in TOML front matter"));
        let e = parse_tree(Format::Yaml, "a: 1\na: 2\n", 2).unwrap_err();
        assert_eq!(e.line, 3, "{e:?}");
        assert!(e.message.contains("duplicate"), "{}", e.message);
        assert!(!e.message.contains("DuplicateKeyPolicy"));
    }
}

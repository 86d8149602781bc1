//! Reading typed values out of a front matter [`Node`] tree, collecting a
//! problem for each value that is not what its field needs instead of
//! stopping at the first.
//!
//! The post and comment field tables (`post_fields`, `comment_fields`) are
//! written with these helpers; each helper knows how lenient writers and
//! other generators expect a field to be (a number as a title, a string as
//! a list of one, a TOML date literal or a string as a date).

pub use crate::urls::check_url;
use std::collections::HashMap;

use super::FrontMatterError;
use super::tree::{Key, Node, Pos, Value};
use crate::diagnostic::nearest;

/// A value and where it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct At<T> {
    pub value: T,
    pub at: Pos,
}

impl<T> At<T> {
    pub fn new(value: T, at: Pos) -> At<T> {
        At { value, at }
    }
}

/// Collects the problems of one file's front matter.
pub struct Reader {
    /// `TOML` or `YAML`, for messages.
    language: &'static str,
    pub problems: Vec<FrontMatterError>,
    /// Which field (as written) first set each slot, for repeats.
    set_by: HashMap<&'static str, (String, Pos)>,
}

impl Reader {
    pub fn new(language: &'static str) -> Reader {
        Reader {
            language,
            problems: Vec::new(),
            set_by: HashMap::new(),
        }
    }

    pub fn error(&mut self, at: Pos, message: impl Into<String>, hint: Option<String>) {
        self.problems.push(FrontMatterError {
            line: at.0,
            col: at.1,
            message: format!("in {} front matter: {}", self.language, message.into()),
            hint,
            warning: false,
        });
    }

    pub fn warning(&mut self, at: Pos, message: impl Into<String>, hint: Option<String>) {
        self.problems.push(FrontMatterError {
            line: at.0,
            col: at.1,
            message: message.into(),
            hint,
            warning: true,
        });
    }

    /// Reports a field nobody knows, with the nearest known name.
    pub fn unknown(&mut self, key: &Key, known: &[&str], fallback_hint: &str) {
        let hint = match nearest(&key.name, known.iter().copied()) {
            Some(n) => format!("did you mean `{n}`?"),
            None => fallback_hint.to_string(),
        };
        self.error(key.at, format!("unknown field `{}`", key.name), Some(hint));
    }

    /// Records that `key` sets `slot`; false (with a warning) when an
    /// earlier field already did, so the first one written wins.
    pub fn claim(&mut self, slot: &'static str, key: &Key) -> bool {
        if let Some((first, at)) = self.set_by.get(slot) {
            let message = if *first == key.name {
                format!(
                    "`{}` is given twice: the first (line {}) is used",
                    key.name, at.0
                )
            } else {
                format!(
                    "`{}` is ignored: `{first}` (line {}) already sets the {slot}",
                    key.name, at.0
                )
            };
            let at = key.at;
            self.warning(at, message, Some("keep one of them".into()));
            return false;
        }
        self.set_by.insert(slot, (key.name.clone(), key.at));
        true
    }

    /// Whether some field has set `slot`.
    pub fn is_set(&self, slot: &'static str) -> bool {
        self.set_by.contains_key(slot)
    }

    fn wrong_type(&mut self, key: &Key, node: &Node, expected: &str, hint: Option<String>) {
        self.error(
            node.at,
            format!(
                "`{}` should be {expected}, not {}",
                key.name,
                node.value.describe()
            ),
            hint,
        );
    }

    /// Text; numbers and booleans are taken as their text (`title: 1984`).
    pub fn text(&mut self, key: &Key, node: &Node) -> Option<At<String>> {
        let text = match &node.value {
            Value::String(s) => s.clone(),
            Value::Integer(n) => n.to_string(),
            Value::Float(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Datetime(d) => d.clone(),
            Value::Null => return None,
            Value::List(_) | Value::Table(_) => {
                let hint = Some(
                    "text containing [ ] { } : or # needs quotes: title: \"[Draft] My post\""
                        .to_string(),
                );
                self.wrong_type(key, node, "text", hint);
                return None;
            }
        };
        Some(At::new(text, node.at))
    }

    /// A list of names, also written as one comma-separated string.
    pub fn names(&mut self, key: &Key, node: &Node) -> Option<At<Vec<String>>> {
        let names = match &node.value {
            Value::Null => Vec::new(),
            Value::String(s) => s
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(String::from)
                .collect(),
            Value::Integer(_) | Value::Float(_) | Value::Bool(_) => {
                vec![self.text(key, node)?.value]
            }
            Value::List(items) => {
                let mut names = Vec::new();
                for item in items {
                    match &item.value {
                        Value::List(_) | Value::Table(_) => {
                            self.wrong_type(key, item, "a name", None);
                        }
                        Value::Null => {}
                        _ => {
                            if let Some(t) = self.text(key, item) {
                                names.push(t.value);
                            }
                        }
                    }
                }
                names
            }
            Value::Datetime(_) | Value::Table(_) => {
                self.wrong_type(
                    key,
                    node,
                    "a list of names",
                    Some(format!("write {} = [\"one\", \"two\"]", key.name)),
                );
                return None;
            }
        };
        Some(At::new(names, node.at))
    }

    /// A date as written (text or a TOML date literal); parsed later in
    /// the site's time zone.
    pub fn date(&mut self, key: &Key, node: &Node) -> Option<At<String>> {
        match &node.value {
            Value::String(s) | Value::Datetime(s) => Some(At::new(s.trim().to_string(), node.at)),
            Value::Null => None,
            _ => {
                self.wrong_type(
                    key,
                    node,
                    "a date",
                    Some(crate::date::DATE_FORMS.to_string()),
                );
                None
            }
        }
    }

    pub fn boolean(&mut self, key: &Key, node: &Node) -> Option<bool> {
        match &node.value {
            Value::Bool(b) => Some(*b),
            Value::String(s) if s.eq_ignore_ascii_case("true") => Some(true),
            Value::String(s) if s.eq_ignore_ascii_case("false") => Some(false),
            Value::Null => None,
            _ => {
                self.wrong_type(
                    key,
                    node,
                    "true or false",
                    Some(format!("write {} = true", key.name)),
                );
                None
            }
        }
    }

    /// The entries of a table.
    pub fn table<'n>(&mut self, key: &Key, node: &'n Node) -> Option<&'n [(Key, Node)]> {
        match &node.value {
            Value::Table(entries) => Some(entries),
            Value::Null => None,
            _ => {
                self.wrong_type(key, node, "a table", None);
                None
            }
        }
    }

    /// A URL a reader's browser will follow: http, https or mailto, or a
    /// path of this site. Anything else (`javascript:`, `data:`) is an
    /// error, so it never reaches an `href`.
    pub fn url(&mut self, key: &Key, node: &Node) -> Option<At<String>> {
        let text = self.text(key, node)?;
        let url = text.value.trim().to_string();
        if url.is_empty() {
            return None;
        }
        match check_url(&url) {
            Ok(()) => Some(At::new(url, text.at)),
            Err(message) => {
                self.error(
                    text.at,
                    format!("`{}`: {message}", key.name),
                    Some("links may be http(s), mailto, or a path of this site".into()),
                );
                None
            }
        }
    }
}

/// A free-form value for themes, as JSON.
pub fn to_json(node: &Node) -> serde_json::Value {
    use serde_json::Value as J;
    match &node.value {
        Value::Null => J::Null,
        Value::Bool(b) => J::Bool(*b),
        Value::Integer(n) => J::from(*n),
        Value::Float(n) => serde_json::Number::from_f64(*n).map_or(J::Null, J::Number),
        Value::String(s) | Value::Datetime(s) => J::String(s.clone()),
        Value::List(items) => J::Array(items.iter().map(to_json).collect()),
        Value::Table(entries) => J::Object(
            entries
                .iter()
                .map(|(k, v)| (k.name.clone(), to_json(v)))
                .collect(),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_that_a_browser_would_run_are_refused() {
        for ok in [
            "https://e.example/a?b#c",
            "http://e.example",
            "mailto:a@b.example",
            "/2009/03/03/x/",
            "photo.jpg",
            "../up",
            "HTTPS://E.EXAMPLE",
        ] {
            assert!(check_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            "data:text/html,x",
            "vbscript:x",
            "https://e.example/\"onmouseover=x",
            "java\tscript:x",
            "file:///etc/passwd",
        ] {
            assert!(check_url(bad).is_err(), "{bad}");
        }
    }
}

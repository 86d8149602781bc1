//! Export files in XML (WordPress's WXR, Disqus) read into a small tree.
//!
//! quick-xml reads the file; the tree keeps, for every element, its
//! namespace URI (without its scheme, so `http://` and `https://` forms of
//! one namespace match), local name, attributes, text and the line it
//! starts on, so an importer can say where each item it could not carry
//! came from. A malformed or truncated file is an error at its line and
//! column, before anything is written.

use std::path::Path;

use quick_xml::events::Event;
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;

use crate::diagnostic::{Diagnostic, LineIndex};

/// One element of the file.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// The namespace URI without `http://`/`https://` and trailing `/`
    /// (`wordpress.org/export/1.2`), or empty.
    pub ns: String,
    pub name: String,
    pub attrs: Vec<(String, String)>,
    /// The element's own text and CDATA, joined.
    pub text: String,
    pub children: Vec<Element>,
    /// 1-based line of the start tag.
    pub line: usize,
}

impl Element {
    /// The first child with this local name whose namespace starts with
    /// `ns` (`""` for any).
    pub fn child(&self, ns: &str, name: &str) -> Option<&Element> {
        self.children
            .iter()
            .find(|c| c.name == name && c.ns.starts_with(ns))
    }

    pub fn children_named<'a>(
        &'a self,
        ns: &'a str,
        name: &'a str,
    ) -> impl Iterator<Item = &'a Element> + 'a {
        self.children
            .iter()
            .filter(move |c| c.name == name && c.ns.starts_with(ns))
    }

    /// The text of the first such child, trimmed; empty when absent.
    pub fn text_of(&self, ns: &str, name: &str) -> &str {
        self.child(ns, name).map_or("", |c| c.text.trim())
    }

    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A namespace URI as the tree keeps it.
fn bare_ns(uri: &str) -> String {
    uri.trim()
        .trim_start_matches("https://")
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_string()
}

/// Reads `text` (the file at `path`, for messages) into its root element.
pub fn parse(text: &str, path: &Path) -> Result<Element, Box<Diagnostic>> {
    let lines = LineIndex::new(text);
    let error_at = |offset: u64, message: String, hint: &str| {
        let (line, col) = lines.line_col(usize::try_from(offset).unwrap_or(usize::MAX));
        Box::new(
            Diagnostic::error(path, message)
                .at(line, col)
                .with_hint(hint.to_string()),
        )
    };
    let mut reader = NsReader::from_str(text);
    reader.config_mut().check_end_names = true;
    // Open elements, innermost last.
    let mut stack: Vec<Element> = Vec::new();
    let mut root: Option<Element> = None;
    loop {
        let start = reader.buffer_position();
        let event = reader.read_resolved_event().map(|(ns, e)| {
            let ns = match ns {
                ResolveResult::Bound(n) => bare_ns(n.0),
                _ => String::new(),
            };
            (ns, e)
        });
        let (ns, event) = match event {
            Ok(v) => v,
            Err(e) => {
                return Err(error_at(
                    reader.error_position(),
                    format!("the export is not well-formed XML: {e}"),
                    "was the file cut short or edited by hand? export it again from the old site",
                ));
            }
        };
        let open = |e: &quick_xml::events::BytesStart<'_>| -> Element {
            let attrs = e
                .attributes()
                .filter_map(Result::ok)
                .map(|a| {
                    (
                        a.key.local_name().as_ref().to_string(),
                        a.normalized_value(quick_xml::XmlVersion::default())
                            .map(|v| v.into_owned())
                            .unwrap_or_default(),
                    )
                })
                .collect();
            let (line, _) = lines.line_col(usize::try_from(start).unwrap_or(0));
            Element {
                ns: ns.clone(),
                name: e.local_name().as_ref().to_string(),
                attrs,
                text: String::new(),
                children: Vec::new(),
                line,
            }
        };
        match event {
            Event::Start(e) => stack.push(open(&e)),
            Event::Empty(e) => {
                let el = open(&e);
                match stack.last_mut() {
                    Some(parent) => parent.children.push(el),
                    None => root = Some(el),
                }
            }
            Event::End(_) => {
                let Some(done) = stack.pop() else {
                    return Err(error_at(
                        start,
                        "a closing tag with no opening tag".into(),
                        "export the file again from the old site",
                    ));
                };
                match stack.last_mut() {
                    Some(parent) => parent.children.push(done),
                    None => root = Some(done),
                }
            }
            Event::Text(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::CData(t) => {
                if let Some(el) = stack.last_mut() {
                    el.text.push_str(&t.xml10_content());
                }
            }
            Event::GeneralRef(r) => {
                if let Some(el) = stack.last_mut() {
                    let name: &str = r.as_ref();
                    match r.resolve_char_ref() {
                        Ok(Some(c)) => el.text.push(c),
                        _ => match name {
                            "amp" => el.text.push('&'),
                            "lt" => el.text.push('<'),
                            "gt" => el.text.push('>'),
                            "quot" => el.text.push('"'),
                            "apos" => el.text.push('\''),
                            // An HTML entity in HTML text: left for the
                            // HTML parser that reads the text later.
                            other => {
                                el.text.push('&');
                                el.text.push_str(other);
                                el.text.push(';');
                            }
                        },
                    }
                }
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(open) = stack.last() {
        return Err(Box::new(
            Diagnostic::error(
                path,
                format!(
                    "the export ends inside <{}> (opened at line {}): the file is cut short",
                    open.name, open.line
                ),
            )
            .at(lines.line_col(text.len()).0, lines.line_col(text.len()).1)
            .with_hint(
                "export the file again from the old site; a download may have stopped early",
            ),
        ));
    }
    root.ok_or_else(|| {
        Box::new(
            Diagnostic::error(path, "the file holds no XML element")
                .at(1, 1)
                .with_hint("is this the export file?"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespaces_match_in_either_scheme() {
        let doc = r#"<rss xmlns:wp="https://wordpress.org/export/1.2/"><channel>
<wp:post_id>12</wp:post_id><title><![CDATA[A & B]]></title><x a="1&amp;2">c &amp; d &#8212; &nbsp;</x>
</channel></rss>"#;
        let root = parse(doc, Path::new("e.xml")).unwrap();
        let channel = root.child("", "channel").unwrap();
        assert_eq!(channel.text_of("wordpress.org/export", "post_id"), "12");
        assert_eq!(channel.child("", "post_id").unwrap().line, 2);
        assert_eq!(channel.text_of("", "title"), "A & B");
        let x = channel.child("", "x").unwrap();
        assert_eq!(x.text, "c & d — &nbsp;");
        assert_eq!(x.attr("a"), Some("1&2"));
    }

    #[test]
    fn malformed_and_truncated_files_are_errors_at_their_place() {
        let e = parse(
            "<rss>\n<channel>\n<item></channel>\n</rss>",
            Path::new("e.xml"),
        )
        .unwrap_err();
        assert_eq!(e.line, Some(3), "{e}");
        let e = parse(
            "<rss>\n<channel>\n<item><title>x</title>\n",
            Path::new("e.xml"),
        )
        .unwrap_err();
        assert!(e.message.contains("cut short"), "{e}");
        assert!(e.message.contains("<item>"), "{e}");
    }
}

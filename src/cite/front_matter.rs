//! A new `[sources.ID]` in a post's front matter, and nothing else changed.
//!
//! The entry is written as new lines just before the front matter closes
//! (TOML), or at the end of the `sources:` block (YAML), in the file's own
//! line endings; every other byte of the file stays as it was. Values are
//! serialized by the toml crate (TOML) or as JSON strings, which YAML reads
//! as double-quoted scalars, so any title is written safely.

use std::collections::BTreeSet;

use super::snapshot::Snapshot;

/// The fields of a new source entry, in the order written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub id: String,
    /// `(key, value)`; `date` and `retrieved` are RFC 3339 times, written
    /// as dates, the rest as text.
    pub fields: Vec<(&'static str, String)>,
}

impl Entry {
    /// The entry for a snapshot stored at `path`.
    pub fn for_snapshot(id: &str, snapshot: &Snapshot, path: &str) -> Entry {
        let m = &snapshot.meta;
        let mut fields = Vec::new();
        let mut put = |k: &'static str, v: &Option<String>| {
            if let Some(v) = v {
                fields.push((k, v.clone()));
            }
        };
        put("publication", &m.publication);
        put("author", &m.author);
        put("title", &m.title);
        put("url", &Some(m.url.clone()));
        put("date", &m.published.as_ref().and_then(|d| rfc3339(d)));
        put("retrieved", &Some(m.retrieved.clone()));
        put("snapshot", &Some(path.to_string()));
        Entry {
            id: id.to_string(),
            fields,
        }
    }

    /// As a TOML table: `[sources.ID]` and its keys.
    pub fn toml(&self) -> String {
        let mut out = format!("[sources.{}]\n", toml_key(&self.id));
        for (k, v) in &self.fields {
            let value = if is_date(k) {
                v.clone()
            } else {
                toml::Value::String(v.clone()).to_string()
            };
            out.push_str(&format!("{k} = {value}\n"));
        }
        out
    }

    /// As YAML lines under `sources:`, indented by `indent`.
    pub fn yaml(&self, indent: &str) -> String {
        let mut out = format!("{indent}{}:\n", yaml_key(&self.id));
        for (k, v) in &self.fields {
            let value = if is_date(k) {
                v.clone()
            } else {
                serde_json::Value::String(v.clone()).to_string()
            };
            out.push_str(&format!("{indent}{indent}{k}: {value}\n"));
        }
        out
    }
}

fn is_date(key: &str) -> bool {
    key == "date" || key == "retrieved"
}

/// A published time as RFC 3339, when it is one.
fn rfc3339(text: &str) -> Option<String> {
    if let Ok(t) = text.parse::<jiff::Timestamp>() {
        return Some(t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string());
    }
    text.parse::<jiff::civil::Date>()
        .ok()
        .map(|d| d.strftime("%Y-%m-%d").to_string())
}

/// An id as a key: bare when it is letters, digits, `-` and `_`, else as
/// a quoted string (`quote` makes it one, for TOML or YAML).
fn bare_or(id: &str, quote: impl Fn(&str) -> String) -> String {
    if id
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        id.to_string()
    } else {
        quote(id)
    }
}

fn toml_key(id: &str) -> String {
    bare_or(id, |s| toml::Value::String(s.to_string()).to_string())
}

fn yaml_key(id: &str) -> String {
    bare_or(id, |s| serde_json::Value::String(s.to_string()).to_string())
}

/// A short id for a source: the publication's first significant word
/// (`The Meridian Post` → `meridian`), else the host's first label
/// (`www.ledger.example` → `ledger`), made unique among `taken`.
pub fn default_id(publication: Option<&str>, url: &str, taken: &BTreeSet<String>) -> String {
    let from_name = publication.and_then(|p| {
        p.split_whitespace().map(slug::slugify).find(|w| {
            !w.is_empty()
                && !["the", "a", "an", "le", "la", "les", "el", "die", "der"].contains(&w.as_str())
        })
    });
    let from_host = || {
        url::Url::parse(url)
            .ok()
            .and_then(|u| u.host_str().map(str::to_string))
            .map(|h| {
                let h = h.strip_prefix("www.").unwrap_or(&h).to_string();
                slug::slugify(h.split('.').next().unwrap_or(&h))
            })
            .filter(|h| !h.is_empty())
            .unwrap_or_else(|| "source".to_string())
    };
    let base = from_name.unwrap_or_else(from_host);
    if !taken.contains(&base) {
        return base;
    }
    (2..)
        .map(|n| format!("{base}-{n}"))
        .find(|id| !taken.contains(id))
        .unwrap_or(base)
}

/// A post's front matter, found in its text.
struct Found<'a> {
    yaml: bool,
    /// The front matter's text, between the fences.
    text: &'a str,
    /// Byte offset of the closing fence line.
    close: usize,
    newline: &'static str,
}

fn find(post: &str) -> Result<Found<'_>, String> {
    let newline = if post.contains("\r\n") { "\r\n" } else { "\n" };
    let start = usize::from(post.starts_with('\u{feff}')) * 3;
    let body = &post[start..];
    let (fence, yaml) = if body.starts_with("+++") {
        ("+++", false)
    } else if body.starts_with("---") {
        ("---", true)
    } else {
        return Err("the post has no front matter (`+++` or `---` on its first line)".into());
    };
    let first_end = body.find('\n').ok_or("the front matter is never closed")? + 1;
    let mut at = first_end;
    for line in body[first_end..].split_inclusive('\n') {
        if line.trim_end_matches(['\r', '\n']) == fence {
            return Ok(Found {
                yaml,
                text: &body[first_end..at],
                close: start + at,
                newline,
            });
        }
        at += line.len();
    }
    Err(format!(
        "the front matter is never closed by a `{fence}` line"
    ))
}

/// The source ids a post declares.
pub fn declared_ids(post: &str) -> Result<BTreeSet<String>, String> {
    let f = find(post)?;
    if f.yaml {
        return Ok(yaml_sources(f.text).map(|b| b.ids).unwrap_or_default());
    }
    let table: toml::Table = toml::from_str(f.text)
        .map_err(|e| format!("the front matter is not valid TOML: {}", e.message()))?;
    Ok(table
        .get("sources")
        .and_then(|s| s.as_table())
        .map(|t| t.keys().cloned().collect())
        .unwrap_or_default())
}

/// The `sources:` block of YAML front matter.
struct YamlSources {
    /// Byte offset (in the front matter) just past its last non-blank line.
    end: usize,
    indent: String,
    ids: BTreeSet<String>,
}

fn yaml_sources(text: &str) -> Option<YamlSources> {
    let mut offset = 0;
    let mut lines = text.split_inclusive('\n').peekable();
    while let Some(line) = lines.next() {
        offset += line.len();
        if line.trim_end() != "sources:" {
            continue;
        }
        let mut end = offset;
        let mut indent = None;
        let mut ids = BTreeSet::new();
        for child in lines.by_ref() {
            let content = child.trim_end_matches(['\r', '\n']);
            if content.trim().is_empty() {
                offset += child.len();
                continue;
            }
            if !content.starts_with([' ', '\t']) {
                break;
            }
            offset += child.len();
            end = offset;
            let own: String = content.chars().take_while(|c| *c == ' ').collect();
            let ind = indent.get_or_insert_with(|| own.clone());
            if own == *ind
                && let Some(key) = content.trim().strip_suffix(':')
            {
                ids.insert(key.trim_matches('"').trim_matches('\'').to_string());
            }
        }
        return Some(YamlSources {
            end,
            indent: indent.unwrap_or_else(|| "  ".into()),
            ids,
        });
    }
    None
}

/// `post` with `entry` added to its front matter.
pub fn add_source(post: &str, entry: &Entry) -> Result<String, String> {
    let f = find(post)?;
    let nl = f.newline;
    let fm_start = f.close - f.text.len();
    let (at, lines) = if f.yaml {
        match yaml_sources(f.text) {
            Some(block) => (fm_start + block.end, entry.yaml(&block.indent)),
            None => (f.close, format!("sources:\n{}", entry.yaml("  "))),
        }
    } else {
        let gap = if f.text.trim().is_empty() { "" } else { "\n" };
        (f.close, format!("{gap}{}", entry.toml()))
    };
    let lines = if nl == "\n" {
        lines
    } else {
        lines.replace('\n', nl)
    };
    // A front matter whose last line has no newline cannot happen: the
    // closing fence is on a line of its own.
    let mut out = String::with_capacity(post.len() + lines.len());
    out.push_str(&post[..at]);
    out.push_str(&lines);
    out.push_str(&post[at..]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry() -> Entry {
        Entry {
            id: "ledger".into(),
            fields: vec![
                ("publication", "The \"Ledger\"".into()),
                ("url", "https://ledger.example/a".into()),
                ("retrieved", "2026-03-03T13:30:00Z".into()),
                (
                    "snapshot",
                    "sources/ledger-example/a/2026-03-03T133000Z.txt".into(),
                ),
            ],
        }
    }

    #[test]
    fn toml_front_matter_gains_lines_and_keeps_every_other_byte() {
        let post = "+++\ntitle = \"A\"  # keep this comment\n\n[sources.old]\nurl = \"https://o.example/\"\n+++\n\nBody [old].\n";
        let out = add_source(post, &entry()).unwrap();
        let added = "\n[sources.ledger]\npublication = 'The \"Ledger\"'\nurl = \"https://ledger.example/a\"\nretrieved = 2026-03-03T13:30:00Z\nsnapshot = \"sources/ledger-example/a/2026-03-03T133000Z.txt\"\n";
        let at = post.rfind("+++\n\nBody").unwrap();
        assert_eq!(out, format!("{}{added}{}", &post[..at], &post[at..]));
        let ids = declared_ids(&out).unwrap();
        assert_eq!(ids.into_iter().collect::<Vec<_>>(), ["ledger", "old"]);
        let fm: toml::Table = toml::from_str(&out[4..out.rfind("+++").unwrap()]).unwrap();
        assert_eq!(
            fm["sources"]["ledger"]["publication"].as_str(),
            Some("The \"Ledger\"")
        );
    }

    #[test]
    fn yaml_front_matter_gains_an_entry_in_its_sources_block() {
        let post = "---\r\ntitle: A\r\nsources:\r\n    old:\r\n        url: https://o.example/\r\ntags: [x]\r\n---\r\nBody\r\n";
        let out = add_source(post, &entry()).unwrap();
        let at = post.find("tags:").unwrap();
        let added = &out[at..out.find("tags:").unwrap()];
        assert!(
            added.starts_with("    ledger:\r\n        publication: \"The \\\"Ledger\\\"\"\r\n"),
            "{added:?}"
        );
        assert_eq!(&out[..at], &post[..at]);
        assert!(out.ends_with("tags: [x]\r\n---\r\nBody\r\n"));
        let ids = declared_ids(&out).unwrap();
        assert!(ids.contains("ledger") && ids.contains("old"), "{ids:?}");
    }

    #[test]
    fn yaml_without_sources_gets_a_block() {
        let post = "---\ntitle: A\n---\nBody\n";
        let out = add_source(post, &entry()).unwrap();
        assert!(
            out.starts_with("---\ntitle: A\nsources:\n  ledger:\n    publication:"),
            "{out}"
        );
        assert!(out.ends_with("---\nBody\n"));
    }

    #[test]
    fn ids_are_short_and_unique() {
        let none = BTreeSet::new();
        assert_eq!(
            default_id(Some("The Meridian Post"), "https://x.example/", &none),
            "meridian"
        );
        assert_eq!(
            default_id(None, "https://www.ledger.example/a", &none),
            "ledger"
        );
        let taken: BTreeSet<String> = ["ledger".to_string(), "ledger-2".to_string()].into();
        assert_eq!(
            default_id(None, "https://ledger.example/", &taken),
            "ledger-3"
        );
    }

    #[test]
    fn a_post_without_front_matter_is_refused() {
        assert!(add_source("Just text\n", &entry()).is_err());
        assert!(add_source("+++\ntitle = \"x\"\n", &entry()).is_err());
    }
}

//! Reading an old site's files: front matter into TOML values, dates and
//! names out of it, walking folders, and URL paths as servers serve them.

use std::path::{Path, PathBuf};

use jiff::ZonedDateTime;
use jiff::tz::TimeZone;

use super::{ImportPlan, slash};
use crate::content::front_matter;
use crate::content::front_matter::tree::{Node, Value, parse_tree_lenient as parse_tree};
use crate::diagnostic::Diagnostic;

/// A content file of an old site, split: (front matter as a TOML table,
/// body, body line). `None` for a file without front matter.
pub(crate) fn read_doc_text(
    text: &str,
    rel: &Path,
    plan: &mut ImportPlan,
    root: &Path,
) -> Option<(toml::Table, String, usize)> {
    let split = match front_matter::split(text) {
        Ok(s) => s,
        Err(e) => {
            plan.report.push(
                Diagnostic::warning(root.join(rel), format!("not imported: {}", e.message))
                    .at(e.line, e.col),
            );
            return None;
        }
    };
    let format = split.format?;
    let table = if split.front.trim().is_empty() {
        toml::Table::new()
    } else {
        match parse_tree(format, split.front, split.front_line) {
            Ok(node) => match node_to_toml(&node) {
                Some(toml::Value::Table(t)) => t,
                _ => toml::Table::new(),
            },
            Err(e) => {
                plan.report.push(
                    Diagnostic::warning(root.join(rel), format!("not imported: {}", e.message))
                        .at(e.line, e.col),
                );
                return None;
            }
        }
    };
    Some((table, split.body.to_string(), split.body_line))
}

/// A front matter node as a TOML value (`None` for nothing).
pub(crate) fn node_to_toml(node: &Node) -> Option<toml::Value> {
    Some(match &node.value {
        Value::Null => return None,
        Value::Bool(b) => toml::Value::Boolean(*b),
        Value::Integer(n) => toml::Value::Integer(*n),
        Value::Float(f) => toml::Value::Float(*f),
        Value::String(s) => toml::Value::String(s.clone()),
        Value::Datetime(d) => match d.parse::<toml::value::Datetime>() {
            Ok(dt) => toml::Value::Datetime(dt),
            Err(_) => toml::Value::String(d.clone()),
        },
        Value::List(items) => toml::Value::Array(items.iter().filter_map(node_to_toml).collect()),
        Value::Table(entries) => {
            let mut t = toml::Table::new();
            for (k, v) in entries {
                if let Some(v) = node_to_toml(v) {
                    t.insert(k.name.clone(), v);
                }
            }
            toml::Value::Table(t)
        }
    })
}

/// A front matter string field.
pub(crate) fn fm_str<'t>(fm: &'t toml::Table, key: &str) -> Option<&'t str> {
    fm.iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .and_then(|(_, v)| v.as_str())
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// A front matter date (text or TOML literal) in `tz`.
pub(crate) fn fm_date(fm: &toml::Table, keys: &[&str], tz: &TimeZone) -> Option<ZonedDateTime> {
    keys.iter().find_map(|key| {
        let v = fm.iter().find(|(k, _)| k.eq_ignore_ascii_case(key))?.1;
        let text = match v {
            toml::Value::String(s) => s.clone(),
            toml::Value::Datetime(d) => d.to_string(),
            _ => return None,
        };
        crate::date::parse_date(&text, tz).ok()
    })
}

/// A front matter list of names (a list, or one string).
pub(crate) fn fm_names(fm: &toml::Table, key: &str) -> Vec<String> {
    match fm
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
    {
        Some(toml::Value::Array(a)) => a
            .iter()
            .map(|v| match v {
                toml::Value::String(s) => s.clone(),
                other => other.to_string(),
            })
            .collect(),
        Some(toml::Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// The modification day of a file, for documents the old generator dated
/// by it (Jekyll's drafts).
pub(crate) fn file_date(path: &Path, tz: &TimeZone) -> Option<ZonedDateTime> {
    let modified = std::fs::metadata(path).ok()?.modified().ok()?;
    let ts = jiff::Timestamp::try_from(modified).ok()?;
    Some(ts.to_zoned_datetime(tz.clone()))
}

/// Files of a folder, walked in order, hidden ones skipped.
pub(crate) fn walk(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'))
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .map(|e| e.into_path())
        .collect()
}

/// `path` under `base`, `/`-separated.
pub(crate) fn under(path: &Path, base: &Path) -> String {
    slash(path.strip_prefix(base).unwrap_or(path))
}

/// Old URL paths as served: a leading `/`, `index.html` folded, a
/// trailing `/` on folders.
pub(crate) fn served_path(path: &str) -> String {
    let mut p = String::from("/");
    for c in path.trim().chars() {
        if !(c == '/' && p.ends_with('/')) {
            p.push(c);
        }
    }
    if let Some(folder) = p.strip_suffix("index.html") {
        return folder.to_string();
    }
    if !p.ends_with('/') && !crate::urls::names_a_file(&p) {
        p.push('/');
    }
    p
}

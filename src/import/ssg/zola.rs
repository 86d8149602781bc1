//! Reading a Zola site: `config.toml`, `content/` with its sections
//! (`_index.md`) and page bundles, `static/`, and every URL as Zola made
//! it.
//!
//! Zola's URL rules, from its documentation: a page's `path`, else its
//! section's path and its slug: the `slug` field, else the file (or bundle
//! folder) name without a leading date (`2019-05-12-x` or `2019-05-12_x`),
//! slugified (`slugify.paths = "on"`, the default) or kept as it is.
//! Dated pages in a section become posts; the rest become pages.

use std::collections::BTreeMap;
use std::path::Path;

use jiff::tz::TimeZone;

use super::{
    Doc, ImportPlan, OldSite, TermKind, fm_date, fm_str, read_doc_text, served_path, slash, walk,
};
use crate::diagnostic::Diagnostic;
use crate::import::SiteSettings;

/// A leading `YYYY-MM-DD-` or `YYYY-MM-DD_` of a file name, and the rest.
fn split_date(stem: &str) -> (Option<&str>, &str) {
    let b = stem.as_bytes();
    let dated = b.len() > 11
        && b[..10].iter().enumerate().all(|(i, c)| {
            if i == 4 || i == 7 {
                *c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
        && (b[10] == b'-' || b[10] == b'_');
    if dated {
        (Some(&stem[..10]), &stem[11..])
    } else {
        (None, stem)
    }
}

pub(super) fn read(root: &Path, plan: &mut ImportPlan) -> Result<OldSite, Box<Diagnostic>> {
    let config_path = root.join("config.toml");
    let text = std::fs::read_to_string(&config_path).map_err(|_| {
        Box::new(
            Diagnostic::error(root, "not a Zola site: no config.toml")
                .with_hint("give the folder that holds the site's config.toml and content/"),
        )
    })?;
    let config: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        Box::new(Diagnostic::error(&config_path, e.message().to_string()))
    })?;
    let get = |k: &str| {
        config
            .get(k)
            .and_then(toml::Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let slugify_paths = config
        .get("slugify")
        .and_then(|s| s.get("paths"))
        .and_then(toml::Value::as_str)
        .unwrap_or("on")
        .to_string();
    let make_slug = |s: &str| -> String {
        match slugify_paths.as_str() {
            "off" => s.to_string(),
            "safe" => s
                .chars()
                .filter(|c| {
                    !matches!(
                        c,
                        '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*' | '#' | '%'
                    )
                })
                .map(|c| if c.is_whitespace() { '_' } else { c })
                .collect(),
            _ => slug::slugify(s),
        }
    };
    let taxonomy_names: Vec<String> = config
        .get("taxonomies")
        .and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|t| {
                    t.get("name")
                        .and_then(toml::Value::as_str)
                        .map(String::from)
                })
                .collect()
        })
        .unwrap_or_default();
    let timezone = TimeZone::UTC;
    let content_dir = root.join("content");
    if !content_dir.is_dir() {
        return Err(Box::new(Diagnostic::error(
            &content_dir,
            "the Zola site has no content folder",
        )));
    }
    for machinery in ["templates", "themes", "sass"] {
        if root.join(machinery).is_dir() {
            plan.report.push(Diagnostic::warning(
                root.join(machinery),
                format!("the old site's {machinery}/ is Zola's own machinery: not carried"),
            ));
        }
    }
    let files = walk(&content_dir);
    let bundles: Vec<std::path::PathBuf> = files
        .iter()
        .filter(|f| f.file_name().is_some_and(|n| n == "index.md"))
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    // Section paths: a section's `_index.md` may give its own `path`.
    let mut section_paths: BTreeMap<String, String> = BTreeMap::new();
    let mut gone_lists = Vec::new();
    let mut pending = Vec::new();
    for abs in &files {
        let rel_in_content = slash(abs.strip_prefix(&content_dir).unwrap_or(abs));
        if abs.file_name().is_some_and(|n| n == "_index.md") {
            let dir = rel_in_content
                .trim_end_matches("_index.md")
                .trim_end_matches('/')
                .to_string();
            let text = std::fs::read_to_string(abs).unwrap_or_default();
            let rel = abs.strip_prefix(root).unwrap_or(abs).to_path_buf();
            let fm = read_doc_text(&text, &rel, plan, root)
                .map(|(fm, _, _)| fm)
                .unwrap_or_default();
            let path = fm_str(&fm, "path").map(served_path).unwrap_or_else(|| {
                if dir.is_empty() {
                    "/".into()
                } else {
                    served_path(&format!(
                        "/{}/",
                        dir.split('/').map(make_slug).collect::<Vec<_>>().join("/")
                    ))
                }
            });
            if !dir.is_empty() {
                gone_lists.push(path.clone());
            }
            section_paths.insert(dir, path);
        } else {
            pending.push(abs.clone());
        }
    }
    let section_url = |dir: &str| -> String {
        section_paths.get(dir).cloned().unwrap_or_else(|| {
            if dir.is_empty() {
                "/".into()
            } else {
                served_path(&format!(
                    "/{}/",
                    dir.split('/').map(make_slug).collect::<Vec<_>>().join("/")
                ))
            }
        })
    };
    let mut docs = Vec::new();
    let mut statics = Vec::new();
    let mut term_pages = Vec::new();
    let mut section_counts: BTreeMap<String, usize> = BTreeMap::new();
    for abs in pending {
        let rel_in_content = slash(abs.strip_prefix(&content_dir).unwrap_or(&abs));
        let rel = abs.strip_prefix(root).unwrap_or(&abs).to_path_buf();
        let name = abs
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let bundle = bundles.iter().find(|b| abs.starts_with(b)).cloned();
        let is_index = bundle.as_deref() == abs.parent() && name == "index.md";
        if !name.ends_with(".md") || (bundle.is_some() && !is_index) {
            if bundle.is_none() {
                statics.push((abs.clone(), format!("static/{rel_in_content}")));
            }
            continue;
        }
        let text = match std::fs::read_to_string(&abs) {
            Ok(t) => t.replace("\r\n", "\n"),
            Err(e) => {
                plan.report
                    .push(Diagnostic::warning(&abs, format!("cannot read: {e}")));
                continue;
            }
        };
        let Some((fm, body, body_line)) = read_doc_text(&text, &rel, plan, root) else {
            continue;
        };
        let parts: Vec<&str> = rel_in_content.split('/').collect();
        let dir_parts = if is_index {
            &parts[..parts.len().saturating_sub(2)]
        } else {
            &parts[..parts.len() - 1]
        };
        let dir = dir_parts.join("/");
        let stem = if is_index {
            parts[parts.len() - 2].to_string()
        } else {
            name.trim_end_matches(".md").to_string()
        };
        let (file_date, rest) = split_date(&stem);
        // A date in the front matter, else in the file name, else at the
        // start of the page's own `path` (as glossator's build reads it).
        let path_date = fm_str(&fm, "path").and_then(crate::urls::date_in_url);
        let date = fm_date(&fm, &["date"], &timezone).or_else(|| {
            file_date
                .map(String::from)
                .or(path_date)
                .and_then(|d| crate::date::parse_date(&d, &timezone).ok())
        });
        let slug = fm_str(&fm, "slug")
            .map(make_slug)
            .unwrap_or_else(|| make_slug(rest));
        let old_url = match fm_str(&fm, "path") {
            Some(p) => served_path(p),
            None => served_path(&format!("{}{slug}/", section_url(&dir))),
        };
        // Zola adds no date by itself: a dated page is a post, wherever
        // it sits; an undated one (an about page) a page.
        let is_post = date.is_some();
        if let Some(toml::Value::Table(t)) = fm.get("taxonomies") {
            for (name, terms) in t {
                let kind = match name.as_str() {
                    "tags" => TermKind::Tag,
                    "categories" => TermKind::Category,
                    _ => continue,
                };
                if !taxonomy_names.contains(name) || !is_post {
                    continue;
                }
                for term in terms
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(toml::Value::as_str)
                {
                    term_pages.push((
                        served_path(&format!("/{name}/{}/", make_slug(term))),
                        kind,
                        term.to_string(),
                    ));
                }
            }
        }
        if is_post {
            *section_counts.entry(dir.clone()).or_default() += 1;
        }
        let out = format!(
            "content/{}/{rel_in_content}",
            if is_post { "posts" } else { "pages" }
        );
        let out_dir = Path::new(&out).parent().map(slash).unwrap_or_default();
        let assets = match &bundle {
            Some(b) if is_index => walk(b)
                .into_iter()
                .filter(|f| *f != abs)
                .map(|f| {
                    let inner = slash(f.strip_prefix(b).unwrap_or(&f));
                    (f.clone(), format!("{out_dir}/{inner}"))
                })
                .collect(),
            _ => Vec::new(),
        };
        let draft = fm
            .get("draft")
            .and_then(toml::Value::as_bool)
            .unwrap_or(false);
        docs.push(Doc {
            rel,
            is_post,
            draft,
            fm,
            body,
            body_line,
            is_html: false,
            date,
            old_url,
            out,
            assets,
            extra_categories: Vec::new(),
        });
    }
    let static_dir = root.join("static");
    if static_dir.is_dir() {
        for f in walk(&static_dir) {
            statics.push((
                f.clone(),
                format!(
                    "static/{}",
                    slash(f.strip_prefix(&static_dir).unwrap_or(&f))
                ),
            ));
        }
    }
    let main = section_counts
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(d, _)| section_url(d))
        .unwrap_or_else(|| "/blog/".into());
    let permalink = format!("{main}:slug/");
    let settings = SiteSettings {
        title: Some(get("title")).filter(|s| !s.is_empty()),
        description: Some(get("description")).filter(|s| !s.is_empty()),
        base_url: Some(get("base_url").trim_end_matches('/').to_string())
            .filter(|s| s.starts_with("http")),
        language: Some(get("default_language")).filter(|s| !s.is_empty()),
        timezone: None,
        permalink: crate::urls::Permalink::parse(&permalink)
            .ok()
            .map(|_| permalink),
        tags_path: Some("tags".into()),
        categories_path: Some("categories".into()),
        feed_aliases: Vec::new(),
    };
    term_pages.sort_by(|a, b| a.0.cmp(&b.0));
    term_pages.dedup_by(|a, b| a.0 == b.0);
    Ok(OldSite {
        settings,
        timezone,
        docs,
        statics,
        term_pages,
        gone_lists,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_in_names() {
        assert_eq!(
            split_date("2019-05-12-first"),
            (Some("2019-05-12"), "first")
        );
        assert_eq!(
            split_date("2019-05-12_first"),
            (Some("2019-05-12"), "first")
        );
        assert_eq!(split_date("first"), (None, "first"));
    }
}

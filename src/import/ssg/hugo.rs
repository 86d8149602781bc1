//! Reading a Hugo site: its config (`hugo.*` or `config.*`, in TOML, YAML
//! or JSON, or under `config/_default/`), `content/` with its sections and
//! page bundles, `static/`, and every URL as Hugo made it.
//!
//! Hugo's URL rules, from its documentation: a page's `url`, else the
//! section's `permalinks` pattern, else its path under `content/` with the
//! `slug` (or file, or bundle folder) name last; paths are lower-cased
//! unless `disablePathToLower`. Dated pages in a section become posts;
//! the rest (and pages at the top of `content/`) become pages.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use jiff::ZonedDateTime;
use jiff::tz::TimeZone;

use super::{
    Doc, ImportPlan, OldSite, TermKind, fm_date, fm_names, fm_str, read_doc_text, served_path,
    slash, walk,
};
use crate::content::front_matter::Format;
use crate::content::front_matter::tree::parse_tree_lenient as parse_tree;
use crate::diagnostic::Diagnostic;
use crate::import::SiteSettings;
use crate::urls::title_slug;

fn json_to_toml(v: &serde_json::Value) -> Option<toml::Value> {
    use serde_json::Value as J;
    Some(match v {
        J::Null => return None,
        J::Bool(b) => toml::Value::Boolean(*b),
        J::Number(n) => match n.as_i64() {
            Some(i) => toml::Value::Integer(i),
            None => toml::Value::Float(n.as_f64().unwrap_or(0.0)),
        },
        J::String(s) => toml::Value::String(s.clone()),
        J::Array(a) => toml::Value::Array(a.iter().filter_map(json_to_toml).collect()),
        J::Object(o) => toml::Value::Table(
            o.iter()
                .filter_map(|(k, v)| Some((k.clone(), json_to_toml(v)?)))
                .collect(),
        ),
    })
}

/// Reads one config file in whatever language its extension says.
fn read_config_file(path: &Path) -> Result<Option<toml::Table>, Box<Diagnostic>> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return Ok(None);
    };
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().into_owned())
        .unwrap_or_default();
    let table = match ext.as_str() {
        "toml" => text
            .parse::<toml::Table>()
            .map_err(|e| Box::new(Diagnostic::error(path, e.message().to_string())))?,
        "json" => {
            let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                Box::new(Diagnostic::error(path, e.to_string()).at(e.line(), e.column()))
            })?;
            match json_to_toml(&v) {
                Some(toml::Value::Table(t)) => t,
                _ => toml::Table::new(),
            }
        }
        _ => {
            let tree = parse_tree(Format::Yaml, &text, 1)
                .map_err(|e| Box::new(Diagnostic::error(path, e.message).at(e.line, e.col)))?;
            match super::node_to_toml(&tree) {
                Some(toml::Value::Table(t)) => t,
                _ => toml::Table::new(),
            }
        }
    };
    Ok(Some(table))
}

fn config(root: &Path) -> Result<Option<toml::Table>, Box<Diagnostic>> {
    for dir in [root.to_path_buf(), root.join("config/_default")] {
        for name in ["hugo", "config"] {
            for ext in ["toml", "yaml", "yml", "json"] {
                if let Some(t) = read_config_file(&dir.join(format!("{name}.{ext}")))? {
                    return Ok(Some(t));
                }
            }
        }
    }
    Ok(None)
}

/// Case-insensitive lookup: Hugo's keys are.
fn key<'t>(t: &'t toml::Table, k: &str) -> Option<&'t toml::Value> {
    t.iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(k))
        .map(|(_, v)| v)
}

/// What a Hugo URL pattern can name.
struct Fill<'a> {
    date: &'a ZonedDateTime,
    title: &'a str,
    slug: Option<&'a str>,
    /// The file name without extension (a bundle's folder name).
    filename: &'a str,
    section: &'a str,
    sections: &'a str,
}

fn expand(pattern: &str, f: &Fill<'_>) -> String {
    let d = f.date;
    let title = title_slug(f.title);
    let slug = f.slug.map(title_slug).unwrap_or_else(|| title.clone());
    let filename = f.filename.to_string();
    let slug_or_file = f.slug.map(title_slug).unwrap_or_else(|| filename.clone());
    let mut tokens: Vec<(&str, String)> = vec![
        ("slugorcontentbasename", slug_or_file.clone()),
        ("slugorfilename", slug_or_file),
        ("contentbasename", filename.clone()),
        ("weekdayname", d.strftime("%A").to_string()),
        ("monthname", d.strftime("%B").to_string()),
        ("filename", filename),
        ("sections", f.sections.to_string()),
        ("section", f.section.to_string()),
        ("weekday", d.weekday().to_sunday_zero_offset().to_string()),
        ("yearday", d.day_of_year().to_string()),
        ("title", title),
        ("month", format!("{:02}", d.month())),
        ("year", format!("{:04}", d.year())),
        ("slug", slug),
        ("day", format!("{:02}", d.day())),
    ];
    tokens.sort_by_key(|(name, _)| std::cmp::Reverse(name.len()));
    let mut out = String::new();
    let mut rest = pattern;
    'outer: while let Some(c) = rest.chars().next() {
        if c == ':' {
            for (name, value) in &tokens {
                if rest[1..].starts_with(name) {
                    out.push_str(value);
                    rest = &rest[1 + name.len()..];
                    continue 'outer;
                }
            }
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

/// Hugo's pattern in glossator's tokens, when they mean the same.
fn translate(pattern: &str, section: &str) -> Option<String> {
    let p = pattern
        .replace(":slugorfilename", ":slug")
        .replace(":slugorcontentbasename", ":slug")
        .replace(":contentbasename", ":filename")
        .replace(":sections", section)
        .replace(":section", section);
    let p = if p.starts_with('/') {
        p
    } else {
        format!("/{p}")
    };
    let p = if p.ends_with('/') || crate::urls::names_a_file(&p) {
        p
    } else {
        format!("{p}/")
    };
    crate::urls::Permalink::parse(&p).ok().map(|_| p)
}

pub(super) fn read(root: &Path, plan: &mut ImportPlan) -> Result<OldSite, Box<Diagnostic>> {
    let config = config(root)?.ok_or_else(|| {
        Box::new(
            Diagnostic::error(
                root,
                "not a Hugo site: no hugo.toml or config.toml (or .yaml, .json)",
            )
            .with_hint("give the folder that holds the site's config and content/"),
        )
    })?;
    let text = |k: &str| {
        key(&config, k)
            .and_then(toml::Value::as_str)
            .unwrap_or("")
            .trim()
            .to_string()
    };
    let tz_name = text("timeZone");
    let timezone =
        TimeZone::get(if tz_name.is_empty() { "UTC" } else { &tz_name }).unwrap_or(TimeZone::UTC);
    let lower = !key(&config, "disablePathToLower")
        .and_then(toml::Value::as_bool)
        .unwrap_or(false);
    let ugly = key(&config, "uglyURLs")
        .and_then(toml::Value::as_bool)
        .unwrap_or(false);
    // `[permalinks] posts = "..."` or, since Hugo 0.120, `[permalinks.page]`.
    let mut permalinks: HashMap<String, String> = HashMap::new();
    if let Some(toml::Value::Table(p)) = key(&config, "permalinks") {
        let page = p.get("page").and_then(toml::Value::as_table).unwrap_or(p);
        for (section, pattern) in page {
            if let Some(s) = pattern.as_str() {
                permalinks.insert(section.clone(), s.to_string());
            }
        }
    }
    // singular → plural
    let mut taxonomies: BTreeMap<String, String> = BTreeMap::new();
    match key(&config, "taxonomies") {
        Some(toml::Value::Table(t)) => {
            for (singular, plural) in t {
                if let Some(p) = plural.as_str() {
                    taxonomies.insert(singular.clone(), p.to_string());
                }
            }
        }
        _ => {
            taxonomies.insert("tag".into(), "tags".into());
            taxonomies.insert("category".into(), "categories".into());
        }
    }
    let content_dir = {
        let c = text("contentDir");
        root.join(if c.is_empty() {
            "content".to_string()
        } else {
            c
        })
    };
    let static_dir = {
        let s = text("staticDir");
        root.join(if s.is_empty() {
            "static".to_string()
        } else {
            s
        })
    };
    if !content_dir.is_dir() {
        return Err(Box::new(Diagnostic::error(
            &content_dir,
            "the Hugo site has no content folder",
        )));
    }
    for machinery in ["layouts", "themes", "assets", "archetypes", "data", "i18n"] {
        if root.join(machinery).is_dir() {
            plan.report.push(Diagnostic::warning(
                root.join(machinery),
                format!("the old site's {machinery}/ is Hugo's own machinery: not carried"),
            ));
        }
    }

    let files = walk(&content_dir);
    // Leaf bundles: folders holding an index.md.
    let bundles: Vec<std::path::PathBuf> = files
        .iter()
        .filter(|f| {
            f.file_name()
                .is_some_and(|n| n == "index.md" || n == "index.markdown" || n == "index.html")
        })
        .filter_map(|f| f.parent().map(Path::to_path_buf))
        .collect();
    let mut docs = Vec::new();
    let mut statics = Vec::new();
    let mut gone_lists = Vec::new();
    let mut term_pages = Vec::new();
    let mut section_counts: BTreeMap<String, usize> = BTreeMap::new();
    let mut unknown_taxonomies: BTreeMap<String, usize> = BTreeMap::new();
    for abs in &files {
        let rel_in_content = slash(abs.strip_prefix(&content_dir).unwrap_or(abs));
        let rel = abs.strip_prefix(root).unwrap_or(abs).to_path_buf();
        let name = abs
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let ext = abs
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let is_content = matches!(ext.as_str(), "md" | "markdown" | "html");
        let bundle = bundles.iter().find(|b| abs.starts_with(b)).cloned();
        let is_bundle_index = bundle.as_deref() == abs.parent() && name.starts_with("index.");
        if !is_content || (bundle.is_some() && !is_bundle_index) {
            if bundle.is_none() {
                statics.push((
                    abs.clone(),
                    format!("static/{}", lowered(&rel_in_content, lower)),
                ));
            }
            continue;
        }
        let parts: Vec<&str> = rel_in_content.split('/').collect();
        let section = if parts.len() > 1 {
            parts[0].to_string()
        } else {
            String::new()
        };
        let text_body = match std::fs::read_to_string(abs) {
            Ok(t) => t.replace("\r\n", "\n"),
            Err(e) => {
                plan.report
                    .push(Diagnostic::warning(abs, format!("cannot read: {e}")));
                continue;
            }
        };
        let Some((fm, body, body_line)) = read_doc_text(&text_body, &rel, plan, root) else {
            continue;
        };
        let dirs: Vec<&str> = if is_bundle_index {
            parts[..parts.len().saturating_sub(2)].to_vec()
        } else {
            parts[..parts.len() - 1].to_vec()
        };
        if name.starts_with("_index.") {
            if !dirs.is_empty() {
                let url = fm_str(&fm, "url").map(served_path).unwrap_or_else(|| {
                    served_path(&lowered(&format!("/{}/", dirs.join("/")), lower))
                });
                gone_lists.push(url);
            }
            continue;
        }
        let stem = if is_bundle_index {
            parts[parts.len() - 2].to_string()
        } else {
            Path::new(&name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default()
        };
        let date = fm_date(
            &fm,
            &["date", "publishDate", "pubdate", "published"],
            &timezone,
        );
        let title = fm_str(&fm, "title").unwrap_or("").to_string();
        let slug = fm_str(&fm, "slug").map(String::from);
        let is_post = date.is_some() && !section.is_empty();
        let old_url = match fm_str(&fm, "url") {
            Some(u) => served_path(u),
            None => {
                let pattern = permalinks.get(&section).filter(|_| date.is_some());
                match (pattern, &date) {
                    (Some(p), Some(d)) => served_path(&lowered(
                        &expand(
                            p,
                            &Fill {
                                date: d,
                                title: &title,
                                slug: slug.as_deref(),
                                filename: &stem,
                                section: &section,
                                sections: &dirs.join("/"),
                            },
                        ),
                        lower,
                    )),
                    _ => {
                        let last = slug.clone().unwrap_or_else(|| stem.clone());
                        let mut path = String::from("/");
                        for d in &dirs {
                            path.push_str(d);
                            path.push('/');
                        }
                        if ugly && !is_bundle_index {
                            path.push_str(&last);
                            path.push_str(".html");
                        } else {
                            path.push_str(&last);
                            path.push('/');
                        }
                        served_path(&lowered(&path, lower))
                    }
                }
            }
        };
        for (singular, plural) in &taxonomies {
            for term in fm_names(&fm, plural) {
                let kind = match plural.as_str() {
                    "tags" => Some(TermKind::Tag),
                    "categories" => Some(TermKind::Category),
                    _ => None,
                };
                match kind {
                    Some(k) if is_post => term_pages.push((
                        served_path(&format!("/{plural}/{}/", title_slug(&term))),
                        k,
                        term,
                    )),
                    Some(_) => {}
                    None if plural != "series" => {
                        *unknown_taxonomies.entry(plural.clone()).or_default() += 1
                    }
                    None => {}
                }
                let _ = singular;
            }
        }
        if is_post {
            *section_counts.entry(section.clone()).or_default() += 1;
        }
        let assets = match &bundle {
            Some(b) if is_bundle_index => walk(b)
                .into_iter()
                .filter(|f| f != abs)
                .map(|f| {
                    let inner = slash(f.strip_prefix(b).unwrap_or(&f));
                    (f.clone(), inner)
                })
                .collect(),
            _ => Vec::new(),
        };
        let kind_dir = if is_post { "posts" } else { "pages" };
        let out = format!("content/{kind_dir}/{}", with_md(&rel_in_content));
        let out_dir = Path::new(&out).parent().map(slash).unwrap_or_default();
        let assets = assets
            .into_iter()
            .map(|(from, inner)| (from, format!("{out_dir}/{inner}")))
            .collect();
        let draft = key(&fm, "draft")
            .and_then(toml::Value::as_bool)
            .unwrap_or(false);
        docs.push(Doc {
            rel,
            is_post,
            draft,
            fm,
            body,
            body_line,
            is_html: ext == "html",
            date,
            old_url,
            out,
            assets,
            extra_categories: Vec::new(),
        });
    }
    for (taxonomy, n) in unknown_taxonomies {
        plan.report.push(Diagnostic::warning(
            root,
            format!("the taxonomy `{taxonomy}` ({n} uses) is not one of glossator's: its terms are kept under each post's `extra`"),
        ));
    }
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
    let main_section = section_counts
        .iter()
        .max_by_key(|(_, n)| **n)
        .map(|(s, _)| s.clone())
        .unwrap_or_else(|| "posts".into());
    let main_pattern = permalinks
        .get(&main_section)
        .cloned()
        .unwrap_or_else(|| format!("/{main_section}/:slugorfilename/"));
    let plural_of = |singular: &str, default: &str| {
        taxonomies
            .get(singular)
            .cloned()
            .or_else(|| Some(default.to_string()))
    };
    let settings = SiteSettings {
        title: Some(text("title")).filter(|s| !s.is_empty()),
        description: key(&config, "params")
            .and_then(|p| p.get("description"))
            .and_then(toml::Value::as_str)
            .map(String::from),
        base_url: Some(text("baseURL").trim_end_matches('/').to_string())
            .filter(|s| s.starts_with("http")),
        language: Some(text("languageCode")).filter(|s| !s.is_empty()),
        timezone: Some(tz_name).filter(|s| !s.is_empty()),
        permalink: translate(&main_pattern, &main_section),
        tags_path: plural_of("tag", "tags"),
        categories_path: plural_of("category", "categories"),
        feed_aliases: vec!["/index.xml".into()],
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

fn lowered(path: &str, lower: bool) -> String {
    if lower {
        path.to_lowercase()
    } else {
        path.to_string()
    }
}

fn with_md(path: &str) -> String {
    match path.rsplit_once('.') {
        Some((stem, _)) => format!("{stem}.md"),
        None => format!("{path}.md"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hugo_patterns() {
        let d: ZonedDateTime = "2019-05-12T10:00:00+02:00[Europe/Paris]".parse().unwrap();
        let f = Fill {
            date: &d,
            title: "Release 2.4.0 is out!",
            slug: None,
            filename: "release",
            section: "posts",
            sections: "posts",
        };
        assert_eq!(
            expand("/:year/:month/:title/", &f),
            "/2019/05/release-2.4.0-is-out/"
        );
        assert_eq!(expand("/:section/:slugorfilename/", &f), "/posts/release/");
        assert_eq!(
            expand("/:year/:monthname/:slug/", &f),
            "/2019/May/release-2.4.0-is-out/"
        );
        assert_eq!(
            translate("/:year/:month/:title/", "posts").as_deref(),
            Some("/:year/:month/:title/")
        );
        assert_eq!(
            translate(":section/:slugorfilename", "blog").as_deref(),
            Some("/blog/:slug/")
        );
        assert_eq!(translate("/:year/:monthname/:slug/", "posts"), None);
    }
}

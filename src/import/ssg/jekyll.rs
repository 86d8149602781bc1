//! Reading a Jekyll site: `_config.yml`, `_posts/` (at any depth, the
//! folders above it being categories), `_drafts/`, pages, static files,
//! and every URL as Jekyll made it.
//!
//! Jekyll's URL rules, from its documentation: a post's `permalink`, else
//! the site's `permalink` (a pattern, or one of the styles `date`
//! (the default), `pretty`, `ordinal`, `weekdate`, `none`); `:title` is
//! the file name's slug as written (or the `slug` field), `:categories`
//! the categories lower-cased and joined with `/`; a page is at
//! `/dir/name.html`, or `/dir/name/` with `pretty`.

use std::path::{Path, PathBuf};

use jiff::ZonedDateTime;
use jiff::tz::TimeZone;

use super::{
    Doc, ImportPlan, OldSite, TermKind, fm_date, fm_names, fm_str, read_doc_text, served_path,
    slash, under, walk,
};
use crate::content::front_matter::Format;
use crate::content::front_matter::tree::parse_tree_lenient as parse_tree;
use crate::date::date_from_file_stem;
use crate::diagnostic::Diagnostic;
use crate::import::SiteSettings;

/// Files Jekyll never publishes.
const NOT_PUBLISHED: [&str; 8] = [
    "Gemfile",
    "Gemfile.lock",
    "node_modules",
    "vendor",
    "gemfiles",
    "package.json",
    "package-lock.json",
    "CNAME.example",
];

fn style_pattern(style: &str) -> String {
    match style {
        "date" | "" => "/:categories/:year/:month/:day/:title:output_ext",
        "pretty" => "/:categories/:year/:month/:day/:title/",
        "ordinal" => "/:categories/:year/:y_day/:title:output_ext",
        "weekdate" => "/:categories/:year/W:week/:short_day/:title:output_ext",
        "none" => "/:categories/:title:output_ext",
        other => other,
    }
    .to_string()
}

/// What a Jekyll URL pattern can name, for one document.
struct Fill<'a> {
    date: Option<&'a ZonedDateTime>,
    title: &'a str,
    categories: &'a [String],
}

/// Expands a Jekyll pattern the way Jekyll does.
fn expand(pattern: &str, f: &Fill<'_>) -> String {
    let mut out = String::new();
    let mut rest = pattern;
    while let Some(c) = rest.chars().next() {
        if c == ':' {
            let name: String = rest[1..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let d = f.date;
            let value = match name.as_str() {
                "year" => d.map(|d| format!("{:04}", d.year())),
                "short_year" => d.map(|d| format!("{:02}", d.year().rem_euclid(100))),
                "month" => d.map(|d| format!("{:02}", d.month())),
                "i_month" => d.map(|d| d.month().to_string()),
                "short_month" => d.map(|d| d.strftime("%b").to_string()),
                "long_month" => d.map(|d| d.strftime("%B").to_string()),
                "day" => d.map(|d| format!("{:02}", d.day())),
                "i_day" => d.map(|d| d.day().to_string()),
                "y_day" => d.map(|d| format!("{:03}", d.day_of_year())),
                "hour" => d.map(|d| format!("{:02}", d.hour())),
                "minute" => d.map(|d| format!("{:02}", d.minute())),
                "second" => d.map(|d| format!("{:02}", d.second())),
                "week" => d.map(|d| d.strftime("%V").to_string()),
                "short_day" => d.map(|d| d.strftime("%a").to_string()),
                "long_day" => d.map(|d| d.strftime("%A").to_string()),
                // Jekyll's "pretty" slugify, case kept.
                "title" => Some(crate::urls::filename_slug(f.title)),
                "slug" => Some(slug::slugify(f.title)),
                "categories" => Some(
                    f.categories
                        .iter()
                        .map(|c| c.to_lowercase())
                        .collect::<Vec<_>>()
                        .join("/"),
                ),
                "output_ext" => Some(".html".to_string()),
                _ => None,
            };
            match value {
                Some(v) => {
                    out.push_str(&v);
                    rest = &rest[1 + name.len()..];
                }
                None => {
                    out.push(':');
                    rest = &rest[1..];
                }
            }
        } else {
            out.push(c);
            rest = &rest[c.len_utf8()..];
        }
    }
    served_path(&out)
}

/// Jekyll's pattern in glossator's tokens, when it has them all.
fn translate(pattern: &str) -> Option<String> {
    let p = pattern
        .replace(":title", ":filename")
        .replace(":output_ext", ".html");
    crate::urls::Permalink::parse(&p).ok().map(|_| p)
}

fn config_table(root: &Path) -> Result<Option<(PathBuf, toml::Table)>, Box<Diagnostic>> {
    for name in ["_config.yml", "_config.yaml", "_config.toml"] {
        let path = root.join(name);
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if name.ends_with(".toml") {
            return text
                .parse::<toml::Table>()
                .map(|t| Some((path.clone(), t)))
                .map_err(|e| Box::new(Diagnostic::error(&path, e.message().to_string())));
        }
        let tree = parse_tree(Format::Yaml, &text, 1)
            .map_err(|e| Box::new(Diagnostic::error(&path, e.message).at(e.line, e.col)))?;
        let table = match super::node_to_toml(&tree) {
            Some(toml::Value::Table(t)) => t,
            _ => toml::Table::new(),
        };
        return Ok(Some((path, table)));
    }
    Ok(None)
}

pub(super) fn read(root: &Path, plan: &mut ImportPlan) -> Result<OldSite, Box<Diagnostic>> {
    let (config_path, config) = config_table(root)?.ok_or_else(|| {
        Box::new(
            Diagnostic::error(root, "not a Jekyll site: no _config.yml")
                .with_hint("give the folder that holds the site's _config.yml"),
        )
    })?;
    let _ = config_path;
    let get = |k: &str| {
        config
            .get(k)
            .and_then(toml::Value::as_str)
            .map(str::trim)
            .unwrap_or("")
    };
    let tz_name = get("timezone");
    let timezone =
        TimeZone::get(if tz_name.is_empty() { "UTC" } else { tz_name }).unwrap_or(TimeZone::UTC);
    let url = get("url").trim_end_matches('/');
    let baseurl = get("baseurl").trim_matches('/');
    let base_url = match (url.is_empty(), baseurl.is_empty()) {
        (true, _) => None,
        (false, true) => Some(url.to_string()),
        (false, false) => Some(format!("{url}/{baseurl}")),
    };
    let style = get("permalink");
    let pattern = style_pattern(style);
    let pretty_pages = style == "pretty"
        || (pattern.ends_with('/')
            && !matches!(style, "date" | "ordinal" | "none" | "weekdate" | ""));
    // Folders Jekyll was told to read though their names start with `_`.
    let include: Vec<String> = config
        .get("include")
        .and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(|s| s.trim_matches('/').to_string()))
                .collect()
        })
        .unwrap_or_default();
    let exclude: Vec<String> = config
        .get("exclude")
        .and_then(toml::Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(|v| v.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default();
    // jekyll-archives: tag and category pages, when the site had them.
    let archives = config
        .get("jekyll-archives")
        .and_then(toml::Value::as_table);
    let archive_enabled = |kind: &str| {
        archives.is_some_and(|a| match a.get("enabled") {
            Some(toml::Value::String(s)) => s == "all" || s == kind,
            Some(toml::Value::Array(list)) => list
                .iter()
                .any(|v| v.as_str() == Some(kind) || v.as_str() == Some("all")),
            _ => false,
        })
    };
    let archive_pattern = |kind: &str, default: &str| {
        archives
            .and_then(|a| a.get("permalinks"))
            .and_then(|p| p.get(kind))
            .and_then(toml::Value::as_str)
            .unwrap_or(default)
            .to_string()
    };
    let tag_pattern = archive_enabled("tags").then(|| archive_pattern("tag", "/tag/:name/"));
    let category_pattern =
        archive_enabled("categories").then(|| archive_pattern("category", "/category/:name/"));
    let first_segment = |p: &Option<String>| {
        p.as_ref()
            .and_then(|p| {
                p.trim_start_matches('/')
                    .split('/')
                    .next()
                    .map(String::from)
            })
            .filter(|s| !s.is_empty() && !s.contains(':'))
    };
    let settings = SiteSettings {
        title: Some(get("title").to_string()).filter(|s| !s.is_empty()),
        description: Some(get("description").to_string()).filter(|s| !s.is_empty()),
        base_url,
        language: Some(get("lang").to_string()).filter(|s| !s.is_empty()),
        timezone: Some(tz_name.to_string()).filter(|s| !s.is_empty()),
        permalink: translate(&pattern),
        tags_path: first_segment(&tag_pattern),
        categories_path: first_segment(&category_pattern),
        feed_aliases: Vec::new(),
    };

    let mut docs = Vec::new();
    let mut statics = Vec::new();
    let mut term_pages = Vec::new();
    for abs in walk(root) {
        let rel_path = abs.strip_prefix(root).unwrap_or(&abs).to_path_buf();
        let rel = slash(&rel_path);
        let parts: Vec<&str> = rel.split('/').collect();
        let top = parts[0];
        if NOT_PUBLISHED.contains(&top)
            || exclude
                .iter()
                .any(|e| rel == *e || rel.starts_with(&format!("{}/", e.trim_end_matches('/'))))
            || top == "_site"
        {
            continue;
        }
        let post_dir = parts.iter().position(|p| *p == "_posts");
        let draft_dir = parts.iter().position(|p| *p == "_drafts");
        let in_underscore = parts[..parts.len() - 1]
            .iter()
            .any(|p| p.starts_with('_') && !include.iter().any(|i| i == p));
        let name = *parts.last().unwrap_or(&"");
        let ext = Path::new(name)
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        let is_text = matches!(
            ext.as_str(),
            "md" | "markdown" | "mkd" | "mdown" | "html" | "htm"
        );
        if let Some(i) = post_dir.or(draft_dir) {
            if !is_text {
                if post_dir.is_some() {
                    statics.push((abs.clone(), format!("static/{rel}")));
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
            // Jekyll reads every file under _posts, front matter or not.
            let has_front = text.starts_with("---\n") || text.starts_with("+++\n");
            let read = if has_front {
                read_doc_text(&text, &rel_path, plan, root)
            } else {
                Some((toml::Table::new(), text.clone(), 1))
            };
            let Some((fm, body, body_line)) = read else {
                continue;
            };
            let is_draft = draft_dir.is_some();
            let stem = Path::new(name)
                .file_stem()
                .map(|s| s.to_string_lossy().into_owned())
                .unwrap_or_default();
            let (file_date, title_part) = match date_from_file_stem(&stem) {
                Some((d, rest)) => (Some(d.to_string()), rest.to_string()),
                None => (None, stem.clone()),
            };
            let date = fm_date(&fm, &["date"], &timezone)
                .or_else(|| {
                    file_date
                        .as_deref()
                        .and_then(|d| crate::date::parse_date(d, &timezone).ok())
                })
                .or_else(|| {
                    is_draft
                        .then(|| super::file_date(&abs, &timezone))
                        .flatten()
                });
            let Some(date) = date else {
                plan.report.push(
                    Diagnostic::warning(&abs, "a post without a date (neither in its name nor its front matter): not imported")
                        .with_hint("Jekyll needs YYYY-MM-DD-title.md names for posts"),
                );
                continue;
            };
            let folder_categories: Vec<String> = parts[..i].iter().map(|s| s.to_string()).collect();
            let mut categories = folder_categories.clone();
            categories.extend(category_list(&fm));
            let title = fm_str(&fm, "slug").map(String::from).unwrap_or(title_part);
            let old_url = match fm_str(&fm, "permalink") {
                Some(p) => expand(
                    p,
                    &Fill {
                        date: Some(&date),
                        title: &title,
                        categories: &categories,
                    },
                ),
                None => expand(
                    &pattern,
                    &Fill {
                        date: Some(&date),
                        title: &title,
                        categories: &categories,
                    },
                ),
            };
            // `/:year/:title` without a slash: Jekyll wrote `title.html`,
            // served at both `/.../title` and `/.../title.html`.
            let raw_pattern = fm_str(&fm, "permalink").unwrap_or(&pattern).to_string();
            let mut fm = fm;
            if !raw_pattern.ends_with('/')
                && !raw_pattern.ends_with(":output_ext")
                && !crate::urls::names_a_file(&raw_pattern)
            {
                let html = format!("{}.html", old_url.trim_end_matches('/'));
                let mut aliases = fm_names(&fm, "aliases");
                aliases.push(html);
                fm.insert(
                    "aliases".into(),
                    toml::Value::Array(aliases.into_iter().map(toml::Value::String).collect()),
                );
            }
            let inner = parts[i + 1..].join("/");
            let inner = with_md(&inner);
            let prefix = if folder_categories.is_empty() {
                String::new()
            } else {
                format!("{}/", folder_categories.join("/"))
            };
            let published = !matches!(fm.get("published"), Some(toml::Value::Boolean(false)));
            if let Some(p) = &tag_pattern {
                for t in fm_space_names(&fm, "tags") {
                    term_pages.push((archive_url(p, &t), TermKind::Tag, t));
                }
            }
            if let Some(p) = &category_pattern {
                for c in &categories {
                    term_pages.push((archive_url(p, c), TermKind::Category, c.clone()));
                }
            }
            docs.push(Doc {
                rel: rel_path,
                is_post: true,
                draft: is_draft || !published,
                fm,
                body,
                body_line,
                is_html: matches!(ext.as_str(), "html" | "htm"),
                date: Some(date),
                old_url,
                out: format!("content/posts/{prefix}{inner}"),
                assets: Vec::new(),
                extra_categories: folder_categories,
            });
            continue;
        }
        if in_underscore || name.starts_with('_') {
            // Layouts, includes, data, sass, plugins: the old site's machinery.
            continue;
        }
        let text = std::fs::read(&abs).unwrap_or_default();
        let has_front = text.starts_with(b"---\n") || text.starts_with(b"---\r\n");
        if !has_front {
            statics.push((abs.clone(), format!("static/{rel}")));
            continue;
        }
        if !is_text {
            plan.report.push(
                Diagnostic::warning(&abs, "a template file of the old site (Liquid in a non-page file): not carried")
                    .at(1, 1)
                    .with_hint("glossator makes its own feeds, sitemap and styles; copy what you need into static/ or templates/"),
            );
            continue;
        }
        let text = String::from_utf8_lossy(&text).replace("\r\n", "\n");
        let Some((fm, body, body_line)) = read_doc_text(&text, &rel_path, plan, root) else {
            continue;
        };
        let stem = Path::new(name)
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let dir = parts[..parts.len() - 1].join("/");
        if (stem == "index" && dir.is_empty()) || (stem == "404" && dir.is_empty()) {
            plan.report.push(
                Diagnostic::warning(
                    &abs,
                    format!(
                        "the old site's {} page: not carried (glossator makes its own)",
                        if stem == "404" { "404" } else { "home" }
                    ),
                )
                .at(1, 1),
            );
            continue;
        }
        let old_url = match fm_str(&fm, "permalink") {
            Some(p) => expand(
                p,
                &Fill {
                    date: None,
                    title: &stem,
                    categories: &[],
                },
            ),
            None => {
                let dir_part = if dir.is_empty() {
                    String::new()
                } else {
                    format!("{dir}/")
                };
                if stem == "index" {
                    format!("/{dir_part}")
                } else if pretty_pages {
                    format!("/{dir_part}{stem}/")
                } else {
                    format!("/{dir_part}{stem}.html")
                }
            }
        };
        let published = !matches!(fm.get("published"), Some(toml::Value::Boolean(false)));
        docs.push(Doc {
            rel: rel_path,
            is_post: false,
            draft: !published,
            fm,
            body,
            body_line,
            is_html: matches!(ext.as_str(), "html" | "htm"),
            date: None,
            old_url,
            out: format!("content/pages/{}", with_md(&under(&abs, root))),
            assets: Vec::new(),
            extra_categories: Vec::new(),
        });
    }
    term_pages.sort_by(|a, b| a.0.cmp(&b.0));
    term_pages.dedup_by(|a, b| a.0 == b.0);
    Ok(OldSite {
        settings,
        timezone,
        docs,
        statics,
        term_pages,
        gone_lists: Vec::new(),
    })
}

/// A front matter `categories` (and `category`), Jekyll's way: a string
/// is split on spaces.
fn category_list(fm: &toml::Table) -> Vec<String> {
    let mut out = fm_space_names(fm, "categories");
    out.extend(fm_space_names(fm, "category"));
    out
}

fn fm_space_names(fm: &toml::Table, key: &str) -> Vec<String> {
    match fm
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
    {
        Some(toml::Value::String(s)) => s.split_whitespace().map(String::from).collect(),
        _ => fm_names(fm, key),
    }
}

/// jekyll-archives' URL of a term page.
fn archive_url(pattern: &str, name: &str) -> String {
    served_path(&pattern.replace(":name", &slug::slugify(name)))
}

/// `x.markdown` and `x.html` become `x.md`.
fn with_md(path: &str) -> String {
    match path.rsplit_once('.') {
        Some((stem, _)) => format!("{stem}.md"),
        None => format!("{path}.md"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date() -> ZonedDateTime {
        "2019-05-12T10:00:00-04:00[America/New_York]"
            .parse()
            .unwrap()
    }

    #[test]
    fn jekyll_patterns() {
        let d = date();
        let cats = vec!["Releases".to_string(), "Web Dev".to_string()];
        let f = Fill {
            date: Some(&d),
            title: "Release-2.4.0",
            categories: &cats,
        };
        assert_eq!(
            expand(&style_pattern("pretty"), &f),
            "/releases/web dev/2019/05/12/Release-2.4.0/"
        );
        assert_eq!(
            expand(&style_pattern("date"), &f),
            "/releases/web dev/2019/05/12/Release-2.4.0.html"
        );
        assert_eq!(
            expand(&style_pattern("ordinal"), &f),
            "/releases/web dev/2019/132/Release-2.4.0.html"
        );
        let none = Fill {
            date: Some(&d),
            title: "x",
            categories: &[],
        };
        assert_eq!(expand(&style_pattern("none"), &none), "/x.html");
        assert_eq!(
            expand("/blog/:year/:slug/", &f),
            "/blog/2019/release-2-4-0/"
        );
        assert_eq!(
            translate(&style_pattern("pretty")).as_deref(),
            Some("/:categories/:year/:month/:day/:filename/")
        );
        assert_eq!(translate(&style_pattern("weekdate")), None);
    }
}

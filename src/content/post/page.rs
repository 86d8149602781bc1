//! Resolving one page file: `content/pages/about.md` → `/about/`.

use std::path::Path;

use super::parse::{FileNames, body_text, check_aliases, read_front_matter, render_body};
use super::{Kind, Page};
use crate::config::Config;
use crate::content::front_matter::At;
use crate::content::source::SourceFile;
use crate::diagnostic::Diagnostic;
use crate::markdown::{CommentaryContext, RenderContext};
use crate::urls::{PermalinkInputs, check_slug, exact_url};

/// Resolves one page file: `content/pages/about.md` → `/about/`,
/// `content/pages/docs/intro.md` → `/docs/intro/`, or the page's own
/// `path` (`permalink`, `url`) when it gives one.
pub fn parse_page(file: &SourceFile, config: &Config) -> (Option<Page>, Vec<Diagnostic>) {
    let text = file.text.as_deref().unwrap_or("");
    let (split, raw, mut p) = match read_front_matter(file, text) {
        Ok(v) => v,
        Err(d) => return (None, d),
    };
    let names = FileNames::of(&file.rel);
    let stem = match &names.date {
        // A page's file name is its slug whole, dates included.
        Some(d) if names.stem.is_empty() => d.clone(),
        Some(d) => format!("{d}-{}", names.stem),
        None => names.stem.clone(),
    };
    let slug = match &raw.slug {
        Some(At { value: s, at }) => {
            if let Err(message) = check_slug(s) {
                p.error(*at, message, Some("a slug is one URL segment"));
            }
            s.clone()
        }
        None => slug::slugify(&stem),
    };
    let date = raw.date.as_ref().and_then(|d| p.date(d, config));
    let url = match &raw.path {
        Some(At { value, at }) => {
            let when = date.clone().unwrap_or_default();
            let inputs = PermalinkInputs {
                date: &when,
                slug: &slug,
                filename: &slug,
                title: raw.title.as_ref().map(|t| t.value.as_str()),
                section: "pages",
                categories: &[],
                kind: Kind::Entry.plural(),
            };
            match exact_url(value, &inputs) {
                Ok(url) => url,
                Err(message) => {
                    p.error(
                        *at,
                        message,
                        Some("write the path the page is served at, e.g. /about/"),
                    );
                    String::new()
                }
            }
        }
        None => page_folder_url(file, names.bundle.is_some(), &slug),
    };
    let title = match &raw.title {
        Some(t) if !t.value.trim().is_empty() => t.value.clone(),
        _ => {
            p.list.push(
                Diagnostic::error(&file.rel, "a page needs a title")
                    .at(1, 1)
                    .with_hint("add `title = \"...\"` to the front matter"),
            );
            String::new()
        }
    };
    let aliases = check_aliases(&raw.aliases, &mut p);
    let mut problems = std::mem::take(&mut p.list);
    let page_link = config.link(&url);
    let no_sources = crate::markdown::Sources::new();
    let ctx = RenderContext {
        page_path: &page_link,
        base_path: config.base_path(),
        highlight: config.highlight_code,
        whole_summary: false,
        commentary: CommentaryContext {
            sources: &no_sources,
            timezone: &config.timezone,
            day: None,
        },
    };
    let body_text = body_text(&split, raw.summary_separator.as_deref());
    let body = render_body(file, &body_text, split.body_line, &ctx, &mut problems);
    if problems.iter().any(Diagnostic::is_error) {
        return (None, problems);
    }
    let page = Page {
        source: file.rel.clone(),
        source_hash: file.content_hash(),
        bundle: names.bundle,
        title,
        slug,
        url,
        date,
        draft: raw.draft.unwrap_or(false),
        description: raw.description.clone(),
        template_at: raw.template.as_ref().map(|t| t.at),
        template: raw.template.as_ref().map(|t| t.value.clone()),
        aliases,
        extra: raw.extra.clone().unwrap_or(serde_json::Value::Null),
        body,
        body_line: split.body_line,
    };
    (Some(page), problems)
}

/// Folders between `content/pages/` and the file become URL segments.
fn page_folder_url(file: &SourceFile, is_bundle: bool, slug: &str) -> String {
    let rel_dir = file
        .rel
        .strip_prefix("content/pages")
        .ok()
        .and_then(|r| {
            if is_bundle {
                r.parent().and_then(Path::parent)
            } else {
                r.parent()
            }
        })
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let mut url = String::from("/");
    for part in rel_dir.components() {
        let segment = slug::slugify(part.as_os_str().to_string_lossy());
        url.push_str(&segment);
        url.push('/');
    }
    url.push_str(slug);
    url.push('/');
    url
}

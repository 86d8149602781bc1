//! `glossator check`: the build's own checks, stricter, plus the links.
//!
//! Check renders the whole site in memory (nothing is written) and then:
//!
//! - turns the commentary lints the build only warns about into errors: a
//!   quote attributed to an undeclared source, a link post without a link;
//! - keeps as warnings what is a matter of judgement: a declared source
//!   never cited, a post that is mostly quotation;
//! - checks every cited quote against its source's snapshot (and, with
//!   `--refresh`, each source against the live page: [`crate::cite`]);
//! - follows every internal link in posts and pages to a page the build
//!   produces, and every `#fragment` to an id the target page has.
//!
//! Links are taken from the Markdown (not re-parsed from HTML), so each
//! problem is reported at the file's own line and column.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::build::{BuildOptions, render_site};
use crate::content::Kind;
use crate::diagnostic::{Diagnostic, Diagnostics, Severity, nearest, nearest_within};
use crate::markdown::{LinkRef, Rendered};
use crate::output::OutputPath;
use crate::site::Site;

/// Lint codes that `check` reports as errors.
const ERROR_CODES: [&str; 3] = ["unknown-source", "link-without-link", "heading-id-taken"];

/// What `check` does besides its own checks.
#[derive(Debug, Clone, Default)]
pub struct CheckExtras {
    /// Read each snapshotted source again (`--refresh`): the fetcher's
    /// timeout, and whether to keep new versions (`--update`).
    pub refresh: Option<(std::time::Duration, bool)>,
}

/// Runs every check; the result holds errors and warnings.
pub fn check_site(options: &BuildOptions) -> Diagnostics {
    check_site_with(options, &CheckExtras::default())
}

/// [`check_site`], with `--refresh` when asked.
pub fn check_site_with(options: &BuildOptions, extras: &CheckExtras) -> Diagnostics {
    let rendered = match render_site(options) {
        Ok(r) => r,
        Err(failure) => return promote(failure.diagnostics),
    };
    let mut diagnostics = rendered.diagnostics;
    let outputs: HashSet<&str> = rendered.files.iter().map(|f| f.path.as_str()).collect();
    diagnostics.extend(check_links(&rendered.site, &outputs));
    diagnostics.extend(mostly_quoted(&rendered.site));
    diagnostics.extend(heading_ids_taken(&rendered.site, &rendered.files));
    diagnostics.extend(crate::cite::verify::verify_quotes(
        &rendered.site,
        &options.root,
    ));
    if let Some((timeout, update)) = extras.refresh {
        let fetcher = crate::cite::fetch::Fetcher::new(timeout);
        diagnostics.extend(crate::cite::refresh::refresh(
            &rendered.site,
            &options.root,
            &fetcher,
            update,
            jiff::Timestamp::now(),
        ));
    }
    let mut diagnostics = promote(diagnostics);
    diagnostics.sort();
    diagnostics
}

fn promote(diagnostics: Diagnostics) -> Diagnostics {
    diagnostics
        .into_iter()
        .map(|mut d| {
            if d.code.is_some_and(|c| ERROR_CODES.contains(&c)) {
                d.severity = Severity::Error;
            }
            d
        })
        .collect()
}

/// Fewer quoted words than this never earn the "mostly quoted" nudge: a
/// short post that quotes a paragraph and adds a line is the norm.
const MOSTLY_QUOTED_MIN_WORDS: usize = 250;

/// Entries and notes that are more than 70% other people's words (and
/// quote at least [`MOSTLY_QUOTED_MIN_WORDS`]): a fair-use nudge, shown by
/// `check` only. Quote and link posts are quotation by design.
fn mostly_quoted(site: &Site) -> Vec<Diagnostic> {
    site.posts
        .iter()
        .filter(|p| matches!(p.kind, Kind::Entry | Kind::Note))
        .filter(|p| {
            let b = &p.body;
            b.quoted_words >= MOSTLY_QUOTED_MIN_WORDS && b.quoted_words * 10 > b.words * 7
        })
        .map(|p| {
            Diagnostic::warning(
                &p.source,
                format!(
                    "{} of the post's {} words are quoted ({}%)",
                    p.body.quoted_words,
                    p.body.words,
                    p.body.quoted_words * 100 / p.body.words.max(1)
                ),
            )
            .at(p.body_line, 1)
            .with_hint("fair use favours commentary: quote what you discuss, and say more about it")
            .with_code("mostly-quoted")
        })
        .collect()
}

/// Heading ids that the page they are on has twice: the theme uses the same
/// id (`main`, `comments`), so links to either reach the first. Checked on
/// the rendered page itself, so any theme's ids count.
fn heading_ids_taken(site: &Site, files: &[crate::output::OutputFile]) -> Vec<Diagnostic> {
    let pages: HashMap<&str, &[u8]> = files
        .iter()
        .filter_map(|f| match &f.body {
            crate::output::Body::Bytes(b) => Some((f.path.as_str(), &b[..])),
            crate::output::Body::Copy(_) => None,
        })
        .collect();
    let docs = documents(site);
    let mut out = Vec::new();
    for (source, url, body, body_line) in docs {
        if body.headings.is_empty() {
            continue;
        }
        let Some(html) = OutputPath::for_url(url)
            .ok()
            .and_then(|o| pages.get(o.as_str()).copied())
        else {
            continue;
        };
        let html = String::from_utf8_lossy(html);
        for h in &body.headings {
            let attr = format!(" id=\"{}\"", crate::markdown::escape_attr(&h.id));
            if html.matches(attr.as_str()).count() < 2 {
                continue;
            }
            let hint = if h.explicit {
                format!(
                    "the theme's page has its own `#{}`: choose another id for the heading",
                    h.id
                )
            } else {
                format!(
                    "the heading's text makes the id `{}`, which the theme's page also has: give the heading an id with {{#...}}",
                    h.id
                )
            };
            out.push(
                Diagnostic::error(
                    source,
                    format!(
                        "the heading id `{}` is also used by the theme on this page",
                        h.id
                    ),
                )
                .at(h.line + body_line - 1, h.col)
                .with_hint(hint)
                .with_code("heading-id-taken"),
            );
        }
    }
    out
}

/// Every post and page as (source file, URL, rendered body, line of the
/// body's first line in the file).
fn documents(site: &Site) -> impl Iterator<Item = (&Path, &str, &Rendered, usize)> {
    let posts = site
        .posts
        .iter()
        .map(|p| (p.source.as_path(), p.url.as_str(), &p.body, p.body_line));
    let pages = site
        .pages
        .iter()
        .map(|p| (p.source.as_path(), p.url.as_str(), &p.body, p.body_line));
    posts.chain(pages)
}

/// The ids a rendered body certainly has (headings, footnotes).
fn body_ids(body: &Rendered) -> HashSet<String> {
    let mut ids: HashSet<String> = body.headings.iter().map(|h| h.id.clone()).collect();
    // Footnote ids (`fn-1`, `fnref-1`) are numbered as rendered.
    let html = body.html.get();
    for (i, _) in html.match_indices("id=\"fn") {
        let rest = &html[i + 4..];
        if let Some(end) = rest.find('"') {
            ids.insert(rest[..end].to_string());
        }
    }
    ids
}

struct Target<'a> {
    ids: HashSet<String>,
    /// Comment anchors are made by templates from comment ids.
    comment_ids: HashSet<&'a str>,
}

fn check_links(site: &Site, outputs: &HashSet<&str>) -> Vec<Diagnostic> {
    let base_path = site.config.base_path();
    // Pages whose ids we know, by site path.
    let mut targets: HashMap<&str, Target<'_>> = HashMap::new();
    for (id, post) in site.posts.iter().enumerate() {
        targets.insert(
            post.url.as_str(),
            Target {
                ids: body_ids(&post.body),
                comment_ids: site.comments[id].iter().flat_map(thread_ids).collect(),
            },
        );
    }
    for page in site.pages.iter() {
        targets.insert(
            page.url.as_str(),
            Target {
                ids: body_ids(&page.body),
                comment_ids: HashSet::new(),
            },
        );
    }
    let all_urls: Vec<&str> = targets.keys().copied().collect();
    let mut out = Vec::new();
    let docs = documents(site);
    for (source, own_url, body, body_line) in docs {
        for link in &body.links {
            if let Some(d) = check_link(
                link,
                source,
                own_url,
                body_line,
                base_path,
                &site.config.base_url,
                outputs,
                &targets,
                &all_urls,
            ) {
                out.push(d);
            }
        }
    }
    out
}

fn thread_ids(t: &crate::content::comment::Thread) -> Vec<&str> {
    let mut ids = vec![t.comment.id.as_str()];
    for r in &t.replies {
        ids.extend(thread_ids(r));
    }
    ids
}

#[allow(clippy::too_many_arguments)]
fn check_link(
    link: &LinkRef,
    source: &Path,
    own_url: &str,
    body_line: usize,
    base_path: &str,
    base_url: &str,
    outputs: &HashSet<&str>,
    targets: &HashMap<&str, Target<'_>>,
    all_urls: &[&str],
) -> Option<Diagnostic> {
    let at = (link.line + body_line - 1, link.col);
    // Internal: `/path`, `#fragment`, or an absolute URL on this site.
    let local = if let Some(rest) = link.url.strip_prefix(base_url) {
        if rest.is_empty() { "/" } else { rest }
    } else if link.url.starts_with('#') {
        link.url.as_str()
    } else if link.url.starts_with('/') && !link.url.starts_with("//") {
        link.url.strip_prefix(base_path).unwrap_or(&link.url)
    } else {
        return None;
    };
    let (path, fragment) = match local.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (local, None),
    };
    let path = path.split('?').next().unwrap_or(path);
    let page = if path.is_empty() { own_url } else { path };
    if !path.is_empty() {
        let exists = OutputPath::for_url(path).is_ok_and(|o| outputs.contains(o.as_str()))
            || OutputPath::for_url(&format!("{path}/")).is_ok_and(|o| outputs.contains(o.as_str()));
        if !exists {
            let hint = match nearest_within(path, all_urls.iter().copied(), 0.93) {
                Some(n) => format!("did you mean {n}?"),
                None => "check the path; internal links start with / and end with / for pages"
                    .to_string(),
            };
            return Some(
                Diagnostic::error(
                    source,
                    format!("the link to {path} goes to no page of this site"),
                )
                .at(at.0, at.1)
                .with_hint(hint)
                .with_code("broken-link"),
            );
        }
    }
    let fragment = fragment.filter(|f| !f.is_empty())?;
    let target = targets.get(page)?;
    let known = target.ids.contains(fragment)
        || fragment == "comments"
        || fragment
            .strip_prefix("comment-")
            .is_some_and(|c| target.comment_ids.contains(c));
    if known {
        return None;
    }
    let hint = match nearest(fragment, target.ids.iter().map(String::as_str)) {
        Some(n) => format!("did you mean #{n}?"),
        None => "heading ids are made from the heading text; `{#id}` sets one".to_string(),
    };
    Some(
        Diagnostic::warning(source, format!("no `#{fragment}` on {page}"))
            .at(at.0, at.1)
            .with_hint(hint)
            .with_code("broken-anchor"),
    )
}

//! Comments from elsewhere (Disqus, Staticman), put on the site's posts.
//!
//! Both importers read their source into [`Incoming`] comments and a post
//! reference (a URL or a folder name); this module finds the post among
//! the site's own (by URL, old URLs through aliases, slug, or a loose form
//! of each), turns each comment's untrusted text into a comment file (its
//! unsafe links dropped and reported, sanitized as every comment is), and
//! writes each comment once: one already on the site (from WordPress, or
//! an earlier import of another source) with the same author, time and
//! text is not written again. Email addresses are never written.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use jiff::ZonedDateTime;

use super::html::{rewrite_urls, to_markdown, visible_text};
use super::{FileBody, ImportPlan, PlannedFile};
use crate::config::Config;
use crate::content::comment::{safe_author_url, sanitize_html};
use crate::content::source::{Role, read_sources, walk_sources};
use crate::content::{Item, parse_one};
use crate::diagnostic::Diagnostic;

/// One of the site's posts, as comments find it.
#[derive(Debug, Clone)]
pub struct PostRef {
    pub slug: String,
    pub url: String,
}

/// The site's posts, looked up by URL and by name.
pub struct SitePosts {
    posts: Vec<PostRef>,
    by_path: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
    /// Keys of the comments already on the site, by post slug.
    existing: HashMap<String, HashSet<String>>,
}

/// A URL or path reduced to what identifies a page: no scheme, host,
/// query, fragment or trailing slash; percent-decoded.
pub fn path_key(url: &str) -> String {
    let url = url.trim();
    let without_scheme = url.split_once("://").map_or(url, |(_, rest)| rest);
    let path = if url.contains("://") {
        without_scheme
            .find('/')
            .map_or("/", |i| &without_scheme[i..])
    } else {
        without_scheme
    };
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let decoded = percent_encoding::percent_decode_str(path).decode_utf8_lossy();
    let trimmed = decoded.trim_end_matches('/');
    let trimmed = trimmed.strip_suffix("/index.html").unwrap_or(trimmed);
    if trimmed.is_empty() {
        "/".into()
    } else if trimmed.starts_with('/') {
        trimmed.to_string()
    } else {
        format!("/{trimmed}")
    }
}

/// A name reduced loosely: lower case, a leading date dropped, runs of
/// dashes and other marks one dash, none at the ends (`--My-Post-` and
/// `2019-05-12-my-post` both give `my-post`).
pub fn name_key(name: &str) -> String {
    let name = name.trim();
    let name = crate::date::date_from_file_stem(name).map_or(name, |(_, rest)| rest);
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

/// What makes two comments one: the author, the minute, and the words.
fn duplicate_key(author: &str, date: &ZonedDateTime, text: &str) -> String {
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(60)
        .collect();
    format!(
        "{}|{}|{}",
        author.trim().to_lowercase(),
        date.timestamp().as_second() / 60,
        words.join(" ").to_lowercase()
    )
}

impl SitePosts {
    /// Reads the site's posts (drafts too) and the comments it has,
    /// leaving out the comment files `skip` names (an earlier run of the
    /// same import, which is rewritten rather than deduplicated against).
    pub fn load(root: &Path, config: &Config, skip: &HashSet<String>) -> SitePosts {
        // Only URLs, slugs and dates are wanted: no colouring of code.
        let mut config = config.clone();
        config.highlight_code = false;
        let config = &config;
        let mut posts = Vec::new();
        let mut by_path = HashMap::new();
        let mut by_name = HashMap::new();
        let mut existing: HashMap<String, HashSet<String>> = HashMap::new();
        for dir in ["content/posts", "content/comments"] {
            let (found, _) = walk_sources(root, &root.join(dir));
            for file in read_sources(found).into_iter().flatten() {
                if matches!(file.role, Role::Comment { .. })
                    && skip.contains(&file.rel.to_string_lossy().replace('\\', "/"))
                {
                    continue;
                }
                match parse_one(&file, config).item {
                    Some(Item::Post(p)) => {
                        let i = posts.len();
                        by_path.entry(path_key(&p.url)).or_insert(i);
                        for a in &p.aliases {
                            by_path.entry(path_key(a)).or_insert(i);
                        }
                        by_name.entry(name_key(&p.slug)).or_insert(i);
                        let stem = file
                            .rel
                            .file_stem()
                            .map(|s| s.to_string_lossy().into_owned())
                            .unwrap_or_default();
                        let stem = if stem == "index" {
                            file.rel
                                .parent()
                                .and_then(Path::file_name)
                                .map(|s| s.to_string_lossy().into_owned())
                                .unwrap_or_default()
                        } else {
                            stem
                        };
                        by_name.entry(name_key(&stem)).or_insert(i);
                        if let Some(last) = p.url.trim_end_matches('/').rsplit('/').next() {
                            by_name.entry(name_key(last)).or_insert(i);
                        }
                        posts.push(PostRef {
                            slug: p.slug.clone(),
                            url: p.url.clone(),
                        });
                    }
                    Some(Item::Comment(c)) => {
                        existing
                            .entry(c.post_slug.clone())
                            .or_default()
                            .insert(duplicate_key(&c.author, &c.date, &visible_text(&c.html)));
                    }
                    _ => {}
                }
            }
        }
        SitePosts {
            posts,
            by_path,
            by_name,
            existing,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.posts.is_empty()
    }

    /// The post at a URL (its own or an old one).
    pub fn by_url(&self, url: &str) -> Option<&PostRef> {
        self.by_path.get(&path_key(url)).map(|&i| &self.posts[i])
    }

    /// The post a name (a folder, a slug) names, loosely.
    pub fn by_name(&self, name: &str) -> Option<&PostRef> {
        let key = name_key(name);
        if key.is_empty() {
            return None;
        }
        self.by_name.get(&key).map(|&i| &self.posts[i])
    }
}

/// A comment as another system kept it.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// Where it came from, for the report.
    pub origin: PathBuf,
    pub line: usize,
    pub id: String,
    pub author: String,
    pub url: Option<String>,
    pub date: ZonedDateTime,
    /// Untrusted HTML.
    pub html: String,
    pub parent: Option<String>,
}

/// Ids become file names and HTML ids: letters, digits, `-` and `_`.
pub fn clean_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}

/// Writes one post's comments into the plan, once each. Returns how many
/// were written.
pub fn write_comments(
    plan: &mut ImportPlan,
    site: &mut SitePosts,
    post: &PostRef,
    comments: Vec<Incoming>,
    tz: &jiff::tz::TimeZone,
) -> usize {
    use rayon::prelude::*;
    let known: HashSet<String> = comments.iter().map(|c| clean_id(&c.id)).collect();
    // The text work is per comment and pure: done in parallel, the
    // bookkeeping after, in order.
    let prepared: Vec<(Incoming, Vec<String>, String, String)> = comments
        .into_par_iter()
        .map(|c| {
            let rewritten = rewrite_urls(&c.html, &mut |_| None);
            let html = sanitize_html(&rewritten.html);
            let text = visible_text(&html);
            let body = to_markdown(&html).text().to_string();
            (c, rewritten.dropped, text, body)
        })
        .collect();
    let mut written = 0;
    for (c, dropped, text, body) in prepared {
        let id = clean_id(&c.id);
        if id.is_empty() {
            continue;
        }
        let what = format!("comment {} on {}", c.id, post.url);
        let key = duplicate_key(&c.author, &c.date, &text);
        let seen = site.existing.entry(post.slug.clone()).or_default();
        if !seen.insert(key) {
            plan.count("duplicate comments skipped", 1);
            continue;
        }
        for bad in dropped {
            plan.report.push(
                Diagnostic::warning(
                    &c.origin,
                    format!("unsafe link dropped from {what}: {}", bad.escape_debug()),
                )
                .at(c.line.max(1), 1),
            );
            plan.count("unsafe links dropped", 1);
        }
        let mut fm = toml::Table::new();
        fm.insert("id".into(), id.clone().into());
        fm.insert(
            "author".into(),
            visible_text(&c.author).trim().to_string().into(),
        );
        if let Some(u) = c.url.as_deref().filter(|u| !u.trim().is_empty()) {
            match safe_author_url(u) {
                Some(u) => {
                    fm.insert("url".into(), u.into());
                }
                None => {
                    plan.report.push(
                        Diagnostic::warning(
                            &c.origin,
                            format!(
                                "unsafe author link dropped from {what}: {}",
                                u.escape_debug()
                            ),
                        )
                        .at(c.line.max(1), 1),
                    );
                    plan.count("unsafe links dropped", 1);
                }
            }
        }
        let date = c.date.with_time_zone(tz.clone());
        if let Ok(d) = date
            .strftime("%Y-%m-%dT%H:%M:%S%:z")
            .to_string()
            .parse::<toml::value::Datetime>()
        {
            fm.insert("date".into(), toml::Value::Datetime(d));
        }
        if let Some(p) = c.parent.as_deref().map(clean_id).filter(|p| !p.is_empty()) {
            if known.contains(&p) {
                fm.insert("parent".into(), p.into());
            } else {
                plan.report.push(
                    Diagnostic::warning(&c.origin, format!("{what} answers {p}, which is not among the comments carried: shown at the top level"))
                        .at(c.line.max(1), 1),
                );
            }
        }
        plan.files.push(PlannedFile {
            path: format!("content/comments/{}/{id}.md", post.slug),
            body: FileBody::Text(format!(
                "+++\n{}+++\n\n{}\n",
                toml::to_string(&fm).unwrap_or_default(),
                body.trim()
            )),
        });
        written += 1;
    }
    plan.count("comments", written);
    written
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn url_and_name_keys() {
        for same in [
            "https://www.e.example/2009/03/03/x/?utm=1#c",
            "http://e.example/2009/03/03/x",
            "/2009/03/03/x/index.html",
            "2009/03/03/x/",
        ] {
            assert_eq!(path_key(same), "/2009/03/03/x", "{same}");
        }
        assert_eq!(path_key("https://e.example/caf%C3%A9/"), "/café");
        for same in [
            "--My-Post-",
            "my--post",
            "2019-05-12-my-post",
            "My Post!",
            "MY_POST",
        ] {
            assert_eq!(name_key(same), "my-post", "{same}");
        }
    }
}

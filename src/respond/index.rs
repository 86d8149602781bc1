//! What the comment service knows of the site: its config, and for each
//! published post its address, whether comments are open, and the ids of
//! the comments it has (replies must answer one of them).
//!
//! Read the way the build reads (the same parser, drafts and future posts
//! left out), without colouring code. The service reloads it when a file
//! under `content/` or `glossator.toml` changes (a watcher marks it
//! stale), so new posts, closed threads and approved comments are known
//! without a restart.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::post::CommentMode;
use crate::content::source::{read_sources, walk_sources};
use crate::content::{Item, parse_one};
use crate::import::comments::path_key;

/// One published post, as the comment form finds it.
#[derive(Debug, Clone)]
pub struct PostEntry {
    pub slug: String,
    /// Absolute address.
    pub permalink: String,
    pub mode: CommentMode,
    pub comments: HashSet<String>,
}

/// The site's config and posts by slug.
#[derive(Debug)]
pub struct SiteIndex {
    pub config: Config,
    /// The site's origin (`https://example.com`), which alone may post
    /// from a browser.
    pub origin: String,
    pub posts: HashMap<String, PostEntry>,
    /// Slugs by the paths that show the post (its URL and old URLs), as
    /// `import::comments::path_key` reduces them.
    pub paths: HashMap<String, String>,
}

/// `scheme://host[:port]` of a base URL.
pub fn origin_of(base_url: &str) -> String {
    url::Url::parse(base_url)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default()
}

impl SiteIndex {
    /// Reads the site; errors are the config's (a broken post is left
    /// out, as the build would refuse it anyway).
    pub fn load(
        root: &Path,
        now: jiff::Timestamp,
    ) -> Result<SiteIndex, crate::diagnostic::Diagnostics> {
        let config = crate::config::load_config(root)?;
        let mut parse_config = config.clone();
        parse_config.highlight_code = false;
        let mut files = Vec::new();
        for dir in ["content/posts", "content/comments"] {
            let (found, _) = walk_sources(root, &root.join(dir));
            files.extend(read_sources(found).into_iter().flatten());
        }
        let items: Vec<Item> = files
            .par_iter()
            .filter_map(|f| parse_one(f, &parse_config).item)
            .collect();
        let mut posts = HashMap::new();
        let mut paths = HashMap::new();
        let mut comments: Vec<(String, String)> = Vec::new();
        for item in items {
            match item {
                Item::Post(p) if !p.draft && p.date.timestamp() <= now => {
                    for url in std::iter::once(&p.url).chain(&p.aliases) {
                        paths
                            .entry(path_key(&config.link(url)))
                            .or_insert_with(|| p.slug.clone());
                    }
                    posts.insert(
                        p.slug.clone(),
                        PostEntry {
                            slug: p.slug.clone(),
                            permalink: config.absolute(&p.url),
                            mode: p.comments,
                            comments: HashSet::new(),
                        },
                    );
                }
                Item::Comment(c) => comments.push((c.post_slug.clone(), c.id.clone())),
                _ => {}
            }
        }
        for (slug, id) in comments {
            if let Some(p) = posts.get_mut(&slug) {
                p.comments.insert(id);
            }
        }
        Ok(SiteIndex {
            origin: origin_of(&config.base_url),
            config,
            posts,
            paths,
        })
    }
}

impl SiteIndex {
    /// The post a URL of this site shows (its address or an old one).
    pub fn post_at(&self, url: &url::Url) -> Option<&PostEntry> {
        let site = url::Url::parse(&self.config.base_url).ok()?;
        let same_host = site.host_str().map(str::to_ascii_lowercase)
            == url.host_str().map(str::to_ascii_lowercase)
            && site.port() == url.port();
        if !same_host {
            return None;
        }
        self.posts.get(self.paths.get(&path_key(url.path()))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins() {
        assert_eq!(origin_of("https://example.com/blog"), "https://example.com");
        assert_eq!(origin_of("http://127.0.0.1:8080"), "http://127.0.0.1:8080");
    }
}

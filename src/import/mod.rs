//! Importers: another blog's export or folder in, ordinary glossator files
//! out.
//!
//! Import is a front end, not a mode: each importer (`wordpress`, ...)
//! reads its source into an [`ImportPlan`] (the files to write, the config
//! a fresh site should get, and a report of what could not be carried,
//! each line a [`Diagnostic`] at the export's line), and [`apply_plan`]
//! writes it the same way for all of them: only inside the site, never
//! over a file the writer changed since the last import (unless forced),
//! with a record under `.glossator/import/` so a re-run gives the same
//! files. Nothing downstream knows where a post came from.

mod apply;
pub mod html;
pub mod wordpress;
pub mod xml;

pub use apply::{ApplyOptions, Outcome, REPORT_FILE, apply_plan, init_marker, site_is_fresh};

use std::path::PathBuf;

use crate::diagnostic::Diagnostic;

/// A file an importer wants written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedFile {
    /// Site-relative, `/`-separated (`content/posts/2009-03-03-x.md`).
    pub path: String,
    pub body: FileBody,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FileBody {
    Text(String),
    /// A file copied as it is (media).
    Copy(PathBuf),
}

/// What an importer sets in `glossator.toml` on a site fresh from `init`
/// (and compares, on a site with content of its own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SiteSettings {
    pub title: Option<String>,
    pub description: Option<String>,
    pub base_url: Option<String>,
    pub language: Option<String>,
    pub timezone: Option<String>,
    pub permalink: Option<String>,
    /// `[taxonomies.tags] path`.
    pub tags_path: Option<String>,
    /// `[taxonomies.categories] path`.
    pub categories_path: Option<String>,
    /// `[feeds] atom_aliases`: old feed paths that keep serving the feed.
    pub feed_aliases: Vec<String>,
}

impl SiteSettings {
    /// The config a site with these settings would have, for checking the
    /// files an importer writes with the build's own parser.
    pub fn to_config(&self) -> crate::config::Config {
        let mut table = toml::Table::new();
        let mut put = |k: &str, v: &Option<String>| {
            if let Some(v) = v {
                table.insert(k.to_string(), toml::Value::String(v.clone()));
            }
        };
        put("title", &self.title);
        put("base_url", &self.base_url);
        put("timezone", &self.timezone);
        put("permalink", &self.permalink);
        let text = toml::to_string(&table).unwrap_or_default();
        #[allow(clippy::expect_used)]
        crate::config::parse_config(&text)
            .or_else(|_| crate::config::parse_config(""))
            .expect("an empty config is valid")
    }
}

/// Everything an importer found, before anything is written.
#[derive(Debug, Clone, Default)]
pub struct ImportPlan {
    /// `wordpress`, `jekyll`, ...: names the record file.
    pub source: String,
    pub files: Vec<PlannedFile>,
    pub settings: SiteSettings,
    /// What could not be carried, each with the old URL or id.
    pub report: Vec<Diagnostic>,
    /// Counts for the summary line, in order: ("posts", 12).
    pub counts: Vec<(String, usize)>,
}

impl ImportPlan {
    pub fn count(&mut self, what: &str, n: usize) {
        match self.counts.iter_mut().find(|(w, _)| w == what) {
            Some((_, c)) => *c += n,
            None => self.counts.push((what.to_string(), n)),
        }
    }
}

/// The redirects file an importer writes for old URLs that belong to no
/// post (tag and category pages, attachment pages), read by the build.
pub fn redirects_file(source: &str, redirects: &[(String, String)]) -> Option<PlannedFile> {
    if redirects.is_empty() {
        return None;
    }
    let mut table = toml::Table::new();
    for (from, to) in redirects {
        table.insert(from.clone(), toml::Value::String(to.clone()));
    }
    let body = format!(
        "# Old addresses of the site imported by `glossator import {source}`, and\n\
         # the pages they now redirect to. Edit freely.\n{}",
        toml::to_string(&table).unwrap_or_default()
    );
    Some(PlannedFile {
        path: format!("content/redirects/{source}.toml"),
        body: FileBody::Text(body),
    })
}

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
pub mod comments;
pub mod disqus;
pub mod html;
pub mod ssg;
pub mod staticman;
pub mod wordpress;
pub mod xml;

pub use apply::{
    ApplyOptions, Outcome, REPORT_FILE, apply_plan, init_marker, recorded_files, site_is_fresh,
};

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
        for (name, path) in [
            ("tags", &self.tags_path),
            ("categories", &self.categories_path),
        ] {
            if let Some(path) = path {
                let mut t = toml::Table::new();
                t.insert("path".into(), toml::Value::String(path.clone()));
                let taxonomies = table
                    .entry("taxonomies")
                    .or_insert_with(|| toml::Value::Table(toml::Table::new()));
                if let toml::Value::Table(tax) = taxonomies {
                    tax.insert(name.into(), toml::Value::Table(t));
                }
            }
        }
        let text = toml::to_string(&table).unwrap_or_default();
        #[allow(clippy::expect_used)]
        crate::config::parse_config(&text)
            .or_else(|_| crate::config::parse_config(""))
            .expect("an empty config is valid")
    }
}

/// The config an importer checks the files it writes with: the site's own
/// when it has one, else the one these settings make; never highlighting,
/// since a check only parses (colouring a Jekyll archive of 7,000 Java
/// posts took tens of minutes).
pub fn check_config(
    existing: Option<&crate::config::Config>,
    settings: &SiteSettings,
) -> crate::config::Config {
    let mut config = existing.cloned().unwrap_or_else(|| settings.to_config());
    config.highlight_code = false;
    config
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
    /// An import that only adds to the site's posts (comments): it never
    /// replaces `init`'s samples or touches the config.
    pub adds_only: bool,
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

/// A post's or page's file text (TOML front matter, then the body), read
/// back with the build's own parser: a kind the content does not bear out
/// (a quote post without a cited quote) falls back to the plain kind, and
/// any error left is reported against `origin:line`.
#[allow(clippy::too_many_arguments)]
pub fn checked_text(
    plan: &mut ImportPlan,
    config: &crate::config::Config,
    origin: &std::path::Path,
    file: &str,
    fm: &mut toml::Table,
    body: &str,
    line: usize,
    what: &str,
) -> String {
    use crate::content::{Role, SourceFile};
    let render = |fm: &toml::Table| {
        format!(
            "+++\n{}+++\n\n{}\n",
            toml::to_string(fm).unwrap_or_default(),
            body.trim()
        )
    };
    let is_page = file.starts_with("content/pages/");
    let errors = |text: &str| {
        let source = SourceFile {
            rel: PathBuf::from(file),
            abs: PathBuf::from(file),
            role: if is_page { Role::Page } else { Role::Post },
            text: Some(text.to_string()),
        };
        let diagnostics = if is_page {
            crate::content::post::parse_page(&source, config).1
        } else {
            crate::content::post::parse_post(&source, config).1
        };
        diagnostics
            .into_iter()
            .filter(Diagnostic::is_error)
            .collect::<Vec<_>>()
    };
    let report = |plan: &mut ImportPlan, message: String| {
        plan.report
            .push(Diagnostic::warning(origin, message).at(line.max(1), 1));
    };
    let mut text = render(fm);
    let mut found = errors(&text);
    if !found.is_empty() && fm.contains_key("kind") {
        let kind = fm.remove("kind");
        let plain = render(fm);
        let plain_errors = errors(&plain);
        if plain_errors.len() < found.len() {
            let name = kind
                .as_ref()
                .and_then(|k| k.as_str())
                .unwrap_or_default()
                .to_string();
            report(
                plan,
                format!(
                    "{what}: imported as a plain post, not a {name} post: {}",
                    found[0].message
                ),
            );
            text = plain;
            found = plain_errors;
        } else if let Some(k) = kind {
            fm.insert("kind".into(), k);
            text = render(fm);
        }
    }
    for e in found {
        report(
            plan,
            format!("{what} will not build as written: {}", e.message),
        );
    }
    text
}

//! A build that remembers: the pipeline with caches between runs.
//!
//! `glossator build` runs a [`Session`] once; `serve` keeps one alive and
//! tells it what changed. The session keeps every input file's text and
//! every file's parse result, so after an edit it re-reads and re-parses
//! only the files that changed (and compares the new text with the old, so
//! an editor touching a file without changing it costs nothing). What
//! invalidates what:
//!
//! | change | re-read | re-parse | theme | index + render |
//! |---|---|---|---|---|
//! | `glossator.toml` | everything | everything | reload | yes |
//! | a template or theme file | nothing | nothing | reload | yes |
//! | a content or static file | that file | that file | kept | yes |
//!
//! Rendering caches what it can between runs too (see `render`); the output
//! is always the same as a fresh build's, which a property test checks.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::build::{BuildFailure, BuildOptions, Built, Timings, load_build_config, render_with};
use crate::config::Config;
use crate::content::source::{Found, read_sources, walk_sources};
use crate::content::{Parsed, ParsedOne, SourceFile, parse_one};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::OutputSink;
use crate::site::index_site;
use crate::theme::{Theme, load_theme};

/// What changed since the last build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Changes {
    /// `glossator.toml`: everything is reloaded.
    pub config: bool,
    /// Templates or theme files: the theme is reloaded.
    pub templates: bool,
    /// Absolute paths under `content/` or `static/` (files or folders,
    /// present or gone).
    pub paths: BTreeSet<PathBuf>,
    /// Walk everything again (the watcher lost track).
    pub rescan: bool,
}

impl Changes {
    pub fn is_empty(&self) -> bool {
        !self.config && !self.templates && self.paths.is_empty() && !self.rescan
    }
}

/// The pipeline's state between builds.
pub struct Session {
    pub options: BuildOptions,
    config: Option<Config>,
    /// Every input file, by site-relative path, in walk order.
    files: BTreeMap<PathBuf, SourceFile>,
    /// Problems found walking or reading, by the path they concern.
    load_problems: BTreeMap<PathBuf, Vec<Diagnostic>>,
    /// Parse results, by site-relative path.
    parsed: HashMap<PathBuf, ParsedOne>,
    theme: Option<Theme>,
    scanned: bool,
    /// Keep file texts after parsing, to tell real edits from touches.
    /// One-shot builds drop them to save memory.
    pub keep_texts: bool,
}

impl Session {
    pub fn new(options: BuildOptions) -> Self {
        Session {
            options,
            config: None,
            files: BTreeMap::new(),
            load_problems: BTreeMap::new(),
            parsed: HashMap::new(),
            theme: None,
            scanned: false,
            keep_texts: true,
        }
    }

    fn root(&self) -> &Path {
        &self.options.root
    }

    /// Builds the site into `sink`, reusing what `changes` leaves valid.
    pub fn build(
        &mut self,
        changes: &Changes,
        sink: &dyn OutputSink,
    ) -> Result<Built, BuildFailure> {
        let mut timings = Timings::default();
        let mut rescan = changes.rescan || !self.scanned;
        if changes.config || self.config.is_none() {
            let config = timings.time("config", || load_build_config(&self.options));
            match config {
                Ok(c) => {
                    // Everything depends on the config: start afresh.
                    self.config = Some(c);
                    self.parsed.clear();
                    self.theme = None;
                    rescan = true;
                }
                Err(d) => {
                    self.config = None;
                    return Err(fail(d));
                }
            }
        }
        if changes.templates {
            self.theme = None;
        }
        timings.time("load", || {
            if rescan {
                self.rescan();
            } else {
                for path in &changes.paths {
                    self.update(path);
                }
            }
        });
        let Some(config) = self.config.clone() else {
            return Err(fail(Diagnostics::new()));
        };
        timings.time("parse", || self.parse_changed(&config));
        if !self.keep_texts {
            for file in self.files.values_mut() {
                file.text = None;
            }
        }

        let mut diagnostics: Diagnostics = self.load_problems.values().flatten().cloned().collect();
        let (parsed, d) = Parsed::collect(self.files.keys().filter_map(|k| self.parsed.get(k)));
        diagnostics.extend(d);

        if self.theme.is_none() {
            match timings.time("theme", || load_theme(self.root(), &config)) {
                Ok(t) => self.theme = Some(t),
                Err(d) => diagnostics.extend(d),
            }
        }
        let filters = self.options.filters();
        let (site, d) = timings.time("index", || {
            index_site(config, parsed, self.files.values(), &filters)
        });
        diagnostics.extend(d);
        let Some(theme) = &self.theme else {
            return Err(fail(diagnostics));
        };
        let d = render_with(&site, theme, sink, &mut timings);
        diagnostics.extend(d);
        if diagnostics.has_errors() {
            return Err(fail(diagnostics));
        }
        diagnostics.sort();
        Ok(Built {
            site: Arc::new(site),
            diagnostics,
            timings,
        })
    }

    /// Walks and reads everything, keeping parse results of files whose
    /// text did not change.
    fn rescan(&mut self) {
        let root = self.options.root.clone();
        let mut found = Vec::new();
        let mut problems: BTreeMap<PathBuf, Vec<Diagnostic>> = BTreeMap::new();
        for top in ["content", "static"] {
            let (f, d) = walk_sources(&root, &root.join(top));
            found.extend(f);
            for diag in d {
                problems.entry(diag.path.clone()).or_default().push(diag);
            }
        }
        let mut files = BTreeMap::new();
        for result in read_sources(found) {
            match result {
                Ok(file) => {
                    files.insert(file.rel.clone(), file);
                }
                Err(d) => problems.entry(d.path.clone()).or_default().push(*d),
            }
        }
        let old = std::mem::take(&mut self.files);
        self.parsed.retain(|path, _| {
            matches!((old.get(path), files.get(path)), (Some(a), Some(b)) if a.text == b.text && a.role == b.role)
        });
        self.files = files;
        self.load_problems = problems;
        self.scanned = true;
    }

    /// Brings one changed path (file or folder, present or gone) up to date.
    fn update(&mut self, abs: &Path) {
        let root = self.options.root.clone();
        let Ok(rel) = abs.strip_prefix(&root).map(Path::to_path_buf) else {
            return;
        };
        let under = |p: &Path| p == rel || p.starts_with(&rel);
        let (found, walk_problems): (Vec<Found>, Diagnostics) = walk_sources(&root, abs);
        // Forget what was under this path; what is still there comes back.
        let stale: Vec<PathBuf> = self.files.keys().filter(|p| under(p)).cloned().collect();
        let mut old: HashMap<PathBuf, SourceFile> = HashMap::new();
        for p in stale {
            if let Some(f) = self.files.remove(&p) {
                old.insert(p, f);
            }
        }
        self.load_problems.retain(|p, _| !under(p));
        for d in walk_problems {
            self.load_problems
                .entry(d.path.clone())
                .or_default()
                .push(d);
        }
        for result in read_sources(found) {
            match result {
                Ok(file) => {
                    let unchanged = old
                        .get(&file.rel)
                        .is_some_and(|o| o.text == file.text && o.role == file.role);
                    if !unchanged {
                        self.parsed.remove(&file.rel);
                    }
                    self.files.insert(file.rel.clone(), file);
                }
                Err(d) => {
                    self.parsed.remove(&d.path);
                    self.load_problems
                        .entry(d.path.clone())
                        .or_default()
                        .push(*d);
                }
            }
        }
        let files = &self.files;
        self.parsed.retain(|p, _| files.contains_key(p));
    }

    /// Parses the files that have no parse result, in parallel.
    fn parse_changed(&mut self, config: &Config) {
        let todo: Vec<&SourceFile> = self
            .files
            .values()
            .filter(|f| f.text.is_some() && !self.parsed.contains_key(&f.rel))
            .collect();
        let results: Vec<(PathBuf, ParsedOne)> = todo
            .par_iter()
            .map(|f| (f.rel.clone(), parse_one(f, config)))
            .collect();
        self.parsed.extend(results);
    }

    /// Is `abs` a file this session copies as is (static or bundle file)?
    pub fn is_copied_file(&self, abs: &Path) -> bool {
        abs.strip_prefix(self.root())
            .ok()
            .and_then(|rel| self.files.get(rel))
            .is_some_and(|f| f.text.is_none())
    }
}

fn fail(mut diagnostics: Diagnostics) -> BuildFailure {
    diagnostics.sort();
    BuildFailure { diagnostics }
}

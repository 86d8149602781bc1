//! The build pipeline, one call per stage, read top to bottom.
//!
//! ```text
//! load      walk content/, read files          -> Sources
//! parse     front matter + Markdown, parallel  -> Parsed (posts, pages)
//! index     order, filter, tags, bundles       -> Site (frozen)
//! theme     compile templates                  -> Theme
//! plan      every output, collisions checked   -> Vec<Job>
//! render    templates, parallel                -> Vec<OutputFile>
//! write     staging folder, then swap          -> disk
//! ```
//!
//! Each stage returns its diagnostics; the build carries on through a stage
//! that found errors only as far as it still makes sense (so one run shows
//! every broken post), and never writes output when any error was found.
//! Timings per stage are kept for `-v` and for the benchmark.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use crate::config::{Config, load_config};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::{OutputFile, WriteStats, check_target, write_site};
use crate::render::{RenderInputs, plan_site, render_jobs};
use crate::session::{Changes, Session};
use crate::site::{Filters, Site};
use crate::theme::Theme;

/// What `glossator build` was asked to do.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Defaults to `<root>/public`.
    pub output: Option<PathBuf>,
    pub drafts: bool,
    pub future: bool,
    pub base_url: Option<String>,
    /// Replace an output folder glossator did not write.
    pub force: bool,
    pub now: Timestamp,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BuildOptions {
            root: root.into(),
            output: None,
            drafts: false,
            future: false,
            base_url: None,
            force: false,
            now: Timestamp::now(),
        }
    }

    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }

    pub fn filters(&self) -> Filters {
        Filters {
            drafts: self.drafts,
            future: self.future,
            now: self.now,
        }
    }
}

/// How long each stage took.
#[derive(Debug, Clone, Default)]
pub struct Timings(pub Vec<(&'static str, Duration)>);

impl Timings {
    pub fn time<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.0.push((stage, start.elapsed()));
        out
    }

    pub fn total(&self) -> Duration {
        self.0.iter().map(|(_, d)| *d).sum()
    }
}

/// A successful build.
#[derive(Debug)]
pub struct BuildReport {
    /// Warnings (errors make the build fail instead).
    pub diagnostics: Diagnostics,
    pub posts: usize,
    pub pages: usize,
    pub written: WriteStats,
    pub timings: Timings,
}

/// A failed build: every diagnostic found, and nothing written.
#[derive(Debug)]
pub struct BuildFailure {
    pub diagnostics: Diagnostics,
}

/// A rendered site, in memory.
pub struct Rendered {
    pub site: Arc<Site>,
    pub files: Vec<OutputFile>,
    pub diagnostics: Diagnostics,
    pub timings: Timings,
}

fn fail(mut diagnostics: Diagnostics) -> BuildFailure {
    diagnostics.sort();
    BuildFailure { diagnostics }
}

/// Reads the config, applying command-line overrides.
pub fn load_build_config(options: &BuildOptions) -> Result<Config, Diagnostics> {
    let mut config = load_config(&options.root)?;
    if let Some(url) = &options.base_url {
        config.base_url = url.trim_end_matches('/').to_string();
    }
    Ok(config)
}

/// Runs every stage up to rendering, once; nothing is written.
pub fn render_site(options: &BuildOptions) -> Result<Rendered, BuildFailure> {
    Session::new(options.clone()).build(&Changes::default())
}

/// Plans and renders a site with a theme.
pub fn render_with(
    site: &Site,
    theme: &Theme,
    timings: &mut Timings,
) -> (Vec<OutputFile>, Diagnostics) {
    let (jobs, mut diagnostics) = timings.time("plan", || plan_site(site, theme));
    if diagnostics.has_errors() {
        return (Vec::new(), diagnostics);
    }
    let inputs = timings.time("views", || RenderInputs::new(site, theme));
    let (files, d) = timings.time("render", || render_jobs(&inputs, &jobs));
    diagnostics.extend(d);
    (files, diagnostics)
}

/// `glossator build`: render, then write atomically.
pub fn build_site(options: &BuildOptions) -> Result<BuildReport, BuildFailure> {
    let target = options.output_dir();
    if let Err(e) = check_target(&target, &options.root, options.force) {
        return Err(fail(Diagnostics::from_iter([Diagnostic::error(
            display_path(&target, &options.root),
            format!("{e:#}"),
        )])));
    }
    let Rendered {
        site,
        files,
        diagnostics,
        mut timings,
    } = render_site(options)?;
    let written = timings
        .time("write", || write_site(&files, &target))
        .map_err(|e| {
            fail(Diagnostics::from_iter([Diagnostic::error(
                display_path(&target, &options.root),
                format!("cannot write the site: {e:#}"),
            )
            .with_hint("the previous site, if any, was left in place")]))
        })?;
    Ok(BuildReport {
        diagnostics,
        posts: site.posts.len(),
        pages: site.pages.len(),
        written,
        timings,
    })
}

fn display_path(path: &Path, root: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

//! What a build is asked to do, and what it gives back.
//!
//! Shared by the pipeline (`build`) and the state it keeps between runs
//! (`session`), so that neither imports the other's types.

use std::path::PathBuf;
use std::sync::Arc;

use jiff::Timestamp;

use crate::config::{Config, load_config};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::site::{Filters, Site};
use crate::timings::Timings;

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
    /// Keep per-post values and list items and hand them to every page
    /// that shows the post (the default). Off, each is made anew where it
    /// is used: slower, the same bytes; for the test that shows it.
    pub reuse: bool,
    /// Keep cited quotes' plain text in the parsed posts (the default):
    /// `check` and `cite` compare it with the sources. `build` and
    /// `serve` never read it and let it go as each post is parsed (about
    /// 11 MB at 10,000 posts).
    pub quote_text: bool,
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
            reuse: true,
            quote_text: true,
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

/// A failed build: every diagnostic found, and nothing written.
#[derive(Debug)]
pub struct BuildFailure {
    pub diagnostics: Diagnostics,
    /// Stopped by Ctrl-C (or SIGTERM) before anything was written.
    pub interrupted: bool,
    /// The commit failed half-way and could not be undone: the output
    /// folder is not the previous site (the next build finishes it).
    pub unfinished: bool,
}

/// What a session build produced besides the files it sent to the sink.
pub struct Built {
    pub site: Arc<Site>,
    pub diagnostics: Diagnostics,
    pub timings: Timings,
    /// True when the sink received every output of the site; otherwise it
    /// received only those that differ from this session's last build.
    pub complete: bool,
    /// Outputs sent to the sink.
    pub rendered: Vec<crate::output::OutputPath>,
    /// Outputs of the last build that are gone.
    pub removed: Vec<crate::output::OutputPath>,
    /// Bodies whose rendering was taken from the site's body memo.
    pub remembered: usize,
}

/// A failure with these diagnostics, sorted.
pub fn fail(mut diagnostics: Diagnostics) -> BuildFailure {
    diagnostics.sort();
    BuildFailure {
        diagnostics,
        interrupted: false,
        unfinished: false,
    }
}

/// Reads the config, applying command-line overrides.
pub fn load_build_config(options: &BuildOptions) -> Result<Config, Diagnostics> {
    let mut config = load_config(&options.root)?;
    let sources = crate::sources::read_sources_dir(&options.root);
    config.source_changes = sources.marks;
    config.quote_text = options.quote_text;
    if config.publish_snapshots {
        config.snapshot_files = sources.snapshots;
    }
    if let Some(url) = &options.base_url {
        // The same rules as glossator.toml's `base_url`.
        config.base_url = crate::config::check_base_url(url).map_err(|message| {
            Diagnostics::from_iter([Diagnostic::error("--base-url", message).with_hint(
                "give the address the site will be served at, e.g. https://preview.example.com",
            )])
        })?;
    }
    Ok(config)
}

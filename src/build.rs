//! The build pipeline, one call per stage, read top to bottom in
//! [`Session::build`], which both `build` and `serve` run.
//!
//! ```text
//! config    glossator.toml, sources/ marks     -> Config
//! load      walk content/, read files          -> Sources
//! parse     front matter + Markdown, parallel  -> Parsed (posts, pages)
//! theme     compile templates                  -> Theme
//! index     order, filter, tags, bundles       -> Site (frozen)
//! plan      every output, collisions checked   -> Vec<Job>
//! views     per-post values, memoized          -> PostMemo
//! render    contexts, fingerprints, templates  -> OutputSink
//! write     staging folder, then swap          -> disk
//! ```
//!
//! A [`Session`] is the state the stages keep between runs: file texts and
//! parse results (so only changed files are parsed again), the theme, the
//! last index, and the render stage's memo tables (per-post values, and
//! each output's fingerprint and recorded reads). `glossator build` runs
//! one session once; `serve` keeps one and tells it what changed.
//!
//! Each stage returns its diagnostics; the build carries on through a stage
//! that found errors only as far as it still makes sense (so one run shows
//! every broken post), and never writes output when any error was found.
//! Timings per stage are kept for `-v` and for the benchmark.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::{
    BuildLock, DiskSink, MemorySink, OutputFile, OutputSink, WriteStats, check_target,
};
use crate::render::{RenderRequest, render_site_outputs};
pub use crate::request::{BuildFailure, BuildOptions, Built, fail, load_build_config};
use crate::session::{Changes, Session};
use crate::site::Site;
pub use crate::timings::Timings;

/// A successful build.
#[derive(Debug)]
pub struct BuildReport {
    /// Warnings (errors make the build fail instead).
    pub diagnostics: Diagnostics,
    pub posts: usize,
    pub pages: usize,
    pub written: WriteStats,
    pub timings: Timings,
    /// Bodies whose rendering was taken from the site's body memo.
    pub remembered: usize,
}

impl Session {
    /// Builds the site into `sink`, reusing what `changes` leaves valid.
    pub fn build(
        &mut self,
        changes: &Changes,
        sink: &dyn OutputSink,
    ) -> Result<Built, BuildFailure> {
        let result = self.run_stages(changes, sink);
        self.finish(result.as_ref().ok().map(|b| &b.site));
        result
    }

    fn run_stages(
        &mut self,
        changes: &Changes,
        sink: &dyn OutputSink,
    ) -> Result<Built, BuildFailure> {
        let mut timings = Timings::default();
        let config = timings
            .time("config", || self.refresh_config(changes))
            .map_err(fail)?;
        // The body memo is read beside the load stage (which waits on
        // the disk), the first time only (`build`, and `serve`'s start).
        let root = self.options.root.clone();
        let memo = std::mem::take(&mut self.loads_memo)
            .then(|| std::thread::spawn(move || crate::markdown::memo::load(&root)));
        timings.time("load", || self.load(changes));
        if let Some(read) = memo {
            // What the build waited for it past the load stage.
            timings.time("memo", || read.join().ok());
        }
        timings.time("parse", || self.parse_changed(&config));
        let mut diagnostics = self.input_diagnostics();
        // Only a memo this session's site loaded (`build`, `serve`) is
        // saved, once parsed: it is let go before the index and render.
        let remembered = crate::markdown::memo::taken();
        if let Err(e) = crate::markdown::memo::save(&self.options.root) {
            diagnostics.push(crate::diagnostic::Diagnostic::warning(
                crate::markdown::memo::MEMO_FILE,
                format!("cannot save the rendered-body memo ({e}); the next build renders every post again"),
            ));
        }
        if let Err(d) = timings.time("theme", || self.refresh_theme(changes, &config)) {
            diagnostics.extend(d);
        }
        let (site, same_index) =
            timings.time("index", || self.index(changes, config, &mut diagnostics));
        let Some((theme, theme_generation)) = self.theme() else {
            return Err(fail(diagnostics));
        };
        let touched = changes.paths.iter().cloned().collect();
        let request = RenderRequest {
            site: &site,
            theme: &theme,
            theme_generation,
            same_index,
            touched: &touched,
        };
        // plan, views and render (see `render::incremental`).
        let outcome = render_site_outputs(&request, sink, &mut timings, self.render_cache());
        diagnostics.extend(outcome.diagnostics);
        if diagnostics.has_errors() {
            return Err(fail(diagnostics));
        }
        diagnostics.sort();
        Ok(Built {
            site: Arc::new(site),
            diagnostics,
            timings,
            complete: outcome.complete,
            rendered: outcome.rendered,
            removed: outcome.removed,
            remembered,
        })
    }
}

/// A rendered site, in memory.
pub struct Rendered {
    pub site: Arc<Site>,
    pub files: Vec<OutputFile>,
    pub diagnostics: Diagnostics,
    pub timings: Timings,
}

/// Runs every stage up to rendering, once, into memory; nothing is written.
pub fn render_site(options: &BuildOptions) -> Result<Rendered, BuildFailure> {
    crate::markdown::highlight::cache::load(&options.root);
    let sink = MemorySink::default();
    let built = Session::new(options.clone()).build(&Changes::default(), &sink)?;
    let mut files = sink.into_files();
    files.sort_by(|a, b| a.path.cmp(&b.path));
    Ok(Rendered {
        site: built.site,
        files,
        diagnostics: built.diagnostics,
        timings: built.timings,
    })
}

/// `glossator build`: render into a disk sink, which writes only what
/// changed and touches the output folder only once everything succeeded.
/// `waiting` is called (with the output folder) if another build is
/// writing it, before waiting for that build to finish.
pub fn build_site(
    options: &BuildOptions,
    waiting: impl FnOnce(&Path),
) -> Result<BuildReport, BuildFailure> {
    let target = options.output_dir();
    let io_failure = |e: anyhow::Error, what: &str| {
        fail(Diagnostics::from_iter([Diagnostic::error(
            display_path(&target, &options.root),
            format!("{what}: {e:#}"),
        )
        .with_hint("the previous site, if any, was left in place")]))
    };
    if let Err(e) = check_target(&target, &options.root, options.force) {
        return Err(fail(Diagnostics::from_iter([Diagnostic::error(
            display_path(&target, &options.root),
            format!("{e:#}"),
        )])));
    }
    let shown = display_path(&target, &options.root);
    let _lock = BuildLock::acquire(&target, || waiting(&shown))
        .map_err(|e| io_failure(e, "cannot lock the output"))?;
    let sink = DiskSink::new(&target).map_err(|e| io_failure(e, "cannot prepare the output"))?;
    let notes: Vec<Diagnostic> = sink
        .recovered
        .iter()
        .map(|note| Diagnostic::warning(&shown, note.clone()))
        .collect();
    crate::markdown::highlight::cache::load(&options.root);
    let mut session = Session::new(options.clone());
    session.builds_again = false;
    session.loads_memo = true;
    let built = session.build(&Changes::default(), &sink);
    // Freeing every parse and value the session holds takes a while (tens
    // of milliseconds on a large site): done beside the commit, on a core
    // it leaves idle, instead of after it.
    free_beside(session);
    if crate::interrupt::requested() {
        sink.abort();
        return Err(BuildFailure {
            diagnostics: Diagnostics::from_iter(notes),
            interrupted: true,
            unfinished: false,
        });
    }
    let built = match built {
        Ok(b) => b,
        Err(mut failure) => {
            sink.abort();
            failure.diagnostics.extend(notes);
            return Err(failure);
        }
    };
    let Built {
        site,
        mut diagnostics,
        mut timings,
        remembered,
        ..
    } = built;
    diagnostics.extend(notes);
    let (posts, pages) = (site.posts.len(), site.pages.len());
    // The site's last reference: freed beside the commit too.
    free_beside(site);
    let committed = match timings.time("write", || sink.commit()) {
        Ok(c) => c,
        Err(failure) => {
            let hint = if failure.intact {
                "nothing was changed: the previous site, if any, is as it was"
            } else {
                "the output folder holds an unfinished commit; the next `glossator build` finishes it"
            };
            let mut failed = fail(Diagnostics::from_iter([Diagnostic::error(
                &shown,
                format!("cannot write the site: {:#}", failure.error),
            )
            .with_hint(hint)]));
            failed.unfinished = !failure.intact;
            return Err(failed);
        }
    };
    diagnostics.extend(
        committed
            .notes
            .into_iter()
            .map(|note| Diagnostic::warning(&shown, note)),
    );
    if let Err(e) = crate::markdown::highlight::cache::save(&options.root) {
        diagnostics.push(Diagnostic::warning(
            crate::markdown::highlight::cache::CACHE_FILE,
            format!(
                "cannot save the highlighting cache ({e}); the next build highlights all code again"
            ),
        ));
    }
    let written = committed.stats;
    Ok(BuildReport {
        diagnostics,
        posts,
        pages,
        written,
        timings,
        remembered,
    })
}

/// Drops `value` on a thread of its own. When no thread can be started
/// (a process at its limit), the closure is dropped here, and `value` with
/// it: the build still finishes.
fn free_beside<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new().spawn(move || drop(value));
}

fn display_path(path: &Path, root: &Path) -> PathBuf {
    match path.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        // Diagnostics' relative paths are read as inside the site; an
        // output given from elsewhere (`--root site -o public`) is shown
        // whole, so it is not mistaken for `site/public`.
        _ if path.is_relative() && root != Path::new(".") => std::env::current_dir()
            .map(|cwd| cwd.join(path))
            .unwrap_or_else(|_| path.to_path_buf()),
        _ => path.to_path_buf(),
    }
}

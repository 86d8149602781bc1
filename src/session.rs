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
use std::ops::Bound;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::config::Config;
use crate::content::source::{Found, read_sources, walk_sources};
use crate::content::{Item, Parsed, ParsedOne, Post, SourceFile, parse_one};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::render::RenderCache;
use crate::request::{BuildOptions, load_build_config};
use crate::site::patch::patch_index;
use crate::site::{IndexCache, IndexDiagnostics, PostId, Site, index_site};
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

/// One input file and what it parsed into (`None` until parsed).
struct Entry {
    file: SourceFile,
    parsed: Option<ParsedOne>,
}

/// The last successful build, for the fast path.
struct LastBuild {
    site: Arc<Site>,
    /// Source path → post id in `site`.
    ids: FxHashMap<PathBuf, PostId>,
    /// Every input file the build saw (posts, comments, pages, assets), to
    /// tell a removed file from an editor's scratch file.
    files: BTreeSet<PathBuf>,
    /// Warnings of the index stage, which the fast path does not rerun.
    index_diagnostics: IndexDiagnostics,
}

/// Edited posts the last index holds, by id ([`Session::fast_path`]).
struct Swaps {
    swaps: Vec<(PostId, Arc<Post>)>,
    /// Every one keeps its place in the index (same [`Post::index_hash`]).
    same_place: bool,
}

/// The pipeline's state between builds.
pub struct Session {
    pub options: BuildOptions,
    config: Option<Config>,
    /// Every input file, by site-relative path, in walk order, with its
    /// parse result once parsed.
    files: BTreeMap<PathBuf, Entry>,
    /// Problems found walking or reading, by the path they concern.
    load_problems: BTreeMap<PathBuf, Vec<Diagnostic>>,
    theme: Option<Arc<Theme>>,
    /// Bumped on every theme load, so cached outputs of an old theme are
    /// never reused.
    theme_generation: u64,
    render_cache: Option<RenderCache>,
    index_cache: IndexCache,
    last: Option<LastBuild>,
    scanned: bool,
    /// Whether the session builds again (`serve`, `check`). It then keeps
    /// what the next build starts from: file texts (to tell real edits
    /// from touches), outputs' fingerprints and the last index for the
    /// fast path. A one-shot build drops texts as it parses and keeps none
    /// of it, to save memory.
    pub builds_again: bool,
    /// Whether the next build reads the site's body memo
    /// ([`crate::markdown::memo`]) before parsing, and saves it after:
    /// `build` and `serve` set it; tests and `check` leave the site's
    /// folder as it is.
    pub loads_memo: bool,
}

impl Session {
    pub fn new(options: BuildOptions) -> Self {
        Session {
            options,
            config: None,
            files: BTreeMap::new(),
            load_problems: BTreeMap::new(),
            theme: None,
            theme_generation: 0,
            render_cache: None,
            index_cache: IndexCache::default(),
            last: None,
            scanned: false,
            builds_again: true,
            loads_memo: false,
        }
    }

    /// When every changed path is a post the last index holds, the new
    /// versions by id, and whether each keeps its place in the index
    /// (same [`Post::index_hash`]): then the last site with those posts
    /// swapped in is exactly what indexing again would give. Else
    /// [`patch_index`] may still patch the last index.
    fn fast_path(&self, changes: &Changes) -> Option<Swaps> {
        let last = self.last.as_ref()?;
        if changes.config || changes.templates || changes.rescan || changes.paths.is_empty() {
            return None;
        }
        if last
            .site
            .next_due
            .is_some_and(|due| self.options.now >= due)
        {
            return None;
        }
        let mut swaps = Vec::new();
        let mut same_place = true;
        for abs in &changes.paths {
            let rel = abs.strip_prefix(&self.options.root).ok()?;
            let Some(entry) = self.files.get(rel) else {
                // A path that is not a file of the site now: harmless if it
                // never held a post (an editor's temp file), else a removal.
                // A folder: files that were or are under it count.
                let from = (Bound::Included(rel), Bound::Unbounded);
                if holds_under(last.files.range::<Path, _>(from), rel)
                    || holds_under(self.files.range::<Path, _>(from).map(|(p, _)| p), rel)
                    || self.load_problems.contains_key(rel)
                {
                    return None;
                }
                continue;
            };
            let Some(ParsedOne {
                item: Some(Item::Post(post)),
                ..
            }) = &entry.parsed
            else {
                return None;
            };
            if self.load_problems.contains_key(rel) {
                return None;
            }
            let id = *last.ids.get(rel)?;
            same_place &= last.site.posts.get(id)?.index_hash == post.index_hash;
            swaps.push((id, post.clone()));
        }
        Some(Swaps { swaps, same_place })
    }

    /// Stage `config`: reads `glossator.toml` when it changed (or was
    /// never read). Everything depends on it, so a new config starts the
    /// session afresh but for the file texts.
    pub(crate) fn refresh_config(&mut self, changes: &Changes) -> Result<Config, Diagnostics> {
        if changes.config || self.config.is_none() {
            match load_build_config(&self.options) {
                Ok(c) => {
                    self.config = Some(c);
                    for entry in self.files.values_mut() {
                        entry.parsed = None;
                    }
                    self.theme = None;
                    self.render_cache = None;
                    self.scanned = false;
                }
                Err(d) => {
                    self.config = None;
                    return Err(d);
                }
            }
        }
        self.config.clone().ok_or_else(Diagnostics::new)
    }

    /// Stage `load`: walks and reads what changed (everything the first
    /// time, or when the watcher lost track).
    pub(crate) fn load(&mut self, changes: &Changes) {
        if changes.rescan || !self.scanned {
            self.rescan();
        } else {
            for path in &changes.paths {
                self.update(path);
            }
        }
    }

    /// Problems found walking and reading, and every file's parse
    /// diagnostics.
    pub(crate) fn input_diagnostics(&self) -> Diagnostics {
        self.load_problems.values().flatten().cloned().collect()
    }

    /// Stage `theme`: compiles the templates when they changed (or were
    /// never compiled); cached outputs of the old theme are forgotten.
    pub(crate) fn refresh_theme(
        &mut self,
        changes: &Changes,
        config: &Config,
    ) -> Result<(), Diagnostics> {
        if changes.templates {
            self.theme = None;
        }
        if self.theme.is_some() {
            return Ok(());
        }
        let theme = load_theme(&self.options.root, config)?;
        self.theme = Some(Arc::new(theme));
        self.theme_generation += 1;
        if let Some(c) = &mut self.render_cache {
            c.forget_outputs();
        }
        Ok(())
    }

    /// Stage `index`: the frozen site. When only posts' texts changed and
    /// each keeps its place ([`Session::fast_path`]), the last site with
    /// the new posts swapped in, which is what indexing again would give;
    /// when only posts changed and they keep their order, the last index
    /// patched ([`patch_index`]); else the index made afresh. Returns the
    /// site and whether it kept the last index.
    pub(crate) fn index(
        &mut self,
        changes: &Changes,
        config: Config,
        diagnostics: &mut Diagnostics,
    ) -> (Site, bool) {
        let filters = self.options.filters();
        if let (Some(Swaps { swaps, same_place }), Some(last)) =
            (self.fast_path(changes), self.last.as_mut())
        {
            let patched = if same_place {
                Some((last.site.with_posts_replaced(&swaps), None))
            } else {
                patch_index(
                    &last.site,
                    &last.index_diagnostics,
                    &swaps,
                    &filters,
                    &mut self.index_cache,
                )
                .map(|(site, d)| (site, Some(d)))
            };
            if let Some((site, index_diagnostics)) = patched {
                // Parse warnings of every file, and the index's, as a
                // full build would report them.
                for entry in self.files.values() {
                    if let Some(p) = &entry.parsed {
                        diagnostics.extend(p.diagnostics.iter().cloned());
                    }
                }
                if let Some(d) = index_diagnostics {
                    last.index_diagnostics = d;
                }
                diagnostics.extend(last.index_diagnostics.iter().cloned());
                // `finish` makes the built site the last one.
                return (site, same_place);
            }
        }
        let (parsed, d) = Parsed::collect(self.files.values().filter_map(|e| e.parsed.as_ref()));
        diagnostics.extend(d);
        let (site, d) = index_site(
            config,
            parsed,
            self.files.values().map(|e| &e.file),
            &filters,
            &mut self.index_cache,
        );
        diagnostics.extend(d.iter().cloned());
        if !self.builds_again {
            // A session that will not build again has no fast path to
            // prepare for.
            return (site, false);
        }
        self.last = Some(LastBuild {
            files: self.files.keys().cloned().collect(),
            ids: site
                .posts
                .iter()
                .enumerate()
                .map(|(id, p)| (p.source.clone(), id))
                .collect(),
            site: Arc::new(site.clone()),
            index_diagnostics: d,
        });
        (site, false)
    }

    /// The compiled theme and its generation, once `refresh_theme` made it.
    pub(crate) fn theme(&self) -> Option<(Arc<Theme>, u64)> {
        self.theme
            .as_ref()
            .map(|t| (t.clone(), self.theme_generation))
    }

    /// The render stage's memo tables (made on first use: a session that
    /// builds again keeps outputs' fingerprints too).
    pub(crate) fn render_cache(&mut self) -> &mut RenderCache {
        let keep = self.builds_again;
        let reuse = self.options.reuse;
        self.render_cache.get_or_insert_with(|| {
            let cache = if keep {
                RenderCache::kept()
            } else {
                RenderCache::one_shot()
            };
            if reuse { cache } else { cache.without_reuse() }
        })
    }

    /// After a build: a failed one leaves nothing to build on; a good one
    /// is the site the next fast path starts from.
    pub(crate) fn finish(&mut self, site: Option<&Arc<Site>>) {
        match site {
            None => {
                self.last = None;
                // A failed render may have half-filled the cache's view of
                // the outputs; start the next build clean.
                if let Some(c) = &mut self.render_cache {
                    c.forget_outputs();
                }
            }
            Some(site) => {
                if let Some(last) = &mut self.last {
                    last.site = site.clone();
                }
            }
        }
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
        let mut old = std::mem::take(&mut self.files);
        let mut files = Vec::with_capacity(found.len());
        for result in read_sources(found) {
            match result {
                Ok(file) => {
                    // A file whose text did not change keeps its parse.
                    let parsed = old
                        .remove(&file.rel)
                        .filter(|e| e.file.text == file.text && e.file.role == file.role)
                        .and_then(|e| e.parsed);
                    files.push((file.rel.clone(), Entry { file, parsed }));
                }
                Err(d) => problems.entry(d.path.clone()).or_default().push(*d),
            }
        }
        // The walk gives paths in the map's order (by name, folder by
        // folder), which collecting checks in one pass and builds the map
        // from at once; inserting them one by one compared paths component
        // by component 14 times each (load stage of a 10,000-post build:
        // 105 -> 80 ms).
        self.files = files.into_iter().collect();
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
        // Paths under `rel` sort right after it, so a range finds them.
        let stale: Vec<PathBuf> = self
            .files
            .range(rel.clone()..)
            .map(|(p, _)| p)
            .take_while(|p| under(p))
            .cloned()
            .collect();
        let mut old: HashMap<PathBuf, Entry> = HashMap::new();
        for p in stale {
            if let Some(e) = self.files.remove(&p) {
                old.insert(p, e);
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
                    // An editor touching a file without changing it costs nothing.
                    let parsed = old
                        .remove(&file.rel)
                        .filter(|o| o.file.text == file.text && o.file.role == file.role)
                        .and_then(|o| o.parsed);
                    self.files.insert(file.rel.clone(), Entry { file, parsed });
                }
                Err(d) => {
                    self.load_problems
                        .entry(d.path.clone())
                        .or_default()
                        .push(*d);
                }
            }
        }
    }

    /// Parses the files that have no parse result, in parallel. A
    /// session that will not build again lets go of each text as soon as
    /// it is parsed, so the texts and their parses are never all held at
    /// once.
    pub(crate) fn parse_changed(&mut self, config: &Config) {
        let keep_texts = self.builds_again;
        let todo: Vec<&mut Entry> = self
            .files
            .values_mut()
            .filter(|e| e.parsed.is_none() && e.file.text.is_some())
            .collect();
        // Short runs, so a thread that ends early can take work from the
        // other instead of waiting (posts differ a lot in length).
        todo.into_par_iter().with_max_len(4).for_each(|e| {
            e.parsed = Some(parse_one(&e.file, config));
            if !keep_texts {
                e.file.text = None;
            }
        });
    }
}

/// Whether the first of `from_rel` (paths in order, from `rel` on) is
/// `rel` or under it: path order puts a folder's contents right after it.
fn holds_under<'a>(mut from_rel: impl Iterator<Item = &'a PathBuf>, rel: &Path) -> bool {
    from_rel.next().is_some_and(|p| p.starts_with(rel))
}

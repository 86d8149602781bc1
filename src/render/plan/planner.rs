//! The planner: adds jobs one by one and checks each output against the
//! ones claimed before it (one URL twice, a file where a folder must be,
//! names other file systems would merge or refuse).
//!
//! Its claims are owned ([`Claims`]), so a session can keep them with
//! the plan and check only the new outputs of a patched one (see
//! `patch`).

use rustc_hash::FxHashMap as HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use super::{FeedFormat, FeedSpec, Job, JobKind, ListSpec};
use crate::diagnostic::{Diagnostic, Diagnostics, nearest};
use crate::output::OutputPath;
use crate::theme::Theme;

/// What a job is, in words (`post "Title"`, `page 2 of the tag list
/// "x"`), for messages. Made only when a message needs it: most plans
/// have none, and formatting it for every one of 20,000 jobs was a good
/// part of planning.
pub(super) type What<'a> = Box<dyn Fn() -> String + 'a>;

pub(super) fn what<'a>(describe: impl Fn() -> String + 'a) -> What<'a> {
    Box::new(describe)
}

/// Every output a plan claimed, kept with the plan by a session that
/// builds again.
#[derive(Default)]
pub(crate) struct Claims {
    /// Each output, with the index of the job that writes it.
    pub by_output: HashMap<OutputPath, u32>,
    /// Outputs by their name where case and Unicode form do not count,
    /// for the outputs whose name is not that already (see
    /// `check_portable`).
    pub folded: HashMap<String, OutputPath>,
    /// Every folder some output sits in, with the output that made it
    /// first: a file and a folder of one name cannot both be written.
    pub folders: HashMap<String, OutputPath>,
}

pub(super) struct Planner<'a> {
    pub theme: &'a Theme,
    /// The taxonomies, to blame a clash of their pages on their `path`.
    taxonomies: [&'a crate::config::Taxonomy; 2],
    pub jobs: Vec<Job>,
    /// What each job is, by job index, for messages.
    whats: Vec<What<'a>>,
    pub claims: Claims,
    pub diagnostics: Diagnostics,
    /// Only list the jobs, checking nothing but that each output is a
    /// path: a patch checks what is new itself.
    collect_only: bool,
    /// In `collect_only`: an output was not a path.
    pub failed: bool,
    /// In `collect_only`: the last plan, whose lists the same as a new
    /// one are taken as they are.
    reuse: Option<Reuse<'a>>,
    /// The last plan's jobs taken: by run, the number of jobs listed
    /// before it and the run's indices in the last plan.
    pub reused: Vec<(usize, Range<usize>)>,
    /// How many jobs those runs hold.
    reused_len: usize,
    /// Where the date lists are, by [`Planner::placed`].
    pub dates: Range<usize>,
}

/// The last plan's lists, for a patch to take unchanged ones from.
pub(super) struct Reuse<'a> {
    pub last: &'a [Job],
    pub by_output: &'a HashMap<OutputPath, u32>,
    /// Where its lists section is.
    pub lists: (usize, usize),
    /// Where its date lists are, when the site's archive is the one they
    /// were planned from.
    pub dates: Option<Range<usize>>,
}

impl<'a> Planner<'a> {
    pub fn new(site: &'a crate::site::Site, theme: &'a Theme, capacity: usize) -> Self {
        Planner {
            theme,
            taxonomies: [&site.config.tags, &site.config.categories],
            jobs: Vec::with_capacity(capacity),
            whats: Vec::with_capacity(capacity),
            claims: Claims::default(),
            diagnostics: Diagnostics::new(),
            collect_only: false,
            failed: false,
            reuse: None,
            reused: Vec::new(),
            reused_len: 0,
            dates: 0..0,
        }
    }

    /// A planner that only lists jobs (see `collect_only`).
    pub fn collecting(
        site: &'a crate::site::Site,
        theme: &'a Theme,
        reuse: Option<Reuse<'a>>,
    ) -> Self {
        Planner {
            collect_only: true,
            reuse,
            ..Planner::new(site, theme, 0)
        }
    }

    /// How many jobs are planned so far, taken runs included.
    pub fn placed(&self) -> usize {
        self.jobs.len() + self.reused_len
    }

    /// Takes a run of the last plan's jobs as they are.
    fn take(&mut self, run: Range<usize>) {
        self.reused_len += run.len();
        self.reused.push((self.jobs.len(), run));
    }

    /// Takes the last plan's date lists, when the archive they were
    /// planned from is the site's: they are made from nothing else.
    pub fn take_dates(&mut self) -> bool {
        match self.reuse.as_ref().and_then(|r| r.dates.clone()) {
            Some(run) => {
                self.take(run);
                true
            }
            None => false,
        }
    }

    /// The jobs of the last plan's list `spec`, when planning it again
    /// gives the same jobs: the same list (so the same URLs and pages)
    /// with the same template. A list's pages are planned one after the
    /// other, sharing one spec, so the run from its first page to its
    /// last is all of it.
    fn reusable(&self, spec: &ListSpec, template: &str) -> Option<Range<usize>> {
        let reuse = self.reuse.as_ref()?;
        let first = OutputPath::for_url(&spec.base_url).ok()?;
        let start = *reuse.by_output.get(&first)? as usize;
        let end = start + spec.total_pages();
        if start < reuse.lists.0 || end > reuse.lists.1 {
            return None;
        }
        let (head, tail) = (&reuse.last[start], &reuse.last[end - 1]);
        match (&head.kind, &tail.kind) {
            (
                JobKind::List { list, number: 1 },
                JobKind::List {
                    list: last_list,
                    number,
                },
            ) if Arc::ptr_eq(list, last_list)
                && *number == spec.total_pages()
                && head.template == template
                && **list == *spec =>
            {
                Some(start..end)
            }
            _ => None,
        }
    }

    /// The claimant of job `index`, with its file when it has one.
    fn named(&self, index: u32) -> String {
        let what = (self.whats[index as usize])();
        match &self.jobs[index as usize].source {
            Some(s) => format!("{what} ({})", s.display()),
            None => what,
        }
    }

    pub fn add(
        &mut self,
        url: String,
        output: Result<OutputPath, String>,
        template: &str,
        kind: JobKind,
        source: Option<PathBuf>,
        what: What<'a>,
    ) {
        let output = match output {
            Ok(o) => o,
            Err(_) if self.collect_only => {
                self.failed = true;
                return;
            }
            Err(message) => {
                let what = what();
                let path = source.clone().unwrap_or_else(|| PathBuf::from("content"));
                self.diagnostics.push(
                    Diagnostic::error(path, format!("{what}: {message}")).with_hint(
                        "slugs and paths must stay inside the site: no `..`, `/` or `\\`",
                    ),
                );
                return;
            }
        };
        if self.collect_only {
            self.jobs.push(Job {
                output,
                url,
                template: template.to_string(),
                kind,
                source,
            });
            return;
        }
        if let Some(&first) = self.claims.by_output.get(&output) {
            let theirs = self.named(first);
            let what = what();
            let hint = if what.contains("alias") || (self.whats[first as usize])().contains("alias")
            {
                "an old URL can redirect to one page only, and never over a real page: remove or change the alias".to_string()
            } else {
                "give one of them a different `slug` (or date), or move the static file".to_string()
            };
            let message = format!("{what} has the URL {url}, which {theirs} already has");
            let first = self.jobs[first as usize].source.clone();
            let diagnostic = self.blame(&url, source.as_ref(), first, message, hint);
            self.diagnostics.push(diagnostic);
            return;
        }
        // A file where another output needs a folder, or the other way
        // round, would fail half-way through writing: refuse it here.
        let clash = if let Some(by) = self.claims.folders.get(output.as_str()) {
            Some(by.clone())
        } else {
            folders_of(output.as_str()).find_map(|f| {
                self.claims
                    .by_output
                    .get_key_value(f)
                    .map(|(o, _)| o.clone())
            })
        };
        if let Some(other) = clash {
            let first = self.claims.by_output.get(&other).copied();
            let theirs = first.map_or_else(|| other.to_string(), |i| self.named(i));
            let what = what();
            let message = format!(
                "{what} needs the output {output}, but {theirs} is written at {other}: one name cannot be both a file and a folder"
            );
            let first = first.and_then(|i| self.jobs[i as usize].source.clone());
            let diagnostic = self.blame(
                &url,
                source.as_ref(),
                first,
                message,
                "change the slug, alias or file name of one of them".into(),
            );
            self.diagnostics.push(diagnostic);
            return;
        }
        self.check_portable(&output, &what, source.as_ref());
        for folder in folders_of(output.as_str()) {
            if !self.claims.folders.contains_key(folder) {
                self.claims
                    .folders
                    .insert(folder.to_string(), output.clone());
            }
        }
        self.claims
            .by_output
            .insert(output.clone(), self.jobs.len() as u32);
        self.whats.push(what);
        self.jobs.push(Job {
            output,
            url,
            template: template.to_string(),
            kind,
            source,
        });
    }

    /// The error for a clash at `url`: on the file that asked for it, or
    /// on the other's; on glossator.toml when a taxonomy's `path` put its
    /// pages there.
    fn blame(
        &self,
        url: &str,
        mine: Option<&PathBuf>,
        theirs: Option<PathBuf>,
        message: String,
        hint: String,
    ) -> Diagnostic {
        if let Some(path) = mine {
            return Diagnostic::error(path, message).with_hint(hint);
        }
        let taxonomy = self
            .taxonomies
            .iter()
            .find(|t| url.starts_with(&format!("/{}/", t.path)));
        match (taxonomy, theirs) {
            (Some(t), _) => Diagnostic::error(crate::config::CONFIG_FILE, message)
                .at_opt(t.written_at)
                .with_hint(format!(
                    "the `path` of [taxonomies.{}] in glossator.toml puts its pages under /{}/: choose a folder no other page uses",
                    t.kind.name(),
                    t.path
                )),
            (None, Some(path)) => Diagnostic::error(path, message).with_hint(hint),
            (None, None) => Diagnostic::error("content", message).with_hint(hint),
        }
    }

    /// Warns about an output whose name another file system would merge
    /// with another output's, or refuse.
    fn check_portable(&mut self, output: &OutputPath, what: &What<'a>, source: Option<&PathBuf>) {
        let path = || source.cloned().unwrap_or_else(|| PathBuf::from("content"));
        // Names that fold to themselves are not kept in `folded` (their
        // claims hold them): the first output with a folded name is found
        // in `folded`, or is an output whose name is that folded name.
        let trivial = crate::render::portable::folds_to_itself(output.as_str());
        let key = if trivial {
            None
        } else {
            Some(crate::render::portable::folded(output.as_str()))
        };
        let name = key.as_deref().unwrap_or(output.as_str());
        let first = self.claims.folded.get(name).cloned().or_else(|| {
            key.as_deref()
                .and_then(|k| self.claims.by_output.get_key_value(k))
                .map(|(o, _)| o.clone())
        });
        match first {
            Some(other) if other != *output => {
                let theirs = self
                    .claims
                    .by_output
                    .get(&other)
                    .map_or_else(|| other.to_string(), |&i| self.named(i));
                let what = what();
                self.diagnostics.push(
                    Diagnostic::warning(
                        path(),
                        format!(
                            "{what} is written at {output} and {theirs} at {other}: on macOS and Windows, where file names ignore case and Unicode form, they are one file and one page would replace the other"
                        ),
                    )
                    .with_hint("change one slug so the two differ in more than case or accents"),
                );
            }
            Some(_) => {}
            None => {
                if let Some(key) = key {
                    self.claims.folded.insert(key, output.clone());
                }
            }
        }
        if let Some(why) = crate::render::portable::windows_trouble(output.as_str()) {
            let what = what();
            self.diagnostics.push(
                Diagnostic::warning(
                    path(),
                    format!("{what} is written at {output}, but {why}: the site cannot be copied to a Windows machine or host whole"),
                )
                .with_hint("change the slug or file name if the site may be built or served on Windows"),
            );
        }
    }

    pub fn list(&mut self, spec: ListSpec, template: &str) {
        if let Some(run) = self.reusable(&spec, template) {
            self.take(run);
            return;
        }
        let spec = Arc::new(spec);
        for number in 1..=spec.total_pages() {
            let url = crate::urls::page_url(&spec.base_url, number);
            let named = spec.clone();
            let what = what(move || {
                let (kind, title) = (&named.list_kind, &named.title);
                if number == 1 {
                    format!("the {kind} list `{title}`")
                } else {
                    format!("page {number} of the {kind} list `{title}`")
                }
            });
            self.add(
                url.clone(),
                OutputPath::for_url(&url),
                template,
                JobKind::List {
                    list: spec.clone(),
                    number,
                },
                None,
                what,
            );
        }
    }

    pub fn feed(&mut self, format: FeedFormat, path: &str, spec: &Arc<FeedSpec>, named: What<'a>) {
        let spec = Arc::new(FeedSpec {
            path: path.to_string(),
            ..(**spec).clone()
        });
        self.add(
            path.to_string(),
            output_for(path),
            format.template(),
            JobKind::Feed { format, spec },
            None,
            {
                let path = path.to_string();
                what(move || format!("{} ({path})", named()))
            },
        );
    }

    /// The template a post or page asked for, checked to exist.
    pub fn template_for(
        &mut self,
        asked: Option<&str>,
        default: &str,
        source: &std::path::Path,
        at: Option<(usize, usize)>,
    ) -> String {
        match asked {
            Some(name) if self.theme.has(name) => name.to_string(),
            Some(name) => {
                let names = self.theme.template_names();
                let hint = match nearest(name, names.iter().copied()) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => format!("templates available: {}", names.join(", ")),
                };
                self.diagnostics.push(
                    Diagnostic::error(source, format!("template `{name}` not found"))
                        .at_opt(at)
                        .with_hint(hint),
                );
                default.to_string()
            }
            None => default.to_string(),
        }
    }
}

/// The folders an output path sits in: `a/b/c.html` → `a`, `a/b`.
pub(super) fn folders_of(path: &str) -> impl Iterator<Item = &str> {
    path.match_indices('/').map(move |(i, _)| &path[..i])
}

/// An output path for a site path, or the reason it cannot be one.
pub(super) fn output_for(url: &str) -> Result<OutputPath, String> {
    OutputPath::for_url(url)
}

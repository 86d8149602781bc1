//! A plan patched after an edit, instead of made again.
//!
//! When an edit moves posts between lists (a tag, category, kind, series
//! or date edit) but keeps every post's page where it was, most of the
//! plan stands: the posts' own jobs, the pages, the copied files, the
//! aliases. [`Kept::patch`] makes the lists section again without checks,
//! taking each list that is the same as the last plan's (same posts,
//! pages and template) as it is, and the date lists whole when the
//! archive is the last one; it matches the rest to the last section by
//! output path, and checks only the outputs that are new against the
//! claims the last plan kept. It declines
//! whenever planning again could have something to say (a clash, names
//! another file system would merge or refuse, an output that is not a
//! path, a missing template) or when what a kept section is made from
//! changed; the session then plans afresh. So a patched plan is the plan
//! planning again makes, which a property test checks.

use std::hash::{Hash, Hasher as _};
use std::ops::Range;
use std::sync::Arc;

use rustc_hash::FxHashSet;
use xxhash_rust::xxh3::Xxh3;

use super::matching::{Matching, SameJob};
use super::planner::{Claims, Planner, Reuse, folders_of};
use super::{Job, comment_page_count, plan_lists, plan_post};
use crate::content::comment::Thread;
use crate::output::OutputPath;
use crate::render::portable;
use crate::site::Site;
use crate::site::archive::Archive;
use crate::theme::Theme;

/// What the plan made for one post.
pub(crate) struct PostJobs {
    /// [`Post::plan_hash`](crate::content::Post) when it was planned.
    pub plan_hash: u64,
    pub comment_pages: usize,
    /// The index of its page's job (its comment pages follow).
    pub first: usize,
}

/// What a session keeps of a plan without diagnostics, to patch it.
pub(crate) struct Kept {
    claims: Claims,
    /// Where the posts, pages, lists and files sections end; the aliases
    /// run to the end.
    ends: [usize; 4],
    posts: Vec<PostJobs>,
    /// The comments the posts' comment pages were counted from.
    comments: Arc<Vec<Vec<Thread>>>,
    /// Hashes of what the pages, files and aliases sections are made from.
    keys: [u64; 3],
    /// The archive the date lists were planned from, and where they are.
    archive: Arc<Archive>,
    dates: Range<usize>,
}

/// A patched plan.
pub(crate) struct Patched {
    pub jobs: Vec<Job>,
    /// The last plan's jobs, matched to these.
    pub matching: Matching,
}

/// What the pages, files and aliases sections are made from, hashed.
/// (The config and the theme are not here: a change of either forgets
/// the plan.)
fn section_keys(site: &Site) -> [u64; 3] {
    let mut pages = Xxh3::new();
    for page in site.pages.iter() {
        page.source.hash(&mut pages);
        pages.write_u64(page.source_hash);
    }
    let mut files = Xxh3::new();
    (&site.static_files, &site.bundle_files).hash(&mut files);
    let mut aliases = Xxh3::new();
    for (id, post) in site.posts.iter().enumerate() {
        if !post.aliases.is_empty() {
            (id, &post.aliases, &post.url, &post.title, &post.source).hash(&mut aliases);
        }
    }
    site.redirects.hash(&mut aliases);
    [pages.digest(), files.digest(), aliases.digest()]
}

/// The outputs a patch adds, checked against each other and the kept
/// claims as [`Planner::add`] would check them.
#[derive(Default)]
struct New<'a> {
    outputs: FxHashSet<&'a str>,
    folders: FxHashSet<&'a str>,
    folded: FxHashSet<String>,
}

impl<'a> New<'a> {
    /// Whether `output` can be added with nothing to say about it: no
    /// other output has its name, is a folder of it or has it as a
    /// folder, folds to its name, and no system refuses it.
    fn admit(&mut self, claims: &Claims, output: &'a str) -> bool {
        if !self.outputs.insert(output)
            || claims.folders.contains_key(output)
            || self.folders.contains(output)
        {
            return false;
        }
        for folder in folders_of(output) {
            if claims.by_output.contains_key(folder) || self.outputs.contains(folder) {
                return false;
            }
            self.folders.insert(folder);
        }
        if portable::folds_to_itself(output) {
            if claims.folded.contains_key(output) || self.folded.contains(output) {
                return false;
            }
        } else {
            let key = portable::folded(output);
            if claims.folded.contains_key(&key)
                || claims.by_output.contains_key(key.as_str())
                || self.outputs.contains(key.as_str())
                || !self.folded.insert(key)
            {
                return false;
            }
        }
        portable::windows_trouble(output).is_none()
    }
}

/// A patch found possible, before it is applied.
struct Patch {
    /// Jobs of edited posts that changed (a template), by index.
    replaced: Vec<(usize, Job)>,
    /// The new lists section: the jobs planned again, and runs of the
    /// last plan's jobs taken as they are (see [`Planner::reused`]).
    lists: Vec<Job>,
    reused: Vec<(usize, Range<usize>)>,
    /// Where the date lists are in the new lists section.
    dates: Range<usize>,
    /// By job of the new lists section: the index of the last plan's job
    /// at its output.
    from: Vec<Option<usize>>,
    /// By job of the last lists section: whether it is still made.
    kept: Vec<bool>,
    /// By job of the last lists section: whether the job at its output is
    /// the same.
    same: Vec<bool>,
}

/// Records a run of the last plan's list jobs taken as they are: each is
/// kept, the same, and placed next in the new section. `None` when one was
/// taken already (two lists at one output: planning again has something
/// to say).
fn take_run(
    run: Range<usize>,
    pages_end: usize,
    kept: &mut [bool],
    same: &mut [bool],
    from: &mut Vec<Option<usize>>,
) -> Option<()> {
    for i in run {
        if std::mem::replace(&mut kept[i - pages_end], true) {
            return None;
        }
        same[i - pages_end] = true;
        from.push(Some(i));
    }
    Some(())
}

impl Kept {
    pub fn new(
        site: &Site,
        claims: Claims,
        ends: [usize; 4],
        posts: Vec<PostJobs>,
        dates: Range<usize>,
    ) -> Kept {
        Kept {
            claims,
            ends,
            posts,
            comments: site.comments.clone(),
            keys: section_keys(site),
            archive: site.archive.clone(),
            dates,
        }
    }

    /// The plan for `site`, made from `last` (the plan this was kept
    /// with, taken when the patch is made), or `None` when it must be
    /// planned afresh. `site` must list the same posts in the same order.
    pub fn patch(
        &mut self,
        last: &mut Arc<Vec<Job>>,
        site: &Site,
        theme: &Theme,
    ) -> Option<Patched> {
        let patch = self.find(last, site, theme)?;
        let jobs = std::mem::take(last);
        let jobs = Arc::try_unwrap(jobs).unwrap_or_else(|shared| (*shared).clone());
        Some(self.apply(patch, jobs, site))
    }

    fn find(&self, last: &[Job], site: &Site, theme: &Theme) -> Option<Patch> {
        if site.posts.len() != self.posts.len() || section_keys(site) != self.keys {
            return None;
        }
        let [_, pages_end, lists_end, _] = self.ends;
        let reuse = Reuse {
            last,
            by_output: &self.claims.by_output,
            lists: (pages_end, lists_end),
            // The date lists are made from the archive alone (and the
            // config, which is the same: a new one forgets the plan).
            dates: Arc::ptr_eq(&self.archive, &site.archive).then(|| self.dates.clone()),
        };
        let mut p = Planner::collecting(site, theme, Some(reuse));

        // Posts planned again where what the plan reads of them changed:
        // each must keep its outputs (a new template is fine).
        let same_comments = Arc::ptr_eq(&self.comments, &site.comments);
        let mut replaced = Vec::new();
        for (id, (post, was)) in site.posts.iter().zip(&self.posts).enumerate() {
            if post.plan_hash == was.plan_hash
                && (same_comments || comment_page_count(site, id) == was.comment_pages)
            {
                continue;
            }
            p.jobs.clear();
            let comment_pages = plan_post(&mut p, site, id, post);
            if comment_pages != was.comment_pages || p.failed || !p.diagnostics.is_empty() {
                return None;
            }
            let old = last.get(was.first..was.first + p.jobs.len())?;
            for (k, (new, old)) in p.jobs.drain(..).zip(old).enumerate() {
                if new.output != old.output {
                    return None;
                }
                if new != *old {
                    replaced.push((was.first + k, new));
                }
            }
        }

        // The lists, matched to the last ones by output; the new outputs
        // checked.
        p.jobs.clear();
        plan_lists(&mut p, site);
        if p.failed || !p.diagnostics.is_empty() {
            return None;
        }
        let lists = std::mem::take(&mut p.jobs);
        let reused = std::mem::take(&mut p.reused);
        let dates = p.dates.clone();
        let mut kept = vec![false; lists_end - pages_end];
        let mut same = vec![false; lists_end - pages_end];
        let mut same_job = SameJob::default();
        let mut from = Vec::with_capacity(lists.len());
        let mut new = New::default();
        let mut runs = reused.iter().peekable();
        for (k, job) in lists.iter().enumerate() {
            while let Some((_, run)) = runs.next_if(|(at, _)| *at == k) {
                take_run(run.clone(), pages_end, &mut kept, &mut same, &mut from)?;
            }
            match self.claims.by_output.get(&job.output) {
                Some(&i) => {
                    let i = i as usize;
                    // A job of another section (a clash, or a theme file
                    // the list now hides), or a second list job there.
                    if !(pages_end..lists_end).contains(&i)
                        || std::mem::replace(&mut kept[i - pages_end], true)
                    {
                        return None;
                    }
                    same[i - pages_end] = same_job.is(job, &last[i]);
                    from.push(Some(i));
                }
                None => {
                    if !new.admit(&self.claims, job.output.as_str()) {
                        return None;
                    }
                    from.push(None);
                }
            }
        }
        for (_, run) in runs {
            take_run(run.clone(), pages_end, &mut kept, &mut same, &mut from)?;
        }
        // A theme file a list output hid is written again once the list
        // is gone: planning again places it.
        let uncovers = kept.iter().enumerate().any(|(k, &still)| {
            !still && {
                let output = last[pages_end + k].output.as_str();
                theme.static_files.iter().any(|f| f.rel == output)
            }
        });
        if uncovers {
            return None;
        }
        Some(Patch {
            replaced,
            lists,
            reused,
            dates,
            from,
            kept,
            same,
        })
    }

    fn apply(&mut self, patch: Patch, mut jobs: Vec<Job>, site: &Site) -> Patched {
        let Patch {
            replaced,
            lists,
            reused,
            dates,
            from,
            kept,
            same: same_lists,
        } = patch;
        let [_, pages_end, lists_end, files_end] = self.ends;
        let new_end = pages_end + from.len();
        let shift = |i: usize| i + new_end - lists_end;
        let place: Vec<Option<usize>> = (0..jobs.len())
            .map(|i| {
                if i < pages_end {
                    Some(i)
                } else if i >= lists_end {
                    Some(shift(i))
                } else {
                    None
                }
            })
            .collect();
        let mut place = place;
        for (k, from) in from.iter().enumerate() {
            if let Some(i) = *from {
                place[i] = Some(pages_end + k);
            }
        }
        let mut same = vec![true; jobs.len()];
        same[pages_end..lists_end].copy_from_slice(&same_lists);
        for (i, _) in &replaced {
            same[*i] = false;
        }
        let gone: Vec<(usize, OutputPath)> = kept
            .iter()
            .enumerate()
            .filter(|(_, still)| !**still)
            .map(|(k, _)| (pages_end + k, jobs[pages_end + k].output.clone()))
            .collect();

        // The claims, brought up to the new plan. Folders and folded
        // names of outputs that are gone stay: they can only make a later
        // patch decline.
        let claims = &mut self.claims;
        for (k, still) in kept.iter().enumerate() {
            if !still {
                claims.by_output.remove(&jobs[pages_end + k].output);
            }
        }
        for (i, job) in replaced {
            jobs[i] = job;
        }
        // The new section: the jobs planned again, with the runs taken
        // from the last one in their places.
        let mut last: Vec<Option<Job>> = jobs
            .splice(pages_end..lists_end, std::iter::empty())
            .map(Some)
            .collect();
        let mut section = Vec::with_capacity(from.len());
        let mut planned = lists.into_iter();
        let mut taken = 0;
        for (at, run) in reused {
            section.extend(planned.by_ref().take(at - taken));
            taken = at;
            // `find` took each run once (`take_run`).
            section.extend(run.filter_map(|i| last[i - pages_end].take()));
        }
        section.extend(planned);
        drop(last);
        for (k, job) in section.iter().enumerate() {
            let at = pages_end + k;
            match from[k] {
                Some(i) if i == at => {}
                Some(_) => {
                    if let Some(i) = claims.by_output.get_mut(&job.output) {
                        *i = at as u32;
                    }
                }
                None => {
                    let output = job.output.as_str();
                    for folder in folders_of(output) {
                        if !claims.folders.contains_key(folder) {
                            claims
                                .folders
                                .insert(folder.to_string(), job.output.clone());
                        }
                    }
                    if !portable::folds_to_itself(output) {
                        claims
                            .folded
                            .insert(portable::folded(output), job.output.clone());
                    }
                    claims.by_output.insert(job.output.clone(), at as u32);
                }
            }
        }
        jobs.splice(pages_end..pages_end, section);
        if new_end != lists_end {
            for (i, job) in jobs.iter().enumerate().skip(new_end) {
                if let Some(at) = claims.by_output.get_mut(&job.output) {
                    *at = i as u32;
                }
            }
        }
        self.ends = [self.ends[0], pages_end, new_end, shift(files_end)];
        for (post, was) in site.posts.iter().zip(&mut self.posts) {
            was.plan_hash = post.plan_hash;
        }
        self.comments = site.comments.clone();
        self.archive = site.archive.clone();
        self.dates = pages_end + dates.start..pages_end + dates.end;
        Patched {
            jobs,
            matching: Matching::patched(place, same, gone),
        }
    }
}

#[cfg(test)]
#[path = "patch_tests.rs"]
mod tests;

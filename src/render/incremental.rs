//! The render stage over a plan, revisiting only what an edit can reach.
//!
//! Every build plans the site (unless the index is the last build's, or
//! what the plan is made from is unchanged: [`cache::plan_key`]), brings
//! the per-post memo up to date, and renders jobs in parallel into the
//! sink. A session that keeps its cache (`serve`) also compares each job's
//! fingerprint with the last build's and sends only outputs that changed;
//! and when the posts are the same files in the same order, it looks only
//! at the jobs whose recorded reads include a post whose values were made
//! anew, whose related posts or series place changed, or a touched file,
//! plus jobs new or changed in a new plan and, when the index's shape
//! changed, the few jobs that show it (see `shows_shape`). The outcome
//! lists what was rendered and what is gone, so `serve` can patch the site
//! it holds.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rayon::prelude::*;
use tera::Value;

use super::cache::{self, CachedPlan, PerPost, Readers, RenderCache};
use super::leases::{Countdown, Leases};
use super::plan::{Matching, Patched, plan_site_kept};
use super::reads::{ItemKey, Recorded, Shared};
use super::views::site_view;
use super::{JobKind, RenderInputs, gather_failures, render_job};
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::{OutputPath, OutputSink};
use crate::site::{PostId, Site};
use crate::theme::Theme;
use crate::timings::Timings;

/// What rendering did.
#[derive(Debug, Default)]
pub struct RenderOutcome {
    pub diagnostics: Diagnostics,
    /// True when the sink received every output of the site (a first
    /// build); otherwise it received only the outputs that changed.
    pub complete: bool,
    /// Outputs sent to the sink (by a session that keeps its cache).
    pub rendered: Vec<OutputPath>,
    /// Outputs of the last build that no longer exist.
    pub removed: Vec<OutputPath>,
}

/// The site to render and how it came about.
pub struct RenderRequest<'a> {
    pub site: &'a Site,
    pub theme: &'a Theme,
    pub theme_generation: u64,
    /// The index is the last build's (only posts' texts changed), so the
    /// last plan still holds.
    pub same_index: bool,
    /// Files changed since the last build (for copies).
    pub touched: &'a HashSet<PathBuf>,
}

/// One job's result, as the render loop keeps it.
type Done = (
    usize,
    u128,
    Recorded,
    Option<OutputPath>,
    Option<Vec<Diagnostic>>,
);

/// Whether a job shows what the index made besides its posts (terms,
/// series, the archive, pages, the sitemap), so that it is looked at
/// again whenever that changes. Post pages show their series
/// (`series_changed`); their related posts and series place are followed
/// post by post ([`PerPost::changed`]). Lists, feeds, aliases and copies
/// carry what they show in the job itself, which the plan compares.
fn shows_shape(kind: &JobKind, series_changed: bool) -> bool {
    match kind {
        JobKind::Post(_) => series_changed,
        JobKind::Comments { .. }
        | JobKind::List { .. }
        | JobKind::Feed { .. }
        | JobKind::Alias { .. }
        | JobKind::Standalone { .. }
        | JobKind::Copy { .. } => false,
        _ => true,
    }
}

/// Plans and renders the site into `sink`; see the module docs.
pub fn render_site_outputs(
    request: &RenderRequest<'_>,
    sink: &dyn OutputSink,
    timings: &mut Timings,
    cache: &mut RenderCache,
) -> RenderOutcome {
    let RenderRequest { site, theme, .. } = *request;
    let mut outcome = RenderOutcome::default();
    let keep = cache.keep;
    // A one-shot build into a sink that records keys fingerprints every
    // job, so it can keep the pages whose key is the last build's without
    // rendering them, and leave the keys for the next build.
    let keyed = !keep && sink.records_keys();
    if keyed {
        cache.memo.hash();
    }

    // After a new index: do the last build's recorded reads still hold?
    // They do when the posts are the same files in the same order (ids
    // mean the same posts). When the rest of what the index made (its
    // shape) changed too, the few jobs that show it are looked at again
    // besides those the reads name.
    let shape = if keep && !request.same_index {
        cache::shape_hash(site)
    } else {
        cache.shape
    };
    let posts_hold = request.same_index || cache.memo.same_posts_in_order(site);
    let shape_same = request.same_index || shape == cache.shape;
    let reads_hold = posts_hold && shape_same;
    cache.shape = shape;
    let per_post = PerPost::of(site);
    let (index_changed, series_changed) = match (&cache.per_post, keep && posts_hold) {
        (Some(last), true) if !request.same_index => last.changed(&per_post),
        _ => (Vec::new(), false),
    };
    if keep {
        cache.per_post = Some(per_post);
    }

    // The plan: the last one when the index is unchanged, or when what the
    // plan is made from is (a new index of the same shape whose posts
    // keep their URLs and templates), else made afresh with the last
    // fingerprints carried over by output path.
    let plan_key = if keep {
        cache::plan_key(site, shape, request.theme_generation)
    } else {
        0
    };
    let reuse = keep
        && cache.plan.is_some()
        && (request.same_index || (reads_hold && plan_key == cache.plan_key));
    // Set again once a plan made from it is in place.
    cache.plan_key = 0;
    // Jobs that are new or differ from the last plan's job at their path.
    let mut replanned: Option<Vec<usize>> = None;
    // Hashed whenever list items are made: they are kept by it.
    let site_value = Shared::new(Value::from_serializable(&site_view(site)), true);
    let item_key = ItemKey {
        theme_generation: request.theme_generation,
        site_hash: site_value.hash(),
    };
    // The posts' values (`views`) do not depend on the plan. A one-shot
    // build makes them beside a new plan, on the cores the plan (which
    // claims outputs one by one) leaves idle: 10,000 posts, about 30 ms
    // less of one core working alone. A session that lives on makes them
    // after it, so a plan that fails leaves the memo as the last build
    // left it.
    let mut views_made: Option<(Vec<PostId>, Duration)> = None;
    if reuse {
        // The same plan says the same.
        if let Some(plan) = &cache.plan {
            outcome.diagnostics = plan.diagnostics.clone();
        }
    } else {
        // Patched when only lists changed (see `plan::Kept`), else made
        // afresh.
        let last_plan = &mut cache.plan;
        let mut make_plan = || {
            let start = Instant::now();
            let patched = match last_plan.as_mut() {
                Some(plan) if keep && posts_hold => plan.patch(site, theme),
                _ => None,
            };
            let planned = match patched {
                Some(Patched { jobs, matching }) => {
                    let kept = last_plan.as_mut().and_then(|p| p.kept.take());
                    (jobs, Diagnostics::new(), Some(matching), kept)
                }
                None => {
                    let (jobs, diagnostics, kept) = plan_site_kept(site, theme, keep);
                    (jobs, diagnostics, None, kept)
                }
            };
            (planned, start.elapsed())
        };
        let ((jobs, diagnostics, matching, kept), plan_time) = if keep {
            make_plan()
        } else {
            let memo = &mut cache.memo;
            let (planned, views) = rayon::join(make_plan, || {
                let start = Instant::now();
                (memo.refresh(site, item_key), start.elapsed())
            });
            views_made = Some(views);
            planned
        };
        timings.0.push(("plan", plan_time));
        outcome.diagnostics = diagnostics;
        if outcome.diagnostics.has_errors() {
            return outcome;
        }
        let mut readers = Readers::default();
        let mut fingerprints: Vec<Option<u128>> = vec![None; jobs.len()];
        if let Some(previous) = cache.plan.take() {
            let matching = matching.unwrap_or_else(|| Matching::by_output(&previous.jobs, &jobs));
            // Fingerprints move with their output paths; an output no job
            // makes any more is removed.
            for ((fp, place), old) in previous.fingerprints.iter().zip(&matching.place).zip(0..) {
                match (fp, place) {
                    (Some(fp), Some(i)) => fingerprints[*i] = Some(*fp),
                    (Some(_), None) => outcome.removed.extend(matching.gone(&previous.jobs, old)),
                    (None, _) => {}
                }
            }
            if keep && posts_hold {
                // The records move with their jobs; a job that is new or
                // changed is looked at whatever it read.
                let new_index = matching.same_jobs(&previous.jobs, &jobs);
                let mut same = vec![false; jobs.len()];
                for &i in new_index.iter().flatten() {
                    same[i as usize] = true;
                }
                replanned = Some((0..jobs.len()).filter(|&i| !same[i]).collect());
                readers = previous.readers.remap(&new_index);
            }
        }
        outcome.removed.sort();
        cache.plan = Some(CachedPlan {
            jobs: Arc::new(jobs),
            fingerprints,
            readers,
            diagnostics: outcome.diagnostics.clone(),
            kept,
        });
    }
    let Some(plan) = cache.plan.as_mut() else {
        return outcome;
    };
    cache.plan_key = plan_key;
    outcome.complete = plan.fingerprints.iter().all(Option::is_none);

    let changed = match views_made {
        Some((changed, took)) => {
            timings.0.push(("views", took));
            changed
        }
        None => {
            let memo = &mut cache.memo;
            timings.time("views", || memo.refresh(site, item_key))
        }
    };

    // Which jobs to look at: after an edit whose reads still hold, those
    // that read a post made anew or a touched file (and, after a new plan,
    // the jobs that changed); else all of them.
    let narrow = keep
        && !outcome.complete
        && cache.site_hash == site_value.hash()
        && posts_hold
        && (reuse || replanned.is_some());
    let mut candidates: Vec<usize> = if narrow {
        let mut changed = changed;
        changed.extend(&index_changed);
        let mut list = plan.readers.of(&changed, request.touched.iter());
        if let Some(extra) = &replanned {
            list.extend(extra);
        }
        if !shape_same {
            list.extend(
                (0..plan.jobs.len()).filter(|&i| shows_shape(&plan.jobs[i].kind, series_changed)),
            );
        }
        list.sort_unstable();
        list.dedup();
        list
    } else {
        plan.readers = Readers::default();
        (0..plan.jobs.len()).collect()
    };

    // Pages that list the whole site (the archive, the sitemap, the
    // search index, the term lists) take longest: started first, so the
    // last core is not left rendering one of them alone.
    candidates.sort_by_key(|&i| !plan.jobs[i].lists_whole_site());
    // A one-shot build makes the jobs that read posts' whole HTML first
    // (with the long whole-site jobs, so they still start early), then
    // lets every post's HTML go, and makes the rest (the lists and
    // archives) in the room that frees: in the order of the newest post
    // each shows, every post's list item leased for the pages showing it
    // (`super::leases`).
    let phases = (!keep).then(|| {
        let (first, mut rest): (Vec<usize>, Vec<usize>) = candidates
            .iter()
            .partition(|&&i| plan.jobs[i].lists_whole_site() || plan.jobs[i].reads_whole_posts());
        rest.sort_by_key(|&i| plan.jobs[i].listed_posts().first().copied());
        (first, rest)
    });
    // And each post's HTML is let go once the last job of the first
    // phase reading it is made.
    let whole_readers = phases.as_ref().map(|(first, rest)| {
        let pages = rest.iter().map(|&i| plan.jobs[i].listed_posts());
        cache.memo.lease(Leases::new(site.posts.len(), pages));
        let readers = first.iter().map(|&i| plan.jobs[i].whole_posts());
        Countdown::new(site.posts.len(), readers)
    });
    let inputs = RenderInputs {
        site,
        theme,
        theme_generation: request.theme_generation,
        memo: &cache.memo,
        site_value,
        hashed: keep || keyed,
        held: keep,
        sizes: Default::default(),
    };
    let jobs = plan.jobs.clone();
    let previous = &plan.fingerprints;
    let render = |candidates: &[usize]| -> Vec<Done> {
        candidates
            .par_iter()
            // Rayon otherwise splits the jobs into a few long runs; the
            // feeds sit together at the end of the plan, and one thread was
            // left idle for tens of milliseconds while the other worked
            // through them alone. Short runs let both finish together.
            .with_max_len(4)
            // After Ctrl-C the rest is skipped: nothing will be written.
            .filter(|_| !crate::interrupt::requested())
            .map(|&index| {
                let job = &jobs[index];
                let last = match previous[index] {
                    None if keyed => sink.last_key(&job.output),
                    last => last,
                };
                let mut done = render_job(&inputs, job, last);
                if keyed && matches!(done.output, Ok(None)) && !sink.keep(&job.output) {
                    // The same key, but the disk no longer holds what the
                    // last build left: make it again.
                    done = render_job(&inputs, job, None);
                }
                inputs.memo.leases().done(job.listed_posts());
                if let Some(readers) = &whole_readers {
                    readers.done(job.whole_posts(), |id| site.posts[id].body.html.release());
                }
                match done.output {
                    Ok(Some(file)) => {
                        let path = keep.then(|| file.path.clone());
                        sink.accept_keyed(file, done.fingerprint);
                        (index, done.fingerprint, done.reads, path, None)
                    }
                    Ok(None) => (index, done.fingerprint, done.reads, None, None),
                    Err(ds) => (index, 0, done.reads, None, Some(ds)),
                }
            })
            .collect()
    };
    let results: Vec<Done> = timings.time("render", || {
        let Some((first, rest)) = &phases else {
            return render(&candidates);
        };
        let mut results = render(first);
        // Whatever a failed or skipped job left held.
        for post in &site.posts {
            post.body.html.release();
        }
        results.extend(render(rest));
        results
    });
    cache.site_hash = inputs.site_value.hash();
    cache.memo.lease(Leases::default());
    let mut failures = Vec::new();
    for (index, fingerprint, reads, path, failed) in results {
        if let Some(ds) = failed {
            failures.push(ds);
            plan.fingerprints[index] = None;
            continue;
        }
        if keep {
            plan.readers.add(index, &reads);
            plan.fingerprints[index] = Some(fingerprint);
        }
        if let Some(path) = path {
            outcome.rendered.push(path);
        }
    }
    if !keep {
        outcome.complete = true;
    }
    outcome.diagnostics.extend(gather_failures(failures));
    outcome
}

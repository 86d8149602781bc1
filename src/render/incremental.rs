//! Rendering with a cache: revisit only the jobs an edit can reach.
//!
//! Without a cache (a one-shot build) every job is rendered into the sink.
//! With one (`serve`'s session), the previous plan is reused when the
//! site's structure is unchanged, and then only the jobs that read a post
//! whose fingerprint changed (plus the few that read every post, and copies
//! of touched files) are fingerprinted again; a job whose fingerprint still
//! matches keeps its output. The sink receives only outputs that differ
//! from the last build (everything on a first build), and the outcome
//! lists what was rendered and what is gone, so `serve` can patch the site
//! it holds instead of rebuilding its map of every file.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};

use rayon::prelude::*;
use tera::Value;

use super::cache::{self, CachedPlan, PostFingerprints, RenderCache};
use super::views::{self, site_view};
use super::{RenderInputs, gather_failures, plan_site, render_job};
use crate::build::Timings;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::{Body, OutputPath, OutputSink};
use crate::site::Site;
use crate::theme::Theme;

/// What rendering did.
#[derive(Debug, Default)]
pub struct RenderOutcome {
    pub diagnostics: Diagnostics,
    /// True when the sink received every output of the site (a first
    /// build); otherwise it received only the outputs that changed.
    pub complete: bool,
    /// Outputs sent to the sink.
    pub rendered: Vec<OutputPath>,
    /// Outputs of the last build that no longer exist.
    pub removed: Vec<OutputPath>,
}

/// Plans and renders the site into `sink`; see the module docs.
/// `touched` are the files changed since the last build (for copies);
/// `changed_posts`, when known, the only posts that may differ from the
/// last build's (the session's fast path).
#[allow(clippy::too_many_arguments)]
pub fn render_site_outputs(
    site: &Site,
    theme: &Theme,
    theme_generation: u64,
    sink: &dyn OutputSink,
    timings: &mut Timings,
    cache: Option<&mut RenderCache>,
    touched: &HashSet<PathBuf>,
    changed_posts: Option<&[crate::site::PostId]>,
) -> RenderOutcome {
    match cache {
        None => render_everything(site, theme, sink, timings),
        Some(cache) => render_with_cache(
            site,
            theme,
            theme_generation,
            sink,
            timings,
            cache,
            touched,
            changed_posts,
        ),
    }
}

fn render_everything(
    site: &Site,
    theme: &Theme,
    sink: &dyn OutputSink,
    timings: &mut Timings,
) -> RenderOutcome {
    let mut outcome = RenderOutcome {
        complete: true,
        ..RenderOutcome::default()
    };
    let (jobs, diagnostics) = timings.time("plan", || plan_site(site, theme));
    outcome.diagnostics = diagnostics;
    if outcome.diagnostics.has_errors() {
        return outcome;
    }
    let inputs = timings.time("views", || RenderInputs::new(site, theme));
    let failures: Vec<Vec<Diagnostic>> = timings.time("render", || {
        jobs.par_iter()
            // After Ctrl-C the rest is skipped: nothing will be written.
            .filter(|_| !crate::interrupt::requested())
            .filter_map(|job| match render_job(&inputs, job) {
                Ok(file) => {
                    sink.accept(file);
                    None
                }
                Err(ds) => Some(ds),
            })
            .collect()
    });
    outcome.diagnostics.extend(gather_failures(failures));
    outcome
}

fn global_fingerprint(site: &Site, theme_generation: u64) -> (u128, Value) {
    let view = site_view(site);
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(&serde_json::to_vec(&view).unwrap_or_default());
    // Change marks show on post pages, not in the site view.
    h.update(&serde_json::to_vec(&site.config.source_changes).unwrap_or_default());
    h.update(&theme_generation.to_le_bytes());
    (h.digest128(), Value::from_serializable(&view))
}

#[allow(clippy::too_many_arguments)]
fn render_with_cache(
    site: &Site,
    theme: &Theme,
    theme_generation: u64,
    sink: &dyn OutputSink,
    timings: &mut Timings,
    cache: &mut RenderCache,
    touched: &HashSet<PathBuf>,
    changed_posts: Option<&[crate::site::PostId]>,
) -> RenderOutcome {
    let mut outcome = RenderOutcome::default();
    // On the fast path nothing structural changed: keep the plan without
    // re-hashing every post's place in it.
    let structure = match (changed_posts, &cache.plan) {
        (Some(_), Some(plan)) => plan.structure,
        _ => cache::structure_fingerprint(site, theme_generation),
    };
    let fps = timings.time("views", || match (changed_posts, &cache.fps) {
        (Some(ids), Some(old)) if old.full.len() == site.posts.len() => old.patched(site, ids),
        _ => PostFingerprints::new(site),
    });
    let (global, site_value) = global_fingerprint(site, theme_generation);

    // The plan: reused when the structure is unchanged, else made afresh
    // with the old outputs carried over by path.
    let same_plan = cache
        .plan
        .as_ref()
        .is_some_and(|p| p.structure == structure);
    let mut removed = Vec::new();
    if !same_plan {
        let (jobs, diagnostics) = timings.time("plan", || plan_site(site, theme));
        if diagnostics.has_errors() {
            outcome.diagnostics = diagnostics;
            return outcome;
        }
        outcome.diagnostics = diagnostics;
        let mut old: HashMap<OutputPath, (u128, Body)> = HashMap::new();
        if let Some(previous) = cache.plan.take() {
            for (job, out) in previous.jobs.iter().zip(previous.outputs) {
                if let Some(out) = out {
                    old.insert(job.output.clone(), out);
                }
            }
        }
        let outputs: Vec<Option<(u128, Body)>> =
            jobs.iter().map(|j| old.remove(&j.output)).collect();
        removed = old.into_keys().collect();
        removed.sort();
        let deps = cache::dependencies(site, &jobs);
        cache.plan = Some(CachedPlan {
            structure,
            jobs: Arc::new(jobs),
            outputs,
            deps,
        });
    }
    let Some(plan) = cache.plan.as_mut() else {
        return outcome;
    };
    let first_build = plan.outputs.iter().all(Option::is_none);
    outcome.complete = first_build;

    // Which jobs to look at: after a small edit, only those that read a
    // changed post; after anything bigger, all of them.
    let narrow = same_plan
        && cache.global == global
        && cache
            .fps
            .as_ref()
            .is_some_and(|old| old.full.len() == fps.full.len());
    let candidates: Vec<usize> = if narrow {
        let mut set: HashSet<u32> = plan.deps.all_posts.iter().copied().collect();
        if let Some(old) = &cache.fps {
            for id in 0..fps.full.len() {
                if old.full[id] != fps.full[id] || old.view[id] != fps.view[id] {
                    set.extend(plan.deps.by_post[id].iter().copied());
                }
            }
        }
        for path in touched {
            if let Some(&index) = plan.deps.copies.get(path) {
                set.insert(index);
            }
        }
        let mut list: Vec<usize> = set.into_iter().map(|i| i as usize).collect();
        list.sort_unstable();
        list
    } else {
        (0..plan.jobs.len()).collect()
    };

    // Post values: rebuilt only for posts whose view changed.
    let posts = timings.time("views", || {
        let values: Vec<Value> = site
            .posts
            .par_iter()
            .enumerate()
            .map(|(id, _)| match cache.values.get(&fps.view[id]) {
                Some(v) => v.clone(),
                None => Value::from_serializable(&views::post_view(site, id)),
            })
            .collect();
        if changed_posts.is_some() {
            for (id, value) in values.iter().enumerate() {
                cache
                    .values
                    .entry(fps.view[id])
                    .or_insert_with(|| value.clone());
            }
        } else {
            cache.values = fps
                .view
                .iter()
                .copied()
                .zip(values.iter().cloned())
                .collect();
        }
        values
    });
    let inputs = RenderInputs {
        site,
        theme,
        posts,
        site_value,
        feed_html: (0..site.posts.len()).map(|_| OnceLock::new()).collect(),
    };

    type Done = (usize, Option<(u128, Body)>, Option<Vec<Diagnostic>>);
    let jobs = plan.jobs.clone();
    let previous = &plan.outputs;
    let results: Vec<Done> = timings.time("render", || {
        candidates
            .par_iter()
            .map(|&index| {
                let job = &jobs[index];
                let fp = cache::job_fingerprint(site, job, global, &fps);
                if let Some((old, _)) = &previous[index]
                    && *old == fp
                {
                    return (index, None, None);
                }
                match render_job(&inputs, job) {
                    Ok(file) => {
                        let body = file.body.clone();
                        sink.accept(file);
                        (index, Some((fp, body)), None)
                    }
                    Err(ds) => (index, None, Some(ds)),
                }
            })
            .collect()
    });
    let mut failures = Vec::new();
    for (index, new, failed) in results {
        if let Some(out) = new {
            outcome.rendered.push(jobs[index].output.clone());
            plan.outputs[index] = Some(out);
        }
        if let Some(ds) = failed {
            failures.push(ds);
        }
    }
    outcome.removed = removed;
    outcome.diagnostics.extend(gather_failures(failures));
    cache.global = global;
    cache.fps = Some(fps);
    outcome
}

//! What a session keeps between renders: the per-post memo, and the last
//! plan with each job's fingerprint and recorded reads.
//!
//! Nothing here says what a job depends on: that is recorded while the
//! job's context is built (see [`super::reads`]). This module only keeps
//! the records, and answers "which jobs read these posts or files".

use std::collections::HashMap;
use std::hash::Hasher as _;
use std::path::PathBuf;
use std::sync::Arc;

use super::Job;
use super::reads::{PostMemo, Recorded};
use crate::site::PostId;

/// What one build leaves for the next.
pub struct RenderCache {
    pub(crate) memo: PostMemo,
    /// Keep fingerprints for the next build (a session that lives on, as
    /// `serve`'s); a one-shot build only renders.
    pub(crate) keep: bool,
    pub(crate) plan: Option<CachedPlan>,
    /// The hash of the `site` value of the last build.
    pub(crate) site_hash: u64,
    /// [`shape_hash`] of the last build's site.
    pub(crate) shape: u128,
    /// [`plan_key`] of the last plan.
    pub(crate) plan_key: u128,
    /// What the last index said of each post besides the post itself.
    pub(crate) per_post: Option<PerPost>,
}

/// The index's per-post lists a post's own page shows: its related posts
/// and its place in a series (with the series themselves).
#[derive(Clone)]
pub(crate) struct PerPost {
    related: Arc<Vec<Vec<PostId>>>,
    series_of: Arc<Vec<Option<crate::site::series::SeriesPlace>>>,
    series: Arc<Vec<crate::site::series::Series>>,
}

impl PerPost {
    pub fn of(site: &crate::site::Site) -> Self {
        PerPost {
            related: site.related.clone(),
            series_of: site.series_of.clone(),
            series: site.series.clone(),
        }
    }

    /// The posts whose related posts or series place differ in `now`
    /// (same posts in the same order), and whether any series changed.
    pub fn changed(&self, now: &PerPost) -> (Vec<PostId>, bool) {
        let series = !Arc::ptr_eq(&self.series, &now.series) && self.series != now.series;
        let mut ids = Vec::new();
        if !Arc::ptr_eq(&self.related, &now.related) {
            ids.extend(
                (0..now.related.len()).filter(|&i| self.related.get(i) != now.related.get(i)),
            );
        }
        if !Arc::ptr_eq(&self.series_of, &now.series_of) {
            ids.extend(
                (0..now.series_of.len()).filter(|&i| self.series_of.get(i) != now.series_of.get(i)),
            );
        }
        ids.sort_unstable();
        ids.dedup();
        (ids, series)
    }
}

/// A plan with the last fingerprint and reads of each of its jobs.
pub(crate) struct CachedPlan {
    pub jobs: Arc<Vec<Job>>,
    /// By job index: the fingerprint of the job's last output.
    pub fingerprints: Vec<Option<u128>>,
    pub readers: Readers,
    /// The plan's warnings, reported again whenever it is reused.
    pub diagnostics: crate::diagnostic::Diagnostics,
    /// What patching the plan needs, when it has no diagnostics.
    pub kept: Option<super::plan::Kept>,
}

impl CachedPlan {
    /// This plan patched for `site` (see [`super::plan::Kept::patch`]),
    /// its jobs taken; `None` when it must be planned afresh.
    pub fn patch(
        &mut self,
        site: &crate::site::Site,
        theme: &crate::theme::Theme,
    ) -> Option<super::plan::Patched> {
        self.kept.as_mut()?.patch(&mut self.jobs, site, theme)
    }
}

/// Which jobs read which posts and files, from their recorded reads.
#[derive(Default)]
pub(crate) struct Readers {
    by_post: Vec<Vec<u32>>,
    by_file: HashMap<PathBuf, Vec<u32>>,
}

impl Readers {
    pub fn add(&mut self, job: usize, reads: &Recorded) {
        let job = job as u32;
        for &id in &reads.posts {
            if self.by_post.len() <= id {
                self.by_post.resize_with(id + 1, Vec::new);
            }
            // Lists are short (the pages showing one post), and a job is
            // added again after each edit that revisits it.
            let list = &mut self.by_post[id];
            if !list.contains(&job) {
                list.push(job);
            }
        }
        for path in &reads.files {
            let list = self.by_file.entry(path.clone()).or_default();
            if !list.contains(&job) {
                list.push(job);
            }
        }
    }

    /// The same records for a new plan: `new_index[old job]` is the job's
    /// index in the new plan, `None` when it is gone or changed. Done in
    /// place: making a new list for each of 10,000 posts took ~2 ms of
    /// every edit that adds or removes a job (a new tag).
    pub fn remap(mut self, new_index: &[Option<u32>]) -> Readers {
        let map = |list: &mut Vec<u32>| {
            list.retain_mut(|j| match new_index.get(*j as usize).copied().flatten() {
                Some(new) => {
                    *j = new;
                    true
                }
                None => false,
            });
        };
        self.by_post.iter_mut().for_each(map);
        self.by_file.values_mut().for_each(map);
        self
    }

    /// The jobs that read any of `posts` or `files`, sorted, once each.
    pub fn of<'a>(&self, posts: &[PostId], files: impl Iterator<Item = &'a PathBuf>) -> Vec<usize> {
        let mut jobs: Vec<usize> = posts
            .iter()
            .filter_map(|&id| self.by_post.get(id))
            .flatten()
            .chain(files.filter_map(|f| self.by_file.get(f)).flatten())
            .map(|&j| j as usize)
            .collect();
        jobs.sort_unstable();
        jobs.dedup();
        jobs
    }
}

impl RenderCache {
    /// For a build that renders once: nothing is hashed or kept.
    pub fn one_shot() -> Self {
        RenderCache {
            memo: PostMemo::new(false, true),
            keep: false,
            plan: None,
            site_hash: 0,
            shape: 0,
            plan_key: 0,
            per_post: None,
        }
    }

    /// For a session that builds again after edits.
    pub fn kept() -> Self {
        RenderCache {
            memo: PostMemo::new(true, true),
            keep: true,
            plan: None,
            site_hash: 0,
            shape: 0,
            plan_key: 0,
            per_post: None,
        }
    }

    /// The same, with every per-post value and list item made anew where
    /// it is used: only to show that reuse changes no byte.
    pub fn without_reuse(self) -> Self {
        RenderCache {
            memo: PostMemo::new(self.keep, false),
            ..self
        }
    }

    /// Forgets outputs (after a theme change or a failed render); post
    /// values stay valid.
    pub fn forget_outputs(&mut self) {
        self.plan = None;
    }
}

/// A hash of everything the index made besides the posts themselves (whose
/// values the memo tracks, by identity), their comments (tracked with
/// them) and the config (whose change restarts everything): terms, series,
/// related posts, the archive, pages, copied files, redirects. When it and
/// the order of the posts are the last build's, the last build's recorded
/// reads still say which jobs an edit reaches, though the index was made
/// again. The destructuring names every field, so a field added to `Site`
/// does not compile until it is placed here or left out on purpose.
pub(crate) fn shape_hash(site: &crate::site::Site) -> u128 {
    let crate::site::Site {
        config: _,
        posts: _,
        comments: _,
        mentions: _,
        pages,
        tags,
        categories,
        by_kind,
        series,
        series_of,
        related,
        archive,
        static_files,
        bundle_files,
        next_due,
        redirects,
    } = site;
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    for p in pages.iter() {
        h.write_u64(p.source_hash);
    }
    // std's `Hash`, fed to xxh3: every part, field by field.
    use std::hash::Hash as _;
    (
        tags,
        categories,
        by_kind,
        series,
        series_of,
        related,
        archive,
        static_files,
        bundle_files,
        next_due,
        redirects,
    )
        .hash(&mut h);
    h.digest128()
}

/// What a plan is made from: the site's shape, what the plan reads of each
/// post, and the theme. When it is the last plan's, planning again would
/// give the same jobs (a date edit that keeps the post's place and URL).
pub(crate) fn plan_key(site: &crate::site::Site, shape: u128, theme_generation: u64) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.write_u128(shape);
    h.write_u64(theme_generation);
    super::plan::hash_post_plan_inputs(site, &mut h);
    h.digest128()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reads(posts: &[PostId], files: &[&str]) -> Recorded {
        Recorded {
            posts: posts.to_vec(),
            files: files.iter().map(PathBuf::from).collect(),
        }
    }

    #[test]
    fn remapped_records_follow_their_jobs_and_drop_the_gone_ones() {
        let mut readers = Readers::default();
        readers.add(0, &reads(&[0, 1], &["static/a.css"]));
        readers.add(1, &reads(&[1], &[]));
        readers.add(2, &reads(&[1, 2], &["static/a.css"]));
        readers.add(3, &reads(&[2], &["static/b.css"]));
        readers.add(4, &reads(&[3], &[]));
        // Job 1 is gone (or changed); a job was inserted before job 2, so
        // 2 and 3 move up one; job 0 stays; job 4 lies past the end of
        // `new_index` (the old plan's last jobs, gone).
        let new_index = [Some(0), None, Some(3), Some(4)];
        let remapped = readers.remap(&new_index);
        let files = |names: &[&str]| names.iter().map(PathBuf::from).collect::<Vec<_>>();
        assert_eq!(remapped.of(&[0], std::iter::empty()), vec![0]);
        assert_eq!(remapped.of(&[1], std::iter::empty()), vec![0, 3]);
        assert_eq!(remapped.of(&[2], std::iter::empty()), vec![3, 4]);
        assert_eq!(
            remapped.of(&[], files(&["static/a.css"]).iter()),
            vec![0, 3]
        );
        assert_eq!(remapped.of(&[], files(&["static/b.css"]).iter()), vec![4]);
        assert_eq!(remapped.of(&[3], std::iter::empty()), Vec::<usize>::new());
    }
}

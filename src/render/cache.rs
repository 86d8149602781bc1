//! What a session keeps between renders: the per-post memo, and the last
//! plan with each job's fingerprint and recorded reads.
//!
//! Nothing here says what a job depends on: that is recorded while the
//! job's context is built (see [`super::reads`]). This module only keeps
//! the records, and answers "which jobs read these posts or files".

use std::collections::HashMap;
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
}

/// A plan with the last fingerprint and reads of each of its jobs.
pub(crate) struct CachedPlan {
    pub jobs: Arc<Vec<Job>>,
    /// By job index: the fingerprint of the job's last output.
    pub fingerprints: Vec<Option<u128>>,
    pub readers: Readers,
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
            memo: PostMemo::new(false),
            keep: false,
            plan: None,
            site_hash: 0,
        }
    }

    /// For a session that builds again after edits.
    pub fn kept() -> Self {
        RenderCache {
            memo: PostMemo::new(true),
            keep: true,
            plan: None,
            site_hash: 0,
        }
    }

    /// Forgets outputs (after a theme change or a failed render); post
    /// values stay valid.
    pub fn forget_outputs(&mut self) {
        self.plan = None;
    }
}

//! How the jobs of the last plan map to a new plan's: each old job's
//! place by output path, and whether the job there is the same one. A
//! session moves outputs' fingerprints and jobs' recorded reads along it.

use std::sync::Arc;

use rustc_hash::FxHashMap;

use super::{Job, JobKind, ListSpec};
use crate::output::OutputPath;

/// The last plan's jobs, matched to a new plan's.
pub(crate) struct Matching {
    /// By job of the last plan: the index of the new job with its output.
    pub place: Vec<Option<usize>>,
    /// For a patched plan, which took the last plan's jobs.
    patched: Option<Known>,
}

/// What a patch knows of the last plan's jobs, which it took.
struct Known {
    /// By last job: whether the job at its place is the same.
    same: Vec<bool>,
    /// The outputs of the last jobs that are gone, by index.
    gone: Vec<(usize, OutputPath)>,
}

impl Matching {
    /// Matches two plans by output path.
    pub fn by_output(last: &[Job], jobs: &[Job]) -> Matching {
        let at: FxHashMap<&OutputPath, usize> = jobs
            .iter()
            .enumerate()
            .map(|(i, j)| (&j.output, i))
            .collect();
        Matching {
            place: last
                .iter()
                .map(|old| at.get(&old.output).copied())
                .collect(),
            patched: None,
        }
    }

    /// What a patch found: see the fields. `gone` sorted by index.
    pub(super) fn patched(
        place: Vec<Option<usize>>,
        same: Vec<bool>,
        gone: Vec<(usize, OutputPath)>,
    ) -> Matching {
        Matching {
            place,
            patched: Some(Known { same, gone }),
        }
    }

    /// The output of last job `index`, which is gone.
    pub fn gone(&self, last: &[Job], index: usize) -> Option<OutputPath> {
        match &self.patched {
            Some(Known { gone, .. }) => gone
                .binary_search_by_key(&index, |(i, _)| *i)
                .ok()
                .map(|k| gone[k].1.clone()),
            None => last.get(index).map(|job| job.output.clone()),
        }
    }

    /// By last job: the index of the new job when it is the same job.
    pub fn same_jobs(&self, last: &[Job], jobs: &[Job]) -> Vec<Option<u32>> {
        match &self.patched {
            Some(Known { same, .. }) => self
                .place
                .iter()
                .zip(same)
                .map(|(place, &same)| place.filter(|_| same).map(|i| i as u32))
                .collect(),
            None => {
                let mut same_job = SameJob::default();
                last.iter()
                    .zip(&self.place)
                    .map(|(old, place)| {
                        place
                            .filter(|&i| same_job.is(&jobs[i], old))
                            .map(|i| i as u32)
                    })
                    .collect()
            }
        }
    }
}

/// Job equality, with each pair of lists compared once: a list's pages
/// share one [`ListSpec`], and the home list's holds every post, so
/// comparing it again for each of its pages took most of the time of
/// matching a new plan to the last one.
#[derive(Default)]
pub(super) struct SameJob {
    last: Option<(*const ListSpec, *const ListSpec, bool)>,
}

impl SameJob {
    pub fn is(&mut self, new: &Job, old: &Job) -> bool {
        // Every field named, so a new one cannot be left out.
        let Job {
            output,
            url,
            template,
            kind,
            source,
        } = new;
        let (JobKind::List { list: a, number: m }, JobKind::List { list: b, number: n }) =
            (kind, &old.kind)
        else {
            return new == old;
        };
        let key = (Arc::as_ptr(a), Arc::as_ptr(b));
        let lists_equal = match self.last {
            Some((x, y, equal)) if (x, y) == key => equal,
            _ => {
                let equal = a == b;
                self.last = Some((key.0, key.1, equal));
                equal
            }
        };
        lists_equal
            && m == n
            && *output == old.output
            && *url == old.url
            && *template == old.template
            && *source == old.source
    }
}

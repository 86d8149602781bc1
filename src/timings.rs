//! How long each stage of a build took, for `-v` and the benchmark.
//!
//! Below every stage, so the render stage can time its own parts without
//! knowing about the build that runs it.

use std::time::{Duration, Instant};

/// How long each stage took, in the order they ran.
#[derive(Debug, Clone, Default)]
pub struct Timings(pub Vec<(&'static str, Duration)>);

impl Timings {
    pub fn time<T>(&mut self, stage: &'static str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let out = f();
        self.0.push((stage, start.elapsed()));
        out
    }

    pub fn total(&self) -> Duration {
        self.0.iter().map(|(_, d)| *d).sum()
    }
}

//! `glossator build`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{Verbosity, print_diagnostics};
use crate::build::{BuildOptions, build_site};

#[derive(Debug, Args)]
pub struct BuildArgs {
    /// Include drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Include posts dated in the future.
    #[arg(long)]
    pub future: bool,
    /// Override base_url from glossator.toml (e.g. for a preview deploy).
    #[arg(long, value_name = "URL")]
    pub base_url: Option<String>,
    /// Output folder [default: <root>/public].
    #[arg(short, long, value_name = "DIR")]
    pub output: Option<PathBuf>,
    /// Replace the output folder even if glossator did not write it.
    #[arg(long)]
    pub force: bool,
}

impl BuildArgs {
    pub fn run(self, root: &Path, verbosity: Verbosity) -> anyhow::Result<ExitCode> {
        let mut options = BuildOptions::new(root);
        options.drafts = self.drafts;
        options.future = self.future;
        options.base_url = self.base_url;
        options.output = self.output;
        options.force = self.force;
        match build_site(&options) {
            Ok(report) => {
                print_diagnostics(&report.diagnostics, root, verbosity);
                if verbosity == Verbosity::Verbose {
                    for (stage, d) in &report.timings.0 {
                        eprintln!("  {stage:<8} {:>8.1} ms", d.as_secs_f64() * 1000.0);
                    }
                }
                if verbosity != Verbosity::Quiet {
                    println!(
                        "Built {} posts and {} pages: {} files in {} ({} written, {} removed, the rest unchanged) in {:.0} ms",
                        report.posts,
                        report.pages,
                        report.written.files,
                        options.output_dir().display(),
                        report.written.written,
                        report.written.removed,
                        report.timings.total().as_secs_f64() * 1000.0
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(failure) => {
                print_diagnostics(&failure.diagnostics, root, verbosity);
                eprintln!(
                    "Build failed: {}. Nothing was written; {} is as it was.",
                    failure.diagnostics.summary(),
                    options.output_dir().display()
                );
                Ok(ExitCode::from(1))
            }
        }
    }
}

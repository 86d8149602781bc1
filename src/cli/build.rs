//! `glossator build`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Args;

use super::{Verbosity, print_diagnostics};
use crate::build::{BuildOptions, build_site};
use crate::diagnostic::count;

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
        options.quote_text = false;
        if let Err(e) = crate::interrupt::install() {
            eprintln!(
                "warning: cannot handle Ctrl-C ({e}); an interrupted build may leave a staging folder, which the next build removes"
            );
        }
        let result = build_site(&options, |output| {
            eprintln!(
                "Waiting for another glossator build writing {} to finish...",
                output.display()
            );
        });
        if crate::interrupt::requested() && result.is_ok() {
            // The signal came during the commit, which finished first.
            eprintln!("Interrupted; the build had finished writing, so the site is complete.");
            return Ok(ExitCode::from(crate::interrupt::EXIT_STATUS));
        }
        match result {
            Ok(report) => {
                print_diagnostics(&report.diagnostics, root, verbosity);
                if verbosity == Verbosity::Verbose {
                    for (stage, d) in &report.timings.0 {
                        eprintln!("  {stage:<8} {:>8.1} ms", d.as_secs_f64() * 1000.0);
                    }
                    eprintln!(
                        "  {} found unchanged before rendering",
                        count(report.written.unrendered, "file")
                    );
                    eprintln!(
                        "  {} of the Markdown bodies taken from the memo (.glossator/cache/markdown)",
                        report.remembered
                    );
                }
                if verbosity != Verbosity::Quiet {
                    let stats = &report.written;
                    let mut parts = vec![format!("{} written", stats.written)];
                    if stats.restored > 0 {
                        parts.push(format!(
                            "{} of them restored because the output folder had lost or changed them",
                            stats.restored
                        ));
                    }
                    parts.push(format!("{} removed", stats.removed));
                    parts.push("the rest unchanged".into());
                    println!(
                        "Built {} and {}: {} in {} ({}) in {:.0} ms",
                        count(report.posts, "post"),
                        count(report.pages, "page"),
                        count(stats.files, "file"),
                        options.output_dir().display(),
                        parts.join(", "),
                        report.timings.total().as_secs_f64() * 1000.0
                    );
                }
                Ok(ExitCode::SUCCESS)
            }
            Err(failure) if failure.interrupted => {
                print_diagnostics(&failure.diagnostics, root, verbosity);
                eprintln!(
                    "Interrupted. Nothing was written; {} is as it was.",
                    options.output_dir().display()
                );
                Ok(ExitCode::from(crate::interrupt::EXIT_STATUS))
            }
            Err(failure) if failure.unfinished => {
                print_diagnostics(&failure.diagnostics, root, verbosity);
                eprintln!(
                    "Build failed: {}. {} holds an unfinished commit; the next build finishes it.",
                    failure.diagnostics.summary(),
                    options.output_dir().display()
                );
                Ok(ExitCode::from(1))
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

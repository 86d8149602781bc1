//! `glossator check`.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;

use super::{Verbosity, print_diagnostics};
use crate::build::BuildOptions;
use crate::check::check_site;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check drafts too.
    #[arg(long)]
    pub drafts: bool,
    /// Check posts dated in the future too.
    #[arg(long)]
    pub future: bool,
}

impl CheckArgs {
    pub fn run(self, root: &Path, verbosity: Verbosity) -> anyhow::Result<ExitCode> {
        let mut options = BuildOptions::new(root);
        options.drafts = self.drafts;
        options.future = self.future;
        let diagnostics = check_site(&options);
        // Warnings are the point of `check`: show them even with -q.
        let shown = if verbosity == Verbosity::Quiet {
            Verbosity::Normal
        } else {
            verbosity
        };
        print_diagnostics(&diagnostics, root, shown);
        let errors = diagnostics.error_count();
        let warnings = diagnostics.len() - errors;
        eprintln!(
            "check: {errors} error{}, {warnings} warning{}",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" }
        );
        Ok(if errors > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    }
}

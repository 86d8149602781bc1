//! `glossator check`.

use std::path::Path;
use std::process::ExitCode;

use clap::Args;

use super::{Verbosity, print_diagnostics};
use crate::build::BuildOptions;
use crate::check::{CheckExtras, check_site_with};
use crate::diagnostic::{Diagnostic, Diagnostics};

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Check drafts too.
    #[arg(long)]
    pub drafts: bool,
    /// Check posts dated in the future too.
    #[arg(long)]
    pub future: bool,
    /// Read every snapshotted source again and report what changed, what
    /// is gone or moved, and quotes the live page no longer has.
    #[arg(long)]
    pub refresh: bool,
    /// With --refresh: keep each changed source's new version as a new
    /// snapshot beside the old one.
    #[arg(long, requires = "refresh")]
    pub update: bool,
    /// With --refresh: seconds to wait for each page.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub timeout: u64,
}

impl CheckArgs {
    pub fn run(self, root: &Path, verbosity: Verbosity) -> anyhow::Result<ExitCode> {
        let mut options = BuildOptions::new(root);
        options.drafts = self.drafts;
        options.future = self.future;
        let extras = CheckExtras {
            refresh: self.refresh.then(|| {
                (
                    std::time::Duration::from_secs(self.timeout.max(1)),
                    self.update,
                )
            }),
        };
        let diagnostics = check_site_with(&options, &extras);
        // Warnings are the point of `check`: show them even with -q.
        let shown = if verbosity == Verbosity::Quiet {
            Verbosity::Normal
        } else {
            verbosity
        };
        print_diagnostics(&shown_notes(&diagnostics, verbosity), root, shown);
        let errors = diagnostics.error_count();
        let notes = diagnostics
            .iter()
            .filter(|d| d.severity == crate::diagnostic::Severity::Note)
            .count();
        let warnings = diagnostics.len() - errors - notes;
        eprintln!(
            "check: {errors} error{}, {warnings} warning{}{}",
            if errors == 1 { "" } else { "s" },
            if warnings == 1 { "" } else { "s" },
            match notes {
                0 => String::new(),
                1 => ", 1 note".to_string(),
                n => format!(", {n} notes"),
            }
        );
        Ok(if errors > 0 {
            ExitCode::from(1)
        } else {
            ExitCode::SUCCESS
        })
    }
}

/// How many "no snapshot" notes are printed before the rest are counted:
/// an archive moved in from elsewhere has thousands of sources that were
/// never snapshotted, and a screen of notes would hide the errors.
const NO_SNAPSHOT_SHOWN: usize = 5;

/// The diagnostics to print: all of them with -v, else the first few
/// "no snapshot" notes and one more that counts the others.
fn shown_notes(diagnostics: &Diagnostics, verbosity: Verbosity) -> Diagnostics {
    let is_note = |d: &Diagnostic| d.code == Some("no-snapshot");
    let notes = diagnostics.iter().filter(|d| is_note(d)).count();
    if verbosity == Verbosity::Verbose || notes <= NO_SNAPSHOT_SHOWN {
        return diagnostics.clone();
    }
    let mut kept = 0;
    let mut out: Diagnostics = diagnostics
        .iter()
        .filter(|d| {
            if !is_note(d) {
                return true;
            }
            kept += 1;
            kept <= NO_SNAPSHOT_SHOWN
        })
        .cloned()
        .collect();
    out.push(
        Diagnostic::note(
            "sources/",
            format!(
                "and {} more sources without a snapshot",
                notes - NO_SNAPSHOT_SHOWN
            ),
        )
        .with_hint("`glossator -v check` lists them all"),
    );
    out
}

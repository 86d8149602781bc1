//! `glossator serve`.

use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Args;

use super::{Verbosity, print_diagnostics};
use crate::build::BuildOptions;
use crate::diagnostic::Diagnostics;
use crate::serve::{Reporter, ServeOptions, serve};

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. The default only accepts this machine.
    #[arg(long, default_value = "127.0.0.1")]
    pub bind: IpAddr,
    /// Port; if it is taken, the next free one is used. 0 picks any.
    #[arg(long, default_value_t = 1111)]
    pub port: u16,
    /// Milliseconds of quiet after a change before rebuilding.
    #[arg(long, value_name = "MS", default_value_t = 10)]
    pub debounce: u64,
    /// Open the site in a browser.
    #[arg(long)]
    pub open: bool,
    /// Include drafts.
    #[arg(long)]
    pub drafts: bool,
    /// Include posts dated in the future.
    #[arg(long)]
    pub future: bool,
    /// Also answer requests for this host name (the preview refuses other
    /// names, so other web pages cannot read it). A leading dot admits
    /// subdomains: `.example.test`. Repeat for more.
    #[arg(long, value_name = "NAME")]
    pub allow_host: Vec<String>,
    /// Seconds a connection may take to send its headers or sit idle.
    #[arg(long, value_name = "SECONDS", default_value_t = 15.0, hide = true)]
    pub timeout: f64,
}

/// Prints to the terminal, paths shown from where the user stands.
pub(super) struct Terminal {
    pub(super) shown_root: PathBuf,
    pub(super) verbosity: Verbosity,
}

impl Reporter for Terminal {
    fn info(&self, message: &str) {
        if self.verbosity != Verbosity::Quiet {
            println!("{message}");
        }
    }

    fn diagnostics(&self, diagnostics: &Diagnostics) {
        print_diagnostics(diagnostics, &self.shown_root, self.verbosity);
    }

    fn timings(&self, timings: &crate::build::Timings) {
        if self.verbosity == Verbosity::Verbose {
            let parts: Vec<String> = timings
                .0
                .iter()
                .map(|(stage, d)| format!("{stage} {:.1}", d.as_secs_f64() * 1000.0))
                .collect();
            println!("  ({} ms)", parts.join(", "));
        }
    }
}

impl ServeArgs {
    pub fn run(self, root: &Path, verbosity: Verbosity) -> anyhow::Result<ExitCode> {
        let absolute = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        let mut build = BuildOptions::new(absolute);
        build.drafts = self.drafts;
        build.future = self.future;
        build.quote_text = false;
        // The preview links to itself, whatever base_url says.
        let options = ServeOptions {
            build,
            bind: self.bind,
            port: self.port,
            debounce: Duration::from_millis(self.debounce),
            open: self.open,
            allow_hosts: self.allow_host,
            timeout: Duration::from_secs_f64(self.timeout.clamp(0.05, 3600.0)),
        };
        let reporter = Arc::new(Terminal {
            shown_root: root.to_path_buf(),
            verbosity,
        });
        serve(options, reporter)?;
        Ok(ExitCode::SUCCESS)
    }
}

//! `glossator import <source>`: bring an existing blog in.
//!
//! Each source reads into an import plan (see `crate::import`); this
//! command applies it to the site, prints the summary, and points at
//! `import-report.txt` for what could not be carried.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context as _;
use clap::{Args, Subcommand};

use super::{Verbosity, print_diagnostics};
use crate::config::load_config;
use crate::diagnostic::Diagnostics;
use crate::import::{self, ApplyOptions, ImportPlan, Outcome};

#[derive(Debug, Args)]
pub struct ImportArgs {
    #[command(subcommand)]
    pub source: Source,
    /// Say what would be written, and write nothing.
    #[arg(long, global = true)]
    pub dry_run: bool,
    /// Replace files you changed since the last import.
    #[arg(long, global = true)]
    pub force: bool,
}

#[derive(Debug, Subcommand)]
pub enum Source {
    /// A WordPress export (Tools → Export → All content): posts, pages,
    /// comments, media and old URLs.
    Wordpress {
        /// The export file (WXR, `.xml`).
        export: PathBuf,
        /// A copy of the old site's `wp-content/uploads`, to bring the media.
        #[arg(long, value_name = "UPLOADS_DIR")]
        media: Option<PathBuf>,
    },
    /// A Jekyll site's folder: posts, drafts, pages, static files, URLs.
    Jekyll {
        /// The folder holding `_config.yml`.
        dir: PathBuf,
    },
    /// A Hugo site's folder: content, bundles, static files, URLs.
    Hugo {
        /// The folder holding the Hugo config and `content/`.
        dir: PathBuf,
    },
    /// A Zola site's folder: content, bundles, static files, URLs.
    Zola {
        /// The folder holding `config.toml` and `content/`.
        dir: PathBuf,
    },
    /// Comments from a Disqus export, onto the site's posts.
    Disqus {
        /// The export file (XML) from Disqus's admin.
        export: PathBuf,
    },
    /// Comments kept as data files (Staticman and the like), onto the
    /// site's posts.
    Staticman {
        /// The data folder, such as `_data/comments`.
        dir: PathBuf,
        /// A field of the comments that names their post (else the
        /// folder's name is matched).
        #[arg(long, value_name = "FIELD")]
        post_key: Option<String>,
    },
}

impl ImportArgs {
    pub fn run(self, root: &Path, verbosity: Verbosity) -> anyhow::Result<ExitCode> {
        let config = match load_config(root) {
            Ok(c) => c,
            Err(d) => {
                print_diagnostics(&d, root, verbosity);
                return Ok(ExitCode::from(1));
            }
        };
        let fresh = import::site_is_fresh(root);
        let existing = (!fresh).then_some(&config);
        let (label, plan) = match &self.source {
            Source::Wordpress { export, media } => {
                let text = std::fs::read(export)
                    .with_context(|| format!("cannot read {}", export.display()))?;
                let text = match String::from_utf8(text) {
                    Ok(t) => t,
                    Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
                };
                let options = import::wordpress::Options {
                    media: media.clone(),
                };
                (
                    export.display().to_string(),
                    import::wordpress::plan(export, &text, &options, existing),
                )
            }
            Source::Disqus { export } => {
                let text = std::fs::read(export)
                    .with_context(|| format!("cannot read {}", export.display()))?;
                let text = String::from_utf8_lossy(&text).into_owned();
                let mut site = import::comments::SitePosts::load(
                    root,
                    &config,
                    &import::recorded_files(root, "disqus"),
                );
                (
                    export.display().to_string(),
                    import::disqus::plan(export, &text, &mut site, &config),
                )
            }
            Source::Staticman { dir, post_key } => {
                let mut site = import::comments::SitePosts::load(
                    root,
                    &config,
                    &import::recorded_files(root, "staticman"),
                );
                (
                    dir.display().to_string(),
                    import::staticman::plan(dir, post_key.as_deref(), &mut site, &config),
                )
            }
            Source::Jekyll { dir } => (
                dir.display().to_string(),
                import::ssg::plan(import::ssg::Generator::Jekyll, dir, existing),
            ),
            Source::Hugo { dir } => (
                dir.display().to_string(),
                import::ssg::plan(import::ssg::Generator::Hugo, dir, existing),
            ),
            Source::Zola { dir } => (
                dir.display().to_string(),
                import::ssg::plan(import::ssg::Generator::Zola, dir, existing),
            ),
        };
        let plan = match plan {
            Ok(p) => p,
            Err(d) => {
                let list = Diagnostics::from_iter([*d]);
                print_diagnostics(&list, Path::new("."), verbosity);
                eprintln!("Nothing was imported.");
                return Ok(ExitCode::from(1));
            }
        };
        let options = ApplyOptions {
            dry_run: self.dry_run,
            force: self.force,
        };
        let outcome = import::apply_plan(root, &plan, options)?;
        if verbosity != Verbosity::Quiet {
            print_summary(&label, &plan, &outcome, self.dry_run, verbosity);
        }
        Ok(ExitCode::SUCCESS)
    }
}

fn print_summary(label: &str, plan: &ImportPlan, o: &Outcome, dry_run: bool, verbosity: Verbosity) {
    let counts: Vec<String> = plan
        .counts
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(what, n)| format!("{n} {what}"))
        .collect();
    let verb = if dry_run { "Would import" } else { "Imported" };
    println!("{verb} from {label}: {}.", counts.join(", "));
    let would = if dry_run { "would be " } else { "" };
    println!(
        "Files: {} {would}written, {} unchanged, {} kept as you edited them{}.",
        o.written.len(),
        o.unchanged,
        o.kept.len(),
        if o.removed.is_empty() {
            String::new()
        } else {
            format!(
                ", {} {would}removed (no longer in the export)",
                o.removed.len()
            )
        }
    );
    if !o.samples_removed.is_empty() || !o.config_set.is_empty() {
        println!(
            "The site was fresh from `glossator init`: {} its {} sample files and {} in glossator.toml:",
            if dry_run { "would remove" } else { "removed" },
            o.samples_removed.len(),
            if dry_run { "would set" } else { "set" }
        );
        for line in &o.config_set {
            println!("  {line}");
        }
    }
    if !o.config_differs.is_empty() {
        println!(
            "glossator.toml was left alone (the site has content of its own); the export suggests:"
        );
        for line in &o.config_differs {
            println!("  {line}");
        }
    }
    if verbosity == Verbosity::Verbose || dry_run {
        for d in &plan.report {
            println!("{d}");
        }
    }
    if !plan.report.is_empty() {
        match &o.report_file {
            Some(path) => println!(
                "{} item(s) could not be carried as they were: see {}.",
                plan.report.len(),
                path.display()
            ),
            None => println!(
                "{} item(s) could not be carried as they were.",
                plan.report.len()
            ),
        }
    }
    if !o.kept.is_empty() {
        println!("Import again with --force to replace the files you edited.");
    }
}

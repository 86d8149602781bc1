//! `glossator cite URL [--id ID] [--post FILE]`: fetch a quoted page, keep
//! its snapshot under `sources/`, and print its `[sources.ID]` entry or add
//! it to a post. Nothing is written unless every step succeeded.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::{Context as _, bail};
use clap::Args;

use super::Verbosity;
use crate::cite::front_matter::{Entry, add_source, declared_ids, default_id};
use crate::output::atomic::{Place, Sync, write_atomic};

#[derive(Debug, Args)]
pub struct CiteArgs {
    /// The page you quote.
    pub url: String,
    /// The source's id in the post (`[ID]`); by default a short name from
    /// the publication or the host, unique in the post.
    #[arg(long)]
    pub id: Option<String>,
    /// Add the entry to this post's front matter (TOML or YAML) instead of
    /// printing it.
    #[arg(long, value_name = "FILE")]
    pub post: Option<PathBuf>,
    /// Seconds to wait for the page.
    #[arg(long, default_value_t = 30, value_name = "SECS")]
    pub timeout: u64,
}

impl CiteArgs {
    pub fn run(self, root: &Path, verbosity: Verbosity) -> anyhow::Result<ExitCode> {
        let fetcher = crate::cite::fetch::Fetcher::new(Duration::from_secs(self.timeout.max(1)));
        let taken = crate::cite::take(&fetcher, &self.url, jiff::Timestamp::now())
            .map_err(|e| anyhow::anyhow!("cite: {e}; nothing written"))?;
        // The post first: a post that cannot take the entry writes nothing.
        let post = match &self.post {
            Some(file) => {
                let path = if file.is_absolute() {
                    file.clone()
                } else {
                    root.join(file)
                };
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {}", file.display()))?;
                let taken_ids = declared_ids(&text)
                    .map_err(|e| anyhow::anyhow!("{}: {e}; nothing written", file.display()))?;
                if let Some(id) = &self.id
                    && taken_ids.contains(id)
                {
                    bail!(
                        "{} already has a source `{id}`; choose another --id (nothing written)",
                        file.display()
                    );
                }
                Some((path, text, taken_ids))
            }
            None => None,
        };
        let taken_ids = post.as_ref().map(|p| p.2.clone()).unwrap_or_default();
        let id = self.id.clone().unwrap_or_else(|| {
            default_id(
                taken.snapshot.meta.publication.as_deref(),
                &self.url,
                &taken_ids,
            )
        });
        let path = crate::cite::snapshot::free_path(root, &taken.path);
        let rel = path.to_string_lossy().replace('\\', "/");
        let entry = Entry::for_snapshot(&id, &taken.snapshot, &rel);
        let new_post = match &post {
            Some((_, text, _)) => Some(
                add_source(text, &entry).map_err(|e| anyhow::anyhow!("{e}; nothing written"))?,
            ),
            None => None,
        };
        write_atomic(
            &root.join(&path),
            taken.snapshot.to_text().as_bytes(),
            Place::New,
            Sync::Durable,
        )
        .with_context(|| format!("cannot write {rel}"))?;
        if verbosity != Verbosity::Quiet {
            eprintln!(
                "cite: kept {} paragraphs of {} in {rel}",
                taken.snapshot.paragraphs.len(),
                self.url
            );
            for hop in &taken.snapshot.meta.redirects {
                eprintln!("cite: redirected to {hop}");
            }
        }
        match (post, new_post) {
            (Some((path, _, _)), Some(text)) => {
                write_atomic(&path, text.as_bytes(), Place::Replace, Sync::Durable)
                    .with_context(|| format!("cannot write {}", path.display()))?;
                eprintln!("cite: added [sources.{id}] to {}", path.display());
            }
            _ => print!("{}", entry.toml()),
        }
        Ok(ExitCode::SUCCESS)
    }
}

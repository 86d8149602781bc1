//! `glossator init [DIR]`: a new site, ready to build.
//!
//! Writes `glossator.toml`, one sample post of each kind dated in the last
//! few days (so none is a future post), and an about page. The default
//! theme is built into the binary, so nothing else is needed. Refuses to
//! write into a folder that already holds files.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::Args;
use jiff::{ToSpan, ZonedDateTime};

use super::Verbosity;

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Folder for the new site [default: the --root folder].
    pub dir: Option<PathBuf>,
}

const CONFIG: &str = include_str!("starter/glossator.toml");
const FILES: [(&str, &str); 5] = [
    (
        "content/posts/@DAY1@-welcome.md",
        include_str!("starter/welcome.md"),
    ),
    (
        "content/posts/@DAY2@-ferry-timetable.md",
        include_str!("starter/link.md"),
    ),
    (
        "content/posts/@DAY3@-quoting-ada-brandt.md",
        include_str!("starter/quote.md"),
    ),
    (
        "content/posts/@DAY4@-note.md",
        include_str!("starter/note.md"),
    ),
    ("content/pages/about.md", include_str!("starter/about.md")),
];

/// Fills the `@...@` placeholders of the starter files.
fn fill(text: &str, title: &str, tz_name: &str, now: &ZonedDateTime) -> anyhow::Result<String> {
    let mut out = text
        .replace("@TITLE@", &title.replace('"', "'"))
        .replace("@TZ@", tz_name);
    // DATE0 is the (made-up) story's date, DATE1..4 the posts', a day apart.
    for i in 0..=4i64 {
        let when = now
            .checked_sub((5 - i).days())
            .context("computing sample dates")?;
        out = out
            .replace(
                &format!("@DATE{i}@"),
                &when.strftime("%Y-%m-%dT%H:%M:00%:z").to_string(),
            )
            .replace(&format!("@DAY{i}@"), &when.strftime("%Y-%m-%d").to_string());
    }
    Ok(out)
}

impl InitArgs {
    pub fn run(self, root: &Path, verbosity: Verbosity) -> anyhow::Result<ExitCode> {
        let dir = self.dir.unwrap_or_else(|| root.to_path_buf());
        if dir.join(crate::config::CONFIG_FILE).exists() {
            bail!(
                "{} already holds a site (glossator.toml exists)",
                dir.display()
            );
        }
        if dir.is_dir() {
            let visible = std::fs::read_dir(&dir)
                .with_context(|| format!("cannot read {}", dir.display()))?
                .filter_map(Result::ok)
                .any(|e| !e.file_name().to_string_lossy().starts_with('.'));
            if visible {
                bail!(
                    "{} is not empty; give `glossator init` a new folder",
                    dir.display()
                );
            }
        }
        let tz = jiff::tz::TimeZone::system();
        let tz_name = tz.iana_name().unwrap_or("UTC").to_string();
        let now = ZonedDateTime::now().with_time_zone(tz);
        let title = dir
            .canonicalize()
            .ok()
            .or_else(|| Some(dir.clone()))
            .and_then(|d| d.file_name().map(|n| n.to_string_lossy().into_owned()))
            .filter(|n| !n.is_empty() && n != ".")
            .unwrap_or_else(|| "My commentary blog".into());

        let mut written = Vec::new();
        let mut samples = Vec::new();
        let files = std::iter::once((crate::config::CONFIG_FILE.to_string(), CONFIG)).chain(
            FILES
                .iter()
                .map(|(p, t)| (fill(p, &title, &tz_name, &now).unwrap_or_default(), *t)),
        );
        for (rel, text) in files {
            let path = dir.join(&rel);
            if let Some(parent) = path.parent() {
                std::fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            let filled = fill(text, &title, &tz_name, &now)?;
            std::fs::write(&path, &filled)
                .with_context(|| format!("cannot write {}", path.display()))?;
            if rel.starts_with("content/") {
                samples.push((rel.clone(), filled.into_bytes()));
            }
            written.push(path);
        }
        // So `glossator import` can tell a fresh site (only these samples,
        // unedited) from one with the writer's own content.
        let marker = dir.join(".glossator/init.toml");
        std::fs::create_dir_all(dir.join(".glossator"))
            .with_context(|| format!("cannot create {}", dir.join(".glossator").display()))?;
        std::fs::write(&marker, crate::import::init_marker(&samples))
            .with_context(|| format!("cannot write {}", marker.display()))?;
        std::fs::create_dir_all(dir.join("static")).ok();
        if verbosity != Verbosity::Quiet {
            println!("New site in {} ({} files).", dir.display(), written.len());
            println!("Next: cd {} && glossator build", dir.display());
        }
        Ok(ExitCode::SUCCESS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn starter_files_have_no_placeholders_left() {
        let now: ZonedDateTime = "2026-11-27T12:00:00+00:00[UTC]".parse().unwrap();
        for text in std::iter::once(CONFIG).chain(FILES.iter().map(|(_, t)| *t)) {
            let filled = fill(text, "Blog", "UTC", &now).unwrap();
            assert!(!filled.contains('@'), "{filled}");
        }
        assert_eq!(
            fill("@DAY1@ @DATE0@", "", "UTC", &now).unwrap(),
            "2026-11-23 2026-11-22T12:00:00+00:00"
        );
    }
}

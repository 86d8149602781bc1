//! Writing an import plan into a site, the same way for every importer.
//!
//! - Every path is checked to stay inside the site before anything is
//!   written; files are written to a temporary name and renamed.
//! - `.glossator/import/<source>.toml` records each file written and a
//!   hash of it. A re-run rewrites a file only when it is unchanged since
//!   the last import (so it gives the same files), keeps a file the writer
//!   has edited (unless `--force`), and removes files the last import
//!   wrote that this one no longer makes, when they are unchanged.
//! - A site fresh from `glossator init` (its only content the samples
//!   `init` wrote, unedited, as `.glossator/init.toml` records) loses the
//!   samples and gets its title, address, time zone and permalink pattern
//!   from the export. A site with content of its own keeps its config; the
//!   differences are reported instead.

use std::collections::BTreeMap;
use std::path::{Component, Path, PathBuf};

use anyhow::{Context as _, bail};

use super::{FileBody, ImportPlan, SiteSettings};
use crate::config::CONFIG_FILE;

/// The hidden folder glossator keeps its records in, at the site root.
pub const STATE_DIR: &str = ".glossator";
const INIT_MARKER: &str = ".glossator/init.toml";
/// The report every import writes at the site root.
pub const REPORT_FILE: &str = "import-report.txt";

#[derive(Debug, Clone, Copy, Default)]
pub struct ApplyOptions {
    /// Work everything out and say what would happen; write nothing.
    pub dry_run: bool,
    /// Overwrite files the writer changed since the last import.
    pub force: bool,
}

/// What applying a plan did (or, in a dry run, would do).
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub written: Vec<String>,
    pub unchanged: usize,
    /// Files left alone because the writer changed them (or they were not
    /// the importer's), without `--force`.
    pub kept: Vec<String>,
    /// Files the last import wrote that this one does not make.
    pub removed: Vec<String>,
    /// `init`'s samples, removed from a fresh site.
    pub samples_removed: Vec<String>,
    /// `key = value` lines set in glossator.toml on a fresh site.
    pub config_set: Vec<String>,
    /// Where the site's config differs from the export, on a site that has
    /// content of its own.
    pub config_differs: Vec<String>,
    pub report_file: Option<PathBuf>,
}

fn hash(bytes: &[u8]) -> String {
    format!("{:016x}", xxhash_rust::xxh3::xxh3_64(bytes))
}

/// The record `init` leaves of its sample files: `[files] path = hash`.
pub fn init_marker(files: &[(String, Vec<u8>)]) -> String {
    let mut table = toml::Table::new();
    for (path, bytes) in files {
        table.insert(path.clone(), toml::Value::String(hash(bytes)));
    }
    let mut root = toml::Table::new();
    root.insert("files".into(), toml::Value::Table(table));
    format!(
        "# The sample files `glossator init` wrote. While they are the site's only\n\
         # content, unedited, `glossator import` replaces them with the import.\n{}",
        toml::to_string(&root).unwrap_or_default()
    )
}

/// The files an earlier run of the `source` import wrote into the site.
pub fn recorded_files(root: &Path, source: &str) -> std::collections::HashSet<String> {
    read_record(&root.join(format!("{STATE_DIR}/import/{source}.toml")))
        .into_keys()
        .collect()
}

fn read_record(path: &Path) -> BTreeMap<String, String> {
    let Ok(text) = std::fs::read_to_string(path) else {
        return BTreeMap::new();
    };
    let Ok(table) = text.parse::<toml::Table>() else {
        return BTreeMap::new();
    };
    match table.get("files") {
        Some(toml::Value::Table(files)) => files
            .iter()
            .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
            .collect(),
        _ => BTreeMap::new(),
    }
}

fn write_record(path: &Path, source: &str, files: &BTreeMap<String, String>) -> anyhow::Result<()> {
    let mut table = toml::Table::new();
    for (k, v) in files {
        table.insert(k.clone(), toml::Value::String(v.clone()));
    }
    let mut root = toml::Table::new();
    root.insert("files".into(), toml::Value::Table(table));
    let text = format!(
        "# What `glossator import {source}` wrote, with a hash of each file, so a\n\
         # re-run rewrites only its own unchanged files. Do not edit.\n{}",
        toml::to_string(&root)?
    );
    write_atomic(path, text.as_bytes())
}

/// A planned path must be plain and relative: no `..`, no root, no
/// backslash, nothing hidden but the importer's own state folder.
fn check_path(path: &str) -> anyhow::Result<PathBuf> {
    let p = Path::new(path);
    let ok = !path.is_empty()
        && !path.contains('\\')
        && !path.contains('\0')
        && p.components().all(|c| matches!(c, Component::Normal(_)));
    if !ok {
        bail!(
            "refusing to write `{}`: not a plain path inside the site",
            path.escape_debug()
        );
    }
    Ok(p.to_path_buf())
}

/// Imported files replace what a previous run of the import wrote.
fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    use crate::output::atomic::{Place, Sync, write_atomic};
    write_atomic(path, bytes, Place::Replace, Sync::Lazy)
}

/// True when the site at `root` is fresh from `init`: its only content is
/// `init`'s samples, unedited.
pub fn site_is_fresh(root: &Path) -> bool {
    is_fresh(root).0
}

/// True when every file under `content/` and `static/` is one of `init`'s
/// samples, unedited; and the samples present.
fn is_fresh(root: &Path) -> (bool, Vec<String>) {
    let samples = read_record(&root.join(INIT_MARKER));
    if samples.is_empty() {
        return (false, Vec::new());
    }
    for dir in ["content", "static"] {
        for entry in walkdir::WalkDir::new(root.join(dir))
            .into_iter()
            .filter_map(Result::ok)
            .filter(|e| e.file_type().is_file())
        {
            let rel = entry
                .path()
                .strip_prefix(root)
                .unwrap_or(entry.path())
                .to_string_lossy()
                .replace('\\', "/");
            let unedited = samples
                .get(&rel)
                .is_some_and(|h| std::fs::read(entry.path()).is_ok_and(|b| hash(&b) == *h));
            if !unedited {
                return (false, Vec::new());
            }
        }
    }
    let present = samples
        .keys()
        .filter(|p| p.starts_with("content/") && root.join(p).exists())
        .cloned()
        .collect();
    (true, present)
}

/// The `key = value` settings as lines, and their TOML items.
fn settings_items(s: &SiteSettings) -> Vec<(Vec<&'static str>, toml_edit::Item)> {
    let mut out = Vec::new();
    let mut text = |path: Vec<&'static str>, v: &Option<String>| {
        if let Some(v) = v {
            out.push((path, toml_edit::value(v.clone())));
        }
    };
    text(vec!["title"], &s.title);
    text(vec!["description"], &s.description);
    text(vec!["base_url"], &s.base_url);
    text(vec!["language"], &s.language);
    text(vec!["timezone"], &s.timezone);
    text(vec!["permalink"], &s.permalink);
    text(vec!["taxonomies", "tags", "path"], &s.tags_path);
    text(vec!["taxonomies", "categories", "path"], &s.categories_path);
    if !s.feed_aliases.is_empty() {
        let array: toml_edit::Array = s.feed_aliases.iter().map(String::as_str).collect();
        out.push((vec!["feeds", "atom_aliases"], toml_edit::value(array)));
    }
    out
}

fn item_text(item: &toml_edit::Item) -> String {
    item.as_value()
        .map(|v| v.to_string().trim().to_string())
        .unwrap_or_default()
}

/// Sets the settings in the config text, keeping everything else.
fn set_config(text: &str, s: &SiteSettings) -> anyhow::Result<(String, Vec<String>)> {
    let mut doc: toml_edit::DocumentMut =
        text.parse().context("glossator.toml is not valid TOML")?;
    let mut lines = Vec::new();
    for (path, item) in settings_items(s) {
        let (last, tables) = path.split_last().context("empty key")?;
        let mut table = doc.as_table_mut();
        for name in tables {
            if !table.contains_key(name) {
                let mut t = toml_edit::Table::new();
                t.set_implicit(tables.len() > 1 && *name == tables[0]);
                table.insert(name, toml_edit::Item::Table(t));
            }
            table = table
                .get_mut(name)
                .and_then(toml_edit::Item::as_table_mut)
                .with_context(|| format!("`{name}` in glossator.toml is not a table"))?;
        }
        lines.push(format!("{} = {}", path.join("."), item_text(&item)));
        // Replacing the value keeps the key's comments and place.
        match table.get_mut(last) {
            Some(existing) => *existing = item,
            None => {
                table.insert(last, item);
            }
        }
    }
    Ok((doc.to_string(), lines))
}

/// Where the site's config differs from what the export says.
fn config_differences(text: &str, s: &SiteSettings) -> Vec<String> {
    let Ok(doc) = text.parse::<toml_edit::DocumentMut>() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (path, item) in settings_items(s) {
        let mut current: Option<&toml_edit::Item> = Some(doc.as_item());
        for name in &path {
            current = current.and_then(|c| c.get(name));
        }
        let now = current.map(item_text).unwrap_or_else(|| "(not set)".into());
        let wanted = item_text(&item);
        if now != wanted {
            out.push(format!(
                "{}: glossator.toml has {now}, the import suggests {wanted}",
                path.join(".")
            ));
        }
    }
    out
}

/// Writes the plan into the site at `root` (or, with `dry_run`, only
/// works out what would change).
pub fn apply_plan(
    root: &Path,
    plan: &ImportPlan,
    options: ApplyOptions,
) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::default();
    let record_path = root.join(format!("{STATE_DIR}/import/{}.toml", plan.source));
    let old_record = read_record(&record_path);
    let mut record = BTreeMap::new();

    let (fresh, samples) = if plan.adds_only {
        (false, Vec::new())
    } else {
        is_fresh(root)
    };
    let config_path = root.join(CONFIG_FILE);
    let config_text = std::fs::read_to_string(&config_path)
        .with_context(|| format!("cannot read {}", config_path.display()))?;
    if fresh {
        let (text, lines) = set_config(&config_text, &plan.settings)?;
        outcome.config_set = lines;
        outcome.samples_removed = samples;
        if !options.dry_run {
            for sample in &outcome.samples_removed {
                std::fs::remove_file(root.join(sample))
                    .with_context(|| format!("cannot remove the sample {sample}"))?;
            }
            write_atomic(&config_path, text.as_bytes())?;
            // The samples are gone: the marker has done its work.
            let _ = std::fs::remove_file(root.join(INIT_MARKER));
        }
    } else if !plan.adds_only {
        outcome.config_differs = config_differences(&config_text, &plan.settings);
    }

    // Each file is decided and written on its own: in parallel (tens of
    // thousands of comment files are common, and creating them is most of
    // an import's time).
    use rayon::prelude::*;
    let mut planned = std::collections::HashSet::new();
    for file in &plan.files {
        check_path(&file.path)?;
        planned.insert(file.path.clone());
    }
    let decided: Vec<(String, Action, String)> = plan
        .files
        .par_iter()
        .map(|file| -> anyhow::Result<(String, Action, String)> {
            let target = root.join(check_path(&file.path)?);
            let bytes = match &file.body {
                FileBody::Text(t) => t.as_bytes().to_vec(),
                FileBody::Copy(from) => std::fs::read(from)
                    .with_context(|| format!("cannot read {}", from.display()))?,
            };
            let new_hash = hash(&bytes);
            let current = std::fs::read(&target).ok().map(|b| hash(&b));
            let action = match &current {
                None => Action::Write,
                Some(h) if *h == new_hash => Action::Same,
                Some(h) if old_record.get(&file.path) == Some(h) => Action::Write,
                Some(_) if options.force => Action::Write,
                Some(_) => Action::Keep,
            };
            if matches!(action, Action::Write) && !options.dry_run {
                write_atomic(&target, &bytes)?;
            }
            Ok((file.path.clone(), action, new_hash))
        })
        .collect::<anyhow::Result<_>>()?;
    for (path, action, new_hash) in decided {
        match action {
            Action::Write => {
                outcome.written.push(path.clone());
                record.insert(path, new_hash);
            }
            Action::Same => {
                outcome.unchanged += 1;
                record.insert(path, new_hash);
            }
            Action::Keep => {
                if let Some(h) = old_record.get(&path) {
                    record.insert(path.clone(), h.clone());
                }
                outcome.kept.push(path);
            }
        }
    }
    for (path, h) in &old_record {
        if planned.contains(path) {
            continue;
        }
        let Ok(rel) = check_path(path) else { continue };
        let target = root.join(rel);
        match std::fs::read(&target) {
            Ok(b) if hash(&b) == *h => {
                if !options.dry_run {
                    std::fs::remove_file(&target)
                        .with_context(|| format!("cannot remove {}", target.display()))?;
                }
                outcome.removed.push(path.clone());
            }
            // Edited since: the writer's now.
            _ => {}
        }
    }
    if !options.dry_run {
        write_record(&record_path, &plan.source, &record)?;
        let report = report_text(plan, &outcome);
        let report_path = root.join(REPORT_FILE);
        write_atomic(&report_path, report.as_bytes())?;
        outcome.report_file = Some(report_path);
    }
    Ok(outcome)
}

enum Action {
    Write,
    Same,
    Keep,
}

/// `import-report.txt`: what could not be carried, one item a line.
fn report_text(plan: &ImportPlan, outcome: &Outcome) -> String {
    let mut out = format!(
        "glossator import {}: {} item{} could not be carried as they were.\n\
         Each line names the export's line and the item's old URL or id.\n\n",
        plan.source,
        plan.report.len(),
        if plan.report.len() == 1 { "" } else { "s" }
    );
    for d in &plan.report {
        out.push_str(&d.to_string());
        out.push('\n');
    }
    if !outcome.kept.is_empty() {
        out.push_str("\nKept as you edited them (import again with --force to replace):\n");
        for k in &outcome.kept {
            out.push_str(&format!("  {k}\n"));
        }
    }
    if !outcome.config_differs.is_empty() {
        out.push_str("\nThe site's config was left alone; where it differs from the export:\n");
        for d in &outcome.config_differs {
            out.push_str(&format!("  {d}\n"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_must_stay_inside_the_site() {
        for bad in ["", "/etc/x", "../x", "a/../../x", "a\\b", "./a"] {
            assert!(check_path(bad).is_err(), "{bad:?}");
        }
        assert!(check_path("content/posts/a.md").is_ok());
    }

    #[test]
    fn config_edits_keep_the_rest() {
        let text =
            "# mine\ntitle = \"Old\"\nauthor = \"Me\"\n\n[taxonomies.tags]\ntitle = \"Tags\"\n";
        let s = SiteSettings {
            title: Some("New".into()),
            tags_path: Some("tag".into()),
            categories_path: Some("category".into()),
            feed_aliases: vec!["/feed/".into()],
            ..SiteSettings::default()
        };
        let (out, lines) = set_config(text, &s).unwrap();
        assert!(
            out.starts_with("# mine\ntitle = \"New\"\nauthor = \"Me\"\n"),
            "{out}"
        );
        let parsed: toml::Table = out.parse().unwrap();
        assert_eq!(parsed["taxonomies"]["tags"]["path"].as_str(), Some("tag"));
        assert_eq!(parsed["taxonomies"]["tags"]["title"].as_str(), Some("Tags"));
        assert_eq!(
            parsed["taxonomies"]["categories"]["path"].as_str(),
            Some("category")
        );
        assert_eq!(parsed["feeds"]["atom_aliases"][0].as_str(), Some("/feed/"));
        assert!(lines.contains(&"title = \"New\"".to_string()), "{lines:?}");
        let diffs = config_differences(text, &s);
        assert!(
            diffs
                .iter()
                .any(|d| d.starts_with("title: glossator.toml has \"Old\"")),
            "{diffs:?}"
        );
    }
}

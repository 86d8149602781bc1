//! The rebuild loop: each batch of changes into the session, the result
//! into the shared snapshot, and the browsers told.
//!
//! It never serves a site it knows to be wrong. While the site folder is
//! gone (renamed or deleted while serving), it says so, keeps the last
//! good site with the reason overlaid, and watches for the folder to come
//! back, then watches it afresh and rebuilds everything. While `content/`
//! is gone it does the same, unless the writer confirms an empty site by
//! saving `glossator.toml`. A rebuild that failed for want of file
//! descriptors is tried again until it succeeds.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError};
use std::time::{Duration, Instant};

use super::Reporter;
use super::classify::PathKind;
use super::http::{Announcement, Shared, SiteFiles, Snapshot, overlay_html};
use super::watch::{Batch, Watching};
use crate::build::BuildFailure;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::output::MemorySink;
use crate::session::{Changes, Session};

/// How often the site folder is looked at when nothing changes.
const LOOK_EVERY: Duration = Duration::from_millis(500);

/// The URL paths (`/style.css`) of output paths.
fn url_paths(paths: &[String], base_path: &str) -> Vec<String> {
    paths.iter().map(|p| format!("{base_path}/{p}")).collect()
}

/// What to tell the browser about outputs that changed.
fn announcement(changed: &[String], version: u64, base_path: &str) -> Option<Announcement> {
    if changed.is_empty() {
        return None;
    }
    if changed.iter().all(|p| p.ends_with(".css")) {
        Some(Announcement::Css {
            version,
            paths: url_paths(changed, base_path),
        })
    } else {
        Some(Announcement::Reload { version })
    }
}

/// What is missing that the site needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Away {
    Nothing,
    /// The site folder is not where it was (or is another folder now).
    Root,
    Content,
}

/// The site folder's identity, so a different folder put at the same path
/// is noticed (the watches are on the old one).
#[cfg(unix)]
fn identity(root: &Path) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt;
    std::fs::metadata(root).ok().map(|m| (m.dev(), m.ino()))
}

#[cfg(not(unix))]
fn identity(root: &Path) -> Option<(u64, u64)> {
    std::fs::metadata(root).ok().map(|_| (0, 0))
}

/// Whether any diagnostic says the process ran out of file descriptors.
fn out_of_descriptors(diagnostics: &Diagnostics) -> bool {
    diagnostics.iter().any(|d| {
        d.message.contains(crate::files::TOO_MANY_FILES)
            || d.message.contains("os error 24")
            || d.message.contains("os error 23")
    })
}

/// Everything the loop keeps between batches.
pub struct Rebuilder {
    pub session: Session,
    pub shared: Arc<Shared>,
    pub reporter: Arc<dyn Reporter>,
    pub watching: Watching,
    base_path: String,
    away: Away,
    seen: Option<(u64, u64)>,
    /// A rebuild failed for want of descriptors: try again.
    retry: bool,
    /// The site is served without content/: it had none at the start, or
    /// the writer confirmed by saving the config.
    content_waived: bool,
}

impl Rebuilder {
    pub fn new(
        session: Session,
        shared: Arc<Shared>,
        reporter: Arc<dyn Reporter>,
        watching: Watching,
    ) -> Rebuilder {
        let seen = identity(&session.options.root);
        let content_waived = !session.options.root.join("content").is_dir();
        Rebuilder {
            session,
            shared,
            reporter,
            watching,
            base_path: String::new(),
            away: Away::Nothing,
            seen,
            retry: false,
            content_waived,
        }
    }

    fn root(&self) -> PathBuf {
        self.session.options.root.clone()
    }

    /// Feeds each batch to the session until the watcher stops.
    pub fn run(mut self, batches: Receiver<Batch>) {
        loop {
            let batch = match batches.recv_timeout(LOOK_EVERY) {
                Ok(batch) => Some(batch),
                Err(RecvTimeoutError::Timeout) => None,
                Err(RecvTimeoutError::Disconnected) => return,
            };
            let Some(batch) = self.admit(batch) else {
                continue;
            };
            self.rebuild(batch);
        }
    }

    /// Decides what to build, if anything: the batch itself, everything
    /// (the site came back, or a retry), or nothing (the site is away).
    fn admit(&mut self, batch: Option<Batch>) -> Option<Batch> {
        let root = self.root();
        let now = identity(&root);
        let config_saved = batch.as_ref().is_some_and(|b| b.has(PathKind::Config));
        let has_content = root.join("content").is_dir();
        if has_content {
            self.content_waived = false;
        } else if self.away == Away::Content && config_saved {
            self.content_waived = true;
        }
        let missing = if now.is_none() || !root.join("glossator.toml").is_file() {
            Away::Root
        } else if !has_content && !self.content_waived {
            Away::Content
        } else {
            Away::Nothing
        };
        if missing != Away::Nothing {
            if missing != self.away {
                self.away = missing;
                self.say_away(missing);
            }
            return None;
        }
        let everything = Batch {
            paths: BTreeSet::new(),
            rescan: true,
        };
        if self.away != Away::Nothing || now != self.seen {
            let was = self.away;
            self.away = Away::Nothing;
            if was == Away::Root || now != self.seen {
                self.seen = now;
                if let Err(e) = self.watching.rewatch(&root) {
                    self.reporter
                        .info(&format!("Cannot watch {} again: {e}", root.display()));
                }
            }
            self.reporter.info(&match was {
                Away::Content if !root.join("content").is_dir() => {
                    "glossator.toml saved with content/ gone: serving the site without content."
                        .to_string()
                }
                Away::Content => "content/ is back; rebuilding everything.".to_string(),
                _ => format!(
                    "The site folder {} is back; rebuilding everything.",
                    root.display()
                ),
            });
            return Some(everything);
        }
        match batch {
            Some(batch) => Some(batch),
            None if self.retry => Some(everything),
            None => None,
        }
    }

    /// Tells the terminal and the browser why the site is not rebuilt.
    fn say_away(&self, away: Away) {
        let root = self.root();
        let (message, hint) = match away {
            Away::Root => (
                format!(
                    "the site folder {} is gone (renamed, moved or deleted) or has no glossator.toml; still serving the last good site",
                    root.display()
                ),
                "put it back where it was, and glossator rebuilds it; or stop with Ctrl-C and serve it where it is now",
            ),
            _ => (
                "content/ is gone (renamed, moved or deleted); still serving the last good site"
                    .to_string(),
                "put content/ back, and glossator rebuilds; or save glossator.toml to serve the site without content",
            ),
        };
        self.reporter.info(&format!("Not rebuilding: {message}."));
        self.reporter.info(&format!("  hint: {hint}"));
        let diagnostics =
            Diagnostics::from_iter([Diagnostic::error(&root, message).with_hint(hint)]);
        let current = self.shared.current();
        let version = current.version + 1;
        self.shared.replace(Snapshot {
            files: current.files.clone(),
            error: Some(overlay_html(&diagnostics, &root)),
            version,
        });
        self.shared.announce(&Announcement::Error { version });
    }

    fn rebuild(&mut self, batch: Batch) {
        let started = Instant::now();
        let current = self.shared.current();
        let version = current.version + 1;
        self.retry = false;

        // Static files are served from disk: editing one needs no rebuild.
        let disk_only = !batch.rescan
            && current.error.is_none()
            && batch.paths.iter().all(|(kind, path)| {
                matches!(kind, PathKind::Static | PathKind::ThemeStatic)
                    && path.is_file()
                    && current.files.from_disk.contains_key(path)
            });
        if disk_only {
            let changed: Vec<String> = batch
                .paths
                .iter()
                .filter_map(|(_, p)| current.files.from_disk.get(p).map(|s| s.to_string()))
                .collect();
            self.shared.replace(Snapshot {
                version,
                ..(*current).clone()
            });
            if let Some(message) = announcement(&changed, version, &self.base_path) {
                self.shared.announce(&message);
            }
            self.reporter.info(&format!(
                "Changed {} ({} ms, no rebuild)",
                changed.join(", "),
                started.elapsed().as_millis()
            ));
            return;
        }

        let changes = Changes {
            // Snapshots and change marks are read with the config.
            config: batch.has(PathKind::Config) || batch.has(PathKind::Sources) || batch.rescan,
            templates: batch.has(PathKind::Template)
                || batch.has(PathKind::ThemeStatic)
                || batch.rescan,
            paths: batch
                .paths
                .iter()
                .filter(|(k, _)| matches!(k, PathKind::Content | PathKind::Static))
                .map(|(_, p)| p.clone())
                .collect::<BTreeSet<PathBuf>>(),
            rescan: batch.rescan,
        };
        self.session.options.now = jiff::Timestamp::now();
        let sink = MemorySink::default();
        let result = crate::crash::guard(Path::new("."), || self.session.build(&changes, &sink));
        let result = result.unwrap_or_else(|crash| {
            // A panic outside any one file's work: its caches cannot be
            // trusted, so the next change rebuilds from scratch.
            self.session = Session::new(self.session.options.clone());
            Err(BuildFailure {
                diagnostics: Diagnostics::from_iter([*crash]),
                interrupted: false,
                unfinished: false,
            })
        });
        match result {
            Ok(built) => {
                self.base_path = built.site.config.base_path().to_string();
                self.reporter.diagnostics(&built.diagnostics);
                let files = if built.complete {
                    SiteFiles::from_outputs(sink.into_files())
                } else {
                    let mut files = (*current.files).clone();
                    files.patch(sink.into_files(), &built.removed);
                    files
                };
                let changed: Vec<String> = built
                    .rendered
                    .iter()
                    .chain(&built.removed)
                    .map(|p| p.as_str().to_string())
                    .collect();
                let was_broken = current.error.is_some();
                self.shared.replace(Snapshot {
                    files: Arc::new(files),
                    error: None,
                    version,
                });
                let message = if was_broken {
                    Some(Announcement::Reload { version })
                } else {
                    announcement(&changed, version, &self.base_path)
                };
                if let Some(message) = message {
                    self.shared.announce(&message);
                }
                self.reporter.info(&format!(
                    "Rebuilt in {} ms: {} file{} changed",
                    started.elapsed().as_millis(),
                    changed.len(),
                    if changed.len() == 1 { "" } else { "s" }
                ));
                self.reporter.timings(&built.timings);
            }
            Err(failure) => {
                self.reporter.diagnostics(&failure.diagnostics);
                if out_of_descriptors(&failure.diagnostics) {
                    // Not the writer's mistake: try again shortly, from
                    // scratch, until descriptors free up.
                    self.retry = true;
                    self.session = Session::new(self.session.options.clone());
                    self.reporter.info(
                        "Rebuild failed: too many files are open; still serving the last good site, and trying again every half second.",
                    );
                } else {
                    self.reporter.info(&format!(
                        "Rebuild failed: {}; still serving the last good site.",
                        failure.diagnostics.summary()
                    ));
                }
                self.shared.replace(Snapshot {
                    files: current.files.clone(),
                    error: Some(overlay_html(
                        &failure.diagnostics,
                        &self.session.options.root,
                    )),
                    version,
                });
                self.shared.announce(&Announcement::Error { version });
            }
        }
    }
}

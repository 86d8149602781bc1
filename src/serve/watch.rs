//! Watching the site's files and batching changes.
//!
//! notify reports raw events; [`Debouncer`] drops what is not a change
//! (access events: the rebuild's own reads must never trigger a rebuild;
//! metadata-only events), classifies every path an event names, and
//! gathers a burst of events (an editor's save is often four or five)
//! until the files have been quiet for the debounce interval. The folders
//! watched are the ones that matter (content, static, templates, themes,
//! and the config at the root), never `public/` or `target/`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use notify::event::{EventKind, ModifyKind};
use notify::{RecommendedWatcher, RecursiveMode, Watcher};

use super::classify::{PathKind, classify_path};

/// The folders under the root that are watched recursively.
pub const WATCHED: [&str; 5] = ["content", "static", "templates", "themes", "sources"];

/// A quiet burst of changes, classified.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Batch {
    pub paths: BTreeSet<(PathKind, PathBuf)>,
    /// The watcher lost events (queue overflow): rescan everything.
    pub rescan: bool,
}

impl Batch {
    pub fn is_empty(&self) -> bool {
        self.paths.is_empty() && !self.rescan
    }

    pub fn has(&self, kind: PathKind) -> bool {
        self.paths.iter().any(|(k, _)| *k == kind)
    }
}

/// Is this event a change to a file's existence, name or content?
pub fn is_change(kind: &EventKind) -> bool {
    match kind {
        EventKind::Access(_) => false,
        EventKind::Modify(ModifyKind::Metadata(_)) => false,
        EventKind::Create(_) | EventKind::Remove(_) | EventKind::Modify(_) | EventKind::Any => true,
        EventKind::Other => false,
    }
}

/// The watcher, and what it takes to make another: when the site folder
/// is renamed away and comes back, the old watches point at the wrong
/// folder, so [`Watching::rewatch`] replaces them.
pub struct Watching {
    tx: Sender<notify::Result<notify::Event>>,
    pub watcher: Arc<Mutex<RecommendedWatcher>>,
}

impl Watching {
    fn make(
        root: &Path,
        tx: Sender<notify::Result<notify::Event>>,
    ) -> notify::Result<RecommendedWatcher> {
        let mut watcher = notify::recommended_watcher(move |event| {
            let _ = tx.send(event);
        })?;
        watcher.watch(root, RecursiveMode::NonRecursive)?;
        for dir in WATCHED {
            let path = root.join(dir);
            if path.is_dir() {
                watcher.watch(&path, RecursiveMode::Recursive)?;
            }
        }
        Ok(watcher)
    }

    /// Watches `root` afresh; the old watches are dropped.
    pub fn rewatch(&self, root: &Path) -> notify::Result<()> {
        let watcher = Watching::make(root, self.tx.clone())?;
        *self.watcher.lock().unwrap_or_else(|p| p.into_inner()) = watcher;
        Ok(())
    }
}

/// Starts watching; raw events arrive on the returned receiver.
pub fn start(root: &Path) -> notify::Result<(Watching, Receiver<notify::Result<notify::Event>>)> {
    let (tx, rx) = std::sync::mpsc::channel();
    let watcher = Watching::make(root, tx.clone())?;
    Ok((
        Watching {
            tx,
            watcher: Arc::new(Mutex::new(watcher)),
        },
        rx,
    ))
}

/// How long a burst may wait for an emptied content file to fill.
///
/// An editor that saves in place truncates the file, then writes it; on a
/// busy machine the gap can outlast the quiet interval, and building then
/// would drop the post from the preview (an empty file is skipped) and
/// reload the browser onto a 404. An empty content file therefore holds
/// the batch open a little longer; one emptied on purpose is built after
/// this grace.
pub const EMPTY_GRACE: Duration = Duration::from_millis(250);

/// Whether a content file in the batch exists and is empty.
fn has_emptied_content(batch: &Batch) -> bool {
    batch.paths.iter().any(|(kind, path)| {
        *kind == PathKind::Content
            && std::fs::metadata(path).is_ok_and(|m| m.is_file() && m.len() == 0)
    })
}

/// Turns raw events into quiet batches.
pub struct Debouncer {
    pub root: PathBuf,
    pub quiet: Duration,
    /// Never wait longer than this for a burst to end.
    pub max_wait: Duration,
}

impl Debouncer {
    /// Adds one event's paths to `batch`; true when something counted.
    pub fn absorb(&self, event: &notify::Event, batch: &mut Batch) -> bool {
        if event.need_rescan() {
            batch.rescan = true;
            return true;
        }
        if !is_change(&event.kind) {
            return false;
        }
        let mut counted = false;
        for path in &event.paths {
            let kind = classify_path(&self.root, path);
            if kind != PathKind::Ignored {
                batch.paths.insert((kind, path.clone()));
                counted = true;
            }
        }
        counted
    }

    /// Blocks until a batch is ready (or the watcher is gone: `None`).
    /// `on_new_dir` is told of folders created at the top, to watch them.
    pub fn next_batch(
        &self,
        events: &Receiver<notify::Result<notify::Event>>,
        mut on_new_dir: impl FnMut(&Path),
    ) -> Option<Batch> {
        let mut batch = Batch::default();
        // Wait for the first change that counts.
        loop {
            match events.recv() {
                Ok(Ok(event)) => {
                    self.note_new_dirs(&event, &mut on_new_dir);
                    if self.absorb(&event, &mut batch) {
                        break;
                    }
                }
                Ok(Err(_)) => {
                    batch.rescan = true;
                    break;
                }
                Err(_) => return None,
            }
        }
        // Then gather until the files are quiet.
        let started = Instant::now();
        loop {
            let left = self.max_wait.saturating_sub(started.elapsed());
            if left.is_zero() {
                break;
            }
            match events.recv_timeout(self.quiet.min(left)) {
                Ok(Ok(event)) => {
                    self.note_new_dirs(&event, &mut on_new_dir);
                    self.absorb(&event, &mut batch);
                }
                Ok(Err(_)) => batch.rescan = true,
                Err(RecvTimeoutError::Timeout) => {
                    if started.elapsed() < EMPTY_GRACE && has_emptied_content(&batch) {
                        continue;
                    }
                    break;
                }
                Err(RecvTimeoutError::Disconnected) => break,
            }
        }
        Some(batch)
    }

    fn note_new_dirs(&self, event: &notify::Event, on_new_dir: &mut impl FnMut(&Path)) {
        if !matches!(
            event.kind,
            EventKind::Create(_) | EventKind::Modify(ModifyKind::Name(_))
        ) {
            return;
        }
        for path in &event.paths {
            let top_level = path.parent() == Some(self.root.as_path());
            let watched = path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| WATCHED.contains(&n));
            if top_level && watched && path.is_dir() {
                on_new_dir(path);
            }
        }
    }
}

/// Forwards batches to `out` until the watcher stops.
pub fn run(
    debouncer: Debouncer,
    watcher: Arc<Mutex<RecommendedWatcher>>,
    events: Receiver<notify::Result<notify::Event>>,
    out: Sender<Batch>,
) {
    while let Some(batch) = debouncer.next_batch(&events, |dir| {
        let _ = watcher
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .watch(dir, RecursiveMode::Recursive);
    }) {
        if out.send(batch).is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, CreateKind, DataChange, MetadataKind, RemoveKind, RenameMode};

    fn event(kind: EventKind, paths: &[&str]) -> notify::Event {
        let mut e = notify::Event::new(kind);
        for p in paths {
            e = e.add_path(PathBuf::from("/site").join(p));
        }
        e
    }

    fn debouncer() -> Debouncer {
        Debouncer {
            root: PathBuf::from("/site"),
            quiet: Duration::from_millis(20),
            max_wait: Duration::from_millis(500),
        }
    }

    #[test]
    fn reads_and_metadata_are_not_changes() {
        let d = debouncer();
        let mut batch = Batch::default();
        for kind in [
            EventKind::Access(AccessKind::Read),
            EventKind::Access(AccessKind::Open(notify::event::AccessMode::Any)),
            EventKind::Access(AccessKind::Close(notify::event::AccessMode::Read)),
            EventKind::Modify(ModifyKind::Metadata(MetadataKind::AccessTime)),
        ] {
            assert!(!d.absorb(&event(kind, &["content/posts/a.md"]), &mut batch));
        }
        assert!(batch.is_empty());
    }

    /// Each editor's save, as the events inotify reports for it; every one
    /// must end in one batch naming `content/posts/a.md` and nothing else.
    #[test]
    fn editor_saves_become_one_content_change() {
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let create = EventKind::Create(CreateKind::File);
        let remove = EventKind::Remove(RemoveKind::File);
        let rename = |mode| EventKind::Modify(ModifyKind::Name(mode));
        let saves: Vec<(&str, Vec<notify::Event>)> = vec![
            ("in place", vec![event(write, &["content/posts/a.md"])]),
            (
                "vim",
                vec![
                    event(create, &["content/posts/4913"]),
                    event(remove, &["content/posts/4913"]),
                    event(
                        rename(RenameMode::Both),
                        &["content/posts/a.md", "content/posts/a.md~"],
                    ),
                    event(create, &["content/posts/a.md"]),
                    event(write, &["content/posts/a.md"]),
                    event(remove, &["content/posts/a.md~"]),
                    event(write, &["content/posts/.a.md.swp"]),
                ],
            ),
            (
                "jetbrains",
                vec![
                    event(create, &["content/posts/a.md___jb_tmp___"]),
                    event(write, &["content/posts/a.md___jb_tmp___"]),
                    event(
                        rename(RenameMode::Both),
                        &["content/posts/a.md", "content/posts/a.md___jb_old___"],
                    ),
                    event(
                        rename(RenameMode::Both),
                        &["content/posts/a.md___jb_tmp___", "content/posts/a.md"],
                    ),
                    event(remove, &["content/posts/a.md___jb_old___"]),
                ],
            ),
            (
                "temp then rename (VS Code, gedit)",
                vec![
                    event(create, &["content/posts/.a.md.tmp"]),
                    event(write, &["content/posts/.a.md.tmp"]),
                    event(rename(RenameMode::From), &["content/posts/.a.md.tmp"]),
                    event(rename(RenameMode::To), &["content/posts/a.md"]),
                ],
            ),
            (
                "delete then create",
                vec![
                    event(remove, &["content/posts/a.md"]),
                    event(create, &["content/posts/a.md"]),
                ],
            ),
            (
                "emacs",
                vec![
                    event(create, &["content/posts/.#a.md"]),
                    event(write, &["content/posts/#a.md#"]),
                    event(
                        rename(RenameMode::Both),
                        &["content/posts/a.md", "content/posts/a.md~"],
                    ),
                    event(create, &["content/posts/a.md"]),
                    event(remove, &["content/posts/.#a.md"]),
                ],
            ),
        ];
        for (editor, events) in saves {
            let d = debouncer();
            let mut batch = Batch::default();
            for e in &events {
                d.absorb(e, &mut batch);
            }
            let paths: Vec<(PathKind, PathBuf)> = batch.paths.into_iter().collect();
            assert_eq!(
                paths,
                [(PathKind::Content, PathBuf::from("/site/content/posts/a.md"))],
                "{editor}"
            );
        }
    }

    #[test]
    fn an_emptied_post_waits_for_its_text() {
        // A slow in-place save: truncated now, written after the quiet
        // interval. The write must land in the same batch.
        let dir = tempfile::tempdir().unwrap();
        let posts = dir.path().join("content/posts");
        std::fs::create_dir_all(&posts).unwrap();
        let post = posts.join("a.md");
        std::fs::write(&post, "").unwrap();
        let d = Debouncer {
            root: dir.path().to_path_buf(),
            ..debouncer()
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        tx.send(Ok(notify::Event::new(write).add_path(post.clone())))
            .unwrap();
        let writer = std::thread::spawn({
            let post = post.clone();
            let other = posts.join("b.md");
            move || {
                // Another save arrives while the post is still empty (the
                // batch must wait for it), then the post gets its text.
                std::thread::sleep(Duration::from_millis(80));
                std::fs::write(&other, "+++\ntitle = \"B\"\n+++\ntext\n").unwrap();
                tx.send(Ok(notify::Event::new(write).add_path(other)))
                    .unwrap();
                std::fs::write(&post, "+++\ntitle = \"A\"\n+++\ntext\n").unwrap();
            }
        });
        let batch = d.next_batch(&rx, |_| {}).unwrap();
        writer.join().unwrap();
        assert!(
            batch
                .paths
                .contains(&(PathKind::Content, posts.join("b.md"))),
            "{batch:?}"
        );
    }

    #[test]
    fn a_burst_is_one_batch_and_quiet_ends_it() {
        let d = debouncer();
        let (tx, rx) = std::sync::mpsc::channel();
        let write = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        tx.send(Ok(event(
            EventKind::Access(AccessKind::Read),
            &["content/posts/a.md"],
        )))
        .unwrap();
        tx.send(Ok(event(write, &["content/posts/a.md"]))).unwrap();
        tx.send(Ok(event(write, &["templates/post.html"]))).unwrap();
        tx.send(Ok(event(write, &["glossator.toml"]))).unwrap();
        let batch = d.next_batch(&rx, |_| {}).unwrap();
        assert!(
            batch.has(PathKind::Content)
                && batch.has(PathKind::Template)
                && batch.has(PathKind::Config)
        );
        drop(tx);
        assert!(d.next_batch(&rx, |_| {}).is_none(), "the watcher is gone");
    }
}

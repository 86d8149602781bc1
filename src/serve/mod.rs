//! `glossator serve`: build, watch, serve from memory, reload the browser.
//!
//! Three parts, each with one job: [`watch`] turns file events into quiet,
//! classified batches; the rebuild loop here feeds each batch to a
//! [`Session`] and swaps the result into the shared [`Snapshot`]; [`http`]
//! serves that snapshot and tells connected browsers what changed over a
//! WebSocket on the same port. A failed rebuild never stops anything: the
//! last good site stays up with the error overlaid on every page until the
//! next good build. The library does not print; a [`Reporter`] given by the
//! CLI does.

pub mod classify;
pub mod http;
pub mod watch;

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::mpsc::Receiver;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::build::{BuildOptions, Built};
use crate::diagnostic::Diagnostics;
use crate::output::MemorySink;
use crate::session::{Changes, Session};
use classify::PathKind;
use http::{Announcement, Shared, SiteFiles, Snapshot, overlay_html};
use watch::{Batch, Debouncer};

/// What `glossator serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub build: BuildOptions,
    pub bind: IpAddr,
    /// 0 lets the system choose a free port.
    pub port: u16,
    pub debounce: Duration,
    pub open: bool,
}

/// Where `serve` says what it is doing (the CLI prints to the terminal).
pub trait Reporter: Send + Sync + 'static {
    fn info(&self, message: &str);
    fn diagnostics(&self, diagnostics: &Diagnostics);
    /// Stage timings of a rebuild (shown with `-v`).
    fn timings(&self, _timings: &crate::build::Timings) {}
}

/// Binds `port`, or the next free one after it if it is taken.
pub fn bind(addr: IpAddr, port: u16, reporter: &dyn Reporter) -> anyhow::Result<TcpListener> {
    if port == 0 {
        return TcpListener::bind(SocketAddr::new(addr, 0))
            .with_context(|| format!("cannot listen on {addr}"));
    }
    for candidate in port..port.saturating_add(20) {
        match TcpListener::bind(SocketAddr::new(addr, candidate)) {
            Ok(l) => {
                if candidate != port {
                    reporter.info(&format!(
                        "Port {port} is in use; using {candidate} instead."
                    ));
                }
                return Ok(l);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AddrInUse => continue,
            Err(e) => {
                return Err(e).with_context(|| format!("cannot listen on {addr}:{candidate}"));
            }
        }
    }
    bail!(
        "ports {port} to {} are all in use; pass --port",
        port.saturating_add(19)
    )
}

/// Runs the preview until interrupted.
pub fn serve(options: ServeOptions, reporter: Arc<dyn Reporter>) -> anyhow::Result<()> {
    let root = options.build.root.clone();
    let listener = bind(options.bind, options.port, reporter.as_ref())?;
    listener.set_nonblocking(true)?;
    let address = listener.local_addr()?;

    let started = Instant::now();
    let mut session = Session::new(options.build.clone());
    let sink = MemorySink::default();
    let snapshot = match session.build(&Changes::default(), &sink) {
        Ok(built) => {
            reporter.diagnostics(&built.diagnostics);
            let files = sink.into_files();
            reporter.info(&summary(&built, files.len(), started));
            Snapshot {
                files: Arc::new(SiteFiles::from_outputs(files)),
                error: None,
                version: 1,
            }
        }
        Err(failure) => {
            reporter.diagnostics(&failure.diagnostics);
            reporter.info(&format!(
                "Build failed: {}; serving the error until it is fixed.",
                failure.diagnostics.summary()
            ));
            Snapshot {
                files: Arc::new(SiteFiles::default()),
                error: Some(overlay_html(&failure.diagnostics, &root)),
                version: 1,
            }
        }
    };
    let shared = Shared::new(snapshot);

    let (watcher, raw_events) = watch::start(&root).context("cannot watch the site's files")?;
    let (batch_tx, batch_rx) = std::sync::mpsc::channel();
    let debouncer = Debouncer {
        root: root.canonicalize().unwrap_or_else(|_| root.clone()),
        quiet: options.debounce,
        max_wait: Duration::from_millis(1000).max(options.debounce * 4),
    };
    std::thread::Builder::new()
        .name("glossator-watch".into())
        .spawn(move || watch::run(debouncer, watcher, raw_events, batch_tx))?;
    {
        let shared = shared.clone();
        let reporter = reporter.clone();
        std::thread::Builder::new()
            .name("glossator-rebuild".into())
            .spawn(move || rebuild_loop(session, batch_rx, shared, reporter))?;
    }

    let host = if address.ip().is_unspecified() {
        "127.0.0.1".to_string()
    } else {
        address.ip().to_string()
    };
    let url = format!("http://{host}:{}/", address.port());
    reporter.info(&format!(
        "Serving {} at {url} (Ctrl-C to stop)",
        root.display()
    ));
    if options.open
        && let Err(e) = open::that_detached(&url)
    {
        reporter.info(&format!("Could not open a browser: {e}"));
    }

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::from_std(listener)?;
        axum::serve(listener, http::router(shared))
            .with_graceful_shutdown(async {
                let _ = tokio::signal::ctrl_c().await;
            })
            .await
    })?;
    Ok(())
}

fn summary(built: &Built, files: usize, started: Instant) -> String {
    use crate::diagnostic::count;
    format!(
        "Built {} and {} ({}) in {} ms",
        count(built.site.posts.len(), "post"),
        count(built.site.pages.len(), "page"),
        count(files, "file"),
        started.elapsed().as_millis()
    )
}

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

/// Feeds each batch to the session and swaps in the result.
fn rebuild_loop(
    mut session: Session,
    batches: Receiver<Batch>,
    shared: Arc<Shared>,
    reporter: Arc<dyn Reporter>,
) {
    let mut base_path = String::new();
    for batch in batches {
        let started = Instant::now();
        let current = shared.current();
        let version = current.version + 1;

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
            shared.replace(Snapshot {
                version,
                ..(*current).clone()
            });
            if let Some(message) = announcement(&changed, version, &base_path) {
                shared.announce(&message);
            }
            reporter.info(&format!(
                "Changed {} ({} ms, no rebuild)",
                changed.join(", "),
                started.elapsed().as_millis()
            ));
            continue;
        }

        let changes = Changes {
            config: batch.has(PathKind::Config),
            templates: batch.has(PathKind::Template) || batch.has(PathKind::ThemeStatic),
            paths: batch
                .paths
                .iter()
                .filter(|(k, _)| matches!(k, PathKind::Content | PathKind::Static))
                .map(|(_, p)| p.clone())
                .collect::<BTreeSet<PathBuf>>(),
            rescan: batch.rescan,
        };
        session.options.now = jiff::Timestamp::now();
        let sink = MemorySink::default();
        let result =
            crate::crash::guard(std::path::Path::new("."), || session.build(&changes, &sink));
        let result = result.unwrap_or_else(|crash| {
            // A panic outside any one file's work: its caches cannot be
            // trusted, so the next change rebuilds from scratch.
            session = Session::new(session.options.clone());
            Err(crate::build::BuildFailure {
                diagnostics: crate::diagnostic::Diagnostics::from_iter([*crash]),
                interrupted: false,
                unfinished: false,
            })
        });
        match result {
            Ok(built) => {
                base_path = built.site.config.base_path().to_string();
                reporter.diagnostics(&built.diagnostics);
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
                shared.replace(Snapshot {
                    files: Arc::new(files),
                    error: None,
                    version,
                });
                let message = if was_broken {
                    Some(Announcement::Reload { version })
                } else {
                    announcement(&changed, version, &base_path)
                };
                if let Some(message) = message {
                    shared.announce(&message);
                }
                reporter.info(&format!(
                    "Rebuilt in {} ms: {} file{} changed",
                    started.elapsed().as_millis(),
                    changed.len(),
                    if changed.len() == 1 { "" } else { "s" }
                ));
                reporter.timings(&built.timings);
            }
            Err(failure) => {
                reporter.diagnostics(&failure.diagnostics);
                reporter.info(&format!(
                    "Rebuild failed: {}; still serving the last good site.",
                    failure.diagnostics.summary()
                ));
                shared.replace(Snapshot {
                    files: current.files.clone(),
                    error: Some(overlay_html(&failure.diagnostics, &session.options.root)),
                    version,
                });
                shared.announce(&Announcement::Error { version });
            }
        }
    }
}

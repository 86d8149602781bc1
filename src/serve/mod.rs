//! `glossator serve`: build, watch, serve from memory, reload the browser.
//!
//! Four parts, each with one job: [`watch`] turns file events into quiet,
//! classified batches; [`rebuild`] feeds each batch to a [`Session`] and
//! swaps the result into the shared [`Snapshot`]; [`http`] serves that
//! snapshot and tells connected browsers what changed over a WebSocket on
//! the same port, behind [`guard`] (which host names it answers to) and
//! [`listen`] (timeouts and a cap on connections). A failed rebuild never
//! stops anything: the last good site stays up with the error overlaid on
//! every page until the next good build. The library does not print; a
//! [`Reporter`] given by the CLI does.

pub mod classify;
pub mod guard;
pub mod http;
pub mod listen;
pub mod rebuild;
pub mod watch;

use std::net::{IpAddr, SocketAddr, TcpListener};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};

use crate::build::{BuildOptions, Built};
use crate::diagnostic::Diagnostics;
use crate::output::MemorySink;
use crate::session::{Changes, Session};
use http::{Shared, SiteFiles, Snapshot, overlay_html};
use watch::Debouncer;

/// What `glossator serve` was asked to do.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    pub build: BuildOptions,
    pub bind: IpAddr,
    /// 0 lets the system choose a free port.
    pub port: u16,
    pub debounce: Duration,
    pub open: bool,
    /// Host names to answer besides this machine's (`--allow-host`).
    pub allow_hosts: Vec<String>,
    /// How long a connection may take to send a request's headers, or sit
    /// idle between requests; also how often the live-reload socket is
    /// pinged.
    pub timeout: Duration,
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
    crate::markdown::highlight::cache::load(&root);
    let mut session = Session::new(options.build.clone());
    session.loads_memo = true;
    let sink = MemorySink::default();
    let snapshot = match session.build(&Changes::default(), &sink) {
        Ok(built) => {
            reporter.diagnostics(&built.diagnostics);
            // Later rebuilds use the memory copy; the next `build` gains.
            crate::markdown::highlight::cache::save(&root).ok();
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
    let shared = Shared::new(snapshot, options.timeout);

    let (watching, raw_events) = watch::start(&root).context("cannot watch the site's files")?;
    let watcher = watching.watcher.clone();
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
            .spawn(move || {
                rebuild::Rebuilder::new(session, shared, reporter, watching).run(batch_rx);
            })?;
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

    let allowed = {
        let reporter = reporter.clone();
        guard::Allowed::new(options.bind, &options.allow_hosts, move |m| {
            reporter.info(m);
        })
    };
    let router = http::router(shared, Arc::new(allowed));
    let report = reporter.clone();
    // tokio's own default for blocking threads: serve does little such work.
    listen::serve_until_interrupted(
        listener,
        router,
        options.timeout,
        512,
        Arc::new(move |m: &str| report.info(m)),
    )?;
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

//! Accepting connections: timeouts, a cap, and no lost descriptors.
//!
//! `axum::serve` holds every connection for as long as the client likes; a
//! preview on a laptop needs less trust. Each connection is served by
//! hyper's HTTP/1 server with a header-read timeout, which hyper also runs
//! while a kept-alive connection waits for its next request: a client that
//! sends its headers slowly, or idles, is dropped after `timeout`. The
//! live-reload WebSocket leaves HTTP once upgraded, so it is not timed out;
//! its handler pings it instead (see `http`).
//!
//! Connections are capped below the process's open-file limit (which is
//! first raised to its hard maximum), so a flood of sockets cannot take the
//! descriptors a rebuild needs. An `accept` that fails for want of
//! descriptors waits and tries again; the terminal hears about it once.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::sync::Semaphore;

/// Descriptors kept free of connections, for the rebuild and the watcher.
const RESERVED: u64 = 64;
/// At most this many connections at once, whatever the limit allows.
const MOST: u64 = 1024;

/// How many connections to serve at once: raises the open-file limit as
/// far as the system allows, and keeps [`RESERVED`] descriptors back.
pub fn connection_cap() -> usize {
    let limit = rlimit::increase_nofile_limit(u64::MAX).unwrap_or(256);
    limit.saturating_sub(RESERVED).clamp(8, MOST) as usize
}

/// Whether an error is the process or system running out of descriptors.
pub fn out_of_descriptors(e: &std::io::Error) -> bool {
    // EMFILE and ENFILE on Linux and macOS.
    matches!(e.raw_os_error(), Some(23 | 24))
}

/// Serves `router` on `listener` until Ctrl-C (or SIGTERM), on a runtime of
/// its own whose blocking work (`spawn_blocking`) gets at most `blocking`
/// threads.
pub fn serve_until_interrupted(
    listener: std::net::TcpListener,
    router: Router,
    timeout: Duration,
    blocking: usize,
    report: Arc<dyn Fn(&str) + Send + Sync>,
) -> anyhow::Result<()> {
    let cap = connection_cap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .max_blocking_threads(blocking)
        .build()?;
    runtime.block_on(async move {
        let listener = TcpListener::from_std(listener)?;
        run(listener, router, timeout, cap, report, async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
        anyhow::Ok(())
    })
}

/// Serves `router` on `listener` until `stop` resolves.
pub async fn run(
    listener: TcpListener,
    router: Router,
    timeout: Duration,
    cap: usize,
    report: Arc<dyn Fn(&str) + Send + Sync>,
    stop: impl std::future::Future<Output = ()>,
) {
    let slots = Arc::new(Semaphore::new(cap));
    let told = AtomicBool::new(false);
    tokio::pin!(stop);
    loop {
        // Wait for a free slot before accepting: past the cap, clients
        // queue in the kernel instead of taking descriptors.
        let slot = tokio::select! {
            slot = slots.clone().acquire_owned() => match slot {
                Ok(slot) => slot,
                Err(_) => return,
            },
            () = &mut stop => return,
        };
        let accepted = tokio::select! {
            accepted = listener.accept() => accepted,
            () = &mut stop => return,
        };
        let (stream, peer) = match accepted {
            Ok(accepted) => accepted,
            Err(e) => {
                if out_of_descriptors(&e) && !told.swap(true, Ordering::Relaxed) {
                    report(&format!(
                        "Too many open files ({e}): new connections wait until some close. \
                         Close idle browser tabs or raise the limit (`ulimit -n`)."
                    ));
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        told.store(false, Ordering::Relaxed);
        // The peer's address rides along as axum's `ConnectInfo`.
        let router = router.clone();
        let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
            request.extensions_mut().insert(ConnectInfo(peer));
            let mut router = router.clone();
            async move { tower_service::Service::call(&mut router, request).await }
        });
        tokio::spawn(async move {
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder
                .timer(TokioTimer::new())
                .header_read_timeout(timeout);
            let connection = builder
                .serve_connection(TokioIo::new(stream), service)
                .with_upgrades();
            let _: Result<(), hyper::Error> = connection.await;
            drop(slot);
        });
    }
}

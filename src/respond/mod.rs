//! `glossator respond`: the comment service, and the moderation queue it
//! fills.
//!
//! A small HTTP service the writer runs on the host that serves the
//! site, behind their web server (which forwards `[comments] endpoint`
//! to it). It takes a comment from the default theme's form, checks it
//! ([`form`]: fields; [`key`]: the form's signed token; [`limit`]: who is
//! asking and how often; [`index`]: the post exists and is open, the
//! parent comment is on it), and puts it in the queue ([`store`]), from
//! which `glossator comments approve` publishes it as an ordinary comment
//! file and rebuilds the site. A commenter the writer approved before is
//! published at once when `trust_returning` is on. Nothing a visitor
//! sends chooses a file name: ids are drawn by the service, the folder is
//! the slug of a post the site has.
//!
//! [`http`] is the HTTP edge (axum, on the same connection handling as
//! `serve`: header timeouts and a connection cap); this module holds the
//! decisions, so they read in one place.

pub mod form;
pub mod http;
pub mod index;
pub use crate::comment_key as key;
pub mod limit;
pub mod store;
pub mod webmention;

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use crate::content::post::CommentMode;
use crate::serve::Reporter;
use index::SiteIndex;
use limit::{Limiter, Proxies};
use store::{Queued, Status, Store};

/// What `glossator respond` was asked to do.
#[derive(Debug, Clone)]
pub struct RespondOptions {
    pub root: PathBuf,
    /// Where rebuilds write (default `<root>/public`).
    pub output: Option<PathBuf>,
    pub bind: IpAddr,
    pub port: u16,
    pub proxies: Proxies,
    /// Comments a client may post an hour (after a burst); 0: no limit.
    pub per_hour: u32,
    pub burst: u32,
    /// Largest request body accepted, in bytes.
    pub max_request: usize,
    /// Fetch webmention sources on private and local addresses too.
    pub allow_private_sources: bool,
    /// How long fetching a webmention's source may take.
    pub source_timeout: Duration,
    pub timeout: Duration,
}

/// The same comment again within this long is stored once.
const DUPLICATE_WINDOW: Duration = Duration::from_secs(24 * 3600);

/// Why a comment was turned away: an HTTP status and words for the
/// commenter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub status: u16,
    pub field: Option<&'static str>,
    pub message: String,
    /// For 429: seconds until the client may try again.
    pub retry_after: Option<u64>,
    /// Where to send the commenter back to (the post), when known.
    pub back: Option<String>,
}

impl Refusal {
    fn new(status: u16, message: impl Into<String>) -> Refusal {
        Refusal {
            status,
            field: None,
            message: message.into(),
            retry_after: None,
            back: None,
        }
    }

    fn back_to(mut self, url: &str) -> Refusal {
        self.back = Some(url.to_string());
        self
    }
}

/// A comment taken in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Accepted {
    pub id: String,
    /// Published now (a trusted returning commenter), or waiting.
    pub published: bool,
    /// The post's address.
    pub permalink: String,
    /// The same comment had come before; it was not stored again.
    pub duplicate: bool,
}

/// The service's state.
pub struct App {
    pub options: RespondOptions,
    store: Store,
    index: RwLock<Arc<SiteIndex>>,
    stale: Arc<AtomicBool>,
    reloading: tokio::sync::Mutex<()>,
    limiter: Mutex<Limiter>,
    /// Recent comments by duplicate key: when, which id, published.
    recent: Mutex<HashMap<u64, (Instant, String, bool)>>,
    rebuild: Rebuilds,
    reporter: Arc<dyn Reporter>,
    /// Webmention sources are fetched with it, a few at a time.
    fetcher: webmention::fetch::Fetcher,
    verifying: Arc<tokio::sync::Semaphore>,
}

impl App {
    /// Reads the site and the queue.
    pub fn new(options: RespondOptions, reporter: Arc<dyn Reporter>) -> anyhow::Result<App> {
        let root = options.root.clone();
        let index = SiteIndex::load(&root, jiff::Timestamp::now()).map_err(|d| {
            reporter.diagnostics(&d);
            anyhow::anyhow!("the site's config has errors: {}", d.summary())
        })?;
        if index.config.comments_endpoint.is_none() {
            reporter.info(
                "Note: glossator.toml has no `[comments] endpoint`, so built pages show no comment form.",
            );
        }
        let store = Store::open(&root)?;
        // Duplicates of the last day, from the queue.
        let mut recent = HashMap::new();
        let now = Instant::now();
        let (entries, damaged) = store.all()?;
        for d in damaged {
            reporter.info(&format!("Skipping a damaged queue file: {d}"));
        }
        let day_ago = jiff::Timestamp::now() - jiff::SignedDuration::from_hours(24);
        for e in entries {
            let Ok(when) = e.date.parse::<jiff::Timestamp>() else {
                continue;
            };
            if when > day_ago {
                let age = (jiff::Timestamp::now() - when)
                    .try_into()
                    .unwrap_or(Duration::ZERO);
                let at = now.checked_sub(age).unwrap_or(now);
                recent.insert(
                    form::duplicate_key(&e.post, &e.author, &e.body),
                    (at, e.id, e.status == Status::Approved),
                );
            }
        }
        let limiter = Limiter::new(options.burst, options.per_hour);
        let (options_timeout, options_private) =
            (options.source_timeout, options.allow_private_sources);
        let rebuild = Rebuilds::start(
            crate::build::BuildOptions {
                output: options.output.clone(),
                quote_text: false,
                ..crate::build::BuildOptions::new(&root)
            },
            reporter.clone(),
        )?;
        Ok(App {
            options,
            store,
            index: RwLock::new(Arc::new(index)),
            stale: Arc::new(AtomicBool::new(false)),
            reloading: tokio::sync::Mutex::new(()),
            limiter: Mutex::new(limiter),
            recent: Mutex::new(recent),
            rebuild,
            reporter,
            fetcher: webmention::fetch::Fetcher::new(options_timeout, options_private),
            verifying: Arc::new(tokio::sync::Semaphore::new(4)),
        })
    }

    /// The flag a file watcher sets when the site changes.
    pub fn stale_flag(&self) -> Arc<AtomicBool> {
        self.stale.clone()
    }

    fn current(&self) -> Arc<SiteIndex> {
        self.index
            .read()
            .map(|i| i.clone())
            .unwrap_or_else(|p| p.into_inner().clone())
    }

    /// The site as it is now: reloaded first if a file changed.
    pub async fn site(&self) -> Arc<SiteIndex> {
        if self.stale.load(Ordering::Acquire) {
            let _one = self.reloading.lock().await;
            if self.stale.swap(false, Ordering::AcqRel) {
                let root = self.options.root.clone();
                let loaded = tokio::task::spawn_blocking(move || {
                    SiteIndex::load(&root, jiff::Timestamp::now())
                })
                .await;
                match loaded {
                    Ok(Ok(index)) => {
                        if let Ok(mut slot) = self.index.write() {
                            *slot = Arc::new(index);
                        }
                    }
                    Ok(Err(d)) => {
                        self.reporter.diagnostics(&d);
                        self.reporter.info(
                            "The site's config has errors; comments are checked against the last good one.",
                        );
                    }
                    Err(e) => self
                        .reporter
                        .info(&format!("Reloading the site failed: {e}")),
                }
            }
        }
        self.current()
    }

    /// The client's address, from the peer and its forwarded header.
    pub fn client(&self, peer: IpAddr, forwarded_for: &[&str]) -> IpAddr {
        self.options.proxies.client(peer, forwarded_for)
    }

    /// Counts one attempt against the client's limit.
    pub fn admit(&self, client: IpAddr) -> Result<(), Refusal> {
        let taken = self
            .limiter
            .lock()
            .map(|mut l| l.take(client, Instant::now()))
            .unwrap_or(Ok(()));
        taken.map_err(|wait| Refusal {
            retry_after: Some(wait.as_secs().max(1)),
            ..Refusal::new(
                429,
                "You have sent several comments in a short time; please wait a little and send it again.",
            )
        })
    }

    /// Takes in one comment: every check, then the queue (or the site).
    pub async fn receive(
        &self,
        form: form::Form,
        client: IpAddr,
        user_agent: Option<String>,
    ) -> Result<Accepted, Refusal> {
        if form.honeypot {
            return Err(Refusal::new(
                400,
                "The comment was refused: a field meant to stay empty was filled in.",
            ));
        }
        let mut site = self.site().await;
        let Some(mut post) = site.posts.get(&form.post).cloned() else {
            return Err(Refusal::new(404, "There is no such post to comment on."));
        };
        let key = site.config.comments_key.clone();
        if !key
            .as_ref()
            .is_some_and(|k| k.token_is_valid(&post.slug, &form.token))
        {
            return Err(Refusal::new(
                403,
                "The form's token does not match this post: reload the post's page and send the comment from there.",
            )
            .back_to(&post.permalink));
        }
        if post.mode != CommentMode::Open {
            return Err(
                Refusal::new(403, "Comments on this post are closed.").back_to(&post.permalink)
            );
        }
        if let Err(invalid) = form.check() {
            return Err(Refusal {
                field: Some(invalid.field),
                ..Refusal::new(422, invalid.message).back_to(&post.permalink)
            });
        }
        if let Some(parent) = &form.parent
            && !post.comments.contains(parent)
        {
            // Perhaps approved a moment ago: look again once.
            self.stale.store(true, Ordering::Release);
            site = self.site().await;
            post = site.posts.get(&form.post).cloned().unwrap_or(post);
            if !post.comments.contains(parent) {
                return Err(Refusal {
                    field: Some("parent"),
                    ..Refusal::new(
                        422,
                        "The comment you are answering is not on this post (it may have been removed).",
                    )
                    .back_to(&post.permalink)
                });
            }
        }
        let duplicate_key = form::duplicate_key(&post.slug, &form.author, &form.body);
        let id = {
            let Ok(mut recent) = self.recent.lock() else {
                return Err(Refusal::new(500, "The comment service is failing."));
            };
            let now = Instant::now();
            if recent.len() > 50_000 {
                recent.retain(|_, (at, _, _)| now.duration_since(*at) < DUPLICATE_WINDOW);
            }
            if let Some((at, id, published)) = recent.get(&duplicate_key)
                && now.duration_since(*at) < DUPLICATE_WINDOW
            {
                return Ok(Accepted {
                    id: id.clone(),
                    published: *published,
                    permalink: post.permalink,
                    duplicate: true,
                });
            }
            let id = store::new_id().map_err(|e| Refusal::new(500, format!("{e}")))?;
            recent.insert(duplicate_key, (now, id.clone(), false));
            id
        };
        let links = form::count_links(&form.body);
        let email_hash = form
            .email
            .as_deref()
            .zip(key.as_ref())
            .map(|(e, k)| k.email_hash(e));
        let trusted = site.config.comments_trust_returning
            && email_hash
                .as_deref()
                .is_some_and(|h| self.store.is_trusted(h));
        let held = links > site.config.comments_max_links;
        let mut entry = Queued {
            id: id.clone(),
            status: if held { Status::Spam } else { Status::Pending },
            post: post.slug.clone(),
            post_url: post.permalink.clone(),
            parent: form.parent,
            author: form.author,
            url: form.url,
            email: form.email,
            email_hash,
            body: form.body,
            date: jiff::Timestamp::now()
                .to_zoned_datetime(site.config.timezone.clone())
                .strftime("%Y-%m-%dT%H:%M:%S%:z")
                .to_string(),
            client: client.to_string(),
            user_agent: user_agent.map(|u| u.chars().take(300).collect()),
            reason: held.then(|| format!("{links} links")),
            kind: None,
            mention: None,
            source: None,
        };
        let store = self.store.clone();
        let root = self.options.root.clone();
        let publish = trusted && !held;
        let saved = tokio::task::spawn_blocking(move || -> anyhow::Result<Queued> {
            store.add(&entry)?;
            if publish {
                store::publish(&root, &store, &mut entry)?;
            }
            Ok(entry)
        })
        .await;
        let entry = match saved {
            Ok(Ok(entry)) => entry,
            Ok(Err(e)) => {
                self.reporter
                    .info(&format!("Could not store a comment: {e:#}"));
                if let Ok(mut recent) = self.recent.lock() {
                    recent.remove(&duplicate_key);
                }
                return Err(Refusal::new(
                    500,
                    "The comment could not be stored; please try again later.",
                )
                .back_to(&post.permalink));
            }
            Err(e) => return Err(Refusal::new(500, format!("{e}"))),
        };
        self.reporter.info(&format!(
            "Comment {id} from {} on {}: {}",
            entry.author.escape_debug(),
            post.slug,
            match (publish, held) {
                (true, _) => "published (a returning commenter)".to_string(),
                (_, true) => format!("held as spam ({})", entry.reason.as_deref().unwrap_or("")),
                _ => format!("waiting (glossator comments show {id})"),
            }
        ));
        if publish {
            if let Ok(mut recent) = self.recent.lock()
                && let Some(r) = recent.get_mut(&duplicate_key)
            {
                r.2 = true;
            }
            // Answer once the page shows it (or after a few seconds).
            let generation = self.rebuild.request();
            self.rebuild.wait(generation, Duration::from_secs(10)).await;
        }
        Ok(Accepted {
            id,
            published: publish,
            permalink: post.permalink,
            duplicate: false,
        })
    }
}

/// Rebuilds of the site, one at a time, coalesced.
struct Rebuilds {
    requested: Arc<AtomicU64>,
    wake: std::sync::mpsc::Sender<()>,
    done: tokio::sync::watch::Receiver<u64>,
}

impl Rebuilds {
    fn start(
        options: crate::build::BuildOptions,
        reporter: Arc<dyn Reporter>,
    ) -> anyhow::Result<Rebuilds> {
        let requested = Arc::new(AtomicU64::new(0));
        let (wake, woken) = std::sync::mpsc::channel::<()>();
        let (done_tx, done) = tokio::sync::watch::channel(0u64);
        let wanted = requested.clone();
        std::thread::Builder::new()
            .name("glossator-respond-build".into())
            .spawn(move || {
                while woken.recv().is_ok() {
                    while woken.try_recv().is_ok() {}
                    let target = wanted.load(Ordering::Acquire);
                    let options = crate::build::BuildOptions {
                        now: jiff::Timestamp::now(),
                        ..options.clone()
                    };
                    let started = Instant::now();
                    match crate::build::build_site(&options, |_| {}) {
                        Ok(report) => reporter.info(&format!(
                            "Rebuilt the site in {} ms ({} written).",
                            started.elapsed().as_millis(),
                            report.written.written
                        )),
                        Err(failure) => {
                            reporter.diagnostics(&failure.diagnostics);
                            reporter.info(
                                "The rebuild failed; the comment is stored, and the site shows it after the next good build.",
                            );
                        }
                    }
                    let _ = done_tx.send(target);
                }
            })?;
        Ok(Rebuilds {
            requested,
            wake,
            done,
        })
    }

    fn request(&self) -> u64 {
        let generation = self.requested.fetch_add(1, Ordering::AcqRel) + 1;
        let _ = self.wake.send(());
        generation
    }

    async fn wait(&self, generation: u64, most: Duration) {
        let mut done = self.done.clone();
        let _ = tokio::time::timeout(most, done.wait_for(|d| *d >= generation)).await;
    }
}

/// Runs the comment service until interrupted.
pub fn respond(options: RespondOptions, reporter: Arc<dyn Reporter>) -> anyhow::Result<()> {
    use anyhow::Context as _;
    use notify::Watcher as _;
    let listener = std::net::TcpListener::bind((options.bind, options.port))
        .with_context(|| format!("cannot listen on {}:{}", options.bind, options.port))?;
    listener.set_nonblocking(true)?;
    let address = listener.local_addr()?;
    let timeout = options.timeout;
    let root = options.root.clone();
    let app = Arc::new(App::new(options, reporter.clone())?);

    // A change under content/ or to glossator.toml makes the index stale.
    let stale = app.stale_flag();
    let content = root.join("content");
    let config = root.join(crate::config::CONFIG_FILE);
    let (content_abs, config_abs) = (
        content.canonicalize().unwrap_or(content.clone()),
        config.canonicalize().unwrap_or(config.clone()),
    );
    let mut watcher = notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
        let relevant = match &event {
            Ok(e) => e
                .paths
                .iter()
                .any(|p| p.starts_with(&content_abs) || *p == config_abs),
            Err(_) => true,
        };
        if relevant {
            stale.store(true, Ordering::Release);
        }
    })
    .context("cannot watch the site's files")?;
    if content.is_dir() {
        watcher.watch(&content, notify::RecursiveMode::Recursive)?;
    }
    watcher.watch(&root, notify::RecursiveMode::NonRecursive)?;

    let site = app.current();
    reporter.info(&format!(
        "Taking comments for {} on http://{address}/ (Ctrl-C to stop)",
        if site.config.base_url.is_empty() {
            root.display().to_string()
        } else {
            site.config.base_url.clone()
        }
    ));
    if let Some(endpoint) = &site.config.comments_endpoint {
        reporter.info(&format!("Your web server should forward {endpoint} here."));
    }
    let router = http::router(app);
    // Storing a comment waits for the disk (fsync) on a blocking thread;
    // a few such threads keep the disk busy, and a crowd of them would
    // only hold memory (each thread its own allocator heap).
    let report = reporter.clone();
    crate::serve::listen::serve_until_interrupted(
        listener,
        router,
        timeout,
        16,
        Arc::new(move |m: &str| report.info(m)),
    )?;
    drop(watcher);
    Ok(())
}

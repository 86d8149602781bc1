//! Webmentions (W3C Recommendation): replies, likes and mentions written
//! on other sites, received by `glossator respond`, and sent to other
//! sites by `glossator webmention send` ([`send`]).
//!
//! Receiving: a `POST` of `source` and `target` is checked at once (the
//! target must be a post of this site, by its address or an old one; the
//! source an http(s) page) and answered `202 Accepted`; the source is then
//! fetched in the background ([`fetch`]: timeouts, a size cap, no private
//! addresses), and read ([`verify`]): a source that links to the target
//! is queued for moderation like a comment (`type = "webmention"` and
//! its kind: reply, like, repost, bookmark, mention). Each source and
//! target pair has one queue entry (its id is a hash of the two), so an
//! update replaces the earlier mention (and republishes it if it was
//! approved); a source that is gone (404, 410) or no longer links is
//! taken down.

pub mod fetch;
pub mod send;
pub mod verify;

use std::sync::Arc;

use super::store::{self, Queued, Status};
use super::{App, Refusal};

/// The queue id of a source and target pair.
pub fn mention_id(source: &str, target: &str) -> String {
    let hash = xxhash_rust::xxh3::xxh3_64(format!("{source}\0{target}").as_bytes());
    format!("wm{hash:016x}")
}

/// Checks a webmention request; on success the source is verified in the
/// background.
pub async fn receive(app: &Arc<App>, source: &str, target: &str) -> Result<(), Refusal> {
    let bad = |m: &str| Refusal::new(400, m);
    let source_url = url::Url::parse(source.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https") && u.host().is_some())
        .ok_or_else(|| bad("`source` must be an http(s) URL."))?;
    let target_url = url::Url::parse(target.trim())
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| bad("`target` must be an http(s) URL."))?;
    let site = app.site().await;
    let post = site
        .post_at(&target_url)
        .ok_or_else(|| bad("`target` is not a post of this site."))?;
    if post.mode != crate::content::post::CommentMode::Open {
        return Err(bad("This post does not take responses."));
    }
    let strip = |u: &url::Url| {
        let mut u = u.clone();
        u.set_fragment(None);
        u
    };
    if strip(&source_url) == strip(&target_url) {
        return Err(bad("`source` and `target` are the same page."));
    }
    let job = Job {
        source: source_url,
        target: target_url,
        slug: post.slug.clone(),
        permalink: post.permalink.clone(),
    };
    let app = app.clone();
    tokio::spawn(async move {
        let Ok(_turn) = app.verifying.clone().acquire_owned().await else {
            return;
        };
        let worker = app.clone();
        let outcome = tokio::task::spawn_blocking(move || verify_and_store(&worker, &job)).await;
        let message = match outcome {
            Ok(m) => m,
            Err(e) => format!("verification failed: {e}"),
        };
        app.reporter.info(&message);
        if message.contains("(published)") || message.contains("taken down") {
            let generation = app.rebuild.request();
            app.rebuild
                .wait(generation, std::time::Duration::from_secs(30))
                .await;
        }
    });
    Ok(())
}

struct Job {
    source: url::Url,
    target: url::Url,
    slug: String,
    permalink: String,
}

/// Fetches and reads the source, then queues, updates or withdraws the
/// mention. Says what happened, for the terminal.
fn verify_and_store(app: &App, job: &Job) -> String {
    let (source, target) = (job.source.as_str(), job.target.as_str());
    let id = mention_id(source, target);
    let what = format!("Webmention {id} from {source} to {target}");
    let existing = app.store.get(&id).ok();
    let page = match app.fetcher.get(source) {
        Ok(p) => p,
        Err(e) if e.contains(fetch::PRIVATE) => {
            return format!("{what}: refused: the source {e} (see --allow-private-sources)");
        }
        Err(e) => return format!("{what}: the source could not be fetched: {e}"),
    };
    let gone = matches!(page.status, 404 | 410);
    let links = !gone
        && (200..300).contains(&page.status)
        && page
            .body
            .as_deref()
            .zip(url::Url::parse(&page.url).ok())
            .is_some_and(|(html, base)| {
                if page.content_type.contains("html") || page.content_type.is_empty() {
                    verify::links_to(html, &base, &job.target)
                } else {
                    html.contains(target)
                }
            });
    if !links {
        let why = if gone {
            format!("the source is gone ({})", page.status)
        } else if !(200..300).contains(&page.status) {
            format!("the source answered {}", page.status)
        } else {
            "the source does not link to the target".to_string()
        };
        return match existing {
            Some(mut entry)
                if entry.status != Status::Gone && (gone || (200..300).contains(&page.status)) =>
            {
                match store::withdraw(&app.options.root, &app.store, &mut entry) {
                    Ok(true) => format!("{what}: {why}: taken down"),
                    Ok(false) => format!("{what}: {why}: removed from the queue"),
                    Err(e) => format!("{what}: {why}, but it could not be removed: {e:#}"),
                }
            }
            _ => format!("{what}: rejected: {why}"),
        };
    }
    let base = url::Url::parse(&page.url).unwrap_or_else(|_| job.source.clone());
    let found = verify::read_mention(page.body.as_deref().unwrap_or(""), &base, &job.target);
    let tz = app.current().config.timezone.clone();
    let date = found
        .published
        .as_deref()
        .and_then(|p| crate::date::parse_date(p, &tz).ok())
        .unwrap_or_else(|| jiff::Timestamp::now().to_zoned_datetime(tz.clone()))
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string();
    let mut entry = Queued {
        id: id.clone(),
        status: Status::Pending,
        post: job.slug.clone(),
        post_url: job.permalink.clone(),
        parent: None,
        author: found.author,
        url: found.author_url,
        email: None,
        email_hash: None,
        // As imported comments are: sanitized, then Markdown (HTML kept
        // where Markdown cannot say it), so the source's indentation is
        // never read as a code block.
        body: crate::import::html::to_markdown(&crate::sanitize::sanitize_html(&found.content))
            .text()
            .trim()
            .to_string(),
        date,
        client: String::new(),
        user_agent: None,
        reason: None,
        kind: Some("webmention".into()),
        mention: Some(found.mention.into()),
        source: Some(source.to_string()),
    };
    let result = match existing {
        // The writer approved this source before: the update goes live.
        Some(old) if old.status == Status::Approved => {
            entry.client = old.client;
            store::publish(&app.options.root, &app.store, &mut entry).map(|_| {
                format!(
                    "{what}: a {} by {}, updated (published)",
                    found.mention, entry.author
                )
            })
        }
        // Turned down stays turned down, with the new text for the record.
        Some(old) if matches!(old.status, Status::Rejected | Status::Spam) => {
            entry.status = old.status;
            app.store
                .save(&entry)
                .map(|()| format!("{what}: updated, still {}", old.status.name()))
        }
        Some(_) => app.store.save(&entry).map(|()| {
            format!(
                "{what}: a {} by {}, updated, waiting (glossator comments show {id})",
                found.mention, entry.author
            )
        }),
        None => app.store.add(&entry).map(|()| {
            format!(
                "{what}: a {} by {}, waiting (glossator comments show {id})",
                found.mention, entry.author
            )
        }),
    };
    result.unwrap_or_else(|e| format!("{what}: could not be stored: {e:#}"))
}

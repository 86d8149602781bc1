//! The moderation queue: one JSON file per received comment under
//! `.glossator/respond/queue/`, and the keyed hashes of trusted
//! commenters' emails under `.glossator/respond/trusted/`.
//!
//! The queue is the comments' private store: it alone holds email
//! addresses, and lives outside `content/` (and is ignored by git), so an
//! address never reaches a repository or the built site. A comment is
//! published by [`publish`], which writes the ordinary comment file
//! `content/comments/<post>/<id>.md` (no email) and marks the entry
//! approved. Entries are written to a temporary file, synced and linked
//! into place, so a crash leaves a whole entry or none, and two writers
//! can never overwrite each other: every id is drawn at random by the
//! service, never chosen by a visitor, and a new entry is only linked to
//! a name that is free.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};

use super::key::private_dir;
use crate::output::atomic::{Place, Sync};

/// Where a received comment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    /// Waiting for the writer.
    Pending,
    /// Held by the service's spam rules, or marked by the writer.
    Spam,
    /// Published as a comment file.
    Approved,
    Rejected,
    /// A webmention whose source no longer links here (or is gone).
    Gone,
}

impl Status {
    pub fn name(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::Spam => "spam",
            Status::Approved => "approved",
            Status::Rejected => "rejected",
            Status::Gone => "gone",
        }
    }
}

/// One received comment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Queued {
    pub id: String,
    pub status: Status,
    /// The post's slug (its comment folder).
    pub post: String,
    /// The post's address, for the writer's eyes.
    pub post_url: String,
    pub parent: Option<String>,
    pub author: String,
    pub url: Option<String>,
    /// Private: never written anywhere else.
    pub email: Option<String>,
    /// The keyed hash of `email` (see `key::Key::email_hash`).
    pub email_hash: Option<String>,
    /// Markdown, as typed (sanitized when rendered, as every comment).
    pub body: String,
    /// RFC 3339 in the site's time zone.
    pub date: String,
    /// The client's address as the service saw it (after trusted proxies).
    pub client: String,
    pub user_agent: Option<String>,
    /// Why the service held it (`too many links`), if it did.
    pub reason: Option<String>,
    /// `webmention` for a response written on another site.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Webmentions: `reply`, `like`, `repost`, `bookmark` or `mention`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mention: Option<String>,
    /// Webmentions: the page that mentioned the post.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
}

/// The queue folder and the trusted-commenter folder.
#[derive(Debug, Clone)]
pub struct Store {
    queue: PathBuf,
    trusted: PathBuf,
}

/// A new comment id: 12 random lowercase hex digits, prefixed so it
/// never starts with a digit (it becomes an HTML id).
pub fn new_id() -> anyhow::Result<String> {
    let mut bytes = [0u8; 6];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
    let mut id = String::from("r");
    for b in bytes {
        id.push_str(&format!("{b:02x}"));
    }
    Ok(id)
}

/// Ids the queue accepts from the command line: what [`new_id`] makes.
fn check_id(id: &str) -> anyhow::Result<()> {
    if id.is_empty()
        || id.len() > 40
        || !id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        bail!("`{id}` is not a comment id (see `glossator comments list`)");
    }
    Ok(())
}

/// Queue files are synced before they appear: the commenter was told
/// their comment is kept.
fn write_atomic(path: &Path, bytes: &[u8], replace: bool) -> anyhow::Result<()> {
    let place = if replace { Place::Replace } else { Place::New };
    crate::output::atomic::write_atomic(path, bytes, place, Sync::Durable)
}

impl Store {
    /// The site's queue, made if it is not there.
    pub fn open(root: &Path) -> anyhow::Result<Store> {
        let dir = private_dir(root)?;
        let store = Store {
            queue: dir.join("queue"),
            trusted: dir.join("trusted"),
        };
        std::fs::create_dir_all(&store.queue)?;
        std::fs::create_dir_all(&store.trusted)?;
        Ok(store)
    }

    fn path(&self, id: &str) -> PathBuf {
        self.queue.join(format!("{id}.json"))
    }

    /// Adds a new entry; fails rather than replace one with its id.
    pub fn add(&self, entry: &Queued) -> anyhow::Result<()> {
        check_id(&entry.id)?;
        write_atomic(
            &self.path(&entry.id),
            &serde_json::to_vec_pretty(entry)?,
            false,
        )
    }

    /// Saves a changed entry over the old one.
    pub fn save(&self, entry: &Queued) -> anyhow::Result<()> {
        check_id(&entry.id)?;
        write_atomic(
            &self.path(&entry.id),
            &serde_json::to_vec_pretty(entry)?,
            true,
        )
    }

    pub fn get(&self, id: &str) -> anyhow::Result<Queued> {
        check_id(id)?;
        let path = self.path(id);
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                bail!("no comment `{id}` in the queue (see `glossator comments list --all`)")
            }
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        };
        serde_json::from_slice(&bytes).with_context(|| format!("{} is damaged", path.display()))
    }

    /// Every entry, oldest first; damaged files are returned as errors
    /// beside the rest.
    pub fn all(&self) -> anyhow::Result<(Vec<Queued>, Vec<String>)> {
        let mut entries = Vec::new();
        let mut damaged = Vec::new();
        for item in std::fs::read_dir(&self.queue)
            .with_context(|| format!("cannot read {}", self.queue.display()))?
        {
            let path = item?.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            match std::fs::read(&path)
                .map_err(anyhow::Error::from)
                .and_then(|b| Ok(serde_json::from_slice::<Queued>(&b)?))
            {
                Ok(q) => entries.push(q),
                Err(e) => damaged.push(format!("{}: {e:#}", path.display())),
            }
        }
        entries.sort_by(|a, b| a.date.cmp(&b.date).then_with(|| a.id.cmp(&b.id)));
        Ok((entries, damaged))
    }

    /// Remembers a commenter (by their email's keyed hash) as approved.
    pub fn trust(&self, email_hash: &str) -> anyhow::Result<()> {
        if !email_hash.chars().all(|c| c.is_ascii_hexdigit()) || email_hash.is_empty() {
            bail!("not an email hash");
        }
        let path = self.trusted.join(email_hash);
        if !path.exists() {
            write_atomic(&path, b"", true)?;
        }
        Ok(())
    }

    pub fn is_trusted(&self, email_hash: &str) -> bool {
        email_hash.chars().all(|c| c.is_ascii_hexdigit())
            && !email_hash.is_empty()
            && self.trusted.join(email_hash).is_file()
    }
}

/// The comment file an entry becomes: its path inside the site and text.
pub fn comment_file(entry: &Queued) -> anyhow::Result<(PathBuf, String)> {
    check_id(&entry.id)?;
    if entry.post.is_empty() || entry.post.contains(['/', '\\']) || entry.post.starts_with('.') {
        bail!("the post `{}` is not a comment folder", entry.post);
    }
    let mut fm = toml::Table::new();
    fm.insert("id".into(), entry.id.clone().into());
    fm.insert("author".into(), entry.author.clone().into());
    if let Some(url) = &entry.url {
        fm.insert("url".into(), url.clone().into());
    }
    let date: toml::value::Datetime = entry
        .date
        .parse()
        .with_context(|| format!("the entry's date `{}` is not RFC 3339", entry.date))?;
    fm.insert("date".into(), toml::Value::Datetime(date));
    if let Some(parent) = &entry.parent {
        fm.insert("parent".into(), parent.clone().into());
    }
    if let Some(kind) = &entry.kind {
        fm.insert("type".into(), kind.clone().into());
    }
    if let Some(mention) = &entry.mention {
        fm.insert("mention".into(), mention.clone().into());
    }
    if let Some(source) = &entry.source {
        fm.insert("source".into(), source.clone().into());
    }
    let text = format!(
        "+++\n{}+++\n\n{}\n",
        toml::to_string(&fm)?,
        entry.body.trim()
    );
    Ok((
        PathBuf::from("content/comments")
            .join(&entry.post)
            .join(format!("{}.md", entry.id)),
        text,
    ))
}

/// Publishes an entry: writes its comment file, trusts its author's
/// email, and marks it approved in the queue.
pub fn publish(root: &Path, store: &Store, entry: &mut Queued) -> anyhow::Result<PathBuf> {
    let (rel, text) = comment_file(entry)?;
    write_atomic(&root.join(&rel), text.as_bytes(), true)?;
    if let Some(hash) = &entry.email_hash {
        store.trust(hash)?;
    }
    entry.status = Status::Approved;
    entry.reason = None;
    store.save(entry)?;
    Ok(rel)
}

/// Takes a comment down: removes its comment file (if it was published)
/// and marks it gone. Gives whether a file was removed.
pub fn withdraw(root: &Path, store: &Store, entry: &mut Queued) -> anyhow::Result<bool> {
    let (rel, _) = comment_file(entry)?;
    let removed = match std::fs::remove_file(root.join(&rel)) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => false,
        Err(e) => return Err(e).with_context(|| format!("cannot remove {}", rel.display())),
    };
    entry.status = Status::Gone;
    store.save(entry)?;
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(id: &str) -> Queued {
        Queued {
            id: id.into(),
            status: Status::Pending,
            post: "fish-for-ports".into(),
            post_url: "https://example.com/2026/03/03/fish-for-ports/".into(),
            parent: Some("c2".into()),
            author: "A \"quoted\" reader".into(),
            url: Some("https://reader.example/".into()),
            email: Some("reader@example.org".into()),
            email_hash: Some("ab12".into()),
            body: "+++\nid = \"evil\"\n+++\nStill *just* the body.".into(),
            date: "2026-03-04T09:15:00-05:00".into(),
            client: "192.0.2.1".into(),
            user_agent: None,
            reason: None,
            kind: None,
            mention: None,
            source: None,
        }
    }

    #[test]
    fn entries_are_added_once_and_saved_over() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = Store::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let mut e = entry("r0123456789ab");
        store.add(&e).unwrap_or_else(|e| panic!("{e}"));
        assert!(store.add(&e).is_err(), "a second add must not overwrite");
        e.status = Status::Spam;
        store.save(&e).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            store
                .get("r0123456789ab")
                .unwrap_or_else(|e| panic!("{e}"))
                .status,
            Status::Spam
        );
        assert!(store.get("../../etc/passwd").is_err());
        let (all, damaged) = store.all().unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(all.len(), 1);
        assert!(damaged.is_empty());
    }

    #[test]
    fn the_comment_file_has_no_email_and_parses_back() {
        let e = entry("r0123456789ab");
        let (path, text) = comment_file(&e).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(
            path,
            PathBuf::from("content/comments/fish-for-ports/r0123456789ab.md")
        );
        assert!(!text.contains("reader@example.org"));
        let split = crate::content::front_matter::split(&text).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(split.body.contains("Still *just* the body."));
        assert!(split.front.contains("id = \"r0123456789ab\""));
        assert!(!split.front.contains("evil"));
    }

    #[test]
    fn publishing_trusts_the_author() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let store = Store::open(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let mut e = entry("r0123456789ab");
        store.add(&e).unwrap_or_else(|e| panic!("{e}"));
        assert!(!store.is_trusted("ab12"));
        publish(dir.path(), &store, &mut e).unwrap_or_else(|e| panic!("{e}"));
        assert!(store.is_trusted("ab12"));
        assert!(!store.is_trusted("../x"));
        assert_eq!(e.status, Status::Approved);
        assert!(
            dir.path()
                .join("content/comments/fish-for-ports/r0123456789ab.md")
                .is_file()
        );
    }
}

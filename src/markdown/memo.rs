//! Rendered bodies remembered between builds.
//!
//! Rendering Markdown is most of the parse stage (about four fifths of it
//! at 10,000 posts), and a blog's old posts do not change. So what
//! [`render`](super::render) makes of a body (its HTML, summary, headings,
//! commentary findings, links and problems) is remembered by a hash of
//! everything that decides it: the binary ([`crate::identity`]: a new
//! glossator renders everything again), the body, and every field of the
//! [`RenderContext`] (the page's path, the base path, highlighting, the
//! summary rule, the post's declared sources, the time zone and the day).
//!
//! `glossator build` and `serve` [`load`] `.glossator/cache/markdown`
//! before parsing and [`save`] it once parsed, then let it go, so it costs
//! memory only while posts are parsed. Like the highlight cache it is only
//! a memo: deleting it changes no output, a damaged or foreign file is
//! ignored whole, and it is replaced atomically (the format is
//! [`super::cache_file`]'s, kind `glossator-markdown 1`).
//!
//! A site's first build (no file yet) records nothing and leaves an empty
//! file; builds after it record, and use what the one before recorded.
//! So a deploy from a clean checkout, which builds once, never pays for
//! recording (a copy of every body's HTML, written to disk), while a
//! writer's repeated builds skip Markdown for every unchanged post.
//!
//! An entry is the fields of [`Rendered`] and the problems in a fixed
//! order ([`encode`]), compressed with LZ4 ([`pack`]: `lz4_flex`, pure
//! Rust, for its decompression speed: a memo of 10,000 posts goes from
//! about 115 MB to a third, read back in a fraction of the parse), with the highlighted blocks the body used: a body
//! is taken from the memo only while the highlight cache holds them all
//! (and marks them used, so it keeps them), so the two never disagree. It is written by hand rather than through
//! serde: these types' serde shapes are the templates' (heading positions
//! are skipped), and the file needs every field.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{LazyLock, RwLock};

use xxhash_rust::xxh3::Xxh3;

use super::highlight::cache as highlight_cache;
use super::{
    BodyHtml, CitedQuote, CommentaryContext, Findings, Heading, InlineUpdate, LinkRef,
    MarkdownProblem, RenderContext, Rendered, cache_file,
};

const MAGIC: &[u8] = b"glossator-markdown 1\n";

/// Where a site keeps the memo, relative to its root.
pub const MEMO_FILE: &str = ".glossator/cache/markdown";

struct Entry {
    bytes: Bytes,
    /// Asked for since the load.
    used: AtomicBool,
}

/// Where an entry's bytes are: in the file read at the load, or its own.
enum Bytes {
    File(std::ops::Range<usize>),
    Own(Box<[u8]>),
}

#[derive(Default)]
struct Memo {
    /// Between [`load`] and [`save`]: only then are bodies looked up and
    /// recorded.
    active: bool,
    /// The site whose memo was loaded: only its save writes it.
    root: Option<std::path::PathBuf>,
    /// Whether new bodies are recorded (the site had a memo file).
    records: bool,
    /// The file as read at the load.
    file: Vec<u8>,
    entries: HashMap<u128, Entry>,
    added: usize,
    /// Bodies taken from the memo since the load.
    taken: std::sync::atomic::AtomicUsize,
}

impl Memo {
    fn bytes<'a>(&'a self, entry: &'a Entry) -> &'a [u8] {
        match &entry.bytes {
            Bytes::File(range) => &self.file[range.clone()],
            Bytes::Own(bytes) => bytes,
        }
    }
}

/// A memo of rendered bodies. The process has one ([`load`], [`save`],
/// [`render`]); tests make their own.
#[derive(Default)]
pub struct BodyMemo(RwLock<Memo>);

static MEMO: LazyLock<BodyMemo> = LazyLock::new(Default::default);

/// Reads the site's memo into the process's ([`BodyMemo::load`]).
pub fn load(root: &Path) -> usize {
    MEMO.load(root)
}

/// Saves the process's memo to the site's and lets it go
/// ([`BodyMemo::save`]).
pub fn save(root: &Path) -> std::io::Result<()> {
    MEMO.save(root)
}

/// How many bodies the process's memo gave since its load.
pub fn taken() -> usize {
    MEMO.read().taken.load(Ordering::Relaxed)
}

/// [`super::render`], through the process's memo when one is loaded.
pub fn render(body: &str, ctx: &RenderContext<'_>) -> (Rendered, Vec<MarkdownProblem>) {
    MEMO.render(body, ctx)
}

impl BodyMemo {
    fn read(&self) -> std::sync::RwLockReadGuard<'_, Memo> {
        self.0.read().unwrap_or_else(|e| e.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Memo> {
        self.0.write().unwrap_or_else(|e| e.into_inner())
    }

    /// Reads the site's memo, replacing what this one held. Returns the
    /// number of bodies read.
    pub fn load(&self, root: &Path) -> usize {
        let file = cache_file::read(root, MEMO_FILE);
        let records = file.is_some();
        let file = file.unwrap_or_default();
        let base = file.as_ptr() as usize;
        let entries = cache_file::entries(&file, MAGIC)
            .unwrap_or_default()
            .into_iter()
            .map(|(key, bytes)| {
                let start = bytes.as_ptr() as usize - base;
                let entry = Entry {
                    bytes: Bytes::File(start..start + bytes.len()),
                    used: AtomicBool::new(false),
                };
                (key, entry)
            })
            .collect();
        let mut memo = self.write();
        *memo = Memo {
            active: true,
            root: Some(root.to_path_buf()),
            // A damaged file still says the site is built here again.
            records,
            file,
            entries,
            added: 0,
            taken: 0.into(),
        };
        memo.entries.len()
    }

    /// Writes the bodies used since the load (and those recorded) to the
    /// site's memo when that changes it, and lets the memo go: later
    /// renders are not remembered. Errors are for the caller to report as
    /// a warning: the memo never fails a build.
    pub fn save(&self, root: &Path) -> std::io::Result<()> {
        let memo = {
            let mut held = self.write();
            if !held.active || held.root.as_deref() != Some(root) {
                return Ok(());
            }
            std::mem::take(&mut *held)
        };
        let mut used: Vec<(u128, &[u8])> = memo
            .entries
            .iter()
            .filter(|(_, e)| e.used.load(Ordering::Relaxed))
            .map(|(k, e)| (*k, memo.bytes(e)))
            .collect();
        // With no file before, an empty one says to record next time.
        let written = if memo.records && memo.added == 0 && used.len() == memo.entries.len() {
            Ok(())
        } else {
            used.sort_unstable_by_key(|(k, _)| *k);
            cache_file::write(root, MEMO_FILE, MAGIC, used)
        };
        // Freed on a thread of its own: a large site's memo is thousands
        // of buffers, and the caller goes on to index and render. (Where
        // no thread can be started, the closure and the memo are dropped
        // here.)
        let _ = std::thread::Builder::new().spawn(move || drop(memo));
        written
    }

    /// [`super::render`], through this memo when it is loaded.
    pub fn render(&self, body: &str, ctx: &RenderContext<'_>) -> (Rendered, Vec<MarkdownProblem>) {
        let (key, records) = {
            let memo = self.read();
            if !memo.active {
                drop(memo);
                return super::render(body, ctx);
            }
            let key = key(body, ctx);
            // A body whose highlighted blocks the highlight cache lost is
            // rendered again, so that cache gets them back.
            if let Some(entry) = memo.entries.get(&key)
                && let Some((rendered, problems, blocks)) =
                    unpack(memo.bytes(entry)).as_deref().and_then(decode)
                && highlight_cache::mark_used(&blocks)
            {
                entry.used.store(true, Ordering::Relaxed);
                memo.taken.fetch_add(1, Ordering::Relaxed);
                return (rendered, problems);
            }
            (key, memo.records)
        };
        let ((rendered, problems), blocks) =
            highlight_cache::recording(|| super::render(body, ctx));
        if records {
            let bytes = pack(&encode(&rendered, &problems, &blocks));
            let mut memo = self.write();
            if memo.active {
                let entry = Entry {
                    bytes: Bytes::Own(bytes.into()),
                    used: AtomicBool::new(true),
                };
                if memo.entries.insert(key, entry).is_none() {
                    memo.added += 1;
                }
            }
        }
        (rendered, problems)
    }
}

/// Everything a body's rendering depends on.
fn key(body: &str, ctx: &RenderContext<'_>) -> u128 {
    // Every field, by name: a field added to the context must be added
    // here too, or this stops compiling.
    let RenderContext {
        page_path,
        base_path,
        highlight,
        whole_summary,
        commentary:
            CommentaryContext {
                sources,
                timezone,
                day,
            },
    } = ctx;
    let mut h = Xxh3::new();
    for part in [crate::identity::binary(), body, page_path, base_path] {
        hash_text(&mut h, part);
    }
    h.update(&[u8::from(*highlight), u8::from(*whole_summary)]);
    h.update(&sources.len().to_le_bytes());
    for (name, source) in sources.iter() {
        hash_text(&mut h, name);
        hash_source(&mut h, source);
    }
    // The zone and day through their `Debug` text, which shows every
    // field (the zone's rules are the binary's bundled database).
    write!(Hashing(&mut h), "{timezone:?}\0{day:?}").ok();
    h.digest128()
}

/// Feeds a declared source to `h`, every field by name (a field added to
/// [`Source`] does not compile until it is placed here): texts with their
/// lengths, optional values with a presence byte, dates through their
/// `Debug` text, which shows the instant, the offset and the zone. (Each
/// source went through `Debug` whole before, which escapes text char by
/// char: a 10,000-post build ran 1.3% fewer instructions without it.)
fn hash_source(h: &mut Xxh3, source: &crate::markdown::source::Source) {
    let crate::markdown::source::Source {
        id,
        publication,
        author,
        title,
        url,
        date,
        retrieved,
        archive,
        snapshot,
    } = source;
    hash_text(h, id);
    for text in [publication, author, title, url, archive] {
        h.update(&[u8::from(text.is_some())]);
        if let Some(text) = text {
            hash_text(h, text);
        }
    }
    for date in [date, retrieved] {
        h.update(&[u8::from(date.is_some())]);
        if let Some(date) = date {
            write!(Hashing(h), "{date:?}\0").ok();
        }
    }
    h.update(&[u8::from(snapshot.is_some())]);
    if let Some((path, (line, column))) = snapshot {
        hash_bytes(h, path.as_os_str().as_encoded_bytes());
        h.update(&line.to_le_bytes());
        h.update(&column.to_le_bytes());
    }
}

/// Feeds text to `h`, its length first.
fn hash_text(h: &mut Xxh3, text: &str) {
    hash_bytes(h, text.as_bytes());
}

/// Feeds bytes to `h`, their length first.
fn hash_bytes(h: &mut Xxh3, bytes: &[u8]) {
    h.update(&bytes.len().to_le_bytes());
    h.update(bytes);
}

/// Feeds formatted text to a hasher.
struct Hashing<'a>(&'a mut Xxh3);

impl std::fmt::Write for Hashing<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.update(s.as_bytes());
        Ok(())
    }
}

/// Writes fields in order: numbers as little-endian `u64`, text as its
/// length and bytes, optional text with a presence byte.
struct Out(Vec<u8>);

impl Out {
    fn num(&mut self, n: usize) {
        self.0.extend_from_slice(&(n as u64).to_le_bytes());
    }
    fn flag(&mut self, b: bool) {
        self.0.push(u8::from(b));
    }
    fn text(&mut self, s: &str) {
        self.num(s.len());
        self.0.extend_from_slice(s.as_bytes());
    }
    fn maybe(&mut self, s: Option<&str>) {
        self.flag(s.is_some());
        if let Some(s) = s {
            self.text(s);
        }
    }
}

/// Reads what [`Out`] wrote; `None` at any mismatch.
struct In<'a>(&'a [u8]);

impl<'a> In<'a> {
    fn num(&mut self) -> Option<usize> {
        let (n, rest) = self.0.split_first_chunk::<8>()?;
        self.0 = rest;
        usize::try_from(u64::from_le_bytes(*n)).ok()
    }
    fn flag(&mut self) -> Option<bool> {
        let (b, rest) = self.0.split_first()?;
        self.0 = rest;
        match b {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }
    fn str(&mut self) -> Option<&'a str> {
        let len = self.num()?;
        if self.0.len() < len {
            return None;
        }
        let (s, rest) = self.0.split_at(len);
        self.0 = rest;
        std::str::from_utf8(s).ok()
    }
    fn text(&mut self) -> Option<String> {
        self.str().map(str::to_string)
    }
    fn maybe(&mut self) -> Option<Option<String>> {
        Some(if self.flag()? {
            Some(self.text()?)
        } else {
            None
        })
    }
    /// A count of items that each take at least `min` bytes, checked
    /// against what is left (so a bad count cannot ask for a huge `Vec`).
    fn count(&mut self, min: usize) -> Option<usize> {
        let n = self.num()?;
        (n.checked_mul(min)? <= self.0.len()).then_some(n)
    }
    fn list<T>(
        &mut self,
        min: usize,
        mut item: impl FnMut(&mut Self) -> Option<T>,
    ) -> Option<Vec<T>> {
        let n = self.count(min)?;
        (0..n).map(|_| item(self)).collect()
    }
}

/// An entry as stored: LZ4-compressed (HTML shrinks to about a third),
/// after its length as a little-endian `u32`.
fn pack(entry: &[u8]) -> Vec<u8> {
    lz4_flex::compress_prepend_size(entry)
}

/// [`pack`] undone; `None` when the bytes are not a packed entry, or claim
/// a length no LZ4 block of theirs could expand to.
fn unpack(stored: &[u8]) -> Option<Vec<u8>> {
    let (len, block) = stored.split_first_chunk::<4>()?;
    let len = u32::from_le_bytes(*len) as usize;
    // LZ4 expands a byte to at most 255.
    if len > block.len().saturating_mul(255) {
        return None;
    }
    lz4_flex::decompress(block, len).ok()
}

/// One body's entry, uncompressed.
fn encode(r: &Rendered, problems: &[MarkdownProblem], blocks: &[u128]) -> Vec<u8> {
    let html = r.html.get();
    let mut o = Out(Vec::with_capacity(
        html.len() + r.summary_html.len() + r.summary_text.len() + 256,
    ));
    o.text(&html);
    o.text(&r.summary_html);
    o.text(&r.summary_text);
    o.flag(r.has_more);
    o.num(r.words);
    o.num(r.quoted_words);
    o.num(r.headings.len());
    for h in &r.headings {
        o.num(usize::from(h.level));
        o.text(&h.id);
        o.text(&h.text);
        o.flag(h.explicit);
        o.num(h.line);
        o.num(h.col);
    }
    let f = &r.commentary;
    o.num(f.quotes.len());
    for q in &f.quotes {
        o.maybe(q.source.as_deref());
        o.maybe(q.author.as_deref());
        o.maybe(q.url.as_deref());
        o.num(q.offset);
        o.num(q.start);
        o.text(&q.text);
    }
    o.num(f.inline_updates.len());
    for u in &f.inline_updates {
        o.maybe(u.at.as_ref().map(ToString::to_string).as_deref());
        o.num(u.offset);
    }
    o.num(f.sources_used.len());
    for s in &f.sources_used {
        o.text(s);
    }
    o.num(f.unknown_sources.len());
    for (id, offset) in &f.unknown_sources {
        o.text(id);
        o.num(*offset);
    }
    o.num(r.links.len());
    for l in &r.links {
        o.text(&l.url);
        o.num(l.line);
        o.num(l.col);
    }
    o.num(problems.len());
    for p in problems {
        o.num(p.offset);
        o.text(&p.message);
        o.maybe(p.hint.as_deref());
        o.flag(p.warning);
    }
    o.num(blocks.len());
    for b in blocks {
        o.0.extend_from_slice(&b.to_le_bytes());
    }
    o.0
}

type Decoded = (Rendered, Vec<MarkdownProblem>, Vec<u128>);

/// An entry back; `None` when it does not read as one (then the body is
/// rendered).
fn decode(bytes: &[u8]) -> Option<Decoded> {
    let mut i = In(bytes);
    let html = i.str()?;
    let summary_html = i.text()?;
    let summary_text = i.text()?;
    let has_more = i.flag()?;
    let words = i.num()?;
    let quoted_words = i.num()?;
    let headings = i.list(8 + 8 + 8 + 1 + 8 + 8, |i| {
        Some(Heading {
            level: u8::try_from(i.num()?).ok()?,
            id: i.text()?,
            text: i.text()?,
            explicit: i.flag()?,
            line: i.num()?,
            col: i.num()?,
        })
    })?;
    let quotes = i.list(3 + 8 + 8 + 8, |i| {
        Some(CitedQuote {
            source: i.maybe()?,
            author: i.maybe()?,
            url: i.maybe()?,
            offset: i.num()?,
            start: i.num()?,
            text: i.text()?,
        })
    })?;
    let inline_updates = i.list(1 + 8, |i| {
        Some(InlineUpdate {
            at: match i.maybe()? {
                Some(at) => Some(at.parse().ok()?),
                None => None,
            },
            offset: i.num()?,
        })
    })?;
    let sources_used = i.list(8, In::text)?.into_iter().collect();
    let unknown_sources = i.list(16, |i| Some((i.text()?, i.num()?)))?;
    let links = i.list(24, |i| {
        Some(LinkRef {
            url: i.text()?,
            line: i.num()?,
            col: i.num()?,
        })
    })?;
    let problems = i.list(8 + 8 + 1 + 1, |i| {
        Some(MarkdownProblem {
            offset: i.num()?,
            message: i.text()?,
            hint: i.maybe()?,
            warning: i.flag()?,
        })
    })?;
    let blocks = i.list(16, |i| {
        let (b, rest) = i.0.split_first_chunk::<16>()?;
        i.0 = rest;
        Some(u128::from_le_bytes(*b))
    })?;
    if !i.0.is_empty() {
        return None;
    }
    let rendered = Rendered {
        html: BodyHtml::new(html),
        summary_html,
        summary_text,
        has_more,
        words,
        quoted_words,
        headings,
        commentary: Findings {
            quotes,
            inline_updates,
            sources_used,
            unknown_sources,
        },
        links,
    };
    Some((rendered, problems, blocks))
}

#[cfg(test)]
#[path = "memo_tests.rs"]
mod tests;

//! Posts and pages: the resolved types the rest of the build uses.
//!
//! [`parse_post`] and [`parse_page`] (in `parse` and `page`) are pure
//! functions of one file's text and the config, so the build runs them in
//! parallel and `serve` can cache them by content hash. They turn what the
//! writer wrote ([`crate::content::front_matter::RawPost`]) into what the
//! build uses ([`Post`], [`Page`]): dates read in the site's time zone, the
//! kind inferred, the slug checked, the URL made from the permalink pattern
//! or the post's own. Every problem in the file is reported, each at its
//! own line.

use std::path::PathBuf;

use jiff::ZonedDateTime;

use crate::markdown::Rendered;
pub use crate::markdown::{Source, Sources};
pub use crate::urls::{ALIAS_HINT, alias_url, check_slug};

mod page;
mod parse;

pub use page::parse_page;
pub use parse::parse_post;

/// The four kinds of post.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Entry,
    Link,
    Quote,
    Note,
}

impl Kind {
    pub const ALL: [Kind; 4] = [Kind::Entry, Kind::Link, Kind::Quote, Kind::Note];

    pub fn name(self) -> &'static str {
        match self {
            Kind::Entry => "entry",
            Kind::Link => "link",
            Kind::Quote => "quote",
            Kind::Note => "note",
        }
    }

    /// Whether the kind has a list page of its own (`/links/`, `/quotes/`,
    /// `/notes/`). Entries do not: they are what the home page lists.
    pub fn has_list(self) -> bool {
        self != Kind::Entry
    }

    /// The URL segment of the kind's list page (`/links/`).
    pub fn plural(self) -> &'static str {
        match self {
            Kind::Entry => "entries",
            Kind::Link => "links",
            Kind::Quote => "quotes",
            Kind::Note => "notes",
        }
    }

    pub fn parse(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }
}

/// `comments = "open" | "closed" | "off"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentMode {
    Open,
    Closed,
    Off,
}

impl CommentMode {
    pub fn parse(name: &str) -> Option<CommentMode> {
        match name {
            "open" => Some(CommentMode::Open),
            "closed" => Some(CommentMode::Closed),
            "off" => Some(CommentMode::Off),
            _ => None,
        }
    }
}

/// A timestamped update from front matter.
#[derive(Debug, Clone, PartialEq)]
pub struct Update {
    pub at: ZonedDateTime,
    /// The note as written (Markdown).
    pub note: String,
    /// The note as inline HTML.
    pub note_html: String,
}

/// Credit for a link post: who pointed the way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Via {
    pub name: String,
    pub url: Option<String>,
}

/// A post, resolved.
#[derive(Debug, Clone)]
pub struct Post {
    /// Site-relative source path.
    pub source: PathBuf,
    /// Hash of the source path and text ([`SourceFile::content_hash`]).
    pub source_hash: u64,
    /// Hash of what gives the post its place in the index and the plan
    /// (see [`Post::index_hash`]).
    pub index_hash: u64,
    /// Hash of what the plan reads of the post (see
    /// [`Post::hash_plan_inputs`]).
    pub plan_hash: u64,
    /// For `slug/index.md` bundles, the bundle folder (site-relative).
    pub bundle: Option<PathBuf>,
    pub kind: Kind,
    pub title: String,
    /// True when the title was made up (quotes and notes without one).
    pub title_derived: bool,
    pub slug: String,
    /// Site path, e.g. `/2009/03/03/links-to-linkage/`.
    pub url: String,
    pub date: ZonedDateTime,
    pub updated: Option<ZonedDateTime>,
    pub draft: bool,
    /// Listed first on the home page (WordPress's sticky posts).
    pub pinned: bool,
    pub tags: Vec<String>,
    /// Slugs of `tags`, in the same order (worked out once, here).
    pub tag_slugs: Vec<String>,
    pub categories: Vec<String>,
    pub category_slugs: Vec<String>,
    pub series: Option<String>,
    pub summary_override: Option<String>,
    pub description: Option<String>,
    /// What views show as its `description` ([`meta_description`]), made
    /// once when the post is parsed: each post's view is made two or three
    /// times a build.
    pub meta_description: String,
    pub image: Option<String>,
    pub aliases: Vec<String>,
    pub link: Option<String>,
    pub via: Option<Via>,
    pub sources: Sources,
    pub updates: Vec<Update>,
    pub comments: CommentMode,
    pub template: Option<String>,
    /// Where `template` is written, for "template not found".
    pub template_at: Option<(usize, usize)>,
    pub author: Option<String>,
    pub extra: serde_json::Value,
    pub body: Rendered,
    /// The file line the body starts on (body line 1).
    pub body_line: usize,
}

/// What a view shows as a post's or page's `description`: its own, else
/// the first 50 words of its summary's plain text.
pub fn meta_description(own: Option<&str>, summary_text: &str) -> String {
    own.map_or_else(
        || crate::markdown::first_words(summary_text, 50),
        String::from,
    )
}

impl Post {
    /// When the post last changed: its `updated` date, else its date.
    pub fn last_changed(&self) -> jiff::Timestamp {
        self.updated.as_ref().unwrap_or(&self.date).timestamp()
    }

    /// What decides the post's place in the index and the plan: its date,
    /// slug, URL, title when it has aliases (alias pages show it; nothing
    /// else in the index or plan does), kind, draft and pinned
    /// flags, comment mode, series, template, tags, categories and
    /// aliases. When an edit keeps it, a session keeps the last index and
    /// plan and swaps the new post in (`serve`'s fast path); the render
    /// stage then finds what the edit reaches from the pages' recorded
    /// reads, not from this list.
    /// What the plan reads of the post (`render::plan::plan_site`; keep
    /// the two in step): its kind, template, file, URL, title (collision
    /// messages and alias pages name the post), comment mode, pinned flag
    /// and aliases. Made once, when the post is parsed, so that a session
    /// can tell whether planning again would give the last plan without
    /// hashing every post's fields on every edit.
    pub(super) fn hash_plan_inputs(&self) -> u64 {
        use std::hash::Hasher as _;
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        hash_text(&mut h, self.kind.name());
        hash_text(&mut h, self.template.as_deref().unwrap_or("\0"));
        if let Some((line, col)) = self.template_at {
            h.write_usize(line);
            h.write_usize(col);
        }
        let source = self.source.as_os_str().as_encoded_bytes();
        h.write_usize(source.len());
        h.update(source);
        hash_text(&mut h, &self.url);
        hash_text(&mut h, &self.title);
        h.write_u8(self.comments as u8);
        h.write_u8(u8::from(self.pinned));
        h.write_usize(self.aliases.len());
        for a in &self.aliases {
            hash_text(&mut h, a);
        }
        h.digest()
    }

    pub(super) fn hash_index_place(&self) -> u64 {
        use std::hash::Hasher as _;
        let mut h = xxhash_rust::xxh3::Xxh3::new();
        let title = if self.aliases.is_empty() {
            ""
        } else {
            self.title.as_str()
        };
        for s in [
            title,
            self.url.as_str(),
            self.kind.name(),
            self.slug.as_str(),
            self.series.as_deref().unwrap_or(""),
            self.template.as_deref().unwrap_or(""),
        ] {
            hash_text(&mut h, s);
        }
        h.write_i64(self.date.timestamp().as_second());
        h.write_u8(u8::from(self.draft));
        h.write_u8(u8::from(self.pinned));
        h.write_u8(self.comments as u8);
        for list in [&self.tags, &self.categories, &self.aliases] {
            h.write_usize(list.len());
            for s in list {
                hash_text(&mut h, s);
            }
        }
        h.digest()
    }
}

/// Feeds `s` to `h` with its length first, so that two fields can never
/// run together into the same bytes.
fn hash_text(h: &mut xxhash_rust::xxh3::Xxh3, s: &str) {
    use std::hash::Hasher as _;
    h.write_usize(s.len());
    h.update(s.as_bytes());
}

/// A stand-alone page such as `/about/`.
#[derive(Debug, Clone)]
pub struct Page {
    pub source: PathBuf,
    pub source_hash: u64,
    pub bundle: Option<PathBuf>,
    pub title: String,
    pub slug: String,
    pub url: String,
    pub date: Option<ZonedDateTime>,
    pub draft: bool,
    pub description: Option<String>,
    pub template: Option<String>,
    pub template_at: Option<(usize, usize)>,
    pub aliases: Vec<String>,
    pub extra: serde_json::Value,
    pub body: Rendered,
    pub body_line: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    use crate::config::{Config, parse_config};
    use crate::content::source::{Role, SourceFile};
    use crate::diagnostic::Diagnostic;

    fn file(rel: &str, text: &str) -> SourceFile {
        SourceFile {
            rel: PathBuf::from(rel),
            abs: PathBuf::from(rel),
            role: Role::Post,
            text: Some(text.to_string()),
        }
    }

    fn ok<T>(r: (Option<T>, Vec<Diagnostic>)) -> T {
        match r {
            (Some(t), _) => t,
            (None, d) => panic!("{d:?}"),
        }
    }

    fn errs<T>(r: (Option<T>, Vec<Diagnostic>)) -> Vec<Diagnostic> {
        assert!(r.0.is_none());
        r.1
    }

    fn config() -> Config {
        parse_config("timezone = \"America/New_York\"").unwrap()
    }

    #[test]
    fn toml_post_resolves() {
        let post = ok(parse_post(
            &file(
                "content/posts/hello.md",
                "+++\ntitle = \"Hello\"\ndate = 2009-03-03\ntags = [\"Russia\", \"russia\", \"Iran\"]\n+++\nBody text.\n",
            ),
            &config(),
        ));
        assert_eq!(post.title, "Hello");
        assert_eq!(post.slug, "hello");
        assert_eq!(post.url, "/2009/03/03/hello/");
        assert_eq!(post.kind, Kind::Entry);
        assert_eq!(post.tags, vec!["Russia", "Iran"]);
        assert_eq!(post.body.html, "<p>Body text.</p>\n");
    }

    #[test]
    fn quote_text_is_kept_only_when_the_config_asks() {
        let text = "+++\ntitle = \"Q\"\ndate = 2009-03-03\n+++\n> Every word *counts*.\n>\n> — A. Person\n";
        let mut config = config();
        let kept = ok(parse_post(&file("content/posts/q.md", text), &config));
        config.quote_text = false;
        let dropped = ok(parse_post(&file("content/posts/q.md", text), &config));
        let (kept, dropped) = (
            &kept.body.commentary.quotes,
            &dropped.body.commentary.quotes,
        );
        assert_eq!(kept.len(), 1);
        assert_eq!(kept[0].text, "Every word counts.");
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].text, "");
        // What a build reads of a quote stays.
        assert_eq!(dropped[0].author.as_deref(), Some("A. Person"));
    }

    #[test]
    fn date_and_slug_from_file_name() {
        let post = ok(parse_post(
            &file(
                "content/posts/2009-03-03-Links To Linkage.md",
                "---\ntitle: L\n---\nx",
            ),
            &config(),
        ));
        assert_eq!(post.slug, "links-to-linkage");
        assert_eq!(
            post.date.to_string(),
            "2009-03-03T00:00:00-05:00[America/New_York]"
        );
    }

    #[test]
    fn bundle_slug_is_its_folder() {
        let post = ok(parse_post(
            &file(
                "content/posts/2009-03-04-trip/index.md",
                "+++\ntitle = \"T\"\n+++\n",
            ),
            &config(),
        ));
        assert_eq!(post.slug, "trip");
        assert_eq!(
            post.bundle,
            Some(PathBuf::from("content/posts/2009-03-04-trip"))
        );
    }

    #[test]
    fn every_problem_in_a_file_is_reported_at_its_line() {
        let errs = errs(parse_post(
            &file(
                "content/posts/bad.md",
                "+++\ntitle = \"x\"\ndate = \"2009-02-30\"\nslug = \"../etc\"\nkind = \"lnk\"\n+++\n",
            ),
            &config(),
        ));
        let lines: Vec<(Option<usize>, &str)> =
            errs.iter().map(|d| (d.line, d.message.as_str())).collect();
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == Some(3) && m.contains("2009-02-30")),
            "{lines:?}"
        );
        assert!(
            lines.iter().any(|(l, m)| *l == Some(4) && m.contains("..")),
            "{lines:?}"
        );
        assert!(
            lines
                .iter()
                .any(|(l, m)| *l == Some(5) && m.contains("lnk")),
            "{lines:?}"
        );
        let kind_err = errs.iter().find(|d| d.message.contains("lnk")).unwrap();
        assert_eq!(kind_err.hint.as_deref(), Some("did you mean `link`?"));
    }

    #[test]
    fn kinds_are_inferred() {
        let c = config();
        let kind =
            |text: &str| ok(parse_post(&file("content/posts/2009-01-01-k.md", text), &c)).kind;
        assert_eq!(
            kind("+++\ntitle = \"a\"\nlink = \"https://e.example\"\n+++\n"),
            Kind::Link
        );
        assert_eq!(kind("+++\ntitle = \"a\"\n+++\n"), Kind::Entry);
        assert_eq!(kind("+++\n+++\n> quoted\n>\n> — someone\n"), Kind::Quote);
        assert_eq!(kind("A short note.\n"), Kind::Note);
    }

    #[test]
    fn slugs_that_leave_their_folder_are_refused() {
        for bad in [
            "..", "a/b", "a\\b", "../x", "a\0b", "/abs", ".hidden", "a b",
        ] {
            assert!(check_slug(bad).is_err(), "{bad:?}");
        }
        for good in ["a", "links-to-linkage", "2009", "café"] {
            assert!(check_slug(good).is_ok(), "{good:?}");
        }
    }

    #[test]
    fn latest_update_sets_updated() {
        let post = ok(parse_post(
            &file(
                "content/posts/2009-03-03-u.md",
                "+++\ntitle = \"u\"\nupdates = [{ at = \"2009-03-03 15:00\", note = \"b\" }, { at = \"2009-03-03 11:00\", note = \"a\" }]\n+++\n",
            ),
            &config(),
        ));
        assert_eq!(post.updates[0].note, "a");
        assert_eq!(post.updated.unwrap().strftime("%H:%M").to_string(), "15:00");
    }

    #[test]
    fn pages_take_their_folder_path() {
        let mut f = file(
            "content/pages/docs/intro.md",
            "+++\ntitle = \"Intro\"\n+++\n",
        );
        f.role = Role::Page;
        assert_eq!(ok(parse_page(&f, &config())).url, "/docs/intro/");
        let mut f = file(
            "content/pages/about/index.md",
            "+++\ntitle = \"About\"\n+++\n",
        );
        f.role = Role::Page;
        assert_eq!(ok(parse_page(&f, &config())).url, "/about/");
    }
}

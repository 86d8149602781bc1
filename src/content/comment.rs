//! Comments: one file each under `content/comments/<post-slug>/`, threaded
//! by `parent`.
//!
//! Comment bodies are other people's text, often imported from an old
//! blog, so they are untrusted: Markdown is rendered without our
//! extensions and the result goes through ammonia, a whitelist sanitizer
//! built on html5ever. Scripts, styles, frames, SVG, event-handler
//! attributes and `javascript:` URLs never survive, whatever the encoding;
//! links get `rel="nofollow ugc"`. Threading ([`build_threads`]) tolerates
//! what imports produce: a parent that does not exist, and parents that
//! form a cycle, both become top-level comments with a warning.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::PathBuf;

use jiff::ZonedDateTime;

use crate::config::Config;
use crate::content::front_matter::{self, RawComment};
use crate::content::source::{Role, SourceFile};
use crate::date::{DATE_FORMS, parse_date};
use crate::diagnostic::Diagnostic;
pub use crate::sanitize::{render_comment_body, sanitize_html};

/// Replies deeper than this are shown at this depth (in date order), as
/// WordPress does, so a long reply chain cannot nest without end.
pub const MAX_DEPTH: usize = 6;

/// One comment, resolved and sanitized.
#[derive(Debug, Clone, PartialEq)]
pub struct Comment {
    pub source: PathBuf,
    pub source_hash: u64,
    pub post_slug: String,
    pub id: String,
    pub author: String,
    /// The author's site; only http(s) URLs are kept.
    pub url: Option<String>,
    pub date: ZonedDateTime,
    pub parent: Option<String>,
    /// A comment, or a pingback, trackback or webmention.
    pub kind: CommentKind,
    /// Written by the site's author (`role = "author"`, which only the
    /// writer and their tools set, never a visitor's typed name).
    pub by_author: bool,
    /// Sanitized HTML.
    pub html: String,
    /// Webmentions: what the other page did (see [`MENTIONS`]).
    pub mention: Option<&'static str>,
    /// Webmentions: the page that mentioned the post (http(s) only).
    pub source_url: Option<String>,
}

/// What a webmention's page did with the post.
pub const MENTIONS: [&str; 5] = ["reply", "like", "repost", "bookmark", "mention"];

impl Comment {
    /// Shown in the conversation: comments, and replies written on other
    /// sites; the rest (likes, pingbacks...) are listed apart.
    pub fn in_thread(&self) -> bool {
        !self.kind.is_mention()
            || (self.kind == CommentKind::Webmention && self.mention == Some("reply"))
    }
}

/// A comment with its replies.
#[derive(Debug, Clone, PartialEq)]
pub struct Thread {
    pub comment: Comment,
    pub replies: Vec<Thread>,
}

impl Thread {
    /// The comment and all its replies.
    pub fn len(&self) -> usize {
        1 + self.replies.iter().map(Thread::len).sum::<usize>()
    }

    pub fn is_empty(&self) -> bool {
        false
    }
}

/// Keeps an author URL only when it is a plain http(s) URL.
pub fn safe_author_url(url: &str) -> Option<String> {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    let ok = (lower.starts_with("http://") || lower.starts_with("https://"))
        && !url
            .chars()
            .any(|c| c.is_whitespace() || c.is_control() || matches!(c, '"' | '<' | '>' | '\\'));
    ok.then(|| url.to_string())
}

/// Ids become HTML ids and URL fragments: letters, digits, `-` and `_`.
fn clean_id(id: &str) -> String {
    id.chars()
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
        .collect()
}

/// What kind of response a comment is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum CommentKind {
    /// Written on this site (or imported from where it was).
    Comment,
    /// A WordPress pingback: another blog linked here.
    Pingback,
    /// A trackback: the older form of a pingback.
    Trackback,
    /// A webmention from another site.
    Webmention,
}

impl CommentKind {
    pub const NAMES: [&'static str; 4] = ["comment", "pingback", "trackback", "webmention"];

    pub fn parse(name: &str) -> Option<CommentKind> {
        Some(match name {
            "comment" => CommentKind::Comment,
            "pingback" => CommentKind::Pingback,
            "trackback" => CommentKind::Trackback,
            "webmention" => CommentKind::Webmention,
            _ => return None,
        })
    }

    /// Mentions are shown apart from the conversation.
    pub fn is_mention(self) -> bool {
        self != CommentKind::Comment
    }
}

fn diagnostic(path: &std::path::Path, e: front_matter::FrontMatterError) -> Diagnostic {
    let d = if e.warning {
        Diagnostic::warning(path, e.message)
    } else {
        Diagnostic::error(path, e.message)
    }
    .at(e.line, e.col);
    match e.hint {
        Some(h) => d.with_hint(h),
        None => d,
    }
}

/// Resolves one comment file.
pub fn parse_comment(file: &SourceFile, config: &Config) -> (Option<Comment>, Vec<Diagnostic>) {
    let Role::Comment { post_slug } = &file.role else {
        return (None, Vec::new());
    };
    let text = file.text.as_deref().unwrap_or("");
    let split = match front_matter::split(text) {
        Ok(s) => s,
        Err(e) => return (None, vec![diagnostic(&file.rel, e)]),
    };
    let (raw, front_problems) = match front_matter::read_comment(&split) {
        Ok(r) => r,
        Err(e) => return (None, vec![diagnostic(&file.rel, e)]),
    };
    let mut problems: Vec<Diagnostic> = front_problems
        .into_iter()
        .map(|e| diagnostic(&file.rel, e))
        .collect();
    let RawComment {
        id,
        author,
        url,
        date,
        parent,
        kind,
        role,
        mention,
        source,
    } = raw;
    let stem = file
        .rel
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let id = clean_id(&id.map(|t| t.value).unwrap_or(stem));
    if id.is_empty() {
        problems.push(
            Diagnostic::error(&file.rel, "the comment has no usable id")
                .with_hint("set `id = \"c1\"`: letters, digits, - and _"),
        );
    }
    let date = match date {
        Some(raw) => match parse_date(&raw.value, &config.timezone) {
            Ok(d) => Some(d),
            Err(message) => {
                problems.push(
                    Diagnostic::error(&file.rel, message)
                        .at(raw.at.0, raw.at.1)
                        .with_hint(DATE_FORMS),
                );
                None
            }
        },
        None => {
            problems.push(
                Diagnostic::error(&file.rel, "the comment has no date")
                    .at(1, 1)
                    .with_hint("add `date = 2009-03-03T14:10:00-05:00`"),
            );
            None
        }
    };
    let kind = match kind {
        Some(k) => CommentKind::parse(&k.value).unwrap_or_else(|| {
            let hint = match crate::diagnostic::nearest(&k.value, CommentKind::NAMES) {
                Some(n) => format!("did you mean `{n}`?"),
                None => format!("the types are {}", CommentKind::NAMES.join(", ")),
            };
            problems.push(
                Diagnostic::error(&file.rel, format!("unknown comment type `{}`", k.value))
                    .at(k.at.0, k.at.1)
                    .with_hint(hint),
            );
            CommentKind::Comment
        }),
        None => CommentKind::Comment,
    };
    let by_author = match role {
        Some(r) if r.value == "author" => true,
        Some(r) if r.value.is_empty() || r.value == "reader" => false,
        Some(r) => {
            problems.push(
                Diagnostic::error(&file.rel, format!("unknown comment role `{}`", r.value))
                    .at(r.at.0, r.at.1)
                    .with_hint("`role = \"author\"` marks the site author's own replies"),
            );
            false
        }
        None => false,
    };
    let url = match url {
        Some(u) if !u.value.trim().is_empty() => {
            let safe = safe_author_url(&u.value);
            if safe.is_none() {
                problems.push(
                    Diagnostic::warning(
                        &file.rel,
                        "the author URL is not an http(s) URL: left out",
                    )
                    .at(u.at.0, u.at.1),
                );
            }
            safe
        }
        _ => None,
    };
    let mention = match mention {
        Some(m) => match MENTIONS.iter().find(|k| **k == m.value) {
            Some(k) => Some(*k),
            None => {
                problems.push(
                    Diagnostic::error(&file.rel, format!("unknown mention `{}`", m.value))
                        .at(m.at.0, m.at.1)
                        .with_hint(format!(
                            "a webmention's `mention` is one of {}",
                            MENTIONS.join(", ")
                        )),
                );
                None
            }
        },
        None => None,
    };
    let source_url = match source {
        Some(u) if !u.value.trim().is_empty() => {
            let safe = safe_author_url(&u.value);
            if safe.is_none() {
                problems.push(
                    Diagnostic::warning(&file.rel, "the source is not an http(s) URL: left out")
                        .at(u.at.0, u.at.1),
                );
            }
            safe
        }
        _ => None,
    };
    if problems.iter().any(Diagnostic::is_error) {
        return (None, problems);
    }
    let Some(date) = date else {
        return (None, problems);
    };
    let author = author
        .map(|a| a.trim().to_string())
        .filter(|a| !a.is_empty())
        .unwrap_or_else(|| "Anonymous".to_string());
    let comment = Comment {
        source: file.rel.clone(),
        source_hash: file.content_hash(),
        post_slug: post_slug.clone(),
        id,
        author,
        url,
        date,
        parent: parent.map(|p| clean_id(&p)).filter(|p| !p.is_empty()),
        kind,
        by_author,
        html: render_comment_body(split.body),
        mention: if kind == CommentKind::Webmention {
            mention.or(Some("mention"))
        } else {
            None
        },
        source_url,
    };
    (Some(comment), problems)
}

/// Threads one post's comments: oldest first at every level. Missing
/// parents and cycles make top-level comments, with warnings; duplicate
/// ids keep the first (oldest) comment.
pub fn build_threads(mut comments: Vec<Comment>) -> (Vec<Thread>, Vec<Diagnostic>) {
    let mut warnings = Vec::new();
    comments.sort_by(|a, b| {
        a.date
            .timestamp()
            .cmp(&b.date.timestamp())
            .then_with(|| a.id.cmp(&b.id))
    });
    let mut seen = HashSet::new();
    comments.retain(|c| {
        let fresh = seen.insert(c.id.clone());
        if !fresh {
            warnings.push(
                Diagnostic::warning(
                    &c.source,
                    format!(
                        "another comment on this post has the id `{}`: left out",
                        c.id
                    ),
                )
                .with_hint("give each comment its own `id`"),
            );
        }
        fresh
    });
    let index: HashMap<String, usize> = comments
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.clone(), i))
        .collect();
    // Effective parent of each comment: None for roots.
    let mut parent: Vec<Option<usize>> = comments
        .iter()
        .map(|c| {
            let p = c.parent.as_ref()?;
            match index.get(p) {
                Some(&i) if comments[i].id != c.id => Some(i),
                Some(_) => None,
                None => {
                    warnings.push(
                        Diagnostic::warning(&c.source, format!("its parent `{p}` is not a comment on this post: shown at the top level"))
                            .with_hint("check the `parent` id"),
                    );
                    None
                }
            }
        })
        .collect();
    // Break cycles: a comment whose parent chain comes back to it.
    for start in 0..comments.len() {
        let mut slow = start;
        let mut steps = 0;
        let mut on_path = HashSet::new();
        on_path.insert(start);
        while let Some(p) = parent[slow] {
            if !on_path.insert(p) {
                // `p` is on a cycle: make it a root.
                warnings.push(
                    Diagnostic::warning(
                        &comments[p].source,
                        "its parent chain loops back to itself: shown at the top level",
                    )
                    .with_hint("a comment's parent must be an older comment"),
                );
                parent[p] = None;
                break;
            }
            slow = p;
            steps += 1;
            if steps > comments.len() {
                break;
            }
        }
    }
    let mut children: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    let mut roots = Vec::new();
    for (i, p) in parent.iter().enumerate() {
        match p {
            Some(p) => children.entry(*p).or_default().push(i),
            None => roots.push(i),
        }
    }
    let mut slots: Vec<Option<Comment>> = comments.into_iter().map(Some).collect();
    let threads = roots
        .into_iter()
        .map(|r| assemble(r, 1, &children, &mut slots))
        .collect();
    (threads, warnings)
}

/// Builds a thread from the bottom up without recursion on user data
/// depth: replies below [`MAX_DEPTH`] are flattened into their ancestor at
/// that depth, in date order.
fn assemble(
    root: usize,
    depth: usize,
    children: &BTreeMap<usize, Vec<usize>>,
    slots: &mut [Option<Comment>],
) -> Thread {
    let comment = slots[root].take().unwrap_or_else(placeholder);
    let replies = if depth >= MAX_DEPTH {
        // Every descendant, flattened, oldest first.
        let mut all = Vec::new();
        let mut stack: Vec<usize> = children.get(&root).cloned().unwrap_or_default();
        while let Some(i) = stack.pop() {
            all.push(i);
            if let Some(more) = children.get(&i) {
                stack.extend(more);
            }
        }
        all.sort();
        all.into_iter()
            .map(|i| Thread {
                comment: slots[i].take().unwrap_or_else(placeholder),
                replies: Vec::new(),
            })
            .collect()
    } else {
        children
            .get(&root)
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .map(|c| assemble(c, depth + 1, children, slots))
            .collect()
    };
    Thread { comment, replies }
}

/// Never reached (each index is taken once), but keeps the code panic-free.
fn placeholder() -> Comment {
    Comment {
        source: PathBuf::new(),
        source_hash: 0,
        post_slug: String::new(),
        id: String::new(),
        author: String::new(),
        url: None,
        date: ZonedDateTime::default(),
        parent: None,
        kind: CommentKind::Comment,
        by_author: false,
        html: String::new(),
        mention: None,
        source_url: None,
    }
}

/// Splits threads into pages of about `per_page` comments without ever
/// splitting a thread.
pub fn paginate_threads(threads: &[Thread], per_page: usize) -> Vec<std::ops::Range<usize>> {
    let mut pages = Vec::new();
    let mut start = 0;
    let mut count = 0;
    for (i, t) in threads.iter().enumerate() {
        let n = t.len();
        if count > 0 && count + n > per_page {
            pages.push(start..i);
            start = i;
            count = 0;
        }
        count += n;
    }
    if start < threads.len() {
        pages.push(start..threads.len());
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;

    fn comment(id: &str, parent: Option<&str>, minute: i8) -> Comment {
        Comment {
            source: PathBuf::from(format!("content/comments/p/{id}.md")),
            source_hash: 0,
            post_slug: "p".into(),
            id: id.into(),
            author: "A".into(),
            url: None,
            date: jiff::civil::date(2009, 3, 3)
                .at(12, minute, 0, 0)
                .to_zoned_datetime(jiff::tz::TimeZone::UTC)
                .unwrap(),
            parent: parent.map(String::from),
            kind: CommentKind::Comment,
            by_author: false,
            html: String::new(),
            mention: None,
            source_url: None,
        }
    }

    fn shape(threads: &[Thread]) -> String {
        threads
            .iter()
            .map(|t| {
                if t.replies.is_empty() {
                    t.comment.id.clone()
                } else {
                    format!("{}({})", t.comment.id, shape(&t.replies))
                }
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn threads_nest_by_parent_oldest_first() {
        let (threads, warnings) = build_threads(vec![
            comment("c3", Some("c1"), 3),
            comment("c1", None, 1),
            comment("c2", None, 2),
            comment("c4", Some("c3"), 4),
            comment("c5", Some("c1"), 5),
        ]);
        assert!(warnings.is_empty());
        assert_eq!(shape(&threads), "c1(c3(c4) c5) c2");
    }

    #[test]
    fn missing_parents_and_cycles_become_roots() {
        let (threads, warnings) = build_threads(vec![
            comment("a", Some("ghost"), 1),
            comment("b", Some("c"), 2),
            comment("c", Some("b"), 3),
            comment("d", Some("d"), 4),
        ]);
        assert_eq!(shape(&threads), "a b(c) d");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
    }

    #[test]
    fn deep_chains_flatten_at_max_depth() {
        let mut chain = vec![comment("c0", None, 0)];
        for i in 1..20 {
            chain.push(comment(
                &format!("c{i}"),
                Some(&format!("c{}", i - 1)),
                i as i8,
            ));
        }
        let (threads, _) = build_threads(chain);
        let mut depth = 0;
        let mut level = &threads;
        while let Some(t) = level.first() {
            depth += 1;
            level = &t.replies;
        }
        assert_eq!(depth, MAX_DEPTH + 1);
        assert_eq!(threads[0].len(), 20);
    }

    #[test]
    fn pages_never_split_a_thread() {
        let (threads, _) = build_threads(vec![
            comment("a", None, 1),
            comment("a1", Some("a"), 2),
            comment("a2", Some("a"), 3),
            comment("b", None, 4),
            comment("c", None, 5),
            comment("c1", Some("c"), 6),
        ]);
        assert_eq!(paginate_threads(&threads, 3), vec![0..1, 1..3]);
        assert_eq!(paginate_threads(&threads, 50), vec![0..3]);
        assert_eq!(paginate_threads(&threads, 1), vec![0..1, 1..2, 2..3]);
    }

    #[test]
    fn defused_comment_links_become_text() {
        let html =
            render_comment_body("[click](javascript:alert(1)) and [ok](https://a.example/)\n");
        assert!(!html.contains("<a rel"), "{html}");
        assert!(html.contains("click and"), "{html}");
        assert!(
            html.contains("<a href=\"https://a.example/\" rel=\"nofollow ugc\">ok</a>"),
            "{html}"
        );
        assert_eq!(sanitize_html("<a href=\"javascript:x()\">t</a>"), "t");
    }

    #[test]
    fn sanitizer_removes_everything_active() {
        let html = render_comment_body(concat!(
            "Hi <script>alert(1)</script> there\n\n",
            "<img src=x onerror=alert(2)>\n\n",
            "[click](javascript:alert(3)) <a href=\"jav&#x61;script:alert(4)\">enc</a>\n\n",
            "<iframe src=\"https://evil.example\"></iframe><style>body{}</style>\n\n",
            "<svg onload=alert(5)><circle/></svg> <b onclick=\"x()\">bold</b> <a href=\"https://ok.example\">ok</a>\n",
        ));
        for bad in [
            "<script",
            "alert(1)",
            "onerror",
            "javascript",
            "<iframe",
            "<style",
            "<svg",
            "onload",
            "onclick",
            "<img",
        ] {
            assert!(
                !html.to_ascii_lowercase().contains(bad),
                "{bad} survived: {html}"
            );
        }
        assert!(html.contains("<b>bold</b>"), "{html}");
        assert!(
            html.contains("href=\"https://ok.example\" rel=\"nofollow ugc\""),
            "{html}"
        );
    }

    #[test]
    fn author_urls_must_be_http() {
        assert_eq!(
            safe_author_url(" https://a.example/ "),
            Some("https://a.example/".into())
        );
        for bad in [
            "javascript:alert(1)",
            "JaVaScRiPt:x",
            "data:text/html,x",
            "//x.example",
            "https://a.example/\"onmouseover=x",
        ] {
            assert_eq!(safe_author_url(bad), None, "{bad}");
        }
    }
}

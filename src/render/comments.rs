//! Comment threads as templates see them, and their pages.
//!
//! A post's first page of comments renders under the post; when a thread
//! runs past `comments.per_page`, the rest go on pages of their own at
//! `<post>/comments/page/N/`, reached by a plain "Load more comments" link,
//! so paging needs no JavaScript. Pages never split a thread.

use std::collections::HashMap;

use serde::Serialize;

use crate::content::comment::{Comment, Thread, paginate_threads};
use crate::render::reads::Reads;
use crate::site::PostId;

/// A comment and its replies.
#[derive(Serialize)]
pub struct CommentView<'a> {
    pub id: &'a str,
    pub author: &'a str,
    /// The author's site (http or https only).
    pub url: Option<&'a str>,
    pub date: String,
    /// Sanitized HTML.
    pub content: &'a str,
    /// 1 for top-level comments.
    pub depth: usize,
    /// Written by the site's author (the comment file's `role = "author"`).
    pub by_author: bool,
    /// A reply written on another site (a webmention): the page it is on.
    pub source: Option<&'a str>,
    /// The comment this one answers, when it is not the one it is shown
    /// under (replies deeper than the thread shows are listed flat).
    pub reply_to: Option<ReplyTo<'a>>,
    pub replies: Vec<CommentView<'a>>,
}

/// Which comment a reply answers.
#[derive(Serialize)]
pub struct ReplyTo<'a> {
    pub id: &'a str,
    pub author: &'a str,
}

/// A pingback, trackback or webmention: another page that linked here.
#[derive(Serialize)]
pub struct MentionView<'a> {
    pub id: &'a str,
    /// `pingback`, `trackback` or `webmention`.
    pub kind: crate::content::comment::CommentKind,
    pub author: &'a str,
    pub url: Option<&'a str>,
    pub date: String,
    /// Sanitized HTML (often an excerpt of the other page).
    pub content: &'a str,
    /// Webmentions: `like`, `repost`, `bookmark` or `mention`.
    pub mention: Option<&'static str>,
    /// Webmentions: the page that mentioned the post.
    pub source: Option<&'a str>,
}

/// `comments_paginator`.
#[derive(Serialize)]
pub struct CommentPagesView {
    pub number: usize,
    pub total_pages: usize,
    /// Comments on the post, all pages.
    pub total_comments: usize,
    pub previous: Option<String>,
    pub next: Option<String>,
    /// The post's link, where page 1 is shown.
    pub first: String,
}

fn view<'a>(
    thread: &'a Thread,
    depth: usize,
    shown_under: Option<&str>,
    authors: &HashMap<&'a str, &'a str>,
) -> CommentView<'a> {
    let c = &thread.comment;
    let reply_to = c
        .parent
        .as_deref()
        .filter(|p| Some(*p) != shown_under)
        .and_then(|p| authors.get_key_value(p))
        .map(|(id, author)| ReplyTo { id, author });
    CommentView {
        id: &c.id,
        author: &c.author,
        url: c.url.as_deref(),
        date: c.date.timestamp().to_string(),
        content: &c.html,
        depth,
        by_author: c.by_author,
        source: c.source_url.as_deref(),
        reply_to,
        replies: thread
            .replies
            .iter()
            .map(|r| view(r, depth + 1, Some(&c.id), authors))
            .collect(),
    }
}

fn collect_authors<'a>(threads: &'a [Thread], out: &mut HashMap<&'a str, &'a str>) {
    for t in threads {
        out.insert(&t.comment.id, &t.comment.author);
        collect_authors(&t.replies, out);
    }
}

/// Likes, reposts or bookmarks from other sites (webmentions).
#[derive(Serialize)]
pub struct ReactionGroup<'a> {
    /// `like`, `repost` or `bookmark`.
    pub kind: &'static str,
    /// "Liked by", ...
    pub label: &'static str,
    pub people: Vec<MentionView<'a>>,
}

/// A post's mentions (pages that link here), oldest first, and its
/// reactions (likes, reposts, bookmarks) grouped by kind.
pub fn mentions<'a>(r: &Reads<'a>, id: PostId) -> (Vec<MentionView<'a>>, Vec<ReactionGroup<'a>>) {
    let mut groups: Vec<ReactionGroup> = [
        ("like", "Liked by"),
        ("repost", "Reposted by"),
        ("bookmark", "Bookmarked by"),
    ]
    .into_iter()
    .map(|(kind, label)| ReactionGroup {
        kind,
        label,
        people: Vec::new(),
    })
    .collect();
    let mut mentions = Vec::new();
    for view in mention_views(r, id) {
        match groups.iter_mut().find(|g| Some(g.kind) == view.mention) {
            Some(g) => g.people.push(view),
            None => mentions.push(view),
        }
    }
    groups.retain(|g| !g.people.is_empty());
    (mentions, groups)
}

fn mention_views<'a>(r: &Reads<'a>, id: PostId) -> Vec<MentionView<'a>> {
    r.mentions(id)
        .iter()
        .map(|m: &Comment| MentionView {
            id: &m.id,
            kind: m.kind,
            author: &m.author,
            url: m.url.as_deref(),
            date: m.date.timestamp().to_string(),
            content: &m.html,
            mention: m.mention,
            source: m.source_url.as_deref(),
        })
        .collect()
}

/// The comments shown on page `number` of a post, and the page links.
pub fn comment_page<'a>(
    r: &Reads<'a>,
    id: PostId,
    number: usize,
) -> (Vec<CommentView<'a>>, CommentPagesView) {
    let site = r.site();
    let threads = r.comments(id);
    let pages = paginate_threads(threads, site.config.comments_per_page);
    let post_url = &r.post(id).url;
    let link = |n: usize| {
        if n <= 1 {
            format!("{}#comments", site.config.link(post_url))
        } else {
            format!(
                "{}#comments",
                site.config
                    .link(&crate::urls::comment_page_path(post_url, n))
            )
        }
    };
    let range = pages.get(number - 1).cloned().unwrap_or(0..0);
    let mut authors = HashMap::new();
    collect_authors(threads, &mut authors);
    let comments = threads[range]
        .iter()
        .map(|t| view(t, 1, None, &authors))
        .collect();
    let total_pages = pages.len().max(1);
    (
        comments,
        CommentPagesView {
            number,
            total_pages,
            total_comments: threads.iter().map(Thread::len).sum(),
            previous: (number > 1).then(|| link(number - 1)),
            next: (number < total_pages).then(|| link(number + 1)),
            first: site.config.link(post_url),
        },
    )
}

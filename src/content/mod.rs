//! The writer's content: finding files, reading front matter and dates, and
//! resolving each file into a [`Post`], [`Page`] or comment.
//!
//! [`parse_one`] is the pure per-file step: the session runs it over every
//! changed file in parallel (rayon) and keeps each result, and
//! [`Parsed::collect`] gathers results and every diagnostic, so one bad
//! post is reported without losing the rest of the site.

pub mod comment;
pub mod front_matter;
pub mod post;
pub mod redirect;
pub mod source;

use std::sync::Arc;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics};
pub use post::{
    ALIAS_HINT, CommentMode, Kind, Page, Post, Source, Update, Via, alias_url, meta_description,
};
pub use source::{Role, SourceFile};

/// The parse stage's output.
#[derive(Debug, Default, Clone)]
pub struct Parsed {
    pub posts: Vec<Arc<Post>>,
    pub pages: Vec<Arc<Page>>,
    pub comments: Vec<Arc<comment::Comment>>,
    pub redirects: Vec<Arc<redirect::RedirectFile>>,
}

/// What one file parses into.
#[derive(Debug, Clone)]
pub enum Item {
    Post(Arc<Post>),
    Page(Arc<Page>),
    Comment(Arc<comment::Comment>),
    Redirects(Arc<redirect::RedirectFile>),
}

/// One file's result: the item, unless an error stopped it, and every
/// diagnostic found in the file.
#[derive(Debug, Clone, Default)]
pub struct ParsedOne {
    pub item: Option<Item>,
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses one source file. Files that are only copied parse to nothing.
pub fn parse_one(file: &SourceFile, config: &Config) -> ParsedOne {
    crate::crash::guard(&file.rel, || parse_unguarded(file, config)).unwrap_or_else(|d| ParsedOne {
        item: None,
        diagnostics: vec![*d],
    })
}

fn parse_unguarded(file: &SourceFile, config: &Config) -> ParsedOne {
    let is_text = matches!(file.role, Role::Post | Role::Page | Role::Comment { .. });
    if file.role == Role::Redirects {
        let (r, d) = redirect::parse_redirects(file);
        return ParsedOne {
            item: r.map(|r| Item::Redirects(Arc::new(r))),
            diagnostics: d,
        };
    }
    if is_text && file.text.as_deref().is_some_and(|t| t.trim().is_empty()) {
        // A file just created (or mid-save in an editor): not an error.
        return ParsedOne {
            item: None,
            diagnostics: vec![
                Diagnostic::warning(&file.rel, "the file is empty: skipped")
                    .with_hint("write its front matter and text, or delete it"),
            ],
        };
    }
    let (item, diagnostics) = match file.role {
        Role::Post => {
            let (p, d) = post::parse_post(file, config);
            (p.map(|p| Item::Post(Arc::new(p))), d)
        }
        Role::Page => {
            let (p, d) = post::parse_page(file, config);
            (p.map(|p| Item::Page(Arc::new(p))), d)
        }
        Role::Comment { .. } => {
            let (c, d) = comment::parse_comment(file, config);
            (c.map(|c| Item::Comment(Arc::new(c))), d)
        }
        _ => (None, Vec::new()),
    };
    ParsedOne { item, diagnostics }
}

impl Parsed {
    /// Gathers items, in the order given.
    pub fn collect<'a>(results: impl IntoIterator<Item = &'a ParsedOne>) -> (Parsed, Diagnostics) {
        let mut parsed = Parsed::default();
        let mut diagnostics = Diagnostics::new();
        for one in results {
            diagnostics.extend(one.diagnostics.iter().cloned());
            match &one.item {
                Some(Item::Post(p)) => parsed.posts.push(p.clone()),
                Some(Item::Page(p)) => parsed.pages.push(p.clone()),
                Some(Item::Comment(c)) => parsed.comments.push(c.clone()),
                Some(Item::Redirects(r)) => parsed.redirects.push(r.clone()),
                None => {}
            }
        }
        (parsed, diagnostics)
    }
}

//! The writer's content: finding files, reading front matter and dates, and
//! resolving each file into a [`Post`] or [`Page`].
//!
//! [`parse_sources`] is the parse stage: it runs the pure per-file parsers
//! over every source in parallel (rayon) and gathers all diagnostics, so one
//! bad post is reported without losing the rest of the site.

pub mod comment;
pub mod date;
pub mod front_matter;
pub mod post;
pub mod source;

use rayon::prelude::*;

use crate::config::Config;
use crate::diagnostic::{Diagnostic, Diagnostics};
pub use post::{CommentMode, Kind, Page, Post, Source, Update, Via};
pub use source::{Role, SourceFile, Sources, load_sources};

/// The parse stage's output.
#[derive(Debug, Default)]
pub struct Parsed {
    pub posts: Vec<Post>,
    pub pages: Vec<Page>,
    pub comments: Vec<comment::Comment>,
}

enum One {
    Post(Box<Post>),
    Page(Box<Page>),
    Comment(Box<comment::Comment>),
}

/// Parses every post, page and comment, in parallel. Files that fail are left out
/// and their diagnostics returned.
pub fn parse_sources(sources: &Sources, config: &Config) -> (Parsed, Diagnostics) {
    let results: Vec<(Option<One>, Vec<Diagnostic>)> = sources
        .files
        .par_iter()
        .filter_map(|file| match file.role {
            Role::Post => {
                let (post, d) = post::parse_post(file, config);
                Some((post.map(|p| One::Post(Box::new(p))), d))
            }
            Role::Page => {
                let (page, d) = post::parse_page(file, config);
                Some((page.map(|p| One::Page(Box::new(p))), d))
            }
            Role::Comment { .. } => {
                let (c, d) = comment::parse_comment(file, config);
                Some((c.map(|c| One::Comment(Box::new(c))), d))
            }
            _ => None,
        })
        .collect();
    let mut parsed = Parsed::default();
    let mut diagnostics = Diagnostics::new();
    for (one, d) in results {
        diagnostics.extend(d);
        match one {
            Some(One::Post(p)) => parsed.posts.push(*p),
            Some(One::Page(p)) => parsed.pages.push(*p),
            Some(One::Comment(c)) => parsed.comments.push(*c),
            None => {}
        }
    }
    (parsed, diagnostics)
}

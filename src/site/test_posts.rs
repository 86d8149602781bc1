//! Posts for the index's and the plan's property tests: each made from a
//! small [`Shape`] (day, tags, category, kind, series) drawn from small
//! sets, so that random edits collide and clash.

use std::path::PathBuf;
use std::sync::Arc;

use proptest::prelude::*;

use crate::content::source::{Role, SourceFile};
use crate::content::{Item, Post, parse_one};

/// What a post is made of in this test: day and hour, tags,
/// categories, kind and series, each from a small set so that edits
/// collide and clash.
#[derive(Debug, Clone)]
pub(crate) struct Shape {
    pub day: u8,
    pub hour: u8,
    pub tags: Vec<u8>,
    pub category: Option<u8>,
    pub kind: u8,
    pub series: Option<u8>,
}

pub(crate) fn shape() -> impl Strategy<Value = Shape> {
    (
        1u8..20,
        0u8..24,
        proptest::collection::vec(0u8..8, 0..3),
        proptest::option::of(0u8..3),
        0u8..3,
        proptest::option::of(0u8..2),
    )
        .prop_map(|(day, hour, tags, category, kind, series)| Shape {
            day,
            hour,
            tags,
            category,
            kind,
            series,
        })
}

pub(crate) fn post(n: usize, s: &Shape, config: &crate::config::Config) -> Arc<Post> {
    // Tag names that share a slug (by case, or "C++" and "c" by more),
    // so the warnings about them move.
    // "Con" makes a folder Windows refuses.
    let tag = |t: &u8| {
        [
            "\"Iran\"",
            "\"iran\"",
            "\"Trade\"",
            "\"ports\"",
            "\"+\"",
            "\"Con\"",
            "\"C++\"",
            "\"c\"",
        ][*t as usize]
    };
    let tags: Vec<&str> = s.tags.iter().map(tag).collect();
    let mut text = format!(
        "+++\ntitle = \"Post {n}\"\ndate = 2020-01-{:02}T{:02}:00:00Z\ntags = [{}]\nkind = \"{}\"\n",
        s.day,
        s.hour,
        tags.join(", "),
        ["entry", "note", "link"][s.kind as usize],
    );
    if s.kind == 2 {
        text.push_str("link = \"https://link.example/\"\n");
    }
    if let Some(c) = s.category {
        text.push_str(&format!("categories = [\"Cat {c}\"]\n"));
    }
    if let Some(x) = s.series {
        text.push_str(&format!("series = \"Saga {x}\"\n"));
    }
    text.push_str("+++\nText.\n");
    parse_post(n, text, config)
}

/// Post `n` (`content/posts/p{n}.md`) from its text.
pub(crate) fn parse_post(n: usize, text: String, config: &crate::config::Config) -> Arc<Post> {
    let file = SourceFile {
        rel: PathBuf::from(format!("content/posts/p{n}.md")),
        abs: PathBuf::from(format!("content/posts/p{n}.md")),
        role: Role::Post,
        text: Some(text),
    };
    match parse_one(&file, config).item {
        Some(Item::Post(p)) => p,
        other => panic!("post {n} did not parse: {other:?}"),
    }
}

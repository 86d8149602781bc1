//! Related posts: the posts sharing the most tags, nearest in time first.
//!
//! Built from an inverted index (tag → posts), so a post is only compared
//! with posts it shares a tag with, never with every other post. A tag on
//! more than a quarter of the site (and more than 50 posts) says little
//! about relatedness and would make the work quadratic, so it is skipped
//! when the post has other tags to go by.

use std::collections::HashMap;

use rayon::prelude::*;

use crate::content::Post;
use crate::site::PostId;

/// Up to `count` related posts for each post.
pub fn related_posts(posts: &[std::sync::Arc<Post>], count: usize) -> Vec<Vec<PostId>> {
    if count == 0 {
        return vec![Vec::new(); posts.len()];
    }
    let mut index: HashMap<String, Vec<PostId>> = HashMap::new();
    for (id, post) in posts.iter().enumerate() {
        for slug in &post.tag_slugs {
            index.entry(slug.clone()).or_default().push(id);
        }
    }
    let too_common = (posts.len() / 4).max(50);
    posts
        .par_iter()
        .enumerate()
        .map(|(id, post)| {
            let tags: Vec<&Vec<PostId>> =
                post.tag_slugs.iter().filter_map(|t| index.get(t)).collect();
            let informative: Vec<&&Vec<PostId>> = tags
                .iter()
                .filter(|list| list.len() <= too_common)
                .collect();
            let use_tags: Vec<&Vec<PostId>> = if informative.is_empty() {
                tags.clone()
            } else {
                informative.into_iter().copied().collect()
            };
            let mut shared: HashMap<PostId, usize> = HashMap::new();
            for list in use_tags {
                for &other in list {
                    if other != id {
                        *shared.entry(other).or_default() += 1;
                    }
                }
            }
            let when = post.date.timestamp();
            let mut ranked: Vec<(usize, i64, PostId)> = shared
                .into_iter()
                .map(|(other, n)| {
                    let gap = (posts[other].date.timestamp().as_second() - when.as_second()).abs();
                    (n, gap, other)
                })
                .collect();
            // Most shared tags, then nearest in time, then the newer post.
            ranked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2)));
            ranked
                .into_iter()
                .take(count)
                .map(|(_, _, other)| other)
                .collect()
        })
        .collect()
}

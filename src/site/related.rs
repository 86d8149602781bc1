//! Related posts: the posts sharing the most tags, nearest in time first.
//!
//! Built from an inverted index (tag → posts), so a post is only compared
//! with posts it shares a tag with, never with every other post; shared
//! tags are counted in a dense per-thread array rather than a hash map. A
//! tag on more than a quarter of the site (and more than 50 posts) says
//! little about relatedness and would make the work quadratic, so it is
//! skipped when the post has other tags to go by.
//!
//! Candidates are bounded: from each tag the post has, only the
//! [`WINDOW`] posts nearest to it in time on either side are counted (tag
//! lists are in date order, so that is a slice around the post). A
//! blog's related posts come from those anyway, as nearness breaks ties;
//! without the bound a 100,000-post site with tags on thousands of posts
//! each spends seconds counting candidates that never rank.

use rustc_hash::FxHashMap as HashMap;
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::Post;
use crate::site::PostId;

/// How many posts either side of a post, in each of its tags' lists, are
/// candidates.
pub const WINDOW: usize = 150;

/// Up to `count` related posts for each post.
pub fn related_posts(posts: &[Arc<Post>], count: usize) -> Vec<Vec<PostId>> {
    if count == 0 {
        return vec![Vec::new(); posts.len()];
    }
    let mut index: HashMap<&str, Vec<PostId>> = HashMap::default();
    for (id, post) in posts.iter().enumerate() {
        for slug in &post.tag_slugs {
            index.entry(slug.as_str()).or_default().push(id);
        }
    }
    let too_common = (posts.len() / 4).max(50);
    let seconds: Vec<i64> = posts
        .iter()
        .map(|p| p.date.timestamp().as_second())
        .collect();
    // rayon calls `map_init`'s init once per piece of work it splits off,
    // not once per thread; each init zeroes a counter per post, so without
    // a floor on the piece size 100,000 posts cost gigabytes and seconds.
    let min_len = (posts.len() / (rayon::current_num_threads() * 8)).max(64);
    posts
        .par_iter()
        .enumerate()
        .with_min_len(min_len)
        .map_init(
            || (vec![0u32; posts.len()], Vec::new()),
            |(shared, touched), (id, post)| {
                let lists: Vec<&Vec<PostId>> = post
                    .tag_slugs
                    .iter()
                    .filter_map(|t| index.get(t.as_str()))
                    .collect();
                let informative = lists.iter().any(|l| l.len() <= too_common);
                for list in lists
                    .into_iter()
                    .filter(|l| !informative || l.len() <= too_common)
                {
                    // The list is in id order (newest first), as is `id`.
                    let at = list.partition_point(|&other| other < id);
                    let near = &list[at.saturating_sub(WINDOW)..(at + WINDOW + 1).min(list.len())];
                    for &other in near {
                        if other != id {
                            if shared[other] == 0 {
                                touched.push(other);
                            }
                            shared[other] += 1;
                        }
                    }
                }
                // Most shared tags, then nearest in time, then the newer post.
                let mut ranked: Vec<(u32, i64, PostId)> = touched
                    .drain(..)
                    .map(|other| {
                        let n = std::mem::take(&mut shared[other]);
                        (n, (seconds[other] - seconds[id]).abs(), other)
                    })
                    .collect();
                let order = |a: &(u32, i64, PostId), b: &(u32, i64, PostId)| {
                    b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
                };
                if ranked.len() > count {
                    ranked.select_nth_unstable_by(count, order);
                    ranked.truncate(count);
                }
                ranked.sort_by(order);
                // Not `into_iter().collect()`: that would reuse `ranked`'s
                // buffer in place and keep one candidate-sized allocation
                // alive per post (7 GB at 100,000 posts).
                ranked.iter().map(|&(_, _, other)| other).collect()
            },
        )
        .collect()
}

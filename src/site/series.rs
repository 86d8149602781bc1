//! Series: posts sharing `series = "..."`, read in date order.

use std::collections::BTreeMap;

use crate::content::Post;
use crate::site::PostId;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Series {
    pub name: String,
    pub slug: String,
    /// Oldest first: part 1 is the first written.
    pub posts: Vec<PostId>,
}

/// Where a post sits in its series.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SeriesPlace {
    pub series: usize,
    /// 0-based position.
    pub index: usize,
}

/// Groups posts (newest first) into series by slug of the series name.
pub fn collect_series(posts: &[std::sync::Arc<Post>]) -> (Vec<Series>, Vec<Option<SeriesPlace>>) {
    let mut by_slug: BTreeMap<String, Series> = BTreeMap::new();
    for (id, post) in posts.iter().enumerate().rev() {
        let Some(name) = post.series.as_deref() else {
            continue;
        };
        let slug = slug::slugify(name);
        if slug.is_empty() {
            continue;
        }
        by_slug
            .entry(slug.clone())
            .or_insert_with(|| Series {
                name: name.to_string(),
                slug,
                posts: Vec::new(),
            })
            .posts
            .push(id);
    }
    let series: Vec<Series> = by_slug.into_values().collect();
    let mut places = vec![None; posts.len()];
    for (s, item) in series.iter().enumerate() {
        for (index, &id) in item.posts.iter().enumerate() {
            places[id] = Some(SeriesPlace { series: s, index });
        }
    }
    (series, places)
}

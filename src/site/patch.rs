//! The last index, patched after edits that keep every post's place.
//!
//! `serve` swaps edited posts into the last [`Site`] without indexing when
//! nothing the index reads changed ([`Site::with_posts_replaced`]). An edit
//! to a post's date, tags, categories, kind or series does change the
//! index, but usually not the order of posts: then the posts keep their
//! ids, and every part of the index an edited field does not feed is the
//! last one, shared. Only the parts the edit reaches are made again (the
//! archive and related posts after a date edit, the terms after a tag
//! edit), from the same functions a full index uses, so the result is
//! what indexing everything again would give. The `incremental` property
//! test holds it to that.
//!
//! The patch declines (and the caller indexes afresh) when an edit could
//! reach further: a post leaving the build (a draft, or a date in the
//! future), a new slug (comments find their post by it), a new URL or
//! bundle (copied files sit beside the post's page), a new source path, or
//! posts in a different order.

use std::cmp::Ordering;
use std::sync::Arc;

use super::{
    Filters, IndexCache, IndexDiagnostics, PostId, Site, archive, collect_taxonomies, is_published,
    newest_first, posts_by_kind, series,
};
use crate::content::Post;

/// The last site with `swaps` (new versions of posts it holds, by id) put
/// in, and the index diagnostics to go with it; `None` when the edit
/// reaches beyond what a patch can make again (see the module docs).
pub fn patch_index(
    last: &Site,
    last_diagnostics: &IndexDiagnostics,
    swaps: &[(PostId, Arc<Post>)],
    filters: &Filters,
    cache: &mut IndexCache,
) -> Option<(Site, IndexDiagnostics)> {
    let mut site = last.clone();
    let (mut terms, mut kinds, mut series_moved, mut dates) = (false, false, false, false);
    for (id, new) in swaps {
        let old = last.posts.get(*id)?;
        let keeps_place = is_published(new, filters)
            && new.source == old.source
            && new.slug == old.slug
            && new.url == old.url
            && new.bundle == old.bundle;
        if !keeps_place {
            return None;
        }
        terms |= new.tags != old.tags
            || new.tag_slugs != old.tag_slugs
            || new.categories != old.categories
            || new.category_slugs != old.category_slugs;
        kinds |= new.kind != old.kind;
        series_moved |= new.series != old.series;
        dates |= new.date != old.date;
        site.posts[*id] = new.clone();
    }
    // The order is the index's when every edited post is still in order
    // with its neighbours: every other neighbouring pair is as it was.
    let posts = &site.posts;
    let in_order = |a: PostId, b: PostId| newest_first(&posts[a], &posts[b]) != Ordering::Greater;
    for (id, _) in swaps {
        if (*id > 0 && !in_order(id - 1, *id)) || (id + 1 < posts.len() && !in_order(*id, id + 1)) {
            return None;
        }
    }

    let mut diagnostics = last_diagnostics.clone();
    if terms {
        let (tags, categories, d) = collect_taxonomies(&site.posts, &site.config);
        site.tags = Arc::new(tags);
        site.categories = Arc::new(categories);
        diagnostics.terms = d;
    }
    if kinds {
        site.by_kind = Arc::new(posts_by_kind(&site.posts));
    }
    if series_moved {
        let (s, of) = series::collect_series(&site.posts);
        site.series = Arc::new(s);
        site.series_of = Arc::new(of);
    }
    if dates {
        // The same archive (a time edit within the day) stays the same
        // value, so what compares the index's parts by pointer sees it.
        let archive = archive::build_archive(&site.posts);
        if archive != *site.archive {
            site.archive = Arc::new(archive);
        }
    }
    site.related = cache.related(&site.posts, site.config.related_count);
    Some((site, diagnostics))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::parse_config;
    use crate::content::Parsed;
    use crate::site::{IndexDiagnostics, index_site};
    use proptest::prelude::*;

    use crate::site::test_posts::{post, shape};

    /// Everything the index makes, but the posts themselves, by source.
    fn parts(site: &Site, d: &IndexDiagnostics) -> String {
        let sources: Vec<_> = site.posts.iter().map(|p| &p.source).collect();
        let d: Vec<String> = d.iter().map(|d| d.to_string()).collect();
        format!(
            "{sources:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{:?}\n{d:?}",
            site.tags,
            site.categories,
            site.by_kind,
            site.series,
            site.series_of,
            site.related,
            site.archive,
            site.comments,
        )
    }

    fn index(
        posts: &[Arc<Post>],
        config: &crate::config::Config,
        filters: &Filters,
        cache: &mut IndexCache,
    ) -> (Site, IndexDiagnostics) {
        let parsed = Parsed {
            posts: posts.to_vec(),
            ..Parsed::default()
        };
        index_site(config.clone(), parsed, [], filters, cache)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(200))]

        /// A patched index is the index made afresh, whenever the patch
        /// takes the edit; and it takes edits that keep the order.
        #[test]
        fn a_patched_index_is_the_index_made_again(
            shapes in proptest::collection::vec(shape(), 2..12),
            edits in proptest::collection::vec((0usize..12, shape(), 0u8..4), 1..4),
        ) {
            // URLs without the date: a post keeps its URL across days.
            let config = parse_config("permalink = \"/:slug/\"\n[related]\ncount = 2\n").unwrap();
            let filters = Filters { drafts: false, future: false, now: "2026-01-01T00:00:00Z".parse().unwrap() };
            let mut posts: Vec<Arc<Post>> =
                shapes.iter().enumerate().map(|(n, s)| post(n, s, &config)).collect();
            let mut cache = IndexCache::default();
            let (mut site, mut diagnostics) = index(&posts, &config, &filters, &mut cache);
            for (which, new, field) in edits {
                let id = which % site.posts.len();
                let n: usize = site.posts[id].source.to_string_lossy()
                    .trim_start_matches("content/posts/p").trim_end_matches(".md").parse().unwrap();
                // One field of the post takes the new shape's value.
                let mut s = shapes[n].clone();
                match field {
                    0 => (s.day, s.hour) = (new.day, new.hour),
                    1 => (s.tags, s.category) = (new.tags, new.category),
                    2 => s.kind = new.kind,
                    _ => s.series = new.series,
                }
                let edited = post(n, &s, &config);
                posts[n] = edited.clone();
                let patched = patch_index(&site, &diagnostics, &[(id, edited)], &filters, &mut cache);
                let mut fresh_cache = IndexCache::default();
                let (fresh, fresh_d) = index(&posts, &config, &filters, &mut fresh_cache);
                match patched {
                    Some((p, d)) => {
                        prop_assert_eq!(parts(&p, &d), parts(&fresh, &fresh_d));
                        (site, diagnostics) = (p, d);
                    }
                    None => {
                        // Declined only when the order moved.
                        let before: Vec<_> = site.posts.iter().map(|p| &p.source).collect();
                        let after: Vec<_> = fresh.posts.iter().map(|p| &p.source).collect();
                        prop_assert_ne!(before, after);
                        // The cache follows the index the caller makes.
                        let (s, d) = index(&posts, &config, &filters, &mut cache);
                        (site, diagnostics) = (s, d);
                    }
                }
            }
        }
    }
}

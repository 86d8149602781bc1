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
//! what indexing everything again would give. Of the terms, only those an
//! edited post had or has are collected again, from the posts that can
//! have them (see `patch_terms`), when the others had nothing to say. The
//! property test below and the `incremental` one hold it to that.
//!
//! The patch declines (and the caller indexes afresh) when an edit could
//! reach further: a post leaving the build (a draft, or a date in the
//! future), a new slug (comments find their post by it), a new URL or
//! bundle (copied files sit beside the post's page), a new source path, or
//! posts in a different order.

use std::cmp::Ordering;
use std::collections::BTreeSet;
use std::sync::Arc;

use super::{
    Filters, IndexCache, IndexDiagnostics, PostId, Site, Term, archive, collect_taxonomies,
    collect_terms, is_published, newest_first, posts_by_kind, series, term_names,
};
use crate::config::{Config, TaxonomyKind};
use crate::content::Post;
use crate::diagnostic::Diagnostics;

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
        let edited: Vec<(PostId, &Post)> = swaps
            .iter()
            .map(|(id, _)| (*id, &*last.posts[*id]))
            .collect();
        let config = &site.config;
        let (tags, categories, d) = if last_diagnostics.terms.is_empty() {
            let mut d = Diagnostics::new();
            let [tags, categories] = [
                (TaxonomyKind::Tags, &last.tags),
                (TaxonomyKind::Categories, &last.categories),
            ]
            .map(|(kind, last)| patch_terms(last, &site.posts, &edited, kind, config, &mut d));
            (tags, categories, d)
        } else {
            collect_taxonomies(&site.posts, config)
        };
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

/// The terms of one taxonomy after the edit of the posts `edited` (ids,
/// with their last versions), made from the `last` terms of a site whose
/// terms had nothing to say: only the terms an edited post had or has are
/// collected again, from the posts they listed and the edited posts,
/// which are all the posts that can have them now. So they, and what is
/// said about them (into `diagnostics`), are what collecting every term
/// gives; the other terms are the last ones, with nothing to say.
fn patch_terms(
    last: &[Term],
    posts: &[Arc<Post>],
    edited: &[(PostId, &Post)],
    kind: TaxonomyKind,
    config: &Config,
    diagnostics: &mut Diagnostics,
) -> Vec<Term> {
    let mut touched: BTreeSet<&str> = BTreeSet::new();
    for &(id, old) in edited {
        touched.extend(term_names(old, kind).1.iter().map(String::as_str));
        touched.extend(term_names(&posts[id], kind).1.iter().map(String::as_str));
    }
    let mut ids: Vec<PostId> = edited.iter().map(|(id, _)| *id).collect();
    for &slug in &touched {
        if let Ok(i) = last.binary_search_by(|t| t.slug.as_str().cmp(slug)) {
            ids.extend(&last[i].posts);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    let remade = collect_terms(
        posts,
        ids,
        |slug| touched.contains(slug),
        kind,
        diagnostics,
        config.taxonomy(kind),
    );
    // The kept terms and the remade ones, in slug order.
    let mut terms: Vec<Term> = Vec::with_capacity(last.len() + remade.len());
    let mut remade = remade.into_iter().peekable();
    for term in last.iter().filter(|t| !touched.contains(t.slug.as_str())) {
        while let Some(new) = remade.next_if(|n| n.slug < term.slug) {
            terms.push(new);
        }
        terms.push(term.clone());
    }
    terms.extend(remade);
    terms
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

    /// A tag edit that brings a second spelling of a tag, or a tag with
    /// no letter or digit, into a site whose terms had nothing to say:
    /// the patched index says what indexing again says.
    #[test]
    fn a_tag_edit_that_makes_a_term_warn_warns_as_indexing_again_does() {
        let config = crate::config::parse_config("permalink = \"/:slug/\"\n").unwrap();
        let filters = Filters {
            drafts: false,
            future: false,
            now: "2026-01-01T00:00:00Z".parse().unwrap(),
        };
        let shape = |day: u8, tags: Vec<u8>| crate::site::test_posts::Shape {
            day,
            hour: 0,
            tags,
            category: None,
            kind: 0,
            series: None,
        };
        // Tag 0 is "Iran", 1 "iran", 2 "Trade", 4 "+", 6 "C++", 7 "c".
        for new_tags in [vec![1], vec![4], vec![6], vec![2, 1], vec![0, 2], vec![]] {
            let mut posts = vec![
                post(0, &shape(2, vec![0, 7]), &config),
                post(1, &shape(1, vec![2]), &config),
            ];
            let mut cache = IndexCache::default();
            let (site, d) = index(&posts, &config, &filters, &mut cache);
            assert!(d.terms.is_empty());
            posts[1] = post(1, &shape(1, new_tags.clone()), &config);
            let (p, pd) = patch_index(&site, &d, &[(1, posts[1].clone())], &filters, &mut cache)
                .expect("the order holds");
            let (fresh, fd) = index(&posts, &config, &filters, &mut IndexCache::default());
            assert_eq!(parts(&p, &pd), parts(&fresh, &fd), "tags {new_tags:?}");
        }
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

//! A patched plan against the plan made afresh, over random edits of
//! posts' dates, terms, kinds and series.

use std::sync::Arc;

use proptest::prelude::*;

use super::*;
use crate::config::parse_config;
use crate::content::{Parsed, Post};
use crate::render::plan::{plan_site, plan_site_kept};
use crate::site::Filters;
use crate::site::test_posts::{parse_post, post, shape};
use crate::site::{IndexCache, index_site};

fn index(posts: &[Arc<Post>], config: &crate::config::Config) -> Site {
    let filters = Filters {
        drafts: false,
        future: false,
        now: "2026-01-01T00:00:00Z".parse().unwrap(),
    };
    let parsed = Parsed {
        posts: posts.to_vec(),
        ..Parsed::default()
    };
    index_site(
        config.clone(),
        parsed,
        [],
        &filters,
        &mut IndexCache::default(),
    )
    .0
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(150))]

    /// Whenever a patch takes an edit, its plan is the plan made afresh,
    /// and its matching says where each last job went and whether it is
    /// the same job. It declines only when planning again has something
    /// to say, the posts' order moved or a post's page moved.
    #[test]
    fn a_patched_plan_is_the_plan_made_again(
        shapes in proptest::collection::vec(shape(), 2..12),
        edits in proptest::collection::vec((0usize..12, shape(), 0u8..4), 1..5),
        dated in any::<bool>(),
        tags_post in any::<bool>(),
        per_page in 1usize..4,
    ) {
        // With dates in URLs, a date edit moves the post's page.
        let permalink = if dated { "" } else { "permalink = \"/:slug/\"\n" };
        // Short pages: lists of several pages, taken whole or planned again.
        let config = parse_config(&format!(
            "{permalink}paginate_by = {per_page}\n[related]\ncount = 2\n"
        ))
        .unwrap();
        let dir = tempfile::tempdir().unwrap();
        let theme = crate::theme::load_theme(dir.path(), &config).unwrap();
        let mut shapes = shapes;
        let mut posts: Vec<Arc<Post>> =
            shapes.iter().enumerate().map(|(n, s)| post(n, s, &config)).collect();
        if tags_post {
            // A post whose page is where the list of all tags goes once
            // there are tags (with dates in URLs, beside it): a clash a
            // patch must leave to planning. No post has tags at first.
            for (n, s) in shapes.iter_mut().enumerate() {
                s.tags.clear();
                posts[n] = post(n, s, &config);
            }
            let text = "+++\ntitle = \"Tags\"\ndate = 2020-02-01T00:00:00Z\nslug = \"tags\"\n+++\nText.\n";
            posts.push(parse_post(99, text.into(), &config));
        }
        let mut site = index(&posts, &config);
        if tags_post {
            // A static file where a tag's folder would go.
            site.static_files = Arc::new(vec![crate::site::BundleFile {
                source: "static/tags/iran".into(),
                rel: "static/tags/iran".into(),
                output: "tags/iran".into(),
            }]);
        }
        let (jobs, _, mut kept) = plan_site_kept(&site, &theme, true);
        let mut jobs = Arc::new(jobs);
        for (which, new, field) in edits {
            let n = which % shapes.len();
            let s = &mut shapes[n];
            match field {
                0 => (s.day, s.hour) = (new.day, new.hour),
                1 => (s.tags, s.category) = (new.tags, new.category),
                2 => s.kind = new.kind,
                _ => s.series = new.series,
            }
            posts[n] = post(n, s, &config);
            let mut now = index(&posts, &config);
            now.static_files = site.static_files.clone();
            // As the patched index does: an archive that did not change
            // is the last one, which lets the plan take its date lists.
            if now.archive == site.archive {
                now.archive = site.archive.clone();
            }
            let (fresh, fresh_d) = plan_site(&now, &theme);
            let sources = |s: &Site| s.posts.iter().map(|p| p.source.clone()).collect::<Vec<_>>();
            let same_order = sources(&site) == sources(&now);
            let moved = site.posts.iter().zip(&now.posts).any(|(a, b)| a.url != b.url);
            let last = (*jobs).clone();
            let patched = match &mut kept {
                Some(k) if same_order => k.patch(&mut jobs, &now, &theme),
                _ => None,
            };
            match patched {
                Some(Patched { jobs: new_jobs, matching }) => {
                    prop_assert!(fresh_d.is_empty(), "patched, but planning says {:?}", fresh_d);
                    prop_assert_eq!(&new_jobs, &fresh);
                    let same = matching.same_jobs(&[], &new_jobs);
                    for (i, old) in last.iter().enumerate() {
                        match matching.place[i] {
                            Some(k) => {
                                prop_assert_eq!(&new_jobs[k].output, &old.output);
                                prop_assert_eq!(same[i].is_some(), new_jobs[k] == *old);
                            }
                            None => {
                                prop_assert!(new_jobs.iter().all(|j| j.output != old.output));
                                prop_assert_eq!(matching.gone(&[], i), Some(old.output.clone()));
                            }
                        }
                    }
                    jobs = Arc::new(new_jobs);
                }
                None => {
                    prop_assert!(
                        kept.is_none() || !fresh_d.is_empty() || !same_order || moved,
                        "declined an edit planning takes as it is"
                    );
                    let (j, _, k) = plan_site_kept(&now, &theme, true);
                    (jobs, kept) = (Arc::new(j), k);
                }
            }
            site = now;
        }
    }
}

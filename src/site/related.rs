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
//!
//! After an edit that changes some posts' tags or dates but not the posts'
//! order ([`updated_related`]), only the posts whose windows reach an
//! edited post are ranked again: `serve` re-ranking all of a 10,000-post
//! site took 20 ms of a tag edit, and re-ranking every post sharing a tag
//! with the edited one still took about 4 ms of a date edit.

use rustc_hash::{FxHashMap as HashMap, FxHashSet as HashSet};
use std::sync::Arc;

use rayon::prelude::*;

use crate::content::Post;
use crate::site::PostId;

/// How many posts either side of a post, in each of its tags' lists, are
/// candidates.
pub const WINDOW: usize = 150;

/// Tag slug → the posts with the tag, in id order (newest first): the
/// inverted index ranking reads. A session keeps it between builds and
/// moves only the edited posts in it.
#[derive(Debug, Default, Clone)]
pub struct TagIndex(HashMap<String, Vec<PostId>>);

impl TagIndex {
    pub fn of(posts: &[Arc<Post>]) -> TagIndex {
        let mut index: HashMap<String, Vec<PostId>> = HashMap::default();
        for (id, post) in posts.iter().enumerate() {
            for slug in &post.tag_slugs {
                match index.get_mut(slug.as_str()) {
                    // Two names of one post with one slug ("C++" and
                    // "c"): the post is in the list once, as `retag`
                    // keeps it.
                    Some(list) if list.last() == Some(&id) => {}
                    Some(list) => list.push(id),
                    None => {
                        index.insert(slug.clone(), vec![id]);
                    }
                }
            }
        }
        TagIndex(index)
    }

    fn get(&self, tag: &str) -> Option<&Vec<PostId>> {
        self.0.get(tag)
    }

    /// Post `id`'s tags were `old` and are `new` (the posts' order is
    /// the same): it leaves the lists of tags it lost and joins the lists
    /// of tags it gained, in its place.
    fn retag(&mut self, id: PostId, old: &[String], new: &[String]) {
        for tag in old.iter().filter(|t| !new.contains(t)) {
            if let Some(list) = self.0.get_mut(tag.as_str()) {
                if let Ok(at) = list.binary_search(&id) {
                    list.remove(at);
                }
                if list.is_empty() {
                    self.0.remove(tag.as_str());
                }
            }
        }
        for tag in new.iter().filter(|t| !old.contains(t)) {
            let list = self.0.entry(tag.clone()).or_default();
            if let Err(at) = list.binary_search(&id) {
                list.insert(at, id);
            }
        }
    }
}

/// Up to `count` related posts for each post.
pub fn related_posts(posts: &[Arc<Post>], count: usize) -> Vec<Vec<PostId>> {
    related_posts_by(posts, count, &TagIndex::of(posts))
}

/// [`related_posts`], with the posts' tag index at hand.
pub fn related_posts_by(posts: &[Arc<Post>], count: usize, tags: &TagIndex) -> Vec<Vec<PostId>> {
    if count == 0 {
        return vec![Vec::new(); posts.len()];
    }
    let ranker = Ranker::new(posts, count, tags);
    let ids: Vec<PostId> = (0..posts.len()).collect();
    ranker.rank_all(&ids)
}

/// The related posts of `posts` when `before` (with its related lists
/// `related`) is the last index's post list and both hold the same files
/// in the same order: only posts near a post whose tags or date changed,
/// in a tag list they share, can rank differently (their windows and time
/// distances are the only inputs that moved; see `Ranker::reached`), so
/// only those are ranked again; when none changed, `related` itself is
/// the answer. `tags` is the tag index of `before`, and becomes that of
/// `posts`. `None` (and `tags` untouched) when the posts are not the same
/// files in the same order.
pub fn updated_related(
    before: &[Arc<Post>],
    related: &Arc<Vec<Vec<PostId>>>,
    posts: &[Arc<Post>],
    count: usize,
    tags: &mut TagIndex,
) -> Option<Arc<Vec<Vec<PostId>>>> {
    if before.len() != posts.len() || related.len() != posts.len() {
        return None;
    }
    let mut moved_tags: HashSet<&str> = HashSet::default();
    let mut changed = Vec::new();
    for (id, (old, new)) in before.iter().zip(posts).enumerate() {
        if Arc::ptr_eq(old, new) {
            continue;
        }
        if old.source != new.source {
            return None;
        }
        if old.tag_slugs != new.tag_slugs || seconds(old) != seconds(new) {
            changed.push(id);
            moved_tags.extend(old.tag_slugs.iter().map(String::as_str));
            moved_tags.extend(new.tag_slugs.iter().map(String::as_str));
        }
    }
    for &id in &changed {
        tags.retag(id, &before[id].tag_slugs, &posts[id].tag_slugs);
    }
    if changed.is_empty() || count == 0 {
        return Some(related.clone());
    }
    let mut out = related.to_vec();
    let ranker = Ranker::new(posts, count, tags);
    let affected = ranker.reached(before, &changed, &moved_tags);
    for (id, list) in affected.iter().zip(ranker.rank_all(&affected)) {
        out[*id] = list;
    }
    Some(Arc::new(out))
}

fn seconds(post: &Post) -> i64 {
    post.date.timestamp().as_second()
}

/// What ranking needs: the tag index and every post's date.
struct Ranker<'a> {
    posts: &'a [Arc<Post>],
    count: usize,
    index: &'a TagIndex,
    too_common: usize,
    seconds: Vec<i64>,
}

impl<'a> Ranker<'a> {
    fn new(posts: &'a [Arc<Post>], count: usize, index: &'a TagIndex) -> Self {
        Ranker {
            posts,
            count,
            index,
            too_common: (posts.len() / 4).max(50),
            seconds: posts.iter().map(|p| seconds(p)).collect(),
        }
    }

    /// The posts whose related posts the edit of `changed` (ids whose
    /// tags or date changed; `before` has their old versions, in the same
    /// order) can reach: besides the edited posts, those near an edited
    /// post in a tag list it joined, left or kept (a post counts only
    /// posts within [`WINDOW`] of it in each list, and a post joining or
    /// leaving a list shifts the windows that reach over it), and every
    /// post of a list that crossed the too-common line (it counts for its
    /// posts, or stops counting). The tag lists are in id order, so the
    /// neighbours are a slice; the old lists differ from the new ones only
    /// by edited posts, so a slice wider by their number holds the old
    /// neighbours too.
    fn reached(
        &self,
        before: &[Arc<Post>],
        changed: &[PostId],
        tags: &HashSet<&str>,
    ) -> Vec<PostId> {
        let mut reached = changed.to_vec();
        let reach = WINDOW + 1 + changed.len();
        let has = |post: &Post, tag: &str| post.tag_slugs.iter().any(|t| t == tag);
        for &tag in tags {
            let list = self.index.get(tag).map_or(&[][..], Vec::as_slice);
            let joined = changed
                .iter()
                .filter(|&&id| has(&self.posts[id], tag))
                .count();
            let left = changed.iter().filter(|&&id| has(&before[id], tag)).count();
            let was = list.len() + left - joined;
            if (was <= self.too_common) != (list.len() <= self.too_common) {
                reached.extend(list);
                continue;
            }
            for &id in changed {
                if has(&self.posts[id], tag) || has(&before[id], tag) {
                    let at = list.partition_point(|&other| other < id);
                    reached
                        .extend(&list[at.saturating_sub(reach)..(at + reach + 1).min(list.len())]);
                }
            }
        }
        reached.sort_unstable();
        reached.dedup();
        reached
    }

    /// The related posts of each of `ids`, in parallel.
    fn rank_all(&self, ids: &[PostId]) -> Vec<Vec<PostId>> {
        // rayon calls `map_init`'s init once per piece of work it splits
        // off, not once per thread; each init zeroes a counter per post,
        // so without a floor on the piece size 100,000 posts cost
        // gigabytes and seconds.
        let min_len = (ids.len() / (rayon::current_num_threads() * 8)).max(64);
        ids.par_iter()
            .with_min_len(min_len)
            .map_init(
                || (vec![0u32; self.posts.len()], Vec::new()),
                |(shared, touched), &id| self.rank(id, shared, touched),
            )
            .collect()
    }

    /// Post `id`'s related posts. `shared` (a zeroed counter per post)
    /// and `touched` (empty) are scratch space, left as they were found.
    fn rank(&self, id: PostId, shared: &mut [u32], touched: &mut Vec<PostId>) -> Vec<PostId> {
        let post = &self.posts[id];
        let mut lists: Vec<&Vec<PostId>> = post
            .tag_slugs
            .iter()
            .filter_map(|t| self.index.get(t.as_str()))
            .collect();
        // Each tag once, however many of the post's names it has.
        lists.sort_unstable_by_key(|l| l.as_ptr());
        lists.dedup_by_key(|l| l.as_ptr());
        let informative = lists.iter().any(|l| l.len() <= self.too_common);
        for list in lists
            .into_iter()
            .filter(|l| !informative || l.len() <= self.too_common)
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
        // The best `count` by `by_rank`, kept in order while the candidates
        // are read (hundreds a post, most of them beaten by the worst kept
        // after one comparison), rather than all collected and partitioned:
        // `select_nth_unstable` was a fiftieth of a 10,000-post build.
        let seconds = &self.seconds;
        let candidates = touched.drain(..).map(|other| {
            let n = std::mem::take(&mut shared[other]);
            (n, (seconds[other] - seconds[id]).abs(), other)
        });
        least(candidates, self.count, by_rank)
            .iter()
            .map(|&(_, _, other)| other)
            .collect()
    }
}

/// A candidate as `rank` weighs it: (shared tags, seconds apart, id).
type Candidate = (u32, i64, PostId);

/// Most shared tags first, then nearest in time, then the newer post
/// (the lower id): a total order, since ids differ.
fn by_rank(a: &Candidate, b: &Candidate) -> std::cmp::Ordering {
    b.0.cmp(&a.0).then(a.1.cmp(&b.1)).then(a.2.cmp(&b.2))
}

/// The `count` least of `items` by `order` (a total order), least first:
/// what sorting them all and keeping the first `count` gives, kept in a
/// list of `count` as they are read.
fn least<T>(
    items: impl IntoIterator<Item = T>,
    count: usize,
    order: impl Fn(&T, &T) -> std::cmp::Ordering,
) -> Vec<T> {
    // Room for the usual handful; a count in the thousands grows as needed.
    let mut best: Vec<T> = Vec::with_capacity(count.min(32));
    for item in items {
        if best.len() == count {
            match best.last() {
                Some(worst) if order(&item, worst).is_lt() => {
                    best.pop();
                }
                _ => continue,
            }
        }
        let at = best.partition_point(|kept| order(kept, &item).is_lt());
        best.insert(at, item);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::content::source::{Role, SourceFile};
    use crate::content::{Item, parse_one};
    use std::path::PathBuf;

    /// A post dated `minutes` after a base time, with `tags`.
    fn post(n: usize, minutes: i64, tags: &[String]) -> Arc<Post> {
        let config = crate::config::parse_config("").unwrap();
        let at = jiff::Timestamp::from_second(1_600_000_000 + minutes * 60).unwrap();
        let tags: Vec<String> = tags.iter().map(|t| format!("\"{t}\"")).collect();
        let text = format!(
            "+++\ntitle = \"Post {n}\"\ndate = {at}\ntags = [{}]\n+++\nText.\n",
            tags.join(", ")
        );
        let file = SourceFile {
            rel: PathBuf::from(format!("content/posts/p{n}.md")),
            abs: PathBuf::from(format!("content/posts/p{n}.md")),
            role: Role::Post,
            text: Some(text),
        };
        match parse_one(&file, &config).item {
            Some(Item::Post(p)) => p,
            other => panic!("post {n} did not parse: {other:?}"),
        }
    }

    /// A small deterministic generator (no seed file to keep).
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, below: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            ((self.0 >> 33) as usize) % below
        }
        /// One to three tags; `common` is on most posts, so it is "too
        /// common" and skipped by posts with another tag; `edge` now and
        /// then (see the test).
        fn tags(&mut self) -> Vec<String> {
            let mut tags = vec![];
            if self.next(10) < 8 {
                tags.push("common".to_string());
            }
            if self.next(4) == 0 {
                tags.push("edge".to_string());
            }
            for _ in 0..self.next(3) + 1 {
                let t = format!("t{}", self.next(12));
                if !tags.contains(&t) {
                    tags.push(t);
                }
            }
            tags
        }
    }

    #[test]
    fn ranking_only_the_posts_near_an_edit_gives_what_ranking_all_gives() {
        let mut rng = Lcg(7);
        // Newest first, an hour apart: as the index orders them. Each
        // `t` tag is on about 330 posts, more than a window; `edge` is on
        // exactly as many posts as a tag may be before it is too common,
        // so edits move it across that line and back.
        let n = 2000;
        let mut posts: Vec<Arc<Post>> = (0..n)
            .map(|i| {
                let mut tags: Vec<String> =
                    rng.tags().into_iter().filter(|t| t != "edge").collect();
                if i % 4 == 0 {
                    tags.push("edge".to_string());
                }
                post(i, ((n - i) * 60) as i64, &tags)
            })
            .collect();
        let mut related = Arc::new(related_posts(&posts, 5));
        for round in 0..40 {
            let mut next = posts.clone();
            for _ in 0..rng.next(3) + 1 {
                let id = rng.next(n);
                // New tags, or a date moved by up to 20 minutes (the
                // order stays).
                let base = ((n - id) * 60) as i64;
                let minutes = base + rng.next(41) as i64 - 20;
                let tags = if rng.next(2) == 0 {
                    rng.tags()
                } else {
                    next[id].tag_slugs.clone()
                };
                next[id] = post(id, minutes, &tags);
            }
            let mut tags = TagIndex::of(&posts);
            let updated = updated_related(&posts, &related, &next, 5, &mut tags)
                .unwrap_or_else(|| panic!("round {round}: the same files in the same order"));
            let full = related_posts(&next, 5);
            assert_eq!(*updated, full, "round {round}");
            assert_eq!(tags.0, TagIndex::of(&next).0, "round {round}");
            posts = next;
            related = Arc::new(full);
        }
        // Other files, or another order: no update.
        let mut swapped = posts.clone();
        swapped.swap(0, 1);
        let mut tags = TagIndex::of(&posts);
        assert!(updated_related(&posts, &related, &swapped, 5, &mut tags).is_none());
        assert!(updated_related(&posts, &related, &posts[1..], 5, &mut tags).is_none());
        assert_eq!(tags.0, TagIndex::of(&posts).0);
    }

    proptest::proptest! {
        /// Keeping the best few while reading gives what sorting every
        /// candidate by `rank`'s own order and keeping the first few gives,
        /// ties in shared tags and time included (the id breaks them).
        #[test]
        fn least_is_the_first_of_a_full_sort(
            keys in proptest::collection::vec((0u32..4, 0i64..6), 0..60),
            count in 0usize..12,
        ) {
            let items: Vec<Candidate> =
                keys.iter().enumerate().map(|(id, &(n, d))| (n, d, id)).collect();
            let mut sorted = items.clone();
            sorted.sort_by(by_rank);
            sorted.truncate(count);
            proptest::prop_assert_eq!(least(items, count, by_rank), sorted);
        }
    }
}

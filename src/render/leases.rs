//! How long a one-shot build holds each post's list item.
//!
//! A list item (a post's list value with its rendered `item.html`) is
//! shown by every list page the post is on: a page of the home list, of
//! each of its tags and categories, of its kind's list, of its day, month
//! and year archives. A session keeps every item for the next edit
//! (`render::reads`). A one-shot build needs an item only until the last
//! of those pages is made, and knows them all from the plan before it
//! starts: each post's item is *leased* for that many pages, made by the
//! first, handed to the rest, and dropped when the last is done.
//!
//! That frees memory only if a post's pages are made close together. Post
//! ids run newest first, so the build makes its list pages in the order of
//! the newest post each shows (`super::incremental`): a day's archive, the
//! home page and most tag pages that show a post come near each other, and
//! at any time only the items of the posts being swept (and those of wide
//! pages, such as a year's archive or a rare tag's) are held. At 10,000
//! posts that is a small share of the items, where holding all of them was
//! the largest thing a build kept.
//!
//! A post with no lease (a session, a page outside the plan's count) is
//! left to the memo's own cell: a lease only ever shortens how long a
//! value is held, never what a page shows.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use super::reads::Listed;
use crate::site::PostId;

/// For each of `posts` posts, how many of `pages` (each the posts it
/// reads, by id) read it.
fn pages_per_post<'a>(posts: usize, pages: impl IntoIterator<Item = &'a [PostId]>) -> Vec<usize> {
    let mut counts = vec![0usize; posts];
    for &id in pages.into_iter().flatten() {
        if let Some(count) = counts.get_mut(id) {
            *count += 1;
        }
    }
    counts
}

/// Per post: how many list pages still have to show its item, and the
/// item once made. Empty when nothing is leased.
#[derive(Default)]
pub struct Leases {
    slots: Vec<Mutex<Slot>>,
}

#[derive(Default)]
struct Slot {
    pages: usize,
    item: Option<Listed>,
}

impl Leases {
    /// Leases for the posts shown by `pages` (each page's list items, by
    /// post id), among `posts` posts.
    pub fn new<'a>(posts: usize, pages: impl IntoIterator<Item = &'a [PostId]>) -> Self {
        Leases {
            slots: pages_per_post(posts, pages)
                .into_iter()
                .map(|pages| Mutex::new(Slot { pages, item: None }))
                .collect(),
        }
    }

    fn slot(&self, id: PostId) -> Option<MutexGuard<'_, Slot>> {
        let slot = self.slots.get(id)?;
        // A panic while making an item leaves the slot as it was.
        let slot = slot.lock().unwrap_or_else(|e| e.into_inner());
        (slot.pages > 0).then_some(slot)
    }

    /// The post's item, made by `make` if no page made it yet; or `make`
    /// back when the post has no lease open (the caller keeps it its own
    /// way). A second page asking while the first makes it waits for it.
    pub fn item<F: FnOnce() -> Listed>(&self, id: PostId, make: F) -> Result<Listed, F> {
        let Some(mut slot) = self.slot(id) else {
            return Err(make);
        };
        Ok(slot.item.get_or_insert_with(make).clone())
    }

    /// A page showing these posts' items is done: each lease runs down by
    /// one, and an item whose last page this was is dropped.
    pub fn done(&self, posts: &[PostId]) {
        for &id in posts {
            let released = self.slot(id).and_then(|mut slot| {
                slot.pages -= 1;
                if slot.pages == 0 {
                    slot.item.take()
                } else {
                    None
                }
            });
            drop(released);
        }
    }

    /// How many items are held now.
    #[cfg(test)]
    fn held(&self) -> usize {
        self.slots
            .iter()
            .filter(|s| s.lock().unwrap().item.is_some())
            .count()
    }
}

/// Per post, how many pages still have to read something of it: the
/// pages reading its whole HTML, which a one-shot build lets go of post
/// by post as the last of them is made, instead of all at once after every
/// post page and feed.
pub struct Countdown {
    left: Vec<AtomicUsize>,
}

impl Countdown {
    /// A count for each of `posts` posts of the pages (by the posts each
    /// reads) that read it.
    pub fn new<'a>(posts: usize, pages: impl IntoIterator<Item = &'a [PostId]>) -> Self {
        let left = pages_per_post(posts, pages);
        Countdown {
            left: left.into_iter().map(AtomicUsize::new).collect(),
        }
    }

    /// A page reading these posts is done: calls `last` with each post
    /// whose last page it was.
    pub fn done(&self, posts: &[PostId], mut last: impl FnMut(PostId)) {
        for &id in posts {
            let Some(count) = self.left.get(id) else {
                continue;
            };
            // A post no counted page reads is never `last`.
            let was = count.fetch_update(Ordering::AcqRel, Ordering::Acquire, |n| n.checked_sub(1));
            if was == Ok(1) {
                last(id);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::render::reads::Shared;
    use std::cell::Cell;

    fn item(text: &str) -> Listed {
        Ok(Shared::with_hash(tera::Value::from(text), 0))
    }

    #[test]
    fn an_item_is_made_once_and_dropped_after_its_last_page() {
        // Post 0 on two pages, post 1 on one, post 2 on none.
        let leases = Leases::new(3, [&[0, 1][..], &[0][..]]);
        let made = &Cell::new(0);
        let make = |text: &'static str| {
            move || {
                made.set(made.get() + 1);
                item(text)
            }
        };
        let first = leases.item(0, make("zero")).ok().unwrap();
        let again = leases.item(0, make("other")).ok().unwrap();
        assert_eq!(made.get(), 1, "the second page takes the first page's item");
        let text = |l: &Listed| l.as_ref().unwrap().as_str().unwrap().to_string();
        assert_eq!((text(&first), text(&again)), ("zero".into(), "zero".into()));
        assert!(leases.item(1, make("one")).ok().unwrap().is_ok());
        assert_eq!(leases.held(), 2);

        leases.done(&[0, 1]);
        assert_eq!(
            leases.held(),
            1,
            "post 1's only page is done; post 0 has one left"
        );
        leases.done(&[0]);
        assert_eq!(leases.held(), 0);

        // No lease (post 2, or post 0 once its pages are done): the maker
        // comes back unused, for the caller's own cell.
        assert!(leases.item(2, make("two")).is_err());
        assert!(leases.item(0, make("zero")).is_err());
        assert!(Leases::default().item(0, make("zero")).is_err());
        assert_eq!(made.get(), 2);
    }

    #[test]
    fn a_countdown_names_each_post_once_when_its_last_page_is_done() {
        let pages: [&[PostId]; 3] = [&[0, 1], &[0], &[1, 0]];
        let count = Countdown::new(3, pages);
        let mut last = Vec::new();
        for page in pages {
            count.done(page, |id| last.push(id));
        }
        assert_eq!(
            last,
            [1, 0],
            "post 1's last page is the third, as is post 0's"
        );
        // Pages beyond the count (or of a post none reads) name nobody.
        count.done(&[0, 2, 7], |id| last.push(id));
        assert_eq!(last, [1, 0]);
    }
}

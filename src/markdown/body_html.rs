//! A body's rendered HTML, which a one-shot build can let go of.
//!
//! A post's HTML is the largest thing the content model holds (about as
//! large as the Markdown it came from). A `glossator build` needs it only
//! for the pages that show whole posts: the post's own page, the feeds and
//! lists of whole posts. It makes those first and releases each post's
//! HTML once the last of them reading it is made (`render::leases`), then
//! renders the other pages (lists, archives, term pages) in the room that
//! frees. Posts are shared (`Arc`)
//! between the session, the index and the render memo, so the text sits
//! behind a lock; reading it clones an `Arc`, nothing more.
//!
//! A session that builds again (`serve`, `check`) never releases it.

use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard};

/// The HTML of a rendered body.
pub struct BodyHtml(Mutex<Held>);

enum Held {
    Text(Arc<str>),
    Released,
}

impl BodyHtml {
    pub fn new(html: impl Into<Arc<str>>) -> Self {
        BodyHtml(Mutex::new(Held::Text(html.into())))
    }

    fn held(&self) -> MutexGuard<'_, Held> {
        // Nothing panics while holding the lock; a poisoned lock still
        // holds a whole value.
        self.0.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The HTML.
    ///
    /// # Panics
    /// After [`BodyHtml::release`]: the build's order of work promises
    /// that no page reading it is made after the release, and a page made
    /// without its post's text must not be written. The crash guard
    /// around each page turns the panic into that page's error.
    pub fn get(&self) -> Arc<str> {
        match &*self.held() {
            Held::Text(text) => text.clone(),
            Held::Released => panic!(
                "internal error: a post's HTML was read after the build released it \
                 (a page that shows whole posts was rendered after the post pages)"
            ),
        }
    }

    /// The HTML's length in bytes (0 once released).
    pub fn byte_len(&self) -> usize {
        match &*self.held() {
            Held::Text(text) => text.len(),
            Held::Released => 0,
        }
    }

    /// Lets go of the text (a one-shot build, once every page showing
    /// whole posts is made).
    pub fn release(&self) {
        *self.held() = Held::Released;
    }
}

impl Default for BodyHtml {
    fn default() -> Self {
        BodyHtml::new(String::new())
    }
}

impl Clone for BodyHtml {
    fn clone(&self) -> Self {
        BodyHtml(Mutex::new(match &*self.held() {
            Held::Text(text) => Held::Text(text.clone()),
            Held::Released => Held::Released,
        }))
    }
}

impl PartialEq for BodyHtml {
    fn eq(&self, other: &Self) -> bool {
        match (&*self.held(), &*other.held()) {
            (Held::Text(a), Held::Text(b)) => a == b,
            (Held::Released, Held::Released) => true,
            _ => false,
        }
    }
}

impl PartialEq<&str> for BodyHtml {
    fn eq(&self, other: &&str) -> bool {
        matches!(&*self.held(), Held::Text(text) if &**text == *other)
    }
}

impl fmt::Debug for BodyHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &*self.held() {
            Held::Text(text) => fmt::Debug::fmt(&**text, f),
            Held::Released => f.write_str("<released>"),
        }
    }
}

/// Writes the text; like [`BodyHtml::get`], panics once released.
impl fmt::Display for BodyHtml {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_until_released_then_refuses() {
        let html = BodyHtml::new("<p>Hi</p>");
        assert_eq!(&*html.get(), "<p>Hi</p>");
        let copy = html.clone();
        html.release();
        assert_eq!(format!("{html:?}"), "<released>");
        // A clone made before the release keeps its text.
        assert_eq!(copy, "<p>Hi</p>");
        let read = std::panic::catch_unwind(|| html.get());
        assert!(read.is_err(), "a released text must not read as empty");
    }
}

//! Date archives: the posts of each year, month and day.
//!
//! Posts arrive newest first, so grouping is one pass over consecutive
//! runs; the archive keeps that order (newest year, month and day first).

use crate::content::Post;
use crate::site::PostId;

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Day {
    pub day: i8,
    pub posts: Vec<PostId>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Month {
    pub month: i8,
    pub posts: Vec<PostId>,
    pub days: Vec<Day>,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Year {
    pub year: i16,
    pub posts: Vec<PostId>,
    pub months: Vec<Month>,
}

/// Every published post by year, month and day, newest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Archive {
    pub years: Vec<Year>,
}

/// Groups posts (newest first) by the date in the site's time zone.
pub fn build_archive(posts: &[std::sync::Arc<Post>]) -> Archive {
    let mut years: Vec<Year> = Vec::new();
    for (id, post) in posts.iter().enumerate() {
        let (y, m, d) = (post.date.year(), post.date.month(), post.date.day());
        if years.last().is_none_or(|last| last.year != y) {
            years.push(Year {
                year: y,
                posts: Vec::new(),
                months: Vec::new(),
            });
        }
        let Some(year) = years.last_mut() else {
            continue;
        };
        year.posts.push(id);
        if year.months.last().is_none_or(|last| last.month != m) {
            year.months.push(Month {
                month: m,
                posts: Vec::new(),
                days: Vec::new(),
            });
        }
        let Some(month) = year.months.last_mut() else {
            continue;
        };
        month.posts.push(id);
        if month.days.last().is_none_or(|last| last.day != d) {
            month.days.push(Day {
                day: d,
                posts: Vec::new(),
            });
        }
        if let Some(day) = month.days.last_mut() {
            day.posts.push(id);
        }
    }
    Archive { years }
}

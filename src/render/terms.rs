//! The `tags` and `categories` of post views, made once per term.
//!
//! Every post's view lists its terms as `{ name, slug, url }`. A tag that
//! a thousand posts carry was made a thousand times, twice a one-shot
//! build (a post's view is made for its page and again for its list
//! item). Here each term, as a post spells it, is made once and the one
//! Tera value is shared: Tera passes a value found inside a view it
//! serializes through by reference count, so every view holds the same
//! map. A term's value reads only the config and the name and slug as the
//! post wrote them, so the per-post memo's rule holds (`render::reads`);
//! a new config makes a new memo, and this table with it.

use std::collections::HashMap;
use std::sync::{PoisonError, RwLock};

use serde::Serialize;
use tera::Value;

use crate::config::{Config, TaxonomyKind};

/// A tag or category as attached to a post.
#[derive(Serialize)]
struct TermRef<'a> {
    name: &'a str,
    slug: &'a str,
    url: String,
}

/// Made term values: by taxonomy, by slug, then by the name as written
/// (one slug may be spelled several ways: `Iran`, `iran`).
type Table = RwLock<HashMap<String, Vec<(String, Value)>>>;

/// Term values made so far; see the module docs.
#[derive(Default)]
pub struct TermValues {
    tags: Table,
    categories: Table,
}

impl TermValues {
    /// The values of a post's terms of one taxonomy (`names` and `slugs`
    /// side by side; a term whose slug is empty is left out). `share`
    /// off makes each anew, to show that sharing changes no byte.
    pub fn of(
        &self,
        config: &Config,
        kind: TaxonomyKind,
        names: &[String],
        slugs: &[String],
        share: bool,
    ) -> Vec<Value> {
        names
            .iter()
            .zip(slugs)
            .filter(|(_, slug)| !slug.is_empty())
            .map(|(name, slug)| {
                let make = || {
                    Value::from_serializable(&TermRef {
                        name,
                        slug,
                        url: config.link(&crate::site::term_url(config, kind, slug)),
                    })
                };
                if share {
                    self.value(kind, name, slug, make)
                } else {
                    make()
                }
            })
            .collect()
    }

    fn value(
        &self,
        kind: TaxonomyKind,
        name: &str,
        slug: &str,
        make: impl FnOnce() -> Value,
    ) -> Value {
        let table = match kind {
            TaxonomyKind::Tags => &self.tags,
            TaxonomyKind::Categories => &self.categories,
        };
        let find = |spellings: &[(String, Value)]| {
            spellings
                .iter()
                .find(|(written, _)| written == name)
                .map(|(_, value)| value.clone())
        };
        // Nothing panics while a lock is held; a poisoned table is whole.
        if let Some(value) = table
            .read()
            .unwrap_or_else(PoisonError::into_inner)
            .get(slug)
            .and_then(|s| find(s))
        {
            return value;
        }
        let mut table = table.write().unwrap_or_else(PoisonError::into_inner);
        let spellings = table.entry(slug.to_string()).or_default();
        // Another thread may have made it since the read.
        if let Some(value) = find(spellings) {
            return value;
        }
        let value = make();
        spellings.push((name.to_string(), value.clone()));
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn a_term_is_made_once_per_spelling_and_shared() {
        let config = crate::config::parse_config("").unwrap();
        let terms = TermValues::default();
        let tag = |name: &str, slug: &str| {
            terms.of(
                &config,
                TaxonomyKind::Tags,
                &names(&[name]),
                &names(&[slug]),
                true,
            )[0]
            .clone()
        };
        let first = tag("Iran", "iran");
        let map = first.as_map().unwrap();
        let keys: Vec<&str> = map.keys().filter_map(|k| k.as_str()).collect();
        assert_eq!(keys, ["name", "slug", "url"]);
        assert_eq!(map[0].as_str(), Some("Iran"));
        assert_eq!(map[2].as_str(), Some("/tags/iran/"));
        // Asked again: the same map, not an equal one.
        let again = tag("Iran", "iran");
        assert!(std::ptr::eq(
            first.as_map().unwrap(),
            again.as_map().unwrap()
        ));
        // Another spelling of the slug keeps its own name.
        let lower = tag("iran", "iran");
        assert_eq!(lower.as_map().unwrap()[0].as_str(), Some("iran"));
        // A category of the same slug is another term.
        let category = terms.of(
            &config,
            TaxonomyKind::Categories,
            &names(&["Iran"]),
            &names(&["iran"]),
            true,
        );
        assert_eq!(
            category[0].as_map().unwrap()[2].as_str(),
            Some("/categories/iran/")
        );
    }

    #[test]
    fn empty_slugs_are_left_out_and_unshared_values_are_equal() {
        let config = crate::config::parse_config("").unwrap();
        let terms = TermValues::default();
        let (n, s) = (names(&["One", "—", "Two"]), names(&["one", "", "two"]));
        let shared = terms.of(&config, TaxonomyKind::Tags, &n, &s, true);
        let made = terms.of(&config, TaxonomyKind::Tags, &n, &s, false);
        assert_eq!(shared.len(), 2);
        assert_eq!(format!("{shared:?}"), format!("{made:?}"));
        assert!(!std::ptr::eq(
            shared[0].as_map().unwrap(),
            made[0].as_map().unwrap()
        ));
    }
}

//! The comment form as received: its fields read and checked, and the
//! service's judgements on the text (links counted, duplicates keyed).
//! Pure functions, so every rule is tested without a server.

use std::collections::HashMap;

use crate::content::comment::safe_author_url;

/// The honeypot: a field people never see (the theme hides it) and
/// form-filling robots fill in.
pub const HONEYPOT: &str = "homepage";
pub const MAX_NAME: usize = 100;
pub const MAX_EMAIL: usize = 254;
pub const MAX_URL: usize = 500;
/// Characters of a comment (WordPress allows 65,525 bytes).
pub const MAX_BODY: usize = 20_000;

/// A refused form: why, and which field (for the theme to point at).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invalid {
    pub field: &'static str,
    pub message: String,
}

/// The fields of a posted comment.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Form {
    pub post: String,
    pub token: String,
    pub parent: Option<String>,
    pub author: String,
    pub url: Option<String>,
    pub email: Option<String>,
    pub body: String,
    /// The honeypot was filled in.
    pub honeypot: bool,
}

/// One line of plain text: trimmed, control characters and runs of
/// spaces made one space.
pub fn one_line(text: &str) -> String {
    text.split(|c: char| c.is_whitespace() || c.is_control())
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// Reads an `application/x-www-form-urlencoded` body. The first value of
/// each field counts.
pub fn read(body: &[u8]) -> Form {
    let mut fields: HashMap<String, String> = HashMap::new();
    for (k, v) in url::form_urlencoded::parse(body) {
        fields
            .entry(k.into_owned())
            .or_insert_with(|| v.into_owned());
    }
    let mut take = |name: &str| fields.remove(name).unwrap_or_default();
    let optional = |v: String| {
        let v = v.trim().to_string();
        (!v.is_empty()).then_some(v)
    };
    let honeypot = !take(HONEYPOT).trim().is_empty();
    Form {
        post: take("post").trim().to_string(),
        token: take("token").trim().to_string(),
        parent: optional(take("parent")),
        author: one_line(&take("author")),
        url: optional(take("url")),
        email: optional(take("email")),
        // Line ends as Unix has them; the rest as typed.
        body: take("body").replace("\r\n", "\n").replace('\r', "\n"),
        honeypot,
    }
}

impl Form {
    /// Checks the visitor's fields (the post, token and parent are the
    /// service's to check against the site).
    pub fn check(&self) -> Result<(), Invalid> {
        let invalid = |field, message: &str| {
            Err(Invalid {
                field,
                message: message.to_string(),
            })
        };
        if self.author.is_empty() {
            return invalid("author", "Please give a name (any name you like).");
        }
        if self.author.chars().count() > MAX_NAME {
            return invalid("author", "The name is too long (at most 100 characters).");
        }
        if self.body.trim().is_empty() {
            return invalid("body", "The comment is empty.");
        }
        if self.body.chars().count() > MAX_BODY {
            return invalid(
                "body",
                "The comment is too long (at most 20,000 characters).",
            );
        }
        if let Some(url) = &self.url
            && (url.len() > MAX_URL || safe_author_url(url).is_none())
        {
            return invalid(
                "url",
                "The website must be an address starting with http:// or https://.",
            );
        }
        if let Some(email) = &self.email {
            let ok = email.len() <= MAX_EMAIL
                && !email.chars().any(|c| c.is_whitespace() || c.is_control())
                && email
                    .split_once('@')
                    .is_some_and(|(user, host)| !user.is_empty() && host.contains('.'));
            if !ok {
                return invalid("email", "The email address does not look right.");
            }
        }
        Ok(())
    }
}

/// How many links a comment carries: web addresses written out, and
/// Markdown or HTML links (counted once each).
pub fn count_links(body: &str) -> usize {
    let lower = body.to_ascii_lowercase();
    let written = lower.matches("http://").count()
        + lower.matches("https://").count()
        + lower
            .match_indices("www.")
            .filter(|(i, _)| {
                // `www.` not already inside an http(s) address.
                !lower[..*i].ends_with("//")
            })
            .count();
    let href_without_scheme = lower
        .match_indices("href=")
        .filter(|(i, _)| {
            let rest = lower[i + 5..].trim_start_matches(['"', '\'']);
            !rest.starts_with("http") && !rest.starts_with("www.")
        })
        .count();
    written + href_without_scheme
}

/// What makes two comments the same: the post, the author (any case)
/// and the text (any spacing).
pub fn duplicate_key(post: &str, author: &str, body: &str) -> u64 {
    let text: Vec<&str> = body.split_whitespace().collect();
    let mut key = String::new();
    key.push_str(post);
    key.push('\0');
    key.push_str(&author.to_lowercase());
    key.push('\0');
    key.push_str(&text.join(" "));
    xxhash_rust::xxh3::xxh3_64(key.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_read_and_cleaned() {
        let f = read(
            b"post=fish&token=ab&author=%20Ann%0A%1B%20Lee%20&email=&url=&body=Hi%0D%0Athere&parent=c2&homepage=",
        );
        assert_eq!(f.author, "Ann Lee");
        assert_eq!(f.body, "Hi\nthere");
        assert_eq!(f.parent.as_deref(), Some("c2"));
        assert_eq!(f.email, None);
        assert!(!f.honeypot);
        assert!(f.check().is_ok());
        assert!(read(b"homepage=http%3A%2F%2Fspam").honeypot);
    }

    #[test]
    fn bad_fields_are_named() {
        let ok = read(b"author=Ann&body=Hi");
        assert!(ok.check().is_ok());
        let field = |body: &[u8]| read(body).check().err().map(|e| e.field);
        assert_eq!(field(b"author=&body=Hi"), Some("author"));
        assert_eq!(field(b"author=Ann&body=%20%0A"), Some("body"));
        assert_eq!(
            field(b"author=Ann&body=Hi&url=javascript:alert(1)"),
            Some("url")
        );
        assert_eq!(field(b"author=Ann&body=Hi&email=nobody"), Some("email"));
        assert_eq!(field(b"author=Ann&body=Hi&email=a%40b.org"), None);
        let long = format!("author=Ann&body={}", "x".repeat(MAX_BODY + 1));
        assert_eq!(field(long.as_bytes()), Some("body"));
    }

    #[test]
    fn links_are_counted_once_each() {
        assert_eq!(count_links("no links here"), 0);
        assert_eq!(
            count_links("see https://a.example/ and http://b.example"),
            2
        );
        assert_eq!(count_links("[a](https://www.a.example/) www.b.example"), 2);
        assert_eq!(count_links("<a href=\"//c.example\">c</a>"), 1);
    }

    #[test]
    fn duplicates_ignore_case_of_name_and_spacing() {
        assert_eq!(
            duplicate_key("p", "Ann", "Hello  there\n"),
            duplicate_key("p", "ann", "Hello there")
        );
        assert_ne!(
            duplicate_key("p", "Ann", "Hello"),
            duplicate_key("q", "Ann", "Hello")
        );
    }
}

//! The URL rules: slugs, permalink patterns, a post's exact URL, aliases,
//! links a writer may give, and where the site's own pages live (list
//! pages, series, date archives, comment pages).
//!
//! Every rule that turns what a writer wrote into a site path lives here,
//! so the parse stage and the planner agree, and every rule refuses what
//! could step out of the output folder (`..`, `\`, control characters).

use jiff::ZonedDateTime;

use crate::diagnostic::nearest;

/// What a permalink pattern can name.
#[derive(Debug, Clone, Copy)]
pub struct PermalinkInputs<'a> {
    pub date: &'a ZonedDateTime,
    /// The post's slug (front matter `slug`, else the slugified file name).
    pub slug: &'a str,
    /// The file name's slug as written (front matter `slug` wins).
    pub filename: &'a str,
    /// The title as written, when there is one.
    pub title: Option<&'a str>,
    pub section: &'a str,
    pub categories: &'a [String],
    /// The kind's plural (`links`), for `:kind`.
    pub kind: &'static str,
}

/// Fills a permalink pattern; repeated slashes (from an empty
/// `:categories`) are folded, as Jekyll does.
pub fn expand_permalink(parts: &[PermalinkPart], x: &PermalinkInputs<'_>) -> String {
    let mut url = String::new();
    let d = x.date;
    for part in parts {
        match part {
            PermalinkPart::Literal(l) => url.push_str(l),
            PermalinkPart::Year => url.push_str(&format!("{:04}", d.year())),
            PermalinkPart::ShortYear => url.push_str(&format!("{:02}", d.year().rem_euclid(100))),
            PermalinkPart::Month => url.push_str(&format!("{:02}", d.month())),
            PermalinkPart::MonthNoZero => url.push_str(&d.month().to_string()),
            PermalinkPart::Day => url.push_str(&format!("{:02}", d.day())),
            PermalinkPart::DayNoZero => url.push_str(&d.day().to_string()),
            PermalinkPart::YearDay => url.push_str(&format!("{:03}", d.day_of_year())),
            PermalinkPart::Hour => url.push_str(&format!("{:02}", d.hour())),
            PermalinkPart::Minute => url.push_str(&format!("{:02}", d.minute())),
            PermalinkPart::Second => url.push_str(&format!("{:02}", d.second())),
            PermalinkPart::Slug => url.push_str(x.slug),
            PermalinkPart::Filename => url.push_str(x.filename),
            PermalinkPart::Title => {
                let s = x.title.map(title_slug).unwrap_or_default();
                url.push_str(if s.is_empty() { x.slug } else { &s });
            }
            PermalinkPart::Section => url.push_str(x.section),
            PermalinkPart::Categories => {
                let segments: Vec<String> =
                    x.categories.iter().map(|c| category_segment(c)).collect();
                url.push_str(&segments.join("/"));
            }
            PermalinkPart::Kind => url.push_str(x.kind),
        }
    }
    fold_slashes(&url)
}

/// A category as a URL segment for `:categories`: lower case (as Jekyll
/// writes it), with characters a path segment cannot hold made dashes.
fn category_segment(name: &str) -> String {
    name.trim()
        .to_lowercase()
        .chars()
        .map(|c| {
            if c.is_control() || c.is_whitespace() || matches!(c, '/' | '\\' | '?' | '#' | '%') {
                '-'
            } else {
                c
            }
        })
        .collect::<String>()
        .trim_matches('.')
        .to_string()
}

fn fold_slashes(url: &str) -> String {
    let mut out = String::with_capacity(url.len());
    for c in url.chars() {
        if c == '/' && out.ends_with('/') {
            continue;
        }
        out.push(c);
    }
    out
}

/// A title as Hugo's `:title` makes it a URL segment (its `urlize`):
/// lower case, letters, digits and `._~+@-` kept, each run of spaces one
/// dash, everything else dropped (`Release 2.4.0 is out!` →
/// `release-2.4.0-is-out`).
pub fn title_slug(title: &str) -> String {
    let mut out = String::with_capacity(title.len());
    let mut pending_dash = false;
    for c in title.chars() {
        let keep = c.is_alphanumeric() || matches!(c, '.' | '_' | '~' | '+' | '@' | '-');
        if keep {
            if pending_dash {
                out.push('-');
                pending_dash = false;
            }
            out.extend(c.to_lowercase());
        } else if c.is_whitespace() && !out.is_empty() {
            pending_dash = true;
        }
    }
    let trimmed = out.trim_start_matches('.');
    if trimmed.contains("..") {
        trimmed.replace("..", ".")
    } else {
        trimmed.to_string()
    }
}

/// A file name's slug as Jekyll's `:title` keeps it: case kept, letters,
/// digits and `._~!$&'()+,;=@` kept, every other run of characters one
/// dash (Jekyll's "pretty" slugify).
pub fn filename_slug(stem: &str) -> String {
    let mut out = String::with_capacity(stem.len());
    let mut dash = false;
    for c in stem.chars() {
        let keep = c.is_alphanumeric()
            || matches!(
                c,
                '.' | '_' | '~' | '!' | '$' | '&' | '\'' | '(' | ')' | '+' | ',' | ';' | '=' | '@'
            );
        if keep {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c);
        } else {
            dash = true;
        }
    }
    // Never a hidden or parent-folder name.
    let trimmed = out.trim_start_matches('.');
    if trimmed.contains("..") {
        trimmed.replace("..", ".")
    } else {
        trimmed.to_string()
    }
}

/// The longest slug, in bytes: a folder name may have 255 on most file
/// systems, and a slug can gain a suffix or an extension.
pub const MAX_SLUG_BYTES: usize = 200;

/// The longest segment of a site path, in bytes: the most a file or
/// folder name may have on common file systems.
pub const MAX_SEGMENT_BYTES: usize = 255;

/// Checks a slug given in front matter. Slugs become one URL segment and
/// one folder name, so anything that could step out of it is refused.
pub fn check_slug(slug: &str) -> Result<(), String> {
    if slug.is_empty() {
        return Err("the slug is empty".into());
    }
    if slug.chars().all(|c| c == '.') {
        return Err(format!(
            "slug `{slug}` is only dots, which name a folder itself or its parent, not a page"
        ));
    }
    if slug.contains("..") {
        return Err(format!("slug `{slug}` contains `..`"));
    }
    if slug.len() > MAX_SLUG_BYTES {
        return Err(format!(
            "the slug is {} bytes long; the limit is {MAX_SLUG_BYTES}, since it becomes a folder name and file systems allow 255 bytes",
            slug.len()
        ));
    }
    if let Some(c) = slug.chars().find(|c| {
        matches!(c, '/' | '\\' | '?' | '#' | '%' | '"' | '<' | '>')
            || c.is_whitespace()
            || c.is_control()
    }) {
        let shown = if c.is_control() {
            format!("{:?}", c)
        } else {
            c.to_string()
        };
        return Err(format!("slug `{}` contains `{shown}`", slug.escape_debug()));
    }
    if slug.starts_with('.') {
        return Err(format!("slug `{slug}` starts with `.`"));
    }
    Ok(())
}

/// The URL segment of a tag or category, and whether it had to be made up:
/// a name with no letter or digit (`???`, `C++` has some) gets one from
/// its characters' code points (`u3f-3f-3f`), or a hash when long, so the
/// term keeps a page instead of vanishing.
pub fn term_slug(name: &str) -> (String, bool) {
    let slug = slug::slugify(name);
    if !slug.is_empty() {
        return (slug, false);
    }
    let points: Vec<String> = name
        .trim()
        .chars()
        .map(|c| format!("{:x}", u32::from(c)))
        .collect();
    if points.is_empty() {
        return (String::new(), true);
    }
    if points.len() <= 8 {
        return (format!("u{}", points.join("-")), true);
    }
    let hash = xxhash_rust::xxh3::xxh3_64(name.trim().as_bytes());
    (format!("t-{:08x}", hash as u32), true)
}

/// What an alias must look like, for the error hints.
pub const ALIAS_HINT: &str =
    "aliases are old site paths such as /2009/03/old-post/ or /old-post.html";

/// Checks a site path as written (an alias or a post's exact URL) and
/// gives it in its served form: a leading `/`, and a trailing one unless
/// the last segment names a file (`.html`, `.xml`, ...: see
/// [`crate::urls::FILE_EXTENSIONS`]); `releases/2.4.0` is a folder.
pub fn site_path(written: &str, what: &str) -> Result<String, String> {
    let a = written.trim();
    if a.is_empty() {
        return Err(format!("the {what} is empty"));
    }
    if a.contains("://") || a.starts_with("//") {
        return Err(format!(
            "{what} `{a}` is a full URL; write the path only, e.g. /2009/03/old-post/"
        ));
    }
    if a.contains(['?', '#']) {
        return Err(format!(
            "{what} `{a}` has a query or fragment, which a static site cannot serve"
        ));
    }
    if a.contains('\\') {
        return Err(format!("{what} `{a}` contains `\\`; URL paths use `/`"));
    }
    if a.chars().any(char::is_control) {
        return Err(format!(
            "{what} `{}` contains a control character",
            a.escape_debug()
        ));
    }
    if a.split('/').any(|seg| seg == "." || seg == "..") {
        return Err(format!("{what} `{a}` contains a `.` or `..` segment"));
    }
    if let Some(long) = a.split('/').find(|seg| seg.len() > MAX_SEGMENT_BYTES) {
        return Err(format!(
            "{what} has a segment of {} bytes (`{}…`); the limit is {MAX_SEGMENT_BYTES}, since each segment becomes a file or folder name",
            long.len(),
            long.chars().take(24).collect::<String>()
        ));
    }
    let mut path = fold_slashes(&format!("/{}", a.trim_start_matches('/')));
    if !path.ends_with('/') && !names_a_file(&path) {
        path.push('/');
    }
    Ok(path)
}

/// Checks an alias (an old URL of this site) and gives the URL path it
/// redirects from.
pub fn alias_url(alias: &str) -> Result<String, String> {
    site_path(alias, "alias")
}

/// A post's or page's own URL (`path`, `permalink` or `url` in front
/// matter), which may hold permalink tokens as Jekyll's may. An ending
/// `index.html` is the folder itself.
pub fn exact_url(written: &str, x: &PermalinkInputs<'_>) -> Result<String, String> {
    let has_token = written
        .match_indices(':')
        .any(|(i, _)| written[i + 1..].starts_with(|c: char| c.is_ascii_alphabetic()));
    let expanded = if has_token {
        let parts = Permalink::compile(written)?;
        expand_permalink(&parts, x)
    } else {
        written.to_string()
    };
    let path = site_path(&expanded, "URL")?;
    Ok(match path.strip_suffix("index.html") {
        Some(folder) if folder.ends_with('/') => folder.to_string(),
        _ => path,
    })
}

/// The date an exact URL starts with (`/2025/06/26/...`, or after a
/// leading section such as `/inside-rust/2025/06/26/...`), as
/// `2025-06-26`.
pub fn date_in_url(path: &str) -> Option<String> {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let digits = |s: &str, n: usize| s.len() == n && s.bytes().all(|b| b.is_ascii_digit());
    // The date comes first, or after one leading section.
    (0..2).find_map(|i| {
        let (y, m, d) = (segments.get(i)?, segments.get(i + 1)?, segments.get(i + 2)?);
        (digits(y, 4) && digits(m, 2) && digits(d, 2)).then(|| format!("{y}-{m}-{d}"))
    })
}

/// One piece of a permalink pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PermalinkPart {
    Literal(String),
    Year,
    /// The year's last two digits (Jekyll's `:short_year`).
    ShortYear,
    Month,
    /// The month without a leading zero (Jekyll's `:i_month`).
    MonthNoZero,
    Day,
    /// The day without a leading zero (Jekyll's `:i_day`).
    DayNoZero,
    /// The day of the year, 001-366 (Jekyll's `:y_day`).
    YearDay,
    Hour,
    Minute,
    Second,
    /// The slug: front matter `slug`, else the slugified file name.
    Slug,
    /// The file name's slug as it is, case and dots kept (what Jekyll's
    /// `:title` gives); front matter `slug` overrides it.
    Filename,
    /// The title as Hugo's `:title` makes it (its `urlize`: lower case,
    /// dots kept).
    Title,
    /// The folder under `content/posts/` the post sits in, else `posts`.
    Section,
    /// The post's categories as path segments (Jekyll's `:categories`);
    /// nothing when it has none.
    Categories,
    Kind,
}

/// A compiled permalink pattern such as `/:year/:month/:day/:slug/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permalink {
    pub pattern: String,
    pub parts: Vec<PermalinkPart>,
}

const PERMALINK_TOKENS: [&str; 16] = [
    "year",
    "short_year",
    "month",
    "i_month",
    "day",
    "i_day",
    "y_day",
    "hour",
    "minute",
    "second",
    "slug",
    "filename",
    "title",
    "section",
    "categories",
    "kind",
];

/// File extensions that make the last segment of a URL a file rather than
/// a folder: `/feed.xml` is a file, `/releases/2.4.0` and `/x.aspx` are
/// folders (written as `index.html` inside them, which every static host
/// serves for the folder's URL).
pub const FILE_EXTENSIONS: &[&str] = &[
    "html", "htm", "xhtml", "shtml", "xml", "json", "txt", "rss", "atom",
];

/// True when the last segment of a URL path ends in a [`FILE_EXTENSIONS`]
/// extension.
pub fn names_a_file(path: &str) -> bool {
    let last = path.rsplit('/').next().unwrap_or("");
    last.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && FILE_EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str())
    })
}

impl Default for Permalink {
    /// `/:year/:month/:day/:slug/`.
    fn default() -> Permalink {
        let slash = || PermalinkPart::Literal("/".into());
        Permalink {
            pattern: Permalink::DEFAULT.to_string(),
            parts: vec![
                slash(),
                PermalinkPart::Year,
                slash(),
                PermalinkPart::Month,
                slash(),
                PermalinkPart::Day,
                slash(),
                PermalinkPart::Slug,
                slash(),
            ],
        }
    }
}

impl Permalink {
    pub const DEFAULT: &'static str = "/:year/:month/:day/:slug/";

    /// Jekyll's named permalink styles, as patterns (Jekyll's `:title`
    /// is our `:filename`).
    pub fn named_style(name: &str) -> Option<&'static str> {
        Some(match name {
            "date" => "/:categories/:year/:month/:day/:filename.html",
            "pretty" => "/:categories/:year/:month/:day/:filename/",
            "ordinal" => "/:categories/:year/:y_day/:filename.html",
            "none" => "/:categories/:filename.html",
            _ => return None,
        })
    }

    /// Compiles a pattern; the error says what is wrong with it.
    pub fn parse(pattern: &str) -> Result<Permalink, String> {
        let pattern = Permalink::named_style(pattern).unwrap_or(pattern);
        if !pattern.starts_with('/') || !(pattern.ends_with('/') || names_a_file(pattern)) {
            return Err(format!(
                "permalink `{pattern}` must start with `/` and end with `/` or a file name such as `:filename.html`, e.g. `{}`",
                Self::DEFAULT
            ));
        }
        let parts = Self::compile(pattern)?;
        if !parts.iter().any(|p| {
            matches!(
                p,
                PermalinkPart::Slug | PermalinkPart::Filename | PermalinkPart::Title
            )
        }) {
            return Err(format!(
                "permalink `{pattern}` has no `:slug`, `:filename` or `:title`, so every post would get the same URL"
            ));
        }
        Ok(Permalink {
            pattern: pattern.to_string(),
            parts,
        })
    }

    /// Compiles the tokens of a pattern, or of one post's own URL (which
    /// need not name the post).
    pub fn compile(pattern: &str) -> Result<Vec<PermalinkPart>, String> {
        let mut parts = Vec::new();
        let mut literal = String::new();
        let mut rest = pattern;
        while let Some(c) = rest.chars().next() {
            let name: String = if c == ':' {
                rest[1..]
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect()
            } else {
                String::new()
            };
            if c == ':' && !name.is_empty() {
                let part = match name.as_str() {
                    "year" => PermalinkPart::Year,
                    "short_year" => PermalinkPart::ShortYear,
                    "month" => PermalinkPart::Month,
                    "i_month" => PermalinkPart::MonthNoZero,
                    "day" => PermalinkPart::Day,
                    "i_day" => PermalinkPart::DayNoZero,
                    "y_day" => PermalinkPart::YearDay,
                    "hour" => PermalinkPart::Hour,
                    "minute" => PermalinkPart::Minute,
                    "second" => PermalinkPart::Second,
                    "slug" => PermalinkPart::Slug,
                    "filename" => PermalinkPart::Filename,
                    "title" => PermalinkPart::Title,
                    "section" => PermalinkPart::Section,
                    "categories" => PermalinkPart::Categories,
                    "kind" => PermalinkPart::Kind,
                    other => {
                        let mut msg = format!("unknown permalink token `:{other}`");
                        if let Some(n) = nearest(other, PERMALINK_TOKENS) {
                            msg.push_str(&format!(" (did you mean `:{n}`?)"));
                        }
                        return Err(msg);
                    }
                };
                if !literal.is_empty() {
                    parts.push(PermalinkPart::Literal(std::mem::take(&mut literal)));
                }
                parts.push(part);
                rest = &rest[1 + name.len()..];
            } else {
                if c == '\\' || c == '?' || c == '#' || c.is_control() {
                    return Err(format!(
                        "permalink `{pattern}` contains `{}`",
                        c.escape_debug()
                    ));
                }
                literal.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
        if !literal.is_empty() {
            parts.push(PermalinkPart::Literal(literal));
        }
        if pattern.split('/').any(|seg| seg == ".." || seg == ".") {
            return Err(format!("permalink `{pattern}` contains `.` or `..`"));
        }
        Ok(parts)
    }
}

/// Why a URL may not be linked to, if it may not.
pub fn check_url(url: &str) -> Result<(), String> {
    // The scheme first: `data:text/html,<script>` is refused for what it
    // is, not for its angle brackets.
    if let Some(colon) = url.find(':') {
        let scheme = url[..colon].trim_start();
        let is_scheme = !scheme.is_empty()
            && !scheme.contains(['/', '?', '#'])
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if is_scheme {
            let lower = scheme.to_ascii_lowercase();
            if !matches!(lower.as_str(), "http" | "https" | "mailto") {
                return Err(format!("the URL scheme `{scheme}:` is not allowed"));
            }
        }
    }
    if url
        .chars()
        .any(|c| c.is_control() || c.is_whitespace() || matches!(c, '"' | '<' | '>' | '\\'))
    {
        return Err(format!(
            "`{}` contains a space, quote or control character",
            url.escape_debug()
        ));
    }
    Ok(())
}

// Where the pages the site makes for itself live: list pages, series,
// date archives and comment pages. The planner and the views both ask here.

/// URL of page `n` of a list starting at `base` (`/tags/x/`, `/tags/x/page/2/`).
pub fn page_url(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

pub fn series_path(slug: &str) -> String {
    format!("/series/{slug}/")
}

/// `/2009/`, `/2009/03/`, `/2009/03/03/`.
pub fn year_path(y: i16) -> String {
    format!("/{y:04}/")
}

pub fn month_path(y: i16, m: i8) -> String {
    format!("/{y:04}/{m:02}/")
}

pub fn day_path(y: i16, m: i8, d: i8) -> String {
    format!("/{y:04}/{m:02}/{d:02}/")
}

/// The site path of comment page `n` of a post (`n` ≥ 2).
pub fn comment_page_path(post_url: &str, n: usize) -> String {
    format!("{post_url}comments/page/{n}/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terms_always_get_a_slug() {
        assert_eq!(term_slug("C++"), ("c".to_string(), false));
        assert_eq!(term_slug("Café"), ("cafe".to_string(), false));
        assert_eq!(term_slug("???"), ("u3f-3f-3f".to_string(), true));
        assert_eq!(term_slug("///"), ("u2f-2f-2f".to_string(), true));
        let (long, made) = term_slug("?!?!?!?!?!?!");
        assert!(made && long.starts_with("t-") && long.len() == 10, "{long}");
        assert_ne!(term_slug("!!!!!!!!!!").0, term_slug("??????????").0);
    }

    #[test]
    fn slugs_that_are_dots_or_too_long_say_so() {
        assert!(check_slug(".").unwrap_err().contains("only dots"));
        assert!(check_slug("..").unwrap_err().contains("only dots"));
        assert!(check_slug("a..b").unwrap_err().contains("contains `..`"));
        let long = "a".repeat(300);
        assert!(
            check_slug(&long)
                .unwrap_err()
                .contains("300 bytes long; the limit is 200")
        );
        assert!(check_slug(&"a".repeat(200)).is_ok());
    }

    fn inputs<'a>(date: &'a ZonedDateTime, categories: &'a [String]) -> PermalinkInputs<'a> {
        PermalinkInputs {
            date,
            slug: "release-2-4-0",
            filename: "Release-2.4.0",
            title: Some("Release 2.4.0 is out!"),
            section: "blog",
            categories,
            kind: "entries",
        }
    }

    fn date() -> ZonedDateTime {
        jiff::civil::date(2019, 5, 2)
            .at(9, 5, 7, 0)
            .to_zoned_datetime(jiff::tz::TimeZone::UTC)
            .unwrap()
    }

    #[test]
    fn tokens_fill_patterns() {
        let d = date();
        let cats = vec!["Web Dev".to_string(), "Rust".to_string()];
        let x = inputs(&d, &cats);
        let fill = |p: &str| expand_permalink(&Permalink::parse(p).unwrap().parts, &x);
        assert_eq!(
            fill("/:year/:month/:day/:filename/"),
            "/2019/05/02/Release-2.4.0/"
        );
        assert_eq!(fill("/:year/:slug/"), "/2019/release-2-4-0/");
        assert_eq!(fill("/:section/:title/"), "/blog/release-2.4.0-is-out/");
        assert_eq!(
            fill("/:short_year/:i_month/:i_day/:hour:minute:second/:slug/"),
            "/19/5/2/090507/release-2-4-0/"
        );
        assert_eq!(fill("pretty"), "/web-dev/rust/2019/05/02/Release-2.4.0/");
        assert_eq!(fill("ordinal"), "/web-dev/rust/2019/122/Release-2.4.0.html");
        let none: Vec<String> = Vec::new();
        let x = inputs(&d, &none);
        let fill = |p: &str| expand_permalink(&Permalink::parse(p).unwrap().parts, &x);
        assert_eq!(fill("date"), "/2019/05/02/Release-2.4.0.html");
        assert_eq!(fill("none"), "/Release-2.4.0.html");
    }

    #[test]
    fn titles_urlize_as_hugo_does() {
        assert_eq!(title_slug("Release 2.4.0 is out!"), "release-2.4.0-is-out");
        assert_eq!(title_slug("  Hello,   World  "), "hello-world");
        assert_eq!(title_slug("C++ & Rust"), "c++-rust");
        assert_eq!(title_slug("Café au lait"), "café-au-lait");
        assert_eq!(title_slug("../x"), "x");
    }

    #[test]
    fn filename_slugs_keep_case_and_dots() {
        assert_eq!(filename_slug("Release-2.4.0"), "Release-2.4.0");
        assert_eq!(filename_slug("intro-to-mvc.aspx"), "intro-to-mvc.aspx");
        assert_eq!(filename_slug("Links To Linkage"), "Links-To-Linkage");
        assert_eq!(filename_slug("what?/#x"), "what-x");
        assert_eq!(filename_slug("..hidden"), "hidden");
        assert_eq!(filename_slug("a..b"), "a.b");
    }

    #[test]
    fn aliases_without_a_known_extension_are_folders() {
        assert_eq!(alias_url("releases/2.4.0").unwrap(), "/releases/2.4.0/");
        assert_eq!(alias_url("/old.php").unwrap(), "/old.php/");
        assert_eq!(alias_url("/old.html").unwrap(), "/old.html");
        assert_eq!(alias_url("/feed.xml").unwrap(), "/feed.xml");
        assert_eq!(alias_url("/a//b").unwrap(), "/a/b/");
        for bad in ["", "/../etc/", "https://e.example/x/", "/?p=12", "/a\\b/"] {
            assert!(alias_url(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn exact_urls() {
        let d = date();
        let x = inputs(&d, &[]);
        assert_eq!(
            exact_url("2019/05/12/Release-2.4.0", &x).unwrap(),
            "/2019/05/12/Release-2.4.0/"
        );
        assert_eq!(exact_url("/about/index.html", &x).unwrap(), "/about/");
        assert_eq!(exact_url("/about.html", &x).unwrap(), "/about.html");
        assert_eq!(
            exact_url("/:year/:filename/", &x).unwrap(),
            "/2019/Release-2.4.0/"
        );
        assert!(exact_url("/../x/", &x).is_err());
        assert_eq!(date_in_url("/2025/06/26/x/").as_deref(), Some("2025-06-26"));
        assert_eq!(
            date_in_url("/blog/2025/06/26/x/").as_deref(),
            Some("2025-06-26")
        );
        assert_eq!(date_in_url("/a/b/2025/06/26/x/"), None);
    }

    #[test]
    fn page_urls() {
        assert_eq!(page_url("/", 1), "/");
        assert_eq!(page_url("/", 2), "/page/2/");
        assert_eq!(page_url("/tags/x/", 3), "/tags/x/page/3/");
    }
}

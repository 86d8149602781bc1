//! `glossator import wordpress`: a WXR export in, posts, pages, comments,
//! media and redirects out.
//!
//! The export is read whole ([`wxr`]), the site's permalink pattern and
//! time zone are read off its posts ([`site`]), each post's content is
//! made into the HTML WordPress showed ([`content`]) and then into
//! Markdown where that round-trips ([`crate::import::html`]). Every old
//! address keeps answering: a post sits at its old URL (by the pattern, or
//! its own `path`), old slugs and attachment pages become aliases, and tag
//! and category pages whose address changed get redirects. What cannot be
//! carried (private posts, plain `?p=` links, unknown shortcodes, unsafe
//! links, pending and spam comments) is reported at its line.

mod autop;
mod content;
mod site;
mod wxr;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

use jiff::civil::DateTime;
use jiff::tz::TimeZone;

use super::html::{Converted, rewrite_urls, to_markdown, visible_text};
use super::{FileBody, ImportPlan, PlannedFile, SiteSettings, redirects_file};
use crate::config::Config;
use crate::content::Kind;
use crate::content::comment::{safe_author_url, sanitize_html};
use crate::diagnostic::Diagnostic;
use crate::urls::Permalink;
use crate::urls::{PermalinkInputs, check_slug, expand_permalink};
use content::{Attachment, ContentContext};
use wxr::{Export, Item};

/// What the writer passed besides the export.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// A copy of the old site's `wp-content/uploads`.
    pub media: Option<PathBuf>,
}

/// Post types that are WordPress's own machinery, never content.
const MACHINERY: [&str; 14] = [
    "attachment",
    "nav_menu_item",
    "revision",
    "custom_css",
    "customize_changeset",
    "oembed_cache",
    "user_request",
    "wp_block",
    "wp_template",
    "wp_template_part",
    "wp_global_styles",
    "wp_navigation",
    "wp_font_family",
    "wp_font_face",
];

/// Reads the export at `path` and plans the import. `existing` is the
/// site's config when the site has content of its own; `None` for a site
/// fresh from `init`, which takes the export's settings.
pub fn plan(
    path: &Path,
    text: &str,
    options: &Options,
    existing: Option<&Config>,
) -> Result<ImportPlan, Box<Diagnostic>> {
    let root = super::xml::parse(text, path)?;
    let export = wxr::read_export(&root, path)?;
    Ok(Planner::new(path, &export, options, existing).run())
}

/// One post or page chosen for writing.
struct Chosen<'e> {
    item: &'e Item,
    slug: String,
    /// Its old address, unless it was a plain permalink.
    old: Option<String>,
    /// Its new address.
    url: String,
    local: DateTime,
    date_text: String,
    draft: bool,
}

struct Planner<'e> {
    path: &'e Path,
    export: &'e Export,
    options: &'e Options,
    plan: ImportPlan,
    base_path: String,
    site_host: Option<String>,
    attachments: HashMap<String, Attachment>,
    authors: HashMap<&'e str, &'e wxr::Author>,
    tz: TimeZone,
    permalink: Permalink,
    tags_path: String,
    categories_path: String,
    /// Post and page ids → their new URLs, for `?p=12` links.
    new_urls: HashMap<String, String>,
    /// The config the imported files will be built with, to check them.
    check_config: Config,
    /// Upload paths already planned for copying.
    media_planned: HashSet<String>,
    media_reported: HashSet<String>,
}

impl<'e> Planner<'e> {
    fn new(
        path: &'e Path,
        export: &'e Export,
        options: &'e Options,
        existing: Option<&Config>,
    ) -> Planner<'e> {
        let site_url = if export.base_blog_url.is_empty() {
            &export.link
        } else {
            &export.base_blog_url
        };
        let base_path = site::base_path(site_url);
        let site_host = url::Url::parse(site_url).ok().and_then(|u| {
            u.host_str()
                .map(|h| h.trim_start_matches("www.").to_string())
        });
        let mut attachments = HashMap::new();
        for item in export.items.iter().filter(|i| i.post_type == "attachment") {
            let url = if item.attachment_url.is_empty() {
                item.guid.clone()
            } else {
                item.attachment_url.clone()
            };
            attachments.insert(
                item.id.clone(),
                Attachment {
                    url,
                    alt: item
                        .meta("_wp_attachment_image_alt")
                        .next()
                        .unwrap_or("")
                        .to_string(),
                    parent: item.parent.clone(),
                    menu_order: item.menu_order,
                },
            );
        }
        let authors = export
            .authors
            .iter()
            .map(|a| (a.login.as_str(), a))
            .collect();

        // The export's own settings, for a fresh site; the site's otherwise.
        let pairs: Vec<(DateTime, DateTime)> = export
            .items
            .iter()
            .filter(|i| i.post_type == "post" || i.post_type == "page")
            .filter_map(|i| {
                Some((
                    site::parse_wp_date(&i.date)?,
                    site::parse_wp_date(&i.date_gmt)?,
                ))
            })
            .collect();
        let inferred_tz = site::infer_timezone(&pairs);
        let mut settings = SiteSettings {
            title: Some(export.title.clone()).filter(|t| !t.is_empty()),
            description: Some(visible_text(&export.description)).filter(|d| !d.trim().is_empty()),
            base_url: Some(site_url.trim_end_matches('/').to_string())
                .filter(|u| u.starts_with("http")),
            language: Some(export.language.clone()).filter(|l| !l.is_empty()),
            timezone: inferred_tz.clone(),
            permalink: None,
            tags_path: Some("tag".into()),
            categories_path: Some("category".into()),
            feed_aliases: vec!["/feed/".into()],
        };
        settings.permalink = Self::infer_permalink(export, &base_path);
        let (tz, permalink, tags_path, categories_path) = match existing {
            Some(config) => (
                config.timezone.clone(),
                config.permalink.clone(),
                config.tags.path.clone(),
                config.categories.path.clone(),
            ),
            None => (
                inferred_tz
                    .as_deref()
                    .and_then(|z| TimeZone::get(z).ok())
                    .unwrap_or(TimeZone::UTC),
                settings
                    .permalink
                    .as_deref()
                    .and_then(|p| Permalink::parse(p).ok())
                    .unwrap_or_default(),
                "tag".into(),
                "category".into(),
            ),
        };
        let check_config = crate::import::check_config(existing, &settings);
        let plan = ImportPlan {
            source: "wordpress".into(),
            settings,
            ..ImportPlan::default()
        };
        Planner {
            path,
            export,
            options,
            plan,
            base_path,
            site_host,
            attachments,
            authors,
            tz,
            permalink,
            tags_path,
            categories_path,
            new_urls: HashMap::new(),
            check_config,
            media_planned: HashSet::new(),
            media_reported: HashSet::new(),
        }
    }

    /// The pattern most published posts' links follow.
    fn infer_permalink(export: &Export, base_path: &str) -> Option<String> {
        let patterns: Vec<String> = export
            .items
            .iter()
            .filter(|i| i.post_type == "post" && i.status == "publish")
            .filter_map(|i| {
                let old = site::old_path(&i.link, base_path)?;
                let date = site::parse_wp_date(&i.date)?;
                let slug = decode_slug(&i.name);
                Some(site::pattern_of(&old, &date, &slug))
            })
            .collect();
        site::common_pattern(patterns.iter().map(String::as_str))
            .filter(|p| Permalink::parse(p).is_ok())
    }

    fn report(&mut self, line: usize, message: impl Into<String>) {
        self.plan
            .report
            .push(Diagnostic::warning(self.path, message).at(line, 1));
    }

    fn run(mut self) -> ImportPlan {
        let export = self.export;
        let mut other_types: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
        let mut chosen = Vec::new();
        let mut used_slugs: HashSet<String> = HashSet::new();
        for item in &export.items {
            match item.post_type.as_str() {
                "post" | "page" => {}
                t if MACHINERY.contains(&t) => continue,
                t => {
                    let e = other_types.entry(t).or_insert((item.line, 0));
                    e.1 += 1;
                    continue;
                }
            }
            if let Some(c) = self.choose(item, &mut used_slugs) {
                chosen.push(c);
            }
        }
        for (t, (line, n)) in other_types {
            self.report(
                line,
                format!("{n} item(s) of the custom post type `{t}` were not imported (glossator has posts and pages)"),
            );
            self.plan.count("items of other types not imported", n);
        }
        // Every new URL is known before content is converted, so `?p=12`
        // links can be resolved.
        for c in &chosen {
            self.new_urls.insert(c.item.id.clone(), c.url.clone());
        }
        let mut redirects: Vec<(String, String)> = Vec::new();
        let mut pages_by_id: HashMap<&str, &Chosen<'_>> = HashMap::new();
        for c in &chosen {
            if c.item.post_type == "page" {
                pages_by_id.insert(c.item.id.as_str(), c);
            }
        }
        let mut attachment_aliases: HashMap<String, Vec<String>> = HashMap::new();
        for item in export.items.iter().filter(|i| i.post_type == "attachment") {
            if let Some(old) = site::old_path(&item.link, &self.base_path)
                && chosen.iter().any(|c| c.item.id == item.parent && !c.draft)
            {
                attachment_aliases
                    .entry(item.parent.clone())
                    .or_default()
                    .push(old);
            }
        }
        for c in &chosen {
            let aliases = attachment_aliases.remove(&c.item.id).unwrap_or_default();
            self.write_item(c, &pages_by_id, aliases);
        }
        self.term_redirects(&chosen, &mut redirects);
        if let Some(file) = redirects_file("wordpress", &redirects) {
            self.plan.count("redirects", redirects.len());
            self.plan.files.push(file);
        }
        if self.options.media.is_some() {
            self.copy_attachments();
        }
        self.plan
    }

    /// Decides whether an item is written, and under which slug and URL.
    fn choose(&mut self, item: &'e Item, used: &mut HashSet<String>) -> Option<Chosen<'e>> {
        let kind = if item.post_type == "page" {
            "page"
        } else {
            "post"
        };
        let shown = if item.link.is_empty() {
            format!("id {}", item.id)
        } else {
            item.link.clone()
        };
        let status = item.status.as_str();
        if status == "private" {
            self.report(item.line, format!("private {kind} not imported: {shown}"));
            self.plan.count("private or protected items left out", 1);
            return None;
        }
        if !item.password.is_empty() {
            self.report(
                item.line,
                format!("password-protected {kind} not imported (a static site cannot ask for a password): {shown}"),
            );
            self.plan.count("private or protected items left out", 1);
            return None;
        }
        if status == "trash" || status == "inherit" {
            self.report(
                item.line,
                format!("{kind} in the trash not imported: {shown}"),
            );
            self.plan.count("trashed items left out", 1);
            return None;
        }
        let draft = matches!(status, "draft" | "pending" | "auto-draft");
        // The UTC date when WordPress recorded one; else the local date in
        // the site's zone; else the RSS date every export carries.
        let utc = site::parse_wp_date(&item.date_gmt).or_else(|| {
            site::parse_wp_date(&item.date)
                .is_none()
                .then(|| site::parse_rss_date(&item.pub_date))
                .flatten()
        });
        let zoned = match (utc, site::parse_wp_date(&item.date)) {
            (Some(utc), _) => utc
                .to_zoned_datetime(TimeZone::UTC)
                .map(|z| z.with_time_zone(self.tz.clone()))
                .ok(),
            (None, Some(local)) => local.to_zoned_datetime(self.tz.clone()).ok(),
            (None, None) => None,
        };
        let zoned = match zoned {
            Some(z) => z,
            None => {
                self.report(
                    item.line,
                    format!("the {kind} {shown} has no date in the export: dated 2000-01-01; give it its real `date`"),
                );
                jiff::civil::date(2000, 1, 1)
                    .to_zoned_datetime(self.tz.clone())
                    .unwrap_or_default()
            }
        };
        let date_text = zoned.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string();
        let local = zoned.datetime();

        let mut slug = decode_slug(&item.name);
        if slug.is_empty() || file_safe(&slug) != slug {
            slug = slug::slugify(visible_text(&item.title));
        }
        if slug.is_empty() {
            slug = format!("{kind}-{}", item.id);
        }
        let mut old = site::old_path(&item.link, &self.base_path);
        if kind == "page" && old.as_deref() == Some("/") {
            self.report(
                item.line,
                format!("the page {shown} was the site's front page: it is now at /{slug}/, and the home page lists the posts"),
            );
            old = None;
        }
        if old.is_none() && !item.link.is_empty() && !draft && !item.link.ends_with('/') {
            self.report(
                item.line,
                format!("plain permalink {} cannot be served by a static site: the {kind} is at its new address", item.link),
            );
        }
        if kind == "post" {
            let base = slug.clone();
            let mut n = 2;
            while !used.insert(slug.clone()) {
                slug = format!("{base}-{n}");
                n += 1;
            }
        }
        let url = match kind {
            "page" => old.clone().unwrap_or_else(|| format!("/{slug}/")),
            _ => {
                let by_pattern = self.pattern_url(&zoned, &slug);
                match &old {
                    Some(o) if !draft => o.clone(),
                    _ => by_pattern,
                }
            }
        };
        Some(Chosen {
            item,
            slug,
            old,
            url,
            local,
            date_text,
            draft,
        })
    }

    fn pattern_url(&self, date: &jiff::ZonedDateTime, slug: &str) -> String {
        expand_permalink(
            &self.permalink.parts,
            &PermalinkInputs {
                date,
                slug,
                filename: slug,
                title: None,
                section: "posts",
                categories: &[],
                kind: Kind::Entry.plural(),
            },
        )
    }

    /// Old host URLs become site paths; uploads are copied (with `--media`)
    /// or reported; `?p=12` links find their post's new URL.
    fn map_url(&mut self, url: &str, line: usize) -> Option<String> {
        if let Some(rest) = upload_path(url) {
            return self.media(url, &rest, line);
        }
        let parsed = url::Url::parse(url).ok()?;
        let host = parsed.host_str()?.trim_start_matches("www.");
        if Some(host) != self.site_host.as_deref() {
            return None;
        }
        for (k, v) in parsed.query_pairs() {
            if matches!(k.as_ref(), "p" | "page_id") {
                return self.new_urls.get(v.as_ref()).cloned();
            }
        }
        let path = site::old_path(url, &self.base_path)?;
        let mut out = path;
        if let Some(f) = parsed.fragment() {
            out.push('#');
            out.push_str(f);
        }
        Some(out)
    }

    fn media(&mut self, url: &str, rest: &str, line: usize) -> Option<String> {
        let Some(dir) = &self.options.media else {
            if self.media_reported.insert(url.to_string()) {
                self.report(
                    line,
                    format!("media stays on the old host: {url} (import with --media pointing at a copy of wp-content/uploads to bring it)"),
                );
            }
            return None;
        };
        let from = dir.join(rest);
        if !from.is_file() {
            if self.media_reported.insert(url.to_string()) {
                self.report(
                    line,
                    format!("media file not found in {}: {url}", dir.display()),
                );
            }
            return None;
        }
        if self.media_planned.insert(rest.to_string()) {
            self.plan.files.push(PlannedFile {
                path: format!("static/wp-content/uploads/{rest}"),
                body: FileBody::Copy(from),
            });
            self.plan.count("media files", 1);
        }
        Some(format!("/wp-content/uploads/{rest}"))
    }

    /// Attachments that no post refers to are copied too, so their old
    /// addresses keep answering.
    fn copy_attachments(&mut self) {
        let mut urls: Vec<(String, usize)> = self
            .export
            .items
            .iter()
            .filter(|i| i.post_type == "attachment")
            .map(|i| (i.attachment_url.clone(), i.line))
            .collect();
        urls.sort();
        for (url, line) in urls {
            if let Some(rest) = upload_path(&url) {
                self.media(&url, &rest, line);
            }
        }
    }

    /// Content HTML → URLs mapped, unsafe ones dropped and reported.
    fn rewrite(&mut self, html: &str, line: usize, what: &str) -> String {
        let mut mapped: Vec<(String, Option<String>)> = Vec::new();
        // Map first (it may plan copies and report), then rewrite.
        let collected = rewrite_urls(html, &mut |u| {
            mapped.push((u.to_string(), None));
            None
        });
        for (u, new) in mapped.iter_mut() {
            *new = self.map_url(u, line);
        }
        let lookup: HashMap<String, String> = mapped
            .into_iter()
            .filter_map(|(u, n)| Some((u, n?)))
            .collect();
        for bad in &collected.dropped {
            self.report(
                line,
                format!("unsafe link dropped from {what}: {}", bad.escape_debug()),
            );
            self.plan.count("unsafe links dropped", 1);
        }
        rewrite_urls(html, &mut |u| lookup.get(u).cloned()).html
    }

    fn write_item(
        &mut self,
        c: &Chosen<'_>,
        pages: &HashMap<&str, &Chosen<'_>>,
        mut aliases: Vec<String>,
    ) {
        let item = c.item;
        let is_page = item.post_type == "page";
        let what = format!("{} {}", if is_page { "page" } else { "post" }, shown(item));
        let ctx = ContentContext {
            post_id: &item.id,
            attachments: &self.attachments,
        };
        let processed = content::process(&item.content, &ctx);
        for note in &processed.notes {
            self.report(item.line, format!("{note} ({what})"));
        }
        let mut before = self.rewrite(&processed.before_more, item.line, &what);
        let after = processed
            .after_more
            .as_ref()
            .map(|a| self.rewrite(a, item.line, &what));

        let title = visible_text(&item.title).trim().to_string();
        let format = item
            .terms("post_format")
            .next()
            .map(|(_, nicename, _)| nicename.trim_start_matches("post-format-").to_string())
            .unwrap_or_default();
        let mut fm = toml::Table::new();
        let mut kind: Option<&str> = None;
        let mut link: Option<String> = None;
        if !is_page {
            match format.as_str() {
                "link" => {
                    link = item
                        .meta("_format_link_url")
                        .find(|u| u.starts_with("http"))
                        .map(String::from)
                        .or_else(|| first_link(&before));
                    match link {
                        Some(_) => kind = Some("link"),
                        None => self.report(
                            item.line,
                            format!("link post without a link: imported as an entry ({what})"),
                        ),
                    }
                }
                "quote" => {
                    if !has_attribution(&before)
                        && let Some(name) = item.meta("_format_quote_source_name").next()
                        && let Some(end) = before.rfind("</blockquote>")
                    {
                        let credit = format!("<p>— {}</p>", crate::markdown::escape_text(name));
                        before.insert_str(end, &credit);
                    }
                    kind = Some(if has_attribution(&before) {
                        "quote"
                    } else {
                        "note"
                    });
                }
                "aside" | "status" => kind = Some("note"),
                _ => {}
            }
            if kind.is_none() && title.is_empty() {
                kind = Some("note");
            }
        }
        let mut body = to_markdown(&before).text().to_string();
        if let Some(after) = &after {
            body.push_str("\n\n<!-- more -->\n\n");
            body.push_str(to_markdown(after).text());
        }
        if !title.is_empty() {
            fm.insert("title".into(), title.clone().into());
        }
        if let Ok(d) = c.date_text.parse::<toml::value::Datetime>() {
            fm.insert("date".into(), toml::Value::Datetime(d));
        }
        if let Some(k) = kind {
            fm.insert("kind".into(), k.into());
        }
        if slug::slugify(file_safe(&c.slug)) != c.slug {
            fm.insert("slug".into(), c.slug.clone().into());
        }
        // The exact URL, when the pattern (or the page's folder) would not
        // give the old one.
        let natural = if is_page {
            page_folder_url(item, pages, &c.slug)
        } else {
            self.pattern_url(
                &c.local
                    .to_zoned_datetime(self.tz.clone())
                    .unwrap_or_default(),
                &c.slug,
            )
        };
        if c.url != natural {
            fm.insert("path".into(), c.url.clone().into());
        }
        if c.draft {
            fm.insert("draft".into(), true.into());
        }
        if item.sticky {
            fm.insert("pinned".into(), true.into());
        }
        if let Some(l) = &link {
            fm.insert("link".into(), l.clone().into());
        }
        if let Some(a) = self.authors.get(item.creator.as_str()).filter(|_| !is_page) {
            let name = if a.display_name.is_empty() {
                &a.login
            } else {
                &a.display_name
            };
            fm.insert("author".into(), visible_text(name).into());
        }
        let names = |domain: &str| -> Vec<toml::Value> {
            item.terms(domain)
                .map(|(_, _, name)| visible_text(name).into())
                .collect()
        };
        let tags = names("post_tag");
        let categories = names("category");
        if !is_page && !tags.is_empty() {
            fm.insert("tags".into(), toml::Value::Array(tags));
        }
        if !is_page && !categories.is_empty() {
            fm.insert("categories".into(), toml::Value::Array(categories));
        }
        let excerpt = visible_text(&item.excerpt).trim().to_string();
        if !is_page && !excerpt.is_empty() {
            fm.insert("summary".into(), excerpt.into());
        }
        // Old slugs: the old address with the old slug in it.
        for old_slug in item.meta("_wp_old_slug") {
            let old_slug = decode_slug(old_slug);
            if old_slug.is_empty() || old_slug == c.slug {
                continue;
            }
            let base = c.old.clone().unwrap_or_else(|| c.url.clone());
            let alias = if base.contains(&format!("/{}", c.slug)) {
                base.replacen(&format!("/{}", c.slug), &format!("/{old_slug}"), 1)
            } else {
                self.pattern_url(
                    &c.local
                        .to_zoned_datetime(self.tz.clone())
                        .unwrap_or_default(),
                    &old_slug,
                )
            };
            aliases.push(alias);
        }
        aliases.sort();
        aliases.dedup();
        aliases.retain(|a| *a != c.url);
        if !aliases.is_empty() {
            fm.insert(
                "aliases".into(),
                toml::Value::Array(aliases.into_iter().map(Into::into).collect()),
            );
        }
        if item.comment_status == "closed" && !is_page {
            fm.insert("comments".into(), "closed".into());
        }
        let day = c.local.strftime("%Y-%m-%d").to_string();
        let file = if is_page {
            format!("content/pages{}.md", page_file_path(item, pages, &c.slug))
        } else {
            format!("content/posts/{day}-{}.md", file_safe(&c.slug))
        };
        let text = self.checked(&file, &mut fm, body.trim(), item.line, &what);
        self.plan.files.push(PlannedFile {
            path: file,
            body: FileBody::Text(text),
        });
        match (is_page, c.draft) {
            (true, _) => self.plan.count("pages", 1),
            (false, false) => self.plan.count("posts", 1),
            (false, true) => self.plan.count("drafts", 1),
        }
        self.write_comments(c, is_page);
    }

    fn checked(
        &mut self,
        file: &str,
        fm: &mut toml::Table,
        body: &str,
        line: usize,
        what: &str,
    ) -> String {
        let path = self.path.to_path_buf();
        super::checked_text(
            &mut self.plan,
            &self.check_config,
            &path,
            file,
            fm,
            body,
            line,
            what,
        )
    }

    fn write_comments(&mut self, c: &Chosen<'_>, is_page: bool) {
        let item = c.item;
        let approved: Vec<&wxr::Comment> =
            item.comments.iter().filter(|x| x.approved == "1").collect();
        let pending = item.comments.iter().filter(|x| x.approved == "0").count();
        let spam = item
            .comments
            .iter()
            .filter(|x| x.approved == "spam")
            .count();
        let trash = item.comments.len() - approved.len() - pending - spam;
        self.plan.count("pending comments left out", pending);
        self.plan.count("spam comments left out", spam);
        self.plan.count("trashed comments left out", trash);
        if approved.is_empty() {
            return;
        }
        if is_page {
            self.report(
                item.line,
                format!(
                    "{} comment(s) on the page {} left out: glossator shows comments on posts",
                    approved.len(),
                    shown(item)
                ),
            );
            return;
        }
        let post_author_id = self
            .authors
            .get(item.creator.as_str())
            .map(|a| a.id.clone())
            .unwrap_or_default();
        let known: HashSet<&str> = approved.iter().map(|x| x.id.as_str()).collect();
        for comment in approved {
            let kind = match comment.kind.as_str() {
                "" | "comment" => "comment",
                "pingback" => "pingback",
                "trackback" => "trackback",
                "webmention" => "webmention",
                other => {
                    self.report(
                        comment.line,
                        format!("comment {} of type `{other}` left out", comment.id),
                    );
                    continue;
                }
            };
            let what = format!("comment {} on {}", comment.id, shown(item));
            // Unsafe links are reported before the sanitizer would drop
            // them without a word.
            let html = self.rewrite(&autop::autop(&comment.content), comment.line, &what);
            let html = sanitize_html(&html);
            let body = to_markdown(&html);
            let body = match body {
                Converted::Markdown(m) => m,
                Converted::Html(h) => h,
            };
            let mut fm = toml::Table::new();
            fm.insert("id".into(), comment.id.clone().into());
            fm.insert(
                "author".into(),
                visible_text(&comment.author).trim().to_string().into(),
            );
            if !comment.author_url.trim().is_empty() {
                match safe_author_url(&comment.author_url) {
                    Some(u) => {
                        fm.insert("url".into(), u.into());
                    }
                    None => {
                        self.report(
                            comment.line,
                            format!(
                                "unsafe author link dropped from {what}: {}",
                                comment.author_url.escape_debug()
                            ),
                        );
                        self.plan.count("unsafe links dropped", 1);
                    }
                }
            }
            let date = match (
                site::parse_wp_date(&comment.date_gmt),
                site::parse_wp_date(&comment.date),
            ) {
                (Some(utc), _) => utc
                    .to_zoned_datetime(TimeZone::UTC)
                    .map(|z| z.with_time_zone(self.tz.clone()))
                    .ok(),
                (None, Some(local)) => local.to_zoned_datetime(self.tz.clone()).ok(),
                _ => None,
            };
            if let Some(d) = date
                && let Ok(d) = d
                    .strftime("%Y-%m-%dT%H:%M:%S%:z")
                    .to_string()
                    .parse::<toml::value::Datetime>()
            {
                fm.insert("date".into(), toml::Value::Datetime(d));
            }
            if comment.parent != "0" && !comment.parent.is_empty() {
                if known.contains(comment.parent.as_str()) {
                    fm.insert("parent".into(), comment.parent.clone().into());
                } else {
                    self.report(
                        comment.line,
                        format!("{what} answers comment {}, which was not approved: shown at the top level", comment.parent),
                    );
                }
            }
            if kind != "comment" {
                fm.insert("type".into(), kind.into());
            }
            if comment.user_id != "0"
                && !comment.user_id.is_empty()
                && comment.user_id == post_author_id
            {
                fm.insert("role".into(), "author".into());
            }
            let text = format!(
                "+++\n{}+++\n\n{}\n",
                toml::to_string(&fm).unwrap_or_default(),
                body.trim()
            );
            self.plan.files.push(PlannedFile {
                path: format!(
                    "content/comments/{}/{}.md",
                    file_safe(&c.slug),
                    file_safe(&comment.id)
                ),
                body: FileBody::Text(text),
            });
            self.plan.count(
                if kind == "comment" {
                    "comments"
                } else {
                    "pingbacks and trackbacks"
                },
                1,
            );
        }
    }

    /// Old tag and category pages: the page itself when the new address is
    /// the old one, a redirect otherwise (nested categories, renamed
    /// slugs, another taxonomy path).
    fn term_redirects(&mut self, chosen: &[Chosen<'_>], redirects: &mut Vec<(String, String)>) {
        let mut used: BTreeMap<(&str, &str), &str> = BTreeMap::new();
        for c in chosen
            .iter()
            .filter(|c| !c.draft && c.item.post_type == "post")
        {
            for (domain, nicename, name) in &c.item.terms {
                if domain == "category" || domain == "post_tag" {
                    used.insert((domain.as_str(), nicename.as_str()), name.as_str());
                }
            }
        }
        let parents: HashMap<&str, &str> = self
            .export
            .categories
            .iter()
            .map(|t| (t.slug.as_str(), t.parent.as_str()))
            .collect();
        for ((domain, nicename), name) in used {
            let new_slug = slug::slugify(visible_text(name));
            let (old, new) = if domain == "category" {
                let mut chain = vec![nicename];
                let mut at = nicename;
                while let Some(p) = parents
                    .get(at)
                    .filter(|p| !p.is_empty() && !chain.contains(p))
                {
                    chain.push(p);
                    at = p;
                }
                chain.reverse();
                (
                    format!("/category/{}/", chain.join("/")),
                    format!("/{}/{new_slug}/", self.categories_path),
                )
            } else {
                (
                    format!("/tag/{nicename}/"),
                    format!("/{}/{new_slug}/", self.tags_path),
                )
            };
            let old = percent_encoding::percent_decode_str(&old)
                .decode_utf8_lossy()
                .into_owned();
            if old != new {
                redirects.push((old, new));
            }
        }
    }
}

/// A readable name for an item in the report: its old URL, else its id.
fn shown(item: &Item) -> String {
    if item.link.is_empty() {
        format!("id {}", item.id)
    } else {
        item.link.clone()
    }
}

/// WordPress percent-encodes non-ASCII slugs.
fn decode_slug(name: &str) -> String {
    percent_encoding::percent_decode_str(name.trim())
        .decode_utf8_lossy()
        .into_owned()
}

/// A slug as a file name: the slug when it is one safe segment, without
/// the invisible bidirectional and zero-width marks that make a name read
/// differently from what it is.
fn file_safe(name: &str) -> String {
    let invisible = name.chars().any(|c| {
        matches!(c, '\u{200b}'..='\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2060}'..='\u{2069}' | '\u{feff}')
    });
    if check_slug(name).is_ok() && !name.contains(':') && !invisible {
        name.to_string()
    } else {
        let s = slug::slugify(name);
        if s.is_empty() { "item".to_string() } else { s }
    }
}

/// The part after `wp-content/uploads/` of an upload's URL.
fn upload_path(url: &str) -> Option<String> {
    let at = url.find("/wp-content/uploads/")?;
    let rest = &url[at + "/wp-content/uploads/".len()..];
    let rest = rest.split(['?', '#']).next().unwrap_or(rest);
    let rest = percent_encoding::percent_decode_str(rest)
        .decode_utf8_lossy()
        .into_owned();
    let safe = !rest.is_empty()
        && rest
            .split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".." && !s.contains('\\'));
    safe.then_some(rest)
}

/// The ancestors' slugs of a page, outermost first.
fn page_ancestors(item: &Item, pages: &HashMap<&str, &Chosen<'_>>) -> Vec<String> {
    let mut out = Vec::new();
    let mut parent = item.parent.as_str();
    let mut seen = HashSet::new();
    while parent != "0" && !parent.is_empty() && seen.insert(parent) {
        match pages.get(parent) {
            Some(p) => {
                out.push(file_safe(&p.slug));
                parent = p.item.parent.as_str();
            }
            None => break,
        }
    }
    out.reverse();
    out
}

/// `/parent/child` under `content/pages` for a page, as its hierarchy.
fn page_file_path(item: &Item, pages: &HashMap<&str, &Chosen<'_>>, slug: &str) -> String {
    let mut path = String::new();
    for a in page_ancestors(item, pages) {
        path.push('/');
        path.push_str(&a);
    }
    path.push('/');
    path.push_str(&file_safe(slug));
    path
}

/// The URL glossator gives a page from its file's place (the page's own
/// slug is written when the file name would not give it).
fn page_folder_url(item: &Item, pages: &HashMap<&str, &Chosen<'_>>, slug: &str) -> String {
    let mut url = String::from("/");
    for a in page_ancestors(item, pages) {
        url.push_str(&slug::slugify(&a));
        url.push('/');
    }
    url.push_str(slug);
    url.push('/');
    url
}

/// The first http(s) link of some HTML.
fn first_link(html: &str) -> Option<String> {
    let mut found = None;
    rewrite_urls(html, &mut |u| {
        if found.is_none() && (u.starts_with("http://") || u.starts_with("https://")) {
            found = Some(u.to_string());
        }
        None
    });
    found
}

/// A block quote ending in an attribution paragraph.
fn has_attribution(html: &str) -> bool {
    html.contains("<p>— ") && html.contains("</blockquote>")
}

/// The front matter reader is the judge of what is written: a file the
/// importer makes must read back without an error.
#[cfg(test)]
fn reads_back(text: &str) -> bool {
    use crate::content::front_matter;
    front_matter::split(text)
        .ok()
        .and_then(|s| front_matter::read_post(&s).ok())
        .is_some_and(|(_, problems)| problems.iter().all(|p| p.warning))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn upload_paths() {
        assert_eq!(
            upload_path("https://o.example/wp-content/uploads/2009/03/a%20b.jpg?x=1").as_deref(),
            Some("2009/03/a b.jpg")
        );
        assert_eq!(
            upload_path("https://o.example/wp-content/uploads/../../etc/passwd"),
            None
        );
        assert_eq!(upload_path("https://o.example/a.jpg"), None);
    }

    #[test]
    fn written_front_matter_reads_back() {
        let mut fm = toml::Table::new();
        fm.insert("title".into(), "Quotes \"and\" \\ backslashes".into());
        fm.insert(
            "date".into(),
            toml::Value::Datetime("2009-03-03T14:10:00-05:00".parse().unwrap()),
        );
        fm.insert("aliases".into(), toml::Value::Array(vec!["/old/".into()]));
        let text = format!("+++\n{}+++\n\nBody\n", toml::to_string(&fm).unwrap());
        assert!(reads_back(&text), "{text}");
    }
}

//! `glossator import disqus`: the XML export Disqus gives a site owner.
//!
//! Threads are matched to posts by their URL (the post's own or an old
//! one, through its aliases; scheme, `www.`, trailing slash, query and
//! fragment ignored), else by their Disqus identifier when it is a path.
//! Comments are threaded by parent; deleted and spam ones are left out and
//! counted; a thread that matches no post is reported with its URL and
//! how many comments it holds.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use super::ImportPlan;
use super::comments::{Incoming, SitePosts, write_comments};
use super::xml::Element;
use crate::config::Config;
use crate::diagnostic::Diagnostic;

fn dsq_id(el: &Element) -> String {
    el.attrs
        .iter()
        .find(|(k, _)| k == "id")
        .map(|(_, v)| v.clone())
        .unwrap_or_default()
}

struct Thread {
    line: usize,
    link: String,
    identifier: String,
}

/// Reads a Disqus export and plans its comments onto the site's posts.
pub fn plan(
    path: &Path,
    text: &str,
    site: &mut SitePosts,
    config: &Config,
) -> Result<ImportPlan, Box<Diagnostic>> {
    let root = super::xml::parse(text, path)?;
    if root.name != "disqus" {
        return Err(Box::new(
            Diagnostic::error(path, format!("not a Disqus export: the file starts with <{}>", root.name))
                .at(root.line, 1)
                .with_hint("export the comments from Disqus's admin (Moderation → Export); the file is XML starting with <disqus>"),
        ));
    }
    let mut plan = ImportPlan {
        source: "disqus".into(),
        adds_only: true,
        ..ImportPlan::default()
    };
    let mut threads: HashMap<String, Thread> = HashMap::new();
    for t in root.children_named("", "thread") {
        threads.insert(
            dsq_id(t),
            Thread {
                line: t.line,
                link: t.text_of("", "link").to_string(),
                identifier: t.text_of("", "id").to_string(),
            },
        );
    }
    let mut by_thread: BTreeMap<String, Vec<Incoming>> = BTreeMap::new();
    let (mut deleted, mut spam) = (0, 0);
    for p in root.children_named("", "post") {
        if p.text_of("", "isDeleted") == "true" {
            deleted += 1;
            continue;
        }
        if p.text_of("", "isSpam") == "true" {
            spam += 1;
            continue;
        }
        let thread = p.child("", "thread").map(dsq_id).unwrap_or_default();
        let author = p.child("", "author");
        let name = author
            .map(|a| a.text_of("", "name"))
            .filter(|n| !n.is_empty());
        let username = author
            .map(|a| a.text_of("", "username"))
            .filter(|n| !n.is_empty());
        let created = p.text_of("", "createdAt");
        let Ok(date) = crate::date::parse_date(created, &jiff::tz::TimeZone::UTC) else {
            plan.report.push(
                Diagnostic::warning(
                    path,
                    format!(
                        "comment {} has no readable date (`{created}`): left out",
                        dsq_id(p)
                    ),
                )
                .at(p.line, 1),
            );
            continue;
        };
        by_thread.entry(thread).or_default().push(Incoming {
            origin: path.to_path_buf(),
            line: p.line,
            id: format!("disqus-{}", dsq_id(p)),
            author: name.or(username).unwrap_or("Anonymous").to_string(),
            url: author
                .map(|a| a.text_of("", "link").to_string())
                .filter(|u| !u.is_empty()),
            date,
            html: p
                .child("", "message")
                .map(|m| m.text.clone())
                .unwrap_or_default(),
            parent: p
                .child("", "parent")
                .map(|x| format!("disqus-{}", dsq_id(x))),
        });
    }
    let mut matched = 0;
    for (thread_id, comments) in by_thread {
        let t = threads.get(&thread_id);
        let post = t.and_then(|t| {
            site.by_url(&t.link)
                .or_else(|| {
                    (t.identifier.contains('/'))
                        .then(|| site.by_url(&t.identifier))
                        .flatten()
                })
                .cloned()
        });
        match post {
            Some(post) => {
                matched += 1;
                write_comments(&mut plan, site, &post, comments, &config.timezone);
            }
            None => {
                let (line, link) = t.map_or((1, thread_id.clone()), |t| (t.line, t.link.clone()));
                plan.report.push(
                    Diagnostic::warning(
                        path,
                        format!(
                            "thread {link} matches no post of the site: its {} comment(s) left out",
                            comments.len()
                        ),
                    )
                    .at(line, 1)
                    .with_hint("give the post an alias with that old path, then import again"),
                );
                plan.count("comments on threads matching no post", comments.len());
            }
        }
    }
    plan.count("threads matched", matched);
    plan.count("deleted comments left out", deleted);
    plan.count("spam comments left out", spam);
    Ok(plan)
}

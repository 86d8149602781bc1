//! `glossator import staticman`: comments kept as data files, as
//! Staticman and its imitators write them for Jekyll and Hugo sites.
//!
//! `DATA_DIR/<folder>/<file>.yml|yaml|json`, one comment a file, with the
//! fields the common tools use: `name`, `url`, `email` (never written),
//! `date` (text or a Unix time), `message` (HTML or Markdown), an id
//! (`_id`, `id`) and a reply-to (`replying_to`, `replyToId`, `parent`,
//! `replying_to_uid`), which may also be the replied comment's place in its
//! folder, as minimal-mistakes writes it. A folder is matched to a post by
//! its name (the slug, a file name, the URL's last segment, loosely: case,
//! repeated dashes, a leading date and stray punctuation aside), by an old
//! URL, or by a field of its comments naming the post (`--post-key`).

use std::collections::BTreeMap;
use std::path::Path;

use jiff::ZonedDateTime;
use jiff::tz::TimeZone;

use super::ImportPlan;
use super::comments::{Incoming, SitePosts, write_comments};
use crate::config::Config;
use crate::content::front_matter::Format;
use crate::content::front_matter::tree::parse_tree_lenient;
use crate::diagnostic::Diagnostic;

const REPLY_FIELDS: [&str; 5] = [
    "replying_to",
    "replyToId",
    "reply_to",
    "parent",
    "replying_to_uid",
];
const ID_FIELDS: [&str; 3] = ["_id", "id", "uid"];

/// One data file read into a flat table.
fn read_file(path: &Path) -> Result<toml::Table, String> {
    let text = std::fs::read_to_string(path).map_err(|e| e.to_string())?;
    let is_json = path.extension().is_some_and(|e| e == "json");
    if is_json {
        let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| format!("{e}"))?;
        let s = toml::to_string(&v).map_err(|e| e.to_string())?;
        return s.parse::<toml::Table>().map_err(|e| e.to_string());
    }
    let tree = parse_tree_lenient(Format::Yaml, &text, 1)
        .map_err(|e| format!("line {}: {}", e.line, e.message))?;
    match super::ssg::node_to_toml(&tree) {
        Some(toml::Value::Table(t)) => Ok(t),
        _ => Err("not a table of fields".into()),
    }
}

fn field(t: &toml::Table, names: &[&str]) -> Option<String> {
    names.iter().find_map(|n| match t.get(*n)? {
        toml::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_string()),
        toml::Value::Integer(i) => Some(i.to_string()),
        _ => None,
    })
}

/// A date as these tools write it: text, or seconds (or milliseconds)
/// since 1970.
fn date_of(t: &toml::Table) -> Option<ZonedDateTime> {
    match t.get("date")? {
        toml::Value::String(s) => {
            if let Ok(n) = s.trim().parse::<i64>() {
                return from_unix(n);
            }
            crate::date::parse_date(s, &TimeZone::UTC).ok()
        }
        toml::Value::Integer(n) => from_unix(*n),
        toml::Value::Datetime(d) => crate::date::parse_date(&d.to_string(), &TimeZone::UTC).ok(),
        _ => None,
    }
}

fn from_unix(n: i64) -> Option<ZonedDateTime> {
    let seconds = if n > 100_000_000_000 { n / 1000 } else { n };
    jiff::Timestamp::from_second(seconds)
        .ok()
        .map(|t| t.to_zoned_datetime(TimeZone::UTC))
}

/// Markdown messages become HTML, so both kinds go through one sanitizer.
fn message_html(message: &str) -> String {
    let looks_html =
        message.contains("</p>") || message.contains("<br") || message.contains("</a>");
    if looks_html {
        return message.to_string();
    }
    let mut out = String::new();
    pulldown_cmark::html::push_html(&mut out, pulldown_cmark::Parser::new(message));
    out
}

/// Reads a Staticman data folder and plans its comments onto the posts.
pub fn plan(
    dir: &Path,
    post_key: Option<&str>,
    site: &mut SitePosts,
    config: &Config,
) -> Result<ImportPlan, Box<Diagnostic>> {
    if !dir.is_dir() {
        return Err(Box::new(Diagnostic::error(dir, "not a folder").with_hint(
            "give the comments data folder, such as _data/comments",
        )));
    }
    let mut plan = ImportPlan {
        source: "staticman".into(),
        adds_only: true,
        ..ImportPlan::default()
    };
    // Folder → its comment files' tables.
    let mut folders: BTreeMap<String, Vec<(std::path::PathBuf, toml::Table)>> = BTreeMap::new();
    for file in super::ssg::walk(dir) {
        let ext = file
            .extension()
            .map(|e| e.to_string_lossy().to_ascii_lowercase())
            .unwrap_or_default();
        if !matches!(ext.as_str(), "yml" | "yaml" | "json") {
            continue;
        }
        let rel = file.strip_prefix(dir).unwrap_or(&file);
        let folder = rel
            .parent()
            .map(super::ssg::slash)
            .filter(|p| !p.is_empty())
            .unwrap_or_default();
        match read_file(&file) {
            Ok(t) => folders.entry(folder).or_default().push((file.clone(), t)),
            Err(e) => plan
                .report
                .push(Diagnostic::warning(&file, format!("not read: {e}")).at(1, 1)),
        }
    }
    let mut matched = 0;
    for (folder, mut files) in folders {
        files.sort_by_key(|(_, t)| date_of(t).map(|d| d.timestamp()));
        let named = post_key.and_then(|k| files.iter().find_map(|(_, t)| field(t, &[k])));
        let post = named
            .as_deref()
            .and_then(|n| site.by_url(n).or_else(|| site.by_name(n)))
            .or_else(|| site.by_name(folder.rsplit('/').next().unwrap_or(&folder)))
            .or_else(|| site.by_url(&folder))
            .cloned();
        let Some(post) = post else {
            plan.report.push(
                Diagnostic::warning(dir.join(&folder), format!("the folder `{folder}` matches no post: its {} comment(s) left out", files.len()))
                    .with_hint("rename the folder after the post's slug, or pass --post-key naming the field that holds the post"),
            );
            plan.count("comments in folders matching no post", files.len());
            continue;
        };
        matched += 1;
        // Ids: the comment's own, else its file name.
        let ids: Vec<String> = files
            .iter()
            .map(|(path, t)| {
                field(t, &ID_FIELDS).unwrap_or_else(|| {
                    path.file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default()
                })
            })
            .collect();
        let mut incoming = Vec::new();
        for (i, (path, t)) in files.iter().enumerate() {
            let Some(date) = date_of(t) else {
                plan.report.push(
                    Diagnostic::warning(path, "a comment without a readable date: left out")
                        .at(1, 1),
                );
                continue;
            };
            let parent = field(t, &REPLY_FIELDS).and_then(|p| {
                if ids.contains(&p) {
                    return Some(p);
                }
                // minimal-mistakes: the 1-based place of the replied
                // comment in its folder.
                let n: usize = p.parse().ok()?;
                (n >= 1 && n <= ids.len()).then(|| ids[n - 1].clone())
            });
            incoming.push(Incoming {
                origin: path.clone(),
                line: 1,
                id: format!("sm-{}", super::comments::clean_id(&ids[i])),
                author: field(t, &["name", "author"]).unwrap_or_else(|| "Anonymous".into()),
                url: field(t, &["url", "website"]),
                date,
                html: message_html(&field(t, &["message", "comment", "body"]).unwrap_or_default()),
                parent: parent.map(|p| format!("sm-{}", super::comments::clean_id(&p))),
            });
        }
        write_comments(&mut plan, site, &post, incoming, &config.timezone);
    }
    plan.count("folders matched", matched);
    Ok(plan)
}

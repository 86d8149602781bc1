//! `glossator new [KIND] "Title"`: a new post with its front matter filled.
//!
//! Front matter is built as a TOML table and serialized by the toml crate,
//! so any title (quotes, backslashes, emoji) comes out valid. The file is
//! never overwritten if it exists.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context as _, bail};
use clap::Args;
use jiff::ZonedDateTime;

use super::Verbosity;
use crate::config::load_config;
use crate::content::Kind;

#[derive(Debug, Args)]
pub struct NewArgs {
    /// `[KIND] TITLE`: KIND is entry (default), link, quote or note. Notes
    /// and quotes may leave out the title.
    #[arg(value_name = "KIND_OR_TITLE", num_args = 1..=2, required = true)]
    pub words: Vec<String>,
    /// The URL a link post points at, or the quoted page of a quote post.
    #[arg(long, value_name = "URL")]
    pub url: Option<String>,
    /// Write it as a draft (left out of builds without --drafts).
    #[arg(long)]
    pub draft: bool,
    /// Read the --url page (as `glossator cite` does): keep its snapshot
    /// and fill the title, author and publication from it. Without it,
    /// `new` never touches the network.
    #[arg(long, requires = "url")]
    pub fetch: bool,
}

/// A post to scaffold.
pub struct Scaffold<'a> {
    pub kind: Kind,
    pub title: Option<&'a str>,
    pub date: &'a ZonedDateTime,
    pub url: Option<&'a str>,
    pub draft: bool,
    /// The source entry of a fetched page (`--fetch`), in place of the
    /// blank one.
    pub source: Option<&'a crate::cite::front_matter::Entry>,
}

/// The file name and text of a new post.
pub fn scaffold(s: &Scaffold<'_>) -> anyhow::Result<(String, String)> {
    let mut fm = toml::Table::new();
    if let Some(t) = s.title {
        fm.insert("title".into(), t.into());
    }
    let date: toml::value::Datetime = s
        .date
        .timestamp()
        .to_zoned_datetime(s.date.time_zone().clone())
        .strftime("%Y-%m-%dT%H:%M:%S%:z")
        .to_string()
        .parse()
        .context("formatting the date")?;
    fm.insert("date".into(), toml::Value::Datetime(date));
    if s.kind != Kind::Entry && !(s.kind == Kind::Link && s.url.is_some()) {
        fm.insert("kind".into(), s.kind.name().into());
    }
    if s.draft {
        fm.insert("draft".into(), true.into());
    }
    fm.insert("tags".into(), toml::Value::Array(Vec::new()));
    let id = s.source.map_or("source", |e| e.id.as_str());
    let body = match s.kind {
        Kind::Entry => format!(
            "Write the post here. Quote what you comment on:\n\n> The words you are quoting.\n>\n> — [{id}]\n\nAnd say what you think.\n"
        ),
        Kind::Link => {
            fm.insert("link".into(), s.url.unwrap_or("https://").into());
            "Why this link is worth a click.\n".to_string()
        }
        Kind::Quote => format!("> The words you are quoting.\n>\n> — [{id}]\n"),
        Kind::Note => "A short note.\n".to_string(),
    };
    if let Some(entry) = s.source {
        let mut source = toml::Table::new();
        for (k, v) in &entry.fields {
            let value = match v.parse::<toml::value::Datetime>() {
                Ok(d) if matches!(*k, "date" | "retrieved") => toml::Value::Datetime(d),
                _ => v.as_str().into(),
            };
            source.insert((*k).into(), value);
        }
        let mut sources = toml::Table::new();
        sources.insert(entry.id.clone(), toml::Value::Table(source));
        fm.insert("sources".into(), toml::Value::Table(sources));
    } else if matches!(s.kind, Kind::Entry | Kind::Quote) {
        let mut source = toml::Table::new();
        source.insert("publication".into(), "".into());
        source.insert("author".into(), "".into());
        source.insert("url".into(), s.url.unwrap_or("https://").into());
        let mut sources = toml::Table::new();
        sources.insert("source".into(), toml::Value::Table(source));
        fm.insert("sources".into(), toml::Value::Table(sources));
    }
    let front = toml::to_string(&fm).context("writing front matter")?;
    let stem = match s.title {
        Some(t) if !slug::slugify(t).is_empty() => short_slug(&slug::slugify(t)),
        _ => format!("{}-{}", s.kind.name(), s.date.strftime("%H%M")),
    };
    let name = format!("{}-{stem}.md", s.date.strftime("%Y-%m-%d"));
    Ok((name, format!("+++\n{front}+++\n\n{body}")))
}

/// A title's slug cut to a length every file system takes (at a word).
fn short_slug(slug: &str) -> String {
    const MOST: usize = 80;
    if slug.len() <= MOST {
        return slug.to_string();
    }
    let end = (0..=MOST)
        .rev()
        .find(|&i| slug.is_char_boundary(i))
        .unwrap_or(0);
    let cut = &slug[..end];
    cut.rsplit_once('-')
        .map_or(cut, |(head, _)| head)
        .trim_end_matches('-')
        .to_string()
}

/// `--fetch`: the page read and kept as `glossator cite` keeps it; its
/// source entry and its title.
fn fetch_source(
    root: &Path,
    url: &str,
    verbosity: Verbosity,
) -> anyhow::Result<(crate::cite::front_matter::Entry, Option<String>)> {
    use crate::cite::front_matter::{Entry, default_id};
    use crate::output::atomic::{Place, Sync, write_atomic};
    let fetcher = crate::cite::fetch::Fetcher::new(std::time::Duration::from_secs(30));
    let taken = crate::cite::take(&fetcher, url, jiff::Timestamp::now())
        .map_err(|e| anyhow::anyhow!("new --fetch: {e}; nothing written"))?;
    let path = crate::cite::snapshot::free_path(root, &taken.path);
    let rel = path.to_string_lossy().replace('\\', "/");
    write_atomic(
        &root.join(&path),
        taken.snapshot.to_text().as_bytes(),
        Place::New,
        Sync::Durable,
    )
    .with_context(|| format!("cannot write {rel}"))?;
    if verbosity != Verbosity::Quiet {
        eprintln!("new: kept a snapshot of {url} in {rel}");
    }
    let id = default_id(
        taken.snapshot.meta.publication.as_deref(),
        url,
        &Default::default(),
    );
    let entry = Entry::for_snapshot(&id, &taken.snapshot, &rel);
    Ok((entry, taken.snapshot.meta.title.clone()))
}

impl NewArgs {
    /// Splits `[KIND] TITLE`.
    fn kind_and_title(&self) -> anyhow::Result<(Kind, Option<&str>)> {
        match self.words.as_slice() {
            [kind, title] => match Kind::parse(kind) {
                Some(k) => Ok((k, Some(title.as_str()))),
                None => bail!("unknown kind `{kind}`: use entry, link, quote or note"),
            },
            [one] => match Kind::parse(one) {
                Some(k @ (Kind::Note | Kind::Quote)) => Ok((k, None)),
                // The title comes from the page.
                Some(Kind::Link) if self.fetch => Ok((Kind::Link, None)),
                _ => Ok((
                    if self.url.is_some() {
                        Kind::Link
                    } else {
                        Kind::Entry
                    },
                    Some(one.as_str()),
                )),
            },
            _ => bail!("give a title, or a kind and a title"),
        }
    }

    pub fn run(self, root: &Path, verbosity: Verbosity) -> anyhow::Result<ExitCode> {
        let config = match load_config(root) {
            Ok(c) => c,
            Err(d) => {
                super::print_diagnostics(&d, root, verbosity);
                return Ok(ExitCode::from(1));
            }
        };
        let (kind, title) = self.kind_and_title()?;
        let now = ZonedDateTime::now().with_time_zone(config.timezone.clone());
        let fetched = match (&self.url, self.fetch) {
            (Some(url), true) => Some(fetch_source(root, url, verbosity)?),
            _ => None,
        };
        let title: Option<String> = title.map(str::to_string).or_else(|| {
            (kind == Kind::Link)
                .then(|| fetched.as_ref().and_then(|e| e.1.clone()))
                .flatten()
        });
        let (name, text) = scaffold(&Scaffold {
            kind,
            title: title.as_deref(),
            date: &now,
            url: self.url.as_deref(),
            draft: self.draft,
            source: fetched.as_ref().map(|e| &e.0),
        })?;
        let dir = root.join("content").join("posts");
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create {}", dir.display()))?;
        let path: PathBuf = dir.join(&name);
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    anyhow::anyhow!(
                        "{} exists already; glossator new never replaces a file",
                        path.display()
                    )
                } else {
                    anyhow::anyhow!("cannot create {}: {e}", path.display())
                }
            })?;
        std::io::Write::write_all(&mut file, text.as_bytes())
            .with_context(|| format!("cannot write {}", path.display()))?;
        if verbosity != Verbosity::Quiet {
            println!("{}", path.display());
        }
        Ok(ExitCode::SUCCESS)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_titles_make_short_file_names() {
        let long = slug::slugify("word ".repeat(80));
        let short = short_slug(&long);
        assert!(short.len() <= 80 && short.ends_with("word"), "{short}");
        assert_eq!(short_slug("a-short-title"), "a-short-title");
    }

    #[test]
    fn scaffolds_parse_back_as_the_kind_asked_for() {
        let config = crate::config::parse_config("").unwrap();
        let date: ZonedDateTime = "2009-03-03T14:10:00-05:00[America/New_York]"
            .parse()
            .unwrap();
        for (kind, title, url) in [
            (Kind::Entry, Some("He said \"no\" \\ twice"), None),
            (
                Kind::Link,
                Some("A link"),
                Some("https://example.com/story"),
            ),
            (Kind::Quote, None, Some("https://example.com/story")),
            (Kind::Note, None, None),
        ] {
            let (name, text) = scaffold(&Scaffold {
                kind,
                title,
                date: &date,
                url,
                draft: false,
                source: None,
            })
            .unwrap();
            assert!(name.starts_with("2009-03-03-"), "{name}");
            let file = crate::content::SourceFile {
                rel: PathBuf::from("content/posts").join(&name),
                abs: PathBuf::new(),
                role: crate::content::Role::Post,
                text: Some(text.clone()),
            };
            let (post, diagnostics) = crate::content::post::parse_post(&file, &config);
            let post = post.unwrap_or_else(|| panic!("{text}\n{diagnostics:?}"));
            assert_eq!(post.kind, kind, "{text}");
            if let Some(t) = title {
                assert_eq!(post.title, t);
            }
            assert_eq!(post.date.timestamp(), date.timestamp());
            assert_eq!(
                post.link.as_deref(),
                if kind == Kind::Link { url } else { None }
            );
        }
    }
}

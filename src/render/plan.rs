//! The plan: every output file of the site, before any rendering.
//!
//! Each [`Job`] says which file it writes, with which template, from what.
//! Planning is where URL collisions are caught (two posts with one URL, a
//! page named like the tag list, a static file over a post) with both
//! claimants named, and where a post asking for a template that does not
//! exist is told so at its own file.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::config::TaxonomyKind;
use crate::content::Kind;
use crate::diagnostic::{Diagnostic, Diagnostics, nearest};
use crate::output::OutputPath;
use crate::site::{PostId, Site};
use crate::theme::{AssetSource, Theme};

/// What a job renders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum JobKind {
    Post(PostId),
    /// Page `number` (≥ 2) of a post's comments.
    Comments {
        post: PostId,
        number: usize,
    },
    Page(usize),
    /// One page of a paginated list of posts.
    List {
        list: Arc<ListSpec>,
        /// 1-based page number.
        number: usize,
    },
    /// The list of all tags or categories.
    Terms(TaxonomyKind),
    NotFound,
    /// A file copied as is.
    Copy {
        source: AssetSource,
    },
}

/// A paginated list of posts, shared by the jobs of its pages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListSpec {
    /// `home`, `tag`, `category`, or a kind name.
    pub list_kind: String,
    pub title: String,
    /// For tags and categories: the term's name.
    pub name: Option<String>,
    /// URL of the list's first page.
    pub base_url: String,
    /// All the list's posts, newest first.
    pub posts: Vec<PostId>,
    pub per_page: usize,
}

impl ListSpec {
    pub fn total_pages(&self) -> usize {
        self.posts.len().div_ceil(self.per_page).max(1)
    }
}

/// One output file to produce.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    pub output: OutputPath,
    /// The site URL it is served at.
    pub url: String,
    pub template: String,
    pub kind: JobKind,
    /// The file it comes from, when there is one.
    pub source: Option<PathBuf>,
}

/// URL of page `n` of a list starting at `base` (`/tags/x/`, `/tags/x/page/2/`).
pub fn page_url(base: &str, n: usize) -> String {
    if n <= 1 {
        base.to_string()
    } else {
        format!("{base}page/{n}/")
    }
}

/// Who claimed an output path, for collision messages.
struct Claim {
    what: String,
    source: Option<PathBuf>,
}

struct Planner<'a> {
    theme: &'a Theme,
    jobs: Vec<Job>,
    claims: HashMap<OutputPath, Claim>,
    diagnostics: Diagnostics,
}

impl Planner<'_> {
    fn add(
        &mut self,
        url: String,
        output: Result<OutputPath, String>,
        template: &str,
        kind: JobKind,
        source: Option<PathBuf>,
        what: String,
    ) {
        let output = match output {
            Ok(o) => o,
            Err(message) => {
                let path = source.clone().unwrap_or_else(|| PathBuf::from("content"));
                self.diagnostics.push(
                    Diagnostic::error(path, format!("{what}: {message}")).with_hint(
                        "slugs and paths must stay inside the site: no `..`, `/` or `\\`",
                    ),
                );
                return;
            }
        };
        if let Some(first) = self.claims.get(&output) {
            let theirs = match &first.source {
                Some(s) => format!("{} ({})", first.what, s.display()),
                None => first.what.clone(),
            };
            let path = source
                .clone()
                .or_else(|| first.source.clone())
                .unwrap_or_else(|| PathBuf::from("content"));
            self.diagnostics.push(
                Diagnostic::error(
                    path,
                    format!("{what} has the URL {url}, which {theirs} already has"),
                )
                .with_hint(
                    "give one of them a different `slug` (or date), or move the static file",
                ),
            );
            return;
        }
        self.claims.insert(
            output.clone(),
            Claim {
                what,
                source: source.clone(),
            },
        );
        self.jobs.push(Job {
            output,
            url,
            template: template.to_string(),
            kind,
            source,
        });
    }

    fn list(&mut self, spec: ListSpec, template: &str) {
        let spec = Arc::new(spec);
        for number in 1..=spec.total_pages() {
            let url = page_url(&spec.base_url, number);
            let what = if number == 1 {
                format!("the {} list `{}`", spec.list_kind, spec.title)
            } else {
                format!(
                    "page {number} of the {} list `{}`",
                    spec.list_kind, spec.title
                )
            };
            self.add(
                url.clone(),
                OutputPath::for_url(&url),
                template,
                JobKind::List {
                    list: spec.clone(),
                    number,
                },
                None,
                what,
            );
        }
    }

    /// The template a post or page asked for, checked to exist.
    fn template_for(
        &mut self,
        asked: Option<&str>,
        default: &str,
        source: &std::path::Path,
        at: Option<(usize, usize)>,
    ) -> String {
        match asked {
            Some(name) if self.theme.has(name) => name.to_string(),
            Some(name) => {
                let names = self.theme.template_names();
                let hint = match nearest(name, names.iter().copied()) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => format!("templates available: {}", names.join(", ")),
                };
                self.diagnostics.push(
                    Diagnostic::error(source, format!("template `{name}` not found"))
                        .at_opt(at)
                        .with_hint(hint),
                );
                default.to_string()
            }
            None => default.to_string(),
        }
    }
}

/// Lists every output of the site.
pub fn plan_site(site: &Site, theme: &Theme) -> (Vec<Job>, Diagnostics) {
    let mut p = Planner {
        theme,
        jobs: Vec::new(),
        claims: HashMap::new(),
        diagnostics: Diagnostics::new(),
    };
    let config = &site.config;

    for (id, post) in site.posts.iter().enumerate() {
        let kind_template = format!("{}.html", post.kind.name());
        let default = if theme.has(&kind_template) {
            kind_template.as_str()
        } else {
            "post.html"
        };
        let at = post.template.as_ref().and(post.template_at);
        let template = p.template_for(post.template.as_deref(), default, &post.source, at);
        p.add(
            post.url.clone(),
            OutputPath::for_url(&post.url),
            &template,
            JobKind::Post(id),
            Some(post.source.clone()),
            format!("post `{}`", post.title),
        );
        for number in 2..=super::comments::comment_page_count(site, id) {
            let url = super::comments::comment_page_path(&post.url, number);
            p.add(
                url.clone(),
                OutputPath::for_url(&url),
                "comments.html",
                JobKind::Comments { post: id, number },
                Some(post.source.clone()),
                format!("page {number} of the comments on `{}`", post.title),
            );
        }
    }
    for (id, page) in site.pages.iter().enumerate() {
        let template = p.template_for(
            page.template.as_deref(),
            "page.html",
            &page.source,
            page.template_at,
        );
        p.add(
            page.url.clone(),
            OutputPath::for_url(&page.url),
            &template,
            JobKind::Page(id),
            Some(page.source.clone()),
            format!("page `{}`", page.title),
        );
    }

    p.list(
        ListSpec {
            list_kind: "home".into(),
            title: config.title.clone(),
            name: None,
            base_url: "/".into(),
            posts: (0..site.posts.len()).collect(),
            per_page: config.paginate_by,
        },
        "index.html",
    );

    for kind in [Kind::Link, Kind::Quote, Kind::Note] {
        if let Some(ids) = site.by_kind.get(&kind) {
            let title = capitalize(kind.plural());
            p.list(
                ListSpec {
                    list_kind: kind.name().into(),
                    title,
                    name: None,
                    base_url: format!("/{}/", kind.plural()),
                    posts: ids.clone(),
                    per_page: config.paginate_by,
                },
                "list.html",
            );
        }
    }

    for tax in TaxonomyKind::ALL {
        let t = config.taxonomy(tax);
        if !t.enabled || site.terms(tax).is_empty() {
            continue;
        }
        let url = format!("/{}/", t.path);
        p.add(
            url.clone(),
            OutputPath::for_url(&url),
            "terms.html",
            JobKind::Terms(tax),
            None,
            format!("the list of all {}", tax.name()),
        );
        for term in site.terms(tax) {
            p.list(
                ListSpec {
                    list_kind: tax.singular().into(),
                    title: term.name.clone(),
                    name: Some(term.name.clone()),
                    base_url: site.term_url(tax, &term.slug),
                    posts: term.posts.clone(),
                    per_page: t.paginate_by,
                },
                "list.html",
            );
        }
    }

    p.add(
        "/404.html".into(),
        OutputPath::new("404.html"),
        "404.html",
        JobKind::NotFound,
        None,
        "the 404 page".into(),
    );

    for file in site.static_files.iter().chain(&site.bundle_files) {
        let url = format!("/{}", file.output);
        p.add(
            url,
            OutputPath::new(&file.output),
            "",
            JobKind::Copy {
                source: AssetSource::File(file.source.clone()),
            },
            Some(file.rel.clone()),
            format!("the file {}", file.rel.display()),
        );
    }
    // Theme files come last: anything of the site's at the same path wins.
    for file in &theme.static_files {
        let Ok(output) = OutputPath::new(&file.rel) else {
            continue;
        };
        if p.claims.contains_key(&output) {
            continue;
        }
        p.add(
            format!("/{}", file.rel),
            Ok(output),
            "",
            JobKind::Copy {
                source: file.source.clone(),
            },
            Some(file.origin.clone()),
            format!("the theme file {}", file.rel),
        );
    }
    (p.jobs, p.diagnostics)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_urls() {
        assert_eq!(page_url("/", 1), "/");
        assert_eq!(page_url("/", 2), "/page/2/");
        assert_eq!(page_url("/tags/x/", 3), "/tags/x/page/3/");
    }
}

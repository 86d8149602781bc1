//! Themes: which templates and static files a site renders with.
//!
//! Three layers, each overriding the one before by file name: the built-in
//! default theme (compiled into the binary, see [`builtin`]), the site's
//! theme folder `themes/<name>/`, and the site's own `templates/` (the
//! site's `static/` is copied by the build and wins over theme files). Templates are compiled once per theme load with Tera 2, whose
//! errors carry the template line; [`Theme::diagnostics_for`] turns them
//! into `path:line:col` diagnostics naming the template's real file.

pub mod builtin;
mod filters;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use tera::{Context, ErrorKind, Tera};
use walkdir::WalkDir;

use crate::config::{CONFIG_FILE, Config};
use crate::diagnostic::{Diagnostic, Diagnostics, nearest};
use crate::files::is_ignored_name;

pub use crate::output::AssetSource;

/// A theme static file and its output path (`style.css`).
#[derive(Debug, Clone)]
pub struct ThemeFile {
    pub rel: String,
    pub source: AssetSource,
    /// For messages: where it came from.
    pub origin: PathBuf,
}

/// Compiled templates plus the theme's static files.
pub struct Theme {
    pub tera: Tera,
    /// Template name → the file it came from (site-relative, or
    /// `<built-in>/...` for the embedded theme).
    origins: HashMap<String, PathBuf>,
    pub static_files: Vec<ThemeFile>,
    /// What a page's bytes depend on besides its context and template
    /// name: this glossator binary, every template's text and what the
    /// filters take from the config. Part of every page's key, which a
    /// build compares with the key the last build recorded.
    pub key: u128,
}

impl std::fmt::Debug for Theme {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Theme")
            .field("templates", &self.origins.len())
            .field("static_files", &self.static_files.len())
            .finish()
    }
}

/// Collects `dir/**` files as (relative name with `/`, absolute path).
fn files_under(dir: &Path) -> Vec<(String, PathBuf)> {
    if !dir.is_dir() {
        return Vec::new();
    }
    WalkDir::new(dir)
        .follow_links(false)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| {
            e.depth() == 0 || e.file_name().to_str().is_some_and(|n| !is_ignored_name(n))
        })
        .filter_map(Result::ok)
        .filter(|e| e.file_type().is_file())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            let name = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            Some((name, e.path().to_path_buf()))
        })
        .collect()
}

/// The theme folders that exist under `root/themes/`.
fn available_themes(root: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root.join("themes"))
        .into_iter()
        .flatten()
        .filter_map(Result::ok)
        .filter(|e| e.path().is_dir())
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .collect();
    if !names.iter().any(|n| n == "default") {
        names.push("default".to_string());
    }
    names.sort();
    names
}

/// Loads and compiles the theme the config names.
pub fn load_theme(root: &Path, config: &Config) -> Result<Theme, Diagnostics> {
    let mut diagnostics = Diagnostics::new();
    let theme_at = || config.theme_at;
    let vendor_hint = "copy the theme into the site: themes/<name>/, and set `theme = \"<name>\"`";
    // A theme is a folder under themes/, named by one plain segment: an
    // absolute path or `..` would read templates from outside the site.
    let plain = !config.theme.is_empty()
        && !config.theme.contains(['/', '\\', '\0'])
        && config.theme != "."
        && config.theme != "..";
    if !plain {
        diagnostics.push(
            Diagnostic::error(
                CONFIG_FILE,
                format!(
                    "theme `{}` is not the name of a folder under themes/",
                    config.theme.escape_debug()
                ),
            )
            .at_opt(theme_at())
            .with_hint(vendor_hint),
        );
        return Err(diagnostics);
    }
    let theme_dir = root.join("themes").join(&config.theme);
    // A symlink under themes/ that leads out of the site is not followed,
    // as no symlink out of the site is.
    if let (Ok(real), Ok(site)) = (theme_dir.canonicalize(), root.canonicalize())
        && !real.starts_with(&site)
    {
        diagnostics.push(
            Diagnostic::error(
                CONFIG_FILE,
                format!(
                    "theme `{}` is a link to {}, outside the site: not followed",
                    config.theme,
                    real.display()
                ),
            )
            .at_opt(theme_at())
            .with_hint(vendor_hint),
        );
        return Err(diagnostics);
    }
    if config.theme != "default" && !theme_dir.is_dir() {
        let available = available_themes(root);
        let hint = match nearest(&config.theme, available.iter().map(String::as_str)) {
            Some(n) => format!("did you mean `{n}`?"),
            None => format!("themes here: {}", available.join(", ")),
        };
        let at = theme_at();
        diagnostics.push(
            Diagnostic::error(
                CONFIG_FILE,
                format!(
                    "theme `{}` not found (no folder themes/{})",
                    config.theme, config.theme
                ),
            )
            .at_opt(at)
            .with_hint(hint),
        );
        return Err(diagnostics);
    }

    // name -> (source text, origin)
    let mut templates: HashMap<String, (String, PathBuf)> = HashMap::new();
    let mut static_files: HashMap<String, ThemeFile> = HashMap::new();

    // The built-in theme is the bottom layer under every theme, so a theme
    // only needs the templates it changes.
    {
        for (name, text) in builtin::TEMPLATES {
            templates.insert(
                (*name).to_string(),
                (
                    (*text).to_string(),
                    PathBuf::from(format!("<built-in>/templates/{name}")),
                ),
            );
        }
        for (name, bytes) in builtin::STATIC {
            static_files.insert(
                (*name).to_string(),
                ThemeFile {
                    rel: (*name).to_string(),
                    source: AssetSource::Embedded(bytes),
                    origin: PathBuf::from(format!("<built-in>/static/{name}")),
                },
            );
        }
    }

    let layers = [
        (theme_dir.join("templates"), theme_dir.join("static")),
        (root.join("templates"), PathBuf::new()),
    ];
    for (templates_dir, static_dir) in &layers {
        for (name, abs) in files_under(templates_dir) {
            let rel = abs.strip_prefix(root).unwrap_or(&abs).to_path_buf();
            match std::fs::read(&abs).map(crate::files::decode_text) {
                Ok(Ok(text)) => {
                    templates.insert(name, (text, rel));
                }
                Ok(Err(e)) => diagnostics.push(e.into_diagnostic(&rel)),
                Err(e) => diagnostics.push(Diagnostic::error(rel, format!("cannot read: {e}"))),
            }
        }
        if !static_dir.as_os_str().is_empty() {
            for (name, abs) in files_under(static_dir) {
                let origin = abs.strip_prefix(root).unwrap_or(&abs).to_path_buf();
                static_files.insert(
                    name.clone(),
                    ThemeFile {
                        rel: name,
                        source: AssetSource::File(abs),
                        origin,
                    },
                );
            }
        }
    }
    if diagnostics.has_errors() {
        return Err(diagnostics);
    }
    drop_orphaned_builtins(&mut templates);

    let mut tera = Tera::new();
    filters::register(&mut tera, config);
    let origins: HashMap<String, PathBuf> = templates
        .iter()
        .map(|(name, (_, origin))| (name.clone(), origin.clone()))
        .collect();
    let mut sorted: Vec<(&String, &(String, PathBuf))> = templates.iter().collect();
    sorted.sort_by(|a, b| a.0.cmp(b.0));
    let result = tera.add_raw_templates(
        sorted
            .iter()
            .map(|(name, (text, _))| (name.as_str(), text.as_str())),
    );
    let key = theme_key(&sorted, config);
    let mut theme = Theme {
        tera,
        origins,
        static_files: Vec::new(),
        key,
    };
    if let Err(e) = result {
        return Err(theme.diagnostics_for(&e, None).into_iter().collect());
    }
    let mut files: Vec<ThemeFile> = static_files.into_values().collect();
    files.sort_by(|a, b| a.rel.cmp(&b.rel));
    theme.static_files = files;
    Ok(theme)
}

/// [`Theme::key`] for templates `sorted` by name.
fn theme_key(sorted: &[(&String, &(String, PathBuf))], config: &Config) -> u128 {
    let mut h = xxhash_rust::xxh3::Xxh3::new();
    h.update(crate::identity::binary().as_bytes());
    h.update(b"\0");
    filters::key_into(&mut h, config);
    for (name, (text, _)) in sorted {
        for part in [name.as_str(), text.as_str()] {
            h.update(&part.len().to_le_bytes());
            h.update(part.as_bytes());
        }
    }
    h.digest128()
}

/// The template a template extends, from its `{% extends "..." %}` tag.
fn extends_of(text: &str) -> Option<&str> {
    let start = text.find("{% extends")?;
    let rest = &text[start + "{% extends".len()..];
    let rest = rest.trim_start().strip_prefix('"')?;
    rest.split('"').next()
}

/// A built-in template that extends a template the theme or site replaced
/// (other than `base.html`, whose blocks are a documented contract) was
/// written against the built-in parent: drop it, so the replacement is
/// used instead. Overriding `post.html` thus also covers links, quotes and
/// notes, as a writer would expect.
fn drop_orphaned_builtins(templates: &mut HashMap<String, (String, PathBuf)>) {
    let is_builtin = |origin: &PathBuf| origin.starts_with("<built-in>");
    // The built-in list item is made for the built-in list pages, from the
    // built-in components: a theme with lists of its own does not get it.
    let own = |name: &str| templates.get(name).is_some_and(|(_, o)| !is_builtin(o));
    if own("list.html") && own("index.html") && !own("item.html") {
        templates.remove("item.html");
    }
    loop {
        let orphans: Vec<String> = templates
            .iter()
            .filter(|(_, (text, origin))| {
                is_builtin(origin)
                    && extends_of(text).is_some_and(|parent| {
                        parent != "base.html"
                            && templates.get(parent).is_none_or(|(_, o)| !is_builtin(o))
                    })
            })
            .map(|(name, _)| name.clone())
            .collect();
        if orphans.is_empty() {
            return;
        }
        for name in orphans {
            templates.remove(&name);
        }
    }
}

impl Theme {
    pub fn has(&self, name: &str) -> bool {
        self.tera.contains_template(name)
    }

    /// The names of all templates, sorted.
    pub fn template_names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.tera.get_template_names().collect();
        names.sort();
        names
    }

    /// Renders a template into a string.
    pub fn render(&self, name: &str, context: &Context) -> Result<String, tera::Error> {
        self.tera.render(name, context)
    }

    /// Renders a template into `out`.
    pub fn render_to(
        &self,
        name: &str,
        context: &Context,
        out: &mut Vec<u8>,
    ) -> Result<(), tera::Error> {
        self.tera.render_to(name, context, out)
    }

    /// The file a template came from.
    pub fn origin(&self, name: &str) -> PathBuf {
        self.origins
            .get(name)
            .cloned()
            .unwrap_or_else(|| PathBuf::from(format!("templates/{name}")))
    }

    /// Turns a Tera error into diagnostics located in the template file.
    /// `page` names what was being rendered, for render-time errors.
    pub fn diagnostics_for(&self, error: &tera::Error, page: Option<&str>) -> Vec<Diagnostic> {
        let while_rendering = |message: &str| match page {
            Some(p) => format!("{message} (while rendering {p})"),
            None => message.to_string(),
        };
        match error.kind() {
            ErrorKind::SyntaxError(report) | ErrorKind::RenderingError(report) => {
                let span = report.span();
                vec![
                    Diagnostic::error(
                        self.origin(report.filename()),
                        while_rendering(report.message()),
                    )
                    .at(span.start_line.max(1), span.start_col + 1)
                    .with_hint(hint_for(report.message())),
                ]
            }
            ErrorKind::CircularInclude { tpl, include_chain } => vec![
                Diagnostic::error(
                    self.origin(tpl),
                    format!("template includes itself: {}", include_chain.join(" -> ")),
                )
                .with_hint("remove the include that leads back to this template"),
            ],
            ErrorKind::CircularExtend {
                tpl,
                inheritance_chain,
            } => vec![
                Diagnostic::error(
                    self.origin(tpl),
                    format!(
                        "template extends itself: {}",
                        inheritance_chain.join(" -> ")
                    ),
                )
                .with_hint("a template cannot extend itself, directly or through others"),
            ],
            ErrorKind::MissingParent { current, parent } => {
                let names = self.template_names();
                let hint = match nearest(parent, names.iter().copied()) {
                    Some(n) => format!("did you mean `{n}`?"),
                    None => "check the name in `{% extends %}`".to_string(),
                };
                vec![
                    Diagnostic::error(
                        self.origin(current),
                        format!("extends `{parent}`, which does not exist"),
                    )
                    .with_hint(hint),
                ]
            }
            ErrorKind::TemplateNotFound(name) => vec![Diagnostic::error(
                self.origin(name),
                while_rendering(&format!("template `{name}` not found")),
            )],
            ErrorKind::Msg(message) => self.parse_reports(message, page),
            _ => vec![Diagnostic::error(
                PathBuf::from("templates"),
                while_rendering(&error.to_string()),
            )],
        }
    }

    /// Tera reports validation problems (unknown filters, functions,
    /// includes) as text: `error: MSG\n --> name:line:col ...`, joined
    /// by blank lines. Each becomes its own diagnostic.
    fn parse_reports(&self, message: &str, page: Option<&str>) -> Vec<Diagnostic> {
        let mut out = Vec::new();
        for report in message.split("\n\n") {
            let mut lines = report.lines();
            let first = lines.next().unwrap_or("");
            let Some(msg) = first.strip_prefix("error: ") else {
                continue;
            };
            let location = lines
                .next()
                .and_then(|l| l.trim().strip_prefix("--> "))
                .and_then(|loc| {
                    let mut parts = loc.rsplitn(3, ':');
                    let col = parts.next()?.parse::<usize>().ok()?;
                    let line = parts.next()?.parse::<usize>().ok()?;
                    let name = parts.next()?;
                    Some((name.to_string(), line, col))
                });
            let d = match location {
                Some((name, line, col)) => {
                    Diagnostic::error(self.origin(&name), msg.to_string()).at(line, col)
                }
                None => Diagnostic::error(PathBuf::from("templates"), msg.to_string()),
            };
            out.push(d.with_hint(hint_for(msg)));
        }
        if out.is_empty() {
            let text = match page {
                Some(p) => format!("{message} (while rendering {p})"),
                None => message.to_string(),
            };
            out.push(Diagnostic::error(PathBuf::from("templates"), text));
        }
        out
    }
}

fn hint_for(message: &str) -> String {
    if message.contains("is not defined in any parent template") {
        "a theme's base.html must define the blocks title, description, head and main, \
         which the built-in templates fill (see docs/templates.md)"
            .to_string()
    } else if message.starts_with("Unknown filter") {
        format!(
            "glossator adds the filters {}; Tera's own are listed at https://keats.github.io/tera/",
            filters::NAMES.join(", ")
        )
    } else if message.contains("not found in context") || message.contains("undefined") {
        "the variables templates see are listed in docs/templates.md".to_string()
    } else {
        "see docs/templates.md for the template variables and filters".to_string()
    }
}

#[cfg(test)]
mod tests;

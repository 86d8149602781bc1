//! What a changed path means for the preview: the pure half of watching.
//!
//! Every editor saves differently (in place; to a temp file then renamed;
//! delete then create; with swap and backup files beside), so the watcher
//! looks at every path an event names and asks [`classify_path`] what it
//! is. Editor droppings are [`PathKind::Ignored`] by the same rule the
//! build uses for content ([`is_ignored_name`]), so the two always agree.

use std::path::{Component, Path};

use crate::config::CONFIG_FILE;
use crate::files::is_ignored_name;

/// What a path is to the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PathKind {
    /// `glossator.toml`: rebuild everything.
    Config,
    /// Site `templates/` or a theme's templates and `theme.toml`.
    Template,
    /// A theme's `static/` file: copied as is.
    ThemeStatic,
    /// The site's `static/`: copied as is.
    Static,
    /// `content/`: posts, pages, comments, bundle files.
    Content,
    /// `sources/`: snapshots and their change marks (`cite`, `check
    /// --refresh`); read with the config, so handled as a config change.
    Sources,
    /// Anything else: editor files, `public/`, `.git/`, build output.
    Ignored,
}

/// Classifies an absolute `path` under the site `root`.
pub fn classify_path(root: &Path, path: &Path) -> PathKind {
    let Ok(rel) = path.strip_prefix(root) else {
        return PathKind::Ignored;
    };
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(n) => n.to_str(),
            _ => None,
        })
        .collect();
    if parts.is_empty() || parts.iter().any(|p| is_ignored_name(p)) {
        return PathKind::Ignored;
    }
    match parts.as_slice() {
        [name] if *name == CONFIG_FILE => PathKind::Config,
        ["content", ..] => PathKind::Content,
        ["sources", ..] => PathKind::Sources,
        ["static", ..] => PathKind::Static,
        ["templates", ..] => PathKind::Template,
        ["themes", _, "static", _, ..] => PathKind::ThemeStatic,
        ["themes", ..] => PathKind::Template,
        _ => PathKind::Ignored,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    #[test]
    fn paths_by_kind() {
        let root = PathBuf::from("/site");
        let cases: &[(&str, PathKind)] = &[
            ("glossator.toml", PathKind::Config),
            ("content/posts/a.md", PathKind::Content),
            ("content/posts/a/index.md", PathKind::Content),
            ("content/posts/a/photo.jpg", PathKind::Content),
            ("content/posts", PathKind::Content),
            ("content/comments/a/c1.md", PathKind::Content),
            ("static/style.css", PathKind::Static),
            (
                "sources/e-com/a/2026-03-03T133000Z.changed.toml",
                PathKind::Sources,
            ),
            ("static/img/x.png", PathKind::Static),
            ("templates/post.html", PathKind::Template),
            ("themes/default/templates/base.html", PathKind::Template),
            ("themes/default/theme.toml", PathKind::Template),
            ("themes/default", PathKind::Template),
            ("themes/default/static/style.css", PathKind::ThemeStatic),
            ("public/index.html", PathKind::Ignored),
            ("target/debug/glossator", PathKind::Ignored),
            (".git/index", PathKind::Ignored),
            ("README.md", PathKind::Ignored),
            ("other.toml", PathKind::Ignored),
        ];
        for (rel, kind) in cases {
            assert_eq!(classify_path(&root, &root.join(rel)), *kind, "{rel}");
        }
        assert_eq!(
            classify_path(&root, Path::new("/elsewhere/content/a.md")),
            PathKind::Ignored
        );
    }

    /// The files each editor writes while saving `content/posts/a.md`:
    /// only the real file ever counts.
    #[test]
    fn editor_save_patterns() {
        let root = PathBuf::from("/site");
        let dir = "content/posts";
        let cases: &[(&str, &str, bool)] = &[
            // vim: probes with 4913, renames the original to a~, writes a new file.
            ("vim", "4913", false),
            ("vim", "a.md~", false),
            ("vim", ".a.md.swp", false),
            ("vim", ".a.md.swx", false),
            ("vim", "a.md", true),
            // emacs: lock and autosave files.
            ("emacs", ".#a.md", false),
            ("emacs", "#a.md#", false),
            ("emacs", "a.md~", false),
            // JetBrains: safe write through ___jb_tmp___ and ___jb_old___.
            ("jetbrains", "a.md___jb_tmp___", false),
            ("jetbrains", "a.md___jb_old___", false),
            ("jetbrains", "a.md", true),
            // VS Code and others writing a temp file, then renaming.
            ("vscode", "a.md.tmp", false),
            ("vscode", ".a.md.tmp", false),
            ("gedit", ".goutputstream-ABC123", false),
            ("kate", "a.md.kate-swp", false),
            // Delete then create: the file itself.
            ("delete-create", "a.md", true),
        ];
        for (editor, name, counts) in cases {
            let kind = classify_path(&root, &root.join(dir).join(name));
            assert_eq!(
                kind == PathKind::Content,
                *counts,
                "{editor}: {name} -> {kind:?}"
            );
        }
    }
}

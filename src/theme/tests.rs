use std::fs;
use std::path::Path;

use super::*;
use crate::config::parse_config;

fn site_with(templates: &[(&str, &str)], config: &str) -> (tempfile::TempDir, Config) {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in templates {
        let path = dir.path().join(name);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    }
    (dir, parse_config(config).unwrap())
}

#[test]
fn builtin_lists_match_the_theme_folder() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default");
    let on_disk: Vec<String> = files_under(&root.join("templates"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mut embedded: Vec<String> = builtin::TEMPLATES
        .iter()
        .map(|(n, _)| n.to_string())
        .collect();
    embedded.sort();
    assert_eq!(
        on_disk, embedded,
        "add new theme templates to src/theme/builtin.rs"
    );
    let on_disk: Vec<String> = files_under(&root.join("static"))
        .into_iter()
        .map(|(n, _)| n)
        .collect();
    let mut embedded: Vec<String> = builtin::STATIC.iter().map(|(n, _)| n.to_string()).collect();
    embedded.sort();
    assert_eq!(
        on_disk, embedded,
        "add new theme static files to src/theme/builtin.rs"
    );
}

#[test]
fn builtin_theme_compiles() {
    let (dir, config) = site_with(&[], "");
    let theme = load_theme(dir.path(), &config).unwrap();
    for name in [
        "base.html",
        "post.html",
        "index.html",
        "list.html",
        "404.html",
    ] {
        assert!(theme.has(name), "{name}");
    }
    assert!(theme.static_files.iter().any(|f| f.rel == "style.css"));
}

#[test]
fn site_templates_override_the_theme() {
    let (dir, config) = site_with(&[("templates/404.html", "custom 404")], "");
    let theme = load_theme(dir.path(), &config).unwrap();
    let mut out = Vec::new();
    theme
        .render_to("404.html", &Context::new(), &mut out)
        .unwrap();
    assert_eq!(out, b"custom 404");
    assert_eq!(
        theme.origin("404.html"),
        PathBuf::from("templates/404.html")
    );
}

#[test]
fn theme_folder_overrides_builtin_and_site_overrides_theme_folder() {
    let (dir, config) = site_with(
        &[
            ("themes/default/templates/page.html", "theme page"),
            ("themes/default/templates/404.html", "theme 404"),
            ("templates/404.html", "site 404"),
        ],
        "",
    );
    let theme = load_theme(dir.path(), &config).unwrap();
    let render = |name| {
        let mut out = Vec::new();
        theme.render_to(name, &Context::new(), &mut out).unwrap();
        String::from_utf8(out).unwrap()
    };
    assert_eq!(render("page.html"), "theme page");
    assert_eq!(render("404.html"), "site 404");
}

#[test]
fn unknown_filter_is_reported_at_its_template_line() {
    let (dir, config) = site_with(
        &[(
            "templates/post.html",
            "line one\n{{ post.title | shout }}\n",
        )],
        "",
    );
    let errors = load_theme(dir.path(), &config).unwrap_err().into_vec();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let e = &errors[0];
    assert_eq!(e.path, PathBuf::from("templates/post.html"));
    assert_eq!((e.line, e.col), (Some(2), Some(17)));
    assert!(
        e.message.contains("Unknown filter `shout`"),
        "{}",
        e.message
    );
}

#[test]
fn syntax_error_is_reported_at_its_template_line() {
    let (dir, config) = site_with(&[("templates/page.html", "ok\n\n{% if %}\n")], "");
    let e = load_theme(dir.path(), &config)
        .unwrap_err()
        .into_vec()
        .remove(0);
    assert_eq!(e.path, PathBuf::from("templates/page.html"));
    assert_eq!(e.line, Some(3));
}

#[test]
fn template_including_itself_is_an_error() {
    let (dir, config) = site_with(
        &[("templates/loop.html", "{% include \"loop.html\" %}")],
        "",
    );
    let e = load_theme(dir.path(), &config)
        .unwrap_err()
        .into_vec()
        .remove(0);
    assert_eq!(e.path, PathBuf::from("templates/loop.html"));
    assert!(e.message.contains("includes itself"), "{}", e.message);
}

#[test]
fn missing_theme_is_an_error_naming_the_config_line() {
    let (dir, _) = site_with(
        &[("glossator.toml", "title = \"x\"\ntheme = \"nope\"\n")],
        "",
    );
    let config = parse_config("title = \"x\"\ntheme = \"nope\"\n").unwrap();
    let e = load_theme(dir.path(), &config)
        .unwrap_err()
        .into_vec()
        .remove(0);
    assert_eq!(e.path, PathBuf::from("glossator.toml"));
    assert_eq!(e.line, Some(2));
    assert!(e.message.contains("theme `nope` not found"));
}

#[test]
fn overriding_post_html_covers_every_kind() {
    let (dir, config) = site_with(&[("templates/post.html", "<p>mine</p>")], "");
    let theme = load_theme(dir.path(), &config).unwrap();
    assert!(theme.has("post.html"));
    for kind in ["link.html", "quote.html", "note.html"] {
        assert!(
            !theme.has(kind),
            "built-in {kind} would extend the site's post.html"
        );
    }
    // Overriding base.html keeps them: its blocks are the contract.
    let (dir, config) = site_with(
        &[(
            "templates/base.html",
            "{% block title %}{% endblock title %}{% block description %}{% endblock description %}{% block head %}{% endblock head %}{% block main %}{% endblock main %}",
        )],
        "",
    );
    let theme = load_theme(dir.path(), &config).unwrap();
    assert!(theme.has("link.html"));
}

#[test]
fn the_theme_key_follows_templates_and_what_filters_take_from_the_config() {
    let key = |templates: &[(&str, &str)], config: &str| {
        let (dir, config) = site_with(templates, config);
        load_theme(dir.path(), &config).unwrap().key
    };
    let base = key(&[], "");
    assert_eq!(base, key(&[], ""), "the same theme, the same key");
    assert_ne!(
        base,
        key(&[("templates/post.html", "{{ post.title }}")], ""),
        "a template of the site's own"
    );
    assert_ne!(
        key(&[("templates/post.html", "{{ post.title }}")], ""),
        key(&[("templates/post.html", "{{ post.title }}!")], ""),
        "a template's text"
    );
    assert_ne!(
        base,
        key(&[], "timezone = \"Asia/Tokyo\""),
        "the `date` zone"
    );
    assert_ne!(
        base,
        key(&[], "base_url = \"https://other.example\""),
        "the `absolute_url` base"
    );
}

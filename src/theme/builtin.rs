//! The default theme, compiled into the binary.
//!
//! `themes/default/` in the repository is the source; these lists embed it
//! so a site without a `themes/` folder (every `glossator init` site) still
//! renders, and the binary stays a single file. A test checks that the
//! lists and the folder hold the same files.

macro_rules! template {
    ($name:literal) => {
        (
            $name,
            include_str!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/themes/default/templates/",
                $name
            )),
        )
    };
}

macro_rules! static_file {
    ($name:literal) => {
        (
            $name,
            include_bytes!(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/themes/default/static/",
                $name
            )) as &[u8],
        )
    };
}

/// Template name and text.
pub const TEMPLATES: &[(&str, &str)] = &[
    template!("404.html"),
    template!("alias.html"),
    template!("archive.html"),
    template!("atom.xml"),
    template!("base.html"),
    template!("comments.html"),
    template!("components.html"),
    template!("index.html"),
    template!("item.html"),
    template!("link.html"),
    template!("list.html"),
    template!("note.html"),
    template!("page.html"),
    template!("post.html"),
    template!("quote.html"),
    template!("robots.txt"),
    template!("rss.xml"),
    template!("search.html"),
    template!("series.html"),
    template!("sitemap.xml"),
    template!("terms.html"),
];

/// Static file path (in the output) and bytes.
pub const STATIC: &[(&str, &[u8])] = &[
    static_file!("comments.js"),
    static_file!("search.js"),
    static_file!("style.css"),
];

/// `theme.toml` of the default theme.
pub const THEME_TOML: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/themes/default/theme.toml"
));

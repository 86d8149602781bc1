//! Liquid in Jekyll posts: the tags and variables Jekyll ran on every
//! post before its Markdown, done once here.
//!
//! `{{ site.baseurl }}` is dropped (the build prefixes root-relative links
//! with a sub-folder site's path), `{{ site.url }}` becomes the site's
//! address, `relative_url`/`absolute_url` filters are applied,
//! `{% post_url %}` and `{% link %}` become the target's URL,
//! `{% highlight %}` a fenced code block, `{% raw %}` goes and keeps what
//! it encloses untouched. Anything else (`{% include %}`, a plugin's tag,
//! `{{ page.title }}`) is left visible and reported, since guessing what a
//! theme's include printed would be wrong.

use super::Links;
use crate::import::SiteSettings;

/// Converts the Liquid of one post.
pub fn convert(
    text: &str,
    links: &Links,
    settings: &SiteSettings,
    notes: &mut Vec<String>,
) -> String {
    let base = settings.base_url.clone().unwrap_or_default();
    let host = url::Url::parse(&base)
        .ok()
        .map(|u| format!("{}://{}", u.scheme(), u.host_str().unwrap_or("")))
        .unwrap_or_default();
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    loop {
        let next_tag = rest.find("{%");
        let next_var = rest.find("{{");
        let at = match (next_tag, next_var) {
            (Some(t), Some(v)) => t.min(v),
            (Some(t), None) => t,
            (None, Some(v)) => v,
            (None, None) => break,
        };
        out.push_str(&rest[..at]);
        let here = &rest[at..];
        if here.starts_with("{{") {
            let Some(end) = here.find("}}") else {
                out.push_str(here);
                rest = "";
                break;
            };
            let inner = here[2..end].trim();
            // `{{ site.url }}{{ site.baseurl }}` is the site's address.
            match variable(inner, &base, &host) {
                Some(value) => out.push_str(&value),
                None => {
                    notes.push(format!("Liquid `{{{{ {inner} }}}}` left as text"));
                    out.push_str(&here[..end + 2]);
                }
            }
            rest = &here[end + 2..];
            continue;
        }
        let Some(end) = here.find("%}") else {
            out.push_str(here);
            rest = "";
            break;
        };
        let inner = here[2..end]
            .trim()
            .trim_start_matches('-')
            .trim_end_matches('-')
            .trim();
        let after = &here[end + 2..];
        let (name, args) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
        let args = args.trim();
        match name {
            "raw" => {
                // Everything to `{% endraw %}` is kept exactly.
                match find_tag(after, "endraw") {
                    Some((start, close_end)) => {
                        out.push_str(&after[..start]);
                        rest = &after[close_end..];
                    }
                    None => {
                        out.push_str(after);
                        rest = "";
                    }
                }
            }
            "highlight" => {
                let mut words = args.split_whitespace();
                let lang = words.next().unwrap_or("");
                // Jekyll's `linenos` (and `hl_lines="2 3"`) become Zola's
                // fence options, which the build reads.
                let mut fence_options = String::new();
                let mut dropped = Vec::new();
                for option in words {
                    match option.split_once('=') {
                        None if option == "linenos" => fence_options.push_str(",linenos"),
                        Some(("hl_lines", v)) => fence_options
                            .push_str(&format!(",hl_lines={}", v.trim_matches(['"', '\'']))),
                        Some(("linenostart", v)) => {
                            fence_options.push_str(&format!(",linenostart={v}"))
                        }
                        _ => dropped.push(option),
                    }
                }
                if !dropped.is_empty() {
                    notes.push(format!(
                        "{{% highlight {lang} {} %}}: the options were dropped",
                        dropped.join(" ")
                    ));
                }
                let lang = format!("{lang}{fence_options}");
                let lang = lang.as_str();
                let (code, next) = match find_tag(after, "endhighlight") {
                    Some((start, close_end)) => (&after[..start], &after[close_end..]),
                    None => (after, ""),
                };
                let code = code.strip_prefix('\n').unwrap_or(code);
                let fence = if code.contains("```") { "~~~~" } else { "```" };
                if !out.is_empty() && !out.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(&format!(
                    "{fence}{lang}\n{}",
                    code.trim_end_matches([' ', '\t'])
                ));
                if !code.ends_with('\n') {
                    out.push('\n');
                }
                out.push_str(fence);
                rest = next;
            }
            "post_url" | "link" => {
                let target = args.trim_matches(['"', '\'']);
                match links.find(target, &["_posts"]) {
                    Some(url) => out.push_str(&url),
                    None => {
                        notes.push(format!(
                            "`{{% {name} {target} %}}` names no post of the site: left as text"
                        ));
                        out.push_str(&here[..end + 2]);
                    }
                }
                rest = after;
            }
            "endraw" | "endhighlight" => {
                rest = after;
            }
            // The popular embed plugins (jekyll-youtube, jekyll-vimeo):
            // a link to what they embedded.
            "youtube" | "vimeo" if !args.is_empty() => {
                let id = args
                    .split_whitespace()
                    .next()
                    .unwrap_or("")
                    .trim_matches(['"', '\'']);
                let url = if id.starts_with("http") {
                    id.to_string()
                } else if name == "youtube" {
                    format!("https://www.youtube.com/watch?v={id}")
                } else {
                    format!("https://vimeo.com/{id}")
                };
                out.push_str(&format!("<{url}>"));
                rest = after;
            }
            _ => {
                notes.push(format!("Liquid `{{% {name} %}}` left as text"));
                out.push_str(&here[..end + 2]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    notes.sort();
    notes.dedup();
    out
}

/// Finds `{% name %}` (any spacing): (its start, the end of the tag).
fn find_tag(text: &str, name: &str) -> Option<(usize, usize)> {
    let mut from = 0;
    while let Some(i) = text[from..].find("{%") {
        let start = from + i;
        let end = text[start..].find("%}")? + start;
        let inner = text[start + 2..end].trim().trim_matches('-').trim();
        if inner == name {
            return Some((start, end + 2));
        }
        from = end + 2;
    }
    None
}

/// The value of `{{ ... }}` when it is one of the site's addresses.
fn variable(inner: &str, base: &str, host: &str) -> Option<String> {
    let base_path = base.strip_prefix(host).unwrap_or("");
    let compact: String = inner.split_whitespace().collect::<Vec<_>>().join(" ");
    match compact.as_str() {
        "site.baseurl" | "site.base_url" => return Some(String::new()),
        "site.url" => return Some(host.to_string()),
        "site.baseurl | prepend: site.url" | "site.url | append: site.baseurl" => {
            return Some(base.to_string());
        }
        _ => {}
    }
    // `"/path" | relative_url` and `| absolute_url`.
    let (value, filter) = compact.split_once('|')?;
    let value = value.trim().trim_matches(['"', '\'']);
    let path = if value.starts_with('/') {
        value.to_string()
    } else {
        format!("/{value}")
    };
    match filter.trim() {
        "relative_url" => Some(path),
        "absolute_url" => Some(format!("{host}{base_path}{path}")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::PathBuf;

    fn links() -> Links {
        let doc = |rel: &str, url: &str| super::super::Doc {
            rel: PathBuf::from(rel),
            is_post: true,
            draft: false,
            fm: toml::Table::new(),
            body: String::new(),
            body_line: 1,
            is_html: false,
            date: None,
            old_url: url.into(),
            out: String::new(),
            assets: Vec::new(),
            extra_categories: Vec::new(),
        };
        Links::new(&[
            doc("_posts/2010-07-21-name.md", "/2010/07/21/name/"),
            doc("about.md", "/about/"),
        ])
    }

    fn settings() -> SiteSettings {
        SiteSettings {
            base_url: Some("https://e.example/blog".into()),
            ..SiteSettings::default()
        }
    }

    #[test]
    fn site_addresses_and_links() {
        let mut notes = Vec::new();
        let out = convert(
            "[a]({{ site.baseurl }}/x/) ![i]({{site.url}}{{site.baseurl}}/i.png) [p]({% post_url 2010-07-21-name %}) [l]({% link about.md %}) [r]({{ '/y/' | relative_url }}) [s]({{ \"z\" | absolute_url }})",
            &links(),
            &settings(),
            &mut notes,
        );
        assert_eq!(
            out,
            "[a](/x/) ![i](https://e.example/i.png) [p](/2010/07/21/name/) [l](/about/) [r](/y/) [s](https://e.example/blog/z)"
        );
        assert!(notes.is_empty(), "{notes:?}");
    }

    #[test]
    fn highlight_raw_and_unknown_tags() {
        let mut notes = Vec::new();
        let out = convert(
            "Code:\n\n{% highlight rust linenos %}\nfn main() {}\n{% endhighlight %}\n\n{% raw %}{{ not liquid }}{% endraw %}\n\n{% include note.html %} {{ page.title }}\n",
            &links(),
            &settings(),
            &mut notes,
        );
        assert!(out.contains("```rust,linenos\nfn main() {}\n```"), "{out}");
        assert!(out.contains("{{ not liquid }}"), "{out}");
        assert!(!out.contains("raw %}"), "{out}");
        assert!(
            out.contains("{% include note.html %} {{ page.title }}"),
            "{out}"
        );
        assert_eq!(notes.len(), 2, "{notes:?}");
    }
}

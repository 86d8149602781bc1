//! Hugo's and Zola's shortcodes and internal links in content.
//!
//! Hugo: `ref`/`relref` become the target's URL, `figure` a `<figure>`,
//! `highlight` a fenced code block, `youtube`, `vimeo`, `gist`, `tweet`
//! and `instagram` a link to what they embedded; `{{</* x */>}}` (an
//! escaped shortcode) the text it showed. Zola: `@/section/page.md` links
//! become URLs. Every other shortcode was a theme's template, so it is
//! left visible and reported rather than guessed at.

use super::Links;
use crate::markdown::{escape_attr, escape_text};

/// A parsed Hugo shortcode's arguments: positional ones under their
/// index.
fn hugo_args(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = text.trim();
    let mut position = 0;
    while !rest.is_empty() {
        let quoted = rest.starts_with(['"', '`']);
        let (token, after) = take_value(rest);
        let after = after.trim_start();
        if let Some(value_part) = after.strip_prefix('=') {
            let (value, after) = take_value(value_part.trim_start());
            out.push((token, value));
            rest = after.trim_start();
        } else if let Some((name, value)) = token.split_once('=').filter(|_| !quoted) {
            out.push((name.to_string(), value.trim_matches(['"', '`']).to_string()));
            rest = after;
        } else {
            out.push((position.to_string(), token));
            position += 1;
            rest = after;
        }
    }
    out
}

/// One value: a "quoted", `raw`, or bare token.
fn take_value(text: &str) -> (String, &str) {
    let mut chars = text.char_indices();
    match chars.next() {
        Some((_, q @ ('"' | '`'))) => {
            let body = &text[1..];
            match body.find(q) {
                Some(end) => (body[..end].to_string(), &body[end + 1..]),
                None => (body.to_string(), ""),
            }
        }
        Some(_) => {
            let end = text
                .find(|c: char| c.is_whitespace() || c == '=')
                .unwrap_or(text.len());
            let end = if end == 0 { text.len() } else { end };
            (text[..end].to_string(), &text[end..])
        }
        None => (String::new(), ""),
    }
}

fn arg<'a>(args: &'a [(String, String)], names: &[&str]) -> Option<&'a str> {
    names
        .iter()
        .find_map(|n| args.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str()))
        .filter(|v| !v.is_empty())
}

fn link(url: &str) -> String {
    format!("<a href=\"{}\">{}</a>", escape_attr(url), escape_text(url))
}

/// Converts Hugo shortcodes.
pub fn convert_hugo(text: &str, links: &Links, notes: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("{{") {
        out.push_str(&rest[..at]);
        let here = &rest[at..];
        let (open, close) = if here.starts_with("{{<") {
            ("{{<", ">}}")
        } else if here.starts_with("{{%") {
            ("{{%", "%}}")
        } else {
            out.push_str("{{");
            rest = &here[2..];
            continue;
        };
        let Some(end) = here.find(close) else {
            out.push_str(here);
            rest = "";
            break;
        };
        let inner = here[open.len()..end].trim();
        let after = &here[end + close.len()..];
        // `{{</* figure */>}}` shows the shortcode itself.
        if let Some(shown) = inner.strip_prefix("/*").and_then(|i| i.strip_suffix("*/")) {
            out.push_str(&format!("{open} {} {close}", shown.trim()));
            rest = after;
            continue;
        }
        if inner.starts_with('/') {
            // A stray closing tag.
            rest = after;
            continue;
        }
        let self_closing = inner.ends_with('/');
        let inner = inner.trim_end_matches('/').trim();
        let (name, args_text) = inner.split_once(char::is_whitespace).unwrap_or((inner, ""));
        let args = hugo_args(args_text);
        // The closing tag, for shortcodes with a body.
        let closing = |after: &'_ str| -> Option<(usize, usize)> {
            for (o, c) in [("{{<", ">}}"), ("{{%", "%}}")] {
                let mut from = 0;
                while let Some(i) = after[from..].find(o) {
                    let s = from + i;
                    let e = after[s..].find(c)? + s;
                    if after[s + o.len()..e].trim().trim_start_matches('/').trim() == name
                        && after[s + o.len()..e].trim().starts_with('/')
                    {
                        return Some((s, e + c.len()));
                    }
                    from = e + c.len();
                }
            }
            None
        };
        let converted: Option<(String, &str)> = match name {
            "ref" | "relref" => {
                let target = arg(&args, &["0", "path"]).unwrap_or("");
                match links.find(target, &["content"]) {
                    Some(url) => Some((url, after)),
                    None => {
                        notes.push(format!("`{{{{< {name} \"{target}\" >}}}}` names no page of the site: left as text"));
                        None
                    }
                }
            }
            "figure" => {
                let src = arg(&args, &["src", "0"]).unwrap_or("");
                let alt = arg(&args, &["alt"])
                    .or(arg(&args, &["caption"]))
                    .unwrap_or("");
                let mut html = String::from("<figure>");
                let img = format!(
                    "<img src=\"{}\" alt=\"{}\">",
                    escape_attr(src),
                    escape_attr(alt)
                );
                match arg(&args, &["link"]) {
                    Some(l) => html.push_str(&format!("<a href=\"{}\">{img}</a>", escape_attr(l))),
                    None => html.push_str(&img),
                }
                let title = arg(&args, &["title"]);
                let caption = arg(&args, &["caption"]);
                if title.is_some() || caption.is_some() {
                    html.push_str("<figcaption>");
                    if let Some(t) = title {
                        html.push_str(&format!("<strong>{}</strong>", escape_text(t)));
                        if caption.is_some() {
                            html.push(' ');
                        }
                    }
                    if let Some(c) = caption {
                        html.push_str(&escape_text(c));
                    }
                    html.push_str("</figcaption>");
                }
                html.push_str("</figure>");
                Some((html, after))
            }
            "highlight" => {
                let lang_only = arg(&args, &["0"]).unwrap_or("");
                let mut lang = lang_only.to_string();
                // Hugo's `linenos=table,hl_lines=2 3-4,linenostart=5`
                // become Zola's fence options, which the build reads.
                if let Some(options) = arg(&args, &["1"]) {
                    let mut dropped = Vec::new();
                    for option in options.split(',').map(str::trim) {
                        match option.split_once('=') {
                            Some(("linenos", v)) if v != "false" => lang.push_str(",linenos"),
                            Some(("linenos", _)) => {}
                            Some(("hl_lines", v)) => lang.push_str(&format!(
                                ",hl_lines={}",
                                v.trim_matches(['[', ']']).replace(['"', ','], " ").trim()
                            )),
                            Some(("linenostart", v)) => lang.push_str(&format!(",linenostart={v}")),
                            _ if option.is_empty() => {}
                            _ => dropped.push(option),
                        }
                    }
                    if !dropped.is_empty() {
                        notes.push(format!(
                            "{{{{< highlight {lang_only} \"{}\" >}}}}: the options were dropped",
                            dropped.join(",")
                        ));
                    }
                }
                match closing(after) {
                    Some((start, close_end)) => {
                        let code = after[..start].trim_matches('\n');
                        let fence = if code.contains("```") { "~~~~" } else { "```" };
                        Some((
                            format!("{fence}{lang}\n{code}\n{fence}"),
                            &after[close_end..],
                        ))
                    }
                    None => None,
                }
            }
            "youtube" => arg(&args, &["id", "0"]).map(|id| {
                (
                    link(&format!("https://www.youtube.com/watch?v={id}")),
                    after,
                )
            }),
            "vimeo" => {
                arg(&args, &["id", "0"]).map(|id| (link(&format!("https://vimeo.com/{id}")), after))
            }
            "gist" => match (arg(&args, &["0"]), arg(&args, &["1"])) {
                (Some(user), Some(id)) => {
                    Some((link(&format!("https://gist.github.com/{user}/{id}")), after))
                }
                _ => None,
            },
            "tweet" | "x" => {
                let user = arg(&args, &["user", "0"]);
                let id = arg(&args, &["id", "1"])
                    .or_else(|| user.filter(|u| u.chars().all(|c| c.is_ascii_digit())));
                match (user, id) {
                    (Some(u), Some(id)) if u != id => {
                        Some((link(&format!("https://twitter.com/{u}/status/{id}")), after))
                    }
                    (_, Some(id)) => {
                        Some((link(&format!("https://twitter.com/i/status/{id}")), after))
                    }
                    _ => None,
                }
            }
            "instagram" => arg(&args, &["id", "0"])
                .map(|id| (link(&format!("https://www.instagram.com/p/{id}/")), after)),
            // A custom shortcode so common in old sites that its meaning is
            // plain: the site's address, which the build prefixes itself.
            "baseurl" | "baseURL" => Some((String::new(), after)),
            _ => None,
        };
        match converted {
            Some((html, next)) => {
                out.push_str(&html);
                rest = next;
            }
            None => {
                if !matches!(name, "ref" | "relref") {
                    notes.push(format!("shortcode `{name}` left as text"));
                }
                let _ = self_closing;
                out.push_str(&here[..end + close.len()]);
                rest = after;
            }
        }
    }
    out.push_str(rest);
    notes.sort();
    notes.dedup();
    out
}

/// Converts Zola's `@/` links and reports its shortcodes.
pub fn convert_zola(text: &str, links: &Links, notes: &mut Vec<String>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("@/") {
        let before = &rest[..at];
        // A link destination: `(@/x.md)` or `]: @/x.md`.
        let is_destination =
            before.ends_with('(') || before.trim_end().ends_with("]:") || before.ends_with('"');
        out.push_str(before);
        let here = &rest[at..];
        let end = here
            .find(|c: char| c == ')' || c == '"' || c.is_whitespace())
            .unwrap_or(here.len());
        let target = &here[2..end];
        match (is_destination, links.find(target, &["content"])) {
            (true, Some(url)) => out.push_str(&url),
            (true, None) => {
                notes.push(format!(
                    "the link @/{target} names no page of the site: left as it was"
                ));
                out.push_str(&here[..end]);
            }
            (false, _) => out.push_str(&here[..end]),
        }
        rest = &here[end..];
    }
    out.push_str(rest);
    // Shortcode calls: `{{ name(...) }}` and `{% name(...) %}`.
    for (open, close) in [("{{", "}}"), ("{%", "%}")] {
        let mut from = 0;
        while let Some(i) = out[from..].find(open) {
            let s = from + i + open.len();
            let Some(e) = out[s..].find(close) else { break };
            let inner = out[s..s + e].trim();
            if let Some(paren) = inner.find('(') {
                let name = inner[..paren].trim();
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    notes.push(format!("shortcode `{name}` left as text"));
                }
            }
            from = s + e + close.len();
        }
    }
    notes.sort();
    notes.dedup();
    out
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
            doc("content/posts/legacy.md", "/2014/09/legacy-url.html"),
            doc("content/blog/second.md", "/blog/custom-slug/"),
            doc("content/posts/trip/index.md", "/2019/trip/"),
        ])
    }

    #[test]
    fn hugo_shortcodes() {
        let mut notes = Vec::new();
        let out = convert_hugo(
            "[a]({{< ref \"legacy.md\" >}}) [b]({{< relref \"/posts/trip#day-2\" >}})\n{{< figure src=\"/i.png\" caption=\"The quay\" alt=\"quay\" >}}\n{{< youtube w7Ft2ymGmfc >}} {{< gist spf13 7896402 >}} {{< tweet user=\"SanDiegoZoo\" id=\"1453110110599868418\" >}}\n{{< highlight go \"linenos=table,hl_lines=2 4-5,style=monokai\" >}}\nfmt.Println()\n{{< /highlight >}}\n{{< baseurl >}}/x {{</* figure src=\"y\" */>}} {{< embed \"z\" >}} {{% notice %}}hi{{% /notice %}}",
            &links(),
            &mut notes,
        );
        assert!(
            out.contains("[a](/2014/09/legacy-url.html) [b](/2019/trip/#day-2)"),
            "{out}"
        );
        assert!(out.contains("<figure><img src=\"/i.png\" alt=\"quay\"><figcaption>The quay</figcaption></figure>"), "{out}");
        assert!(
            out.contains("https://www.youtube.com/watch?v=w7Ft2ymGmfc"),
            "{out}"
        );
        assert!(
            out.contains("https://gist.github.com/spf13/7896402"),
            "{out}"
        );
        assert!(
            out.contains("https://twitter.com/SanDiegoZoo/status/1453110110599868418"),
            "{out}"
        );
        assert!(
            out.contains("```go,linenos,hl_lines=2 4-5\nfmt.Println()\n```"),
            "{out}"
        );
        assert!(out.contains("\n/x {{< figure src=\"y\" >}}"), "{out}");
        assert!(
            out.contains("{{< embed \"z\" >}}") && out.contains("{{% notice %}}"),
            "{out}"
        );
        assert_eq!(notes.len(), 3, "{notes:?}");
    }

    #[test]
    fn zola_links_and_shortcodes() {
        let mut notes = Vec::new();
        let out = convert_zola(
            "See [two](@/blog/second.md#more) and [ref]: nothing.\n\n[r]: @/posts/legacy.md\n\n{{ youtube(id=\"x\") }} and `@/not/a/link` and {% note(kind=\"a\") %}x{% end %}",
            &links(),
            &mut notes,
        );
        assert!(out.contains("[two](/blog/custom-slug/#more)"), "{out}");
        assert!(out.contains("[r]: /2014/09/legacy-url.html"), "{out}");
        assert!(out.contains("`@/not/a/link`"), "{out}");
        assert_eq!(
            notes,
            [
                "shortcode `note` left as text",
                "shortcode `youtube` left as text"
            ]
        );
    }
}

use super::*;

use std::collections::BTreeMap;

use crate::content::Source;

fn no_sources() -> &'static BTreeMap<String, Source> {
    static EMPTY: std::sync::OnceLock<BTreeMap<String, Source>> = std::sync::OnceLock::new();
    EMPTY.get_or_init(BTreeMap::new)
}

static UTC: jiff::tz::TimeZone = jiff::tz::TimeZone::UTC;

fn ctx(page_path: &str, whole_summary: bool) -> RenderContext<'_> {
    RenderContext {
        page_path,
        base_path: "",
        whole_summary,
        commentary: CommentaryContext {
            sources: no_sources(),
            timezone: &UTC,
        },
    }
}

fn md(text: &str) -> Rendered {
    render(text, &ctx("/2009/03/03/post/", false)).0
}

#[test]
fn short_kinds_use_the_whole_body_as_summary() {
    let (r, _) = render(
        "> A quote.

A remark.[^1]

[^1]: note
",
        &ctx("/p/", true),
    );
    assert_eq!(
        r.summary_html,
        "<blockquote>\n<p>A quote.</p>\n</blockquote>\n<p>A remark.</p>\n"
    );
    assert!(!r.has_more);
}

#[test]
fn gfm_extensions_render() {
    let r = md("| a | b |\n|---|---|\n| 1 | 2 |\n\n~~gone~~\n\n- [x] done\n- [ ] todo\n");
    insta::assert_snapshot!(r.html);
}

#[test]
fn smart_punctuation() {
    let r = md("\"Quoted\" -- and --- it's done...");
    assert_eq!(r.html, "<p>“Quoted” – and — it’s done…</p>\n");
}

#[test]
fn headings_get_unique_ids_and_self_links() {
    let r = md("# Intro\n\n## Intro\n\n## Custom {#mine}\n\n## A [link](https://e.example)\n");
    insta::assert_snapshot!(r.html);
    let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, vec!["intro", "intro-1", "mine", "a-link"]);
}

#[test]
fn footnotes_render_and_stay_out_of_summaries() {
    let r = md("A claim.[^1]\n\nMore.\n\n[^1]: The source.\n");
    insta::assert_snapshot!(r.html);
    assert_eq!(r.summary_html, "<p>A claim.</p>\n");
}

#[test]
fn summary_is_the_first_paragraph_without_a_cut() {
    let r = md("# Title\n\nFirst paragraph.\n\nSecond.\n");
    assert_eq!(r.summary_html, "<p>First paragraph.</p>\n");
    assert_eq!(r.summary_text, "First paragraph.");
    assert!(r.has_more);

    let r = md("Only paragraph.\n");
    assert!(!r.has_more);
}

#[test]
fn more_marker_cuts_the_summary_and_leaves_no_trace() {
    let r = md("One.\n\nTwo.\n\n<!-- more -->\n\nThree.\n");
    assert_eq!(r.summary_html, "<p>One.</p>\n<p>Two.</p>\n");
    assert!(r.has_more);
    assert!(!r.html.contains("more -->"), "{}", r.html);
    assert!(r.html.contains("Three."));
}

#[test]
fn relative_urls_resolve_against_the_page() {
    let r = md(
        "![a photo](photo.jpg) [next](../other/) [abs](/x/) [ext](https://e.example/) [frag](#n)\n",
    );
    assert!(
        r.html.contains("src=\"/2009/03/03/post/photo.jpg\""),
        "{}",
        r.html
    );
    assert!(r.html.contains("href=\"/2009/03/03/post/../other/\""));
    assert!(r.html.contains("href=\"/x/\""));
    assert!(r.html.contains("href=\"https://e.example/\""));
    assert!(r.html.contains("href=\"#n\""), "fragments stay on the page");
    assert!(
        r.summary_html.contains("href=\"/2009/03/03/post/#n\""),
        "but point home from lists"
    );
}

#[test]
fn words_are_counted_and_quoted_words_apart() {
    let r = md("one two three\n\n> four five\n\n```\nnot counted\n```\n");
    assert_eq!((r.words, r.quoted_words), (5, 2));
}

#[test]
fn relative_url_detection() {
    for (url, relative) in [
        ("photo.jpg", true),
        ("./a/b.png", true),
        ("../x/", true),
        ("/abs", false),
        ("#frag", false),
        ("https://e.example", false),
        ("mailto:a@e.example", false),
        ("", false),
    ] {
        assert_eq!(is_relative_url(url), relative, "{url}");
    }
}

fn with_sources(text: &str) -> (Rendered, Vec<MarkdownProblem>) {
    let mut sources = BTreeMap::new();
    sources.insert(
        "nyt".to_string(),
        Source {
            id: "nyt".into(),
            publication: Some("The Paper".into()),
            author: Some("A. Reporter".into()),
            url: Some("https://paper.example/story".into()),
            ..Source::default()
        },
    );
    sources.insert(
        "nourl".to_string(),
        Source {
            id: "nourl".into(),
            publication: Some("A Pamphlet".into()),
            ..Source::default()
        },
    );
    let tz = jiff::tz::TimeZone::get("America/New_York").unwrap();
    let ctx = RenderContext {
        page_path: "/p/",
        base_path: "",
        whole_summary: false,
        commentary: CommentaryContext {
            sources: &sources,
            timezone: &tz,
        },
    };
    let (r, p) = render(text, &ctx);
    (r, p)
}

#[test]
fn attribution_forms() {
    for (name, text) in [
        ("declared", "> Quoted.\n>\n> — [nyt]\n"),
        ("double_hyphen", "> Quoted.\n>\n> -- [nyt]\n"),
        (
            "inline_with_link",
            "> Quoted.\n>\n> — A. Person, [The Journal](https://j.example/a)\n",
        ),
        ("inline_name_only", "> Quoted.\n>\n> — A. Person\n"),
        (
            "inline_link_only",
            "> Quoted.\n>\n> — [The Journal](https://j.example/a)\n",
        ),
        ("declared_without_url", "> Quoted.\n>\n> — [nourl]\n"),
        (
            "nested_inner_attributed",
            "> Outer.\n>\n> > Inner.\n> >\n> > — [nyt]\n",
        ),
    ] {
        let (r, problems) = with_sources(text);
        assert!(problems.is_empty(), "{name}: {problems:?}");
        insta::assert_snapshot!(format!("attribution_{name}"), r.html);
    }
}

#[test]
fn attribution_only_and_plain_quotes_stay_blockquotes() {
    for text in [
        "> — [nyt]\n",
        "> Just quoted.\n",
        "> Quoted.\n>\n> And more — not a credit.\n",
    ] {
        let (r, _) = with_sources(text);
        assert!(r.html.starts_with("<blockquote>"), "{text:?} -> {}", r.html);
        assert!(r.commentary.quotes.is_empty());
    }
}

#[test]
fn source_references_link_and_are_counted_as_used() {
    let (r, _) = with_sources("As [nyt] reported, and [nourl] too, but [unknown] is text.\n");
    assert_eq!(
        r.html,
        "<p>As <a href=\"https://paper.example/story\">nyt</a> reported, and nourl too, but [unknown] is text.</p>\n"
    );
    let used: Vec<&str> = r
        .commentary
        .sources_used
        .iter()
        .map(String::as_str)
        .collect();
    assert_eq!(used, ["nourl", "nyt"]);
}

#[test]
fn unknown_source_in_an_attribution_is_noted() {
    let (r, _) = with_sources("> Quoted.\n>\n> — [nty]\n");
    assert_eq!(r.commentary.unknown_sources, [("nty".to_string(), 14)]);
}

#[test]
fn update_forms() {
    for (name, text) in [
        ("inline", "Before [UPDATE: after] end.\n"),
        (
            "inline_timed",
            "Before [UPDATE 2009-03-03 14:10: after] end.\n",
        ),
        (
            "inline_with_markup",
            "Before [UPDATE: **bold** and [a link](https://e.example/)] end.\n",
        ),
        ("block", "**UPDATE:** the whole paragraph.\n"),
        (
            "block_timed",
            "**UPDATE 2009-03-03 14:10:** the whole paragraph.\n",
        ),
    ] {
        let (r, problems) = with_sources(text);
        assert!(problems.is_empty(), "{name}: {problems:?}");
        insta::assert_snapshot!(format!("update_{name}"), r.html);
    }
}

#[test]
fn updates_in_code_are_left_alone() {
    let (r, _) = with_sources("`[UPDATE: no]`\n\n```\n[UPDATE: no]\n```\n");
    assert!(!r.html.contains("<ins"), "{}", r.html);
}

#[test]
fn a_bad_update_time_is_an_error_at_its_offset() {
    let (_, problems) = with_sources("Line one.\n\nText [UPDATE 2009-02-30 10:00: x].\n");
    assert_eq!(problems.len(), 1);
    assert!(
        problems[0].message.contains("2009-02-30"),
        "{:?}",
        problems[0]
    );
    assert_eq!(
        crate::diagnostic::line_col(
            "Line one.\n\nText [UPDATE 2009-02-30 10:00: x].\n",
            problems[0].offset
        )
        .0,
        3
    );
}

#[test]
fn word_runs_count_tokens_with_letters_or_digits() {
    assert_eq!(count_run("one two — three. 4 ..."), 4);
    assert_eq!(count_run("  café  naïve  "), 2);
    assert_eq!(count_run(""), 0);
}

#[test]
fn more_marker_forms() {
    for html in ["<!-- more -->", "<!--more-->", "<!--  MORE  -->\n"] {
        assert!(is_more_marker(&Event::Html(html.into())), "{html}");
    }
    for html in ["<!-- more than this -->", "<!-- mor -->", "<p>more</p>"] {
        assert!(!is_more_marker(&Event::Html(html.into())), "{html}");
    }
}

#[test]
fn root_relative_links_get_the_sub_folder_prefix() {
    let ctx = RenderContext {
        page_path: "/blog-name/2009/03/03/post/",
        base_path: "/blog-name",
        whole_summary: false,
        commentary: CommentaryContext {
            sources: no_sources(),
            timezone: &UTC,
        },
    };
    let (r, _) = render(
        "[a](/2009/01/01/a/) ![i](/img/x.png) [done](/blog-name/b/) [ext](https://e.example/x) [rel](photo.jpg) [proto](//cdn.example/x)\n\n<a href=\"/raw/\">raw</a> <img src=\"/img/raw.png\" alt=\"\">\n\n<div><a href='/block/'>b</a></div>\n",
        &ctx,
    );
    for want in [
        "href=\"/blog-name/2009/01/01/a/\"",
        "src=\"/blog-name/img/x.png\"",
        "href=\"/blog-name/b/\"",
        "href=\"https://e.example/x\"",
        "href=\"/blog-name/2009/03/03/post/photo.jpg\"",
        "href=\"//cdn.example/x\"",
        "href=\"/blog-name/raw/\"",
        "src=\"/blog-name/img/raw.png\"",
        "/blog-name/block/",
    ] {
        assert!(r.html.contains(want), "{want} not in {}", r.html);
    }
    assert!(!r.html.contains("/blog-name/blog-name/"), "{}", r.html);
}

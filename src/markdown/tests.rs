use super::*;

fn md(text: &str) -> Rendered {
    render(
        text,
        &RenderContext {
            page_path: "/2009/03/03/post/",
            whole_summary: false,
        },
    )
    .0
}

#[test]
fn short_kinds_use_the_whole_body_as_summary() {
    let ctx = RenderContext {
        page_path: "/p/",
        whole_summary: true,
    };
    let (r, _) = render(
        "> A quote.

A remark.[^1]

[^1]: note
",
        &ctx,
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

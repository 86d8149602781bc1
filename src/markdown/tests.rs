use super::*;

use crate::markdown::{Source, Sources};

fn no_sources() -> &'static Sources {
    static EMPTY: std::sync::OnceLock<Sources> = std::sync::OnceLock::new();
    EMPTY.get_or_init(Sources::new)
}

static UTC: jiff::tz::TimeZone = jiff::tz::TimeZone::UTC;

fn ctx(page_path: &str, whole_summary: bool) -> RenderContext<'_> {
    RenderContext {
        page_path,
        base_path: "",
        highlight: true,
        whole_summary,
        commentary: CommentaryContext {
            sources: no_sources(),
            timezone: &UTC,
            day: None,
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
    assert!(!r.html.get().contains("more -->"), "{}", r.html);
    assert!(r.html.get().contains("Three."));
}

#[test]
fn relative_urls_resolve_against_the_page() {
    let r = md(
        "![a photo](photo.jpg) [next](../other/) [abs](/x/) [ext](https://e.example/) [frag](#n)\n",
    );
    assert!(
        r.html.get().contains("src=\"/2009/03/03/post/photo.jpg\""),
        "{}",
        r.html
    );
    assert!(r.html.get().contains("href=\"/2009/03/03/post/../other/\""));
    assert!(r.html.get().contains("href=\"/x/\""));
    assert!(r.html.get().contains("href=\"https://e.example/\""));
    assert!(
        r.html.get().contains("href=\"#n\""),
        "fragments stay on the page"
    );
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
    let mut sources = Sources::new();
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
        highlight: true,
        whole_summary: false,
        commentary: CommentaryContext {
            sources: &sources,
            timezone: &tz,
            day: None,
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
        assert!(
            r.html.get().starts_with("<blockquote>"),
            "{text:?} -> {}",
            r.html
        );
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
    assert!(!r.html.get().contains("<ins"), "{}", r.html);
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
        highlight: true,
        whole_summary: false,
        commentary: CommentaryContext {
            sources: no_sources(),
            timezone: &UTC,
            day: None,
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
        assert!(r.html.get().contains(want), "{want} not in {}", r.html);
    }
    assert!(
        !r.html.get().contains("/blog-name/blog-name/"),
        "{}",
        r.html
    );
}

/// One small program per language, highlighted: the snapshots show which
/// tokens each grammar marks.
#[test]
fn code_is_highlighted_in_many_languages() {
    let samples = [
        (
            "rust",
            "fn main() {\n    let n: u32 = 42; // answer\n    println!(\"{n}\");\n}\n",
        ),
        (
            "c",
            "#include <stdio.h>\nint main(void) { return printf(\"%d\\n\", 1); }\n",
        ),
        (
            "cpp",
            "template <typename T> T twice(T x) { return x * 2; }\n",
        ),
        (
            "csharp",
            "public class Quote { public string Text { get; set; } = \"\"; }\n",
        ),
        (
            "go",
            "package main\n\nfunc main() { fmt.Println(\"hi\") }\n",
        ),
        ("java", "class A { static int n = 3; }\n"),
        ("js", "const add = (a, b) => a + b; // sum\n"),
        (
            "typescript",
            "interface Post { title: string; date: Date }\n",
        ),
        (
            "python",
            "def cite(source: str) -> str:\n    return f\"— {source}\"  # dash\n",
        ),
        ("ruby", "def hello(name) = puts \"hi #{name}\"\n"),
        ("php", "<?php echo strtoupper($title); ?>\n"),
        ("bash", "for f in *.md; do echo \"$f\"; done\n"),
        ("sql", "SELECT title FROM posts WHERE year = 2009;\n"),
        ("html", "<p class=\"lead\">Hello</p>\n"),
        ("css", ".quote { color: #333; margin: 0 1em; }\n"),
        ("json", "{\"title\": \"x\", \"n\": 1, \"ok\": true}\n"),
        ("yaml", "title: Hello\ntags: [a, b]\n"),
        ("toml", "[markdown]\nhighlight_code = true\n"),
        ("diff", "--- a\n+++ b\n-old line\n+new line\n"),
        ("markdown", "# Title\n\n*emphasis* and [a link](/x/)\n"),
    ];
    let mut all = String::new();
    for (lang, code) in samples {
        let html = md(&format!("```{lang}\n{code}```\n")).html.get();
        assert!(
            html.contains("class=\"hl-"),
            "{lang} was not highlighted: {html}"
        );
        all.push_str(&format!("== {lang}\n{html}\n"));
    }
    insta::assert_snapshot!(all);
}

#[test]
fn plain_languages_render_as_text_without_a_warning() {
    for lang in ["", "text", "plain", "console", "output"] {
        let text = format!("```{lang}\n$ ls <dir>\n```\n");
        let (r, p) = render(&text, &ctx("/p/", false));
        assert!(!r.html.get().contains("hl-"), "{lang}: {}", r.html);
        assert!(
            r.html.get().contains("$ ls &lt;dir&gt;"),
            "{lang}: {}",
            r.html
        );
        assert!(p.is_empty(), "{lang}: {p:?}");
    }
}

#[test]
fn an_unknown_language_falls_back_to_text_with_a_warning() {
    let text = "Intro.\n\n```klingon\nQapla'\n```\n";
    let (r, p) = render(text, &ctx("/p/", false));
    assert!(
        r.html
            .get()
            .contains("<code class=\"language-klingon\">Qapla'"),
        "{}",
        r.html
    );
    assert_eq!(p.len(), 1);
    assert!(p[0].warning);
    assert_eq!(p[0].offset, text.find("```").unwrap());
    assert!(p[0].message.contains("`klingon`"), "{}", p[0].message);
}

#[test]
fn highlighting_can_be_turned_off() {
    let mut c = ctx("/p/", false);
    c.highlight = false;
    let (r, p) = render("```rust\nfn main() {}\n```\n", &c);
    assert!(!r.html.get().contains("hl-"));
    assert!(r.html.get().contains("language-rust"));
    assert!(p.is_empty());
}

#[test]
fn line_numbers_and_marked_lines() {
    let r = md("```rust,linenos,hl_lines=2\nlet a = 1;\nlet b = 2;\n```\n");
    assert!(
        r.html
            .get()
            .contains("<code class=\"language-rust linenos\">"),
        "{}",
        r.html
    );
    assert_eq!(
        r.html.get().matches("<span class=\"line\">").count(),
        1,
        "{}",
        r.html
    );
    assert_eq!(
        r.html.get().matches("<span class=\"line hl\">").count(),
        1,
        "{}",
        r.html
    );
}

#[test]
fn email_autolinks_are_not_resolved_as_paths() {
    let r = md("Write to <security@example.org>.\n");
    assert!(
        r.html
            .get()
            .contains("href=\"mailto:security@example.org\""),
        "{}",
        r.html
    );
    assert_eq!(r.links[0].url, "mailto:security@example.org");
}

#[test]
fn footnotes_that_cite_each_other_link_to_real_ids() {
    let r = md("Text.[^a]\n\n[^a]: See[^b].\n[^b]: See[^a].\n");
    assert!(!r.html.get().contains("href=\"#a\""), "{}", r.html);
    assert!(!r.html.get().contains("href=\"#b\""), "{}", r.html);
    for (i, _) in r.html.get().match_indices("href=\"#") {
        let html = r.html.get();
        let id = &html[i + 7..];
        let id = &id[..id.find('"').unwrap()];
        assert!(
            r.html.get().contains(&format!("id=\"{id}\"")),
            "#{id} has no element: {}",
            r.html
        );
    }
    assert!(r.html.get().contains("<li id=\"fn-2\">"), "{}", r.html);
}

#[test]
fn heading_ids_from_text_step_aside_for_written_and_theme_ids() {
    let r = md("## Intro\n\n## Other {#intro}\n\n## Comments\n\n## Main\n");
    let ids: Vec<&str> = r.headings.iter().map(|h| h.id.as_str()).collect();
    assert_eq!(ids, ["intro-1", "intro", "comments-1", "main-1"]);
    // Written ids are kept, even where the theme has one (check says so).
    let r = md("## Notes {#comments}\n");
    assert_eq!(r.headings[0].id, "comments");
    assert!(r.headings[0].explicit);
    assert_eq!((r.headings[0].line, r.headings[0].col), (1, 1));
}

#[test]
fn a_heading_id_with_a_space_is_an_error() {
    let (r, p) = render("## Title {#has space}\n", &ctx("/p/", false));
    assert!(!r.html.get().contains("space=\"\""), "{}", r.html);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(!p[0].warning);
    assert!(
        p[0].message.contains("`has space` has a space"),
        "{}",
        p[0].message
    );
    assert_eq!(p[0].hint.as_deref(), Some("write {#has-space}"));
}

#[test]
fn an_unterminated_html_comment_is_closed_with_a_warning() {
    let text = "Before.\n\n<!-- draft note\n\nAfter.\n";
    let (r, p) = render(text, &ctx("/p/", false));
    assert!(r.html.get().trim_end().ends_with("-->"), "{}", r.html);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].warning);
    assert_eq!(p[0].offset, text.find("<!--").unwrap());
    let (r, p) = render("<script>\nlet x = 1;\n", &ctx("/p/", false));
    assert!(r.html.get().contains("</script>"), "{}", r.html);
    assert_eq!(p.len(), 1);
    // A closed one is left alone.
    let (_, p) = render("<!-- fine -->\n\nText.\n", &ctx("/p/", false));
    assert!(p.is_empty());
}

#[test]
fn control_characters_are_removed_from_text_and_attributes() {
    let r = md("A\u{1}b\u{b}c \u{1b}[31m [x](/a\u{7}b/ \"t\u{fffe}\")\n");
    for c in ['\u{1}', '\u{b}', '\u{1b}', '\u{7}', '\u{fffe}'] {
        assert!(!r.html.get().contains(c), "{c:?} in {}", r.html);
    }
    assert!(r.html.get().contains("Abc"), "{}", r.html);
}

#[test]
fn github_alerts_render_as_labelled_asides() {
    let r = md("> [!WARNING]\n> The story was revised.\n");
    assert!(
        r.html
            .get()
            .contains("<aside class=\"alert alert-warning\" aria-label=\"Warning\">"),
        "{}",
        r.html
    );
    assert!(
        r.html
            .get()
            .contains("<p class=\"alert-title\">Warning</p>")
    );
    assert!(!r.html.get().contains("[!WARNING]"));
    assert!(!r.html.get().contains("<blockquote"));
}

#[test]
fn many_headings_with_one_text_get_every_suffix_once() {
    // A Jekyll archive held a post with thousands of "Example" headings;
    // finding each free suffix from 1 again made it quadratic.
    let text = "## Example\n\ntext\n\n".repeat(3000);
    let html = md(&text).html.get();
    assert!(html.contains("id=\"example\""));
    assert!(html.contains("id=\"example-1\""));
    assert!(html.contains("id=\"example-2999\""), "last suffix missing");
    assert!(!html.contains("id=\"example-3000\""));
    // A written id between them is kept, and the generated ones step past it.
    let html = md("## A {#a-2}\n\n## A\n\n## A\n\n## A\n").html.get();
    let ids: Vec<&str> = html
        .match_indices("id=\"")
        .map(|(i, _)| &html[i + 4..i + 4 + html[i + 4..].find('"').unwrap()])
        .collect();
    assert_eq!(ids, ["a-2", "a", "a-1", "a-3"]);
}

#[test]
fn headings_named_like_numbered_theme_ids_leave_their_namespace() {
    // "Comment policy" once looped forever: every suffix of
    // `comment-policy` is still a `comment-` id the theme owns.
    let html = md("## Comment policy\n\n## Year 2019\n\n## Fn 1\n\n## Comment policy\n")
        .html
        .get();
    for id in [
        "section-comment-policy",
        "section-year-2019",
        "section-fn-1",
        "section-comment-policy-1",
    ] {
        assert!(
            html.contains(&format!("id=\"{id}\"")),
            "{id} missing: {html}"
        );
    }
}

#[test]
fn a_lead_introducing_a_quote_keeps_the_quote_in_the_summary() {
    let r = md(
        "The *Ledger* has the story:\n\n> The fee will rise.\n>\n> — The minister\n\nMy view.\n\nMore.\n",
    );
    assert!(
        r.summary_html.contains("The fee will rise."),
        "{}",
        r.summary_html
    );
    assert!(!r.summary_html.contains("My view"), "{}", r.summary_html);
    assert!(r.has_more);
    // Not when something else comes first.
    let r = md("A lead.\n\nA second paragraph.\n\n> A later quote.\n");
    assert_eq!(r.summary_html, "<p>A lead.</p>\n");
}

#[test]
fn the_byte_level_forbidden_check_agrees_with_the_char_rule() {
    let by_chars = |t: &str| t.chars().any(is_forbidden_char);
    // Every boundary code point of the rule, alone and at each position of
    // a text, so that it falls in a whole word and in the tail.
    let probes = [
        '\0',
        '\u{1}',
        '\u{8}',
        '\t',
        '\n',
        '\u{b}',
        '\u{c}',
        '\r',
        '\u{e}',
        '\u{1f}',
        ' ',
        '~',
        '\u{7f}',
        '\u{80}',
        '\u{9f}',
        '\u{a0}',
        'é',
        '\u{fdcf}',
        '\u{fdd0}',
        '\u{fdef}',
        '\u{fdf0}',
        '\u{fffd}',
        '\u{fffe}',
        '\u{ffff}',
        '\u{1fffe}',
        '\u{1ffff}',
        '\u{10fffe}',
        '\u{10ffff}',
        '\u{1f600}',
        '—',
        '\u{efbf}',
        '\u{2fbe}',
    ];
    for c in probes {
        for at in 0..18 {
            let mut text: String = "plain text, here!!".chars().take(at).collect();
            text.push(c);
            text.push_str(&"plain text, here!!"[at..]);
            assert_eq!(has_forbidden(&text), by_chars(&text), "{c:?} at {at}");
            assert_eq!(
                without_forbidden(&text),
                text.chars()
                    .filter(|c| !is_forbidden_char(*c))
                    .collect::<String>()
            );
        }
    }
    // Every pair of them side by side, at each position of a word: a
    // vertical tab beside a newline is still found.
    for a in probes {
        for b in probes {
            for at in 0..10 {
                let mut text: String = "plain text".chars().take(at).collect();
                text.push(a);
                text.push(b);
                text.push_str(&"plain text, here!!"[at..]);
                assert_eq!(has_forbidden(&text), by_chars(&text), "{text:?}");
            }
        }
    }
    // Pseudo-random texts over those code points.
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for _ in 0..5_000 {
        let len = (seed % 50) as usize;
        let text: String = (0..len)
            .map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                if seed.is_multiple_of(6) {
                    probes[(seed >> 8) as usize % probes.len()]
                } else {
                    'a'
                }
            })
            .collect();
        assert_eq!(has_forbidden(&text), by_chars(&text), "{text:?}");
    }
}

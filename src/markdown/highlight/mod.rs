//! Syntax highlighting of fenced code, at build time.
//!
//! The highlighter is syntect, with bat's grammar collection from the
//! `two-face` crate (about 200 languages, TypeScript, TOML and Dockerfile
//! among them, which syntect's own set lacks), and syntect's pure-Rust
//! regex engine (`fancy-regex`), so `cargo build` needs no C compiler. The
//! grammars load once, on the first fenced block with a language, and each
//! grammar's patterns compile when first used: a site without code pays
//! nothing, and a site with Rust and shell pays for those two only.
//!
//! Output is a dozen token classes, never inline colours (`<span
//! class="hl-keyword">`): each grammar scope is mapped to one class by
//! [`RULES`], so the markup stays small and flat (no span crosses a line),
//! one stylesheet carries a light and a dark palette, and feeds carry
//! plain, harmless markup. The fence's info string takes
//! Zola's options, which the importers also write:
//! ```` ```rust,linenos,hl_lines=2-3 5 ````. Line numbers are drawn by CSS
//! counters, so copying the code copies no numbers.
//!
//! Each block's markup is remembered by [`cache`] (in memory, and between
//! builds in `.glossator/cache/`), since grammars are slow and posted code
//! rarely changes.

use std::ops::RangeInclusive;
use std::sync::OnceLock;

use syntect::parsing::{ParseState, Scope, ScopeStack, SyntaxReference, SyntaxSet};
use syntect::util::LinesWithEndings;

use super::escape_text;

pub mod cache;

/// Languages that mean "no highlighting": plain text, terminal sessions,
/// program output.
const PLAIN: &[&str] = &[
    "text",
    "plain",
    "plaintext",
    "txt",
    "console",
    "output",
    "none",
    "nohighlight",
    "log",
];

/// Names writers use that the grammars do not answer to directly.
const ALIASES: &[(&str, &str)] = &[
    ("shell", "bash"),
    ("sh", "bash"),
    ("zsh", "bash"),
    ("shell-session", "bash"),
    ("csharp", "cs"),
    ("c#", "cs"),
    ("c++", "cpp"),
    ("golang", "go"),
    ("py", "python"),
    ("python3", "python"),
    ("rb", "ruby"),
    ("js", "javascript"),
    ("ts", "typescript"),
    ("yml", "yaml"),
    ("md", "markdown"),
    ("html5", "html"),
    ("htm", "html"),
    ("patch", "diff"),
    ("dockerfile", "Dockerfile"),
    ("docker", "Dockerfile"),
    ("make", "Makefile"),
    ("makefile", "Makefile"),
    ("objc", "m"),
    ("objective-c", "m"),
    ("kt", "kotlin"),
    ("tex", "latex"),
    ("elisp", "lisp"),
    ("emacs-lisp", "lisp"),
    ("viml", "vim"),
    ("protobuf", "proto"),
    ("jsonc", "json"),
    ("json5", "json"),
    ("hcl", "terraform"),
    ("tf", "terraform"),
    ("ex", "elixir"),
    ("exs", "elixir"),
    ("erl", "erlang"),
    ("hs", "haskell"),
    ("fsharp", "fs"),
    ("f#", "fs"),
    ("ml", "ocaml"),
    ("pl", "perl"),
    ("gql", "graphql"),
];

/// A fenced block's info string, read as Zola reads it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Fence {
    /// The language as written, lowercased; `None` when absent.
    pub lang: Option<String>,
    pub linenos: bool,
    /// The first line number shown.
    pub linenostart: usize,
    /// Lines to mark, 1-based and inclusive.
    pub hl_lines: Vec<RangeInclusive<usize>>,
}

impl Fence {
    /// Parses `rust`, `rust,linenos`, `rust, hl_lines=2-3 5, linenostart=10`,
    /// and Pandoc's `{.rust}`.
    pub fn parse(info: &str) -> Fence {
        let mut fence = Fence {
            linenostart: 1,
            ..Fence::default()
        };
        let info = info.trim().trim_start_matches('{').trim_end_matches('}');
        for (i, part) in info.split(',').map(str::trim).enumerate() {
            if i == 0 {
                // The language is the first word; a space before options
                // (`rust linenos`) is common too.
                let mut words = part.split_whitespace();
                if let Some(lang) = words.next() {
                    let lang = lang.trim_start_matches('.');
                    fence.lang = (!lang.is_empty()).then(|| lang.to_ascii_lowercase());
                }
                for word in words {
                    fence.option(word);
                }
                continue;
            }
            fence.option(part);
        }
        fence
    }

    fn option(&mut self, part: &str) {
        let (key, value) = part.split_once('=').unwrap_or((part, ""));
        match key.trim() {
            "linenos" => self.linenos = value.trim() != "false",
            "linenostart" => {
                if let Ok(n) = value.trim().parse() {
                    self.linenostart = n;
                }
            }
            "hl_lines" => {
                for range in value.split_whitespace() {
                    let (a, b) = range.split_once('-').unwrap_or((range, range));
                    if let (Ok(a), Ok(b)) = (a.parse::<usize>(), b.parse::<usize>())
                        && a <= b
                    {
                        self.hl_lines.push(a..=b);
                    }
                }
            }
            _ => {}
        }
    }

    fn marked(&self, line: usize) -> bool {
        self.hl_lines.iter().any(|r| r.contains(&line))
    }
}

/// The grammars, loaded on first use.
fn syntaxes() -> &'static SyntaxSet {
    static SET: OnceLock<SyntaxSet> = OnceLock::new();
    SET.get_or_init(two_face::syntax::extra_newlines)
}

/// True when the language asks for plain text.
pub fn is_plain(lang: &str) -> bool {
    PLAIN.contains(&lang)
}

/// The grammar for a language name, extension or alias.
fn grammar(lang: &str) -> Option<&'static SyntaxReference> {
    let set = syntaxes();
    let name = ALIASES
        .iter()
        .find(|(alias, _)| *alias == lang)
        .map_or(lang, |(_, name)| *name);
    set.find_syntax_by_token(name)
        .or_else(|| set.find_syntax_by_name(name))
}

/// What rendering one block gave.
pub struct Highlighted {
    pub html: String,
    /// False when the language was named but no grammar knows it (the
    /// block is plain text then).
    pub known: bool,
}

/// Renders a fenced block as `<pre><code>`, highlighted when its language
/// has a grammar and `enabled`.
pub fn render_block(code: &str, fence: &Fence, enabled: bool) -> Highlighted {
    let lang = fence.lang.as_deref();
    let (body, known) = match lang {
        Some(l) if enabled && !is_plain(l) => highlighted(l, code),
        _ => (escape_text(code), true),
    };
    let mut classes = Vec::new();
    if let Some(l) = lang {
        classes.push(format!("language-{}", super::escape_attr(l)));
    }
    let per_line = fence.linenos || !fence.hl_lines.is_empty();
    if fence.linenos {
        classes.push("linenos".into());
    }
    let class = if classes.is_empty() {
        String::new()
    } else {
        format!(" class=\"{}\"", classes.join(" "))
    };
    let data = match lang {
        Some(l) => format!(" data-lang=\"{}\"", super::escape_attr(l)),
        None => String::new(),
    };
    let style = if fence.linenos && fence.linenostart != 1 {
        // The counter starts one before the first number it shows.
        format!(
            " style=\"counter-reset: line {}\"",
            fence.linenostart.saturating_sub(1)
        )
    } else {
        String::new()
    };
    let inner = if per_line {
        wrap_lines(&body, fence)
    } else {
        body
    };
    Highlighted {
        // Focusable: a block wider than the screen scrolls, and keyboard
        // users must be able to scroll it.
        html: format!(
            "<pre class=\"code\" tabindex=\"0\"{data}><code{class}{style}>{inner}</code></pre>\n"
        ),
        known,
    }
}

/// The highlighted markup of a block in language `lang`, remembered in
/// [`cache`] so a block is highlighted once, not once per build; and
/// whether a grammar knows the language (the block is plain text if not).
fn highlighted(lang: &str, code: &str) -> (String, bool) {
    let key = cache::key(lang, code, rules_text());
    if let Some(html) = cache::get(key) {
        return (html.to_string(), true);
    }
    match grammar(lang) {
        Some(syntax) => match classed(code, syntax) {
            Some(html) => {
                cache::put(key, &html);
                (html, true)
            }
            None => (escape_text(code), true),
        },
        None => (escape_text(code), false),
    }
}

/// The class rules as text, part of every cache key, so changing a rule
/// never serves markup made under the old ones.
fn rules_text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(|| format!("{RULES:?}"))
}

/// Token classes, by the grammar scope they answer to: the first rule
/// that is a prefix of the innermost scope decides, else the next scope
/// out (so a string's quote marks are string). `None` is plain text
/// (operators read better uncoloured).
const RULES: &[(&str, Option<&str>)] = &[
    ("comment", Some("comment")),
    ("constant.character.escape", Some("escape")),
    ("string", Some("string")),
    ("constant", Some("number")),
    ("support.constant", Some("number")),
    ("keyword.operator", None),
    ("keyword", Some("keyword")),
    ("storage", Some("keyword")),
    ("entity.name.function", Some("function")),
    ("variable.function", Some("function")),
    ("support.function", Some("function")),
    ("support.macro", Some("function")),
    ("entity.name.tag", Some("tag")),
    ("entity.name.section", Some("heading")),
    ("markup.heading", Some("heading")),
    ("entity.name", Some("type")),
    ("entity.other.inherited-class", Some("type")),
    ("support.type", Some("type")),
    ("support.class", Some("type")),
    ("entity.other.attribute-name", Some("attr")),
    ("variable.parameter", Some("attr")),
    ("markup.inserted", Some("inserted")),
    ("markup.deleted", Some("deleted")),
    ("markup.underline.link", Some("function")),
];

fn rules() -> &'static [(Scope, Option<&'static str>)] {
    static COMPILED: OnceLock<Vec<(Scope, Option<&'static str>)>> = OnceLock::new();
    COMPILED.get_or_init(|| {
        RULES
            .iter()
            .filter_map(|(scope, class)| Scope::new(scope).ok().map(|s| (s, *class)))
            .collect()
    })
}

/// The class of text under these scopes.
fn class_of(stack: &ScopeStack) -> Option<&'static str> {
    for scope in stack.as_slice().iter().rev() {
        for (rule, class) in rules() {
            if rule.is_prefix_of(*scope) {
                return *class;
            }
        }
    }
    None
}

/// Writes tokens as flat `<span class="hl-...">` runs: adjacent text of
/// one class shares a span, and no span crosses a line end.
#[derive(Default)]
struct Spans {
    out: String,
    open: Option<&'static str>,
}

impl Spans {
    fn push(&mut self, text: &str, class: Option<&'static str>) {
        for piece in text.split_inclusive('\n') {
            let (body, newline) = match piece.strip_suffix('\n') {
                Some(body) => (body, true),
                None => (piece, false),
            };
            if !body.is_empty() {
                if self.open != class {
                    self.close();
                    if let Some(c) = class {
                        self.out.push_str("<span class=\"hl-");
                        self.out.push_str(c);
                        self.out.push_str("\">");
                    }
                    self.open = class;
                }
                pulldown_cmark_escape::escape_html_body_text(&mut self.out, body).ok();
            }
            if newline {
                self.close();
                self.out.push('\n');
            }
        }
    }

    fn close(&mut self) {
        if self.open.take().is_some() {
            self.out.push_str("</span>");
        }
    }
}

/// Highlights a block; `None` if the grammar fails on this text (the
/// block is then shown plain).
fn classed(code: &str, syntax: &SyntaxReference) -> Option<String> {
    let set = syntaxes();
    let mut state = ParseState::new(syntax);
    let mut stack = ScopeStack::new();
    let mut spans = Spans {
        out: String::with_capacity(code.len() * 2),
        open: None,
    };
    for line in LinesWithEndings::from(code) {
        let ops = state.parse_line(line, set).ok()?;
        let mut at = 0;
        for (pos, op) in ops {
            let pos = pos.min(line.len());
            if pos > at {
                spans.push(&line[at..pos], class_of(&stack));
                at = pos;
            }
            stack.apply(&op).ok()?;
        }
        if at < line.len() {
            spans.push(&line[at..], class_of(&stack));
        }
    }
    spans.close();
    Some(spans.out)
}

/// Splits highlighted HTML into `<span class="line">` per source line,
/// closing the token spans open at each line's end and reopening them on
/// the next, so every line is well-formed on its own.
fn wrap_lines(html: &str, fence: &Fence) -> String {
    let mut out = String::with_capacity(html.len() + html.len() / 4);
    let mut open: Vec<&str> = Vec::new();
    let lines = html
        .split_inclusive('\n')
        // The spans closed after the last newline are closed per line.
        .filter(|line| !line.replace("</span>", "").is_empty());
    for (line_no, line) in (1..).zip(lines) {
        let marked = fence.marked(line_no);
        out.push_str(if marked {
            "<span class=\"line hl\">"
        } else {
            "<span class=\"line\">"
        });
        for tag in &open {
            out.push_str(tag);
        }
        let (text, newline) = match line.strip_suffix('\n') {
            Some(text) => (text, true),
            None => (line, false),
        };
        out.push_str(text);
        // Track the spans this line opens and closes.
        let mut rest = text;
        while let Some(at) = rest.find('<') {
            rest = &rest[at..];
            if let Some(after) = rest.strip_prefix("</span>") {
                open.pop();
                rest = after;
            } else if let Some(end) = rest.find('>') {
                open.push(&rest[..=end]);
                rest = &rest[end + 1..];
            } else {
                break;
            }
        }
        for _ in &open {
            out.push_str("</span>");
        }
        // The newline stays inside the line: between block-level lines
        // it would draw an empty one.
        if newline {
            out.push('\n');
        }
        out.push_str("</span>");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[ignore = "lists the grammars: cargo test -- --ignored --nocapture list_grammars"]
    fn list_grammars() {
        for s in syntaxes().syntaxes() {
            println!("{}: {:?}", s.name, s.file_extensions);
        }
    }

    #[test]
    #[ignore = "measures: cargo test --release --lib -- --ignored --nocapture grammar_speed"]
    fn grammar_speed() {
        let samples: &[(&str, &str)] = &[
            (
                "rust",
                "let total = 42;\nfn scale(x: u32) -> u32 { x * 7 }\n// the count\nprintln!(\"{}\", total);\n",
            ),
            (
                "python",
                "total = 42\ndef scale(x):\n    return x * 7\n# the count\nprint(f\"{total}\")\n",
            ),
            (
                "js",
                "const total = 42;\nfunction scale(x) { return x * 7; }\n// the count\nconsole.log(`${total}`);\n",
            ),
            (
                "bash",
                "total=42\necho \"total $total\"\n# the count\nfor f in *.md; do wc -l \"$f\"; done\n",
            ),
            (
                "go",
                "total := 42\nfunc scale(x int) int { return x * 7 }\n// the count\nfmt.Println(total)\n",
            ),
            (
                "sql",
                "SELECT tag, COUNT(*) FROM posts GROUP BY tag;\n-- the count\nUPDATE posts SET n = 4 WHERE id = 5;\n",
            ),
        ];
        for (lang, code) in samples {
            let syntax = grammar(lang).unwrap();
            let code = code.repeat(5);
            classed(&code, syntax);
            let started = std::time::Instant::now();
            let runs = 300;
            for _ in 0..runs {
                classed(&code, syntax);
            }
            let lines = code.lines().count() * runs;
            let rate = lines as f64 / started.elapsed().as_secs_f64();
            println!("{lang:>8}: {rate:>8.0} lines/s");
        }
    }

    #[test]
    fn fence_options_are_read_as_zola_writes_them() {
        let f = Fence::parse("rust,linenos,hl_lines=2-3 5");
        assert_eq!(f.lang.as_deref(), Some("rust"));
        assert!(f.linenos);
        assert_eq!(f.hl_lines, vec![2..=3, 5..=5]);
        let f = Fence::parse("Python linenos linenostart=10");
        assert_eq!(f.lang.as_deref(), Some("python"));
        assert!(f.linenos);
        assert_eq!(f.linenostart, 10);
        assert_eq!(Fence::parse("").lang, None);
        assert_eq!(Fence::parse("{.ruby}").lang.as_deref(), Some("ruby"));
    }

    #[test]
    fn the_forty_most_used_languages_have_a_grammar() {
        let langs = [
            "rust",
            "c",
            "cpp",
            "c++",
            "csharp",
            "cs",
            "go",
            "java",
            "javascript",
            "js",
            "typescript",
            "ts",
            "tsx",
            "python",
            "ruby",
            "php",
            "bash",
            "sh",
            "shell",
            "sql",
            "html",
            "css",
            "scss",
            "json",
            "yaml",
            "toml",
            "diff",
            "markdown",
            "kotlin",
            "swift",
            "scala",
            "haskell",
            "lua",
            "perl",
            "r",
            "elixir",
            "erlang",
            "clojure",
            "dockerfile",
            "makefile",
            "xml",
            "ini",
            "ocaml",
            "dart",
            "zig",
            "nix",
            "latex",
            "objc",
            "fsharp",
            "groovy",
            "vim",
            "nginx",
            "graphql",
            "terraform",
        ];
        let missing: Vec<&str> = langs
            .iter()
            .copied()
            .filter(|l| grammar(l).is_none())
            .collect();
        assert!(missing.is_empty(), "no grammar for {missing:?}");
    }

    #[test]
    fn lines_stay_well_formed_when_a_token_spans_them() {
        let fence = Fence::parse("rust,linenos,hl_lines=2");
        let code = "/* one\ntwo */\nfn main() {}\n";
        let out = render_block(code, &fence, true).html;
        for line in out.split("<span class=\"line").skip(1) {
            let line = format!("<span class=\"line{line}");
            let line = line.trim_end_matches("</code></pre>\n");
            let opens = line.matches("<span").count();
            let closes = line.matches("</span>").count();
            assert_eq!(opens, closes, "unbalanced line: {line}");
        }
        assert!(out.contains("<span class=\"line hl\">"), "{out}");
        assert_eq!(out.matches("class=\"line").count(), 3, "{out}");
    }

    #[test]
    fn plain_and_unknown_languages_are_escaped_text() {
        let plain = render_block("<b>$ ls</b>\n", &Fence::parse("console"), true);
        assert!(plain.known);
        assert!(
            plain.html.contains("&lt;b&gt;$ ls&lt;/b&gt;"),
            "{}",
            plain.html
        );
        assert!(!plain.html.contains("hl-"));
        let unknown = render_block("x\n", &Fence::parse("klingon"), true);
        assert!(!unknown.known);
        assert!(unknown.html.contains("language-klingon"));
        let none = render_block("x\n", &Fence::parse(""), true);
        assert!(none.known);
        assert!(
            none.html
                .starts_with("<pre class=\"code\" tabindex=\"0\"><code>")
        );
    }
}

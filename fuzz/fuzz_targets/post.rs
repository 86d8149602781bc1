//! A whole post: front matter, dates, Markdown with the commentary
//! extensions (cited quotes, source references, `[UPDATE: ...]`,
//! footnotes). The first byte picks the shape: the raw file, or a body
//! under front matter that declares two sources, so the fuzzer reaches the
//! commentary code without having to invent valid TOML.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;

use glossator::config::{Config, parse_config};
use glossator::content::post::parse_post;
use glossator::content::source::decode_text;
use glossator::content::{Role, SourceFile};
use libfuzzer_sys::fuzz_target;

const HEADER: &str = "+++\ntitle = \"Fuzzed\"\ndate = 2009-03-03T09:00:00-05:00\ntags = [\"a\", \"b\"]\n\n[sources.paper]\npublication = \"The Paper\"\nurl = \"https://paper.example/story\"\n\n[sources.later]\npublication = \"The Paper\"\nurl = \"https://paper.example/story\"\n+++\n";

fn config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        parse_config("title = \"Fuzz\"\nbase_url = \"https://fuzz.example\"\ntimezone = \"America/New_York\"")
            .unwrap_or_else(|_| panic!("the fuzz config is valid"))
    })
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let Ok(body) = decode_text(rest.to_vec()) else {
        return;
    };
    let text = if mode % 2 == 0 {
        body
    } else {
        format!("{HEADER}{body}")
    };
    let lines = text.lines().count() + 1;
    let file = SourceFile {
        rel: PathBuf::from("content/posts/2009-03-03-fuzzed.md"),
        abs: PathBuf::from("content/posts/2009-03-03-fuzzed.md"),
        role: Role::Post,
        text: Some(text),
    };
    let (_, diagnostics) = parse_post(&file, config());
    for d in diagnostics {
        if let Some(line) = d.line {
            assert!(line >= 1 && line <= lines, "{d}: line {line} of {lines}");
        }
    }
});

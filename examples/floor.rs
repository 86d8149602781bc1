//! The speed floor for `benches/bench.py`: what any generator must at
//! least do for a site of Markdown posts. It reads every post under
//! `DIR/content/posts`, drops its front matter, renders the body with
//! pulldown-cmark (our options) on every core, and writes `FILES` files
//! into `OUT` (each post's HTML, then copies of them until `FILES`, to
//! match the number of pages the generator wrote). No templates, lists,
//! feeds or checks: glossator's time over this is what the rest costs.
//!
//! Usage: cargo run --release --example floor -- DIR OUT FILES

// A bench tool: it reports to the terminal itself.
#![allow(clippy::print_stderr)]

use std::fs;
use std::path::{Path, PathBuf};

use pulldown_cmark::{Parser, html};
use rayon::prelude::*;

fn body(text: &str) -> &str {
    // TOML front matter between `+++` lines.
    text.strip_prefix("+++\n")
        .and_then(|rest| rest.find("\n+++\n").map(|end| &rest[end + 5..]))
        .unwrap_or(text)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [dir, out, files] = args.as_slice() else {
        eprintln!("usage: floor DIR OUT FILES");
        std::process::exit(2);
    };
    let files: usize = files.parse().unwrap_or_else(|_| {
        eprintln!("FILES must be a number");
        std::process::exit(2)
    });
    let posts_dir = Path::new(dir).join("content/posts");
    let mut sources: Vec<PathBuf> = fs::read_dir(&posts_dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", posts_dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "md"))
        .collect();
    sources.sort();
    if sources.is_empty() {
        eprintln!("no posts in {}", posts_dir.display());
        std::process::exit(1);
    }
    let options = glossator::markdown::options();
    let pages: Vec<String> = sources
        .par_iter()
        .map(|path| {
            let text = fs::read_to_string(path).unwrap_or_default();
            let mut out = String::with_capacity(text.len() * 3 / 2);
            html::push_html(&mut out, Parser::new_ext(body(&text), options));
            out
        })
        .collect();
    let out = Path::new(out);
    (0..files.max(pages.len())).into_par_iter().for_each(|i| {
        let folder = out.join(format!("{i}"));
        let written = fs::create_dir_all(&folder)
            .and_then(|()| fs::write(folder.join("index.html"), &pages[i % pages.len()]));
        if let Err(e) = written {
            eprintln!("cannot write {}: {e}", folder.display());
            std::process::exit(1);
        }
    });
}

//! The command line: arguments, dispatch, and everything the user reads.
//!
//! One args struct per subcommand, each with its own `run` (as in cobalt).
//! This is the edge of the program: the only place that prints, and the
//! place that maps outcomes to exit statuses: 0 success, 1 build errors,
//! 2 usage errors (clap's own, for bad arguments).
#![allow(clippy::print_stdout, clippy::print_stderr)]

mod build;
mod check;
mod cite;
mod import;
mod init;
mod new;
mod respond;
mod serve;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::diagnostic::{Diagnostic, Diagnostics};

/// glossator: a static site generator for commentary blogs.
#[derive(Debug, Parser)]
#[command(name = "glossator", version, about, long_about = None)]
pub struct Cli {
    /// The site's folder (holding glossator.toml).
    #[arg(long, global = true, value_name = "DIR", default_value = ".")]
    pub root: PathBuf,
    /// Say more: stage timings and warnings in full.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
    /// Say only errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Make a new site: config, a sample post of each kind, an about page.
    Init(init::InitArgs),
    /// Write a new post with its front matter filled in.
    New(new::NewArgs),
    /// Build the site into public/ (or -o DIR).
    Build(build::BuildArgs),
    /// Preview the site with live reload while you write.
    Serve(serve::ServeArgs),
    /// Check the site without writing it: sources, quotes, links, anchors.
    Check(check::CheckArgs),
    /// Keep a snapshot of a page you quote, and give its [sources.ID] entry.
    Cite(cite::CiteArgs),
    /// Bring an existing blog in: its posts, pages, comments and old URLs.
    Import(import::ImportArgs),
    /// Take readers' comments: the service behind `[comments] endpoint`.
    Respond(respond::RespondArgs),
    /// Moderate received comments: list, show, approve, reject, spam.
    Comments(respond::CommentsArgs),
    /// Tell the pages your posts link to (webmentions).
    Webmention(respond::WebmentionArgs),
}

/// How chatty to be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verbosity {
    Quiet,
    Normal,
    Verbose,
}

impl Cli {
    fn verbosity(&self) -> Verbosity {
        if self.quiet {
            Verbosity::Quiet
        } else if self.verbose {
            Verbosity::Verbose
        } else {
            Verbosity::Normal
        }
    }
}

/// Parses the arguments and runs the command.
pub fn main() -> ExitCode {
    crate::crash::install_hook();
    let cli = Cli::parse();
    let verbosity = cli.verbosity();
    if cli.root.exists() && !cli.root.is_dir() {
        eprintln!(
            "error: --root {} is a file, not a site folder\n  hint: pass the folder that holds glossator.toml",
            escape_name(&cli.root).display()
        );
        return ExitCode::from(2);
    }
    let result = match cli.command {
        Command::Init(args) => args.run(&cli.root, verbosity),
        Command::New(args) => args.run(&cli.root, verbosity),
        Command::Build(args) => args.run(&cli.root, verbosity),
        Command::Serve(args) => args.run(&cli.root, verbosity),
        Command::Check(args) => args.run(&cli.root, verbosity),
        Command::Cite(args) => args.run(&cli.root, verbosity),
        Command::Import(args) => args.run(&cli.root, verbosity),
        Command::Respond(args) => args.run(&cli.root, verbosity),
        Command::Comments(args) => args.run(&cli.root, verbosity),
        Command::Webmention(args) => args.run(&cli.root, verbosity),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(1)
        }
    }
}

/// How many problems of one line are printed in full.
const SAME_LINE_SHOWN: usize = 3;

/// Prints diagnostics to stderr; warnings only when not quiet. Paths are
/// shown from where the user stands (joined to `--root`). Past a few, the
/// problems of one line are counted rather than printed (one 100 KB line
/// with 14,000 broken links is one line to fix), and each file is read
/// once for its code frames.
pub fn print_diagnostics(diagnostics: &Diagnostics, root: &Path, verbosity: Verbosity) {
    let mut texts: std::collections::HashMap<PathBuf, Option<String>> =
        std::collections::HashMap::new();
    let shown: Vec<&Diagnostic> = diagnostics
        .iter()
        .filter(|d| d.is_error() || verbosity != Verbosity::Quiet)
        .collect();
    let mut i = 0;
    while i < shown.len() {
        let d = shown[i];
        let same_line = shown[i..]
            .iter()
            .take_while(|o| {
                o.path == d.path && o.line == d.line && o.line.is_some() && o.severity == d.severity
            })
            .count()
            .max(1);
        for o in &shown[i..i + same_line.min(SAME_LINE_SHOWN)] {
            eprintln!("{}", render_diagnostic(o, root, verbosity, &mut texts));
        }
        if same_line > SAME_LINE_SHOWN {
            eprintln!(
                "{}: ... and {} more on this line",
                escape_terminal(&d.location()).replace('\n', "\\n"),
                same_line - SAME_LINE_SHOWN
            );
        }
        i += same_line;
    }
}

/// Control characters in names and messages (a file called `\x1b[2J`)
/// are shown escaped, never sent to the terminal.
fn escape_terminal(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_control() && c != '\n' && c != '\t' {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// A file name shown on one line: every control character escaped, the
/// newline too (a file called `a\nb` must not forge a second message).
fn escape_name(path: &Path) -> PathBuf {
    let text = path.to_string_lossy();
    if !text.chars().any(char::is_control) {
        return path.to_path_buf();
    }
    PathBuf::from(
        text.chars()
            .map(|c| {
                if c.is_control() {
                    c.escape_default().to_string()
                } else {
                    c.to_string()
                }
            })
            .collect::<String>(),
    )
}

fn render_diagnostic(
    d: &Diagnostic,
    root: &Path,
    verbosity: Verbosity,
    texts: &mut std::collections::HashMap<PathBuf, Option<String>>,
) -> String {
    let mut shown = d.clone();
    let inside_binary = d.path.to_string_lossy().starts_with('<');
    if !inside_binary && root != Path::new(".") && d.path.is_relative() {
        shown.path = root.join(&d.path);
    }
    let read_from = shown.path.clone();
    shown.path = escape_name(&shown.path);
    let mut out = escape_terminal(&shown.to_string());
    if d.is_error() || verbosity == Verbosity::Verbose {
        let text = texts
            .entry(read_from.clone())
            .or_insert_with(|| std::fs::read_to_string(&read_from).ok());
        if let Some(frame) = text.as_deref().and_then(|t| d.code_frame(t)) {
            out.push('\n');
            out.push_str(frame.trim_end());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn terminal_escapes() {
        assert_eq!(escape_terminal("a\x1b[2Jb\nc"), "a\\u{1b}[2Jb\nc");
        assert_eq!(
            escape_name(Path::new("posts/a\nb\x1b.md")),
            PathBuf::from("posts/a\\nb\\u{1b}.md")
        );
    }
}

//! glossator: a static site generator for commentary blogs.
//!
//! The library holds the whole program; `main.rs` only calls [`cli::main`].
//! Data flows one way through the stages of [`build`]: load, parse, index,
//! render, write. See `DESIGN.md`-style notes in the README for the map.

pub mod build;
pub mod check;
pub mod cite;
pub mod cli;
pub mod comment_key;
pub mod config;
pub mod content;
pub mod crash;
pub mod date;
pub mod diagnostic;
pub mod files;
pub mod identity;
pub mod import;
pub mod interrupt;
pub mod markdown;
pub mod output;
pub mod render;
pub mod request;
pub mod respond;
pub mod sanitize;
pub mod serve;
pub mod session;
pub mod site;
pub mod sources;
pub mod theme;
pub mod timings;
pub mod urls;

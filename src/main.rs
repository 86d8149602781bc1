//! The `glossator` binary: everything lives in the library.
//!
//! The one thing decided here is the allocator: mimalloc, because a build
//! makes millions of short-lived strings from parallel threads, where the
//! system allocator spends a large share of the time (see the README's
//! design notes for the measurement). It is built without asking for
//! transparent huge pages (`no_thp`): a build's first touch of each one
//! zeroes 2 MB, which on slow virtual machines costs seconds.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    glossator::cli::main()
}

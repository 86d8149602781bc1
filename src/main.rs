//! The `glossator` binary: everything lives in the library.
//!
//! The one thing decided here is the allocator: mimalloc, because a build
//! makes millions of short-lived strings from parallel threads, where the
//! system allocator spends a large share of the time (see the README's
//! design notes for the measurement).

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    glossator::cli::main()
}

//! The `glossator` binary: everything lives in the library.
//!
//! The one thing decided here is the allocator: mimalloc, because a build
//! makes millions of short-lived strings from parallel threads, where the
//! system allocator spends a large share of the time; its v2 line, which
//! was faster and smaller than v3 on our builds (see the README's
//! dependency table for both measurements).

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    glossator::cli::main()
}

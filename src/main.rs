//! The `glossator` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    glossator::cli::main()
}

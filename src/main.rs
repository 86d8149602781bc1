//! The `glossator` binary: everything lives in the library.
//!
//! The one thing decided here is the allocator: mimalloc, because a build
//! makes millions of short-lived strings from parallel threads, where the
//! system allocator spends a large share of the time (see the README's
//! design notes for the measurement). It is built without asking for
//! transparent huge pages (`no_thp`): a build's first touch of each one
//! zeroes 2 MB, which on slow virtual machines costs seconds. And memory a
//! build frees is kept for its next allocations rather than handed back to
//! the kernel 10 ms later (mimalloc's default), which only made the kernel
//! zero the same pages again when the next pages were rendered into them.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc v2's `mi_option_purge_delay` (number 15 of `mi_option_e` in
/// its `mimalloc.h`), which `libmimalloc-sys` has no constant for:
/// how many milliseconds freed memory waits before it is handed back to
/// the kernel; -1 for never.
const PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

fn main() -> std::process::ExitCode {
    // SAFETY: an FFI call with plain values, made before any other thread
    // exists (mimalloc's options are not thread safe). Never purging keeps
    // the high-water mark a build or a preview rebuild reached: a `build`
    // exits soon after, and `serve` reuses that room on every edit.
    unsafe { libmimalloc_sys::mi_option_set(PURGE_DELAY, -1) };
    glossator::cli::main()
}

#[cfg(test)]
mod tests {
    use super::PURGE_DELAY;

    /// Run in a child process by the next test, with the option set in
    /// the environment the way mimalloc reads its options by name.
    #[test]
    #[ignore = "run by purge_delay_is_the_option_named_purge_delay"]
    fn purge_delay_child() {
        let expected: std::ffi::c_long = std::env::var("GLOSSATOR_EXPECT_PURGE_DELAY")
            .expect("run by the parent test")
            .parse()
            .unwrap();
        // SAFETY: reads an option; no other test in this process sets one.
        assert_eq!(
            unsafe { libmimalloc_sys::mi_option_get(PURGE_DELAY) },
            expected
        );
    }

    #[test]
    fn purge_delay_is_the_option_named_purge_delay() {
        // The index is mimalloc's, not ours: if it named another option,
        // `MIMALLOC_PURGE_DELAY` would not show up under it.
        for value in ["1234", "-1"] {
            let out = std::process::Command::new(std::env::current_exe().unwrap())
                .args(["--exact", "tests::purge_delay_child", "--ignored"])
                .env("MIMALLOC_PURGE_DELAY", value)
                .env("GLOSSATOR_EXPECT_PURGE_DELAY", value)
                .output()
                .unwrap();
            let report = String::from_utf8_lossy(&out.stdout);
            assert!(
                out.status.success() && report.contains("1 passed"),
                "with MIMALLOC_PURGE_DELAY={value}:\n{report}{}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
    }
}

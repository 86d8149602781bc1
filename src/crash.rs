//! If glossator ever panics: say which file it was working on, and keep the
//! rest of the site.
//!
//! Work on one file (parsing a source, rendering an output) runs inside
//! [`guard`], which records the file for the panic hook and turns a panic
//! into an error diagnostic for that file, so `build` fails cleanly (the
//! previous output untouched) and `serve` keeps serving the last good site.
//! The hook, installed by [`install_hook`], prints the file before Rust's
//! own message.

use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};

use crate::diagnostic::Diagnostic;

thread_local! {
    static CURRENT: RefCell<Option<PathBuf>> = const { RefCell::new(None) };
}

const REPORT_HINT: &str = "this is a bug in glossator, not a mistake in the file; please report it with the file attached";

/// Installs the panic hook (once, at start-up).
#[allow(clippy::print_stderr)] // a panic hook has only the terminal to tell
pub fn install_hook() {
    let default = panic::take_hook();
    panic::set_hook(Box::new(move |info| {
        if let Some(path) = working_on() {
            eprintln!(
                "glossator crashed while working on {}: {REPORT_HINT}.",
                path.display()
            );
        }
        default(info);
    }));
}

/// The file this thread is working on, if any.
pub fn working_on() -> Option<PathBuf> {
    CURRENT.with(|c| c.borrow().clone())
}

/// Runs `f` as work on `path`; a panic becomes an error about `path`.
pub fn guard<T>(path: &Path, f: impl FnOnce() -> T) -> Result<T, Box<Diagnostic>> {
    let previous = CURRENT.with(|c| c.replace(Some(path.to_path_buf())));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    CURRENT.with(|c| *c.borrow_mut() = previous);
    result.map_err(|payload| {
        let message = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "an unknown panic".into());
        Box::new(
            Diagnostic::error(path, format!("glossator crashed on this file: {message}"))
                .with_hint(REPORT_HINT),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_becomes_an_error_naming_the_file() {
        let path = Path::new("content/posts/odd.md");
        let seen = guard(path, working_on).unwrap();
        assert_eq!(seen.as_deref(), Some(path), "the hook can name the file");
        let err = guard(path, || -> u32 { panic!("index out of bounds") }).unwrap_err();
        assert_eq!(err.path, path);
        assert!(err.is_error());
        assert!(
            err.message.contains("index out of bounds"),
            "{}",
            err.message
        );
        assert_eq!(working_on(), None, "restored after the work");
        // Nested work restores the outer file.
        let outer = guard(Path::new("a.md"), || {
            let _ = guard(Path::new("b.md"), || ());
            working_on()
        })
        .unwrap();
        assert_eq!(outer.as_deref(), Some(Path::new("a.md")));
    }
}

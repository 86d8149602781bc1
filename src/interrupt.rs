//! Ctrl-C (SIGINT) and SIGTERM during `glossator build`.
//!
//! The handler only raises a flag. Rendering checks it and stops early, the
//! disk sink stops writing, and the build ends with nothing changed in the
//! output folder. A signal that arrives while the output is being committed
//! waits for the commit to finish (it is short: moving the changed files
//! into place), so the folder always holds one whole build. A second signal
//! outside the commit ends the process at once; the staging folder it
//! leaves is cleared by the next build.

use std::sync::atomic::{AtomicBool, Ordering};

static REQUESTED: AtomicBool = AtomicBool::new(false);
static COMMITTING: AtomicBool = AtomicBool::new(false);

/// The exit status of an interrupted build (128 + SIGINT, by convention).
pub const EXIT_STATUS: u8 = 130;

/// Installs the handler. Only `glossator build` does: the other commands
/// write nothing that a signal could leave half done.
#[allow(clippy::print_stderr)] // a signal handler has only the terminal to tell
pub fn install() -> Result<(), ctrlc::Error> {
    ctrlc::set_handler(|| {
        let again = REQUESTED.swap(true, Ordering::SeqCst);
        if again && !COMMITTING.load(Ordering::SeqCst) {
            eprintln!("Interrupted again: stopping now. The output folder was not touched.");
            std::process::exit(i32::from(EXIT_STATUS));
        }
    })
}

/// Whether an interrupt has been requested.
pub fn requested() -> bool {
    REQUESTED.load(Ordering::Relaxed)
}

/// Marks the commit: while the guard lives, signals wait for it.
pub fn committing() -> CommitGuard {
    COMMITTING.store(true, Ordering::SeqCst);
    CommitGuard(())
}

pub struct CommitGuard(());

impl Drop for CommitGuard {
    fn drop(&mut self) {
        COMMITTING.store(false, Ordering::SeqCst);
    }
}

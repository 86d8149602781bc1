//! Fault injection for the output tests.
//!
//! Every change the commit makes to the disk (a rename, a new folder, a
//! removal, a written control file) first calls [`step`]. In the unit
//! tests, [`inject`] makes the n-th step on this thread fail with an I/O
//! error or panic (standing in for a kill), so a test can stop a commit at
//! every point it has and check what is left. Outside tests `step` does
//! nothing.

#[cfg(test)]
use std::cell::Cell;

/// What an injected fault does.
#[cfg(test)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Fault {
    /// The operation fails, as a full disk or a permission would.
    Error,
    /// The process stops where it is, as a kill would: nothing after it
    /// runs, not even the undo.
    Crash,
}

#[cfg(test)]
thread_local! {
    static PLAN: Cell<Option<(usize, Fault)>> = const { Cell::new(None) };
    static TAKEN: Cell<usize> = const { Cell::new(0) };
}

/// From now on, the `n`-th step (counting from 1) on this thread faults.
#[cfg(test)]
pub(super) fn inject(n: usize, fault: Fault) {
    PLAN.with(|p| p.set(Some((n, fault))));
    TAKEN.with(|t| t.set(0));
}

/// No more faults; returns how many steps were taken since [`inject`].
#[cfg(test)]
pub(super) fn clear() -> usize {
    PLAN.with(|p| p.set(None));
    TAKEN.with(|t| t.replace(0))
}

/// Called before each change to the disk.
#[cfg(test)]
pub(super) fn step() -> std::io::Result<()> {
    let n = TAKEN.with(|t| {
        t.set(t.get() + 1);
        t.get()
    });
    match PLAN.with(Cell::get) {
        Some((at, Fault::Error)) if at == n => Err(std::io::Error::other(format!(
            "injected failure at step {n}"
        ))),
        Some((at, Fault::Crash)) if at == n => {
            PLAN.with(|p| p.set(None));
            panic!("injected crash at step {n}");
        }
        _ => Ok(()),
    }
}

#[cfg(not(test))]
#[inline(always)]
pub(super) fn step() -> std::io::Result<()> {
    Ok(())
}

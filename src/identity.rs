//! What tells, between builds, that something changed without reading
//! it: a file's [`Stamp`] (size and modification time), and the running
//! binary's identity ([`binary`]), part of every key a build keeps
//! between runs (the output manifest's page keys, the body memo), so that
//! a rebuilt glossator (a fix to a view or to the Markdown passes, a new
//! release) makes everything again instead of trusting what an older one
//! recorded.

use std::sync::LazyLock;

/// The version, and the size and modification time of the executable.
pub fn binary() -> &'static str {
    static IDENTITY: LazyLock<String> = LazyLock::new(|| {
        let stamp = std::env::current_exe()
            .and_then(std::fs::metadata)
            .map(|m| {
                let stamp = Stamp::of(&m);
                format!("{} {}", stamp.size, stamp.mtime)
            })
            // Unknown: a key that matches nothing recorded.
            .unwrap_or_else(|_| format!("unknown {:?}", std::time::SystemTime::now()));
        format!("{} {stamp}", env!("CARGO_PKG_VERSION"))
    });
    &IDENTITY
}

/// A file's size and modification time (nanoseconds since 1970), as the
/// disk reports them: what tells a file changed without reading it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stamp {
    pub size: u64,
    pub mtime: u128,
}

impl Stamp {
    pub fn of(meta: &std::fs::Metadata) -> Stamp {
        Stamp {
            size: meta.len(),
            mtime: meta
                .modified()
                .ok()
                .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                .map_or(0, |d| d.as_nanos()),
        }
    }
}

//! The comment service's secret, and what it signs.
//!
//! One 32-byte key per site, kept in `.glossator/respond/secret` (never
//! under `content/`, and the folder carries a `.gitignore` of `*` so a
//! `git add .` cannot publish it), or given in the environment as
//! `GLOSSATOR_RESPOND_SECRET` (64 hex digits) for a build that runs on
//! another machine than the service. It signs two things with HMAC-SHA256
//! (RustCrypto's `hmac` and `sha2`: audited, constant-time verification):
//! - the comment form's token, which binds a post: the build writes it
//!   into the post's page, the service accepts a comment for that post
//!   only with it. Every reader of a page shares it, so it proves the
//!   comment was made from the page, not that it is fresh;
//! - an email address, for `trust_returning`: a keyed hash, so the list
//!   of trusted commenters cannot be reversed by hashing guessed
//!   addresses without the key.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context as _, bail};
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// The service's private folder, inside the site.
pub const DIR: &str = ".glossator/respond";
/// The environment variable that overrides the secret file.
pub const ENV: &str = "GLOSSATOR_RESPOND_SECRET";
/// Bytes of the form token (shown as twice as many hex digits).
const TOKEN_BYTES: usize = 16;

/// The site's comment key. Its `Debug` never shows the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct Key([u8; 32]);

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Key(…)")
    }
}

/// The private folder, made (with its `.gitignore`) if it is not there.
pub fn private_dir(root: &Path) -> anyhow::Result<PathBuf> {
    let dir = root.join(DIR);
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot make {}", dir.display()))?;
    let ignore = root.join(".glossator/.gitignore");
    if !ignore.exists() {
        // Everything under .glossator is this machine's: caches, the
        // comment queue with its email addresses, the secret.
        std::fs::write(&ignore, "*\n")
            .with_context(|| format!("cannot write {}", ignore.display()))?;
    }
    Ok(dir)
}

impl Key {
    /// The key from the environment, else the site's secret file, which
    /// is made (readable by its owner only) the first time.
    pub fn load_or_create(root: &Path) -> anyhow::Result<Key> {
        if let Ok(hex) = std::env::var(ENV) {
            return Key::from_hex(hex.trim())
                .with_context(|| format!("{ENV} must be 64 hex digits"));
        }
        let dir = private_dir(root)?;
        let path = dir.join("secret");
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                return Key::from_hex(text.trim()).with_context(|| {
                    format!(
                        "{} is not a glossator secret (64 hex digits); delete it to make a new one (forms on built pages then need a rebuild)",
                        path.display()
                    )
                });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
        let mut bytes = [0u8; 32];
        getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness: {e}"))?;
        let key = Key(bytes);
        // Written aside and linked into place, so two processes making
        // the secret at once agree on one.
        let temp = dir.join(format!("secret.{}.tmp", std::process::id()));
        {
            let mut options = std::fs::OpenOptions::new();
            options.write(true).create(true).truncate(true);
            #[cfg(unix)]
            std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
            let mut file = options
                .open(&temp)
                .with_context(|| format!("cannot write {}", temp.display()))?;
            file.write_all(key.to_hex().as_bytes())?;
            file.write_all(b"\n")?;
            file.sync_all()?;
        }
        let linked = std::fs::hard_link(&temp, &path);
        let _ = std::fs::remove_file(&temp);
        match linked {
            Ok(()) => Ok(key),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Key::load_or_create(root),
            Err(e) => Err(e).with_context(|| format!("cannot write {}", path.display())),
        }
    }

    pub fn from_hex(hex: &str) -> anyhow::Result<Key> {
        let bytes = decode_hex(hex).context("not hex")?;
        let Ok(bytes) = <[u8; 32]>::try_from(bytes.as_slice()) else {
            bail!("{} bytes, not 32", bytes.len());
        };
        Ok(Key(bytes))
    }

    fn to_hex(&self) -> String {
        encode_hex(&self.0)
    }

    #[allow(clippy::expect_used, reason = "HMAC takes a key of any length")]
    fn mac(&self, purpose: &str, text: &str) -> Hmac<Sha256> {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(purpose.as_bytes());
        mac.update(&[0]);
        mac.update(text.as_bytes());
        mac
    }

    /// The comment form's token for the post with this slug.
    pub fn form_token(&self, slug: &str) -> String {
        let tag = self.mac("comment-form", slug).finalize().into_bytes();
        encode_hex(&tag[..TOKEN_BYTES])
    }

    /// Whether `token` is this post's form token (in constant time).
    pub fn token_is_valid(&self, slug: &str, token: &str) -> bool {
        match decode_hex(token.trim()) {
            Some(bytes) if bytes.len() == TOKEN_BYTES => self
                .mac("comment-form", slug)
                .verify_truncated_left(&bytes)
                .is_ok(),
            _ => false,
        }
    }

    /// A keyed hash of an email address (case and spaces ignored).
    pub fn email_hash(&self, email: &str) -> String {
        let email = email.trim().to_lowercase();
        encode_hex(&self.mac("email", &email).finalize().into_bytes())
    }
}

fn encode_hex(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(out, "{b:02x}");
    }
    out
}

fn decode_hex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_bind_the_post_and_the_key() {
        let a = Key([7; 32]);
        let b = Key([8; 32]);
        let token = a.form_token("fish-for-ports");
        assert_eq!(token.len(), 32);
        assert!(a.token_is_valid("fish-for-ports", &token));
        assert!(!a.token_is_valid("another-post", &token));
        assert!(!b.token_is_valid("fish-for-ports", &token));
        assert!(!a.token_is_valid("fish-for-ports", &token[..30]));
        assert!(!a.token_is_valid("fish-for-ports", "zz"));
        assert!(!a.token_is_valid("fish-for-ports", ""));
    }

    #[test]
    fn email_hashes_ignore_case_and_spaces_but_not_the_key() {
        let a = Key([1; 32]);
        assert_eq!(
            a.email_hash(" Reader@Example.org "),
            a.email_hash("reader@example.org")
        );
        assert_ne!(
            a.email_hash("reader@example.org"),
            Key([2; 32]).email_hash("reader@example.org")
        );
    }

    #[test]
    fn the_secret_is_made_once_and_kept() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let first = Key::load_or_create(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        let second = Key::load_or_create(dir.path()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(first, second);
        let ignore = std::fs::read_to_string(dir.path().join(".glossator/.gitignore"))
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(ignore, "*\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(DIR).join("secret"))
                .unwrap_or_else(|e| panic!("{e}"))
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "the secret is readable by others");
        }
        assert!(format!("{first:?}").contains('…'));
    }
}

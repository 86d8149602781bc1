//! Interrupted and concurrent builds never leave a broken site.
//!
//! A site is built (A), then edited so the next build (B) changes, adds
//! and removes files. That build is stopped with SIGINT or SIGKILL at
//! spread-out moments; after each, the output folder must be A or B as a
//! whole, never a mix (a SIGKILL inside the commit may leave a journal,
//! which the next build finishes, giving B). Then several builds run at
//! once, and the output must be exactly one build's.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fs;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use support::{build_ok, snapshot_tree};

type Tree = Vec<(String, Vec<u8>)>;

fn write_site(dir: &Path, posts: usize, edition: &str) {
    fs::create_dir_all(dir.join("content/posts")).unwrap();
    fs::write(
        dir.join("glossator.toml"),
        "title = \"Interrupted\"\nbase_url = \"https://example.org\"\n",
    )
    .unwrap();
    let body = "Commentary on the morning's story.\n\n> A quoted paragraph from the paper, long enough to matter.\n\n1. First point.\n2. Second point.\n\n".repeat(8);
    for i in 0..posts {
        // Edition B drops every tenth post and retitles the rest.
        if edition == "B" && i % 10 == 0 {
            continue;
        }
        let day = i % 28 + 1;
        let month = i / 28 % 12 + 1;
        fs::write(
            dir.join(format!("content/posts/post-{i:04}.md")),
            format!(
                "+++\ntitle = \"Post {i} ({edition})\"\ndate = 2010-{month:02}-{day:02}\ntags = [\"t{}\"]\n+++\n{body}",
                i % 7
            ),
        )
        .unwrap();
    }
    if edition == "B" {
        fs::write(
            dir.join("content/posts/brand-new.md"),
            "+++\ntitle = \"New in B\"\ndate = 2011-01-01\n+++\nNew.\n",
        )
        .unwrap();
    }
}

/// The output folder, its manifest reduced to hashes and paths (the
/// times it records differ between builds of the same site).
fn public(dir: &Path) -> Tree {
    snapshot_tree(&dir.join("public"))
        .into_iter()
        .filter(|(p, _)| !p.starts_with(".glossator-staging"))
        .map(|(p, bytes)| {
            if p != ".glossator-output" {
                return (p, bytes);
            }
            let text = String::from_utf8(bytes).unwrap();
            let listed: Vec<String> = text
                .lines()
                .filter(|l| !l.starts_with('#'))
                .map(|l| {
                    // `hash key size mtime path`: what the file holds, but
                    // not when it was written nor whether its key was
                    // recorded (a first build into a new folder does not).
                    let parts: Vec<&str> = l.splitn(5, ' ').collect();
                    format!("{} {}", parts[0], parts[4])
                })
                .collect();
            (p, listed.join("\n").into_bytes())
        })
        .collect()
}

fn has_journal(dir: &Path) -> bool {
    fs::read_dir(dir.join("public")).unwrap().any(|e| {
        let path = e.unwrap().path();
        path.file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(".glossator-staging"))
            && path.join(".glossator-commit").exists()
    })
}

/// Builds edition A in `dir`, then replaces its sources with edition B's
/// (what every round interrupts the build of). Returns A's output.
fn a_built_b_written(dir: &Path, posts: usize) -> Tree {
    let _ = fs::remove_dir_all(dir.join("content"));
    write_site(dir, posts, "A");
    build_ok(dir, &[]);
    let built = public(dir);
    let _ = fs::remove_dir_all(dir.join("content"));
    write_site(dir, posts, "B");
    built
}

/// The outputs of editions A and B, built separately.
fn expected(posts: usize) -> (Tree, Tree) {
    let a = tempfile::tempdir().unwrap();
    write_site(a.path(), posts, "A");
    build_ok(a.path(), &[]);
    let b = tempfile::tempdir().unwrap();
    write_site(b.path(), posts, "B");
    build_ok(b.path(), &[]);
    (public(a.path()), public(b.path()))
}

fn start_build(dir: &Path) -> std::process::Child {
    Command::new(env!("CARGO_BIN_EXE_glossator"))
        .arg("build")
        .current_dir(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

#[test]
fn an_interrupted_build_leaves_one_whole_site() {
    const POSTS: usize = 150;
    let (a, b) = expected(POSTS);
    assert_ne!(a, b);
    let dir = tempfile::tempdir().unwrap();
    // How long a round's build takes when nothing stops it, measured the
    // way the rounds run it, so the delays below reach past its commit.
    let mut took = Duration::ZERO;
    for _ in 0..2 {
        a_built_b_written(dir.path(), POSTS);
        let started = Instant::now();
        let out = start_build(dir.path()).wait_with_output().unwrap();
        assert!(out.status.success());
        took = took.max(started.elapsed());
    }
    let mut outcomes = Vec::new();
    for (round, signal) in ["INT", "KILL"].iter().cycle().take(12).enumerate() {
        // Start each round from edition A's output and B's sources.
        assert_eq!(a_built_b_written(dir.path(), POSTS), a);

        // From at once to past the end of a build.
        let delay = took.mul_f64(round as f64 / 7.0);
        let mut child = start_build(dir.path());
        std::thread::sleep(delay);
        if *signal == "INT" {
            Command::new("kill")
                .args(["-INT", &child.id().to_string()])
                .status()
                .unwrap();
        } else {
            child.kill().unwrap();
        }
        let status = child.wait().unwrap();
        let mut err = String::new();
        std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
        assert!(!err.contains("panicked"), "{err}");
        let now = public(dir.path());
        let state = if now == a {
            "A"
        } else if now == b {
            "B"
        } else {
            assert!(
                *signal == "KILL" && has_journal(dir.path()),
                "round {round} ({signal} after {delay:?}): a mixed site without a commit to finish\n{err}"
            );
            "commit in progress"
        };
        if *signal == "INT" {
            match state {
                // Exit 130, or the default action if the signal came
                // before the handler was installed.
                "A" => assert!(
                    status.code() == Some(130)
                        || std::os::unix::process::ExitStatusExt::signal(&status) == Some(2),
                    "{status:?} {err}"
                ),
                _ => assert!(status.success() || status.code() == Some(130), "{err}"),
            }
            let leftovers = fs::read_dir(dir.path().join("public"))
                .unwrap()
                .filter(|e| {
                    e.as_ref()
                        .unwrap()
                        .file_name()
                        .to_string_lossy()
                        .contains("staging")
                })
                .count();
            assert_eq!(leftovers, 0, "Ctrl-C cleans up its staging folder");
        }
        // Whatever happened, the next build gives B, and nothing is left over.
        build_ok(dir.path(), &[]);
        assert_eq!(public(dir.path()), b, "round {round}: the next build");
        let names: Vec<String> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert!(
            names.iter().all(|n| !n.starts_with(".public")),
            "nothing left beside: {names:?}"
        );
        outcomes.push(format!("{signal}@{delay:.0?}:{state}"));
    }
    // The spread of delays should have caught builds both before and after
    // their commit; print the outcomes for whoever reads the log.
    eprintln!("{}", outcomes.join(" "));
}

#[test]
fn builds_at_the_same_time_take_turns() {
    let dir = tempfile::tempdir().unwrap();
    write_site(dir.path(), 120, "A");
    build_ok(dir.path(), &[]);
    let _ = fs::remove_dir_all(dir.path().join("content"));
    write_site(dir.path(), 120, "B");
    let children: Vec<_> = (0..4).map(|_| start_build(dir.path())).collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let reference = tempfile::tempdir().unwrap();
    write_site(reference.path(), 120, "B");
    build_ok(reference.path(), &[]);
    assert_eq!(public(dir.path()), public(reference.path()));
    let inside: Vec<String> = fs::read_dir(dir.path().join("public"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("staging"))
        .collect();
    assert!(inside.is_empty(), "{inside:?}");
}

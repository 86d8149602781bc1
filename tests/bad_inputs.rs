//! The catalogue of bad and strange inputs in `tests/fixtures/bad/`.
//!
//! Each case folder is copied over `_base/` (a one-post site) into
//! `<temp>/site` and built with the real binary. Its `expect.toml` says the
//! exit status, lines stderr must (or must not) contain, and what the
//! output must hold. Every case also checks the promises that hold for any
//! input: no panic, nothing written or deleted outside the output folder,
//! and no output at all from a failed build.
//!
//! Inputs too big or too odd to keep in git (a 20 MB post, symlinks, an
//! unreadable file) are made by the named `setup` steps below.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Command;

use support::{copy_dir, fixtures, snapshot_tree};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    exit: i32,
    /// The command: `build` unless it says otherwise.
    #[serde(default = "build")]
    command: String,
    /// Arguments after the command.
    #[serde(default)]
    args: Vec<String>,
    /// Arguments before the command (`--root DIR`).
    #[serde(default)]
    global_args: Vec<String>,
    /// Build `_base` first, then copy the case over it: what the case does
    /// to a site that was already built.
    #[serde(default)]
    built_first: bool,
    /// At most this many bytes on stderr.
    #[serde(default)]
    stderr_max_bytes: Option<usize>,
    /// Named steps run before the build (see `setup`).
    #[serde(default)]
    setup: Vec<String>,
    /// Files of `_base` this case removes.
    #[serde(default)]
    remove: Vec<String>,
    #[serde(default)]
    stderr: Vec<String>,
    #[serde(default)]
    stderr_not: Vec<String>,
    /// Files that must exist in public/ after the build.
    #[serde(default)]
    outputs: Vec<String>,
    /// Files that must not exist in public/ after the build.
    #[serde(default)]
    absent: Vec<String>,
    /// `[file, text]`: public/file must contain text.
    #[serde(default)]
    contains: Vec<(String, String)>,
    /// `[file, text]`: public/file must not contain text.
    #[serde(default)]
    lacks: Vec<(String, String)>,
}

fn build() -> String {
    "build".into()
}

/// The setup steps a case can name.
fn setup(step: &str, site: &Path) {
    let posts = site.join("content/posts");
    let post = |title: &str, extra: &str, body: &str| {
        format!("+++\ntitle = \"{title}\"\ndate = 2009-02-01\n{extra}+++\n{body}")
    };
    match step {
        "twenty-megabyte-post" => {
            let paragraph = "A long paragraph of commentary on the story, with a [link](https://news.example/story) and *emphasis*, repeated until the file is large.\n\n> A quoted line from the paper, kept short.\n\n";
            let body = paragraph.repeat(20 * 1024 * 1024 / paragraph.len() + 1);
            fs::write(posts.join("huge.md"), post("Huge", "", &body)).unwrap();
        }
        "deep-blockquotes" => {
            let body = format!("{}deep\n", "> ".repeat(10_000));
            fs::write(posts.join("deep.md"), post("Deep quotes", "", &body)).unwrap();
        }
        "deep-lists" => {
            let body = format!(
                "{}deep\n\n{}deeper\n",
                "- ".repeat(10_000),
                "1. ".repeat(10_000)
            );
            fs::write(posts.join("deep.md"), post("Deep lists", "", &body)).unwrap();
        }
        "five-thousand-tags" => {
            let tags: Vec<String> = (0..5000).map(|i| format!("\"tag-{i}\"")).collect();
            let extra = format!("tags = [{}]\n", tags.join(", "));
            fs::write(
                posts.join("tagged.md"),
                post("Many tags", &extra, "Body.\n"),
            )
            .unwrap();
        }
        "symlink-outside" => {
            let outside = site.parent().unwrap();
            fs::write(outside.join("secret.txt"), "TOP SECRET").unwrap();
            fs::write(
                outside.join("secret.md"),
                post("Secret", "", "TOP SECRET\n"),
            )
            .unwrap();
            fs::create_dir_all(site.join("static")).unwrap();
            std::os::unix::fs::symlink(outside.join("secret.txt"), site.join("static/secret.txt"))
                .unwrap();
            std::os::unix::fs::symlink("../../../secret.md", posts.join("secret.md")).unwrap();
            std::os::unix::fs::symlink(outside, site.join("static/up")).unwrap();
        }
        "symlink-loop" => {
            std::os::unix::fs::symlink(".", posts.join("loop")).unwrap();
            std::os::unix::fs::symlink("b.md", posts.join("a.md")).unwrap();
            std::os::unix::fs::symlink("a.md", posts.join("b.md")).unwrap();
        }
        "unreadable-file" => {
            let path = posts.join("locked.md");
            fs::write(&path, post("Locked", "", "Body.\n")).unwrap();
            fs::set_permissions(&path, fs::Permissions::from_mode(0o000)).unwrap();
        }
        "static-folder-symlink" => {
            let outside = site.parent().unwrap().join("elsewhere");
            fs::create_dir_all(&outside).unwrap();
            fs::write(outside.join("secret.txt"), "TOP SECRET").unwrap();
            std::os::unix::fs::symlink(&outside, site.join("static")).unwrap();
        }
        "planted-symlink-in-output" => {
            // A good build, then public/2009 swapped for a link out, and a
            // change that must be written under it.
            let out = Command::new(env!("CARGO_BIN_EXE_glossator"))
                .arg("build")
                .current_dir(site)
                .output()
                .unwrap();
            assert!(out.status.success());
            let outside = site.parent().unwrap().join("victim");
            fs::create_dir_all(outside.join("01/01/good")).unwrap();
            fs::write(outside.join("01/01/good/index.html"), "precious").unwrap();
            fs::remove_dir_all(site.join("public/2009")).unwrap();
            std::os::unix::fs::symlink(&outside, site.join("public/2009")).unwrap();
            fs::write(
                posts.join("2009-01-01-good.md"),
                post("Changed", "", "New text.\n"),
            )
            .unwrap();
        }
        "output-is-a-file" => {
            fs::write(site.join("notes.txt"), "the writer's own notes").unwrap();
        }
        "theme-symlinked-outside" => {
            // A complete theme, outside the site, linked in.
            let outside = site.parent().unwrap().join("shared-theme");
            copy_dir(
                &Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default"),
                &outside,
            );
            fs::create_dir_all(site.join("themes")).unwrap();
            std::os::unix::fs::symlink(&outside, site.join("themes/shared")).unwrap();
        }
        "one-line-of-broken-links" => {
            // 14,000 links to pages that do not exist, on one 100 KB line.
            let line: String = (0..14_000).map(|i| format!("[{i}](/n/{i}) ")).collect();
            fs::write(
                posts.join("links.md"),
                post("Links", "", &format!("{line}\n")),
            )
            .unwrap();
        }
        "nul-filled-file" => {
            fs::write(posts.join("zeros.md"), vec![0u8; 8 * 1024 * 1024]).unwrap();
        }
        "output-dangling-symlink" => {
            std::os::unix::fs::symlink(site.join("gone"), site.join("public")).unwrap();
        }
        "file-name-with-escapes" => {
            // A name that would clear the screen and forge a second line.
            fs::write(
                posts.join("e\x1b[2Jvil\nerror: forged.md"),
                "+++\ntitle = \"Evil\"\ndate = \"2009-13-01\"\n+++\nBody.\n",
            )
            .unwrap();
        }
        other => panic!("unknown setup step {other:?}"),
    }
}

/// Root reads every file whatever its mode; a case with an unreadable file
/// then runs the build as `nobody`, owning the rest of the site.
fn needs_other_user(site: &Path) -> bool {
    let locked = site.join("content/posts/locked.md");
    locked.exists() && fs::read(&locked).is_ok()
}

fn run(
    site: &Path,
    global_args: &[String],
    command: &str,
    args: &[String],
    as_nobody: bool,
) -> std::process::Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_glossator"));
    cmd.args(global_args)
        .arg(command)
        .args(args)
        .current_dir(site)
        .env("NO_COLOR", "1");
    if as_nobody {
        use std::os::unix::process::CommandExt;
        const NOBODY: u32 = 65534;
        for entry in walkdir::WalkDir::new(site.parent().unwrap()) {
            let entry = entry.unwrap();
            std::os::unix::fs::lchown(entry.path(), Some(NOBODY), Some(NOBODY)).unwrap();
        }
        cmd.uid(NOBODY).gid(NOBODY);
    }
    cmd.output().unwrap()
}

/// Everything under `dir` but the output folder and the build lock.
fn outside_output(dir: &Path) -> Vec<(String, Vec<u8>)> {
    // The site's own cache is written under fixed names (the body memo,
    // highlighted code, and the folder's git and backup markers); any
    // other file there is a write that escaped.
    let cache = ["markdown", "highlight", ".gitignore", "CACHEDIR.TAG"]
        .map(|name| format!("site/.glossator/cache/{name}"));
    snapshot_tree(dir)
        .into_iter()
        .filter(|(p, _)| {
            !p.starts_with("site/public/") && !p.ends_with(".glossator-lock") && !cache.contains(p)
        })
        .collect()
}

fn check_case(root: &Path, case: &Path) -> Vec<String> {
    let name = case.file_name().unwrap().to_string_lossy().into_owned();
    let expect: Expect = toml::from_str(&fs::read_to_string(case.join("expect.toml")).unwrap())
        .unwrap_or_else(|e| panic!("{name}/expect.toml: {e}"));
    let dir = tempfile::tempdir().unwrap();
    let site = dir.path().join("site");
    copy_dir(&root.join("_base"), &site);
    fs::remove_file(site.join("README.md")).unwrap();
    if expect.built_first {
        let out = run(&site, &[], "build", &[], false);
        assert!(out.status.success(), "{name}: the base site builds");
    }
    copy_dir(case, &site);
    fs::remove_file(site.join("expect.toml")).unwrap();
    for file in &expect.remove {
        fs::remove_file(site.join(file)).unwrap();
    }
    for step in &expect.setup {
        setup(step, &site);
    }
    let public_before = site.join("public").exists();
    let public_snapshot = snapshot_tree(&site.join("public"));
    let before = outside_output(dir.path());
    let as_nobody = needs_other_user(&site);
    let out = run(
        &site,
        &expect.global_args,
        &expect.command,
        &expect.args,
        as_nobody,
    );
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out.status.code().unwrap_or(-1);

    let mut failures = Vec::new();
    if code != expect.exit {
        failures.push(format!(
            "{name}: exit {code}, expected {}\n{err}",
            expect.exit
        ));
        return failures;
    }
    for line in &expect.stderr {
        if !err.contains(line.as_str()) {
            failures.push(format!("{name}: stderr lacks {line:?}\n--- stderr:\n{err}"));
        }
    }
    if let Some(max) = expect.stderr_max_bytes
        && err.len() > max
    {
        failures.push(format!(
            "{name}: {} bytes on stderr, more than {max}; it starts:\n{}",
            err.len(),
            err.chars().take(2000).collect::<String>()
        ));
    }
    for line in &expect.stderr_not {
        if err.contains(line.as_str()) {
            failures.push(format!("{name}: stderr has {line:?}\n--- stderr:\n{err}"));
        }
    }
    if err.contains("panicked") || err.contains("RUST_BACKTRACE") {
        failures.push(format!("{name}: panicked\n{err}"));
    }
    if outside_output(dir.path()) != before {
        failures.push(format!("{name}: files outside public/ changed"));
    }
    if expect.exit != 0 && !public_before && site.join("public").exists() {
        failures.push(format!("{name}: a failed build wrote public/"));
    }
    if expect.exit != 0 && public_before && snapshot_tree(&site.join("public")) != public_snapshot {
        failures.push(format!("{name}: a failed build changed public/"));
    }
    let public = site.join("public");
    for file in &expect.outputs {
        if !public.join(file).exists() {
            failures.push(format!("{name}: public/{file} is missing"));
        }
    }
    for file in &expect.absent {
        if public.join(file).exists() {
            failures.push(format!("{name}: public/{file} should not exist"));
        }
    }
    for (file, text) in &expect.contains {
        let body = fs::read_to_string(public.join(file)).unwrap_or_default();
        if !body.contains(text.as_str()) {
            failures.push(format!("{name}: public/{file} lacks {text:?}"));
        }
    }
    for (file, text) in &expect.lacks {
        let body = fs::read_to_string(public.join(file)).unwrap_or_default();
        if body.contains(text.as_str()) {
            failures.push(format!("{name}: public/{file} has {text:?}"));
        }
    }
    failures
}

#[test]
fn every_bad_input_gets_its_expected_outcome() {
    let root = fixtures().join("bad");
    let mut cases: Vec<_> = fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir() && !p.file_name().unwrap().to_string_lossy().starts_with('_'))
        .collect();
    cases.sort();
    assert!(cases.len() >= 40, "the catalogue shrank: {}", cases.len());
    // Cases run a few at a time; each has its own folder.
    let next = std::sync::atomic::AtomicUsize::new(0);
    let failures = std::sync::Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for _ in 0..4 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let Some(case) = cases.get(i) else { break };
                    let found = check_case(&root, case);
                    failures.lock().unwrap().extend(found);
                }
            });
        }
    });
    let mut failures = failures.into_inner().unwrap();
    failures.sort();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

//! The catalogue of bad and strange inputs in `tests/fixtures/bad/`.
//!
//! Each case folder is copied over `_base/` (a one-post site) and built
//! with the real binary. Its `expect.toml` says the exit status and lines
//! that stderr must contain; a failed build must leave no output behind.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::fs;

use support::{copy_dir, fixtures, glossator, stderr};

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct Expect {
    exit: i32,
    #[serde(default)]
    stderr: Vec<String>,
    /// Files that must exist in public/ after the build.
    #[serde(default)]
    outputs: Vec<String>,
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
    assert!(cases.len() >= 12, "the catalogue shrank: {}", cases.len());
    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap().to_string_lossy().into_owned();
        let expect: Expect = toml::from_str(&fs::read_to_string(case.join("expect.toml")).unwrap())
            .unwrap_or_else(|e| panic!("{name}/expect.toml: {e}"));
        let dir = tempfile::tempdir().unwrap();
        copy_dir(&root.join("_base"), dir.path());
        copy_dir(case, dir.path());
        fs::remove_file(dir.path().join("expect.toml")).unwrap();
        let out = glossator(dir.path(), &["build"]);
        let err = stderr(&out);
        let code = out.status.code().unwrap_or(-1);
        if code != expect.exit {
            failures.push(format!(
                "{name}: exit {code}, expected {}\n{err}",
                expect.exit
            ));
            continue;
        }
        for line in &expect.stderr {
            if !err.contains(line.as_str()) {
                failures.push(format!("{name}: stderr lacks {line:?}\n--- stderr:\n{err}"));
            }
        }
        if expect.exit != 0 && dir.path().join("public").exists() {
            failures.push(format!("{name}: a failed build wrote public/"));
        }
        for file in &expect.outputs {
            if !dir.path().join("public").join(file).exists() {
                failures.push(format!("{name}: public/{file} is missing"));
            }
        }
        if err.contains("panicked") {
            failures.push(format!("{name}: panicked\n{err}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

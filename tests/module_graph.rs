//! The crate's top-level modules import one another downwards only: no
//! module reaches, directly or through others, back to itself. Read from
//! the source (`crate::<module>` paths outside test modules), so a new
//! import that closes a circle fails here, naming the circle.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Top-level module → the top-level modules it names.
fn graph(src: &Path) -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    let top = |p: &Path| -> String {
        let rel = p.strip_prefix(src).unwrap();
        let first = rel
            .components()
            .next()
            .unwrap()
            .as_os_str()
            .to_string_lossy();
        first.trim_end_matches(".rs").to_string()
    };
    let modules: BTreeSet<String> = files
        .iter()
        .map(|p| top(p))
        .filter(|m| m != "main" && m != "lib")
        .collect();
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for path in &files {
        let from = top(path);
        if !modules.contains(&from)
            || path.ends_with("tests.rs")
            || path.ends_with("commit_tests.rs")
        {
            continue;
        }
        let text = fs::read_to_string(path).unwrap();
        // Test modules may reach anywhere.
        let text = text.split("#[cfg(test)]\nmod tests").next().unwrap();
        let mut names: Vec<String> = Vec::new();
        for (i, _) in text.match_indices("crate::") {
            let rest = &text[i + "crate::".len()..];
            if let Some(group) = rest.strip_prefix('{') {
                // `use crate::{a::X, b};`
                let group = &group[..group.find('}').unwrap_or(group.len())];
                names.extend(group.split(',').map(|part| {
                    let part = part.trim();
                    part.split("::").next().unwrap_or("").to_string()
                }));
            } else {
                let name: String = rest
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                names.push(name);
            }
        }
        let entry = graph.entry(from.clone()).or_default();
        for name in names {
            if name != from && modules.contains(&name) {
                entry.insert(name);
            }
        }
    }
    graph
}

/// A path from `to` back to `from`, if there is one.
fn path_back(
    graph: &BTreeMap<String, BTreeSet<String>>,
    from: &str,
    to: &str,
    seen: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    if to == from {
        return Some(vec![to.to_string()]);
    }
    if !seen.insert(to.to_string()) {
        return None;
    }
    for next in graph.get(to).into_iter().flatten() {
        if let Some(mut rest) = path_back(graph, from, next, seen) {
            rest.insert(0, to.to_string());
            return Some(rest);
        }
    }
    None
}

#[test]
fn top_level_modules_import_downwards_only() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let graph = graph(&src);
    assert!(
        graph.get("render").is_some_and(|d| d.contains("site")),
        "the reader finds imports: render uses site"
    );
    for (module, deps) in &graph {
        for dep in deps {
            if let Some(circle) = path_back(&graph, module, dep, &mut BTreeSet::new()) {
                panic!("a circle of imports: {module} -> {}", circle.join(" -> "));
            }
        }
    }
}

//! The incremental-equals-full property: after any sequence of edits, a
//! long-lived session told what changed produces byte for byte the site a
//! fresh build produces. proptest generates the edit sequences (and
//! shrinks a failing one to the shortest that still fails).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use glossator::build::{BuildOptions, build_site, render_site};
use glossator::output::{Body, MemorySink, OutputFile};
use glossator::session::{Changes, Session};
use glossator::theme::AssetSource;
use proptest::prelude::*;

mod support;

const TAGS: [&str; 5] = ["russia", "iran", "trade", "ports", "letters"];

fn post_text(title: &str, day: u8, tags: &[&str], body: &str, series: bool) -> String {
    let tags: Vec<String> = tags.iter().map(|t| format!("\"{t}\"")).collect();
    let series = if series { "series = \"Saga\"\n" } else { "" };
    format!(
        "+++\ntitle = \"{title}\"\ndate = 2020-01-{day:02}T10:00:00Z\ntags = [{}]\n{series}+++\n\n{body}\n\n> Quoted words.\n>\n> — Some One, [Paper](https://paper.example/x)\n",
        tags.join(", ")
    )
}

/// A small site with every kind of output: tags, a series, comments, a
/// page with an alias, a bundle with a file, a static file, a template.
fn seed_site(dir: &Path) {
    let w = |rel: &str, text: &str| {
        let path = dir.join(rel);
        fs::create_dir_all(path.parent().unwrap()).unwrap();
        fs::write(path, text).unwrap();
    };
    w(
        "glossator.toml",
        "title = \"Prop\"\nbase_url = \"https://prop.example\"\ntheme = \"local\"\npaginate_by = 2\n[comments]\nper_page = 2\n",
    );
    w("themes/local/static/theme.css", "body { margin: 0 }\n");
    w(
        "sources/paper.example/x/2020-01-01T000000Z.txt",
        "+++\nurl = \"https://paper.example/x\"\nretrieved = 2020-01-01T00:00:00Z\n+++\n\nQuoted words.\n",
    );
    for i in 0..6u8 {
        let tags = [TAGS[i as usize % 5], TAGS[(i as usize + 2) % 5]];
        w(
            &format!("content/posts/p{i}.md"),
            &post_text(
                &format!("Post {i}"),
                i + 1,
                &tags,
                &format!("Body of post {i}."),
                i % 2 == 0,
            ),
        );
    }
    w(
        "content/posts/bundle/index.md",
        "+++\ntitle = \"Bundle\"\ndate = 2020-01-20\naliases = [\"/old/bundle/\"]\n+++\n![x](pic.svg)\n",
    );
    w(
        "content/posts/bundle/pic.svg",
        "<svg xmlns=\"http://www.w3.org/2000/svg\"/>\n",
    );
    w(
        "content/pages/about.md",
        "+++\ntitle = \"About\"\n+++\nAbout.\n",
    );
    w(
        "content/comments/p1/c1.md",
        "+++\nauthor = \"A\"\ndate = 2020-01-03\n+++\nFirst.\n",
    );
    w(
        "content/comments/p1/c2.md",
        "+++\nauthor = \"B\"\ndate = 2020-01-04\nparent = \"c1\"\n+++\nReply.\n",
    );
    w(
        "content/comments/p1/c3.md",
        "+++\nauthor = \"C\"\ndate = 2020-01-05\n+++\nThird.\n",
    );
    w("static/extra.css", "p { color: red }\n");
    w(
        "templates/page.html",
        "{% extends \"base.html\" %}{% block main %}<h1>{{ page.title }}</h1>{{ page.content | safe }}{% endblock main %}\n",
    );
}

#[derive(Debug, Clone)]
enum Edit {
    AddPost(u8),
    ChangeBody(u8, u16),
    ChangeTitle(u8, u16),
    Delete(u8),
    Rename(u8, u8),
    Retag(u8, u8),
    Redate(u8, u8),
    /// Moves a post's time within its day (its URL stays): the index is
    /// patched rather than made again, unless the order changes.
    Retime(u8, u16),
    Touch(u8),
    AddComment(u8, u16),
    RemoveComments(u8),
    Template(u16),
    Config(u8),
    Static(u16),
    Break(u8),
    /// Sets one front matter field of a post (see [`FIELDS`]).
    Field(u8, u8, u16),
    /// A comment from the author, or a webmention, pingback or like.
    Social(u8, u16),
    ThemeStatic(u16),
    /// `check --refresh` marking the snapshot changed, or clearing it.
    SourceMark(bool),
}

/// Every front matter field a view shows, one line each (inline tables so
/// that a line can be replaced): `{n}` varies the value, `{d}` is a day.
const FIELDS: [(&str, &str); 20] = [
    ("description", "description = \"Described {n}\""),
    ("summary", "summary = \"Summed up {n}\""),
    ("image", "image = \"/img/{n}.png\""),
    ("link", "link = \"https://link.example/{n}\""),
    (
        "via",
        "via = { name = \"Via {n}\", url = \"https://via.example/{n}\" }",
    ),
    ("updated", "updated = 2020-03-{d}T00:00:00Z"),
    ("author", "author = \"Writer {n}\""),
    ("categories", "categories = [\"cat{n}\"]"),
    ("pinned", "pinned = {b}"),
    ("draft", "draft = {b}"),
    ("comments", "comments = \"{mode}\""),
    ("extra", "extra = { mood = \"m{n}\" }"),
    (
        "updates",
        "updates = [{ at = 2020-03-{d}T00:00:00Z, note = \"Update {n}\" }]",
    ),
    (
        "sources",
        "sources = { paper = { publication = \"Paper {n}\", url = \"https://paper.example/x\", snapshot = \"sources/paper.example/x/2020-01-01T000000Z.txt\" } }",
    ),
    ("kind", "kind = \"{kind}\""),
    ("slug", "slug = \"s{n}\""),
    ("aliases", "aliases = [\"/old/{n}/\"]"),
    ("series", "series = \"Saga {n}\""),
    ("tags", "tags = [\"t{n}\", \"iran\"]"),
    ("title", "title = \"Field title {n}\""),
];

/// Replaces (or adds) the line of front matter key `key` in `text`.
fn set_field(text: &str, key: &str, line: &str) -> Option<String> {
    let body_at = text[4..].find("+++\n")? + 4;
    let front: Vec<&str> = text[4..body_at]
        .lines()
        .filter(|l| !l.starts_with(&format!("{key} =")))
        .collect();
    Some(format!(
        "+++\n{line}\n{}\n{}",
        front.join("\n"),
        &text[body_at..]
    ))
}

fn edit_strategy() -> impl Strategy<Value = Edit> {
    prop_oneof![
        (0u8..12).prop_map(Edit::AddPost),
        (0u8..12, any::<u16>()).prop_map(|(i, n)| Edit::ChangeBody(i, n)),
        (0u8..12, any::<u16>()).prop_map(|(i, n)| Edit::ChangeTitle(i, n)),
        (0u8..12).prop_map(Edit::Delete),
        (0u8..12, 0u8..12).prop_map(|(a, b)| Edit::Rename(a, b)),
        (0u8..12, 0u8..5).prop_map(|(i, t)| Edit::Retag(i, t)),
        (0u8..12, 1u8..28).prop_map(|(i, d)| Edit::Redate(i, d)),
        (0u8..12, any::<u16>()).prop_map(|(i, m)| Edit::Retime(i, m)),
        (0u8..12).prop_map(Edit::Touch),
        (0u8..12, any::<u16>()).prop_map(|(i, n)| Edit::AddComment(i, n)),
        (0u8..12).prop_map(Edit::RemoveComments),
        any::<u16>().prop_map(Edit::Template),
        (1u8..4).prop_map(Edit::Config),
        any::<u16>().prop_map(Edit::Static),
        (0u8..12).prop_map(Edit::Break),
        (0u8..12, 0u8..FIELDS.len() as u8, any::<u16>()).prop_map(|(i, f, n)| Edit::Field(i, f, n)),
        (0u8..12, any::<u16>()).prop_map(|(i, n)| Edit::Social(i, n)),
        any::<u16>().prop_map(Edit::ThemeStatic),
        any::<bool>().prop_map(Edit::SourceMark),
    ]
}

/// Applies an edit to the site and says what changed, as the watcher would.
fn apply(dir: &Path, edit: &Edit) -> Changes {
    let mut changes = Changes::default();
    let mut touched: BTreeSet<PathBuf> = BTreeSet::new();
    let post = |i: u8| dir.join(format!("content/posts/p{i}.md"));
    match edit {
        Edit::ChangeBody(i, n) => {
            // Only the text changes: front matter and quote stay.
            if let Ok(text) = fs::read_to_string(post(*i))
                && let Some(start) = text.find("+++\n\n").map(|s| s + 5)
                && let Some(end) = text.find("\n\n> Quoted")
                && start <= end
            {
                let new = format!(
                    "{}New body {n} for post {i}.{}",
                    &text[..start],
                    &text[end..]
                );
                fs::write(post(*i), new).unwrap();
                touched.insert(post(*i));
            }
        }
        Edit::AddPost(i) | Edit::ChangeTitle(i, _) | Edit::Retag(i, _) | Edit::Redate(i, _) => {
            let old = fs::read_to_string(post(*i)).ok();
            let (title, day, tag, body) = match edit {
                Edit::ChangeTitle(_, n) => (
                    format!("Renamed {n}"),
                    i + 1,
                    0,
                    format!("Body of post {i}."),
                ),
                Edit::Retag(_, t) => (format!("Post {i}"), i + 1, *t, format!("Body of post {i}.")),
                Edit::Redate(_, d) => (format!("Post {i}"), *d, 0, format!("Body of post {i}.")),
                _ => (
                    format!("Post {i}"),
                    (i % 27) + 1,
                    1,
                    format!("Body of post {i}."),
                ),
            };
            if old.is_none() && !matches!(edit, Edit::AddPost(_)) {
                return changes;
            }
            let tags = [TAGS[tag as usize % 5]];
            fs::write(post(*i), post_text(&title, day, &tags, &body, i % 2 == 0)).unwrap();
            touched.insert(post(*i));
        }
        Edit::Retime(i, m) => {
            if let Ok(text) = fs::read_to_string(post(*i))
                && let Some(at) = text.find("\ndate = ").map(|x| x + 18)
                && text[at..].starts_with('T')
            {
                let time = format!("T{:02}:{:02}:00Z", m % 24, m % 60);
                let new = format!("{}{time}{}", &text[..at], &text[at + 10..]);
                fs::write(post(*i), new).unwrap();
                touched.insert(post(*i));
            }
        }
        Edit::Delete(i) => {
            if fs::remove_file(post(*i)).is_ok() {
                touched.insert(post(*i));
            }
        }
        Edit::Rename(a, b) => {
            if a != b && post(*a).exists() && !post(*b).exists() {
                fs::rename(post(*a), post(*b)).unwrap();
                touched.insert(post(*a));
                touched.insert(post(*b));
            }
        }
        Edit::Touch(i) => {
            if let Ok(text) = fs::read_to_string(post(*i)) {
                fs::write(post(*i), text).unwrap();
                touched.insert(post(*i));
            }
        }
        Edit::AddComment(i, n) => {
            let folder = dir.join(format!("content/comments/p{i}"));
            fs::create_dir_all(&folder).unwrap();
            let file = folder.join(format!("n{n}.md"));
            fs::write(
                &file,
                format!(
                    "+++\nauthor = \"R{n}\"\ndate = 2020-02-{:02}\n+++\nComment {n}.\n",
                    n % 27 + 1
                ),
            )
            .unwrap();
            touched.insert(file);
        }
        Edit::RemoveComments(i) => {
            let folder = dir.join(format!("content/comments/p{i}"));
            if fs::remove_dir_all(&folder).is_ok() {
                touched.insert(folder);
            }
        }
        Edit::Template(n) => {
            fs::write(
                dir.join("templates/page.html"),
                format!("{{% extends \"base.html\" %}}{{% block main %}}<h1>{n}: {{{{ page.title }}}}</h1>{{% endblock main %}}\n"),
            )
            .unwrap();
            changes.templates = true;
        }
        Edit::Config(n) => {
            fs::write(
                dir.join("glossator.toml"),
                format!(
                    "title = \"Prop {n}\"\nbase_url = \"https://prop.example\"\ntheme = \"local\"\npaginate_by = {n}\n{}[comments]\nper_page = {n}\n[archives]\ndays = {}\n",
                    // URLs without the date: a new date keeps the URL.
                    if *n == 3 { "permalink = \"/:slug/\"\n" } else { "" },
                    n % 2 == 0
                ),
            )
            .unwrap();
            changes.config = true;
        }
        Edit::Static(n) if n % 4 == 0 => {
            // A name Windows refuses, there or gone: while it is there,
            // every build warns about it (and the plan is never patched).
            let odd = dir.join("static/files/aux.txt");
            if odd.exists() {
                fs::remove_file(&odd).unwrap();
            } else {
                fs::create_dir_all(odd.parent().unwrap()).unwrap();
                fs::write(&odd, "kept as it is\n").unwrap();
            }
            touched.insert(odd);
        }
        Edit::Static(n) => {
            fs::write(
                dir.join("static/extra.css"),
                format!("p {{ color: #{n:06x} }}\n"),
            )
            .unwrap();
            touched.insert(dir.join("static/extra.css"));
        }
        Edit::Field(i, f, n) => {
            let (key, template) = FIELDS[*f as usize];
            let line = template
                .replace("{n}", &(n % 7).to_string())
                .replace("{d}", &format!("{:02}", n % 27 + 1))
                .replace("{b}", if n % 2 == 0 { "true" } else { "false" })
                .replace("{mode}", ["open", "closed", "off"][*n as usize % 3])
                .replace(
                    "{kind}",
                    ["entry", "note", "quote", "link"][*n as usize % 4],
                );
            if let Ok(text) = fs::read_to_string(post(*i))
                && let Some(mut new) = set_field(&text, key, &line)
            {
                if key == "sources" {
                    // Quote the declared source by its id, so the post
                    // lists it.
                    new = new.replace("— Some One, [Paper](https://paper.example/x)", "— [paper]");
                }
                fs::write(post(*i), new).unwrap();
                touched.insert(post(*i));
            }
        }
        Edit::Social(i, n) => {
            let folder = dir.join(format!("content/comments/p{i}"));
            fs::create_dir_all(&folder).unwrap();
            let file = folder.join(format!("s{}.md", n % 5));
            let fields = match n % 4 {
                0 => "author = \"Prop\"\nrole = \"author\"".to_string(),
                1 => format!(
                    "author = \"Liker\"\ntype = \"webmention\"\nmention = \"like\"\nsource = \"https://other.example/{n}\""
                ),
                2 => format!(
                    "author = \"Blog\"\ntype = \"pingback\"\nsource = \"https://pings.example/{n}\""
                ),
                _ => format!(
                    "author = \"Replier\"\ntype = \"webmention\"\nmention = \"reply\"\nsource = \"https://reply.example/{n}\""
                ),
            };
            fs::write(
                &file,
                format!(
                    "+++\n{fields}\ndate = 2020-02-{:02}\n+++\nSaid {n}.\n",
                    n % 27 + 1
                ),
            )
            .unwrap();
            touched.insert(file);
        }
        Edit::ThemeStatic(n) => {
            fs::write(
                dir.join("themes/local/static/theme.css"),
                format!("body {{ margin: {n}px }}\n"),
            )
            .unwrap();
            changes.templates = true;
        }
        Edit::SourceMark(on) => {
            let mark = dir.join("sources/paper.example/x/2020-01-01T000000Z.changed.toml");
            if *on {
                fs::write(
                    &mark,
                    "found = \"2020-05-01T00:00:00Z\"\nwhat = \"changed\"\ndetails = [\"a paragraph changed\"]\n",
                )
                .unwrap();
            } else {
                let _ = fs::remove_file(&mark);
            }
            // serve treats `sources/` as configuration.
            changes.config = true;
        }
        Edit::Break(i) => {
            if post(*i).exists() {
                fs::write(post(*i), "+++\ntitle = \"broken\n+++\n").unwrap();
                touched.insert(post(*i));
            }
        }
    }
    changes.paths = touched;
    changes
}

/// The site as comparable data: path → bytes, a copied file's bytes as
/// `copy` gives them.
fn flatten_with(files: &[OutputFile], copy: impl Fn(&Path) -> Vec<u8>) -> Vec<(String, Vec<u8>)> {
    let mut flat: Vec<(String, Vec<u8>)> = files
        .iter()
        .map(|f| {
            let bytes = match &f.body {
                Body::Bytes(b) => b.to_vec(),
                Body::Copy(AssetSource::File(p)) => copy(p),
                Body::Copy(AssetSource::Embedded(b)) => b.to_vec(),
            };
            (f.path.as_str().to_string(), bytes)
        })
        .collect();
    flat.sort();
    flat
}

/// Copies by source path (their bytes are read only when written).
fn flatten(files: &[OutputFile]) -> Vec<(String, Vec<u8>)> {
    flatten_with(files, |p| {
        [b"copy:".as_slice(), p.to_string_lossy().as_bytes()].concat()
    })
}

/// What `serve` holds: the site, patched with each build's changes (or
/// replaced when the session sent everything).
#[derive(Default)]
struct Held(std::collections::BTreeMap<String, Vec<u8>>);

/// The site's files and its warnings, or its errors.
type Outcome = Result<(Vec<(String, Vec<u8>)>, Vec<String>), Vec<String>>;

fn messages(d: &glossator::diagnostic::Diagnostics) -> Vec<String> {
    let mut all: Vec<String> = d.iter().map(|d| d.to_string()).collect();
    all.sort();
    all
}

fn incremental_build(session: &mut Session, held: &mut Held, changes: &Changes) -> Outcome {
    let sink = MemorySink::default();
    match session.build(changes, &sink) {
        Ok(built) => {
            if built.complete {
                held.0.clear();
            }
            for path in &built.removed {
                held.0.remove(path.as_str());
            }
            for (path, bytes) in flatten(&sink.into_files()) {
                held.0.insert(path, bytes);
            }
            let files = held.0.iter().map(|(p, b)| (p.clone(), b.clone())).collect();
            Ok((files, messages(&built.diagnostics)))
        }
        Err(f) => Err(f.diagnostics.iter().map(|d| d.to_string()).collect()),
    }
}

fn fresh_build(options: &BuildOptions) -> Outcome {
    match render_site(options) {
        Ok(r) => Ok((flatten(&r.files), messages(&r.diagnostics))),
        Err(f) => Err(f.diagnostics.iter().map(|d| d.to_string()).collect()),
    }
}

fn first_difference(a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)]) -> String {
    let left: BTreeSet<&String> = a.iter().map(|(p, _)| p).collect();
    let right: BTreeSet<&String> = b.iter().map(|(p, _)| p).collect();
    if left != right {
        return format!(
            "files differ: only incremental {:?}, only fresh {:?}",
            left.difference(&right).collect::<Vec<_>>(),
            right.difference(&left).collect::<Vec<_>>()
        );
    }
    for ((p, x), (_, y)) in a.iter().zip(b) {
        if x != y {
            return format!(
                "{p} differs:\n--- incremental\n{}\n--- fresh\n{}",
                String::from_utf8_lossy(x),
                String::from_utf8_lossy(y)
            );
        }
    }
    "no difference".into()
}

/// `PROPTEST_CASES` when set (a longer search), else `default`.
fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

proptest! {
    // 96 sequences by default; PROPTEST_CASES=1000 for a longer search.
    #![proptest_config(ProptestConfig {
        cases: cases(96),
        max_shrink_iters: 200,
        ..ProptestConfig::default()
    })]

    #[test]
    fn incremental_builds_equal_fresh_builds(edits in proptest::collection::vec(edit_strategy(), 1..10)) {
        let dir = tempfile::tempdir().unwrap();
        seed_site(dir.path());
        let mut options = BuildOptions::new(dir.path());
        options.now = "2026-11-27T00:00:00Z".parse().unwrap();
        let mut session = Session::new(options.clone());
        let mut held = Held::default();
        let (first, _) = incremental_build(&mut session, &mut held, &Changes::default()).unwrap();
        let (fresh, _) = fresh_build(&options).unwrap();
        prop_assert!(first == fresh, "first build: {}", first_difference(&first, &fresh));
        for edit in &edits {
            let changes = apply(dir.path(), edit);
            let incremental = incremental_build(&mut session, &mut held, &changes);
            let fresh = fresh_build(&options);
            match (&incremental, &fresh) {
                (Ok((a, warned)), Ok((b, fresh_warned))) => {
                    prop_assert!(a == b, "after {:?}: {}", edit, first_difference(a, b));
                    // Every build warns as a fresh one would.
                    prop_assert_eq!(warned, fresh_warned, "after {:?}", edit);
                }
                (Err(a), Err(b)) => prop_assert_eq!(a, b, "after {:?}", edit),
                _ => prop_assert!(false, "after {:?}: incremental {:?} but fresh {:?}", edit,
                    incremental.as_ref().map(|_| "ok"), fresh.as_ref().map(|_| "ok")),
            }
        }
    }
}

proptest! {
    // 32 sequences by default (each step writes a site to disk);
    // PROPTEST_CASES for a longer search.
    #![proptest_config(ProptestConfig {
        cases: cases(32),
        max_shrink_iters: 100,
        ..ProptestConfig::default()
    })]

    /// `glossator build` again and again into one folder, which leaves
    /// pages whose key is the last build's unrendered, writes what a build
    /// into memory makes.
    #[test]
    fn repeated_builds_on_disk_equal_fresh_builds(edits in proptest::collection::vec(edit_strategy(), 1..8)) {
        let dir = tempfile::tempdir().unwrap();
        seed_site(dir.path());
        let out = tempfile::tempdir().unwrap();
        let mut options = BuildOptions::new(dir.path());
        options.now = "2026-11-27T00:00:00Z".parse().unwrap();
        options.output = Some(out.path().join("public"));
        // The second build records keys; the third finds them.
        build_site(&options, |_| {}).unwrap();
        build_site(&options, |_| {}).unwrap();
        let again = build_site(&options, |_| {}).unwrap();
        prop_assert_eq!(again.written.written, 0);
        prop_assert_eq!(again.written.unrendered, again.written.files);
        for edit in &edits {
            apply(dir.path(), edit);
            let built = build_site(&options, |_| {});
            let fresh = render_site(&options);
            match (&built, &fresh) {
                (Ok(_), Ok(fresh)) => {
                    let disk: Vec<_> = support::snapshot_tree(&out.path().join("public"))
                        .into_iter()
                        .filter(|(p, _)| p != ".glossator-output")
                        .collect();
                    let memory = flatten_with(&fresh.files, |p| fs::read(p).unwrap());
                    prop_assert!(disk == memory, "after {:?}: {}", edit, first_difference(&disk, &memory));
                }
                (Err(_), Err(_)) => {}
                _ => prop_assert!(false, "after {:?}: on disk {:?} but in memory {:?}", edit,
                    built.as_ref().map(|_| "ok"), fresh.as_ref().map(|_| "ok")),
            }
        }
    }
}

#[test]
fn an_edit_re_renders_only_what_it_touches() {
    let dir = tempfile::tempdir().unwrap();
    seed_site(dir.path());
    let mut options = BuildOptions::new(dir.path());
    options.now = "2026-11-27T00:00:00Z".parse().unwrap();
    let mut session = Session::new(options);
    let sink = MemorySink::default();
    let first = session.build(&Changes::default(), &sink).unwrap();
    let total = sink.into_files().len();
    assert!(first.complete);
    assert_eq!(
        first.rendered.len(),
        total,
        "the first build renders everything"
    );

    let changes = apply(dir.path(), &Edit::ChangeBody(3, 7));
    let sink = MemorySink::default();
    let built = session.build(&changes, &sink).unwrap();
    assert!(!built.complete);
    assert_eq!(
        sink.into_files().len(),
        built.rendered.len(),
        "only changed outputs reach the sink"
    );
    let rendered: Vec<&str> = built.rendered.iter().map(|p| p.as_str()).collect();
    assert!(
        rendered.contains(&"2020/01/04/p3/index.html"),
        "{rendered:?}"
    );
    assert!(
        rendered.len() < total / 2,
        "rendered {} of {total}: {rendered:?}",
        rendered.len()
    );
    assert!(!rendered.contains(&"about/index.html"), "{rendered:?}");
    // The bundle post has no tags, series or comments in common, and is not
    // a neighbour: its page stays as it was.
    assert!(
        !rendered.contains(&"2020/01/20/bundle/index.html"),
        "{rendered:?}"
    );
    assert!(
        !rendered.contains(&"tags/index.html"),
        "tag counts did not change: {rendered:?}"
    );
}

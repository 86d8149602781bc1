use super::*;

use crate::markdown::{Source, Sources};

/// A body with something in every field an entry holds: headings (one
/// with an id written by hand), a cited quote naming a declared source, a
/// timed inline update, an unknown source, links, a footnote, a summary
/// cut, highlighted code, an unknown language (a warning) and an
/// unclosed comment (another).
const BODY: &str = "Lead with [a link](https://news.example/story) and a note.[^1]

<!-- more -->

## First part {#first}

> The quoted words, at length.
>
> — [paper]

> Words of nobody declared.
>
> — [nobody]

### Second part

Text [UPDATE 2009-03-03 14:10: it moved]. And ![an image](pic.png).

```rust
fn main() {}
```

```nolanguage
plain
```

[^1]: The note.

<!-- never closed
";

fn sources() -> Sources {
    let mut sources = Sources::new();
    sources.insert(
        "paper".to_string(),
        Source {
            id: "paper".into(),
            publication: Some("The Paper".into()),
            url: Some("https://paper.example/a".into()),
            ..Source::default()
        },
    );
    sources
}

fn ctx<'a>(sources: &'a Sources, tz: &'a jiff::tz::TimeZone) -> RenderContext<'a> {
    RenderContext {
        page_path: "/2009/03/03/post/",
        base_path: "/blog",
        highlight: true,
        whole_summary: false,
        commentary: CommentaryContext {
            sources,
            timezone: tz,
            day: Some(jiff::civil::date(2009, 3, 3)),
        },
    }
}

fn new_york() -> jiff::tz::TimeZone {
    jiff::tz::TimeZone::get("America/New_York").unwrap()
}

#[test]
fn an_entry_reads_back_as_the_rendering_it_was_made_from() {
    let (sources, tz) = (sources(), new_york());
    let (rendered, problems) = super::super::render(BODY, &ctx(&sources, &tz));
    // The body exercises every field, or the round trip proves little.
    assert!(rendered.headings.iter().any(|h| h.explicit));
    assert!(rendered.headings.iter().any(|h| !h.explicit && h.line > 0));
    let f = &rendered.commentary;
    assert!(!f.quotes.is_empty() && !f.sources_used.is_empty());
    assert!(f.inline_updates.iter().any(|u| u.at.is_some()));
    assert!(!f.unknown_sources.is_empty());
    assert!(rendered.links.len() >= 2 && rendered.has_more);
    assert!(!rendered.summary_html.is_empty() && !rendered.summary_text.is_empty());
    assert!(problems.len() >= 2, "{problems:?}");
    assert!(problems.iter().any(|p| p.hint.is_some()));

    let blocks = [7u128, u128::MAX];
    let bytes = encode(&rendered, &problems, &blocks);
    let (back, back_problems, back_blocks) = decode(&bytes).expect("reads back");
    assert_eq!(back, rendered);
    assert_eq!(back.html.get(), rendered.html.get());
    assert_eq!(back_problems, problems);
    assert_eq!(back_blocks, blocks);

    // Cut short, or with bytes left over: not an entry.
    for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
        assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
    }
    // Packed as stored, and back; damaged packing is refused.
    let packed = pack(&bytes);
    assert!(packed.len() < bytes.len());
    assert_eq!(unpack(&packed).as_deref(), Some(&bytes[..]));
    assert!(unpack(&packed[..packed.len() / 2]).is_none());
    let mut claims_more = packed.clone();
    claims_more[..4].copy_from_slice(&u32::MAX.to_le_bytes());
    assert!(unpack(&claims_more).is_none());
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(decode(&longer).is_none());
    // A count larger than the bytes left is refused, not allocated: the
    // headings' count follows three texts, a flag and two numbers.
    let html = rendered.html.get();
    let at =
        3 * 8 + html.len() + rendered.summary_html.len() + rendered.summary_text.len() + 1 + 16;
    assert_eq!(
        bytes[at..at + 8],
        (rendered.headings.len() as u64).to_le_bytes()
    );
    let mut huge = bytes.clone();
    huge[at..at + 8].copy_from_slice(&(u64::MAX / 4).to_le_bytes());
    assert!(decode(&huge).is_none());
}

#[test]
fn the_key_changes_with_the_body_and_every_field_of_the_context() {
    let (sources, tz) = (sources(), new_york());
    let base = ctx(&sources, &tz);
    let k = key(BODY, &base);
    assert_eq!(k, key(BODY, &ctx(&sources, &tz)));
    assert_ne!(k, key("Another body.", &base));
    let mut other_sources = sources.clone();
    other_sources.get_mut("paper").unwrap().publication = Some("The Other Paper".into());
    let utc = jiff::tz::TimeZone::UTC;
    let variants = [
        RenderContext {
            page_path: "/2009/03/04/post/",
            ..base
        },
        RenderContext {
            base_path: "",
            ..base
        },
        RenderContext {
            highlight: false,
            ..base
        },
        RenderContext {
            whole_summary: true,
            ..base
        },
        RenderContext {
            commentary: CommentaryContext {
                sources: &other_sources,
                ..base.commentary
            },
            ..base
        },
        RenderContext {
            commentary: CommentaryContext {
                timezone: &utc,
                ..base.commentary
            },
            ..base
        },
        RenderContext {
            commentary: CommentaryContext {
                day: None,
                ..base.commentary
            },
            ..base
        },
    ];
    for (i, variant) in variants.iter().enumerate() {
        assert_ne!(k, key(BODY, variant), "variant {i}");
    }
}

/// Every field of a declared source is in the key, and a value moved from
/// one field to the next is not the same key.
#[test]
fn the_key_changes_with_every_field_of_a_source() {
    let tz = new_york();
    let day = |d| {
        Some(
            jiff::civil::date(2009, 3, d)
                .at(9, 0, 0, 0)
                .to_zoned_datetime(tz.clone())
                .unwrap(),
        )
    };
    let base = Source {
        id: "paper".into(),
        ..Source::default()
    };
    let edits: Vec<fn(&mut Source)> = vec![
        |s| s.id = "other".into(),
        |s| s.publication = Some("The Paper".into()),
        |s| s.author = Some("The Paper".into()),
        |s| s.title = Some("The Paper".into()),
        |s| s.url = Some("The Paper".into()),
        |s| s.archive = Some("The Paper".into()),
        |s| s.snapshot = Some(("sources/paper.md".into(), (3, 1))),
        |s| s.snapshot = Some(("sources/paper.md".into(), (1, 3))),
    ];
    let mut variants: Vec<Source> = edits
        .iter()
        .map(|edit| {
            let mut s = base.clone();
            edit(&mut s);
            s
        })
        .collect();
    for d in [day(3), day(4)] {
        variants.push(Source {
            date: d.clone(),
            ..base.clone()
        });
        variants.push(Source {
            retrieved: d,
            ..base.clone()
        });
    }
    // The same instant in another zone is another source date.
    variants.push(Source {
        date: day(3).map(|d| d.with_time_zone(jiff::tz::TimeZone::UTC)),
        ..base.clone()
    });
    variants.push(base.clone());
    let keys: Vec<u128> = variants
        .into_iter()
        .map(|source| {
            let mut sources = Sources::new();
            sources.insert("paper".to_string(), source);
            key(BODY, &ctx(&sources, &tz))
        })
        .collect();
    for (i, a) in keys.iter().enumerate() {
        for (j, b) in keys.iter().enumerate().skip(i + 1) {
            assert_ne!(a, b, "variants {i} and {j}");
        }
    }
    // The name a source is declared under counts too.
    let mut renamed = Sources::new();
    renamed.insert("journal".to_string(), base);
    assert_ne!(keys.last(), Some(&key(BODY, &ctx(&renamed, &tz))));
}

/// Renders `bodies` through `memo` the way a build does: load, render,
/// save. Returns how many came from the memo.
fn build(memo: &BodyMemo, root: &Path, bodies: &[&str]) -> usize {
    let (sources, tz) = (sources(), new_york());
    memo.load(root);
    let mut hits = 0;
    for body in bodies {
        let before = memo
            .read()
            .entries
            .contains_key(&key(body, &ctx(&sources, &tz)));
        let (through, problems) = memo.render(body, &ctx(&sources, &tz));
        let (direct, direct_problems) = super::super::render(body, &ctx(&sources, &tz));
        assert_eq!(through, direct, "the memo changes nothing");
        assert_eq!(problems, direct_problems);
        hits += usize::from(before);
    }
    memo.save(root).unwrap();
    hits
}

fn entries_on_disk(root: &Path) -> Option<usize> {
    let bytes = cache_file::read(root, MEMO_FILE)?;
    Some(cache_file::entries(&bytes, MAGIC)?.len())
}

#[test]
fn a_site_records_from_its_second_build_and_uses_it_from_its_third() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let memo = BodyMemo::default();
    let (a, b) = (BODY, "Another post, with [a link](https://e.example/).\n");

    // First build: nothing recorded, an empty memo left as the sign.
    assert_eq!(build(&memo, root, &[a, b]), 0);
    assert_eq!(entries_on_disk(root), Some(0));
    assert!(root.join(MEMO_FILE).is_file());
    // Second: recorded, not yet used.
    assert_eq!(build(&memo, root, &[a, b]), 0);
    assert_eq!(entries_on_disk(root), Some(2));
    // Third: both from the memo (the unknown language's block too: only
    // highlighted blocks must still be in the highlight cache); the file
    // is left as it was.
    let written = std::fs::metadata(root.join(MEMO_FILE))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(build(&memo, root, &[a, b]), 2);
    assert_eq!(
        std::fs::metadata(root.join(MEMO_FILE))
            .unwrap()
            .modified()
            .unwrap(),
        written
    );
    // A post gone and one edited: the memo keeps what was used.
    let edited = "Another post, edited.\n";
    assert_eq!(build(&memo, root, &[edited]), 0);
    assert_eq!(entries_on_disk(root), Some(1));
    assert_eq!(build(&memo, root, &[edited]), 1);

    // Between a save and the next load, renders are not remembered.
    let (sources, tz) = (sources(), new_york());
    memo.render("Not remembered.\n", &ctx(&sources, &tz));
    assert!(memo.read().entries.is_empty() && !memo.read().active);
    // Another site's save leaves this one's memo alone.
    memo.load(root);
    let other = tempfile::tempdir().unwrap();
    memo.save(other.path()).unwrap();
    assert!(!other.path().join(MEMO_FILE).exists());
    assert!(memo.read().active);
}

#[test]
fn a_damaged_memo_is_ignored_and_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    let memo = BodyMemo::default();
    build(&memo, root, &[BODY]);
    build(&memo, root, &[BODY]);
    let path = root.join(MEMO_FILE);
    let mut bytes = std::fs::read(&path).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 1;
    std::fs::write(&path, &bytes).unwrap();
    assert_eq!(memo.load(root), 0);
    memo.save(root).unwrap();
    // Still recorded from: the damaged file said the site builds here.
    assert_eq!(build(&memo, root, &[BODY]), 0);
    assert_eq!(entries_on_disk(root), Some(1));
    assert_eq!(build(&memo, root, &[BODY]), 1);
}

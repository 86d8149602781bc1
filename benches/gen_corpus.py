#!/usr/bin/env python3
"""Generates a commentary-blog corpus for benchmarks, twice: as a glossator
site and as the same posts in a Hugo site with equivalent minimal
templates (post, paginated home, tag and category pages, RSS, sitemap).

Posts are 600-1,200 words in the seed's shape: a lead linking a story, a
long attributed quote, numbered commentary, more paragraphs with links and
a footnote, sometimes a second quote and an update. About 200 tags, 15
categories, dates over 15 years, pagination by 10. Deterministic for a seed.

Usage: benches/gen_corpus.py N OUT_DIR [--seed S]
Writes OUT_DIR/glossator/ and OUT_DIR/hugo/."""
import argparse
import os
import random
import shutil
from datetime import datetime, timedelta

WORDS = """the a of and to in that is was for on with as by at from it this be are
not have has had but or an they their which will would there been more its
about one also can said after when who than into what only two new other
some could them over these may first any then time most should our between
both under where while being before through during against without within
government minister officials letter offer treaty port fishing border trade
talks council vote budget policy ministry cabinet election press report
story agreement dispute strait coast capital envoy summit proposal response
statement spokesman spokeswoman negotiation sanction tariff freight harbour
reform coalition parliament senate court ruling memo briefing deal pact
analysts observers critics supporters diplomats reporters editors readers
quietly publicly privately firmly carefully briefly openly formally already
""".split()

NAMES = ["Hannah Ruiz", "Peter Vance", "Ines Okafor", "Tomas Ek", "Ada Morrow", "Lise Arnaud",
         "Jonas Pereira", "Margit Solberg", "Sam Reporter", "Teodora Lind", "Ravi Menon", "Yuki Sato"]
PAPERS = ["The Meridian Post", "The Harbor Gazette", "Strait Affairs", "The Daily Ledger",
          "The Evening Standard-Bearer", "Coastal Review", "The Capital Courier", "Northern Dispatch"]
CATEGORIES = ["Foreign policy", "Trade", "Elections", "Courts", "Media", "Economy", "Security",
              "Diplomacy", "Regions", "Energy", "Migration", "Technology", "Culture", "Letters", "Notes"]


def sentence(rng, lo=8, hi=22):
    words = [rng.choice(WORDS) for _ in range(rng.randint(lo, hi))]
    words[0] = words[0].capitalize()
    return " ".join(words) + rng.choice([".", ".", ".", "?", "!"])


def paragraph(rng, lo=3, hi=6):
    return " ".join(sentence(rng) for _ in range(rng.randint(lo, hi)))


def words_in(text):
    return len(text.split())


# Code a technology commentary blog quotes: a few languages, each block
# built from varied lines so no two are the same text.
CODE_LINES = {
    "rust": ["let {w} = {n};", "fn {w}(x: u32) -> u32 {{ x + {n} }}", "// {w} the {w}",
             "println!(\"{w} {{}}\", {w});", "if {w} > {n} {{ return Err(\"{w}\".into()); }}"],
    "python": ["{w} = {n}", "def {w}(x):\n    return x * {n}", "# {w} of {w}",
               "print(f\"{w} {{{w}}}\")", "for {w} in range({n}):\n    pass"],
    "js": ["const {w} = {n};", "function {w}(x) {{ return x + {n}; }}", "// {w}",
           "console.log(`{w} ${{{w}}}`);", "if ({w} > {n}) {{ throw new Error('{w}'); }}"],
    "bash": ["{w}={n}", "echo \"{w} ${w}\"", "# {w}", "for f in *.{w}; do wc -l \"$f\"; done",
             "curl -s https://{w}.example/{n} | jq '.{w}'"],
    "go": ["{w} := {n}", "func {w}(x int) int {{ return x + {n} }}", "// {w}",
           "fmt.Println(\"{w}\", {w})", "if err != nil {{ return fmt.Errorf(\"{w}: %w\", err) }}"],
    "sql": ["SELECT {w}, COUNT(*) FROM posts GROUP BY {w};", "-- {w}",
            "UPDATE posts SET {w} = {n} WHERE id = {n};", "INSERT INTO {w} VALUES ({n}, '{w}');"],
}


def code_block(rng):
    lang = rng.choice(sorted(CODE_LINES))
    lines = [rng.choice(CODE_LINES[lang]).format(w=rng.choice(WORDS), n=rng.randint(1, 999))
             for _ in range(rng.randint(5, 25))]
    return f"```{lang}\n" + "\n".join(lines) + "\n```"


def make_post(i, rng, tags, start, code=0.0):
    date = start + timedelta(minutes=rng.randint(0, 15 * 365 * 24 * 60))
    slug = f"post-{i:06d}"
    title = sentence(rng, 3, 8).rstrip(".?!")
    post_tags = rng.sample(tags, rng.randint(1, 4))
    category = rng.choice(CATEGORIES)
    author = rng.choice(NAMES)
    paper = rng.choice(PAPERS)
    story = f"https://news.example/{date:%Y/%m/%d}/{slug}-story"
    parts = [
        f"{paper}'s {author} [reports]({story}) that {sentence(rng).lower()}",
        "\n".join("> " + paragraph(rng, 2, 4) + "\n>" for _ in range(rng.randint(2, 4))) + "\n> — [src]",
        "Three things worth noticing:",
        "\n".join(f"{n}. {paragraph(rng, 1, 3)}" for n in range(1, 4)),
    ]
    body_words = sum(words_in(p) for p in parts)
    target = rng.randint(600, 1200)
    footnoted = False
    while body_words < target:
        p = paragraph(rng)
        if not footnoted and rng.random() < 0.5:
            p += "[^1]"
            footnoted = True
        if rng.random() < 0.3:
            p += f" See [an earlier note](https://elsewhere.example/{rng.randint(1, 10**6)})."
        parts.append(p)
        body_words += words_in(p)
    if code and rng.random() < code:
        for _ in range(rng.randint(1, 3)):
            parts.insert(rng.randint(4, len(parts)), code_block(rng))
    second = rng.random() < 0.3
    if second:
        parts.append("The story has since been updated:")
        parts.append("> " + paragraph(rng, 2, 3) + "\n>\n> — [src-later]")
    if rng.random() < 0.2:
        parts.append(f"My guess [UPDATE {date + timedelta(hours=3):%Y-%m-%d %H:%M}: {sentence(rng).lower()}] still holds.")
    if footnoted:
        parts.append(f"[^1]: {sentence(rng)}")
    body = "\n\n".join(parts) + "\n"
    return {
        "slug": slug, "title": title, "date": date, "tags": post_tags, "category": category,
        "author": author, "paper": paper, "story": story, "body": body, "second": second,
        "quotes": [part for part in parts if part.startswith("> ")],
    }


def toml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def snapshot_rel(p, which):
    return f"sources/news-example/{p['slug']}-story/{which}.txt"


def snapshot_text(p, quote_block, which):
    """The quoted story as `glossator cite` keeps it: the quoted
    paragraphs among others of the story (a separate random stream, so
    the posts stay the same with or without snapshots)."""
    rng = random.Random(f"{p['slug']}/{which}")
    quoted = [line[2:] for line in quote_block.split("\n") if line.startswith("> ") and not line.startswith("> —")]
    paras = [paragraph(rng) for _ in range(rng.randint(2, 5))] + quoted + [paragraph(rng) for _ in range(rng.randint(2, 5))]
    meta = (f'url = {toml_str(p["story"])}\ntitle = {toml_str(p["title"])}\n'
            f'author = {toml_str(p["author"])}\npublication = {toml_str(p["paper"])}\n'
            f'retrieved = "{p["date"]:%Y-%m-%dT%H:%M:%S}Z"\n')
    return "+++\n" + meta + "+++\n\n" + "\n\n".join(paras) + "\n"


def glossator_post(p, snapshots=False):
    lines = [
        "+++",
        f"title = {toml_str(p['title'])}",
        f"date = {p['date']:%Y-%m-%dT%H:%M:%S}Z",
        "tags = [" + ", ".join(toml_str(t) for t in p["tags"]) + "]",
        f"categories = [{toml_str(p['category'])}]",
        "",
        "[sources.src]",
        f"publication = {toml_str(p['paper'])}",
        f"author = {toml_str(p['author'])}",
        f"url = {toml_str(p['story'])}",
        f"date = {p['date']:%Y-%m-%d}",
    ]
    if snapshots:
        lines.append(f"snapshot = {toml_str(snapshot_rel(p, 'first'))}")
    if p["second"]:
        lines += ["", "[sources.src-later]", f"publication = {toml_str(p['paper'])}",
                  f"author = {toml_str(p['author'])}", f"url = {toml_str(p['story'])}",
                  f"retrieved = {p['date'] + timedelta(hours=5):%Y-%m-%dT%H:%M:%S}Z"]
        if snapshots:
            lines.append(f"snapshot = {toml_str(snapshot_rel(p, 'later'))}")
    lines.append("+++")
    return "\n".join(lines) + "\n\n" + p["body"]


def hugo_post(p):
    # Hugo does not know sources; the attribution lines stay text, as they
    # would in any other generator.
    lines = [
        "+++",
        f"title = {toml_str(p['title'])}",
        f"date = {p['date']:%Y-%m-%dT%H:%M:%S}Z",
        "tags = [" + ", ".join(toml_str(t) for t in p["tags"]) + "]",
        f"categories = [{toml_str(p['category'])}]",
        "+++",
    ]
    return "\n".join(lines) + "\n\n" + p["body"]


# Entries a feed holds, told to both tools: glossator's `[feeds] entries`
# (its default too) and Hugo's `[services.rss] limit`.
FEED_ENTRIES = 20

HUGO_CONFIG = f"""baseURL = "https://bench.example/"
languageCode = "en"
title = "Bench"
disableKinds = []
[pagination]
pagerSize = 10
paginate = 10
[permalinks]
posts = "/:year/:month/:day/:slug/"
[taxonomies]
tag = "tags"
category = "categories"
[markup.goldmark.extensions]
typographer = true
footnote = true
table = true
strikethrough = true
taskList = true
# As many entries a feed as glossator's: Hugo's own default is every page,
# in every term's feed and the home feed, which cost it about 40% of a
# 10,000-post build and made every ratio before 2026-12-05 flatter to
# glossator than it was.
[services.rss]
limit = {FEED_ENTRIES}
"""

HUGO_LAYOUTS = {
    "_default/baseof.html": """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }} · {{ .Site.Title }}</title>
<link rel="alternate" type="application/rss+xml" href="/index.xml"></head>
<body><header><a href="/">{{ .Site.Title }}</a></header><main>{{ block "main" . }}{{ end }}</main></body></html>
""",
    "_default/single.html": """{{ define "main" }}<article><h1>{{ .Title }}</h1><time datetime="{{ .Date.Format "2006-01-02T15:04:05Z07:00" }}">{{ .Date.Format "January 2, 2006" }}</time>
<div>{{ .Content }}</div><p>{{ range .Params.tags }}<a href="/tags/{{ . | urlize }}/">{{ . }}</a> {{ end }}</p>
{{ with .PrevInSection }}<a href="{{ .Permalink }}">{{ .Title }}</a>{{ end }} {{ with .NextInSection }}<a href="{{ .Permalink }}">{{ .Title }}</a>{{ end }}</article>{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}<article><h2><a href="{{ .Permalink }}">{{ .Title }}</a></h2><div>{{ .Summary }}</div></article>{{ end }}
{{ with .Paginator.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} {{ with .Paginator.Next }}<a href="{{ .URL }}">Older</a>{{ end }}{{ end }}
""",
    "index.html": """{{ define "main" }}{{ $p := .Paginate .Site.RegularPages }}{{ range $p.Pages }}<article><h2><a href="{{ .Permalink }}">{{ .Title }}</a></h2><div>{{ .Summary }}</div></article>{{ end }}
{{ with $p.Prev }}<a href="{{ .URL }}">Newer</a>{{ end }} {{ with $p.Next }}<a href="{{ .URL }}">Older</a>{{ end }}{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1><ul>{{ range .Data.Terms.Alphabetical }}<li><a href="{{ .Page.Permalink }}">{{ .Page.Title }}</a> ({{ .Count }})</li>{{ end }}</ul>{{ end }}
""",
}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=2009)
    ap.add_argument("--code", type=float, default=0.0,
                    help="the share of posts that quote 1 to 3 code blocks (0.33 for the highlighting bench)")
    ap.add_argument("--snapshots", action="store_true",
                    help="give every source a snapshot under sources/ holding its quote (the quote-check bench)")
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tags = sorted({" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 2))) for _ in range(400)})[:200]
    start = datetime(2010, 1, 1)
    g = os.path.join(args.out, "glossator")
    h = os.path.join(args.out, "hugo")
    for d in (g, h):
        shutil.rmtree(d, ignore_errors=True)
    write(os.path.join(g, "glossator.toml"),
          'title = "Bench"\nbase_url = "https://bench.example"\ntimezone = "UTC"\npaginate_by = 10\n'
          f'[feeds]\nentries = {FEED_ENTRIES}\n')
    write(os.path.join(h, "hugo.toml"), HUGO_CONFIG)
    for name, text in HUGO_LAYOUTS.items():
        write(os.path.join(h, "layouts", name), text)
    for i in range(args.n):
        p = make_post(i, rng, tags, start, args.code)
        write(os.path.join(g, "content", "posts", f"{p['slug']}.md"), glossator_post(p, args.snapshots))
        if args.snapshots:
            for which, block in zip(["first", "later"], p["quotes"]):
                write(os.path.join(g, snapshot_rel(p, which)), snapshot_text(p, block, which))
        write(os.path.join(h, "content", "posts", f"{p['slug']}.md"), hugo_post(p))
    print(f"gen_corpus: {args.n} posts in {g} and {h}")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Parses the sample blog with a real microformats parser (mf2py).

Every post page must be one h-entry with a name, URL, published date and
content. The seed-shaped post ("Fish for ports") must also carry updated,
categories and an author h-card, hold in its content h-cites whose URL is
the quoted story's, and list its comments as p-comment h-cites.
Needs scripts/install-test-tools.sh (mf2py in .tools/py)."""
import glob
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".tools", "py"))
import mf2py  # noqa: E402

BASE = "https://marginalia.example"
SEED = "2026/03/03/fish-for-ports"
STORY = "https://meridian-post.example/2026/03/03/kestria-fishing-ports"

failures = []


def check(cond, message):
    if not cond:
        failures.append(message)


def parse(site, rel):
    with open(os.path.join(site, rel, "index.html"), encoding="utf-8") as f:
        return mf2py.parse(doc=f.read(), url=f"{BASE}/{rel}/")


def walk(items):
    for item in items:
        yield item
        yield from walk(item.get("children", []))
        for values in item.get("properties", {}).values():
            yield from walk([v for v in values if isinstance(v, dict) and "type" in v])


def count_comments(comments):
    return sum(1 + count_comments(c["properties"].get("comment", [])) for c in comments)


def main():
    site = subprocess.run(
        [os.path.join(ROOT, "scripts", "build-sample.sh")], check=True, capture_output=True, text=True
    ).stdout.strip().splitlines()[-1]
    site = os.path.join(ROOT, site)

    posts = [
        os.path.relpath(os.path.dirname(p), site)
        for p in glob.glob(os.path.join(site, "20[0-9][0-9]", "*", "*", "*", "index.html"))
    ]
    check(len(posts) >= 5, f"expected at least 5 post pages, found {len(posts)}")
    for rel in posts:
        entries = [i for i in parse(site, rel)["items"] if "h-entry" in i["type"]]
        check(len(entries) == 1, f"{rel}: {len(entries)} h-entries")
        if entries:
            props = entries[0]["properties"]
            for name in ["name", "url", "published", "content"]:
                check(props.get(name), f"{rel}: h-entry lacks {name}")
            check(f"{BASE}/{rel}/" in props.get("url", []), f"{rel}: u-url is not the permalink: {props.get('url')}")

    doc = parse(site, SEED)
    entry = next(i for i in doc["items"] if "h-entry" in i["type"])
    props = entry["properties"]
    check(props["name"][0].strip() == "Fish for ports", f"name: {props['name']}")
    check(props.get("updated"), "seed post: no dt-updated")
    check("linkage" in props.get("category", []), f"categories: {props.get('category')}")
    authors = props.get("author", [])
    check(authors and "h-card" in authors[0].get("type", []), f"author is not an h-card: {authors}")
    content_html = props["content"][0]["html"]
    check('class="quote h-cite"' in content_html, "content holds no h-cite figure")
    cites = [i for i in walk(entry.get("children", [])) if "h-cite" in i["type"] and STORY in i["properties"].get("url", [])]
    check(len(cites) >= 2, f"expected two h-cites of the story, found {len(cites)}")
    for c in cites:
        check(c["properties"].get("author"), f"h-cite without author: {c['properties']}")
        check(c["properties"].get("published"), f"h-cite without published: {c['properties']}")
    comments = props.get("comment", [])
    check(all("h-cite" in c["type"] for c in comments), "comments are not h-cites")
    n = count_comments(comments)
    check(n == 5, f"expected the 5 comments of page 1 (threads c1-c3, c4-c5), found {n}")
    names = {c["properties"]["author"][0]["properties"]["name"][0] for c in comments}
    check("Margit Solberg" in names, f"comment authors: {names}")

    if failures:
        print("check-microformats: FAILED", file=sys.stderr)
        for f in failures:
            print("  - " + f, file=sys.stderr)
        sys.exit(1)
    print(f"check-microformats: {len(posts)} post pages are h-entries; the seed post has {len(cites)} h-cites of its story and {n} comments")


if __name__ == "__main__":
    main()

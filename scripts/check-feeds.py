#!/usr/bin/env python3
"""Parses every feed of the sample blog with a real feed parser.

Atom and RSS go through feedparser, which must report bozo == 0 (a
well-formed, understood feed) and find entries with titles, links, dates
and content. feed.json is checked against JSON Feed 1.1's required fields.
Needs scripts/install-test-tools.sh (feedparser in .tools/py)."""
import glob
import json
import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, ".tools", "py"))
import feedparser  # noqa: E402

failures = []


def check(cond, message):
    if not cond:
        failures.append(message)


def main():
    site = subprocess.run(
        [os.path.join(ROOT, "scripts", "build-sample.sh")], check=True, capture_output=True, text=True
    ).stdout.strip().splitlines()[-1]
    site = os.path.join(ROOT, site)

    xml_feeds = sorted(
        p for p in glob.glob(os.path.join(site, "**", "*.xml"), recursive=True)
        if os.path.basename(p) in ("atom.xml", "rss.xml")
    )
    check(len(xml_feeds) >= 5, f"expected the site, kind, tag, category and series feeds; found {len(xml_feeds)}")
    entries_seen = 0
    for path in xml_feeds:
        rel = os.path.relpath(path, site)
        d = feedparser.parse(path)
        check(d.bozo == 0, f"{rel}: bozo {d.bozo}: {d.get('bozo_exception')}")
        check(d.version in ("atom10", "rss20"), f"{rel}: version {d.version!r}")
        check(d.feed.get("title"), f"{rel}: no feed title")
        check(d.entries, f"{rel}: no entries")
        for e in d.entries:
            entries_seen += 1
            check(e.get("title"), f"{rel}: entry without title")
            check(e.get("link", "").startswith("https://"), f"{rel}: entry link not absolute: {e.get('link')}")
            check(e.get("published_parsed"), f"{rel}: {e.get('title')}: no published date")
            html = (e.get("content") or [{}])[0].get("value") or e.get("summary", "")
            check(len(html) > 20, f"{rel}: {e.get('title')}: no content")
            check('src="/' not in html and 'href="/' not in html, f"{rel}: {e.get('title')}: root-relative URL in content")

    path = os.path.join(site, "feed.json")
    with open(path, encoding="utf-8") as f:
        feed = json.load(f)
    check(feed.get("version") == "https://jsonfeed.org/version/1.1", f"feed.json: version {feed.get('version')!r}")
    check(isinstance(feed.get("title"), str) and feed["title"], "feed.json: no title")
    check(isinstance(feed.get("items"), list) and feed["items"], "feed.json: no items")
    for key in ("home_page_url", "feed_url"):
        check(str(feed.get(key, "")).startswith("https://"), f"feed.json: {key} not absolute")
    for item in feed.get("items", []):
        check(isinstance(item.get("id"), str) and item["id"], f"feed.json: item without id: {item}")
        check(item.get("content_html") or item.get("content_text"), f"feed.json: {item.get('id')}: no content")
        check(item.get("url", "").startswith("https://"), f"feed.json: {item.get('id')}: url not absolute")
        check(item.get("date_published"), f"feed.json: {item.get('id')}: no date_published")
    links = [i for i in feed.get("items", []) if i.get("external_url")]
    check(links, "feed.json: the link post has no external_url")

    if failures:
        print("check-feeds: FAILED", file=sys.stderr)
        for f in failures:
            print("  - " + f, file=sys.stderr)
        sys.exit(1)
    print(f"check-feeds: {len(xml_feeds)} Atom/RSS feeds parse cleanly (bozo 0, {entries_seen} entries); feed.json has {len(feed['items'])} valid items")


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Imports real WordPress exports into fresh sites and reports, per file:
items, posts and comments carried, old URLs answering, report lines, and
whether the site builds and passes `check`.

    python3 scripts/try-imports.py EXPORT.xml [EXPORT.xml ...]

Uses the release binary (cargo build --release first). The old URLs are
read from each export: every published post's and page's <link> that is
not a plain ?p= permalink.
"""
import os, re, subprocess, sys, tempfile, time, xml.etree.ElementTree as ET
from urllib.parse import urlparse, unquote

BIN = os.path.join(os.path.dirname(__file__), "..", "target", "release", "glossator")

def run(args, cwd):
    t = time.time()
    p = subprocess.run([BIN] + args, cwd=cwd, capture_output=True, text=True)
    return p, time.time() - t

def old_urls(path):
    try:
        tree = ET.parse(path)
    except ET.ParseError as e:
        return None, str(e)
    root = tree.getroot()
    ns = {}
    for el in root.iter():
        if el.tag.startswith("{") and el.tag.endswith("}post_type"):
            ns["wp"] = el.tag[1:el.tag.index("}")]
            break
    if "wp" not in ns:
        return None, "no wp namespace"
    channel = root.find("channel")
    base = (channel.findtext("{%s}base_blog_url" % ns["wp"]) or channel.findtext("link") or "").rstrip("/")
    base_path = urlparse(base).path.rstrip("/")
    urls, items, comments = [], 0, 0
    for item in channel.findall("item"):
        items += 1
        t = item.findtext("{%s}post_type" % ns["wp"])
        s = item.findtext("{%s}status" % ns["wp"])
        pw = item.findtext("{%s}post_password" % ns["wp"]) or ""
        if t in ("post", "page") and s == "publish" and not pw:
            comments += sum(1 for c in item.findall("{%s}comment" % ns["wp"])
                            if c.findtext("{%s}comment_approved" % ns["wp"]) == "1")
            link = (item.findtext("link") or "").strip()
            u = urlparse(link)
            if u.query or not u.path:
                continue
            p = unquote(u.path)
            if base_path and p.startswith(base_path):
                p = p[len(base_path):] or "/"
            if p == "/":
                continue
            urls.append(p)
    return (urls, items, comments), None

def answers(public, path):
    rel = path.lstrip("/")
    f = os.path.join(public, rel, "index.html") if path.endswith("/") else os.path.join(public, rel)
    return os.path.isfile(f) or os.path.isfile(os.path.join(public, rel, "index.html"))

for export in sys.argv[1:]:
    name = os.path.basename(export)
    data, err = old_urls(export)
    with tempfile.TemporaryDirectory() as d:
        run(["init", "site"], d)
        site = os.path.join(d, "site")
        p, took = run(["import", "wordpress", os.path.abspath(export)], site)
        if p.returncode != 0:
            first = (p.stderr.strip().splitlines() or [""])[0]
            print(f"{name}: import refused ({first})")
            continue
        summary = p.stdout.splitlines()[0] if p.stdout else ""
        report = 0
        rp = os.path.join(site, "import-report.txt")
        if os.path.exists(rp):
            report = sum(1 for l in open(rp) if ": warning: " in l)
        b, btook = run(["build"], site)
        c, _ = run(["check"], site)
        built = "builds" if b.returncode == 0 else "BUILD FAILS: " + (b.stderr.strip().splitlines() or [""])[-1]
        checked = (c.stderr.strip().splitlines() or [""])[-1]
        if data:
            urls, items, comments = data
            ok = sum(1 for u in urls if answers(os.path.join(site, "public"), u))
            print(f"{name}: {items} items, {len(urls)} old URLs, {ok} answering; {comments} approved comments in the export")
        print(f"    {summary}")
        print(f"    report lines: {report}; import {took:.2f} s; {built} ({btook:.2f} s); check: {checked}")
        if b.returncode != 0:
            print("    " + b.stderr.strip().replace("\n", "\n    ")[:2000])

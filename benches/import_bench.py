#!/usr/bin/env python3
"""How long importing a big old blog takes.

Generates a WordPress export (WXR) of POSTS posts in the seed's shape with
COMMENTS comments spread over them (threaded, some pingbacks, pending and
spam ones), imports it into a fresh `glossator init` site RUNS times, and
prints the median wall time and peak memory, then builds the imported
site once. Other importers add their own lines here.

Usage: benches/import_bench.py [--posts 2000] [--comments 25000] [--runs 3]
Never run by CI."""
import argparse
import os
import random
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "glossator")

WORDS = ("harbour council ferry contract budget review vote members tide quay "
         "lighthouse timetable crossing notes margin reading story revised minister "
         "port authority figures spring winter morning paper editor").split()


def sentence(rng, n=14):
    words = [rng.choice(WORDS) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def paragraph(rng):
    return " ".join(sentence(rng) for _ in range(rng.randint(3, 6)))


def cdata(text):
    return "<![CDATA[" + text.replace("]]>", "]]]]><![CDATA[>") + "]]>"


def generate(path, posts, comments, seed=7):
    rng = random.Random(seed)
    per_post = [0] * posts
    for _ in range(comments):
        per_post[rng.randrange(posts)] += 1
    with open(path, "w") as out:
        out.write('<?xml version="1.0" encoding="UTF-8" ?>\n<rss version="2.0" '
                  'xmlns:excerpt="http://wordpress.org/export/1.2/excerpt/" '
                  'xmlns:content="http://purl.org/rss/1.0/modules/content/" '
                  'xmlns:dc="http://purl.org/dc/elements/1.1/" '
                  'xmlns:wp="http://wordpress.org/export/1.2/">\n<channel>\n'
                  '<title>Bench Harbour</title><link>https://bench.example</link>'
                  '<description>A generated export</description><language>en-US</language>'
                  '<wp:wxr_version>1.2</wp:wxr_version><wp:base_blog_url>https://bench.example</wp:base_blog_url>\n'
                  '<wp:author><wp:author_id>1</wp:author_id><wp:author_login>editor</wp:author_login>'
                  '<wp:author_display_name>The Editor</wp:author_display_name></wp:author>\n')
        comment_id = 1
        for i in range(posts):
            day = 1 + i % 28
            month = 1 + (i // 28) % 12
            year = 2005 + i // (28 * 12)
            date = f"{year}-{month:02d}-{day:02d} 09:{i % 60:02d}:00"
            gmt = f"{year}-{month:02d}-{day:02d} 14:{i % 60:02d}:00"
            slug = f"post-{i}"
            body = (f"The <a href=\"https://gazette.example/{i}\">Gazette reports</a>:\n\n"
                    f"<blockquote>{paragraph(rng)}</blockquote>\n\n{paragraph(rng)}\n\n"
                    f"<!--more-->\n\n{paragraph(rng)}\n\n{paragraph(rng)}")
            if i % 10 == 0:
                body += f'\n\n[caption id="" align="alignnone" width="300"]<img src="https://bench.example/wp-content/uploads/{year}/{month:02d}/p{i}.jpg" alt="" /> A picture[/caption]'
            out.write(f"<item><title>{cdata('Post number ' + str(i))}</title>"
                      f"<link>https://bench.example/{year}/{month:02d}/{day:02d}/{slug}/</link>"
                      f"<dc:creator>editor</dc:creator><content:encoded>{cdata(body)}</content:encoded>"
                      f"<excerpt:encoded><![CDATA[]]></excerpt:encoded>"
                      f"<wp:post_id>{i + 1}</wp:post_id><wp:post_date>{date}</wp:post_date>"
                      f"<wp:post_date_gmt>{gmt}</wp:post_date_gmt><wp:comment_status>open</wp:comment_status>"
                      f"<wp:post_name>{slug}</wp:post_name><wp:status>publish</wp:status>"
                      f"<wp:post_parent>0</wp:post_parent><wp:post_type>post</wp:post_type>"
                      f"<wp:post_password></wp:post_password><wp:is_sticky>0</wp:is_sticky>"
                      f'<category domain="category" nicename="news"><![CDATA[News]]></category>'
                      f'<category domain="post_tag" nicename="tag-{i % 50}"><![CDATA[Tag {i % 50}]]></category>\n')
            first = comment_id
            for c in range(per_post[i]):
                parent = rng.randrange(first, comment_id) if comment_id > first and rng.random() < 0.4 else 0
                kind = "pingback" if rng.random() < 0.03 else ""
                approved = "spam" if rng.random() < 0.02 else ("0" if rng.random() < 0.02 else "1")
                out.write(f"<wp:comment><wp:comment_id>{comment_id}</wp:comment_id>"
                          f"<wp:comment_author>{cdata('Reader ' + str(comment_id % 500))}</wp:comment_author>"
                          f"<wp:comment_author_email>r{comment_id}@example.com</wp:comment_author_email>"
                          f"<wp:comment_author_url>https://reader{comment_id % 500}.example/</wp:comment_author_url>"
                          f"<wp:comment_date>{date}</wp:comment_date><wp:comment_date_gmt>{gmt}</wp:comment_date_gmt>"
                          f"<wp:comment_content>{cdata(sentence(rng, 20) + chr(10) + chr(10) + sentence(rng))}</wp:comment_content>"
                          f"<wp:comment_approved>{approved}</wp:comment_approved><wp:comment_type>{kind}</wp:comment_type>"
                          f"<wp:comment_parent>{parent}</wp:comment_parent><wp:comment_user_id>0</wp:comment_user_id></wp:comment>\n")
                comment_id += 1
            out.write("</item>\n")
        out.write("</channel>\n</rss>\n")


def generate_disqus(path, posts, comments, seed=11):
    """A Disqus export of COMMENTS comments over the bench site's posts."""
    rng = random.Random(seed)
    with open(path, "w") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n<disqus xmlns="http://disqus.com" '
                  'xmlns:dsq="http://disqus.com/disqus-internals">\n')
        for i in range(posts):
            day = 1 + i % 28
            month = 1 + (i // 28) % 12
            year = 2005 + i // (28 * 12)
            out.write(f'<thread dsq:id="t{i}"><id/><link>https://www.bench.example/{year}/{month:02d}/{day:02d}/post-{i}/?utm=x</link>'
                      f'<title>Post {i}</title><createdAt>{year}-{month:02d}-{day:02d}T10:00:00Z</createdAt></thread>\n')
        for c in range(comments):
            i = rng.randrange(posts)
            day = 1 + i % 28
            month = 1 + (i // 28) % 12
            year = 2005 + i // (28 * 12)
            parent = f'<parent dsq:id="{c - 1}"/>' if c and rng.random() < 0.3 else ""
            out.write(f'<post dsq:id="{c}"><message>{cdata("<p>" + sentence(rng, 20) + "</p>")}</message>'
                      f'<createdAt>{year}-{month:02d}-{day:02d}T{c % 24:02d}:{c % 60:02d}:00Z</createdAt>'
                      f'<isDeleted>false</isDeleted><isSpam>false</isSpam>'
                      f'<author><email>r{c}@example.com</email><name>Reader {c % 700}</name></author>'
                      f'<thread dsq:id="t{i}"/>{parent}</post>\n')
        out.write("</disqus>\n")


def generate_staticman(root, posts, comments, seed=13):
    """A Staticman data folder: one folder a post, one file a comment."""
    rng = random.Random(seed)
    for c in range(comments):
        i = rng.randrange(posts)
        folder = os.path.join(root, f"Post--{i}-")
        os.makedirs(folder, exist_ok=True)
        with open(os.path.join(folder, f"entry{c}.yml"), "w") as out:
            out.write(f"_id: s{c}\nname: Reader {c % 700}\nemail: r{c}@example.com\n"
                      f"message: \"{sentence(rng, 20)}\"\ndate: '2019-06-{1 + c % 28:02d}T10:00:00Z'\n")


def timed(args, cwd):
    start = time.perf_counter()
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    p = subprocess.run([BIN] + args, cwd=cwd, capture_output=True, text=True)
    wall = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if p.returncode != 0:
        sys.exit(f"glossator {' '.join(args)} failed:\n{p.stderr}")
    return wall, max(peak, before) / 1024, p.stdout


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=2000)
    ap.add_argument("--comments", type=int, default=25000)
    ap.add_argument("--runs", type=int, default=3)
    a = ap.parse_args()
    subprocess.run(["cargo", "build", "--quiet", "--release"], cwd=ROOT, check=True)
    with tempfile.TemporaryDirectory() as d:
        export = os.path.join(d, "export.xml")
        generate(export, a.posts, a.comments)
        size = os.path.getsize(export) / 1e6
        print(f"WordPress export: {a.posts:,} posts, {a.comments:,} comments, {size:.1f} MB")
        times = []
        for run in range(a.runs):
            site = os.path.join(d, f"site{run}")
            subprocess.run([BIN, "init", site], check=True, capture_output=True)
            wall, peak, out = timed(["import", "wordpress", export], site)
            times.append(wall)
        print(f"  import wordpress   median {statistics.median(times):.2f} s of {a.runs} runs "
              f"(min {min(times):.2f}, max {max(times):.2f}), peak {peak:.0f} MB")
        print("  " + out.splitlines()[0][:300])
        wall, peak, _ = timed(["build"], os.path.join(d, "site0"))
        print(f"  build of the imported site   {wall:.2f} s, peak {peak:.0f} MB")

        # Comments from elsewhere, onto the same posts: a copy of the
        # imported site without its WordPress comments for each run.
        disqus = os.path.join(d, "disqus.xml")
        generate_disqus(disqus, a.posts, a.comments)
        staticman = os.path.join(d, "staticman")
        generate_staticman(staticman, a.posts, a.comments)
        for name, args in (("disqus", ["import", "disqus", disqus]),
                           ("staticman", ["import", "staticman", staticman])):
            times = []
            for run in range(a.runs):
                site = os.path.join(d, f"{name}{run}")
                subprocess.run(["cp", "-r", os.path.join(d, "site0"), site], check=True)
                subprocess.run(["rm", "-rf", os.path.join(site, "content", "comments"),
                                os.path.join(site, "public")], check=True)
                wall, peak, out = timed(args, site)
                times.append(wall)
            print(f"  import {name:<10} {a.comments:,} comments: median {statistics.median(times):.2f} s "
                  f"of {a.runs} runs, peak {peak:.0f} MB")
            print("  " + out.splitlines()[0][:300])


if __name__ == "__main__":
    main()

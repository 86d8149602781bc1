#!/usr/bin/env python3
"""What syntax highlighting costs a build, and an edit of a post with code.

Generates a 10,000-post corpus in which a third of the posts quote one to
three code blocks (benches/gen_corpus.py --code 0.33, cached in
.tools/bench/code-10000), then builds it fresh into a RAM disk, RUNS times
each, alternating: highlighting off (`[markdown] highlight_code = false`);
on, with the highlighting cache deleted first (`.glossator/cache/`: the
first build of a site, or a CI runner that keeps no cache); and on, with
the cache the previous build left (every later build). The body memo
(.glossator/cache/markdown) is deleted before every run, so every post is
rendered and the highlighting itself is what is timed. It prints the
medians and the ratios to the plain build (the target: at most 1.15).
Hugo builds the same corpus in the same loop (it highlights fenced code by
default and keeps no highlighting cache), so the ratio against a peer is
printed too.

Then `glossator serve` on that site: EDITS edits of a post with code,
timing from the write to the reload message and to the new HTML.

Usage: benches/highlight_bench.py [--posts 10000] [--runs 5] [--edits 10]
Never run by CI: it takes minutes."""

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import bench  # noqa: E402  (the shared runner, serve timing and tools)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--edits", type=int, default=10)
    args = ap.parse_args()
    bench.ensure_tools()
    out = os.path.join(bench.TOOLS, "bench", f"code-{args.posts}")
    if not os.path.exists(os.path.join(out, "ok")):
        subprocess.run([sys.executable, os.path.join(bench.ROOT, "benches", "gen_corpus.py"),
                        str(args.posts), out, "--code", "0.33"], check=True)
        open(os.path.join(out, "ok"), "w").close()
    site = os.path.join(out, "glossator")
    hugo_site = os.path.join(out, "hugo")
    bench.write_hugo_config(hugo_site)
    config = os.path.join(site, "glossator.toml")
    base_config = re.sub(r"\n\[markdown\][^\[]*", "\n", open(config).read()).rstrip() + "\n"
    posts = os.listdir(os.path.join(site, "content", "posts"))
    with_code = [p for p in posts if "```" in open(os.path.join(site, "content", "posts", p)).read()]
    print(f"{len(posts):,} posts, {len(with_code):,} with code blocks")

    ram = "/dev/shm" if os.path.isdir("/dev/shm") else bench.TOOLS
    target = os.path.join(ram, "glossator-highlight-bench")
    hugo_target = os.path.join(ram, "hugo-highlight-bench")
    times = {"cold": [], "warm": [], "off": [], "hugo": []}
    cache = os.path.join(site, ".glossator", "cache")
    for _ in range(args.runs):
        for mode in ("cold", "warm", "off"):
            with open(config, "w") as f:
                f.write(base_config + f"\n[markdown]\nhighlight_code = {'false' if mode == 'off' else 'true'}\n")
            if mode == "cold":
                shutil.rmtree(cache, ignore_errors=True)
            # Every post is rendered in each mode: the body memo (which
            # would skip Markdown, highlighting and all) is not kept.
            if os.path.exists(os.path.join(cache, "markdown")):
                os.remove(os.path.join(cache, "markdown"))
            shutil.rmtree(target, ignore_errors=True)
            times[mode].append(bench.run([bench.BIN, "build", "-q", "-o", target], site))
        shutil.rmtree(hugo_target, ignore_errors=True)
        times["hugo"].append(bench.run(["hugo", "--quiet", "-d", hugo_target], hugo_site))
    with open(config, "w") as f:
        f.write(base_config)
    shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(hugo_target, ignore_errors=True)

    print(f"\n== fresh build, {args.runs} runs each, alternating ==")
    print(f"{'':22} {'wall s':>8} {'cpu s':>8} {'peak MB':>9}")
    rows = (("glossator, plain", "off"), ("highlighted, no cache", "cold"),
            ("highlighted, cached", "warm"), ("hugo (highlights)", "hugo"))
    for name, key in rows:
        v = times[key]
        print(f"{name:22} {bench.med(v, 0):8.2f} {bench.med(v, 1):8.2f} {bench.med(v, 2):9.0f}")
    off, hugo = bench.med(times["off"], 0), bench.med(times["hugo"], 0)
    for name, key in (("with no cache", "cold"), ("with the cache", "warm")):
        on = bench.med(times[key], 0)
        print(f"highlighting {name} costs {on / off:.2f}x the plain build's wall time "
              f"({bench.med(times[key], 1) / bench.med(times['off'], 1):.2f}x CPU; target at most 1.15x); "
              f"{hugo / on:.1f}x faster than Hugo")

    if args.edits:
        post = os.path.join("content", "posts", sorted(with_code)[len(with_code) // 2])
        msg, html, n = bench.serve_latency(site, post, args.edits)
        print(f"\n== serve: edits of a post with code, median of {n} ==")
        print(f"write -> reload message {msg:.1f} ms   write -> new HTML served {html:.1f} ms")


if __name__ == "__main__":
    main()

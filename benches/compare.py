#!/usr/bin/env python3
"""Two glossator binaries side by side on the 10,000-post bench corpus.

For a change that must not cost speed (the dependency-model refactor was
held to at most 5 % slower), this alternates a baseline binary and the
current one, RUNS times each:
  build   a fresh build into an empty folder on a RAM disk (wall, CPU, peak);
  serve   `glossator serve` on the corpus, EDITS one-post edits of two
          kinds: a body edit (the index stays) and a title edit (the index
          and every list showing the post change), each timed from the file
          write to the new HTML being served. Each run's median counts.
Medians of the runs, and current/baseline ratios, are printed.

Usage: benches/compare.py BASELINE_BIN [--runs 5] [--edits 10] [--posts 10000]
The current binary is target/release/glossator (built first). Never run by
CI: it takes minutes."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402


def title_latency(site, post, edits):
    """Median ms from a title edit to the home page serving the new title."""
    import websocket
    proc, url = bench.start_serve(site)
    try:
        ws = websocket.create_connection(url.replace("http://", "ws://") + "__glossator/livereload", timeout=60)
        ws.recv()
        path = os.path.join(site, post)
        original = open(path, encoding="utf-8").read()
        line = next(l for l in original.splitlines() if l.startswith("title = "))
        times = []
        for i in range(edits):
            title = f"Retitled for the benchmark {i} {time.time_ns()}"
            text = original.replace(line, f'title = "{title}"', 1)
            written = time.perf_counter()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            bench.wait_reload(ws)
            while title not in bench.fetch(url):
                time.sleep(0.001)
            times.append((time.perf_counter() - written) * 1000)
            time.sleep(0.15)
        with open(path, "w", encoding="utf-8") as f:
            f.write(original)
        time.sleep(0.5)
        return statistics.median(times)
    finally:
        proc.kill()
        proc.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("baseline")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--edits", type=int, default=10)
    ap.add_argument("--posts", type=int, default=10000)
    args = ap.parse_args()
    bench.ensure_tools()
    site = os.path.join(bench.corpus(args.posts), "glossator")
    # The newest post: it is on the home page, so a title edit shows there.
    posts = os.path.join(site, "content", "posts")

    def date_of(name):
        with open(os.path.join(posts, name), encoding="utf-8") as f:
            return next((l for l in f if l.startswith("date = ")), "")
    post = os.path.join("content", "posts", max(os.listdir(posts), key=date_of))
    ram = "/dev/shm" if os.path.isdir("/dev/shm") else bench.TOOLS
    binaries = {"baseline": os.path.abspath(args.baseline), "current": bench.BIN}
    results = {name: {"build": [], "body": [], "title": []} for name in binaries}
    for _ in range(args.runs):
        for name, binary in binaries.items():
            out = os.path.join(ram, f"glossator-compare-{name}")
            shutil.rmtree(out, ignore_errors=True)
            results[name]["build"].append(bench.run([binary, "build", "-q", "-o", out], site))
            shutil.rmtree(out, ignore_errors=True)
            bench.BIN = binary
            results[name]["body"].append(bench.serve_latency(site, post, args.edits)[1])
            results[name]["title"].append(title_latency(site, post, args.edits))
        bench.BIN = binaries["current"]
    print(f"== {args.posts:,} posts, {args.runs} alternated runs, medians ==")
    print(f"{'':10} {'build s':>8} {'cpu s':>7} {'peak MB':>8} {'body ms':>8} {'title ms':>9}")
    med = statistics.median
    rows = {}
    for name in binaries:
        r = results[name]
        rows[name] = (med(b[0] for b in r["build"]), med(b[1] for b in r["build"]),
                      med(b[2] for b in r["build"]), med(r["body"]), med(r["title"]))
        print(f"{name:10} {rows[name][0]:8.3f} {rows[name][1]:7.2f} {rows[name][2]:8.0f} "
              f"{rows[name][3]:8.1f} {rows[name][4]:9.1f}")
    ratio = [c / b for c, b in zip(rows["current"], rows["baseline"])]
    print(f"{'ratio':10} {ratio[0]:8.3f} {ratio[1]:7.3f} {ratio[2]:8.3f} {ratio[3]:8.3f} {ratio[4]:9.3f}"
          "   (current / baseline; under 1 is faster)")


if __name__ == "__main__":
    main()

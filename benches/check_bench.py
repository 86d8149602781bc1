#!/usr/bin/env python3
"""What verifying quotes costs `glossator check`.

Generates the same N-post corpus twice (benches/gen_corpus.py, same seed):
once as it is, once with --snapshots, where every source has a snapshot
under sources/ holding the quoted paragraphs among others of the story.
Then runs `glossator check` on each, RUNS times, alternating, and prints
the medians and their ratio (the target: at most 2). Both runs read and
render the whole site; the second also reads every snapshot and checks
every cited quote against it. No network.

Usage: benches/check_bench.py [--posts 10000] [--runs 5]
Never run by CI: it takes a minute or two."""

import argparse
import os
import statistics
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
import bench  # noqa: E402  (the shared runner and paths)


def corpus(n, snapshots):
    name = f"check-{n}{'-snapshots' if snapshots else ''}"
    out = os.path.join(bench.TOOLS, "bench", name)
    stamp = os.path.join(out, "ok")
    if not os.path.exists(stamp):
        cmd = [sys.executable, os.path.join(bench.ROOT, "benches", "gen_corpus.py"), str(n), out]
        subprocess.run(cmd + (["--snapshots"] if snapshots else []), check=True)
        open(stamp, "w").close()
    return os.path.join(out, "glossator")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--posts", type=int, default=10000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    subprocess.run(["cargo", "build", "--quiet", "--release"], cwd=bench.ROOT, check=True)
    plain, verified = corpus(args.posts, False), corpus(args.posts, True)
    times = {"without snapshots": [], "with snapshots": []}
    for _ in range(args.runs):
        for label, site in [("without snapshots", plain), ("with snapshots", verified)]:
            wall, _, rss = bench.run([bench.BIN, "--quiet", "check"], site)
            times[label].append((wall, rss))
    for label, runs in times.items():
        walls = [w for w, _ in runs]
        print(f"check, {args.posts} posts, {label}: {statistics.median(walls):.2f} s median "
              f"({min(walls):.2f}-{max(walls):.2f}), {max(r for _, r in runs):.0f} MB peak")
    ratio = statistics.median(w for w, _ in times["with snapshots"]) / statistics.median(
        w for w, _ in times["without snapshots"])
    print(f"quote verification: {ratio:.2f}x the check without it (target: at most 2)")


if __name__ == "__main__":
    main()

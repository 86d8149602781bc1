#!/usr/bin/env python3
"""Serve under load: many readers while a writer keeps saving.

Generates a commentary blog (benches/gen_corpus.py, 1,000 posts by
default) plus one post that a second process rewrites 10 times a second
the way most editors save (write a hidden temp file, rename it over the
post). Every version carries its round number in the title and in the
body. Meanwhile 100 keep-alive connections request the edited post, the
home page, its tag page, the Atom feed, the archive and the stylesheet as
fast as they can.

Every response must be complete (status 200, the whole body, HTML ending
in `</html>`) and from one build: a page may not show two different round
numbers. Prints requests, failures, p50/p99/max latency, and the server's
resident memory at the start, every minute, and at the end.

    benches/load.py                      # 20 s, 100 connections
    benches/load.py --duration 300       # the 5-minute soak

Needs Python 3 only (standard library); builds the release binary."""
import argparse
import http.client
import multiprocessing as mp
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from bench import start_serve

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
ROUND = re.compile(rb"load-round-(\d+)")

POST = """+++
title = "Harbour talks, load-round-{n}"
date = 2026-01-01T09:00:00Z
tags = ["load test", "harbour"]
categories = ["Diplomacy"]

[sources.ledger]
publication = "The Daily Ledger"
url = "https://ledger.example/harbour-talks"
+++

The Ledger reports that the harbour talks resumed this morning (load-round-{n}).

> The delegations met for four hours and agreed to meet again next week,
> officials said, without saying what had been agreed.
>
> — [ledger]

1. Four hours is long for a meeting that agreed nothing.
2. This is version load-round-{n} of the post.

<!-- more -->

[UPDATE: a later edition adds a statement from the port authority, load-round-{n}.]
"""


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def editor(path, rate, stop, counter):
    """Rewrites the post `rate` times a second with temp file + rename."""
    folder, name = os.path.split(path)
    temp = os.path.join(folder, f".{name}.tmp")
    n = 0
    next_at = time.monotonic()
    while not stop.is_set():
        n += 1
        with open(temp, "w", encoding="utf-8") as f:
            f.write(POST.format(n=n))
        os.replace(temp, path)
        counter.value = n
        next_at += 1.0 / rate
        time.sleep(max(0.0, next_at - time.monotonic()))


def check(path, status, body):
    """None when the response is right, else what is wrong with it."""
    if status != 200:
        return f"status {status}"
    if path.endswith("/") and not body.rstrip().endswith(b"</html>"):
        return "incomplete page"
    rounds = set(ROUND.findall(body))
    if len(rounds) > 1:
        return f"mixed builds: rounds {sorted(int(r) for r in rounds)}"
    if path in ("/", "/2026/01/01/harbour-talks/") and not rounds:
        return "edited post missing"
    return None


def reader(port, paths, deadline, results, offset):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    latencies, failures, highest, errors = [], [], 0, 0
    i = offset
    while time.monotonic() < deadline:
        path = paths[i % len(paths)]
        i += 1
        start = time.perf_counter()
        try:
            conn.request("GET", path)
            response = conn.getresponse()
            body = response.read()
            status = response.status
        except Exception as e:  # a failed request is a result, not a crash
            failures.append(f"{path}: {type(e).__name__}: {e}")
            errors += 1
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        latencies.append(time.perf_counter() - start)
        problem = check(path, status, body)
        if problem:
            failures.append(f"{path}: {problem}")
        for r in ROUND.findall(body):
            highest = max(highest, int(r))
    conn.close()
    results.append((latencies, failures, highest, errors))


def client_process(port, paths, deadline, threads, queue, index):
    results = []
    workers = [threading.Thread(target=reader, args=(port, paths, deadline, results, index * threads + t))
               for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    latencies = [x for r in results for x in r[0]]
    failures = [x for r in results for x in r[1]]
    queue.put((latencies, failures, max((r[2] for r in results), default=0), sum(r[3] for r in results)))


def percentile(sorted_values, p):
    if not sorted_values:
        return float("nan")
    k = min(len(sorted_values) - 1, int(round(p / 100 * (len(sorted_values) - 1))))
    return sorted_values[k]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--posts", type=int, default=1000)
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--processes", type=int, default=4, help="client processes sharing the connections")
    ap.add_argument("--duration", type=float, default=20)
    ap.add_argument("--edits-per-second", type=float, default=10)
    ap.add_argument("--keep", action="store_true", help="keep the generated site")
    args = ap.parse_args()

    subprocess.run(["cargo", "build", "--release", "--quiet"], cwd=ROOT, check=True)
    work = tempfile.mkdtemp(prefix="glossator-load-")
    subprocess.run([sys.executable, os.path.join(HERE, "gen_corpus.py"), str(args.posts), work], check=True,
                   stdout=subprocess.DEVNULL)
    site = os.path.join(work, "glossator")
    post = os.path.join(site, "content", "posts", "harbour-talks.md")
    with open(post, "w", encoding="utf-8") as f:
        f.write(POST.format(n=0))

    server, url = start_serve(site)
    try:
        port = int(url.rstrip("/").rsplit(":", 1)[1])
        paths = ["/2026/01/01/harbour-talks/", "/", "/tags/load-test/", "/atom.xml", "/archive/",
                 "/style.css", "/2026/01/01/harbour-talks/", "/categories/diplomacy/"]
        warm = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        for p in paths:
            warm.request("GET", p)
            r = warm.getresponse()
            body = r.read()
            problem = check(p, r.status, body)
            if problem:
                raise SystemExit(f"before the load, {p}: {problem}")
        warm.close()

        memory = [(0.0, rss_kb(server.pid))]
        print(f"{args.posts:,} posts + 1 edited; {args.connections} connections in {args.processes} processes; "
              f"{args.duration:.0f} s; edits {args.edits_per_second:g}/s (temp file + rename)")
        print(f"serve RSS at start: {memory[0][1] / 1024:.1f} MB")

        stop = mp.Event()
        counter = mp.Value("i", 0)
        writer = mp.Process(target=editor, args=(post, args.edits_per_second, stop, counter))
        queue = mp.Queue()
        start = time.monotonic()
        deadline = start + args.duration
        per = args.connections // args.processes
        clients = [mp.Process(target=client_process, args=(port, paths, deadline, per + (i < args.connections % args.processes), queue, i))
                   for i in range(args.processes)]
        writer.start()
        for c in clients:
            c.start()
        next_sample = 60.0
        while time.monotonic() < deadline:
            time.sleep(1)
            elapsed = time.monotonic() - start
            memory.append((elapsed, rss_kb(server.pid)))
            if elapsed >= next_sample:
                print(f"  at {elapsed:5.0f} s: serve RSS {memory[-1][1] / 1024:.1f} MB, {counter.value} edits so far")
                next_sample += 60
        stop.set()
        writer.join()
        outcomes = [queue.get() for _ in clients]
        for c in clients:
            c.join()
        elapsed = time.monotonic() - start
        time.sleep(1)
        memory.append((elapsed + 1, rss_kb(server.pid)))

        latencies = sorted(x for o in outcomes for x in o[0])
        failures = [x for o in outcomes for x in o[1]]
        highest = max(o[2] for o in outcomes)
        requests = len(latencies) + sum(o[3] for o in outcomes)
        print(f"requests: {requests:,} ({requests / elapsed:,.0f}/s), failed or inconsistent: {len(failures)}")
        print(f"latency ms: p50 {percentile(latencies, 50) * 1000:.1f}, p99 {percentile(latencies, 99) * 1000:.1f}, "
              f"max {latencies[-1] * 1000 if latencies else float('nan'):.1f}")
        print(f"edits written: {counter.value}, highest round seen by a reader: {highest}")
        rss = [m for _, m in memory]
        print(f"serve RSS MB: start {rss[0] / 1024:.1f}, end {rss[-1] / 1024:.1f}, max {max(rss) / 1024:.1f}")
        if len(memory) > 20:
            tenth = len(memory) // 10
            first = sum(rss[1:tenth + 1]) / tenth
            last = sum(rss[-tenth:]) / tenth
            print(f"serve RSS MB, mean of first and last tenth of the run: {first / 1024:.1f} -> {last / 1024:.1f}")
        for f in failures[:20]:
            print("  failure:", f)
        if server.poll() is not None:
            print("glossator serve exited during the run")
            return 1
        return 1 if failures else 0
    finally:
        server.kill()
        server.wait()
        if args.keep:
            print("site kept at", site)
        else:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""glossator against Hugo on the same generated commentary blog, side by side.

For each size N (default 1,000 and 10,000; add 100,000 with --huge) the
script generates the corpus (benches/gen_corpus.py, cached in .tools/bench),
then builds it with glossator and with Hugo, alternating, RUNS times each,
in two conditions:
  fresh  into an empty output folder on a RAM disk (/dev/shm), emptied
         before each run (untimed), with the site's cache folder
         (.glossator/, the body memo) deleted too: a clean checkout, every
         file new and every post rendered;
  warm   into the site's own public/ on disk, the previous run's output
         and the site's cache left in place (what a writer's repeated
         `build` does). Two untimed runs come first: a site's first build
         records no memo, its second records it.
Why not "fresh" on disk: removing the last run's ~20,000 files and
folders makes ext4 skip the just-freed inodes while it allocates new
ones for minutes afterwards, and creating them costs both tools 10-20 s of
kernel time that depends on the bench's own deletes, not on the tools.
Each run is timed as a child process: wall time, CPU time (user + system)
and peak memory (max RSS), read from wait4(). Medians and glossator/Hugo
ratios are printed.

Then the preview: `glossator serve` on the sample blog and on the 10,000
post site, EDITS one-post edits each, timing from the file write to the
WebSocket reload message, and to the new HTML being served (median). On
the large site each kind of edit is timed on its own: body (the post's
page), title (the home page), date (the time shown on the home page), tag
(a new tag's page) and kind (the post on /links/ and off it again).

With --baseline BIN (another glossator binary, e.g. one built from an
earlier commit), the warm condition also times BIN's repeat build of the
same site into its own output folder, alternating: what a change costs (or
saves) on the repeat build. The repeat build checks every file of the
output against the disk (one lstat each), so this is how that check's cost
is measured.

Usage: benches/bench.py [--sizes 1000,10000] [--runs 5] [--edits 20] [--huge] [--baseline BIN]
Installs Hugo (Debian package) and websocket-client (PyPI, into .tools/py)
when missing. Never run by CI: it takes minutes."""
import argparse
import os
import shutil
import statistics
import subprocess
import sys
import threading
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from gen_corpus import HUGO_CONFIG  # noqa: E402  (the config the corpus script writes)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TOOLS = os.path.join(ROOT, ".tools")
BIN = os.path.join(ROOT, "target", "release", "glossator")


def ensure_tools():
    if not shutil.which("hugo"):
        sudo = [] if os.geteuid() == 0 else ["sudo"]
        subprocess.run(sudo + ["apt-get", "update", "-qq"], check=True)
        subprocess.run(sudo + ["apt-get", "install", "-y", "-qq", "hugo"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    py = os.path.join(TOOLS, "py")
    sys.path.insert(0, py)
    try:
        import websocket  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--target", py, "websocket-client"], check=True)
        # The folder did not exist when the import above looked: forget that.
        import importlib
        importlib.invalidate_caches()
    subprocess.run(["cargo", "build", "--quiet", "--release"], cwd=ROOT, check=True)


def corpus(n):
    out = os.path.join(TOOLS, "bench", str(n))
    stamp = os.path.join(out, "ok")
    if not os.path.exists(stamp):
        subprocess.run([sys.executable, os.path.join(ROOT, "benches", "gen_corpus.py"), str(n), out], check=True)
        open(stamp, "w").close()
    # A corpus cached by an older bench may hold an older Hugo config.
    write_hugo_config(os.path.join(out, "hugo"))
    return out


def write_hugo_config(site):
    """Hugo's config as gen_corpus.py writes it now."""
    with open(os.path.join(site, "hugo.toml"), "w", encoding="utf-8") as f:
        f.write(HUGO_CONFIG)


def run(cmd, cwd):
    """Runs a command; returns (wall s, cpu s, max RSS MB)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    err = proc.stderr.read().decode(errors="replace")
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        how = f"killed by signal {-code}" if code < 0 else f"exit {code}"
        if code == -9:
            how += " (the kernel's out-of-memory killer, if nobody else sent it)"
        raise Failed(f"{os.path.basename(cmd[0])} {how} after {wall:.0f} s at {usage.ru_maxrss / 1024:.0f} MB peak; {err.strip()[:300]}")
    return wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


class Failed(Exception):
    pass


def forget_cache(site):
    """A clean checkout: no .glossator/ cache folder (the body memo)."""
    shutil.rmtree(os.path.join(site, ".glossator"), ignore_errors=True)


def build_pair(n, runs, baseline=None):
    base = corpus(n)
    g_site, h_site = os.path.join(base, "glossator"), os.path.join(base, "hugo")
    ram = "/dev/shm" if os.path.isdir("/dev/shm") else TOOLS
    results, hugo_failed = {}, None

    def hugo(args):
        # Hugo may not finish (at 100,000 posts it needs more memory than
        # this machine has): report that instead of losing the whole run.
        nonlocal hugo_failed
        if hugo_failed:
            return None
        try:
            return run(["hugo", "--quiet"] + args, h_site)
        except Failed as e:
            hugo_failed = str(e)
            return None

    b = []
    b_out = os.path.join(g_site, "public-baseline")
    for condition in ("fresh", "warm"):
        g, h = [], []
        if condition == "fresh":
            g_out = os.path.join(ram, f"glossator-bench-{n}")
            h_out = os.path.join(ram, f"hugo-bench-{n}")
        else:
            g_out, h_out = os.path.join(g_site, "public"), os.path.join(h_site, "public")
            # Untimed runs so "warm" starts from a built site (glossator's
            # second records the body memo its later builds use).
            run([BIN, "build", "-q"], g_site)
            run([BIN, "build", "-q"], g_site)
            hugo([])
            if baseline:
                run([baseline, "build", "-q", "-o", b_out], g_site)
        for _ in range(runs):
            if condition == "fresh":
                shutil.rmtree(g_out, ignore_errors=True)
                forget_cache(g_site)
            g.append(run([BIN, "build", "-q", "-o", g_out], g_site))
            if condition == "fresh":
                shutil.rmtree(h_out, ignore_errors=True)
            h_run = hugo(["-d", h_out])
            if h_run:
                h.append(h_run)
            if baseline and condition == "warm":
                b.append(run([baseline, "build", "-q", "-o", b_out], g_site))
        if condition == "fresh":
            shutil.rmtree(g_out, ignore_errors=True)
            shutil.rmtree(h_out, ignore_errors=True)
        results[condition] = (g, h)
    results["hugo_failed"] = hugo_failed
    results["baseline"] = b
    return results


# Hugo's minimal templates, as its docs would give them: a base, a post, a
# paginated list and home, the term lists; RSS and the sitemap are Hugo's
# built-in ones. The corpus's own layouts do more (summaries, neighbours,
# tag links), so the ratio against these is the harder one.
HUGO_LEAN_LAYOUTS = {
    "_default/baseof.html": """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body>{{ block "main" . }}{{ end }}</body></html>
""",
    "_default/single.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}{{ end }}
""",
    "_default/list.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Paginator.Pages }}<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>{{ end }}{{ end }}
""",
    "index.html": """{{ define "main" }}{{ range (.Paginate .Site.RegularPages).Pages }}<h2><a href="{{ .RelPermalink }}">{{ .Title }}</a></h2>{{ end }}{{ end }}
""",
    "_default/terms.html": """{{ define "main" }}<h1>{{ .Title }}</h1>{{ range .Data.Terms.Alphabetical }}<a href="{{ .Page.RelPermalink }}">{{ .Page.Title }}</a> {{ end }}{{ end }}
""",
}


def lean_site(base):
    """The corpus's Hugo site with HUGO_LEAN_LAYOUTS, made once."""
    lean = os.path.join(base, "hugo-lean")
    stamp = os.path.join(lean, "ok")
    if not os.path.exists(stamp):
        shutil.rmtree(lean, ignore_errors=True)
        shutil.copytree(os.path.join(base, "hugo"), lean,
                        ignore=shutil.ignore_patterns("public", "layouts", "resources"))
        for name, text in HUGO_LEAN_LAYOUTS.items():
            path = os.path.join(lean, "layouts", name)
            os.makedirs(os.path.dirname(path), exist_ok=True)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
        open(stamp, "w").close()
    write_hugo_config(lean)
    return lean


def pages_in(folder):
    return sum(1 for _, _, files in os.walk(folder) for f in files if f.endswith(".html"))


def lean_and_floor(n, runs):
    """Fresh builds on a RAM disk, alternating: glossator, Hugo with lean
    templates, and the floor (benches' examples/floor.rs: read, render
    Markdown in parallel, write as many files as glossator wrote)."""
    base = corpus(n)
    g_site, lean = os.path.join(base, "glossator"), lean_site(base)
    ram = "/dev/shm" if os.path.isdir("/dev/shm") else TOOLS
    floor_bin = os.path.join(ROOT, "target", "release", "examples", "floor")
    subprocess.run(["cargo", "build", "--quiet", "--release", "--example", "floor"], cwd=ROOT, check=True)
    outs = {k: os.path.join(ram, f"{k}-lean-{n}") for k in ("glossator", "hugo-lean", "floor")}
    times = {k: [] for k in outs}
    counts = {}
    for _ in range(runs):
        for k, out in outs.items():
            shutil.rmtree(out, ignore_errors=True)
        forget_cache(g_site)
        times["glossator"].append(run([BIN, "build", "-q", "-o", outs["glossator"]], g_site))
        counts["glossator"] = sum(len(f) for _, _, f in os.walk(outs["glossator"]))
        times["hugo-lean"].append(run(["hugo", "--quiet", "-d", outs["hugo-lean"]], lean))
        times["floor"].append(run([floor_bin, g_site, outs["floor"], str(counts["glossator"])], g_site))
        counts["glossator-pages"] = pages_in(outs["glossator"])
        counts["hugo-lean-pages"] = pages_in(outs["hugo-lean"])
    for out in outs.values():
        shutil.rmtree(out, ignore_errors=True)
    print(f"\n== {n:,} posts, fresh builds on a RAM disk: lean Hugo templates and the floor ({runs} runs each, alternating) ==")
    print(f"{'':12} {'wall s':>8} {'cpu s':>8} {'peak MB':>9}")
    for k, v in times.items():
        print(f"{k:12} {med(v, 0):8.2f} {med(v, 1):8.2f} {med(v, 2):9.0f}")
    g, h, f = (med(times[k], 0) for k in ("glossator", "hugo-lean", "floor"))
    print(f"glossator is {h / g:.1f}x faster than Hugo with lean templates, and takes {g / f:.1f}x the floor")
    print(f"pages written: glossator {counts['glossator-pages']:,} HTML ({counts['glossator']:,} files), "
          f"Hugo (lean) {counts['hugo-lean-pages']:,} HTML")



def med(values, i):
    return statistics.median(v[i] for v in values)


def report_builds(n, results):
    print(f"\n== {n:,} posts ({len(results['fresh'][0])} runs each, alternating) ==")
    print(f"{'':8} {'':10} {'wall s':>8} {'cpu s':>8} {'peak MB':>9}")
    for condition in ("fresh", "warm"):
        g, h = results[condition]
        for name, values in (("glossator", g), ("hugo", h)):
            if values:
                print(f"{condition:8} {name:10} {med(values, 0):8.2f} {med(values, 1):8.2f} {med(values, 2):9.0f}")
            else:
                print(f"{condition:8} {name:10} did not finish: {results['hugo_failed']}")
        if not h:
            continue
        print(f"{condition:8} {'ratio':10} glossator is {med(h, 0) / med(g, 0):.1f}x faster than Hugo (wall), "
              f"uses {med(h, 1) / med(g, 1):.1f}x less CPU time and {med(h, 2) / med(g, 2):.1f}x less peak memory")
    b = results.get("baseline")
    if b:
        g = results["warm"][0]
        print(f"{'warm':8} {'baseline':10} {med(b, 0):8.2f} {med(b, 1):8.2f} {med(b, 2):9.0f}")
        print(f"{'warm':8} {'change':10} this glossator / baseline: {med(g, 0) / med(b, 0):.2f}x wall, "
              f"{med(g, 1) / med(b, 1):.2f}x CPU ({(med(g, 0) - med(b, 0)) * 1000:+.0f} ms)")


def start_serve(site):
    """`glossator serve --port 0` in `site`: the process and the URL it
    printed. Its later output is drained, so a long run never blocks on a
    full pipe."""
    proc = subprocess.Popen([BIN, "serve", "--port", "0"], cwd=site, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True)
    for line in proc.stdout:
        if "http://" in line:
            url = line[line.index("http://"):].split()[0]
            threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
            return proc, url
    proc.wait()
    raise RuntimeError("glossator serve exited before printing its address")


def wait_reload(ws):
    """Reads live-reload messages until the rebuild's reload (or error)."""
    while True:
        message = ws.recv()
        if '"reload"' in message or '"error"' in message:
            return


EDIT_KINDS = ("body", "title", "date", "tag", "kind")


def newest_post(site):
    """The post file with the latest `date = ` line (the home page's first)."""
    folder = os.path.join(site, "content", "posts")
    best = None
    for name in os.listdir(folder):
        with open(os.path.join(folder, name), encoding="utf-8") as f:
            for line in f:
                if line.startswith("date = "):
                    if best is None or line > best[0]:
                        best = (line, name)
                    break
    return os.path.join("content", "posts", best[1])


def edited(original, kind, i, stamp):
    """The post's text after edit `i` of `kind`, and (page, text) pairs:
    the edit has reached the server when each page holds (or, for a text
    starting with "!", no longer holds) the text."""
    head, sep, body = original.partition("+++\n\n")
    lines = head.split("\n")
    title = next((l for l in lines if l.startswith("title = ")), ' ""')[len('title = "'):-1]
    if kind == "body":
        marker = f"Edited for the benchmark, round {i} at {stamp}."
        return head + sep + marker + "\n\n" + body, [("post", marker)]
    if kind == "title":
        new = f"Benchmark title {i} {stamp}"
        lines = [f'title = "{new}"' if l.startswith("title = ") else l for l in lines]
        return "\n".join(lines) + sep + body, [("", new)]
    if kind == "date":
        # Later the same day: the post stays newest and keeps its URL.
        day = next(l for l in lines if l.startswith("date = "))[len("date = "):][:10]
        at = f"{day}T23:{i % 60:02}:{i // 60 % 60:02}"
        lines = [f"date = {at}Z" if l.startswith("date = ") else l for l in lines]
        return "\n".join(lines) + sep + body, [("", f'datetime="{at}')]
    if kind == "tag":
        tag = f"benchtag{stamp % 1000000}x{i}"
        lines = [l[:-1] + f', "{tag}"]' if l.startswith("tags = [") else l for l in lines]
        return "\n".join(lines) + sep + body, [(f"tags/{tag}/", title)]
    if kind == "kind":
        # Alternately a link post (on /links/) and an entry again.
        if i % 2 == 0:
            lines.insert(1, 'kind = "link"\nlink = "https://example.com/benchmark"')
            return "\n".join(lines) + sep + body, [("links/", title)]
        return original, [("links/", "!" + title)]
    raise ValueError(kind)


def serve_latency(site, post, edits, kind="body"):
    """Median ms from a file write to the reload message and to the new
    HTML served, for `edits` edits of one kind."""
    import websocket
    proc, url = start_serve(site)
    try:
        ws = websocket.create_connection(url.replace("http://", "ws://") + "__glossator/livereload", timeout=30)
        ws.recv()  # hello
        path = os.path.join(site, post)
        original = open(path, encoding="utf-8").read()
        post_page = None
        to_message, to_html = [], []
        for i in range(edits):
            text, checks = edited(original, kind, i, time.time_ns())
            written = time.perf_counter()
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            wait_reload(ws)
            to_message.append((time.perf_counter() - written) * 1000)
            for page, want in checks:
                if page == "post":
                    post_page = post_page or find_page(url, want)
                    page = post_page
                gone = want.startswith("!")
                deadline = time.perf_counter() + 30
                while (want[1:] in fetch(url + page)) if gone else (want not in fetch(url + page)):
                    if time.perf_counter() > deadline:
                        raise RuntimeError(f"{kind} edit {i}: /{page} never showed {want!r}")
                    time.sleep(0.001)
            to_html.append((time.perf_counter() - written) * 1000)
            time.sleep(0.15)
        # Put the post back, unless the last edit did (a kind edit's odd
        # rounds restore it): an unchanged site sends no reload.
        if text != original:
            with open(path, "w", encoding="utf-8") as f:
                f.write(original)
            wait_reload(ws)
        return statistics.median(to_message), statistics.median(to_html), len(to_message)
    finally:
        proc.kill()
        proc.wait()


def fetch(url):
    """The page's text, or "" while it is missing (not built yet)."""
    try:
        return urllib.request.urlopen(url).read().decode()
    except urllib.error.HTTPError as e:
        if e.code == 404:
            return ""
        raise


def find_page(url, marker):
    # The edited post is the one whose page now holds the marker; its URL
    # comes from the search index, newest first being irrelevant here.
    import json
    index = json.loads(urllib.request.urlopen(url + "search.json").read())
    for entry in index:
        if marker[:40] in entry.get("excerpt", ""):
            return entry["url"].lstrip("/")
    raise RuntimeError("edited post not found in search.json")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="1000,10000")
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--edits", type=int, default=20)
    ap.add_argument("--huge", action="store_true", help="also 100,000 posts (glossator, and Hugo once)")
    ap.add_argument("--baseline", help="another glossator binary to time on the repeat build")
    ap.add_argument("--no-lean", action="store_true", help="skip the lean-Hugo and floor comparison")
    args = ap.parse_args()
    ensure_tools()
    print(f"glossator: {subprocess.run([BIN, '--version'], capture_output=True, text=True).stdout.strip()}; "
          f"{subprocess.run(['hugo', 'version'], capture_output=True, text=True).stdout.split()[1]}; "
          f"{os.cpu_count()} cores")
    sizes = [int(s) for s in args.sizes.split(",") if s]
    measured = {}
    for n in sizes:
        measured[n] = build_pair(n, args.runs, args.baseline)
        report_builds(n, measured[n])
        if not args.no_lean:
            lean_and_floor(n, args.runs)
    if args.huge:
        measured[100_000] = build_pair(100_000, 1)
        report_builds(100_000, measured[100_000])
        if 10_000 in measured:
            print("\n== scaling: 100,000 posts against 10,000 (glossator wall time; target at most 11x) ==")
            for condition in ("fresh", "warm"):
                big, small = med(measured[100_000][condition][0], 0), med(measured[10_000][condition][0], 0)
                print(f"{condition:8} {big:.2f} s / {small:.2f} s = {big / small:.1f}x")
    if args.edits:
        print(f"\n== serve: one-post edits, median of {args.edits} ==")
        sample = os.path.join(TOOLS, "bench", "sample-site")
        shutil.rmtree(sample, ignore_errors=True)
        os.makedirs(sample)
        for part in ("glossator.toml", "content", "themes"):
            src = os.path.join(ROOT, part)
            (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, os.path.join(sample, part))
        big = os.path.join(corpus(10000), "glossator")
        msg, html, n = serve_latency(sample, "content/posts/2026-02-27-note-on-sources.md", args.edits)
        print(f"{'sample blog':14} {'body':6} write -> reload message {msg:7.1f} ms   write -> new HTML served {html:7.1f} ms   ({n} edits)")
        for kind in EDIT_KINDS:
            post = "content/posts/post-004242.md" if kind == "body" else newest_post(big)
            msg, html, n = serve_latency(big, post, args.edits, kind)
            print(f"{'10,000 posts':14} {kind:6} write -> reload message {msg:7.1f} ms   write -> new HTML served {html:7.1f} ms   ({n} edits)")


if __name__ == "__main__":
    main()

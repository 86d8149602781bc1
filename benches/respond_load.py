#!/usr/bin/env python3
"""`glossator respond` under load: 100 concurrent clients posting comments.

Builds a copy of the sample blog with `[comments] endpoint` set, starts
`glossator respond --trusted-proxy 127.0.0.1` (so each request's
X-Forwarded-For is its own client, as behind a web server), and runs wrk
(Debian's `wrk`) with 100 connections for --duration seconds; every
request is a distinct comment (distinct texts, random client addresses),
so each one is checked, stored with fsync and counted. Then it queues
comments until the queue holds --queued (10,000) and reports the
service's resident memory.

Usage: python3 benches/respond_load.py [--duration 20] [--queued 10000]
Needs: cargo, wrk (apt-get install wrk).
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.path.join(ROOT, "target", "release", "glossator")

LUA = r"""
local counter = 0
local threads = {}
function setup(thread)
  thread:set("thread_id", #threads + 1)
  table.insert(threads, thread)
end
function init(args)
  math.randomseed(os.time() * 1000 + thread_id)
end
request = function()
  counter = counter + 1
  local body = "post=POST&token=TOKEN&author=Load+" .. thread_id .. "&body=Comment+" .. thread_id .. "-" .. counter .. "+" .. math.random(1, 1000000000)
  local headers = {
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Accept"] = "application/json",
    ["X-Forwarded-For"] = "10." .. math.random(0, 255) .. "." .. math.random(0, 255) .. "." .. math.random(1, 254),
  }
  return wrk.format("POST", "/", headers, body)
end
local statuses = {}
response = function(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
done = function(summary, latency, requests)
  io.write(string.format("p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms\n",
    latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, latency.max / 1000))
  io.write(string.format("non-2xx %d, errors connect %d read %d write %d timeout %d\n",
    summary.errors.status, summary.errors.connect, summary.errors.read,
    summary.errors.write, summary.errors.timeout))
end
"""


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        fields = dict(line.split(":", 1) for line in f if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def queued(site):
    return len(os.listdir(os.path.join(site, ".glossator", "respond", "queue")))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--connections", type=int, default=100)
    ap.add_argument("--queued", type=int, default=10000)
    args = ap.parse_args()
    if not shutil.which("wrk"):
        sys.exit("respond_load: needs wrk (apt-get install wrk)")
    subprocess.run(["cargo", "build", "--quiet", "--release"], cwd=ROOT, check=True)
    site = tempfile.mkdtemp(prefix="glossator-respond-load-")
    try:
        for part in ["glossator.toml", "content", "themes"]:
            src = os.path.join(ROOT, part)
            (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, os.path.join(site, part))
        port = 7311
        config_path = os.path.join(site, "glossator.toml")
        config = open(config_path).read()
        config = re.sub(r"^\[comments\]$", f'[comments]\nendpoint = "http://127.0.0.1:{port}/"', config, flags=re.M)
        open(config_path, "w").write(config)
        subprocess.run([BIN, "build", "--quiet"], cwd=site, check=True)
        page = open(os.path.join(site, "public/2026/03/03/fish-for-ports/index.html")).read()
        token = re.search(r'name="token" value="([0-9a-f]+)"', page).group(1)

        service = subprocess.Popen(
            [BIN, "--quiet", "respond", "--port", str(port), "--trusted-proxy", "127.0.0.1"],
            cwd=site,
        )
        try:
            deadline = time.time() + 30
            while True:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1).read()
                    break
                except OSError:
                    if time.time() > deadline:
                        sys.exit("respond did not start")
                    time.sleep(0.1)
            idle_rss, _ = rss_kib(service.pid)
            lua = os.path.join(site, "post.lua")
            open(lua, "w").write(LUA.replace("POST", "fish-for-ports", 1).replace("TOKEN", token))
            before = queued(site)
            run = subprocess.run(
                ["wrk", "-t2", f"-c{args.connections}", f"-d{args.duration}s", "--timeout", "10s",
                 "-s", lua, f"http://127.0.0.1:{port}/"],
                capture_output=True, text=True, check=True,
            )
            stored = queued(site) - before
            print(run.stdout.strip())
            rate = re.search(r"Requests/sec:\s+([\d.]+)", run.stdout).group(1)
            print(f"respond_load: {args.connections} clients, {args.duration} s: {rate} requests/s, "
                  f"{stored} comments stored ({stored / args.duration:.0f}/s)")

            # Fill the queue to --queued, then weigh the service.
            missing = args.queued - queued(site)
            n = 0
            while missing > 0 and n < missing:
                n += 1
                data = urllib.parse.urlencode({
                    "post": "fish-for-ports", "token": token, "author": f"Filler {n}",
                    "body": f"Queued comment {n} of the memory check.",
                }).encode()
                req = urllib.request.Request(
                    f"http://127.0.0.1:{port}/", data=data,
                    headers={"Accept": "application/json", "X-Forwarded-For": f"10.9.{n // 250}.{n % 250 + 1}"})
                urllib.request.urlopen(req, timeout=10).read()
            rss, hwm = rss_kib(service.pid)
            print(f"respond_load: memory with {queued(site)} comments queued: {rss / 1024:.1f} MiB resident "
                  f"(peak {hwm / 1024:.1f} MiB; {idle_rss / 1024:.1f} MiB when started)")
        finally:
            service.terminate()
            service.wait()
    finally:
        shutil.rmtree(site, ignore_errors=True)


if __name__ == "__main__":
    main()

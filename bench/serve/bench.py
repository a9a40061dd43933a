"""bench/serve: the match API and the feed of `hashbank serve` on a bank of
1M PDQ hashes. Run through bench/serve/run, which builds and installs what it
needs. Standard library only; the load comes from oha."""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request

from serving import flip, random_pdq

# The goal: single-hash requests at this rate ...
GOAL_RATE = 1000
# ... answered within this p99 (milliseconds).
GOAL_P99_MS = 5.0
# Hashes in one batch request.
BATCH = 100
# Of a batch, this many are near a stored hash (the rest are random).
BATCH_HITS = 10
# Bits flipped in a query made from a stored hash (within PDQ's 31).
QUERY_FLIPS = 8
# Connections oha keeps open.
CONNECTIONS = {"fixed": 16, "max": 16, "batch": 4}
# Feed entries per page when pulling the whole feed.
FEED_PAGE = 10000




def run(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


def wait_ready(base, timeout=600):
    started = time.time()
    while time.time() - started < timeout:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=5) as r:
                if r.status == 200:
                    return time.time() - started
        except Exception:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not become ready")


def oha(base, key, body_file, seconds, connections, rate=None):
    cmd = ["oha", "--no-tui", "--output-format", "json", "-z", f"{seconds}s",
           "-c", str(connections), "-m", "POST", "-T", "application/json",
           "-H", f"Authorization: Bearer {key}", "-D", body_file]
    if rate:
        cmd += ["-q", str(rate), "--latency-correction"]
    out = subprocess.run(cmd + [base + "/v1/match"], check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    codes = result.get("statusCodeDistribution", {})
    bad = {c: n for c, n in codes.items() if c != "200"}
    # Requests still in flight when the time is up are cut off, not failed.
    errors = {e: n for e, n in result.get("errorDistribution", {}).items()
              if "deadline" not in e}
    if bad or errors:
        raise SystemExit(f"failed requests under load: {bad} {errors}")
    summary = result["summary"]
    pct = result["latencyPercentiles"]
    return {
        "rps": summary["requestsPerSec"],
        "p50": pct["p50"] * 1000,
        "p99": pct["p99"] * 1000,
        "requests": sum(codes.values()),
    }


def pull_feed(base, key):
    started = time.time()
    after, entries, pages = 0, 0, 0
    while True:
        req = urllib.request.Request(f"{base}/v1/feed?after={after}&limit={FEED_PAGE}",
                                     headers={"Authorization": f"Bearer {key}"})
        with urllib.request.urlopen(req, timeout=120) as r:
            page = json.load(r)
        entries += len(page["entries"])
        pages += 1
        after = page["next_cursor"]
        if not page["more"]:
            return entries, pages, time.time() - started


def machine():
    model = "unknown CPU"
    try:
        for line in subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    except FileNotFoundError:
        pass
    mem = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return f"{model}, {os.cpu_count()} cores, {mem:.0f} GiB RAM"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--hashes", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=int, default=20)
    ap.add_argument("--keep", metavar="DIR",
                    help="keep the bank in DIR, and reuse it when it is there (skips the import)")
    args = ap.parse_args()
    target = os.environ.get("CARGO_TARGET_DIR") or os.path.join(args.root, "target")
    binary = os.path.join(os.path.abspath(target), "release", "hashbank")
    work = args.keep or tempfile.mkdtemp(prefix="hashbank-bench-serve-")
    os.makedirs(work, exist_ok=True)
    reuse = os.path.exists(f"{work}/bank.db") and os.path.exists(f"{work}/key.txt")
    db = f"sqlite://{work}/bank.db"
    rng = random.Random(20250301)
    server = None
    try:
        stored = [random_pdq(rng) for _ in range(args.hashes)]
        if reuse:
            import_s = float("nan")
            with open(f"{work}/key.txt") as f:
                key = f.read().strip()
        else:
            with open(f"{work}/hashes.jsonl", "w") as f:
                for value in stored:
                    f.write('{"kind":"pdq","value":"%s","quality":100}\n' % value)
            started = time.time()
            run([binary, "import", "--create", "--database", db, f"{work}/hashes.jsonl",
                 "--cases-out", f"{work}/cases.txt"], stderr=subprocess.DEVNULL)
            import_s = time.time() - started
            key = run([binary, "platform", "add", "bench", "--database", db],
                      capture_output=True, text=True).stdout.strip()
            with open(f"{work}/key.txt", "w") as f:
                f.write(key)

        server = subprocess.Popen([binary, "serve", "--database", db, "--listen", "127.0.0.1:0"],
                                  stdout=subprocess.PIPE, text=True)
        # The first lines may say more (which page folder is served); the
        # address is on the line that says "listening on".
        line = ""
        while "listening on " not in line:
            line = server.stdout.readline()
            if not line:
                sys.exit("hashbank serve stopped before it listened")
        base = line.strip().split("listening on ", 1)[1]
        load_s = wait_ready(base)

        single = {"hashes": [{"kind": "pdq", "value": flip(stored[rng.randrange(len(stored))], QUERY_FLIPS, rng)}]}
        batch = {"hashes": [{"kind": "pdq", "value": flip(stored[rng.randrange(len(stored))], QUERY_FLIPS, rng)}
                            for _ in range(BATCH_HITS)]
                 + [{"kind": "pdq", "value": random_pdq(rng)} for _ in range(BATCH - BATCH_HITS)]}
        for name, body in (("single", single), ("batch", batch)):
            with open(f"{work}/{name}.json", "w") as f:
                json.dump(body, f)
        # Warm up, and check the single query finds its hash.
        req = urllib.request.Request(base + "/v1/match", data=json.dumps(single).encode(),
                                     headers={"Authorization": f"Bearer {key}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req) as r:
            assert json.load(r)["results"][0]["matches"], "the query did not match"

        fixed = oha(base, key, f"{work}/single.json", args.seconds, CONNECTIONS["fixed"], GOAL_RATE)
        top = oha(base, key, f"{work}/single.json", args.seconds, CONNECTIONS["max"])
        batched = oha(base, key, f"{work}/batch.json", args.seconds, CONNECTIONS["batch"])
        entries, pages, feed_s = pull_feed(base, key)
        if entries != args.hashes:
            raise SystemExit(f"the feed gave {entries} entries, not {args.hashes}")
    finally:
        if server:
            server.terminate()
            server.wait()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print(f"bench/serve: {args.hashes:,} PDQ hashes on SQLite; {time.strftime('%Y-%m-%d')}; {machine()}")
    imported = "reused from --keep" if reuse else f"import {import_s:.1f} s"
    print(f"bank: {imported}, matcher loaded in {load_s:.1f} s after start")
    print()
    print("| POST /v1/match | requests/s | hashes/s | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|---:|")
    rows = [(f"1 hash, fixed {GOAL_RATE}/s", fixed, 1), ("1 hash, highest rate", top, 1),
            (f"{BATCH} hashes, highest rate", batched, BATCH)]
    for name, r, n in rows:
        print(f"| {name} | {r['rps']:,.0f} | {r['rps'] * n:,.0f} | {r['p50']:.2f} | {r['p99']:.2f} |")
    print()
    print(f"feed from cursor 0: {entries:,} entries in {pages} pages of {FEED_PAGE:,}: {feed_s:.1f} s")
    ok = fixed["p99"] < GOAL_P99_MS and fixed["rps"] >= GOAL_RATE * 0.95
    print()
    print(f"summary: single-hash p99 {fixed['p99']:.2f} ms at {fixed['rps']:,.0f} requests/s "
          f"(goal < {GOAL_P99_MS:.0f} ms at {GOAL_RATE:,}/s): {'met' if ok else 'MISSED'}; "
          f"highest {top['rps']:,.0f} requests/s; batches of {BATCH}: {batched['rps'] * BATCH:,.0f} hashes/s; "
          f"feed of {entries:,} in {feed_s:.1f} s")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

"""bench/serve/scale: a bank of 10 million PDQ hashes on PostgreSQL. Run
through bench/serve/scale, which builds the binary, installs oha and starts
a throwaway PostgreSQL. Standard library only; the load comes from oha.

Measures, on N uniform random PDQ hashes (deterministic seed):
- the import: `hashbank import` of N hashes (cases of 500, real argon2id
  PINs), in hashes/s (goal: at least 50,000/s);
- a restarted server ready: `hashbank serve --matcher-file` stopped (it
  saves its matcher) and started again on the full bank, seconds from the
  start of the process to `/readyz` 200 (goal: under 5 s at 10M); the first
  start, which reads every hash from the database, and the time the stop
  took to save are shown beside it;
- single-hash `POST /v1/match` at a fixed 1,000 requests/s (oha, latency
  corrected): p99 (goal: under 5 ms);
- the whole feed from cursor 0 in pages of 10,000 by a platform (goal:
  under 30 s at 10M).
With fewer than 10M hashes (--hashes N), the restart and the feed are judged
on their time scaled linearly to 10M (shown beside the measured one; for the
restart, what an empty bank takes is not scaled); the import rate and the
p99 as measured.
"""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

from serving import (commit, RssSampler, Server, add_platform, binary, create_bank, flip, header, oha,
                     pull_feed, request, rss_mb, write_hashes)

TARGET = 10_000_000
GOAL_IMPORT_RATE = 50_000
GOAL_READY_S = 5.0
GOAL_P99_MS = 5.0
GOAL_RATE = 1000
GOAL_FEED_S = 30.0
QUERY_FLIPS = 8
CONNECTIONS = 16


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--hashes", type=int, default=TARGET)
    ap.add_argument("--seconds", type=int, default=20, help="seconds of match load")
    ap.add_argument("--serve-arg", action="append", default=[],
                    help="one more argument for `hashbank serve` (repeat)")
    args = ap.parse_args()
    commit(args.root)  # the binary was built from this tree just now
    bin_path = binary(args.root)
    db = os.environ["BENCH_POSTGRES"]
    work = tempfile.mkdtemp(prefix="hashbank-bench-scale-")
    rng = random.Random(20261206)
    server = None
    try:
        stored = write_hashes(f"{work}/hashes.jsonl", args.hashes, rng,
                              keep_every=max(1, args.hashes // 10000))
        empty_s = create_bank(bin_path, db)
        print(f"== importing {args.hashes:,} hashes", file=sys.stderr)
        started = time.time()
        subprocess.run([bin_path, "import", "--database", db, f"{work}/hashes.jsonl",
                        "--cases-out", f"{work}/cases.txt"], check=True, stderr=subprocess.DEVNULL)
        import_s = time.time() - started
        os.remove(f"{work}/hashes.jsonl")
        key = add_platform(bin_path, db, "bench-scale")

        saved = ["--matcher-file", f"{work}/matcher"]
        server = Server(bin_path, db, [*saved, *args.serve_arg])
        first_s = server.wait_ready(timeout=3600)
        stopping = time.time()
        server.stop()
        stop_s = time.time() - stopping
        saved_mb = os.path.getsize(f"{work}/matcher") / 1e6
        # The restart the goal is about: the bank is all there, the process
        # new, the matcher saved by the orderly stop.
        server = Server(bin_path, db, [*saved, *args.serve_arg])
        sampler = RssSampler(server.pid, interval=0.05)
        sampler.start()
        ready_s = server.wait_ready(timeout=3600)
        load_mb = sampler.max_mb
        sampler.stop()
        idle_mb = rss_mb(server.pid) or 0.0

        query = flip(stored[rng.randrange(len(stored))], QUERY_FLIPS, rng)
        body = {"hashes": [{"kind": "pdq", "value": query}]}
        with open(f"{work}/single.json", "w") as f:
            json.dump(body, f)
        status, answer, _ = request(server.base, "POST", "/v1/match", body, {"Authorization": f"Bearer {key}"})
        assert status == 200 and answer["results"][0]["matches"], f"the query did not match: {status}"
        fixed = oha(server.base, key, f"{work}/single.json", args.seconds, CONNECTIONS, GOAL_RATE)
        entries, pages, feed_s = pull_feed(server.base, key)
    finally:
        if server:
            server.stop()
        shutil.rmtree(work, ignore_errors=True)

    scale = TARGET / args.hashes
    import_rate = args.hashes / import_s
    # What an empty bank takes (start, connect, migrations) does not grow
    # with the bank.
    ready_at = empty_s + max(0.0, ready_s - empty_s) * scale if args.hashes < TARGET else ready_s
    feed_at = feed_s * scale if args.hashes < TARGET else feed_s
    print(header("bench/serve/scale", args.root, f"{args.hashes:,} PDQ hashes on PostgreSQL"))
    print()
    linear = args.hashes < TARGET
    print(f"| measure | at {args.hashes:,} | at {TARGET:,}{' (linear)' if linear else ''} | goal | |")
    print("|---|---:|---:|---|---|")
    def row(name, measured, at_target, goal, ok):
        print(f"| {name} | {measured} | {at_target} | {goal} | {'met' if ok else 'MISSED'} |")
    import_ok = import_rate >= GOAL_IMPORT_RATE
    row("import (`hashbank import`)", f"{import_s:,.1f} s, {import_rate:,.0f} hashes/s",
        f"{TARGET / import_rate:,.0f} s", f">= {GOAL_IMPORT_RATE:,} hashes/s", import_ok)
    ready_ok = ready_at < GOAL_READY_S
    row("restarted server to /readyz 200", f"{ready_s:.2f} s", f"{ready_at:.1f} s",
        f"< {GOAL_READY_S:.0f} s", ready_ok)
    p99_ok = (fixed["p99"] < GOAL_P99_MS and fixed["rps"] >= GOAL_RATE * 0.95 and fixed["failed"] == 0)
    row(f"POST /v1/match 1 hash at {GOAL_RATE}/s: p99", f"{fixed['p99']:.2f} ms (p50 {fixed['p50']:.2f}, "
        f"{fixed['rps']:,.0f}/s, {fixed['failed']} failed)", "not measured", f"< {GOAL_P99_MS:.0f} ms", p99_ok)
    feed_ok = feed_at < GOAL_FEED_S and entries == args.hashes
    row("the whole feed from cursor 0", f"{feed_s:.1f} s ({entries:,} entries, {pages} pages)",
        f"{feed_at:.0f} s", f"< {GOAL_FEED_S:.0f} s", feed_ok)
    print()
    print(f"ready on the empty bank {empty_s:.2f} s (not scaled), first start on the full bank "
          f"(every hash read from the database) {first_s:.2f} s, its stop (saving the matcher, "
          f"{saved_mb:,.0f} MB) {stop_s:.2f} s; server RSS max {load_mb:,.0f} MB "
          f"while loading, {idle_mb:,.0f} MB after the load and before the match load")
    ok = import_ok and ready_ok and p99_ok and feed_ok
    at = " (times scaled linearly to 10M)" if linear else ""
    print()
    print(f"summary: {args.hashes:,} hashes on PostgreSQL{at}: import {import_rate:,.0f} hashes/s "
          f"(goal >= {GOAL_IMPORT_RATE:,}), restart ready {ready_at:.1f} s (goal < {GOAL_READY_S:.0f}), "
          f"match p99 {fixed['p99']:.2f} ms at {fixed['rps']:,.0f}/s (goal < {GOAL_P99_MS:.0f}), "
          f"feed {feed_at:.0f} s (goal < {GOAL_FEED_S:.0f}): {'met' if ok else 'MISSED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

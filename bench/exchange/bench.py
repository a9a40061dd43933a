"""bench/exchange: a bank following another, beside python-threatexchange's
fetch of the same feed (see ./run). Standard library only, besides the
`threatexchange` CLI of the venv running it."""

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "serve"))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from machine import machine  # noqa: E402
from serving import LIGHT_ARGON2, binary, random_pdq  # noqa: E402

# Goals (docs: the performance section).
GOAL_FULL_S = 60.0
GOAL_P99_S = 5.0
# How often the second bank reads the first's feed, and the watcher reads both.
EXCHANGE_INTERVAL_MS = 1000
WATCH_S = 0.1
FEED_PAGE = 10000
# python-threatexchange's fetch is given this long.
PEER_TIMEOUT_S = 1800
# HMA's defaults (reference_omm_configs): fetcher every 240 s, index every 60 s.
HMA_FETCH_S, HMA_INDEX_S = 240, 60


def run(cmd, **kw):
    kw.setdefault("check", True)
    return subprocess.run(cmd, **kw)


def start(hb, db, extra, env=None):
    full_env = dict(os.environ, **(env or {}))
    proc = subprocess.Popen(
        [hb, "serve", "--database", db, "--listen", "127.0.0.1:0"] + extra,
        stdout=subprocess.PIPE, text=True, env=full_env)
    line = ""
    while "listening on " not in line:
        line = proc.stdout.readline()
        if not line:
            sys.exit(f"hashbank serve on {db} stopped before it listened")
    threading.Thread(target=lambda: [None for _ in proc.stdout], daemon=True).start()
    base = line.strip().split("listening on ", 1)[1]
    deadline = time.time() + 900
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(base + "/readyz", timeout=5) as r:
                if r.status == 200:
                    return proc, base
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.2)
    sys.exit(f"hashbank serve on {db} never got ready")


class Follower:
    """Reads a bank's feed as a platform, from cursor 0 on, and notes when
    each value was first seen (additions) and how many are active."""

    def __init__(self, base, key):
        self.base, self.key = base, key
        self.after = 0
        self.active = set()
        self.seen = {}

    def poll(self):
        while True:
            req = urllib.request.Request(
                f"{self.base}/v1/feed?after={self.after}&limit={FEED_PAGE}",
                headers={"Authorization": f"Bearer {self.key}"})
            with urllib.request.urlopen(req, timeout=120) as r:
                page = json.load(r)
            now = time.time()
            for e in page["entries"]:
                if e["op"] == "add":
                    self.active.add(e["hash_id"])
                    self.seen.setdefault(e["value"], now)
                else:
                    self.active.discard(e["hash_id"])
            self.after = page["next_cursor"]
            if not page["more"]:
                return


def file_cases(base, values, per_minute, stop):
    """Files one single-hash case per value, paced at `per_minute`."""
    gap = 60.0 / per_minute
    started = time.time()
    for i, value in enumerate(values):
        if stop.is_set():
            return
        wait = started + i * gap - time.time()
        if wait > 0:
            time.sleep(wait)
        body = json.dumps({"hashes": [{"kind": "pdq", "value": value, "quality": 100}]}).encode()
        req = urllib.request.Request(base + "/v1/cases", data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=60) as r:
            assert r.status == 201


def percentile(values, p):
    values = sorted(values)
    if not values:
        return float("nan")
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def peer_fetch(base, key, work):
    """python-threatexchange's CLI with the extension fetching the whole
    feed; (seconds, hashes in its dataset) or (None, reason)."""
    home = os.path.join(work, "tx-home")
    os.makedirs(home, exist_ok=True)
    tx = os.path.join(os.path.dirname(sys.executable), "threatexchange")
    env = {k: v for k, v in os.environ.items() if not k.startswith("TX_")}
    env.update(HOME=home, TX_HASHBANK_KEY=key, PYTHONDONTWRITEBYTECODE="1")
    try:
        run([tx, "config", "extensions", "add", "hashbank_threatexchange"], env=env,
            cwd=home, capture_output=True, timeout=120)
        run([tx, "config", "collab", "edit", "hashbank", "bench", "--create", "--bank-url", base],
            env=env, cwd=home, capture_output=True, timeout=120)
        started = time.time()
        run([tx, "fetch"], env=env, cwd=home, capture_output=True, timeout=PEER_TIMEOUT_S)
        seconds = time.time() - started
        out = run([tx, "dataset", "-S"], env=env, cwd=home, capture_output=True, text=True,
                  timeout=PEER_TIMEOUT_S).stdout
        return seconds, out.strip().splitlines()[-1] if out.strip() else "?"
    except subprocess.TimeoutExpired:
        return None, f"no end after {PEER_TIMEOUT_S} s"
    except subprocess.CalledProcessError as e:
        return None, f"failed: {(e.stderr or b'')[-300:]!r}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--hashes", type=int, default=1_000_000)
    ap.add_argument("--per-minute", type=int, default=1000)
    ap.add_argument("--minutes", type=float, default=2.0)
    ap.add_argument("--no-peer", action="store_true", help="skip python-threatexchange's fetch")
    args = ap.parse_args()
    hb = binary(args.root)
    work = tempfile.mkdtemp(prefix="hashbank-bench-exchange-")
    rng = random.Random(20261207)
    procs = []
    loose = ["--filings-per-minute", "1000000", "--filings-per-minute-global", "1000000",
             "--key-tries-per-minute", "100000", "--key-tries-per-minute-global", "100000"]
    try:
        db_a, db_b = f"sqlite://{work}/a.db", f"sqlite://{work}/b.db"
        with open(f"{work}/hashes.jsonl", "w") as f:
            for _ in range(args.hashes):
                f.write('{"kind":"pdq","value":"%s","quality":100}\n' % random_pdq(rng))
        started = time.time()
        run([hb, "import", "--create", "--database", db_a, f"{work}/hashes.jsonl",
             "--cases-out", f"{work}/cases.txt"], stderr=subprocess.DEVNULL)
        import_s = time.time() - started
        key = lambda db, name: run([hb, "platform", "add", name, "--database", db, "--create"],
                                   capture_output=True, text=True).stdout.strip()
        key_b_on_a, watch_a = key(db_a, "bank-b"), key(db_a, "watcher")
        watch_b = key(db_b, "watcher")
        with open(f"{work}/a.key", "w") as f:
            f.write(key_b_on_a + "\n")
        os.chmod(f"{work}/a.key", 0o600)

        proc_a, base_a = start(hb, db_a, loose, LIGHT_ARGON2)
        procs.append(proc_a)
        run([hb, "exchange", "add", "a", "--from", base_a, "--key-file", f"{work}/a.key",
             "--database", db_b], capture_output=True)
        started = time.time()
        proc_b, base_b = start(hb, db_b, loose + ["--exchange-interval-ms", str(EXCHANGE_INTERVAL_MS)])
        procs.append(proc_b)
        b = Follower(base_b, watch_b)
        while len(b.active) < args.hashes and time.time() - started < 1800:
            b.poll()
            time.sleep(0.5)
        full_s = time.time() - started
        copied = len(b.active)

        # Steady state: new hashes filed on A, seen on A's feed and on B's.
        a = Follower(base_a, watch_a)
        a.poll()
        b.poll()
        values = [random_pdq(rng) for _ in range(int(args.per_minute * args.minutes))]
        stop = threading.Event()
        filer = threading.Thread(target=file_cases, args=(base_a, values, args.per_minute, stop))
        filer.start()
        deadline = time.time() + args.minutes * 60 + 120
        # The last filings may stay held on A (fewer than its mix of writes,
        # until its hold ends): only what A released is waited for.
        quiet_since = time.time()
        released = 0
        while time.time() < deadline:
            a.poll()
            b.poll()
            on_a = [v for v in values if v in a.seen]
            if len(on_a) != released:
                released, quiet_since = len(on_a), time.time()
            pending = [v for v in on_a if v not in b.seen]
            if not filer.is_alive() and not pending and time.time() - quiet_since > 5:
                break
            time.sleep(WATCH_S)
        stop.set()
        filer.join()
        lags = [b.seen[v] - a.seen[v] for v in values if v in a.seen and v in b.seen]

        peer = (None, "skipped")
        if not args.no_peer:
            peer = peer_fetch(base_a, watch_a, work)
    finally:
        for p in procs:
            p.terminate()
            p.wait()
        shutil.rmtree(work, ignore_errors=True)

    p50, p99 = percentile(lags, 50), percentile(lags, 99)
    print(f"bench/exchange: {args.hashes:,} PDQ hashes, SQLite to SQLite; {time.strftime('%Y-%m-%d')}; {machine()}")
    print(f"bank A: import {import_s:.1f} s; bank B reads A's feed every {EXCHANGE_INTERVAL_MS} ms")
    print()
    print("| what | hashbank exchange | python-threatexchange 1.2.17 + extension | goal |")
    print("|---|---:|---:|---:|")
    peer_s = f"{peer[0]:.1f} s ({peer[1]})" if peer[0] is not None else peer[1]
    print(f"| full copy of {args.hashes:,} hashes from cursor 0 | {full_s:.1f} s ({copied:,} on B's feed) | {peer_s} | < {GOAL_FULL_S:.0f} s |")
    print(f"| new hash: A's feed to B's feed, p50 / p99 ({len(lags):,} of the {released:,} A released of {len(values):,} filed at {args.per_minute}/min) "
          f"| {p50:.2f} s / {p99:.2f} s | HMA: fetch every {HMA_FETCH_S} s, index every {HMA_INDEX_S} s | p99 < {GOAL_P99_S:.0f} s |")
    print()
    print("A's own hold comes on top (default: released once 8 filings mix, or after an hour; docs/erasure.md).")
    ok = full_s < GOAL_FULL_S and copied >= args.hashes and len(lags) == released and p99 < GOAL_P99_S
    print()
    print(f"summary: full copy of {copied:,} in {full_s:.1f} s (goal < {GOAL_FULL_S:.0f} s); "
          f"new hash to B's feed p99 {p99:.2f} s (goal < {GOAL_P99_S:.0f} s), {len(lags):,}/{released:,} arrived; "
          f"python-threatexchange full fetch {peer_s}: {'met' if ok else 'MISSED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

"""bench/serve/attack: the match API for platforms while strangers attack
the same server. Run through bench/serve/attack, which builds the binary and
installs oha and aiohttp.

On a SQLite bank of PDQ hashes made with `hashbank import` (real argon2id
PINs, the server at its default settings): platforms send single-hash
`POST /v1/match` requests at a fixed 1,000 requests/s (oha, latency
corrected) while, from other loopback addresses, 300 concurrent strangers
send wrong API keys (garbage, well formed, and a real key id with a wrong
secret) and PIN guesses (`GET /v1/cases/{number}` with `X-Case-Pin`, on a
few real case numbers and on made-up ones), and 100 slow connections trickle
a header byte every few seconds, reopened when the server closes them. The
server's VmRSS is sampled every 100 ms; past --rss-abort the server is
killed so that the run cannot take the machine. Meanwhile the owner of an
attacked case opens it with her PIN every 2 s, and /healthz is asked every
second (both shown, not judged).

Goals: platform p99 under 10 ms at 1,000 requests/s, no platform error,
server RSS under 512 MB throughout.
"""

import argparse
import asyncio
import json
import os
import random
import resource
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import aiohttp

from serving import (commit, RssSampler, Server, add_platform, binary, create_bank, flip, header, oha,
                     read_cases, request, write_hashes)

GOAL_RATE = 1000
GOAL_P99_MS = 10.0
GOAL_RSS_MB = 512
# Bits flipped in a query made from a stored hash (within PDQ's 31).
QUERY_FLIPS = 8
# Connections oha keeps open.
CONNECTIONS = 16
# Real case numbers the strangers guess PINs on (the victims under attack).
ATTACKED_CASES = 5
CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# What strangers send, with weights.
KINDS = {
    "key: garbage": 1,
    "key: well formed": 1,
    "key: real id, wrong secret": 1,
    "PIN: attacked case": 2,
    "PIN: made-up case": 1,
}
# The owner and the health probe come from this address; strangers from
# 127.0.0.2 up, platforms (oha) from 127.0.0.1.
OWNER_ADDRESS = "127.0.0.254"


def base32(rng, n):
    return "".join(rng.choice(CROCKFORD) for _ in range(n))


class Tally:
    def __init__(self):
        self.lock = threading.Lock()
        self.by = {}

    def add(self, group, outcome):
        with self.lock:
            row = self.by.setdefault(group, {})
            row[outcome] = row.get(outcome, 0) + 1


async def stranger(n, base, args, stop, tally, key_id, numbers, alive):
    rng = random.Random(n)
    address = f"127.0.0.{2 + n % args.stranger_addresses}"
    connector = aiohttp.TCPConnector(local_addr=(address, 0), limit=1, force_close=False)
    timeout = aiohttp.ClientTimeout(total=args.request_timeout)
    kinds, weights = zip(*KINDS.items())
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as session:
        await asyncio.sleep(rng.uniform(0, 1))
        while not stop.is_set():
            kind = rng.choices(kinds, weights)[0]
            if kind.startswith("key"):
                key = {"key: garbage": "x" + secrets.token_hex(4),
                       "key: well formed": f"hbk_{base32(rng, 16)}_{base32(rng, 32)}",
                       "key: real id, wrong secret": f"hbk_{key_id}_{base32(rng, 32)}"}[kind]
                call = session.post(base + "/v1/match", headers={"Authorization": f"Bearer {key}"},
                                    json={"hashes": [{"kind": "pdq", "value": "%064x" % rng.getrandbits(256)}]})
            else:
                number = (rng.choice(numbers) if kind == "PIN: attacked case"
                          else f"HB-{base32(rng, 4)}-{base32(rng, 4)}-{base32(rng, 4)}")
                pin = "%010d" % rng.randrange(10**10)
                call = session.get(f"{base}/v1/cases/{number}", headers={"X-Case-Pin": pin})
            try:
                async with call as r:
                    await r.read()
                    tally.add(kind, str(r.status))
            except asyncio.TimeoutError:
                tally.add(kind, "timeout")
            except (aiohttp.ClientError, OSError):
                # Once the server is dead there is nobody to count.
                if alive():
                    tally.add(kind, "connection error")
                await asyncio.sleep(0.2)
            if args.stranger_pause:
                await asyncio.sleep(args.stranger_pause)


async def slow_connection(n, port, args, stop, slow, alive):
    """Opens a connection and trickles a request header, a byte every
    --slow-interval s, for as long as the server keeps it; then opens
    another. Closes after the server died are not counted."""
    rng = random.Random(10_000 + n)
    address = f"127.0.0.{2 + n % args.stranger_addresses}"
    await asyncio.sleep(rng.uniform(0, args.slow_interval))
    while not stop.is_set():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=(address, 0))
        except OSError:
            if alive():
                slow["refused"] += 1
            await asyncio.sleep(1)
            continue
        slow["opened"] += 1
        slow["open"] += 1
        opened = time.time()
        closed_by_server = False
        try:
            writer.write(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            await writer.drain()
            while not stop.is_set():
                try:
                    data = await asyncio.wait_for(reader.read(4096), timeout=args.slow_interval)
                    # An answer (e.g. 408) or the end: the server let go.
                    closed_by_server = True
                    if data and alive():
                        slow["answered"] += 1
                    break
                except asyncio.TimeoutError:
                    pass
                writer.write(b"a")
                await writer.drain()
        except (ConnectionError, OSError):
            closed_by_server = True
        finally:
            slow["open"] -= 1
            writer.close()
        if closed_by_server and alive():
            slow["closed"] += 1
            slow["lifetimes"].append(time.time() - opened)


async def owner(base, numbers_pins, stop, tally):
    """The owner of an attacked case opens it with her PIN every 2 s."""
    connector = aiohttp.TCPConnector(local_addr=(OWNER_ADDRESS, 0), force_close=True)
    async with aiohttp.ClientSession(connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=10)) as session:
        while not stop.is_set():
            number, pin = numbers_pins[0]
            try:
                async with session.get(f"{base}/v1/cases/{number}", headers={"X-Case-Pin": pin}) as r:
                    await r.read()
                    tally.add("owner", str(r.status))
            except asyncio.TimeoutError:
                tally.add("owner", "timeout")
            except (aiohttp.ClientError, OSError):
                tally.add("owner", "connection error")
            for _ in range(20):
                if stop.is_set():
                    break
                await asyncio.sleep(0.1)
            numbers_pins.append(numbers_pins.pop(0))


async def health(base, stop, tally):
    connector = aiohttp.TCPConnector(local_addr=(OWNER_ADDRESS, 0), force_close=True)
    async with aiohttp.ClientSession(connector=connector,
                                     timeout=aiohttp.ClientTimeout(total=5)) as session:
        while not stop.is_set():
            try:
                async with session.get(f"{base}/healthz") as r:
                    await r.read()
                    tally.add("healthz", str(r.status))
            except asyncio.TimeoutError:
                tally.add("healthz", "timeout")
            except (aiohttp.ClientError, OSError):
                tally.add("healthz", "connection error")
            await asyncio.sleep(1)


async def attack(server, args, key, key_id, cases, body_file):
    stop = asyncio.Event()
    tally = Tally()
    slow = {"opened": 0, "open": 0, "closed": 0, "answered": 0, "refused": 0, "lifetimes": []}
    attacked = cases[:ATTACKED_CASES]
    numbers = [n for n, _ in attacked]
    def alive():
        return server.proc.poll() is None
    tasks = [asyncio.create_task(stranger(n, server.base, args, stop, tally, key_id, numbers, alive))
             for n in range(args.strangers)]
    tasks += [asyncio.create_task(slow_connection(n, server.port, args, stop, slow, alive))
              for n in range(args.slow)]
    tasks.append(asyncio.create_task(owner(server.base, list(attacked), stop, tally)))
    tasks.append(asyncio.create_task(health(server.base, stop, tally)))
    # Let the attack build up before the platforms' load is measured.
    attack_started = time.time()
    await asyncio.sleep(args.ramp)
    started = time.time()
    platforms = await asyncio.to_thread(oha, server.base, key, body_file, args.seconds, CONNECTIONS, args.rate)
    attack_s = time.time() - started + args.ramp
    slow_open_at_end = slow["open"]
    stop.set()
    await asyncio.wait(tasks, timeout=args.request_timeout + 5)
    for t in tasks:
        t.cancel()
    return platforms, tally, slow, slow_open_at_end, attack_s, attack_started


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--hashes", type=int, default=1_000_000)
    ap.add_argument("--seconds", type=int, default=60, help="seconds of measured platform load")
    ap.add_argument("--rate", type=int, default=GOAL_RATE, help="platform requests/s")
    ap.add_argument("--strangers", type=int, default=300)
    ap.add_argument("--stranger-addresses", type=int, default=100,
                    help="loopback addresses the strangers come from (127.0.0.2 up)")
    ap.add_argument("--stranger-pause", type=float, default=0.1,
                    help="seconds each stranger waits between requests")
    ap.add_argument("--request-timeout", type=float, default=10.0)
    ap.add_argument("--slow", type=int, default=100, help="slow connections")
    ap.add_argument("--slow-interval", type=float, default=3.0, help="seconds between trickled bytes")
    ap.add_argument("--ramp", type=float, default=5.0, help="seconds of attack before the measure")
    ap.add_argument("--rss-abort", type=int, default=4096,
                    help="MB of server RSS at which the server is killed (the goal is missed)")
    ap.add_argument("--serve-arg", action="append", default=[],
                    help="one more argument for `hashbank serve` (repeat)")
    ap.add_argument("--keep", metavar="DIR",
                    help="keep the bank in DIR, and reuse it when it is there (the layout of "
                         "bench/serve/run --keep)")
    args = ap.parse_args()
    commit(args.root)  # the binary was built from this tree just now
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    bin_path = binary(args.root)
    work = args.keep or tempfile.mkdtemp(prefix="hashbank-bench-attack-")
    os.makedirs(work, exist_ok=True)
    db = f"sqlite://{work}/bank.db"
    reuse = all(os.path.exists(f"{work}/{f}") for f in ("bank.db", "key.txt", "cases.txt"))
    # The same hashes as bench/serve/run makes, so that --keep folders are shared.
    rng = random.Random(20250301)
    server = sampler = None
    try:
        if reuse:
            stored = [("%064x" % rng.getrandbits(256)) for _ in range(args.hashes)]
            import_s = float("nan")
            key = open(f"{work}/key.txt").read().strip()
        else:
            stored = write_hashes(f"{work}/hashes.jsonl", args.hashes, rng)
            create_bank(bin_path, db)
            started = time.time()
            subprocess.run([bin_path, "import", "--database", db, f"{work}/hashes.jsonl",
                            "--cases-out", f"{work}/cases.txt"], check=True, stderr=subprocess.DEVNULL)
            import_s = time.time() - started
            os.remove(f"{work}/hashes.jsonl")
            key = add_platform(bin_path, db, "bench")
            with open(f"{work}/key.txt", "w") as f:
                f.write(key)
        key_id = key.split("_")[1]
        cases = read_cases(f"{work}/cases.txt")
        server = Server(bin_path, db, args.serve_arg)
        load_s = server.wait_ready()
        query = flip(stored[rng.randrange(len(stored))], QUERY_FLIPS, rng)
        body = {"hashes": [{"kind": "pdq", "value": query}]}
        with open(f"{work}/single.json", "w") as f:
            json.dump(body, f)
        status, answer, _ = request(server.base, "POST", "/v1/match", body, {"Authorization": f"Bearer {key}"})
        assert status == 200 and answer["results"][0]["matches"], f"the query did not match: {status}"
        time.sleep(1)
        sampler = RssSampler(server.pid, abort_mb=args.rss_abort, on_abort=server.kill)
        sampler.start()
        time.sleep(0.5)
        idle_mb = sampler.last_mb
        platforms, tally, slow, slow_open_at_end, attack_s, attack_started = asyncio.run(
            attack(server, args, key, key_id, cases, f"{work}/single.json"))
        during_max = sampler.max_mb
        # Memory once the attack is over: does it come back down?
        time.sleep(5)
        after_mb = sampler.last_mb
        sampler.stop()
        alive = server.proc.poll() is None
    finally:
        if server:
            server.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    print(header("bench/serve/attack", args.root,
                 f"{args.hashes:,} PDQ hashes on SQLite, {args.strangers} strangers from "
                 f"{args.stranger_addresses} addresses, {args.slow} slow connections, "
                 f"{args.seconds} s measured after {args.ramp:.0f} s of attack"))
    imported = "reused from --keep" if reuse else f"import {import_s:.1f} s"
    print(f"bank: {imported}, matcher loaded in {load_s:.1f} s after start; "
          f"server settings: {' '.join(args.serve_arg) or 'defaults'}")
    print()
    print(f"| platforms: POST /v1/match, 1 hash, fixed {args.rate}/s | requests | requests/s | p50 ms | p99 ms | errors |")
    print("|---|---:|---:|---:|---:|---:|")
    failed = ", ".join(f"{k}: {v}" for k, v in {**platforms["bad"], **platforms["errors"]}.items())
    print(f"| {CONNECTIONS} connections | {platforms['requests']:,} | {platforms['rps']:,.0f} | "
          f"{platforms['p50']:.2f} | {platforms['p99']:.2f} | {platforms['failed']:,}"
          f"{' (' + failed + ')' if failed else ''} |")
    print()
    statuses = sorted({s for row in tally.by.values() for s in row},
                      key=lambda s: (not s.isdigit(), s))
    print("| who | requests | per s | " + " | ".join(statuses) + " |")
    print("|---|---:|---:|" + "---:|" * len(statuses))
    strangers_total = {}
    for group in list(KINDS) + ["owner", "healthz"]:
        row = tally.by.get(group, {})
        total = sum(row.values())
        if group in KINDS:
            for s, c in row.items():
                strangers_total[s] = strangers_total.get(s, 0) + c
        name = f"stranger, {group}" if group in KINDS else {"owner": "owner of an attacked case, every 2 s",
                                                              "healthz": "GET /healthz, every 1 s"}[group]
        print(f"| {name} | {total:,} | {total / attack_s:,.0f} | "
              + " | ".join(f"{row.get(s, 0):,}" for s in statuses) + " |")
    total = sum(strangers_total.values())
    print(f"| all strangers | {total:,} | {total / attack_s:,.0f} | "
          + " | ".join(f"{strangers_total.get(s, 0):,}" for s in statuses) + " |")
    print()
    lifetimes = sorted(slow["lifetimes"])
    median = f"{lifetimes[len(lifetimes) // 2]:.1f} s" if lifetimes else "-"
    print(f"slow connections: {slow['opened']:,} opened, {slow['closed']:,} let go by the server "
          f"(median after {median}; {slow['answered']:,} with an answer), {slow_open_at_end} of {args.slow} "
          f"still open at the end, {slow['refused']:,} refused")
    print(f"server RSS: {idle_mb:,.0f} MB before the attack, max {during_max:,.0f} MB during it, "
          f"{after_mb:,.0f} MB 5 s after" + (f"; {sampler.aborted}" if sampler.aborted else "")
          + (f" {sampler.aborted_at - attack_started:.1f} s into the attack" if sampler.aborted else "")
          + ("" if alive or sampler.aborted else "; the server DIED"))
    p99_ok = platforms["p99"] < GOAL_P99_MS and platforms["rps"] >= args.rate * 0.95
    rss_ok = during_max < GOAL_RSS_MB and not sampler.aborted
    errors_ok = platforms["failed"] == 0 and alive
    ok = p99_ok and rss_ok and errors_ok
    codes = ", ".join(f"{s}: {c:,}" for s, c in sorted(strangers_total.items()))
    print()
    print(f"summary: under attack, platform p99 {platforms['p99']:.2f} ms at {platforms['rps']:,.0f} requests/s "
          f"(goal < {GOAL_P99_MS:.0f} ms at {args.rate:,}/s), {platforms['failed']:,} platform errors (goal 0), "
          f"server RSS max {during_max:,.0f} MB (goal < {GOAL_RSS_MB} MB): {'met' if ok else 'MISSED'}; "
          f"strangers {codes}; slow connections let go {slow['closed']:,}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

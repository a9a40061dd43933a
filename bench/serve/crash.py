"""bench/serve/crash: `kill -9` of `hashbank serve` under mixed load, again
and again, and after each restart a check that nothing acknowledged was lost
and nothing withdrawn is left. Run through bench/serve/crash, which builds
the binary (and starts PostgreSQL with --postgres). Standard library only.

Each round: start the server on the same bank, check what the rounds before
acknowledged, put mixed load on it from several threads (filing cases,
withdrawing them, matching and reporting their hashes with outcomes, feed
pulls) for a random while, SIGKILL it mid-load, then check the database with
the server down (`hashbank audit verify`, the raw files).

What is checked:
- every case answered 201 opens with its PIN, with all its hashes;
- every withdrawal answered 200 shows the case withdrawn with no values;
- every report answered 201 (on a case still open) shows on the case;
- `hashbank audit verify` exits 0 after every kill;
- no withdrawn value is in the feed from cursor 0, nor matches at radius 0,
  nor is in the raw bytes of the database files (SQLite: the file, its WAL
  and shared memory; PostgreSQL: the table files under base/; PostgreSQL's
  own WAL is looked at and shown, not judged).
A request in flight at the kill has no answer: it is counted as unknown and
judged by what the restarted server says.
"""

import argparse
import os
import random
import re
import secrets
import sqlite3
import shutil
import subprocess
import sys
import tempfile
import threading
import time

from serving import (commit, LIGHT_ARGON2, Server, add_platform, binary, create_bank, header,
                     pull_feed, request)

# Hashes in each filed case.
CASE_HASHES = 5
# Weights of the operations a load thread picks from.
MIX = {"file": 4, "withdraw": 1.5, "report": 2, "feed": 2.5}
# Older cases checked again each round on top of the last round's (all at
# the end).
RECHECK_SAMPLE = 30
# Values of the open cases the match check must find (the check's control).
CONTROL_SAMPLE = 20
# Local addresses the load comes from (127.0.0.2 to 127.0.0.N+1).
SOURCES = 200
# Ask again this often when the server answers 429/503 while checking.
CHECK_RETRIES = 8

HEX_RUN = re.compile(rb"[0-9a-fA-F]{64,}")


def source(rng):
    return f"127.0.0.{rng.randrange(2, 2 + SOURCES)}"


class State:
    """What the load was told, shared by the load threads."""

    def __init__(self):
        self.lock = threading.Lock()
        # number -> {pin, values, ids, state: open|withdrawing|withdrawn|unknown, round}
        self.cases = {}
        self.open = []                # numbers of open cases, to pick from
        self.reports = {}             # (number, hash_id) -> reports acknowledged
        self.max_cursor = 0
        self.counts = {}              # (op, outcome) -> n
        self.round_new = []           # numbers acknowledged this round

    def count(self, op, outcome):
        with self.lock:
            self.counts[(op, outcome)] = self.counts.get((op, outcome), 0) + 1


def outcome_of(status):
    return {0: "no answer"}.get(status, str(status))


def load_thread(base, key, state, stop, rng, round_no):
    ops, weights = zip(*MIX.items())
    auth = {"Authorization": f"Bearer {key}"}
    while not stop.is_set():
        op = rng.choices(ops, weights)[0]
        if op == "file":
            values = ["%064x" % rng.getrandbits(256) for _ in range(CASE_HASHES)]
            status, body, _ = request(base, "POST", "/v1/cases", {
                "hashes": [{"kind": "pdq", "value": v, "quality": 100} for v in values]},
                timeout=10, source=source(rng))
            state.count(op, outcome_of(status))
            if status == 201:
                number = body["case_number"]
                ids = [h["id"] for h in body.get("hashes", [])]
                with state.lock:
                    state.cases[number] = {"pin": body["pin"], "values": values, "ids": ids,
                                           "state": "open", "round": round_no}
                    state.open.append(number)
                    state.round_new.append(number)
        elif op == "withdraw":
            with state.lock:
                if not state.open:
                    continue
                number = state.open.pop(rng.randrange(len(state.open)))
                case = state.cases[number]
                case["state"] = "withdrawing"
            status, _, _ = request(base, "POST", f"/v1/cases/{number}/withdraw", None,
                                   {"X-Case-Pin": case["pin"]}, timeout=10, source=source(rng))
            state.count(op, outcome_of(status))
            with state.lock:
                if status == 200:
                    case["state"] = "withdrawn"
                elif status == 0:
                    case["state"] = "unknown"
                else:
                    case["state"] = "open"
                    state.open.append(number)
                state.round_new.append(number)
        elif op == "report":
            with state.lock:
                if not state.open:
                    continue
                number = rng.choice(state.open)
                value = rng.choice(state.cases[number]["values"])
            status, body, _ = request(base, "POST", "/v1/match", {
                "hashes": [{"kind": "pdq", "value": value}], "radius": 0}, auth, timeout=10)
            if status != 200 or not body["results"][0]["matches"]:
                state.count("match", outcome_of(status) if status != 200 else "no match")
                continue
            state.count("match", "200")
            hit = body["results"][0]["matches"][0]
            status, body, _ = request(base, "POST", "/v1/reports", {
                "hash_id": hit["hash_id"], "value": value,
                "content_ref": "bench-" + secrets.token_hex(8)}, auth, timeout=10)
            state.count(op, outcome_of(status))
            if status == 201:
                with state.lock:
                    k = (number, hit["hash_id"])
                    state.reports[k] = state.reports.get(k, 0) + 1
                if rng.random() < 0.5:
                    status, _, _ = request(
                        base, "POST", f"/v1/reports/{body['report_id']}/outcome",
                        {"outcome": rng.choice(["removed", "pending_review"])}, auth, timeout=10)
                    state.count("outcome", outcome_of(status))
        else:
            after = rng.randrange(0, state.max_cursor + 1)
            status, body, _ = request(base, "GET", f"/v1/feed?after={after}&limit=1000", None,
                                      auth, timeout=10)
            state.count(op, outcome_of(status))
            if status == 200:
                with state.lock:
                    state.max_cursor = max(state.max_cursor, body["next_cursor"])


def ask(base, method, path, body, headers, rng):
    """A check's request: asks again while the server says 429/503 or is
    still starting."""
    for attempt in range(CHECK_RETRIES):
        status, answer, got = request(base, method, path, body, headers, source=source(rng))
        if status not in (0, 429, 503):
            return status, answer
        wait = got.get("Retry-After") or got.get("retry-after") or "1"
        time.sleep(min(float(wait) if wait.isdigit() else 1.0, 5.0) + attempt * 0.2)
    return status, answer


def check_cases(base, state, numbers, rng, problems):
    """Each case opens with its PIN and is in the state it was acknowledged
    in; an unknown withdrawal takes the state the server shows."""
    checked = 0
    for number in numbers:
        case = state.cases[number]
        status, view = ask(base, "GET", f"/v1/cases/{number}", None, {"X-Case-Pin": case["pin"]}, rng)
        checked += 1
        if status != 200:
            problems.append(("lost", f"case {number} ({case['state']}) answered {status}"))
            continue
        shown = view.get("status")
        values = [h.get("value") for h in view.get("hashes", [])]
        if len(values) != CASE_HASHES:
            problems.append(("lost", f"case {number} shows {len(values)} hashes, not {CASE_HASHES}"))
        if case["state"] == "unknown":
            case["state"] = "withdrawn" if shown == "withdrawn" else "open"
            if case["state"] == "open":
                state.open.append(number)
        if case["state"] == "withdrawn":
            if shown != "withdrawn" or any(values):
                problems.append(("lost", f"case {number}: acknowledged withdrawal lost (shows {shown})"))
        elif case["state"] == "open":
            if shown != "open" or sorted(v for v in values if v) != sorted(case["values"]):
                problems.append(("lost", f"case {number}: shows {shown} with other values than filed"))
            for (n, hash_id), count in state.reports.items():
                if n != number:
                    continue
                seen = sum(1 for p in view.get("platforms", []) for r in p.get("reports", [])
                           if r.get("hash_id") == hash_id)
                if seen < count:
                    problems.append(("lost", f"case {number}: {count} reports of hash {hash_id} "
                                             f"acknowledged, {seen} shown"))
    return checked


def withdrawn_values(state):
    return {v for c in state.cases.values() if c["state"] == "withdrawn" for v in c["values"]}


def check_feed_and_match(base, key, state, rng, problems):
    gone = withdrawn_values(state)
    in_feed = []
    entries, _, _ = pull_feed(base, key, visit=lambda e: e.get("value") in gone and in_feed.append(e))
    if in_feed:
        problems.append(("feed", f"{len(in_feed)} withdrawn values in the feed"))
    auth = {"Authorization": f"Bearer {key}"}
    matched = 0
    gone_list = sorted(gone)
    for start in range(0, len(gone_list), 1000):
        chunk = gone_list[start:start + 1000]
        status, body = ask(base, "POST", "/v1/match", {
            "hashes": [{"kind": "pdq", "value": v} for v in chunk], "radius": 0}, auth, rng)
        if status != 200:
            problems.append(("other", f"match check answered {status}"))
            break
        matched += sum(1 for r in body["results"] if r["matches"])
    if matched:
        problems.append(("match", f"{matched} withdrawn values still match"))
    # The control: values of open cases must match, or the check above
    # proves nothing.
    open_values = [v for n in rng.sample(state.open, min(len(state.open), CONTROL_SAMPLE))
                   for v in state.cases[n]["values"][:1]]
    missed = 0
    if open_values:
        status, body = ask(base, "POST", "/v1/match", {
            "hashes": [{"kind": "pdq", "value": v} for v in open_values], "radius": 0}, auth, rng)
        missed = sum(1 for r in body["results"] if not r["matches"]) if status == 200 else len(open_values)
    return entries, len(in_feed), matched, missed


def hex_windows(path):
    """Every 64-character window of every run of hex digits in the file,
    lower case."""
    found = set()
    try:
        with open(path, "rb") as f:
            data = f.read()
    except (FileNotFoundError, IsADirectoryError, PermissionError):
        return found, b""
    for m in HEX_RUN.finditer(data):
        run = m.group().lower()
        for i in range(len(run) - 63):
            found.add(run[i:i + 64].decode())
    return found, data


def files_of(db_url, pg_data):
    """(judged files, shown-only files) of the bank's database. PostgreSQL
    is asked for a checkpoint first, so that its table files hold what its
    memory holds."""
    if db_url.startswith("sqlite://"):
        path = db_url[len("sqlite://"):].split("?", 1)[0]
        return [path, path + "-wal", path + "-shm", path + "-journal"], []
    subprocess.run([os.environ.get("BENCH_PSQL", "psql"), db_url, "-q", "-c", "CHECKPOINT"],
                   check=True, capture_output=True)
    judged, shown = [], []
    for top, into in (("base", judged), ("global", judged), ("pg_wal", shown)):
        for folder, _, names in os.walk(os.path.join(pg_data, top)):
            into.extend(os.path.join(folder, n) for n in names)
    return judged, shown


def values_on_disk(files, gone, raw_sample, keep=None):
    """How many of `gone` are in `files`: as hex text, or (for a sample)
    as their 32 raw bytes. With `keep`, the files and the values found are
    copied there when any is found."""
    hits = set()
    for path in files:
        windows, data = hex_windows(path)
        hits |= gone & windows
        for value in raw_sample:
            if value not in hits and bytes.fromhex(value) in data:
                hits.add(value)
    if keep and hits:
        os.makedirs(keep, exist_ok=True)
        for path in files:
            if os.path.exists(path):
                shutil.copy(path, keep)
        with open(os.path.join(keep, "found.txt"), "w") as f:
            f.write("\n".join(sorted(hits)) + "\n")
    return len(hits)


def sqlite_intact(db_url):
    """SQLite's own check of its file (None on PostgreSQL): the first
    problem it reports, or "" when the file is sound."""
    if not db_url.startswith("sqlite://"):
        return None
    path = db_url[len("sqlite://"):].split("?", 1)[0]
    conn = sqlite3.connect(path)
    try:
        first = conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()
    return "" if first == "ok" else first


def audit_verify(bin_path, db, env):
    out = subprocess.run([bin_path, "audit", "verify", "--database", db],
                         capture_output=True, text=True, env={**os.environ, **env})
    return out.returncode == 0, (out.stdout + out.stderr).strip().splitlines()[-1:] or [""]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--kills", type=int, default=100)
    ap.add_argument("--postgres", action="store_true",
                    help="on PostgreSQL (the runner starts one) instead of SQLite")
    ap.add_argument("--threads", type=int, default=4, help="load threads")
    ap.add_argument("--min-load", type=float, default=0.5, help="seconds of load before a kill, least")
    ap.add_argument("--max-load", type=float, default=3.0, help="seconds of load before a kill, most")
    ap.add_argument("--real-argon2", action="store_true",
                    help="the default argon2 cost (slow); otherwise the cheap one the tests use")
    ap.add_argument("--serve-arg", action="append", default=[],
                    help="one more argument for `hashbank serve` (repeat)")
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--keep", metavar="DIR",
                    help="on a finding in the files, copy the database files and the values found "
                         "into DIR (for a look at where they are)")
    args = ap.parse_args()
    commit(args.root)  # the binary was built from this tree just now
    bin_path = binary(args.root)
    env = {} if args.real_argon2 else dict(LIGHT_ARGON2)
    rng = random.Random(args.seed)
    work = tempfile.mkdtemp(prefix="hashbank-bench-crash-")
    if args.postgres:
        db, pg_data, store = os.environ["BENCH_POSTGRES"], os.environ["BENCH_POSTGRES_DATA"], "PostgreSQL"
    else:
        db, pg_data, store = f"sqlite://{work}/bank.db", None, "SQLite"
    state = State()
    problems = []
    audit_broken, audit_last = 0, ""
    corrupt = 0
    ready_times, checked_total = [], 0
    totals = {"feed": 0, "match": 0, "disk": 0, "pg_wal": 0, "control": 0}
    log = open(os.path.join(work, "serve.log"), "w")
    try:
        create_bank(bin_path, db, env)
        key = add_platform(bin_path, db, "bench-crash", env)
        for round_no in range(args.kills + 1):
            final = round_no == args.kills
            server = Server(bin_path, db, args.serve_arg, env, log)
            ready_times.append(server.wait_ready())
            found = []
            # What the round before acknowledged, and a sample of the rest
            # (everything after the last kill).
            earlier = [n for n in state.cases if n not in set(state.round_new)]
            numbers = list(dict.fromkeys(state.round_new)) + (
                earlier if final else rng.sample(earlier, min(len(earlier), RECHECK_SAMPLE)))
            checked_total += check_cases(server.base, state, numbers, rng, found)
            state.round_new = []
            entries, in_feed, matched, missed = check_feed_and_match(server.base, key, state, rng, found)
            totals["feed"] += in_feed
            totals["match"] += matched
            totals["control"] += missed
            if final:
                server.stop()
                # After a clean stop too, nothing withdrawn is on disk.
                judged, _ = files_of(db, pg_data)
                gone = withdrawn_values(state)
                on_disk = values_on_disk(judged, gone, set(rng.sample(sorted(gone), min(len(gone), 20))))
                totals["disk"] = max(totals["disk"], on_disk)
                if on_disk:
                    found.append(("disk", f"{on_disk:,} of {len(gone):,} withdrawn values in the database "
                                          "files after a clean stop"))
                problems.extend((k, f"final check: {p}") for k, p in found)
                break
            stop = threading.Event()
            threads = [threading.Thread(target=load_thread, daemon=True, args=(
                server.base, key, state, stop, random.Random(rng.random()), round_no))
                for _ in range(args.threads)]
            for t in threads:
                t.start()
            time.sleep(rng.uniform(args.min_load, args.max_load))
            # No new request after the kill: what is in flight now is what
            # the kill interrupts.
            stop.set()
            server.kill()
            for t in threads:
                t.join()
            ok, last = audit_verify(bin_path, db, env)
            if not ok:
                audit_broken += 1
                found.append(("audit", f"audit verify: {last[0]}"))
            audit_last = last[0]
            problem = sqlite_intact(db)
            if problem:
                corrupt += 1
                found.append(("corrupt", f"SQLite integrity_check: {problem}"))
            judged, shown = files_of(db, pg_data)
            gone = withdrawn_values(state)
            sample = set(rng.sample(sorted(gone), min(len(gone), 20)))
            on_disk = values_on_disk(judged, gone, sample, args.keep)
            in_pg_wal = values_on_disk(shown, gone, set()) if shown else 0
            totals["disk"] = max(totals["disk"], on_disk)
            totals["pg_wal"] = max(totals["pg_wal"], in_pg_wal)
            if on_disk:
                found.append(("disk", f"{on_disk:,} of {len(gone):,} withdrawn values in the database files"))
            problems.extend((k, f"kill {round_no + 1}: {p}") for k, p in found)
            print(f"kill {round_no + 1}/{args.kills}: cases {len(state.cases)}, withdrawn "
                  f"{sum(c['state'] == 'withdrawn' for c in state.cases.values())}, ready "
                  f"{ready_times[-1]:.2f} s, problems {len(found)}", file=sys.stderr)
    finally:
        log.close()
        shutil.rmtree(work, ignore_errors=True)

    counts = state.counts
    def n(op, outcome="201"):
        return counts.get((op, outcome), 0)
    def others(op, ok):
        rest = {o: c for (p, o), c in counts.items() if p == op and o != ok}
        return ", ".join(f"{o}: {c}" for o, c in sorted(rest.items())) or "-"
    cases = state.cases.values()
    withdrawn = sum(c["state"] == "withdrawn" for c in cases)
    print(header("bench/serve/crash", args.root,
                 f"{args.kills} kill -9 on {store}, {args.threads} load threads, "
                 f"{'default' if args.real_argon2 else 'light'} argon2"))
    print()
    print("| operation | acknowledged | other answers |")
    print("|---|---:|---|")
    print(f"| file a case ({CASE_HASHES} hashes) | {n('file'):,} | {others('file', '201')} |")
    print(f"| withdraw | {n('withdraw', '200'):,} | {others('withdraw', '200')} |")
    print(f"| match (to report) | {n('match', '200'):,} | {others('match', '200')} |")
    print(f"| report | {n('report'):,} | {others('report', '201')} |")
    print(f"| outcome | {n('outcome', '200'):,} | {others('outcome', '200')} |")
    print(f"| feed page | {n('feed', '200'):,} | {others('feed', '200')} |")
    print()
    ready_sorted = sorted(ready_times)
    print("| check after each restart | result |")
    print("|---|---|")
    print(f"| cases at the end (withdrawn) | {len(state.cases):,} ({withdrawn:,}) |")
    kinds = {}
    for kind, _ in problems:
        kinds[kind] = kinds.get(kind, 0) + 1
    lost = kinds.get("lost", 0)
    print(f"| case checks (PIN, state, hashes, reports) | {checked_total:,}, {lost} lost |")
    print(f"| audit verify | broken after {audit_broken} of {args.kills} kills; last: {audit_last} |")
    if not args.postgres:
        print(f"| SQLite `integrity_check` | failed after {corrupt} of {args.kills} kills |")
    print(f"| withdrawn values in the feed (all checks) | {totals['feed']:,} |")
    print(f"| withdrawn values matching at radius 0 | {totals['match']:,} |")
    print(f"| withdrawn values in the database files (most at one kill) | {totals['disk']:,} |")
    if args.postgres:
        print(f"| withdrawn values in PostgreSQL's WAL (shown, not judged) | {totals['pg_wal']:,} |")
    print(f"| open values the match check missed (control) | {totals['control']:,} |")
    print(f"| restart to /readyz 200 | median {ready_sorted[len(ready_sorted) // 2]:.2f} s, "
          f"max {ready_sorted[-1]:.2f} s |")
    if problems:
        print()
        print("problems (first 20):")
        for _, p in problems[:20]:
            print(f"- {p}")
    ok = not problems
    print()
    print(f"summary: {args.kills} kill -9 on {store}: {n('file'):,} cases, {n('withdraw', '200'):,} "
          f"withdrawals, {n('report'):,} reports acknowledged; lost {lost} (goal 0); audit broken "
          f"{audit_broken} (goal 0); {'' if args.postgres else f'corrupt {corrupt} (goal 0); '}withdrawn values in feed {totals['feed']:,}, match {totals['match']:,}, "
          f"files {totals['disk']:,} (goal 0 each): {'met' if ok else 'MISSED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

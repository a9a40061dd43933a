"""bench/serve/import-bound: run through bench/serve/import-bound, which
builds the binary and starts a throwaway PostgreSQL. Makes an empty bank
with `hashbank serve`, then has PostgreSQL write N hashes into it with
import_bound.sql in steps of 1,000,000 (transactions of 10,000 hashes in 20
cases), timing each step: the rate falls as the indexes grow."""

import argparse
import os
import subprocess
import sys
import tempfile
import time

from serving import commit, binary, create_bank, header

GOAL_IMPORT_RATE = 50_000
STEP = 1_000_000
PER_TRANSACTION = 10_000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--root", required=True)
    ap.add_argument("--hashes", type=int, default=2 * STEP)
    args = ap.parse_args()
    commit(args.root)  # the binary was built from this tree just now
    db = os.environ["BENCH_POSTGRES"]
    psql = os.environ["BENCH_PSQL"]
    bin_path = binary(args.root)
    with tempfile.TemporaryDirectory() as work:
        create_bank(bin_path, db)
        sql = open(os.path.join(os.path.dirname(__file__), "import_bound.sql")).read()
        steps = []
        done = 0
        while done < args.hashes:
            n = min(STEP, args.hashes - done)
            batches = max(1, n // PER_TRANSACTION)
            script = f"{sql}\nCALL pg_temp.fill({batches});\n"
            started = time.time()
            # From standard input, not -c: a -c string is one transaction, in
            # which the procedure may not commit.
            subprocess.run([psql, "-q", "-v", "ON_ERROR_STOP=1", "-d", db, "-f", "-"],
                           input=script, text=True, check=True, stdout=subprocess.DEVNULL)
            seconds = time.time() - started
            done += batches * PER_TRANSACTION
            steps.append((done, batches * PER_TRANSACTION, seconds))
    print(header("bench/serve/import-bound", args.root,
                 f"{done:,} hashes written by PostgreSQL itself into the bank's tables"))
    print()
    print("| hashes in the bank after the step | step | seconds | hashes/s |")
    print("|---:|---:|---:|---:|")
    for total, n, seconds in steps:
        print(f"| {total:,} | {n:,} | {seconds:.1f} | {n / seconds:,.0f} |")
    best = max(n / s for _, n, s in steps)
    last = steps[-1][1] / steps[-1][2]
    ok = best >= GOAL_IMPORT_RATE
    print()
    print(f"summary: PostgreSQL alone writes at most {best:,.0f} hashes/s into the bank's tables "
          f"({last:,.0f}/s at {done:,}), with no client, network or PIN hashing "
          f"(goal of the import >= {GOAL_IMPORT_RATE:,}): {'met' if ok else 'MISSED'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()

"""faiss's side of bench/index/run: the same data in IndexBinaryFlat and in
IndexBinaryMultiHash(256, 16, 16) with nflip=1 (python-threatexchange's
set-up), one thread, range search at the same radius. Prints one JSON line
per index: build time, queries/s, recall against the brute-force truth,
resident memory per stored hash."""

import argparse
import json
import time
from pathlib import Path

import faiss
import numpy as np

PAGE = 4096  # bytes per page in /proc/self/statm
MIN_SECONDS = 2.0  # time each fast query run at least this long


def resident_bytes():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


def read_truth(path):
    truth = set()
    with open(path) as f:
        for line in f:
            q, i, _ = line.split()
            truth.add((int(q), int(i)))
    return truth


def found_pairs(lims, ids, first_query=0):
    pairs = set()
    for q in range(len(lims) - 1):
        for i in ids[lims[q]:lims[q + 1]]:
            pairs.add((first_query + q, int(i)))
    return pairs


def measure(name, make, base, queries, truth, radius, max_queries):
    before = resident_bytes()
    start = time.perf_counter()
    index = make()
    index.add(base)
    build = time.perf_counter() - start
    memory = resident_bytes() - before
    used = queries[:max_queries]
    # faiss's binary range search keeps distances strictly below the radius.
    start = time.perf_counter()
    lims, _, ids = index.range_search(used, radius + 1)
    elapsed = time.perf_counter() - start
    runs = 1
    while elapsed < MIN_SECONDS:
        index.range_search(used, radius + 1)
        runs += 1
        elapsed = time.perf_counter() - start
    found = found_pairs(lims, ids)
    expected = {p for p in truth if p[0] < len(used)}
    false = found - expected
    if false:
        raise SystemExit(f"{name}: {len(false)} pairs beyond the radius")
    recall = len(found & expected) / len(expected) if expected else 1.0
    print(json.dumps({
        "engine": name,
        "n": len(base),
        "build_s": round(build, 3),
        "qps": round(runs * len(used) / elapsed, 1),
        "recall": round(recall, 6),
        "bytes_per_hash": round(memory / len(base), 2),
        "queries": len(used),
    }), flush=True)
    del index


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("dir", type=Path)
    parser.add_argument("--radius", type=int, default=31)
    parser.add_argument("--max-flat-queries", type=int, default=1 << 30)
    args = parser.parse_args()
    faiss.omp_set_num_threads(1)
    base = np.fromfile(args.dir / "base.bin", dtype=np.uint8).reshape(-1, 32)
    queries = np.fromfile(args.dir / "queries.bin", dtype=np.uint8).reshape(-1, 32)
    truth = read_truth(args.dir / "truth.txt")

    def multihash():
        index = faiss.IndexBinaryMultiHash(256, 16, 16)
        index.nflip = 1
        return index

    measure("faiss-flat", lambda: faiss.IndexBinaryFlat(256), base, queries, truth,
            args.radius, args.max_flat_queries)
    measure("faiss-multihash", multihash, base, queries, truth, args.radius, len(queries))


if __name__ == "__main__":
    main()

"""Reads bench/index/out/*/results.jsonl and prints the table and the summary
line against the goals. Exits 1 if a goal is missed at the largest size."""

import argparse
import json
import sys
from pathlib import Path

SPEEDUP_GOAL = 50.0  # range search r=31 at 10M: x faiss IndexBinaryFlat's queries/s
MEMORY_GOAL = 64.0  # resident bytes per stored hash, everything included
OPEN_GOAL = 1.0  # seconds to open a saved 10M index
GOAL_SIZE = 10_000_000  # the size the goals are stated for


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("out", type=Path)
    parser.add_argument("--sizes", required=True)
    parser.add_argument("--queries", type=int, required=True)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    verdicts = []
    for n in sizes:
        for data in ("uniform", "clustered"):
            path = args.out / f"{data}-{n}-q{args.queries}" / "results.jsonl"
            results = {}
            for line in path.read_text().splitlines():
                r = json.loads(line)
                results[r["engine"]] = r
            hb, opened = results["hashbank"], results["hashbank-opened"]
            flat, mh = results["faiss-flat"], results["faiss-multihash"]
            memory = max(hb["bytes_per_hash"], opened["bytes_per_hash"])
            label = f"{n // 1_000_000}M" if n >= 1_000_000 else f"{n // 1000}k"
            for name, r in (("hashbank", hb), ("hashbank (target-cpu=native)", results.get("hashbank-native")),
                            ("faiss IndexBinaryFlat", flat), ("faiss IndexBinaryMultiHash", mh)):
                if r is None:
                    continue
                mem = f"{r['bytes_per_hash']:.1f}"
                if name == "hashbank":
                    mem = f"{hb['bytes_per_hash']:.1f} built / {opened['bytes_per_hash']:.1f} opened"
                rows.append((label, data, name, f"{r['build_s']:.2f}", f"{r['qps']:,.0f}",
                             f"{r['recall']:.4f}", mem,
                             f"{opened['open_s']:.2f} ({opened.get('open_cpu_s', 0):.2f} cpu)" if name == "hashbank" else "",
                             f"{r['qps'] / flat['qps']:.1f}x" if r is not flat else "1x",
                             f"{r['qps'] / mh['qps']:.1f}x" if r is not mh else "1x"))
            verdicts.append({
                "n": n, "data": data,
                "speedup_flat": hb["qps"] / flat["qps"],
                "speedup_mh": hb["qps"] / mh["qps"],
                "recall": min(hb["recall"], opened["recall"]),
                "memory": memory,
                "open_s": opened["open_s"],
            })
    header = ("N", "data", "index", "build s", "queries/s r=31", "recall", "bytes/hash (RSS)",
              "open s", "vs flat", "vs multihash")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")

    top = max(sizes)
    at_top = [v for v in verdicts if v["n"] == top]
    speed = min(v["speedup_flat"] for v in at_top)
    ahead = min(v["speedup_mh"] for v in at_top)
    recall = min(v["recall"] for v in verdicts)
    memory = max(v["memory"] for v in at_top)
    open_s = max(v["open_s"] for v in at_top)
    checks = [
        (f"r=31 speed {speed:.1f}x faiss flat (goal >= {SPEEDUP_GOAL:.0f}x)", speed >= SPEEDUP_GOAL),
        (f"{ahead:.1f}x faiss multihash (goal > 1x)", ahead > 1.0),
        (f"recall {recall:.4f} (goal 1.0)", recall == 1.0),
        (f"memory {memory:.1f} B/hash (goal <= {MEMORY_GOAL:.0f})", memory <= MEMORY_GOAL),
        (f"open {open_s:.2f} s (goal < {OPEN_GOAL:.0f} s)", open_s < OPEN_GOAL),
    ]
    scope = f"N={top:,}" + ("" if top >= GOAL_SIZE else f" (goals are stated for N={GOAL_SIZE:,})")
    parts = [f"{text} {'met' if ok else 'MISSED'}" for text, ok in checks]
    with open("/proc/loadavg") as f:
        load = " ".join(f.read().split()[:3])
    print(f"(load average at the end of the run: {load}, on {len(open('/proc/cpuinfo').read().split('processor')) - 1} cores)")
    print(f"SUMMARY {scope}: " + "; ".join(parts))
    sys.exit(0 if all(ok for _, ok in checks) else 1)


if __name__ == "__main__":
    main()

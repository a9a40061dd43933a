//! Times `FrozenIndex` against `HammingIndex` on 1,000,000 uniform random
//! hashes: build time, and microseconds per query at radius 31 and 40 for
//! random queries and for stored hashes with 20 to 35 bits flipped.
//!
//! ```text
//! cargo run --release -p hashbank-index --example frozen_speed [-- N [frozen]]
//! ```
//!
//! With `frozen` after N, only `FrozenIndex` is timed.

use std::time::Instant;

use hashbank_index::{FrozenIndex, HammingIndex, Hash256, Match};

/// Stored hashes unless the first argument says otherwise.
const DEFAULT_N: usize = 1_000_000;
/// Queries of each kind.
const QUERIES: usize = 2_000;

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn hash(&mut self) -> Hash256 {
        Hash256([self.next(), self.next(), self.next(), self.next()])
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    /// `hash` with `bits` distinct bits flipped.
    fn flip(&mut self, hash: Hash256, bits: u32) -> Hash256 {
        let mut out = hash;
        while out.distance(&hash) < bits {
            let p = self.below(256) as usize;
            out.0[p / 64] ^= 1 << (p % 64);
        }
        out
    }
}

/// Clock ticks per second in /proc (USER_HZ).
const CLOCK_TICKS: f64 = 100.0;

/// CPU seconds this thread has run (user and system), from /proc: other work
/// shares the machine, so wall time alone says little.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/thread-self/stat").unwrap_or_default();
    let after_name = stat.rsplit(')').next().unwrap_or("");
    let ticks: f64 = after_name
        .split_whitespace()
        .skip(11)
        .take(2)
        .filter_map(|t| t.parse::<f64>().ok())
        .sum();
    ticks / CLOCK_TICKS
}

/// Microseconds of wall and of CPU time per query, and the matches found.
/// Repeats the queries `passes` times; reports the best wall time and the
/// mean CPU time.
fn time(
    queries: &[Hash256],
    passes: usize,
    search: impl Fn(&Hash256) -> Vec<Match>,
) -> (f64, f64, usize) {
    let cpu = cpu_seconds();
    let mut wall = f64::INFINITY;
    let mut found = 0;
    for _ in 0..passes {
        let start = Instant::now();
        found = queries.iter().map(|q| search(q).len()).sum();
        wall = wall.min(start.elapsed().as_secs_f64());
    }
    let per_query = 1e6 / queries.len() as f64;
    let cpu = (cpu_seconds() - cpu) / passes as f64;
    (wall * per_query, cpu * per_query, found)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let n: usize = args.first().map_or(DEFAULT_N, |a| a.parse().expect("N"));
    let frozen_only = args.get(1).is_some_and(|a| a == "frozen");
    let mut rng = Rng(0x1234_5678_9abc_def1);
    let stored: Vec<(u64, Hash256)> = (0..n as u64).map(|i| (i, rng.hash())).collect();

    let start = Instant::now();
    let frozen = FrozenIndex::build(stored.iter().copied());
    println!(
        "FrozenIndex build: {:.0} ms for {n} hashes ({} MB at {} B/hash)",
        start.elapsed().as_secs_f64() * 1e3,
        n * FrozenIndex::BYTES_PER_HASH / 1_000_000,
        FrozenIndex::BYTES_PER_HASH
    );
    let start = Instant::now();
    let hamming = HammingIndex::build(stored.iter().copied().filter(|_| !frozen_only));
    hamming.compact();
    if !frozen_only {
        println!(
            "HammingIndex build: {:.0} ms",
            start.elapsed().as_secs_f64() * 1e3
        );
    }

    let random: Vec<Hash256> = (0..QUERIES).map(|_| rng.hash()).collect();
    let near: Vec<Hash256> = (0..QUERIES)
        .map(|_| {
            let base = stored[rng.below(n as u64) as usize].1;
            let bits = 20 + rng.below(16) as u32;
            rng.flip(base, bits)
        })
        .collect();

    for radius in [31, 40] {
        for (kind, queries) in [("random", &random), ("near", &near)] {
            // One untimed pass warms caches and page tables.
            let warm = &queries[..QUERIES / 10];
            time(warm, 1, |q| frozen.search(q, radius));
            let (f, f_cpu, found_f) = time(queries, 5, |q| frozen.search(q, radius));
            print!(
                "radius {radius}, {kind:>6} queries: FrozenIndex {f:6.1} us/query \
                 ({f_cpu:6.1} CPU)"
            );
            if !frozen_only {
                time(warm, 1, |q| hamming.search(q, radius));
                let (h, h_cpu, found_h) = time(queries, 1, |q| hamming.search(q, radius));
                assert_eq!(found_f, found_h, "both find the same matches");
                print!(", HammingIndex {h:7.1} us/query ({h_cpu:7.1} CPU)");
            }
            println!(", {found_f} matches");
        }
    }
}

//! Measures the unit costs of the search cost model (see `src/plan.rs`):
//! the linear scan per hash and multi-index search per radius, on uniform
//! random hashes. `cargo run --release --example calibrate -- [N]`.

use std::time::Instant;

use hashbank_index::{HammingIndex, Hash256, Strategy};

struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn hash(&mut self) -> Hash256 {
        Hash256([self.next(), self.next(), self.next(), self.next()])
    }
}

/// Microseconds per query.
fn time(index: &HammingIndex, queries: &[Hash256], radius: u32, strategy: Strategy) -> f64 {
    let start = Instant::now();
    let mut found = 0;
    for q in queries {
        found += index.search_with(q, radius, strategy).len();
    }
    std::hint::black_box(found);
    start.elapsed().as_secs_f64() * 1e6 / queries.len() as f64
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .map_or(1_000_000, |a| a.parse().expect("N"));
    let mut rng = Rng(9);
    let index = HammingIndex::build((0..n as u64).map(|i| (i, rng.hash())));
    let queries: Vec<Hash256> = (0..200).map(|_| rng.hash()).collect();
    if let Some(radius) = std::env::args().nth(2) {
        // Profile one radius: multi-index only, many rounds.
        let radius = radius.parse().expect("radius");
        let mut rounds: Vec<f64> = (0..40)
            .map(|r| {
                let part = &queries[(r % 4) * 50..(r % 4) * 50 + 50];
                time(&index, part, radius, Strategy::MultiIndex)
            })
            .collect();
        rounds.sort_by(f64::total_cmp);
        println!(
            "radius {radius}: multi-index {:.0} us/query (fastest round), {:.0} (median)",
            rounds[0], rounds[20]
        );
        return;
    }
    let scan = time(&index, &queries[..20], 31, Strategy::LinearScan);
    println!(
        "n {n}: linear scan {scan:.0} us/query ({:.2} ns/hash)",
        scan * 1e3 / n as f64
    );
    for radius in [7, 15, 23, 31, 39, 47, 55] {
        let mih = time(&index, &queries, radius, Strategy::MultiIndex);
        let auto = time(&index, &queries, radius, Strategy::Auto);
        println!("radius {radius}: multi-index {mih:.0} us/query, auto {auto:.0} us/query");
    }
}

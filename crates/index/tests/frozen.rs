//! `FrozenIndex` range search against brute force and `HammingIndex`, on
//! uniform and clustered data.

mod common;

use common::*;
use hashbank_index::{FrozenIndex, HammingIndex, Hash256};
use proptest::prelude::*;

fn check_range(stored: &[(u64, Hash256)], queries: &[Hash256], radius: u32) {
    let frozen = FrozenIndex::build(stored.iter().copied());
    let hamming = HammingIndex::build(stored.iter().copied());
    assert_eq!(frozen.len(), stored.len());
    for query in queries {
        let expected = brute_force(stored, query, radius);
        assert_eq!(
            frozen.search(query, radius),
            expected,
            "radius {radius}, query {query}"
        );
        assert_eq!(hamming.search(query, radius), expected);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn frozen_search_is_exact_on_uniform_data(
        (hashes, queries) in uniform(700).prop_flat_map(queries_for),
        radius in prop_oneof![0u32..=70, Just(100), Just(256)],
        salt in any::<u64>(),
    ) {
        check_range(&with_ids(&hashes, salt), &queries, radius);
    }

    #[test]
    fn frozen_search_is_exact_on_clustered_data(
        (hashes, queries) in clustered(30).prop_flat_map(queries_for),
        radius in prop_oneof![0u32..=70, Just(100), Just(256)],
        salt in any::<u64>(),
    ) {
        check_range(&with_ids(&hashes, salt), &queries, radius);
    }
}

/// Enough hashes that the probes, not the scan, serve the usual radii, with
/// clusters up to 45 bits wide.
#[test]
fn larger_frozen_index_matches_brute_force() {
    let mut rng = Rng(11);
    let mut hashes = Vec::new();
    for _ in 0..4000 {
        let centre = rng.hash();
        for _ in 0..1 + rng.below(12) {
            let bits = rng.below(46) as u32;
            hashes.push(rng.flip(centre, bits));
        }
    }
    let stored = with_ids(&hashes, 42);
    let mut queries = Vec::new();
    for _ in 0..15 {
        let base = hashes[rng.below(hashes.len() as u64) as usize];
        let bits = rng.below(40) as u32;
        queries.push(rng.flip(base, bits));
        queries.push(rng.hash());
    }
    for radius in [0, 1, 15, 16, 31, 32, 40, 47, 63, 64, 100, 256] {
        check_range(&stored, &queries, radius);
    }
}

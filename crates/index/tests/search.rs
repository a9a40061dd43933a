//! Range and k-nearest search against brute force, on uniform and clustered data.

mod common;

use common::*;
use hashbank_index::{HammingIndex, Hash256, Strategy as SearchStrategy};
use proptest::prelude::*;

const STRATEGIES: [SearchStrategy; 3] = [
    SearchStrategy::Auto,
    SearchStrategy::MultiIndex,
    SearchStrategy::LinearScan,
];

fn check_range(stored: &[(u64, Hash256)], index: &HammingIndex, queries: &[Hash256], radius: u32) {
    for query in queries {
        let expected = brute_force(stored, query, radius);
        for strategy in STRATEGIES {
            let got = index.search_with(query, radius, strategy);
            assert_eq!(
                got, expected,
                "radius {radius}, {strategy:?}, query {query}"
            );
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn range_search_is_exact_on_uniform_data(
        (hashes, queries) in uniform(700).prop_flat_map(queries_for),
        radius in 0u32..=63,
        salt in any::<u64>(),
    ) {
        let stored = with_ids(&hashes, salt);
        let index = HammingIndex::build(stored.iter().copied());
        check_range(&stored, &index, &queries, radius);
    }

    #[test]
    fn range_search_is_exact_on_clustered_data(
        (hashes, queries) in clustered(30).prop_flat_map(queries_for),
        radius in 0u32..=63,
        salt in any::<u64>(),
    ) {
        let stored = with_ids(&hashes, salt);
        let index = HammingIndex::build(stored.iter().copied());
        check_range(&stored, &index, &queries, radius);
    }

    #[test]
    fn nearest_is_exact(
        (hashes, queries) in clustered(20).prop_flat_map(queries_for),
        k in 0usize..30,
        radius in prop_oneof![0u32..=63, Just(256)],
        salt in any::<u64>(),
    ) {
        let stored = with_ids(&hashes, salt);
        let index = HammingIndex::build(stored.iter().copied());
        for query in &queries {
            prop_assert_eq!(index.nearest_within(query, k, radius), brute_nearest(&stored, query, k, radius));
        }
        if let Some(query) = queries.first() {
            prop_assert_eq!(index.nearest(query, k), brute_nearest(&stored, query, k, 256));
        }
    }

    #[test]
    fn radii_above_63_scan(
        hashes in uniform(200),
        query in any_hash(),
        radius in 64u32..300,
    ) {
        let stored = with_ids(&hashes, 1);
        let index = HammingIndex::build(stored.iter().copied());
        check_range(&stored, &index, &[query], radius);
    }
}

/// Larger segments than proptest makes, so that directories have many bits
/// and every probe radius is exercised on realistic bucket sizes.
#[test]
fn larger_segments_match_brute_force() {
    let mut rng = Rng(7);
    let mut hashes = Vec::new();
    for _ in 0..3000 {
        let centre = rng.hash();
        for _ in 0..1 + rng.below(8) {
            let bits = rng.below(10) as u32;
            hashes.push(rng.flip(centre, bits));
        }
    }
    let stored = with_ids(&hashes, 99);
    let index = HammingIndex::build(stored.iter().copied());
    let mut queries = Vec::new();
    for _ in 0..20 {
        let base = hashes[rng.below(hashes.len() as u64) as usize];
        let bits = rng.below(40) as u32;
        queries.push(rng.flip(base, bits));
        queries.push(rng.hash());
    }
    for radius in [0, 1, 6, 7, 8, 15, 16, 23, 30, 31, 32, 39, 47, 55, 63] {
        check_range(&stored, &index, &queries, radius);
    }
}

#[test]
fn batch_search_matches_single_searches() {
    let mut rng = Rng(3);
    let hashes: Vec<Hash256> = (0..2000).map(|_| rng.hash()).collect();
    let stored = with_ids(&hashes, 5);
    let index = HammingIndex::build(stored.iter().copied());
    let queries: Vec<Hash256> = (0..50)
        .map(|i| rng.flip(hashes[i * 7], (i % 32) as u32))
        .collect();
    let batch = index.search_batch(&queries, 31, 2);
    let nearest = index.nearest_batch(&queries, 3, 256, 2);
    for (i, query) in queries.iter().enumerate() {
        assert_eq!(batch[i], index.search(query, 31));
        assert!(!batch[i].is_empty());
        assert_eq!(nearest[i], brute_nearest(&stored, query, 3, 256));
    }
}

#[test]
fn empty_index_finds_nothing() {
    let index = HammingIndex::new();
    assert!(index.is_empty());
    assert!(index.search(&Hash256::ZERO, 256).is_empty());
    assert!(index.nearest(&Hash256::ZERO, 5).is_empty());
}

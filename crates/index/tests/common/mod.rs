//! Helpers shared by the integration tests: data makers and the brute force.

#![allow(dead_code)]

use hashbank_index::{Hash256, Match};
use proptest::prelude::*;

/// Every stored hash within `radius`, in the index's order.
pub fn brute_force(stored: &[(u64, Hash256)], query: &Hash256, radius: u32) -> Vec<Match> {
    let mut out: Vec<Match> = stored
        .iter()
        .map(|&(id, hash)| Match {
            id,
            hash,
            distance: hash.distance(query),
        })
        .filter(|m| m.distance <= radius)
        .collect();
    out.sort();
    out
}

/// The `k` nearest within `radius`, by brute force.
pub fn brute_nearest(
    stored: &[(u64, Hash256)],
    query: &Hash256,
    k: usize,
    radius: u32,
) -> Vec<Match> {
    let mut all = brute_force(stored, query, radius);
    all.truncate(k);
    all
}

/// `hash` with the bits at `positions` flipped.
pub fn flipped(hash: Hash256, positions: &[u8]) -> Hash256 {
    let mut out = hash;
    for &p in positions {
        out.0[usize::from(p) / 64] ^= 1 << (p % 64);
    }
    out
}

pub fn any_hash() -> impl Strategy<Value = Hash256> {
    any::<[u64; 4]>().prop_map(Hash256)
}

/// Uniform random hashes.
pub fn uniform(max: usize) -> impl Strategy<Value = Vec<Hash256>> {
    prop::collection::vec(any_hash(), 0..max)
}

/// Clusters: a few centres, each with many copies a few bits apart (as
/// near-identical images give), some exact duplicates among them.
pub fn clustered(max_clusters: usize) -> impl Strategy<Value = Vec<Hash256>> {
    prop::collection::vec(
        (
            any_hash(),
            prop::collection::vec(prop::collection::vec(any::<u8>(), 0..12), 1..40),
        ),
        1..max_clusters,
    )
    .prop_map(|clusters| {
        clusters
            .into_iter()
            .flat_map(|(centre, members)| {
                members
                    .into_iter()
                    .map(move |flips| flipped(centre, &flips))
            })
            .collect()
    })
}

/// Queries: stored hashes with 0 to 40 bits flipped, and random hashes.
pub fn queries_for(stored: Vec<Hash256>) -> impl Strategy<Value = (Vec<Hash256>, Vec<Hash256>)> {
    let n = stored.len();
    let near = prop::collection::vec(
        (0..n.max(1), prop::collection::vec(any::<u8>(), 0..40)),
        0..6,
    );
    (Just(stored), near, prop::collection::vec(any_hash(), 1..3)).prop_map(|(stored, near, far)| {
        let mut queries: Vec<Hash256> = near
            .into_iter()
            .filter(|_| !stored.is_empty())
            .map(|(i, flips)| flipped(stored[i], &flips))
            .collect();
        queries.extend(far);
        (stored, queries)
    })
}

/// Ids for stored hashes: spread over u64, with some repeated.
pub fn with_ids(hashes: &[Hash256], salt: u64) -> Vec<(u64, Hash256)> {
    hashes
        .iter()
        .enumerate()
        .map(|(i, &h)| {
            let i = i as u64;
            let id = if i % 17 == 3 {
                i - 1
            } else {
                i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ salt
            };
            (id, h)
        })
        .collect()
}

/// A small deterministic generator (splitmix64) for tests that need no shrinking.
pub struct Rng(pub u64);

impl Rng {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    pub fn hash(&mut self) -> Hash256 {
        Hash256([self.next(), self.next(), self.next(), self.next()])
    }

    pub fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// `hash` with `bits` distinct random bits flipped.
    pub fn flip(&mut self, hash: Hash256, bits: u32) -> Hash256 {
        let mut out = hash;
        while out.distance(&hash) < bits {
            let p = self.below(256) as usize;
            out.0[p / 64] ^= 1 << (p % 64);
        }
        out
    }
}

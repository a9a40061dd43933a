//! Inserts and removals interleaved with searches, against a plain model;
//! and readers running while a writer writes.

mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::thread;

use common::*;
use hashbank_index::{HammingIndex, Hash256};
use proptest::prelude::*;

#[derive(Clone, Debug)]
enum Op {
    Insert(Vec<(u64, Hash256)>),
    Remove(Vec<u64>),
    Search(Hash256, u32),
    Nearest(Hash256, usize),
    Compact,
}

fn op(ids: u64) -> impl Strategy<Value = Op> {
    // Ids from a small range, so removals hit and repeats happen.
    let entry = (0..ids, any_hash());
    prop_oneof![
        4 => prop::collection::vec(entry, 1..40).prop_map(Op::Insert),
        2 => prop::collection::vec(0..ids, 1..6).prop_map(Op::Remove),
        3 => (any_hash(), 0u32..=70).prop_map(|(q, r)| Op::Search(q, r)),
        1 => (any_hash(), 0usize..8).prop_map(|(q, k)| Op::Nearest(q, k)),
        1 => Just(Op::Compact),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn interleaved_writes_match_a_model(
        ops in prop::collection::vec(op(300), 1..60),
        tail_limit in 1usize..50,
    ) {
        let index = HammingIndex::with_tail_limit(tail_limit);
        let mut model: Vec<(u64, Hash256)> = Vec::new();
        let mut near: Option<Hash256> = None;
        for op in ops {
            match op {
                Op::Insert(entries) => {
                    near = entries.first().map(|e| e.1);
                    model.extend(&entries);
                    index.insert_many(entries);
                }
                Op::Remove(ids) => {
                    let before = model.len();
                    model.retain(|(id, _)| !ids.contains(id));
                    prop_assert_eq!(index.remove_many(ids), before - model.len());
                }
                Op::Search(query, radius) => {
                    // Half the searches near a stored hash, so that they find something.
                    let query = match near { Some(h) if radius % 2 == 0 => flipped(h, &[radius as u8]), _ => query };
                    prop_assert_eq!(index.search(&query, radius), brute_force(&model, &query, radius));
                }
                Op::Nearest(query, k) => {
                    prop_assert_eq!(index.nearest(&query, k), brute_nearest(&model, &query, k, 256));
                }
                Op::Compact => index.compact(),
            }
            prop_assert_eq!(index.len(), model.len());
        }
        let mut entries = index.entries();
        entries.sort();
        model.sort();
        prop_assert_eq!(entries, model);
    }
}

#[test]
fn reinserting_a_removed_id_brings_it_back() {
    let index = HammingIndex::with_tail_limit(2);
    let hash = Hash256([1, 2, 3, 4]);
    index.insert_many((0..10).map(|i| (i, Hash256([i, 0, 0, 0]))));
    index.insert(42, hash);
    index.insert_many((10..20).map(|i| (i, Hash256([i, 9, 9, 9]))));
    assert_eq!(index.remove(42), 1);
    assert!(index.search(&hash, 0).is_empty());
    index.insert(42, hash);
    assert_eq!(index.search(&hash, 0)[0].id, 42);
    assert_eq!(index.remove(42), 1);
    assert_eq!(index.remove(42), 0);
}

/// Readers search while a writer inserts and removes: every search sees a
/// consistent snapshot, in which the hashes that are never removed are found.
#[test]
fn readers_run_during_writes() {
    let mut rng = Rng(11);
    let index = Arc::new(HammingIndex::with_tail_limit(64));
    let permanent: Vec<Hash256> = (0..200).map(|_| rng.hash()).collect();
    index.insert_many(permanent.iter().enumerate().map(|(i, &h)| (i as u64, h)));
    let done = Arc::new(AtomicBool::new(false));
    let readers: Vec<_> = (0..2)
        .map(|r| {
            let index = Arc::clone(&index);
            let done = Arc::clone(&done);
            let permanent = permanent.clone();
            thread::spawn(move || {
                let mut rounds = 0u64;
                let mut rng = Rng(100 + r);
                while !done.load(Ordering::Relaxed) || rounds < 50 {
                    let i = rng.below(permanent.len() as u64) as usize;
                    let query = rng.flip(permanent[i], 5);
                    let found = index.search(&query, 31);
                    assert!(found.iter().any(|m| m.id == i as u64 && m.distance == 5));
                    assert!(found
                        .iter()
                        .all(|m| m.hash.distance(&query) == m.distance && m.distance <= 31));
                    rounds += 1;
                }
                rounds
            })
        })
        .collect();
    for round in 0..200u64 {
        let base = 1_000 + round * 10;
        index.insert_many((base..base + 10).map(|id| (id, rng.hash())));
        if round % 3 == 0 {
            index.remove_many(base - 20..base - 10);
        }
    }
    done.store(true, Ordering::Relaxed);
    for reader in readers {
        assert!(reader.join().expect("reader panicked") >= 50);
    }
    assert!(index.len() >= 200);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// The digest sets under the same interleavings, against a plain list.
    #[test]
    fn digest_set_writes_match_a_model(
        ops in prop::collection::vec(
            prop_oneof![
                3 => prop::collection::vec((0u64..50, 0u8..20), 1..20).prop_map(|e| (true, e)),
                1 => prop::collection::vec((0u64..50, Just(0u8)), 1..4).prop_map(|e| (false, e)),
            ],
            1..40,
        ),
        tail_limit in 1usize..20,
    ) {
        let set = hashbank_index::Sha256Set::with_tail_limit(tail_limit);
        let mut model: Vec<(u64, [u8; 32])> = Vec::new();
        for (insert, entries) in ops {
            if insert {
                let entries: Vec<(u64, [u8; 32])> = entries.into_iter().map(|(id, d)| (id, [d; 32])).collect();
                model.extend(&entries);
                set.insert_many(entries);
            } else {
                let ids: Vec<u64> = entries.iter().map(|e| e.0).collect();
                let before = model.len();
                model.retain(|(id, _)| !ids.contains(id));
                prop_assert_eq!(set.remove_many(ids), before - model.len());
            }
            for d in 0u8..20 {
                let mut expected: Vec<u64> = model.iter().filter(|e| e.1 == [d; 32]).map(|e| e.0).collect();
                expected.sort_unstable();
                prop_assert_eq!(set.ids_of(&[d; 32]), expected);
            }
            prop_assert_eq!(set.len(), model.len());
        }
    }
}

/// An index replaced by another answers as the other does, and keeps
/// taking writes.
#[test]
fn replace_with_takes_the_other_index_whole() {
    let hash_from_seed = |i: u64| Rng(i).hash();
    let index = HammingIndex::with_tail_limit(4);
    index.insert_many((0..10u64).map(|i| (i, hash_from_seed(i))));
    let other = HammingIndex::with_tail_limit(4);
    other.insert_many((100..130u64).map(|i| (i, hash_from_seed(i))));
    index.replace_with(other);
    assert_eq!(index.len(), 30);
    assert!(index.search(&hash_from_seed(3), 0).is_empty());
    assert_eq!(index.search(&hash_from_seed(105), 0)[0].id, 105);
    index.insert(7, hash_from_seed(7));
    assert_eq!(index.remove(105), 1);
    assert_eq!(index.len(), 30);
    assert_eq!(index.search(&hash_from_seed(7), 0)[0].id, 7);
}

//! Saving and opening: round trips, and files that must be refused.

mod common;

use std::fs;
use std::path::PathBuf;

use common::*;
use hashbank_index::{FileError, HammingIndex, Hash256, Md5Set, Sha256Set};

fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hashbank-index-test-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

/// An index with several segments, a tail and removals.
fn layered_index() -> (HammingIndex, Vec<(u64, Hash256)>) {
    let mut rng = Rng(21);
    let index = HammingIndex::with_tail_limit(100);
    let mut stored = Vec::new();
    for batch in 0..7u64 {
        let entries: Vec<(u64, Hash256)> = (0..(150 + batch * 40))
            .map(|i| (batch * 10_000 + i, rng.hash()))
            .collect();
        stored.extend(&entries);
        index.insert_many(entries);
    }
    index.remove_many([3, 10_005, 60_001]);
    stored.retain(|(id, _)| ![3, 10_005, 60_001].contains(id));
    (index, stored)
}

#[test]
fn round_trip_keeps_every_answer() {
    let (index, stored) = layered_index();
    let path = temp_path("round-trip.hbi");
    index.save(&path).expect("save");
    let opened = HammingIndex::open(&path).expect("open");
    assert!(opened.verify());
    assert_eq!(opened.len(), stored.len());
    let mut rng = Rng(5);
    for i in 0..40 {
        let query = rng.flip(stored[i * 13].1, (i % 40) as u32);
        for radius in [0, 31, 63] {
            assert_eq!(
                opened.search(&query, radius),
                brute_force(&stored, &query, radius)
            );
        }
    }
    // Writes go on after opening.
    opened.insert(7, Hash256::ZERO);
    assert_eq!(opened.search(&Hash256::ZERO, 0)[0].id, 7);
    // A compacted index saves and opens the same.
    index.compact();
    index.save(&path).expect("save");
    let opened = HammingIndex::open(&path).expect("open");
    let query = stored[0].1;
    assert_eq!(opened.search(&query, 40), brute_force(&stored, &query, 40));
    // An empty index too.
    HammingIndex::new().save(&path).expect("save");
    assert!(HammingIndex::open(&path).expect("open").is_empty());
}

/// The bytes of a saved layered index, saved under `name`: each test its
/// own file, since the tests of this file run in parallel.
fn saved_bytes(name: &str) -> (PathBuf, Vec<u8>) {
    let (index, _) = layered_index();
    let path = temp_path(name);
    index.save(&path).expect("save");
    let bytes = fs::read(&path).expect("read");
    (path, bytes)
}

fn open_bytes(name: &str, bytes: &[u8]) -> Result<HammingIndex, FileError> {
    let path = temp_path(name);
    fs::write(&path, bytes).expect("write");
    HammingIndex::open(&path)
}

#[test]
fn truncated_files_are_refused() {
    let (_, bytes) = saved_bytes("truncated-source.hbi");
    for cut in [0, 5, 63, 64, 100, bytes.len() / 2, bytes.len() - 1] {
        let err = open_bytes("truncated.hbi", &bytes[..cut])
            .err()
            .expect("refused");
        let clear = match cut {
            0 => matches!(err, FileError::Foreign { .. }),
            _ => matches!(err, FileError::Truncated { .. }),
        };
        assert!(clear, "cut at {cut}: {err}");
    }
}

#[test]
fn altered_bytes_are_refused() {
    let (_, bytes) = saved_bytes("altered-source.hbi");
    let mut rng = Rng(8);
    for _ in 0..40 {
        let mut bad = bytes.clone();
        let at = 64 + rng.below(bytes.len() as u64 - 64) as usize;
        bad[at] ^= 1 << rng.below(8);
        let err = open_bytes("altered.hbi", &bad).err().expect("refused");
        assert!(
            matches!(
                err,
                FileError::ChecksumMismatch { .. } | FileError::Corrupt { .. }
            ),
            "byte {at}: {err}"
        );
    }
    // A header byte.
    let mut bad = bytes.clone();
    bad[30] ^= 4;
    assert!(matches!(
        open_bytes("header.hbi", &bad),
        Err(FileError::Corrupt { .. })
    ));
    // Bytes after the end.
    let mut long = bytes.clone();
    long.push(0);
    assert!(matches!(
        open_bytes("long.hbi", &long),
        Err(FileError::Corrupt { .. })
    ));
}

#[test]
fn foreign_and_other_kinds_are_refused() {
    let err = open_bytes("foreign.hbi", b"hash,id\nabc,1\n")
        .err()
        .expect("refused");
    assert!(matches!(err, FileError::Foreign { .. }), "{err}");
    assert!(err.to_string().contains("not a hashbank index file"));
    let mut rng = Rng(1);
    let noise: Vec<u8> = (0..5000).map(|_| rng.next() as u8).collect();
    assert!(matches!(
        open_bytes("noise.hbi", &noise),
        Err(FileError::Foreign { .. })
    ));

    let set = Sha256Set::new();
    set.insert(1, [7; 32]);
    let path = temp_path("sha.set");
    set.save(&path).expect("save");
    let err = HammingIndex::open(&path).err().expect("refused");
    assert!(matches!(err, FileError::WrongKind { .. }), "{err}");
    assert!(err.to_string().contains("SHA-256 set"), "{err}");
    assert!(matches!(
        Md5Set::open(&path),
        Err(FileError::WrongKind { .. })
    ));
    assert!(matches!(
        HammingIndex::open(temp_path("missing.hbi")),
        Err(FileError::Io { .. })
    ));
}

#[test]
fn other_versions_are_refused() {
    let (_, mut bytes) = saved_bytes("version-source.hbi");
    bytes[16..20].copy_from_slice(&2u32.to_le_bytes());
    let own = xxhash_rust::xxh3::xxh3_64(&bytes[..48]);
    bytes[48..56].copy_from_slice(&own.to_le_bytes());
    let err = open_bytes("version.hbi", &bytes).err().expect("refused");
    assert!(
        matches!(
            err,
            FileError::UnsupportedVersion {
                found: 2,
                supported: 1,
                ..
            }
        ),
        "{err}"
    );
}

#[test]
fn digest_sets_round_trip_and_refuse_damage() {
    let set = Md5Set::with_tail_limit(10);
    for i in 0..95u64 {
        let mut digest = [0u8; 16];
        digest[..8].copy_from_slice(&(i * 7919).to_le_bytes());
        set.insert(i, digest);
    }
    set.remove(4);
    let path = temp_path("md5.set");
    set.save(&path).expect("save");
    let opened = Md5Set::open(&path).expect("open");
    assert_eq!(opened.len(), 94);
    let mut digest = [0u8; 16];
    digest[..8].copy_from_slice(&(5u64 * 7919).to_le_bytes());
    assert_eq!(opened.ids_of(&digest), vec![5]);
    digest[..8].copy_from_slice(&(4u64 * 7919).to_le_bytes());
    assert!(!opened.contains(&digest));

    let bytes = fs::read(&path).expect("read");
    let damaged = temp_path("md5-damaged.set");
    fs::write(&damaged, &bytes[..bytes.len() - 3]).expect("write");
    assert!(matches!(
        Md5Set::open(&damaged),
        Err(FileError::Truncated { .. })
    ));
    let mut flipped = bytes.clone();
    flipped[100] ^= 1;
    fs::write(&damaged, &flipped).expect("write");
    assert!(matches!(
        Md5Set::open(&damaged),
        Err(FileError::ChecksumMismatch { .. } | FileError::Corrupt { .. })
    ));
}

/// An MD5 set inside a local bank file whose header, its checksums made
/// right, states a body of 2^64 - 1 bytes (found by the `bank_file` fuzz
/// target): refused as truncated, where adding the header's length to it
/// overflowed.
#[test]
fn a_body_length_near_the_largest_number_is_refused() {
    let part = [
        "4841534842414e4b4449474553543136",
        "01000000000000000000000000000000",
        "ffffffffffffffff688952c7656aa6d0",
        "09ed12276c25f9840000000000000000",
        "00000000000000000000000000000000",
    ]
    .concat();
    let mut bytes: Vec<u8> = (0..part.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&part[i..i + 2], 16).expect("hex"))
        .collect();
    reseal(&mut bytes);
    let origin = temp_path("huge-body.set");
    let read = Md5Set::read_from(&mut &bytes[..], bytes.len() as u64, &origin);
    match read {
        Err(FileError::Truncated { expected, .. }) => assert_eq!(expected, u64::MAX),
        other => panic!("{:?}", other.map(|set| set.len())),
    }
    fs::write(&origin, &bytes).expect("write");
    assert!(matches!(
        Md5Set::open(&origin),
        Err(FileError::Truncated { .. })
    ));
}

/// Recomputes both checksums after an edit, as a forger would.
fn reseal(bytes: &mut [u8]) {
    let body = xxhash_rust::xxh3::xxh3_64(&bytes[64..]);
    bytes[40..48].copy_from_slice(&body.to_le_bytes());
    let own = xxhash_rust::xxh3::xxh3_64(&bytes[..48]);
    bytes[48..56].copy_from_slice(&own.to_le_bytes());
}

/// Files edited with valid checksums: opening either refuses them or gives
/// an index that searches without panicking, and `verify` flags the ones
/// whose tables no longer agree with their hashes.
#[test]
fn forged_files_never_panic() {
    let (_, bytes) = saved_bytes("forged-source.hbi");
    let mut rng = Rng(99);
    let mut refused = 0;
    for _ in 0..150 {
        let mut forged = bytes.clone();
        let at = 64 + rng.below(bytes.len() as u64 - 64) as usize;
        forged[at] ^= 1 << rng.below(8);
        reseal(&mut forged);
        match open_bytes("forged.hbi", &forged) {
            Err(FileError::Corrupt { .. }) => refused += 1,
            Err(other) => panic!("byte {at}: unexpected {other}"),
            Ok(index) => {
                for radius in [0, 31, 63, 200] {
                    index.search(&rng.hash(), radius);
                }
                index.nearest(&rng.hash(), 3);
                let _ = index.verify();
            }
        }
    }
    assert!(refused > 0);
}

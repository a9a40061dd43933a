//! Indexes and digest sets written into a larger file and read back from it.

mod common;

use std::fs;
use std::io::{Cursor, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use common::*;
use hashbank_index::{FileError, HammingIndex, Hash256, Md5Set, Sha256Set};

fn temp_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hashbank-embed-test-{}", std::process::id()));
    fs::create_dir_all(&dir).expect("temp dir");
    dir.join(name)
}

const ORIGIN: &str = "bank.file";

/// An index with segments, a tail and a removal, and what it holds.
fn index() -> (HammingIndex, Vec<(u64, Hash256)>) {
    let mut rng = Rng(3);
    let index = HammingIndex::with_tail_limit(50);
    let mut stored: Vec<(u64, Hash256)> = Vec::new();
    for batch in 0..3u64 {
        let entries: Vec<(u64, Hash256)> =
            (0..120).map(|i| (batch * 1000 + i, rng.hash())).collect();
        stored.extend(&entries);
        index.insert_many(entries);
    }
    index.remove(1001);
    stored.retain(|(id, _)| *id != 1001);
    (index, stored)
}

/// A prefix, the index, an MD5 set, a SHA-256 set and a suffix, one after
/// the other; returns the bytes and the (start, length) of the three parts.
fn container() -> (Vec<u8>, [(u64, u64); 3]) {
    let (index, _) = index();
    let md5 = Md5Set::new();
    md5.insert(9, [9; 16]);
    let sha = Sha256Set::new();
    sha.insert(11, [11; 32]);
    sha.insert(12, [12; 32]);
    let mut out = Cursor::new(Vec::new());
    out.write_all(b"prefix").unwrap();
    let a = out.stream_position().unwrap();
    let a_len = index.write_to(&mut out).unwrap();
    let b = out.stream_position().unwrap();
    let b_len = md5.write_to(&mut out).unwrap();
    let c = out.stream_position().unwrap();
    let c_len = sha.write_to(&mut out).unwrap();
    out.write_all(b"suffix").unwrap();
    assert_eq!((a + a_len, b + b_len), (b, c));
    (out.into_inner(), [(a, a_len), (b, b_len), (c, c_len)])
}

#[test]
fn parts_are_the_bytes_of_saved_files() {
    let (index, _) = index();
    let path = temp_path("alone.hbi");
    index.save(&path).unwrap();
    let (bytes, [(a, len), ..]) = container();
    assert_eq!(
        &bytes[a as usize..(a + len) as usize],
        &fs::read(&path).unwrap()[..]
    );
}

#[test]
fn parts_read_back_in_sequence() {
    let (_, stored) = index();
    let (bytes, [(a, a_len), (_, b_len), (_, c_len)]) = container();
    let mut input = Cursor::new(&bytes);
    input.seek(SeekFrom::Start(a)).unwrap();
    let origin = Path::new(ORIGIN);
    let index = HammingIndex::read_from(&mut input, a_len, origin).unwrap();
    let md5 = Md5Set::read_from(&mut input, b_len, origin).unwrap();
    let sha = Sha256Set::read_from(&mut input, c_len, origin).unwrap();
    let mut rest = String::new();
    input.read_to_string(&mut rest).unwrap();
    assert_eq!(rest, "suffix", "each part reads exactly its bytes");

    assert!(index.verify());
    assert_eq!(index.len(), stored.len());
    let query = stored[7].1;
    assert_eq!(index.search(&query, 31), brute_force(&stored, &query, 31));
    assert_eq!(md5.ids_of(&[9; 16]), vec![9]);
    assert_eq!(sha.ids_of(&[12; 32]), vec![12]);
}

#[test]
fn damaged_parts_are_refused_with_the_origin_named() {
    let (bytes, [(a, a_len), (b, b_len), _]) = container();
    let origin = Path::new(ORIGIN);
    let read_index = |bytes: &[u8], len: u64| {
        let mut input = Cursor::new(bytes);
        input.seek(SeekFrom::Start(a)).unwrap();
        HammingIndex::read_from(&mut input, len, origin)
    };
    // A length shorter than the part: the header announces more.
    let err = read_index(&bytes, a_len - 1).err().expect("refused");
    assert!(matches!(err, FileError::Truncated { .. }), "{err}");
    assert!(err.to_string().starts_with(ORIGIN), "{err}");
    // A length longer than the part: bytes after the body.
    let err = read_index(&bytes, a_len + 1).err().expect("refused");
    assert!(matches!(err, FileError::Corrupt { .. }), "{err}");
    // An altered body byte.
    let mut bad = bytes.clone();
    bad[(a + a_len / 2) as usize] ^= 0x10;
    let err = read_index(&bad, a_len).err().expect("refused");
    assert!(
        matches!(
            err,
            FileError::ChecksumMismatch { .. } | FileError::Corrupt { .. }
        ),
        "{err}"
    );
    // The wrong kind at that place.
    let mut input = Cursor::new(&bytes);
    input.seek(SeekFrom::Start(b)).unwrap();
    let err = Sha256Set::read_from(&mut input, b_len, origin)
        .err()
        .expect("refused");
    assert!(matches!(err, FileError::WrongKind { .. }), "{err}");
    // Not an index at all.
    let err = HammingIndex::read_from(&mut Cursor::new(b"prefix"), 6, origin)
        .err()
        .expect("refused");
    assert!(matches!(err, FileError::Foreign { .. }), "{err}");
}

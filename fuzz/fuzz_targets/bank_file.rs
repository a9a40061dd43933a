//! The local bank file reader (`LocalBank::open`) on any bytes: it gives a
//! bank or a `FileError`, never a panic. The first byte chooses how the
//! rest is opened: as it is, or with its checksums made right again (and,
//! with the next bit, its body lengths), so that changes past the header
//! reach the readers of the hash list and of the PDQ, MD5 and SHA-256
//! sets rather than stopping at a checksum. A bank that opens searches
//! alike in its fast and compact layouts, and saves to a file that opens
//! to the same bank.
//!
//! Run with `BANK_FILE_SEEDS=DIR` (and `-runs=0`), it writes small real
//! bank files to DIR, each in the three ways of opening, and stops.
#![no_main]

use std::path::PathBuf;
use std::sync::OnceLock;


use hashbank_scan::{Category, Change, HashMeta, HashValue, Kind, LocalBank, Role};
use libfuzzer_sys::fuzz_target;
use model::{BankLabel, Part, QueryLabel};
use xxhash_rust::xxh3::xxh3_64;

/// The bank file's header (`crates/scan/src/bankfile/format.rs`).
const HEADER: usize = 128;
/// The header of each hash set inside it (`crates/index/src/file.rs`).
const PART_HEADER: usize = 64;
/// Bytes per hash in the metadata columns: id and attributes.
const META_PER_HASH: usize = 8 + 5;

fn u32_at(bytes: &[u8], at: usize) -> Option<usize> {
    let raw = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(raw.try_into().ok()?) as usize)
}

fn u64_at(bytes: &[u8], at: usize) -> Option<usize> {
    let raw = bytes.get(at..at.checked_add(8)?)?;
    usize::try_from(u64::from_le_bytes(raw.try_into().ok()?)).ok()
}

fn put(bytes: &mut [u8], at: usize, value: u64) {
    bytes[at..at + 8].copy_from_slice(&value.to_le_bytes());
}

/// Makes a hash set's checksums (and with `lengths` its body length) agree
/// with its bytes.
fn reseal_part(part: &mut [u8], lengths: bool) {
    if part.len() < PART_HEADER {
        return;
    }
    if lengths {
        put(part, 32, (part.len() - PART_HEADER) as u64);
    }
    let body_len = u64_at(part, 32).unwrap_or(usize::MAX);
    let end = PART_HEADER.saturating_add(body_len).min(part.len());
    let body = xxh3_64(&part[PART_HEADER..end]);
    put(part, 40, body);
    let own = xxh3_64(&part[..48]);
    put(part, 48, own);
}

/// Makes the file's checksums, and those of the hash sets inside it, agree
/// with its bytes (with `lengths`, the body lengths too).
fn reseal(file: &mut [u8], lengths: bool) {
    if file.len() < HEADER {
        return;
    }
    if lengths {
        put(file, 64, (file.len() - HEADER) as u64);
    }
    let body = &mut file[HEADER..];
    let mut at = u32_at(body, 0).map_or(usize::MAX, |len| 4 + len);
    at = u64_at(body, at).map_or(usize::MAX, |n| {
        n.checked_mul(META_PER_HASH)
            .and_then(|n| n.checked_add(at + 8))
            .unwrap_or(usize::MAX)
    });
    for _ in 0..3 {
        let Some(len) = u64_at(body, at) else { break };
        let start = at + 8;
        let end = start.saturating_add(len).min(body.len());
        reseal_part(&mut body[start..end], lengths);
        at = start.saturating_add(len);
    }
    let sum = xxh3_64(&file[HEADER..]);
    put(file, 72, sum);
    let own = xxh3_64(&file[..120]);
    put(file, 120, own);
}

/// A file of this process's own in memory where there is a tmpfs (a save
/// syncs its file), else in the temporary folder.
fn scratch(name: &str) -> PathBuf {
    let shm = std::path::Path::new("/dev/shm");
    let dir = if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    };
    dir.join(format!("hashbank-fuzz-{}-{name}", std::process::id()))
}

/// The ids a PDQ search around the zero hash finds, by every way of
/// searching, sorted.
fn found(bank: &LocalBank) -> Vec<Vec<u64>> {
    let Some(HashValue::Pdq(zero)) = HashValue::parse(Kind::Pdq, &"0".repeat(64)) else {
        unreachable!("the zero PDQ hash parses")
    };
    let sorted = |mut ids: Vec<u64>| {
        ids.sort_unstable();
        ids
    };
    vec![
        sorted(
            bank.search(&HashValue::Pdq(zero), 96)
                .iter()
                .map(|f| f.hash_id)
                .collect(),
        ),
        sorted(
            bank.search_for(QueryLabel::Plain, &zero, 96)
                .iter()
                .map(|f| f.hash_id)
                .collect(),
        ),
    ]
}

/// A PDQ hash from a number, spread over its bits.
fn pdq(seed: u64) -> HashValue {
    let hex = format!("{:016x}", seed.wrapping_mul(0x9e37_79b9_7f4a_7c15)).repeat(4);
    HashValue::parse(Kind::Pdq, &hex).expect("64 hex digits")
}

fn add(id: u64, value: HashValue, label: Option<BankLabel>, minor: bool) -> Change {
    let kind = value.kind();
    Change::Add {
        id,
        value,
        meta: HashMeta {
            kind,
            role: label.map_or(Role::Plain, |l| l.role()),
            category: minor.then_some(Category::Minor),
            quality: (kind == Kind::Pdq).then_some(90),
            label,
        },
    }
}

/// Writes small bank files (empty; every kind, role, label and category;
/// after deletions) to `dir`, each prefixed by the byte of each way of
/// opening.
fn write_seeds(dir: &std::path::Path) {
    std::fs::create_dir_all(dir).expect("the seed folder can be made");
    let mut banks = vec![("empty", LocalBank::new("https://bank.example"))];
    let mut full = LocalBank::new("https://bank.example/v1");
    let mut changes = vec![
        add(1, pdq(1), Some(BankLabel::Plain), false),
        add(2, pdq(2), Some(BankLabel::Trim), true),
        add(3, pdq(3), Some(BankLabel::Part(Part::Crop90)), false),
        add(4, pdq(4), Some(BankLabel::Part(Part::Top80)), true),
        add(5, HashValue::Md5([7; 16]), None, false),
        add(6, HashValue::Sha256([9; 32]), None, true),
    ];
    full.apply(&changes, 6);
    banks.push(("kinds", full));
    let mut changed = LocalBank::new("http://localhost:8080");
    changes.extend((7..40).map(|id| add(id, pdq(id), Some(BankLabel::Plain), id % 3 == 0)));
    changed.apply(&changes, 40);
    changed.apply(&[Change::Delete { id: 2 }, Change::Delete { id: 5 }], 42);
    banks.push(("deleted", changed));
    for (name, bank) in banks {
        let path = dir.join(format!("{name}.hbl"));
        bank.save(&path).expect("a seed bank saves");
        let bytes = std::fs::read(&path).expect("a saved seed reads back");
        std::fs::remove_file(&path).expect("the plain file is removed");
        for choice in [0u8, 1, 3] {
            let mut seed = vec![choice];
            seed.extend_from_slice(&bytes);
            std::fs::write(dir.join(format!("{name}-{choice}")), seed).expect("a seed is written");
        }
    }
}

fuzz_target!(init: {
    if let Some(dir) = std::env::var_os("BANK_FILE_SEEDS") {
        write_seeds(std::path::Path::new(&dir));
        std::process::exit(0);
    }
}, |data: &[u8]| {
    static PATHS: OnceLock<(PathBuf, PathBuf)> = OnceLock::new();
    let (input, saved) = PATHS.get_or_init(|| (scratch("in.hbl"), scratch("saved.hbl")));
    let Some((&choice, file)) = data.split_first() else {
        return;
    };
    let mut file = file.to_vec();
    if choice & 1 == 1 {
        reseal(&mut file, choice & 2 == 2);
    }
    std::fs::write(input, &file).expect("the scratch file is writable");
    let Ok(mut bank) = LocalBank::open(input) else {
        return;
    };
    let fast = found(&bank);
    bank.set_search_memory(0);
    assert_eq!(fast, found(&bank), "fast and compact searches differ");
    bank.save(saved).expect("a bank that opened saves");
    let again = LocalBank::open(saved).expect("a saved bank opens");
    assert_eq!(again.source(), bank.source());
    assert_eq!(again.cursor(), bank.cursor());
    assert_eq!(again.per_kind(), bank.per_kind());
    assert_eq!(found(&again), fast, "the saved bank searches otherwise");
});

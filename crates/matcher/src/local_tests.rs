use std::fs;

use pdq::Hash256;

use super::*;
use hashbank_index::HammingIndex;
use model::{Category, Kind, Role};

fn pdq_meta(minor: bool) -> HashMeta {
    HashMeta {
        kind: Kind::Pdq,
        role: Role::Plain,
        category: minor.then_some(Category::Minor),
        quality: Some(90),
        label: Some(model::BankLabel::Plain),
    }
}

fn digest_meta(kind: Kind) -> HashMeta {
    HashMeta {
        kind,
        role: Role::Plain,
        category: None,
        quality: None,
        label: None,
    }
}

fn hash(seed: u64) -> Hash256 {
    let mut x = seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1;
    let mut limbs = [0u64; 4];
    for limb in &mut limbs {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *limb = x;
    }
    Hash256(limbs)
}

fn add(id: u64, value: HashValue, meta: HashMeta) -> Change {
    Change::Add { id, value, meta }
}

fn sample() -> LocalBank {
    let mut bank = LocalBank::new("http://bank.example");
    let changes = vec![
        add(10, HashValue::Pdq(hash(1)), pdq_meta(false)),
        add(11, HashValue::Pdq(hash(2)), pdq_meta(true)),
        add(12, HashValue::Md5([7; 16]), digest_meta(Kind::Md5)),
        add(13, HashValue::Sha256([8; 32]), digest_meta(Kind::Sha256)),
    ];
    assert_eq!(
        bank.apply(&changes, 4),
        Applied {
            added: 4,
            deleted: 0
        }
    );
    bank
}

#[test]
fn changes_apply_in_order() {
    let mut bank = sample();
    assert_eq!(bank.len(), 4);
    assert_eq!(bank.per_kind(), [2, 1, 1, 0]);
    let near = {
        let mut h = hash(2);
        h.0[0] ^= 0b1011;
        h
    };
    let found = bank.search(&HashValue::Pdq(near), 31);
    assert_eq!(found.len(), 1);
    assert_eq!((found[0].hash_id, found[0].distance), (11, 3));
    assert_eq!(found[0].meta.category, Some(Category::Minor));
    assert!(bank.search(&HashValue::Pdq(near), 2).is_empty());
    assert_eq!(bank.search(&HashValue::Md5([7; 16]), 0)[0].hash_id, 12);

    // Deleted, added and deleted in one page, deleted twice, unknown.
    let applied = bank.apply(
        &[
            Change::Delete { id: 11 },
            add(20, HashValue::Pdq(hash(3)), pdq_meta(false)),
            Change::Delete { id: 20 },
            Change::Delete { id: 11 },
            Change::Delete { id: 999 },
            Change::Delete { id: 12 },
        ],
        10,
    );
    assert_eq!(applied.added, 1);
    assert_eq!(applied.deleted, 3);
    assert_eq!(bank.cursor(), 10);
    assert_eq!(bank.per_kind(), [1, 0, 1, 0]);
    assert!(bank.search(&HashValue::Pdq(near), 31).is_empty());
    assert!(bank.search(&HashValue::Pdq(hash(3)), 0).is_empty());
    assert!(bank.search(&HashValue::Md5([7; 16]), 0).is_empty());
    assert!(bank.matcher.consistent());

    // An id added again replaces itself.
    bank.apply(&[add(10, HashValue::Pdq(hash(1)), pdq_meta(true))], 11);
    assert_eq!(bank.len(), 2);
    assert_eq!(bank.search(&HashValue::Pdq(hash(1)), 0).len(), 1);
    assert_eq!(bank.meta(10).unwrap().category, Some(Category::Minor));
}

#[test]
fn files_read_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bank.hbl");
    let mut bank = sample();
    bank.apply(&[Change::Delete { id: 13 }], 5);
    bank.save(&path).unwrap();
    let opened = LocalBank::open(&path).unwrap();
    assert_eq!(opened.source(), "http://bank.example");
    assert_eq!(opened.cursor(), 5);
    assert_eq!(opened.per_kind(), [2, 1, 0, 0]);
    assert_eq!(opened.search(&HashValue::Pdq(hash(1)), 0)[0].hash_id, 10);
    assert_eq!(opened.meta(12), Some(digest_meta(Kind::Md5)));
    // Nothing is left beside it.
    let names: Vec<_> = fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(names.len(), 1);
    // An empty bank too.
    LocalBank::new("x").save(&path).unwrap();
    assert!(LocalBank::open(&path).unwrap().is_empty());
}

#[test]
fn damaged_files_are_refused_and_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bank.hbl");
    sample().save(&path).unwrap();
    let bytes = fs::read(&path).unwrap();
    let try_open = |bytes: &[u8]| {
        let bad = dir.path().join("bad.hbl");
        fs::write(&bad, bytes).unwrap();
        LocalBank::open(&bad).expect_err("refused")
    };
    for cut in [0, 10, 127, 128, 200, bytes.len() / 2, bytes.len() - 1] {
        let err = try_open(&bytes[..cut]);
        assert!(err.is_damaged(), "cut {cut}: {err}");
        assert!(err.to_string().contains("bad.hbl"), "{err}");
        if cut > 0 {
            assert!(
                matches!(err, FileError::Truncated { .. }),
                "cut {cut}: {err}"
            );
        }
    }
    for at in (0..bytes.len()).step_by(7) {
        let mut bad = bytes.clone();
        bad[at] ^= 0x20;
        let err = try_open(&bad);
        assert!(err.is_damaged(), "byte {at}: {err}");
    }
    let mut long = bytes.clone();
    long.push(0);
    assert!(try_open(&long).is_damaged());
    assert!(matches!(
        try_open(b"hash_id,kind\n1,pdq\n"),
        FileError::Foreign { .. }
    ));
    // A PDQ index file is a hashbank file of another kind.
    let index = dir.path().join("index.hbi");
    HammingIndex::new().save(&index).unwrap();
    let err = LocalBank::open(&index).expect_err("refused");
    assert!(err.to_string().contains("PDQ index"), "{err}");
    let missing = LocalBank::open(dir.path().join("none.hbl")).expect_err("refused");
    assert!(!missing.is_damaged());
}

#[test]
fn files_of_another_version_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("old.hbl");
    sample().save(&path).unwrap();
    // The header of a version 1 file, its own checksum made right.
    let mut bytes = fs::read(&path).unwrap();
    bytes[16..20].copy_from_slice(&1u32.to_le_bytes());
    let sum = xxhash_rust::xxh3::xxh3_64(&bytes[..48]);
    bytes[48..56].copy_from_slice(&sum.to_le_bytes());
    fs::write(&path, &bytes).unwrap();
    let err = LocalBank::open(&path).expect_err("refused");
    assert!(
        matches!(
            err,
            FileError::UnsupportedVersion {
                found: 1,
                supported: FORMAT_VERSION,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.is_damaged());
    assert!(err
        .to_string()
        .contains("old.hbl: bank file format version 1"));
}

#[test]
fn labels_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bank.hbl");
    let mut bank = sample();
    let crop = model::BankLabel::Part(model::Part::Crop80);
    let extra = HashMeta {
        role: Role::Extra,
        label: Some(crop),
        ..pdq_meta(false)
    };
    bank.apply(&[add(20, HashValue::Pdq(hash(9)), extra)], 6);
    bank.save(&path).unwrap();
    let opened = LocalBank::open(&path).unwrap();
    assert_eq!(opened.meta(20), Some(extra));
    assert_eq!(
        opened.search(&HashValue::Pdq(hash(9)), 0)[0].meta.label,
        Some(crop)
    );
}

#[test]
fn a_failed_save_leaves_the_previous_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("bank.hbl");
    sample().save(&path).unwrap();
    let before = fs::read(&path).unwrap();
    // A folder where the file should go cannot be replaced.
    let blocked = dir.path().join("blocked");
    fs::create_dir(&blocked).unwrap();
    fs::write(blocked.join("keep"), b"x").unwrap();
    assert!(sample().save(&blocked).is_err());
    assert_eq!(fs::read(&path).unwrap(), before);
    let leftovers = fs::read_dir(dir.path())
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .file_name()
                .to_string_lossy()
                .ends_with(".tmp")
        })
        .count();
    assert_eq!(leftovers, 0);
}

/// The fast layout and the compact index find the same, before and after
/// changes (the fast layout is rebuilt after each), for query hashes of
/// every label against stored hashes of every label.
#[test]
fn both_search_layouts_agree() {
    use model::{BankLabel, Part, QueryLabel};
    use pdq::Dihedral;

    let labels: Vec<Option<BankLabel>> = [None, Some(BankLabel::Plain), Some(BankLabel::Trim)]
        .into_iter()
        .chain(Part::ALL.into_iter().map(|p| Some(BankLabel::Part(p))))
        .collect();
    let meta = |i: u64| HashMeta {
        label: labels[i as usize % labels.len()],
        ..pdq_meta(i.is_multiple_of(7))
    };
    let mut fast = LocalBank::new("http://bank.example");
    let mut compact = LocalBank::new("http://bank.example");
    compact.set_search_memory(0);
    let mut changes: Vec<Change> = (0..300)
        .map(|i| add(100 + i, HashValue::Pdq(hash(i)), meta(i)))
        .collect();
    // Near copies of a few, under other labels, so that searches find
    // more than one.
    for i in 0..40u64 {
        let mut h = hash(i % 20);
        h.0[(i % 4) as usize] ^= (1u64 << (i % 30 + 3)) - 1;
        changes.push(add(1000 + i, HashValue::Pdq(h), meta(i + 1)));
    }
    let queries = [
        QueryLabel::Plain,
        QueryLabel::Trim,
        QueryLabel::Screen,
        QueryLabel::Straight,
        QueryLabel::Dihedral(Dihedral::Rotate90),
        QueryLabel::Part(Part::Top80),
        QueryLabel::Part(Part::Bottom80),
    ];
    let check = |fast: &LocalBank, compact: &LocalBank| {
        assert!(fast.prepare_search());
        assert!(!compact.prepare_search());
        let mut found = 0;
        for i in 0..40 {
            for radius in [0, 16, 31, 40] {
                let value = HashValue::Pdq(hash(i));
                assert_eq!(fast.search(&value, radius), compact.search(&value, radius));
                for query in queries {
                    let got = fast.search_for(query, &hash(i), radius);
                    assert_eq!(got, compact.search_for(query, &hash(i), radius));
                    // Only compared pairs, and all of them.
                    let all: Vec<Found> = compact
                        .search(&value, radius)
                        .into_iter()
                        .filter(|f| {
                            let label = f.meta.label.unwrap_or(BankLabel::Plain);
                            model::radius(query, label).is_some()
                        })
                        .collect();
                    assert_eq!(got, all, "{query} {i} {radius}");
                    found += got.len();
                }
            }
        }
        assert!(found > 100, "{found}");
    };
    fast.apply(&changes, 1);
    compact.apply(&changes, 1);
    check(&fast, &compact);
    let deletes: Vec<Change> = (0..300)
        .step_by(3)
        .map(|i| Change::Delete { id: 100 + i })
        .collect();
    fast.apply(&deletes, 2);
    compact.apply(&deletes, 2);
    check(&fast, &compact);
    assert!(fast.search(&HashValue::Pdq(hash(0)), 0).is_empty());
}

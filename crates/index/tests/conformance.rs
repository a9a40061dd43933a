//! Meta's needles and haystack at distance 31 give exactly the 250 reference pairs.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};

use hashbank_index::{HammingIndex, Hash256, Strategy};

fn testdata(relative: &str) -> PathBuf {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/testdata/pdq")
        .join(relative);
    assert!(
        path.exists(),
        "conformance data missing: {} (the shared test data must sit beside the workspace)",
        path.display()
    );
    path
}

fn hashes(relative: &str) -> Vec<Hash256> {
    fs::read_to_string(testdata(relative))
        .expect("readable")
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.trim().parse().expect("a hash"))
        .collect()
}

#[test]
fn needles_against_haystack_give_the_250_reference_pairs() {
    let needles = hashes("data/reg-test-input/needles.txt");
    let haystack = hashes("data/reg-test-input/haystack.txt");
    assert_eq!((needles.len(), haystack.len()), (100, 1350));
    let expected: BTreeSet<(usize, usize, u32)> =
        fs::read_to_string(testdata("expected/needles-vs-haystack-d31.csv"))
            .expect("readable")
            .lines()
            .skip(1)
            .map(|line| {
                let f: Vec<&str> = line.split(',').collect();
                (
                    f[0].parse().unwrap(),
                    f[1].parse().unwrap(),
                    f[2].parse().unwrap(),
                )
            })
            .collect();
    assert_eq!(expected.len(), 250);

    let index = HammingIndex::build(haystack.iter().enumerate().map(|(i, &h)| (i as u64, h)));
    for strategy in [Strategy::Auto, Strategy::MultiIndex, Strategy::LinearScan] {
        let mut found = BTreeSet::new();
        for (n, needle) in needles.iter().enumerate() {
            for m in index.search_with(needle, 31, strategy) {
                found.insert((n, m.id as usize, m.distance));
            }
        }
        assert_eq!(found, expected, "{strategy:?}");
    }
    let batch = index.search_batch(&needles, 31, 2);
    assert_eq!(batch.iter().map(Vec::len).sum::<usize>(), 250);
}

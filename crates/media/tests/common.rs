//! Shared helpers for the media tests: where the test data lives, and the
//! reference CSVs.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

/// `../shared/testdata` beside the workspace; fails loudly when absent.
pub fn testdata() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata");
    assert!(
        dir.join("pdq/expected").is_dir(),
        "test data not found at {}: the tests need ../shared/testdata beside the workspace",
        dir.display()
    );
    dir
}

/// `path -> (hash, quality)` from a `hash,quality,path` CSV in pdq/expected.
pub fn expected_hashes(name: &str) -> BTreeMap<String, (pdq::Hash256, u8)> {
    let text = fs::read_to_string(testdata().join("pdq/expected").join(name)).unwrap();
    text.lines()
        .map(|line| {
            let cols: Vec<&str> = line.split(',').collect();
            (
                cols[2].to_owned(),
                (cols[0].parse().unwrap(), cols[1].parse().unwrap()),
            )
        })
        .collect()
}

/// Every file below `dir`, sorted.
pub fn files_below(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in fs::read_dir(&d).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

//! The JPEG decoder against Pillow 13 with libjpeg-turbo 3.2
//! (`Image.open(p).convert('RGB')`, or mode L for grey files), sample for
//! sample: every JPEG of the shared test data, and small files made to
//! cover sampling factors, progressive scripts (incomplete ones, which
//! libjpeg smooths), restart markers, stored RGB, grey and CMYK. Each is
//! compared by the SHA-256 of its pixels, recorded from Pillow in
//! `jpeg_support/*.txt`.

use std::path::{Path, PathBuf};

use jpeg::{decode_full, Error};
use sha2::{Digest, Sha256};

/// `../shared/testdata` beside the workspace; fails loudly when absent.
fn testdata() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata");
    assert!(
        dir.join("pdq/data").is_dir(),
        "test data not found at {}: the tests need ../shared/testdata beside the workspace",
        dir.display()
    );
    dir
}

/// `path width height channels sha256-prefix` lines, `#` comments.
fn manifest(text: &str) -> Vec<[&str; 5]> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            [f[0], f[1], f[2], f[3], f[4]]
        })
        .collect()
}

/// Decodes each file and returns one line per mismatch.
fn mismatches(root: &Path, entries: &[[&str; 5]]) -> Vec<String> {
    let mut bad = Vec::new();
    for [path, w, h, channels, sha] in entries {
        let bytes = std::fs::read(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
        let decoded = match decode_full(&bytes) {
            Ok(d) => d,
            Err(e) => {
                bad.push(format!("{path}: {e}"));
                continue;
            }
        };
        let got = format!(
            "{} {} {} {}",
            decoded.width,
            decoded.height,
            decoded.pixels.channels(),
            &hex(&Sha256::digest(decoded.pixels.as_slice()))[..16]
        );
        let want = format!("{w} {h} {channels} {sha}");
        if got != want {
            bad.push(format!("{path}: got {got}, Pillow {want}"));
        }
    }
    bad
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Splits the shared test data in parts the test harness runs in parallel.
const PARTS: usize = 4;

fn testdata_part(part: usize) {
    let all = manifest(include_str!("jpeg_support/testdata.txt"));
    assert_eq!(
        all.len(),
        1363,
        "the manifest lists every JPEG of the test data"
    );
    let mine: Vec<[&str; 5]> = all.into_iter().skip(part).step_by(PARTS).collect();
    let bad = mismatches(&testdata(), &mine);
    assert!(
        bad.is_empty(),
        "{} of {} differ:\n{}",
        bad.len(),
        mine.len(),
        bad.join("\n")
    );
}

#[test]
fn testdata_jpegs_equal_pillow_part_1() {
    testdata_part(0);
}

#[test]
fn testdata_jpegs_equal_pillow_part_2() {
    testdata_part(1);
}

#[test]
fn testdata_jpegs_equal_pillow_part_3() {
    testdata_part(2);
}

#[test]
fn testdata_jpegs_equal_pillow_part_4() {
    testdata_part(3);
}

fn cases_dir() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/jpeg_support/cases")
}

#[test]
fn coverage_cases_equal_pillow() {
    let cases = manifest(include_str!("jpeg_support/cases.txt"));
    assert!(cases.len() >= 45);
    let bad = mismatches(&cases_dir(), &cases);
    assert!(bad.is_empty(), "{}", bad.join("\n"));
}

#[test]
fn arithmetic_coding_is_unsupported() {
    let bytes = std::fs::read(cases_dir().join("arithmetic.jpg")).unwrap();
    let err = decode_full(&bytes).unwrap_err();
    assert!(
        matches!(err, Error::Unsupported(detail) if detail.contains("arithmetic")),
        "{err}"
    );
}

#[test]
fn twelve_bit_samples_are_unsupported() {
    let mut bytes = std::fs::read(cases_dir().join("sample_2x2.jpg")).unwrap();
    // The precision byte follows the SOF0 marker and its length.
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bytes[sof + 4] = 12;
    let err = decode_full(&bytes).unwrap_err();
    assert!(matches!(err, Error::Unsupported(_)), "{err}");
}

//! The fast pipeline's JPEG path: decoding at 1/2 or 1/8 in the DCT domain
//! keeps the file's size as the source size and hashes within a few bits of
//! the canonical decode. (That the scaled decode equals
//! libjpeg-turbo's own is a unit test of the decoder.)

mod common;

use media::{decode, Limits, Pipeline};

/// The largest distance seen between fast and canonical hashes of the PDQ
/// test JPEGs is 8 bits (a sharpened 1600x1004 photo at 1/8); most are 0
/// to 4.
const MAX_DISTANCE: u32 = 10;

#[test]
fn fast_hashes_stay_near_canonical_ones() {
    let root = common::testdata().join("pdq");
    let limits = Limits::default();
    let mut report = Vec::new();
    let mut total = 0;
    let mut count = 0;
    for path in common::files_below(&root) {
        let is_jpeg = path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("jpg") || e.eq_ignore_ascii_case("jpeg"));
        if !is_jpeg {
            continue;
        }
        let bytes = std::fs::read(&path).unwrap();
        let full = decode(&bytes, &limits, Pipeline::Canonical).unwrap();
        let fast = decode(&bytes, &limits, Pipeline::Fast).unwrap();
        assert_eq!(
            (fast.source_width, fast.source_height),
            (full.width, full.height),
            "{}",
            path.display()
        );
        let distance = pdq::hash(&full.as_image())
            .hash
            .distance(&pdq::hash(&fast.as_image()).hash);
        total += distance;
        count += 1;
        if distance > MAX_DISTANCE {
            report.push(format!("{}: {distance}", path.display()));
        }
    }
    assert!(count >= 40, "{count} JPEGs");
    assert!(report.is_empty(), "{}", report.join("\n"));
    // On average well under two bits.
    assert!(
        total * 10 < 20 * count,
        "mean distance {}",
        total as f64 / count as f64
    );
}

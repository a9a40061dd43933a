//! The canonical pipeline against the full-resolution reference
//! (Pillow `convert('RGB')` + pip `pdqhash`): within 2 bits on JPEG and
//! WebP files (a JPEG decoder may differ from libjpeg by a grey level),
//! exactly on lossless files, quality within 2.

mod common;

use media::{fingerprint_file, Options};

/// 16-bit grey: the reference clips samples to 255 where hashbank scales
/// them to 8 bits, so its hash is not comparable (see `sixteen_bit.rs`).
const SCALED_NOT_CLIPPED: &str = "pytx-resources/I16.png";

#[test]
fn canonical_hashes_match_the_full_resolution_reference() {
    let expected = common::expected_hashes("pdqhash-pil-rgb-fullres.csv");
    assert_eq!(expected.len(), 54);
    let root = common::testdata().join("pdq");
    let mut report = Vec::new();
    let mut failures = 0;
    for (path, (want_hash, want_quality)) in &expected {
        if path == SCALED_NOT_CLIPPED {
            continue;
        }
        let got = fingerprint_file(&root.join(path), &Options::default())
            .unwrap_or_else(|e| panic!("{e}"));
        let distance = got.pdq.distance(want_hash);
        let lossless = path.ends_with(".png")
            || path.ends_with(".bmp")
            || path.ends_with(".gif")
            || path.ends_with(".tif")
            || path.ends_with(".tiff");
        let allowed = if lossless { 0 } else { 2 };
        let ok = distance <= allowed && got.quality.abs_diff(*want_quality) <= 2;
        if !ok {
            failures += 1;
        }
        report.push(format!(
            "{} {path}: distance {distance} (allowed {allowed}), quality {} vs {want_quality}",
            if ok { "ok  " } else { "FAIL" },
            got.quality
        ));
    }
    assert_eq!(failures, 0, "\n{}", report.join("\n"));
}

//! The fast pipeline's JPEG path: decoding at 1/2, 1/4 or 1/8 in the DCT
//! domain keeps the file's size as the source size, equals libjpeg-turbo's
//! own 1/8 decode (Pillow's draft mode, whose reduced IDCTs and plain
//! upsampling it follows) sample for sample, and hashes within a few bits
//! of the canonical decode.

mod common;

use media::{decode, Limits, Pipeline};
use sha2::{Digest, Sha256};

/// Pillow 13 `im.draft('RGB', (w / 8, h / 8))` of the large test JPEGs:
/// `path width height sha256-prefix`.
const DRAFT_EIGHTHS: &str = "\
pdq/data/reg-test-input/exif-rotn/exif-rotn-1.jpg 504 378 d3361b3ef51f98c8
pdq/data/reg-test-input/exif-rotn/exif-rotn-3.jpg 504 378 d33b75cadfb68a4a
pdq/data/reg-test-input/exif-rotn/exif-rotn-6.jpg 504 378 630a3386fa10962e
pdq/data/reg-test-input/exif-rotn/exif-rotn-8.jpg 504 378 10c94bcdc2943d70
";

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn eighth_size_equals_libjpeg_scaled_decoding() {
    let root = common::testdata();
    for line in DRAFT_EIGHTHS.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        let bytes = std::fs::read(root.join(f[0])).unwrap();
        let d = decode(&bytes, &Limits::default(), Pipeline::Fast).unwrap();
        assert_eq!((d.source_width, d.source_height), (4032, 3024));
        assert_eq!(
            format!("{} {}", d.width, d.height),
            format!("{} {}", f[1], f[2])
        );
        assert_eq!(
            &hex(&Sha256::digest(d.pixels.as_slice()))[..16],
            f[3],
            "{}",
            f[0]
        );
    }
}

/// The largest distance seen between fast and canonical hashes of the PDQ
/// test JPEGs is 12 bits (a 4032x3024 photo at 1/8); most are 0 to 2.
const MAX_DISTANCE: u32 = 16;

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

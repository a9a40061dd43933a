//! The JPEG decoder on corrupt, truncated and hostile files: never a panic,
//! never a silent grey fill; truncated data, broken restart markers and
//! impossible geometry are errors; absurd scan counts and sizes are refused
//! before the work or the memory they ask for.

use std::path::PathBuf;

use media::{decode, ErrorKind, Limits, Pipeline};
use proptest::prelude::*;

fn case(name: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../jpeg/tests/jpeg_support/cases")
        .join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Small files of every kind the decoder has a path for.
const SAMPLES: [&str; 8] = [
    "sample_2x2.jpg",
    "sample_2x2_prog.jpg",
    "restart_2.jpg",
    "scan_successive.jpg",
    "scan_dc_only.jpg",
    "pil_cmyk.jpg",
    "gray.jpg",
    "sample_3x2.jpg",
];

fn decode_both(bytes: &[u8]) -> [Result<media::Decoded, ErrorKind>; 2] {
    let limits = Limits::default();
    [Pipeline::Canonical, Pipeline::Fast].map(|p| decode(bytes, &limits, p))
}

fn is_corrupt(r: &Result<media::Decoded, ErrorKind>) -> bool {
    matches!(r, Err(ErrorKind::Corrupt { format: "JPEG", .. }))
}

#[test]
fn every_truncation_is_corrupt() {
    for name in SAMPLES {
        let bytes = case(name);
        assert_eq!(
            &bytes[bytes.len() - 2..],
            &[0xFF, 0xD9],
            "{name} ends with EOI"
        );
        // Every length from the first marker on (shorter ones are not
        // recognised as JPEG at all) to one byte short.
        for len in 4..bytes.len() {
            for r in decode_both(&bytes[..len]) {
                assert!(
                    is_corrupt(&r),
                    "{name} cut to {len}: {:?}",
                    r.map(|d| d.width)
                );
            }
        }
    }
}

/// The offsets of the RSTn markers of a file.
fn restart_markers(bytes: &[u8]) -> Vec<usize> {
    let sos = bytes.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    (sos..bytes.len() - 1)
        .filter(|&i| bytes[i] == 0xFF && (0xD0..=0xD7).contains(&bytes[i + 1]))
        .collect()
}

#[test]
fn missing_or_misnumbered_restart_markers_are_corrupt() {
    let bytes = case("restart_2.jpg");
    let markers = restart_markers(&bytes);
    assert!(markers.len() >= 2);
    let ok = decode_both(&bytes);
    assert!(ok.iter().all(|r| r.is_ok()));
    for &at in &markers {
        // Removed.
        let mut cut = bytes.clone();
        cut.drain(at..at + 2);
        assert!(
            decode_both(&cut).iter().all(is_corrupt),
            "RST at {at} removed"
        );
        // Numbered out of order.
        let mut wrong = bytes.clone();
        wrong[at + 1] = 0xD0 + (wrong[at + 1] - 0xD0 + 3) % 8;
        assert!(
            decode_both(&wrong).iter().all(is_corrupt),
            "RST at {at} renumbered"
        );
    }
}

#[test]
fn impossible_sampling_factors_are_corrupt() {
    let mut bytes = case("sample_2x2.jpg");
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    // The first component's sampling byte: marker, length, precision,
    // height, width, count, id.
    for bad in [0x00, 0x50, 0x05, 0xFF] {
        bytes[sof + 11] = bad;
        assert!(
            decode_both(&bytes).iter().all(is_corrupt),
            "sampling {bad:#x}"
        );
    }
}

#[test]
fn a_huge_image_in_a_small_file_is_refused_before_decoding() {
    // 60000 x 60000 declared; the limit lets it through, the data cannot
    // hold it, and nothing of its size is allocated.
    let mut bytes = case("sample_2x2.jpg");
    let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
    bytes[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
    let limits = Limits {
        max_file_bytes: 1 << 20,
        max_pixels: u64::MAX,
    };
    for pipeline in [Pipeline::Canonical, Pipeline::Fast] {
        let err = decode(&bytes, &limits, pipeline).unwrap_err();
        assert!(matches!(err, ErrorKind::Corrupt { .. }), "{err}");
    }
}

#[test]
fn endless_scans_are_refused() {
    // A progressive file whose DC terms stop at bit 1, followed by 300
    // refinement scans of that bit (each valid, 54 blocks, 1 bit a block).
    let bytes = case("scan_dc_al1.jpg");
    let mut long = bytes[..bytes.len() - 2].to_vec();
    for _ in 0..300 {
        long.extend_from_slice(&[
            0xFF, 0xDA, 0x00, 0x0C, 3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 0, 0x10,
        ]);
        long.extend_from_slice(&[0u8; 8]);
    }
    long.extend_from_slice(&[0xFF, 0xD9]);
    let err = decode(&long, &Limits::default(), Pipeline::Canonical).unwrap_err();
    assert!(
        matches!(err, ErrorKind::Unsupported { ref detail, .. } if detail.contains("scans")),
        "{err}"
    );
    // A few such scans are fine.
    let mut short = bytes[..bytes.len() - 2].to_vec();
    short.extend_from_slice(&[
        0xFF, 0xDA, 0x00, 0x0C, 3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 0, 0x10,
    ]);
    short.extend_from_slice(&[0u8; 8]);
    short.extend_from_slice(&[0xFF, 0xD9]);
    decode(&short, &Limits::default(), Pipeline::Canonical).unwrap();
}

#[test]
fn data_after_eoi_is_ignored_and_a_second_scan_of_a_baseline_file_is_corrupt() {
    let mut bytes = case("sample_2x2.jpg");
    let want = decode(&bytes, &Limits::default(), Pipeline::Canonical).unwrap();
    bytes.extend_from_slice(b"trailing bytes, as some cameras write");
    assert_eq!(
        decode(&bytes, &Limits::default(), Pipeline::Canonical).unwrap(),
        want
    );
    // A baseline file holding every component in its first scan ends there.
    let plain = case("sample_2x2.jpg");
    let sos = plain.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
    let mut twice = plain[..plain.len() - 2].to_vec();
    twice.extend_from_slice(&plain[sos..]);
    assert!(decode_both(&twice).iter().all(is_corrupt));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    /// Flipped bytes anywhere: an error or an image of the header's size,
    /// never a panic.
    #[test]
    fn mutations_never_panic(
        which in 0..SAMPLES.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..12),
    ) {
        let mut bytes = case(SAMPLES[which]);
        let clean = decode(&bytes, &Limits::default(), Pipeline::Canonical).unwrap();
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        for d in decode_both(&bytes).into_iter().flatten() {
            prop_assert!(d.source_width > 0 && d.source_height > 0);
            prop_assert_eq!(
                d.pixels.as_slice().len(),
                d.width * d.height * d.pixels.channels()
            );
            if (d.source_width, d.source_height) == (clean.width, clean.height) {
                prop_assert!(d.width <= clean.width && d.height <= clean.height);
            }
        }
    }

    /// Random bytes after a valid header: an error or an image, never a
    /// panic.
    #[test]
    fn random_entropy_data_never_panics(
        which in 0..SAMPLES.len(),
        data in proptest::collection::vec(any::<u8>(), 0..3000),
    ) {
        let bytes = case(SAMPLES[which]);
        let sos = bytes.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        let length = usize::from(bytes[sos + 2]) << 8 | usize::from(bytes[sos + 3]);
        let mut mixed = bytes[..sos + 2 + length].to_vec();
        mixed.extend_from_slice(&data);
        let _ = decode_both(&mixed);
    }
}

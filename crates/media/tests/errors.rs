//! Bad input gives a clear error, names the file, and never panics.

mod common;

use std::io::Cursor;

use image::{DynamicImage, ImageFormat};
use media::{fingerprint, fingerprint_file, ErrorKind, Limits, Options};
use proptest::prelude::*;

fn sample_jpeg() -> Vec<u8> {
    std::fs::read(common::testdata().join("pdq/data/bridge-mods/aaa-orig.jpg")).unwrap()
}

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

fn sample(format: ImageFormat) -> Vec<u8> {
    let image = image::RgbImage::from_fn(97, 61, |x, y| {
        image::Rgb([(x * 2) as u8, (y * 4) as u8, ((x ^ y) * 3) as u8])
    });
    encode(&DynamicImage::ImageRgb8(image), format)
}

fn kind(bytes: &[u8]) -> ErrorKind {
    fingerprint(bytes, &Options::default()).unwrap_err()
}

#[test]
fn empty_input() {
    assert!(matches!(kind(&[]), ErrorKind::Empty));
}

#[test]
fn text_is_not_an_image() {
    let err = kind(b"hello, this is a text file named photo.jpg\n");
    assert!(matches!(err, ErrorKind::NotAnImage), "{err}");
}

#[test]
fn truncated_files_are_corrupt() {
    let jpeg = sample_jpeg();
    let mut cases = vec![
        ("JPEG", jpeg[..jpeg.len() / 2].to_vec()),
        ("JPEG", jpeg[..jpeg.len() - 2].to_vec()),
    ];
    for (name, format) in [
        ("PNG", ImageFormat::Png),
        ("GIF", ImageFormat::Gif),
        ("BMP", ImageFormat::Bmp),
        ("TIFF", ImageFormat::Tiff),
        ("WebP", ImageFormat::WebP),
    ] {
        let full = sample(format);
        cases.push((name, full[..full.len() * 2 / 3].to_vec()));
    }
    for (name, bytes) in cases {
        let result = fingerprint(&bytes, &Options::default());
        let Err(err) = result else {
            panic!("truncated {name} ({} bytes) decoded", bytes.len());
        };
        match err {
            ErrorKind::Corrupt { format, .. } => assert_eq!(format, name),
            other => panic!("truncated {name}: {other}"),
        }
    }
}

#[test]
fn corrupt_data_is_an_error() {
    let mut png = sample(ImageFormat::Png);
    let n = png.len();
    for b in &mut png[60..n - 20] {
        *b ^= 0x5a;
    }
    assert!(matches!(
        kind(&png),
        ErrorKind::Corrupt { format: "PNG", .. }
    ));
}

/// A PNG header claiming 100000 x 100000 pixels with no data behind it.
fn huge_png_header() -> Vec<u8> {
    let mut png = sample(ImageFormat::Png);
    png[16..20].copy_from_slice(&100_000u32.to_be_bytes());
    png[20..24].copy_from_slice(&100_000u32.to_be_bytes());
    // Recompute the IHDR CRC so only the size is "wrong".
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xedb8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[test]
fn huge_dimensions_are_refused_before_decoding() {
    match kind(&huge_png_header()) {
        ErrorKind::TooManyPixels {
            width,
            height,
            limit,
            ..
        } => {
            assert_eq!((width, height, limit), (100_000, 100_000, 100_000_000));
        }
        other => panic!("{other}"),
    }
    // A JPEG frame header claiming 65000 x 65000.
    let mut jpeg = sample_jpeg();
    let sof = jpeg
        .windows(2)
        .position(|w| w == [0xff, 0xc0])
        .expect("baseline SOF0");
    jpeg[sof + 5..sof + 7].copy_from_slice(&65000u16.to_be_bytes());
    jpeg[sof + 7..sof + 9].copy_from_slice(&65000u16.to_be_bytes());
    assert!(matches!(kind(&jpeg), ErrorKind::TooManyPixels { .. }));
}

/// A PNG header stating `width x height` pixels, with no data behind it.
fn stated_png(width: u32, height: u32) -> Vec<u8> {
    let mut png = sample(ImageFormat::Png);
    png[16..20].copy_from_slice(&width.to_be_bytes());
    png[20..24].copy_from_slice(&height.to_be_bytes());
    let crc = crc32(&png[12..29]);
    png[29..33].copy_from_slice(&crc.to_be_bytes());
    png
}

/// Images with a side over `MAX_SIDE`, which cost far more to hash than
/// their pixels, are refused before decoding: two WebP files of about 200
/// bytes stating 4,259,864 x 16 and 24 x 2,293,776 animations (found by the
/// `media_decode` fuzz target), and the 8 x 12,000,000 pixels a PNG of 23 KB
/// holds.
#[test]
fn long_thin_images_are_refused() {
    let found = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fuzz");
    let cases = [
        std::fs::read(found.join("webp-4259864x16.webp")).unwrap(),
        std::fs::read(found.join("webp-24x2293776.webp")).unwrap(),
        stated_png(8, 12_000_000),
        stated_png(65_536, 2),
    ];
    for bytes in cases {
        match kind(&bytes) {
            ErrorKind::Unsupported { detail, .. } => {
                assert!(detail.contains("sides over 65535 pixels"), "{detail}")
            }
            other => panic!("{other}"),
        }
    }
    // The longest side decoded.
    assert_eq!(media::MAX_SIDE, 65_535);
    let longest = encode(
        &DynamicImage::ImageLuma8(image::GrayImage::from_pixel(2, 65_535, image::Luma([90]))),
        ImageFormat::Png,
    );
    let print = fingerprint(&longest, &Options::default()).unwrap();
    assert_eq!((print.width, print.height), (2, 65_535));
}

#[test]
fn limits_are_settable() {
    let jpeg = sample_jpeg();
    let tight = Options {
        limits: Limits {
            max_pixels: 1000,
            ..Limits::default()
        },
        ..Options::default()
    };
    assert!(matches!(
        fingerprint(&jpeg, &tight),
        Err(ErrorKind::TooManyPixels { .. })
    ));
    let small = Options {
        limits: Limits {
            max_file_bytes: 100,
            ..Limits::default()
        },
        ..Options::default()
    };
    let err = fingerprint(&jpeg, &small).unwrap_err();
    assert!(
        matches!(err, ErrorKind::FileTooLarge { limit: 100, .. }),
        "{err}"
    );
}

#[test]
fn file_errors_name_the_file() {
    let dir = std::env::temp_dir().join(format!("hashbank-media-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("empty.jpg", vec![], "the file is empty"),
        ("notes.jpg", b"not a picture".to_vec(), "not an image"),
        (
            "cut.jpg",
            sample_jpeg()[..5000].to_vec(),
            "corrupt or truncated JPEG",
        ),
        (
            "huge.png",
            huge_png_header(),
            "over the limit of 100000000 pixels",
        ),
    ];
    for (name, bytes, message) in cases {
        let path = dir.join(name);
        std::fs::write(&path, bytes).unwrap();
        let err = fingerprint_file(&path, &Options::default())
            .unwrap_err()
            .to_string();
        assert!(err.starts_with(&path.display().to_string()), "{err}");
        assert!(err.contains(message), "{err}");
    }
    let big = dir.join("big.jpg");
    std::fs::write(&big, vec![0u8; 2048]).unwrap();
    let opts = Options {
        limits: Limits {
            max_file_bytes: 1024,
            ..Limits::default()
        },
        ..Options::default()
    };
    let err = fingerprint_file(&big, &opts).unwrap_err().to_string();
    assert!(err.contains("2048 bytes, over the limit of 1024"), "{err}");
    let missing = fingerprint_file(&dir.join("missing.jpg"), &Options::default()).unwrap_err();
    assert!(matches!(missing.kind, ErrorKind::Io(_)));
    std::fs::remove_dir_all(&dir).unwrap();
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..4096)) {
        let _ = fingerprint(&bytes, &Options::default());
    }

    #[test]
    fn mutated_images_never_panic(
        format in prop_oneof![Just(ImageFormat::Png), Just(ImageFormat::Gif), Just(ImageFormat::Bmp), Just(ImageFormat::Tiff), Just(ImageFormat::WebP), Just(ImageFormat::Jpeg)],
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..16),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut bytes = if format == ImageFormat::Jpeg { sample_jpeg() } else { sample(format) };
        for (at, value) in edits {
            let i = at.index(bytes.len());
            bytes[i] = value;
        }
        let keep = cut.index(bytes.len()) + 1;
        bytes.truncate(keep);
        for pipeline in [media::Pipeline::Canonical, media::Pipeline::Fast] {
            let opts = Options { pipeline, ..Options::default() };
            if let Ok(print) = fingerprint(&bytes, &opts) {
                prop_assert!(print.quality <= 100);
            }
        }
    }
}

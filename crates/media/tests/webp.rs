//! WebP through libwebp (the decoder Pillow uses) against the pure Rust
//! decoder of the `image` crate: the same image, the reference's hash, and
//! the pure Rust decoder still reading what libwebp does not.

mod common;

use std::io::Cursor;

use image::{DynamicImage, ImageFormat, RgbaImage};
use media::{decode, fingerprint, ErrorKind, Limits, Options, Pipeline};

fn webp_files() -> Vec<(String, Vec<u8>)> {
    let root = common::testdata().join("pdq");
    let files: Vec<_> = common::files_below(&root.join("data"))
        .into_iter()
        .filter(|p| p.extension().is_some_and(|e| e == "webp"))
        .map(|p| {
            let name = p.strip_prefix(&root).unwrap().display().to_string();
            (name, std::fs::read(&p).unwrap())
        })
        .collect();
    assert!(files.len() >= 5, "the lossy WebP files of pdq/data");
    files
}

#[test]
fn lossy_webp_decodes_like_the_pure_rust_decoder() {
    for (name, bytes) in webp_files() {
        let ours = decode(&bytes, &Limits::default(), Pipeline::Canonical).unwrap();
        let plain = image::load_from_memory(&bytes).unwrap().to_rgb8();
        let (w, h) = plain.dimensions();
        assert_eq!(
            (ours.width, ours.height),
            (w as usize, h as usize),
            "{name}"
        );
        let ours_rgb: Vec<u8> = match &ours.pixels {
            media::PixelData::Rgb(v) => v.clone(),
            media::PixelData::Rgba(v) => {
                v.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect()
            }
            media::PixelData::Gray(_) => panic!("{name}: a colour file decoded as grey"),
        };
        // VP8 reconstruction is exact in both; the YUV to RGB conversion
        // and chroma upsampling may round differently.
        let max = ours_rgb
            .iter()
            .zip(plain.as_raw())
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap();
        let mean = ours_rgb
            .iter()
            .zip(plain.as_raw())
            .map(|(a, b)| f64::from(a.abs_diff(*b)))
            .sum::<f64>()
            / ours_rgb.len() as f64;
        assert!(max <= 3 && mean < 0.5, "{name}: max {max}, mean {mean:.3}");
    }
}

#[test]
fn lossy_webp_gives_pillows_hash_exactly() {
    let expected = common::expected_hashes("pdqhash-pil-rgb-fullres.csv");
    for (name, bytes) in webp_files() {
        let (hash, quality) = expected[&name];
        let got = fingerprint(&bytes, &Options::default()).unwrap();
        assert_eq!((got.pdq, got.quality), (hash, quality), "{name}");
    }
}

#[test]
fn lossless_webp_with_alpha_drops_the_alpha() {
    let image = RgbaImage::from_fn(96, 64, |x, y| {
        image::Rgba([
            (x * 2) as u8,
            (y * 3) as u8,
            ((x + y) * 5) as u8,
            (x * y % 256) as u8,
        ])
    });
    let mut webp = Vec::new();
    DynamicImage::ImageRgba8(image.clone())
        .write_to(&mut Cursor::new(&mut webp), ImageFormat::WebP)
        .unwrap();
    let decoded = decode(&webp, &Limits::default(), Pipeline::Canonical).unwrap();
    let rgb: Vec<u8> = image.pixels().flat_map(|p| [p[0], p[1], p[2]]).collect();
    let got: Vec<u8> = match &decoded.pixels {
        media::PixelData::Rgba(v) => v.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
        media::PixelData::Rgb(v) => v.clone(),
        media::PixelData::Gray(_) => panic!("grey"),
    };
    assert_eq!(got, rgb);
}

#[test]
fn a_broken_webp_still_gets_a_worded_error() {
    let (_, bytes) = webp_files().remove(0);
    let cut = &bytes[..bytes.len() / 2];
    for pipeline in [Pipeline::Canonical, Pipeline::Fast] {
        match decode(cut, &Limits::default(), pipeline) {
            Err(ErrorKind::Corrupt { format, detail }) => {
                assert_eq!(format, "WebP");
                assert!(!detail.is_empty());
            }
            other => panic!("a truncated WebP gave {other:?}"),
        }
    }
}

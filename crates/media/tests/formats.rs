//! Lossless formats hash exactly as the reference does on the same pixels:
//! the test PNGs re-encoded as BMP, TIFF, GIF and lossless WebP (made here,
//! since the reference set has none) give the PNG's reference hash.

mod common;

use std::io::Cursor;

use image::{DynamicImage, ImageFormat};
use media::{fingerprint, Options};

fn encode(image: &DynamicImage, format: ImageFormat) -> Vec<u8> {
    let mut out = Vec::new();
    image.write_to(&mut Cursor::new(&mut out), format).unwrap();
    out
}

fn reference_png(path: &str) -> (DynamicImage, pdq::Hash256, u8) {
    let expected = common::expected_hashes("pdqhash-pil-rgb-fullres.csv");
    let (hash, quality) = expected[path];
    let bytes = std::fs::read(common::testdata().join("pdq").join(path)).unwrap();
    (image::load_from_memory(&bytes).unwrap(), hash, quality)
}

#[test]
fn bmp_and_tiff_give_the_reference_hash() {
    for path in [
        "data/reg-test-input/pen-and-coaster.png",
        "data/misc-images/c.png",
        "data/misc-images/modes/L.png",
    ] {
        let (image, hash, quality) = reference_png(path);
        for format in [ImageFormat::Bmp, ImageFormat::Tiff] {
            let got = fingerprint(&encode(&image, format), &Options::default())
                .unwrap_or_else(|e| panic!("{path} as {format:?}: {e}"));
            assert_eq!(
                (got.pdq, got.quality),
                (hash, quality),
                "{path} as {format:?}"
            );
        }
    }
}

#[test]
fn gif_first_frame_hashes_like_its_pixels() {
    // GIF holds at most 256 colours, so compare with the same palette
    // pixels written as PNG, whose exactness the reference test covers.
    let (image, _, _) = reference_png("data/misc-images/modes/P.png");
    let gif = encode(&image, ImageFormat::Gif);
    let decoded = image::load_from_memory(&gif).unwrap().to_rgb8();
    let png = encode(&DynamicImage::ImageRgb8(decoded), ImageFormat::Png);
    let from_gif = fingerprint(&gif, &Options::default()).unwrap();
    let from_png = fingerprint(&png, &Options::default()).unwrap();
    assert_eq!(
        (from_gif.pdq, from_gif.quality),
        (from_png.pdq, from_png.quality)
    );
    assert!(from_gif.quality >= 50);
}

#[test]
fn lossless_webp_gives_the_reference_hash() {
    let (image, hash, quality) = reference_png("data/reg-test-input/pen-and-coaster.png");
    let webp = encode(
        &DynamicImage::ImageRgba8(image.to_rgba8()),
        ImageFormat::WebP,
    );
    let got = fingerprint(&webp, &Options::default()).unwrap();
    assert_eq!((got.pdq, got.quality), (hash, quality));
}

#[test]
fn sixteen_bit_samples_are_scaled_not_clipped() {
    // pytx's I16.png is 16-bit grey; Pillow clips it to 255 and the C++
    // reference keeps the low byte. hashbank scales: the hash must equal the
    // hash of the same image scaled to 8 bits here.
    let path = common::testdata().join("pdq/pytx-resources/I16.png");
    let bytes = std::fs::read(path).unwrap();
    let wide = image::load_from_memory(&bytes).unwrap().to_luma16();
    assert!(
        wide.iter().any(|&v| v > 255),
        "the file holds real 16-bit values"
    );
    let narrow = image::GrayImage::from_fn(wide.width(), wide.height(), |x, y| {
        let v = u32::from(wide.get_pixel(x, y)[0]);
        image::Luma([((v * 255 + 32767) / 65535) as u8])
    });
    let scaled_png = encode(&DynamicImage::ImageLuma8(narrow), ImageFormat::Png);
    let got = fingerprint(&bytes, &Options::default()).unwrap();
    let want = fingerprint(&scaled_png, &Options::default()).unwrap();
    assert_eq!((got.pdq, got.quality), (want.pdq, want.quality));
    let clipped = common::expected_hashes("pdqhash-pil-rgb-fullres.csv")["pytx-resources/I16.png"];
    assert!(got.pdq.distance(&clipped.0) > 31, "not the clipped reading");

    // And 16-bit RGB(A), through PNG and TIFF.
    let rgb16 = image::ImageBuffer::<image::Rgba<u16>, _>::from_fn(64, 48, |x, y| {
        image::Rgba([
            (x * 1000) as u16,
            (y * 1300) as u16,
            ((x + y) * 600) as u16,
            7,
        ])
    });
    let rgb8 = image::RgbImage::from_fn(64, 48, |x, y| {
        let p = rgb16.get_pixel(x, y);
        image::Rgb([0, 1, 2].map(|c| ((u32::from(p[c]) * 255 + 32767) / 65535) as u8))
    });
    let want = fingerprint(
        &encode(&DynamicImage::ImageRgb8(rgb8), ImageFormat::Png),
        &Options::default(),
    )
    .unwrap();
    for format in [ImageFormat::Png, ImageFormat::Tiff] {
        let got = fingerprint(
            &encode(&DynamicImage::ImageRgba16(rgb16.clone()), format),
            &Options::default(),
        )
        .unwrap();
        assert_eq!(got.pdq, want.pdq, "{format:?}");
    }
}

#[test]
fn one_bit_and_palette_pngs_expand() {
    // modes/1.png (1-bit) and modes/P.png (palette) match the reference
    // exactly in canonical.rs; here their decoded shapes.
    for (path, channels) in [
        ("data/misc-images/modes/1.png", 1),
        ("data/misc-images/modes/P.png", 3),
    ] {
        let bytes = std::fs::read(common::testdata().join("pdq").join(path)).unwrap();
        let decoded = media::decode(
            &bytes,
            &media::Limits::default(),
            media::Pipeline::Canonical,
        )
        .unwrap();
        assert_eq!(decoded.pixels.channels(), channels, "{path}");
        let values = decoded.pixels.as_slice();
        if channels == 1 {
            assert!(
                values.iter().all(|&v| v == 0 || v == 255),
                "1-bit expands to 0 and 255"
            );
        }
    }
}

//! The JPEG decoder (`hashbank-jpeg`) on any bytes: `dimensions`, the full
//! decode and the decode for hashing at 1/1, 1/2, 1/4 and 1/8 never panic,
//! and what decodes holds as many samples as its size says, at the size
//! the header states. Images over the media crate's default pixel limit
//! are not decoded (the caller refuses them first).
#![no_main]

use jpeg::Image;
use libfuzzer_sys::fuzz_target;

/// `media::DEFAULT_MAX_PIXELS`: the limit callers check before decoding.
const MAX_PIXELS: u64 = 100_000_000;

fn check(image: &Image, width: usize, height: usize, denominator: usize) {
    assert_eq!((image.source_width, image.source_height), (width, height));
    assert_eq!(image.block, denominator);
    assert_eq!(image.width, width.div_ceil(denominator));
    assert_eq!(image.height, height.div_ceil(denominator));
    assert_eq!(
        image.pixels.as_slice().len(),
        image.width * image.height * image.pixels.channels()
    );
}

fuzz_target!(|data: &[u8]| {
    let Ok((width, height)) = jpeg::dimensions(data) else {
        // Without a frame header there is nothing to decode.
        assert!(jpeg::decode_full(data).is_err());
        return;
    };
    if width as u64 * height as u64 > MAX_PIXELS {
        return;
    }
    if let Ok(image) = jpeg::decode_full(data) {
        check(&image, width, height, 1);
    }
    for denominator in [1, 2, 4, 8] {
        if let Ok(image) = jpeg::decode_for_hash(data, denominator) {
            check(&image, width, height, denominator);
        }
    }
});

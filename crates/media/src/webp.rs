//! WebP through libwebp, the decoder Pillow (and so pip `pdqhash`, HMA and
//! python-threatexchange) uses: the same pixels as theirs, three to four
//! times faster than the pure Rust decoder. Not on wasm32, where the pure
//! Rust decoder of the `image` crate does the work.
//!
//! Animated files and files libwebp refuses give `None`; the caller then
//! tries the pure Rust decoder, which reads the first frame of an
//! animation and words the error of a broken file.

use crate::pixels::{Decoded, PixelData};

/// Decodes a still WebP image (lossy or lossless) at full size, RGB, or
/// RGBA when the file has alpha; `None` when libwebp cannot.
pub(crate) fn decode(bytes: &[u8]) -> Option<Decoded> {
    let image = webp::Decoder::new(bytes).decode()?;
    let (width, height) = (image.width() as usize, image.height() as usize);
    let pixels = if image.is_alpha() {
        PixelData::Rgba(image.to_vec())
    } else {
        PixelData::Rgb(image.to_vec())
    };
    if pixels.as_slice().len() != width * height * pixels.channels() {
        return None;
    }
    Some(Decoded::full(width, height, pixels))
}

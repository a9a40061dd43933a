//! WebP through libwebp, the decoder Pillow (and so pip `pdqhash`, HMA and
//! python-threatexchange) uses: the same pixels as theirs, three to four
//! times faster than the pure Rust decoder. Not on wasm32, where the pure
//! Rust decoder of the `image` crate does the work.
//!
//! Animated files and files libwebp refuses give `None`; the caller then
//! tries the pure Rust decoder, which reads the first frame of an
//! animation and words the error of a broken file.

use crate::pixels::{area_average_borrowed, Decoded};

/// Decodes a still WebP image (lossy or lossless) at full size, RGB, or
/// RGBA when the file has alpha; `None` when libwebp cannot. With a
/// `factor` above 1, the image is area-averaged by it straight from
/// libwebp's buffer (the fast pipeline), never copied at full size.
pub(crate) fn decode(bytes: &[u8], factor: impl Fn(usize, usize) -> usize) -> Option<Decoded> {
    let image = webp::Decoder::new(bytes).decode()?;
    let (width, height) = (image.width() as usize, image.height() as usize);
    let channels = if image.is_alpha() { 4 } else { 3 };
    if image.len() != width * height * channels {
        return None;
    }
    Some(area_average_borrowed(
        &image,
        width,
        height,
        channels,
        factor(width, height),
    ))
}

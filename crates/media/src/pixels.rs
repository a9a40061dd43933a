//! Decoded 8-bit pixels, conversions into them, and area-average downscaling.

use image::DynamicImage;

/// 8-bit pixels, row-major, no padding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PixelData {
    /// Red, green, blue.
    Rgb(Vec<u8>),
    /// Red, green, blue, alpha (alpha is ignored when hashing).
    Rgba(Vec<u8>),
    /// Grey.
    Gray(Vec<u8>),
}

impl PixelData {
    /// Values per pixel.
    pub fn channels(&self) -> usize {
        match self {
            PixelData::Rgb(_) => 3,
            PixelData::Rgba(_) => 4,
            PixelData::Gray(_) => 1,
        }
    }

    /// The raw values.
    pub fn as_slice(&self) -> &[u8] {
        match self {
            PixelData::Rgb(v) | PixelData::Rgba(v) | PixelData::Gray(v) => v,
        }
    }

    fn with_values(&self, values: Vec<u8>) -> PixelData {
        match self {
            PixelData::Rgb(_) => PixelData::Rgb(values),
            PixelData::Rgba(_) => PixelData::Rgba(values),
            PixelData::Gray(_) => PixelData::Gray(values),
        }
    }
}

/// An image ready for hashing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// Width of the pixels held here.
    pub width: usize,
    /// Height of the pixels held here.
    pub height: usize,
    /// Width of the image in the file (differs from `width` after the fast
    /// pipeline scaled it).
    pub source_width: usize,
    /// Height of the image in the file.
    pub source_height: usize,
    /// Pixels of the file per pixel held here, along each side: 1 at full
    /// size; after the fast pipeline scaled the image, each pixel held is
    /// the mean of a `block x block` square (or its DCT-domain equivalent).
    pub block: usize,
    /// The pixels.
    pub pixels: PixelData,
}

/// A JPEG decoded by `hashbank-jpeg`, as every format's pixels.
impl From<jpeg::Image> for Decoded {
    fn from(image: jpeg::Image) -> Decoded {
        Decoded {
            width: image.width,
            height: image.height,
            source_width: image.source_width,
            source_height: image.source_height,
            block: image.block,
            pixels: match image.pixels {
                jpeg::Pixels::Gray(p) => PixelData::Gray(p),
                jpeg::Pixels::Rgb(p) => PixelData::Rgb(p),
            },
        }
    }
}

impl Decoded {
    /// A decoded image at its full size.
    pub fn full(width: usize, height: usize, pixels: PixelData) -> Decoded {
        Decoded {
            width,
            height,
            source_width: width,
            source_height: height,
            block: 1,
            pixels,
        }
    }

    /// The pixels as PDQ's input. A scaled image is hashed as the reduced
    /// copy of the file's image ([`pdq::Image::reduced_from`]): PDQ's blur
    /// keeps the width it has at the file's size.
    pub fn as_image(&self) -> pdq::Image<'_> {
        let data = self.pixels.as_slice();
        let pixels = match self.pixels {
            PixelData::Rgb(_) => pdq::Pixels::Rgb(data),
            PixelData::Rgba(_) => pdq::Pixels::Rgba(data),
            PixelData::Gray(_) => pdq::Pixels::Gray(data),
        };
        let image = pdq::Image::new(self.width, self.height, pixels)
            .expect("decoded buffers always match their size");
        if self.block > 1 {
            image
                .reduced_from(self.source_width, self.source_height, self.block)
                .expect("scaled images always fit their source")
        } else {
            image
        }
    }
}

/// A 16-bit sample scaled to 8 bits, rounding to nearest: 0 stays 0 and
/// 65535 becomes 255 (not truncated to the high or low byte, not clipped).
pub(crate) fn scale_16_to_8(v: u16) -> u8 {
    ((u32::from(v) * 255 + 32767) / 65535) as u8
}

/// A float sample in 0..=1 scaled to 8 bits, clamped.
fn scale_f32_to_8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0).round() as u8
}

fn scale_all_16(values: &[u16]) -> Vec<u8> {
    values.iter().map(|&v| scale_16_to_8(v)).collect()
}

fn scale_all_f32(values: &[f32]) -> Vec<u8> {
    values.iter().map(|&v| scale_f32_to_8(v)).collect()
}

/// Keeps the first `keep` of every `stride` values (drops alpha).
fn drop_channels<T: Copy>(values: &[T], stride: usize, keep: usize) -> Vec<T> {
    if keep == 1 {
        // An exact-size iterator: collected without a check per value.
        return values.chunks_exact(stride).map(|px| px[0]).collect();
    }
    let mut out = Vec::with_capacity(values.len() / stride * keep);
    for px in values.chunks_exact(stride) {
        out.extend_from_slice(&px[..keep]);
    }
    out
}

/// Any decoded image as 8-bit grey, RGB or RGBA. Grey with alpha loses its
/// alpha (the reference drops alpha without compositing); palette and 1-bit
/// images arrive already expanded by the decoders.
pub(crate) fn from_dynamic(image: DynamicImage) -> Decoded {
    let (w, h) = (image.width() as usize, image.height() as usize);
    let pixels = match image {
        DynamicImage::ImageLuma8(buf) => PixelData::Gray(buf.into_raw()),
        DynamicImage::ImageLumaA8(buf) => PixelData::Gray(drop_channels(buf.as_raw(), 2, 1)),
        DynamicImage::ImageRgb8(buf) => PixelData::Rgb(buf.into_raw()),
        DynamicImage::ImageRgba8(buf) => PixelData::Rgba(buf.into_raw()),
        DynamicImage::ImageLuma16(buf) => PixelData::Gray(scale_all_16(buf.as_raw())),
        DynamicImage::ImageLumaA16(buf) => {
            PixelData::Gray(scale_all_16(&drop_channels(buf.as_raw(), 2, 1)))
        }
        DynamicImage::ImageRgb16(buf) => PixelData::Rgb(scale_all_16(buf.as_raw())),
        DynamicImage::ImageRgba16(buf) => {
            PixelData::Rgb(scale_all_16(&drop_channels(buf.as_raw(), 4, 3)))
        }
        DynamicImage::ImageRgb32F(buf) => PixelData::Rgb(scale_all_f32(buf.as_raw())),
        DynamicImage::ImageRgba32F(buf) => {
            PixelData::Rgb(scale_all_f32(&drop_channels(buf.as_raw(), 4, 3)))
        }
        other => PixelData::Rgb(other.to_rgb8().into_raw()),
    };
    Decoded::full(w, h, pixels)
}

/// Shrinks by the integer `factor`, each output pixel the rounded mean of a
/// `factor x factor` block (the last partial row and column of blocks is
/// dropped). Keeps `source_width`/`source_height`; multiplies `block`; a
/// factor of 1 changes nothing.
pub(crate) fn area_average(image: Decoded, factor: usize) -> Decoded {
    if factor <= 1 {
        return image;
    }
    let c = image.pixels.channels();
    let (ow, oh, out) = block_average(image.pixels.as_slice(), image.width, c, factor);
    Decoded {
        width: ow,
        height: oh,
        source_width: image.source_width,
        source_height: image.source_height,
        block: image.block * factor,
        pixels: image.pixels.with_values(out),
    }
}

/// [`area_average`] of a full-size image held elsewhere (`channels` values
/// per pixel: 1, 3 or 4), without copying it first.
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(crate) fn area_average_borrowed(
    src: &[u8],
    width: usize,
    height: usize,
    channels: usize,
    factor: usize,
) -> Decoded {
    let pixels = |values| match channels {
        1 => PixelData::Gray(values),
        3 => PixelData::Rgb(values),
        _ => PixelData::Rgba(values),
    };
    let factor = factor.max(1);
    let (w, h, values) = match factor {
        1 => (width, height, src.to_vec()),
        _ => block_average(src, width, channels, factor),
    };
    Decoded {
        width: w,
        height: h,
        source_width: width,
        source_height: height,
        block: factor,
        pixels: pixels(values),
    }
}

/// The rounded means of `factor x factor` blocks of `src` (rows of `width`
/// pixels of `c` values); partial blocks dropped. Returns the output's
/// width, height and values.
fn block_average(src: &[u8], width: usize, c: usize, factor: usize) -> (usize, usize, Vec<u8>) {
    let height = src.len() / (width * c).max(1);
    let (ow, oh) = (width / factor, height / factor);
    let area = (factor * factor) as u32;
    let mut out = vec![0u8; ow * oh * c];
    // Each output row: the block rows summed column by column (a loop the
    // compiler vectorises), then each block's columns summed.
    let mut columns = vec![0u32; ow * factor * c];
    let means = RoundedMean::new(area);
    for (oy, out_row) in out.chunks_exact_mut(ow * c).enumerate() {
        columns.fill(0);
        for y in oy * factor..(oy + 1) * factor {
            let row = &src[y * width * c..][..ow * factor * c];
            for (a, &v) in columns.iter_mut().zip(row) {
                *a += u32::from(v);
            }
        }
        match c {
            1 => block_means::<1>(&columns, factor, &means, out_row),
            3 => block_means::<3>(&columns, factor, &means, out_row),
            // PixelData has 1, 3 or 4 channels.
            _ => block_means::<4>(&columns, factor, &means, out_row),
        }
    }
    (ow, oh, out)
}

/// `(sum + area / 2) / area` for sums of `area` 8-bit samples, by a
/// multiplication: `floor(2^40 / area) + 1` is off from `2^40 / area` by
/// less than 1, so the product is off from `x * 2^40 / area` by less than
/// `x`, and `x < 2^40 / area` (x is at most `256 * area` and area below
/// `2^16`) keeps that under one step of the quotient. Larger areas divide.
struct RoundedMean {
    area: u32,
    reciprocal: u64,
}

impl RoundedMean {
    const SHIFT: u32 = 40;

    fn new(area: u32) -> RoundedMean {
        RoundedMean {
            area,
            reciprocal: (1u64 << Self::SHIFT) / u64::from(area.max(1)) + 1,
        }
    }

    #[inline(always)]
    fn of(&self, sum: u32) -> u8 {
        let x = sum + self.area / 2;
        if self.area < 1 << 16 {
            ((u64::from(x) * self.reciprocal) >> Self::SHIFT) as u8
        } else {
            (x / self.area) as u8
        }
    }
}

/// The rounded mean of each run of `factor` pixels of `C` channels in the
/// column sums of one output row.
fn block_means<const C: usize>(
    columns: &[u32],
    factor: usize,
    means: &RoundedMean,
    out: &mut [u8],
) {
    for (block, px) in columns
        .chunks_exact(factor * C)
        .zip(out.chunks_exact_mut(C))
    {
        let mut acc = [0u32; C];
        for sample in block.chunks_exact(C) {
            for (a, &v) in acc.iter_mut().zip(sample) {
                *a += v;
            }
        }
        for (o, a) in px.iter_mut().zip(acc) {
            *o = means.of(a);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sixteen_bit_samples_scale_with_rounding() {
        assert_eq!(scale_16_to_8(0), 0);
        assert_eq!(scale_16_to_8(65535), 255);
        assert_eq!(scale_16_to_8(257), 1);
        assert_eq!(scale_16_to_8(128), 0);
        assert_eq!(scale_16_to_8(129), 1);
        // Neither the low byte (0x34) nor the high byte (0x12) of 0x1234.
        assert_eq!(scale_16_to_8(0x1234), 18);
        assert_eq!(scale_16_to_8(0x12ff), 19);
    }

    #[test]
    fn rounded_means_by_multiplication_equal_division() {
        for factor in 1..=40u32 {
            let area = factor * factor;
            let means = RoundedMean::new(area);
            for sum in 0..=255 * area {
                assert_eq!(
                    means.of(sum),
                    ((sum + area / 2) / area) as u8,
                    "{sum}/{area}"
                );
            }
        }
        let big = RoundedMean::new(300 * 300);
        assert_eq!(big.of(255 * 300 * 300), 255);
    }

    #[test]
    fn area_average_takes_block_means() {
        // 5x4 grey, factor 2 -> 2x2; the fifth column is dropped.
        let values: Vec<u8> = (0..20).map(|i| (i * 10) as u8).collect();
        let image = Decoded::full(5, 4, PixelData::Gray(values));
        let small = area_average(image, 2);
        assert_eq!((small.width, small.height), (2, 2));
        assert_eq!((small.source_width, small.source_height), (5, 4));
        // Block (0,0): 0, 10, 50, 60 -> 30.
        assert_eq!(small.pixels, PixelData::Gray(vec![30, 50, 130, 150]));
    }
}

//! JPEG: the full decode (zune-jpeg, strict) and the decode scaled in the
//! DCT domain (jpeg-decoder's reduced IDCT, 1/2, 1/4 or 1/8).

use zune_core::bytestream::ZCursor;
use zune_core::colorspace::ColorSpace;
use zune_core::options::DecoderOptions;

use crate::error::ErrorKind;
use crate::pixels::{scale_16_to_8, Decoded, PixelData};

const FORMAT: &str = "JPEG";

/// The largest side a JPEG can state.
const MAX_JPEG_SIDE: usize = u16::MAX as usize;

fn corrupt(detail: impl ToString) -> ErrorKind {
    ErrorKind::Corrupt {
        format: FORMAT,
        detail: detail.to_string(),
    }
}

fn options() -> DecoderOptions {
    DecoderOptions::default()
        .set_strict_mode(true)
        .set_max_width(MAX_JPEG_SIDE)
        .set_max_height(MAX_JPEG_SIDE)
}

/// Width and height from the frame header, without decoding.
pub(crate) fn dimensions(bytes: &[u8]) -> Result<(usize, usize), ErrorKind> {
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options());
    decoder.decode_headers().map_err(corrupt)?;
    decoder
        .dimensions()
        .ok_or_else(|| corrupt("no frame header"))
}

/// Decodes at full size. Grey JPEGs stay one channel (their luma is the grey
/// value); colour ones, CMYK and YCCK included, become RGB.
pub(crate) fn decode_full(bytes: &[u8]) -> Result<Decoded, ErrorKind> {
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(ZCursor::new(bytes), options());
    decoder.decode_headers().map_err(corrupt)?;
    let gray = decoder.input_colorspace() == Some(ColorSpace::Luma);
    let out = if gray {
        ColorSpace::Luma
    } else {
        ColorSpace::RGB
    };
    let mut decoder = zune_jpeg::JpegDecoder::new_with_options(
        ZCursor::new(bytes),
        options().jpeg_set_out_colorspace(out),
    );
    let values = decoder.decode().map_err(corrupt)?;
    let (w, h) = decoder
        .dimensions()
        .ok_or_else(|| corrupt("no frame header"))?;
    let pixels = if gray {
        PixelData::Gray(values)
    } else {
        PixelData::Rgb(values)
    };
    Ok(Decoded::full(w, h, pixels))
}

/// Decodes at `1/denominator` of the size (denominator 1, 2, 4 or 8) with a
/// reduced IDCT: each 8x8 block yields `8/denominator` pixels a side
/// without ever being decoded at full size.
pub(crate) fn decode_scaled(bytes: &[u8], denominator: usize) -> Result<Decoded, ErrorKind> {
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().map_err(corrupt)?;
    let info = decoder.info().ok_or_else(|| corrupt("no frame header"))?;
    let (sw, sh) = (usize::from(info.width), usize::from(info.height));
    let request = |side: usize| side.div_ceil(denominator).max(1) as u16;
    let (w, h) = decoder.scale(request(sw), request(sh)).map_err(corrupt)?;
    let values = decoder.decode().map_err(corrupt)?;
    let info = decoder.info().ok_or_else(|| corrupt("no frame header"))?;
    let pixels = match info.pixel_format {
        jpeg_decoder::PixelFormat::L8 => PixelData::Gray(values),
        jpeg_decoder::PixelFormat::RGB24 => PixelData::Rgb(values),
        jpeg_decoder::PixelFormat::L16 => PixelData::Gray(
            values
                .chunks_exact(2)
                .map(|b| scale_16_to_8(u16::from_be_bytes([b[0], b[1]])))
                .collect(),
        ),
        jpeg_decoder::PixelFormat::CMYK32 => PixelData::Rgb(
            values
                .chunks_exact(4)
                .flat_map(|p| {
                    let k = u32::from(p[3]);
                    // Ink to light: each channel times the light the black
                    // ink lets through.
                    [p[0], p[1], p[2]].map(|c| ((255 - u32::from(c)) * (255 - k) / 255) as u8)
                })
                .collect(),
        ),
    };
    let expected = usize::from(w) * usize::from(h) * pixels.channels();
    if pixels.as_slice().len() != expected {
        return Err(corrupt("decoded size does not match the header"));
    }
    Ok(Decoded {
        width: usize::from(w),
        height: usize::from(h),
        source_width: sw,
        source_height: sh,
        pixels,
    })
}

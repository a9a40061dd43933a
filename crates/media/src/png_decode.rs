//! PNG decoded row by row straight into the 8-bit pixels that are hashed.
//!
//! The `image` crate decodes a whole PNG at its stored depth first: a
//! 16-bit RGBA file of 100 megapixels takes 800 MB before it is scaled to
//! 8 bits and its alpha dropped, and a file of under a megabyte can hold
//! such an image. Here each row is scaled (16 to 8 bits, rounding as
//! [`scale_16_to_8`]) and stripped of alpha as it arrives, so the only
//! full-size buffer is the one hashed: 3 bytes a pixel at most. The pixels
//! are those of the `image` crate's decoding followed by
//! [`crate::pixels::from_dynamic`], bit for bit.

use std::io::Cursor;

use png::{ColorType, Decoder, InterlaceInfo, Transformations};

use crate::error::ErrorKind;
use crate::pixels::{scale_16_to_8, Decoded, PixelData};

const FORMAT: &str = "PNG";

fn corrupt(err: png::DecodingError) -> ErrorKind {
    match err {
        png::DecodingError::LimitsExceeded => ErrorKind::Unsupported {
            format: FORMAT,
            detail: "decoding would exceed the memory limit".into(),
        },
        other => ErrorKind::Corrupt {
            format: FORMAT,
            detail: other.to_string(),
        },
    }
}

/// Decodes the first frame of the PNG in `bytes` into 8-bit grey or RGB,
/// alpha dropped. `max_alloc` bounds the decoder's own buffers.
pub(crate) fn decode(bytes: &[u8], max_alloc: usize) -> Result<Decoded, ErrorKind> {
    let mut decoder =
        Decoder::new_with_limits(Cursor::new(bytes), png::Limits { bytes: max_alloc });
    // Palettes, tRNS and depths under 8 bits expanded to 8 bits, as the
    // `image` crate asks; 16-bit samples stay 16-bit and are scaled here.
    decoder.set_transformations(Transformations::EXPAND);
    let mut reader = decoder.read_info().map_err(corrupt)?;
    let (width, height) = {
        let info = reader.info();
        (info.width as usize, info.height as usize)
    };
    let (color, depth) = reader.output_color_type();
    let samples = color.samples();
    let sample_bytes = if depth == png::BitDepth::Sixteen {
        2
    } else {
        1
    };
    // Grey with or without alpha is kept as grey, colour as RGB.
    let kept = match color {
        ColorType::Grayscale | ColorType::GrayscaleAlpha => 1,
        ColorType::Rgb | ColorType::Rgba | ColorType::Indexed => 3,
    };
    if samples < kept {
        return Err(ErrorKind::Unsupported {
            format: FORMAT,
            detail: format!("{color:?} output after expansion"),
        });
    }
    let stride = width * kept;
    let size = stride.checked_mul(height).ok_or(ErrorKind::Unsupported {
        format: FORMAT,
        detail: "the image is too large to hold".into(),
    })?;
    let mut out = vec![0u8; size];
    let mut row8 = Vec::with_capacity(stride);
    let mut next_line = 0usize;
    while let Some(row) = reader.next_interlaced_row().map_err(corrupt)? {
        let interlace = *row.interlace();
        let data = row.data();
        row8.clear();
        for pixel in data.chunks_exact(samples * sample_bytes) {
            for sample in pixel.chunks_exact(sample_bytes).take(kept) {
                row8.push(match sample {
                    [high, low] => scale_16_to_8(u16::from_be_bytes([*high, *low])),
                    [value] => *value,
                    _ => unreachable!("one or two bytes a sample"),
                });
            }
        }
        match interlace {
            InterlaceInfo::Adam7(info) => {
                png::expand_interlaced_row(&mut out, stride, &row8, &info, (kept * 8) as u8);
            }
            InterlaceInfo::Null(_) => {
                let start = next_line * stride;
                let Some(line) = out.get_mut(start..start + stride) else {
                    return Err(ErrorKind::Corrupt {
                        format: FORMAT,
                        detail: "more rows than the header states".into(),
                    });
                };
                if row8.len() != stride {
                    return Err(ErrorKind::Corrupt {
                        format: FORMAT,
                        detail: "a row of the wrong length".into(),
                    });
                }
                line.copy_from_slice(&row8);
                next_line += 1;
            }
        }
    }
    let pixels = if kept == 1 {
        PixelData::Gray(out)
    } else {
        PixelData::Rgb(out)
    };
    Ok(Decoded::full(width, height, pixels))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::from_dynamic;

    fn encode(
        width: u32,
        height: u32,
        color: ColorType,
        depth: png::BitDepth,
        data: &[u8],
        interlaced: bool,
    ) -> Vec<u8> {
        if interlaced {
            return adam7(width, height, color, depth, data);
        }
        let mut bytes = Vec::new();
        {
            let mut encoder = png::Encoder::new(&mut bytes, width, height);
            encoder.set_color(color);
            encoder.set_depth(depth);
            if color == ColorType::Indexed {
                let palette: Vec<u8> = (0..=255u8).flat_map(|i| [i, 255 - i, i / 2]).collect();
                encoder.set_palette(palette);
                encoder.set_trns(vec![128u8; 16]);
            }
            let mut writer = encoder.write_header().unwrap();
            writer.write_image_data(data).unwrap();
        }
        bytes
    }

    /// An interlaced PNG (Adam7, every row unfiltered) of byte-aligned
    /// pixels, which the `png` crate's encoder does not write.
    fn adam7(
        width: u32,
        height: u32,
        color: ColorType,
        depth: png::BitDepth,
        data: &[u8],
    ) -> Vec<u8> {
        let bpp = color.samples() * (depth as usize) / 8;
        assert!(bpp >= 1 && depth as usize >= 8, "byte-aligned pixels only");
        let (w, h) = (width as usize, height as usize);
        let passes = [
            (0, 0, 8, 8),
            (4, 0, 8, 8),
            (0, 4, 4, 8),
            (2, 0, 4, 4),
            (0, 2, 2, 4),
            (1, 0, 2, 2),
            (0, 1, 1, 2),
        ];
        let mut raw = Vec::new();
        for (x0, y0, dx, dy) in passes {
            if x0 >= w || y0 >= h {
                continue;
            }
            for y in (y0..h).step_by(dy) {
                raw.push(0u8);
                for x in (x0..w).step_by(dx) {
                    let at = (y * w + x) * bpp;
                    raw.extend_from_slice(&data[at..at + bpp]);
                }
            }
        }
        let mut idat = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut idat, &raw).unwrap();
        let idat = idat.finish().unwrap();
        let mut ihdr = Vec::new();
        ihdr.extend_from_slice(&width.to_be_bytes());
        ihdr.extend_from_slice(&height.to_be_bytes());
        ihdr.extend_from_slice(&[depth as u8, color as u8, 0, 0, 1]);
        let mut file = b"\x89PNG\r\n\x1a\n".to_vec();
        for (kind, body) in [
            (b"IHDR", &ihdr[..]),
            (b"IDAT", &idat[..]),
            (b"IEND", &[][..]),
        ] {
            file.extend_from_slice(&(body.len() as u32).to_be_bytes());
            let start = file.len();
            file.extend_from_slice(kind);
            file.extend_from_slice(body);
            let crc = crc32fast::hash(&file[start..]);
            file.extend_from_slice(&crc.to_be_bytes());
        }
        file
    }

    /// The pixels the `image` crate gives for `bytes`, through the same
    /// conversion the other formats take.
    fn through_image(bytes: &[u8]) -> Decoded {
        let image = image::load_from_memory_with_format(bytes, image::ImageFormat::Png).unwrap();
        from_dynamic(image)
    }

    fn same(a: &Decoded, b: &Decoded) {
        assert_eq!((a.width, a.height), (b.width, b.height));
        let luma = |d: &Decoded| -> Vec<u8> {
            match &d.pixels {
                PixelData::Gray(v) => v.clone(),
                PixelData::Rgb(v) => v.clone(),
                PixelData::Rgba(v) => v.chunks_exact(4).flat_map(|p| [p[0], p[1], p[2]]).collect(),
            }
        };
        assert_eq!(luma(a), luma(b));
    }

    fn noise(len: usize, seed: u32) -> Vec<u8> {
        let mut state = seed.wrapping_mul(2_654_435_761).max(1);
        (0..len)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                (state >> 11) as u8
            })
            .collect()
    }

    #[test]
    fn every_color_type_and_depth_matches_the_image_crate() {
        use png::BitDepth::*;
        let (w, h) = (37u32, 23u32);
        let cases = [
            (ColorType::Grayscale, One, 1, 8),
            (ColorType::Grayscale, Two, 1, 4),
            (ColorType::Grayscale, Four, 1, 2),
            (ColorType::Grayscale, Eight, 1, 1),
            (ColorType::Grayscale, Sixteen, 2, 1),
            (ColorType::GrayscaleAlpha, Eight, 2, 1),
            (ColorType::GrayscaleAlpha, Sixteen, 4, 1),
            (ColorType::Rgb, Eight, 3, 1),
            (ColorType::Rgb, Sixteen, 6, 1),
            (ColorType::Rgba, Eight, 4, 1),
            (ColorType::Rgba, Sixteen, 8, 1),
            (ColorType::Indexed, Eight, 1, 1),
            (ColorType::Indexed, Four, 1, 2),
        ];
        for (i, (color, depth, bytes_per, pixels_per_byte)) in cases.into_iter().enumerate() {
            let row = (w as usize * bytes_per).div_ceil(pixels_per_byte);
            let mut data = noise(row * h as usize, i as u32 + 1);
            if color == ColorType::Indexed && depth == Eight {
                // Only palette entries that exist.
                data.iter_mut().for_each(|v| *v %= 255);
            }
            let aligned = depth == Eight || depth == Sixteen;
            for interlaced in [false, true] {
                if interlaced && (!aligned || color == ColorType::Indexed) {
                    continue;
                }
                let file = encode(w, h, color, depth, &data, interlaced);
                let ours = decode(&file, 1 << 30).unwrap();
                same(&ours, &through_image(&file));
            }
        }
    }

    #[test]
    fn the_test_pngs_decode_as_the_image_crate_decodes_them() {
        let root =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../shared/testdata");
        let mut seen = 0;
        for entry in walk(&root) {
            let bytes = std::fs::read(&entry).unwrap();
            if !bytes.starts_with(b"\x89PNG") {
                continue;
            }
            let Ok(image) = image::load_from_memory_with_format(&bytes, image::ImageFormat::Png)
            else {
                assert!(decode(&bytes, 1 << 30).is_err(), "{}", entry.display());
                continue;
            };
            same(&decode(&bytes, 1 << 30).unwrap(), &from_dynamic(image));
            seen += 1;
        }
        assert!(seen > 10, "only {seen} PNGs found under {}", root.display());
    }

    fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut out = Vec::new();
        let Ok(entries) = std::fs::read_dir(dir) else {
            return out;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                out.extend(walk(&path));
            } else if path
                .extension()
                .is_some_and(|e| e.eq_ignore_ascii_case("png"))
            {
                out.push(path);
            }
        }
        out
    }

    #[test]
    fn truncated_and_broken_files_are_errors() {
        let data = noise(64 * 64 * 3, 7);
        let file = encode(64, 64, ColorType::Rgb, png::BitDepth::Eight, &data, false);
        for cut in [8, 40, file.len() / 2, file.len() - 13] {
            assert!(decode(&file[..cut], 1 << 30).is_err(), "cut at {cut}");
        }
        let mut flipped = file.clone();
        let middle = flipped.len() / 2;
        flipped[middle] ^= 0x55;
        assert!(decode(&flipped, 1 << 30).is_err());
    }
}

//! Bytes to pixels: format sniffing, limits checked on the header, decoding.

use std::io::Cursor;

use image::{ImageFormat, ImageReader};

use crate::error::ErrorKind;
use crate::pixels::{area_average, from_dynamic, Decoded};

/// Default largest file accepted: 64 MiB.
pub const DEFAULT_MAX_FILE_BYTES: u64 = 64 * 1024 * 1024;

/// Default largest image accepted: 100 megapixels.
pub const DEFAULT_MAX_PIXELS: u64 = 100_000_000;

/// The longest side decoded, in pixels: the most a JPEG or a GIF can
/// state. Past it, an image costs far more than its pixels: PDQ's blur
/// keeps 64 values for every row, so a PNG of 23 KB stating 8 x 12,000,000
/// pixels (within the pixel limit) took 3 GB of memory and 16 s to hash
/// once, and a scan hashes an image some twenty times ([`crate::robust`]).
pub const MAX_SIDE: usize = 65_535;

/// Input limits, checked before anything is decoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Largest file size in bytes.
    pub max_file_bytes: u64,
    /// Largest width times height.
    pub max_pixels: u64,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_file_bytes: DEFAULT_MAX_FILE_BYTES,
            max_pixels: DEFAULT_MAX_PIXELS,
        }
    }
}

/// How pixels reach PDQ.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Pipeline {
    /// Full resolution, as Java, pip `pdqhash` (python-threatexchange, HMA)
    /// and vPDQ hash: the hashes other PDQ users hold.
    #[default]
    Canonical,
    /// Scale first, then hash: JPEGs are decoded at 1/2 or 1/8 size in the
    /// DCT domain, other formats are area-averaged by an integer factor,
    /// both keeping the aspect ratio and a short side of at least the
    /// floors below. Small images are hashed as they are. PDQ's blur is
    /// then computed for the file's size, on the scaled pixels
    /// ([`pdq::Image::reduced_from`]). Hashes land a few bits from the
    /// canonical ones.
    Fast,
}

/// The shortest side the fast pipeline scales an image down to, for
/// formats other than JPEG.
pub const FAST_MIN_SIDE: usize = 384;

/// The shortest side the fast pipeline decodes a JPEG down to at 1/2 size.
pub const FAST_MIN_SIDE_JPEG: usize = 250;

/// The shortest side the fast pipeline decodes a JPEG down to at 1/8 size,
/// where each pixel is a DCT block's mean (its DC term alone is decoded).
/// A short side of 960 px or more (a 1600x1004 photo, a phone photo) is
/// decoded so; a DCT block is then at most the reference's box window
/// (a 128th of the side).
///
/// These floors are measured, not derived: with them, 99% of the test
/// images land within 4 bits of their canonical hash, none beyond 8
/// (BENCHMARKS.md). Lower ones lose more: 120 px at 1/4 or 1/2 moves small
/// images by up to 38 bits.
pub const FAST_MIN_SIDE_JPEG_EIGHTH: usize = 120;

/// The image formats read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JPEG (baseline and progressive; grey, YCbCr, CMYK, YCCK).
    Jpeg,
    /// PNG, any bit depth; palettes and 1-bit expanded; 16-bit scaled to 8.
    Png,
    /// WebP, lossy and lossless.
    Webp,
    /// GIF, first frame.
    Gif,
    /// BMP.
    Bmp,
    /// TIFF (baseline).
    Tiff,
}

impl Format {
    /// The format of `bytes`, from their first bytes (never from a file name).
    pub fn sniff(bytes: &[u8]) -> Option<Format> {
        match image::guess_format(bytes).ok()? {
            ImageFormat::Jpeg => Some(Format::Jpeg),
            ImageFormat::Png => Some(Format::Png),
            ImageFormat::WebP => Some(Format::Webp),
            ImageFormat::Gif => Some(Format::Gif),
            ImageFormat::Bmp => Some(Format::Bmp),
            ImageFormat::Tiff => Some(Format::Tiff),
            _ => None,
        }
    }

    /// The format's name.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jpeg => "JPEG",
            Format::Png => "PNG",
            Format::Webp => "WebP",
            Format::Gif => "GIF",
            Format::Bmp => "BMP",
            Format::Tiff => "TIFF",
        }
    }

    fn image_format(self) -> ImageFormat {
        match self {
            Format::Jpeg => ImageFormat::Jpeg,
            Format::Png => ImageFormat::Png,
            Format::Webp => ImageFormat::WebP,
            Format::Gif => ImageFormat::Gif,
            Format::Bmp => ImageFormat::Bmp,
            Format::Tiff => ImageFormat::Tiff,
        }
    }
}

fn image_error(format: Format, err: image::ImageError) -> ErrorKind {
    match err {
        image::ImageError::Unsupported(e) => ErrorKind::Unsupported {
            format: format.name(),
            detail: e.to_string(),
        },
        image::ImageError::Limits(e) => ErrorKind::Unsupported {
            format: format.name(),
            detail: format!("decoding would exceed the memory limit ({e})"),
        },
        other => ErrorKind::Corrupt {
            format: format.name(),
            detail: other.to_string(),
        },
    }
}

/// The most a decoder may allocate: room for the largest accepted image at
/// 16-bit RGBA, plus the decoder's working buffers; the pixel limit itself
/// is checked on the header.
fn max_alloc(limits: &Limits) -> usize {
    let bytes = limits.max_pixels.saturating_mul(8).saturating_add(1 << 26);
    usize::try_from(bytes).unwrap_or(usize::MAX)
}

fn reader<'a>(bytes: &'a [u8], format: Format, limits: &Limits) -> ImageReader<Cursor<&'a [u8]>> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format.image_format());
    let mut decoder_limits = image::Limits::default();
    decoder_limits.max_alloc = Some(max_alloc(limits) as u64);
    reader.limits(decoder_limits);
    reader
}

/// Width and height as the header states them.
pub fn dimensions(
    bytes: &[u8],
    format: Format,
    limits: &Limits,
) -> Result<(usize, usize), ErrorKind> {
    match format {
        Format::Jpeg => Ok(jpeg::dimensions(bytes)?),
        _ => {
            let (w, h) = reader(bytes, format, limits)
                .into_dimensions()
                .map_err(|e| image_error(format, e))?;
            Ok((w as usize, h as usize))
        }
    }
}

fn check_pixels(width: usize, height: usize, limits: &Limits) -> Result<(), ErrorKind> {
    let pixels = (width as u64).saturating_mul(height as u64);
    if pixels > limits.max_pixels {
        return Err(ErrorKind::TooManyPixels {
            width: width as u64,
            height: height as u64,
            pixels,
            limit: limits.max_pixels,
        });
    }
    Ok(())
}

/// Refuses an image with a side over [`MAX_SIDE`].
fn check_side(width: usize, height: usize, format: Format) -> Result<(), ErrorKind> {
    if width.max(height) > MAX_SIDE {
        return Err(ErrorKind::Unsupported {
            format: format.name(),
            detail: format!(
                "the image is {width}x{height}: sides over {MAX_SIDE} pixels are not decoded"
            ),
        });
    }
    Ok(())
}

/// The fast pipeline's JPEG scale denominator: 8 when that leaves
/// [`FAST_MIN_SIDE_JPEG_EIGHTH`] on the short side, else 2 when that
/// leaves [`FAST_MIN_SIDE_JPEG`], else 1. (1/4 would leave 250 px only from
/// a short side of 1,000 px, where 1/8 is already taken.)
fn jpeg_denominator(width: usize, height: usize) -> usize {
    let short = width.min(height);
    if short / 8 >= FAST_MIN_SIDE_JPEG_EIGHTH {
        8
    } else if short / 2 >= FAST_MIN_SIDE_JPEG {
        2
    } else {
        1
    }
}

/// The fast pipeline's area-average factor: the largest integer that keeps
/// the short side at or above [`FAST_MIN_SIDE`] (1 if none).
fn area_factor(width: usize, height: usize) -> usize {
    (width.min(height) / FAST_MIN_SIDE).max(1)
}

/// A still WebP image through libwebp, where it is built, area-averaged
/// for the fast pipeline; `None` for other formats and for what libwebp
/// does not decode (animations, broken files), which the `image` crate
/// then reads or words the error of.
fn decode_webp(bytes: &[u8], format: Format, pipeline: Pipeline) -> Option<Decoded> {
    #[cfg(not(target_arch = "wasm32"))]
    if format == Format::Webp {
        return crate::webp::decode(bytes, |w, h| match pipeline {
            Pipeline::Canonical => 1,
            Pipeline::Fast => area_factor(w, h),
        });
    }
    let _ = (bytes, format, pipeline);
    None
}

/// Images of more pixels than this are decoded one at a time in a process
/// (a 16-megapixel photo still decodes on every core at once): a decoder's
/// working buffers for the largest accepted image can take several times
/// its 8-bit size, and a small file can state a huge image.
pub const LARGE_PIXELS: u64 = 16_000_000;

/// The turn of one decoding of a large image; the next one waits until it
/// is dropped.
struct LargeTurn;

#[cfg(not(target_arch = "wasm32"))]
static LARGE_BUSY: (std::sync::Mutex<bool>, std::sync::Condvar) =
    (std::sync::Mutex::new(false), std::sync::Condvar::new());

impl LargeTurn {
    /// Waits for the turn when `pixels` is over [`LARGE_PIXELS`].
    fn take(pixels: u64) -> Option<LargeTurn> {
        #[cfg(not(target_arch = "wasm32"))]
        if pixels > LARGE_PIXELS {
            let (busy, free) = &LARGE_BUSY;
            let mut busy = busy.lock().unwrap_or_else(|e| e.into_inner());
            while *busy {
                busy = free.wait(busy).unwrap_or_else(|e| e.into_inner());
            }
            *busy = true;
            return Some(LargeTurn);
        }
        let _ = pixels;
        None
    }
}

impl Drop for LargeTurn {
    fn drop(&mut self) {
        #[cfg(not(target_arch = "wasm32"))]
        {
            let (busy, free) = &LARGE_BUSY;
            *busy.lock().unwrap_or_else(|e| e.into_inner()) = false;
            free.notify_one();
        }
    }
}

/// Decodes `bytes` for hashing through `pipeline`, refusing them before
/// decoding if they break `limits`. Images over [`LARGE_PIXELS`] wait for
/// each other.
pub fn decode(bytes: &[u8], limits: &Limits, pipeline: Pipeline) -> Result<Decoded, ErrorKind> {
    let _turn = LargeTurn::take(stated_pixels(bytes, limits));
    decode_in_turn(bytes, limits, pipeline)
}

/// The number of pixels the header of `bytes` states (0 when it can't be
/// read; decoding then says why).
fn stated_pixels(bytes: &[u8], limits: &Limits) -> u64 {
    Format::sniff(bytes)
        .and_then(|format| dimensions(bytes, format, limits).ok())
        .map_or(0, |(w, h)| w as u64 * h as u64)
}

/// Runs `work` (decoding and hashing an image) in its turn: after every
/// other large image's work has ended when `bytes` states over
/// [`LARGE_PIXELS`], at once otherwise.
pub(crate) fn in_turn<T>(bytes: &[u8], limits: &Limits, work: impl FnOnce() -> T) -> T {
    let _turn = LargeTurn::take(stated_pixels(bytes, limits));
    work()
}

/// [`decode`] without waiting for a turn (the caller holds it).
pub(crate) fn decode_in_turn(
    bytes: &[u8],
    limits: &Limits,
    pipeline: Pipeline,
) -> Result<Decoded, ErrorKind> {
    if bytes.is_empty() {
        return Err(ErrorKind::Empty);
    }
    if bytes.len() as u64 > limits.max_file_bytes {
        return Err(ErrorKind::FileTooLarge {
            size: bytes.len() as u64,
            limit: limits.max_file_bytes,
        });
    }
    let format = Format::sniff(bytes).ok_or(ErrorKind::NotAnImage)?;
    let (width, height) = dimensions(bytes, format, limits)?;
    check_pixels(width, height, limits)?;
    check_side(width, height, format)?;
    if width == 0 || height == 0 {
        return Err(ErrorKind::Corrupt {
            format: format.name(),
            detail: format!("the header states a {width}x{height} image"),
        });
    }
    let decoded = match (format, pipeline) {
        (Format::Jpeg, Pipeline::Canonical) => jpeg::decode_full(bytes)?.into(),
        (Format::Jpeg, Pipeline::Fast) => {
            let scaled: Decoded =
                jpeg::decode_for_hash(bytes, jpeg_denominator(width, height))?.into();
            let factor = area_factor(scaled.width, scaled.height);
            area_average(scaled, factor)
        }
        (Format::Png, pipeline) => {
            let full = crate::png_decode::decode(bytes, max_alloc(limits))?;
            match pipeline {
                Pipeline::Canonical => full,
                Pipeline::Fast => {
                    let factor = area_factor(full.width, full.height);
                    area_average(full, factor)
                }
            }
        }
        (_, pipeline) => match decode_webp(bytes, format, pipeline) {
            Some(decoded) => decoded,
            None => {
                let image = reader(bytes, format, limits)
                    .decode()
                    .map_err(|e| image_error(format, e))?;
                let full = from_dynamic(image);
                match pipeline {
                    Pipeline::Canonical => full,
                    Pipeline::Fast => {
                        let factor = area_factor(full.width, full.height);
                        area_average(full, factor)
                    }
                }
            }
        },
    };
    if (decoded.source_width, decoded.source_height) != (width, height) {
        return Err(ErrorKind::Corrupt {
            format: format.name(),
            detail: "the decoded size does not match the header".into(),
        });
    }
    Ok(decoded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jpeg_scale_keeps_the_short_side_above_the_floor() {
        assert_eq!(jpeg_denominator(4032, 3024), 8);
        assert_eq!(jpeg_denominator(1600, 1004), 8);
        assert_eq!(jpeg_denominator(1600, 959), 2);
        assert_eq!(jpeg_denominator(640, 500), 2);
        assert_eq!(jpeg_denominator(640, 499), 1);
        assert_eq!(jpeg_denominator(3000, 9000), 8);
        for short in 1..3000 {
            let d = jpeg_denominator(4000, short);
            let floor = if d == 8 {
                FAST_MIN_SIDE_JPEG_EIGHTH
            } else {
                FAST_MIN_SIDE_JPEG
            };
            assert!(d == 1 || short / d >= floor, "{short}: {d}");
        }
    }

    #[test]
    fn large_images_take_turns_and_small_ones_do_not_wait() {
        use std::sync::atomic::{AtomicUsize, Ordering};
        use std::sync::Arc;
        let inside = Arc::new(AtomicUsize::new(0));
        let most = Arc::new(AtomicUsize::new(0));
        let threads: Vec<_> = (0..6)
            .map(|_| {
                let (inside, most) = (inside.clone(), most.clone());
                std::thread::spawn(move || {
                    for _ in 0..20 {
                        let _turn = LargeTurn::take(LARGE_PIXELS + 1);
                        let now = inside.fetch_add(1, Ordering::SeqCst) + 1;
                        most.fetch_max(now, Ordering::SeqCst);
                        std::thread::yield_now();
                        inside.fetch_sub(1, Ordering::SeqCst);
                    }
                })
            })
            .collect();
        // A small image is never held up by a large one's turn.
        let held = LargeTurn::take(LARGE_PIXELS + 1);
        assert!(LargeTurn::take(LARGE_PIXELS).is_none());
        drop(held);
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(most.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn area_factor_keeps_the_short_side_above_the_floor() {
        assert_eq!(area_factor(1920, 1080), 2);
        assert_eq!(area_factor(4032, 3024), 7);
        assert_eq!(area_factor(640, 480), 1);
        for (w, h) in [(4032, 3024), (1000, 300), (800, 800), (3000, 9000)] {
            let short = w.min(h) / area_factor(w, h);
            assert!(short >= FAST_MIN_SIDE || area_factor(w, h) == 1, "{w}x{h}");
            assert!(short < 2 * FAST_MIN_SIDE, "{w}x{h}");
        }
    }
}

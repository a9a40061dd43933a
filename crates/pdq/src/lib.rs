//! PDQ perceptual hashing on pixel buffers, bit for bit as Meta's reference.
//!
//! PDQ turns an image into a 256-bit hash that changes little when the image
//! is re-encoded, resized or slightly edited: luma, a two-pass box blur
//! ("Jarosz" tent filter) down to 64x64, a 16x16 DCT, and one bit per
//! coefficient above the median. Two images whose hashes differ in at most
//! 31 bits are taken to be the same picture.
//!
//! This crate is only the computation: it takes decoded pixels and knows
//! nothing of files, threads or formats (`hashbank-media` decodes files). It
//! gives exactly the hashes and qualities of the C++ reference
//! (`facebook/ThreatExchange`, `pdq/cpp`) on the same pixels, and the eight
//! dihedral hashes from one DCT. It builds for `wasm32-unknown-unknown`.
//!
//! ```
//! use pdq::{Image, hash};
//!
//! // A 64x48 horizontal gradient.
//! let (w, h) = (64, 48);
//! let pixels: Vec<u8> = (0..w * h).map(|i| ((i % w) * 4) as u8).collect();
//! let image = Image::gray(w, h, &pixels).unwrap();
//! let result = hash(&image);
//! assert_eq!(result.hash.to_hex().len(), 64);
//! assert!(result.quality <= 100);
//! ```

mod bits;
mod dct;
mod downscale;
mod hash;
mod quality;
mod reduced;

pub use bits::Dihedral;
pub use hash::{Hash256, ParseHashError};

use downscale::LumaSource;

/// Images smaller than this on either side hash to zero with quality 0
/// (`MIN_HASHABLE_DIM` in the reference).
pub const MIN_HASHABLE_DIM: usize = 5;

/// The reference's advice: hashes of quality below this are too unreliable
/// to match on (`pdq/README.md`, python-threatexchange `QUALITY_THRESHOLD`).
pub const QUALITY_THRESHOLD: u8 = 50;

/// Two hashes at most this far apart are a match (`pdq/README.md`).
pub const MATCH_DISTANCE: u32 = 31;

/// The pixel layouts PDQ accepts.
#[derive(Debug, Clone, Copy)]
pub enum Pixels<'a> {
    /// 8-bit red, green, blue, interleaved.
    Rgb(&'a [u8]),
    /// 8-bit red, green, blue, alpha, interleaved. Alpha is ignored, as the
    /// reference drops it.
    Rgba(&'a [u8]),
    /// 8-bit grey. Its luma is the grey value itself, as the reference does
    /// for one-channel images.
    Gray(&'a [u8]),
    /// Luma already computed, one f32 per pixel.
    Luma(&'a [f32]),
}

/// A borrowed image: size and pixels, row-major, no padding between rows.
#[derive(Debug, Clone, Copy)]
pub struct Image<'a> {
    width: usize,
    height: usize,
    pixels: Pixels<'a>,
    source: Option<Source>,
}

/// The larger image a reduced one stands for (see [`Image::reduced_from`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Source {
    width: usize,
    height: usize,
    block: usize,
}

/// Why a buffer cannot be hashed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PdqError {
    /// The buffer length does not match the stated size.
    #[error("a {width}x{height} image with {channels} values per pixel needs {expected} values, the buffer has {actual}")]
    BufferSize {
        /// Stated width.
        width: usize,
        /// Stated height.
        height: usize,
        /// Values per pixel.
        channels: usize,
        /// Values the size calls for.
        expected: usize,
        /// Values in the buffer.
        actual: usize,
    },
    /// A reduced image's size does not fit its source's size and block.
    #[error(
        "a {width}x{height} image is not a {source_width}x{source_height} one reduced by {block}"
    )]
    ReducedSize {
        /// Width of the reduced image.
        width: usize,
        /// Height of the reduced image.
        height: usize,
        /// Width of the source.
        source_width: usize,
        /// Height of the source.
        source_height: usize,
        /// Source pixels per reduced pixel along each side.
        block: usize,
    },
}

impl<'a> Image<'a> {
    /// An image of the given size and pixels; fails if the buffer length does
    /// not match.
    pub fn new(width: usize, height: usize, pixels: Pixels<'a>) -> Result<Image<'a>, PdqError> {
        let (channels, actual) = match pixels {
            Pixels::Rgb(d) => (3, d.len()),
            Pixels::Rgba(d) => (4, d.len()),
            Pixels::Gray(d) => (1, d.len()),
            Pixels::Luma(d) => (1, d.len()),
        };
        let expected = width
            .checked_mul(height)
            .and_then(|n| n.checked_mul(channels));
        if expected != Some(actual) {
            return Err(PdqError::BufferSize {
                width,
                height,
                channels,
                expected: expected.unwrap_or(usize::MAX),
                actual,
            });
        }
        Ok(Image {
            width,
            height,
            pixels,
            source: None,
        })
    }

    /// An RGB image (3 bytes per pixel).
    pub fn rgb(width: usize, height: usize, data: &'a [u8]) -> Result<Image<'a>, PdqError> {
        Image::new(width, height, Pixels::Rgb(data))
    }

    /// An RGBA image (4 bytes per pixel; alpha ignored).
    pub fn rgba(width: usize, height: usize, data: &'a [u8]) -> Result<Image<'a>, PdqError> {
        Image::new(width, height, Pixels::Rgba(data))
    }

    /// A grey image (1 byte per pixel).
    pub fn gray(width: usize, height: usize, data: &'a [u8]) -> Result<Image<'a>, PdqError> {
        Image::new(width, height, Pixels::Gray(data))
    }

    /// Width in pixels.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Height in pixels.
    pub fn height(&self) -> usize {
        self.height
    }

    /// The pixels.
    pub fn pixels(&self) -> Pixels<'a> {
        self.pixels
    }

    /// This image as the reduced copy of a `width x height` source, each of
    /// its pixels the mean of a `block x block` square of the source (a
    /// JPEG decoded at 1/8 size, an area-averaged image). It is then hashed
    /// as the source would be, except that detail within a block is lost:
    /// the reference's blur is computed at the source's size, with its
    /// weights summed over each block (not run on the reduced pixels as an
    /// image of their own size). The hash lands a few bits from the
    /// source's; the source's size also decides whether it is too small to
    /// hash. The image must have `ceil(width / block)` or `width / block`
    /// columns (a partial last block dropped), and likewise rows.
    pub fn reduced_from(
        self,
        width: usize,
        height: usize,
        block: usize,
    ) -> Result<Image<'a>, PdqError> {
        let fits = |reduced: usize, full: usize| {
            block >= 1
                && reduced >= 1
                && (reduced == full.div_ceil(block) || reduced == full / block)
        };
        if !fits(self.width, width) || !fits(self.height, height) {
            return Err(PdqError::ReducedSize {
                width: self.width,
                height: self.height,
                source_width: width,
                source_height: height,
                block,
            });
        }
        Ok(Image {
            source: (block > 1).then_some(Source {
                width,
                height,
                block,
            }),
            ..self
        })
    }

    fn luma_source(&self) -> LumaSource<'a> {
        match self.pixels {
            Pixels::Rgb(data) => LumaSource::Rgb { data, channels: 3 },
            Pixels::Rgba(data) => LumaSource::Rgb { data, channels: 4 },
            Pixels::Gray(data) => LumaSource::Gray(data),
            Pixels::Luma(data) => LumaSource::Float(data),
        }
    }

    fn too_small(&self) -> bool {
        let (width, height) = self
            .source
            .map_or((self.width, self.height), |s| (s.width, s.height));
        width < MIN_HASHABLE_DIM || height < MIN_HASHABLE_DIM
    }
}

/// A PDQ hash with its quality (0..=100).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PdqHash {
    /// The 256-bit hash.
    pub hash: Hash256,
    /// How much detail the image has; below [`QUALITY_THRESHOLD`] the hash
    /// is not reliable.
    pub quality: u8,
}

/// The eight dihedral hashes of one image and their shared quality.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DihedralHashes {
    /// Hashes in the order of [`Dihedral::ALL`].
    pub hashes: [Hash256; 8],
    /// Quality, shared by all eight.
    pub quality: u8,
}

impl DihedralHashes {
    /// The hash of one transform.
    pub fn get(&self, transform: Dihedral) -> Hash256 {
        self.hashes[transform as usize]
    }
}

/// The 64x64 downscaled luma, its quality and its 16x16 DCT.
fn transform(image: &Image<'_>, copy_exact_64: bool) -> ([[f32; 16]; 16], u8) {
    let source = image.luma_source();
    let small = if let Some(full) = image.source {
        reduced::blur_and_decimate_reduced(
            source,
            image.height,
            image.width,
            full.height,
            full.width,
            full.block,
        )
    } else if copy_exact_64 && image.width == 64 && image.height == 64 {
        downscale::copy_64(source)
    } else {
        downscale::blur_and_decimate(source, image.height, image.width)
    };
    (dct::dct64_to_16(&small), quality::quality(&small))
}

/// The PDQ hash and quality of an image (`pdqHash256FromFloatLuma`).
///
/// Images under [`MIN_HASHABLE_DIM`] on a side give the zero hash and
/// quality 0. An image of exactly 64x64 is used as it is, without blurring,
/// as the reference does.
pub fn hash(image: &Image<'_>) -> PdqHash {
    if image.too_small() {
        return PdqHash {
            hash: Hash256::ZERO,
            quality: 0,
        };
    }
    let (dct, quality) = transform(image, true);
    PdqHash {
        hash: bits::to_bits(&dct),
        quality,
    }
}

/// The hashes of the image's eight rotations and mirrors, from one DCT
/// (`pdqDihedralHash256esFromFloatLuma`). Each hash is what [`hash`] gives
/// on the transformed image, up to float rounding.
///
/// As in the reference, this path blurs a 64x64 image too, so its original
/// hash may differ from [`hash`] on exactly 64x64 images.
pub fn hash_dihedral(image: &Image<'_>) -> DihedralHashes {
    if image.too_small() {
        return DihedralHashes {
            hashes: [Hash256::ZERO; 8],
            quality: 0,
        };
    }
    let (dct, quality) = transform(image, false);
    DihedralHashes {
        hashes: Dihedral::ALL.map(|t| bits::to_bits(&t.apply(&dct))),
        quality,
    }
}

/// [`hash`] and [`hash_dihedral`] together, sharing the work: the blur and
/// the DCT run once, except on an exactly 64x64 image, where the two
/// reference paths differ (see [`hash_dihedral`]).
pub fn hash_with_dihedral(image: &Image<'_>) -> (PdqHash, DihedralHashes) {
    let all = hash_dihedral(image);
    let plain = if image.width == 64 && image.height == 64 && image.source.is_none() {
        hash(image)
    } else {
        PdqHash {
            hash: all.hashes[0],
            quality: all.quality,
        }
    };
    (plain, all)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrong_buffer_size_is_refused() {
        let data = vec![0u8; 10];
        let err = Image::rgb(2, 2, &data).unwrap_err();
        assert!(err.to_string().contains("needs 12 values"), "{err}");
        assert!(Image::rgb(usize::MAX, 2, &data).is_err());
    }

    #[test]
    fn tiny_images_hash_to_zero() {
        let data = vec![200u8; 4 * 100];
        let result = hash(&Image::gray(4, 100, &data).unwrap());
        assert_eq!(
            result,
            PdqHash {
                hash: Hash256::ZERO,
                quality: 0
            }
        );
        let both = hash_dihedral(&Image::gray(100, 4, &data).unwrap());
        assert_eq!(both.hashes, [Hash256::ZERO; 8]);
        assert_eq!(both.quality, 0);
    }

    #[test]
    fn a_reduced_image_must_fit_its_source() {
        let data = vec![7u8; 200 * 126];
        let image = Image::gray(200, 126, &data).unwrap();
        // 1600x1004 at 1/8 keeps a partial last row of blocks: 126 rows.
        assert!(image.reduced_from(1600, 1004, 8).is_ok());
        assert!(image.reduced_from(1600, 1008, 8).is_ok());
        let err = image.reduced_from(1600, 1004, 4).unwrap_err();
        assert!(
            matches!(err, PdqError::ReducedSize { block: 4, .. }),
            "{err}"
        );
        assert!(image.reduced_from(1600, 1004, 0).is_err());
        assert!(image.reduced_from(1700, 1004, 8).is_err());
    }

    #[test]
    fn a_reduced_image_hashes_near_its_source_and_is_sized_by_it() {
        // A smooth pattern, and its means over 4x4 blocks.
        let (w, h) = (640, 480);
        let full: Vec<u8> = (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f32, (i / w) as f32);
                (128.0 + 100.0 * (x / 37.0).sin() * (y / 53.0).cos()) as u8
            })
            .collect();
        let reduced: Vec<u8> = (0..(w / 4) * (h / 4))
            .map(|i| {
                let (bx, by) = (i % (w / 4), i / (w / 4));
                let sum: u32 = (0..16)
                    .map(|k| u32::from(full[(by * 4 + k / 4) * w + bx * 4 + k % 4]))
                    .sum();
                ((sum + 8) / 16) as u8
            })
            .collect();
        let want = hash(&Image::gray(w, h, &full).unwrap());
        let small = Image::gray(w / 4, h / 4, &reduced).unwrap();
        let got = hash(&small.reduced_from(w, h, 4).unwrap());
        assert!(
            want.hash.distance(&got.hash) <= 4,
            "{}",
            want.hash.distance(&got.hash)
        );
        assert_eq!(
            got.hash,
            hash_dihedral(&small.reduced_from(w, h, 4).unwrap()).hashes[0]
        );
        // A 2x2 copy of a 8x8 source is not too small to hash.
        let tiny = Image::gray(2, 2, &[0, 255, 255, 0]).unwrap();
        assert_eq!(hash(&tiny).quality, 0);
        assert!(hash(&tiny.reduced_from(8, 8, 4).unwrap()).quality > 0);
    }

    #[test]
    fn rgba_ignores_alpha() {
        let (w, h) = (40, 30);
        let rgb: Vec<u8> = (0..w * h * 3).map(|i| (i * 31 % 251) as u8).collect();
        let rgba: Vec<u8> = rgb
            .chunks(3)
            .enumerate()
            .flat_map(|(k, p)| [p[0], p[1], p[2], (k * 13) as u8])
            .collect();
        assert_eq!(
            hash(&Image::rgb(w, h, &rgb).unwrap()),
            hash(&Image::rgba(w, h, &rgba).unwrap())
        );
    }

    #[test]
    fn mirrored_image_matches_its_flipy_variant() {
        let (w, h) = (96, 80);
        let img: Vec<u8> = (0..w * h)
            .map(|k| {
                let (x, y) = (k % w, k / w);
                ((x * x / 7 + y * 3 + (x * y) / 11) % 256) as u8
            })
            .collect();
        let mirrored: Vec<u8> = (0..w * h)
            .map(|k| img[(k / w) * w + (w - 1 - k % w)])
            .collect();
        let variants = hash_dihedral(&Image::gray(w, h, &img).unwrap());
        let direct = hash(&Image::gray(w, h, &mirrored).unwrap());
        assert!(variants.get(Dihedral::FlipY).distance(&direct.hash) <= 8);
        assert!(variants.get(Dihedral::Original).distance(&direct.hash) > 32);
    }
}

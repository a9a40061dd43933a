//! The working luma plane every derived hash is computed from, and the
//! rectangles cut out of it.
//!
//! PDQ reduces an image to luma before anything else, so every derived hash
//! (a trimmed picture, a crop, a picture found inside a screenshot) is the
//! PDQ hash of a rectangle of luma. Large images are first averaged down by
//! an integer factor: the derived hashes do not need to be bit for bit
//! canonical (only the plain hash does, and it is computed on the decoded
//! pixels), and PDQ's own blur throws the detail away anyway.

use pdq::{Dihedral, Hash256, PdqHash};

use crate::pixels::{Decoded, PixelData};

/// Images whose short side is at least twice this are averaged down by the
/// largest integer factor that keeps the short side at or above it. The
/// value is the fast pipeline's floor ([`crate::FAST_MIN_SIDE`]), where PDQ
/// hashes land within a few bits of full resolution (BENCHMARKS.md).
pub const WORK_MIN_SIDE: usize = crate::FAST_MIN_SIDE;

/// The most pixels a working plane holds: a plane larger than this is
/// averaged down further, past [`WORK_MIN_SIDE`]. Averaging by the short
/// side alone leaves a long thin image at nearly full size, to be hashed
/// some twenty times over: a WebP file of 255 bytes stating a 4,259,864 x
/// 16 pixel image took 37 s to give its query and bank hashes. Only images
/// more than 16 times as long as they are wide reach the bound (a plane
/// averaged by the short side keeps under `2 * WORK_MIN_SIDE` on that side),
/// so the hashes of every other image are unchanged.
pub(crate) const WORK_MAX_PIXELS: usize = 64 * WORK_MIN_SIDE * WORK_MIN_SIDE;

/// Luma weights exactly as PDQ's reference writes them (`0.299` etc. as
/// double literals rounded to float), so that hashing a luma plane gives the
/// hash of the pixels it came from.
const LUMA_R: f32 = 0.299_f64 as f32;
const LUMA_G: f32 = 0.587_f64 as f32;
const LUMA_B: f32 = 0.114_f64 as f32;

/// A rectangle of a plane, in pixels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rect {
    /// Left column.
    pub x: usize,
    /// Top row.
    pub y: usize,
    /// Width.
    pub width: usize,
    /// Height.
    pub height: usize,
}

impl Rect {
    /// The whole of a `width` x `height` plane.
    pub fn full(width: usize, height: usize) -> Rect {
        Rect {
            x: 0,
            y: 0,
            width,
            height,
        }
    }

    /// The sub-rectangle that keeps the fractions `left..right` of the width
    /// and `top..bottom` of the height (each in 0..=1), rounded to pixels.
    pub fn fraction(&self, left: f64, top: f64, right: f64, bottom: f64) -> Rect {
        let at = |start: usize, len: usize, f: f64| {
            start + (f.clamp(0.0, 1.0) * len as f64).round() as usize
        };
        let (x0, x1) = (at(self.x, self.width, left), at(self.x, self.width, right));
        let (y0, y1) = (
            at(self.y, self.height, top),
            at(self.y, self.height, bottom),
        );
        Rect {
            x: x0,
            y: y0,
            width: x1.saturating_sub(x0),
            height: y1.saturating_sub(y0),
        }
    }

    /// The rectangle on a plane `factor` times smaller: the pixels wholly
    /// inside it.
    pub fn shrunk(&self, factor: usize) -> Rect {
        let f = factor.max(1);
        let (x0, y0) = (self.x.div_ceil(f), self.y.div_ceil(f));
        let (x1, y1) = ((self.x + self.width) / f, (self.y + self.height) / f);
        Rect {
            x: x0,
            y: y0,
            width: x1.saturating_sub(x0),
            height: y1.saturating_sub(y0),
        }
    }

    /// The rectangle on a plane `factor` times larger.
    pub fn scaled(&self, factor: usize) -> Rect {
        Rect {
            x: self.x * factor,
            y: self.y * factor,
            width: self.width * factor,
            height: self.height * factor,
        }
    }

    /// Pixels covered.
    pub fn area(&self) -> usize {
        self.width * self.height
    }
}

/// A luma plane, one f32 per pixel, row-major.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Plane {
    pub(crate) width: usize,
    pub(crate) height: usize,
    pub(crate) data: Vec<f32>,
}

impl Plane {
    /// A plane from values; `data.len()` must be `width * height`.
    pub(crate) fn new(width: usize, height: usize, data: Vec<f32>) -> Plane {
        debug_assert_eq!(data.len(), width * height);
        Plane {
            width,
            height,
            data,
        }
    }

    /// The working plane of an image: its luma, averaged down by the
    /// integer factor [`work_factor`] gives.
    pub(crate) fn working(image: &Decoded) -> Plane {
        Plane::of_rect(image, Rect::full(image.width, image.height))
    }

    /// The working plane of rectangle `r` of an image (clipped to it): its
    /// luma, averaged down by the factor [`work_factor`] gives for the
    /// rectangle's own size. A rectangle small enough to need no averaging
    /// hashes exactly as the same pixels cut out and hashed by PDQ.
    pub(crate) fn of_rect(image: &Decoded, r: Rect) -> Plane {
        let x0 = r.x.min(image.width);
        let y0 = r.y.min(image.height);
        let rw = r.width.min(image.width - x0);
        let rh = r.height.min(image.height - y0);
        let factor = work_factor(rw, rh);
        let (w, h) = (rw / factor, rh / factor);
        let mut data = vec![0f32; w * h];
        if w == 0 || h == 0 {
            return Plane::new(w, h, data);
        }
        let mut line = vec![0f32; image.width];
        let scale = 1.0 / (factor * factor) as f32;
        for (oy, out) in data.chunks_exact_mut(w).enumerate() {
            for y in y0 + oy * factor..y0 + (oy + 1) * factor {
                luma_row(image, y, &mut line);
                if factor == 1 {
                    out.copy_from_slice(&line[x0..x0 + w]);
                } else {
                    for (o, block) in out.iter_mut().zip(line[x0..].chunks_exact(factor)) {
                        *o += block.iter().sum::<f32>();
                    }
                }
            }
            if factor > 1 {
                out.iter_mut().for_each(|v| *v *= scale);
            }
        }
        Plane::new(w, h, data)
    }

    /// The whole plane as a rectangle.
    pub(crate) fn rect(&self) -> Rect {
        Rect::full(self.width, self.height)
    }

    /// Row `y`.
    pub(crate) fn row(&self, y: usize) -> &[f32] {
        &self.data[y * self.width..(y + 1) * self.width]
    }

    /// The value at `(x, y)`.
    pub(crate) fn at(&self, x: usize, y: usize) -> f32 {
        self.data[y * self.width + x]
    }

    /// A copy of rectangle `r` (clipped to the plane).
    #[cfg(test)]
    pub(crate) fn crop(&self, r: Rect) -> Plane {
        let x0 = r.x.min(self.width);
        let y0 = r.y.min(self.height);
        let x1 = (r.x + r.width).min(self.width);
        let y1 = (r.y + r.height).min(self.height);
        let mut data = Vec::with_capacity((x1 - x0) * (y1 - y0));
        for y in y0..y1 {
            data.extend_from_slice(&self.row(y)[x0..x1]);
        }
        Plane::new(x1 - x0, y1 - y0, data)
    }

    /// The plane turned or mirrored by `d`, pixel for pixel (PDQ's naming:
    /// [`Dihedral::Rotate90`] turns counter-clockwise, [`Dihedral::FlipY`]
    /// mirrors left and right).
    pub(crate) fn transformed(&self, d: Dihedral) -> Plane {
        let (w, h) = (self.width, self.height);
        let swaps = matches!(
            d,
            Dihedral::Rotate90 | Dihedral::Rotate270 | Dihedral::FlipPlus1 | Dihedral::FlipMinus1
        );
        let (ow, oh) = if swaps { (h, w) } else { (w, h) };
        let mut data = Vec::with_capacity(w * h);
        for v in 0..oh {
            for u in 0..ow {
                // The source pixel of output pixel (u, v).
                let (x, y) = match d {
                    Dihedral::Original => (u, v),
                    Dihedral::Rotate90 => (w - 1 - v, u),
                    Dihedral::Rotate180 => (w - 1 - u, h - 1 - v),
                    Dihedral::Rotate270 => (v, h - 1 - u),
                    Dihedral::FlipX => (u, h - 1 - v),
                    Dihedral::FlipY => (w - 1 - u, v),
                    Dihedral::FlipPlus1 => (v, u),
                    Dihedral::FlipMinus1 => (w - 1 - v, h - 1 - u),
                };
                data.push(self.data[y * w + x]);
            }
        }
        Plane::new(ow, oh, data)
    }

    /// The PDQ hash of the plane.
    pub(crate) fn hash(&self) -> PdqHash {
        match pdq::Image::new(self.width, self.height, pdq::Pixels::Luma(&self.data)) {
            Ok(image) => pdq::hash(&image),
            Err(_) => PdqHash {
                hash: Hash256::ZERO,
                quality: 0,
            },
        }
    }
}

/// 8-bit pixels borrowed from a decoded image, read as RGB (grey gives
/// three equal values; alpha is ignored).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Colour<'a> {
    pub(crate) width: usize,
    pub(crate) height: usize,
    channels: usize,
    data: &'a [u8],
}

impl<'a> Colour<'a> {
    /// A view of `data`: `width * height` pixels of `channels` values (1, 3
    /// or 4); `data` must hold them.
    pub(crate) fn new(width: usize, height: usize, channels: usize, data: &'a [u8]) -> Colour<'a> {
        debug_assert!(data.len() >= width * height * channels);
        Colour {
            width,
            height,
            channels,
            data,
        }
    }

    /// The pixels of a decoded image.
    pub(crate) fn of(image: &'a Decoded) -> Colour<'a> {
        Colour::new(
            image.width,
            image.height,
            image.pixels.channels(),
            image.pixels.as_slice(),
        )
    }

    /// Red, green and blue at `(x, y)`.
    #[inline]
    pub(crate) fn pixel(&self, x: usize, y: usize) -> [u8; 3] {
        let i = (y * self.width + x) * self.channels;
        if self.channels < 3 {
            [self.data[i]; 3]
        } else {
            [self.data[i], self.data[i + 1], self.data[i + 2]]
        }
    }
}

/// The integer factor the working plane is averaged down by: the largest
/// that keeps the short side at or above [`WORK_MIN_SIDE`], at least 1, or
/// the smallest that keeps the plane within [`WORK_MAX_PIXELS`] when that
/// is larger.
pub(crate) fn work_factor(width: usize, height: usize) -> usize {
    let mut factor = (width.min(height) / WORK_MIN_SIDE).max(1);
    while (width / factor).saturating_mul(height / factor) > WORK_MAX_PIXELS {
        factor += 1;
    }
    factor
}

/// The luma of row `y` of `image` into `out`, as PDQ computes it.
fn luma_row(image: &Decoded, y: usize, out: &mut [f32]) {
    let w = image.width;
    match &image.pixels {
        PixelData::Gray(v) => {
            for (o, &g) in out.iter_mut().zip(&v[y * w..(y + 1) * w]) {
                *o = f32::from(g);
            }
        }
        PixelData::Rgb(v) => luma_interleaved(&v[y * w * 3..(y + 1) * w * 3], 3, out),
        PixelData::Rgba(v) => luma_interleaved(&v[y * w * 4..(y + 1) * w * 4], 4, out),
    }
}

fn luma_interleaved(line: &[u8], channels: usize, out: &mut [f32]) {
    for (o, px) in out.iter_mut().zip(line.chunks_exact(channels)) {
        *o = LUMA_R * f32::from(px[0]) + LUMA_G * f32::from(px[1]) + LUMA_B * f32::from(px[2]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rgb_image(w: usize, h: usize) -> Decoded {
        let values: Vec<u8> = (0..w * h * 3)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 9) as u8)
            .collect();
        Decoded::full(w, h, PixelData::Rgb(values))
    }

    #[test]
    fn luma_plane_hashes_like_the_pixels() {
        let image = rgb_image(120, 90);
        let plane = Plane::working(&image);
        assert_eq!((plane.width, plane.height), (120, 90));
        assert_eq!(plane.hash(), pdq::hash(&image.as_image()));
    }

    #[test]
    fn transforms_agree_with_pdq_dihedral_hashes() {
        // A smooth picture, on which PDQ's dihedral hashes (derived from one
        // DCT) and the hashes of the turned pixels agree closely.
        let (w, h) = (96, 64);
        let data: Vec<f32> = (0..w * h)
            .map(|i| {
                let (x, y) = ((i % w) as f32, (i / w) as f32);
                100.0 + 50.0 * (x / 13.0).sin() + 40.0 * (y / 7.0 + x / 29.0).cos() + x * 0.4
            })
            .collect();
        let plane = Plane::new(w, h, data.clone());
        let image = pdq::Image::new(w, h, pdq::Pixels::Luma(&data)).unwrap();
        let all = pdq::hash_dihedral(&image);
        for d in Dihedral::ALL {
            let t = plane.transformed(d);
            let dist = t.hash().hash.distance(&all.get(d));
            assert!(dist <= 16, "{d:?}: {dist}");
        }
        // Each is its own shape: a quarter turn swaps the sides.
        assert_eq!(plane.transformed(Dihedral::Rotate90).width, h);
        assert_eq!(plane.transformed(Dihedral::FlipY).width, w);
    }

    #[test]
    fn large_images_are_averaged_down() {
        assert_eq!(work_factor(640, 480), 1);
        assert_eq!(work_factor(1920, 1080), 2);
        assert_eq!(work_factor(4032, 3024), 7);
        let image = Decoded::full(800, 800, PixelData::Gray(vec![100; 800 * 800]));
        let plane = Plane::working(&image);
        assert_eq!((plane.width, plane.height), (400, 400));
        assert!(plane.data.iter().all(|&v| (v - 100.0).abs() < 1e-3));
    }

    #[test]
    fn long_thin_images_are_averaged_down_to_a_bounded_plane() {
        // Up to 16 times as long as wide, the short side decides alone.
        assert_eq!(work_factor(12_288, 768), 2);
        assert_eq!(work_factor(767, 12_288), 1);
        // Longer, the plane's pixels do: the 4,259,864 x 16 image a WebP file
        // of 255 bytes states (found by the `media_decode` fuzz target) would
        // have given planes of 68 megapixels; the longest sides decoded.
        for (w, h, factor) in [(4_259_864, 16, 3), (65_535, 767, 3), (767, 65_535, 3)] {
            assert_eq!(work_factor(w, h), factor, "{w}x{h}");
            assert!((w / factor) * (h / factor) <= WORK_MAX_PIXELS, "{w}x{h}");
        }
        let image = Decoded::full(40_000, 400, PixelData::Gray(vec![7; 40_000 * 400]));
        let plane = Plane::working(&image);
        assert_eq!((plane.width, plane.height), (20_000, 200));
        assert!(plane.data.iter().all(|&v| (v - 7.0).abs() < 1e-3));
    }

    #[test]
    fn fractions_round_to_pixels() {
        let r = Rect::full(200, 100).fraction(0.1, 0.2, 0.9, 0.8);
        assert_eq!(
            r,
            Rect {
                x: 20,
                y: 20,
                width: 160,
                height: 60
            }
        );
        let plane = Plane::new(4, 3, (0..12).map(|v| v as f32).collect());
        let c = plane.crop(Rect {
            x: 1,
            y: 1,
            width: 2,
            height: 2,
        });
        assert_eq!(c.data, vec![5.0, 6.0, 9.0, 10.0]);
    }
}

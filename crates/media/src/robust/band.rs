//! Caption bands: an opaque strip with text across the top or bottom.
//!
//! Meme-style copies lay a flat band with a caption over one end of the
//! picture. Unlike a letterbox bar the band carries text, so its lines are
//! not uniform; but most of each line still is the band's colour. On the
//! query side the band is cut off, and what remains is compared with the
//! bank's hashes of the top and bottom parts of the original
//! ([`super::regions`]).

use super::plane::{Plane, Rect};
use super::trim::{median, near_fraction};

/// A line belongs to a band when at least this fraction of it is the band's
/// colour: caption text covers well under half of a line, while a line of
/// a photograph is rarely this flat.
const BAND_LINE_FRACTION: f32 = 0.6;

/// Luma levels (of 255) a band pixel may differ from the band's colour;
/// as for borders ([`super::trim`]), JPEG noise on a flat area stays within
/// a few levels.
const BAND_TOLERANCE: f32 = 10.0;

/// The band must cover at least this fraction of the height: thinner ones
/// hardly move the hash.
const MIN_BAND_FRACTION: f64 = 0.06;

/// And at most this fraction: a caption covers a strip, not the picture.
const MAX_BAND_FRACTION: f64 = 0.35;

/// Rows of the band whose pixels must be nearly all of the band's colour
/// (above and below the text), as a fraction of the band's height: this
/// tells a band from a dark end of a photograph, whose lines are mostly but
/// never entirely flat.
const MIN_CLEAN_FRACTION: f64 = 0.15;

/// A line is clean when this fraction of it is the band's colour.
const CLEAN_LINE_FRACTION: f32 = 0.97;

/// The picture without a caption band at its top or bottom, or `None`.
/// When both ends have one, both are cut.
pub(crate) fn cut_band(plane: &Plane) -> Option<Rect> {
    let h = plane.height;
    let top = band_rows(plane, (0..h).collect());
    let bottom = band_rows(plane, (0..h).rev().collect());
    if top == 0 && bottom == 0 {
        return None;
    }
    let height = h.saturating_sub(top + bottom);
    (height > 0).then_some(Rect {
        x: 0,
        y: top,
        width: plane.width,
        height,
    })
}

/// The height of a band at the end where `rows` starts (0 if none).
fn band_rows(plane: &Plane, rows: Vec<usize>) -> usize {
    let h = plane.height as f64;
    let Some(&first) = rows.first() else {
        return 0;
    };
    let colour = median(&mut plane.row(first).to_vec());
    let max = (h * MAX_BAND_FRACTION) as usize;
    let mut n = 0;
    let mut clean = 0;
    for &y in rows.iter().take(max + 1) {
        let f = near_fraction(plane.row(y), colour, BAND_TOLERANCE);
        if f < BAND_LINE_FRACTION {
            break;
        }
        clean += usize::from(f >= CLEAN_LINE_FRACTION);
        n += 1;
    }
    let fits = n as f64 >= h * MIN_BAND_FRACTION && n <= max;
    let banded = clean as f64 >= n as f64 * MIN_CLEAN_FRACTION;
    if fits && banded {
        n
    } else {
        0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A textured picture with a black band and white "text" over its
    /// bottom `band` rows.
    fn captioned(w: usize, h: usize, band: usize) -> Plane {
        let mut data: Vec<f32> = (0..w * h)
            .map(|i| ((i % w) * 7 + (i / w) * 13) as f32 % 200.0 + 30.0)
            .collect();
        for y in h - band..h {
            for x in 0..w {
                let text = y > h - band + band / 3
                    && y < h - band / 3
                    && x % 9 < 3
                    && x > w / 5
                    && x < 4 * w / 5;
                data[y * w + x] = if text { 250.0 } else { 0.0 };
            }
        }
        Plane::new(w, h, data)
    }

    #[test]
    fn a_bottom_caption_is_cut() {
        let p = captioned(200, 150, 30);
        assert_eq!(
            cut_band(&p),
            Some(Rect {
                x: 0,
                y: 0,
                width: 200,
                height: 120
            })
        );
    }

    #[test]
    fn pictures_without_bands_are_left_alone() {
        assert_eq!(cut_band(&captioned(200, 150, 0)), None);
        // A band too thin to matter.
        assert_eq!(cut_band(&captioned(200, 150, 4)), None);
    }
}

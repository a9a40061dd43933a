//! The 64x64 luma of a large image, computed from a reduced copy of it.
//!
//! The reference blurs the full image with two box passes along each axis
//! and samples 64 cell centres: along one axis, output `i` is a fixed
//! weighted sum of the source pixels (the tent of two boxes around the
//! sampled pixel, truncated and renormalised at the edges). When each pixel
//! of the reduced copy is the mean of a `block x block` square of the
//! source, summing those weights over each square gives the weight of each
//! reduced pixel, as if the pixels within a square were equal. The result
//! is an approximation of the reference's 64x64 that depends on the
//! source's size, not on the reduced copy's: the tent keeps its width in
//! source pixels, where running the reference's filter on the reduced copy
//! would use a window computed from the reduced size.
//!
//! Only the 64 sampled outputs are computed, each from the few blocks its
//! tent covers, so the cost is small next to decoding.

use crate::downscale::{decimation_index, window_size, LumaSource, DOWNSCALED};

/// The weights of one output along one axis: the first reduced pixel it
/// reads and the weight of each reduced pixel from there.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Tap {
    pub(crate) first: usize,
    pub(crate) weights: Vec<f32>,
}

/// The pixels a box of `window` averages around `i` on an axis of `len`
/// (`box1DFloat`: `half = (window + 2) / 2`, one more on the right for even
/// windows, truncated at the edges).
fn box_span(i: usize, len: usize, window: usize) -> (usize, usize) {
    let half = (window + 2) / 2;
    (i.saturating_sub(window - half), (i + half - 1).min(len - 1))
}

/// The weights of the reference's two box passes and decimation along an
/// axis of `len` source pixels, summed over blocks of `block` pixels:
/// `reduced` blocks, source pixels past the last one counted in it (a
/// reduced copy may drop a partial last block).
pub(crate) fn axis_taps(len: usize, block: usize, reduced: usize) -> Vec<Tap> {
    let window = window_size(len);
    let block_of = |x: usize| (x / block).min(reduced - 1);
    (0..DOWNSCALED)
        .map(|out| {
            let centre = decimation_index(out, len);
            let (lo, hi) = box_span(centre, len, window);
            let (first_px, _) = box_span(lo, len, window);
            let (_, last_px) = box_span(hi, len, window);
            let first = block_of(first_px);
            let mut weights = vec![0f64; block_of(last_px) - first + 1];
            let outer = 1.0 / (hi - lo + 1) as f64;
            for p in lo..=hi {
                let (plo, phi) = box_span(p, len, window);
                let w = outer / (phi - plo + 1) as f64;
                // The pixels plo..=phi, block by block.
                let mut x = plo;
                while x <= phi {
                    let b = block_of(x);
                    let end = if b + 1 == reduced {
                        phi
                    } else {
                        phi.min((b + 1) * block - 1)
                    };
                    weights[b - first] += w * (end - x + 1) as f64;
                    x = end + 1;
                }
            }
            Tap {
                first,
                weights: weights.into_iter().map(|w| w as f32).collect(),
            }
        })
        .collect()
}

/// The 64x64 luma of a `source_rows x source_cols` image from its reduced
/// copy (`rows x cols`, each pixel the mean of a `block x block` square).
pub(crate) fn blur_and_decimate_reduced(
    source: LumaSource<'_>,
    rows: usize,
    cols: usize,
    source_rows: usize,
    source_cols: usize,
    block: usize,
) -> Box<[[f32; 64]; 64]> {
    let row_taps = axis_taps(source_rows, block, rows);
    let col_taps = axis_taps(source_cols, block, cols);
    // Along rows first: each reduced row to its 64 column outputs.
    let mut line = vec![0f32; cols];
    let mut across = vec![[0f32; 64]; rows];
    for (r, out) in across.iter_mut().enumerate() {
        source.fill_row(r, cols, &mut line);
        for (o, tap) in out.iter_mut().zip(&col_taps) {
            let values = &line[tap.first..tap.first + tap.weights.len()];
            *o = values.iter().zip(&tap.weights).map(|(v, w)| v * w).sum();
        }
    }
    // Then along columns.
    let mut out = Box::new([[0f32; 64]; 64]);
    for (dst, tap) in out.iter_mut().zip(&row_taps) {
        for (row, &w) in across[tap.first..].iter().zip(&tap.weights) {
            for (d, v) in dst.iter_mut().zip(row) {
                *d += w * v;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::downscale::reference;

    /// A deterministic image with detail at several scales.
    fn texture(rows: usize, cols: usize) -> Vec<f32> {
        (0..rows * cols)
            .map(|i| {
                let (y, x) = ((i / cols) as f32, (i % cols) as f32);
                128.0
                    + 60.0 * (x * 0.013 + y * 0.021).sin()
                    + 40.0 * (x * 0.11).cos() * (y * 0.07).sin()
                    + 20.0 * ((x * 0.9 + y * 1.7).sin())
            })
            .collect()
    }

    /// Block means of `luma`, keeping a partial last block when `ceil`.
    fn reduce(
        luma: &[f32],
        rows: usize,
        cols: usize,
        block: usize,
        ceil: bool,
    ) -> (Vec<f32>, usize, usize) {
        let size = |n: usize| if ceil { n.div_ceil(block) } else { n / block };
        let (rr, rc) = (size(rows), size(cols));
        let mut out = vec![0f32; rr * rc];
        for (i, o) in out.iter_mut().enumerate() {
            let (by, bx) = (i / rc, i % rc);
            let (y1, x1) = (((by + 1) * block).min(rows), ((bx + 1) * block).min(cols));
            let mut sum = 0f64;
            for y in by * block..y1 {
                for x in bx * block..x1 {
                    sum += f64::from(luma[y * cols + x]);
                }
            }
            *o = (sum / ((y1 - by * block) * (x1 - bx * block)) as f64) as f32;
        }
        (out, rr, rc)
    }

    fn max_difference(a: &[[f32; 64]; 64], b: &[[f32; 64]; 64]) -> f32 {
        a.iter()
            .flatten()
            .zip(b.iter().flatten())
            .map(|(x, y)| (x - y).abs())
            .fold(0.0, f32::max)
    }

    #[test]
    fn every_output_weighs_one_in_all() {
        for (len, block, reduced) in [
            (1004, 8, 126),
            (4032, 8, 504),
            (1600, 4, 400),
            (999, 3, 333),
            (70, 1, 70),
        ] {
            for tap in axis_taps(len, block, reduced) {
                let sum: f32 = tap.weights.iter().sum();
                assert!((sum - 1.0).abs() < 1e-5, "{len}/{block}: {sum}");
                assert!(tap.first + tap.weights.len() <= reduced);
                assert!(tap.weights.iter().all(|&w| w >= 0.0));
            }
        }
    }

    #[test]
    fn blocks_of_one_pixel_give_the_reference_filter() {
        for (rows, cols) in [(300, 200), (129, 517), (64, 90)] {
            let luma = texture(rows, cols);
            let want = reference::blur_and_decimate(&luma, rows, cols);
            let got =
                blur_and_decimate_reduced(LumaSource::Float(&luma), rows, cols, rows, cols, 1);
            let diff = max_difference(&want, &got);
            assert!(diff < 1e-3, "{rows}x{cols}: {diff}");
        }
    }

    #[test]
    fn an_image_flat_within_blocks_gives_the_reference_filter() {
        // Source pixels equal within each block: the block model is exact.
        for (rows, cols, block) in [(1004usize, 1600usize, 8usize), (603, 811, 4), (450, 640, 3)] {
            let fine = texture(rows.div_ceil(block), cols.div_ceil(block));
            let fc = cols.div_ceil(block);
            let luma: Vec<f32> = (0..rows * cols)
                .map(|i| fine[(i / cols) / block * fc + (i % cols) / block])
                .collect();
            let want = reference::blur_and_decimate(&luma, rows, cols);
            let (reduced, rr, rc) = reduce(&luma, rows, cols, block, true);
            let got =
                blur_and_decimate_reduced(LumaSource::Float(&reduced), rr, rc, rows, cols, block);
            let diff = max_difference(&want, &got);
            assert!(diff < 1e-2, "{rows}x{cols}/{block}: {diff}");
        }
    }

    #[test]
    fn block_means_of_a_smooth_image_land_near_the_reference() {
        // The within-block detail is lost; on smooth content it matters
        // little, and much less than filtering the reduced copy as an image
        // of its own size does.
        let (rows, cols) = (1004, 1600);
        let luma: Vec<f32> = texture(rows, cols);
        let want = reference::blur_and_decimate(&luma, rows, cols);
        for (block, ceil) in [(8, true), (4, false), (2, true)] {
            let (reduced, rr, rc) = reduce(&luma, rows, cols, block, ceil);
            let got =
                blur_and_decimate_reduced(LumaSource::Float(&reduced), rr, rc, rows, cols, block);
            let naive = reference::blur_and_decimate(&reduced, rr, rc);
            let (ours, theirs) = (max_difference(&want, &got), max_difference(&want, &naive));
            assert!(ours < theirs, "block {block}: {ours} against {theirs}");
            assert!(ours < 6.0, "block {block}: {ours}");
        }
    }
}

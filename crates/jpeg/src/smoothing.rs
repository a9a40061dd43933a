//! Block smoothing of progressive images whose low AC coefficients are not
//! known to full precision after the last scan (libjpeg's jdcoefct.c
//! `smoothing_ok` and `decompress_smooth_data`): coefficients 1..=9 (zig-zag)
//! that are still zero are estimated from the DC terms of the 5x5 blocks
//! around, and when no AC scan came at all the DC term is re-estimated too.
//! The neighbourhood rules, including libjpeg's way of counting block rows
//! in the last MCU row, are reproduced so that the output matches.

use super::coefficients::{Block, Coefficients};
use super::frame::Frame;
use super::idct::Multipliers;
use super::markers::{Coding, BLOCK_SIZE, ZIGZAG};
use super::output::Plane;
use super::progressive::Progress;
use super::reduced::idct_scaled;

/// Coefficients smoothing looks at: DC and zig-zag 1..=9
/// (libjpeg's `SAVED_COEFS`).
const SAVED: usize = 10;

/// Weights over the 5x5 neighbourhood of DC terms (rows above to below,
/// columns left to right) for zig-zag coefficients 1..=9, when AC data
/// exists (jdcoefct.c, the Annex K.8 style estimate on a 5x5 window).
/// Coefficients 6..=9 are only estimated with DC interpolation.
const AC_WEIGHTS: [[[i64; 5]; 5]; 5] = [
    // Zig-zag 1: coefficient (0,1).
    [[0; 5], [0; 5], [-7, 50, 0, -50, 7], [0; 5], [0; 5]],
    // Zig-zag 2: (1,0).
    [
        [0, 0, -7, 0, 0],
        [0, 0, 50, 0, 0],
        [0; 5],
        [0, 0, -50, 0, 0],
        [0, 0, 7, 0, 0],
    ],
    // Zig-zag 3: (2,0).
    [
        [0, 0, -1, 0, 0],
        [0, 0, 13, 0, 0],
        [0, 0, -24, 0, 0],
        [0, 0, 13, 0, 0],
        [0, 0, -1, 0, 0],
    ],
    // Zig-zag 4: (1,1).
    [
        [0, -1, 0, 1, 0],
        [-1, 10, 0, -10, 1],
        [0; 5],
        [1, -10, 0, 10, -1],
        [0, 1, 0, -1, 0],
    ],
    // Zig-zag 5: (0,2).
    [[0; 5], [0; 5], [-1, 13, -24, 13, -1], [0; 5], [0; 5]],
];

/// Weights for zig-zag 1..=9 when no AC scan came (DC interpolation on).
const INTERPOLATED_WEIGHTS: [[[i64; 5]; 5]; 9] = [
    // Zig-zag 1: (0,1).
    [
        [-1, -1, 0, 1, 1],
        [-3, 13, 0, -13, 3],
        [-3, 38, 0, -38, 3],
        [-3, 13, 0, -13, 3],
        [-1, -1, 0, 1, 1],
    ],
    // Zig-zag 2: (1,0).
    [
        [-1, -3, -3, -3, -1],
        [-1, 13, 38, 13, -1],
        [0; 5],
        [1, -13, -38, -13, 1],
        [1, 3, 3, 3, 1],
    ],
    // Zig-zag 3: (2,0).
    [
        [0, 0, 1, 0, 0],
        [0, 2, 7, 2, 0],
        [0, -5, -14, -5, 0],
        [0, 2, 7, 2, 0],
        [0, 0, 1, 0, 0],
    ],
    // Zig-zag 4: (1,1).
    [
        [-1, 0, 0, 0, 1],
        [0, 9, 0, -9, 0],
        [0; 5],
        [0, -9, 0, 9, 0],
        [1, 0, 0, 0, -1],
    ],
    // Zig-zag 5: (0,2).
    [
        [0; 5],
        [0, 2, -5, 2, 0],
        [1, 7, -14, 7, 1],
        [0, 2, -5, 2, 0],
        [0; 5],
    ],
    // Zig-zag 6: (0,3).
    [
        [0; 5],
        [0, 1, 0, -1, 0],
        [0, 2, 0, -2, 0],
        [0, 1, 0, -1, 0],
        [0; 5],
    ],
    // Zig-zag 7: (1,2).
    [[0; 5], [0, 1, -3, 1, 0], [0; 5], [0, -1, 3, -1, 0], [0; 5]],
    // Zig-zag 8: (2,1).
    [
        [0; 5],
        [0, 1, 0, -1, 0],
        [0, -3, 0, 3, 0],
        [0, 1, 0, -1, 0],
        [0; 5],
    ],
    // Zig-zag 9: (3,0).
    [[0; 5], [0, 1, 2, 1, 0], [0; 5], [0, -1, -2, -1, 0], [0; 5]],
];

/// Weights for the DC term itself under DC interpolation.
const DC_WEIGHTS: [[i64; 5]; 5] = [
    [-2, -6, -8, -6, -2],
    [-6, 6, 42, 6, -6],
    [-8, 42, 152, 42, -8],
    [-6, 6, 42, 6, -6],
    [-2, -6, -8, -6, -2],
];

/// Whether libjpeg would smooth this image: progressive, every component's
/// quantisation table latched with nonzero DC and low AC quantisers, every
/// DC term at least partly known, and some of zig-zag 1..=9 not exact.
pub(crate) fn applies(
    frame: &Frame,
    quant: &[Option<[u16; BLOCK_SIZE]>],
    progress: &Progress,
) -> bool {
    if frame.coding != Coding::Progressive {
        return false;
    }
    let mut useful = false;
    for (table, bits) in quant.iter().zip(progress) {
        let Some(table) = table else {
            return false;
        };
        if ZIGZAG[..SAVED].iter().any(|&n| table[n] == 0) || bits[0] < 0 {
            return false;
        }
        useful |= bits[1..SAVED].iter().any(|&b| b != 0);
    }
    useful && quant.len() == frame.components.len()
}

/// The estimate libjpeg makes from a weighted sum `sum` of DC terms for a
/// coefficient with quantiser `q`, limited below `2^al` when `al > 0`.
fn predict(q00: i64, q: i64, sum: i64, al: Option<i32>) -> i64 {
    let num = q00 * sum;
    let limit = |p: i64| match al {
        Some(al) if al > 0 && p >= 1 << al => (1 << al) - 1,
        _ => p,
    };
    if num >= 0 {
        limit(((q << 7) + num) / (q << 8))
    } else {
        -limit(((q << 7) - num) / (q << 8))
    }
}

fn weighted(weights: &[[i64; 5]; 5], dc: &[[i64; 5]; 5]) -> i64 {
    weights
        .iter()
        .zip(dc)
        .map(|(w, d)| w.iter().zip(d).map(|(a, b)| a * b).sum::<i64>())
        .sum()
}

/// Runs the IDCT over every block holding image data, smoothing as libjpeg
/// does, into `planes`.
pub(crate) fn to_planes(
    frame: &Frame,
    store: &Coefficients,
    quant: &[Option<[u16; BLOCK_SIZE]>],
    multipliers: &[Multipliers],
    progress: &Progress,
    planes: &mut [Plane],
) {
    let rows_of_mcus = frame.mcus_y;
    for (ci, c) in frame.components.iter().enumerate() {
        let (Some(blocks), Some(Some(table)), Some(bits), Some(mult), Some(plane)) = (
            store.components.get(ci),
            quant.get(ci),
            progress.get(ci),
            multipliers.get(ci),
            planes.get_mut(ci),
        ) else {
            continue;
        };
        let interpolate_dc = bits[1..SAVED].iter().all(|&b| b == -1);
        let q = |k: usize| i64::from(table[ZIGZAG[k]]);
        let n = c.block_size;
        let last_col = c.blocks_w.saturating_sub(1);
        for mcu_row in 0..rows_of_mcus {
            // libjpeg counts block rows of the last MCU row as
            // `height_in_blocks % v` and indexes rows with that count.
            let block_rows = if mcu_row + 1 < rows_of_mcus {
                c.v
            } else {
                match c.blocks_h % c.v {
                    0 => c.v,
                    r => r,
                }
            };
            let image_rows = block_rows * rows_of_mcus;
            for block_row in 0..block_rows {
                let row = mcu_row * c.v + block_row;
                let counted = mcu_row * block_rows + block_row;
                let above = if counted > 0 { row - 1 } else { row };
                let above2 = if counted > 1 { row - 2 } else { above };
                let below = if counted + 1 < image_rows {
                    row + 1
                } else {
                    row
                };
                let below2 = if counted + 2 < image_rows {
                    row + 2
                } else {
                    below
                };
                let rows = [above2, above, row, below, below2];
                for bx in 0..c.blocks_w {
                    let Some(block) = blocks.block(bx, row) else {
                        continue;
                    };
                    let mut dc = [[0i64; 5]; 5];
                    for (d_row, &r) in dc.iter_mut().zip(&rows) {
                        for (j, d) in d_row.iter_mut().enumerate() {
                            let col = (bx + j).saturating_sub(2).min(last_col);
                            *d = blocks.dc(col, r).map_or(0, i64::from);
                        }
                    }
                    let mut work: Block = *block;
                    let estimated = if interpolate_dc { 9 } else { 5 };
                    for k in 1..=estimated {
                        let al = bits[k];
                        let pos = ZIGZAG[k];
                        if al == 0 || work[pos] != 0 {
                            continue;
                        }
                        let weights = if interpolate_dc {
                            &INTERPOLATED_WEIGHTS[k - 1]
                        } else {
                            &AC_WEIGHTS[k - 1]
                        };
                        work[pos] = predict(q(0), q(k), weighted(weights, &dc), Some(al)) as i16;
                    }
                    if interpolate_dc {
                        work[0] = predict(q(0), q(0), weighted(&DC_WEIGHTS, &dc), None) as i16;
                    }
                    let stride = plane.stride;
                    if let Some(out) = plane.block_mut(bx, row, n) {
                        idct_scaled(n, &work, mult, out, stride);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn weights_sum_to_zero_for_ac_and_to_the_scale_for_dc() {
        // A flat neighbourhood predicts no AC and keeps the DC.
        for w in AC_WEIGHTS.iter().chain(INTERPOLATED_WEIGHTS.iter()) {
            assert_eq!(w.iter().flatten().sum::<i64>(), 0);
        }
        assert_eq!(DC_WEIGHTS.iter().flatten().sum::<i64>(), 256);
    }

    #[test]
    fn predictions_round_and_clamp_like_libjpeg() {
        // num = 10 * 256 * 3 with q = 10: 3 exactly.
        assert_eq!(predict(10, 10, 256 * 3, Some(5)), 3);
        // Limited below 2^Al.
        assert_eq!(predict(10, 10, 256 * 100, Some(2)), 3);
        assert_eq!(predict(10, 10, -256 * 100, Some(2)), -3);
        // Unknown coefficients (Al = -1) are not limited.
        assert_eq!(predict(10, 10, 256 * 100, Some(-1)), 100);
        // Rounded half away from zero.
        assert_eq!(predict(1, 1, 128, None), 1);
        assert_eq!(predict(1, 1, -128, None), -1);
        assert_eq!(predict(1, 1, 127, None), 0);
    }
}

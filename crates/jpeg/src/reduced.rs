//! Reduced inverse DCTs for decoding at 1/2, 1/4 and 1/8 size: libjpeg's
//! `jpeg_idct_4x4`, `jpeg_idct_2x2` and `jpeg_idct_1x1` (jidctred.c). Each
//! 1-D step yields the averages of two (or four) adjacent outputs of the
//! full 8-point IDCT; the 1x1 case is the DC term over 8.

use super::idct::{descale, limit, Multipliers, CONST_BITS, PASS1_BITS};
use super::markers::BLOCK_SIZE;

/// `FIX(x)` = round(x * 2^13), the constants of jidctred.c.
const FIX_0_211164243: i64 = 1730;
const FIX_0_509795579: i64 = 4176;
const FIX_0_601344887: i64 = 4926;
const FIX_0_720959822: i64 = 5906;
const FIX_0_765366865: i64 = 6270;
const FIX_0_850430095: i64 = 6967;
const FIX_0_899976223: i64 = 7373;
const FIX_1_061594337: i64 = 8697;
const FIX_1_272758580: i64 = 10426;
const FIX_1_451774981: i64 = 11893;
const FIX_1_847759065: i64 = 15137;
const FIX_2_172734803: i64 = 17799;
const FIX_2_562915447: i64 = 20995;
const FIX_3_624509785: i64 = 29692;

/// Output samples of the `n`-point IDCT of one block (`n` = 8, 4, 2 or 1)
/// into `out` (rows `stride` apart). Inlined, so that the one-sample case
/// (every block of a decode at 1/8) costs no call.
#[inline(always)]
pub(crate) fn idct_scaled(
    n: usize,
    coef: &[i16; BLOCK_SIZE],
    quant: &Multipliers,
    out: &mut [u8],
    stride: usize,
) {
    match n {
        8 => super::idct::idct_8x8(coef, quant, out, stride),
        4 => idct_4x4(coef, quant, out, stride),
        2 => idct_2x2(coef, quant, out, stride),
        _ => idct_1x1(coef, quant, out),
    }
}

/// The coefficients (a mask by natural index) the `n`-point IDCT reads:
/// all but row 4 and column 4 for 4, rows and columns 0, 1, 3, 5 and 7 for
/// 2, the DC term for 1.
pub(crate) fn coefficients_read(n: usize) -> u64 {
    let lines: &[usize] = match n {
        8 => &[0, 1, 2, 3, 4, 5, 6, 7],
        4 => &[0, 1, 2, 3, 5, 6, 7],
        2 => &[0, 1, 3, 5, 7],
        _ => &[0],
    };
    let mut mask = 0;
    for row in lines {
        for col in lines {
            mask |= 1 << (row * 8 + col);
        }
    }
    mask
}

fn dequant(coef: &[i16; BLOCK_SIZE], quant: &Multipliers, i: usize) -> i64 {
    i64::from(coef[i]) * i64::from(quant[i])
}

/// The 8-to-4 step on one column or row: `x[k]` is input term k.
fn step_4(x: [i64; 8]) -> [i64; 4] {
    let tmp0 = x[0] << (CONST_BITS + 1);
    let tmp2 = x[2] * FIX_1_847759065 + x[6] * -FIX_0_765366865;
    let tmp10 = tmp0 + tmp2;
    let tmp12 = tmp0 - tmp2;
    let (z1, z2, z3, z4) = (x[7], x[5], x[3], x[1]);
    let odd0 =
        z1 * -FIX_0_211164243 + z2 * FIX_1_451774981 + z3 * -FIX_2_172734803 + z4 * FIX_1_061594337;
    let odd2 =
        z1 * -FIX_0_509795579 + z2 * -FIX_0_601344887 + z3 * FIX_0_899976223 + z4 * FIX_2_562915447;
    [tmp10 + odd2, tmp12 + odd0, tmp12 - odd0, tmp10 - odd2]
}

/// The 8-to-2 step.
fn step_2(x: [i64; 8]) -> [i64; 2] {
    let tmp10 = x[0] << (CONST_BITS + 2);
    let tmp0 = x[7] * -FIX_0_720959822
        + x[5] * FIX_0_850430095
        + x[3] * -FIX_1_272758580
        + x[1] * FIX_3_624509785;
    [tmp10 + tmp0, tmp10 - tmp0]
}

fn idct_4x4(coef: &[i16; BLOCK_SIZE], quant: &Multipliers, out: &mut [u8], stride: usize) {
    let mut ws = [0i64; 8 * 4];
    for col in 0..8 {
        // Column 4 does not reach the 4-point output.
        if col == 4 {
            continue;
        }
        let c = |row: usize| dequant(coef, quant, row * 8 + col);
        if [1, 2, 3, 5, 6, 7]
            .iter()
            .all(|&row| coef[row * 8 + col] == 0)
        {
            let dc = i64::from((c(0) << PASS1_BITS) as i32);
            for row in 0..4 {
                ws[row * 8 + col] = dc;
            }
            continue;
        }
        let v = step_4([c(0), c(1), c(2), c(3), c(4), c(5), c(6), c(7)]);
        for (row, value) in v.into_iter().enumerate() {
            ws[row * 8 + col] = i64::from(descale(value, CONST_BITS - PASS1_BITS + 1) as i32);
        }
    }
    for (row, w) in ws.chunks_exact(8).enumerate() {
        let Some(dst) = out.get_mut(row * stride..row * stride + 4) else {
            return;
        };
        if [1, 2, 3, 5, 6, 7].iter().all(|&i| w[i] == 0) {
            dst.fill(limit(descale(w[0], PASS1_BITS + 3)));
            continue;
        }
        let v = step_4([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
        for (d, value) in dst.iter_mut().zip(v) {
            *d = limit(descale(value, CONST_BITS + PASS1_BITS + 3 + 1));
        }
    }
}

fn idct_2x2(coef: &[i16; BLOCK_SIZE], quant: &Multipliers, out: &mut [u8], stride: usize) {
    let mut ws = [0i64; 8 * 2];
    for col in [0usize, 1, 3, 5, 7] {
        let c = |row: usize| dequant(coef, quant, row * 8 + col);
        if [1, 3, 5, 7].iter().all(|&row| coef[row * 8 + col] == 0) {
            let dc = i64::from((c(0) << PASS1_BITS) as i32);
            ws[col] = dc;
            ws[8 + col] = dc;
            continue;
        }
        let v = step_2([c(0), c(1), 0, c(3), 0, c(5), 0, c(7)]);
        for (row, value) in v.into_iter().enumerate() {
            ws[row * 8 + col] = i64::from(descale(value, CONST_BITS - PASS1_BITS + 2) as i32);
        }
    }
    for (row, w) in ws.chunks_exact(8).enumerate() {
        let Some(dst) = out.get_mut(row * stride..row * stride + 2) else {
            return;
        };
        if [1, 3, 5, 7].iter().all(|&i| w[i] == 0) {
            dst.fill(limit(descale(w[0], PASS1_BITS + 3)));
            continue;
        }
        let v = step_2([w[0], w[1], 0, w[3], 0, w[5], 0, w[7]]);
        for (d, value) in dst.iter_mut().zip(v) {
            *d = limit(descale(value, CONST_BITS + PASS1_BITS + 3 + 2));
        }
    }
}

#[inline(always)]
fn idct_1x1(coef: &[i16; BLOCK_SIZE], quant: &Multipliers, out: &mut [u8]) {
    if let Some(first) = out.first_mut() {
        *first = limit(descale(dequant(coef, quant, 0), 3));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block_means(coef: &[i16; 64], quant: &Multipliers, n: usize) -> Vec<f64> {
        let mut full = [0u8; 64];
        super::super::idct::idct_8x8(coef, quant, &mut full, 8);
        let f = 8 / n;
        let mut out = Vec::new();
        for by in 0..n {
            for bx in 0..n {
                let mut s = 0.0;
                for y in 0..f {
                    for x in 0..f {
                        s += f64::from(full[(by * f + y) * 8 + bx * f + x]);
                    }
                }
                out.push(s / (f * f) as f64);
            }
        }
        out
    }

    #[test]
    fn reduced_outputs_are_close_to_the_means_of_the_full_idct() {
        let mut seed = 99u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as i64
        };
        for _ in 0..500 {
            let mut coef = [0i16; 64];
            let quant = [2; 64];
            coef[0] = ((next() % 401) - 200) as i16;
            for c in coef.iter_mut().take(20).skip(1) {
                if next() % 2 == 0 {
                    *c = ((next() % 41) - 20) as i16;
                }
            }
            for n in [4usize, 2, 1] {
                let mut out = [0u8; 16];
                idct_scaled(n, &coef, &quant, &mut out, n);
                let want = block_means(&coef, &quant, n);
                for i in 0..n * n {
                    let diff = (f64::from(out[i]) - want[i]).abs();
                    // Means of clamped samples differ more near the range ends.
                    assert!(diff <= 6.0, "n {n} at {i}: {} vs {}", out[i], want[i]);
                }
            }
        }
    }

    #[test]
    fn coefficients_outside_the_read_mask_change_nothing() {
        let mut seed = 7u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as i64
        };
        let quant = [3; 64];
        for _ in 0..200 {
            let mut coef = [0i16; 64];
            for c in coef.iter_mut() {
                if next() % 3 == 0 {
                    *c = ((next() % 61) - 30) as i16;
                }
            }
            for n in [8usize, 4, 2, 1] {
                let read = coefficients_read(n);
                let mut other = coef;
                for (i, c) in other.iter_mut().enumerate() {
                    if read >> i & 1 == 0 {
                        *c = ((next() % 61) - 30) as i16;
                    }
                }
                let (mut a, mut b) = ([0u8; 64], [0u8; 64]);
                idct_scaled(n, &coef, &quant, &mut a, n);
                idct_scaled(n, &other, &quant, &mut b, n);
                assert_eq!(a, b, "n {n}");
            }
        }
    }

    #[test]
    fn one_by_one_is_the_rounded_dc_over_eight() {
        let quant = [3; 64];
        let mut coef = [0i16; 64];
        coef[0] = 100;
        let mut out = [0u8; 1];
        idct_scaled(1, &coef, &quant, &mut out, 1);
        assert_eq!(out[0], 128 + 38); // 300 / 8 = 37.5, half up
    }

    #[test]
    fn constants_are_the_rounded_values() {
        let fix = |x: f64| (x * 8192.0 + 0.5) as i64;
        assert_eq!(FIX_0_211164243, fix(0.211164243));
        assert_eq!(FIX_0_509795579, fix(0.509795579));
        assert_eq!(FIX_0_601344887, fix(0.601344887));
        assert_eq!(FIX_0_720959822, fix(0.720959822));
        assert_eq!(FIX_0_765366865, fix(0.765366865));
        assert_eq!(FIX_0_850430095, fix(0.850430095));
        assert_eq!(FIX_0_899976223, fix(0.899976223));
        assert_eq!(FIX_1_061594337, fix(1.061594337));
        assert_eq!(FIX_1_272758580, fix(1.272758580));
        assert_eq!(FIX_1_451774981, fix(1.451774981));
        assert_eq!(FIX_1_847759065, fix(1.847759065));
        assert_eq!(FIX_2_172734803, fix(2.172734803));
        assert_eq!(FIX_2_562915447, fix(2.562915447));
        assert_eq!(FIX_3_624509785, fix(3.624509785));
    }
}

//! The inverse DCT of libjpeg's `jpeg_idct_islow` (jidctint.c): the
//! Loeffler-Ligtenberg-Moschytz algorithm in scaled integers, columns then
//! rows, with the same shortcuts for columns and rows whose AC terms are
//! zero (they give the same result as the full computation) and the same
//! wrap-around range limit, so that every sample matches.

use super::markers::BLOCK_SIZE;

/// Fractional bits of the constants (jidctint.c `CONST_BITS`).
pub(crate) const CONST_BITS: u32 = 13;
/// Extra bits kept between the passes (jidctint.c `PASS1_BITS`, 8-bit data).
pub(crate) const PASS1_BITS: u32 = 2;

/// `FIX(x)` = round(x * 2^13), the constants of jidctint.c.
pub(crate) const FIX_0_298631336: i64 = 2446;
pub(crate) const FIX_0_390180644: i64 = 3196;
pub(crate) const FIX_0_541196100: i64 = 4433;
pub(crate) const FIX_0_765366865: i64 = 6270;
pub(crate) const FIX_0_899976223: i64 = 7373;
pub(crate) const FIX_1_175875602: i64 = 9633;
pub(crate) const FIX_1_501321110: i64 = 12299;
pub(crate) const FIX_1_847759065: i64 = 15137;
pub(crate) const FIX_1_961570560: i64 = 16069;
pub(crate) const FIX_2_053119869: i64 = 16819;
pub(crate) const FIX_2_562915447: i64 = 20995;
pub(crate) const FIX_3_072711026: i64 = 25172;

/// Mask of the range-limit index (jpegint.h `RANGE_MASK` = 4 * 256 - 1):
/// outputs are taken modulo 1024 before clamping, so wildly out-of-range
/// values from corrupt data wrap as libjpeg's do.
pub(crate) const RANGE_MASK: i64 = 1023;

/// Centre of the sample range (`CENTERJSAMPLE`).
const CENTER: i32 = 128;

/// libjpeg's post-IDCT range-limit table (jdmaster.c
/// `prepare_range_limit_table`, read at `IDCT_range_limit`): index
/// `x & 1023` holds `x` taken as a signed 10-bit value, plus 128, clamped
/// to 0..=255.
pub(crate) static RANGE_LIMIT: [u8; 1024] = {
    let mut table = [0u8; 1024];
    let mut i = 0;
    while i < 1024 {
        let signed = if i >= 512 { i as i32 - 1024 } else { i as i32 };
        let v = signed + CENTER;
        table[i] = if v < 0 {
            0
        } else if v > 255 {
            255
        } else {
            v as u8
        };
        i += 1;
    }
    table
};

/// `DESCALE(x, n)`: divide by 2^n, rounding half up.
#[inline(always)]
pub(crate) fn descale(x: i64, n: u32) -> i64 {
    (x + (1 << (n - 1))) >> n
}

/// A range-limited output sample.
#[inline(always)]
pub(crate) fn limit(x: i64) -> u8 {
    RANGE_LIMIT[(x & RANGE_MASK) as usize]
}

/// The dequantisation multipliers of one component: the quantisation table
/// in natural order, each value taken as a 16-bit signed number as
/// libjpeg-turbo stores it (`ISLOW_MULT_TYPE`).
pub(crate) type Multipliers = [i16; BLOCK_SIZE];

/// The multipliers for a quantisation table.
pub(crate) fn multipliers(table: &[u16; BLOCK_SIZE]) -> Multipliers {
    table.map(|q| q as i16)
}

/// One 8x8 block: `coef` in natural order, `out` the top-left sample with
/// rows `stride` apart (at least `7 * stride + 8` long).
pub(crate) fn idct_8x8(
    coef: &[i16; BLOCK_SIZE],
    quant: &Multipliers,
    out: &mut [u8],
    stride: usize,
) {
    #[cfg(target_arch = "x86_64")]
    let done = super::idct_sse2::idct_8x8(coef, quant, out, stride);
    #[cfg(not(target_arch = "x86_64"))]
    let done = super::idct32::idct_8x8(coef, quant, out, stride);
    if !done {
        idct_8x8_reference(coef, quant, out, stride);
    }
}

/// A block whose AC terms are all zero: every sample is the DC term over 8
/// (the column and row shortcuts of jidctint.c; the reduced IDCTs give the
/// same value).
pub(crate) fn dc_only(dc: i16, quant: &Multipliers, size: usize, out: &mut [u8], stride: usize) {
    let value = i64::from((i32::from(dc) * i32::from(quant[0])).wrapping_shl(PASS1_BITS));
    let sample = limit(descale(value, PASS1_BITS + 3));
    for row in out.chunks_mut(stride).take(size) {
        if let Some(row) = row.get_mut(..size) {
            row.fill(sample);
        }
    }
}

/// [`idct_8x8`] computed as jidctint.c computes it, in 64-bit integers.
pub(crate) fn idct_8x8_reference(
    coef: &[i16; BLOCK_SIZE],
    quant: &Multipliers,
    out: &mut [u8],
    stride: usize,
) {
    let mut ws = [0i32; BLOCK_SIZE];
    for col in 0..8 {
        column(coef, quant, &mut ws, col);
    }
    for (row, src) in ws.chunks_exact(8).enumerate() {
        let Some(dst) = out.get_mut(row * stride..row * stride + 8) else {
            return;
        };
        row_pass(src, dst);
    }
}

/// Pass 1 on column `col`: dequantise, 1-D IDCT, keep `PASS1_BITS` more
/// bits.
#[inline(always)]
fn column(coef: &[i16; BLOCK_SIZE], quant: &Multipliers, ws: &mut [i32; BLOCK_SIZE], col: usize) {
    let c = |row: usize| i64::from(coef[row * 8 + col]) * i64::from(quant[row * 8 + col]);
    if (1..8).all(|row| coef[row * 8 + col] == 0) {
        // AC terms all zero: the output is the DC term, scaled.
        let dc = (c(0) << PASS1_BITS) as i32;
        for row in 0..8 {
            ws[row * 8 + col] = dc;
        }
        return;
    }
    let out = idct_1d([c(0), c(1), c(2), c(3), c(4), c(5), c(6), c(7)]);
    for (row, v) in out.into_iter().enumerate() {
        ws[row * 8 + col] = descale(v, CONST_BITS - PASS1_BITS) as i32;
    }
}

/// Pass 2 on one row of the workspace, with the final range limit.
#[inline(always)]
fn row_pass(src: &[i32], dst: &mut [u8]) {
    if src[1..8].iter().all(|&v| v == 0) {
        let dc = limit(descale(i64::from(src[0]), PASS1_BITS + 3));
        dst.fill(dc);
        return;
    }
    let w = |i: usize| i64::from(src[i]);
    let out = idct_1d([w(0), w(1), w(2), w(3), w(4), w(5), w(6), w(7)]);
    for (d, v) in dst.iter_mut().zip(out) {
        *d = limit(descale(v, CONST_BITS + PASS1_BITS + 3));
    }
}

/// The 1-D IDCT of jidctint.c, before descaling: outputs carry
/// `CONST_BITS` fractional bits.
#[inline(always)]
fn idct_1d(x: [i64; 8]) -> [i64; 8] {
    // Even part: the rotator is sqrt(2) * c(-6).
    let z2 = x[2];
    let z3 = x[6];
    let z1 = (z2 + z3) * FIX_0_541196100;
    let tmp2 = z1 + z3 * -FIX_1_847759065;
    let tmp3 = z1 + z2 * FIX_0_765366865;
    let tmp0 = (x[0] + x[4]) << CONST_BITS;
    let tmp1 = (x[0] - x[4]) << CONST_BITS;
    let tmp10 = tmp0 + tmp3;
    let tmp13 = tmp0 - tmp3;
    let tmp11 = tmp1 + tmp2;
    let tmp12 = tmp1 - tmp2;

    // Odd part.
    let (t0, t1, t2, t3) = (x[7], x[5], x[3], x[1]);
    let z1 = t0 + t3;
    let z2 = t1 + t2;
    let z3 = t0 + t2;
    let z4 = t1 + t3;
    let z5 = (z3 + z4) * FIX_1_175875602;
    let t0 = t0 * FIX_0_298631336;
    let t1 = t1 * FIX_2_053119869;
    let t2 = t2 * FIX_3_072711026;
    let t3 = t3 * FIX_1_501321110;
    let z1 = z1 * -FIX_0_899976223;
    let z2 = z2 * -FIX_2_562915447;
    let z3 = z3 * -FIX_1_961570560 + z5;
    let z4 = z4 * -FIX_0_390180644 + z5;
    let t0 = t0 + z1 + z3;
    let t1 = t1 + z2 + z4;
    let t2 = t2 + z2 + z3;
    let t3 = t3 + z1 + z4;

    [
        tmp10 + t3,
        tmp11 + t2,
        tmp12 + t1,
        tmp13 + t0,
        tmp13 - t0,
        tmp12 - t1,
        tmp11 - t2,
        tmp10 - t3,
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The IDCT in floating point, straight from ITU T.81 A.3.3.
    fn float_idct(coef: &[i16; 64], quant: &Multipliers) -> [f64; 64] {
        let mut out = [0.0; 64];
        for y in 0..8 {
            for x in 0..8 {
                let mut sum = 0.0;
                for v in 0..8 {
                    for u in 0..8 {
                        let cu = if u == 0 {
                            std::f64::consts::FRAC_1_SQRT_2
                        } else {
                            1.0
                        };
                        let cv = if v == 0 {
                            std::f64::consts::FRAC_1_SQRT_2
                        } else {
                            1.0
                        };
                        let f = f64::from(coef[v * 8 + u]) * f64::from(quant[v * 8 + u]);
                        sum += cu
                            * cv
                            * f
                            * ((2 * x + 1) as f64 * u as f64 * std::f64::consts::PI / 16.0).cos()
                            * ((2 * y + 1) as f64 * v as f64 * std::f64::consts::PI / 16.0).cos();
                    }
                }
                out[y * 8 + x] = sum / 4.0 + 128.0;
            }
        }
        out
    }

    fn run(coef: &[i16; 64], quant: &Multipliers) -> [u8; 64] {
        let mut out = [0u8; 64];
        idct_8x8(coef, quant, &mut out, 8);
        out
    }

    #[test]
    fn constants_are_the_rounded_cosines() {
        let fix = |x: f64| (x * f64::from(1u32 << CONST_BITS) + 0.5) as i64;
        assert_eq!(FIX_0_298631336, fix(0.298631336));
        assert_eq!(FIX_0_390180644, fix(0.390180644));
        assert_eq!(FIX_0_541196100, fix(0.541196100));
        assert_eq!(FIX_0_765366865, fix(0.765366865));
        assert_eq!(FIX_0_899976223, fix(0.899976223));
        assert_eq!(FIX_1_175875602, fix(1.175875602));
        assert_eq!(FIX_1_501321110, fix(1.501321110));
        assert_eq!(FIX_1_847759065, fix(1.847759065));
        assert_eq!(FIX_1_961570560, fix(1.961570560));
        assert_eq!(FIX_2_053119869, fix(2.053119869));
        assert_eq!(FIX_2_562915447, fix(2.562915447));
        assert_eq!(FIX_3_072711026, fix(3.072711026));
    }

    #[test]
    fn dc_only_blocks_are_flat() {
        let quant = [1; 64];
        for dc in [-1024i16, -300, -5, 0, 4, 5, 100, 1016] {
            let mut coef = [0i16; 64];
            coef[0] = dc;
            // DESCALE(dc << 2, 5) = round(dc / 8), half up.
            let want = limit((i64::from(dc) + 4) >> 3);
            assert_eq!(run(&coef, &quant), [want; 64], "dc {dc}");
        }
    }

    #[test]
    fn within_one_of_the_float_idct() {
        let mut seed = 12345u64;
        let mut next = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as i64
        };
        for _ in 0..2000 {
            let mut coef = [0i16; 64];
            let mut quant = [1i16; 64];
            for (c, q) in coef.iter_mut().zip(quant.iter_mut()) {
                *q = 1 + (next() % 16) as i16;
                if next() % 3 == 0 {
                    *c = ((next() % 21) - 10) as i16;
                }
            }
            coef[0] = ((next() % 201) - 100) as i16;
            let got = run(&coef, &quant);
            let want = float_idct(&coef, &quant);
            // Far outside the sample range libjpeg wraps (see below).
            if want.iter().any(|&v| !(-300.0..=555.0).contains(&v)) {
                continue;
            }
            for i in 0..64 {
                let w = want[i].round().clamp(0.0, 255.0);
                assert!(
                    (f64::from(got[i]) - w).abs() <= 1.0,
                    "{i}: {} vs {}",
                    got[i],
                    want[i]
                );
            }
        }
    }

    #[test]
    fn the_range_limit_wraps_like_libjpeg() {
        assert_eq!(limit(0), 128);
        assert_eq!(limit(127), 255);
        assert_eq!(limit(128), 255);
        assert_eq!(limit(511), 255);
        assert_eq!(limit(512), 0);
        assert_eq!(limit(-128), 0);
        assert_eq!(limit(-129), 0);
        assert_eq!(limit(-1), 127);
        // 1024 wraps to 0, the centre.
        assert_eq!(limit(1024), 128);
    }

    #[test]
    fn a_known_block() {
        // One AC term: coefficient (0,1) = 10, quantiser 16, a horizontal
        // half cosine of amplitude 160 / (4 sqrt 2) around 128. The values
        // are libjpeg's (djpeg on a file holding this block); the float
        // IDCT gives 155.7, 151.5, 143.7, 133.5, 122.5, 112.3, 104.5, 100.3.
        let mut coef = [0i16; 64];
        coef[1] = 10;
        let mut quant = [1; 64];
        quant[1] = 16;
        let got = run(&coef, &quant);
        assert_eq!(&got[..8], &[156, 152, 144, 134, 122, 112, 104, 100]);
        for row in got.chunks(8) {
            assert_eq!(row, &got[..8]);
        }
    }
}

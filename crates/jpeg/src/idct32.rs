//! The same IDCT as [`super::idct`] in 32-bit arithmetic with the zero
//! column and row shortcuts, for targets without the SSE2 kernel. It is
//! used only when every dequantised coefficient and every value
//! between the passes is below 2^13 in magnitude: then no intermediate
//! leaves 32 bits, the shortcuts of jidctint.c give what the full
//! computation gives, and the result is exactly the reference's. Blocks
//! outside those bounds (only corrupt or hostile data makes them) take the
//! reference path.

use super::idct::{
    Multipliers, CONST_BITS, FIX_0_298631336, FIX_0_390180644, FIX_0_541196100, FIX_0_765366865,
    FIX_0_899976223, FIX_1_175875602, FIX_1_501321110, FIX_1_847759065, FIX_1_961570560,
    FIX_2_053119869, FIX_2_562915447, FIX_3_072711026, PASS1_BITS,
};
use super::markers::BLOCK_SIZE;

/// Inputs of either pass must stay below this in magnitude for 32-bit
/// arithmetic to be exact: the largest sum of products of the 1-D IDCT is
/// then under 2^31.
const SAFE: i32 = 1 << 13;

/// libjpeg's wrap-around range limit, as arithmetic: the value taken as a
/// signed 10-bit number, plus 128, clamped.
#[inline(always)]
fn limit(v: i32) -> u8 {
    ((v.wrapping_add(512) & 1023) - 384).clamp(0, 255) as u8
}

/// The 1-D IDCT of jidctint.c in 32 bits, before descaling.
#[inline(always)]
fn idct_1d_scalar(x: [i32; 8]) -> [i32; 8] {
    let c = |k: i64| k as i32;
    let z2 = x[2];
    let z3 = x[6];
    let z1 = (z2 + z3) * c(FIX_0_541196100);
    let tmp2 = z1 + z3 * -c(FIX_1_847759065);
    let tmp3 = z1 + z2 * c(FIX_0_765366865);
    let tmp0 = (x[0] + x[4]) << CONST_BITS;
    let tmp1 = (x[0] - x[4]) << CONST_BITS;
    let tmp10 = tmp0 + tmp3;
    let tmp13 = tmp0 - tmp3;
    let tmp11 = tmp1 + tmp2;
    let tmp12 = tmp1 - tmp2;
    let (t0, t1, t2, t3) = (x[7], x[5], x[3], x[1]);
    let z1 = t0 + t3;
    let z2 = t1 + t2;
    let z3 = t0 + t2;
    let z4 = t1 + t3;
    let z5 = (z3 + z4) * c(FIX_1_175875602);
    let t0 = t0 * c(FIX_0_298631336);
    let t1 = t1 * c(FIX_2_053119869);
    let t2 = t2 * c(FIX_3_072711026);
    let t3 = t3 * c(FIX_1_501321110);
    let z1 = z1 * -c(FIX_0_899976223);
    let z2 = z2 * -c(FIX_2_562915447);
    let z3 = z3 * -c(FIX_1_961570560) + z5;
    let z4 = z4 * -c(FIX_0_390180644) + z5;
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

#[inline(always)]
fn small(v: i32) -> bool {
    v > -SAFE && v < SAFE
}

/// The IDCT of one block into `out` (rows `stride` apart), or `false`
/// (nothing written) when the block is outside the bounds where 32 bits
/// are exact.
pub(crate) fn idct_8x8(
    coef: &[i16; BLOCK_SIZE],
    quant: &Multipliers,
    out: &mut [u8],
    stride: usize,
) -> bool {
    let mut d = [0i32; BLOCK_SIZE];
    let mut ok = true;
    for ((d, &c), &q) in d.iter_mut().zip(coef).zip(quant) {
        *d = i32::from(c) * i32::from(q);
        ok &= small(*d);
    }
    if !ok {
        return false;
    }
    const PASS1_SHIFT: u32 = CONST_BITS - PASS1_BITS;
    let mut ws = [0i32; BLOCK_SIZE];
    for col in 0..8 {
        let x: [i32; 8] = std::array::from_fn(|k| d[k * 8 + col]);
        if x[1..].iter().fold(0, |a, &v| a | v) == 0 {
            for row in 0..8 {
                ws[row * 8 + col] = x[0] << PASS1_BITS;
            }
            continue;
        }
        let y = idct_1d_scalar(x);
        for row in 0..8 {
            let v = (y[row] + (1 << (PASS1_SHIFT - 1))) >> PASS1_SHIFT;
            ok &= small(v);
            ws[row * 8 + col] = v;
        }
    }
    if !ok {
        return false;
    }
    const PASS2_SHIFT: u32 = CONST_BITS + PASS1_BITS + 3;
    for (w, dst) in ws.chunks_exact(8).zip(out.chunks_mut(stride)) {
        let Some(dst) = dst.get_mut(..8) else {
            continue;
        };
        if w[1..].iter().fold(0, |a, &v| a | v) == 0 {
            dst.fill(limit((w[0] + (1 << (PASS1_BITS + 2))) >> (PASS1_BITS + 3)));
            continue;
        }
        let y = idct_1d_scalar(std::array::from_fn(|k| w[k]));
        for (o, v) in dst.iter_mut().zip(y) {
            *o = limit((v + (1 << (PASS2_SHIFT - 1))) >> PASS2_SHIFT);
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference(coef: &[i16; 64], quant: &Multipliers) -> [u8; 64] {
        let mut out = [0u8; 64];
        super::super::idct::idct_8x8_reference(coef, quant, &mut out, 8);
        out
    }

    #[test]
    fn equals_the_reference_on_random_blocks() {
        let mut seed = 7u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as i64
        };
        let mut checked = 0;
        for round in 0..200_000 {
            let mut coef = [0i16; 64];
            let mut quant = [0i16; 64];
            let density = 1 + round % 8;
            let magnitude = [4, 30, 200, 1000, 2047][round % 5];
            for (c, q) in coef.iter_mut().zip(quant.iter_mut()) {
                *q = 1 + (next() % [2, 16, 60, 255][round % 4]) as i16;
                if next() % 8 < density as i64 {
                    *c = ((next() % (2 * magnitude + 1)) - magnitude) as i16;
                }
            }
            let mut out = [0u8; 64];
            if idct_8x8(&coef, &quant, &mut out, 8) {
                checked += 1;
                assert_eq!(out, reference(&coef, &quant), "round {round}");
            }
        }
        assert!(checked > 50_000, "{checked}");
    }

    #[test]
    fn the_arithmetic_limit_is_the_table() {
        for v in -5000..5000 {
            assert_eq!(limit(v), super::super::idct::limit(i64::from(v)), "{v}");
        }
    }
}

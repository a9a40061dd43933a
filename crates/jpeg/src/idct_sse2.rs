//! The IDCT of [`super::idct`] with SSE2 (part of every x86-64 CPU): eight
//! columns per register in 16-bit lanes, products and sums in 32 bits
//! through `pmaddwd`, transposes between the passes. The rotations of
//! jidctint.c are regrouped as pairs of products (for instance
//! `(z2 + z3) * c1 + z2 * c2` as `z2 * (c1 + c2) + z3 * c1`), which is the
//! same integer arithmetic. Used only when every dequantised coefficient
//! and every value between the passes is below 2^13 in magnitude, so that
//! nothing overflows and the result equals the 64-bit reference; other
//! blocks are left to the reference. Tested against it below.

use core::arch::x86_64::{
    __m128i, _mm_add_epi16, _mm_add_epi32, _mm_and_si128, _mm_cmpeq_epi16, _mm_madd_epi16,
    _mm_movemask_epi8, _mm_mulhi_epi16, _mm_mullo_epi16, _mm_packs_epi32, _mm_packus_epi16,
    _mm_set1_epi16, _mm_set1_epi32, _mm_set_epi16, _mm_setzero_si128, _mm_srai_epi16,
    _mm_srai_epi32, _mm_sub_epi16, _mm_sub_epi32, _mm_unpackhi_epi16, _mm_unpackhi_epi32,
    _mm_unpackhi_epi64, _mm_unpacklo_epi16, _mm_unpacklo_epi32, _mm_unpacklo_epi64,
};

use super::idct::{
    Multipliers, CONST_BITS, FIX_0_298631336, FIX_0_390180644, FIX_0_541196100, FIX_0_765366865,
    FIX_0_899976223, FIX_1_175875602, FIX_1_501321110, FIX_1_847759065, FIX_1_961570560,
    FIX_2_053119869, FIX_2_562915447, FIX_3_072711026, PASS1_BITS,
};
use super::markers::BLOCK_SIZE;

/// Inputs of either pass must stay below this in magnitude.
const SAFE: i16 = 1 << 13;

/// A pair of 16-bit constants for `pmaddwd`: lanes alternate `a`, `b`.
#[target_feature(enable = "sse2")]
fn pair(a: i64, b: i64) -> __m128i {
    _mm_set_epi16(
        b as i16, a as i16, b as i16, a as i16, b as i16, a as i16, b as i16, a as i16,
    )
}

/// `x * a + y * b` in 32 bits, for the low and high four lanes.
#[target_feature(enable = "sse2")]
fn madd(x: __m128i, y: __m128i, k: __m128i) -> (__m128i, __m128i) {
    (
        _mm_madd_epi16(_mm_unpacklo_epi16(x, y), k),
        _mm_madd_epi16(_mm_unpackhi_epi16(x, y), k),
    )
}

/// `x << CONST_BITS` in 32 bits, low and high lanes.
#[target_feature(enable = "sse2")]
fn widen_scaled(x: __m128i) -> (__m128i, __m128i) {
    let zero = _mm_setzero_si128();
    (
        _mm_srai_epi32::<{ 16 - CONST_BITS as i32 }>(_mm_unpacklo_epi16(zero, x)),
        _mm_srai_epi32::<{ 16 - CONST_BITS as i32 }>(_mm_unpackhi_epi16(zero, x)),
    )
}

type Wide = (__m128i, __m128i);

#[target_feature(enable = "sse2")]
fn add(a: Wide, b: Wide) -> Wide {
    (_mm_add_epi32(a.0, b.0), _mm_add_epi32(a.1, b.1))
}

#[target_feature(enable = "sse2")]
fn sub(a: Wide, b: Wide) -> Wide {
    (_mm_sub_epi32(a.0, b.0), _mm_sub_epi32(a.1, b.1))
}

/// Adds `round`, shifts right by `SHIFT` and packs to 16 bits (saturating).
#[target_feature(enable = "sse2")]
fn descale<const SHIFT: i32>(a: Wide, round: __m128i) -> __m128i {
    _mm_packs_epi32(
        _mm_srai_epi32::<SHIFT>(_mm_add_epi32(a.0, round)),
        _mm_srai_epi32::<SHIFT>(_mm_add_epi32(a.1, round)),
    )
}

/// The 1-D IDCT on eight lanes, before descaling: `x[k]` is input k.
#[target_feature(enable = "sse2")]
fn idct_1d(x: &[__m128i; 8]) -> [Wide; 8] {
    // Even part.
    let tmp3 = madd(
        x[2],
        x[6],
        pair(FIX_0_541196100 + FIX_0_765366865, FIX_0_541196100),
    );
    let tmp2 = madd(
        x[2],
        x[6],
        pair(FIX_0_541196100, FIX_0_541196100 - FIX_1_847759065),
    );
    let tmp0 = widen_scaled(_mm_add_epi16(x[0], x[4]));
    let tmp1 = widen_scaled(_mm_sub_epi16(x[0], x[4]));
    let tmp10 = add(tmp0, tmp3);
    let tmp13 = sub(tmp0, tmp3);
    let tmp11 = add(tmp1, tmp2);
    let tmp12 = sub(tmp1, tmp2);

    // Odd part: t0..t3 are inputs 7, 5, 3, 1.
    let (t0, t1, t2, t3) = (x[7], x[5], x[3], x[1]);
    let z3 = _mm_add_epi16(t0, t2);
    let z4 = _mm_add_epi16(t1, t3);
    // z3 * -c + z5 and z4 * -c + z5, with z5 = (z3 + z4) * FIX_1_175875602.
    let z3p = madd(
        z3,
        z4,
        pair(FIX_1_175875602 - FIX_1_961570560, FIX_1_175875602),
    );
    let z4p = madd(
        z3,
        z4,
        pair(FIX_1_175875602, FIX_1_175875602 - FIX_0_390180644),
    );
    // t0 * c + z1 * -c with z1 = t0 + t3, and so on.
    let o0 = madd(
        t0,
        t3,
        pair(FIX_0_298631336 - FIX_0_899976223, -FIX_0_899976223),
    );
    let o3 = madd(
        t0,
        t3,
        pair(-FIX_0_899976223, FIX_1_501321110 - FIX_0_899976223),
    );
    let o1 = madd(
        t1,
        t2,
        pair(FIX_2_053119869 - FIX_2_562915447, -FIX_2_562915447),
    );
    let o2 = madd(
        t1,
        t2,
        pair(-FIX_2_562915447, FIX_3_072711026 - FIX_2_562915447),
    );
    let t0 = add(o0, z3p);
    let t1 = add(o1, z4p);
    let t2 = add(o2, z3p);
    let t3 = add(o3, z4p);

    [
        add(tmp10, t3),
        add(tmp11, t2),
        add(tmp12, t1),
        add(tmp13, t0),
        sub(tmp13, t0),
        sub(tmp12, t1),
        sub(tmp11, t2),
        sub(tmp10, t3),
    ]
}

/// Transposes eight rows of eight 16-bit values.
#[target_feature(enable = "sse2")]
fn transpose(r: [__m128i; 8]) -> [__m128i; 8] {
    let a0 = _mm_unpacklo_epi16(r[0], r[1]);
    let a1 = _mm_unpackhi_epi16(r[0], r[1]);
    let a2 = _mm_unpacklo_epi16(r[2], r[3]);
    let a3 = _mm_unpackhi_epi16(r[2], r[3]);
    let a4 = _mm_unpacklo_epi16(r[4], r[5]);
    let a5 = _mm_unpackhi_epi16(r[4], r[5]);
    let a6 = _mm_unpacklo_epi16(r[6], r[7]);
    let a7 = _mm_unpackhi_epi16(r[6], r[7]);
    let b0 = _mm_unpacklo_epi32(a0, a2);
    let b1 = _mm_unpackhi_epi32(a0, a2);
    let b2 = _mm_unpacklo_epi32(a1, a3);
    let b3 = _mm_unpackhi_epi32(a1, a3);
    let b4 = _mm_unpacklo_epi32(a4, a6);
    let b5 = _mm_unpackhi_epi32(a4, a6);
    let b6 = _mm_unpacklo_epi32(a5, a7);
    let b7 = _mm_unpackhi_epi32(a5, a7);
    [
        _mm_unpacklo_epi64(b0, b4),
        _mm_unpackhi_epi64(b0, b4),
        _mm_unpacklo_epi64(b1, b5),
        _mm_unpackhi_epi64(b1, b5),
        _mm_unpacklo_epi64(b2, b6),
        _mm_unpackhi_epi64(b2, b6),
        _mm_unpacklo_epi64(b3, b7),
        _mm_unpackhi_epi64(b3, b7),
    ]
}

/// All lanes of all rows strictly between -2^13 and 2^13.
#[target_feature(enable = "sse2")]
fn all_small(rows: &[__m128i; 8]) -> bool {
    let bias = _mm_set1_epi16(SAFE - 1);
    let mut ok = _mm_set1_epi16(-1);
    for &r in rows {
        // |v| < 2^13 exactly when (v + 2^13 - 1) >> 14 == 0 for v > -2^13,
        // i.e. v + 8191 lies in 0..16383.
        let shifted = _mm_srai_epi16::<14>(_mm_add_epi16(r, bias));
        ok = _mm_and_si128(ok, _mm_cmpeq_epi16(shifted, _mm_setzero_si128()));
    }
    _mm_movemask_epi8(ok) == 0xFFFF
}

/// The IDCT of one block, or `false` (nothing written) outside the bounds.
#[target_feature(enable = "sse2")]
fn idct_8x8_sse2(
    coef: &[i16; BLOCK_SIZE],
    quant: &Multipliers,
    out: &mut [u8],
    stride: usize,
) -> bool {
    let mut rows = [_mm_setzero_si128(); 8];
    let mut fits = _mm_set1_epi16(-1);
    for (r, (c, q)) in rows
        .iter_mut()
        .zip(coef.chunks_exact(8).zip(quant.chunks_exact(8)))
    {
        let mut c8 = [0i16; 8];
        c8.copy_from_slice(c);
        let mut q8 = [0i16; 8];
        q8.copy_from_slice(q);
        let (c8, q8): (__m128i, __m128i) = (bytemuck::cast(c8), bytemuck::cast(q8));
        let lo = _mm_mullo_epi16(c8, q8);
        let hi = _mm_mulhi_epi16(c8, q8);
        // The 32-bit product fits 16 bits when the high half is the sign
        // of the low half.
        fits = _mm_and_si128(fits, _mm_cmpeq_epi16(hi, _mm_srai_epi16::<15>(lo)));
        *r = lo;
    }
    if _mm_movemask_epi8(fits) != 0xFFFF || !all_small(&rows) {
        return false;
    }
    // Pass 1: lanes are columns; `DESCALE` by CONST_BITS - PASS1_BITS.
    const SHIFT1: i32 = (CONST_BITS - PASS1_BITS) as i32;
    let round1 = _mm_set1_epi32(1 << (SHIFT1 - 1));
    let y = idct_1d(&rows);
    let mut ws = [_mm_setzero_si128(); 8];
    for (w, v) in ws.iter_mut().zip(y) {
        *w = descale::<SHIFT1>(v, round1);
    }
    if !all_small(&ws) {
        return false;
    }
    // Pass 2: lanes are rows; `DESCALE` by CONST_BITS + PASS1_BITS + 3.
    const SHIFT2: i32 = (CONST_BITS + PASS1_BITS + 3) as i32;
    let round2 = _mm_set1_epi32(1 << (SHIFT2 - 1));
    let y = idct_1d(&transpose(ws));
    // Range limit: the value as a signed 10-bit number plus 128, clamped
    // by the unsigned saturating pack.
    let wrap = _mm_set1_epi16(512);
    let mask = _mm_set1_epi16(1023);
    let recentre = _mm_set1_epi16(384);
    let mut cols = [_mm_setzero_si128(); 8];
    for (c, v) in cols.iter_mut().zip(y) {
        let v = descale::<SHIFT2>(v, round2);
        *c = _mm_sub_epi16(_mm_and_si128(_mm_add_epi16(v, wrap), mask), recentre);
    }
    let rows = transpose(cols);
    for (pair_index, dst) in out.chunks_mut(stride).take(8).enumerate() {
        let packed: [u8; 16] = bytemuck::cast(_mm_packus_epi16(rows[pair_index], rows[pair_index]));
        if let Some(dst) = dst.get_mut(..8) {
            dst.copy_from_slice(&packed[..8]);
        }
    }
    true
}

/// The IDCT of one block, or `false` (nothing written) when the block is
/// outside the bounds where this path is exact.
pub(crate) fn idct_8x8(
    coef: &[i16; BLOCK_SIZE],
    quant: &Multipliers,
    out: &mut [u8],
    stride: usize,
) -> bool {
    // SAFETY: SSE2 is part of the x86-64 baseline, so the target feature
    // the function enables is always present.
    unsafe { idct_8x8_sse2(coef, quant, out, stride) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equals_the_reference_on_random_blocks() {
        let mut seed = 11u64;
        let mut next = move || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as i64
        };
        let mut checked = 0;
        for round in 0..300_000 {
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
            let mut fast = [0u8; 64];
            let mut slow = [0u8; 64];
            super::super::idct::idct_8x8_reference(&coef, &quant, &mut slow, 8);
            if idct_8x8(&coef, &quant, &mut fast, 8) {
                checked += 1;
                assert_eq!(fast, slow, "round {round}");
            }
        }
        assert!(checked > 50_000, "{checked}");
    }
}

//! From 16x16 DCT coefficients to hash bits, and the eight dihedral variants.

use crate::Hash256;

/// The lower median of 256 values, the 128th smallest: what Torben's
/// algorithm (`torben.cpp`) returns for an even count.
fn median(values: &[[f32; 16]; 16]) -> f32 {
    let mut flat: Vec<f32> = values.iter().flatten().copied().collect();
    let (_, m, _) = flat.select_nth_unstable_by(127, f32::total_cmp);
    *m
}

/// Bit `16 * i + j` is set iff coefficient `(i, j)` is strictly above the
/// median (`pdqBuffer16x16ToBits`).
pub(crate) fn to_bits(dct: &[[f32; 16]; 16]) -> Hash256 {
    let m = median(dct);
    let mut hash = Hash256::ZERO;
    for (i, row) in dct.iter().enumerate() {
        for (j, &v) in row.iter().enumerate() {
            if v > m {
                hash.set_bit(16 * i + j);
            }
        }
    }
    hash
}

/// The eight symmetries of the square, in the reference's order and naming
/// (`pdqhashing.h`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Dihedral {
    /// The image as it is.
    Original,
    /// Turned 90 degrees counter-clockwise.
    Rotate90,
    /// Turned 180 degrees.
    Rotate180,
    /// Turned 90 degrees clockwise.
    Rotate270,
    /// Upside down (top and bottom swapped).
    FlipX,
    /// Mirrored (left and right swapped).
    FlipY,
    /// Transposed about the main diagonal.
    FlipPlus1,
    /// Transposed about the anti-diagonal.
    FlipMinus1,
}

impl Dihedral {
    /// All eight, in the reference's output order.
    pub const ALL: [Dihedral; 8] = [
        Dihedral::Original,
        Dihedral::Rotate90,
        Dihedral::Rotate180,
        Dihedral::Rotate270,
        Dihedral::FlipX,
        Dihedral::FlipY,
        Dihedral::FlipPlus1,
        Dihedral::FlipMinus1,
    ];

    /// The label the reference CLI uses.
    pub fn label(self) -> &'static str {
        match self {
            Dihedral::Original => "orig",
            Dihedral::Rotate90 => "rot90",
            Dihedral::Rotate180 => "rot180",
            Dihedral::Rotate270 => "rot270",
            Dihedral::FlipX => "flipx",
            Dihedral::FlipY => "flipy",
            Dihedral::FlipPlus1 => "flipplus1",
            Dihedral::FlipMinus1 => "flipminus1",
        }
    }

    /// The DCT of the transformed image, from the DCT of the original.
    ///
    /// A horizontal or vertical mirror negates the odd-indexed frequencies
    /// (index 0 is frequency 1) along its axis; a quarter turn is a transpose
    /// plus a mirror (`dct16OriginalTo*`).
    pub(crate) fn apply(self, a: &[[f32; 16]; 16]) -> [[f32; 16]; 16] {
        let mut b = [[0f32; 16]; 16];
        let sign = |negate: bool, v: f32| if negate { -v } else { v };
        for i in 0..16 {
            for j in 0..16 {
                let v = a[i][j];
                let (i_even, j_even, sum_odd) = (i % 2 == 0, j % 2 == 0, (i + j) % 2 == 1);
                match self {
                    Dihedral::Original => b[i][j] = v,
                    Dihedral::Rotate90 => b[j][i] = sign(j_even, v),
                    Dihedral::Rotate180 => b[i][j] = sign(sum_odd, v),
                    Dihedral::Rotate270 => b[j][i] = sign(i_even, v),
                    Dihedral::FlipX => b[i][j] = sign(i_even, v),
                    Dihedral::FlipY => b[i][j] = sign(j_even, v),
                    Dihedral::FlipPlus1 => b[j][i] = v,
                    Dihedral::FlipMinus1 => b[j][i] = sign(sum_odd, v),
                }
            }
        }
        b
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ramp() -> [[f32; 16]; 16] {
        let mut a = [[0f32; 16]; 16];
        for (i, row) in a.iter_mut().enumerate() {
            for (j, v) in row.iter_mut().enumerate() {
                *v = ((i * 16 + j) as f32 * 37.0) % 101.0 - 50.0;
            }
        }
        a
    }

    #[test]
    fn median_is_the_128th_smallest() {
        let a = ramp();
        let mut sorted: Vec<f32> = a.iter().flatten().copied().collect();
        sorted.sort_by(f32::total_cmp);
        assert_eq!(median(&a), sorted[127]);
    }

    #[test]
    fn distinct_values_set_half_the_bits() {
        let mut a = [[0f32; 16]; 16];
        for (k, v) in a.iter_mut().flatten().enumerate() {
            *v = ((k * 97) % 256) as f32;
        }
        assert_eq!(to_bits(&a).count_ones(), 128);
    }

    #[test]
    fn transforms_compose_like_the_square() {
        let a = ramp();
        let twice = |t: Dihedral| t.apply(&t.apply(&a));
        // Mirrors and the half turn are their own inverses.
        for t in [
            Dihedral::Rotate180,
            Dihedral::FlipX,
            Dihedral::FlipY,
            Dihedral::FlipPlus1,
            Dihedral::FlipMinus1,
        ] {
            assert_eq!(twice(t), a, "{t:?}");
        }
        // Two quarter turns make a half turn; a quarter each way cancels.
        assert_eq!(twice(Dihedral::Rotate90), Dihedral::Rotate180.apply(&a));
        assert_eq!(Dihedral::Rotate270.apply(&Dihedral::Rotate90.apply(&a)), a);
        // Both mirrors make a half turn.
        assert_eq!(
            Dihedral::FlipX.apply(&Dihedral::FlipY.apply(&a)),
            Dihedral::Rotate180.apply(&a)
        );
    }
}

//! Bit masks of a given width and weight, enumerated once and cached.
//!
//! A table probe at radius `s` visits every bucket whose directory bits differ
//! from the query's in at most `s` places: the query's bits XOR each mask of
//! weight `0..=s`.

use std::sync::OnceLock;

use crate::table::MAX_DIRECTORY_BITS;

/// Highest per-table radius a search uses: radius 63 over 8 tables is 7 each.
pub(crate) const MAX_WEIGHT: u32 = 7;

const WIDTHS: usize = MAX_DIRECTORY_BITS as usize + 1;
const WEIGHTS: usize = MAX_WEIGHT as usize + 1;

static CACHE: [[OnceLock<Box<[u32]>>; WEIGHTS]; WIDTHS] =
    [const { [const { OnceLock::new() }; WEIGHTS] }; WIDTHS];

/// All `width`-bit masks with exactly `weight` bits set, in increasing order.
pub(crate) fn masks(width: u32, weight: u32) -> &'static [u32] {
    assert!(width <= MAX_DIRECTORY_BITS && weight <= MAX_WEIGHT);
    CACHE[width as usize][weight as usize].get_or_init(|| generate(width, weight))
}

fn generate(width: u32, weight: u32) -> Box<[u32]> {
    if weight > width {
        return Box::new([]);
    }
    if weight == 0 {
        return Box::new([0]);
    }
    let mut out = Vec::new();
    let end = 1u64 << width;
    // Gosper's hack: the next larger integer with the same number of bits set.
    let mut mask = (1u64 << weight) - 1;
    while mask < end {
        out.push(mask as u32);
        let lowest = mask & mask.wrapping_neg();
        let ripple = mask + lowest;
        mask = (((ripple ^ mask) >> 2) / lowest) | ripple;
    }
    out.into_boxed_slice()
}

/// Number of `width`-bit masks of weight at most `radius`: the volume of a Hamming ball.
pub(crate) fn ball(width: u32, radius: u32) -> f64 {
    let mut term = 1.0;
    let mut total = 1.0;
    for i in 1..=radius.min(width) {
        term = term * f64::from(width - i + 1) / f64::from(i);
        total += term;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_have_the_right_weight_and_count() {
        for width in [1, 5, 12] {
            for weight in 0..=MAX_WEIGHT {
                let list = masks(width, weight);
                assert!(list.iter().all(|m| m.count_ones() == weight));
                assert!(list.iter().all(|&m| u64::from(m) < 1u64 << width));
                assert!(list.windows(2).all(|w| w[0] < w[1]));
                let expected = ball(width, weight)
                    - if weight == 0 {
                        0.0
                    } else {
                        ball(width, weight - 1)
                    };
                assert_eq!(
                    list.len() as f64,
                    expected.round(),
                    "width {width} weight {weight}"
                );
            }
        }
    }

    #[test]
    fn ball_volumes() {
        assert_eq!(ball(16, 1), 17.0);
        assert_eq!(ball(32, 3), 5489.0);
        assert_eq!(ball(3, 9), 8.0);
    }
}

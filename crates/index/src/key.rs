//! The substrings that multi-index hashing cuts a 256-bit hash into.

/// Number of substrings, and so of lookup tables per segment.
///
/// 8 substrings of 32 bits cover all 256 bits. At PDQ's radius 31 each table
/// is then probed at radius 3 (pigeonhole: 8 x (3 + 1) = 32 > 31). Fewer
/// tables would need radius 4 and about 30 times more probes; more tables
/// would not fit the memory budget of one 3-byte posting per table and hash.
pub(crate) const SUBSTRINGS: usize = 8;

/// Bits per substring.
pub(crate) const SUBSTRING_BITS: u32 = 32;

/// Substring `table` (0..8) of a hash: bits `32 * table .. 32 * table + 31`,
/// which are PDQ words (DCT rows) `2 * table` and `2 * table + 1`.
#[inline(always)]
pub(crate) fn substring(hash: &[u64; 4], table: usize) -> u32 {
    (hash[table / 2] >> ((table % 2) * 32)) as u32
}

/// Hamming distance between substring `table` of two hashes.
#[inline(always)]
pub(crate) fn substring_distance(a: &[u64; 4], b: &[u64; 4], table: usize) -> u32 {
    (substring(a, table) ^ substring(b, table)).count_ones()
}

/// Hamming distance between two hashes.
#[inline(always)]
pub(crate) fn distance(a: &[u64; 4], b: &[u64; 4]) -> u32 {
    (a[0] ^ b[0]).count_ones()
        + (a[1] ^ b[1]).count_ones()
        + (a[2] ^ b[2]).count_ones()
        + (a[3] ^ b[3]).count_ones()
}

#[cfg(test)]
mod tests {
    use super::*;
    use pdq::Hash256;

    #[test]
    fn substrings_are_pairs_of_pdq_words() {
        let hash = Hash256([
            0x4444_3333_2222_1111,
            0x8888_7777_6666_5555,
            0xcccc_bbbb_aaaa_9999,
            0x0000_ffff_eeee_dddd,
        ]);
        for table in 0..SUBSTRINGS {
            let low = u32::from(hash.word(2 * table));
            let high = u32::from(hash.word(2 * table + 1));
            assert_eq!(substring(&hash.0, table), low | (high << 16));
        }
    }

    #[test]
    fn distance_agrees_with_pdq() {
        let a = Hash256([1, 2, 3, u64::MAX]);
        let b = Hash256([7, 0, 3, 0]);
        assert_eq!(distance(&a.0, &b.0), a.distance(&b));
        let by_parts: u32 = (0..SUBSTRINGS)
            .map(|t| substring_distance(&a.0, &b.0, t))
            .sum();
        assert_eq!(by_parts, a.distance(&b));
    }
}

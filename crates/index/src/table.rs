//! One lookup table of multi-index hashing: a segment's positions grouped by
//! the top bits of one substring.
//!
//! A table is a directory of `2^bits + 1` offsets into a postings array. The
//! postings of bucket `b` are the positions whose substring starts with the
//! bits `b`; each posting also carries the next [`FILTER_BITS`] bits of the
//! substring, so that a probe can drop most non-matches without fetching the
//! full hash. A posting is `position << 8 | filter` in a u32 while positions fit
//! in 24 bits (segments up to 16.7 million hashes: 4 bytes per hash and
//! table), in a u64 above that.

use std::ops::Range;

/// Substring bits kept beside each posting, right below the directory bits.
pub(crate) const FILTER_BITS: u32 = 8;

/// Largest directory: 2^24 buckets. With [`FILTER_BITS`] this uses all 32
/// bits of a substring.
pub(crate) const MAX_DIRECTORY_BITS: u32 = 32 - FILTER_BITS;

/// Smallest directory: 2 buckets.
pub(crate) const MIN_DIRECTORY_BITS: u32 = 1;

/// The directory aims at 32 to 64 hashes per bucket (2^5 to 2^6). Larger
/// buckets cost more filtering per probe; smaller ones cost more directory
/// memory. With 32-64 per bucket the 8 directories of a segment take under
/// 1 byte per hash.
pub(crate) const BUCKET_LOG: u32 = 5;

/// Largest segment whose postings are 4 bytes.
pub(crate) const NARROW_LIMIT: usize = 1 << (32 - FILTER_BITS);

/// Directory bits for a segment of `len` hashes: floor(log2(len)) - 5, within 1..=24.
pub(crate) fn directory_bits(len: usize) -> u32 {
    let log = usize::BITS - 1 - len.max(1).leading_zeros();
    log.saturating_sub(BUCKET_LOG)
        .clamp(MIN_DIRECTORY_BITS, MAX_DIRECTORY_BITS)
}

/// The bucket of a substring.
#[inline(always)]
pub(crate) fn bucket_of(key: u32, bits: u32) -> usize {
    (key >> (32 - bits)) as usize
}

/// The filter byte of a substring: the 8 bits right below the directory bits.
#[inline(always)]
pub(crate) fn filter_of(key: u32, bits: u32) -> u8 {
    (key >> (MAX_DIRECTORY_BITS - bits)) as u8
}

/// Bucket offsets: bucket `b` is `offsets[b]..offsets[b + 1]`.
#[derive(Clone, Debug)]
pub(crate) struct Directory {
    bits: u32,
    offsets: Vec<u32>,
}

impl Directory {
    /// Groups `keys` by bucket (a counting sort, stable). Returns the
    /// directory and the positions in bucket order.
    #[cfg(test)]
    pub(crate) fn group(keys: &[u32], bits: u32) -> (Directory, Vec<u32>) {
        let mut order = Vec::new();
        let directory = Directory::group_into(keys, bits, &mut order);
        (directory, order)
    }

    /// [`Directory::group`] writing the order into `order` (reused between
    /// tables, so that building leaves no holes in the heap).
    pub(crate) fn group_into(keys: &[u32], bits: u32, order: &mut Vec<u32>) -> Directory {
        assert!(
            keys.len() < u32::MAX as usize,
            "a segment holds fewer than 2^32 hashes"
        );
        let mut offsets = vec![0u32; (1usize << bits) + 1];
        for &key in keys {
            offsets[bucket_of(key, bits) + 1] += 1;
        }
        for b in 1..offsets.len() {
            offsets[b] += offsets[b - 1];
        }
        let mut cursor = offsets.clone();
        order.clear();
        order.resize(keys.len(), 0);
        for (position, &key) in keys.iter().enumerate() {
            let slot = &mut cursor[bucket_of(key, bits)];
            order[*slot as usize] = position as u32;
            *slot += 1;
        }
        Directory { bits, offsets }
    }

    /// From stored offsets; `None` unless they are `2^bits + 1` non-decreasing
    /// offsets from 0 to `len`.
    pub(crate) fn from_parts(bits: u32, offsets: Vec<u32>, len: usize) -> Option<Directory> {
        let valid = (MIN_DIRECTORY_BITS..=MAX_DIRECTORY_BITS).contains(&bits)
            && offsets.len() == (1usize << bits) + 1
            && offsets[0] == 0
            && *offsets.last()? as usize == len
            && offsets.windows(2).all(|w| w[0] <= w[1]);
        valid.then_some(Directory { bits, offsets })
    }

    #[inline(always)]
    pub(crate) fn bits(&self) -> u32 {
        self.bits
    }

    /// The positions range of bucket `bucket`.
    #[inline(always)]
    pub(crate) fn range(&self, bucket: usize) -> Range<usize> {
        self.offsets[bucket] as usize..self.offsets[bucket + 1] as usize
    }

    pub(crate) fn offsets(&self) -> &[u32] {
        &self.offsets
    }
}

/// The postings of a table, 4 or 8 bytes each.
#[derive(Clone, Debug)]
pub(crate) enum Postings {
    /// `position << 8 | filter`, for segments up to [`NARROW_LIMIT`] hashes.
    Narrow(Vec<u32>),
    /// The same in a u64, for larger segments.
    Wide(Vec<u64>),
}

/// A posting read back.
pub(crate) trait Posting: Copy {
    fn position(self) -> usize;
    fn filter(self) -> u8;
    /// The order within a bucket: by filter byte, then by position.
    fn order(self) -> u64;
}

impl Posting for u32 {
    #[inline(always)]
    fn position(self) -> usize {
        (self >> FILTER_BITS) as usize
    }
    #[inline(always)]
    fn filter(self) -> u8 {
        self as u8
    }
    #[inline(always)]
    fn order(self) -> u64 {
        // The filter byte on top of the 24-bit position.
        u64::from(self.rotate_right(FILTER_BITS))
    }
}

impl Posting for u64 {
    #[inline(always)]
    fn position(self) -> usize {
        (self >> FILTER_BITS) as usize
    }
    #[inline(always)]
    fn filter(self) -> u8 {
        self as u8
    }
    #[inline(always)]
    fn order(self) -> u64 {
        // The filter byte on top of the 56-bit position.
        self.rotate_right(FILTER_BITS)
    }
}

impl Postings {
    pub(crate) fn len(&self) -> usize {
        match self {
            Postings::Narrow(p) => p.len(),
            Postings::Wide(p) => p.len(),
        }
    }

    /// Bytes per posting.
    pub(crate) fn width(&self) -> usize {
        match self {
            Postings::Narrow(_) => 4,
            Postings::Wide(_) => 8,
        }
    }

    /// Whether every posting points inside a segment of `len` hashes.
    pub(crate) fn positions_below(&self, len: usize) -> bool {
        match self {
            Postings::Narrow(p) => p.iter().fold(true, |ok, e| ok & (e.position() < len)),
            Postings::Wide(p) => p.iter().fold(true, |ok, e| ok & (e.position() < len)),
        }
    }

    /// Whether every bucket of `directory` is sorted by filter byte, then position.
    pub(crate) fn ordered(&self, directory: &Directory) -> bool {
        match self {
            Postings::Narrow(p) => buckets_sorted(directory, p),
            Postings::Wide(p) => buckets_sorted(directory, p),
        }
    }
}

/// Sorts each bucket by filter byte, then position: a probe that needs the
/// filter byte exactly then reads the cache line where that byte's run sits
/// instead of the whole bucket.
fn sort_buckets<P: Posting>(directory: &Directory, postings: &mut [P]) {
    for b in 0..directory.offsets.len() - 1 {
        postings[directory.range(b)].sort_unstable_by_key(|p| p.order());
    }
}

/// Whether every bucket is sorted by filter byte, then position.
fn buckets_sorted<P: Posting>(directory: &Directory, postings: &[P]) -> bool {
    (0..directory.offsets.len() - 1).all(|b| {
        postings[directory.range(b)]
            .windows(2)
            .all(|w| w[0].order() <= w[1].order())
    })
}

/// A lookup table on one substring of a segment's hashes.
#[derive(Clone, Debug)]
pub(crate) struct Table {
    pub(crate) directory: Directory,
    pub(crate) postings: Postings,
}

impl Table {
    /// Builds the table of `substring` (any of 0..8) over `hashes`.
    #[cfg(test)]
    pub(crate) fn build(hashes: &[[u64; 4]], substring: usize, bits: u32) -> Table {
        Table::build_with(hashes, substring, bits, &mut Vec::new(), &mut Vec::new())
    }

    /// [`Table::build`] with scratch space reused between tables.
    pub(crate) fn build_with(
        hashes: &[[u64; 4]],
        substring: usize,
        bits: u32,
        keys: &mut Vec<u32>,
        order: &mut Vec<u32>,
    ) -> Table {
        keys.clear();
        keys.extend(hashes.iter().map(|h| crate::key::substring(h, substring)));
        let directory = Directory::group_into(keys, bits, order);
        let posting =
            |p: u32| (u64::from(p) << FILTER_BITS) | u64::from(filter_of(keys[p as usize], bits));
        let postings = if hashes.len() <= NARROW_LIMIT {
            let mut list: Vec<u32> = order.iter().map(|&p| posting(p) as u32).collect();
            sort_buckets(&directory, &mut list);
            Postings::Narrow(list)
        } else {
            let mut list: Vec<u64> = order.iter().map(|&p| posting(p)).collect();
            sort_buckets(&directory, &mut list);
            Postings::Wide(list)
        };
        Table {
            directory,
            postings,
        }
    }

    /// Whether every posting sits in the bucket and carries the filter of the
    /// hash it points to (a full check, linear in the segment's size).
    pub(crate) fn agrees_with(&self, hashes: &[[u64; 4]], substring: usize) -> bool {
        let bits = self.directory.bits();
        let check = |bucket: usize, position: usize, filter: u8| {
            hashes.get(position).is_some_and(|h| {
                let key = crate::key::substring(h, substring);
                bucket_of(key, bits) == bucket && filter_of(key, bits) == filter
            })
        };
        (0..1usize << bits).all(|b| {
            let range = self.directory.range(b);
            match &self.postings {
                Postings::Narrow(p) => p[range].iter().all(|e| check(b, e.position(), e.filter())),
                Postings::Wide(p) => p[range].iter().all(|e| check(b, e.position(), e.filter())),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn directory_size_follows_segment_size() {
        assert_eq!(directory_bits(0), MIN_DIRECTORY_BITS);
        assert_eq!(directory_bits(100), 1);
        assert_eq!(directory_bits(1 << 20), 15);
        assert_eq!(directory_bits(10_000_000), 18);
        assert_eq!(directory_bits(usize::MAX), MAX_DIRECTORY_BITS);
    }

    #[test]
    fn grouping_is_a_stable_counting_sort() {
        let keys = [0xf000_0000, 0x1000_0000, 0xf100_0000, 0x0000_0001];
        let (directory, order) = Directory::group(&keys, 2);
        assert_eq!(order, vec![1, 3, 0, 2]);
        assert_eq!(directory.range(0), 0..2);
        assert_eq!(directory.range(3), 2..4);
    }

    #[test]
    fn postings_carry_bucket_and_filter() {
        let hashes: Vec<[u64; 4]> = (0..300u64)
            .map(|i| [i.wrapping_mul(0x9e37_79b9_7f4a_7c15), i, i * 3, !i])
            .collect();
        for substring in 0..8 {
            let table = Table::build(&hashes, substring, 3);
            assert_eq!(table.postings.len(), hashes.len());
            assert!(table.agrees_with(&hashes, substring));
        }
        assert_eq!(filter_of(0xabcd_ef12, 4), 0xbc);
    }
}

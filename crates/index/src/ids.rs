//! A column of caller-chosen u64 ids, stored in as few bytes as their spread needs.
//!
//! A bank's hash ids are mostly dense (consecutive ids from one counter), so a
//! segment stores each id as its offset from the segment's smallest id, in the
//! fewest whole bytes that hold the largest offset: 3 bytes for up to 16.7
//! million consecutive ids, 8 bytes when ids are spread over all of u64.

/// Packed ids, little-endian, `width` bytes each, offsets from `base`.
#[derive(Clone, Debug, Default)]
pub(crate) struct IdColumn {
    base: u64,
    width: usize,
    bytes: Vec<u8>,
}

impl IdColumn {
    /// Packs `ids` (in order).
    #[cfg(test)]
    pub(crate) fn pack(ids: &[u64]) -> IdColumn {
        IdColumn::pack_iter(ids.iter().copied())
    }

    /// Packs the ids an iterator gives (walked twice: spread, then values).
    pub(crate) fn pack_iter(ids: impl Iterator<Item = u64> + Clone) -> IdColumn {
        let base = ids.clone().min().unwrap_or(0);
        let spread = ids.clone().max().unwrap_or(0) - base;
        let width = (u64::BITS - spread.leading_zeros()).div_ceil(8) as usize;
        let mut bytes = Vec::with_capacity(ids.size_hint().0 * width);
        for id in ids {
            bytes.extend_from_slice(&(id - base).to_le_bytes()[..width]);
        }
        IdColumn { base, width, bytes }
    }

    /// Rebuilds a column from its stored parts; `None` if they do not fit together.
    pub(crate) fn from_parts(
        base: u64,
        width: usize,
        bytes: Vec<u8>,
        len: usize,
    ) -> Option<IdColumn> {
        (width <= 8 && bytes.len() == len.checked_mul(width)?).then_some(IdColumn {
            base,
            width,
            bytes,
        })
    }

    /// The id at `position`.
    #[inline]
    pub(crate) fn get(&self, position: usize) -> u64 {
        let mut le = [0u8; 8];
        let start = position * self.width;
        le[..self.width].copy_from_slice(&self.bytes[start..start + self.width]);
        self.base.wrapping_add(u64::from_le_bytes(le))
    }

    pub(crate) fn base(&self) -> u64 {
        self.base
    }

    pub(crate) fn width(&self) -> usize {
        self.width
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dense_ids_take_three_bytes() {
        let ids: Vec<u64> = (1_000_000..1_000_100).rev().collect();
        let column = IdColumn::pack(&ids);
        assert_eq!(column.width(), 1);
        let ids: Vec<u64> = vec![5, 5 + 10_000_000, 17];
        let column = IdColumn::pack(&ids);
        assert_eq!(column.width(), 3);
        for (i, &id) in ids.iter().enumerate() {
            assert_eq!(column.get(i), id);
        }
    }

    #[test]
    fn extreme_ids_round_trip() {
        let ids = vec![u64::MAX, 0, 1 << 63, 42];
        let column = IdColumn::pack(&ids);
        assert_eq!(column.width(), 8);
        for (i, &id) in ids.iter().enumerate() {
            assert_eq!(column.get(i), id);
        }
        let same = IdColumn::pack(&[9, 9]);
        assert_eq!((same.width(), same.get(1)), (0, 9));
    }
}

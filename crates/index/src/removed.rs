//! Positions of a sealed segment whose entries were removed after it was built.

/// Sorted, distinct positions.
#[derive(Clone, Debug, Default)]
pub(crate) struct Removed {
    positions: Box<[u32]>,
}

impl Removed {
    /// From sorted, distinct positions; `None` otherwise.
    pub(crate) fn from_sorted(positions: Vec<u32>) -> Option<Removed> {
        positions.windows(2).all(|w| w[0] < w[1]).then(|| Removed {
            positions: positions.into_boxed_slice(),
        })
    }

    /// Whether the entry at `position` is removed.
    #[inline]
    pub(crate) fn contains(&self, position: usize) -> bool {
        !self.positions.is_empty() && self.positions.binary_search(&(position as u32)).is_ok()
    }

    /// How many positions are removed.
    pub(crate) fn len(&self) -> usize {
        self.positions.len()
    }

    /// The removed positions, sorted.
    pub(crate) fn positions(&self) -> &[u32] {
        &self.positions
    }

    /// This set together with `more` (any order, no duplicates of existing members).
    pub(crate) fn with(&self, more: &[u32]) -> Removed {
        let mut all: Vec<u32> = self.positions.iter().chain(more).copied().collect();
        all.sort_unstable();
        all.dedup();
        Removed {
            positions: all.into_boxed_slice(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn union_and_membership() {
        let removed = Removed::default().with(&[9, 3]).with(&[3, 5]);
        assert_eq!(removed.positions(), &[3, 5, 9]);
        assert!(removed.contains(5) && !removed.contains(4));
        assert!(Removed::from_sorted(vec![2, 2]).is_none());
    }
}

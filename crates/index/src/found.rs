//! What a search returns.

use std::cmp::Ordering;

use pdq::Hash256;

/// A stored hash within the search radius of a query.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Match {
    /// The id it was stored under.
    pub id: u64,
    /// The stored hash.
    pub hash: Hash256,
    /// Its Hamming distance to the query.
    pub distance: u32,
}

impl Match {
    /// The order results are returned in: nearest first, then by id, then by hash.
    pub fn sort_key(&self) -> (u32, u64, Hash256) {
        (self.distance, self.id, self.hash)
    }
}

impl Ord for Match {
    fn cmp(&self, other: &Self) -> Ordering {
        self.sort_key().cmp(&other.sort_key())
    }
}

impl PartialOrd for Match {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

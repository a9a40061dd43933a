//! How a search is carried out on a segment: which tables are probed at which
//! radius, or a linear scan when that is cheaper.
//!
//! # Multi-index hashing
//!
//! A hash is cut into 8 substrings of 32 bits (see [`crate::key`]). If a stored
//! hash lies within distance `r` of the query, then for any `t` of the
//! substrings and any radii `s_1..s_t` with `s_1 + ... + s_t >= r - t + 1`, at
//! least one substring `j` lies within `s_j` of the query's: otherwise the
//! distance would be at least `(s_1 + 1) + ... + (s_t + 1) > r`. A search
//! therefore probes `t = min(8, r + 1)` tables at radii as equal as possible:
//! radius 31 probes all 8 tables at 3, radius 7 all 8 at 0, radius 2 three
//! tables at 0, radius 63 all 8 at 7. Each probe visits the buckets within the
//! probe radius of the query's directory bits, drops postings whose filter byte
//! is too far, fetches the remaining hashes and keeps those within `r`. A hash
//! found by several probes is reported by the first probe whose substring lies
//! within its radius, so nothing is reported twice and nothing is missed.
//!
//! # When the linear scan is used instead
//!
//! [`Strategy::Auto`] estimates, for each segment and radius, the cost of the
//! probes (buckets visited, postings filtered, hashes fetched: each expected
//! count for uniformly spread hashes times a unit cost measured on the bench
//! machine) and the cost of scanning every hash, and runs the cheaper. What
//! that gives for a segment of n hashes (radii in steps of 8):
//!
//! | n | multi-index search up to radius | scan from radius |
//! |---|---|---|
//! | 500 | 7 | 15 |
//! | 5 000 | 15 | 23 |
//! | 100 000 | 31 | 39 |
//! | 1 000 000 | 39 | 47 |
//! | 10 000 000 | 47 | 55 |
//!
//! Radii above 63 always scan. The unsorted tail of recent inserts (at most
//! [`crate::DEFAULT_TAIL_LIMIT`] hashes by default) is always scanned.

use crate::key::{SUBSTRINGS, SUBSTRING_BITS};
use crate::masks::{ball, MAX_WEIGHT};
use crate::table::FILTER_BITS;

/// How a search is carried out. Every strategy returns the same matches.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Strategy {
    /// The cheaper of the two for each segment, by the cost model above.
    #[default]
    Auto,
    /// Multi-index hashing wherever the radius allows it (up to 63).
    MultiIndex,
    /// Compare the query with every stored hash.
    LinearScan,
}

/// Largest radius multi-index hashing serves: 8 tables at radius 7.
pub(crate) const MAX_MIH_RADIUS: u32 = SUBSTRINGS as u32 * (MAX_WEIGHT + 1) - 1;

// Unit costs of the model, in nanoseconds, fitted to `examples/calibrate.rs`
// on the bench machine (2-core Xeon with AVX-512, shared with other work):
// multi-index search at radius 31 about 0.5 ms at 1M hashes and 0.8 ms at
// 10M, the scan about 3 ns per hash once the hashes outgrow the caches.
/// Comparing the query with one hash in a linear scan.
const SCAN_COST: f64 = 3.0;
/// Visiting one bucket: directory entry and the cache line or two of its run.
const BUCKET_COST: f64 = 60.0;
/// Testing one posting's filter byte in a bucket read whole (weights below the
/// probe radius; at the full radius only the run of the exact filter is read).
const POSTING_COST: f64 = 1.0;
/// Fetching and checking one hash that passed a filter.
const CANDIDATE_COST: f64 = 60.0;

/// One table probed at one radius.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Probe {
    /// Substring and table index, 0..8.
    pub table: usize,
    /// Largest substring distance the probe looks at.
    pub radius: u32,
}

/// The probes of one multi-index search.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Probes {
    list: [Probe; SUBSTRINGS],
    len: usize,
}

impl Probes {
    /// The probes that find every hash within `radius`; `None` above [`MAX_MIH_RADIUS`].
    pub(crate) fn for_radius(radius: u32) -> Option<Probes> {
        if radius > MAX_MIH_RADIUS {
            return None;
        }
        let tables = (SUBSTRINGS as u32).min(radius + 1);
        let needed = radius + 1 - tables;
        let (base, extra) = (needed / tables, needed % tables);
        let mut list = [Probe {
            table: 0,
            radius: 0,
        }; SUBSTRINGS];
        for (i, probe) in list.iter_mut().take(tables as usize).enumerate() {
            // The larger radii go to the last tables: table 0 scans whole hashes.
            let larger = i as u32 >= tables - extra;
            *probe = Probe {
                table: i,
                radius: base + u32::from(larger),
            };
        }
        Some(Probes {
            list,
            len: tables as usize,
        })
    }

    pub(crate) fn as_slice(&self) -> &[Probe] {
        &self.list[..self.len]
    }
}

/// How one segment is searched.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Method {
    MultiIndex(Probes),
    LinearScan,
}

/// Chooses the method for a segment of `len` hashes with `bits` directory bits.
pub(crate) fn choose(strategy: Strategy, len: usize, bits: u32, radius: u32) -> Method {
    let Some(probes) = Probes::for_radius(radius) else {
        return Method::LinearScan;
    };
    match strategy {
        Strategy::LinearScan => Method::LinearScan,
        Strategy::MultiIndex => Method::MultiIndex(probes),
        Strategy::Auto => {
            if multi_index_cost(len, bits, &probes) < len as f64 * SCAN_COST {
                Method::MultiIndex(probes)
            } else {
                Method::LinearScan
            }
        }
    }
}

/// Expected cost of the probes on a segment of uniformly spread hashes.
pub(crate) fn multi_index_cost(len: usize, bits: u32, probes: &Probes) -> f64 {
    let len = len as f64;
    let per_bucket = len / 2f64.powi(bits as i32);
    let filtered_bits = (bits + FILTER_BITS).min(SUBSTRING_BITS);
    probes
        .as_slice()
        .iter()
        .map(|p| {
            let buckets = ball(bits, p.radius);
            let read_whole = if p.radius == 0 {
                0.0
            } else {
                ball(bits, p.radius - 1)
            };
            let candidates = len * ball(filtered_bits, p.radius) / 2f64.powi(filtered_bits as i32);
            buckets * BUCKET_COST
                + read_whole * per_bucket * POSTING_COST
                + candidates * CANDIDATE_COST
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn radii(radius: u32) -> Vec<u32> {
        Probes::for_radius(radius)
            .unwrap()
            .as_slice()
            .iter()
            .map(|p| p.radius)
            .collect()
    }

    #[test]
    fn probe_radii_satisfy_the_pigeonhole() {
        assert_eq!(radii(31), vec![3; 8]);
        assert_eq!(radii(7), vec![0; 8]);
        assert_eq!(radii(2), vec![0; 3]);
        assert_eq!(radii(0), vec![0]);
        assert_eq!(radii(30), vec![2, 3, 3, 3, 3, 3, 3, 3]);
        assert_eq!(radii(63), vec![7; 8]);
        assert!(Probes::for_radius(64).is_none());
        for r in 0..=MAX_MIH_RADIUS {
            let list = radii(r);
            let sum: u32 = list.iter().sum();
            assert!(sum + list.len() as u32 > r, "radius {r}");
        }
    }

    /// The table in the module documentation.
    #[test]
    fn documented_crossovers() {
        use crate::table::directory_bits;
        for (len, last_multi_index) in [
            (500, 7),
            (5_000, 15),
            (100_000, 31),
            (1_000_000, 39),
            (10_000_000, 47),
        ] {
            let bits = directory_bits(len);
            let multi = |r| matches!(choose(Strategy::Auto, len, bits, r), Method::MultiIndex(_));
            assert!(multi(last_multi_index), "n {len}");
            assert!(!multi(last_multi_index + 8), "n {len}");
        }
    }

    #[test]
    fn auto_scans_small_segments_and_large_radii() {
        assert!(matches!(
            choose(Strategy::Auto, 1000, 4, 31),
            Method::LinearScan
        ));
        assert!(matches!(
            choose(Strategy::Auto, 10_000_000, 18, 31),
            Method::MultiIndex(_)
        ));
        assert!(matches!(
            choose(Strategy::Auto, 10_000_000, 18, 64),
            Method::LinearScan
        ));
        assert!(matches!(
            choose(Strategy::MultiIndex, 10, 1, 80),
            Method::LinearScan
        ));
    }
}

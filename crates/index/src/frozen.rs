//! [`FrozenIndex`]: a read-only index that trades memory for search speed.
//!
//! # Layout
//!
//! A hash is cut into 16 substrings of 16 bits (substring `t` is bits
//! `16t..16t+15`). There is one table per substring. A table holds every
//! stored hash, whole, sorted by that substring (a counting sort), with a
//! directory of 65,537 offsets: the hashes whose substring is `k` are
//! `hashes[offsets[k]..offsets[k + 1]]`. Beside each hash is its row in the
//! ids array, which is read only for matches. Checking a bucket is therefore
//! one sequential read, where `HammingIndex` fetches each candidate's hash
//! from elsewhere.
//!
//! # Search
//!
//! Multi-index hashing, as in `plan.rs` but over 16 tables: a search at
//! radius `r` probes `t = min(16, r + 1)` tables at radii `s_1..s_t` with
//! `s_1 + ... + s_t = r - t + 1`, as equal as possible and the larger ones
//! last. A hash within `r` of the query has some substring `j` within `s_j` of
//! the query's (else its distance would be at least the sum of all `s_j + 1`,
//! which is more than `r`). A probe at radius `s` visits every bucket whose key
//! differs from the query's substring in at most `s` bits: 17 buckets at
//! radius 1, 137 at 2, 697 at 3. A hash is reported only by the first probe
//! whose substring lies within that probe's radius, so nothing is reported
//! twice. Radius 31 probes all 16 tables at radius 1, radius 40 probes 7 at 1
//! and 9 at 2, radius 63 all 16 at 3. Beyond that (a probe radius of 4), or
//! when the index is small enough that visiting the buckets costs more than
//! reading everything, the search scans table 0 instead.

use std::sync::OnceLock;

use pdq::Hash256;
use rayon::prelude::*;

use crate::found::Match;
use crate::key::distance;
use crate::masks::{ball, masks};
use crate::scan::{dispatched, prefetch, prefetch_all, scan};

/// Number of substrings, and of tables.
const TABLES: usize = 16;

/// Bits per substring.
const KEY_BITS: u32 = 16;

/// Buckets per table.
const BUCKETS: usize = 1 << KEY_BITS;

/// Largest probe radius: 697 buckets per table. At radius 4 (2,517 buckets
/// per table, 40,000 in all) the probes cost about as much as a scan of 1M
/// hashes, and more than the scan for anything smaller.
const MAX_PROBE_RADIUS: u32 = 3;

/// Buckets ahead of the current one whose hashes are prefetched; directory
/// entries are prefetched twice as far ahead.
const PREFETCH_AHEAD: usize = 8;

// Unit costs (nanoseconds) for choosing between probes and the scan, from
// `examples/frozen_speed.rs` at 3,000 to 12,000 hashes (where the choice
// matters) on a shared 2-core Xeon: the scan about 2.2 ns per hash, radius 31
// probes about 7 us and radius 40 probes about 27 us.
/// Comparing the query with one hash in the scan.
const SCAN_COST: f64 = 2.0;
/// Visiting one bucket: its directory entry and the first lines of its run.
const BUCKET_COST: f64 = 20.0;
/// Comparing the query with one hash of a bucket.
const CANDIDATE_COST: f64 = 2.0;

/// Substring `t` (0..16) of a hash.
#[inline(always)]
fn substring(hash: &[u64; 4], t: usize) -> u16 {
    (hash[t / 4] >> (16 * (t % 4))) as u16
}

/// Every 16-bit mask of weight at most [`MAX_PROBE_RADIUS`], lightest first:
/// a probe at radius `s` uses the first `ball(16, s)` of them.
fn ball_masks() -> &'static [u16] {
    static BALL: OnceLock<Box<[u16]>> = OnceLock::new();
    BALL.get_or_init(|| {
        (0..=MAX_PROBE_RADIUS)
            .flat_map(|w| masks(KEY_BITS, w).iter().map(|&m| m as u16))
            .collect()
    })
}

/// One substring's table: every stored hash, sorted by the substring.
struct Table {
    /// `offsets[k]..offsets[k + 1]` are the positions of substring `k`.
    offsets: Box<[u32]>,
    /// The hashes, sorted by this table's substring.
    hashes: Box<[[u64; 4]]>,
    /// Each hash's row in [`FrozenIndex::ids`].
    rows: Box<[u32]>,
}

impl Table {
    /// Counting sort of `hashes` by substring `t`; keeps input order within a bucket.
    fn build(hashes: &[[u64; 4]], t: usize) -> Table {
        let mut offsets = vec![0u32; BUCKETS + 1];
        for hash in hashes {
            offsets[usize::from(substring(hash, t)) + 1] += 1;
        }
        for k in 0..BUCKETS {
            offsets[k + 1] += offsets[k];
        }
        let mut next = offsets.clone();
        let mut sorted = vec![[0u64; 4]; hashes.len()];
        let mut rows = vec![0u32; hashes.len()];
        for (row, hash) in hashes.iter().enumerate() {
            let slot = &mut next[usize::from(substring(hash, t))];
            let position = *slot as usize;
            *slot += 1;
            sorted[position] = *hash;
            rows[position] = row as u32;
        }
        Table {
            offsets: offsets.into_boxed_slice(),
            hashes: sorted.into_boxed_slice(),
            rows: rows.into_boxed_slice(),
        }
    }

    /// Positions of the hashes whose substring is `key`.
    #[inline(always)]
    fn bucket(&self, key: usize) -> std::ops::Range<usize> {
        self.offsets[key] as usize..self.offsets[key + 1] as usize
    }
}

/// How a search is carried out; both give the same matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    /// Probe these tables (0..len) at these radii.
    Probes(Radii),
    /// Compare the query with every hash.
    Scan,
}

/// Probe radii of tables `0..len`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Radii {
    radius: [u32; TABLES],
    len: usize,
}

impl Radii {
    /// The probes for a search at `radius`, if no probe radius exceeds
    /// [`MAX_PROBE_RADIUS`].
    fn for_radius(radius: u32) -> Option<Radii> {
        let tables = (radius as usize + 1).min(TABLES);
        let total = radius + 1 - tables as u32;
        let base = total / tables as u32;
        let extra = (total % tables as u32) as usize;
        if base + u32::from(extra > 0) > MAX_PROBE_RADIUS {
            return None;
        }
        let mut out = Radii {
            radius: [0; TABLES],
            len: tables,
        };
        for (j, r) in out.radius[..tables].iter_mut().enumerate() {
            *r = base + u32::from(j >= tables - extra);
        }
        Some(out)
    }

    fn as_slice(&self) -> &[u32] {
        &self.radius[..self.len]
    }

    /// Buckets the probes visit.
    fn buckets(&self) -> f64 {
        self.as_slice().iter().map(|&s| ball(KEY_BITS, s)).sum()
    }
}

/// Read-only exact search of 256-bit hashes by Hamming distance, built once
/// from a list of (id, hash) and several times faster than [`HammingIndex`]
/// at the radii PDQ uses (at 1M hashes: radius 31 in tens of microseconds
/// instead of about 0.4 ms, radius 40 in about 0.15 ms instead of a 2 ms scan).
///
/// It takes [`FrozenIndex::BYTES_PER_HASH`] (584) bytes per hash, about nine
/// times as much as `HammingIndex`, plus 4 MiB of directories: it keeps 16
/// sorted copies of every hash. Use it when many searches run against a set
/// of hashes that does not change and memory is plentiful (a scan of many
/// files against a bank); use `HammingIndex` when hashes come and go, when
/// the index is saved and opened, or when memory counts.
///
/// Results are those of [`HammingIndex::search`] for the same entries, in
/// the same order. Ids need not be unique.
///
/// [`HammingIndex`]: crate::HammingIndex
/// [`HammingIndex::search`]: crate::HammingIndex::search
pub struct FrozenIndex {
    /// One table per substring; none when the index is empty.
    tables: Box<[Table]>,
    /// Ids in input order.
    ids: Box<[u64]>,
}

impl FrozenIndex {
    /// Bytes of memory per stored hash: 16 tables of a 32-byte hash and a
    /// 4-byte row, and an 8-byte id. On top of that each index has 4 MiB of
    /// directories (16 x 65,537 offsets of 4 bytes).
    pub const BYTES_PER_HASH: usize = TABLES * (32 + 4) + 8;

    /// An index of `entries` (id, hash). Sorts the 16 tables on the rayon
    /// thread pool.
    ///
    /// # Panics
    ///
    /// With `u32::MAX` entries or more.
    pub fn build(entries: impl IntoIterator<Item = (u64, Hash256)>) -> FrozenIndex {
        let (ids, hashes): (Vec<u64>, Vec<[u64; 4]>) =
            entries.into_iter().map(|(id, hash)| (id, hash.0)).unzip();
        assert!(
            hashes.len() < u32::MAX as usize,
            "FrozenIndex holds fewer than 2^32 - 1 hashes"
        );
        let tables = if hashes.is_empty() {
            Vec::new()
        } else {
            (0..TABLES)
                .into_par_iter()
                .map(|t| Table::build(&hashes, t))
                .collect()
        };
        FrozenIndex {
            tables: tables.into_boxed_slice(),
            ids: ids.into_boxed_slice(),
        }
    }

    /// Number of stored entries.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    /// Every stored hash within Hamming distance `radius` of `query`, nearest
    /// first, then by id, then by hash: the same as
    /// [`HammingIndex::search`](crate::HammingIndex::search) returns.
    pub fn search(&self, query: &Hash256, radius: u32) -> Vec<Match> {
        self.search_by(query, radius, self.choose(radius))
    }

    /// Probes when they are cheaper than the scan by the cost model.
    fn choose(&self, radius: u32) -> Method {
        match Radii::for_radius(radius) {
            Some(radii) => {
                let n = self.len() as f64;
                let buckets = radii.buckets();
                let probes = buckets * BUCKET_COST + n * buckets / BUCKETS as f64 * CANDIDATE_COST;
                if probes < n * SCAN_COST {
                    Method::Probes(radii)
                } else {
                    Method::Scan
                }
            }
            None => Method::Scan,
        }
    }

    fn search_by(&self, query: &Hash256, radius: u32, method: Method) -> Vec<Match> {
        let mut out = Vec::new();
        if self.is_empty() {
            return out;
        }
        match method {
            Method::Probes(radii) => probe_fast(self, &query.0, radius, radii.as_slice(), &mut out),
            Method::Scan => scan_fast(self, &query.0, radius, &mut out),
        }
        out.sort_unstable();
        out
    }

    #[inline(always)]
    fn found(&self, table: &Table, position: usize, d: u32) -> Match {
        Match {
            id: self.ids[table.rows[position] as usize],
            hash: Hash256(table.hashes[position]),
            distance: d,
        }
    }
}

dispatched!(
    /// Appends the matches the probes find to `out`, unsorted.
    fn probe_fast(
        index: &FrozenIndex,
        query: &[u64; 4],
        radius: u32,
        radii: &[u32],
        out: &mut Vec<Match>
    ) -> () = probe
);

dispatched!(
    /// Appends every hash of table 0 within `radius` to `out`, unsorted.
    fn scan_fast(index: &FrozenIndex, query: &[u64; 4], radius: u32, out: &mut Vec<Match>) -> () = scan_all
);

#[inline(always)]
fn probe(index: &FrozenIndex, query: &[u64; 4], radius: u32, radii: &[u32], out: &mut Vec<Match>) {
    // Every bucket the probes visit, as (table, key), table by table: one
    // pipeline of prefetches runs across all of them, rather than starting
    // again at each table (radius 31 visits only 17 buckets per table).
    let all = ball_masks();
    let mut buckets = Vec::with_capacity(radii.iter().map(|&s| ball(KEY_BITS, s) as usize).sum());
    for (j, &s) in radii.iter().enumerate() {
        let home = substring(query, j);
        let keys = &all[..ball(KEY_BITS, s) as usize];
        buckets.extend(keys.iter().map(|&m| (j, usize::from(home ^ m))));
    }
    for (i, &(j, key)) in buckets.iter().enumerate() {
        if let Some(&(t, far)) = buckets.get(i + 2 * PREFETCH_AHEAD) {
            prefetch(index.tables[t].offsets.as_ptr().wrapping_add(far));
        }
        if let Some(&(t, ahead)) = buckets.get(i + PREFETCH_AHEAD) {
            let table = &index.tables[t];
            prefetch_all(&table.hashes[table.bucket(ahead)]);
        }
        let table = &index.tables[j];
        let range = table.bucket(key);
        let start = range.start;
        for (p, hash) in table.hashes[range].iter().enumerate() {
            let d = distance(hash, query);
            if d <= radius && first_probe(hash, query, &radii[..j]) {
                out.push(index.found(table, start + p, d));
            }
        }
    }
}

/// Whether no probe before the current one (those of `earlier`) finds `hash`.
#[inline(always)]
fn first_probe(hash: &[u64; 4], query: &[u64; 4], earlier: &[u32]) -> bool {
    earlier
        .iter()
        .enumerate()
        .all(|(t, &s)| (substring(hash, t) ^ substring(query, t)).count_ones() > s)
}

#[inline(always)]
fn scan_all(index: &FrozenIndex, query: &[u64; 4], radius: u32, out: &mut Vec<Match>) {
    let table = &index.tables[0];
    scan(&table.hashes, query, radius, |p, d| {
        out.push(index.found(table, p, d));
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HammingIndex;

    /// splitmix64.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        }
        fn hash(&mut self) -> Hash256 {
            Hash256([self.next(), self.next(), self.next(), self.next()])
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
        /// `hash` with `bits` distinct bits flipped.
        fn flip(&mut self, hash: Hash256, bits: u32) -> Hash256 {
            let mut out = hash;
            while out.distance(&hash) < bits {
                let p = self.below(256) as usize;
                out.0[p / 64] ^= 1 << (p % 64);
            }
            out
        }
    }

    const RADII: [u32; 12] = [0, 1, 15, 16, 31, 32, 40, 47, 63, 64, 100, 256];

    fn brute(stored: &[(u64, Hash256)], query: &Hash256, radius: u32) -> Vec<Match> {
        let mut out: Vec<Match> = stored
            .iter()
            .map(|&(id, hash)| Match {
                id,
                hash,
                distance: hash.distance(query),
            })
            .filter(|m| m.distance <= radius)
            .collect();
        out.sort();
        out
    }

    /// Checks every method against brute force and `HammingIndex`.
    fn check(stored: &[(u64, Hash256)], queries: &[Hash256]) {
        let frozen = FrozenIndex::build(stored.iter().copied());
        let hamming = HammingIndex::build(stored.iter().copied());
        assert_eq!(frozen.len(), stored.len());
        for query in queries {
            for radius in RADII {
                let expected = brute(stored, query, radius);
                assert_eq!(frozen.search(query, radius), expected, "radius {radius}");
                assert_eq!(hamming.search(query, radius), expected, "radius {radius}");
                assert_eq!(
                    frozen.search_by(query, radius, Method::Scan),
                    expected,
                    "scan, radius {radius}"
                );
                if let Some(radii) = Radii::for_radius(radius) {
                    assert_eq!(
                        frozen.search_by(query, radius, Method::Probes(radii)),
                        expected,
                        "probes, radius {radius}"
                    );
                }
            }
        }
    }

    #[test]
    fn probe_radii_satisfy_the_pigeonhole() {
        for radius in 0..64 {
            let radii = Radii::for_radius(radius).expect("probes up to 63");
            let s = radii.as_slice();
            assert_eq!(s.len(), (radius as usize + 1).min(TABLES));
            assert!(s.iter().sum::<u32>() + s.len() as u32 > radius);
            assert!(s.windows(2).all(|w| w[0] <= w[1] && w[1] - w[0] <= 1));
        }
        assert_eq!(Radii::for_radius(31).unwrap().as_slice(), &[1; 16]);
        assert_eq!(Radii::for_radius(63).unwrap().as_slice(), &[3; 16]);
        assert_eq!(Radii::for_radius(64), None);
        assert_eq!(ball_masks().len(), 697);
    }

    #[test]
    fn substrings_cover_the_hash() {
        let hash = [
            0x4444_3333_2222_1111,
            0x8888_7777_6666_5555,
            0xcccc_bbbb_aaaa_9999,
            0x0000_ffff_eeee_dddd,
        ];
        let words: Vec<u16> = (0..TABLES).map(|t| substring(&hash, t)).collect();
        assert_eq!(words[0], 0x1111);
        assert_eq!(words[5], 0x6666);
        assert_eq!(words[15], 0x0000);
        assert_eq!(words[14], 0xffff);
    }

    #[test]
    fn uniform_data() {
        let mut rng = Rng(1);
        let stored: Vec<(u64, Hash256)> = (0..3000).map(|i| (i, rng.hash())).collect();
        let mut queries: Vec<Hash256> = (0..4).map(|_| rng.hash()).collect();
        for bits in [0, 3, 20, 31, 40, 60] {
            let base = stored[rng.below(3000) as usize].1;
            queries.push(rng.flip(base, bits));
        }
        check(&stored, &queries);
    }

    #[test]
    fn clustered_data() {
        let mut rng = Rng(2);
        let mut stored = Vec::new();
        let mut centres = Vec::new();
        for c in 0..60u64 {
            let centre = rng.hash();
            centres.push(centre);
            for m in 0..1 + rng.below(60) {
                let bits = match m % 3 {
                    0 => rng.below(6),
                    1 => rng.below(20),
                    _ => rng.below(46),
                } as u32;
                stored.push((c * 1000 + m % 7, rng.flip(centre, bits)));
            }
        }
        let mut queries: Vec<Hash256> = centres.iter().take(8).copied().collect();
        for _ in 0..6 {
            let centre = centres[rng.below(60) as usize];
            let bits = rng.below(36) as u32;
            queries.push(rng.flip(centre, bits));
        }
        queries.push(rng.hash());
        check(&stored, &queries);
    }

    #[test]
    fn empty_index() {
        let index = FrozenIndex::build([]);
        assert!(index.is_empty());
        assert_eq!(index.len(), 0);
        for radius in RADII {
            assert!(index.search(&Hash256::ZERO, radius).is_empty());
        }
    }

    #[test]
    fn duplicate_ids_and_hashes() {
        let mut rng = Rng(3);
        let a = rng.hash();
        let b = rng.flip(a, 5);
        let stored = vec![(7, a), (7, b), (9, a), (9, a), (7, rng.hash())];
        let index = FrozenIndex::build(stored.iter().copied());
        let found = index.search(&a, 31);
        let expected = brute(&stored, &a, 31);
        assert_eq!(found, expected);
        assert_eq!(
            found.iter().map(|m| (m.id, m.distance)).collect::<Vec<_>>(),
            [(7, 0), (9, 0), (9, 0), (7, 5)]
        );
        check(&stored, &[a, b, rng.flip(a, 30)]);
    }

    #[test]
    fn every_level_agrees() {
        use crate::scan::{at_level, level, Level};

        fn probe_all(index: &FrozenIndex, query: &[u64; 4], radius: u32) -> Vec<Match> {
            let mut out = Vec::new();
            match Radii::for_radius(radius) {
                Some(radii) => probe(index, query, radius, radii.as_slice(), &mut out),
                None => scan_all(index, query, radius, &mut out),
            }
            out.sort_unstable();
            out
        }
        fn at(level: Level, index: &FrozenIndex, query: &[u64; 4], radius: u32) -> Vec<Match> {
            at_level!(level, fn probe_at(index: &FrozenIndex, query: &[u64; 4], radius: u32) -> Vec<Match> = probe_all)
        }

        let mut rng = Rng(4);
        let stored: Vec<(u64, Hash256)> = (0..2000).map(|i| (i, rng.hash())).collect();
        let index = FrozenIndex::build(stored.iter().copied());
        let query = rng.flip(stored[10].1, 25);
        let best = level();
        for radius in RADII {
            let plain = probe_all(&index, &query.0, radius);
            assert_eq!(plain, brute(&stored, &query, radius));
            for level in [Level::Avx512, Level::Avx2, Level::Popcnt, Level::Portable] {
                if level as u8 >= best as u8 {
                    assert_eq!(plain, at(level, &index, &query.0, radius), "{level:?}");
                }
            }
        }
    }
}

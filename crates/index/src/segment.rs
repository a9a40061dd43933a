//! A sealed, immutable group of hashes with its eight lookup tables.
//!
//! The hashes are stored in the bucket order of substring 0, so the first
//! table needs no postings: its directory points straight into the hash
//! array. Substrings 1 to 7 each have a [`Table`]. Memory per hash: 32 bytes
//! of hash, 3 to 8 of id, 7 x 4 of postings and under 1 of directories.

use pdq::Hash256;
use rayon::prelude::*;

use crate::found::Match;
use crate::ids::IdColumn;
use crate::key::{distance, substring, substring_distance, SUBSTRINGS};
use crate::masks::masks;
use crate::plan::{Method, Probe};
use crate::removed::Removed;
use crate::scan::{prefetch, prefetch_all, scan};
use crate::table::{bucket_of, directory_bits, filter_of, Directory, Posting, Postings, Table};

/// A hash and the id it is stored under.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Entry {
    pub hash: [u64; 4],
    pub id: u64,
}

/// Immutable hashes, ids and lookup tables.
#[derive(Clone, Debug)]
pub(crate) struct HashSegment {
    hashes: Vec<[u64; 4]>,
    ids: IdColumn,
    /// Table 0: buckets of substring 0, as ranges of `hashes`.
    main: Directory,
    /// Tables of substrings 1..8.
    tables: Vec<Table>,
}

impl HashSegment {
    /// Sorts `entries` into a segment and builds its tables.
    pub(crate) fn build(entries: Vec<Entry>) -> HashSegment {
        let bits = directory_bits(entries.len());
        // Scratch reused by every table (no holes left in the heap).
        let mut keys: Vec<u32> = entries.iter().map(|e| substring(&e.hash, 0)).collect();
        let mut order = Vec::new();
        let main = Directory::group_into(&keys, bits, &mut order);
        // Within each bucket, in substring-0 order (so the whole array is sorted
        // by substring 0): a probe that needs substring 0 exactly then reads a
        // few cache lines of its bucket instead of all of them.
        for b in 0..1usize << bits {
            order[main.range(b)].sort_unstable_by_key(|&p| keys[p as usize]);
        }
        let hashes: Vec<[u64; 4]> = order.iter().map(|&p| entries[p as usize].hash).collect();
        let ids = IdColumn::pack_iter(order.iter().map(|&p| entries[p as usize].id));
        drop(entries);
        let tables = (1..SUBSTRINGS)
            .map(|t| Table::build_with(&hashes, t, bits, &mut keys, &mut order))
            .collect();
        HashSegment {
            hashes,
            ids,
            main,
            tables,
        }
    }

    /// Rebuilds a segment from stored parts; `None` if they do not fit together.
    pub(crate) fn from_parts(
        hashes: Vec<[u64; 4]>,
        ids: IdColumn,
        main: Directory,
        tables: Vec<Table>,
    ) -> Option<HashSegment> {
        let len = hashes.len();
        let bits = main.bits();
        // Bounds only, so that no search can index out of range: the order
        // within buckets is left to `agrees` (a file altered by accident fails
        // its checksum before this).
        let consistent = tables.len() == SUBSTRINGS - 1
            && main.offsets().last() == Some(&(len as u32))
            && tables.par_iter().all(|t| {
                t.directory.bits() == bits
                    && t.postings.len() == len
                    && t.postings.positions_below(len)
            });
        consistent.then_some(HashSegment {
            hashes,
            ids,
            main,
            tables,
        })
    }

    /// Whether the hashes are sorted by substring 0 and every table is in
    /// order and agrees with them (linear in size, with random access).
    pub(crate) fn agrees(&self) -> bool {
        let bits = self.main.bits();
        let sorted = self
            .hashes
            .windows(2)
            .all(|w| substring(&w[0], 0) <= substring(&w[1], 0));
        let bucketed = (0..1usize << bits).all(|b| {
            let range = self.main.range(b);
            range.is_empty() || bucket_of(substring(&self.hashes[range.start], 0), bits) == b
        });
        sorted
            && bucketed
            && self.tables.par_iter().enumerate().all(|(i, t)| {
                t.postings.ordered(&t.directory) && t.agrees_with(&self.hashes, i + 1)
            })
    }

    pub(crate) fn len(&self) -> usize {
        self.hashes.len()
    }

    pub(crate) fn directory_bits(&self) -> u32 {
        self.main.bits()
    }

    pub(crate) fn hashes(&self) -> &[[u64; 4]] {
        &self.hashes
    }

    pub(crate) fn ids(&self) -> &IdColumn {
        &self.ids
    }

    pub(crate) fn main_directory(&self) -> &Directory {
        &self.main
    }

    pub(crate) fn tables(&self) -> &[Table] {
        &self.tables
    }

    pub(crate) fn entry(&self, position: usize) -> Entry {
        Entry {
            hash: self.hashes[position],
            id: self.ids.get(position),
        }
    }

    /// Appends to `out` every live hash within `radius` of `query`.
    #[inline(always)]
    pub(crate) fn search(
        &self,
        query: &[u64; 4],
        radius: u32,
        method: Method,
        removed: &Removed,
        out: &mut Vec<Match>,
    ) {
        match method {
            Method::LinearScan => scan(&self.hashes, query, radius, |position, d| {
                if !removed.contains(position) {
                    out.push(self.found(position, d));
                }
            }),
            Method::MultiIndex(probes) => {
                let search = Search {
                    segment: self,
                    query,
                    radius,
                    probes: probes.as_slice(),
                    removed,
                };
                search.run(out);
            }
        }
    }

    fn found(&self, position: usize, distance: u32) -> Match {
        Match {
            id: self.ids.get(position),
            hash: Hash256(self.hashes[position]),
            distance,
        }
    }
}

/// How many masks ahead a probe prefetches: the bucket's postings at this
/// distance, its directory entry at twice this distance.
const PREFETCH_AHEAD: usize = 16;

/// Postings tested per branch-free block of the filter loop.
const FILTER_BLOCK: usize = 16;

/// One multi-index search of one segment.
struct Search<'a> {
    segment: &'a HashSegment,
    query: &'a [u64; 4],
    radius: u32,
    probes: &'a [Probe],
    removed: &'a Removed,
}

impl Search<'_> {
    /// Probes each table, then verifies the candidates it found (whose hashes
    /// were prefetched when they were found, and are still in cache).
    #[inline(always)]
    fn run(&self, out: &mut Vec<Match>) {
        let mut candidates = Vec::new();
        for (index, probe) in self.probes.iter().enumerate() {
            candidates.clear();
            self.probe(index, probe, &mut candidates, out);
            for &candidate in &candidates {
                let position = candidate.position as usize;
                self.verify(position, usize::from(candidate.probe), out);
            }
        }
    }

    /// Visits every bucket within the probe's radius in its table.
    #[inline(always)]
    fn probe(
        &self,
        index: usize,
        probe: &Probe,
        candidates: &mut Vec<Candidate>,
        out: &mut Vec<Match>,
    ) {
        let segment = self.segment;
        let bits = segment.main.bits();
        let key = substring(self.query, probe.table);
        let home = bucket_of(key, bits);
        let filter = filter_of(key, bits);
        for weight in 0..=probe.radius {
            let allowance = probe.radius - weight;
            let masks = masks(bits, weight);
            if probe.table == 0 && allowance == 0 {
                self.exact_main(masks, key, index, out);
            } else if probe.table == 0 {
                self.scan_main(masks, home, probe.radius, index, out);
            } else {
                let table = &segment.tables[probe.table - 1];
                let bucket = Bucketing {
                    masks,
                    home,
                    filter,
                    allowance,
                    index,
                };
                match &table.postings {
                    Postings::Narrow(p) => self.postings(&table.directory, p, &bucket, candidates),
                    Postings::Wide(p) => self.postings(&table.directory, p, &bucket, candidates),
                }
            }
        }
    }

    /// Table 0 below the full probe radius: reads each bucket whole and
    /// checks substring 0 of every hash in it.
    #[inline(always)]
    fn scan_main(
        &self,
        masks: &[u32],
        home: usize,
        radius: u32,
        index: usize,
        out: &mut Vec<Match>,
    ) {
        let segment = self.segment;
        let directory = &segment.main;
        for (i, &mask) in masks.iter().enumerate() {
            if let Some(&ahead) = masks.get(i + PREFETCH_AHEAD) {
                prefetch_all(&segment.hashes[directory.range(home ^ ahead as usize)]);
            }
            for position in directory.range(home ^ mask as usize) {
                let hash = &segment.hashes[position];
                if substring_distance(hash, self.query, 0) <= radius {
                    self.verify(position, index, out);
                }
            }
        }
    }

    /// Probes one posting table: every bucket of `masks`, prefetching ahead.
    #[inline(always)]
    fn postings<P: Posting>(
        &self,
        directory: &Directory,
        postings: &[P],
        probe: &Bucketing,
        candidates: &mut Vec<Candidate>,
    ) {
        let bucket = |i: usize| probe.masks.get(i).map(|&m| probe.home ^ m as usize);
        for (i, &mask) in probe.masks.iter().enumerate() {
            if let Some(far) = bucket(i + 2 * PREFETCH_AHEAD) {
                prefetch(directory.offsets().as_ptr().wrapping_add(far));
            }
            if let Some(ahead) = bucket(i + PREFETCH_AHEAD) {
                let ahead = &postings[directory.range(ahead)];
                if probe.allowance == 0 {
                    let guess = filter_guess(probe.filter, ahead.len());
                    prefetch(ahead.as_ptr().wrapping_add(guess));
                } else {
                    prefetch_all(ahead);
                }
            }
            let list = &postings[directory.range(probe.home ^ mask as usize)];
            if probe.allowance == 0 {
                self.exact_filter(list, probe.filter, probe.index, candidates);
            } else {
                self.filter(list, probe.filter, probe.allowance, probe.index, candidates);
            }
        }
    }

    /// Keeps the postings whose filter byte equals `filter`: the bucket is
    /// sorted by filter byte, so they sit in one run near where the byte's
    /// value says.
    #[inline(always)]
    fn exact_filter<P: Posting>(
        &self,
        postings: &[P],
        filter: u8,
        index: usize,
        candidates: &mut Vec<Candidate>,
    ) {
        let mut at = filter_guess(filter, postings.len());
        while at > 0 && postings[at - 1].filter() >= filter {
            at -= 1;
        }
        while at < postings.len() && postings[at].filter() < filter {
            at += 1;
        }
        while at < postings.len() && postings[at].filter() == filter {
            self.keep(postings[at], index, candidates);
            at += 1;
        }
    }

    /// Records a candidate and prefetches its hash.
    #[inline(always)]
    fn keep<P: Posting>(&self, posting: P, index: usize, candidates: &mut Vec<Candidate>) {
        let position = posting.position();
        prefetch(self.segment.hashes.as_ptr().wrapping_add(position));
        candidates.push(Candidate {
            position: position as u32,
            probe: index as u8,
        });
    }

    /// Table 0 where the directory bits use up the probe radius: substring 0
    /// must then equal the query's with the mask applied. Each bucket is sorted
    /// by substring 0, so the run of equal substrings (usually empty) sits
    /// where the substring's low bits say, give or take a few places: a probe
    /// reads the cache lines around that guess instead of the whole bucket.
    #[inline(always)]
    fn exact_main(&self, masks: &[u32], key: u32, index: usize, out: &mut Vec<Match>) {
        let segment = self.segment;
        let directory = &segment.main;
        let bits = directory.bits();
        let locate = |mask: u32| {
            let target = key ^ (mask << (32 - bits));
            let range = directory.range(bucket_of(target, bits));
            // Where `target` falls if the bucket's substrings are spread evenly.
            let fraction = u64::from(target << bits);
            let guess = ((fraction * range.len() as u64) >> 32) as usize;
            (target, range, guess)
        };
        for (i, &mask) in masks.iter().enumerate() {
            if let Some(&ahead) = masks.get(i + PREFETCH_AHEAD) {
                let (_, range, guess) = locate(ahead);
                let around =
                    range.start + guess.saturating_sub(1)..(range.start + guess + 2).min(range.end);
                prefetch_all(&segment.hashes[around]);
            }
            let (target, range, guess) = locate(mask);
            let hashes = &segment.hashes[range.clone()];
            let mut at = guess.min(hashes.len());
            while at > 0 && substring(&hashes[at - 1], 0) >= target {
                at -= 1;
            }
            while at < hashes.len() && substring(&hashes[at], 0) < target {
                at += 1;
            }
            while at < hashes.len() && substring(&hashes[at], 0) == target {
                self.verify(range.start + at, index, out);
                at += 1;
            }
        }
    }

    /// Keeps as candidates the postings whose filter byte lies within
    /// `allowance`, and prefetches their hashes.
    #[inline(always)]
    fn filter<P: Posting>(
        &self,
        postings: &[P],
        filter: u8,
        allowance: u32,
        index: usize,
        candidates: &mut Vec<Candidate>,
    ) {
        let mut keep = |posting: P| self.keep(posting, index, candidates);
        let passes = |posting: P| (posting.filter() ^ filter).count_ones() <= allowance;
        let mut blocks = postings.chunks_exact(FILTER_BLOCK);
        for block in &mut blocks {
            // Branch-free over the block (the compiler vectorises it), then
            // one branch per passing posting.
            let mut passed = 0u32;
            for (i, &posting) in block.iter().enumerate() {
                passed |= u32::from(passes(posting)) << i;
            }
            while passed != 0 {
                keep(block[passed.trailing_zeros() as usize]);
                passed &= passed - 1;
            }
        }
        for &posting in blocks.remainder() {
            if passes(posting) {
                keep(posting);
            }
        }
    }

    /// Keeps the hash at `position` if it lies within the radius and probe
    /// `index` is the first probe whose substring lies within its radius
    /// (every match has one, by the pigeonhole, and that probe finds it).
    #[inline(always)]
    fn verify(&self, position: usize, index: usize, out: &mut Vec<Match>) {
        let hash = &self.segment.hashes[position];
        let first = self
            .probes
            .iter()
            .position(|p| substring_distance(hash, self.query, p.table) <= p.radius);
        if first != Some(index) {
            return;
        }
        let d = distance(hash, self.query);
        if d <= self.radius && !self.removed.contains(position) {
            out.push(self.segment.found(position, d));
        }
    }
}

/// Where a probe looks in one table at one weight of the directory masks.
struct Bucketing<'m> {
    masks: &'m [u32],
    home: usize,
    filter: u8,
    allowance: u32,
    index: usize,
}

/// Where the run of filter byte `filter` starts in a bucket of `len`
/// postings if filter bytes are spread evenly.
#[inline(always)]
fn filter_guess(filter: u8, len: usize) -> usize {
    (usize::from(filter) * len) >> u8::BITS
}

/// A posting that passed its filter, to verify once all tables are probed.
#[derive(Clone, Copy)]
struct Candidate {
    position: u32,
    probe: u8,
}

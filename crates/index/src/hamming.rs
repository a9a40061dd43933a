//! [`HammingIndex`]: the PDQ hash index callers use.

use std::collections::{BinaryHeap, HashSet};
use std::io::{Read, Seek, Write};
use std::path::Path;

use pdq::Hash256;
use rayon::prelude::*;

use crate::found::Match;
use crate::key::distance;
use crate::layers::{Layers, Segment, Snapshot, DEFAULT_TAIL_LIMIT};
use crate::plan::{choose, Method, Strategy};
use crate::scan::{dispatched, scan};
use crate::segment::{Entry, HashSegment};
use crate::FileError;

/// Radii a k-nearest search tries in turn (each a range search) before it
/// falls back to one scan with a bounded heap: most PDQ queries have their
/// nearest hashes within 31 bits or none that close.
const NEAREST_STEPS: [u32; 6] = [7, 15, 23, 31, 47, 63];

/// A radius that every 256-bit hash lies within.
const ANY_DISTANCE: u32 = 256;

/// Exact search of 256-bit hashes by Hamming distance, with ids.
///
/// Reads and writes may run at once from many threads (`&self` everywhere):
/// each search sees one consistent snapshot, and a write never makes a search
/// wait longer than a pointer swap. Ids are the caller's; the index does not
/// require them to be unique, and [`remove`](HammingIndex::remove) drops every
/// entry with the id.
pub struct HammingIndex {
    layers: Layers<HashSegment>,
}

impl Default for HammingIndex {
    fn default() -> Self {
        HammingIndex::new()
    }
}

impl Segment for HashSegment {
    type Entry = Entry;
    fn build(entries: Vec<Entry>) -> Self {
        HashSegment::build(entries)
    }
    fn len(&self) -> usize {
        HashSegment::len(self)
    }
    fn id(&self, position: usize) -> u64 {
        self.ids().get(position)
    }
    fn entry(&self, position: usize) -> Entry {
        HashSegment::entry(self, position)
    }
    fn entry_id(entry: &Entry) -> u64 {
        entry.id
    }
}

impl HammingIndex {
    /// An empty index.
    pub fn new() -> HammingIndex {
        HammingIndex::with_tail_limit(DEFAULT_TAIL_LIMIT)
    }

    /// An empty index whose unsorted tail of recent inserts is sealed into a
    /// segment once it holds `tail_limit` hashes (default
    /// [`DEFAULT_TAIL_LIMIT`]).
    pub fn with_tail_limit(tail_limit: usize) -> HammingIndex {
        HammingIndex {
            layers: Layers::new(Snapshot::empty(), tail_limit),
        }
    }

    pub(crate) fn from_snapshot(snapshot: Snapshot<HashSegment>) -> HammingIndex {
        HammingIndex {
            layers: Layers::new(snapshot, DEFAULT_TAIL_LIMIT),
        }
    }

    /// An index of `entries` (id, hash), built as one segment.
    pub fn build(entries: impl IntoIterator<Item = (u64, Hash256)>) -> HammingIndex {
        let index = HammingIndex::new();
        index.insert_many(entries);
        index
    }

    /// Stores `hash` under `id`.
    pub fn insert(&self, id: u64, hash: Hash256) {
        self.insert_many([(id, hash)]);
    }

    /// Stores many (id, hash) pairs in one write.
    pub fn insert_many(&self, entries: impl IntoIterator<Item = (u64, Hash256)>) {
        let entries = entries
            .into_iter()
            .map(|(id, hash)| Entry { hash: hash.0, id })
            .collect();
        self.layers.insert(entries);
    }

    /// Makes this index hold exactly what `other` holds (one read from a
    /// file, say), in one swap: a search sees the old entries or the new.
    pub fn replace_with(&self, other: HammingIndex) {
        self.layers.replace(other.layers);
    }

    /// Removes every entry stored under `id`; returns how many there were.
    pub fn remove(&self, id: u64) -> usize {
        self.remove_many([id])
    }

    /// Removes every entry stored under any of `ids`, in one write.
    ///
    /// Costs one pass over the stored ids (a few milliseconds per million).
    pub fn remove_many(&self, ids: impl IntoIterator<Item = u64>) -> usize {
        self.layers
            .remove(&ids.into_iter().collect::<HashSet<u64>>())
    }

    /// Merges all segments and the tail into one segment (what `save` stores
    /// best, and the fastest to search).
    pub fn compact(&self) {
        self.layers.compact();
    }

    /// Number of stored entries.
    pub fn len(&self) -> usize {
        self.layers.snapshot().len()
    }

    /// Whether nothing is stored.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every stored (id, hash) pair, in no particular order (to build
    /// another layout of the same hashes).
    pub fn entries(&self) -> Vec<(u64, Hash256)> {
        let snapshot = self.layers.snapshot();
        let mut out = Vec::with_capacity(snapshot.len());
        for part in &snapshot.parts {
            out.extend(part.live_entries().map(|e| (e.id, Hash256(e.hash))));
        }
        out.extend(snapshot.tail.iter().map(|e| (e.id, Hash256(e.hash))));
        out
    }

    /// Every stored hash within Hamming distance `radius` of `query` (any
    /// radius; 31 is PDQ's usual threshold), nearest first, then by id.
    pub fn search(&self, query: &Hash256, radius: u32) -> Vec<Match> {
        self.search_with(query, radius, Strategy::Auto)
    }

    /// [`search`](HammingIndex::search) with the strategy forced (for
    /// measurement and tests: every strategy gives the same answer).
    pub fn search_with(&self, query: &Hash256, radius: u32, strategy: Strategy) -> Vec<Match> {
        range(&self.layers.snapshot(), &query.0, radius, strategy)
    }

    /// The `k` stored hashes nearest to `query`, nearest first (ties by id).
    pub fn nearest(&self, query: &Hash256, k: usize) -> Vec<Match> {
        self.nearest_within(query, k, ANY_DISTANCE)
    }

    /// The `k` stored hashes nearest to `query` among those within `radius`.
    pub fn nearest_within(&self, query: &Hash256, k: usize, radius: u32) -> Vec<Match> {
        nearest(&self.layers.snapshot(), &query.0, k, radius)
    }

    /// [`search`](HammingIndex::search) for many queries, on `threads` threads
    /// (all against the same snapshot). Results are in query order.
    pub fn search_batch(
        &self,
        queries: &[Hash256],
        radius: u32,
        threads: usize,
    ) -> Vec<Vec<Match>> {
        let snapshot = self.layers.snapshot();
        on_threads(queries, threads, |q| {
            range(&snapshot, &q.0, radius, Strategy::Auto)
        })
    }

    /// [`nearest_within`](HammingIndex::nearest_within) for many queries, on
    /// `threads` threads. Results are in query order.
    pub fn nearest_batch(
        &self,
        queries: &[Hash256],
        k: usize,
        radius: u32,
        threads: usize,
    ) -> Vec<Vec<Match>> {
        let snapshot = self.layers.snapshot();
        on_threads(queries, threads, |q| nearest(&snapshot, &q.0, k, radius))
    }

    /// Saves the index to `path` atomically (a temporary file renamed over it).
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), FileError> {
        crate::hamming_file::save(&self.layers.snapshot(), path.as_ref())
    }

    /// Writes the index, byte for byte as [`save`](HammingIndex::save) would
    /// write a file, at the current position of `out` (to keep it inside a
    /// larger file); `out` is left after it. Returns the bytes written.
    pub fn write_to<W: Write + Seek>(&self, out: &mut W) -> std::io::Result<u64> {
        crate::hamming_file::write_to(&self.layers.snapshot(), out)
    }

    /// Reads an index written by [`write_to`](HammingIndex::write_to) (or the
    /// bytes of a saved file) from `input`, which holds it in its next `len`
    /// bytes; reads no more than that. Checks as much as
    /// [`open`](HammingIndex::open); errors name `origin`, the file the bytes
    /// come from.
    pub fn read_from(
        input: &mut dyn Read,
        len: u64,
        origin: &Path,
    ) -> Result<HammingIndex, FileError> {
        crate::hamming_file::read_from(input, len, origin).map(HammingIndex::from_snapshot)
    }

    /// Opens an index saved by [`save`](HammingIndex::save), reading the file
    /// in one pass and checking its header, checksum and structure.
    pub fn open(path: impl AsRef<Path>) -> Result<HammingIndex, FileError> {
        crate::hamming_file::open(path.as_ref()).map(HammingIndex::from_snapshot)
    }

    /// A full consistency check: hashes and postings in order, every posting
    /// in the bucket of its hash (random access over all postings, some
    /// seconds per 10M hashes). [`open`](HammingIndex::open) refuses altered
    /// files by their checksum and checks every bound, so that no search can
    /// fail; this also catches a file forged with a valid checksum.
    pub fn verify(&self) -> bool {
        self.layers
            .snapshot()
            .parts
            .iter()
            .all(|p| p.segment.agrees())
    }
}

fn on_threads<T: Send>(
    queries: &[Hash256],
    threads: usize,
    work: impl Fn(&Hash256) -> T + Sync,
) -> Vec<T> {
    if threads > 1 && queries.len() > 1 {
        if let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(threads).build() {
            return pool.install(|| queries.par_iter().map(&work).collect());
        }
    }
    queries.iter().map(work).collect()
}

fn range(
    snapshot: &Snapshot<HashSegment>,
    query: &[u64; 4],
    radius: u32,
    strategy: Strategy,
) -> Vec<Match> {
    let mut out = Vec::new();
    range_into_fast(snapshot, query, radius, strategy, &mut out);
    out.sort_unstable();
    out
}

dispatched!(
    /// Appends every live match within `radius` to `out`, unsorted.
    fn range_into_fast(
        snapshot: &Snapshot<HashSegment>,
        query: &[u64; 4],
        radius: u32,
        strategy: Strategy,
        out: &mut Vec<Match>
    ) -> () = range_into
);

#[inline(always)]
fn range_into(
    snapshot: &Snapshot<HashSegment>,
    query: &[u64; 4],
    radius: u32,
    strategy: Strategy,
    out: &mut Vec<Match>,
) {
    for part in &snapshot.parts {
        let segment = &part.segment;
        let method = choose(strategy, segment.len(), segment.directory_bits(), radius);
        segment.search(query, radius, method, &part.removed, out);
    }
    for entry in snapshot.tail.iter() {
        let d = distance(&entry.hash, query);
        if d <= radius {
            out.push(Match {
                id: entry.id,
                hash: Hash256(entry.hash),
                distance: d,
            });
        }
    }
}

fn nearest(
    snapshot: &Snapshot<HashSegment>,
    query: &[u64; 4],
    k: usize,
    radius: u32,
) -> Vec<Match> {
    if k == 0 {
        return Vec::new();
    }
    let largest = snapshot.parts.iter().max_by_key(|p| p.segment.len());
    for step in NEAREST_STEPS
        .into_iter()
        .filter(|&s| s < radius)
        .chain([radius])
    {
        let scans = largest.is_none_or(|p| {
            let segment = &p.segment;
            let method = choose(
                Strategy::Auto,
                segment.len(),
                segment.directory_bits(),
                step,
            );
            matches!(method, Method::LinearScan)
        });
        if scans {
            break;
        }
        let mut found = range(snapshot, query, step, Strategy::Auto);
        if found.len() >= k || step == radius {
            found.truncate(k);
            return found;
        }
    }
    nearest_by_scan(snapshot, query, k, radius)
}

dispatched!(
    /// One pass over everything with a heap of the best `k`.
    fn nearest_by_scan(
        snapshot: &Snapshot<HashSegment>,
        query: &[u64; 4],
        k: usize,
        radius: u32
    ) -> Vec<Match> = nearest_by_scan_body
);

#[inline(always)]
fn nearest_by_scan_body(
    snapshot: &Snapshot<HashSegment>,
    query: &[u64; 4],
    k: usize,
    radius: u32,
) -> Vec<Match> {
    let mut best: BinaryHeap<Match> = BinaryHeap::with_capacity(k + 1);
    let mut offer = |m: Match| {
        if best.len() < k {
            best.push(m);
        } else if best.peek().is_some_and(|worst| m < *worst) {
            best.pop();
            best.push(m);
        }
    };
    for part in &snapshot.parts {
        let segment = &part.segment;
        scan(segment.hashes(), query, radius, |position, d| {
            if !part.removed.contains(position) {
                offer(Match {
                    id: segment.ids().get(position),
                    hash: Hash256(segment.hashes()[position]),
                    distance: d,
                });
            }
        });
    }
    for entry in snapshot.tail.iter() {
        let d = distance(&entry.hash, query);
        if d <= radius {
            offer(Match {
                id: entry.id,
                hash: Hash256(entry.hash),
                distance: d,
            });
        }
    }
    best.into_sorted_vec()
}

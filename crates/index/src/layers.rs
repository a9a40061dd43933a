//! Sealed segments, a small unsorted tail and removals, published as
//! immutable snapshots: how both the Hamming index and the digest sets take
//! writes while searches run.
//!
//! A reader takes the current snapshot (an `Arc` clone under a read lock held
//! for that clone only) and searches it undisturbed. A writer builds the next
//! snapshot beside it and swaps the pointer under the write lock, so a reader
//! waits at most for a pointer swap. Inserts go to the tail, which is copied
//! on write and scanned linearly; when it reaches its limit it is sealed into
//! a segment. Segments are merged when the newer one has at least half the
//! live entries of the older (as in a size-tiered log-structured merge), so
//! each entry is rebuilt O(log n) times over its life and there are
//! O(log n) segments; no write rebuilds the whole index. A removal marks
//! positions in the segments that hold the id (a pass over their ids) and
//! drops it from the tail; a segment more than half removed is rebuilt.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use crate::removed::Removed;

/// Default tail length: scanning 2048 hashes costs a few microseconds per
/// query, and copying the tail on a write about as much.
pub const DEFAULT_TAIL_LIMIT: usize = 2048;

/// A segment merges into the one before it when it holds at least
/// 1/`MERGE_RATIO` of that one's live entries.
const MERGE_RATIO: usize = 2;

/// What the layers need from a sealed segment type.
pub(crate) trait Segment: Send + Sync + Sized + 'static {
    /// One stored item with its id.
    type Entry: Clone + Send + Sync + 'static;
    /// Seals entries into a segment.
    fn build(entries: Vec<Self::Entry>) -> Self;
    /// Number of entries, removed ones included.
    fn len(&self) -> usize;
    /// The id of the entry at `position`.
    fn id(&self, position: usize) -> u64;
    /// The entry at `position`.
    fn entry(&self, position: usize) -> Self::Entry;
    /// The id of an entry.
    fn entry_id(entry: &Self::Entry) -> u64;
}

/// A sealed segment and the positions removed from it since.
pub(crate) struct Part<S> {
    pub segment: Arc<S>,
    pub removed: Arc<Removed>,
}

impl<S> Clone for Part<S> {
    fn clone(&self) -> Self {
        Part {
            segment: Arc::clone(&self.segment),
            removed: Arc::clone(&self.removed),
        }
    }
}

impl<S: Segment> Part<S> {
    pub(crate) fn new(segment: S) -> Part<S> {
        Part {
            segment: Arc::new(segment),
            removed: Arc::default(),
        }
    }

    /// Entries not removed.
    pub(crate) fn live(&self) -> usize {
        self.segment.len() - self.removed.len()
    }

    pub(crate) fn live_entries(&self) -> impl Iterator<Item = S::Entry> + '_ {
        (0..self.segment.len())
            .filter(|&p| !self.removed.contains(p))
            .map(|p| self.segment.entry(p))
    }
}

/// What readers see: sealed parts, oldest first, and the tail of recent inserts.
pub(crate) struct Snapshot<S: Segment> {
    pub parts: Vec<Part<S>>,
    pub tail: Arc<Vec<S::Entry>>,
}

impl<S: Segment> Snapshot<S> {
    pub(crate) fn empty() -> Snapshot<S> {
        Snapshot {
            parts: Vec::new(),
            tail: Arc::default(),
        }
    }

    /// Live entries.
    pub(crate) fn len(&self) -> usize {
        self.parts.iter().map(Part::live).sum::<usize>() + self.tail.len()
    }
}

/// The current snapshot and the writer's lock.
pub(crate) struct Layers<S: Segment> {
    current: RwLock<Arc<Snapshot<S>>>,
    writer: Mutex<()>,
    tail_limit: usize,
}

impl<S: Segment> Layers<S> {
    pub(crate) fn new(snapshot: Snapshot<S>, tail_limit: usize) -> Layers<S> {
        Layers {
            current: RwLock::new(Arc::new(snapshot)),
            writer: Mutex::new(()),
            tail_limit: tail_limit.max(1),
        }
    }

    /// The current snapshot.
    pub(crate) fn snapshot(&self) -> Arc<Snapshot<S>> {
        Arc::clone(&self.current.read().unwrap_or_else(PoisonError::into_inner))
    }

    fn publish(&self, snapshot: Snapshot<S>) {
        let next = Arc::new(snapshot);
        let old = std::mem::replace(
            &mut *self.current.write().unwrap_or_else(PoisonError::into_inner),
            next,
        );
        // The old snapshot is freed here, after the lock, if no reader holds it.
        drop(old);
    }

    /// Makes these layers hold what `other` holds (its current snapshot).
    pub(crate) fn replace(&self, other: Layers<S>) {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let next = other
            .current
            .into_inner()
            .unwrap_or_else(PoisonError::into_inner);
        let old = std::mem::replace(
            &mut *self.current.write().unwrap_or_else(PoisonError::into_inner),
            next,
        );
        drop(old);
    }

    /// Adds entries.
    pub(crate) fn insert(&self, entries: Vec<S::Entry>) {
        if entries.is_empty() {
            return;
        }
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let old = self.snapshot();
        let mut parts = old.parts.clone();
        let mut tail = if old.tail.is_empty() {
            entries
        } else {
            let mut tail = Vec::with_capacity(old.tail.len() + entries.len());
            tail.extend_from_slice(&old.tail);
            tail.extend(entries);
            tail
        };
        if tail.len() >= self.tail_limit {
            parts.push(Part::new(S::build(tail)));
            tail = Vec::new();
            merge_tiers(&mut parts);
        }
        self.publish(Snapshot {
            parts,
            tail: Arc::new(tail),
        });
    }

    /// Removes every entry whose id is in `ids`; returns how many.
    pub(crate) fn remove(&self, ids: &HashSet<u64>) -> usize {
        if ids.is_empty() {
            return 0;
        }
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let old = self.snapshot();
        let mut count = 0;
        let tail: Vec<S::Entry> = old
            .tail
            .iter()
            .filter(|e| !ids.contains(&S::entry_id(e)))
            .cloned()
            .collect();
        count += old.tail.len() - tail.len();
        let mut parts = Vec::with_capacity(old.parts.len());
        for part in &old.parts {
            let hit: Vec<u32> = (0..part.segment.len())
                .filter(|&p| ids.contains(&part.segment.id(p)) && !part.removed.contains(p))
                .map(|p| p as u32)
                .collect();
            if hit.is_empty() {
                parts.push(part.clone());
                continue;
            }
            count += hit.len();
            let part = Part {
                segment: Arc::clone(&part.segment),
                removed: Arc::new(part.removed.with(&hit)),
            };
            if part.live() == 0 {
                continue;
            }
            if part.removed.len() * 2 > part.segment.len() {
                parts.push(Part::new(S::build(part.live_entries().collect())));
            } else {
                parts.push(part);
            }
        }
        if count > 0 {
            self.publish(Snapshot {
                parts,
                tail: Arc::new(tail),
            });
        }
        count
    }

    /// Merges every part and the tail into one segment.
    pub(crate) fn compact(&self) {
        let _writer = self.writer.lock().unwrap_or_else(PoisonError::into_inner);
        let old = self.snapshot();
        if old.parts.len() == 1 && old.tail.is_empty() && old.parts[0].removed.len() == 0 {
            return;
        }
        let mut entries: Vec<S::Entry> = Vec::with_capacity(old.len());
        for part in &old.parts {
            entries.extend(part.live_entries());
        }
        entries.extend(old.tail.iter().cloned());
        let parts = if entries.is_empty() {
            Vec::new()
        } else {
            vec![Part::new(S::build(entries))]
        };
        self.publish(Snapshot {
            parts,
            tail: Arc::default(),
        });
    }
}

/// Merges the newest parts while the newest holds at least 1/MERGE_RATIO of
/// the live entries of the one before it.
fn merge_tiers<S: Segment>(parts: &mut Vec<Part<S>>) {
    while parts.len() >= 2 {
        let newer = &parts[parts.len() - 1];
        let older = &parts[parts.len() - 2];
        if newer.live() * MERGE_RATIO < older.live() {
            break;
        }
        let newer = parts.pop().expect("two parts");
        let older = parts.pop().expect("two parts");
        let mut entries = Vec::with_capacity(older.live() + newer.live());
        entries.extend(older.live_entries());
        entries.extend(newer.live_entries());
        parts.push(Part::new(S::build(entries)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A segment of bare ids.
    struct Ids(Vec<u64>);

    impl Segment for Ids {
        type Entry = u64;
        fn build(entries: Vec<u64>) -> Self {
            Ids(entries)
        }
        fn len(&self) -> usize {
            self.0.len()
        }
        fn id(&self, position: usize) -> u64 {
            self.0[position]
        }
        fn entry(&self, position: usize) -> u64 {
            self.0[position]
        }
        fn entry_id(entry: &u64) -> u64 {
            *entry
        }
    }

    fn live(layers: &Layers<Ids>) -> Vec<u64> {
        let snapshot = layers.snapshot();
        let mut all: Vec<u64> = snapshot
            .parts
            .iter()
            .flat_map(|p| p.live_entries().collect::<Vec<_>>())
            .chain(snapshot.tail.iter().copied())
            .collect();
        all.sort_unstable();
        all
    }

    #[test]
    fn segments_stay_logarithmic() {
        let layers = Layers::new(Snapshot::empty(), 4);
        for id in 0..1000 {
            layers.insert(vec![id]);
        }
        let snapshot = layers.snapshot();
        assert!(snapshot.parts.len() <= 10, "{} parts", snapshot.parts.len());
        assert_eq!(snapshot.len(), 1000);
        assert_eq!(live(&layers), (0..1000).collect::<Vec<_>>());
    }

    #[test]
    fn removal_hides_and_rebuilds() {
        let layers = Layers::new(Snapshot::empty(), 4);
        layers.insert((0..100).collect());
        let gone: HashSet<u64> = (0..60).collect();
        assert_eq!(layers.remove(&gone), 60);
        assert_eq!(layers.remove(&gone), 0);
        assert_eq!(live(&layers), (60..100).collect::<Vec<_>>());
        // More than half removed: the segment was rebuilt without them.
        assert_eq!(layers.snapshot().parts[0].removed.len(), 0);
        layers.insert(vec![5]);
        assert_eq!(live(&layers)[0], 5);
        layers.compact();
        let snapshot = layers.snapshot();
        assert_eq!((snapshot.parts.len(), snapshot.tail.len()), (1, 0));
        assert_eq!(snapshot.len(), 41);
    }
}

//! [`DigestSet`]: exact-match sets of MD5 or SHA-256 digests, with ids.
//!
//! The same layers as the Hamming index: sorted immutable runs, a small tail,
//! removals by id, snapshots for readers, one-file persistence.

use std::collections::HashSet;
use std::io::{Read, Seek, Write};
use std::path::Path;
use std::sync::Arc;

use crate::file::{BodyReader, BodyWriter, FileKind, Header};
use crate::layers::{Layers, Part, Segment, Snapshot, DEFAULT_TAIL_LIMIT};
use crate::removed::Removed;
use crate::FileError;

/// A set of MD5 digests (16 bytes) with ids.
pub type Md5Set = DigestSet<16>;
/// A set of SHA-256 digests (32 bytes) with ids.
pub type Sha256Set = DigestSet<32>;

/// Exact lookup of `N`-byte digests, each stored under a caller-chosen id.
///
/// Like [`crate::HammingIndex`]: writes and lookups from many threads at
/// once, a lookup never waits on a write longer than a pointer swap, ids need
/// not be unique and `remove` drops every entry with the id.
pub struct DigestSet<const N: usize> {
    layers: Layers<DigestRun<N>>,
}

/// A sealed run: digests sorted, with their ids.
pub(crate) struct DigestRun<const N: usize> {
    digests: Vec<[u8; N]>,
    ids: Vec<u64>,
}

impl<const N: usize> Segment for DigestRun<N> {
    type Entry = ([u8; N], u64);
    fn build(mut entries: Vec<([u8; N], u64)>) -> Self {
        entries.sort_unstable();
        DigestRun {
            digests: entries.iter().map(|e| e.0).collect(),
            ids: entries.iter().map(|e| e.1).collect(),
        }
    }
    fn len(&self) -> usize {
        self.digests.len()
    }
    fn id(&self, position: usize) -> u64 {
        self.ids[position]
    }
    fn entry(&self, position: usize) -> Self::Entry {
        (self.digests[position], self.ids[position])
    }
    fn entry_id(entry: &Self::Entry) -> u64 {
        entry.1
    }
}

impl<const N: usize> Default for DigestSet<N> {
    fn default() -> Self {
        DigestSet::new()
    }
}

impl<const N: usize> DigestSet<N> {
    /// An empty set.
    pub fn new() -> DigestSet<N> {
        DigestSet::with_tail_limit(DEFAULT_TAIL_LIMIT)
    }

    /// An empty set whose unsorted tail is sealed at `tail_limit` entries.
    pub fn with_tail_limit(tail_limit: usize) -> DigestSet<N> {
        DigestSet {
            layers: Layers::new(Snapshot::empty(), tail_limit),
        }
    }

    /// Stores `digest` under `id`.
    pub fn insert(&self, id: u64, digest: [u8; N]) {
        self.insert_many([(id, digest)]);
    }

    /// Stores many (id, digest) pairs in one write.
    pub fn insert_many(&self, entries: impl IntoIterator<Item = (u64, [u8; N])>) {
        self.layers
            .insert(entries.into_iter().map(|(id, d)| (d, id)).collect());
    }

    /// Makes this set hold exactly what `other` holds (one read from a
    /// file, say), in one swap.
    pub fn replace_with(&self, other: DigestSet<N>) {
        self.layers.replace(other.layers);
    }

    /// Removes every entry stored under `id`; returns how many there were.
    pub fn remove(&self, id: u64) -> usize {
        self.remove_many([id])
    }

    /// Removes every entry stored under any of `ids`, in one write.
    pub fn remove_many(&self, ids: impl IntoIterator<Item = u64>) -> usize {
        self.layers
            .remove(&ids.into_iter().collect::<HashSet<u64>>())
    }

    /// Merges everything into one sorted run.
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

    /// Whether `digest` is stored.
    pub fn contains(&self, digest: &[u8; N]) -> bool {
        !self.ids_of(digest).is_empty()
    }

    /// The ids `digest` is stored under, in increasing order.
    pub fn ids_of(&self, digest: &[u8; N]) -> Vec<u64> {
        let snapshot = self.layers.snapshot();
        let mut ids = Vec::new();
        for part in &snapshot.parts {
            let run = &part.segment;
            let start = run.digests.partition_point(|d| d < digest);
            let end = start + run.digests[start..].partition_point(|d| d == digest);
            ids.extend(
                (start..end)
                    .filter(|&p| !part.removed.contains(p))
                    .map(|p| run.ids[p]),
            );
        }
        ids.extend(snapshot.tail.iter().filter(|e| &e.0 == digest).map(|e| e.1));
        ids.sort_unstable();
        ids
    }

    /// Saves the set to `path` atomically.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), FileError> {
        let snapshot = self.layers.snapshot();
        crate::file::save(path.as_ref(), kind::<N>(), snapshot.len() as u64, |out| {
            write_body(out, &snapshot)
        })
    }

    /// Writes the set, byte for byte as [`save`](DigestSet::save) would write
    /// a file, at the current position of `out` (to keep it inside a larger
    /// file); `out` is left after it. Returns the bytes written.
    pub fn write_to<W: Write + Seek>(&self, out: &mut W) -> std::io::Result<u64> {
        let snapshot = self.layers.snapshot();
        crate::file::write_to(out, kind::<N>(), snapshot.len() as u64, |body| {
            write_body(body, &snapshot)
        })
    }

    /// Opens a set saved by [`save`](DigestSet::save), checking it whole.
    pub fn open(path: impl AsRef<Path>) -> Result<DigestSet<N>, FileError> {
        let path = path.as_ref();
        let (header, input) = BodyReader::open(path, kind::<N>())?;
        read(header, input, path)
    }

    /// Reads a set written by [`write_to`](DigestSet::write_to) from `input`,
    /// which holds it in its next `len` bytes; reads no more than that.
    /// Checks as much as [`open`](DigestSet::open); errors name `origin`, the
    /// file the bytes come from.
    pub fn read_from(
        input: &mut dyn Read,
        len: u64,
        origin: &Path,
    ) -> Result<DigestSet<N>, FileError> {
        let (header, body) = BodyReader::from_reader(Box::new(input), len, origin, kind::<N>())?;
        read(header, body, origin)
    }
}

fn read<const N: usize>(
    header: Header,
    mut input: BodyReader,
    path: &Path,
) -> Result<DigestSet<N>, FileError> {
    let runs = input.count()?;
    let mut raw = Vec::new();
    for _ in 0..runs {
        let len = input.count()?;
        let removed_len = input.count()?;
        let digests = input.bytes(len.saturating_mul(N))?;
        let ids = input.array::<u64>(len)?;
        let removed = input.array::<u32>(removed_len)?;
        raw.push((digests, ids, removed));
    }
    let tail_len = input.count()?;
    let tail_digests = input.bytes(tail_len.saturating_mul(N))?;
    let tail_ids = input.array::<u64>(tail_len)?;
    input.finish()?;
    let corrupt = |reason: &str| FileError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.into(),
    };
    let mut parts = Vec::with_capacity(raw.len());
    for (digests, ids, removed) in raw {
        let digests = to_digests::<N>(&digests);
        let sorted = digests
            .iter()
            .zip(&ids)
            .zip(digests.iter().zip(&ids).skip(1))
            .all(|(a, b)| a <= b);
        let removed = Removed::from_sorted(removed)
            .ok_or_else(|| corrupt("removed positions out of order"))?;
        if !sorted
            || removed
                .positions()
                .last()
                .is_some_and(|&p| p as usize >= ids.len())
        {
            return Err(corrupt(
                "a run is not sorted or its removals are out of range",
            ));
        }
        parts.push(Part {
            segment: Arc::new(DigestRun { digests, ids }),
            removed: Arc::new(removed),
        });
    }
    let tail: Vec<([u8; N], u64)> = to_digests::<N>(&tail_digests)
        .into_iter()
        .zip(tail_ids)
        .collect();
    let snapshot = Snapshot {
        parts,
        tail: Arc::new(tail),
    };
    if snapshot.len() as u64 != header.count {
        return Err(corrupt("the entry count does not match the header"));
    }
    Ok(DigestSet {
        layers: Layers::new(snapshot, DEFAULT_TAIL_LIMIT),
    })
}

/// Kind tag: `DIGEST16` for MD5, `DIGEST32` for SHA-256.
fn tag<const N: usize>() -> [u8; 8] {
    let mut tag = *b"DIGEST00";
    tag[6] = b'0' + (N / 10 % 10) as u8;
    tag[7] = b'0' + (N % 10) as u8;
    tag
}

/// The kind of file of a set of `N`-byte digests.
fn kind<const N: usize>() -> FileKind {
    FileKind {
        tag: tag::<N>(),
        version: crate::file::FORMAT_VERSION,
        name: match N {
            16 => "MD5 set",
            32 => "SHA-256 set",
            _ => "digest set",
        },
        noun: "index file",
    }
}

fn to_digests<const N: usize>(bytes: &[u8]) -> Vec<[u8; N]> {
    bytes
        .chunks_exact(N)
        .map(|c| c.try_into().expect("N bytes"))
        .collect()
}

fn write_body<const N: usize>(
    out: &mut BodyWriter,
    snapshot: &Snapshot<DigestRun<N>>,
) -> std::io::Result<()> {
    out.u64(snapshot.parts.len() as u64)?;
    for part in &snapshot.parts {
        out.u64(part.segment.digests.len() as u64)?;
        out.u64(part.removed.len() as u64)?;
        out.bytes(part.segment.digests.as_flattened())?;
        out.array(&part.segment.ids)?;
        out.array(part.removed.positions())?;
    }
    out.u64(snapshot.tail.len() as u64)?;
    for entry in snapshot.tail.iter() {
        out.bytes(&entry.0)?;
    }
    let ids: Vec<u64> = snapshot.tail.iter().map(|e| e.1).collect();
    out.array(&ids)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_name_the_digest_length() {
        assert_eq!(&kind::<16>().tag, b"DIGEST16");
        assert_eq!(&kind::<32>().tag, b"DIGEST32");
    }

    #[test]
    fn insert_lookup_remove() {
        let set = Md5Set::with_tail_limit(3);
        for i in 0..20u8 {
            set.insert(u64::from(i), [i; 16]);
        }
        set.insert(100, [4; 16]);
        assert_eq!(set.ids_of(&[4; 16]), vec![4, 100]);
        assert!(!set.contains(&[99; 16]));
        assert_eq!(set.remove(4), 1);
        assert_eq!(set.ids_of(&[4; 16]), vec![100]);
        assert_eq!(set.len(), 20);
        set.compact();
        assert_eq!(set.ids_of(&[4; 16]), vec![100]);
    }

    #[test]
    fn replace_with_takes_the_other_set_whole() {
        let set = Sha256Set::with_tail_limit(2);
        set.insert(1, [1; 32]);
        let other = Sha256Set::with_tail_limit(2);
        for i in 10..15u8 {
            other.insert(u64::from(i), [i; 32]);
        }
        set.replace_with(other);
        assert!(!set.contains(&[1; 32]));
        assert_eq!(set.ids_of(&[12; 32]), vec![12]);
        assert_eq!(set.len(), 5);
        set.insert(2, [2; 32]);
        assert_eq!(set.len(), 6);
    }
}

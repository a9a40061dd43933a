//! The local bank: a copy of the bank's active hashes in one file, kept up
//! to date from the feed by `hashbank sync` and matched against by
//! `hashbank scan`.
//!
//! The file holds where it came from (the bank's URL) and how far it has
//! followed the feed (the cursor), the PDQ index and the MD5 and SHA-256 sets
//! as `hashbank-index` stores them, and per hash its kind, role, category
//! and quality; the layout is in `format.rs`. It is written atomically (a
//! temporary file beside it, synced, renamed over it), so a crash leaves the
//! previous copy whole, and it is checked whole when opened.

mod error;
mod fast;
mod format;
mod meta;
mod read;
mod write;

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::sync::OnceLock;

use hashbank_index::{HammingIndex, Hash256, Md5Set, Sha256Set};
use model::QueryLabel;

pub use error::BankFileError;
pub use format::FORMAT_VERSION;

use crate::hashes::{HashMeta, HashValue};
use fast::FastSearch;
use meta::MetaTable;

/// Memory a local bank may spend by default on its fast search layout
/// (`hashbank_index::FrozenIndex`, about 0.6 KB a PDQ hash): 2 GiB, a bank
/// of about 3.7M PDQ hashes. Larger banks are searched in the compact
/// index.
pub const DEFAULT_SEARCH_MEMORY: u64 = 2 << 30;

/// A local copy of the bank's hashes.
pub struct LocalBank {
    source: String,
    cursor: i64,
    pdq: HammingIndex,
    /// The PDQ hashes laid out for fast search, built on first use when
    /// they fit in `search_memory`; `None` when they do not.
    fast: OnceLock<Option<FastSearch>>,
    search_memory: u64,
    md5: Md5Set,
    sha256: Sha256Set,
    meta: MetaTable,
}

/// One change from the feed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A hash to match from now on.
    Add {
        /// The bank's id of the hash.
        id: u64,
        /// The hash.
        value: HashValue,
        /// What the bank says about it.
        meta: HashMeta,
    },
    /// A hash to forget (withdrawn or suspended).
    Delete {
        /// The bank's id of the hash.
        id: u64,
    },
}

/// What applying changes did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Hashes added.
    pub added: u64,
    /// Hashes deleted that the copy held (or had just been given).
    pub deleted: u64,
}

/// A stored hash found for a query hash.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    /// The bank's id of the stored hash.
    pub hash_id: u64,
    /// What the bank says about it.
    pub meta: HashMeta,
    /// Bits that differ (0 for digests).
    pub distance: u32,
}

impl LocalBank {
    /// An empty copy of the bank at `source`, at the start of its feed.
    pub fn new(source: impl Into<String>) -> LocalBank {
        LocalBank {
            source: source.into(),
            cursor: 0,
            pdq: HammingIndex::new(),
            fast: OnceLock::new(),
            search_memory: DEFAULT_SEARCH_MEMORY,
            md5: Md5Set::new(),
            sha256: Sha256Set::new(),
            meta: MetaTable::default(),
        }
    }

    /// Opens a file written by [`save`](LocalBank::save), checking it whole.
    pub fn open(path: impl AsRef<Path>) -> Result<LocalBank, BankFileError> {
        read::open(path.as_ref())
    }

    /// Writes the copy to `path` atomically: a temporary file in the same
    /// folder, synced, then renamed over `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), BankFileError> {
        self.pdq.compact();
        self.md5.compact();
        self.sha256.compact();
        write::save(self, path.as_ref())
    }

    /// The bank's URL this copy follows.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The last feed cursor applied.
    pub fn cursor(&self) -> i64 {
        self.cursor
    }

    /// Hashes held.
    pub fn len(&self) -> usize {
        self.meta.len()
    }

    /// Whether no hash is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hashes held of each kind, in [`crate::Kind::ALL`] order.
    pub fn per_kind(&self) -> [u64; 3] {
        self.meta.per_kind()
    }

    /// What the copy holds about hash `id`.
    pub fn meta(&self, id: u64) -> Option<HashMeta> {
        self.meta.get(id)
    }

    /// Sets the memory the fast search layout may take (default
    /// [`DEFAULT_SEARCH_MEMORY`]); 0 always searches the compact index.
    pub fn set_search_memory(&mut self, bytes: u64) {
        self.search_memory = bytes;
        self.fast = OnceLock::new();
    }

    /// Builds the fast search layout now, if the PDQ hashes fit in the
    /// search memory, rather than on the first search; returns whether it
    /// is used. Searches give the same results either way.
    pub fn prepare_search(&self) -> bool {
        self.fast().is_some()
    }

    fn fast(&self) -> Option<&FastSearch> {
        self.fast
            .get_or_init(|| {
                let bytes = self.pdq.len() as u64 * FastSearch::BYTES_PER_HASH;
                (bytes <= self.search_memory)
                    .then(|| FastSearch::build(self.pdq.entries(), &self.meta))
            })
            .as_ref()
    }

    /// Applies feed changes in their order, then moves the cursor to
    /// `cursor`. Idempotent: adding a held id replaces it, deleting an id not
    /// held does nothing.
    pub fn apply(&mut self, changes: &[Change], cursor: i64) -> Applied {
        let mut adds: HashMap<u64, (HashValue, HashMeta)> = HashMap::new();
        let mut removes: HashSet<u64> = HashSet::new();
        let mut applied = Applied::default();
        for change in changes {
            match change {
                Change::Add { id, value, meta } => {
                    if self.meta.get(*id).is_some() {
                        removes.insert(*id);
                    }
                    adds.insert(*id, (*value, *meta));
                    applied.added += 1;
                }
                Change::Delete { id } => {
                    let pending = adds.remove(id).is_some();
                    let held = self.meta.get(*id).is_some() && removes.insert(*id);
                    if pending || held {
                        applied.deleted += 1;
                    }
                }
            }
        }
        self.remove(&removes);
        self.add(&adds);
        self.fast = OnceLock::new();
        self.meta.update(
            &removes,
            adds.iter().map(|(id, (_, meta))| (*id, *meta)).collect(),
        );
        self.cursor = cursor;
        applied
    }

    fn remove(&self, ids: &HashSet<u64>) {
        let mut by_kind: [Vec<u64>; 3] = Default::default();
        for &id in ids {
            if let Some(meta) = self.meta.get(id) {
                by_kind[usize::from(meta.kind.code())].push(id);
            }
        }
        let [pdq, md5, sha256] = by_kind;
        if !pdq.is_empty() {
            self.pdq.remove_many(pdq);
        }
        if !md5.is_empty() {
            self.md5.remove_many(md5);
        }
        if !sha256.is_empty() {
            self.sha256.remove_many(sha256);
        }
    }

    fn add(&self, adds: &HashMap<u64, (HashValue, HashMeta)>) {
        let mut pdq = Vec::new();
        let mut md5 = Vec::new();
        let mut sha256 = Vec::new();
        for (&id, (value, _)) in adds {
            match value {
                HashValue::Pdq(h) => pdq.push((id, *h)),
                HashValue::Md5(d) => md5.push((id, *d)),
                HashValue::Sha256(d) => sha256.push((id, *d)),
            }
        }
        if !pdq.is_empty() {
            self.pdq.insert_many(pdq);
        }
        if !md5.is_empty() {
            self.md5.insert_many(md5);
        }
        if !sha256.is_empty() {
            self.sha256.insert_many(sha256);
        }
    }

    /// The stored hashes `value` matches: PDQ hashes within `radius` bits
    /// (nearest first), digests exactly.
    pub fn search(&self, value: &HashValue, radius: u32) -> Vec<Found> {
        let found = |hash_id: u64, distance: u32| {
            self.meta.get(hash_id).map(|meta| Found {
                hash_id,
                meta,
                distance,
            })
        };
        match value {
            HashValue::Pdq(h) => self
                .pdq
                .search(h, radius)
                .into_iter()
                .filter_map(|m| found(m.id, m.distance))
                .collect(),
            HashValue::Md5(d) => self
                .md5
                .ids_of(d)
                .into_iter()
                .filter_map(|id| found(id, 0))
                .collect(),
            HashValue::Sha256(d) => self
                .sha256
                .ids_of(d)
                .into_iter()
                .filter_map(|id| found(id, 0))
                .collect(),
        }
    }

    /// The stored PDQ hashes within `radius` bits of `hash`, a query hash
    /// labelled `query`, that are compared with it
    /// ([`model::radius`]; a stored hash without a label counts as
    /// plain), nearest first, then by id. The same as [`search`] without
    /// the pairs that are never compared, and faster: in the fast layout,
    /// only the groups of labels compared with `query` are searched.
    ///
    /// [`search`]: LocalBank::search
    pub fn search_for(&self, query: QueryLabel, hash: &Hash256, radius: u32) -> Vec<Found> {
        let found = match self.fast() {
            Some(fast) => fast.search(query, hash, radius),
            None => self.pdq.search(hash, radius),
        };
        found
            .into_iter()
            .filter_map(|m| {
                let meta = self.meta.get(m.id)?;
                let label = model::stored_label(meta.label);
                model::radius(query, label)?;
                Some(Found {
                    hash_id: m.id,
                    meta,
                    distance: m.distance,
                })
            })
            .collect()
    }

    /// Whether every set holds exactly the hashes the metadata lists by kind.
    fn consistent(&self) -> bool {
        let [pdq, md5, sha256] = self.per_kind();
        self.pdq.len() as u64 == pdq
            && self.md5.len() as u64 == md5
            && self.sha256.len() as u64 == sha256
    }
}

impl std::fmt::Debug for LocalBank {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LocalBank")
            .field("source", &self.source)
            .field("cursor", &self.cursor)
            .field("hashes", &self.len())
            .finish()
    }
}

#[cfg(test)]
mod tests;

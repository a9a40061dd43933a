//! The local bank: a copy of the bank's active hashes in one file, kept up
//! to date from the feed by `hashbank sync` and matched against by
//! `hashbank scan`.
//!
//! The file (kind `LOCALBNK` in the envelope of `hashbank_index::file`)
//! holds how far the copy has followed the feed and where it came from,
//! then the matcher as [`Matcher::write_to`] writes it:
//!
//! ```text
//! i64 feed cursor
//! u32 length, then the bank's URL (UTF-8)
//! u64 length, then the matcher (a `MATCHSET` file)
//! ```
//!
//! It is written atomically (a temporary file beside it, synced, renamed
//! over it), so a crash leaves the previous copy whole, and it is checked
//! whole when opened.

use std::path::Path;
use std::sync::OnceLock;

use hashbank_index::file::{BodyReader, FileKind};
use hashbank_index::{FileError, Hash256};
use model::{HashValue, QueryLabel};

use crate::fast::FastSearch;
use crate::sets::{Applied, Change, Found, Matcher};
use crate::stored::HashMeta;

/// The version of the local bank file written and read by this build.
/// Version 2 added the label of each PDQ hash; version 3 moved the file
/// into the envelope every hashbank file shares; version 4 added videos.
/// Files of other versions are refused (a sync with `--rebuild` makes a
/// new one).
pub const FORMAT_VERSION: u32 = 4;

/// The kind of local bank files.
const KIND: FileKind = FileKind {
    tag: *b"LOCALBNK",
    version: FORMAT_VERSION,
    name: "bank file",
    noun: "bank file",
};

/// Longest bank URL a file may hold: far beyond any real URL, small enough
/// that a forged length allocates nothing large.
const MAX_SOURCE_LEN: u32 = 4096;

/// Memory a local bank may spend by default on its fast search layout
/// (`hashbank_index::FrozenIndex`, about 0.6 KB a PDQ hash): 2 GiB, a bank
/// of about 3.7M PDQ hashes. Larger banks are searched in the compact
/// index.
pub const DEFAULT_SEARCH_MEMORY: u64 = 2 << 30;

/// A local copy of the bank's hashes.
pub struct LocalBank {
    source: String,
    cursor: i64,
    matcher: Matcher,
    /// The PDQ hashes laid out for fast search, built on first use when
    /// they fit in `search_memory`; `None` when they do not.
    fast: OnceLock<Option<FastSearch>>,
    search_memory: u64,
}

impl LocalBank {
    /// An empty copy of the bank at `source`, at the start of its feed.
    pub fn new(source: impl Into<String>) -> LocalBank {
        LocalBank::of(source.into(), 0, Matcher::new())
    }

    fn of(source: String, cursor: i64, matcher: Matcher) -> LocalBank {
        LocalBank {
            source,
            cursor,
            matcher,
            fast: OnceLock::new(),
            search_memory: DEFAULT_SEARCH_MEMORY,
        }
    }

    /// Opens a file written by [`save`](LocalBank::save), checking it whole.
    pub fn open(path: impl AsRef<Path>) -> Result<LocalBank, FileError> {
        let path = path.as_ref();
        let (header, mut body) = BodyReader::open(path, KIND)?;
        let cursor = body.u64()? as i64;
        let source_len = body.u32()?;
        if source_len > MAX_SOURCE_LEN {
            return Err(body.corrupt("the bank URL is too long"));
        }
        let source = String::from_utf8(body.bytes(source_len as usize)?)
            .map_err(|_| body.corrupt("the bank URL is not UTF-8"))?;
        let matcher = body.part(|r, len, p| Matcher::read_from(r, len, p))?;
        let mismatch = body.corrupt("the hash count does not match the header");
        body.finish()?;
        if matcher.len() as u64 != header.count {
            return Err(mismatch);
        }
        Ok(LocalBank::of(source, cursor, matcher))
    }

    /// Writes the copy to `path` atomically: a temporary file in the same
    /// folder, synced, then renamed over `path`.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<(), FileError> {
        self.matcher.compact();
        let count = self.matcher.len() as u64;
        hashbank_index::file::save(path.as_ref(), KIND, count, |body| {
            body.u64(self.cursor as u64)?;
            body.u32(self.source.len() as u32)?;
            body.bytes(self.source.as_bytes())?;
            body.part(|o| self.matcher.write_to(o))
        })
    }

    /// The bank's URL this copy follows.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The last feed cursor applied.
    pub fn cursor(&self) -> i64 {
        self.cursor
    }

    /// The hashes held.
    pub fn matcher(&self) -> &Matcher {
        &self.matcher
    }

    /// Hashes held.
    pub fn len(&self) -> usize {
        self.matcher.len()
    }

    /// Whether no hash is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Hashes held of each kind, in [`model::Kind::ALL`] order.
    pub fn per_kind(&self) -> [u64; model::Kind::COUNT] {
        self.matcher.per_kind()
    }

    /// What the copy holds about hash `id`.
    pub fn meta(&self, id: u64) -> Option<HashMeta> {
        self.matcher.meta(id)
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
                let pdq = self.matcher.pdq_len() as u64;
                (pdq * FastSearch::BYTES_PER_HASH <= self.search_memory)
                    .then(|| FastSearch::build(self.matcher.pdq_entries(), &self.matcher.table()))
            })
            .as_ref()
    }

    /// Applies feed changes in their order (see [`Matcher::apply`]), then
    /// moves the cursor to `cursor`.
    pub fn apply(&mut self, changes: &[Change], cursor: i64) -> Applied {
        let applied = self.matcher.apply(changes);
        self.fast = OnceLock::new();
        self.cursor = cursor;
        applied
    }

    /// The stored hashes `value` matches: PDQ hashes within `radius` bits
    /// (nearest first), digests exactly.
    pub fn search(&self, value: &HashValue, radius: u32) -> Vec<Found> {
        self.matcher.search(value, radius)
    }

    /// The stored PDQ hashes within `radius` bits of `hash`, a query hash
    /// labelled `query`, that are compared with it
    /// ([`Matcher::search_compared`]). The same as [`search`] without the
    /// pairs that are never compared, and faster: in the fast layout, only
    /// the groups of labels compared with `query` are searched.
    ///
    /// [`search`]: LocalBank::search
    pub fn search_for(&self, query: QueryLabel, hash: &Hash256, radius: u32) -> Vec<Found> {
        match self.fast() {
            Some(fast) => self
                .matcher
                .found(fast.search(query, hash, radius), Some(query)),
            None => self.matcher.search_compared(query, hash, radius),
        }
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
#[path = "local_tests.rs"]
mod tests;

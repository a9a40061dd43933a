//! The in-memory matcher: every active hash value of the bank in
//! `hashbank-index` (one entry per value, however many cases hold it),
//! loaded from the feed at start and kept in step with it.
//!
//! The feed is the bank's change sequence: its addition entries are exactly
//! the active hashes, and every withdrawal or suspension appends deletion
//! entries. A server applies its own writes right after they commit, and
//! follows the feed (every second or so) for everybody else's; both paths go
//! through one lock and are idempotent, so a change seen twice is applied
//! once, and a change applied from a commit is never undone by an older
//! read of the feed.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::RwLock;

use hashbank_index::{HammingIndex, Hash256, Md5Set, Sha256Set};
use model::{BankLabel, QueryLabel};
use serde::Serialize;

use crate::db::Db;
use crate::error::Result;
use crate::feed::{read_additions, read_feed, FeedEntry, FeedOp};
use crate::hashes::{serialize_label, Category, Kind, Role};

mod saved;
pub use saved::Opened;

/// Feed entries read per query while loading or following.
#[cfg(not(test))]
const FOLLOW_PAGE: i64 = 20_000;
/// Small pages in unit tests, so that a load of a few thousand entries
/// takes several.
#[cfg(test)]
const FOLLOW_PAGE: i64 = 500;
/// Readers of the feed at once while loading.
const LOAD_READERS: i64 = 3;

/// An active hash, as the matcher (and the feed) hold it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    /// Its random id.
    pub id: i64,
    /// Its kind.
    pub kind: Kind,
    /// Its role.
    pub role: Role,
    /// PDQ only: what it is a hash of.
    pub label: Option<BankLabel>,
    /// Lower-case hex.
    pub value: String,
    /// PDQ quality.
    pub quality: Option<i64>,
    /// Whether its case is in the `minor` category.
    pub minor: bool,
}

/// One change to the set of active hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A hash became active.
    Add(Entry),
    /// A hash left matching (withdrawn or suspended).
    Remove(i64),
}

/// What the matcher keeps per hash beside the index.
#[derive(Clone, Copy)]
struct Meta {
    kind: Kind,
    role: Role,
    label: Option<BankLabel>,
    minor: bool,
}

/// A stored hash found for a query.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Found {
    /// The bank's id of the stored hash.
    pub hash_id: i64,
    /// Its kind.
    pub kind: Kind,
    /// Its role.
    pub role: Role,
    /// PDQ only: what the stored hash is a hash of.
    #[serde(
        serialize_with = "serialize_label",
        skip_serializing_if = "Option::is_none"
    )]
    pub label: Option<BankLabel>,
    /// The stored hash, lower-case hex.
    pub hash: String,
    /// Bits that differ (0 for MD5 and SHA-256).
    pub distance: u32,
    /// `minor` when its case is in that category.
    pub category: Option<Category>,
}

/// The bank's hashes in memory.
#[derive(Default)]
pub struct Matcher {
    pdq: HammingIndex,
    md5: Md5Set,
    sha256: Sha256Set,
    meta: RwLock<HashMap<u64, Meta>>,
    /// The last feed cursor applied; held while applying.
    applied: tokio::sync::Mutex<i64>,
    /// A copy of `applied` for readers that must not wait.
    cursor: AtomicI64,
    ready: AtomicBool,
}

impl Matcher {
    /// An empty matcher, not ready until [`Matcher::load`] has run.
    pub fn new() -> Matcher {
        Matcher::default()
    }

    /// Whether the hashes are loaded.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Active hashes held.
    pub fn len(&self) -> usize {
        self.meta.read().expect("matcher lock").len()
    }

    /// Whether no hash is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The last feed cursor the matcher has followed to.
    pub fn cursor(&self) -> i64 {
        self.cursor.load(Ordering::Acquire)
    }

    /// Loads every active hash from the feed; then the matcher is ready.
    pub async fn load(&self, db: &Db) -> Result<()> {
        let mut applied = self.applied.lock().await;
        if *applied > 0 {
            // Opened from a saved matcher whose follow failed: what is
            // left is to follow, deletions included.
            drop(applied);
            self.follow(db).await?;
            self.ready.store(true, Ordering::Release);
            return Ok(());
        }
        let (head,): (i64,) = sqlx::query_as("SELECT feed_cursor FROM head WHERE id = 1")
            .fetch_one(&db.pool)
            .await?;
        // Entries up to `head` are committed; later ones are followed. The
        // additions are read in ranges of cursors by several readers at
        // once, while the pages already read are applied (additions of
        // distinct ids: their order does not matter).
        let start = *applied;
        let step = (head - start).max(0) / LOAD_READERS + 1;
        let (pages_out, mut pages) = tokio::sync::mpsc::channel(2 * LOAD_READERS as usize);
        for reader in 0..LOAD_READERS {
            let from = start + reader * step;
            let upto = (from + step).min(head);
            if from >= upto {
                continue;
            }
            let db = db.clone();
            let pages_out = pages_out.clone();
            tokio::spawn(async move {
                let mut after = from;
                loop {
                    let page = read_additions(&db, after, upto, FOLLOW_PAGE).await;
                    let last = match &page {
                        Ok(entries) if entries.len() as i64 == FOLLOW_PAGE => {
                            entries.last().map(|e| e.cursor)
                        }
                        _ => None,
                    };
                    if pages_out.send(page).await.is_err() {
                        return;
                    }
                    match last {
                        Some(cursor) => after = cursor,
                        None => return,
                    }
                }
            });
        }
        drop(pages_out);
        while let Some(page) = pages.recv().await {
            let changes: Vec<Change> = page?
                .into_iter()
                .filter_map(|e| to_change(e).ok())
                .collect();
            self.apply_locked(changes);
        }
        *applied = head.max(*applied);
        self.cursor.store(*applied, Ordering::Release);
        self.pdq.compact();
        self.ready.store(true, Ordering::Release);
        Ok(())
    }

    /// Applies every feed entry committed since the last call; returns how
    /// many entries were read.
    pub async fn follow(&self, db: &Db) -> Result<usize> {
        let mut applied = self.applied.lock().await;
        let mut read = 0;
        loop {
            let page = read_feed(db, *applied, FOLLOW_PAGE).await?;
            let Some(last) = page.last() else { break };
            let full = page.len() as i64 == FOLLOW_PAGE;
            *applied = last.cursor;
            read += page.len();
            let changes = page.into_iter().filter_map(|e| to_change(e).ok()).collect();
            self.apply_locked(changes);
            self.cursor.store(*applied, Ordering::Release);
            if !full {
                break;
            }
        }
        Ok(read)
    }

    /// Applies changes just committed by this server.
    pub async fn apply(&self, changes: Vec<Change>) {
        let _applied = self.applied.lock().await;
        self.apply_locked(changes);
    }

    fn apply_locked(&self, changes: Vec<Change>) {
        let mut pdq = Vec::new();
        let mut md5 = Vec::new();
        let mut sha256 = Vec::new();
        let mut removed: [Vec<u64>; 3] = Default::default();
        let mut meta = self.meta.write().expect("matcher lock");
        for change in changes {
            match change {
                Change::Add(entry) => {
                    let id = entry.id as u64;
                    if let Some(held) = meta.get_mut(&id) {
                        // The same value again, e.g. now minor: only what
                        // is kept beside the index changes.
                        held.minor = entry.minor;
                        continue;
                    }
                    let parsed = match entry.kind {
                        Kind::Pdq => Hash256::from_hex(&entry.value)
                            .map(|h| pdq.push((id, h)))
                            .is_ok(),
                        Kind::Md5 => model::unhex::<16>(&entry.value)
                            .map(|d| md5.push((id, d)))
                            .is_some(),
                        Kind::Sha256 => model::unhex::<32>(&entry.value)
                            .map(|d| sha256.push((id, d)))
                            .is_some(),
                    };
                    if parsed {
                        meta.insert(
                            id,
                            Meta {
                                kind: entry.kind,
                                role: entry.role,
                                label: entry.label,
                                minor: entry.minor,
                            },
                        );
                    }
                }
                Change::Remove(id) => {
                    if let Some(gone) = meta.remove(&(id as u64)) {
                        removed[gone.kind as usize].push(id as u64);
                    }
                }
            }
        }
        drop(meta);
        if !pdq.is_empty() {
            self.pdq.insert_many(pdq);
        }
        if !md5.is_empty() {
            self.md5.insert_many(md5);
        }
        if !sha256.is_empty() {
            self.sha256.insert_many(sha256);
        }
        let [pdq_gone, md5_gone, sha256_gone] = removed;
        if !pdq_gone.is_empty() {
            self.pdq.remove_many(pdq_gone);
        }
        if !md5_gone.is_empty() {
            self.md5.remove_many(md5_gone);
        }
        if !sha256_gone.is_empty() {
            self.sha256.remove_many(sha256_gone);
        }
    }

    /// Stored hashes matching `value` (lower-case hex of a `kind` hash).
    ///
    /// A PDQ query hash, of what `label` says, is compared only with the
    /// stored PDQ hashes whose label [`model::radius`] pairs with
    /// it: within that pair's radius, or within `radius` bits when given
    /// (a stored hash without a label counts as a plain one). MD5 and
    /// SHA-256 match exactly, whatever the label. Minor first, then
    /// nearest, then by id.
    pub fn search(
        &self,
        kind: Kind,
        value: &str,
        label: QueryLabel,
        radius: Option<u32>,
    ) -> Vec<Found> {
        let hits: Vec<(u64, String, u32)> = match kind {
            Kind::Pdq => match (Hash256::from_hex(value), reach(label, radius)) {
                (Ok(query), Some(reach)) => self
                    .pdq
                    .search(&query, reach)
                    .into_iter()
                    .map(|m| (m.id, m.hash.to_hex(), m.distance))
                    .collect(),
                _ => Vec::new(),
            },
            Kind::Md5 => exact(&self.md5, value),
            Kind::Sha256 => exact(&self.sha256, value),
        };
        let meta = self.meta.read().expect("matcher lock");
        let mut found: Vec<Found> = hits
            .into_iter()
            .filter_map(|(id, hash, distance)| {
                let m = meta.get(&id)?;
                if m.kind == Kind::Pdq {
                    let stored = model::stored_label(m.label);
                    let pair = model::radius(label, stored)?;
                    if distance > radius.unwrap_or(pair) {
                        return None;
                    }
                }
                Some(Found {
                    hash_id: id as i64,
                    kind: m.kind,
                    role: m.role,
                    label: m.label,
                    hash,
                    distance,
                    category: m.minor.then_some(Category::Minor),
                })
            })
            .collect();
        found.sort_by_key(|f| (f.category.is_none(), f.distance, f.hash_id));
        found
    }
}

/// How far around a PDQ query hash labelled `label` the index is searched:
/// `radius` when given, else the largest radius of a pair with the query's
/// label; `None` when no stored label is compared with it.
fn reach(label: QueryLabel, radius: Option<u32>) -> Option<u32> {
    let widest = BankLabel::all()
        .filter_map(|stored| model::radius(label, stored))
        .max()?;
    Some(radius.unwrap_or(widest))
}

fn exact<const N: usize>(
    set: &hashbank_index::DigestSet<N>,
    value: &str,
) -> Vec<(u64, String, u32)> {
    match model::unhex::<N>(value) {
        Some(digest) => set
            .ids_of(&digest)
            .into_iter()
            .map(|id| (id, value.to_string(), 0))
            .collect(),
        None => Vec::new(),
    }
}

/// The matcher's change for a feed entry.
fn to_change(entry: FeedEntry) -> Result<Change> {
    Ok(match entry.op {
        FeedOp::Delete => Change::Remove(entry.hash_id),
        FeedOp::Add => Change::Add(Entry {
            id: entry.hash_id,
            kind: entry.kind.ok_or_else(|| missing("kind"))?,
            role: entry.role.unwrap_or_default(),
            label: entry.label,
            value: entry.value.ok_or_else(|| missing("value"))?,
            quality: entry.quality,
            minor: entry.category == Some(Category::Minor),
        }),
    })
}

fn missing(field: &str) -> crate::error::BankError {
    crate::error::BankError::Internal(format!("a feed addition without its {field}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A bank of more additions than the readers' pages hold is loaded
    /// whole: every range, every page, none twice.
    #[tokio::test]
    async fn a_load_reads_every_range_and_page() {
        use crate::bank::{test_bank, Bank, Settings};
        use crate::hashes::CheckedHash;
        let dir = tempfile::tempdir().unwrap();
        let bank = test_bank(&dir, Settings::default()).await;
        let n = 2 * FOLLOW_PAGE as usize * LOAD_READERS as usize + 7;
        let hashes: Vec<CheckedHash> = (0..n)
            .map(|i| CheckedHash {
                kind: Kind::Md5,
                value: format!("{i:032x}"),
                quality: None,
                role: Role::Plain,
                label: None,
            })
            .collect();
        bank.import(hashes, 500, None, |_| {}).await.unwrap();
        let url = format!("sqlite://{}", dir.path().join("bank.db").display());
        let again = Bank::open(&url, Settings::default()).await.unwrap();
        again.load().await.unwrap();
        assert_eq!(again.matcher.len(), n);
        for i in [0, FOLLOW_PAGE as usize, n / 2, n - 1] {
            let found =
                again
                    .matcher
                    .search(Kind::Md5, &format!("{i:032x}"), QueryLabel::Plain, None);
            assert_eq!(found.len(), 1, "{i}");
        }
    }

    fn entry(id: i64, kind: Kind, value: &str, minor: bool) -> Entry {
        Entry {
            id,
            kind,
            role: Role::Plain,
            label: (kind == Kind::Pdq).then_some(BankLabel::Plain),
            value: value.into(),
            quality: None,
            minor,
        }
    }

    #[tokio::test]
    async fn applies_idempotently_and_puts_minor_first() {
        let matcher = Matcher::new();
        let a = "f".repeat(64);
        let mut b = a.clone();
        b.replace_range(63..64, "0"); // 4 bits away
        let md5 = "0123456789abcdef0123456789abcdef";
        matcher
            .apply(vec![
                Change::Add(entry(1, Kind::Pdq, &a, false)),
                Change::Add(entry(2, Kind::Pdq, &b, true)),
                Change::Add(entry(1, Kind::Pdq, &a, false)),
                Change::Add(entry(3, Kind::Md5, md5, false)),
            ])
            .await;
        assert_eq!(matcher.len(), 3);
        let found = matcher.search(Kind::Pdq, &a, QueryLabel::Plain, None);
        assert_eq!(
            found
                .iter()
                .map(|f| (f.hash_id, f.distance))
                .collect::<Vec<_>>(),
            vec![(2, 4), (1, 0)]
        );
        assert_eq!(found[0].category, Some(Category::Minor));
        assert_eq!(
            matcher.search(Kind::Md5, md5, QueryLabel::Plain, None)[0].hash_id,
            3
        );
        matcher
            .apply(vec![
                Change::Remove(2),
                Change::Remove(2),
                Change::Remove(3),
            ])
            .await;
        assert_eq!(
            matcher.search(Kind::Pdq, &a, QueryLabel::Plain, None).len(),
            1
        );
        assert!(matcher
            .search(Kind::Md5, md5, QueryLabel::Plain, None)
            .is_empty());
    }

    /// `hex` with `bits` of its bits flipped.
    fn flip(hex: &str, bits: usize) -> String {
        let mut bytes = Hash256::from_hex(hex).unwrap().to_bytes();
        for bit in 0..bits {
            bytes[bit / 8] ^= 1 << (bit % 8);
        }
        Hash256::from_bytes(&bytes).to_hex()
    }

    #[tokio::test]
    async fn only_compared_labels_match() {
        let matcher = Matcher::new();
        let a = "5a".repeat(32);
        let crop90: BankLabel = "crop90".parse().unwrap();
        let top80: BankLabel = "top80".parse().unwrap();
        let extra = |id, value: &str, label| Entry {
            role: Role::Extra,
            label: Some(label),
            ..entry(id, Kind::Pdq, value, false)
        };
        matcher
            .apply(vec![
                Change::Add(extra(1, &a, crop90)),
                Change::Add(extra(2, &flip(&a, 35), top80)),
            ])
            .await;
        let ids = |label: &str, value: &str, radius| {
            let label: QueryLabel = label.parse().unwrap();
            matcher
                .search(Kind::Pdq, value, label, radius)
                .iter()
                .map(|f| (f.hash_id, f.label.map(|l| l.as_str())))
                .collect::<Vec<_>>()
        };
        // The whole query picture against a crop of the original: compared.
        assert_eq!(ids("pdq", &flip(&a, 31), None), vec![(1, Some("crop90"))]);
        assert!(ids("pdq", &flip(&a, 32), None).is_empty());
        // A mirrored query and a crop, or two different parts: never.
        assert!(ids("flipx", &a, None).is_empty());
        assert_eq!(ids("top80", &a, None), vec![]);
        assert_eq!(ids("top80", &flip(&a, 35), None), vec![(2, Some("top80"))]);
        // An explicit radius widens every compared pair, and only those.
        assert_eq!(
            ids("pdq", &flip(&a, 40), Some(40)),
            vec![(1, Some("crop90"))]
        );
        assert_eq!(ids("top80", &a, Some(40)), vec![(2, Some("top80"))]);
        assert!(ids("crop90", &a, Some(63)).is_empty());
    }
}

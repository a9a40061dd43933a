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

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};

use api::MatchedHash;
use model::{BankLabel, HashValue, QueryLabel, VideoHash, VideoRule};

use crate::db::Db;
use crate::error::Result;
use crate::feed::{read_additions, read_feed, FeedEntry, FeedOp};
use crate::hashes::{Category, Kind, Role};

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
    /// The bank it was filed at, when it came from a source this bank
    /// follows (an exchange); none when filed here.
    pub origin: Option<String>,
}

/// One change to the set of active hashes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// A hash became active.
    Add(Entry),
    /// A hash left matching (withdrawn or suspended).
    Remove(i64),
}

impl Change {
    /// The matcher's change; `None` for a value that does not parse.
    fn to_matcher(&self) -> Option<matcher::Change> {
        Some(match self {
            Change::Remove(id) => matcher::Change::Delete { id: *id as u64 },
            Change::Add(entry) => matcher::Change::Add {
                id: entry.id as u64,
                value: HashValue::parse(entry.kind, &entry.value)?,
                meta: matcher::HashMeta {
                    kind: entry.kind,
                    role: entry.role,
                    category: entry.minor.then_some(Category::Minor),
                    quality: entry
                        .quality
                        .and_then(|q| u8::try_from(q).ok())
                        .filter(|q| *q <= 100),
                    label: entry.label,
                },
            },
        })
    }
}

/// The bank's hashes in memory ([`matcher::Matcher`]), kept in step with
/// the feed.
#[derive(Default)]
pub struct FeedMatcher {
    hashes: matcher::Matcher,
    /// The last feed cursor applied; held while applying.
    applied: tokio::sync::Mutex<i64>,
    /// A copy of `applied` for readers that must not wait.
    cursor: AtomicI64,
    ready: AtomicBool,
}

impl FeedMatcher {
    /// An empty matcher, not ready until [`FeedMatcher::load`] has run.
    pub fn new() -> FeedMatcher {
        FeedMatcher::default()
    }

    /// Whether the hashes are loaded.
    pub fn is_ready(&self) -> bool {
        self.ready.load(Ordering::Acquire)
    }

    /// Active hashes held.
    pub fn len(&self) -> usize {
        self.hashes.len()
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
        self.hashes.compact();
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
        let changes: Vec<matcher::Change> = changes.iter().filter_map(Change::to_matcher).collect();
        self.hashes.apply(&changes);
    }

    /// Stored hashes matching `value` (lower-case hex of a `kind` hash):
    /// the decision of [`matcher::Matcher::matches`]. A PDQ query hash, of
    /// what `label` says, is compared only with the stored PDQ hashes whose
    /// label [`model::radius`] pairs with it: within that pair's radius, or
    /// within `radius` bits when given (a stored hash without a label counts
    /// as a plain one), and with the frames of stored videos as a plain
    /// hash (the video once, at its nearest frame). MD5 and SHA-256 match
    /// exactly, whatever the label. Minor first, then nearest, then by id.
    /// A video is matched with [`FeedMatcher::search_video`].
    pub fn search(
        &self,
        kind: Kind,
        value: &str,
        label: QueryLabel,
        radius: Option<u32>,
    ) -> Vec<MatchedHash> {
        let Some(value) = HashValue::parse(kind, value) else {
            return Vec::new();
        };
        self.hashes
            .matches(&value, label, radius)
            .iter()
            .map(matcher::Found::to_matched)
            .collect()
    }

    /// What video `query` matches under `rule`: the stored videos whose
    /// shares make a match, with the shares and the frames found in each
    /// other, then the stored pictures one of its frames shows (plain
    /// whole pictures within the rule's radius), with the frames. Videos
    /// first (minor first, then by shares), then pictures (minor first,
    /// then nearest).
    pub fn search_video(&self, query: &VideoHash, rule: &VideoRule) -> Vec<MatchedHash> {
        self.hashes.search_video(query, rule).to_matched()
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
            origin: entry.origin,
        }),
    })
}

fn missing(field: &str) -> crate::error::BankError {
    crate::error::BankError::Internal(format!("a feed addition without its {field}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use hashbank_index::Hash256;

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
            origin: None,
        }
    }

    #[tokio::test]
    async fn applies_idempotently_and_puts_minor_first() {
        let matcher = FeedMatcher::new();
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
        let matcher = FeedMatcher::new();
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
                .map(|f| {
                    let label = f.label.as_deref().map(|l| l.parse::<BankLabel>().unwrap());
                    (f.hash_id, label.map(BankLabel::as_str))
                })
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

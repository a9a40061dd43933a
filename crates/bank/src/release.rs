//! Releasing the feed: new entries are held (no public cursor) and given
//! public cursors, in random order, in batches that mix many writes, so that
//! a platform reading the feed cannot tell which hashes came from one case
//! (or which deletions from one withdrawal) by their order or cursors.
//!
//! Held additions are released together once they come from at least
//! [`FeedRelease::mix_writes`] writes (filings, additions to a case), or
//! when the oldest has been held [`FeedRelease::hold`]; held deletions
//! (withdrawals, suspensions) likewise, with the shorter
//! [`FeedRelease::delete_hold`]. A release takes the write lock, so public
//! cursors follow commit order for readers too. Servers' matchers follow the
//! internal cursor and never wait for a release.

use std::collections::HashSet;
use std::time::Duration;

use rand::seq::SliceRandom;

use crate::db::Db;
use crate::error::Result;
use crate::write::Write;

/// When held feed entries are released.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeedRelease {
    /// Held entries of one kind (additions, deletions) are released once
    /// they come from this many writes.
    pub mix_writes: usize,
    /// Additions are released after at most this long, mixed or not.
    pub hold: Duration,
    /// Deletions are released after at most this long, mixed or not.
    pub delete_hold: Duration,
}

/// Writes a release mixes by default.
pub const DEFAULT_MIX_WRITES: usize = 8;
/// Additions are held at most an hour by default.
pub const DEFAULT_HOLD: Duration = Duration::from_secs(60 * 60);
/// Deletions are held at most 15 minutes by default.
pub const DEFAULT_DELETE_HOLD: Duration = Duration::from_secs(15 * 60);

impl Default for FeedRelease {
    fn default() -> Self {
        FeedRelease {
            mix_writes: DEFAULT_MIX_WRITES,
            hold: DEFAULT_HOLD,
            delete_hold: DEFAULT_DELETE_HOLD,
        }
    }
}

/// A held entry: internal cursor, op, batch, written at.
type Held = (i64, String, i64, i64);

/// The internal cursors of the held entries `policy` releases at `now`
/// (Unix ms), per op.
fn due(held: &[Held], policy: &FeedRelease, now: i64) -> Vec<i64> {
    let mut out = Vec::new();
    for (op, hold) in [("add", policy.hold), ("delete", policy.delete_hold)] {
        let rows: Vec<&Held> = held.iter().filter(|h| h.1 == op).collect();
        let Some(oldest) = rows.iter().map(|h| h.3).min() else {
            continue;
        };
        let writes = rows.iter().map(|h| h.2).collect::<HashSet<_>>().len();
        if writes >= policy.mix_writes || now - oldest >= hold.as_millis() as i64 {
            out.extend(rows.iter().map(|h| h.0));
        }
    }
    out
}

async fn held<'e, E>(executor: E) -> Result<Vec<Held>>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    Ok(
        sqlx::query_as(
            "SELECT cursor, op, batch, written_at FROM feed WHERE public_cursor IS NULL",
        )
        .fetch_all(executor)
        .await?,
    )
}

/// Releases the held entries that are due; returns how many.
pub(crate) async fn release(db: &Db, policy: &FeedRelease) -> Result<usize> {
    // A look without the lock first: most calls find nothing due.
    if due(&held(&db.pool).await?, policy, crate::clock::now_ms()).is_empty() {
        return Ok(0);
    }
    let mut write = Write::begin(db).await?;
    let mut cursors = due(&held(write.conn()).await?, policy, write.at);
    if cursors.is_empty() {
        return Ok(0);
    }
    cursors.shuffle(&mut rand::rngs::OsRng);
    write.publish(&cursors).await?;
    write.commit().await?;
    tracing::debug!(entries = cursors.len(), "released feed entries");
    Ok(cursors.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn held(cursor: i64, op: &str, batch: i64, at: i64) -> Held {
        (cursor, op.into(), batch, at)
    }

    #[test]
    fn released_when_mixed_or_held_long_enough() {
        let policy = FeedRelease {
            mix_writes: 3,
            hold: Duration::from_secs(100),
            delete_hold: Duration::from_secs(10),
        };
        let two_writes = vec![
            held(1, "add", 1, 0),
            held(2, "add", 1, 0),
            held(3, "add", 3, 5_000),
        ];
        assert!(due(&two_writes, &policy, 50_000).is_empty());
        assert_eq!(due(&two_writes, &policy, 100_000).len(), 3, "held too long");
        let mut three = two_writes.clone();
        three.push(held(4, "add", 4, 6_000));
        assert_eq!(due(&three, &policy, 7_000).len(), 4, "mixed enough");
        // Deletions count on their own, with their own hold.
        let mut both = two_writes.clone();
        both.push(held(5, "delete", 5, 0));
        assert!(due(&both, &policy, 9_000).is_empty());
        assert_eq!(due(&both, &policy, 10_000), vec![5]);
    }
}

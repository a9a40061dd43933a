//! The hash feed: what platforms pull after a cursor, and what every
//! server's matcher follows. Servers follow the internal cursor (commit
//! order, every entry at once); platforms page by the public cursor, which
//! an entry gets when it is released (`crate::release`).

pub use api::{FeedOp, FeedPage};
use model::BankLabel;
use sqlx::Row;

use crate::db::Db;
use crate::error::{BankError, Result};
use crate::hashes::{label_name, parse_category, parse_label, Category, Kind, Role};

/// Feed entries per page when the platform does not say.
pub const DEFAULT_FEED_LIMIT: i64 = 1000;
/// Most feed entries per page.
pub const MAX_FEED_LIMIT: i64 = 10_000;

/// One entry of the feed as the bank reads it, its words parsed: what
/// the matchers follow, and what platforms are sent as an
/// [`api::FeedEntry`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedEntry {
    /// Its place in the feed; pull again after the last one seen.
    pub cursor: i64,
    /// add or delete.
    pub op: FeedOp,
    /// The bank's id of the hash.
    pub hash_id: i64,
    /// Additions: the kind.
    pub kind: Option<Kind>,
    /// Additions: the role.
    pub role: Option<Role>,
    /// Additions of PDQ hashes: what the hash is a hash of (`pdq`, `trim`,
    /// `crop90`, ...).
    pub label: Option<BankLabel>,
    /// Additions: the hash, lower-case hex.
    pub value: Option<String>,
    /// Additions of PDQ hashes: the quality.
    pub quality: Option<i64>,
    /// Additions from a `minor` case.
    pub category: Option<Category>,
    /// Additions from a source this bank follows: the bank where it was
    /// filed.
    pub origin: Option<String>,
}

impl From<FeedEntry> for api::FeedEntry {
    fn from(entry: FeedEntry) -> api::FeedEntry {
        api::FeedEntry {
            cursor: entry.cursor,
            op: entry.op,
            hash_id: entry.hash_id,
            kind: entry.kind,
            role: entry.role,
            label: label_name(entry.label),
            value: entry.value,
            quality: entry.quality,
            category: entry.category,
            origin: entry.origin,
        }
    }
}

/// Up to `limit` entries after internal cursor `after`, released or held,
/// in commit order: what servers follow.
pub(crate) async fn read_feed(db: &Db, after: i64, limit: i64) -> Result<Vec<FeedEntry>> {
    let sql = "SELECT cursor, op, hash_id, kind, role, value, quality, category, label, origin FROM feed \
               WHERE cursor > $1 ORDER BY cursor LIMIT $2";
    read(db, sql, &[after, limit]).await
}

/// Up to `limit` additions with internal cursors after `after` and up to
/// `upto`, in cursor order: what a loading matcher reads, one range per
/// reader.
pub(crate) async fn read_additions(
    db: &Db,
    after: i64,
    upto: i64,
    limit: i64,
) -> Result<Vec<FeedEntry>> {
    let sql = "SELECT cursor, op, hash_id, kind, role, value, quality, category, label, origin FROM feed \
               WHERE cursor > $1 AND cursor <= $2 AND op = 'add' ORDER BY cursor LIMIT $3";
    read(db, sql, &[after, upto, limit]).await
}

/// Up to `limit` released entries after public cursor `after`, in public
/// cursor order, their `cursor` the public one: what platforms read.
async fn read_released(db: &Db, after: i64, limit: i64) -> Result<Vec<FeedEntry>> {
    let sql = "SELECT public_cursor, op, hash_id, kind, role, value, quality, category, label, \
               origin FROM feed WHERE public_cursor > $1 ORDER BY public_cursor LIMIT $2";
    read(db, sql, &[after, limit]).await
}

/// Runs `sql` with `binds` on the native PostgreSQL connections when there
/// are some, else on the pool; its rows as feed entries.
async fn read(db: &Db, sql: &str, binds: &[i64]) -> Result<Vec<FeedEntry>> {
    if let Some(pg) = &db.pg {
        let mut query = sqlx::query(sql);
        for &value in binds {
            query = query.bind(value);
        }
        let rows = query.fetch_all(pg).await?;
        return rows.iter().map(entry_of).collect();
    }
    let mut query = sqlx::query(sql);
    for &value in binds {
        query = query.bind(value);
    }
    let rows = query.fetch_all(&db.pool).await?;
    rows.iter().map(entry_of).collect()
}

/// A feed entry from a row of `cursor, op, hash_id, kind, role, value,
/// quality, category, label, origin`, whichever driver read it.
///
/// The columns are decoded without checking their SQL types against the
/// Rust ones (`try_get_unchecked`): the queries above name them, and the
/// check was a fifth of a feed page's cost. The words are read in place,
/// not copied.
fn entry_of<R: Row>(row: &R) -> Result<FeedEntry>
where
    usize: sqlx::ColumnIndex<R>,
    for<'r> String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    for<'r> i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    let op: &str = row.try_get_unchecked(1)?;
    let kind: Option<&str> = row.try_get_unchecked(3)?;
    let role: Option<&str> = row.try_get_unchecked(4)?;
    let category: Option<&str> = row.try_get_unchecked(7)?;
    let label: Option<&str> = row.try_get_unchecked(8)?;
    Ok(FeedEntry {
        cursor: row.try_get_unchecked(0)?,
        op: match op {
            "add" => FeedOp::Add,
            "delete" => FeedOp::Delete,
            other => return Err(BankError::Internal(format!("feed op {other:?}"))),
        },
        hash_id: row.try_get_unchecked(2)?,
        kind: kind.map(str::parse::<Kind>).transpose()?,
        role: role.map(str::parse::<Role>).transpose()?,
        label: parse_label(label)?,
        value: row.try_get_unchecked(5)?,
        quality: row.try_get_unchecked(6)?,
        category: parse_category(category)?,
        origin: row.try_get_unchecked(9)?,
    })
}

/// A page of released entries for a platform: `limit` (default [`DEFAULT_FEED_LIMIT`], at most
/// [`MAX_FEED_LIMIT`]) entries after `after`; the read is logged in
/// `feed_reads` with the platform and the cursor range.
pub(crate) async fn pull(
    db: &Db,
    bank_id: &str,
    platform_id: i64,
    after: i64,
    limit: Option<i64>,
) -> Result<FeedPage> {
    let limit = limit.unwrap_or(DEFAULT_FEED_LIMIT);
    if !(1..=MAX_FEED_LIMIT).contains(&limit) {
        return Err(BankError::invalid(
            "invalid_limit",
            format!("limit runs from 1 to {MAX_FEED_LIMIT}, not {limit}"),
        ));
    }
    if after < 0 {
        return Err(BankError::invalid(
            "invalid_cursor",
            "a cursor is 0 (from the start) or a cursor the feed gave",
        ));
    }
    let mut entries = read_released(db, after, limit + 1).await?;
    // Read after the entries, so that it is at least the last of them.
    let (head_cursor,): (i64,) = sqlx::query_as("SELECT public_cursor FROM head WHERE id = 1")
        .fetch_one(&db.pool)
        .await?;
    let more = entries.len() as i64 > limit;
    entries.truncate(limit as usize);
    let next_cursor = entries.last().map_or(after, |e| e.cursor);
    let entries: Vec<api::FeedEntry> = entries.into_iter().map(api::FeedEntry::from).collect();
    sqlx::query(
        "INSERT INTO feed_reads (platform_id, from_cursor, to_cursor, entries, at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(platform_id)
    .bind(after)
    .bind(next_cursor)
    .bind(entries.len() as i64)
    .bind(crate::clock::now_ms())
    .execute(&db.pool)
    .await?;
    Ok(FeedPage {
        entries,
        next_cursor,
        more,
        bank_id: Some(bank_id.to_string()),
        head_cursor: Some(head_cursor),
    })
}

impl crate::bank::Bank {
    /// Up to `limit` released additions after public cursor `after`, in
    /// public cursor order: the active hashes a platform may see (a
    /// withdrawal or suspension removes a value's addition, and held ones
    /// are not released yet). What `hashbank export` writes; not logged as
    /// a platform's read.
    pub async fn released_additions(&self, after: i64, limit: i64) -> Result<Vec<FeedEntry>> {
        let sql = "SELECT public_cursor, op, hash_id, kind, role, value, quality, category, label, origin \
                   FROM feed WHERE public_cursor > $1 AND op = 'add' ORDER BY public_cursor LIMIT $2";
        read(&self.db, sql, &[after, limit]).await
    }
}

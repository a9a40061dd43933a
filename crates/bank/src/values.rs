//! Hash values: one row per distinct (kind, label, value), whichever cases
//! hold it. Platforms see values, never case hashes: the feed has one
//! addition per active value, the match API answers one match per value,
//! and reports and suspension name a value by its public id (`hash_id` on
//! the wire). A case's hash points at its value while the case is open.
//!
//! - A value is active (fed and matched) or suspended (neither), whichever
//!   case files it: filing a suspended value again is accepted and the new
//!   hash is shown suspended on its case, never fed nor matched.
//! - It is `minor` while any open case holding it is.
//! - When its last holder withdraws, the row is deleted (with its reports
//!   and match grants) and, if it was active, a deletion goes on the feed.

use std::collections::{BTreeSet, HashMap};

use sqlx::Any;

use crate::db::{insert_rows, Value};
use crate::error::{BankError, Result};
use crate::hashes::{
    label_text, parse_category, parse_label, Category, CheckedHash, HashStatus, Kind, Role,
};
use crate::matcher::Entry;
use crate::secrets::random_id;
use crate::write::Write;

/// Values looked up per statement.
const VALUES_PER_STATEMENT: usize = crate::db::PARAMS_PER_STATEMENT;

/// The key of a value: kind, label text ("" for none), hex.
pub(crate) type ValueKey = (Kind, String, String);

/// What a value is looked up and kept unique by (`value_key`): the value
/// itself, or for a video, too long for an index, the SHA-256 of its text.
pub(crate) fn value_key(kind: Kind, value: &str) -> String {
    use sha2::Digest;
    match kind {
        Kind::Vpdq => model::hex(&sha2::Sha256::digest(value.as_bytes())),
        _ => value.to_string(),
    }
}

/// A stored value, as read for filing.
#[derive(Clone, Debug)]
pub(crate) struct Stored {
    pub(crate) id: i64,
    status: HashStatus,
    minor: bool,
    entry: Entry,
}

pub(crate) fn key_of(kind: Kind, label: Option<&str>, value: &str) -> ValueKey {
    (kind, label.unwrap_or("").to_string(), value.to_string())
}

/// A value row: id, kind, role, label, value, quality, category, status,
/// origin.
type ValueRow = (
    i64,
    String,
    String,
    Option<String>,
    String,
    Option<i64>,
    Option<String>,
    String,
    Option<String>,
);

/// The columns of a [`ValueRow`].
pub(crate) const VALUE_COLUMNS: &str =
    "id, kind, role, label, value, quality, category, status, origin";

fn stored_of(row: ValueRow) -> Result<Stored> {
    let (id, kind, role, label, value, quality, category, status, origin) = row;
    let minor = parse_category(category.as_deref())? == Some(Category::Minor);
    Ok(Stored {
        id,
        status: status.parse()?,
        minor,
        entry: Entry {
            id,
            kind: kind.parse::<Kind>()?,
            role: role.parse::<Role>()?,
            label: parse_label(label.as_deref())?,
            value,
            quality,
            minor,
            origin,
        },
    })
}

/// The lookup of `n` values: by the value, which leads the unique index, so
/// it reads only the rows asked for however many values are stored.
fn lookup_sql(n: usize) -> String {
    format!(
        "SELECT {VALUE_COLUMNS} FROM hash_values WHERE value_key IN ({})",
        crate::db::params(1, n)
    )
}

/// The stored values among `hashes`, by key.
pub(crate) async fn lookup(
    write: &mut Write,
    hashes: &[&CheckedHash],
) -> Result<HashMap<ValueKey, Stored>> {
    let mut found = HashMap::new();
    let mut keys: Vec<String> = hashes.iter().map(|h| value_key(h.kind, &h.value)).collect();
    keys.sort_unstable();
    keys.dedup();
    for chunk in keys.chunks(VALUES_PER_STATEMENT) {
        let sql = lookup_sql(chunk.len());
        let mut query = sqlx::query_as::<Any, ValueRow>(&sql);
        for key in chunk {
            query = query.bind(key.as_str());
        }
        for row in query.fetch_all(write.conn()).await? {
            let stored = stored_of(row)?;
            let label = label_text(stored.entry.label);
            found.insert(
                key_of(stored.entry.kind, label.as_deref(), &stored.entry.value),
                stored,
            );
        }
    }
    Ok(found)
}

/// Finds or makes the value of each of `hashes`, filed by a case of
/// `category`: a new value goes on the feed; a held active value filed by a
/// minor case becomes minor (its feed addition is replaced); a suspended
/// value stays suspended and off the feed. Returns each hash's value id and
/// the status its hash takes, in order.
pub(crate) async fn attach(
    write: &mut Write,
    hashes: &[&CheckedHash],
    category: Option<Category>,
) -> Result<Vec<(i64, HashStatus)>> {
    let minor = category == Some(Category::Minor);
    let mut known = lookup(write, hashes).await?;
    let mut rows = Vec::new();
    let mut fed = Vec::new();
    let mut now_minor = Vec::new();
    let mut out = Vec::with_capacity(hashes.len());
    for hash in hashes {
        let label = label_text(hash.label);
        let key = key_of(hash.kind, label.as_deref(), &hash.value);
        if let Some(stored) = known.get_mut(&key) {
            let to_minor = minor && !stored.minor && stored.status == HashStatus::Active;
            // A value held only from sources is filed here now: this bank
            // is its origin from now on.
            let to_here = stored.entry.origin.is_some();
            if to_minor || to_here {
                stored.minor |= minor;
                stored.entry.minor = stored.minor;
                stored.entry.origin = None;
                set_held(write, stored.id, stored.minor, None).await?;
                if stored.status == HashStatus::Active {
                    now_minor.push(stored.entry.clone());
                }
            }
            out.push((stored.id, stored.status));
            continue;
        }
        let id = random_id();
        rows.push(new_row(id, hash, minor, write.at, None));
        let entry = Entry {
            id,
            kind: hash.kind,
            role: hash.role,
            label: hash.label,
            value: hash.value.clone(),
            quality: hash.quality,
            minor,
            origin: None,
        };
        fed.push(entry.clone());
        known.insert(
            key,
            Stored {
                id,
                status: HashStatus::Active,
                minor,
                entry,
            },
        );
        out.push((id, HashStatus::Active));
    }
    insert_new(write, rows).await?;
    // A value made minor by this filing, or filed here after it came from
    // a source, is already fed: its addition is replaced, so readers from
    // now on see the category and the origin.
    let ids: Vec<i64> = now_minor.iter().map(|e| e.id).collect();
    drop_additions(write, &ids).await?;
    fed.extend(now_minor);
    write.feed_add(fed).await?;
    Ok(out)
}

/// The row of a new active value `id` of `hash`, held by a minor case or
/// source or not, from `origin` (none: filed here); for [`insert_new`].
pub(crate) fn new_row(
    id: i64,
    hash: &CheckedHash,
    minor: bool,
    at: i64,
    origin: Option<&str>,
) -> Vec<Value> {
    vec![
        Value::Int(id),
        Value::Text(hash.kind.as_str().into()),
        Value::Text(hash.role.as_str().into()),
        Value::OptText(label_text(hash.label)),
        Value::Text(hash.value.clone()),
        Value::Text(value_key(hash.kind, &hash.value)),
        Value::OptInt(hash.quality),
        Value::OptText(minor.then(|| Category::Minor.as_str().to_string())),
        Value::Text(HashStatus::Active.as_str().into()),
        Value::Int(at),
        Value::OptText(origin.map(str::to_string)),
    ]
}

/// Inserts new values' rows ([`new_row`]).
pub(crate) async fn insert_new(write: &mut Write, rows: Vec<Vec<Value>>) -> Result<()> {
    insert_rows(
        write.conn(),
        "hash_values",
        &[
            "id",
            "kind",
            "role",
            "label",
            "value",
            "value_key",
            "quality",
            "category",
            "status",
            "created_at",
            "origin",
        ],
        rows,
    )
    .await
}

/// Values `ids` after some of their holders let go of them or took them
/// (their hash rows no longer point at them, a source deleted them or gave
/// them again): a value no open case and no source holds is deleted (its
/// reports, grants and forwards with it) and, when active, leaves the
/// feed; a value whose category or origin changes has its feed addition
/// replaced (minor while a minor case or source holds it; its origin this
/// bank while a case holds it, else a source's).
pub(crate) async fn release(write: &mut Write, ids: &BTreeSet<i64>) -> Result<()> {
    let mut gone = Vec::new();
    let mut erased = Vec::new();
    let mut sealed = Vec::new();
    let mut refed = Vec::new();
    for &id in ids {
        let row: Option<ValueRow> = sqlx::query_as(&format!(
            "SELECT {VALUE_COLUMNS} FROM hash_values WHERE id = $1"
        ))
        .bind(id)
        .fetch_optional(write.conn())
        .await?;
        let Some(row) = row else { continue };
        let stored = stored_of(row)?;
        let (holders, minor_holders): (i64, i64) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN c.category = 'minor' THEN 1 ELSE 0 END), 0) \
             FROM hashes h JOIN cases c ON c.id = h.case_id \
             WHERE h.value_id = $1 AND c.status = 'open'",
        )
        .bind(id)
        .fetch_one(write.conn())
        .await?;
        let (sources, minor_sources, source_origin): (i64, i64, Option<String>) = sqlx::query_as(
            "SELECT COUNT(*), COALESCE(SUM(CASE WHEN minor <> 0 THEN 1 ELSE 0 END), 0), \
                 MIN(origin) FROM exchange_holdings \
                 WHERE value_id = $1",
        )
        .bind(id)
        .fetch_one(write.conn())
        .await?;
        if holders == 0 && sources == 0 {
            erased.push(id);
            if stored.status == HashStatus::Active {
                gone.push(id);
            }
            sealed.push(crate::withdrawn::Erased {
                id,
                kind: stored.entry.kind,
                label: stored.entry.label,
                value: stored.entry.value.clone(),
                reason: match stored.status {
                    HashStatus::Active => crate::withdrawn::Reason::Withdrawn,
                    _ => crate::withdrawn::Reason::Suspended,
                },
            });
            continue;
        }
        let minor = minor_holders > 0 || minor_sources > 0;
        let origin = if holders > 0 { None } else { source_origin };
        if minor != stored.minor || origin != stored.entry.origin {
            set_held(write, id, minor, origin.clone()).await?;
            if stored.status == HashStatus::Active {
                refed.push(Entry {
                    minor,
                    origin,
                    ..stored.entry
                });
            }
        }
    }
    for id in &erased {
        // Reports, finds, grants and forwards name the value; they go with
        // it.
        for table in ["reports", "finds", "match_grants"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE hash_id = $1"))
                .bind(id)
                .execute(write.conn())
                .await?;
        }
        sqlx::query("DELETE FROM exchange_forwards WHERE value_id = $1")
            .bind(id)
            .execute(write.conn())
            .await?;
        sqlx::query("DELETE FROM hash_values WHERE id = $1")
            .bind(id)
            .execute(write.conn())
            .await?;
    }
    // Kept sealed for the window in which clients that delete by value
    // need it (`crate::withdrawn`), never in the clear.
    crate::withdrawn::seal(write, sealed).await?;
    if !gone.is_empty() {
        write.feed_delete(gone).await?;
    }
    if !refed.is_empty() {
        let ids: Vec<i64> = refed.iter().map(|e| e.id).collect();
        drop_additions(write, &ids).await?;
        write.feed_add(refed).await?;
    }
    Ok(())
}

/// Suspends value `id`: off the feed and out of matching, and every hash
/// holding it shown suspended. False when it was not active.
pub(crate) async fn suspend(write: &mut Write, id: i64) -> Result<bool> {
    let done = sqlx::query::<Any>(
        "UPDATE hash_values SET status = 'suspended' WHERE id = $1 AND status = 'active'",
    )
    .bind(id)
    .execute(write.conn())
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query("UPDATE hashes SET status = 'suspended' WHERE value_id = $1")
        .bind(id)
        .execute(write.conn())
        .await?;
    write.feed_delete(vec![id]).await?;
    Ok(true)
}

/// Marks value `id` minor or not, and from `origin` (none: filed here).
async fn set_held(write: &mut Write, id: i64, minor: bool, origin: Option<String>) -> Result<()> {
    sqlx::query("UPDATE hash_values SET category = $1, origin = $2 WHERE id = $3")
        .bind(minor.then_some(Category::Minor.as_str()))
        .bind(origin)
        .bind(id)
        .execute(write.conn())
        .await?;
    Ok(())
}

/// Removes the feed additions of values `ids` (to be replaced by new ones;
/// no deletion entry).
async fn drop_additions(write: &mut Write, ids: &[i64]) -> Result<()> {
    for id in ids {
        sqlx::query("DELETE FROM feed WHERE op = 'add' AND hash_id = $1")
            .bind(id)
            .execute(write.conn())
            .await?;
    }
    Ok(())
}

/// What a report needs of a value: kind, label, hex.
pub(crate) struct ReportedValue {
    pub(crate) kind: Kind,
    pub(crate) label: Option<model::BankLabel>,
    pub(crate) value: String,
}

/// Value `id` for a report, or 404.
pub(crate) async fn for_report(write: &mut Write, id: i64) -> Result<ReportedValue> {
    let row: Option<ValueRow> = sqlx::query_as(&format!(
        "SELECT {VALUE_COLUMNS} FROM hash_values WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(write.conn())
    .await?;
    let Some(row) = row else {
        return Err(not_given(id));
    };
    let stored = stored_of(row)?;
    Ok(ReportedValue {
        kind: stored.entry.kind,
        label: stored.entry.label,
        value: stored.entry.value,
    })
}

/// The one answer for a hash id that does not exist and for one this
/// platform was never given: a report cannot tell the two apart.
pub(crate) fn not_given(id: i64) -> BankError {
    BankError::NotFound(format!(
        "no hash with id {id} was given to this platform by the match API or the feed \
         (or it was withdrawn)"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{test_bank, Settings};

    /// The lookup reads the unique index, not every stored value (on
    /// PostgreSQL the same index serves it; the crates/cli PostgreSQL tests
    /// run it against a real server).
    #[tokio::test]
    async fn the_value_lookup_searches_the_index() {
        let dir = tempfile::tempdir().unwrap();
        let bank = test_bank(&dir, Settings::default()).await;
        let sql = format!("EXPLAIN QUERY PLAN {}", lookup_sql(3));
        let mut query = sqlx::query_as::<Any, (i64, i64, i64, String)>(&sql);
        for value in ["a", "b", "c"] {
            query = query.bind(value);
        }
        let plan: Vec<String> = query
            .fetch_all(&bank.db.pool)
            .await
            .unwrap()
            .into_iter()
            .map(|row| row.3)
            .collect();
        assert!(
            plan.iter()
                .any(|step| step.contains("USING INDEX hash_values_by_value")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.starts_with("SCAN")),
            "{plan:?}"
        );
    }
}

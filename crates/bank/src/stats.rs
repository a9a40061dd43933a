//! `hashbank stats`: counts across the bank, for operators. Counts only:
//! nothing that names a case or a hash.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::bank::Bank;
use crate::error::Result;

/// The bank in numbers.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Stats {
    /// Cases by status (open, withdrawn).
    pub cases: BTreeMap<String, i64>,
    /// Open cases in the `minor` category.
    pub minor_cases: i64,
    /// Hashes by status (active, suspended, withdrawn).
    pub hashes: BTreeMap<String, i64>,
    /// Distinct hash values (what platforms see) by status (active,
    /// suspended).
    pub values: BTreeMap<String, i64>,
    /// Active hash values by kind.
    pub active_by_kind: BTreeMap<String, i64>,
    /// Platforms with a valid key.
    pub platforms: i64,
    /// Platforms whose key is revoked.
    pub revoked_platforms: i64,
    /// Reports by outcome (`none` when not yet given).
    pub reports: BTreeMap<String, i64>,
    /// The last feed cursor.
    pub feed_cursor: i64,
    /// Feed entries (additions and deletions) stored.
    pub feed_entries: i64,
    /// Feed entries not released to platforms yet (held to be mixed).
    pub feed_held: i64,
    /// Feed reads logged.
    pub feed_reads: i64,
    /// Audit log entries.
    pub audit_entries: i64,
}

impl Bank {
    /// Counts across the bank.
    pub async fn stats(&self) -> Result<Stats> {
        let pool = &self.db.pool;
        let grouped = |sql: &'static str| async move {
            let rows: Vec<(String, i64)> = sqlx::query_as(sql).fetch_all(pool).await?;
            Ok::<_, crate::BankError>(rows.into_iter().collect::<BTreeMap<_, _>>())
        };
        let count = |sql: &'static str| async move {
            let (n,): (i64,) = sqlx::query_as(sql).fetch_one(pool).await?;
            Ok::<_, crate::BankError>(n)
        };
        Ok(Stats {
            cases: grouped("SELECT status, COUNT(*) FROM cases GROUP BY status").await?,
            minor_cases: count(
                "SELECT COUNT(*) FROM cases WHERE status = 'open' AND category = 'minor'",
            )
            .await?,
            hashes: grouped("SELECT status, COUNT(*) FROM hashes GROUP BY status").await?,
            values: grouped("SELECT status, COUNT(*) FROM hash_values GROUP BY status").await?,
            active_by_kind: grouped(
                "SELECT kind, COUNT(*) FROM hash_values WHERE status = 'active' GROUP BY kind",
            )
            .await?,
            platforms: count("SELECT COUNT(*) FROM platforms WHERE revoked_at IS NULL").await?,
            revoked_platforms: count("SELECT COUNT(*) FROM platforms WHERE revoked_at IS NOT NULL")
                .await?,
            reports: grouped(
                "SELECT COALESCE(outcome, 'none'), COUNT(*) FROM reports \
                 GROUP BY COALESCE(outcome, 'none')",
            )
            .await?,
            feed_cursor: count("SELECT feed_cursor FROM head WHERE id = 1").await?,
            feed_entries: count("SELECT COUNT(*) FROM feed").await?,
            feed_held: count("SELECT COUNT(*) FROM feed WHERE public_cursor IS NULL").await?,
            feed_reads: count("SELECT COUNT(*) FROM feed_reads").await?,
            audit_entries: count("SELECT COUNT(*) FROM audit").await?,
        })
    }
}

//! The one way the bank writes: a transaction that first takes the `head`
//! row, so writers (on every server sharing the database) go one at a time.
//! Feed cursors (internal and public) and audit sequence numbers are handed
//! out inside it, so their order is commit order: a reader that has seen
//! cursor N has seen every entry below N that will ever exist.
//!
//! New feed entries are held (no public cursor) until the release
//! (`crate::release`) gives them public cursors in a batch that mixes many
//! writes; servers' matchers follow the internal cursor and do not wait.

use std::sync::Arc;

use rand::seq::SliceRandom;
use sqlx::{Any, AnyConnection, Transaction};

use crate::audit::{chain_hash, Actor, AuditEntry, AuditKey};
use crate::db::{insert_rows, Db, Value};
use crate::error::{BankError, Result};
use crate::hashes::label_text;
use crate::matcher::{Change, Entry};

/// Most ids in one `IN (...)` list.
const IDS_PER_STATEMENT: usize = crate::db::PARAMS_PER_STATEMENT;
/// Most rows given public cursors by one statement (two parameters each,
/// and the time).
const ROWS_PER_UPDATE: usize = (crate::db::PARAMS_PER_STATEMENT - 1) / 2;

/// An open write transaction.
pub(crate) struct Write {
    tx: Transaction<'static, Any>,
    db: Db,
    feed_cursor: i64,
    public_cursor: i64,
    /// Marks this write's feed entries: the first internal cursor it gives.
    batch: i64,
    audit_seq: i64,
    audit_hash: String,
    audit_key: Option<Arc<AuditKey>>,
    /// Whether hash values were erased (the disk is then cleaned after
    /// commit).
    erased: bool,
    /// When the write happens (Unix ms), the same for all its rows.
    pub(crate) at: i64,
    /// Whether this write's feed additions are released at once (shuffled
    /// within the write) instead of held: for a write that by itself mixes
    /// enough cases (an import's transaction).
    pub(crate) release_at_once: bool,
    changes: Vec<Change>,
}

impl Write {
    /// Begins a write: waits for and takes the `head` row.
    pub(crate) async fn begin(db: &Db) -> Result<Write> {
        let mut tx = db.pool.begin().await?;
        let (feed_cursor, public_cursor, audit_seq, audit_hash): (i64, i64, i64, String) =
            sqlx::query_as(
                "UPDATE head SET feed_cursor = feed_cursor WHERE id = 1 \
                 RETURNING feed_cursor, public_cursor, audit_seq, audit_hash",
            )
            .fetch_one(&mut *tx)
            .await?;
        Ok(Write {
            tx,
            db: db.clone(),
            feed_cursor,
            public_cursor,
            batch: feed_cursor + 1,
            audit_seq,
            audit_hash,
            audit_key: db.audit_key.clone(),
            erased: false,
            at: crate::clock::now_ms(),
            release_at_once: false,
            changes: Vec::new(),
        })
    }

    /// The transaction's connection, for the caller's own statements.
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Puts `entries` on the feed as additions, held for the release
    /// (unless [`Write::release_at_once`]).
    pub(crate) async fn feed_add(&mut self, entries: Vec<Entry>) -> Result<()> {
        self.feed_add_entries(entries, self.release_at_once).await
    }

    async fn feed_add_entries(&mut self, mut entries: Vec<Entry>, released: bool) -> Result<()> {
        entries.shuffle(&mut rand::rngs::OsRng);
        let mut rows = Vec::with_capacity(entries.len());
        for entry in &entries {
            self.feed_cursor += 1;
            let public = released.then(|| {
                self.public_cursor += 1;
                self.public_cursor
            });
            rows.push(vec![
                Value::Int(self.feed_cursor),
                Value::OptInt(public),
                Value::OptInt(released.then_some(self.at)),
                Value::Int(self.at),
                Value::Int(self.batch),
                Value::Text("add".into()),
                Value::Int(entry.id),
                Value::Text(entry.kind.as_str().into()),
                Value::Text(entry.role.as_str().into()),
                Value::Text(entry.value.clone()),
                Value::OptInt(entry.quality),
                Value::OptText(entry.minor.then(|| "minor".to_string())),
                Value::OptText(label_text(entry.label)),
                Value::OptText(entry.origin.clone()),
            ]);
        }
        insert_rows(
            &mut self.tx,
            "feed",
            &[
                "cursor",
                "public_cursor",
                "released_at",
                "written_at",
                "batch",
                "op",
                "hash_id",
                "kind",
                "role",
                "value",
                "quality",
                "category",
                "label",
                "origin",
            ],
            rows,
        )
        .await?;
        self.changes.extend(entries.into_iter().map(Change::Add));
        Ok(())
    }

    /// Takes hashes `ids` off the feed: their addition entries go (values
    /// and all), and a deletion entry (id only) for each is appended, held
    /// for the release; the deletion of an addition that was never released
    /// is for the servers' matchers only (public cursor 0).
    pub(crate) async fn feed_delete(&mut self, mut ids: Vec<i64>) -> Result<()> {
        ids.shuffle(&mut rand::rngs::OsRng);
        let mut released = std::collections::HashSet::new();
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let list = crate::db::params(1, chunk.len());
            let sql = format!(
                "SELECT hash_id FROM feed WHERE op = 'add' AND public_cursor IS NOT NULL \
                 AND hash_id IN ({list})"
            );
            let mut query = sqlx::query_as::<Any, (i64,)>(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            released.extend(
                query
                    .fetch_all(&mut *self.tx)
                    .await?
                    .into_iter()
                    .map(|(id,)| id),
            );
            let sql = format!("DELETE FROM feed WHERE op = 'add' AND hash_id IN ({list})");
            let mut query = sqlx::query::<Any>(&sql);
            for id in chunk {
                query = query.bind(*id);
            }
            query.execute(&mut *self.tx).await?;
        }
        let mut rows = Vec::with_capacity(ids.len());
        for id in &ids {
            self.feed_cursor += 1;
            // A deletion of an addition never released is never released
            // (public cursor 0); others are held like additions, or released
            // with this write when it releases at once.
            let (public, released_at) = if !released.contains(id) {
                (Some(0), None)
            } else if self.release_at_once {
                self.public_cursor += 1;
                (Some(self.public_cursor), Some(self.at))
            } else {
                (None, None)
            };
            rows.push(vec![
                Value::Int(self.feed_cursor),
                Value::OptInt(public),
                Value::OptInt(released_at),
                Value::Int(self.at),
                Value::Int(self.batch),
                Value::Text("delete".into()),
                Value::Int(*id),
            ]);
        }
        insert_rows(
            &mut self.tx,
            "feed",
            &[
                "cursor",
                "public_cursor",
                "released_at",
                "written_at",
                "batch",
                "op",
                "hash_id",
            ],
            rows,
        )
        .await?;
        self.erased = true;
        self.changes.extend(ids.into_iter().map(Change::Remove));
        Ok(())
    }

    /// Appends an audit entry, chained to the one before.
    pub(crate) async fn audit(
        &mut self,
        actor: &Actor,
        action: &str,
        subject: &str,
        detail: &str,
    ) -> Result<()> {
        let entry = AuditEntry {
            seq: self.audit_seq + 1,
            at: self.at,
            actor: actor.to_string(),
            action: action.to_string(),
            subject: subject.to_string(),
            detail: detail.to_string(),
        };
        if self.audit_key.is_none() {
            return Err(BankError::invalid(
                "no_audit_key",
                "the bank was opened without its audit key, so it cannot write",
            ));
        }
        let hash = chain_hash(self.audit_key.as_deref(), &self.audit_hash, &entry);
        sqlx::query(
            "INSERT INTO audit (seq, at, actor, action, subject, detail, prev_hash, entry_hash) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(entry.seq)
        .bind(entry.at)
        .bind(entry.actor)
        .bind(entry.action)
        .bind(entry.subject)
        .bind(entry.detail)
        .bind(&self.audit_hash)
        .bind(&hash)
        .execute(&mut *self.tx)
        .await?;
        self.audit_seq += 1;
        self.audit_hash = hash;
        Ok(())
    }

    /// Gives the held feed entries `cursors` (internal cursors) public
    /// cursors, in the order given.
    pub(crate) async fn publish(&mut self, cursors: &[i64]) -> Result<()> {
        for chunk in cursors.chunks(ROWS_PER_UPDATE) {
            let values = (0..chunk.len())
                .map(|i| {
                    format!(
                        "(CAST(${} AS BIGINT), CAST(${} AS BIGINT))",
                        2 * i + 1,
                        2 * i + 2
                    )
                })
                .collect::<Vec<_>>()
                .join(", ");
            let sql = format!(
                "UPDATE feed SET public_cursor = v.column2, released_at = ${} \
                 FROM (VALUES {values}) AS v \
                 WHERE feed.cursor = v.column1 AND feed.public_cursor IS NULL",
                2 * chunk.len() + 1
            );
            let mut query = sqlx::query::<Any>(&sql);
            for cursor in chunk {
                self.public_cursor += 1;
                query = query.bind(*cursor).bind(self.public_cursor);
            }
            query = query.bind(self.at);
            query.execute(&mut *self.tx).await?;
        }
        Ok(())
    }

    /// Marks this write as erasing: the disk is cleaned after it commits.
    pub(crate) fn mark_erased(&mut self) {
        self.erased = true;
    }

    /// Commits; returns the changes the matcher must apply. After a write
    /// that erased hash values, the database is cleaned on disk
    /// ([`Db::erased`]) before this returns.
    pub(crate) async fn commit(mut self) -> Result<Vec<Change>> {
        if self.erased {
            // A matcher saved to a file may hold the erased values: without
            // its key it can no longer be read (see `matcher::saved`).
            sqlx::query("DELETE FROM matcher_keys")
                .execute(&mut *self.tx)
                .await?;
        }
        sqlx::query(
            "UPDATE head SET feed_cursor = $1, public_cursor = $2, audit_seq = $3, \
             audit_hash = $4, erasure_seq = erasure_seq + $5 WHERE id = 1",
        )
        .bind(self.feed_cursor)
        .bind(self.public_cursor)
        .bind(self.audit_seq)
        .bind(&self.audit_hash)
        .bind(i64::from(self.erased))
        .execute(&mut *self.tx)
        .await?;
        self.tx.commit().await?;
        if self.erased {
            self.db.erased().await;
        }
        Ok(self.changes)
    }
}

//! The one way the bank writes: a transaction that first takes the `head`
//! row, so writers (on every server sharing the database) go one at a time.
//! Feed cursors and audit sequence numbers are handed out inside it, so
//! their order is commit order: a reader that has seen cursor N has seen
//! every entry below N that will ever exist.

use rand::seq::SliceRandom;
use sqlx::{Any, AnyConnection, Transaction};

use crate::audit::{entry_hash, Actor, AuditEntry};
use crate::db::{insert_rows, Db, Value};
use crate::error::Result;
use crate::hashes::label_text;
use crate::matcher::{Change, Entry};

/// Most ids in one `IN (...)` list.
const IDS_PER_STATEMENT: usize = 500;

/// An open write transaction.
pub(crate) struct Write {
    tx: Transaction<'static, Any>,
    feed_cursor: i64,
    audit_seq: i64,
    audit_hash: String,
    /// When the write happens (Unix ms), the same for all its rows.
    pub(crate) at: i64,
    changes: Vec<Change>,
}

impl Write {
    /// Begins a write: waits for and takes the `head` row.
    pub(crate) async fn begin(db: &Db) -> Result<Write> {
        let mut tx = db.pool.begin().await?;
        let (feed_cursor, audit_seq, audit_hash): (i64, i64, String) = sqlx::query_as(
            "UPDATE head SET feed_cursor = feed_cursor WHERE id = 1 \
             RETURNING feed_cursor, audit_seq, audit_hash",
        )
        .fetch_one(&mut *tx)
        .await?;
        Ok(Write {
            tx,
            feed_cursor,
            audit_seq,
            audit_hash,
            at: crate::clock::now_ms(),
            changes: Vec::new(),
        })
    }

    /// The transaction's connection, for the caller's own statements.
    pub(crate) fn conn(&mut self) -> &mut AnyConnection {
        &mut self.tx
    }

    /// Puts `entries` on the feed as additions, in random order (so the
    /// order says nothing about which hashes came from one image).
    pub(crate) async fn feed_add(&mut self, mut entries: Vec<Entry>) -> Result<()> {
        entries.shuffle(&mut rand::rngs::OsRng);
        let mut rows = Vec::with_capacity(entries.len());
        for entry in &entries {
            self.feed_cursor += 1;
            rows.push(vec![
                Value::Int(self.feed_cursor),
                Value::Text("add".into()),
                Value::Int(entry.id),
                Value::Text(entry.kind.as_str().into()),
                Value::Text(entry.role.as_str().into()),
                Value::Text(entry.value.clone()),
                Value::OptInt(entry.quality),
                Value::OptText(entry.minor.then(|| "minor".to_string())),
                Value::OptText(label_text(entry.label)),
            ]);
        }
        insert_rows(
            &mut self.tx,
            "feed",
            &[
                "cursor", "op", "hash_id", "kind", "role", "value", "quality", "category", "label",
            ],
            rows,
        )
        .await?;
        self.changes.extend(entries.into_iter().map(Change::Add));
        Ok(())
    }

    /// Takes hashes `ids` off the feed: their addition entries go, and a
    /// deletion entry (id only) for each is appended.
    pub(crate) async fn feed_delete(&mut self, mut ids: Vec<i64>) -> Result<()> {
        ids.shuffle(&mut rand::rngs::OsRng);
        for chunk in ids.chunks(IDS_PER_STATEMENT) {
            let list = (1..=chunk.len())
                .map(|n| format!("${n}"))
                .collect::<Vec<_>>()
                .join(", ");
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
            rows.push(vec![
                Value::Int(self.feed_cursor),
                Value::Text("delete".into()),
                Value::Int(*id),
            ]);
        }
        insert_rows(&mut self.tx, "feed", &["cursor", "op", "hash_id"], rows).await?;
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
        let hash = entry_hash(&self.audit_hash, &entry);
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

    /// Commits; returns the changes the matcher must apply.
    pub(crate) async fn commit(mut self) -> Result<Vec<Change>> {
        sqlx::query(
            "UPDATE head SET feed_cursor = $1, audit_seq = $2, audit_hash = $3 WHERE id = 1",
        )
        .bind(self.feed_cursor)
        .bind(self.audit_seq)
        .bind(&self.audit_hash)
        .execute(&mut *self.tx)
        .await?;
        self.tx.commit().await?;
        Ok(self.changes)
    }
}

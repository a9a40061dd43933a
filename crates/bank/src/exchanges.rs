//! Exchanges: this bank follows other banks' feeds (its sources), with a
//! platform key each of them issued to it, and puts their hashes on its own
//! feed, so that its platforms get them; a withdrawal at the source is a
//! deletion on its feed, and so here too.
//!
//! - A source's addition becomes a hash value of this bank (one per value,
//!   as for cases) with a holding row (source, the source's hash id); a
//!   value stays while a case of this bank or a source holds it. A
//!   source's hashes are never shown on a case.
//! - Each bank has a random id (`bank_identity`); feed pages say it, and
//!   additions that came from a source carry the bank where they were
//!   filed as their `origin`. An addition whose origin is this bank is
//!   ignored (it came back around a loop of exchanges), so a loop neither
//!   duplicates nor brings back a withdrawn hash.
//! - A page of a source's feed is applied in one write with the source's
//!   cursor: a failure anywhere leaves both as they were.
//! - A report of one of this bank's platforms on a value held only from
//!   sources is forwarded to each of them as this bank's own report there
//!   (its outcomes too), through `exchange_forwards`, retried until done.
//!
//! The platform key of a source is kept in the database as given (it must
//! be sent, so it cannot be kept as an argon2 hash like the keys this bank
//! issues): whoever reads the database can read the bank's feed at its
//! sources.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::Serialize;
use sqlx::Any;

use crate::audit::Actor;
use crate::bank::Bank;
use crate::clock::{now_ms, rfc3339};
use crate::db::{insert_rows, params, Value};
use crate::error::{BankError, Result};
use crate::hashes::{check_new_hashes, label_text, Category, NewHash};
use crate::matcher::Entry;
use crate::secrets::{random_block, random_id};
use crate::write::Write;

/// Longest exchange name.
const MAX_NAME_LEN: usize = 64;
/// What a forwarded report's content reference starts with (then the
/// exchange's name, the reporting platform's name and its reference).
pub const FORWARD_PREFIX: &str = "exchange:";
/// A report already forwarded this many times (through banks following
/// each other) is not forwarded again.
pub const MAX_FORWARD_HOPS: usize = 4;

/// A source as the follower uses it. Its key is never printed.
#[derive(Clone)]
pub struct Source {
    /// Its id.
    pub id: i64,
    /// Its name here.
    pub name: String,
    /// The source bank's URL.
    pub url: String,
    /// The platform key the source issued to this bank.
    pub key: String,
    /// The source's feed, applied up to here.
    pub cursor: i64,
}

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Source")
            .field("id", &self.id)
            .field("name", &self.name)
            .field("url", &self.url)
            .field("cursor", &self.cursor)
            .finish_non_exhaustive()
    }
}

/// A source as `hashbank exchange list` shows it (never its key).
#[derive(Clone, Debug, Serialize)]
pub struct ExchangeInfo {
    /// Its name here.
    pub name: String,
    /// The source bank's URL.
    pub url: String,
    /// Hashes this bank holds from it.
    pub hashes: i64,
    /// The source's cursor read up to.
    pub cursor: i64,
    /// Cursors of the source's feed not read yet, at the last fetch.
    pub lag: Option<i64>,
    /// When a fetch last succeeded.
    pub fetched_at: Option<String>,
    /// The last fetch's error, until a fetch succeeds.
    pub error: Option<String>,
    /// When it failed.
    pub error_at: Option<String>,
    /// Whether it is paused.
    pub paused: bool,
    /// Reports and outcomes waiting to be sent to it.
    pub pending_forwards: i64,
}

/// What applying a page did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Applied {
    /// Additions recorded (new values or another holder of one).
    pub added: usize,
    /// Deletions of hashes this bank held from the source.
    pub deleted: usize,
    /// Additions whose origin is this bank, left out.
    pub looped: usize,
    /// Additions that are not valid hashes, left out (logged).
    pub refused: usize,
    /// The page was not applied: the source was removed or paused, or
    /// another server applied it first.
    pub skipped: bool,
}

/// A report or outcome to send to a source.
#[derive(Clone, Debug)]
pub struct Forward {
    /// Its id.
    pub id: i64,
    /// The source's hash id of the value.
    pub source_hash_id: i64,
    /// What to send.
    pub what: ForwardKind,
    /// Tries so far.
    pub attempts: i64,
}

/// What a forward sends.
#[derive(Clone, Debug)]
pub enum ForwardKind {
    /// A report: the platform's hash, its label, the content reference.
    Report {
        /// The platform's hash of its copy.
        value: String,
        /// Its label.
        label: Option<String>,
        /// The content reference, prefixed.
        content_ref: String,
    },
    /// An outcome of a report forwarded before.
    Outcome {
        /// The outcome.
        outcome: String,
        /// The source's id of the report: `None` while the report is not
        /// sent yet; `Some(None)` when it could not be (then neither can
        /// this).
        remote_report: Option<Option<i64>>,
    },
}

fn check_name(name: &str) -> Result<()> {
    let ok = !name.is_empty()
        && name.len() <= MAX_NAME_LEN
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_'));
    if ok {
        Ok(())
    } else {
        Err(BankError::invalid(
            "invalid_name",
            format!(
                "an exchange name has 1 to {MAX_NAME_LEN} letters, digits, dots, dashes or \
                 underscores"
            ),
        ))
    }
}

fn no_exchange(name: &str) -> BankError {
    BankError::NotFound(format!(
        "no exchange named {name:?} (see `hashbank exchange list`)"
    ))
}

impl Bank {
    /// This bank's random id, made when its database was created.
    pub async fn bank_id(&self) -> Result<String> {
        self.bank_id
            .get_or_try_init(|| async {
                let (id,): (String,) =
                    sqlx::query_as("SELECT bank_id FROM bank_identity WHERE id = 1")
                        .fetch_one(&self.db.pool)
                        .await?;
                Ok::<_, BankError>(id)
            })
            .await
            .cloned()
    }

    /// Makes this bank follow the bank at `url` as `name`, with the platform
    /// key `key` that bank issued to it.
    pub async fn add_exchange(&self, name: &str, url: &str, key: &str) -> Result<()> {
        check_name(name)?;
        if !(url.starts_with("https://") || url.starts_with("http://")) {
            return Err(BankError::invalid(
                "invalid_url",
                format!("a source bank's URL starts with https:// or http://, not {url:?}"),
            ));
        }
        if key.is_empty() || key.len() > 1024 || key.chars().any(char::is_whitespace) {
            return Err(BankError::invalid(
                "invalid_key",
                "the key file's first line must be the platform key the source bank issued",
            ));
        }
        let mut write = Write::begin(&self.db).await?;
        let taken: Option<(i64,)> = sqlx::query_as("SELECT id FROM exchanges WHERE name = $1")
            .bind(name)
            .fetch_optional(write.conn())
            .await?;
        if taken.is_some() {
            return Err(BankError::Conflict(format!(
                "an exchange named {name:?} exists already"
            )));
        }
        let id = random_id();
        sqlx::query(
            "INSERT INTO exchanges (id, name, url, api_key, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(name)
        .bind(url.trim_end_matches('/'))
        .bind(key)
        .bind(write.at)
        .execute(write.conn())
        .await?;
        write
            .audit(
                &Actor::Operator,
                "exchange.add",
                &format!("exchange:{id}"),
                &format!("name={name} url={url}"),
            )
            .await?;
        write.commit().await?;
        Ok(())
    }

    /// Every source, by name.
    pub async fn list_exchanges(&self) -> Result<Vec<ExchangeInfo>> {
        type Row = (
            i64,
            String,
            String,
            i64,
            Option<i64>,
            Option<i64>,
            Option<String>,
            Option<i64>,
            i64,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, name, url, cursor, head_cursor, fetched_at, error, error_at, paused \
             FROM exchanges ORDER BY name",
        )
        .fetch_all(&self.db.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, name, url, cursor, head, fetched_at, error, error_at, paused) in rows {
            let (hashes,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM exchange_holdings WHERE exchange_id = $1")
                    .bind(id)
                    .fetch_one(&self.db.pool)
                    .await?;
            let (pending_forwards,): (i64,) = sqlx::query_as(
                "SELECT COUNT(*) FROM exchange_forwards WHERE exchange_id = $1 \
                 AND done_at IS NULL",
            )
            .bind(id)
            .fetch_one(&self.db.pool)
            .await?;
            out.push(ExchangeInfo {
                name,
                url,
                hashes,
                cursor,
                lag: head.map(|h| (h - cursor).max(0)),
                fetched_at: fetched_at.map(rfc3339),
                error,
                error_at: error_at.map(rfc3339),
                paused: paused != 0,
                pending_forwards,
            });
        }
        Ok(out)
    }

    /// Pauses (`true`) or resumes the source `name`.
    pub async fn pause_exchange(&self, name: &str, paused: bool) -> Result<()> {
        let mut write = Write::begin(&self.db).await?;
        let id = exchange_id(&mut write, name).await?;
        sqlx::query("UPDATE exchanges SET paused = $1 WHERE id = $2")
            .bind(i64::from(paused))
            .bind(id)
            .execute(write.conn())
            .await?;
        let action = if paused {
            "exchange.pause"
        } else {
            "exchange.resume"
        };
        write
            .audit(
                &Actor::Operator,
                action,
                &format!("exchange:{id}"),
                &format!("name={name}"),
            )
            .await?;
        write.commit().await?;
        Ok(())
    }

    /// Stops following the source `name`: the hashes held only from it
    /// leave matching and go off the feed (deletions), its pending
    /// forwards are dropped. Returns how many hashes it held.
    pub async fn remove_exchange(&self, name: &str) -> Result<usize> {
        let mut write = Write::begin(&self.db).await?;
        let id = exchange_id(&mut write, name).await?;
        let held: Vec<(i64,)> =
            sqlx::query_as("SELECT value_id FROM exchange_holdings WHERE exchange_id = $1")
                .bind(id)
                .fetch_all(write.conn())
                .await?;
        for table in ["exchange_holdings", "exchange_forwards"] {
            sqlx::query(&format!("DELETE FROM {table} WHERE exchange_id = $1"))
                .bind(id)
                .execute(write.conn())
                .await?;
        }
        sqlx::query("DELETE FROM exchanges WHERE id = $1")
            .bind(id)
            .execute(write.conn())
            .await?;
        let values: BTreeSet<i64> = held.iter().map(|(v,)| *v).collect();
        crate::values::release(&mut write, &values).await?;
        write
            .audit(
                &Actor::Operator,
                "exchange.remove",
                &format!("exchange:{id}"),
                &format!("name={name} hashes={}", held.len()),
            )
            .await?;
        let changes = write.commit().await?;
        self.applied(changes).await;
        Ok(held.len())
    }

    /// The sources that are not paused.
    pub async fn active_sources(&self) -> Result<Vec<Source>> {
        let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, name, url, api_key, cursor FROM exchanges WHERE paused = 0 ORDER BY name",
        )
        .fetch_all(&self.db.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, name, url, key, cursor)| Source {
                id,
                name,
                url,
                key,
                cursor,
            })
            .collect())
    }

    /// Records that fetching from `source` failed (shown by `hashbank
    /// exchange list` until a fetch succeeds). Nothing is recorded when
    /// another server moved the cursor meanwhile.
    pub async fn exchange_failed(&self, source: &Source, error: &str) -> Result<()> {
        let error: String = error.chars().take(1000).collect();
        sqlx::query("UPDATE exchanges SET error = $1, error_at = $2 WHERE id = $3 AND cursor = $4")
            .bind(error)
            .bind(now_ms())
            .bind(source.id)
            .bind(source.cursor)
            .execute(&self.db.pool)
            .await?;
        Ok(())
    }

    /// Reads `source` again from cursor 0 (its feed ends before the cursor
    /// saved: it was restored from a backup), recording `error`. The
    /// hashes held from it that the re-read does not give again are let go
    /// of once it has read to the end.
    pub async fn exchange_reread(&self, source: &Source, error: &str) -> Result<()> {
        let error: String = error.chars().take(1000).collect();
        let mut write = Write::begin(&self.db).await?;
        let done = sqlx::query(
            "UPDATE exchanges SET error = $1, error_at = $2, cursor = 0, rereading = 1 \
             WHERE id = $3 AND cursor = $4",
        )
        .bind(&error)
        .bind(write.at)
        .bind(source.id)
        .bind(source.cursor)
        .execute(write.conn())
        .await?;
        if done.rows_affected() == 0 {
            return Ok(());
        }
        sqlx::query("UPDATE exchange_holdings SET seen = 0 WHERE exchange_id = $1")
            .bind(source.id)
            .execute(write.conn())
            .await?;
        write
            .audit(
                &Actor::System,
                "exchange.reread",
                &format!("exchange:{}", source.id),
                &format!("name={} from_cursor={}", source.name, source.cursor),
            )
            .await?;
        write.commit().await?;
        Ok(())
    }

    /// Applies a page of `source`'s feed read after `source.cursor`, in one
    /// write with the new cursor. Additions become values of this bank held
    /// by the source (one per value, whoever else holds it) and go on this
    /// bank's feed with their origin; additions whose origin is this bank
    /// are left out; deletions let go of the source's hold, and a value no
    /// case and no other source holds leaves matching and the feed.
    pub async fn apply_exchange_page(
        &self,
        source: &Source,
        page: &api::FeedPage,
    ) -> Result<Applied> {
        let me = self.bank_id().await?;
        let Some(remote) = page.bank_id.as_deref() else {
            return Err(BankError::invalid(
                "not_an_exchange",
                "the source's feed does not give its bank id: it is not a hashbank bank \
                 that exchanges (too old?)",
            ));
        };
        if remote == me {
            return Err(BankError::invalid(
                "own_feed",
                "the source is this bank itself",
            ));
        }
        let mut write = Write::begin(&self.db).await?;
        // What a source's feed gives was already released there in mixed
        // batches: it goes on this bank's feed at once, additions and
        // deletions, not held again.
        write.release_at_once = true;
        let row: Option<(i64, i64, Option<String>, i64)> = sqlx::query_as(
            "SELECT cursor, paused, remote_bank_id, rereading FROM exchanges WHERE id = $1",
        )
        .bind(source.id)
        .fetch_optional(write.conn())
        .await?;
        let Some((cursor, paused, known, rereading)) = row else {
            return Ok(Applied {
                skipped: true,
                ..Applied::default()
            });
        };
        if cursor != source.cursor || paused != 0 {
            return Ok(Applied {
                skipped: true,
                ..Applied::default()
            });
        }
        if let Some(known) = known.filter(|k| k != remote) {
            return Err(BankError::invalid(
                "other_bank",
                format!(
                    "the source's bank id changed from {known} to {remote}: another bank \
                     answers at this URL; remove the exchange and add it again to follow it"
                ),
            ));
        }
        let mut applied = Applied::default();
        let mut touched = BTreeSet::new();
        let mut fed = Vec::new();
        // The page is applied in memory, entry by entry in order, against
        // the holds read for all of it at once; then written in a few
        // statements: holds given again, let go of, and new.
        let mut held = self::held(&mut write, source.id, &page.entries).await?;
        let mut added: HashMap<i64, Hold> = HashMap::new();
        let mut regiven: Vec<(i64, Hold)> = Vec::new();
        let mut gone: Vec<i64> = Vec::new();
        let additions: Vec<(usize, crate::hashes::CheckedHash)> = page
            .entries
            .iter()
            .enumerate()
            .filter(|(_, e)| {
                e.op == api::FeedOp::Add && e.origin.as_deref().unwrap_or(remote) != me
            })
            .filter_map(|(i, entry)| match checked(entry) {
                Ok(hash) => Some((i, hash)),
                Err(err) => {
                    tracing::warn!(
                        exchange = %source.name,
                        cursor = entry.cursor,
                        error = %err,
                        "a source's feed addition left out"
                    );
                    applied.refused += 1;
                    None
                }
            })
            .collect();
        let mut made = HashMap::new();
        let known = {
            let hashes: Vec<&crate::hashes::CheckedHash> =
                additions.iter().map(|(_, h)| h).collect();
            crate::values::lookup(&mut write, &hashes).await?
        };
        let mut checked_at: HashMap<usize, crate::hashes::CheckedHash> =
            additions.into_iter().collect();
        let mut new_values = Vec::new();
        let mut fresh_ids = free_block(&mut write, checked_at.len()).await?;
        for (i, entry) in page.entries.iter().enumerate() {
            let origin = entry.origin.as_deref().unwrap_or(remote);
            if entry.op == api::FeedOp::Delete || origin == me {
                if entry.op == api::FeedOp::Add {
                    applied.looped += 1;
                }
                let value_id = match added.remove(&entry.hash_id) {
                    Some(hold) => Some(hold.value_id),
                    None => held
                        .remove(&entry.hash_id)
                        .inspect(|_| gone.push(entry.hash_id)),
                };
                if let Some(value_id) = value_id {
                    touched.insert(value_id);
                    if entry.op == api::FeedOp::Delete {
                        applied.deleted += 1;
                    }
                }
                continue;
            }
            let minor = entry.category == Some(Category::Minor);
            let hold = |value_id| Hold {
                value_id,
                origin: origin.to_string(),
                minor,
            };
            // Given again (its category or origin changed there).
            if let Some(pending) = added.get_mut(&entry.hash_id) {
                *pending = hold(pending.value_id);
                touched.insert(pending.value_id);
                continue;
            }
            if let Some(&value_id) = held.get(&entry.hash_id) {
                regiven.push((entry.hash_id, hold(value_id)));
                touched.insert(value_id);
                continue;
            }
            // Checked above, unless it was refused.
            let Some(hash) = checked_at.remove(&i) else {
                continue;
            };
            let label = label_text(hash.label);
            let key = crate::values::key_of(hash.kind, label.as_deref(), &hash.value);
            let value_id = match known.get(&key).map(|s| s.id).or(made.get(&key).copied()) {
                Some(id) => {
                    touched.insert(id);
                    id
                }
                None => {
                    let id = fresh_ids.pop().unwrap_or_else(random_id);
                    new_values.push((
                        id,
                        crate::values::new_row(id, &hash, minor, write.at, Some(origin)),
                    ));
                    let entry = Entry {
                        id,
                        kind: hash.kind,
                        role: hash.role,
                        label: hash.label,
                        value: hash.value,
                        quality: hash.quality,
                        minor,
                        origin: Some(origin.to_string()),
                    };
                    made.insert(key, id);
                    fed.push(entry);
                    id
                }
            };
            added.insert(entry.hash_id, hold(value_id));
            applied.added += 1;
        }
        for (hash_id, hold) in regiven {
            sqlx::query(
                "UPDATE exchange_holdings SET origin = $1, minor = $2, seen = 1 \
                 WHERE exchange_id = $3 AND source_hash_id = $4",
            )
            .bind(hold.origin)
            .bind(i64::from(hold.minor))
            .bind(source.id)
            .bind(hash_id)
            .execute(write.conn())
            .await?;
        }
        for chunk in gone.chunks(HOLDS_PER_STATEMENT) {
            let sql = format!(
                "DELETE FROM exchange_holdings WHERE exchange_id = $1 AND source_hash_id IN ({})",
                params(2, chunk.len())
            );
            let mut query = sqlx::query::<Any>(&sql).bind(source.id);
            for hash_id in chunk {
                query = query.bind(*hash_id);
            }
            query.execute(write.conn()).await?;
        }
        // In id order: the block's rows then fill the table's pages in turn.
        new_values.sort_by_key(|(id, _)| *id);
        let new_values = new_values.into_iter().map(|(_, row)| row).collect();
        crate::values::insert_new(&mut write, new_values).await?;
        let mut added: Vec<(i64, Hold)> = added.into_iter().collect();
        added.sort_by_key(|(hash_id, _)| *hash_id);
        let holds = added
            .into_iter()
            .map(|(hash_id, hold)| {
                vec![
                    Value::Int(source.id),
                    Value::Int(hash_id),
                    Value::Int(hold.value_id),
                    Value::Text(hold.origin),
                    Value::Int(i64::from(hold.minor)),
                ]
            })
            .collect();
        insert_rows(
            write.conn(),
            "exchange_holdings",
            &[
                "exchange_id",
                "source_hash_id",
                "value_id",
                "origin",
                "minor",
            ],
            holds,
        )
        .await?;
        // Read again to the end after a restore: what the source no longer
        // gives is let go of.
        if rereading != 0 && !page.more {
            let stale: Vec<(i64,)> = sqlx::query_as(
                "SELECT value_id FROM exchange_holdings WHERE exchange_id = $1 AND seen = 0",
            )
            .bind(source.id)
            .fetch_all(write.conn())
            .await?;
            sqlx::query("DELETE FROM exchange_holdings WHERE exchange_id = $1 AND seen = 0")
                .bind(source.id)
                .execute(write.conn())
                .await?;
            applied.deleted += stale.len();
            touched.extend(stale.into_iter().map(|(v,)| v));
        }
        // New values go on the feed before the holds are looked at again, so
        // that one added and deleted within the page leaves by a deletion.
        write.feed_add(fed).await?;
        crate::values::release(&mut write, &touched).await?;
        sqlx::query(
            "UPDATE exchanges SET cursor = $1, head_cursor = $2, remote_bank_id = $3, \
             fetched_at = $4, error = NULL, error_at = NULL, rereading = $5 WHERE id = $6",
        )
        .bind(page.next_cursor)
        .bind(page.head_cursor)
        .bind(remote)
        .bind(write.at)
        .bind(i64::from(rereading != 0 && page.more))
        .bind(source.id)
        .execute(write.conn())
        .await?;
        if applied.added + applied.deleted > 0 {
            write
                .audit(
                    &Actor::System,
                    "exchange.fetch",
                    &format!("exchange:{}", source.id),
                    &format!(
                        "name={} added={} deleted={} cursor={}",
                        source.name, applied.added, applied.deleted, page.next_cursor
                    ),
                )
                .await?;
        }
        let changes = write.commit().await?;
        self.applied(changes).await;
        Ok(applied)
    }

    /// Records that `source` answered `page` with no entries: clears its
    /// error, keeps its lag (a re-read that ends there is applied).
    pub async fn exchange_fetched(&self, source: &Source, page: &api::FeedPage) -> Result<()> {
        let done = sqlx::query(
            "UPDATE exchanges SET fetched_at = $1, head_cursor = $2, error = NULL, \
             error_at = NULL WHERE id = $3 AND rereading = 0",
        )
        .bind(now_ms())
        .bind(page.head_cursor)
        .bind(source.id)
        .execute(&self.db.pool)
        .await?;
        if done.rows_affected() == 0 {
            self.apply_exchange_page(source, page).await?;
        }
        Ok(())
    }

    /// Up to `limit` forwards to `source` due now, oldest first.
    pub async fn due_forwards(&self, source: &Source, limit: i64) -> Result<Vec<Forward>> {
        type Row = (
            i64,
            String,
            i64,
            i64,
            Option<String>,
            Option<String>,
            Option<String>,
            Option<String>,
            i64,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT id, kind, report_id, source_hash_id, value, label, content_ref, outcome, \
             attempts FROM exchange_forwards \
             WHERE exchange_id = $1 AND done_at IS NULL AND next_at <= $2 \
             ORDER BY created_at, id LIMIT $3",
        )
        .bind(source.id)
        .bind(now_ms())
        .bind(limit)
        .fetch_all(&self.db.pool)
        .await?;
        let mut out = Vec::with_capacity(rows.len());
        for (id, kind, report_id, source_hash_id, value, label, content_ref, outcome, attempts) in
            rows
        {
            let what = if kind == "report" {
                ForwardKind::Report {
                    value: value.unwrap_or_default(),
                    label,
                    content_ref: content_ref.unwrap_or_default(),
                }
            } else {
                let report: Option<(Option<i64>, Option<i64>)> = sqlx::query_as(
                    "SELECT remote_id, done_at FROM exchange_forwards WHERE report_id = $1 \
                     AND exchange_id = $2 AND kind = 'report'",
                )
                .bind(report_id)
                .bind(source.id)
                .fetch_optional(&self.db.pool)
                .await?;
                ForwardKind::Outcome {
                    outcome: outcome.unwrap_or_default(),
                    remote_report: match report {
                        Some((remote, Some(_))) => Some(remote),
                        Some((_, None)) => None,
                        None => Some(None),
                    },
                }
            };
            out.push(Forward {
                id,
                source_hash_id,
                what,
                attempts,
            });
        }
        Ok(out)
    }

    /// Records that forward `id` is done: sent (with the source's report
    /// id for a report), or given up (`remote_id` none, with `error`).
    pub async fn forward_done(
        &self,
        id: i64,
        remote_id: Option<i64>,
        error: Option<&str>,
    ) -> Result<()> {
        sqlx::query(
            "UPDATE exchange_forwards SET done_at = $1, remote_id = $2, error = $3, \
             attempts = attempts + 1 WHERE id = $4",
        )
        .bind(now_ms())
        .bind(remote_id)
        .bind(error)
        .bind(id)
        .execute(&self.db.pool)
        .await?;
        Ok(())
    }

    /// Records that sending forward `id` failed; tried again after
    /// `retry_in`.
    pub async fn forward_failed(
        &self,
        id: i64,
        error: &str,
        retry_in: std::time::Duration,
    ) -> Result<()> {
        let error: String = error.chars().take(1000).collect();
        sqlx::query(
            "UPDATE exchange_forwards SET attempts = attempts + 1, error = $1, next_at = $2 \
             WHERE id = $3",
        )
        .bind(error)
        .bind(now_ms() + retry_in.as_millis() as i64)
        .bind(id)
        .execute(&self.db.pool)
        .await?;
        Ok(())
    }
}

/// The id of the exchange `name`, or a clear error.
async fn exchange_id(write: &mut Write, name: &str) -> Result<i64> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM exchanges WHERE name = $1")
        .bind(name)
        .fetch_optional(write.conn())
        .await?;
    row.map(|(id,)| id).ok_or_else(|| no_exchange(name))
}

/// A source's addition checked as a filing is.
fn checked(entry: &api::FeedEntry) -> Result<crate::hashes::CheckedHash> {
    let (Some(kind), Some(value)) = (entry.kind, entry.value.clone()) else {
        return Err(BankError::invalid(
            "invalid_entry",
            "an addition without its kind or value",
        ));
    };
    let quality = match entry.quality {
        Some(q) => Some(u32::try_from(q).map_err(|_| {
            BankError::invalid("invalid_quality", format!("quality {q} out of range"))
        })?),
        None => None,
    };
    let hash = NewHash {
        kind,
        value,
        quality,
        role: entry.role.unwrap_or_default(),
        label: entry.label.as_deref().map(str::to_string),
    };
    let mut checked = check_new_hashes(&[hash], &HashSet::new())?;
    Ok(checked.remove(0))
}

/// Source hash ids in one `IN` list (and the exchange's id).
const HOLDS_PER_STATEMENT: usize = crate::db::PARAMS_PER_STATEMENT - 1;

/// A source's hold on a value, as a page leaves it.
struct Hold {
    value_id: i64,
    origin: String,
    minor: bool,
}

/// The values `source` holds for the hash ids `entries` name, by hash id.
/// `len` ids for a page's new values ([`random_block`]), from a block no
/// value holds yet.
async fn free_block(write: &mut Write, len: usize) -> Result<Vec<i64>> {
    if len == 0 {
        return Ok(Vec::new());
    }
    loop {
        let ids = random_block(len);
        let (first, last) = (ids.iter().min(), ids.iter().max());
        let (Some(&first), Some(&last)) = (first, last) else {
            return Ok(ids);
        };
        let taken: Option<(i64,)> =
            sqlx::query_as("SELECT id FROM hash_values WHERE id BETWEEN $1 AND $2 LIMIT 1")
                .bind(first)
                .bind(last)
                .fetch_optional(write.conn())
                .await?;
        if taken.is_none() {
            return Ok(ids);
        }
    }
}

async fn held(
    write: &mut Write,
    source: i64,
    entries: &[api::FeedEntry],
) -> Result<HashMap<i64, i64>> {
    let mut ids: Vec<i64> = entries.iter().map(|e| e.hash_id).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut held = HashMap::with_capacity(ids.len());
    for chunk in ids.chunks(HOLDS_PER_STATEMENT) {
        let sql = format!(
            "SELECT source_hash_id, value_id FROM exchange_holdings \
             WHERE exchange_id = $1 AND source_hash_id IN ({})",
            params(2, chunk.len())
        );
        let mut query = sqlx::query_as::<Any, (i64, i64)>(&sql).bind(source);
        for id in chunk {
            query = query.bind(*id);
        }
        held.extend(query.fetch_all(write.conn()).await?);
    }
    Ok(held)
}

/// In a report's write: when value `value_id` is held by no open case but
/// by sources, the report goes to each of them as this bank's report
/// there, with the platform's hash and its content reference prefixed by
/// the exchange's and the platform's names.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn forward_report(
    write: &mut Write,
    report_id: i64,
    value_id: i64,
    platform: &str,
    value: &str,
    label: Option<&str>,
    content_ref: &str,
) -> Result<()> {
    if content_ref.matches(FORWARD_PREFIX).count() >= MAX_FORWARD_HOPS {
        return Ok(());
    }
    let (cases,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM hashes h JOIN cases c ON c.id = h.case_id \
         WHERE h.value_id = $1 AND c.status = 'open'",
    )
    .bind(value_id)
    .fetch_one(write.conn())
    .await?;
    if cases > 0 {
        return Ok(());
    }
    let sources: Vec<(i64, i64, String)> = sqlx::query_as(
        "SELECT h.exchange_id, h.source_hash_id, e.name FROM exchange_holdings h \
         JOIN exchanges e ON e.id = h.exchange_id WHERE h.value_id = $1",
    )
    .bind(value_id)
    .fetch_all(write.conn())
    .await?;
    for (exchange_id, source_hash_id, name) in sources {
        let forwarded = format!("{FORWARD_PREFIX}{name}:{platform}:{content_ref}");
        if forwarded.chars().count() > crate::reports::MAX_CONTENT_REF_LEN {
            tracing::warn!(exchange = %name, "a report's content reference is too long to forward");
            continue;
        }
        sqlx::query(
            "INSERT INTO exchange_forwards (id, exchange_id, report_id, value_id, kind, \
             source_hash_id, value, label, content_ref, created_at, next_at) \
             VALUES ($1, $2, $3, $4, 'report', $5, $6, $7, $8, $9, $9)",
        )
        .bind(random_id())
        .bind(exchange_id)
        .bind(report_id)
        .bind(value_id)
        .bind(source_hash_id)
        .bind(value)
        .bind(label)
        .bind(forwarded)
        .bind(write.at)
        .execute(write.conn())
        .await?;
    }
    Ok(())
}

/// In an outcome's write: the outcome of report `report_id` goes wherever
/// the report was forwarded.
pub(crate) async fn forward_outcome(
    write: &mut Write,
    report_id: i64,
    outcome: &str,
) -> Result<()> {
    let reports: Vec<(i64, i64, i64)> = sqlx::query_as(
        "SELECT exchange_id, value_id, source_hash_id FROM exchange_forwards \
         WHERE report_id = $1 AND kind = 'report'",
    )
    .bind(report_id)
    .fetch_all(write.conn())
    .await?;
    for (exchange_id, value_id, source_hash_id) in reports {
        sqlx::query(
            "INSERT INTO exchange_forwards (id, exchange_id, report_id, value_id, kind, \
             source_hash_id, outcome, created_at, next_at) \
             VALUES ($1, $2, $3, $4, 'outcome', $5, $6, $7, $7)",
        )
        .bind(random_id())
        .bind(exchange_id)
        .bind(report_id)
        .bind(value_id)
        .bind(source_hash_id)
        .bind(outcome)
        .bind(write.at)
        .execute(write.conn())
        .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{test_bank, Settings};
    use crate::feed::{read_feed, FeedOp};
    use crate::hashes::{Kind, Role};
    use crate::NewCase;

    const V: &str = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
    const W: &str = "0123456789abcdef0123456789abcdef";

    fn pdq(value: &str) -> NewHash {
        NewHash {
            kind: Kind::Pdq,
            value: value.into(),
            quality: Some(100),
            role: Role::Plain,
            label: None,
        }
    }

    fn add(cursor: i64, hash_id: i64, hash: &NewHash, origin: Option<&str>) -> api::FeedEntry {
        api::FeedEntry {
            cursor,
            op: FeedOp::Add,
            hash_id,
            kind: Some(hash.kind),
            role: Some(hash.role),
            label: None,
            value: Some(hash.value.clone()),
            quality: hash.quality.map(i64::from),
            category: None,
            origin: origin.map(str::to_string),
        }
    }

    fn delete(cursor: i64, hash_id: i64) -> api::FeedEntry {
        api::FeedEntry {
            cursor,
            op: FeedOp::Delete,
            hash_id,
            kind: None,
            role: None,
            label: None,
            value: None,
            quality: None,
            category: None,
            origin: None,
        }
    }

    fn page(entries: Vec<api::FeedEntry>) -> api::FeedPage {
        let next_cursor = entries.last().map_or(0, |e| e.cursor);
        api::FeedPage {
            entries,
            next_cursor,
            more: false,
            bank_id: Some("remote".into()),
            head_cursor: Some(next_cursor),
        }
    }

    /// The active additions on the feed: value, origin.
    async fn fed(bank: &Bank) -> Vec<(String, Option<String>)> {
        let mut held = std::collections::BTreeMap::new();
        for e in read_feed(&bank.db, 0, 10_000).await.unwrap() {
            match e.op {
                FeedOp::Add => held.insert(e.hash_id, (e.value.unwrap(), e.origin)),
                FeedOp::Delete => held.remove(&e.hash_id),
            };
        }
        let mut out: Vec<_> = held.into_values().collect();
        out.sort();
        out
    }

    fn md5(value: &str) -> NewHash {
        NewHash {
            kind: Kind::Md5,
            quality: None,
            ..pdq(value)
        }
    }

    async fn follow_other(bank: &Bank) {
        bank.add_exchange("other", "https://other.example", "hbk_a_b")
            .await
            .unwrap();
    }

    async fn source(bank: &Bank) -> Source {
        bank.active_sources().await.unwrap().remove(0)
    }

    #[tokio::test]
    async fn a_source_adds_values_once_and_lets_go_of_them_alone() {
        let dir = tempfile::tempdir().unwrap();
        let bank = test_bank(&dir, Settings::default()).await;
        let case = bank
            .create_case(NewCase {
                hashes: vec![pdq(V)],
                category: None,
            })
            .await
            .unwrap();
        follow_other(&bank).await;
        let w = md5(W);
        let applied = bank
            .apply_exchange_page(
                &source(&bank).await,
                &page(vec![add(1, 7, &pdq(V), None), add(2, 8, &w, None)]),
            )
            .await
            .unwrap();
        assert_eq!((applied.added, applied.skipped), (2, false));
        // V is not doubled, and stays this bank's own; W is the source's.
        assert_eq!(
            fed(&bank).await,
            vec![
                (W.to_string(), Some("remote".to_string())),
                (V.to_string(), None)
            ]
        );
        let (values,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM hash_values")
            .fetch_one(&bank.db.pool)
            .await
            .unwrap();
        assert_eq!(values, 2);
        // The case shows its own hash only.
        let view = bank.view_case(&case.case_number, &case.pin).await.unwrap();
        assert_eq!(view.hashes.len(), 1);

        // The same page again (another server's stale read): not applied.
        let stale = bank
            .apply_exchange_page(
                &Source {
                    cursor: 0,
                    ..source(&bank).await
                },
                &page(vec![add(1, 7, &pdq(V), None)]),
            )
            .await
            .unwrap();
        assert!(stale.skipped);

        // The source deletes both: W leaves, V stays for the case.
        let mut gone = page(vec![delete(3, 7), delete(4, 8)]);
        gone.head_cursor = Some(4);
        let applied = bank
            .apply_exchange_page(&source(&bank).await, &gone)
            .await
            .unwrap();
        assert_eq!(applied.deleted, 2);
        assert_eq!(fed(&bank).await, vec![(V.to_string(), None)]);

        // Held by the source alone once the case withdraws, V takes the
        // source's origin; removing the exchange then takes it off.
        bank.apply_exchange_page(&source(&bank).await, &page(vec![add(5, 9, &pdq(V), None)]))
            .await
            .unwrap();
        bank.withdraw_case(&case.case_number, &case.pin)
            .await
            .unwrap();
        assert_eq!(
            fed(&bank).await,
            vec![(V.to_string(), Some("remote".to_string()))]
        );
        assert_eq!(bank.remove_exchange("other").await.unwrap(), 1);
        assert!(fed(&bank).await.is_empty());
        assert!(matches!(
            bank.remove_exchange("other").await,
            Err(BankError::NotFound(_))
        ));
    }

    /// A page is applied in its order, though written at once: a hash
    /// given, taken back and given again within one page, or given and
    /// taken back, ends as the last entry says, and is never doubled.
    #[tokio::test]
    async fn a_page_ends_as_its_last_entry_for_each_hash_says() {
        let dir = tempfile::tempdir().unwrap();
        let bank = test_bank(&dir, Settings::default()).await;
        follow_other(&bank).await;
        let w = md5(W);
        let applied = bank
            .apply_exchange_page(
                &source(&bank).await,
                &page(vec![
                    add(1, 7, &pdq(V), None),
                    add(2, 8, &w, None),
                    delete(3, 8),
                    add(4, 7, &pdq(V), Some("third")),
                ]),
            )
            .await
            .unwrap();
        assert_eq!((applied.added, applied.deleted), (2, 1));
        assert_eq!(
            fed(&bank).await,
            vec![(V.to_string(), Some("third".to_string()))]
        );
        // Held before the page: taken back and given again, it stays held
        // once; W given under a second id of the source is one value.
        let next = page(vec![
            delete(5, 7),
            add(6, 7, &pdq(V), None),
            add(7, 9, &w, None),
            add(8, 10, &w, None),
        ]);
        let applied = bank
            .apply_exchange_page(&source(&bank).await, &next)
            .await
            .unwrap();
        assert!(!applied.skipped);
        assert_eq!(
            fed(&bank).await,
            vec![
                (W.to_string(), Some("remote".to_string())),
                (V.to_string(), Some("remote".to_string()))
            ]
        );
        let holds: Vec<(i64,)> =
            sqlx::query_as("SELECT source_hash_id FROM exchange_holdings ORDER BY source_hash_id")
                .fetch_all(&bank.db.pool)
                .await
                .unwrap();
        assert_eq!(holds, vec![(7,), (9,), (10,)]);
        let (values,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM hash_values")
            .fetch_one(&bank.db.pool)
            .await
            .unwrap();
        assert_eq!(values, 2);
    }

    #[tokio::test]
    async fn additions_of_this_banks_own_hashes_come_back_ignored() {
        let dir = tempfile::tempdir().unwrap();
        let bank = test_bank(&dir, Settings::default()).await;
        let me = bank.bank_id().await.unwrap();
        assert_eq!(me.len(), 32);
        follow_other(&bank).await;
        let applied = bank
            .apply_exchange_page(
                &source(&bank).await,
                &page(vec![add(1, 7, &pdq(V), Some(&me))]),
            )
            .await
            .unwrap();
        assert_eq!((applied.added, applied.looped), (0, 1));
        assert!(fed(&bank).await.is_empty());
        // A page of this bank's own feed is refused.
        let mut own = page(vec![]);
        own.bank_id = Some(me);
        assert!(bank
            .apply_exchange_page(&source(&bank).await, &own)
            .await
            .is_err());
    }

    #[tokio::test]
    async fn a_source_read_again_lets_go_of_what_it_no_longer_gives() {
        let dir = tempfile::tempdir().unwrap();
        let bank = test_bank(&dir, Settings::default()).await;
        follow_other(&bank).await;
        let w = md5(W);
        bank.apply_exchange_page(
            &source(&bank).await,
            &page(vec![add(1, 7, &pdq(V), None), add(2, 8, &w, None)]),
        )
        .await
        .unwrap();
        assert_eq!(fed(&bank).await.len(), 2);
        // Restored from a backup that held only V: read again from 0, in
        // two pages; W goes once the end is reached, V is not doubled.
        bank.exchange_reread(&source(&bank).await, "restored")
            .await
            .unwrap();
        let reread = source(&bank).await;
        assert_eq!(reread.cursor, 0);
        let mut first = page(vec![add(1, 7, &pdq(V), None)]);
        first.more = true;
        bank.apply_exchange_page(&reread, &first).await.unwrap();
        assert_eq!(fed(&bank).await.len(), 2);
        let mut end = page(vec![]);
        end.next_cursor = 1;
        bank.exchange_fetched(&source(&bank).await, &end)
            .await
            .unwrap();
        assert_eq!(
            fed(&bank).await,
            vec![(V.to_string(), Some("remote".to_string()))]
        );
        let (values,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM hash_values")
            .fetch_one(&bank.db.pool)
            .await
            .unwrap();
        assert_eq!(values, 1);
    }
}

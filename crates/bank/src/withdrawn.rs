//! The values of erased hashes, kept sealed for a window.
//!
//! A client of the StopNCII-shaped feed (`crate::stopncii`) deletes its copy
//! of a hash by the hash's value, while the bank erases a withdrawn value
//! at once. So when a value that was on the feed is erased, it is kept
//! sealed (AES-256-GCM, its hash id bound in as associated data) with the
//! key of the UTC day it was erased on, and opened only to answer that feed.
//! Each day's key is deleted, with everything it sealed, once
//! [`WITHDRAWN_WINDOW_DAYS`] full days have passed after that day ends: past
//! that, python-threatexchange's StopNCII client counts its copy as stale
//! and fetches everything again, so it needs no deletion. No erased value is
//! ever on disk in the clear, and none outlives its window.

use rand::RngCore;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use sqlx::Any;

use crate::error::{BankError, Result};
use crate::hashes::{label_text, parse_label, Kind};
use crate::write::Write;

/// Full days after the day of its erasure that a value stays sealed and
/// readable by the StopNCII-shaped feed.
pub const WITHDRAWN_WINDOW_DAYS: i64 = 30;

/// Milliseconds in a day.
const DAY_MS: i64 = 86_400_000;

/// Why an erased value left the feed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// Its last case was withdrawn.
    Withdrawn,
    /// It was suspended (platforms found its matches not violating) before
    /// it was erased.
    Suspended,
}

impl Reason {
    fn as_str(self) -> &'static str {
        match self {
            Reason::Withdrawn => "withdrawn",
            Reason::Suspended => "suspended",
        }
    }
}

/// A value to seal: the hash id, kind, label and value.
pub(crate) struct Erased {
    pub(crate) id: i64,
    pub(crate) kind: Kind,
    pub(crate) label: Option<model::BankLabel>,
    pub(crate) value: String,
    pub(crate) reason: Reason,
}

/// A sealed value opened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Opened {
    pub(crate) kind: Kind,
    pub(crate) label: Option<model::BankLabel>,
    pub(crate) value: String,
    pub(crate) reason: Reason,
}

/// The UTC day of `ms`.
fn day_of(ms: i64) -> i64 {
    ms.div_euclid(DAY_MS)
}

fn cipher(key: &[u8; 32]) -> LessSafeKey {
    LessSafeKey::new(UnboundKey::new(&AES_256_GCM, key).expect("a 32-byte key"))
}

/// Today's key, made in this write when there is none yet.
async fn key_for(write: &mut Write, day: i64) -> Result<[u8; 32]> {
    let row: Option<(String,)> = sqlx::query_as("SELECT key FROM withdrawal_keys WHERE day = $1")
        .bind(day)
        .fetch_optional(write.conn())
        .await?;
    if let Some((hex,)) = row {
        return model::unhex::<32>(&hex)
            .ok_or_else(|| BankError::Internal(format!("withdrawal key of day {day}")));
    }
    let mut key = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut key);
    sqlx::query("INSERT INTO withdrawal_keys (day, key) VALUES ($1, $2)")
        .bind(day)
        .bind(model::hex(&key))
        .execute(write.conn())
        .await?;
    Ok(key)
}

/// Seals `values` in this write with the key of its day.
pub(crate) async fn seal(write: &mut Write, values: Vec<Erased>) -> Result<()> {
    if values.is_empty() {
        return Ok(());
    }
    let day = day_of(write.at);
    let key = key_for(write, day).await?;
    let cipher = cipher(&key);
    for erased in values {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let mut sealed = erased.value.into_bytes();
        cipher
            .seal_in_place_append_tag(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(erased.id.to_le_bytes()),
                &mut sealed,
            )
            .map_err(|_| BankError::Internal("sealing a withdrawn value".into()))?;
        // A value erased twice (filed again, withdrawn again) keeps its
        // latest seal.
        sqlx::query::<Any>("DELETE FROM withdrawn_values WHERE hash_id = $1")
            .bind(erased.id)
            .execute(write.conn())
            .await?;
        sqlx::query(
            "INSERT INTO withdrawn_values (hash_id, day, kind, label, reason, nonce, sealed) \
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(erased.id)
        .bind(day)
        .bind(erased.kind.as_str())
        .bind(label_text(erased.label))
        .bind(erased.reason.as_str())
        .bind(model::hex(&nonce))
        .bind(model::hex(&sealed))
        .execute(write.conn())
        .await?;
    }
    Ok(())
}

/// A sealed row: hash id, kind, label, reason, nonce, sealed, key.
type SealedRow = (i64, String, Option<String>, String, String, String, String);

/// The sealed values among `ids` whose key still exists, opened.
pub(crate) async fn open<'e, E>(executor: E, ids: &[i64]) -> Result<Vec<(i64, Opened)>>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    let list = crate::db::params(1, ids.len());
    let sql = format!(
        "SELECT w.hash_id, w.kind, w.label, w.reason, w.nonce, w.sealed, k.key \
         FROM withdrawn_values w JOIN withdrawal_keys k ON k.day = w.day \
         WHERE w.hash_id IN ({list})"
    );
    let mut query = sqlx::query_as::<Any, SealedRow>(&sql);
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(executor).await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, kind, label, reason, nonce, sealed, key) in rows {
        let broken = || BankError::Internal(format!("the sealed value of hash {id}"));
        let key = model::unhex::<32>(&key).ok_or_else(broken)?;
        let nonce = model::unhex::<NONCE_LEN>(&nonce).ok_or_else(broken)?;
        let mut bytes = unhex_vec(&sealed).ok_or_else(broken)?;
        let plain = cipher(&key)
            .open_in_place(
                Nonce::assume_unique_for_key(nonce),
                Aad::from(id.to_le_bytes()),
                &mut bytes,
            )
            .map_err(|_| broken())?;
        let value = String::from_utf8(plain.to_vec()).map_err(|_| broken())?;
        out.push((
            id,
            Opened {
                kind: kind.parse()?,
                label: parse_label(label.as_deref())?,
                value,
                reason: match reason.as_str() {
                    "suspended" => Reason::Suspended,
                    _ => Reason::Withdrawn,
                },
            },
        ));
    }
    Ok(out)
}

fn unhex_vec(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

/// Deletes the keys (and the values they sealed) whose window has ended at
/// `now` (Unix ms); returns how many values became unreadable. The disk is
/// cleaned after, as after an erasure.
pub(crate) async fn destroy_expired(db: &crate::db::Db, now: i64) -> Result<u64> {
    // The last day whose window has ended: its values were erased at least
    // WITHDRAWN_WINDOW_DAYS full days ago.
    let last = day_of(now) - WITHDRAWN_WINDOW_DAYS - 1;
    let (due,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM withdrawal_keys WHERE day <= $1")
        .bind(last)
        .fetch_one(&db.pool)
        .await?;
    if due == 0 {
        return Ok(0);
    }
    let mut write = Write::begin(db).await?;
    let values = sqlx::query::<Any>("DELETE FROM withdrawn_values WHERE day <= $1")
        .bind(last)
        .execute(write.conn())
        .await?
        .rows_affected();
    let keys = sqlx::query::<Any>("DELETE FROM withdrawal_keys WHERE day <= $1")
        .bind(last)
        .execute(write.conn())
        .await?
        .rows_affected();
    write
        .audit(
            &crate::audit::Actor::System,
            "withdrawn.destroy",
            "withdrawal_keys",
            &format!("keys={keys} values={values} through_day={last}"),
        )
        .await?;
    write.mark_erased();
    write.commit().await?;
    tracing::info!(keys, values, "withdrawn values past their window destroyed");
    Ok(values)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{test_bank, Settings};

    fn erased(id: i64, value: &str) -> Erased {
        Erased {
            id,
            kind: Kind::Md5,
            label: None,
            value: value.into(),
            reason: Reason::Withdrawn,
        }
    }

    /// Sealed values open with their day's key and only with their own id;
    /// once the window ends, key and values are gone.
    #[tokio::test]
    async fn sealed_values_open_until_their_window_ends() {
        let dir = tempfile::tempdir().unwrap();
        let bank = test_bank(&dir, Settings::default()).await;
        let db = bank.db();
        let value = "0123456789abcdef0123456789abcdef";
        let mut write = Write::begin(db).await.unwrap();
        let at = write.at;
        seal(
            &mut write,
            vec![erased(7, value), erased(8, &value.replace('0', "f"))],
        )
        .await
        .unwrap();
        write.commit().await.unwrap();

        let opened = open(&db.pool, &[7, 8, 9]).await.unwrap();
        assert_eq!(opened.len(), 2);
        let seven = &opened.iter().find(|(id, _)| *id == 7).unwrap().1;
        assert_eq!(seven.value, value);
        assert_eq!(seven.reason, Reason::Withdrawn);

        // Not in the clear anywhere in the table.
        let (sealed,): (String,) =
            sqlx::query_as("SELECT sealed FROM withdrawn_values WHERE hash_id = 7")
                .fetch_one(&db.pool)
                .await
                .unwrap();
        assert!(!sealed.contains(value));
        // Bound to its id: moved to another id, it does not open.
        sqlx::query("UPDATE withdrawn_values SET hash_id = 70 WHERE hash_id = 7")
            .execute(&db.pool)
            .await
            .unwrap();
        assert!(open(&db.pool, &[70]).await.is_err());
        sqlx::query("UPDATE withdrawn_values SET hash_id = 7 WHERE hash_id = 70")
            .execute(&db.pool)
            .await
            .unwrap();

        // The last day of the window: still there.
        let window_end = (day_of(at) + WITHDRAWN_WINDOW_DAYS + 1) * DAY_MS;
        assert_eq!(destroy_expired(db, window_end - 1).await.unwrap(), 0);
        assert_eq!(open(&db.pool, &[7]).await.unwrap().len(), 1);
        // The window over: gone, key and values.
        assert_eq!(destroy_expired(db, window_end).await.unwrap(), 2);
        assert!(open(&db.pool, &[7, 8]).await.unwrap().is_empty());
        let (keys,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM withdrawal_keys")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(keys, 0);
    }
}

//! Opening a case with its number and PIN, and the lockout after wrong PINs.
//!
//! An unknown case number and a wrong PIN look the same from outside: the
//! same error, an argon2 verification either way (against a dummy hash for
//! an unknown number), and the same counting and locking, keyed by a hash of
//! the number whether or not the case exists.

use std::time::Duration;

use crate::audit::Actor;
use crate::bank::Bank;
use crate::clock::now_ms;
use crate::error::{BankError, Result};
use crate::secrets::{normalise_case_number, sha256_hex};
use crate::write::Write;

/// Most characters of a case number that are looked at (longer input is
/// refused without touching the database).
const MAX_NUMBER_LEN: usize = 64;
/// Most characters of a PIN that are looked at.
const MAX_PIN_LEN: usize = 64;
/// Each lock is this many times longer than the one before.
const LOCK_GROWTH: i64 = 2;
/// Locks stop growing after this many doublings (15 min x 2^16 is over a year).
const MAX_DOUBLINGS: u32 = 16;

/// A case as opened with the right PIN.
#[derive(Clone, Debug)]
pub(crate) struct OpenCase {
    pub id: i64,
    pub number: String,
    pub category: Option<String>,
    pub status: String,
    pub created_at: i64,
    pub withdrawn_at: Option<i64>,
}

type CaseRow = (
    i64,
    String,
    String,
    Option<String>,
    String,
    i64,
    Option<i64>,
);

impl Bank {
    /// The case `number` if `pin` is its PIN; [`BankError::WrongPin`] for a
    /// wrong PIN or an unknown number alike; [`BankError::Locked`] after too
    /// many wrong PINs.
    pub(crate) async fn open_case(&self, number: &str, pin: &str) -> Result<OpenCase> {
        self.ensure_ready()?;
        let normal = (number.len() <= MAX_NUMBER_LEN)
            .then(|| normalise_case_number(number))
            .flatten();
        let key_text = normal
            .clone()
            .unwrap_or_else(|| number.to_ascii_uppercase());
        let key = sha256_hex(format!("case:{key_text}").as_bytes());
        let now = now_ms();

        // Count the attempt first, so parallel guesses count too.
        let (failures, locks, locked_until): (i64, i64, i64) = sqlx::query_as(
            "INSERT INTO pin_failures (key, failures, locks, locked_until) VALUES ($1, 1, 0, 0) \
             ON CONFLICT (key) DO UPDATE SET failures = CASE \
                 WHEN pin_failures.locked_until > $2 THEN pin_failures.failures \
                 ELSE pin_failures.failures + 1 END \
             RETURNING failures, locks, locked_until",
        )
        .bind(&key)
        .bind(now)
        .fetch_one(&self.db.pool)
        .await?;
        if locked_until > now {
            return Err(locked(locked_until - now));
        }
        if failures > self.settings.lockout_after {
            return Err(self.lock(&key, locks).await?);
        }

        let row: Option<CaseRow> = match &normal {
            Some(n) if pin.len() <= MAX_PIN_LEN => {
                sqlx::query_as(
                    "SELECT id, number, pin_hash, category, status, created_at, withdrawn_at \
                 FROM cases WHERE number = $1",
                )
                .bind(n)
                .fetch_optional(&self.db.pool)
                .await?
            }
            _ => None,
        };
        let pin_hash = row.as_ref().map(|r| r.2.clone());
        let pin = pin.chars().take(MAX_PIN_LEN).collect();
        if self.verify_secret(pin, pin_hash).await? {
            sqlx::query("DELETE FROM pin_failures WHERE key = $1")
                .bind(&key)
                .execute(&self.db.pool)
                .await?;
            let (id, number, _, category, status, created_at, withdrawn_at) =
                row.expect("verified against a real hash");
            return Ok(OpenCase {
                id,
                number,
                category,
                status,
                created_at,
                withdrawn_at,
            });
        }
        if failures >= self.settings.lockout_after {
            // This answer is still "wrong PIN"; the next ones are "locked".
            self.lock(&key, locks).await?;
        }
        Err(BankError::WrongPin)
    }

    /// Locks the number keyed `key`, which has been locked `locks` times
    /// before; returns the error to answer with.
    async fn lock(&self, key: &str, locks: i64) -> Result<BankError> {
        let doublings = u32::try_from(locks).unwrap_or(u32::MAX).min(MAX_DOUBLINGS);
        let length = self.settings.first_lock.as_millis() as i64 * LOCK_GROWTH.pow(doublings);
        let mut write = Write::begin(&self.db).await?;
        let until = write.at + length;
        sqlx::query(
            "UPDATE pin_failures SET failures = 0, locks = locks + 1, locked_until = $1 \
             WHERE key = $2",
        )
        .bind(until)
        .bind(key)
        .execute(write.conn())
        .await?;
        write
            .audit(
                &Actor::System,
                "case.lock",
                &format!("number-key:{}", &key[..16]),
                &format!("minutes={}", length / 60_000),
            )
            .await?;
        write.commit().await?;
        Ok(locked(length))
    }
}

fn locked(ms: i64) -> BankError {
    BankError::Locked {
        retry_after: Duration::from_millis(ms.max(0) as u64),
    }
}

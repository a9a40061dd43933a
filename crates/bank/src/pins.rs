//! Opening a case with its number and PIN, and the two limits on wrong PINs.
//!
//! - Per client and case number ([`PinAttempt`], in each server's memory):
//!   after `lockout_after` wrong PINs in a row from one client on one number,
//!   that client is locked out of that number, for a time that doubles on
//!   each lock up to [`MAX_LOCK`]. A stranger's guesses lock the stranger out,
//!   not the owner, who asks from another address.
//! - Per case number from all clients together (`pin_failures`, in the
//!   database so that every server shares it): after `pin_ceiling` wrong
//!   PINs within `pin_window`, the number is locked for everyone until the
//!   window ends. This is what keeps guessing spread over many addresses from
//!   finding a PIN (docs/limits.md has the arithmetic).
//!
//! An unknown case number and a wrong PIN look the same from outside: the
//! same error, an argon2 verification either way (against a dummy hash for
//! an unknown number), and the same counting and locking, keyed by a hash of
//! the number whether or not the case exists. A malformed number cannot be
//! a case: it is refused at once, without argon2 and without a row.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sha2::{Digest, Sha256};

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
const LOCK_GROWTH: u32 = 2;
/// No lock of one client out of one number is longer than a day.
pub const MAX_LOCK: Duration = Duration::from_secs(24 * 60 * 60);
/// A client's count on a number is forgotten this long after its last
/// wrong PIN or the end of its last lock.
const FORGET_AFTER: Duration = Duration::from_secs(24 * 60 * 60);
/// Most (client, number) pairs counted at once in memory (about 100 bytes
/// each). When full of pairs still counting, new pairs are answered
/// [`BankError::Busy`] rather than forgetting a lock.
pub const MAX_PIN_CLIENTS: usize = 100_000;
/// Expired `pin_failures` rows are deleted at most this often.
const PRUNE_EVERY: Duration = Duration::from_secs(60);
/// The wait asked of a new pair when the table of pairs is full.
const FULL_RETRY: Duration = Duration::from_secs(60);

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

/// Wrong PINs of one client on one case number.
struct ClientCount {
    /// Wrong PINs (and tries still running) since the last lock or right PIN.
    failures: i64,
    /// Locks so far.
    locks: u32,
    /// Until when the client is locked out of the number.
    locked_until: Option<Instant>,
    /// When the count was last changed.
    touched: Instant,
}

/// Wrong PINs per (client, case number), bounded in size.
pub(crate) struct ClientLocks {
    counts: Mutex<ClientTable>,
}

struct ClientTable {
    map: HashMap<[u8; 32], ClientCount>,
    pruned: Instant,
    /// When expired `pin_failures` rows were last deleted.
    rows_pruned: Option<Instant>,
}

impl ClientLocks {
    pub(crate) fn new() -> ClientLocks {
        ClientLocks {
            counts: Mutex::new(ClientTable {
                map: HashMap::new(),
                pruned: Instant::now(),
                rows_pruned: None,
            }),
        }
    }
}

impl ClientTable {
    /// Forgets pairs that are neither locked nor recently wrong.
    fn prune(&mut self, now: Instant) {
        self.map.retain(|_, c| {
            let since = c
                .locked_until
                .map_or(c.touched, |until| until.max(c.touched));
            now < since + FORGET_AFTER
        });
        self.pruned = now;
    }
}

/// One PIN try of one client on one case number, counted from the start
/// (so that tries running in parallel count too). Give it the try's result
/// with [`PinAttempt::finish`]; a try dropped without a result stays
/// counted as wrong.
#[must_use]
pub struct PinAttempt<'a> {
    bank: &'a Bank,
    pair: [u8; 32],
    finished: bool,
}

impl Bank {
    /// Starts a PIN try of `client` (any stable text naming the client, e.g.
    /// its address) on case `number`: [`BankError::Locked`] when this client
    /// is locked out of this number, or already has as many tries running or
    /// wrong as make a lock.
    pub fn pin_attempt(&self, client: &str, number: &str) -> Result<PinAttempt<'_>> {
        let number = number.get(..MAX_NUMBER_LEN).unwrap_or(number);
        let typed = normalise_case_number(number).unwrap_or_else(|| number.to_ascii_uppercase());
        let mut hasher = Sha256::new();
        hasher.update(client.as_bytes());
        hasher.update([0]);
        hasher.update(typed.as_bytes());
        let pair: [u8; 32] = hasher.finalize().into();

        let now = Instant::now();
        let mut table = self.client_locks.counts.lock().expect("PIN counts");
        if !table.map.contains_key(&pair) && table.map.len() >= MAX_PIN_CLIENTS {
            if now.duration_since(table.pruned) >= Duration::from_secs(1) {
                table.prune(now);
            }
            if table.map.len() >= MAX_PIN_CLIENTS {
                return Err(BankError::Busy {
                    retry_after: FULL_RETRY,
                });
            }
        }
        let count = table.map.entry(pair).or_insert(ClientCount {
            failures: 0,
            locks: 0,
            locked_until: None,
            touched: now,
        });
        if let Some(until) = count.locked_until {
            if until > now {
                return Err(BankError::Locked {
                    retry_after: until - now,
                });
            }
            count.locked_until = None;
        }
        if count.failures >= self.settings.lockout_after {
            // Tries running in parallel already make a lock.
            return Err(BankError::Locked {
                retry_after: self.lock_length(count.locks),
            });
        }
        count.failures += 1;
        count.touched = now;
        Ok(PinAttempt {
            bank: self,
            pair,
            finished: false,
        })
    }

    /// The length of a client's lock after `locks` earlier ones.
    fn lock_length(&self, locks: u32) -> Duration {
        let growth = LOCK_GROWTH.checked_pow(locks).unwrap_or(u32::MAX);
        self.settings
            .first_lock
            .checked_mul(growth)
            .unwrap_or(MAX_LOCK)
            .min(MAX_LOCK)
    }
}

/// How a PIN try ended.
enum Ended {
    Right,
    Wrong,
    Other,
}

impl PinAttempt<'_> {
    /// Records how the try ended: a right PIN clears the count, a wrong one
    /// stays counted (and locks the client out of the number when it is the
    /// `lockout_after`th), anything else (busy, a database error, a lock of
    /// the number) does not count.
    pub fn finish<T>(mut self, result: &Result<T>) {
        self.record(match result {
            Ok(_) => Ended::Right,
            Err(BankError::WrongPin) => Ended::Wrong,
            Err(_) => Ended::Other,
        });
    }

    fn record(&mut self, ended: Ended) {
        self.finished = true;
        let bank = self.bank;
        let mut table = bank.client_locks.counts.lock().expect("PIN counts");
        let Some(count) = table.map.get_mut(&self.pair) else {
            return;
        };
        let now = Instant::now();
        count.touched = now;
        match ended {
            Ended::Right => {
                table.map.remove(&self.pair);
            }
            Ended::Wrong => {
                if count.failures >= bank.settings.lockout_after && count.locked_until.is_none() {
                    let length = bank.lock_length(count.locks);
                    count.failures = 0;
                    count.locks = count.locks.saturating_add(1);
                    count.locked_until = Some(now + length);
                }
            }
            Ended::Other => count.failures = (count.failures - 1).max(0),
        }
    }
}

impl Drop for PinAttempt<'_> {
    fn drop(&mut self) {
        if !self.finished {
            // Ended without a result (the request was dropped): counted wrong.
            self.record(Ended::Wrong);
        }
    }
}

impl Bank {
    /// The case `number` if `pin` is its PIN; [`BankError::WrongPin`] for a
    /// wrong PIN or an unknown number alike; [`BankError::Locked`] once the
    /// number had too many wrong PINs from everyone in the window.
    pub(crate) async fn open_case(&self, number: &str, pin: &str) -> Result<OpenCase> {
        self.ensure_ready()?;
        let normal = (number.len() <= MAX_NUMBER_LEN)
            .then(|| normalise_case_number(number))
            .flatten();
        let Some(normal) = normal else {
            // Not a case number at all: no argon2, no row.
            return Err(BankError::WrongPin);
        };
        let key = sha256_hex(format!("case:{normal}").as_bytes());
        let now = now_ms();
        self.prune_pin_failures(now).await?;

        // Count the try first, so parallel guesses count too.
        let window = self.settings.pin_window.as_millis() as i64;
        let (failures, window_ends): (i64, i64) = sqlx::query_as(
            "INSERT INTO pin_failures (key, failures, window_ends) VALUES ($1, 1, $2) \
             ON CONFLICT (key) DO UPDATE SET \
                 failures = CASE WHEN pin_failures.window_ends <= $3 THEN 1 \
                     ELSE pin_failures.failures + 1 END, \
                 window_ends = CASE WHEN pin_failures.window_ends <= $3 THEN $2 \
                     ELSE pin_failures.window_ends END \
             RETURNING failures, window_ends",
        )
        .bind(&key)
        .bind(now + window)
        .bind(now)
        .fetch_one(&self.db.pool)
        .await?;
        if failures > self.settings.pin_ceiling {
            if failures == self.settings.pin_ceiling + 1 {
                self.audit_ceiling(&key, window_ends - now).await?;
            }
            return Err(locked(window_ends - now));
        }

        let row: Option<CaseRow> = if pin.len() <= MAX_PIN_LEN {
            sqlx::query_as(
                "SELECT id, number, pin_hash, category, status, created_at, withdrawn_at \
                 FROM cases WHERE number = $1",
            )
            .bind(&normal)
            .fetch_optional(&self.db.pool)
            .await?
        } else {
            None
        };
        let pin_hash = row.as_ref().map(|r| r.2.clone());
        let pin = pin.chars().take(MAX_PIN_LEN).collect();
        let verified = match self.verify_secret(pin, pin_hash).await {
            Ok(verified) => verified,
            Err(err) => {
                // Not a wrong PIN: it does not count.
                self.uncount(&key).await?;
                return Err(err);
            }
        };
        if verified {
            self.uncount(&key).await?;
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
        Err(BankError::WrongPin)
    }

    /// Takes back a try counted against the number keyed `key` that was not
    /// a wrong PIN.
    async fn uncount(&self, key: &str) -> Result<()> {
        sqlx::query(
            "UPDATE pin_failures SET failures = failures - 1 WHERE key = $1 AND failures > 0",
        )
        .bind(key)
        .execute(&self.db.pool)
        .await?;
        Ok(())
    }

    /// Deletes rows whose window has ended, at most every [`PRUNE_EVERY`].
    async fn prune_pin_failures(&self, now: i64) -> Result<()> {
        {
            let mut table = self.client_locks.counts.lock().expect("PIN counts");
            if table
                .rows_pruned
                .is_some_and(|at| at.elapsed() < PRUNE_EVERY)
            {
                return Ok(());
            }
            table.rows_pruned = Some(Instant::now());
        }
        sqlx::query("DELETE FROM pin_failures WHERE window_ends <= $1")
            .bind(now)
            .execute(&self.db.pool)
            .await?;
        Ok(())
    }

    /// Notes in the audit log that the number keyed `key` reached the
    /// ceiling and is locked for everyone for `ms`.
    async fn audit_ceiling(&self, key: &str, ms: i64) -> Result<()> {
        let mut write = Write::begin(&self.db).await?;
        write
            .audit(
                &Actor::System,
                "case.lock",
                &format!("number-key:{}", &key[..16]),
                &format!("minutes={}", ms / 60_000),
            )
            .await?;
        write.commit().await?;
        Ok(())
    }
}

fn locked(ms: i64) -> BankError {
    BankError::Locked {
        retry_after: Duration::from_millis(ms.max(0) as u64),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{test_bank as bank, Settings};
    use crate::cases::NewCase;
    use crate::hashes::{Kind, NewHash, Role};

    async fn case(bank: &Bank) -> (String, String) {
        let hash = NewHash {
            kind: Kind::Md5,
            value: model::hex(&rand::random::<[u8; 16]>()),
            quality: None,
            role: Role::Plain,
            label: None,
        };
        let created = bank
            .create_case(NewCase {
                hashes: vec![hash],
                category: None,
            })
            .await
            .unwrap();
        (created.case_number, created.pin)
    }

    fn wrong(pin: &str) -> String {
        let first = if pin.starts_with('0') { '1' } else { '0' };
        format!("{first}{}", &pin[1..])
    }

    /// One try of `client`, as the server makes it.
    async fn open(bank: &Bank, client: &str, number: &str, pin: &str) -> Result<()> {
        let attempt = bank.pin_attempt(client, number)?;
        let opened = bank.view_case(number, pin).await.map(|_| ());
        attempt.finish(&opened);
        opened
    }

    #[tokio::test]
    async fn a_strangers_wrong_pins_lock_the_stranger_not_the_owner() {
        let dir = tempfile::tempdir().unwrap();
        let bank = bank(&dir, Settings::default()).await;
        let (number, pin) = case(&bank).await;
        let mut answers = Vec::new();
        for _ in 0..50 {
            answers.push(open(&bank, "stranger", &number, &wrong(&pin)).await);
        }
        assert!(answers[..5]
            .iter()
            .all(|a| matches!(a, Err(BankError::WrongPin))));
        assert!(answers[5..]
            .iter()
            .all(|a| matches!(a, Err(BankError::Locked { .. }))));
        // The stranger is locked out even with the right PIN; the owner is not.
        assert!(matches!(
            open(&bank, "stranger", &number, &pin).await,
            Err(BankError::Locked { .. })
        ));
        open(&bank, "owner", &number, &pin).await.unwrap();
        // Only the 5 that were tried reached the number's count.
        let (failures,): (i64,) = sqlx::query_as("SELECT failures FROM pin_failures")
            .fetch_one(&bank.db.pool)
            .await
            .unwrap();
        assert_eq!(failures, 5);
    }

    #[tokio::test]
    async fn tries_dropped_or_in_parallel_count_as_wrong() {
        let dir = tempfile::tempdir().unwrap();
        let bank = bank(&dir, Settings::default()).await;
        let (number, pin) = case(&bank).await;
        let running: Vec<_> = (0..5)
            .map(|_| bank.pin_attempt("c", &number).unwrap())
            .collect();
        assert!(matches!(
            bank.pin_attempt("c", &number),
            Err(BankError::Locked { .. })
        ));
        drop(running);
        // Five dropped tries were five wrong PINs: the client is locked.
        assert!(matches!(
            open(&bank, "c", &number, &pin).await,
            Err(BankError::Locked { .. })
        ));
    }

    #[tokio::test]
    async fn locks_double_up_to_a_day() {
        let dir = tempfile::tempdir().unwrap();
        let bank = bank(&dir, Settings::default()).await;
        assert_eq!(bank.lock_length(0), DEFAULT_FIRST_LOCK_FOR_TEST);
        assert_eq!(bank.lock_length(1), DEFAULT_FIRST_LOCK_FOR_TEST * 2);
        assert_eq!(
            bank.lock_length(6),
            MAX_LOCK.min(DEFAULT_FIRST_LOCK_FOR_TEST * 64)
        );
        assert_eq!(bank.lock_length(7), MAX_LOCK);
        assert_eq!(bank.lock_length(40), MAX_LOCK);
        assert_eq!(bank.lock_length(u32::MAX), MAX_LOCK);
    }

    const DEFAULT_FIRST_LOCK_FOR_TEST: Duration = crate::bank::DEFAULT_FIRST_LOCK;

    #[tokio::test]
    async fn the_ceiling_locks_a_number_for_everyone_known_or_not() {
        let dir = tempfile::tempdir().unwrap();
        let settings = Settings {
            pin_ceiling: 12,
            ..Settings::default()
        };
        let bank = bank(&dir, settings).await;
        let (number, pin) = case(&bank).await;
        let unknown = "HB-ZZZZ-ZZZZ-ZZZZ";
        for target in [number.as_str(), unknown] {
            // Three clients of four tries each: none is locked alone.
            for client in ["a", "b", "c"] {
                for _ in 0..4 {
                    let answer = open(&bank, client, target, &wrong(&pin)).await;
                    assert!(matches!(answer, Err(BankError::WrongPin)), "{answer:?}");
                }
            }
            // The number is locked for everyone now, the owner too, for
            // what is left of the window.
            let answer = open(&bank, "owner", target, &pin).await;
            let Err(BankError::Locked { retry_after }) = answer else {
                panic!("{target}: {answer:?}");
            };
            assert!(retry_after > Duration::from_secs(23 * 3600));
        }
        // Each number's lock is in the audit log, once.
        let (audited,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM audit WHERE action = 'case.lock'")
                .fetch_one(&bank.db.pool)
                .await
                .unwrap();
        assert_eq!(audited, 2);
    }

    #[tokio::test]
    async fn malformed_numbers_cost_no_argon2_and_leave_no_row() {
        let dir = tempfile::tempdir().unwrap();
        let bank = bank(&dir, Settings::default()).await;
        let runs = bank.argon2_runs();
        for (i, number) in ["x", "HB-1", "HB-0000-0000-000U", &"H".repeat(1000)]
            .iter()
            .enumerate()
        {
            let answer = open(&bank, &format!("client{i}"), number, "1234567890").await;
            assert!(matches!(answer, Err(BankError::WrongPin)), "{answer:?}");
        }
        assert_eq!(bank.argon2_runs(), runs);
        let (rows,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM pin_failures")
            .fetch_one(&bank.db.pool)
            .await
            .unwrap();
        assert_eq!(rows, 0);
        // A well-formed unknown number costs one verification, as a known one.
        let _ = open(&bank, "client", "HB-ZZZZ-ZZZZ-ZZZZ", "1234567890").await;
        assert_eq!(bank.argon2_runs(), runs + 1);
    }

    #[tokio::test]
    async fn expired_rows_are_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let bank = bank(&dir, Settings::default()).await;
        sqlx::query("INSERT INTO pin_failures (key, failures, window_ends) VALUES ('old', 3, 1)")
            .execute(&bank.db.pool)
            .await
            .unwrap();
        let _ = open(&bank, "client", "HB-ZZZZ-ZZZZ-ZZZZ", "1234567890").await;
        let keys: Vec<(String,)> = sqlx::query_as("SELECT key FROM pin_failures")
            .fetch_all(&bank.db.pool)
            .await
            .unwrap();
        assert_eq!(keys.len(), 1);
        assert_ne!(keys[0].0, "old");
    }
}

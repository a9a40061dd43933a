//! Bulk import for operators: a list of hashes becomes cases of up to 500
//! hashes each, with new numbers and PINs, several cases per transaction.
//! Used to seed a bank (e.g. for a benchmark) and to move hashes in from
//! elsewhere. Servers pick the new hashes up from the feed.

use crate::audit::Actor;
use crate::bank::Bank;
use crate::cases::{hash_rows, HASH_COLUMNS};
use crate::db::Value;
use crate::error::{BankError, Result};
use crate::hashes::{Category, CheckedHash, MAX_HASHES_PER_CASE};
use crate::release::DEFAULT_MIX_WRITES;
use crate::secrets::{new_case_number, new_pin, random_id, Secrets};
use crate::write::Write;

/// Cases written per transaction.
const CASES_PER_TRANSACTION: usize = 20;
/// Transactions' PINs hashed ahead of the writing.
const PIN_BATCHES_AHEAD: usize = 2;

/// Stops a task when dropped (an import that fails stops hashing PINs).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// A case made by an import: number and PIN, to hand to the person.
#[derive(Clone, Debug)]
pub struct ImportedCase {
    /// The case number.
    pub number: String,
    /// The PIN.
    pub pin: String,
    /// Hashes in it.
    pub hashes: usize,
}

impl Bank {
    /// Imports `hashes` as cases of `per_case` hashes (at most 500) in
    /// `category`; calls `progress` after each transaction with the cases
    /// made so far. The hashes must have passed
    /// [`check_new_hashes`](crate::hashes::check_new_hashes) per case.
    pub async fn import(
        &self,
        hashes: Vec<CheckedHash>,
        per_case: usize,
        category: Option<Category>,
        mut progress: impl FnMut(&[ImportedCase]),
    ) -> Result<Vec<ImportedCase>> {
        if !(1..=MAX_HASHES_PER_CASE).contains(&per_case) {
            return Err(BankError::invalid(
                "invalid_setting",
                format!("a case holds 1 to {MAX_HASHES_PER_CASE} hashes"),
            ));
        }
        let cases: Vec<&[CheckedHash]> = hashes.chunks(per_case).collect();
        let mut made = Vec::with_capacity(cases.len());
        // The PINs of the next transactions are hashed while this one is
        // written: argon2 on the cores, the database on its own.
        let sizes: Vec<usize> = cases
            .chunks(CASES_PER_TRANSACTION)
            .map(|b| b.len())
            .collect();
        let (pins_out, mut pins_in) = tokio::sync::mpsc::channel(PIN_BATCHES_AHEAD);
        let secrets = self.secrets.clone();
        let hashing = tokio::spawn(async move {
            for n in sizes {
                let pins: Vec<String> = (0..n).map(|_| new_pin()).collect();
                let hashed = hash_all(&secrets, &pins).await.map(|h| (pins, h));
                if pins_out.send(hashed).await.is_err() {
                    return;
                }
            }
        });
        let _stop_hashing = AbortOnDrop(hashing);
        for batch in cases.chunks(CASES_PER_TRANSACTION) {
            let (pins, pin_hashes) = pins_in
                .recv()
                .await
                .ok_or_else(|| BankError::Internal("the PIN hashing stopped".into()))??;
            let mut write = Write::begin(&self.db).await?;
            // A transaction of many cases is a mixed batch by itself: its
            // additions, shuffled, are released with it, so that a large
            // import is not one release of millions of entries later. A
            // smaller last one is held as a filing is.
            write.release_at_once = batch.len() >= DEFAULT_MIX_WRITES;
            let mut case_rows = Vec::new();
            let mut hash_rows_all = Vec::new();
            let mut numbers = Vec::new();
            // One value per distinct hash, new ones on the feed.
            let all: Vec<&CheckedHash> = batch.iter().flat_map(|c| c.iter()).collect();
            let values = crate::values::attach(&mut write, &all, category).await?;
            let mut next = 0;
            for (case_hashes, pin_hash) in batch.iter().zip(&pin_hashes) {
                let case_id = random_id();
                let number = new_case_number();
                case_rows.push(vec![
                    Value::Int(case_id),
                    Value::Text(number.clone()),
                    Value::Text(pin_hash.clone()),
                    Value::OptText(category.map(|c| c.as_str().to_string())),
                    Value::Text("open".into()),
                    Value::Int(write.at),
                ]);
                numbers.push(number);
                let these = &values[next..next + case_hashes.len()];
                next += case_hashes.len();
                let (rows, _) = hash_rows(case_id, case_hashes, these, write.at);
                hash_rows_all.extend(rows);
            }
            let count = all.len();
            crate::db::insert_rows(
                write.conn(),
                "cases",
                &[
                    "id",
                    "number",
                    "pin_hash",
                    "category",
                    "status",
                    "created_at",
                ],
                case_rows,
            )
            .await?;
            crate::db::insert_rows(write.conn(), "hashes", &HASH_COLUMNS, hash_rows_all).await?;
            write
                .audit(
                    &Actor::Operator,
                    "case.import",
                    "cases",
                    &format!("cases={} hashes={count}", batch.len()),
                )
                .await?;
            write.commit().await?;
            made.extend(numbers.into_iter().zip(pins).zip(batch.iter()).map(
                |((number, pin), hashes)| ImportedCase {
                    number,
                    pin,
                    hashes: hashes.len(),
                },
            ));
            progress(&made);
        }
        Ok(made)
    }
}

/// argon2id hashes of `pins`, on every core.
async fn hash_all(secrets: &Secrets, pins: &[String]) -> Result<Vec<String>> {
    let secrets = secrets.clone();
    let pins = pins.to_vec();
    tokio::task::spawn_blocking(move || {
        let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
        let per_thread = pins.len().div_ceil(threads).max(1);
        std::thread::scope(|scope| {
            let handles: Vec<_> = pins
                .chunks(per_thread)
                .map(|chunk| {
                    let secrets = &secrets;
                    scope.spawn(move || {
                        chunk
                            .iter()
                            .map(|p| secrets.hash(p))
                            .collect::<Result<Vec<_>>>()
                    })
                })
                .collect();
            let mut all = Vec::with_capacity(pins.len());
            for handle in handles {
                all.extend(handle.join().expect("argon2 thread")?);
            }
            Ok(all)
        })
    })
    .await
    .map_err(|e| BankError::Internal(format!("argon2 task: {e}")))?
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bank::{test_bank, Settings};
    use crate::hashes::{Kind, Role};

    fn md5s(n: usize, seed: u8) -> Vec<CheckedHash> {
        (0..n)
            .map(|i| CheckedHash {
                kind: Kind::Md5,
                value: format!("{seed:02x}{i:030x}"),
                quality: None,
                role: Role::Plain,
                label: None,
            })
            .collect()
    }

    async fn held(bank: &Bank) -> i64 {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM feed WHERE public_cursor IS NULL")
            .fetch_one(&bank.db.pool)
            .await
            .unwrap();
        n
    }

    /// A transaction of enough cases is released with its commit; fewer
    /// cases are held as a filing is.
    #[tokio::test]
    async fn a_transaction_of_many_cases_is_released_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let bank = test_bank(&dir, Settings::default()).await;
        let made = bank
            .import(md5s(2 * DEFAULT_MIX_WRITES, 1), 2, None, |_| {})
            .await
            .unwrap();
        assert_eq!(made.len(), DEFAULT_MIX_WRITES);
        assert_eq!(held(&bank).await, 0);
        assert_eq!(bank.stats().await.unwrap().feed_held, 0);
        bank.import(md5s(6, 2), 2, None, |_| {}).await.unwrap();
        assert_eq!(held(&bank).await, 6);
        let stats = bank.stats().await.unwrap();
        assert_eq!((stats.feed_held, stats.feed_entries), (6, 22));
    }
}

//! Investigators' finds: a bank hash found in material seized in an
//! investigation. A find names the hash, never a case, and the
//! investigator learns nothing of the cases holding it; each case that
//! holds the hash shows the find to its owner, with the unit's contact
//! text and the reference to quote. A find goes with its hash when the
//! last case holding it is withdrawn.

use std::collections::{BTreeMap, HashMap};

use api::{CaseFind, NewFind, MAX_REFERENCE_CHARS};

use crate::audit::Actor;
use crate::bank::{is_clash, Bank, CLASH_RETRIES};
use crate::clock::is_day;
use crate::error::{BankError, Result};
use crate::platforms::Platform;
use crate::secrets::random_id;
use crate::write::Write;

/// Most files one find may count.
pub const MAX_FIND_FILES: u64 = 1_000_000;
/// The days a find may name.
const FIRST_DAY: &str = "2000-01-01";

/// Checks a find's reference, day and count.
fn check_find(find: &NewFind, today: &str) -> Result<()> {
    let chars = find.reference.chars().count();
    let allowed = |c: char| c.is_alphanumeric() || " -_./:#".contains(c);
    if chars == 0
        || chars > MAX_REFERENCE_CHARS
        || find.reference.trim() != find.reference
        || !find.reference.chars().all(allowed)
    {
        return Err(BankError::invalid(
            "invalid_reference",
            format!(
                "reference: 1 to {MAX_REFERENCE_CHARS} letters, digits, spaces and -_./:# \
                 (no space first or last)"
            ),
        ));
    }
    if !is_day(&find.found_on)
        || find.found_on.as_str() < FIRST_DAY
        || find.found_on.as_str() > today
    {
        return Err(BankError::invalid(
            "invalid_date",
            format!("found_on: a day written YYYY-MM-DD, from {FIRST_DAY} to today"),
        ));
    }
    if !(1..=MAX_FIND_FILES).contains(&find.files) {
        return Err(BankError::invalid(
            "invalid_files",
            format!("files: 1 to {MAX_FIND_FILES}"),
        ));
    }
    Ok(())
}

/// A find's row as a case shows it: the unit's name and contact, the
/// reference, the day, the files.
type FindRow = (String, Option<String>, String, String, i64);

impl Bank {
    /// Files `investigator`'s find: the hash must be one it was given (by
    /// the match API or the feed). The same hash under the same reference
    /// again updates the day and the count. Its id.
    pub async fn file_find(&self, investigator: &Platform, find: NewFind) -> Result<i64> {
        investigator.must_be_investigator()?;
        let today = crate::clock::day(crate::clock::now_ms());
        check_find(&find, &today)?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.insert_find(investigator, &find).await {
                Err(e) if is_clash(&e) && attempt < CLASH_RETRIES => continue,
                other => return other,
            }
        }
    }

    async fn insert_find(&self, investigator: &Platform, find: &NewFind) -> Result<i64> {
        let mut write = Write::begin(&self.db).await?;
        // The same checks as a report's: an active value this key was given.
        crate::values::for_report(&mut write, find.hash_id).await?;
        if !self
            .granted(&mut write, investigator.id, find.hash_id)
            .await?
        {
            return Err(crate::values::not_given(find.hash_id));
        }
        let earlier: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM finds WHERE investigator_id = $1 AND hash_id = $2 AND reference = $3",
        )
        .bind(investigator.id)
        .bind(find.hash_id)
        .bind(&find.reference)
        .fetch_optional(write.conn())
        .await?;
        let files = i64::try_from(find.files).unwrap_or(i64::MAX);
        let id = match earlier {
            Some((id,)) => {
                sqlx::query(
                    "UPDATE finds SET found_on = $1, files = $2, filed_at = $3 WHERE id = $4",
                )
                .bind(&find.found_on)
                .bind(files)
                .bind(write.at)
                .bind(id)
                .execute(write.conn())
                .await?;
                id
            }
            None => {
                let id = random_id();
                sqlx::query(
                    "INSERT INTO finds (id, investigator_id, hash_id, reference, found_on, files, \
                     filed_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(id)
                .bind(investigator.id)
                .bind(find.hash_id)
                .bind(&find.reference)
                .bind(&find.found_on)
                .bind(files)
                .bind(write.at)
                .execute(write.conn())
                .await?;
                id
            }
        };
        write
            .audit(
                &Actor::Platform(investigator.name.clone()),
                "find.file",
                &format!("find:{id}"),
                &format!("hash={} files={}", find.hash_id, find.files),
            )
            .await?;
        write.commit().await?;
        Ok(id)
    }
}

/// The finds of the values `value_ids` (a case's), one per investigator and
/// reference, newest day first, with how many of the values and files each
/// found.
pub(crate) async fn case_finds(pool: &sqlx::AnyPool, case_id: i64) -> Result<Vec<CaseFind>> {
    let rows: Vec<FindRow> = sqlx::query_as(
        "SELECT p.name, p.contact, f.reference, f.found_on, f.files \
         FROM finds f JOIN platforms p ON p.id = f.investigator_id \
         WHERE f.hash_id IN (SELECT value_id FROM hashes \
                             WHERE case_id = $1 AND value_id IS NOT NULL) \
         ORDER BY f.found_on DESC, p.name, f.reference",
    )
    .bind(case_id)
    .fetch_all(pool)
    .await?;
    let mut by_reference: Vec<CaseFind> = Vec::new();
    let mut at: HashMap<(String, String), usize> = HashMap::new();
    for (unit, contact, reference, found_on, files) in rows {
        let files = u64::try_from(files).unwrap_or(0);
        let key = (unit.clone(), reference.clone());
        if let Some(&i) = at.get(&key) {
            let find = &mut by_reference[i];
            find.hashes += 1;
            find.files += files;
            if found_on > find.found_on {
                find.found_on = found_on;
            }
            continue;
        }
        let contact: BTreeMap<String, String> = match contact {
            Some(json) => serde_json::from_str(&json)
                .map_err(|e| BankError::Internal(format!("stored contact: {e}")))?,
            None => BTreeMap::new(),
        };
        at.insert(key, by_reference.len());
        by_reference.push(CaseFind {
            unit,
            contact,
            reference,
            found_on,
            hashes: 1,
            files,
        });
    }
    Ok(by_reference)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(reference: &str, found_on: &str, files: u64) -> NewFind {
        NewFind {
            hash_id: 1,
            reference: reference.into(),
            found_on: found_on.into(),
            files,
        }
    }

    #[test]
    fn finds_are_checked() {
        let today = "2026-12-08";
        assert!(check_find(&find("PV-2026-123", "2026-12-01", 3), today).is_ok());
        assert!(check_find(&find("PV 2026/123 #4", today, 1), today).is_ok());
        for bad in [
            find("", today, 1),
            find(" PV-1", today, 1),
            find("PV<script>", today, 1),
            find(&"x".repeat(101), today, 1),
            find("PV-1", "2026-12-09", 1),
            find("PV-1", "1999-12-31", 1),
            find("PV-1", "2026-02-30", 1),
            find("PV-1", today, 0),
            find("PV-1", today, MAX_FIND_FILES + 1),
        ] {
            assert!(check_find(&bad, today).is_err(), "{bad:?}");
        }
    }
}

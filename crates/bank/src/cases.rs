//! Cases: filing one with hashes, seeing it, adding hashes, withdrawing.
//! No function here lists cases: a case is reached only by number and PIN.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use model::{VideoHash, VideoRule};

pub use api::{
    CaseHash, CasePlatform, CaseReport, CaseStatus, CaseView, CreatedCase, MoreHashes, NewCase,
    Withdrawn,
};
use sqlx::Any;

use crate::audit::Actor;
use crate::bank::{is_clash, Bank, CLASH_RETRIES};
use crate::clock::rfc3339;
use crate::db::{insert_rows, Value};
use crate::error::{BankError, Result};
use crate::hashes::{
    check_new_hashes, label_name, label_text, parse_category, parse_label, Category, CheckedHash,
    HashStatus, Kind, Role, MAX_HASHES_PER_CASE,
};
use crate::pins::OpenCase;
use crate::secrets::{new_case_number, new_pin, random_id};
use crate::write::Write;

/// A report as read for the case view: platform name, hash id, content
/// reference, reported at, outcome, outcome at.
type ReportRow = (
    String,
    i64,
    String,
    i64,
    Option<String>,
    Option<i64>,
    Option<String>,
);
/// A hash row: id, value id, kind, role, label, value, quality, status.
type HashRow = (
    i64,
    Option<i64>,
    String,
    String,
    Option<String>,
    Option<String>,
    Option<i64>,
    String,
);

/// Case status words.
const OPEN: &str = "open";
const WITHDRAWN: &str = "withdrawn";

impl Bank {
    /// Files a case. Answers only once the case is committed and its hashes
    /// are in this server's matcher.
    pub async fn create_case(&self, case: NewCase) -> Result<CreatedCase> {
        self.ensure_ready()?;
        check_count(case.hashes.len(), 0)?;
        let checked = check_new_hashes(&case.hashes, &HashSet::new())?;
        let pin = new_pin();
        let pin_hash = self.hash_secret(pin.clone()).await?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.insert_case(&checked, case.category, &pin_hash).await {
                Ok((number, at, hashes)) => {
                    return Ok(CreatedCase {
                        case_number: number,
                        pin,
                        created_at: rfc3339(at),
                        hashes,
                    })
                }
                Err(e) if is_clash(&e) && attempt < CLASH_RETRIES => continue,
                Err(e) => return Err(e),
            }
        }
    }

    async fn insert_case(
        &self,
        hashes: &[CheckedHash],
        category: Option<Category>,
        pin_hash: &str,
    ) -> Result<(String, i64, Vec<CaseHash>)> {
        let number = new_case_number();
        let case_id = random_id();
        let mut write = Write::begin(&self.db).await?;
        sqlx::query(
            "INSERT INTO cases (id, number, pin_hash, category, status, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(case_id)
        .bind(&number)
        .bind(pin_hash)
        .bind(category.map(|c| c.as_str()))
        .bind(OPEN)
        .bind(write.at)
        .execute(write.conn())
        .await?;
        let added = insert_hashes(&mut write, case_id, hashes, category).await?;
        write
            .audit(
                &Actor::Case,
                "case.create",
                &format!("case:{case_id}"),
                &format!(
                    "hashes={}{}",
                    hashes.len(),
                    if category.is_some() {
                        " category=minor"
                    } else {
                        ""
                    }
                ),
            )
            .await?;
        let at = write.at;
        let changes = write.commit().await?;
        self.applied(changes).await;
        Ok((number, at, added))
    }

    /// The case `number` as its owner sees it.
    pub async fn view_case(&self, number: &str, pin: &str) -> Result<CaseView> {
        let case = self.open_case(number, pin).await?;
        let hashes = case_hashes(&self.db.pool, case.id).await?;
        // Every report on a value the case holds, whichever case's filing
        // the platform found it by.
        let rows: Vec<ReportRow> = sqlx::query_as(
            "SELECT p.name, r.hash_id, r.content_ref, r.reported_at, r.outcome, r.outcome_at, \
                    r.value \
             FROM reports r JOIN platforms p ON p.id = r.platform_id \
             WHERE r.hash_id IN (SELECT value_id FROM hashes \
                                 WHERE case_id = $1 AND value_id IS NOT NULL) \
             ORDER BY p.name, r.reported_at, r.id",
        )
        .bind(case.id)
        .fetch_all(&self.db.pool)
        .await?;
        let mut platforms: BTreeMap<String, CasePlatform> = BTreeMap::new();
        // Per platform: the content it reported, and the content removed.
        let mut content: BTreeMap<String, (HashSet<String>, HashSet<String>)> = BTreeMap::new();
        // The case's videos, read once: their moments a report found.
        let videos: HashMap<i64, VideoHash> = hashes
            .iter()
            .filter(|h| h.kind == Kind::Vpdq)
            .filter_map(|h| {
                let video = VideoHash::from_text(h.value.as_deref()?).ok()?;
                Some((h.hash_id?, video))
            })
            .collect();
        // Frame comparisons for the moments, over all the reports of one
        // view: many reports of long videos can't make a view slow.
        let mut budget = MOMENTS_BUDGET;
        for (name, hash_id, content_ref, reported_at, outcome, outcome_at, value) in rows {
            let entry = platforms.entry(name.clone()).or_insert(CasePlatform {
                platform: name.clone(),
                matches_reported: 0,
                removed: 0,
                reports: Vec::new(),
            });
            let (found, removed) = content.entry(name).or_default();
            if outcome.as_deref() == Some("removed") {
                removed.insert(content_ref.clone());
            }
            found.insert(content_ref);
            entry.matches_reported = found.len();
            entry.removed = removed.len();
            entry.reports.push(CaseReport {
                hash_id,
                reported_at: rfc3339(reported_at),
                outcome: outcome.as_deref().map(str::parse).transpose()?,
                outcome_at: outcome_at.map(rfc3339),
                moments: match (videos.get(&hash_id), value) {
                    (Some(video), Some(value)) => moments(video, &value, &mut budget),
                    _ => Vec::new(),
                },
            });
        }
        Ok(CaseView {
            case_number: case.number,
            status: case.status.parse()?,
            category: parse_category(case.category.as_deref())?,
            created_at: rfc3339(case.created_at),
            withdrawn_at: case.withdrawn_at.map(rfc3339),
            hashes,
            platforms: platforms.into_values().collect(),
            finds: crate::finds::case_finds(&self.db.pool, case.id).await?,
        })
    }

    /// Adds hashes to an open case; answers with all its hashes.
    pub async fn add_hashes(
        &self,
        number: &str,
        pin: &str,
        more: MoreHashes,
    ) -> Result<Vec<CaseHash>> {
        let case = self.open_case(number, pin).await?;
        ensure_open(&case)?;
        let existing = case_hashes(&self.db.pool, case.id).await?;
        check_count(more.hashes.len(), existing.len())?;
        let held: HashSet<(Kind, String)> = existing
            .iter()
            .filter_map(|h| Some((h.kind, h.value.clone()?)))
            .collect();
        let checked = check_new_hashes(&more.hashes, &held)?;
        let category = parse_category(case.category.as_deref())?;
        let mut attempt = 0;
        loop {
            attempt += 1;
            match self.insert_more(&case, &checked, category).await {
                Ok(()) => break,
                Err(e) if is_clash(&e) && attempt < CLASH_RETRIES => continue,
                Err(e) => return Err(e),
            }
        }
        case_hashes(&self.db.pool, case.id).await
    }

    async fn insert_more(
        &self,
        case: &OpenCase,
        hashes: &[CheckedHash],
        category: Option<Category>,
    ) -> Result<()> {
        let mut write = Write::begin(&self.db).await?;
        // Re-read under the write lock: a withdrawal or another addition may
        // have committed since the case was opened.
        let (status, count): (String, i64) = sqlx::query_as(
            "SELECT c.status, (SELECT COUNT(*) FROM hashes h WHERE h.case_id = c.id) \
             FROM cases c WHERE c.id = $1",
        )
        .bind(case.id)
        .fetch_one(write.conn())
        .await?;
        if status != OPEN {
            return Err(withdrawn_error());
        }
        check_count(hashes.len(), count as usize)?;
        insert_hashes(&mut write, case.id, hashes, category).await?;
        write
            .audit(
                &Actor::Case,
                "case.add_hashes",
                &format!("case:{}", case.id),
                &format!("hashes={}", hashes.len()),
            )
            .await?;
        let changes = write.commit().await?;
        self.applied(changes).await;
        Ok(())
    }

    /// Withdraws a case: every hash value is erased, its hashes leave the
    /// feed (deletion entries) and matching, and the case is closed — in one
    /// transaction, and out of this server's matcher before this returns.
    pub async fn withdraw_case(&self, number: &str, pin: &str) -> Result<Withdrawn> {
        let case = self.open_case(number, pin).await?;
        ensure_open(&case)?;
        let mut write = Write::begin(&self.db).await?;
        let (status,): (String,) = sqlx::query_as("SELECT status FROM cases WHERE id = $1")
            .bind(case.id)
            .fetch_one(write.conn())
            .await?;
        if status != OPEN {
            return Err(withdrawn_error());
        }
        let ids: Vec<(i64, Option<i64>)> =
            sqlx::query_as("SELECT id, value_id FROM hashes WHERE case_id = $1")
                .bind(case.id)
                .fetch_all(write.conn())
                .await?;
        let values: BTreeSet<i64> = ids.iter().filter_map(|(_, v)| *v).collect();
        sqlx::query::<Any>(
            "UPDATE hashes SET value = NULL, quality = NULL, value_id = NULL, \
             status = 'withdrawn' WHERE case_id = $1",
        )
        .bind(case.id)
        .execute(write.conn())
        .await?;
        let at = write.at;
        sqlx::query("UPDATE cases SET status = $1, withdrawn_at = $2 WHERE id = $3")
            .bind(WITHDRAWN)
            .bind(at)
            .bind(case.id)
            .execute(write.conn())
            .await?;
        // A value no other open case holds is erased and leaves the feed.
        crate::values::release(&mut write, &values).await?;
        write
            .audit(
                &Actor::Case,
                "case.withdraw",
                &format!("case:{}", case.id),
                &format!("hashes={}", ids.len()),
            )
            .await?;
        let changes = write.commit().await?;
        self.applied(changes).await;
        Ok(Withdrawn {
            case_number: case.number,
            status: CaseStatus::Withdrawn,
            withdrawn_at: rfc3339(at),
            hashes_erased: ids.len(),
        })
    }
}

/// Inserts a case's new hashes, each pointing at its value; new values go
/// on the feed (see [`crate::values::attach`]).
async fn insert_hashes(
    write: &mut Write,
    case_id: i64,
    hashes: &[CheckedHash],
    category: Option<Category>,
) -> Result<Vec<CaseHash>> {
    let refs: Vec<&CheckedHash> = hashes.iter().collect();
    let values = crate::values::attach(write, &refs, category).await?;
    let (rows, added) = hash_rows(case_id, hashes, &values, write.at);
    insert_rows(write.conn(), "hashes", &HASH_COLUMNS, rows).await?;
    Ok(added)
}

/// The columns of a `hashes` row, in the order [`hash_rows`] gives them.
pub(crate) const HASH_COLUMNS: [&str; 10] = [
    "id", "case_id", "kind", "role", "value", "quality", "status", "added_at", "label", "value_id",
];

/// The `hashes` rows of a case's new hashes, with their values' ids and
/// statuses, and the hashes as the case shows them.
pub(crate) fn hash_rows(
    case_id: i64,
    hashes: &[CheckedHash],
    values: &[(i64, HashStatus)],
    at: i64,
) -> (Vec<Vec<Value>>, Vec<CaseHash>) {
    let mut rows = Vec::with_capacity(hashes.len());
    let mut added = Vec::with_capacity(hashes.len());
    for (hash, &(value_id, status)) in hashes.iter().zip(values) {
        let id = random_id();
        rows.push(vec![
            Value::Int(id),
            Value::Int(case_id),
            Value::Text(hash.kind.as_str().into()),
            Value::Text(hash.role.as_str().into()),
            Value::Text(hash.value.clone()),
            Value::OptInt(hash.quality),
            Value::Text(status.as_str().into()),
            Value::Int(at),
            Value::OptText(label_text(hash.label)),
            Value::Int(value_id),
        ]);
        added.push(CaseHash {
            id,
            hash_id: Some(value_id),
            kind: hash.kind,
            role: hash.role,
            label: label_name(hash.label),
            value: Some(hash.value.clone()),
            quality: hash.quality,
            status,
        });
    }
    (rows, added)
}

/// The hashes of case `case_id`, in the order they were added.
async fn case_hashes<'e, E>(executor: E, case_id: i64) -> Result<Vec<CaseHash>>
where
    E: sqlx::Executor<'e, Database = Any>,
{
    let rows: Vec<HashRow> = sqlx::query_as(
        "SELECT id, value_id, kind, role, label, value, quality, status FROM hashes \
         WHERE case_id = $1 ORDER BY added_at, id",
    )
    .bind(case_id)
    .fetch_all(executor)
    .await?;
    rows.into_iter()
        .map(|(id, hash_id, kind, role, label, value, quality, status)| {
            Ok(CaseHash {
                id,
                hash_id,
                kind: kind.parse::<Kind>()?,
                role: role.parse::<Role>()?,
                label: label_name(parse_label(label.as_deref())?),
                value,
                quality,
                status: status.parse()?,
            })
        })
        .collect()
}

/// The most frame comparisons one view of a case spends on moments (a
/// report of a 10,000-frame copy against a 10,000-frame video is 10^8);
/// past it, the remaining reports show none.
const MOMENTS_BUDGET: usize = 200_000_000;

/// The moments of the case's `video` that a report's `value` (the
/// platform's vPDQ hash of its copy, or the PDQ hash of one frame) shows,
/// if the comparisons fit in what is left of `budget`.
fn moments(video: &VideoHash, value: &str, budget: &mut usize) -> Vec<f64> {
    let rule = VideoRule::default();
    let copy: Vec<pdq::Hash256> = match pdq::Hash256::from_hex(value) {
        Ok(frame) => vec![frame],
        Err(_) => match VideoHash::from_text(value) {
            Ok(copy) => copy
                .comparable(rule.min_quality)
                .into_iter()
                .map(|f| f.hash)
                .collect(),
            Err(_) => return Vec::new(),
        },
    };
    let cost = copy.len().saturating_mul(video.frames.len());
    if cost > *budget {
        return Vec::new();
    }
    *budget -= cost;
    let mut found = model::moments_found(video, &copy, &rule);
    found.truncate(api::MAX_MOMENTS);
    found
}

/// 400 unless `adding` hashes (at least one) fit beside `held` in a case.
fn check_count(adding: usize, held: usize) -> Result<()> {
    if adding == 0 {
        return Err(BankError::invalid(
            "no_hashes",
            "give at least one hash (\"hashes\": [{\"kind\": \"pdq\", ...}])",
        ));
    }
    if adding + held > MAX_HASHES_PER_CASE {
        return Err(BankError::invalid(
            "too_many_hashes",
            format!(
                "a case holds at most {MAX_HASHES_PER_CASE} hashes; this would make {}",
                adding + held
            ),
        ));
    }
    Ok(())
}

fn ensure_open(case: &OpenCase) -> Result<()> {
    if case.status == OPEN {
        Ok(())
    } else {
        Err(withdrawn_error())
    }
}

fn withdrawn_error() -> BankError {
    BankError::Conflict("this case was withdrawn; file a new case to add hashes".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn moments_stop_when_the_views_budget_is_spent() {
        let hash = "f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22";
        let other = "07070f311f0b57b0f9c8f5ddfc709c0f4c91d12a699de1e2cc194c63b16364dd";
        let video =
            VideoHash::from_text(&format!("0,90,{hash},0.000\n30,90,{other},1.000\n")).unwrap();
        let mut budget = 5;
        // One frame against two: 2 comparisons.
        assert_eq!(moments(&video, other, &mut budget), [1.0]);
        assert_eq!(budget, 3);
        // The copy's two frames against two: 4, more than is left.
        let copy = video.to_text();
        assert!(moments(&video, &copy, &mut budget).is_empty());
        assert_eq!(budget, 3);
        assert!(moments(&video, "not a hash", &mut budget).is_empty());
    }
}
